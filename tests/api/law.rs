//! Issue 12 end to end: the law's rules as a user meets them — deemed acceptance, art. 70 after
//! a hearing, late extensions and conversions, the receipts that start the reply and supplement
//! periods, the application window, approval of decisions, the earlier law, and closed cases
//! after a calendar change.

use diesel::{prelude::*, sql_types::Date as SqlDate};
use diesel_async::RunQueryDsl;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::lifecycle::{accept, deadline, decide, events, filed, reload};
use crate::support::{TestApp, sample_case, status_and_json};

/// A refusal must be a 409 naming `rule` and the actions allowed now.
fn assert_refused(status: StatusCode, problem: &Value, rule: &str) {
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["rule"], rule, "{problem}");
    assert!(problem["allowed_actions"].is_array(), "{problem}");
}

async fn history(app: &TestApp, case: &Value) -> Vec<Value> {
    events(app, &app.head, case).await
}

#[tokio::test]
async fn a_lapsed_review_counts_as_acceptance_on_read_and_an_accept_records_the_lapse_day() {
    let app = TestApp::spawn().await;
    // Received Friday 2024-03-01: the five working days end Friday 2024-03-08.
    let case = reload(&app, &app.head, &app.sample_case().await).await;
    assert_eq!(case["state"], "received");
    assert_eq!(case["deemed_accepted_on"], "2024-03-08");
    // The decision's 60 days already run from the deemed day: 2024-05-07.
    assert_eq!(deadline(&case, "decision")["due_on"], "2024-05-07");
    assert!(
        !case["allowed_actions"]
            .as_array()
            .unwrap()
            .contains(&json!("decline"))
    );

    let (status, problem) = app
        .act(
            &app.head,
            &case,
            json!({"action": "decline", "occurred_on": "2024-03-11", "reason": "inadmissible"}),
        )
        .await;
    assert_refused(status, &problem, "art_30");
    assert_eq!(
        problem["allowed_actions"],
        json!([
            "accept",
            "assign",
            "record_compensation_claim",
            "record_forwarding",
            "request_normative_review",
            "appoint_representative"
        ])
    );

    let accepted = app
        .act_ok(&app.head, &case, accept("ordinary", "2024-03-15"))
        .await;
    assert_eq!(accepted["lifecycle"]["accepted_on"], "2024-03-08");
    assert_eq!(accepted["lifecycle"]["deemed_accepted"], true);
    assert_eq!(accepted["deemed_accepted_on"], "2024-03-08");
    assert_eq!(deadline(&accepted, "decision")["due_on"], "2024-05-07");
}

#[tokio::test]
async fn housekeeping_records_deemed_acceptances_so_figures_count_them() {
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    let state =
        fuyi::startup::AppState::new(app.settings.clone(), app.pool.clone()).expect("the state");
    let purged = fuyi::maintenance::purge_expired(&state)
        .await
        .expect("purge");
    assert_eq!(purged.deemed_acceptances, 1);
    let case = reload(&app, &app.head, &case).await;
    assert_eq!(case["state"], "filed");
    assert_eq!(case["lifecycle"]["accepted_on"], "2024-03-08");
    assert!(case["case_number"].is_string(), "{case}");
    let events = history(&app, &case).await;
    let last = events.last().unwrap();
    assert_eq!(last["action"], "accept");
    assert_eq!(last["actor"], Value::Null);
    assert_eq!(last["payload"]["action"]["deemed"], true);
    // The stored column the rollups read moved with it.
    let mut conn = app.pool.get().await.unwrap();
    #[derive(QueryableByName)]
    struct Accepted {
        #[diesel(sql_type = diesel::sql_types::Nullable<SqlDate>)]
        accepted_on: Option<chrono::NaiveDate>,
    }
    let row: Accepted = diesel::sql_query("SELECT accepted_on FROM cases WHERE id = $1")
        .bind::<diesel::sql_types::Uuid, _>(
            case["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap(),
        )
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(row.accepted_on, Some("2024-03-08".parse().unwrap()));
    let again = fuyi::maintenance::purge_expired(&state)
        .await
        .expect("purge");
    assert_eq!(again.deemed_acceptances, 0);
}

#[tokio::test]
async fn a_late_reply_binds_a_heard_case_to_the_outcomes_of_art_70() {
    let app = TestApp::spawn().await;
    let case = filed(&app, "ordinary").await;
    // Served 2024-03-07: ten working days end 2024-03-21; the reply came on 2024-03-25.
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "record_reply", "occurred_on": "2024-03-25", "copy_sent_on": "2024-03-06",
                   "copy_received_on": "2024-03-07", "reply_received_on": "2024-03-25"}),
        )
        .await;
    assert_eq!(case["lifecycle"]["copy_received_on"], "2024-03-07");
    assert_eq!(deadline(&case, "respondent_reply")["due_on"], "2024-03-21");
    assert_eq!(deadline(&case, "respondent_reply")["status"], "late");
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "hear", "occurred_on": "2024-03-26", "method": "in_person", "hearing_on": "2024-03-26"}),
        )
        .await;
    let (status, problem) = app
        .act(&app.head, &case, decide("uphold", "2024-04-01", json!({})))
        .await;
    assert_refused(status, &problem, "art_70");
    let revoked = app
        .act_ok(&app.head, &case, decide("revoke", "2024-04-01", json!({})))
        .await;
    assert_eq!(revoked["state"], "revoked");
    assert_eq!(revoked["lifecycle"]["approval"]["route"], "organ_head");
    assert_eq!(revoked["lifecycle"]["approval"]["approver"], "王局长");
    let events = history(&app, &revoked).await;
    assert_eq!(
        events.last().unwrap()["payload"]["action"]["approval"]["route"],
        "organ_head"
    );
}

#[tokio::test]
async fn a_third_partys_evidence_lifts_art_70() {
    let app = TestApp::spawn().await;
    let case = filed(&app, "ordinary").await;
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "record_reply", "occurred_on": "2024-03-07", "copy_sent_on": "2024-03-07",
                   "copy_received_on": "2024-03-07"}),
        )
        .await;
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "hear", "occurred_on": "2024-03-26", "method": "phone", "hearing_on": "2024-03-26"}),
        )
        .await;
    let third_party_evidence = decide(
        "uphold",
        "2024-04-01",
        json!({"third_party_evidence": true}),
    );
    // Only a third party recorded on the case can have supplied it (issue 14).
    let (status, problem) = app
        .act(&app.head, &case, third_party_evidence.clone())
        .await;
    assert_refused(status, &problem, "art_70");
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "add_third_party", "occurred_on": "2024-03-27", "name": "某公司",
                   "kind": "legal_person", "basis": "own_application"}),
        )
        .await;
    let upheld = app.act_ok(&app.head, &case, third_party_evidence).await;
    assert_eq!(upheld["state"], "upheld");
}

#[tokio::test]
async fn no_extension_or_conversion_once_the_decision_period_has_run_out() {
    let app = TestApp::spawn().await;
    // Accepted 2024-03-05: 60 days end Monday 2024-05-06.
    let ordinary = filed(&app, "ordinary").await;
    let extend =
        |on: &str| json!({"action": "extend", "occurred_on": on, "days": 10, "reason": "案情复杂"});
    let (status, problem) = app.act(&app.head, &ordinary, extend("2024-05-07")).await;
    assert_refused(status, &problem, "art_62");
    assert!(
        !problem["allowed_actions"]
            .as_array()
            .unwrap()
            .contains(&json!("extend"))
    );
    let extended = app.act_ok(&app.head, &ordinary, extend("2024-05-06")).await;
    assert_eq!(extended["lifecycle"]["extension_days"], 10);

    // Simplified, accepted 2024-03-05: 30 days end 2024-04-07 (a make-up working Sunday).
    let simplified = filed(&app, "simplified").await;
    let convert = |on: &str| json!({"action": "convert_to_ordinary", "occurred_on": on, "reason": "案情复杂"});
    let (status, problem) = app.act(&app.head, &simplified, convert("2024-04-08")).await;
    assert_refused(status, &problem, "art_62");
    let converted = app
        .act_ok(&app.head, &simplified, convert("2024-04-07"))
        .await;
    assert_eq!(converted["lifecycle"]["procedure"], "ordinary");
}

#[tokio::test]
async fn the_reply_period_starts_at_the_respondents_receipt() {
    let app = TestApp::spawn().await;
    let case = filed(&app, "ordinary").await;
    let sent = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "record_reply", "occurred_on": "2024-03-07", "copy_sent_on": "2024-03-07"}),
        )
        .await;
    let kinds: Vec<&Value> = sent["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["kind"])
        .collect();
    assert!(!kinds.contains(&&json!("respondent_reply")), "{kinds:?}");
    // Received Monday 2024-03-11: ten working days end Monday 2024-03-25.
    let received = app
        .act_ok(
            &app.officer,
            &sent,
            json!({"action": "record_reply", "occurred_on": "2024-03-11", "copy_received_on": "2024-03-11"}),
        )
        .await;
    assert_eq!(
        deadline(&received, "respondent_reply")["due_on"],
        "2024-03-25"
    );
    let (status, problem) = app
        .act(
            &app.officer,
            &received,
            json!({"action": "record_reply", "occurred_on": "2024-03-12", "copy_received_on": "2024-03-06"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let events = history(&app, &received).await;
    assert_eq!(
        events.last().unwrap()["payload"]["action"]["copy_received_on"],
        "2024-03-11"
    );
}

#[tokio::test]
async fn a_simplified_case_waits_for_the_reply_or_its_period() {
    let app = TestApp::spawn().await;
    let case = filed(&app, "simplified").await;
    let (status, problem) = app
        .act(&app.head, &case, decide("uphold", "2024-03-05", json!({})))
        .await;
    assert_refused(status, &problem, "art_54");
}

#[tokio::test]
async fn the_time_to_supplement_runs_from_the_applicants_receipt_and_can_be_extended() {
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "request_supplement", "occurred_on": "2024-03-04", "items": ["身份证明"]}),
        )
        .await;
    let abandoned = |on: &str| json!({"action": "decline", "occurred_on": on, "reason": "supplement_not_provided"});
    let (status, problem) = app.act(&app.head, &case, abandoned("2024-04-30")).await;
    assert_refused(status, &problem, "art_31");
    // Received Thursday 2024-03-07: ten working days end 2024-03-21; five more, 2024-03-28.
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "record_supplement_notice", "occurred_on": "2024-03-07", "received_on": "2024-03-07"}),
        )
        .await;
    assert_eq!(
        case["lifecycle"]["supplement_notice_received_on"],
        "2024-03-07"
    );
    assert_eq!(deadline(&case, "supplement")["due_on"], "2024-03-21");
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "record_supplement_notice", "occurred_on": "2024-03-15",
                   "extend_working_days": 5, "reason": "申请人在外地"}),
        )
        .await;
    assert_eq!(deadline(&case, "supplement")["due_on"], "2024-03-28");
    let (status, problem) = app.act(&app.head, &case, abandoned("2024-03-28")).await;
    assert_refused(status, &problem, "art_31");
    let declined = app.act_ok(&app.head, &case, abandoned("2024-03-29")).await;
    assert_eq!(declined["state"], "not_accepted");
}

#[tokio::test]
async fn a_formal_hearing_may_follow_opinions_and_written_review_needs_a_reason() {
    let app = TestApp::spawn().await;
    let case = filed(&app, "ordinary").await;
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "record_reply", "occurred_on": "2024-03-15", "copy_sent_on": "2024-03-07",
                   "copy_received_on": "2024-03-07", "reply_received_on": "2024-03-15"}),
        )
        .await;
    let (status, problem) = app
        .act(
            &app.officer,
            &case,
            json!({"action": "hear", "occurred_on": "2024-03-18", "method": "written_opinions"}),
        )
        .await;
    assert_refused(status, &problem, "art_49");
    let heard = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "hear", "occurred_on": "2024-03-18", "method": "online", "hearing_on": "2024-03-18"}),
        )
        .await;
    let (status, problem) = app
        .act(
            &app.officer,
            &heard,
            json!({"action": "hear", "occurred_on": "2024-03-19", "method": "phone", "hearing_on": "2024-03-19"}),
        )
        .await;
    assert_refused(status, &problem, "art_50");
    let hearing = app
        .act_ok(
            &app.officer,
            &heard,
            json!({"action": "hear", "occurred_on": "2024-03-29", "method": "hearing",
                   "notice_on": "2024-03-20", "hearing_on": "2024-03-29"}),
        )
        .await;
    assert_eq!(hearing["state"], "heard");
    assert_eq!(hearing["lifecycle"]["hearings_held"], 1);
    assert_eq!(hearing["lifecycle"]["heard_on"], "2024-03-18");
}

#[tokio::test]
async fn the_posting_date_decides_the_application_window_and_shows_everywhere() {
    let app = TestApp::spawn().await;
    // Learned 2024-01-02: day 60 is Sunday 2024-03-02 → in time up to Monday 2024-03-04.
    let mut body = sample_case(app.respondent);
    body["act_date"] = json!("2024-01-02");
    body["learned_on"] = json!("2024-01-02");
    body["received_on"] = json!("2024-03-05");
    let (status, late) = app.register(&app.officer, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{late}");
    assert_eq!(late["late_application"], true);
    assert_eq!(late["applied_on"], "2024-03-05");
    body["channel"] = json!("post");
    body["applied_on"] = json!("2024-03-04");
    let (status, posted) = app.register(&app.officer, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{posted}");
    assert_eq!(posted["late_application"], false);
    assert_eq!(posted["applied_on"], "2024-03-04");
    assert_eq!(posted["law_in_force"], "law_2023");
    let events = history(&app, &posted).await;
    assert_eq!(events[0]["payload"]["applied_on"], "2024-03-04");
    // Only a posted application has a posting date of its own.
    body["channel"] = json!("online");
    let (status, problem) = app.register(&app.officer, &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(problem.to_string().contains("applied_on"), "{problem}");
}

#[tokio::test]
async fn a_case_received_in_2023_runs_under_the_earlier_law() {
    let app = TestApp::spawn().await;
    let mut body = sample_case(app.respondent);
    body["received_on"] = json!("2023-06-01");
    body["act_date"] = json!("2023-05-10");
    body["learned_on"] = json!("2023-05-12");
    let (status, case) = app.register(&app.officer, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    assert_eq!(case["law_in_force"], "law_1999");
    let (status, problem) = app
        .act(&app.head, &case, accept("simplified", "2023-06-05"))
        .await;
    assert_refused(status, &problem, "art_53");
    let case = app
        .act_ok(&app.head, &case, accept("ordinary", "2023-06-05"))
        .await;
    // Accepted from receipt (its art. 17).
    assert_eq!(case["lifecycle"]["accepted_on"], "2023-06-01");
    // Served 2023-06-12: ten calendar days end 2023-06-22, the Dragon Boat holiday (Jun 22–24),
    // so the period ends Sunday 2023-06-25, a make-up working day.
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "record_reply", "occurred_on": "2023-06-12", "copy_sent_on": "2023-06-12",
                   "copy_received_on": "2023-06-12"}),
        )
        .await;
    assert_eq!(deadline(&case, "respondent_reply")["due_on"], "2023-06-25");
}

/// Decision due dates of `id` as stored, which the on-time/late figures read.
async fn stored_decision_due(app: &TestApp, id: &str) -> Option<chrono::NaiveDate> {
    #[derive(QueryableByName)]
    struct Due {
        #[diesel(sql_type = diesel::sql_types::Nullable<SqlDate>)]
        decision_due_on: Option<chrono::NaiveDate>,
    }
    let mut conn = app.pool.get().await.unwrap();
    let row: Due = diesel::sql_query("SELECT decision_due_on FROM cases WHERE id = $1")
        .bind::<diesel::sql_types::Uuid, _>(id.parse::<uuid::Uuid>().unwrap())
        .get_result(&mut conn)
        .await
        .unwrap();
    row.decision_due_on
}

/// A simplified case decided on 2024-04-08, a day after its due day 2024-04-07 (a make-up
/// working Sunday); then the administrator strikes that make-up day from the 2024 calendar,
/// which moves the due day to Monday 2024-04-08. Returns the case id.
async fn decided_late_then_calendar_corrected(app: &TestApp) -> String {
    let case = crate::lifecycle::replied(app, "simplified").await;
    let decided = app
        .act_ok(&app.head, &case, decide("uphold", "2024-04-08", json!({})))
        .await;
    let id = decided["id"].as_str().unwrap().to_owned();
    assert_eq!(
        stored_decision_due(app, &id).await,
        Some("2024-04-07".parse().unwrap())
    );
    let (status, mut year) = status_and_json(
        app.as_user(&app.admin, Method::GET, "/api/v1/calendar/2024")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{year}");
    year.as_object_mut().unwrap().remove("year");
    let makeup = year["makeup_workdays"].as_array_mut().unwrap();
    makeup.retain(|day| day != "2024-04-07");
    let (status, body) = status_and_json(
        app.as_user(&app.admin, Method::PUT, "/api/v1/calendar/2024")
            .json(&year)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    id
}

#[tokio::test]
async fn by_default_closed_cases_follow_a_corrected_calendar() {
    let app = TestApp::spawn().await;
    let id = decided_late_then_calendar_corrected(&app).await;
    assert_eq!(
        stored_decision_due(&app, &id).await,
        Some("2024-04-08".parse().unwrap())
    );
}

#[tokio::test]
async fn closed_cases_can_be_frozen_at_closing() {
    let app = TestApp::spawn_with(&[(
        "FUYI_CLOSED_CASES_AFTER_CALENDAR_CHANGE",
        "frozen_at_closing",
    )])
    .await;
    let id = decided_late_then_calendar_corrected(&app).await;
    assert_eq!(
        stored_decision_due(&app, &id).await,
        Some("2024-04-07".parse().unwrap())
    );
}
