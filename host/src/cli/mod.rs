//! The `custode` command line. Every subcommand calls the same service functions as the HTTP API.

pub mod compliance;
mod import;
mod inspect;
mod plugin;
mod remote;
mod requests;
mod serve;
mod token;

use crate::config::Config;
use crate::service::Compliance;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};

/// Custode: a GDPR compliance engine for customer data, extended with sandboxed WebAssembly plugins.
#[derive(Debug, Parser)]
#[command(name = "custode", version, about, long_about = None)]
pub struct Cli {
    /// Where the database, secrets and plugin cache live.
    #[arg(
        long,
        global = true,
        env = "CUSTODE_DATA_DIR",
        default_value = "custode-data"
    )]
    pub data_dir: PathBuf,

    /// The configuration file (default: `custode.toml` in the data directory, if present).
    #[arg(long, global = true, env = "CUSTODE_CONFIG")]
    pub config: Option<PathBuf>,

    /// Run the command on a running server instead of the local data directory, e.g.
    /// `http://127.0.0.1:7878`.
    #[arg(long, global = true, env = "CUSTODE_SERVER")]
    pub server: Option<String>,

    /// The API token for `--server`.
    #[arg(long, global = true, env = "CUSTODE_TOKEN", hide_env_values = true)]
    pub token: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP admin API (the main job): 127.0.0.1:7878 unless configured otherwise.
    Serve(serve::ServeArgs),
    /// Create, list and revoke API tokens.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Import contacts from a file through an importer plugin.
    Import(import::ImportArgs),
    /// May this contact's data be processed for this purpose on this channel? Exits 0 for yes, 1 for no.
    CanProcess(compliance::CanProcessArgs),
    /// The tamper-evident audit log.
    #[command(subcommand)]
    Audit(compliance::AuditCommand),
    /// Retention rules: erase, anonymise or review data kept longer than its purpose needs.
    #[command(subcommand)]
    Retention(requests::RetentionCommand),
    /// Everything known about a data subject, as a document (access, Art. 15; portability, Art. 20).
    Export(requests::ExportArgs),
    /// Erase a data subject (Art. 17): data gone, suppression hash and legally required data kept.
    Erase(requests::EraseArgs),
    /// Copy the database to a file while it is in use (SQLite online backup).
    Backup(compliance::BackupArgs),
    /// Inspect and manage plugins.
    #[command(subcommand)]
    Plugin(plugin::PluginCommand),
}

/// Parses the command line and runs it; returns the process exit code.
pub fn main() -> anyhow::Result<i32> {
    let cli = Cli::parse();
    let out = &mut std::io::stdout().lock();
    if let Some(server) = &cli.server {
        return remote::run(&cli, server, out);
    }
    match &cli.command {
        Command::Serve(args) => serve::run(&cli.data_dir, cli.config.as_deref(), args),
        Command::Token(command) => {
            let (compliance, _) = open(&cli, true)?;
            let tokens = crate::service::tokens::Tokens::open(compliance.store().clone())?;
            token::run(command, &tokens, out)
        }
        Command::Plugin(command) => plugin::run(command, || open_app(&cli, true), out),
        Command::Import(args) => import::run(&open_app(&cli, true)?, args, out),
        Command::Retention(command) => {
            requests::run_retention(&open_app(&cli, false)?, command, out)
        }
        Command::Export(args) => requests::run_export(&open_app(&cli, false)?, args, out),
        Command::Erase(args) => requests::run_erase(&open(&cli, false)?.0, args, out),
        Command::CanProcess(args) => compliance::run_can_process(&open(&cli, false)?.0, args, out),
        Command::Audit(command) => compliance::run_audit(&open(&cli, false)?.0, command, out),
        Command::Backup(args) => compliance::run_backup(&open(&cli, false)?.0, args, out),
    }
}

/// Opens the whole installation with its plugin registry, for the commands that run or manage
/// plugins: they use the installed plugins with their settings, as the server does.
fn open_app(cli: &Cli, create: bool) -> anyhow::Result<crate::app::App> {
    require_data_dir(&cli.data_dir, create)?;
    let config = Config::load(&cli.data_dir, cli.config.as_deref())?;
    crate::app::App::open(&cli.data_dir, config)
}

/// Opens the installation. Commands that only read refuse a data directory that does not exist, so
/// a mistyped `--data-dir` is an error rather than a silent new, empty installation.
fn open(cli: &Cli, create: bool) -> anyhow::Result<(Compliance, Config)> {
    require_data_dir(&cli.data_dir, create)?;
    let config = Config::load(&cli.data_dir, cli.config.as_deref())?;
    let compliance = Compliance::open(&cli.data_dir, &config.compliance)?;
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
