//! The command line: `serve` (the default), `migrate`, and administration commands that work on
//! the same database as the service.

use std::{io::Read, net::TcpListener, path::PathBuf};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use crate::{
    auth::{Role, password, tokens::TokenKeys},
    config::Settings,
    db::{self, organs::NewOrgan, users::NewUser},
    demo,
    http::openapi,
    pg_local::{Durability, LocalPostgres},
    startup::{AppState, Application},
};

/// fuyi — administrative reconsideration case management.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do; `serve` when none is given.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply or revert migrations.
    Migrate {
        #[command(subcommand)]
        direction: MigrateCommand,
    },
    /// Manage organs.
    Organ {
        #[command(subcommand)]
        command: OrganCommand,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Fill the database with a demo year: a city and its districts, their staff and
    /// respondents, and a year of cases whose figures match the 2023 report. Runs once.
    Demo {
        /// The year of the cases: a past year whose working-day calendar is loaded.
        #[arg(long)]
        year: i32,
        /// Password of every demo user (at least 8 characters); visible to other local users
        /// while the command runs, so prefer --password-stdin beyond a try-out.
        #[arg(
            long,
            required_unless_present = "password_stdin",
            conflicts_with = "password_stdin"
        )]
        password: Option<String>,
        /// Read the password from standard input instead.
        #[arg(long)]
        password_stdin: bool,
        /// Seed of the random choices: the same seed gives the same cases (default 2023).
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Import historical cases from a CSV file (see README, "Importing historical cases"): all
    /// rows or none.
    Import {
        /// The CSV file, UTF-8, with a header row naming the columns.
        file: PathBuf,
    },
}

/// Migration commands.
#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Apply every pending migration.
    Up,
    /// Revert the most recent migration.
    Down,
    /// List migrations and whether each is applied.
    Status,
}

/// Organ commands.
#[derive(Debug, Subcommand)]
pub enum OrganCommand {
    /// Create an organ.
    Add {
        /// Short unique code, e.g. `fz`.
        #[arg(long)]
        code: String,
        /// Full name, e.g. 福州市人民政府.
        #[arg(long)]
        name: String,
        /// Short name used in case numbers, e.g. 榕 (defaults to the name).
        #[arg(long)]
        short_name: Option<String>,
        /// Code of the superior organ.
        #[arg(long)]
        parent: Option<String>,
    },
}

/// User commands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// Code of the user's organ.
        #[arg(long)]
        organ: String,
        /// Comma-separated roles: officer, head, statistician, admin.
        #[arg(long, value_delimiter = ',', required = true)]
        role: Vec<Role>,
        /// Display name (defaults to the username).
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

/// Where the database is: given, or a private server this process started and must stop.
pub struct Database {
    /// The service's role ([`db::APP_ROLE`] on the private server).
    pub url: SecretString,
    /// The role that owns the schema and runs the migrations.
    pub migration_url: SecretString,
    local: Option<LocalPostgres>,
}

impl Database {
    /// Connects to `DATABASE_URL` (migrating with `FUYI_MIGRATION_DATABASE_URL` when set), or
    /// starts the private PostgreSQL under the data directory and makes sure its `fuyi` database
    /// and the service's role exist. There the cluster's own superuser, reachable only through
    /// the private socket, owns the schema and migrates; the service signs in as `fuyi_app`.
    pub async fn open(settings: &Settings) -> anyhow::Result<Self> {
        if let Some(url) = &settings.database_url {
            return Ok(Self {
                url: url.clone(),
                migration_url: settings.migration_url().unwrap_or(url).clone(),
                local: None,
            });
        }
        let data_dir = absolute(&settings.data_dir)?;
        let local = LocalPostgres::start(&data_dir, Durability::Safe).await?;
        db::ensure_database(&local.admin_url(), "fuyi").await?;
        db::ensure_app_login(&local.admin_url(), None).await?;
        tracing::info!(data_dir = %data_dir.display(), "using the private PostgreSQL");
        Ok(Self {
            url: SecretString::from(local.url_as(db::APP_ROLE, "fuyi")),
            migration_url: SecretString::from(local.url("fuyi")),
            local: Some(local),
        })
    }

    /// Stops the private server, if this process started one.
    pub async fn close(self) -> anyhow::Result<()> {
        if let Some(local) = self.local {
            local.stop().await?;
        }
        Ok(())
    }
}

fn absolute(path: &std::path::Path) -> anyhow::Result<PathBuf> {
    if path.is_absolute() {
        Ok(path.to_owned())
    } else {
        Ok(std::env::current_dir()?.join(path))
    }
}

/// Runs the command line.
pub async fn run(cli: Cli, settings: Settings) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        print!("{}", openapi::document()?);
        return Ok(());
    }
    // Before anything starts: `serve` refuses to run without a signing key it can keep.
    let settings = match command {
        Command::Serve => settings.with_signing_key()?,
        _ => settings,
    };
    let database = Database::open(&settings).await?;
    let outcome = run_with_database(command, &settings, &database).await;
    // Stop the private server whatever happened, then report.
    let closed = database.close().await;
    outcome.and(closed)
}

async fn run_with_database(
    command: Command,
    settings: &Settings,
    database: &Database,
) -> anyhow::Result<()> {
    let url = database.url.expose_secret();
    let migration_url = database.migration_url.expose_secret();
    match command {
        Command::Serve => serve(settings, migration_url, url).await,
        Command::Migrate { direction } => migrate(direction, migration_url).await,
        Command::Organ { command } => {
            db::migrate_up(migration_url).await.map_err(anyhow_from)?;
            organ(command, settings, url).await
        }
        Command::User { command } => {
            db::migrate_up(migration_url).await.map_err(anyhow_from)?;
            user(command, url).await
        }
        Command::Demo {
            year,
            password,
            password_stdin,
            seed,
        } => {
            db::migrate_up(migration_url).await.map_err(anyhow_from)?;
            let password = match password {
                Some(password) if !password_stdin => password,
                _ => read_password_stdin()?,
            };
            demo(settings, url, year, password, seed).await
        }
        Command::Openapi => Ok(()),
        Command::Import { file } => {
            db::migrate_up(migration_url).await.map_err(anyhow_from)?;
            // The import analyses the tables it filled, which only their owner may.
            import(&file, settings, migration_url).await
        }
    }
}

async fn import(file: &std::path::Path, settings: &Settings, url: &str) -> anyhow::Result<()> {
    use crate::service::import::{ImportError, import_csv};
    // Fail before connecting when the file cannot be opened at all.
    std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let source = file.file_name().map_or_else(
        || file.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    );
    let mut conn = db::connect(url).await?;
    let open = || std::fs::File::open(file).map(std::io::BufReader::new);
    match import_csv(&mut conn, &settings.rules, open, &source).await {
        Ok(report) => {
            println!(
                "imported {} cases in {:.1} s ({:.0} cases/s)",
                report.imported(),
                report.elapsed.as_secs_f64(),
                report.rate()
            );
            if report.numbered > 0 {
                println!("{} accepted cases were given case numbers", report.numbered);
            }
            if report.without_decision_deadline > 0 {
                let years: Vec<String> = report
                    .missing_calendar_years
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                println!(
                    "{} accepted cases have no decision deadline: no working-day calendar for {}",
                    report.without_decision_deadline,
                    years.join(", ")
                );
            }
            Ok(())
        }
        Err(ImportError::Rows(errors)) => {
            for error in &errors {
                eprintln!("{error}");
            }
            bail!(
                "{} problem(s) in {}; nothing was imported",
                errors.len(),
                file.display()
            )
        }
        Err(err) => Err(err.into()),
    }
}

fn anyhow_from(err: db::MigrationError) -> anyhow::Error {
    anyhow::anyhow!(err)
}

/// Connections of the pool `serve` keeps for start-up and background work.
const BACKGROUND_CONNECTIONS: usize = 2;

async fn serve(settings: &Settings, migration_url: &str, url: &str) -> anyhow::Result<()> {
    let applied = db::migrate_up(migration_url).await.map_err(anyhow_from)?;
    if !applied.is_empty() {
        tracing::info!(migrations = ?applied, "migrations applied");
    }
    // Requests are served from the workers' own pools (`Application::build`); this one serves
    // start-up and the background loop.
    let pool = db::pool_with(url, BACKGROUND_CONNECTIONS, &settings.limits)?;
    crate::service::bootstrap::ensure_admin(&pool, settings).await?;
    let listener = TcpListener::bind(settings.bind)
        .with_context(|| format!("cannot listen on {} (FUYI_BIND)", settings.bind))?;
    let app = Application::build(settings.clone(), pool, listener)?;
    let address = format!("http://{}", settings.bind);
    tracing::info!(%address, "serving; API docs at {address}/docs/, OpenAPI at {address}/api-docs/openapi.json");
    app.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

async fn migrate(direction: MigrateCommand, url: &str) -> anyhow::Result<()> {
    match direction {
        MigrateCommand::Up => {
            let applied = db::migrate_up(url).await.map_err(anyhow_from)?;
            if applied.is_empty() {
                println!("nothing to apply");
            }
            for version in applied {
                println!("applied {version}");
            }
        }
        MigrateCommand::Down => {
            let reverted = db::migrate_down(url).await.map_err(anyhow_from)?;
            println!("reverted {reverted}");
        }
        MigrateCommand::Status => {
            for (version, applied) in db::migration_status(url).await.map_err(anyhow_from)? {
                println!("{} {version}", if applied { "[x]" } else { "[ ]" });
            }
        }
    }
    Ok(())
}

async fn organ(command: OrganCommand, settings: &Settings, url: &str) -> anyhow::Result<()> {
    let OrganCommand::Add {
        code,
        name,
        short_name,
        parent,
    } = command;
    let mut conn = db::connect(url).await?;
    let parent_id = match parent {
        Some(parent) => Some(
            db::organs::find_organ_by_code(&mut conn, &parent)
                .await
                .with_context(|| format!("no organ with code {parent:?}"))?
                .id,
        ),
        None => None,
    };
    let organ = db::organs::insert_organ(
        &mut conn,
        NewOrgan {
            code: &code,
            name: &name,
            short_name: short_name.as_deref().unwrap_or(&name),
            parent_id,
            time_zone: settings.rules.default_time_zone.name(),
        },
    )
    .await
    .with_context(|| format!("cannot create organ {code:?}"))?;
    println!("created organ {} ({})", organ.code, organ.id);
    Ok(())
}

fn read_password_stdin() -> anyhow::Result<String> {
    let mut secret = String::new();
    std::io::stdin().read_to_string(&mut secret)?;
    Ok(secret.trim_end_matches(['\r', '\n']).to_owned())
}

async fn demo(
    settings: &Settings,
    url: &str,
    year: i32,
    password: String,
    seed: Option<u64>,
) -> anyhow::Result<()> {
    use tracing::instrument::WithSubscriber;
    use tracing_subscriber::{EnvFilter, layer::SubscriberExt};

    // Demo data can be generated again at will, so its commits need not wait for the disk: a
    // crash would lose only a demo to rerun. The setting lives in this pool's sessions only.
    let separator = if url.contains('?') { '&' } else { '?' };
    let url = format!("{url}{separator}options=-c%20synchronous_commit%3Doff");
    let pool = db::pool(&url, settings.db_pool_size)?;
    // The demo hands out no tokens, so it needs no configured key.
    let state = AppState::with_keys(TokenKeys::ephemeral(&settings.auth), settings.clone(), pool);
    let options = demo::DemoOptions {
        year,
        password,
        seed: seed.unwrap_or(demo::DEFAULT_SEED),
    };
    eprintln!("fuyi: generating the demo year {year}…");
    // Every transition logs at info; thousands of lines would bury the summary.
    let quiet = tracing_subscriber::registry()
        .with(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")))
        .with(
            tracing_subscriber::fmt::layer()
                .with_target(false)
                .with_writer(std::io::stderr),
        );
    let summary = demo::generate(&state, &options)
        .with_subscriber(quiet)
        .await?;
    print!("{summary}");
    eprintln!("fuyi: generated in {:.1} s", summary.seconds);
    Ok(())
}

async fn user(command: UserCommand, url: &str) -> anyhow::Result<()> {
    let UserCommand::Add {
        username,
        organ,
        role,
        display_name,
        password_stdin,
    } = command;
    if !password_stdin {
        bail!("pass --password-stdin and the password on standard input");
    }
    let mut secret = String::new();
    std::io::stdin().read_to_string(&mut secret)?;
    let secret = secret.trim_end_matches(['\r', '\n']);
    if secret.chars().count() < 8 {
        bail!("the password must be at least 8 characters");
    }
    let mut conn = db::connect(url).await?;
    let organ = db::organs::find_organ_by_code(&mut conn, &organ)
        .await
        .with_context(|| format!("no organ with code {organ:?}"))?;
    let hash = password::hash(secret).map_err(|err| anyhow::anyhow!("{err}"))?;
    let user = db::users::insert(
        &mut conn,
        &NewUser {
            id: Uuid::now_v7(),
            username: &username,
            display_name: display_name.as_deref().unwrap_or(&username),
            password_hash: &hash,
            organ_id: organ.id,
            roles: role.iter().map(|r| r.to_string()).collect(),
        },
    )
    .await
    .with_context(|| format!("cannot create user {username:?}"))?;
    println!("created user {} ({})", user.username, user.id);
    Ok(())
}
