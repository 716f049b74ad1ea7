//! How the ledger is read: `effective_consent`, `ledger_summary`, `consent_for`, and basis periods.

use super::*;
use proptest::prelude::*;

fn st(channel: ConsentChannel, action: ConsentAction, at: i64) -> Option<ConsentState> {
    Some(ConsentState {
        channel,
        action,
        at: Timestamp(at),
    })
}

#[test]
fn the_later_event_wins_and_refusal_wins_ties() {
    use ConsentAction::*;
    use ConsentChannel::*;
    let cases = [
        // (email event, any event, expected action)
        (
            st(Email, Granted, 10),
            st(Any, Withdrawn, 20),
            Some(Withdrawn),
        ),
        (
            st(Email, Granted, 30),
            st(Any, Withdrawn, 20),
            Some(Granted),
        ),
        (
            st(Email, Withdrawn, 10),
            st(Any, Granted, 20),
            Some(Granted),
        ),
        (
            st(Email, Granted, 20),
            st(Any, Objected, 20),
            Some(Objected),
        ),
        (
            st(Email, Withdrawn, 20),
            st(Any, Granted, 20),
            Some(Withdrawn),
        ),
        (None, st(Any, Granted, 1), Some(Granted)),
        (st(Email, Objected, 1), None, Some(Objected)),
        (None, None, None),
    ];
    for (i, (s, a, want)) in cases.into_iter().enumerate() {
        assert_eq!(effective_consent(s, a).map(|c| c.action), want, "case {i}");
    }
}

#[test]
fn channels_combine_per_channel_for_consent_and_per_purpose_for_objections() {
    use ConsentAction::*;
    use ConsentChannel::*;
    let e = |c, a, t| ConsentState {
        channel: c,
        action: a,
        at: Timestamp(t),
    };
    // (ledger in order, asked channel, expected (action, channel) of `state`, objection in force)
    type Case<'a> = (
        &'a [ConsentState],
        ConsentChannel,
        Option<(ConsentAction, ConsentChannel)>,
        bool,
    );
    let cases: [Case<'_>; 12] = [
        (
            &[e(Any, Granted, 10), e(Email, Withdrawn, 20)],
            Any,
            Some((Withdrawn, Email)),
            false,
        ),
        (
            &[e(Any, Granted, 10), e(Email, Withdrawn, 20)],
            Phone,
            Some((Granted, Any)),
            false,
        ),
        (
            &[e(Email, Withdrawn, 10), e(Any, Granted, 20)],
            Any,
            Some((Granted, Any)),
            false,
        ),
        (
            &[e(Any, Granted, 20), e(Email, Withdrawn, 20)],
            Any,
            Some((Withdrawn, Email)),
            false,
        ),
        (&[e(Email, Granted, 10)], Any, None, false),
        (
            &[e(Phone, Granted, 10), e(Email, Objected, 20)],
            Phone,
            Some((Objected, Email)),
            true,
        ),
        (
            &[e(Email, Objected, 10), e(Phone, Granted, 20)],
            Phone,
            Some((Granted, Phone)),
            false,
        ),
        (
            &[e(Email, Objected, 10), e(Email, Granted, 20)],
            Phone,
            Some((Objected, Email)),
            true,
        ),
        (
            &[e(Email, Objected, 10), e(Email, Granted, 20)],
            Any,
            Some((Objected, Email)),
            true,
        ),
        (
            &[e(Email, Objected, 10), e(Phone, Withdrawn, 20)],
            Phone,
            Some((Objected, Email)),
            true,
        ),
        (
            &[e(Email, Objected, 10), e(Any, Granted, 20)],
            Sms,
            Some((Granted, Any)),
            false,
        ),
        (
            &[e(Email, Objected, 20), e(Any, Granted, 20)],
            Any,
            Some((Objected, Email)),
            true,
        ),
    ];
    for (i, (events, asked, want, objected)) in cases.into_iter().enumerate() {
        let (latest, objection) = ledger_summary(events.iter().copied().zip(1..));
        let got = consent_for(asked, &latest, objection);
        assert_eq!(got.state.map(|s| (s.action, s.channel)), want, "case {i}");
        assert_eq!(got.objection.is_some(), objected, "case {i}");
    }
}

#[test]
fn the_ledger_summary_follows_time_then_sequence_whatever_the_input_order() {
    use ConsentAction::*;
    let e = |a, t| ConsentState {
        channel: ConsentChannel::Email,
        action: a,
        at: Timestamp(t),
    };
    // Same second: the higher sequence number (recorded later) is the latest.
    let events = [
        (e(Granted, 20), 5),
        (e(Objected, 10), 1),
        (e(Withdrawn, 20), 3),
    ];
    let (latest, objection) = ledger_summary(events);
    assert_eq!(latest, vec![e(Granted, 20)]);
    assert_eq!(objection, Some(e(Objected, 10)));
    let (latest, objection) = ledger_summary(events.into_iter().rev());
    assert_eq!(latest, vec![e(Granted, 20)]);
    assert_eq!(objection, Some(e(Objected, 10)));
}

#[test]
fn basis_periods_include_start_and_exclude_end() {
    let p = BasisPeriod {
        purpose: "contract".into(),
        basis: LegalBasis::Contract,
        start: Timestamp(100),
        end: Some(Timestamp(200)),
    };
    assert!(!p.active_at(Timestamp(99)));
    assert!(p.active_at(Timestamp(100)));
    assert!(p.active_at(Timestamp(199)));
    assert!(!p.active_at(Timestamp(200)));
    assert!(p.check().is_ok());
    let backwards = BasisPeriod {
        end: Some(Timestamp(50)),
        ..p
    };
    assert!(backwards
        .check()
        .unwrap_err()
        .message
        .contains("before it starts"));
}

fn action() -> impl Strategy<Value = ConsentAction> {
    prop::sample::select(ConsentAction::ALL.to_vec())
}

proptest! {
    #[test]
    fn the_result_is_the_latest_of_the_two(a1 in action(), t1 in 0i64..50, a2 in action(), t2 in 0i64..50) {
        let s = st(ConsentChannel::Email, a1, t1);
        let a = st(ConsentChannel::Any, a2, t2);
        let r = effective_consent(s, a).unwrap();
        prop_assert_eq!(r.at.0, t1.max(t2));
        prop_assert!(r == s.unwrap() || r == a.unwrap());
        // Granted is only the answer when no refusal is at least as recent.
        if r.action == ConsentAction::Granted {
            prop_assert!(!(a2 != ConsentAction::Granted && t2 >= t1));
            prop_assert!(!(a1 != ConsentAction::Granted && t1 > t2));
        }
    }
}
