//! The plugin runtime with real components: loading, validation, the disk cache, the importer world.

use crate::support::plugin_bytes;
use custode::runtime::cache::CodeSource;
use custode::runtime::importer::ImportSession;
use custode::runtime::retention::RetentionJob;
use custode::runtime::{Plugin, PluginKind, PluginSettings, Runtime};

fn emails(result: &custode::domain::SourceChunk) -> Vec<String> {
    use custode::domain::SourceIdentity;
    result
        .records
        .iter()
        .flat_map(|r| r.identities.iter())
        .map(|i| match i {
            SourceIdentity::Email(e) => e.clone(),
            other => panic!("unexpected identity {other:?}"),
        })
        .collect()
}

#[test]
fn an_sdk_importer_describes_itself_and_imports_in_chunks() {
    let runtime = crate::support::runtime();
    let plugin = Plugin::load(&runtime, &plugin_bytes("lines"), PluginSettings::default()).unwrap();
    assert_eq!(plugin.name(), "lines");
    assert_eq!(plugin.kind(), PluginKind::Importer);
    assert_eq!(plugin.inspection().api_version, "0.3.0");
    assert!(!plugin.inspection().uses_wasi, "SDK plugins need no WASI");
    assert!(plugin
        .inspection()
        .imports
        .iter()
        .all(|i| i.starts_with("custode:plugin/")));

    let mut session = ImportSession::open(&plugin).unwrap();
    // Chunks end mid-line: the session must carry the tail over.
    let first = session.push(b"anna@example.com\nbru").unwrap();
    let second = session.push(b"no@example.com\r\n\n").unwrap();
    let last = session.finish().unwrap();
    assert_eq!(emails(&first), ["anna@example.com"]);
    assert_eq!(emails(&second), ["bruno@example.com"]);
    assert!(last.records.is_empty());
    assert_eq!(
        second.records[0].row, 2,
        "rows are numbered from 1 across chunks"
    );
}

#[test]
fn a_second_start_loads_compiled_code_from_the_disk_cache() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = plugin_bytes("lines");
    {
        let runtime = Runtime::new(Some(dir.path().to_path_buf())).unwrap();
        let plugin = Plugin::load(&runtime, &bytes, PluginSettings::default()).unwrap();
        assert_eq!(plugin.load_stats().0, CodeSource::Compiled);
    }
    let runtime = Runtime::new(Some(dir.path().to_path_buf())).unwrap();
    let plugin = Plugin::load(&runtime, &bytes, PluginSettings::default()).unwrap();
    assert_eq!(plugin.load_stats().0, CodeSource::DiskCache);
    let mut session = ImportSession::open(&plugin).unwrap();
    assert_eq!(
        emails(&session.push(b"c@example.com\n").unwrap()),
        ["c@example.com"]
    );
}

#[test]
fn a_corrupt_cache_entry_is_recompiled_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = plugin_bytes("lines");
    drop(
        Plugin::load(
            &Runtime::new(Some(dir.path().into())).unwrap(),
            &bytes,
            PluginSettings::default(),
        )
        .unwrap(),
    );
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        std::fs::write(entry.unwrap().path(), b"garbage").unwrap();
    }
    let runtime = Runtime::new(Some(dir.path().into())).unwrap();
    let plugin = Plugin::load(&runtime, &bytes, PluginSettings::default()).unwrap();
    assert_eq!(plugin.load_stats().0, CodeSource::Compiled);
    assert_eq!(plugin.name(), "lines");
}

/// The one entry in a cache directory.
fn only_entry(dir: &std::path::Path) -> std::path::PathBuf {
    let entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    entries.into_iter().next().unwrap()
}

fn load_with_cache(dir: &std::path::Path, bytes: &[u8]) -> CodeSource {
    let runtime = Runtime::new(Some(dir.into())).unwrap();
    let plugin = Plugin::load(&runtime, bytes, PluginSettings::default()).unwrap();
    assert_eq!(plugin.name(), "lines");
    let mut session = ImportSession::open(&plugin).unwrap();
    assert_eq!(
        emails(&session.push(b"d@example.com\n").unwrap()),
        ["d@example.com"]
    );
    plugin.load_stats().0
}

#[test]
fn a_cache_entry_with_one_byte_changed_is_recompiled_not_run() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = plugin_bytes("lines");
    assert_eq!(load_with_cache(dir.path(), &bytes), CodeSource::Compiled);
    let entry = only_entry(dir.path());
    let mut code = std::fs::read(&entry).unwrap();
    // In the middle of the compiled code, past every header wasmtime checks itself.
    let middle = code.len() / 2;
    code[middle] ^= 0x01;
    std::fs::write(&entry, &code).unwrap();
    assert_eq!(load_with_cache(dir.path(), &bytes), CodeSource::Compiled);
    // The damaged entry was replaced by a sound one.
    assert_eq!(load_with_cache(dir.path(), &bytes), CodeSource::DiskCache);
}

#[test]
fn refused_components_leave_nothing_in_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = Runtime::new(Some(dir.path().into())).unwrap();
    let short = PluginSettings {
        limits: custode::runtime::Limits {
            deadline: std::time::Duration::from_millis(100),
            ..Default::default()
        },
        ..Default::default()
    };
    for name in [
        "unknown-import",
        "newer-host",
        "wrong-kind",
        "slow-describe",
    ] {
        let refused = Plugin::load(&runtime, &plugin_bytes(name), short.clone());
        assert!(refused.is_err(), "{name} should be refused");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{name} left {left:?} in the cache");
    }
}

#[test]
fn settings_the_plugin_does_not_declare_are_refused_by_name() {
    let runtime = crate::support::runtime();
    let mut settings = PluginSettings::default();
    settings.config.insert("delimiter".into(), ";".into());
    let err = Plugin::load(&runtime, &plugin_bytes("lines"), settings)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("has no setting `delimiter`"), "{err}");
}

#[test]
fn core_modules_and_random_bytes_are_refused_with_the_fix() {
    let runtime = crate::support::runtime();
    let core = Plugin::load(&runtime, b"\0asm\x01\0\0\0", PluginSettings::default())
        .err()
        .unwrap()
        .to_string();
    assert!(
        core.contains("core WebAssembly module, not a component"),
        "{core}"
    );
    let junk = Plugin::load(&runtime, b"not wasm at all", PluginSettings::default())
        .err()
        .unwrap()
        .to_string();
    assert!(junk.contains("not a WebAssembly component"), "{junk}");
}

#[test]
fn calling_the_wrong_world_names_both_kinds() {
    let runtime = crate::support::runtime();
    let plugin = Plugin::load(&runtime, &plugin_bytes("lines"), PluginSettings::default()).unwrap();
    let err = RetentionJob::start(&plugin).err().unwrap().to_string();
    assert!(
        err.contains("is of kind `importer`, but a retention-rule plugin is needed"),
        "{err}"
    );
}

#[test]
fn threads_compiling_the_same_plugin_into_one_cache_all_load_it() {
    // Test servers share one cache directory; several starting at once compile the same bundled
    // plugins into it at the same moment, each renaming its own temporary file into place.
    let dir = tempfile::tempdir().unwrap();
    let bytes = plugin_bytes("lines");
    let runtimes: Vec<_> = (0..4)
        .map(|_| Runtime::new(Some(dir.path().to_path_buf())).unwrap())
        .collect();
    std::thread::scope(|scope| {
        let loads: Vec<_> = runtimes
            .iter()
            .map(|runtime| scope.spawn(|| Plugin::load(runtime, &bytes, PluginSettings::default())))
            .collect();
        for load in loads {
            let plugin = load
                .join()
                .unwrap()
                .expect("every concurrent load succeeds");
            assert_eq!(plugin.name(), "lines");
        }
    });
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with(".cwasm"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary files left behind: {leftovers:?}"
    );
}
