//! Constructors and builders for the WIT types, so plugin code reads like the domain.

use crate::types::{
    ConfigKey, ConsentAction, ConsentClaim, ContactId, ContactRecord, FieldValue, Identity,
    ImportError, LegalBasis, LegalBasisClaim, NoticeReceipt, PluginInfo, PluginKind,
    RetentionAction, RetentionDecision, RowError, SourceDetails, Timestamp,
};
#[cfg(not(feature = "api-0-1"))]
use crate::types::{ConfigProblem, ConsentOrigin};

impl PluginInfo {
    /// A plugin description with no configuration keys; add them with [`PluginInfo::with_config_key`].
    pub fn new(name: &str, version: &str, kind: PluginKind, summary: &str) -> Self {
        PluginInfo {
            name: name.into(),
            version: version.into(),
            kind,
            summary: summary.into(),
            config_keys: Vec::new(),
        }
    }

    /// Declares a setting the plugin reads. `default_value` is shown to admins; `None` with
    /// `required = true` means the plugin refuses to run without it.
    pub fn with_config_key(
        mut self,
        name: &str,
        doc: &str,
        required: bool,
        default_value: Option<&str>,
    ) -> Self {
        self.config_keys.push(ConfigKey {
            name: name.into(),
            doc: doc.into(),
            required,
            default_value: default_value.map(Into::into),
        });
        self
    }
}

impl ContactRecord {
    /// An empty record read from `row` (1-based) of the input.
    pub fn new(row: u64) -> Self {
        ContactRecord {
            row,
            identities: Vec::new(),
            fields: Vec::new(),
            consents: Vec::new(),
            legal_bases: Vec::new(),
            notices: Vec::new(),
            source: SourceDetails {
                label: None,
                channel: None,
                collected_at: None,
            },
            last_interaction: None,
        }
    }

    pub fn with_identity(mut self, identity: Identity) -> Self {
        self.identities.push(identity);
        self
    }

    /// Adds a field value; empty values (after trimming) are skipped.
    pub fn with_field(mut self, name: &str, value: &str) -> Self {
        let value = value.trim();
        if !value.is_empty() {
            self.fields.push(FieldValue {
                name: name.into(),
                value: value.into(),
            });
        }
        self
    }

    pub fn with_consent(mut self, claim: ConsentClaim) -> Self {
        self.consents.push(claim);
        self
    }

    pub fn with_legal_basis(
        mut self,
        purpose: &str,
        basis: LegalBasis,
        start: Option<Timestamp>,
    ) -> Self {
        self.legal_bases.push(LegalBasisClaim {
            purpose: purpose.into(),
            basis,
            start,
            end: None,
        });
        self
    }

    pub fn with_notice(mut self, version: &str, at: Option<Timestamp>) -> Self {
        self.notices.push(NoticeReceipt {
            version: version.into(),
            at,
        });
        self
    }
}

impl ConsentClaim {
    /// A claim with no time, evidence or notice version; set them with struct update syntax
    /// or the `with_*` methods.
    pub fn new(purpose: &str, channel: &str, action: ConsentAction) -> Self {
        ConsentClaim {
            purpose: purpose.into(),
            channel: channel.into(),
            action,
            at: None,
            evidence: None,
            notice_version: None,
            #[cfg(not(feature = "api-0-1"))]
            origin: None,
        }
    }

    pub fn at(mut self, at: Option<Timestamp>) -> Self {
        self.at = at;
        self
    }

    pub fn with_evidence(mut self, evidence: impl Into<String>) -> Self {
        self.evidence = Some(evidence.into());
        self
    }

    pub fn with_notice_version(mut self, version: impl Into<String>) -> Self {
        self.notice_version = Some(version.into());
        self
    }

    /// Where in the input the consent was read: the column and the value as written there, on
    /// the record's row (plugin API 0.2.0). The host keeps it with the consent's evidence.
    ///
    /// ```
    /// use custode_sdk::types::{ConsentAction, ConsentClaim};
    ///
    /// let claim = ConsentClaim::new("marketing", "email", ConsentAction::Granted)
    ///     .with_origin("newsletter", "sì");
    /// assert_eq!(claim.origin.unwrap().column, "newsletter");
    /// ```
    #[cfg(not(feature = "api-0-1"))]
    pub fn with_origin(mut self, column: impl Into<String>, value: impl Into<String>) -> Self {
        self.origin = Some(ConsentOrigin {
            row: None,
            column: column.into(),
            value: value.into(),
        });
        self
    }
}

impl RetentionDecision {
    /// A decision with no review date (and, from plugin API 0.2.0, holding as of `now`); set
    /// them with [`RetentionDecision::review_after`] and [`RetentionDecision::holds_from`].
    /// Built this way, a rule keeps compiling when a later API version adds a field.
    pub fn new(
        contact_id: ContactId,
        action: RetentionAction,
        reason: impl Into<String>,
        legal_reference: impl Into<String>,
    ) -> Self {
        RetentionDecision {
            contact_id,
            action,
            reason: reason.into(),
            legal_reference: legal_reference.into(),
            review_after: None,
            #[cfg(not(feature = "api-0-1"))]
            holds_from: None,
        }
    }

    /// When to look at the subject again.
    pub fn review_after(mut self, at: impl Into<Option<Timestamp>>) -> Self {
        self.review_after = at.into();
        self
    }

    /// The date from which the decision holds: when its condition was, or will be, met.
    #[cfg(not(feature = "api-0-1"))]
    pub fn holds_from(mut self, at: impl Into<Option<Timestamp>>) -> Self {
        self.holds_from = at.into();
        self
    }
}

#[cfg(not(feature = "api-0-1"))]
impl ConfigProblem {
    /// A setting the plugin refuses: its key and what is wrong with the value.
    pub fn new(key: &str, message: impl Into<String>) -> Self {
        ConfigProblem {
            key: key.into(),
            message: message.into(),
        }
    }
}

impl ImportError {
    /// An error about the whole import (configuration, unreadable input).
    pub fn new(message: impl Into<String>) -> Self {
        ImportError {
            row: None,
            column: None,
            message: message.into(),
        }
    }

    /// An error at a row (and optionally a column) that stops the import.
    pub fn at_row(row: u64, column: Option<&str>, message: impl Into<String>) -> Self {
        ImportError {
            row: Some(row),
            column: column.map(Into::into),
            message: message.into(),
        }
    }
}

impl RowError {
    pub fn new(row: u64, column: Option<&str>, message: impl Into<String>) -> Self {
        RowError {
            row,
            column: column.map(Into::into),
            message: message.into(),
        }
    }
}
