//! Retention runs on PostgreSQL (the twin of `sqlite/runs.rs`): recorded with every decision, then
//! applied a short transaction at a time. Each transaction holds the writer lock and applies up to a
//! batch of pending decisions, each with its own audit entry and its outcome written beside it, so
//! after a crash every decision is either applied with its audit entry and marked, or still pending,
//! never half. Two servers applying the same run take turns on the lock; the second reads what the
//! first left pending only after it committed.

use postgres::{GenericClient, Row, Transaction};
use serde_json::json;

use super::rows::append_audit;
use super::{lock_writer, snapshot, PostgresStore};
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

/// Records a run as `running`; its id.
fn insert_run(
    client: &mut impl GenericClient,
    actor: &Actor,
    trigger: &str,
    now_for: Timestamp,
    rules: &[RuleRef],
) -> Result<i64> {
    let row = client
        .query_one(
            "INSERT INTO retention_runs (started_at, now_for, trigger, actor, rules, state)
             VALUES ($1, $2, $3, $4, $5, 'running') RETURNING id",
            &[
                &Timestamp::now().0,
                &now_for.0,
                &trigger,
                &actor.name,
                &serde_json::to_string(rules).expect("serialises"),
            ],
        )
        .db("cannot record the retention run")?;
    Ok(row.get(0))
}

const RUN_COLUMNS: &str = "id, state, trigger, actor, started_at, finished_at, now_for, rules, \
    subjects, kept, duration_ms, error";

const DECISION_COLUMNS: &str = "seq, contact_id, action, reason, legal_reference, rules, \
    review_after, status, note, holds_from";

impl RetentionRunStore for PostgresStore {
    fn run_start(
        &self,
        actor: &Actor,
        trigger: &str,
        now_for: Timestamp,
        rules: &[RuleRef],
    ) -> Result<i64> {
        // The identity column numbers runs uniquely across servers: no writer lock needed.
        insert_run(&mut **self.conn()?, actor, trigger, now_for, rules)
    }

    fn run_start_once(
        &self,
        actor: &Actor,
        trigger: &str,
        now_for: Timestamp,
        since: Timestamp,
        rules: &[RuleRef],
    ) -> Result<Option<i64>> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction().db("cannot start a write transaction")?;
        // The writer lock orders the servers: the second one sees the first one's run.
        super::lock_writer(&mut tx)?;
        let decided: Option<i64> = tx
            .query_one(
                "SELECT max(now_for) FROM retention_runs WHERE trigger = $1",
                &[&trigger],
            )
            .db("cannot read the retention runs")?
            .get(0);
        if decided.is_some_and(|at| at >= since.0) {
            return Ok(None);
        }
        let id = insert_run(&mut tx, actor, trigger, now_for, rules)?;
        tx.commit().db("cannot commit")?;
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
        let mut conn = self.conn()?;
        let mut tx = conn.transaction().db("cannot start a write transaction")?;
        // The writer lock: the next `seq` of the run stays this batch's until it commits.
        lock_writer(&mut tx)?;
        let seq: i64 = tx
            .query_one(
                "SELECT coalesce(max(seq), 0) FROM retention_decisions WHERE run_id = $1",
                &[&run],
            )
            .db("cannot read the run's decisions")?
            .get(0);
        // One statement per batch (columns as arrays), not one round trip per decision.
        let mut columns = DecisionColumns::default();
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
            columns.seq.push(seq + 1 + i as i64);
            columns.contact.push(d.decision.contact_id.0);
            columns.kind.push(k);
            columns
                .action
                .push(serde_json::to_string(&d.decision.action).expect("serialises"));
            columns.reason.push(&d.decision.reason);
            columns.legal_reference.push(&d.decision.legal_reference);
            columns
                .rules
                .push(serde_json::to_string(&d.rules).expect("serialises"));
            columns
                .review_after
                .push(d.decision.review_after.map(|t| t.0));
            columns.status.push(status);
            columns.holds_from.push(d.decision.holds_from.map(|t| t.0));
        }
        if !columns.seq.is_empty() {
            tx.execute(
                "INSERT INTO retention_decisions (run_id, seq, contact_id, kind, action, reason, legal_reference, rules, review_after, status, holds_from)
                 SELECT $1, * FROM unnest($2::BIGINT[], $3::BIGINT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[], $8::TEXT[], $9::BIGINT[], $10::TEXT[], $11::BIGINT[])",
                &[
                    &run,
                    &columns.seq,
                    &columns.contact,
                    &columns.kind,
                    &columns.action,
                    &columns.reason,
                    &columns.legal_reference,
                    &columns.rules,
                    &columns.review_after,
                    &columns.status,
                    &columns.holds_from,
                ],
            )
            .db("cannot record decisions")?;
        }
        tx.execute(
            "UPDATE retention_runs SET subjects = subjects + $2, kept = kept + $3 WHERE id = $1",
            &[&run, &(subjects as i64), &(kept as i64)],
        )
        .db("cannot update the run")?;
        tx.commit().db("cannot commit the decisions")
    }

    fn run_set_state(
        &self,
        run: i64,
        state: RunState,
        duration_ms: Option<u64>,
        error: Option<&str>,
    ) -> Result<()> {
        let finished = (state != RunState::Running).then(|| Timestamp::now().0);
        self.conn()?
            .execute(
                "UPDATE retention_runs SET state = $2, finished_at = $3,
                     duration_ms = coalesce($4, duration_ms), error = coalesce($5, error) WHERE id = $1",
                &[
                    &run,
                    &state.as_str(),
                    &finished,
                    &duration_ms.map(|d| d as i64),
                    &error,
                ],
            )
            .map(drop)
            .db("cannot update the run")
    }

    fn run_apply_batch(&self, actor: &Actor, run: i64, limit: u32) -> Result<u64> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction().db("cannot start a write transaction")?;
        lock_writer(&mut tx)?;
        // Read after the lock: what another server applied before is no longer pending.
        let pending = pending_decisions(&mut tx, run, limit)?;
        for d in pending {
            let (status, note) = match apply_one(self, &mut tx, actor, run, &d.decision)? {
                Ok(status) => (status, None),
                Err(why) => ("refused", Some(why)),
            };
            tx.execute(
                "UPDATE retention_decisions SET status = $3, note = $4 WHERE run_id = $1 AND seq = $2",
                &[&run, &(d.seq as i64), &status, &note],
            )
            .db("cannot record the decision's outcome")?;
        }
        let remaining: i64 = tx
            .query_one(
                "SELECT count(*) FROM retention_decisions WHERE run_id = $1 AND status IS NULL",
                &[&run],
            )
            .db("cannot count the pending decisions")?
            .get(0);
        tx.commit().db("cannot commit")?;
        Ok(remaining as u64)
    }

    fn run(&self, id: i64) -> Result<RunRecord> {
        let mut conn = self.conn()?;
        // One snapshot: the run and its counts agree even while another server applies it.
        let mut tx = snapshot(&mut conn, "cannot read the retention run")?;
        let row = tx
            .query_opt(
                &format!("SELECT {RUN_COLUMNS} FROM retention_runs WHERE id = $1"),
                &[&id],
            )
            .db("cannot read the retention run")?;
        let mut record = row
            .as_ref()
            .map(run_row)
            .ok_or_else(|| StoreError::not_found(format!("retention run {id}")))?;
        counts(&mut tx, &mut record)?;
        Ok(record)
    }

    fn runs(&self, before: Option<i64>, limit: u32) -> Result<Vec<RunRecord>> {
        let mut conn = self.conn()?;
        let mut tx = snapshot(&mut conn, "cannot list retention runs")?;
        let mut runs: Vec<RunRecord> = tx
            .query(
                &format!(
                    "SELECT {RUN_COLUMNS} FROM retention_runs WHERE id < $1 ORDER BY id DESC LIMIT $2"
                ),
                &[&before.unwrap_or(i64::MAX), &i64::from(limit)],
            )
            .db("cannot list retention runs")?
            .iter()
            .map(run_row)
            .collect();
        for r in &mut runs {
            counts(&mut tx, r)?;
        }
        Ok(runs)
    }

    fn run_decisions(
        &self,
        id: i64,
        after: Option<u64>,
        limit: u32,
    ) -> Result<Vec<StoredDecision>> {
        self.conn()?
            .query(
                &format!(
                    "SELECT {DECISION_COLUMNS} FROM retention_decisions
                     WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
                ),
                &[&id, &(after.unwrap_or(0) as i64), &i64::from(limit)],
            )
            .db("cannot read the run's decisions")?
            .iter()
            .map(decision_row)
            .collect()
    }

    fn run_last_decided(&self, trigger: &str) -> Result<Option<Timestamp>> {
        let at: Option<i64> = self
            .conn()?
            .query_one(
                "SELECT max(now_for) FROM retention_runs WHERE trigger = $1",
                &[&trigger],
            )
            .db("cannot read the retention runs")?
            .get(0);
        Ok(at.map(Timestamp))
    }

    fn runs_in_state(&self, state: RunState) -> Result<Vec<i64>> {
        Ok(self
            .conn()?
            .query(
                "SELECT id FROM retention_runs WHERE state = $1 ORDER BY id",
                &[&state.as_str()],
            )
            .db("cannot list retention runs")?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }
}

/// A batch of decisions as columns, for one `unnest` insert.
#[derive(Default)]
struct DecisionColumns<'a> {
    seq: Vec<i64>,
    contact: Vec<i64>,
    kind: Vec<&'static str>,
    action: Vec<String>,
    reason: Vec<&'a str>,
    legal_reference: Vec<&'a str>,
    rules: Vec<String>,
    review_after: Vec<Option<i64>>,
    status: Vec<Option<&'static str>>,
    holds_from: Vec<Option<i64>>,
}

fn pending_decisions(
    tx: &mut Transaction<'_>,
    run: i64,
    limit: u32,
) -> Result<Vec<StoredDecision>> {
    tx.query(
        &format!(
            "SELECT {DECISION_COLUMNS} FROM retention_decisions
             WHERE run_id = $1 AND status IS NULL ORDER BY seq LIMIT $2"
        ),
        &[&run, &i64::from(limit)],
    )
    .db("cannot read the pending decisions")?
    .iter()
    .map(decision_row)
    .collect()
}

/// Applies one decision inside the batch's transaction, under a savepoint: `Ok(Err(why))` when the
/// store refuses it (a legal hold, a restriction, an erased contact), with nothing of it written.
/// PostgreSQL aborts a transaction at its first failed statement: the savepoint is what lets the
/// batch go on after a refusal.
fn apply_one(
    store: &PostgresStore,
    tx: &mut Transaction<'_>,
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
    let mut savepoint = tx.transaction().db("cannot start a savepoint")?;
    let done = match &decision.action {
        RetentionAction::Erase => store
            .erase_in(
                &mut savepoint,
                id,
                &reason,
                Timestamp::now(),
                ErasureCause::Retention,
            )
            .map(|(_, draft)| draft),
        RetentionAction::Anonymise(categories) => store
            .anonymise_in(
                &mut savepoint,
                id,
                categories,
                &reason,
                ErasureCause::Retention,
            )
            .map(|(_, draft)| draft),
        RetentionAction::Keep | RetentionAction::Review => unreachable!("not recorded as pending"),
    };
    match done {
        Ok(mut draft) => {
            draft.details["run"] = json!(run);
            append_audit(&mut savepoint, &store.keys, actor, &draft)?;
            savepoint.commit().db("cannot release a savepoint")?;
            Ok(Ok("applied"))
        }
        // The decision could not be applied: why is recorded, and the run goes on.
        Err(
            e @ (StoreError::Conflict(_)
            | StoreError::Erased { .. }
            | StoreError::NotFound { .. }
            | StoreError::InvalidInput(_)),
        ) => {
            savepoint.rollback().db("cannot roll back a savepoint")?;
            Ok(Err(e.to_string()))
        }
        Err(other) => Err(other),
    }
}

fn run_row(r: &Row) -> RunRecord {
    let state: String = r.get(1);
    let rules: String = r.get(7);
    RunRecord {
        id: r.get(0),
        state: RunState::parse(&state).unwrap_or(RunState::Failed),
        trigger: r.get(2),
        actor: r.get(3),
        started_at: Timestamp(r.get(4)),
        finished_at: r.get::<_, Option<i64>>(5).map(Timestamp),
        now: Timestamp(r.get(6)),
        rules: serde_json::from_str(&rules).unwrap_or_default(),
        subjects: r.get::<_, i64>(8) as u64,
        kept: r.get::<_, i64>(9) as u64,
        erased: 0,
        anonymised: 0,
        to_review: 0,
        not_applied: 0,
        pending: 0,
        by_rule: Vec::new(),
        duration_ms: r.get::<_, Option<i64>>(10).map(|d| d as u64),
        error: r.get(11),
    }
}

fn decision_row(r: &Row) -> Result<StoredDecision> {
    let action: String = r.get(2);
    let rules: String = r.get(5);
    let status: Option<String> = r.get(7);
    let note: Option<String> = r.get(8);
    let outcome = match status.as_deref() {
        None => outcome::PENDING.to_string(),
        Some("applied") => outcome::APPLIED.to_string(),
        Some("dry") => outcome::DRY.to_string(),
        Some("review") => outcome::REVIEW.to_string(),
        Some(_) => format!("{}: {}", outcome::NOT_APPLIED, note.unwrap_or_default()),
    };
    Ok(StoredDecision {
        seq: r.get::<_, i64>(0) as u64,
        decision: RunDecision {
            decision: RetentionDecision {
                contact_id: ContactId(r.get(1)),
                action: serde_json::from_str(&action).map_err(|e| {
                    StoreError::Setup(format!(
                        "cannot read the run's decisions: the action `{action}` is not one this version knows ({e}): a newer Custode wrote it; upgrade this server"
                    ))
                })?,
                reason: r.get(3),
                legal_reference: r.get(4),
                review_after: r.get::<_, Option<i64>>(6).map(Timestamp),
                holds_from: r.get::<_, Option<i64>>(9).map(Timestamp),
            },
            rules: serde_json::from_str(&rules).unwrap_or_default(),
        },
        outcome,
    })
}

/// Fills the run's counts from its decisions.
fn counts(client: &mut impl GenericClient, run: &mut RunRecord) -> Result<()> {
    let rows = client
        .query(
            "SELECT kind, status, count(*) FROM retention_decisions WHERE run_id = $1 GROUP BY kind, status",
            &[&run.id],
        )
        .db("cannot count the run's decisions")?;
    for r in &rows {
        let (kind, status, n): (String, Option<String>, i64) = (r.get(0), r.get(1), r.get(2));
        let n = n as u64;
        match (kind.as_str(), status.as_deref()) {
            (_, None) => run.pending += n,
            (_, Some("refused")) => run.not_applied += n,
            ("review", _) => run.to_review += n,
            ("erase", _) => run.erased += n,
            (_, _) => run.anonymised += n,
        }
    }
    let rows = client
        .query(
            "SELECT j.rule, d.kind, count(*) FROM retention_decisions d
                 CROSS JOIN LATERAL json_array_elements_text(d.rules::json) AS j(rule)
             WHERE d.run_id = $1 GROUP BY j.rule, d.kind ORDER BY j.rule COLLATE \"C\"",
            &[&run.id],
        )
        .db("cannot count the run's decisions")?;
    for r in &rows {
        let (rule, kind, n): (String, String, i64) = (r.get(0), r.get(1), r.get(2));
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
