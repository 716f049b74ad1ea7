//! `custode requests …` on a data directory: open, list due soon and overdue, extend too late,
//! fulfil for a person Custode does not know, close, show the history.

use std::process::Command;

use crate::support::custode_binary;
use custode::domain::Timestamp;

#[test]
fn the_cli_opens_lists_and_shows_cases() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(custode_binary())
            .env("CUSTODE_DATA_DIR", dir.path().join("data"))
            .env_remove("CUSTODE_SERVER")
            .env_remove("CUSTODE_TOKEN")
            .args(args)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "{args:?}: {}\n{text}",
            String::from_utf8_lossy(&out.stderr)
        );
        text
    };
    // An installation (a token creates it).
    run(&["token", "create", "--role", "dpo", "--name", "dora"]);
    let old = Timestamp::now().add_days(-40).date_string();
    let opened = run(&[
        "requests",
        "open",
        "--kind",
        "erasure",
        "--subject",
        "ghost@example.org",
        "--channel",
        "letter",
        "--received",
        &old,
    ]);
    assert!(
        opened.contains("#1 erasure ghost@example.org — open"),
        "{opened}"
    );
    run(&[
        "requests",
        "open",
        "--kind",
        "access",
        "--subject",
        "ghost@example.org",
        "--channel",
        "email",
    ]);
    let overdue = run(&["requests", "list", "--overdue"]);
    assert!(
        overdue.contains("#1") && overdue.contains("OVERDUE") && !overdue.contains("#2"),
        "{overdue}"
    );
    assert_eq!(
        run(&["requests", "list", "--due-within", "7d"]).trim(),
        "no cases"
    );
    let refused = Command::new(custode_binary())
        .env("CUSTODE_DATA_DIR", dir.path().join("data"))
        .args([
            "requests", "extend", "1", "--months", "1", "--reason", "late",
        ])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let error = String::from_utf8_lossy(&refused.stderr);
    assert!(error.contains("first month ended"), "{error}");
    run(&["requests", "fulfil", "1", "--note", "answered by letter"]);
    run(&["requests", "close", "1"]);
    let shown = run(&["requests", "show", "1"]);
    assert!(
        shown.contains("Custode holds no data about this identity"),
        "{shown}"
    );
    assert!(
        shown.contains("opened") && shown.contains("fulfilled") && shown.contains("closed"),
        "{shown}"
    );
}
