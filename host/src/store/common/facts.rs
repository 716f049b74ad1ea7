//! The text forms in which both backends read a contact's periods and ledger events for
//! `can_process` in one statement (`group_concat` on SQLite, `string_agg` on PostgreSQL), parsed
//! back into the domain's facts.

use super::PurposeIds;
use crate::domain::{
    ledger_summary, BasisPeriod, ConsentAction, ConsentChannel, ConsentState, LegalBasis,
    RestrictionPeriod, SuppressionPeriod, Timestamp,
};
use crate::store::common::scope_from_sql;

/// The ledger's events for the purpose, as `channel,at,seq,action;…`, reduced to the latest event on
/// each channel and the latest objection on any (`ledger_summary` orders by (at, seq), so the order
/// `group_concat` saw the rows in does not matter).
pub(crate) fn consent_states(text: Option<String>) -> (Vec<ConsentState>, Option<ConsentState>) {
    let text = text.unwrap_or_default();
    let events = text.split(';').filter_map(|row| {
        let mut parts = row.split(',').map(|p| p.parse::<i64>().ok());
        let mut next = || parts.next().flatten();
        let (channel, at, seq, action) = (next()?, next()?, next()?, next()?);
        let state = ConsentState {
            channel: ConsentChannel::from_code(channel)?,
            action: ConsentAction::from_code(action)?,
            at: Timestamp(at),
        };
        Some((state, seq))
    });
    ledger_summary(events)
}

pub(crate) fn basis_periods(
    purposes: &PurposeIds,
    purpose: Option<&str>,
    text: Option<String>,
) -> Vec<BasisPeriod> {
    let Some(text) = text else { return Vec::new() };
    text.split(';')
        .filter_map(|row| {
            let mut parts = row.split(',');
            // Contract periods of every purpose start with the purpose's id, and have no basis code.
            let (purpose, basis) = match purpose {
                Some(name) => (
                    name.to_string(),
                    LegalBasis::from_code(parts.next()?.parse().ok()?)?,
                ),
                None => (
                    purposes.name(parts.next()?.parse().ok()?),
                    LegalBasis::Contract,
                ),
            };
            let start = Timestamp(parts.next()?.parse().ok()?);
            let end = parts.next()?.parse().ok().map(Timestamp);
            Some(BasisPeriod {
                purpose,
                basis,
                start,
                end,
            })
        })
        .collect()
}

/// `since,until;…`, until empty while in force.
pub(crate) fn restriction_periods(text: Option<String>) -> Vec<RestrictionPeriod> {
    let Some(text) = text else { return Vec::new() };
    text.split(';')
        .filter_map(|row| {
            let (since, until) = row.split_once(',')?;
            Some(RestrictionPeriod {
                since: Timestamp(since.parse().ok()?),
                until: until.parse().ok().map(Timestamp),
            })
        })
        .collect()
}

/// `since|purposes;…`. A contact marked suppressed with no period rows (written before they
/// existed, and missed by the migration) counts as suppressed since its column says.
pub(crate) fn suppression_periods(
    text: Option<String>,
    marked: Option<(Timestamp, &str)>,
) -> Vec<SuppressionPeriod> {
    let mut periods: Vec<SuppressionPeriod> = text
        .unwrap_or_default()
        .split(';')
        .filter_map(|row| {
            let (since, purposes) = row.split_once('|')?;
            Some(SuppressionPeriod {
                since: Timestamp(since.parse().ok()?),
                scope: scope_from_sql(purposes),
            })
        })
        .collect();
    if periods.is_empty() {
        if let Some((since, purposes)) = marked {
            periods.push(SuppressionPeriod {
                since,
                scope: scope_from_sql(purposes),
            });
        }
    }
    periods
}
