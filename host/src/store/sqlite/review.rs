//! The review queue: a rule's "review" decision becomes an item a DPO resolves: keep (with a reason
//! and a date to look again), erase or anonymise. Each resolution is one transaction with its audit
//! entry; a kept contact is not queued again before its review-after date.

use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::json;

use super::rows::{now, ts, AuditDraft};
use super::SqliteStore;
use crate::domain::{Actor, ContactId, Timestamp};
use crate::store::error::{DbContext, StoreError};
use crate::store::runs::{ReviewItem, ReviewResolution, RunDecision};
use crate::store::{ErasureCause, Result, ReviewStore};

/// Queues a review of the decision's contact, unless one is open or a DPO kept it until after `at`.
pub(super) fn open_item(
    tx: &Transaction<'_>,
    run: i64,
    d: &RunDecision,
    at: Timestamp,
) -> Result<bool> {
    let id = d.decision.contact_id;
    let waiting: bool = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM review_items WHERE contact_id = ?1
                 AND (state = 'open' OR (state = 'kept' AND review_after > ?2)))",
        )
        .and_then(|mut s| s.query_row(params![id.0, at.0], |r| r.get(0)))
        .db("cannot read the review queue")?;
    if waiting {
        return Ok(false);
    }
    tx.prepare_cached(
        "INSERT INTO review_items (contact_id, run_id, reason, legal_reference, rules, created_at, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open')",
    )
    .and_then(|mut s| {
        s.execute(params![
            id.0,
            run,
            d.decision.reason,
            d.decision.legal_reference,
            serde_json::to_string(&d.rules).expect("serialises"),
            at.0
        ])
    })
    .db("cannot queue the review")?;
    Ok(true)
}

const COLUMNS: &str = "id, contact_id, run_id, reason, legal_reference, rules, created_at, state, resolved_at, resolved_by, resolution, review_after";

fn item_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReviewItem> {
    let rules: String = r.get(5)?;
    Ok(ReviewItem {
        id: r.get(0)?,
        contact_id: ContactId(r.get(1)?),
        run_id: r.get(2)?,
        reason: r.get(3)?,
        legal_reference: r.get(4)?,
        rules: serde_json::from_str(&rules).unwrap_or_default(),
        created_at: Timestamp(r.get(6)?),
        state: r.get(7)?,
        resolved_at: ts(r.get(8)?),
        resolved_by: r.get(9)?,
        resolution: r.get(10)?,
        review_after: ts(r.get(11)?),
    })
}

fn item(conn: &rusqlite::Connection, id: i64) -> Result<ReviewItem> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM review_items WHERE id = ?1"))
        .and_then(|mut s| s.query_row([id], item_row).optional())
        .db("cannot read the review queue")?
        .ok_or_else(|| StoreError::not_found(format!("review item {id}")))
}

impl ReviewStore for SqliteStore {
    fn review_items(
        &self,
        open_only: bool,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ReviewItem>> {
        let conn = self.reader()?;
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM review_items WHERE id > ?1 AND (?2 = 0 OR state = 'open') ORDER BY id LIMIT ?3"
            ))
            .db("cannot read the review queue")?;
        let items = stmt
            .query_map(
                params![after.unwrap_or(0), open_only as i64, limit],
                item_row,
            )
            .and_then(|rows| rows.collect())
            .db("cannot read the review queue")?;
        Ok(items)
    }

    fn review_resolve(
        &self,
        actor: &Actor,
        id: i64,
        resolution: &ReviewResolution,
    ) -> Result<ReviewItem> {
        let mut erased = false;
        let resolved = self.write(actor, |tx| {
            let open = item(tx, id)?;
            if open.state != "open" {
                return Err(StoreError::Conflict(format!(
                    "review item {id} was already resolved ({}) by {} on {}: a new run queues the contact again when a rule asks",
                    open.state,
                    open.resolved_by.as_deref().unwrap_or("?"),
                    open.resolved_at.map(|t| t.date_string()).unwrap_or_default()
                )));
            }
            let contact = open.contact_id;
            let (state, reason, review_after, mut draft) = match resolution {
                ReviewResolution::Keep { reason, review_after } => {
                    if *review_after <= now() {
                        return Err(StoreError::invalid(
                            "review_after",
                            "a kept item needs a date in the future to be looked at again, e.g. `2027-06-30`",
                        ));
                    }
                    let draft = AuditDraft::contact("retention.review-keep", contact, json!({ "reason": reason.trim(), "review_after": review_after }));
                    ("kept", reason, Some(*review_after), draft)
                }
                ReviewResolution::Erase { reason } => {
                    erased = true;
                    let (_, draft) = self.erase_in(tx, contact, reason, now(), ErasureCause::Retention)?;
                    ("erased", reason, None, draft)
                }
                ReviewResolution::Anonymise { reason, categories } => {
                    let (_, draft) = self.anonymise_in(tx, contact, categories, reason, ErasureCause::Retention)?;
                    ("anonymised", reason, None, draft)
                }
            };
            let reason = reason.trim();
            if reason.is_empty() || reason.chars().count() > 200 {
                return Err(StoreError::invalid(
                    "reason",
                    "give a short reason without personal data (up to 200 characters), e.g. `active contract until 2027, see ticket 88`",
                ));
            }
            draft.details["review_item"] = json!(id);
            tx.prepare_cached(
                "UPDATE review_items SET state = ?2, resolved_at = ?3, resolved_by = ?4, resolution = ?5, review_after = ?6 WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(params![id, state, now().0, actor.name, reason, review_after.map(|t| t.0)]))
            .db("cannot resolve the review item")?;
            Ok((item(tx, id)?, draft))
        })?;
        if erased {
            self.purge_files();
        }
        Ok(resolved)
    }
}
