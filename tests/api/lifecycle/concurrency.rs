//! Optimistic concurrency (`ETag`/`If-Match`) and retries (`Idempotency-Key`).

use futures_util::future::join_all;
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use super::{accept, events, fields, reload};
use crate::support::{TestApp, sample_case, status_and_json};

fn transitions(case: &Value) -> String {
    format!("/api/v1/cases/{}/transitions", case["id"].as_str().unwrap())
}

#[tokio::test]
async fn a_change_needs_the_current_etag() {
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    let id = case["id"].as_str().unwrap();
    let response = app
        .as_user(&app.head, Method::GET, &format!("/api/v1/cases/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()[header::ETAG], "\"1\"");

    let without = app
        .as_user(&app.head, Method::POST, &transitions(&case))
        .json(&accept("ordinary", "2024-03-05"))
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), StatusCode::PRECONDITION_REQUIRED);
    assert_eq!(
        without.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );

    let accepted = app
        .as_user(&app.head, Method::POST, &transitions(&case))
        .header(header::IF_MATCH, "\"1\"")
        .json(&accept("ordinary", "2024-03-05"))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::OK);
    assert_eq!(accepted.headers()[header::ETAG], "\"2\"");

    let stale = app
        .as_user(&app.officer, Method::POST, &transitions(&case))
        .header(header::IF_MATCH, "\"1\"")
        .json(&json!({"action": "record_reply", "copy_sent_on": "2024-03-06", "copy_received_on": "2024-03-06", "occurred_on": "2024-03-06"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let (_, problem) = status_and_json(stale).await;
    assert_eq!(problem["current_version"], 2);
    assert_eq!(events(&app, &app.head, &case).await.len(), 2);
}

#[tokio::test]
async fn of_fifty_clients_racing_on_one_case_exactly_one_wins() {
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    let answers =
        join_all((0..50).map(|_| app.act(&app.head, &case, accept("ordinary", "2024-03-05"))))
            .await;
    let count = |wanted: StatusCode| answers.iter().filter(|(s, _)| *s == wanted).count();
    let (won, stale, refused) = (
        count(StatusCode::OK),
        count(StatusCode::PRECONDITION_FAILED),
        count(StatusCode::CONFLICT),
    );
    eprintln!("50 racing accepts: {won} won, {stale} got 412, {refused} got 409");
    assert_eq!(won, 1, "{answers:?}");
    assert_eq!(won + stale + refused, 50, "{answers:?}");

    let history = events(&app, &app.head, &case).await;
    assert_eq!(history.len(), 2, "one register and one accept: {history:?}");
    assert_eq!(reload(&app, &app.head, &case).await["version"], 2);
    // The losers took no case number either.
    let next = app.sample_case().await;
    let next = app
        .act_ok(&app.head, &next, accept("ordinary", "2024-03-05"))
        .await;
    assert_eq!(next["case_number"], "榕复〔2024〕2号");
}

/// Registers `body` with `key`; returns status, Location, replay marker and JSON.
async fn register_keyed(
    app: &TestApp,
    key: &str,
    body: &Value,
) -> (StatusCode, Option<String>, bool, Value) {
    let response = app
        .as_user(&app.officer, Method::POST, "/api/v1/cases")
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned());
    let replayed = response.headers().contains_key("idempotent-replayed");
    let (status, json) = status_and_json(response).await;
    (status, location, replayed, json)
}

#[tokio::test]
async fn a_retried_registration_returns_the_first_answer_and_registers_once() {
    let app = TestApp::spawn().await;
    let body = sample_case(app.respondent);
    let (status, location, replayed, first) = register_keyed(&app, "reg-1", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert!(!replayed);
    let (status, again_location, replayed, again) = register_keyed(&app, "reg-1", &body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(replayed);
    assert_eq!(again, first);
    assert_eq!(again_location, location);

    let mut other = body.clone();
    other["reasons"] = json!("另一份申请");
    let (status, _, _, problem) = register_keyed(&app, "reg-1", &other).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["Idempotency-Key"]);

    let (_, list) = status_and_json(
        app.as_user(&app.officer, Method::GET, "/api/v1/cases")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
}

#[tokio::test]
async fn a_retried_transition_returns_the_first_answer_and_acts_once() {
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    let send = |body: Value| {
        app.as_user(&app.head, Method::POST, &transitions(&case))
            .header(header::IF_MATCH, "\"1\"")
            .header("Idempotency-Key", "accept-once")
            .json(&body)
            .send()
    };
    let first = send(accept("ordinary", "2024-03-05")).await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()[header::ETAG], "\"2\"");
    let (_, first) = status_and_json(first).await;

    // The retry still sends the version it started from; it gets the first answer, not a 412.
    let retry = send(accept("ordinary", "2024-03-05")).await.unwrap();
    assert_eq!(retry.status(), StatusCode::OK);
    assert_eq!(retry.headers()[header::ETAG], "\"2\"");
    let (_, retried) = status_and_json(retry).await;
    assert_eq!(retried, first);
    assert_eq!(events(&app, &app.head, &case).await.len(), 2);

    let changed = send(accept("simplified", "2024-03-05")).await.unwrap();
    assert_eq!(changed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, problem) = status_and_json(changed).await;
    assert_eq!(fields(&problem), ["Idempotency-Key"]);
    let now = reload(&app, &app.head, &case).await;
    assert_eq!(now["version"], 2);
    assert_eq!(now["lifecycle"]["procedure"], "ordinary");
    assert_eq!(now["case_number"], "榕复〔2024〕1号");
}
