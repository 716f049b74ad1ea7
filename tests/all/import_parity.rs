//! The same messy file imported with the CLI (`custode import`, local) and over HTTP
//! (`POST /api/v1/imports`) gives the same report and the same contacts.

use crate::support::server::TestServer;
use crate::support::{custode_binary, repo_root};
use custode::domain::Settings;
use custode::service::Compliance;
use serde_json::Value;
use std::process::Command;

/// The report without what differs between any two runs: the batch number and the timing.
fn comparable(mut report: Value) -> Value {
    let object = report.as_object_mut().expect("a report object");
    // The file digest is keyed with each installation's own secret: the same file gives different
    // digests in the two installations compared here.
    for key in ["batch", "duration_ms", "records_per_second", "file_digest"] {
        assert!(object.remove(key).is_some(), "the report has no `{key}`");
    }
    report
}

/// A contact as compared: id, identity keys, fields (name, value, current or history).
type Compared = (i64, Vec<String>, Vec<(String, String, bool)>);

/// Every contact: its identities and its fields, by id.
fn contacts(compliance: &Compliance) -> Vec<Compared> {
    let page = compliance
        .list_contacts(&Default::default(), None)
        .expect("listing contacts");
    let mut all: Vec<_> = page
        .items
        .iter()
        .map(|line| {
            let details = compliance.contact(line.id).expect("a listed contact");
            let mut identities: Vec<String> = details
                .identities
                .iter()
                .map(|i| i.identity.key())
                .collect();
            identities.sort();
            let fields = details
                .fields
                .iter()
                .map(|f| (f.name.clone(), f.value.clone(), f.current))
                .collect();
            (details.id.0, identities, fields)
        })
        .collect();
    all.sort();
    all
}

#[test]
fn the_cli_and_the_api_import_a_messy_file_the_same_way() {
    let file = repo_root().join("tests/fixtures/excel-it.csv");

    // Over HTTP, with `on_error=skip`: the file has one bad row.
    let server = TestServer::start();
    let job = server.client().import(
        &server.operator,
        "plugin=csv&source=Fiera%20Milano%202026&channel=fair&on_error=skip",
        &std::fs::read(&file).unwrap(),
    );
    assert_eq!(job["state"], "succeeded", "{job}");
    let http = comparable(job["report"].clone());

    // The CLI, on a data directory of its own.
    let data = tempfile::tempdir().unwrap();
    let output = Command::new(custode_binary())
        .args([
            "import",
            "--plugin",
            "csv",
            "--source",
            "Fiera Milano 2026",
            "--channel",
            "fair",
            "--on-error",
            "skip",
            "--json",
        ])
        .arg(&file)
        .env("CUSTODE_DATA_DIR", data.path())
        .env_remove("CUSTODE_CONFIG")
        .env_remove("CUSTODE_SERVER")
        .env_remove("CUSTODE_TOKEN")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "custode import failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let cli: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "custode import --json printed no JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    let cli = comparable(cli);

    assert_eq!(cli, http, "the two reports differ");
    assert_eq!(http["rejected"], 1, "{http}");
    assert_eq!(http["created"], 3, "{http}");

    let local = Compliance::open(data.path(), &Settings::default()).unwrap();
    let by_cli = contacts(&local);
    assert_eq!(by_cli.len(), 3);
    assert_eq!(by_cli, contacts(&server.app.compliance));
}
