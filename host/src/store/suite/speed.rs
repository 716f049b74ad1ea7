//! How fast records go through `ImportStore` on each backend (run by hand, in release mode):
//! `CUSTODE_TEST_POSTGRES=… cargo test --release -p custode --lib store::suite::speed -- --ignored --nocapture`
//! (`CUSTODE_SPEED_CONTACTS` sets how many; 100 000 by default). The project's benchmark program
//! measures the whole import; this isolates the store.

use std::time::Instant;

use super::*;
use crate::store::ContactStore;

/// About 4% of the records repeat an earlier person with changed values (merges) and 1% repeat a
/// recent record exactly, as in the benchmark's files.
fn records(n: u64) -> Vec<NormalizedRecord> {
    let mut out: Vec<NormalizedRecord> = Vec::with_capacity(n as usize);
    let mut people = 0u64;
    for i in 0..n {
        let r = if i % 25 == 7 && people > 0 {
            let p = (i * 7919) % people;
            let mut r = record(i, &format!("p{p}@example.it"), "Rossi");
            r.fields.push(field("city", "Torino"));
            r
        } else if i % 100 == 11 && people > 0 {
            let mut r = out[(i - 5) as usize].clone();
            r.row = i;
            r
        } else {
            let p = people;
            people += 1;
            let mut r = record(i, &format!("p{p}@example.it"), "Rossi");
            r.identities
                .push(phone(&format!("+39 333 {:07}", p % 10_000_000)));
            r.fields.push(field("city", "Milano"));
            r.consents.push(ConsentClaim {
                purpose: "profiling".into(),
                ..r.consents[0].clone()
            });
            r
        };
        out.push(r);
    }
    out
}

fn measure<S: ImportStore + ContactStore>(name: &str, store: &S, records: &[NormalizedRecord]) {
    let start = Instant::now();
    let committed = store
        .import(&dpo(), &batch("speed"), &mut |w| {
            for chunk in records.chunks(1024) {
                for r in w.write_batch(chunk)? {
                    r?;
                }
            }
            Ok(serde_json::json!({}))
        })
        .unwrap();
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(
        committed.counts.created + committed.counts.merged + committed.counts.unchanged,
        records.len() as u64
    );
    eprintln!(
        "{name}: {} records in {secs:.2} s = {:.0} records/s ({:?})",
        records.len(),
        records.len() as f64 / secs,
        committed.counts
    );
}

#[test]
#[ignore = "a measurement: run by hand in release mode"]
fn import_speed() {
    let n = std::env::var("CUSTODE_SPEED_CONTACTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let records = records(n);
    let opened = super::sqlite(Policy::default());
    measure("sqlite", &opened.store, &records);
    drop(opened);
    if let Some(opened) = super::postgres(Policy::default()) {
        measure("postgres", &opened.store, &records);
        // Flatness: as many again into the database that now holds the first ones.
        let more: Vec<_> = records
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r.identities = r
                    .identities
                    .iter()
                    .filter_map(|i| match i {
                        Identity::Email(e) => Some(email(&format!("x{}", e.as_str()))),
                        _ => None,
                    })
                    .collect();
                r
            })
            .collect();
        measure("postgres, second batch", &opened.store, &more);
    }
}
