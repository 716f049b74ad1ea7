//! Test plugin, never bundled: an importer whose `push` allocates until memory runs out.
//!
//! It takes 1 MiB at a time, writes to every page (so the memory is really used, not just
//! reserved) and keeps it, logging every 8 MiB. Under the host's memory limit (64 MiB by default)
//! the allocation eventually fails and the plugin aborts (a trap): the host must report that the
//! plugin exceeded its memory limit, and keep working.

use custode_sdk::importer::{ChunkResult, Importer};
use custode_sdk::types::{ImportError, PluginInfo, PluginKind};

const BLOCK: usize = 1 << 20;

struct MemoryHog {
    hoard: Vec<Vec<u8>>,
}

impl Importer for MemoryHog {
    fn describe() -> PluginInfo {
        PluginInfo::new(
            "memory-hog",
            env!("CARGO_PKG_VERSION"),
            PluginKind::Importer,
            "Test plugin: push allocates until memory runs out",
        )
    }
    fn open() -> Result<Self, ImportError> {
        Ok(MemoryHog { hoard: Vec::new() })
    }
    fn push(&mut self, _chunk: &[u8]) -> Result<ChunkResult, ImportError> {
        loop {
            let mut block = vec![0u8; BLOCK];
            for page in block.chunks_mut(4096) {
                page[0] = std::hint::black_box(0xAB);
            }
            self.hoard.push(block);
            if self.hoard.len() % 8 == 0 {
                custode_sdk::info!("memory-hog: holding {} MiB", self.hoard.len());
            }
        }
    }
    fn finish(&mut self) -> Result<ChunkResult, ImportError> {
        Ok(ChunkResult {
            records: vec![],
            rejected: vec![],
        })
    }
}

custode_sdk::export_importer!(MemoryHog);
