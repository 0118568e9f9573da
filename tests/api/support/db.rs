//! Throwaway databases: one per test, cloned from a template migrated once per test process, on
//! a private PostgreSQL (or `TEST_DATABASE_URL`'s server). Each is dropped when its test ends.

use std::sync::atomic::{AtomicU64, Ordering};

use diesel_async::RunQueryDsl;
use fuyi::{
    db::{self, quote_identifier},
    pg_local::LocalPostgres,
};
use tokio::sync::{Mutex, OnceCell};

/// Builds the URL of a named database on the test server.
type UrlOf = Box<dyn Fn(&str) -> String + Send + Sync>;

/// The server tests run against and the migrated template on it.
struct Server {
    /// URL of a maintenance database on the server, for CREATE/DROP DATABASE.
    admin_url: String,
    /// Builds the URL of a database on this server.
    url_of: UrlOf,
    /// Builds the URL of a database on this server for the service's role (`fuyi_app`).
    app_url_of: UrlOf,
    template: String,
    /// Kept alive for the process; its watchdog stops it and removes its files at exit.
    _local: Option<LocalPostgres>,
}

static SERVER: OnceCell<Server> = OnceCell::const_new();
/// PostgreSQL refuses to copy a template that another CREATE DATABASE is copying.
static CLONE_LOCK: Mutex<()> = Mutex::const_new(());
static COUNTER: AtomicU64 = AtomicU64::new(0);

async fn server() -> &'static Server {
    SERVER
        .get_or_init(|| async {
            let (admin_url, url_of, app_url_of, local): (String, UrlOf, UrlOf, _) =
                match std::env::var("TEST_DATABASE_URL") {
                    Ok(url) => {
                        let base = url::Url::parse(&url).expect("TEST_DATABASE_URL is a URL");
                        let admin = with_database(&base, "postgres");
                        // The service's role signs in with the same password as the admin.
                        let mut app = base.clone();
                        app.set_username(db::APP_ROLE).expect("a URL with a user");
                        (
                            admin,
                            Box::new(move |name| with_database(&base, name)),
                            Box::new(move |name| with_database(&app, name)),
                            None,
                        )
                    }
                    Err(_) => {
                        let local = LocalPostgres::start_throwaway()
                            .await
                            .expect("start a private PostgreSQL for the tests");
                        let admin = local.admin_url();
                        let for_urls = local.url("PLACEHOLDER");
                        let for_app_urls = local.url_as(db::APP_ROLE, "PLACEHOLDER");
                        (
                            admin,
                            Box::new(move |name| for_urls.replacen("PLACEHOLDER", name, 1)),
                            Box::new(move |name| for_app_urls.replacen("PLACEHOLDER", name, 1)),
                            Some(local),
                        )
                    }
                };
            let password = std::env::var("TEST_DATABASE_URL")
                .ok()
                .and_then(|url| url::Url::parse(&url).ok())
                .and_then(|url| url.password().map(str::to_owned));
            // The service of every test signs in as the app role: the suite proves it suffices.
            db::ensure_app_login(&admin_url, password.as_deref())
                .await
                .expect("the service's role");
            let template = format!("fuyi_template_{}", std::process::id());
            let mut conn = db::connect(&admin_url)
                .await
                .expect("connect to the test server");
            drop_leftovers_of_dead_runs(&mut conn).await;
            diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                quote_identifier(&template)
            ))
            .execute(&mut conn)
            .await
            .expect("drop a stale template");
            diesel::sql_query(format!("CREATE DATABASE {}", quote_identifier(&template)))
                .execute(&mut conn)
                .await
                .expect("create the template");
            db::migrate_up(&url_of(&template))
                .await
                .expect("migrate the template");
            Server {
                admin_url,
                url_of,
                app_url_of,
                template,
                _local: local,
            }
        })
        .await
}

#[derive(diesel::QueryableByName)]
struct DatabaseName {
    #[diesel(sql_type = diesel::sql_types::Text)]
    datname: String,
}

/// On a shared server, databases of test processes that were killed before cleaning up are
/// dropped by the next run (their names carry the process id).
async fn drop_leftovers_of_dead_runs(conn: &mut diesel_async::AsyncPgConnection) {
    let names: Vec<DatabaseName> = diesel::sql_query(
        r"SELECT datname FROM pg_database WHERE datname ~ '^fuyi_(template|test|empty)_[0-9]+'",
    )
    .load(conn)
    .await
    .unwrap_or_default();
    for DatabaseName { datname } in names {
        let pid = datname.split('_').nth(2).unwrap_or_default();
        let alive = std::path::Path::new(&format!("/proc/{pid}")).exists();
        if !alive {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                quote_identifier(&datname)
            ))
            .execute(conn)
            .await;
        }
    }
}

fn with_database(base: &url::Url, name: &str) -> String {
    let mut url = base.clone();
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// A database of one test; dropped with it.
pub struct TestDatabase {
    name: String,
    url: String,
    app_url: String,
    admin_url: String,
}

impl TestDatabase {
    /// A fresh database with every migration applied.
    pub async fn new() -> Self {
        let server = server().await;
        let name = format!(
            "fuyi_test_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        {
            let _guard = CLONE_LOCK.lock().await;
            let mut conn = db::connect(&server.admin_url).await.expect("connect");
            diesel::sql_query(format!(
                "CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY",
                quote_identifier(&name),
                quote_identifier(&server.template)
            ))
            .execute(&mut conn)
            .await
            .expect("clone the template");
        }
        Self {
            url: (server.url_of)(&name),
            app_url: (server.app_url_of)(&name),
            name,
            admin_url: server.admin_url.clone(),
        }
    }

    /// A database with no migrations applied, for the migration round-trip test.
    pub async fn empty() -> Self {
        let server = server().await;
        let name = format!(
            "fuyi_empty_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = db::connect(&server.admin_url).await.expect("connect");
        diesel::sql_query(format!("CREATE DATABASE {}", quote_identifier(&name)))
            .execute(&mut conn)
            .await
            .expect("create an empty database");
        Self {
            url: (server.url_of)(&name),
            app_url: (server.app_url_of)(&name),
            name,
            admin_url: server.admin_url.clone(),
        }
    }

    /// The database's connection URL, as the role that owns the schema (it migrates).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's connection URL as the service's role, which reads and writes rows only.
    pub fn app_url(&self) -> &str {
        &self.app_url
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Drop runs outside async context; a short-lived runtime on its own thread does the work.
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                let mut conn = db::connect(&admin_url).await.ok()?;
                diesel::sql_query(format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    quote_identifier(&name)
                ))
                .execute(&mut conn)
                .await
                .ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("warning: test database {} was not dropped", self.name);
        }
    }
}
