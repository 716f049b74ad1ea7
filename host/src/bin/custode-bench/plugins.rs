//! Plugin runtime scenarios: instantiation from a cached `InstancePre`, and cold loads from the
//! on-disk code cache.

use crate::measure::percentile;
use crate::report::{Report, Target};
use custode::bundled;
use custode::runtime::cache::CodeSource;
use custode::runtime::{Plugin, PluginSettings, Runtime};
use std::time::Instant;

pub fn run(report: &mut Report) -> anyhow::Result<()> {
    eprintln!("plugin runtime");
    let cache = tempfile::tempdir()?;
    let runtime = Runtime::new(Some(cache.path().to_path_buf()))?;
    let bytes = bundled::get(BENCH_PLUGIN).expect("bundled plugin").bytes;

    // First load compiles and fills the disk cache.
    let plugin = Plugin::load(&runtime, bytes, PluginSettings::default())?;
    anyhow::ensure!(
        plugin.load_stats().0 == CodeSource::Compiled,
        "the cache should start empty"
    );

    // plugin_instantiate_us: a fresh instance (store, limits, instance) from the cached InstancePre.
    for _ in 0..200 {
        plugin.probe()?;
    }
    let mut samples = Vec::with_capacity(5000);
    for _ in 0..5000 {
        let t = Instant::now();
        plugin.probe()?;
        samples.push(t.elapsed().as_secs_f64() * 1e6);
    }
    report.add(
        "plugin_instantiate_us",
        "fresh instance from a cached, pre-instantiated plugin (median of 5,000)",
        percentile(&mut samples, 50.0),
        "µs",
        Target::AtMost(20.0),
    );

    // plugin_cold_load_ms: a new process's first load, with compiled code in the disk cache.
    let mut loads = Vec::new();
    for _ in 0..20 {
        let runtime = Runtime::new(Some(cache.path().to_path_buf()))?;
        let t = Instant::now();
        let plugin = Plugin::load(&runtime, bytes, PluginSettings::default())?;
        loads.push(t.elapsed().as_secs_f64() * 1e3);
        anyhow::ensure!(
            plugin.load_stats().0 == CodeSource::DiskCache,
            "expected a cache hit"
        );
    }
    report.note(format!(
        "plugin runtime scenarios use the bundled `{BENCH_PLUGIN}` importer; instantiation includes a new Store with its limits"
    ));
    report.add(
        "plugin_cold_load_ms",
        "load a plugin whose compiled code is in the on-disk cache (median of 20)",
        percentile(&mut loads, 50.0),
        "ms",
        Target::AtMost(5.0),
    );
    Ok(())
}

/// The plugin the runtime scenarios use: the bundled CSV importer, the one imports run through.
const BENCH_PLUGIN: &str = "csv";
