//! Writing contact records: the one code path behind imports (thousands of records per transaction)
//! and contacts entered by hand (one record). Per batch of records, identities are looked up with one
//! query per few hundred keys; new contacts' rows are inserted many per statement (`buffer.rs`); a record
//! that matches an existing contact takes the slower merge path (`merge.rs`).
//!
//! Merge rule: a record belongs to an existing contact when it shares an identity with it (an external
//! id of the same system, an email, or a phone, tried in that order of strength; ties go to the oldest
//! contact). Its identities not yet known are added to that contact; identities another contact already
//! has stay with that contact (contacts are never merged automatically: a person decides). Its field
//! values become a new row: for a field given again with another value, the new value is current and the
//! old one stays as history with its provenance.

mod buffer;
mod merge;

use std::collections::{HashMap, HashSet};

use foldhash::fast::RandomState;
use rusqlite::{params, params_from_iter, Connection};

use super::rows::ledger::notice_id_or_register;
use super::rows::now;
use super::rows::suppression::scope_to_sql;
use super::SqliteStore;
use crate::domain::{
    ContactId, NormalizedRecord, RecordOutcome, SourceChannel, SuppressionScope, Timestamp,
};
use crate::store::error::{DbContext, StoreError};
use crate::store::{ImportCounts, RecordWriter, Result};

pub(crate) use crate::store::common::{OnExisting, SinkConfig};
use crate::store::encode;
pub(crate) use crate::store::encode::{fields_json, record_digest};
use buffer::{Buffers, ContactRow, IdentityRow, FLUSH_AT};

/// A record checked, with its identity keys (and merge ranks) and any partial suppression.
struct Plan {
    index: usize,
    keys: Vec<(String, u8)>,
    partial: Option<(Timestamp, SuppressionScope)>,
    /// The keyed hashes behind `partial`: their periods go to the contact's suppression history.
    suppressed: Vec<[u8; 32]>,
}

pub(crate) struct RecordSink<'c> {
    store: &'c SqliteStore,
    conn: &'c Connection,
    cfg: SinkConfig,
    now: i64,
    /// Provenance rows of this sink, one per (label, channel) override: shared by all its records.
    provenance: HashMap<(Option<String>, Option<SourceChannel>), i64, RandomState>,
    notices: HashMap<String, i64, RandomState>,
    default_provenance: Option<i64>,
    counts: ImportCounts,
    /// Set after a database error: the transaction may hold part of a record, so it must not commit.
    pub poisoned: bool,
    json: String,
    buf: Buffers,
    next_id: i64,
    /// Contacts with rows still in the buffers: reading them needs a flush first.
    pending_contacts: HashSet<i64, RandomState>,
    /// Identity keys still in the buffers, and their contacts.
    pending_keys: HashMap<String, i64, RandomState>,
}

impl<'c> RecordSink<'c> {
    pub fn new(store: &'c SqliteStore, conn: &'c Connection, cfg: SinkConfig) -> Result<Self> {
        // Ids are assigned here so a new contact's rows can wait in the buffers; the writer is held for
        // the sink's whole life, so nobody else inserts contacts meanwhile.
        store.refresh_suppression(conn)?;
        let next_id: i64 = conn
            .query_row("SELECT coalesce(max(id), 0) + 1 FROM contacts", [], |r| {
                r.get(0)
            })
            .db("cannot read the contacts")?;
        Ok(RecordSink {
            store,
            conn,
            cfg,
            now: now().0,
            provenance: HashMap::default(),
            notices: HashMap::default(),
            default_provenance: None,
            counts: ImportCounts::default(),
            poisoned: false,
            json: String::with_capacity(256),
            buf: Buffers::default(),
            next_id,
            pending_contacts: HashSet::default(),
            pending_keys: HashMap::default(),
        })
    }

    /// Writes whatever still waits in the buffers; required before the transaction commits.
    pub fn finish(&mut self) -> Result<()> {
        let r = self.flush(None);
        if r.is_err() {
            self.poisoned = true;
        }
        r
    }

    fn flush(&mut self, known: Option<&mut HashMap<String, i64, RandomState>>) -> Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.buf.flush(self.conn)?;
        self.pending_contacts.clear();
        match known {
            Some(known) => known.extend(self.pending_keys.drain()),
            None => self.pending_keys.clear(),
        }
        Ok(())
    }

    fn provenance_id(&mut self, record: &NormalizedRecord) -> Result<i64> {
        // Most records carry no source of their own: skip building the key.
        if let (None, None, Some(id)) = (
            &record.source.label,
            record.source.channel,
            self.default_provenance,
        ) {
            return Ok(id);
        }
        let key = (record.source.label.clone(), record.source.channel);
        if let Some(id) = self.provenance.get(&key) {
            return Ok(*id);
        }
        let label = record
            .source
            .label
            .as_deref()
            .unwrap_or(&self.cfg.source_label);
        let channel = record.source.channel.unwrap_or(self.cfg.channel);
        self.conn
            .prepare_cached(
                "INSERT INTO provenance (batch_id, source_label, channel, operator, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut s| {
                s.execute(params![self.cfg.batch.map(|b| b.0), label, channel.code(), self.cfg.operator, self.now])
            })
            .db("cannot record the provenance")?;
        let id = self.conn.last_insert_rowid();
        if key == (None, None) {
            self.default_provenance = Some(id);
        }
        self.provenance.insert(key, id);
        Ok(id)
    }

    fn notice_id(&mut self, version: &str, at: i64) -> Result<i64> {
        if let Some(id) = self.notices.get(version) {
            return Ok(*id);
        }
        let id = notice_id_or_register(self.conn, version, at, self.cfg.batch)?;
        self.notices.insert(version.to_string(), id);
        Ok(id)
    }

    /// Purposes were checked against the catalogue before anything was written, and every catalogue
    /// purpose has an id since `open`: a miss here is a broken installation, not a bad record.
    fn purpose_id(&self, name: &str) -> Result<i64> {
        self.store.purposes.id(name).map_err(|e| {
            StoreError::Setup(format!("purpose ids out of step with the catalogue: {e}"))
        })
    }

    /// Checks a record and computes its identity keys; `Err` is the record's own outcome.
    fn plan(
        &mut self,
        index: usize,
        record: &NormalizedRecord,
    ) -> std::result::Result<Plan, Result<RecordOutcome>> {
        if let Err(e) = record.check(&self.store.policy) {
            return Err(Err(e.into()));
        }
        let mut keys: Vec<(String, u8)> = Vec::with_capacity(record.identities.len());
        for identity in &record.identities {
            let key = identity.key();
            if !keys.iter().any(|(k, _)| *k == key) {
                keys.push((key, identity.merge_rank()));
            }
        }
        let mut partial: Option<(Timestamp, SuppressionScope)> = None;
        let mut suppressed = Vec::new();
        let list = self
            .store
            .suppression
            .read()
            .unwrap_or_else(|p| p.into_inner());
        if !list.is_empty() {
            for (key, _) in &keys {
                let hash = self.store.keys.suppression_hash(key);
                if let Some((since, scope)) = list.get(&hash) {
                    if *scope == SuppressionScope::All {
                        self.counts.suppressed += 1;
                        return Err(Ok(RecordOutcome::Suppressed));
                    }
                    suppressed.push(hash);
                    partial = Some(match partial {
                        Some((s, p)) => (s.min(*since), p.union(scope)),
                        None => (*since, scope.clone()),
                    });
                }
            }
        }
        Ok(Plan {
            index,
            keys,
            partial,
            suppressed,
        })
    }

    /// Which contact each key belongs to, in the database, a few hundred keys per query.
    fn lookup(&self, plans: &[Plan]) -> Result<HashMap<String, i64, RandomState>> {
        let keys: Vec<&str> = plans
            .iter()
            .flat_map(|p| p.keys.iter().map(|(k, _)| k.as_str()))
            .collect();
        let mut found = HashMap::default();
        let mut rest = keys.as_slice();
        while !rest.is_empty() {
            let n = [256, 64, 16, 4, 1]
                .into_iter()
                .find(|n| *n <= rest.len())
                .unwrap_or(1);
            let (chunk, tail) = rest.split_at(n);
            let sql = format!(
                "SELECT key, contact_id FROM identities WHERE key IN ({})",
                vec!["?"; n].join(",")
            );
            let mut stmt = self
                .conn
                .prepare_cached(&sql)
                .db("cannot look up identities")?;
            let mut rows = stmt
                .query(params_from_iter(chunk.iter()))
                .db("cannot look up identities")?;
            while let Some(row) = rows.next().db("cannot look up identities")? {
                found.insert(
                    row.get::<_, String>(0).db("identities")?,
                    row.get::<_, i64>(1).db("identities")?,
                );
            }
            rest = tail;
        }
        Ok(found)
    }

    fn write_batch_inner(
        &mut self,
        records: &[NormalizedRecord],
    ) -> Result<Vec<Result<RecordOutcome>>> {
        let mut results: Vec<Option<Result<RecordOutcome>>> =
            (0..records.len()).map(|_| None).collect();
        let mut plans = Vec::with_capacity(records.len());
        for (i, record) in records.iter().enumerate() {
            match self.plan(i, record) {
                Ok(plan) => plans.push(plan),
                Err(outcome) => results[i] = Some(outcome),
            }
        }
        let mut known = self.lookup(&plans)?;
        for plan in plans {
            let outcome = match self.write_planned(&records[plan.index], &plan, &mut known) {
                Err(e @ (StoreError::InvalidInput(_) | StoreError::Conflict(_))) => Err(e),
                Err(fatal) => return Err(fatal),
                Ok(o) => Ok(o),
            };
            results[plan.index] = Some(outcome);
        }
        Ok(results
            .into_iter()
            .map(|r| r.expect("every record has an outcome"))
            .collect())
    }

    fn write_planned(
        &mut self,
        record: &NormalizedRecord,
        plan: &Plan,
        known: &mut HashMap<String, i64, RandomState>,
    ) -> Result<RecordOutcome> {
        let mut owners: Vec<Option<i64>> = Vec::with_capacity(plan.keys.len());
        let mut target: Option<(u8, i64)> = None;
        for (key, rank) in &plan.keys {
            let owner = known
                .get(key)
                .or_else(|| self.pending_keys.get(key))
                .copied();
            if let Some(id) = owner {
                if target.is_none_or(|t| (*rank, id) < t) {
                    target = Some((*rank, id));
                }
            }
            owners.push(owner);
        }
        let digest = record_digest(self.cfg.file_digest.as_deref(), record);
        let collected_at = record
            .source
            .collected_at
            .unwrap_or(self.cfg.default_collected_at)
            .0;
        match target {
            Some((_, id)) if self.cfg.on_existing == OnExisting::Conflict => {
                let i = owners.iter().position(|o| *o == Some(id)).unwrap_or(0);
                let (kind, value) = plan.keys[i].0.split_once(':').unwrap_or(("", ""));
                let kind = match kind {
                    "e" => "email",
                    "p" => "phone",
                    _ => "external id",
                };
                Err(StoreError::Conflict(format!(
                    "{kind} `{value}` already belongs to contact {id}: rectify that contact instead of creating another"
                )))
            }
            Some((_, id)) => {
                if self.pending_contacts.contains(&id) {
                    self.flush(Some(known))?;
                }
                if self.has_digest(id, &digest)? {
                    self.counts.unchanged += 1;
                    return Ok(RecordOutcome::Unchanged(ContactId(id)));
                }
                let prov = self.provenance_id(record)?;
                self.merge(
                    ContactId(id),
                    record,
                    plan,
                    &owners,
                    prov,
                    collected_at,
                    &digest,
                )?;
                self.counts.merged += 1;
                Ok(RecordOutcome::Merged(ContactId(id)))
            }
            None => {
                let prov = self.provenance_id(record)?;
                let id = self.next_id;
                self.next_id += 1;
                for (key, _) in &plan.keys {
                    self.buf.identities.push(IdentityRow {
                        key: key.clone(),
                        contact: id,
                        provenance: prov,
                    });
                    self.pending_keys.insert(key.clone(), id);
                }
                let seq = self.push_rows(id, 0, record, prov, collected_at, &digest, false)?;
                let (since, scope) = match &plan.partial {
                    Some((since, scope)) => (Some(since.0), Some(scope_to_sql(scope))),
                    None => (None, None),
                };
                self.buf.contacts.push(ContactRow {
                    id,
                    created_at: self.now,
                    last_interaction: record.last_interaction.map(|t| t.0),
                    last_collected_at: collected_at,
                    first_notice_at: encode::first_notice(record, collected_at),
                    suppressed_since: since,
                    suppressed_purposes: scope,
                    seq,
                });
                self.buf
                    .suppressed
                    .extend(plan.suppressed.iter().map(|hash| (id, *hash)));
                self.pending_contacts.insert(id);
                self.counts.created += 1;
                if self.pending_contacts.len() >= FLUSH_AT {
                    self.flush(Some(known))?;
                }
                Ok(RecordOutcome::Created(ContactId(id)))
            }
        }
    }
}

impl RecordWriter for RecordSink<'_> {
    fn write(&mut self, record: &NormalizedRecord) -> Result<RecordOutcome> {
        self.write_batch(std::slice::from_ref(record))?
            .pop()
            .expect("one result per record")
    }

    fn write_batch(&mut self, records: &[NormalizedRecord]) -> Result<Vec<Result<RecordOutcome>>> {
        if self.poisoned {
            return Err(StoreError::Conflict(
                "an earlier record failed to write: the import must stop and roll back".into(),
            ));
        }
        let results = self.write_batch_inner(records);
        if results.is_err() {
            self.poisoned = true;
        }
        results
    }

    fn counts(&self) -> ImportCounts {
        self.counts
    }
}
