//! Test plugin, never bundled: an importer whose first `push` returns a huge result.
//!
//! It returns `rejected` row errors (default 250 001: one more than the host's cap of 250 000
//! records and row errors per call, `MAX_RECORDS_PER_CALL` in `host/src/runtime/importer.rs`) and
//! `records` contact records (default 0), all minimal, then nothing more. The host must refuse the
//! result with a clear message instead of trying to store it.
//!
//! Why row errors by default: inside the plugin a minimal contact record costs about 216 bytes
//! (the Rust value plus its canonical-ABI copy while it is returned), a row error with empty
//! strings 64 bytes. So 250 001 row errors take about 16 MB of plugin memory, far under the default
//! 64 MiB, while 250 001 records take about 54 MB. To test the cap with records, set `records` to
//! 250 001 (and `rejected` to 0) and give this plugin a memory limit of 128 MiB, so it does not
//! trap out of memory first.

use custode_sdk::config::Config;
use custode_sdk::importer::{ChunkResult, Importer};
use custode_sdk::types::{ContactRecord, ImportError, PluginInfo, PluginKind, RowError};

struct HugeResult {
    records: usize,
    rejected: usize,
    done: bool,
}

impl HugeResult {
    fn new(config: &Config) -> Result<Self, ImportError> {
        Ok(HugeResult {
            records: config.number("records")?.unwrap_or(0),
            rejected: config.number("rejected")?.unwrap_or(250_001),
            done: false,
        })
    }

    fn result(&mut self) -> ChunkResult {
        if std::mem::replace(&mut self.done, true) {
            return ChunkResult {
                records: vec![],
                rejected: vec![],
            };
        }
        let mut records = Vec::with_capacity(self.records);
        records.extend((1..=self.records as u64).map(ContactRecord::new));
        let mut rejected = Vec::with_capacity(self.rejected);
        rejected.extend((1..=self.rejected as u64).map(|row| RowError {
            row,
            column: None,
            message: String::new(),
        }));
        ChunkResult { records, rejected }
    }
}

impl Importer for HugeResult {
    fn describe() -> PluginInfo {
        PluginInfo::new(
            "huge-result",
            env!("CARGO_PKG_VERSION"),
            PluginKind::Importer,
            "Test plugin: the first push returns more items than the host accepts from one call",
        )
        .with_config_key(
            "records",
            "Contact records in the first push's result",
            false,
            Some("0"),
        )
        .with_config_key(
            "rejected",
            "Row errors in the first push's result",
            false,
            Some("250001"),
        )
    }
    fn open() -> Result<Self, ImportError> {
        HugeResult::new(&Config::from_host())
    }
    fn push(&mut self, _chunk: &[u8]) -> Result<ChunkResult, ImportError> {
        Ok(self.result())
    }
    fn finish(&mut self) -> Result<ChunkResult, ImportError> {
        Ok(self.result())
    }
}

custode_sdk::export_importer!(HugeResult);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_call_is_huge_then_nothing() {
        let mut p =
            HugeResult::new(&Config::from_pairs(&[("records", "3"), ("rejected", "5")])).unwrap();
        let first = p.result();
        assert_eq!((first.records.len(), first.rejected.len()), (3, 5));
        assert_eq!(first.rejected[4].row, 5);
        let second = p.result();
        assert!(second.records.is_empty() && second.rejected.is_empty());
        let default = HugeResult::new(&Config::from_pairs(&[])).unwrap();
        assert_eq!((default.records, default.rejected), (0, 250_001));
        assert!(HugeResult::new(&Config::from_pairs(&[("records", "many")])).is_err());
    }
}
