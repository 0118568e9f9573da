//! Statistics definitions: which cases each figure counts, and how rates are formed.
//!
//! Each count is a measure of the one table in [`super::measures`]; [`tally`] evaluates the table
//! over plain case facts, the SQL in `db::statistics` (derived from the same table) computes the
//! same counts straight from the tables, and the tests hold the two together.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    case::Channel,
    lifecycle::{CaseState, Procedure, TerminationGround},
    measures::MEASURES,
};

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
    /// corrected ÷ decided on the merits (the Ministry of Justice's national figures): mediated,
    /// terminated and dismissed applications are left out of the base.
    DecidedOnMerits,
}

/// A rate with the exact counts it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Rate {
    /// Which definition the rate follows (`correction_rate` has two; the others one each).
    pub definition: &'static str,
    pub numerator: u64,
    pub denominator: u64,
    /// Percent rounded half-up to two decimals; null when the denominator is zero.
    pub percent: Option<f64>,
}

impl Rate {
    /// numerator ÷ denominator as a percentage, rounded half-up to two decimals.
    pub fn new(definition: &'static str, numerator: u64, denominator: u64) -> Self {
        Self {
            definition,
            numerator,
            denominator,
            percent: percent_half_up(numerator, denominator),
        }
    }
}

/// Integer arithmetic so 17.125 rounds to 17.13 (binary floating point would not).
pub fn percent_half_up(numerator: u64, denominator: u64) -> Option<f64> {
    if denominator == 0 {
        return None;
    }
    let (n, d) = (u128::from(numerator), u128::from(denominator));
    let hundredths = (n * 10_000 * 2 + d) / (2 * d);
    // Exact for any realistic count (hundredths < 2^53).
    Some(hundredths as f64 / 100.0)
}

/// What the figures need to know about one case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFacts {
    pub state: CaseState,
    pub channel: Channel,
    pub received_on: NaiveDate,
    pub accepted_on: Option<NaiveDate>,
    pub declined_on: Option<NaiveDate>,
    /// The day the application was withdrawn before acceptance.
    pub withdrawn_on: Option<NaiveDate>,
    pub concluded_on: Option<NaiveDate>,
    pub termination_ground: Option<TerminationGround>,
    pub procedure: Option<Procedure>,
    pub enterprise_related: bool,
    pub suspended_days: u32,
    pub extension_days: u32,
    pub hearings_held: u32,
    pub decision_due_on: Option<NaiveDate>,
    /// Enforcement of the act was stopped (art. 42).
    pub enforcement_stayed: bool,
    /// The applicant asked for a normative-document review (art. 13).
    pub normative_review_requested: bool,
    /// That review found provisions unlawful (art. 59).
    pub normative_found_unlawful: bool,
    /// A compensation claim was joined to the application (art. 72).
    pub compensation_claimed: bool,
    /// The compensation the decision awarded in money, in fen.
    pub compensation_awarded_fen: Option<u64>,
    /// Third parties recorded on the case (art. 16), including any who withdrew.
    pub third_parties: u32,
    /// Consultations of the reconsideration committee recorded on the case (art. 52).
    pub committee_consultations: u32,
}

/// Declares `Counts`: a struct of `u64` counts, each named as the measure it holds, with its
/// field names and access by name, so that measures are read by name and never by position.
macro_rules! named_counts {
    ($(#[$meta:meta])* pub struct $name:ident {
        $($(#[$field_meta:meta])* $field:ident,)+
    }) => {
        $(#[$meta])*
        pub struct $name {
            $($(#[$field_meta])* pub $field: u64,)+
        }

        impl $name {
            /// The names of the counts, in declaration order.
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),+];

            /// The count of a measure's name.
            pub fn get(&self, name: &str) -> Option<u64> {
                match name {
                    $(stringify!($field) => Some(self.$field),)+
                    _ => None,
                }
            }

            /// The count of a measure's name, to add to.
            pub fn get_mut(&mut self, name: &str) -> Option<&mut u64> {
                match name {
                    $(stringify!($field) => Some(&mut self.$field),)+
                    _ => None,
                }
            }

            /// Adds another bucket's counts to these (every count is additive).
            pub fn absorb(&mut self, other: &$name) {
                $(self.$field += other.$field;)+
            }
        }
    };
}

named_counts! {
/// The counts of a period, before rates are formed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Counts {
    /// Applications received in the period (by date received).
    received,
    /// Of those, enterprise-related (涉企).
    received_enterprise,
    /// Accepted in the period (by date accepted).
    accepted,
    /// Of those, under simplified procedure.
    accepted_simplified,
    /// Declined in the period (不予受理, by date declined).
    not_accepted,
    /// Withdrawn by the applicant before acceptance (撤回申请, by date withdrawn); neither
    /// concluded nor declined.
    withdrawn_before_acceptance,
    /// Concluded in the period (审结: any terminal state but not_accepted and
    /// withdrawn_before_acceptance, by conclusion date).
    concluded,
    /// Concluded as altered, revoked, confirmed illegal, ordered to perform or confirmed invalid.
    corrected,
    /// Concluded by one of the seven decisions on the merits.
    decided_on_merits,
    altered,
    revoked,
    confirmed_illegal,
    ordered_to_perform,
    confirmed_invalid,
    upheld,
    request_rejected,
    application_dismissed,
    mediated,
    terminated,
    /// Terminated because the applicant withdrew, or settled and withdrew (撤).
    withdrawn,
    /// Concluded on or before the decision deadline.
    concluded_on_time,
    /// Concluded after it.
    concluded_late,
    /// Formal hearings (听证) in cases concluded in the period.
    hearings_held,
    /// Cases concluded in the period that had an extension granted.
    extended,
    /// Cases concluded in the period in which enforcement of the act was stopped (art. 42).
    enforcement_stayed,
    /// Applications received in the period asking to review a normative document (art. 13).
    normative_reviews_requested,
    /// Cases concluded in the period whose normative-document review found provisions unlawful.
    normative_found_unlawful,
    /// Applications received in the period with a compensation claim joined (art. 72).
    compensation_claims,
    /// Cases concluded in the period whose decision awarded compensation in money.
    compensation_awarded,
    /// The compensation those decisions awarded, in fen.
    compensation_awarded_fen,
    /// Cases concluded in the period with a third party (第三人, art. 16), even one who withdrew.
    with_third_party,
    /// Consultations of the reconsideration committee (art. 52) in cases concluded in the period.
    committee_consultations,
}
}

/// Duration figures: days from acceptance to conclusion, less days suspended.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Durations {
    /// Cases measured (concluded in the period after acceptance).
    pub cases: u64,
    pub mean_days: Option<f64>,
    pub median_days: Option<f64>,
    pub p90_days: Option<f64>,
}

/// Cases open at the end of the period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OpenAtEnd {
    /// Received by the end and neither concluded nor declined by then (在办).
    pub open: u64,
    /// Of those, accepted and past their decision deadline at the end (超期).
    pub overdue: u64,
}

/// Every figure of a period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Figures {
    pub counts: Counts,
    /// 纠错率 under the requested definition.
    pub correction_rate: Rate,
    /// 调撤率: (mediated + withdrawn) ÷ concluded.
    pub mediation_withdrawal_rate: Rate,
    /// 综合化解率: (corrected + mediated + withdrawn) ÷ concluded.
    pub comprehensive_resolution_rate: Rate,
    /// Concluded on time ÷ concluded.
    pub on_time_rate: Rate,
    /// Simplified ÷ accepted.
    pub simplified_share: Rate,
    /// Enterprise-related ÷ received.
    pub enterprise_share: Rate,
    pub durations: Durations,
    pub open_at_end: OpenAtEnd,
}

impl Figures {
    /// Forms the rates from the counts under `definition`.
    pub fn new(
        counts: Counts,
        durations: Durations,
        open_at_end: OpenAtEnd,
        definition: RateDefinition,
    ) -> Self {
        let correction_base = match definition {
            RateDefinition::AllConcluded => counts.concluded,
            RateDefinition::DecidedOnMerits => counts.decided_on_merits,
        };
        Self {
            correction_rate: Rate::new(definition.into(), counts.corrected, correction_base),
            mediation_withdrawal_rate: Rate::new(
                "mediated_or_withdrawn_over_concluded",
                counts.mediated + counts.withdrawn,
                counts.concluded,
            ),
            comprehensive_resolution_rate: Rate::new(
                "corrected_mediated_or_withdrawn_over_concluded",
                counts.corrected + counts.mediated + counts.withdrawn,
                counts.concluded,
            ),
            on_time_rate: Rate::new(
                "on_time_over_concluded",
                counts.concluded_on_time,
                counts.concluded,
            ),
            simplified_share: Rate::new(
                "simplified_over_accepted",
                counts.accepted_simplified,
                counts.accepted,
            ),
            enterprise_share: Rate::new(
                "enterprise_over_received",
                counts.received_enterprise,
                counts.received,
            ),
            counts,
            durations,
            open_at_end,
        }
    }
}

/// An inclusive range of legal dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// Whether `date` is a day of the period.
    pub fn contains(self, date: Option<NaiveDate>) -> bool {
        date.is_some_and(|d| self.from <= d && d <= self.to)
    }
}

/// Every measure of the table over plain facts, by name: the definition of every count.
pub fn tally_measures<'a>(
    cases: impl IntoIterator<Item = &'a CaseFacts>,
    period: Period,
) -> BTreeMap<&'static str, u64> {
    let mut totals: BTreeMap<&'static str, u64> = MEASURES.iter().map(|m| (m.name, 0)).collect();
    for case in cases {
        for m in MEASURES {
            *totals.entry(m.name).or_default() += m.value(case, period);
        }
    }
    totals
}

/// The counts of a period over plain facts ([`tally_measures`], less the channels).
pub fn tally<'a>(cases: impl IntoIterator<Item = &'a CaseFacts>, period: Period) -> Counts {
    let mut counts = Counts::default();
    for (name, n) in tally_measures(cases, period) {
        if let Some(count) = counts.get_mut(name) {
            *count += n;
        }
    }
    counts
}

/// Handling days of a concluded case: acceptance to conclusion, less days suspended.
pub fn handling_days(case: &CaseFacts) -> Option<i64> {
    let (accepted, concluded) = (case.accepted_on?, case.concluded_on?);
    Some((concluded - accepted).num_days() - i64::from(case.suspended_days))
}

/// Mean, median and 90th percentile (linear interpolation, as PostgreSQL's `percentile_cont`).
pub fn durations(mut days: Vec<i64>) -> Durations {
    if days.is_empty() {
        return Durations::default();
    }
    days.sort_unstable();
    let n = days.len();
    let mean = days.iter().sum::<i64>() as f64 / n as f64;
    let percentile = |p: f64| {
        let rank = p * (n - 1) as f64;
        let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
        days[low] as f64 + (days[high] - days[low]) as f64 * (rank - low as f64)
    };
    Durations {
        cases: n as u64,
        mean_days: Some(round2(mean)),
        median_days: Some(round2(percentile(0.5))),
        p90_days: Some(round2(percentile(0.9))),
    }
}

/// Handling days as counted from SQL: how many cases took each number of days. Histograms of
/// two buckets add up; the figures come out exactly as [`durations`] would give them.
pub type DaysHistogram = BTreeMap<i64, u64>;

/// [`durations`] over a histogram, without expanding it.
pub fn durations_from_histogram(histogram: &DaysHistogram) -> Durations {
    let n: u64 = histogram.values().sum();
    if n == 0 {
        return Durations::default();
    }
    let total: i64 = histogram
        .iter()
        .map(|(days, count)| days * i64::try_from(*count).unwrap_or(i64::MAX))
        .sum();
    // The value at 0-based position `index` of the sorted multiset.
    let at = |index: u64| -> i64 {
        let mut seen = 0;
        for (days, count) in histogram {
            seen += count;
            if index < seen {
                return *days;
            }
        }
        histogram.keys().next_back().copied().unwrap_or_default()
    };
    let percentile = |p: f64| {
        let rank = p * (n - 1) as f64;
        let (low, high) = (rank.floor() as u64, rank.ceil() as u64);
        let (a, b) = (at(low), at(high));
        a as f64 + (b - a) as f64 * (rank - low as f64)
    };
    Durations {
        cases: n,
        mean_days: Some(round2(total as f64 / n as f64)),
        median_days: Some(round2(percentile(0.5))),
        p90_days: Some(round2(percentile(0.9))),
    }
}

/// Rounds half away from zero to two decimals, for display of day counts.
pub fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// Open and overdue cases at the end of `period`.
pub fn open_at_end<'a>(
    cases: impl IntoIterator<Item = &'a CaseFacts>,
    end: NaiveDate,
) -> OpenAtEnd {
    let mut open = OpenAtEnd::default();
    for case in cases {
        let closed_by_end = case
            .concluded_on
            .or(case.declined_on)
            .or(case.withdrawn_on)
            .is_some_and(|d| d <= end);
        if case.received_on <= end && !closed_by_end {
            open.open += 1;
            let accepted_by_end = case.accepted_on.is_some_and(|d| d <= end);
            if accepted_by_end && case.decision_due_on.is_some_and(|due| due < end) {
                open.overdue += 1;
            }
        }
    }
    open
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn concluded(state: CaseState, on: &str) -> CaseFacts {
        CaseFacts {
            state,
            channel: Channel::Online,
            received_on: date("2023-01-03"),
            accepted_on: Some(date("2023-01-05")),
            declined_on: None,
            withdrawn_on: None,
            concluded_on: Some(date(on)),
            termination_ground: None,
            procedure: Some(Procedure::Ordinary),
            enterprise_related: false,
            suspended_days: 0,
            extension_days: 0,
            hearings_held: 0,
            decision_due_on: Some(date("2023-03-06")),
            enforcement_stayed: false,
            normative_review_requested: false,
            normative_found_unlawful: false,
            compensation_claimed: false,
            compensation_awarded_fen: None,
            third_parties: 0,
            committee_consultations: 0,
        }
    }

    fn year_2023() -> Period {
        Period {
            from: date("2023-01-01"),
            to: date("2023-12-31"),
        }
    }

    #[test]
    fn the_2023_report_reads_17_12_and_14_05() {
        // 1,765 concluded: 158 revoked, 56 confirmed illegal, 34 ordered to perform, 316 closed
        // without a merits decision, the rest upheld or rejected.
        let mut cases = Vec::new();
        let mut add = |state, n| {
            for _ in 0..n {
                cases.push(concluded(state, "2023-06-30"));
            }
        };
        add(CaseState::Revoked, 158);
        add(CaseState::ConfirmedIllegal, 56);
        add(CaseState::OrderedToPerform, 34);
        add(CaseState::Terminated, 200);
        add(CaseState::Mediated, 100);
        add(CaseState::ApplicationDismissed, 16);
        add(CaseState::Upheld, 1_765 - 158 - 56 - 34 - 316);
        let counts = tally(&cases, year_2023());
        assert_eq!(counts.concluded, 1_765);
        assert_eq!(counts.corrected, 248);
        assert_eq!(counts.decided_on_merits, 1_449);
        let merits = Figures::new(
            counts.clone(),
            Durations::default(),
            OpenAtEnd::default(),
            RateDefinition::DecidedOnMerits,
        );
        assert_eq!(merits.correction_rate.percent, Some(17.12));
        assert_eq!(merits.correction_rate.definition, "decided_on_merits");
        let all = Figures::new(
            counts,
            Durations::default(),
            OpenAtEnd::default(),
            RateDefinition::AllConcluded,
        );
        assert_eq!(all.correction_rate.percent, Some(14.05));
        assert_eq!(
            (
                all.correction_rate.numerator,
                all.correction_rate.denominator
            ),
            (248, 1_765)
        );
    }

    #[test]
    fn a_zero_denominator_has_no_rate() {
        let figures = Figures::new(
            Counts::default(),
            Durations::default(),
            OpenAtEnd::default(),
            RateDefinition::DecidedOnMerits,
        );
        assert_eq!(figures.correction_rate.percent, None);
        assert_eq!(figures.correction_rate.denominator, 0);
    }

    #[test]
    fn percentages_round_half_up() {
        assert_eq!(percent_half_up(1, 8), Some(12.5));
        assert_eq!(percent_half_up(17_125, 100_000), Some(17.13)); // exactly 17.125
        assert_eq!(percent_half_up(1, 3), Some(33.33));
        assert_eq!(percent_half_up(2, 3), Some(66.67));
        assert_eq!(percent_half_up(61, 62), Some(98.39));
        assert_eq!(percent_half_up(21, 152), Some(13.82));
    }

    #[test]
    fn withdrawals_count_toward_mediation_and_resolution_rates() {
        let mut withdrawn = concluded(CaseState::Terminated, "2023-05-01");
        withdrawn.termination_ground = Some(TerminationGround::Withdrawn);
        let mut died = concluded(CaseState::Terminated, "2023-05-01");
        died.termination_ground = Some(TerminationGround::ApplicantDiedNoSuccessor);
        let cases = vec![
            withdrawn,
            died,
            concluded(CaseState::Mediated, "2023-05-01"),
            concluded(CaseState::Revoked, "2023-05-01"),
        ];
        let figures = Figures::new(
            tally(&cases, year_2023()),
            Durations::default(),
            OpenAtEnd::default(),
            RateDefinition::AllConcluded,
        );
        assert_eq!(figures.counts.withdrawn, 1);
        assert_eq!(figures.mediation_withdrawal_rate.numerator, 2);
        assert_eq!(figures.comprehensive_resolution_rate.numerator, 3);
        assert_eq!(figures.comprehensive_resolution_rate.percent, Some(75.0));
    }

    #[test]
    fn each_date_counts_in_its_own_period() {
        let mut case = concluded(CaseState::Upheld, "2023-02-01");
        case.received_on = date("2022-12-30");
        case.accepted_on = Some(date("2023-01-04"));
        let january = Period {
            from: date("2023-01-01"),
            to: date("2023-01-31"),
        };
        let counts = tally([&case], january);
        assert_eq!(
            (counts.received, counts.accepted, counts.concluded),
            (0, 1, 0)
        );
        let february = Period {
            from: date("2023-02-01"),
            to: date("2023-02-28"),
        };
        assert_eq!(tally([&case], february).concluded, 1);
    }

    #[test]
    fn declined_applications_are_not_concluded() {
        let declined = CaseFacts {
            state: CaseState::NotAccepted,
            declined_on: Some(date("2023-01-09")),
            accepted_on: None,
            concluded_on: None,
            ..concluded(CaseState::NotAccepted, "2023-01-09")
        };
        let counts = tally([&declined], year_2023());
        assert_eq!((counts.not_accepted, counts.concluded), (1, 0));
    }

    /// Issue 14: cases with a third party and the committee's consultations count among the
    /// cases concluded in the period.
    #[test]
    fn third_parties_and_committee_consultations_count_on_conclusion() {
        let mut with = concluded(CaseState::Altered, "2023-03-06");
        with.third_parties = 2;
        with.committee_consultations = 2;
        let mut consulted = concluded(CaseState::Upheld, "2023-03-07");
        consulted.committee_consultations = 1;
        let plain = concluded(CaseState::Upheld, "2023-03-08");
        let counts = tally([&with, &consulted, &plain], year_2023());
        assert_eq!(counts.with_third_party, 1);
        assert_eq!(counts.committee_consultations, 3);
        let before = Period {
            from: date("2023-01-01"),
            to: date("2023-03-05"),
        };
        let counts = tally([&with, &consulted, &plain], before);
        assert_eq!(
            (counts.with_third_party, counts.committee_consultations),
            (0, 0)
        );
    }

    #[test]
    fn suspended_days_are_not_handling_days() {
        let mut case = concluded(CaseState::Upheld, "2023-03-06");
        case.suspended_days = 10;
        assert_eq!(handling_days(&case), Some(60 - 10));
    }

    #[test]
    fn durations_follow_percentile_cont() {
        let d = durations(vec![10, 20, 30, 40]);
        assert_eq!(d.mean_days, Some(25.0));
        assert_eq!(d.median_days, Some(25.0));
        assert_eq!(d.p90_days, Some(37.0));
        assert_eq!(durations(Vec::new()).median_days, None);
    }

    #[test]
    fn on_time_compares_with_the_decision_deadline() {
        let on_time = concluded(CaseState::Upheld, "2023-03-06");
        let late = concluded(CaseState::Upheld, "2023-03-07");
        let counts = tally([&on_time, &late], year_2023());
        assert_eq!((counts.concluded_on_time, counts.concluded_late), (1, 1));
    }

    #[test]
    fn open_and_overdue_at_the_end_of_a_period() {
        let mut open = concluded(CaseState::Filed, "2023-01-01");
        open.concluded_on = None;
        let mut overdue = open.clone();
        overdue.decision_due_on = Some(date("2023-02-01"));
        let closed_later = concluded(CaseState::Upheld, "2023-04-01");
        let end = date("2023-03-01");
        let result = open_at_end([&open, &overdue, &closed_later], end);
        // All three were open on 2023-03-01; only `overdue` was past its deadline then.
        assert_eq!(
            result,
            OpenAtEnd {
                open: 3,
                overdue: 1
            }
        );
    }

    #[test]
    fn durations_from_a_histogram_equal_durations_from_the_list() {
        let lists: [Vec<i64>; 5] = [
            vec![20, 42],
            vec![5],
            vec![1, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55],
            vec![-2, 0, 0, 7, 7, 7, 60, 61],
            vec![],
        ];
        for list in lists {
            let mut histogram = DaysHistogram::new();
            for days in &list {
                *histogram.entry(*days).or_default() += 1;
            }
            assert_eq!(
                durations_from_histogram(&histogram),
                durations(list.clone()),
                "{list:?}"
            );
        }
    }
}
