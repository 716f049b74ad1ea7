//! `custode plugin check FILE`: the conformance kit. Runs the contract's checks for the plugin's
//! world and prints each one passed or failed, with what to fix; exits 1 if any failed. Nothing is
//! written anywhere.

use crate::config::Config;
use crate::domain::Timestamp;
use crate::runtime::conformance::{self, Outcome, Samples};
use anyhow::Context;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The component file (`.wasm`), or the name of a bundled plugin such as `csv`.
    pub file: PathBuf,
    /// An importer's sample input, at most 1 MiB (default: a small CSV file). Give a few rows in the
    /// plugin's format, with a multi-byte character and a quoted or multi-line value if it has any.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// A retention rule's subjects, a JSON array of subject views (default: two subjects).
    #[arg(long, value_name = "FILE")]
    pub subjects: Option<PathBuf>,
    /// The date a retention rule decides for (default: now; three years later is checked too).
    #[arg(long, value_parser = super::compliance::parse_time)]
    pub at: Option<Timestamp>,
    /// An exporter's package, one subject's package as JSON (default: a small package).
    #[arg(long, value_name = "FILE")]
    pub package: Option<PathBuf>,
    /// A setting for the plugin, e.g. `--set delimiter=;` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = super::import::parse_setting)]
    pub settings: Vec<(String, String)>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &CheckArgs, config: &Config, out: &mut dyn Write) -> anyhow::Result<i32> {
    let plugin = super::tryout::load(&args.file, &args.settings, config)?;
    let samples = Samples {
        input: args
            .input
            .as_ref()
            .map(|p| std::fs::read(p).with_context(|| format!("reading {}", p.display())))
            .transpose()?,
        subjects: args
            .subjects
            .as_deref()
            .map(|p| super::tryout::read_json(p, "a JSON array of subject views"))
            .transpose()?,
        package: args
            .package
            .as_deref()
            .map(|p| super::tryout::read_json(p, "a subject's package in JSON"))
            .transpose()?,
        at: args.at,
    };
    let checks = conformance::check(&plugin, &samples).map_err(anyhow::Error::msg)?;
    let failed = checks.iter().filter(|c| !c.passed()).count();
    if args.json {
        let report = serde_json::json!({
            "plugin": plugin.name(),
            "version": plugin.version(),
            "kind": plugin.kind(),
            "passed": failed == 0,
            "checks": checks,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        for check in &checks {
            match &check.outcome {
                Outcome::Passed(detail) => writeln!(out, "ok    {}: {detail}", check.name)?,
                Outcome::Failed(problem) => writeln!(out, "FAIL  {}: {problem}", check.name)?,
            }
        }
        writeln!(
            out,
            "{} {} ({}): {} of {} checks passed",
            plugin.name(),
            plugin.version(),
            plugin.kind(),
            checks.len() - failed,
            checks.len()
        )?;
    }
    Ok(if failed == 0 { 0 } else { 1 })
}
