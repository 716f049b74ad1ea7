//! Graceful shutdown during an import: with time to finish, the import commits whole; without, it is
//! cancelled and rolled back. Either way nothing is half-written and the audit log is intact.

use std::time::{Duration, Instant};

use crate::support::server::TestServer;
use custode::app::App;
use custode::config::Config;
use custode::store::{AuditFilter, ContactFilter};

/// Enough rows for several 1 MiB chunks: the import checks for cancellation between chunks.
const ROWS: usize = 150_000;

fn emails() -> Vec<u8> {
    (0..ROWS)
        .map(|i| format!("person{i}@example.com\n"))
        .collect::<String>()
        .into_bytes()
}

/// Starts the import and returns once it has written its first records (it is mid-way).
fn start_import(server: &TestServer) -> u64 {
    let c = server.client();
    let started = c.post_bytes(
        "/api/v1/imports?plugin=lines&source=Newsletter&channel=newsletter",
        &server.operator,
        &emails(),
    );
    assert_eq!(started.status, 202, "{:?}", started.body);
    let id = started.body["id"].as_u64().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let job = c
            .get(&format!("/api/v1/imports/{id}"), &server.operator)
            .body;
        assert_eq!(
            job["state"], "running",
            "the import ended before the shutdown: {job}"
        );
        if job["progress"]["records"].as_u64().unwrap() > 0 {
            return id;
        }
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Reopens the stopped server's installation: (contacts stored, import commits in the audit log).
fn what_was_stored(server: &TestServer) -> (usize, usize) {
    let app = App::open(server.dir.path(), Config::default()).unwrap();
    let c = &app.compliance;
    assert!(c.audit_verify().unwrap().ok());
    let commits = c
        .audit_list(&AuditFilter {
            limit: 10_000,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "import.commit")
        .count();
    let mut contacts = 0;
    let mut after = None;
    loop {
        let page = c
            .list_contacts(
                &ContactFilter {
                    after,
                    limit: 1000,
                    ..Default::default()
                },
                None,
            )
            .unwrap();
        contacts += page.items.len();
        match page.next {
            Some(next) => after = Some(next),
            None => return (contacts, commits),
        }
    }
}

#[test]
fn an_import_running_at_shutdown_finishes_within_the_grace_period() {
    let mut server = TestServer::start_with(|c| c.server.shutdown_grace_secs = 120);
    start_import(&server);
    server.shutdown().unwrap();
    // The listener is closed: new requests are refused.
    assert!(
        std::net::TcpStream::connect_timeout(&server.addr, Duration::from_millis(500)).is_err()
    );
    assert_eq!(what_was_stored(&server), (ROWS, 1));
}

#[test]
fn an_import_still_running_after_the_grace_period_is_cancelled_and_leaves_nothing() {
    let mut server = TestServer::start_with(|c| c.server.shutdown_grace_secs = 0);
    let id = start_import(&server);
    let jobs = server.app.jobs.clone();
    server.shutdown().unwrap();
    let job = jobs.status(id).unwrap();
    let error = job.error.expect("the job was cancelled");
    assert_eq!(error.kind, "cancelled", "{}", error.message);
    assert!(
        error.message.contains("nothing was imported"),
        "{}",
        error.message
    );
    assert_eq!(what_was_stored(&server), (0, 0));
}
