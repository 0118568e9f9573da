//! Housekeeping on a schedule while the service runs: one loop, every [`EVERY`], that purges
//! what has outlived its retention (today: expired idempotency keys). Other purges join the same
//! loop, so there is one schedule to reason about.

use std::time::Duration;

use crate::{config::Settings, db::DbPool};

/// How often the housekeeping runs. Retentions are counted in hours, so an hourly pass keeps
/// every table within an hour of its retention.
pub const EVERY: Duration = Duration::from_secs(3600);

/// Runs one housekeeping pass; failures are logged, not fatal (the next pass retries).
pub async fn run_once(pool: &DbPool, settings: &Settings) {
    match crate::db::idempotency::purge_expired_idempotency_keys(
        pool,
        settings.limits.idempotency_retention,
    )
    .await
    {
        Ok(0) => {}
        Ok(purged) => tracing::info!(purged, "expired idempotency keys purged"),
        Err(err) => tracing::warn!(error = %err, "purging expired idempotency keys failed"),
    }
}

/// Starts the housekeeping loop on the current runtime; the first pass runs at once.
pub fn spawn(pool: DbPool, settings: Settings) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            run_once(&pool, &settings).await;
        }
    })
}
