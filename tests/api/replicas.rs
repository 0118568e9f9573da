//! Two replicas on one database behave as one service: each test starts a second server over the
//! test's database (as a second `fuyi serve` would run) and spreads its requests over both.

use futures_util::future::join_all;
use reqwest::{Method, RequestBuilder, StatusCode, header};
use serde_json::{Value, json};

use crate::lifecycle::{accept, deadline};
use crate::support::{PASSWORD, TestApp, TestUser, sample_case, status_and_json};

/// A request to `path` on the server at `base`, with `user`'s token.
fn on(app: &TestApp, base: &str, user: &TestUser, method: Method, path: &str) -> RequestBuilder {
    app.client
        .request(method, format!("{base}{path}"))
        .bearer_auth(&user.token)
}

async fn register_on(app: &TestApp, base: &str) -> Value {
    let (status, case) = status_and_json(
        on(app, base, &app.officer, Method::POST, "/api/v1/cases")
            .json(&sample_case(app.respondent))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    case
}

#[tokio::test]
async fn concurrent_accepts_over_both_replicas_get_gap_free_case_numbers() {
    let app = TestApp::spawn().await;
    let other = app.replica().await;
    let bases = [app.address.clone(), other];
    let mut cases = Vec::new();
    for i in 0..20 {
        cases.push(register_on(&app, &bases[i % 2]).await);
    }
    let answers = join_all(cases.iter().enumerate().map(|(i, case)| {
        let id = case["id"].as_str().expect("id");
        on(
            &app,
            &bases[i % 2],
            &app.head,
            Method::POST,
            &format!("/api/v1/cases/{id}/transitions"),
        )
        .header(header::IF_MATCH, "\"1\"")
        .json(&accept("ordinary", "2024-03-05"))
        .send()
    }))
    .await;
    let mut numbers = Vec::new();
    for answer in answers {
        let (status, case) = status_and_json(answer.expect("request")).await;
        assert_eq!(status, StatusCode::OK, "{case}");
        numbers.push(
            case["case_number"]
                .as_str()
                .expect("a case number")
                .to_owned(),
        );
    }
    numbers.sort_by_key(|number| {
        let digits: String = number
            .rsplit('〕')
            .next()
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        digits.parse::<u32>().expect("a sequence number")
    });
    let expected: Vec<String> = (1..=20).map(|n| format!("榕复〔2024〕{n}号")).collect();
    assert_eq!(numbers, expected);
}

#[tokio::test]
async fn an_idempotency_key_retried_on_the_other_replica_replays_the_first_answer() {
    let app = TestApp::spawn().await;
    let other = app.replica().await;
    let send = |base: String| {
        on(&app, &base, &app.officer, Method::POST, "/api/v1/cases")
            .header("Idempotency-Key", "register-once")
            .json(&sample_case(app.respondent))
            .send()
    };
    let first = send(app.address.clone()).await.expect("request");
    assert_eq!(first.status(), StatusCode::CREATED);
    let (_, first) = status_and_json(first).await;
    let retried = send(other.clone()).await.expect("request");
    assert_eq!(retried.status(), StatusCode::CREATED);
    assert!(retried.headers().contains_key("idempotent-replayed"));
    let (_, retried) = status_and_json(retried).await;
    assert_eq!(retried["id"], first["id"]);

    let (status, list) = status_and_json(
        on(&app, &other, &app.officer, Method::GET, "/api/v1/cases")
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
}

#[tokio::test]
async fn a_token_signed_by_one_replica_is_accepted_by_the_other() {
    let app = TestApp::spawn().await;
    let other = app.replica().await;
    let (status, tokens) = status_and_json(
        app.request(Method::POST, "/api/v1/auth/token")
            .json(&json!({"username": "officer", "password": PASSWORD}))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let token = tokens["access_token"].as_str().expect("an access token");
    let me = app
        .client
        .get(format!("{other}/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let (status, me) = status_and_json(me).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["username"], "officer");
}

#[tokio::test]
async fn sign_in_throttling_counts_failures_on_both_replicas() {
    let app = TestApp::spawn_with(&[("FUYI_LOGIN_MAX_FAILURES", "2")]).await;
    let other = app.replica().await;
    let sign_in = |base: String, password: &'static str| {
        app.client
            .post(format!("{base}/api/v1/auth/token"))
            .json(&json!({"username": "officer", "password": password}))
            .send()
    };
    let first = sign_in(app.address.clone(), "guess-one")
        .await
        .expect("request");
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED);
    let second = sign_in(other.clone(), "guess-two").await.expect("request");
    assert_eq!(second.status(), StatusCode::UNAUTHORIZED);
    // Two failures, one on each replica: either now refuses even the right password.
    for base in [app.address.clone(), other] {
        let refused = sign_in(base, PASSWORD).await.expect("request");
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    }
}

#[tokio::test]
async fn calendar_organ_and_respondent_changes_on_one_replica_show_on_the_other() {
    let app = TestApp::spawn().await;
    let other = app.replica().await;
    // The case is read on the other replica before the change, so anything that replica keeps in
    // memory is in use when the change is made.
    let case = register_on(&app, &other).await;
    let case = app
        .act_ok(&app.head, &case, accept("ordinary", "2024-03-05"))
        .await;
    let id = case["id"].as_str().expect("id");
    let read_on_other = || async {
        let (status, case) = status_and_json(
            on(
                &app,
                &other,
                &app.head,
                Method::GET,
                &format!("/api/v1/cases/{id}"),
            )
            .send()
            .await
            .expect("request"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{case}");
        case
    };
    // 60 days from 2024-03-05 is Saturday 2024-05-04, in the May holiday: due Monday 05-06.
    assert_eq!(
        deadline(&read_on_other().await, "decision")["due_on"],
        "2024-05-06"
    );

    // Through the first replica, 05-06 and 05-07 become holidays: due Wednesday 05-08.
    let (status, mut year) = status_and_json(
        app.as_user(&app.admin, Method::GET, "/api/v1/calendar/2024")
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{year}");
    year.as_object_mut().expect("an object").remove("year");
    year["holidays"]
        .as_array_mut()
        .expect("holidays")
        .extend([json!("2024-05-06"), json!("2024-05-07")]);
    let (status, body) = status_and_json(
        app.as_user(&app.admin, Method::PUT, "/api/v1/calendar/2024")
            .json(&year)
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        deadline(&read_on_other().await, "decision")["due_on"],
        "2024-05-08"
    );

    // An organ and a respondent created through the first replica are used through the other.
    let (status, organ) = status_and_json(
        app.as_user(&app.admin, Method::POST, "/api/v1/organs")
            .json(&json!({"code": "taijiang", "name": "台江区人民政府", "short_name": "台"}))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{organ}");
    let (status, organs) = status_and_json(
        on(&app, &other, &app.admin, Method::GET, "/api/v1/organs")
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{organs}");
    assert!(organs.to_string().contains("台江区人民政府"), "{organs}");

    let (status, respondent) = status_and_json(
        app.as_user(&app.admin, Method::POST, "/api/v1/respondents")
            .json(&json!({"name": "福州市市场监督管理局", "domain": "market_regulation"}))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{respondent}");
    let mut body = sample_case(app.respondent);
    body["respondent_id"] = respondent["id"].clone();
    let (status, case) = status_and_json(
        on(&app, &other, &app.officer, Method::POST, "/api/v1/cases")
            .json(&body)
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    assert_eq!(case["respondent"]["name"], "福州市市场监督管理局", "{case}");
}
