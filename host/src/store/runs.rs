//! What a recorded retention run is made of: the run (when, which rules, its state), each decision
//! with its outcome, and the counts by rule. The decisions are stored before any is applied, so an
//! apply cut short (a crash, kill -9) is finished from them, and what was applied can be shown.

use serde::{Deserialize, Serialize};

use crate::domain::{RetentionDecision, Timestamp};

/// A rule plugin that took part in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RuleRef {
    pub name: String,
    pub version: String,
    /// SHA-256 of the component.
    pub digest: String,
}

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RunState {
    /// The rules are deciding, or the decisions are being applied.
    Running,
    /// A dry run: decisions recorded, nothing changed.
    Dry,
    /// More erasures than the guard allows: nothing applied until a DPO confirms.
    WaitingForConfirmation,
    /// Every decision has its outcome (some may say why they could not be applied).
    Applied,
    /// The apply stopped before the end (the server stopped or crashed): the next run, or the
    /// server's start, finishes the rest.
    PartiallyApplied,
    /// A rule failed before anything was applied.
    Failed,
}

impl RunState {
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Dry => "dry",
            RunState::WaitingForConfirmation => "waiting-for-confirmation",
            RunState::Applied => "applied",
            RunState::PartiallyApplied => "partially-applied",
            RunState::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<RunState> {
        [
            RunState::Running,
            RunState::Dry,
            RunState::WaitingForConfirmation,
            RunState::Applied,
            RunState::PartiallyApplied,
            RunState::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// A decision as a run records it: the decision and the rule or rules that made it (several when a
/// policy combined them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RunDecision {
    #[serde(flatten)]
    pub decision: RetentionDecision,
    pub rules: Vec<String>,
}

/// A recorded decision and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredDecision {
    /// Its place in the run (pass as `after` for the next page).
    pub seq: u64,
    #[serde(flatten)]
    pub decision: RunDecision,
    /// `applied`, `would apply (dry run)`, `for review`, `not applied: <why>`, or `pending`.
    pub outcome: String,
}

/// How many decisions of each action one rule took part in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RuleCounts {
    pub rule: String,
    pub erase: u64,
    pub anonymise: u64,
    pub review: u64,
}

/// A run as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RunRecord {
    pub id: i64,
    pub state: RunState,
    /// `request` (someone asked), `schedule`, or `confirmation`.
    pub trigger: String,
    /// Who started it.
    pub actor: String,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    /// The time the rules decided for (now, or a later date in a dry run looking ahead).
    pub now: Timestamp,
    pub rules: Vec<RuleRef>,
    pub subjects: u64,
    pub kept: u64,
    /// Erasures applied (in a dry run: that would be applied).
    pub erased: u64,
    pub anonymised: u64,
    pub to_review: u64,
    /// Decisions that could not be applied (each says why).
    pub not_applied: u64,
    /// Decisions not applied yet: waiting for confirmation, or left by an apply cut short.
    pub pending: u64,
    /// The decisions each rule took part in.
    pub by_rule: Vec<RuleCounts>,
    pub duration_ms: Option<u64>,
    pub error: Option<String>,
}

/// Outcome codes stored with each decision.
pub mod outcome {
    pub const APPLIED: &str = "applied";
    pub const DRY: &str = "would apply (dry run)";
    pub const REVIEW: &str = "for review";
    pub const NOT_APPLIED: &str = "not applied";
    pub const PENDING: &str = "pending";
}

/// A "review" decision waiting for a DPO, or how one resolved it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReviewItem {
    pub id: i64,
    pub contact_id: crate::domain::ContactId,
    /// The run that asked for the review.
    pub run_id: i64,
    pub reason: String,
    pub legal_reference: String,
    pub rules: Vec<String>,
    pub created_at: Timestamp,
    /// `open`, `kept`, `erased` or `anonymised`.
    pub state: String,
    pub resolved_at: Option<Timestamp>,
    pub resolved_by: Option<String>,
    /// The DPO's reason.
    pub resolution: Option<String>,
    /// A kept item is not asked about again before this time.
    pub review_after: Option<Timestamp>,
}

/// What a DPO decides about a review item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewResolution {
    /// Keep the data: a lawful reason to keep it, and when to look again.
    Keep {
        reason: String,
        review_after: Timestamp,
    },
    Erase {
        reason: String,
    },
    Anonymise {
        reason: String,
        categories: Vec<crate::domain::DataCategory>,
    },
}

/// `keep`, `erase` or `anonymise`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewDecision {
    Keep,
    Erase,
    Anonymise,
}

/// A DPO's resolution of a review item as the API and the CLI send it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    pub decision: ReviewDecision,
    /// Why (audited; no personal data): for `keep`, the lawful reason to keep the data.
    pub reason: String,
    /// With `keep`: not asked about again before this date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_after: Option<Timestamp>,
    /// With `anonymise`: the data categories to anonymise, e.g. `["contact"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<crate::domain::DataCategory>>,
}

impl ReviewRequest {
    pub fn resolution(self) -> Result<ReviewResolution, crate::domain::InvalidInput> {
        use crate::domain::InvalidInput;
        let reason = self.reason;
        Ok(match self.decision {
            ReviewDecision::Keep => ReviewResolution::Keep {
                reason,
                review_after: self.review_after.ok_or_else(|| {
                    InvalidInput::new("review_after", "`keep` needs `review_after`: the date to look at the contact again, e.g. `2027-06-30`")
                })?,
            },
            ReviewDecision::Erase => ReviewResolution::Erase { reason },
            ReviewDecision::Anonymise => ReviewResolution::Anonymise {
                reason,
                categories: self.categories.filter(|c| !c.is_empty()).ok_or_else(|| {
                    InvalidInput::new("categories", "`anonymise` needs `categories`, e.g. `[\"contact\"]`")
                })?,
            },
        })
    }
}

impl From<&ReviewResolution> for ReviewRequest {
    fn from(r: &ReviewResolution) -> Self {
        let (decision, reason, review_after, categories) = match r {
            ReviewResolution::Keep {
                reason,
                review_after,
            } => (ReviewDecision::Keep, reason, Some(*review_after), None),
            ReviewResolution::Erase { reason } => (ReviewDecision::Erase, reason, None, None),
            ReviewResolution::Anonymise { reason, categories } => (
                ReviewDecision::Anonymise,
                reason,
                None,
                Some(categories.clone()),
            ),
        };
        ReviewRequest {
            decision,
            reason: reason.clone(),
            review_after,
            categories,
        }
    }
}
