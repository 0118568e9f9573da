//! The import columns of the ancillary procedures: filing through the respondent (art. 32), a
//! stay of enforcement (art. 42), a normative-document review (arts. 13, 56–60) and a
//! compensation claim with its ruling (art. 72).

use chrono::NaiveDate;

use super::{Cells, Column};
use crate::domain::{
    ancillary::{EnforcementStay, Forwarding, NormativeFinding, NormativeReview, StayGround},
    case::Channel,
    lifecycle::{
        CaseLifecycle, CaseState, CompensationClaim, CompensationOutcome, CompensationRuling,
    },
    validation::FieldErrors,
};

/// The ancillary cells of a row, read.
pub(super) struct Ancillary {
    submitted_on: Option<NaiveDate>,
    forwarded_on: Option<NaiveDate>,
    stay_ground: Option<StayGround>,
    stay_decided_on: Option<NaiveDate>,
    stay_decided_by: Option<String>,
    document_name: Option<String>,
    issuing_body: Option<String>,
    requested_on: Option<NaiveDate>,
    transferred_to: Option<String>,
    transferred_on: Option<NaiveDate>,
    review_concluded_on: Option<NaiveDate>,
    finding: Option<NormativeFinding>,
    provisions: Vec<String>,
    claim: Option<String>,
    claim_fen: Option<i64>,
    outcome: Option<CompensationOutcome>,
    awarded_fen: Option<i64>,
}

/// Reads the ancillary cells; unreadable values are reported under their columns.
pub(super) fn read(cells: &mut Cells<'_, '_>) -> Ancillary {
    Ancillary {
        submitted_on: cells.date(Column::SubmittedToRespondentOn),
        forwarded_on: cells.date(Column::ForwardedOn),
        stay_ground: cells.value::<StayGround>(Column::StayGround),
        stay_decided_on: cells.date(Column::StayDecidedOn),
        stay_decided_by: cells.text(Column::StayDecidedBy),
        document_name: cells.text(Column::NormativeDocumentName),
        issuing_body: cells.text(Column::NormativeIssuingBody),
        requested_on: cells.date(Column::NormativeRequestedOn),
        transferred_to: cells.text(Column::NormativeTransferredTo),
        transferred_on: cells.date(Column::NormativeTransferredOn),
        review_concluded_on: cells.date(Column::NormativeConcludedOn),
        finding: cells.value::<NormativeFinding>(Column::NormativeFinding),
        provisions: cells
            .text(Column::NormativeProvisions)
            .map(|text| {
                text.split([';', '；'])
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        claim: cells.text(Column::CompensationClaim),
        claim_fen: cells.amount(Column::CompensationClaimFen),
        outcome: cells.value::<CompensationOutcome>(Column::CompensationOutcome),
        awarded_fen: cells.amount(Column::CompensationAwardedFen),
    }
}

impl Ancillary {
    fn dates(&self) -> [(Column, Option<NaiveDate>); 5] {
        [
            (Column::ForwardedOn, self.forwarded_on),
            (Column::StayDecidedOn, self.stay_decided_on),
            (Column::NormativeRequestedOn, self.requested_on),
            (Column::NormativeTransferredOn, self.transferred_on),
            (Column::NormativeConcludedOn, self.review_concluded_on),
        ]
    }

    /// The cross-field rules, as the lifecycle holds them.
    pub(super) fn check(
        &self,
        state: CaseState,
        received_on: NaiveDate,
        channel: Option<Channel>,
        today: NaiveDate,
        errors: &mut FieldErrors,
    ) {
        let accepted = !matches!(
            state,
            CaseState::Received
                | CaseState::AwaitingSupplement
                | CaseState::NotAccepted
                | CaseState::WithdrawnBeforeAcceptance
        );
        let mut push = |column: Column, reason: &str| errors.push(column.to_string(), reason);
        for (column, date) in self.dates() {
            match date {
                Some(date) if date > today => push(column, "is in the future"),
                // The respondent forwards what reaches the organ afterwards.
                Some(date) if date < received_on && column != Column::ForwardedOn => {
                    push(column, "is before the application was received");
                }
                _ => {}
            }
        }
        if let (Some(submitted_on), Some(forwarded_on)) = (self.submitted_on, self.forwarded_on)
            && forwarded_on < submitted_on
        {
            push(
                Column::ForwardedOn,
                "is before the application was submitted",
            );
        }
        if let Some(submitted_on) = self.submitted_on {
            if submitted_on > received_on {
                push(
                    Column::SubmittedToRespondentOn,
                    "is after the application was received",
                );
            }
            if channel.is_some_and(|c| c != Channel::Forwarded) {
                push(
                    Column::Channel,
                    "an application filed through the respondent arrives `forwarded`",
                );
            }
        } else if self.forwarded_on.is_some() {
            push(
                Column::SubmittedToRespondentOn,
                "required with forwarded_on",
            );
        }
        let stay = [
            self.stay_ground.is_some(),
            self.stay_decided_on.is_some(),
            self.stay_decided_by.is_some(),
        ];
        if stay.iter().any(|p| *p) {
            if !stay.iter().all(|p| *p) {
                push(
                    Column::StayGround,
                    "a stay names its ground, date (stay_decided_on) and who decided (stay_decided_by)",
                );
            }
            if !accepted {
                push(
                    Column::StayGround,
                    "enforcement stops only in an accepted case",
                );
            }
        }
        let review = [
            self.document_name.is_some(),
            self.issuing_body.is_some(),
            self.requested_on.is_some(),
        ];
        let has_review = review.iter().any(|p| *p);
        if has_review && !review.iter().all(|p| *p) {
            push(
                Column::NormativeDocumentName,
                "a review names the document, its issuing body and the day requested",
            );
        }
        let steps = self.transferred_to.is_some()
            || self.transferred_on.is_some()
            || self.review_concluded_on.is_some()
            || self.finding.is_some()
            || !self.provisions.is_empty();
        if steps && !has_review {
            push(
                Column::NormativeDocumentName,
                "required with the review's steps",
            );
        }
        if self.transferred_to.is_some() != self.transferred_on.is_some() {
            push(
                Column::NormativeTransferredTo,
                "a transfer names the organ and its date (normative_transferred_on)",
            );
        }
        if self.finding.is_some() != self.review_concluded_on.is_some() {
            push(
                Column::NormativeFinding,
                "an outcome names the finding and its date (normative_concluded_on)",
            );
        }
        if self.finding == Some(NormativeFinding::Unlawful) && self.provisions.is_empty() {
            push(
                Column::NormativeProvisions,
                "an unlawful finding names the provisions",
            );
        }
        // A decision waits for the review (art. 56).
        if has_review && self.finding.is_none() && state.is_merits_decision() {
            push(
                Column::NormativeFinding,
                "a case decided on the merits has its review concluded",
            );
        }
        if self.claim.is_none() && (self.claim_fen.is_some() || self.outcome.is_some()) {
            push(
                Column::CompensationClaim,
                "required with the claim's sum or ruling",
            );
        }
        if self.claim_fen.is_some_and(|fen| fen <= 0) {
            push(
                Column::CompensationClaimFen,
                "a sum claimed is at least 1 fen",
            );
        }
        if self.outcome.is_some() && !state.is_merits_decision() {
            push(
                Column::CompensationOutcome,
                "only a decision on the merits rules on a claim",
            );
        }
        if self.claim.is_some()
            && self.outcome.is_none()
            && matches!(
                state,
                CaseState::Revoked
                    | CaseState::Altered
                    | CaseState::ConfirmedIllegal
                    | CaseState::ConfirmedInvalid
            )
        {
            push(
                Column::CompensationOutcome,
                "a decision that corrects the act rules on the claim (art. 72)",
            );
        }
        match (self.outcome, self.awarded_fen) {
            (Some(CompensationOutcome::Award), None) => {
                push(Column::CompensationAwardedFen, "required with an award");
            }
            (Some(CompensationOutcome::Award), Some(fen)) if fen <= 0 => {
                push(Column::CompensationAwardedFen, "an award is at least 1 fen");
            }
            (Some(CompensationOutcome::Award), Some(_)) => {}
            (_, Some(_)) => push(
                Column::CompensationAwardedFen,
                "only an award has an amount",
            ),
            _ => {}
        }
    }

    /// Puts the checked values into the aggregate.
    pub(super) fn apply(self, lc: &mut CaseLifecycle) {
        for (_, date) in self.dates() {
            if let Some(date) = date {
                lc.last_event_on = lc.last_event_on.max(date);
            }
        }
        lc.forwarding = self.submitted_on.map(|submitted_on| Forwarding {
            submitted_on,
            forwarded_on: self.forwarded_on,
        });
        if let (Some(ground), Some(decided_on), Some(decided_by)) =
            (self.stay_ground, self.stay_decided_on, self.stay_decided_by)
        {
            lc.enforcement_stay = Some(EnforcementStay {
                ground,
                decided_on,
                decided_by,
            });
        }
        if let (Some(document_name), Some(issuing_body), Some(requested_on)) =
            (self.document_name, self.issuing_body, self.requested_on)
        {
            lc.normative_review = Some(NormativeReview {
                document_name,
                issuing_body,
                requested_on,
                suspended_on: None,
                drafting_body_notified_on: None,
                drafting_body_replied_on: None,
                transferred_to: self.transferred_to,
                transferred_on: self.transferred_on,
                concluded_on: self.review_concluded_on,
                finding: self.finding,
                provisions: self.provisions,
            });
        }
        if let Some(description) = self.claim {
            lc.compensation_claim = Some(CompensationClaim {
                description,
                amount_fen: self.claim_fen.and_then(|fen| u64::try_from(fen).ok()),
            });
            lc.compensation_ruling = self.outcome.map(|outcome| CompensationRuling {
                outcome,
                amount_fen: self.awarded_fen.and_then(|fen| u64::try_from(fen).ok()),
            });
        }
    }

    /// The day the application counts as made (art. 20), when filed through the respondent.
    pub(super) fn submitted_on(&self) -> Option<NaiveDate> {
        self.submitted_on
    }
}
