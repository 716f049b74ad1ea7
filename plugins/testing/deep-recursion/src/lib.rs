//! Test plugin, never bundled: an importer whose `push` recurses without end.
//!
//! Built for wasm32, its stack frames live in linear memory (Rust's shadow stack), below the data:
//! when that stack runs out the plugin traps with an out-of-bounds memory access, not wasmtime's
//! stack-overflow trap. The host's message must say that this may be a stack overflow, so the
//! author does not hunt for a bad pointer. `open` and `finish` behave.

use custode_sdk::importer::{ChunkResult, Importer};
use custode_sdk::types::{ImportError, PluginInfo, PluginKind};

struct DeepRecursion;

/// Recurses with a 1 KiB frame on the shadow stack each time; `black_box` keeps the optimiser
/// from turning the recursion into a loop or dropping the frame.
fn descend(depth: u64) -> u64 {
    // Never true; it only keeps rustc from calling the recursion unconditional.
    if std::hint::black_box(depth) == u64::MAX {
        return 0;
    }
    let frame = std::hint::black_box([depth as u8; 1024]);
    let below = descend(std::hint::black_box(depth + 1));
    below.wrapping_add(frame[(depth % 1024) as usize] as u64)
}

impl Importer for DeepRecursion {
    fn describe() -> PluginInfo {
        PluginInfo::new(
            "deep-recursion",
            env!("CARGO_PKG_VERSION"),
            PluginKind::Importer,
            "Test plugin: push recurses without end",
        )
    }
    fn open() -> Result<Self, ImportError> {
        Ok(DeepRecursion)
    }
    fn push(&mut self, _chunk: &[u8]) -> Result<ChunkResult, ImportError> {
        custode_sdk::info!("deep-recursion: going down");
        let depth = descend(0);
        Err(ImportError::new(format!("came back from depth {depth}")))
    }
    fn finish(&mut self) -> Result<ChunkResult, ImportError> {
        Ok(ChunkResult {
            records: vec![],
            rejected: vec![],
        })
    }
}

custode_sdk::export_importer!(DeepRecursion);
