//! Test plugin, never bundled: an importer whose `describe` never returns.
//!
//! `describe` is the first thing a host calls (at install or inspect), so this checks that the
//! deadline also guards it: the host must refuse the plugin with a clear message, not hang.

use custode_sdk::importer::{ChunkResult, Importer};
use custode_sdk::types::{ImportError, PluginInfo};

struct SlowDescribe;

impl Importer for SlowDescribe {
    fn describe() -> PluginInfo {
        let mut turns: u64 = 0;
        loop {
            turns = std::hint::black_box(turns.wrapping_add(1));
        }
    }
    fn open() -> Result<Self, ImportError> {
        Ok(SlowDescribe)
    }
    fn push(&mut self, _chunk: &[u8]) -> Result<ChunkResult, ImportError> {
        Ok(ChunkResult {
            records: vec![],
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

custode_sdk::export_importer!(SlowDescribe);
