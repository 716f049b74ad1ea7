//! Imports, retention runs, erasure and access packages through the real plugins and store.

use crate::support::repo_root;
use custode::bundled;
use custode::domain::{Actor, Role, Settings, SourceChannel, Timestamp};
use custode::runtime::{Plugin, PluginSettings, Runtime};
use custode::service::import::{FieldPolicy, ImportOptions, JobHandle, OnError};
use custode::service::retention::RetentionOptions;
use custode::service::{Compliance, Subject};
use std::sync::Arc;

struct Installation {
    _dir: tempfile::TempDir,
    compliance: Compliance,
    runtime: Arc<Runtime>,
}

fn installation() -> Installation {
    let dir = tempfile::tempdir().unwrap();
    let compliance = Compliance::open(dir.path(), &Settings::default()).unwrap();
    Installation {
        _dir: dir,
        compliance,
        runtime: crate::support::runtime(),
    }
}

fn dpo() -> Actor {
    Actor::new("dpo@test", Role::Dpo)
}

fn plugin(runtime: &Arc<Runtime>, name: &str) -> Plugin {
    Plugin::load(
        runtime,
        bundled::get(name).unwrap().bytes,
        PluginSettings::default(),
    )
    .unwrap()
}

fn import_examples(i: &Installation) -> custode::service::import::ImportReport {
    let options = ImportOptions {
        source_label: "Fiera Milano 2026".into(),
        channel: SourceChannel::Fair,
        on_error: OnError::Abort,
        unknown_fields: FieldPolicy::Drop,
        actor: dpo(),
        collected_at: Timestamp::parse("at", "2026-03-14").unwrap(),
    };
    i.compliance
        .import_file(
            &plugin(&i.runtime, "csv"),
            &repo_root().join("examples/contacts.csv"),
            &options,
            &JobHandle::default(),
        )
        .unwrap()
}

fn email(i: &Installation, text: &str) -> Subject {
    Subject::Identity(i.compliance.parse_identity(text).unwrap())
}

#[test]
fn a_retention_run_erases_silent_contacts_without_a_basis_and_suppresses_their_return() {
    let i = installation();
    assert_eq!(import_examples(&i).created, 4);
    let rule = plugin(&i.runtime, "legitimate-interest");
    let in_2029 = Timestamp::parse("at", "2029-01-01").unwrap();

    // A dry run decides and changes nothing.
    let dry = i
        .compliance
        .run_retention(&rule, &RetentionOptions::requested(dpo(), in_2029, true))
        .unwrap();
    assert_eq!(dry.subjects, 4);
    assert_eq!(dry.erased, 1, "only Giulia has no basis: {dry:#?}");
    let giulia = email(&i, "giulia.bianchi@example.it");
    assert!(
        i.compliance.resolve_contact(&giulia).is_ok(),
        "the dry run erased nobody"
    );

    // The real run erases her, with the rule's reason in the audit log.
    let run = i
        .compliance
        .run_retention(&rule, &RetentionOptions::requested(dpo(), in_2029, false))
        .unwrap();
    assert_eq!((run.erased, run.kept), (1, 3));
    assert_eq!(run.decisions[0].outcome, "applied");
    let err = i
        .compliance
        .resolve_contact(&giulia)
        .unwrap_err()
        .to_string();
    assert!(err.contains("does not exist"), "{err}");
    let audit = i.compliance.audit_list(&Default::default()).unwrap();
    assert!(
        audit.iter().any(|e| e.action == "retention.run"),
        "the run is audited"
    );
    assert!(
        !serde_json::to_string(&audit).unwrap().contains("giulia"),
        "no personal data in the audit log"
    );

    // Her email is suppressed: importing the same people again does not bring her back: her email is on the suppression list.
    let again = import_examples(&i);
    assert_eq!(again.suppressed, 1, "{again:#?}");
    assert!(i.compliance.resolve_contact(&giulia).is_err());
}

#[test]
fn an_access_package_holds_data_provenance_and_consent_evidence_and_is_audited() {
    let i = installation();
    import_examples(&i);
    let exporter = plugin(&i.runtime, "json");
    let mario = email(&i, "mario.rossi@example.it");
    let document = i
        .compliance
        .access_package(&exporter, &mario, Timestamp::now(), &dpo())
        .unwrap();
    assert_eq!(document.media_type, "application/json");
    let json: serde_json::Value = serde_json::from_slice(&document.bytes).unwrap();
    let text = json.to_string();
    for expected in [
        "mario.rossi@example.it",
        "Rossi Forniture",
        "Fiera Milano 2026",
        "csv@0.1.0",
        "2026-01",
    ] {
        assert!(
            text.contains(expected),
            "the package names {expected}: {text}"
        );
    }
    let audit = i.compliance.audit_list(&Default::default()).unwrap();
    let entry = audit
        .iter()
        .find(|e| e.action == "request.access")
        .expect("audited");
    assert!(entry.details["document_sha256"]
        .as_str()
        .is_some_and(|d| d.len() == 64));
    assert!(
        !entry.details.to_string().contains("mario"),
        "the audit entry keeps a digest, not the data"
    );
}

#[test]
fn an_unknown_subject_is_a_clear_not_found() {
    let i = installation();
    let exporter = plugin(&i.runtime, "json");
    let err = i
        .compliance
        .access_package(
            &exporter,
            &email(&i, "nobody@example.com"),
            Timestamp::now(),
            &dpo(),
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("nobody@example.com") && err.contains("does not exist"),
        "{err}"
    );
}
