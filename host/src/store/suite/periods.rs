//! Suppression and restriction as periods: a question about a past time is answered with what was
//! in force then.

use super::*;
use crate::store::{ConsentStore, ContactStore, StoreError, SuppressionStore};

on_both_backends!(
    restricting_twice_lifting_nothing_or_overlapping_is_refused,
    suppression_periods_are_kept_as_added_and_cannot_be_rewritten,
);
on_both_backends!(
    a_lifted_restriction_still_answers_for_the_days_it_lasted,
    a_suppression_does_not_reach_back_before_it_began,
);

fn mario<S: ImportStore>(store: &S) -> ContactId {
    let (_, outcomes) = import(store, "file-a", &[record(1, "mario@rossi.it", "Rossi")]);
    created(&outcomes)
}

fn allowed<S: SubjectStore>(store: &S, id: ContactId, purpose: &str, at: Timestamp) -> Decision {
    decide(store, id, purpose, ConsentChannel::Email, at)
}

fn a_lifted_restriction_still_answers_for_the_days_it_lasted<
    S: ImportStore + ContactStore + SubjectStore,
>(
    store: &S,
) {
    let id = mario(store);
    store
        .set_restriction(&dpo(), id, true, day(2026, 3, 1))
        .unwrap();
    store
        .set_restriction(&dpo(), id, false, day(2026, 4, 1))
        .unwrap();
    // Consent was given on 10 January: before, during and after the restriction.
    assert!(allowed(store, id, "marketing", day(2026, 2, 15)).allowed);
    let during = allowed(store, id, "marketing", day(2026, 3, 15));
    assert_eq!(during.rule, DecisionRule::Restricted, "{}", during.reason);
    assert!(allowed(store, id, "marketing", day(2026, 4, 1)).allowed);
    let c = store.contact(id).unwrap();
    assert_eq!(c.restricted_since, None);
    assert_eq!(
        c.restrictions,
        vec![RestrictionPeriod {
            since: day(2026, 3, 1),
            until: Some(day(2026, 4, 1)),
        }]
    );
    // A second restriction adds a period; the first keeps its days.
    store
        .set_restriction(&dpo(), id, true, day(2026, 5, 1))
        .unwrap();
    assert_eq!(store.contact(id).unwrap().restrictions.len(), 2);
    assert_eq!(
        allowed(store, id, "marketing", day(2026, 3, 2)).rule,
        DecisionRule::Restricted
    );
    assert!(allowed(store, id, "marketing", day(2026, 4, 15)).allowed);
}

fn restricting_twice_lifting_nothing_or_overlapping_is_refused<
    S: ImportStore + ContactStore + RawSql,
>(
    store: &S,
) {
    let id = mario(store);
    assert!(matches!(
        store.set_restriction(&dpo(), id, false, day(2026, 3, 1)),
        Err(StoreError::Conflict(_))
    ));
    store
        .set_restriction(&dpo(), id, true, day(2026, 3, 1))
        .unwrap();
    assert_eq!(
        store.contact(id).unwrap().restricted_since,
        Some(day(2026, 3, 1))
    );
    assert!(matches!(
        store.set_restriction(&dpo(), id, true, day(2026, 3, 5)),
        Err(StoreError::Conflict(_))
    ));
    // A lift before the restriction began would make a period that ends before it starts.
    assert!(store
        .set_restriction(&dpo(), id, false, day(2026, 2, 1))
        .is_err());
    store
        .set_restriction(&dpo(), id, false, day(2026, 4, 1))
        .unwrap();
    // A new restriction starting inside the lifted one would rewrite what was in force then.
    assert!(store
        .set_restriction(&dpo(), id, true, day(2026, 3, 15))
        .is_err());
    store
        .set_restriction(&dpo(), id, true, day(2026, 4, 1))
        .unwrap();
    let c = store.contact(id).unwrap();
    assert_eq!(
        c.restrictions,
        vec![
            RestrictionPeriod {
                since: day(2026, 3, 1),
                until: Some(day(2026, 4, 1)),
            },
            RestrictionPeriod {
                since: day(2026, 4, 1),
                until: None,
            },
        ]
    );
    // The lifted period is history: the database refuses to rewrite it.
    let err = store
        .raw(&format!(
            "UPDATE restrictions SET until = NULL WHERE contact_id = {} AND until IS NOT NULL",
            id.0
        ))
        .unwrap_err();
    assert!(err.contains("never rewritten"), "{err}");
}

fn suppression_periods_are_kept_as_added_and_cannot_be_rewritten<
    S: ImportStore + ContactStore + SuppressionStore + RawSql,
>(
    store: &S,
) {
    let id = mario(store);
    let marketing = SuppressionScope::Purposes(vec!["marketing".into()]);
    let first = store
        .suppress(
            &dpo(),
            &email("mario@rossi.it"),
            "unsubscribed",
            &marketing,
            day(2026, 4, 1),
        )
        .unwrap();
    assert_eq!(first.contact, Some(id));
    store
        .suppress(
            &dpo(),
            &email("Mario@Rossi.it"),
            "asked not to be contacted",
            &SuppressionScope::All,
            day(2026, 6, 1),
        )
        .unwrap();
    let entry = store
        .suppression_of(&email("mario@rossi.it"))
        .unwrap()
        .unwrap();
    assert_eq!(entry.since, day(2026, 4, 1));
    assert_eq!(entry.scope, SuppressionScope::All);
    assert_eq!(entry.reason, "asked not to be contacted");
    assert_eq!(
        entry.periods,
        vec![
            SuppressionPeriod {
                since: day(2026, 4, 1),
                scope: marketing.clone(),
            },
            SuppressionPeriod {
                since: day(2026, 6, 1),
                scope: SuppressionScope::All,
            },
        ]
    );
    let c = store.contact(id).unwrap();
    assert_eq!(c.suppression, Some(SuppressionScope::All));
    assert_eq!(c.suppression_periods, entry.periods);
    assert!(store
        .suppression_of(&email("anna@bianchi.it"))
        .unwrap()
        .is_none());
    // The periods hold keyed hashes and purpose names only, and cannot be rewritten.
    assert!(store
        .raw("UPDATE suppression_periods SET since = 0")
        .is_err());
    assert!(store.raw("DELETE FROM suppression_periods").is_err());
    assert_eq!(store.count("suppression_periods"), 2);
    // A suppression for purposes outside the catalogue, or for none, is refused.
    assert!(store
        .suppress(
            &dpo(),
            &email("anna@bianchi.it"),
            "asked",
            &SuppressionScope::Purposes(vec!["astrology".into()]),
            day(2026, 6, 1),
        )
        .is_err());
    assert!(store
        .suppress(
            &dpo(),
            &email("anna@bianchi.it"),
            "asked",
            &SuppressionScope::Purposes(vec![]),
            day(2026, 6, 1),
        )
        .is_err());
}

fn a_suppression_does_not_reach_back_before_it_began<
    S: ImportStore + ConsentStore + SuppressionStore + SubjectStore + RawSql,
>(
    store: &S,
) {
    let id = mario(store);
    let marketing = SuppressionScope::Purposes(vec!["marketing".into()]);
    store
        .suppress(
            &dpo(),
            &email("mario@rossi.it"),
            "unsubscribed",
            &marketing,
            day(2026, 4, 1),
        )
        .unwrap();
    assert!(allowed(store, id, "marketing", day(2026, 3, 31)).allowed);
    let after = allowed(store, id, "marketing", day(2026, 4, 1));
    assert_eq!(after.rule, DecisionRule::Suppressed, "{}", after.reason);
    // Widened to every purpose later: the wider scope starts then, not in April.
    store
        .suppress(
            &dpo(),
            &email("mario@rossi.it"),
            "asked not to be contacted",
            &SuppressionScope::All,
            day(2026, 6, 1),
        )
        .unwrap();
    store
        .add_legal_basis(
            &dpo(),
            id,
            &BasisPeriod {
                purpose: "contract".into(),
                basis: LegalBasis::Contract,
                start: day(2026, 1, 1),
                end: None,
            },
        )
        .unwrap();
    assert!(allowed(store, id, "contract", day(2026, 5, 1)).allowed);
    assert_eq!(
        allowed(store, id, "contract", day(2026, 6, 2)).rule,
        DecisionRule::Suppressed
    );
    assert_eq!(
        allowed(store, id, "marketing", day(2026, 5, 1)).rule,
        DecisionRule::Suppressed
    );
    let entry = store
        .suppression_of(&email("mario@rossi.it"))
        .unwrap()
        .unwrap();
    assert_eq!(entry.since, day(2026, 4, 1));
    assert_eq!(entry.scope, SuppressionScope::All);
    assert_eq!(entry.periods.len(), 2);
    assert!(store
        .raw("UPDATE suppression_periods SET since = 0")
        .is_err());
    assert!(store.raw("DELETE FROM suppression_periods").is_err());
}
