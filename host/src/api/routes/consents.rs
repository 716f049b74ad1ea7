//! `contacts/{id}/consents`: a contact's consent ledger (history, with evidence) and the state it
//! results in now, per purpose and channel, derived the way `can-process` derives it.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::api::extract::{blocking, ApiPath};
use crate::api::problem::ApiResult;
use crate::api::routes::contacts::ContactPath;
use crate::app::App;
use crate::domain::{
    effective_consent, ConsentAction, ConsentChannel, ConsentRecord, ConsentState, ContactId,
    Timestamp,
};

/// The consent that applies now to one channel (or `any`) of one purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CurrentConsent {
    pub purpose: String,
    /// `any` is the state for every channel not listed for the purpose.
    pub channel: ConsentChannel,
    pub action: ConsentAction,
    /// When the deciding event happened.
    pub at: Timestamp,
    /// The ledger entry (`history[].seq`) that decides the state, with its evidence.
    pub decided_by_seq: i64,
    /// The channel of that entry: `any` when a later blanket event overrides the channel's own one
    /// (a withdrawal from everything after an email grant stops email).
    pub decided_by_channel: ConsentChannel,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ContactConsents {
    /// The whole ledger, oldest first, with evidence (Art. 7(1)).
    pub history: Vec<ConsentRecord>,
    /// The state now, per purpose and channel that have events.
    pub current: Vec<CurrentConsent>,
}

/// The state the ledger gives at `now`: for each (purpose, channel) the latest event at or before
/// `now` (by time, then ledger order, as `can-process` reads it); a channel's state is then combined
/// with the purpose's `any` state by [`effective_consent`]. Events dated after `now` do not count yet.
pub fn current_consents(ledger: &[ConsentRecord], now: Timestamp) -> Vec<CurrentConsent> {
    let mut latest: BTreeMap<(&str, ConsentChannel), &ConsentRecord> = BTreeMap::new();
    for event in ledger.iter().filter(|e| e.at <= now) {
        let kept = latest
            .entry((event.purpose.as_str(), event.channel))
            .or_insert(event);
        if (event.at, event.seq) > (kept.at, kept.seq) {
            *kept = event;
        }
    }
    let state = |e: &ConsentRecord| ConsentState {
        channel: e.channel,
        action: e.action,
        at: e.at,
    };
    let mut current: Vec<CurrentConsent> = latest
        .iter()
        .map(|(&(purpose, channel), &own)| {
            let any = latest.get(&(purpose, ConsentChannel::Any)).copied();
            let decided = match any {
                Some(any) if channel != ConsentChannel::Any => {
                    match effective_consent(Some(state(own)), Some(state(any))) {
                        Some(s) if s.channel == ConsentChannel::Any => any,
                        _ => own,
                    }
                }
                _ => own,
            };
            CurrentConsent {
                purpose: purpose.to_string(),
                channel,
                action: decided.action,
                at: decided.at,
                decided_by_seq: decided.seq,
                decided_by_channel: decided.channel,
            }
        })
        .collect();
    // Per purpose, the blanket state first, then the channels in vocabulary order.
    current.sort_by(|a, b| {
        (&a.purpose, a.channel != ConsentChannel::Any, a.channel).cmp(&(
            &b.purpose,
            b.channel != ConsentChannel::Any,
            b.channel,
        ))
    });
    current
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}/consents", operation_id = "contact_consents", tag = "contacts", params(ContactPath),
    responses((status = 200, description = "`history`: the consent ledger, oldest first, with evidence; `current`: the state now per purpose and channel, where `any` covers the channels not listed — the state `can-process` uses", body = ContactConsents),
        (status = 404, description = "No contact has this id")))]
pub async fn contact_consents(
    State(app): State<Arc<App>>,
    ApiPath(ContactPath { id }): ApiPath<ContactPath>,
) -> ApiResult<Json<ContactConsents>> {
    blocking(move || {
        let history = app.compliance.consent_history(ContactId(id))?;
        let current = current_consents(&history, Timestamp::now());
        Ok(ContactConsents { history, current })
    })
    .await
    .map(Json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Evidence;
    use ConsentAction::*;
    use ConsentChannel::*;

    fn event(
        seq: i64,
        purpose: &str,
        channel: ConsentChannel,
        action: ConsentAction,
        at: i64,
    ) -> ConsentRecord {
        ConsentRecord {
            seq,
            purpose: purpose.into(),
            channel,
            action,
            at: Timestamp(at),
            evidence: Evidence {
                method: "web form".into(),
                notice_version: None,
                text: None,
                collected_by: "test".into(),
            },
            provenance: None,
            batch: None,
            row: None,
        }
    }

    fn summary(current: &[CurrentConsent]) -> Vec<(&str, ConsentChannel, ConsentAction, i64)> {
        current
            .iter()
            .map(|c| (c.purpose.as_str(), c.channel, c.action, c.decided_by_seq))
            .collect()
    }

    #[test]
    fn a_later_blanket_withdrawal_overrides_a_channel_grant_and_a_later_grant_wins_back() {
        let ledger = [
            event(1, "marketing", Email, Granted, 10),
            event(2, "marketing", Sms, Granted, 10),
            event(3, "marketing", Any, Withdrawn, 20),
            event(4, "marketing", Sms, Granted, 30),
            event(5, "profiling", Any, Objected, 5),
        ];
        assert_eq!(
            summary(&current_consents(&ledger, Timestamp(100))),
            [
                ("marketing", Any, Withdrawn, 3),
                ("marketing", Email, Withdrawn, 3),
                ("marketing", Sms, Granted, 4),
                ("profiling", Any, Objected, 5),
            ]
        );
        let email = &current_consents(&ledger, Timestamp(100))[1];
        assert_eq!((email.decided_by_channel, email.at), (Any, Timestamp(20)));
    }

    #[test]
    fn the_latest_event_is_by_time_not_by_ledger_order_and_future_events_do_not_count() {
        // A withdrawal recorded late but dated earlier does not undo the later grant; an event dated
        // after now is not in force yet.
        let ledger = [
            event(1, "marketing", Email, Granted, 50),
            event(2, "marketing", Email, Withdrawn, 40),
            event(3, "marketing", Email, Withdrawn, 500),
        ];
        assert_eq!(
            summary(&current_consents(&ledger, Timestamp(100))),
            [("marketing", Email, Granted, 1)]
        );
        assert_eq!(
            summary(&current_consents(&ledger, Timestamp(500))),
            [("marketing", Email, Withdrawn, 3)]
        );
        // Same second on both: refusal wins, as in can-process.
        let tie = [
            event(1, "marketing", Email, Granted, 10),
            event(2, "marketing", Any, Withdrawn, 10),
        ];
        assert_eq!(
            summary(&current_consents(&tie, Timestamp(10)))[1],
            ("marketing", Email, Withdrawn, 2)
        );
        assert!(current_consents(&[], Timestamp(10)).is_empty());
    }
}
