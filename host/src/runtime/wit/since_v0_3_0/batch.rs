//! Subject views laid out in columns (`subject-batch`, plugin API 0.3): one list of numbers per
//! fact, rows grouped by subject, strings once per batch in `names`. The canonical ABI copies a
//! list of numbers into the plugin with one allocation, where a list of views took one for every
//! list and string of every subject.

use super::types;
use super::SubjectBatch;
use crate::domain::{ConsentStateEntry, SubjectView};
use foldhash::fast::RandomState;
use std::collections::HashMap;

/// `flags` bits, as `retention.wit` documents them.
const RESTRICTED: u8 = 1;
const LEGAL_HOLD: u8 = 2;
const INTERACTED: u8 = 4;

/// The column form of `batch`, rows in the order of each view's lists.
pub fn columns(batch: &[SubjectView]) -> SubjectBatch {
    let mut names = Names::default();
    let mut b = empty(batch.len());
    for v in batch {
        b.contact_ids.push(v.contact_id.0 as u64);
        b.created_at.push(v.created_at.0);
        b.last_interaction
            .push(v.last_interaction.map_or(0, |t| t.0));
        b.flags.push(
            (u8::from(v.restricted) * RESTRICTED)
                | (u8::from(v.legal_hold) * LEGAL_HOLD)
                | (u8::from(v.last_interaction.is_some()) * INTERACTED),
        );

        b.source_counts.push(count(v.sources.len()));
        for s in &v.sources {
            b.source_labels.push(names.index(&s.label));
            b.source_channels
                .push(types::SourceChannel::from(s.channel) as u8);
            b.source_collected_at.push(s.collected_at.0);
        }

        b.basis_counts.push(count(v.legal_bases.len()));
        for l in &v.legal_bases {
            b.basis_purposes.push(names.index(&l.purpose));
            b.basis_kinds.push(types::LegalBasis::from(l.basis) as u8);
            b.basis_starts.push(l.start.0);
            b.basis_ends.push(l.end.map_or(0, |t| t.0));
            b.basis_has_end.push(u8::from(l.end.is_some()));
        }

        b.consent_counts.push(count(v.consents.len()));
        for c in &v.consents {
            push_state(
                &mut names,
                c,
                (
                    &mut b.consent_purposes,
                    &mut b.consent_channels,
                    &mut b.consent_states,
                    &mut b.consent_at,
                ),
            );
        }
        b.objection_counts.push(count(v.objections.len()));
        for c in &v.objections {
            push_state(
                &mut names,
                c,
                (
                    &mut b.objection_purposes,
                    &mut b.objection_channels,
                    &mut b.objection_states,
                    &mut b.objection_at,
                ),
            );
        }

        b.category_counts.push(count(v.categories.len()));
        for c in &v.categories {
            b.category_kinds
                .push(types::DataCategory::from(c.category) as u8);
            b.category_values.push(c.values);
            b.category_oldest.push(c.oldest.0);
        }
    }
    b.names = names.into_list();
    b
}

type StateColumns<'a> = (
    &'a mut Vec<u32>,
    &'a mut Vec<u32>,
    &'a mut Vec<u8>,
    &'a mut Vec<i64>,
);

fn push_state(
    names: &mut Names,
    c: &ConsentStateEntry,
    (purposes, channels, states, at): StateColumns,
) {
    purposes.push(names.index(&c.purpose));
    channels.push(names.index(c.channel.as_str()));
    states.push(types::ConsentAction::from(c.state) as u8);
    at.push(c.at.0);
}

/// A view's list length as a count column holds it. Views come from the store, whose lists are
/// a handful of rows per subject.
fn count(len: usize) -> u32 {
    u32::try_from(len).expect("a subject view's list has fewer than 2^32 rows")
}

/// The subject columns sized for `subjects`; the row tables grow as rows come.
fn empty(subjects: usize) -> SubjectBatch {
    SubjectBatch {
        names: Vec::new(),
        contact_ids: Vec::with_capacity(subjects),
        created_at: Vec::with_capacity(subjects),
        last_interaction: Vec::with_capacity(subjects),
        flags: Vec::with_capacity(subjects),
        source_counts: Vec::with_capacity(subjects),
        source_labels: Vec::new(),
        source_channels: Vec::new(),
        source_collected_at: Vec::new(),
        basis_counts: Vec::with_capacity(subjects),
        basis_purposes: Vec::new(),
        basis_kinds: Vec::new(),
        basis_starts: Vec::new(),
        basis_ends: Vec::new(),
        basis_has_end: Vec::new(),
        consent_counts: Vec::with_capacity(subjects),
        consent_purposes: Vec::new(),
        consent_channels: Vec::new(),
        consent_states: Vec::new(),
        consent_at: Vec::new(),
        objection_counts: Vec::with_capacity(subjects),
        objection_purposes: Vec::new(),
        objection_channels: Vec::new(),
        objection_states: Vec::new(),
        objection_at: Vec::new(),
        category_counts: Vec::with_capacity(subjects),
        category_kinds: Vec::new(),
        category_values: Vec::new(),
        category_oldest: Vec::new(),
    }
}

/// The batch's strings, each once, by first appearance.
#[derive(Default)]
struct Names {
    index: HashMap<String, u32, RandomState>,
    list: Vec<String>,
}

impl Names {
    fn index(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = count(self.list.len());
        self.index.insert(name.to_string(), i);
        self.list.push(name.to_string());
        i
    }

    fn into_list(self) -> Vec<String> {
        self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        BasisPeriod, CategoryHeld, ConsentAction, ConsentChannel, ContactId, DataCategory,
        LegalBasis, SourceChannel, SourceSummary, Timestamp,
    };

    fn view(id: i64) -> SubjectView {
        SubjectView {
            contact_id: ContactId(id),
            created_at: Timestamp(1_700_000_000),
            last_interaction: None,
            sources: vec![],
            legal_bases: vec![],
            consents: vec![],
            objections: vec![],
            categories: vec![],
            restricted: false,
            legal_hold: false,
        }
    }

    /// The example of `retention.wit`, column by column.
    #[test]
    fn the_documented_example_is_what_the_host_sends() {
        let mut v = view(42);
        v.restricted = true;
        v.legal_bases = vec![BasisPeriod {
            purpose: "marketing".into(),
            basis: LegalBasis::LegitimateInterest,
            start: Timestamp(1_700_000_000),
            end: None,
        }];
        let b = columns(&[v]);
        assert_eq!(b.names, ["marketing"]);
        assert_eq!(b.contact_ids, [42]);
        assert_eq!(b.created_at, [1_700_000_000]);
        assert_eq!((b.last_interaction, b.flags), (vec![0], vec![1]));
        assert_eq!(b.basis_counts, [1]);
        assert_eq!(b.basis_purposes, [0]);
        assert_eq!(b.basis_kinds, [6]);
        assert_eq!(b.basis_starts, [1_700_000_000]);
        assert_eq!((b.basis_ends, b.basis_has_end), (vec![0], vec![0]));
        for counts in [
            b.source_counts,
            b.consent_counts,
            b.objection_counts,
            b.category_counts,
        ] {
            assert_eq!(counts, [0]);
        }
        assert!(
            b.source_labels.is_empty() && b.consent_at.is_empty() && b.category_kinds.is_empty()
        );
    }

    /// Rows follow their subject, strings are shared, enums are their WIT positions.
    #[test]
    fn rows_are_grouped_by_subject_and_names_kept_once() {
        let mut a = view(1);
        a.last_interaction = Some(Timestamp(1_750_000_000));
        a.legal_hold = true;
        a.sources = vec![SourceSummary {
            label: "Fiera 2025".into(),
            channel: SourceChannel::Fair,
            collected_at: Timestamp(1_710_000_000),
        }];
        let consent = |purpose: &str, channel, state, at| ConsentStateEntry {
            purpose: purpose.into(),
            channel,
            state,
            at: Timestamp(at),
        };
        a.consents = vec![
            consent(
                "marketing",
                ConsentChannel::Email,
                ConsentAction::Granted,
                5,
            ),
            consent(
                "profiling",
                ConsentChannel::Any,
                ConsentAction::Withdrawn,
                6,
            ),
        ];
        let b_view = {
            let mut b = view(2);
            b.objections = vec![consent(
                "marketing",
                ConsentChannel::Phone,
                ConsentAction::Objected,
                7,
            )];
            b.categories = vec![CategoryHeld {
                category: DataCategory::Financial,
                values: 3,
                oldest: Timestamp(8),
            }];
            b.legal_bases = vec![BasisPeriod {
                purpose: "accounting".into(),
                basis: LegalBasis::LegalObligation,
                start: Timestamp(9),
                end: Some(Timestamp(10)),
            }];
            b
        };
        let b = columns(&[a, b_view]);
        assert_eq!(
            b.names,
            [
                "Fiera 2025",
                "marketing",
                "email",
                "profiling",
                "any",
                "accounting",
                "phone"
            ]
        );
        assert_eq!(b.flags, [2 | 4, 0]);
        assert_eq!(b.last_interaction, [1_750_000_000, 0]);
        assert_eq!(
            (b.source_counts, b.source_labels, b.source_channels),
            (vec![1, 0], vec![0], vec![4])
        );
        assert_eq!(b.consent_counts, [2, 0]);
        assert_eq!(b.consent_purposes, [1, 3]);
        assert_eq!(b.consent_channels, [2, 4]);
        assert_eq!(b.consent_states, [0, 1]);
        assert_eq!(b.consent_at, [5, 6]);
        assert_eq!(b.objection_counts, [0, 1]);
        assert_eq!(
            (
                b.objection_purposes,
                b.objection_channels,
                b.objection_states
            ),
            (vec![1], vec![6], vec![2])
        );
        assert_eq!(
            (b.category_counts, b.category_kinds, b.category_values),
            (vec![0, 1], vec![2], vec![3])
        );
        assert_eq!(
            (b.basis_kinds, b.basis_ends, b.basis_has_end),
            (vec![3], vec![10], vec![1])
        );
    }
}
