//! Reading a contact whole: details with history and provenance (get, access requests) and the
//! retention rules' subject views, read a range of contacts at a time.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{params, Connection, OptionalExtension};

use super::rows::contact::{
    contact_suppressions, former_identities_of, identities_of, restrictions_of,
};
use super::rows::ledger::{consent_history, legal_bases, notice_receipts};
use super::rows::suppression::scope_from_sql;
use super::rows::{from_code, ts};
use super::SqliteStore;
use crate::domain::{
    BasisPeriod, BatchId, CategoryHeld, ConsentAction, ConsentChannel, ConsentStateEntry,
    ContactDetails, ContactId, DataCategory, IdentityEntry, LegalBasis, PluginRef, ProvenanceEntry,
    ProvenanceId, SourceChannel, SourceSummary, SubjectView, Timestamp,
};
use crate::store::common::{category, field_entries, ValuesRow};
use crate::store::error::{DbContext, StoreError};
use crate::store::{Result, SubjectData};

pub(crate) fn load_details(
    store: &SqliteStore,
    conn: &Connection,
    id: ContactId,
) -> Result<ContactDetails> {
    type Row = (
        i64,
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let row: Option<Row> = conn
        .prepare_cached(
            "SELECT created_at, updated_at, last_interaction, restricted_since, legal_hold_since, erased_at,
                    suppressed_purposes, anonymised, legal_hold_reason FROM contacts WHERE id = ?1",
        )
        .and_then(|mut s| {
            s.query_row([id.0], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
            })
            .optional()
        })
        .db("cannot read the contact")?;
    let Some((
        created,
        updated,
        last,
        restricted,
        hold,
        erased,
        suppressed,
        anonymised,
        hold_reason,
    )) = row
    else {
        return Err(StoreError::not_found(id.to_string()));
    };
    let mut stmt = conn
        .prepare_cached(
            "SELECT provenance_id, collected_at, recorded_at, fields FROM field_values WHERE contact_id = ?1 ORDER BY seq DESC",
        )
        .db("cannot read field values")?;
    let rows = stmt
        .query_map([id.0], |r| {
            Ok(ValuesRow {
                provenance: r.get(0)?,
                collected_at: r.get(1)?,
                recorded_at: r.get(2)?,
                fields: r.get(3)?,
            })
        })
        .db("cannot read field values")?
        .collect::<Result<Vec<_>, _>>()
        .db("cannot read field values")?;
    let identities = identities_of(conn, id)?;
    // Each provenance once, with the earliest time this contact's data came from it.
    let mut collected: BTreeMap<i64, i64> = BTreeMap::new();
    for r in &rows {
        let at = collected.entry(r.provenance).or_insert(r.collected_at);
        *at = (*at).min(r.collected_at);
    }
    let former = former_identities_of(conn, id)?;
    let identity_provenance = identities.iter().map(|(_, p)| *p);
    let former_provenance = former
        .iter()
        .flat_map(|f| [f.provenance.map(|p| p.0), Some(f.removed_by.0)]);
    for p in identity_provenance.chain(former_provenance).flatten() {
        collected.entry(p).or_insert(i64::MAX);
    }
    let provenance = collected
        .into_iter()
        .map(|(p, at)| provenance_entry(conn, p, at))
        .collect::<Result<Vec<_>>>()?;
    Ok(ContactDetails {
        id,
        created_at: Timestamp(created),
        updated_at: Timestamp(updated),
        last_interaction: ts(last),
        restricted_since: ts(restricted),
        restrictions: restrictions_of(conn, id)?,
        legal_hold_since: ts(hold),
        legal_hold_reason: hold_reason,
        erased_at: ts(erased),
        suppression: suppressed.as_deref().map(scope_from_sql),
        suppression_periods: contact_suppressions(conn, id)?,
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
fn provenance_entry(conn: &Connection, id: i64, collected_at: i64) -> Result<ProvenanceEntry> {
    conn.prepare_cached(
        "SELECT p.source_label, p.channel, p.operator, p.created_at, p.batch_id, b.file_digest,
                b.plugin_name, b.plugin_version, b.plugin_digest
         FROM provenance p LEFT JOIN import_batches b ON b.id = p.batch_id WHERE p.id = ?1",
    )
    .and_then(|mut s| {
        s.query_row([id], |r| {
            let created: i64 = r.get(3)?;
            let plugin = match (
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
            ) {
                (Some(name), Some(version)) => Some(PluginRef {
                    name,
                    version,
                    digest: r.get::<_, Option<String>>(8)?.unwrap_or_default(),
                }),
                _ => None,
            };
            Ok(ProvenanceEntry {
                id: ProvenanceId(id),
                source_label: r.get(0)?,
                channel: from_code(r.get(1)?, SourceChannel::from_code, "source channel")?,
                operator: r.get(2)?,
                collected_at: Timestamp(if collected_at == i64::MAX {
                    created
                } else {
                    collected_at
                }),
                batch: r.get::<_, Option<i64>>(4)?.map(BatchId),
                file_digest: r.get(5)?,
                plugin,
            })
        })
    })
    .db("cannot read the provenance")
}

pub(crate) fn subject_data(store: &SqliteStore, id: ContactId) -> Result<SubjectData> {
    // A reader works inside one snapshot: the package is consistent.
    let conn = store.reader()?;
    let details = load_details(store, &conn, id)?;
    if let Some(at) = details.erased_at {
        return Err(StoreError::Erased { contact: id, at });
    }
    Ok(SubjectData {
        consents: consent_history(&store.purposes, &conn, id)?,
        bases: legal_bases(&store.purposes, &conn, id)?,
        notices: notice_receipts(&conn, id)?,
        details,
    })
}

/// Views of a range of live contacts: four range scans, whatever the number of contacts.
pub(crate) fn subject_views(
    store: &SqliteStore,
    after: Option<ContactId>,
    limit: u32,
) -> Result<Vec<SubjectView>> {
    let conn = store.reader()?;
    read_views(
        store,
        &conn,
        after.map_or(0, |a| a.0),
        limit.clamp(1, 10_000),
    )
}

fn read_views(
    store: &SqliteStore,
    conn: &Connection,
    after: i64,
    limit: u32,
) -> Result<Vec<SubjectView>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, created_at, last_interaction, restricted_since, legal_hold_since FROM contacts
             WHERE id > ?1 AND erased_at IS NULL ORDER BY id LIMIT ?2",
        )
        .db("cannot read subjects")?;
    let mut views: Vec<SubjectView> = stmt
        .query_map(params![after, limit], |r| {
            Ok(SubjectView {
                contact_id: ContactId(r.get(0)?),
                created_at: Timestamp(r.get(1)?),
                last_interaction: ts(r.get(2)?),
                sources: Vec::new(),
                legal_bases: Vec::new(),
                consents: Vec::new(),
                objections: Vec::new(),
                categories: Vec::new(),
                restricted: r.get::<_, Option<i64>>(3)?.is_some(),
                legal_hold: r.get::<_, Option<i64>>(4)?.is_some(),
            })
        })
        .db("cannot read subjects")?
        .collect::<Result<_, _>>()
        .db("cannot read subjects")?;
    let (Some(first), Some(last)) = (views.first(), views.last()) else {
        return Ok(views);
    };
    let (lo, hi) = (first.contact_id.0, last.contact_id.0);
    let index: HashMap<i64, usize> = views
        .iter()
        .enumerate()
        .map(|(i, v)| (v.contact_id.0, i))
        .collect();

    let mut stmt = conn
        .prepare_cached(
            "SELECT f.contact_id, f.collected_at, f.recorded_at, f.fields, p.source_label, p.channel
             FROM field_values f JOIN provenance p ON p.id = f.provenance_id
             WHERE f.contact_id BETWEEN ?1 AND ?2 ORDER BY f.contact_id, f.seq DESC",
        )
        .db("cannot read subjects")?;
    let mut rows = stmt.query(params![lo, hi]).db("cannot read subjects")?;
    let mut seen: HashMap<(i64, String), ()> = HashMap::new();
    while let Some(r) = rows.next().db("cannot read subjects")? {
        let Some(&i) = index.get(&r.get::<_, i64>(0).db("subjects")?) else {
            continue;
        };
        let view = &mut views[i];
        let collected_at = Timestamp(r.get(1).db("subjects")?);
        let recorded_at = Timestamp(r.get(2).db("subjects")?);
        let label: String = r.get(4).db("subjects")?;
        let channel =
            SourceChannel::from_code(r.get(5).db("subjects")?).unwrap_or(SourceChannel::Other);
        if !view
            .sources
            .iter()
            .any(|s| s.label == label && s.channel == channel)
        {
            view.sources.push(SourceSummary {
                label,
                channel,
                collected_at,
            });
        }
        let fields: BTreeMap<String, String> =
            serde_json::from_str(&r.get::<_, String>(3).db("subjects")?).unwrap_or_default();
        for name in fields.into_keys() {
            // Only current values count: the newest row holding a field comes first.
            if seen.insert((view.contact_id.0, name.clone()), ()).is_some() {
                continue;
            }
            let cat = category(&store.policy, &name);
            match view.categories.iter_mut().find(|c| c.category == cat) {
                Some(held) => {
                    held.values += 1;
                    held.oldest = held.oldest.min(recorded_at);
                }
                None => view.categories.push(CategoryHeld {
                    category: cat,
                    values: 1,
                    oldest: recorded_at,
                }),
            }
        }
    }
    drop(rows);

    let mut stmt = conn
        .prepare_cached(
            "SELECT contact_id, purpose_id, channel, action, at, seq FROM consent_events
             WHERE contact_id BETWEEN ?1 AND ?2 ORDER BY contact_id, purpose_id, channel, at, seq",
        )
        .db("cannot read subjects")?;
    let mut rows = stmt.query(params![lo, hi]).db("cannot read subjects")?;
    // The latest objection of each (subject, purpose) by (time, ledger sequence), the ledger's order.
    let mut objected: HashMap<(usize, i64), (Timestamp, i64)> = HashMap::new();
    while let Some(r) = rows.next().db("cannot read subjects")? {
        let Some(&i) = index.get(&r.get::<_, i64>(0).db("subjects")?) else {
            continue;
        };
        let purpose_id: i64 = r.get(1).db("subjects")?;
        let purpose = store.purposes.name(purpose_id);
        let channel =
            ConsentChannel::from_code(r.get(2).db("subjects")?).unwrap_or(ConsentChannel::Any);
        let state =
            ConsentAction::from_code(r.get(3).db("subjects")?).unwrap_or(ConsentAction::Withdrawn);
        let at = Timestamp(r.get(4).db("subjects")?);
        let seq: i64 = r.get(5).db("subjects")?;
        if state == ConsentAction::Objected {
            let latest = objected.entry((i, purpose_id)).or_insert((at, seq));
            if (at, seq) >= *latest {
                *latest = (at, seq);
                let objection = ConsentStateEntry {
                    purpose: purpose.clone(),
                    channel,
                    state,
                    at,
                };
                let objections = &mut views[i].objections;
                match objections.iter_mut().find(|o| o.purpose == purpose) {
                    Some(o) => *o = objection,
                    None => objections.push(objection),
                }
            }
        }
        let consents = &mut views[i].consents;
        // Rows come in ledger order per (purpose, channel): the last one is the current state.
        match consents.last_mut() {
            Some(c) if c.purpose == purpose && c.channel == channel => {
                c.state = state;
                c.at = at;
            }
            _ => consents.push(ConsentStateEntry {
                purpose,
                channel,
                state,
                at,
            }),
        }
    }
    drop(rows);

    let mut stmt = conn
        .prepare_cached(
            "SELECT contact_id, purpose_id, basis, start, end FROM legal_bases
             WHERE contact_id BETWEEN ?1 AND ?2 ORDER BY contact_id, purpose_id, start",
        )
        .db("cannot read subjects")?;
    let mut rows = stmt.query(params![lo, hi]).db("cannot read subjects")?;
    while let Some(r) = rows.next().db("cannot read subjects")? {
        let Some(&i) = index.get(&r.get::<_, i64>(0).db("subjects")?) else {
            continue;
        };
        views[i].legal_bases.push(BasisPeriod {
            purpose: store.purposes.name(r.get(1).db("subjects")?),
            basis: LegalBasis::from_code(r.get(2).db("subjects")?).unwrap_or(LegalBasis::Consent),
            start: Timestamp(r.get(3).db("subjects")?),
            end: ts(r.get(4).db("subjects")?),
        });
    }
    Ok(views)
}
