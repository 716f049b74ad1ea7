-- Schema version 3: what the legitimate-interest clock of can_process counts from. Frozen once released.

-- The latest `collected_at` of the contact's field-values rows: when a source last collected the
-- person's data (a card left at a fair, a form sent). With `last_interaction` it is when the
-- controller last heard from the person, which is what both the retention rule and can_process count
-- the 24 months of legitimate interest from (R12). Derived, maintained by every write of a
-- field-values row, so can_process still reads one contact row; cleared by erasure like
-- `last_interaction`.
ALTER TABLE contacts ADD COLUMN last_collected_at INTEGER;
UPDATE contacts
   SET last_collected_at = (SELECT max(collected_at) FROM field_values WHERE contact_id = contacts.id)
 WHERE erased_at IS NULL;
