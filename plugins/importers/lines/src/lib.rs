//! # `lines`: the smallest useful importer, one email address per line
//!
//! Kept as the minimal example of an importer (the same code is in the SDK's `importer` module
//! documentation): `Lines` keeps incomplete lines between chunks, blank lines are skipped, each
//! other line becomes a record with an email identity. For real files use `csv`.

use custode_sdk::importer::{ChunkResult, Importer};
use custode_sdk::text::Lines;
use custode_sdk::types::{ContactRecord, Identity, ImportError, PluginInfo, PluginKind};

struct EmailList {
    lines: Lines,
}

impl EmailList {
    fn records(lines: Vec<(u64, String)>) -> ChunkResult {
        let records = lines
            .into_iter()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(row, line)| {
                ContactRecord::new(row).with_identity(Identity::Email(line.trim().into()))
            })
            .collect();
        ChunkResult {
            records,
            rejected: vec![],
        }
    }
}

impl Importer for EmailList {
    fn describe() -> PluginInfo {
        PluginInfo::new(
            "lines",
            env!("CARGO_PKG_VERSION"),
            PluginKind::Importer,
            "One email address per line",
        )
    }
    fn open() -> Result<Self, ImportError> {
        Ok(EmailList {
            lines: Lines::new(),
        })
    }
    fn push(&mut self, chunk: &[u8]) -> Result<ChunkResult, ImportError> {
        Ok(Self::records(self.lines.push(chunk)))
    }
    fn finish(&mut self) -> Result<ChunkResult, ImportError> {
        Ok(Self::records(self.lines.finish()))
    }
}

custode_sdk::export_importer!(EmailList);
