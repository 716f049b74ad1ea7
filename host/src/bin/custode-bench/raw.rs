//! The storage ceiling for `import_vs_raw_sqlite`: the rows an import wrote, read back from its
//! database, inserted into a new database of the same schema with bare prepared statements in one
//! transaction, on a connection configured like the store's writer. Rows go 64 to a statement, as the
//! import's own writer sends them (`store/sqlite/records/buffer.rs`): one row per execution would
//! make the ceiling lower than what the import itself reaches.

use crate::measure::{cpu_seconds, peak_rss_kib, Measured};
use custode::domain::Policy;
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};
use std::path::Path;
use std::time::Instant;

/// Every table an import writes, with the columns it writes, in the order the rows are inserted
/// (parents first) and read back in the order the import created them: identities by contact, not
/// by key, because their random order is what makes them expensive.
const TABLES: &[(&str, &str, &str)] = &[
    ("import_batches", "id, started_at, finished_at, source_label, channel, file_digest, plugin_name, plugin_version, plugin_digest, operator, report", "id"),
    ("provenance", "id, batch_id, source_label, channel, operator, created_at", "id"),
    ("notices", "id, version, published_at, text_digest, summary", "id"),
    ("contacts", "id, created_at, updated_at, last_interaction, first_notice_at, suppressed_since, suppressed_purposes, seq", "id"),
    ("identities", "key, contact_id, provenance_id", "contact_id"),
    ("field_values", "contact_id, seq, provenance_id, collected_at, recorded_at, record_digest, fields", "contact_id, seq"),
    ("consent_events", "contact_id, purpose_id, channel, at, seq, action, provenance_id, notice_version, evidence, recorded_at", "contact_id, seq"),
    ("legal_bases", "contact_id, purpose_id, seq, basis, start, end, provenance_id, recorded_at", "contact_id, seq"),
    ("notice_receipts", "contact_id, notice_id, at, provenance_id", "contact_id, notice_id, at"),
];

/// As `store/sqlite/records/buffer.rs` inserts new contacts' rows (the widest table, import_batches,
/// has 11 columns: 704 parameters, well under SQLite's limit of 32 766).
const ROWS_PER_STATEMENT: usize = 64;

pub fn run(source: &Path, data_dir: &Path) -> anyhow::Result<Measured> {
    // The schema, the purposes and the key, made by the store itself; then a plain connection.
    drop(custode::store::open(data_dir, Policy::default())?);
    let src = Connection::open(source.join(custode::store::sqlite::DB_FILE))?;
    let mut tables = Vec::new();
    for (table, columns, order) in TABLES {
        let n = columns.split(',').count();
        let mut stmt = src.prepare(&format!("SELECT {columns} FROM {table} ORDER BY {order}"))?;
        let mut rows = stmt.query([])?;
        let mut values: Vec<Value> = Vec::new();
        while let Some(row) = rows.next()? {
            for i in 0..n {
                values.push(row.get::<_, Value>(i)?);
            }
        }
        tables.push((table, columns, n, values));
    }
    drop(src);

    let mut conn = Connection::open(data_dir.join(custode::store::sqlite::DB_FILE))?;
    // As the store's writer connection (store/sqlite/pool.rs).
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -163840;
         PRAGMA mmap_size = 0;",
    )?;
    let cpu = cpu_seconds();
    let started = Instant::now();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut contacts = 0;
    for (table, columns, n, values) in &tables {
        let row_marks = format!("({})", vec!["?"; *n].join(","));
        let insert = |rows: usize| {
            format!(
                "INSERT INTO {table} ({columns}) VALUES {}",
                vec![row_marks.as_str(); rows].join(",")
            )
        };
        let mut full = tx.prepare(&insert(ROWS_PER_STATEMENT))?;
        let mut chunks = values.chunks_exact(*n * ROWS_PER_STATEMENT);
        for rows in &mut chunks {
            full.execute(params_from_iter(rows.iter()))?;
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            tx.prepare(&insert(rest.len() / n))?
                .execute(params_from_iter(rest.iter()))?;
        }
        if **table == "contacts" {
            contacts = values.len() / n;
        }
    }
    tx.commit()?;
    let wall_s = started.elapsed().as_secs_f64();
    let cpu_s = cpu_seconds() - cpu;
    // `records` counts contacts here; the caller compares times for the same file's rows.
    Ok(Measured {
        records: contacts as u64,
        wall_s,
        cpu_s,
        peak_rss_kib: peak_rss_kib(),
        report: None,
    })
}
