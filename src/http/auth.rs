//! `/api/v1/auth` and `/api/v1/me`: sign in, refresh, sign out, and who the caller is.

use actix_web::{HttpResponse, http::header};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    client_ip::ClientIp,
    error::{ApiResult, ProblemDetails},
    extract::Json,
};
use crate::{
    auth::{
        Caller, Role,
        accounts::{self, OrganRef},
        parse_roles, password,
        session::{self, IssuedTokens},
    },
    domain::validation::FieldErrors,
    startup::State,
};

/// The longest username the service stores; anything longer cannot sign in.
const MAX_USERNAME: usize = 64;

/// `POST /api/v1/auth/token`: a username and password.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    #[schema(pattern = r"\S", max_length = 64)]
    pub username: String,
    #[schema(format = Password, min_length = 1, max_length = 256)]
    pub password: String,
}

/// `POST /api/v1/auth/refresh` and `/api/v1/auth/logout`: a refresh token.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// A new pair of tokens (RFC 6749 §5.1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// A JWT to send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Single use: exchange it at `/api/v1/auth/refresh` for the next pair.
    pub refresh_token: String,
}

/// The signed-in user.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MeView {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub organ: OrganRef,
    pub roles: Vec<Role>,
}

/// Tokens must not be kept by caches or proxies (RFC 6749 §5.1).
fn token_response(tokens: IssuedTokens) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(TokenResponse {
            access_token: tokens.access_token,
            token_type: "Bearer".to_owned(),
            expires_in: tokens.expires_in,
            refresh_token: tokens.refresh_token,
        })
}

/// Sign in.
///
/// A wrong password, an unknown username and an inactive account all answer the same 401. After
/// `FUYI_LOGIN_MAX_FAILURES` failures for a username from one client address within
/// `FUYI_LOGIN_WINDOW_SECONDS`, sign-in for that username from that address answers 429 with
/// `Retry-After` until the window has passed, even with the right password; other addresses are
/// not affected. After `FUYI_LOGIN_MAX_FAILURES_PER_ADDRESS` failures from one address, whatever
/// the usernames, that address gets 429. When too many passwords are being checked at once the
/// answer is 503 with `Retry-After`.
#[utoipa::path(
    post, path = "/api/v1/auth/token", tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, body = ProblemDetails, headers(("WWW-Authenticate" = String))),
        (status = 422, body = ProblemDetails),
        (status = 429, body = ProblemDetails, headers(("Retry-After" = u64))),
        (status = 503, body = ProblemDetails, headers(("Retry-After" = u64))),
    )
)]
pub async fn issue_token(
    state: State,
    client: ClientIp,
    Json(body): Json<TokenRequest>,
) -> ApiResult<HttpResponse> {
    let mut errors = FieldErrors::default();
    if body.username.trim().is_empty() {
        errors.push("username", "must not be blank");
    } else if body.username.chars().count() > MAX_USERNAME {
        errors.push(
            "username",
            format!("must be at most {MAX_USERNAME} characters"),
        );
    }
    if body.password.is_empty() {
        errors.push("password", "must not be empty");
    } else if body.password.chars().count() > password::MAX_LENGTH {
        errors.push(
            "password",
            format!("must be at most {} characters", password::MAX_LENGTH),
        );
    }
    errors.into_result()?;
    let tokens = session::sign_in(&state, &body.username, &body.password, client.0).await?;
    Ok(token_response(tokens))
}

/// Exchange a refresh token for a new pair.
///
/// The presented token is used up. Presenting a used-up token again revokes every token of its
/// sign-in, on the assumption that it was stolen. The new access token carries the user's current
/// roles and organ.
#[utoipa::path(
    post, path = "/api/v1/auth/refresh", tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, body = ProblemDetails, headers(("WWW-Authenticate" = String))),
        (status = 429, body = ProblemDetails, headers(("Retry-After" = u64))),
    )
)]
pub async fn refresh_token(
    state: State,
    Json(body): Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let tokens = session::refresh(&state, &body.refresh_token).await?;
    Ok(token_response(tokens))
}

/// Sign out.
///
/// Revokes the refresh token and every token of the same sign-in. Access tokens of that sign-in
/// are refused from the next request (other sign-ins of the user go on).
#[utoipa::path(
    post, path = "/api/v1/auth/logout", tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204),
        (status = 401, body = ProblemDetails),
        (status = 429, body = ProblemDetails, headers(("Retry-After" = u64))),
    ),
    security(("bearer" = []))
)]
pub async fn logout(
    state: State,
    caller: Caller,
    Json(body): Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    session::sign_out(&state, &caller, &body.refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Who the caller is.
#[utoipa::path(
    get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, body = MeView), (status = 401, body = ProblemDetails)),
    security(("bearer" = []))
)]
pub async fn me(state: State, caller: Caller) -> ApiResult<HttpResponse> {
    let (user, organ) = accounts::me(&state, &caller).await?;
    Ok(HttpResponse::Ok().json(MeView {
        roles: parse_roles(&user.roles)?,
        id: user.id,
        username: user.username,
        display_name: user.display_name,
        organ: OrganRef::from(&organ),
    }))
}
