//! The `viva` binary's library: configuration, CLI subcommands, wiring and graceful shutdown.

pub mod cli;
pub mod commands;
pub mod config;
pub mod telemetry;

use std::process::ExitCode;

use clap::Parser;

/// Parses the command line, runs the subcommand, and turns any error into one line on stderr
/// and a failing exit code, never a panic.
pub fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // The sandboxes set their resource limits and parse before any runtime or thread
    // exists, so that the limits cover the parse alone.
    if let cli::Command::Sandbox { command } = &cli.command {
        return match command {
            cli::SandboxCommand::Extract { args } => viva_resumes::sandbox::run(args.iter().cloned()),
            cli::SandboxCommand::DecodeAudio { args } => viva_media::child::run(args.iter().cloned()),
        };
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("viva: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("viva: {err:#}");
            ExitCode::FAILURE
        }
    }
}
