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

pub mod calendar;
pub mod cases;
pub mod events;
pub mod followup;
pub mod followup_stats;
pub mod idempotency;
pub mod measures;
pub mod organs;
pub mod schema;
pub mod statistics;
pub mod users;

/// The migrations compiled into the binary, so a release carries its own schema.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// The connection pool shared by all request handlers.
pub type DbPool = Pool<AsyncPgConnection>;
/// One pooled connection.
pub type DbConn = Object<AsyncPgConnection>;

/// Errors of the migration runner, which speaks `Box<dyn Error>`.
pub type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// Builds the pool. Connections are recycled without a test query: a dead connection shows up as
/// an error on first use anyway, and the check would cost a round trip on every request.
pub fn pool(database_url: &str, max_size: usize) -> Result<DbPool, anyhow::Error> {
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    let manager =
        AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(database_url, config);
    Ok(Pool::builder(manager).max_size(max_size).build()?)
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

/// Applies every pending migration; returns the versions applied.
pub async fn migrate_up(database_url: &str) -> Result<Vec<String>, MigrationError> {
    with_migration_connection(database_url, |conn| {
        let applied = conn.run_pending_migrations(MIGRATIONS)?;
        Ok(applied.iter().map(MigrationVersion::to_string).collect())
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

/// Quotes an SQL identifier (database names cannot be bind parameters).
pub fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
