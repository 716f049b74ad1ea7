//! `custode plugin new NAME --kind KIND --lang LANG`: writes a new plugin project, buildable outside
//! this repository, with its README (build, test, try, check, install: the exact commands), a unit
//! test and a sample input for `custode plugin try`. The templates are embedded in the binary.

mod templates;
#[cfg(test)]
mod tests;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The SDK versions a project names when it is not given `--sdk` (a test checks them against the
/// SDKs' manifests).
const RUST_SDK_VERSION: &str = "0.1.0";
const JS_SDK_VERSION: &str = "0.1.0";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Importer,
    RetentionRule,
    Exporter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    Rust,
    Js,
    Python,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The plugin's name: lower-case letters, digits and dashes, starting with a letter, e.g. `erp-sync`.
    pub name: String,
    /// What the plugin is.
    #[arg(long, value_enum)]
    pub kind: Kind,
    /// The language it is written in.
    #[arg(long, value_enum)]
    pub lang: Lang,
    /// The folder to create (default: `./NAME`); it must not exist or be empty.
    #[arg(long, value_name = "PATH")]
    pub dir: Option<PathBuf>,
    /// Use the SDK from this folder (a checkout's `sdk`, `sdk/js` or `sdk/python`) instead of the
    /// package registry.
    #[arg(long, value_name = "PATH")]
    pub sdk: Option<PathBuf>,
}

impl Kind {
    fn world(self) -> &'static str {
        match self {
            Kind::Importer => "importer",
            Kind::RetentionRule => "retention-rule",
            Kind::Exporter => "exporter",
        }
    }

    /// The Rust SDK's feature for the world.
    fn feature(self) -> &'static str {
        match self {
            Kind::RetentionRule => "retention",
            other => other.world(),
        }
    }
}

pub fn run(args: &NewArgs, out: &mut dyn Write) -> anyhow::Result<i32> {
    check_name(&args.name)?;
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(&args.name));
    let sdk = args
        .sdk
        .as_deref()
        .map(|p| sdk_folder(p, args.lang))
        .transpose()?;
    let files = project(&args.name, args.kind, args.lang, sdk.as_deref());
    write_project(&dir, &files)?;
    writeln!(
        out,
        "created {} ({} {} in {}):",
        dir.display(),
        args.kind.world(),
        args.name,
        lang_name(args.lang)
    )?;
    for (path, _) in &files {
        writeln!(out, "  {path}")?;
    }
    writeln!(
        out,
        "next: cd {} and follow README.md (test, build, try, check, install)",
        dir.display()
    )?;
    Ok(0)
}

/// A plugin name the host accepts, that also names a Rust crate and an npm package.
fn check_name(name: &str) -> anyhow::Result<()> {
    crate::runtime::validate::check_name(name).map_err(|e| anyhow::anyhow!("{e}"))?;
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) || name.ends_with('-') {
        bail!(
            "plugin name `{name}` is not allowed: start with a letter and end with a letter or digit, e.g. `erp-sync`"
        );
    }
    Ok(())
}

fn lang_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Rust => "Rust",
        Lang::Js => "JavaScript",
        Lang::Python => "Python",
    }
}

/// The SDK folder given with `--sdk`, absolute, after checking it holds the language's SDK.
fn sdk_folder(path: &Path, lang: Lang) -> anyhow::Result<String> {
    let (manifest, marker, example) = match lang {
        Lang::Rust => ("Cargo.toml", "name = \"custode-sdk\"", "sdk"),
        Lang::Js => (
            "package.json",
            "\"name\": \"@custode/plugin-sdk\"",
            "sdk/js",
        ),
        Lang::Python => (
            "pyproject.toml",
            "name = \"custode-plugin-sdk\"",
            "sdk/python",
        ),
    };
    let absolute = path
        .canonicalize()
        .with_context(|| format!("--sdk {}: no such folder", path.display()))?;
    let text = std::fs::read_to_string(absolute.join(manifest)).unwrap_or_default();
    if !text.contains(marker) {
        bail!(
            "--sdk {}: not the {} SDK (its {manifest} does not say `{marker}`); give a checkout's `{example}` folder",
            path.display(),
            lang_name(lang)
        );
    }
    let Some(text) = absolute.to_str() else {
        bail!(
            "--sdk {}: the path is not UTF-8; move the SDK to a plain path",
            path.display()
        );
    };
    // The path goes into TOML and JSON strings and a shell command in the README.
    if text.contains(|c: char| matches!(c, '"' | '\'' | '\\' | '$' | '`') || c.is_control()) {
        bail!("--sdk {}: the path has quotes, backslashes, `$` or control characters; move the SDK to a plain path", path.display());
    }
    Ok(text.to_string())
}

/// The files of a new project, filled in: (relative path, contents).
fn project(name: &str, kind: Kind, lang: Lang, sdk: Option<&str>) -> Vec<(String, String)> {
    let sample = templates::sample(kind);
    let module = templates::module(lang, kind);
    let (try_args, check_args, use_it) = match kind {
        Kind::Importer => (
            "--input sample.csv".to_string(),
            "--input sample.csv".to_string(),
            format!(
                "custode import --plugin {name} --source \"Sample\" --channel other sample.csv"
            ),
        ),
        Kind::RetentionRule => (
            "--subjects subjects.json --at 2030-01-01".to_string(),
            "--subjects subjects.json".to_string(),
            format!("custode retention run --rule {name} --dry-run --at 2030-01-01"),
        ),
        Kind::Exporter => (
            "--package subject-package.json".to_string(),
            "--package subject-package.json".to_string(),
            format!("custode export --subject anna.rossi@example.com --plugin {name}"),
        ),
    };
    let (sdk_dependency, sdk_note, pip_sdk) = match (lang, sdk) {
        (Lang::Rust, Some(path)) => (format!("path = \"{path}\""), format!("from {path}"), String::new()),
        (Lang::Rust, None) => (
            format!("version = \"{RUST_SDK_VERSION}\""),
            "from crates.io".into(),
            String::new(),
        ),
        (Lang::Js, Some(path)) => (format!("file:{path}"), format!("from {path}"), String::new()),
        (Lang::Js, None) => (
            JS_SDK_VERSION.into(),
            "from the npm registry; until it is published there, create the project with `--sdk` and a checkout's `sdk/js`".into(),
            String::new(),
        ),
        (Lang::Python, Some(path)) => (
            String::new(),
            format!("installed in editable mode from {path}, so it finds its WIT files"),
            format!("-e '{path}[build]'"),
        ),
        (Lang::Python, None) => (
            String::new(),
            "from PyPI; until it is published there, create the project with `--sdk` and a checkout's `sdk/python`".into(),
            "'custode-plugin-sdk[build]'".into(),
        ),
    };
    // A linked SDK brings its build tools from its own folder: npm does not install them.
    let sdk_setup = match (lang, sdk) {
        (Lang::Js, Some(path)) => {
            format!("(cd {path} && npm ci)    # once: the SDK's build tools\n")
        }
        _ => String::new(),
    };
    let usage = templates::USAGE
        .replace("{{try}}", &try_args)
        .replace("{{check}}", &check_args)
        .replace("{{use}}", &use_it);
    let fill = |text: &str| {
        text.replace("{{usage}}", usage.trim_end())
            .replace("{{name}}", name)
            .replace("{{ident}}", &name.replace('-', "_"))
            .replace("{{kind}}", kind.world())
            .replace("{{feature}}", kind.feature())
            .replace("{{module}}", module)
            .replace("{{sample}}", sample.path)
            .replace("{{sdk}}", &sdk_dependency)
            .replace("{{sdk_note}}", &sdk_note)
            .replace("{{pip_sdk}}", &pip_sdk)
            .replace("{{sdk_setup}}", &sdk_setup)
    };
    let mut files: Vec<(String, String)> = templates::files(lang, kind)
        .into_iter()
        .map(|f| (f.path.to_string(), fill(f.text)))
        .collect();
    files.push((sample.path.to_string(), sample.text.to_string()));
    files
}

/// Writes the files under `dir`, which must not exist or be an empty folder.
fn write_project(dir: &Path, files: &[(String, String)]) -> anyhow::Result<()> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                bail!(
                    "{} is not empty: give a new folder with --dir, or remove what is there",
                    dir.display()
                );
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            bail!("{} is a file: give a new folder with --dir", dir.display())
        }
        Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
    }
    for (path, text) in files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&target, text).with_context(|| format!("writing {}", target.display()))?;
    }
    Ok(())
}
