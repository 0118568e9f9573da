//! Which Administrative Reconsideration Law a case runs under, chosen by the day it was received
//! (domain.md, "Time limits": cases received before 2024-01-01 fall under the earlier law).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use strum::{Display, EnumIter, EnumString, IntoStaticStr};
use utoipa::ToSchema;

/// The day the 2023 revision took effect (its art. 90).
pub const LAW_2023_IN_FORCE_FROM: NaiveDate = match NaiveDate::from_ymd_opt(2024, 1, 1) {
    Some(date) => date,
    None => panic!("2024-01-01 is a date"),
};

/// The law a case runs under. The snake_case value is both the API value and the database text.
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
pub enum LawInForce {
    /// The 1999 law as amended in 2017: only its 5- and 7-day periods are working days (its
    /// art. 40), an application counts as accepted on receipt unless refused within 5 working
    /// days (its art. 17), and there is no simplified procedure.
    #[serde(rename = "law_1999")]
    #[strum(serialize = "law_1999")]
    Law1999,
    /// The law as revised in 2023, in force from 2024-01-01.
    #[serde(rename = "law_2023")]
    #[strum(serialize = "law_2023")]
    Law2023,
}

impl LawInForce {
    /// The law for an application received on `received_on`.
    pub fn for_received_on(received_on: NaiveDate) -> Self {
        if received_on < LAW_2023_IN_FORCE_FROM {
            Self::Law1999
        } else {
            Self::Law2023
        }
    }

    /// Whether the law has a simplified procedure (2023 law, arts. 53–55).
    pub fn has_simplified_procedure(self) -> bool {
        self == Self::Law2023
    }

    /// Whether the respondent's 10-day reply period counts working days. The 2023 law counts its
    /// 3, 5, 7 and 10 days as working days (art. 88); the earlier law only its 5 and 7 days (its
    /// art. 40), so its 10-day reply period is calendar days.
    pub fn reply_period_in_working_days(self) -> bool {
        self == Self::Law2023
    }

    /// Whether the application counts as accepted on receipt (earlier law, its art. 17) rather
    /// than on the day the review period lapsed (2023 law, art. 30 para 3) when no decision on
    /// acceptance was taken in time.
    pub fn accepted_on_receipt_when_review_lapses(self) -> bool {
        self == Self::Law1999
    }

    /// Whether ordinary procedure needs the parties heard (2023 law, art. 49), so written review
    /// is only for parties who could not be heard for their own reasons. The earlier law reviews
    /// in writing as a rule (its art. 22).
    pub fn ordinary_procedure_hears_parties(self) -> bool {
        self == Self::Law2023
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn the_2023_law_governs_applications_received_from_new_year_2024() {
        assert_eq!(
            LawInForce::for_received_on(d(2023, 12, 31)),
            LawInForce::Law1999
        );
        assert_eq!(
            LawInForce::for_received_on(d(2024, 1, 1)),
            LawInForce::Law2023
        );
        assert_eq!(
            LawInForce::for_received_on(d(2023, 1, 3)),
            LawInForce::Law1999
        );
    }

    #[test]
    fn the_api_and_database_values_match_the_generated_column() {
        assert_eq!(LawInForce::Law1999.to_string(), "law_1999");
        assert_eq!(
            serde_json::to_value(LawInForce::Law2023).unwrap(),
            serde_json::json!("law_2023")
        );
    }

    #[test]
    fn the_earlier_law_has_no_simplified_procedure_and_calendar_reply_days() {
        let old = LawInForce::Law1999;
        assert!(!old.has_simplified_procedure());
        assert!(!old.reply_period_in_working_days());
        assert!(old.accepted_on_receipt_when_review_lapses());
        let new = LawInForce::Law2023;
        assert!(new.has_simplified_procedure());
        assert!(new.reply_period_in_working_days());
        assert!(!new.accepted_on_receipt_when_review_lapses());
    }
}
