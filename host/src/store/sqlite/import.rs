//! Imports: one transaction per batch around the record writer. Whatever happens inside — a plugin
//! error, a bad row under `--on-error abort`, a panic, a killed process — the database is left exactly
//! as it was unless the whole batch commits.

use rusqlite::{params, TransactionBehavior};
use serde_json::json;

use super::records::{OnExisting, RecordSink, SinkConfig};
use super::rows::{append_audit, now, AuditDraft};
use super::SqliteStore;
use crate::domain::{Actor, BatchId};
use crate::store::common::check_meta;
use crate::store::error::{DbContext, StoreError};
use crate::store::{BatchMeta, ImportCommitted, ImportStore, RecordWriter, Result};

impl ImportStore for SqliteStore {
    fn import(
        &self,
        actor: &Actor,
        meta: &BatchMeta,
        run: &mut dyn FnMut(&mut dyn RecordWriter) -> Result<serde_json::Value>,
    ) -> Result<ImportCommitted> {
        check_meta(meta)?;
        let mut conn = self.writer()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db("cannot start the import transaction")?;
        let plugin = meta.plugin.as_ref();
        // Stored and audited keyed (`Keys::file_digest`); the records' own digests still take the
        // plain one, which is never stored.
        let file_digest = meta
            .file_digest
            .as_deref()
            .map(|d| self.keys.file_digest(d));
        tx.prepare_cached(
            "INSERT INTO import_batches (started_at, source_label, channel, file_digest, plugin_name, plugin_version, plugin_digest, operator)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .and_then(|mut s| {
            s.execute(params![
                meta.started_at.0,
                meta.source_label.trim(),
                meta.channel.code(),
                file_digest,
                plugin.map(|p| &p.name),
                plugin.map(|p| &p.version),
                plugin.map(|p| &p.digest),
                actor.name
            ])
        })
        .db("cannot record the import batch")?;
        let batch = BatchId(tx.last_insert_rowid());
        let cfg = SinkConfig {
            batch: Some(batch),
            file_digest: meta.file_digest.clone(),
            source_label: meta.source_label.trim().to_string(),
            channel: meta.channel,
            operator: actor.name.clone(),
            default_collected_at: meta.collected_at,
            on_existing: OnExisting::Merge,
        };
        let mut sink = RecordSink::new(self, &tx, cfg)?;
        // Dropping `tx` on any early return rolls the whole batch back.
        let report = run(&mut sink)?;
        sink.finish()?;
        if sink.poisoned {
            return Err(StoreError::ImportAborted(
                "a record failed to write and the import went on regardless; nothing was kept"
                    .into(),
            ));
        }
        let counts = sink.counts();
        drop(sink);
        tx.prepare_cached("UPDATE import_batches SET finished_at = ?2, report = ?3 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![batch.0, now().0, report.to_string()]))
            .db("cannot record the import report")?;
        let details = json!({
            "channel": meta.channel,
            "file_digest": file_digest,
            "plugin": plugin.map(|p| format!("{}@{}", p.name, p.version)),
            "plugin_digest": plugin.map(|p| &p.digest),
            "counts": counts,
            // What the import service reported (counts, reason codes, fields dropped, duration):
            // the same document as `import_batches.report`.
            "report": report,
        });
        append_audit(
            &tx,
            &self.keys,
            actor,
            &AuditDraft::new("import.commit", format!("batch:{}", batch.0), details),
        )?;
        tx.commit().db("cannot commit the import")?;
        self.written();
        Ok(ImportCommitted {
            batch,
            counts,
            file_digest,
        })
    }
}

/// Installations from before file digests were keyed hold plain SHA-256 digests in their batches:
/// each is replaced, once, by its keyed form, the same transform new imports get (`Keys::file_digest`
/// of the plain digest), so a file imported before is still recognised. The `import.commit` audit
/// entries of those imports keep the plain digest: the audit log is append-only and its chain would
/// break (see the README's operations section).
pub(super) fn key_old_file_digests(
    conn: &mut rusqlite::Connection,
    keys: &crate::store::secret::Keys,
) -> Result<()> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .db("cannot start keying old file digests")?;
    let done: bool = tx
        .query_row(
            "SELECT count(*) FROM meta WHERE key = 'file_digests_keyed'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .db("cannot read the database metadata")?
        > 0;
    if done {
        return Ok(());
    }
    let old: Vec<(i64, String)> = tx
        .prepare("SELECT id, file_digest FROM import_batches WHERE file_digest IS NOT NULL")
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .db("cannot read the import batches")?;
    for (id, digest) in &old {
        tx.execute(
            "UPDATE import_batches SET file_digest = ?2 WHERE id = ?1",
            params![id, keys.file_digest(digest)],
        )
        .db("cannot key an import batch's file digest")?;
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('file_digests_keyed', 'v1')",
        [],
    )
    .db("cannot write the database metadata")?;
    tx.commit().db("cannot commit the keyed file digests")?;
    if !old.is_empty() {
        tracing::info!(
            batches = old.len(),
            "import batches' file digests are now keyed with the installation secret"
        );
    }
    Ok(())
}
