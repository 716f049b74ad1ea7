//! `custode retention run|runs|confirm|review`: retention runs, their record, the confirmation of a
//! run the guard held, and the review queue. Printed by the same functions locally and through
//! `--server`.

use std::io::Write;

use clap::{Args, Subcommand};

use super::compliance::{cli_actor, parse_time};
use super::import::local_plugin;
use crate::app::App;
use crate::domain::{DataCategory, Timestamp};
use crate::runtime::PluginKind;
use crate::service::retention::{
    RetentionOptions, RetentionReport, ReviewItem, ReviewResolution, RunRecord,
};

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Run a retention rule over every subject and apply its decisions (Art. 5(1)(e)).
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
}

#[derive(Debug, Args)]
pub struct RetentionRunArgs {
    /// The rule: the name of an installed, enabled retention plugin (`legitimate-interest`), run with
    /// its installed settings as the server runs it; or a component file.
    #[arg(long)]
    pub rule: String,
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
            let plugin = local_plugin(app, &args.rule, PluginKind::RetentionRule, &args.settings)?;
            let mut options = RetentionOptions::requested(
                cli_actor(),
                args.at.unwrap_or_else(Timestamp::now),
                args.dry_run,
            );
            options.guard = app.config.retention.guard;
            print_report(&c.run_retention(&plugin, &options)?, args.json, out)
        }
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
