//! `custode retention run`, `custode export`, `custode erase`: data-subject requests and retention.

use super::compliance::{cli_actor, parse_time, subject};
use super::import::local_plugin;
use crate::app::App;
use crate::domain::Timestamp;
use crate::runtime::PluginKind;
use crate::service::retention::{self, RetentionOptions};
use crate::service::Compliance;
use anyhow::Context;
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Run a retention rule over every subject and apply its decisions (Art. 5(1)(e)).
    Run(RetentionRunArgs),
}

#[derive(Debug, Args)]
pub struct RetentionRunArgs {
    /// The rule: the name of an installed, enabled retention plugin (`legitimate-interest`), run with
    /// its installed settings as the server runs it; or a component file.
    #[arg(long)]
    pub rule: String,
    /// Only report what would be erased, anonymised or reviewed.
    #[arg(long)]
    pub dry_run: bool,
    /// Decide as of this date instead of now (e.g. `2027-01-01`, to look ahead in a dry run).
    #[arg(long, value_parser = parse_time)]
    pub at: Option<Timestamp>,
    /// A setting for a rule given as a component file, e.g. `--set months=36` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = super::import::parse_setting)]
    pub settings: Vec<(String, String)>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The data subject: an email, a phone number, `system:id`, or `#42` for contact 42.
    #[arg(long)]
    pub subject: String,
    /// The exporter: an installed exporter plugin, `json` (access, Art. 15; portability, Art. 20) or
    /// `csv-export`, or a component file.
    #[arg(long, default_value = "json")]
    pub plugin: String,
    /// Write the document here instead of standard output.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct EraseArgs {
    /// The data subject: an email, a phone number, `system:id`, or `#42` for contact 42.
    #[arg(long)]
    pub subject: String,
    /// Why (kept in the audit log), e.g. "Art. 17 request of 2026-11-20".
    #[arg(long)]
    pub reason: String,
    #[arg(long)]
    pub json: bool,
}

pub fn run_retention(
    app: &App,
    command: &RetentionCommand,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    let RetentionCommand::Run(args) = command;
    let plugin = local_plugin(app, &args.rule, PluginKind::RetentionRule, &args.settings)?;
    let options = RetentionOptions {
        now: args.at.unwrap_or_else(Timestamp::now),
        dry_run: args.dry_run,
        actor: cli_actor(),
    };
    print_retention(
        &app.compliance.run_retention(&plugin, &options)?,
        args.json,
        out,
    )
}

/// Prints a retention report (the same locally and through `--server`).
pub(crate) fn print_retention(
    report: &retention::RetentionReport,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(report)?)?;
        return Ok(0);
    }
    writeln!(
        out,
        "{}{}: {} subjects, {} kept, {} erased, {} anonymised, {} for review, {} not applied ({} ms)",
        report.rule,
        if report.dry_run { " (dry run: nothing changed)" } else { "" },
        report.subjects,
        report.kept,
        report.erased,
        report.anonymised,
        report.to_review,
        report.not_applied,
        report.duration_ms
    )?;
    for d in &report.decisions {
        writeln!(
            out,
            "  #{} {:?}: {} [{}] — {}",
            d.decision.contact_id.0,
            d.decision.action,
            d.decision.reason,
            d.decision.legal_reference,
            d.outcome
        )?;
    }
    Ok(0)
}

pub fn run_export(app: &App, args: &ExportArgs, out: &mut dyn Write) -> anyhow::Result<i32> {
    let plugin = local_plugin(app, &args.plugin, PluginKind::Exporter, &[])?;
    let subject = subject(&app.compliance, &args.subject)?;
    let document =
        app.compliance
            .access_package(&plugin, &subject, Timestamp::now(), &cli_actor())?;
    print_document(
        &document.bytes,
        &document.media_type,
        args.out.as_deref(),
        out,
    )
}

/// Writes an exported document to `path`, or to `out` (the same locally and through `--server`).
pub(crate) fn print_document(
    bytes: &[u8],
    media_type: &str,
    path: Option<&std::path::Path>,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    match path {
        Some(path) => {
            std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
            eprintln!(
                "wrote {} ({media_type}, {} bytes)",
                path.display(),
                bytes.len()
            );
        }
        None => out.write_all(bytes)?,
    }
    Ok(0)
}

pub fn run_erase(
    compliance: &Compliance,
    data_dir: &std::path::Path,
    args: &EraseArgs,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    let subject = subject(compliance, &args.subject)?;
    let report = compliance.erase_subject(&cli_actor(), &subject, &args.reason)?;
    // A server's stored answers to retried writes could show the person: blanked as the API's
    // erasure blanks them.
    crate::service::idempotency::blank_after_erasure(data_dir)?;
    print_erasure(&report, args.json, out)
}

/// Prints an erasure report (the same locally and through `--server`).
pub(crate) fn print_erasure(
    report: &crate::store::ErasureReport,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(report)?)?;
        return Ok(0);
    }
    writeln!(
        out,
        "contact {} erased: {} field values and {} consent events removed, {} identities kept only as keyed hashes on the suppression list",
        report.contact.0, report.field_values_erased, report.consent_events_erased, report.identities_suppressed
    )?;
    for kept in &report.kept {
        writeln!(out, "  kept: {}", serde_json::to_string(kept)?)?;
    }
    if !report.files_purged {
        writeln!(out, "  note: a reader held an old snapshot; the database files are purged at the next erasure or backup")?;
    }
    Ok(0)
}
