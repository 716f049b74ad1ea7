//! Uploaded import files hold personal data: none outlives its request or job. An upload past
//! `server.max_import_bytes` is refused with 413 and removed; uploads a killed server left behind are
//! removed when the installation opens again. A job's outcome outlives the server that ran it.

use crate::support::server::TestServer;
use custode::app::App;
use custode::config::Config;

/// The files in the server's upload directory.
fn uploads(server: &TestServer) -> Vec<String> {
    match std::fs::read_dir(server.dir.path().join("uploads")) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => vec![],
    }
}

#[test]
fn an_upload_over_the_limit_is_refused_with_413_and_leaves_no_file() {
    let server = TestServer::start_with(|c| c.server.max_import_bytes = 1024);
    let file: String = (0..200)
        .map(|i| format!("person{i}@example.com\n"))
        .collect();
    assert!(file.len() > 1024);
    let answer = server.client().post_bytes(
        "/api/v1/imports?plugin=lines&source=Newsletter&channel=newsletter",
        &server.operator,
        file.as_bytes(),
    );
    assert_eq!(answer.status, 413, "{:?}", answer.body);
    assert_eq!(answer.body["type"], "urn:custode:problem:body-too-large");
    let detail = answer.body["detail"].as_str().unwrap();
    assert!(detail.contains("server.max_import_bytes"), "{detail}");
    assert!(uploads(&server).is_empty(), "{:?}", uploads(&server));
    assert!(server.app.jobs.list().is_empty(), "no job started");
}

#[test]
fn uploads_a_killed_server_left_behind_are_removed_when_the_installation_opens() {
    let mut server = TestServer::start();
    server.shutdown().unwrap();
    let dir = server.dir.path().join("uploads");
    std::fs::create_dir_all(&dir).unwrap();
    // What a server killed mid-upload leaves: a `.part` file nobody holds any more.
    let stale = dir.join("upload-4242-00000000deadbeef.part");
    std::fs::write(&stale, "email\nmario.rossi@example.it\n").unwrap();
    let unrelated = dir.join("README.txt");
    std::fs::write(&unrelated, "not an upload").unwrap();

    let _app = App::open(server.dir.path(), Config::default()).unwrap();
    assert!(!stale.exists(), "the stale upload (personal data) is gone");
    assert!(unrelated.exists(), "only upload-*.part files are removed");
}

/// Polls an import job until it ends.
fn finished(server: &TestServer, id: u64) -> serde_json::Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let answer = server
            .client()
            .get(&format!("/api/v1/imports/{id}"), &server.operator);
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        if answer.body["state"] != "running" {
            return answer.body;
        }
        assert!(std::time::Instant::now() < deadline, "job {id} never ended");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// A client answered 202 learns after a restart whether its file was imported: finished jobs keep
/// their outcome (without any value from the file), and a job a killed server was running reads as
/// interrupted, nothing imported.
#[test]
fn import_jobs_and_their_outcomes_survive_a_restart() {
    let mut server = TestServer::start();
    let start = |file: &str| {
        let answer = server.client().post_bytes(
            "/api/v1/imports?plugin=lines&source=Newsletter&channel=newsletter",
            &server.operator,
            file.as_bytes(),
        );
        assert_eq!(answer.status, 202, "{:?}", answer.body);
        answer.body["id"].as_u64().unwrap()
    };
    let good = start("mario.rossi@example.it\n");
    let good_before = finished(&server, good);
    assert_eq!(good_before["state"], "succeeded", "{good_before:?}");
    let bad = start("valentina.segreti@example\n");
    let bad_before = finished(&server, bad);
    assert_eq!(bad_before["state"], "failed", "{bad_before:?}");
    server.shutdown().unwrap();

    // What a server killed mid-import leaves: a job still running, its upload unlocked.
    let uploads = server.dir.path().join("uploads");
    std::fs::create_dir_all(&uploads).unwrap();
    let killed = uploads.join("upload-4242-00000000deadbeef.part");
    std::fs::write(&killed, "luca.bianchi@example.it\n").unwrap();
    let mut running: custode::service::jobs::JobStatus =
        serde_json::from_value(good_before.clone()).unwrap();
    running.state = custode::service::jobs::JobState::Running;
    (running.report, running.finished_at) = (None, None);
    let log =
        custode::service::job_log::JobLog::open(server.dir.path(), &uploads, |_| None).unwrap();
    let interrupted = log
        .start(Some(&killed), &custode::service::job_log::stored(&running))
        .unwrap();
    drop(log);

    let app = App::open(server.dir.path(), Config::default()).unwrap();
    let good_after = serde_json::to_value(app.jobs.status(good).unwrap()).unwrap();
    assert_eq!(good_after["state"], "succeeded");
    assert_eq!(good_after["report"]["created"], 1, "{good_after:?}");
    assert_eq!(
        good_after["report"]["batch"],
        good_before["report"]["batch"]
    );
    let bad_after = app.jobs.status(bad).unwrap();
    let error = bad_after.error.unwrap();
    assert_eq!(error.kind, "bad-row");
    assert!(error.message.contains("row 1"), "{}", error.message);
    assert!(!error.message.contains("segreti"), "{}", error.message);
    let gone = app.jobs.status(interrupted).unwrap();
    assert_eq!(gone.state, custode::service::jobs::JobState::Failed);
    let error = gone.error.unwrap();
    assert_eq!(error.kind, "interrupted");
    assert!(
        error.message.contains("nothing was imported"),
        "{}",
        error.message
    );
    assert_eq!(app.jobs.list().len(), 3);
    let bytes = std::fs::read(server.dir.path().join("import-jobs.db")).unwrap();
    let text = String::from_utf8_lossy(&bytes).to_lowercase();
    assert!(
        !text.contains("segreti"),
        "the job log keeps no value from a file"
    );
}
