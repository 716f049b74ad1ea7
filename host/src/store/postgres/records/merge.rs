//! The rows of one record, and the merge of a record into a contact that already exists.

use std::collections::HashSet;

use foldhash::fast::RandomState;

use super::buffer::{BasisRow, EventRow, IdentityRow, ReceiptRow, UpdateRow, ValuesRow};
use super::{Plan, RecordSink};
use crate::domain::{ContactId, NormalizedRecord};
use crate::store::encode::{fields_json, first_notice, max_opt, min_opt};
use crate::store::error::{DbContext, StoreError};
use crate::store::postgres::rows::contact::mark_suppressed_by_hash;
use crate::store::Result;

/// The ledger rows a contact already has, so a merge does not append the same claim twice:
/// (purpose, channel, at, action) and (purpose, basis, start, end).
#[derive(Default)]
pub(super) struct Existing {
    events: Vec<(i64, i64, i64, i64)>,
    bases: Vec<(i64, i64, i64, Option<i64>)>,
}

/// What a merge needs of a contact, read for all the merges of a batch at once
/// (`RecordSink::read_targets`, `read_digests`), or taken from the buffers for a contact created
/// since the last flush (`target_from_buffers`), and kept up to date by the merges: the contact's
/// columns a merge moves, the claims it holds, and which of the record digests asked about it
/// already has. A flush writes what changed and keeps the target (it still tells the truth), so a
/// later merge in the same batch reads nothing; targets the database already agrees with are
/// dropped when the next batch begins.
pub(super) struct Target {
    seq: i64,
    last_interaction: Option<i64>,
    first_notice_at: Option<i64>,
    existing: Existing,
    digests: HashSet<[u8; 16], RandomState>,
    /// The latest collection time merged in since the last flush; `Some` once a merge changed the
    /// contact (the flush then updates its row).
    collected: Option<i64>,
    /// The contact's own row is still in the buffers: the flush writes the merged columns into that
    /// row rather than updating it afterwards.
    fresh: bool,
}

impl RecordSink<'_, '_> {
    /// Reads what merges need of the contacts `ids` (in the database, not read since the last
    /// flush) in three statements, however many there are.
    pub(super) fn read_targets(&mut self, ids: &[i64]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        for r in self
            .tx
            .query(&self.reads.targets, &[&ids])
            .db("cannot read the contacts to merge into")?
        {
            self.targets.insert(
                r.get(0),
                Target {
                    seq: r.get(1),
                    last_interaction: r.get(2),
                    first_notice_at: r.get(3),
                    existing: Existing::default(),
                    digests: HashSet::default(),
                    collected: None,
                    fresh: false,
                },
            );
        }
        for r in self
            .tx
            .query(&self.reads.events_of, &[&ids])
            .db("cannot check the ledger")?
        {
            if let Some(t) = self.targets.get_mut(&r.get::<_, i64>(0)) {
                t.existing
                    .events
                    .push((r.get(1), r.get(2), r.get(3), r.get(4)));
            }
        }
        for r in self
            .tx
            .query(&self.reads.bases_of, &[&ids])
            .db("cannot check the legal bases")?
        {
            if let Some(t) = self.targets.get_mut(&r.get::<_, i64>(0)) {
                t.existing
                    .bases
                    .push((r.get(1), r.get(2), r.get(3), r.get(4)));
            }
        }
        Ok(())
    }

    /// Which of the record `digests` the targets `ids` already hold in the database (a record
    /// imported before from the same file is `Unchanged`); one statement. Every digest a merge
    /// looks for was asked here first: by the batch for all its merges, or by the merge itself.
    pub(super) fn read_digests(&mut self, ids: &[i64], digests: &[&[u8]]) -> Result<()> {
        if ids.is_empty() || digests.is_empty() {
            return Ok(());
        }
        for r in self
            .tx
            .query(&self.reads.digests, &[&ids, &digests])
            .db("cannot read the contacts to merge into")?
        {
            if let (Some(t), Ok(d)) = (
                self.targets.get_mut(&r.get::<_, i64>(0)),
                <[u8; 16]>::try_from(r.get::<_, &[u8]>(1)),
            ) {
                t.digests.insert(d);
            }
        }
        Ok(())
    }

    /// Adds a record to an existing contact whose rows are all in the database or in `targets`;
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
        if !self.targets.contains_key(&id.0) {
            self.read_targets(&[id.0])?;
            self.read_digests(&[id.0], &[digest.as_slice()])?;
        }
        let Some(mut target) = self.targets.remove(&id.0) else {
            return Err(StoreError::Setup(format!(
                "contact {} owns an identity of the import but is not in the database",
                id.0
            )));
        };
        if target.digests.contains(digest) {
            self.targets.insert(id.0, target);
            return Ok(false);
        }
        let prov = self.provenance_id(record)?;
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
            target.seq,
            record,
            prov,
            collected_at,
            digest,
            Some(&mut target.existing),
        );
        let seq = match seq {
            Ok(seq) => seq,
            Err(e) => {
                self.targets.insert(id.0, target);
                return Err(e);
            }
        };
        target.seq = seq;
        target.last_interaction = max_opt(
            target.last_interaction,
            record.last_interaction.map(|t| t.0),
        );
        target.first_notice_at =
            min_opt(target.first_notice_at, first_notice(record, collected_at));
        // The new field-values row is a collection: an older list imported later does not move it back.
        target.collected = Some(
            target
                .collected
                .map_or(collected_at, |c| c.max(collected_at)),
        );
        target.digests.insert(*digest);
        self.targets.insert(id.0, target);
        for hash in &plan.suppressed {
            mark_suppressed_by_hash(self.tx, id, hash)?;
        }
        self.pending_contacts.insert(id.0);
        Ok(true)
    }

    /// A target for the contact `id`, created since the last flush, from its rows in the buffers:
    /// what `read_targets` would read once a flush had written them, without the flush and the
    /// read. False when the contact has no row there (the caller then flushes and reads).
    pub(super) fn target_from_buffers(&mut self, id: i64) -> bool {
        let Some(row) = self.buf.contact(id) else {
            return false;
        };
        let mut target = Target {
            seq: row.seq,
            last_interaction: row.last_interaction,
            first_notice_at: row.first_notice_at,
            existing: Existing::default(),
            digests: HashSet::default(),
            collected: None,
            fresh: true,
        };
        let b = &self.buf;
        target.existing.events.extend(
            b.events
                .iter()
                .filter(|e| e.contact == id)
                .map(|e| (e.purpose, e.channel, e.at, e.action)),
        );
        target.existing.bases.extend(
            b.bases
                .iter()
                .filter(|r| r.contact == id)
                .map(|r| (r.purpose, r.basis, r.start, r.end)),
        );
        target.digests.extend(
            b.values
                .iter()
                .filter(|v| v.contact == id)
                .map(|v| v.digest),
        );
        self.targets.insert(id, target);
        true
    }

    /// Before a flush: the merged contacts' new columns, as updates of rows in the database or
    /// written into the new contacts' rows still in the buffers. The targets stay, in step with
    /// what the flush writes.
    pub(super) fn take_updates(&mut self) -> Result<Vec<UpdateRow>> {
        let mut updates = Vec::new();
        for (&id, t) in &mut self.targets {
            let fresh = std::mem::take(&mut t.fresh);
            let Some(collected) = t.collected.take() else {
                continue;
            };
            if !fresh {
                updates.push(UpdateRow {
                    id,
                    last_interaction: t.last_interaction,
                    first_notice_at: t.first_notice_at,
                    seq: t.seq,
                    collected,
                });
                continue;
            }
            let Some(row) = self.buf.contact_mut(id) else {
                return Err(StoreError::Setup(format!(
                    "contact {id} was merged into before its row was written, but its row is not waiting to be written"
                )));
            };
            row.last_interaction = t.last_interaction;
            row.first_notice_at = t.first_notice_at;
            row.seq = t.seq;
            row.last_collected_at = row.last_collected_at.max(collected);
        }
        Ok(updates)
    }

    /// Forgets the targets the database agrees with (no merge since the last flush): a new batch
    /// reads its own.
    pub(super) fn forget_written_targets(&mut self) {
        self.targets.retain(|_, t| t.fresh || t.collected.is_some());
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
        mut existing: Option<&mut Existing>,
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
            if let Some(e) = existing.as_deref_mut() {
                if e.events.contains(&claim) {
                    continue;
                }
                e.events.push(claim);
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
            if let Some(e) = existing.as_deref_mut() {
                if e.bases.contains(&claim) {
                    continue;
                }
                e.bases.push(claim);
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
