//! Scenarios on the database the main import wrote, before anything changes it: rows and bytes per
//! contact, and `can_process` for random contacts.

use crate::import::Installation;
use crate::measure::percentile;
use crate::report::{Report, Target};
use crate::{data, pg};
use custode::domain::{ContactId, Timestamp};
use custode::service::{Compliance, Subject};
use std::path::Path;
use std::time::Instant;

/// The tables an import writes.
const TABLES: [&str; 7] = [
    "contacts",
    "identities",
    "field_values",
    "consent_events",
    "legal_bases",
    "notice_receipts",
    "provenance",
];

pub fn run(report: &mut Report, installation: &Installation) -> anyhow::Result<()> {
    match &installation.url {
        Some(url) => storage_postgres(report, url)?,
        None => storage(report, &installation.dir)?,
    }
    can_process(report, installation)
}

/// As [`storage`], on PostgreSQL: bytes of the tables with their indexes and TOAST.
fn storage_postgres(report: &mut Report, url: &str) -> anyhow::Result<()> {
    let pg::Storage {
        rows,
        per_table,
        bytes,
    } = pg::storage(url, &TABLES)?;
    let per_table: Vec<String> = per_table
        .iter()
        .map(|(t, n)| format!("{t} {n:.2}"))
        .collect();
    report.note(format!(
        "storage per contact: {rows:.2} rows ({}), {bytes:.0} bytes in PostgreSQL (tables, indexes and TOAST)",
        per_table.join(", ")
    ));
    Ok(())
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
    for table in TABLES {
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
fn can_process(report: &mut Report, installation: &Installation) -> anyhow::Result<()> {
    eprintln!("can_process on the imported database");
    let contacts: i64 = match &installation.url {
        Some(url) => pg::max_contact_id(url)?,
        None => rusqlite::Connection::open(installation.dir.join(custode::store::sqlite::DB_FILE))?
            .query_row("SELECT max(id) FROM contacts", [], |r| r.get(0))?,
    };
    let service = Compliance::new(installation.open()?);
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
        // PostgreSQL's target is its own: every call is a round trip to the server.
        Target::AtMost(if installation.url.is_some() { 1000.0 } else { 20.0 }),
    );
    report.note(format!("can_process p50 {p50:.1} µs, p99.9 {p999:.1} µs"));
    Ok(())
}
