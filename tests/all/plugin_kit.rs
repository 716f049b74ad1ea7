//! The plugin author's kit: `custode plugin check` (the conformance kit) passes every bundled plugin
//! and names what a broken one gets wrong; `custode plugin try` prints what a plugin produces and
//! writes nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use custode::bundled;
use custode::runtime::conformance::{self, Outcome, Samples};
use custode::runtime::{Plugin, PluginKind, PluginSettings};

use crate::support::{custode_binary, plugin_bytes, repo_root};

fn load(bytes: &[u8]) -> Plugin {
    Plugin::load(&crate::support::runtime(), bytes, PluginSettings::default()).unwrap()
}

/// An importer's own format, when the built-in CSV sample is not it.
fn sample_for(name: &str) -> Option<Vec<u8>> {
    let fixture = match name {
        "vcard" => "messy-cards.vcf",
        "web-form" => "messy-web-form.jsonl",
        "newsletter-optouts" => "messy-mailchimp.csv",
        "lines" => {
            return Some("anna@example.com\r\n\nZoë <zoe@example.com>\nluca@example.com".into())
        }
        _ => return None,
    };
    Some(std::fs::read(repo_root().join("tests/fixtures").join(fixture)).unwrap())
}

#[test]
fn every_bundled_plugin_passes_the_conformance_kit() {
    for bundled in bundled::BUNDLED {
        let plugin = load(bundled.bytes);
        let samples = Samples {
            input: sample_for(bundled.file),
            ..Samples::default()
        };
        let checks = conformance::check(&plugin, &samples).unwrap();
        let failed: Vec<_> = checks.iter().filter(|c| !c.passed()).collect();
        assert!(failed.is_empty(), "{}: {failed:#?}", bundled.file);
        let expected = match plugin.kind() {
            PluginKind::Importer => 4,
            PluginKind::RetentionRule | PluginKind::Exporter => 5,
        };
        assert_eq!(checks.len(), expected, "{}: {checks:#?}", bundled.file);
    }
}

#[test]
fn an_importer_that_loses_the_record_split_across_chunks_fails_with_where_and_what_to_fix() {
    let plugin = load(&plugin_bytes("chunk-blind"));
    let sample = "anna@example.com\nzoë@example.com\n";
    let samples = Samples {
        input: Some(sample.into()),
        ..Samples::default()
    };
    let checks = conformance::check(&plugin, &samples).unwrap();
    let boundaries = checks
        .iter()
        .find(|c| c.name == "the same records whatever the chunk boundaries")
        .unwrap();
    let Outcome::Failed(problem) = &boundaries.outcome else {
        panic!("the chunk-blind importer passed: {checks:#?}");
    };
    assert!(
        problem.starts_with("split at byte 1 (inside a line), the output differs"),
        "{problem}"
    );
    assert!(
        problem.contains(r#"record 1 is {"row":2,"identities":[{"Email":"nna@example.com"}]"#),
        "{problem}"
    );
    assert!(
        problem.contains("keep the unfinished end of each chunk"),
        "{problem}"
    );
    // What it does right is not blamed on it.
    let passed: Vec<&str> = checks
        .iter()
        .filter(|c| c.passed())
        .map(|c| c.name)
        .collect();
    assert_eq!(
        passed,
        [
            "describe() gives the same answer every time",
            "describe() is usable",
            "finish after no input"
        ]
    );
}

fn custode(data: &Path, args: &[&str]) -> Output {
    Command::new(custode_binary())
        .env("CUSTODE_DATA_DIR", data)
        .env_remove("CUSTODE_SERVER")
        .env_remove("CUSTODE_CONFIG")
        .args(args)
        .output()
        .expect("custode runs")
}

fn sample(name: &str) -> String {
    repo_root()
        .join("host/assets/samples")
        .join(name)
        .display()
        .to_string()
}

fn dist(name: &str) -> String {
    let dist: PathBuf = repo_root().join("plugins/dist");
    [
        dist.join(format!("{name}.wasm")),
        dist.join(format!("testing/{name}.wasm")),
    ]
    .into_iter()
    .find(|p| p.exists())
    .unwrap()
    .display()
    .to_string()
}

#[test]
fn plugin_try_prints_records_decisions_and_documents_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("never-created");
    let stdout = |args: &[&str]| {
        let out = custode(&data, args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };

    let csv = dist("csv");
    let text = stdout(&["plugin", "try", &csv, "--input", &sample("sample.csv")]);
    assert!(
        text.contains(r#""first_name""#) || text.contains("Forlì"),
        "{text}"
    );
    assert!(text.contains("REFUSED (invalid-email)"), "{text}");
    assert!(text.contains(": 2 records, 1 rows refused"), "{text}");
    let lines = stdout(&[
        "plugin",
        "try",
        &csv,
        "--input",
        &sample("sample.csv"),
        "--json",
    ]);
    let last: serde_json::Value = serde_json::from_str(lines.lines().last().unwrap()).unwrap();
    assert_eq!(last["summary"]["records"], 2, "{lines}");

    let rule = stdout(&[
        "plugin",
        "try",
        "legitimate-interest",
        "--subjects",
        &sample("subjects.json"),
        "--at",
        "2026-06-01",
    ]);
    assert!(rule.contains("2 subjects"), "{rule}");
    let json = stdout(&[
        "plugin",
        "try",
        "json",
        "--package",
        &sample("package.json"),
    ]);
    assert!(json.contains("application/json"), "{json}");
    assert!(json.contains("anna@example.com"), "{json}");

    // The wrong input for the kind is named, with the right one.
    let out = custode(
        &data,
        &[
            "plugin",
            "try",
            &csv,
            "--subjects",
            &sample("subjects.json"),
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("give its input with --input"), "{err}");
    assert!(!data.exists(), "a try-out must not create a data directory");
}

#[test]
fn plugin_check_exits_1_on_a_broken_plugin_and_0_on_a_good_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("never-created");
    let out = custode(&data, &["plugin", "check", &dist("chunk-blind")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("FAIL  the same records whatever the chunk boundaries"),
        "{text}"
    );
    let out = custode(&data, &["plugin", "check", "csv"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("4 of 4 checks passed"), "{text}");
    assert!(!data.exists());
}
