//! Compiled plugin code on disk, so a restart does not recompile.
//!
//! Entries are named by the SHA-256 of the component's bytes and the engine's compatibility hash
//! (which changes with the wasmtime version and the engine settings that affect code). Loading an
//! entry maps it into memory: no compilation at all.

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use wasmtime::component::Component;
use wasmtime::Engine;

pub struct ComponentCache {
    dir: PathBuf,
    engine_hash: String,
}

/// Where a component's code came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CodeSource {
    /// Compiled now (first load, or no cache configured).
    Compiled,
    /// Read from the on-disk cache.
    DiskCache,
}

impl ComponentCache {
    pub fn open(dir: PathBuf, engine: &Engine) -> Result<ComponentCache> {
        std::fs::create_dir_all(&dir).with_context(|| {
            format!("creating the plugin code cache directory {}", dir.display())
        })?;
        Ok(ComponentCache {
            dir,
            engine_hash: engine_hash(engine),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_for(&self, digest: &str) -> PathBuf {
        self.dir
            .join(format!("{digest}-{}.cwasm", self.engine_hash))
    }

    /// Loads the compiled code for `digest`, compiling `bytes` and storing the result on a miss.
    pub fn load_or_compile(
        &self,
        engine: &Engine,
        digest: &str,
        bytes: &[u8],
    ) -> Result<(Component, CodeSource)> {
        let path = self.path_for(digest);
        if path.exists() {
            // SAFETY: the file was written by `Component::serialize` of this same engine
            // configuration (the engine hash is in its name) into the server's own data directory.
            // Whoever can write there can already replace the binary; a file that fails wasmtime's
            // header checks is recompiled below.
            match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(component) => return Ok((component, CodeSource::DiskCache)),
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "ignoring an unusable cache entry")
                }
            }
        }
        let component = Component::new(engine, bytes)?;
        // A cache that cannot be written costs a recompilation at the next start, not this load.
        if let Err(e) = self.store(&path, &component.serialize()?) {
            tracing::warn!(path = %path.display(), error = %format!("{e:#}"), "cannot cache compiled plugin code");
        }
        Ok((component, CodeSource::Compiled))
    }

    /// Writes then renames, so a crash never leaves a half-written entry under the real name. The
    /// temporary name is unique per process and call: two threads (or processes sharing the
    /// directory) compiling the same plugin each rename their own complete file.
    fn store(&self, path: &Path, compiled: &[u8]) -> Result<()> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let tmp = path.with_extension(format!("tmp{}-{n}", std::process::id()));
        std::fs::write(&tmp, compiled).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| {
            let _ = std::fs::remove_file(&tmp);
            format!("renaming {} into place", tmp.display())
        })
    }
}

fn engine_hash(engine: &Engine) -> String {
    let mut hasher = Sha256Hasher(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hex::encode(&hasher.0.finalize()[..8])
}

/// Feeds `Hash` output into SHA-256, so the name is stable across processes (unlike `DefaultHasher`,
/// whose algorithm is not promised to stay the same).
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn finish(&self) -> u64 {
        0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

/// The SHA-256 of a plugin's bytes, in hex: its identity everywhere in Custode.
pub fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
