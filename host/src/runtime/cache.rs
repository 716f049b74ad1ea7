//! Compiled plugin code on disk, so a restart does not recompile.
//!
//! Entries are named by the SHA-256 of the component's bytes and the engine's compatibility hash
//! (which changes with the wasmtime version and the engine settings that affect code). An entry
//! holds the compiled code followed by the SHA-256 of that code; loading reads the entry, checks
//! the hash and only then hands the code to wasmtime, so a damaged entry (a flipped bit, a torn
//! write, a file from elsewhere under the same name) is recompiled instead of run. Only components
//! that passed validation and `describe()` are stored, so a rejected plugin leaves nothing behind.

use super::error::SetupError;
use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use wasmtime::component::Component;
use wasmtime::Engine;

/// Bytes of the SHA-256 that ends every entry.
const TRAILER: usize = 32;

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
    pub fn open(dir: PathBuf, engine: &Engine) -> Result<ComponentCache, SetupError> {
        std::fs::create_dir_all(&dir).map_err(|e| {
            SetupError::new(
                format!("creating the plugin code cache directory {}", dir.display()),
                e,
            )
        })?;
        Ok(ComponentCache {
            dir,
            engine_hash: engine_hash(engine),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The entry for the component whose bytes have SHA-256 `digest`.
    pub fn path_for(&self, digest: &str) -> PathBuf {
        self.dir
            .join(format!("{digest}-{}.cwasm", self.engine_hash))
    }

    /// The compiled code for `digest`, when the cache holds a sound entry for it.
    pub fn load(&self, engine: &Engine, digest: &str) -> Option<Component> {
        let path = self.path_for(digest);
        let entry = match std::fs::read(&path) {
            Ok(entry) => entry,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "cannot read a plugin cache entry; recompiling");
                return None;
            }
        };
        let Some(code) = verified(&entry) else {
            tracing::warn!(path = %path.display(), "plugin cache entry is damaged (its checksum does not match); recompiling");
            return None;
        };
        // SAFETY: `deserialize` runs the bytes as machine code, so they must be what
        // `Component::serialize` wrote for this engine configuration: the engine hash is in the
        // name, the SHA-256 just checked proves the bytes are the ones written (the entry is in
        // the server's own data directory: whoever can write there can already replace the
        // binary), and wasmtime checks its own header and compatibility again.
        match unsafe { Component::deserialize(engine, code) } {
            Ok(component) => Some(component),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "ignoring an unusable plugin cache entry; recompiling");
                None
            }
        }
    }

    /// Stores the compiled code of `component` under `digest`, replacing any entry there.
    pub fn store(&self, digest: &str, component: &Component) -> Result<(), SetupError> {
        let code = component
            .serialize()
            .map_err(|e| SetupError::new("serialising compiled plugin code", e))?;
        let checksum = Sha256::digest(&code);
        // A temporary file of its own (two threads or processes may store the same plugin at
        // once), then a rename, so no reader ever sees a half-written entry under the real name.
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".{digest}-"))
            .suffix(".tmp")
            .tempfile_in(&self.dir)
            .map_err(|e| {
                SetupError::new(
                    format!("creating a temporary file in {}", self.dir.display()),
                    e,
                )
            })?;
        tmp.write_all(&code)
            .and_then(|()| tmp.write_all(&checksum))
            .map_err(|e| SetupError::new(format!("writing {}", tmp.path().display()), e))?;
        let path = self.path_for(digest);
        tmp.persist(&path).map_err(|e| {
            SetupError::new(format!("renaming the new entry to {}", path.display()), e)
        })?;
        Ok(())
    }
}

/// The compiled code of an entry whose trailing SHA-256 matches it.
fn verified(entry: &[u8]) -> Option<&[u8]> {
    let split = entry.len().checked_sub(TRAILER)?;
    let (code, checksum) = entry.split_at(split);
    (Sha256::digest(code).as_slice() == checksum).then_some(code)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_entries_whose_checksum_matches_are_used() {
        let code = b"compiled code".to_vec();
        let mut entry = code.clone();
        entry.extend_from_slice(&Sha256::digest(&code));
        assert_eq!(verified(&entry), Some(&code[..]));
        let mut flipped = entry.clone();
        flipped[3] ^= 1;
        assert_eq!(verified(&flipped), None);
        assert_eq!(verified(&entry[..entry.len() - 1]), None, "truncated");
        assert_eq!(verified(b"short"), None);
        assert_eq!(verified(&code), None, "an entry without a checksum");
    }

    /// Two jobs loading the same new plugin at once both store it: neither may fail, and what is
    /// left is one sound entry and no temporary file.
    #[test]
    fn threads_storing_the_same_plugin_at_once_do_not_collide() {
        let runtime = crate::runtime::Runtime::new(None).unwrap();
        let engine = runtime.engine();
        let bytes = crate::bundled::get("lines").unwrap().bytes;
        let component = Component::new(engine, bytes).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let cache = ComponentCache::open(dir.path().to_path_buf(), engine).unwrap();
        let key = digest(bytes);
        let threads = 8;
        let start = std::sync::Barrier::new(threads);
        let failures = std::sync::Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    for _ in 0..10 {
                        start.wait();
                        // Recorded, not unwrapped: a panicking thread would leave the others
                        // waiting at the barrier forever.
                        if let Err(e) = cache.store(&key, &component) {
                            failures.lock().unwrap().push(format!("{e:#}"));
                        }
                    }
                });
            }
        });
        let failures = failures.into_inner().unwrap();
        assert!(
            failures.is_empty(),
            "{} stores failed: {:?}",
            failures.len(),
            failures.first()
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [cache.path_for(&key).file_name().unwrap()]);
        assert!(cache.load(engine, &key).is_some());
    }
}
