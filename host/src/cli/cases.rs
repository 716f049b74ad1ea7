//! `custode requests open|list|show|verify|extend|refuse|fulfil|delivered|document|close`: data-subject
//! requests as tracked cases, locally or with `--server`; and `custode notice given`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;

use super::compliance::{cli_actor, parse_time};
use super::import::local_plugin;
use crate::app::App;
use crate::domain::{CaseStatus, ContactId, IdentityCheck, RequestKind, Timestamp};
use crate::runtime::PluginKind;
use crate::service::cases::{
    CaseQuery, Fulfilment, OpenCase, Refusal, RefusalGround, Verification,
};
use crate::store::cases::Case;
use crate::store::Rectification;

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Open a case for a request as it arrived: due one month after receipt.
    Open {
        /// access, portability, erasure, rectification, restriction or objection.
        #[arg(long, value_parser = |s: &str| RequestKind::parse("kind", s).map_err(|e| e.message))]
        kind: RequestKind,
        /// The person's identity as they gave it: an email, a phone, `system:id`, or `#42`.
        #[arg(long)]
        subject: String,
        /// How it arrived, e.g. `email`, `letter`.
        #[arg(long)]
        channel: String,
        /// When it was received (default now), e.g. `2026-03-25`.
        #[arg(long, value_parser = parse_time)]
        received: Option<Timestamp>,
        #[arg(long, default_value = "")]
        notes: String,
        /// The language of the answer: `en` or `it`.
        #[arg(long)]
        language: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List cases, soonest due first.
    List {
        #[arg(long, value_parser = |s: &str| CaseStatus::parse("status", s).map_err(|e| e.message))]
        status: Option<CaseStatus>,
        #[arg(long, value_parser = |s: &str| RequestKind::parse("kind", s).map_err(|e| e.message))]
        kind: Option<RequestKind>,
        /// Due on or before this day.
        #[arg(long, value_parser = parse_time)]
        due_before: Option<Timestamp>,
        /// Open cases due within this many days, e.g. `7d`.
        #[arg(long, value_parser = parse_days)]
        due_within: Option<u32>,
        /// Open cases past their due date.
        #[arg(long)]
        overdue: bool,
        #[arg(long)]
        json: bool,
    },
    /// One case with its history.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Record how the person's identity was verified, or (`--information-requested`) what was asked.
    Verify {
        id: i64,
        #[arg(long)]
        method: String,
        #[arg(long)]
        by: Option<String>,
        #[arg(long, value_parser = parse_time)]
        at: Option<Timestamp>,
        #[arg(long)]
        information_requested: bool,
        #[arg(long)]
        json: bool,
    },
    /// Extend the deadline by 1 or 2 months, within the first month, with the reason.
    Extend {
        id: i64,
        #[arg(long)]
        months: u32,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        json: bool,
    },
    /// Refuse a manifestly unfounded or excessive request, with the reason.
    Refuse {
        id: i64,
        /// `manifestly-unfounded` or `excessive`.
        #[arg(long, value_parser = parse_ground)]
        ground: RefusalGround,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        json: bool,
    },
    /// Carry out the request: `--plugin` (access, portability), `--changes FILE` (rectification,
    /// a JSON file as for `POST /api/v1/contacts/{id}/rectify`), `--restrict true|false`, `--purpose`.
    Fulfil {
        id: i64,
        #[arg(long)]
        plugin: Option<String>,
        #[arg(long)]
        changes: Option<PathBuf>,
        #[arg(long)]
        restrict: Option<bool>,
        #[arg(long = "purpose")]
        purposes: Vec<String>,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The access or portability document was handed over: delete it.
    Delivered {
        id: i64,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Write the case's document (while it is kept) to a file, or standard output.
    Document {
        id: i64,
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Close an answered case.
    Close {
        id: i64,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum NoticeCommand {
    /// Record that a contact received a version of the privacy notice (Art. 13–14).
    Given {
        #[arg(long)]
        contact: i64,
        #[arg(long)]
        version: String,
        /// When (default now).
        #[arg(long)]
        at: Option<String>,
    },
}

fn parse_days(text: &str) -> Result<u32, String> {
    let t = text.trim();
    t.strip_suffix('d')
        .unwrap_or(t)
        .parse()
        .map_err(|_| format!("`{text}` is not a number of days: write e.g. `7d`"))
}

fn parse_ground(text: &str) -> Result<RefusalGround, String> {
    match text.trim() {
        "manifestly-unfounded" => Ok(RefusalGround::ManifestlyUnfounded),
        "excessive" => Ok(RefusalGround::Excessive),
        other => Err(format!(
            "`{other}` is not a ground of refusal: use manifestly-unfounded or excessive"
        )),
    }
}

pub(super) fn fulfilment(
    plugin: &Option<String>,
    changes: &Option<PathBuf>,
    restrict: Option<bool>,
    purposes: &[String],
    note: &Option<String>,
) -> anyhow::Result<Fulfilment> {
    let changes = match changes {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Some(serde_json::from_str::<Rectification>(&text).with_context(|| {
                format!("{} is not a rectification (`fields`, `add_identities`, `remove_identities`, `reason`)", path.display())
            })?)
        }
        None => None,
    };
    Ok(Fulfilment {
        plugin: plugin.clone(),
        changes,
        restrict,
        purposes: purposes.to_vec(),
        note: note.clone(),
    })
}

pub(super) fn verification(
    method: &str,
    by: &Option<String>,
    at: Option<Timestamp>,
    information_requested: bool,
) -> Verification {
    Verification {
        outcome: if information_requested {
            IdentityCheck::InformationRequested
        } else {
            IdentityCheck::Verified
        },
        method: method.to_string(),
        by: by.clone(),
        at,
    }
}

/// Runs a case command on the local installation.
pub fn run(app: &App, command: &CaseCommand, out: &mut dyn Write) -> anyhow::Result<i32> {
    let c = &app.compliance;
    let actor = cli_actor();
    let now = Timestamp::now();
    // Documents past their days are deleted whenever the cases are looked at.
    c.purge_case_documents(now)?;
    let (case, json) = match command {
        CaseCommand::Open {
            kind,
            subject,
            channel,
            received,
            notes,
            language,
            json,
        } => {
            let request = OpenCase {
                kind: *kind,
                subject: subject.clone(),
                received_at: *received,
                channel: channel.clone(),
                notes: notes.clone(),
                language: language.clone(),
            };
            (c.open_case(&actor, &request, now)?, *json)
        }
        CaseCommand::List {
            status,
            kind,
            due_before,
            due_within,
            overdue,
            json,
        } => {
            let query = CaseQuery {
                status: *status,
                kind: *kind,
                due_before: *due_before,
                due_within_days: *due_within,
                overdue: *overdue,
                limit: Some(1000),
            };
            return print_list(&c.cases(&query, now)?, *json, out);
        }
        CaseCommand::Show { id, json } => (c.case(*id, now)?, *json),
        CaseCommand::Verify {
            id,
            method,
            by,
            at,
            information_requested,
            json,
        } => {
            let v = verification(method, by, *at, *information_requested);
            (c.verify_case(&actor, *id, &v, now)?, *json)
        }
        CaseCommand::Extend {
            id,
            months,
            reason,
            json,
        } => (c.extend_case(&actor, *id, *months, reason, now)?, *json),
        CaseCommand::Refuse {
            id,
            ground,
            reason,
            json,
        } => {
            let refusal = Refusal {
                ground: *ground,
                reason: reason.clone(),
            };
            (c.refuse_case(&actor, *id, &refusal, now)?, *json)
        }
        CaseCommand::Fulfil {
            id,
            plugin,
            changes,
            restrict,
            purposes,
            note,
            json,
        } => {
            let how = fulfilment(plugin, changes, *restrict, purposes, note)?;
            let case = c.case(*id, now)?;
            let exporter = match case.kind.produces_document() && case.contact_id.is_some() {
                true => Some(local_plugin(
                    app,
                    plugin.as_deref().unwrap_or("json"),
                    PluginKind::Exporter,
                    &[],
                )?),
                false => None,
            };
            (
                c.fulfil_case(&actor, *id, &how, exporter.as_deref(), now)?,
                *json,
            )
        }
        CaseCommand::Delivered { id, note, json } => {
            (c.case_delivered(&actor, *id, note.as_deref(), now)?, *json)
        }
        CaseCommand::Document { id, out: path } => {
            let doc = c.case_document(*id, now)?;
            return super::requests::print_document(
                &doc.bytes,
                &doc.info.media_type,
                path.as_deref(),
                out,
            );
        }
        CaseCommand::Close { id, note, json } => {
            (c.close_case(&actor, *id, note.as_deref(), now)?, *json)
        }
    };
    print_case(&case, json, out)
}

/// Records a notice receipt locally.
pub fn run_notice(app: &App, command: &NoticeCommand, out: &mut dyn Write) -> anyhow::Result<i32> {
    let NoticeCommand::Given {
        contact,
        version,
        at,
    } = command;
    let receipt = crate::service::notice_receipt(version, at.as_deref())?;
    app.compliance
        .record_notice_receipt(&cli_actor(), ContactId(*contact), &receipt)?;
    writeln!(
        out,
        "contact {contact} received notice {} on {}",
        receipt.version,
        receipt.at.date_string()
    )?;
    Ok(0)
}

fn line(case: &Case) -> String {
    let due = if case.overdue {
        format!("OVERDUE since {}", case.due_at.date_string())
    } else {
        format!("due {}", case.due_at.date_string())
    };
    let dup = if case.duplicate_of.is_empty() {
        String::new()
    } else {
        format!(" (duplicate of {:?})", case.duplicate_of)
    };
    format!(
        "#{} {} {} — {}, identity {}, {due}{dup}",
        case.id, case.kind, case.subject, case.status, case.identity
    )
}

pub(super) fn print_list(cases: &[Case], json: bool, out: &mut dyn Write) -> anyhow::Result<i32> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(cases)?)?;
        return Ok(0);
    }
    if cases.is_empty() {
        writeln!(out, "no cases")?;
    }
    for case in cases {
        writeln!(out, "{}", line(case))?;
    }
    Ok(0)
}

pub(super) fn print_case(case: &Case, json: bool, out: &mut dyn Write) -> anyhow::Result<i32> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(case)?)?;
        return Ok(0);
    }
    writeln!(out, "{}", line(case))?;
    writeln!(
        out,
        "  received {} by {}",
        case.received_at.date_string(),
        case.channel
    )?;
    if case.contact_id.is_none() {
        writeln!(out, "  Custode holds no data about this identity")?;
    }
    if let Some(answer) = &case.answer {
        writeln!(out, "  answer: {answer}")?;
    }
    if !case.recipients.is_empty() {
        writeln!(
            out,
            "  recipients to inform: {}",
            case.recipients.join(", ")
        )?;
    }
    if let Some(doc) = &case.document {
        writeln!(
            out,
            "  document {} ({} bytes) kept until {}",
            doc.file_name,
            doc.size,
            doc.delete_after.date_string()
        )?;
    }
    for step in &case.history {
        writeln!(
            out,
            "  {} {} by {}: {}",
            step.at, step.action, step.actor, step.details
        )?;
    }
    Ok(0)
}
