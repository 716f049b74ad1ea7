//! The suppression list: keyed hashes of identities that must never be re-imported or processed
//! for the suppressed purposes. It survives erasure: erasing a person adds their identities here.

use std::sync::atomic::Ordering;

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

use super::rows::contact::mark_suppressed;
use super::rows::suppression::{
    add_period, load, scope_from_sql, scope_to_sql, suppression_periods, version,
};
use super::rows::AuditDraft;
use super::SqliteStore;
use crate::domain::{Actor, ContactId, Identity, SuppressionScope, Timestamp};
use crate::store::common::checks::check_reason;
use crate::store::error::{DbContext, StoreError};
use crate::store::{Result, SuppressionEntry, SuppressionOutcome, SuppressionStore};

/// Adds (or widens) an entry inside a transaction and marks the contact holding the identity, if any.
/// Also updates the in-memory copy: if the commit then failed, the copy would over-suppress until the
/// next start, which is the safe direction.
pub(crate) fn add_to_list(
    store: &SqliteStore,
    tx: &Connection,
    identity: &Identity,
    reason: &str,
    scope: &SuppressionScope,
    since: Timestamp,
) -> Result<(SuppressionEntry, Option<ContactId>, [u8; 32])> {
    let hash = store.keys.suppression_hash(&identity.key());
    let existing: Option<(i64, Option<String>)> = tx
        .prepare_cached("SELECT since, purposes FROM suppression WHERE hash = ?1")
        .and_then(|mut s| {
            s.query_row([hash.as_slice()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .db("cannot read the suppression list")?;
    // The history keeps this addition as it is; the list's row holds the widest scope since the
    // earliest start, which is what imports check.
    add_period(tx, &hash, since, scope)?;
    let (merged_since, merged_scope) = match existing {
        Some((old_since, old)) => {
            let old_scope = old.as_deref().map_or(SuppressionScope::All, scope_from_sql);
            (Timestamp(old_since.min(since.0)), old_scope.union(scope))
        }
        None => (since, scope.clone()),
    };
    let purposes = match &merged_scope {
        SuppressionScope::All => None,
        s => Some(scope_to_sql(s)),
    };
    tx.prepare_cached("INSERT OR REPLACE INTO suppression (hash, kind, since, reason, purposes) VALUES (?1, ?2, ?3, ?4, ?5)")
        .and_then(|mut s| s.execute(params![hash.as_slice(), identity.kind(), merged_since.0, reason, purposes]))
        .db("cannot write the suppression list")?;
    tx.prepare_cached(
        "INSERT INTO meta (key, value) VALUES ('suppression_version', '1')
         ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
    )
    .and_then(|mut s| s.execute([]))
    .db("cannot write the suppression list")?;
    let contact: Option<i64> = tx
        .prepare_cached("SELECT contact_id FROM identities WHERE key = ?1")
        .and_then(|mut s| s.query_row([identity.key()], |r| r.get(0)).optional())
        .db("cannot look up the identity")?;
    if let Some(id) = contact {
        mark_suppressed(tx, ContactId(id), since, scope)?;
    }
    store
        .suppression
        .write()
        .unwrap_or_else(|p| p.into_inner())
        .insert(hash, (merged_since, merged_scope.clone()));
    store
        .suppression_version
        .store(version(tx)?, Ordering::Release);
    let entry = SuppressionEntry {
        kind: identity.kind().to_string(),
        since: merged_since,
        reason: reason.to_string(),
        scope: merged_scope,
        periods: suppression_periods(tx, &hash)?,
    };
    Ok((entry, contact.map(ContactId), hash))
}

impl SuppressionStore for SqliteStore {
    fn suppress(
        &self,
        actor: &Actor,
        identity: &Identity,
        reason: &str,
        scope: &SuppressionScope,
        since: Timestamp,
    ) -> Result<SuppressionOutcome> {
        check_reason(reason, "unsubscribed` or `asked not to be contacted")?;
        if let SuppressionScope::Purposes(list) = scope {
            if list.is_empty() {
                return Err(StoreError::invalid(
                    "purposes",
                    "list the purposes to suppress, or suppress for all purposes",
                ));
            }
            for p in list {
                self.policy.catalogue.require_purpose("purposes", p)?;
            }
        }
        self.write(actor, |tx| {
            let (entry, contact, hash) = add_to_list(self, tx, identity, reason.trim(), scope, since)?;
            let draft = AuditDraft::new(
                "suppression.add",
                format!("suppression:{}", hex::encode(&hash[..8])),
                json!({ "kind": entry.kind, "scope": entry.scope, "contact": contact.map(|c| c.0) }),
            );
            Ok((SuppressionOutcome { entry, contact }, draft))
        })
    }

    fn suppression_of(&self, identity: &Identity) -> Result<Option<SuppressionEntry>> {
        let hash = self.keys.suppression_hash(&identity.key());
        let conn = self.reader()?;
        let entry = conn
            .prepare_cached("SELECT kind, since, reason, purposes FROM suppression WHERE hash = ?1")
            .and_then(|mut s| {
                s.query_row([hash.as_slice()], |r| {
                    Ok(SuppressionEntry {
                        kind: r.get(0)?,
                        since: Timestamp(r.get(1)?),
                        reason: r.get(2)?,
                        scope: r
                            .get::<_, Option<String>>(3)?
                            .as_deref()
                            .map_or(SuppressionScope::All, scope_from_sql),
                        periods: Vec::new(),
                    })
                })
                .optional()
            })
            .db("cannot read the suppression list")?;
        let Some(mut entry) = entry else {
            return Ok(None);
        };
        entry.periods = suppression_periods(&conn, &hash)?;
        Ok(Some(entry))
    }
}

impl SqliteStore {
    /// Reloads the in-memory copy if another process added entries since it was loaded. Called with
    /// the writer held, before the copy is used for writes (imports, new identities).
    pub(crate) fn refresh_suppression(&self, conn: &Connection) -> Result<()> {
        let current = version(conn)?;
        if current != self.suppression_version.load(Ordering::Acquire) {
            *self.suppression.write().unwrap_or_else(|p| p.into_inner()) = load(conn)?;
            self.suppression_version.store(current, Ordering::Release);
        }
        Ok(())
    }

    /// The in-memory check used on hot paths.
    pub(crate) fn suppressed(&self, hash: &[u8; 32]) -> Option<(Timestamp, SuppressionScope)> {
        self.suppression
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(hash)
            .cloned()
    }
}
