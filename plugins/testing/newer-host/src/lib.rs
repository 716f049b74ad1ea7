//! Test plugin, never bundled: an importer built against an imagined newer plugin API,
//! `custode:plugin@0.1.1`, whose `host` interface has a function the 0.1.0 host does not: `now`.
//!
//! Everything Custode's 0.1.0 importer world needs is exported and works (one email per line);
//! the only thing wrong is that `push` calls `custode:plugin/host@0.1.1#now`. Its import passes a
//! check on interface names alone (`host`, version 0.1.x), so the host must look at the functions
//! inside it and refuse the component at install time, naming `now` and saying how to fix it
//! (rebuild against 0.1.0, or upgrade Custode), instead of failing to link it.
//!
//! Built with wit-bindgen directly from `wit/world.wit`, since its world is not one of Custode's.

wit_bindgen::generate!({
    path: ["../../../wit/since_v0.1.0", "wit"],
    world: "custode-test:newer-host/plugin",
    generate_all,
});

use custode::plugin0_1_0::types::{
    ContactRecord, Identity, ImportError, PluginInfo, PluginKind, SourceDetails,
};
use custode::plugin0_1_1::host as newer_host;
use exports::custode::plugin0_1_0::source::{ChunkResult, Guest, GuestSession, Session};
use std::cell::RefCell;

struct Plugin;

struct Lines(RefCell<Vec<u8>>);

impl exports::custode::plugin0_1_0::plugin::Guest for Plugin {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "newer-host".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            kind: PluginKind::Importer,
            summary: "Test plugin: calls host.now, which only an imagined custode:plugin@0.1.1 has"
                .into(),
            config_keys: vec![],
        }
    }
}

impl Guest for Plugin {
    type Session = Lines;
}

fn record(row: u64, email: &str, collected_at: i64) -> ContactRecord {
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
            collected_at: Some(collected_at),
        },
        last_interaction: None,
    }
}

impl GuestSession for Lines {
    fn open() -> Result<Session, ImportError> {
        Ok(Session::new(Lines(RefCell::new(Vec::new()))))
    }
    fn push(&self, chunk: Vec<u8>) -> Result<ChunkResult, ImportError> {
        self.0.borrow_mut().extend_from_slice(&chunk);
        Ok(ChunkResult {
            records: vec![],
            rejected: vec![],
        })
    }
    fn finish(&self) -> Result<ChunkResult, ImportError> {
        let now = newer_host::now();
        let text = String::from_utf8_lossy(&self.0.borrow()).into_owned();
        let records = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| record(i as u64 + 1, l.trim(), now))
            .collect();
        Ok(ChunkResult {
            records,
            rejected: vec![],
        })
    }
}

export!(Plugin);
