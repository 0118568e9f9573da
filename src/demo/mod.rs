//! Demo data: a city and its districts, their staff, respondents across the administrative
//! domains, and a year of cases driven through the real lifecycle, so that the year's figures
//! are those of the 2023 report in `reference/` (1,765 concluded; 158 revoked, 56 confirmed
//! illegal, 34 ordered to perform; 316 concluded without a merits decision; correction rate
//! 17.12%).
//!
//! Two halves. The *planner* is pure: from a seed it decides every case of the year (who applies
//! against whom, about what) and every dated action on it, checking each action against the
//! domain's state machine and deadlines as it goes. The *runner* then replays the plan through
//! [`cases::register`](crate::service::cases::register) and
//! [`cases::transition`](crate::service::cases::transition), the functions behind the HTTP API,
//! day by day, so the stored cases, events, case numbers and deadline columns are exactly what
//! officers using the API would have produced.
//!
//! A second, separate step adds the report's follow-up figures through the follow-up services:
//! 26 opinion and recommendation letters, court hearings where the agency's head appeared 61
//! times out of 62 (98.39%), and 21 of 152 first instances lost (13.82%).
//!
//! The report publishes only those figures; everything else (applications received, not
//! accepted, open at year end, how the 316 split into mediation, termination and dismissal,
//! upheld against rejected, the split of the letters) is invented here and named in [`Quotas`]
//! and [`FollowupQuotas`].
//!
//! Where it lives: `quotas` holds the report's figures and the checks against them, `fixtures`
//! the organ tree, respondents, courts and staff, `setup` stores them, `planner` plans the year,
//! `run` replays the plan through the service, and `followup` plans and records the letters and
//! suits. Only the command line calls in here; nothing in `service` or below knows the demo.

use std::{fmt, time::Instant};

use anyhow::{Context, bail};
use chrono::{Datelike, NaiveDate, Utc};
use uuid::Uuid;

use crate::{
    auth::{Role, password},
    db::{
        self,
        followup_stats::{FollowupCounts, followup_figures},
        organs::Organ,
        statistics::{Grouping, StatsFilter},
    },
    domain::{
        ApiValue,
        statistics::{Counts, percent_half_up},
    },
    startup::AppState,
};

mod documents;
mod fixtures;
mod followup;
mod planner;
mod quotas;
mod run;
mod setup;

pub use quotas::{FollowupQuotas, Quotas, REPORT_2023, REPORT_2023_FOLLOWUP};

use followup::{plan_followup, run_followup};
use planner::{PlanContext, PlanOrgan, plan_year};
use quotas::{check_against, check_followup_against};
use run::run;
use setup::set_up;

/// The seed used when none is given: the same seed always plans the same year.
pub const DEFAULT_SEED: u64 = 2023;

/// What to generate.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// The year of cases: a past year whose working-day calendar is loaded.
    pub year: i32,
    /// The password of every demo user.
    pub password: String,
    /// Seed of the random choices.
    pub seed: u64,
}

/// A demo user as created (or, for an existing `admin`, reused).
#[derive(Debug, Clone)]
pub struct DemoUser {
    pub username: String,
    /// Code of the user's organ.
    pub organ: String,
    pub roles: Vec<Role>,
}

/// What [`generate`] did, with the year's figures as the statistics count them.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub year: i32,
    pub seed: u64,
    /// The demo organs, the city first.
    pub organs: Vec<Organ>,
    pub users: Vec<DemoUser>,
    /// An `admin` user existed already; it kept its organ and roles and got the demo password.
    pub admin_reused: bool,
    pub respondents: usize,
    /// Cases registered.
    pub cases: usize,
    /// Transitions applied (registrations not counted).
    pub transitions: usize,
    /// The year's counts for the demo organs, read back from the database.
    pub counts: Counts,
    /// Cases of the demo organs still open on 31 December.
    pub open_at_year_end: u64,
    /// The year's follow-up counts (letters, court hearings, first instances), read back.
    pub followup: FollowupCounts,
    /// Documents issued for a few of the cases.
    pub documents: usize,
    /// Seconds the generation took.
    pub seconds: f64,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.counts;
        let organs: Vec<String> = self
            .organs
            .iter()
            .map(|o| format!("{} ({})", o.name, o.code))
            .collect();
        let users: Vec<String> = self
            .users
            .iter()
            .map(|u| {
                let roles: Vec<&str> = u.roles.iter().map(|r| r.as_str()).collect();
                format!("{} [{}] @{}", u.username, roles.join("+"), u.organ)
            })
            .collect();
        let rate = |base: u64| {
            percent_half_up(c.corrected, base)
                .map_or_else(|| "-".to_owned(), |p| format!("{p:.2}%"))
        };
        // No run time here: the same seed must print the same summary, byte for byte.
        writeln!(f, "demo year {} (seed {})", self.year, self.seed)?;
        writeln!(f, "  organs:      {}", organs.join(", "))?;
        writeln!(f, "  respondents: {}", self.respondents)?;
        writeln!(f, "  users:       {}", users.join(", "))?;
        if self.admin_reused {
            writeln!(
                f,
                "               (`admin` existed: it keeps its organ and roles; its password is now the demo password)"
            )?;
        }
        writeln!(
            f,
            "  cases:       {} registered, {} transitions; {} accepted, {} not accepted, {} withdrawn before acceptance, {} open on {}-12-31",
            self.cases,
            self.transitions,
            c.accepted,
            c.not_accepted,
            c.withdrawn_before_acceptance,
            self.open_at_year_end,
            self.year
        )?;
        writeln!(
            f,
            "  concluded in {}: {} (revoked {}, confirmed illegal {}, ordered to perform {}, altered {}, confirmed invalid {}, upheld {}, request rejected {}; mediated {}, terminated {} of which {} withdrawn, application dismissed {})",
            self.year,
            c.concluded,
            c.revoked,
            c.confirmed_illegal,
            c.ordered_to_perform,
            c.altered,
            c.confirmed_invalid,
            c.upheld,
            c.request_rejected,
            c.mediated,
            c.terminated,
            c.withdrawn,
            c.application_dismissed
        )?;
        writeln!(
            f,
            "  on time {}, late {}; hearings held {}; extended {}",
            c.concluded_on_time, c.concluded_late, c.hearings_held, c.extended
        )?;
        writeln!(
            f,
            "  with a third party {}; committee consultations {}",
            c.with_third_party, c.committee_consultations
        )?;
        writeln!(
            f,
            "  correction rate: {} / {} = {} (decided_on_merits), {} / {} = {} (all_concluded)",
            c.corrected,
            c.decided_on_merits,
            rate(c.decided_on_merits),
            c.corrected,
            c.concluded,
            rate(c.concluded)
        )?;
        writeln!(
            f,
            "  documents:   {} issued for a few cases (GET /api/v1/cases/{{id}}/documents, /file)",
            self.documents
        )?;
        let fu = &self.followup;
        let shown = |rate: crate::domain::statistics::Rate| {
            format!(
                "{} / {} = {}",
                rate.numerator,
                rate.denominator,
                rate.percent
                    .map_or_else(|| "-".to_owned(), |p| format!("{p:.2}%"))
            )
        };
        writeln!(
            f,
            "  follow-up: {} letters ({} opinion, {} recommendation); head appeared in court {}; first instances lost {}",
            fu.letters_issued.opinion + fu.letters_issued.recommendation,
            fu.letters_issued.opinion,
            fu.letters_issued.recommendation,
            shown(fu.head_appearance_rate()),
            shown(fu.first_instance_loss_rate())
        )?;
        writeln!(
            f,
            "Sign in: start the service (`fuyi`), POST /api/v1/auth/token with {{\"username\": \"statistician\", \"password\": …}}, then GET /api/v1/statistics/monthly?from={y}-01&to={y}-12",
            y = self.year
        )
    }
}

/// Generates the demo: organs, respondents, users with `options.password`, and the year's cases.
///
/// Refuses when demo organs or users already exist (it never adds a second year on top). An
/// existing `admin` user is kept (organ and roles) and given the demo password, and the city is
/// placed under its organ so it can administer the demo; without one, the city is a root organ
/// and `admin` is created there. The setup is one transaction; the cases are not (each action is
/// its own, as through the API), so should a run fail midway, start again on an empty database.
pub async fn generate(state: &AppState, options: &DemoOptions) -> anyhow::Result<DemoSummary> {
    let started = Instant::now();
    let length = options.password.chars().count();
    if !(password::MIN_LENGTH..=password::MAX_LENGTH).contains(&length) {
        bail!(
            "the demo password must be {}–{} characters",
            password::MIN_LENGTH,
            password::MAX_LENGTH
        );
    }
    let rules = &state.settings.rules;
    let today = Utc::now()
        .with_timezone(&rules.default_time_zone)
        .date_naive();
    if options.year >= today.year() {
        bail!(
            "the demo year must be a past year (before {}): every action of it is dated, and none may lie in the future",
            today.year()
        );
    }
    let calendar = {
        let mut conn = state.pool.get().await?;
        db::calendar::load(&mut conn).await?
    };
    if calendar.year(options.year).is_none() {
        bail!(
            "no working-day calendar is loaded for {}; load it first (PUT /api/v1/calendar/{})",
            options.year,
            options.year
        );
    }

    let setup = set_up(state, options).await?;
    let plan_organs: Vec<PlanOrgan> = setup
        .organs
        .iter()
        .map(|organ| PlanOrgan {
            short_name: organ.organ.short_name.clone(),
            weight: organ.spec.weight,
            court: organ.spec.court,
            officer: organ.officer.user_id,
            head: organ.head.user_id,
            respondents: organ.respondents.clone(),
        })
        .collect();
    let ctx = PlanContext {
        year: options.year,
        calendar: &calendar,
        rules,
        today,
    };
    let plans = plan_year(&ctx, &plan_organs, &REPORT_2023, options.seed)?;
    let (transitions, ids) = run(state, &setup, &plans).await?;
    let followup = plan_followup(
        &ctx,
        &plans,
        &plan_organs,
        &REPORT_2023_FOLLOWUP,
        options.seed,
    )?;
    run_followup(state, &setup, &ids, &followup).await?;

    let organ_ids: Vec<Uuid> = setup.organs.iter().map(|o| o.organ.id).collect();
    let (counts, open_at_year_end) = year_counts(state, &organ_ids, options.year).await?;
    check_against(&REPORT_2023, &counts)?;
    let followup = {
        let (from, to) = year_bounds(options.year)?;
        let mut conn = state.pool.get().await?;
        followup_figures(&mut conn, &organ_ids, from, to).await?
    };
    check_followup_against(&REPORT_2023_FOLLOWUP, &followup)?;
    let documents = documents::issue_documents(state, &setup, &plans, &ids).await?;
    Ok(DemoSummary {
        year: options.year,
        seed: options.seed,
        organs: setup.organs.iter().map(|o| o.organ.clone()).collect(),
        users: setup.users,
        admin_reused: setup.admin_reused,
        respondents: setup.organs.iter().map(|o| o.respondents.len()).sum(),
        cases: plans.len(),
        transitions,
        counts,
        open_at_year_end,
        followup,
        documents,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The year's counts for `organ_ids`, as the statistics endpoints count them.
async fn year_counts(
    state: &AppState,
    organ_ids: &[Uuid],
    year: i32,
) -> anyhow::Result<(Counts, u64)> {
    let (from, to) = year_bounds(year)?;
    let tally = db::statistics::tally(
        &state.pool,
        &StatsFilter {
            organ_ids: organ_ids.to_vec(),
            ..StatsFilter::default()
        },
        Grouping::Month,
        from,
        to,
    )
    .await?;
    let open = tally.total.open_at_end.open;
    Ok((tally.total.counts, open))
}

fn year_bounds(year: i32) -> anyhow::Result<(NaiveDate, NaiveDate)> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).context("year out of range")?;
    let to = NaiveDate::from_ymd_opt(year, 12, 31).context("year out of range")?;
    Ok((from, to))
}
