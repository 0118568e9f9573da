//! Lawsuits against a decision: filing, hearings with the agency's head, each instance's result.

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use super::{assert_invalid, decided, district, get, get_ok, id, post, post_ok};
use crate::support::TestApp;

fn suit(number: &str, filed_on: &str) -> Value {
    json!({"court": "福州市鼓楼区人民法院", "court_case_number": number,
           "filed_on": filed_on, "organ_co_defendant": true})
}

fn hearing(instance: &str, on: &str, head_appeared: bool) -> Value {
    json!({"instance": instance, "held_on": on, "head_appeared": head_appeared})
}

fn judgment(instance: &str, on: &str, result: &str) -> Value {
    json!({"instance": instance, "decided_on": on, "result": result})
}

/// Files a suit against `case` and returns it.
async fn sued(app: &TestApp, case: &Value, number: &str) -> Value {
    post_ok(
        app,
        &app.officer,
        &format!("/api/v1/cases/{}/lawsuits", id(case)),
        suit(number, "2024-05-06"),
    )
    .await
}

#[tokio::test]
async fn a_suit_goes_through_two_instances() {
    let app = TestApp::spawn().await;
    let case = decided(&app, "uphold", json!({})).await;
    let response = app
        .as_user(
            &app.officer,
            Method::POST,
            &format!("/api/v1/cases/{}/lawsuits", id(&case)),
        )
        .json(&suit("(2024)闽0102行初15号", "2024-05-06"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    let lawsuit: Value = response.json().await.expect("json");
    assert_eq!(location, format!("/api/v1/lawsuits/{}", id(&lawsuit)));
    assert_eq!(lawsuit["organ_co_defendant"], true);
    assert_eq!(lawsuit["case_id"], case["id"]);
    let path = location;

    post_ok(
        &app,
        &app.officer,
        &format!("{path}/hearings"),
        hearing("first", "2024-06-12", true),
    )
    .await;
    let first = post_ok(
        &app,
        &app.officer,
        &format!("{path}/judgments"),
        judgment("first", "2024-07-01", "claim_rejected"),
    )
    .await;
    assert_eq!(
        first["judgments"][0]["outcome"], "won",
        "the result decides it"
    );

    // The appeal: heard after the first judgment, by an agency deputy this time.
    let (status, problem) = post(
        &app,
        &app.officer,
        &format!("{path}/hearings"),
        hearing("second", "2024-06-30", true),
    )
    .await;
    assert_invalid(status, &problem, "held_on");
    post_ok(
        &app,
        &app.officer,
        &format!("{path}/hearings"),
        hearing("second", "2024-09-03", false),
    )
    .await;
    let (status, problem) = post(
        &app,
        &app.officer,
        &format!("{path}/judgments"),
        judgment("second", "2024-10-08", "appeal_rejected"),
    )
    .await;
    assert_invalid(status, &problem, "outcome");
    let mut appeal = judgment("second", "2024-10-08", "appeal_rejected");
    appeal["outcome"] = json!("won");
    let done = post_ok(&app, &app.officer, &format!("{path}/judgments"), appeal).await;
    assert_eq!(done["hearings"].as_array().expect("hearings").len(), 2);
    assert_eq!(done["judgments"].as_array().expect("judgments").len(), 2);
    assert_eq!(done["version"], 5);

    let read = get_ok(&app, &app.admin, &path).await;
    assert_eq!(read, done);
    let (status, _) = get(&app, &app.statistician, &path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let other = sued(&app, &case, "(2024)闽0102行初16号").await;
    let list = get_ok(
        &app,
        &app.head,
        &format!("/api/v1/cases/{}/lawsuits", id(&case)),
    )
    .await;
    let ids: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(id)
        .collect();
    assert_eq!(ids, [id(&done), id(&other)], "several suits per case");
}

#[tokio::test]
async fn bad_litigation_records_are_refused() {
    let app = TestApp::spawn().await;
    let case = decided(&app, "revoke", json!({})).await;
    let suits = format!("/api/v1/cases/{}/lawsuits", id(&case));
    let (status, problem) = post(
        &app,
        &app.officer,
        &suits,
        suit("(2024)闽0102行初1号", "2024-04-01"),
    )
    .await;
    assert_invalid(status, &problem, "filed_on");
    let (status, problem) = post(&app, &app.officer, &suits, suit(" ", "2024-05-06")).await;
    assert_invalid(status, &problem, "court_case_number");

    let lawsuit = sued(&app, &case, "(2024)闽0102行初2号").await;
    let (status, problem) = post(
        &app,
        &app.officer,
        &suits,
        suit("(2024)闽0102行初2号", "2024-05-07"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "the same court case twice: {problem}"
    );

    let path = format!("/api/v1/lawsuits/{}", id(&lawsuit));
    let hearings = format!("{path}/hearings");
    let judgments = format!("{path}/judgments");
    // Filed 2024-05-06: nothing happens in court before that.
    let (status, problem) = post(
        &app,
        &app.officer,
        &hearings,
        hearing("first", "2024-05-01", true),
    )
    .await;
    assert_invalid(status, &problem, "held_on");
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("before the suit was filed"),
        "{problem}"
    );
    let (status, problem) = post(
        &app,
        &app.officer,
        &hearings,
        hearing("first", "2999-05-01", true),
    )
    .await;
    assert_invalid(status, &problem, "held_on");
    let (status, problem) = post(
        &app,
        &app.officer,
        &judgments,
        judgment("first", "2024-05-01", "revoked"),
    )
    .await;
    assert_invalid(status, &problem, "decided_on");
    let mut contradictory = judgment("first", "2024-07-01", "revoked");
    contradictory["outcome"] = json!("won");
    let (status, problem) = post(&app, &app.officer, &judgments, contradictory).await;
    assert_invalid(status, &problem, "outcome");
    let mut remanded = judgment("first", "2024-07-01", "remanded");
    remanded["outcome"] = json!("neither");
    let (status, problem) = post(&app, &app.officer, &judgments, remanded).await;
    assert_invalid(status, &problem, "result");
    let (status, problem) = post(
        &app,
        &app.officer,
        &hearings,
        hearing("second", "2024-08-01", true),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "no appeal before a first judgment: {problem}"
    );
    let (status, problem) = post(
        &app,
        &app.officer,
        &hearings,
        hearing("third", "2024-08-01", true),
    )
    .await;
    assert_invalid(status, &problem, "instance");

    post_ok(
        &app,
        &app.officer,
        &hearings,
        hearing("first", "2024-06-20", false),
    )
    .await;
    let (status, problem) = post(
        &app,
        &app.officer,
        &judgments,
        judgment("first", "2024-06-19", "revoked"),
    )
    .await;
    assert_invalid(status, &problem, "decided_on");
    let lost = post_ok(
        &app,
        &app.officer,
        &judgments,
        judgment("first", "2024-07-01", "revoked"),
    )
    .await;
    assert_eq!(lost["judgments"][0]["outcome"], "lost");
    let (status, _) = post(
        &app,
        &app.officer,
        &judgments,
        judgment("first", "2024-07-02", "revoked"),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "one judgment per instance");
    let (status, problem) = post(
        &app,
        &app.officer,
        &hearings,
        hearing("first", "2024-07-05", true),
    )
    .await;
    assert_invalid(status, &problem, "held_on");
}

#[tokio::test]
async fn the_organ_boundary_holds_for_lawsuits() {
    let app = TestApp::spawn().await;
    let district = district(&app).await;
    let case = decided(&app, "uphold", json!({})).await;
    let lawsuit = sued(&app, &case, "(2024)闽01行初9号").await;
    let path = format!("/api/v1/lawsuits/{}", id(&lawsuit));

    let (status, _) = get(&app, &district.officer, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = post(
        &app,
        &district.officer,
        &format!("{path}/hearings"),
        hearing("first", "2024-06-12", true),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = post(
        &app,
        &district.officer,
        &format!("/api/v1/cases/{}/lawsuits", id(&case)),
        suit("(2024)闽01行初10号", "2024-05-06"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = post(
        &app,
        &app.statistician,
        &format!("{path}/hearings"),
        hearing("first", "2024-06-12", true),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = get(
        &app,
        &app.officer,
        "/api/v1/lawsuits/00000000-0000-7000-8000-000000000000",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
