//! Files uploaded for an import (`POST /api/v1/imports`), waiting in `<data dir>/uploads/` as
//! `upload-<pid>-<random>.part` until their job ends. They hold personal data, so none may outlive its
//! job: a [`StagedUpload`] removes its file when dropped, and [`clear_stale`] removes those a killed
//! process left behind.
//!
//! Telling a stale file from one in use relies on an exclusive advisory lock (`flock`), held by the
//! process that writes and imports the file for the file's whole life. The operating system releases it
//! when that process dies, however it dies; so a `.part` file nobody holds locked is stale, even when a
//! server is running beside the CLI that checks. A process id in the name would not do: ids are reused.

use std::fs::{File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

/// An upload file, locked while this value lives and removed when it is dropped.
#[derive(Debug)]
pub struct StagedUpload {
    path: PathBuf,
    /// Holds the lock; closed only after the file is removed (see `Drop`).
    file: File,
}

impl StagedUpload {
    /// Creates a new, empty upload file in `dir` (created if needed), locked.
    pub fn create(dir: &Path) -> io::Result<StagedUpload> {
        crate::store::files::create_private_dir(dir)?;
        let stem = format!(
            "upload-{}-{:016x}",
            std::process::id(),
            rand::random::<u64>()
        );
        // Locked under a name `clear_stale` ignores, then renamed: a check running at the same moment
        // never sees the `.part` name unlocked.
        let fresh = dir.join(format!("{stem}.new"));
        let file = crate::store::files::create_private_file(&fresh)?;
        let path = dir.join(format!("{stem}.part"));
        if let Err(e) = file.lock().and_then(|()| std::fs::rename(&fresh, &path)) {
            let _ = std::fs::remove_file(&fresh);
            return Err(e);
        }
        Ok(StagedUpload { path, file })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Another handle on the file, to write the body through (the lock stays with `self`).
    pub fn writer(&self) -> io::Result<File> {
        self.file.try_clone()
    }
}

impl Drop for StagedUpload {
    fn drop(&mut self) {
        // The name goes first, the lock after (when `file` closes): never an unlocked `.part` name.
        if let Err(e) = std::fs::remove_file(&self.path) {
            if e.kind() != io::ErrorKind::NotFound {
                tracing::warn!(path = %self.path.display(), error = %e, "cannot remove an import upload");
            }
        }
    }
}

/// Whether `name` is an upload file's name (`upload-*.part`).
fn is_upload(name: &str) -> bool {
    name.starts_with("upload-") && name.ends_with(".part")
}

/// Whether a running import holds the upload at `path` (a process holds its uploads locked).
pub fn in_use(path: &Path) -> bool {
    File::open(path).is_ok_and(|file| matches!(file.try_lock(), Err(TryLockError::WouldBlock)))
}

/// Removes the `upload-*.part` files in `dir` that no running process holds (left by a crash or a
/// kill); returns how many. Other files are left alone. A file that cannot be checked or removed is
/// logged and skipped: it must not stop the installation from opening.
pub fn clear_stale(dir: &Path) -> io::Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if !is_file || !entry.file_name().to_str().is_some_and(is_upload) {
            continue;
        }
        let checked = File::open(&path).and_then(|file| match file.try_lock() {
            Ok(()) => std::fs::remove_file(&path).map(|()| true),
            Err(TryLockError::WouldBlock) => Ok(false), // a running import's
            Err(TryLockError::Error(e)) => Err(e),
        });
        match checked {
            Ok(true) => removed += 1,
            Ok(false) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {} // its job just ended
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "cannot remove a stale import upload: remove it by hand, it holds personal data");
            }
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unlocked_upload_files_are_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join("upload-4242-00000000000000aa.part");
        std::fs::write(&stale, "email\nmario@example.it\n").unwrap();
        let other = dir.path().join("notes.part");
        std::fs::write(&other, "not an upload").unwrap();
        let live = StagedUpload::create(dir.path()).unwrap();
        std::fs::write(live.path(), "email\nanna@example.it\n").unwrap();

        assert_eq!(clear_stale(dir.path()).unwrap(), 1);
        assert!(!stale.exists(), "the crashed process's upload is gone");
        assert!(other.exists(), "a file of another pattern stays");
        assert!(live.path().exists(), "a locked upload is in use: it stays");

        let path = live.path().to_path_buf();
        drop(live);
        assert!(!path.exists(), "a staged upload is removed with its job");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let fresh = dir.path().join("private");
            let upload = StagedUpload::create(&fresh).unwrap();
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&fresh), 0o700, "the uploads folder is private");
            assert_eq!(mode(upload.path()), 0o600, "an upload holds personal data");
        }
        assert_eq!(clear_stale(&dir.path().join("missing")).unwrap(), 0);
    }
}
