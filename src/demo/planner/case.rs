//! One case under planning: its steps, each checked by the domain's state machine with the facts
//! the service would supply.

use anyhow::anyhow;
use chrono::NaiveDate;

use super::{PLANNED_NUMBER, PlanContext, Planned, Step};
use crate::{
    domain::{
        deadlines,
        lifecycle::{Action, CaseLifecycle, TransitionContext},
    },
    service::cases,
};

/// A case being planned: its steps so far and the aggregate they fold into, each step checked
/// by the domain's state machine as the service will check it.
pub(super) struct CaseBuilder<'a> {
    ctx: &'a PlanContext<'a>,
    pub(super) lc: CaseLifecycle,
    pub(super) steps: Vec<Step>,
}

impl<'a> CaseBuilder<'a> {
    pub(super) fn new(ctx: &'a PlanContext<'a>, received_on: NaiveDate) -> Self {
        Self {
            ctx,
            lc: CaseLifecycle::new(received_on),
            steps: vec![Step {
                on: received_on,
                action: Planned::Register,
            }],
        }
    }

    pub(super) fn last_on(&self) -> NaiveDate {
        self.steps.last().map_or(self.lc.received_on, |s| s.on)
    }

    /// Applies `action` on `on` to the aggregate, with the facts the service would supply.
    pub(super) fn act(&mut self, on: NaiveDate, action: Action) -> anyhow::Result<()> {
        let rules = self.ctx.rules;
        let facts = cases::deadline_facts(&self.lc);
        let reply_overdue =
            deadlines::reply_overdue(&facts, self.ctx.calendar, &rules.deadlines, on)
                .unwrap_or(false);
        let periods = deadlines::period_due_dates(&facts, self.ctx.calendar, &rules.deadlines, on);
        let hearing_notice_working_days = match &action {
            Action::Hear {
                hearing_on: Some(held),
                notice_on: Some(notice),
                ..
            } => self.ctx.calendar.working_days_between(*notice, *held).ok(),
            _ => None,
        };
        let context = TransitionContext {
            settings: &rules.lifecycle,
            occurred_on: on,
            today: self.ctx.today,
            reply_overdue,
            hearing_notice_working_days,
            case_number: Some(PLANNED_NUMBER.to_owned()),
            periods,
        };
        self.lc = self
            .lc
            .apply(&action, &context)
            .map_err(|refusal| anyhow!("{} on {on}: {refusal}", action.kind()))?;
        self.steps.push(Step {
            on,
            action: Planned::Act(action),
        });
        Ok(())
    }

    /// The respondent's reply deadline as the service computes it now, if it has started.
    pub(super) fn reply_due(&self) -> Option<NaiveDate> {
        deadlines::reply_due_on(
            &cases::deadline_facts(&self.lc),
            self.ctx.calendar,
            &self.ctx.rules.deadlines,
        )
        .ok()
        .flatten()
    }

    /// The decision deadline as the service computes it now, if it can be computed.
    pub(super) fn decision_due(&self) -> Option<NaiveDate> {
        deadlines::decision_due_on(
            &cases::deadline_facts(&self.lc),
            self.ctx.calendar,
            &self.ctx.rules.deadlines,
            self.last_on(),
        )
        .ok()
        .flatten()
    }
}
