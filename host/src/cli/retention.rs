//! `custode retention run` without `--rule` (every enabled rule as one policy) and
//! `custode retention explain SUBJECT [--at DATE]`.

use super::compliance::{parse_time, subject};
use crate::app::App;
use crate::domain::{CombinedDecision, RetentionAction, Timestamp};
use crate::service::policy::{lease_policy, Explanation, PolicyReport};
use crate::service::retention::RetentionOptions;
use clap::Args;
use std::io::Write;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The data subject: an email, a phone number, `system:id`, or `#42` for contact 42.
    pub subject: String,
    /// Decide as of this date instead of now (e.g. `2027-01-01`: what the policy will say then).
    #[arg(long, value_parser = parse_time)]
    pub at: Option<Timestamp>,
    #[arg(long)]
    pub json: bool,
}

/// Runs every enabled retention rule as one policy, with the installed settings.
pub fn run_policy(
    app: &App,
    options: &RetentionOptions,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    let leases = lease_policy(&app.plugins)?;
    let rules: Vec<_> = leases.iter().map(|l| &*l.plugin).collect();
    print_policy(&app.compliance.run_policy(&rules, options)?, json, out)
}

pub fn run_explain(app: &App, args: &ExplainArgs, out: &mut dyn Write) -> anyhow::Result<i32> {
    let id = app
        .compliance
        .resolve_contact(&subject(&app.compliance, &args.subject)?)?;
    let leases = lease_policy(&app.plugins)?;
    let rules: Vec<_> = leases.iter().map(|l| &*l.plugin).collect();
    let at = args.at.unwrap_or_else(Timestamp::now);
    let explanation = app.compliance.explain_retention(&rules, id, at)?;
    print_explanation(&explanation, args.json, out)
}

fn action_words(action: &RetentionAction) -> String {
    match action {
        RetentionAction::Keep => "keep".into(),
        RetentionAction::Erase => "erase".into(),
        RetentionAction::Review => "review".into(),
        RetentionAction::Anonymise(categories) => format!(
            "anonymise {}",
            categories
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn print_verdicts(d: &CombinedDecision, out: &mut dyn Write) -> anyhow::Result<()> {
    for v in &d.rules {
        match &v.action {
            Some(action) => writeln!(
                out,
                "    {}: {} — {} [{}]",
                v.rule,
                action_words(action),
                v.reason,
                v.legal_reference
            )?,
            None => writeln!(out, "    {}: {}", v.rule, v.reason)?,
        }
    }
    Ok(())
}

/// Prints a policy run's report (the same locally and through `--server`).
pub(crate) fn print_policy(
    report: &PolicyReport,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(report)?)?;
        return Ok(0);
    }
    let rules: Vec<&str> = report.rules.iter().map(|r| r.rule.as_str()).collect();
    writeln!(
        out,
        "policy of {} rules ({}){}: {} subjects, {} kept, {} erased, {} anonymised, {} for review, {} not applied ({} ms)",
        rules.len(),
        rules.join(", "),
        if report.dry_run { " (dry run: nothing changed)" } else { "" },
        report.subjects,
        report.kept,
        report.erased,
        report.anonymised,
        report.to_review,
        report.not_applied,
        report.duration_ms
    )?;
    for d in &report.decisions {
        writeln!(
            out,
            "  #{} {}: {} — {}",
            d.decision.contact_id.0,
            action_words(&d.decision.action),
            d.decision.reason,
            d.outcome
        )?;
        print_verdicts(&d.decision, out)?;
    }
    Ok(0)
}

/// Prints an explanation (the same locally and through `--server`).
pub(crate) fn print_explanation(
    e: &Explanation,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(e)?)?;
        return Ok(0);
    }
    let d = &e.decision;
    writeln!(
        out,
        "contact {} as of {}: {}",
        d.contact_id.0,
        e.at.date_string(),
        action_words(&d.action)
    )?;
    writeln!(out, "  {}", d.reason)?;
    if !d.legal_reference.is_empty() {
        writeln!(out, "  legal reference: {}", d.legal_reference)?;
    }
    if let Some(after) = d.review_after {
        writeln!(out, "  look again after {}", after.date_string())?;
    }
    writeln!(out, "  rules:")?;
    print_verdicts(d, out)?;
    Ok(0)
}
