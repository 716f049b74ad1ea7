//! Measures the compliance store on generated data: bulk import rate (empty and already-full database),
//! rows written per contact, and `can_process` latency at random contacts. The benchmark program
//! (`custode-bench`) will take these scenarios over; this is the store's own yardstick.
//!
//! `cargo run --release -p custode --example store_bench -- --contacts 1000000`

use std::time::{Duration, Instant};

use custode::domain::*;
use custode::store::*;

struct Args {
    contacts: u64,
    /// With an existing database: import this many new contacts into it first.
    add: u64,
    queries: usize,
    dir: Option<std::path::PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        add: 0,
        contacts: 100_000,
        queries: 200_000,
        dir: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().expect("a value after the flag");
        match arg.as_str() {
            "--contacts" => a.contacts = value().parse().expect("a number of contacts"),
            "--add" => a.add = value().parse().expect("a number of contacts"),
            "--queries" => a.queries = value().parse().expect("a number of queries"),
            "--dir" => a.dir = Some(value().into()),
            other => panic!("unknown argument {other}: use --contacts N --queries Q --dir PATH"),
        }
    }
    a
}

/// A fair-import record: email and mobile, four fields, a marketing consent with the notice seen, a
/// profiling withdrawal for one in ten, a last interaction. Every 20th record repeats an earlier
/// person's email with another city (a merge).
fn record(i: u64, salt: u64) -> NormalizedRecord {
    let person = if i % 20 == 19 { i / 2 } else { i };
    let mut consents = vec![ConsentClaim {
        purpose: "marketing".into(),
        channel: ConsentChannel::Email,
        action: ConsentAction::Granted,
        at: Some(Timestamp(1_735_689_600 + (person % 365) as i64 * 86_400)),
        evidence: None,
        notice_version: Some("2025-01".into()),
    }];
    if person % 10 == 0 {
        consents.push(ConsentClaim {
            purpose: "profiling".into(),
            channel: ConsentChannel::Any,
            action: ConsentAction::Withdrawn,
            at: Some(Timestamp(1_740_000_000)),
            evidence: None,
            notice_version: None,
        });
    }
    NormalizedRecord {
        row: i + 1,
        identities: vec![
            Identity::Email(
                Email::parse(&format!("user{person}.{salt}@example{}.it", person % 997)).unwrap(),
            ),
            Identity::Phone(
                Phone::parse(
                    &format!("+39 33{:08}", person + salt * 10_000_000),
                    PhoneCountry::default(),
                )
                .unwrap(),
            ),
        ],
        fields: vec![
            FieldValue {
                name: "first_name".into(),
                value: format!("Nome{}", person % 5000),
            },
            FieldValue {
                name: "last_name".into(),
                value: format!("Cognome{}", person % 20000),
            },
            FieldValue {
                name: "company".into(),
                value: format!("Azienda {} S.r.l.", person % 3000),
            },
            FieldValue {
                name: "city".into(),
                value: if person == i {
                    "Milano".into()
                } else {
                    "Torino".into()
                },
            },
        ],
        consents,
        last_interaction: Some(Timestamp(1_735_689_600 + (person % 700) as i64 * 86_400)),
        ..NormalizedRecord::default()
    }
}

fn meta(file: &str) -> BatchMeta {
    BatchMeta {
        source_label: "Fiera Milano 2026".into(),
        channel: SourceChannel::Fair,
        file_digest: Some(format!("{:0>64}", file)),
        plugin: None,
        started_at: Timestamp(1_767_225_600),
        collected_at: Timestamp(1_767_225_600),
    }
}

/// CPU time of this thread in nanoseconds: the machine is shared, so wall time alone overstates costs.
fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Imports `n` generated records in one batch; returns the rate over the time spent inside the store
/// (record generation excluded) and the counts.
fn import(store: &SqliteStore, n: u64, salt: u64, file: &str) -> (f64, ImportCounts) {
    let actor = Actor::new("bench", Role::Operator);
    let mut in_store = Duration::ZERO;
    let mut cpu_generating = 0u64;
    let cpu_start = cpu_ns();
    let started = Instant::now();
    let mut generating = Duration::ZERO;
    let committed = store
        .import(&actor, &meta(file), &mut |w| {
            let mut chunk = Vec::with_capacity(10_000);
            let mut i = 0;
            while i < n {
                let g = Instant::now();
                let c = cpu_ns();
                chunk.clear();
                chunk.extend((i..(i + 10_000).min(n)).map(|j| record(j, salt)));
                generating += g.elapsed();
                cpu_generating += cpu_ns() - c;
                let t = Instant::now();
                for part in chunk.chunks(1_000) {
                    for outcome in w.write_batch(part)? {
                        outcome?;
                    }
                }
                in_store += t.elapsed();
                i += chunk.len() as u64;
            }
            Ok(serde_json::json!({}))
        })
        .unwrap();
    let total = started.elapsed() - generating;
    let cpu = (cpu_ns() - cpu_start - cpu_generating) as f64 / 1e9;
    println!(
        "  {n} records: {:.2} s wall ({:.2} s in write calls), {:.2} s CPU -> {:.0}/s by CPU time",
        total.as_secs_f64(),
        in_store.as_secs_f64(),
        cpu,
        n as f64 / cpu
    );
    (n as f64 / total.as_secs_f64(), committed.counts)
}

fn main() {
    let a = args();
    let tmp = tempfile::tempdir().unwrap();
    let dir = a.dir.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    // An existing database in --dir is reused as it is: only the queries run.
    let reuse = dir.join("custode.db").exists();
    let store = SqliteStore::open(&dir, Policy::default()).unwrap();
    let actor = Actor::new("bench", Role::Dpo);
    if !reuse {
        write_phases(&store, &actor, &a);
    } else if a.add > 0 {
        let (rate, counts) = import(&store, a.add, 9, "c");
        println!(
            "import of {} into the existing database: {rate:.0} contacts/s {counts:?}",
            a.add
        );
    }
    query_phase(&store, &a);
}

fn write_phases(store: &SqliteStore, actor: &Actor, a: &Args) {
    // 1% of the people are on the suppression list before the import.
    for p in (0..a.contacts).step_by(100) {
        let e = Identity::Email(Email::parse(&format!("user{p}.0@example{}.it", p % 997)).unwrap());
        store
            .suppress(actor, &e, "bench", &SuppressionScope::All, Timestamp(0))
            .unwrap();
    }

    let (rate_empty, counts) = import(store, a.contacts, 0, "a");
    println!(
        "import into an empty database: {:>9.0} contacts/s  {counts:?}",
        rate_empty
    );
    let tenth = (a.contacts / 10).max(1);
    let (rate_full, _) = import(store, tenth, 1, "b");
    println!(
        "import of N/10 into the full one: {:>7.0} contacts/s  (flatness {:.2})",
        rate_full,
        rate_full / rate_empty
    );
    let (rate_again, again) = import(store, tenth, 1, "b");
    println!(
        "re-import of the same file:     {:>9.0} records/s  unchanged={}",
        rate_again, again.unchanged
    );

    let conn = rusqlite::Connection::open(store.db_path()).unwrap();
    let contacts: i64 = conn
        .query_row("SELECT count(*) FROM contacts", [], |r| r.get(0))
        .unwrap();
    let mut rows = 0i64;
    for t in [
        "contacts",
        "identities",
        "field_values",
        "consent_events",
        "legal_bases",
        "notice_receipts",
        "provenance",
    ] {
        let n: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
            .unwrap();
        rows += n;
        println!(
            "  {t:<16} {n:>9} rows ({:.2} per contact)",
            n as f64 / contacts as f64
        );
    }
    let _: i64 = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
        .unwrap();
    let bytes = std::fs::metadata(store.db_path()).unwrap().len();
    println!(
        "  {rows} rows for {contacts} contacts ({:.2} per contact), {:.0} bytes per contact",
        rows as f64 / contacts as f64,
        bytes as f64 / contacts as f64
    );
}

fn query_phase(store: &SqliteStore, a: &Args) {
    let conn = rusqlite::Connection::open(store.db_path()).unwrap();
    let contacts: i64 = conn
        .query_row("SELECT count(*) FROM contacts", [], |r| r.get(0))
        .unwrap();
    let policy = Policy::default();
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut times = Vec::with_capacity(a.queries);
    let cpu_start = cpu_ns();
    let at = Timestamp(1_767_225_600);
    for q in 0..a.queries + 10_000 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let id = ContactId(1 + (rng % contacts as u64) as i64);
        let (purpose, channel) = if rng.is_multiple_of(3) {
            ("profiling", ConsentChannel::Phone)
        } else {
            ("marketing", ConsentChannel::Email)
        };
        let t = Instant::now();
        let facts = store.processing_facts(id, purpose, channel, at).unwrap();
        let d = can_process(
            &policy,
            &ProcessingQuery {
                purpose,
                channel: channel.as_str(),
                at,
            },
            &facts,
        );
        let spent = t.elapsed();
        std::hint::black_box(d);
        if q >= 10_000 {
            times.push(spent);
        }
    }
    let cpu_each = (cpu_ns() - cpu_start) as f64 / (a.queries + 10_000) as f64 / 1e3;
    println!("can_process CPU time: {cpu_each:.2} µs per call on average");
    times.sort_unstable();
    let pct = |p: f64| {
        times[((times.len() as f64 * p) as usize).min(times.len() - 1)].as_secs_f64() * 1e6
    };
    println!(
        "can_process at {contacts} contacts: p50 {:.1} µs, p99 {:.1} µs, p99.9 {:.1} µs",
        pct(0.5),
        pct(0.99),
        pct(0.999)
    );

    let texts: Vec<String> = (0..100_000).map(|i| format!("+39 333 {:07}", i)).collect();
    let t = Instant::now();
    for s in &texts {
        std::hint::black_box(Phone::parse(s, PhoneCountry::default()).ok());
    }
    println!(
        "Phone::parse: {:.2} µs each",
        t.elapsed().as_secs_f64() * 1e6 / texts.len() as f64
    );
    let texts: Vec<String> = (0..100_000)
        .map(|i| format!("Mario.Rossi{i}@Example.it"))
        .collect();
    let t = Instant::now();
    for s in &texts {
        std::hint::black_box(Email::parse(s).ok());
    }
    println!(
        "Email::parse: {:.2} µs each",
        t.elapsed().as_secs_f64() * 1e6 / texts.len() as f64
    );
}
