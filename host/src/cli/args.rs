//! The command line's shape: global options and one subcommand per action, each declared by the
//! module that runs it. Kept apart from `main` so the local and the remote runner both read it
//! without depending on each other.

use super::{cases, compliance, import, migrate, plugin, requests, retention, serve, token};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

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
    /// Retention: run rules that erase, anonymise or queue for review data kept longer than its
    /// purpose needs; the recorded runs; the review queue.
    #[command(subcommand)]
    Retention(retention::RetentionCommand),
    /// Everything known about a data subject, as a document (access, Art. 15; portability, Art. 20).
    Export(requests::ExportArgs),
    /// Erase a data subject (Art. 17): data gone, suppression hash and legally required data kept.
    Erase(requests::EraseArgs),
    /// Data-subject requests as tracked cases, with their deadlines (Art. 12).
    #[command(subcommand)]
    Requests(cases::CaseCommand),
    /// Privacy notices given to contacts.
    #[command(subcommand)]
    Notice(cases::NoticeCommand),
    /// Place a legal hold on a data subject (nothing is erased or anonymised until it is lifted), or lift it.
    LegalHold(requests::LegalHoldArgs),
    /// Copy the database to a file while it is in use (SQLite online backup).
    Backup(compliance::BackupArgs),
    /// Move this installation from its SQLite database into an empty PostgreSQL database, audit
    /// chain intact, for several servers to share.
    Migrate(migrate::MigrateArgs),
    /// Remove what erasures left in the database files: on PostgreSQL, rewrite the tables that held
    /// erased data and move the write-ahead log past them (run it as the tables' owner).
    Purge,
    /// Inspect and manage plugins.
    #[command(subcommand)]
    Plugin(plugin::PluginCommand),
}
