//! A contact read whole: details with history and provenance (`ContactStore::contact`, and the
//! access package built on it), as `sqlite/views.rs` reads them.

use std::collections::BTreeMap;

use postgres::GenericClient;

use super::rows::contact::{
    contact_suppressions, former_identities_of, identities_of, restrictions_of,
};
use super::rows::from_code;
use crate::domain::{
    BatchId, ContactDetails, ContactId, DataCategory, IdentityEntry, PluginRef, Policy,
    ProvenanceEntry, ProvenanceId, SourceChannel, Timestamp,
};
use crate::store::common::{field_entries, scope_from_sql, ValuesRow};
use crate::store::error::{DbContext, StoreError};
use crate::store::Result;

/// Read inside one transaction (a snapshot) when the caller wants the parts to agree.
pub(crate) fn load_details(
    policy: &Policy,
    client: &mut impl GenericClient,
    id: ContactId,
) -> Result<ContactDetails> {
    let Some(row) = client
        .query_opt(
            "SELECT created_at, updated_at, last_interaction, restricted_since, legal_hold_since, erased_at,
                    suppressed_purposes, anonymised, legal_hold_reason FROM contacts WHERE id = $1",
            &[&id.0],
        )
        .db("cannot read the contact")?
    else {
        return Err(StoreError::not_found(id.to_string()));
    };
    let ts = |i: usize| row.get::<_, Option<i64>>(i).map(Timestamp);
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
    Ok(ContactDetails {
        id,
        created_at: Timestamp(row.get(0)),
        updated_at: Timestamp(row.get(1)),
        last_interaction: ts(2),
        restricted_since: ts(3),
        restrictions: restrictions_of(client, id)?,
        legal_hold_since: ts(4),
        legal_hold_reason: row.get(8),
        erased_at: ts(5),
        suppression: row.get::<_, Option<&str>>(6).map(scope_from_sql),
        suppression_periods: contact_suppressions(client, id)?,
        anonymised: row
            .get::<_, Option<&str>>(7)
            .and_then(|a| serde_json::from_str::<Vec<DataCategory>>(a).ok())
            .unwrap_or_default(),
        identities: identities
            .into_iter()
            .map(|(identity, p)| IdentityEntry {
                identity,
                provenance: p.map(ProvenanceId),
            })
            .collect(),
        former_identities: former,
        fields: field_entries(policy, &rows),
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
    Ok(ProvenanceEntry {
        id: ProvenanceId(id),
        source_label: r.get(0),
        channel: from_code(r.get(1), SourceChannel::from_code, "source channel")?,
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
