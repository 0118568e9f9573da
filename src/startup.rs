//! Building the running service: one `build` used by `main` and by the tests, so both exercise
//! the same wiring (middleware, routes, state).

use std::net::TcpListener;

use actix_cors::Cors;
use actix_web::{App, HttpServer, dev::Server, http::header, middleware::from_fn, web};
use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};

use crate::{
    auth::tokens::TokenKeys,
    config::Settings,
    db::{DbPool, PoolShare},
    http::{
        self,
        extract::BodyLimit,
        timeout::{BodyReadTimeout, RequestTimeout},
    },
};

/// The longest a client may take to send a request's head (actix's default).
const HEAD_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// What every request handler can reach.
pub struct AppState {
    /// The database pool.
    pub pool: DbPool,
    /// The share of `pool` statistics requests take their connections from
    /// (`FUYI_STATISTICS_CONNECTIONS`), so reports never starve the other requests.
    pub statistics_pool: PoolShare,
    /// The settings the service started with.
    pub settings: Settings,
    /// Access-token keys.
    pub tokens: TokenKeys,
}

impl AppState {
    /// The state of a service over `pool` with `settings`.
    pub fn new(pool: DbPool, settings: Settings) -> Self {
        Self {
            tokens: TokenKeys::from_settings(&settings.auth),
            statistics_pool: PoolShare::new(
                pool.clone(),
                settings.limits.statistics_connections,
                settings.limits.pool_wait,
            ),
            pool,
            settings,
        }
    }
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
        let state = web::Data::new(AppState::new(pool, settings));
        let body_limit = web::Data::new(BodyLimit(state.settings.max_body_bytes));
        let limits = state.settings.limits.clone();
        let request_timeout = web::Data::new(RequestTimeout(limits.request_timeout));
        let body_read_timeout = web::Data::new(BodyReadTimeout(limits.body_read_timeout));
        let workers = state.settings.workers.max(1);
        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(http::timeout::limit_duration))
                .wrap(cors(&state.settings.cors_origins))
                .wrap(metrics.clone())
                .wrap(from_fn(http::request_log::log_request))
                .app_data(state.clone())
                .app_data(body_limit.clone())
                .app_data(request_timeout.clone())
                .app_data(body_read_timeout.clone())
                .app_data(web::QueryConfig::default().error_handler(http::extract::query_error))
                .app_data(web::PathConfig::default().error_handler(http::extract::path_error))
                .configure(http::routes)
        })
        .workers(workers)
        // Slow request heads are cut off by actix itself (408), at its own default of 5 s unless
        // the body read timeout is shorter.
        .client_request_timeout(limits.body_read_timeout.min(HEAD_READ_TIMEOUT))
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
