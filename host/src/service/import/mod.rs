//! The import service: a file through an importer plugin into the store,
//! all or nothing.
//!
//! ```text
//! file ──(1 MiB chunks)──▶ plugin session ──▶ convert & check ──(bounded channel)──▶ store writer
//!       parser thread: plugin + conversion                     calling thread: one transaction
//! ```
//!
//! The file is read twice: once to compute its SHA-256 (the store recognises a re-import of the same
//! file by it, so the digest is needed before the first write), then through the plugin. Parsing and
//! writing run on two threads, so both cores work (`pipeline.rs`). A failure anywhere — plugin trap,
//! unreadable input, bad row under `OnError::Abort`, cancellation, a panic, a killed process — leaves
//! the database exactly as it was: the store commits the batch only when the writer received the
//! parser's end-of-input message.

mod convert;
#[cfg(test)]
mod evidence_tests;
mod pipeline;
mod report;
mod request;
#[cfg(test)]
mod tests;
mod tryout;
pub mod upload;

pub use report::{ImportOutcome, ImportReport, RejectedRow};
pub use request::ImportRequest;
pub use tryout::{try_input, Tried, TryCounts};

use super::Compliance;
use crate::domain::{Actor, PluginRef, SourceChannel, SourceChunk, Timestamp};
use crate::runtime::importer::ImportSession;
use crate::runtime::{Plugin, PluginError, PluginKind, StartError};
use crate::store::{BatchMeta, ComplianceStore, StoreError};
pub(crate) use pipeline::panic_text;
use pipeline::{Message, Tally};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;
use std::time::Instant;

/// What to do with a row that cannot be imported.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
    utoipa::ToSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum OnError {
    /// Import nothing and report the row (the default: no partial imports by surprise).
    #[default]
    Abort,
    /// Import the good rows and report each bad one by row, column and reason.
    Skip,
}

/// What to do with a field that is not in the field catalogue (data minimisation).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
    utoipa::ToSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum FieldPolicy {
    /// Leave the field out and count it in the report.
    #[default]
    Drop,
    /// Treat the row as bad (see [`OnError`]).
    Reject,
}

/// How the import service runs one import: an [`ImportRequest`]'s choices, who runs it and when
/// its records were collected.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// What the data subject will be told the source was, e.g. `Fiera Milano 2026` (Art. 15(1)(g)).
    pub source_label: String,
    pub channel: SourceChannel,
    pub on_error: OnError,
    pub unknown_fields: FieldPolicy,
    /// Who runs the import (the audit log's actor and the provenance's operator).
    pub actor: Actor,
    /// The collection time of records that carry none.
    pub collected_at: Timestamp,
}

/// Progress of a running import, readable from other threads (progress bars, the HTTP job API).
#[derive(Debug, Default)]
pub struct Progress {
    pub bytes_total: AtomicU64,
    pub bytes_read: AtomicU64,
    pub records: AtomicU64,
}

impl Progress {
    pub fn snapshot(&self) -> (u64, u64, u64) {
        (
            self.bytes_read.load(Ordering::Relaxed),
            self.bytes_total.load(Ordering::Relaxed),
            self.records.load(Ordering::Relaxed),
        )
    }
}

/// A running import as other threads see it: its progress (a progress bar, the HTTP job API),
/// and the switch that stops it (a shutdown, a stopped job). Checked between batches; a stopped
/// import leaves nothing behind.
#[derive(Debug, Default)]
pub struct JobHandle {
    progress: Progress,
    cancelled: AtomicBool,
}

impl JobHandle {
    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    /// Asks the import to stop; it rolls back at its next batch.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}

/// Why an import did not commit. In every case nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the importer failed, nothing was imported: {0}")]
    Plugin(#[from] PluginError),
    #[error("row {row}{}: {reason}; nothing was imported (fix the row, or import with --on-error skip to import the other rows)", column.as_deref().map(|c| format!(", column `{c}`")).unwrap_or_default())]
    BadRow {
        row: u64,
        column: Option<String>,
        reason: String,
    },
    #[error("the import was cancelled (the server is shutting down or the job was stopped); nothing was imported")]
    Cancelled,
    #[error("{0}")]
    Store(StoreError),
    #[error("reading {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(String),
    /// A bug in Custode (a panic), turned into an error so the host goes on serving.
    #[error("the import stopped on an internal error, nothing was imported: {0} (a bug in Custode: please report it with the log)")]
    Internal(String),
}

impl From<StartError> for ImportError {
    fn from(e: StartError) -> Self {
        match e {
            StartError::Plugin(e) => ImportError::Plugin(e),
            wrong @ StartError::WrongKind { .. } => ImportError::Invalid(wrong.to_string()),
        }
    }
}

/// A row that could not be imported.
#[derive(Debug, Clone, PartialEq)]
pub struct RowProblem {
    pub row: u64,
    pub column: Option<String>,
    pub kind: RejectKind,
    /// For the operator: may quote the bad value, so it is never stored.
    pub reason: String,
}

/// Why a row was rejected, as a stable code: what the stored report and the audit log keep instead of
/// the reason's text, which may quote the bad value (personal data).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum RejectKind {
    /// The importer could not read the row (no identity, a bad date or consent cell, too many cells).
    Unreadable,
    InvalidEmail,
    InvalidPhone,
    InvalidExternalId,
    /// A consent whose channel is not one Custode knows.
    InvalidConsent,
    /// A field outside the field catalogue, with unknown fields set to reject.
    UnknownField,
    /// The record as a whole failed a check of the rules (an unknown purpose, a date out of range).
    InvalidRecord,
    /// A consent given without evidence, with the installation requiring evidence of consent.
    ConsentWithoutEvidence,
}

impl RejectKind {
    /// A reason that quotes nothing from the row.
    pub fn generic_reason(self) -> &'static str {
        match self {
            RejectKind::Unreadable => "the importer could not read this row",
            RejectKind::InvalidEmail => "not a valid email address",
            RejectKind::InvalidPhone => "not a valid phone number",
            RejectKind::InvalidExternalId => "not a valid external id",
            RejectKind::InvalidConsent => "a consent with a channel Custode does not know",
            RejectKind::UnknownField => {
                "a field outside the field catalogue, refused because unknown fields are rejected (data minimisation)"
            }
            RejectKind::InvalidRecord => "a value the rules do not accept",
            RejectKind::ConsentWithoutEvidence => {
                "a consent without evidence, refused because this installation requires evidence of consent (Art. 7(1))"
            }
        }
    }
}

impl Compliance {
    /// Imports the file at `path` with `plugin`; `job` shows its progress and can stop it.
    pub fn import_file(
        &self,
        plugin: &Plugin,
        path: &Path,
        options: &ImportOptions,
        job: &JobHandle,
    ) -> Result<ImportReport, ImportError> {
        if plugin.kind() != PluginKind::Importer {
            return Err(ImportError::Invalid(format!(
                "plugin `{}` is of kind `{}`: imports need an importer plugin such as `csv`",
                plugin.name(),
                plugin.kind()
            )));
        }
        let parser = PluginRef {
            name: plugin.name().to_string(),
            version: plugin.version().to_string(),
            digest: plugin.digest().to_string(),
        };
        let open = || -> Result<Box<dyn ChunkParser + '_>, ImportError> {
            Ok(Box::new(ImportSession::open(plugin)?))
        };
        self.import_parsed(&parser, &open, path, options, job)
    }

    /// Imports the file at `path` with the parser `open` gives; `parser` names it in the
    /// provenance and the report. [`Compliance::import_file`] is this with an importer plugin.
    pub fn import_parsed(
        &self,
        parser: &PluginRef,
        open: &OpenParser<'_>,
        path: &Path,
        options: &ImportOptions,
        job: &JobHandle,
    ) -> Result<ImportReport, ImportError> {
        let began = (Instant::now(), Timestamp::now());
        let io = |source| ImportError::Io {
            path: path.display().to_string(),
            source,
        };
        let (digest, bytes) = pipeline::file_digest(path).map_err(io)?;
        let file = std::fs::File::open(path).map_err(io)?;
        let input = Input {
            reader: file,
            name: path.display().to_string(),
            digest,
            bytes,
            began,
        };
        import_input(self.store().as_ref(), parser, open, input, options, job)
    }
}

/// What turns the bytes of a source into records: an importer plugin's session, or native code
/// (the benchmark's native CSV parser, which measures what the Wasm sandbox costs). Everything after
/// it — conversion, checks, the store's writes — is the same code whichever parser ran.
pub trait ChunkParser {
    /// Feeds the next chunk of input; returns the records it completed.
    fn push(&mut self, chunk: &[u8]) -> Result<SourceChunk, PluginError>;
    /// Ends the input; returns the remaining records.
    fn finish(&mut self) -> Result<SourceChunk, PluginError>;
}

impl ChunkParser for ImportSession<'_> {
    fn push(&mut self, chunk: &[u8]) -> Result<SourceChunk, PluginError> {
        ImportSession::push(self, chunk)
    }
    fn finish(&mut self) -> Result<SourceChunk, PluginError> {
        ImportSession::finish(self)
    }
}

/// Opens a parser on the parser thread (a plugin instance lives on the thread that uses it).
pub type OpenParser<'a> = dyn Fn() -> Result<Box<dyn ChunkParser + 'a>, ImportError> + Sync + 'a;

/// The bytes to import, already hashed.
pub(crate) struct Input<R> {
    pub reader: R,
    /// How errors name the input (its path).
    pub name: String,
    pub digest: String,
    pub bytes: u64,
    /// When the import began: for the duration and the batch's `started_at`.
    pub began: (Instant, Timestamp),
}

pub(crate) fn import_input<R: Read + Send>(
    store: &dyn ComplianceStore,
    parser: &PluginRef,
    open: &OpenParser<'_>,
    input: Input<R>,
    options: &ImportOptions,
    job: &JobHandle,
) -> Result<ImportReport, ImportError> {
    let Input {
        reader,
        name,
        digest,
        bytes,
        began: (started, started_at),
    } = input;
    let progress = job.progress();
    progress.bytes_total.store(bytes, Ordering::Relaxed);
    let meta = BatchMeta {
        source_label: options.source_label.clone(),
        channel: options.channel,
        file_digest: Some(digest.clone()),
        plugin: Some(parser.clone()),
        started_at,
        collected_at: options.collected_at,
    };
    let policy = store.policy().clone();
    let mut tally = Tally::default();
    // Why the import stopped, when it stopped itself: the store only hears that it was aborted.
    let mut aborted: Option<ImportError> = None;

    let (committed, parsed) = std::thread::scope(|scope| {
        let (tx, rx) = sync_channel::<Message>(4);
        let parser = scope.spawn(|| {
            pipeline::parse(
                open,
                reader,
                &name,
                &policy,
                options.unknown_fields,
                progress,
                tx,
            )
        });
        let committed = store.import(&options.actor, &meta, &mut |writer| {
            match pipeline::write_all(writer, &rx, options.on_error, job, &mut tally) {
                Ok(()) => {}
                Err(ImportError::Store(e)) => return Err(e),
                Err(e) => {
                    let reason = e.to_string();
                    aborted = Some(e);
                    return Err(StoreError::ImportAborted(reason));
                }
            }
            report::stored(&tally, writer.counts(), started.elapsed()).map_err(|e| {
                StoreError::ImportAborted(format!("the import's report cannot be written: {e}"))
            })
        });
        drop(rx); // unblocks the parser if the writer stopped early
                  // Joined here, so a panic in the parser is a value, not a panic of this thread.
        (committed, parser.join())
    });

    match (committed, parsed) {
        // The writer saw `Done`, the parser's last act: the batch is in.
        (Ok(committed), _) => Ok(ImportReport::new(
            committed,
            parser,
            options,
            (digest, bytes),
            tally,
            started.elapsed(),
        )),
        // The parser died without `Done`, so the writer refused to commit; the panic says why.
        (Err(_), Err(panic)) => Err(ImportError::Internal(format!(
            "the parser thread panicked: {}",
            pipeline::panic_text(panic.as_ref())
        ))),
        (Err(StoreError::ImportAborted(reason)), Ok(())) => {
            Err(aborted.unwrap_or(ImportError::Store(StoreError::ImportAborted(reason))))
        }
        (Err(e), Ok(())) => Err(ImportError::Store(e)),
    }
}

/// Most rejected rows listed one by one in a report; the rest are counted.
pub const MAX_LISTED_REJECTIONS: usize = 1000;
