//! The case lifecycle as pure code: states, actions, and the state machine that folds recorded actions into a case's aggregate (domain.md, "Lifecycle").

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use strum::{Display, EnumIter, EnumString, IntoEnumIterator, IntoStaticStr};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    ancillary::{
        EnforcementStay, Forwarding, NormativeFinding, NormativeReview, REVIEW_REQUEST_STATES,
        StayGround, StayRefusal, StayRequester,
    },
    case::PartyKind,
    law::LawInForce,
    participation::{
        CommitteeConsultation, CommitteeGround, Representative, ThirdParty, ThirdPartyBasis,
        ThroughRepresentative, WrittenNotice,
    },
};

use ActionKind as K;
use CaseState as S;

/// Art. 51: the parties must be notified of a hearing at least five working days before it.
const HEARING_NOTICE_MIN_WORKING_DAYS: u32 = 5;

/// Where a case stands. The snake_case value is both the API value and the database text.
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
pub enum CaseState {
    /// 已收到申请: registered; the acceptance review (5 working days, art. 30) is running.
    Received,
    /// 待补正: a supplement notice was sent (art. 31); the review clock stops.
    AwaitingSupplement,
    /// 不予受理: refused at review (art. 30), including a supplement not provided (art. 31). Terminal, but not a conclusion.
    NotAccepted,
    /// 已受理: accepted (or deemed accepted); the case has a number.
    Filed,
    /// 已审理: the reply is in (or overdue) and the parties were heard (art. 49) or a hearing held (art. 50).
    Heard,
    /// 中止: suspended on an art. 39 ground; resumes to the state it left.
    Suspended,
    /// 变更: decision under art. 63.
    Altered,
    /// 撤销: decision under art. 64, possibly partial and with a remake order.
    Revoked,
    /// 确认违法: decision under art. 65.
    ConfirmedIllegal,
    /// 责令履行: decision under art. 66.
    OrderedToPerform,
    /// 确认无效: decision under art. 67.
    ConfirmedInvalid,
    /// 维持: decision under art. 68.
    Upheld,
    /// 驳回行政复议请求: decision under art. 69.
    RequestRejected,
    /// 驳回申请: accepted but found not to meet art. 30 (art. 33).
    ApplicationDismissed,
    /// 调解结案: a mediation document took effect (art. 73).
    Mediated,
    /// 终止: ended on an art. 41 ground.
    Terminated,
    /// 撤回申请: the applicant withdrew the application before it was accepted. Terminal, but
    /// neither a conclusion nor a refusal.
    WithdrawnBeforeAcceptance,
}

impl CaseState {
    /// No action other than follow-up records can change the case any more.
    pub fn is_terminal(self) -> bool {
        !self.is_open()
    }

    /// The case is still being handled (not terminal).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Received | Self::AwaitingSupplement | Self::Filed | Self::Heard | Self::Suspended
        )
    }

    /// Concluded by one of the seven decisions on the merits (arts. 63–69).
    pub fn is_merits_decision(self) -> bool {
        self.is_correction() || matches!(self, Self::Upheld | Self::RequestRejected)
    }

    /// A decision that corrects the respondent (纠错): altered, revoked, confirmed illegal, ordered to perform, confirmed invalid.
    pub fn is_correction(self) -> bool {
        matches!(
            self,
            Self::Altered
                | Self::Revoked
                | Self::ConfirmedIllegal
                | Self::OrderedToPerform
                | Self::ConfirmedInvalid
        )
    }

    /// Counted as concluded (审结): every terminal state except the two that never became a case,
    /// not_accepted and withdrawn_before_acceptance.
    pub fn is_concluded(self) -> bool {
        self.is_terminal() && !matches!(self, Self::NotAccepted | Self::WithdrawnBeforeAcceptance)
    }

    /// The Chinese label shown to officers and in reports.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Received => "已收到申请",
            Self::AwaitingSupplement => "待补正",
            Self::NotAccepted => "不予受理",
            Self::Filed => "已受理",
            Self::Heard => "已审理",
            Self::Suspended => "中止",
            Self::Altered => "变更",
            Self::Revoked => "撤销",
            Self::ConfirmedIllegal => "确认违法",
            Self::OrderedToPerform => "责令履行",
            Self::ConfirmedInvalid => "确认无效",
            Self::Upheld => "维持",
            Self::RequestRejected => "驳回行政复议请求",
            Self::ApplicationDismissed => "驳回申请",
            Self::Mediated => "调解结案",
            Self::Terminated => "终止",
            Self::WithdrawnBeforeAcceptance => "撤回申请",
        }
    }
}

/// The kind of an action, without its payload.
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
pub enum ActionKind {
    /// Send the applicant a supplement notice (art. 31).
    RequestSupplement,
    /// Record the supplement received from the applicant; the acceptance review restarts.
    Supplement,
    /// Record the applicant's receipt of the supplement notice, or extend the time to supplement
    /// for good reason (art. 31).
    RecordSupplementNotice,
    /// Decide not to accept the application (不予受理, art. 30).
    Decline,
    /// Accept the application (受理) and choose the procedure.
    Accept,
    /// Name the handling officers (承办人, art. 36).
    Assign,
    /// Record the copy sent to the respondent and/or the reply received (arts. 48, 54).
    RecordReply,
    /// Record that the parties were heard or a hearing held (arts. 49–51).
    Hear,
    /// Suspend the case on an art. 39 ground.
    Suspend,
    /// Resume a suspended case.
    Resume,
    /// Extend the decision period (art. 62).
    Extend,
    /// Convert a simplified case to ordinary procedure (art. 55).
    ConvertToOrdinary,
    /// Decide on the merits (arts. 63–69).
    Decide,
    /// Dismiss an accepted application that does not meet art. 30 (art. 33).
    DismissApplication,
    /// Conclude by a mediation document that took effect (art. 73).
    Mediate,
    /// Terminate on an art. 41 ground.
    Terminate,
    /// Record that the applicant withdrew the application before it was accepted.
    WithdrawApplication,
    /// Record the compensation claim joined to the application (art. 72).
    RecordCompensationClaim,
    /// Record that the application was filed through the respondent and forwarded (art. 32).
    RecordForwarding,
    /// Record a decision to stop enforcing the act (art. 42).
    StayEnforcement,
    /// Record the refusal of a party's request to stop enforcement (art. 42(3)).
    RefuseStay,
    /// Record the applicant's request to review a normative document (art. 13).
    RequestNormativeReview,
    /// Transfer that request to the organ with power to handle it (art. 56).
    TransferNormativeReview,
    /// Notify the drafting body to reply on the provisions' lawfulness (art. 58).
    NotifyDraftingBody,
    /// Record the drafting body's written reply (art. 58).
    RecordDraftingBodyReply,
    /// Record the review's outcome: lawful or unlawful, and which provisions (arts. 59, 60).
    ConcludeNormativeReview,
    /// Add a third party (第三人, art. 16), on its own application or notified by the office.
    AddThirdParty,
    /// Record that a third party withdrew from the case.
    WithdrawThirdParty,
    /// Record the representative (代表人) some applicants chose (art. 15).
    AppointRepresentative,
    /// Mark the case as one the reconsideration committee must advise on (art. 52 para 2).
    MarkForCommittee,
    /// Record a consultation of the reconsideration committee and its opinion (art. 52).
    RecordCommitteeConsultation,
}

impl ActionKind {
    /// Who may take the action: case officers do the handling, the head of the office approves and signs.
    pub fn required_role(self) -> Role {
        match self {
            Self::RequestSupplement
            | Self::Supplement
            | Self::RecordSupplementNotice
            | Self::RecordReply
            | Self::Hear
            | Self::Suspend
            | Self::Resume
            | Self::WithdrawApplication
            | Self::RecordCompensationClaim
            | Self::RecordForwarding
            | Self::RequestNormativeReview
            | Self::NotifyDraftingBody
            | Self::RecordDraftingBodyReply
            | Self::AddThirdParty
            | Self::WithdrawThirdParty
            | Self::AppointRepresentative
            | Self::MarkForCommittee
            | Self::RecordCommitteeConsultation => Role::Officer,
            Self::Decline
            | Self::Accept
            | Self::Assign
            | Self::Extend
            | Self::ConvertToOrdinary
            | Self::Decide
            | Self::DismissApplication
            | Self::Mediate
            | Self::Terminate
            | Self::StayEnforcement
            | Self::RefuseStay
            | Self::TransferNormativeReview
            | Self::ConcludeNormativeReview => Role::Head,
        }
    }

    /// The states from which the action may be taken, per [`transitions_table`].
    pub fn allowed_from(self) -> &'static [CaseState] {
        TRANSITIONS
            .iter()
            .find(|(kind, _)| *kind == self)
            .map_or(&[], |(_, states)| *states)
    }
}

/// A staff role. Roles are not hierarchical: a head who also handles cases holds both roles.
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
pub enum Role {
    /// 行政复议人员: handles cases.
    Officer,
    /// 机构负责人: approves acceptance, extensions and conversions, and signs decisions.
    Head,
    /// Reads figures only, no personal data.
    Statistician,
    /// Manages users, organs and the calendar.
    Admin,
}

/// The procedure a case is heard under (art. 36).
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
pub enum Procedure {
    /// 普通程序: decision within 60 days, extendable by up to 30 (art. 62).
    Ordinary,
    /// 简易程序: decision within 30 days, no extension (arts. 53–55, 62).
    Simplified,
}

/// Why a case qualifies for simplified procedure (art. 53).
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
pub enum SimplifiedGround {
    /// The act was made on the spot (art. 53(1)).
    OnTheSpotAct,
    /// The act is a warning or public criticism (art. 53(2)).
    WarningOrCriticism,
    /// The amount involved is 3,000 yuan or less (art. 53(3)).
    SmallAmount,
    /// A government information disclosure case (art. 53(4)).
    InformationDisclosure,
    /// All parties consented to simplified procedure (art. 53, second paragraph).
    PartiesConsent,
}

/// Why an application was not accepted.
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
pub enum DeclineReason {
    /// The application does not meet the conditions of art. 30.
    Inadmissible,
    /// Filed out of time (arts. 20, 21).
    TimeBarred,
    /// Not within this organ's jurisdiction; the decision names the competent organ (art. 30).
    NoJurisdiction,
    /// The supplement was not provided in time, so the application is deemed abandoned (art. 31).
    SupplementNotProvided,
}

/// How the parties were heard.
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
pub enum HearingMethod {
    /// Written review (书面审理, arts. 49, 54).
    WrittenOpinions,
    /// Opinions heard in person (当面, art. 49).
    InPerson,
    /// Opinions heard over the internet (art. 49).
    Online,
    /// Opinions heard by phone (art. 49).
    Phone,
    /// A formal hearing (听证, arts. 50–51), notified at least 5 working days before.
    Hearing,
}

/// The ground for suspending a case, art. 39(1)–(10).
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
pub enum SuspensionGround {
    /// (1) The applicant died and the next of kin have not decided whether to take part.
    ApplicantDied,
    /// (2) The applicant lost capacity and no legal representative has been determined.
    ApplicantIncapacitated,
    /// (3) The applicant's whereabouts are unknown.
    ApplicantMissing,
    /// (4) The applicant organisation ended and its successor has not been determined.
    EntityEnded,
    /// (5) A party cannot take part because of force majeure or another good reason.
    ForceMajeure,
    /// (6) Applicant and respondent agreed to suspend for mediation or settlement.
    MediationOrSettlement,
    /// (7) A question of law awaits interpretation or confirmation by a competent authority.
    LegalInterpretationPending,
    /// (8) The case depends on the outcome of another case not yet concluded.
    RelatedCasePending,
    /// (9) A normative document or basis is under review (arts. 56, 57).
    NormativeDocumentReview,
    /// (10) Any other situation requiring suspension.
    Other,
}

impl SuspensionGround {
    /// The item number in art. 39(1).
    pub fn art39_item(self) -> u8 {
        match self {
            Self::ApplicantDied => 1,
            Self::ApplicantIncapacitated => 2,
            Self::ApplicantMissing => 3,
            Self::EntityEnded => 4,
            Self::ForceMajeure => 5,
            Self::MediationOrSettlement => 6,
            Self::LegalInterpretationPending => 7,
            Self::RelatedCasePending => 8,
            Self::NormativeDocumentReview => 9,
            Self::Other => 10,
        }
    }

    /// Art. 41(5) lets a case be terminated once it has been suspended on item 1, 2 or 4 for the long-suspension period.
    pub fn allows_termination_after_60_days(self) -> bool {
        matches!(
            self,
            Self::ApplicantDied | Self::ApplicantIncapacitated | Self::EntityEnded
        )
    }
}

/// The ground for terminating a case (art. 41).
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
pub enum TerminationGround {
    /// The applicant withdrew and the withdrawal was allowed (art. 41(1)).
    Withdrawn,
    /// The parties settled (和解) and the applicant then withdrew (arts. 41(1), 74).
    Settled,
    /// The applicant died with no next of kin, or they waived the right (art. 41(2)).
    ApplicantDiedNoSuccessor,
    /// The applicant organisation ended with no successor, or it waived the right (art. 41(3)).
    EntityEndedNoSuccessor,
    /// The applicant was placed under criminal compulsory measures for the same conduct (art. 41(4)).
    CriminalMeasures,
    /// Suspended on art. 39(1), (2) or (4) for the long-suspension period with the cause persisting (art. 41(5)).
    LongSuspension,
}

impl TerminationGround {
    /// Counted as a withdrawal (撤) in the mediation-and-withdrawal figures.
    pub fn is_withdrawal(self) -> bool {
        matches!(self, Self::Withdrawn | Self::Settled)
    }
}

/// How a decision was approved (art. 61): by the organ's responsible person, or by its collective
/// discussion.
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
pub enum ApprovalRoute {
    /// 经行政复议机关负责人同意.
    OrganHead,
    /// 经集体讨论通过.
    CollectiveDiscussion,
}

/// The approval a decision is made on (art. 61): the route and who approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// Responsible person or collective discussion.
    pub route: ApprovalRoute,
    /// Who approved: the responsible person's name, or the body that discussed it (e.g. 市政府常务会议).
    #[schema(pattern = r"\S")]
    pub approver: String,
}

/// The applicant's compensation claim joined to the application (行政赔偿, art. 72).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompensationClaim {
    /// What the applicant claims, in words (the loss, the property to be returned).
    #[schema(pattern = r"\S")]
    pub description: String,
    /// The sum claimed, in fen, when the claim is for money.
    #[serde(default)]
    pub amount_fen: Option<u64>,
}

/// What a decision rules on a compensation claim (art. 72).
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
pub enum CompensationOutcome {
    /// 驳回行政赔偿请求.
    Reject,
    /// 责令被申请人依法给予赔偿: compensation in money, with the amount.
    Award,
    /// 责令返还财产 (seized or confiscated property returned).
    ReturnProperty,
    /// 责令恢复原状 (property restored, a freeze lifted).
    RestoreOriginalState,
}

/// A decision's ruling on the compensation claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompensationRuling {
    /// The outcome.
    pub outcome: CompensationOutcome,
    /// The compensation awarded, in fen; required with, and only with, `award`.
    #[serde(default)]
    pub amount_fen: Option<u64>,
}

/// The outcome of an administrative-agreement case (行政协议, art. 71): the respondent is to bear
/// the liability the decision names.
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
pub enum AgreementOutcome {
    /// 依法订立: conclude the agreement as the law requires.
    Conclude,
    /// 继续履行: continue performance.
    ContinuePerformance,
    /// 采取补救措施: take remedial measures.
    RemedialMeasures,
    /// 赔偿损失: compensate the losses.
    CompensateLosses,
}

/// The operative part of a decision on the merits (arts. 63–69).
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
pub enum Disposition {
    /// 变更 (art. 63).
    Alter,
    /// 撤销 or 部分撤销, possibly with a remake order (art. 64).
    Revoke,
    /// 确认违法 (art. 65).
    ConfirmIllegal,
    /// 责令履行 within a time limit (art. 66).
    OrderToPerform,
    /// 确认无效 (art. 67).
    ConfirmInvalid,
    /// 维持 (art. 68).
    Uphold,
    /// 驳回行政复议请求 (art. 69).
    RejectRequest,
}

impl Disposition {
    /// The state a case reaches when decided this way.
    pub fn target_state(self) -> CaseState {
        match self {
            Self::Alter => CaseState::Altered,
            Self::Revoke => CaseState::Revoked,
            Self::ConfirmIllegal => CaseState::ConfirmedIllegal,
            Self::OrderToPerform => CaseState::OrderedToPerform,
            Self::ConfirmInvalid => CaseState::ConfirmedInvalid,
            Self::Uphold => CaseState::Upheld,
            Self::RejectRequest => CaseState::RequestRejected,
        }
    }

    /// Art. 72 para 1: a decision that revokes (wholly or in part), alters, or confirms the act
    /// illegal or invalid must also rule on a compensation claim joined to the application.
    fn must_rule_on_compensation(self) -> bool {
        matches!(
            self,
            Self::Revoke | Self::Alter | Self::ConfirmIllegal | Self::ConfirmInvalid
        )
    }

    /// Art. 70: the outcomes open when the act is deemed to lack evidence because the respondent did not reply.
    fn follows_missing_reply(self) -> bool {
        matches!(
            self,
            Self::Revoke | Self::ConfirmIllegal | Self::ConfirmInvalid | Self::OrderToPerform
        )
    }
}

/// Declares [`Action`] and [`ActionFields`], its externally tagged mirror, from one list of
/// variants, so the two cannot drift apart.
///
/// The mirror exists for parsing: serde buffers an internally tagged enum before reading the
/// variant, which hides the path of the field at fault; the externally tagged form keeps it.
macro_rules! actions {
    (
        $(#[$meta:meta])*
        pub enum Action {
            $(
                $(#[$vmeta:meta])*
                $variant:ident {
                    $(
                        $(#[$fmeta:meta])*
                        $field:ident : $ty:ty
                    ),* $(,)?
                }
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        pub enum Action {
            $(
                $(#[$vmeta])*
                $variant {
                    $(
                        $(#[$fmeta])*
                        $field: $ty,
                    )*
                },
            )*
        }

        /// [`Action`] with the tag outside: `{"accept": {"procedure": "ordinary"}}`. Only for
        /// parsing; see [`Action::from`]. (`ToSchema` only so the fields' `#[schema]` limits,
        /// shared with [`Action`], are understood here; it is in no document.)
        #[derive(Debug, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case", deny_unknown_fields)]
        pub enum ActionFields {
            $(
                #[allow(missing_docs)]
                $variant {
                    $(
                        $(#[$fmeta])*
                        $field: $ty,
                    )*
                },
            )*
        }

        impl From<ActionFields> for Action {
            fn from(fields: ActionFields) -> Self {
                match fields {
                    $(
                        ActionFields::$variant { $($field),* } => Self::$variant { $($field),* },
                    )*
                }
            }
        }
    };
}

actions! {
/// An action on a case with its payload; the legal date it happened on travels in the [`TransitionContext`].
///
/// Unknown fields are refused: a misspelt flag (say `partal`) silently dropped would record a
/// different decision from the one the head signed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Send a supplement notice (art. 31). Allowed once per application, since the notice must list everything at once.
    RequestSupplement {
        /// Everything the applicant must supplement; at least one item, none blank.
        #[schema(schema_with = crate::domain::validation::non_blank_list)]
        items: Vec<String>,
        /// The day the applicant received the notice, if known now (handed over in person); the
        /// 10 working days run from it (art. 31). Record it later with `record_supplement_notice`.
        #[serde(default)]
        notice_received_on: Option<NaiveDate>,
    },
    /// The supplement arrived; the action's date is the date it was received and the acceptance review restarts.
    Supplement {},
    /// Record when the applicant received the supplement notice and/or extend the time to
    /// supplement for good reason (art. 31); give at least one of the two.
    RecordSupplementNotice {
        /// The day the applicant received the notice; not before the notice was sent.
        #[serde(default)]
        received_on: Option<NaiveDate>,
        /// Working days added to the time to supplement, for good reason.
        #[serde(default)]
        extend_working_days: Option<u32>,
        /// The good reason; required with an extension.
        #[serde(default)]
        reason: Option<String>,
    },
    /// Do not accept the application (不予受理).
    Decline {
        /// Why the application is not accepted.
        reason: DeclineReason,
        /// The organ that has jurisdiction; required for, and only for, `no_jurisdiction`.
        #[serde(default)]
        competent_organ: Option<String>,
        /// Free-text explanation for the file.
        #[serde(default)]
        explanation: Option<String>,
    },
    /// Accept the application (受理); the case number comes from the persistence layer.
    Accept {
        /// The procedure the case is heard under.
        procedure: Procedure,
        /// The art. 53 ground; required for simplified procedure, forbidden for ordinary.
        #[serde(default)]
        simplified_ground: Option<SimplifiedGround>,
        /// Deemed accepted (视为受理) because the review period lapsed without a decision (art. 30).
        #[serde(default)]
        deemed: bool,
    },
    /// Name the handling officers, replacing any named before.
    Assign {
        /// At least one, no duplicates; each an active officer of the case's organ.
        #[schema(schema_with = crate::domain::validation::distinct_ids)]
        handlers: Vec<Uuid>,
    },
    /// Record the copy sent to the respondent and/or the respondent's reply; give at least one date.
    RecordReply {
        /// When the application copy was sent to the respondent.
        #[serde(default)]
        copy_sent_on: Option<NaiveDate>,
        /// When the respondent received the copy (送达); the reply period runs from it (arts. 48, 54).
        #[serde(default)]
        copy_received_on: Option<NaiveDate>,
        /// When the respondent's written reply was received; not before the copy was sent.
        #[serde(default)]
        reply_received_on: Option<NaiveDate>,
    },
    /// The parties were heard; under ordinary procedure this needs the reply recorded or overdue.
    Hear {
        /// How the parties were heard.
        method: HearingMethod,
        /// The day the hearing or interview took place; required for a hearing (听证).
        #[serde(default)]
        hearing_on: Option<NaiveDate>,
        /// The day the parties were notified of the hearing; required for, and only for, a hearing (听证).
        #[serde(default)]
        notice_on: Option<NaiveDate>,
        /// Written review under ordinary procedure: the parties could not be heard for their own
        /// reasons (art. 49); required for `written_opinions` under ordinary procedure of the 2023 law.
        #[serde(default)]
        parties_unavailable: bool,
    },
    /// Suspend the case (中止).
    Suspend {
        /// The art. 39 ground.
        ground: SuspensionGround,
        /// The day the parties were notified in writing (art. 39 para 3); not before the
        /// suspension.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parties_notified_on: Option<NaiveDate>,
    },
    /// Resume a suspended case; it returns to the state it left.
    Resume {
        /// The day the parties were notified in writing (art. 39 para 3); not before the
        /// resumption.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parties_notified_on: Option<NaiveDate>,
    },
    /// Extend the decision period (art. 62); ordinary procedure only.
    Extend {
        /// Days granted now; at least 1, and all extensions together within the configured maximum (30).
        #[schema(minimum = 1, maximum = 4_294_967_295_u64)]
        days: u32,
        /// Why the case cannot be decided in time.
        #[schema(pattern = r"\S")]
        reason: String,
        /// The day the parties were told in writing of the extension (art. 62); not before it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parties_notified_on: Option<NaiveDate>,
    },
    /// Convert a simplified case to ordinary procedure (art. 55).
    ConvertToOrdinary {
        /// Why simplified procedure is unsuitable.
        #[schema(pattern = r"\S")]
        reason: String,
    },
    /// Decide on the merits; the action's date is the decision date.
    Decide {
        /// The operative outcome.
        disposition: Disposition,
        /// The decision document's number (文号).
        #[schema(pattern = r"\S")]
        document_number: String,
        /// The reasoning.
        #[schema(pattern = r"\S")]
        reasoning: String,
        /// The legal basis cited.
        #[schema(pattern = r"\S")]
        legal_basis: String,
        /// Partial revocation (部分撤销); only with `revoke`.
        #[serde(default)]
        partial: bool,
        /// The respondent is ordered to remake the act (责令重作); only with `revoke`.
        #[serde(default)]
        remake_ordered: bool,
        /// Days the respondent has to remake or perform; required with a remake order or `order_to_perform`, forbidden otherwise.
        #[serde(default)]
        #[schema(minimum = 1, maximum = 4_294_967_295_u64)]
        comply_within_days: Option<u32>,
        /// The approval the decision is made on (art. 61).
        approval: Approval,
        /// A third party supplied evidence although the respondent did not reply in time, so art.
        /// 70 does not fix the outcome; needs a third party recorded on the case.
        #[serde(default)]
        third_party_evidence: bool,
        /// An `alter` decision that leaves the applicant worse off (art. 63 para 2); allowed only
        /// when a third party asked for it (`worsening_requested_by`).
        #[serde(default)]
        worsens_applicant: bool,
        /// The number of the third party whose request the worsening answers (art. 63 para 2).
        #[serde(default)]
        worsening_requested_by: Option<u32>,
        /// The ruling on the compensation claim (art. 72); required when the case has a claim and
        /// the decision revokes, alters or confirms the act illegal, refused without a claim.
        #[serde(default)]
        compensation: Option<CompensationRuling>,
        /// The liability an administrative-agreement case puts on the respondent (art. 71).
        #[serde(default)]
        agreement_outcome: Option<AgreementOutcome>,
    },
    /// Dismiss the application after acceptance (驳回申请, art. 33).
    DismissApplication {
        /// Which art. 30 condition is not met.
        #[schema(pattern = r"\S")]
        reason: String,
    },
    /// Conclude by mediation; the action's date is the day the mediation document took effect.
    Mediate {
        /// The mediation document's number.
        #[schema(pattern = r"\S")]
        document_number: String,
        /// The representative who agreed for the applicants, with their consent (art. 15).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        through_representative: Option<ThroughRepresentative>,
    },
    /// Terminate the case (终止, art. 41).
    Terminate {
        /// The art. 41 ground.
        ground: TerminationGround,
        /// Free-text explanation for the file.
        #[serde(default)]
        explanation: Option<String>,
        /// A withdrawal or settlement (`withdrawn`, `settled`) made through a representative,
        /// with the represented applicants' consent (art. 15 para 2).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        through_representative: Option<ThroughRepresentative>,
    },
    /// Record the compensation claim the applicant joined to the application (art. 72); replaces
    /// one recorded before.
    RecordCompensationClaim {
        /// The claim.
        claim: CompensationClaim,
    },
    /// The applicant withdrew the application while it was under review or awaiting a
    /// supplement; the action's date is the day the withdrawal was received.
    WithdrawApplication {
        /// The applicant's stated reason, if any, for the file.
        #[serde(default)]
        explanation: Option<String>,
        /// A withdrawal made through a representative, with the represented applicants' consent
        /// (art. 15 para 2).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        through_representative: Option<ThroughRepresentative>,
    },
    /// Add a third party (第三人) to an accepted case (art. 16); it is numbered 1, 2, … in order.
    AddThirdParty {
        /// The person's or body's name.
        #[schema(pattern = r"\S", max_length = 200)]
        name: String,
        /// Natural person, legal person or other organisation.
        kind: PartyKind,
        /// Applied to take part, or notified by the office.
        basis: ThirdPartyBasis,
    },
    /// A third party withdrew; the case goes on without it (art. 16 para 2).
    WithdrawThirdParty {
        /// The third party's number on the case.
        third_party: u32,
    },
    /// Record the representative (代表人) some applicants chose among themselves (art. 15); it
    /// is numbered 1, 2, … in order.
    AppointRepresentative {
        /// The representative's name.
        #[schema(pattern = r"\S", max_length = 200)]
        name: String,
        /// The applicants who chose them, by 0-based position among the case's parties; at
        /// least one, none twice, each an applicant.
        #[schema(min_items = 1)]
        applicants: Vec<u32>,
    },
    /// Mark the case as one the reconsideration committee must advise on (art. 52 para 2); a
    /// decision then needs a consultation recorded first.
    MarkForCommittee {
        /// The art. 52 para 2 ground.
        ground: CommitteeGround,
    },
    /// Record a consultation of the reconsideration committee (行政复议委员会); the action's date
    /// is the day the opinion was given.
    RecordCommitteeConsultation {
        /// The committee's advisory opinion (art. 52 para 3: the office records it).
        #[schema(pattern = r"\S")]
        opinion: String,
        /// The day the office asked the committee, if recorded; not after the opinion.
        #[serde(default)]
        requested_on: Option<NaiveDate>,
    },
    /// The application was filed through the respondent (art. 32); replaces what was recorded
    /// before. The submission date becomes the day the application was made (art. 20) and the
    /// channel `forwarded`.
    RecordForwarding {
        /// The day the applicant submitted it to the respondent; not after the organ received it.
        submitted_on: NaiveDate,
        /// The day the respondent forwarded it, once known; due within 5 working days of the
        /// submission.
        #[serde(default)]
        forwarded_on: Option<NaiveDate>,
    },
    /// Enforcement of the act stops (art. 42); the action's date is the day it was decided.
    StayEnforcement {
        /// The art. 42 ground.
        ground: StayGround,
        /// Who decided: the respondent, or the organ's responsible person.
        #[schema(pattern = r"\S")]
        decided_by: String,
    },
    /// A party's request to stop enforcement is refused (art. 42(3)); the action's date is the
    /// day of the refusal.
    RefuseStay {
        /// Who asked.
        requested_by: StayRequester,
        /// Why the request is not reasonable.
        #[schema(pattern = r"\S")]
        reason: String,
    },
    /// The applicant asks for an incidental review of a normative document (art. 13); the
    /// action's date is the day the organ received the request.
    RequestNormativeReview {
        /// The document's title.
        #[schema(pattern = r"\S")]
        document_name: String,
        /// The body that issued it.
        #[schema(pattern = r"\S")]
        issuing_body: String,
    },
    /// The organ has no power to handle the review and transfers it (art. 56: within 7 working
    /// days); the receiving organ answers within 60 days (art. 60).
    TransferNormativeReview {
        /// The organ with power to handle it.
        #[schema(pattern = r"\S")]
        competent_organ: String,
    },
    /// The drafting body is notified in writing to reply on the provisions' lawfulness (art. 58:
    /// within 3 working days of the suspension on art. 39(9); it replies within 10 working days).
    NotifyDraftingBody {},
    /// The drafting body's written reply arrived; the action's date is the day it arrived.
    RecordDraftingBodyReply {},
    /// The review's outcome: the organ's own (within 30 days, art. 56) or the answer of the organ
    /// it was transferred to (art. 60).
    ConcludeNormativeReview {
        /// Lawful or unlawful.
        finding: NormativeFinding,
        /// The provisions concerned; at least one for `unlawful`.
        #[serde(default)]
        provisions: Vec<String>,
    },
}
}

impl Action {
    /// The kind of this action.
    pub fn kind(&self) -> ActionKind {
        match self {
            Self::RequestSupplement { .. } => ActionKind::RequestSupplement,
            Self::Supplement {} => ActionKind::Supplement,
            Self::RecordSupplementNotice { .. } => ActionKind::RecordSupplementNotice,
            Self::Decline { .. } => ActionKind::Decline,
            Self::Accept { .. } => ActionKind::Accept,
            Self::Assign { .. } => ActionKind::Assign,
            Self::RecordReply { .. } => ActionKind::RecordReply,
            Self::Hear { .. } => ActionKind::Hear,
            Self::Suspend { .. } => ActionKind::Suspend,
            Self::Resume { .. } => ActionKind::Resume,
            Self::Extend { .. } => ActionKind::Extend,
            Self::ConvertToOrdinary { .. } => ActionKind::ConvertToOrdinary,
            Self::Decide { .. } => ActionKind::Decide,
            Self::DismissApplication { .. } => ActionKind::DismissApplication,
            Self::Mediate { .. } => ActionKind::Mediate,
            Self::Terminate { .. } => ActionKind::Terminate,
            Self::WithdrawApplication { .. } => ActionKind::WithdrawApplication,
            Self::RecordCompensationClaim { .. } => ActionKind::RecordCompensationClaim,
            Self::RecordForwarding { .. } => ActionKind::RecordForwarding,
            Self::StayEnforcement { .. } => ActionKind::StayEnforcement,
            Self::RefuseStay { .. } => ActionKind::RefuseStay,
            Self::RequestNormativeReview { .. } => ActionKind::RequestNormativeReview,
            Self::TransferNormativeReview { .. } => ActionKind::TransferNormativeReview,
            Self::NotifyDraftingBody {} => ActionKind::NotifyDraftingBody,
            Self::RecordDraftingBodyReply {} => ActionKind::RecordDraftingBodyReply,
            Self::ConcludeNormativeReview { .. } => ActionKind::ConcludeNormativeReview,
            Self::AddThirdParty { .. } => ActionKind::AddThirdParty,
            Self::WithdrawThirdParty { .. } => ActionKind::WithdrawThirdParty,
            Self::AppointRepresentative { .. } => ActionKind::AppointRepresentative,
            Self::MarkForCommittee { .. } => ActionKind::MarkForCommittee,
            Self::RecordCommitteeConsultation { .. } => ActionKind::RecordCommitteeConsultation,
        }
    }
}

/// Settings for what the law leaves to the organ or the service configures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LifecycleSettings {
    /// The most days all extensions of one case may add up to (art. 62: 30).
    pub max_extension_days: u32,
    /// Days a case must have been suspended on art. 39(1), (2) or (4) before it may be terminated (art. 41(5): 60).
    pub long_suspension_days: u32,
}

impl Default for LifecycleSettings {
    fn default() -> Self {
        Self {
            max_extension_days: 30,
            long_suspension_days: 60,
        }
    }
}

/// Facts an action is judged against that the state machine cannot compute itself.
///
/// The caller owns the working-day calendar and the case-number sequence, so it supplies what
/// depends on them. For replay, store these facts with the event and pass them back unchanged.
#[derive(Debug, Clone)]
pub struct TransitionContext<'a> {
    /// The configured limits.
    pub settings: &'a LifecycleSettings,
    /// The legal date of the action, in the organ's time zone.
    pub occurred_on: NaiveDate,
    /// Today's legal date; an action cannot be dated after it.
    pub today: NaiveDate,
    /// The respondent's reply period (arts. 48, 54) has run out with no reply.
    pub reply_overdue: bool,
    /// Working days from the hearing notice to the hearing; needed when the action is a hearing (听证).
    pub hearing_notice_working_days: Option<u32>,
    /// The case number allocated by the persistence layer; required for `accept`, ignored otherwise.
    pub case_number: Option<String>,
    /// The last days of the periods running on the action's date.
    pub periods: PeriodDueDates,
}

/// The last days of a case's periods as they stand on an action's date, computed by the caller on
/// the working-day calendar. `None` when the period has not started (no receipt of the copy yet)
/// or its day cannot be placed (a year without a calendar); a rule that needs the period to have
/// run out then does not hold, and a rule that forbids acting after it is not applied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PeriodDueDates {
    /// The acceptance review (art. 30); only while the case is in review.
    pub review_due_on: Option<NaiveDate>,
    /// The applicant's time to supplement, from the receipt of the notice (art. 31).
    pub supplement_due_on: Option<NaiveDate>,
    /// The respondent's reply, from its receipt of the copy (arts. 48, 54).
    pub reply_due_on: Option<NaiveDate>,
    /// The decision (art. 62), with the extensions granted.
    pub decision_due_on: Option<NaiveDate>,
}

/// Everything beyond the case itself that decides which actions are open on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Circumstances {
    /// The day the actions would be taken.
    pub on: NaiveDate,
    /// The respondent's reply period has run out with no reply.
    pub reply_overdue: bool,
    /// The periods' last days on that day.
    pub periods: PeriodDueDates,
}

/// Whether a period with last day `due` has run out by `on`.
fn lapsed(due: Option<NaiveDate>, on: NaiveDate) -> bool {
    due.is_some_and(|due| on > due)
}

impl<'a> TransitionContext<'a> {
    /// A context with no reply overdue, no hearing facts and no case number.
    pub fn new(settings: &'a LifecycleSettings, occurred_on: NaiveDate, today: NaiveDate) -> Self {
        Self {
            settings,
            occurred_on,
            today,
            reply_overdue: false,
            hearing_notice_working_days: None,
            case_number: None,
            periods: PeriodDueDates::default(),
        }
    }

    fn circumstances(&self) -> Circumstances {
        Circumstances {
            on: self.occurred_on,
            reply_overdue: self.reply_overdue,
            periods: self.periods,
        }
    }
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The action is not possible in the case's current state (HTTP 409).
    #[error("cannot {action} a case that is {state}; allowed now: {}", list_kinds(.allowed))]
    NotAllowedInState {
        /// The case's current state.
        state: CaseState,
        /// The action that was refused.
        action: ActionKind,
        /// The actions that would be accepted now, for any role.
        allowed: Vec<ActionKind>,
    },
    /// A field of the request is missing or wrong (HTTP 422).
    #[error("{field}: {reason}")]
    InvalidField {
        /// The JSON field name.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A legal precondition is not met (HTTP 409).
    #[error("{reason} ({rule})")]
    RuleViolated {
        /// The rule, usually the article, e.g. `art_70`.
        rule: &'static str,
        /// What is missing.
        reason: String,
    },
}

fn list_kinds(kinds: &[ActionKind]) -> String {
    if kinds.is_empty() {
        return "none, the case is closed".to_owned();
    }
    kinds
        .iter()
        .map(|kind| kind.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn invalid(field: &'static str, reason: impl Into<String>) -> Refusal {
    Refusal::InvalidField {
        field,
        reason: reason.into(),
    }
}

pub(super) fn violated(rule: &'static str, reason: impl Into<String>) -> Refusal {
    Refusal::RuleViolated {
        rule,
        reason: reason.into(),
    }
}

impl Action {
    /// Checks the action's own fields, whose rules hold in every state. The service runs this
    /// before it reads the case, so a malformed action is answered 422 whatever version
    /// `If-Match` names; [`CaseLifecycle::apply`] runs it too.
    pub fn check_fields(&self) -> Result<(), Refusal> {
        match self {
            Action::RequestSupplement { items, .. } => {
                if items.is_empty() {
                    return Err(invalid("items", "list at least one item to supplement"));
                }
                if items.iter().any(|item| item.trim().is_empty()) {
                    return Err(invalid("items", "items must not be blank"));
                }
                Ok(())
            }
            Action::Assign { handlers } => {
                if handlers.is_empty() {
                    return Err(invalid("handlers", "name at least one handling officer"));
                }
                if handlers
                    .iter()
                    .enumerate()
                    .any(|(i, id)| handlers[..i].contains(id))
                {
                    return Err(invalid("handlers", "an officer is named twice"));
                }
                Ok(())
            }
            Action::Extend { days, reason, .. } => {
                if *days == 0 {
                    return Err(invalid("days", "extend by at least one day"));
                }
                require_text("reason", reason)
            }
            Action::ConvertToOrdinary { reason } | Action::DismissApplication { reason } => {
                require_text("reason", reason)
            }
            Action::Decide {
                document_number,
                reasoning,
                legal_basis,
                comply_within_days,
                approval,
                ..
            } => {
                require_text("document_number", document_number)?;
                require_text("reasoning", reasoning)?;
                require_text("legal_basis", legal_basis)?;
                require_text("approval.approver", &approval.approver)?;
                if *comply_within_days == Some(0) {
                    return Err(invalid("comply_within_days", "give at least one day"));
                }
                Ok(())
            }
            Action::Mediate {
                document_number, ..
            } => require_text("document_number", document_number),
            Action::AddThirdParty { name, .. } => require_name("name", name),
            Action::AppointRepresentative { name, applicants } => {
                require_name("name", name)?;
                check_positions("applicants", applicants)
            }
            Action::RecordCommitteeConsultation { opinion, .. } => require_text("opinion", opinion),
            _ => Ok(()),
        }
    }
}

pub(super) fn require_text(field: &'static str, value: &str) -> Result<(), Refusal> {
    if value.trim().is_empty() {
        return Err(invalid(field, "must not be blank"));
    }
    Ok(())
}

/// A name: not blank, and no longer than a party's name may be.
fn require_name(field: &'static str, value: &str) -> Result<(), Refusal> {
    require_text(field, value)?;
    if value.chars().count() > super::case::MAX_NAME_CHARS {
        return Err(invalid(
            field,
            format!("at most {} characters", super::case::MAX_NAME_CHARS),
        ));
    }
    Ok(())
}

/// Positions among the parties: at least one, none twice.
fn check_positions(field: &'static str, positions: &[u32]) -> Result<(), Refusal> {
    if positions.is_empty() {
        return Err(invalid(field, "name at least one applicant"));
    }
    if positions
        .iter()
        .enumerate()
        .any(|(i, p)| positions[..i].contains(p))
    {
        return Err(invalid(field, "an applicant is named twice"));
    }
    Ok(())
}

/// The number the next of `existing` records gets: 1 for the first.
fn next_number(existing: usize) -> u32 {
    u32::try_from(existing).map_or(u32::MAX, |n| n.saturating_add(1))
}

/// Whole days from `from` to `to`, never negative.
fn days_between(from: NaiveDate, to: NaiveDate) -> u32 {
    u32::try_from((to - from).num_days().max(0)).unwrap_or(u32::MAX)
}

const OPEN_STATES: &[CaseState] = &[
    S::Received,
    S::AwaitingSupplement,
    S::Filed,
    S::Heard,
    S::Suspended,
];

/// An accepted case still under way (art. 42's "行政复议期间"): where third parties join, the
/// committee is consulted, and stays and a normative review's steps happen.
const ACCEPTED_OPEN_STATES: &[CaseState] = &[S::Filed, S::Heard, S::Suspended];

const TRANSITIONS: &[(ActionKind, &[CaseState])] = &[
    (K::RequestSupplement, &[S::Received]),
    (K::Supplement, &[S::AwaitingSupplement]),
    (K::RecordSupplementNotice, &[S::AwaitingSupplement]),
    (K::Decline, &[S::Received, S::AwaitingSupplement]),
    (K::Accept, &[S::Received]),
    (K::Assign, OPEN_STATES),
    (K::RecordReply, &[S::Filed, S::Heard]),
    (K::Hear, &[S::Filed, S::Heard]),
    (K::Suspend, &[S::Filed, S::Heard]),
    (K::Resume, &[S::Suspended]),
    (K::Extend, &[S::Filed, S::Heard]),
    (K::ConvertToOrdinary, &[S::Filed, S::Heard]),
    (K::Decide, &[S::Filed, S::Heard]),
    (K::DismissApplication, &[S::Filed, S::Heard]),
    (K::Mediate, &[S::Filed, S::Heard, S::Suspended]),
    (K::Terminate, &[S::Filed, S::Heard, S::Suspended]),
    (
        K::WithdrawApplication,
        &[S::Received, S::AwaitingSupplement],
    ),
    (K::RecordCompensationClaim, OPEN_STATES),
    (K::RecordForwarding, OPEN_STATES),
    (K::StayEnforcement, ACCEPTED_OPEN_STATES),
    (K::RefuseStay, ACCEPTED_OPEN_STATES),
    (K::RequestNormativeReview, REVIEW_REQUEST_STATES),
    (K::TransferNormativeReview, ACCEPTED_OPEN_STATES),
    (K::NotifyDraftingBody, ACCEPTED_OPEN_STATES),
    (K::RecordDraftingBodyReply, ACCEPTED_OPEN_STATES),
    (K::ConcludeNormativeReview, ACCEPTED_OPEN_STATES),
    (K::AddThirdParty, ACCEPTED_OPEN_STATES),
    (K::WithdrawThirdParty, ACCEPTED_OPEN_STATES),
    (K::AppointRepresentative, OPEN_STATES),
    (K::MarkForCommittee, ACCEPTED_OPEN_STATES),
    (K::RecordCommitteeConsultation, ACCEPTED_OPEN_STATES),
];

/// From which states each action may be taken: the "from" column of domain.md's action table.
///
/// Conditions beyond the state (procedure, reply, extension budget) are checked by
/// [`CaseLifecycle::apply`] and reflected in [`allowed_actions`]; target states depend on the
/// payload and live in `apply`.
pub fn transitions_table() -> &'static [(ActionKind, &'static [CaseState])] {
    TRANSITIONS
}

/// The aggregate a case's recorded actions fold into.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CaseLifecycle {
    /// The current state.
    pub state: CaseState,
    /// The day the application was received.
    pub received_on: NaiveDate,
    /// The day the current acceptance review started: the receipt, or the last supplement's receipt.
    pub review_started_on: NaiveDate,
    /// The day the supplement notice was sent, if one was.
    pub supplement_requested_on: Option<NaiveDate>,
    /// The day the applicant received the supplement notice; the time to supplement runs from it.
    #[serde(default)]
    pub supplement_notice_received_on: Option<NaiveDate>,
    /// Working days added to the time to supplement for good reason (art. 31).
    #[serde(default)]
    pub supplement_extension_working_days: u32,
    /// The procedure, once accepted.
    pub procedure: Option<Procedure>,
    /// The art. 53 ground the case was accepted under simplified procedure on; kept after a conversion.
    pub simplified_ground: Option<SimplifiedGround>,
    /// The day the case was accepted; when deemed accepted, the day the review period lapsed
    /// (2023 law, art. 30) or the day of receipt (earlier law, its art. 17).
    pub accepted_on: Option<NaiveDate>,
    /// Accepted because the review period lapsed without a decision (视为受理).
    #[serde(default)]
    pub deemed_accepted: bool,
    /// The case number, once accepted.
    pub case_number: Option<String>,
    /// The handling officers.
    pub handlers: Vec<Uuid>,
    /// The day the application copy was sent to the respondent.
    pub copy_sent_on: Option<NaiveDate>,
    /// The day the respondent received the copy; its reply period runs from it.
    #[serde(default)]
    pub copy_received_on: Option<NaiveDate>,
    /// The day the respondent's reply was received.
    pub reply_received_on: Option<NaiveDate>,
    /// The day the case reached `heard`.
    pub heard_on: Option<NaiveDate>,
    /// Formal hearings (听证) held.
    pub hearings_held: u32,
    /// While suspended: the state to resume to.
    pub suspended_from: Option<CaseState>,
    /// While suspended: the day the suspension began.
    pub suspended_on: Option<NaiveDate>,
    /// While suspended: the art. 39 ground.
    pub suspension_ground: Option<SuspensionGround>,
    /// Days of ended suspensions (end date minus start date); a suspension also ends when the case concludes while suspended.
    pub suspended_days: u32,
    /// Days of extension granted so far.
    pub extension_days: u32,
    /// The day the case was converted to ordinary procedure.
    pub converted_on: Option<NaiveDate>,
    /// The day the case was declined (不予受理).
    pub declined_on: Option<NaiveDate>,
    /// The day the applicant withdrew the application before acceptance.
    #[serde(default)]
    pub withdrawn_on: Option<NaiveDate>,
    /// The day the case was concluded (审结); never set for not_accepted or an application
    /// withdrawn before acceptance.
    pub concluded_on: Option<NaiveDate>,
    /// The decision's disposition.
    pub disposition: Option<Disposition>,
    /// The termination ground.
    pub termination_ground: Option<TerminationGround>,
    /// Why the application was not accepted.
    pub decline_reason: Option<DeclineReason>,
    /// The decision revoked the act only in part.
    pub partial: bool,
    /// The decision ordered the respondent to remake the act.
    pub remake_ordered: bool,
    /// Days the respondent has to remake or perform.
    pub comply_within_days: Option<u32>,
    /// The number of the document that concluded the case: the decision, or the mediation document.
    pub decision_document_number: Option<String>,
    /// The approval the decision was made on (art. 61).
    #[serde(default)]
    pub approval: Option<Approval>,
    /// The compensation claim joined to the application (art. 72).
    #[serde(default)]
    pub compensation_claim: Option<CompensationClaim>,
    /// The decision's ruling on that claim.
    #[serde(default)]
    pub compensation_ruling: Option<CompensationRuling>,
    /// The liability an administrative-agreement decision put on the respondent (art. 71).
    #[serde(default)]
    pub agreement_outcome: Option<AgreementOutcome>,
    /// The application was filed through the respondent (art. 32).
    #[serde(default)]
    pub forwarding: Option<Forwarding>,
    /// Enforcement of the act was stopped (art. 42).
    #[serde(default)]
    pub enforcement_stay: Option<EnforcementStay>,
    /// Requests for a stay that were refused.
    #[serde(default)]
    pub stay_refusals: Vec<StayRefusal>,
    /// The incidental review of a normative document (arts. 13, 56–60).
    #[serde(default)]
    pub normative_review: Option<NormativeReview>,
    /// Third parties (第三人, art. 16), in the order they joined.
    #[serde(default)]
    pub third_parties: Vec<ThirdParty>,
    /// Representatives (代表人, art. 15), in the order they were appointed.
    #[serde(default)]
    pub representatives: Vec<Representative>,
    /// The representative through whom the case was withdrawn, settled or mediated, with the
    /// represented applicants' consent (art. 15 para 2).
    #[serde(default)]
    pub concluded_through_representative: Option<ThroughRepresentative>,
    /// The alter decision leaves the applicant worse off, at a third party's request (art. 63
    /// para 2).
    #[serde(default)]
    pub worsens_applicant: bool,
    /// The third party whose request the worsening answers.
    #[serde(default)]
    pub worsening_requested_by: Option<u32>,
    /// Why the reconsideration committee must advise on the case (art. 52 para 2), once marked.
    #[serde(default)]
    pub committee_ground: Option<CommitteeGround>,
    /// The day the case was so marked.
    #[serde(default)]
    pub committee_marked_on: Option<NaiveDate>,
    /// The committee's consultations and opinions (art. 52).
    #[serde(default)]
    pub committee_consultations: Vec<CommitteeConsultation>,
    /// The parties' written notices of suspensions, resumptions and extensions (arts. 39, 62).
    #[serde(default)]
    pub written_notices: Vec<WrittenNotice>,
    /// The legal date of the most recent action; no later action may be dated before it.
    pub last_event_on: NaiveDate,
}

impl CaseLifecycle {
    /// A freshly registered application.
    pub fn new(received_on: NaiveDate) -> Self {
        Self {
            state: CaseState::Received,
            received_on,
            review_started_on: received_on,
            supplement_requested_on: None,
            supplement_notice_received_on: None,
            supplement_extension_working_days: 0,
            procedure: None,
            simplified_ground: None,
            accepted_on: None,
            deemed_accepted: false,
            case_number: None,
            handlers: Vec::new(),
            copy_sent_on: None,
            copy_received_on: None,
            reply_received_on: None,
            heard_on: None,
            hearings_held: 0,
            suspended_from: None,
            suspended_on: None,
            suspension_ground: None,
            suspended_days: 0,
            extension_days: 0,
            converted_on: None,
            declined_on: None,
            withdrawn_on: None,
            concluded_on: None,
            disposition: None,
            termination_ground: None,
            decline_reason: None,
            partial: false,
            remake_ordered: false,
            comply_within_days: None,
            decision_document_number: None,
            approval: None,
            compensation_claim: None,
            compensation_ruling: None,
            agreement_outcome: None,
            forwarding: None,
            enforcement_stay: None,
            stay_refusals: Vec::new(),
            normative_review: None,
            third_parties: Vec::new(),
            representatives: Vec::new(),
            concluded_through_representative: None,
            worsens_applicant: false,
            worsening_requested_by: None,
            committee_ground: None,
            committee_marked_on: None,
            committee_consultations: Vec::new(),
            written_notices: Vec::new(),
            last_event_on: received_on,
        }
    }

    /// The law the case runs under, by the day it was received.
    pub fn law(&self) -> LawInForce {
        LawInForce::for_received_on(self.received_on)
    }

    /// Whether the acceptance review has lapsed on `on` with the case still in review, so that the
    /// application counts as accepted (art. 30 para 3), and from which day.
    pub fn deemed_accepted_on(
        &self,
        review_due_on: Option<NaiveDate>,
        on: NaiveDate,
    ) -> Option<NaiveDate> {
        if self.state != S::Received {
            return None;
        }
        let due = review_due_on.filter(|due| on > *due)?;
        Some(if self.law().accepted_on_receipt_when_review_lapses() {
            self.review_started_on
        } else {
            due
        })
    }

    /// Applies an action, returning the next aggregate or why the action is refused.
    ///
    /// Deterministic: the result depends only on `self`, `action` and `ctx`, so replaying stored
    /// events with their stored contexts rebuilds the same aggregate.
    pub fn apply(&self, action: &Action, ctx: &TransitionContext<'_>) -> Result<Self, Refusal> {
        let kind = action.kind();
        if !kind.allowed_from().contains(&self.state) {
            return Err(Refusal::NotAllowedInState {
                state: self.state,
                action: kind,
                allowed: self.available_actions(&ctx.circumstances(), ctx.settings),
            });
        }
        let on = ctx.occurred_on;
        if on > ctx.today {
            return Err(invalid(
                "occurred_on",
                format!("{on} is in the future (today is {})", ctx.today),
            ));
        }
        if on < self.last_event_on {
            return Err(invalid(
                "occurred_on",
                format!(
                    "{on} is before the case's last recorded action on {}",
                    self.last_event_on
                ),
            ));
        }
        self.precondition(kind, &ctx.circumstances(), ctx.settings)?;

        action.check_fields()?;

        let mut next = self.clone();
        next.last_event_on = on;
        if self.apply_ancillary(&mut next, action, on)? {
            return Ok(next);
        }
        match action {
            Action::RequestSupplement {
                items: _,
                notice_received_on,
            } => {
                if let Some(received_on) = notice_received_on
                    && *received_on != on
                {
                    return Err(invalid(
                        "notice_received_on",
                        format!(
                            "a notice received with the request is received the day it is sent ({on}); record a later receipt with record_supplement_notice"
                        ),
                    ));
                }
                next.state = S::AwaitingSupplement;
                next.supplement_requested_on = Some(on);
                next.supplement_notice_received_on = *notice_received_on;
            }
            Action::Supplement {} => {
                next.state = S::Received;
                next.review_started_on = on;
            }
            Action::RecordSupplementNotice {
                received_on,
                extend_working_days,
                reason,
            } => {
                self.check_supplement_notice(
                    *received_on,
                    *extend_working_days,
                    reason.as_deref(),
                    ctx,
                )?;
                if let Some(received_on) = received_on {
                    next.supplement_notice_received_on = Some(*received_on);
                }
                if let Some(days) = extend_working_days {
                    next.supplement_extension_working_days =
                        self.supplement_extension_working_days.saturating_add(*days);
                }
            }
            Action::Decline {
                reason,
                competent_organ,
                explanation: _,
            } => {
                self.check_decline(*reason, competent_organ.as_deref(), ctx)?;
                next.state = S::NotAccepted;
                next.decline_reason = Some(*reason);
                next.declined_on = Some(on);
            }
            Action::Accept {
                procedure,
                simplified_ground,
                deemed,
            } => {
                if *procedure == Procedure::Simplified && !self.law().has_simplified_procedure() {
                    return Err(violated(
                        "art_53",
                        format!(
                            "the application was received on {}, before the 2023 law took effect; the earlier law has no simplified procedure",
                            self.received_on
                        ),
                    ));
                }
                match (procedure, simplified_ground) {
                    (Procedure::Simplified, None) => {
                        return Err(invalid(
                            "simplified_ground",
                            "simplified procedure needs an art. 53 ground",
                        ));
                    }
                    (Procedure::Ordinary, Some(_)) => {
                        return Err(invalid(
                            "simplified_ground",
                            "only simplified procedure takes an art. 53 ground",
                        ));
                    }
                    _ => {}
                }
                let Some(case_number) = ctx.case_number.as_ref().filter(|n| !n.trim().is_empty())
                else {
                    return Err(invalid(
                        "case_number",
                        "accepting a case needs the allocated case number",
                    ));
                };
                let review_due_on = ctx.periods.review_due_on;
                let accepted_on = match self.deemed_accepted_on(review_due_on, on) {
                    // Art. 30 para 3: the law, not the head, fixed the day.
                    Some(deemed_on) => {
                        next.deemed_accepted = true;
                        deemed_on
                    }
                    None if *deemed && review_due_on.is_some() => {
                        return Err(invalid(
                            "deemed",
                            format!(
                                "the acceptance review runs until {}; an application is deemed accepted only after it lapsed",
                                review_due_on.unwrap_or(on)
                            ),
                        ));
                    }
                    None => {
                        next.deemed_accepted = *deemed;
                        // The earlier law (its art. 17) counts an application not refused in
                        // time as accepted from its receipt.
                        if self.law().accepted_on_receipt_when_review_lapses() {
                            self.review_started_on
                        } else {
                            on
                        }
                    }
                };
                next.state = S::Filed;
                next.procedure = Some(*procedure);
                next.simplified_ground = *simplified_ground;
                next.accepted_on = Some(accepted_on);
                next.case_number = Some(case_number.clone());
            }
            Action::Assign { handlers } => {
                next.handlers = handlers.clone();
            }
            Action::RecordReply {
                copy_sent_on,
                copy_received_on,
                reply_received_on,
            } => {
                self.check_reply(*copy_sent_on, *copy_received_on, *reply_received_on, on)?;
                next.copy_sent_on = copy_sent_on.or(self.copy_sent_on);
                next.copy_received_on = copy_received_on.or(self.copy_received_on);
                next.reply_received_on = reply_received_on.or(self.reply_received_on);
            }
            Action::Hear {
                method,
                hearing_on,
                notice_on,
                parties_unavailable,
            } => {
                self.check_hearing(*method, *hearing_on, *notice_on, *parties_unavailable, ctx)?;
                next.state = S::Heard;
                if self.state == S::Filed {
                    next.heard_on = Some(on);
                }
                if *method == HearingMethod::Hearing {
                    next.hearings_held += 1;
                }
            }
            Action::Suspend {
                ground,
                parties_notified_on,
            } => {
                next.record_notice(K::Suspend, *parties_notified_on, ctx)?;
                next.state = S::Suspended;
                next.suspended_from = Some(self.state);
                next.suspended_on = Some(on);
                next.suspension_ground = Some(*ground);
            }
            Action::Resume {
                parties_notified_on,
            } => {
                next.record_notice(K::Resume, *parties_notified_on, ctx)?;
                let Some(resume_to) = self.suspended_from else {
                    return Err(violated(
                        "suspension_record",
                        "the case has no record of the state it was suspended from",
                    ));
                };
                next.end_suspension(on);
                next.state = resume_to;
            }
            Action::Extend {
                days,
                reason: _,
                parties_notified_on,
            } => {
                next.record_notice(K::Extend, *parties_notified_on, ctx)?;
                let total = self.extension_days.checked_add(*days);
                let max = ctx.settings.max_extension_days;
                match total {
                    Some(total) if total <= max => next.extension_days = total,
                    _ => {
                        return Err(violated(
                            "art_62",
                            format!(
                                "extensions may add up to {max} days; {} already granted, {days} more requested",
                                self.extension_days
                            ),
                        ));
                    }
                }
            }
            Action::ConvertToOrdinary { reason: _ } => {
                next.procedure = Some(Procedure::Ordinary);
                next.converted_on = Some(on);
            }
            Action::Decide {
                disposition,
                document_number,
                partial,
                remake_ordered,
                comply_within_days,
                approval,
                third_party_evidence,
                worsens_applicant,
                worsening_requested_by,
                reasoning: _,
                legal_basis: _,
                compensation,
                agreement_outcome,
            } => {
                self.check_compensation_ruling(*disposition, compensation.as_ref())?;
                self.check_worsening(*disposition, *worsens_applicant, *worsening_requested_by)?;
                next.worsens_applicant = *worsens_applicant;
                next.worsening_requested_by = *worsening_requested_by;
                if *third_party_evidence && self.third_parties.is_empty() {
                    return Err(violated(
                        "art_70",
                        "no third party is recorded on the case to have supplied evidence; add it with add_third_party",
                    ));
                }

                next.compensation_ruling = compensation.clone();
                next.agreement_outcome = *agreement_outcome;
                check_decision_flags(*disposition, *partial, *remake_ordered, *comply_within_days)?;
                if self.reply_defaulted(ctx)
                    && !*third_party_evidence
                    && !disposition.follows_missing_reply()
                {
                    return Err(violated(
                        "art_70",
                        format!(
                            "the respondent did not reply within its period, so the act counts as lacking evidence: only revoke, confirm_illegal, confirm_invalid or order_to_perform, not {disposition}, unless a third party supplied evidence"
                        ),
                    ));
                }
                // Deciding without hearing under ordinary procedure rests on art. 70 alone, which
                // fixes the outcome; other outcomes need the case heard first.
                if self.state == S::Filed
                    && self.procedure != Some(Procedure::Simplified)
                    && !disposition.follows_missing_reply()
                {
                    return Err(violated(
                        "art_70",
                        format!(
                            "without a hearing, a missing reply leads only to revoke, confirm_illegal, confirm_invalid or order_to_perform, not {disposition}; hear the case first"
                        ),
                    ));
                }
                next.conclude(disposition.target_state(), on);
                next.disposition = Some(*disposition);
                next.partial = *partial;
                next.remake_ordered = *remake_ordered;
                next.comply_within_days = *comply_within_days;
                next.decision_document_number = Some(document_number.clone());
                next.approval = Some(approval.clone());
            }
            Action::DismissApplication { reason: _ } => {
                next.conclude(S::ApplicationDismissed, on);
            }
            Action::Mediate {
                document_number,
                through_representative,
            } => {
                self.check_representative_consent(through_representative.as_ref(), on)?;
                next.concluded_through_representative = through_representative.clone();
                next.conclude(S::Mediated, on);
                next.decision_document_number = Some(document_number.clone());
            }
            Action::Terminate {
                ground,
                explanation: _,
                through_representative,
            } => {
                if through_representative.is_some() && !ground.is_withdrawal() {
                    return Err(invalid(
                        "through_representative",
                        "only a withdrawal or a settlement goes through a representative",
                    ));
                }
                self.check_representative_consent(through_representative.as_ref(), on)?;
                next.concluded_through_representative = through_representative.clone();
                if *ground == TerminationGround::LongSuspension {
                    self.check_long_suspension(on, ctx.settings)?;
                }
                next.conclude(S::Terminated, on);
                next.termination_ground = Some(*ground);
            }
            Action::RecordCompensationClaim { claim } => {
                require_text("claim.description", &claim.description)?;
                if claim.amount_fen == Some(0) {
                    return Err(invalid(
                        "claim.amount_fen",
                        "a sum claimed is at least 1 fen",
                    ));
                }
                next.compensation_claim = Some(claim.clone());
            }
            Action::WithdrawApplication {
                explanation: _,
                through_representative,
            } => {
                self.check_representative_consent(through_representative.as_ref(), on)?;
                next.concluded_through_representative = through_representative.clone();
                // Not a conclusion (审结): the application never became a case.
                next.state = S::WithdrawnBeforeAcceptance;
                next.withdrawn_on = Some(on);
            }
            // Applied by `apply_ancillary` above.
            Action::RecordForwarding { .. }
            | Action::StayEnforcement { .. }
            | Action::RefuseStay { .. }
            | Action::RequestNormativeReview { .. }
            | Action::TransferNormativeReview { .. }
            | Action::NotifyDraftingBody {}
            | Action::RecordDraftingBodyReply {}
            | Action::ConcludeNormativeReview { .. } => {}
            Action::AddThirdParty { name, kind, basis } => {
                next.third_parties.push(ThirdParty {
                    number: next_number(self.third_parties.len()),
                    name: name.trim().to_owned(),
                    kind: Some(*kind),
                    basis: *basis,
                    joined_on: on,
                    withdrawn_on: None,
                });
            }
            Action::WithdrawThirdParty { third_party } => {
                let Some(party) = next
                    .third_parties
                    .iter_mut()
                    .find(|p| p.number == *third_party)
                else {
                    return Err(invalid(
                        "third_party",
                        format!("the case has no third party number {third_party}"),
                    ));
                };
                if let Some(since) = party.withdrawn_on {
                    return Err(invalid(
                        "third_party",
                        format!("third party {third_party} already withdrew on {since}"),
                    ));
                }
                party.withdrawn_on = Some(on);
            }
            Action::AppointRepresentative { name, applicants } => {
                next.representatives.push(Representative {
                    number: next_number(self.representatives.len()),
                    name: name.trim().to_owned(),
                    applicants: applicants.clone(),
                    appointed_on: on,
                });
            }
            Action::MarkForCommittee { ground } => {
                next.committee_ground = Some(*ground);
                next.committee_marked_on = Some(on);
            }
            Action::RecordCommitteeConsultation {
                opinion,
                requested_on,
            } => {
                if let Some(requested_on) = requested_on {
                    self.check_within_case("requested_on", *requested_on, on)?;
                }
                next.committee_consultations.push(CommitteeConsultation {
                    requested_on: *requested_on,
                    opinion_on: on,
                    opinion: opinion.trim().to_owned(),
                });
            }
        }
        Ok(next)
    }

    /// Records the parties' written notice of a suspension, resumption or extension, dated from
    /// the action to today.
    fn record_notice(
        &mut self,
        action: ActionKind,
        notified_on: Option<NaiveDate>,
        ctx: &TransitionContext<'_>,
    ) -> Result<(), Refusal> {
        let Some(notified_on) = notified_on else {
            return Ok(());
        };
        let on = ctx.occurred_on;
        if notified_on < on {
            return Err(invalid(
                "parties_notified_on",
                format!(
                    "the parties cannot be notified ({notified_on}) before the {action} itself ({on})"
                ),
            ));
        }
        if notified_on > ctx.today {
            return Err(invalid(
                "parties_notified_on",
                format!("{notified_on} is in the future (today is {})", ctx.today),
            ));
        }
        self.written_notices.push(WrittenNotice {
            action,
            action_on: on,
            notified_on,
        });
        Ok(())
    }

    /// Art. 63 para 2: an alter decision may leave the applicant worse off only at the request
    /// of a third party still taking part.
    fn check_worsening(
        &self,
        disposition: Disposition,
        worsens: bool,
        requested_by: Option<u32>,
    ) -> Result<(), Refusal> {
        if worsens && disposition != Disposition::Alter {
            return Err(invalid(
                "worsens_applicant",
                "only an alter decision can leave the applicant worse off (art. 63)",
            ));
        }
        if !worsens {
            if requested_by.is_some() {
                return Err(invalid(
                    "worsening_requested_by",
                    "a third party's request is named only for a decision that worsens the applicant's position",
                ));
            }
            return Ok(());
        }
        let Some(number) = requested_by else {
            return Err(violated(
                "art_63",
                "an alter decision may not leave the applicant worse off unless a third party asked for it; name that third party in worsening_requested_by",
            ));
        };
        match self.third_parties.iter().find(|p| p.number == number) {
            None => Err(invalid(
                "worsening_requested_by",
                format!("the case has no third party number {number}"),
            )),
            Some(ThirdParty {
                withdrawn_on: Some(since),
                ..
            }) => Err(violated(
                "art_63",
                format!(
                    "third party {number} withdrew on {since}; its request no longer allows a decision that worsens the applicant's position"
                ),
            )),
            Some(_) => Ok(()),
        }
    }

    /// Art. 15 para 2: a representative's withdrawal binds the applicants it represents only
    /// with their consent, so every one of them must have consented.
    fn check_representative_consent(
        &self,
        through: Option<&ThroughRepresentative>,
        on: NaiveDate,
    ) -> Result<(), Refusal> {
        let Some(through) = through else {
            return Ok(());
        };
        let number = through.representative;
        let Some(representative) = self.representatives.iter().find(|r| r.number == number) else {
            return Err(invalid(
                "through_representative.representative",
                format!(
                    "the case has no representative number {number}; record one with appoint_representative"
                ),
            ));
        };
        let Some(consent) = &through.consent else {
            return Err(violated(
                "art_15",
                format!(
                    "representative {number} ({}) withdraws or settles only with the consent of the applicants it represents; record it in through_representative.consent",
                    representative.name
                ),
            ));
        };
        if consent.given_on > on {
            return Err(invalid(
                "through_representative.consent.given_on",
                format!(
                    "the consent ({}) must be given by the day of this action ({on})",
                    consent.given_on
                ),
            ));
        }
        let missing: Vec<String> = representative
            .applicants
            .iter()
            .filter(|a| !consent.applicants.contains(a))
            .map(ToString::to_string)
            .collect();
        if !missing.is_empty() {
            return Err(violated(
                "art_15",
                format!(
                    "the applicants at positions {} are represented by {} and have not consented",
                    missing.join(", "),
                    representative.name
                ),
            ));
        }
        if let Some(stranger) = consent
            .applicants
            .iter()
            .find(|a| !representative.applicants.contains(a))
        {
            return Err(invalid(
                "through_representative.consent.applicants",
                format!(
                    "the applicant at position {stranger} is not represented by {}",
                    representative.name
                ),
            ));
        }
        Ok(())
    }

    /// Actions the state table allows now whose state-level preconditions hold, for any role, in declaration order.
    fn available_actions(
        &self,
        circumstances: &Circumstances,
        settings: &LifecycleSettings,
    ) -> Vec<ActionKind> {
        ActionKind::iter()
            .filter(|kind| kind.allowed_from().contains(&self.state))
            .filter(|kind| self.precondition(*kind, circumstances, settings).is_ok())
            .collect()
    }

    /// Whether the respondent failed to reply within its period (art. 70): the reply came after
    /// the period's last day, or has not come and the period has run out.
    fn reply_defaulted(&self, ctx: &TransitionContext<'_>) -> bool {
        match (ctx.periods.reply_due_on, self.reply_received_on) {
            (Some(due), Some(received)) => received > due,
            (Some(due), None) => ctx.occurred_on > due,
            (None, _) => ctx.reply_overdue,
        }
    }

    /// Conditions on the case (not the payload) that decide whether an action is offered at all;
    /// shared by `apply` and `allowed_actions` so buttons and refusals agree.
    fn precondition(
        &self,
        kind: ActionKind,
        circumstances: &Circumstances,
        settings: &LifecycleSettings,
    ) -> Result<(), Refusal> {
        let simplified = self.procedure == Some(Procedure::Simplified);
        let reply_overdue = circumstances.reply_overdue;
        let on = circumstances.on;
        let periods = &circumstances.periods;
        let review_lapsed = self.state == S::Received && lapsed(periods.review_due_on, on);
        let decision_lapsed = lapsed(periods.decision_due_on, on);
        let reply_period_over = reply_overdue || lapsed(periods.reply_due_on, on);
        self.ancillary_precondition(kind)?;
        match kind {
            K::WithdrawApplication if review_lapsed => Err(violated(
                "art_30",
                format!(
                    "the acceptance review ended on {}; the application counts as accepted (视为受理), so accept it and terminate the case as withdrawn (art. 41)",
                    periods.review_due_on.unwrap_or(on)
                ),
            )),
            K::Decline | K::RequestSupplement if review_lapsed => Err(violated(
                "art_30",
                format!(
                    "the acceptance review ended on {}; the application counts as accepted (视为受理), so accept it (the deemed day is recorded) and dismiss the application if it fails art. 30",
                    periods.review_due_on.unwrap_or(on)
                ),
            )),
            K::RecordSupplementNotice
                if self.supplement_notice_received_on.is_some()
                    && lapsed(periods.supplement_due_on, on) =>
            {
                Err(violated(
                    "art_31",
                    format!(
                        "the time to supplement ended on {}; it can no longer be extended",
                        periods.supplement_due_on.unwrap_or(on)
                    ),
                ))
            }
            K::RequestSupplement if self.supplement_requested_on.is_some() => Err(violated(
                "art_31",
                "a supplement was already requested; the notice must list everything at once",
            )),
            K::Hear if !simplified && self.reply_received_on.is_none() && !reply_overdue => {
                Err(violated(
                    "art_48",
                    "under ordinary procedure the parties are heard once the respondent's reply is recorded or overdue",
                ))
            }
            K::Extend if simplified => Err(violated(
                "art_62",
                "only ordinary procedure can be extended; convert the case first",
            )),
            K::Extend if self.extension_days >= settings.max_extension_days => Err(violated(
                "art_62",
                format!(
                    "the {} days of extension allowed have all been granted",
                    settings.max_extension_days
                ),
            )),
            K::ConvertToOrdinary if !simplified => Err(violated(
                "art_55",
                "only a case under simplified procedure can be converted",
            )),
            K::Extend | K::ConvertToOrdinary if decision_lapsed => Err(violated(
                "art_62",
                format!(
                    "the decision period ended on {}; it can be neither extended nor lengthened by a conversion once it has run out",
                    periods.decision_due_on.unwrap_or(on)
                ),
            )),
            K::Decide
                if self.committee_ground.is_some() && self.committee_consultations.is_empty() =>
            {
                Err(violated(
                    "art_52",
                    format!(
                        "the case was marked for the reconsideration committee ({}); record its consultation (record_committee_consultation) before deciding",
                        self.committee_ground
                            .map(|g| g.to_string())
                            .unwrap_or_default()
                    ),
                ))
            }
            K::WithdrawThirdParty
                if !self.third_parties.iter().any(|p| p.withdrawn_on.is_none()) =>
            {
                Err(violated(
                    "art_16",
                    "no third party is taking part in the case",
                ))
            }
            K::Decide if self.state == S::Filed && !simplified && !reply_overdue => Err(violated(
                "art_70",
                "under ordinary procedure a case is decided after hearing, or without it only when the respondent's reply is overdue",
            )),
            K::Decide if self.reply_received_on.is_none() && !reply_period_over => Err(violated(
                if simplified { "art_54" } else { "art_48" },
                "a case is decided once the respondent's reply is recorded or its period (from the respondent's receipt of the copy) has run out",
            )),
            _ => Ok(()),
        }
    }

    fn check_decline(
        &self,
        reason: DeclineReason,
        competent_organ: Option<&str>,
        ctx: &TransitionContext<'_>,
    ) -> Result<(), Refusal> {
        let organ_named = competent_organ.is_some_and(|organ| !organ.trim().is_empty());
        match reason {
            DeclineReason::NoJurisdiction if !organ_named => Err(invalid(
                "competent_organ",
                "name the organ that has jurisdiction (art. 30)",
            )),
            DeclineReason::NoJurisdiction => Ok(()),
            _ if competent_organ.is_some() => Err(invalid(
                "competent_organ",
                "a competent organ is named only when declining for lack of jurisdiction",
            )),
            DeclineReason::SupplementNotProvided if self.state != S::AwaitingSupplement => {
                Err(violated(
                    "art_31",
                    "an application counts as abandoned only while a supplement is awaited",
                ))
            }
            DeclineReason::SupplementNotProvided
                if self.supplement_notice_received_on.is_none() =>
            {
                Err(violated(
                    "art_31",
                    "the applicant's receipt of the supplement notice is not recorded, so the time to supplement has not started; record it with record_supplement_notice",
                ))
            }
            DeclineReason::SupplementNotProvided
                if !lapsed(ctx.periods.supplement_due_on, ctx.occurred_on) =>
            {
                Err(violated(
                    "art_31",
                    match ctx.periods.supplement_due_on {
                        Some(due) => format!(
                            "the applicant has until {due} to supplement; the application counts as abandoned only after that"
                        ),
                        None => {
                            "the end of the time to supplement could not be determined".to_owned()
                        }
                    },
                ))
            }
            _ => Ok(()),
        }
    }

    fn check_supplement_notice(
        &self,
        received_on: Option<NaiveDate>,
        extend_working_days: Option<u32>,
        reason: Option<&str>,
        ctx: &TransitionContext<'_>,
    ) -> Result<(), Refusal> {
        if received_on.is_none() && extend_working_days.is_none() {
            return Err(invalid(
                "received_on",
                "give the day the applicant received the notice, an extension, or both",
            ));
        }
        if let Some(received_on) = received_on {
            if received_on > ctx.occurred_on {
                return Err(invalid(
                    "received_on",
                    format!(
                        "{received_on} is after the date of this action ({})",
                        ctx.occurred_on
                    ),
                ));
            }
            if let Some(sent) = self.supplement_requested_on
                && received_on < sent
            {
                return Err(invalid(
                    "received_on",
                    format!(
                        "the notice cannot be received ({received_on}) before it was sent ({sent})"
                    ),
                ));
            }
        }
        if let Some(days) = extend_working_days {
            if days == 0 {
                return Err(invalid(
                    "extend_working_days",
                    "extend by at least one working day",
                ));
            }
            if reason.is_none_or(|reason| reason.trim().is_empty()) {
                return Err(invalid(
                    "reason",
                    "an extension needs its good reason (art. 31)",
                ));
            }
            if received_on.or(self.supplement_notice_received_on).is_none() {
                return Err(invalid(
                    "extend_working_days",
                    "the time to supplement has not started: record the applicant's receipt of the notice first",
                ));
            }
        }
        Ok(())
    }

    fn check_reply(
        &self,
        copy_sent_on: Option<NaiveDate>,
        copy_received_on: Option<NaiveDate>,
        reply_received_on: Option<NaiveDate>,
        on: NaiveDate,
    ) -> Result<(), Refusal> {
        if copy_sent_on.is_none() && copy_received_on.is_none() && reply_received_on.is_none() {
            return Err(invalid(
                "copy_sent_on",
                "give the date the copy was sent, the respondent received it, or the reply was received",
            ));
        }
        for (field, date) in [
            ("copy_sent_on", copy_sent_on),
            ("copy_received_on", copy_received_on),
            ("reply_received_on", reply_received_on),
        ] {
            if let Some(date) = date {
                self.check_within_case(field, date, on)?;
            }
        }
        let copy = copy_sent_on.or(self.copy_sent_on);
        if let (Some(copy), Some(received)) = (copy, copy_received_on.or(self.copy_received_on))
            && received < copy
        {
            return Err(invalid(
                "copy_received_on",
                format!(
                    "the respondent cannot receive the copy ({received}) before it was sent ({copy})"
                ),
            ));
        }
        let reply = reply_received_on.or(self.reply_received_on);
        if let (Some(copy), Some(reply)) = (copy, reply)
            && reply < copy
        {
            let field = if reply_received_on.is_some() {
                "reply_received_on"
            } else {
                "copy_sent_on"
            };
            return Err(invalid(
                field,
                format!("the reply ({reply}) cannot come before the copy was sent ({copy})"),
            ));
        }
        Ok(())
    }

    fn check_hearing(
        &self,
        method: HearingMethod,
        hearing_on: Option<NaiveDate>,
        notice_on: Option<NaiveDate>,
        parties_unavailable: bool,
        ctx: &TransitionContext<'_>,
    ) -> Result<(), Refusal> {
        if let Some(date) = hearing_on {
            self.check_within_case("hearing_on", date, ctx.occurred_on)?;
        }
        if self.state == S::Heard && method != HearingMethod::Hearing {
            return Err(violated(
                "art_50",
                "the parties were already heard; what can follow is a formal hearing (听证)",
            ));
        }
        if parties_unavailable && method != HearingMethod::WrittenOpinions {
            return Err(invalid(
                "parties_unavailable",
                "only written review rests on the parties being unavailable",
            ));
        }
        if method == HearingMethod::WrittenOpinions
            && self.procedure != Some(Procedure::Simplified)
            && self.law().ordinary_procedure_hears_parties()
            && !parties_unavailable
        {
            return Err(violated(
                "art_49",
                "under ordinary procedure the parties are heard in person, online or by phone; written review only when they could not be heard for their own reasons (parties_unavailable)",
            ));
        }
        if method != HearingMethod::Hearing {
            if notice_on.is_some() {
                return Err(invalid("notice_on", "only a hearing (听证) is notified"));
            }
            return Ok(());
        }
        let Some(hearing_on) = hearing_on else {
            return Err(invalid("hearing_on", "give the day the hearing was held"));
        };
        let Some(notice_on) = notice_on else {
            return Err(invalid(
                "notice_on",
                "give the day the parties were notified of the hearing",
            ));
        };
        self.check_within_case("notice_on", notice_on, ctx.occurred_on)?;
        if notice_on >= hearing_on {
            return Err(invalid(
                "notice_on",
                format!("the notice ({notice_on}) must precede the hearing ({hearing_on})"),
            ));
        }
        match ctx.hearing_notice_working_days {
            Some(days) if days >= HEARING_NOTICE_MIN_WORKING_DAYS => Ok(()),
            Some(days) => Err(violated(
                "art_51",
                format!(
                    "the parties were notified {days} working days before the hearing; at least {HEARING_NOTICE_MIN_WORKING_DAYS} are required"
                ),
            )),
            None => Err(violated(
                "art_51",
                "the working days between notice and hearing were not determined",
            )),
        }
    }

    /// A date given in a payload must fall between acceptance and the action itself.
    fn check_within_case(
        &self,
        field: &'static str,
        date: NaiveDate,
        on: NaiveDate,
    ) -> Result<(), Refusal> {
        if date > on {
            return Err(invalid(
                field,
                format!("{date} is after the date of this action ({on})"),
            ));
        }
        if let Some(accepted_on) = self.accepted_on
            && date < accepted_on
        {
            return Err(invalid(
                field,
                format!("{date} is before the case was accepted ({accepted_on})"),
            ));
        }
        Ok(())
    }

    fn check_long_suspension(
        &self,
        on: NaiveDate,
        settings: &LifecycleSettings,
    ) -> Result<(), Refusal> {
        let days = settings.long_suspension_days;
        let (Some(ground), Some(since)) = (self.suspension_ground, self.suspended_on) else {
            return Err(violated(
                "art_41",
                "termination for long suspension needs the case to be suspended",
            ));
        };
        if !ground.allows_termination_after_60_days() {
            return Err(violated(
                "art_41",
                format!(
                    "a suspension on art. 39 item {} does not lead to termination; only items 1, 2 and 4 do",
                    ground.art39_item()
                ),
            ));
        }
        // "满六十日": the full days run from the day after the suspension, so the last of them
        // is `since + days` and termination is possible from the day after.
        let last_day = since.checked_add_days(Days::new(u64::from(days)));
        if last_day.is_none_or(|last_day| on <= last_day) {
            return Err(violated(
                "art_41",
                format!(
                    "the case must have been suspended for a full {days} days (suspended on {since}; possible from {})",
                    last_day
                        .and_then(|d| d.succ_opt())
                        .map_or_else(|| "a later day".to_owned(), |d| d.to_string())
                ),
            ));
        }
        Ok(())
    }

    /// Art. 72: a ruling goes with a claim, and revoking, altering or confirming the act illegal
    /// must rule on the claim; an award names its amount.
    fn check_compensation_ruling(
        &self,
        disposition: Disposition,
        ruling: Option<&CompensationRuling>,
    ) -> Result<(), Refusal> {
        match (&self.compensation_claim, ruling) {
            (None, Some(_)) => Err(invalid(
                "compensation",
                "the case has no compensation claim to rule on; record it with record_compensation_claim",
            )),
            (Some(_), None) if disposition.must_rule_on_compensation() => Err(violated(
                "art_72",
                format!(
                    "the applicant joined a compensation claim; a decision to {disposition} must also rule on it (compensation: reject, award, return_property or restore_original_state)"
                ),
            )),
            (_, Some(ruling)) => match (ruling.outcome, ruling.amount_fen) {
                (CompensationOutcome::Award, None | Some(0)) => Err(invalid(
                    "compensation.amount_fen",
                    "an award names the compensation in fen (at least 1)",
                )),
                (CompensationOutcome::Award, Some(_)) | (_, None) => Ok(()),
                (_, Some(_)) => Err(invalid(
                    "compensation.amount_fen",
                    "only an award names an amount",
                )),
            },
            _ => Ok(()),
        }
    }

    /// Closes the running suspension, counting its days.
    fn end_suspension(&mut self, on: NaiveDate) {
        if let Some(since) = self.suspended_on {
            self.suspended_days = self.suspended_days.saturating_add(days_between(since, on));
        }
        self.suspended_from = None;
        self.suspended_on = None;
        self.suspension_ground = None;
    }

    fn conclude(&mut self, state: CaseState, on: NaiveDate) {
        // Concluding ends a running suspension: its days must not count toward the decision
        // period when figures judge whether the case was concluded in time.
        if self.state == S::Suspended {
            self.end_suspension(on);
        }
        self.state = state;
        self.concluded_on = Some(on);
    }
}

fn check_decision_flags(
    disposition: Disposition,
    partial: bool,
    remake_ordered: bool,
    comply_within_days: Option<u32>,
) -> Result<(), Refusal> {
    let revoke = disposition == Disposition::Revoke;
    if partial && !revoke {
        return Err(invalid("partial", "only a revocation can be partial"));
    }
    if remake_ordered && !revoke {
        return Err(invalid(
            "remake_ordered",
            "a remake is ordered only with a revocation (art. 64)",
        ));
    }
    let needs_limit = remake_ordered || disposition == Disposition::OrderToPerform;
    match comply_within_days {
        None if needs_limit => Err(invalid(
            "comply_within_days",
            "a remake or perform order needs a time limit",
        )),
        Some(_) if !needs_limit => Err(invalid(
            "comply_within_days",
            "a time limit goes only with a remake or perform order",
        )),
        Some(0) => Err(invalid("comply_within_days", "give at least one day")),
        _ => Ok(()),
    }
}

/// Actions `roles` may take on the case now, in declaration order, under the default settings.
///
/// A front end draws its buttons from this. Use [`allowed_actions_with_settings`] when the
/// service runs with non-default settings.
pub fn allowed_actions(lc: &CaseLifecycle, roles: &[Role], reply_overdue: bool) -> Vec<ActionKind> {
    allowed_actions_with_settings(lc, roles, reply_overdue, &LifecycleSettings::default())
}

/// Actions `roles` may take on the case now, in declaration order: the state table, the role,
/// and the conditions on procedure, reply and extension budget.
pub fn allowed_actions_with_settings(
    lc: &CaseLifecycle,
    roles: &[Role],
    reply_overdue: bool,
    settings: &LifecycleSettings,
) -> Vec<ActionKind> {
    let circumstances = Circumstances {
        on: lc.last_event_on,
        reply_overdue,
        periods: PeriodDueDates::default(),
    };
    allowed_actions_in(lc, roles, &circumstances, settings)
}

/// Actions `roles` may take on the case on `circumstances.on`, judged against the periods then
/// running: what the case view offers and what a refusal names.
pub fn allowed_actions_in(
    lc: &CaseLifecycle,
    roles: &[Role],
    circumstances: &Circumstances,
    settings: &LifecycleSettings,
) -> Vec<ActionKind> {
    lc.available_actions(circumstances, settings)
        .into_iter()
        .filter(|kind| roles.contains(&kind.required_role()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::law::LawInForce;
    use crate::domain::participation::ApplicantsConsent;
    use strum::IntoEnumIterator;

    const TODAY: u64 = 365;

    fn day(n: u64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 3, 1).unwrap() + Days::new(n)
    }

    fn ctx(settings: &LifecycleSettings, on: u64) -> TransitionContext<'_> {
        TransitionContext {
            settings,
            occurred_on: day(on),
            today: day(TODAY),
            reply_overdue: false,
            hearing_notice_working_days: None,
            case_number: Some("榕政复〔2024〕1号".to_owned()),
            periods: PeriodDueDates::default(),
        }
    }

    /// Applies an action that must succeed.
    fn step(lc: &CaseLifecycle, action: Action, on: u64) -> CaseLifecycle {
        let settings = LifecycleSettings::default();
        lc.apply(&action, &ctx(&settings, on))
            .unwrap_or_else(|refusal| panic!("{action:?} on day {on} refused: {refusal}"))
    }

    /// Applies an action that must be refused.
    fn refuse(lc: &CaseLifecycle, action: Action, c: &TransitionContext<'_>) -> Refusal {
        match lc.apply(&action, c) {
            Ok(next) => panic!("{action:?} unexpectedly accepted, reaching {}", next.state),
            Err(refusal) => refusal,
        }
    }

    fn assert_invalid(refusal: Refusal, expected_field: &str) {
        match refusal {
            Refusal::InvalidField { field, .. } => assert_eq!(field, expected_field),
            other => panic!("expected invalid {expected_field}, got {other:?}"),
        }
    }

    fn assert_rule(refusal: Refusal, expected_rule: &str) {
        match refusal {
            Refusal::RuleViolated { rule, .. } => assert_eq!(rule, expected_rule),
            other => panic!("expected rule {expected_rule}, got {other:?}"),
        }
    }

    fn accept(procedure: Procedure) -> Action {
        Action::Accept {
            procedure,
            simplified_ground: match procedure {
                Procedure::Ordinary => None,
                Procedure::Simplified => Some(SimplifiedGround::SmallAmount),
            },
            deemed: false,
        }
    }

    fn reply(copy: Option<u64>, reply: Option<u64>) -> Action {
        Action::RecordReply {
            copy_sent_on: copy.map(day),
            copy_received_on: copy.map(day),
            reply_received_on: reply.map(day),
        }
    }

    fn hear_in_person() -> Action {
        Action::Hear {
            method: HearingMethod::InPerson,
            hearing_on: None,
            notice_on: None,
            parties_unavailable: false,
        }
    }

    fn decide(disposition: Disposition) -> Action {
        Action::Decide {
            disposition,
            document_number: "榕政复决〔2024〕7号".to_owned(),
            reasoning: "事实不清".to_owned(),
            legal_basis: "《行政复议法》第六十四条".to_owned(),
            partial: false,
            remake_ordered: false,
            comply_within_days: (disposition == Disposition::OrderToPerform).then_some(30),
            approval: approval(),
            third_party_evidence: false,
            worsens_applicant: false,
            worsening_requested_by: None,
            compensation: None,
            agreement_outcome: None,
        }
    }

    fn approval() -> Approval {
        Approval {
            route: ApprovalRoute::OrganHead,
            approver: "王局长".to_owned(),
        }
    }

    fn extend(days: u32) -> Action {
        Action::Extend {
            days,
            reason: "案情复杂".to_owned(),
            parties_notified_on: None,
        }
    }

    fn suspend(ground: SuspensionGround) -> Action {
        Action::Suspend {
            ground,
            parties_notified_on: None,
        }
    }

    fn terminate(ground: TerminationGround) -> Action {
        Action::Terminate {
            ground,
            explanation: None,
            through_representative: None,
        }
    }

    // Fixtures reach their state through real actions: received day 0, accepted day 2, copy
    // sent day 3, reply day 10, heard day 12, suspended day 15, concluded day 20.
    fn filed(procedure: Procedure) -> CaseLifecycle {
        step(&CaseLifecycle::new(day(0)), accept(procedure), 2)
    }

    fn heard(procedure: Procedure) -> CaseLifecycle {
        let replied = step(&filed(procedure), reply(Some(3), Some(10)), 10);
        step(&replied, hear_in_person(), 12)
    }

    fn fixture(state: CaseState, procedure: Procedure) -> CaseLifecycle {
        let received = CaseLifecycle::new(day(0));
        let decided = |d: Disposition| step(&heard(procedure), decide(d), 20);
        let lc = match state {
            S::Received => received,
            S::AwaitingSupplement => step(&received, sample(K::RequestSupplement), 1),
            S::NotAccepted => step(&received, sample(K::Decline), 1),
            S::Filed => filed(procedure),
            S::Heard => heard(procedure),
            S::Suspended => step(&heard(procedure), sample(K::Suspend), 15),
            S::Altered => decided(Disposition::Alter),
            S::Revoked => decided(Disposition::Revoke),
            S::ConfirmedIllegal => decided(Disposition::ConfirmIllegal),
            S::OrderedToPerform => decided(Disposition::OrderToPerform),
            S::ConfirmedInvalid => decided(Disposition::ConfirmInvalid),
            S::Upheld => decided(Disposition::Uphold),
            S::RequestRejected => decided(Disposition::RejectRequest),
            S::ApplicationDismissed => step(&heard(procedure), sample(K::DismissApplication), 20),
            S::Mediated => step(&heard(procedure), sample(K::Mediate), 20),
            S::Terminated => step(&heard(procedure), sample(K::Terminate), 20),
            S::WithdrawnBeforeAcceptance => step(&received, sample(K::WithdrawApplication), 1),
        };
        assert_eq!(lc.state, state, "fixture for {state}");
        lc
    }

    /// A valid payload for each kind of action.
    fn sample(kind: ActionKind) -> Action {
        match kind {
            K::RequestSupplement => Action::RequestSupplement {
                items: vec!["身份证明".to_owned()],
                notice_received_on: None,
            },
            K::RecordSupplementNotice => Action::RecordSupplementNotice {
                received_on: Some(day(1)),
                extend_working_days: None,
                reason: None,
            },
            K::Supplement => Action::Supplement {},
            K::Decline => Action::Decline {
                reason: DeclineReason::TimeBarred,
                competent_organ: None,
                explanation: None,
            },
            K::Accept => accept(Procedure::Ordinary),
            K::Assign => Action::Assign {
                handlers: vec![Uuid::from_u128(1), Uuid::from_u128(2)],
            },
            K::RecordReply => reply(Some(3), Some(10)),
            // A formal hearing, the one kind that may also follow opinions already heard.
            K::Hear => formal_hearing(Some(14), Some(25)),
            K::Suspend => suspend(SuspensionGround::ForceMajeure),
            K::Resume => Action::Resume {
                parties_notified_on: None,
            },
            K::Extend => extend(10),
            K::ConvertToOrdinary => Action::ConvertToOrdinary {
                reason: "争议较大".to_owned(),
            },
            K::Decide => decide(Disposition::Revoke),
            K::DismissApplication => Action::DismissApplication {
                reason: "不属于行政复议范围".to_owned(),
            },
            K::Mediate => Action::Mediate {
                document_number: "榕政复调〔2024〕3号".to_owned(),
                through_representative: None,
            },
            K::Terminate => terminate(TerminationGround::Withdrawn),
            K::WithdrawApplication => Action::WithdrawApplication {
                explanation: None,
                through_representative: None,
            },
            K::AddThirdParty => Action::AddThirdParty {
                name: "李四".to_owned(),
                kind: PartyKind::NaturalPerson,
                basis: ThirdPartyBasis::NotifiedByOrgan,
            },
            K::WithdrawThirdParty => Action::WithdrawThirdParty { third_party: 1 },
            K::AppointRepresentative => Action::AppointRepresentative {
                name: "张三".to_owned(),
                applicants: vec![0, 1],
            },
            K::MarkForCommittee => Action::MarkForCommittee {
                ground: CommitteeGround::MajorDifficultComplex,
            },
            K::RecordCommitteeConsultation => Action::RecordCommitteeConsultation {
                opinion: "建议撤销".to_owned(),
                requested_on: None,
            },
            K::RecordCompensationClaim => Action::RecordCompensationClaim {
                claim: CompensationClaim {
                    description: "赔偿罚款利息损失".to_owned(),
                    amount_fen: Some(120_000),
                },
            },
            K::RecordForwarding => Action::RecordForwarding {
                submitted_on: day(0),
                forwarded_on: None,
            },
            K::StayEnforcement => Action::StayEnforcement {
                ground: StayGround::OrganDeemsNecessary,
                decided_by: "王局长".to_owned(),
            },
            K::RefuseStay => Action::RefuseStay {
                requested_by: StayRequester::Applicant,
                reason: "理由不成立".to_owned(),
            },
            K::RequestNormativeReview => Action::RequestNormativeReview {
                document_name: "停车管理办法".to_owned(),
                issuing_body: "市人民政府".to_owned(),
            },
            K::TransferNormativeReview => Action::TransferNormativeReview {
                competent_organ: "省人民政府".to_owned(),
            },
            K::NotifyDraftingBody => Action::NotifyDraftingBody {},
            K::RecordDraftingBodyReply => Action::RecordDraftingBodyReply {},
            K::ConcludeNormativeReview => Action::ConcludeNormativeReview {
                finding: NormativeFinding::Lawful,
                provisions: Vec::new(),
            },
        }
    }

    /// The steps of a normative-document review, which need a review under way; the table test
    /// leaves them to `a_normative_review_runs_its_steps_in_order`.
    const REVIEW_STEPS: [ActionKind; 4] = [
        K::TransferNormativeReview,
        K::NotifyDraftingBody,
        K::RecordDraftingBodyReply,
        K::ConcludeNormativeReview,
    ];

    /// domain.md's action table, written out independently of `TRANSITIONS`, for the samples
    /// above (the suspended fixture left `heard`; the sample decision revokes).
    fn expected_target(state: CaseState, kind: ActionKind) -> Option<CaseState> {
        let open = [
            S::Received,
            S::AwaitingSupplement,
            S::Filed,
            S::Heard,
            S::Suspended,
        ];
        match (kind, state) {
            (K::RequestSupplement, S::Received) => Some(S::AwaitingSupplement),
            (K::Supplement, S::AwaitingSupplement) => Some(S::Received),
            (K::RecordSupplementNotice, S::AwaitingSupplement) => Some(S::AwaitingSupplement),
            (K::Decline, S::Received | S::AwaitingSupplement) => Some(S::NotAccepted),
            (K::Accept, S::Received) => Some(S::Filed),
            (K::Assign | K::RecordCompensationClaim | K::AppointRepresentative, s)
                if open.contains(&s) =>
            {
                Some(s)
            }
            (
                K::AddThirdParty
                | K::WithdrawThirdParty
                | K::MarkForCommittee
                | K::RecordCommitteeConsultation,
                S::Filed | S::Heard | S::Suspended,
            ) => Some(state),
            (K::RecordReply, S::Filed | S::Heard) => Some(state),
            (K::Hear, S::Filed | S::Heard) => Some(S::Heard),
            (K::Suspend, S::Filed | S::Heard) => Some(S::Suspended),
            (K::Resume, S::Suspended) => Some(S::Heard),
            (K::Extend, S::Filed | S::Heard) => Some(state),
            (K::ConvertToOrdinary, S::Filed | S::Heard) => Some(state),
            (K::Decide, S::Filed | S::Heard) => Some(S::Revoked),
            (K::DismissApplication, S::Filed | S::Heard) => Some(S::ApplicationDismissed),
            (K::Mediate, S::Filed | S::Heard | S::Suspended) => Some(S::Mediated),
            (K::Terminate, S::Filed | S::Heard | S::Suspended) => Some(S::Terminated),
            (K::WithdrawApplication, S::Received | S::AwaitingSupplement) => {
                Some(S::WithdrawnBeforeAcceptance)
            }
            (K::RecordForwarding, s) if open.contains(&s) => Some(s),
            (K::StayEnforcement | K::RefuseStay, S::Filed | S::Heard | S::Suspended) => Some(state),
            (
                K::RequestNormativeReview,
                S::Received | S::AwaitingSupplement | S::Filed | S::Heard,
            ) => Some(state),
            _ => None,
        }
    }

    /// What a refusal should offer, with the reply overdue, written out by hand.
    fn expected_allowed(state: CaseState, procedure: Procedure) -> Vec<ActionKind> {
        let varies = match procedure {
            Procedure::Ordinary => K::Extend,
            Procedure::Simplified => K::ConvertToOrdinary,
        };
        match state {
            S::Received => vec![
                K::RequestSupplement,
                K::Decline,
                K::Accept,
                K::Assign,
                K::WithdrawApplication,
                K::RecordCompensationClaim,
                K::RecordForwarding,
                K::RequestNormativeReview,
                K::AppointRepresentative,
            ],
            S::AwaitingSupplement => vec![
                K::Supplement,
                K::RecordSupplementNotice,
                K::Decline,
                K::Assign,
                K::WithdrawApplication,
                K::RecordCompensationClaim,
                K::RecordForwarding,
                K::RequestNormativeReview,
                K::AppointRepresentative,
            ],
            S::Filed => vec![
                K::Assign,
                K::RecordReply,
                K::Hear,
                K::Suspend,
                varies,
                K::Decide,
                K::DismissApplication,
                K::Mediate,
                K::Terminate,
                K::RecordCompensationClaim,
                K::RecordForwarding,
                K::StayEnforcement,
                K::RefuseStay,
                K::RequestNormativeReview,
                K::AddThirdParty,
                K::AppointRepresentative,
                K::MarkForCommittee,
                K::RecordCommitteeConsultation,
            ],
            S::Heard => vec![
                K::Assign,
                K::RecordReply,
                K::Hear,
                K::Suspend,
                varies,
                K::Decide,
                K::DismissApplication,
                K::Mediate,
                K::Terminate,
                K::RecordCompensationClaim,
                K::RecordForwarding,
                K::StayEnforcement,
                K::RefuseStay,
                K::RequestNormativeReview,
                K::AddThirdParty,
                K::AppointRepresentative,
                K::MarkForCommittee,
                K::RecordCommitteeConsultation,
            ],
            S::Suspended => vec![
                K::Assign,
                K::Resume,
                K::Mediate,
                K::Terminate,
                K::RecordCompensationClaim,
                K::RecordForwarding,
                K::StayEnforcement,
                K::RefuseStay,
                K::AddThirdParty,
                K::AppointRepresentative,
                K::MarkForCommittee,
                K::RecordCommitteeConsultation,
            ],
            _ => vec![],
        }
    }

    #[test]
    fn every_state_and_action_pair_follows_the_table() {
        let settings = LifecycleSettings::default();
        let mut c = ctx(&settings, 30);
        c.reply_overdue = true;
        c.hearing_notice_working_days = Some(5);
        let mut allowed_pairs = 0;
        for state in CaseState::iter() {
            for kind in ActionKind::iter().filter(|k| !REVIEW_STEPS.contains(k)) {
                // Conversion needs a simplified case, everything else is sampled under ordinary.
                let procedure = if kind == K::ConvertToOrdinary {
                    Procedure::Simplified
                } else {
                    Procedure::Ordinary
                };
                let lc = fixture(state, procedure);
                // A withdrawal needs a third party taking part to withdraw.
                let lc = if kind == K::WithdrawThirdParty {
                    lc.apply(&sample(K::AddThirdParty), &c).unwrap_or(lc)
                } else {
                    lc
                };
                let action = sample(kind);
                assert_eq!(action.kind(), kind);
                match (expected_target(state, kind), lc.apply(&action, &c)) {
                    (Some(target), Ok(next)) => {
                        assert_eq!(next.state, target, "{kind} from {state}");
                        assert_eq!(next.last_event_on, day(30));
                        allowed_pairs += 1;
                    }
                    (Some(_), Err(refusal)) => panic!("{kind} from {state} refused: {refusal}"),
                    (None, Ok(next)) => {
                        panic!("{kind} from {state} accepted, reaching {}", next.state)
                    }
                    (None, Err(refusal)) => assert_eq!(
                        refusal,
                        Refusal::NotAllowedInState {
                            state,
                            action: kind,
                            allowed: expected_allowed(state, procedure),
                        },
                        "{kind} from {state}"
                    ),
                }
            }
        }
        // 1+1+1+2+1+5+2+2+2+1+2+2+2+2+3+3 pairs in domain.md's table, with the supplement
        // notice's receipt, a formal hearing after opinions were heard, and the withdrawal of an
        // application before acceptance, and (issue 14) third parties, representatives, the
        // committee, forwarding (5 open states), stays and their refusals (3 each) and review
        // requests (4).
        assert_eq!(allowed_pairs, 71);
    }

    #[test]
    fn a_normative_review_runs_its_steps_in_order() {
        let settings = LifecycleSettings::default();
        let c = |on| ctx(&settings, on);
        let lc = heard(Procedure::Ordinary);
        // Without a request, neither its steps nor a suspension on art. 39(9).
        for (kind, rule) in [
            (K::TransferNormativeReview, "art_56"),
            (K::NotifyDraftingBody, "art_58"),
            (K::RecordDraftingBodyReply, "art_58"),
            (K::ConcludeNormativeReview, "art_56"),
        ] {
            assert_rule(refuse(&lc, sample(kind), &c(16)), rule);
        }
        let ninth = suspend(SuspensionGround::NormativeDocumentReview);
        assert_rule(refuse(&lc, ninth.clone(), &c(16)), "art_39");

        let lc = step(&lc, sample(K::RequestNormativeReview), 16);
        assert_rule(refuse(&lc, sample(K::NotifyDraftingBody), &c(17)), "art_58");
        assert_rule(refuse(&lc, decide(Disposition::Uphold), &c(17)), "art_56");
        let lc = step(&lc, ninth, 17);
        assert_eq!(
            lc.normative_review.as_ref().and_then(|r| r.suspended_on),
            Some(day(17))
        );
        let lc = step(&lc, sample(K::NotifyDraftingBody), 18);
        assert_rule(
            refuse(&lc, sample(K::TransferNormativeReview), &c(19)),
            "art_56",
        );
        let lc = step(&lc, sample(K::RecordDraftingBodyReply), 19);
        let lc = step(&lc, sample(K::ConcludeNormativeReview), 20);
        let lc = step(
            &lc,
            Action::Resume {
                parties_notified_on: None,
            },
            20,
        );
        assert_eq!(step(&lc, decide(Disposition::Revoke), 21).state, S::Revoked);
    }

    #[test]
    fn table_lists_each_action_once() {
        let kinds: Vec<ActionKind> = transitions_table().iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, ActionKind::iter().collect::<Vec<_>>());
        for (kind, from) in transitions_table() {
            assert!(!from.is_empty(), "{kind} has no source state");
            assert!(
                from.iter().all(|s| s.is_open()),
                "{kind} leaves a closed state"
            );
        }
    }

    #[test]
    fn state_predicates() {
        let terminal = [
            S::NotAccepted,
            S::Altered,
            S::Revoked,
            S::ConfirmedIllegal,
            S::OrderedToPerform,
            S::ConfirmedInvalid,
            S::Upheld,
            S::RequestRejected,
            S::ApplicationDismissed,
            S::Mediated,
            S::Terminated,
            S::WithdrawnBeforeAcceptance,
        ];
        let merits = [
            S::Altered,
            S::Revoked,
            S::ConfirmedIllegal,
            S::OrderedToPerform,
            S::ConfirmedInvalid,
            S::Upheld,
            S::RequestRejected,
        ];
        let corrections = &merits[..5];
        for state in CaseState::iter() {
            assert_eq!(state.is_terminal(), terminal.contains(&state), "{state}");
            assert_eq!(state.is_open(), !terminal.contains(&state), "{state}");
            assert_eq!(
                state.is_merits_decision(),
                merits.contains(&state),
                "{state}"
            );
            assert_eq!(
                state.is_correction(),
                corrections.contains(&state),
                "{state}"
            );
            assert_eq!(
                state.is_concluded(),
                terminal.contains(&state)
                    && state != S::NotAccepted
                    && state != S::WithdrawnBeforeAcceptance,
                "{state}"
            );
        }
    }

    #[test]
    fn labels_follow_domain_md() {
        let expected = [
            "已收到申请",
            "待补正",
            "不予受理",
            "已受理",
            "已审理",
            "中止",
            "变更",
            "撤销",
            "确认违法",
            "责令履行",
            "确认无效",
            "维持",
            "驳回行政复议请求",
            "驳回申请",
            "调解结案",
            "终止",
            "撤回申请",
        ];
        let labels: Vec<&str> = CaseState::iter().map(CaseState::label_zh).collect();
        assert_eq!(labels, expected);
    }

    /// The API value (serde), the database text (strum) and the display must be one string.
    fn assert_same_text<T>(values: impl Iterator<Item = T>)
    where
        T: Serialize + std::fmt::Display + std::str::FromStr + PartialEq + std::fmt::Debug + Copy,
        &'static str: From<T>,
    {
        for value in values {
            let text: &'static str = value.into();
            assert_eq!(serde_json::to_value(value).unwrap(), text);
            assert_eq!(value.to_string(), text);
            assert_eq!(text.parse::<T>().ok(), Some(value));
            assert!(text.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        }
    }

    #[test]
    fn enum_texts_are_snake_case_everywhere() {
        assert_same_text(CaseState::iter());
        assert_same_text(ActionKind::iter());
        assert_same_text(Role::iter());
        assert_same_text(Procedure::iter());
        assert_same_text(SimplifiedGround::iter());
        assert_same_text(DeclineReason::iter());
        assert_same_text(HearingMethod::iter());
        assert_same_text(SuspensionGround::iter());
        assert_same_text(TerminationGround::iter());
        assert_same_text(Disposition::iter());
        assert_eq!(CaseState::ConfirmedIllegal.to_string(), "confirmed_illegal");
        assert_eq!(
            ActionKind::ConvertToOrdinary.to_string(),
            "convert_to_ordinary"
        );
    }

    #[test]
    fn roles_per_action() {
        let officer = [
            K::RequestSupplement,
            K::Supplement,
            K::RecordSupplementNotice,
            K::RecordReply,
            K::Hear,
            K::Suspend,
            K::Resume,
            K::WithdrawApplication,
            K::RecordCompensationClaim,
            K::RecordForwarding,
            K::RequestNormativeReview,
            K::NotifyDraftingBody,
            K::RecordDraftingBodyReply,
            K::AddThirdParty,
            K::WithdrawThirdParty,
            K::AppointRepresentative,
            K::MarkForCommittee,
            K::RecordCommitteeConsultation,
        ];
        for kind in ActionKind::iter() {
            let expected = if officer.contains(&kind) {
                Role::Officer
            } else {
                Role::Head
            };
            assert_eq!(kind.required_role(), expected, "{kind}");
        }
    }

    #[test]
    fn suspension_grounds_number_art_39_items() {
        let items: Vec<u8> = SuspensionGround::iter()
            .map(SuspensionGround::art39_item)
            .collect();
        assert_eq!(items, (1..=10).collect::<Vec<u8>>());
        let terminable: Vec<u8> = SuspensionGround::iter()
            .filter(|g| g.allows_termination_after_60_days())
            .map(SuspensionGround::art39_item)
            .collect();
        assert_eq!(terminable, [1, 2, 4]);
    }

    #[test]
    fn withdrawals_are_withdrawn_and_settled() {
        let withdrawals: Vec<TerminationGround> = TerminationGround::iter()
            .filter(|g| g.is_withdrawal())
            .collect();
        assert_eq!(
            withdrawals,
            [TerminationGround::Withdrawn, TerminationGround::Settled]
        );
    }

    #[test]
    fn dispositions_reach_their_states() {
        let expected = [
            (Disposition::Alter, S::Altered),
            (Disposition::Revoke, S::Revoked),
            (Disposition::ConfirmIllegal, S::ConfirmedIllegal),
            (Disposition::OrderToPerform, S::OrderedToPerform),
            (Disposition::ConfirmInvalid, S::ConfirmedInvalid),
            (Disposition::Uphold, S::Upheld),
            (Disposition::RejectRequest, S::RequestRejected),
        ];
        assert_eq!(expected.len(), Disposition::iter().count());
        for (disposition, state) in expected {
            assert_eq!(disposition.target_state(), state);
            assert!(state.is_merits_decision());
        }
    }

    #[test]
    fn actions_serialize_with_an_action_tag() {
        let json = serde_json::json!({
            "action": "accept",
            "procedure": "simplified",
            "simplified_ground": "small_amount"
        });
        let action: Action = serde_json::from_value(json).unwrap();
        assert_eq!(
            action,
            Action::Accept {
                procedure: Procedure::Simplified,
                simplified_ground: Some(SimplifiedGround::SmallAmount),
                deemed: false,
            }
        );
        let resume: Action =
            serde_json::from_value(serde_json::json!({"action": "resume"})).unwrap();
        assert_eq!(
            resume,
            Action::Resume {
                parties_notified_on: None,
            }
        );
        let reply: Action = serde_json::from_value(serde_json::json!({
            "action": "record_reply",
            "reply_received_on": "2024-03-11"
        }))
        .unwrap();
        assert_eq!(
            reply,
            Action::RecordReply {
                copy_sent_on: None,
                copy_received_on: None,
                reply_received_on: Some(day(10)),
            }
        );
        for kind in ActionKind::iter() {
            let value = serde_json::to_value(sample(kind)).unwrap();
            assert_eq!(value["action"], kind.to_string());
            let back: Action = serde_json::from_value(value).unwrap();
            assert_eq!(back, sample(kind));
        }
        let missing = serde_json::from_value::<Action>(serde_json::json!({"action": "extend"}));
        assert!(missing.is_err());
    }

    #[test]
    fn schemas_are_generated() {
        let schema = serde_json::to_string(&<Action as utoipa::PartialSchema>::schema()).unwrap();
        assert!(schema.contains("convert_to_ordinary"));
        assert!(schema.contains("comply_within_days"));
        let schema =
            serde_json::to_string(&<CaseLifecycle as utoipa::PartialSchema>::schema()).unwrap();
        assert!(schema.contains("review_started_on"));
    }

    #[test]
    fn new_case_is_received() {
        let lc = CaseLifecycle::new(day(0));
        assert_eq!(lc.state, S::Received);
        assert_eq!(lc.review_started_on, day(0));
        assert_eq!(lc.last_event_on, day(0));
        assert_eq!(lc.concluded_on, None);
    }

    // --- dates ---

    #[test]
    fn action_cannot_be_dated_in_the_future() {
        let settings = LifecycleSettings::default();
        let mut c = ctx(&settings, 5);
        c.today = day(4);
        let refusal = refuse(&CaseLifecycle::new(day(0)), sample(K::Accept), &c);
        assert_invalid(refusal, "occurred_on");
        c.today = day(5);
        assert!(
            CaseLifecycle::new(day(0))
                .apply(&sample(K::Accept), &c)
                .is_ok()
        );
    }

    #[test]
    fn action_cannot_be_dated_before_the_last_event() {
        let settings = LifecycleSettings::default();
        let lc = filed(Procedure::Ordinary);
        assert_invalid(
            refuse(&lc, sample(K::Assign), &ctx(&settings, 1)),
            "occurred_on",
        );
        let same_day = step(&lc, sample(K::Assign), 2);
        assert_eq!(same_day.last_event_on, day(2));
        let later = step(&same_day, sample(K::Assign), 9);
        assert_eq!(later.last_event_on, day(9));
        assert_invalid(
            refuse(&later, sample(K::Assign), &ctx(&settings, 8)),
            "occurred_on",
        );
    }

    #[test]
    fn state_is_checked_before_dates() {
        let settings = LifecycleSettings::default();
        let lc = fixture(S::Upheld, Procedure::Ordinary);
        let refusal = refuse(&lc, sample(K::Assign), &ctx(&settings, 1));
        assert!(matches!(refusal, Refusal::NotAllowedInState { .. }));
    }

    // --- review stage ---

    #[test]
    fn supplement_restarts_the_review() {
        let lc = step(&CaseLifecycle::new(day(0)), sample(K::RequestSupplement), 2);
        assert_eq!(lc.supplement_requested_on, Some(day(2)));
        assert_eq!(lc.review_started_on, day(0));
        let lc = step(&lc, Action::Supplement {}, 9);
        assert_eq!(lc.state, S::Received);
        assert_eq!(lc.review_started_on, day(9));
        assert_eq!(lc.received_on, day(0));
    }

    #[test]
    fn supplement_items_must_be_listed() {
        let settings = LifecycleSettings::default();
        let lc = CaseLifecycle::new(day(0));
        let empty = Action::RequestSupplement {
            items: vec![],
            notice_received_on: None,
        };
        assert_invalid(refuse(&lc, empty, &ctx(&settings, 1)), "items");
        let blank = Action::RequestSupplement {
            notice_received_on: None,
            items: vec!["身份证明".to_owned(), "  ".to_owned()],
        };
        assert_invalid(refuse(&lc, blank, &ctx(&settings, 1)), "items");
    }

    #[test]
    fn supplement_is_requested_only_once() {
        let settings = LifecycleSettings::default();
        let lc = step(&CaseLifecycle::new(day(0)), sample(K::RequestSupplement), 1);
        let lc = step(&lc, Action::Supplement {}, 5);
        assert_rule(
            refuse(&lc, sample(K::RequestSupplement), &ctx(&settings, 6)),
            "art_31",
        );
        assert!(!allowed_actions(&lc, &[Role::Officer], false).contains(&K::RequestSupplement));
    }

    #[test]
    fn decline_records_reason_and_date_but_is_no_conclusion() {
        let lc = step(&CaseLifecycle::new(day(0)), sample(K::Decline), 3);
        assert_eq!(lc.state, S::NotAccepted);
        assert_eq!(lc.decline_reason, Some(DeclineReason::TimeBarred));
        assert_eq!(lc.declined_on, Some(day(3)));
        assert_eq!(lc.concluded_on, None);
    }

    #[test]
    fn decline_for_no_jurisdiction_names_the_competent_organ() {
        let settings = LifecycleSettings::default();
        let c = ctx(&settings, 1);
        let lc = CaseLifecycle::new(day(0));
        let decline = |reason, organ: Option<&str>| Action::Decline {
            reason,
            competent_organ: organ.map(str::to_owned),
            explanation: None,
        };
        let missing = decline(DeclineReason::NoJurisdiction, None);
        assert_invalid(refuse(&lc, missing, &c), "competent_organ");
        let blank = decline(DeclineReason::NoJurisdiction, Some(" "));
        assert_invalid(refuse(&lc, blank, &c), "competent_organ");
        let stray = decline(DeclineReason::Inadmissible, Some("福建省人民政府"));
        assert_invalid(refuse(&lc, stray, &c), "competent_organ");
        let named = decline(DeclineReason::NoJurisdiction, Some("福建省人民政府"));
        assert!(lc.apply(&named, &c).is_ok());
    }

    #[test]
    fn supplement_not_provided_only_while_awaiting_it() {
        let settings = LifecycleSettings::default();
        let abandoned = Action::Decline {
            reason: DeclineReason::SupplementNotProvided,
            competent_organ: None,
            explanation: None,
        };
        let received = CaseLifecycle::new(day(0));
        assert_rule(
            refuse(&received, abandoned.clone(), &ctx(&settings, 1)),
            "art_31",
        );
        // Sent and not yet known to be received: the time to supplement has not started.
        let awaiting = step(&received, sample(K::RequestSupplement), 1);
        assert_rule(
            refuse(&awaiting, abandoned.clone(), &ctx(&settings, 40)),
            "art_31",
        );
        let notified = step(
            &awaiting,
            Action::RecordSupplementNotice {
                received_on: Some(day(4)),
                extend_working_days: None,
                reason: None,
            },
            4,
        );
        assert_eq!(notified.supplement_notice_received_on, Some(day(4)));
        // The service supplies the last day: 10 working days from the receipt.
        let mut c = ctx(&settings, 18);
        c.periods.supplement_due_on = Some(day(18));
        assert_rule(refuse(&notified, abandoned.clone(), &c), "art_31");
        let mut c = ctx(&settings, 19);
        c.periods.supplement_due_on = Some(day(18));
        let declined = notified.apply(&abandoned, &c).unwrap();
        assert_eq!(
            declined.decline_reason,
            Some(DeclineReason::SupplementNotProvided)
        );
    }

    #[test]
    fn accept_sets_procedure_date_and_case_number() {
        let lc = step(
            &CaseLifecycle::new(day(0)),
            accept(Procedure::Simplified),
            4,
        );
        assert_eq!(lc.state, S::Filed);
        assert_eq!(lc.procedure, Some(Procedure::Simplified));
        assert_eq!(lc.simplified_ground, Some(SimplifiedGround::SmallAmount));
        assert_eq!(lc.accepted_on, Some(day(4)));
        assert_eq!(lc.case_number.as_deref(), Some("榕政复〔2024〕1号"));
    }

    #[test]
    fn simplified_ground_iff_simplified() {
        let settings = LifecycleSettings::default();
        let c = ctx(&settings, 1);
        let lc = CaseLifecycle::new(day(0));
        let no_ground = Action::Accept {
            procedure: Procedure::Simplified,
            simplified_ground: None,
            deemed: false,
        };
        assert_invalid(refuse(&lc, no_ground, &c), "simplified_ground");
        let stray_ground = Action::Accept {
            procedure: Procedure::Ordinary,
            simplified_ground: Some(SimplifiedGround::PartiesConsent),
            deemed: true,
        };
        assert_invalid(refuse(&lc, stray_ground, &c), "simplified_ground");
    }

    #[test]
    fn accept_needs_a_case_number() {
        let settings = LifecycleSettings::default();
        let mut c = ctx(&settings, 1);
        c.case_number = None;
        let lc = CaseLifecycle::new(day(0));
        assert_invalid(refuse(&lc, sample(K::Accept), &c), "case_number");
        c.case_number = Some(String::new());
        assert_invalid(refuse(&lc, sample(K::Accept), &c), "case_number");
    }

    // --- handling ---

    #[test]
    fn assign_replaces_handlers_and_rejects_bad_lists() {
        let settings = LifecycleSettings::default();
        let c = ctx(&settings, 3);
        let lc = filed(Procedure::Ordinary);
        let empty = Action::Assign { handlers: vec![] };
        assert_invalid(refuse(&lc, empty, &c), "handlers");
        let twice = Action::Assign {
            handlers: vec![Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(1)],
        };
        assert_invalid(refuse(&lc, twice, &c), "handlers");
        let lc = step(&lc, sample(K::Assign), 3);
        let lc = step(
            &lc,
            Action::Assign {
                handlers: vec![Uuid::from_u128(3)],
            },
            4,
        );
        assert_eq!(lc.handlers, [Uuid::from_u128(3)]);
        assert_eq!(lc.state, S::Filed);
    }

    #[test]
    fn record_reply_keeps_earlier_dates() {
        let lc = step(&filed(Procedure::Ordinary), reply(Some(3), None), 3);
        assert_eq!(lc.copy_sent_on, Some(day(3)));
        assert_eq!(lc.reply_received_on, None);
        let lc = step(&lc, reply(None, Some(9)), 9);
        assert_eq!(lc.copy_sent_on, Some(day(3)));
        assert_eq!(lc.reply_received_on, Some(day(9)));
        assert_eq!(lc.state, S::Filed);
    }

    #[test]
    fn record_reply_date_rules() {
        let settings = LifecycleSettings::default();
        let c = ctx(&settings, 10);
        let lc = filed(Procedure::Ordinary);
        assert_invalid(refuse(&lc, reply(None, None), &c), "copy_sent_on");
        assert_invalid(
            refuse(&lc, reply(Some(5), Some(4)), &c),
            "reply_received_on",
        );
        assert_invalid(refuse(&lc, reply(Some(11), None), &c), "copy_sent_on");
        assert_invalid(refuse(&lc, reply(None, Some(11)), &c), "reply_received_on");
        assert_invalid(refuse(&lc, reply(Some(1), None), &c), "copy_sent_on");
        assert_invalid(refuse(&lc, reply(None, Some(1)), &c), "reply_received_on");
        assert!(lc.apply(&reply(Some(2), Some(2)), &c).is_ok());

        let copied = step(&lc, reply(Some(6), None), 6);
        assert_invalid(
            refuse(&copied, reply(None, Some(5)), &c),
            "reply_received_on",
        );
        let replied = step(&copied, reply(None, Some(8)), 8);
        assert_invalid(refuse(&replied, reply(Some(9), None), &c), "copy_sent_on");
    }

    #[test]
    fn ordinary_hearing_needs_the_reply_recorded_or_overdue() {
        let settings = LifecycleSettings::default();
        let lc = filed(Procedure::Ordinary);
        assert_rule(refuse(&lc, hear_in_person(), &ctx(&settings, 5)), "art_48");
        let copied = step(&lc, reply(Some(3), None), 3);
        assert_rule(
            refuse(&copied, hear_in_person(), &ctx(&settings, 5)),
            "art_48",
        );

        let mut overdue = ctx(&settings, 20);
        overdue.reply_overdue = true;
        let heard = copied.apply(&hear_in_person(), &overdue).unwrap();
        assert_eq!(heard.state, S::Heard);
        assert_eq!(heard.heard_on, Some(day(20)));
        assert_eq!(heard.hearings_held, 0);

        let replied = step(&copied, reply(None, Some(10)), 10);
        assert_eq!(step(&replied, hear_in_person(), 11).state, S::Heard);
    }

    #[test]
    fn simplified_hearing_needs_no_reply() {
        let heard = step(&filed(Procedure::Simplified), hear_in_person(), 3);
        assert_eq!(heard.state, S::Heard);
    }

    fn formal_hearing(notice: Option<u64>, held: Option<u64>) -> Action {
        Action::Hear {
            method: HearingMethod::Hearing,
            hearing_on: held.map(day),
            notice_on: notice.map(day),
            parties_unavailable: false,
        }
    }

    #[test]
    fn hearing_needs_five_working_days_notice() {
        let settings = LifecycleSettings::default();
        let lc = step(&filed(Procedure::Ordinary), reply(Some(3), Some(8)), 8);
        let mut c = ctx(&settings, 20);
        c.hearing_notice_working_days = Some(4);
        assert_rule(
            refuse(&lc, formal_hearing(Some(10), Some(16)), &c),
            "art_51",
        );
        c.hearing_notice_working_days = None;
        assert_rule(
            refuse(&lc, formal_hearing(Some(10), Some(16)), &c),
            "art_51",
        );
        c.hearing_notice_working_days = Some(5);
        let heard = lc.apply(&formal_hearing(Some(10), Some(17)), &c).unwrap();
        assert_eq!(heard.state, S::Heard);
        assert_eq!(heard.hearings_held, 1);
    }

    #[test]
    fn hearing_dates_are_required_and_ordered() {
        let settings = LifecycleSettings::default();
        let lc = step(&filed(Procedure::Ordinary), reply(Some(3), Some(8)), 8);
        let mut c = ctx(&settings, 20);
        c.hearing_notice_working_days = Some(10);
        assert_invalid(
            refuse(&lc, formal_hearing(Some(10), None), &c),
            "hearing_on",
        );
        assert_invalid(refuse(&lc, formal_hearing(None, Some(17)), &c), "notice_on");
        assert_invalid(
            refuse(&lc, formal_hearing(Some(17), Some(17)), &c),
            "notice_on",
        );
        assert_invalid(
            refuse(&lc, formal_hearing(Some(10), Some(21)), &c),
            "hearing_on",
        );
        assert_invalid(
            refuse(&lc, formal_hearing(Some(1), Some(17)), &c),
            "notice_on",
        );
        let notified_phone = Action::Hear {
            method: HearingMethod::Phone,
            hearing_on: Some(day(15)),
            notice_on: Some(day(10)),
            parties_unavailable: false,
        };
        assert_invalid(refuse(&lc, notified_phone, &c), "notice_on");
        let phone = Action::Hear {
            method: HearingMethod::Phone,
            hearing_on: Some(day(15)),
            notice_on: None,
            parties_unavailable: false,
        };
        assert!(lc.apply(&phone, &c).is_ok());
    }

    // --- suspension ---

    #[test]
    fn resume_returns_to_the_state_left_and_counts_days() {
        let lc = step(&filed(Procedure::Ordinary), sample(K::Suspend), 5);
        assert_eq!(lc.suspended_from, Some(S::Filed));
        assert_eq!(lc.suspended_on, Some(day(5)));
        assert_eq!(lc.suspension_ground, Some(SuspensionGround::ForceMajeure));
        let lc = step(
            &lc,
            Action::Resume {
                parties_notified_on: None,
            },
            17,
        );
        assert_eq!(lc.state, S::Filed);
        assert_eq!(lc.suspended_days, 12);
        assert_eq!(lc.suspended_from, None);
        assert_eq!(lc.suspended_on, None);
        assert_eq!(lc.suspension_ground, None);

        let lc = step(&lc, reply(Some(17), Some(18)), 18);
        let lc = step(&lc, hear_in_person(), 19);
        let lc = step(&lc, suspend(SuspensionGround::RelatedCasePending), 20);
        let lc = step(
            &lc,
            Action::Resume {
                parties_notified_on: None,
            },
            27,
        );
        assert_eq!(lc.state, S::Heard);
        assert_eq!(lc.suspended_days, 19);
    }

    #[test]
    fn no_suspension_while_suspended() {
        let settings = LifecycleSettings::default();
        let lc = step(&filed(Procedure::Ordinary), sample(K::Suspend), 5);
        let refusal = refuse(&lc, suspend(SuspensionGround::Other), &ctx(&settings, 6));
        assert!(matches!(
            refusal,
            Refusal::NotAllowedInState {
                state: S::Suspended,
                action: K::Suspend,
                ..
            }
        ));
    }

    #[test]
    fn concluding_while_suspended_ends_the_suspension() {
        let lc = step(&filed(Procedure::Ordinary), sample(K::Suspend), 5);
        let lc = step(&lc, sample(K::Mediate), 25);
        assert_eq!(lc.state, S::Mediated);
        assert_eq!(lc.suspended_days, 20);
        assert_eq!(lc.suspended_on, None);
        assert_eq!(lc.concluded_on, Some(day(25)));
        assert_eq!(
            lc.decision_document_number.as_deref(),
            Some("榕政复调〔2024〕3号")
        );
    }

    #[test]
    fn long_suspension_termination() {
        let settings = LifecycleSettings::default();
        let long = terminate(TerminationGround::LongSuspension);
        let lc = step(
            &filed(Procedure::Ordinary),
            suspend(SuspensionGround::EntityEnded),
            5,
        );
        // Suspended on day 5, the 60 full days end on day 65: termination from day 66 (art. 41).
        assert_rule(refuse(&lc, long.clone(), &ctx(&settings, 65)), "art_41");
        let ended = step(&lc, long.clone(), 66);
        assert_eq!(ended.state, S::Terminated);
        assert_eq!(
            ended.termination_ground,
            Some(TerminationGround::LongSuspension)
        );
        assert_eq!(ended.concluded_on, Some(day(66)));
        assert_eq!(ended.suspended_days, 61);

        let other_ground = step(
            &filed(Procedure::Ordinary),
            suspend(SuspensionGround::ApplicantMissing),
            5,
        );
        assert_rule(
            refuse(&other_ground, long.clone(), &ctx(&settings, 200)),
            "art_41",
        );

        let not_suspended = filed(Procedure::Ordinary);
        assert_rule(
            refuse(&not_suspended, long.clone(), &ctx(&settings, 200)),
            "art_41",
        );

        let short = LifecycleSettings {
            long_suspension_days: 30,
            ..LifecycleSettings::default()
        };
        assert!(lc.apply(&long, &ctx(&short, 36)).is_ok());
        assert_rule(refuse(&lc, long, &ctx(&short, 35)), "art_41");
    }

    #[test]
    fn other_termination_grounds_need_no_suspension() {
        let lc = step(
            &filed(Procedure::Ordinary),
            terminate(TerminationGround::Settled),
            9,
        );
        assert_eq!(lc.state, S::Terminated);
        assert_eq!(lc.termination_ground, Some(TerminationGround::Settled));
        assert_eq!(lc.concluded_on, Some(day(9)));
    }

    // --- extension and conversion ---

    #[test]
    fn extension_budget() {
        let settings = LifecycleSettings::default();
        let lc = step(&filed(Procedure::Ordinary), extend(20), 40);
        assert_eq!(lc.extension_days, 20);
        assert_rule(refuse(&lc, extend(11), &ctx(&settings, 41)), "art_62");
        let lc = step(&lc, extend(10), 41);
        assert_eq!(lc.extension_days, 30);
        assert_rule(refuse(&lc, extend(1), &ctx(&settings, 42)), "art_62");
        assert!(!allowed_actions(&lc, &[Role::Head], false).contains(&K::Extend));
        assert_rule(refuse(&lc, extend(u32::MAX), &ctx(&settings, 42)), "art_62");
    }

    #[test]
    fn extension_fields() {
        let settings = LifecycleSettings::default();
        let lc = filed(Procedure::Ordinary);
        assert_invalid(refuse(&lc, extend(0), &ctx(&settings, 40)), "days");
        let blank = Action::Extend {
            days: 5,
            reason: " ".to_owned(),
            parties_notified_on: None,
        };
        assert_invalid(refuse(&lc, blank, &ctx(&settings, 40)), "reason");
    }

    #[test]
    fn extension_follows_the_configured_maximum() {
        let tight = LifecycleSettings {
            max_extension_days: 10,
            ..LifecycleSettings::default()
        };
        let lc = filed(Procedure::Ordinary);
        assert_rule(refuse(&lc, extend(11), &ctx(&tight, 40)), "art_62");
        let lc = lc.apply(&extend(10), &ctx(&tight, 40)).unwrap();
        assert!(allowed_actions(&lc, &[Role::Head], false).contains(&K::Extend));
        assert!(
            !allowed_actions_with_settings(&lc, &[Role::Head], false, &tight).contains(&K::Extend)
        );
    }

    #[test]
    fn simplified_cases_are_not_extended_until_converted() {
        let settings = LifecycleSettings::default();
        let lc = filed(Procedure::Simplified);
        assert_rule(refuse(&lc, extend(5), &ctx(&settings, 20)), "art_62");
        let converted = step(&lc, sample(K::ConvertToOrdinary), 20);
        assert_eq!(converted.procedure, Some(Procedure::Ordinary));
        assert_eq!(converted.converted_on, Some(day(20)));
        assert_eq!(
            converted.simplified_ground,
            Some(SimplifiedGround::SmallAmount)
        );
        assert_eq!(converted.state, S::Filed);
        assert_eq!(step(&converted, extend(5), 21).extension_days, 5);
    }

    #[test]
    fn only_simplified_cases_convert() {
        let settings = LifecycleSettings::default();
        let lc = filed(Procedure::Ordinary);
        assert_rule(
            refuse(&lc, sample(K::ConvertToOrdinary), &ctx(&settings, 5)),
            "art_55",
        );
        let converted = step(
            &filed(Procedure::Simplified),
            sample(K::ConvertToOrdinary),
            5,
        );
        assert_rule(
            refuse(&converted, sample(K::ConvertToOrdinary), &ctx(&settings, 6)),
            "art_55",
        );
        let blank = Action::ConvertToOrdinary {
            reason: String::new(),
        };
        assert_invalid(
            refuse(&filed(Procedure::Simplified), blank, &ctx(&settings, 5)),
            "reason",
        );
    }

    // --- decisions ---

    #[test]
    fn art_70_ordinary_case_decided_from_filed_only_when_reply_overdue() {
        let settings = LifecycleSettings::default();
        let lc = filed(Procedure::Ordinary);
        assert_rule(
            refuse(&lc, decide(Disposition::Revoke), &ctx(&settings, 30)),
            "art_70",
        );
        let mut overdue = ctx(&settings, 30);
        overdue.reply_overdue = true;
        let decided = lc
            .apply(&decide(Disposition::ConfirmIllegal), &overdue)
            .unwrap();
        assert_eq!(decided.state, S::ConfirmedIllegal);
        assert_eq!(decided.concluded_on, Some(day(30)));
    }

    #[test]
    fn art_70_limits_the_outcome_without_a_hearing() {
        let settings = LifecycleSettings::default();
        let mut overdue = ctx(&settings, 30);
        overdue.reply_overdue = true;
        let lc = filed(Procedure::Ordinary);
        for disposition in [
            Disposition::Alter,
            Disposition::Uphold,
            Disposition::RejectRequest,
        ] {
            assert_rule(refuse(&lc, decide(disposition), &overdue), "art_70");
        }
        for disposition in [
            Disposition::Revoke,
            Disposition::ConfirmIllegal,
            Disposition::ConfirmInvalid,
            Disposition::OrderToPerform,
        ] {
            assert!(
                lc.apply(&decide(disposition), &overdue).is_ok(),
                "{disposition}"
            );
        }
    }

    #[test]
    fn simplified_case_decided_from_filed() {
        let replied = step(&filed(Procedure::Simplified), reply(Some(3), Some(8)), 8);
        let decided = step(&replied, decide(Disposition::Uphold), 10);
        assert_eq!(decided.state, S::Upheld);
    }

    #[test]
    fn art_54_a_simplified_case_waits_for_the_reply_or_its_period() {
        let settings = LifecycleSettings::default();
        let accepted = filed(Procedure::Simplified);
        // Accepted on day 2: no copy, no reply, nothing has run out.
        assert_rule(
            refuse(&accepted, decide(Disposition::Uphold), &ctx(&settings, 2)),
            "art_54",
        );
        assert!(!allowed_actions(&accepted, &[Role::Head], false).contains(&K::Decide));
        // The copy reached the respondent on day 3; its 5 working days end on day 10.
        let copied = step(&accepted, reply(Some(3), None), 3);
        let mut c = ctx(&settings, 10);
        c.periods.reply_due_on = Some(day(10));
        assert_rule(refuse(&copied, decide(Disposition::Uphold), &c), "art_54");
        // Then the reply is overdue, and art. 70 fixes the outcome.
        let mut c = ctx(&settings, 11);
        c.periods.reply_due_on = Some(day(10));
        assert_rule(refuse(&copied, decide(Disposition::Uphold), &c), "art_70");
        assert_eq!(
            copied
                .apply(&decide(Disposition::Revoke), &c)
                .unwrap()
                .state,
            S::Revoked
        );
    }

    #[test]
    fn heard_case_takes_any_disposition() {
        for disposition in Disposition::iter() {
            let decided = step(&heard(Procedure::Ordinary), decide(disposition), 30);
            assert_eq!(decided.state, disposition.target_state());
            assert_eq!(decided.disposition, Some(disposition));
            assert_eq!(decided.concluded_on, Some(day(30)));
            assert_eq!(
                decided.decision_document_number.as_deref(),
                Some("榕政复决〔2024〕7号")
            );
        }
    }

    #[test]
    fn decision_flags() {
        let settings = LifecycleSettings::default();
        let c = ctx(&settings, 30);
        let lc = heard(Procedure::Ordinary);
        let with = |disposition, partial, remake_ordered, comply_within_days| Action::Decide {
            disposition,
            document_number: "榕政复决〔2024〕7号".to_owned(),
            reasoning: "违反法定程序".to_owned(),
            legal_basis: "《行政复议法》第六十四条".to_owned(),
            partial,
            remake_ordered,
            comply_within_days,
            approval: approval(),
            third_party_evidence: false,
            worsens_applicant: false,
            worsening_requested_by: None,
            compensation: None,
            agreement_outcome: None,
        };
        let partial_upheld = with(Disposition::Uphold, true, false, None);
        assert_invalid(refuse(&lc, partial_upheld, &c), "partial");
        let remake_altered = with(Disposition::Alter, false, true, Some(30));
        assert_invalid(refuse(&lc, remake_altered, &c), "remake_ordered");
        let remake_no_limit = with(Disposition::Revoke, false, true, None);
        assert_invalid(refuse(&lc, remake_no_limit, &c), "comply_within_days");
        let perform_no_limit = with(Disposition::OrderToPerform, false, false, None);
        assert_invalid(refuse(&lc, perform_no_limit, &c), "comply_within_days");
        let stray_limit = with(Disposition::Revoke, true, false, Some(30));
        assert_invalid(refuse(&lc, stray_limit, &c), "comply_within_days");
        let zero_limit = with(Disposition::OrderToPerform, false, false, Some(0));
        assert_invalid(refuse(&lc, zero_limit, &c), "comply_within_days");

        let revoked = lc
            .apply(&with(Disposition::Revoke, true, true, Some(60)), &c)
            .unwrap();
        assert_eq!(revoked.state, S::Revoked);
        assert!(revoked.partial && revoked.remake_ordered);
        assert_eq!(revoked.comply_within_days, Some(60));
    }

    #[test]
    fn decision_texts_are_required() {
        let settings = LifecycleSettings::default();
        let c = ctx(&settings, 30);
        let lc = heard(Procedure::Ordinary);
        for field in ["document_number", "reasoning", "legal_basis"] {
            let Action::Decide {
                disposition,
                mut document_number,
                mut reasoning,
                mut legal_basis,
                partial,
                remake_ordered,
                comply_within_days,
                approval: _,
                third_party_evidence: _,
                worsens_applicant: _,
                worsening_requested_by: _,
                compensation: _,
                agreement_outcome: _,
            } = decide(Disposition::Uphold)
            else {
                unreachable!()
            };
            match field {
                "document_number" => document_number = " ".to_owned(),
                "reasoning" => reasoning = String::new(),
                _ => legal_basis = "\t".to_owned(),
            }
            let action = Action::Decide {
                disposition,
                document_number,
                reasoning,
                legal_basis,
                partial,
                remake_ordered,
                comply_within_days,
                approval: approval(),
                third_party_evidence: false,
                worsens_applicant: false,
                worsening_requested_by: None,
                compensation: None,
                agreement_outcome: None,
            };
            assert_invalid(refuse(&lc, action, &c), field);
        }
    }

    #[test]
    fn dismissal_and_mediation_need_their_texts() {
        let settings = LifecycleSettings::default();
        let c = ctx(&settings, 30);
        let lc = heard(Procedure::Ordinary);
        let dismissal = Action::DismissApplication {
            reason: String::new(),
        };
        assert_invalid(refuse(&lc, dismissal, &c), "reason");
        let mediation = Action::Mediate {
            document_number: " ".to_owned(),
            through_representative: None,
        };
        assert_invalid(refuse(&lc, mediation, &c), "document_number");
        let dismissed = step(&lc, sample(K::DismissApplication), 30);
        assert_eq!(dismissed.state, S::ApplicationDismissed);
        assert_eq!(dismissed.concluded_on, Some(day(30)));
        assert!(dismissed.state.is_concluded());
    }

    // --- allowed actions ---

    /// What an officer may record on any open accepted case (issue 14), after the other actions.
    const PARTICIPATION: [ActionKind; 4] = [
        K::AddThirdParty,
        K::AppointRepresentative,
        K::MarkForCommittee,
        K::RecordCommitteeConsultation,
    ];

    fn with_participation(kinds: &[ActionKind]) -> Vec<ActionKind> {
        [kinds, &PARTICIPATION[..]].concat()
    }

    #[test]
    fn allowed_actions_per_role() {
        let lc = filed(Procedure::Ordinary);
        assert_eq!(
            allowed_actions(&lc, &[Role::Officer], false),
            with_participation(&[
                K::RecordReply,
                K::Suspend,
                K::RecordCompensationClaim,
                K::RecordForwarding,
                K::RequestNormativeReview
            ])
        );
        assert_eq!(
            allowed_actions(&lc, &[Role::Officer], true),
            with_participation(&[
                K::RecordReply,
                K::Hear,
                K::Suspend,
                K::RecordCompensationClaim,
                K::RecordForwarding,
                K::RequestNormativeReview
            ])
        );
        assert_eq!(
            allowed_actions(&lc, &[Role::Head], false),
            [
                K::Assign,
                K::Extend,
                K::DismissApplication,
                K::Mediate,
                K::Terminate,
                K::StayEnforcement,
                K::RefuseStay
            ]
        );
        assert_eq!(
            allowed_actions(&lc, &[Role::Head], true),
            [
                K::Assign,
                K::Extend,
                K::Decide,
                K::DismissApplication,
                K::Mediate,
                K::Terminate,
                K::StayEnforcement,
                K::RefuseStay
            ]
        );
        assert!(allowed_actions(&lc, &[Role::Statistician], true).is_empty());
        assert!(allowed_actions(&lc, &[Role::Admin], true).is_empty());
        assert!(allowed_actions(&lc, &[], true).is_empty());
        assert_eq!(
            allowed_actions(&lc, &[Role::Officer, Role::Head], false),
            with_participation(&[
                K::Assign,
                K::RecordReply,
                K::Suspend,
                K::Extend,
                K::DismissApplication,
                K::Mediate,
                K::Terminate,
                K::RecordCompensationClaim,
                K::RecordForwarding,
                K::StayEnforcement,
                K::RefuseStay,
                K::RequestNormativeReview
            ])
        );
    }

    #[test]
    fn allowed_actions_follow_procedure_and_stage() {
        let both = [Role::Officer, Role::Head];
        let received = CaseLifecycle::new(day(0));
        assert_eq!(
            allowed_actions(&received, &[Role::Officer], false),
            [
                K::RequestSupplement,
                K::WithdrawApplication,
                K::RecordCompensationClaim,
                K::RecordForwarding,
                K::RequestNormativeReview,
                K::AppointRepresentative
            ]
        );
        assert_eq!(
            allowed_actions(&received, &[Role::Head], false),
            [K::Decline, K::Accept, K::Assign]
        );

        let simplified = step(&filed(Procedure::Simplified), reply(Some(3), Some(5)), 5);
        assert_eq!(
            allowed_actions(&simplified, &both, false),
            with_participation(&[
                K::Assign,
                K::RecordReply,
                K::Hear,
                K::Suspend,
                K::ConvertToOrdinary,
                K::Decide,
                K::DismissApplication,
                K::Mediate,
                K::Terminate,
                K::RecordCompensationClaim,
                K::RecordForwarding,
                K::StayEnforcement,
                K::RefuseStay,
                K::RequestNormativeReview
            ])
        );

        let replied = step(&filed(Procedure::Ordinary), reply(Some(3), Some(9)), 9);
        assert!(allowed_actions(&replied, &both, false).contains(&K::Hear));
        assert!(!allowed_actions(&replied, &both, false).contains(&K::Decide));
        assert!(allowed_actions(&heard(Procedure::Ordinary), &both, false).contains(&K::Decide));

        let suspended = fixture(S::Suspended, Procedure::Ordinary);
        assert_eq!(
            allowed_actions(&suspended, &[Role::Officer], false),
            with_participation(&[K::Resume, K::RecordCompensationClaim, K::RecordForwarding])
        );
        assert_eq!(
            allowed_actions(&suspended, &[Role::Head], false),
            [
                K::Assign,
                K::Mediate,
                K::Terminate,
                K::StayEnforcement,
                K::RefuseStay
            ]
        );

        for state in CaseState::iter().filter(|s| s.is_terminal()) {
            assert!(allowed_actions(&fixture(state, Procedure::Ordinary), &both, true).is_empty());
        }
    }

    // --- refusals and replay ---

    #[test]
    fn refusal_messages_name_state_and_actions() {
        let settings = LifecycleSettings::default();
        let refusal = refuse(
            &CaseLifecycle::new(day(0)),
            sample(K::Decide),
            &ctx(&settings, 1),
        );
        let message = refusal.to_string();
        assert!(message.contains("decide"), "{message}");
        assert!(message.contains("received"), "{message}");
        assert!(
            message.contains("request_supplement, decline, accept, assign"),
            "{message}"
        );

        let closed = refuse(
            &fixture(S::Upheld, Procedure::Ordinary),
            sample(K::Assign),
            &ctx(&settings, 30),
        );
        assert!(closed.to_string().contains("none"), "{closed}");
        assert_rule(
            refuse(
                &filed(Procedure::Ordinary),
                decide(Disposition::Revoke),
                &ctx(&settings, 30),
            ),
            "art_70",
        );
    }

    #[test]
    fn replay_reproduces_the_aggregate() {
        let settings = LifecycleSettings::default();
        let mut hearing_ctx = ctx(&settings, 25);
        hearing_ctx.hearing_notice_working_days = Some(7);
        let events: Vec<(Action, TransitionContext<'_>)> = vec![
            (sample(K::RequestSupplement), ctx(&settings, 1)),
            (Action::Supplement {}, ctx(&settings, 6)),
            (accept(Procedure::Simplified), ctx(&settings, 8)),
            (sample(K::Assign), ctx(&settings, 8)),
            (reply(Some(9), Some(12)), ctx(&settings, 12)),
            (sample(K::ConvertToOrdinary), ctx(&settings, 13)),
            (
                suspend(SuspensionGround::MediationOrSettlement),
                ctx(&settings, 14),
            ),
            (
                Action::Resume {
                    parties_notified_on: None,
                },
                ctx(&settings, 18),
            ),
            (formal_hearing(Some(15), Some(25)), hearing_ctx),
            (extend(15), ctx(&settings, 60)),
            (decide(Disposition::Alter), ctx(&settings, 80)),
        ];
        let fold = || {
            events
                .iter()
                .try_fold(CaseLifecycle::new(day(0)), |lc, (action, c)| {
                    lc.apply(action, c)
                })
        };
        let first = fold().unwrap();
        assert_eq!(first, fold().unwrap());
        assert_eq!(first.state, S::Altered);
        assert_eq!(first.review_started_on, day(6));
        assert_eq!(first.accepted_on, Some(day(8)));
        assert_eq!(first.converted_on, Some(day(13)));
        assert_eq!(first.suspended_days, 4);
        assert_eq!(first.hearings_held, 1);
        assert_eq!(first.extension_days, 15);
        assert_eq!(first.concluded_on, Some(day(80)));
        assert_eq!(first.last_event_on, day(80));

        let stored = serde_json::to_string(&first).unwrap();
        assert_eq!(
            serde_json::from_str::<CaseLifecycle>(&stored).unwrap(),
            first
        );
    }

    // --- issue 12: the law's rules ---

    fn on_date(
        lc: &CaseLifecycle,
        action: &Action,
        on: NaiveDate,
        periods: PeriodDueDates,
    ) -> Result<CaseLifecycle, Refusal> {
        let settings = LifecycleSettings::default();
        let c = TransitionContext {
            settings: &settings,
            occurred_on: on,
            today: on,
            reply_overdue: false,
            hearing_notice_working_days: None,
            case_number: Some("榕政复〔2024〕1号".to_owned()),
            periods,
        };
        lc.apply(action, &c)
    }

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn deemed_acceptance_counts_from_the_lapse_and_bars_a_decline() {
        // Received 2024-09-27: five working days run over the National Day holiday (make-up day
        // 2024-10-12 is not reached) to 2024-10-11.
        let lc = CaseLifecycle::new(date(2024, 9, 27));
        let periods = PeriodDueDates {
            review_due_on: Some(date(2024, 10, 11)),
            ..PeriodDueDates::default()
        };
        let decline = sample(K::Decline);
        assert_rule(
            on_date(&lc, &decline, date(2024, 10, 14), periods).unwrap_err(),
            "art_30",
        );
        assert_rule(
            on_date(
                &lc,
                &sample(K::RequestSupplement),
                date(2024, 10, 14),
                periods,
            )
            .unwrap_err(),
            "art_30",
        );
        assert!(on_date(&lc, &decline, date(2024, 10, 11), periods).is_ok());
        // Accepted explicitly a week later: the law accepted it on the lapse day.
        let accepted = on_date(
            &lc,
            &accept(Procedure::Ordinary),
            date(2024, 10, 18),
            periods,
        )
        .unwrap();
        assert_eq!(accepted.accepted_on, Some(date(2024, 10, 11)));
        assert!(accepted.deemed_accepted);
        assert_eq!(
            lc.deemed_accepted_on(periods.review_due_on, date(2024, 10, 12)),
            Some(date(2024, 10, 11))
        );
        assert_eq!(
            lc.deemed_accepted_on(periods.review_due_on, date(2024, 10, 11)),
            None
        );
        // Claiming a deemed acceptance before the lapse is a wrong field.
        let deemed = Action::Accept {
            procedure: Procedure::Ordinary,
            simplified_ground: None,
            deemed: true,
        };
        assert_invalid(
            on_date(&lc, &deemed, date(2024, 10, 10), periods).unwrap_err(),
            "deemed",
        );
        let in_time = on_date(
            &lc,
            &accept(Procedure::Ordinary),
            date(2024, 10, 10),
            periods,
        )
        .unwrap();
        assert_eq!(in_time.accepted_on, Some(date(2024, 10, 10)));
        assert!(!in_time.deemed_accepted);
    }

    #[test]
    fn the_earlier_law_accepts_on_receipt_and_has_no_simplified_procedure() {
        let lc = CaseLifecycle::new(date(2023, 9, 27));
        assert_eq!(lc.law(), LawInForce::Law1999);
        let periods = PeriodDueDates {
            review_due_on: Some(date(2023, 10, 11)),
            ..PeriodDueDates::default()
        };
        assert_rule(
            on_date(
                &lc,
                &accept(Procedure::Simplified),
                date(2023, 10, 9),
                periods,
            )
            .unwrap_err(),
            "art_53",
        );
        let accepted = on_date(
            &lc,
            &accept(Procedure::Ordinary),
            date(2023, 10, 9),
            periods,
        )
        .unwrap();
        assert_eq!(accepted.accepted_on, Some(date(2023, 9, 27)));
        let lapsed = on_date(
            &lc,
            &accept(Procedure::Ordinary),
            date(2023, 10, 16),
            periods,
        )
        .unwrap();
        assert_eq!(lapsed.accepted_on, Some(date(2023, 9, 27)));
        assert!(lapsed.deemed_accepted);
        // Written review is the earlier law's rule (its art. 22), with no art. 49 condition.
        let replied = step_on(
            &accepted,
            reply_on(date(2023, 10, 9), date(2023, 10, 19)),
            date(2023, 10, 19),
        );
        let written = Action::Hear {
            method: HearingMethod::WrittenOpinions,
            hearing_on: None,
            notice_on: None,
            parties_unavailable: false,
        };
        assert!(
            on_date(
                &replied,
                &written,
                date(2023, 10, 20),
                PeriodDueDates::default()
            )
            .is_ok()
        );
    }

    fn step_on(lc: &CaseLifecycle, action: Action, on: NaiveDate) -> CaseLifecycle {
        on_date(lc, &action, on, PeriodDueDates::default()).unwrap()
    }

    fn reply_on(copy: NaiveDate, reply: NaiveDate) -> Action {
        Action::RecordReply {
            copy_sent_on: Some(copy),
            copy_received_on: Some(copy),
            reply_received_on: Some(reply),
        }
    }

    #[test]
    fn art_49_written_review_under_ordinary_procedure_needs_the_parties_unavailable() {
        let replied = step(&filed(Procedure::Ordinary), reply(Some(3), Some(8)), 8);
        let written = |parties_unavailable| Action::Hear {
            method: HearingMethod::WrittenOpinions,
            hearing_on: None,
            notice_on: None,
            parties_unavailable,
        };
        let settings = LifecycleSettings::default();
        assert_rule(
            refuse(&replied, written(false), &ctx(&settings, 9)),
            "art_49",
        );
        assert_eq!(step(&replied, written(true), 9).state, S::Heard);
        assert_invalid(
            refuse(
                &replied,
                Action::Hear {
                    method: HearingMethod::InPerson,
                    hearing_on: None,
                    notice_on: None,
                    parties_unavailable: true,
                },
                &ctx(&settings, 9),
            ),
            "parties_unavailable",
        );
        // Simplified procedure may review in writing (art. 54).
        let simplified = step(&filed(Procedure::Simplified), reply(Some(3), Some(8)), 8);
        assert_eq!(step(&simplified, written(false), 9).state, S::Heard);
    }

    #[test]
    fn art_50_a_formal_hearing_may_follow_opinions_heard() {
        let settings = LifecycleSettings::default();
        let lc = heard(Procedure::Ordinary);
        assert_rule(refuse(&lc, hear_in_person(), &ctx(&settings, 30)), "art_50");
        let mut c = ctx(&settings, 30);
        c.hearing_notice_working_days = Some(6);
        let hearing = lc.apply(&formal_hearing(Some(15), Some(25)), &c).unwrap();
        assert_eq!(hearing.state, S::Heard);
        assert_eq!(hearing.hearings_held, 1);
        assert_eq!(hearing.heard_on, lc.heard_on);
    }

    #[test]
    fn art_70_binds_a_heard_case_whose_reply_came_late_or_never() {
        let settings = LifecycleSettings::default();
        let lc = heard(Procedure::Ordinary); // copy on day 3, reply on day 10
        // Reply due on day 9: it came a day late.
        let mut c = ctx(&settings, 20);
        c.periods.reply_due_on = Some(day(9));
        for disposition in Disposition::iter() {
            let result = lc.apply(&decide(disposition), &c);
            if disposition.follows_missing_reply() {
                assert!(result.is_ok(), "{disposition}");
            } else {
                assert_rule(result.unwrap_err(), "art_70");
            }
        }
        // A third party's evidence lifts the bar.
        let mut upheld = decide(Disposition::Uphold);
        if let Action::Decide {
            third_party_evidence,
            ..
        } = &mut upheld
        {
            *third_party_evidence = true;
        }
        // Only a third party recorded on the case can have supplied it.
        assert_rule(refuse(&lc, upheld.clone(), &c), "art_70");
        let with_third_party = step(&lc, sample(K::AddThirdParty), 14);
        assert_eq!(
            with_third_party.apply(&upheld, &c).unwrap().state,
            S::Upheld
        );
        // In time: any outcome.
        let mut c = ctx(&settings, 20);
        c.periods.reply_due_on = Some(day(10));
        assert_eq!(
            lc.apply(&decide(Disposition::Uphold), &c).unwrap().state,
            S::Upheld
        );
    }

    fn worsening(requested_by: Option<u32>) -> Action {
        let mut action = decide(Disposition::Alter);
        if let Action::Decide {
            worsens_applicant,
            worsening_requested_by,
            ..
        } = &mut action
        {
            *worsens_applicant = true;
            *worsening_requested_by = requested_by;
        }
        action
    }

    /// Issue 14: third parties join and withdraw; art. 63 para 2 lets an alter decision worsen
    /// the applicant's position only at the request of a third party still taking part.
    #[test]
    fn art_16_and_63_third_parties() {
        let settings = LifecycleSettings::default();
        let c = ctx(&settings, 30);
        let lc = heard(Procedure::Ordinary);
        assert_rule(refuse(&lc, sample(K::WithdrawThirdParty), &c), "art_16");
        let joined = step(&lc, sample(K::AddThirdParty), 13);
        let second = step(
            &joined,
            Action::AddThirdParty {
                name: "某公司".to_owned(),
                kind: PartyKind::LegalPerson,
                basis: ThirdPartyBasis::OwnApplication,
            },
            14,
        );
        let numbers: Vec<u32> = second.third_parties.iter().map(|p| p.number).collect();
        assert_eq!(numbers, [1, 2]);
        assert_eq!(second.third_parties[1].joined_on, day(14));
        let blank = Action::AddThirdParty {
            name: " ".to_owned(),
            kind: PartyKind::NaturalPerson,
            basis: ThirdPartyBasis::OwnApplication,
        };
        assert_invalid(refuse(&second, blank, &c), "name");

        // Without a request, or at the request of nobody recorded, worsening is refused.
        assert_rule(refuse(&second, worsening(None), &c), "art_63");
        assert_invalid(
            refuse(&second, worsening(Some(3)), &c),
            "worsening_requested_by",
        );
        let mut upheld_worse = decide(Disposition::Uphold);
        if let Action::Decide {
            worsens_applicant, ..
        } = &mut upheld_worse
        {
            *worsens_applicant = true;
        }
        assert_invalid(refuse(&second, upheld_worse, &c), "worsens_applicant");
        let altered = second.apply(&worsening(Some(2)), &c).unwrap();
        assert_eq!(altered.state, S::Altered);
        assert!(altered.worsens_applicant);
        assert_eq!(altered.worsening_requested_by, Some(2));

        // A third party who withdrew no longer carries its request.
        let left = step(&second, Action::WithdrawThirdParty { third_party: 2 }, 20);
        assert_eq!(left.third_parties[1].withdrawn_on, Some(day(20)));
        assert_rule(refuse(&left, worsening(Some(2)), &c), "art_63");
        assert_invalid(
            refuse(&left, Action::WithdrawThirdParty { third_party: 2 }, &c),
            "third_party",
        );
    }

    fn withdrawal_through(consent: Option<Vec<u32>>, given_on: u64) -> Action {
        Action::Terminate {
            ground: TerminationGround::Withdrawn,
            explanation: None,
            through_representative: Some(ThroughRepresentative {
                representative: 1,
                consent: consent.map(|applicants| ApplicantsConsent {
                    given_on: day(given_on),
                    applicants,
                }),
            }),
        }
    }

    /// Issue 14: a representative's withdrawal binds the applicants it acts for only with
    /// their consent (art. 15 para 2).
    #[test]
    fn art_15_a_representative_withdraws_with_the_applicants_consent() {
        let settings = LifecycleSettings::default();
        let c = ctx(&settings, 30);
        let lc = heard(Procedure::Ordinary);
        assert_invalid(
            refuse(&lc, withdrawal_through(Some(vec![0, 1]), 25), &c),
            "through_representative.representative",
        );
        let represented = step(&lc, sample(K::AppointRepresentative), 13);
        assert_eq!(represented.representatives[0].applicants, [0, 1]);
        assert_rule(
            refuse(&represented, withdrawal_through(None, 25), &c),
            "art_15",
        );
        assert_rule(
            refuse(&represented, withdrawal_through(Some(vec![0]), 25), &c),
            "art_15",
        );
        assert_invalid(
            refuse(
                &represented,
                withdrawal_through(Some(vec![0, 1, 2]), 25),
                &c,
            ),
            "through_representative.consent.applicants",
        );
        assert_invalid(
            refuse(&represented, withdrawal_through(Some(vec![0, 1]), 31), &c),
            "through_representative.consent.given_on",
        );
        let withdrawn = represented
            .apply(&withdrawal_through(Some(vec![1, 0]), 25), &c)
            .unwrap();
        assert_eq!(withdrawn.state, S::Terminated);
        assert!(withdrawn.concluded_through_representative.is_some());
        // Only a withdrawal or settlement goes through a representative.
        let Action::Terminate {
            through_representative,
            ..
        } = withdrawal_through(Some(vec![0, 1]), 25)
        else {
            unreachable!()
        };
        let died = Action::Terminate {
            ground: TerminationGround::CriminalMeasures,
            explanation: None,
            through_representative,
        };
        assert_invalid(refuse(&represented, died, &c), "through_representative");
        assert_invalid(
            refuse(
                &lc,
                Action::AppointRepresentative {
                    name: "张三".to_owned(),
                    applicants: vec![0, 0],
                },
                &c,
            ),
            "applicants",
        );
    }

    /// Issue 14: a case marked for the committee is decided only after a consultation (art. 52).
    #[test]
    fn art_52_a_marked_case_is_decided_after_the_committee_advised() {
        let settings = LifecycleSettings::default();
        let c = ctx(&settings, 30);
        let marked = step(&heard(Procedure::Ordinary), sample(K::MarkForCommittee), 13);
        assert_eq!(marked.committee_marked_on, Some(day(13)));
        assert_rule(refuse(&marked, decide(Disposition::Uphold), &c), "art_52");
        assert!(!allowed_actions(&marked, &[Role::Head], true).contains(&K::Decide));
        let consulted = step(
            &marked,
            Action::RecordCommitteeConsultation {
                opinion: "多数意见认为应予维持".to_owned(),
                requested_on: Some(day(14)),
            },
            20,
        );
        assert_eq!(consulted.committee_consultations[0].opinion_on, day(20));
        assert_eq!(
            consulted
                .apply(&decide(Disposition::Uphold), &c)
                .unwrap()
                .state,
            S::Upheld
        );
        let early = Action::RecordCommitteeConsultation {
            opinion: "意见".to_owned(),
            requested_on: Some(day(25)),
        };
        assert_invalid(refuse(&marked, early, &ctx(&settings, 20)), "requested_on");
    }

    /// Issue 14: suspension, resumption and extension record the day the parties were notified
    /// (arts. 39, 62), not before the action and not in the future.
    #[test]
    fn written_notices_of_suspension_resumption_and_extension() {
        let settings = LifecycleSettings::default();
        let lc = heard(Procedure::Ordinary);
        let suspended = step(
            &lc,
            Action::Suspend {
                ground: SuspensionGround::ForceMajeure,
                parties_notified_on: Some(day(16)),
            },
            15,
        );
        let resumed = step(
            &suspended,
            Action::Resume {
                parties_notified_on: Some(day(20)),
            },
            20,
        );
        let extended = step(
            &resumed,
            Action::Extend {
                days: 10,
                reason: "案情复杂".to_owned(),
                parties_notified_on: Some(day(22)),
            },
            21,
        );
        let notices: Vec<(ActionKind, NaiveDate, NaiveDate)> = extended
            .written_notices
            .iter()
            .map(|n| (n.action, n.action_on, n.notified_on))
            .collect();
        assert_eq!(
            notices,
            [
                (K::Suspend, day(15), day(16)),
                (K::Resume, day(20), day(20)),
                (K::Extend, day(21), day(22)),
            ]
        );
        let before = Action::Suspend {
            ground: SuspensionGround::ForceMajeure,
            parties_notified_on: Some(day(14)),
        };
        assert_invalid(
            refuse(&lc, before, &ctx(&settings, 15)),
            "parties_notified_on",
        );
        let ahead = Action::Extend {
            days: 10,
            reason: "案情复杂".to_owned(),
            parties_notified_on: Some(day(TODAY + 1)),
        };
        assert_invalid(
            refuse(&lc, ahead, &ctx(&settings, 15)),
            "parties_notified_on",
        );
    }

    #[test]
    fn art_62_no_extension_or_conversion_once_the_decision_period_ran_out() {
        let settings = LifecycleSettings::default();
        let mut c = ctx(&settings, 63);
        c.periods.decision_due_on = Some(day(62));
        let ordinary = heard(Procedure::Ordinary);
        assert_rule(refuse(&ordinary, extend(10), &c), "art_62");
        let simplified = heard(Procedure::Simplified);
        let convert = Action::ConvertToOrdinary {
            reason: "争议较大".to_owned(),
        };
        assert_rule(refuse(&simplified, convert.clone(), &c), "art_62");
        let circumstances = Circumstances {
            on: day(63),
            reply_overdue: false,
            periods: c.periods,
        };
        let both = [Role::Officer, Role::Head];
        assert!(
            !allowed_actions_in(&ordinary, &both, &circumstances, &settings).contains(&K::Extend)
        );
        // On the last day both are still possible.
        let mut c = ctx(&settings, 62);
        c.periods.decision_due_on = Some(day(62));
        assert!(ordinary.apply(&extend(10), &c).is_ok());
        assert!(simplified.apply(&convert, &c).is_ok());
    }

    #[test]
    fn art_61_a_decision_names_its_approval() {
        let settings = LifecycleSettings::default();
        let lc = heard(Procedure::Ordinary);
        let mut blank = decide(Disposition::Uphold);
        if let Action::Decide { approval, .. } = &mut blank {
            approval.approver = " ".to_owned();
        }
        assert_invalid(refuse(&lc, blank, &ctx(&settings, 30)), "approval.approver");
        let mut collective = decide(Disposition::Uphold);
        if let Action::Decide { approval, .. } = &mut collective {
            *approval = Approval {
                route: ApprovalRoute::CollectiveDiscussion,
                approver: "市政府常务会议".to_owned(),
            };
        }
        let decided = step(&lc, collective, 30);
        assert_eq!(
            decided.approval.map(|a| a.route),
            Some(ApprovalRoute::CollectiveDiscussion)
        );
        let json = serde_json::json!({
            "action": "decide", "disposition": "uphold", "document_number": "1",
            "reasoning": "r", "legal_basis": "b"
        });
        assert!(
            serde_json::from_value::<Action>(json).is_err(),
            "approval is required"
        );
    }

    /// Issue 14, art. 72: a decision that revokes, alters or confirms illegal must rule on a
    /// joined compensation claim; a ruling needs a claim; an award names its amount.
    #[test]
    fn art_72_compensation_claims_are_ruled_on() {
        let settings = LifecycleSettings::default();
        let with_claim = step(
            &heard(Procedure::Ordinary),
            sample(K::RecordCompensationClaim),
            14,
        );
        assert_eq!(
            with_claim
                .compensation_claim
                .as_ref()
                .and_then(|c| c.amount_fen),
            Some(120_000)
        );
        let ruling = |outcome, amount_fen| {
            let mut action = decide(Disposition::Revoke);
            if let Action::Decide { compensation, .. } = &mut action {
                *compensation = Some(CompensationRuling {
                    outcome,
                    amount_fen,
                });
            }
            action
        };
        let c = ctx(&settings, 20);
        assert!(matches!(
            refuse(&with_claim, decide(Disposition::Revoke), &c),
            Refusal::RuleViolated { rule: "art_72", .. }
        ));
        assert!(matches!(
            refuse(&with_claim, decide(Disposition::ConfirmIllegal), &c),
            Refusal::RuleViolated { rule: "art_72", .. }
        ));
        // Upholding need not rule on it.
        step(&with_claim, decide(Disposition::Uphold), 20);
        assert_invalid(
            refuse(&with_claim, ruling(CompensationOutcome::Award, None), &c),
            "compensation.amount_fen",
        );
        assert_invalid(
            refuse(
                &with_claim,
                ruling(CompensationOutcome::Reject, Some(5)),
                &c,
            ),
            "compensation.amount_fen",
        );
        assert_invalid(
            refuse(
                &heard(Procedure::Ordinary),
                ruling(CompensationOutcome::Reject, None),
                &c,
            ),
            "compensation",
        );
        let awarded = step(
            &with_claim,
            ruling(CompensationOutcome::Award, Some(80_000)),
            20,
        );
        assert_eq!(
            awarded.compensation_ruling,
            Some(CompensationRuling {
                outcome: CompensationOutcome::Award,
                amount_fen: Some(80_000)
            })
        );
    }

    /// Issue 14: an application withdrawn under review or awaiting a supplement ends in its own
    /// terminal state, neither concluded nor not accepted, dated by the withdrawal; once the
    /// review has lapsed the application counts as accepted and a withdrawal is a termination.
    #[test]
    fn withdrawal_before_acceptance() {
        let settings = LifecycleSettings::default();
        let withdraw = || Action::WithdrawApplication {
            explanation: Some("申请人书面撤回".to_owned()),
            through_representative: None,
        };
        let received = CaseLifecycle::new(day(0));
        let withdrawn = step(&received, withdraw(), 2);
        assert_eq!(withdrawn.state, S::WithdrawnBeforeAcceptance);
        assert_eq!(withdrawn.withdrawn_on, Some(day(2)));
        assert_eq!(
            (withdrawn.concluded_on, withdrawn.declined_on),
            (None, None)
        );
        assert!(withdrawn.state.is_terminal() && !withdrawn.state.is_concluded());
        assert!(allowed_actions(&withdrawn, &[Role::Officer, Role::Head], false).is_empty());

        let awaiting = step(&received, sample(K::RequestSupplement), 1);
        let from_awaiting = step(&awaiting, withdraw(), 30);
        assert_eq!(from_awaiting.withdrawn_on, Some(day(30)));

        let mut lapsed = ctx(&settings, 9);
        lapsed.periods.review_due_on = Some(day(7));
        assert!(matches!(
            refuse(&received, withdraw(), &lapsed),
            Refusal::RuleViolated { rule: "art_30", .. }
        ));
        let filed = filed(Procedure::Ordinary);
        assert!(matches!(
            refuse(&filed, withdraw(), &ctx(&settings, 5)),
            Refusal::NotAllowedInState { allowed, .. } if allowed.contains(&K::Terminate)
        ));
    }

    #[test]
    fn art_31_supplement_notice_receipt_and_extension() {
        let settings = LifecycleSettings::default();
        let awaiting = step(&CaseLifecycle::new(day(0)), sample(K::RequestSupplement), 1);
        let record = |received_on: Option<u64>, days: Option<u32>, reason: Option<&str>| {
            Action::RecordSupplementNotice {
                received_on: received_on.map(day),
                extend_working_days: days,
                reason: reason.map(str::to_owned),
            }
        };
        assert_invalid(
            refuse(&awaiting, record(Some(0), None, None), &ctx(&settings, 3)),
            "received_on",
        );
        assert_invalid(
            refuse(&awaiting, record(Some(4), None, None), &ctx(&settings, 3)),
            "received_on",
        );
        assert_invalid(
            refuse(&awaiting, record(None, None, None), &ctx(&settings, 3)),
            "received_on",
        );
        assert_invalid(
            refuse(
                &awaiting,
                record(None, Some(5), Some("外地调取材料")),
                &ctx(&settings, 3),
            ),
            "extend_working_days",
        );
        let received = step(&awaiting, record(Some(3), None, None), 3);
        assert_invalid(
            refuse(&received, record(None, Some(5), None), &ctx(&settings, 5)),
            "reason",
        );
        let extended = step(&received, record(None, Some(5), Some("外地调取材料")), 5);
        assert_eq!(extended.supplement_extension_working_days, 5);
        // No extension once the time to supplement has run out.
        let mut c = ctx(&settings, 20);
        c.periods.supplement_due_on = Some(day(19));
        assert_rule(
            refuse(&extended, record(None, Some(5), Some("再延")), &c),
            "art_31",
        );
    }

    #[test]
    fn the_copy_is_received_after_it_is_sent() {
        let settings = LifecycleSettings::default();
        let bad = Action::RecordReply {
            copy_sent_on: Some(day(5)),
            copy_received_on: Some(day(4)),
            reply_received_on: None,
        };
        assert_invalid(
            refuse(&filed(Procedure::Ordinary), bad, &ctx(&settings, 6)),
            "copy_received_on",
        );
        let received_later = Action::RecordReply {
            copy_sent_on: None,
            copy_received_on: Some(day(7)),
            reply_received_on: None,
        };
        let sent = step(
            &filed(Procedure::Ordinary),
            Action::RecordReply {
                copy_sent_on: Some(day(5)),
                copy_received_on: None,
                reply_received_on: None,
            },
            5,
        );
        let received = step(&sent, received_later, 8);
        assert_eq!(
            (received.copy_sent_on, received.copy_received_on),
            (Some(day(5)), Some(day(7)))
        );
    }
}
