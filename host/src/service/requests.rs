//! Data-subject requests and the DPO's tools: access package (Art. 15, 20), erasure (Art. 17),
//! anonymisation, the suppression list, the audit log (Art. 5(2)) and backups.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Compliance, Result, Subject};
use crate::domain::{
    Actor, ConsentChannel, ContactId, DataCategory, Identity, PurposeEntry, RetentionEntry,
    SubjectPackage, SubjectView, SuppressionScope, Timestamp,
};
use crate::store::{
    AnonymisationReport, AuditEntry, AuditFilter, AuditVerification, BackupReport, ErasureCause,
    ErasureReport, SuppressionEntry, SuppressionOutcome,
};

/// The answer to "is this identity suppressed?": yes or no, and the entry. The list has no plaintext to
/// show: only keyed hashes are stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SuppressionCheck {
    pub suppressed: bool,
    pub entry: Option<SuppressionEntry>,
}

impl Compliance {
    pub fn suppress(
        &self,
        actor: &Actor,
        identity: &Identity,
        reason: &str,
        scope: &SuppressionScope,
    ) -> Result<SuppressionOutcome> {
        self.store
            .suppress(actor, identity, reason, scope, Timestamp::now())
    }

    pub fn check_suppression(&self, identity: &Identity) -> Result<SuppressionCheck> {
        let entry = self.store.suppression_of(identity)?;
        Ok(SuppressionCheck {
            suppressed: entry.is_some(),
            entry,
        })
    }

    /// Erases the subject on a person's request (Art. 17): see `ErasureStore::erase` for what is kept
    /// and why. A restriction does not stop it; a legal hold does.
    pub fn erase(&self, actor: &Actor, id: ContactId, reason: &str) -> Result<ErasureReport> {
        self.store
            .erase(actor, id, reason, Timestamp::now(), ErasureCause::Request)
    }

    /// Erases the subject a person's request names (Art. 17), as [`Compliance::erase`] does: the
    /// one way the CLI and the API carry out an erasure request.
    pub fn erase_subject(
        &self,
        actor: &Actor,
        subject: &Subject,
        reason: &str,
    ) -> Result<ErasureReport> {
        let id = self.resolve_contact(subject)?;
        self.erase(actor, id, reason)
    }

    pub fn anonymise(
        &self,
        actor: &Actor,
        id: ContactId,
        categories: &[DataCategory],
        reason: &str,
    ) -> Result<AnonymisationReport> {
        self.store
            .anonymise(actor, id, categories, reason, ErasureCause::Request)
    }

    /// Subject views for a retention run, `limit` at a time after `after`.
    pub fn subject_views(&self, after: Option<ContactId>, limit: u32) -> Result<Vec<SubjectView>> {
        self.store.subject_views(after, limit)
    }

    /// Everything known about the subject, for access and portability requests: data with provenance,
    /// purposes with their bases and whether processing is allowed now, the consent ledger with
    /// evidence, notices received, retention per category, recipients, and where the data is stored.
    pub fn subject_package(&self, id: ContactId, now: Option<Timestamp>) -> Result<SubjectPackage> {
        let now = now.unwrap_or_else(Timestamp::now);
        let data = self.store.subject_data(id)?;
        let policy = self.policy();
        let mut purposes = Vec::new();
        for p in policy.catalogue.purposes() {
            let bases: Vec<_> = data
                .bases
                .iter()
                .filter(|b| b.purpose == p.name)
                .cloned()
                .collect();
            let channels: BTreeSet<ConsentChannel> = data
                .consents
                .iter()
                .filter(|c| c.purpose == p.name)
                .map(|c| c.channel)
                .collect();
            if bases.is_empty() && channels.is_empty() {
                continue;
            }
            let channels = if channels.is_empty() {
                BTreeSet::from([ConsentChannel::Any])
            } else {
                channels
            };
            let mut allowed_now = false;
            let mut reasons = Vec::new();
            for channel in channels {
                let d =
                    self.can_process(&Subject::Contact(id), &p.name, channel.as_str(), Some(now))?;
                allowed_now |= d.allowed;
                reasons.push(format!("{channel}: {}", d.reason));
            }
            purposes.push(PurposeEntry {
                purpose: p.name.clone(),
                description: p.description.clone(),
                bases,
                allowed_now,
                reason: reasons.join("; "),
            });
        }
        let held: BTreeSet<DataCategory> = data
            .details
            .fields
            .iter()
            .filter(|f| f.current)
            .map(|f| f.category)
            .collect();
        let retention = held
            .into_iter()
            .map(|category| {
                let field_purposes: BTreeSet<&str> = policy
                    .catalogue
                    .fields()
                    .iter()
                    .filter(|f| f.category == category)
                    .flat_map(|f| f.purposes.iter().map(String::as_str))
                    .collect();
                // The purposes this subject's data is actually processed for, else all the category serves.
                let relevant: Vec<&str> = field_purposes
                    .iter()
                    .copied()
                    .filter(|p| purposes.iter().any(|e| e.purpose == *p))
                    .collect();
                let list = if relevant.is_empty() {
                    field_purposes.into_iter().collect()
                } else {
                    relevant
                };
                let defs = list.iter().filter_map(|p| policy.catalogue.purpose(p));
                RetentionEntry {
                    category,
                    period: defs
                        .clone()
                        .map(|d| format!("{}: {}", d.name, d.retention))
                        .collect::<Vec<_>>()
                        .join("; "),
                    basis: defs
                        .map(|d| {
                            format!(
                                "{}: {}",
                                d.name,
                                d.bases
                                    .iter()
                                    .map(|b| b.as_str())
                                    .collect::<Vec<_>>()
                                    .join(" or ")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                }
            })
            .collect();
        let recipients: BTreeSet<String> = purposes
            .iter()
            .filter_map(|e| policy.catalogue.purpose(&e.purpose))
            .flat_map(|d| d.recipients.iter().cloned())
            .collect();
        let d = data.details;
        // A hold keeps everything past its periods (Art. 17(3)(e)): the person is told since when and why.
        let mut retention: Vec<RetentionEntry> = retention;
        if let Some(since) = d.legal_hold_since {
            let why = d
                .legal_hold_reason
                .as_deref()
                .unwrap_or("no reason recorded");
            for entry in &mut retention {
                entry.period = format!(
                    "{}; under a legal hold since {} ({why}): kept until the hold is lifted",
                    entry.period,
                    since.date_string()
                );
                entry.basis = format!("{}; legal hold (Art. 17(3)(e))", entry.basis);
            }
        }
        Ok(SubjectPackage {
            contact_id: id,
            generated_at: now,
            controller: policy.controller_name.clone(),
            data_location: policy.data_location.clone(),
            created_at: d.created_at,
            last_interaction: d.last_interaction,
            identities: d.identities,
            fields: d.fields,
            provenance: d.provenance,
            purposes,
            consents: data.consents,
            notices: data.notices,
            retention,
            recipients: recipients.into_iter().collect(),
            former_identities: d.former_identities,
            restrictions: d.restrictions,
            legal_hold_since: d.legal_hold_since,
            controller_contact: policy.controller_contact.clone(),
            supervisory_authority: policy.supervisory_authority.clone(),
            request: None,
        })
    }

    pub fn audit_list(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        self.store.audit_list(filter)
    }

    pub fn audit_verify(&self) -> Result<AuditVerification> {
        self.store.audit_verify()
    }

    /// An online copy of the database to `dest` (never overwrites). The key file is not in it: keep a
    /// copy of `secret.key` apart, once.
    pub fn backup(&self, actor: &Actor, dest: &Path) -> Result<BackupReport> {
        self.store.backup(actor, dest)
    }
}
