use super::*;
use crate::domain::{
    DataCategory, FieldValue, RetentionAction, RetentionDecision, Role, Settings, SourceChannel,
    SuppressionScope,
};
use crate::store::NewContact;

/// A source that decides `action` for every subject.
struct Always(RetentionAction);

impl DecisionSource for Always {
    fn rules(&self) -> Vec<RuleRef> {
        vec![RuleRef {
            name: "always".into(),
            version: "1".into(),
            digest: String::new(),
        }]
    }
    fn decide(
        &mut self,
        _now: Timestamp,
        views: &[SubjectView],
    ) -> Result<Vec<RunDecision>, RetentionError> {
        Ok(views
            .iter()
            .map(|v| RunDecision {
                decision: RetentionDecision {
                    contact_id: v.contact_id,
                    action: self.0.clone(),
                    reason: "no interaction for 25 months".into(),
                    legal_reference: "GDPR Art. 5(1)(e)".into(),
                    review_after: None,
                    holds_from: None,
                },
                rules: vec!["always".into()],
            })
            .collect())
    }
}

/// Whatever a rule plugin says, the host does not let it erase a restricted contact (Art. 18).
#[test]
fn a_rule_decision_on_a_restricted_contact_is_not_applied() {
    let dir = tempfile::tempdir().unwrap();
    let c = Compliance::open(dir.path(), &Settings::default()).unwrap();
    let dpo = Actor::new("giulia.dpo", Role::Dpo);
    let new = NewContact {
        identities: vec![c.parse_identity("mario@rossi.it").unwrap()],
        fields: vec![FieldValue {
            name: "last_name".into(),
            value: "Rossi".into(),
        }],
        source_label: "business card".into(),
        channel: SourceChannel::BusinessCard,
        collected_at: None,
        last_interaction: None,
    };
    let id = c.create_contact(&dpo, &new).unwrap();
    c.restrict(&dpo, id, true, None).unwrap();
    let options = RetentionOptions::requested(dpo.clone(), Timestamp::now(), false);
    for action in [
        RetentionAction::Erase,
        RetentionAction::Anonymise(vec![DataCategory::Contact]),
    ] {
        let report = c.run_retention_with(&mut Always(action), &options).unwrap();
        assert_eq!(report.state, RunState::Applied);
        assert_eq!(
            (report.erased, report.anonymised, report.not_applied),
            (0, 0, 1)
        );
        let outcome = &report.decisions[0].outcome;
        assert!(
            outcome.starts_with("not applied") && outcome.contains("Art. 18"),
            "{outcome}"
        );
    }
    assert!(c.contact(id).unwrap().erased_at.is_none());
    // The person's own request still erases (a DPO decided, not a rule).
    c.erase(&dpo, id, "request of 2026-03-01").unwrap();
    assert!(c
        .check_suppression(&c.parse_identity("mario@rossi.it").unwrap())
        .unwrap()
        .entry
        .is_some_and(|e| e.scope == SuppressionScope::All));
}

#[test]
fn the_guard_holds_large_shares_and_counts_but_not_a_small_crm_s_normal_day() {
    let guard = Guard::default();
    assert!(!guard.holds(1, 4), "one erasure of four contacts");
    assert!(!guard.holds(GUARD_FLOOR, 7));
    assert!(guard.holds(6, 7), "six of seven");
    assert!(!guard.holds(40, 1_000_000));
    assert!(guard.holds(1_001, 1_000_000), "more than the count");
    assert!(guard.holds(60, 1_000));
    assert!(!guard.holds(0, 0));
}

#[test]
fn a_second_run_while_one_is_under_way_is_told_which() {
    let dir = tempfile::tempdir().unwrap();
    let c = Compliance::open(dir.path(), &Settings::default()).unwrap();
    let dpo = Actor::new("giulia.dpo", Role::Dpo);
    let (_held, id, ()) = c.runs.enter(|| Ok((41, ()))).unwrap();
    assert_eq!(id, 41);
    let options = RetentionOptions::requested(dpo, Timestamp::now(), true);
    match c.run_retention_with(&mut Always(RetentionAction::Erase), &options) {
        Err(RetentionError::Busy(41)) => {}
        other => panic!("{other:?}"),
    }
}
