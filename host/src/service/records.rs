//! The consent ledger, legal bases and privacy notices.

use super::{Compliance, Result};
use crate::domain::{
    Actor, BasisPeriod, ConsentEvent, ConsentRecord, ContactId, LegalBasis, Notice, NoticeReceipt,
    Timestamp,
};

impl Compliance {
    /// Appends a grant, withdrawal or objection with its evidence; returns its ledger number.
    pub fn record_consent(
        &self,
        actor: &Actor,
        id: ContactId,
        event: &ConsentEvent,
    ) -> Result<i64> {
        self.store.append_consent(actor, id, event)
    }

    pub fn consent_history(&self, id: ContactId) -> Result<Vec<ConsentRecord>> {
        self.store.consent_history(id)
    }

    pub fn add_legal_basis(
        &self,
        actor: &Actor,
        id: ContactId,
        period: &BasisPeriod,
    ) -> Result<()> {
        self.store.add_legal_basis(actor, id, period)
    }

    /// Ends the open periods of a basis (a contract terminated) at `end` (now when absent).
    pub fn end_legal_basis(
        &self,
        actor: &Actor,
        id: ContactId,
        purpose: &str,
        basis: LegalBasis,
        end: Option<Timestamp>,
    ) -> Result<u32> {
        self.store.end_legal_basis(
            actor,
            id,
            purpose,
            basis,
            end.unwrap_or_else(Timestamp::now),
        )
    }

    pub fn legal_bases(&self, id: ContactId) -> Result<Vec<BasisPeriod>> {
        self.store.legal_bases(id)
    }

    pub fn publish_notice(&self, actor: &Actor, notice: &Notice) -> Result<()> {
        self.store.publish_notice(actor, notice)
    }

    pub fn notices(&self) -> Result<Vec<Notice>> {
        self.store.notices()
    }

    pub fn record_notice_receipt(
        &self,
        actor: &Actor,
        id: ContactId,
        receipt: &NoticeReceipt,
    ) -> Result<()> {
        self.store.record_notice_receipt(actor, id, receipt)
    }

    pub fn notice_receipts(&self, id: ContactId) -> Result<Vec<NoticeReceipt>> {
        self.store.notice_receipts(id)
    }
}
