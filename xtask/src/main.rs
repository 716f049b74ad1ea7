//! Project chores that need more than cargo: `cargo xtask plugins [--check | --test] [--verbose]`,
//! `cargo xtask cycles` (see `cycles.rs`).
//!
//! `plugins` builds every crate of the `plugins/` workspace for `wasm32-unknown-unknown` with
//! Debian's Rust toolchain (the rustup toolchain here has no wasm target; see docs/PLUGINS.md), turns
//! each core module into a component with `wit-component`, and writes it to `plugins/dist/<name>.wasm`
//! (test plugins, from `plugins/testing/`, to `plugins/dist/testing/<name>.wasm`).
//!
//! `--check` builds into a scratch directory and fails if any committed component differs from what
//! its source builds to: CI uses it to prove `plugins/dist` is what the sources say. Only `--check`
//! builds with `--locked`: a plain build lets cargo add a new plugin crate (a copied and renamed
//! plugin) to `plugins/Cargo.lock`, which it then writes back into the checkout to be committed. The build is
//! reproducible because paths are remapped, the function names are stripped of cargo's
//! path-dependent crate hashes (see `stable_names.rs`) and the toolchain is pinned (see `.ci/run`).
//!
//! `--test` runs the plugins' unit tests natively (host target, Debian's toolchain), the way a
//! plugin author would: `cd plugins && RUSTC=/usr/bin/rustc /usr/bin/cargo test`; then (unless
//! packages are named) the SDK's example plugin for each world, from its rustdoc, with
//! `cargo test -p custode-sdk --doc --features <world>`.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

mod cycles;
mod stable_names;
mod stage;

use stage::{lock_stage, stage_sources, update_lockfile};

/// Debian's toolchain (packages rustc-web, cargo-web, rust-web-src, lld-22).
const DEBIAN_CARGO: &str = "/usr/bin/cargo";
const DEBIAN_RUSTC: &str = "/usr/bin/rustc";
const LLVM_BIN: &str = "/usr/lib/llvm-22/bin";
const INSTALL_HINT: &str =
    "install the Wasm toolchain with `apt-get install -y rustc-web cargo-web rust-web-src lld-22` (see docs/PLUGINS.md)";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("plugins") if args.iter().any(|a| a == "--test") => plugin_tests(&args[1..]),
        Some("plugin-tests") => plugin_tests(&args[1..]),
        Some("cycles") => cycles::check(),
        Some("plugins") => {
            let check = args.iter().any(|a| a == "--check");
            let verbose = args.iter().any(|a| a == "--verbose");
            plugins(check, verbose)
        }
        _ => {
            eprintln!("usage: cargo xtask plugins [--check | --test] [--verbose] | cycles");
            eprintln!("  plugins          build plugins/* into plugins/dist/*.wasm (adds new plugin crates to plugins/Cargo.lock)");
            eprintln!(
                "  plugins --check  rebuild (--locked) and fail if plugins/dist differs from the sources"
            );
            eprintln!(
                "  plugins --test   run the plugins' unit tests natively (same as `plugin-tests`);"
            );
            eprintln!("                   further arguments go to cargo test, e.g. `-p csv`");
            eprintln!("  cycles           no circle among the custode library's modules (needs `cargo install cargo-modules`)");
            std::process::exit(2);
        }
    }
}

/// The checkout `cargo xtask` was run in. `cargo run` sets `CARGO_MANIFEST_DIR` at run time too;
/// it is preferred over the compile-time value because two checkouts sharing a target directory
/// get the same `xtask` binary, which would otherwise build the other checkout's plugins.
fn repo_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .expect("xtask lives in the repository")
        .to_path_buf()
}

/// One plugin crate of the `plugins/` workspace.
struct PluginCrate {
    /// The package name, which names the component: `plugins/dist/<name>.wasm`.
    name: String,
    /// The cdylib's file stem in the target directory (`-` becomes `_`).
    lib_name: String,
    /// True for the misbehaving test plugins under `plugins/testing/`.
    testing: bool,
    /// The `custode-sdk` features it enables (its world), e.g. `importer`; empty without the SDK.
    sdk_features: String,
}

/// The plugin crates grouped by the SDK world they enable.
///
/// `custode-sdk` has one feature per world and refuses two at once (every world exports the
/// `plugin` interface), while cargo unifies a dependency's features over all the packages of one
/// invocation. So each group is built and tested by its own cargo invocation.
fn by_world(crates: &[PluginCrate]) -> Vec<(String, Vec<&PluginCrate>)> {
    let mut groups: std::collections::BTreeMap<&str, Vec<&PluginCrate>> = Default::default();
    for c in crates {
        groups.entry(c.sdk_features.as_str()).or_default().push(c);
    }
    groups
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

fn package_args<'a>(group: &[&'a PluginCrate]) -> Vec<&'a str> {
    group.iter().flat_map(|c| ["-p", c.name.as_str()]).collect()
}

fn plugins(check: bool, verbose: bool) -> Result<()> {
    check_toolchain(true)?;
    let root = repo_root();
    let plugins_dir = root.join("plugins");
    let crates = plugin_crates(&plugins_dir)?;
    // Held until the components are written: the stage is one fixed path for every checkout.
    let _stage_lock = lock_stage()?;
    let stage = stage_sources(&root)?;
    for (_, group) in by_world(&crates) {
        build(
            &stage,
            &plugins_dir.join("target"),
            &package_args(&group),
            check,
            verbose,
        )?;
    }
    if !check {
        update_lockfile(&stage, &plugins_dir)?;
    }

    let out_dir = if check {
        plugins_dir.join("target/dist-check")
    } else {
        plugins_dir.join("dist")
    };
    if check && out_dir.exists() {
        std::fs::remove_dir_all(&out_dir)?;
    }
    let core_dir = plugins_dir.join("target/wasm32-unknown-unknown/release");
    let mut written = Vec::new();
    for krate in &crates {
        let core = core_dir.join(format!("{}.wasm", krate.lib_name));
        let bytes = std::fs::read(&core)
            .with_context(|| format!("reading the built module {}", core.display()))?;
        let bytes = stable_names::stable_names(&bytes)
            .with_context(|| format!("plugin `{}`", krate.name))?;
        let component = wit_component::ComponentEncoder::default()
            .module(&bytes)
            .with_context(|| {
                format!(
                    "plugin `{}`: the module carries no usable WIT world",
                    krate.name
                )
            })?
            .validate(true)
            .encode()
            .with_context(|| {
                format!(
                    "plugin `{}`: turning the module into a component failed",
                    krate.name
                )
            })?;
        let rel = if krate.testing {
            PathBuf::from(format!("testing/{}.wasm", krate.name))
        } else {
            PathBuf::from(format!("{}.wasm", krate.name))
        };
        let dest = out_dir.join(&rel);
        std::fs::create_dir_all(dest.parent().unwrap())?;
        std::fs::write(&dest, &component)?;
        println!(
            "{:>8} bytes  plugins/dist/{}",
            component.len(),
            rel.display()
        );
        written.push(rel);
    }

    if check {
        let committed = plugins_dir.join("dist");
        let mut problems = Vec::new();
        for rel in &written {
            match std::fs::read(committed.join(rel)) {
                Ok(old) if old == std::fs::read(out_dir.join(rel))? => {}
                Ok(_) => problems.push(format!(
                    "plugins/dist/{} differs from what its source builds to",
                    rel.display()
                )),
                Err(_) => problems.push(format!("plugins/dist/{} is missing", rel.display())),
            }
        }
        for rel in list_wasm(&committed)? {
            if !written.contains(&rel) && !other_language(&plugins_dir, &rel) {
                problems.push(format!(
                    "plugins/dist/{} has no source crate in plugins/",
                    rel.display()
                ));
            }
        }
        if !problems.is_empty() {
            bail!(
                "the committed plugins do not match their sources:\n  {}\nrun `cargo xtask plugins` and commit plugins/dist",
                problems.join("\n  ")
            );
        }
        println!(
            "plugins/dist matches the sources ({} components)",
            written.len()
        );
    }
    Ok(())
}

fn check_toolchain(wasm: bool) -> Result<()> {
    for tool in [DEBIAN_CARGO, DEBIAN_RUSTC] {
        if !Path::new(tool).exists() {
            bail!("{tool} not found: {INSTALL_HINT}");
        }
    }
    if wasm && !Path::new(LLVM_BIN).join("wasm-ld").exists() {
        bail!("{LLVM_BIN}/wasm-ld not found: {INSTALL_HINT}");
    }
    Ok(())
}

/// Debian's cargo, with rustup's toolchain kept out (see docs/PLUGINS.md).
fn debian_cargo(plugins_dir: &Path, target_dir: &Path) -> Command {
    let mut cmd = Command::new(DEBIAN_CARGO);
    cmd.current_dir(plugins_dir)
        .env("RUSTC", DEBIAN_RUSTC)
        .env("CARGO_TARGET_DIR", target_dir)
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO");
    cmd
}

/// Runs the plugins' native unit tests; extra arguments go to `cargo test` (e.g. `-p csv`).
fn plugin_tests(args: &[String]) -> Result<()> {
    check_toolchain(false)?;
    let plugins_dir = repo_root().join("plugins");
    let extra: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--test")
        .collect();
    // Packages named on the command line are tested as asked; otherwise every world's group.
    let chosen = extra
        .iter()
        .any(|a| *a == "-p" || a.starts_with("--package"));
    let crates = plugin_crates(&plugins_dir)?;
    let groups: Vec<Vec<&str>> = if chosen {
        vec![vec![]]
    } else {
        by_world(&crates)
            .iter()
            .map(|(_, g)| package_args(g))
            .collect()
    };
    for packages in groups {
        // Not `--locked`: a newly copied plugin is not in plugins/Cargo.lock until it is built.
        let status = debian_cargo(&plugins_dir, &plugins_dir.join("target"))
            .arg("test")
            .args(&packages)
            .args(&extra)
            .status()
            .with_context(|| format!("running {DEBIAN_CARGO} test"))?;
        if !status.success() {
            bail!("the plugins' tests failed (see above)");
        }
    }
    if !chosen {
        sdk_examples()?;
    }
    Ok(())
}

/// Compiles and runs the SDK's documentation examples, one per world: each world's module exists
/// only with its feature, and the features exclude each other, so a plain `cargo test` (no
/// features) never sees them. With the host's toolchain, like the rest of the root workspace.
fn sdk_examples() -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    for world in ["importer", "retention", "exporter"] {
        let mut cmd = Command::new(&cargo);
        // Only the world's own examples: the others run in the workspace's plain `cargo test`.
        let own = format!("sdk/src/{world}.rs");
        cmd.current_dir(repo_root()).args([
            "test",
            "--quiet",
            "--package",
            "custode-sdk",
            "--doc",
            "--features",
            world,
            "--",
            &own,
        ]);
        // What `cargo run` set for this process would change fingerprints and force rebuilds.
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            let keep = ["CARGO_HOME", "CARGO_TARGET_DIR", "CARGO_BUILD_JOBS"];
            if key.starts_with("CARGO_") && !keep.contains(&key.as_ref()) {
                cmd.env_remove(key.as_ref());
            }
        }
        let status = cmd
            .status()
            .context("running cargo test for the SDK's examples")?;
        if !status.success() {
            bail!("the SDK's `{world}` documentation example failed (see above)");
        }
    }
    Ok(())
}

/// Builds `packages` from the staged sources at `root`; `locked` (for `--check`) refuses to touch
/// `Cargo.lock`, so CI fails if the committed lockfile is not what the sources need.
fn build(
    root: &Path,
    target_dir: &Path,
    packages: &[&str],
    locked: bool,
    verbose: bool,
) -> Result<()> {
    let cargo_home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo")
        });
    // Remapping every machine-specific path makes the output identical wherever the repository
    // is checked out, so CI can compare it byte for byte with the committed components.
    let rustflags = format!(
        "--remap-path-prefix={}=/custode --remap-path-prefix={}=/cargo",
        root.display(),
        cargo_home.display()
    );
    let path = format!("{LLVM_BIN}:{}", std::env::var("PATH").unwrap_or_default());
    let mut cmd = debian_cargo(&root.join("plugins"), target_dir);
    cmd.args([
        "build",
        "--release",
        "--target",
        "wasm32-unknown-unknown",
        "-Zbuild-std=std,panic_abort",
    ])
    .args(locked.then_some("--locked"))
    .args(packages)
    .env("RUSTC_BOOTSTRAP", "1")
    .env("RUSTFLAGS", &rustflags)
    .env("PATH", path);
    if !verbose {
        cmd.arg("--quiet");
    }
    let status = cmd
        .status()
        .with_context(|| format!("running {DEBIAN_CARGO}"))?;
    if !status.success() {
        bail!("building the plugins failed (see the errors above)");
    }
    Ok(())
}

/// The plugin crates, from `cargo metadata` of the plugins workspace.
fn plugin_crates(plugins_dir: &Path) -> Result<Vec<PluginCrate>> {
    let out = debian_cargo(plugins_dir, &plugins_dir.join("target"))
        // `--no-deps` reads only the manifests, so a crate not yet in Cargo.lock is listed too.
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .context("running cargo metadata for plugins/")?;
    if !out.status.success() {
        bail!(
            "cargo metadata for plugins/ failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let testing_dir = plugins_dir.join("testing");
    let mut crates = Vec::new();
    for package in meta["packages"]
        .as_array()
        .context("cargo metadata: no packages")?
    {
        let manifest = PathBuf::from(package["manifest_path"].as_str().unwrap_or_default());
        for target in package["targets"].as_array().into_iter().flatten() {
            let cdylib = target["crate_types"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| k == "cdylib");
            if cdylib {
                crates.push(PluginCrate {
                    name: package["name"].as_str().unwrap_or_default().to_string(),
                    lib_name: target["name"]
                        .as_str()
                        .unwrap_or_default()
                        .replace('-', "_"),
                    testing: manifest.starts_with(&testing_dir),
                    sdk_features: sdk_features(package),
                });
            }
        }
    }
    crates.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(crates)
}

/// The features a package enables on its `custode-sdk` dependency, sorted and joined.
fn sdk_features(package: &serde_json::Value) -> String {
    let deps = package["dependencies"].as_array().into_iter().flatten();
    let Some(sdk) = deps.into_iter().find(|d| d["name"] == "custode-sdk") else {
        return String::new();
    };
    let mut features: Vec<&str> = sdk["features"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f.as_str())
        .collect();
    features.sort();
    features.join(",")
}

/// Whether a component in plugins/dist is built from a JavaScript or Python plugin
/// (`plugins/js/<name>/`, `plugins/python/<name>/`): those are built and checked by
/// `sdk/build-examples.sh`, with npm and pip, not by this command.
fn other_language(plugins_dir: &Path, rel: &Path) -> bool {
    let Some(name) = rel.file_stem() else {
        return false;
    };
    ["js", "python"]
        .iter()
        .any(|lang| plugins_dir.join(lang).join(name).is_dir())
}

fn list_wasm(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for sub in ["", "testing"] {
        let d = dir.join(sub);
        if let Ok(entries) = std::fs::read_dir(&d) {
            for e in entries {
                let p = e?.path();
                if p.extension().is_some_and(|x| x == "wasm") {
                    out.push(Path::new(sub).join(p.file_name().unwrap()));
                }
            }
        }
    }
    Ok(out)
}
