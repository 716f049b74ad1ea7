//! The `custode` command line. Every subcommand calls the same service functions as the HTTP API.

mod args;
mod cases;
mod cases_remote;
mod check;
mod client;
pub mod compliance;
mod import;
mod inspect;
mod log;
mod migrate;
mod plugin;
mod remote;
mod requests;
mod retention;
mod scaffold;
mod serve;
mod token;
mod tryout;

pub use args::{Cli, Command};

use crate::config::Config;
use crate::service::Compliance;
use crate::store::{NextStep, StoreError};
use clap::Parser;
use std::path::Path;

/// Parses the command line and runs it; returns the process exit code.
pub fn main() -> anyhow::Result<i32> {
    let cli = Cli::parse();
    let out = &mut std::io::stdout().lock();
    if let Some(server) = &cli.server {
        return remote::run(&cli, server, out);
    }
    run_local(&cli, out).map_err(with_command)
}

/// The command that takes the next step an error points to, when the CLI has one.
fn command(step: &NextStep) -> Option<String> {
    match step {
        NextStep::ListPlugins => Some("custode plugin list".into()),
        NextStep::EnablePlugin(name) => Some(format!("custode plugin enable {name}")),
        NextStep::DisablePlugin(name) => Some(format!("custode plugin disable {name}")),
        NextStep::ConfigurePlugin(name) => {
            Some(format!("custode plugin configure {name} --set KEY=VALUE"))
        }
        NextStep::ListTokens => Some("custode token list".into()),
        NextStep::FindContact | NextStep::ListImports => None,
    }
}

/// The service says what to do in words; a CLI user is also told the command that does it.
fn with_command(error: anyhow::Error) -> anyhow::Error {
    let step = error
        .chain()
        .find_map(|e| e.downcast_ref::<StoreError>())
        .and_then(StoreError::next_step)
        .and_then(command);
    match step {
        Some(command) => anyhow::anyhow!("{error:#} (`{command}`)"),
        None => error,
    }
}

fn run_local(cli: &Cli, out: &mut dyn std::io::Write) -> anyhow::Result<i32> {
    if !matches!(cli.command, Command::Serve(_)) {
        // A command's own output is on stdout; warnings (a data directory made private, an
        // upload a crashed server left that cannot be removed) go to stderr.
        log::init(false, "warn");
    }
    match &cli.command {
        Command::Serve(args) => serve::run(&cli.data_dir, cli.config.as_deref(), args),
        Command::Token(command) => {
            let (compliance, _) = open(cli, true)?;
            let tokens = crate::service::tokens::Tokens::open(compliance.store().clone())?;
            token::run(command, &tokens, out)
        }
        Command::Plugin(command) => plugin::run(
            command,
            || open_app(cli, true),
            || Config::load(&cli.data_dir, cli.config.as_deref()),
            out,
        ),
        Command::Import(args) => import::run(&open_app(cli, true)?, args, out),
        Command::Retention(command) => retention::run(&open_app(cli, false)?, command, out),
        Command::Export(args) => requests::run_export(&open_app(cli, false)?, args, out),
        Command::Erase(args) => requests::run_erase(&open(cli, false)?.0, &cli.data_dir, args, out),
        Command::LegalHold(args) => requests::run_legal_hold(&open(cli, false)?.0, args, out),
        Command::CanProcess(args) => compliance::run_can_process(&open(cli, false)?.0, args, out),
        Command::Audit(command) => compliance::run_audit(&open(cli, false)?.0, command, out),
        Command::Backup(args) => compliance::run_backup(&open(cli, false)?.0, args, out),
        Command::Purge => {
            let report = open(cli, false)?
                .0
                .store()
                .purge_erased(&compliance::cli_actor())?;
            writeln!(out, "{}", report.detail)?;
            Ok(if report.purged { 0 } else { 1 })
        }
        Command::Migrate(args) => {
            let config = Config::load(&cli.data_dir, cli.config.as_deref())?;
            migrate::run(&cli.data_dir, &config, args, out)
        }
        Command::Requests(command) => cases::run(&open_app(cli, false)?, command, out),
        Command::Notice(command) => cases::run_notice(&open_app(cli, false)?, command, out),
    }
}

/// Opens the whole installation with its plugin registry, for the commands that run or manage
/// plugins: they use the installed plugins with their settings, as the server does.
fn open_app(cli: &Cli, create: bool) -> anyhow::Result<crate::app::App> {
    require_data_dir(&cli.data_dir, create)?;
    let config = Config::load(&cli.data_dir, cli.config.as_deref())?;
    Ok(crate::app::App::open(&cli.data_dir, config)?)
}

/// Opens the installation. Commands that only read refuse a data directory that does not exist, so
/// a mistyped `--data-dir` is an error rather than a silent new, empty installation.
fn open(cli: &Cli, create: bool) -> anyhow::Result<(Compliance, Config)> {
    require_data_dir(&cli.data_dir, create)?;
    let config = Config::load(&cli.data_dir, cli.config.as_deref())?;
    let compliance = Compliance::open_configured(&cli.data_dir, &config)?;
    Ok((compliance, config))
}

fn require_data_dir(dir: &Path, create: bool) -> anyhow::Result<()> {
    if !create && !dir.is_dir() {
        anyhow::bail!(
            "the data directory {} does not exist: pass the right --data-dir (or CUSTODE_DATA_DIR), \
             or create an installation with `custode serve` or `custode import`",
            dir.display()
        );
    }
    Ok(())
}
