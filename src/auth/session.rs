//! Sign-in, refresh-token rotation and sign-out.
//!
//! A sign-in starts a *family* of refresh tokens; each refresh replaces the presented token with
//! a new one of the same family. A replaced token presented again means a copy leaked, so the
//! whole family is revoked and whoever holds it must sign in again.

use std::{net::IpAddr, time::Duration};

use chrono::{DateTime, TimeDelta, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::{
    Caller, password, refresh,
    tokens::{SessionRef, TokenKeys},
};
use crate::{
    db::{self, users::NewRefreshToken},
    service::error::{ServiceError, ServiceResult},
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
fn bad_credentials() -> ServiceError {
    ServiceError::unauthorized("the username or password is wrong", false)
}

fn bad_refresh_token() -> ServiceError {
    ServiceError::unauthorized(
        "the refresh token is invalid, expired or revoked; sign in again",
        true,
    )
}

/// `now + duration`, or an internal error when a misconfigured duration overflows the calendar.
fn after(now: DateTime<Utc>, duration: Duration) -> ServiceResult<DateTime<Utc>> {
    TimeDelta::from_std(duration)
        .ok()
        .and_then(|delta| now.checked_add_signed(delta))
        .ok_or_else(|| {
            ServiceError::internal(anyhow::anyhow!("duration {duration:?} is out of range"))
        })
}

/// Checks a username and password from client `address` and starts a new token family.
///
/// Every attempt is first recorded as a failure of (username, address) and forgotten only once
/// the password proves right, so parallel guesses count against the limits too. While the pair has
/// `login_max_failures` failures within `login_window`, or the address has
/// `login_max_failures_per_address` failures whatever the usernames, the attempt is refused with
/// 429 before the password is looked at. Failures from one address never refuse another address,
/// so nobody can lock a user out by guessing their password. A limit of 0 turns it off.
///
/// The password check waits for a hashing slot ([`super::hashing::HashLimiter`]) and answers 503
/// when none comes free in time.
pub async fn sign_in(
    state: &AppState,
    username: &str,
    secret: &str,
    address: IpAddr,
) -> ServiceResult<IssuedTokens> {
    // Refused before touching the database: under a flood this keeps the refusals cheap.
    if state.hashing.is_saturated() {
        return Err(state.hashing.busy());
    }
    let settings = &state.settings.auth;
    let now = Utc::now();
    let window_start = TimeDelta::from_std(settings.login_window)
        .ok()
        .and_then(|window| now.checked_sub_signed(window))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);

    let (user, attempt) = {
        let mut conn = state.pool.get().await?;
        let attempt = db::users::record_sign_in_attempt(&mut conn, username, address, now).await?;
        let max_pair = settings.login_max_failures;
        let pair = if max_pair > 0 {
            db::users::other_failures_of_pair(
                &mut conn,
                username,
                address,
                window_start,
                attempt,
                i64::from(max_pair),
            )
            .await?
        } else {
            Vec::new()
        };
        let max_address = settings.login_max_failures_per_address;
        let from_address = if max_address > 0 {
            db::users::other_failures_of_address(
                &mut conn,
                address,
                window_start,
                attempt,
                i64::from(max_address),
            )
            .await?
        } else {
            Vec::new()
        };
        let refusal = match (
            locked_until(&pair, max_pair, settings.login_window)?,
            locked_until(&from_address, max_address, settings.login_window)?,
        ) {
            (Some(until), _) => Some((until, "for this username from your address")),
            (None, Some(until)) => Some((until, "from your address")),
            (None, None) => None,
        };
        if let Some((unlocks_at, scope)) = refusal {
            // Attempts while refused are not counted: they would keep the refusal on for ever.
            db::users::forget_attempt(&mut conn, attempt).await?;
            let wait_ms = u64::try_from((unlocks_at - now).num_milliseconds()).unwrap_or(0);
            let retry_after = wait_ms.div_ceil(1000).max(1);
            tracing::warn!(%address, retry_after, "sign-in refused after repeated failures {scope}");
            return Err(ServiceError::TooManyAttempts {
                detail: format!(
                    "too many failed sign-ins {scope}; try again in {retry_after} seconds"
                ),
                retry_after,
            });
        }
        (
            db::users::find_by_username(&mut conn, username).await?,
            attempt,
        )
    };

    // Argon2 is deliberately slow: run it off the request threads, under the hashing bound, and
    // without holding a connection.
    let stored_hash = user.as_ref().map(|user| user.password_hash.clone());
    let presented = secret.to_owned();
    let checked = state
        .hashing
        .run(move || match stored_hash {
            Some(stored) => password::verify(&presented, &stored),
            None => password::verify_dummy(&presented),
        })
        .await;
    let password_matches = match checked {
        Ok(matches) => matches,
        Err(err) => {
            // Not checked, so not a failure of the user's.
            let mut conn = state.pool.get().await?;
            db::users::forget_attempt(&mut conn, attempt).await?;
            return Err(err);
        }
    };

    let user = match user {
        Some(user) if password_matches && user.active => user,
        _ => {
            tracing::info!(%address, "sign-in refused: wrong credentials or inactive account");
            return Err(bad_credentials());
        }
    };

    let mut conn = state.pool.get().await?;
    db::users::clear_failures(&mut conn, username, address).await?;
    let organ = db::organs::find_organ(&mut conn, user.organ_id).await?;
    let caller = Caller::of_user(&user, &organ)?;
    let session = SessionRef {
        id: Uuid::now_v7(),
        token_version: user.token_version,
    };
    let tokens = issue(&mut conn, state, &caller, session, now).await?;
    tracing::info!(user_id = %user.id, %address, "signed in");
    Ok(tokens)
}

/// When `max` counted failures (newest first) refuse further attempts, the moment the oldest of
/// them leaves the window; `None` when they are fewer than `max` or `max` is 0.
fn locked_until(
    counted: &[DateTime<Utc>],
    max: u32,
    window: Duration,
) -> ServiceResult<Option<DateTime<Utc>>> {
    let Some(index) = usize::try_from(max).ok().and_then(|max| max.checked_sub(1)) else {
        return Ok(None);
    };
    counted
        .get(index)
        .map(|oldest_counted| after(*oldest_counted, window))
        .transpose()
}

/// Exchanges a refresh token for a new pair. The new access token carries the user's roles and
/// organ as stored now; an inactive user gets nothing.
pub async fn refresh(state: &AppState, presented: &str) -> ServiceResult<IssuedTokens> {
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
pub async fn sign_out(state: &AppState, caller: &Caller, presented: &str) -> ServiceResult<()> {
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
) -> ServiceResult<IssuedTokens> {
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
) -> ServiceResult<IssuedTokens> {
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
    let access_token = tokens
        .issue(caller, session)
        .map_err(ServiceError::internal)?;
    Ok(IssuedTokens {
        access_token,
        expires_in: tokens.ttl().as_secs(),
        refresh_token: minted.token,
    })
}
