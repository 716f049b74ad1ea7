//! Conversions of plugin API 0.2's subject types: the views a retention rule decides on and its
//! decisions, and the package an exporter renders.

use super::convert::Lift;
use super::importer::custode::plugin::types as wit;
use crate::domain::{
    self, CategoryHeld, ConsentStateEntry, FieldEntry, FormerIdentity, Identity, IdentityEntry,
    NoticeReceipt, ProvenanceEntry, PurposeEntry, RequestCase, RestrictionPeriod, RetentionAction,
    RetentionDecision, RetentionEntry, SourceSummary, SubjectPackage, SubjectView,
};

impl From<&domain::BasisPeriod> for wit::BasisPeriod {
    fn from(b: &domain::BasisPeriod) -> Self {
        wit::BasisPeriod {
            purpose: b.purpose.clone(),
            basis: b.basis.into(),
            start: b.start.0,
            end: b.end.map(|t| t.0),
        }
    }
}

impl From<&SourceSummary> for wit::SourceSummary {
    fn from(s: &SourceSummary) -> Self {
        wit::SourceSummary {
            label: s.label.clone(),
            channel: s.channel.into(),
            collected_at: s.collected_at.0,
        }
    }
}

impl From<&ConsentStateEntry> for wit::ConsentState {
    fn from(c: &ConsentStateEntry) -> Self {
        wit::ConsentState {
            purpose: c.purpose.clone(),
            channel: c.channel.as_str().to_string(),
            state: c.state.into(),
            at: c.at.0,
        }
    }
}

impl From<&CategoryHeld> for wit::CategoryHeld {
    fn from(c: &CategoryHeld) -> Self {
        wit::CategoryHeld {
            category: c.category.into(),
            values: c.values,
            oldest: c.oldest.0,
        }
    }
}

impl From<&SubjectView> for wit::SubjectView {
    fn from(v: &SubjectView) -> Self {
        wit::SubjectView {
            contact_id: v.contact_id.0 as u64,
            created_at: v.created_at.0,
            last_interaction: v.last_interaction.map(|t| t.0),
            sources: v.sources.iter().map(Into::into).collect(),
            legal_bases: v.legal_bases.iter().map(Into::into).collect(),
            consents: v.consents.iter().map(Into::into).collect(),
            objections: v.objections.iter().map(Into::into).collect(),
            categories: v.categories.iter().map(Into::into).collect(),
            restricted: v.restricted,
            legal_hold: v.legal_hold,
        }
    }
}

impl Lift for wit::RetentionDecision {
    type Output = RetentionDecision;
    fn lift(self) -> RetentionDecision {
        let d = self;
        RetentionDecision {
            contact_id: domain::ContactId(d.contact_id as i64),
            action: match d.action {
                wit::RetentionAction::Keep => RetentionAction::Keep,
                wit::RetentionAction::Erase => RetentionAction::Erase,
                wit::RetentionAction::Anonymise(c) => {
                    RetentionAction::Anonymise(c.into_iter().map(Lift::lift).collect())
                }
                wit::RetentionAction::Review => RetentionAction::Review,
            },
            reason: d.reason,
            legal_reference: d.legal_reference,
            review_after: d.review_after.map(domain::Timestamp),
            holds_from: d.holds_from.map(domain::Timestamp),
        }
    }
}

impl From<&Identity> for wit::Identity {
    fn from(i: &Identity) -> Self {
        match i {
            Identity::Email(e) => wit::Identity::Email(e.as_str().to_string()),
            Identity::Phone(p) => wit::Identity::Phone(p.as_str().to_string()),
            Identity::External(x) => wit::Identity::External(wit::ExternalId {
                system: x.system.clone(),
                id: x.id.clone(),
            }),
        }
    }
}

impl From<&IdentityEntry> for wit::IdentityEntry {
    fn from(i: &IdentityEntry) -> Self {
        wit::IdentityEntry {
            identity: (&i.identity).into(),
            provenance: i.provenance.map(|p| p.0 as u64),
        }
    }
}

impl From<&FormerIdentity> for wit::FormerIdentity {
    fn from(i: &FormerIdentity) -> Self {
        wit::FormerIdentity {
            identity: (&i.identity).into(),
            provenance: i.provenance.map(|p| p.0 as u64),
            removed_at: i.removed_at.0,
            removed_by: i.removed_by.0 as u64,
        }
    }
}

impl From<&RestrictionPeriod> for wit::RestrictionPeriod {
    fn from(r: &RestrictionPeriod) -> Self {
        wit::RestrictionPeriod {
            start: r.since.0,
            end: r.until.map(|t| t.0),
        }
    }
}

impl From<&RequestCase> for wit::RequestCase {
    fn from(r: &RequestCase) -> Self {
        wit::RequestCase {
            id: r.id as u64,
            kind: r.kind.into(),
            language: r.language.clone(),
            received_at: r.received_at.0,
            due_at: r.due_at.0,
        }
    }
}

impl From<&FieldEntry> for wit::FieldEntry {
    fn from(f: &FieldEntry) -> Self {
        wit::FieldEntry {
            name: f.name.clone(),
            category: f.category.into(),
            value: f.value.clone(),
            provenance: f.provenance.map(|p| p.0 as u64),
            recorded_at: f.recorded_at.0,
            current: f.current,
        }
    }
}

impl From<&ProvenanceEntry> for wit::ProvenanceEntry {
    fn from(p: &ProvenanceEntry) -> Self {
        wit::ProvenanceEntry {
            id: p.id.0 as u64,
            source_label: p.source_label.clone(),
            channel: p.channel.into(),
            collected_at: p.collected_at.0,
            batch: p.batch.map(|b| b.0 as u64),
            file_digest: p.file_digest.clone(),
            plugin: p
                .plugin
                .as_ref()
                .map(|r| format!("{}@{}", r.name, r.version)),
            plugin_digest: p.plugin.as_ref().map(|r| r.digest.clone()),
            operator: p.operator.clone(),
        }
    }
}

impl From<&PurposeEntry> for wit::PurposeEntry {
    fn from(p: &PurposeEntry) -> Self {
        wit::PurposeEntry {
            purpose: p.purpose.clone(),
            description: p.description.clone(),
            bases: p.bases.iter().map(Into::into).collect(),
            allowed_now: p.allowed_now,
            reason: p.reason.clone(),
        }
    }
}

impl From<&domain::ConsentRecord> for wit::ConsentEvent {
    fn from(c: &domain::ConsentRecord) -> Self {
        wit::ConsentEvent {
            purpose: c.purpose.clone(),
            channel: c.channel.as_str().to_string(),
            action: c.action.into(),
            at: c.at.0,
            method: c.evidence.method.clone(),
            notice_version: c.evidence.notice_version.clone(),
            evidence: c.evidence.text.clone(),
            collected_by: c.evidence.collected_by.clone(),
        }
    }
}

impl From<&RetentionEntry> for wit::RetentionEntry {
    fn from(r: &RetentionEntry) -> Self {
        wit::RetentionEntry {
            category: r.category.into(),
            period: r.period.clone(),
            basis: r.basis.clone(),
        }
    }
}

impl From<&SubjectPackage> for wit::SubjectPackage {
    fn from(p: &SubjectPackage) -> Self {
        wit::SubjectPackage {
            contact_id: p.contact_id.0 as u64,
            generated_at: p.generated_at.0,
            controller: p.controller.clone(),
            data_location: p.data_location.clone(),
            created_at: p.created_at.0,
            last_interaction: p.last_interaction.map(|t| t.0),
            identities: p.identities.iter().map(Into::into).collect(),
            fields: p.fields.iter().map(Into::into).collect(),
            provenance: p.provenance.iter().map(Into::into).collect(),
            purposes: p.purposes.iter().map(Into::into).collect(),
            consents: p.consents.iter().map(Into::into).collect(),
            notices: p
                .notices
                .iter()
                .map(|n: &NoticeReceipt| wit::NoticeReceipt {
                    version: n.version.clone(),
                    at: Some(n.at.0),
                })
                .collect(),
            retention: p.retention.iter().map(Into::into).collect(),
            recipients: p.recipients.clone(),
            restricted: p.restricted(),
            legal_hold: p.legal_hold(),
            former_identities: p.former_identities.iter().map(Into::into).collect(),
            restriction_periods: p.restrictions.iter().map(Into::into).collect(),
            legal_hold_since: p.legal_hold_since.map(|t| t.0),
            controller_contact: p.controller_contact.clone(),
            supervisory_authority: p.supervisory_authority.clone(),
            request: p.request.as_ref().map(Into::into),
        }
    }
}
