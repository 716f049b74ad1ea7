//! The read behind `can_process`, the hottest path of the product: one contact row by primary key, one
//! descending seek per consent channel in the ledger's primary key, one short range of legal bases.

use rusqlite::{params, Connection, OptionalExtension};

use super::suppression::scope_from_sql;
use super::{ts, views, SqliteStore};
use crate::domain::{
    BasisPeriod, ConsentAction, ConsentChannel, ConsentState, ContactId, LegalBasis, SubjectFacts,
    SubjectView, Timestamp,
};
use crate::store::error::DbContext;
use crate::store::{Result, SubjectData, SubjectStore};

impl SubjectStore for SqliteStore {
    fn processing_facts(
        &self,
        id: ContactId,
        purpose: &str,
        channel: ConsentChannel,
        at: Timestamp,
    ) -> Result<SubjectFacts> {
        let conn = self.reader()?;
        read_facts(self, &conn, id, purpose, channel, at)
    }

    fn subject_data(&self, id: ContactId) -> Result<SubjectData> {
        views::subject_data(self, id)
    }

    fn subject_views(&self, after: Option<ContactId>, limit: u32) -> Result<Vec<SubjectView>> {
        views::subject_views(self, after, limit)
    }
}

/// Everything in one statement, so one call is one VDBE program and one implicit read transaction:
/// the transaction start (WAL read lock, a few system calls) costs more than the four lookups, and
/// separate statements would pay it each.
const FACTS_SQL: &str = "
SELECT c.created_at, c.last_interaction, c.first_notice_at, c.restricted_since, c.suppressed_since,
       c.suppressed_purposes, c.erased_at,
       (SELECT at * 8 + action FROM consent_events
         WHERE contact_id = c.id AND purpose_id = ?2 AND channel = ?3 AND at <= ?5
         ORDER BY at DESC, seq DESC LIMIT 1),
       (SELECT at * 8 + action FROM consent_events
         WHERE contact_id = c.id AND purpose_id = ?2 AND channel = ?4 AND at <= ?5
         ORDER BY at DESC, seq DESC LIMIT 1),
       (SELECT group_concat(basis || ',' || start || ',' || coalesce(end, ''), ';') FROM legal_bases
         WHERE contact_id = c.id AND purpose_id = ?2)
FROM contacts c WHERE c.id = ?1";

/// Unpacks `at * 8 + action` (action codes are 1..=3).
fn consent_state(packed: Option<i64>, channel: ConsentChannel) -> Option<ConsentState> {
    let packed = packed?;
    Some(ConsentState {
        channel,
        action: ConsentAction::from_code(packed.rem_euclid(8))?,
        at: Timestamp(packed.div_euclid(8)),
    })
}

fn basis_periods(purpose: &str, text: Option<String>) -> Vec<BasisPeriod> {
    let Some(text) = text else { return Vec::new() };
    text.split(';')
        .filter_map(|row| {
            let mut parts = row.split(',');
            let basis = LegalBasis::from_code(parts.next()?.parse().ok()?)?;
            let start = Timestamp(parts.next()?.parse().ok()?);
            let end = parts.next()?.parse().ok().map(Timestamp);
            Some(BasisPeriod {
                purpose: purpose.to_string(),
                basis,
                start,
                end,
            })
        })
        .collect()
}

pub(crate) fn read_facts(
    store: &SqliteStore,
    conn: &Connection,
    id: ContactId,
    purpose: &str,
    channel: ConsentChannel,
    at: Timestamp,
) -> Result<SubjectFacts> {
    // An unknown purpose is answered by the rule itself; id 0 matches no ledger row.
    let purpose_id = store.purposes.id(purpose).unwrap_or(0);
    // Channel code 0 matches no row: asking about `any` reads only the `any` events.
    let specific = if channel == ConsentChannel::Any {
        0
    } else {
        channel.code()
    };
    type Row = (
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<String>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<String>,
    );
    let row: Option<Row> = conn
        .prepare_cached(FACTS_SQL)
        .and_then(|mut s| {
            s.query_row(
                params![id.0, purpose_id, specific, ConsentChannel::Any.code(), at.0],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                        r.get(9)?,
                    ))
                },
            )
            .optional()
        })
        .db("cannot read the contact")?;
    let Some((
        created,
        last,
        notice,
        restricted,
        suppressed_since,
        suppressed,
        erased,
        on_channel,
        on_any,
        bases,
    )) = row
    else {
        return Ok(SubjectFacts::default());
    };
    Ok(SubjectFacts {
        contact: Some(id),
        created_at: Timestamp(created),
        last_interaction: ts(last),
        first_notice_at: ts(notice),
        restricted_since: ts(restricted),
        suppression: suppressed.map(|s| {
            (
                Timestamp(suppressed_since.unwrap_or(created)),
                scope_from_sql(&s),
            )
        }),
        erased_at: ts(erased),
        consent_on_channel: consent_state(on_channel, channel),
        consent_on_any: consent_state(on_any, ConsentChannel::Any),
        bases: basis_periods(purpose, bases),
    })
}
