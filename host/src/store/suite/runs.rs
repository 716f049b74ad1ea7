//! Retention runs and the review queue: decisions recorded with their rules, counted, paged; review
//! decisions applied a batch at a time become items a DPO keeps; states and the schedule's last
//! run. (Erasures and anonymisations applied by a run go through the erasure module and are tested
//! with it.)

use super::*;
use crate::store::runs::*;
use crate::store::{AuditFilter, AuditStore, RetentionRunStore, ReviewStore, StoreError};

on_both_backends!(
    a_dry_run_records_decisions_with_their_outcomes_and_counts,
    runs_are_listed_newest_first_by_state_and_trigger,
    review_decisions_are_applied_a_batch_at_a_time_and_queued_once,
    a_dpo_keeps_a_reviewed_contact_until_a_date,
    decisions_are_numbered_on_across_batches_of_a_run,
    a_refused_decision_is_recorded_with_why_and_the_run_goes_on,
);

fn rules() -> Vec<RuleRef> {
    vec![RuleRef {
        name: "inactivity".into(),
        version: "1.0.0".into(),
        digest: "cd".repeat(32),
    }]
}

fn decision(contact: i64, action: RetentionAction, rules: &[&str]) -> RunDecision {
    RunDecision {
        decision: RetentionDecision {
            contact_id: ContactId(contact),
            action,
            reason: format!("no interaction for 24 months ({contact})"),
            legal_reference: "Art. 5(1)(e)".into(),
            review_after: None,
            holds_from: Some(day(2026, 1, 1)),
        },
        rules: rules.iter().map(|r| r.to_string()).collect(),
    }
}

fn a_dry_run_records_decisions_with_their_outcomes_and_counts<S: RetentionRunStore>(store: &S) {
    let run = store
        .run_start(&dpo(), "request", day(2027, 1, 1), &rules())
        .unwrap();
    let decisions = [
        decision(1, RetentionAction::Erase, &["inactivity"]),
        decision(2, RetentionAction::Keep, &["inactivity"]),
        decision(
            3,
            RetentionAction::Anonymise(vec![DataCategory::Contact, DataCategory::Notes]),
            &["inactivity", "contracts"],
        ),
        decision(4, RetentionAction::Review, &["contracts"]),
        decision(5, RetentionAction::Erase, &["contracts", "inactivity"]),
    ];
    store.run_record(run, 6, 2, &decisions, true).unwrap();
    store
        .run_set_state(run, RunState::Dry, Some(1_250), None)
        .unwrap();
    let record = store.run(run).unwrap();
    assert_eq!(record.state, RunState::Dry);
    assert_eq!(
        (record.trigger.as_str(), record.actor.as_str()),
        ("request", "giulia.dpo")
    );
    assert_eq!(record.now, day(2027, 1, 1));
    assert_eq!(record.rules, rules());
    assert!(record.finished_at.is_some());
    assert_eq!(record.duration_ms, Some(1_250));
    assert_eq!((record.subjects, record.kept), (6, 2));
    // A dry run counts what it would do; nothing is pending.
    assert_eq!(
        (
            record.erased,
            record.anonymised,
            record.to_review,
            record.not_applied,
            record.pending
        ),
        (2, 1, 1, 0, 0)
    );
    assert_eq!(
        record.by_rule,
        [
            RuleCounts {
                rule: "contracts".into(),
                erase: 1,
                anonymise: 1,
                review: 1
            },
            RuleCounts {
                rule: "inactivity".into(),
                erase: 2,
                anonymise: 1,
                review: 0
            },
        ]
    );
    // Keeps are only counted; the others are listed in order, a page at a time.
    let all = store.run_decisions(run, None, 100).unwrap();
    assert_eq!(all.iter().map(|d| d.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert_eq!(all[0].decision, decisions[0]);
    assert_eq!(all[1].decision, decisions[2]);
    assert_eq!(all[0].outcome, outcome::DRY);
    assert_eq!(all[2].outcome, outcome::REVIEW);
    let page = store.run_decisions(run, Some(2), 1).unwrap();
    assert_eq!(page.iter().map(|d| d.seq).collect::<Vec<_>>(), [3]);
    assert!(store.run_decisions(run, Some(4), 10).unwrap().is_empty());
    // Nothing to apply in a dry run.
    assert_eq!(store.run_apply_batch(&dpo(), run, 10).unwrap(), 0);
    let err = store.run(run + 100).unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!("retention run {} does not exist", run + 100)
    );
}

fn runs_are_listed_newest_first_by_state_and_trigger<S: RetentionRunStore>(store: &S) {
    assert_eq!(store.run_last_decided("schedule").unwrap(), None);
    let a = store
        .run_start(&dpo(), "schedule", day(2026, 1, 1), &rules())
        .unwrap();
    let b = store
        .run_start(&dpo(), "request", day(2026, 9, 1), &[])
        .unwrap();
    let c = store
        .run_start(&dpo(), "schedule", day(2026, 2, 1), &rules())
        .unwrap();
    assert!(a < b && b < c);
    store
        .run_set_state(a, RunState::Failed, None, Some("rule `inactivity` trapped"))
        .unwrap();
    store
        .run_set_state(b, RunState::WaitingForConfirmation, None, None)
        .unwrap();
    // A later state keeps the error and duration recorded before.
    store
        .run_set_state(a, RunState::Failed, Some(9), None)
        .unwrap();
    let failed = store.run(a).unwrap();
    assert_eq!(failed.error.as_deref(), Some("rule `inactivity` trapped"));
    assert_eq!(failed.duration_ms, Some(9));
    let running = store.run(c).unwrap();
    assert_eq!(
        (running.state, running.finished_at),
        (RunState::Running, None)
    );
    let ids = |before, limit| -> Vec<i64> {
        store
            .runs(before, limit)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect()
    };
    assert_eq!(ids(None, 10), [c, b, a]);
    assert_eq!(ids(None, 1), [c]);
    assert_eq!(ids(Some(c), 10), [b, a]);
    assert_eq!(store.runs_in_state(RunState::Running).unwrap(), [c]);
    assert_eq!(
        store
            .runs_in_state(RunState::WaitingForConfirmation)
            .unwrap(),
        [b]
    );
    assert!(store
        .runs_in_state(RunState::PartiallyApplied)
        .unwrap()
        .is_empty());
    assert_eq!(
        store.run_last_decided("schedule").unwrap(),
        Some(day(2026, 2, 1))
    );
    assert_eq!(
        store.run_last_decided("request").unwrap(),
        Some(day(2026, 9, 1))
    );
}

fn review_decisions_are_applied_a_batch_at_a_time_and_queued_once<
    S: RetentionRunStore + ReviewStore + AuditStore,
>(
    store: &S,
) {
    let run = store
        .run_start(&dpo(), "request", day(2027, 1, 1), &rules())
        .unwrap();
    // Contact 11 twice: one open item, not two.
    let decisions: Vec<RunDecision> = [10, 11, 12, 11, 13]
        .into_iter()
        .map(|c| decision(c, RetentionAction::Review, &["inactivity"]))
        .collect();
    store.run_record(run, 5, 0, &decisions, false).unwrap();
    let record = store.run(run).unwrap();
    assert_eq!((record.pending, record.to_review), (5, 0));
    assert!(store
        .run_decisions(run, None, 10)
        .unwrap()
        .iter()
        .all(|d| d.outcome == outcome::PENDING));
    assert_eq!(store.run_apply_batch(&dpo(), run, 2).unwrap(), 3);
    assert_eq!(store.run(run).unwrap().pending, 3);
    assert_eq!(store.run_apply_batch(&dpo(), run, 2).unwrap(), 1);
    assert_eq!(store.run_apply_batch(&dpo(), run, 2).unwrap(), 0);
    assert_eq!(store.run_apply_batch(&dpo(), run, 2).unwrap(), 0);
    let record = store.run(run).unwrap();
    assert_eq!((record.pending, record.to_review, record.erased), (0, 5, 0));
    let items = store.review_items(true, None, 100).unwrap();
    assert_eq!(
        items.iter().map(|i| i.contact_id.0).collect::<Vec<_>>(),
        [10, 11, 12, 13]
    );
    let item = &items[0];
    assert_eq!((item.run_id, item.state.as_str()), (run, "open"));
    assert_eq!(item.reason, "no interaction for 24 months (10)");
    assert_eq!(item.legal_reference, "Art. 5(1)(e)");
    assert_eq!(item.rules, ["inactivity"]);
    assert_eq!(item.resolved_at, None);
    // Paged by id.
    let page = store.review_items(true, Some(items[1].id), 1).unwrap();
    assert_eq!(page, [items[2].clone()]);
    // A second run asking again queues nobody with an open item.
    let again = store
        .run_start(&dpo(), "schedule", day(2027, 2, 1), &rules())
        .unwrap();
    store
        .run_record(
            again,
            2,
            0,
            &[
                decision(10, RetentionAction::Review, &["inactivity"]),
                decision(14, RetentionAction::Review, &["inactivity"]),
            ],
            false,
        )
        .unwrap();
    assert_eq!(store.run_apply_batch(&dpo(), again, 100).unwrap(), 0);
    let items = store.review_items(true, None, 100).unwrap();
    assert_eq!(items.len(), 5);
    assert_eq!(items[4].contact_id, ContactId(14));
    // Queuing writes no audit entry: nothing about a person changed.
    assert!(store
        .audit_list(&AuditFilter::default())
        .unwrap()
        .is_empty());
}

fn a_dpo_keeps_a_reviewed_contact_until_a_date<S: RetentionRunStore + ReviewStore + AuditStore>(
    store: &S,
) {
    let run = store
        .run_start(&dpo(), "request", day(2027, 1, 1), &rules())
        .unwrap();
    store
        .run_record(
            run,
            2,
            0,
            &[
                decision(21, RetentionAction::Review, &["contracts"]),
                decision(22, RetentionAction::Review, &["contracts"]),
            ],
            false,
        )
        .unwrap();
    store.run_apply_batch(&dpo(), run, 100).unwrap();
    let items = store.review_items(true, None, 10).unwrap();
    let (id, other) = (items[0].id, items[1].id);
    let future = Timestamp(Timestamp::now().0 + 400 * 86_400);
    let keep = |reason: &str, review_after| ReviewResolution::Keep {
        reason: reason.into(),
        review_after,
    };
    // Refused: a date in the past, an empty or a long reason; the item stays open, nothing audited.
    let err = store
        .review_resolve(&dpo(), id, &keep("contract", day(2020, 1, 1)))
        .unwrap_err();
    assert!(err.to_string().contains("date in the future"), "{err}");
    for reason in ["  ", &"x".repeat(201)] {
        let err = store
            .review_resolve(&dpo(), id, &keep(reason, future))
            .unwrap_err();
        assert!(matches!(err, StoreError::InvalidInput(_)), "{err}");
        assert!(err.to_string().contains("up to 200 characters"), "{err}");
    }
    assert!(store
        .audit_list(&AuditFilter::default())
        .unwrap()
        .is_empty());
    let err = store
        .review_resolve(&dpo(), 9_999, &keep("x", future))
        .unwrap_err();
    assert_eq!(err.to_string(), "review item 9999 does not exist");

    let kept = store
        .review_resolve(
            &dpo(),
            id,
            &keep("  active contract until 2027, see ticket 88 ", future),
        )
        .unwrap();
    assert_eq!(kept.state, "kept");
    assert_eq!(kept.resolved_by.as_deref(), Some("giulia.dpo"));
    assert_eq!(
        kept.resolution.as_deref(),
        Some("active contract until 2027, see ticket 88")
    );
    assert_eq!(kept.review_after, Some(future));
    assert!(kept.resolved_at.is_some());
    let entry = store
        .audit_list(&AuditFilter::default())
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(
        (entry.action.as_str(), entry.target.as_str()),
        ("retention.review-keep", "contact:21")
    );
    assert_eq!(entry.details["review_item"], id);
    assert_eq!(
        entry.details["reason"],
        "active contract until 2027, see ticket 88"
    );
    // Once resolved, never again.
    let err = store
        .review_resolve(&dpo(), id, &keep("again", future))
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert!(
        err.to_string()
            .contains("already resolved (kept) by giulia.dpo"),
        "{err}"
    );
    // Open ones only, or all.
    let open: Vec<i64> = store
        .review_items(true, None, 10)
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(open, [other]);
    assert_eq!(store.review_items(false, None, 10).unwrap().len(), 2);
    // A later run does not ask about the kept contact before its date.
    let later = store
        .run_start(&dpo(), "schedule", day(2027, 3, 1), &rules())
        .unwrap();
    store
        .run_record(
            later,
            1,
            0,
            &[decision(21, RetentionAction::Review, &["contracts"])],
            false,
        )
        .unwrap();
    store.run_apply_batch(&dpo(), later, 10).unwrap();
    assert_eq!(store.review_items(false, None, 10).unwrap().len(), 2);
    assert!(store.audit_verify().unwrap().ok());
}

fn decisions_are_numbered_on_across_batches_of_a_run<S: RetentionRunStore>(store: &S) {
    let run = store
        .run_start(&dpo(), "request", day(2027, 1, 1), &rules())
        .unwrap();
    // Batches as a rule plugin returns them: thousands of decisions, some keeps among them.
    for batch in 0..3i64 {
        let decisions: Vec<RunDecision> = (0..2_000i64)
            .map(|i| {
                let action = if i % 4 == 0 {
                    RetentionAction::Keep
                } else {
                    RetentionAction::Erase
                };
                decision(batch * 2_000 + i, action, &["inactivity"])
            })
            .collect();
        store.run_record(run, 2_000, 500, &decisions, true).unwrap();
    }
    let record = store.run(run).unwrap();
    assert_eq!(
        (record.subjects, record.kept, record.erased),
        (6_000, 1_500, 4_500)
    );
    let mut seqs = Vec::new();
    let mut after = None;
    loop {
        let page = store.run_decisions(run, after, 1_000).unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.seq);
        seqs.extend(page.iter().map(|d| d.seq));
    }
    assert_eq!(seqs, (1..=4_500).collect::<Vec<u64>>());
    let last = store.run_decisions(run, Some(4_499), 10).unwrap();
    assert_eq!(last[0].decision.decision.contact_id, ContactId(5_999));
}

fn a_refused_decision_is_recorded_with_why_and_the_run_goes_on<
    S: RetentionRunStore + ReviewStore + AuditStore,
>(
    store: &S,
) {
    let run = store
        .run_start(&dpo(), "request", day(2027, 1, 1), &rules())
        .unwrap();
    // Contacts that do not exist: each erasure or anonymisation is refused, the review is queued.
    let decisions = [
        decision(901, RetentionAction::Erase, &["inactivity"]),
        decision(902, RetentionAction::Review, &["inactivity"]),
        decision(
            903,
            RetentionAction::Anonymise(vec![DataCategory::Contact]),
            &["inactivity"],
        ),
    ];
    store.run_record(run, 3, 0, &decisions, false).unwrap();
    assert_eq!(store.run_apply_batch(&dpo(), run, 10).unwrap(), 0);
    let record = store.run(run).unwrap();
    assert_eq!(
        (
            record.not_applied,
            record.to_review,
            record.erased,
            record.pending
        ),
        (2, 1, 0, 0)
    );
    let outcomes: Vec<String> = store
        .run_decisions(run, None, 10)
        .unwrap()
        .into_iter()
        .map(|d| d.outcome)
        .collect();
    assert_eq!(
        outcomes,
        [
            "not applied: contact 901 does not exist",
            outcome::REVIEW,
            "not applied: contact 903 does not exist",
        ]
    );
    assert_eq!(store.review_items(true, None, 10).unwrap().len(), 1);
    // Nothing was applied: nothing audited.
    assert!(store
        .audit_list(&AuditFilter::default())
        .unwrap()
        .is_empty());
}
