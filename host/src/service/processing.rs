//! `can_process` and the contact list filtered by it.

use serde::{Deserialize, Serialize};

use super::{Compliance, Result};
use crate::domain::{
    can_process, ConsentChannel, ContactId, Decision, Identity, ProcessingQuery, SubjectFacts,
    Timestamp,
};
use crate::store::{ContactFilter, ContactPage};

/// Whom a question is about: a contact id, or an identity (which may belong to nobody, or to an
/// erased person still on the suppression list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Subject {
    Contact(ContactId),
    Identity(Identity),
}

/// Keep only contacts that may (`allowed: true`) or may not (`allowed: false`: the report of
/// contacts without a basis for a purpose, to remedy or delete) be processed for `purpose` on
/// `channel` at `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowedFilter {
    pub purpose: String,
    pub channel: String,
    pub at: Option<Timestamp>,
    #[serde(default = "yes")]
    pub allowed: bool,
}

fn yes() -> bool {
    true
}

/// A list page filtered by `can_process` inspects at most this many contacts per page per requested
/// item, and returns a shorter page with a cursor rather than scanning the whole table in one call.
const SCAN_FACTOR: u32 = 20;

impl Compliance {
    /// May the subject's data be processed for `purpose` on `channel` at `at` (now when absent)? The
    /// answer names the rule, the legal basis and the reason in words.
    pub fn can_process(
        &self,
        subject: &Subject,
        purpose: &str,
        channel: &str,
        at: Option<Timestamp>,
    ) -> Result<Decision> {
        let at = at.unwrap_or_else(Timestamp::now);
        // An unknown channel is answered by the rule with the list of channels; nothing to read for it.
        let parsed = ConsentChannel::parse("channel", channel).unwrap_or(ConsentChannel::Any);
        let facts = match subject {
            Subject::Contact(id) => self.store.processing_facts(*id, purpose, parsed, at)?,
            Subject::Identity(identity) => match self.store.find_contact(identity)? {
                Some(id) => self.store.processing_facts(id, purpose, parsed, at)?,
                // Nobody holds the identity (never imported, or erased): the list may still name it.
                None => SubjectFacts {
                    suppressions: self
                        .store
                        .suppression_of(identity)?
                        .map(|e| e.periods)
                        .unwrap_or_default(),
                    ..SubjectFacts::default()
                },
            },
        };
        Ok(can_process(
            self.policy(),
            &ProcessingQuery {
                purpose,
                channel,
                at,
            },
            &facts,
        ))
    }

    /// Contacts matching `filter`, and, with `allowed`, only those `can_process` allows. Such a page may
    /// come back shorter than asked with a `next` cursor: keep paging until `next` is None.
    pub fn list_contacts(
        &self,
        filter: &ContactFilter,
        allowed: Option<&AllowedFilter>,
    ) -> Result<ContactPage> {
        let Some(allowed) = allowed else {
            return self.store.list_contacts(filter);
        };
        let wanted = if filter.limit == 0 {
            100
        } else {
            filter.limit.min(1000)
        };
        let mut budget = wanted.saturating_mul(SCAN_FACTOR);
        let mut page = ContactPage {
            items: Vec::new(),
            next: None,
        };
        // The last contact inspected: the next page starts after it.
        let mut cursor = filter.after;
        while budget > 0 {
            let chunk = self.store.list_contacts(&ContactFilter {
                after: cursor,
                limit: budget.min(1000),
                ..filter.clone()
            })?;
            budget = budget.saturating_sub(chunk.items.len() as u32);
            for c in chunk.items {
                if page.items.len() as u32 == wanted {
                    page.next = cursor;
                    return Ok(page);
                }
                cursor = Some(c.id);
                let d = self.can_process(
                    &Subject::Contact(c.id),
                    &allowed.purpose,
                    &allowed.channel,
                    allowed.at,
                )?;
                if d.allowed == allowed.allowed {
                    page.items.push(c);
                }
            }
            if chunk.next.is_none() {
                return Ok(page);
            }
        }
        page.next = cursor;
        Ok(page)
    }
}
