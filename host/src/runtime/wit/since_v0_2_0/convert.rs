//! Conversions between plugin API 0.2's types (generated from its WIT) and the domain's and the
//! runtime's: every type that crosses the boundary, in one place. What 0.1 has too is converted
//! as in `since_v0_1_0` (each version's generated types are its own).
//!
//! The enums are the same vocabularies on both sides; the WIT ones are frozen with the API version,
//! the domain ones may grow. A match per enum keeps the compiler checking that they stay in step.

use super::importer::custode::plugin::types as wit;
use super::importer::exports::custode::plugin::source::ChunkResult;
use crate::domain::{
    BasisClaim, ConsentAction, ConsentOrigin, DataCategory, Document, FieldValue, LegalBasis,
    NoticeClaim, RequestKind, RowError, SourceChannel, SourceChunk, SourceConsent, SourceDetails,
    SourceIdentity, SourceRecord, Timestamp,
};
use crate::runtime::error::Reported;
use crate::runtime::info::{ConfigKeyInfo, ConfigProblem, Description, PluginKind};
use crate::runtime::log::LogLevel;

macro_rules! same_enum {
    ($wit:ident <-> $domain:ident { $($variant:ident),+ $(,)? }) => {
        impl Lift for wit::$wit {
            type Output = $domain;
            fn lift(self) -> $domain {
                match self { $(wit::$wit::$variant => $domain::$variant),+ }
            }
        }
        impl From<$domain> for wit::$wit {
            fn from(v: $domain) -> Self {
                match v { $($domain::$variant => wit::$wit::$variant),+ }
            }
        }
    };
}

same_enum!(SourceChannel <-> SourceChannel {
    Phone, Email, LeadGeneration, PublicDatabase, Fair, BusinessCard, WebForm, Newsletter, Erp, Referral, Manual, Other,
});
same_enum!(LegalBasis <-> LegalBasis {
    Consent, Contract, PreContract, LegalObligation, VitalInterest, PublicTask, LegitimateInterest,
});
same_enum!(ConsentAction <-> ConsentAction { Granted, Withdrawn, Objected });
same_enum!(DataCategory <-> DataCategory { Contact, Commercial, Financial, Marketing, Notes });
same_enum!(RequestKind <-> RequestKind { Access, Portability, Erasure, Rectification, Restriction, Objection });

impl Lift for wit::PluginKind {
    type Output = PluginKind;
    fn lift(self) -> PluginKind {
        match self {
            wit::PluginKind::Importer => PluginKind::Importer,
            wit::PluginKind::RetentionRule => PluginKind::RetentionRule,
            wit::PluginKind::Exporter => PluginKind::Exporter,
        }
    }
}

impl Lift for wit::LogLevel {
    type Output = LogLevel;
    fn lift(self) -> LogLevel {
        match self {
            wit::LogLevel::Trace => LogLevel::Trace,
            wit::LogLevel::Debug => LogLevel::Debug,
            wit::LogLevel::Info => LogLevel::Info,
            wit::LogLevel::Warn => LogLevel::Warn,
            wit::LogLevel::Error => LogLevel::Error,
        }
    }
}

impl Lift for wit::PluginInfo {
    type Output = Description;
    fn lift(self) -> Description {
        let info = self;
        Description {
            name: info.name,
            version: info.version,
            kind: info.kind.lift(),
            summary: info.summary,
            config_keys: info
                .config_keys
                .into_iter()
                .map(|k| ConfigKeyInfo {
                    name: k.name,
                    doc: k.doc,
                    required: k.required,
                    default_value: k.default_value,
                })
                .collect(),
        }
    }
}

impl Lift for wit::ConfigProblem {
    type Output = ConfigProblem;
    fn lift(self) -> ConfigProblem {
        ConfigProblem {
            key: self.key,
            message: self.message,
        }
    }
}

impl Lift for wit::ImportError {
    type Output = Reported;
    fn lift(self) -> Reported {
        let e = self;
        Reported {
            message: e.message,
            row: e.row,
            column: e.column,
        }
    }
}

impl Lift for wit::Document {
    type Output = Document;
    fn lift(self) -> Document {
        let d = self;
        Document {
            file_name: d.file_name,
            media_type: d.media_type,
            bytes: d.bytes,
        }
    }
}

/// This version's types into the domain's (or the runtime's). A trait of its own rather than `From`:
/// an impl of `From<wit::X>` would belong to the domain's type, and the domain, like everything
/// above this module, knows nothing of WIT; this module converts in both directions.
pub(crate) trait Lift {
    type Output;
    fn lift(self) -> Self::Output;
}

/// WIT timestamps are plain seconds; the domain wraps them.
fn timestamp(t: wit::Timestamp) -> Timestamp {
    Timestamp(t)
}

/// Records move across as they are (strings are moved, not copied): checking and normalising them
/// is the import service's job.
impl Lift for ChunkResult {
    type Output = SourceChunk;
    fn lift(self) -> SourceChunk {
        let chunk = self;
        SourceChunk {
            records: chunk.records.into_iter().map(Lift::lift).collect(),
            rejected: chunk
                .rejected
                .into_iter()
                .map(|r| RowError {
                    row: r.row,
                    column: r.column,
                    message: r.message,
                })
                .collect(),
        }
    }
}

impl Lift for wit::ContactRecord {
    type Output = SourceRecord;
    fn lift(self) -> SourceRecord {
        let r = self;
        SourceRecord {
            row: r.row,
            identities: r
                .identities
                .into_iter()
                .map(|i| match i {
                    wit::Identity::Email(e) => SourceIdentity::Email(e),
                    wit::Identity::Phone(p) => SourceIdentity::Phone(p),
                    wit::Identity::External(x) => SourceIdentity::External {
                        system: x.system,
                        id: x.id,
                    },
                })
                .collect(),
            fields: r
                .fields
                .into_iter()
                .map(|f| FieldValue {
                    name: f.name,
                    value: f.value,
                })
                .collect(),
            consents: r
                .consents
                .into_iter()
                .map(|c| SourceConsent {
                    purpose: c.purpose,
                    channel: c.channel,
                    action: c.action.lift(),
                    at: c.at.map(timestamp),
                    evidence: c.evidence,
                    notice_version: c.notice_version,
                    origin: c.origin.map(|o| ConsentOrigin {
                        row: o.row,
                        column: o.column,
                        value: o.value,
                    }),
                })
                .collect(),
            legal_bases: r
                .legal_bases
                .into_iter()
                .map(|b| BasisClaim {
                    purpose: b.purpose,
                    basis: b.basis.lift(),
                    start: b.start.map(timestamp),
                    end: b.end.map(timestamp),
                })
                .collect(),
            notices: r
                .notices
                .into_iter()
                .map(|n| NoticeClaim {
                    version: n.version,
                    at: n.at.map(timestamp),
                })
                .collect(),
            source: SourceDetails {
                label: r.source.label,
                channel: r.source.channel.map(Lift::lift),
                collected_at: r.source.collected_at.map(timestamp),
            },
            last_interaction: r.last_interaction.map(timestamp),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_round_trips() {
        for c in [
            SourceChannel::Fair,
            SourceChannel::Erp,
            SourceChannel::Other,
        ] {
            assert_eq!(wit::SourceChannel::from(c).lift(), c);
        }
        for b in [
            LegalBasis::Consent,
            LegalBasis::LegitimateInterest,
            LegalBasis::PreContract,
        ] {
            assert_eq!(wit::LegalBasis::from(b).lift(), b);
        }
        assert_eq!(wit::ConsentAction::Objected.lift(), ConsentAction::Objected);
        assert_eq!(wit::DataCategory::Financial.lift(), DataCategory::Financial);
        for k in RequestKind::ALL {
            assert_eq!(wit::RequestKind::from(*k).lift(), *k);
        }
    }

    /// Every part of an importer's record reaches the import service, nothing reinterpreted.
    #[test]
    fn a_contact_record_arrives_whole() {
        let record = wit::ContactRecord {
            row: 7,
            identities: vec![
                wit::Identity::Email("Mario@Rossi.it".into()),
                wit::Identity::Phone("333 123 4567".into()),
                wit::Identity::External(wit::ExternalId {
                    system: "erp".into(),
                    id: "C-42".into(),
                }),
            ],
            fields: vec![wit::FieldValue {
                name: "city".into(),
                value: "Forlì".into(),
            }],
            consents: vec![wit::ConsentClaim {
                purpose: "marketing".into(),
                channel: "e-mail?".into(),
                action: wit::ConsentAction::Withdrawn,
                at: Some(1_700_000_000),
                evidence: Some("checkbox on /signup".into()),
                notice_version: Some("2026-01".into()),
                origin: Some(wit::ConsentOrigin {
                    row: None,
                    column: "newsletter".into(),
                    value: "no".into(),
                }),
            }],
            legal_bases: vec![wit::LegalBasisClaim {
                purpose: "accounting".into(),
                basis: wit::LegalBasis::LegalObligation,
                start: Some(1),
                end: None,
            }],
            notices: vec![wit::NoticeReceipt {
                version: "2026-01".into(),
                at: None,
            }],
            source: wit::SourceDetails {
                label: Some("Fiera".into()),
                channel: Some(wit::SourceChannel::Fair),
                collected_at: Some(2),
            },
            last_interaction: Some(3),
        };
        let chunk = (ChunkResult {
            records: vec![record],
            rejected: vec![wit::RowError {
                row: 8,
                column: Some("email".into()),
                message: "no address".into(),
            }],
        })
        .lift();
        let r = &chunk.records[0];
        assert_eq!(r.row, 7);
        assert_eq!(
            r.identities,
            [
                SourceIdentity::Email("Mario@Rossi.it".into()),
                SourceIdentity::Phone("333 123 4567".into()),
                SourceIdentity::External {
                    system: "erp".into(),
                    id: "C-42".into()
                },
            ]
        );
        assert_eq!(r.fields[0].value, "Forlì");
        let c = &r.consents[0];
        assert_eq!(
            (c.channel.as_str(), c.action, c.at),
            (
                "e-mail?",
                ConsentAction::Withdrawn,
                Some(Timestamp(1_700_000_000))
            )
        );
        assert_eq!(
            c.evidence_text(r.row).as_deref(),
            Some("checkbox on /signup; row 7, column `newsletter` = `no`"),
            "where the consent was read is kept with the importer's words"
        );
        assert_eq!(r.legal_bases[0].basis, LegalBasis::LegalObligation);
        assert_eq!(r.notices[0].version, "2026-01");
        assert_eq!(r.source.channel, Some(SourceChannel::Fair));
        assert_eq!(
            (r.source.collected_at, r.last_interaction),
            (Some(Timestamp(2)), Some(Timestamp(3)))
        );
        assert_eq!(
            chunk.rejected,
            [RowError {
                row: 8,
                column: Some("email".into()),
                message: "no address".into()
            }]
        );
    }
}
