//! Test plugin, never bundled: a working importer whose `describe` claims to be a retention rule.
//!
//! The contract says `plugin-info.kind` must match the world the component exports; the host
//! must refuse to install it, naming both kinds. Otherwise it imports one email per line.

use custode_sdk::importer::{ChunkResult, Importer};
use custode_sdk::text::Lines;
use custode_sdk::types::{ContactRecord, Identity, ImportError, PluginInfo, PluginKind};

struct WrongKind(Lines);

fn records(lines: Vec<(u64, String)>) -> ChunkResult {
    let records = lines
        .into_iter()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(row, l)| ContactRecord::new(row).with_identity(Identity::Email(l.trim().into())))
        .collect();
    ChunkResult {
        records,
        rejected: vec![],
    }
}

impl Importer for WrongKind {
    fn describe() -> PluginInfo {
        PluginInfo::new(
            "wrong-kind",
            env!("CARGO_PKG_VERSION"),
            PluginKind::RetentionRule,
            "Test plugin: says it is a retention rule",
        )
    }
    fn open() -> Result<Self, ImportError> {
        Ok(WrongKind(Lines::new()))
    }
    fn push(&mut self, chunk: &[u8]) -> Result<ChunkResult, ImportError> {
        Ok(records(self.0.push(chunk)))
    }
    fn finish(&mut self) -> Result<ChunkResult, ImportError> {
        Ok(records(self.0.finish()))
    }
}

custode_sdk::export_importer!(WrongKind);
