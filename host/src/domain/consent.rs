//! Consent ledger events, legal-basis periods, and how the current consent for a channel is derived
//! from the ledger (Art. 6, Art. 7).

use serde::{Deserialize, Serialize};

use super::error::InvalidInput;
use super::ids::{BatchId, ProvenanceId};
use super::time::Timestamp;
use super::vocab::{ConsentAction, ConsentChannel, LegalBasis};

/// What proves a consent event (Art. 7(1): the controller must be able to demonstrate consent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// How it was collected, e.g. `web form checkbox`, `signed paper form`, `unsubscribe link`.
    pub method: String,
    /// The privacy notice version the person had seen, e.g. `2026-01`.
    #[serde(default)]
    pub notice_version: Option<String>,
    /// Free text, e.g. `checkbox "newsletter" on /signup`.
    #[serde(default)]
    pub text: Option<String>,
    /// Who recorded it (operator or system name).
    pub collected_by: String,
}

impl Evidence {
    pub fn check(&self) -> Result<(), InvalidInput> {
        if self.method.trim().is_empty() {
            return Err(InvalidInput::new(
                "evidence.method",
                "say how the consent was collected, e.g. `web form checkbox` or `signed paper form` (Art. 7(1))",
            ));
        }
        if self.collected_by.trim().is_empty() {
            return Err(InvalidInput::new(
                "evidence.collected_by",
                "say who recorded the event",
            ));
        }
        Ok(())
    }
}

/// A grant, withdrawal or objection to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentEvent {
    pub purpose: String,
    pub channel: ConsentChannel,
    pub action: ConsentAction,
    pub at: Timestamp,
    pub evidence: Evidence,
}

/// A ledger entry as stored: the event, its evidence and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConsentRecord {
    /// Position in the ledger; later entries have larger numbers.
    pub seq: i64,
    pub purpose: String,
    pub channel: ConsentChannel,
    pub action: ConsentAction,
    pub at: Timestamp,
    pub evidence: Evidence,
    pub provenance: Option<ProvenanceId>,
    /// For an imported event, the import batch (its file digest and importer are on the batch) and
    /// the row of the source the event was read from: with the importer's evidence text, what
    /// demonstrates an imported consent (Art. 7(1)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<BatchId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
}

/// The latest ledger event for one channel (or `any`) of one purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentState {
    pub channel: ConsentChannel,
    pub action: ConsentAction,
    pub at: Timestamp,
}

/// The consent that applies to a channel, from the latest event on that channel and the latest event
/// on `any` (which covers every channel). The later event wins, so "withdrawn from everything" after an
/// email grant stops email, and an email grant after that re-allows email only. On the same second the
/// refusal wins: when the record cannot tell which came first, the person is not contacted.
pub fn effective_consent(
    specific: Option<ConsentState>,
    any: Option<ConsentState>,
) -> Option<ConsentState> {
    match (specific, any) {
        (None, x) | (x, None) => x,
        (Some(s), Some(a)) if s.at != a.at => Some(if s.at > a.at { s } else { a }),
        (Some(s), Some(a)) => Some(if a.action != ConsentAction::Granted {
            a
        } else {
            s
        }),
    }
}

/// What the ledger says about one purpose for a question on one channel (or on `any`, "on every
/// channel"), once events on different channels are combined.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChannelConsent {
    /// The event that answers "is consent given?": the grant that covers the channel, or the refusal
    /// that stands in its way. Asked about `any`, a refusal on any single channel stands in the way.
    pub state: Option<ConsentState>,
    /// An objection (Art. 21) in force: recorded on any channel, not followed by a grant covering the
    /// asked channel. When set, `state` is this objection.
    pub objection: Option<ConsentState>,
}

impl ChannelConsent {
    /// A withdrawal (not an objection) is what stands in the way of consent.
    pub fn withdrawn(&self) -> Option<ConsentState> {
        self.state.filter(|s| s.action == ConsentAction::Withdrawn)
    }
}

/// Reduces a purpose's ledger events at or before the query time, each with its ledger sequence
/// number, to what [`consent_for`] reads: the latest event on each channel and the latest objection on
/// whatever channel. "Latest" is by (time, sequence number), the ledger's own order, so the input may
/// come in any order.
pub fn ledger_summary(
    events: impl IntoIterator<Item = (ConsentState, i64)>,
) -> (Vec<ConsentState>, Option<ConsentState>) {
    let mut latest: Vec<(ConsentState, i64)> = Vec::new();
    let mut objection: Option<(ConsentState, i64)> = None;
    let later = |a: &(ConsentState, i64), b: &(ConsentState, i64)| (a.0.at, a.1) > (b.0.at, b.1);
    for event in events {
        match latest
            .iter_mut()
            .find(|(s, _)| s.channel == event.0.channel)
        {
            Some(entry) if later(&event, entry) => *entry = event,
            Some(_) => {}
            None => latest.push(event),
        }
        if event.0.action == ConsentAction::Objected
            && objection.as_ref().is_none_or(|o| later(&event, o))
        {
            objection = Some(event);
        }
    }
    (
        latest.into_iter().map(|(s, _)| s).collect(),
        objection.map(|(s, _)| s),
    )
}

/// Combines the ledger for a question on `channel`. `latest` holds the latest event of the purpose on
/// each channel (`any` included, at most one per channel); `objection` the latest objection of the
/// purpose on whatever channel.
///
/// - Consent and its withdrawal are per channel: on a channel, the later of its own latest event and
///   the latest on `any` decides ([`effective_consent`]).
/// - A question about `any` means "on every channel": only a grant on `any` answers it, and a refusal
///   on one channel that is later than that grant (or on the same second) defeats it.
/// - An objection is to the purpose, not to a channel (Art. 21): it counts on every channel, as if
///   recorded on `any`, until a later grant covering the asked channel shows the person's new will
///   for that channel. A later withdrawal does not lift it.
pub fn consent_for(
    channel: ConsentChannel,
    latest: &[ConsentState],
    objection: Option<ConsentState>,
) -> ChannelConsent {
    let any = latest
        .iter()
        .copied()
        .find(|s| s.channel == ConsentChannel::Any);
    let base = if channel == ConsentChannel::Any {
        let refusal = latest
            .iter()
            .filter(|s| s.channel != ConsentChannel::Any)
            .filter_map(|s| effective_consent(Some(*s), any))
            .filter(|s| s.action != ConsentAction::Granted)
            .max_by_key(|s| s.at);
        refusal.or(any)
    } else {
        let own = latest.iter().copied().find(|s| s.channel == channel);
        effective_consent(own, any)
    };
    let lifted =
        |o: &ConsentState| base.is_some_and(|b| b.action == ConsentAction::Granted && b.at > o.at);
    let objection = objection.filter(|o| !lifted(o));
    ChannelConsent {
        state: objection.or(base),
        objection,
    }
}

/// A legal basis for a purpose over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BasisPeriod {
    pub purpose: String,
    pub basis: LegalBasis,
    pub start: Timestamp,
    /// None while the basis lasts.
    #[serde(default)]
    pub end: Option<Timestamp>,
}

impl BasisPeriod {
    pub fn active_at(&self, at: Timestamp) -> bool {
        self.start <= at && self.end.is_none_or(|end| at < end)
    }

    pub fn check(&self) -> Result<(), InvalidInput> {
        match self.end {
            Some(end) if end <= self.start => Err(InvalidInput::new(
                "end",
                format!(
                    "the {} basis for `{}` ends ({}) before it starts ({}): swap the dates or leave the end empty",
                    self.basis,
                    self.purpose,
                    end.date_string(),
                    self.start.date_string()
                ),
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests;
