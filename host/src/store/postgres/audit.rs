//! The audit log on PostgreSQL: appended inside each write's transaction (`rows::append_audit`),
//! listed, verified.

use postgres::fallible_iterator::FallibleIterator;
use postgres::GenericClient;

use super::PostgresStore;
use crate::domain::{Actor, Timestamp};
use crate::store::audit_chain::{self, StoredEntry};
use crate::store::common::AuditDraft;
use crate::store::error::DbContext;
use crate::store::{AuditEntry, AuditFilter, AuditStore, AuditVerification, Result};

fn recorded_head(client: &mut impl GenericClient) -> Result<Option<(i64, Vec<u8>)>> {
    let text: Option<String> = client
        .query_opt("SELECT value FROM meta WHERE key = 'audit_head'", &[])
        .db("cannot read the audit log head")?
        .map(|r| r.get(0));
    Ok(text.and_then(|t| {
        let (seq, hash) = t.split_once(':')?;
        Some((seq.parse().ok()?, hex::decode(hash).ok()?))
    }))
}

impl AuditStore for PostgresStore {
    fn audit_record(
        &self,
        actor: &Actor,
        action: &'static str,
        target: &str,
        details: serde_json::Value,
    ) -> Result<()> {
        self.write(actor, |_| {
            Ok(((), AuditDraft::new(action, target, details)))
        })
    }

    fn audit_list(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let mut conn = self.conn()?;
        let limit = i64::from(if filter.limit == 0 {
            1000
        } else {
            filter.limit.min(10_000)
        });
        let rows = conn
            .query(
                "SELECT seq, at, actor, role, action, target, details, hash FROM audit_log
                 WHERE seq > $1 AND ($2::TEXT IS NULL OR target = $2) ORDER BY seq LIMIT $3",
                &[&filter.after.unwrap_or(0), &filter.target, &limit],
            )
            .db("cannot read the audit log")?;
        Ok(rows
            .iter()
            .map(|r| {
                let details: String = r.get(6);
                AuditEntry {
                    seq: r.get(0),
                    at: Timestamp(r.get(1)),
                    actor: r.get(2),
                    role: r.get(3),
                    action: r.get(4),
                    target: r.get(5),
                    details: serde_json::from_str(&details)
                        .unwrap_or(serde_json::Value::String(details)),
                    hash: hex::encode(r.get::<_, Vec<u8>>(7)),
                }
            })
            .collect())
    }

    fn audit_verify(&self) -> Result<AuditVerification> {
        let mut conn = self.conn()?;
        // One snapshot: the recorded head and the entries agree even while other servers append.
        let mut tx = super::snapshot(&mut conn, "cannot start reading the audit log")?;
        let head = recorded_head(&mut tx)?;
        let rows = tx
            .query_raw(
                "SELECT seq, at, actor, role, action, target, details, prev_hash, hash
                 FROM audit_log ORDER BY seq",
                std::iter::empty::<i64>(),
            )
            .db("cannot read the audit log")?;
        // Streamed: the log can be long; only the hashes are kept while walking it.
        let mut failure = None;
        let entries = rows
            .map(|r| {
                Ok(StoredEntry {
                    seq: r.try_get(0)?,
                    at: r.try_get(1)?,
                    actor: r.try_get(2)?,
                    role: r.try_get(3)?,
                    action: r.try_get(4)?,
                    target: r.try_get(5)?,
                    details: r.try_get(6)?,
                    prev_hash: r.try_get(7)?,
                    hash: r.try_get(8)?,
                })
            })
            .iterator()
            .map_while(|row| row.map_err(|e| failure = Some(e)).ok());
        let verification = audit_chain::verify(&self.keys, entries, head);
        match failure {
            Some(e) => Err(e).db("cannot read the audit log"),
            None => Ok(verification),
        }
    }
}
