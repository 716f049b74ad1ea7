//! The rows of one record, and the merge of a record into a contact that already exists.

use rusqlite::params;

use super::buffer::{BasisRow, EventRow, IdentityRow, ReceiptRow, ValuesRow};
use super::{Plan, RecordSink};
use crate::domain::{ContactId, NormalizedRecord};
use crate::store::encode::{fields_json, first_notice, max_opt, min_opt};
use crate::store::error::DbContext;
use crate::store::sqlite::rows::contact::mark_suppressed_by_hash;
use crate::store::Result;

impl RecordSink<'_> {
    /// Whether the contact already has this exact record from this file (a re-import changes nothing).
    pub(super) fn has_digest(&self, id: i64, digest: &[u8; 16]) -> Result<bool> {
        self.conn
            .prepare_cached(
                "SELECT 1 FROM field_values WHERE contact_id = ?1 AND record_digest = ?2 LIMIT 1",
            )
            .and_then(|mut s| s.exists(params![id, digest.as_slice()]))
            .db("cannot check for a repeated record")
    }

    /// Adds a record to an existing contact whose rows are all in the database (the caller flushed).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn merge(
        &mut self,
        id: ContactId,
        record: &NormalizedRecord,
        plan: &Plan,
        owners: &[Option<i64>],
        prov: i64,
        collected_at: i64,
        digest: &[u8; 16],
    ) -> Result<()> {
        let (seq, last, notice): (i64, Option<i64>, Option<i64>) = self
            .conn
            .prepare_cached(
                "SELECT seq, last_interaction, first_notice_at FROM contacts WHERE id = ?1",
            )
            .and_then(|mut s| s.query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))))
            .db("cannot read the contact to merge into")?;
        for ((key, _), owner) in plan.keys.iter().zip(owners) {
            if owner.is_none() {
                self.buf.identities.push(IdentityRow {
                    key: key.clone(),
                    contact: id.0,
                    provenance: prov,
                });
                self.pending_keys.insert(key.clone(), id.0);
            }
        }
        let seq = self.push_rows(id.0, seq, record, prov, collected_at, digest, true)?;
        let last = max_opt(last, record.last_interaction.map(|t| t.0));
        let notice = min_opt(notice, first_notice(record, collected_at));
        // The new field-values row is a collection: an older list imported later does not move it back.
        self.conn
            .prepare_cached(
                "UPDATE contacts SET updated_at = ?2, last_interaction = ?3, first_notice_at = ?4, seq = ?5,
                        last_collected_at = max(coalesce(last_collected_at, ?6), ?6) WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(params![id.0, self.now, last, notice, seq, collected_at]))
            .db("cannot update the contact")?;
        for hash in &plan.suppressed {
            mark_suppressed_by_hash(self.conn, id, hash)?;
        }
        self.pending_contacts.insert(id.0);
        Ok(())
    }

    /// Queues the field values, consent events, legal bases and notice receipts of a record; returns
    /// the contact's last used sequence number. `dedup` skips events and bases the contact already has
    /// (merges; it reads the database, so the contact's rows must have been flushed).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn push_rows(
        &mut self,
        id: i64,
        mut seq: i64,
        record: &NormalizedRecord,
        prov: i64,
        collected_at: i64,
        digest: &[u8; 16],
        dedup: bool,
    ) -> Result<i64> {
        fields_json(&mut self.json, &record.fields);
        seq += 1;
        self.buf.values.push(ValuesRow {
            contact: id,
            seq,
            provenance: prov,
            collected_at,
            recorded_at: self.now,
            digest: *digest,
            fields: self.json.clone(),
        });
        for c in &record.consents {
            let purpose = self.purpose_id(&c.purpose)?;
            let at = c.at.map_or(collected_at, |t| t.0);
            if dedup
                && self
                    .conn
                    .prepare_cached(
                        "SELECT 1 FROM consent_events WHERE contact_id = ?1 AND purpose_id = ?2 AND channel = ?3 AND at = ?4 AND action = ?5 LIMIT 1",
                    )
                    .and_then(|mut s| s.exists(params![id, purpose, c.channel.code(), at, c.action.code()]))
                    .db("cannot check the ledger")?
            {
                continue;
            }
            // The ledger row itself records the notice seen with the consent: no separate receipt row
            // (one row less per contact); the version is still registered among the notices.
            if let Some(version) = &c.notice_version {
                self.notice_id(version, at)?;
            }
            seq += 1;
            self.buf.events.push(EventRow {
                contact: id,
                purpose,
                channel: c.channel.code(),
                at,
                seq,
                action: c.action.code(),
                provenance: prov,
                notice_version: c.notice_version.clone(),
                evidence: c.evidence.clone(),
                source_row: i64::try_from(record.row).unwrap_or(i64::MAX),
                recorded_at: self.now,
            });
        }
        for b in &record.legal_bases {
            let purpose = self.purpose_id(&b.purpose)?;
            let start = b.start.map_or(collected_at, |t| t.0);
            let end = b.end.map(|t| t.0);
            if dedup
                && self
                    .conn
                    .prepare_cached(
                        "SELECT 1 FROM legal_bases WHERE contact_id = ?1 AND purpose_id = ?2 AND basis = ?3 AND start = ?4 AND end IS ?5 LIMIT 1",
                    )
                    .and_then(|mut s| s.exists(params![id, purpose, b.basis.code(), start, end]))
                    .db("cannot check the legal bases")?
            {
                continue;
            }
            seq += 1;
            self.buf.bases.push(BasisRow {
                contact: id,
                purpose,
                seq,
                basis: b.basis.code(),
                start,
                end,
                provenance: prov,
                recorded_at: self.now,
            });
        }
        for n in &record.notices {
            let at = n.at.map_or(collected_at, |t| t.0);
            let notice = self.notice_id(&n.version, at)?;
            self.buf.receipts.push(ReceiptRow {
                contact: id,
                notice,
                at,
                provenance: prov,
            });
        }
        Ok(seq)
    }
}
