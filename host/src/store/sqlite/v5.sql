-- Schema version 5: suppression and restriction kept as periods, so a question about the past is
-- answered with what was in force then; the source row of an imported consent. Frozen once released.

-- Each addition to the suppression list with its own start and scope. `suppression` keeps one row
-- per identity (the widest scope, the earliest start: what imports check); widening it used to move
-- the first start and lose when each purpose began. No personal data: the keyed hash, a time, purpose
-- names. Survives erasure like the list.
CREATE TABLE suppression_periods (
    hash     BLOB NOT NULL,
    since    INTEGER NOT NULL,
    purposes TEXT                  -- NULL: all purposes; else a JSON array
);
CREATE INDEX suppression_periods_hash ON suppression_periods(hash);
-- What was known: one period per entry, from its recorded start.
INSERT INTO suppression_periods (hash, since, purposes) SELECT hash, since, purposes FROM suppression;
CREATE TRIGGER suppression_periods_no_update BEFORE UPDATE ON suppression_periods
BEGIN
    SELECT RAISE(ABORT, 'the suppression list is append-only');
END;
CREATE TRIGGER suppression_periods_no_delete BEFORE DELETE ON suppression_periods
BEGIN
    SELECT RAISE(ABORT, 'the suppression list is append-only');
END;

-- The periods of the suppressed identities a contact holds, so can_process reads them without
-- hashing identities (only when `contacts.suppressed_purposes` says there is any). Cleared by
-- erasure with the contact's other suppression columns; the list itself keeps the hashes.
CREATE TABLE contact_suppressions (
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    since      INTEGER NOT NULL,
    purposes   TEXT NOT NULL,      -- '*': all purposes; else a JSON array
    PRIMARY KEY (contact_id, since, purposes)
) WITHOUT ROWID;
INSERT INTO contact_suppressions (contact_id, since, purposes)
SELECT id, coalesce(suppressed_since, created_at), suppressed_purposes FROM contacts
 WHERE suppressed_purposes IS NOT NULL AND erased_at IS NULL;
CREATE TRIGGER contact_suppressions_erasure_only BEFORE DELETE ON contact_suppressions
WHEN (SELECT erased_at FROM contacts WHERE id = OLD.contact_id) IS NULL
BEGIN
    SELECT RAISE(ABORT, 'suppression periods are deleted only by erasing the contact');
END;

-- Restrictions of processing (Art. 18), lifted or in force: lifting sets `until` and keeps the
-- period. `contacts.restricted_since` stays the start of the one in force (NULL when none), which
-- lists, retention views and the erasure check read.
CREATE TABLE restrictions (
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    since      INTEGER NOT NULL,
    until      INTEGER,            -- NULL while in force
    recorded_at INTEGER NOT NULL
);
CREATE INDEX restrictions_contact ON restrictions(contact_id);
INSERT INTO restrictions (contact_id, since, until, recorded_at)
SELECT id, restricted_since, NULL, updated_at FROM contacts
 WHERE restricted_since IS NOT NULL AND erased_at IS NULL;
CREATE TRIGGER restrictions_only_lifted BEFORE UPDATE ON restrictions
WHEN NEW.contact_id IS NOT OLD.contact_id OR NEW.since IS NOT OLD.since
  OR NEW.recorded_at IS NOT OLD.recorded_at OR OLD.until IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a restriction period is never rewritten: only the one in force may be lifted');
END;
CREATE TRIGGER restrictions_erasure_only BEFORE DELETE ON restrictions
WHEN (SELECT erased_at FROM contacts WHERE id = OLD.contact_id) IS NULL
BEGIN
    SELECT RAISE(ABORT, 'restriction periods are deleted only by erasing the contact');
END;

-- The row of the source file an imported consent event came from (Art. 7(1): with the batch, its
-- file digest and the importer's evidence text, what demonstrates the consent). NULL for events
-- recorded by hand. Part of the append-only event.
ALTER TABLE consent_events ADD COLUMN source_row INTEGER;
DROP TRIGGER consent_events_append_only;
CREATE TRIGGER consent_events_append_only BEFORE UPDATE ON consent_events
WHEN NEW.contact_id IS NOT OLD.contact_id OR NEW.purpose_id IS NOT OLD.purpose_id
  OR NEW.channel IS NOT OLD.channel OR NEW.at IS NOT OLD.at OR NEW.seq IS NOT OLD.seq
  OR NEW.action IS NOT OLD.action OR NEW.method IS NOT OLD.method
  OR NEW.notice_version IS NOT OLD.notice_version OR NEW.collected_by IS NOT OLD.collected_by
  OR NEW.provenance_id IS NOT OLD.provenance_id OR NEW.recorded_at IS NOT OLD.recorded_at
  OR NEW.source_row IS NOT OLD.source_row
  OR NEW.evidence IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'the consent ledger is append-only');
END;
