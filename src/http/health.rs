//! Liveness, readiness and the pool gauges exported with the metrics.

use actix_web::HttpResponse;
use diesel::{QueryableByName, sql_types::Text};
use diesel_async::RunQueryDsl;
use prometheus::{
    IntGauge,
    core::{Collector, Desc},
    proto::MetricFamily,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult};
use crate::{db, db::DbPool, startup::State};

/// Health report.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` when healthy.
    pub status: &'static str,
    /// Migrations known to this build that the database has not applied (readiness only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_migrations: Option<Vec<String>>,
}

/// The process is up.
#[utoipa::path(get, path = "/health/live", tag = "health", responses((status = 200, body = Health)))]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok",
        pending_migrations: None,
    })
}

#[derive(QueryableByName)]
struct AppliedVersion {
    #[diesel(sql_type = Text)]
    version: String,
}

/// The database answers and every migration of this build is applied.
#[utoipa::path(
    get, path = "/health/ready", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = super::error::ProblemDetails))
)]
pub async fn ready(state: State) -> ApiResult<HttpResponse> {
    // The driver's text can name hosts, users and databases: it goes to the log only.
    let mut conn = state.pool.get().await.map_err(|err| {
        tracing::warn!(error = %err, "readiness: no database connection");
        ApiError::unavailable("database unavailable")
    })?;
    let applied: Vec<String> = diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
        .load::<AppliedVersion>(&mut conn)
        .await
        .map_err(|err| {
            tracing::warn!(error = %err, "readiness: the database did not answer");
            ApiError::unavailable("database unavailable")
        })?
        .into_iter()
        .map(|row| row.version)
        .collect();
    let pending: Vec<String> = db::embedded_versions()
        .map_err(|err| ApiError::internal(anyhow::anyhow!("{err}")))?
        .into_iter()
        .filter(|version| !applied.contains(version))
        .collect();
    if pending.is_empty() {
        Ok(HttpResponse::Ok().json(Health {
            status: "ok",
            pending_migrations: None,
        }))
    } else {
        Err(ApiError::unavailable("migrations are pending")
            .with_extension("pending_migrations", pending))
    }
}

/// Exposes the pool's size, idle and in-use connections at scrape time.
pub struct PoolCollector {
    pool: DbPool,
    size: IntGauge,
    available: IntGauge,
    max_size: IntGauge,
    waiting: IntGauge,
}

impl PoolCollector {
    /// A collector reading `pool` whenever metrics are scraped.
    pub fn new(pool: DbPool) -> prometheus::Result<Self> {
        Ok(Self {
            pool,
            size: IntGauge::new("fuyi_db_pool_connections", "Open connections in the pool")?,
            available: IntGauge::new("fuyi_db_pool_idle", "Idle connections in the pool")?,
            max_size: IntGauge::new("fuyi_db_pool_max", "Maximum connections in the pool")?,
            waiting: IntGauge::new("fuyi_db_pool_waiting", "Requests waiting for a connection")?,
        })
    }
}

impl Collector for PoolCollector {
    fn desc(&self) -> Vec<&Desc> {
        [&self.size, &self.available, &self.max_size, &self.waiting]
            .into_iter()
            .flat_map(|g| g.desc())
            .collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let status = self.pool.status();
        let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        self.size.set(as_i64(status.size));
        self.available.set(as_i64(status.available));
        self.max_size.set(as_i64(status.max_size));
        self.waiting.set(as_i64(status.waiting));
        [&self.size, &self.available, &self.max_size, &self.waiting]
            .into_iter()
            .flat_map(|g| g.collect())
            .collect()
    }
}
