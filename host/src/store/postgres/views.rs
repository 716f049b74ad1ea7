//! Reading a contact whole on PostgreSQL (the twin of `sqlite/views.rs`): details with history and
//! provenance, the access package in one snapshot, and retention views of a range of contacts.

use std::collections::BTreeMap;

use postgres::{GenericClient, IsolationLevel};

use super::rows::contact::{
    contact_suppressions, former_identities_of, identities_of, restrictions_of,
};
use super::rows::ledger::{consent_history, legal_bases, notice_receipts};
use super::PostgresStore;
use crate::domain::{
    BatchId, ContactDetails, ContactId, DataCategory, IdentityEntry, PluginRef, ProvenanceEntry,
    ProvenanceId, SourceChannel, SubjectView, Timestamp,
};
use crate::store::common::scope_from_sql;
use crate::store::common::views::{field_entries, ValuesRow, ViewAssembler};
use crate::store::error::{DbContext, StoreError};
use crate::store::{Result, SubjectData};

fn ts(v: Option<i64>) -> Option<Timestamp> {
    v.map(Timestamp)
}

pub(crate) fn load_details(
    store: &PostgresStore,
    client: &mut impl GenericClient,
    id: ContactId,
) -> Result<ContactDetails> {
    let row = client
        .query_opt(
            "SELECT created_at, updated_at, last_interaction, restricted_since, legal_hold_since, erased_at,
                    suppressed_purposes, anonymised, legal_hold_reason FROM contacts WHERE id = $1",
            &[&id.0],
        )
        .db("cannot read the contact")?
        .ok_or_else(|| StoreError::not_found(id.to_string()))?;
    let rows: Vec<ValuesRow> = client
        .query(
            "SELECT provenance_id, collected_at, recorded_at, fields FROM field_values
             WHERE contact_id = $1 ORDER BY seq DESC",
            &[&id.0],
        )
        .db("cannot read field values")?
        .iter()
        .map(|r| ValuesRow {
            provenance: r.get(0),
            collected_at: r.get(1),
            recorded_at: r.get(2),
            fields: r.get(3),
        })
        .collect();
    let identities = identities_of(client, id)?;
    // Each provenance once, with the earliest time this contact's data came from it.
    let mut collected: BTreeMap<i64, i64> = BTreeMap::new();
    for r in &rows {
        let at = collected.entry(r.provenance).or_insert(r.collected_at);
        *at = (*at).min(r.collected_at);
    }
    let former = former_identities_of(client, id)?;
    let identity_provenance = identities.iter().map(|(_, p)| *p);
    let former_provenance = former
        .iter()
        .flat_map(|f| [f.provenance.map(|p| p.0), Some(f.removed_by.0)]);
    for p in identity_provenance.chain(former_provenance).flatten() {
        collected.entry(p).or_insert(i64::MAX);
    }
    let provenance = collected
        .into_iter()
        .map(|(p, at)| provenance_entry(client, p, at))
        .collect::<Result<Vec<_>>>()?;
    let suppressed: Option<String> = row.get(6);
    let anonymised: Option<String> = row.get(7);
    Ok(ContactDetails {
        id,
        created_at: Timestamp(row.get(0)),
        updated_at: Timestamp(row.get(1)),
        last_interaction: ts(row.get(2)),
        restricted_since: ts(row.get(3)),
        restrictions: restrictions_of(client, id)?,
        legal_hold_since: ts(row.get(4)),
        legal_hold_reason: row.get(8),
        erased_at: ts(row.get(5)),
        suppression: suppressed.as_deref().map(scope_from_sql),
        suppression_periods: contact_suppressions(client, id)?,
        anonymised: anonymised
            .and_then(|a| serde_json::from_str::<Vec<DataCategory>>(&a).ok())
            .unwrap_or_default(),
        identities: identities
            .into_iter()
            .map(|(identity, p)| IdentityEntry {
                identity,
                provenance: p.map(ProvenanceId),
            })
            .collect(),
        former_identities: former,
        fields: field_entries(&store.policy, &rows),
        provenance,
    })
}

/// `collected_at` is `i64::MAX` when only an identity came from this provenance: the row's own time
/// is used then.
fn provenance_entry(
    client: &mut impl GenericClient,
    id: i64,
    collected_at: i64,
) -> Result<ProvenanceEntry> {
    let r = client
        .query_one(
            "SELECT p.source_label, p.channel, p.operator, p.created_at, p.batch_id, b.file_digest,
                    b.plugin_name, b.plugin_version, b.plugin_digest
             FROM provenance p LEFT JOIN import_batches b ON b.id = p.batch_id WHERE p.id = $1",
            &[&id],
        )
        .db("cannot read the provenance")?;
    let created: i64 = r.get(3);
    let plugin = match (r.get::<_, Option<String>>(6), r.get::<_, Option<String>>(7)) {
        (Some(name), Some(version)) => Some(PluginRef {
            name,
            version,
            digest: r.get::<_, Option<String>>(8).unwrap_or_default(),
        }),
        _ => None,
    };
    let code: i64 = r.get(1);
    let channel = SourceChannel::from_code(code).ok_or_else(|| {
        StoreError::Setup(format!(
            "provenance {id} has an unknown source channel code {code}: the database was written by a newer Custode"
        ))
    })?;
    Ok(ProvenanceEntry {
        id: ProvenanceId(id),
        source_label: r.get(0),
        channel,
        operator: r.get(2),
        collected_at: Timestamp(if collected_at == i64::MAX {
            created
        } else {
            collected_at
        }),
        batch: r.get::<_, Option<i64>>(4).map(BatchId),
        file_digest: r.get(5),
        plugin,
    })
}

pub(crate) fn subject_data(store: &PostgresStore, id: ContactId) -> Result<SubjectData> {
    let mut conn = store.conn()?;
    // One snapshot: the package is consistent even while another server writes.
    let mut tx = conn
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .db("cannot start reading the contact")?;
    let details = load_details(store, &mut tx, id)?;
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
    let mut tx = conn
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .db("cannot start reading subjects")?;
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
