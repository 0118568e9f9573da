//! Numbering: decision and mediation documents get their numbers per organ in date order, once
//! every case of the year is planned.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{CasePlan, PlanOrgan, Planned};
use crate::domain::lifecycle::Action;

/// Gives decisions and mediation documents their numbers, per organ in date order.
pub(super) fn number_documents(plans: &mut [CasePlan], organs: &[PlanOrgan], year: i32) {
    let mut documents: Vec<(usize, NaiveDate, usize, usize)> = Vec::new();
    for (index, plan) in plans.iter().enumerate() {
        for (position, step) in plan.steps.iter().enumerate() {
            if let Planned::Act(Action::Decide { .. } | Action::Mediate { .. }) = step.action {
                documents.push((plan.organ, step.on, index, position));
            }
        }
    }
    documents.sort();
    let mut next: BTreeMap<(usize, bool), u32> = BTreeMap::new();
    for (organ, _, index, position) in documents {
        let short = organs.get(organ).map_or("", |o| o.short_name.as_str());
        let Some(Planned::Act(action)) = plans
            .get_mut(index)
            .and_then(|plan| plan.steps.get_mut(position))
            .map(|step| &mut step.action)
        else {
            continue;
        };
        match action {
            Action::Decide {
                document_number, ..
            } => {
                let n = next.entry((organ, false)).or_insert(0);
                *n += 1;
                *document_number = format!("{short}复决〔{year}〕{n}号");
            }
            Action::Mediate {
                document_number, ..
            } => {
                let n = next.entry((organ, true)).or_insert(0);
                *n += 1;
                *document_number = format!("{short}复调〔{year}〕{n}号");
            }
            _ => {}
        }
    }
}
