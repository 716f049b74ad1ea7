//! An installation made by the first release of the schema opens with this binary and keeps working.
//!
//! `tests/fixtures/v1-installation/` is a data directory written by the `custode` binary of commit
//! 24462a2 (schema version 1 only), with the commands in its `README.md`. It is a real database,
//! not one rebuilt from today's `v1.sql`: if that file were edited after the release, or a later
//! migration mishandled rows version 1 wrote, this test would see it.

use crate::support::{plugin_bytes, repo_root};
use custode::domain::{Actor, Role, Settings, SourceChannel, Timestamp};
use custode::runtime::{Plugin, PluginSettings};
use custode::service::import::{FieldPolicy, ImportOptions, JobHandle, OnError};
use custode::service::{Compliance, Subject};
use std::path::Path;

fn copy_installation(to: &Path) {
    let from = repo_root().join("tests/fixtures/v1-installation");
    for file in ["custode.db", "secret.key"] {
        std::fs::copy(from.join(file), to.join(file)).unwrap();
    }
    // Git does not keep file modes; the store refuses a key file others can read.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            to.join("secret.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
    }
}

fn subject(compliance: &Compliance, text: &str) -> Subject {
    compliance.parse_subject(text).unwrap()
}

#[test]
fn an_installation_written_by_schema_version_1_opens_and_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    copy_installation(dir.path());
    let compliance = Compliance::open(dir.path(), &Settings::default()).unwrap();

    // Its audit chain, written by version 1, still verifies: the migration rewrote no entry.
    let verification = compliance.audit_verify().unwrap();
    assert!(verification.ok(), "{verification:?}");
    let entries_before = verification.entries;
    assert!(
        entries_before >= 2,
        "the fixture holds its imports' audit entries"
    );

    // What version 1 recorded still decides: Mario consented at the fair, Giulia did not.
    let at = Some(Timestamp::parse("at", "2026-06-01").unwrap());
    let mario = subject(&compliance, "mario.rossi@example.it");
    let yes = compliance
        .can_process(&mario, "marketing", "email", at)
        .unwrap();
    assert!(yes.allowed, "{}", yes.reason);
    let giulia = subject(&compliance, "giulia.bianchi@example.it");
    let no = compliance
        .can_process(&giulia, "marketing", "email", at)
        .unwrap();
    assert!(!no.allowed, "{}", no.reason);

    // Values and where they came from survived.
    let id = compliance.resolve_contact(&mario).unwrap();
    let details = compliance.contact(id).unwrap();
    assert_eq!(details.current("first_name"), Some("Mario"));
    let json = serde_json::to_string(&details).unwrap();
    assert!(json.contains("Fiera Milano 2026"), "{json}");

    // New writes land on the old contacts and chain onto the old audit log.
    let file = dir.path().join("update.csv");
    std::fs::write(
        &file,
        "Email;Nome;Cognome;Città\nmario.rossi@example.it;Mario;Rossi;Milano\n",
    )
    .unwrap();
    let runtime = crate::support::runtime();
    let csv = Plugin::load(&runtime, &plugin_bytes("csv"), PluginSettings::default()).unwrap();
    let options = ImportOptions {
        source_label: "Ordini 2026".into(),
        channel: SourceChannel::Erp,
        on_error: OnError::Abort,
        unknown_fields: FieldPolicy::Drop,
        actor: Actor::new("migration-test", Role::Operator),
        collected_at: Timestamp::parse("at", "2026-07-01").unwrap(),
    };
    let report = compliance
        .import_file(&csv, &file, &options, &JobHandle::default())
        .unwrap();
    assert_eq!((report.created, report.merged), (0, 1), "{report:?}");
    assert_eq!(
        compliance.contact(id).unwrap().current("city"),
        Some("Milano")
    );

    let erased = compliance
        .erase(&Actor::new("dpo", Role::Dpo), id, "Art. 17 request")
        .unwrap();
    assert!(erased.identities_suppressed >= 1, "{erased:?}");
    let after = compliance
        .can_process(&mario, "marketing", "email", at)
        .unwrap();
    assert!(!after.allowed, "{}", after.reason);

    let verification = compliance.audit_verify().unwrap();
    assert!(verification.ok(), "{verification:?}");
    assert!(
        verification.entries >= entries_before + 2,
        "{verification:?}"
    );
}
