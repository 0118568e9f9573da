//! Replay: a case's events alone rebuild the stored case, whatever actions it went through.

use chrono::{Days, NaiveDate};
use fuyi::{db, service::cases::replay};
use proptest::{
    collection::vec,
    prelude::any,
    test_runner::{Config, TestCaseError, TestRunner},
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{allowed, date, reload};
use crate::support::TestApp;

/// Actions that end the case.
const CLOSING: &[&str] = &[
    "decline",
    "decide",
    "dismiss_application",
    "mediate",
    "terminate",
];

/// One step of a random walk: which allowed action to take and how many days later.
type Step = (u8, u8);

/// A payload for `action` that is usually, not always, valid: refusals are part of the walk.
fn payload(app: &TestApp, action: &str, pick: u8, on: NaiveDate, case: &Value) -> Value {
    let pick = usize::from(pick);
    let choose = |options: &[&str]| options[pick % options.len()].to_owned();
    let lifecycle = &case["lifecycle"];
    let mut body = match action {
        "request_supplement" if pick % 2 == 0 => json!({"items": ["身份证明"]}),
        "request_supplement" => json!({"items": ["身份证明"], "notice_received_on": on}),
        "record_supplement_notice" if pick % 2 == 0 => json!({"received_on": on}),
        "record_supplement_notice" => {
            json!({"extend_working_days": 1 + pick % 5, "reason": "外地调取材料"})
        }
        "decline" => match pick % 4 {
            0 => json!({"reason": "no_jurisdiction", "competent_organ": "福建省人民政府"}),
            1 => json!({"reason": "supplement_not_provided"}),
            _ => json!({"reason": choose(&["inadmissible", "time_barred"])}),
        },
        "accept" if pick % 2 == 0 => json!({"procedure": "ordinary"}),
        "accept" => json!({"procedure": "simplified", "simplified_ground": "parties_consent"}),
        "assign" if pick % 2 == 0 => json!({"handlers": [app.officer.id]}),
        "assign" => json!({"handlers": [app.officer.id, app.head.id]}),
        "record_reply" if lifecycle["copy_sent_on"].is_null() => json!({"copy_sent_on": on}),
        "record_reply" if lifecycle["copy_received_on"].is_null() => {
            json!({"copy_received_on": on})
        }
        "record_reply" => json!({"reply_received_on": on}),
        "hear" => json!({
            "method": choose(&["written_opinions", "in_person", "online", "phone"]),
            "parties_unavailable": pick % 3 == 0,
        }),
        "suspend" => json!({"ground": choose(&[
            "applicant_died", "applicant_missing", "force_majeure", "mediation_or_settlement",
            "related_case_pending", "other",
        ])}),
        "extend" => json!({"days": 1 + pick % 12, "reason": "案情复杂", "parties_notified_on": on}),
        "add_third_party" => json!({
            "name": "李四",
            "kind": choose(&["natural_person", "legal_person"]),
            "basis": choose(&["own_application", "notified_by_organ"]),
        }),
        "withdraw_third_party" => json!({"third_party": 1 + pick % 2}),
        "appoint_representative" => json!({"name": "张三", "applicants": [0]}),
        "mark_for_committee" => json!({"ground": "major_difficult_complex"}),
        "record_committee_consultation" => json!({"opinion": "委员会咨询意见"}),
        "convert_to_ordinary" => json!({"reason": "不宜适用简易程序"}),
        "decide" => {
            let disposition = choose(&[
                "alter",
                "revoke",
                "confirm_illegal",
                "order_to_perform",
                "confirm_invalid",
                "uphold",
                "reject_request",
            ]);
            let mut decision = json!({
                "disposition": disposition,
                "document_number": "榕政复决〔2024〕9号",
                "reasoning": "理由",
                "legal_basis": "依据",
                "approval": {"route": choose(&["organ_head", "collective_discussion"]), "approver": "王局长"},
                "third_party_evidence": pick % 5 == 0,
            });
            if disposition == "revoke" {
                decision["partial"] = json!(pick % 3 == 0);
                if pick % 2 == 0 {
                    decision["remake_ordered"] = json!(true);
                    decision["comply_within_days"] = json!(30);
                }
            } else if disposition == "order_to_perform" {
                decision["comply_within_days"] = json!(15);
            }
            decision
        }
        "dismiss_application" => json!({"reason": "不符合受理条件"}),
        "mediate" => json!({"document_number": "榕复调〔2024〕3号"}),
        "terminate" => json!({"ground": choose(&[
            "withdrawn", "settled", "applicant_died_no_successor", "criminal_measures",
            "long_suspension",
        ])}),
        _ => json!({}),
    };
    body["action"] = json!(action);
    body["occurred_on"] = json!(on);
    body
}

/// Walks one new case through `steps`, then checks that its events replay to the stored case.
async fn walk_and_replay(app: &TestApp, steps: &[Step]) -> Result<(), TestCaseError> {
    let today = app.city.today();
    // Read as the head, who holds both roles, so every action is on offer.
    let mut case = reload(app, &app.head, &app.sample_case().await).await;
    let mut taken = Vec::new();
    for &(pick, gap) in steps {
        let actions = allowed(&case);
        if actions.is_empty() {
            break;
        }
        // Closing actions are taken one time in four, so walks get past the first few states.
        let continuing: Vec<&str> = actions
            .iter()
            .copied()
            .filter(|action| !CLOSING.contains(action))
            .collect();
        let choices = if pick % 4 == 0 || continuing.is_empty() {
            &actions
        } else {
            &continuing
        };
        let action = choices[usize::from(pick / 4) % choices.len()].to_owned();
        let last = date(case["lifecycle"]["last_event_on"].as_str().unwrap());
        let on = (last + Days::new(u64::from(gap % 16))).min(today);
        let body = payload(app, &action, pick / 16, on, &case);
        let (status, answer) = app.act(&app.head, &case, body.clone()).await;
        match status {
            StatusCode::OK => {
                taken.push(action);
                case = answer;
            }
            // A refusal is a legitimate outcome of a random walk, but it must change nothing.
            StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY => {
                let now = reload(app, &app.head, &case).await;
                proptest::prop_assert_eq!(
                    &now["version"],
                    &case["version"],
                    "{} → {}",
                    body,
                    answer
                );
            }
            other => {
                return Err(TestCaseError::fail(format!("{body} → {other} {answer}")));
            }
        }
    }

    let id: Uuid = case["id"].as_str().unwrap().parse().unwrap();
    let mut conn = app.pool.get().await.unwrap();
    let row = db::cases::find_within(&conn, id, &app.city.path)
        .await
        .unwrap()
        .unwrap();
    let events: Vec<_> = db::events::history(&mut conn, id)
        .await
        .unwrap()
        .into_iter()
        .map(|(event, _)| event)
        .collect();
    proptest::prop_assert_eq!(events.len(), usize::try_from(row.version).unwrap());
    let replayed = replay(row.received_on, &events, &app.settings.rules)
        .map_err(|err| TestCaseError::fail(format!("after {taken:?}: {err}")))?;
    let stored = row.lifecycle().unwrap();
    proptest::prop_assert_eq!(&replayed, &stored, "after {:?}", taken);
    proptest::prop_assert_eq!(replayed.state, row.state, "after {:?}", taken);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replaying_the_events_of_random_walks_rebuilds_the_stored_case() {
    let app = TestApp::spawn().await;
    let runtime = tokio::runtime::Handle::current();
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    // Proptest drives synchronous closures; each case runs to completion on the test's runtime.
    let outcome = tokio::task::block_in_place(|| {
        runner.run(&vec(any::<Step>(), 1..16), |steps| {
            runtime.block_on(walk_and_replay(&app, &steps))
        })
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}
