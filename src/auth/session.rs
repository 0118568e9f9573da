//! Sign-in, refresh-token rotation and sign-out.
//!
//! A sign-in starts a *family* of refresh tokens; each refresh replaces the presented token with
//! a new one of the same family. A replaced token presented again means a copy leaked, so the
//! whole family is revoked and whoever holds it must sign in again.

use std::time::Duration;

use actix_web::web;
use chrono::{DateTime, TimeDelta, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::{
    Caller, password, refresh,
    tokens::{SessionRef, TokenKeys},
};
use crate::{
    db::{self, users::NewRefreshToken},
    http::error::{ApiError, ApiResult},
    startup::AppState,
};

/// The tokens handed out by a sign-in or a refresh.
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    /// A signed JWT for the `Authorization: Bearer` header.
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// The single-use token that obtains the next pair.
    pub refresh_token: String,
}

/// Why a refresh token was refused. Logged, never told apart to the client.
#[derive(Debug, Clone, Copy, strum::Display)]
#[strum(serialize_all = "snake_case")]
enum Refusal {
    Unknown,
    Revoked,
    Reused,
    Expired,
    UserGone,
    UserInactive,
}

/// One answer for a wrong password, an unknown user and an inactive account, so none can be told
/// from another.
fn bad_credentials() -> ApiError {
    ApiError::unauthorized("the username or password is wrong", false)
}

fn bad_refresh_token() -> ApiError {
    ApiError::unauthorized(
        "the refresh token is invalid, expired or revoked; sign in again",
        true,
    )
}

/// `now + duration`, or an internal error when a misconfigured duration overflows the calendar.
fn after(now: DateTime<Utc>, duration: Duration) -> ApiResult<DateTime<Utc>> {
    TimeDelta::from_std(duration)
        .ok()
        .and_then(|delta| now.checked_add_signed(delta))
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("duration {duration:?} is out of range")))
}

/// Checks a username and password and starts a new token family.
///
/// Every attempt is first recorded as a failure and forgotten only once the password proves
/// right, so parallel guesses count against `login_max_failures` too. While the username has that
/// many failures within `login_window`, the attempt is refused with 429 before the password is
/// looked at. A limit of 0 turns the lock off.
pub async fn sign_in(state: &AppState, username: &str, secret: &str) -> ApiResult<IssuedTokens> {
    let settings = &state.settings.auth;
    let now = Utc::now();
    let window_start = TimeDelta::from_std(settings.login_window)
        .ok()
        .and_then(|window| now.checked_sub_signed(window))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let max_failures = usize::try_from(settings.login_max_failures).unwrap_or(usize::MAX);

    let user = {
        let mut conn = state.pool.get().await?;
        db::users::purge_failures(&mut conn, username, window_start).await?;
        let attempt = db::users::record_sign_in_attempt(&mut conn, username, now).await?;
        let counted = db::users::other_failures(
            &mut conn,
            username,
            window_start,
            attempt,
            i64::try_from(max_failures).unwrap_or(i64::MAX),
        )
        .await?;
        if max_failures > 0
            && let Some(oldest_counted) = counted.get(max_failures - 1)
        {
            // Attempts while locked are not counted: they would keep the lock on for ever.
            db::users::forget_attempt(&mut conn, attempt).await?;
            let unlocks_at = after(*oldest_counted, settings.login_window)?;
            let wait_ms = u64::try_from((unlocks_at - now).num_milliseconds()).unwrap_or(0);
            let retry_after = wait_ms.div_ceil(1000).max(1);
            tracing::warn!(retry_after, "sign-in locked after repeated failures");
            return Err(ApiError::too_many_requests(
                format!(
                    "too many failed sign-ins for this username; try again in {retry_after} seconds"
                ),
                retry_after,
            ));
        }
        db::users::find_by_username(&mut conn, username).await?
    };

    // Argon2 is deliberately slow: run it off the request threads, without holding a connection.
    let stored_hash = user.as_ref().map(|user| user.password_hash.clone());
    let presented = secret.to_owned();
    let password_matches = web::block(move || match stored_hash {
        Some(stored) => password::verify(&presented, &stored),
        None => password::verify_dummy(&presented),
    })
    .await
    .map_err(ApiError::internal)?;

    let user = match user {
        Some(user) if password_matches && user.active => user,
        _ => {
            tracing::info!("sign-in refused: wrong credentials or inactive account");
            return Err(bad_credentials());
        }
    };

    let mut conn = state.pool.get().await?;
    db::users::clear_failures(&mut conn, username).await?;
    let organ = db::organs::find_organ(&mut conn, user.organ_id).await?;
    let caller = Caller::of_user(&user, &organ)?;
    let session = SessionRef {
        id: Uuid::now_v7(),
        token_version: user.token_version,
    };
    let tokens = issue(&mut conn, state, &caller, session, now).await?;
    tracing::info!(user_id = %user.id, "signed in");
    Ok(tokens)
}

/// Exchanges a refresh token for a new pair. The new access token carries the user's roles and
/// organ as stored now; an inactive user gets nothing.
pub async fn refresh(state: &AppState, presented: &str) -> ApiResult<IssuedTokens> {
    let hash = refresh::hash(presented);
    let now = Utc::now();
    let mut conn = state.pool.get().await?;
    // A refusal that revokes must still commit, so refusals travel as `Ok(Err(_))`.
    // A family revoked here is forgotten by the session cache once the revocation committed.
    let mut revoked = None;
    let outcome = conn
        .transaction(async |conn| {
            let Some(token) = db::users::lock_refresh_token(conn, &hash).await? else {
                return Ok(Err(Refusal::Unknown));
            };
            if token.revoked_at.is_some() {
                return Ok(Err(Refusal::Revoked));
            }
            if token.replaced_at.is_some() {
                db::users::revoke_family(conn, token.family_id, now).await?;
                revoked = Some(token.family_id);
                tracing::warn!(
                    user_id = %token.user_id,
                    family_id = %token.family_id,
                    "a replaced refresh token was presented again: its family is revoked"
                );
                return Ok(Err(Refusal::Reused));
            }
            if token.expires_at <= now {
                return Ok(Err(Refusal::Expired));
            }
            let Some((user, organ)) = db::users::find_with_organ(conn, token.user_id).await? else {
                return Ok(Err(Refusal::UserGone));
            };
            if !user.active {
                db::users::revoke_family(conn, token.family_id, now).await?;
                revoked = Some(token.family_id);
                return Ok(Err(Refusal::UserInactive));
            }
            let caller = Caller::of_user(&user, &organ)?;
            db::users::mark_replaced(conn, token.id, now).await?;
            let session = SessionRef {
                id: token.family_id,
                token_version: user.token_version,
            };
            issue(conn, state, &caller, session, now).await.map(Ok)
        })
        .await?;
    if let Some(family_id) = revoked {
        state.sessions.forget_session(family_id);
    }
    outcome.map_err(|refusal| {
        tracing::info!(reason = %refusal, "refresh token refused");
        bad_refresh_token()
    })
}

/// Ends the session a refresh token belongs to by revoking its family: its refresh tokens and its
/// access tokens stop working. Unknown tokens and tokens of other users are ignored without saying
/// so, as RFC 7009 asks of revocation.
pub async fn sign_out(state: &AppState, caller: &Caller, presented: &str) -> ApiResult<()> {
    let hash = refresh::hash(presented);
    let mut conn = state.pool.get().await?;
    if let Some(token) = db::users::find_refresh_token(&mut conn, &hash).await?
        && token.user_id == caller.user_id
    {
        db::users::revoke_family(&mut conn, token.family_id, Utc::now()).await?;
        state.sessions.forget_session(token.family_id);
        tracing::info!(user_id = %caller.user_id, "signed out");
    }
    Ok(())
}

/// Stores a new refresh token of `session` and signs an access token for `caller`.
async fn issue(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    caller: &Caller,
    session: SessionRef,
    now: DateTime<Utc>,
) -> ApiResult<IssuedTokens> {
    issue_pair(
        conn,
        &state.tokens,
        state.settings.auth.refresh_ttl,
        caller,
        session,
        now,
    )
    .await
}

/// Stores a new refresh token of `session` (a new sign-in when its id is new) living
/// `refresh_ttl`, and signs an access token for `caller` in it. Sign-in and refresh use it; tests
/// use it to sign fixture users in without their password.
pub async fn issue_pair(
    conn: &mut AsyncPgConnection,
    tokens: &TokenKeys,
    refresh_ttl: Duration,
    caller: &Caller,
    session: SessionRef,
    now: DateTime<Utc>,
) -> ApiResult<IssuedTokens> {
    let minted = refresh::mint();
    db::users::insert_refresh_token(
        conn,
        &NewRefreshToken {
            id: Uuid::now_v7(),
            family_id: session.id,
            user_id: caller.user_id,
            token_hash: &minted.hash,
            expires_at: after(now, refresh_ttl)?,
        },
    )
    .await?;
    let access_token = tokens.issue(caller, session).map_err(ApiError::internal)?;
    Ok(IssuedTokens {
        access_token,
        expires_in: tokens.ttl().as_secs(),
        refresh_token: minted.token,
    })
}
