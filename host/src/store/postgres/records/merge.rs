//! The rows of one record, and the merge of a record into a contact that already exists.

use super::buffer::{BasisRow, EventRow, IdentityRow, ReceiptRow, ValuesRow};
use super::{Plan, RecordSink};
use crate::domain::{ContactId, NormalizedRecord};
use crate::store::encode::{fields_json, first_notice, max_opt, min_opt};
use crate::store::error::DbContext;
use crate::store::postgres::rows::contact::mark_suppressed_by_hash;
use crate::store::Result;

/// The ledger rows a contact already has, so a merge does not append the same claim twice:
/// (purpose, channel, at, action) and (purpose, basis, start, end).
#[derive(Default)]
pub(super) struct Existing {
    events: Vec<(i64, i64, i64, i64)>,
    bases: Vec<(i64, i64, i64, Option<i64>)>,
}

impl RecordSink<'_, '_> {
    /// Adds a record to an existing contact whose rows are all in the database (the caller flushed);
    /// false when the contact already has this exact record from this file (nothing is written).
    pub(super) fn merge(
        &mut self,
        id: ContactId,
        record: &NormalizedRecord,
        plan: &Plan,
        owners: &[Option<i64>],
        collected_at: i64,
        digest: &[u8; 16],
    ) -> Result<bool> {
        let row = self
            .tx
            .query_one(&self.reads.merge_target, &[&id.0, &digest.as_slice()])
            .db("cannot read the contact to merge into")?;
        if row.get::<_, bool>(3) {
            return Ok(false);
        }
        let (seq, last, notice): (i64, Option<i64>, Option<i64>) =
            (row.get(0), row.get(1), row.get(2));
        let prov = self.provenance_id(record)?;
        let mut existing = Existing::default();
        if !record.consents.is_empty() {
            existing.events = self
                .tx
                .query(&self.reads.events_of, &[&id.0])
                .db("cannot check the ledger")?
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
                .collect();
        }
        if !record.legal_bases.is_empty() {
            existing.bases = self
                .tx
                .query(&self.reads.bases_of, &[&id.0])
                .db("cannot check the legal bases")?
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
                .collect();
        }
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
        let seq = self.push_rows(
            id.0,
            seq,
            record,
            prov,
            collected_at,
            digest,
            Some(&existing),
        )?;
        let last = max_opt(last, record.last_interaction.map(|t| t.0));
        let notice = min_opt(notice, first_notice(record, collected_at));
        // The new field-values row is a collection: an older list imported later does not move it back.
        self.tx
            .execute(
                &self.reads.update,
                &[&id.0, &self.now, &last, &notice, &seq, &collected_at],
            )
            .db("cannot update the contact")?;
        for hash in &plan.suppressed {
            mark_suppressed_by_hash(self.tx, id, hash)?;
        }
        self.pending_contacts.insert(id.0);
        Ok(true)
    }

    /// Queues the field values, consent events, legal bases and notice receipts of a record; returns
    /// the contact's last used sequence number. `existing` (merges) skips events and bases the
    /// contact already has.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn push_rows(
        &mut self,
        id: i64,
        mut seq: i64,
        record: &NormalizedRecord,
        prov: i64,
        collected_at: i64,
        digest: &[u8; 16],
        existing: Option<&Existing>,
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
        self.pending_digests.insert((id, *digest));
        for c in &record.consents {
            let purpose = self.purpose_id(&c.purpose)?;
            let at = c.at.map_or(collected_at, |t| t.0);
            let claim = (purpose, c.channel.code(), at, c.action.code());
            if existing.is_some_and(|e| e.events.contains(&claim)) {
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
            let claim = (purpose, b.basis.code(), start, end);
            if existing.is_some_and(|e| e.bases.contains(&claim)) {
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
