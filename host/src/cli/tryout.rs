//! `custode plugin try FILE`: runs a plugin on a sample, as the server would run it (the same
//! limits, chunks and checks), and prints what it produced. Nothing is written anywhere: no data
//! directory, no compiled-code cache.

use crate::config::Config;
use crate::domain::{Policy, RetentionAction, SubjectPackage, SubjectView, Timestamp};
use crate::runtime::importer::ImportSession;
use crate::runtime::retention::RetentionJob;
use crate::runtime::{Plugin, PluginKind, PluginSettings, Runtime};
use crate::service::import::{try_input, FieldPolicy, Tried};
use crate::service::retention::BATCH;
use anyhow::Context;
use clap::Args;
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct TryArgs {
    /// The component file (`.wasm`), or the name of a bundled plugin such as `csv`.
    pub file: PathBuf,
    /// An importer's input: prints the records it produces and the rows an import would refuse.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// A retention rule's input: a JSON array of subject views (docs/PLUGINS.md shows the shape).
    #[arg(long, value_name = "FILE")]
    pub subjects: Option<PathBuf>,
    /// The date a retention rule decides for (default: now), e.g. `2027-01-01`.
    #[arg(long, value_parser = super::compliance::parse_time)]
    pub at: Option<Timestamp>,
    /// An exporter's input: one subject's package as JSON (docs/PLUGINS.md shows the shape).
    #[arg(long, value_name = "FILE")]
    pub package: Option<PathBuf>,
    /// A setting for the plugin, e.g. `--set delimiter=;` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = super::import::parse_setting)]
    pub settings: Vec<(String, String)>,
    /// For an importer: what an import does with a field outside the field catalogue.
    #[arg(long, value_enum, default_value_t = FieldPolicy::Drop)]
    pub unknown_fields: FieldPolicy,
    /// Print JSON lines instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Loads the plugin with the configuration's limits and `--set`, then runs it on the input its
/// kind takes.
pub fn run(args: &TryArgs, config: &Config, out: &mut dyn Write) -> anyhow::Result<i32> {
    let plugin = load(&args.file, &args.settings, config)?;
    let kind = plugin.kind();
    let given = [
        ("--input", args.input.as_deref(), PluginKind::Importer),
        (
            "--subjects",
            args.subjects.as_deref(),
            PluginKind::RetentionRule,
        ),
        ("--package", args.package.as_deref(), PluginKind::Exporter),
    ];
    let (flag, _, _) = given
        .iter()
        .find(|(_, _, k)| *k == kind)
        .expect("every kind");
    for (other, path, k) in given {
        if path.is_some() && k != kind {
            anyhow::bail!(
                "{} is {} plugin: give its input with {flag}, not {other}",
                args.file.display(),
                kind.with_article()
            );
        }
    }
    if args.at.is_some() && kind != PluginKind::RetentionRule {
        anyhow::bail!(
            "--at is the date a retention rule decides for; this plugin is {} plugin",
            kind.with_article()
        );
    }
    let input = given
        .iter()
        .find_map(|(_, path, k)| (*k == kind).then_some(*path).flatten())
        .with_context(|| {
            format!(
                "{} is {} plugin: give it an input with {flag} FILE",
                args.file.display(),
                kind.with_article()
            )
        })?;
    match kind {
        PluginKind::Importer => {
            let policy = Policy::from_settings(&config.compliance)?;
            importer(&plugin, input, &policy, args, out)
        }
        PluginKind::RetentionRule => {
            let now = args.at.unwrap_or_else(Timestamp::now);
            retention(&plugin, input, now, args.json, out)
        }
        PluginKind::Exporter => exporter(&plugin, input, args.json, out),
    }
}

/// The plugin as the server would load it (the configured limits, the settings checked), on a
/// runtime without a code cache.
pub(crate) fn load(
    file: &Path,
    settings: &[(String, String)],
    config: &Config,
) -> anyhow::Result<Plugin> {
    let bytes = super::inspect::read_plugin(file)?;
    let runtime = Runtime::new(None)?;
    let settings = PluginSettings {
        config: settings.iter().cloned().collect(),
        limits: config.plugins.limits(),
    };
    Plugin::load(&runtime, &bytes, settings).with_context(|| format!("plugin {}", file.display()))
}

fn importer(
    plugin: &Plugin,
    input: &Path,
    policy: &Policy,
    args: &TryArgs,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    let file =
        std::fs::File::open(input).with_context(|| format!("opening {}", input.display()))?;
    let mut session = ImportSession::open(plugin)?;
    let json = args.json;
    let counts = try_input(
        &mut session,
        std::io::BufReader::new(file),
        &input.display().to_string(),
        policy,
        args.unknown_fields,
        &mut |item| match item {
            Tried::Record(r) if json => writeln!(out, "{}", json!({ "record": r })),
            Tried::Record(r) => writeln!(out, "row {}: {}", r.row, json!(r)),
            Tried::Refused(p) if json => writeln!(
                out,
                "{}",
                json!({ "refused": { "row": p.row, "column": p.column, "kind": p.kind, "reason": p.reason } })
            ),
            Tried::Refused(p) => writeln!(
                out,
                "row {}{}: REFUSED ({}): {}",
                p.row,
                p.column
                    .as_deref()
                    .map(|c| format!(", column `{c}`"))
                    .unwrap_or_default(),
                json!(p.kind).as_str().unwrap_or_default(),
                p.reason
            ),
        },
    )?;
    if json {
        writeln!(out, "{}", json!({ "summary": counts }))?;
        return Ok(0);
    }
    writeln!(
        out,
        "{}@{}: {} records, {} rows refused, from {} bytes",
        plugin.name(),
        plugin.version(),
        counts.records,
        counts.refused,
        counts.bytes
    )?;
    if !counts.fields_dropped.is_empty() {
        let fields: Vec<String> = counts
            .fields_dropped
            .iter()
            .map(|(name, n)| format!("{name} ({n})"))
            .collect();
        writeln!(
            out,
            "fields an import leaves out (not in the field catalogue): {}",
            fields.join(", ")
        )?;
    }
    Ok(0)
}

pub(crate) fn read_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &str,
) -> anyhow::Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not {what} (docs/PLUGINS.md, `custode plugin try`, shows the shape)",
            path.display()
        )
    })
}

fn retention(
    plugin: &Plugin,
    input: &Path,
    now: Timestamp,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    let views: Vec<SubjectView> = read_json(input, "a JSON array of subject views")?;
    let mut job = RetentionJob::start(plugin)?;
    let (mut decided, mut changes) = (0, 0);
    for batch in views.chunks(BATCH as usize) {
        for d in job.evaluate(now, batch)? {
            decided += 1;
            changes += usize::from(d.action != RetentionAction::Keep);
            if json {
                writeln!(out, "{}", json!({ "decision": d }))?;
                continue;
            }
            let review = d
                .review_after
                .map(|t| format!(", review after {}", t.date_string()))
                .unwrap_or_default();
            writeln!(
                out,
                "contact {}: {} — {} [{}]{review}",
                d.contact_id.0,
                json!(d.action)["action"].as_str().unwrap_or_default(),
                d.reason,
                d.legal_reference
            )?;
        }
    }
    let summary =
        json!({ "subjects": views.len(), "decisions": decided, "changes": changes, "at": now });
    if json {
        writeln!(out, "{}", json!({ "summary": summary }))?;
    } else {
        writeln!(
            out,
            "{}@{} at {}: {} subjects, {} decisions, {} other than keep (a subject without a decision is kept)",
            plugin.name(),
            plugin.version(),
            now,
            views.len(),
            decided,
            changes
        )?;
    }
    Ok(0)
}

fn exporter(plugin: &Plugin, input: &Path, json: bool, out: &mut dyn Write) -> anyhow::Result<i32> {
    let package: SubjectPackage = read_json(input, "a subject's package in JSON")?;
    let document = crate::runtime::exporter::render(plugin, &package)?;
    let text = std::str::from_utf8(&document.bytes).ok();
    if json {
        let value = json!({
            "file_name": document.file_name,
            "media_type": document.media_type,
            "bytes": document.bytes.len(),
            "text": text,
        });
        writeln!(out, "{value}")?;
        return Ok(0);
    }
    writeln!(
        out,
        "{} ({}, {} bytes)",
        document.file_name,
        document.media_type,
        document.bytes.len()
    )?;
    match text {
        Some(text) => writeln!(out, "\n{text}")?,
        None => writeln!(out, "(not UTF-8 text: not shown)")?,
    }
    Ok(0)
}
