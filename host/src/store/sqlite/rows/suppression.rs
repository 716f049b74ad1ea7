//! The suppression list's rows: how a scope is stored, the list's version counter and the whole
//! list, loaded into memory when the store opens and whenever another process added to it.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension};

use crate::domain::{SuppressionPeriod, SuppressionScope, Timestamp};
pub(crate) use crate::store::common::{scope_from_sql, scope_to_sql};
use crate::store::error::DbContext;
use crate::store::Result;

/// A counter every addition to the list increments (in the same transaction).
pub(crate) fn version(conn: &Connection) -> Result<i64> {
    conn.prepare_cached("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'suppression_version'")
        .and_then(|mut s| s.query_row([], |r| r.get(0)).optional())
        .map(|v| v.unwrap_or(0))
        .db("cannot read the suppression list version")
}

/// The whole list: keyed hash -> since and scope.
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

/// Appends one period to the list's history (`suppression_periods`).
pub(crate) fn add_period(
    conn: &Connection,
    hash: &[u8; 32],
    since: Timestamp,
    scope: &SuppressionScope,
) -> Result<()> {
    let purposes = match scope {
        SuppressionScope::All => None,
        s => Some(scope_to_sql(s)),
    };
    conn.prepare_cached(
        "INSERT INTO suppression_periods (hash, since, purposes) VALUES (?1, ?2, ?3)",
    )
    .and_then(|mut s| s.execute(rusqlite::params![hash.as_slice(), since.0, purposes]))
    .db("cannot write the suppression list")?;
    Ok(())
}

/// Every period of one identity on the list, oldest first.
pub(crate) fn suppression_periods(
    conn: &Connection,
    hash: &[u8; 32],
) -> Result<Vec<SuppressionPeriod>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT since, purposes FROM suppression_periods WHERE hash = ?1 ORDER BY since, rowid",
        )
        .db("cannot read the suppression list")?;
    let rows = stmt
        .query_map([hash.as_slice()], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
        })
        .db("cannot read the suppression list")?;
    let mut out = Vec::new();
    for row in rows {
        let (since, purposes) = row.db("cannot read the suppression list")?;
        out.push(SuppressionPeriod {
            since: Timestamp(since),
            scope: purposes
                .as_deref()
                .map_or(SuppressionScope::All, scope_from_sql),
        });
    }
    Ok(out)
}
