//! Nothing hangs: a busy pool, a slow query, a slow handler and a slow body each get a prompt
//! problem+json answer; statistics cannot take the connections sign-in and case reads need;
//! readiness does not leak the driver's text.

use std::net::TcpListener;

use diesel_async::RunQueryDsl;
use reqwest::{Method, StatusCode, header};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{HANG, lock_case, problem_detail};
use crate::support::{PASSWORD, TestApp, status_and_json, test_settings};

#[tokio::test]
async fn a_busy_pool_answers_503_with_retry_after_instead_of_hanging() {
    // One worker with one connection; statements may wait for a lock for as long as the test
    // holds it.
    let app = TestApp::spawn_with(&[
        ("FUYI_DB_POOL_SIZE", "1"),
        ("FUYI_DB_POOL_WAIT_MS", "200"),
        ("FUYI_DB_STATEMENT_TIMEOUT_MS", "60000"),
    ])
    .await;
    let case = app.sample_case().await;
    let id = case["id"].as_str().unwrap().to_owned();
    // A correction waits for the row the test locks, holding the worker's only connection.
    let lock = lock_case(&app, &id).await;
    let correction = tokio::spawn(
        app.as_user(&app.officer, Method::PATCH, &format!("/api/v1/cases/{id}"))
            .header(header::IF_MATCH, "\"1\"")
            .json(&json!({"reasons": "补充理由"}))
            .timeout(HANG)
            .send(),
    );
    let waiting = "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'";
    for _ in 0..100 {
        if super::count(&app, waiting).await > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    let response = app
        .as_user(&app.officer, Method::GET, &format!("/api/v1/cases/{id}"))
        .timeout(HANG)
        .send()
        .await
        .expect("an answer, not a hang");
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert!(response.headers().contains_key(header::RETRY_AFTER));
    let (status, body) = status_and_json(response).await;
    problem_detail(status, &body, StatusCode::SERVICE_UNAVAILABLE);

    drop(lock);
    let corrected = correction.await.expect("joined").expect("an answer");
    assert_eq!(corrected.status(), StatusCode::OK);
    let (status, _) = app.get_case(&app.officer, &id).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_query_past_the_statement_timeout_answers_503_without_driver_text() {
    let app = TestApp::spawn_with(&[("FUYI_DB_STATEMENT_TIMEOUT_MS", "300")]).await;
    let case = app.sample_case().await;
    let id = case["id"].as_str().unwrap();
    let lock = lock_case(&app, id).await;
    let response = app
        .as_user(&app.officer, Method::PATCH, &format!("/api/v1/cases/{id}"))
        .header(header::IF_MATCH, "\"1\"")
        .json(&json!({"reasons": "补充理由"}))
        .timeout(HANG)
        .send()
        .await
        .expect("an answer, not a hang");
    assert!(response.headers().contains_key(header::RETRY_AFTER));
    let (status, body) = status_and_json(response).await;
    let detail = problem_detail(status, &body, StatusCode::SERVICE_UNAVAILABLE);
    assert!(detail.contains("took too long"), "{detail}");
    assert!(!body.to_string().contains("canceling statement"), "{body}");
    drop(lock);
}

#[tokio::test]
async fn a_request_past_the_request_timeout_answers_503() {
    let app = TestApp::spawn_with(&[("FUYI_REQUEST_TIMEOUT_SECONDS", "1")]).await;
    let case = app.sample_case().await;
    let id = case["id"].as_str().unwrap();
    let lock = lock_case(&app, id).await;
    let response = app
        .as_user(&app.officer, Method::PATCH, &format!("/api/v1/cases/{id}"))
        .header(header::IF_MATCH, "\"1\"")
        .json(&json!({"reasons": "补充理由"}))
        .timeout(HANG)
        .send()
        .await
        .expect("an answer, not a hang");
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let (status, body) = status_and_json(response).await;
    let detail = problem_detail(status, &body, StatusCode::SERVICE_UNAVAILABLE);
    assert!(detail.contains("within 1 s"), "{detail}");
    drop(lock);
    // The abandoned correction was rolled back: the case is still at version 1.
    let (_, now) = app.get_case(&app.officer, id).await;
    assert_eq!(now["version"], 1, "{now}");
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_answers_408() {
    let app = TestApp::spawn_with(&[("FUYI_BODY_READ_TIMEOUT_SECONDS", "1")]).await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    let head = format!(
        "POST /api/v1/cases HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"respondent_id\":",
        app.officer.token
    );
    stream.write_all(head.as_bytes()).await.expect("send");
    // The rest of the body never comes.
    let mut answer = Vec::new();
    tokio::time::timeout(HANG, async {
        let mut buffer = [0u8; 4096];
        loop {
            let read = stream.read(&mut buffer).await.unwrap_or(0);
            if read == 0 {
                break;
            }
            answer.extend_from_slice(&buffer[..read]);
            if String::from_utf8_lossy(&answer).contains("\"detail\"") {
                break;
            }
        }
    })
    .await
    .expect("an answer, not a hang");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(answer.contains("did not arrive within 1 s"), "{answer}");
}

/// Several year-long reports at once, each blocked in the database, hold at most their share of
/// a small pool: sign-in and case reads still answer; once unblocked, the reports finish too.
#[tokio::test]
async fn concurrent_reports_leave_connections_for_sign_in_and_case_reads() {
    let app = TestApp::spawn_with(&[
        ("FUYI_DB_POOL_SIZE", "4"),
        ("FUYI_STATISTICS_CONNECTIONS", "1"),
        // Reports queue behind the blocked one for as long as the test blocks it.
        ("FUYI_DB_POOL_WAIT_MS", "60000"),
    ])
    .await;
    let case = app.sample_case().await;
    let id = case["id"].as_str().unwrap().to_owned();

    // The reports read the rollups; an exclusive lock makes every such query wait while holding
    // its connection, as a slow report on a large database would.
    let mut blocker = fuyi::db::connect(app.owner_url()).await.expect("connect");
    diesel::sql_query("BEGIN")
        .execute(&mut blocker)
        .await
        .expect("begin");
    diesel::sql_query(
        "LOCK TABLE statistics_days, statistics_handling_days IN ACCESS EXCLUSIVE MODE",
    )
    .execute(&mut blocker)
    .await
    .expect("lock the rollups");

    let reports: Vec<_> = (0..4)
        .map(|_| {
            let request = app
                .as_user(
                    &app.statistician,
                    Method::GET,
                    "/api/v1/statistics/monthly?from=2024-01&to=2024-12",
                )
                .send();
            tokio::spawn(request)
        })
        .collect();
    // Let the reports take what they can before the other requests come.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    let sign_in = app
        .request(Method::POST, "/api/v1/auth/token")
        .json(&json!({"username": app.officer.username, "password": PASSWORD}))
        .timeout(HANG)
        .send()
        .await
        .expect("sign-in answers while reports run");
    assert_eq!(sign_in.status(), StatusCode::OK);
    let read = app
        .as_user(&app.officer, Method::GET, &format!("/api/v1/cases/{id}"))
        .timeout(HANG)
        .send()
        .await
        .expect("a case read answers while reports run");
    assert_eq!(read.status(), StatusCode::OK);
    let ready = app
        .request(Method::GET, "/health/ready")
        .timeout(HANG)
        .send()
        .await
        .expect("readiness answers while reports run");
    assert_eq!(ready.status(), StatusCode::OK);

    drop(blocker);
    for report in reports {
        let response = report.await.expect("joined").expect("the report answers");
        let (status, body) = status_and_json(response).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["rows"].as_array().map(Vec::len), Some(12), "{body}");
    }
}

#[tokio::test]
async fn readiness_says_database_unavailable_without_the_drivers_text() {
    let app = TestApp::spawn().await;
    // A service whose database does not exist: the driver's error names it.
    let missing = app.owner_url().replace("fuyi_test_", "fuyi_missing_");
    let settings = test_settings(&missing, &[]);
    let pool = fuyi::db::pool_for(&missing, &settings).expect("pool");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let server = fuyi::startup::Application::build(settings, pool, listener).expect("build");
    let address = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run_until_stopped());

    let response = app
        .client
        .get(format!("{address}/health/ready"))
        .timeout(HANG)
        .send()
        .await
        .expect("an answer");
    let (status, body) = status_and_json(response).await;
    let detail = problem_detail(status, &body, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(detail, "database unavailable");
    assert!(!body.to_string().contains("does not exist"), "{body}");
    assert!(!body.to_string().contains("fuyi_missing_"), "{body}");
}
