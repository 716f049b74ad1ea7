//! Fulfilling a case runs the same service functions as the DPO's direct actions: an exporter
//! renders access and portability documents (kept with the case until delivered, or for
//! `request_document_days`); erasure erases; rectification rectifies; restriction restricts or
//! lifts; an objection goes into the consent ledger. The recipients the subject's purposes list are
//! named in the case for a rectification, erasure or restriction (Art. 19).

use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::super::export::ExportError;
use super::super::{Compliance, Error, Subject};
use crate::domain::{
    Actor, CaseStatus, ConsentAction, ConsentChannel, ConsentEvent, ContactId, Evidence,
    IdentityCheck, RequestCase, RequestKind, Timestamp,
};
use crate::runtime::Plugin;
use crate::store::cases::{Case, CaseChange, CaseDocument, CaseDocumentInfo};
use crate::store::Rectification;

/// What fulfilling needs beyond the case, by kind.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Fulfilment {
    /// Access and portability: the exporter plugin that renders the document (default `json`).
    #[serde(default)]
    pub plugin: Option<String>,
    /// Rectification: the changes to apply.
    #[serde(default)]
    pub changes: Option<Rectification>,
    /// Restriction: `true` restricts processing, `false` lifts the restriction.
    #[serde(default)]
    pub restrict: Option<bool>,
    /// Objection: the purposes objected to.
    #[serde(default)]
    pub purposes: Vec<String>,
    /// A note for the history, e.g. how the answer was sent.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// The answer to a person Custode holds no data about.
const NO_DATA: &str = "We hold no personal data about you under the identity you gave.";

impl Compliance {
    /// Carries out the request of an open case whose identity was verified (a case for an unknown
    /// person is answered that no data is held). `exporter` is the plugin the caller leased for an
    /// access or portability case.
    pub fn fulfil_case(
        &self,
        actor: &Actor,
        id: i64,
        how: &Fulfilment,
        exporter: Option<&Plugin>,
        now: Timestamp,
    ) -> Result<Case, ExportError> {
        let note = how.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        if note.is_some_and(|n| n.chars().count() > 1000) {
            return Err(Error::invalid(
                "note",
                "the note is longer than 1000 characters: shorten it",
            )
            .into());
        }
        let case = self.case(id, now)?;
        check_fulfillable(&case)?;
        let Some(contact) = case.contact_id else {
            return Ok(self.record_fulfilled(
                actor,
                &case,
                now,
                NO_DATA.into(),
                None,
                None,
                json!({ "note": note, "known_subject": false }),
            )?);
        };
        let recipients = if case.kind.informs_recipients() {
            Some(self.subject_package(contact, Some(now))?.recipients)
        } else {
            None
        };
        let reason = format!("{} request, case {}", case.kind.article(), case.id);
        let (answer, document, details) = match case.kind {
            RequestKind::Access | RequestKind::Portability => {
                let plugin = exporter.ok_or_else(|| {
                    ExportError::Invalid("an access or portability case needs an exporter plugin: name one in `plugin`".into())
                })?;
                let request = RequestCase {
                    id: case.id,
                    kind: case.kind,
                    language: Some(case.language.clone()),
                    received_at: case.received_at,
                    due_at: case.due_at,
                };
                let rendered = self.answer_access(
                    plugin,
                    &Subject::Contact(contact),
                    Some(request),
                    now,
                    actor,
                )?;
                let sha256 = hex::encode(Sha256::digest(&rendered.bytes));
                let days = self.policy().request_document_days;
                let info = CaseDocumentInfo {
                    file_name: rendered.file_name.clone(),
                    media_type: rendered.media_type.clone(),
                    size: rendered.bytes.len() as u64,
                    sha256: sha256.clone(),
                    created_at: now,
                    delete_after: now.add_days(i64::from(days)),
                };
                let details = json!({ "exporter": format!("{}@{}", plugin.name(), plugin.version()), "document_sha256": sha256, "delete_after": info.delete_after, "note": note });
                let answer = format!(
                    "The document `{}` holds the data we process about you and how.",
                    info.file_name
                );
                (
                    answer,
                    Some(CaseDocument {
                        info,
                        bytes: rendered.bytes,
                    }),
                    details,
                )
            }
            RequestKind::Erasure => {
                let report = self.erase(actor, contact, &reason)?;
                let details = json!({ "field_values_erased": report.field_values_erased, "consent_events_erased": report.consent_events_erased, "kept": report.kept, "note": note });
                ("Your personal data was erased; what a legal obligation requires us to keep is kept only for it.".into(), None, details)
            }
            RequestKind::Rectification => {
                let mut changes = how.changes.clone().ok_or_else(|| {
                    Error::invalid("changes", "a rectification case needs the changes: `fields`, `add_identities`, `remove_identities`")
                })?;
                if changes.reason.trim().is_empty() {
                    changes.reason = reason.clone();
                }
                self.store.rectify(actor, contact, &changes)?;
                let details = json!({ "fields": changes.fields.len(), "identities_added": changes.add_identities.len(), "identities_removed": changes.remove_identities.len(), "note": note });
                (
                    "Your data was rectified as you asked.".into(),
                    None,
                    details,
                )
            }
            RequestKind::Restriction => {
                let restrict = how.restrict.ok_or_else(|| {
                    Error::invalid("restrict", "a restriction case needs `restrict`: true to restrict processing, false to lift the restriction")
                })?;
                self.store.set_restriction(actor, contact, restrict, now)?;
                let answer = if restrict {
                    "Processing of your data is restricted to storage."
                } else {
                    "The restriction of processing of your data is lifted."
                };
                (
                    answer.into(),
                    None,
                    json!({ "restricted": restrict, "note": note }),
                )
            }
            RequestKind::Objection => {
                if how.purposes.is_empty() {
                    return Err(Error::invalid(
                        "purposes",
                        "an objection case needs the purposes objected to, e.g. [\"marketing\"]",
                    )
                    .into());
                }
                for purpose in &how.purposes {
                    self.policy()
                        .catalogue
                        .require_purpose("purposes", purpose)
                        .map_err(Error::from)?;
                }
                for purpose in &how.purposes {
                    self.objection(actor, contact, purpose, case.id, now)?;
                }
                (
                    format!(
                        "Your objection was recorded for: {}.",
                        how.purposes.join(", ")
                    ),
                    None,
                    json!({ "purposes": how.purposes, "note": note }),
                )
            }
        };
        Ok(self.record_fulfilled(actor, &case, now, answer, document, recipients, details)?)
    }

    fn objection(
        &self,
        actor: &Actor,
        contact: ContactId,
        purpose: &str,
        case: i64,
        now: Timestamp,
    ) -> Result<i64, Error> {
        let event = ConsentEvent {
            purpose: purpose.to_string(),
            channel: ConsentChannel::Any,
            action: ConsentAction::Objected,
            at: now,
            evidence: Evidence {
                method: format!("objection request, case {case}"),
                notice_version: None,
                text: None,
                collected_by: actor.name.clone(),
            },
        };
        self.record_consent(actor, contact, &event)
    }

    #[allow(clippy::too_many_arguments)]
    fn record_fulfilled(
        &self,
        actor: &Actor,
        case: &Case,
        now: Timestamp,
        answer: String,
        document: Option<CaseDocument>,
        recipients: Option<Vec<String>>,
        mut details: serde_json::Value,
    ) -> Result<Case, Error> {
        if let Some(r) = &recipients {
            details["recipients_to_inform"] = json!(r);
        }
        let mut details = Some(details);
        let mut document = document;
        self.store.change_case(actor, case.id, now, &mut |current| {
            // Another caller may have answered it meanwhile.
            check_fulfillable(current)?;
            Ok(CaseChange {
                status: Some(CaseStatus::Fulfilled),
                answer: Some(answer.clone()),
                recipients: recipients.clone(),
                document: document.take(),
                action: "fulfilled",
                details: details.take().unwrap_or_default(),
                ..CaseChange::default()
            })
        })
    }
}

fn check_fulfillable(case: &Case) -> Result<(), Error> {
    if case.status != CaseStatus::Open {
        return Err(Error::Conflict(format!(
            "request case {} is {}: it can no longer be fulfilled",
            case.id, case.status
        )));
    }
    if case.contact_id.is_some() && case.identity != IdentityCheck::Verified {
        return Err(Error::Conflict(format!(
            "request case {}: the person's identity is {}: record how it was verified (`verify`) before fulfilling the request",
            case.id, case.identity
        )));
    }
    Ok(())
}
