//! Procedures that run beside a case's main line: an application filed through the respondent
//! (art. 32), a stay of enforcement (art. 42), and the incidental review of a normative document
//! (规范性文件, arts. 13, 56–60), with the rules that refuse what the law does not allow.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use strum::{Display, EnumIter, EnumString, IntoStaticStr};
use utoipa::ToSchema;

use super::lifecycle::{
    Action, ActionKind, CaseLifecycle, CaseState, Refusal, SuspensionGround, invalid, require_text,
    violated,
};

/// An application the applicant handed to the respondent, which forwards it (art. 32).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Forwarding {
    /// The day the applicant submitted the application to the respondent; the application counts
    /// as made that day (art. 20).
    pub submitted_on: NaiveDate,
    /// The day the respondent forwarded it; due within 5 working days of the submission (art. 32).
    #[serde(default)]
    pub forwarded_on: Option<NaiveDate>,
}

/// The art. 42 ground on which enforcement of the act stops.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    EnumString,
    IntoStaticStr,
    EnumIter,
    Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum StayGround {
    /// (1) 被申请人认为需要停止执行.
    RespondentDeemsNecessary,
    /// (2) 行政复议机关认为需要停止执行.
    OrganDeemsNecessary,
    /// (3) the applicant or a third party asked, and the organ found the request reasonable.
    PartyRequestGranted,
    /// (4) 法律、法规、规章规定停止执行.
    ProvidedByLaw,
}

/// Who asked for a stay of enforcement.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    EnumString,
    IntoStaticStr,
    EnumIter,
    Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum StayRequester {
    /// 申请人.
    Applicant,
    /// 第三人.
    ThirdParty,
}

/// The decision to stop enforcing the act while the case runs (art. 42).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EnforcementStay {
    /// The art. 42 ground.
    pub ground: StayGround,
    /// The day enforcement was stopped.
    pub decided_on: NaiveDate,
    /// Who decided: the respondent, or the organ's responsible person.
    pub decided_by: String,
}

/// A party's request for a stay that the organ refused, finding it unreasonable (art. 42(3)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StayRefusal {
    /// The day the request was refused.
    pub refused_on: NaiveDate,
    /// Who asked.
    pub requested_by: StayRequester,
    /// Why the request was refused.
    pub reason: String,
}

/// The outcome of a normative-document review (art. 59).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    EnumString,
    IntoStaticStr,
    EnumIter,
    Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum NormativeFinding {
    /// The provisions are lawful; the decision says so (art. 59).
    Lawful,
    /// The provisions exceed the body's powers or conflict with higher law: their enforcement
    /// stops and the drafting body is ordered to correct them (art. 59).
    Unlawful,
}

/// The applicant's request for an incidental review of a normative document (arts. 13, 56) and
/// how it is handled: by the organ itself (art. 58) or by the organ it is transferred to (art. 60).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NormativeReview {
    /// The document's title.
    pub document_name: String,
    /// The body that issued (drafted) it.
    pub issuing_body: String,
    /// The day the organ received the request; the 30 days to handle it and the 7 working days
    /// to transfer it run from it (art. 56).
    pub requested_on: NaiveDate,
    /// The day the case was first suspended on art. 39(9) for the review; the drafting body is
    /// to be notified within 3 working days of it (art. 58).
    #[serde(default)]
    pub suspended_on: Option<NaiveDate>,
    /// The day the organ wrote to the drafting body for its reply (art. 58).
    #[serde(default)]
    pub drafting_body_notified_on: Option<NaiveDate>,
    /// The day the drafting body's written reply arrived (due within 10 working days).
    #[serde(default)]
    pub drafting_body_replied_on: Option<NaiveDate>,
    /// The organ with power to handle it, when this organ has none (art. 56).
    #[serde(default)]
    pub transferred_to: Option<String>,
    /// The day the request was transferred; that organ answers within 60 days (art. 60).
    #[serde(default)]
    pub transferred_on: Option<NaiveDate>,
    /// The day the review was concluded: handled by the organ, or answered by the organ it was
    /// transferred to.
    #[serde(default)]
    pub concluded_on: Option<NaiveDate>,
    /// Lawful or unlawful.
    #[serde(default)]
    pub finding: Option<NormativeFinding>,
    /// The provisions the finding concerns (e.g. 第五条第二款).
    #[serde(default)]
    pub provisions: Vec<String>,
}

impl NormativeReview {
    /// A review just requested, on `on`, with nothing done about it yet.
    pub fn requested(document_name: String, issuing_body: String, on: NaiveDate) -> Self {
        Self {
            document_name,
            issuing_body,
            requested_on: on,
            suspended_on: None,
            drafting_body_notified_on: None,
            drafting_body_replied_on: None,
            transferred_to: None,
            transferred_on: None,
            concluded_on: None,
            finding: None,
            provisions: Vec::new(),
        }
    }

    /// Whether the review still awaits its outcome.
    pub fn pending(&self) -> bool {
        self.concluded_on.is_none()
    }

    /// Whether the organ handles it itself: not transferred.
    pub fn handled_by_organ(&self) -> bool {
        self.transferred_on.is_none()
    }
}

impl CaseLifecycle {
    /// The conditions of the ancillary procedures that decide whether an action is offered;
    /// part of the lifecycle's preconditions.
    pub(super) fn ancillary_precondition(&self, kind: ActionKind) -> Result<(), Refusal> {
        use ActionKind as K;
        let review = self.normative_review.as_ref();
        let pending = review.filter(|r| r.pending());
        match kind {
            K::StayEnforcement | K::RefuseStay => match &self.enforcement_stay {
                Some(stay) => Err(violated(
                    "art_42",
                    format!(
                        "enforcement was already stopped on {} (ground {})",
                        stay.decided_on, stay.ground
                    ),
                )),
                None => Ok(()),
            },
            K::RequestNormativeReview => match review {
                Some(review) => Err(violated(
                    "art_13",
                    format!(
                        "the request for a review of {} is already recorded with the case",
                        review.document_name
                    ),
                )),
                None => Ok(()),
            },
            K::TransferNormativeReview => match pending {
                None => Err(no_pending_review("art_56", review)),
                Some(r) if r.transferred_on.is_some() => {
                    Err(violated("art_56", "the request was already transferred"))
                }
                Some(r) if r.drafting_body_notified_on.is_some() => Err(violated(
                    "art_56",
                    "the organ is handling the review itself (the drafting body was notified), so it is not transferred",
                )),
                Some(_) => Ok(()),
            },
            K::NotifyDraftingBody => match pending {
                None => Err(no_pending_review("art_58", review)),
                Some(r) if r.transferred_on.is_some() => Err(violated(
                    "art_58",
                    "the request was transferred; the organ that received it deals with the drafting body",
                )),
                Some(r) if r.drafting_body_notified_on.is_some() => {
                    Err(violated("art_58", "the drafting body was already notified"))
                }
                Some(r) if r.suspended_on.is_none() => Err(violated(
                    "art_58",
                    "the drafting body is notified within 3 working days of suspending the case on art. 39(9); suspend it on normative_document_review first",
                )),
                Some(_) => Ok(()),
            },
            K::RecordDraftingBodyReply => match pending {
                None => Err(no_pending_review("art_58", review)),
                Some(r) if r.drafting_body_notified_on.is_none() => Err(violated(
                    "art_58",
                    "the drafting body has not been notified (notify_drafting_body)",
                )),
                Some(r) if r.drafting_body_replied_on.is_some() => Err(violated(
                    "art_58",
                    "the drafting body's reply is already recorded",
                )),
                Some(_) => Ok(()),
            },
            K::ConcludeNormativeReview => match pending {
                None => Err(no_pending_review("art_56", review)),
                Some(_) => Ok(()),
            },
            // The review's outcome is part of the decision (art. 59) or, when transferred, what
            // the decision must wait for (art. 60).
            K::Decide => match pending {
                Some(r) => Err(violated(
                    "art_56",
                    format!(
                        "the review of {} requested on {} has no outcome yet; conclude it (conclude_normative_review) before deciding",
                        r.document_name, r.requested_on
                    ),
                )),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }

    /// Applies an ancillary action's payload to `next` (dated `on`); `Ok(false)` when the action
    /// is not one of them.
    pub(super) fn apply_ancillary(
        &self,
        next: &mut Self,
        action: &Action,
        on: NaiveDate,
    ) -> Result<bool, Refusal> {
        match action {
            Action::RecordForwarding {
                submitted_on,
                forwarded_on,
            } => {
                if *submitted_on > self.received_on {
                    return Err(invalid(
                        "submitted_on",
                        format!(
                            "the application cannot reach the respondent ({submitted_on}) after the organ received it ({})",
                            self.received_on
                        ),
                    ));
                }
                if let Some(forwarded_on) = forwarded_on {
                    if forwarded_on < submitted_on {
                        return Err(invalid(
                            "forwarded_on",
                            format!(
                                "the respondent cannot forward it ({forwarded_on}) before it was submitted ({submitted_on})"
                            ),
                        ));
                    }
                    if *forwarded_on > on {
                        return Err(invalid(
                            "forwarded_on",
                            format!("{forwarded_on} is after the date of this action ({on})"),
                        ));
                    }
                }
                next.forwarding = Some(Forwarding {
                    submitted_on: *submitted_on,
                    forwarded_on: *forwarded_on,
                });
            }
            Action::StayEnforcement { ground, decided_by } => {
                require_text("decided_by", decided_by)?;
                next.enforcement_stay = Some(EnforcementStay {
                    ground: *ground,
                    decided_on: on,
                    decided_by: decided_by.clone(),
                });
            }
            Action::RefuseStay {
                requested_by,
                reason,
            } => {
                require_text("reason", reason)?;
                next.stay_refusals.push(StayRefusal {
                    refused_on: on,
                    requested_by: *requested_by,
                    reason: reason.clone(),
                });
            }
            Action::RequestNormativeReview {
                document_name,
                issuing_body,
            } => {
                require_text("document_name", document_name)?;
                require_text("issuing_body", issuing_body)?;
                next.normative_review = Some(NormativeReview::requested(
                    document_name.clone(),
                    issuing_body.clone(),
                    on,
                ));
            }
            Action::TransferNormativeReview { competent_organ } => {
                require_text("competent_organ", competent_organ)?;
                let review = review_mut(next)?;
                review.transferred_to = Some(competent_organ.clone());
                review.transferred_on = Some(on);
            }
            Action::NotifyDraftingBody {} => {
                review_mut(next)?.drafting_body_notified_on = Some(on);
            }
            Action::RecordDraftingBodyReply {} => {
                review_mut(next)?.drafting_body_replied_on = Some(on);
            }
            Action::ConcludeNormativeReview {
                finding,
                provisions,
            } => {
                if provisions.iter().any(|p| p.trim().is_empty()) {
                    return Err(invalid("provisions", "provisions must not be blank"));
                }
                if *finding == NormativeFinding::Unlawful && provisions.is_empty() {
                    return Err(invalid(
                        "provisions",
                        "an unlawful finding names the provisions whose enforcement stops (art. 59)",
                    ));
                }
                let review = review_mut(next)?;
                review.concluded_on = Some(on);
                review.finding = Some(*finding);
                review.provisions = provisions.clone();
            }
            Action::Suspend { ground, .. }
                if *ground == SuspensionGround::NormativeDocumentReview =>
            {
                // Art. 39(9) suspends the case for a review under way; the suspension starts the
                // 3 working days to notify the drafting body (art. 58).
                let Some(review) = next.normative_review.as_mut().filter(|r| r.pending()) else {
                    return Err(violated(
                        "art_39",
                        "ground 39(9) suspends a case for a normative-document review under way; record the request first (request_normative_review)",
                    ));
                };
                review.suspended_on.get_or_insert(on);
                // The suspension itself is applied by the lifecycle.
                return Ok(false);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

fn no_pending_review(rule: &'static str, review: Option<&NormativeReview>) -> Refusal {
    match review {
        Some(review) => violated(
            rule,
            format!(
                "the review of {} was concluded on {}",
                review.document_name,
                review.concluded_on.unwrap_or(review.requested_on)
            ),
        ),
        None => violated(
            rule,
            "no normative-document review is requested in this case (request_normative_review)",
        ),
    }
}

fn review_mut(next: &mut CaseLifecycle) -> Result<&mut NormativeReview, Refusal> {
    next.normative_review
        .as_mut()
        .ok_or_else(|| no_pending_review("art_56", None))
}

/// A request for review comes with the application or while the case is heard (art. 13).
pub(super) const REVIEW_REQUEST_STATES: &[CaseState] = &[
    CaseState::Received,
    CaseState::AwaitingSupplement,
    CaseState::Filed,
    CaseState::Heard,
];
