//! The suppression list (R13): keyed hashes of identities that must never be re-imported or processed
//! for the suppressed purposes. It survives erasure: erasing a person adds their identities here.

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

use super::{AuditDraft, SqliteStore};
use crate::domain::{Actor, ContactId, Identity, SuppressionScope, Timestamp};
use crate::store::error::{DbContext, StoreError};
use crate::store::{Result, SuppressionEntry, SuppressionOutcome, SuppressionStore};

/// How a scope is stored: `'*'` for all purposes, else a JSON array of purpose names.
pub(crate) fn scope_to_sql(scope: &SuppressionScope) -> String {
    match scope {
        SuppressionScope::All => "*".to_string(),
        SuppressionScope::Purposes(list) => serde_json::to_string(list).expect("strings serialise"),
    }
}

pub(crate) fn scope_from_sql(text: &str) -> SuppressionScope {
    if text == "*" {
        return SuppressionScope::All;
    }
    // An unreadable list is treated as "all purposes": suppression errs on the side of not processing.
    serde_json::from_str(text)
        .map(SuppressionScope::Purposes)
        .unwrap_or(SuppressionScope::All)
}

/// A counter every addition to the list increments (in the same transaction).
pub(crate) fn version(conn: &Connection) -> Result<i64> {
    conn.prepare_cached("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'suppression_version'")
        .and_then(|mut s| s.query_row([], |r| r.get(0)).optional())
        .map(|v| v.unwrap_or(0))
        .db("cannot read the suppression list version")
}

pub(crate) fn load(
    conn: &Connection,
) -> Result<HashMap<[u8; 32], (Timestamp, SuppressionScope), foldhash::fast::RandomState>> {
    let mut stmt = conn
        .prepare("SELECT hash, since, purposes FROM suppression")
        .db("cannot read the suppression list")?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })
        .db("cannot read the suppression list")?;
    let mut map = HashMap::default();
    for row in rows {
        let (hash, since, purposes) = row.db("cannot read the suppression list")?;
        let Ok(key) = <[u8; 32]>::try_from(hash.as_slice()) else {
            continue;
        };
        let scope = purposes
            .as_deref()
            .map_or(SuppressionScope::All, scope_from_sql);
        map.insert(key, (Timestamp(since), scope));
    }
    Ok(map)
}

/// Adds (or widens) an entry inside a transaction and marks the contact holding the identity, if any.
/// Also updates the in-memory copy: if the commit then failed, the copy would over-suppress until the
/// next start, which is the safe direction.
pub(crate) fn add(
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
    let (since, scope) = match existing {
        Some((old_since, old)) => {
            let old_scope = old.as_deref().map_or(SuppressionScope::All, scope_from_sql);
            (Timestamp(old_since.min(since.0)), old_scope.union(scope))
        }
        None => (since, scope.clone()),
    };
    let purposes = match &scope {
        SuppressionScope::All => None,
        s => Some(scope_to_sql(s)),
    };
    tx.prepare_cached("INSERT OR REPLACE INTO suppression (hash, kind, since, reason, purposes) VALUES (?1, ?2, ?3, ?4, ?5)")
        .and_then(|mut s| s.execute(params![hash.as_slice(), identity.kind(), since.0, reason, purposes]))
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
        mark_contact(tx, ContactId(id), since, &scope)?;
    }
    store
        .suppression
        .write()
        .unwrap_or_else(|p| p.into_inner())
        .insert(hash, (since, scope.clone()));
    store
        .suppression_version
        .store(version(tx)?, Ordering::Release);
    let entry = SuppressionEntry {
        kind: identity.kind().to_string(),
        since,
        reason: reason.to_string(),
        scope,
    };
    Ok((entry, contact.map(ContactId), hash))
}

/// Widens the contact's derived suppression columns, which `can_process` reads.
pub(crate) fn mark_contact(
    tx: &Connection,
    id: ContactId,
    since: Timestamp,
    scope: &SuppressionScope,
) -> Result<()> {
    let current: Option<(Option<i64>, Option<String>)> = tx
        .prepare_cached("SELECT suppressed_since, suppressed_purposes FROM contacts WHERE id = ?1")
        .and_then(|mut s| {
            s.query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .db("cannot read the contact")?;
    let Some((old_since, old_scope)) = current else {
        return Ok(());
    };
    let scope = match old_scope {
        Some(text) => scope_from_sql(&text).union(scope),
        None => scope.clone(),
    };
    let since = old_since.map_or(since.0, |s| s.min(since.0));
    tx.prepare_cached(
        "UPDATE contacts SET suppressed_since = ?2, suppressed_purposes = ?3 WHERE id = ?1",
    )
    .and_then(|mut s| s.execute(params![id.0, since, scope_to_sql(&scope)]))
    .db("cannot mark the contact as suppressed")?;
    Ok(())
}

fn check_reason(reason: &str) -> Result<()> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(StoreError::invalid(
            "reason",
            "give a short reason without personal data (up to 200 characters), e.g. `unsubscribed` or `asked not to be contacted`",
        ));
    }
    Ok(())
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
        check_reason(reason)?;
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
            let (entry, contact, hash) = add(self, tx, identity, reason.trim(), scope, since)?;
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
        conn.prepare_cached("SELECT kind, since, reason, purposes FROM suppression WHERE hash = ?1")
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
                    })
                })
                .optional()
            })
            .db("cannot read the suppression list")
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
