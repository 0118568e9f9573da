//! Deadlines on the working-day calendar, the calendar's endpoints, and the list's deadline
//! filters.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{accept, date, deadline, decide, register_on, reload, replied};
use crate::support::{TestApp, TestUser, status_and_json};

async fn get_calendar(app: &TestApp, user: &TestUser, year: i32) -> (StatusCode, Value) {
    status_and_json(
        app.as_user(user, Method::GET, &format!("/api/v1/calendar/{year}"))
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn put_calendar(
    app: &TestApp,
    user: &TestUser,
    year: i32,
    body: &Value,
) -> (StatusCode, Value) {
    status_and_json(
        app.as_user(user, Method::PUT, &format!("/api/v1/calendar/{year}"))
            .json(body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// The case list as the officer sees it with `query`.
async fn list(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, page) = status_and_json(
        app.as_user(&app.officer, Method::GET, &format!("/api/v1/cases?{query}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{query}: {page}");
    page["items"].as_array().unwrap().clone()
}

fn ids(items: &[Value]) -> Vec<&Value> {
    items.iter().map(|item| &item["id"]).collect()
}

#[tokio::test]
async fn the_acceptance_review_skips_the_spring_festival() {
    let app = TestApp::spawn().await;
    // Thursday 2024-02-08: Friday the 9th is a working day, the 10th–17th the holiday, Sunday the
    // 18th a make-up working day, then the 19th, 20th and 21st.
    let case = register_on(&app, "2024-02-08").await;
    assert_eq!(deadline(&case, "acceptance_review")["due_on"], "2024-02-21");
}

#[tokio::test]
async fn a_decision_period_ending_on_a_holiday_ends_on_the_next_working_day() {
    let app = TestApp::spawn().await;
    let case = register_on(&app, "2024-07-29").await;
    let case = app
        .act_ok(&app.head, &case, accept("ordinary", "2024-08-02"))
        .await;
    // 2024-08-02 + 60 days is 2024-10-01, National Day; the holiday runs to the 7th.
    assert_eq!(deadline(&case, "decision")["due_on"], "2024-10-08");
    assert_eq!(
        deadline(&case, "copy_to_respondent")["due_on"],
        "2024-08-13"
    );
}

#[tokio::test]
async fn suspensions_and_extensions_move_the_decision_deadline() {
    let app = TestApp::spawn().await;
    let case = register_on(&app, "2024-07-29").await;
    let case = app
        .act_ok(&app.head, &case, accept("ordinary", "2024-08-02"))
        .await;
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "suspend", "occurred_on": "2024-08-12", "ground": "force_majeure"}),
        )
        .await;
    assert_eq!(deadline(&case, "decision")["status"], "paused");
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "resume", "occurred_on": "2024-08-22"}),
        )
        .await;
    // Ten days suspended: 2024-08-02 + 70 days, Friday 2024-10-11.
    assert_eq!(deadline(&case, "decision")["due_on"], "2024-10-11");
    let case = app
        .act_ok(
            &app.head,
            &case,
            json!({"action": "extend", "occurred_on": "2024-08-23", "days": 15, "reason": "需要鉴定"}),
        )
        .await;
    // Fifteen more: Saturday 2024-10-26, so Monday the 28th.
    assert_eq!(deadline(&case, "decision")["due_on"], "2024-10-28");
    let listed = list(&app, "").await;
    assert_eq!(
        listed[0]["next_deadline_on"], "2024-08-13",
        "the missed copy"
    );
}

#[tokio::test]
async fn the_calendar_is_read_by_staff_and_replaced_only_by_an_admin() {
    let app = TestApp::spawn().await;
    let (status, year) = get_calendar(&app, &app.officer, 2024).await;
    assert_eq!(status, StatusCode::OK, "{year}");
    assert_eq!(year["holidays"].as_array().unwrap().len(), 28);
    assert!(
        year["holidays"]
            .as_array()
            .unwrap()
            .contains(&json!("2024-02-10"))
    );
    assert_eq!(year["makeup_workdays"].as_array().unwrap().len(), 8);
    assert!(
        year["makeup_workdays"]
            .as_array()
            .unwrap()
            .contains(&json!("2024-02-18"))
    );

    let (status, _) = get_calendar(&app, &app.officer, 2027).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let body = json!({"holidays": ["2027-01-01"], "makeup_workdays": []});
    let (status, _) = put_calendar(&app, &app.officer, 2027, &body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = put_calendar(&app, &app.head, 2027, &body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A make-up working day must be a weekend day; every date must be in the year, once, and
    // not both a holiday and a make-up day.
    for (bad, field) in [
        (
            json!({"holidays": [], "makeup_workdays": ["2027-01-04"]}),
            "makeup_workdays",
        ),
        (
            json!({"holidays": ["2026-12-31"], "makeup_workdays": []}),
            "holidays",
        ),
        (
            json!({"holidays": ["2027-01-01", "2027-01-01"], "makeup_workdays": []}),
            "holidays",
        ),
        (
            json!({"holidays": ["2027-01-02"], "makeup_workdays": ["2027-01-02"]}),
            "makeup_workdays",
        ),
    ] {
        let (status, problem) = put_calendar(&app, &app.admin, 2027, &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(super::fields(&problem), [field], "{problem}");
    }
    let (status, _) = get_calendar(&app, &app.officer, 2027).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing was stored");

    let (status, stored) = put_calendar(&app, &app.admin, 2027, &body).await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    let (status, read) = get_calendar(&app, &app.officer, 2027).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        read,
        json!({"year": 2027, "holidays": ["2027-01-01"], "makeup_workdays": []})
    );
}

#[tokio::test]
async fn a_deadline_in_a_year_without_a_calendar_is_unknown_until_the_calendar_is_loaded() {
    let app = TestApp::spawn().await;
    // Accepted 2026-11-27 with the reply in: the decision is due 60 days later, 2027-01-26,
    // and whether that is a working day depends on a calendar not yet published.
    let case = register_on(&app, "2026-11-27").await;
    let case = app
        .act_ok(&app.head, &case, accept("ordinary", "2026-11-27"))
        .await;
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "record_reply", "occurred_on": "2026-11-27",
                   "copy_sent_on": "2026-11-27", "copy_received_on": "2026-11-27", "reply_received_on": "2026-11-27"}),
        )
        .await;
    let decision = deadline(&case, "decision");
    assert_eq!(decision["status"], "unknown", "{decision}");
    assert_eq!(decision["due_on"], Value::Null);
    assert!(
        decision["error"].as_str().unwrap().contains("2027"),
        "{decision}"
    );
    let listed = list(&app, "").await;
    assert_eq!(listed[0]["next_deadline_on"], Value::Null);
    assert!(list(&app, "deadline_before=2027-12-31").await.is_empty());

    // A test arrangement, not the published one: 2027-01-26 is made a holiday so the deadline
    // visibly follows the loaded calendar rather than a weekday count.
    let arrangement = json!({
        "holidays": ["2027-01-01", "2027-01-26", "2027-02-06", "2027-02-07", "2027-02-08"],
        "makeup_workdays": ["2027-02-20"],
    });
    let (status, body) = put_calendar(&app, &app.admin, 2027, &arrangement).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let case = reload(&app, &app.officer, &case).await;
    let decision = deadline(&case, "decision");
    assert_eq!(decision["due_on"], "2027-01-27", "{decision}");
    assert_ne!(decision["status"], "unknown");
    assert_eq!(decision["error"], Value::Null);
    // The stored next deadline was recomputed with the new calendar, so the list finds it.
    let listed = list(&app, "deadline_before=2027-12-31").await;
    assert_eq!(ids(&listed), [&case["id"]]);
    assert_eq!(listed[0]["next_deadline_on"], "2027-01-27");
}

#[tokio::test]
async fn a_reply_period_running_into_a_year_without_a_calendar_blocks_no_action() {
    let app = TestApp::spawn().await;
    // Stands in for a copy sent in late December: with every day of December 2026 a holiday,
    // ten working days from Friday 2026-11-27 run into 2027.
    let (_, mut year) = get_calendar(&app, &app.admin, 2026).await;
    year.as_object_mut().unwrap().remove("year");
    let holidays = year["holidays"].as_array_mut().unwrap();
    for day in date("2026-12-01").iter_days().take(31) {
        if !holidays.contains(&json!(day)) {
            holidays.push(json!(day));
        }
    }
    let (status, body) = put_calendar(&app, &app.admin, 2026, &year).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let case = register_on(&app, "2026-11-27").await;
    let case = app
        .act_ok(&app.head, &case, accept("ordinary", "2026-11-27"))
        .await;
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "record_reply", "occurred_on": "2026-11-27", "copy_sent_on": "2026-11-27", "copy_received_on": "2026-11-27"}),
        )
        .await;
    let reply = deadline(&case, "respondent_reply");
    assert_eq!(reply["status"], "unknown", "{reply}");
    assert!(reply["error"].as_str().unwrap().contains("2027"), "{reply}");

    let case = app
        .act_ok(
            &app.head,
            &case,
            json!({"action": "assign", "occurred_on": "2026-11-27", "handlers": [app.officer.id]}),
        )
        .await;
    assert_eq!(case["lifecycle"]["handlers"], json!([app.officer.id]));
}

#[tokio::test]
async fn replacing_a_calendar_recomputes_the_next_deadline_of_open_cases() {
    let app = TestApp::spawn().await;
    let open = app.sample_case().await;
    let closed = replied(&app, "simplified").await;
    let closed = app
        .act_ok(
            &app.head,
            &closed,
            decide("uphold", "2024-03-20", json!({})),
        )
        .await;
    assert_eq!(
        ids(&list(&app, "deadline_before=2024-03-09").await),
        [&open["id"]]
    );

    // Monday 2024-03-04 becomes a holiday: the review of a case received Friday 2024-03-01
    // now ends Monday 2024-03-11.
    let (_, mut year) = get_calendar(&app, &app.admin, 2024).await;
    year.as_object_mut().unwrap().remove("year");
    year["holidays"]
        .as_array_mut()
        .unwrap()
        .push(json!("2024-03-04"));
    let (status, body) = put_calendar(&app, &app.admin, 2024, &year).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    assert!(list(&app, "deadline_before=2024-03-09").await.is_empty());
    let listed = list(&app, "deadline_before=2024-03-12").await;
    assert_eq!(ids(&listed), [&open["id"]]);
    assert_eq!(listed[0]["next_deadline_on"], "2024-03-11");
    let all = list(&app, "").await;
    let closed_summary = all.iter().find(|c| c["id"] == closed["id"]).unwrap();
    assert_eq!(closed_summary["next_deadline_on"], Value::Null);

    // The case itself did not change: its version, and so a client's If-Match, still hold.
    let reloaded = reload(&app, &app.officer, &open).await;
    assert_eq!(reloaded["version"], 1);
    assert_eq!(
        deadline(&reloaded, "acceptance_review")["due_on"],
        "2024-03-11"
    );
    app.act_ok(&app.head, &open, accept("ordinary", "2024-03-05"))
        .await;
}

#[tokio::test]
async fn the_list_finds_overdue_cases_and_cases_due_before_a_date() {
    let app = TestApp::spawn().await;
    // Received 2024-03-01 and never reviewed: overdue since 2024-03-08.
    let overdue = app.sample_case().await;
    let concluded = replied(&app, "simplified").await;
    app.act_ok(
        &app.head,
        &concluded,
        decide("uphold", "2024-03-20", json!({})),
    )
    .await;
    // Received today: its review is still running.
    let today = app.city.today().to_string();
    let fresh = register_on(&app, &today).await;
    assert_ne!(deadline(&fresh, "acceptance_review")["status"], "missed");

    let found = list(&app, "overdue=true").await;
    assert_eq!(ids(&found), [&overdue["id"]]);
    assert_eq!(found[0]["next_deadline_on"], "2024-03-08");
    assert_eq!(
        ids(&list(&app, "deadline_before=2024-03-09").await),
        [&overdue["id"]]
    );
    assert!(
        list(&app, "deadline_before=2024-03-08").await.is_empty(),
        "before, not on"
    );
    assert_eq!(list(&app, "").await.len(), 3);
}
