//! Building the running service: one `build` used by `main` and by the tests, so both exercise
//! the same wiring (middleware, routes, state).

use std::{net::TcpListener, sync::Arc};

use actix_cors::Cors;
use actix_web::{
    App, HttpResponse, HttpServer, dev::Server, http::header, middleware::from_fn, web,
};
use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};

use crate::{
    auth::{hashing::HashLimiter, revocation::SessionCache, tokens::TokenKeys},
    config::Settings,
    db::{DbPool, PoolShare},
    http::{
        self,
        extract::BodyLimit,
        rate_limit::AuthRateLimiter,
        timeout::{BodyReadTimeout, RequestTimeout},
    },
    maintenance,
    service::reference::ReferenceCache,
};

/// The longest a client may take to send a request's head (actix's default).
const HEAD_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// What every request handler can reach. Cloning shares everything but nothing is copied: a
/// worker's copy differs only in its pool ([`AppState::for_worker`]).
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub pool: DbPool,
    /// The share of `pool` statistics requests take their connections from
    /// (`FUYI_STATISTICS_CONNECTIONS`), so reports never starve the other requests.
    pub statistics_pool: PoolShare,
    /// The settings the service started with.
    pub settings: Settings,
    /// Access-token keys.
    pub tokens: Arc<TokenKeys>,
    /// What this process last saw of each session (`FUYI_SESSION_CACHE_SECONDS`).
    pub sessions: Arc<SessionCache>,
    /// The bound on concurrent password hashing.
    pub hashing: Arc<HashLimiter>,
    /// The per-address rate limit on `/api/v1/auth/*`.
    pub auth_rate: Arc<AuthRateLimiter>,
    /// The calendar, organs and respondents held in memory, exact across replicas.
    pub reference: Arc<ReferenceCache>,
    /// The font PNG charts are written in (`FUYI_CHART_FONT`), read on first use.
    pub chart_fonts: Arc<crate::service::charts::ChartFonts>,
}

impl AppState {
    /// The state of a service: the signing key must be resolved already (`Settings::with_signing_key`).
    pub fn new(settings: Settings, pool: DbPool) -> Result<Self, crate::config::ConfigError> {
        Ok(Self::with_keys(
            TokenKeys::from_settings(&settings.auth)?,
            settings,
            pool,
        ))
    }

    /// The state of a service that signs with `tokens`.
    pub fn with_keys(tokens: TokenKeys, settings: Settings, pool: DbPool) -> Self {
        Self {
            tokens: Arc::new(tokens),
            sessions: Arc::new(SessionCache::new(settings.auth.session_cache)),
            hashing: Arc::new(HashLimiter::from_settings(&settings.auth)),
            auth_rate: Arc::new(AuthRateLimiter::new(
                settings.auth.auth_rate_per_minute,
                settings.auth.auth_rate_burst,
            )),
            statistics_pool: PoolShare::new(
                pool.clone(),
                settings.limits.statistics_connections,
                settings.limits.pool_wait,
            ),
            reference: Arc::new(ReferenceCache::new()),
            chart_fonts: Arc::new(crate::service::charts::ChartFonts::new(
                settings.chart_font.clone(),
            )),
            pool,
            settings,
        }
    }

    /// The state one server worker thread serves with: everything shared, but a pool of its own
    /// of `connections` (its statistics still count against the one shared share), so its
    /// requests' database I/O stays on its thread. Falls back to the shared pool, with a
    /// warning, if a pool cannot be built.
    pub fn for_worker(&self, connections: usize) -> Self {
        let pool = match self.pool.for_worker(connections) {
            Ok(pool) => pool,
            Err(err) => {
                tracing::warn!(error = %err, "a worker pool could not be built; the worker shares the pool");
                self.pool.clone()
            }
        };
        Self {
            statistics_pool: self.statistics_pool.on(pool.clone()),
            pool,
            ..self.clone()
        }
    }
}

/// Handler-side handle on the shared state.
pub type State = web::Data<AppState>;

/// A bound, not yet running server, and the metrics listener when `FUYI_METRICS_BIND` is set.
pub struct Application {
    server: Server,
    port: u16,
    metrics: Option<(Server, u16)>,
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
        let metrics_server = match settings.metrics_bind {
            Some(address) => Some(metrics_server(address, metrics.registry.clone())?),
            None => None,
        };
        let state = web::Data::new(AppState::new(settings, pool)?);
        // Background work keeps the pool it was given; each worker gets its share of
        // `FUYI_DB_POOL_SIZE` as a pool of its own.
        maintenance::spawn(&state, state.settings.purge_interval);
        let body_limit = web::Data::new(BodyLimit(state.settings.max_body_bytes));
        let limits = state.settings.limits.clone();
        let request_timeout = web::Data::new(RequestTimeout(limits.request_timeout));
        let body_read_timeout = web::Data::new(BodyReadTimeout(limits.body_read_timeout));
        let workers = state.settings.workers.max(1);
        let worker_connections = state.settings.db_pool_size.div_ceil(workers).max(1);
        let server = HttpServer::new(move || {
            let state = web::Data::new(state.for_worker(worker_connections));
            App::new()
                // Innermost, so refusals still get CORS headers, metrics and a log line.
                .wrap(from_fn(http::rate_limit::limit_auth_requests))
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
        Ok(Self {
            server,
            port,
            metrics: metrics_server,
        })
    }

    /// The port of the metrics listener, when there is one.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(_, port)| *port)
    }

    /// The port the server listens on (useful when bound to port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs until the server is stopped (Ctrl-C / SIGTERM stop it, and the metrics listener,
    /// gracefully).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        match self.metrics {
            Some((metrics, _)) => futures_util::future::try_join(self.server, metrics)
                .await
                .map(drop),
            None => self.server.await,
        }
    }

    /// The server, for callers that spawn it.
    pub fn into_server(self) -> Server {
        self.server
    }
}

/// CORS for the browser front end: only the configured origins; scripts may read the headers a
/// client acts on (ETag, Location, an export's file name, Retry-After, the request id).
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
            header::CONTENT_DISPOSITION,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
        ])
        .max_age(3600)
}

/// Request counts and latency histograms by route and status, plus the pool's usage. Recorded on
/// the API but served only by the metrics listener: the middleware gets no endpoint of its own.
fn metrics(pool: &DbPool) -> Result<PrometheusMetrics, anyhow::Error> {
    let registry = prometheus::Registry::new();
    registry.register(Box::new(http::health::PoolCollector::new(pool.clone())?))?;
    PrometheusMetricsBuilder::new("fuyi")
        .registry(registry)
        .mask_unmatched_patterns("UNMATCHED")
        .build()
        .map_err(|err| anyhow::anyhow!("metrics set-up failed: {err}"))
}

/// A second, small server on `FUYI_METRICS_BIND` answering `GET /metrics` and nothing else, so
/// the figures never reach the API's public address.
fn metrics_server(
    address: std::net::SocketAddr,
    registry: prometheus::Registry,
) -> Result<(Server, u16), anyhow::Error> {
    let listener = TcpListener::bind(address)
        .map_err(|err| anyhow::anyhow!("cannot listen on {address} (FUYI_METRICS_BIND): {err}"))?;
    let port = listener.local_addr()?.port();
    let registry = web::Data::new(registry);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(registry.clone())
            .route("/metrics", web::get().to(serve_metrics))
    })
    .workers(1)
    .listen(listener)?
    .shutdown_timeout(5)
    .run();
    tracing::info!(%address, "metrics at /metrics");
    Ok((server, port))
}

async fn serve_metrics(registry: web::Data<prometheus::Registry>) -> HttpResponse {
    use prometheus::Encoder;
    let encoder = prometheus::TextEncoder::new();
    let mut buffer = Vec::new();
    match encoder.encode(&registry.gather(), &mut buffer) {
        Ok(()) => HttpResponse::Ok()
            .content_type(encoder.format_type())
            .body(buffer),
        Err(err) => {
            tracing::error!(error = %err, "encoding the metrics failed");
            HttpResponse::InternalServerError().finish()
        }
    }
}
