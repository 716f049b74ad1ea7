//! Reading contacts whole on PostgreSQL (the twin of `sqlite/views.rs`): the access package in one
//! snapshot (details from `details.rs`), and retention views of a range of contacts.

use super::details::load_details;
use super::rows::ledger::{consent_history, legal_bases, notice_receipts};
use super::PostgresStore;
use crate::domain::{ContactId, SubjectView, Timestamp};
use crate::store::common::views::ViewAssembler;
use crate::store::error::{DbContext, StoreError};
use crate::store::{Result, SubjectData};

fn ts(v: Option<i64>) -> Option<Timestamp> {
    v.map(Timestamp)
}

pub(crate) fn subject_data(store: &PostgresStore, id: ContactId) -> Result<SubjectData> {
    let mut conn = store.conn()?;
    // One snapshot: the package is consistent even while another server writes.
    let mut tx = super::snapshot(&mut conn, "cannot start reading the contact")?;
    let details = load_details(&store.policy, &mut tx, id)?;
    if let Some(at) = details.erased_at {
        return Err(StoreError::Erased { contact: id, at });
    }
    Ok(SubjectData {
        consents: consent_history(&store.purposes, &mut tx, id)?,
        bases: legal_bases(&store.purposes, &mut tx, id)?,
        notices: notice_receipts(&mut tx, id)?,
        details,
    })
}

/// Views of a range of live contacts: four range scans in one snapshot, whatever the number of
/// contacts.
pub(crate) fn subject_views(
    store: &PostgresStore,
    after: Option<ContactId>,
    limit: u32,
) -> Result<Vec<SubjectView>> {
    let mut conn = store.conn()?;
    let mut tx = super::snapshot(&mut conn, "cannot start reading subjects")?;
    let after = after.map_or(0, |a| a.0);
    let limit = i64::from(limit.clamp(1, 10_000));
    let mut views: Vec<SubjectView> = tx
        .query(
            "SELECT id, created_at, last_interaction, restricted_since, legal_hold_since FROM contacts
             WHERE id > $1 AND erased_at IS NULL ORDER BY id LIMIT $2",
            &[&after, &limit],
        )
        .db("cannot read subjects")?
        .iter()
        .map(|r| SubjectView {
            contact_id: ContactId(r.get(0)),
            created_at: Timestamp(r.get(1)),
            last_interaction: ts(r.get(2)),
            sources: Vec::new(),
            legal_bases: Vec::new(),
            consents: Vec::new(),
            objections: Vec::new(),
            categories: Vec::new(),
            restricted: r.get::<_, Option<i64>>(3).is_some(),
            legal_hold: r.get::<_, Option<i64>>(4).is_some(),
        })
        .collect();
    let (Some(first), Some(last)) = (views.first(), views.last()) else {
        return Ok(views);
    };
    let (lo, hi) = (first.contact_id.0, last.contact_id.0);
    let fields = tx
        .query(
            "SELECT f.contact_id, f.collected_at, f.recorded_at, f.fields, p.source_label, p.channel
             FROM field_values f JOIN provenance p ON p.id = f.provenance_id
             WHERE f.contact_id BETWEEN $1 AND $2 ORDER BY f.contact_id, f.seq DESC",
            &[&lo, &hi],
        )
        .db("cannot read subjects")?;
    let events = tx
        .query(
            "SELECT contact_id, purpose_id, channel, action, at, seq FROM consent_events
             WHERE contact_id BETWEEN $1 AND $2 ORDER BY contact_id, purpose_id, channel, at, seq",
            &[&lo, &hi],
        )
        .db("cannot read subjects")?;
    let bases = tx
        .query(
            r#"SELECT contact_id, purpose_id, basis, start, "end" FROM legal_bases
               WHERE contact_id BETWEEN $1 AND $2 ORDER BY contact_id, purpose_id, start"#,
            &[&lo, &hi],
        )
        .db("cannot read subjects")?;
    let mut assembler = ViewAssembler::new(&store.policy, &store.purposes, &mut views);
    for r in &fields {
        assembler.field_row(
            r.get(0),
            Timestamp(r.get(1)),
            Timestamp(r.get(2)),
            r.get(3),
            r.get(4),
            r.get(5),
        );
    }
    for r in &events {
        assembler.consent_row(
            r.get(0),
            r.get(1),
            r.get(2),
            r.get(3),
            Timestamp(r.get(4)),
            r.get(5),
        );
    }
    for r in &bases {
        assembler.basis_row(
            r.get(0),
            r.get(1),
            r.get(2),
            Timestamp(r.get(3)),
            ts(r.get(4)),
        );
    }
    Ok(views)
}
