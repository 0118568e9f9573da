//! The planner: pure, seeded. From a seed it decides every case of the year (who applies against
//! whom, about what) and every dated action on it, checking each action against the domain's
//! state machine and deadlines as it goes.
//!
//! The types of a plan and the per-case [`Planner`]'s choices live here; its phases in the
//! submodules: [`application`] and [`names`] (what arrives), [`admission`] (review, acceptance or
//! refusal), [`proceedings`] (reply, hearing, suspension, extension, conclusion), [`numbering`]
//! (decision documents, once the year is planned); [`case`] checks each step, [`calendar`]
//! counts working days.

use anyhow::{Context, bail};
use chrono::{Days, NaiveDate};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::SliceRandom};
use uuid::Uuid;

use super::{
    fixtures::{Court, RespondentSpec},
    quotas::{Outcome, Quotas},
    year_bounds,
};
use crate::{
    config::RuleSettings,
    domain::{
        calendar::WorkCalendar,
        case::{ApplicationFacts, PartyInput},
        lifecycle::{Action, ActionKind, Disposition, SuspensionGround},
    },
};

mod admission;
mod ancillary;
mod application;
mod calendar;
mod case;
mod names;
mod numbering;
mod proceedings;
#[cfg(test)]
pub(super) mod tests;

pub(super) use calendar::Calendar;
use case::CaseBuilder;
use numbering::number_documents;
use proceedings::{DISMISSAL_REASONS, mediation};

/// A respondent as the planner knows it.
#[derive(Debug, Clone)]
pub(super) struct PlanRespondent {
    pub(super) id: Uuid,
    pub(super) spec: &'static RespondentSpec,
}

/// An organ as the planner knows it.
#[derive(Debug, Clone)]
pub(super) struct PlanOrgan {
    pub(super) short_name: String,
    pub(super) weight: u32,
    pub(super) court: Court,
    pub(super) officer: Uuid,
    pub(super) head: Uuid,
    pub(super) respondents: Vec<PlanRespondent>,
}

/// What planning reads.
pub(super) struct PlanContext<'a> {
    pub(super) year: i32,
    pub(super) calendar: &'a WorkCalendar,
    pub(super) rules: &'a RuleSettings,
    /// No action may be dated after it.
    pub(super) today: NaiveDate,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Planned {
    Register,
    Act(Action),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Step {
    pub(super) on: NaiveDate,
    pub(super) action: Planned,
}

impl Step {
    pub(super) fn is_accept(&self) -> bool {
        matches!(&self.action, Planned::Act(a) if a.kind() == ActionKind::Accept)
    }
}

/// One case: its application and its dated steps, the registration first.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct CasePlan {
    pub(super) organ: usize,
    pub(super) respondent: Uuid,
    pub(super) outcome: Outcome,
    pub(super) facts: ApplicationFacts,
    pub(super) parties: Vec<PartyInput>,
    pub(super) steps: Vec<Step>,
}

impl CasePlan {
    pub(super) fn last_on(&self) -> NaiveDate {
        self.steps.last().map_or(self.facts.received_on, |s| s.on)
    }
}

/// Stands in for the case number while planning: the service allocates the real one.
const PLANNED_NUMBER: &str = "(planned)";
/// Stands in for decision document numbers until they are numbered per organ in date order.
const UNNUMBERED: &str = "(unnumbered)";

/// Plans every case of the year to the quotas.
pub(super) fn plan_year(
    ctx: &PlanContext<'_>,
    organs: &[PlanOrgan],
    quotas: &Quotas,
    seed: u64,
) -> anyhow::Result<Vec<CasePlan>> {
    if organs.is_empty() || organs.iter().any(|o| o.respondents.is_empty()) {
        bail!("the demo needs organs with respondents");
    }
    let mut planner = Planner::new(ctx, organs, seed)?;
    let mut outcomes = quotas.outcomes();
    outcomes.shuffle(&mut planner.rng);
    let mut plans = Vec::with_capacity(outcomes.len());
    for (index, outcome) in outcomes.into_iter().enumerate() {
        let plan = planner
            .plan(outcome)
            .with_context(|| format!("planning demo case {index} ({outcome:?})"))?;
        plans.push(plan);
    }
    // Registration order follows the calendar, as it would in an office.
    plans.sort_by_key(|plan| plan.facts.received_on);
    number_documents(&mut plans, organs, ctx.year);
    Ok(plans)
}

struct Planner<'a> {
    ctx: &'a PlanContext<'a>,
    organs: &'a [PlanOrgan],
    rng: StdRng,
    /// Draws for third parties and the committee (issue 14), apart from `rng` so the rest of
    /// the year stays as it was planned before they existed.
    participation_rng: StdRng,
    /// The year's working days, in order.
    working_days: Vec<NaiveDate>,
    year_end: NaiveDate,
    /// Running numbers of the respondents' act documents.
    act_numbers: u32,
}

impl<'a> Planner<'a> {
    fn new(ctx: &'a PlanContext<'a>, organs: &'a [PlanOrgan], seed: u64) -> anyhow::Result<Self> {
        let (from, to) = year_bounds(ctx.year)?;
        let working_days: Vec<NaiveDate> = from
            .iter_days()
            .take_while(|d| *d <= to)
            .filter(|d| ctx.calendar.is_working_day(*d).unwrap_or(false))
            .collect();
        if working_days.len() < 200 {
            bail!("the {} calendar has too few working days", ctx.year);
        }
        Ok(Self {
            ctx,
            organs,
            rng: StdRng::seed_from_u64(seed),
            participation_rng: StdRng::seed_from_u64(seed ^ 0x7061_7274_6963_6970),
            working_days,
            year_end: to,
            act_numbers: 0,
        })
    }

    fn date(&self, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.ctx.year, month, day).unwrap_or(self.year_end)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn between(&mut self, low: u32, high: u32) -> u32 {
        self.rng.random_range(low..=high.max(low))
    }

    fn pick<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut roll = self.rng.random_range(0..total.max(1));
        for (item, weight) in items {
            if roll < *weight {
                return *item;
            }
            roll -= weight;
        }
        items[items.len() - 1].0
    }

    fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.rng.random_range(0..items.len())]
    }

    /// A working day of the year in `from..=to`, uniformly.
    fn working_day_between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let start = self.working_days.partition_point(|d| *d < from);
        let end = self.working_days.partition_point(|d| *d <= to);
        if start >= end {
            return self.days().on_or_after(from);
        }
        self.working_days[self.rng.random_range(start..end)]
    }

    fn days(&self) -> Calendar<'a> {
        Calendar {
            calendar: self.ctx.calendar,
        }
    }

    /// `n` working days after `date`, `n` drawn from `low..=high`.
    fn after(&mut self, date: NaiveDate, low: u32, high: u32) -> NaiveDate {
        let n = self.between(low, high);
        self.days().add_working_days(date, n)
    }

    fn plan(&mut self, outcome: Outcome) -> anyhow::Result<CasePlan> {
        let first = self.working_days[0];
        match outcome {
            Outcome::Open => {
                let received = self.working_day_between(self.date(10, 25), self.date(12, 29));
                let mut plan = self.plan_from(received, Outcome::Decide(Disposition::Uphold))?;
                plan.outcome = Outcome::Open;
                let before = plan.steps.len();
                plan.steps.retain(|s| s.on <= self.year_end);
                if plan.steps.len() == before {
                    // Planned to finish within the year: it is still waiting for its decision.
                    plan.steps.pop();
                }
                Ok(plan)
            }
            Outcome::OpenSuspended => {
                let received = self.working_day_between(self.date(5, 1), self.date(8, 31));
                self.plan_from(received, outcome)
            }
            Outcome::Decline(_) | Outcome::WithdrawBeforeAcceptance => {
                let mut latest = self.date(12, 15);
                for _ in 0..20 {
                    let received = self.working_day_between(first, latest);
                    let plan = self.plan_from(received, outcome)?;
                    if plan.last_on() <= self.year_end {
                        return Ok(plan);
                    }
                    latest = received - Days::new(7);
                }
                bail!("no plan ends within {}", self.ctx.year)
            }
            _ => {
                let mut latest = self.date(11, 20);
                for _ in 0..30 {
                    let received = self.working_day_between(first, latest);
                    let plan = self.plan_from(received, outcome)?;
                    if plan.last_on() <= self.year_end {
                        return Ok(plan);
                    }
                    latest = received - Days::new(10);
                }
                bail!("no plan concludes within {}", self.ctx.year)
            }
        }
    }

    /// Plans a case received on `received`, to `outcome`.
    fn plan_from(&mut self, received: NaiveDate, outcome: Outcome) -> anyhow::Result<CasePlan> {
        let organs = self.organs;
        let weights: Vec<(usize, u32)> = organs
            .iter()
            .enumerate()
            .map(|(i, o)| (i, o.weight))
            .collect();
        let organ_index = self.pick(&weights);
        let organ = &organs[organ_index];
        let respondents: Vec<(usize, u32)> = organ
            .respondents
            .iter()
            .enumerate()
            .map(|(i, r)| (i, r.spec.weight))
            .collect();
        let respondent = &organ.respondents[self.pick(&respondents)];
        let (facts, parties) = self.application(received, respondent.spec, outcome);
        let mut case = CaseBuilder::new(self.ctx, received);
        self.path(&mut case, organ, &facts, outcome)?;
        Ok(CasePlan {
            organ: organ_index,
            respondent: respondent.id,
            outcome,
            facts,
            parties,
            steps: case.steps,
        })
    }

    /// The steps after registration.
    fn path(
        &mut self,
        case: &mut CaseBuilder<'_>,
        organ: &PlanOrgan,
        facts: &ApplicationFacts,
        outcome: Outcome,
    ) -> anyhow::Result<()> {
        if let Outcome::Decline(reason) = outcome {
            return self.decline(case, reason);
        }
        if outcome == Outcome::WithdrawBeforeAcceptance {
            return self.withdraw_application(case);
        }
        self.admit(case, organ, facts)?;
        match outcome {
            Outcome::Decide(disposition) => self.decide_path(case, disposition),
            Outcome::Dismiss => {
                self.reply(case, true)?;
                if self.chance(0.5) {
                    self.hear(case)?;
                }
                let on = self.conclusion_day(case, false);
                let reason = self.pick_str(DISMISSAL_REASONS).to_owned();
                case.act(on, Action::DismissApplication { reason })
            }
            Outcome::Mediate => {
                self.reply(case, true)?;
                if self.chance(0.4) {
                    let since = self.suspend(case, SuspensionGround::MediationOrSettlement)?;
                    let on = self.after(since, 8, 25);
                    case.act(on, mediation())
                } else {
                    self.hear(case)?;
                    let on = self.conclusion_day(case, false);
                    case.act(on, mediation())
                }
            }
            Outcome::Terminate(ground) => self.terminate_path(case, ground),
            Outcome::OpenSuspended => {
                self.reply(case, true)?;
                let ground = self.pick(&[
                    (SuspensionGround::RelatedCasePending, 3),
                    (SuspensionGround::LegalInterpretationPending, 1),
                ]);
                self.suspend(case, ground)?;
                Ok(())
            }
            Outcome::Decline(_) | Outcome::WithdrawBeforeAcceptance | Outcome::Open => Ok(()),
        }
    }
}
