//! Request cases in SQLite (schema v6): the case row, its append-only history, its document.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::json;

use super::rows::AuditDraft;
use super::SqliteStore;
use crate::domain::deadline::{due_within, is_overdue};
use crate::domain::{Actor, CaseStatus, ContactId, IdentityCheck, RequestKind, Timestamp};
use crate::store::cases::*;
use crate::store::error::{DbContext, StoreError};
use crate::store::Result;

const COLUMNS: &str = "c.id, c.kind, c.subject, c.contact_id, c.channel, c.notes, c.language, \
    c.received_at, c.first_due_at, c.due_at, c.extended_months, c.status, c.identity, c.answer, \
    c.recipients, c.duplicate_of, c.opened_at, c.updated_at, \
    d.file_name, d.media_type, length(d.bytes), d.sha256, d.created_at, d.delete_after";

const FROM: &str = "request_cases c LEFT JOIN request_documents d ON d.case_id = c.id";

fn parse<T>(
    text: String,
    f: fn(&str, &str) -> Result<T, crate::domain::InvalidInput>,
) -> rusqlite::Result<T> {
    f("case", &text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.message.into())
    })
}

fn case_row(r: &Row<'_>, now: Timestamp) -> rusqlite::Result<Case> {
    let status = parse(r.get(11)?, CaseStatus::parse)?;
    let due_at = Timestamp(r.get(9)?);
    let document = match r.get::<_, Option<String>>(18)? {
        Some(file_name) => Some(CaseDocumentInfo {
            file_name,
            media_type: r.get(19)?,
            size: r.get::<_, i64>(20)? as u64,
            sha256: r.get(21)?,
            created_at: Timestamp(r.get(22)?),
            delete_after: Timestamp(r.get(23)?),
        }),
        None => None,
    };
    Ok(Case {
        id: r.get(0)?,
        kind: parse(r.get(1)?, RequestKind::parse)?,
        subject: r.get(2)?,
        contact_id: r.get::<_, Option<i64>>(3)?.map(ContactId),
        channel: r.get(4)?,
        notes: r.get(5)?,
        language: r.get(6)?,
        received_at: Timestamp(r.get(7)?),
        first_due_at: Timestamp(r.get(8)?),
        due_at,
        extended_months: r.get(10)?,
        overdue: status == CaseStatus::Open && is_overdue(due_at, now),
        status,
        identity: parse(r.get(12)?, IdentityCheck::parse)?,
        answer: r.get(13)?,
        recipients: serde_json::from_str(&r.get::<_, String>(14)?).unwrap_or_default(),
        duplicate_of: serde_json::from_str(&r.get::<_, String>(15)?).unwrap_or_default(),
        opened_at: Timestamp(r.get(16)?),
        updated_at: Timestamp(r.get(17)?),
        document,
        history: Vec::new(),
    })
}

fn read_case(conn: &Connection, id: i64, now: Timestamp) -> Result<Case> {
    let case = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM {FROM} WHERE c.id = ?1"),
            [id],
            |r| case_row(r, now),
        )
        .optional()
        .db("cannot read the request case")?;
    let mut case = case.ok_or_else(|| {
        StoreError::not_found_hint(
            format!("request case {id}"),
            "list the cases with `GET /api/v1/requests` or `custode requests list`",
        )
    })?;
    let mut stmt = conn
        .prepare("SELECT at, actor, action, details FROM request_case_steps WHERE case_id = ?1 ORDER BY seq")
        .db("cannot read the case's history")?;
    let steps = stmt
        .query_map([id], |r| {
            Ok(CaseStep {
                at: Timestamp(r.get(0)?),
                actor: r.get(1)?,
                action: r.get(2)?,
                details: serde_json::from_str(&r.get::<_, String>(3)?)
                    .unwrap_or(serde_json::Value::Null),
            })
        })
        .db("cannot read the case's history")?;
    case.history = steps
        .collect::<Result<Vec<_>, _>>()
        .db("cannot read the case's history")?;
    Ok(case)
}

fn append_step(
    conn: &Connection,
    id: i64,
    actor: &Actor,
    now: Timestamp,
    action: &str,
    details: &serde_json::Value,
) -> Result<()> {
    conn.execute(
        "INSERT INTO request_case_steps (case_id, seq, at, actor, action, details)
         VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM request_case_steps WHERE case_id = ?1), ?2, ?3, ?4, ?5)",
        params![id, now.0, actor.name, action, details.to_string()],
    )
    .map(drop)
    .db("cannot record the step in the case's history")
}

/// The audit entry of a step: the case, the action, and no personal data (the step's details may
/// hold a DPO's text, which stays in the case).
fn audit(id: i64, step: &str, extra: serde_json::Value) -> AuditDraft {
    let action = match step {
        "opened" => "request.opened",
        "identity-verified" => "request.identity-verified",
        "information-requested" => "request.information-requested",
        "extended" => "request.extended",
        "refused" => "request.refused",
        "fulfilled" => "request.fulfilled",
        "document-delivered" => "request.document-delivered",
        "document-deleted" => "request.document-deleted",
        "closed" => "request.closed",
        _ => "request.changed",
    };
    AuditDraft::new(action, format!("request:{id}"), extra)
}

impl CaseStore for SqliteStore {
    fn open_case(&self, actor: &Actor, new: &NewCase, now: Timestamp) -> Result<Case> {
        let id = self.write(actor, |tx| {
            let mut duplicates = Vec::new();
            if let Some(key) = &new.subject_key {
                let mut stmt = tx
                    .prepare("SELECT id FROM request_cases WHERE subject_key = ?1 AND kind = ?2 AND status = 'open' ORDER BY id")
                    .db("cannot look for duplicate cases")?;
                let rows = stmt
                    .query_map(params![key, new.kind.as_str()], |r| r.get::<_, i64>(0))
                    .db("cannot look for duplicate cases")?;
                duplicates = rows.collect::<Result<Vec<_>, _>>().db("cannot look for duplicate cases")?;
            }
            tx.execute(
                "INSERT INTO request_cases (kind, subject, subject_key, contact_id, channel, notes, language,
                     received_at, first_due_at, due_at, status, identity, duplicate_of, opened_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, 'open', 'unverified', ?10, ?11, ?11)",
                params![
                    new.kind.as_str(),
                    new.subject,
                    new.subject_key,
                    new.contact.map(|c| c.0),
                    new.channel,
                    new.notes,
                    new.language,
                    new.received_at.0,
                    new.due_at.0,
                    serde_json::to_string(&duplicates).unwrap_or_else(|_| "[]".into()),
                    now.0,
                ],
            )
            .db("cannot open the request case")?;
            let id = tx.last_insert_rowid();
            let mut details = json!({
                "kind": new.kind,
                "received_at": new.received_at,
                "due_at": new.due_at,
                "channel": new.channel,
                "known_subject": new.contact.is_some(),
            });
            if !duplicates.is_empty() {
                details["duplicate_of"] = json!(duplicates);
            }
            append_step(tx, id, actor, now, "opened", &details)?;
            let mut audited = details.clone();
            audited["contact"] = json!(new.contact.map(|c| c.0));
            if let Some(o) = audited.as_object_mut() {
                o.remove("channel");
            }
            Ok((id, audit(id, "opened", audited)))
        })?;
        self.case(id, now)
    }

    fn case(&self, id: i64, now: Timestamp) -> Result<Case> {
        let conn = self.reader()?;
        read_case(&conn, id, now)
    }

    fn cases(&self, filter: &CaseFilter, now: Timestamp) -> Result<Vec<Case>> {
        let conn = self.reader()?;
        let mut sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE 1 = 1");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(status) = filter.status {
            args.push(status.as_str().to_string().into());
            sql += &format!(" AND c.status = ?{}", args.len());
        }
        if let Some(kind) = filter.kind {
            args.push(kind.as_str().to_string().into());
            sql += &format!(" AND c.kind = ?{}", args.len());
        }
        if let Some(before) = filter.due_before {
            args.push(before.0.into());
            sql += &format!(" AND c.due_at <= ?{}", args.len());
        }
        if let Some(at) = filter.overdue_at {
            // The due day ends 86 400 s after its midnight.
            args.push((at.0 - 86_400).into());
            sql += &format!(" AND c.status = 'open' AND c.due_at <= ?{}", args.len());
        }
        args.push(i64::from(filter.limit.clamp(1, 1000)).into());
        sql += &format!(" ORDER BY c.due_at, c.id LIMIT ?{}", args.len());
        let mut stmt = conn.prepare(&sql).db("cannot list the request cases")?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), |r| case_row(r, now))
            .db("cannot list the request cases")?;
        rows.collect::<Result<Vec<_>, _>>()
            .db("cannot list the request cases")
    }

    fn change_case(
        &self,
        actor: &Actor,
        id: i64,
        now: Timestamp,
        decide: &mut dyn FnMut(&Case) -> Result<CaseChange>,
    ) -> Result<Case> {
        self.write(actor, |tx| {
            let case = read_case(tx, id, now)?;
            let change = decide(&case)?;
            let status = change.status.unwrap_or(case.status);
            let identity = change.identity.unwrap_or(case.identity);
            let (due_at, extended) = change.due.unwrap_or((case.due_at, case.extended_months));
            let answer = change.answer.clone().or(case.answer.clone());
            let recipients = change.recipients.clone().unwrap_or(case.recipients.clone());
            tx.execute(
                "UPDATE request_cases SET status = ?2, identity = ?3, due_at = ?4, extended_months = ?5,
                     answer = ?6, recipients = ?7, updated_at = ?8 WHERE id = ?1",
                params![
                    id,
                    status.as_str(),
                    identity.as_str(),
                    due_at.0,
                    extended,
                    answer,
                    serde_json::to_string(&recipients).unwrap_or_else(|_| "[]".into()),
                    now.0
                ],
            )
            .db("cannot change the request case")?;
            let mut audited = json!({ "status": status, "identity": identity, "due_at": due_at });
            if change.delete_document {
                let deleted = tx
                    .execute("DELETE FROM request_documents WHERE case_id = ?1", [id])
                    .db("cannot delete the case's document")?;
                audited["document_deleted"] = json!(deleted > 0);
            }
            if let Some(doc) = &change.document {
                tx.execute(
                    "INSERT OR REPLACE INTO request_documents (case_id, file_name, media_type, bytes, sha256, created_at, delete_after)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        id,
                        doc.info.file_name,
                        doc.info.media_type,
                        doc.bytes,
                        doc.info.sha256,
                        doc.info.created_at.0,
                        doc.info.delete_after.0
                    ],
                )
                .db("cannot keep the document with the case")?;
                audited["document_sha256"] = json!(doc.info.sha256);
            }
            append_step(tx, id, actor, now, change.action, &change.details)?;
            Ok(((), audit(id, change.action, audited)))
        })?;
        self.case(id, now)
    }

    fn case_document(&self, id: i64) -> Result<Option<CaseDocument>> {
        let conn = self.reader()?;
        conn.query_row(
            "SELECT file_name, media_type, bytes, sha256, created_at, delete_after FROM request_documents WHERE case_id = ?1",
            [id],
            |r| {
                let bytes: Vec<u8> = r.get(2)?;
                Ok(CaseDocument {
                    info: CaseDocumentInfo {
                        file_name: r.get(0)?,
                        media_type: r.get(1)?,
                        size: bytes.len() as u64,
                        sha256: r.get(3)?,
                        created_at: Timestamp(r.get(4)?),
                        delete_after: Timestamp(r.get(5)?),
                    },
                    bytes,
                })
            },
        )
        .optional()
        .db("cannot read the case's document")
    }

    fn purge_case_documents(&self, actor: &Actor, now: Timestamp) -> Result<Vec<i64>> {
        let expired: Vec<i64> = {
            let conn = self.reader()?;
            let mut stmt = conn
                .prepare("SELECT case_id FROM request_documents WHERE delete_after <= ?1")
                .db("cannot find expired documents")?;
            let rows = stmt
                .query_map([now.0], |r| r.get(0))
                .db("cannot find expired documents")?;
            rows.collect::<Result<Vec<_>, _>>()
                .db("cannot find expired documents")?
        };
        let mut purged = Vec::new();
        for id in expired {
            let deleted = self.write(actor, |tx| {
                let n = tx
                    .execute(
                        "DELETE FROM request_documents WHERE case_id = ?1 AND delete_after <= ?2",
                        params![id, now.0],
                    )
                    .db("cannot delete the case's document")?;
                if n > 0 {
                    append_step(tx, id, actor, now, "document-deleted", &json!({"why": "kept for the configured number of days and not marked delivered"}))?;
                }
                Ok((n > 0, audit(id, "document-deleted", json!({"expired": true}))))
            })?;
            if deleted {
                purged.push(id);
            }
        }
        Ok(purged)
    }

    fn case_counts(&self, now: Timestamp) -> Result<CaseCounts> {
        let conn = self.reader()?;
        let mut stmt = conn
            .prepare("SELECT due_at FROM request_cases WHERE status = 'open'")
            .db("cannot count the request cases")?;
        let dues = stmt
            .query_map([], |r| r.get::<_, i64>(0))
            .db("cannot count the request cases")?;
        let mut counts = CaseCounts::default();
        for due in dues {
            let due = Timestamp(due.db("cannot count the request cases")?);
            counts.open += 1;
            if is_overdue(due, now) {
                counts.overdue += 1;
            } else if due_within(due, now, 7) {
                counts.due_within_7_days += 1;
            }
        }
        Ok(counts)
    }
}
