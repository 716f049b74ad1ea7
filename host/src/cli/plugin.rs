//! `custode plugin …`: inspect a component file, and manage the installed plugins (locally, or on a
//! running server with `--server`).

use crate::app::App;
use crate::runtime::validate::Surface;
use crate::runtime::{Inspection, Limits, Plugin, Runtime};
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
    /// Install a component (disabled until enabled), or upgrade the installed plugin of its name.
    Install {
        file: PathBuf,
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
pub fn run(
    command: &PluginCommand,
    open: impl FnOnce() -> anyhow::Result<App>,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    let actor = super::compliance::cli_actor();
    match command {
        PluginCommand::Inspect { file, json } => inspect(file, *json, out),
        PluginCommand::List { json } => print_list(&open()?.plugins.list(), *json, out),
        PluginCommand::Install { file, json } => {
            let bytes =
                std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
            print_installed(&open()?.plugins.install(&actor, &bytes)?, *json, out)
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

/// `custode plugin inspect FILE`: what the plugin says and what it imports and exports; for a
/// component Custode refuses, what can be read of it (world, imports, exports), then the reason.
fn inspect(file: &PathBuf, json: bool, out: &mut dyn Write) -> anyhow::Result<i32> {
    let bytes = read_plugin(file)?;
    let runtime = Runtime::new(None)?;
    let refused = match Plugin::inspect(&runtime, &bytes) {
        Ok(inspection) => return print_inspection(&inspection, json, out),
        Err(reason) => reason,
    };
    // Only a component that does not even compile shows nothing but the reason.
    if let Ok(surface) = Plugin::surface(&runtime, &bytes) {
        print_refused(&surface, &bytes, &refused, json, out)?;
    }
    Err(refused.context(format!("{} is not a usable plugin", file.display())))
}

fn print_refused(
    surface: &Surface,
    bytes: &[u8],
    reason: &anyhow::Error,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let digest = crate::runtime::cache::digest(bytes);
    let world = surface.world().ok();
    if json {
        let value = serde_json::json!({
            "refused": format!("{reason:#}"),
            "digest": digest,
            "size_bytes": bytes.len(),
            "kind": world.as_ref().map(|(kind, _)| kind),
            "api_version": world.as_ref().map(|(_, version)| version),
            "imports": surface.imports,
            "exports": surface.exports,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        return Ok(());
    }
    let mut text = String::from("plugin    REFUSED (the reason follows)\n");
    text += &format!("digest    sha256:{digest}\n");
    text += &format!("size      {}\n", crate::runtime::format_bytes(bytes.len()));
    text += &match &world {
        Some((kind, version)) => format!("world     {kind} (custode:plugin@{version})\n"),
        None => "world     (none that Custode runs)\n".to_string(),
    };
    text += &interfaces(&surface.imports, &surface.exports);
    write!(out, "{text}")?;
    Ok(())
}

/// The `imports` and `exports` sections of `inspect`.
fn interfaces(imports: &[String], exports: &[String]) -> String {
    let mut out = String::new();
    for (title, names) in [("imports", imports), ("exports", exports)] {
        out += title;
        out += if names.is_empty() {
            "   (none)\n"
        } else {
            "\n"
        };
        for name in names {
            out += &format!("  {name}\n");
        }
    }
    out
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

pub(crate) fn print_inspection(
    i: &Inspection,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(i)?)?;
    } else {
        write!(out, "{}", render(i))?;
    }
    Ok(0)
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

/// Reads a plugin file, or a bundled plugin when `file` is a bare name that is not a file.
pub(crate) fn read_plugin(file: &PathBuf) -> anyhow::Result<Vec<u8>> {
    if !file.exists() {
        if let Some(bundled) = file.to_str().and_then(crate::bundled::get) {
            return Ok(bundled.bytes.to_vec());
        }
        let names: Vec<&str> = crate::bundled::BUNDLED.iter().map(|p| p.file).collect();
        anyhow::bail!(
            "{} does not exist, and no bundled plugin has that name (bundled: {})",
            file.display(),
            names.join(", ")
        );
    }
    std::fs::read(file).with_context(|| format!("reading {}", file.display()))
}

fn render(i: &Inspection) -> String {
    let mut out = String::new();
    out += &format!("plugin    {} {} ({})\n", i.name, i.version, i.kind);
    out += &format!("summary   {}\n", i.summary);
    out += &format!("digest    sha256:{}\n", i.digest);
    out += &format!("size      {}\n", crate::runtime::format_bytes(i.size_bytes));
    out += &format!("api       custode:plugin@{}\n", i.api_version);
    if i.config_keys.is_empty() {
        out += "settings  (none)\n";
    } else {
        out += "settings\n";
        for k in &i.config_keys {
            let mut notes = Vec::new();
            if k.required {
                notes.push("required".to_string());
            }
            if let Some(d) = &k.default_value {
                notes.push(format!("default: {d}"));
            }
            let notes = if notes.is_empty() {
                String::new()
            } else {
                format!(" [{}]", notes.join(", "))
            };
            out += &format!("  {}{notes}\n      {}\n", k.name, k.doc);
        }
    }
    out += &interfaces(&i.imports, &i.exports);
    out += &format!(
        "sandbox   {}\n",
        if i.uses_wasi {
            "imports WASI: given an empty WASI context (no files, env, network; frozen clock)"
        } else {
            "no WASI imports"
        }
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_plugin(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../plugins/dist/testing/{name}.wasm"))
    }

    fn run_inspect(file: &PathBuf, json: bool) -> (String, anyhow::Result<i32>) {
        let mut out = Vec::new();
        let result = inspect(file, json, &mut out);
        (String::from_utf8(out).unwrap(), result)
    }

    #[test]
    fn inspect_lists_the_wasi_imports_of_a_wasi_component() {
        let (text, result) = run_inspect(&test_plugin("wasi-stdout"), false);
        assert_eq!(result.unwrap(), 0, "{text}");
        assert!(
            text.contains("plugin    wasi-stdout 0.1.0 (importer)"),
            "{text}"
        );
        let imports = text
            .split("imports\n")
            .nth(1)
            .unwrap()
            .split("exports")
            .next()
            .unwrap();
        for wasi in [
            "wasi:cli/stdout@0.2.12",
            "wasi:cli/stderr@0.2.12",
            "wasi:cli/environment@0.2.12",
            "wasi:filesystem/preopens@0.2.12",
        ] {
            assert!(
                imports.contains(&format!("  {wasi}\n")),
                "{wasi} listed: {imports}"
            );
        }
        assert!(text.contains("  custode:plugin/source@0.1.0\n"), "{text}");
        assert!(
            text.contains("imports WASI: given an empty WASI context"),
            "{text}"
        );
    }

    #[test]
    fn inspect_shows_what_a_refused_component_imports_then_why_it_is_refused() {
        let file = test_plugin("unknown-import");
        let (text, result) = run_inspect(&file, false);
        let reason = format!("{:#}", result.unwrap_err());
        assert!(text.starts_with("plugin    REFUSED"), "{text}");
        assert!(
            text.contains("world     importer (custode:plugin@0.1.0)"),
            "{text}"
        );
        assert!(
            text.contains("imports\n  custode:plugin/types@0.1.0\n"),
            "{text}"
        );
        assert!(
            text.contains("  evil:net/socket@0.1.0\n"),
            "the import it is refused for: {text}"
        );
        assert!(
            text.contains("exports\n") && text.contains("  custode:plugin/source@0.1.0\n"),
            "{text}"
        );
        assert!(
            reason.contains("unknown-import.wasm is not a usable plugin"),
            "{reason}"
        );
        assert!(
            reason.contains("`evil:net/socket@0.1.0`, which Custode does not provide"),
            "{reason}"
        );

        let (json, result) = run_inspect(&file, true);
        assert!(result.is_err());
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["kind"], "importer");
        assert!(
            value["imports"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i == "evil:net/socket@0.1.0"),
            "{json}"
        );
        assert!(
            value["refused"]
                .as_str()
                .unwrap()
                .contains("evil:net/socket"),
            "{json}"
        );
    }
}
