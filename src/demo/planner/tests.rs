//! The planner's tests: every plan replays through the domain alone, dated in order, to the
//! report's quotas, and the same seed plans the same year.

use std::collections::BTreeMap;

use chrono::Datelike;

use super::*;
use crate::{
    demo::{DEFAULT_SEED, fixtures::TREE, quotas::REPORT_2023},
    domain::{
        ApiValue,
        calendar::official_calendars,
        lifecycle::{CaseLifecycle, CaseState},
    },
};

pub(in crate::demo) fn organs() -> Vec<PlanOrgan> {
    let mut n = 0u128;
    let mut id = || {
        n += 1;
        Uuid::from_u128(n)
    };
    TREE.iter()
        .map(|spec| PlanOrgan {
            short_name: spec.short_name.to_owned(),
            weight: spec.weight,
            court: spec.court,
            officer: id(),
            head: id(),
            respondents: spec
                .respondents
                .iter()
                .map(|r| PlanRespondent { id: id(), spec: r })
                .collect(),
        })
        .collect()
}

fn plan(seed: u64) -> Vec<CasePlan> {
    let calendar = WorkCalendar::new(official_calendars());
    let rules = RuleSettings::default();
    let ctx = PlanContext {
        year: 2023,
        calendar: &calendar,
        rules: &rules,
        today: NaiveDate::from_ymd_opt(2026, 1, 15).expect("date"),
    };
    plan_year(&ctx, &organs(), &REPORT_2023, seed).expect("plans")
}

/// Replays a plan through the domain alone; returns the final aggregate.
fn replay(plan: &CasePlan, calendar: &WorkCalendar, rules: &RuleSettings) -> CaseLifecycle {
    let ctx = PlanContext {
        year: 2023,
        calendar,
        rules,
        today: NaiveDate::from_ymd_opt(2026, 1, 15).expect("date"),
    };
    let mut case = CaseBuilder::new(&ctx, plan.facts.received_on);
    for step in plan.steps.iter().skip(1) {
        let Planned::Act(action) = &step.action else {
            panic!("registration only comes first");
        };
        case.act(step.on, action.clone()).expect("valid step");
    }
    case.lc
}

#[test]
fn the_same_seed_plans_the_same_year_and_another_seed_another() {
    let a = plan(7);
    assert_eq!(a, plan(7));
    assert_ne!(a, plan(8));
}

#[test]
fn every_plan_is_legal_dated_in_order_and_ends_as_intended() {
    let calendar = WorkCalendar::new(official_calendars());
    let rules = RuleSettings::default();
    let plans = plan(DEFAULT_SEED);
    let year_end = NaiveDate::from_ymd_opt(2023, 12, 31).expect("date");
    let mut by_state: BTreeMap<&str, u32> = BTreeMap::new();
    let mut concluded = 0;
    for plan in &plans {
        assert!(
            plan.steps.windows(2).all(|w| w[0].on <= w[1].on),
            "{plan:?}"
        );
        assert!(plan.last_on() <= year_end, "{plan:?}");
        assert!(plan.facts.received_on.year() == 2023);
        let lc = replay(plan, &calendar, &rules);
        *by_state.entry(lc.state.as_str()).or_default() += 1;
        assert_eq!(
            plan.outcome.concluded(),
            lc.state.is_concluded(),
            "{plan:?}"
        );
        if lc.state.is_concluded() {
            concluded += 1;
        }
        // Accepts open their day, so the runner can number cases in order.
        for (i, step) in plan.steps.iter().enumerate() {
            if step.is_accept() {
                assert!(plan.steps[i - 1].on < step.on, "{plan:?}");
            }
        }
    }
    assert_eq!(concluded, 1765);
    assert_eq!(by_state["revoked"], 158);
    assert_eq!(by_state["confirmed_illegal"], 56);
    assert_eq!(by_state["ordered_to_perform"], 34);
    assert_eq!(by_state["not_accepted"], REPORT_2023.not_accepted());
    let open: u32 = by_state
        .iter()
        .filter(|(state, _)| state.parse::<CaseState>().is_ok_and(|s| s.is_open()))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(open, REPORT_2023.open + REPORT_2023.open_suspended);
    assert_eq!(plans.len() as u32, REPORT_2023.received());
}

#[test]
fn decision_documents_are_numbered_per_organ() {
    let plans = plan(DEFAULT_SEED);
    let numbers: Vec<&str> = plans
        .iter()
        .flat_map(|p| &p.steps)
        .filter_map(|s| match &s.action {
            Planned::Act(Action::Decide {
                document_number, ..
            }) => Some(document_number.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(numbers.len(), 1449);
    assert!(numbers.contains(&"榕复决〔2023〕1号"));
    assert!(!numbers.contains(&UNNUMBERED));
}
