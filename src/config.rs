//! Typed configuration read from the environment (and a `.env` file), checked once at start-up.
//!
//! Every variable the service reads is listed here with its default; the README mirrors this list.
//! A bad value stops the start with a message naming the variable.

use std::{
    fmt::Display,
    net::SocketAddr,
    path::{Path, PathBuf},
    str::FromStr,
    time::Duration,
};

use ipnet::IpNet;
use secrecy::SecretString;

use crate::domain::{
    case::ApplicationWindow,
    deadlines::{ClosedCaseDeadlines, ConvertedDecisionPeriod, DeadlineSettings},
    lifecycle::LifecycleSettings,
    statistics::RateDefinition,
};

/// A configuration value that could not be used, naming the variable at fault.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {reason}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub reason: String,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable lines for a terminal.
    Pretty,
    /// One JSON object per line for log collectors.
    Json,
}

/// Everything the service needs to know about its surroundings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `DATABASE_URL`: an existing PostgreSQL server; when unset a private one is started. The
    /// service's pool connects with it, so its role should only read and write rows (see
    /// `migration_database_url`). Wrapped so that it never prints (it may carry a password).
    pub database_url: Option<SecretString>,
    /// `FUYI_MIGRATION_DATABASE_URL` (`DATABASE_URL`): the role that owns the schema and runs the
    /// migrations, when it differs from the service's role. Only read with `DATABASE_URL`.
    pub migration_database_url: Option<SecretString>,
    /// `FUYI_DATA_DIR` (`./.fuyi`): where the private PostgreSQL keeps its data.
    pub data_dir: PathBuf,
    /// `FUYI_BIND` (`127.0.0.1:8080`).
    pub bind: SocketAddr,
    /// `FUYI_METRICS_BIND` (unset): address of a second listener that serves only `/metrics`
    /// (Prometheus). Unset, the service exposes no metrics at all; the API address never does.
    pub metrics_bind: Option<SocketAddr>,
    /// `FUYI_LOG_FORMAT` (`pretty`) — `pretty` or `json`. Levels come from `RUST_LOG` (`info`).
    pub log_format: LogFormat,
    /// `FUYI_CORS_ORIGINS` (empty): comma-separated origins a browser front end may call from.
    pub cors_origins: Vec<String>,
    /// `FUYI_MAX_BODY_BYTES` (1 MiB): larger request bodies are refused with 413.
    pub max_body_bytes: usize,
    /// `FUYI_DB_POOL_SIZE` (16): connections that serve requests, split evenly among the
    /// workers, each of which keeps its own pool (`serve` keeps two more for background work).
    pub db_pool_size: usize,
    /// `FUYI_WORKERS` (the number of CPUs): HTTP worker threads.
    pub workers: usize,
    /// `FUYI_TRUSTED_PROXIES` (empty): comma-separated IP addresses or CIDR ranges of reverse
    /// proxies whose `X-Forwarded-For` is believed. The client address is then the right-most
    /// address in that header that is not itself a trusted proxy; from any other peer the header
    /// is ignored and the TCP peer is the client.
    pub trusted_proxies: Vec<IpNet>,
    /// `FUYI_PURGE_INTERVAL_SECONDS` (300): how often expired records (failed sign-ins older than
    /// the sign-in window, idempotency keys past their retention, idle rate-limiter entries) are
    /// deleted.
    pub purge_interval: Duration,
    /// Timeouts and the statistics' share of the pool.
    pub limits: LimitSettings,
    /// Authentication settings.
    pub auth: AuthSettings,
    /// The rules the law leaves open, and the statutory periods, as named settings.
    pub rules: RuleSettings,
    /// Issued documents and attachments.
    pub documents: DocumentSettings,
    /// `FUYI_CHART_FONT` (unset: the first found of `service::charts::SYSTEM_FONTS`, e.g. Debian's
    /// `fonts-noto-cjk` `/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc`): a `.ttf`,
    /// `.otf` or `.ttc` file with Chinese glyphs that PNG charts are written in. It is read on the
    /// first PNG chart or report draft, not at start-up. Without a usable one, `Accept: image/png`
    /// answers 406 saying why (SVG charts need no font), and the report draft says in place of
    /// its two charts that they could not be drawn.
    pub chart_font: Option<PathBuf>,
}

/// Issued documents (their number styles) and attachments (their limits).
#[derive(Debug, Clone)]
pub struct DocumentSettings {
    /// `FUYI_ATTACHMENT_MAX_BYTES` (100 MiB): a larger attachment is refused with 413.
    pub attachment_max_bytes: u64,
    /// `FUYI_DOCUMENT_NUMBER_STYLES` (every kind `{organ_short}复{code}字〔{year}〕{seq}号`):
    /// per-kind number styles as `kind=style;kind=style`, e.g.
    /// `decision={organ_short}政复决〔{year}〕{seq}号`. Placeholders: `{organ_short}`, `{code}`
    /// (the kind's word, e.g. 决), `{year}`, `{seq}` (required).
    pub number_styles: std::collections::BTreeMap<crate::domain::documents::DocumentKind, String>,
}

impl Default for DocumentSettings {
    fn default() -> Self {
        Self {
            attachment_max_bytes: 100 * 1024 * 1024,
            number_styles: std::collections::BTreeMap::new(),
        }
    }
}

impl DocumentSettings {
    /// The number style of `kind`: its configured one, else the default.
    pub fn number_style(&self, kind: crate::domain::documents::DocumentKind) -> &str {
        self.number_styles.get(&kind).map_or(
            crate::domain::documents::DEFAULT_NUMBER_STYLE,
            String::as_str,
        )
    }
}

/// Parses `kind=style;kind=style`, checking each kind and style.
fn parse_number_styles(
    raw: &str,
) -> Result<std::collections::BTreeMap<crate::domain::documents::DocumentKind, String>, String> {
    use crate::domain::documents::{DocumentKind, validate_number_style};
    let mut styles = std::collections::BTreeMap::new();
    for entry in raw.split(';').map(str::trim).filter(|e| !e.is_empty()) {
        let (kind, style) = entry
            .split_once('=')
            .ok_or_else(|| format!("`{entry}`: expected `kind=style`"))?;
        let kind: DocumentKind = kind
            .trim()
            .parse()
            .map_err(|_| format!("`{}` is not a document kind", kind.trim()))?;
        validate_number_style(style.trim()).map_err(|reason| format!("{kind}: {reason}"))?;
        styles.insert(kind, style.trim().to_owned());
    }
    Ok(styles)
}

/// Timeouts, so that no request, connection or query can hang, and the bounded share of the pool
/// statistics may hold.
#[derive(Debug, Clone)]
pub struct LimitSettings {
    /// `FUYI_DB_POOL_WAIT_MS` (5,000): how long a request waits for a pooled connection before it
    /// is answered 503 with `Retry-After`.
    pub pool_wait: Duration,
    /// `FUYI_DB_CONNECT_TIMEOUT_MS` (5,000): how long opening a new database connection may take.
    pub connect_timeout: Duration,
    /// `FUYI_DB_STATEMENT_TIMEOUT_MS` (30,000): PostgreSQL's `statement_timeout` on every pooled
    /// connection; a query cancelled by it is answered 503. Also the connections'
    /// `idle_in_transaction_session_timeout`, which ends a transaction a cut-off request left
    /// open. 0 switches both off.
    pub statement_timeout: Duration,
    /// `FUYI_REQUEST_TIMEOUT_SECONDS` (60): a request still running after this is answered 503.
    pub request_timeout: Duration,
    /// `FUYI_BODY_READ_TIMEOUT_SECONDS` (15): how long the client may take to send a JSON request
    /// body; slower clients are answered 408. The request head must arrive within 5 s (or this,
    /// if shorter).
    pub body_read_timeout: Duration,
    /// `FUYI_STATISTICS_CONNECTIONS` (a quarter of `FUYI_DB_POOL_SIZE`, at least 1): pooled
    /// connections all statistics requests together may hold at once, so reports never starve
    /// sign-in, case reads or readiness.
    pub statistics_connections: usize,
    /// `FUYI_IDEMPOTENCY_RETENTION_HOURS` (24): how long the answer to a keyed request is replayed
    /// to retries; older keys are purged and never replayed.
    pub idempotency_retention: Duration,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            pool_wait: Duration::from_millis(5_000),
            connect_timeout: Duration::from_millis(5_000),
            statement_timeout: Duration::from_millis(30_000),
            request_timeout: Duration::from_secs(60),
            body_read_timeout: Duration::from_secs(15),
            statistics_connections: 4,
            idempotency_retention: Duration::from_secs(24 * 3600),
        }
    }
}

/// Token signing and sign-in settings. The secrets are wrapped so `Debug` never prints them.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// `FUYI_JWT_SECRET`: HMAC key for access tokens; see [`check_key_strength`] for what is
    /// refused. Required with `DATABASE_URL`. Without `DATABASE_URL` it may be left unset: `serve`
    /// then generates a key once and keeps it in `<FUYI_DATA_DIR>/jwt-secret` (mode 0600), so
    /// tokens survive a restart (see [`Settings::with_signing_key`]).
    pub jwt_secret: Option<SecretString>,
    /// `FUYI_JWT_KID` (`k1`): key id written into issued tokens.
    pub jwt_kid: String,
    /// `FUYI_JWT_PREVIOUS_SECRET` / `FUYI_JWT_PREVIOUS_KID` (unset): a retired key still accepted
    /// for verification while its tokens expire, as `(kid, secret)`. The secret passes the same
    /// checks as `FUYI_JWT_SECRET`, and its kid must differ from `FUYI_JWT_KID`.
    pub previous_key: Option<(String, SecretString)>,
    /// `FUYI_JWT_ISSUER` (`fuyi`).
    pub issuer: String,
    /// `FUYI_JWT_AUDIENCE` (`fuyi-api`).
    pub audience: String,
    /// `FUYI_ACCESS_TOKEN_TTL_SECONDS` (900; at most 3,600): an access token stays usable this
    /// long unless its session is ended earlier (see `session_cache`).
    pub access_ttl: Duration,
    /// `FUYI_REFRESH_TOKEN_TTL_SECONDS` (1,209,600 = 14 days).
    pub refresh_ttl: Duration,
    /// `FUYI_SESSION_CACHE_SECONDS` (5; 0 disables, at most 60): how long one process may trust
    /// its last look at a session (user active, token version, sign-in not revoked) before
    /// asking the database again. Changes made through the same process take effect at once;
    /// other processes see them within this time.
    pub session_cache: Duration,
    /// `FUYI_ADMIN_PASSWORD`: password of the `admin` user created on first start; when unset a
    /// one-time password is generated and printed once.
    pub admin_password: Option<SecretString>,
    /// `FUYI_LOGIN_MAX_FAILURES` (5) failed sign-ins of one username from one client address
    /// within `FUYI_LOGIN_WINDOW_SECONDS` (900) refuse that username from that address only (429
    /// with `Retry-After`) until the window has passed; the same user signs in from any other
    /// address. 0 turns this off.
    pub login_max_failures: u32,
    /// See `login_max_failures`.
    pub login_window: Duration,
    /// `FUYI_LOGIN_MAX_FAILURES_PER_ADDRESS` (20) failed sign-ins from one client address, whatever
    /// the usernames, within the window refuse sign-in from that address (429). 0 turns this off.
    pub login_max_failures_per_address: u32,
    /// `FUYI_AUTH_RATE_PER_MINUTE` (30): requests to `/api/v1/auth/*` one client address may make
    /// per minute, after a burst of `FUYI_AUTH_RATE_BURST` (10); more answer 429 with
    /// `Retry-After` before any database or password work. IPv6 clients are counted per /64.
    /// 0 turns the limit off.
    pub auth_rate_per_minute: u32,
    /// See `auth_rate_per_minute`.
    pub auth_rate_burst: u32,
    /// `FUYI_PASSWORD_HASH_CONCURRENCY` (the number of CPUs): password hashes (Argon2, 19 MiB
    /// each) computed at once.
    pub password_hash_concurrency: usize,
    /// `FUYI_PASSWORD_HASH_QUEUE` (32): requests that may wait for a hashing slot; more answer 503
    /// with `Retry-After` at once.
    pub password_hash_queue: usize,
    /// `FUYI_PASSWORD_HASH_WAIT_MS` (2000): the longest wait for a hashing slot before 503.
    pub password_hash_wait: Duration,
}

/// The longest access-token lifetime `FUYI_ACCESS_TOKEN_TTL_SECONDS` accepts.
pub const MAX_ACCESS_TTL_SECONDS: u64 = 3600;
/// The longest `FUYI_SESSION_CACHE_SECONDS` accepts: a revoked session must stop working soon.
pub const MAX_SESSION_CACHE_SECONDS: u64 = 60;
/// The shortest signing key accepted, in bytes (HS256 wants at least its 256-bit output).
pub const MIN_KEY_BYTES: usize = 32;
/// The fewest distinct byte values a signing key must contain.
pub const MIN_KEY_DISTINCT_BYTES: usize = 10;
/// The lowest Shannon entropy of a key's byte distribution, in bits per byte.
pub const MIN_KEY_ENTROPY_BITS: f64 = 3.0;
/// The file in `FUYI_DATA_DIR` that keeps the generated signing key of the embedded set-up.
pub const JWT_SECRET_FILE: &str = "jwt-secret";

/// Refuses a weak HMAC key, naming `variable`. A key must be at least [`MIN_KEY_BYTES`] bytes
/// long, contain at least [`MIN_KEY_DISTINCT_BYTES`] distinct bytes, and its bytes' Shannon
/// entropy must be at least [`MIN_KEY_ENTROPY_BITS`] bits per byte. Repeated characters
/// (`aaaa…`) and short patterns (`abab…`) fail; 32+ random bytes in hex (4 bits per character)
/// or base64 (up to 6) pass, as does the output of `openssl rand -base64 48`.
pub fn check_key_strength(variable: &'static str, key: &str) -> Result<(), ConfigError> {
    let bytes = key.as_bytes();
    let refuse = |reason: String| ConfigError { variable, reason };
    if bytes.len() < MIN_KEY_BYTES {
        return Err(refuse(format!(
            "must be at least {MIN_KEY_BYTES} bytes long (generate one with `openssl rand -base64 48`)"
        )));
    }
    let mut counts = [0_usize; 256];
    for byte in bytes {
        counts[usize::from(*byte)] += 1;
    }
    let distinct = counts.iter().filter(|count| **count > 0).count();
    let total = bytes.len() as f64;
    let entropy: f64 = counts
        .iter()
        .filter(|count| **count > 0)
        .map(|count| {
            let p = *count as f64 / total;
            -p * p.log2()
        })
        .sum();
    if distinct < MIN_KEY_DISTINCT_BYTES || entropy < MIN_KEY_ENTROPY_BITS {
        return Err(refuse(format!(
            "is too predictable ({distinct} distinct bytes, {entropy:.1} bits of entropy per byte; \
             at least {MIN_KEY_DISTINCT_BYTES} and {MIN_KEY_ENTROPY_BITS:.1} are needed): use random \
             bytes, e.g. `openssl rand -base64 48`"
        )));
    }
    Ok(())
}

/// Rules the law leaves open and periods it fixes, gathered so none hides as a constant.
#[derive(Debug, Clone)]
pub struct RuleSettings {
    /// `FUYI_DEFAULT_TIME_ZONE` (`Asia/Shanghai`): time zone of new organs; legal dates are dates
    /// there, never UTC dates.
    pub default_time_zone: chrono_tz::Tz,
    /// `FUYI_MAX_EXTENSION_DAYS` (30, art. 62) and `FUYI_LONG_SUSPENSION_DAYS` (60, art. 41).
    pub lifecycle: LifecycleSettings,
    /// `FUYI_SUSPENSION_PAUSES_DECISION_DEADLINE` (true) and `FUYI_CONVERTED_DECISION_PERIOD`
    /// (`from_acceptance`, or `from_conversion`).
    pub deadlines: DeadlineSettings,
    /// `FUYI_LATE_APPLICATION_DAYS` (60, art. 20): applications made later than this after the
    /// applicant learned of the act (or, when not told of the right, of the right: at most 1
    /// year; and within 5/20 years of the act, art. 21) are flagged, not refused.
    pub application_window: ApplicationWindow,
    /// `FUYI_CLOSED_CASES_AFTER_CALENDAR_CHANGE` (`follow_calendar`, or `frozen_at_closing`):
    /// whether a change to the working-day calendar re-judges closed cases' deadlines (and so
    /// their on-time/late figures) or leaves them as judged when the case closed.
    pub closed_cases_after_calendar_change: ClosedCaseDeadlines,
    /// `FUYI_CORRECTION_RATE_DEFINITION` (`decided_on_merits`): the definition figures use when a
    /// request names none.
    pub correction_rate_definition: RateDefinition,
}

impl Default for RuleSettings {
    fn default() -> Self {
        Self {
            default_time_zone: chrono_tz::Asia::Shanghai,
            lifecycle: LifecycleSettings::default(),
            deadlines: DeadlineSettings::default(),
            application_window: ApplicationWindow::default(),
            closed_cases_after_calendar_change: ClosedCaseDeadlines::FollowCalendar,
            correction_rate_definition: RateDefinition::DecidedOnMerits,
        }
    }
}

impl Settings {
    /// Reads the process environment, after loading `.env` from the working directory if present.
    pub fn from_env() -> Result<Self, ConfigError> {
        // A missing .env is the normal case; a malformed one is worth stopping for.
        if let Err(err) = dotenvy::dotenv()
            && !err.not_found()
        {
            return Err(ConfigError {
                variable: ".env",
                reason: err.to_string(),
            });
        }
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds settings from any variable source; tests use this instead of the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = Env(&lookup);
        let defaults = RuleSettings::default();
        let deadlines = DeadlineSettings {
            suspension_pauses_decision_deadline: env.parse(
                "FUYI_SUSPENSION_PAUSES_DECISION_DEADLINE",
                defaults.deadlines.suspension_pauses_decision_deadline,
            )?,
            converted_decision_period: env.parse_with(
                "FUYI_CONVERTED_DECISION_PERIOD",
                defaults.deadlines.converted_decision_period,
                |raw| match raw {
                    "from_acceptance" => Ok(ConvertedDecisionPeriod::FromAcceptance),
                    "from_conversion" => Ok(ConvertedDecisionPeriod::FromConversion),
                    _ => Err("expected `from_acceptance` or `from_conversion`".to_owned()),
                },
            )?,
            extension_rest_day_order: env.parse_with(
                "FUYI_EXTENSION_REST_DAY_ORDER",
                defaults.deadlines.extension_rest_day_order,
                |raw| {
                    raw.parse().map_err(|_| {
                        "expected `extend_then_adjust` or `adjust_then_extend`".to_owned()
                    })
                },
            )?,
            long_suspension_days: env.parse(
                "FUYI_LONG_SUSPENSION_DAYS",
                defaults.deadlines.long_suspension_days,
            )?,
            ..defaults.deadlines.clone()
        };
        let lifecycle = LifecycleSettings {
            max_extension_days: env.parse(
                "FUYI_MAX_EXTENSION_DAYS",
                defaults.lifecycle.max_extension_days,
            )?,
            long_suspension_days: deadlines.long_suspension_days,
        };
        let rules = RuleSettings {
            default_time_zone: env.parse("FUYI_DEFAULT_TIME_ZONE", defaults.default_time_zone)?,
            lifecycle,
            deadlines,
            closed_cases_after_calendar_change: env.parse_with(
                "FUYI_CLOSED_CASES_AFTER_CALENDAR_CHANGE",
                defaults.closed_cases_after_calendar_change,
                |raw| {
                    raw.parse()
                        .map_err(|_| "expected `follow_calendar` or `frozen_at_closing`".to_owned())
                },
            )?,
            application_window: ApplicationWindow {
                days: env.parse(
                    "FUYI_LATE_APPLICATION_DAYS",
                    defaults.application_window.days,
                )?,
                ..defaults.application_window
            },
            correction_rate_definition: env.parse(
                "FUYI_CORRECTION_RATE_DEFINITION",
                defaults.correction_rate_definition,
            )?,
        };

        let jwt_secret = env.optional("FUYI_JWT_SECRET");
        if let Some(secret) = &jwt_secret {
            check_key_strength("FUYI_JWT_SECRET", secret)?;
        }
        let jwt_kid = env.string("FUYI_JWT_KID", "k1");
        let previous_key = match (
            env.optional("FUYI_JWT_PREVIOUS_SECRET"),
            env.optional("FUYI_JWT_PREVIOUS_KID"),
        ) {
            (Some(secret), Some(kid)) => {
                check_key_strength("FUYI_JWT_PREVIOUS_SECRET", &secret)?;
                if kid == jwt_kid {
                    return Err(ConfigError {
                        variable: "FUYI_JWT_PREVIOUS_KID",
                        reason: format!(
                            "must differ from FUYI_JWT_KID ({jwt_kid:?}): the key id tells which key verifies a token"
                        ),
                    });
                }
                Some((kid, SecretString::from(secret)))
            }
            (None, None) => None,
            _ => {
                return Err(ConfigError {
                    variable: "FUYI_JWT_PREVIOUS_SECRET",
                    reason: "FUYI_JWT_PREVIOUS_SECRET and FUYI_JWT_PREVIOUS_KID go together"
                        .to_owned(),
                });
            }
        };
        let access_ttl: u64 = env.parse("FUYI_ACCESS_TOKEN_TTL_SECONDS", 900)?;
        if !(1..=MAX_ACCESS_TTL_SECONDS).contains(&access_ttl) {
            return Err(ConfigError {
                variable: "FUYI_ACCESS_TOKEN_TTL_SECONDS",
                reason: format!(
                    "must be between 1 and {MAX_ACCESS_TTL_SECONDS} seconds, not {access_ttl}"
                ),
            });
        }
        let session_cache: u64 = env.parse("FUYI_SESSION_CACHE_SECONDS", 5)?;
        if session_cache > MAX_SESSION_CACHE_SECONDS {
            return Err(ConfigError {
                variable: "FUYI_SESSION_CACHE_SECONDS",
                reason: format!(
                    "must be at most {MAX_SESSION_CACHE_SECONDS} seconds, not {session_cache}"
                ),
            });
        }
        let auth = AuthSettings {
            jwt_secret: jwt_secret.map(SecretString::from),
            jwt_kid,
            previous_key,
            issuer: env.string("FUYI_JWT_ISSUER", "fuyi"),
            audience: env.string("FUYI_JWT_AUDIENCE", "fuyi-api"),
            access_ttl: Duration::from_secs(access_ttl),
            refresh_ttl: Duration::from_secs(
                env.parse("FUYI_REFRESH_TOKEN_TTL_SECONDS", 14 * 24 * 3600)?,
            ),
            session_cache: Duration::from_secs(session_cache),
            admin_password: env.optional("FUYI_ADMIN_PASSWORD").map(SecretString::from),
            login_max_failures: env.parse("FUYI_LOGIN_MAX_FAILURES", 5)?,
            login_window: Duration::from_secs(env.parse("FUYI_LOGIN_WINDOW_SECONDS", 900)?),
            login_max_failures_per_address: env.parse("FUYI_LOGIN_MAX_FAILURES_PER_ADDRESS", 20)?,
            auth_rate_per_minute: env.parse("FUYI_AUTH_RATE_PER_MINUTE", 30)?,
            auth_rate_burst: env.parse_with("FUYI_AUTH_RATE_BURST", 10, at_least_one)?,
            password_hash_concurrency: env.parse_with(
                "FUYI_PASSWORD_HASH_CONCURRENCY",
                cpus(),
                at_least_one,
            )?,
            password_hash_queue: env.parse("FUYI_PASSWORD_HASH_QUEUE", 32)?,
            password_hash_wait: Duration::from_millis(
                env.parse("FUYI_PASSWORD_HASH_WAIT_MS", 2000)?,
            ),
        };

        let db_pool_size: usize = env.parse("FUYI_DB_POOL_SIZE", 16)?;
        let limits = LimitSettings {
            pool_wait: Duration::from_millis(env.parse("FUYI_DB_POOL_WAIT_MS", 5_000)?),
            connect_timeout: Duration::from_millis(env.parse("FUYI_DB_CONNECT_TIMEOUT_MS", 5_000)?),
            statement_timeout: Duration::from_millis(
                env.parse("FUYI_DB_STATEMENT_TIMEOUT_MS", 30_000)?,
            ),
            request_timeout: Duration::from_secs(env.parse("FUYI_REQUEST_TIMEOUT_SECONDS", 60)?),
            body_read_timeout: Duration::from_secs(
                env.parse("FUYI_BODY_READ_TIMEOUT_SECONDS", 15)?,
            ),
            statistics_connections: env
                .parse("FUYI_STATISTICS_CONNECTIONS", (db_pool_size / 4).max(1))?
                .max(1),
            idempotency_retention: Duration::from_secs(
                env.parse::<u64>("FUYI_IDEMPOTENCY_RETENTION_HOURS", 24)?
                    .saturating_mul(3600),
            ),
        };
        for (variable, value) in [
            ("FUYI_DB_POOL_WAIT_MS", limits.pool_wait),
            ("FUYI_DB_CONNECT_TIMEOUT_MS", limits.connect_timeout),
            ("FUYI_REQUEST_TIMEOUT_SECONDS", limits.request_timeout),
            ("FUYI_BODY_READ_TIMEOUT_SECONDS", limits.body_read_timeout),
        ] {
            if value.is_zero() {
                return Err(ConfigError {
                    variable,
                    reason: "must be greater than 0".to_owned(),
                });
            }
        }
        let database_url = env.optional("DATABASE_URL").map(SecretString::from);
        let migration_database_url = database_url.as_ref().and_then(|_| {
            env.optional("FUYI_MIGRATION_DATABASE_URL")
                .map(SecretString::from)
        });

        Ok(Self {
            database_url,
            migration_database_url,
            limits,
            data_dir: env.parse("FUYI_DATA_DIR", PathBuf::from(".fuyi"))?,
            bind: env.parse("FUYI_BIND", SocketAddr::from(([127, 0, 0, 1], 8080)))?,
            metrics_bind: env.parse_with("FUYI_METRICS_BIND", None, |raw| {
                raw.parse::<SocketAddr>()
                    .map(Some)
                    .map_err(|err| err.to_string())
            })?,
            log_format: env.parse("FUYI_LOG_FORMAT", LogFormat::Pretty)?,
            cors_origins: env
                .optional("FUYI_CORS_ORIGINS")
                .map(|raw| {
                    raw.split(',')
                        .map(str::trim)
                        .filter(|origin| !origin.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            trusted_proxies: env.parse_with("FUYI_TRUSTED_PROXIES", Vec::new(), parse_networks)?,
            purge_interval: Duration::from_secs(env.parse_with(
                "FUYI_PURGE_INTERVAL_SECONDS",
                300,
                at_least_one,
            )?),
            max_body_bytes: env.parse("FUYI_MAX_BODY_BYTES", 1024 * 1024)?,
            db_pool_size,
            workers: env.parse("FUYI_WORKERS", cpus())?,
            auth,
            rules,
            chart_font: env.optional("FUYI_CHART_FONT").map(PathBuf::from),
            documents: DocumentSettings {
                attachment_max_bytes: env.parse_with(
                    "FUYI_ATTACHMENT_MAX_BYTES",
                    DocumentSettings::default().attachment_max_bytes,
                    |raw| match raw.parse::<u64>() {
                        Ok(0) => Err("must be at least 1".to_owned()),
                        Ok(n) => Ok(n),
                        Err(err) => Err(err.to_string()),
                    },
                )?,
                number_styles: env.parse_with(
                    "FUYI_DOCUMENT_NUMBER_STYLES",
                    std::collections::BTreeMap::new(),
                    parse_number_styles,
                )?,
            },
        })
    }
}

impl Settings {
    /// The URL migrations run with: `FUYI_MIGRATION_DATABASE_URL`, else `DATABASE_URL`.
    pub fn migration_url(&self) -> Option<&SecretString> {
        self.migration_database_url
            .as_ref()
            .or(self.database_url.as_ref())
    }

    /// These settings with the signing key `serve` needs. `FUYI_JWT_SECRET` when set; otherwise,
    /// with `DATABASE_URL` set, an error: replicas sharing a database must share a key, and a key
    /// made up at start-up would sign everyone out at every restart. Without `DATABASE_URL` (the
    /// embedded PostgreSQL) the key kept in `<FUYI_DATA_DIR>/jwt-secret` is used, generated there
    /// on first start.
    pub fn with_signing_key(mut self) -> Result<Self, ConfigError> {
        if self.auth.jwt_secret.is_some() {
            return Ok(self);
        }
        if self.database_url.is_some() {
            return Err(ConfigError {
                variable: "FUYI_JWT_SECRET",
                reason: "must be set when DATABASE_URL is: every instance on that database must \
                         sign with the same key (generate one with `openssl rand -base64 48`)"
                    .to_owned(),
            });
        }
        self.auth.jwt_secret = Some(data_dir_signing_key(&self.data_dir)?);
        Ok(self)
    }
}

/// The signing key kept in `data_dir`, generated on first use: 48 random bytes in base64url,
/// in a file only its owner may read. A file others may read is refused, not silently used.
pub fn data_dir_signing_key(data_dir: &Path) -> Result<SecretString, ConfigError> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};

    let path = data_dir.join(JWT_SECRET_FILE);
    let fail = |what: &str, err: std::io::Error| ConfigError {
        variable: "FUYI_DATA_DIR",
        reason: format!("{what} {}: {err}", path.display()),
    };
    if !path.exists() {
        std::fs::create_dir_all(data_dir)
            .map_err(|err| fail("cannot create the directory of", err))?;
        let key = {
            use base64::Engine;
            let bytes: [u8; 48] = rand::random();
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
        };
        // Written whole under a private name, then linked into place: a second process starting
        // at the same moment either links first or reads the complete file, never half of it.
        let temporary = data_dir.join(format!(".{JWT_SECRET_FILE}.{}", std::process::id()));
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temporary)
            .and_then(|mut file| {
                use std::io::Write;
                file.write_all(key.as_bytes())?;
                file.sync_all()
            });
        let linked = written.and_then(|()| match std::fs::hard_link(&temporary, &path) {
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            other => other,
        });
        // The temporary name goes whatever happened; a leftover would only be clutter.
        let _ = std::fs::remove_file(&temporary);
        linked.map_err(|err| fail("cannot write the signing key to", err))?;
        tracing::info!(path = %path.display(), "generated the signing key for access tokens");
    }
    let mode = std::fs::metadata(&path)
        .map_err(|err| fail("cannot read", err))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(ConfigError {
            variable: "FUYI_DATA_DIR",
            reason: format!(
                "{} may be read by other users (mode {:o}); allow its owner only: chmod 600",
                path.display(),
                mode & 0o777
            ),
        });
    }
    let key = std::fs::read_to_string(&path).map_err(|err| fail("cannot read", err))?;
    let key = key.trim();
    check_key_strength("FUYI_DATA_DIR", key).map_err(|err| ConfigError {
        variable: "FUYI_DATA_DIR",
        reason: format!("the signing key in {} {}", path.display(), err.reason),
    })?;
    Ok(SecretString::from(key))
}

/// The CPUs this process may use (2 when that cannot be told).
fn cpus() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

/// A positive count; 0 would make the setting refuse everything.
fn at_least_one<T: FromStr + PartialOrd + From<u8>>(raw: &str) -> Result<T, String>
where
    T::Err: Display,
{
    match raw.parse::<T>() {
        Ok(value) if value >= T::from(1) => Ok(value),
        Ok(_) => Err("must be at least 1".to_owned()),
        Err(err) => Err(err.to_string()),
    }
}

/// Comma-separated addresses (one host each) or CIDR ranges.
fn parse_networks(raw: &str) -> Result<Vec<IpNet>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{item:?} is neither an IP address nor a CIDR range"))
        })
        .collect()
}

/// A variable source with typed, named-error accessors.
struct Env<'a>(&'a dyn Fn(&str) -> Option<String>);

impl Env<'_> {
    fn optional(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|value| !value.trim().is_empty())
    }

    fn string(&self, name: &str, default: &str) -> String {
        self.optional(name).unwrap_or_else(|| default.to_owned())
    }

    fn parse<T>(&self, name: &'static str, default: T) -> Result<T, ConfigError>
    where
        T: FromStr,
        T::Err: Display,
    {
        self.parse_with(name, default, |raw| {
            raw.parse::<T>().map_err(|err| err.to_string())
        })
    }

    fn parse_with<T>(
        &self,
        name: &'static str,
        default: T,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<T, ConfigError> {
        match self.optional(name) {
            None => Ok(default),
            Some(raw) => parse(raw.trim()).map_err(|reason| ConfigError {
                variable: name,
                reason: format!("invalid value {raw:?}: {reason}"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn document_settings_are_read_and_checked() {
        use crate::domain::documents::DocumentKind;
        let defaults = settings(&[]).expect("defaults");
        assert_eq!(defaults.documents.attachment_max_bytes, 100 * 1024 * 1024);
        assert_eq!(
            defaults.documents.number_style(DocumentKind::Decision),
            crate::domain::documents::DEFAULT_NUMBER_STYLE
        );
        let set = settings(&[
            ("FUYI_ATTACHMENT_MAX_BYTES", "1000"),
            (
                "FUYI_DOCUMENT_NUMBER_STYLES",
                "decision={organ_short}政复决〔{year}〕{seq}号; hearing_notice=听{seq}",
            ),
        ])
        .expect("valid");
        assert_eq!(set.documents.attachment_max_bytes, 1000);
        assert_eq!(
            set.documents.number_style(DocumentKind::Decision),
            "{organ_short}政复决〔{year}〕{seq}号"
        );
        assert_eq!(
            set.documents.number_style(DocumentKind::HearingNotice),
            "听{seq}"
        );
        for (value, named) in [
            ("verdict={seq}", "verdict"),
            ("decision={organ_short}〔{year}〕号", "{seq}"),
        ] {
            let err = settings(&[("FUYI_DOCUMENT_NUMBER_STYLES", value)]).expect_err(value);
            assert_eq!(err.variable, "FUYI_DOCUMENT_NUMBER_STYLES");
            assert!(err.reason.contains(named), "{}", err.reason);
        }
        let err = settings(&[("FUYI_ATTACHMENT_MAX_BYTES", "0")]).expect_err("zero");
        assert_eq!(err.variable, "FUYI_ATTACHMENT_MAX_BYTES");
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let settings = settings(&[]).expect("defaults are valid");
        assert_eq!(settings.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.max_body_bytes, 1024 * 1024);
        assert_eq!(settings.data_dir, PathBuf::from(".fuyi"));
        assert_eq!(settings.rules.lifecycle.max_extension_days, 30);
        assert!(settings.database_url.is_none());
        assert!(settings.cors_origins.is_empty());
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let err = settings(&[("FUYI_BIND", "not-an-address")]).unwrap_err();
        assert_eq!(err.variable, "FUYI_BIND");
        assert!(err.to_string().starts_with("FUYI_BIND: invalid value"));

        let err = settings(&[("FUYI_LOG_FORMAT", "xml")]).unwrap_err();
        assert_eq!(err.variable, "FUYI_LOG_FORMAT");

        let err = settings(&[("FUYI_DEFAULT_TIME_ZONE", "Mars/Olympus")]).unwrap_err();
        assert_eq!(err.variable, "FUYI_DEFAULT_TIME_ZONE");

        let err = settings(&[("FUYI_JWT_SECRET", "short")]).unwrap_err();
        assert_eq!(err.variable, "FUYI_JWT_SECRET");
    }

    const STRONG: &str = "Xq3v9LmT2pR8sK4wY7zB1nC6dF0gH5jA";
    const OTHER_STRONG: &str = "mN8bV2cX6zL4kJ9hG3fD7sA1pO5iU0yT";

    #[test]
    fn weak_signing_keys_are_refused() {
        for weak in [
            "a".repeat(64),
            "ab".repeat(32),
            "abcd".repeat(16),
            "0123456789".repeat(2),
        ] {
            let err = settings(&[("FUYI_JWT_SECRET", &weak)]).unwrap_err();
            assert_eq!(err.variable, "FUYI_JWT_SECRET", "{weak}");
            let err = settings(&[
                ("FUYI_JWT_SECRET", STRONG),
                ("FUYI_JWT_PREVIOUS_KID", "k0"),
                ("FUYI_JWT_PREVIOUS_SECRET", &weak),
            ])
            .unwrap_err();
            assert_eq!(err.variable, "FUYI_JWT_PREVIOUS_SECRET", "{weak}");
        }
        // Random bytes pass, in hex (4 bits per character) as in base64.
        for strong in [
            STRONG,
            "0123456789abcdef0123456789abcdef",
            "test-secret-that-is-at-least-32-bytes-long",
        ] {
            assert!(settings(&[("FUYI_JWT_SECRET", strong)]).is_ok(), "{strong}");
        }
    }

    #[test]
    fn the_previous_key_needs_its_own_kid() {
        let err = settings(&[
            ("FUYI_JWT_SECRET", STRONG),
            ("FUYI_JWT_KID", "k2"),
            ("FUYI_JWT_PREVIOUS_KID", "k2"),
            ("FUYI_JWT_PREVIOUS_SECRET", OTHER_STRONG),
        ])
        .unwrap_err();
        assert_eq!(err.variable, "FUYI_JWT_PREVIOUS_KID");
        let ok = settings(&[
            ("FUYI_JWT_SECRET", STRONG),
            ("FUYI_JWT_KID", "k2"),
            ("FUYI_JWT_PREVIOUS_KID", "k1"),
            ("FUYI_JWT_PREVIOUS_SECRET", OTHER_STRONG),
        ])
        .expect("a rotation");
        assert_eq!(
            ok.auth.previous_key.map(|(kid, _)| kid).as_deref(),
            Some("k1")
        );
    }

    #[test]
    fn access_tokens_live_at_most_an_hour() {
        let err = settings(&[("FUYI_ACCESS_TOKEN_TTL_SECONDS", "3601")]).unwrap_err();
        assert_eq!(err.variable, "FUYI_ACCESS_TOKEN_TTL_SECONDS");
        let err = settings(&[("FUYI_ACCESS_TOKEN_TTL_SECONDS", "0")]).unwrap_err();
        assert_eq!(err.variable, "FUYI_ACCESS_TOKEN_TTL_SECONDS");
        let ok = settings(&[("FUYI_ACCESS_TOKEN_TTL_SECONDS", "3600")]).expect("an hour");
        assert_eq!(ok.auth.access_ttl, Duration::from_secs(3600));
        let err = settings(&[("FUYI_SESSION_CACHE_SECONDS", "61")]).unwrap_err();
        assert_eq!(err.variable, "FUYI_SESSION_CACHE_SECONDS");
        let defaults = settings(&[]).expect("defaults");
        assert_eq!(defaults.auth.session_cache, Duration::from_secs(5));
        assert!(defaults.metrics_bind.is_none());
        let err = settings(&[("FUYI_METRICS_BIND", "metrics")]).unwrap_err();
        assert_eq!(err.variable, "FUYI_METRICS_BIND");
        let set = settings(&[("FUYI_METRICS_BIND", "127.0.0.1:9090")]).expect("valid");
        assert_eq!(set.metrics_bind.map(|a| a.port()), Some(9090));
    }

    #[test]
    fn secrets_never_print() {
        let settings = settings(&[
            ("FUYI_JWT_SECRET", STRONG),
            ("FUYI_JWT_PREVIOUS_KID", "k0"),
            ("FUYI_JWT_PREVIOUS_SECRET", OTHER_STRONG),
            ("FUYI_ADMIN_PASSWORD", "admin-password-1234"),
        ])
        .expect("valid");
        let printed = format!("{settings:?} {settings:#?}");
        for secret in [STRONG, OTHER_STRONG, "admin-password-1234"] {
            assert!(!printed.contains(secret), "{printed}");
        }
    }

    /// A fresh directory under the system's temporary directory, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            Self(std::env::temp_dir().join(format!("fuyi-{name}-{}-{nanos}", std::process::id())))
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn the_embedded_set_up_keeps_its_generated_key_across_starts() {
        use secrecy::ExposeSecret;
        use std::os::unix::fs::PermissionsExt;

        let dir = TempDir::new("key");
        let data_dir = dir.0.join("data");
        let data_dir = data_dir.to_str().expect("utf-8 path");
        let first = settings(&[("FUYI_DATA_DIR", data_dir)])
            .expect("valid")
            .with_signing_key()
            .expect("a key is generated");
        let second = settings(&[("FUYI_DATA_DIR", data_dir)])
            .expect("valid")
            .with_signing_key()
            .expect("the key is read back");
        let key = |s: &Settings| {
            s.auth
                .jwt_secret
                .as_ref()
                .map(|k| k.expose_secret().to_owned())
        };
        assert!(key(&first).is_some());
        assert_eq!(key(&first), key(&second));
        let file = Path::new(data_dir).join(JWT_SECRET_FILE);
        let mode = std::fs::metadata(&file)
            .expect("key file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        check_key_strength("key", key(&first).as_deref().unwrap_or_default()).expect("strong");

        // A key file others may read is refused.
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let err = settings(&[("FUYI_DATA_DIR", data_dir)])
            .expect("valid")
            .with_signing_key()
            .unwrap_err();
        assert_eq!(err.variable, "FUYI_DATA_DIR");

        // A configured key wins, and nothing is generated for it.
        let configured = TempDir::new("configured");
        let configured_dir = configured.0.to_str().expect("utf-8 path");
        let explicit = settings(&[
            ("FUYI_DATA_DIR", configured_dir),
            ("FUYI_JWT_SECRET", STRONG),
        ])
        .expect("valid")
        .with_signing_key()
        .expect("valid");
        assert_eq!(key(&explicit).as_deref(), Some(STRONG));
        assert!(!configured.0.join(JWT_SECRET_FILE).exists());
    }

    #[test]
    fn an_external_database_needs_a_configured_key() {
        let err = settings(&[("DATABASE_URL", "postgres://db/fuyi")])
            .expect("valid")
            .with_signing_key()
            .unwrap_err();
        assert_eq!(err.variable, "FUYI_JWT_SECRET");
        assert!(
            settings(&[
                ("DATABASE_URL", "postgres://db/fuyi"),
                ("FUYI_JWT_SECRET", STRONG)
            ])
            .expect("valid")
            .with_signing_key()
            .is_ok()
        );
    }

    #[test]
    fn sign_in_limits_have_defaults_and_refuse_zero_where_zero_refuses_all() {
        let defaults = settings(&[]).expect("defaults are valid");
        assert_eq!(defaults.auth.login_max_failures_per_address, 20);
        assert_eq!(defaults.auth.auth_rate_per_minute, 30);
        assert_eq!(defaults.auth.password_hash_queue, 32);
        assert_eq!(defaults.auth.password_hash_wait, Duration::from_secs(2));
        assert!(defaults.auth.password_hash_concurrency >= 1);
        assert_eq!(defaults.purge_interval, Duration::from_secs(300));
        assert!(defaults.trusted_proxies.is_empty());
        for variable in [
            "FUYI_PASSWORD_HASH_CONCURRENCY",
            "FUYI_AUTH_RATE_BURST",
            "FUYI_PURGE_INTERVAL_SECONDS",
        ] {
            let err = settings(&[(variable, "0")]).unwrap_err();
            assert_eq!(err.variable, variable);
        }
    }

    #[test]
    fn trusted_proxies_take_addresses_and_ranges() {
        let parsed =
            settings(&[("FUYI_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8,::1")]).expect("valid");
        let shown: Vec<String> = parsed
            .trusted_proxies
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(shown, ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]);
        let err = settings(&[("FUYI_TRUSTED_PROXIES", "10.0.0.0/8,proxy")]).unwrap_err();
        assert_eq!(err.variable, "FUYI_TRUSTED_PROXIES");
    }

    #[test]
    fn limits_have_defaults_and_statistics_get_a_quarter_of_the_pool() {
        let settings = settings(&[("FUYI_DB_POOL_SIZE", "4")]).expect("valid");
        assert_eq!(settings.limits.pool_wait, Duration::from_secs(5));
        assert_eq!(settings.limits.statement_timeout, Duration::from_secs(30));
        assert_eq!(settings.limits.request_timeout, Duration::from_secs(60));
        assert_eq!(settings.limits.body_read_timeout, Duration::from_secs(15));
        assert_eq!(settings.limits.statistics_connections, 1);
        assert_eq!(
            settings.limits.idempotency_retention,
            Duration::from_secs(24 * 3600)
        );
        let err = settings_err(&[("FUYI_REQUEST_TIMEOUT_SECONDS", "0")]);
        assert_eq!(err.variable, "FUYI_REQUEST_TIMEOUT_SECONDS");
    }

    #[test]
    fn database_urls_never_print() {
        let settings = settings(&[
            ("DATABASE_URL", "postgres://app:app-password@db/fuyi"),
            (
                "FUYI_MIGRATION_DATABASE_URL",
                "postgres://owner:owner-password@db/fuyi",
            ),
        ])
        .expect("valid");
        let printed = format!("{settings:?}");
        assert!(!printed.contains("app-password"), "{printed}");
        assert!(!printed.contains("owner-password"), "{printed}");
        use secrecy::ExposeSecret;
        assert_eq!(
            settings.migration_url().map(|url| url.expose_secret()),
            Some("postgres://owner:owner-password@db/fuyi")
        );
        let without = self::settings(&[("DATABASE_URL", "postgres://app@db/fuyi")]).expect("valid");
        assert_eq!(
            without.migration_url().map(|url| url.expose_secret()),
            Some("postgres://app@db/fuyi")
        );
    }

    fn settings_err(vars: &[(&str, &str)]) -> ConfigError {
        match settings(vars) {
            Ok(_) => panic!("{vars:?} should be refused"),
            Err(err) => err,
        }
    }

    #[test]
    fn cors_origins_are_split_and_trimmed() {
        let settings = settings(&[(
            "FUYI_CORS_ORIGINS",
            "https://a.example, https://b.example ,",
        )])
        .expect("valid");
        assert_eq!(
            settings.cors_origins,
            vec!["https://a.example", "https://b.example"]
        );
    }
}
