//! Building the running service: one `build` used by `main` and by the tests, so both exercise
//! the same wiring (middleware, routes, state).

use std::net::TcpListener;

use actix_cors::Cors;
use actix_web::{App, HttpServer, dev::Server, http::header, middleware::from_fn, web};
use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};

use crate::{
    auth::{hashing::HashLimiter, tokens::TokenKeys},
    config::Settings,
    db::DbPool,
    http::{self, extract::BodyLimit, rate_limit::AuthRateLimiter},
    maintenance,
};

/// What every request handler can reach.
pub struct AppState {
    /// The database pool.
    pub pool: DbPool,
    /// The settings the service started with.
    pub settings: Settings,
    /// Access-token keys.
    pub tokens: TokenKeys,
    /// The bound on concurrent password hashing.
    pub hashing: HashLimiter,
    /// The per-address rate limit on `/api/v1/auth/*`.
    pub auth_rate: AuthRateLimiter,
}

/// Handler-side handle on the shared state.
pub type State = web::Data<AppState>;

/// A bound, not yet running server.
pub struct Application {
    server: Server,
    port: u16,
}

impl Application {
    /// Binds `listener` and wires the app around `pool`. The pool's database must be migrated.
    pub fn build(
        settings: Settings,
        pool: DbPool,
        listener: TcpListener,
    ) -> Result<Self, anyhow::Error> {
        let port = listener.local_addr()?.port();
        let metrics = metrics(&pool)?;
        let state = web::Data::new(AppState {
            tokens: TokenKeys::from_settings(&settings.auth),
            hashing: HashLimiter::from_settings(&settings.auth),
            auth_rate: AuthRateLimiter::new(
                settings.auth.auth_rate_per_minute,
                settings.auth.auth_rate_burst,
            ),
            pool,
            settings,
        });
        maintenance::spawn(&state, state.settings.purge_interval);
        let body_limit = web::Data::new(BodyLimit(state.settings.max_body_bytes));
        let workers = state.settings.workers.max(1);
        let server = HttpServer::new(move || {
            App::new()
                // Innermost, so refusals still get CORS headers, metrics and a log line.
                .wrap(from_fn(http::rate_limit::limit_auth_requests))
                .wrap(cors(&state.settings.cors_origins))
                .wrap(metrics.clone())
                .wrap(from_fn(http::request_log::log_request))
                .app_data(state.clone())
                .app_data(body_limit.clone())
                .app_data(web::QueryConfig::default().error_handler(http::extract::query_error))
                .app_data(web::PathConfig::default().error_handler(http::extract::path_error))
                .configure(http::routes)
        })
        .workers(workers)
        .listen(listener)?
        .shutdown_timeout(10)
        .run();
        Ok(Self { server, port })
    }

    /// The port the server listens on (useful when bound to port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs until the server is stopped (Ctrl-C / SIGTERM stop it gracefully).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// The server, for callers that spawn it.
    pub fn into_server(self) -> Server {
        self.server
    }
}

/// CORS for the browser front end: only the configured origins; scripts may read the ETag and the
/// request id.
fn cors(origins: &[String]) -> Cors {
    let cors = origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin));
    cors.allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::IF_MATCH,
            header::HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::HeaderName::from_static("x-request-id"),
        ])
        .max_age(3600)
}

/// Request counts and latency histograms by route and status, plus the pool's usage.
fn metrics(pool: &DbPool) -> Result<PrometheusMetrics, anyhow::Error> {
    let registry = prometheus::Registry::new();
    registry.register(Box::new(http::health::PoolCollector::new(pool.clone())?))?;
    PrometheusMetricsBuilder::new("fuyi")
        .registry(registry)
        .endpoint("/metrics")
        .mask_unmatched_patterns("UNMATCHED")
        .build()
        .map_err(|err| anyhow::anyhow!("metrics set-up failed: {err}"))
}
