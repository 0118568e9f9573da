//! The runner: the plan through the real service, day by day.

use std::collections::BTreeMap;

use anyhow::{Context, anyhow};
use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use futures_util::{StreamExt, TryStreamExt, future::try_join_all, stream};
use uuid::Uuid;

use super::{
    planner::{CasePlan, Planned},
    setup::Setup,
};
use crate::{
    auth::Role,
    domain::ApiValue,
    service::cases::{self, CaseRegistration, TransitionRequest},
    service::error::ServiceError,
    startup::AppState,
};

/// How many cases are worked on at once: enough to keep PostgreSQL busy on a small machine.
const CONCURRENCY: usize = 6;

/// Where a case stands in the runner: its id once registered, its version, its next step.
#[derive(Debug, Clone, Copy, Default)]
struct Progress {
    id: Option<Uuid>,
    version: i32,
    next: usize,
}

/// Runs every plan's steps in date order; returns the number of transitions and each case's id.
///
/// Each day, the accepts go first, one organ's in plan order (organs side by side), so that case
/// numbers follow the order of acceptance and come out the same on every run; then every other
/// step of the day, several cases at once, each case's steps in order.
pub(super) async fn run(
    state: &AppState,
    setup: &Setup,
    plans: &[CasePlan],
) -> anyhow::Result<(usize, Vec<Option<Uuid>>)> {
    let mut days: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
    for (index, plan) in plans.iter().enumerate() {
        for step in &plan.steps {
            let cases = days.entry(step.on).or_default();
            if cases.last() != Some(&index) {
                cases.push(index);
            }
        }
    }
    let concurrency = CONCURRENCY.min(state.pool.status().max_size.max(1));
    let mut progress = vec![Progress::default(); plans.len()];
    let mut transitions = 0;
    for (day, cases) in days {
        let mut accepts: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &index in &cases {
            let plan = &plans[index];
            if plan
                .steps
                .get(progress[index].next)
                .is_some_and(|step| step.on == day && step.is_accept())
            {
                accepts.entry(plan.organ).or_default().push(index);
            }
        }
        let accepted = try_join_all(accepts.into_values().map(|list| {
            let progress = &progress;
            async move {
                let mut conn = state.pool.get().await?;
                let mut done = Vec::with_capacity(list.len());
                for index in list {
                    let mut at = progress[index];
                    step(&mut conn, state, setup, &plans[index], index, &mut at).await?;
                    done.push((index, at));
                }
                Ok::<_, anyhow::Error>(done)
            }
        }))
        .await?;
        for (index, at) in accepted.into_iter().flatten() {
            progress[index] = at;
            transitions += 1;
        }

        let rest: Vec<(usize, Progress, usize)> = stream::iter(cases)
            .map(|index| {
                let start = progress[index];
                async move {
                    let plan = &plans[index];
                    let mut at = start;
                    let mut steps = 0;
                    let mut conn = None;
                    while plan.steps.get(at.next).is_some_and(|s| s.on == day) {
                        if conn.is_none() {
                            conn = Some(state.pool.get().await?);
                        }
                        if let Some(conn) = conn.as_mut() {
                            steps +=
                                usize::from(step(conn, state, setup, plan, index, &mut at).await?);
                        }
                    }
                    Ok::<_, anyhow::Error>((index, at, steps))
                }
            })
            .buffer_unordered(concurrency)
            .try_collect()
            .await?;
        for (index, at, steps) in rest {
            progress[index] = at;
            transitions += steps;
        }
    }
    Ok((transitions, progress.iter().map(|p| p.id).collect()))
}

/// Takes the case's next step through the service; true when it was a transition (not the
/// registration).
async fn step(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    setup: &Setup,
    plan: &CasePlan,
    index: usize,
    at: &mut Progress,
) -> anyhow::Result<bool> {
    let organ = setup.organs.get(plan.organ).context("the plan's organ")?;
    let step = plan.steps.get(at.next).context("a next step")?;
    let context = |err: ServiceError, what: &str| {
        anyhow!(
            "demo case {index} (received {}, organ {}): {what} on {} was refused: {}",
            plan.facts.received_on,
            organ.spec.code,
            step.on,
            problem(err)
        )
    };
    let transition = match &step.action {
        Planned::Register => {
            let row = cases::register(
                conn,
                state,
                &organ.officer,
                CaseRegistration {
                    respondent_id: plan.respondent,
                    facts: plan.facts.clone(),
                    parties: plan.parties.clone(),
                },
            )
            .await
            .map_err(|err| context(err, "register"))?;
            at.id = Some(row.id);
            at.version = row.version;
            false
        }
        Planned::Act(action) => {
            let id = at.id.context("a case acted on before it was registered")?;
            let caller = match action.kind().required_role() {
                Role::Head => &organ.head,
                _ => &organ.officer,
            };
            let row = cases::transition(
                conn,
                state,
                caller,
                id,
                at.version,
                TransitionRequest {
                    occurred_on: Some(step.on),
                    action: action.clone(),
                },
            )
            .await
            .map_err(|err| context(err, action.kind().as_str()))?;
            at.version = row.version;
            true
        }
    };
    at.next += 1;
    Ok(transition)
}

/// The service's refusal, for the error message.
pub(super) fn problem(err: ServiceError) -> String {
    err.to_string()
}
