//! Test plugin, never bundled: an importer whose `describe()` is far longer than the host accepts:
//! a summary of 2 MiB and 100 000 config keys. The host must refuse it at install, naming the
//! plugin, the field and the cap, and keep none of it.

use custode_sdk::importer::{ChunkResult, Importer};
use custode_sdk::types::{ImportError, PluginInfo, PluginKind};

struct LongDescribe;

impl Importer for LongDescribe {
    fn describe() -> PluginInfo {
        let mut info = PluginInfo::new(
            "long-describe",
            env!("CARGO_PKG_VERSION"),
            PluginKind::Importer,
            &"a very long summary ".repeat(100_000),
        );
        for i in 0..100_000 {
            info = info.with_config_key(&format!("key-{i}"), "a setting", false, None);
        }
        info
    }
    fn open() -> Result<Self, ImportError> {
        Ok(LongDescribe)
    }
    fn push(&mut self, _chunk: &[u8]) -> Result<ChunkResult, ImportError> {
        Ok(ChunkResult {
            records: vec![],
            rejected: vec![],
        })
    }
    fn finish(&mut self) -> Result<ChunkResult, ImportError> {
        self.push(&[])
    }
}

custode_sdk::export_importer!(LongDescribe);
