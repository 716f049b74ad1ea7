//! Data-subject requests as tracked cases (Art. 12): opened with the deadline the regulation gives,
//! the identity verified, extended, refused or fulfilled, closed. Every step is a store change with
//! its history step and audit entry. Fulfilment is in [`fulfil`]. Every method takes `now`, so a
//! test can move the clock.

mod fulfil;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Compliance, Error, Result, Subject};
use crate::domain::case::COMPLAINT_INFORMATION;
use crate::domain::deadline::{due_after, extend, ExtensionRefused};
use crate::domain::{Actor, CaseStatus, IdentityCheck, RequestKind, Timestamp};
use crate::store::cases::{Case, CaseChange, CaseCounts, CaseDocument, CaseFilter, NewCase};

pub use fulfil::Fulfilment;

/// The languages an answer can be given in.
pub const LANGUAGES: [&str; 2] = ["en", "it"];

/// A request as it arrived.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenCase {
    pub kind: RequestKind,
    /// The person's identity as they gave it: an email, a phone, `system:id`, or `#42`.
    #[schema(min_length = 1, max_length = 320)]
    pub subject: String,
    /// When the request was received (default now): the deadline counts from this day.
    #[serde(default)]
    pub received_at: Option<Timestamp>,
    /// How it arrived, e.g. `email`, `letter`, `phone`, `web-form`.
    #[schema(min_length = 1, max_length = 40)]
    pub channel: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub notes: String,
    /// The language of the answer: `en` (default) or `it`.
    #[serde(default)]
    pub language: Option<String>,
}

/// The identity check's outcome.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    /// `verified`, or `information-requested` when more was asked of the person (Art. 12(6)).
    pub outcome: IdentityCheck,
    /// How, e.g. `reply from the address on file`, `copy of ID card seen and not kept`; or what was asked.
    #[schema(min_length = 1, max_length = 500)]
    pub method: String,
    /// Who checked (default: the caller).
    #[serde(default)]
    pub by: Option<String>,
    /// When (default now).
    #[serde(default)]
    pub at: Option<Timestamp>,
}

/// A refusal (Art. 12(5)).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Refusal {
    /// `manifestly-unfounded` or `excessive`, e.g. repetitive.
    pub ground: RefusalGround,
    /// Why, as the person will read it.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RefusalGround {
    ManifestlyUnfounded,
    Excessive,
}

/// Filters of the case list, as given.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub status: Option<CaseStatus>,
    pub kind: Option<RequestKind>,
    pub due_before: Option<Timestamp>,
    /// Due within this many days (open and not overdue).
    pub due_within_days: Option<u32>,
    pub overdue: bool,
    pub limit: Option<u32>,
}

fn required(field: &str, text: &str, max: usize) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Error::invalid(
            field,
            format!("`{field}` is empty: say it in words"),
        ));
    }
    if t.chars().count() > max {
        return Err(Error::invalid(
            field,
            format!("`{field}` is longer than {max} characters: shorten it"),
        ));
    }
    Ok(t.to_string())
}

fn must_be_open(case: &Case, what: &str) -> Result<()> {
    if case.status != CaseStatus::Open {
        return Err(Error::Conflict(format!(
            "request case {} is {}: it can no longer be {what}",
            case.id, case.status
        )));
    }
    Ok(())
}

impl Compliance {
    /// Opens a case. The identity need not be known: a case for a person Custode holds no data
    /// about is answered so. An open case of the same person and kind is named in `duplicate_of`.
    pub fn open_case(&self, actor: &Actor, request: &OpenCase, now: Timestamp) -> Result<Case> {
        let subject_text = required("subject", &request.subject, 320)?;
        let channel = required("channel", &request.channel, 40)?;
        if request.notes.chars().count() > 2000 {
            return Err(Error::invalid(
                "notes",
                "notes are longer than 2000 characters: shorten them",
            ));
        }
        let language = match request.language.as_deref().map(str::trim) {
            None | Some("") => "en".to_string(),
            Some(l) if LANGUAGES.contains(&l.to_ascii_lowercase().as_str()) => {
                l.to_ascii_lowercase()
            }
            Some(l) => {
                return Err(Error::invalid(
                    "language",
                    format!(
                        "`{l}` is not a language answers are given in: use one of {}",
                        LANGUAGES.join(", ")
                    ),
                ))
            }
        };
        let received_at = request.received_at.unwrap_or(now);
        if received_at > now.add_days(1) {
            return Err(Error::invalid(
                "received_at",
                format!("{received_at} is in the future: give the day the request arrived"),
            ));
        }
        let (contact, subject_key) = match self.parse_subject(&subject_text)? {
            Subject::Contact(id) => {
                // `#42` must name a contact that exists.
                self.store.contact(id)?;
                (Some(id), Some(format!("contact:{}", id.0)))
            }
            Subject::Identity(identity) => match self.store.find_contact(&identity)? {
                Some(id) => (Some(id), Some(format!("contact:{}", id.0))),
                None => (None, Some(identity.key())),
            },
        };
        let new = NewCase {
            kind: request.kind,
            subject: subject_text,
            subject_key,
            contact,
            channel,
            notes: request.notes.trim().to_string(),
            language,
            received_at,
            due_at: due_after(received_at, 1, self.policy().holidays),
        };
        self.store.open_case(actor, &new, now)
    }

    pub fn case(&self, id: i64, now: Timestamp) -> Result<Case> {
        self.store.case(id, now)
    }

    /// Cases by the query. `due_within_days` lists open cases still answerable that are due within
    /// so many days; with `overdue` too, the overdue ones as well (what needs doing first).
    pub fn cases(&self, query: &CaseQuery, now: Timestamp) -> Result<Vec<Case>> {
        let mut due_before = query.due_before;
        if let Some(days) = query.due_within_days {
            let limit = now.add_days(i64::from(days));
            due_before = Some(due_before.map_or(limit, |d| d.min(limit)));
        }
        let soon = query.due_within_days.is_some();
        let filter = CaseFilter {
            status: if soon {
                Some(CaseStatus::Open)
            } else {
                query.status
            },
            kind: query.kind,
            due_before,
            overdue_at: (query.overdue && !soon).then_some(now),
            limit: query.limit.unwrap_or(200),
        };
        if soon && query.status.is_some_and(|s| s != CaseStatus::Open) {
            return Ok(Vec::new());
        }
        let mut cases = self.store.cases(&filter, now)?;
        if soon && !query.overdue {
            cases.retain(|c| !c.overdue);
        }
        Ok(cases)
    }

    /// Records how the identity was verified, or that more information was asked for.
    pub fn verify_case(
        &self,
        actor: &Actor,
        id: i64,
        v: &Verification,
        now: Timestamp,
    ) -> Result<Case> {
        let method = required("method", &v.method, 500)?;
        let by = match &v.by {
            Some(by) => required("by", by, 120)?,
            None => actor.name.clone(),
        };
        let at = v.at.unwrap_or(now);
        let action = match v.outcome {
            IdentityCheck::Verified => "identity-verified",
            IdentityCheck::InformationRequested => "information-requested",
            IdentityCheck::Unverified => {
                return Err(Error::invalid(
                    "outcome",
                    "an identity check ends `verified` or `information-requested`",
                ))
            }
        };
        self.store.change_case(actor, id, now, &mut |case| {
            must_be_open(case, "verified")?;
            Ok(CaseChange {
                identity: Some(v.outcome),
                action,
                details: json!({ "method": method, "by": by, "at": at }),
                ..CaseChange::default()
            })
        })
    }

    /// Extends the deadline by `months` (1 or 2 in all), only within the first month.
    pub fn extend_case(
        &self,
        actor: &Actor,
        id: i64,
        months: u32,
        reason: &str,
        now: Timestamp,
    ) -> Result<Case> {
        let reason = required("reason", reason, 1000)?;
        let holidays = self.policy().holidays;
        self.store.change_case(actor, id, now, &mut |case| {
            must_be_open(case, "extended")?;
            let due = extend(case.received_at, case.first_due_at, case.extended_months, months, now, holidays)
                .map_err(|refused| match refused {
                    ExtensionRefused::TooLong { .. } => Error::invalid("months", refused.message()),
                    ExtensionRefused::TooLate { .. } => {
                        Error::Conflict(format!("request case {id}: {}", refused.message()))
                    }
                })?;
            let total = case.extended_months + months;
            Ok(CaseChange {
                due: Some((due, total)),
                action: "extended",
                details: json!({ "months": months, "reason": reason, "due_at": due, "previous_due_at": case.due_at }),
                ..CaseChange::default()
            })
        })
    }

    /// Refuses a manifestly unfounded or excessive request (Art. 12(5)); the answer carries the
    /// reason and how to complain to a supervisory authority.
    pub fn refuse_case(
        &self,
        actor: &Actor,
        id: i64,
        refusal: &Refusal,
        now: Timestamp,
    ) -> Result<Case> {
        let reason = required("reason", &refusal.reason, 2000)?;
        let ground = match refusal.ground {
            RefusalGround::ManifestlyUnfounded => "manifestly unfounded",
            RefusalGround::Excessive => "excessive",
        };
        let answer = format!("Your request is refused as {ground} (Art. 12(5) GDPR): {reason} {COMPLAINT_INFORMATION}");
        self.store.change_case(actor, id, now, &mut |case| {
            must_be_open(case, "refused")?;
            Ok(CaseChange {
                status: Some(CaseStatus::Refused),
                answer: Some(answer.clone()),
                action: "refused",
                details: json!({ "ground": refusal.ground, "reason": reason, "complaint_information": COMPLAINT_INFORMATION }),
                ..CaseChange::default()
            })
        })
    }

    /// Closes an answered case; a document still kept with it is deleted.
    pub fn close_case(
        &self,
        actor: &Actor,
        id: i64,
        note: Option<&str>,
        now: Timestamp,
    ) -> Result<Case> {
        let note = note.map(|n| required("note", n, 1000)).transpose()?;
        self.store.change_case(actor, id, now, &mut |case| {
            if case.status == CaseStatus::Open {
                return Err(Error::Conflict(format!(
                    "request case {id} has not been answered: fulfil it or refuse it before closing it"
                )));
            }
            if case.status == CaseStatus::Closed {
                return Err(Error::Conflict(format!("request case {id} is closed already")));
            }
            Ok(CaseChange {
                status: Some(CaseStatus::Closed),
                delete_document: case.document.is_some(),
                action: "closed",
                details: json!({ "note": note, "document_deleted": case.document.is_some() }),
                ..CaseChange::default()
            })
        })
    }

    /// The document was handed to the person: it is deleted now.
    pub fn case_delivered(
        &self,
        actor: &Actor,
        id: i64,
        how: Option<&str>,
        now: Timestamp,
    ) -> Result<Case> {
        let how = how.map(|h| required("note", h, 1000)).transpose()?;
        self.store.change_case(actor, id, now, &mut |case| {
            let Some(doc) = &case.document else {
                return Err(Error::Conflict(format!(
                    "request case {id} has no document waiting for delivery (it was delivered or deleted, or the case has none)"
                )));
            };
            Ok(CaseChange {
                delete_document: true,
                action: "document-delivered",
                details: json!({ "how": how, "sha256": doc.sha256 }),
                ..CaseChange::default()
            })
        })
    }

    /// The document of an access or portability case, while it is kept.
    pub fn case_document(&self, id: i64, now: Timestamp) -> Result<CaseDocument> {
        self.store.case(id, now)?;
        self.store.case_document(id)?.ok_or_else(|| {
            Error::not_found_hint(
                format!("the document of request case {id}"),
                "it was delivered or deleted after the configured number of days, or the case was not fulfilled with a document",
            )
        })
    }

    /// Deletes the documents kept longer than `request_document_days`; returns their cases.
    pub fn purge_case_documents(&self, now: Timestamp) -> Result<Vec<i64>> {
        self.store.purge_case_documents(&Actor::system(), now)
    }

    pub fn case_counts(&self, now: Timestamp) -> Result<CaseCounts> {
        self.store.case_counts(now)
    }
}
