//! The pure parts of reading a contact whole, shared by both backends: field values newest first
//! into current values and history, and the rows of a range of contacts into retention views.

use std::collections::{BTreeMap, HashMap};

use super::PurposeIds;
use crate::domain::{
    BasisPeriod, CategoryHeld, ConsentAction, ConsentChannel, ConsentStateEntry, DataCategory,
    FieldEntry, LegalBasis, Policy, ProvenanceId, SourceChannel, SourceSummary, SubjectView,
    Timestamp,
};

/// A field-values row: one source's contribution.
pub(crate) struct ValuesRow {
    pub provenance: i64,
    pub collected_at: i64,
    pub recorded_at: i64,
    pub fields: String,
}

/// The catalogue's category for a field; fields dropped from the catalogue since are shown as notes
/// rather than hidden: an access request must show everything stored.
pub(crate) fn category(policy: &Policy, name: &str) -> DataCategory {
    policy
        .catalogue
        .field(name)
        .map_or(DataCategory::Notes, |f| f.category)
}

/// Rows newest first -> field entries, current values first.
pub(crate) fn field_entries(policy: &Policy, rows: &[ValuesRow]) -> Vec<FieldEntry> {
    let mut current = Vec::new();
    let mut history = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for row in rows {
        let Ok(map) = serde_json::from_str::<BTreeMap<String, String>>(&row.fields) else {
            continue;
        };
        for (name, value) in map {
            let is_current = !seen.contains(&name);
            let entry = FieldEntry {
                category: category(policy, &name),
                name: name.clone(),
                value,
                provenance: Some(ProvenanceId(row.provenance)),
                recorded_at: Timestamp(row.recorded_at),
                current: is_current,
            };
            if is_current {
                seen.push(name);
                current.push(entry);
            } else {
                history.push(entry);
            }
        }
    }
    current.extend(history);
    current
}

/// Fills in views of a range of contacts from their rows, each kind of row read in the order the
/// backend's query gives: field values by contact and newest first; consent events by contact,
/// purpose, channel, time and sequence (the ledger's order); legal bases by contact, purpose, start.
/// Rows of contacts not among the views are skipped.
pub(crate) struct ViewAssembler<'a> {
    policy: &'a Policy,
    purposes: &'a PurposeIds,
    views: &'a mut [SubjectView],
    index: HashMap<i64, usize>,
    /// (contact, field) already seen: only current values count.
    seen: HashMap<(i64, String), ()>,
    /// The latest objection of each (subject, purpose) by (time, ledger sequence).
    objected: HashMap<(usize, i64), (Timestamp, i64)>,
}

impl<'a> ViewAssembler<'a> {
    pub fn new(policy: &'a Policy, purposes: &'a PurposeIds, views: &'a mut [SubjectView]) -> Self {
        let index = views
            .iter()
            .enumerate()
            .map(|(i, v)| (v.contact_id.0, i))
            .collect();
        ViewAssembler {
            policy,
            purposes,
            views,
            index,
            seen: HashMap::new(),
            objected: HashMap::new(),
        }
    }

    pub fn field_row(
        &mut self,
        contact: i64,
        collected_at: Timestamp,
        recorded_at: Timestamp,
        fields: &str,
        label: String,
        channel: i64,
    ) {
        let Some(&i) = self.index.get(&contact) else {
            return;
        };
        let view = &mut self.views[i];
        let channel = SourceChannel::from_code(channel).unwrap_or(SourceChannel::Other);
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
        let fields: BTreeMap<String, String> = serde_json::from_str(fields).unwrap_or_default();
        for name in fields.into_keys() {
            // Only current values count: the newest row holding a field comes first.
            if self.seen.insert((contact, name.clone()), ()).is_some() {
                continue;
            }
            let cat = category(self.policy, &name);
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

    pub fn consent_row(
        &mut self,
        contact: i64,
        purpose_id: i64,
        channel: i64,
        action: i64,
        at: Timestamp,
        seq: i64,
    ) {
        let Some(&i) = self.index.get(&contact) else {
            return;
        };
        let purpose = self.purposes.name(purpose_id);
        let channel = ConsentChannel::from_code(channel).unwrap_or(ConsentChannel::Any);
        let state = ConsentAction::from_code(action).unwrap_or(ConsentAction::Withdrawn);
        if state == ConsentAction::Objected {
            let latest = self.objected.entry((i, purpose_id)).or_insert((at, seq));
            if (at, seq) >= *latest {
                *latest = (at, seq);
                let objection = ConsentStateEntry {
                    purpose: purpose.clone(),
                    channel,
                    state,
                    at,
                };
                let objections = &mut self.views[i].objections;
                match objections.iter_mut().find(|o| o.purpose == purpose) {
                    Some(o) => *o = objection,
                    None => objections.push(objection),
                }
            }
        }
        let consents = &mut self.views[i].consents;
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

    pub fn basis_row(
        &mut self,
        contact: i64,
        purpose_id: i64,
        basis: i64,
        start: Timestamp,
        end: Option<Timestamp>,
    ) {
        let Some(&i) = self.index.get(&contact) else {
            return;
        };
        self.views[i].legal_bases.push(BasisPeriod {
            purpose: self.purposes.name(purpose_id),
            basis: LegalBasis::from_code(basis).unwrap_or(LegalBasis::Consent),
            start,
            end,
        });
    }
}
