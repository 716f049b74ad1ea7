//! The local CLI runs the installed plugins as the server does: with the admin's settings, refused
//! when disabled, and a component file only when given as one.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use crate::support::{custode_binary, repo_root};

fn custode(data: &Path, args: &[&str]) -> Output {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    Command::new(BIN.get_or_init(custode_binary))
        .env("CUSTODE_DATA_DIR", data)
        .env_remove("CUSTODE_SERVER")
        .env_remove("CUSTODE_TOKEN")
        .args(args)
        .output()
        .expect("custode runs")
}

fn ok(data: &Path, args: &[&str]) -> String {
    let out = custode(data, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn refused(data: &Path, args: &[&str]) -> String {
    let out = custode(data, args);
    assert!(!out.status.success(), "{args:?} should have been refused");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `custode import --plugin PLUGIN [EXTRA...] --source … --channel fair --json FILE`.
fn import_args<'a>(plugin: &'a str, extra: &[&'a str], file: &'a Path) -> Vec<&'a str> {
    let mut args = vec!["import", "--plugin", plugin];
    args.extend_from_slice(extra);
    args.extend([
        "--source",
        "Fiera Milano 2026",
        "--channel",
        "fair",
        "--json",
    ]);
    args.push(file.to_str().unwrap());
    args
}

fn import_json(data: &Path, plugin: &str, file: &Path) -> serde_json::Value {
    let text = ok(data, &import_args(plugin, &[], file));
    serde_json::from_str(&text).expect("the report is JSON")
}

#[test]
fn a_local_import_uses_the_installed_plugin_with_its_settings() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // `Posta` is no header the csv importer knows: only the admin's mapping makes it the email.
    let file = dir.path().join("fiera.csv");
    std::fs::write(&file, "Posta;Nome\nmario.rossi@example.it;Mario\n").unwrap();

    let before = custode(&data, &import_args("csv", &[], &file));
    let before = String::from_utf8_lossy(&before.stdout).into_owned()
        + &String::from_utf8_lossy(&before.stderr);
    assert!(
        !before.contains("\"created\": 1"),
        "without the mapping the row has no identity: {before}"
    );

    ok(
        &data,
        &["plugin", "configure", "csv", "--set", "columns=Posta=email"],
    );
    let report = import_json(&data, "csv", &file);
    assert_eq!(report["created"], 1, "{report}");
    assert!(
        report["plugin"].as_str().unwrap().starts_with("csv@"),
        "{report}"
    );

    // Settings belong to the installed plugin; the command line cannot change them behind the
    // admin's back, and says how to.
    let message = refused(&data, &import_args("csv", &["--set", "delimiter=,"], &file));
    assert!(
        message.contains("--set applies only to a plugin given as a component file")
            && message.contains("custode plugin configure csv"),
        "{message}"
    );

    ok(&data, &["plugin", "disable", "csv"]);
    let message = refused(&data, &import_args("csv", &[], &file));
    assert!(message.contains("plugin `csv` is disabled"), "{message}");
    // The next step as a command, not as an HTTP route.
    assert!(
        message.contains("(`custode plugin enable csv`)") && !message.contains("/api/v1"),
        "{message}"
    );
}

#[test]
fn a_component_file_runs_with_the_command_lines_settings_and_must_be_of_the_right_kind() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("fiera.csv");
    std::fs::write(&file, "Posta|Nome\nanna.neri@example.it|Anna\n").unwrap();
    let csv = repo_root().join("plugins/dist/csv.wasm");
    let text = ok(
        &data,
        &import_args(
            csv.to_str().unwrap(),
            &["--set", "columns=Posta=email", "--set", "delimiter=|"],
            &file,
        ),
    );
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["created"], 1, "{report}");

    let rule = repo_root().join("plugins/dist/legitimate-interest.wasm");
    let message = refused(&data, &import_args(rule.to_str().unwrap(), &[], &file));
    assert!(
        message.contains("is a retention-rule plugin, but an importer plugin is needed"),
        "{message}"
    );
}

#[test]
fn retention_and_export_use_the_installed_plugins_too() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("fiera.csv");
    std::fs::write(&file, "Email;Nome\nluca.verdi@example.it;Luca\n").unwrap();
    import_json(&data, "csv", &file);

    ok(&data, &["plugin", "disable", "legitimate-interest"]);
    let message = refused(
        &data,
        &[
            "retention",
            "run",
            "--rule",
            "legitimate-interest",
            "--dry-run",
        ],
    );
    assert!(
        message.contains("plugin `legitimate-interest` is disabled"),
        "{message}"
    );
    ok(&data, &["plugin", "enable", "legitimate-interest"]);
    let report = ok(
        &data,
        &[
            "retention",
            "run",
            "--rule",
            "legitimate-interest",
            "--dry-run",
            "--json",
        ],
    );
    assert!(report.contains("\"subjects\": 1"), "{report}");

    let document = ok(
        &data,
        &[
            "export",
            "--subject",
            "luca.verdi@example.it",
            "--plugin",
            "json",
        ],
    );
    assert!(document.contains("luca.verdi@example.it"), "{document}");
    ok(&data, &["plugin", "disable", "json"]);
    let message = refused(
        &data,
        &[
            "export",
            "--subject",
            "luca.verdi@example.it",
            "--plugin",
            "json",
        ],
    );
    assert!(message.contains("plugin `json` is disabled"), "{message}");
}

#[test]
fn the_policy_runs_and_explains_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("lista.csv");
    std::fs::write(&file, "Email;Nome\nanna.neri@example.it;Anna\n").unwrap();
    import_json(&data, "csv", &file);

    // No basis and no consent: today nothing yet; in three years every rule has had its time.
    let later = custode::domain::Timestamp::now()
        .add_days(3 * 365)
        .date_string();
    let text = ok(
        &data,
        &[
            "retention",
            "explain",
            "anna.neri@example.it",
            "--at",
            &later,
        ],
    );
    assert!(
        text.starts_with(&format!("contact 1 as of {later}: erase")),
        "{text}"
    );
    for rule in [
        "accounting@",
        "consent-withdrawn@",
        "legitimate-interest@",
        "no-basis@",
    ] {
        assert!(text.contains(rule), "{rule} in {text}");
    }
    let report = ok(
        &data,
        &["retention", "run", "--dry-run", "--at", &later, "--json"],
    );
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["rules"].as_array().unwrap().len(), 4, "{report}");
    assert_eq!(report["erased"], 1, "{report}");
    assert_eq!(report["dry_run"], true);

    let message = refused(&data, &["retention", "explain", "nobody@example.it"]);
    assert!(message.contains("nobody@example.it"), "{message}");
    let message = refused(
        &data,
        &["retention", "run", "--dry-run", "--set", "months=3"],
    );
    assert!(message.contains("--set needs --rule"), "{message}");
}
