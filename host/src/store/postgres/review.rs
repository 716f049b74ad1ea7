//! The review queue on PostgreSQL (the twin of `sqlite/review.rs`): a rule's "review" decision
//! becomes an item a DPO resolves: keep (with a reason and a date to look again), erase or
//! anonymise. Each resolution is one transaction with its audit entry, under the writer lock, so two
//! servers cannot resolve one item twice; a kept contact is not queued again before its review-after
//! date.

use postgres::{GenericClient, Row, Transaction};
use serde_json::json;

use super::PostgresStore;
use crate::domain::{Actor, ContactId, Timestamp};
use crate::store::common::AuditDraft;
use crate::store::error::{DbContext, StoreError};
use crate::store::runs::{ReviewItem, ReviewResolution, RunDecision};
use crate::store::{ErasureCause, Result, ReviewStore};

/// Queues a review of the decision's contact, unless one is open or a DPO kept it until after `at`.
/// The caller holds the writer lock.
pub(super) fn open_item(
    tx: &mut Transaction<'_>,
    run: i64,
    d: &RunDecision,
    at: Timestamp,
) -> Result<bool> {
    let id = d.decision.contact_id;
    let waiting: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM review_items WHERE contact_id = $1
                 AND (state = 'open' OR (state = 'kept' AND review_after > $2)))",
            &[&id.0, &at.0],
        )
        .db("cannot read the review queue")?
        .get(0);
    if waiting {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO review_items (contact_id, run_id, reason, legal_reference, rules, created_at, state)
         VALUES ($1, $2, $3, $4, $5, $6, 'open')",
        &[
            &id.0,
            &run,
            &d.decision.reason,
            &d.decision.legal_reference,
            &serde_json::to_string(&d.rules).expect("serialises"),
            &at.0,
        ],
    )
    .db("cannot queue the review")?;
    Ok(true)
}

const COLUMNS: &str = "id, contact_id, run_id, reason, legal_reference, rules, created_at, state, resolved_at, resolved_by, resolution, review_after";

fn item_row(r: &Row) -> ReviewItem {
    let rules: String = r.get(5);
    ReviewItem {
        id: r.get(0),
        contact_id: ContactId(r.get(1)),
        run_id: r.get(2),
        reason: r.get(3),
        legal_reference: r.get(4),
        rules: serde_json::from_str(&rules).unwrap_or_default(),
        created_at: Timestamp(r.get(6)),
        state: r.get(7),
        resolved_at: r.get::<_, Option<i64>>(8).map(Timestamp),
        resolved_by: r.get(9),
        resolution: r.get(10),
        review_after: r.get::<_, Option<i64>>(11).map(Timestamp),
    }
}

fn item(client: &mut impl GenericClient, id: i64) -> Result<ReviewItem> {
    client
        .query_opt(
            &format!("SELECT {COLUMNS} FROM review_items WHERE id = $1"),
            &[&id],
        )
        .db("cannot read the review queue")?
        .as_ref()
        .map(item_row)
        .ok_or_else(|| StoreError::not_found(format!("review item {id}")))
}

impl ReviewStore for PostgresStore {
    fn review_items(
        &self,
        open_only: bool,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ReviewItem>> {
        Ok(self
            .conn()?
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM review_items WHERE id > $1 AND (NOT $2 OR state = 'open') ORDER BY id LIMIT $3"
                ),
                &[&after.unwrap_or(0), &open_only, &i64::from(limit)],
            )
            .db("cannot read the review queue")?
            .iter()
            .map(item_row)
            .collect())
    }

    fn review_resolve(
        &self,
        actor: &Actor,
        id: i64,
        resolution: &ReviewResolution,
    ) -> Result<ReviewItem> {
        self.write(actor, |tx| {
            // Read under the writer lock: a resolution on another server committed before is seen.
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
                    if *review_after <= Timestamp::now() {
                        return Err(StoreError::invalid(
                            "review_after",
                            "a kept item needs a date in the future to be looked at again, e.g. `2027-06-30`",
                        ));
                    }
                    let draft = AuditDraft::contact("retention.review-keep", contact, json!({ "reason": reason.trim(), "review_after": review_after }));
                    ("kept", reason, Some(*review_after), draft)
                }
                ReviewResolution::Erase { reason } => {
                    let (_, draft) = self.erase_in(tx, contact, reason, Timestamp::now(), ErasureCause::Retention)?;
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
            tx.execute(
                "UPDATE review_items SET state = $2, resolved_at = $3, resolved_by = $4, resolution = $5, review_after = $6 WHERE id = $1",
                &[&id, &state, &Timestamp::now().0, &actor.name, &reason, &review_after.map(|t| t.0)],
            )
            .db("cannot resolve the review item")?;
            Ok((item(tx, id)?, draft))
        })
    }
}
