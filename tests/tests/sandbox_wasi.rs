//! A plugin built for WASI cannot wait its way past its deadline: time stands still for it, so every
//! sleep and every wait on a clock ends at once, and a plugin that waits in a loop spins in its own
//! code, where the deadline stops it. Nothing else it can reach waits either (stdin, sockets, name
//! lookups). With such a plugin running, the server still shuts down within its grace period.

use custode::runtime::importer::ImportSession;
use custode::runtime::{Failure, Limits, Plugin, PluginSettings, Runtime};
use custode_tests::plugin_bytes;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn load(runtime: &Arc<Runtime>, limits: Limits) -> Plugin {
    Plugin::load(
        runtime,
        &plugin_bytes("testing/wasi-sleep"),
        PluginSettings {
            limits,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("loading wasi-sleep: {e:#}"))
}

/// Imports `input` whole and returns the `name=value` of every field the plugin reported.
fn fields(plugin: &Plugin, input: &str) -> Vec<String> {
    let mut session = ImportSession::open(plugin).expect("open");
    let mut records = session.push(input.as_bytes()).expect("push").records;
    records.extend(session.finish().expect("finish").records);
    records
        .iter()
        .flat_map(|r| r.fields.iter())
        .map(|f| format!("{}={}", f.name, f.value))
        .collect()
}

#[test]
fn sleeping_through_wasi_clocks_ends_at_once() {
    let runtime = Runtime::new(None).unwrap();
    let plugin = load(&runtime, Limits::default());
    assert!(plugin.inspection().uses_wasi);
    let started = Instant::now();
    // 30 s of `std::thread::sleep`, then a wait for the end of time: before the clock was frozen,
    // the first outlived the 5 s deadline by 25 s and the second never returned.
    let seen = fields(&plugin, "sleep 30\nwait-forever\nclocks\n");
    let took = started.elapsed();
    assert_eq!(
        seen,
        [
            "wasi_sleep=woke after 0 ns of the plugin's clock",
            "wasi_wait_forever=woke",
            "wasi_clocks=wall 0.000000000, monotonic 0",
        ]
    );
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

#[test]
fn waiting_in_a_loop_is_stopped_at_the_deadline() {
    let runtime = Runtime::new(None).unwrap();
    let deadline = Duration::from_millis(500);
    let plugin = load(
        &runtime,
        Limits {
            deadline,
            ..Limits::default()
        },
    );
    let mut session = ImportSession::open(&plugin).expect("open");
    let started = Instant::now();
    let err = session.push(b"spin\n").expect_err("spinning forever");
    let took = started.elapsed();
    assert_eq!(err.failure, Failure::Deadline(deadline), "{err}");
    assert!(
        err.to_string()
            .starts_with("plugin `wasi-sleep` 0.1.0 ran past its 500 ms deadline in `push`"),
        "{err}"
    );
    assert!(
        took < Duration::from_secs(3),
        "stopped promptly, took {took:?}"
    );
}

#[test]
fn nothing_else_a_wasi_plugin_can_reach_waits_or_reaches_out() {
    let runtime = Runtime::new(None).unwrap();
    let plugin = load(&runtime, Limits::default());
    let started = Instant::now();
    let seen = fields(&plugin, "stdin\nnetwork\n");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(seen[0], "wasi_stdin=closed", "{seen:?}");
    let network = &seen[1];
    assert!(
        network.starts_with("wasi_network=tcp: refused"),
        "{network}"
    );
    assert!(network.contains("udp: refused"), "{network}");
    assert!(network.contains("lookup: refused"), "{network}");
}
