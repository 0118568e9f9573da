//! Statistics definitions: which cases each figure counts and how rates are formed.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The two published definitions of the correction rate (纠错率).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RateDefinition {
    /// corrected ÷ concluded (common in local reports).
    AllConcluded,
    /// corrected ÷ decided on the merits (the Ministry of Justice's national figures).
    DecidedOnMerits,
}
