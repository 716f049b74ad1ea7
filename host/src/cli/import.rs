//! `custode import`: a file through an importer plugin into the store, with a progress bar.

use crate::app::App;
use crate::domain::Timestamp;
use crate::runtime::{Plugin, PluginKind, PluginSettings};
use crate::service::import::{ImportRequest, JobHandle, Progress};
use crate::service::plugins::PluginLease;
use anyhow::Context;
use clap::Args;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub request: ImportRequest,
    /// A setting for a plugin given as a component file, e.g. `--set delimiter=;` (repeatable). An
    /// installed plugin runs with its installed settings (`custode plugin configure`).
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_setting)]
    pub settings: Vec<(String, String)>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// The file to import.
    pub file: PathBuf,
}

pub(crate) fn parse_setting(text: &str) -> Result<(String, String), String> {
    let (k, v) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not KEY=VALUE, e.g. `delimiter=;`"))?;
    Ok((k.trim().to_string(), v.to_string()))
}

pub fn run(app: &App, args: &ImportArgs, out: &mut dyn Write) -> anyhow::Result<i32> {
    if !args.file.is_file() {
        anyhow::bail!(
            "{} is not a file: give the path of the file to import",
            args.file.display()
        );
    }
    let request = &args.request;
    let plugin = local_plugin(app, &request.plugin, PluginKind::Importer, &args.settings)?;
    let options = request.options(super::compliance::cli_actor(), Timestamp::now());
    let job = JobHandle::default();
    let done = AtomicBool::new(false);
    let result = std::thread::scope(|scope| {
        if std::io::stderr().is_terminal() {
            scope.spawn(|| show_progress(job.progress(), &done));
        }
        let result = app
            .compliance
            .import_file(&plugin, &args.file, &options, &job);
        done.store(true, Ordering::Relaxed);
        result
    });
    print_report(&result?, args.json, out)
}

/// Prints an import's report (the same locally and through `--server`).
pub(crate) fn print_report(
    report: &crate::service::import::ImportReport,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(report)?)?;
    } else {
        writeln!(out, "{}", report.summary())?;
    }
    Ok(0)
}

/// The plugin a local command runs.
pub(crate) enum LocalPlugin {
    /// An installed plugin, lent by the registry exactly as the server lends it to a job: the same
    /// bytes, the same settings, refused if disabled, and not deletable while the command runs.
    Installed(PluginLease),
    /// A component file, loaded with the command line's settings.
    File(Box<Plugin>),
}

impl std::ops::Deref for LocalPlugin {
    type Target = Plugin;
    fn deref(&self) -> &Plugin {
        match self {
            LocalPlugin::Installed(lease) => &lease.plugin,
            LocalPlugin::File(plugin) => plugin.as_ref(),
        }
    }
}

/// Finds the plugin a local command names: a component file if `name_or_file` is one, else the
/// installed plugin of that name. Local and remote commands thus run the same plugin with the same
/// settings; `--set` applies only to a file, since an installed plugin's settings are the admin's.
pub(crate) fn local_plugin(
    app: &App,
    name_or_file: &str,
    kind: PluginKind,
    settings: &[(String, String)],
) -> anyhow::Result<LocalPlugin> {
    let path = std::path::Path::new(name_or_file);
    if path.is_file() {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let settings = PluginSettings {
            config: settings.iter().cloned().collect::<BTreeMap<_, _>>(),
            limits: app.config.plugins.limits(),
        };
        let plugin = Plugin::load(&app.runtime, &bytes, settings)
            .with_context(|| format!("plugin file {}", path.display()))?;
        if plugin.kind() != kind {
            anyhow::bail!(
                "{} is {} plugin, but {} plugin is needed here",
                path.display(),
                plugin.kind().with_article(),
                kind.with_article()
            );
        }
        return Ok(LocalPlugin::File(Box::new(plugin)));
    }
    if !settings.is_empty() {
        anyhow::bail!(
            "--set applies only to a plugin given as a component file: the installed plugin \
             `{name_or_file}` runs with its installed settings, as on the server; change them with \
             `custode plugin configure {name_or_file} --set KEY=VALUE`"
        );
    }
    let lease = app.plugins.lease(name_or_file, kind)?;
    Ok(LocalPlugin::Installed(lease))
}

/// A progress bar on stderr: bytes and records, rate, ETA.
fn show_progress(progress: &Progress, done: &AtomicBool) {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{bar:40}] {bytes}/{total_bytes} {msg} ({bytes_per_sec}, eta {eta})",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    let started = std::time::Instant::now();
    while !done.load(Ordering::Relaxed) {
        let (read, total, records) = progress.snapshot();
        bar.set_length(total);
        bar.set_position(read);
        let rate = records as f64 / started.elapsed().as_secs_f64().max(0.001);
        bar.set_message(format!("{records} records, {rate:.0}/s"));
        std::thread::sleep(Duration::from_millis(100));
    }
    bar.finish_and_clear();
}
