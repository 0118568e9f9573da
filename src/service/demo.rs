//! Demo data: a city and its districts, their staff, respondents across the administrative
//! domains, and a year of cases driven through the real lifecycle, so that the year's figures
//! are those of the 2023 report in `reference/` (1,765 concluded; 158 revoked, 56 confirmed
//! illegal, 34 ordered to perform; 316 concluded without a merits decision; correction rate
//! 17.12%).
//!
//! Two halves. The *planner* is pure: from a seed it decides every case of the year (who applies
//! against whom, about what) and every dated action on it, checking each action against the
//! domain's state machine and deadlines as it goes. The *runner* then replays the plan through
//! [`cases::register`] and [`cases::transition`], the functions behind the HTTP API, day by day,
//! so the stored cases, events, case numbers and deadline columns are exactly what officers
//! using the API would have produced.
//!
//! A second, separate step adds the report's follow-up figures through the follow-up services:
//! 26 opinion and recommendation letters, court hearings where the agency's head appeared 61
//! times out of 62 (98.39%), and 21 of 152 first instances lost (13.82%).
//!
//! The report publishes only those figures; everything else (applications received, not
//! accepted, open at year end, how the 316 split into mediation, termination and dismissal,
//! upheld against rejected, the split of the letters) is invented here and named in [`Quotas`]
//! and [`FollowupQuotas`].

use std::{collections::BTreeMap, fmt, time::Instant};

use anyhow::{Context, anyhow, bail};
use chrono::{Datelike, Days, NaiveDate, Utc, Weekday};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::{StreamExt, TryStreamExt, future::try_join_all, stream};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::SliceRandom};
use uuid::Uuid;

use crate::{
    auth::{Caller, Role, password, store_roles},
    config::RuleSettings,
    db::{
        self,
        followup_stats::{FollowupCounts, followup_figures},
        organs::{NewOrgan, NewRespondent, Organ},
        statistics::{Grouping, StatsFilter},
        users::{NewUser, UserChanges},
    },
    domain::{
        ApiValue,
        calendar::WorkCalendar,
        case::{ActType, AdminDomain, ApplicationFacts, Channel, PartyInput, PartyKind, PartyRole},
        deadlines,
        followup::{Instance, JudgmentResult, LetterKind},
        lifecycle::{
            Action, ActionKind, CaseLifecycle, DeclineReason, Disposition, HearingMethod,
            Procedure, SimplifiedGround, SuspensionGround, TerminationGround, TransitionContext,
        },
        statistics::{Counts, percent_half_up},
    },
    http::error::ApiError,
    service::{
        cases::{self, CaseRegistration, TransitionRequest},
        followup::{self as records, HearingRequest, JudgmentRequest, LawsuitRequest},
        letters::{self, LetterRequest, ReportBackRequest},
    },
    startup::AppState,
};

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

/// How the year's cases end. The concluded figures marked "report" are the 2023 report's; the
/// others are invented, chosen so the published totals hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotas {
    /// Report: 撤销.
    pub revoked: u32,
    /// Report: 确认违法.
    pub confirmed_illegal: u32,
    /// Report: 责令履行.
    pub ordered_to_perform: u32,
    /// The report names no 变更 or 确认无效; any would change its 248 corrections.
    pub altered: u32,
    /// See [`Quotas::altered`].
    pub confirmed_invalid: u32,
    /// 维持; with `request_rejected`, the rest of the 1,449 decided on the merits.
    pub upheld: u32,
    /// 驳回行政复议请求.
    pub request_rejected: u32,
    /// 驳回申请; with mediation and termination, the 316 concluded without a merits decision.
    pub application_dismissed: u32,
    /// 调解结案.
    pub mediated: u32,
    /// 终止 on withdrawal.
    pub withdrawn: u32,
    /// 终止 on settlement and withdrawal.
    pub settled: u32,
    /// 终止: applicant died, no successor.
    pub applicant_died: u32,
    /// 终止: applicant organisation ended, no successor.
    pub entity_ended: u32,
    /// 终止: applicant under criminal compulsory measures.
    pub criminal_measures: u32,
    /// 终止 after a long suspension on art. 39(1), (2) or (4).
    pub long_suspension: u32,
    /// 不予受理: inadmissible.
    pub declined_inadmissible: u32,
    /// 不予受理: time-barred.
    pub declined_time_barred: u32,
    /// 不予受理: no jurisdiction.
    pub declined_no_jurisdiction: u32,
    /// 不予受理: supplement not provided.
    pub declined_no_supplement: u32,
    /// Received late in the year and still open on 31 December.
    pub open: u32,
    /// Suspended mid-year on a pending related case and still suspended on 31 December.
    pub open_suspended: u32,
}

/// The 2023 report's figures, completed as described on [`Quotas`].
pub const REPORT_2023: Quotas = Quotas {
    revoked: 158,
    confirmed_illegal: 56,
    ordered_to_perform: 34,
    altered: 0,
    confirmed_invalid: 0,
    upheld: 1002,
    request_rejected: 199,
    application_dismissed: 30,
    mediated: 96,
    withdrawn: 150,
    settled: 28,
    applicant_died: 3,
    entity_ended: 3,
    criminal_measures: 2,
    long_suspension: 4,
    declined_inadmissible: 110,
    declined_time_barred: 50,
    declined_no_jurisdiction: 40,
    declined_no_supplement: 12,
    open: 230,
    open_suspended: 6,
};

impl Quotas {
    /// Corrected (纠错): the numerator of the correction rate.
    pub fn corrected(&self) -> u32 {
        self.altered
            + self.revoked
            + self.confirmed_illegal
            + self.ordered_to_perform
            + self.confirmed_invalid
    }

    /// Decided on the merits: the `decided_on_merits` denominator.
    pub fn decided_on_merits(&self) -> u32 {
        self.corrected() + self.upheld + self.request_rejected
    }

    /// Terminated on any ground.
    pub fn terminated(&self) -> u32 {
        self.withdrawn
            + self.settled
            + self.applicant_died
            + self.entity_ended
            + self.criminal_measures
            + self.long_suspension
    }

    /// Concluded (审结): the `all_concluded` denominator.
    pub fn concluded(&self) -> u32 {
        self.decided_on_merits() + self.application_dismissed + self.mediated + self.terminated()
    }

    /// Not accepted (不予受理).
    pub fn not_accepted(&self) -> u32 {
        self.declined_inadmissible
            + self.declined_time_barred
            + self.declined_no_jurisdiction
            + self.declined_no_supplement
    }

    /// Every application of the year.
    pub fn received(&self) -> u32 {
        self.concluded() + self.not_accepted() + self.open + self.open_suspended
    }

    fn outcomes(&self) -> Vec<Outcome> {
        use Outcome as O;
        let mut all = Vec::new();
        let mut add = |outcome: Outcome, n: u32| {
            all.extend(std::iter::repeat_n(outcome, n as usize));
        };
        add(O::Decide(Disposition::Revoke), self.revoked);
        add(
            O::Decide(Disposition::ConfirmIllegal),
            self.confirmed_illegal,
        );
        add(
            O::Decide(Disposition::OrderToPerform),
            self.ordered_to_perform,
        );
        add(O::Decide(Disposition::Alter), self.altered);
        add(
            O::Decide(Disposition::ConfirmInvalid),
            self.confirmed_invalid,
        );
        add(O::Decide(Disposition::Uphold), self.upheld);
        add(O::Decide(Disposition::RejectRequest), self.request_rejected);
        add(O::Dismiss, self.application_dismissed);
        add(O::Mediate, self.mediated);
        add(O::Terminate(TerminationGround::Withdrawn), self.withdrawn);
        add(O::Terminate(TerminationGround::Settled), self.settled);
        add(
            O::Terminate(TerminationGround::ApplicantDiedNoSuccessor),
            self.applicant_died,
        );
        add(
            O::Terminate(TerminationGround::EntityEndedNoSuccessor),
            self.entity_ended,
        );
        add(
            O::Terminate(TerminationGround::CriminalMeasures),
            self.criminal_measures,
        );
        add(
            O::Terminate(TerminationGround::LongSuspension),
            self.long_suspension,
        );
        add(
            O::Decline(DeclineReason::Inadmissible),
            self.declined_inadmissible,
        );
        add(
            O::Decline(DeclineReason::TimeBarred),
            self.declined_time_barred,
        );
        add(
            O::Decline(DeclineReason::NoJurisdiction),
            self.declined_no_jurisdiction,
        );
        add(
            O::Decline(DeclineReason::SupplementNotProvided),
            self.declined_no_supplement,
        );
        add(O::Open, self.open);
        add(O::OpenSuspended, self.open_suspended);
        all
    }
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
        writeln!(
            f,
            "demo year {} (seed {}) generated in {:.1} s",
            self.year, self.seed, self.seconds
        )?;
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
            "  cases:       {} registered, {} transitions; {} accepted, {} not accepted, {} open on {}-12-31",
            self.cases,
            self.transitions,
            c.accepted,
            c.not_accepted,
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
            "  correction rate: {} / {} = {} (decided_on_merits), {} / {} = {} (all_concluded)",
            c.corrected,
            c.decided_on_merits,
            rate(c.decided_on_merits),
            c.corrected,
            c.concluded,
            rate(c.concluded)
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

/// The generated year must read as the report: a mismatch is a defect of the generator.
fn check_against(quotas: &Quotas, counts: &Counts) -> anyhow::Result<()> {
    let expected = [
        ("concluded", quotas.concluded(), counts.concluded),
        ("revoked", quotas.revoked, counts.revoked),
        (
            "confirmed_illegal",
            quotas.confirmed_illegal,
            counts.confirmed_illegal,
        ),
        (
            "ordered_to_perform",
            quotas.ordered_to_perform,
            counts.ordered_to_perform,
        ),
        ("corrected", quotas.corrected(), counts.corrected),
        (
            "decided_on_merits",
            quotas.decided_on_merits(),
            counts.decided_on_merits,
        ),
        ("not_accepted", quotas.not_accepted(), counts.not_accepted),
        ("received", quotas.received(), counts.received),
    ];
    let wrong: Vec<String> = expected
        .iter()
        .filter(|(_, want, got)| u64::from(*want) != *got)
        .map(|(name, want, got)| format!("{name} {got} (planned {want})"))
        .collect();
    if wrong.is_empty() {
        Ok(())
    } else {
        bail!("the generated year does not add up: {}", wrong.join(", "))
    }
}

fn year_bounds(year: i32) -> anyhow::Result<(NaiveDate, NaiveDate)> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).context("year out of range")?;
    let to = NaiveDate::from_ymd_opt(year, 12, 31).context("year out of range")?;
    Ok((from, to))
}

// ---------------------------------------------------------------------------------------------
// The organ tree, its respondents and staff.

/// A demo organ and the agencies answering to it.
struct OrganSpec {
    code: &'static str,
    name: &'static str,
    short_name: &'static str,
    /// Share of the year's applications (out of the sum over organs).
    weight: u32,
    respondents: &'static [RespondentSpec],
    /// The basic court where suits against its decisions are filed, and its code in case
    /// numbers.
    court: Court,
}

/// A court: its name and its code in case numbers (`(2023)闽0102行初5号`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Court {
    name: &'static str,
    code: &'static str,
}

const GULOU_COURT: Court = Court {
    name: "福州市鼓楼区人民法院",
    code: "闽0102",
};

/// A suit with a county-level or higher government as the only defendant goes to the
/// intermediate court (Administrative Litigation Law art. 15).
const INTERMEDIATE_COURT: Court = Court {
    name: "福州市中级人民法院",
    code: "闽01",
};

/// A respondent: its name, the abbreviation its act numbers start with, its domain and its
/// share of its organ's applications.
#[derive(Debug, PartialEq, Eq)]
struct RespondentSpec {
    name: &'static str,
    abbr: &'static str,
    domain: AdminDomain,
    weight: u32,
}

const fn respondent(
    name: &'static str,
    abbr: &'static str,
    domain: AdminDomain,
    weight: u32,
) -> RespondentSpec {
    RespondentSpec {
        name,
        abbr,
        domain,
        weight,
    }
}

use AdminDomain as D;

/// The city government handles applications against its departments; tax authorities are left
/// out on purpose, since their cases go to the superior tax authority (art. 27), not to it.
const CITY_RESPONDENTS: &[RespondentSpec] = &[
    respondent("福州市公安局", "榕公", D::PublicSecurity, 26),
    respondent("福州市市场监督管理局", "榕市监", D::MarketRegulation, 12),
    respondent(
        "福州市自然资源和规划局",
        "榕自然资源",
        D::NaturalResources,
        12,
    ),
    respondent(
        "福州市人力资源和社会保障局",
        "榕人社",
        D::HumanResources,
        10,
    ),
    respondent("福州市城乡建设局", "榕建", D::HousingConstruction, 8),
    respondent(
        "福州市住房保障和房产管理局",
        "榕房",
        D::HousingConstruction,
        5,
    ),
    respondent("福州市交通运输局", "榕交", D::Transport, 7),
    respondent("福州市生态环境局", "榕环", D::EcologyEnvironment, 5),
    respondent("福州市城市管理委员会", "榕城管", D::UrbanManagement, 6),
    respondent("福州市卫生健康委员会", "榕卫", D::Health, 3),
    respondent("福州市教育局", "榕教", D::Education, 2),
    respondent("福州市民政局", "榕民", D::Other, 2),
    respondent("福州市农业农村局", "榕农", D::Other, 2),
];

const GULOU_RESPONDENTS: &[RespondentSpec] = &[
    respondent(
        "福州市鼓楼区市场监督管理局",
        "鼓市监",
        D::MarketRegulation,
        25,
    ),
    respondent(
        "福州市鼓楼区人力资源和社会保障局",
        "鼓人社",
        D::HumanResources,
        20,
    ),
    respondent(
        "福州市鼓楼区住房和城乡建设局",
        "鼓建",
        D::HousingConstruction,
        15,
    ),
    respondent("福州市鼓楼区城市管理局", "鼓城管", D::UrbanManagement, 20),
    respondent("福州市鼓楼区卫生健康局", "鼓卫", D::Health, 6),
    respondent("福州市鼓楼区教育局", "鼓教", D::Education, 6),
    respondent("福州市鼓楼区东街街道办事处", "鼓东街", D::Other, 8),
];

const TAIJIANG_RESPONDENTS: &[RespondentSpec] = &[
    respondent(
        "福州市台江区市场监督管理局",
        "台市监",
        D::MarketRegulation,
        28,
    ),
    respondent(
        "福州市台江区人力资源和社会保障局",
        "台人社",
        D::HumanResources,
        18,
    ),
    respondent(
        "福州市台江区住房和城乡建设局",
        "台建",
        D::HousingConstruction,
        16,
    ),
    respondent("福州市台江区城市管理局", "台城管", D::UrbanManagement, 22),
    respondent("福州市台江区卫生健康局", "台卫", D::Health, 6),
    respondent("福州市台江区教育局", "台教", D::Education, 4),
    respondent("福州市台江区上海街道办事处", "台上海", D::Other, 6),
];

const CANGSHAN_RESPONDENTS: &[RespondentSpec] = &[
    respondent(
        "福州市仓山区市场监督管理局",
        "仓市监",
        D::MarketRegulation,
        22,
    ),
    respondent(
        "福州市仓山区人力资源和社会保障局",
        "仓人社",
        D::HumanResources,
        18,
    ),
    respondent(
        "福州市仓山区住房和城乡建设局",
        "仓建",
        D::HousingConstruction,
        20,
    ),
    respondent("福州市仓山区城市管理局", "仓城管", D::UrbanManagement, 20),
    respondent("福州市仓山区卫生健康局", "仓卫", D::Health, 6),
    respondent("福州市仓山区教育局", "仓教", D::Education, 6),
    respondent("福州市仓山区城门镇人民政府", "仓城门", D::Other, 8),
];

/// The city first: the districts hang below it.
const TREE: &[OrganSpec] = &[
    OrganSpec {
        code: "fuzhou",
        name: "福州市人民政府",
        short_name: "榕",
        weight: 40,
        respondents: CITY_RESPONDENTS,
        court: GULOU_COURT,
    },
    OrganSpec {
        code: "gulou",
        name: "福州市鼓楼区人民政府",
        short_name: "鼓",
        weight: 22,
        respondents: GULOU_RESPONDENTS,
        court: GULOU_COURT,
    },
    OrganSpec {
        code: "taijiang",
        name: "福州市台江区人民政府",
        short_name: "台",
        weight: 18,
        respondents: TAIJIANG_RESPONDENTS,
        court: Court {
            name: "福州市台江区人民法院",
            code: "闽0103",
        },
    },
    OrganSpec {
        code: "cangshan",
        name: "福州市仓山区人民政府",
        short_name: "仓",
        weight: 20,
        respondents: CANGSHAN_RESPONDENTS,
        court: Court {
            name: "福州市仓山区人民法院",
            code: "闽0104",
        },
    },
];

/// A demo organ as stored, with the staff who act on its cases.
struct LiveOrgan {
    spec: &'static OrganSpec,
    organ: Organ,
    officer: Caller,
    head: Caller,
    respondents: Vec<PlanRespondent>,
}

struct Setup {
    organs: Vec<LiveOrgan>,
    users: Vec<DemoUser>,
    admin_reused: bool,
}

/// A user to create: username, display name, organ index in [`TREE`], roles.
struct UserSpec {
    username: String,
    display_name: String,
    organ: usize,
    roles: Vec<Role>,
}

fn user_specs() -> Vec<UserSpec> {
    let city = |username: &str, display_name: &str, roles: &[Role]| UserSpec {
        username: username.to_owned(),
        display_name: display_name.to_owned(),
        organ: 0,
        roles: roles.to_vec(),
    };
    let mut specs = vec![
        city("officer", "办案人员", &[Role::Officer]),
        city("head", "复议机构负责人", &[Role::Officer, Role::Head]),
        city("statistician", "统计人员", &[Role::Statistician]),
    ];
    // A district's cases can only be changed by its own staff.
    for (index, organ) in TREE.iter().enumerate().skip(1) {
        specs.push(UserSpec {
            username: format!("{}-officer", organ.code),
            display_name: format!("{}办案人员", district_label(organ)),
            organ: index,
            roles: vec![Role::Officer],
        });
        specs.push(UserSpec {
            username: format!("{}-head", organ.code),
            display_name: format!("{}复议机构负责人", district_label(organ)),
            organ: index,
            roles: vec![Role::Officer, Role::Head],
        });
    }
    specs
}

fn district_label(organ: &OrganSpec) -> &'static str {
    organ
        .name
        .strip_prefix("福州市")
        .and_then(|name| name.strip_suffix("人民政府"))
        .unwrap_or(organ.name)
}

/// Hashes off the async threads: Argon2 is slow by design.
async fn hash_password(secret: &str) -> anyhow::Result<String> {
    let secret = secret.to_owned();
    tokio::task::spawn_blocking(move || password::hash(&secret))
        .await?
        .map_err(|err| anyhow!("hashing the demo password failed: {err}"))
}

/// Creates the organs, respondents and users in one transaction, refusing when any demo organ
/// or user exists already.
async fn set_up(state: &AppState, options: &DemoOptions) -> anyhow::Result<Setup> {
    let specs = user_specs();
    let mut hashes = Vec::with_capacity(specs.len() + 1);
    for _ in 0..=specs.len() {
        hashes.push(hash_password(&options.password).await?);
    }
    let time_zone = state.settings.rules.default_time_zone.name();
    let mut conn = state.pool.get().await?;
    conn.transaction(async |conn| {
        refuse_existing(conn, &specs).await?;
        let admin = db::users::find_by_username(conn, "admin").await?;
        let mut organs: Vec<Organ> = Vec::new();
        for (index, spec) in TREE.iter().enumerate() {
            let parent_id = match index {
                0 => admin.as_ref().map(|admin| admin.organ_id),
                _ => organs.first().map(|city| city.id),
            };
            let organ = db::organs::insert_organ(
                conn,
                NewOrgan {
                    code: spec.code,
                    name: spec.name,
                    short_name: spec.short_name,
                    parent_id,
                    time_zone,
                },
            )
            .await?;
            organs.push(organ);
        }
        let mut respondents: Vec<Vec<PlanRespondent>> = Vec::new();
        for (spec, organ) in TREE.iter().zip(&organs) {
            let mut list = Vec::new();
            for respondent in spec.respondents {
                let row = db::organs::insert_respondent(
                    conn,
                    &NewRespondent {
                        id: Uuid::now_v7(),
                        organ_id: organ.id,
                        name: respondent.name,
                        credit_code: None,
                        domain: respondent.domain.as_str(),
                    },
                )
                .await?;
                list.push(PlanRespondent {
                    id: row.id,
                    spec: respondent,
                });
            }
            respondents.push(list);
        }

        let mut users = Vec::new();
        let mut callers: BTreeMap<String, Caller> = BTreeMap::new();
        let mut hashes = hashes.into_iter();
        for spec in &specs {
            let organ = organs.get(spec.organ).context("demo organ")?;
            let hash = hashes.next().context("a password hash per user")?;
            let row = db::users::insert(
                conn,
                &NewUser {
                    id: Uuid::now_v7(),
                    username: &spec.username,
                    display_name: &spec.display_name,
                    password_hash: &hash,
                    organ_id: organ.id,
                    roles: store_roles(&spec.roles),
                },
            )
            .await?;
            callers.insert(spec.username.clone(), Caller::of_user(&row, organ)?);
            users.push(DemoUser {
                username: spec.username.clone(),
                organ: organ.code.clone(),
                roles: spec.roles.clone(),
            });
        }
        let admin_hash = hashes.next().context("a password hash for admin")?;
        let admin_reused = match admin {
            Some(admin) => {
                db::users::update(
                    conn,
                    admin.id,
                    &UserChanges {
                        password_hash: Some(admin_hash),
                        ..UserChanges::default()
                    },
                )
                .await?;
                // As when an administrator changes a password: sessions under the old one end.
                db::users::revoke_all_of_user(conn, admin.id, Utc::now()).await?;
                let organ = db::organs::find_organ(conn, admin.organ_id).await?;
                users.push(DemoUser {
                    username: admin.username.clone(),
                    organ: organ.code,
                    roles: crate::auth::parse_roles(&admin.roles)?,
                });
                true
            }
            None => {
                let city = organs.first().context("the city organ")?;
                db::users::insert(
                    conn,
                    &NewUser {
                        id: Uuid::now_v7(),
                        username: "admin",
                        display_name: "系统管理员",
                        password_hash: &admin_hash,
                        organ_id: city.id,
                        roles: store_roles(&[Role::Admin]),
                    },
                )
                .await?;
                users.push(DemoUser {
                    username: "admin".to_owned(),
                    organ: city.code.clone(),
                    roles: vec![Role::Admin],
                });
                false
            }
        };

        let mut live = Vec::new();
        for ((spec, organ), respondents) in TREE.iter().zip(organs).zip(respondents) {
            let (officer, head) = if spec.code == TREE[0].code {
                ("officer".to_owned(), "head".to_owned())
            } else {
                (
                    format!("{}-officer", spec.code),
                    format!("{}-head", spec.code),
                )
            };
            live.push(LiveOrgan {
                spec,
                officer: callers.get(&officer).cloned().context("officer")?,
                head: callers.get(&head).cloned().context("head")?,
                organ,
                respondents,
            });
        }
        Ok::<_, anyhow::Error>(Setup {
            organs: live,
            users,
            admin_reused,
        })
    })
    .await
}

async fn refuse_existing(conn: &mut AsyncPgConnection, users: &[UserSpec]) -> anyhow::Result<()> {
    use diesel::OptionalExtension;
    for organ in TREE {
        if db::organs::find_organ_by_code(conn, organ.code)
            .await
            .optional()?
            .is_some()
        {
            bail!(
                "demo data is already there (organ `{}` exists); the demo runs once, on a database without it (e.g. a fresh FUYI_DATA_DIR)",
                organ.code
            );
        }
    }
    for user in users {
        if db::users::find_by_username(conn, &user.username)
            .await?
            .is_some()
        {
            bail!(
                "user `{}` already exists; the demo runs once, on a database without its users (e.g. a fresh FUYI_DATA_DIR)",
                user.username
            );
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The runner: the plan through the real service, day by day.

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
async fn run(
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
    let context = |err: ApiError, what: &str| {
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

/// The problem document an API client would have seen, for the error message.
fn problem(err: ApiError) -> String {
    use actix_web::{ResponseError, body::MessageBody};
    let shown = err.to_string();
    err.error_response()
        .into_body()
        .try_into_bytes()
        .map_or(shown, |bytes| String::from_utf8_lossy(&bytes).into_owned())
}

// ---------------------------------------------------------------------------------------------
// Follow-up: letters and litigation on the year's decisions, through the follow-up services.

/// The report's follow-up figures, completed where it gives only a total or a rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowupQuotas {
    /// 行政复议意见书; with the recommendation letters, the report's 26.
    pub opinion_letters: u32,
    /// 行政复议建议书.
    pub recommendation_letters: u32,
    /// Court cases heard in the year (one instance of one suit): the head-appearance base.
    pub court_cases_heard: u32,
    /// Of those, with the agency's head in court: 61 ÷ 62 = 98.39%.
    pub head_appeared: u32,
    /// First instances concluded in the year: the loss-rate base.
    pub first_instance_concluded: u32,
    /// Of those, lost: 21 ÷ 152 = 13.82%.
    pub first_instance_lost: u32,
}

/// The 2023 report: 26 letters, head appearance 98.39%, loss rate 13.82%. The split of the
/// letters and the bases of the rates (62 and 152, the smallest that give both rates) are
/// invented.
pub const REPORT_2023_FOLLOWUP: FollowupQuotas = FollowupQuotas {
    opinion_letters: 18,
    recommendation_letters: 8,
    court_cases_heard: 62,
    head_appeared: 61,
    first_instance_concluded: 152,
    first_instance_lost: 21,
};

fn check_followup_against(quotas: &FollowupQuotas, counts: &FollowupCounts) -> anyhow::Result<()> {
    let expected = [
        (
            "opinion letters",
            quotas.opinion_letters,
            counts.letters_issued.opinion,
        ),
        (
            "recommendation letters",
            quotas.recommendation_letters,
            counts.letters_issued.recommendation,
        ),
        (
            "court cases heard",
            quotas.court_cases_heard,
            counts.court_cases_heard,
        ),
        ("head appeared", quotas.head_appeared, counts.head_appeared),
        (
            "first instances concluded",
            quotas.first_instance_concluded,
            counts.first_instance_concluded,
        ),
        (
            "first instances lost",
            quotas.first_instance_lost,
            counts.first_instance_lost,
        ),
    ];
    let wrong: Vec<String> = expected
        .iter()
        .filter(|(_, want, got)| u64::from(*want) != *got)
        .map(|(name, want, got)| format!("{name} {got} (planned {want})"))
        .collect();
    if wrong.is_empty() {
        Ok(())
    } else {
        bail!(
            "the generated follow-up does not add up: {}",
            wrong.join(", ")
        )
    }
}

/// A letter to issue, linked to cases of one organ against one respondent.
#[derive(Debug, Clone, PartialEq)]
struct LetterPlan {
    organ: usize,
    kind: LetterKind,
    document_number: String,
    issued_on: NaiveDate,
    received_on: Option<NaiveDate>,
    reported_on: Option<NaiveDate>,
    recipient: Uuid,
    summary: String,
    /// Indexes into the case plans.
    cases: Vec<usize>,
}

/// A suit against one case's decision: filed, perhaps heard, judged at first instance.
#[derive(Debug, Clone, PartialEq)]
struct LawsuitPlan {
    case: usize,
    organ: usize,
    court: Court,
    court_case_number: String,
    filed_on: NaiveDate,
    co_defendant: bool,
    /// The hearing's day and whether the agency's head appeared.
    hearing: Option<(NaiveDate, bool)>,
    judged_on: NaiveDate,
    result: JudgmentResult,
}

#[derive(Debug, Clone, PartialEq)]
struct FollowupPlan {
    letters: Vec<LetterPlan>,
    lawsuits: Vec<LawsuitPlan>,
}

/// Plans the year's letters and suits on the planned cases, with its own random stream so the
/// cases stay as they are whatever is planned here.
fn plan_followup(
    ctx: &PlanContext<'_>,
    plans: &[CasePlan],
    organs: &[PlanOrgan],
    quotas: &FollowupQuotas,
    seed: u64,
) -> anyhow::Result<FollowupPlan> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x666f_6c6c_6f77_7570);
    let days = Calendar {
        calendar: ctx.calendar,
    };
    let (_, year_end) = year_bounds(ctx.year)?;
    let concluded_on = |plan: &CasePlan| plan.outcome.concluded().then(|| plan.last_on());
    Ok(FollowupPlan {
        letters: plan_letters(ctx, plans, organs, quotas, &mut rng, days, year_end)?,
        lawsuits: plan_lawsuits(
            ctx,
            plans,
            organs,
            quotas,
            &mut rng,
            days,
            year_end,
            concluded_on,
        )?,
    })
}

#[allow(clippy::too_many_arguments)]
fn plan_lawsuits(
    ctx: &PlanContext<'_>,
    plans: &[CasePlan],
    organs: &[PlanOrgan],
    quotas: &FollowupQuotas,
    rng: &mut StdRng,
    days: Calendar<'_>,
    year_end: NaiveDate,
    concluded_on: impl Fn(&CasePlan) -> Option<NaiveDate>,
) -> anyhow::Result<Vec<LawsuitPlan>> {
    use JudgmentResult as J;
    if quotas.first_instance_lost > quotas.court_cases_heard
        || quotas.court_cases_heard > quotas.first_instance_concluded
        || quotas.head_appeared > quotas.court_cases_heard
    {
        bail!(
            "the litigation quotas do not fit: losses follow hearings, hearings end in judgments"
        );
    }
    // Losses come after a trial; the rest of the heard cases end with the claim rejected. Suits
    // never heard end by ruling, withdrawal or court mediation.
    let lost = [
        (J::Revoked, 12),
        (J::ConfirmedIllegal, 5),
        (J::OrderedToPerform, 2),
        (J::OrderedToPay, 2),
    ];
    let mut heard: Vec<JudgmentResult> = Vec::new();
    let lost_total: u32 = lost.iter().map(|(_, n)| n).sum();
    for (result, n) in lost {
        let n = n * quotas.first_instance_lost / lost_total.max(1);
        heard.extend(std::iter::repeat_n(result, n as usize));
    }
    while (heard.len() as u32) < quotas.first_instance_lost {
        heard.push(J::Revoked);
    }
    while (heard.len() as u32) < quotas.court_cases_heard {
        heard.push(J::ClaimRejected);
    }
    let unheard_total = quotas.first_instance_concluded - quotas.court_cases_heard;
    let mut unheard: Vec<JudgmentResult> = Vec::new();
    let withdrawn = unheard_total / 2;
    let mediated = unheard_total / 18;
    unheard.extend(std::iter::repeat_n(J::Withdrawn, withdrawn as usize));
    unheard.extend(std::iter::repeat_n(J::Mediated, mediated as usize));
    unheard.extend(std::iter::repeat_n(
        J::SuitDismissed,
        (unheard_total - withdrawn - mediated) as usize,
    ));
    let absent = if quotas.court_cases_heard > quotas.head_appeared {
        rng.random_range(0..quotas.court_cases_heard) as usize
    } else {
        usize::MAX
    };
    let absences = (quotas.court_cases_heard - quotas.head_appeared) as usize;

    // Applicants sue mostly over decisions that upheld the act or rejected their request.
    let mut candidates: Vec<usize> = (0..plans.len())
        .filter(|&i| matches!(plans[i].outcome, Outcome::Decide(_) | Outcome::Dismiss))
        .collect();
    candidates.shuffle(rng);
    candidates.retain(|&i| match plans[i].outcome {
        Outcome::Decide(Disposition::Uphold | Disposition::RejectRequest) => true,
        Outcome::Dismiss => rng.random_bool(0.5),
        _ => rng.random_bool(0.15),
    });
    let mut candidates = candidates.into_iter();
    let mut suits = Vec::new();
    let slots = heard
        .into_iter()
        .enumerate()
        .map(|(i, result)| (result, Some(i)))
        .chain(unheard.into_iter().map(|result| (result, None)));
    for (result, heard_slot) in slots {
        let suit = loop {
            let Some(case) = candidates.next() else {
                bail!(
                    "too few decisions early enough in {} for the suits",
                    ctx.year
                );
            };
            let plan = &plans[case];
            let Some(decided) = concluded_on(plan) else {
                continue;
            };
            // Suits are filed within 15 days of the decision (Administrative Litigation Law
            // art. 45).
            let filed_on = days.on_or_before(decided + Days::new(rng.random_range(3..=15)));
            let filed_on = filed_on.max(decided);
            let hearing = heard_slot.map(|slot| {
                let held = days.on_or_after(filed_on + Days::new(rng.random_range(45..=100)));
                let missing = slot >= absent && slot < absent + absences;
                (held, !missing)
            });
            let judged_on = match hearing {
                Some((held, _)) => days.on_or_after(held + Days::new(rng.random_range(10..=40))),
                None => days.on_or_after(filed_on + Days::new(rng.random_range(20..=120))),
            };
            if judged_on > year_end || judged_on > ctx.today {
                continue;
            }
            let organ = organs.get(plan.organ).context("the case's organ")?;
            let co_defendant = matches!(
                plan.outcome,
                Outcome::Decide(Disposition::Uphold | Disposition::RejectRequest)
            );
            // Upholding makes the organ a co-defendant before the agency's court (art. 26 of
            // that law); a changed act makes the city government alone the defendant.
            let court = if co_defendant || plan.organ != 0 {
                organ.court
            } else {
                INTERMEDIATE_COURT
            };
            break LawsuitPlan {
                case,
                organ: plan.organ,
                court,
                court_case_number: String::new(),
                filed_on,
                co_defendant,
                hearing,
                judged_on,
                result,
            };
        };
        suits.push(suit);
    }
    suits.sort_by_key(|suit| (suit.filed_on, suit.case));
    let mut numbers: BTreeMap<&str, u32> = BTreeMap::new();
    for suit in &mut suits {
        let n = numbers.entry(suit.court.code).or_insert(0);
        *n += 1;
        suit.court_case_number = format!("({}){}行初{}号", ctx.year, suit.court.code, n);
    }
    Ok(suits)
}

fn plan_letters(
    ctx: &PlanContext<'_>,
    plans: &[CasePlan],
    organs: &[PlanOrgan],
    quotas: &FollowupQuotas,
    rng: &mut StdRng,
    days: Calendar<'_>,
    year_end: NaiveDate,
) -> anyhow::Result<Vec<LetterPlan>> {
    // Letters follow corrections: the decisions show what the agency keeps getting wrong.
    let cutoff = year_end - Days::new(45);
    let mut groups: BTreeMap<(usize, Uuid), Vec<usize>> = BTreeMap::new();
    for (index, plan) in plans.iter().enumerate() {
        if let Outcome::Decide(disposition) = plan.outcome
            && disposition.target_state().is_correction()
            && plan.last_on() <= cutoff
        {
            groups
                .entry((plan.organ, plan.respondent))
                .or_default()
                .push(index);
        }
    }
    let mut groups: Vec<((usize, Uuid), Vec<usize>)> = groups.into_iter().collect();
    groups.shuffle(rng);
    let wanted = (quotas.opinion_letters + quotas.recommendation_letters) as usize;
    if groups.len() < wanted {
        bail!("too few corrected respondents for {wanted} letters");
    }
    let latest_issue = days.on_or_before(year_end - Days::new(3));
    let mut letters = Vec::new();
    for (n, ((organ, recipient), mut cases)) in groups.into_iter().take(wanted).enumerate() {
        cases.sort_by_key(|&i| (plans[i].last_on(), i));
        let keep = rng.random_range(1..=3).min(cases.len());
        let cases: Vec<usize> = cases.split_off(cases.len() - keep);
        let latest = cases
            .iter()
            .map(|&i| plans[i].last_on())
            .max()
            .context("a letter's cases")?;
        let issued_on = days
            .add_working_days(latest, rng.random_range(5..=25))
            .min(latest_issue)
            .max(latest);
        let kind = if n < quotas.opinion_letters as usize {
            LetterKind::Opinion
        } else {
            LetterKind::Recommendation
        };
        let received_on = Some(days.add_working_days(issued_on, rng.random_range(1..=3)))
            .filter(|d| *d <= year_end);
        // An opinion letter is answered within 60 days of receipt (art. 76).
        let reported_on = match (kind, received_on) {
            (LetterKind::Opinion, Some(received)) => {
                Some(days.on_or_after(received + Days::new(rng.random_range(20..=55))))
                    .filter(|d| *d <= year_end)
            }
            _ => None,
        };
        let respondent = organs
            .get(organ)
            .and_then(|o| o.respondents.iter().find(|r| r.id == recipient))
            .map_or("", |r| r.spec.name);
        let summary = match kind {
            LetterKind::Opinion => format!(
                "{respondent}在所涉案件中存在事实认定不清、程序不当等问题，请予以纠正，并自收到本意见书之日起六十日内将纠正情况报送本机关"
            ),
            LetterKind::Recommendation => {
                format!("建议{respondent}规范执法程序，完善证据收集和告知程序，加强执法人员培训")
            }
        };
        letters.push(LetterPlan {
            organ,
            kind,
            document_number: String::new(),
            issued_on,
            received_on,
            reported_on,
            recipient,
            summary,
            cases,
        });
    }
    letters.sort_by_key(|letter| (letter.issued_on, letter.organ, letter.recipient));
    let mut numbers: BTreeMap<(usize, bool), u32> = BTreeMap::new();
    for letter in &mut letters {
        let opinion = letter.kind == LetterKind::Opinion;
        let n = numbers.entry((letter.organ, opinion)).or_insert(0);
        *n += 1;
        let short = organs
            .get(letter.organ)
            .map_or("", |o| o.short_name.as_str());
        let kind = if opinion { "意" } else { "建" };
        letter.document_number = format!("{short}复{kind}〔{}〕{n}号", ctx.year);
    }
    Ok(letters)
}

/// Records the planned letters and suits through the follow-up services, as the organs'
/// officers.
async fn run_followup(
    state: &AppState,
    setup: &Setup,
    ids: &[Option<Uuid>],
    plan: &FollowupPlan,
) -> anyhow::Result<()> {
    let case_id = |index: usize| {
        ids.get(index)
            .copied()
            .flatten()
            .context("a follow-up on a case that was not registered")
    };
    let officer = |organ: usize| {
        setup
            .organs
            .get(organ)
            .map(|o| &o.officer)
            .context("the organ of a follow-up")
    };
    let refused =
        |what: &str, err: ApiError| anyhow!("demo follow-up: {what} was refused: {}", problem(err));
    let mut conn = state.pool.get().await?;
    for letter in &plan.letters {
        let caller = officer(letter.organ)?;
        let view = letters::issue(
            &mut conn,
            caller,
            LetterRequest {
                kind: letter.kind,
                document_number: letter.document_number.clone(),
                issued_on: letter.issued_on,
                recipient_id: Some(letter.recipient),
                recipient_name: None,
                summary: letter.summary.clone(),
                case_ids: letter
                    .cases
                    .iter()
                    .map(|&i| case_id(i))
                    .collect::<anyhow::Result<_>>()?,
                handler_id: None,
                received_on: letter.received_on,
            },
        )
        .await
        .map_err(|err| refused(&format!("letter {}", letter.document_number), err))?;
        if let Some(reported_on) = letter.reported_on {
            letters::record_report_back(
                &mut conn,
                caller,
                view.id,
                ReportBackRequest {
                    received_on: None,
                    reported_on,
                    summary: Some("已按意见书要求完成整改".to_owned()),
                },
            )
            .await
            .map_err(|err| refused(&format!("report-back on {}", letter.document_number), err))?;
        }
    }
    for suit in &plan.lawsuits {
        let caller = officer(suit.organ)?;
        let what = || format!("suit {}", suit.court_case_number);
        let view = records::record_lawsuit(
            &mut conn,
            caller,
            case_id(suit.case)?,
            LawsuitRequest {
                court: suit.court.name.to_owned(),
                court_case_number: suit.court_case_number.clone(),
                filed_on: suit.filed_on,
                organ_co_defendant: suit.co_defendant,
                note: None,
            },
        )
        .await
        .map_err(|err| refused(&what(), err))?;
        if let Some((held_on, head_appeared)) = suit.hearing {
            records::record_hearing(
                &mut conn,
                caller,
                view.id,
                HearingRequest {
                    instance: Instance::First,
                    held_on,
                    head_appeared,
                    note: None,
                },
            )
            .await
            .map_err(|err| refused(&what(), err))?;
        }
        records::record_judgment(
            &mut conn,
            caller,
            view.id,
            JudgmentRequest {
                instance: Instance::First,
                decided_on: suit.judged_on,
                result: suit.result,
                outcome: None,
                note: None,
            },
        )
        .await
        .map_err(|err| refused(&what(), err))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The planner: pure, seeded.

/// A respondent as the planner knows it.
#[derive(Debug, Clone)]
struct PlanRespondent {
    id: Uuid,
    spec: &'static RespondentSpec,
}

/// An organ as the planner knows it.
#[derive(Debug, Clone)]
struct PlanOrgan {
    short_name: String,
    weight: u32,
    court: Court,
    officer: Uuid,
    head: Uuid,
    respondents: Vec<PlanRespondent>,
}

/// What planning reads.
struct PlanContext<'a> {
    year: i32,
    calendar: &'a WorkCalendar,
    rules: &'a RuleSettings,
    /// No action may be dated after it.
    today: NaiveDate,
}

/// How a planned case ends (or stands at year end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Decide(Disposition),
    Dismiss,
    Mediate,
    Terminate(TerminationGround),
    Decline(DeclineReason),
    /// Received late in the year, open on 31 December.
    Open,
    /// Suspended mid-year, still suspended on 31 December.
    OpenSuspended,
}

impl Outcome {
    /// The case ends within the year in a conclusion (审结).
    fn concluded(self) -> bool {
        !matches!(self, Self::Decline(_) | Self::Open | Self::OpenSuspended)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Planned {
    Register,
    Act(Action),
}

#[derive(Debug, Clone, PartialEq)]
struct Step {
    on: NaiveDate,
    action: Planned,
}

impl Step {
    fn is_accept(&self) -> bool {
        matches!(&self.action, Planned::Act(a) if a.kind() == ActionKind::Accept)
    }
}

/// One case: its application and its dated steps, the registration first.
#[derive(Debug, Clone, PartialEq)]
struct CasePlan {
    organ: usize,
    respondent: Uuid,
    outcome: Outcome,
    facts: ApplicationFacts,
    parties: Vec<PartyInput>,
    steps: Vec<Step>,
}

impl CasePlan {
    fn last_on(&self) -> NaiveDate {
        self.steps.last().map_or(self.facts.received_on, |s| s.on)
    }
}

/// Stands in for the case number while planning: the service allocates the real one.
const PLANNED_NUMBER: &str = "(planned)";
/// Stands in for decision document numbers until they are numbered per organ in date order.
const UNNUMBERED: &str = "(unnumbered)";

/// Plans every case of the year to the quotas.
fn plan_year(
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

/// Gives decisions and mediation documents their numbers, per organ in date order.
fn number_documents(plans: &mut [CasePlan], organs: &[PlanOrgan], year: i32) {
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
            Action::Mediate { document_number } => {
                let n = next.entry((organ, true)).or_insert(0);
                *n += 1;
                *document_number = format!("{short}复调〔{year}〕{n}号");
            }
            _ => {}
        }
    }
}

struct Planner<'a> {
    ctx: &'a PlanContext<'a>,
    organs: &'a [PlanOrgan],
    rng: StdRng,
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
            Outcome::Decline(_) => {
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
            Outcome::Decline(_) | Outcome::Open => Ok(()),
        }
    }

    fn decline(&mut self, case: &mut CaseBuilder<'_>, reason: DeclineReason) -> anyhow::Result<()> {
        let received = case.last_on();
        let (on, competent_organ, explanation) = match reason {
            DeclineReason::SupplementNotProvided => {
                let notice = self.after(received, 1, 3);
                case.act(
                    notice,
                    Action::RequestSupplement {
                        items: self.supplement_items(),
                    },
                )?;
                let limit = self.ctx.rules.deadlines.supplement_working_days;
                let on = self.after(notice, limit + 1, limit + 3);
                (on, None, "申请人逾期未补正，视为放弃行政复议申请")
            }
            DeclineReason::NoJurisdiction => {
                let on = self.after(received, 1, 5);
                let organ = self.pick_str(&[
                    "福建省人民政府",
                    "国家税务总局福建省税务局",
                    "福州海关",
                    "福建省公安厅",
                ]);
                (
                    on,
                    Some(organ.to_owned()),
                    "不属于本机关管辖，已告知申请人向有管辖权的行政复议机关提出",
                )
            }
            DeclineReason::TimeBarred => {
                let on = self.after(received, 1, 5);
                (on, None, "超过法定申请期限且无正当理由")
            }
            DeclineReason::Inadmissible => {
                let on = self.after(received, 1, 5);
                let why = self.pick_str(&[
                    "申请事项不属于行政复议范围",
                    "申请人与被申请行政复议的行政行为没有利害关系",
                    "没有明确的被申请人",
                    "对内部层级监督行为不服，不属于行政复议范围",
                ]);
                (on, None, why)
            }
        };
        case.act(
            on,
            Action::Decline {
                reason,
                competent_organ,
                explanation: Some(explanation.to_owned()),
            },
        )
    }

    /// Review (sometimes with a supplement), acceptance and assignment.
    fn admit(
        &mut self,
        case: &mut CaseBuilder<'_>,
        organ: &PlanOrgan,
        facts: &ApplicationFacts,
    ) -> anyhow::Result<()> {
        let mut review_from = case.last_on();
        if self.chance(0.08) {
            let notice = self.after(review_from, 1, 2);
            case.act(
                notice,
                Action::RequestSupplement {
                    items: self.supplement_items(),
                },
            )?;
            let limit = self.ctx.rules.deadlines.supplement_working_days;
            review_from = self.after(notice, 2, limit.saturating_sub(2).max(2));
            case.act(review_from, Action::Supplement {})?;
        }
        let review = self.ctx.rules.deadlines.acceptance_review_working_days;
        // A review left to lapse is deemed an acceptance (视为受理, art. 30).
        let deemed = self.chance(0.02);
        let on = if deemed {
            self.after(review_from, review + 1, review + 2)
        } else {
            self.after(review_from, 1, review)
        };
        let simplified_ground = self.simplified_ground(facts);
        let procedure = if simplified_ground.is_some() {
            Procedure::Simplified
        } else {
            Procedure::Ordinary
        };
        case.act(
            on,
            Action::Accept {
                procedure,
                simplified_ground,
                deemed,
            },
        )?;
        case.act(
            on,
            Action::Assign {
                handlers: vec![organ.officer, organ.head],
            },
        )
    }

    /// Simplified procedure for about half the cases that qualify (art. 53), and a few more by
    /// the parties' consent.
    fn simplified_ground(&mut self, facts: &ApplicationFacts) -> Option<SimplifiedGround> {
        let qualifies = match facts.act_type {
            ActType::InformationDisclosure => Some(SimplifiedGround::InformationDisclosure),
            ActType::AdministrativePenalty => match facts.amount_fen {
                None => Some(SimplifiedGround::WarningOrCriticism),
                Some(fen) if fen <= 50_000 => Some(SimplifiedGround::OnTheSpotAct),
                Some(fen) if fen <= 300_000 => Some(SimplifiedGround::SmallAmount),
                Some(_) => None,
            },
            _ => None,
        };
        match qualifies {
            Some(ground) if self.chance(0.55) => Some(ground),
            Some(_) => None,
            None => self
                .chance(0.03)
                .then_some(SimplifiedGround::PartiesConsent),
        }
    }

    fn simplified(case: &CaseBuilder<'_>) -> bool {
        case.lc.procedure == Some(Procedure::Simplified)
    }

    /// The copy to the respondent and its reply, recorded together when the reply arrives (or
    /// the copy alone when `with_reply` is false).
    fn reply(&mut self, case: &mut CaseBuilder<'_>, with_reply: bool) -> anyhow::Result<NaiveDate> {
        let settings = &self.ctx.rules.deadlines;
        let (copy_limit, reply_limit) = if Self::simplified(case) {
            (
                settings.copy_working_days_simplified,
                settings.reply_working_days_simplified,
            )
        } else {
            (settings.copy_working_days, settings.reply_working_days)
        };
        let accepted = case.last_on();
        let copy = if self.chance(0.03) {
            self.after(accepted, copy_limit + 1, copy_limit + 3)
        } else {
            self.after(accepted, 1, copy_limit)
        };
        if !with_reply {
            case.act(
                copy,
                Action::RecordReply {
                    copy_sent_on: Some(copy),
                    reply_received_on: None,
                },
            )?;
            return Ok(copy);
        }
        let reply = if self.chance(0.04) {
            self.after(copy, reply_limit + 1, reply_limit + 4)
        } else {
            self.after(copy, 2.min(reply_limit), reply_limit)
        };
        case.act(
            reply,
            Action::RecordReply {
                copy_sent_on: Some(copy),
                reply_received_on: Some(reply),
            },
        )?;
        Ok(reply)
    }

    /// Hears the parties: mostly in writing, sometimes in person, online or by phone, and now
    /// and then at a formal hearing (听证) notified at least five working days ahead.
    fn hear(&mut self, case: &mut CaseBuilder<'_>) -> anyhow::Result<()> {
        let base = case.last_on();
        let method = if Self::simplified(case) {
            self.pick(&[
                (HearingMethod::WrittenOpinions, 8),
                (HearingMethod::Phone, 2),
            ])
        } else {
            self.pick(&[
                (HearingMethod::WrittenOpinions, 56),
                (HearingMethod::InPerson, 20),
                (HearingMethod::Online, 10),
                (HearingMethod::Phone, 9),
                (HearingMethod::Hearing, 5),
            ])
        };
        if method == HearingMethod::Hearing {
            let notice = self.after(base, 1, 3);
            let held = self.after(notice, 6, 8);
            return case.act(
                held,
                Action::Hear {
                    method,
                    hearing_on: Some(held),
                    notice_on: Some(notice),
                },
            );
        }
        let on = if Self::simplified(case) {
            self.after(base, 1, 3)
        } else {
            self.after(base, 1, 8)
        };
        case.act(
            on,
            Action::Hear {
                method,
                hearing_on: (method != HearingMethod::WrittenOpinions).then_some(on),
                notice_on: None,
            },
        )
    }

    /// Suspends the case a few working days after its last step; returns the day.
    fn suspend(
        &mut self,
        case: &mut CaseBuilder<'_>,
        ground: SuspensionGround,
    ) -> anyhow::Result<NaiveDate> {
        let on = self.after(case.last_on(), 1, 6);
        case.act(on, Action::Suspend { ground })?;
        Ok(on)
    }

    /// Sometimes suspends the case for a while and resumes it.
    fn maybe_suspend_and_resume(&mut self, case: &mut CaseBuilder<'_>) -> anyhow::Result<()> {
        if !self.chance(0.06) {
            return Ok(());
        }
        let ground = self.pick(&[
            (SuspensionGround::ForceMajeure, 2),
            (SuspensionGround::ApplicantMissing, 1),
            (SuspensionGround::MediationOrSettlement, 3),
            (SuspensionGround::LegalInterpretationPending, 1),
            (SuspensionGround::RelatedCasePending, 3),
            (SuspensionGround::NormativeDocumentReview, 1),
        ]);
        let since = self.suspend(case, ground)?;
        let on = self.after(since, 5, 30);
        case.act(on, Action::Resume {})
    }

    /// Sometimes extends an ordinary case a few days before its deadline (art. 62).
    fn maybe_extend(&mut self, case: &mut CaseBuilder<'_>) -> anyhow::Result<()> {
        if Self::simplified(case) || !self.chance(0.10) {
            return Ok(());
        }
        let budget = self
            .ctx
            .rules
            .lifecycle
            .max_extension_days
            .saturating_sub(case.lc.extension_days);
        let Some(due) = case.decision_due() else {
            return Ok(());
        };
        let days = self.pick(&[(10, 2), (15, 3), (20, 2), (30, 3)]).min(budget);
        let before = self.between(1, 10);
        let on = self
            .days()
            .on_or_before(due - Days::new(u64::from(before)))
            .max(case.last_on());
        if days == 0 || on > due {
            return Ok(());
        }
        let reason = self
            .pick_str(&[
                "案情重大、复杂，需进一步调查取证",
                "需要现场勘验，不能在规定期限内作出决定",
                "涉及专业技术问题，需进行鉴定",
            ])
            .to_owned();
        case.act(on, Action::Extend { days, reason })
    }

    /// A working day for the conclusion: within the decision period, or up to two weeks past it
    /// when `late`.
    fn conclusion_day(&mut self, case: &CaseBuilder<'_>, late: bool) -> NaiveDate {
        let from = self.days().add_working_days(case.last_on(), 1);
        let due = case.decision_due().unwrap_or_else(|| from + Days::new(20));
        if late {
            let past = u64::from(self.between(1, 15));
            return self.days().on_or_after(due.max(from) + Days::new(past));
        }
        if from >= due {
            return from;
        }
        self.working_day_between(from, due)
    }

    fn decide_path(
        &mut self,
        case: &mut CaseBuilder<'_>,
        disposition: Disposition,
    ) -> anyhow::Result<()> {
        // Art. 70: a respondent that does not reply leaves its act without evidence, so the
        // act is corrected without a hearing once the reply period has run out.
        let corrective = matches!(
            disposition,
            Disposition::Revoke | Disposition::ConfirmIllegal | Disposition::OrderToPerform
        );
        if corrective && !Self::simplified(case) && self.chance(0.06) {
            let copy = self.reply(case, false)?;
            let reply_due = self
                .days()
                .add_working_days(copy, self.ctx.rules.deadlines.reply_working_days);
            let on = self.after(reply_due, 1, 5);
            return case.act(on, self.decision(disposition));
        }
        self.reply(case, true)?;
        if !Self::simplified(case) {
            self.maybe_suspend_and_resume(case)?;
        }
        self.hear(case)?;
        if Self::simplified(case) && self.chance(0.08) {
            let on = self.after(case.last_on(), 1, 3);
            case.act(
                on,
                Action::ConvertToOrdinary {
                    reason: "案情复杂，不宜适用简易程序".to_owned(),
                },
            )?;
        }
        self.maybe_extend(case)?;
        let late = !Self::simplified(case) && self.chance(0.03);
        let on = self.conclusion_day(case, late);
        let decision = self.decision(disposition);
        case.act(on, decision)
    }

    fn terminate_path(
        &mut self,
        case: &mut CaseBuilder<'_>,
        ground: TerminationGround,
    ) -> anyhow::Result<()> {
        let terminate = |ground: TerminationGround, explanation: &str| Action::Terminate {
            ground,
            explanation: Some(explanation.to_owned()),
        };
        match ground {
            TerminationGround::Withdrawn => {
                // Applicants withdraw at any stage: before the reply, after it, after a hearing.
                let stage = self.between(0, 2);
                if stage >= 1 {
                    self.reply(case, true)?;
                }
                if stage == 2 {
                    self.hear(case)?;
                }
                let on = if stage == 2 {
                    self.conclusion_day(case, false)
                } else {
                    self.after(case.last_on(), 1, 8)
                };
                case.act(
                    on,
                    terminate(ground, "申请人申请撤回行政复议申请，经审查准予撤回"),
                )
            }
            TerminationGround::Settled => {
                self.reply(case, true)?;
                let since = self.suspend(case, SuspensionGround::MediationOrSettlement)?;
                let on = self.after(since, 8, 25);
                case.act(on, terminate(ground, "双方达成和解，申请人撤回申请"))
            }
            TerminationGround::ApplicantDiedNoSuccessor => {
                self.reply(case, true)?;
                let since = self.suspend(case, SuspensionGround::ApplicantDied)?;
                let on = self.after(since, 10, 25);
                case.act(on, terminate(ground, "申请人死亡，近亲属放弃行政复议权利"))
            }
            TerminationGround::EntityEndedNoSuccessor => {
                self.reply(case, true)?;
                let since = self.suspend(case, SuspensionGround::EntityEnded)?;
                let on = self.after(since, 10, 25);
                case.act(on, terminate(ground, "申请人已注销，无权利义务承受人"))
            }
            TerminationGround::CriminalMeasures => {
                self.reply(case, true)?;
                let on = self.after(case.last_on(), 2, 8);
                case.act(
                    on,
                    terminate(ground, "申请人因同一违法行为被采取刑事强制措施"),
                )
            }
            TerminationGround::LongSuspension => {
                self.reply(case, true)?;
                let since = self.suspend(case, SuspensionGround::ApplicantIncapacitated)?;
                let limit = self.ctx.rules.lifecycle.long_suspension_days;
                let extra = self.between(1, 10);
                let on = self
                    .days()
                    .on_or_after(since + Days::new(u64::from(limit + extra)));
                case.act(on, terminate(ground, "中止满六十日，中止原因仍未消除"))
            }
        }
    }

    fn decision(&mut self, disposition: Disposition) -> Action {
        let (partial, remake_ordered, comply_within_days) = match disposition {
            Disposition::Revoke => {
                let remake = self.chance(0.45);
                (self.chance(0.15), remake, remake.then_some(60))
            }
            Disposition::OrderToPerform => {
                (false, false, Some(self.pick(&[(15, 1), (30, 3), (60, 2)])))
            }
            _ => (false, false, None),
        };
        let (reasoning, basis) = match disposition {
            Disposition::Alter => ("行政行为认定事实清楚，但适用依据不当", "第六十三条"),
            Disposition::Revoke => ("行政行为主要事实不清、证据不足", "第六十四条"),
            Disposition::ConfirmIllegal => (
                "行政行为程序轻微违法，但对申请人权利不产生实际影响",
                "第六十五条",
            ),
            Disposition::OrderToPerform => ("被申请人不履行法定职责", "第六十六条"),
            Disposition::ConfirmInvalid => ("行政行为实施主体不具有行政主体资格", "第六十七条"),
            Disposition::Uphold => (
                "行政行为认定事实清楚，证据确凿，适用依据正确，程序合法，内容适当",
                "第六十八条",
            ),
            Disposition::RejectRequest => ("申请人的行政复议请求缺乏事实和法律依据", "第六十九条"),
        };
        Action::Decide {
            disposition,
            document_number: UNNUMBERED.to_owned(),
            reasoning: reasoning.to_owned(),
            legal_basis: format!("《中华人民共和国行政复议法》{basis}"),
            partial,
            remake_ordered,
            comply_within_days,
        }
    }

    fn supplement_items(&mut self) -> Vec<String> {
        let first = self.pick_str(&[
            "申请人身份证明复印件",
            "被申请行政复议的行政行为的相关材料",
            "明确具体的行政复议请求",
        ]);
        let mut items = vec![first.to_owned()];
        if self.chance(0.4) {
            items.push("授权委托书".to_owned());
        }
        items
    }

    // -- the application ------------------------------------------------------------------

    fn application(
        &mut self,
        received: NaiveDate,
        respondent: &RespondentSpec,
        outcome: Outcome,
    ) -> (ApplicationFacts, Vec<PartyInput>) {
        let act_type = self.act_type(respondent.domain);
        let learned_on = if outcome == Outcome::Decline(DeclineReason::TimeBarred) {
            received - Days::new(u64::from(self.between(75, 400)))
        } else {
            received - Days::new(u64::from(self.between(1, 55)))
        };
        let act_date = learned_on - Days::new(u64::from(self.between(0, 10)));
        let amount_fen = self.amount(act_type);
        self.act_numbers += 1;
        let act_document_number = act_kind(act_type).map(|kind| {
            format!(
                "{}{kind}〔{}〕{}号",
                respondent.abbr,
                act_date.year(),
                100 + self.act_numbers
            )
        });
        let (request, reasons) = request_text(act_type);
        let request = match &act_document_number {
            Some(number) => request.replace("{doc}", number),
            None => request.replace("{doc}", ""),
        };
        let channel = self.pick(&[
            (Channel::Online, 36),
            (Channel::InPerson, 30),
            (Channel::Post, 20),
            (Channel::FaxOrEmail, 4),
            (Channel::Oral, 3),
            (Channel::Forwarded, 7),
        ]);
        let kind = match outcome {
            Outcome::Terminate(TerminationGround::EntityEndedNoSuccessor) => PartyKind::LegalPerson,
            Outcome::Terminate(
                TerminationGround::ApplicantDiedNoSuccessor
                | TerminationGround::LongSuspension
                | TerminationGround::CriminalMeasures,
            ) => PartyKind::NaturalPerson,
            _ => self.pick(&[
                (PartyKind::NaturalPerson, 72),
                (PartyKind::LegalPerson, 24),
                (PartyKind::OtherOrganization, 4),
            ]),
        };
        let parties = self.parties(kind);
        (
            ApplicationFacts {
                received_on: received,
                channel,
                act_type,
                act_document_number,
                act_date,
                learned_on,
                amount_fen,
                request,
                reasons: reasons.to_owned(),
            },
            parties,
        )
    }

    fn act_type(&mut self, domain: AdminDomain) -> ActType {
        use ActType as A;
        let weights: &[(ActType, u32)] = match domain {
            D::PublicSecurity => &[
                (A::AdministrativePenalty, 68),
                (A::CompulsoryMeasure, 14),
                (A::InformationDisclosure, 5),
                (A::FailureToPerform, 10),
                (A::Compensation, 3),
            ],
            D::MarketRegulation => &[
                (A::AdministrativePenalty, 50),
                (A::Licensing, 10),
                (A::InformationDisclosure, 15),
                (A::FailureToPerform, 25),
            ],
            D::NaturalResources => &[
                (A::Confirmation, 35),
                (A::Expropriation, 20),
                (A::Licensing, 15),
                (A::InformationDisclosure, 15),
                (A::FailureToPerform, 15),
            ],
            D::HumanResources => &[
                (A::WorkInjury, 55),
                (A::FailureToPerform, 25),
                (A::InformationDisclosure, 10),
                (A::AdministrativePenalty, 10),
            ],
            D::HousingConstruction => &[
                (A::Licensing, 25),
                (A::Expropriation, 25),
                (A::InformationDisclosure, 20),
                (A::FailureToPerform, 20),
                (A::AdministrativeAgreement, 10),
            ],
            D::Transport => &[(A::AdministrativePenalty, 80), (A::CompulsoryMeasure, 20)],
            D::EcologyEnvironment => &[
                (A::AdministrativePenalty, 80),
                (A::InformationDisclosure, 20),
            ],
            D::UrbanManagement => &[
                (A::AdministrativePenalty, 45),
                (A::CompulsoryEnforcement, 35),
                (A::FailureToPerform, 20),
            ],
            D::Health => &[
                (A::AdministrativePenalty, 60),
                (A::Licensing, 20),
                (A::InformationDisclosure, 20),
            ],
            D::Education => &[
                (A::InformationDisclosure, 50),
                (A::Other, 30),
                (A::FailureToPerform, 20),
            ],
            D::Taxation | D::Other => &[
                (A::InformationDisclosure, 40),
                (A::FailureToPerform, 30),
                (A::AdministrativeAgreement, 15),
                (A::Other, 15),
            ],
        };
        self.pick(weights)
    }

    fn amount(&mut self, act_type: ActType) -> Option<i64> {
        let yuan: i64 = match act_type {
            ActType::AdministrativePenalty => {
                // A warning (警告) has no amount.
                if self.chance(0.08) {
                    return None;
                }
                self.pick(&[
                    (200, 8),
                    (500, 10),
                    (1_000, 10),
                    (2_000, 10),
                    (3_000, 8),
                    (5_000, 12),
                    (10_000, 12),
                    (20_000, 10),
                    (50_000, 10),
                    (100_000, 6),
                    (200_000, 4),
                ])
            }
            ActType::Expropriation => i64::from(self.between(20, 300)) * 10_000,
            ActType::AdministrativeAgreement => i64::from(self.between(5, 120)) * 10_000,
            ActType::Compensation => i64::from(self.between(1, 50)) * 1_000,
            _ => return None,
        };
        Some(yuan * 100)
    }

    fn person_name(&mut self) -> String {
        format!("{}{}", self.pick_str(SURNAMES), self.pick_str(GIVEN_NAMES))
    }

    /// A resident identity number of the right shape and check digit. The region code 350100
    /// stands for the city as a whole and is not issued to residents, so no real person has it.
    fn id_number(&mut self) -> String {
        let birth = NaiveDate::from_ymd_opt(
            1950 + i32::try_from(self.between(0, 52)).unwrap_or(0),
            self.between(1, 12),
            self.between(1, 28),
        )
        .unwrap_or_default();
        let body = format!(
            "350100{}{:03}",
            birth.format("%Y%m%d"),
            self.between(1, 999)
        );
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = body
            .chars()
            .filter_map(|c| c.to_digit(10))
            .zip(WEIGHTS)
            .map(|(d, w)| d * w)
            .sum();
        let check = b"10X98765432"[(sum % 11) as usize] as char;
        format!("{body}{check}")
    }

    fn parties(&mut self, kind: PartyKind) -> Vec<PartyInput> {
        let name = match kind {
            PartyKind::NaturalPerson => self.person_name(),
            PartyKind::LegalPerson => format!(
                "福州{}{}有限公司",
                self.pick_str(COMPANY_NAMES),
                self.pick_str(COMPANY_TRADES)
            ),
            PartyKind::OtherOrganization => {
                format!("{}小区业主委员会", self.pick_str(ESTATES))
            }
        };
        let phone = self
            .chance(0.5)
            .then(|| format!("1380000{:04}", self.between(0, 9999)));
        let mut parties = vec![PartyInput {
            role: PartyRole::Applicant,
            kind,
            name,
            id_number: (kind == PartyKind::NaturalPerson).then(|| self.id_number()),
            phone,
            address: None,
            acts_for: None,
        }];
        if kind != PartyKind::NaturalPerson || self.chance(0.3) {
            parties.push(PartyInput {
                role: PartyRole::Agent,
                kind: PartyKind::NaturalPerson,
                name: self.person_name(),
                id_number: None,
                phone: None,
                address: None,
                acts_for: Some(0),
            });
        }
        if self.chance(0.05) {
            parties.push(PartyInput {
                role: PartyRole::ThirdParty,
                kind: PartyKind::NaturalPerson,
                name: self.person_name(),
                id_number: None,
                phone: None,
                address: None,
                acts_for: None,
            });
        }
        parties
    }
}

fn mediation() -> Action {
    Action::Mediate {
        document_number: UNNUMBERED.to_owned(),
    }
}

/// The character act document numbers carry for each type, or none for acts without one.
fn act_kind(act_type: ActType) -> Option<&'static str> {
    use ActType as A;
    match act_type {
        A::AdministrativePenalty => Some("罚决字"),
        A::CompulsoryMeasure => Some("强措字"),
        A::CompulsoryEnforcement => Some("强执字"),
        A::Licensing => Some("许字"),
        A::Confirmation => Some("登字"),
        A::Expropriation => Some("征补字"),
        A::AdministrativeAgreement => Some("协字"),
        A::InformationDisclosure => Some("依申复字"),
        A::WorkInjury => Some("工认字"),
        A::Compensation => Some("罚决字"),
        A::FailureToPerform | A::Other => None,
    }
}

/// The request and its reasons per type; `{doc}` stands for the act's document number.
fn request_text(act_type: ActType) -> (&'static str, &'static str) {
    use ActType as A;
    match act_type {
        A::AdministrativePenalty => (
            "撤销{doc}行政处罚决定",
            "认定事实不清，证据不足，处罚明显不当",
        ),
        A::CompulsoryMeasure => (
            "确认{doc}查封、扣押财物的行政强制措施违法",
            "未依法告知陈述、申辩权利，程序违法",
        ),
        A::CompulsoryEnforcement => ("确认{doc}强制拆除行为违法", "未依法履行催告程序即强制执行"),
        A::Licensing => (
            "撤销{doc}不予行政许可决定并责令重新作出",
            "申请材料齐全、符合法定形式，应予许可",
        ),
        A::Confirmation => ("撤销{doc}不动产登记行为", "登记所依据的材料不真实"),
        A::Expropriation => (
            "撤销{doc}房屋征收补偿决定",
            "补偿标准低于类似房地产的市场价格",
        ),
        A::AdministrativeAgreement => (
            "责令被申请人继续履行{doc}行政协议",
            "被申请人未按约定支付补偿款",
        ),
        A::InformationDisclosure => (
            "撤销{doc}政府信息公开答复并责令重新答复",
            "所申请的信息不属于不予公开的范围",
        ),
        A::FailureToPerform => (
            "责令被申请人履行查处违法行为的法定职责{doc}",
            "举报后被申请人逾期未作处理",
        ),
        A::WorkInjury => (
            "撤销{doc}不予认定工伤决定书",
            "事故发生在工作时间和工作场所内，因工作原因受到伤害",
        ),
        A::Compensation => (
            "撤销{doc}行政处罚决定并赔偿经济损失",
            "违法扣押财物造成经营损失",
        ),
        A::Other => ("撤销被申请人作出的行政行为{doc}", "行政行为缺乏法律依据"),
    }
}

const SURNAMES: &[&str] = &[
    "陈", "林", "黄", "张", "李", "王", "吴", "刘", "蔡", "杨", "郑", "许", "谢", "何", "郭", "周",
    "邱", "游", "魏", "罗",
];
const GIVEN_NAMES: &[&str] = &[
    "建华", "丽娟", "志强", "秀英", "明辉", "晓燕", "国平", "美玲", "文斌", "淑珍", "春生", "雪梅",
    "俊杰", "玉兰", "海峰", "静怡", "宇航", "婷婷", "振宇", "慧敏",
];
const COMPANY_NAMES: &[&str] = &[
    "鑫源", "闽泰", "榕城", "海峡", "恒达", "华宇", "正和", "金穗", "永安", "东升", "新航", "三坊",
];
const COMPANY_TRADES: &[&str] = &[
    "贸易",
    "建设工程",
    "科技",
    "餐饮管理",
    "物流",
    "房地产开发",
    "食品",
    "医药",
    "汽车服务",
    "文化传媒",
];
const ESTATES: &[&str] = &["金山", "屏西", "东浦", "洪山", "南江滨", "五四北"];
const DISMISSAL_REASONS: &[&str] = &[
    "受理后发现申请人与被申请行政复议的行政行为没有利害关系",
    "受理后发现该行政行为不属于行政复议范围",
    "受理后发现申请人在申请行政复议前已向人民法院提起行政诉讼",
];

/// Working-day arithmetic that also answers for a year whose calendar is not loaded (Monday to
/// Friday then), so planning past 31 December never fails; such plans are cut at the year's end.
#[derive(Clone, Copy)]
struct Calendar<'a> {
    calendar: &'a WorkCalendar,
}

impl Calendar<'_> {
    fn is_working_day(self, date: NaiveDate) -> bool {
        self.calendar
            .is_working_day(date)
            .unwrap_or_else(|_| !matches!(date.weekday(), Weekday::Sat | Weekday::Sun))
    }

    fn add_working_days(self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut date = date;
        let mut left = n;
        while left > 0 {
            date = date + Days::new(1);
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        date
    }

    fn on_or_after(self, date: NaiveDate) -> NaiveDate {
        let mut date = date;
        while !self.is_working_day(date) {
            date = date + Days::new(1);
        }
        date
    }

    fn on_or_before(self, date: NaiveDate) -> NaiveDate {
        let mut date = date;
        while !self.is_working_day(date) {
            date = date - Days::new(1);
        }
        date
    }
}

/// A case being planned: its steps so far and the aggregate they fold into, each step checked
/// by the domain's state machine as the service will check it.
struct CaseBuilder<'a> {
    ctx: &'a PlanContext<'a>,
    lc: CaseLifecycle,
    steps: Vec<Step>,
}

impl<'a> CaseBuilder<'a> {
    fn new(ctx: &'a PlanContext<'a>, received_on: NaiveDate) -> Self {
        Self {
            ctx,
            lc: CaseLifecycle::new(received_on),
            steps: vec![Step {
                on: received_on,
                action: Planned::Register,
            }],
        }
    }

    fn last_on(&self) -> NaiveDate {
        self.steps.last().map_or(self.lc.received_on, |s| s.on)
    }

    /// Applies `action` on `on` to the aggregate, with the facts the service would supply.
    fn act(&mut self, on: NaiveDate, action: Action) -> anyhow::Result<()> {
        let rules = self.ctx.rules;
        let reply_overdue = deadlines::reply_overdue(
            &cases::deadline_facts(&self.lc),
            self.ctx.calendar,
            &rules.deadlines,
            on,
        )
        .unwrap_or(false);
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

    /// The decision deadline as the service computes it now, if it can be computed.
    fn decision_due(&self) -> Option<NaiveDate> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{calendar::official_calendars, lifecycle::CaseState};

    fn organs() -> Vec<PlanOrgan> {
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
    fn the_report_quotas_add_up_to_the_published_figures() {
        let q = REPORT_2023;
        assert_eq!(q.concluded(), 1765);
        assert_eq!(q.corrected(), 248);
        assert_eq!(q.decided_on_merits(), 1449);
        assert_eq!(q.concluded() - q.decided_on_merits(), 316);
        assert_eq!(percent_half_up(248, 1449), Some(17.12));
        assert_eq!(percent_half_up(248, 1765), Some(14.05));
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

    #[test]
    fn the_followup_plan_gives_the_report_figures_on_the_years_decisions() {
        let calendar = WorkCalendar::new(official_calendars());
        let rules = RuleSettings::default();
        let ctx = PlanContext {
            year: 2023,
            calendar: &calendar,
            rules: &rules,
            today: NaiveDate::from_ymd_opt(2026, 1, 15).expect("date"),
        };
        let organs = organs();
        let plans = plan_year(&ctx, &organs, &REPORT_2023, DEFAULT_SEED).expect("plans");
        let followup = plan_followup(&ctx, &plans, &organs, &REPORT_2023_FOLLOWUP, DEFAULT_SEED)
            .expect("follow-up");
        assert_eq!(
            followup,
            plan_followup(&ctx, &plans, &organs, &REPORT_2023_FOLLOWUP, DEFAULT_SEED)
                .expect("again")
        );
        let year_end = NaiveDate::from_ymd_opt(2023, 12, 31).expect("date");

        let opinion = followup
            .letters
            .iter()
            .filter(|l| l.kind == LetterKind::Opinion)
            .count();
        assert_eq!((opinion, followup.letters.len()), (18, 26));
        for letter in &followup.letters {
            assert!(!letter.cases.is_empty());
            for &case in &letter.cases {
                let plan = &plans[case];
                assert_eq!(
                    (plan.organ, plan.respondent),
                    (letter.organ, letter.recipient)
                );
                assert!(plan.last_on() <= letter.issued_on);
            }
            assert!(letter.issued_on <= year_end);
        }

        let suits = &followup.lawsuits;
        assert_eq!(suits.len(), 152);
        let heard: Vec<bool> = suits
            .iter()
            .filter_map(|s| s.hearing)
            .map(|h| h.1)
            .collect();
        assert_eq!(heard.len(), 62);
        assert_eq!(heard.iter().filter(|appeared| **appeared).count(), 61);
        let lost = suits
            .iter()
            .filter(|s| s.result.fixed_outcome() == Some(crate::domain::followup::Outcome::Lost))
            .count();
        assert_eq!(lost, 21);
        let mut numbers: Vec<(&str, &str)> = Vec::new();
        for suit in suits {
            let decided = plans[suit.case].last_on();
            assert!(plans[suit.case].outcome.concluded());
            assert!(suit.filed_on >= decided && suit.filed_on <= decided + Days::new(15));
            if let Some((held, _)) = suit.hearing {
                assert!(held > suit.filed_on && held < suit.judged_on);
            }
            assert!(suit.judged_on <= year_end);
            numbers.push((suit.court.name, &suit.court_case_number));
        }
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(
            numbers.len(),
            152,
            "court case numbers are unique per court"
        );
    }

    #[test]
    fn other_years_and_seeds_plan_to_the_same_totals() {
        let calendar = WorkCalendar::new(official_calendars());
        let rules = RuleSettings::default();
        let organs = organs();
        for (year, seed) in [(2024, 1), (2025, 99), (2023, 12345)] {
            let ctx = PlanContext {
                year,
                calendar: &calendar,
                rules: &rules,
                today: NaiveDate::from_ymd_opt(2026, 6, 1).expect("date"),
            };
            let plans = plan_year(&ctx, &organs, &REPORT_2023, seed).expect("plans");
            let concluded = plans
                .iter()
                .filter(|p| p.outcome.concluded() && p.last_on().year() == year)
                .count();
            assert_eq!(concluded, 1765, "{year} seed {seed}");
            assert!(plans.iter().all(|p| p.facts.received_on.year() == year));
            plan_followup(&ctx, &plans, &organs, &REPORT_2023_FOLLOWUP, seed)
                .unwrap_or_else(|err| panic!("{year} seed {seed}: {err:#}"));
        }
    }

    #[test]
    fn identity_numbers_carry_a_valid_check_digit() {
        let calendar = WorkCalendar::new(official_calendars());
        let rules = RuleSettings::default();
        let ctx = PlanContext {
            year: 2023,
            calendar: &calendar,
            rules: &rules,
            today: NaiveDate::from_ymd_opt(2026, 1, 15).expect("date"),
        };
        let organs = organs();
        let mut planner = Planner::new(&ctx, &organs, 1).expect("planner");
        let id = planner.id_number();
        assert_eq!(id.len(), 18);
        assert!(id.starts_with("350100"));
    }
}
