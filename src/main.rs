//! The `fuyi` binary: reads the configuration, sets up logging and runs the command line.

use std::process::ExitCode;

use clap::Parser;
use fuyi::{cli, config::Settings, telemetry};

/// jemalloc: per-thread caches make a request's many small allocations cheap (glibc's malloc and
/// free were about 7% of a case read's own CPU time in the profile; switching raised the read
/// ratio from about 0.52x to 0.60x, bench/NOTES.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's settings, read when it starts: freed pages go back to the system after a second
/// (not the default ten), so a burst, such as a few 19 MiB Argon2 blocks during a sign-in flood,
/// does not stay resident; four arenas for the few threads the service runs.
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static JEMALLOC_CONF: &[u8] = b"dirty_decay_ms:1000,muzzy_decay_ms:0,narenas:4\0";

#[tokio::main]
async fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("fuyi: configuration error: {err}");
            return ExitCode::FAILURE;
        }
    };
    telemetry::init(settings.log_format);
    match cli::run(cli, settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("fuyi: {err:#}");
            ExitCode::FAILURE
        }
    }
}
