//! Misbehaving plugins are stopped with a message that names the plugin, the function and the cause,
//! and the host (and a good plugin) keeps working right after.

use crate::support::plugin_bytes;
use custode::runtime::importer::ImportSession;
use custode::runtime::importer::MAX_RECORDS_PER_CALL;
use custode::runtime::log::MAX_LOG_LINES;
use custode::runtime::{Failure, Limits, Plugin, PluginError, PluginSettings, Runtime};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn load(runtime: &Arc<Runtime>, name: &str, limits: Limits) -> Plugin {
    Plugin::load(
        runtime,
        &plugin_bytes(name),
        PluginSettings {
            limits,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("loading {name}: {e:#}"))
}

/// Runs a whole import of `input` (pushed in two chunks) and returns the error it must end with.
fn import_error(plugin: &Plugin, input: &[u8]) -> PluginError {
    let mut session = ImportSession::open(plugin).expect("open");
    let (a, b) = input.split_at(input.len() / 2);
    let result = session
        .push(a)
        .and_then(|_| session.push(b))
        .and_then(|_| session.finish());
    result.expect_err("the plugin should have been stopped")
}

/// A good plugin still imports correctly on the same runtime.
fn good_plugin_still_works(runtime: &Arc<Runtime>) {
    let plugin = load(runtime, "lines", Limits::default());
    let mut session = ImportSession::open(&plugin).unwrap();
    let records = session.push(b"still@example.com\n").unwrap().records;
    assert_eq!(records.len(), 1);
    session.finish().unwrap();
}

#[test]
fn an_endless_loop_is_stopped_at_its_deadline() {
    let runtime = crate::support::runtime();
    let limits = Limits {
        deadline: Duration::from_millis(300),
        ..Limits::default()
    };
    let plugin = load(&runtime, "endless-loop", limits);
    let started = Instant::now();
    let err = import_error(&plugin, b"a@example.com\nb@example.com\n");
    let took = started.elapsed();
    assert_eq!(err.failure, Failure::Deadline(Duration::from_millis(300)));
    assert_eq!(err.function, "push");
    let message = err.to_string();
    assert!(
        message.starts_with("plugin `endless-loop` 0.1.0 ran past its 300 ms deadline in `push`"),
        "{message}"
    );
    assert!(
        message.contains("limits.deadline_ms"),
        "the message says how to raise it: {message}"
    );
    assert!(
        took < Duration::from_secs(3),
        "stopped promptly, took {took:?}"
    );
    good_plugin_still_works(&runtime);
}

#[test]
fn a_memory_hog_is_stopped_at_its_memory_limit() {
    let runtime = crate::support::runtime();
    let plugin = load(&runtime, "memory-hog", Limits::default());
    let err = import_error(&plugin, b"x\n");
    match &err.failure {
        Failure::Memory { limit, requested } => {
            assert_eq!(*limit, 64 << 20);
            assert!(*requested > 64 << 20);
        }
        other => panic!("expected a memory failure, got {other:?}: {err}"),
    }
    assert!(
        err.to_string().contains("exceeded its 64 MiB memory limit"),
        "{err}"
    );
    good_plugin_still_works(&runtime);
}

#[test]
fn a_smaller_memory_limit_is_enforced_too() {
    let runtime = crate::support::runtime();
    let plugin = load(
        &runtime,
        "memory-hog",
        Limits {
            memory_bytes: 8 << 20,
            ..Limits::default()
        },
    );
    let err = import_error(&plugin, b"x\n");
    assert!(
        err.to_string().contains("exceeded its 8 MiB memory limit"),
        "{err}"
    );
}

#[test]
fn a_panic_halfway_reports_the_panic_message() {
    let runtime = crate::support::runtime();
    let plugin = load(&runtime, "panic-halfway", Limits::default());
    let mut session = ImportSession::open(&plugin).unwrap();
    // The first chunk is fine …
    session
        .push(b"a@example.com\n")
        .expect("the first chunk is imported");
    // … the second panics inside the plugin.
    let err = session.push(b"b@example.com\n").unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("plugin `panic-halfway` 0.1.0 panicked at ")
            && text.contains("invented failure for tests")
            && text.contains(" in `push`; "),
        "names the plugin, its version, the cause and the function: {text}"
    );
    let Failure::Panic(message) = &err.failure else {
        panic!("expected a panic, got {err}")
    };
    assert!(
        message.contains("invented failure for tests"),
        "the plugin's own message is kept: {message}"
    );
    assert!(
        message.contains(".rs:"),
        "with the source location: {message}"
    );
    assert!(err.to_string().contains("report it to its author"), "{err}");
    // The session is dead after a trap: further calls fail cleanly instead of running on a broken instance.
    assert!(session.push(b"c@example.com\n").is_err());
    good_plugin_still_works(&runtime);
}

#[test]
fn a_huge_result_is_refused() {
    let runtime = crate::support::runtime();
    let plugin = load(&runtime, "huge-result", Limits::default());
    let err = import_error(&plugin, b"x\n");
    assert_eq!(
        err.failure,
        Failure::OutputTooLarge {
            what: "row errors",
            count: MAX_RECORDS_PER_CALL + 1,
            limit: MAX_RECORDS_PER_CALL,
            counted: "records and row errors together",
        }
    );
    assert_eq!(
        err.to_string(),
        "plugin `huge-result` 0.1.0 returned 250001 row errors from one call (the limit is 250000 records and row \
         errors together) in `push`; the plugin must return its results in smaller pieces"
    );
    good_plugin_still_works(&runtime);
}

#[test]
fn a_huge_result_of_records_is_refused_as_records() {
    let runtime = crate::support::runtime();
    let settings = PluginSettings {
        // 250 001 minimal records take about 54 MB inside the plugin (see its docs).
        limits: Limits {
            memory_bytes: 128 << 20,
            ..Limits::default()
        },
        config: [("records", "250001"), ("rejected", "0")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    };
    let plugin = Plugin::load(&runtime, &plugin_bytes("huge-result"), settings).unwrap();
    let err = import_error(&plugin, b"x\n");
    assert!(
        err.to_string().starts_with(
            "plugin `huge-result` 0.1.0 returned 250001 records from one call (the limit is 250000 records and row errors together)"
        ),
        "{err}"
    );
}

#[test]
fn a_plugin_importing_an_unknown_host_function_is_refused_at_install() {
    let runtime = crate::support::runtime();
    let err = Plugin::load(
        &runtime,
        &plugin_bytes("unknown-import"),
        PluginSettings::default(),
    )
    .err()
    .expect("refused")
    .to_string();
    assert!(err.contains("evil:net/socket"), "names the import: {err}");
    assert!(err.contains("which Custode does not provide"), "{err}");
    good_plugin_still_works(&runtime);
}

#[test]
fn a_plugin_importing_an_unknown_wasi_interface_is_told_so() {
    let runtime = crate::support::runtime();
    let err = Plugin::load(
        &runtime,
        &plugin_bytes("wasi-http"),
        PluginSettings::default(),
    )
    .err()
    .expect("refused")
    .to_string();
    assert!(
        err.contains("imports the WASI interface `wasi:http/outgoing-handler@0.2.0`, which Custode does not provide"),
        "names the interface: {err}"
    );
    assert!(
        err.contains("`wasi:clocks` (") && err.contains("`wasi:random` ("),
        "lists what plugins get: {err}"
    );
    assert!(!err.contains("newer custode:plugin"), "{err}");
    good_plugin_still_works(&runtime);
}

#[test]
fn endless_recursion_is_reported_as_a_possible_stack_overflow() {
    let runtime = crate::support::runtime();
    let plugin = load(&runtime, "deep-recursion", Limits::default());
    let err = import_error(&plugin, b"a@example.com\n").to_string();
    // The shadow stack of a wasm32 Rust plugin lives in its memory: it overflows into an
    // out-of-bounds access, which alone would send the author looking for a bad pointer.
    assert!(
        err.starts_with("plugin `deep-recursion` 0.1.0 ")
            && err.contains("out of bounds memory access")
            && err.contains("a stack overflow in the plugin")
            && err.contains(" in `push`"),
        "{err}"
    );
    good_plugin_still_works(&runtime);
}

/// A plugin that is refused when it is loaded, with the message.
fn refused(runtime: &Arc<Runtime>, name: &str, limits: Limits) -> String {
    let settings = PluginSettings {
        limits,
        ..Default::default()
    };
    let err = Plugin::load(runtime, &plugin_bytes(name), settings)
        .err()
        .unwrap_or_else(|| panic!("{name} should be refused"));
    format!("{err:#}")
}

#[test]
fn a_plugin_needing_a_host_function_of_a_newer_api_is_refused_with_the_fix() {
    let runtime = crate::support::runtime();
    let err = refused(&runtime, "newer-host", Limits::default());
    assert!(
        err.contains("imports the host function `now` (from `custode:plugin/host@0.1.1`)"),
        "names the function and where it comes from: {err}"
    );
    assert!(
        err.contains("built against a newer custode:plugin")
            && err.contains("rebuild it against 0.1.0")
            && err.contains("or upgrade Custode"),
        "says what to do: {err}"
    );
    assert!(!err.contains("cannot be linked"), "{err}");
    good_plugin_still_works(&runtime);
}

#[test]
fn a_describe_past_its_deadline_is_stopped_and_named_by_digest() {
    let runtime = crate::support::runtime();
    let limits = Limits {
        deadline: Duration::from_millis(300),
        ..Limits::default()
    };
    // Loading compiles the component before `describe` runs, which takes seconds on a busy machine:
    // the bound is the time to compile it plus a margin far below the default 5 s deadline.
    let compiling = Instant::now();
    wasmtime::component::Component::new(runtime.engine(), plugin_bytes("slow-describe")).unwrap();
    let compile = compiling.elapsed();
    let started = Instant::now();
    let err = refused(&runtime, "slow-describe", limits);
    let took = started.elapsed();
    assert!(
        took < compile + Duration::from_secs(3),
        "stopped promptly: {took:?}, of which compiling takes about {compile:?}"
    );
    let digest = custode::runtime::cache::digest(&plugin_bytes("slow-describe"));
    assert!(
        err.starts_with(&format!(
            "plugin `sha256:{}` ran past its 300 ms deadline in `describe`",
            &digest[..12]
        )),
        "named by its digest before it has described itself: {err}"
    );
    assert!(
        err.contains("`describe()` must return at once") && err.contains("report it to its author"),
        "{err}"
    );
    good_plugin_still_works(&runtime);
}

#[test]
fn a_plugin_whose_describe_names_another_world_is_refused() {
    let runtime = crate::support::runtime();
    let err = refused(&runtime, "wrong-kind", Limits::default());
    assert_eq!(
        err,
        "plugin `wrong-kind` says it is a retention-rule plugin, but the component implements the importer world: fix `describe()`"
    );
    good_plugin_still_works(&runtime);
}

#[test]
fn a_chatty_wasi_plugin_keeps_running_with_its_log_capped() {
    let runtime = crate::support::runtime();
    let plugin = load(&runtime, "wasi-stdout", Limits::default());
    let mut session = ImportSession::open(&plugin).unwrap();
    // 2000 lines of 100 bytes: about three times what a 64 KiB pipe would take.
    let records = session.push(b"flood 2000").unwrap().records;
    let fields: Vec<String> = records
        .iter()
        .flat_map(|r| r.fields.iter())
        .map(|f| format!("{}={}", f.name, f.value))
        .collect();
    assert_eq!(fields, ["wasi_flood=2000 lines written"], "no write failed");
    let log = session.log();
    assert_eq!(log.len(), MAX_LOG_LINES);
    assert_eq!(log[0].1.trim_end(), "flood line 1 of 2000");
    assert_eq!(log[999].1.trim_end(), "flood line 1000 of 2000");
    // 1000 more stdout lines and the stderr line.
    assert_eq!(session.dropped_log_lines(), 1001);
    session.finish().unwrap();
    good_plugin_still_works(&runtime);
}

#[test]
fn a_wasi_plugin_runs_in_an_empty_sandbox_with_stdout_in_its_log() {
    let runtime = crate::support::runtime();
    let plugin = load(&runtime, "wasi-stdout", Limits::default());
    assert!(plugin.inspection().uses_wasi);
    let mut session = ImportSession::open(&plugin).unwrap();
    let mut records = session.push(b"a@example.com\n").unwrap().records;
    records.extend(session.finish().unwrap().records);
    let logged: Vec<String> = session.log().into_iter().map(|(_, line)| line).collect();
    assert!(
        logged.iter().any(|l| l.contains("hello from wasi stdout")),
        "stdout reaches the log: {logged:?}"
    );
    // The plugin reports what it could see of the sandbox in a field of its record.
    let seen: Vec<String> = records
        .iter()
        .flat_map(|r| r.fields.iter())
        .map(|f| format!("{}={}", f.name, f.value))
        .collect();
    assert!(
        seen.iter().any(|f| f == "wasi_environment=0 variables"),
        "no environment variables: {seen:?}"
    );
    assert!(
        seen.iter().any(|f| f == "wasi_preopens=0 directories"),
        "no directories: {seen:?}"
    );
    assert!(
        seen.iter().any(|f| f == "wasi_arguments=0 arguments"),
        "no arguments: {seen:?}"
    );
}

#[test]
fn many_failures_in_a_row_do_not_exhaust_the_host() {
    let runtime = crate::support::runtime();
    let plugin = load(&runtime, "panic-halfway", Limits::default());
    // More failed instances than the pool has slots: each failed store must give its slot back.
    for _ in 0..(custode::runtime::engine::MAX_CONCURRENT_INSTANCES + 20) {
        let mut session = ImportSession::open(&plugin).unwrap();
        session.push(b"a@example.com\n").unwrap();
        assert!(session.push(b"b@example.com\n").is_err());
    }
    good_plugin_still_works(&runtime);
}
