//! Import scenarios: a generated CSV through the bundled Wasm `csv` importer into a file-backed
//! database (or a PostgreSQL one with `--store`), against the same import through a native parser,
//! against bare SQLite inserts of the same rows (SQLite only), into an empty and into a full database,
//! and the same file again (nothing written); peak memory.
//!
//! Every import runs in a child process (`custode-bench child …`) that does nothing else, so its peak
//! resident memory (VmHWM) is the import's own and each import starts from the same cold state.

use crate::data::{self, Generated};
use crate::measure::{cpu_seconds, peak_rss_kib, Measured};
use crate::pg::Pg;
use crate::report::{Report, Target};
use crate::{native, raw};
use custode::domain::{
    Actor, Email, Identity, PluginRef, Policy, Role, SourceChannel, SuppressionScope, Timestamp,
};
use custode::runtime::importer::ImportSession;
use custode::runtime::{Plugin, PluginSettings, Runtime};
use custode::service::import::{ChunkParser, ImportOptions, JobHandle};
use custode::service::Compliance;
use custode::store::ComplianceStore;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Which parser a child import uses.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub enum Parser {
    Wasm,
    Native,
}

/// One installation a scenario writes: its data directory and, on PostgreSQL, the connection
/// string of its schema (the data directory then holds only the key file).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Installation {
    pub dir: PathBuf,
    pub url: Option<String>,
}

impl Installation {
    /// A new, empty installation `name` in `dir` (and on PostgreSQL its own schema).
    fn fresh(dir: &Path, name: &str, pg: Option<&Pg>) -> anyhow::Result<Installation> {
        let path = dir.join(name);
        if path.exists() {
            std::fs::remove_dir_all(&path)?;
        }
        let url = pg.map(|pg| pg.installation(name)).transpose()?;
        Ok(Installation { dir: path, url })
    }

    pub fn open(&self) -> anyhow::Result<Arc<dyn ComplianceStore>> {
        Ok(custode::store::open_configured(
            &self.dir,
            self.url.as_deref(),
            Policy::default(),
        )?)
    }
}

/// What a child process is asked to do.
#[derive(Debug, Serialize, Deserialize)]
pub enum Job {
    Import {
        installation: Installation,
        csv: PathBuf,
        parser: Parser,
        plugin_cache: PathBuf,
    },
    /// Bare inserts of the rows the import wrote in `source` into a new database in `data_dir`.
    Raw { source: PathBuf, data_dir: PathBuf },
    /// Binary `COPY` of the rows the import wrote in the PostgreSQL schema `source` (a connection
    /// string) into the new installation `target`.
    RawPostgres {
        source: String,
        target: Installation,
    },
}

/// Runs the import scenarios in `dir` (kept afterwards when `keep` is set, for profiling by hand),
/// on PostgreSQL when `pg` is given; returns the installation the main import wrote, for the
/// scenarios that need a full one.
pub fn run(
    report: &mut Report,
    n: u64,
    repeat: usize,
    dir: &Path,
    keep: bool,
    pg: Option<&Pg>,
) -> anyhow::Result<Installation> {
    eprintln!("import: generating {n} rows");
    let csv = dir.join("contacts.csv");
    let generated = data::write_csv(&csv, n, 0, 1)?;
    let tenth = (n / 10).max(1);
    let csv_tenth = dir.join("contacts-new.csv");
    let generated_tenth = data::write_csv(&csv_tenth, tenth, n * 2, 2)?;
    let plugin_cache = dir.join("plugin-cache");
    let runtime = Runtime::new(Some(plugin_cache.clone()))?;
    let plugin = load_csv_plugin(&runtime)?;
    check_native_matches_plugin(&plugin, &csv)?;
    drop(plugin);

    // Each round runs every import once, in the same order; the reported figures are the medians of
    // the rounds' rates and ratios (ratios computed inside a round, so both sides of each ratio saw
    // the same machine): a shared 2-core machine varies by 10-20% from one minute to the next.
    let mut rounds = Vec::new();
    let mut db_wasm = None;
    for round in 1..=repeat {
        eprintln!("import: round {round} of {repeat}");
        let wasm = Installation::fresh(dir, "wasm", pg)?;
        rounds.push(import_round(
            dir,
            pg,
            &wasm,
            &csv,
            &csv_tenth,
            &generated,
            &generated_tenth,
            &plugin_cache,
            keep && round == repeat,
        )?);
        db_wasm = Some(wasm);
    }
    let db_wasm = db_wasm.expect("at least one round");
    let median = |f: &dyn Fn(&Round) -> f64| {
        let mut values: Vec<f64> = rounds.iter().map(f).collect();
        values.sort_by(|a, b| a.total_cmp(b));
        values[values.len() / 2]
    };
    // The round whose Wasm import was the median one, for the notes.
    let typical = {
        let rate = median(&|r| r.wasm.rate());
        rounds
            .iter()
            .find(|r| r.wasm.rate() == rate)
            .expect("the median is one of the rounds")
    };
    let (wasm, native, into_full, into_empty) = (
        &typical.wasm,
        &typical.native,
        &typical.into_full,
        &typical.into_empty,
    );
    let peak_rss_kib = rounds
        .iter()
        .map(|r| r.wasm.peak_rss_kib)
        .max()
        .unwrap_or(0);

    report.add(
        "import_contacts_per_s",
        "CSV → Wasm `csv` importer → dedup, suppression, provenance, consent events → committed (rows/s, wall clock)",
        median(&|r| r.wasm.rate()),
        "rows/s",
        // PostgreSQL's target is its own: a server over a socket, not a library in the process.
        Target::AtLeast(if pg.is_some() { 50_000.0 } else { 200_000.0 }),
    );
    report.add(
        "import_vs_native",
        "that rate ÷ the same import through a native parser feeding the same service code",
        median(&|r| r.wasm.rate() / r.native.rate()),
        "ratio",
        Target::AtLeast(0.8),
    );
    let (raw_key, raw_what) = if pg.is_none() {
        (
            "import_vs_raw_sqlite",
            "that rate ÷ bare prepared-statement inserts of the same rows in one transaction",
        )
    } else {
        (
            "import_vs_raw_postgres",
            "that rate ÷ bare binary COPY of the same rows into the same schema in one transaction",
        )
    };
    report.add(
        raw_key,
        raw_what,
        // Both wrote the same rows for the same file: the ratio of rates is the inverse ratio of
        // times.
        median(&|r| r.raw.wall_s / r.wasm.wall_s),
        "ratio",
        Target::AtLeast(0.5),
    );
    report.add(
        "import_flatness",
        "rate of N/10 new rows into the database holding N ÷ into an empty one",
        median(&|r| r.into_full.rate() / r.into_empty.rate()),
        "ratio",
        Target::AtLeast(0.8),
    );
    report.add(
        "reimport_rows_per_s",
        "the N/10 file imported a second time into the full database: every row recognised, nothing written",
        median(&|r| r.again.rate()),
        "rows/s",
        Target::None,
    );
    report.add(
        "import_peak_rss_mb",
        "peak resident memory of the process running the import (VmHWM)",
        peak_rss_kib as f64 / 1024.0,
        "MB",
        Target::AtMost(300.0),
    );
    let r = wasm.report.as_ref().expect("an import report");
    report.note(format!(
        "import of {n} rows ({} MB): {} created, {} merged, {} unchanged, {} suppressed, {} rejected; fields dropped for minimisation: {:?}",
        r.file_bytes / 1_000_000,
        r.created,
        r.merged,
        r.unchanged,
        r.suppressed,
        r.rejected,
        r.fields_dropped
    ));
    let raw = &typical.raw;
    let raw = format!(
        ", bare {} {:.2} / {:.2} ({} contacts: {:.0}/s)",
        if pg.is_some() { "COPY" } else { "SQLite" },
        raw.wall_s,
        raw.cpu_s,
        raw.records,
        raw.rate()
    );
    report.note(format!(
        "{repeat} rounds, medians reported; wall / CPU seconds of the median round (CPU of all threads of the bench's process; {}): Wasm {:.2} / {:.2}, native {:.2} / {:.2}{raw}, N/10 into full {:.2} / {:.2}, into empty {:.2} / {:.2}",
        if pg.is_some() { "the PostgreSQL server's CPU is not in it" } else { "the database is in the process" },
        wasm.wall_s, wasm.cpu_s, native.wall_s, native.cpu_s,
        into_full.wall_s, into_full.cpu_s, into_empty.wall_s, into_empty.cpu_s
    ));

    Ok(db_wasm)
}

/// One run of every import scenario.
struct Round {
    wasm: Measured,
    native: Measured,
    /// The same rows written bare (`raw.rs`).
    raw: Measured,
    into_full: Measured,
    into_empty: Measured,
    again: Measured,
}

/// Every import once, each from a fresh installation. `db_wasm` (new and empty) ends holding the N
/// rows and the N/10 new ones, for the scenarios that run on the imported database.
#[allow(clippy::too_many_arguments)]
fn import_round(
    dir: &Path,
    pg: Option<&Pg>,
    db_wasm: &Installation,
    csv: &Path,
    csv_tenth: &Path,
    generated: &Generated,
    generated_tenth: &Generated,
    plugin_cache: &Path,
    keep_copy: bool,
) -> anyhow::Result<Round> {
    let n = generated.rows;
    let tenth = generated_tenth.rows;
    for d in ["raw", "prepared"] {
        let path = dir.join(d);
        if path.exists() {
            std::fs::remove_dir_all(&path)?;
        }
    }
    let import = |installation: &Installation, csv: &Path, parser: Parser| {
        child(&Job::Import {
            installation: installation.clone(),
            csv: csv.to_path_buf(),
            parser,
            plugin_cache: plugin_cache.to_path_buf(),
        })
    };
    // The main import: Wasm plugin into an empty database holding only the suppression list.
    prepare(db_wasm, generated)?;
    if keep_copy && pg.is_none() {
        // A copy to run the import again by hand (profiling).
        copy_dir(&db_wasm.dir, &dir.join("prepared"))?;
    }
    eprintln!("import: {n} rows through the Wasm csv importer");
    let wasm = import(db_wasm, csv, Parser::Wasm)?;
    check_counts(&wasm, generated)?;

    let db_native = Installation::fresh(dir, "native", pg)?;
    prepare(&db_native, generated)?;
    eprintln!("import: {n} rows through the native parser");
    let native = import(&db_native, csv, Parser::Native)?;
    let same = |m: &Measured| {
        m.report
            .as_ref()
            .map(|r| (r.created, r.merged, r.unchanged, r.suppressed))
    };
    anyhow::ensure!(
        same(&wasm) == same(&native),
        "the native and Wasm imports disagree: {:?} vs {:?}",
        same(&wasm),
        same(&native)
    );
    if !keep_copy {
        discard(&db_native, pg)?;
    }

    // The storage ceiling: the same rows written the fastest bare way the database has.
    let raw = match (pg, &db_wasm.url) {
        (Some(pg), Some(source)) => {
            eprintln!("import: the same rows by bare binary COPY");
            let target = Installation::fresh(dir, "raw", Some(pg))?;
            let raw = child(&Job::RawPostgres {
                source: source.clone(),
                target: target.clone(),
            })?;
            if !keep_copy {
                discard(&target, Some(pg))?;
            }
            raw
        }
        _ => {
            eprintln!("import: the same rows with bare prepared statements");
            let raw = child(&Job::Raw {
                source: db_wasm.dir.clone(),
                data_dir: dir.join("raw"),
            })?;
            if !keep_copy {
                std::fs::remove_dir_all(dir.join("raw"))?;
            }
            raw
        }
    };

    eprintln!("import: {tenth} new rows into the full database and into an empty one");
    prepare(db_wasm, generated_tenth)?;
    let into_full = import(db_wasm, csv_tenth, Parser::Wasm)?;
    check_counts(&into_full, generated_tenth)?;
    // The same file again: every record is recognised as imported before, nothing is written.
    let again = import(db_wasm, csv_tenth, Parser::Wasm)?;
    let r = again.report.as_ref().expect("an import report");
    anyhow::ensure!(
        r.already_imported && r.created + r.merged == 0,
        "the second import of the same file changed something: {r:?}"
    );
    let db_small = Installation::fresh(dir, "small", pg)?;
    prepare(&db_small, generated_tenth)?;
    let into_empty = import(&db_small, csv_tenth, Parser::Wasm)?;
    if !keep_copy {
        discard(&db_small, pg)?;
    }
    Ok(Round {
        wasm,
        native,
        raw,
        into_full,
        into_empty,
        again,
    })
}

/// Removes an installation no later scenario reads (its PostgreSQL schema emptied and dropped).
fn discard(installation: &Installation, pg: Option<&Pg>) -> anyhow::Result<()> {
    std::fs::remove_dir_all(&installation.dir)?;
    if let Some(pg) = pg {
        let name = installation
            .dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        pg.drop_installation(name)?;
    }
    Ok(())
}

/// Loads the bundled `csv` importer (compiling it into the code cache on first use).
fn load_csv_plugin(runtime: &Arc<Runtime>) -> anyhow::Result<Plugin> {
    let bytes = custode::bundled::get("csv")
        .expect("the csv importer is bundled")
        .bytes;
    Ok(Plugin::load(runtime, bytes, PluginSettings::default())?)
}

/// Creates the installation and puts the generated file's suppressed people on its list.
fn prepare(installation: &Installation, generated: &Generated) -> anyhow::Result<()> {
    let store = installation.open()?;
    let actor = Actor::new("bench", Role::Dpo);
    for e in &generated.suppressed_emails {
        store.suppress(
            &actor,
            &Identity::Email(Email::parse(e)?),
            "asked never to be contacted again",
            &SuppressionScope::All,
            Timestamp(1_700_000_000),
        )?;
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        std::fs::copy(entry.path(), to.join(entry.file_name()))?;
    }
    Ok(())
}

/// The import must have done what the file asks: every row read, none rejected, suppressed people
/// skipped.
fn check_counts(m: &Measured, g: &Generated) -> anyhow::Result<()> {
    let r = m.report.as_ref().expect("an import report");
    anyhow::ensure!(r.records_read == g.rows, "rows read: {r:?}");
    anyhow::ensure!(r.rejected == 0, "rows rejected: {r:?}");
    anyhow::ensure!(
        r.suppressed as usize >= g.suppressed_emails.len(),
        "suppressed: {r:?}"
    );
    anyhow::ensure!(
        r.created + r.merged + r.unchanged + r.suppressed == g.rows,
        "outcomes: {r:?}"
    );
    Ok(())
}

/// The native parser must return what the plugin returns, or the ratio would compare different work.
fn check_native_matches_plugin(plugin: &Plugin, csv: &Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(csv)?;
    let chunk = &bytes[..bytes.len().min(custode::runtime::importer::CHUNK_SIZE)];
    let mut session = ImportSession::open(plugin)?;
    let from_plugin = session.push(chunk)?;
    let mut parser = native::NativeCsv::new();
    let from_native = parser.push(chunk)?;
    anyhow::ensure!(
        !from_plugin.records.is_empty() && from_plugin.rejected.is_empty(),
        "the plugin read nothing from the generated file: {:?}",
        from_plugin.rejected.first()
    );
    for (a, b) in from_plugin.records.iter().zip(&from_native.records) {
        anyhow::ensure!(
            a == b,
            "the native parser differs from the plugin:\n{a:?}\n{b:?}"
        );
    }
    anyhow::ensure!(from_plugin.records.len() == from_native.records.len());
    Ok(())
}

/// Runs `job` in a child process of this program and reads what it measured.
fn child(job: &Job) -> anyhow::Result<Measured> {
    let exe = std::env::current_exe()?;
    let out = std::process::Command::new(exe)
        .arg("--child")
        .arg(serde_json::to_string(job)?)
        .stderr(std::process::Stdio::inherit())
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "the child process failed ({}) for {job:?}",
        out.status
    );
    let measured: Measured = serde_json::from_slice(&out.stdout)?;
    eprintln!(
        "  {} records in {:.2} s wall, {:.2} s CPU: {:.0}/s, peak RSS {} MB",
        measured.records,
        measured.wall_s,
        measured.cpu_s,
        measured.rate(),
        measured.peak_rss_kib / 1024
    );
    Ok(measured)
}

/// The child process: does the one job and prints what it measured as JSON.
pub fn run_child(job: &str) -> anyhow::Result<()> {
    let job: Job = serde_json::from_str(job)?;
    let measured = match job {
        Job::Import {
            installation,
            csv,
            parser,
            plugin_cache,
        } => child_import(&installation, &csv, parser, &plugin_cache)?,
        Job::Raw { source, data_dir } => raw::run(&source, &data_dir)?,
        Job::RawPostgres { source, target } => raw::run_postgres(&source, &target)?,
    };
    println!("{}", serde_json::to_string(&measured)?);
    Ok(())
}

fn child_import(
    installation: &Installation,
    csv: &Path,
    parser: Parser,
    plugin_cache: &Path,
) -> anyhow::Result<Measured> {
    let compliance = Compliance::new(installation.open()?);
    let runtime = Runtime::new(Some(plugin_cache.to_path_buf()))?;
    let plugin = load_csv_plugin(&runtime)?;
    let options = ImportOptions {
        source_label: "Fiera Milano 2026".into(),
        channel: SourceChannel::Fair,
        on_error: Default::default(),
        unknown_fields: Default::default(),
        actor: Actor::new("bench", Role::Operator),
        collected_at: Timestamp(1_767_225_600),
    };
    let job = JobHandle::default();
    let cpu = cpu_seconds();
    let started = Instant::now();
    let report = match parser {
        Parser::Wasm => compliance.import_file(&plugin, csv, &options, &job)?,
        Parser::Native => {
            let parser = PluginRef {
                name: "native-csv".into(),
                version: "bench".into(),
                digest: "0".repeat(64),
            };
            let open =
                || -> Result<Box<dyn ChunkParser>, _> { Ok(Box::new(native::NativeCsv::new())) };
            compliance.import_parsed(&parser, &open, csv, &options, &job)?
        }
    };
    let wall_s = started.elapsed().as_secs_f64();
    Ok(Measured {
        records: report.records_read,
        wall_s,
        cpu_s: cpu_seconds() - cpu,
        peak_rss_kib: peak_rss_kib(),
        report: Some(report),
    })
}
