//! Imports on PostgreSQL: one transaction per batch around the record writer, holding the writer
//! lock from the first row to the commit (as on SQLite: a batch is all-or-nothing, and no other
//! server writes in between). Whatever happens inside — a plugin error, a bad row under
//! `--on-error abort`, a panic, a lost connection — the transaction is rolled back and the database
//! is left exactly as it was.

use serde_json::json;

use super::records::RecordSink;
use super::rows::append_audit;
use super::{lock_writer, PostgresStore};
use crate::domain::{Actor, BatchId, Timestamp};
use crate::store::common::{check_meta, AuditDraft, OnExisting, SinkConfig};
use crate::store::error::{DbContext, StoreError};
use crate::store::{BatchMeta, ImportCommitted, ImportStore, RecordWriter, Result};

impl ImportStore for PostgresStore {
    fn import(
        &self,
        actor: &Actor,
        meta: &BatchMeta,
        run: &mut dyn FnMut(&mut dyn RecordWriter) -> Result<serde_json::Value>,
    ) -> Result<ImportCommitted> {
        check_meta(meta)?;
        let mut conn = self.conn()?;
        let mut tx = conn
            .transaction()
            .db("cannot start the import transaction")?;
        lock_writer(&mut tx)?;
        // The sink's statements are prepared once, and PostgreSQL would soon plan them once for all
        // (a generic plan), with the table sizes it knew then: at the start of a first import, empty
        // tables, so a lookup scans a table that the import grows to millions of rows. Planned on
        // every run, they see the sizes as they are. Even so, the planner prices a few hundred
        // probes of an index above one pass over a table it believes cached, and read the whole of
        // `field_values` and `consent_events` for each batch's merges (55 ms against 7 ms at 300,000
        // contacts, growing with the table). Every read of an import is by key, so scans are off.
        tx.batch_execute(
            "SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL enable_seqscan = off",
        )
        .db("cannot configure the import transaction")?;
        let plugin = meta.plugin.as_ref();
        // Stored and audited keyed (`Keys::file_digest`); the records' own digests still take the
        // plain one, which is never stored.
        let file_digest = meta
            .file_digest
            .as_deref()
            .map(|d| self.keys.file_digest(d));
        let batch: i64 = tx
            .query_one(
                "INSERT INTO import_batches (started_at, source_label, channel, file_digest, plugin_name, plugin_version, plugin_digest, operator)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                &[
                    &meta.started_at.0,
                    &meta.source_label.trim(),
                    &meta.channel.code(),
                    &file_digest,
                    &plugin.map(|p| &p.name),
                    &plugin.map(|p| &p.version),
                    &plugin.map(|p| &p.digest),
                    &actor.name,
                ],
            )
            .db("cannot record the import batch")?
            .get(0);
        let batch = BatchId(batch);
        let cfg = SinkConfig {
            batch: Some(batch),
            file_digest: meta.file_digest.clone(),
            source_label: meta.source_label.trim().to_string(),
            channel: meta.channel,
            operator: actor.name.clone(),
            default_collected_at: meta.collected_at,
            on_existing: OnExisting::Merge,
        };
        let mut sink = RecordSink::new(self, &mut tx, cfg)?;
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
        tx.execute(
            "UPDATE import_batches SET finished_at = $2, report = $3 WHERE id = $1",
            &[&batch.0, &Timestamp::now().0, &report.to_string()],
        )
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
            &mut tx,
            &self.keys,
            actor,
            &AuditDraft::new("import.commit", format!("batch:{}", batch.0), details),
        )?;
        tx.commit().db("cannot commit the import")?;
        Ok(ImportCommitted {
            batch,
            counts,
            file_digest,
        })
    }
}
