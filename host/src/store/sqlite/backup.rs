//! Online backup with SQLite's backup API: a consistent copy taken from a reader's snapshot while
//! the server keeps reading and writing. The key file is not part of it by design (see `secret.rs`).
//! The copy holds everyone's personal data, so it is created `0600`, and a copy that fails is removed.

use std::path::Path;

use rusqlite::backup::Backup;
use rusqlite::Connection;
use serde_json::json;

use super::audit;
use super::rows::AuditDraft;
use super::SqliteStore;
use crate::domain::Actor;
use crate::store::error::{DbContext, StoreError};
use crate::store::files;
use crate::store::{BackupReport, BackupStore, Result};

impl BackupStore for SqliteStore {
    fn backup(&self, actor: &Actor, dest: &Path) -> Result<BackupReport> {
        let partial = files::PartialBackup::beside(dest)?;
        {
            let src = self.reader()?;
            let mut dst = Connection::open(&partial.0).db("cannot create the backup file")?;
            let backup = Backup::new(&src, &mut dst).db("cannot start the backup")?;
            // All pages in one step: one read snapshot, so concurrent writes never restart the copy.
            backup.step(-1).db("cannot copy the database")?;
        }
        let (entries, head) = {
            let copy = Connection::open(&partial.0).db("cannot open the backup to check it")?;
            let ok: String = copy
                .query_row("PRAGMA quick_check", [], |r| r.get(0))
                .db("cannot check the backup")?;
            if ok != "ok" {
                return Err(StoreError::Setup(format!(
                    "the backup failed its integrity check: {ok}"
                )));
            }
            audit::head(&copy)?
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
        // An erasure whose checkpoint a reader held up promised the files would be purged at the
        // next erasure or backup: this is that retry (it also keeps the WAL from growing).
        if !self.purge_files() {
            tracing::info!(
                "a reader held an old snapshot: the WAL is emptied at the next erasure or backup"
            );
        }
        Ok(report)
    }
}
