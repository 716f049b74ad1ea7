//! Test plugin, never bundled: an importer whose `push` never returns.
//!
//! The host must stop it at its deadline (epoch interruption) with a message naming the plugin,
//! the function (`push`) and the cause, and keep serving. `open` and `finish` behave.

use custode_sdk::importer::{ChunkResult, Importer};
use custode_sdk::types::{ImportError, PluginInfo, PluginKind};

struct EndlessLoop;

impl Importer for EndlessLoop {
    fn describe() -> PluginInfo {
        PluginInfo::new(
            "endless-loop",
            env!("CARGO_PKG_VERSION"),
            PluginKind::Importer,
            "Test plugin: push never returns",
        )
    }
    fn open() -> Result<Self, ImportError> {
        Ok(EndlessLoop)
    }
    fn push(&mut self, _chunk: &[u8]) -> Result<ChunkResult, ImportError> {
        custode_sdk::info!("endless-loop: entering the loop");
        let mut turns: u64 = 0;
        loop {
            // `black_box` keeps the optimiser from proving the loop useless.
            turns = std::hint::black_box(turns.wrapping_add(1));
        }
    }
    fn finish(&mut self) -> Result<ChunkResult, ImportError> {
        Ok(ChunkResult {
            records: vec![],
            rejected: vec![],
        })
    }
}

custode_sdk::export_importer!(EndlessLoop);
