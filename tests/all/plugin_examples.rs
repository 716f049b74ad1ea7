//! The bundled JavaScript and Python examples (`plugins/js/lines-js`, `plugins/python/lines-py`,
//! `plugins/python/consent-withdrawn-py`), built from source by `sdk/build-examples.sh` (CI runs it
//! before the tests; their components are not committed), tried, checked, installed into a server
//! and used.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::plugin_templates::try_check_install;
use crate::support::repo_root;

/// The built example `file` in plugins/dist; `None` (skipped) when it was not built, unless
/// CUSTODE_TEST_PLUGIN_LANGS=1 requires it.
fn example(file: &str) -> Option<PathBuf> {
    let path = repo_root().join("plugins/dist").join(file);
    if path.is_file() {
        return Some(path);
    }
    let required = std::env::var("CUSTODE_TEST_PLUGIN_LANGS").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "CUSTODE_TEST_PLUGIN_LANGS=1 but {} is missing: build it with sdk/build-examples.sh",
        path.display()
    );
    eprintln!(
        "skipped: {} is not built (sdk/build-examples.sh builds it)",
        path.display()
    );
    None
}

#[test]
fn the_javascript_example_importer_imports_in_a_server() {
    if let Some(wasm) = example("lines-js.wasm") {
        lines_importer_imports_in_a_server(&wasm, "lines-js");
    }
}

#[test]
fn the_python_example_importer_imports_in_a_server() {
    if let Some(wasm) = example("lines-py.wasm") {
        lines_importer_imports_in_a_server(&wasm, "lines-py");
    }
}

/// `lines-js` and `lines-py` (ports of the Rust `lines`): tried, checked, installed over the API and
/// used for an import with a line the host cannot read as an address.
fn lines_importer_imports_in_a_server(wasm: &Path, name: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("lines.txt");
    std::fs::write(
        &input,
        "anna@example.com\nZoë <zoe@example.com>\n\nluca@example.com\n",
    )
    .unwrap();
    let server = try_check_install(
        tmp.path(),
        wasm,
        &["--input", input.to_str().unwrap()],
        "luca@example.com",
    );
    let c = server.client();
    let job = c.import(
        &server.operator,
        &format!("plugin={name}&source=Newsletter&channel=newsletter&on_error=skip"),
        &std::fs::read(&input).unwrap(),
    );
    assert_eq!(job["state"], "succeeded", "{job}");
    // A line the example cannot read is a row error with its reason; the others are imported.
    assert_eq!(job["report"]["created"], 2, "{job}");
    assert_eq!(job["report"]["rejected"], 1, "{job}");
    assert_eq!(job["report"]["rejected_rows"][0]["row"], 2, "{job}");
    for address in ["anna@example.com", "luca@example.com"] {
        let query = format!("/api/v1/contacts?identity={}", address.replace('@', "%40"));
        let found = c.get(&query, &server.operator);
        assert_eq!(found.status, 200, "{:?}", found.body);
        assert!(found.body.to_string().contains(address), "{:?}", found.body);
    }
}

#[test]
fn the_python_example_rule_decides_in_a_server() {
    let Some(wasm) = example("consent-withdrawn-py.wasm") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let subjects = repo_root().join("host/assets/samples/subjects.json");
    let server = try_check_install(
        tmp.path(),
        &wasm,
        &[
            "--subjects",
            subjects.to_str().unwrap(),
            "--at",
            "2030-01-01",
        ],
        "every consent was withdrawn",
    );
    let c = server.client();
    // A contact entered by hand with neither a basis nor a consent: the rule asks for a person.
    let created = c.post(
        "/api/v1/contacts",
        &server.dpo,
        &json!({
            "identities": [{"email": "bruno@example.com"}],
            "fields": [{"name": "last_name", "value": "Bruno"}],
            "source_label": "business card",
            "channel": "business-card",
            "collected_at": "2026-01-10",
        }),
    );
    assert_eq!(created.status, 201, "{:?}", created.body);
    let run = c.post(
        "/api/v1/retention/runs",
        &server.dpo,
        &json!({"rule": "consent-withdrawn-py", "dry_run": true, "at": "2030-01-01"}),
    );
    assert_eq!(run.status, 200, "{:?}", run.body);
    assert!(
        run.body
            .to_string()
            .contains("no consent and no legal basis in force are recorded"),
        "{:?}",
        run.body
    );
}
