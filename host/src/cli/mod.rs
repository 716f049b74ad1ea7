//! The `custode` command line. Every subcommand calls the same service functions as the HTTP API.

pub mod compliance;
mod plugin;

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

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inspect, build and manage plugins.
    #[command(subcommand)]
    Plugin(plugin::PluginCommand),
}

/// Parses the command line and runs it.
pub fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Plugin(command) => plugin::run(command),
    }
}
