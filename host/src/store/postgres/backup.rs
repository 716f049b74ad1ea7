//! Backups of a PostgreSQL installation: an SQLite database file holding every table as one
//! snapshot saw it (`store::migrate::postgres_to_sqlite`). It is the database of an SQLite
//! installation: with the installation's `secret.key` beside it, it opens as one (and moves back
//! into PostgreSQL with `custode migrate`), and its audit chain verifies with the same key.
//! `pg_dump` remains the operator's tool for the database as a whole; this is the copy Custode
//! itself vouches for, made through `custode backup` or `POST /api/v1/backup` as on SQLite.

use std::path::Path;

use serde_json::json;

use super::PostgresStore;
use crate::domain::Actor;
use crate::store::common::AuditDraft;
use crate::store::error::{DbContext, StoreError};
use crate::store::{files, migrate, BackupReport, BackupStore, Result};

impl BackupStore for PostgresStore {
    fn backup(&self, actor: &Actor, dest: &Path) -> Result<BackupReport> {
        let partial = files::PartialBackup::beside(dest)?;
        let (entries, head) = {
            let mut conn = self.conn()?;
            let mut tx = super::snapshot(&mut conn, "cannot start the backup")?;
            let mut copy =
                rusqlite::Connection::open(&partial.0).db("cannot create the backup file")?;
            migrate::postgres_to_sqlite(&mut tx, &mut copy)?;
            let ok: String = copy
                .query_row("PRAGMA quick_check", [], |r| r.get(0))
                .db("cannot check the backup")?;
            if ok != "ok" {
                return Err(StoreError::Setup(format!(
                    "the backup failed its integrity check: {ok}"
                )));
            }
            let head = tx
                .query_opt(
                    "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                    &[],
                )
                .db("cannot read the audit log head")?;
            match head {
                Some(r) => (
                    r.get::<_, i64>(0),
                    Some(hex::encode(r.get::<_, Vec<u8>>(1))),
                ),
                None => (0, None),
            }
        };
        std::fs::rename(&partial.0, dest)
            .map_err(|e| StoreError::io("cannot move the backup into place", dest, e))?;
        let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
        let report = BackupReport {
            path: dest.to_path_buf(),
            bytes,
            audit_entries: entries,
            audit_head: head,
        };
        self.write(actor, |_| {
            let details = json!({ "file": dest.display().to_string(), "bytes": bytes, "audit_head": report.audit_head });
            Ok(((), AuditDraft::new("backup", "database", details)))
        })?;
        Ok(report)
    }
}
