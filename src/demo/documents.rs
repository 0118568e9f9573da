//! Issues the documents of a few demo cases through the service: every kind each case's history
//! allows, so the demo shows generated `.docx` files and a case file with something in it.
//! Documents count in no figure, so the year's figures stay those of the report.

use strum::IntoEnumIterator;
use uuid::Uuid;

use super::{planner::CasePlan, run::problem, setup::Setup};
use crate::{
    domain::documents::DocumentKind,
    service::{
        documents::{IssueRequest, issue},
        error::ServiceError,
    },
    startup::AppState,
};

/// How many cases get their documents.
const CASES: usize = 5;

/// Issues, for the first [`CASES`] cases that reached a conclusion, every document kind their
/// history allows; returns how many were issued.
pub(super) async fn issue_documents(
    state: &AppState,
    setup: &Setup,
    plans: &[CasePlan],
    ids: &[Option<Uuid>],
) -> anyhow::Result<usize> {
    let mut conn = state.pool.get().await?;
    let mut issued = 0;
    let mut cases = 0;
    for (plan, id) in plans.iter().zip(ids) {
        let Some(id) = id else { continue };
        if cases == CASES {
            break;
        }
        let head = &setup.organs[plan.organ].head;
        let mut any = false;
        for kind in DocumentKind::iter().filter(|kind| {
            !matches!(
                kind,
                DocumentKind::OpinionLetter
                    | DocumentKind::RecommendationLetter
                    | DocumentKind::ProofOfService
            )
        }) {
            let request = IssueRequest {
                kind,
                issued_on: None,
                recipient: None,
                letter_text: None,
                served_document_id: None,
            };
            match issue(&mut conn, state, head, *id, request).await {
                Ok(_) => {
                    issued += 1;
                    any |= kind != DocumentKind::ApplicationRecord;
                }
                // The case never took that step.
                Err(ServiceError::RuleViolated { .. }) => {}
                Err(err) => anyhow::bail!("issuing a {kind} for case {id}: {}", problem(err)),
            }
        }
        cases += usize::from(any);
    }
    Ok(issued)
}
