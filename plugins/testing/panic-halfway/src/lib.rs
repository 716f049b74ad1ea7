//! Test plugin, never bundled: an importer that works for the first chunk and panics on the second.
//!
//! The first `push` returns one record per complete line (each line an email address). The second
//! `push` panics with `row 3: invented failure for tests`; the SDK's panic hook logs
//! `panicked at <file>:<line>:<col>: row 3: invented failure for tests` at error level first, so the
//! host can put the plugin's own message in its error. The import must leave nothing behind.

use custode_sdk::importer::{ChunkResult, Importer};
use custode_sdk::text::Lines;
use custode_sdk::types::{ContactRecord, Identity, ImportError, PluginInfo, PluginKind};

/// The panic message the host tests look for.
pub const MESSAGE: &str = "row 3: invented failure for tests";

struct PanicHalfway {
    lines: Lines,
    pushes: u32,
}

impl Importer for PanicHalfway {
    fn describe() -> PluginInfo {
        PluginInfo::new(
            "panic-halfway",
            env!("CARGO_PKG_VERSION"),
            PluginKind::Importer,
            "Test plugin: panics on the second chunk",
        )
    }
    fn open() -> Result<Self, ImportError> {
        Ok(PanicHalfway {
            lines: Lines::new(),
            pushes: 0,
        })
    }
    fn push(&mut self, chunk: &[u8]) -> Result<ChunkResult, ImportError> {
        self.pushes += 1;
        if self.pushes >= 2 {
            panic!("{MESSAGE}");
        }
        let records = self
            .lines
            .push(chunk)
            .into_iter()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(row, l)| ContactRecord::new(row).with_identity(Identity::Email(l.trim().into())))
            .collect();
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

custode_sdk::export_importer!(PanicHalfway);
