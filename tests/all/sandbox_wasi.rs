//! A plugin built for WASI cannot wait its way past its deadline: time stands still for it, so every
//! sleep and every wait on a clock ends at once, and a plugin that waits in a loop spins in its own
//! code, where the deadline stops it. Nothing else it can reach waits either (stdin, sockets, name
//! lookups). With such a plugin running, the server still shuts down within its grace period.

use crate::support::plugin_bytes;
use crate::support::server::TestServer;
use custode::runtime::importer::ImportSession;
use custode::runtime::{Failure, Limits, Plugin, PluginSettings, Runtime};
use serde_json::json;
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
    let runtime = crate::support::runtime();
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
    let runtime = crate::support::runtime();
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
    let runtime = crate::support::runtime();
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

/// Installs `testing/wasi-sleep` with this deadline, enabled, and starts an import that sleeps
/// 30 s, waits for the end of time, then waits in a loop; returns the job's id once the plugin is
/// running.
fn start_spinning(server: &TestServer, deadline_ms: u64) -> u64 {
    let c = server.client();
    let admin = &server.admin;
    let installed = c.post_bytes(
        "/api/v1/plugins",
        admin,
        &plugin_bytes("testing/wasi-sleep"),
    );
    assert_eq!(installed.status, 201, "{:?}", installed.body);
    let limits = json!({"limits": {"deadline_ms": deadline_ms, "memory_bytes": 67108864}});
    let configured = c.put("/api/v1/plugins/wasi-sleep/settings", admin, &limits);
    assert_eq!(configured.status, 200, "{:?}", configured.body);
    let enabled = c.post("/api/v1/plugins/wasi-sleep/enable", admin, &json!(null));
    assert_eq!(enabled.status, 200, "{:?}", enabled.body);
    let started = c.post_bytes(
        "/api/v1/imports?plugin=wasi-sleep&source=Newsletter&channel=newsletter",
        &server.operator,
        b"sleep 30\nwait-forever\nspin\n",
    );
    assert_eq!(started.status, 202, "{:?}", started.body);
    let id = started.body["id"].as_u64().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let job = c
        .get(&format!("/api/v1/imports/{id}"), &server.operator)
        .body;
    assert_eq!(job["state"], "running", "{job}");
    id
}

#[test]
fn a_shutdown_while_a_wasi_plugin_waits_finishes_within_the_grace_period() {
    let mut server = TestServer::start_with(|c| c.server.shutdown_grace_secs = 1);
    // A deadline far beyond the grace period: only the shutdown can end this call in time.
    let id = start_spinning(&server, 600_000);
    let jobs = server.app.jobs.clone();
    let asked = Instant::now();
    server.shutdown().unwrap();
    let took = asked.elapsed();
    assert!(
        took < Duration::from_secs(4),
        "a 1 s grace period, the shutdown took {took:?}"
    );
    let error = jobs.status(id).unwrap().error.expect("the job was stopped");
    assert_eq!(error.kind, "cancelled", "{}", error.message);
}

#[test]
fn a_waiting_wasi_plugin_gives_the_writer_back_at_its_deadline() {
    let server = TestServer::start_with(|c| c.server.write_wait_secs = 1);
    let started = Instant::now();
    let id = start_spinning(&server, 2_000);
    let c = server.client();
    let job = c.wait_for_job(&server.operator, id);
    let took = started.elapsed();
    assert_eq!(job["state"], "failed", "{job}");
    assert_eq!(job["error"]["kind"], "plugin-deadline", "{job}");
    assert!(
        job["error"]["message"]
            .as_str()
            .unwrap()
            .contains("plugin `wasi-sleep` 0.1.0 ran past its 2 s deadline in `push`"),
        "{job}"
    );
    assert!(took < Duration::from_secs(6), "ended after {took:?}");
    let contact = json!({
        "identities": [{"email": "walk-in@example.it"}],
        "source_label": "front desk", "channel": "manual"
    });
    let written = c.post("/api/v1/contacts", &server.operator, &contact);
    assert_eq!(written.status, 201, "{:?}", written.body);
}

#[test]
fn wasi_random_is_the_same_in_every_run() {
    let runtime = crate::support::runtime();
    let plugin = load(&runtime, Limits::default());
    let first = fields(&plugin, "random\n");
    let second = fields(&plugin, "random\n");
    assert_eq!(first, second, "seeded: the same bytes in every run");
    assert!(first[0].starts_with("wasi_random=random "), "{first:?}");
    assert!(
        !first[0].contains("random 0000000000000000"),
        "the bytes look random: {first:?}"
    );
}
