//! Plugin languages (`--only languages`): the same input through the same importer written in Rust,
//! JavaScript and Python: component size, cold compile, load from the on-disk cache, a fresh
//! instance, and import throughput (the plugin and the lifting of its records, no database).
//!
//! The importer is `lines` (one contact per line), the one example every SDK has. The Rust one is
//! bundled; the others embed their language's runtime (12 and 19 MB), are not committed, and are
//! taken from `--plugins-dir` when present: `lines-js.wasm` and `lines-py.wasm`, both built by
//! `sdk/build-examples.sh` from `plugins/js/lines-js` and `plugins/python/lines-py`. A missing one
//! is said in the output, not measured.

use crate::measure::percentile;
use crate::report::{Report, Target};
use custode::runtime::cache::CodeSource;
use custode::runtime::importer::{ImportSession, CHUNK_SIZE};
use custode::runtime::{Limits, Plugin, PluginSettings, Runtime};
use std::path::Path;
use std::time::{Duration, Instant};

/// One language's importer and the keys its results are reported under.
struct Language {
    name: &'static str,
    /// The component's file name in `--plugins-dir`.
    file: &'static str,
    /// The memory limit its importer needs for a 1 M-row import (docs/PLUGIN-LANGUAGES.md): the
    /// JavaScript and Python engines hold a whole chunk and its records until they collect.
    memory_bytes: usize,
    /// How to get the component when it is missing.
    how: &'static str,
    keys: [&'static str; 5],
}

const LANGUAGES: [Language; 3] = [
    Language {
        name: "Rust",
        file: "lines.wasm",
        memory_bytes: 64 << 20,
        how: "bundled",
        keys: [
            "lang_rust_component_bytes",
            "lang_rust_compile_ms",
            "lang_rust_cache_load_ms",
            "lang_rust_instantiate_us",
            "lang_rust_import_rows_per_s",
        ],
    },
    Language {
        name: "JavaScript",
        file: "lines-js.wasm",
        memory_bytes: 128 << 20,
        how: "`sdk/build-examples.sh` builds it into plugins/dist; pass --plugins-dir plugins/dist",
        keys: [
            "lang_js_component_bytes",
            "lang_js_compile_ms",
            "lang_js_cache_load_ms",
            "lang_js_instantiate_us",
            "lang_js_import_rows_per_s",
        ],
    },
    Language {
        name: "Python",
        file: "lines-py.wasm",
        memory_bytes: 128 << 20,
        how: "`sdk/build-examples.sh` builds it into plugins/dist; pass --plugins-dir plugins/dist",
        keys: [
            "lang_python_component_bytes",
            "lang_python_compile_ms",
            "lang_python_cache_load_ms",
            "lang_python_instantiate_us",
            "lang_python_import_rows_per_s",
        ],
    },
];

pub fn run(report: &mut Report, plugins_dir: Option<&Path>, rows: usize) -> anyhow::Result<()> {
    eprintln!("plugin languages: {rows} lines through each `lines` importer");
    let input = generate(rows);
    let mut missing = Vec::new();
    for lang in &LANGUAGES {
        let from_dir = plugins_dir
            .map(|d| d.join(lang.file))
            .filter(|p| p.is_file());
        let bytes = match (&from_dir, lang.name) {
            (Some(path), _) => std::fs::read(path)?,
            (None, "Rust") => custode::bundled::get("lines")
                .expect("the lines importer is bundled")
                .bytes
                .to_vec(),
            (None, _) => {
                missing.push(format!("{} (`{}`: {})", lang.name, lang.file, lang.how));
                continue;
            }
        };
        measure(report, lang, &bytes, &input, rows)?;
    }
    let dir = plugins_dir.map_or("no --plugins-dir given".into(), |d| {
        format!("--plugins-dir {}", d.display())
    });
    report.note(format!(
        "plugin languages: {rows} lines through the `lines` importer of each language ({dir}); rows/s counts the plugin and the lifting of its records, no database"
    ));
    if !missing.is_empty() {
        let note = format!(
            "plugin languages not measured, no component found ({dir}): {}",
            missing.join("; ")
        );
        eprintln!("{note}");
        report.note(note);
    }
    Ok(())
}

fn measure(
    report: &mut Report,
    lang: &Language,
    bytes: &[u8],
    input: &[u8],
    rows: usize,
) -> anyhow::Result<()> {
    eprintln!("plugin languages: {}", lang.name);
    let [size_key, compile_key, load_key, instance_key, rows_key] = lang.keys;
    report.add(
        size_key,
        "component size",
        bytes.len() as f64,
        "bytes",
        Target::None,
    );
    let settings = PluginSettings {
        limits: Limits {
            memory_bytes: lang.memory_bytes,
            // A JavaScript or Python call on a 1 MiB chunk takes seconds on a loaded machine.
            deadline: Duration::from_secs(120),
        },
        ..PluginSettings::default()
    };
    let cache = tempfile::tempdir()?;

    // Cold compile: an empty code cache.
    let runtime = Runtime::new(Some(cache.path().to_path_buf()))?;
    let plugin = Plugin::load(&runtime, bytes, settings.clone())?;
    let (source, took) = plugin.load_stats();
    anyhow::ensure!(
        source == CodeSource::Compiled,
        "the cache should start empty"
    );
    report.add(
        compile_key,
        "first load, compiling (empty code cache)",
        took.as_secs_f64() * 1e3,
        "ms",
        Target::None,
    );

    // A new process's load: the compiled code in the disk cache.
    let mut loads = Vec::new();
    for _ in 0..5 {
        let runtime = Runtime::new(Some(cache.path().to_path_buf()))?;
        let plugin = Plugin::load(&runtime, bytes, settings.clone())?;
        let (source, took) = plugin.load_stats();
        anyhow::ensure!(source == CodeSource::DiskCache, "expected a cache hit");
        loads.push(took.as_secs_f64() * 1e3);
    }
    report.add(
        load_key,
        "load with the compiled code in the disk cache (median of 5)",
        percentile(&mut loads, 50.0),
        "ms",
        Target::None,
    );

    let mut samples = Vec::with_capacity(200);
    for round in 0..220 {
        let t = Instant::now();
        plugin.probe()?;
        if round >= 20 {
            samples.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    report.add(
        instance_key,
        "fresh instance from the pre-instantiated plugin (median of 200)",
        percentile(&mut samples, 50.0),
        "µs",
        Target::None,
    );

    let started = Instant::now();
    let mut session = ImportSession::open(&plugin)?;
    let mut records = 0usize;
    for chunk in input.chunks(CHUNK_SIZE) {
        let out = session.push(chunk)?;
        anyhow::ensure!(out.rejected.is_empty(), "{}: {:?}", lang.name, out.rejected);
        records += out.records.len();
    }
    records += session.finish()?.records.len();
    let took = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        records == rows,
        "the {} importer returned {records} records for {rows} lines",
        lang.name
    );
    report.add(
        rows_key,
        "lines to records through the importer, 1 MiB chunks (no database)",
        rows as f64 / took,
        "rows/s",
        Target::None,
    );
    Ok(())
}

/// `rows` lines, one email address each (what every `lines` importer reads).
fn generate(rows: usize) -> Vec<u8> {
    let names = ["mario", "giulia", "luca", "zoe", "paolo", "sara"];
    let mut out = String::with_capacity(rows * 32);
    for i in 0..rows {
        out.push_str(&format!("{}.{i}@example.it\n", names[i % names.len()]));
    }
    out.into_bytes()
}
