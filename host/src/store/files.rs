//! The data directory is private: the directory and its folders `0700`, every file in them `0600`.
//! They hold personal data (the database, its WAL, backups, uploads waiting to be imported) or what
//! protects it (`secret.key`, checked on its own in `secret.rs`); other users of the machine have no
//! business reading any of it.
//!
//! Files are created private ([`create_private_dir`], [`create_private_file`]); SQLite creates the
//! `-wal` and `-shm` files itself, with the mode of the database file, so a `0600` database gives
//! `0600` companions. [`restrict`] checks what is there when an installation opens and tightens
//! whatever is looser: installations made by versions before this check have `0644` files in `0755`
//! folders, and refusing to start would leave them no way forward but a manual `chmod`. Only
//! `secret.key` is refused instead of fixed: it was always created `0600`, so a looser mode means
//! someone changed it and the key may have been copied.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use super::error::DbContext;
use super::StoreError;

/// Copies of the database made by `custode backup` and `POST /api/v1/backup`.
pub const BACKUPS_DIR: &str = "backups";
/// Files uploaded for an import, until their job ends.
pub const UPLOADS_DIR: &str = "uploads";
/// Compiled plugin code.
pub const PLUGIN_CACHE_DIR: &str = "plugin-cache";
/// Import jobs and their outcomes, across restarts (`service/job_log.rs`).
pub const JOBS_DB: &str = "import-jobs.db";
/// First answers to writes sent with an `Idempotency-Key` (`service/idempotency.rs`).
pub const IDEMPOTENCY_DB: &str = "idempotency.db";

/// Creates `dir` and any missing parent as `0700` (an existing directory is left as it is: see
/// [`restrict`]).
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Creates a new file (never an existing one) readable and writable by this user only.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Opens (creating it private first, so SQLite's journal gets the same mode) one of the small
/// databases kept beside the main one: the import job log, the idempotent answers. `what` names it
/// in errors, e.g. "the import job log".
/// A backup being written beside its destination (`<dest>.partial`), private from the start
/// (SQLite keeps an existing file's mode, and gives its journal the same one), and removed unless
/// it was moved into place: a failed backup leaves no file behind (it would hold personal data
/// nobody knows is there).
pub(crate) struct PartialBackup(pub PathBuf);

impl PartialBackup {
    /// Refuses an existing `dest`: a backup never overwrites.
    pub fn beside(dest: &Path) -> Result<PartialBackup, StoreError> {
        if dest.exists() {
            return Err(StoreError::Conflict(format!(
                "`{}` already exists: choose a new file name, a backup never overwrites",
                dest.display()
            )));
        }
        let mut name = dest.file_name().unwrap_or_default().to_os_string();
        name.push(".partial");
        let partial = PartialBackup(dest.with_file_name(name));
        let _ = std::fs::remove_file(&partial.0);
        create_private_file(&partial.0)
            .map_err(|e| StoreError::io("cannot create the backup file", &partial.0, e))?;
        Ok(partial)
    }
}

impl Drop for PartialBackup {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

pub fn open_private_db(path: &Path, what: &str) -> Result<rusqlite::Connection, StoreError> {
    if !path.exists() {
        match create_private_file(path) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(StoreError::io(format!("cannot create {what}"), path, e)),
        }
    }
    let conn = rusqlite::Connection::open(path).db(&format!("cannot open {what}"))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .db("busy timeout")?;
    Ok(conn)
}

/// A file or folder whose mode [`restrict`] tightened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tightened {
    pub path: PathBuf,
    /// The permission bits it had, e.g. `0o644`.
    pub was: u32,
    pub now: u32,
}

/// Checks the data directory, the database and its `-wal` and `-shm`, the import job log, and the folders of backups,
/// uploads and compiled plugin code with the files directly in them; tightens every one that others
/// may read or enter to `0700` (folders) or `0600` (files). Returns what it changed, for the caller
/// to say so; a path it cannot change is an error naming it and the command that fixes it.
#[cfg(unix)]
pub fn restrict(data_dir: &Path, db_file: &str) -> Result<Vec<Tightened>, (PathBuf, io::Error)> {
    let mut changed = Vec::new();
    tighten(data_dir, 0o700, &mut changed)?;
    for db in [db_file, JOBS_DB, IDEMPOTENCY_DB] {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let file = data_dir.join(format!("{db}{suffix}"));
            if file.exists() {
                tighten(&file, 0o600, &mut changed)?;
            }
        }
    }
    for folder in [BACKUPS_DIR, UPLOADS_DIR, PLUGIN_CACHE_DIR] {
        let dir = data_dir.join(folder);
        if !dir.is_dir() {
            continue;
        }
        tighten(&dir, 0o700, &mut changed)?;
        let entries = std::fs::read_dir(&dir).map_err(|e| (dir.clone(), e))?;
        for entry in entries {
            let path = entry.map_err(|e| (dir.clone(), e))?.path();
            // `is_file` follows links: a file linked in is as private as one copied in.
            if path.is_file() {
                tighten(&path, 0o600, &mut changed)?;
            }
        }
    }
    Ok(changed)
}

#[cfg(not(unix))]
pub fn restrict(_: &Path, _: &str) -> Result<Vec<Tightened>, (PathBuf, io::Error)> {
    Ok(Vec::new())
}

/// Sets `path` to `mode` when group or others have any permission on it.
#[cfg(unix)]
fn tighten(
    path: &Path,
    mode: u32,
    changed: &mut Vec<Tightened>,
) -> Result<(), (PathBuf, io::Error)> {
    use std::os::unix::fs::PermissionsExt;
    let was = std::fs::metadata(path)
        .map_err(|e| (path.to_path_buf(), e))?
        .permissions()
        .mode()
        & 0o777;
    if was & 0o077 == 0 {
        return Ok(());
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| (path.to_path_buf(), e))?;
    changed.push(Tightened {
        path: path.to_path_buf(),
        was,
        now: mode,
    });
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn set(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn what_others_could_read_is_made_private_and_reported() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        create_private_dir(&data.join(BACKUPS_DIR)).unwrap();
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join(BACKUPS_DIR)), 0o700);
        create_private_file(&data.join("custode.db")).unwrap();
        assert_eq!(mode(&data.join("custode.db")), 0o600);
        assert!(
            create_private_file(&data.join("custode.db")).is_err(),
            "never reused"
        );
        assert_eq!(restrict(&data, "custode.db").unwrap(), []);

        // As an older version left them.
        set(&data, 0o755);
        set(&data.join("custode.db"), 0o644);
        std::fs::write(data.join("custode.db-wal"), "").unwrap();
        set(&data.join("custode.db-wal"), 0o664);
        set(&data.join(BACKUPS_DIR), 0o755);
        let copy = data.join(BACKUPS_DIR).join("monday.db");
        std::fs::write(&copy, "").unwrap();
        set(&copy, 0o644);
        let notes = data.join("notes.txt");
        std::fs::write(&notes, "").unwrap();
        set(&notes, 0o644);

        let changed = restrict(&data, "custode.db").unwrap();
        let paths: Vec<&Path> = changed.iter().map(|t| t.path.as_path()).collect();
        assert_eq!(
            paths,
            [
                data.as_path(),
                &data.join("custode.db"),
                &data.join("custode.db-wal"),
                &data.join(BACKUPS_DIR),
                &copy
            ]
        );
        assert_eq!((changed[1].was, changed[1].now), (0o644, 0o600));
        for (path, want) in [
            (data.clone(), 0o700),
            (data.join("custode.db"), 0o600),
            (data.join("custode.db-wal"), 0o600),
            (data.join(BACKUPS_DIR), 0o700),
            (copy, 0o600),
        ] {
            assert_eq!(mode(&path), want, "{}", path.display());
        }
        assert_eq!(
            mode(&notes),
            0o644,
            "a file Custode does not own is left alone"
        );
        assert_eq!(restrict(&data, "custode.db").unwrap(), []);
    }
}
