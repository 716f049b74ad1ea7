//! Rows waiting to be inserted, written many rows per statement: one multi-row INSERT costs one
//! statement execution for up to `CHUNK` rows instead of one per row, which is most of the cost of a
//! small insert. Rows wait only until the sink needs to read what they contain (a record that matches a
//! contact with waiting rows), until `FLUSH_AT` contacts are waiting, or until the import commits.

use rusqlite::{params_from_iter, Connection, ToSql};

use crate::store::error::DbContext;
use crate::store::Result;

/// Rows per INSERT statement. Eleven columns at most per row: far below SQLite's parameter limit.
const CHUNK: usize = 64;
/// Waiting new contacts that trigger a flush: bounds memory and keeps rows warm in the page cache.
pub(super) const FLUSH_AT: usize = 512;

pub(super) use crate::store::common::pending::{
    BasisRow, ContactRow, EventRow, IdentityRow, ReceiptRow, ValuesRow,
};

#[derive(Default)]
pub(super) struct Buffers {
    pub contacts: Vec<ContactRow>,
    pub identities: Vec<IdentityRow>,
    pub values: Vec<ValuesRow>,
    pub events: Vec<EventRow>,
    pub bases: Vec<BasisRow>,
    pub receipts: Vec<ReceiptRow>,
    /// New contacts holding an identity suppressed for some purposes, and its keyed hash: the
    /// identity's periods are copied to the contact once its row exists (rare: one statement each).
    pub suppressed: Vec<(i64, [u8; 32])>,
}

impl Buffers {
    pub fn is_empty(&self) -> bool {
        self.contacts.is_empty()
            && self.identities.is_empty()
            && self.values.is_empty()
            && self.events.is_empty()
            && self.bases.is_empty()
            && self.receipts.is_empty()
            && self.suppressed.is_empty()
    }

    /// Inserts everything, parents first (foreign keys are checked row by row).
    pub fn flush(&mut self, conn: &Connection) -> Result<()> {
        insert(conn, "contacts (id, created_at, updated_at, last_interaction, last_collected_at, first_notice_at, suppressed_since, suppressed_purposes, seq)", 9, &self.contacts, |r, p| {
            p.extend([&r.id as &dyn ToSql, &r.created_at, &r.created_at, &r.last_interaction, &r.last_collected_at, &r.first_notice_at, &r.suppressed_since, &r.suppressed_purposes, &r.seq]);
        })?;
        insert(
            conn,
            "identities (key, contact_id, provenance_id)",
            3,
            &self.identities,
            |r, p| {
                p.extend([&r.key as &dyn ToSql, &r.contact, &r.provenance]);
            },
        )?;
        insert(conn, "field_values (contact_id, seq, provenance_id, collected_at, recorded_at, record_digest, fields)", 7, &self.values, |r, p| {
            p.extend([&r.contact as &dyn ToSql, &r.seq, &r.provenance, &r.collected_at, &r.recorded_at, &r.digest, &r.fields]);
        })?;
        insert(conn, "consent_events (contact_id, purpose_id, channel, at, seq, action, provenance_id, notice_version, evidence, source_row, recorded_at)", 11, &self.events, |r, p| {
            p.extend([&r.contact as &dyn ToSql, &r.purpose, &r.channel, &r.at, &r.seq, &r.action, &r.provenance, &r.notice_version, &r.evidence, &r.source_row, &r.recorded_at]);
        })?;
        insert(conn, "legal_bases (contact_id, purpose_id, seq, basis, start, end, provenance_id, recorded_at)", 8, &self.bases, |r, p| {
            p.extend([&r.contact as &dyn ToSql, &r.purpose, &r.seq, &r.basis, &r.start, &r.end, &r.provenance, &r.recorded_at]);
        })?;
        insert(
            conn,
            "OR IGNORE INTO notice_receipts (contact_id, notice_id, at, provenance_id)",
            4,
            &self.receipts,
            |r, p| {
                p.extend([&r.contact as &dyn ToSql, &r.notice, &r.at, &r.provenance]);
            },
        )?;
        for (contact, hash) in &self.suppressed {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO contact_suppressions (contact_id, since, purposes)
                 SELECT ?1, since, coalesce(purposes, '*') FROM suppression_periods WHERE hash = ?2",
            )
            .and_then(|mut s| s.execute(rusqlite::params![contact, hash.as_slice()]))
            .db("cannot mark the contact as suppressed")?;
        }
        self.suppressed.clear();
        self.contacts.clear();
        self.identities.clear();
        self.values.clear();
        self.events.clear();
        self.bases.clear();
        self.receipts.clear();
        Ok(())
    }
}

/// `INSERT [OR IGNORE] INTO <target> VALUES (...), (...)` in chunks of `CHUNK` rows, then the tail in
/// chunks of 16, 4 and 1, so only a handful of distinct statements are ever prepared (and cached).
fn insert<'r, R>(
    conn: &Connection,
    target: &str,
    columns: usize,
    rows: &'r [R],
    bind: impl Fn(&'r R, &mut Vec<&'r dyn ToSql>),
) -> Result<()> {
    let mut rest = rows;
    let mut params: Vec<&dyn ToSql> = Vec::with_capacity(CHUNK * columns);
    while !rest.is_empty() {
        let n = [CHUNK, 16, 4, 1]
            .into_iter()
            .find(|n| *n <= rest.len())
            .unwrap_or(1);
        let (chunk, tail) = rest.split_at(n);
        let one = format!("({})", vec!["?"; columns].join(","));
        let (verb, target) = match target.strip_prefix("OR IGNORE INTO ") {
            Some(t) => ("INSERT OR IGNORE INTO", t),
            None => ("INSERT INTO", target),
        };
        let sql = format!("{verb} {target} VALUES {}", vec![one; n].join(","));
        params.clear();
        for row in chunk {
            bind(row, &mut params);
        }
        conn.prepare_cached(&sql)
            .and_then(|mut s| s.execute(params_from_iter(params.iter())))
            .db("cannot write imported rows")?;
        rest = tail;
    }
    Ok(())
}
