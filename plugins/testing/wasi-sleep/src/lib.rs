//! Test plugin, never bundled: an importer that waits through WASI, as a `wasm32-wasip2` build of
//! an honest plugin calling `std::thread::sleep` (or a hostile one waiting forever) does.
//!
//! Each input line is a command or an email address. An email becomes a record (row = line
//! number). A command runs when its line is read and gives one record, email
//! `wasi-sleep@example.com`, whose field `wasi_<command>` says what happened:
//!
//! | line | what the plugin does | field value when the host keeps it sandboxed |
//! |---|---|---|
//! | `sleep <s>` | `subscribe-duration(s seconds)` then `block` (what `std::thread::sleep` does) | `woke after <n> ns of the plugin's clock` |
//! | `wait-forever` | `subscribe-instant(u64::MAX)` then `poll` | `woke` |
//! | `spin` | `poll` on `subscribe-instant(u64::MAX)` and `subscribe-duration(1 s)` in an endless loop | never returns: stopped at its deadline |
//! | `stdin` | `blocking-read` of stdin, then `block` on its pollable | `closed` |
//! | `network` | TCP and UDP sockets, a name lookup (waiting on its pollable) | `tcp: …; udp: …; lookup: …` (each refused) |
//! | `random` | 8 bytes of `random`, 8 of `insecure`, the `insecure-seed` | hex; the same in every run when seeded |
//! | `clocks` | wall-clock and monotonic-clock `now` | `wall <s>.<ns>, monotonic <ns>` |
//!
//! Lines starting with `#` are ignored (tests pad inputs with them to fill the host's 1 MiB
//! chunks). Before Custode froze WASI time, `wait-forever` never returned and `sleep 30` slept 30
//! seconds past a 5 s deadline, holding the import (and the database writer) all the while.
//!
//! Its WASI WIT files come from wasmtime-wasi 48.0.8 (WASI 0.2.12), in `wit/deps/`.

wit_bindgen::generate!({
    path: ["../../../wit/since_v0.1.0", "wit"],
    world: "custode-test:wasi-sleep/plugin",
    generate_all,
});

use custode::plugin::types::{
    ContactRecord, FieldValue, Identity, ImportError, PluginInfo, PluginKind, SourceDetails,
};
use exports::custode::plugin::source::{ChunkResult, Guest, GuestSession, Session};
use std::cell::RefCell;
use wasi::clocks::{monotonic_clock, wall_clock};
use wasi::io::poll;
use wasi::sockets::network::IpAddressFamily;
use wasi::sockets::{instance_network, ip_name_lookup, tcp_create_socket, udp_create_socket};

struct Plugin;

/// The unfinished last line of the input so far, and the number of lines read.
struct Reader(RefCell<(Vec<u8>, u64)>);

impl exports::custode::plugin::plugin::Guest for Plugin {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "wasi-sleep".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            kind: PluginKind::Importer,
            summary: "Test plugin: sleeps and waits through WASI clocks and poll".into(),
            config_keys: vec![],
        }
    }
}

impl Guest for Plugin {
    type Session = Reader;
}

fn record(row: u64, email: &str, fields: Vec<(String, String)>) -> ContactRecord {
    ContactRecord {
        row,
        identities: vec![Identity::Email(email.into())],
        fields: fields
            .into_iter()
            .map(|(name, value)| FieldValue { name, value })
            .collect(),
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sleep(seconds: u64) -> String {
    let before = monotonic_clock::now();
    monotonic_clock::subscribe_duration(seconds.saturating_mul(1_000_000_000)).block();
    let after = monotonic_clock::now();
    format!(
        "woke after {} ns of the plugin's clock",
        after.saturating_sub(before)
    )
}

fn wait_forever() -> String {
    let never = monotonic_clock::subscribe_instant(u64::MAX);
    poll::poll(&[&never]);
    "woke".into()
}

fn spin() -> String {
    let mut turns: u64 = 0;
    loop {
        let never = monotonic_clock::subscribe_instant(u64::MAX);
        let second = monotonic_clock::subscribe_duration(1_000_000_000);
        poll::poll(&[&never, &second]);
        turns = std::hint::black_box(turns.wrapping_add(1));
    }
}

fn stdin() -> String {
    let input = wasi::cli::stdin::get_stdin();
    input.subscribe().block();
    match input.blocking_read(1) {
        Ok(bytes) => format!("read {} bytes", bytes.len()),
        Err(wasi::io::streams::StreamError::Closed) => "closed".into(),
        Err(e) => format!("failed: {e:?}"),
    }
}

fn network() -> String {
    let tcp = match tcp_create_socket::create_tcp_socket(IpAddressFamily::Ipv4) {
        Ok(_) => "created".to_string(),
        Err(e) => format!("refused ({e:?})"),
    };
    let udp = match udp_create_socket::create_udp_socket(IpAddressFamily::Ipv4) {
        Ok(_) => "created".to_string(),
        Err(e) => format!("refused ({e:?})"),
    };
    let network = instance_network::instance_network();
    let lookup = match ip_name_lookup::resolve_addresses(&network, "example.com") {
        Ok(stream) => {
            stream.subscribe().block();
            match stream.resolve_next_address() {
                Ok(Some(address)) => format!("resolved ({address:?})"),
                Ok(None) => "no address".to_string(),
                Err(e) => format!("refused ({e:?})"),
            }
        }
        Err(e) => format!("refused ({e:?})"),
    };
    format!("tcp: {tcp}; udp: {udp}; lookup: {lookup}")
}

fn random() -> String {
    let (a, b) = wasi::random::insecure_seed::insecure_seed();
    format!(
        "random {}, insecure {}, seed {a:x}:{b:x}",
        hex(&wasi::random::random::get_random_bytes(8)),
        hex(&wasi::random::insecure::get_insecure_random_bytes(8)),
    )
}

fn clocks() -> String {
    let wall = wall_clock::now();
    format!(
        "wall {}.{:09}, monotonic {}",
        wall.seconds,
        wall.nanoseconds,
        monotonic_clock::now()
    )
}

/// Runs the command on `line`, if it is one: (field name, what happened).
fn command(line: &str) -> Option<(String, String)> {
    let mut words = line.split_whitespace();
    let name = words.next()?;
    let outcome = match name {
        "sleep" => sleep(words.next().and_then(|s| s.parse().ok()).unwrap_or(1)),
        "wait-forever" => wait_forever(),
        "spin" => spin(),
        "stdin" => stdin(),
        "network" => network(),
        "random" => random(),
        "clocks" => clocks(),
        _ => return None,
    };
    Some((format!("wasi_{}", name.replace('-', "_")), outcome))
}

impl Reader {
    fn lines(&self, chunk: &[u8], last: bool) -> ChunkResult {
        let mut state = self.0.borrow_mut();
        state.0.extend_from_slice(chunk);
        let mut complete = std::mem::take(&mut state.0);
        if !last {
            let keep = complete
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            state.0 = complete.split_off(keep);
        }
        let mut records = Vec::new();
        for line in String::from_utf8_lossy(&complete).lines() {
            state.1 += 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match command(line) {
                Some(field) => records.push(record(state.1, "wasi-sleep@example.com", vec![field])),
                None => records.push(record(state.1, line, vec![])),
            }
        }
        ChunkResult {
            records,
            rejected: vec![],
        }
    }
}

impl GuestSession for Reader {
    fn open() -> Result<Session, ImportError> {
        Ok(Session::new(Reader(RefCell::new((Vec::new(), 0)))))
    }
    fn push(&self, chunk: Vec<u8>) -> Result<ChunkResult, ImportError> {
        Ok(self.lines(&chunk, false))
    }
    fn finish(&self) -> Result<ChunkResult, ImportError> {
        Ok(self.lines(&[], true))
    }
}

export!(Plugin);
