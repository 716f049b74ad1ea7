//! `custode retention run|runs|confirm|review|explain`: retention runs of one rule or of the whole
//! policy, their record, the confirmation of a run the guard held, the review queue, and why one
//! subject is kept or goes. Printed by the same functions locally and through `--server`.

use std::io::Write;

use clap::{Args, Subcommand};

use super::compliance::{cli_actor, parse_time, subject};
use super::import::local_plugin;
use crate::app::App;
use crate::domain::{CombinedDecision, DataCategory, RetentionAction, Timestamp};
use crate::runtime::PluginKind;
use crate::service::policy::{lease_policy, Explanation};
use crate::service::retention::{
    RetentionOptions, RetentionReport, ReviewItem, ReviewResolution, RunRecord,
};

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Run a retention rule, or every enabled rule as one policy, over every subject and apply the
    /// decisions (Art. 5(1)(e)).
    Run(RetentionRunArgs),
    /// Recorded runs: `list` (newest first) or `show ID` with its decisions.
    #[command(subcommand)]
    Runs(RunsCommand),
    /// Apply a run the blast-radius guard held, after checking its counts.
    Confirm {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// The review queue: contacts a rule asked a DPO to look at.
    #[command(subcommand)]
    Review(ReviewCommand),
    /// Show each enabled rule's verdict about one subject and the policy's outcome, as of a date.
    Explain(ExplainArgs),
}

#[derive(Debug, Args)]
pub struct RetentionRunArgs {
    /// The rule: the name of an installed, enabled retention plugin (`legitimate-interest`), run with
    /// its installed settings as the server runs it; or a component file. Not given: every enabled
    /// retention rule, combined as one policy.
    #[arg(long)]
    pub rule: Option<String>,
    /// Only report what would be erased, anonymised or reviewed.
    #[arg(long)]
    pub dry_run: bool,
    /// Decide as of this date instead of now (e.g. `2027-01-01`, to look ahead in a dry run).
    #[arg(long, value_parser = parse_time)]
    pub at: Option<Timestamp>,
    /// A setting for a rule given as a component file, e.g. `--set months=36` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = super::import::parse_setting)]
    pub settings: Vec<(String, String)>,
    #[arg(long)]
    pub json: bool,
}

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

#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    List {
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    Show {
        id: i64,
        /// Decisions after this one (the previous page's `next`).
        #[arg(long)]
        after: Option<u64>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Open items, oldest first (`--all`: resolved ones too).
    List {
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Keep the contact: a lawful reason to, and when to look again.
    Keep {
        id: i64,
        #[arg(long)]
        reason: String,
        /// Not asked about again before this date, e.g. `2027-06-30`.
        #[arg(long, value_parser = parse_time)]
        review_after: Timestamp,
    },
    Erase {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    Anonymise {
        id: i64,
        #[arg(long)]
        reason: String,
        /// The data categories to anonymise, e.g. `contact,commercial`.
        #[arg(long, value_delimiter = ',', required = true)]
        categories: Vec<String>,
    },
}

impl ReviewCommand {
    /// The item and its resolution, for the commands that resolve one.
    pub fn resolution(&self) -> anyhow::Result<Option<(i64, ReviewResolution)>> {
        Ok(match self {
            ReviewCommand::List { .. } => None,
            ReviewCommand::Keep {
                id,
                reason,
                review_after,
            } => Some((
                *id,
                ReviewResolution::Keep {
                    reason: reason.clone(),
                    review_after: *review_after,
                },
            )),
            ReviewCommand::Erase { id, reason } => Some((
                *id,
                ReviewResolution::Erase {
                    reason: reason.clone(),
                },
            )),
            ReviewCommand::Anonymise {
                id,
                reason,
                categories,
            } => Some((
                *id,
                ReviewResolution::Anonymise {
                    reason: reason.clone(),
                    categories: categories
                        .iter()
                        .map(|c| DataCategory::parse("categories", c))
                        .collect::<Result<_, _>>()?,
                },
            )),
        })
    }
}

pub fn run(app: &App, command: &RetentionCommand, out: &mut dyn Write) -> anyhow::Result<i32> {
    let c = &app.compliance;
    match command {
        RetentionCommand::Run(args) => {
            let mut options = RetentionOptions::requested(
                cli_actor(),
                args.at.unwrap_or_else(Timestamp::now),
                args.dry_run,
            );
            options.guard = app.config.retention.guard;
            let Some(rule) = &args.rule else {
                if !args.settings.is_empty() {
                    anyhow::bail!("--set needs --rule with a component file: a policy runs the installed rules with their settings; change them with `custode plugin configure`");
                }
                let leases = lease_policy(&app.plugins)?;
                let rules: Vec<_> = leases.iter().map(|l| &*l.plugin).collect();
                return print_report(&c.run_policy(&rules, &options)?, args.json, out);
            };
            let plugin = local_plugin(app, rule, PluginKind::RetentionRule, &args.settings)?;
            print_report(&c.run_retention(&plugin, &options)?, args.json, out)
        }
        RetentionCommand::Explain(args) => run_explain(app, args, out),
        RetentionCommand::Runs(RunsCommand::List { limit, json }) => {
            print_runs(&c.retention_runs(None, *limit)?, *json, out)
        }
        RetentionCommand::Runs(RunsCommand::Show {
            id,
            after,
            limit,
            json,
        }) => print_report(&c.retention_run(*id, *after, *limit)?, *json, out),
        RetentionCommand::Confirm { id, json } => {
            print_report(&c.confirm_retention_run(*id, &cli_actor())?, *json, out)
        }
        RetentionCommand::Review(command) => match command.resolution()? {
            None => {
                let ReviewCommand::List { all, json } = command else {
                    unreachable!("only `list` resolves nothing")
                };
                print_review(&c.review_items(*all, None, 1000)?, *json, out)
            }
            Some((id, resolution)) => print_review(
                &[c.resolve_review(&cli_actor(), id, &resolution)?],
                false,
                out,
            ),
        },
    }
}

fn run_line(run: &RunRecord) -> String {
    let rules: Vec<String> = run
        .rules
        .iter()
        .map(|r| format!("{}@{}", r.name, r.version))
        .collect();
    format!(
        "run {} [{}] {} ({}): {} subjects, {} kept, {} erased, {} anonymised, {} for review, {} not applied, {} pending{}",
        run.id,
        run.state.as_str(),
        rules.join(" + "),
        run.started_at.date_string(),
        run.subjects,
        run.kept,
        run.erased,
        run.anonymised,
        run.to_review,
        run.not_applied,
        run.pending,
        run.duration_ms.map(|d| format!(" ({d} ms)")).unwrap_or_default()
    )
}

/// Prints a run with its decisions (the same locally and through `--server`).
pub(crate) fn print_report(
    report: &RetentionReport,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(report)?)?;
        return Ok(0);
    }
    writeln!(out, "{}", run_line(report))?;
    if report.state == crate::service::retention::RunState::WaitingForConfirmation {
        writeln!(out, "  nothing applied: more erasures than the guard allows ([retention] guard); check the counts by rule, then `custode retention confirm {}`", report.id)?;
    }
    for r in &report.by_rule {
        writeln!(
            out,
            "  rule {}: {} erase, {} anonymise, {} review",
            r.rule, r.erase, r.anonymise, r.review
        )?;
    }
    for d in &report.decisions {
        writeln!(
            out,
            "  #{} {:?}: {} [{}] — {}",
            d.decision.decision.contact_id.0,
            d.decision.decision.action,
            d.decision.decision.reason,
            d.decision.decision.legal_reference,
            d.outcome
        )?;
    }
    if let Some(next) = report.next {
        writeln!(
            out,
            "  more: `custode retention runs show {} --after {next}`",
            report.id
        )?;
    }
    Ok(0)
}

pub(crate) fn print_runs(
    runs: &[RunRecord],
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(runs)?)?;
        return Ok(0);
    }
    for run in runs {
        writeln!(out, "{}", run_line(run))?;
    }
    Ok(0)
}

pub(crate) fn print_review(
    items: &[ReviewItem],
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(items)?)?;
        return Ok(0);
    }
    for i in items {
        writeln!(
            out,
            "item {} contact #{} [{}] {}: {} [{}]{}",
            i.id,
            i.contact_id.0,
            i.state,
            i.rules.join(" + "),
            i.reason,
            i.legal_reference,
            match (&i.resolution, i.review_after) {
                (Some(r), Some(after)) =>
                    format!(" — {r}; look again after {}", after.date_string()),
                (Some(r), None) => format!(" — {r}"),
                _ => String::new(),
            }
        )?;
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
