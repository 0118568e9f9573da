//! Every answer that shows a case's personal data unmasked leaves a row in the append-only
//! personal-data audit, which administrators read at `/api/v1/audit`. Addresses are masked like
//! the other personal data.

use diesel_async::RunQueryDsl;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::count;
use crate::support::{TestApp, TestUser, sample_case, status_and_json};

const ADDRESS: &str = "福建省福州市鼓楼区五四路100号";

async fn audit(app: &TestApp, user: &TestUser, query: &str) -> (StatusCode, Value) {
    status_and_json(
        app.as_user(user, Method::GET, &format!("/api/v1/audit{query}"))
            .send()
            .await
            .expect("request"),
    )
    .await
}

fn endpoints(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["endpoint"].as_str().expect("endpoint"))
        .collect()
}

#[tokio::test]
async fn unmasked_views_are_audited_and_masked_ones_are_not() {
    let app = TestApp::spawn().await;
    let mut body = sample_case(app.respondent);
    body["parties"][0]["address"] = json!(ADDRESS);
    let (status, case) = app.register(&app.officer, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().unwrap().to_owned();
    // The officer registered it: unmasked, in full.
    assert_eq!(case["parties"][0]["address"], ADDRESS);
    assert_eq!(case["parties"][0]["id_number"], "350102199001011234");
    let (_, read) = app.get_case(&app.officer, &id).await;
    assert_eq!(read["parties"][0]["address"], ADDRESS);

    // The administrator reads cases masked, the address too; that is not audited.
    let (status, masked) = app.get_case(&app.admin, &id).await;
    assert_eq!(status, StatusCode::OK, "{masked}");
    assert_eq!(masked["parties"][0]["address"], "福建省福州市**********");
    assert_eq!(masked["parties"][0]["id_number"], "350102********1234");

    let (status, page) = audit(&app, &app.admin, "").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // Newest first.
    assert_eq!(
        endpoints(&page),
        ["GET /api/v1/cases/{id}", "POST /api/v1/cases"]
    );
    for item in page["items"].as_array().unwrap() {
        assert_eq!(item["case_id"], id.as_str());
        assert_eq!(item["user_id"], app.officer.id.to_string());
        assert_eq!(item["username"], "officer");
        assert!(item["viewed_at"].is_string());
    }
    assert!(page["next_cursor"].is_null());
}

#[tokio::test]
async fn the_audit_filters_and_pages() {
    let app = TestApp::spawn().await;
    let first = app.sample_case().await;
    let second = app.sample_case().await;
    let first_id = first["id"].as_str().unwrap();
    let (_, accepted) = app
        .act(
            &app.head,
            &first,
            json!({"action": "accept", "procedure": "ordinary", "occurred_on": "2024-03-05"}),
        )
        .await;
    assert_eq!(accepted["version"], 2, "{accepted}");

    let (_, page) = audit(&app, &app.admin, &format!("?case_id={first_id}")).await;
    assert_eq!(
        endpoints(&page),
        ["POST /api/v1/cases/{id}/transitions", "POST /api/v1/cases"]
    );
    let (_, page) = audit(&app, &app.admin, &format!("?user_id={}", app.head.id)).await;
    assert_eq!(endpoints(&page), ["POST /api/v1/cases/{id}/transitions"]);
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let (_, page) = audit(&app, &app.admin, &format!("?from={today}&to={today}")).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 3, "{page}");
    let (_, page) = audit(&app, &app.admin, "?to=2020-01-01").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 0, "{page}");

    // Keyset pages: one at a time, newest first, nothing repeated or skipped.
    let mut seen = Vec::new();
    let mut query = "?limit=1".to_owned();
    loop {
        let (status, page) = audit(&app, &app.admin, &query).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].clone()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("?limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(
        seen.windows(2).all(|w| w[0].as_i64() > w[1].as_i64()),
        "{seen:?}"
    );
    let _ = second;
}

#[tokio::test]
async fn only_administrators_read_the_audit() {
    let app = TestApp::spawn().await;
    for user in [&app.officer, &app.head, &app.statistician] {
        let (status, problem) = audit(&app, user, "").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    }
    let (status, _) = audit(&app, &app.admin, "?limit=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = audit(&app, &app.admin, "?cursor=nonsense").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_audit_is_append_only() {
    let app = TestApp::spawn().await;
    app.sample_case().await;
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM personal_data_audit").await,
        1
    );
    // The service's role may not change it at all.
    let mut service = app.pool.get().await.expect("connection");
    for statement in [
        "UPDATE personal_data_audit SET endpoint = 'x'",
        "DELETE FROM personal_data_audit",
        "TRUNCATE personal_data_audit",
    ] {
        let err = diesel::sql_query(statement)
            .execute(&mut service)
            .await
            .expect_err(statement);
        assert!(
            err.to_string().contains("permission denied"),
            "{statement}: {err}"
        );
    }
    // Nor may its owner: the table refuses.
    let mut owner = fuyi::db::connect(app.owner_url()).await.expect("connect");
    for statement in [
        "UPDATE personal_data_audit SET endpoint = 'x'",
        "DELETE FROM personal_data_audit",
        "TRUNCATE personal_data_audit",
    ] {
        let err = diesel::sql_query(statement)
            .execute(&mut owner)
            .await
            .expect_err(statement);
        assert!(
            err.to_string().contains("append-only"),
            "{statement}: {err}"
        );
    }
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM personal_data_audit").await,
        1
    );
}
