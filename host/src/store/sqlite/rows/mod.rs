//! The rows several parts of the store read or write, at the bottom of the SQLite backend: it uses
//! none of the modules above it, so the aggregates (contacts, consent, views, records, erasure, ...)
//! can share these helpers without calling each other in circles. Here: the clock for recorded
//! times, column decoding, purpose ids, the audit entry every write appends; in the submodules, a
//! contact's own rows, the consent ledger and the suppression list.

pub(crate) mod contact;
pub(crate) mod ledger;
pub(crate) mod suppression;

use rusqlite::{params, Connection, OptionalExtension};

use crate::domain::{Actor, Policy, Timestamp};
use crate::store::audit_chain::{self, EntryContent, GENESIS};
use crate::store::error::DbContext;
use crate::store::secret::Keys;
use crate::store::Result;

pub(crate) use crate::store::common::{AuditDraft, PurposeIds};

/// Wall-clock time for `recorded_at` columns and audit entries (rules get their "now" from callers).
pub(crate) fn now() -> Timestamp {
    Timestamp::now()
}

/// Reads an optional timestamp column.
pub(crate) fn ts(v: Option<i64>) -> Option<Timestamp> {
    v.map(Timestamp)
}

/// Decodes a vocabulary column (`from` is e.g. `LegalBasis::from_code`); an unknown code is an error,
/// never a guess.
pub(crate) fn from_code<T>(
    value: i64,
    from: fn(i64) -> Option<T>,
    what: &str,
) -> rusqlite::Result<T> {
    from(value).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Integer,
            format!("unknown {what} code {value}").into(),
        )
    })
}

/// Gives every purpose of the catalogue an id; ids of purposes no longer configured are kept for history.
pub(crate) fn sync_purposes(conn: &Connection, policy: &Policy) -> Result<PurposeIds> {
    for p in policy.catalogue.purposes() {
        conn.execute(
            "INSERT OR IGNORE INTO purposes (name) VALUES (?1)",
            params![p.name],
        )
        .db("cannot record the purpose catalogue")?;
    }
    let mut stmt = conn
        .prepare("SELECT id, name FROM purposes")
        .db("purposes")?;
    let rows: Vec<(i64, String)> = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .db("purposes")?
        .collect::<rusqlite::Result<_>>()
        .db("purposes")?;
    Ok(PurposeIds::from_rows(rows))
}

/// Appends one entry chained to the current head, and moves the recorded head.
pub(crate) fn append_audit(
    conn: &Connection,
    keys: &Keys,
    actor: &Actor,
    draft: &AuditDraft,
) -> Result<i64> {
    let head: Option<(i64, Vec<u8>)> = conn
        .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional())
        .db("cannot read the audit log head")?;
    let (seq, prev_hash) = match head {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_vec()),
    };
    let details = draft.details.to_string();
    let role = actor.role.as_str();
    let at = now().0;
    let content = EntryContent {
        at,
        actor: &actor.name,
        role,
        action: draft.action,
        target: &draft.target,
        details: &details,
    };
    let hash = audit_chain::entry_hash(keys, &prev_hash, &content);
    conn.prepare_cached(
        "INSERT INTO audit_log (seq, at, actor, role, action, target, details, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .and_then(|mut s| {
        s.execute(params![
            seq,
            at,
            actor.name,
            role,
            draft.action,
            draft.target,
            details,
            prev_hash,
            hash.as_slice()
        ])
    })
    .db("cannot append to the audit log")?;
    conn.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_head', ?1)")
        .and_then(|mut s| s.execute([format!("{seq}:{}", hex::encode(hash))]))
        .db("cannot record the audit log head")?;
    Ok(seq)
}
