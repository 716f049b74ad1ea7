//! The compliance subcommands: `can-process`, `audit verify`, `audit list`, `backup`. The lead wires
//! them into the top-level CLI; each `run_*` returns the process exit code (0 yes / intact / done,
//! 1 no / tampered), so scripts can branch on the answer.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::domain::{Actor, Decision, Role, Timestamp};
use crate::service::{Compliance, Subject};
use crate::store::{AuditEntry, AuditFilter, AuditVerification, BackupReport};

/// `custode can-process --subject EMAIL --purpose P --channel C [--at DATE]`
#[derive(Debug, Args)]
pub struct CanProcessArgs {
    /// Email, phone, `system:id`, or `#42` for contact 42.
    #[arg(long)]
    pub subject: String,
    /// A purpose of the catalogue, e.g. `marketing`.
    #[arg(long)]
    pub purpose: String,
    /// email, phone, sms, post, messaging or any.
    #[arg(long)]
    pub channel: String,
    /// When (default now): `2026-01-31`, RFC 3339, or seconds since 1970.
    #[arg(long, value_parser = parse_time)]
    pub at: Option<Timestamp>,
    /// Print the decision as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Checks the hash chain and names the first edited, deleted or reordered entry.
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// Lists entries, oldest first.
    List {
        /// Only entries after this sequence number.
        #[arg(long)]
        after: Option<i64>,
        /// Only entries about this target, e.g. `contact:42` or `batch:3`.
        #[arg(long)]
        target: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
}

/// `custode backup FILE`
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Where to write the copy; must not exist yet.
    pub file: PathBuf,
}

pub(crate) fn parse_time(text: &str) -> Result<Timestamp, String> {
    Timestamp::parse("at", text).map_err(|e| e.message)
}

/// Who runs a local command, for the audit log: the operating-system user.
pub fn cli_actor() -> Actor {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    Actor::new(format!("cli:{user}"), Role::Admin)
}

/// Reads whom a command is about (`#42` or an identity).
pub(crate) fn subject(compliance: &Compliance, text: &str) -> anyhow::Result<Subject> {
    Ok(compliance.parse_subject(text)?)
}

pub fn run_can_process(
    compliance: &Compliance,
    args: &CanProcessArgs,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    let subject = compliance.parse_subject(&args.subject)?;
    let decision = compliance.can_process(&subject, &args.purpose, &args.channel, args.at)?;
    print_decision(&decision, args.json, out)
}

/// Prints a decision (the same locally and through `--server`); the exit code is 0 for yes, 1 for no.
pub(crate) fn print_decision(
    decision: &Decision,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(decision)?)?;
    } else {
        let answer = if decision.allowed { "yes" } else { "no" };
        let basis = decision
            .basis
            .map(|b| format!(" (basis: {b}, {})", b.article()))
            .unwrap_or_default();
        writeln!(out, "{answer}{basis}\n{}", decision.reason)?;
    }
    Ok(if decision.allowed { 0 } else { 1 })
}

pub fn run_audit(
    compliance: &Compliance,
    command: &AuditCommand,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    match command {
        AuditCommand::Verify { json } => {
            print_verification(&compliance.audit_verify()?, *json, out)
        }
        AuditCommand::List {
            after,
            target,
            limit,
            json,
        } => {
            let entries = compliance.audit_list(&AuditFilter {
                after: *after,
                target: target.clone(),
                limit: *limit,
            })?;
            print_entries(&entries, *json, out)
        }
    }
}

pub(crate) fn print_verification(
    v: &AuditVerification,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(v)?)?;
    } else {
        match &v.problem {
            None => writeln!(
                out,
                "audit log intact: {} entries, head {}",
                v.entries,
                v.head.as_deref().unwrap_or("(empty)")
            )?,
            Some(p) => writeln!(out, "audit log TAMPERED: {p}")?,
        }
    }
    Ok(if v.ok() { 0 } else { 1 })
}

pub(crate) fn print_entries(
    entries: &[AuditEntry],
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(entries)?)?;
    } else {
        for e in entries {
            writeln!(
                out,
                "{:>6}  {}  {:<24} {:<20} {:<14} {}",
                e.seq, e.at, e.actor, e.action, e.target, e.details
            )?;
        }
    }
    Ok(0)
}

pub fn run_backup(
    compliance: &Compliance,
    args: &BackupArgs,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    let report = compliance.backup(&cli_actor(), &args.file)?;
    print_backup(&report, out)
}

pub(crate) fn print_backup(report: &BackupReport, out: &mut dyn Write) -> anyhow::Result<i32> {
    writeln!(
        out,
        "backup written to {} ({} bytes, {} audit entries, head {}).\nThe key file `secret.key` is not in it: keep your own copy of it apart from the backups.",
        report.path.display(),
        report.bytes,
        report.audit_entries,
        report.audit_head.as_deref().unwrap_or("(empty)")
    )?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::domain::Settings;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Debug, Subcommand)]
    enum Command {
        CanProcess(CanProcessArgs),
        #[command(subcommand)]
        Audit(AuditCommand),
        Backup(BackupArgs),
    }

    fn run(c: &Compliance, args: &[&str]) -> (i32, String) {
        let cli =
            Cli::try_parse_from(std::iter::once("custode").chain(args.iter().copied())).unwrap();
        let mut out = Vec::new();
        let code = match cli.command {
            Command::CanProcess(a) => run_can_process(c, &a, &mut out),
            Command::Audit(a) => run_audit(c, &a, &mut out),
            Command::Backup(a) => run_backup(c, &a, &mut out),
        }
        .unwrap();
        (code, String::from_utf8(out).unwrap())
    }

    #[test]
    fn the_commands_answer_in_words_and_exit_codes() {
        let dir = tempfile::tempdir().unwrap();
        let c = Compliance::open(dir.path(), &Settings::default()).unwrap();
        let (code, text) = run(
            &c,
            &[
                "can-process",
                "--subject",
                "Mario@Rossi.it",
                "--purpose",
                "marketing",
                "--channel",
                "email",
                "--at",
                "2026-01-31",
            ],
        );
        assert_eq!(code, 1);
        assert!(
            text.starts_with("no\nno contact with this identity is known"),
            "{text}"
        );
        let (code, text) = run(
            &c,
            &[
                "can-process",
                "--subject",
                "#7",
                "--purpose",
                "marketing",
                "--channel",
                "email",
                "--json",
            ],
        );
        assert_eq!(code, 1);
        assert!(text.contains("\"rule\": \"unknown-subject\""), "{text}");
        let backup = dir.path().join("copy.db");
        let (code, text) = run(&c, &["backup", backup.to_str().unwrap()]);
        assert_eq!(code, 0);
        assert!(text.contains("secret.key"), "{text}");
        let (code, text) = run(&c, &["audit", "verify"]);
        assert_eq!(code, 0);
        assert!(text.starts_with("audit log intact: 1 entries"), "{text}");
        let (_, text) = run(&c, &["audit", "list", "--json"]);
        assert!(text.contains("\"action\": \"backup\""), "{text}");
        assert!(Cli::try_parse_from([
            "custode",
            "can-process",
            "--subject",
            "x",
            "--purpose",
            "p",
            "--channel",
            "c",
            "--at",
            "31/01/2026"
        ])
        .is_err());
    }
}
