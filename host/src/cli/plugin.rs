//! `custode plugin …`

use crate::runtime::{Inspection, Plugin, Runtime};
use anyhow::Context;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Print what a plugin says about itself (describe) and what the component imports and exports.
    Inspect {
        /// The component file (`.wasm`), or the name of a bundled plugin such as `csv`.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(command: &PluginCommand) -> anyhow::Result<()> {
    match command {
        PluginCommand::Inspect { file, json } => {
            let bytes = read_plugin(file)?;
            let runtime = Runtime::new(None)?;
            let inspection = Plugin::inspect(&runtime, &bytes)
                .with_context(|| format!("{} is not a usable plugin", file.display()))?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&inspection)?);
            } else {
                print!("{}", render(&inspection));
            }
            Ok(())
        }
    }
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
    out += "imports\n";
    for name in &i.imports {
        out += &format!("  {name}\n");
    }
    out += "exports\n";
    for name in &i.exports {
        out += &format!("  {name}\n");
    }
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
