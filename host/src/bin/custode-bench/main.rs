//! `custode-bench`: Custode's benchmark program (see docs/BENCHMARKS.md and BENCHMARKS.md).
//!
//! Generates its own data, runs every scenario on a file-backed database in one run, prints a table,
//! and with `--json` one JSON object keyed by scenario. Timings are compared as ratios inside one run,
//! because absolute times drift on shared machines.

mod plugins;
mod report;

use clap::Parser;
use report::Report;

#[derive(Debug, Parser)]
#[command(
    name = "custode-bench",
    about = "Measure Custode's import, rules, requests and plugin runtime"
)]
struct Args {
    /// How many contacts to generate and import.
    #[arg(long, default_value_t = 10_000)]
    contacts: usize,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
    /// Also write the table and machine description to this Markdown file (e.g. BENCHMARKS.md).
    #[arg(long)]
    markdown: Option<std::path::PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut report = Report::new(args.contacts);
    plugins::run(&mut report)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report.json())?);
    } else {
        print!("{}", report.table());
    }
    if let Some(path) = args.markdown {
        std::fs::write(&path, report.markdown())?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
