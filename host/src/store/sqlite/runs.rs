//! Retention runs: recorded with every decision, then applied a short transaction at a time. Each
//! transaction applies up to a batch of pending decisions, each with its own audit entry and its
//! outcome written beside it, so after a crash every decision is either applied with its audit entry
//! and marked, or still pending, never half; the pending ones are applied by the next apply.

use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};
use serde_json::json;

use super::rows::{append_audit, now, ts};
use super::SqliteStore;
use crate::domain::{Actor, ContactId, RetentionAction, RetentionDecision, Timestamp};
use crate::store::error::{DbContext, StoreError};
use crate::store::runs::{
    outcome, RuleCounts, RuleRef, RunDecision, RunRecord, RunState, StoredDecision,
};
use crate::store::{ErasureCause, Result, RetentionRunStore};

fn kind(action: &RetentionAction) -> &'static str {
    match action {
        RetentionAction::Keep => "keep",
        RetentionAction::Erase => "erase",
        RetentionAction::Anonymise(_) => "anonymise",
        RetentionAction::Review => "review",
    }
}

impl RetentionRunStore for SqliteStore {
    fn run_start(
        &self,
        actor: &Actor,
        trigger: &str,
        now_for: Timestamp,
        rules: &[RuleRef],
    ) -> Result<i64> {
        let conn = self.writer()?;
        conn.prepare_cached(
            "INSERT INTO retention_runs (started_at, now_for, trigger, actor, rules, state) VALUES (?1, ?2, ?3, ?4, ?5, 'running')",
        )
        .and_then(|mut s| {
            s.execute(params![now().0, now_for.0, trigger, actor.name, serde_json::to_string(rules).expect("serialises")])
        })
        .db("cannot record the retention run")?;
        let id = conn.last_insert_rowid();
        drop(conn);
        self.written();
        Ok(id)
    }

    fn run_start_once(
        &self,
        actor: &Actor,
        trigger: &str,
        now_for: Timestamp,
        since: Timestamp,
        rules: &[RuleRef],
    ) -> Result<Option<i64>> {
        let mut conn = self.writer()?;
        // IMMEDIATE: the write lock is taken before the check, so another process cannot start
        // the same run between the check and the insert.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db("cannot start a write transaction")?;
        let decided: Option<i64> = tx
            .prepare_cached("SELECT max(now_for) FROM retention_runs WHERE trigger = ?1")
            .and_then(|mut s| s.query_row([trigger], |r| r.get(0)))
            .db("cannot read the retention runs")?;
        if decided.is_some_and(|at| at >= since.0) {
            return Ok(None);
        }
        tx.prepare_cached(
            "INSERT INTO retention_runs (started_at, now_for, trigger, actor, rules, state) VALUES (?1, ?2, ?3, ?4, ?5, 'running')",
        )
        .and_then(|mut s| {
            s.execute(params![now().0, now_for.0, trigger, actor.name, serde_json::to_string(rules).expect("serialises")])
        })
        .db("cannot record the retention run")?;
        let id = tx.last_insert_rowid();
        tx.commit().db("cannot commit")?;
        drop(conn);
        self.written();
        Ok(Some(id))
    }

    fn run_record(
        &self,
        run: i64,
        subjects: u64,
        kept: u64,
        decisions: &[RunDecision],
        dry: bool,
    ) -> Result<()> {
        let mut conn = self.writer()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db("cannot start a write transaction")?;
        let seq: i64 = tx
            .prepare_cached(
                "SELECT coalesce(max(seq), 0) FROM retention_decisions WHERE run_id = ?1",
            )
            .and_then(|mut s| s.query_row([run], |r| r.get(0)))
            .db("cannot read the run's decisions")?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO retention_decisions (run_id, seq, contact_id, kind, action, reason, legal_reference, rules, review_after, status, holds_from)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )
                .db("cannot record decisions")?;
            let recorded = decisions
                .iter()
                .filter(|d| d.decision.action != RetentionAction::Keep);
            for (i, d) in recorded.enumerate() {
                let k = kind(&d.decision.action);
                let status = match (dry, k) {
                    (true, "review") => Some("review"),
                    (true, _) => Some("dry"),
                    (false, _) => None,
                };
                insert
                    .execute(params![
                        run,
                        seq + 1 + i as i64,
                        d.decision.contact_id.0,
                        k,
                        serde_json::to_string(&d.decision.action).expect("serialises"),
                        d.decision.reason,
                        d.decision.legal_reference,
                        serde_json::to_string(&d.rules).expect("serialises"),
                        d.decision.review_after.map(|t| t.0),
                        status,
                        d.decision.holds_from.map(|t| t.0),
                    ])
                    .db("cannot record a decision")?;
            }
        }
        tx.prepare_cached(
            "UPDATE retention_runs SET subjects = subjects + ?2, kept = kept + ?3 WHERE id = ?1",
        )
        .and_then(|mut s| s.execute(params![run, subjects as i64, kept as i64]))
        .db("cannot update the run")?;
        tx.commit().db("cannot commit the decisions")?;
        self.written();
        Ok(())
    }

    fn run_set_state(
        &self,
        run: i64,
        state: RunState,
        duration_ms: Option<u64>,
        error: Option<&str>,
    ) -> Result<()> {
        let conn = self.writer()?;
        let finished = (state != RunState::Running).then(|| now().0);
        conn.prepare_cached(
            "UPDATE retention_runs SET state = ?2, finished_at = ?3, duration_ms = coalesce(?4, duration_ms), error = coalesce(?5, error) WHERE id = ?1",
        )
        .and_then(|mut s| s.execute(params![run, state.as_str(), finished, duration_ms.map(|d| d as i64), error]))
        .db("cannot update the run")?;
        drop(conn);
        self.written();
        Ok(())
    }

    fn run_apply_batch(&self, actor: &Actor, run: i64, limit: u32) -> Result<u64> {
        let mut erased_any = false;
        let remaining = self.write_batch(|tx| {
            let pending: Vec<(u64, StoredDecision)> = pending_decisions(tx, run, limit)?;
            for (seq, d) in pending {
                let (status, note) = match apply_one(self, tx, actor, run, &d.decision)? {
                    Ok(status) => (status, None),
                    Err(why) => ("refused", Some(why)),
                };
                erased_any |= status == "applied" && d.decision.decision.action != RetentionAction::Review;
                tx.prepare_cached("UPDATE retention_decisions SET status = ?3, note = ?4 WHERE run_id = ?1 AND seq = ?2")
                    .and_then(|mut s| s.execute(params![run, seq as i64, status, note]))
                    .db("cannot record the decision's outcome")?;
            }
            tx.prepare_cached("SELECT count(*) FROM retention_decisions WHERE run_id = ?1 AND status IS NULL")
                .and_then(|mut s| s.query_row([run], |r| r.get::<_, i64>(0)))
                .db("cannot count the pending decisions")
        })?;
        if erased_any {
            // Once per batch rather than per erasure: the erased bytes leave the files here.
            self.purge_files();
        }
        Ok(remaining as u64)
    }

    fn run(&self, id: i64) -> Result<RunRecord> {
        let conn = self.reader()?;
        let row = conn
            .prepare_cached(
                "SELECT id, state, trigger, actor, started_at, finished_at, now_for, rules, subjects, kept, duration_ms, error
                 FROM retention_runs WHERE id = ?1",
            )
            .and_then(|mut s| s.query_row([id], run_row).optional())
            .db("cannot read the retention run")?;
        let mut record = row.ok_or_else(|| StoreError::not_found(format!("retention run {id}")))?;
        counts(&conn, &mut record)?;
        Ok(record)
    }

    fn runs(&self, before: Option<i64>, limit: u32) -> Result<Vec<RunRecord>> {
        let conn = self.reader()?;
        let mut stmt = conn
            .prepare_cached(
                "SELECT id, state, trigger, actor, started_at, finished_at, now_for, rules, subjects, kept, duration_ms, error
                 FROM retention_runs WHERE id < ?1 ORDER BY id DESC LIMIT ?2",
            )
            .db("cannot list retention runs")?;
        let mut runs: Vec<RunRecord> = stmt
            .query_map(params![before.unwrap_or(i64::MAX), limit], run_row)
            .and_then(|rows| rows.collect())
            .db("cannot list retention runs")?;
        for r in &mut runs {
            counts(&conn, r)?;
        }
        Ok(runs)
    }

    fn run_decisions(
        &self,
        id: i64,
        after: Option<u64>,
        limit: u32,
    ) -> Result<Vec<StoredDecision>> {
        let conn = self.reader()?;
        let mut stmt = conn
            .prepare_cached(
                "SELECT seq, contact_id, action, reason, legal_reference, rules, review_after, status, note, holds_from
                 FROM retention_decisions WHERE run_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            )
            .db("cannot read the run's decisions")?;
        let rows = stmt
            .query_map(params![id, after.unwrap_or(0) as i64, limit], decision_row)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .db("cannot read the run's decisions")?;
        Ok(rows)
    }

    fn run_last_decided(&self, trigger: &str) -> Result<Option<Timestamp>> {
        let conn = self.reader()?;
        let at: Option<i64> = conn
            .prepare_cached("SELECT max(now_for) FROM retention_runs WHERE trigger = ?1")
            .and_then(|mut s| s.query_row([trigger], |r| r.get(0)))
            .db("cannot read the retention runs")?;
        Ok(ts(at))
    }

    fn runs_in_state(&self, state: RunState) -> Result<Vec<i64>> {
        let conn = self.reader()?;
        let mut stmt = conn
            .prepare_cached("SELECT id FROM retention_runs WHERE state = ?1 ORDER BY id")
            .db("cannot list retention runs")?;
        let ids = stmt
            .query_map([state.as_str()], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .db("cannot list retention runs")?;
        Ok(ids)
    }
}

impl SqliteStore {
    /// One IMMEDIATE transaction on the writer whose audit entries `f` appends itself (one per
    /// decision), committed whole.
    fn write_batch<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.writer()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db("cannot start a write transaction")?;
        let value = f(&tx)?;
        tx.commit().db("cannot commit")?;
        self.written();
        Ok(value)
    }
}

fn pending_decisions(
    tx: &Transaction<'_>,
    run: i64,
    limit: u32,
) -> Result<Vec<(u64, StoredDecision)>> {
    let mut stmt = tx
        .prepare_cached(
            "SELECT seq, contact_id, action, reason, legal_reference, rules, review_after, status, note, holds_from
             FROM retention_decisions WHERE run_id = ?1 AND status IS NULL ORDER BY seq LIMIT ?2",
        )
        .db("cannot read the pending decisions")?;
    let rows = stmt
        .query_map(params![run, limit], decision_row)
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .db("cannot read the pending decisions")?;
    Ok(rows.into_iter().map(|d| (d.seq, d)).collect())
}

/// Applies one decision inside the batch's transaction, under a savepoint: `Ok(Err(why))` when the
/// store refuses it (a legal hold, a restriction, an erased contact), with nothing of it written.
fn apply_one(
    store: &SqliteStore,
    tx: &Transaction<'_>,
    actor: &Actor,
    run: i64,
    d: &RunDecision,
) -> Result<std::result::Result<&'static str, String>> {
    let decision = &d.decision;
    let id = decision.contact_id;
    let reason = format!(
        "retention rule {}: {} ({})",
        d.rules.join(" + "),
        decision.reason,
        decision.legal_reference
    );
    // The audit entry's reason has a 200-character limit: a long rule reason is cut, not refused.
    let reason: String = reason.chars().take(200).collect();
    if decision.action == RetentionAction::Review {
        super::review::open_item(tx, run, d, Timestamp::now())?;
        return Ok(Ok("review"));
    }
    tx.execute_batch("SAVEPOINT decision")
        .db("cannot start a savepoint")?;
    let done = match &decision.action {
        RetentionAction::Erase => store
            .erase_in(tx, id, &reason, Timestamp::now(), ErasureCause::Retention)
            .map(|(_, draft)| draft),
        RetentionAction::Anonymise(categories) => store
            .anonymise_in(tx, id, categories, &reason, ErasureCause::Retention)
            .map(|(_, draft)| draft),
        RetentionAction::Keep | RetentionAction::Review => unreachable!("not recorded as pending"),
    };
    let refused = match done {
        Ok(mut draft) => {
            draft.details["run"] = json!(run);
            append_audit(tx, &store.keys, actor, &draft)?;
            None
        }
        // The decision could not be applied: why is recorded, and the run goes on.
        Err(
            e @ (StoreError::Conflict(_)
            | StoreError::Erased { .. }
            | StoreError::NotFound { .. }
            | StoreError::InvalidInput(_)),
        ) => Some(e.to_string()),
        Err(other) => return Err(other),
    };
    match refused {
        None => {
            tx.execute_batch("RELEASE decision")
                .db("cannot release a savepoint")?;
            Ok(Ok("applied"))
        }
        Some(why) => {
            tx.execute_batch("ROLLBACK TO decision; RELEASE decision")
                .db("cannot roll back a savepoint")?;
            Ok(Err(why))
        }
    }
}

fn run_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunRecord> {
    let state: String = r.get(1)?;
    let rules: String = r.get(7)?;
    Ok(RunRecord {
        id: r.get(0)?,
        state: RunState::parse(&state).unwrap_or(RunState::Failed),
        trigger: r.get(2)?,
        actor: r.get(3)?,
        started_at: Timestamp(r.get(4)?),
        finished_at: ts(r.get(5)?),
        now: Timestamp(r.get(6)?),
        rules: serde_json::from_str(&rules).unwrap_or_default(),
        subjects: r.get::<_, i64>(8)? as u64,
        kept: r.get::<_, i64>(9)? as u64,
        erased: 0,
        anonymised: 0,
        to_review: 0,
        not_applied: 0,
        pending: 0,
        by_rule: Vec::new(),
        duration_ms: r.get::<_, Option<i64>>(10)?.map(|d| d as u64),
        error: r.get(11)?,
    })
}

fn decision_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredDecision> {
    let action: String = r.get(2)?;
    let rules: String = r.get(5)?;
    let status: Option<String> = r.get(7)?;
    let note: Option<String> = r.get(8)?;
    let outcome = match status.as_deref() {
        None => outcome::PENDING.to_string(),
        Some("applied") => outcome::APPLIED.to_string(),
        Some("dry") => outcome::DRY.to_string(),
        Some("review") => outcome::REVIEW.to_string(),
        Some(_) => format!("{}: {}", outcome::NOT_APPLIED, note.unwrap_or_default()),
    };
    Ok(StoredDecision {
        seq: r.get::<_, i64>(0)? as u64,
        decision: RunDecision {
            decision: RetentionDecision {
                contact_id: ContactId(r.get(1)?),
                action: serde_json::from_str(&action).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        2,
                        rusqlite::types::Type::Text,
                        e.into(),
                    )
                })?,
                reason: r.get(3)?,
                legal_reference: r.get(4)?,
                review_after: ts(r.get(6)?),
                holds_from: ts(r.get(9)?),
            },
            rules: serde_json::from_str(&rules).unwrap_or_default(),
        },
        outcome,
    })
}

/// Fills the run's counts from its decisions.
fn counts(conn: &rusqlite::Connection, run: &mut RunRecord) -> Result<()> {
    let mut stmt = conn
        .prepare_cached("SELECT kind, status, count(*) FROM retention_decisions WHERE run_id = ?1 GROUP BY kind, status")
        .db("cannot count the run's decisions")?;
    let rows: Vec<(String, Option<String>, i64)> = stmt
        .query_map([run.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .and_then(|rows| rows.collect())
        .db("cannot count the run's decisions")?;
    for (kind, status, n) in rows {
        let n = n as u64;
        match (kind.as_str(), status.as_deref()) {
            (_, None) => run.pending += n,
            (_, Some("refused")) => run.not_applied += n,
            ("review", _) => run.to_review += n,
            ("erase", _) => run.erased += n,
            (_, _) => run.anonymised += n,
        }
    }
    let mut stmt = conn
        .prepare_cached(
            "SELECT j.value, d.kind, count(*) FROM retention_decisions d, json_each(d.rules) j
             WHERE d.run_id = ?1 GROUP BY j.value, d.kind ORDER BY j.value",
        )
        .db("cannot count the run's decisions")?;
    let rows: Vec<(String, String, i64)> = stmt
        .query_map([run.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .and_then(|rows| rows.collect())
        .db("cannot count the run's decisions")?;
    for (rule, kind, n) in rows {
        if run.by_rule.last().is_none_or(|c| c.rule != rule) {
            run.by_rule.push(RuleCounts {
                rule,
                ..RuleCounts::default()
            });
        }
        let counts = run.by_rule.last_mut().expect("pushed above");
        match kind.as_str() {
            "erase" => counts.erase += n as u64,
            "anonymise" => counts.anonymise += n as u64,
            _ => counts.review += n as u64,
        }
    }
    Ok(())
}
