//! The import service (R1, R2, R4, R11, R13, R14): a file through an importer plugin into the store,
//! all or nothing.
//!
//! ```text
//! file ──(1 MiB chunks)──▶ plugin session ──▶ convert & check ──(bounded channel)──▶ store writer
//!       parser thread: plugin + conversion                     calling thread: one transaction
//! ```
//!
//! The file is read twice: once to compute its SHA-256 (the store recognises a re-import of the same
//! file by it, so the digest is needed before the first write), then through the plugin. Parsing and
//! writing run on two threads, so both cores work. A failure anywhere — plugin trap, bad row under
//! `OnError::Abort`, cancellation, a killed process — leaves the database exactly as it was: the
//! store commits the batch only when the writer finishes.

mod convert;
mod report;

pub use report::{ImportReport, RejectedRow};

use crate::domain::{Actor, NormalizedRecord, PluginRef, SourceChannel, Timestamp};
use crate::runtime::bindings::importer::exports::custode::plugin::source::ChunkResult;
use crate::runtime::importer::{ImportSession, CHUNK_SIZE};
use crate::runtime::{Plugin, PluginError, PluginKind};
use crate::store::{BatchMeta, ComplianceStore, StoreError};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
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
)]
#[serde(rename_all = "kebab-case")]
pub enum OnError {
    /// Import nothing and report the row (the default: no partial imports by surprise).
    #[default]
    Abort,
    /// Import the good rows and report each bad one by row, column and reason.
    Skip,
}

/// What to do with a field that is not in the field catalogue (R9, minimisation).
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
)]
#[serde(rename_all = "kebab-case")]
pub enum FieldPolicy {
    /// Leave the field out and count it in the report.
    #[default]
    Drop,
    /// Treat the row as bad (see [`OnError`]).
    Reject,
}

/// How to run one import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// What the data subject will be told the source was, e.g. `Fiera Milano 2026` (R2).
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
}

/// A row that could not be imported.
#[derive(Debug, Clone, PartialEq)]
pub struct RowProblem {
    pub row: u64,
    pub column: Option<String>,
    pub reason: String,
}

/// Imports the file at `path` with `plugin`. `cancel` is checked between batches.
pub fn import_file(
    store: &dyn ComplianceStore,
    plugin: &Plugin,
    path: &Path,
    options: &ImportOptions,
    progress: &Progress,
    cancel: &AtomicBool,
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
        match plugin.open_import() {
            Ok(session) => Ok(Box::new(session)),
            Err(e) => Err(match e.downcast::<PluginError>() {
                Ok(pe) => ImportError::Plugin(pe),
                Err(other) => ImportError::Invalid(format!("{other:#}")),
            }),
        }
    };
    import_parsed(store, &parser, &open, path, options, progress, cancel)
}

/// What turns the bytes of a source into records: an importer plugin's session, or native code
/// (the benchmark's native CSV parser, which measures what the Wasm sandbox costs). Everything after
/// it — conversion, checks, the store's writes — is the same code whichever parser ran.
pub trait ChunkParser {
    /// Feeds the next chunk of input; returns the records it completed.
    fn push(&mut self, chunk: &[u8]) -> Result<ChunkResult, PluginError>;
    /// Ends the input; returns the remaining records.
    fn finish(&mut self) -> Result<ChunkResult, PluginError>;
}

impl ChunkParser for ImportSession<'_> {
    fn push(&mut self, chunk: &[u8]) -> Result<ChunkResult, PluginError> {
        ImportSession::push(self, chunk)
    }
    fn finish(&mut self) -> Result<ChunkResult, PluginError> {
        ImportSession::finish(self)
    }
}

/// Opens a parser on the parser thread (a plugin instance lives on the thread that uses it).
pub type OpenParser<'a> = dyn Fn() -> Result<Box<dyn ChunkParser + 'a>, ImportError> + Sync + 'a;

/// Imports the file at `path` with the parser `open` gives; `parser` names it in the provenance and
/// the report. [`import_file`] is this with an importer plugin.
pub fn import_parsed(
    store: &dyn ComplianceStore,
    parser: &PluginRef,
    open: &OpenParser<'_>,
    path: &Path,
    options: &ImportOptions,
    progress: &Progress,
    cancel: &AtomicBool,
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    let io = |source| ImportError::Io {
        path: path.display().to_string(),
        source,
    };
    let (digest, bytes) = file_digest(path).map_err(io)?;
    progress.bytes_total.store(bytes, Ordering::Relaxed);
    let file = std::fs::File::open(path).map_err(io)?;

    let meta = BatchMeta {
        source_label: options.source_label.clone(),
        channel: options.channel,
        file_digest: Some(digest.clone()),
        plugin: Some(parser.clone()),
        started_at: options.collected_at,
    };
    let policy = store.policy().clone();
    let mut tally = Tally::default();

    let outcome = std::thread::scope(|scope| {
        let (tx, rx) = sync_channel::<Message>(4);
        let parser =
            scope.spawn(|| parse(open, file, &policy, options.unknown_fields, progress, tx));
        let committed = store.import(&options.actor, &meta, &mut |writer| {
            write_all(writer, &rx, options.on_error, cancel, progress, &mut tally)?;
            Ok(report::stored(&tally))
        });
        drop(rx); // unblocks the parser if the writer stopped early
        let parsed = parser.join().expect("the parser thread does not panic");
        (committed, parsed)
    });

    match outcome {
        (Ok(committed), Ok(dropped)) => Ok(ImportReport::new(
            committed,
            parser,
            options,
            digest,
            bytes,
            tally,
            dropped,
            started.elapsed(),
        )),
        // The writer saw the end of input only after the parser succeeded; a writer error wins.
        (Err(StoreError::ImportAborted(e)), _) => Err(e
            .downcast::<ImportError>()
            .unwrap_or_else(|e| ImportError::Store(StoreError::ImportAborted(e)))),
        (Err(e), _) => Err(ImportError::Store(e)),
        (Ok(_), Err(e)) => Err(e),
    }
}

/// Counts kept by the writer side.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub records_read: u64,
    pub rejected: Vec<RowProblem>,
    pub rejected_total: u64,
}

/// Most rejected rows listed one by one in a report; the rest are counted.
pub const MAX_LISTED_REJECTIONS: usize = 1000;

enum Message {
    /// One plugin chunk: the records converted, and the rows that could not be.
    Records(Vec<NormalizedRecord>, Vec<RowProblem>),
    /// The plugin failed; the writer must abort with this error.
    Failed(PluginError),
}

/// The parser thread: file → parser → converted records → channel. Returns the fields dropped for
/// minimisation, or the parser's error (also sent to the writer so it stops).
fn parse(
    open: &OpenParser<'_>,
    mut file: std::fs::File,
    policy: &crate::domain::Policy,
    fields: FieldPolicy,
    progress: &Progress,
    tx: SyncSender<Message>,
) -> Result<BTreeMap<String, u64>, ImportError> {
    let mut dropped = BTreeMap::new();
    let fail = |e: PluginError, tx: &SyncSender<Message>| {
        let _ = tx.send(Message::Failed(e.clone()));
        Err(ImportError::Plugin(e))
    };
    let mut session = match open() {
        Ok(s) => s,
        Err(ImportError::Plugin(e)) => return fail(e, &tx),
        Err(other) => return Err(other),
    };
    let mut buf = vec![0u8; CHUNK_SIZE];
    loop {
        let n = match read_full(&mut file, &mut buf) {
            Ok(n) => n,
            Err(e) => {
                return Err(ImportError::Io {
                    path: "the input".into(),
                    source: e,
                })
            }
        };
        let chunk = if n == 0 {
            session.finish()
        } else {
            session.push(&buf[..n])
        };
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => return fail(e, &tx),
        };
        progress.bytes_read.fetch_add(n as u64, Ordering::Relaxed);
        let mut records = Vec::with_capacity(chunk.records.len());
        let mut problems: Vec<RowProblem> = chunk
            .rejected
            .into_iter()
            .map(|r| RowProblem {
                row: r.row,
                column: r.column,
                reason: r.message,
            })
            .collect();
        for record in chunk.records {
            match convert::record(policy, fields, record, &mut dropped) {
                Ok(r) => records.push(r),
                Err(p) => problems.push(p),
            }
        }
        let empty = records.is_empty() && problems.is_empty();
        if !empty && tx.send(Message::Records(records, problems)).is_err() {
            // The writer stopped (bad row, cancellation): its error is the one reported.
            return Ok(dropped);
        }
        if n == 0 {
            return Ok(dropped);
        }
    }
}

/// The writer side, inside the store's transaction.
fn write_all(
    writer: &mut dyn crate::store::RecordWriter,
    rx: &Receiver<Message>,
    on_error: OnError,
    cancel: &AtomicBool,
    progress: &Progress,
    tally: &mut Tally,
) -> anyhow::Result<()> {
    for message in rx.iter() {
        if cancel.load(Ordering::Relaxed) {
            return Err(ImportError::Cancelled.into());
        }
        let (records, mut problems) = match message {
            Message::Records(records, problems) => (records, problems),
            Message::Failed(e) => return Err(ImportError::Plugin(e).into()),
        };
        tally.records_read += (records.len() + problems.len()) as u64;
        let outcomes = writer
            .write_batch(&records)
            .map_err(|e| anyhow::Error::new(ImportError::Store(e)))?;
        for (record, outcome) in records.iter().zip(outcomes) {
            match outcome {
                Ok(_) => {}
                Err(StoreError::InvalidInput(e)) => problems.push(RowProblem {
                    row: record.row,
                    column: Some(e.field),
                    reason: e.message,
                }),
                Err(other) => return Err(anyhow::Error::new(ImportError::Store(other))),
            }
        }
        if problems.is_empty() {
            progress
                .records
                .store(tally.records_read, Ordering::Relaxed);
            continue;
        }
        problems.sort_by_key(|p| p.row);
        match on_error {
            OnError::Abort => {
                let p = problems.swap_remove(0);
                return Err(ImportError::BadRow {
                    row: p.row,
                    column: p.column,
                    reason: p.reason,
                }
                .into());
            }
            OnError::Skip => {
                tally.rejected_total += problems.len() as u64;
                let room = MAX_LISTED_REJECTIONS.saturating_sub(tally.rejected.len());
                tally.rejected.extend(problems.into_iter().take(room));
            }
        }
        progress
            .records
            .store(tally.records_read, Ordering::Relaxed);
    }
    Ok(())
}

/// SHA-256 and length of a file, read in 1 MiB pieces.
fn file_digest(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; CHUNK_SIZE];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok((hex::encode(hasher.finalize()), total));
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
}

/// Fills `buf` unless the input ends first; returns how much was read (0 at the end).
fn read_full(file: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
