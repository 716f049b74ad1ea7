//! A measurement, not a check (ignored by default): `GET /api/v1/can-process` latency while hostile
//! plugins run imports, and the server's memory after 100 of them. Run it with
//! `cargo test -p custode-tests --test sandbox_attack -- --ignored --nocapture`; docs/BENCHMARKS.md
//! has the numbers.

use crate::support::plugin_bytes;
use crate::support::server::TestServer;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn install(server: &TestServer, name: &str, deadline_ms: u64) {
    let c = server.client();
    let admin = &server.admin;
    let installed = c.post_bytes(
        "/api/v1/plugins",
        admin,
        &plugin_bytes(&format!("testing/{name}")),
    );
    assert_eq!(installed.status, 201, "{:?}", installed.body);
    let limits = json!({"limits": {"deadline_ms": deadline_ms, "memory_bytes": 67108864}});
    let path = format!("/api/v1/plugins/{name}/settings");
    assert_eq!(c.put(&path, admin, &limits).status, 200);
    let path = format!("/api/v1/plugins/{name}/enable");
    assert_eq!(c.post(&path, admin, &json!(null)).status, 200);
}

#[test]
#[ignore = "a measurement: run with --ignored --nocapture"]
fn can_process_answers_during_100_hostile_imports() {
    let server = TestServer::start();
    install(&server, "long-strings", 5_000);
    install(&server, "wasi-sleep", 500);
    let attacks: [(&str, &[u8]); 3] = [
        ("long-strings", b"error\n"),
        ("long-strings", b"row-error\n"),
        ("wasi-sleep", b"sleep 30\nwait-forever\nspin\n"),
    ];
    let before = resident_bytes();
    let done = AtomicBool::new(false);
    let latencies = Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|s| {
        s.spawn(|| {
            let c = server.client();
            while !done.load(Ordering::Relaxed) {
                let asked = Instant::now();
                let a = c.get(
                    "/api/v1/can-process?subject=a%40example.it&purpose=marketing&channel=email",
                    &server.operator,
                );
                assert!(a.status == 200 || a.status == 404, "{:?}", a.body);
                latencies.lock().unwrap().push(asked.elapsed());
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        let c = server.client();
        for i in 0..100 {
            let (plugin, input) = attacks[i % attacks.len()];
            let job = c.import(
                &server.operator,
                &format!("plugin={plugin}&source=Newsletter&channel=newsletter"),
                input,
            );
            assert_eq!(job["state"], "failed", "{job}");
        }
        done.store(true, Ordering::Relaxed);
    });
    let took = started.elapsed();
    let after = resident_bytes();
    let mut l = latencies.into_inner().unwrap();
    l.sort();
    let at = |q: f64| l[((l.len() - 1) as f64 * q) as usize];
    let list = server.client().get("/api/v1/imports", &server.operator);
    println!(
        "100 hostile imports in {took:.1?}; can-process: {} answers, p50 {:?}, p99 {:?}, max {:?}; \
         resident memory {} MiB before, {} MiB after; GET /api/v1/imports {} bytes",
        l.len(),
        at(0.5),
        at(0.99),
        l[l.len() - 1],
        before >> 20,
        after >> 20,
        list.body.to_string().len()
    );
}
