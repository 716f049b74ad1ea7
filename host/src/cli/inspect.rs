//! `custode plugin inspect FILE`: what a plugin says about itself and what the component imports
//! and exports; for a component Custode refuses, what can be read of it, then the reason.

use crate::runtime::validate::Surface;
use crate::runtime::{Inspection, LoadError, Plugin, Runtime};
use anyhow::Context;
use std::io::Write;
use std::path::Path;

/// `custode plugin inspect FILE`: what the plugin says and what it imports and exports; for a
/// component Custode refuses, what can be read of it (world, imports, exports), then the reason.
pub(crate) fn inspect(file: &Path, json: bool, out: &mut dyn Write) -> anyhow::Result<i32> {
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
    Err(anyhow::Error::new(refused).context(format!("{} is not a usable plugin", file.display())))
}

/// Reads a plugin file, or a bundled plugin when `file` is a bare name that is not a file.
pub(crate) fn read_plugin(file: &Path) -> anyhow::Result<Vec<u8>> {
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

fn print_refused(
    surface: &Surface,
    bytes: &[u8],
    reason: &LoadError,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let digest = crate::runtime::cache::digest(bytes);
    let world = surface.world().ok();
    if json {
        let value = serde_json::json!({
            "refused": reason.to_string(),
            "digest": digest,
            "size_bytes": bytes.len(),
            "kind": world.as_ref().map(|(kind, _, _)| kind),
            "api_version": world.as_ref().map(|(_, version, _)| version),
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
        Some((kind, version, _)) => format!("world     {kind} (custode:plugin@{version})\n"),
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
    use std::path::PathBuf;

    fn test_plugin(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../plugins/dist/testing/{name}.wasm"))
    }

    fn run_inspect(file: &Path, json: bool) -> (String, anyhow::Result<i32>) {
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
