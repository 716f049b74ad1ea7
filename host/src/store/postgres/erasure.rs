//! Erasure (Art. 17) and anonymisation on PostgreSQL: the same rows as on SQLite (`sqlite/erasure.rs`)
//! in one transaction holding the writer lock. PostgreSQL keeps the old versions of deleted and
//! rewritten rows until they are vacuumed, and their bytes until the tables are rewritten: an
//! erasure's report says the files were not purged, and `purge_erased` (`custode purge`) rewrites
//! the tables and moves the write-ahead log past them.

use std::collections::{BTreeMap, BTreeSet};

use postgres::{GenericClient, Transaction};
use serde_json::json;

use super::rows::contact::{former_identities_of, identities_of};
use super::suppression::add_to_list;
use super::PostgresStore;
use crate::domain::{
    Actor, ContactId, DataCategory, FieldValue, LegalBasis, SuppressionScope, Timestamp,
};
use crate::store::common::checks::{check_reason, ANONYMISED};
use crate::store::common::AuditDraft;
use crate::store::encode::fields_json;
use crate::store::error::{DbContext, StoreError};
use crate::store::{
    AnonymisationReport, ErasureCause, ErasureReport, ErasureStore, KeptData, PurgeReport, Result,
};

/// Erasure and anonymisation are refused for an erased contact or one under legal hold; decided by a
/// retention rule, also for a restricted one (Art. 18: restricted data is only stored, and erasing it
/// is a processing the restriction forbids; a person may still erase it on request).
fn erasable(
    tx: &mut Transaction<'_>,
    id: ContactId,
    what: &str,
    cause: ErasureCause,
) -> Result<()> {
    type Row = (Option<i64>, Option<i64>, Option<i64>);
    let row: Option<Row> = tx
        .query_opt(
            "SELECT erased_at, legal_hold_since, restricted_since FROM contacts WHERE id = $1",
            &[&id.0],
        )
        .db("cannot read the contact")?
        .map(|r| (r.get(0), r.get(1), r.get(2)));
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
    tx: &mut Transaction<'_>,
    id: ContactId,
    delete_empty: bool,
    mut edit: impl FnMut(&mut BTreeMap<String, String>) -> u32,
) -> Result<u32> {
    let rows: Vec<(i64, String)> = tx
        .query(
            "SELECT seq, fields FROM field_values WHERE contact_id = $1",
            &[&id.0],
        )
        .db("field values")?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
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
            tx.execute(
                "DELETE FROM field_values WHERE contact_id = $1 AND seq = $2",
                &[&id.0, &seq],
            )
            .db("cannot erase field values")?;
        } else {
            let values: Vec<FieldValue> = map
                .into_iter()
                .map(|(name, value)| FieldValue { name, value })
                .collect();
            fields_json(&mut json, &values);
            tx.execute(
                "UPDATE field_values SET fields = $3, record_digest = NULL WHERE contact_id = $1 AND seq = $2",
                &[&id.0, &seq, &json],
            )
            .db("cannot rewrite field values")?;
        }
    }
    Ok(changed)
}

/// Purposes for which a legal obligation to keep data is in force at `now`, with its end.
fn obligations(
    store: &PostgresStore,
    tx: &mut impl GenericClient,
    id: ContactId,
    now: Timestamp,
) -> Result<BTreeMap<String, Option<Timestamp>>> {
    let rows = tx
        .query(
            r#"SELECT purpose_id, "end" FROM legal_bases WHERE contact_id = $1 AND basis = $2
               AND start <= $3 AND ("end" IS NULL OR "end" > $3)"#,
            &[&id.0, &LegalBasis::LegalObligation.code(), &now.0],
        )
        .db("cannot read the legal bases")?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                store.purposes.name(r.get(0)),
                r.get::<_, Option<i64>>(1).map(Timestamp),
            )
        })
        .collect())
}

/// How long a purge waits for older transactions to end.
const PURGE_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

fn purge_refused(what: &str, e: ::postgres::Error) -> StoreError {
    let why = e
        .as_db_error()
        .map(|d| d.message().to_string())
        .unwrap_or_else(|| e.to_string());
    StoreError::Setup(format!(
        "cannot {what}: {why} (it needs the tables' owner and the right to checkpoint: run `custode purge` with the owner's URL in CUSTODE_STORE_URL)"
    ))
}

/// The tables an erasure or anonymisation deletes from or rewrites.
const PERSONAL_TABLES: &str =
    "contacts, identities, former_identities, field_values, consent_events, \
     notice_receipts, legal_bases, provenance, restrictions, contact_suppressions";

impl ErasureStore for PostgresStore {
    fn erase(
        &self,
        actor: &Actor,
        id: ContactId,
        reason: &str,
        now: Timestamp,
        cause: ErasureCause,
    ) -> Result<ErasureReport> {
        // `files_purged` stays false: PostgreSQL keeps the old row versions until autovacuum
        // reuses their space, and their bytes until `purge_erased` rewrites the tables.
        self.write(actor, |tx| self.erase_in(tx, id, reason, now, cause))
    }

    fn purge_erased(&self, actor: &Actor) -> Result<PurgeReport> {
        let mut conn = self.conn()?;
        // A transaction that began before the purge (a long read on another server, an autovacuum
        // ANALYZE) may still see the erased rows: VACUUM FULL keeps what some snapshot can see.
        // Wait for those to end.
        let started: f64 = conn
            .query_one("SELECT extract(epoch FROM clock_timestamp())::FLOAT8", &[])
            .db("cannot read the server's clock")?
            .get(0);
        let waited = std::time::Instant::now();
        loop {
            let holders: Vec<i32> = conn
                .query(
                    "SELECT pid FROM pg_stat_activity
                     WHERE (datname = current_database() OR datname IS NULL) AND pid <> pg_backend_pid()
                       AND backend_xmin IS NOT NULL AND xact_start < to_timestamp($1)",
                    &[&started],
                )
                .db("cannot read the server's sessions")?
                .iter()
                .map(|r| r.get(0))
                .collect();
            if holders.is_empty() {
                break;
            }
            if waited.elapsed() > PURGE_WAIT {
                return Ok(PurgeReport {
                    purged: false,
                    detail: format!(
                        "sessions {holders:?} began before the purge and still hold a snapshot that may see erased rows (see pg_stat_activity): run `custode purge` again when they end"
                    ),
                });
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        // VACUUM FULL writes each table and its indexes anew, without the dead row versions, and
        // empties the old files at commit.
        conn.batch_execute(&format!("VACUUM FULL {PERSONAL_TABLES}"))
            .map_err(|e| {
                purge_refused("rewrite the tables that held erased data (VACUUM FULL)", e)
            })?;
        // The write-ahead log still holds page images from before: end its segment and checkpoint
        // twice, so every segment from before is removed (with `wal_recycle = off`) instead of
        // renamed for reuse with its old content.
        conn.batch_execute(
            "SELECT pg_switch_wal(); CHECKPOINT; SELECT pg_switch_wal(); CHECKPOINT;",
        )
        .map_err(|e| purge_refused("move the write-ahead log past the erasures (CHECKPOINT)", e))?;
        let recycle: String = conn
            .query_one("SHOW wal_recycle", &[])
            .db("cannot read wal_recycle")?
            .get(0);
        drop(conn);
        let purged = recycle == "off";
        let detail = if purged {
            "tables rewritten and the write-ahead log moved past them: erased data is in no file of the database"
        } else {
            "tables rewritten, but the server reuses old write-ahead log segments with their content (`wal_recycle = on`): set `wal_recycle = off` (ALTER SYSTEM) and run `custode purge` again"
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
        self.write(actor, |tx| {
            self.anonymise_in(tx, id, categories, reason, cause)
        })
    }
}

impl PostgresStore {
    /// Erases the contact inside `tx` (the caller commits it with the returned audit entry): one
    /// erasure alone, or one of a retention run's batch.
    pub(super) fn erase_in(
        &self,
        tx: &mut Transaction<'_>,
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
        let provenance: BTreeSet<i64> = tx
            .query(
                "SELECT provenance_id FROM field_values WHERE contact_id = $1
                 UNION SELECT provenance_id FROM identities WHERE contact_id = $1 AND provenance_id IS NOT NULL
                 UNION SELECT provenance_id FROM former_identities WHERE contact_id = $1 AND provenance_id IS NOT NULL
                 UNION SELECT removed_by FROM former_identities WHERE contact_id = $1",
                &[&id.0],
            )
            .db("provenance")?
            .iter()
            .map(|r| r.get(0))
            .collect();
        // Marks the contact erased first: the ledger's trigger allows deletions only then.
        tx.execute("UPDATE contacts SET erased_at = $2, updated_at = $2, last_interaction = NULL, last_collected_at = NULL, first_notice_at = NULL,
                    restricted_since = NULL, suppressed_since = NULL, suppressed_purposes = NULL, anonymised = NULL
             WHERE id = $1", &[&id.0, &now.0])
        .db("cannot mark the contact erased")?;
        tx.execute("DELETE FROM identities WHERE contact_id = $1", &[&id.0])
            .db("cannot erase identities")?;
        tx.execute(
            "DELETE FROM former_identities WHERE contact_id = $1",
            &[&id.0],
        )
        .db("cannot erase former identities")?;
        // With the columns cleared above: the list keeps the hashes and their periods; a
        // question about the contact is answered "erased" whatever the time.
        tx.execute(
            "DELETE FROM contact_suppressions WHERE contact_id = $1",
            &[&id.0],
        )
        .db("cannot erase the suppression periods")?;
        tx.execute("DELETE FROM restrictions WHERE contact_id = $1", &[&id.0])
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
            .execute("DELETE FROM consent_events WHERE contact_id = $1", &[&id.0])
            .db("cannot erase consent events")?;
        tx.execute(
            "DELETE FROM notice_receipts WHERE contact_id = $1",
            &[&id.0],
        )
        .db("cannot erase notice receipts")?;
        tx.execute(r#"DELETE FROM legal_bases WHERE contact_id = $1 AND NOT (basis = $2 AND ("end" IS NULL OR "end" > $3))"#, &[&id.0, &LegalBasis::LegalObligation.code(), &now.0])
            .db("cannot erase legal bases")?;
        if kept.is_empty() {
            tx.execute("DELETE FROM legal_bases WHERE contact_id = $1", &[&id.0])
                .db("cannot erase legal bases")?;
        }
        for p in provenance {
            tx.execute(
                "DELETE FROM provenance WHERE id = $1 AND batch_id IS NULL
                 AND NOT EXISTS (SELECT 1 FROM field_values WHERE provenance_id = $1)
                 AND NOT EXISTS (SELECT 1 FROM identities WHERE provenance_id = $1)",
                &[&p],
            )
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
        tx: &mut Transaction<'_>,
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
            let now = Timestamp::now();
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
            tx.execute(
                "DELETE FROM former_identities WHERE contact_id = $1",
                &[&id.0],
            )
            .db("cannot remove former identities")?;
            identities_removed = tx
                .execute("DELETE FROM identities WHERE contact_id = $1", &[&id.0])
                .db("cannot remove identities")? as u32;
            tx.execute("UPDATE consent_events SET evidence = NULL WHERE contact_id = $1 AND evidence IS NOT NULL", &[&id.0])
                .db("cannot blank consent evidence")?;
            tx.execute("UPDATE provenance SET source_label = 'manual entry (anonymised)' WHERE batch_id IS NULL
                 AND id IN (SELECT provenance_id FROM field_values WHERE contact_id = $1)", &[&id.0])
            .db("cannot anonymise provenance")?;
        }
        let previous: Option<String> = tx
            .query_one("SELECT anonymised FROM contacts WHERE id = $1", &[&id.0])
            .db("cannot read the contact")?
            .get(0);
        let mut all: BTreeSet<DataCategory> = previous
            .and_then(|p| serde_json::from_str::<Vec<DataCategory>>(&p).ok())
            .unwrap_or_default()
            .into_iter()
            .collect();
        all.extend(categories.iter().copied());
        let all: Vec<DataCategory> = all.into_iter().collect();
        tx.execute(
            "UPDATE contacts SET anonymised = $2, updated_at = $3 WHERE id = $1",
            &[
                &id.0,
                &serde_json::to_string(&all).expect("serialises"),
                &Timestamp::now().0,
            ],
        )
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
