//! Revocable sessions: an access token stops working on its holder's next request once the user
//! is deactivated, their password or roles change, or the sign-in is ended; and the service
//! refuses to start without a signing key it can keep.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::support::{JWT_SECRET, PASSWORD, TestApp, TestUser, status_and_json};

/// A long cache: every refusal below must come from the change invalidating it, not from expiry.
const CACHED: &[(&str, &str)] = &[("FUYI_SESSION_CACHE_SECONDS", "60")];

async fn status_with_token(app: &TestApp, token: &str) -> StatusCode {
    app.request(Method::GET, "/api/v1/me")
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
        .status()
}

/// Checks `token` is refused as an invalid token (RFC 6750), like an expired one.
async fn assert_refused(app: &TestApp, token: &str) {
    let response = app
        .request(Method::GET, "/api/v1/me")
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        r#"Bearer error="invalid_token""#
    );
    let (_, body) = status_and_json(response).await;
    assert_eq!(body["type"], "urn:fuyi:problem:unauthorized");
}

async fn admin_patch(app: &TestApp, user: &TestUser, body: Value) {
    let response = app
        .as_user(
            &app.admin,
            Method::PATCH,
            &format!("/api/v1/users/{}", user.id),
        )
        .json(&body)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK, "{body}");
}

/// Signs in through the API; returns the token answer.
async fn sign_in(app: &TestApp, username: &str) -> Value {
    let (status, body) = status_and_json(
        app.request(Method::POST, "/api/v1/auth/token")
            .json(&json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn a_deactivated_users_token_is_refused_on_the_next_request() {
    let app = TestApp::spawn_with(CACHED).await;
    // The first request fills the cache with the live session.
    assert_eq!(
        status_with_token(&app, &app.officer.token).await,
        StatusCode::OK
    );
    admin_patch(&app, &app.officer, json!({"active": false})).await;
    assert_refused(&app, &app.officer.token).await;
    // Reactivation does not bring the old token back: it predates the change.
    admin_patch(&app, &app.officer, json!({"active": true})).await;
    assert_refused(&app, &app.officer.token).await;
}

#[tokio::test]
async fn a_new_password_refuses_the_tokens_issued_before() {
    let app = TestApp::spawn_with(CACHED).await;
    let signed_in = sign_in(&app, "officer").await;
    let token = signed_in["access_token"].as_str().unwrap();
    assert_eq!(status_with_token(&app, token).await, StatusCode::OK);
    admin_patch(
        &app,
        &app.officer,
        json!({"password": "a-brand-new-password"}),
    )
    .await;
    assert_refused(&app, token).await;
    assert_refused(&app, &app.officer.token).await;
    // Others are untouched.
    assert_eq!(
        status_with_token(&app, &app.head.token).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_role_change_refuses_the_tokens_carrying_the_old_roles() {
    let app = TestApp::spawn_with(CACHED).await;
    let signed_in = sign_in(&app, "officer").await;
    let token = signed_in["access_token"].as_str().unwrap();
    let cases = app
        .request(Method::GET, "/api/v1/cases")
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(cases.status(), StatusCode::OK);
    admin_patch(&app, &app.officer, json!({"roles": ["statistician"]})).await;
    // The old token would still read cases as an officer: it is refused instead.
    let cases = app
        .request(Method::GET, "/api/v1/cases")
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(cases.status(), StatusCode::UNAUTHORIZED);
    // The sign-in goes on: a refresh brings a token with the new roles.
    let (status, refreshed) = status_and_json(
        app.request(Method::POST, "/api/v1/auth/refresh")
            .json(&json!({"refresh_token": signed_in["refresh_token"]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let (status, me) = status_and_json(
        app.request(Method::GET, "/api/v1/me")
            .bearer_auth(refreshed["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["roles"], json!(["statistician"]));
    // Setting the same roles again changes nothing and ends nothing.
    let fresh = sign_in(&app, "officer").await;
    let fresh_token = fresh["access_token"].as_str().unwrap();
    admin_patch(&app, &app.officer, json!({"roles": ["statistician"]})).await;
    assert_eq!(status_with_token(&app, fresh_token).await, StatusCode::OK);
}

#[tokio::test]
async fn signing_out_refuses_that_sessions_access_tokens_at_once() {
    let app = TestApp::spawn_with(CACHED).await;
    let first = sign_in(&app, "officer").await;
    let other = sign_in(&app, "officer").await;
    let token = first["access_token"].as_str().unwrap();
    assert_eq!(status_with_token(&app, token).await, StatusCode::OK);
    let response = app
        .request(Method::POST, "/api/v1/auth/logout")
        .bearer_auth(token)
        .json(&json!({"refresh_token": first["refresh_token"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_refused(&app, token).await;
    // Only that sign-in ended: the other session of the same user works on.
    let other_token = other["access_token"].as_str().unwrap();
    assert_eq!(status_with_token(&app, other_token).await, StatusCode::OK);
    assert_eq!(
        status_with_token(&app, &app.officer.token).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn reusing_a_refresh_token_ends_the_sessions_access_tokens() {
    // Refresh rotates within the session: the new access token belongs to the same, live one.
    let app = TestApp::spawn_with(CACHED).await;
    let first = sign_in(&app, "officer").await;
    let (status, second) = status_and_json(
        app.request(Method::POST, "/api/v1/auth/refresh")
            .json(&json!({"refresh_token": first["refresh_token"]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{second}");
    for token in [&first["access_token"], &second["access_token"]] {
        assert_eq!(
            status_with_token(&app, token.as_str().unwrap()).await,
            StatusCode::OK
        );
    }
    // Reusing the replaced refresh token revokes the session: both access tokens stop.
    let (status, _) = status_and_json(
        app.request(Method::POST, "/api/v1/auth/refresh")
            .json(&json!({"refresh_token": first["refresh_token"]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for token in [&first["access_token"], &second["access_token"]] {
        assert_refused(&app, token.as_str().unwrap()).await;
    }
}

/// A token for the fixture officer's session, signed with the test key, with `overrides`.
fn officer_token(app: &TestApp, overrides: Value) -> String {
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
    for (key, value) in overrides.as_object().into_iter().flatten() {
        claims[key] = value.clone();
    }
    if let Some(claims) = claims.as_object_mut() {
        claims.retain(|_, value| !value.is_null());
    }
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("k1".to_owned());
    jsonwebtoken::encode(
        &header,
        &claims,
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn a_validly_signed_token_with_a_stale_version_or_unknown_session_is_refused() {
    let app = TestApp::spawn().await;
    assert_eq!(
        status_with_token(&app, &officer_token(&app, json!({}))).await,
        StatusCode::OK
    );
    // A version the user does not have (now or ever).
    assert_refused(&app, &officer_token(&app, json!({"ver": 1}))).await;
    // A session that is not the user's, or none at all (tokens of before sessions existed).
    assert_refused(&app, &officer_token(&app, json!({"sid": app.head.session}))).await;
    assert_refused(
        &app,
        &officer_token(&app, json!({"sid": uuid::Uuid::now_v7()})),
    )
    .await;
    let response = app
        .request(Method::GET, "/api/v1/me")
        .bearer_auth(officer_token(&app, json!({"sid": null, "ver": null})))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_change_made_elsewhere_is_seen_once_the_cache_is_off() {
    // Another process (here: the database directly) raises the version; with no cache the next
    // request sees it.
    let app = TestApp::spawn_with(&[("FUYI_SESSION_CACHE_SECONDS", "0")]).await;
    assert_eq!(
        status_with_token(&app, &app.officer.token).await,
        StatusCode::OK
    );
    let mut conn = app.pool.get().await.unwrap();
    fuyi::db::users::bump_token_version(&mut conn, app.officer.id)
        .await
        .unwrap();
    drop(conn);
    assert_refused(&app, &app.officer.token).await;
}

#[test]
fn serving_an_external_database_without_a_signing_key_is_refused() {
    // A scratch working directory, so no `.env` is read; only what is set here is seen.
    let dir = std::env::temp_dir().join(format!("fuyi-no-key-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_fuyi"))
        .arg("serve")
        .current_dir(&dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DATABASE_URL", "postgres://fuyi@127.0.0.1:1/fuyi")
        .output()
        .expect("run fuyi");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("FUYI_JWT_SECRET") && stderr.contains("DATABASE_URL"),
        "{stderr}"
    );

    // A weak key is refused as well, naming the variable.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_fuyi"))
        .arg("serve")
        .current_dir(&dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DATABASE_URL", "postgres://fuyi@127.0.0.1:1/fuyi")
        .env("FUYI_JWT_SECRET", "ab".repeat(32))
        .output()
        .expect("run fuyi");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("FUYI_JWT_SECRET"), "{stderr}");
}
