-- Schema version 7: why a contact is under legal hold; retention runs recorded with their decisions;
-- the review queue. Frozen once released.

-- The DPO's reason for the hold in force (litigation, an authority's request), shown with the hold in
-- access packages; NULL when no hold is in force (the audit log keeps every hold and lift).
ALTER TABLE contacts ADD COLUMN legal_hold_reason TEXT;

-- Retention runs, each with every decision other than a plain keep. Decisions are recorded before any
-- is applied and get their outcome in the transaction that applies them (with the audit entry), so
-- an apply cut short is finished from the pending ones. No personal data: contact ids, the rules'
-- reasons and references.
CREATE TABLE retention_runs (
    id          INTEGER PRIMARY KEY,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    now_for     INTEGER NOT NULL,  -- the time the rules decided for
    trigger     TEXT NOT NULL,     -- request | schedule | confirmation
    actor       TEXT NOT NULL,
    rules       TEXT NOT NULL,     -- JSON [{name, version, digest}]
    state       TEXT NOT NULL,     -- running | dry | waiting-for-confirmation | applied | partially-applied | failed
    subjects    INTEGER NOT NULL DEFAULT 0,
    kept        INTEGER NOT NULL DEFAULT 0,
    duration_ms INTEGER,
    error       TEXT
);
CREATE INDEX retention_runs_state ON retention_runs(state);

CREATE TABLE retention_decisions (
    run_id          INTEGER NOT NULL REFERENCES retention_runs(id),
    seq             INTEGER NOT NULL,
    contact_id      INTEGER NOT NULL,
    kind            TEXT NOT NULL,     -- erase | anonymise | review
    action          TEXT NOT NULL,     -- JSON of the action (with the categories to anonymise)
    reason          TEXT NOT NULL,
    legal_reference TEXT NOT NULL,
    rules           TEXT NOT NULL,     -- JSON array of the rule names that decided
    review_after    INTEGER,
    holds_from      INTEGER,           -- from when the decision holds, if the rule said
    status          TEXT,              -- NULL while pending; applied | dry | review | refused
    note            TEXT,              -- why a refused decision could not be applied
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE INDEX retention_decisions_pending ON retention_decisions(run_id, seq) WHERE status IS NULL;

-- The review queue: "review" decisions a DPO resolves (keep until a date, erase, anonymise).
CREATE TABLE review_items (
    id              INTEGER PRIMARY KEY,
    contact_id      INTEGER NOT NULL,
    run_id          INTEGER NOT NULL REFERENCES retention_runs(id),
    reason          TEXT NOT NULL,
    legal_reference TEXT NOT NULL,
    rules           TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    state           TEXT NOT NULL,     -- open | kept | erased | anonymised
    resolved_at     INTEGER,
    resolved_by     TEXT,
    resolution      TEXT,              -- the DPO's reason
    review_after    INTEGER            -- a kept item is not asked about again before this time
);
CREATE INDEX review_items_contact ON review_items(contact_id, state);
CREATE INDEX review_items_open ON review_items(state, id);
