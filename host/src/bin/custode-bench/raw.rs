//! The storage ceiling for `import_vs_raw_sqlite`: the rows an import wrote, read back from its
//! database, inserted into a new database of the same schema with bare prepared statements in one
//! transaction, on a connection configured like the store's writer. Rows go 64 to a statement, as the
//! import's own writer sends them (`store/sqlite/records/buffer.rs`): one row per execution would
//! make the ceiling lower than what the import itself reaches.
//!
//! On PostgreSQL (`import_vs_raw_postgres`, [`run_postgres`]): the same rows, read from the schema the
//! import wrote, go into a new schema of the store's own making (indexes and reference checks
//! included) by binary `COPY` in one transaction, `ROWS_PER_COPY` rows to a statement: PostgreSQL's
//! fastest way in, with nothing to look up or merge.

use crate::measure::{cpu_seconds, peak_rss_kib, Measured};
use custode::domain::Policy;
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};
use std::io::{Read, Write};
use std::path::Path;
use std::time::Instant;

/// Every table an import writes, with the columns it writes, in the order the rows are inserted
/// (parents first) and read back in the order the import created them: identities by contact, not
/// by key, because their random order is what makes them expensive.
const TABLES: &[(&str, &str, &str)] = &[
    ("import_batches", "id, started_at, finished_at, source_label, channel, file_digest, plugin_name, plugin_version, plugin_digest, operator, report", "id"),
    ("provenance", "id, batch_id, source_label, channel, operator, created_at", "id"),
    ("notices", "id, version, published_at, text_digest, summary", "id"),
    ("contacts", "id, created_at, updated_at, last_interaction, last_collected_at, first_notice_at, suppressed_since, suppressed_purposes, seq", "id"),
    ("identities", "key, contact_id, provenance_id", "contact_id"),
    ("field_values", "contact_id, seq, provenance_id, collected_at, recorded_at, record_digest, fields", "contact_id, seq"),
    ("consent_events", "contact_id, purpose_id, channel, at, seq, action, provenance_id, notice_version, evidence, source_row, recorded_at", "contact_id, seq"),
    ("legal_bases", "contact_id, purpose_id, seq, basis, start, \"end\", provenance_id, recorded_at", "contact_id, seq"),
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
    Ok(measured(contacts, started, cpu))
}

/// What a ceiling run measured since `started` (and `cpu` seconds of CPU): `records` counts
/// contacts here; the caller compares times for the same file's rows.
fn measured(contacts: usize, started: Instant, cpu: f64) -> Measured {
    Measured {
        records: contacts as u64,
        wall_s: started.elapsed().as_secs_f64(),
        cpu_s: cpu_seconds() - cpu,
        peak_rss_kib: peak_rss_kib(),
        report: None,
    }
}

/// Rows per `COPY` statement on PostgreSQL: about what one flush of the import's writer sends per
/// table (`store/postgres/records/buffer.rs`: 4,096 new contacts).
const ROWS_PER_COPY: usize = 4096;

/// Binary `COPY` data: the 19-byte header (signature, flags, no extension), the rows, and the
/// trailer.
const COPY_HEADER: usize = 19;
const COPY_TRAILER: [u8; 2] = [0xff, 0xff];

/// Where each row of binary `COPY` data starts, and where the last one ends.
fn copy_rows(data: &[u8]) -> anyhow::Result<Vec<usize>> {
    anyhow::ensure!(
        data.len() >= COPY_HEADER + 2 && data.starts_with(b"PGCOPY\n\xff\r\n\0"),
        "not binary COPY data"
    );
    let be16 = |at: usize| i16::from_be_bytes([data[at], data[at + 1]]);
    let be32 = |at: usize| i32::from_be_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]);
    let mut starts = Vec::new();
    let mut at = COPY_HEADER;
    loop {
        anyhow::ensure!(at + 2 <= data.len(), "binary COPY data ends inside a row");
        let fields = be16(at);
        if fields == -1 {
            starts.push(at);
            return Ok(starts);
        }
        starts.push(at);
        at += 2;
        for _ in 0..fields {
            anyhow::ensure!(at + 4 <= data.len(), "binary COPY data ends inside a row");
            let len = be32(at);
            at += 4 + usize::try_from(len).unwrap_or(0);
        }
    }
}

/// The PostgreSQL ceiling: `source` is the import's schema (a connection string whose search path
/// names it), `target` a new installation the store creates first (schema, purposes, key).
pub fn run_postgres(
    source: &str,
    target: &crate::import::Installation,
) -> anyhow::Result<Measured> {
    drop(target.open()?);
    let target_url = target.url.as_deref().ok_or_else(|| {
        anyhow::anyhow!("the ceiling on PostgreSQL needs a PostgreSQL installation")
    })?;
    let mut src = postgres::Client::connect(source, postgres::NoTls)?;
    let mut tables = Vec::new();
    for (table, columns, order) in TABLES {
        let mut data = Vec::new();
        src.copy_out(&format!(
            "COPY (SELECT {columns} FROM {table} ORDER BY {order}) TO STDOUT (FORMAT binary)"
        ))?
        .read_to_end(&mut data)?;
        let rows = copy_rows(&data)?;
        tables.push((table, columns, data, rows));
    }
    drop(src);

    let mut conn = postgres::Client::connect(target_url, postgres::NoTls)?;
    let cpu = cpu_seconds();
    let started = Instant::now();
    let mut tx = conn.transaction()?;
    let mut contacts = 0;
    for (table, columns, data, rows) in &tables {
        // `rows` ends with the trailer's offset: each window of ROWS_PER_COPY + 1 starts is a chunk.
        let mut first = 0;
        while first + 1 < rows.len() {
            let last = (first + ROWS_PER_COPY).min(rows.len() - 1);
            let mut w = tx.copy_in(&format!(
                "COPY {table} ({columns}) FROM STDIN (FORMAT binary)"
            ))?;
            w.write_all(&data[..COPY_HEADER])?;
            w.write_all(&data[rows[first]..rows[last]])?;
            w.write_all(&COPY_TRAILER)?;
            w.finish()?;
            first = last;
        }
        if **table == "contacts" {
            contacts = rows.len() - 1;
        }
    }
    tx.commit()?;
    Ok(measured(contacts, started, cpu))
}

#[cfg(test)]
mod tests {
    use super::{copy_rows, COPY_HEADER};

    #[test]
    fn binary_copy_data_is_cut_at_row_boundaries() {
        let mut data = b"PGCOPY\n\xff\r\n\0".to_vec();
        data.extend([0, 0, 0, 0, 0, 0, 0, 0]);
        // Two rows: (8-byte integer, NULL) and (text "ab", 8-byte integer).
        data.extend([
            0, 2, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 7, 0xff, 0xff, 0xff, 0xff,
        ]);
        data.extend([
            0, 2, 0, 0, 0, 2, b'a', b'b', 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 9,
        ]);
        data.extend([0xff, 0xff]);
        assert_eq!(
            copy_rows(&data).unwrap(),
            [COPY_HEADER, 37, 57],
            "two rows, then the trailer"
        );
        assert!(copy_rows(&data[..50]).is_err(), "cut inside a row");
        assert!(copy_rows(b"not copy data at all").is_err());
    }
}
