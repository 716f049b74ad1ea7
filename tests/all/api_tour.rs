//! The README's five-minute tour, run as written: every ```` ```sh tour ```` block of README.md, in
//! order, in one shell, with the real `custode` binary on PATH. Only the port differs (a free one
//! instead of 7878, which another server on this machine may use).

use std::process::Command;

use crate::support::{custode_binary, free_address, repo_root};

fn tour_script() -> String {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let mut script = String::new();
    let mut inside = false;
    for line in readme.lines() {
        if inside && line.trim_start() == "```" {
            inside = false;
        } else if inside {
            script += line;
            script += "\n";
        } else if line.trim() == "```sh tour" {
            inside = true;
        }
    }
    assert!(
        script.lines().count() > 20,
        "the README has no tour:\n{script}"
    );
    script
}

/// The position of `needle` in `text` after `from`, or a failure showing the transcript.
fn find(text: &str, from: usize, needle: &str) -> usize {
    match text[from..].find(needle) {
        Some(i) => from + i + needle.len(),
        None => panic!("`{needle}` not found after byte {from} of the tour's output:\n{text}"),
    }
}

#[test]
fn the_readme_tour_works_as_written() {
    let bin = custode_binary();
    let dir = tempfile::tempdir().unwrap();
    for file in ["examples/contacts.csv", "plugins/dist/lines.wasm"] {
        let to = dir.path().join(file);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(repo_root().join(file), to).unwrap();
    }
    let address = free_address();
    let script = tour_script().replace("127.0.0.1:7878", &address);
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("timeout")
        .args(["300", "bash", "-c", &script])
        .current_dir(dir.path())
        .env("PATH", path)
        .env("CUSTODE_DATA_DIR", dir.path().join("custode-data"))
        .env("CUSTODE_LISTEN", &address)
        .env_remove("CUSTODE_SERVER")
        .env_remove("CUSTODE_TOKEN")
        .output()
        .expect("bash runs");
    let out = String::from_utf8_lossy(&output.stdout).to_string();
    let transcript = format!(
        "{out}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "the tour failed:\n{transcript}");
    let mut at = find(&out, 0, "4 created");
    at = find(&out, at, "yes (basis: consent, Art. 6(1)(a))");
    at = find(
        &out,
        at,
        "no\nconsent for marketing by email was never given",
    );
    at = find(&out, at, "\"seq\":");
    at = find(
        &out,
        at,
        "no\nconsent for marketing by email was withdrawn on",
    );
    at = find(&out, at, "oscar");
    at = find(&out, at, "consent.append");
    at = find(&out, at, "audit log intact");
    at = find(&out, at, "[dry] legitimate-interest@0.1.0");
    at = find(&out, at, "run 1 [dry]");
    at = find(&out, at, "installed: lines");
    at = find(&out, at, "1 created, 1 merged");
    at = find(&out, at, "lines                  0.1.0");
    at = find(
        &out,
        at,
        "#1 access giulia.bianchi@example.it — open, identity unverified, due ",
    );
    at = find(&out, at, "identity verified");
    at = find(&out, at, "#1 access giulia.bianchi@example.it — fulfilled");
    at = find(&out, at, "— closed");
    at = find(&out, at, "document-delivered");
    find(&out, at, "no cases");
    assert!(transcript.contains("stopped"), "{transcript}");
}
