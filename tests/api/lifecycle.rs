//! Issue 3 end to end over HTTP: every action of the 2023 law as a state machine, deadlines on
//! China's working-day calendar, and a tamper-proof history.

mod concurrency;
mod deadlines;
mod history;
mod numbers;
mod paths;
mod refusals;
mod replay;

use chrono::{Days, NaiveDate};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestApp, TestUser, sample_case, status_and_json};

/// A date written as in the API.
pub fn date(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

/// Registers the sample application as received on `received_on`; the act and the day the
/// applicant learned of it lie ten days earlier, so the application is in time.
pub async fn register_on(app: &TestApp, received_on: &str) -> Value {
    let learned = date(received_on) - Days::new(10);
    let mut body = sample_case(app.respondent);
    body["received_on"] = json!(received_on);
    body["act_date"] = json!(learned);
    body["learned_on"] = json!(learned);
    let (status, case) = app.register(&app.officer, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    case
}

/// `accept` under `procedure` on `on`; simplified cases on the small-amount ground of art. 53.
pub fn accept(procedure: &str, on: &str) -> Value {
    let mut action = json!({"action": "accept", "procedure": procedure, "occurred_on": on});
    if procedure == "simplified" {
        action["simplified_ground"] = json!("small_amount");
    }
    action
}

/// A decision with `disposition` on `on`, with `extra` fields on top.
pub fn decide(disposition: &str, on: &str, extra: Value) -> Value {
    let mut action = json!({
        "action": "decide",
        "occurred_on": on,
        "disposition": disposition,
        "document_number": "榕政复决〔2024〕7号",
        "reasoning": "认定事实清楚，适用依据正确",
        "legal_basis": "《中华人民共和国行政复议法》第六十八条",
        "approval": {"route": "organ_head", "approver": "王局长"},
    });
    for (key, value) in extra.as_object().into_iter().flatten() {
        action[key] = value.clone();
    }
    action
}

/// The sample case accepted on 2024-03-05 under `procedure`, the copy served on the respondent
/// on 2024-03-06 and its reply in on 2024-03-07, so it may be decided (arts. 48, 54).
pub async fn replied(app: &TestApp, procedure: &str) -> Value {
    let case = filed(app, procedure).await;
    app.act_ok(
        &app.officer,
        &case,
        json!({"action": "record_reply", "occurred_on": "2024-03-07", "copy_sent_on": "2024-03-06",
               "copy_received_on": "2024-03-06", "reply_received_on": "2024-03-07"}),
    )
    .await
}

/// The sample case accepted on 2024-03-05 under `procedure`.
pub async fn filed(app: &TestApp, procedure: &str) -> Value {
    let case = app.sample_case().await;
    app.act_ok(&app.head, &case, accept(procedure, "2024-03-05"))
        .await
}

/// The sample case accepted under ordinary procedure, its reply in, and the parties heard on
/// 2024-03-25.
pub async fn heard(app: &TestApp) -> Value {
    let case = filed(app, "ordinary").await;
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "record_reply", "occurred_on": "2024-03-15",
                   "copy_sent_on": "2024-03-07", "copy_received_on": "2024-03-07", "reply_received_on": "2024-03-15"}),
        )
        .await;
    app.act_ok(
        &app.officer,
        &case,
        json!({"action": "hear", "occurred_on": "2024-03-25", "method": "written_opinions", "parties_unavailable": true}),
    )
    .await
}

/// The actions a case response offers its caller.
pub fn allowed(case: &Value) -> Vec<&str> {
    case["allowed_actions"]
        .as_array()
        .expect("allowed_actions")
        .iter()
        .map(|action| action.as_str().expect("an action name"))
        .collect()
}

/// The deadline of `kind` in a case response, if the case has it.
pub fn find_deadline<'a>(case: &'a Value, kind: &str) -> Option<&'a Value> {
    case["deadlines"]
        .as_array()
        .expect("deadlines")
        .iter()
        .find(|deadline| deadline["kind"] == kind)
}

/// The deadline of `kind` in a case response, which must be there.
pub fn deadline<'a>(case: &'a Value, kind: &str) -> &'a Value {
    find_deadline(case, kind).unwrap_or_else(|| panic!("no {kind} deadline in {case}"))
}

/// A case's history as `user` reads it.
pub async fn events(app: &TestApp, user: &TestUser, case: &Value) -> Vec<Value> {
    let id = case["id"].as_str().expect("case id");
    let (status, body) = status_and_json(
        app.as_user(user, Method::GET, &format!("/api/v1/cases/{id}/events"))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().expect("items").clone()
}

/// The fields a 422 problem names.
pub fn fields(problem: &Value) -> Vec<&str> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|error| error["field"].as_str())
                .collect()
        })
        .unwrap_or_default()
}

/// The case as `user` reads it now.
pub async fn reload(app: &TestApp, user: &TestUser, case: &Value) -> Value {
    let (status, body) = app
        .get_case(user, case["id"].as_str().expect("case id"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}
