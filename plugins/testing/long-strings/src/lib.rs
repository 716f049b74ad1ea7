//! Test plugin, never bundled: an importer that answers with text far longer than the host
//! accepts. The first word of the input says which text:
//!
//! | input | what `push` returns |
//! |---|---|
//! | `error` | an `import-error` whose message is 8 MiB |
//! | `error-column` | an `import-error` whose column is 8 MiB |
//! | `row-error` | one row error whose message is 8 MiB |
//! | `row-column` | one row error whose column is 8 MiB |
//! | anything else | nothing |
//!
//! The host must refuse each with a message naming the plugin, the field and the cap, and keep
//! none of the text (not in the job list, not in its log).

use custode_sdk::importer::{ChunkResult, Importer};
use custode_sdk::types::{ImportError, PluginInfo, PluginKind, RowError};

/// 8 MiB: far over every cap, well under the default 64 MiB memory limit.
fn long() -> String {
    "x".repeat(8 << 20)
}

fn nothing() -> ChunkResult {
    ChunkResult {
        records: vec![],
        rejected: vec![],
    }
}

/// What `push` returns for this input.
pub fn answer(chunk: &[u8]) -> Result<ChunkResult, ImportError> {
    let text = String::from_utf8_lossy(chunk);
    let error = |message: String, column: Option<String>| ImportError {
        message,
        row: Some(1),
        column,
    };
    let row_error = |message: String, column: Option<String>| {
        Ok(ChunkResult {
            records: vec![],
            rejected: vec![RowError {
                row: 1,
                column,
                message,
            }],
        })
    };
    match text.split_whitespace().next().unwrap_or("") {
        "error" => Err(error(long(), None)),
        "error-column" => Err(error("bad".into(), Some(long()))),
        "row-error" => row_error(long(), None),
        "row-column" => row_error("bad".into(), Some(long())),
        _ => Ok(nothing()),
    }
}

struct LongStrings;

impl Importer for LongStrings {
    fn describe() -> PluginInfo {
        PluginInfo::new(
            "long-strings",
            env!("CARGO_PKG_VERSION"),
            PluginKind::Importer,
            "Test plugin: answers with error messages and row errors megabytes long",
        )
    }
    fn open() -> Result<Self, ImportError> {
        Ok(LongStrings)
    }
    fn push(&mut self, chunk: &[u8]) -> Result<ChunkResult, ImportError> {
        answer(chunk)
    }
    fn finish(&mut self) -> Result<ChunkResult, ImportError> {
        Ok(nothing())
    }
}

custode_sdk::export_importer!(LongStrings);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_command_returns_its_long_text() {
        assert_eq!(answer(b"error").unwrap_err().message.len(), 8 << 20);
        assert_eq!(
            answer(b"error-column").unwrap_err().column.unwrap().len(),
            8 << 20
        );
        assert_eq!(
            answer(b"row-error").unwrap().rejected[0].message.len(),
            8 << 20
        );
        assert!(answer(b"hello").unwrap().rejected.is_empty());
    }
}
