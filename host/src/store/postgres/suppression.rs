//! The suppression list on PostgreSQL: keyed hashes of identities that must never be re-imported or
//! processed for the suppressed purposes. It survives erasure. Every server reads the table itself
//! (no copy in memory), so an addition on one server stops the next import on every other.

use postgres::GenericClient;
use serde_json::json;

use super::rows::contact::mark_suppressed;
use super::rows::suppression::{add_period, scope_from_sql, scope_to_sql, suppression_periods};
use super::PostgresStore;
use crate::domain::{Actor, ContactId, Identity, SuppressionScope, Timestamp};
use crate::store::common::checks::check_reason;
use crate::store::common::AuditDraft;
use crate::store::error::{DbContext, StoreError};
use crate::store::{Result, SuppressionEntry, SuppressionOutcome, SuppressionStore};

/// Adds (or widens) an entry inside a transaction holding the writer lock, and marks the contact
/// holding the identity, if any.
pub(crate) fn add_to_list(
    store: &PostgresStore,
    tx: &mut impl GenericClient,
    identity: &Identity,
    reason: &str,
    scope: &SuppressionScope,
    since: Timestamp,
) -> Result<(SuppressionEntry, Option<ContactId>, [u8; 32])> {
    let hash = store.keys.suppression_hash(&identity.key());
    let existing = tx
        .query_opt(
            "SELECT since, purposes FROM suppression WHERE hash = $1",
            &[&hash.as_slice()],
        )
        .db("cannot read the suppression list")?
        .map(|r| (r.get::<_, i64>(0), r.get::<_, Option<String>>(1)));
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
    tx.execute(
        "INSERT INTO suppression (hash, kind, since, reason, purposes) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (hash) DO UPDATE SET kind = excluded.kind, since = excluded.since,
             reason = excluded.reason, purposes = excluded.purposes",
        &[
            &hash.as_slice(),
            &identity.kind(),
            &merged_since.0,
            &reason,
            &purposes,
        ],
    )
    .db("cannot write the suppression list")?;
    let contact: Option<i64> = tx
        .query_opt(
            "SELECT contact_id FROM identities WHERE key = $1",
            &[&identity.key()],
        )
        .db("cannot look up the identity")?
        .map(|r| r.get(0));
    if let Some(id) = contact {
        mark_suppressed(tx, ContactId(id), since, scope)?;
    }
    let entry = SuppressionEntry {
        kind: identity.kind().to_string(),
        since: merged_since,
        reason: reason.to_string(),
        scope: merged_scope,
        periods: suppression_periods(tx, &hash)?,
    };
    Ok((entry, contact.map(ContactId), hash))
}

impl SuppressionStore for PostgresStore {
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
            let (entry, contact, hash) =
                add_to_list(self, tx, identity, reason.trim(), scope, since)?;
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
        let mut conn = self.conn()?;
        // One snapshot: the entry and its periods agree even while another server adds to them.
        let mut tx = super::snapshot(&mut conn, "cannot read the suppression list")?;
        let Some(row) = tx
            .query_opt(
                "SELECT kind, since, reason, purposes FROM suppression WHERE hash = $1",
                &[&hash.as_slice()],
            )
            .db("cannot read the suppression list")?
        else {
            return Ok(None);
        };
        Ok(Some(SuppressionEntry {
            kind: row.get(0),
            since: Timestamp(row.get(1)),
            reason: row.get(2),
            scope: row
                .get::<_, Option<&str>>(3)
                .map_or(SuppressionScope::All, scope_from_sql),
            periods: suppression_periods(&mut tx, &hash)?,
        }))
    }
}
