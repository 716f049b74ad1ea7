//! Test plugin, never bundled: an importer that uses WASI like a `wasm32-wasip2` build does.
//!
//! During `push` it writes `hello from wasi stdout` to WASI stdout, reads the environment, the
//! arguments and the preopened directories, and returns one record (email
//! `wasi-stdout@example.com`, row 1) whose fields report what it found, so a host test can assert
//! that the sandbox gave it nothing:
//!
//! | field | in an empty WASI context |
//! |---|---|
//! | `wasi_stdout` | `written` (or the stream error) |
//! | `wasi_environment` | `0 variables` (else the count and the names) |
//! | `wasi_arguments` | `0 arguments` |
//! | `wasi_preopens` | `0 directories` (else the count and the guest paths) |
//!
//! The host should capture the stdout line into the plugin's log.
//!
//! A chunk that reads `flood <n>` instead makes `push` write `n` numbered lines of 100 bytes to
//! WASI stdout (and one line to stderr), the way a chatty `println!` plugin does, and return one
//! record (email `flood@example.com`) whose field `wasi_flood` is `<n> lines written`, or the
//! first write error. The host must take all of it without failing the call, keep what fits in
//! the plugin's log and count the rest.
//!
//! Its WASI WIT files come from wasmtime-wasi 48.0.8 (WASI 0.2.12), in `wit/deps/`.

wit_bindgen::generate!({
    path: ["../../../wit/since_v0.1.0", "wit"],
    world: "custode-test:wasi-stdout/plugin",
    generate_all,
});

use custode::plugin::types::{
    ContactRecord, FieldValue, Identity, ImportError, PluginInfo, PluginKind, SourceDetails,
};
use exports::custode::plugin::source::{ChunkResult, Guest, GuestSession, Session};
use std::cell::Cell;
use wasi::cli::{environment, stderr, stdout};
use wasi::filesystem::preopens;

struct Plugin;

struct Probe(Cell<bool>);

impl exports::custode::plugin::plugin::Guest for Plugin {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "wasi-stdout".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            kind: PluginKind::Importer,
            summary: "Test plugin: writes to WASI stdout and reports the environment and preopens it sees".into(),
            config_keys: vec![],
        }
    }
}

impl Guest for Plugin {
    type Session = Probe;
}

fn counted(n: usize, what: &str, names: Vec<String>) -> String {
    if names.is_empty() {
        format!("{n} {what}")
    } else {
        format!("{n} {what}: {}", names.join(", "))
    }
}

fn probe() -> ContactRecord {
    let written = match stdout::get_stdout().blocking_write_and_flush(b"hello from wasi stdout\n") {
        Ok(()) => "written".to_string(),
        Err(e) => format!("failed: {e:?}"),
    };
    let env = environment::get_environment();
    let args = environment::get_arguments();
    let dirs = preopens::get_directories();
    let field = |name: &str, value: String| FieldValue {
        name: name.into(),
        value,
    };
    ContactRecord {
        row: 1,
        identities: vec![Identity::Email("wasi-stdout@example.com".into())],
        fields: vec![
            field("wasi_stdout", written),
            field(
                "wasi_environment",
                counted(
                    env.len(),
                    "variables",
                    env.iter().map(|(k, _)| k.clone()).collect(),
                ),
            ),
            field(
                "wasi_arguments",
                counted(args.len(), "arguments", args.clone()),
            ),
            field(
                "wasi_preopens",
                counted(
                    dirs.len(),
                    "directories",
                    dirs.iter().map(|(_, p)| p.clone()).collect(),
                ),
            ),
        ],
        consents: vec![],
        legal_bases: vec![],
        notices: vec![],
        source: SourceDetails {
            label: None,
            channel: None,
            collected_at: None,
        },
        last_interaction: None,
    }
}

/// Writes `lines` numbered lines of 100 bytes each to stdout, and one line to stderr.
fn flood(lines: u64) -> ContactRecord {
    let out = stdout::get_stdout();
    let mut written = format!("{lines} lines written");
    for i in 1..=lines {
        let line = format!("{:<99}\n", format!("flood line {i} of {lines}"));
        if let Err(e) = out.blocking_write_and_flush(line.as_bytes()) {
            written = format!("line {i} failed: {e:?}");
            break;
        }
    }
    if let Err(e) = stderr::get_stderr().blocking_write_and_flush(b"flood done\n") {
        written = format!("stderr failed: {e:?}");
    }
    ContactRecord {
        row: 1,
        identities: vec![Identity::Email("flood@example.com".into())],
        fields: vec![FieldValue {
            name: "wasi_flood".into(),
            value: written,
        }],
        consents: vec![],
        legal_bases: vec![],
        notices: vec![],
        source: SourceDetails {
            label: None,
            channel: None,
            collected_at: None,
        },
        last_interaction: None,
    }
}

impl GuestSession for Probe {
    fn open() -> Result<Session, ImportError> {
        Ok(Session::new(Probe(Cell::new(false))))
    }
    fn push(&self, chunk: Vec<u8>) -> Result<ChunkResult, ImportError> {
        let text = String::from_utf8_lossy(&chunk);
        if let Some(n) = text
            .trim()
            .strip_prefix("flood ")
            .and_then(|n| n.parse().ok())
        {
            return Ok(ChunkResult {
                records: vec![flood(n)],
                rejected: vec![],
            });
        }
        let records = if self.0.replace(true) {
            vec![]
        } else {
            vec![probe()]
        };
        Ok(ChunkResult {
            records,
            rejected: vec![],
        })
    }
    fn finish(&self) -> Result<ChunkResult, ImportError> {
        let records = if self.0.replace(true) {
            vec![]
        } else {
            vec![probe()]
        };
        Ok(ChunkResult {
            records,
            rejected: vec![],
        })
    }
}

export!(Plugin);
