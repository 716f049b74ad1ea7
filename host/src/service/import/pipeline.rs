//! The two halves of an import: the parser thread (input → parser → converted records) and the writer
//! (records → the store's transaction), joined by a bounded channel.
//!
//! All or nothing rests on one rule: the writer lets the store commit only after it received
//! [`Message::Done`], which the parser sends as its very last act once the whole input was read and
//! parsed. Every way the parser can stop early — a read error, a parser that cannot be opened or
//! fails, a panic — either sends [`Message::Failed`] or drops the channel without `Done`; both make
//! the writer return an error, and the store rolls the batch back.

use super::RejectKind;
use super::{convert, FieldPolicy, ImportError, JobHandle, OnError, OpenParser, Progress};
use super::{RowProblem, MAX_LISTED_REJECTIONS};
use crate::domain::{NormalizedRecord, Policy};
use crate::runtime::importer::CHUNK_SIZE;
use crate::store::{RecordWriter, StoreError};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, SyncSender};

/// Counts kept by the writer side.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub records_read: u64,
    pub rejected: Vec<RowProblem>,
    pub rejected_total: u64,
    /// Fields left out for minimisation, by name; known once the parser sent `Done`.
    pub fields_dropped: BTreeMap<String, u64>,
}

pub(super) enum Message {
    /// One parser chunk: the records converted, and the rows that could not be.
    Records(Vec<NormalizedRecord>, Vec<RowProblem>),
    /// The parser stopped on this error; the writer must abort with it.
    Failed(ImportError),
    /// The whole input was parsed: the only message that lets the import commit.
    Done {
        fields_dropped: BTreeMap<String, u64>,
    },
}

/// The parser thread: input → parser → converted records → channel. It reports its outcome through
/// the channel only (see the module comment); if the writer already stopped, there is nobody to tell
/// and the writer's own error is the one reported.
pub(super) fn parse(
    open: &OpenParser<'_>,
    mut input: impl Read,
    input_name: &str,
    policy: &Policy,
    fields: FieldPolicy,
    progress: &Progress,
    tx: SyncSender<Message>,
) {
    let fail = |e: ImportError| {
        let _ = tx.send(Message::Failed(e));
    };
    let mut session = match open() {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let mut dropped = BTreeMap::new();
    let mut buf = vec![0u8; CHUNK_SIZE];
    loop {
        let n = match read_full(&mut input, &mut buf) {
            Ok(n) => n,
            Err(source) => {
                return fail(ImportError::Io {
                    path: input_name.to_string(),
                    source,
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
            Err(e) => return fail(ImportError::Plugin(e)),
        };
        progress.bytes_read.fetch_add(n as u64, Ordering::Relaxed);
        let mut records = Vec::with_capacity(chunk.records.len());
        let mut problems: Vec<RowProblem> = chunk
            .rejected
            .into_iter()
            .map(|r| RowProblem {
                row: r.row,
                column: r.column,
                kind: RejectKind::Unreadable,
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
            return; // the writer stopped (bad row, cancellation): its error is the one reported
        }
        if n == 0 {
            // The session goes first: if closing it fails (or panics), `Done` is never sent.
            drop(session);
            let _ = tx.send(Message::Done {
                fields_dropped: dropped,
            });
            return;
        }
    }
}

/// The writer side, inside the store's transaction. `Ok` only after `Done`.
pub(super) fn write_all(
    writer: &mut dyn RecordWriter,
    rx: &Receiver<Message>,
    on_error: OnError,
    job: &JobHandle,
    tally: &mut Tally,
) -> Result<(), ImportError> {
    let progress = job.progress();
    for message in rx.iter() {
        if job.is_cancelled() {
            return Err(ImportError::Cancelled);
        }
        let (records, mut problems) = match message {
            Message::Records(records, problems) => (records, problems),
            Message::Failed(e) => return Err(e),
            Message::Done { fields_dropped } => {
                tally.fields_dropped = fields_dropped;
                return Ok(());
            }
        };
        tally.records_read += (records.len() + problems.len()) as u64;
        let outcomes = writer.write_batch(&records).map_err(ImportError::Store)?;
        for (record, outcome) in records.iter().zip(outcomes) {
            match outcome {
                Ok(_) => {}
                Err(StoreError::InvalidInput(e)) => problems.push(RowProblem {
                    row: record.row,
                    column: Some(e.field),
                    kind: RejectKind::InvalidRecord,
                    reason: e.message,
                }),
                Err(other) => return Err(ImportError::Store(other)),
            }
        }
        if !problems.is_empty() {
            problems.sort_by_key(|p| p.row);
            match on_error {
                OnError::Abort => {
                    let p = problems.swap_remove(0);
                    return Err(ImportError::BadRow {
                        row: p.row,
                        column: p.column,
                        reason: p.reason,
                    });
                }
                OnError::Skip => {
                    tally.rejected_total += problems.len() as u64;
                    let room = MAX_LISTED_REJECTIONS.saturating_sub(tally.rejected.len());
                    tally.rejected.extend(problems.into_iter().take(room));
                }
            }
        }
        progress
            .records
            .store(tally.records_read, Ordering::Relaxed);
    }
    // The channel closed without `Done`: the parser thread died (a panic) before the end of the input.
    Err(ImportError::Internal(
        "the parser stopped before the end of the input without saying why".into(),
    ))
}

/// SHA-256 and length of a file, read in 1 MiB pieces.
pub(super) fn file_digest(path: &Path) -> std::io::Result<(String, u64)> {
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
pub(super) fn read_full(input: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The text of a panic payload, for the error that replaces it.
pub(crate) fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}
