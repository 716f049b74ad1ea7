//! Rows waiting to be inserted, written one statement per table: each column goes to the server as
//! one array and `unnest` turns the arrays back into rows, so a flush of thousands of contacts costs a
//! handful of round trips. Rows wait only until the sink needs to read what they contain (a record
//! that merges into a contact with waiting rows), until `FLUSH_AT` contacts are waiting, or until the
//! import commits.

use postgres::{Statement, Transaction};

use crate::store::error::DbContext;
use crate::store::Result;

/// Waiting new contacts that trigger a flush: big enough that round trips are a small part of the
/// cost, small enough to bound memory.
pub(super) const FLUSH_AT: usize = 4096;

pub(super) use crate::store::common::pending::{
    BasisRow, ContactRow, EventRow, IdentityRow, ReceiptRow, ValuesRow,
};

const CONTACTS: &str = "INSERT INTO contacts (id, created_at, updated_at, last_interaction, last_collected_at,
        first_notice_at, suppressed_since, suppressed_purposes, seq)
    SELECT id, created_at, created_at, last_interaction, last_collected_at, first_notice_at,
           suppressed_since, suppressed_purposes, seq
    FROM unnest($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::BIGINT[], $5::BIGINT[], $6::BIGINT[],
                $7::TEXT[], $8::BIGINT[])
         AS t(id, created_at, last_interaction, last_collected_at, first_notice_at, suppressed_since,
              suppressed_purposes, seq)";
const IDENTITIES: &str = "INSERT INTO identities (key, contact_id, provenance_id)
    SELECT * FROM unnest($1::TEXT[], $2::BIGINT[], $3::BIGINT[])";
const VALUES: &str =
    "INSERT INTO field_values (contact_id, seq, provenance_id, collected_at, recorded_at,
        record_digest, fields)
    SELECT * FROM unnest($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::BIGINT[], $5::BIGINT[],
                         $6::BYTEA[], $7::TEXT[])";
const EVENTS: &str = "INSERT INTO consent_events (contact_id, purpose_id, channel, at, seq, action,
        provenance_id, notice_version, evidence, source_row, recorded_at)
    SELECT * FROM unnest($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::BIGINT[], $5::BIGINT[],
                         $6::BIGINT[], $7::BIGINT[], $8::TEXT[], $9::TEXT[], $10::BIGINT[], $11::BIGINT[])";
const BASES: &str = r#"INSERT INTO legal_bases (contact_id, purpose_id, seq, basis, start, "end",
        provenance_id, recorded_at)
    SELECT * FROM unnest($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::BIGINT[], $5::BIGINT[],
                         $6::BIGINT[], $7::BIGINT[], $8::BIGINT[])"#;
const RECEIPTS: &str = "INSERT INTO notice_receipts (contact_id, notice_id, at, provenance_id)
    SELECT * FROM unnest($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::BIGINT[])
    ON CONFLICT DO NOTHING";
const UPDATES: &str =
    "UPDATE contacts c SET updated_at = $1, last_interaction = u.last_interaction,
        first_notice_at = u.first_notice_at, seq = u.seq,
        last_collected_at = GREATEST(c.last_collected_at, u.collected)
    FROM unnest($2::BIGINT[], $3::BIGINT[], $4::BIGINT[], $5::BIGINT[], $6::BIGINT[])
         AS u(id, last_interaction, first_notice_at, seq, collected)
    WHERE c.id = u.id";
const SUPPRESSED: &str = "INSERT INTO contact_suppressions (contact_id, since, purposes)
    SELECT $1::BIGINT, since, coalesce(purposes, '*') FROM suppression_periods WHERE hash = $2
    ON CONFLICT DO NOTHING";

/// The flush statements, prepared on the sink's first flush and reused for the rest of it.
pub(super) struct Inserts {
    contacts: Statement,
    identities: Statement,
    values: Statement,
    events: Statement,
    bases: Statement,
    receipts: Statement,
    suppressed: Statement,
    updates: Statement,
}

impl Inserts {
    fn prepare(tx: &mut Transaction<'_>) -> Result<Self> {
        let mut p = |sql: &str| tx.prepare(sql).db("cannot prepare the import's inserts");
        Ok(Inserts {
            contacts: p(CONTACTS)?,
            identities: p(IDENTITIES)?,
            values: p(VALUES)?,
            events: p(EVENTS)?,
            bases: p(BASES)?,
            receipts: p(RECEIPTS)?,
            suppressed: p(SUPPRESSED)?,
            updates: p(UPDATES)?,
        })
    }
}

/// A merged contact's columns after the merges since the last flush (`merge.rs`); the latest
/// collection time only ever moves `last_collected_at` forward.
pub(super) struct UpdateRow {
    pub id: i64,
    pub last_interaction: Option<i64>,
    pub first_notice_at: Option<i64>,
    pub seq: i64,
    pub collected: i64,
}

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
    /// Contacts that merges changed: their new columns.
    pub updates: Vec<UpdateRow>,
    inserts: Option<Inserts>,
}

/// One column of `rows` as an array parameter.
fn col<'r, R, T: 'r>(rows: &'r [R], f: impl Fn(&'r R) -> T) -> Vec<T> {
    rows.iter().map(f).collect()
}

impl Buffers {
    /// The waiting row of the new contact `id` (new contacts take ascending ids, so the rows are
    /// in order).
    pub fn contact(&self, id: i64) -> Option<&ContactRow> {
        let i = self.contacts.binary_search_by_key(&id, |c| c.id).ok()?;
        Some(&self.contacts[i])
    }

    pub fn contact_mut(&mut self, id: i64) -> Option<&mut ContactRow> {
        let i = self.contacts.binary_search_by_key(&id, |c| c.id).ok()?;
        Some(&mut self.contacts[i])
    }

    pub fn is_empty(&self) -> bool {
        self.contacts.is_empty()
            && self.identities.is_empty()
            && self.values.is_empty()
            && self.events.is_empty()
            && self.bases.is_empty()
            && self.receipts.is_empty()
            && self.suppressed.is_empty()
            && self.updates.is_empty()
    }

    /// Inserts everything, parents first, and updates the merged contacts (`now`: their
    /// `updated_at`).
    pub fn flush(&mut self, tx: &mut Transaction<'_>, now: i64) -> Result<()> {
        if self.inserts.is_none() {
            self.inserts = Some(Inserts::prepare(tx)?);
        }
        let s = self.inserts.as_ref().expect("prepared above");
        let ctx = "cannot write imported rows";
        if !self.contacts.is_empty() {
            let r = &self.contacts;
            tx.execute(
                &s.contacts,
                &[
                    &col(r, |r| r.id),
                    &col(r, |r| r.created_at),
                    &col(r, |r| r.last_interaction),
                    &col(r, |r| r.last_collected_at),
                    &col(r, |r| r.first_notice_at),
                    &col(r, |r| r.suppressed_since),
                    &col(r, |r| r.suppressed_purposes.as_deref()),
                    &col(r, |r| r.seq),
                ],
            )
            .db(ctx)?;
        }
        if !self.identities.is_empty() {
            let r = &self.identities;
            tx.execute(
                &s.identities,
                &[
                    &col(r, |r| r.key.as_str()),
                    &col(r, |r| r.contact),
                    &col(r, |r| r.provenance),
                ],
            )
            .db(ctx)?;
        }
        if !self.values.is_empty() {
            let r = &self.values;
            tx.execute(
                &s.values,
                &[
                    &col(r, |r| r.contact),
                    &col(r, |r| r.seq),
                    &col(r, |r| r.provenance),
                    &col(r, |r| r.collected_at),
                    &col(r, |r| r.recorded_at),
                    &col(r, |r| r.digest.as_slice()),
                    &col(r, |r| r.fields.as_str()),
                ],
            )
            .db(ctx)?;
        }
        if !self.events.is_empty() {
            let r = &self.events;
            tx.execute(
                &s.events,
                &[
                    &col(r, |r| r.contact),
                    &col(r, |r| r.purpose),
                    &col(r, |r| r.channel),
                    &col(r, |r| r.at),
                    &col(r, |r| r.seq),
                    &col(r, |r| r.action),
                    &col(r, |r| r.provenance),
                    &col(r, |r| r.notice_version.as_deref()),
                    &col(r, |r| r.evidence.as_deref()),
                    &col(r, |r| r.source_row),
                    &col(r, |r| r.recorded_at),
                ],
            )
            .db(ctx)?;
        }
        if !self.bases.is_empty() {
            let r = &self.bases;
            tx.execute(
                &s.bases,
                &[
                    &col(r, |r| r.contact),
                    &col(r, |r| r.purpose),
                    &col(r, |r| r.seq),
                    &col(r, |r| r.basis),
                    &col(r, |r| r.start),
                    &col(r, |r| r.end),
                    &col(r, |r| r.provenance),
                    &col(r, |r| r.recorded_at),
                ],
            )
            .db(ctx)?;
        }
        if !self.receipts.is_empty() {
            let r = &self.receipts;
            tx.execute(
                &s.receipts,
                &[
                    &col(r, |r| r.contact),
                    &col(r, |r| r.notice),
                    &col(r, |r| r.at),
                    &col(r, |r| r.provenance),
                ],
            )
            .db(ctx)?;
        }
        if !self.updates.is_empty() {
            let r = &self.updates;
            tx.execute(
                &s.updates,
                &[
                    &now,
                    &col(r, |r| r.id),
                    &col(r, |r| r.last_interaction),
                    &col(r, |r| r.first_notice_at),
                    &col(r, |r| r.seq),
                    &col(r, |r| r.collected),
                ],
            )
            .db("cannot update the merged contacts")?;
        }
        for (contact, hash) in &self.suppressed {
            tx.execute(&s.suppressed, &[contact, &hash.as_slice()])
                .db("cannot mark the contact as suppressed")?;
        }
        self.suppressed.clear();
        self.updates.clear();
        self.contacts.clear();
        self.identities.clear();
        self.values.clear();
        self.events.clear();
        self.bases.clear();
        self.receipts.clear();
        Ok(())
    }
}
