//! Writing contact records on PostgreSQL: the one code path behind imports and contacts entered by
//! hand, with the behaviour of `sqlite/records` (read its merge rule there). What differs is the cost
//! model: every statement is a round trip to the server, so per batch of records the identities are
//! looked up with one `key = ANY($1)` query, the suppression list with one `hash = ANY($1)` query (in
//! the database, not a copy in memory: another server may have added to it), new contacts take their
//! ids from the `contacts` sequence in blocks, and their rows are inserted one statement per table
//! (`buffer.rs`). A record that matches a contact in the database merges into it (`merge.rs`): what
//! the batch's merges need of their contacts is read in a few `= ANY` statements per batch, kept
//! up to date by the merges, and the contacts' rows are updated by one statement at the flush. A
//! record that matches a contact created since the last flush merges into its rows in the buffers.

mod buffer;
mod merge;

use std::collections::{HashMap, HashSet, VecDeque};

use foldhash::fast::RandomState;
use postgres::{Statement, Transaction};

use super::rows::ledger::notice_id_or_register;
use super::rows::suppression::{entries_among, scope_to_sql};
use super::PostgresStore;
use crate::domain::{
    ContactId, NormalizedRecord, RecordOutcome, SourceChannel, SuppressionScope, Timestamp,
};
use crate::store::common::{OnExisting, SinkConfig};
use crate::store::encode::{first_notice, record_digest};
use crate::store::error::{DbContext, StoreError};
use crate::store::{ImportCounts, RecordWriter, Result};

use buffer::{Buffers, ContactRow, IdentityRow, FLUSH_AT};

/// A record checked, with its identity keys (and merge ranks), their keyed hashes, and any partial
/// suppression.
struct Plan {
    index: usize,
    keys: Vec<(String, u8)>,
    hashes: Vec<[u8; 32]>,
    partial: Option<(Timestamp, SuppressionScope)>,
    /// The keyed hashes behind `partial`: their periods go to the contact's suppression history.
    suppressed: Vec<[u8; 32]>,
}

/// The statements the sink runs per batch or per merge, prepared once per sink.
struct Reads {
    lookup: Statement,
    reserve: Statement,
    provenance: Statement,
    targets: Statement,
    digests: Statement,
    events_of: Statement,
    bases_of: Statement,
}

impl Reads {
    fn prepare(tx: &mut Transaction<'_>) -> Result<Self> {
        let mut p = |sql: &str| tx.prepare(sql).db("cannot prepare the import's statements");
        Ok(Reads {
            lookup: p("SELECT key, contact_id FROM identities WHERE key = ANY($1)")?,
            // A block of `$1` ids in one step, the last one returned (a `nextval` per id cost
            // microseconds each). Nothing else takes contact ids meanwhile: every write holds the
            // writer lock; a writer that did not would collide on the primary key, not share an id.
            reserve: p(
                "SELECT setval(pg_get_serial_sequence('contacts', 'id'),
                               nextval(pg_get_serial_sequence('contacts', 'id')) + $1::BIGINT - 1)",
            )?,
            provenance: p(
                "INSERT INTO provenance (batch_id, source_label, channel, operator, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )?,
            targets: p(
                "SELECT id, seq, last_interaction, first_notice_at FROM contacts WHERE id = ANY($1)",
            )?,
            digests: p(
                "SELECT contact_id, record_digest FROM field_values
                 WHERE contact_id = ANY($1) AND record_digest = ANY($2)",
            )?,
            events_of: p(
                "SELECT contact_id, purpose_id, channel, at, action FROM consent_events
                 WHERE contact_id = ANY($1)",
            )?,
            bases_of: p(
                r#"SELECT contact_id, purpose_id, basis, start, "end" FROM legal_bases
                   WHERE contact_id = ANY($1)"#,
            )?,
        })
    }
}

pub(crate) struct RecordSink<'a, 't> {
    store: &'a PostgresStore,
    tx: &'a mut Transaction<'t>,
    cfg: SinkConfig,
    now: i64,
    reads: Reads,
    /// Provenance rows of this sink, one per (label, channel) override: shared by all its records.
    provenance: HashMap<(Option<String>, Option<SourceChannel>), i64, RandomState>,
    notices: HashMap<String, i64, RandomState>,
    default_provenance: Option<i64>,
    counts: ImportCounts,
    /// Set after a database error: the transaction may hold part of a record, so it must not commit.
    pub poisoned: bool,
    json: String,
    buf: Buffers,
    /// Contact ids taken from the sequence and not used yet, in ascending order.
    free_ids: VecDeque<i64>,
    /// Contacts with rows still in the buffers: reading them needs a flush first.
    pending_contacts: HashSet<i64, RandomState>,
    /// Identity keys still in the buffers, and their contacts.
    pending_keys: HashMap<String, i64, RandomState>,
    /// Record digests of the field values still in the buffers: a repeated row of the file is
    /// recognised without a flush.
    pending_digests: HashSet<(i64, [u8; 16]), RandomState>,
    /// Contacts that merges of this batch read or changed, and those changed since the last flush
    /// (`merge.rs`).
    targets: HashMap<i64, merge::Target, RandomState>,
}

impl<'a, 't> RecordSink<'a, 't> {
    /// The caller holds the writer lock for the sink's whole life (see `PostgresStore::write`).
    pub fn new(
        store: &'a PostgresStore,
        tx: &'a mut Transaction<'t>,
        cfg: SinkConfig,
    ) -> Result<Self> {
        let reads = Reads::prepare(tx)?;
        Ok(RecordSink {
            store,
            tx,
            cfg,
            now: Timestamp::now().0,
            reads,
            provenance: HashMap::default(),
            notices: HashMap::default(),
            default_provenance: None,
            counts: ImportCounts::default(),
            poisoned: false,
            json: String::with_capacity(256),
            buf: Buffers::default(),
            free_ids: VecDeque::new(),
            pending_contacts: HashSet::default(),
            pending_keys: HashMap::default(),
            pending_digests: HashSet::default(),
            targets: HashMap::default(),
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
        let updates = self.take_updates()?;
        self.buf.updates.extend(updates);
        if self.buf.is_empty() {
            return Ok(());
        }
        self.buf.flush(self.tx, self.now)?;
        self.pending_contacts.clear();
        self.pending_digests.clear();
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
        let id: i64 = self
            .tx
            .query_one(
                &self.reads.provenance,
                &[
                    &self.cfg.batch.map(|b| b.0),
                    &label,
                    &channel.code(),
                    &self.cfg.operator,
                    &self.now,
                ],
            )
            .db("cannot record the provenance")?
            .get(0);
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
        let id = notice_id_or_register(self.tx, version, at, self.cfg.batch)?;
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

    /// Checks a record and computes its identity keys and their hashes; `Err` is the record's own
    /// outcome.
    fn plan(&self, index: usize, record: &NormalizedRecord) -> Result<Plan> {
        record.check(&self.store.policy)?;
        let mut keys: Vec<(String, u8)> = Vec::with_capacity(record.identities.len());
        for identity in &record.identities {
            let key = identity.key();
            if !keys.iter().any(|(k, _)| *k == key) {
                keys.push((key, identity.merge_rank()));
            }
        }
        let hashes = keys
            .iter()
            .map(|(k, _)| self.store.keys.suppression_hash(k))
            .collect();
        Ok(Plan {
            index,
            keys,
            hashes,
            partial: None,
            suppressed: Vec::new(),
        })
    }

    /// Applies the suppression list to the plans, reading the entries of all their identities at
    /// once; returns the plans still to write and marks the others suppressed in `results`.
    fn apply_suppression(
        &mut self,
        plans: Vec<Plan>,
        results: &mut [Option<Result<RecordOutcome>>],
    ) -> Result<Vec<Plan>> {
        let hashes: Vec<&[u8]> = plans
            .iter()
            .flat_map(|p| p.hashes.iter().map(|h| h.as_slice()))
            .collect();
        let list = entries_among(self.tx, &hashes)?;
        if list.is_empty() {
            return Ok(plans);
        }
        let mut kept = Vec::with_capacity(plans.len());
        'plans: for mut plan in plans {
            for hash in &plan.hashes {
                if let Some((since, scope)) = list.get(hash) {
                    if *scope == SuppressionScope::All {
                        self.counts.suppressed += 1;
                        results[plan.index] = Some(Ok(RecordOutcome::Suppressed));
                        continue 'plans;
                    }
                    plan.suppressed.push(*hash);
                    plan.partial = Some(match plan.partial {
                        Some((s, p)) => (s.min(*since), p.union(scope)),
                        None => (*since, scope.clone()),
                    });
                }
            }
            kept.push(plan);
        }
        Ok(kept)
    }

    /// Which contact each key belongs to, in the database: one query for the batch.
    fn lookup(&mut self, plans: &[Plan]) -> Result<HashMap<String, i64, RandomState>> {
        let keys: Vec<&str> = plans
            .iter()
            .flat_map(|p| p.keys.iter().map(|(k, _)| k.as_str()))
            .collect();
        let mut found = HashMap::default();
        if keys.is_empty() {
            return Ok(found);
        }
        let rows = self
            .tx
            .query(&self.reads.lookup, &[&keys])
            .db("cannot look up identities")?;
        for r in rows {
            found.insert(r.get::<_, String>(0), r.get::<_, i64>(1));
        }
        Ok(found)
    }

    /// Takes enough ids from the `contacts` sequence for every plan that may create a contact.
    fn reserve_ids(
        &mut self,
        plans: &[Plan],
        known: &HashMap<String, i64, RandomState>,
    ) -> Result<()> {
        let may_create = plans
            .iter()
            .filter(|p| {
                !p.keys
                    .iter()
                    .any(|(k, _)| known.contains_key(k) || self.pending_keys.contains_key(k))
            })
            .count();
        let missing = may_create.saturating_sub(self.free_ids.len());
        if missing == 0 {
            return Ok(());
        }
        let missing = missing as i64;
        let last: i64 = self
            .tx
            .query_one(&self.reads.reserve, &[&missing])
            .db("cannot take ids for new contacts")?
            .get(0);
        self.free_ids.extend(last - missing + 1..=last);
        Ok(())
    }

    /// Reads, for all the batch's records that match a contact in the database, what their merges
    /// need: a few statements per batch instead of a few per merge. Contacts created since the last
    /// flush are not read (their rows are still in the buffers, where a merge into one reads them).
    fn read_merge_targets(
        &mut self,
        records: &[NormalizedRecord],
        plans: &[Plan],
        known: &HashMap<String, i64, RandomState>,
    ) -> Result<()> {
        if self.cfg.on_existing == OnExisting::Conflict {
            return Ok(());
        }
        let mut ids: Vec<i64> = Vec::new();
        let mut digests: Vec<[u8; 16]> = Vec::new();
        for plan in plans {
            let mut matched = false;
            for (key, _) in &plan.keys {
                let owner = known.get(key).or_else(|| self.pending_keys.get(key));
                if let Some(&id) = owner {
                    if self.targets.contains_key(&id) || !self.pending_contacts.contains(&id) {
                        ids.push(id);
                        matched = true;
                    }
                }
            }
            if matched {
                digests.push(record_digest(
                    self.cfg.file_digest.as_deref(),
                    &records[plan.index],
                ));
            }
        }
        if ids.is_empty() {
            return Ok(());
        }
        ids.sort_unstable();
        ids.dedup();
        let unread: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !self.targets.contains_key(id))
            .collect();
        self.read_targets(&unread)?;
        let digests: Vec<&[u8]> = digests.iter().map(|d| d.as_slice()).collect();
        self.read_digests(&ids, &digests)
    }

    fn write_batch_inner(
        &mut self,
        records: &[NormalizedRecord],
    ) -> Result<Vec<Result<RecordOutcome>>> {
        self.forget_written_targets();
        let mut results: Vec<Option<Result<RecordOutcome>>> =
            (0..records.len()).map(|_| None).collect();
        let mut plans = Vec::with_capacity(records.len());
        for (i, record) in records.iter().enumerate() {
            match self.plan(i, record) {
                Ok(plan) => plans.push(plan),
                Err(e) => results[i] = Some(Err(e)),
            }
        }
        let plans = self.apply_suppression(plans, &mut results)?;
        let mut known = self.lookup(&plans)?;
        self.reserve_ids(&plans, &known)?;
        self.read_merge_targets(records, &plans, &known)?;
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
                // A contact created since the last flush has its rows in the buffers only: the
                // merge reads them there. Suppression periods are copied to a contact's row in
                // the database, so a suppressed identity flushes first (rare).
                if self.pending_contacts.contains(&id) && !self.targets.contains_key(&id) {
                    if self.pending_digests.contains(&(id, digest)) {
                        self.counts.unchanged += 1;
                        return Ok(RecordOutcome::Unchanged(ContactId(id)));
                    }
                    if !plan.suppressed.is_empty() || !self.target_from_buffers(id) {
                        self.flush(Some(known))?;
                    }
                }
                let merged =
                    self.merge(ContactId(id), record, plan, &owners, collected_at, &digest)?;
                if self.pending_contacts.len() >= FLUSH_AT {
                    self.flush(Some(known))?;
                }
                if merged {
                    self.counts.merged += 1;
                    Ok(RecordOutcome::Merged(ContactId(id)))
                } else {
                    self.counts.unchanged += 1;
                    Ok(RecordOutcome::Unchanged(ContactId(id)))
                }
            }
            None => {
                let prov = self.provenance_id(record)?;
                let id = match self.free_ids.pop_front() {
                    Some(id) => id,
                    None => {
                        return Err(StoreError::Setup(
                            "no contact id was reserved for a new contact: the import's id count is wrong".into(),
                        ))
                    }
                };
                for (key, _) in &plan.keys {
                    self.buf.identities.push(IdentityRow {
                        key: key.clone(),
                        contact: id,
                        provenance: prov,
                    });
                    self.pending_keys.insert(key.clone(), id);
                }
                let seq = self.push_rows(id, 0, record, prov, collected_at, &digest, None)?;
                let (since, scope) = match &plan.partial {
                    Some((since, scope)) => (Some(since.0), Some(scope_to_sql(scope))),
                    None => (None, None),
                };
                self.buf.contacts.push(ContactRow {
                    id,
                    created_at: self.now,
                    last_interaction: record.last_interaction.map(|t| t.0),
                    last_collected_at: collected_at,
                    first_notice_at: first_notice(record, collected_at),
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

impl RecordWriter for RecordSink<'_, '_> {
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
