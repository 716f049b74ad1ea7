//! The retention policy: several rules' decisions about one subject combined into one outcome.
//!
//! Each enabled rule plugin looks at the subject on its own (silence under legitimate interest,
//! accounting records, withdrawn consent, no basis at all) and either says nothing or decides. A rule
//! that says nothing has no opinion: it neither keeps nor erases. The combination, in this order,
//! first match wins:
//!
//! 1. **Legal hold: keep.** Nothing may be erased or anonymised while a hold lasts (Art. 17(3)(e));
//!    whatever the rules asked is only reported.
//! 2. **Restriction: a person decides.** Restricted data may only be stored (Art. 18), so a rule may
//!    not erase or anonymise it: any change or review a rule asks for becomes a review.
//! 3. **A lawful reason to keep keeps the person.** A rule that answers `keep` has found one (an active
//!    contract, a consent in force, a basis not lapsed): storage limitation (Art. 5(1)(e)) lets data go
//!    only when no purpose needs it any more, so one such reason outweighs any number of erasures.
//! 4. **Review wins over erasure.** A rule that asks for a person (no basis found: remedy it or delete
//!    it) is not overruled by a machine: the subject goes to review.
//! 5. **What a legal obligation requires stays.** A rule answering `anonymise` names the categories
//!    that go; the ones it does not name it still has a reason to keep (the bundled `accounting` rule
//!    keeps the financial category this way for 10 years, Art. 17(3)(b)). So only the categories every
//!    changing rule lets go, go: an erasure next to such an anonymisation becomes that anonymisation.
//!    If no category is left that all let go, the rules disagree and a person decides.
//! 6. Otherwise every changing rule said erase: **erase**. No rule decided: keep.
//!
//! The outcome keeps every rule's verdict (abstentions too), so a DPO sees why.

use serde::{Deserialize, Serialize};

use super::ids::ContactId;
use super::subject::{RetentionAction, RetentionDecision, SubjectView};
use super::time::Timestamp;
use super::vocab::DataCategory;

/// What one rule said about one subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RuleVerdict {
    /// `name@version` of the rule.
    pub rule: String,
    /// What the rule decided; none when it said nothing about the subject (no opinion).
    pub action: Option<RetentionAction>,
    pub reason: String,
    pub legal_reference: String,
    pub review_after: Option<Timestamp>,
    /// From when the rule's decision holds (plugin API 0.2.0); none: as of the run.
    #[serde(default)]
    pub holds_from: Option<Timestamp>,
}

impl RuleVerdict {
    /// The verdict of `rule` given its decision (`None`: it said nothing).
    pub fn new(rule: &str, decision: Option<RetentionDecision>) -> Self {
        match decision {
            Some(d) => RuleVerdict {
                rule: rule.to_string(),
                action: Some(d.action),
                reason: d.reason,
                legal_reference: d.legal_reference,
                review_after: d.review_after,
                holds_from: d.holds_from,
            },
            None => RuleVerdict {
                rule: rule.to_string(),
                action: None,
                reason: "no decision: nothing in this rule applies to the subject".into(),
                legal_reference: String::new(),
                review_after: None,
                holds_from: None,
            },
        }
    }

    fn changes(&self) -> bool {
        matches!(
            self.action,
            Some(RetentionAction::Erase | RetentionAction::Anonymise(_))
        )
    }
}

/// The policy's outcome for one subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CombinedDecision {
    pub contact_id: ContactId,
    pub action: RetentionAction,
    /// Why, in words: which rule decided and what the others asked.
    pub reason: String,
    pub legal_reference: String,
    /// When to look at the subject again, if known.
    pub review_after: Option<Timestamp>,
    /// From when the combined outcome holds: a review from the earliest day a rule asked for one,
    /// an erasure or anonymisation from the latest day of the rules that asked for it (it holds
    /// once all of them hold); none for a keep, or when no rule said (as of the run).
    pub holds_from: Option<Timestamp>,
    /// Every enabled rule's verdict, in the order of the policy.
    pub rules: Vec<RuleVerdict>,
}

impl CombinedDecision {
    /// Whether some rule asked for a change or a review (the combined outcome may still be keep).
    pub fn asked_for_something(&self) -> bool {
        self.rules
            .iter()
            .any(|v| v.changes() || v.action == Some(RetentionAction::Review))
    }
}

/// Combines the verdicts of every rule of the policy about `subject`; see the module documentation.
pub fn combine(subject: &SubjectView, verdicts: Vec<RuleVerdict>) -> CombinedDecision {
    let (action, reason, legal_reference, review_after) = decide(subject, &verdicts);
    let dates = |pred: fn(&RuleVerdict) -> bool| {
        verdicts
            .iter()
            .filter(move |v| pred(v))
            .filter_map(|v| v.holds_from)
    };
    let holds_from = match action {
        RetentionAction::Keep => None,
        RetentionAction::Review => dates(|v| v.action == Some(RetentionAction::Review)).min(),
        RetentionAction::Erase | RetentionAction::Anonymise(_) => dates(RuleVerdict::changes).max(),
    };
    CombinedDecision {
        contact_id: subject.contact_id,
        action,
        reason,
        legal_reference,
        review_after,
        holds_from,
        rules: verdicts,
    }
}

type Outcome = (RetentionAction, String, String, Option<Timestamp>);

fn decide(subject: &SubjectView, verdicts: &[RuleVerdict]) -> Outcome {
    let with = |pred: fn(&RuleVerdict) -> bool| -> Vec<&RuleVerdict> {
        verdicts.iter().filter(|v| pred(v)).collect()
    };
    let keeps = with(|v| v.action == Some(RetentionAction::Keep));
    let reviews = with(|v| v.action == Some(RetentionAction::Review));
    let changes = with(RuleVerdict::changes);
    let asked: Vec<&RuleVerdict> =
        with(|v| v.changes() || v.action == Some(RetentionAction::Review));
    if subject.legal_hold {
        return (
            RetentionAction::Keep,
            format!(
                "kept: under legal hold, nothing may be erased or anonymised{}",
                asked_words(&asked)
            ),
            "GDPR Art. 17(3)(e)".into(),
            None,
        );
    }
    if subject.restricted && !asked.is_empty() {
        return (
            RetentionAction::Review,
            format!(
                "processing is restricted: no rule may erase or anonymise, a person decides{}",
                asked_words(&asked)
            ),
            "GDPR Art. 18".into(),
            None,
        );
    }
    if !keeps.is_empty() {
        // Kept until the last reason to keep ends; open-ended if any has no end.
        let review_after = keeps
            .iter()
            .map(|v| v.review_after)
            .collect::<Option<Vec<_>>>()
            .and_then(|ends| ends.into_iter().max());
        return (
            RetentionAction::Keep,
            format!("kept: {}{}", because(&keeps), asked_words(&asked)),
            references(&keeps),
            review_after,
        );
    }
    if !reviews.is_empty() {
        let review_after = reviews.iter().filter_map(|v| v.review_after).min();
        let instead = if changes.is_empty() {
            String::new()
        } else {
            format!(
                " (review wins over {} asked by {})",
                changes_words(&changes),
                names(&changes)
            )
        };
        return (
            RetentionAction::Review,
            format!("a person decides: {}{instead}", because(&reviews)),
            references(&reviews),
            review_after,
        );
    }
    if changes.is_empty() {
        return (
            RetentionAction::Keep,
            "kept: no rule asked for a change".into(),
            String::new(),
            None,
        );
    }
    // Only the categories every changing rule lets go: erase lets all go.
    let mut going: Option<Vec<DataCategory>> = None;
    for v in &changes {
        if let Some(RetentionAction::Anonymise(categories)) = &v.action {
            going = Some(match going {
                None => sorted(categories),
                Some(g) => g.into_iter().filter(|c| categories.contains(c)).collect(),
            });
        }
    }
    match going {
        None => (
            RetentionAction::Erase,
            format!("erased: {}", because(&changes)),
            references(&changes),
            None,
        ),
        Some(categories) if categories.is_empty() => (
            RetentionAction::Review,
            format!(
                "a person decides: the rules disagree on which data goes ({})",
                because(&changes)
            ),
            references(&changes),
            None,
        ),
        Some(categories) => {
            let erasers = with(|v| v.action == Some(RetentionAction::Erase));
            let kept = if erasers.is_empty() {
                String::new()
            } else {
                format!(
                    "; the erasure asked by {} becomes this anonymisation: the other categories are still required",
                    names(&erasers)
                )
            };
            (
                RetentionAction::Anonymise(categories),
                format!("anonymised: {}{kept}", because(&changes)),
                references(&changes),
                None,
            )
        }
    }
}

fn sorted(categories: &[DataCategory]) -> Vec<DataCategory> {
    let mut c = categories.to_vec();
    c.sort();
    c.dedup();
    c
}

/// "`accounting@0.1.0`: invoices kept …; `x@1`: …"
fn because(verdicts: &[&RuleVerdict]) -> String {
    verdicts
        .iter()
        .map(|v| format!("`{}`: {}", v.rule, v.reason))
        .collect::<Vec<_>>()
        .join("; ")
}

fn names(verdicts: &[&RuleVerdict]) -> String {
    verdicts
        .iter()
        .map(|v| format!("`{}`", v.rule))
        .collect::<Vec<_>>()
        .join(", ")
}

fn references(verdicts: &[&RuleVerdict]) -> String {
    let mut refs: Vec<&str> = Vec::new();
    for v in verdicts {
        if !v.legal_reference.is_empty() && !refs.contains(&v.legal_reference.as_str()) {
            refs.push(&v.legal_reference);
        }
    }
    refs.join("; ")
}

fn changes_words(changes: &[&RuleVerdict]) -> &'static str {
    if changes
        .iter()
        .all(|v| v.action == Some(RetentionAction::Erase))
    {
        "the erasure"
    } else {
        "the erasure or anonymisation"
    }
}

/// "; the rules asked: `a@1` erase (…), `b@1` review (…)", or nothing when none asked.
fn asked_words(asked: &[&RuleVerdict]) -> String {
    if asked.is_empty() {
        return String::new();
    }
    let each: Vec<String> = asked
        .iter()
        .map(|v| {
            let what = match &v.action {
                Some(RetentionAction::Erase) => "erase",
                Some(RetentionAction::Anonymise(_)) => "anonymise",
                _ => "review",
            };
            format!("`{}` asked to {what} ({})", v.rule, v.reason)
        })
        .collect();
    format!("; {}", each.join("; "))
}
