//! The read behind `can_process`, the hottest path of the product: one contact row by primary key, one
//! descending seek per consent channel in the ledger's primary key, one short range of legal bases.

use rusqlite::{params, Connection, OptionalExtension};

use super::consent::from_code;
use super::suppression::scope_from_sql;
use super::{ts, views, SqliteStore};
use crate::domain::{
    BasisPeriod, ConsentAction, ConsentChannel, ConsentState, ContactId, LegalBasis, SubjectFacts,
    SubjectView, Timestamp,
};
use crate::store::error::DbContext;
use crate::store::{Result, SubjectData, SubjectStore};

fn latest_event(
    conn: &Connection,
    id: ContactId,
    purpose: i64,
    channel: ConsentChannel,
    at: Timestamp,
) -> Result<Option<ConsentState>> {
    conn.prepare_cached(
        "SELECT action, at FROM consent_events WHERE contact_id = ?1 AND purpose_id = ?2 AND channel = ?3 AND at <= ?4
         ORDER BY at DESC, seq DESC LIMIT 1",
    )
    .and_then(|mut s| {
        s.query_row(params![id.0, purpose, channel.code(), at.0], |r| {
            Ok(ConsentState {
                channel,
                action: from_code(r.get(0)?, ConsentAction::from_code, "consent action")?,
                at: Timestamp(r.get(1)?),
            })
        })
        .optional()
    })
    .db("cannot read the consent ledger")
}

impl SubjectStore for SqliteStore {
    fn processing_facts(
        &self,
        id: ContactId,
        purpose: &str,
        channel: ConsentChannel,
        at: Timestamp,
    ) -> Result<SubjectFacts> {
        let conn = self.reader()?;
        type Row = (
            i64,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<String>,
            Option<i64>,
        );
        let row: Option<Row> = conn
            .prepare_cached(
                "SELECT created_at, last_interaction, first_notice_at, restricted_since, suppressed_since,
                        suppressed_purposes, erased_at FROM contacts WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
                    .optional()
            })
            .db("cannot read the contact")?;
        let Some((created, last, notice, restricted, suppressed_since, suppressed, erased)) = row
        else {
            return Ok(SubjectFacts::default());
        };
        let mut facts = SubjectFacts {
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
            ..SubjectFacts::default()
        };
        // An unknown purpose is answered by the rule itself; nothing more to read.
        let Ok(purpose_id) = self.purposes.id(purpose) else {
            return Ok(facts);
        };
        if facts.erased_at.is_some() {
            return Ok(facts);
        }
        if channel != ConsentChannel::Any {
            facts.consent_on_channel = latest_event(&conn, id, purpose_id, channel, at)?;
        }
        facts.consent_on_any = latest_event(&conn, id, purpose_id, ConsentChannel::Any, at)?;
        let mut stmt = conn
            .prepare_cached("SELECT basis, start, end FROM legal_bases WHERE contact_id = ?1 AND purpose_id = ?2")
            .db("cannot read the legal bases")?;
        let rows = stmt
            .query_map(params![id.0, purpose_id], |r| {
                Ok(BasisPeriod {
                    purpose: purpose.to_string(),
                    basis: from_code(r.get(0)?, LegalBasis::from_code, "legal basis")?,
                    start: Timestamp(r.get(1)?),
                    end: ts(r.get(2)?),
                })
            })
            .db("cannot read the legal bases")?;
        facts.bases = rows
            .collect::<Result<_, _>>()
            .db("cannot read the legal bases")?;
        Ok(facts)
    }

    fn subject_data(&self, id: ContactId) -> Result<SubjectData> {
        views::subject_data(self, id)
    }

    fn subject_views(&self, after: Option<ContactId>, limit: u32) -> Result<Vec<SubjectView>> {
        views::subject_views(self, after, limit)
    }
}
