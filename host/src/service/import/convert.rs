//! From what an importer plugin returns to what the store writes: identities normalised, fields
//! checked against the catalogue (minimisation), vocabularies parsed. Runs on the parser thread,
//! in parallel with the store's writes.

use super::{FieldPolicy, RejectKind, RowProblem};
use crate::domain::{
    ConsentAction, ConsentChannel, ConsentClaim, Email, ExternalId, Identity, NormalizedRecord,
    Phone, Policy, SourceIdentity, SourceRecord,
};
use std::collections::BTreeMap;

/// Converts one record. Fields outside the catalogue are dropped (and counted in `dropped`) or make
/// the row a problem, as `fields` says.
pub fn record(
    policy: &Policy,
    fields: FieldPolicy,
    record: SourceRecord,
    dropped: &mut BTreeMap<String, u64>,
) -> Result<NormalizedRecord, RowProblem> {
    let row = record.row;
    let problem = |column: &str, kind: RejectKind, reason: String| RowProblem {
        row,
        column: Some(column.to_string()),
        kind,
        reason,
    };

    let mut identities = Vec::with_capacity(record.identities.len());
    for identity in record.identities {
        let (parsed, kind) = match identity {
            SourceIdentity::Email(text) => (
                Email::parse(&text).map(Identity::Email),
                RejectKind::InvalidEmail,
            ),
            SourceIdentity::Phone(text) => (
                Phone::parse(&text, policy.phone_country).map(Identity::Phone),
                RejectKind::InvalidPhone,
            ),
            SourceIdentity::External { system, id } => (
                ExternalId::parse(&system, &id).map(Identity::External),
                RejectKind::InvalidExternalId,
            ),
        };
        identities.push(parsed.map_err(|e| problem(&e.field, kind, e.message))?);
    }

    let mut kept = Vec::with_capacity(record.fields.len());
    for field in record.fields {
        if policy.catalogue.field(&field.name).is_some() {
            kept.push(field);
            continue;
        }
        match fields {
            FieldPolicy::Drop => *dropped.entry(field.name).or_default() += 1,
            FieldPolicy::Reject => {
                return Err(problem(
                    &field.name,
                    RejectKind::UnknownField,
                    format!(
                        "field `{}` is not in the field catalogue, so no purpose justifies collecting it (data minimisation, Art. 5(1)(c)): \
                         add it to [compliance.fields] with its category and purposes, or import with unknown fields dropped",
                        field.name
                    ),
                ))
            }
        }
    }

    let mut consents = Vec::with_capacity(record.consents.len());
    for (i, c) in record.consents.into_iter().enumerate() {
        let channel = ConsentChannel::parse(&format!("consents[{i}].channel"), &c.channel)
            .map_err(|e| problem(&e.field, RejectKind::InvalidConsent, e.message))?;
        // Art. 7(1): a consent the controller cannot demonstrate is not recorded when the company
        // requires evidence. A withdrawal or objection is always taken: refusing it would keep
        // processing the person asked to stop.
        let no_evidence = c.evidence.as_deref().is_none_or(|e| e.trim().is_empty());
        if policy.require_consent_evidence && c.action == ConsentAction::Granted && no_evidence {
            return Err(problem(
                &format!("consents[{i}].evidence"),
                RejectKind::ConsentWithoutEvidence,
                format!(
                    "the consent to {} {} comes without evidence, and this installation requires evidence of consent \
                     (`[compliance] require_consent_evidence`, Art. 7(1)): have the importer say how it was given (the column and value, the form's checkbox), \
                     or import the row without the consent",
                    c.purpose,
                    channel_words(channel)
                ),
            ));
        }
        consents.push(ConsentClaim {
            evidence: c.evidence_text(row),
            purpose: c.purpose,
            channel,
            action: c.action,
            at: c.at,
            notice_version: c.notice_version,
        });
    }

    Ok(NormalizedRecord {
        row,
        identities,
        fields: kept,
        consents,
        legal_bases: record.legal_bases,
        notices: record.notices,
        source: record.source,
        last_interaction: record.last_interaction,
    })
}

/// "by email", or "on every channel" for `any`.
fn channel_words(channel: ConsentChannel) -> String {
    match channel {
        ConsentChannel::Any => "on every channel".into(),
        c => format!("by {c}"),
    }
}
