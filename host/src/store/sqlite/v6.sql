-- Schema version 6: data-subject requests as tracked cases (Art. 12), their history, and the
-- document of an access or portability request until it is delivered. Frozen once released.

CREATE TABLE request_cases (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,      -- access, portability, erasure, rectification, restriction, objection
    subject         TEXT NOT NULL,      -- the identity as the person gave it: what the answer is about
    subject_key     TEXT,               -- its storage key (`e:…`), to find duplicates; NULL if unreadable
    contact_id      INTEGER REFERENCES contacts(id), -- NULL: Custode holds no data about this identity
    channel         TEXT NOT NULL,      -- how the request arrived (email, letter, phone, …)
    notes           TEXT NOT NULL,
    language        TEXT NOT NULL,
    received_at     INTEGER NOT NULL,
    first_due_at    INTEGER NOT NULL,   -- one month from receipt: extensions must be decided by then
    due_at          INTEGER NOT NULL,   -- stored, never derived from days left
    extended_months INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL,
    identity        TEXT NOT NULL,
    answer          TEXT,               -- what the person was told
    recipients      TEXT NOT NULL DEFAULT '[]', -- JSON array: to inform of the change (Art. 19)
    duplicate_of    TEXT NOT NULL DEFAULT '[]', -- JSON array of open cases of the same person and kind
    opened_at       INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX request_cases_status_due ON request_cases(status, due_at);
CREATE INDEX request_cases_subject ON request_cases(subject_key, kind, status);

-- Every step of a case, in order, as its history shows it (each also has an audit entry).
CREATE TABLE request_case_steps (
    case_id INTEGER NOT NULL REFERENCES request_cases(id),
    seq     INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    details TEXT NOT NULL,              -- JSON object
    PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;
CREATE TRIGGER request_case_steps_no_update BEFORE UPDATE ON request_case_steps
BEGIN
    SELECT RAISE(ABORT, 'a case''s history is append-only');
END;
CREATE TRIGGER request_case_steps_no_delete BEFORE DELETE ON request_case_steps
BEGIN
    SELECT RAISE(ABORT, 'a case''s history is append-only');
END;

-- The document an exporter rendered for an access or portability case: personal data, kept only
-- until it is delivered or `delete_after` passes.
CREATE TABLE request_documents (
    case_id      INTEGER PRIMARY KEY REFERENCES request_cases(id),
    file_name    TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    bytes        BLOB NOT NULL,
    sha256       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    delete_after INTEGER NOT NULL
);
