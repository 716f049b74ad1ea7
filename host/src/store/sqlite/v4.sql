-- Schema version 4: identities removed by a rectification are kept as history, and the ledgers are
-- append-only in the database itself. Frozen once released.

-- An identity a rectification removed (R11: a rectification adds, it never loses where the old
-- value came from, until erasure). It no longer matches imports or subjects; erasure (and the
-- anonymisation of contact data) puts its keyed hash on the suppression list with the current
-- identities, then deletes the row.
CREATE TABLE former_identities (
    contact_id    INTEGER NOT NULL REFERENCES contacts(id),
    key           TEXT NOT NULL,
    provenance_id INTEGER REFERENCES provenance(id),          -- where the identity came from
    removed_at    INTEGER NOT NULL,
    removed_by    INTEGER NOT NULL REFERENCES provenance(id), -- the rectification
    PRIMARY KEY (contact_id, key, removed_at)
) WITHOUT ROWID;

-- Version 1's trigger let `provenance_id` and `recorded_at` change: now no column may, but the
-- free-text evidence, which anonymisation blanks.
DROP TRIGGER consent_events_append_only;
CREATE TRIGGER consent_events_append_only BEFORE UPDATE ON consent_events
WHEN NEW.contact_id IS NOT OLD.contact_id OR NEW.purpose_id IS NOT OLD.purpose_id
  OR NEW.channel IS NOT OLD.channel OR NEW.at IS NOT OLD.at OR NEW.seq IS NOT OLD.seq
  OR NEW.action IS NOT OLD.action OR NEW.method IS NOT OLD.method
  OR NEW.notice_version IS NOT OLD.notice_version OR NEW.collected_by IS NOT OLD.collected_by
  OR NEW.provenance_id IS NOT OLD.provenance_id OR NEW.recorded_at IS NOT OLD.recorded_at
  OR NEW.evidence IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'the consent ledger is append-only');
END;

-- A legal-basis period is never rewritten: only its end is set (a contract terminated, R6).
CREATE TRIGGER legal_bases_only_end_changes BEFORE UPDATE ON legal_bases
WHEN NEW.contact_id IS NOT OLD.contact_id OR NEW.purpose_id IS NOT OLD.purpose_id
  OR NEW.seq IS NOT OLD.seq OR NEW.basis IS NOT OLD.basis OR NEW.start IS NOT OLD.start
  OR NEW.provenance_id IS NOT OLD.provenance_id OR NEW.recorded_at IS NOT OLD.recorded_at
BEGIN
    SELECT RAISE(ABORT, 'a legal basis period is never rewritten: only its end may be set');
END;
CREATE TRIGGER legal_bases_erasure_only BEFORE DELETE ON legal_bases
WHEN (SELECT erased_at FROM contacts WHERE id = OLD.contact_id) IS NULL
BEGIN
    SELECT RAISE(ABORT, 'legal bases are deleted only by erasing the contact');
END;

-- Which notice a person received, and when (R7), is evidence like the consent ledger.
CREATE TRIGGER notice_receipts_no_update BEFORE UPDATE ON notice_receipts
BEGIN
    SELECT RAISE(ABORT, 'notice receipts are append-only');
END;
CREATE TRIGGER notice_receipts_erasure_only BEFORE DELETE ON notice_receipts
WHEN (SELECT erased_at FROM contacts WHERE id = OLD.contact_id) IS NULL
BEGIN
    SELECT RAISE(ABORT, 'notice receipts are deleted only by erasing the contact');
END;

-- Former identities are history: erasure and anonymisation of contact data delete them, nothing
-- rewrites them.
CREATE TRIGGER former_identities_no_update BEFORE UPDATE ON former_identities
BEGIN
    SELECT RAISE(ABORT, 'former identities are history: they are never rewritten');
END;
