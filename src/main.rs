//! The `fuyi` binary: reads the configuration, sets up logging and runs the command line.

use std::process::ExitCode;

use clap::Parser;
use fuyi::{cli, config::Settings, telemetry};

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
    // Before the first password hash: keeps the memory of past hashes from piling up.
    fuyi::auth::hashing::keep_large_blocks_on_mmap();
    match cli::run(cli, settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("fuyi: {err:#}");
            ExitCode::FAILURE
        }
    }
}
