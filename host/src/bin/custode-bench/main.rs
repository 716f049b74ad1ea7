//! `custode-bench`: Custode's benchmark program (see docs/BENCHMARKS.md; results in BENCHMARKS.md).
//!
//! Generates its own data, runs every scenario on a file-backed database in one run, prints a table,
//! and with `--json` one JSON object keyed by scenario. Timings are compared as ratios inside one run,
//! because absolute times drift on shared machines.

mod data;
mod import;
mod imported;
mod languages;
mod measure;
mod native;
mod pg;
mod plugins;
mod policy;
mod raw;
mod report;
mod requests;
mod retention;
mod retention_apply;

use clap::Parser;

/// The allocator of the `custode` binary, so the numbers are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use custode::runtime::Runtime;
use custode::service::Compliance;
use import::Installation;
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
    /// How many times to run each import scenario; the medians are reported (at least 1).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=99))]
    repeat: u64,
    /// Run only these scenario groups (comma-separated: import, plugins, languages); all when absent. The
    /// retention and request scenarios run on the database the import wrote, with the import.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Keep the generated files and databases in this directory (for profiling a child job by hand)
    /// instead of a temporary one.
    #[arg(long)]
    work_dir: Option<std::path::PathBuf>,
    /// Where the JavaScript and Python importers are (`lines-js.wasm`, `lines-py.wasm`; e.g.
    /// plugins/dist after `sdk/build-examples.sh`), for the languages group; a `lines.wasm` there
    /// replaces the bundled Rust one. Languages without a component are reported as missing.
    #[arg(long)]
    plugins_dir: Option<std::path::PathBuf>,
    /// How many lines the languages group imports through each language's importer.
    #[arg(long, default_value_t = 100_000)]
    lang_rows: usize,
    /// Run every scenario on this PostgreSQL database instead of SQLite files
    /// (`postgres://user:password@host:port/database`). It must be an empty database of its own
    /// (create one with `createdb custode_bench_1`): the bench refuses a database that holds
    /// anything, writes each installation into a schema of its own, and drops them at the end
    /// (kept with --work-dir). The storage ceiling there is bare binary COPY of the same rows.
    #[arg(long, env = "CUSTODE_STORE_URL", hide_env_values = true)]
    store: Option<String>,
    /// Internal: one measured job in a child process (an import alone, for its peak memory).
    #[arg(long, hide = true)]
    child: Option<String>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(job) = &args.child {
        return import::run_child(job);
    }
    let wanted = |group: &str| args.only.is_empty() || args.only.iter().any(|g| g == group);
    // BENCHMARKS.md holds the SQLite figures the targets are judged by: a PostgreSQL run goes elsewhere.
    let onto_sqlite_figures = args
        .markdown
        .as_deref()
        .and_then(|p| p.file_name())
        .is_some_and(|n| n == "BENCHMARKS.md");
    anyhow::ensure!(
        args.store.is_none() || !onto_sqlite_figures,
        "--markdown BENCHMARKS.md with --store would replace the SQLite figures: write the PostgreSQL run to another file (e.g. --markdown BENCHMARKS-postgres.md)"
    );
    let pg = args.store.as_deref().map(pg::Pg::open_empty).transpose()?;
    let mut report = Report::new(
        args.contacts,
        if pg.is_some() { "PostgreSQL" } else { "SQLite" },
    );
    if wanted("import") {
        let temp = tempfile::Builder::new()
            .prefix("custode-bench-")
            .tempdir()?;
        let dir = match args.work_dir.as_deref() {
            Some(d) => {
                if d.exists() {
                    std::fs::remove_dir_all(d)?;
                }
                std::fs::create_dir_all(d)?;
                d
            }
            None => temp.path(),
        };
        let keep = args.work_dir.is_some();
        let imported = import::run(
            &mut report,
            args.contacts as u64,
            args.repeat as usize,
            dir,
            keep,
            pg.as_ref(),
        )?;
        imported::run(&mut report, &imported)?;
        on_imported_database(&mut report, &imported)?;
        if let (Some(pg), false) = (&pg, keep) {
            pg.drop_all()?;
        }
    }
    if wanted("plugins") {
        plugins::run(&mut report)?;
    }
    if wanted("languages") {
        languages::run(&mut report, args.plugins_dir.as_deref(), args.lang_rows)?;
    }
    if args.json {
        // The table (with its notes, which the JSON leaves out) goes to the log.
        eprint!("{}", report.table());
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

/// The scenarios that need a full database run on the one the main import wrote: retention, then
/// access packages and erasures (which erase some contacts, so they come last).
fn on_imported_database(report: &mut Report, imported: &Installation) -> anyhow::Result<()> {
    let compliance = Compliance::new(imported.open()?);
    let cache = tempfile::tempdir()?;
    let runtime = Runtime::new(Some(cache.path().to_path_buf()))?;
    retention::run(report, &compliance, &runtime)?;
    policy::run(report, &compliance, &runtime)?;
    let mut ids = Vec::new();
    let mut after = None;
    while ids.len() < 100_000 {
        let views = compliance.subject_views(after, custode::service::retention::BATCH)?;
        let Some(last) = views.last() else { break };
        after = Some(last.contact_id);
        ids.extend(views.iter().map(|v| v.contact_id));
    }
    // Random subjects, not the first ones: spread over the whole database.
    let mut rng = data::Rng::new(11);
    for i in (1..ids.len()).rev() {
        ids.swap(i, rng.below(i as u64 + 1) as usize);
    }
    requests::run(report, &compliance, &runtime, &ids)?;
    // Last: it erases the tail of `ids`, which the requests above leave alone.
    retention_apply::run(report, &compliance, &ids)
}
