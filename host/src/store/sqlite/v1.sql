-- Schema version 1. Frozen once released: later changes go in v2.sql, v3.sql, ... (see schema.rs).
-- Times are whole seconds since 1970-01-01 UTC. Vocabulary values (channels, bases, actions) are the
-- stable integer codes of domain::vocab. `seq` columns order a contact's rows: each contact keeps its
-- last used number in contacts.seq, so ordering needs no global counter.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Names of the purpose catalogue; ids keep ledger keys short. Purposes removed from the configuration
-- stay here because history refers to them.
CREATE TABLE purposes (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE import_batches (
    id             INTEGER PRIMARY KEY,
    started_at     INTEGER NOT NULL,
    finished_at    INTEGER,
    source_label   TEXT NOT NULL,
    channel        INTEGER NOT NULL,
    file_digest    TEXT,
    plugin_name    TEXT,
    plugin_version TEXT,
    plugin_digest  TEXT,
    operator       TEXT NOT NULL,
    report         TEXT
);

-- Where data came from (R2). One row per (batch, source label, channel), shared by all the batch's
-- contacts; manual entries get one row each. File digest and plugin live on the batch.
CREATE TABLE provenance (
    id           INTEGER PRIMARY KEY,
    batch_id     INTEGER REFERENCES import_batches(id),
    source_label TEXT NOT NULL,
    channel      INTEGER NOT NULL,
    operator     TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);

-- A contact. The row outlives erasure as a tombstone (ids are never reused and the audit log refers to
-- them). The derived columns (first_notice_at, suppressed_*) let can_process read one row.
CREATE TABLE contacts (
    id                  INTEGER PRIMARY KEY,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    last_interaction    INTEGER,
    first_notice_at     INTEGER,
    restricted_since    INTEGER,
    legal_hold_since    INTEGER,
    suppressed_since    INTEGER,
    suppressed_purposes TEXT,      -- NULL: not suppressed; '*': all purposes; else a JSON array
    erased_at           INTEGER,
    anonymised          TEXT,      -- JSON array of data category names
    seq                 INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX contacts_updated ON contacts(updated_at);

-- Identity lookup: `key` is domain::Identity::key() ('e:mario@x.it', 'p:+39...', 'x:erp:C-42').
CREATE TABLE identities (
    key           TEXT PRIMARY KEY,
    contact_id    INTEGER NOT NULL REFERENCES contacts(id),
    provenance_id INTEGER REFERENCES provenance(id)
) WITHOUT ROWID;
CREATE INDEX identities_contact ON identities(contact_id);

-- Field values: one row per (contact, source contribution) holding that source's values as a JSON
-- object. The current value of a field is the one in the contact's latest row that has it; earlier
-- rows are its history with their provenance (R11).
CREATE TABLE field_values (
    contact_id    INTEGER NOT NULL REFERENCES contacts(id),
    seq           INTEGER NOT NULL,
    provenance_id INTEGER NOT NULL REFERENCES provenance(id),
    collected_at  INTEGER NOT NULL,
    recorded_at   INTEGER NOT NULL,
    record_digest BLOB,            -- 16 bytes; recognises the same record from the same file (R4)
    fields        TEXT NOT NULL,   -- {"name": "value", ...}
    PRIMARY KEY (contact_id, seq)
) WITHOUT ROWID;
CREATE INDEX field_values_provenance ON field_values(provenance_id);

-- The consent ledger (R5, Art. 7(1)). Keyed so that "the latest event for (contact, purpose, channel)
-- at or before t" is one index seek. NULL method/collected_by mean "imported": read from provenance.
CREATE TABLE consent_events (
    contact_id     INTEGER NOT NULL REFERENCES contacts(id),
    purpose_id     INTEGER NOT NULL REFERENCES purposes(id),
    channel        INTEGER NOT NULL,
    at             INTEGER NOT NULL,
    seq            INTEGER NOT NULL,
    action         INTEGER NOT NULL,
    provenance_id  INTEGER REFERENCES provenance(id),
    method         TEXT,
    notice_version TEXT,
    evidence       TEXT,
    collected_by   TEXT,
    recorded_at    INTEGER NOT NULL,
    PRIMARY KEY (contact_id, purpose_id, channel, at, seq)
) WITHOUT ROWID;

-- Append-only, enforced by the database too: an event is never changed (only its free-text evidence
-- may be blanked by anonymisation) and is deleted only as part of the contact's erasure.
CREATE TRIGGER consent_events_append_only BEFORE UPDATE ON consent_events
WHEN NEW.contact_id IS NOT OLD.contact_id OR NEW.purpose_id IS NOT OLD.purpose_id
  OR NEW.channel IS NOT OLD.channel OR NEW.at IS NOT OLD.at OR NEW.seq IS NOT OLD.seq
  OR NEW.action IS NOT OLD.action OR NEW.method IS NOT OLD.method
  OR NEW.notice_version IS NOT OLD.notice_version OR NEW.collected_by IS NOT OLD.collected_by
  OR NEW.evidence IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'the consent ledger is append-only');
END;
CREATE TRIGGER consent_events_erasure_only BEFORE DELETE ON consent_events
WHEN (SELECT erased_at FROM contacts WHERE id = OLD.contact_id) IS NULL
BEGIN
    SELECT RAISE(ABORT, 'consent events are deleted only by erasing the contact');
END;

-- Legal bases per (contact, purpose) over time (R6). Only `end` may change (a contract terminated).
CREATE TABLE legal_bases (
    contact_id    INTEGER NOT NULL REFERENCES contacts(id),
    purpose_id    INTEGER NOT NULL REFERENCES purposes(id),
    seq           INTEGER NOT NULL,
    basis         INTEGER NOT NULL,
    start         INTEGER NOT NULL,
    end           INTEGER,
    provenance_id INTEGER REFERENCES provenance(id),
    recorded_at   INTEGER NOT NULL,
    PRIMARY KEY (contact_id, purpose_id, seq)
) WITHOUT ROWID;

-- Privacy notice versions (R7) and who received which, when. A consent event's notice_version is a
-- receipt too and is not repeated here (one row less per imported contact).
CREATE TABLE notices (
    id           INTEGER PRIMARY KEY,
    version      TEXT NOT NULL UNIQUE,
    published_at INTEGER NOT NULL,
    text_digest  TEXT,
    summary      TEXT
);
CREATE TABLE notice_receipts (
    contact_id    INTEGER NOT NULL REFERENCES contacts(id),
    notice_id     INTEGER NOT NULL REFERENCES notices(id),
    at            INTEGER NOT NULL,
    provenance_id INTEGER REFERENCES provenance(id),
    PRIMARY KEY (contact_id, notice_id, at)
) WITHOUT ROWID;

-- The suppression list (R13): HMAC-SHA-256 of identity keys under the installation secret (kept
-- outside the database). Survives erasure by design.
CREATE TABLE suppression (
    hash     BLOB PRIMARY KEY,
    kind     TEXT NOT NULL,
    since    INTEGER NOT NULL,
    reason   TEXT NOT NULL,
    purposes TEXT                  -- NULL: all purposes; else a JSON array
) WITHOUT ROWID;

-- The audit log (Art. 5(2)): hash-chained (see store/audit_chain.rs), no personal data in clear.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    role      TEXT NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT NOT NULL,
    details   TEXT NOT NULL,
    prev_hash BLOB NOT NULL,
    hash      BLOB NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
