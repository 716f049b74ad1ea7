//! Marketing to one's own customers on legitimate interest. Recital 47 GDPR counts direct marketing
//! among the legitimate interests, and the seeds say legitimate interest "allows processing the data
//! of one's own customers for marketing purposes"; Italian law narrows it: art. 130(4) of the Privacy
//! Code (Legislative Decree 196/2003, the "soft spam" rule) lets a controller email a customer about
//! its own similar products with the address obtained in a sale, unless the customer objects, with an
//! opt-out offered at collection and in every message. So legitimate interest justifies a
//! direct-marketing purpose only:
//!
//! - for a customer: a contract basis (for any purpose) in force, or ended less than the
//!   legitimate-interest period ago; a prospect (no contract, or only steps before one) needs consent;
//! - on the channels the settings allow (email and post by default);
//! - never after an objection (absolute, checked before any basis) or a withdrawal of consent for
//!   the purpose (checked with legitimate interest itself).
//!
//! That the products are similar and that the opt-out was offered are the controller's to ensure;
//! the privacy notice recorded as given is the part Custode checks.

use serde::{Deserialize, Serialize};

use super::consent::BasisPeriod;
use super::decision::{channel_words, DecisionRule};
use super::error::InvalidInput;
use super::time::Timestamp;
use super::vocab::{ConsentChannel, LegalBasis};

/// The rule's name in answers.
pub const RULE_WORDS: &str =
    "customer marketing on legitimate interest (art. 130(4) Italian Privacy Code, Recital 47 GDPR)";

/// The `[compliance.customer_marketing]` settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CustomerMarketing {
    /// The channels on which legitimate interest may justify direct marketing to customers. Empty:
    /// direct marketing always needs consent.
    pub channels: Vec<ConsentChannel>,
}

impl Default for CustomerMarketing {
    fn default() -> Self {
        CustomerMarketing {
            channels: vec![ConsentChannel::Email, ConsentChannel::Post],
        }
    }
}

impl CustomerMarketing {
    pub fn check(&self) -> Result<(), InvalidInput> {
        if self.channels.contains(&ConsentChannel::Any) {
            return Err(InvalidInput::new(
                "customer_marketing.channels",
                "`any` is not a channel customer marketing can use: list the channels one by one, e.g. `[\"email\", \"post\"]`",
            ));
        }
        Ok(())
    }
}

/// Whether legitimate interest may justify a direct-marketing purpose for this person on this
/// channel at `at`: `Ok` with the words saying why the person counts as a customer, `Err` with the
/// rule and the reason otherwise.
pub(super) fn customer_marketing(
    settings: &CustomerMarketing,
    months: u32,
    contracts: &[BasisPeriod],
    purpose: &str,
    channel: ConsentChannel,
    at: Timestamp,
) -> Result<String, (DecisionRule, String)> {
    let customer = customer_at(months, contracts, purpose, at)?;
    let allowed = &settings.channels;
    if !allowed.contains(&channel) {
        let listed: Vec<&str> = allowed.iter().map(|c| c.as_str()).collect();
        let reason = if listed.is_empty() {
            format!("{RULE_WORDS} is turned off (the setting `customer_marketing.channels` is empty), so {purpose} needs consent")
        } else if channel == ConsentChannel::Any {
            format!(
                "{RULE_WORDS} is allowed only by {} (setting `customer_marketing.channels`), so it does not answer for every channel at once: ask about one channel, or obtain consent for {purpose} on every channel",
                listed.join(" or ")
            )
        } else {
            format!(
                "{RULE_WORDS} is allowed only by {} (setting `customer_marketing.channels`), not {}: {purpose} {} needs consent",
                listed.join(" or "),
                channel_words(channel),
                channel_words(channel)
            )
        };
        return Err((DecisionRule::ChannelNotAllowed, reason));
    }
    Ok(customer)
}

/// Whether the person is a customer at `at`, and the words for it.
fn customer_at(
    months: u32,
    contracts: &[BasisPeriod],
    purpose: &str,
    at: Timestamp,
) -> Result<String, (DecisionRule, String)> {
    // Only a contract makes a customer: steps before one (a quote asked for) do not (art. 130(4)
    // speaks of an address obtained in the sale of a product or service).
    let started: Vec<&BasisPeriod> = contracts
        .iter()
        .filter(|p| p.basis == LegalBasis::Contract && p.start <= at)
        .collect();
    if let Some(current) = started.iter().find(|p| p.active_at(at)) {
        return Ok(format!(
            "a customer (contract basis for {} since {})",
            current.purpose,
            current.start.date_string()
        ));
    }
    // Every started period has ended by `at`: the latest end says how long ago the person was one.
    let latest = started
        .iter()
        .filter_map(|p| p.end.map(|end| (end, p)))
        .max_by_key(|(end, _)| *end);
    match latest {
        Some((end, p)) if at < end.add_months(months) => Ok(format!(
            "a former customer (the contract basis for {} ended on {}, less than {months} months ago)",
            p.purpose,
            end.date_string()
        )),
        Some((end, p)) => Err((
            DecisionRule::NotACustomer,
            format!(
                "{RULE_WORDS} lasts {months} months after the relationship ends: the contract basis for {} ended on {}, {} months before {}, so {purpose} needs consent",
                p.purpose,
                end.date_string(),
                end.whole_months_until(at),
                at.date_string()
            ),
        )),
        None => Err((
            DecisionRule::NotACustomer,
            format!(
                "{RULE_WORDS} covers only the controller's own customers, and no contract basis is recorded for this contact by {}: a prospect needs consent for {purpose}",
                at.date_string()
            ),
        )),
    }
}
