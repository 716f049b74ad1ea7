//! `can_process` on real database files: the facts the one statement reads must carry everything the
//! rule needs (refusals on other channels, objections, the latest collection).

use super::*;
use crate::domain::can_process;

on_both_backends!(
    a_question_about_every_channel_sees_a_refusal_on_one,
    an_objection_on_one_channel_stops_direct_marketing_on_every_channel,
    an_objection_on_one_channel_stops_legitimate_interest_on_every_channel,
    legitimate_interest_counts_from_the_latest_collection_like_the_retention_rule,
    every_write_path_keeps_the_latest_collection_time,
);

fn decide<S: TestStore>(
    store: &S,
    id: ContactId,
    purpose: &str,
    channel: &str,
    at: Timestamp,
) -> Decision {
    let ch = ConsentChannel::parse("channel", channel).unwrap();
    let facts = store.processing_facts(id, purpose, ch, at).unwrap();
    can_process(
        store.policy(),
        &ProcessingQuery {
            purpose,
            channel,
            at,
        },
        &facts,
    )
}

fn consent(
    purpose: &str,
    channel: ConsentChannel,
    action: ConsentAction,
    at: Timestamp,
) -> ConsentClaim {
    ConsentClaim {
        purpose: purpose.into(),
        channel,
        action,
        at: Some(at),
        evidence: None,
        notice_version: Some("2026-01".into()),
    }
}

fn event(channel: ConsentChannel, action: ConsentAction, at: Timestamp) -> ConsentEvent {
    ConsentEvent {
        purpose: "marketing".into(),
        channel,
        action,
        at,
        evidence: Evidence {
            method: "phone call".into(),
            notice_version: None,
            text: None,
            collected_by: "op".into(),
        },
    }
}

/// One contact imported with the given marketing consents.
fn contact_with<S: TestStore>(store: &S, consents: Vec<ConsentClaim>) -> ContactId {
    let r = NormalizedRecord {
        consents,
        ..record(1, "mario@rossi.it", "Rossi")
    };
    let (_, outcomes) = import(store, "file-a", &[r]);
    let RecordOutcome::Created(id) = outcomes[0] else {
        panic!("{outcomes:?}")
    };
    id
}

fn a_question_about_every_channel_sees_a_refusal_on_one<S: TestStore>(store: &S) {
    use ConsentAction::*;
    let id = contact_with(
        store,
        vec![consent(
            "marketing",
            ConsentChannel::Any,
            Granted,
            day(2025, 3, 1),
        )],
    );
    let at = day(2026, 6, 1);
    assert!(decide(store, id, "marketing", "any", at).allowed);
    store
        .append_consent(
            &dpo(),
            id,
            &event(ConsentChannel::Email, Withdrawn, day(2026, 2, 1)),
        )
        .unwrap();
    let d = decide(store, id, "marketing", "any", at);
    assert_eq!(d.rule, DecisionRule::ConsentWithdrawn, "{}", d.reason);
    assert!(
        d.reason.contains("by email was withdrawn on 2026-02-01"),
        "{}",
        d.reason
    );
    // A withdrawal is per channel: the grant on `any` still covers the phone.
    assert!(decide(store, id, "marketing", "phone", at).allowed);
    // Before the withdrawal, every channel was still granted.
    assert!(decide(store, id, "marketing", "any", day(2026, 1, 31)).allowed);
}

fn an_objection_on_one_channel_stops_direct_marketing_on_every_channel<S: TestStore>(store: &S) {
    use ConsentAction::*;
    let id = contact_with(
        store,
        vec![
            consent("marketing", ConsentChannel::Phone, Granted, day(2025, 3, 1)),
            consent("marketing", ConsentChannel::Email, Granted, day(2025, 3, 1)),
        ],
    );
    store
        .append_consent(
            &dpo(),
            id,
            &event(ConsentChannel::Email, Objected, day(2026, 2, 1)),
        )
        .unwrap();
    for channel in ["phone", "email", "sms", "any"] {
        let d = decide(store, id, "marketing", channel, day(2026, 6, 1));
        assert_eq!(d.rule, DecisionRule::Objected, "{channel}: {}", d.reason);
        assert!(d.reason.contains("Art. 21(3)"), "{channel}: {}", d.reason);
        assert!(d.reason.contains("2026-02-01"), "{channel}: {}", d.reason);
    }
    // A new consent given by phone after the objection is the person's latest word for the phone.
    store
        .append_consent(
            &dpo(),
            id,
            &event(ConsentChannel::Phone, Granted, day(2026, 4, 1)),
        )
        .unwrap();
    assert!(decide(store, id, "marketing", "phone", day(2026, 6, 1)).allowed);
    assert_eq!(
        decide(store, id, "marketing", "email", day(2026, 6, 1)).rule,
        DecisionRule::Objected
    );
}

fn an_objection_on_one_channel_stops_legitimate_interest_on_every_channel<S: TestStore>(store: &S) {
    let r = NormalizedRecord {
        legal_bases: vec![BasisClaim {
            purpose: "customer-care".into(),
            basis: LegalBasis::LegitimateInterest,
            start: Some(day(2026, 1, 10)),
            end: None,
        }],
        last_interaction: Some(day(2026, 1, 10)),
        ..record(1, "mario@rossi.it", "Rossi")
    };
    let (_, outcomes) = import(store, "file-a", &[r]);
    let RecordOutcome::Created(id) = outcomes[0] else {
        panic!()
    };
    assert!(decide(store, id, "customer-care", "phone", day(2026, 6, 1)).allowed);
    let objection = ConsentEvent {
        purpose: "customer-care".into(),
        ..event(
            ConsentChannel::Email,
            ConsentAction::Objected,
            day(2026, 2, 1),
        )
    };
    store.append_consent(&dpo(), id, &objection).unwrap();
    let d = decide(store, id, "customer-care", "phone", day(2026, 6, 1));
    assert_eq!(d.rule, DecisionRule::Objected, "{}", d.reason);
    assert!(d.reason.contains("Art. 21(1)"), "{}", d.reason);
}

fn legitimate_interest_counts_from_the_latest_collection_like_the_retention_rule<S: TestStore>(
    store: &S,
) {
    // A 2022 fair list imported now, with a legitimate-interest basis recorded as starting in 2025.
    let r = NormalizedRecord {
        legal_bases: vec![BasisClaim {
            purpose: "customer-care".into(),
            basis: LegalBasis::LegitimateInterest,
            start: Some(day(2025, 1, 1)),
            end: None,
        }],
        source: SourceDetails {
            collected_at: Some(day(2022, 5, 10)),
            ..SourceDetails::default()
        },
        ..record(1, "mario@rossi.it", "Rossi")
    };
    let (_, outcomes) = import(store, "file-a", std::slice::from_ref(&r));
    let RecordOutcome::Created(id) = outcomes[0] else {
        panic!()
    };
    let at = day(2026, 6, 15);
    let d = decide(store, id, "customer-care", "phone", at);
    assert_eq!(
        d.rule,
        DecisionRule::LegitimateInterestLapsed,
        "{}",
        d.reason
    );
    assert!(d.reason.contains("2022-05-10"), "{}", d.reason);

    // The same person's card collected again at a 2025 fair restarts the silence (merge path).
    let again = NormalizedRecord {
        source: SourceDetails {
            collected_at: Some(day(2025, 2, 20)),
            ..SourceDetails::default()
        },
        fields: vec![field("role", "buyer")],
        ..r.clone()
    };
    let (_, outcomes) = import(store, "file-b", &[again]);
    assert_eq!(outcomes, vec![RecordOutcome::Merged(id)]);
    let d = decide(store, id, "customer-care", "phone", at);
    assert!(d.allowed, "{}", d.reason);
    assert!(day(2025, 2, 20).add_months(24) > at);
    assert_eq!(
        decide(store, id, "customer-care", "phone", day(2027, 2, 20)).rule,
        DecisionRule::LegitimateInterestLapsed
    );
    // An older list imported later does not move the clock back.
    let older = NormalizedRecord {
        source: SourceDetails {
            collected_at: Some(day(2021, 1, 1)),
            ..SourceDetails::default()
        },
        fields: vec![field("role", "owner")],
        ..r
    };
    import(store, "file-c", &[older]);
    assert!(decide(store, id, "customer-care", "phone", at).allowed);
    // A rectification is a collection too (the retention rule sees it as a source): it counts from now.
    let change = Rectification {
        fields: vec![field("role", "CEO")],
        reason: "the person wrote".into(),
        ..Rectification::default()
    };
    store.rectify(&dpo(), id, &change).unwrap();
    let now = Timestamp::now();
    assert!(decide(store, id, "customer-care", "phone", now.add_months(23)).allowed);
}

/// Contacts whose derived `last_collected_at` (v3.sql) differs from the latest collection of their
/// field-values rows.
fn stale_collection_times<S: TestStore>(store: &S) -> i64 {
    store.ints(
        "SELECT count(*) FROM contacts c WHERE c.erased_at IS NULL AND c.last_collected_at IS DISTINCT FROM
            (SELECT max(collected_at) FROM field_values WHERE contact_id = c.id)",
    )[0]
    .unwrap_or(0)
}

fn every_write_path_keeps_the_latest_collection_time<S: TestStore>(store: &S) {
    let collected = |r: NormalizedRecord, at: Option<Timestamp>, role: &str| NormalizedRecord {
        source: SourceDetails {
            collected_at: at,
            ..SourceDetails::default()
        },
        fields: vec![field("role", role)],
        ..r
    };
    let a = record(1, "anna@example.it", "Verdi");
    let records = vec![
        collected(a.clone(), Some(day(2023, 1, 1)), "buyer"),
        collected(
            record(2, "bruno@example.it", "Neri"),
            Some(day(2021, 1, 1)),
            "owner",
        ),
        // Merges into the first record's contact while its rows still wait in the buffers.
        collected(a.clone(), Some(day(2025, 1, 1)), "head of purchasing"),
        collected(a, Some(day(2022, 1, 1)), "CEO"),
        // No collection time of its own: the batch's start (2026-01-10).
        collected(record(5, "carla@example.it", "Bianchi"), None, "owner"),
    ];
    store
        .import(&dpo(), &batch("file-a"), &mut |w| {
            for outcome in w.write_batch(&records)? {
                outcome?;
            }
            Ok(serde_json::json!({}))
        })
        .unwrap();
    let new = NewContact {
        identities: vec![email("dario@example.it")],
        fields: vec![field("last_name", "Gialli")],
        source_label: "business card".into(),
        channel: SourceChannel::BusinessCard,
        collected_at: Some(day(2024, 4, 1)),
        last_interaction: None,
    };
    let dario = store.create_contact(&dpo(), &new).unwrap();
    assert_eq!(stale_collection_times(store), 0);
    let times = store.ints("SELECT last_collected_at FROM contacts ORDER BY id");
    let want = [
        day(2025, 1, 1),
        day(2021, 1, 1),
        day(2026, 1, 10),
        day(2024, 4, 1),
    ];
    assert_eq!(times, want.map(|t| Some(t.0)).to_vec());
    let change = Rectification {
        fields: vec![field("role", "buyer")],
        reason: "the person wrote".into(),
        ..Rectification::default()
    };
    store.rectify(&dpo(), dario, &change).unwrap();
    assert_eq!(stale_collection_times(store), 0);
    store
        .erase(
            &dpo(),
            dario,
            "request",
            Timestamp::now(),
            ErasureCause::Request,
        )
        .unwrap();
    let erased = store.ints(&format!(
        "SELECT last_collected_at FROM contacts WHERE id = {}",
        dario.0
    ))[0];
    assert_eq!(erased, None, "erasure clears it like last_interaction");
}
