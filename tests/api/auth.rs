//! Signing in, refreshing and signing out; the user's own view; administrators managing users; and
//! every way a forged or stale access token is refused.

use std::time::{Duration, Instant};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, Response, StatusCode, header};
use serde_json::{Value, json};

use crate::support::{JWT_SECRET, PASSWORD, TestApp, TestUser, status_and_json};

/// Signs in over the API.
async fn sign_in(app: &TestApp, username: &str, password: &str) -> Response {
    app.request(Method::POST, "/api/v1/auth/token")
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .expect("request")
}

/// Signs in and returns the token answer, which must be a success.
async fn tokens(app: &TestApp, username: &str, password: &str) -> Value {
    let (status, body) = status_and_json(sign_in(app, username, password).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn refresh(app: &TestApp, refresh_token: &Value) -> (StatusCode, Value) {
    status_and_json(
        app.request(Method::POST, "/api/v1/auth/refresh")
            .json(&json!({ "refresh_token": refresh_token }))
            .send()
            .await
            .expect("request"),
    )
    .await
}

async fn get_with_token(app: &TestApp, token: &str, path: &str) -> Response {
    app.request(Method::GET, path)
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
}

async fn admin_patch(
    app: &TestApp,
    id: impl std::fmt::Display,
    body: Value,
) -> (StatusCode, Value) {
    status_and_json(
        app.as_user(&app.admin, Method::PATCH, &format!("/api/v1/users/{id}"))
            .json(&body)
            .send()
            .await
            .expect("request"),
    )
    .await
}

async fn admin_create(app: &TestApp, body: Value) -> (StatusCode, Value) {
    status_and_json(
        app.as_user(&app.admin, Method::POST, "/api/v1/users")
            .json(&body)
            .send()
            .await
            .expect("request"),
    )
    .await
}

// ---- sign-in ----

#[tokio::test]
async fn signing_in_returns_tokens_that_open_the_api() {
    let app = TestApp::spawn().await;
    let response = sign_in(&app, "officer", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    let refresh_token = body["refresh_token"].as_str().unwrap();
    assert_eq!(URL_SAFE_NO_PAD.decode(refresh_token).unwrap().len(), 32);

    let me = get_with_token(&app, body["access_token"].as_str().unwrap(), "/api/v1/me").await;
    assert_eq!(me.status(), StatusCode::OK);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["id"], app.officer.id.to_string());
    assert_eq!(me["username"], "officer");
    assert_eq!(me["display_name"], "officer");
    assert_eq!(
        me["organ"],
        json!({"id": app.city.id, "code": "city", "name": "福州市人民政府"})
    );
    assert_eq!(me["roles"], json!(["officer"]));
}

#[tokio::test]
async fn the_refresh_token_is_stored_only_as_its_hash() {
    use diesel::{ExpressionMethods, QueryDsl};
    use diesel_async::RunQueryDsl;
    use fuyi::db::schema::refresh_tokens;

    let app = TestApp::spawn().await;
    let body = tokens(&app, "officer", PASSWORD).await;
    let presented = body["refresh_token"].as_str().unwrap();
    let mut conn = app.pool.get().await.unwrap();
    let stored: Vec<Vec<u8>> = refresh_tokens::table
        .filter(refresh_tokens::user_id.eq(app.officer.id))
        .filter(refresh_tokens::family_id.ne(app.officer.session))
        .select(refresh_tokens::token_hash)
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(stored, vec![fuyi::auth::refresh::hash(presented)]);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let wrong = sign_in(&app, "officer", "not-the-password").await;
    let unknown = sign_in(&app, "nobody", PASSWORD).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong.headers()[header::WWW_AUTHENTICATE],
        unknown.headers()[header::WWW_AUTHENTICATE]
    );
    assert_eq!(
        wrong.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let wrong: Value = wrong.json().await.unwrap();
    let unknown: Value = unknown.json().await.unwrap();
    assert_eq!(wrong, unknown);
}

/// Wall time of one refused sign-in.
async fn refusal_time(app: &TestApp, username: &str) -> Duration {
    let started = Instant::now();
    let response = sign_in(app, username, "wrong-password").await;
    let elapsed = started.elapsed();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    elapsed
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::test]
async fn an_unknown_user_takes_as_long_to_refuse_as_a_wrong_password() {
    let app = TestApp::spawn_with(&[
        ("FUYI_LOGIN_MAX_FAILURES", "100"),
        ("FUYI_LOGIN_MAX_FAILURES_PER_ADDRESS", "100"),
    ])
    .await;
    // Warm up the connection pool and the worker.
    refusal_time(&app, "officer").await;
    // Interleaved, so a busy moment on the machine slows both kinds alike.
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..11 {
        known.push(refusal_time(&app, "officer").await);
        unknown.push(refusal_time(&app, &format!("nobody{i}")).await);
    }
    let (known, unknown) = (median(known), median(unknown));
    // Skipping the hash for unknown users makes them an order of magnitude faster; a generous
    // bound keeps the test steady on a busy machine.
    assert!(
        unknown * 2 >= known && known * 2 >= unknown,
        "known user refused in {known:?}, unknown in {unknown:?}"
    );
}

#[tokio::test]
async fn an_inactive_user_cannot_sign_in() {
    let app = TestApp::spawn().await;
    let (status, _) = admin_patch(&app, app.officer.id, json!({"active": false})).await;
    assert_eq!(status, StatusCode::OK);
    let refused = sign_in(&app, "officer", PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let refused: Value = refused.json().await.unwrap();
    let wrong: Value = sign_in(&app, "officer", "wrong-password")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(refused, wrong, "an inactive account must not be told apart");
}

#[tokio::test]
async fn repeated_failures_lock_the_username_from_that_address_even_for_the_right_password() {
    let app = TestApp::spawn().await;
    let limit = app.settings.auth.login_max_failures;
    assert_eq!(limit, 5, "the default limit");
    for attempt in 1..=limit {
        let response = sign_in(&app, "officer", "wrong-password").await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }
    let locked = sign_in(&app, "officer", PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = locked.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (890..=900).contains(&retry_after),
        "Retry-After {retry_after}"
    );
    let (_, body) = status_and_json(locked).await;
    assert_eq!(body["type"], "urn:fuyi:problem:too-many-requests");

    // Only that username is locked from that address, and the user still signs in elsewhere.
    assert_eq!(
        sign_in(&app, "head", PASSWORD).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        sign_in_from(
            &app,
            &client_bound_to("127.0.0.2"),
            "officer",
            PASSWORD,
            None
        )
        .await
        .status(),
        StatusCode::OK
    );
    // Unknown usernames lock the same way, so the lock does not reveal which names exist.
    for _ in 0..5 {
        let _ = sign_in(&app, "nobody", "wrong-password").await;
    }
    assert_eq!(
        sign_in(&app, "nobody", "wrong-password").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// A client whose connections come from `local` (any 127.0.0.0/8 address is loopback on Linux).
fn client_bound_to(local: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(local.parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap()
}

/// Signs in with `client`, optionally saying `X-Forwarded-For: forwarded_for`.
async fn sign_in_from(
    app: &TestApp,
    client: &reqwest::Client,
    username: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> Response {
    let mut request = client
        .post(format!("{}/api/v1/auth/token", app.address))
        .json(&json!({ "username": username, "password": password }));
    if let Some(forwarded_for) = forwarded_for {
        request = request.header("X-Forwarded-For", forwarded_for);
    }
    request.send().await.expect("request")
}

async fn retry_after(response: &Response) -> u64 {
    response.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// The recorded failed sign-ins as (username, source address).
async fn failure_rows(app: &TestApp) -> Vec<(String, String)> {
    use diesel::{QueryDsl, dsl::sql, sql_types::Text};
    use diesel_async::RunQueryDsl;
    use fuyi::db::schema::login_failures;

    let mut conn = app.pool.get().await.unwrap();
    login_failures::table
        .order(login_failures::id)
        .select((
            login_failures::username,
            sql::<Text>("host(source_address)"),
        ))
        .load(&mut conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_stranger_guessing_from_one_address_cannot_lock_the_user_out_of_another() {
    // Behind a trusted proxy, the address is the one it forwards.
    let app = TestApp::spawn_with(&[("FUYI_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let attacker = Some("203.0.113.7");
    for _ in 0..6 {
        let _ = sign_in_from(&app, &app.client, "admin", "guess", attacker).await;
    }
    let refused = sign_in_from(&app, &app.client, "admin", PASSWORD, attacker).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let real_admin = sign_in_from(&app, &app.client, "admin", PASSWORD, Some("198.51.100.8")).await;
    assert_eq!(real_admin.status(), StatusCode::OK);
    // And over a direct connection from another address.
    let direct = sign_in_from(&app, &client_bound_to("127.0.0.2"), "admin", PASSWORD, None).await;
    assert_eq!(direct.status(), StatusCode::OK);
    let rows = failure_rows(&app).await;
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert!(
        rows.iter()
            .all(|(user, address)| user == "admin" && address == "203.0.113.7"),
        "{rows:?}"
    );
}

#[tokio::test]
async fn an_address_over_its_failure_limit_is_refused_for_every_username() {
    let app = TestApp::spawn_with(&[("FUYI_LOGIN_MAX_FAILURES_PER_ADDRESS", "3")]).await;
    for username in ["alice", "bob", "carol"] {
        assert_eq!(
            sign_in(&app, username, "guess").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let blocked = sign_in(&app, "officer", PASSWORD).await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&blocked).await >= 890);
    let (_, body) = status_and_json(blocked).await;
    assert_eq!(body["type"], "urn:fuyi:problem:too-many-requests");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("from your address"),
        "{body}"
    );
    // Only that address.
    let elsewhere = sign_in_from(
        &app,
        &client_bound_to("127.0.0.2"),
        "officer",
        PASSWORD,
        None,
    )
    .await;
    assert_eq!(elsewhere.status(), StatusCode::OK);
}

#[tokio::test]
async fn x_forwarded_for_from_an_untrusted_peer_is_ignored() {
    // No trusted proxies: the header is the client's own claim.
    let app = TestApp::spawn_with(&[("FUYI_LOGIN_MAX_FAILURES", "2")]).await;
    for forwarded in ["203.0.113.1", "203.0.113.2"] {
        let response = sign_in_from(&app, &app.client, "officer", "guess", Some(forwarded)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let refused = sign_in_from(&app, &app.client, "officer", PASSWORD, Some("203.0.113.3")).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let addresses: Vec<String> = failure_rows(&app)
        .await
        .into_iter()
        .map(|(_, address)| address)
        .collect();
    assert_eq!(addresses, ["127.0.0.1", "127.0.0.1"]);
}

#[tokio::test]
async fn the_auth_routes_are_rate_limited_per_address_before_any_work() {
    let app = TestApp::spawn_with(&[
        ("FUYI_AUTH_RATE_PER_MINUTE", "1"),
        ("FUYI_AUTH_RATE_BURST", "2"),
    ])
    .await;
    for _ in 0..2 {
        assert_eq!(
            sign_in(&app, "officer", "guess").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = sign_in(&app, "officer", "guess").await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&limited).await;
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    assert_eq!(
        limited.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let (_, body) = status_and_json(limited).await;
    assert_eq!(body["status"], 429);
    // Refused before the database: the third guess was not recorded.
    assert_eq!(failure_rows(&app).await.len(), 2);

    // Every auth route shares the address's budget…
    let (status, _) = refresh(&app, &json!("whatever")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // …other routes do not, and other addresses have their own.
    let live = app
        .request(Method::GET, "/health/live")
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), StatusCode::OK);
    let elsewhere = sign_in_from(
        &app,
        &client_bound_to("127.0.0.2"),
        "officer",
        PASSWORD,
        None,
    )
    .await;
    assert_eq!(elsewhere.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_full_password_hashing_queue_answers_503_with_retry_after() {
    let app = TestApp::spawn_with(&[
        ("FUYI_PASSWORD_HASH_CONCURRENCY", "1"),
        ("FUYI_PASSWORD_HASH_QUEUE", "0"),
        ("FUYI_PASSWORD_HASH_WAIT_MS", "1000"),
        // Parallel attempts would otherwise count against the failure limits first.
        ("FUYI_LOGIN_MAX_FAILURES", "0"),
        ("FUYI_LOGIN_MAX_FAILURES_PER_ADDRESS", "0"),
    ])
    .await;
    let attempts = (0..16).map(|_| sign_in(&app, "officer", PASSWORD));
    let responses = futures_util::future::join_all(attempts).await;
    let statuses: Vec<StatusCode> = responses.iter().map(Response::status).collect();
    assert!(statuses.contains(&StatusCode::OK), "{statuses:?}");
    let busy: Vec<&Response> = responses
        .iter()
        .filter(|response| response.status() == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(!busy.is_empty(), "one slot, no queue: {statuses:?}");
    for response in busy {
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
    }
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::SERVICE_UNAVAILABLE),
        "{statuses:?}"
    );
    // Refused attempts were not checked, so they are not failures.
    assert!(failure_rows(&app).await.is_empty());
}

#[tokio::test]
async fn expired_failures_are_purged_on_a_schedule() {
    let app = TestApp::spawn_with(&[
        ("FUYI_LOGIN_WINDOW_SECONDS", "1"),
        ("FUYI_PURGE_INTERVAL_SECONDS", "1"),
    ])
    .await;
    for _ in 0..2 {
        assert_eq!(
            sign_in(&app, "officer", "guess").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert!(!failure_rows(&app).await.is_empty());
    // No further sign-in: only the schedule can remove them. Polled, not timed.
    let mut remaining = failure_rows(&app).await;
    for _ in 0..100 {
        if remaining.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        remaining = failure_rows(&app).await;
    }
    assert!(remaining.is_empty(), "{remaining:?}");
}

#[tokio::test]
async fn the_lock_lifts_when_the_window_has_passed() {
    let app = TestApp::spawn_with(&[
        ("FUYI_LOGIN_MAX_FAILURES", "2"),
        ("FUYI_LOGIN_WINDOW_SECONDS", "2"),
    ])
    .await;
    for _ in 0..2 {
        assert_eq!(
            sign_in(&app, "officer", "wrong-password").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let locked = sign_in(&app, "officer", PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = locked.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry_after), "Retry-After {retry_after}");
    tokio::time::sleep(Duration::from_millis(2300)).await;
    assert_eq!(
        sign_in(&app, "officer", PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn parallel_guesses_count_against_the_limit() {
    let app = TestApp::spawn().await;
    let guesses = (0..12).map(|_| sign_in(&app, "officer", "wrong-password"));
    let statuses: Vec<StatusCode> = futures_util::future::join_all(guesses)
        .await
        .iter()
        .map(Response::status)
        .collect();
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert!(
        checked <= 5,
        "{checked} of 12 parallel guesses were checked"
    );
}

#[tokio::test]
async fn a_blank_username_is_named_in_the_error() {
    let app = TestApp::spawn().await;
    let (status, body) = status_and_json(sign_in(&app, " ", PASSWORD).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "username");
}

// ---- refresh and sign-out ----

#[tokio::test]
async fn a_refresh_rotates_the_tokens() {
    let app = TestApp::spawn().await;
    let first = tokens(&app, "officer", PASSWORD).await;
    let (status, second) = refresh(&app, &first["refresh_token"]).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["token_type"], "Bearer");
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    let me = get_with_token(&app, second["access_token"].as_str().unwrap(), "/api/v1/me").await;
    assert_eq!(me.status(), StatusCode::OK);
    // The new refresh token works in turn.
    let (status, _) = refresh(&app, &second["refresh_token"]).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn reusing_a_replaced_refresh_token_revokes_the_whole_sign_in() {
    let app = TestApp::spawn().await;
    let first = tokens(&app, "officer", PASSWORD).await;
    let (_, second) = refresh(&app, &first["refresh_token"]).await;

    let response = app
        .request(Method::POST, "/api/v1/auth/refresh")
        .json(&json!({ "refresh_token": first["refresh_token"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        r#"Bearer error="invalid_token""#
    );
    // The thief's reuse also ends the legitimate holder's newer token.
    let (status, _) = refresh(&app, &second["refresh_token"]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Another sign-in is a separate family and unaffected.
    let other = tokens(&app, "officer", PASSWORD).await;
    assert_eq!(
        refresh(&app, &other["refresh_token"]).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_unknown_refresh_token_is_refused() {
    let app = TestApp::spawn().await;
    let made_up = URL_SAFE_NO_PAD.encode([7u8; 32]);
    let (status, body) = refresh(&app, &json!(made_up)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["type"], "urn:fuyi:problem:unauthorized");
}

#[tokio::test]
async fn an_expired_refresh_token_is_refused() {
    let app = TestApp::spawn_with(&[("FUYI_REFRESH_TOKEN_TTL_SECONDS", "1")]).await;
    let first = tokens(&app, "officer", PASSWORD).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (status, _) = refresh(&app, &first["refresh_token"]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_refresh_carries_the_users_current_roles() {
    let app = TestApp::spawn().await;
    let first = tokens(&app, "officer", PASSWORD).await;
    let cases = get_with_token(
        &app,
        first["access_token"].as_str().unwrap(),
        "/api/v1/cases",
    )
    .await;
    assert_eq!(cases.status(), StatusCode::OK);

    let (status, _) = admin_patch(&app, app.officer.id, json!({"roles": ["statistician"]})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, second) = refresh(&app, &first["refresh_token"]).await;
    let token = second["access_token"].as_str().unwrap();
    let cases = get_with_token(&app, token, "/api/v1/cases").await;
    assert_eq!(cases.status(), StatusCode::FORBIDDEN);
    let me: Value = get_with_token(&app, token, "/api/v1/me")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["roles"], json!(["statistician"]));
}

#[tokio::test]
async fn a_deactivated_user_cannot_refresh() {
    let app = TestApp::spawn().await;
    let first = tokens(&app, "officer", PASSWORD).await;
    admin_patch(&app, app.officer.id, json!({"active": false})).await;
    let (status, _) = refresh(&app, &first["refresh_token"]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn signing_out_ends_the_sign_in() {
    let app = TestApp::spawn().await;
    let first = tokens(&app, "officer", PASSWORD).await;
    let (_, second) = refresh(&app, &first["refresh_token"]).await;
    let response = app
        .request(Method::POST, "/api/v1/auth/logout")
        .bearer_auth(second["access_token"].as_str().unwrap())
        .json(&json!({ "refresh_token": second["refresh_token"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, _) = refresh(&app, &second["refresh_token"]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn signing_out_needs_a_token_and_cannot_end_someone_elses_sign_in() {
    let app = TestApp::spawn().await;
    let officers = tokens(&app, "officer", PASSWORD).await;
    let anonymous = app
        .request(Method::POST, "/api/v1/auth/logout")
        .json(&json!({ "refresh_token": officers["refresh_token"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let by_head = app
        .as_user(&app.head, Method::POST, "/api/v1/auth/logout")
        .json(&json!({ "refresh_token": officers["refresh_token"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(by_head.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        refresh(&app, &officers["refresh_token"]).await.0,
        StatusCode::OK
    );
}

// ---- user management ----

#[tokio::test]
async fn an_admin_creates_a_user_who_can_then_sign_in() {
    let app = TestApp::spawn().await;
    let (status, created) = admin_create(
        &app,
        json!({
            "username": "wang.li",
            "display_name": "王丽",
            "password": "a-long-password",
            "organ_id": app.district.id,
            "roles": ["officer", "head", "officer"],
        }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["organ"]["code"], "gulou");
    assert_eq!(created["roles"], json!(["officer", "head"]));
    assert_eq!(created["active"], true);
    assert!(created.get("password_hash").is_none() && created.get("password").is_none());

    let signed_in = tokens(&app, "wang.li", "a-long-password").await;
    let me: Value = get_with_token(
        &app,
        signed_in["access_token"].as_str().unwrap(),
        "/api/v1/me",
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(me["display_name"], "王丽");
    assert_eq!(me["organ"]["id"], app.district.id.to_string());

    let (_, list) = status_and_json(
        app.as_user(&app.admin, Method::GET, "/api/v1/users")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["admin", "head", "officer", "statistician", "wang.li"]
    );
}

#[tokio::test]
async fn a_new_user_is_checked_field_by_field() {
    let app = TestApp::spawn().await;
    let (status, body) = admin_create(
        &app,
        json!({
            "username": "x",
            "display_name": " ",
            "password": "short",
            "roles": [],
        }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["username", "display_name", "password", "roles"]);

    let (status, body) = admin_create(
        &app,
        json!({"username": "ok", "display_name": "OK", "password": "long-enough", "roles": ["janitor"]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["errors"][0]["field"]
            .as_str()
            .unwrap()
            .starts_with("roles"),
        "{body}"
    );

    let (status, body) = admin_create(
        &app,
        json!({"username": "officer", "display_name": "Dup", "password": "long-enough", "roles": ["officer"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["errors"][0]["field"], "username");
}

#[tokio::test]
async fn an_admin_reaches_only_the_users_of_their_subtree() {
    let app = TestApp::spawn().await;
    let district_admin = app
        .user("gulou-admin", app.district.id, &[fuyi::auth::Role::Admin])
        .await;
    let district_officer = app
        .user(
            "gulou-officer",
            app.district.id,
            &[fuyi::auth::Role::Officer],
        )
        .await;
    let (_, list) = status_and_json(
        app.as_user(&district_admin, Method::GET, "/api/v1/users")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["gulou-admin", "gulou-officer"]);

    // A city user is out of reach: 404, as if absent.
    for method in [Method::GET, Method::PATCH] {
        let response = app
            .as_user(
                &district_admin,
                method.clone(),
                &format!("/api/v1/users/{}", app.officer.id),
            )
            .json(&json!({"active": false}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method}");
    }
    assert_eq!(
        sign_in(&app, "officer", PASSWORD).await.status(),
        StatusCode::OK
    );

    // …nor can a user be created in the city.
    let (status, body) = status_and_json(
        app.as_user(&district_admin, Method::POST, "/api/v1/users")
            .json(&json!({
                "username": "sneaky",
                "display_name": "Sneaky",
                "password": "long-enough",
                "organ_id": app.city.id,
                "roles": ["admin"],
            }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "organ_id");

    // The city admin reaches the district.
    let (status, _) = admin_patch(
        &app,
        district_officer.id,
        json!({"display_name": "Renamed"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn only_admins_manage_users() {
    let app = TestApp::spawn().await;
    let body = json!({"username": "new", "display_name": "New", "password": "long-enough", "roles": ["officer"]});
    let users: [&TestUser; 3] = [&app.officer, &app.head, &app.statistician];
    for user in users {
        let list = app
            .as_user(user, Method::GET, "/api/v1/users")
            .send()
            .await
            .unwrap();
        assert_eq!(list.status(), StatusCode::FORBIDDEN, "{}", user.username);
        let create = app
            .as_user(user, Method::POST, "/api/v1/users")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(create.status(), StatusCode::FORBIDDEN, "{}", user.username);
        let patch = app
            .as_user(user, Method::PATCH, &format!("/api/v1/users/{}", user.id))
            .json(&json!({"roles": ["admin"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(patch.status(), StatusCode::FORBIDDEN, "{}", user.username);
    }
}

#[tokio::test]
async fn a_new_password_replaces_the_old_and_ends_sessions() {
    let app = TestApp::spawn().await;
    let before = tokens(&app, "officer", PASSWORD).await;
    let (status, _) = admin_patch(
        &app,
        app.officer.id,
        json!({"password": "brand-new-secret"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        sign_in(&app, "officer", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in(&app, "officer", "brand-new-secret").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        refresh(&app, &before["refresh_token"]).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = admin_patch(&app, app.officer.id, json!({"password": "short"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "password");
}

#[tokio::test]
async fn an_admin_cannot_lock_themselves_out() {
    let app = TestApp::spawn().await;
    let (status, body) = admin_patch(&app, app.admin.id, json!({"active": false})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["active"]);
}

#[tokio::test]
async fn no_one_changes_their_own_roles() {
    let app = TestApp::spawn().await;
    // Not even an admin granting themselves head, nor dropping a role.
    for roles in [
        json!(["admin", "head"]),
        json!(["officer"]),
        json!(["admin"]),
    ] {
        let (status, body) = admin_patch(&app, app.admin.id, json!({ "roles": roles })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{roles}: {body}");
        assert_eq!(body["type"], "urn:fuyi:problem:forbidden");
    }
    let mut conn = app.pool.get().await.unwrap();
    let (stored, _) = fuyi::db::users::find_with_organ(&mut conn, app.admin.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.roles, ["admin"]);
    drop(conn);
    // Another admin may still change them; and the admin may still rename themselves.
    let (status, _) = admin_patch(&app, app.admin.id, json!({"display_name": "管理员"})).await;
    assert_eq!(status, StatusCode::OK);
    let other = app
        .user("admin2", app.city.id, &[fuyi::auth::Role::Admin])
        .await;
    let response = app
        .as_user(
            &other,
            Method::PATCH,
            &format!("/api/v1/users/{}", app.admin.id),
        )
        .json(&json!({"roles": ["admin", "head", "officer"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

// ---- refused access tokens ----

/// The claims of a valid token for the fixture officer, with `overrides` applied.
fn claims(app: &TestApp, overrides: Value) -> Value {
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({
        "sub": app.officer.id,
        "name": "officer",
        "org": app.city.id,
        "org_path": app.city.path,
        "roles": ["officer"],
        "iss": "fuyi",
        "aud": "fuyi-api",
        "iat": now,
        "exp": now + 600,
        "jti": uuid::Uuid::new_v4(),
        "sid": app.officer.session,
        "ver": 0,
    });
    if let (Some(claims), Some(overrides)) = (claims.as_object_mut(), overrides.as_object()) {
        for (key, value) in overrides {
            claims.insert(key.clone(), value.clone());
        }
    }
    claims
}

fn sign(algorithm: Algorithm, kid: &str, secret: &str, claims: &Value) -> String {
    let mut header = Header::new(algorithm);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

/// Presents `token` and checks it is refused as RFC 6750 asks.
async fn assert_token_refused(app: &TestApp, token: &str) {
    let response = get_with_token(app, token, "/api/v1/cases").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        r#"Bearer error="invalid_token""#
    );
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], 401);
    assert_eq!(body["type"], "urn:fuyi:problem:unauthorized");
}

#[tokio::test]
async fn a_correctly_made_test_token_is_accepted() {
    // Guards the refusal tests below: each differs from this token in one respect only.
    let app = TestApp::spawn().await;
    let token = sign(Algorithm::HS256, "k1", JWT_SECRET, &claims(&app, json!({})));
    assert_eq!(
        get_with_token(&app, &token, "/api/v1/cases").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_unsigned_token_is_refused() {
    let app = TestApp::spawn().await;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT","kid":"k1"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims(&app, json!({})).to_string());
    assert_token_refused(&app, &format!("{header}.{payload}.")).await;
}

#[tokio::test]
async fn a_token_signed_with_another_algorithm_is_refused() {
    let app = TestApp::spawn().await;
    let token = sign(Algorithm::HS512, "k1", JWT_SECRET, &claims(&app, json!({})));
    assert_token_refused(&app, &token).await;
}

#[tokio::test]
async fn a_token_with_a_wrong_signature_is_refused() {
    let app = TestApp::spawn().await;
    let token = sign(
        Algorithm::HS256,
        "k1",
        "another-secret-that-is-also-32-bytes-long",
        &claims(&app, json!({})),
    );
    assert_token_refused(&app, &token).await;
}

#[tokio::test]
async fn a_token_of_another_issuer_is_refused() {
    let app = TestApp::spawn().await;
    let token = sign(
        Algorithm::HS256,
        "k1",
        JWT_SECRET,
        &claims(&app, json!({"iss": "evil"})),
    );
    assert_token_refused(&app, &token).await;
}

#[tokio::test]
async fn a_token_for_another_audience_is_refused() {
    let app = TestApp::spawn().await;
    let token = sign(
        Algorithm::HS256,
        "k1",
        JWT_SECRET,
        &claims(&app, json!({"aud": "another-api"})),
    );
    assert_token_refused(&app, &token).await;
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    let token = sign(
        Algorithm::HS256,
        "k1",
        JWT_SECRET,
        &claims(&app, json!({"iat": now - 3600, "exp": now - 60})),
    );
    assert_token_refused(&app, &token).await;
}

#[tokio::test]
async fn a_token_with_an_unknown_key_id_is_refused() {
    let app = TestApp::spawn().await;
    let token = sign(Algorithm::HS256, "k9", JWT_SECRET, &claims(&app, json!({})));
    assert_token_refused(&app, &token).await;
}

#[tokio::test]
async fn a_garbage_token_is_refused() {
    let app = TestApp::spawn().await;
    assert_token_refused(&app, "this-is-not-a-jwt").await;
}

#[tokio::test]
async fn a_missing_token_is_a_plain_challenge() {
    let app = TestApp::spawn().await;
    let response = app
        .request(Method::GET, "/api/v1/cases")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
}
