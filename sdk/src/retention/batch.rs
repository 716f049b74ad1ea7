//! Plugin API 0.3 passes `rule.evaluate` its subjects in columns (a `subject-batch`, documented in
//! `retention.wit`): lists of numbers the host copies in one piece each, which costs a fraction of
//! lowering a list of views. This turns the columns back into the [`SubjectView`]s a rule reads,
//! so rules are written the same way whatever the version.

use super::bindings::exports::custode::plugin::rule::SubjectBatch;
use crate::types::{
    BasisPeriod, CategoryHeld, ConsentAction, ConsentState, DataCategory, LegalBasis,
    SourceChannel, SourceSummary, SubjectView,
};
use std::ops::Range;

/// `flags` bits.
const RESTRICTED: u8 = 1;
const LEGAL_HOLD: u8 = 2;
const INTERACTED: u8 = 4;

/// The subject views of `batch`, in its order. An inconsistent batch (columns of different
/// lengths, an index out of range) is refused: the host never sends one.
pub fn views(batch: &SubjectBatch) -> Result<Vec<SubjectView>, String> {
    let b = batch;
    let n = b.contact_ids.len();
    for (column, len) in [
        ("created-at", b.created_at.len()),
        ("last-interaction", b.last_interaction.len()),
        ("flags", b.flags.len()),
        ("source-counts", b.source_counts.len()),
        ("basis-counts", b.basis_counts.len()),
        ("consent-counts", b.consent_counts.len()),
        ("objection-counts", b.objection_counts.len()),
        ("category-counts", b.category_counts.len()),
    ] {
        same(column, len, n, "subjects")?;
    }
    let mut sources = Rows::new(
        &b.source_counts,
        &[
            ("source-labels", b.source_labels.len()),
            ("source-channels", b.source_channels.len()),
            ("source-collected-at", b.source_collected_at.len()),
        ],
    )?;
    let mut bases = Rows::new(
        &b.basis_counts,
        &[
            ("basis-purposes", b.basis_purposes.len()),
            ("basis-kinds", b.basis_kinds.len()),
            ("basis-starts", b.basis_starts.len()),
            ("basis-ends", b.basis_ends.len()),
            ("basis-has-end", b.basis_has_end.len()),
        ],
    )?;
    let mut consents = Rows::new(
        &b.consent_counts,
        &[
            ("consent-purposes", b.consent_purposes.len()),
            ("consent-channels", b.consent_channels.len()),
            ("consent-states", b.consent_states.len()),
            ("consent-at", b.consent_at.len()),
        ],
    )?;
    let mut objections = Rows::new(
        &b.objection_counts,
        &[
            ("objection-purposes", b.objection_purposes.len()),
            ("objection-channels", b.objection_channels.len()),
            ("objection-states", b.objection_states.len()),
            ("objection-at", b.objection_at.len()),
        ],
    )?;
    let mut categories = Rows::new(
        &b.category_counts,
        &[
            ("category-kinds", b.category_kinds.len()),
            ("category-values", b.category_values.len()),
            ("category-oldest", b.category_oldest.len()),
        ],
    )?;
    let name = |i: u32| {
        b.names
            .get(i as usize)
            .cloned()
            .ok_or_else(|| malformed(format!("name {i} is not in `names` ({})", b.names.len())))
    };

    let mut views = Vec::with_capacity(n);
    for i in 0..n {
        let flags = b.flags[i];
        views.push(SubjectView {
            contact_id: b.contact_ids[i],
            created_at: b.created_at[i],
            last_interaction: (flags & INTERACTED != 0).then_some(b.last_interaction[i]),
            sources: sources
                .of(i)
                .map(|j| {
                    Ok(SourceSummary {
                        label: name(b.source_labels[j])?,
                        channel: nth(SourceChannel::ALL, b.source_channels[j], "source-channels")?,
                        collected_at: b.source_collected_at[j],
                    })
                })
                .collect::<Result<_, String>>()?,
            legal_bases: bases
                .of(i)
                .map(|j| {
                    Ok(BasisPeriod {
                        purpose: name(b.basis_purposes[j])?,
                        basis: nth(LegalBasis::ALL, b.basis_kinds[j], "basis-kinds")?,
                        start: b.basis_starts[j],
                        end: (b.basis_has_end[j] != 0).then_some(b.basis_ends[j]),
                    })
                })
                .collect::<Result<_, String>>()?,
            consents: consents
                .of(i)
                .map(|j| {
                    Ok(ConsentState {
                        purpose: name(b.consent_purposes[j])?,
                        channel: name(b.consent_channels[j])?,
                        state: nth(ConsentAction::ALL, b.consent_states[j], "consent-states")?,
                        at: b.consent_at[j],
                    })
                })
                .collect::<Result<_, String>>()?,
            objections: objections
                .of(i)
                .map(|j| {
                    Ok(ConsentState {
                        purpose: name(b.objection_purposes[j])?,
                        channel: name(b.objection_channels[j])?,
                        state: nth(
                            ConsentAction::ALL,
                            b.objection_states[j],
                            "objection-states",
                        )?,
                        at: b.objection_at[j],
                    })
                })
                .collect::<Result<_, String>>()?,
            categories: categories
                .of(i)
                .map(|j| {
                    Ok(CategoryHeld {
                        category: nth(DataCategory::ALL, b.category_kinds[j], "category-kinds")?,
                        values: b.category_values[j],
                        oldest: b.category_oldest[j],
                    })
                })
                .collect::<Result<_, String>>()?,
            restricted: flags & RESTRICTED != 0,
            legal_hold: flags & LEGAL_HOLD != 0,
        });
    }
    Ok(views)
}

/// One table's rows, handed out subject by subject.
struct Rows<'a> {
    counts: &'a [u32],
    next: usize,
}

impl<'a> Rows<'a> {
    /// Checks that every column has one entry per row: as many as `counts` add up to.
    fn new(counts: &'a [u32], columns: &[(&str, usize)]) -> Result<Rows<'a>, String> {
        let rows: usize = counts.iter().map(|&c| c as usize).sum();
        for &(column, len) in columns {
            same(column, len, rows, "rows")?;
        }
        Ok(Rows { counts, next: 0 })
    }

    /// The rows of subject `i`, asked in order.
    fn of(&mut self, i: usize) -> Range<usize> {
        let start = self.next;
        self.next += self.counts[i] as usize;
        start..self.next
    }
}

fn same(column: &str, len: usize, expected: usize, of: &str) -> Result<(), String> {
    if len == expected {
        Ok(())
    } else {
        Err(malformed(format!(
            "`{column}` has {len} entries for {expected} {of}"
        )))
    }
}

/// The enum case at WIT position `code`.
fn nth<T: Copy>(all: &[T], code: u8, column: &str) -> Result<T, String> {
    all.get(code as usize).copied().ok_or_else(|| {
        malformed(format!(
            "`{column}` holds {code}, which is no case of its enum"
        ))
    })
}

fn malformed(what: String) -> String {
    format!("the host sent a malformed subject batch: {what} (this SDK reads plugin API 0.3.0)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty() -> SubjectBatch {
        SubjectBatch {
            names: vec![],
            contact_ids: vec![],
            created_at: vec![],
            last_interaction: vec![],
            flags: vec![],
            source_counts: vec![],
            source_labels: vec![],
            source_channels: vec![],
            source_collected_at: vec![],
            basis_counts: vec![],
            basis_purposes: vec![],
            basis_kinds: vec![],
            basis_starts: vec![],
            basis_ends: vec![],
            basis_has_end: vec![],
            consent_counts: vec![],
            consent_purposes: vec![],
            consent_channels: vec![],
            consent_states: vec![],
            consent_at: vec![],
            objection_counts: vec![],
            objection_purposes: vec![],
            objection_channels: vec![],
            objection_states: vec![],
            objection_at: vec![],
            category_counts: vec![],
            category_kinds: vec![],
            category_values: vec![],
            category_oldest: vec![],
        }
    }

    /// The example of `retention.wit`.
    fn documented_example() -> SubjectBatch {
        SubjectBatch {
            names: vec!["marketing".into()],
            contact_ids: vec![42],
            created_at: vec![1_700_000_000],
            last_interaction: vec![0],
            flags: vec![1],
            source_counts: vec![0],
            basis_counts: vec![1],
            basis_purposes: vec![0],
            basis_kinds: vec![6],
            basis_starts: vec![1_700_000_000],
            basis_ends: vec![0],
            basis_has_end: vec![0],
            consent_counts: vec![0],
            objection_counts: vec![0],
            category_counts: vec![0],
            ..empty()
        }
    }

    #[test]
    fn the_documented_example_is_one_restricted_subject_on_legitimate_interest() {
        let views = views(&documented_example()).unwrap();
        assert_eq!(
            views,
            [SubjectView {
                contact_id: 42,
                created_at: 1_700_000_000,
                last_interaction: None,
                sources: vec![],
                legal_bases: vec![BasisPeriod {
                    purpose: "marketing".into(),
                    basis: LegalBasis::LegitimateInterest,
                    start: 1_700_000_000,
                    end: None,
                }],
                consents: vec![],
                objections: vec![],
                categories: vec![],
                restricted: true,
                legal_hold: false,
            }]
        );
    }

    /// Rows go to their own subject, in order, and every column is read.
    #[test]
    fn rows_go_to_their_subjects() {
        let batch = SubjectBatch {
            names: vec![
                "Fiera".into(),
                "marketing".into(),
                "email".into(),
                "any".into(),
            ],
            contact_ids: vec![1, 2, 3],
            created_at: vec![10, 20, 30],
            last_interaction: vec![11, 0, 33],
            flags: vec![4, 2, 4 | 1],
            source_counts: vec![0, 1, 0],
            source_labels: vec![0],
            source_channels: vec![4],
            source_collected_at: vec![21],
            basis_counts: vec![0, 0, 1],
            basis_purposes: vec![1],
            basis_kinds: vec![3],
            basis_starts: vec![31],
            basis_ends: vec![32],
            basis_has_end: vec![1],
            consent_counts: vec![2, 0, 0],
            consent_purposes: vec![1, 1],
            consent_channels: vec![2, 3],
            consent_states: vec![0, 1],
            consent_at: vec![12, 13],
            objection_counts: vec![0, 0, 1],
            objection_purposes: vec![1],
            objection_channels: vec![2],
            objection_states: vec![2],
            objection_at: vec![34],
            category_counts: vec![1, 0, 0],
            category_kinds: vec![2],
            category_values: vec![5],
            category_oldest: vec![14],
            ..empty()
        };
        let v = views(&batch).unwrap();
        assert_eq!(v.len(), 3);
        assert_eq!(
            (v[0].last_interaction, v[1].last_interaction),
            (Some(11), None)
        );
        assert_eq!(v[0].consents.len(), 2);
        assert_eq!(v[0].consents[1].channel, "any");
        assert_eq!(v[0].consents[1].state, ConsentAction::Withdrawn);
        assert_eq!(v[0].categories[0].category, DataCategory::Financial);
        assert_eq!(v[0].categories[0].values, 5);
        assert_eq!(v[1].sources[0].label, "Fiera");
        assert_eq!(v[1].sources[0].channel, SourceChannel::Fair);
        assert!(v[1].legal_hold && !v[1].restricted);
        assert_eq!(v[2].legal_bases[0].basis, LegalBasis::LegalObligation);
        assert_eq!(v[2].legal_bases[0].end, Some(32));
        assert_eq!(v[2].objections[0].state, ConsentAction::Objected);
        assert!(v[2].restricted && v[1].consents.is_empty() && v[2].categories.is_empty());
    }

    #[test]
    fn an_inconsistent_batch_is_refused_with_the_column_named() {
        let mut short = documented_example();
        short.basis_kinds.clear();
        let e = views(&short).unwrap_err();
        assert!(e.contains("`basis-kinds` has 0 entries for 1 rows"), "{e}");

        let mut bad_name = documented_example();
        bad_name.basis_purposes = vec![7];
        assert!(views(&bad_name).unwrap_err().contains("name 7"));

        let mut bad_enum = documented_example();
        bad_enum.basis_kinds = vec![9];
        assert!(views(&bad_enum)
            .unwrap_err()
            .contains("`basis-kinds` holds 9"));

        let mut missing_subject_column = documented_example();
        missing_subject_column.flags.clear();
        assert!(views(&missing_subject_column)
            .unwrap_err()
            .contains("`flags` has 0"));
    }
}
