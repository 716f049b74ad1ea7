//! What an opt-out event is, whichever tool sent it, and the record it becomes.

use custode_sdk::types::{
    ConsentAction, ConsentClaim, ContactRecord, Identity, SourceChannel, Timestamp,
};

/// The kinds of event this importer records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The person unsubscribed: consent withdrawn (Art. 7(3)).
    Unsubscribe,
    /// The person marked a message as spam or complained: an objection (Art. 21(2), absolute for marketing).
    Complaint,
    /// The address does not exist any more. Not a statement by the person, so no consent event:
    /// the record carries the field `email_status` = `bounced` (accuracy, Art. 5(1)(d)).
    HardBounce,
}

impl Kind {
    /// The kind an event name means, in the spellings of Mailchimp, Brevo (Sendinblue), SendGrid,
    /// Mailgun, Postmark and generic exports. `None` for events that are not opt-outs (opens,
    /// clicks, deliveries, soft bounces, subscriptions), which are skipped.
    pub fn from_event(name: &str) -> Option<Kind> {
        let n = name.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        match n.as_str() {
            "unsubscribe" | "unsubscribed" | "unsub" | "group_unsubscribe" | "list_unsubscribe"
            | "optout" | "opt_out" | "unsubscription" | "subscriptionchange" | "disiscrizione"
            | "disiscritto" => Some(Kind::Unsubscribe),
            "spamreport" | "spam" | "complaint" | "complained" | "spam_complaint"
            | "spamcomplaint" | "abuse" => Some(Kind::Complaint),
            "hard_bounce" | "hardbounce" | "bounce" | "bounced" | "cleaned" | "clean"
            | "invalid_email" | "invalid" | "failed_permanent" => Some(Kind::HardBounce),
            _ => None,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Kind::Unsubscribe => "unsubscribe",
            Kind::Complaint => "complaint",
            Kind::HardBounce => "hard bounce",
        }
    }
}

/// One opt-out event, from either input format.
pub struct OptOut {
    pub row: u64,
    pub email: String,
    pub kind: Kind,
    pub at: Option<Timestamp>,
    /// The event as the tool named it, e.g. `spamreport`.
    pub event_name: String,
    pub reason: Option<String>,
    pub campaign: Option<String>,
}

/// What the settings say about the records to make.
pub struct Target {
    pub purpose: String,
    pub channel: String,
    /// `bounces = field`: a hard bounce becomes a record with `email_status`; `ignore`: no record.
    pub record_bounces: bool,
}

impl OptOut {
    /// The contact record, or `None` for a bounce when bounces are ignored.
    /// `source` names where the event came from in the evidence, e.g. `Mailchimp export`.
    pub fn into_record(self, source: &str, target: &Target) -> Option<ContactRecord> {
        let mut record = ContactRecord::new(self.row).with_identity(Identity::Email(self.email));
        record.source.channel = Some(SourceChannel::Newsletter);
        let action = match self.kind {
            Kind::Unsubscribe => ConsentAction::Withdrawn,
            Kind::Complaint => ConsentAction::Objected,
            Kind::HardBounce if target.record_bounces => {
                return Some(record.with_field("email_status", "bounced"))
            }
            Kind::HardBounce => return None,
        };
        let mut evidence = format!("{source}: {}", self.kind.word());
        if !self.event_name.is_empty() && !self.event_name.eq_ignore_ascii_case(self.kind.word()) {
            evidence.push_str(&format!(" (event `{}`)", self.event_name));
        }
        if let Some(reason) = self.reason.filter(|r| !r.trim().is_empty()) {
            evidence.push_str(&format!(", reason: {}", reason.trim()));
        }
        if let Some(campaign) = self.campaign.filter(|c| !c.trim().is_empty()) {
            evidence.push_str(&format!(", campaign: {}", campaign.trim()));
        }
        let claim = ConsentClaim::new(&target.purpose, &target.channel, action)
            .at(self.at)
            .with_evidence(evidence);
        Some(record.with_consent(claim))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_of_the_common_tools() {
        for (name, kind) in [
            ("unsubscribe", Some(Kind::Unsubscribe)),
            ("group_unsubscribe", Some(Kind::Unsubscribe)),
            ("Unsubscribed", Some(Kind::Unsubscribe)),
            ("SubscriptionChange", Some(Kind::Unsubscribe)),
            ("spamreport", Some(Kind::Complaint)),
            ("SpamComplaint", Some(Kind::Complaint)),
            ("complained", Some(Kind::Complaint)),
            ("hard_bounce", Some(Kind::HardBounce)),
            ("bounce", Some(Kind::HardBounce)),
            ("soft_bounce", None),
            ("deferred", None),
            ("open", None),
            ("click", None),
            ("subscribe", None),
        ] {
            assert_eq!(Kind::from_event(name), kind, "{name}");
        }
    }

    #[test]
    fn records_carry_the_evidence() {
        let target = Target {
            purpose: "marketing".into(),
            channel: "email".into(),
            record_bounces: true,
        };
        let event = |kind, name: &str| OptOut {
            row: 3,
            email: "a@example.com".into(),
            kind,
            at: Some(1_768_473_000),
            event_name: name.into(),
            reason: Some(" Too many emails ".into()),
            campaign: Some("Saldi".into()),
        };
        let r = event(Kind::Complaint, "spamreport")
            .into_record("SendGrid webhook", &target)
            .unwrap();
        let c = &r.consents[0];
        assert_eq!(
            (c.action, c.purpose.as_str(), c.channel.as_str(), c.at),
            (
                ConsentAction::Objected,
                "marketing",
                "email",
                Some(1_768_473_000)
            )
        );
        assert_eq!(
            c.evidence.as_deref(),
            Some("SendGrid webhook: complaint (event `spamreport`), reason: Too many emails, campaign: Saldi")
        );
        let r = event(Kind::Unsubscribe, "unsubscribe")
            .into_record("Mailchimp export", &target)
            .unwrap();
        assert_eq!(
            r.consents[0].evidence.as_deref(),
            Some("Mailchimp export: unsubscribe, reason: Too many emails, campaign: Saldi")
        );
        let bounce = event(Kind::HardBounce, "bounce")
            .into_record("x", &target)
            .unwrap();
        assert!(bounce.consents.is_empty());
        assert_eq!(
            (
                bounce.fields[0].name.as_str(),
                bounce.fields[0].value.as_str()
            ),
            ("email_status", "bounced")
        );
        let ignore = Target {
            record_bounces: false,
            ..target
        };
        assert!(event(Kind::HardBounce, "bounce")
            .into_record("x", &ignore)
            .is_none());
    }
}
