//! The audit log in SQLite: appended inside each write's transaction, listed, verified.

use rusqlite::{params, Connection, OptionalExtension};

use super::rows::{append_audit, AuditDraft};
use super::SqliteStore;
use crate::domain::{Actor, Timestamp};
use crate::store::audit_chain::{self, StoredEntry};
use crate::store::error::DbContext;
use crate::store::{AuditEntry, AuditFilter, AuditStore, AuditVerification, Result};

fn recorded_head(conn: &Connection) -> Result<Option<(i64, Vec<u8>)>> {
    let text: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'audit_head'", [], |r| {
            r.get(0)
        })
        .optional()
        .db("cannot read the audit log head")?;
    Ok(text.and_then(|t| {
        let (seq, hash) = t.split_once(':')?;
        Some((seq.parse().ok()?, hex::decode(hash).ok()?))
    }))
}

/// Number and hash of the last entry, for backup reports.
pub(crate) fn head(conn: &Connection) -> Result<(i64, Option<String>)> {
    let row: Option<(i64, Vec<u8>)> = conn
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .db("cannot read the audit log head")?;
    Ok(match row {
        Some((seq, hash)) => (seq, Some(hex::encode(hash))),
        None => (0, None),
    })
}

impl AuditStore for SqliteStore {
    fn audit_record(
        &self,
        actor: &Actor,
        action: &'static str,
        target: &str,
        details: serde_json::Value,
    ) -> Result<()> {
        let mut conn = self.writer()?;
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .db("cannot start the audit transaction")?;
        append_audit(
            &tx,
            &self.keys,
            actor,
            &AuditDraft::new(action, target, details),
        )?;
        tx.commit().db("cannot commit the audit entry")?;
        self.written();
        Ok(())
    }

    fn audit_list(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let conn = self.reader()?;
        let limit = if filter.limit == 0 {
            1000
        } else {
            filter.limit.min(10_000)
        };
        let mut stmt = conn
            .prepare_cached(
                "SELECT seq, at, actor, role, action, target, details, hash FROM audit_log
                 WHERE seq > ?1 AND (?2 IS NULL OR target = ?2) ORDER BY seq LIMIT ?3",
            )
            .db("cannot read the audit log")?;
        let rows = stmt
            .query_map(
                params![filter.after.unwrap_or(0), filter.target, limit],
                |r| {
                    let details: String = r.get(6)?;
                    Ok(AuditEntry {
                        seq: r.get(0)?,
                        at: Timestamp(r.get(1)?),
                        actor: r.get(2)?,
                        role: r.get(3)?,
                        action: r.get(4)?,
                        target: r.get(5)?,
                        details: serde_json::from_str(&details)
                            .unwrap_or(serde_json::Value::String(details)),
                        hash: hex::encode(r.get::<_, Vec<u8>>(7)?),
                    })
                },
            )
            .db("cannot read the audit log")?;
        rows.collect::<Result<Vec<_>, _>>()
            .db("cannot read the audit log")
    }

    fn audit_verify(&self) -> Result<AuditVerification> {
        let conn = self.reader()?;
        // A reader works inside one snapshot: the head and the entries agree.
        let result = (|| {
            let head = recorded_head(&conn)?;
            let mut stmt = conn
                .prepare("SELECT seq, at, actor, role, action, target, details, prev_hash, hash FROM audit_log ORDER BY seq")
                .db("cannot read the audit log")?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(StoredEntry {
                        seq: r.get(0)?,
                        at: r.get(1)?,
                        actor: r.get(2)?,
                        role: r.get(3)?,
                        action: r.get(4)?,
                        target: r.get(5)?,
                        details: r.get(6)?,
                        prev_hash: r.get(7)?,
                        hash: r.get(8)?,
                    })
                })
                .db("cannot read the audit log")?;
            // Streamed: the log can be long; only the hashes are kept while walking it.
            let mut failure = None;
            let entries = rows.map_while(|row| row.map_err(|e| failure = Some(e)).ok());
            let verification = audit_chain::verify(&self.keys, entries, head);
            match failure {
                Some(e) => Err(e).db("cannot read the audit log"),
                None => Ok(verification),
            }
        })();
        result
    }
}
