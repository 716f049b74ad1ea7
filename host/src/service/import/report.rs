//! What an import did: returned to the operator, and stored (without personal data) with the batch.

use super::{ImportOptions, RejectKind, RowProblem, Tally};
use crate::domain::PluginRef;
use crate::store::{ImportCommitted, ImportCounts};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// The report of a committed import.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct ImportReport {
    pub batch: i64,
    pub source_label: String,
    pub channel: String,
    /// SHA-256 of the imported file.
    pub file_digest: String,
    pub file_bytes: u64,
    /// `name@version` of the importer, and the SHA-256 of its component.
    pub plugin: String,
    pub plugin_digest: String,
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
    pub duration_ms: u64,
    pub records_per_second: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct RejectedRow {
    pub row: u64,
    pub column: Option<String>,
    pub kind: RejectKind,
    /// What is wrong, for the operator: may quote the value.
    pub reason: String,
}

impl From<RowProblem> for RejectedRow {
    fn from(p: RowProblem) -> Self {
        RejectedRow {
            row: p.row,
            column: p.column,
            kind: p.kind,
            reason: p.reason,
        }
    }
}

/// Whether an import changed nothing because its file was imported before. Suppressed and rejected
/// rows are never written, so they do not count against it; but a file with nothing `unchanged` was
/// not imported before (a file of suppressed rows only changes nothing for another reason).
fn already_imported(c: &ImportCounts) -> bool {
    c.created == 0 && c.merged == 0 && c.unchanged > 0
}

impl ImportReport {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        committed: ImportCommitted,
        plugin: &PluginRef,
        options: &ImportOptions,
        file_digest: String,
        file_bytes: u64,
        tally: Tally,
        took: Duration,
    ) -> ImportReport {
        let c = committed.counts;
        ImportReport {
            batch: committed.batch.0,
            source_label: options.source_label.clone(),
            channel: options.channel.as_str().to_string(),
            file_digest,
            file_bytes,
            plugin: format!("{}@{}", plugin.name, plugin.version),
            plugin_digest: plugin.digest.clone(),
            records_read: tally.records_read,
            created: c.created,
            merged: c.merged,
            unchanged: c.unchanged,
            suppressed: c.suppressed,
            rejected: tally.rejected_total,
            rejected_rows: tally.rejected.into_iter().map(Into::into).collect(),
            fields_dropped: tally.fields_dropped,
            already_imported: already_imported(&c),
            duration_ms: took.as_millis() as u64,
            records_per_second: tally.records_read as f64 / took.as_secs_f64().max(1e-9),
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
                "\nfields dropped because no purpose justifies them (R9): {}; add them to the field catalogue to keep them",
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

/// The report as stored with the batch (`import_batches.report`) and in the audit log's
/// `import.commit` entry: counts, row numbers, column names and reason codes, never values (a rejection
/// reason may quote the bad value, which can be personal data). The batch's columns hold the rest:
/// source, channel, file digest, plugin, operator, start and end.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredReport {
    pub records_read: u64,
    pub created: u64,
    pub merged: u64,
    pub unchanged: u64,
    pub suppressed: u64,
    pub rejected: u64,
    /// The first rejected rows (at most `MAX_LISTED_REJECTIONS`).
    pub rejected_rows: Vec<StoredRejection>,
    pub fields_dropped: BTreeMap<String, u64>,
    pub already_imported: bool,
    /// From the start of the import to its last record written (the commit follows).
    pub duration_ms: u64,
    pub records_per_second: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredRejection {
    pub row: u64,
    pub column: Option<String>,
    pub kind: RejectKind,
    /// [`RejectKind::generic_reason`]: quotes nothing from the row.
    pub reason: String,
}

pub(super) fn stored(
    tally: &Tally,
    c: ImportCounts,
    took: Duration,
) -> serde_json::Result<serde_json::Value> {
    let report = StoredReport {
        records_read: tally.records_read,
        created: c.created,
        merged: c.merged,
        unchanged: c.unchanged,
        suppressed: c.suppressed,
        rejected: tally.rejected_total,
        rejected_rows: tally
            .rejected
            .iter()
            .map(|p| StoredRejection {
                row: p.row,
                column: p.column.clone(),
                kind: p.kind,
                reason: p.kind.generic_reason().to_string(),
            })
            .collect(),
        fields_dropped: tally.fields_dropped.clone(),
        already_imported: already_imported(&c),
        duration_ms: took.as_millis() as u64,
        records_per_second: tally.records_read as f64 / took.as_secs_f64().max(1e-9),
    };
    serde_json::to_value(report)
}
