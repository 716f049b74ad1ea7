//! What an import did: returned to the operator, and stored (without personal data) with the batch.

use super::{ImportOptions, RejectKind, RowProblem, Tally};
use crate::domain::PluginRef;
use crate::store::{ImportCommitted, ImportCounts};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// The report of a committed import, for the operator: the batch's header and its
/// [`ImportOutcome`], whose fields it derefs to (`report.created`). Rejection reasons here may quote
/// the bad value; the stored copy of the summary does not (see [`ImportOutcome::without_values`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct ImportReport {
    pub batch: i64,
    pub source_label: String,
    pub channel: String,
    /// The imported file's SHA-256 keyed with the installation secret (HMAC-SHA-256), as the batch
    /// and the audit log hold it: the same file always gives the same digest on this installation.
    pub file_digest: String,
    pub file_bytes: u64,
    /// `name@version` of the importer, and the SHA-256 of its component.
    pub plugin: String,
    pub plugin_digest: String,
    #[serde(flatten)]
    pub outcome: ImportOutcome,
}

impl std::ops::Deref for ImportReport {
    type Target = ImportOutcome;
    fn deref(&self) -> &ImportOutcome {
        &self.outcome
    }
}

/// What an import did, in counts, row numbers, column names and reason codes. The operator's
/// report holds it with each rejection's full reason; stored with the batch
/// (`import_batches.report`) and in the audit log's `import.commit` entry, it holds no value at all
/// ([`ImportOutcome::without_values`]): a rejection reason may quote the bad value, which can be
/// personal data. The batch's columns hold the rest: source, channel, file digest, plugin,
/// operator, start and end.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct ImportOutcome {
    /// Records the plugin produced plus rows it could not read.
    pub records_read: u64,
    pub created: u64,
    pub merged: u64,
    /// Records already imported from this same file: nothing was written for them.
    pub unchanged: u64,
    /// Records whose identity is on the suppression list: nothing was written for them.
    pub suppressed: u64,
    pub rejected: u64,
    /// The first rejected rows, with the reason (at most `MAX_LISTED_REJECTIONS`).
    pub rejected_rows: Vec<RejectedRow>,
    /// Fields left out because no purpose in the catalogue justifies them, with how many values.
    pub fields_dropped: BTreeMap<String, u64>,
    /// True when the file had already been imported: no contact was created or changed (its suppressed
    /// and rejected rows, if any, were not imported either time).
    pub already_imported: bool,
    /// From the start of the import to its last record written (the operator's report: to the
    /// commit).
    pub duration_ms: u64,
    pub records_per_second: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct RejectedRow {
    pub row: u64,
    pub column: Option<String>,
    pub kind: RejectKind,
    /// What is wrong, for the operator: may quote the value. Stored, it is
    /// [`RejectKind::generic_reason`], which quotes nothing from the row.
    pub reason: String,
}

impl From<&RowProblem> for RejectedRow {
    fn from(p: &RowProblem) -> Self {
        RejectedRow {
            row: p.row,
            column: p.column.clone(),
            kind: p.kind,
            reason: p.reason.clone(),
        }
    }
}

/// Whether an import changed nothing because its file was imported before. Suppressed and rejected
/// rows are never written, so they do not count against it; but a file with nothing `unchanged` was
/// not imported before (a file of suppressed rows only changes nothing for another reason).
fn already_imported(c: &ImportCounts) -> bool {
    c.created == 0 && c.merged == 0 && c.unchanged > 0
}

impl ImportOutcome {
    pub(super) fn new(tally: &Tally, c: ImportCounts, took: Duration) -> ImportOutcome {
        ImportOutcome {
            records_read: tally.records_read,
            created: c.created,
            merged: c.merged,
            unchanged: c.unchanged,
            suppressed: c.suppressed,
            rejected: tally.rejected_total,
            rejected_rows: tally.rejected.iter().map(Into::into).collect(),
            fields_dropped: tally.fields_dropped.clone(),
            already_imported: already_imported(&c),
            duration_ms: took.as_millis() as u64,
            records_per_second: tally.records_read as f64 / took.as_secs_f64().max(1e-9),
        }
    }

    /// The summary as stored and audited: each rejection's reason replaced by the generic reason of
    /// its kind, so nothing of the file's values is kept.
    pub fn without_values(&self) -> ImportOutcome {
        let mut stored = self.clone();
        for row in &mut stored.rejected_rows {
            row.reason = row.kind.generic_reason().to_string();
        }
        stored
    }
}

impl ImportReport {
    pub(super) fn new(
        committed: ImportCommitted,
        plugin: &PluginRef,
        options: &ImportOptions,
        file: (String, u64),
        tally: Tally,
        took: Duration,
    ) -> ImportReport {
        let (plain_digest, file_bytes) = file;
        ImportReport {
            batch: committed.batch.0,
            source_label: options.source_label.clone(),
            channel: options.channel.as_str().to_string(),
            // What the batch and the audit log hold, to find it there.
            file_digest: committed.file_digest.unwrap_or(plain_digest),
            file_bytes,
            plugin: format!("{}@{}", plugin.name, plugin.version),
            plugin_digest: plugin.digest.clone(),
            outcome: ImportOutcome::new(&tally, committed.counts, took),
        }
    }

    /// One paragraph for a terminal.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "batch {}: {} records read from {} ({} bytes) with {}: {} created, {} merged, {} unchanged, {} suppressed, {} rejected; {} ms ({:.0} records/s)",
            self.batch,
            self.records_read,
            self.source_label,
            self.file_bytes,
            self.plugin,
            self.created,
            self.merged,
            self.unchanged,
            self.suppressed,
            self.rejected,
            self.duration_ms,
            self.records_per_second
        );
        if self.already_imported {
            out += "\nnothing changed: this same file was imported before";
        }
        if !self.fields_dropped.is_empty() {
            let list: Vec<String> = self
                .fields_dropped
                .iter()
                .map(|(k, v)| format!("{k} ({v})"))
                .collect();
            out += &format!(
                "\nfields dropped because no purpose justifies them (data minimisation): {}; add them to the field catalogue to keep them",
                list.join(", ")
            );
        }
        for r in &self.rejected_rows {
            match &r.column {
                Some(c) => out += &format!("\n  row {}, column `{c}`: {}", r.row, r.reason),
                None => out += &format!("\n  row {}: {}", r.row, r.reason),
            }
        }
        if self.rejected as usize > self.rejected_rows.len() {
            out += &format!(
                "\n  … and {} more rejected rows",
                self.rejected as usize - self.rejected_rows.len()
            );
        }
        out
    }
}

/// The summary stored with the batch and in the audit log: no values (see
/// [`ImportOutcome::without_values`]).
pub(super) fn stored(
    tally: &Tally,
    c: ImportCounts,
    took: Duration,
) -> serde_json::Result<serde_json::Value> {
    serde_json::to_value(ImportOutcome::new(tally, c, took).without_values())
}
