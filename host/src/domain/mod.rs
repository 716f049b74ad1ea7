//! The GDPR domain: vocabularies, identities, catalogues, settings and the rules. Pure: no I/O, no
//! clock (callers pass "now"), so every rule is testable as a table.

pub mod actor;
pub mod catalogue;
pub mod consent;
pub mod contact;
pub mod customer;
pub mod deadline;
pub mod decision;
pub mod error;
pub mod identity;
pub mod ids;
mod lawful_basis;
pub mod periods;
pub mod phone;
mod phone_fast;
pub mod processing;
pub mod record;
pub mod retention_policy;
pub mod settings;
pub mod source;
pub mod subject;
pub mod time;
pub mod vocab;

#[cfg(test)]
mod legal_doc_tests;
#[cfg(test)]
mod processing_customer_tests;
#[cfg(test)]
mod processing_ledger_tests;
#[cfg(test)]
mod processing_li_tests;
#[cfg(test)]
mod processing_objection_tests;
#[cfg(test)]
mod processing_periods_tests;
#[cfg(test)]
mod processing_props;
#[cfg(test)]
mod processing_tests;
#[cfg(test)]
mod retention_policy_tests;

pub use actor::Actor;
pub use catalogue::{Catalogue, FieldDef, PurposeDef};
pub use consent::{
    consent_for, effective_consent, ledger_summary, BasisPeriod, ChannelConsent, ConsentEvent,
    ConsentRecord, ConsentState, Evidence,
};
pub use contact::{
    ContactDetails, ContactSummary, FieldEntry, FormerIdentity, IdentityEntry, Notice,
    NoticeReceipt, PluginRef, ProvenanceEntry,
};
pub use customer::CustomerMarketing;
pub use deadline::RequestDeadline;
pub use decision::{Decision, DecisionRule, SubjectFacts};
pub use error::InvalidInput;
pub use identity::{Email, ExternalId, Identity};
pub use ids::{BatchId, ContactId, NoticeId, ProvenanceId};
pub use periods::{RestrictionPeriod, SuppressionPeriod, SuppressionScope};
pub use phone::{Phone, PhoneCountry};
pub use processing::{can_process, ProcessingQuery};
pub use record::{
    BasisClaim, ConsentClaim, FieldValue, NormalizedRecord, NoticeClaim, RecordOutcome,
    SourceDetails,
};
pub use retention_policy::{combine, CombinedDecision, RuleVerdict};
pub use settings::{Policy, Settings};
pub use source::{
    ConsentOrigin, Document, RowError, SourceChunk, SourceConsent, SourceIdentity, SourceRecord,
};
pub use subject::{
    CategoryHeld, ConsentStateEntry, PurposeEntry, RequestCase, RetentionAction, RetentionDecision,
    RetentionEntry, SourceSummary, SubjectPackage, SubjectView,
};
pub use time::Timestamp;
pub use vocab::{
    ConsentAction, ConsentChannel, DataCategory, LegalBasis, RequestKind, Role, SourceChannel,
};
