//! The suppression list's rows (`sqlite/rows/suppression.rs` on PostgreSQL). No copy of the list is
//! kept in memory here: another server may add to it at any moment, and what it adds must stop the
//! next record this server writes, so every check reads the table (one query per batch of records).

use std::collections::HashMap;

use foldhash::fast::RandomState;
use postgres::GenericClient;

use crate::domain::{SuppressionPeriod, SuppressionScope, Timestamp};
pub(crate) use crate::store::common::{scope_from_sql, scope_to_sql};
use crate::store::error::DbContext;
use crate::store::Result;

/// The list's entries among `hashes`: keyed hash -> since and scope.
pub(crate) fn entries_among(
    client: &mut impl GenericClient,
    hashes: &[&[u8]],
) -> Result<HashMap<[u8; 32], (Timestamp, SuppressionScope), RandomState>> {
    let mut found = HashMap::default();
    if hashes.is_empty() {
        return Ok(found);
    }
    let rows = client
        .query(
            "SELECT hash, since, purposes FROM suppression WHERE hash = ANY($1)",
            &[&hashes],
        )
        .db("cannot read the suppression list")?;
    for r in &rows {
        let Ok(key) = <[u8; 32]>::try_from(r.get::<_, &[u8]>(0)) else {
            continue;
        };
        let scope = r
            .get::<_, Option<&str>>(2)
            .map_or(SuppressionScope::All, scope_from_sql);
        found.insert(key, (Timestamp(r.get(1)), scope));
    }
    Ok(found)
}

/// Appends one period to the list's history (`suppression_periods`).
pub(crate) fn add_period(
    client: &mut impl GenericClient,
    hash: &[u8; 32],
    since: Timestamp,
    scope: &SuppressionScope,
) -> Result<()> {
    let purposes = match scope {
        SuppressionScope::All => None,
        s => Some(scope_to_sql(s)),
    };
    client
        .execute(
            "INSERT INTO suppression_periods (hash, since, purposes) VALUES ($1, $2, $3)",
            &[&hash.as_slice(), &since.0, &purposes],
        )
        .db("cannot write the suppression list")?;
    Ok(())
}

/// Every period of one identity on the list, oldest first.
pub(crate) fn suppression_periods(
    client: &mut impl GenericClient,
    hash: &[u8; 32],
) -> Result<Vec<SuppressionPeriod>> {
    let rows = client
        .query(
            "SELECT since, purposes FROM suppression_periods WHERE hash = $1 ORDER BY since, seq",
            &[&hash.as_slice()],
        )
        .db("cannot read the suppression list")?;
    Ok(rows
        .iter()
        .map(|r| SuppressionPeriod {
            since: Timestamp(r.get(0)),
            scope: r
                .get::<_, Option<&str>>(1)
                .map_or(SuppressionScope::All, scope_from_sql),
        })
        .collect())
}
