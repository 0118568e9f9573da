//! Persistence: the connection pool, the embedded migrations and one module of queries per table
//! group. Queries return domain types or row structs; HTTP concerns stay out.

use diesel::migration::MigrationVersion;
use diesel_async::{
    AsyncPgConnection,
    async_connection_wrapper::AsyncConnectionWrapper,
    pooled_connection::{
        AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
        deadpool::{Object, Pool},
    },
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use std::{sync::Arc, time::Duration};

use diesel_async::pooled_connection::deadpool::PoolError;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::{LimitSettings, Settings};

pub mod attachments;
pub mod audit;
pub mod calendar;
pub mod cases;
pub mod documents;
pub mod enums;
pub mod events;
pub mod followup;
pub mod followup_stats;
pub mod idempotency;
pub mod json;
pub mod measures;
pub mod organs;
pub mod reference;
pub mod schema;
pub mod statistics;
pub mod users;

/// The migrations compiled into the binary, so a release carries its own schema.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// One pooled connection.
pub type DbConn = Object<AsyncPgConnection>;

/// A pool of connections, and the recipe to open more pools like it.
///
/// The server gives each of its worker threads a pool of its own ([`DbPool::for_worker`]): a
/// connection's I/O is driven by a task on the thread that opened it, so a request served by a
/// connection of another thread would cross threads twice per round trip (a wake-up on each
/// side). The pool it was made from serves background work. [`DbPool::status`] counts the
/// worker pools.
#[derive(Clone)]
pub struct DbPool {
    pool: Pool<AsyncPgConnection>,
    recipe: Arc<Recipe>,
}

struct Recipe {
    database_url: String,
    limits: LimitSettings,
    workers: std::sync::Mutex<Vec<Pool<AsyncPgConnection>>>,
}

impl DbPool {
    /// A connection, waiting at most the pool's wait timeout for one to be free.
    pub async fn get(&self) -> Result<DbConn, PoolError> {
        self.pool.get().await
    }

    /// A new pool of `max_size` connections to the same database with the same limits, for one
    /// worker thread: its connections open (and are driven) on the thread that first needs them.
    pub fn for_worker(&self, max_size: usize) -> Result<DbPool, anyhow::Error> {
        let pool = build_pool(&self.recipe.database_url, max_size, &self.recipe.limits)?;
        self.recipe
            .workers
            .lock()
            .map_err(|_| anyhow::anyhow!("the worker pools' list is poisoned"))?
            .push(pool.clone());
        Ok(DbPool {
            pool,
            recipe: Arc::clone(&self.recipe),
        })
    }

    /// Open, idle and maximum connections and waiting requests of the pools requests are served
    /// from: every worker pool made from the same recipe, or this pool while there is none.
    pub fn status(&self) -> deadpool::Status {
        let workers = self
            .recipe
            .workers
            .lock()
            .map(|pools| pools.iter().map(Pool::status).collect::<Vec<_>>())
            .unwrap_or_default();
        if workers.is_empty() {
            return self.pool.status();
        }
        workers.into_iter().fold(
            deadpool::Status {
                max_size: 0,
                size: 0,
                available: 0,
                waiting: 0,
            },
            |total, status| deadpool::Status {
                max_size: total.max_size + status.max_size,
                size: total.size + status.size,
                available: total.available + status.available,
                waiting: total.waiting + status.waiting,
            },
        )
    }
}

/// A bounded share of the pool: at most `size` of its connections at once, for work such as
/// statistics that would otherwise take many connections per request and starve the rest.
#[derive(Clone)]
pub struct PoolShare {
    pool: DbPool,
    slots: Arc<Semaphore>,
    wait: Duration,
}

impl PoolShare {
    /// A share of `size` connections of `pool`; waiting for one of them is bounded by `wait`.
    pub fn new(pool: DbPool, size: usize, wait: Duration) -> Self {
        Self {
            pool,
            slots: Arc::new(Semaphore::new(size.max(1))),
            wait,
        }
    }

    /// The same share (its slots counted together) taking its connections from `pool`.
    pub fn on(&self, pool: DbPool) -> Self {
        Self {
            pool,
            slots: Arc::clone(&self.slots),
            wait: self.wait,
        }
    }

    /// A connection of the share, waiting at most the share's wait timeout for room.
    pub async fn get(&self) -> Result<SharedConn, PoolError> {
        Connections::from(self).get().await
    }
}

/// Where connections come from: the whole pool, or a bounded share of it.
#[derive(Clone, Copy)]
pub struct Connections<'a> {
    pool: &'a DbPool,
    share: Option<(&'a Arc<Semaphore>, Duration)>,
}

impl<'a> From<&'a DbPool> for Connections<'a> {
    fn from(pool: &'a DbPool) -> Self {
        Self { pool, share: None }
    }
}

impl<'a> From<&'a PoolShare> for Connections<'a> {
    fn from(share: &'a PoolShare) -> Self {
        Self {
            pool: &share.pool,
            share: Some((&share.slots, share.wait)),
        }
    }
}

impl Connections<'_> {
    /// A connection, once the share has room for it (within the wait timeout).
    pub async fn get(self) -> Result<SharedConn, PoolError> {
        let slot = match self.share {
            None => None,
            Some((slots, wait)) => Some(
                tokio::time::timeout(wait, Arc::clone(slots).acquire_owned())
                    .await
                    .map_err(|_| PoolError::Timeout(deadpool::managed::TimeoutType::Wait))?
                    .map_err(|_| PoolError::Closed)?,
            ),
        };
        let conn = self.pool.get().await?;
        Ok(SharedConn { conn, _slot: slot })
    }
}

/// A pooled connection holding its place in a [`PoolShare`] until dropped.
pub struct SharedConn {
    conn: DbConn,
    _slot: Option<OwnedSemaphorePermit>,
}

impl std::ops::Deref for SharedConn {
    type Target = AsyncPgConnection;
    fn deref(&self) -> &AsyncPgConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for SharedConn {
    fn deref_mut(&mut self) -> &mut AsyncPgConnection {
        &mut self.conn
    }
}

/// Errors of the migration runner, which speaks `Box<dyn Error>`.
pub type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// Builds the pool with the default limits (command-line tools and tests).
pub fn pool(database_url: &str, max_size: usize) -> Result<DbPool, anyhow::Error> {
    pool_with(database_url, max_size, &LimitSettings::default())
}

/// Builds the service's pool from its settings.
pub fn pool_for(database_url: &str, settings: &Settings) -> Result<DbPool, anyhow::Error> {
    pool_with(database_url, settings.db_pool_size, &settings.limits)
}

/// Builds the pool. Connections are recycled without a test query: a dead connection shows up as
/// an error on first use anyway, and the check would cost a round trip on every request.
///
/// Waiting for a connection and opening one are bounded (the caller gets 503 instead of a hang),
/// and every connection gets `statement_timeout` when it is opened, so no query runs unbounded.
pub fn pool_with(
    database_url: &str,
    max_size: usize,
    limits: &LimitSettings,
) -> Result<DbPool, anyhow::Error> {
    Ok(DbPool {
        pool: build_pool(database_url, max_size, limits)?,
        recipe: Arc::new(Recipe {
            database_url: database_url.to_owned(),
            limits: limits.clone(),
            workers: std::sync::Mutex::new(Vec::new()),
        }),
    })
}

fn build_pool(
    database_url: &str,
    max_size: usize,
    limits: &LimitSettings,
) -> Result<Pool<AsyncPgConnection>, anyhow::Error> {
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    let statement_timeout_ms = limits.statement_timeout.as_millis();
    config.custom_setup = Box::new(move |url| {
        Box::pin(async move {
            use diesel_async::{AsyncConnection, SimpleAsyncConnection};
            let mut conn = AsyncPgConnection::establish(url).await?;
            // A transaction left open by a request that was cut off ends as well: the server
            // rolls it back once it has sat idle as long as one statement may run.
            conn.batch_execute(&format!(
                "SET statement_timeout = {statement_timeout_ms}; \
                 SET idle_in_transaction_session_timeout = {statement_timeout_ms}"
            ))
            .await
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(conn)
        })
    });
    let manager =
        AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(database_url, config);
    Ok(Pool::builder(manager)
        .max_size(max_size)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(limits.pool_wait))
        .create_timeout(Some(limits.connect_timeout))
        // Recycling is a local check (`RecyclingMethod::Fast`), but bound it all the same.
        .recycle_timeout(Some(limits.connect_timeout))
        // The next request takes the connection returned last. A request cut off mid-transaction
        // returns its connection broken; taken next, it is discarded at once, which ends its
        // transaction and frees its row locks, instead of idling at the back of the queue.
        .queue_mode(deadpool::managed::QueueMode::Lifo)
        .build()?)
}

/// Runs `f` with a synchronous migration connection on a blocking thread (the migration harness is
/// synchronous; actix's runtime must not block).
async fn with_migration_connection<T, F>(database_url: &str, f: F) -> Result<T, MigrationError>
where
    T: Send + 'static,
    F: FnOnce(&mut AsyncConnectionWrapper<AsyncPgConnection>) -> Result<T, MigrationError>
        + Send
        + 'static,
{
    let url = database_url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn =
            <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)?;
        f(&mut conn)
    })
    .await?
}

/// The advisory lock held while migrations run ("fuyimigr" in ASCII).
const MIGRATION_LOCK: i64 = 0x6675_7969_6d69_6772;

/// Applies every pending migration; returns the versions applied.
///
/// Replicas started together each run this at start-up; the session lock makes the second wait
/// for the first and then find nothing pending, instead of both creating the same tables.
pub async fn migrate_up(database_url: &str) -> Result<Vec<String>, MigrationError> {
    with_migration_connection(database_url, |conn| {
        use diesel::RunQueryDsl;
        diesel::sql_query("SELECT pg_advisory_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK)
            .execute(conn)?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map(|versions| versions.iter().map(MigrationVersion::to_string).collect());
        // Closing the connection would release it too; unlock explicitly so a pooled or reused
        // connection never keeps it.
        diesel::sql_query("SELECT pg_advisory_unlock($1)")
            .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK)
            .execute(conn)?;
        applied
    })
    .await
}

/// Reverts the most recent migration; returns its version.
pub async fn migrate_down(database_url: &str) -> Result<String, MigrationError> {
    with_migration_connection(database_url, |conn| {
        Ok(conn.revert_last_migration(MIGRATIONS)?.to_string())
    })
    .await
}

/// Each known migration and whether it has been applied.
pub async fn migration_status(database_url: &str) -> Result<Vec<(String, bool)>, MigrationError> {
    with_migration_connection(database_url, |conn| {
        let applied: Vec<String> = conn
            .applied_migrations()?
            .iter()
            .map(MigrationVersion::to_string)
            .collect();
        let known = diesel::migration::MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)?;
        Ok(known
            .iter()
            .map(|m| {
                let version = m.name().version().to_string();
                let is_applied = applied.contains(&version);
                (version, is_applied)
            })
            .collect())
    })
    .await
}

/// The versions of every embedded migration, oldest first.
pub fn embedded_versions() -> Result<Vec<String>, MigrationError> {
    let known = diesel::migration::MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)?;
    Ok(known
        .iter()
        .map(|m| m.name().version().to_string())
        .collect())
}

/// One connection outside the pool (command-line tools).
pub async fn connect(database_url: &str) -> diesel::ConnectionResult<AsyncPgConnection> {
    use diesel_async::AsyncConnection;
    AsyncPgConnection::establish(database_url).await
}

/// Creates database `name` on the server behind `admin_url` unless it exists.
pub async fn ensure_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    use diesel::{QueryableByName, sql_types::Bool};
    use diesel_async::RunQueryDsl;

    #[derive(QueryableByName)]
    struct Exists {
        #[diesel(sql_type = Bool)]
        exists: bool,
    }

    let mut conn = connect(admin_url).await?;
    let found: Exists =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<diesel::sql_types::Text, _>(name)
            .get_result(&mut conn)
            .await?;
    if !found.exists {
        diesel::sql_query(format!("CREATE DATABASE {}", quote_identifier(name)))
            .execute(&mut conn)
            .await?;
    }
    Ok(())
}

/// The role the service's pool connects as: it reads and writes rows but owns no table, so it
/// cannot alter tables or disable their triggers (migration `database_roles` grants it its rights).
pub const APP_ROLE: &str = "fuyi_app";

/// Makes sure [`APP_ROLE`] exists and may sign in, with `password` when given, on the server
/// behind `admin_url` (a role that may create roles). The embedded PostgreSQL and the tests call
/// it; on a server of its own the operator manages roles.
pub async fn ensure_app_login(admin_url: &str, password: Option<&str>) -> anyhow::Result<()> {
    use diesel_async::RunQueryDsl;
    let mut conn = connect(admin_url).await?;
    diesel::sql_query(format!(
        "DO $$ BEGIN \
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN \
             CREATE ROLE {APP_ROLE} LOGIN; \
           ELSE \
             ALTER ROLE {APP_ROLE} LOGIN; \
           END IF; \
         END $$"
    ))
    .execute(&mut conn)
    .await?;
    if let Some(password) = password {
        diesel::sql_query(format!(
            "ALTER ROLE {APP_ROLE} PASSWORD '{}'",
            password.replace('\'', "''")
        ))
        .execute(&mut conn)
        .await?;
    }
    Ok(())
}

/// Quotes an SQL identifier (database names cannot be bind parameters).
pub fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
