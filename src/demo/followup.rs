//! Follow-up: letters and litigation on the year's decisions, planned from the case plans with
//! their own random stream and recorded through the follow-up services.

use std::collections::BTreeMap;

use anyhow::{Context, anyhow, bail};
use chrono::{Days, NaiveDate};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::SliceRandom};
use uuid::Uuid;

use super::{
    fixtures::{Court, INTERMEDIATE_COURT},
    planner::{Calendar, CasePlan, PlanContext, PlanOrgan},
    quotas::{FollowupQuotas, Outcome},
    run::problem,
    setup::Setup,
    year_bounds,
};
use crate::{
    domain::{
        followup::{Instance, JudgmentResult, LetterKind},
        lifecycle::Disposition,
    },
    service::error::ServiceError,
    service::{
        followup::{self as records, HearingRequest, JudgmentRequest, LawsuitRequest},
        letters::{self, LetterRequest, ReportBackRequest},
    },
    startup::AppState,
};

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
pub(super) struct FollowupPlan {
    letters: Vec<LetterPlan>,
    lawsuits: Vec<LawsuitPlan>,
}

/// Plans the year's letters and suits on the planned cases, with its own random stream so the
/// cases stay as they are whatever is planned here.
pub(super) fn plan_followup(
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
pub(super) async fn run_followup(
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
    let refused = |what: &str, err: ServiceError| {
        anyhow!("demo follow-up: {what} was refused: {}", problem(err))
    };
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

#[cfg(test)]
mod tests {
    use chrono::Datelike;

    use super::*;
    use crate::{
        config::RuleSettings,
        demo::{
            DEFAULT_SEED,
            planner::{plan_year, tests::organs},
            quotas::{REPORT_2023, REPORT_2023_FOLLOWUP},
        },
        domain::calendar::{WorkCalendar, official_calendars},
    };

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
}
