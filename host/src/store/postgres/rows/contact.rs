//! A contact's own rows: whether it is live, its sequence, its identities (current and former), and
//! the derived suppression columns `can_process` reads (`sqlite/rows/contact.rs` on PostgreSQL).
//! Keys are ordered byte-wise (`COLLATE "C"`), as SQLite orders them, whatever the database's locale.

use postgres::GenericClient;

use super::suppression::suppression_periods;
use crate::domain::{
    ContactId, FormerIdentity, Identity, ProvenanceId, RestrictionPeriod, SuppressionPeriod,
    SuppressionScope, Timestamp,
};
use crate::store::common::{scope_from_sql, scope_to_sql};
use crate::store::error::{DbContext, StoreError};
use crate::store::Result;

/// Fails with `NotFound` or `Erased` unless the contact exists and was not erased.
pub(crate) fn live_contact(client: &mut impl GenericClient, id: ContactId) -> Result<()> {
    let erased: Option<Option<i64>> = client
        .query_opt("SELECT erased_at FROM contacts WHERE id = $1", &[&id.0])
        .db("cannot read the contact")?
        .map(|r| r.get(0));
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
    client: &mut impl GenericClient,
    id: ContactId,
    notice_at: Option<Timestamp>,
) -> Result<i64> {
    client
        .query_one(
            "UPDATE contacts SET seq = seq + 1, updated_at = $2,
                    first_notice_at = LEAST(first_notice_at, $3::BIGINT)
             WHERE id = $1 RETURNING seq",
            &[&id.0, &Timestamp::now().0, &notice_at.map(|t| t.0)],
        )
        .map(|r| r.get(0))
        .db("cannot update the contact")
}

/// The contact an identity belongs to.
pub(crate) fn find_contact(
    client: &mut impl GenericClient,
    identity: &Identity,
) -> Result<Option<ContactId>> {
    client
        .query_opt(
            "SELECT contact_id FROM identities WHERE key = $1",
            &[&identity.key()],
        )
        .map(|r| r.map(|r| ContactId(r.get(0))))
        .db("cannot look up the identity")
}

/// The contact's current identities, each with the provenance it came from.
pub(crate) fn identities_of(
    client: &mut impl GenericClient,
    id: ContactId,
) -> Result<Vec<(Identity, Option<i64>)>> {
    let rows = client
        .query(
            r#"SELECT key, provenance_id FROM identities WHERE contact_id = $1 ORDER BY key COLLATE "C""#,
            &[&id.0],
        )
        .db("cannot read identities")?;
    Ok(rows
        .iter()
        .filter_map(|r| Some((Identity::from_key(r.get(0))?, r.get(1))))
        .collect())
}

/// Identities a rectification removed from the contact, oldest removal first.
pub(crate) fn former_identities_of(
    client: &mut impl GenericClient,
    id: ContactId,
) -> Result<Vec<FormerIdentity>> {
    let rows = client
        .query(
            r#"SELECT key, provenance_id, removed_at, removed_by FROM former_identities
               WHERE contact_id = $1 ORDER BY removed_at, key COLLATE "C""#,
            &[&id.0],
        )
        .db("cannot read former identities")?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(FormerIdentity {
                identity: Identity::from_key(r.get(0))?,
                provenance: r.get::<_, Option<i64>>(1).map(ProvenanceId),
                removed_at: Timestamp(r.get(2)),
                removed_by: ProvenanceId(r.get(3)),
            })
        })
        .collect())
}

/// Records a suppression period on the contact (`contact_suppressions`, what `can_process` reads
/// for questions about any time) and widens its derived suppression columns (the scope now).
pub(crate) fn mark_suppressed(
    client: &mut impl GenericClient,
    id: ContactId,
    since: Timestamp,
    scope: &SuppressionScope,
) -> Result<()> {
    let current = client
        .query_opt(
            "SELECT suppressed_since, suppressed_purposes FROM contacts WHERE id = $1",
            &[&id.0],
        )
        .db("cannot read the contact")?;
    let Some(row) = current else {
        return Ok(());
    };
    let old_since: Option<i64> = row.get(0);
    let old_scope: Option<String> = row.get(1);
    client
        .execute(
            "INSERT INTO contact_suppressions (contact_id, since, purposes) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            &[&id.0, &since.0, &scope_to_sql(scope)],
        )
        .db("cannot mark the contact as suppressed")?;
    let scope = match old_scope {
        Some(text) => scope_from_sql(&text).union(scope),
        None => scope.clone(),
    };
    let since = old_since.map_or(since.0, |s| s.min(since.0));
    client
        .execute(
            "UPDATE contacts SET suppressed_since = $2, suppressed_purposes = $3 WHERE id = $1",
            &[&id.0, &since, &scope_to_sql(&scope)],
        )
        .db("cannot mark the contact as suppressed")?;
    Ok(())
}

/// Marks the contact with every period of one suppressed identity (by its keyed hash): an identity
/// added to a contact (a merge, a rectification) brings its suppression history along.
pub(crate) fn mark_suppressed_by_hash(
    client: &mut impl GenericClient,
    id: ContactId,
    hash: &[u8; 32],
) -> Result<()> {
    for period in suppression_periods(client, hash)? {
        mark_suppressed(client, id, period.since, &period.scope)?;
    }
    Ok(())
}

/// The contact's suppression periods, oldest first.
pub(crate) fn contact_suppressions(
    client: &mut impl GenericClient,
    id: ContactId,
) -> Result<Vec<SuppressionPeriod>> {
    let rows = client
        .query(
            r#"SELECT since, purposes FROM contact_suppressions WHERE contact_id = $1
               ORDER BY since, purposes COLLATE "C""#,
            &[&id.0],
        )
        .db("cannot read the suppression periods")?;
    Ok(rows
        .iter()
        .map(|r| SuppressionPeriod {
            since: Timestamp(r.get(0)),
            scope: scope_from_sql(r.get(1)),
        })
        .collect())
}

/// The contact's restrictions (Art. 18), oldest first.
pub(crate) fn restrictions_of(
    client: &mut impl GenericClient,
    id: ContactId,
) -> Result<Vec<RestrictionPeriod>> {
    let rows = client
        .query(
            "SELECT since, until FROM restrictions WHERE contact_id = $1 ORDER BY since, seq",
            &[&id.0],
        )
        .db("cannot read the restrictions")?;
    Ok(rows
        .iter()
        .map(|r| RestrictionPeriod {
            since: Timestamp(r.get(0)),
            until: r.get::<_, Option<i64>>(1).map(Timestamp),
        })
        .collect())
}
