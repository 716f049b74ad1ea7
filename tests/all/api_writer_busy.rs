//! While an import holds the database's single writer, an API write waits at most
//! `[server] write_wait_secs` and is then answered 503 `writer-busy` with `Retry-After`, instead of
//! hanging until the import commits; reads go on; the same write succeeds once the import is done.

use std::time::{Duration, Instant};

use crate::support::server::TestServer;
use serde_json::json;

/// Enough rows that the import is still running when the write is tried.
const ROWS: usize = 300_000;

#[test]
fn a_write_during_an_import_is_answered_writer_busy_and_succeeds_afterwards() {
    let server = TestServer::start_with(|c| c.server.write_wait_secs = 1);
    let c = server.client();
    let file: String = (0..ROWS)
        .map(|i| format!("person{i}@example.com\n"))
        .collect();
    let started = c.post_bytes(
        "/api/v1/imports?plugin=lines&source=Newsletter&channel=newsletter",
        &server.operator,
        file.as_bytes(),
    );
    assert_eq!(started.status, 202, "{:?}", started.body);
    let job = format!("/api/v1/imports/{}", started.body["id"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = c.get(&job, &server.operator).body;
        assert_eq!(
            status["state"], "running",
            "the import ended too soon: {status}"
        );
        if status["progress"]["records"].as_u64().unwrap() > 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the import never started writing"
        );
        std::thread::sleep(Duration::from_millis(5));
    }

    let contact = json!({
        "identities": [{"email": "walk-in@example.it"}],
        "source_label": "front desk", "channel": "manual"
    });
    let asked = Instant::now();
    let busy = c.send(
        "POST",
        "/api/v1/contacts",
        Some(&server.operator),
        Some(contact.to_string().as_bytes()),
    );
    let waited = asked.elapsed();
    assert_eq!(busy.status, 503, "{:?}", busy.body);
    assert_eq!(busy.body["type"], "urn:custode:problem:writer-busy");
    let detail = busy.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("import") && detail.contains("retry") && detail.contains("write_wait_secs"),
        "{detail}"
    );
    assert_eq!(busy.retry_after, "1");
    assert!(
        waited >= Duration::from_secs(1) && waited < Duration::from_secs(20),
        "waited {waited:?}"
    );
    assert_eq!(
        c.get(&job, &server.operator).body["state"],
        "running",
        "the import must still hold the writer, or the 503 proves nothing"
    );
    // Reads do not need the writer.
    assert_eq!(
        c.get("/api/v1/contacts?limit=1", &server.operator).status,
        200
    );

    let done = c.wait_for_job(&server.operator, started.body["id"].as_u64().unwrap());
    assert_eq!(done["state"], "succeeded", "{done}");
    let created = c.post("/api/v1/contacts", &server.operator, &contact);
    assert_eq!(created.status, 201, "{:?}", created.body);
}
