//! `custode --server … requests …` and `notice given`: the case commands over the HTTP API,
//! printed by the same functions as locally.

use std::io::Write;

use serde_json::json;

use super::cases::{fulfilment, print_case, print_list, verification, CaseCommand, NoticeCommand};
use super::client::Client;
use crate::service::cases::{OpenCase, Refusal};
use crate::store::cases::Case;

/// Runs a case command on a server.
pub(crate) fn run_remote(
    client: &Client,
    command: &CaseCommand,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    let path = |id: &i64, step: &str| format!("/api/v1/requests/{id}/{step}");
    let (case, json): (Case, bool) = match command {
        CaseCommand::Open {
            kind,
            subject,
            channel,
            received,
            notes,
            language,
            json,
        } => {
            let body = OpenCase {
                kind: *kind,
                subject: subject.clone(),
                received_at: *received,
                channel: channel.clone(),
                notes: notes.clone(),
                language: language.clone(),
            };
            (client.send_json("POST", "/api/v1/requests", &body)?, *json)
        }
        CaseCommand::List {
            status,
            kind,
            due_before,
            due_within,
            overdue,
            json,
        } => {
            let mut query = vec![("limit", "1000".to_string())];
            query.extend(status.map(|s| ("status", s.as_str().to_string())));
            query.extend(kind.map(|k| ("kind", k.as_str().to_string())));
            query.extend(due_before.map(|t| ("due_before", t.0.to_string())));
            query.extend(due_within.map(|d| ("due_within_days", d.to_string())));
            if *overdue {
                query.push(("overdue", "true".into()));
            }
            let cases: Vec<Case> = client.get_json("/api/v1/requests", &query)?;
            return print_list(&cases, *json, out);
        }
        CaseCommand::Show { id, json } => (
            client.get_json(&format!("/api/v1/requests/{id}"), &[])?,
            *json,
        ),
        CaseCommand::Verify {
            id,
            method,
            by,
            at,
            information_requested,
            json,
        } => {
            let body = verification(method, by, *at, *information_requested);
            (client.send_json("POST", &path(id, "verify"), &body)?, *json)
        }
        CaseCommand::Extend {
            id,
            months,
            reason,
            json,
        } => {
            let body = json!({ "months": months, "reason": reason });
            (client.send_json("POST", &path(id, "extend"), &body)?, *json)
        }
        CaseCommand::Refuse {
            id,
            ground,
            reason,
            json,
        } => {
            let body = Refusal {
                ground: *ground,
                reason: reason.clone(),
            };
            (client.send_json("POST", &path(id, "refuse"), &body)?, *json)
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
            let body = fulfilment(plugin, changes, *restrict, purposes, note)?;
            (client.send_json("POST", &path(id, "fulfil"), &body)?, *json)
        }
        CaseCommand::Delivered { id, note, json } => (
            client.send_json("POST", &path(id, "delivered"), &json!({ "note": note }))?,
            *json,
        ),
        CaseCommand::Document { id, out: file } => {
            let (media_type, bytes) = client.get_document(&path(id, "document"))?;
            return super::requests::print_document(&bytes, &media_type, file.as_deref(), out);
        }
        CaseCommand::Close { id, note, json } => (
            client.send_json("POST", &path(id, "close"), &json!({ "note": note }))?,
            *json,
        ),
    };
    print_case(&case, json, out)
}

/// Records a notice receipt on a server.
pub(crate) fn run_notice_remote(
    client: &Client,
    command: &NoticeCommand,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    let NoticeCommand::Given {
        contact,
        version,
        at,
    } = command;
    let body = json!({ "version": version, "at": at });
    client.send_json::<serde_json::Value>(
        "POST",
        &format!("/api/v1/contacts/{contact}/notices"),
        &body,
    )?;
    writeln!(out, "contact {contact} received notice {version}")?;
    Ok(0)
}
