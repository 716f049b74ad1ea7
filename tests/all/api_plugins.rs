//! Plugins through the API: upload → enable → configure → use → disable without a restart, a
//! component the runtime refuses, and hostile plugins contained while other requests keep succeeding.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::support::plugin_bytes;
use crate::support::server::TestServer;
use custode::runtime::PluginKind;
use serde_json::json;

const EMAILS: &[u8] = b"luca.verdi@example.com\nnew.person@example.com\n";

#[test]
fn a_plugin_is_uploaded_enabled_configured_used_and_disabled_without_a_restart() {
    let server = TestServer::start();
    let c = server.client();
    let admin = &server.admin;
    // `lines` is bundled: remove it, then install it from its file as an admin would their own plugin.
    assert_eq!(
        c.post("/api/v1/plugins/lines/disable", admin, &json!(null))
            .status,
        200
    );
    assert_eq!(c.delete("/api/v1/plugins/lines", admin).status, 204);
    assert_eq!(c.get("/api/v1/plugins/lines", admin).status, 404);

    let uploaded = c.post_bytes("/api/v1/plugins", admin, &plugin_bytes("lines"));
    assert_eq!(uploaded.status, 201, "{:?}", uploaded.body);
    assert_eq!(uploaded.body["outcome"], "installed");
    assert_eq!(uploaded.body["plugin"]["enabled"], false);
    let again = c.post_bytes("/api/v1/plugins", admin, &plugin_bytes("lines"));
    assert_eq!(
        (again.status, again.body["outcome"].as_str()),
        (200, Some("unchanged"))
    );

    let import = |token: &str| {
        c.post_bytes(
            "/api/v1/imports?plugin=lines&source=Newsletter&channel=newsletter",
            token,
            EMAILS,
        )
    };
    let refused = import(&server.operator);
    assert_eq!(refused.status, 409, "{:?}", refused.body);
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("enable it"),
        "{:?}",
        refused.body
    );

    assert_eq!(
        c.post("/api/v1/plugins/lines/enable", admin, &json!(null))
            .body["enabled"],
        true
    );
    let bad = c.put(
        "/api/v1/plugins/lines/settings",
        admin,
        &json!({"config": {"delimiter": ";"}}),
    );
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    assert!(
        bad.body["detail"]
            .as_str()
            .unwrap()
            .contains("has no setting `delimiter`"),
        "{:?}",
        bad.body
    );
    let limits = json!({"limits": {"deadline_ms": 2000, "memory_bytes": 33554432}});
    let configured = c.put("/api/v1/plugins/lines/settings", admin, &limits);
    assert_eq!(configured.status, 200, "{:?}", configured.body);
    assert_eq!(configured.body["settings"]["limits"]["deadline_ms"], 2000);

    let job = c.wait_for_job(
        &server.operator,
        import(&server.operator).body["id"].as_u64().unwrap(),
    );
    assert_eq!(job["state"], "succeeded", "{job}");
    assert_eq!(job["report"]["created"], 2);
    assert_eq!(job["actor"], "oscar");

    assert_eq!(
        c.post("/api/v1/plugins/lines/disable", admin, &json!(null))
            .body["enabled"],
        false
    );
    assert_eq!(import(&server.operator).status, 409);

    // Every change is in the audit log with the token's name as the actor.
    let audit = c.get("/api/v1/audit?target=plugin:lines", &server.auditor);
    let actions: Vec<(String, String)> = audit
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().into(),
                e["action"].as_str().unwrap().into(),
            )
        })
        .collect();
    let by_ada: Vec<&str> = actions
        .iter()
        .filter(|(a, _)| a == "ada")
        .map(|(_, x)| x.as_str())
        .collect();
    assert_eq!(
        by_ada,
        [
            "plugin.disable",
            "plugin.delete",
            "plugin.install",
            "plugin.enable",
            "plugin.configure",
            "plugin.disable"
        ]
    );
}

#[test]
fn a_component_the_runtime_refuses_is_answered_with_its_message() {
    let server = TestServer::start();
    let c = server.client();
    let answer = c.post_bytes(
        "/api/v1/plugins",
        &server.admin,
        &plugin_bytes("unknown-import"),
    );
    assert_eq!(answer.status, 422, "{:?}", answer.body);
    assert_eq!(answer.content_type, "application/problem+json");
    let detail = answer.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("`evil:net/socket@0.1.0`, which Custode does not provide"),
        "{detail}"
    );
    let answer = c.post_bytes("/api/v1/plugins", &server.admin, b"\0asm\x01\0\0\0");
    assert!(
        answer.body["detail"]
            .as_str()
            .unwrap()
            .contains("core WebAssembly module"),
        "{:?}",
        answer.body
    );
    let too_big = TestServer::start_with(|config| config.server.max_plugin_bytes = 1024);
    let answer =
        too_big
            .client()
            .post_bytes("/api/v1/plugins", &too_big.admin, &plugin_bytes("lines"));
    assert_eq!(answer.status, 413, "{:?}", answer.body);
    assert!(answer.body["detail"]
        .as_str()
        .unwrap()
        .contains("server.max_plugin_bytes"));
}

/// Installs a hostile test plugin with tight limits and runs an import with it while another thread
/// keeps asking can-process; returns the failed job.
fn contained(server: &TestServer, name: &str, limits: serde_json::Value) -> serde_json::Value {
    let c = server.client();
    assert_eq!(
        c.post_bytes("/api/v1/plugins", &server.admin, &plugin_bytes(name))
            .status,
        201
    );
    assert_eq!(
        c.put(
            &format!("/api/v1/plugins/{name}/settings"),
            &server.admin,
            &json!({"limits": limits})
        )
        .status,
        200
    );
    assert_eq!(
        c.post(
            &format!("/api/v1/plugins/{name}/enable"),
            &server.admin,
            &json!(null)
        )
        .status,
        200
    );
    let done = AtomicBool::new(false);
    let answered = AtomicU64::new(0);
    let job = std::thread::scope(|s| {
        s.spawn(|| {
            let c = server.client();
            while !done.load(Ordering::Relaxed) {
                let started = Instant::now();
                let a = c.get(
                    "/api/v1/can-process?subject=a%40example.it&purpose=marketing&channel=email",
                    &server.operator,
                );
                assert_eq!(a.status, 200, "{:?}", a.body);
                assert!(
                    started.elapsed() < Duration::from_secs(1),
                    "a request waited for the plugin"
                );
                answered.fetch_add(1, Ordering::Relaxed);
            }
        });
        let job = c.import(
            &server.operator,
            &format!("plugin={name}&source=Test&channel=other"),
            EMAILS,
        );
        done.store(true, Ordering::Relaxed);
        job
    });
    assert!(answered.load(Ordering::Relaxed) > 0);
    assert_eq!(job["state"], "failed", "{job}");
    job
}

#[test]
fn hostile_plugins_are_contained_while_other_requests_keep_succeeding() {
    let server = TestServer::start();
    let job = contained(
        &server,
        "endless-loop",
        json!({"deadline_ms": 300, "memory_bytes": 67108864}),
    );
    assert_eq!(job["error"]["kind"], "plugin-deadline");
    assert!(
        job["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ran past its 300 ms deadline"),
        "{job}"
    );
    let job = contained(
        &server,
        "memory-hog",
        json!({"deadline_ms": 5000, "memory_bytes": 16777216}),
    );
    assert_eq!(job["error"]["kind"], "plugin-memory");
    assert!(
        job["error"]["message"]
            .as_str()
            .unwrap()
            .contains("16 MiB memory limit"),
        "{job}"
    );
    // Nothing of either import was written, and the failures are counted.
    let contacts = server.client().get("/api/v1/contacts", &server.dpo);
    assert_eq!(contacts.body["items"].as_array().unwrap().len(), 0);
    let metrics = server.client().get("/api/v1/metrics", &server.admin).body;
    let metrics = metrics.as_str().unwrap();
    assert!(
        metrics.contains("custode_imports_total{outcome=\"failed\"} 2"),
        "{metrics}"
    );
    let deadlines: u64 = metrics
        .lines()
        .find_map(|l| {
            l.strip_prefix(
                "custode_plugin_failures_total{cause=\"deadline\",problem=\"plugin-deadline\"} ",
            )
        })
        .unwrap_or_else(|| panic!("no deadline failures line: {metrics}"))
        .parse()
        .unwrap();
    assert!(deadlines > 0, "{metrics}");
}

#[test]
fn a_plugin_in_use_or_enabled_cannot_be_deleted() {
    let server = TestServer::start();
    let c = server.client();
    let admin = &server.admin;
    let enabled = c.delete("/api/v1/plugins/csv", admin);
    assert_eq!(enabled.status, 409);
    assert!(
        enabled.body["detail"]
            .as_str()
            .unwrap()
            .contains("is enabled: disable it first"),
        "{:?}",
        enabled.body
    );
    assert_eq!(
        c.post_bytes("/api/v1/plugins", admin, &plugin_bytes("endless-loop"))
            .status,
        201
    );
    c.post("/api/v1/plugins/endless-loop/enable", admin, &json!(null));
    // A job holds a lease on its plugin while it runs: an import, a retention run, an export. (An
    // import also holds the database's one writer, so a disable waits for it to end; a retention
    // dry run or an export does not, which is when this check is what stops the delete.)
    let lease = server
        .app
        .plugins
        .lease("endless-loop", PluginKind::Importer)
        .unwrap();
    assert_eq!(
        c.post("/api/v1/plugins/endless-loop/disable", admin, &json!(null))
            .status,
        200
    );
    let in_use = c.delete("/api/v1/plugins/endless-loop", admin);
    assert_eq!(in_use.status, 409, "{:?}", in_use.body);
    assert!(
        in_use.body["detail"]
            .as_str()
            .unwrap()
            .contains("in use by 1 running job"),
        "{:?}",
        in_use.body
    );
    drop(lease);
    assert_eq!(c.delete("/api/v1/plugins/endless-loop", admin).status, 204);
}
