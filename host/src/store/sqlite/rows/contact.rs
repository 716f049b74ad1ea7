//! A contact's own rows: whether it is live, its sequence, its identities (current and former), and
//! the derived suppression columns `can_process` reads.

use rusqlite::{params, Connection, OptionalExtension};

use super::now;
use super::suppression::{scope_from_sql, scope_to_sql, suppression_periods};
use crate::domain::{
    ContactId, FormerIdentity, Identity, ProvenanceId, RestrictionPeriod, SuppressionPeriod,
    SuppressionScope, Timestamp,
};
use crate::store::error::{DbContext, StoreError};
use crate::store::Result;

/// Fails with `NotFound` or `Erased` unless the contact exists and was not erased.
pub(crate) fn live_contact(conn: &Connection, id: ContactId) -> Result<()> {
    let erased: Option<Option<i64>> = conn
        .prepare_cached("SELECT erased_at FROM contacts WHERE id = ?1")
        .and_then(|mut s| s.query_row([id.0], |r| r.get(0)).optional())
        .db("cannot read the contact")?;
    match erased {
        None => Err(StoreError::not_found(id.to_string())),
        Some(Some(at)) => Err(StoreError::Erased {
            contact: id,
            at: Timestamp(at),
        }),
        Some(None) => Ok(()),
    }
}

/// Takes the contact's next sequence number and marks it updated; `notice_at` lowers `first_notice_at`.
pub(crate) fn bump_contact(
    conn: &Connection,
    id: ContactId,
    notice_at: Option<Timestamp>,
) -> Result<i64> {
    conn.prepare_cached(
        "UPDATE contacts SET seq = seq + 1, updated_at = ?2,
                first_notice_at = CASE WHEN ?3 IS NULL THEN first_notice_at ELSE min(coalesce(first_notice_at, ?3), ?3) END
         WHERE id = ?1 RETURNING seq",
    )
    .and_then(|mut s| s.query_row(params![id.0, now().0, notice_at.map(|t| t.0)], |r| r.get(0)))
    .db("cannot update the contact")
}

/// The contact an identity belongs to.
pub(crate) fn find_contact(conn: &Connection, identity: &Identity) -> Result<Option<ContactId>> {
    conn.prepare_cached("SELECT contact_id FROM identities WHERE key = ?1")
        .and_then(|mut s| s.query_row([identity.key()], |r| r.get(0)).optional())
        .map(|id| id.map(ContactId))
        .db("cannot look up the identity")
}

/// The contact's current identities, each with the provenance it came from.
pub(crate) fn identities_of(
    conn: &Connection,
    id: ContactId,
) -> Result<Vec<(Identity, Option<i64>)>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT key, provenance_id FROM identities WHERE contact_id = ?1 ORDER BY key",
        )
        .db("cannot read identities")?;
    let rows = stmt
        .query_map([id.0], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?))
        })
        .db("cannot read identities")?;
    let mut out = Vec::new();
    for row in rows {
        let (key, prov) = row.db("cannot read identities")?;
        if let Some(identity) = Identity::from_key(&key) {
            out.push((identity, prov));
        }
    }
    Ok(out)
}

/// Identities a rectification removed from the contact, oldest removal first.
pub(crate) fn former_identities_of(
    conn: &Connection,
    id: ContactId,
) -> Result<Vec<FormerIdentity>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT key, provenance_id, removed_at, removed_by FROM former_identities
             WHERE contact_id = ?1 ORDER BY removed_at, key",
        )
        .db("cannot read former identities")?;
    let rows = stmt
        .query_map([id.0], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })
        .db("cannot read former identities")?;
    let mut out = Vec::new();
    for row in rows {
        let (key, prov, at, by) = row.db("cannot read former identities")?;
        if let Some(identity) = Identity::from_key(&key) {
            out.push(FormerIdentity {
                identity,
                provenance: prov.map(ProvenanceId),
                removed_at: Timestamp(at),
                removed_by: ProvenanceId(by),
            });
        }
    }
    Ok(out)
}

/// Records a suppression period on the contact (`contact_suppressions`, what `can_process` reads
/// for questions about any time) and widens its derived suppression columns (the scope now).
pub(crate) fn mark_suppressed(
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
    tx.prepare_cached(
        "INSERT OR IGNORE INTO contact_suppressions (contact_id, since, purposes) VALUES (?1, ?2, ?3)",
    )
    .and_then(|mut s| s.execute(params![id.0, since.0, scope_to_sql(scope)]))
    .db("cannot mark the contact as suppressed")?;
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

/// Marks the contact with every period of one suppressed identity (by its keyed hash): an identity
/// added to a contact (a merge, a rectification) brings its suppression history along.
pub(crate) fn mark_suppressed_by_hash(
    tx: &Connection,
    id: ContactId,
    hash: &[u8; 32],
) -> Result<()> {
    for period in suppression_periods(tx, hash)? {
        mark_suppressed(tx, id, period.since, &period.scope)?;
    }
    Ok(())
}

/// The contact's suppression periods, oldest first.
pub(crate) fn contact_suppressions(
    conn: &Connection,
    id: ContactId,
) -> Result<Vec<SuppressionPeriod>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT since, purposes FROM contact_suppressions WHERE contact_id = ?1 ORDER BY since",
        )
        .db("cannot read the suppression periods")?;
    let rows = stmt
        .query_map([id.0], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })
        .db("cannot read the suppression periods")?;
    let mut out = Vec::new();
    for row in rows {
        let (since, purposes) = row.db("cannot read the suppression periods")?;
        out.push(SuppressionPeriod {
            since: Timestamp(since),
            scope: scope_from_sql(&purposes),
        });
    }
    Ok(out)
}

/// The contact's restrictions (Art. 18), oldest first.
pub(crate) fn restrictions_of(conn: &Connection, id: ContactId) -> Result<Vec<RestrictionPeriod>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT since, until FROM restrictions WHERE contact_id = ?1 ORDER BY since, rowid",
        )
        .db("cannot read the restrictions")?;
    let rows = stmt
        .query_map([id.0], |r| {
            Ok(RestrictionPeriod {
                since: Timestamp(r.get(0)?),
                until: r.get::<_, Option<i64>>(1)?.map(Timestamp),
            })
        })
        .db("cannot read the restrictions")?;
    rows.collect::<Result<_, _>>()
        .db("cannot read the restrictions")
}
