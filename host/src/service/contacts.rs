//! Contacts: create, read with provenance, rectify (Art. 16), interactions (the legitimate-interest clock counts from them), restriction (Art. 18)
//! and legal hold.

use super::{Compliance, Result};
use crate::domain::{Actor, ContactDetails, ContactId, Timestamp};
use crate::store::{NewContact, Rectification};

impl Compliance {
    pub fn create_contact(&self, actor: &Actor, new: &NewContact) -> Result<ContactId> {
        self.store.create_contact(actor, new)
    }

    /// The contact with every value, its history and where each came from.
    pub fn contact(&self, id: ContactId) -> Result<ContactDetails> {
        self.store.contact(id)
    }

    pub fn rectify(
        &self,
        actor: &Actor,
        id: ContactId,
        change: &Rectification,
    ) -> Result<ContactDetails> {
        self.store.rectify(actor, id, change)?;
        self.store.contact(id)
    }

    pub fn record_interaction(
        &self,
        actor: &Actor,
        id: ContactId,
        at: Option<Timestamp>,
    ) -> Result<()> {
        self.store
            .record_interaction(actor, id, at.unwrap_or_else(Timestamp::now))
    }

    /// Restricts processing to storage (Art. 18) from `at`, or lifts the restriction at `at` (now
    /// when absent). Each restriction is kept as a period, so `can_process` about a past time still
    /// sees it after it is lifted.
    pub fn restrict(
        &self,
        actor: &Actor,
        id: ContactId,
        restricted: bool,
        at: Option<Timestamp>,
    ) -> Result<()> {
        self.store
            .set_restriction(actor, id, restricted, at.unwrap_or_else(Timestamp::now))
    }

    /// Puts the contact under a legal hold from now (nothing of it may be erased or anonymised, by
    /// a request or a retention rule), or lifts it; the reason is audited either way.
    pub fn legal_hold(&self, actor: &Actor, id: ContactId, held: bool, reason: &str) -> Result<()> {
        self.store
            .set_legal_hold(actor, id, held.then(Timestamp::now), reason)
    }
}
