//! `custode plugin …`: inspect a component file, and manage the installed plugins (locally, or on a
//! running server with `--server`).

use crate::app::App;
use crate::config::Config;
use crate::runtime::Limits;
use crate::service::plugins::{Installed, PluginInfo, SettingsChange};
use anyhow::Context;
use clap::Subcommand;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Print what a plugin says about itself (describe) and what the component imports and exports.
    Inspect {
        /// The component file (`.wasm`), or the name of a bundled (locally) or installed (with
        /// `--server`) plugin such as `csv`.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List the installed plugins.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Install a component (disabled until enabled); with `--replace NAME`, replace the installed
    /// plugin of that name (its settings and state are kept).
    Install {
        file: PathBuf,
        /// The installed plugin the component replaces: required when one of its name is installed.
        #[arg(long, value_name = "NAME")]
        replace: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Enable an installed plugin (its settings are checked first).
    Enable { name: String },
    /// Disable a plugin: new jobs cannot use it; running ones finish.
    Disable { name: String },
    /// Delete a disabled plugin that no job is using.
    Delete { name: String },
    /// Change a plugin's settings; the plugin is loaded with them to check them.
    /// Run a plugin on a sample, as the server would, and print what it produced: an importer's
    /// records and refused rows (`--input`), a retention rule's decisions (`--subjects`, `--at`),
    /// an exporter's document (`--package`). Nothing is written anywhere.
    Try(super::tryout::TryArgs),
    /// The conformance kit: run the contract's checks on a plugin (chunk boundaries, an empty
    /// input, `describe()`, decisions only about the batch, a plain document name) and print each
    /// with what to fix. Exits 1 if any fails.
    Check(super::check::CheckArgs),
    /// Create a new plugin project from a template (Rust, JavaScript or Python), outside this
    /// installation: the source, a unit test, a sample input and a README with the commands to
    /// build, try, check and install it.
    New(super::scaffold::NewArgs),
    Configure {
        name: String,
        /// A setting, e.g. `--set delimiter=;` (repeatable). Replaces the whole configuration.
        #[arg(long = "set", value_name = "KEY=VALUE", value_parser = super::import::parse_setting)]
        settings: Vec<(String, String)>,
        /// Wall-clock time one plugin call may take.
        #[arg(long)]
        deadline_ms: Option<u64>,
        /// Linear memory the plugin may use.
        #[arg(long)]
        memory_bytes: Option<usize>,
    },
}

/// Runs a plugin command against the local installation, opened only when the command needs it.
/// `config` gives the configuration alone, for the commands that only read it (`try`).
pub fn run(
    command: &PluginCommand,
    open: impl FnOnce() -> anyhow::Result<App>,
    config: impl FnOnce() -> anyhow::Result<Config>,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    let actor = super::compliance::cli_actor();
    match command {
        PluginCommand::Inspect { file, json } => super::inspect::inspect(file, *json, out),
        PluginCommand::Try(args) => super::tryout::run(args, &config()?, out),
        PluginCommand::Check(args) => super::check::run(args, &config()?, out),
        PluginCommand::New(args) => super::scaffold::run(args, out),
        PluginCommand::List { json } => print_list(&open()?.plugins.list(), *json, out),
        PluginCommand::Install {
            file,
            replace,
            json,
        } => {
            let bytes =
                std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
            let installed = open()?
                .plugins
                .install(&actor, &bytes, replace.as_deref())?;
            print_installed(&installed, *json, out)
        }
        PluginCommand::Enable { name } => {
            print_one(&open()?.plugins.set_enabled(&actor, name, true)?, out)
        }
        PluginCommand::Disable { name } => {
            print_one(&open()?.plugins.set_enabled(&actor, name, false)?, out)
        }
        PluginCommand::Delete { name } => {
            open()?.plugins.delete(&actor, name)?;
            print_deleted(name, out)
        }
        PluginCommand::Configure { name, .. } => {
            let app = open()?;
            let current = app.plugins.info(name)?.settings.limits;
            print_one(
                &app.plugins
                    .configure(&actor, name, &settings_change(command, current))?,
                out,
            )
        }
    }
}

/// The settings change a `configure` command asks for, given the plugin's current limits.
pub(crate) fn settings_change(command: &PluginCommand, current: Limits) -> SettingsChange {
    let PluginCommand::Configure {
        settings,
        deadline_ms,
        memory_bytes,
        ..
    } = command
    else {
        return SettingsChange::default();
    };
    let limits = (deadline_ms.is_some() || memory_bytes.is_some()).then(|| Limits {
        deadline: deadline_ms.map_or(current.deadline, Duration::from_millis),
        memory_bytes: memory_bytes.unwrap_or(current.memory_bytes),
    });
    SettingsChange {
        limits,
        config: (!settings.is_empty()).then(|| settings.iter().cloned().collect()),
    }
}

fn line(p: &PluginInfo) -> String {
    let state = match (&p.load_error, p.enabled) {
        (Some(_), _) => "enabled, NOT LOADED",
        (None, true) => "enabled",
        (None, false) => "disabled",
    };
    let config: Vec<String> = p
        .settings
        .config
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    format!(
        "{:<22} {:<8} {:<15} {:<20} {}  sha256:{}{}",
        p.name,
        p.version,
        p.kind,
        state,
        if p.bundled { "bundled " } else { "uploaded" },
        &p.digest[..12.min(p.digest.len())],
        if config.is_empty() {
            String::new()
        } else {
            format!("  {}", config.join(" "))
        }
    )
}

pub(crate) fn print_list(
    list: &[PluginInfo],
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(list)?)?;
    } else {
        for p in list {
            writeln!(out, "{}", line(p))?;
        }
    }
    Ok(0)
}

pub(crate) fn print_one(p: &PluginInfo, out: &mut dyn Write) -> anyhow::Result<i32> {
    writeln!(out, "{}", line(p))?;
    if let Some(e) = &p.load_error {
        writeln!(out, "  does not load: {e}")?;
    }
    Ok(0)
}

pub(crate) fn print_installed(
    i: &Installed,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(i)?)?;
        return Ok(0);
    }
    writeln!(out, "{}: {}", i.outcome, line(&i.plugin))?;
    if !i.plugin.enabled {
        writeln!(
            out,
            "enable it with `custode plugin enable {}`",
            i.plugin.name
        )?;
    }
    Ok(0)
}

pub(crate) fn print_deleted(name: &str, out: &mut dyn Write) -> anyhow::Result<i32> {
    writeln!(out, "deleted plugin `{name}`")?;
    Ok(0)
}
