//! A retention rule's and an exporter's checks. The runtime already refuses a decision about a
//! subject outside the batch, two decisions about one subject and a document name with a folder in
//! it; these checks make a plugin meet those refusals on purpose, and add what the contract asks
//! beyond them: a rule decides about each subject on its own, the same package gives the same
//! document.

use super::Check;
use crate::domain::{RetentionDecision, SubjectPackage, SubjectView, Timestamp};
use crate::runtime::exporter::render;
use crate::runtime::retention::RetentionJob;
use crate::runtime::Plugin;

pub(super) fn retention_checks(
    plugin: &Plugin,
    subjects: &[SubjectView],
    at: Timestamp,
) -> Vec<Check> {
    let later = at.add_months(36);
    vec![
        Check::result(
            "decisions only about the batch, at most one each",
            only_batch(plugin, subjects, &[at, later]),
        ),
        Check::result("no decision on an empty batch", empty_batch(plugin, at)),
        Check::result(
            "each subject decided on its own, the same way every time",
            on_its_own(plugin, subjects, &[at, later]),
        ),
    ]
}

fn evaluate(
    plugin: &Plugin,
    at: Timestamp,
    batch: &[SubjectView],
) -> Result<Vec<RetentionDecision>, String> {
    let mut job = RetentionJob::start(plugin).map_err(|e| e.to_string())?;
    job.evaluate(at, batch).map_err(|e| e.to_string())
}

fn only_batch(
    plugin: &Plugin,
    subjects: &[SubjectView],
    dates: &[Timestamp],
) -> Result<String, String> {
    let mut decided = 0;
    for &at in dates {
        decided += evaluate(plugin, at, subjects)
            .map_err(|e| format!("at {at}: {e}: decide only about the subjects of the batch you are given, once each"))?
            .len();
    }
    Ok(format!(
        "{} subjects at {} dates, {decided} decisions",
        subjects.len(),
        dates.len()
    ))
}

fn empty_batch(plugin: &Plugin, at: Timestamp) -> Result<String, String> {
    let decisions = evaluate(plugin, at, &[])?;
    if !decisions.is_empty() {
        return Err(format!(
            "{} decisions for no subject: an empty batch gets no decisions",
            decisions.len()
        ));
    }
    Ok("none".into())
}

fn on_its_own(
    plugin: &Plugin,
    subjects: &[SubjectView],
    dates: &[Timestamp],
) -> Result<String, String> {
    for &at in dates {
        let together = evaluate(plugin, at, subjects)?;
        if evaluate(plugin, at, subjects)? != together {
            return Err(format!(
                "the same batch at {at} got different decisions the second time: decide from the subject \
                 and the date you are given only (no state kept between calls, no clock, no randomness)"
            ));
        }
        for subject in subjects {
            let alone = evaluate(plugin, at, std::slice::from_ref(subject))?;
            let in_batch: Vec<&RetentionDecision> = together
                .iter()
                .filter(|d| d.contact_id == subject.contact_id)
                .collect();
            if alone.iter().collect::<Vec<_>>() != in_batch {
                return Err(format!(
                    "contact {} at {at} got {:?} alone and {:?} in a batch: decide about each subject from its \
                     own view only, whatever else is in the batch",
                    subject.contact_id.0, alone, in_batch
                ));
            }
        }
    }
    Ok(format!(
        "{} subjects, alone and together, twice",
        subjects.len()
    ))
}

pub(super) fn exporter_checks(plugin: &Plugin, package: &SubjectPackage) -> Vec<Check> {
    let empty = SubjectPackage {
        identities: vec![],
        fields: vec![],
        provenance: vec![],
        purposes: vec![],
        consents: vec![],
        notices: vec![],
        retention: vec![],
        recipients: vec![],
        last_interaction: None,
        ..package.clone()
    };
    vec![
        Check::result(
            "a document with a plain file name and a media type",
            document(plugin, package),
        ),
        Check::result(
            "the same package gives the same document",
            same_document(plugin, package),
        ),
        Check::result(
            "a package with nothing in it renders",
            document(plugin, &empty),
        ),
    ]
}

fn document(plugin: &Plugin, package: &SubjectPackage) -> Result<String, String> {
    let d = render(plugin, package).map_err(|e| {
        format!("{e}: return a document named like `subject-42.json`, with a media type such as `application/json`")
    })?;
    Ok(format!(
        "{} ({}, {} bytes)",
        d.file_name,
        d.media_type,
        d.bytes.len()
    ))
}

fn same_document(plugin: &Plugin, package: &SubjectPackage) -> Result<String, String> {
    let first = render(plugin, package).map_err(|e| e.to_string())?;
    let second = render(plugin, package).map_err(|e| e.to_string())?;
    if first != second {
        return Err(
            "two renderings of the same package differ: build the document from the package only \
             (the package carries the date it was generated; no clock, no randomness)"
                .into(),
        );
    }
    Ok(format!("{} bytes, twice", first.bytes.len()))
}
