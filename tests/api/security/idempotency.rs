//! `Idempotency-Key` is atomic: the claim, the change and the stored answer commit together, so
//! concurrent retries register once, an abandoned request leaves its key free, and an answer
//! past its retention is never replayed.

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use super::{HANG, count, lock_case};
use crate::support::{TestApp, sample_case, status_and_json};

/// Registers `body` with `key`; the status, whether the answer was replayed, and the JSON.
async fn register_keyed(app: &TestApp, key: &str, body: &Value) -> (StatusCode, bool, Value) {
    let response = app
        .as_user(&app.officer, Method::POST, "/api/v1/cases")
        .header("Idempotency-Key", key)
        .json(body)
        .timeout(HANG)
        .send()
        .await
        .expect("an answer");
    let replayed = response.headers().contains_key("idempotent-replayed");
    let (status, json) = status_and_json(response).await;
    (status, replayed, json)
}

#[tokio::test]
async fn concurrent_requests_with_one_key_register_one_case_and_all_get_its_answer() {
    let app = TestApp::spawn().await;
    let body = sample_case(app.respondent);
    let answers =
        futures_util::future::join_all((0..6).map(|_| register_keyed(&app, "same-key", &body)))
            .await;
    let ids: Vec<&Value> = answers
        .iter()
        .map(|(status, _, json)| {
            assert_eq!(*status, StatusCode::CREATED, "{json}");
            &json["id"]
        })
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert_eq!(
        answers.iter().filter(|(_, replayed, _)| !replayed).count(),
        1
    );
    assert_eq!(count(&app, "SELECT count(*) AS n FROM cases").await, 1);
}

#[tokio::test]
async fn a_failed_request_frees_its_key() {
    let app = TestApp::spawn().await;
    let mut body = sample_case(app.respondent);
    body["respondent_id"] = json!(uuid::Uuid::now_v7());
    let (status, _, problem) = register_keyed(&app, "fails", &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM idempotency_keys").await,
        0
    );
    let (status, replayed, _) = register_keyed(&app, "fails", &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!replayed);
}

/// A request cut off by the request timeout mid-transaction leaves nothing behind: not its
/// change, not a key "in progress". The retry then acts, once.
#[tokio::test]
async fn an_abandoned_request_leaves_its_key_free_and_its_change_undone() {
    let app = TestApp::spawn_with(&[("FUYI_REQUEST_TIMEOUT_SECONDS", "1")]).await;
    let case = app.sample_case().await;
    let id = case["id"].as_str().unwrap();
    let accept = json!({"action": "accept", "procedure": "ordinary", "occurred_on": "2024-03-05"});
    let send = || {
        app.as_user(
            &app.head,
            Method::POST,
            &format!("/api/v1/cases/{id}/transitions"),
        )
        .header(header::IF_MATCH, "\"1\"")
        .header("Idempotency-Key", "accept-once")
        .json(&accept)
        .timeout(HANG)
        .send()
    };
    let lock = lock_case(&app, id).await;
    let cut_off = send().await.expect("an answer");
    assert_eq!(cut_off.status(), StatusCode::SERVICE_UNAVAILABLE);
    drop(lock);
    // The abandoned connection's transaction is rolled back by the server once the pool drops
    // it; wait for that rather than for a time.
    for _ in 0..100 {
        if count(&app, "SELECT count(*) AS n FROM idempotency_keys").await == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM idempotency_keys").await,
        0
    );

    let retry = send().await.expect("an answer");
    assert_eq!(retry.status(), StatusCode::OK);
    assert!(!retry.headers().contains_key("idempotent-replayed"));
    let (_, accepted) = status_and_json(retry).await;
    assert_eq!(accepted["version"], 2, "{accepted}");
    let again = send().await.expect("an answer");
    assert_eq!(again.status(), StatusCode::OK);
    assert!(again.headers().contains_key("idempotent-replayed"));
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) AS n FROM case_events WHERE case_id = '{id}'")
        )
        .await,
        2
    );
}

#[tokio::test]
async fn an_answer_past_its_retention_is_not_replayed_and_is_purged() {
    let app = TestApp::spawn().await;
    let body = sample_case(app.respondent);
    let (status, _, first) = register_keyed(&app, "old-key", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (_, replayed, again) = register_keyed(&app, "old-key", &body).await;
    assert!(replayed);
    assert_eq!(again["id"], first["id"]);

    // A day and an hour later (the default retention is 24 hours), before any purge ran.
    let mut owner = fuyi::db::connect(app.owner_url()).await.expect("connect");
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(
            "UPDATE idempotency_keys SET created_at = created_at - interval '25 hours'",
        ),
        &mut owner,
    )
    .await
    .expect("age the key");
    let (status, replayed, later) = register_keyed(&app, "old-key", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{later}");
    assert!(!replayed);
    assert_ne!(later["id"], first["id"]);

    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(
            "UPDATE idempotency_keys SET created_at = created_at - interval '25 hours'",
        ),
        &mut owner,
    )
    .await
    .expect("age the key");
    let purged = fuyi::db::idempotency::purge_expired_idempotency_keys(
        &app.pool,
        app.settings.limits.idempotency_retention,
    )
    .await
    .expect("purge");
    assert_eq!(purged, 1);
}
