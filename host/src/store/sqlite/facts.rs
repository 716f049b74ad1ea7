//! The read behind `can_process`, the hottest path of the product: one contact row by primary key, the
//! short range of the contact's ledger events for the purpose, short ranges of legal bases and
//! restrictions, and, only when they bear on the answer, suppression and contract periods.

use rusqlite::{params, Connection, OptionalExtension};

use super::rows::ts;
use super::views;
use super::SqliteStore;
use crate::domain::{ConsentChannel, ContactId, LegalBasis, SubjectFacts, SubjectView, Timestamp};
use crate::store::common::facts::{
    basis_periods, consent_states, restriction_periods, suppression_periods,
};
use crate::store::error::DbContext;
use crate::store::{Result, SubjectData, SubjectStore};

impl SubjectStore for SqliteStore {
    fn processing_facts(
        &self,
        id: ContactId,
        purpose: &str,
        // Every channel's events bear on the answer (see FACTS_SQL): the channel selects nothing.
        _channel: ConsentChannel,
        at: Timestamp,
    ) -> Result<SubjectFacts> {
        let conn = self.reader()?;
        read_facts(self, &conn, id, purpose, at)
    }

    fn subject_data(&self, id: ContactId) -> Result<SubjectData> {
        views::subject_data(self, id)
    }

    fn subject_views(&self, after: Option<ContactId>, limit: u32) -> Result<Vec<SubjectView>> {
        views::subject_views(self, after, limit)
    }
}

/// Everything in one statement, so one call is one VDBE program and one implicit read transaction:
/// the transaction start (WAL read lock, a few system calls) costs more than the lookups, and
/// separate statements would pay it each. Every channel's events are read whatever the asked channel:
/// an objection on one channel counts on all of them, and a question about `any` is refused by a
/// refusal on any one (`domain::consent::consent_for`). They are one short range of the ledger's
/// primary key `(contact, purpose, channel, at, seq)`: a contact has a handful of events per purpose.
/// Restriction periods are one seek (usually on nothing); suppression periods are read only for a
/// contact marked suppressed, and contract periods only when the purpose is direct marketing that
/// legitimate interest may justify (`?4`, the customer rule).
const FACTS_SQL: &str = "
SELECT c.created_at, c.last_interaction, c.last_collected_at, c.first_notice_at,
       c.suppressed_since, c.suppressed_purposes, c.erased_at,
       (SELECT group_concat(channel || ',' || at || ',' || seq || ',' || action, ';') FROM consent_events
         WHERE contact_id = c.id AND purpose_id = ?2 AND at <= ?3),
       (SELECT group_concat(basis || ',' || start || ',' || coalesce(end, ''), ';') FROM legal_bases
         WHERE contact_id = c.id AND purpose_id = ?2),
       (SELECT group_concat(since || ',' || coalesce(until, ''), ';') FROM restrictions
         WHERE contact_id = c.id),
       CASE WHEN c.suppressed_purposes IS NOT NULL THEN
         (SELECT group_concat(since || '|' || purposes, ';') FROM contact_suppressions WHERE contact_id = c.id) END,
       CASE WHEN ?4 THEN
         (SELECT group_concat(purpose_id || ',' || start || ',' || coalesce(end, ''), ';') FROM legal_bases
           WHERE contact_id = c.id AND basis = ?5) END
FROM contacts c WHERE c.id = ?1";

pub(crate) fn read_facts(
    store: &SqliteStore,
    conn: &Connection,
    id: ContactId,
    purpose: &str,
    at: Timestamp,
) -> Result<SubjectFacts> {
    // An unknown purpose is answered by the rule itself; id 0 matches no ledger row.
    let purpose_id = store.purposes.id(purpose).unwrap_or(0);
    let customer_rule =
        store.policy.catalogue.purpose(purpose).is_some_and(|p| {
            p.direct_marketing && p.bases.contains(&LegalBasis::LegitimateInterest)
        });
    type Row = (
        (i64, Option<i64>, Option<i64>, Option<i64>),
        (Option<i64>, Option<String>, Option<i64>),
        (
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        ),
    );
    let row: Option<Row> = conn
        .prepare_cached(FACTS_SQL)
        .and_then(|mut s| {
            let args = params![
                id.0,
                purpose_id,
                at.0,
                customer_rule,
                LegalBasis::Contract.code()
            ];
            s.query_row(args, |r| {
                Ok((
                    (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?),
                    (r.get(4)?, r.get(5)?, r.get(6)?),
                    (r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?),
                ))
            })
            .optional()
        })
        .db("cannot read the contact")?;
    let Some((
        (created, last, collected, notice),
        (suppressed_since, suppressed, erased),
        (events, bases, restrictions, suppressions, contracts),
    )) = row
    else {
        return Ok(SubjectFacts::default());
    };
    let (consents, objection) = consent_states(events);
    let marked = suppressed
        .as_deref()
        .map(|s| (Timestamp(suppressed_since.unwrap_or(created)), s));
    Ok(SubjectFacts {
        contact: Some(id),
        created_at: Timestamp(created),
        last_interaction: ts(last),
        last_collected_at: ts(collected),
        first_notice_at: ts(notice),
        restrictions: restriction_periods(restrictions),
        suppressions: suppression_periods(suppressions, marked),
        erased_at: ts(erased),
        consents,
        objection,
        bases: basis_periods(&store.purposes, Some(purpose), bases),
        contracts: basis_periods(&store.purposes, None, contracts),
    })
}
