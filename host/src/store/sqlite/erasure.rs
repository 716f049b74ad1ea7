//! Erasure (Art. 17) and anonymisation. Erasure removes every personal value of a contact from every
//! table, keeps what a legal obligation requires (and says so), puts the identities' keyed hashes on the
//! suppression list, and then purges the bytes from the database files: `secure_delete` zeroes freed
//! content, and a TRUNCATE checkpoint rewrites the pages and empties the WAL, which still held the old
//! page images.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::json;

use super::pool::BUSY_TIMEOUT;
use super::records::fields_json;
use super::rows::contact::{former_identities_of, identities_of};
use super::rows::{now, AuditDraft};
use super::suppression::add_to_list;
use super::SqliteStore;
use crate::domain::{
    Actor, ContactId, DataCategory, FieldValue, LegalBasis, SuppressionScope, Timestamp,
};
use crate::store::common::checks::{check_reason, ANONYMISED};
use crate::store::error::{DbContext, StoreError};
use crate::store::{
    AnonymisationReport, ErasureCause, ErasureReport, ErasureStore, KeptData, PurgeReport, Result,
};

/// Erasure and anonymisation are refused for an erased contact or one under legal hold; decided by a
/// retention rule, also for a restricted one (Art. 18: restricted data is only stored, and erasing it
/// is a processing the restriction forbids; a person may still erase it on request).
fn erasable(tx: &Transaction<'_>, id: ContactId, what: &str, cause: ErasureCause) -> Result<()> {
    type Row = (Option<i64>, Option<i64>, Option<i64>);
    let row: Option<Row> = tx
        .prepare_cached(
            "SELECT erased_at, legal_hold_since, restricted_since FROM contacts WHERE id = ?1",
        )
        .and_then(|mut s| {
            s.query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()
        })
        .db("cannot read the contact")?;
    match row {
        None => Err(StoreError::not_found(id.to_string())),
        Some((Some(at), _, _)) => Err(StoreError::Erased {
            contact: id,
            at: Timestamp(at),
        }),
        Some((None, Some(hold), _)) => Err(StoreError::Conflict(format!(
            "{id} is under a legal hold since {}: {what} is forbidden until the hold is lifted",
            Timestamp(hold).date_string()
        ))),
        Some((None, None, Some(since))) if cause == ErasureCause::Retention => {
            Err(StoreError::Conflict(format!(
                "{id} is restricted since {} (Art. 18): a retention rule may not carry out {what}, since restricted data must be kept; a DPO reviews it: lift the restriction, or carry out {what} as the person's request",
                Timestamp(since).date_string()
            )))
        }
        Some((None, None, _)) => Ok(()),
    }
}

/// Rewrites every field-values row of the contact through `keep`, which edits the map of a row; rows
/// left empty are deleted when `delete_empty`. Returns how many values were changed or dropped.
fn rewrite_values(
    tx: &Transaction<'_>,
    id: ContactId,
    delete_empty: bool,
    mut edit: impl FnMut(&mut BTreeMap<String, String>) -> u32,
) -> Result<u32> {
    let rows: Vec<(i64, String)> = {
        let mut stmt = tx
            .prepare_cached("SELECT seq, fields FROM field_values WHERE contact_id = ?1")
            .db("field values")?;
        let rows = stmt
            .query_map([id.0], |r| Ok((r.get(0)?, r.get(1)?)))
            .db("field values")?;
        rows.collect::<Result<_, _>>().db("field values")?
    };
    let mut changed = 0;
    let mut json = String::new();
    for (seq, text) in rows {
        let mut map: BTreeMap<String, String> = serde_json::from_str(&text).unwrap_or_default();
        let n = edit(&mut map);
        if n == 0 && !map.is_empty() {
            continue;
        }
        changed += n;
        if map.is_empty() && delete_empty {
            tx.prepare_cached("DELETE FROM field_values WHERE contact_id = ?1 AND seq = ?2")
                .and_then(|mut s| s.execute(params![id.0, seq]))
                .db("cannot erase field values")?;
        } else {
            let values: Vec<FieldValue> = map
                .into_iter()
                .map(|(name, value)| FieldValue { name, value })
                .collect();
            fields_json(&mut json, &values);
            tx.prepare_cached("UPDATE field_values SET fields = ?3, record_digest = NULL WHERE contact_id = ?1 AND seq = ?2")
                .and_then(|mut s| s.execute(params![id.0, seq, json]))
                .db("cannot rewrite field values")?;
        }
    }
    Ok(changed)
}

/// Purposes for which a legal obligation to keep data is in force at `now`, with its end.
fn obligations(
    store: &SqliteStore,
    tx: &Connection,
    id: ContactId,
    now: Timestamp,
) -> Result<BTreeMap<String, Option<Timestamp>>> {
    let mut stmt = tx
        .prepare_cached(
            "SELECT purpose_id, end FROM legal_bases WHERE contact_id = ?1 AND basis = ?2 AND start <= ?3 AND (end IS NULL OR end > ?3)",
        )
        .db("cannot read the legal bases")?;
    let rows = stmt
        .query_map(
            params![id.0, LegalBasis::LegalObligation.code(), now.0],
            |r| {
                Ok((
                    store.purposes.name(r.get(0)?),
                    r.get::<_, Option<i64>>(1)?.map(Timestamp),
                ))
            },
        )
        .db("cannot read the legal bases")?;
    rows.collect::<Result<_, _>>()
        .db("cannot read the legal bases")
}

/// How long a purge waits for other readers to leave their snapshots.
const PURGE_WAIT: std::time::Duration = std::time::Duration::from_millis(250);

impl SqliteStore {
    /// Empties the WAL into the database file and truncates it; false if a reader's snapshot held it up.
    pub(super) fn purge_files(&self) -> bool {
        // An HTTP erasure whose writer wait ran out leaves the purge to the next erasure or backup.
        let Ok(conn) = self.writer() else {
            return false;
        };
        // Idle readers gave up their snapshots when the erasure committed (`written`), and this
        // process's busy ones give theirs up within 50 ms (pool.rs); a reader that holds one longer
        // (an export in another process) is not waited for: the next erasure or backup retries.
        // The store's checkpoint thread would make SQLite answer this one "busy" at once.
        let _checkpoints = self.checkpoint_lock();
        let _ = conn.busy_timeout(PURGE_WAIT);
        let busy: rusqlite::Result<i64> =
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0));
        let _ = conn.busy_timeout(BUSY_TIMEOUT);
        matches!(busy, Ok(0))
    }
}

impl ErasureStore for SqliteStore {
    fn erase(
        &self,
        actor: &Actor,
        id: ContactId,
        reason: &str,
        now: Timestamp,
        cause: ErasureCause,
    ) -> Result<ErasureReport> {
        let mut report = self.write(actor, |tx| self.erase_in(tx, id, reason, now, cause))?;
        report.files_purged = self.purge_files();
        Ok(report)
    }

    fn purge_erased(&self, actor: &Actor) -> Result<PurgeReport> {
        let purged = self.purge_files();
        let detail = if purged {
            "the write-ahead log was copied into the database file and emptied: erased data is in no file"
        } else {
            "a reader held an old snapshot (an export in another process?): run `custode purge` again when it ends"
        };
        self.write(actor, |_| {
            Ok((
                (),
                AuditDraft::new("store.purge", "database", json!({ "purged": purged })),
            ))
        })?;
        Ok(PurgeReport {
            purged,
            detail: detail.into(),
        })
    }

    fn anonymise(
        &self,
        actor: &Actor,
        id: ContactId,
        categories: &[DataCategory],
        reason: &str,
        cause: ErasureCause,
    ) -> Result<AnonymisationReport> {
        let report = self.write(actor, |tx| {
            self.anonymise_in(tx, id, categories, reason, cause)
        })?;
        self.purge_files();
        Ok(report)
    }
}

impl SqliteStore {
    /// Erases the contact inside `tx` (the caller commits it with the returned audit entry): one
    /// erasure alone, or one of a retention run's batch.
    pub(super) fn erase_in(
        &self,
        tx: &Transaction<'_>,
        id: ContactId,
        reason: &str,
        now: Timestamp,
        cause: ErasureCause,
    ) -> Result<(ErasureReport, AuditDraft)> {
        check_reason(reason, "request of 2026-03-01, ticket 123")?;
        erasable(tx, id, "erasure", cause)?;
        let keep_for = obligations(self, tx, id, now)?;
        let identities = identities_of(tx, id)?;
        let former = former_identities_of(tx, id)?;
        // Former identities too: an old spreadsheet with the person's previous email must not
        // bring them back.
        for identity in identities
            .iter()
            .map(|(i, _)| i)
            .chain(former.iter().map(|f| &f.identity))
        {
            add_to_list(self, tx, identity, "erased", &SuppressionScope::All, now)?;
        }
        // Provenance rows this contact used, to drop the manual ones nobody else refers to.
        let provenance: BTreeSet<i64> = {
            let mut stmt = tx
                .prepare_cached(
                    "SELECT provenance_id FROM field_values WHERE contact_id = ?1
                     UNION SELECT provenance_id FROM identities WHERE contact_id = ?1 AND provenance_id IS NOT NULL
                     UNION SELECT provenance_id FROM former_identities WHERE contact_id = ?1 AND provenance_id IS NOT NULL
                     UNION SELECT removed_by FROM former_identities WHERE contact_id = ?1",
                )
                .db("provenance")?;
            let rows = stmt.query_map([id.0], |r| r.get(0)).db("provenance")?;
            rows.collect::<Result<_, _>>().db("provenance")?
        };
        // Marks the contact erased first: the ledger's trigger allows deletions only then.
        tx.prepare_cached(
            "UPDATE contacts SET erased_at = ?2, updated_at = ?2, last_interaction = NULL, last_collected_at = NULL, first_notice_at = NULL,
                    restricted_since = NULL, suppressed_since = NULL, suppressed_purposes = NULL, anonymised = NULL
             WHERE id = ?1",
        )
        .and_then(|mut s| s.execute(params![id.0, now.0]))
        .db("cannot mark the contact erased")?;
        tx.prepare_cached("DELETE FROM identities WHERE contact_id = ?1")
            .and_then(|mut s| s.execute([id.0]))
            .db("cannot erase identities")?;
        tx.prepare_cached("DELETE FROM former_identities WHERE contact_id = ?1")
            .and_then(|mut s| s.execute([id.0]))
            .db("cannot erase former identities")?;
        // With the columns cleared above: the list keeps the hashes and their periods; a
        // question about the contact is answered "erased" whatever the time.
        tx.prepare_cached("DELETE FROM contact_suppressions WHERE contact_id = ?1")
            .and_then(|mut s| s.execute([id.0]))
            .db("cannot erase the suppression periods")?;
        tx.prepare_cached("DELETE FROM restrictions WHERE contact_id = ?1")
            .and_then(|mut s| s.execute([id.0]))
            .db("cannot erase the restrictions")?;
        let mut kept: Vec<KeptData> = Vec::new();
        let erased_values = rewrite_values(tx, id, true, |map| {
            let before = map.len() as u32;
            map.retain(|name, _| {
                let Some(field) = self.policy.catalogue.field(name) else {
                    return false;
                };
                let Some((purpose, until)) =
                    keep_for.iter().find(|(p, _)| field.purposes.contains(p))
                else {
                    return false;
                };
                if !kept.iter().any(|k| k.field == *name) {
                    kept.push(KeptData {
                        field: name.clone(),
                        category: field.category,
                        purpose: purpose.clone(),
                        until: *until,
                    });
                }
                true
            });
            before - map.len() as u32
        })?;
        let events = tx
            .prepare_cached("DELETE FROM consent_events WHERE contact_id = ?1")
            .and_then(|mut s| s.execute([id.0]))
            .db("cannot erase consent events")?;
        tx.prepare_cached("DELETE FROM notice_receipts WHERE contact_id = ?1")
            .and_then(|mut s| s.execute([id.0]))
            .db("cannot erase notice receipts")?;
        tx.prepare_cached("DELETE FROM legal_bases WHERE contact_id = ?1 AND NOT (basis = ?2 AND (end IS NULL OR end > ?3))")
            .and_then(|mut s| s.execute(params![id.0, LegalBasis::LegalObligation.code(), now.0]))
            .db("cannot erase legal bases")?;
        if kept.is_empty() {
            tx.prepare_cached("DELETE FROM legal_bases WHERE contact_id = ?1")
                .and_then(|mut s| s.execute([id.0]))
                .db("cannot erase legal bases")?;
        }
        for p in provenance {
            tx.prepare_cached(
                "DELETE FROM provenance WHERE id = ?1 AND batch_id IS NULL
                 AND NOT EXISTS (SELECT 1 FROM field_values WHERE provenance_id = ?1)
                 AND NOT EXISTS (SELECT 1 FROM identities WHERE provenance_id = ?1)",
            )
            .and_then(|mut s| s.execute([p]))
            .db("cannot erase provenance")?;
        }
        let report = ErasureReport {
            contact: id,
            erased_at: now,
            identities_suppressed: identities.len() as u32,
            field_values_erased: erased_values,
            consent_events_erased: events as u32,
            kept,
            files_purged: false,
        };
        let details = json!({
            "reason": reason.trim(),
            "cause": cause.as_str(),
            "identities_suppressed": report.identities_suppressed,
            "field_values_erased": report.field_values_erased,
            "consent_events_erased": report.consent_events_erased,
            "kept": report.kept.iter().map(|k| json!({ "field": k.field, "purpose": k.purpose })).collect::<Vec<_>>(),
        });
        Ok((report, AuditDraft::contact("contact.erase", id, details)))
    }

    /// Anonymises the categories of the contact inside `tx` (see [`Self::erase_in`]).
    pub(super) fn anonymise_in(
        &self,
        tx: &Transaction<'_>,
        id: ContactId,
        categories: &[DataCategory],
        reason: &str,
        cause: ErasureCause,
    ) -> Result<(AnonymisationReport, AuditDraft)> {
        check_reason(reason, "request of 2026-03-01, ticket 123")?;
        if categories.is_empty() {
            return Err(StoreError::invalid(
                "categories",
                "name the data categories to anonymise, e.g. `contact`, `commercial`",
            ));
        }
        erasable(tx, id, "anonymisation", cause)?;
        let replaced = rewrite_values(tx, id, false, |map| {
            let mut n = 0;
            for (name, value) in map.iter_mut() {
                let cat = self
                    .policy
                    .catalogue
                    .field(name)
                    .map_or(DataCategory::Notes, |f| f.category);
                if categories.contains(&cat) && value != ANONYMISED {
                    *value = ANONYMISED.to_string();
                    n += 1;
                }
            }
            n
        })?;
        let mut identities_removed = 0;
        if categories.contains(&DataCategory::Contact) {
            // Identities are contact data; evidence text and manual source labels may name the person.
            // Their keyed hashes go on the suppression list, as at erasure: re-importing the
            // file the person came from must not make them identifiable again.
            let now = Timestamp(now().0);
            let current = identities_of(tx, id)?;
            let former = former_identities_of(tx, id)?;
            for identity in current
                .iter()
                .map(|(i, _)| i)
                .chain(former.iter().map(|f| &f.identity))
            {
                add_to_list(
                    self,
                    tx,
                    identity,
                    "anonymised",
                    &SuppressionScope::All,
                    now,
                )?;
            }
            tx.prepare_cached("DELETE FROM former_identities WHERE contact_id = ?1")
                .and_then(|mut s| s.execute([id.0]))
                .db("cannot remove former identities")?;
            identities_removed = tx
                .prepare_cached("DELETE FROM identities WHERE contact_id = ?1")
                .and_then(|mut s| s.execute([id.0]))
                .db("cannot remove identities")? as u32;
            tx.prepare_cached("UPDATE consent_events SET evidence = NULL WHERE contact_id = ?1 AND evidence IS NOT NULL")
                .and_then(|mut s| s.execute([id.0]))
                .db("cannot blank consent evidence")?;
            tx.prepare_cached(
                "UPDATE provenance SET source_label = 'manual entry (anonymised)' WHERE batch_id IS NULL
                 AND id IN (SELECT provenance_id FROM field_values WHERE contact_id = ?1)",
            )
            .and_then(|mut s| s.execute([id.0]))
            .db("cannot anonymise provenance")?;
        }
        let previous: Option<String> = tx
            .prepare_cached("SELECT anonymised FROM contacts WHERE id = ?1")
            .and_then(|mut s| s.query_row([id.0], |r| r.get(0)))
            .db("cannot read the contact")?;
        let mut all: BTreeSet<DataCategory> = previous
            .and_then(|p| serde_json::from_str::<Vec<DataCategory>>(&p).ok())
            .unwrap_or_default()
            .into_iter()
            .collect();
        all.extend(categories.iter().copied());
        let all: Vec<DataCategory> = all.into_iter().collect();
        tx.prepare_cached("UPDATE contacts SET anonymised = ?2, updated_at = ?3 WHERE id = ?1")
            .and_then(|mut s| {
                s.execute(params![
                    id.0,
                    serde_json::to_string(&all).expect("serialises"),
                    now().0
                ])
            })
            .db("cannot update the contact")?;
        let report = AnonymisationReport {
            contact: id,
            categories: categories.to_vec(),
            values_replaced: replaced,
            identities_removed,
        };
        let details = json!({ "reason": reason.trim(), "cause": cause.as_str(), "categories": categories, "values_replaced": replaced, "identities_removed": identities_removed });
        Ok((
            report,
            AuditDraft::contact("contact.anonymise", id, details),
        ))
    }
}
