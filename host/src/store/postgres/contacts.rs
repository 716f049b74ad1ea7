//! Contacts on PostgreSQL: creation by hand (through the record sink, refusing a known identity),
//! reading, listing, rectification, restriction (periods that are lifted, never erased) and legal
//! hold — the behaviour and messages of `sqlite/contacts.rs`.

use postgres::{GenericClient, Transaction};
use serde_json::json;

use super::details::load_details;
use super::records::RecordSink;
use super::rows::contact::{
    bump_contact, find_contact, identities_of, live_contact, mark_suppressed_by_hash,
    restrictions_of,
};
use super::rows::suppression::entries_among;
use super::PostgresStore;
use crate::domain::{
    Actor, ContactDetails, ContactId, ContactSummary, Identity, NormalizedRecord, RecordOutcome,
    RestrictionPeriod, SourceChannel, SourceDetails, SuppressionScope, Timestamp,
};
use crate::store::common::checks::{check_reason, check_text, kinds};
use crate::store::common::{AuditDraft, OnExisting, SinkConfig};
use crate::store::encode::fields_json;
use crate::store::error::{DbContext, StoreError};
use crate::store::{
    ContactFilter, ContactPage, ContactStore, NewContact, RecordWriter, Rectification, Result,
};

fn manual_provenance(tx: &mut Transaction<'_>, label: &str, operator: &str) -> Result<i64> {
    tx.query_one(
        "INSERT INTO provenance (batch_id, source_label, channel, operator, created_at)
         VALUES (NULL, $1, $2, $3, $4) RETURNING id",
        &[
            &label,
            &SourceChannel::Manual.code(),
            &operator,
            &Timestamp::now().0,
        ],
    )
    .map(|r| r.get(0))
    .db("cannot record the provenance")
}

/// Runs `f` in a read-only transaction on one snapshot: the parts of what is read agree with each
/// other even while other servers write.
fn read_in_snapshot<T>(
    store: &PostgresStore,
    f: impl FnOnce(&mut Transaction<'_>) -> Result<T>,
) -> Result<T> {
    {
        let mut conn = store.conn()?;
        let mut tx = super::snapshot(&mut conn, "cannot start reading")?;
        f(&mut tx)
    }
}

impl ContactStore for PostgresStore {
    fn create_contact(&self, actor: &Actor, new: &NewContact) -> Result<ContactId> {
        check_text("source_label", &new.source_label, "phone call")?;
        let record = NormalizedRecord {
            row: 1,
            identities: new.identities.clone(),
            fields: new.fields.clone(),
            source: SourceDetails::default(),
            last_interaction: new.last_interaction,
            ..NormalizedRecord::default()
        };
        record.check(&self.policy).map_err(|mut e| {
            e.field = e.field.trim_start_matches("row 1: ").to_string();
            e
        })?;
        self.write(actor, |tx| {
            let cfg = SinkConfig {
                batch: None,
                file_digest: None,
                source_label: new.source_label.trim().to_string(),
                channel: new.channel,
                operator: actor.name.clone(),
                default_collected_at: new.collected_at.unwrap_or_else(Timestamp::now),
                on_existing: OnExisting::Conflict,
            };
            let mut sink = RecordSink::new(self, tx, cfg)?;
            let outcome = sink.write(&record)?;
            sink.finish()?;
            match outcome {
                RecordOutcome::Created(id) => {
                    let names: Vec<&str> = new.fields.iter().map(|f| f.name.as_str()).collect();
                    let details = json!({ "identities": kinds(&new.identities), "fields": names, "channel": new.channel });
                    Ok((id, AuditDraft::contact("contact.create", id, details)))
                }
                RecordOutcome::Suppressed => Err(StoreError::Conflict(
                    "an identity of this contact is on the suppression list for all purposes: it must not be entered again".into(),
                )),
                other => Err(StoreError::Conflict(format!("unexpected outcome {other:?} creating a contact"))),
            }
        })
    }

    fn contact(&self, id: ContactId) -> Result<ContactDetails> {
        read_in_snapshot(self, |tx| load_details(&self.policy, tx, id))
    }

    fn find_contact(&self, identity: &Identity) -> Result<Option<ContactId>> {
        find_contact(&mut **self.conn()?, identity)
    }

    fn list_contacts(&self, filter: &ContactFilter) -> Result<ContactPage> {
        read_in_snapshot(self, |tx| list(tx, filter))
    }

    fn rectify(&self, actor: &Actor, id: ContactId, change: &Rectification) -> Result<()> {
        check_text(
            "reason",
            &change.reason,
            "the customer wrote on 2026-03-01 with a new address",
        )?;
        if change.fields.is_empty()
            && change.add_identities.is_empty()
            && change.remove_identities.is_empty()
        {
            return Err(StoreError::invalid(
                "fields",
                "nothing to rectify: give fields, add_identities or remove_identities",
            ));
        }
        for (i, f) in change.fields.iter().enumerate() {
            self.policy
                .catalogue
                .require_field(&format!("fields[{i}]"), &f.name)?;
        }
        self.write(actor, |tx| {
            live_contact(tx, id)?;
            let prov = manual_provenance(tx, &format!("rectification: {}", change.reason.trim()), &actor.name)?;
            for identity in &change.add_identities {
                let hash = self.keys.suppression_hash(&identity.key());
                match entries_among(tx, &[hash.as_slice()])?.remove(&hash) {
                    Some((_, SuppressionScope::All)) => {
                        return Err(StoreError::Conflict(format!(
                            "{} `{identity}` is on the suppression list for all purposes: it cannot be added",
                            identity.kind()
                        )))
                    }
                    Some(_) => mark_suppressed_by_hash(tx, id, &hash)?,
                    None => {}
                }
                match find_contact(tx, identity)? {
                    Some(owner) if owner == id => {}
                    Some(owner) => {
                        return Err(StoreError::Conflict(format!(
                            "{} `{identity}` belongs to {owner}: remove it there first if it is really this person's",
                            identity.kind()
                        )))
                    }
                    None => {
                        tx.execute(
                            "INSERT INTO identities (key, contact_id, provenance_id) VALUES ($1, $2, $3)",
                            &[&identity.key(), &id.0, &prov],
                        )
                        .db("cannot add the identity")?;
                    }
                }
            }
            for identity in &change.remove_identities {
                // Kept as history with where it came from, until erasure.
                tx.execute(
                    "INSERT INTO former_identities (contact_id, key, provenance_id, removed_at, removed_by)
                     SELECT contact_id, key, provenance_id, $3, $4 FROM identities WHERE key = $1 AND contact_id = $2
                     ON CONFLICT DO NOTHING",
                    &[&identity.key(), &id.0, &Timestamp::now().0, &prov],
                )
                .db("cannot keep the removed identity as history")?;
                let removed = tx
                    .execute(
                        "DELETE FROM identities WHERE key = $1 AND contact_id = $2",
                        &[&identity.key(), &id.0],
                    )
                    .db("cannot remove the identity")?;
                if removed == 0 {
                    return Err(StoreError::not_found(format!("{} `{identity}` on {id}", identity.kind())));
                }
            }
            if !change.remove_identities.is_empty() && identities_of(tx, id)?.is_empty() {
                return Err(StoreError::invalid(
                    "remove_identities",
                    format!(
                        "this would leave {id} without an email, phone or external id, so no import, request or \
                         suppression could ever find the person again: add the new identity in the same \
                         rectification (`add_identities`), or erase the contact"
                    ),
                ));
            }
            let seq = bump_contact(tx, id, None)?;
            if !change.fields.is_empty() {
                let mut json = String::new();
                fields_json(&mut json, &change.fields);
                let at = Timestamp::now().0;
                tx.execute(
                    "INSERT INTO field_values (contact_id, seq, provenance_id, collected_at, recorded_at, fields)
                     VALUES ($1, $2, $3, $4, $4, $5)",
                    &[&id.0, &seq, &prov, &at, &json],
                )
                .db("cannot record the rectified values")?;
                // Keeps the derived column `last_collected_at` equal to the latest collection.
                tx.execute(
                    "UPDATE contacts SET last_collected_at = GREATEST(last_collected_at, $2) WHERE id = $1",
                    &[&id.0, &at],
                )
                .db("cannot update the contact")?;
            }
            let names: Vec<&str> = change.fields.iter().map(|f| f.name.as_str()).collect();
            let details = json!({
                "fields": names,
                "added": kinds(&change.add_identities),
                "removed": kinds(&change.remove_identities),
            });
            Ok(((), AuditDraft::contact("contact.rectify", id, details)))
        })
    }

    fn record_interaction(&self, actor: &Actor, id: ContactId, at: Timestamp) -> Result<()> {
        self.write(actor, |tx| {
            live_contact(tx, id)?;
            tx.execute(
                "UPDATE contacts SET last_interaction = GREATEST(last_interaction, $2), updated_at = $3
                 WHERE id = $1",
                &[&id.0, &at.0, &Timestamp::now().0],
            )
            .db("cannot record the interaction")?;
            Ok((
                (),
                AuditDraft::contact("contact.interaction", id, json!({ "at": at })),
            ))
        })
    }

    fn set_restriction(
        &self,
        actor: &Actor,
        id: ContactId,
        restricted: bool,
        at: Timestamp,
    ) -> Result<()> {
        self.write(actor, |tx| {
            live_contact(tx, id)?;
            let periods = restrictions_of(tx, id)?;
            let open = periods.iter().find(|p| p.until.is_none());
            let (action, details) = if restricted {
                restrict(tx, id, open, &periods, at)?;
                ("contact.restrict", json!({ "since": at }))
            } else {
                lift(tx, id, open, at)?;
                ("contact.restriction-lift", json!({ "until": at }))
            };
            Ok(((), AuditDraft::contact(action, id, details)))
        })
    }

    fn set_legal_hold(
        &self,
        actor: &Actor,
        id: ContactId,
        since: Option<Timestamp>,
        reason: &str,
    ) -> Result<()> {
        check_reason(reason, "litigation 2026/114, court of Milan")?;
        let reason = reason.trim();
        let action = if since.is_some() {
            "contact.legal-hold"
        } else {
            "contact.legal-hold-lift"
        };
        self.write(actor, |tx| {
            live_contact(tx, id)?;
            let held: Option<i64> = tx
                .query_one(
                    "SELECT legal_hold_since FROM contacts WHERE id = $1",
                    &[&id.0],
                )
                .db("cannot read the contact")?
                .get(0);
            match (held, since) {
                (Some(at), Some(_)) => {
                    return Err(StoreError::Conflict(format!(
                        "{id} is already under a legal hold since {}: lift it first to record another",
                        Timestamp(at).date_string()
                    )))
                }
                (None, None) => {
                    return Err(StoreError::Conflict(format!(
                        "{id} is not under a legal hold: there is nothing to lift"
                    )))
                }
                _ => {}
            }
            tx.execute(
                "UPDATE contacts SET legal_hold_since = $2, legal_hold_reason = $3, updated_at = $4 WHERE id = $1",
                &[&id.0, &since.map(|t| t.0), &since.map(|_| reason), &Timestamp::now().0],
            )
            .db("cannot update the contact")?;
            Ok((
                (),
                AuditDraft::contact(action, id, json!({ "since": since, "reason": reason })),
            ))
        })
    }
}

fn list(tx: &mut Transaction<'_>, filter: &ContactFilter) -> Result<ContactPage> {
    let limit = if filter.limit == 0 {
        100
    } else {
        filter.limit.min(1000)
    };
    let after = filter.after.map_or(0, |a| a.0);
    // An identity names at most one contact: look it up, then apply the other filters to it.
    let only = match &filter.identity {
        Some(identity) => match find_contact(tx, identity)? {
            Some(id) => Some(id.0),
            None => {
                return Ok(ContactPage {
                    items: vec![],
                    next: None,
                })
            }
        },
        None => None,
    };
    let rows = tx
        .query(
            "SELECT c.id, c.created_at, c.updated_at, c.restricted_since, c.legal_hold_since, c.erased_at
             FROM contacts c
             WHERE c.id > $1 AND ($2::BIGINT IS NULL OR c.id = $2) AND ($3::BIGINT IS NULL OR c.updated_at >= $3)
               AND ($4::TEXT IS NULL OR c.id IN (SELECT f.contact_id FROM provenance p
                                                 JOIN field_values f ON f.provenance_id = p.id
                                                 WHERE p.source_label = $4))
             ORDER BY c.id LIMIT $5",
            &[
                &after,
                &only,
                &filter.updated_since.map(|t| t.0),
                &filter.source_label,
                &(i64::from(limit) + 1),
            ],
        )
        .db("cannot list contacts")?;
    let mut items: Vec<ContactSummary> = rows
        .iter()
        .map(|r| ContactSummary {
            id: ContactId(r.get(0)),
            created_at: Timestamp(r.get(1)),
            updated_at: Timestamp(r.get(2)),
            identities: Vec::new(),
            restricted: r.get::<_, Option<i64>>(3).is_some(),
            legal_hold: r.get::<_, Option<i64>>(4).is_some(),
            erased: r.get::<_, Option<i64>>(5).is_some(),
        })
        .collect();
    let next = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|c| c.id)
    } else {
        None
    };
    for item in &mut items {
        item.identities = identities_of(tx, item.id)?
            .into_iter()
            .map(|(i, _)| i)
            .collect();
    }
    Ok(ContactPage { items, next })
}

/// Opens a restriction period from `since`. The periods never overlap, so "was processing
/// restricted on that day?" has one answer.
fn restrict(
    tx: &mut impl GenericClient,
    id: ContactId,
    open: Option<&RestrictionPeriod>,
    periods: &[RestrictionPeriod],
    since: Timestamp,
) -> Result<()> {
    if let Some(open) = open {
        return Err(StoreError::Conflict(format!(
            "processing of {id} is already restricted since {}: lift the restriction first to record another start",
            open.since.date_string()
        )));
    }
    if let Some(until) = periods
        .iter()
        .filter_map(|p| p.until)
        .max()
        .filter(|u| since < *u)
    {
        return Err(StoreError::invalid(
            "since",
            format!(
                "{id} was restricted until {}: a new restriction starts on that day or later, so the periods do not overlap",
                until.date_string()
            ),
        ));
    }
    tx.execute(
        "INSERT INTO restrictions (contact_id, since, until, recorded_at) VALUES ($1, $2, NULL, $3)",
        &[&id.0, &since.0, &Timestamp::now().0],
    )
    .db("cannot restrict the contact")?;
    set_restricted_since(tx, id, Some(since))
}

/// Ends the restriction in force at `at`; the period stays, to answer questions about its days.
fn lift(
    tx: &mut impl GenericClient,
    id: ContactId,
    open: Option<&RestrictionPeriod>,
    at: Timestamp,
) -> Result<()> {
    let Some(open) = open else {
        return Err(StoreError::Conflict(format!(
            "processing of {id} is not restricted: there is nothing to lift"
        )));
    };
    if at < open.since {
        return Err(StoreError::invalid(
            "since",
            format!(
                "the restriction of {id} starts on {}: it cannot be lifted before it starts",
                open.since.date_string()
            ),
        ));
    }
    if at > Timestamp::now() {
        return Err(StoreError::invalid(
            "since",
            format!(
                "a restriction is lifted now or at a past time, not on {}: lift it when the time comes",
                at.date_string()
            ),
        ));
    }
    tx.execute(
        "UPDATE restrictions SET until = $3 WHERE contact_id = $1 AND since = $2 AND until IS NULL",
        &[&id.0, &open.since.0, &at.0],
    )
    .db("cannot lift the restriction")?;
    set_restricted_since(tx, id, None)
}

/// `contacts.restricted_since`: the start of the restriction in force, which lists, retention views
/// and the erasure check read.
fn set_restricted_since(
    tx: &mut impl GenericClient,
    id: ContactId,
    since: Option<Timestamp>,
) -> Result<()> {
    tx.execute(
        "UPDATE contacts SET restricted_since = $2, updated_at = $3 WHERE id = $1",
        &[&id.0, &since.map(|t| t.0), &Timestamp::now().0],
    )
    .db("cannot update the contact")?;
    Ok(())
}
