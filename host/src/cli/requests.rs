//! `custode export`, `custode erase`, `custode legal-hold`: data-subject requests, and the hold that
//! stops erasure. Retention: [`super::retention`].

use super::compliance::{cli_actor, subject};
use super::import::local_plugin;
use crate::app::App;
use crate::domain::Timestamp;
use crate::runtime::PluginKind;
use crate::service::Compliance;
use anyhow::Context;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

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

#[derive(Debug, Args)]
pub struct LegalHoldArgs {
    /// The data subject: an email, a phone number, `system:id`, or `#42` for contact 42.
    #[arg(long)]
    pub subject: String,
    /// Why (audited, and shown with the hold), e.g. "litigation 2026/114, court of Milan".
    #[arg(long)]
    pub reason: String,
    /// Lift the hold instead of placing it.
    #[arg(long)]
    pub lift: bool,
}

/// Places or lifts a legal hold: nothing of the contact may be erased or anonymised meanwhile.
pub fn run_legal_hold(
    compliance: &Compliance,
    args: &LegalHoldArgs,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    let id = compliance.resolve_contact(&subject(compliance, &args.subject)?)?;
    compliance.legal_hold(&cli_actor(), id, !args.lift, &args.reason)?;
    print_legal_hold(id.0, args.lift, out)
}

/// Says what a legal-hold command did (the same locally and through `--server`).
pub(crate) fn print_legal_hold(id: i64, lift: bool, out: &mut dyn Write) -> anyhow::Result<i32> {
    if lift {
        writeln!(out, "contact {id}: legal hold lifted")?;
    } else {
        writeln!(out, "contact {id}: under legal hold from now; nothing of it is erased or anonymised until the hold is lifted")?;
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
