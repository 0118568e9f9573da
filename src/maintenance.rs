//! Housekeeping on a schedule: one task, started with the server, deletes what has expired every
//! `FUYI_PURGE_INTERVAL_SECONDS` and records the acceptances the law deemed made (art. 30). New kinds of expiring records add a step to [`purge_expired`].

use std::{sync::Arc, time::Duration};

use actix_web::web;
use chrono::{TimeDelta, Utc};
use tokio::time::MissedTickBehavior;

use crate::{db, service, startup::AppState};

/// What one purge removed or kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Failed sign-ins older than the sign-in window, deleted.
    pub sign_in_failures: usize,
    /// Idempotency keys older than `FUYI_IDEMPOTENCY_RETENTION_HOURS`, deleted with their answers.
    pub idempotency_keys: usize,
    /// Addresses the auth rate limiter still remembers after forgetting the idle ones.
    pub rate_limited_addresses: usize,
    /// Applications whose acceptance review lapsed, now recorded as deemed accepted (art. 30).
    pub deemed_acceptances: usize,
}

/// Deletes every expired record once.
pub async fn purge_expired(state: &AppState) -> anyhow::Result<Purged> {
    let window = TimeDelta::from_std(state.settings.auth.login_window)?;
    let cutoff = Utc::now()
        .checked_sub_signed(window)
        .ok_or_else(|| anyhow::anyhow!("FUYI_LOGIN_WINDOW_SECONDS is out of range"))?;
    let mut conn = state.pool.get().await?;
    let sign_in_failures = db::users::purge_failures_before(&mut conn, cutoff).await?;
    // The law accepts an application whose review lapsed without anyone acting; recording it
    // lets the figures, kept by triggers on the stored rows, count it.
    let deemed_acceptances = service::cases::record_deemed_acceptances(&mut conn, state).await?;
    drop(conn);
    let idempotency_keys = db::idempotency::purge_expired_idempotency_keys(
        &state.pool,
        state.settings.limits.idempotency_retention,
    )
    .await?;
    let rate_limited_addresses = state.auth_rate.purge();
    Ok(Purged {
        sign_in_failures,
        idempotency_keys,
        rate_limited_addresses,
        deemed_acceptances,
    })
}

/// Starts the schedule: a purge at once, then one every `interval`. The task holds the state only
/// weakly and ends once the server that owns the state has stopped.
pub fn spawn(state: &web::Data<AppState>, interval: Duration) {
    let state = Arc::downgrade(&state.clone().into_inner());
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let Some(state) = state.upgrade() else {
                break;
            };
            match purge_expired(&state).await {
                Ok(purged)
                    if purged.sign_in_failures > 0
                        || purged.idempotency_keys > 0
                        || purged.deemed_acceptances > 0 =>
                {
                    tracing::info!(?purged, "expired records purged");
                }
                Ok(purged) => tracing::debug!(?purged, "nothing expired to purge"),
                // A database hiccup: the next tick tries again.
                Err(err) => tracing::warn!(error = %err, "purging expired records failed"),
            }
        }
    });
}
