//! Typed configuration read from the environment (and a `.env` file), checked once at start-up.
//!
//! Every variable the service reads is listed here with its default; the README mirrors this list.
//! A bad value stops the start with a message naming the variable.

use std::{fmt::Display, net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};

use secrecy::SecretString;

use crate::domain::{
    deadlines::{ConvertedDecisionPeriod, DeadlineSettings},
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
    /// `FUYI_LOG_FORMAT` (`pretty`) — `pretty` or `json`. Levels come from `RUST_LOG` (`info`).
    pub log_format: LogFormat,
    /// `FUYI_CORS_ORIGINS` (empty): comma-separated origins a browser front end may call from.
    pub cors_origins: Vec<String>,
    /// `FUYI_MAX_BODY_BYTES` (1 MiB): larger request bodies are refused with 413.
    pub max_body_bytes: usize,
    /// `FUYI_DB_POOL_SIZE` (16): connections in the pool.
    pub db_pool_size: usize,
    /// `FUYI_WORKERS` (the number of CPUs): HTTP worker threads.
    pub workers: usize,
    /// Timeouts and the statistics' share of the pool.
    pub limits: LimitSettings,
    /// Authentication settings.
    pub auth: AuthSettings,
    /// The rules the law leaves open, and the statutory periods, as named settings.
    pub rules: RuleSettings,
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

/// Token signing and sign-in settings.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// `FUYI_JWT_SECRET`: HMAC key for access tokens (at least 32 bytes). When unset a random key is
    /// generated at start-up, so tokens do not survive a restart — fine for a laptop, not for
    /// production.
    pub jwt_secret: Option<String>,
    /// `FUYI_JWT_KID` (`k1`): key id written into issued tokens.
    pub jwt_kid: String,
    /// `FUYI_JWT_PREVIOUS_SECRET` / `FUYI_JWT_PREVIOUS_KID`: a retired key still accepted for
    /// verification while its tokens expire.
    pub previous_key: Option<(String, String)>,
    /// `FUYI_JWT_ISSUER` (`fuyi`).
    pub issuer: String,
    /// `FUYI_JWT_AUDIENCE` (`fuyi-api`).
    pub audience: String,
    /// `FUYI_ACCESS_TOKEN_TTL_SECONDS` (900).
    pub access_ttl: Duration,
    /// `FUYI_REFRESH_TOKEN_TTL_SECONDS` (1,209,600 = 14 days).
    pub refresh_ttl: Duration,
    /// `FUYI_ADMIN_PASSWORD`: password of the `admin` user created on first start; when unset a
    /// one-time password is generated and printed once.
    pub admin_password: Option<String>,
    /// `FUYI_LOGIN_MAX_FAILURES` (5) within `FUYI_LOGIN_WINDOW_SECONDS` (900) lock sign-in for
    /// that username until the window has passed.
    pub login_max_failures: u32,
    /// See `login_max_failures`.
    pub login_window: Duration,
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
    /// applicant learned of the act are flagged, not refused.
    pub application_window_days: u32,
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
            application_window_days: 60,
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
            application_window_days: env.parse(
                "FUYI_LATE_APPLICATION_DAYS",
                defaults.application_window_days,
            )?,
            correction_rate_definition: env.parse(
                "FUYI_CORRECTION_RATE_DEFINITION",
                defaults.correction_rate_definition,
            )?,
        };

        let jwt_secret = env.optional("FUYI_JWT_SECRET");
        if let Some(secret) = &jwt_secret
            && secret.len() < 32
        {
            return Err(ConfigError {
                variable: "FUYI_JWT_SECRET",
                reason: "must be at least 32 bytes long".to_owned(),
            });
        }
        let previous_key = match (
            env.optional("FUYI_JWT_PREVIOUS_SECRET"),
            env.optional("FUYI_JWT_PREVIOUS_KID"),
        ) {
            (Some(secret), Some(kid)) => Some((kid, secret)),
            (None, None) => None,
            _ => {
                return Err(ConfigError {
                    variable: "FUYI_JWT_PREVIOUS_SECRET",
                    reason: "FUYI_JWT_PREVIOUS_SECRET and FUYI_JWT_PREVIOUS_KID go together"
                        .to_owned(),
                });
            }
        };
        let auth = AuthSettings {
            jwt_secret,
            jwt_kid: env.string("FUYI_JWT_KID", "k1"),
            previous_key,
            issuer: env.string("FUYI_JWT_ISSUER", "fuyi"),
            audience: env.string("FUYI_JWT_AUDIENCE", "fuyi-api"),
            access_ttl: Duration::from_secs(env.parse("FUYI_ACCESS_TOKEN_TTL_SECONDS", 900)?),
            refresh_ttl: Duration::from_secs(
                env.parse("FUYI_REFRESH_TOKEN_TTL_SECONDS", 14 * 24 * 3600)?,
            ),
            admin_password: env.optional("FUYI_ADMIN_PASSWORD"),
            login_max_failures: env.parse("FUYI_LOGIN_MAX_FAILURES", 5)?,
            login_window: Duration::from_secs(env.parse("FUYI_LOGIN_WINDOW_SECONDS", 900)?),
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
            max_body_bytes: env.parse("FUYI_MAX_BODY_BYTES", 1024 * 1024)?,
            db_pool_size,
            workers: env.parse(
                "FUYI_WORKERS",
                std::thread::available_parallelism().map_or(2, usize::from),
            )?,
            auth,
            rules,
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
