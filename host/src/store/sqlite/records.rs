//! Writing contact records: the one code path behind imports (thousands of records per transaction)
//! and contacts entered by hand (one record). Statements are prepared once per sink, caches live as long
//! as the sink, and a record costs one lookup per identity plus one insert per row it adds.
//!
//! Merge rule: a record belongs to an existing contact when it shares an identity with it (an external
//! id of the same system, an email, or a phone, tried in that order of strength; ties go to the oldest
//! contact). Its identities not yet known are added to that contact; identities another contact already
//! has stay with that contact (contacts are never merged automatically: a person decides). Its field
//! values become a new row: for a field given again with another value, the new value is current and the
//! old one stays as history with its provenance.

use std::collections::HashMap;

use rusqlite::{params, CachedStatement, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use super::suppression::scope_to_sql;
use super::SqliteStore;
use crate::domain::{
    BatchId, ContactId, FieldValue, NormalizedRecord, RecordOutcome, SourceChannel,
    SuppressionScope, Timestamp,
};
use crate::store::error::{DbContext, StoreError};
use crate::store::{ImportCounts, RecordWriter, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnExisting {
    /// Imports: add to the contact that shares an identity.
    Merge,
    /// Contacts entered by hand: refuse, so nobody overwrites a contact without seeing it.
    Conflict,
}

pub(crate) struct SinkConfig {
    pub batch: Option<BatchId>,
    pub file_digest: Option<String>,
    pub source_label: String,
    pub channel: SourceChannel,
    pub operator: String,
    pub default_collected_at: Timestamp,
    pub on_existing: OnExisting,
}

struct Statements<'c> {
    find_identity: CachedStatement<'c>,
    insert_identity: CachedStatement<'c>,
    insert_contact: CachedStatement<'c>,
    read_contact: CachedStatement<'c>,
    update_contact: CachedStatement<'c>,
    has_digest: CachedStatement<'c>,
    insert_values: CachedStatement<'c>,
    insert_event: CachedStatement<'c>,
    has_event: CachedStatement<'c>,
    insert_basis: CachedStatement<'c>,
    has_basis: CachedStatement<'c>,
    insert_receipt: CachedStatement<'c>,
}

impl<'c> Statements<'c> {
    fn prepare(conn: &'c Connection) -> Result<Self> {
        let p = |sql: &str| {
            conn.prepare_cached(sql)
                .db("cannot prepare the record writer")
        };
        Ok(Statements {
            find_identity: p("SELECT contact_id FROM identities WHERE key = ?1")?,
            insert_identity: p("INSERT INTO identities (key, contact_id, provenance_id) VALUES (?1, ?2, ?3)")?,
            insert_contact: p(
                "INSERT INTO contacts (created_at, updated_at, last_interaction, first_notice_at, suppressed_since, suppressed_purposes, seq)
                 VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
            read_contact: p("SELECT seq, last_interaction, first_notice_at FROM contacts WHERE id = ?1")?,
            update_contact: p(
                "UPDATE contacts SET updated_at = ?2, last_interaction = ?3, first_notice_at = ?4, seq = ?5 WHERE id = ?1",
            )?,
            has_digest: p("SELECT 1 FROM field_values WHERE contact_id = ?1 AND record_digest = ?2 LIMIT 1")?,
            insert_values: p(
                "INSERT INTO field_values (contact_id, seq, provenance_id, collected_at, recorded_at, record_digest, fields)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?,
            insert_event: p(
                "INSERT INTO consent_events (contact_id, purpose_id, channel, at, seq, action, provenance_id, notice_version, evidence, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?,
            has_event: p(
                "SELECT 1 FROM consent_events WHERE contact_id = ?1 AND purpose_id = ?2 AND channel = ?3 AND at = ?4 AND action = ?5 LIMIT 1",
            )?,
            insert_basis: p(
                "INSERT INTO legal_bases (contact_id, purpose_id, seq, basis, start, end, provenance_id, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?,
            has_basis: p(
                "SELECT 1 FROM legal_bases WHERE contact_id = ?1 AND purpose_id = ?2 AND basis = ?3 AND start = ?4 AND end IS ?5 LIMIT 1",
            )?,
            insert_receipt: p("INSERT OR IGNORE INTO notice_receipts (contact_id, notice_id, at, provenance_id) VALUES (?1, ?2, ?3, ?4)")?,
        })
    }
}

pub(crate) struct RecordSink<'c> {
    store: &'c SqliteStore,
    conn: &'c Connection,
    cfg: SinkConfig,
    now: i64,
    stmts: Statements<'c>,
    /// Provenance rows of this sink, one per (label, channel) override: shared by all its records.
    provenance: HashMap<(Option<String>, Option<SourceChannel>), i64>,
    notices: HashMap<String, i64>,
    counts: ImportCounts,
    /// Set after a database error: the transaction may hold part of a record, so it must not commit.
    pub poisoned: bool,
    json: String,
}

impl<'c> RecordSink<'c> {
    pub fn new(store: &'c SqliteStore, conn: &'c Connection, cfg: SinkConfig) -> Result<Self> {
        Ok(RecordSink {
            store,
            conn,
            cfg,
            now: super::now().0,
            stmts: Statements::prepare(conn)?,
            provenance: HashMap::new(),
            notices: HashMap::new(),
            counts: ImportCounts::default(),
            poisoned: false,
            json: String::with_capacity(256),
        })
    }

    fn provenance_id(&mut self, record: &NormalizedRecord) -> Result<i64> {
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
        self.provenance.insert(key, id);
        Ok(id)
    }

    fn notice_id(&mut self, version: &str, at: i64) -> Result<i64> {
        if let Some(id) = self.notices.get(version) {
            return Ok(*id);
        }
        let id = super::consent::notice_id_or_register(self.conn, version, at, self.cfg.batch)?;
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

    fn write_record(&mut self, record: &NormalizedRecord) -> Result<RecordOutcome> {
        let mut keys: Vec<(String, u8)> = Vec::with_capacity(record.identities.len());
        for identity in &record.identities {
            let key = identity.key();
            if !keys.iter().any(|(k, _)| *k == key) {
                keys.push((key, identity.merge_rank()));
            }
        }
        let mut partial: Option<(Timestamp, SuppressionScope)> = None;
        {
            let list = self
                .store
                .suppression
                .read()
                .unwrap_or_else(|p| p.into_inner());
            if !list.is_empty() {
                for (key, _) in &keys {
                    if let Some((since, scope)) = list.get(&self.store.keys.suppression_hash(key)) {
                        if *scope == SuppressionScope::All {
                            self.counts.suppressed += 1;
                            return Ok(RecordOutcome::Suppressed);
                        }
                        partial = Some(match partial {
                            Some((s, p)) => (s.min(*since), p.union(scope)),
                            None => (*since, scope.clone()),
                        });
                    }
                }
            }
        }
        let mut owners: Vec<Option<i64>> = Vec::with_capacity(keys.len());
        let mut target: Option<(u8, i64)> = None;
        for (key, rank) in &keys {
            let owner: Option<i64> = self
                .stmts
                .find_identity
                .query_row([key], |r| r.get(0))
                .optional()
                .db("cannot look up an identity")?;
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
                Err(StoreError::Conflict(format!(
                    "{} `{}` already belongs to contact {id}: rectify that contact instead of creating another",
                    record.identities.iter().find(|x| x.key() == keys[i].0).map_or("identity", |x| x.kind()),
                    keys[i].0.split_once(':').map_or("", |(_, v)| v)
                )))
            }
            Some((_, id)) => {
                let found: Option<i64> = self
                    .stmts
                    .has_digest
                    .query_row(params![id, digest.as_slice()], |r| r.get(0))
                    .optional()
                    .db("cannot check for a repeated record")?;
                if found.is_some() {
                    self.counts.unchanged += 1;
                    return Ok(RecordOutcome::Unchanged(ContactId(id)));
                }
                let prov = self.provenance_id(record)?;
                self.merge(
                    ContactId(id),
                    record,
                    &keys,
                    &owners,
                    prov,
                    collected_at,
                    &digest,
                    partial,
                )?;
                self.counts.merged += 1;
                Ok(RecordOutcome::Merged(ContactId(id)))
            }
            None => {
                let prov = self.provenance_id(record)?;
                let id = self.create(record, &keys, prov, collected_at, &digest, partial)?;
                self.counts.created += 1;
                Ok(RecordOutcome::Created(id))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn create(
        &mut self,
        record: &NormalizedRecord,
        keys: &[(String, u8)],
        prov: i64,
        collected_at: i64,
        digest: &[u8; 16],
        suppression: Option<(Timestamp, SuppressionScope)>,
    ) -> Result<ContactId> {
        let first_notice = first_notice(record, collected_at);
        let rows = 1 + record.consents.len() + record.legal_bases.len();
        let (since, scope) = match &suppression {
            Some((since, scope)) => (Some(since.0), Some(scope_to_sql(scope))),
            None => (None, None),
        };
        self.stmts
            .insert_contact
            .execute(params![
                self.now,
                record.last_interaction.map(|t| t.0),
                first_notice,
                since,
                scope,
                rows as i64
            ])
            .db("cannot create the contact")?;
        let id = ContactId(self.conn.last_insert_rowid());
        for (key, _) in keys {
            self.stmts
                .insert_identity
                .execute(params![key, id.0, prov])
                .db("cannot record an identity")?;
        }
        self.write_rows(id, 0, record, prov, collected_at, digest, false)?;
        Ok(id)
    }

    #[allow(clippy::too_many_arguments)]
    fn merge(
        &mut self,
        id: ContactId,
        record: &NormalizedRecord,
        keys: &[(String, u8)],
        owners: &[Option<i64>],
        prov: i64,
        collected_at: i64,
        digest: &[u8; 16],
        suppression: Option<(Timestamp, SuppressionScope)>,
    ) -> Result<()> {
        let (seq, last, notice): (i64, Option<i64>, Option<i64>) = self
            .stmts
            .read_contact
            .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .db("cannot read the contact to merge into")?;
        for ((key, _), owner) in keys.iter().zip(owners) {
            if owner.is_none() {
                self.stmts
                    .insert_identity
                    .execute(params![key, id.0, prov])
                    .db("cannot record an identity")?;
            }
        }
        let seq = self.write_rows(id, seq, record, prov, collected_at, digest, true)?;
        let last = max_opt(last, record.last_interaction.map(|t| t.0));
        let notice = min_opt(notice, first_notice(record, collected_at));
        self.stmts
            .update_contact
            .execute(params![id.0, self.now, last, notice, seq])
            .db("cannot update the contact")?;
        if let Some((since, scope)) = suppression {
            super::suppression::mark_contact(self.conn, id, since, &scope)?;
        }
        Ok(())
    }

    /// Field values, consent events, legal bases and notice receipts of a record; returns the contact's
    /// last used sequence number. `dedup` skips events and bases the contact already has (merges).
    #[allow(clippy::too_many_arguments)]
    fn write_rows(
        &mut self,
        id: ContactId,
        mut seq: i64,
        record: &NormalizedRecord,
        prov: i64,
        collected_at: i64,
        digest: &[u8; 16],
        dedup: bool,
    ) -> Result<i64> {
        fields_json(&mut self.json, &record.fields);
        seq += 1;
        self.stmts
            .insert_values
            .execute(params![
                id.0,
                seq,
                prov,
                collected_at,
                self.now,
                digest.as_slice(),
                self.json
            ])
            .db("cannot record the field values")?;
        for c in &record.consents {
            let purpose = self.purpose_id(&c.purpose)?;
            let at = c.at.map_or(collected_at, |t| t.0);
            let key = params![id.0, purpose, c.channel.code(), at, c.action.code()];
            if dedup
                && self
                    .stmts
                    .has_event
                    .exists(key)
                    .db("cannot check the ledger")?
            {
                continue;
            }
            seq += 1;
            self.stmts
                .insert_event
                .execute(params![
                    id.0,
                    purpose,
                    c.channel.code(),
                    at,
                    seq,
                    c.action.code(),
                    prov,
                    c.notice_version,
                    c.evidence,
                    self.now
                ])
                .db("cannot append to the consent ledger")?;
            // The ledger row itself records the notice seen with the consent: no separate receipt row
            // (one row less per contact); the version is still registered among the notices.
            if let Some(version) = &c.notice_version {
                self.notice_id(version, at)?;
            }
        }
        for b in &record.legal_bases {
            let purpose = self.purpose_id(&b.purpose)?;
            let start = b.start.map_or(collected_at, |t| t.0);
            let end = b.end.map(|t| t.0);
            if dedup
                && self
                    .stmts
                    .has_basis
                    .exists(params![id.0, purpose, b.basis.code(), start, end])
                    .db("cannot check the legal bases")?
            {
                continue;
            }
            seq += 1;
            self.stmts
                .insert_basis
                .execute(params![
                    id.0,
                    purpose,
                    seq,
                    b.basis.code(),
                    start,
                    end,
                    prov,
                    self.now
                ])
                .db("cannot record the legal basis")?;
        }
        for n in &record.notices {
            let at = n.at.map_or(collected_at, |t| t.0);
            let notice = self.notice_id(&n.version, at)?;
            self.stmts
                .insert_receipt
                .execute(params![id.0, notice, at, prov])
                .db("cannot record the notice receipt")?;
        }
        Ok(seq)
    }
}

impl RecordWriter for RecordSink<'_> {
    fn write(&mut self, record: &NormalizedRecord) -> Result<RecordOutcome> {
        if self.poisoned {
            return Err(StoreError::Conflict(
                "an earlier record failed to write: the import must stop and roll back".into(),
            ));
        }
        self.store.policy.check_record(record)?;
        let outcome = self.write_record(record);
        if let Err(e) = &outcome {
            self.poisoned = !matches!(e, StoreError::InvalidInput(_) | StoreError::Conflict(_));
        }
        outcome
    }

    fn counts(&self) -> ImportCounts {
        self.counts
    }
}

fn first_notice(record: &NormalizedRecord, collected_at: i64) -> Option<i64> {
    let notices = record
        .notices
        .iter()
        .map(|n| n.at.map_or(collected_at, |t| t.0));
    let consents = record
        .consents
        .iter()
        .filter(|c| c.notice_version.is_some())
        .map(|c| c.at.map_or(collected_at, |t| t.0));
    notices.chain(consents).min()
}

fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    a.max(b)
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) | (None, x) => x,
    }
}

/// The field values as one JSON object; blank values are left out, and a name given twice keeps its
/// last value. Written by hand: this runs once per imported record.
pub(crate) fn fields_json(out: &mut String, fields: &[FieldValue]) {
    out.clear();
    out.push('{');
    let mut first = true;
    for (i, f) in fields.iter().enumerate() {
        let value = f.value.trim();
        if value.is_empty() || fields[i + 1..].iter().any(|g| g.name == f.name) {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        push_json_string(out, &f.name);
        out.push(':');
        push_json_string(out, value);
    }
    out.push('}');
}

fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                use std::fmt::Write;
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Identifies "the same record from the same file" (R4): the file digest and everything the record says,
/// each part length-prefixed. The row number is left out so a duplicate row of a file is recognised too.
pub(crate) fn record_digest(file_digest: Option<&str>, r: &NormalizedRecord) -> [u8; 16] {
    let mut h = Sha256::new();
    let mut part = |bytes: &[u8]| {
        h.update((bytes.len() as u32).to_le_bytes());
        h.update(bytes);
    };
    part(file_digest.unwrap_or("").as_bytes());
    for i in &r.identities {
        part(i.key().as_bytes());
    }
    part(b"|fields");
    for f in &r.fields {
        part(f.name.as_bytes());
        part(f.value.trim().as_bytes());
    }
    part(b"|consents");
    for c in &r.consents {
        part(c.purpose.as_bytes());
        part(&[c.channel.code() as u8, c.action.code() as u8]);
        part(&c.at.map_or(i64::MIN, |t| t.0).to_le_bytes());
        part(c.evidence.as_deref().unwrap_or("").as_bytes());
        part(c.notice_version.as_deref().unwrap_or("").as_bytes());
    }
    part(b"|bases");
    for b in &r.legal_bases {
        part(b.purpose.as_bytes());
        part(&[b.basis.code() as u8]);
        part(&b.start.map_or(i64::MIN, |t| t.0).to_le_bytes());
        part(&b.end.map_or(i64::MIN, |t| t.0).to_le_bytes());
    }
    part(b"|notices");
    for n in &r.notices {
        part(n.version.as_bytes());
        part(&n.at.map_or(i64::MIN, |t| t.0).to_le_bytes());
    }
    part(b"|source");
    part(r.source.label.as_deref().unwrap_or("").as_bytes());
    part(&[r.source.channel.map_or(0, |c| c.code() as u8)]);
    part(
        &r.source
            .collected_at
            .map_or(i64::MIN, |t| t.0)
            .to_le_bytes(),
    );
    part(&r.last_interaction.map_or(i64::MIN, |t| t.0).to_le_bytes());
    let full = h.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_json_escapes_skips_blanks_and_keeps_the_last_repeat() {
        let f = |n: &str, v: &str| FieldValue {
            name: n.into(),
            value: v.into(),
        };
        let mut out = String::new();
        fields_json(
            &mut out,
            &[
                f("notes", "say \"hi\"\n\\"),
                f("city", "  "),
                f("company", "A"),
                f("company", " B "),
            ],
        );
        assert_eq!(out, r#"{"notes":"say \"hi\"\u000a\\","company":"B"}"#);
        let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed["notes"], "say \"hi\"\n\\");
    }

    #[test]
    fn the_digest_ignores_the_row_but_not_the_file_or_content() {
        let a = NormalizedRecord {
            row: 1,
            fields: vec![FieldValue {
                name: "city".into(),
                value: "Roma".into(),
            }],
            ..NormalizedRecord::default()
        };
        let b = NormalizedRecord {
            row: 9,
            ..a.clone()
        };
        assert_eq!(record_digest(Some("f"), &a), record_digest(Some("f"), &b));
        assert_ne!(record_digest(Some("f"), &a), record_digest(Some("g"), &a));
        let mut c = a.clone();
        c.fields[0].value = "Milano".into();
        assert_ne!(record_digest(Some("f"), &a), record_digest(Some("f"), &c));
    }
}
