//! `custode migrate`: moves an installation from its SQLite database to PostgreSQL.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::config::{redact, Config};
use crate::domain::Policy;
use crate::store::migrate::sqlite_to_postgres;

/// `custode migrate --to postgres://… [--from DIR]`
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The data directory of the installation to move (default: `--data-dir`). It is read, not
    /// changed.
    #[arg(long)]
    pub from: Option<PathBuf>,
    /// The empty PostgreSQL database to move into, `postgres://user:password@host:5432/database`.
    #[arg(long, env = "CUSTODE_STORE_URL", hide_env_values = true)]
    pub to: String,
}

pub fn run(
    data_dir: &std::path::Path,
    config: &Config,
    args: &MigrateArgs,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    let from = args.from.as_deref().unwrap_or(data_dir);
    let policy = Policy::from_settings(&config.compliance)?;
    let report = sqlite_to_postgres(from, &args.to, policy)?;
    let contacts = report
        .rows
        .iter()
        .find(|(t, _)| t == "contacts")
        .map_or(0, |(_, n)| *n);
    let rows: u64 = report.rows.iter().map(|(_, n)| n).sum();
    writeln!(
        out,
        "moved {} to {}: {rows} rows, {contacts} contacts, {} audit entries; the audit chain verifies on PostgreSQL (head {}).",
        from.display(),
        redact(&args.to),
        report.audit_entries,
        report.audit_head.as_deref().unwrap_or("(empty)")
    )?;
    writeln!(
        out,
        "Next: copy `{}` from {} into the data directory of every server that will use this database, set `[store] url` (or CUSTODE_STORE_URL) there, and start them. The SQLite database is unchanged: keep it until you have checked the servers.",
        crate::store::secret::SECRET_FILE,
        from.display()
    )?;
    Ok(0)
}
