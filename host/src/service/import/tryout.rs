//! Trying an importer on a sample (`custode plugin try`): the records it produces and the rows an
//! import would refuse, through the same chunking and the same conversion as a real import, with
//! nothing stored.

use super::pipeline::read_full;
use super::{convert, ChunkParser, FieldPolicy, ImportError, RejectKind, RowProblem};
use crate::domain::{Policy, SourceRecord};
use crate::runtime::importer::CHUNK_SIZE;
use std::collections::BTreeMap;
use std::io::Read;

/// One thing an importer's try-out shows, in the order the importer gave them.
pub enum Tried<'a> {
    /// A record as the importer produced it, which an import would take.
    Record(&'a SourceRecord),
    /// A row an import would refuse: the importer could not read it, or the conversion refused it.
    Refused(&'a RowProblem),
}

/// Counts of a try-out.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TryCounts {
    pub records: u64,
    pub refused: u64,
    pub bytes: u64,
    /// Fields outside the field catalogue, by name: an import leaves them out.
    pub fields_dropped: BTreeMap<String, u64>,
}

/// Feeds `input` to `parser` in the chunks an import uses, converts each record as an import does
/// (identities parsed, fields checked against the catalogue of `policy`), and hands each record and
/// refused row to `each`. Stops at the first error of the plugin, of the input or of `each`.
pub fn try_input(
    parser: &mut dyn ChunkParser,
    mut input: impl Read,
    input_name: &str,
    policy: &Policy,
    fields: FieldPolicy,
    each: &mut dyn FnMut(Tried<'_>) -> std::io::Result<()>,
) -> Result<TryCounts, ImportError> {
    let io = |source| ImportError::Io {
        path: input_name.to_string(),
        source,
    };
    let mut counts = TryCounts::default();
    let mut buf = vec![0u8; CHUNK_SIZE];
    loop {
        let n = read_full(&mut input, &mut buf).map_err(io)?;
        let chunk = if n == 0 {
            parser.finish()?
        } else {
            parser.push(&buf[..n])?
        };
        counts.bytes += n as u64;
        for rejected in chunk.rejected {
            let problem = RowProblem {
                row: rejected.row,
                column: rejected.column,
                kind: RejectKind::Unreadable,
                reason: rejected.message,
            };
            counts.refused += 1;
            each(Tried::Refused(&problem)).map_err(io)?;
        }
        for record in chunk.records {
            let shown = record.clone();
            match convert::record(policy, fields, record, &mut counts.fields_dropped) {
                Ok(_) => {
                    counts.records += 1;
                    each(Tried::Record(&shown)).map_err(io)?;
                }
                Err(problem) => {
                    counts.refused += 1;
                    each(Tried::Refused(&problem)).map_err(io)?;
                }
            }
        }
        if n == 0 {
            return Ok(counts);
        }
    }
}
