//! Test plugin: an importer that reads each chunk on its own, one email address per line. The
//! part of a line left at the end of a chunk is dropped, and so is the record split across two
//! chunks: right when the whole input comes in one chunk, wrong when it does not. The conformance
//! kit (`custode plugin check`) must catch it.

use custode_sdk::importer::{ChunkResult, Importer};
use custode_sdk::types::{ContactRecord, Identity, ImportError, PluginInfo, PluginKind};

struct ChunkBlind {
    row: u64,
}

impl Importer for ChunkBlind {
    fn describe() -> PluginInfo {
        PluginInfo::new(
            "chunk-blind",
            env!("CARGO_PKG_VERSION"),
            PluginKind::Importer,
            "Test plugin: loses the line split across two chunks",
        )
    }
    fn open() -> Result<Self, ImportError> {
        Ok(ChunkBlind { row: 0 })
    }
    fn push(&mut self, chunk: &[u8]) -> Result<ChunkResult, ImportError> {
        let text = String::from_utf8_lossy(chunk);
        let complete = text.rsplit_once('\n').map_or("", |(lines, _)| lines);
        let mut records = Vec::new();
        for line in complete.split('\n') {
            self.row += 1;
            if !line.trim().is_empty() {
                records.push(
                    ContactRecord::new(self.row).with_identity(Identity::Email(line.trim().into())),
                );
            }
        }
        Ok(ChunkResult {
            records,
            rejected: vec![],
        })
    }
    fn finish(&mut self) -> Result<ChunkResult, ImportError> {
        Ok(ChunkResult {
            records: vec![],
            rejected: vec![],
        })
    }
}

custode_sdk::export_importer!(ChunkBlind);
