//! Who takes part in a case beside the applicant and the respondent, and the procedural records
//! around them: third parties (art. 16), representatives and the consent of those they represent
//! (art. 15), the reconsideration committee (art. 52) and the written notices of arts. 39 and 62.
//!
//! The records live in the lifecycle aggregate; the rules that use them are in
//! [`super::lifecycle`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use strum::{Display, EnumIter, EnumString, IntoStaticStr};
use utoipa::ToSchema;

use super::{case::PartyKind, lifecycle::ActionKind};

/// How a third party came to take part (art. 16).
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
pub enum ThirdPartyBasis {
    /// 申请参加: the third party applied to take part.
    OwnApplication,
    /// 通知参加: the office notified it to take part.
    NotifiedByOrgan,
}

/// A third party (第三人) taking part in the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ThirdParty {
    /// Its number on the case, 1 for the first added; actions name it by this number.
    pub number: u32,
    /// The person's or body's name.
    pub name: String,
    /// Natural person, legal person or other organisation; unknown (`null`) for a third party
    /// of an imported case whose file did not say.
    #[serde(default)]
    pub kind: Option<PartyKind>,
    /// Applied to take part, or notified by the office.
    pub basis: ThirdPartyBasis,
    /// The day it joined.
    pub joined_on: NaiveDate,
    /// The day it withdrew, if it did; the case goes on without it (art. 16 para 2).
    #[serde(default)]
    pub withdrawn_on: Option<NaiveDate>,
}

/// A representative (代表人) the applicants chose among themselves (art. 15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Representative {
    /// Its number on the case, 1 for the first appointed; actions name it by this number.
    pub number: u32,
    /// The representative's name.
    pub name: String,
    /// The applicants who chose them, by 0-based position among the case's parties.
    pub applicants: Vec<u32>,
    /// The day the appointment was recorded.
    pub appointed_on: NaiveDate,
}

/// The written consent of represented applicants to an act of their representative (art. 15
/// para 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicantsConsent {
    /// The day the consent was given.
    pub given_on: NaiveDate,
    /// The applicants who consented, by 0-based position among the case's parties: every
    /// applicant the representative acts for.
    #[schema(min_items = 1)]
    pub applicants: Vec<u32>,
}

/// A withdrawal or settlement made through a representative, with the consent of those it binds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThroughRepresentative {
    /// The representative's number on the case.
    pub representative: u32,
    /// The represented applicants' consent; without it the act is refused (art. 15 para 2).
    #[serde(default)]
    pub consent: Option<ApplicantsConsent>,
}

/// Why a case must go to the reconsideration committee for its advisory opinion (art. 52 para 2).
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
pub enum CommitteeGround {
    /// (1) 案情重大、疑难、复杂.
    MajorDifficultComplex,
    /// (2) 专业性、技术性较强.
    Technical,
    /// (3) A case under art. 24 para 2 (a provincial government's department's act).
    ProvincialDepartmentAct,
    /// (4) The office thinks it necessary.
    DeemedNecessary,
}

/// A consultation of the reconsideration committee (行政复议委员会) and its opinion (art. 52).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CommitteeConsultation {
    /// The day the committee was asked, if recorded.
    #[serde(default)]
    pub requested_on: Option<NaiveDate>,
    /// The day its opinion was given: the action's date.
    pub opinion_on: NaiveDate,
    /// The opinion, as the office records it (art. 52 para 3).
    pub opinion: String,
}

/// The written notice to the parties that a case was suspended, resumed or extended (arts. 39
/// para 3, 62).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WrittenNotice {
    /// What the parties were told of: `suspend`, `resume` or `extend`.
    pub action: ActionKind,
    /// The day of that action.
    pub action_on: NaiveDate,
    /// The day the parties were notified.
    pub notified_on: NaiveDate,
}
