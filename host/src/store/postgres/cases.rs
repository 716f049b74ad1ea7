//! Request cases on PostgreSQL (the twin of `sqlite/cases.rs`): the case row, its append-only
//! history, its document.

use postgres::{GenericClient, Row, Transaction};
use serde_json::json;

use super::PostgresStore;
use crate::domain::deadline::{due_within, is_overdue};
use crate::domain::{Actor, CaseStatus, ContactId, IdentityCheck, RequestKind, Timestamp};
use crate::store::cases::*;
use crate::store::common::AuditDraft;
use crate::store::error::{DbContext, StoreError};
use crate::store::Result;

const COLUMNS: &str = "c.id, c.kind, c.subject, c.contact_id, c.channel, c.notes, c.language, \
    c.received_at, c.first_due_at, c.due_at, c.extended_months, c.status, c.identity, c.answer, \
    c.recipients, c.duplicate_of, c.opened_at, c.updated_at, \
    d.file_name, d.media_type, octet_length(d.bytes)::BIGINT, d.sha256, d.created_at, d.delete_after";

const FROM: &str = "request_cases c LEFT JOIN request_documents d ON d.case_id = c.id";

/// A stored vocabulary word this version does not know: written by a newer Custode.
fn parse<T>(
    text: String,
    f: fn(&str, &str) -> Result<T, crate::domain::InvalidInput>,
) -> Result<T> {
    f("case", &text).map_err(|e| {
        StoreError::Setup(format!(
            "cannot read the request case: {} (a newer Custode wrote it: upgrade this server)",
            e.message
        ))
    })
}

fn case_row(r: &Row, now: Timestamp) -> Result<Case> {
    let status = parse(r.get(11), CaseStatus::parse)?;
    let due_at = Timestamp(r.get(9));
    let document = r
        .get::<_, Option<String>>(18)
        .map(|file_name| CaseDocumentInfo {
            file_name,
            media_type: r.get(19),
            size: r.get::<_, i64>(20) as u64,
            sha256: r.get(21),
            created_at: Timestamp(r.get(22)),
            delete_after: Timestamp(r.get(23)),
        });
    Ok(Case {
        id: r.get(0),
        kind: parse(r.get(1), RequestKind::parse)?,
        subject: r.get(2),
        contact_id: r.get::<_, Option<i64>>(3).map(ContactId),
        channel: r.get(4),
        notes: r.get(5),
        language: r.get(6),
        received_at: Timestamp(r.get(7)),
        first_due_at: Timestamp(r.get(8)),
        due_at,
        extended_months: u32::try_from(r.get::<_, i64>(10)).unwrap_or(u32::MAX),
        overdue: status == CaseStatus::Open && is_overdue(due_at, now),
        status,
        identity: parse(r.get(12), IdentityCheck::parse)?,
        answer: r.get(13),
        recipients: serde_json::from_str(&r.get::<_, String>(14)).unwrap_or_default(),
        duplicate_of: serde_json::from_str(&r.get::<_, String>(15)).unwrap_or_default(),
        opened_at: Timestamp(r.get(16)),
        updated_at: Timestamp(r.get(17)),
        document,
        history: Vec::new(),
    })
}

/// The case and its history; the caller reads both in one snapshot (a transaction).
fn read_case(client: &mut impl GenericClient, id: i64, now: Timestamp) -> Result<Case> {
    let row = client
        .query_opt(
            &format!("SELECT {COLUMNS} FROM {FROM} WHERE c.id = $1"),
            &[&id],
        )
        .db("cannot read the request case")?;
    let mut case = match row {
        Some(r) => case_row(&r, now)?,
        None => {
            return Err(StoreError::not_found_hint(
                format!("request case {id}"),
                "list the cases with `GET /api/v1/requests` or `custode requests list`",
            ))
        }
    };
    let steps = client
        .query(
            "SELECT at, actor, action, details FROM request_case_steps WHERE case_id = $1 ORDER BY seq",
            &[&id],
        )
        .db("cannot read the case's history")?;
    case.history = steps
        .iter()
        .map(|r| CaseStep {
            at: Timestamp(r.get(0)),
            actor: r.get(1),
            action: r.get(2),
            details: serde_json::from_str(&r.get::<_, String>(3))
                .unwrap_or(serde_json::Value::Null),
        })
        .collect();
    Ok(case)
}

fn append_step(
    tx: &mut Transaction<'_>,
    id: i64,
    actor: &Actor,
    now: Timestamp,
    action: &str,
    details: &serde_json::Value,
) -> Result<()> {
    // The writer lock is held: no other server numbers a step of this case meanwhile.
    tx.execute(
        "INSERT INTO request_case_steps (case_id, seq, at, actor, action, details)
         VALUES ($1, (SELECT coalesce(max(seq), 0) + 1 FROM request_case_steps WHERE case_id = $1), $2, $3, $4, $5)",
        &[&id, &now.0, &actor.name, &action, &details.to_string()],
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

impl CaseStore for PostgresStore {
    fn open_case(&self, actor: &Actor, new: &NewCase, now: Timestamp) -> Result<Case> {
        let id = self.write(actor, |tx| {
            let mut duplicates = Vec::new();
            if let Some(key) = &new.subject_key {
                duplicates = tx
                    .query(
                        "SELECT id FROM request_cases WHERE subject_key = $1 AND kind = $2 AND status = 'open' ORDER BY id",
                        &[key, &new.kind.as_str()],
                    )
                    .db("cannot look for duplicate cases")?
                    .iter()
                    .map(|r| r.get::<_, i64>(0))
                    .collect();
            }
            let id: i64 = tx
                .query_one(
                    "INSERT INTO request_cases (kind, subject, subject_key, contact_id, channel, notes, language,
                         received_at, first_due_at, due_at, status, identity, duplicate_of, opened_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 'open', 'unverified', $10, $11, $11)
                     RETURNING id",
                    &[
                        &new.kind.as_str(),
                        &new.subject,
                        &new.subject_key,
                        &new.contact.map(|c| c.0),
                        &new.channel,
                        &new.notes,
                        &new.language,
                        &new.received_at.0,
                        &new.due_at.0,
                        &serde_json::to_string(&duplicates).unwrap_or_else(|_| "[]".into()),
                        &now.0,
                    ],
                )
                .db("cannot open the request case")?
                .get(0);
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
        let mut conn = self.conn()?;
        // One snapshot: the case and its history agree even while another server adds a step.
        let mut tx = super::snapshot(&mut conn, "cannot read the request case")?;
        read_case(&mut tx, id, now)
    }

    fn cases(&self, filter: &CaseFilter, now: Timestamp) -> Result<Vec<Case>> {
        // The due day ends 86 400 s after its midnight.
        let overdue_before = filter.overdue_at.map(|at| at.0 - 86_400);
        let rows = self
            .conn()?
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM {FROM}
                     WHERE ($1::TEXT IS NULL OR c.status = $1)
                       AND ($2::TEXT IS NULL OR c.kind = $2)
                       AND ($3::BIGINT IS NULL OR c.due_at <= $3)
                       AND ($4::BIGINT IS NULL OR (c.status = 'open' AND c.due_at <= $4))
                     ORDER BY c.due_at, c.id LIMIT $5"
                ),
                &[
                    &filter.status.map(|s| s.as_str()),
                    &filter.kind.map(|k| k.as_str()),
                    &filter.due_before.map(|t| t.0),
                    &overdue_before,
                    &i64::from(filter.limit.clamp(1, 1000)),
                ],
            )
            .db("cannot list the request cases")?;
        rows.iter().map(|r| case_row(r, now)).collect()
    }

    fn change_case(
        &self,
        actor: &Actor,
        id: i64,
        now: Timestamp,
        decide: &mut dyn FnMut(&Case) -> Result<CaseChange>,
    ) -> Result<Case> {
        self.write(actor, |tx| {
            // Read under the writer lock: no other server changes the case between this read and
            // the update.
            let case = read_case(tx, id, now)?;
            let change = decide(&case)?;
            let status = change.status.unwrap_or(case.status);
            let identity = change.identity.unwrap_or(case.identity);
            let (due_at, extended) = change.due.unwrap_or((case.due_at, case.extended_months));
            let answer = change.answer.clone().or(case.answer.clone());
            let recipients = change.recipients.clone().unwrap_or(case.recipients.clone());
            tx.execute(
                "UPDATE request_cases SET status = $2, identity = $3, due_at = $4, extended_months = $5,
                     answer = $6, recipients = $7, updated_at = $8 WHERE id = $1",
                &[
                    &id,
                    &status.as_str(),
                    &identity.as_str(),
                    &due_at.0,
                    &i64::from(extended),
                    &answer,
                    &serde_json::to_string(&recipients).unwrap_or_else(|_| "[]".into()),
                    &now.0,
                ],
            )
            .db("cannot change the request case")?;
            let mut audited = json!({ "status": status, "identity": identity, "due_at": due_at });
            if change.delete_document {
                let deleted = tx
                    .execute("DELETE FROM request_documents WHERE case_id = $1", &[&id])
                    .db("cannot delete the case's document")?;
                audited["document_deleted"] = json!(deleted > 0);
            }
            if let Some(doc) = &change.document {
                tx.execute(
                    "INSERT INTO request_documents (case_id, file_name, media_type, bytes, sha256, created_at, delete_after)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (case_id) DO UPDATE SET file_name = excluded.file_name,
                         media_type = excluded.media_type, bytes = excluded.bytes, sha256 = excluded.sha256,
                         created_at = excluded.created_at, delete_after = excluded.delete_after",
                    &[
                        &id,
                        &doc.info.file_name,
                        &doc.info.media_type,
                        &doc.bytes,
                        &doc.info.sha256,
                        &doc.info.created_at.0,
                        &doc.info.delete_after.0,
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
        let row = self
            .conn()?
            .query_opt(
                "SELECT file_name, media_type, bytes, sha256, created_at, delete_after FROM request_documents WHERE case_id = $1",
                &[&id],
            )
            .db("cannot read the case's document")?;
        Ok(row.map(|r| {
            let bytes: Vec<u8> = r.get(2);
            CaseDocument {
                info: CaseDocumentInfo {
                    file_name: r.get(0),
                    media_type: r.get(1),
                    size: bytes.len() as u64,
                    sha256: r.get(3),
                    created_at: Timestamp(r.get(4)),
                    delete_after: Timestamp(r.get(5)),
                },
                bytes,
            }
        }))
    }

    fn purge_case_documents(&self, actor: &Actor, now: Timestamp) -> Result<Vec<i64>> {
        let expired: Vec<i64> = self
            .conn()?
            .query(
                "SELECT case_id FROM request_documents WHERE delete_after <= $1 ORDER BY case_id",
                &[&now.0],
            )
            .db("cannot find expired documents")?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut purged = Vec::new();
        for id in expired {
            // Another server purging at the same time deletes each document once: the second
            // finds nothing left under the writer lock and records no step.
            let deleted = self.write(actor, |tx| {
                let n = tx
                    .execute(
                        "DELETE FROM request_documents WHERE case_id = $1 AND delete_after <= $2",
                        &[&id, &now.0],
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
        let rows = self
            .conn()?
            .query(
                "SELECT due_at FROM request_cases WHERE status = 'open'",
                &[],
            )
            .db("cannot count the request cases")?;
        let mut counts = CaseCounts::default();
        for r in &rows {
            let due = Timestamp(r.get(0));
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
