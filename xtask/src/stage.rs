//! The copy of the sources the plugins are built from, at a fixed path, and the lock that keeps
//! two builds from using it at once.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// Where the plugins are built from: the same absolute path on every machine.
///
/// Cargo's crate hash of a path dependency outside the workspace being built (the SDK, `../sdk`
/// from `plugins/`) includes its absolute path. `stable_names` removes that hash from the function
/// names, but LTO merges modules in an order that follows it, so a checkout elsewhere could lay out
/// the code differently (it did: two clean clones of the same commit built different importers).
/// Building a copy of the sources at a fixed path makes every hash the same everywhere.
const STAGE: &str = "/tmp/custode-plugin-sources";
/// Locked (exclusively) by a build while it uses [`STAGE`], so two builds at once (two checkouts,
/// or a build and CI) wait for each other instead of clearing each other's sources.
const STAGE_LOCK: &str = "/tmp/custode-plugin-sources.lock";

/// Takes the exclusive lock on [`STAGE`]; released when the returned file is dropped (or the
/// process ends, however it ends).
pub fn lock_stage() -> Result<std::fs::File> {
    let file = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(STAGE_LOCK)
        .with_context(|| format!("opening the build lock {STAGE_LOCK}"))?;
    match file.try_lock() {
        Ok(()) => return Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            eprintln!("waiting for another plugin build to finish (it holds {STAGE_LOCK})");
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("locking {STAGE_LOCK}"))
        }
    }
    file.lock()
        .with_context(|| format!("waiting for the build lock {STAGE_LOCK}"))?;
    Ok(file)
}

/// Copies the staged `plugins/Cargo.lock` back into the checkout when the build changed it (cargo
/// adds a newly copied plugin crate to it), and says so: the new lockfile is to be committed.
pub fn update_lockfile(stage: &Path, plugins_dir: &Path) -> Result<()> {
    let staged = stage.join("plugins/Cargo.lock");
    let checkout = plugins_dir.join("Cargo.lock");
    let new = std::fs::read(&staged).with_context(|| format!("reading {}", staged.display()))?;
    if std::fs::read(&checkout).ok().as_deref() != Some(new.as_slice()) {
        std::fs::write(&checkout, &new)
            .with_context(|| format!("writing {}", checkout.display()))?;
        println!("updated plugins/Cargo.lock (a plugin crate was added or its dependencies changed): commit it with the plugin");
    }
    Ok(())
}

/// Copies what the plugins are built from (the root manifest, `wit/`, `sdk/` and the `gdpr/` crate
/// it depends on, `plugins/` without its `target/` and `dist/`) to [`STAGE`], keeping modification
/// times so cargo rebuilds only what changed.
pub fn stage_sources(root: &Path) -> Result<PathBuf> {
    let stage = PathBuf::from(STAGE);
    if stage.exists() {
        std::fs::remove_dir_all(&stage).with_context(|| format!("clearing {}", stage.display()))?;
    }
    std::fs::create_dir_all(&stage).with_context(|| format!("creating {}", stage.display()))?;
    copy_file(&root.join("Cargo.toml"), &stage.join("Cargo.toml"))?;
    copy_tree(&root.join("wit"), &stage.join("wit"), &[])?;
    copy_tree(&root.join("sdk"), &stage.join("sdk"), &["target"])?;
    copy_tree(&root.join("gdpr"), &stage.join("gdpr"), &["target"])?;
    copy_tree(
        &root.join("plugins"),
        &stage.join("plugins"),
        &["target", "dist"],
    )?;
    Ok(stage)
}

/// Folders that are never part of a Rust plugin's sources, at any depth: the JavaScript and Python
/// SDKs and plugins beside the Rust ones keep their installed packages there (hundreds of MB).
const NEVER_STAGED: [&str; 3] = ["node_modules", ".venv", "__pycache__"];

fn copy_tree(from: &Path, to: &Path, skip: &[&str]) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let name = entry.file_name();
        if skip.iter().chain(NEVER_STAGED.iter()).any(|s| name == *s) {
            continue;
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_tree(&entry.path(), &to.join(&name), &[])?;
        } else if kind.is_file() {
            copy_file(&entry.path(), &to.join(&name))?;
        }
    }
    Ok(())
}

fn copy_file(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to)
        .with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    let modified = std::fs::metadata(from)?.modified()?;
    std::fs::File::options()
        .write(true)
        .open(to)?
        .set_modified(modified)
        .with_context(|| format!("setting the time of {}", to.display()))?;
    Ok(())
}
