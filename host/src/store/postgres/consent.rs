//! The consent ledger, legal bases and privacy notices on PostgreSQL (the twin of `sqlite/consent.rs`).

use postgres::GenericClient;
use serde_json::json;

use super::rows::contact::{bump_contact, live_contact};
use super::rows::ledger::{consent_history, legal_bases, notice_id, notice_receipts};
use super::PostgresStore;
use crate::domain::{
    Actor, BasisPeriod, ConsentEvent, ConsentRecord, ContactId, LegalBasis, Notice, NoticeReceipt,
    Timestamp,
};
use crate::store::common::AuditDraft;
use crate::store::error::{DbContext, StoreError};
use crate::store::{ConsentStore, Result};

fn require_notice(client: &mut impl GenericClient, version: &str) -> Result<i64> {
    notice_id(client, version)?.ok_or_else(|| {
        StoreError::not_found_hint(
            format!("notice version `{version}`"),
            "publish it first (`notices`), then record who received it",
        )
    })
}

impl ConsentStore for PostgresStore {
    fn append_consent(&self, actor: &Actor, id: ContactId, event: &ConsentEvent) -> Result<i64> {
        event.evidence.check()?;
        let purpose = self
            .policy
            .catalogue
            .require_purpose("purpose", &event.purpose)?;
        let purpose_id = self.purposes.id(&purpose.name)?;
        self.write(actor, |tx| {
            live_contact(tx, id)?;
            // The event's own notice_version is the receipt (see `notice_receipts`).
            if let Some(v) = &event.evidence.notice_version {
                require_notice(tx, v)?;
            }
            let seq = bump_contact(
                tx,
                id,
                event.evidence.notice_version.as_ref().map(|_| event.at),
            )?;
            let e = &event.evidence;
            tx.execute(
                "INSERT INTO consent_events (contact_id, purpose_id, channel, at, seq, action, method, notice_version, evidence, collected_by, recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                &[
                    &id.0,
                    &purpose_id,
                    &event.channel.code(),
                    &event.at.0,
                    &seq,
                    &event.action.code(),
                    &e.method,
                    &e.notice_version,
                    &e.text,
                    &e.collected_by,
                    &Timestamp::now().0,
                ],
            )
            .db("cannot append to the consent ledger")?;
            let draft = AuditDraft::contact(
                "consent.append",
                id,
                json!({ "purpose": event.purpose, "channel": event.channel, "action": event.action, "at": event.at, "seq": seq }),
            );
            Ok((seq, draft))
        })
    }

    fn consent_history(&self, id: ContactId) -> Result<Vec<ConsentRecord>> {
        let mut conn = self.conn()?;
        live_contact(&mut **conn, id)?;
        consent_history(&self.purposes, &mut **conn, id)
    }

    fn add_legal_basis(&self, actor: &Actor, id: ContactId, period: &BasisPeriod) -> Result<()> {
        self.policy
            .check_basis_allowed("basis", &period.purpose, period.basis)?;
        period.check()?;
        let purpose_id = self.purposes.id(&period.purpose)?;
        self.write(actor, |tx| {
            live_contact(tx, id)?;
            let seq = bump_contact(tx, id, None)?;
            tx.execute(
                r#"INSERT INTO legal_bases (contact_id, purpose_id, seq, basis, start, "end", recorded_at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7)"#,
                &[
                    &id.0,
                    &purpose_id,
                    &seq,
                    &period.basis.code(),
                    &period.start.0,
                    &period.end.map(|t| t.0),
                    &Timestamp::now().0,
                ],
            )
            .db("cannot record the legal basis")?;
            Ok(((), AuditDraft::contact("legal-basis.add", id, json!(period))))
        })
    }

    fn end_legal_basis(
        &self,
        actor: &Actor,
        id: ContactId,
        purpose: &str,
        basis: LegalBasis,
        end: Timestamp,
    ) -> Result<u32> {
        self.policy.catalogue.require_purpose("purpose", purpose)?;
        let purpose_id = self.purposes.id(purpose)?;
        self.write(actor, |tx| {
            live_contact(tx, id)?;
            let changed = tx
                .execute(
                    r#"UPDATE legal_bases SET "end" = $4 WHERE contact_id = $1 AND purpose_id = $2 AND basis = $3
                       AND start < $4 AND ("end" IS NULL OR "end" > $4)"#,
                    &[&id.0, &purpose_id, &basis.code(), &end.0],
                )
                .db("cannot end the legal basis")?;
            if changed == 0 {
                return Err(StoreError::not_found_hint(
                    format!("an open {basis} basis for `{purpose}` of {id}"),
                    "list the contact's legal bases to see which periods are open",
                ));
            }
            bump_contact(tx, id, None)?;
            let draft = AuditDraft::contact(
                "legal-basis.end",
                id,
                json!({ "purpose": purpose, "basis": basis, "end": end }),
            );
            Ok((u32::try_from(changed).unwrap_or(u32::MAX), draft))
        })
    }

    fn legal_bases(&self, id: ContactId) -> Result<Vec<BasisPeriod>> {
        let mut conn = self.conn()?;
        live_contact(&mut **conn, id)?;
        legal_bases(&self.purposes, &mut **conn, id)
    }

    fn publish_notice(&self, actor: &Actor, notice: &Notice) -> Result<()> {
        let version = notice.version.trim();
        if version.is_empty() || version.len() > 100 {
            return Err(StoreError::invalid(
                "version",
                "a notice version is a short label such as `2026-01`",
            ));
        }
        if let Some(d) = &notice.text_digest {
            if d.len() != 64 || hex::decode(d).is_err() {
                return Err(StoreError::invalid(
                    "text_digest",
                    "give the SHA-256 of the notice text as 64 hex digits",
                ));
            }
        }
        self.write(actor, |tx| {
            if notice_id(tx, version)?.is_some() {
                return Err(StoreError::Conflict(format!(
                    "notice version `{version}` is already published: a published notice never changes; publish the new text under a new version"
                )));
            }
            tx.execute(
                "INSERT INTO notices (version, published_at, text_digest, summary) VALUES ($1, $2, $3, $4)",
                &[&version, &notice.published_at.0, &notice.text_digest, &notice.summary],
            )
            .db("cannot publish the notice")?;
            let draft = AuditDraft::new(
                "notice.publish",
                format!("notice:{version}"),
                json!({ "text_digest": notice.text_digest }),
            );
            Ok(((), draft))
        })
    }

    fn notices(&self) -> Result<Vec<Notice>> {
        let mut conn = self.conn()?;
        let rows = conn
            .query(
                "SELECT version, published_at, text_digest, summary FROM notices ORDER BY published_at, id",
                &[],
            )
            .db("cannot read the notices")?;
        Ok(rows
            .iter()
            .map(|r| Notice {
                version: r.get(0),
                published_at: Timestamp(r.get(1)),
                text_digest: r.get(2),
                summary: r.get(3),
            })
            .collect())
    }

    fn record_notice_receipt(
        &self,
        actor: &Actor,
        id: ContactId,
        receipt: &NoticeReceipt,
    ) -> Result<()> {
        self.write(actor, |tx| {
            live_contact(tx, id)?;
            let notice = require_notice(tx, &receipt.version)?;
            tx.execute(
                "INSERT INTO notice_receipts (contact_id, notice_id, at) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&id.0, &notice, &receipt.at.0],
            )
            .db("cannot record the notice receipt")?;
            tx.execute(
                "UPDATE contacts SET first_notice_at = least(coalesce(first_notice_at, $2), $2), updated_at = $3
                 WHERE id = $1",
                &[&id.0, &receipt.at.0, &Timestamp::now().0],
            )
            .db("cannot update the contact")?;
            Ok(((), AuditDraft::contact("notice.receipt", id, json!(receipt))))
        })
    }

    fn notice_receipts(&self, id: ContactId) -> Result<Vec<NoticeReceipt>> {
        let mut conn = self.conn()?;
        live_contact(&mut **conn, id)?;
        notice_receipts(&mut **conn, id)
    }
}
