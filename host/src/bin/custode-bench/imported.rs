//! Scenarios on the database the main import wrote, before anything changes it: rows and bytes per
//! contact, and `can_process` for random contacts.

use crate::data;
use crate::measure::percentile;
use crate::report::{Report, Target};
use custode::domain::{ContactId, Policy, Timestamp};
use custode::service::{Compliance, Subject};
use custode::store::ComplianceStore;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

pub fn run(report: &mut Report, data_dir: &Path) -> anyhow::Result<()> {
    storage(report, data_dir)?;
    can_process(report, data_dir)
}

/// What the imported database holds per contact: rows of each table an import writes, and bytes
/// on disk (after a checkpoint, so the WAL is in the file).
fn storage(report: &mut Report, data_dir: &Path) -> anyhow::Result<()> {
    let conn = rusqlite::Connection::open(data_dir.join(custode::store::sqlite::DB_FILE))?;
    let count = |table: &str| -> rusqlite::Result<i64> {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
    };
    let contacts = count("contacts")?.max(1) as f64;
    let mut rows = 0;
    let mut per_table = Vec::new();
    for table in [
        "contacts",
        "identities",
        "field_values",
        "consent_events",
        "legal_bases",
        "notice_receipts",
        "provenance",
    ] {
        let n = count(table)?;
        rows += n;
        per_table.push(format!("{table} {:.2}", n as f64 / contacts));
    }
    let _: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
    let bytes = std::fs::metadata(data_dir.join(custode::store::sqlite::DB_FILE))?.len();
    report.note(format!(
        "storage per contact: {:.2} rows ({}), {:.0} bytes on disk",
        rows as f64 / contacts,
        per_table.join(", "),
        bytes as f64 / contacts
    ));
    Ok(())
}

/// `can_process` for random contacts of the imported database, in process, through the service.
fn can_process(report: &mut Report, data_dir: &Path) -> anyhow::Result<()> {
    eprintln!("can_process on the imported database");
    let store = Arc::new(custode::store::open(data_dir, Policy::default())?);
    let contacts: i64 = rusqlite::Connection::open(store.db_path())?.query_row(
        "SELECT max(id) FROM contacts",
        [],
        |r| r.get(0),
    )?;
    let service = Compliance::new(store as Arc<dyn ComplianceStore>);
    let mut rng = data::Rng::new(7);
    let at = Some(Timestamp(1_767_225_600));
    let mut samples = Vec::with_capacity(100_000);
    for i in 0..110_000 {
        let id = ContactId(1 + rng.below(contacts as u64) as i64);
        let t = Instant::now();
        let decision = service.can_process(&Subject::Contact(id), "marketing", "email", at)?;
        let took = t.elapsed();
        std::hint::black_box(decision);
        if i >= 10_000 {
            samples.push(took.as_secs_f64() * 1e6);
        }
    }
    let p50 = percentile(&mut samples, 50.0);
    let p999 = percentile(&mut samples, 99.9);
    report.add(
        "can_process_p99_us",
        "`can_process(contact, marketing, email, now)` in process, random contacts of the imported database (p99 of 100,000)",
        percentile(&mut samples, 99.0),
        "µs",
        Target::AtMost(20.0),
    );
    report.note(format!("can_process p50 {p50:.1} µs, p99.9 {p999:.1} µs"));
    Ok(())
}
