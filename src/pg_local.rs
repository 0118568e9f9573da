//! A private PostgreSQL server run from the locally installed server binaries, reachable only
//! through a unix socket in a private directory: the service's own data without DATABASE_URL, and
//! a throwaway cluster per test process.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::process::Command;

/// The port only names the socket file (`.s.PGSQL.<port>`): no TCP port is opened.
const PORT: u16 = 5432;

/// Longest socket path that fits `sockaddr_un.sun_path` on both Linux (108) and macOS (104),
/// leaving room for the terminating NUL.
const MAX_SOCKET_PATH: usize = 103;

/// How a cluster trades safety for speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// PostgreSQL's defaults: for data that must survive a crash.
    Safe,
    /// No fsync, asynchronous commit, no full-page writes, 200 connections: for test clusters
    /// whose data is thrown away anyway.
    Fast,
}

/// Why a private server could not be set up, started or stopped.
#[derive(Debug, thiserror::Error)]
pub enum PgLocalError {
    /// No directory holding `initdb` and `pg_ctl` was found.
    #[error(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: install the `postgresql` package \
         (Debian/Ubuntu: apt install postgresql; macOS: brew install postgresql), \
         or set DATABASE_URL to use an existing server"
    )]
    BinariesNotFound,
    /// A live server already owns the data directory.
    #[error(
        "another fuyi instance is using {}: its PostgreSQL server (pid {pid}) is running; \
         if no fuyi instance is left, stop it with `pg_ctl -D {} stop`",
        .dir.display(), .dir.join("pgdata").display()
    )]
    InUse {
        /// The data directory passed to [`LocalPostgres::start`].
        dir: PathBuf,
        /// The running postmaster.
        pid: u32,
    },
    /// A file system step failed.
    #[error("{step}: {error}")]
    Io {
        /// What was being done, naming the path.
        step: String,
        /// The underlying error.
        error: io::Error,
    },
    /// A PostgreSQL program failed; `detail` ends with the relevant output or log lines.
    #[error("{step} failed: {detail}")]
    Command {
        /// The step that failed, e.g. "initdb".
        step: &'static str,
        /// Exit status and the tail of the output or of `postgres.log`, on one line.
        detail: String,
    },
}

fn io_err(step: impl Into<String>) -> impl FnOnce(io::Error) -> PgLocalError {
    let step = step.into();
    move |error| PgLocalError::Io { step, error }
}

/// A running private PostgreSQL server.
///
/// Dropping it leaves the server running: stop it with [`stop`](Self::stop) or
/// [`stop_blocking`](Self::stop_blocking). Should this process die without doing so, a detached
/// watchdog stops the server once the process is gone.
#[derive(Debug)]
pub struct LocalPostgres {
    bin_dir: PathBuf,
    as_root: bool,
    pgdata: PathBuf,
    socket_dir: PathBuf,
}

impl LocalPostgres {
    /// Starts a server on `data_dir` (created if missing): its cluster lives in
    /// `data_dir/pgdata` (made by `initdb` on first use), its log in `data_dir/postgres.log`,
    /// its socket in `data_dir/run` (or a private temp directory when that path is too long).
    pub async fn start(data_dir: &Path, mode: Durability) -> Result<LocalPostgres, PgLocalError> {
        let as_root = running_as_root().await;
        Self::start_inner(data_dir, mode, as_root, Vec::new()).await
    }

    /// Starts a [`Durability::Fast`] cluster in a fresh temp directory for a test process.
    ///
    /// Nothing is removed on drop, so the value can live in a static for the whole test run: once
    /// this process has exited, a detached watchdog stops the server and deletes the directory.
    pub async fn start_throwaway() -> Result<LocalPostgres, PgLocalError> {
        let as_root = running_as_root().await;
        let dir = fresh_temp_dir("fuyi-test-pg", as_root).await?;
        let started = Self::start_inner(&dir, Durability::Fast, as_root, vec![dir.clone()]).await;
        if started.is_err() {
            let _ = tokio::fs::remove_dir_all(&dir).await;
        }
        started
    }

    async fn start_inner(
        data_dir: &Path,
        mode: Durability,
        as_root: bool,
        mut remove_on_exit: Vec<PathBuf>,
    ) -> Result<LocalPostgres, PgLocalError> {
        let bin_dir = find_bin_dir(
            std::env::var_os("PG_BIN_DIR"),
            std::env::var_os("PATH"),
            system_bin_dirs(),
        )?;
        tokio::fs::create_dir_all(data_dir)
            .await
            .map_err(io_err(format!("could not create {}", data_dir.display())))?;
        let data_dir = tokio::fs::canonicalize(data_dir)
            .await
            .map_err(io_err(format!("could not resolve {}", data_dir.display())))?;
        let pgdata = data_dir.join("pgdata");

        if let Some(pid) = live_postmaster(&pgdata).await {
            return Err(PgLocalError::InUse { dir: data_dir, pid });
        }
        // A crash (ours or the machine's) leaves postmaster.pid behind; with its pid reused by
        // an unrelated process, postgres would refuse to start.
        match tokio::fs::remove_file(pgdata.join("postmaster.pid")).await {
            Ok(()) => tracing::info!(pgdata = %pgdata.display(), "removed stale postmaster.pid"),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err("could not remove stale postmaster.pid")(e)),
        }

        let run_dir = data_dir.join("run");
        let socket_dir = if socket_file(&run_dir).as_os_str().len() <= MAX_SOCKET_PATH {
            // No server is running, so any socket or socket lock file here is stale.
            let _ = tokio::fs::remove_dir_all(&run_dir).await;
            make_private_dir(&run_dir).await?;
            run_dir
        } else {
            let dir = fresh_temp_dir("fuyi-pg-sock", as_root).await?;
            remove_on_exit.push(dir.clone());
            dir
        };
        let log = data_dir.join("postgres.log");
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .map_err(io_err(format!("could not create {}", log.display())))?;
        make_private_dir(&pgdata).await?;
        if as_root {
            // The server binaries run as `postgres`, which must own what it writes.
            let mut chown = Command::new("chown");
            chown.arg("postgres:").args([&pgdata, &socket_dir, &log]);
            run(&mut chown, "chown").await?;
        }

        let pg = LocalPostgres {
            bin_dir,
            as_root,
            pgdata,
            socket_dir,
        };
        if !pg.pgdata.join("PG_VERSION").exists() {
            pg.initdb(mode).await?;
        }
        let pid = pg.start_server(mode, &log).await?;
        tracing::info!(
            socket_dir = %pg.socket_dir.display(),
            pgdata = %pg.pgdata.display(),
            pid,
            "PostgreSQL started"
        );
        if let Err(e) = pg.spawn_watchdog(pid, mode, &remove_on_exit) {
            pg.stop_blocking();
            return Err(io_err("could not spawn the PostgreSQL watchdog")(e));
        }
        Ok(pg)
    }

    /// A connection URL for `database` over the unix socket, accepted by tokio-postgres,
    /// diesel-async and libpq: `postgres://postgres@/DB?host=/socket/dir`.
    ///
    /// The authority has no host on purpose: tokio-postgres would try a host there (TCP) before
    /// the `host` parameter and so could reach another server on the machine.
    pub fn url(&self, database: &str) -> String {
        self.url_as("postgres", database)
    }

    /// [`url`](Self::url) signing in as `role` (the socket trusts every role of the cluster; the
    /// socket directory is private to the data directory's owner).
    pub fn url_as(&self, role: &str, database: &str) -> String {
        format!(
            "postgres://{}@/{}?host={}",
            percent_encode(role.as_bytes()),
            percent_encode(database.as_bytes()),
            percent_encode(self.socket_dir.as_os_str().as_bytes())
        )
    }

    /// [`url`](Self::url) for the `postgres` maintenance database.
    pub fn admin_url(&self) -> String {
        self.url("postgres")
    }

    /// Stops the server (`pg_ctl stop -m fast`), waiting until it has shut down.
    pub async fn stop(self) -> Result<(), PgLocalError> {
        let mut cmd = self.server_command("pg_ctl");
        cmd.arg("-D")
            .arg(&self.pgdata)
            .args(["stop", "-m", "fast", "-w"]);
        run(&mut cmd, "pg_ctl stop").await?;
        tracing::info!(pgdata = %self.pgdata.display(), "PostgreSQL stopped");
        Ok(())
    }

    /// Best-effort synchronous [`stop`](Self::stop) for shutdown paths that cannot await;
    /// failures are logged, not returned.
    pub fn stop_blocking(&self) {
        let (program, args) = self.program("pg_ctl");
        let mut cmd = std::process::Command::new(program);
        cmd.args(args)
            .arg("-D")
            .arg(&self.pgdata)
            .args(["stop", "-m", "fast", "-w"])
            .current_dir("/")
            .stdin(Stdio::null());
        match cmd.output() {
            Ok(out) if out.status.success() => {
                tracing::info!(pgdata = %self.pgdata.display(), "PostgreSQL stopped");
            }
            Ok(out) => tracing::warn!("pg_ctl stop failed ({}): {}", out.status, output_tail(&out)),
            Err(e) => tracing::warn!("could not run pg_ctl stop: {e}"),
        }
    }

    async fn initdb(&self, mode: Durability) -> Result<(), PgLocalError> {
        let mut out = self.run_initdb(mode, "C.UTF-8").await?;
        // C.UTF-8 is missing on some systems (older macOS); plain C sorts the same way.
        if !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("invalid locale")
        {
            out = self.run_initdb(mode, "C").await?;
        }
        check(out, "initdb")?;
        tracing::info!(pgdata = %self.pgdata.display(), "initdb created a new cluster");
        Ok(())
    }

    async fn run_initdb(&self, mode: Durability, locale: &str) -> Result<Output, PgLocalError> {
        // Trust is safe here: the only way in is a socket that only the server's OS user
        // (or root) may open.
        let mut cmd = self.server_command("initdb");
        cmd.arg("-D")
            .arg(&self.pgdata)
            .args(["-U", "postgres", "--auth=trust", "--encoding=UTF8"])
            .arg(format!("--locale={locale}"));
        if mode == Durability::Fast {
            cmd.arg("--no-sync");
        }
        output(&mut cmd, "initdb").await
    }

    /// Starts the server and returns the postmaster's pid.
    async fn start_server(&self, mode: Durability, log: &Path) -> Result<u32, PgLocalError> {
        // pg_ctl hands -o to /bin/sh, hence the shell quoting.
        let mut options = format!(
            "-p {PORT} -c listen_addresses='' -c unix_socket_directories={} \
             -c unix_socket_permissions=0700",
            shell_quote(&self.socket_dir)
        );
        if mode == Durability::Fast {
            options.push_str(
                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
                 -c max_connections=200",
            );
        }
        let mut cmd = self.server_command("pg_ctl");
        cmd.arg("-D")
            .arg(&self.pgdata)
            .arg("-l")
            .arg(log)
            .args(["-w", "-o", &options, "start"]);
        let out = output(&mut cmd, "pg_ctl start").await?;
        if !out.status.success() {
            return Err(PgLocalError::Command {
                step: "starting PostgreSQL",
                detail: format!(
                    "pg_ctl {}; {}: {}",
                    out.status,
                    log.display(),
                    log_tail(log)
                ),
            });
        }
        read_pid(&self.pgdata)
            .await
            .ok_or_else(|| PgLocalError::Command {
                step: "starting PostgreSQL",
                detail: "pg_ctl reported success but postmaster.pid has no pid".into(),
            })
    }

    /// Spawns a detached shell that waits for this process to exit, then stops the server
    /// (unless another one has taken over the data directory since) and removes `dirs`.
    fn spawn_watchdog(
        &self,
        postmaster: u32,
        mode: Durability,
        dirs: &[PathBuf],
    ) -> io::Result<()> {
        const SCRIPT: &str = r#"owner=$1 pgpid=$2 pgdata=$3 stopmode=$4; shift 4
while kill -0 "$owner" 2>/dev/null; do sleep 0.5; done
if [ "$(head -n 1 "$pgdata/postmaster.pid" 2>/dev/null)" = "$pgpid" ]; then
  "$@" -D "$pgdata" stop -m "$stopmode" -w
fi"#;
        let stop_mode = match mode {
            Durability::Safe => "fast",
            Durability::Fast => "immediate",
        };
        let mut script = SCRIPT.to_owned();
        for dir in dirs {
            script.push_str("\nrm -rf ");
            script.push_str(&shell_quote(dir));
        }
        // Its own process group, so that a Ctrl-C aimed at this process does not kill the
        // watchdog too. Not `setsid sh`: the child is moved before spawn() returns, whereas a
        // signal sent before setsid(1) has run would still reach it.
        let mut cmd = std::process::Command::new("sh");
        cmd.process_group(0);
        let (program, prefix) = self.program("pg_ctl");
        cmd.arg("-c")
            .arg(script)
            .arg("fuyi-pg-watchdog")
            .arg(std::process::id().to_string())
            .arg(postmaster.to_string())
            .arg(&self.pgdata)
            .arg(stop_mode)
            .arg(program)
            .args(prefix)
            .current_dir("/")
            // Null stdio, so that `cargo test` does not wait for the watchdog's pipes to close.
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd.spawn()?;
        Ok(())
    }

    /// Program and leading arguments that run the server binary `name`: through
    /// `runuser -u postgres` when root, as initdb and postgres refuse to run as root.
    fn program(&self, name: &str) -> (OsString, Vec<OsString>) {
        let path = self.bin_dir.join(name).into_os_string();
        if self.as_root {
            (
                "runuser".into(),
                vec!["-u".into(), "postgres".into(), "--".into(), path],
            )
        } else {
            (path, Vec::new())
        }
    }

    fn server_command(&self, name: &str) -> Command {
        let (program, args) = self.program(name);
        let mut cmd = Command::new(program);
        // The postgres user may not be allowed into our working directory.
        cmd.args(args).current_dir("/").stdin(Stdio::null());
        cmd
    }
}

/// Runs `cmd` to completion, capturing its output.
async fn output(cmd: &mut Command, step: &'static str) -> Result<Output, PgLocalError> {
    cmd.output()
        .await
        .map_err(io_err(format!("could not run {step}")))
}

/// Turns a failed run into an error naming `step` and ending with its output.
fn check(out: Output, step: &'static str) -> Result<(), PgLocalError> {
    if out.status.success() {
        tracing::debug!("{step}: {}", output_tail(&out));
        Ok(())
    } else {
        Err(PgLocalError::Command {
            step,
            detail: format!("{}: {}", out.status, output_tail(&out)),
        })
    }
}

async fn run(cmd: &mut Command, step: &'static str) -> Result<(), PgLocalError> {
    check(output(cmd, step).await?, step)
}

async fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .await
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

/// The first directory holding `initdb` and `pg_ctl`, searched in `pg_bin_dir` (the
/// `PG_BIN_DIR` variable), then `path` (`PATH`), then `system_dirs`.
fn find_bin_dir(
    pg_bin_dir: Option<OsString>,
    path: Option<OsString>,
    system_dirs: Vec<PathBuf>,
) -> Result<PathBuf, PgLocalError> {
    let has_binaries = |dir: &Path| {
        ["initdb", "pg_ctl"]
            .iter()
            .all(|b| is_executable(&dir.join(b)))
    };
    if let Some(dir) = pg_bin_dir.as_ref().map(PathBuf::from) {
        if has_binaries(&dir) {
            return Ok(dir);
        }
        tracing::warn!(
            "PG_BIN_DIR={} has no initdb and pg_ctl; searching elsewhere",
            dir.display()
        );
    }
    path.iter()
        .flat_map(std::env::split_paths)
        .chain(system_dirs)
        .find(|dir| has_binaries(dir))
        .ok_or(PgLocalError::BinariesNotFound)
}

/// Where distributions install the server: Debian's versioned directories (highest version
/// first), then the source-build and Homebrew locations.
fn system_bin_dirs() -> Vec<PathBuf> {
    let mut versioned: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name();
            let version = name
                .to_str()?
                .split('.')
                .map(|part| part.parse().ok())
                .collect::<Option<Vec<u32>>>()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versioned.sort_by(|a, b| b.0.cmp(&a.0));
    versioned
        .into_iter()
        .map(|(_, dir)| dir)
        .chain(
            [
                "/usr/local/pgsql/bin",
                "/opt/homebrew/bin",
                "/usr/local/bin",
            ]
            .map(PathBuf::from),
        )
        .collect()
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The pid in `pgdata/postmaster.pid`, if that process is alive and is a postgres server.
async fn live_postmaster(pgdata: &Path) -> Option<u32> {
    let pid = read_pid(pgdata).await?;
    let alive = match std::fs::read_to_string(format!("/proc/{pid}/comm")) {
        Ok(comm) => matches!(comm.trim_end(), "postgres" | "postmaster"),
        // Without procfs (macOS) all we can tell is whether some process has that pid.
        Err(_) if !Path::new("/proc/self").exists() => Command::new("kill")
            .args(["-0", &pid.to_string()])
            .stderr(Stdio::null())
            .status()
            .await
            .is_ok_and(|s| s.success()),
        Err(_) => false,
    };
    alive.then_some(pid)
}

async fn read_pid(pgdata: &Path) -> Option<u32> {
    let text = tokio::fs::read_to_string(pgdata.join("postmaster.pid"))
        .await
        .ok()?;
    text.lines().next()?.trim().parse().ok()
}

fn socket_file(dir: &Path) -> PathBuf {
    dir.join(format!(".s.PGSQL.{PORT}"))
}

/// Creates `dir` with mode 0700 unless it exists.
async fn make_private_dir(dir: &Path) -> Result<(), PgLocalError> {
    match tokio::fs::DirBuilder::new().mode(0o700).create(dir).await {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
            Err(io_err(format!("could not create {}", dir.display()))(e))
        }
        _ => Ok(()),
    }
}

/// Creates a new, empty, 0700 directory under the system temp dir, owned by `postgres` when
/// running as root.
async fn fresh_temp_dir(prefix: &str, as_root: bool) -> Result<PathBuf, PgLocalError> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let temp = std::env::temp_dir();
    loop {
        // The clock tells apart processes that got the same pid at different times.
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = temp.join(format!("{prefix}-{}-{n}-{nanos:x}", std::process::id()));
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => {
                if as_root {
                    let mut chown = Command::new("chown");
                    chown.arg("postgres:").arg(&dir);
                    run(&mut chown, "chown").await?;
                }
                return Ok(dir);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_err(format!("could not create {}", dir.display()))(e)),
        }
    }
}

/// Percent-encodes all but unreserved characters and `/`.
fn percent_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Quotes `path` as one POSIX shell word.
fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.to_string_lossy().replace('\'', r"'\''"))
}

/// The last lines of a program's stderr (where the errors are), or else of its stdout, joined
/// into one line.
fn output_tail(out: &Output) -> String {
    let text = if out.stderr.trim_ascii().is_empty() {
        &out.stdout
    } else {
        &out.stderr
    };
    last_lines(&String::from_utf8_lossy(text))
}

/// The last lines of `log`, joined into one line.
fn log_tail(log: &Path) -> String {
    let read = || -> io::Result<String> {
        let mut file = std::fs::File::open(log)?;
        let len = file.metadata()?.len();
        file.seek(SeekFrom::Start(len.saturating_sub(4096)))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    };
    read().map_or_else(
        |e| format!("(could not read it: {e})"),
        |text| last_lines(&text),
    )
}

fn last_lines(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines[lines.len().saturating_sub(6)..].join(" | ")
}

#[cfg(test)]
mod tests {
    use diesel::dsl::sql;
    use diesel::sql_types::{BigInt, Bool, Integer, Text};
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

    use super::*;

    async fn connect(pg: &LocalPostgres) -> AsyncPgConnection {
        let url = pg.admin_url();
        AsyncPgConnection::establish(&url)
            .await
            .unwrap_or_else(|e| panic!("connect to {url}: {e}"))
    }

    /// A temp directory (removed on drop, even when a test fails) that the `postgres` user can
    /// enter when the tests run as root; the space checks that paths are quoted and encoded.
    struct TempDir(PathBuf);

    impl TempDir {
        async fn new() -> Self {
            let dir = fresh_temp_dir("fuyi-pg-unit", running_as_root().await)
                .await
                .unwrap();
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
            TempDir(dir)
        }

        fn data_dir(&self) -> PathBuf {
            self.0.join("data dir")
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[tokio::test]
    async fn throwaway_cluster_accepts_connections_over_the_socket_only() {
        let pg = LocalPostgres::start_throwaway().await.unwrap();
        let mut conn = connect(&pg).await;
        assert_eq!(
            diesel::select(sql::<Integer>("1"))
                .get_result::<i32>(&mut conn)
                .await
                .unwrap(),
            1
        );
        // Over TCP this would be 127.0.0.1: the machine's other server.
        assert!(
            diesel::select(sql::<Bool>("inet_server_addr() IS NULL"))
                .get_result::<bool>(&mut conn)
                .await
                .unwrap()
        );
        assert_eq!(
            diesel::select(sql::<Text>("current_setting('fsync')"))
                .get_result::<String>(&mut conn)
                .await
                .unwrap(),
            "off"
        );
        drop(conn);
        pg.stop().await.unwrap();
    }

    #[test]
    fn url_has_no_tcp_host_and_encodes_the_socket_dir() {
        let pg = LocalPostgres {
            bin_dir: PathBuf::new(),
            as_root: false,
            pgdata: PathBuf::new(),
            socket_dir: PathBuf::from("/tmp/odd dir,&x"),
        };
        assert_eq!(
            pg.url("my db"),
            "postgres://postgres@/my%20db?host=/tmp/odd%20dir%2C%26x"
        );
    }

    #[tokio::test]
    async fn persistent_cluster_keeps_data_and_refuses_a_second_server() {
        let tmp = TempDir::new().await;
        let dir = tmp.data_dir();
        let pg = LocalPostgres::start(&dir, Durability::Safe).await.unwrap();
        let mut conn = connect(&pg).await;
        conn.batch_execute("CREATE TABLE kept (id int)")
            .await
            .unwrap();
        assert_eq!(
            diesel::select(sql::<Text>("current_setting('fsync')"))
                .get_result::<String>(&mut conn)
                .await
                .unwrap(),
            "on"
        );
        drop(conn);
        let err = LocalPostgres::start(&dir, Durability::Safe)
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("another fuyi instance is using"),
            "{err}"
        );
        pg.stop().await.unwrap();

        let pg = LocalPostgres::start(&dir, Durability::Safe).await.unwrap();
        let mut conn = connect(&pg).await;
        assert_eq!(
            diesel::select(sql::<BigInt>("(SELECT count(*) FROM kept)"))
                .get_result::<i64>(&mut conn)
                .await
                .unwrap(),
            0
        );
        drop(conn);
        pg.stop().await.unwrap();
    }

    #[tokio::test]
    async fn stale_pid_files_are_removed() {
        let tmp = TempDir::new().await;
        let dir = tmp.data_dir();
        let pid_file = dir.join("pgdata/postmaster.pid");
        LocalPostgres::start(&dir, Durability::Fast)
            .await
            .unwrap()
            .stop()
            .await
            .unwrap();

        // As a crash leaves behind: a pid that no process has any more...
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        std::fs::write(&pid_file, format!("{dead}\n{}\n", dir.display())).unwrap();
        let pg = LocalPostgres::start(&dir, Durability::Fast).await.unwrap();
        pg.stop().await.unwrap();

        // ...or one reused by another program (here: this test), as after a reboot.
        std::fs::write(&pid_file, format!("{}\n", std::process::id())).unwrap();
        let pg = LocalPostgres::start(&dir, Durability::Fast).await.unwrap();
        connect(&pg).await.batch_execute("SELECT 1").await.unwrap();
        pg.stop().await.unwrap();
    }

    #[tokio::test]
    async fn long_data_dir_gets_a_socket_dir_elsewhere() {
        let tmp = TempDir::new().await;
        let dir = tmp.0.join("d".repeat(100));
        let pg = LocalPostgres::start(&dir, Durability::Fast).await.unwrap();
        assert!(!pg.socket_dir.starts_with(&tmp.0));
        connect(&pg).await.batch_execute("SELECT 1").await.unwrap();
        pg.stop().await.unwrap();
    }

    #[test]
    fn missing_binaries_error_names_the_package() {
        let err = find_bin_dir(
            Some("/nonexistent/pg/bin".into()),
            Some(OsString::new()),
            vec![PathBuf::from("/nonexistent")],
        )
        .unwrap_err();
        let message = err.to_string();
        assert!(!message.contains('\n'));
        assert!(message.starts_with("PostgreSQL server binaries (initdb, pg_ctl) not found"));
        assert!(message.contains("apt install postgresql"));
    }
}
