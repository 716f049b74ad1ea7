//! A process killed mid-import leaves no partial import behind: `custode import` of a big generated
//! file is killed with SIGKILL while it writes, and the reopened database has no contact, no batch and
//! no audit entry of it.

#![cfg(target_os = "linux")] // reads the child's progress from /proc/<pid>/io

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::custode_binary;
use custode::domain::{Actor, Role, Settings, SourceChannel, Timestamp};
use custode::runtime::{Plugin, PluginSettings};
use custode::service::import::{FieldPolicy, ImportOptions, JobHandle, OnError};
use custode::service::Compliance;
use custode::store::AuditFilter;

const ROWS: usize = 200_000;

/// Bytes the process has read with read(2) and friends so far.
fn bytes_read(pid: u32) -> Option<u64> {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).ok()?;
    io.lines()
        .find_map(|l| l.strip_prefix("rchar: "))
        .and_then(|n| n.trim().parse().ok())
}

#[test]
fn a_kill_mid_import_leaves_no_contact_no_batch_and_no_audit_entry() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("newsletter.txt");
    let text: String = (0..ROWS)
        .map(|i| format!("person{i}@example.com\n"))
        .collect();
    std::fs::write(&file, &text).unwrap();
    let size = text.len() as u64;

    let mut child = Command::new(custode_binary())
        .args([
            "import",
            "--plugin",
            "lines",
            "--source",
            "Newsletter 2026",
            "--channel",
            "newsletter",
        ])
        .arg(&file)
        .env("CUSTODE_DATA_DIR", &data)
        .env_remove("CUSTODE_CONFIG")
        .env_remove("CUSTODE_SERVER")
        .env_remove("CUSTODE_TOKEN")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    // The file is read twice: whole for its digest, then in 1 MiB chunks by the parser, which runs a
    // few chunks ahead of the writer. Past the digest and three chunks, records are being written.
    let mid_import = size + (3 << 20);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended before it could be killed: make the file bigger"
        );
        if bytes_read(child.id()).is_some_and(|n| n >= mid_import) {
            break;
        }
        assert!(Instant::now() < deadline, "the import did not get going");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no rollback by the process itself
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed, not finished: {status}");

    let compliance = Compliance::open(&data, &Settings::default()).unwrap();
    assert!(compliance.audit_verify().unwrap().ok());
    let page = compliance.list_contacts(&Default::default(), None).unwrap();
    assert!(
        page.items.is_empty(),
        "{} contacts survived",
        page.items.len()
    );
    let audit = compliance.audit_list(&AuditFilter::default()).unwrap();
    assert!(
        audit.iter().all(|e| !e.action.starts_with("import")),
        "{audit:#?}"
    );

    // No batch row survived either: the next import is batch 1.
    let runtime = crate::support::runtime();
    let bytes = custode::bundled::get("lines").unwrap().bytes;
    let plugin = Plugin::load(&runtime, bytes, PluginSettings::default()).unwrap();
    let small = dir.path().join("one.txt");
    std::fs::write(&small, "mario.rossi@example.it\n").unwrap();
    let options = ImportOptions {
        source_label: "Newsletter 2026".into(),
        channel: SourceChannel::Newsletter,
        on_error: OnError::Abort,
        unknown_fields: FieldPolicy::Drop,
        actor: Actor::new("operator@test", Role::Operator),
        collected_at: Timestamp::now(),
    };
    let report = compliance
        .import_file(&plugin, &small, &options, &JobHandle::default())
        .unwrap();
    assert_eq!(report.batch, 1, "a batch of the killed import is left");
    assert_eq!(report.created, 1);
}
