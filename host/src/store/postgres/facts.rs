//! The read behind `can_process` on PostgreSQL: one statement, prepared once per pooled connection
//! (`Session::facts`: planning it took longer than running it) so a call is one round trip, returning the contact row and its short ranges of
//! ledger events, bases, restrictions, suppression and contract periods in the text forms of
//! `store::common::facts` (see `sqlite/facts.rs` for what each part is for).

use postgres::types::Type;

use super::views;
use super::PostgresStore;
use crate::domain::{ConsentChannel, ContactId, LegalBasis, SubjectFacts, SubjectView, Timestamp};
use crate::store::common::facts::{
    basis_periods, consent_states, restriction_periods, suppression_periods,
};
use crate::store::error::DbContext;
use crate::store::{Result, SubjectData, SubjectStore};

const FACTS_SQL: &str = r#"
SELECT c.created_at, c.last_interaction, c.last_collected_at, c.first_notice_at,
       c.suppressed_since, c.suppressed_purposes, c.erased_at,
       (SELECT string_agg(channel || ',' || at || ',' || seq || ',' || action, ';') FROM consent_events
         WHERE contact_id = c.id AND purpose_id = $2 AND at <= $3),
       (SELECT string_agg(basis || ',' || start || ',' || coalesce("end"::TEXT, ''), ';') FROM legal_bases
         WHERE contact_id = c.id AND purpose_id = $2),
       (SELECT string_agg(since || ',' || coalesce(until::TEXT, ''), ';') FROM restrictions
         WHERE contact_id = c.id),
       CASE WHEN c.suppressed_purposes IS NOT NULL THEN
         (SELECT string_agg(since || '|' || purposes, ';') FROM contact_suppressions WHERE contact_id = c.id) END,
       CASE WHEN $4 THEN
         (SELECT string_agg(purpose_id || ',' || start || ',' || coalesce("end"::TEXT, ''), ';') FROM legal_bases
           WHERE contact_id = c.id AND basis = $5) END
FROM contacts c WHERE c.id = $1"#;

impl SubjectStore for PostgresStore {
    fn processing_facts(
        &self,
        id: ContactId,
        purpose: &str,
        // Every channel's events bear on the answer: the channel selects nothing.
        _channel: ConsentChannel,
        at: Timestamp,
    ) -> Result<SubjectFacts> {
        // An unknown purpose is answered by the rule itself; id 0 matches no ledger row.
        let purpose_id = self.purposes.id(purpose).unwrap_or(0);
        let customer_rule = self.policy.catalogue.purpose(purpose).is_some_and(|p| {
            p.direct_marketing && p.bases.contains(&LegalBasis::LegitimateInterest)
        });
        let contract = LegalBasis::Contract.code();
        let mut conn = self.conn()?;
        let statement = match &conn.facts {
            Some(s) => s.clone(),
            None => {
                let s = conn
                    .prepare_typed(
                        FACTS_SQL,
                        &[Type::INT8, Type::INT8, Type::INT8, Type::BOOL, Type::INT8],
                    )
                    .db("cannot prepare the read of a contact")?;
                conn.facts = Some(s.clone());
                s
            }
        };
        let rows = conn
            .query(
                &statement,
                &[&id.0, &purpose_id, &at.0, &customer_rule, &contract],
            )
            .db("cannot read the contact")?;
        let Some(r) = rows.first() else {
            return Ok(SubjectFacts::default());
        };
        let created: i64 = r.get(0);
        let suppressed_since: Option<i64> = r.get(4);
        let suppressed: Option<String> = r.get(5);
        let marked = suppressed
            .as_deref()
            .map(|s| (Timestamp(suppressed_since.unwrap_or(created)), s));
        let (consents, objection) = consent_states(r.get(7));
        Ok(SubjectFacts {
            contact: Some(id),
            created_at: Timestamp(created),
            last_interaction: r.get::<_, Option<i64>>(1).map(Timestamp),
            last_collected_at: r.get::<_, Option<i64>>(2).map(Timestamp),
            first_notice_at: r.get::<_, Option<i64>>(3).map(Timestamp),
            restrictions: restriction_periods(r.get(9)),
            suppressions: suppression_periods(r.get(10), marked),
            erased_at: r.get::<_, Option<i64>>(6).map(Timestamp),
            consents,
            objection,
            bases: basis_periods(&self.purposes, Some(purpose), r.get(8)),
            contracts: basis_periods(&self.purposes, None, r.get(11)),
        })
    }

    fn subject_data(&self, id: ContactId) -> Result<SubjectData> {
        views::subject_data(self, id)
    }

    fn subject_views(&self, after: Option<ContactId>, limit: u32) -> Result<Vec<SubjectView>> {
        views::subject_views(self, after, limit)
    }
}
