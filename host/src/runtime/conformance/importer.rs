//! An importer's checks. The host feeds an input in chunks of its choosing (1 MiB in an import, any
//! size in an upload), so a record must not depend on where a chunk ends: the kit feeds the sample
//! whole, one byte at a time, and split in two at every byte, and wants the same records and row
//! errors each time.

use super::Check;
use crate::domain::{RowError, SourceRecord};
use crate::runtime::importer::ImportSession;
use crate::runtime::{Failure, Plugin};

/// Above this many bytes, the two-chunk splits are every byte of the first [`EVERY_BYTE`] and then
/// evenly spaced, so a large sample stays quick for plugins that instantiate slowly.
const MAX_SPLITS: usize = 4096;
const EVERY_BYTE: usize = 2048;

/// What a session produced over all its calls.
#[derive(Debug, PartialEq)]
struct Output {
    records: Vec<SourceRecord>,
    rejected: Vec<RowError>,
}

pub(super) fn checks(plugin: &Plugin, sample: &[u8]) -> Vec<Check> {
    vec![
        Check::result("finish after no input", empty(plugin)),
        Check::result(
            "the same records whatever the chunk boundaries",
            boundaries(plugin, sample),
        ),
    ]
}

/// Feeds `chunks` to a fresh session, then finishes it.
fn run(plugin: &Plugin, chunks: &[&[u8]]) -> Result<Output, String> {
    let mut session = ImportSession::open(plugin).map_err(|e| e.to_string())?;
    let mut out = Output {
        records: Vec::new(),
        rejected: Vec::new(),
    };
    for chunk in chunks {
        let got = session.push(chunk).map_err(|e| e.to_string())?;
        out.records.extend(got.records);
        out.rejected.extend(got.rejected);
    }
    let got = session.finish().map_err(|e| e.to_string())?;
    out.records.extend(got.records);
    out.rejected.extend(got.rejected);
    Ok(out)
}

/// An empty input may be an error the plugin reports (a CSV file needs its header row), never a
/// crash, a timeout or records out of nothing.
fn empty(plugin: &Plugin) -> Result<String, String> {
    let mut session = ImportSession::open(plugin).map_err(|e| {
        format!("opening a session failed ({e}): `open` must succeed with valid settings")
    })?;
    let out = match session.finish() {
        Ok(out) => out,
        Err(e) => {
            return match &e.failure {
                Failure::Reported(reported) => Ok(format!("no records; it reports: {}", reported.message)),
                _ => Err(format!(
                    "an empty input failed ({e}): `finish` right after `open` must return, with nothing or an error it reports"
                )),
            }
        }
    };
    if !out.records.is_empty() || !out.rejected.is_empty() {
        return Err(format!(
            "an empty input gave {} records and {} row errors: an empty input has no rows",
            out.records.len(),
            out.rejected.len()
        ));
    }
    Ok("no records, no row errors".into())
}

fn boundaries(plugin: &Plugin, sample: &[u8]) -> Result<String, String> {
    let whole = run(plugin, &[sample]).map_err(|e| {
        format!("the sample in one chunk failed ({e}): give a sample the plugin reads with --input")
    })?;
    let bytes: Vec<&[u8]> = sample.chunks(1).collect();
    let fix = "keep the unfinished end of each chunk (a partial line, a partial UTF-8 character, an \
               open quoted field) and read it with the next `push` or at `finish`; the SDKs' line and \
               CSV readers do this";
    // The two-chunk splits first: a failure there says where the boundary fell.
    let splits = split_points(sample.len());
    for &at in &splits {
        let (a, b) = sample.split_at(at);
        compare(
            &whole,
            run(plugin, &[a, b]),
            &format!("split at byte {at}{}", place(sample, at)),
            fix,
        )?;
    }
    compare(&whole, run(plugin, &bytes), "fed one byte at a time", fix)?;
    let mut detail = format!(
        "{} records and {} row errors, alike in one chunk, byte by byte, and split in two at {} places",
        whole.records.len(),
        whole.rejected.len(),
        splits.len()
    );
    if whole.records.is_empty() {
        detail += "; the sample gave no records: give one in the plugin's format with --input";
    }
    if sample.is_ascii() {
        detail += "; the sample has no multi-byte character: give one with --input to check a split inside one";
    }
    Ok(detail)
}

fn split_points(len: usize) -> Vec<usize> {
    if len <= MAX_SPLITS {
        return (1..len).collect();
    }
    let rest = MAX_SPLITS - EVERY_BYTE;
    let step = (len - EVERY_BYTE).div_ceil(rest);
    (1..EVERY_BYTE)
        .chain((EVERY_BYTE..len).step_by(step))
        .collect()
}

/// Where a split falls, when it is inside something an importer must carry over.
fn place(sample: &[u8], at: usize) -> String {
    let mut inside = Vec::new();
    if (sample[at] & 0xC0) == 0x80 {
        inside.push("inside a multi-byte character");
    }
    let line_start = sample[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let quotes_before = sample[..at].iter().filter(|&&b| b == b'"').count();
    if quotes_before % 2 == 1 {
        inside.push("inside a quoted field");
    } else if at > line_start {
        inside.push("inside a line");
    }
    if inside.is_empty() {
        String::new()
    } else {
        format!(" ({})", inside.join(", "))
    }
}

fn compare(
    whole: &Output,
    got: Result<Output, String>,
    how: &str,
    fix: &str,
) -> Result<(), String> {
    let got =
        got.map_err(|e| format!("{how}, it failed ({e}) where the whole sample did not: {fix}"))?;
    if &got == whole {
        return Ok(());
    }
    let difference = first_difference(whole, &got);
    Err(format!(
        "{how}, the output differs from the sample in one chunk: {difference}; {fix}"
    ))
}

fn first_difference(whole: &Output, got: &Output) -> String {
    let describe = |r: Option<&SourceRecord>| {
        r.map_or("nothing".to_string(), |r| {
            serde_json::to_string(r).unwrap_or_default()
        })
    };
    if whole.records != got.records {
        if whole.records.len() != got.records.len() {
            return format!(
                "{} records instead of {}",
                got.records.len(),
                whole.records.len()
            );
        }
        let i = (0..whole.records.len())
            .find(|&i| whole.records[i] != got.records[i])
            .unwrap_or(0);
        return format!(
            "record {} is {} instead of {}",
            i + 1,
            describe(got.records.get(i)),
            describe(whole.records.get(i))
        );
    }
    format!(
        "{} row errors instead of {} ({:?} instead of {:?})",
        got.rejected.len(),
        whole.rejected.len(),
        got.rejected.first().map(|r| &r.message),
        whole.rejected.first().map(|r| &r.message)
    )
}
