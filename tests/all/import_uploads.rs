//! Uploaded import files hold personal data: none outlives its request or job. An upload past
//! `server.max_import_bytes` is refused with 413 and removed; uploads a killed server left behind are
//! removed when the installation opens again.

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
