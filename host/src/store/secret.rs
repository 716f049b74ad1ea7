//! The installation secret: 32 random bytes in `secret.key` in the data directory (mode 0600), kept
//! out of the database on purpose. The suppression list stores HMAC-SHA-256 hashes keyed with it, so a
//! copy of the database alone cannot be brute-forced back into email addresses; the audit chain is keyed
//! with it, so an entry edited in the database cannot be re-hashed to look genuine.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use super::error::{data_dir_error, StoreError};

pub const SECRET_FILE: &str = "secret.key";

type HmacSha256 = Hmac<Sha256>;

/// Keys derived from the installation secret, one per use, so a hash computed for one purpose is
/// meaningless for the other.
#[derive(Clone)]
pub struct Keys {
    suppression: HmacSha256,
    audit: HmacSha256,
    file: HmacSha256,
    /// Stored in the database to recognise a key file that belongs to another installation.
    pub fingerprint: String,
}

impl Keys {
    fn derive(secret: &[u8]) -> Keys {
        let sub = |label: &[u8]| {
            let mut mac =
                HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
            mac.update(label);
            let key = mac.finalize().into_bytes();
            HmacSha256::new_from_slice(&key).expect("HMAC takes keys of any length")
        };
        let fingerprint = hex::encode(&sub(b"custode fingerprint v1").finalize().into_bytes()[..8]);
        Keys {
            suppression: sub(b"custode suppression v1"),
            audit: sub(b"custode audit v1"),
            file: sub(b"custode file digest v1"),
            fingerprint,
        }
    }

    /// The file digest as stored (with the import batch, in the audit log): the file's SHA-256 (64
    /// hex digits) keyed with the installation secret, 64 hex digits. The plain SHA-256 of a one-line
    /// file is the hash of one email, which anyone can recompute from a guess; this one, only with
    /// the key file. The same file gives the same digest, so a re-import is still recognised.
    pub fn file_digest(&self, sha256_hex: &str) -> String {
        let mut mac = self.file.clone();
        mac.update(sha256_hex.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The suppression hash of an identity key (`Identity::key`). Cloning the pre-keyed state costs a
    /// copy, not a re-key: this runs once per identity of every imported record.
    pub fn suppression_hash(&self, identity_key: &str) -> [u8; 32] {
        let mut mac = self.suppression.clone();
        mac.update(identity_key.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// A keyed hash over audit entry parts, each length-prefixed so no two different entries encode the
    /// same bytes.
    pub fn audit_hash(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = self.audit.clone();
        for part in parts {
            mac.update(&(part.len() as u64).to_le_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    /// Keys for tests that do not need a data directory.
    pub fn for_tests(secret: &[u8]) -> Keys {
        Keys::derive(secret)
    }
}

/// Reads the secret in `data_dir`, creating it on first use.
pub fn load_or_create(data_dir: &Path) -> Result<(Keys, bool), StoreError> {
    let path = data_dir.join(SECRET_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => {
            check_permissions(&path)?;
            let bytes = hex::decode(text.trim())
                .ok()
                .filter(|b| b.len() == 32)
                .ok_or_else(|| {
                    data_dir_error(
                        data_dir,
                        &format!(
                            "`{SECRET_FILE}` is not 64 hex digits; restore it from your backup"
                        ),
                    )
                })?;
            Ok((Keys::derive(&bytes), false))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut secret = [0u8; 32];
            rand::rng().fill_bytes(&mut secret);
            write_private(&path, hex::encode(secret).as_bytes())?;
            Ok((Keys::derive(&secret), true))
        }
        Err(e) => Err(StoreError::io(
            "cannot read the installation secret",
            &path,
            e,
        )),
    }
}

fn write_private(path: &PathBuf, contents: &[u8]) -> Result<(), StoreError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| StoreError::io("cannot create the installation secret", path, e))?;
    file.write_all(contents)
        .and_then(|_| file.sync_all())
        .map_err(|e| StoreError::io("cannot write the installation secret", path, e))
}

#[cfg(unix)]
fn check_permissions(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)
        .map_err(|e| StoreError::io("cannot read the installation secret", path, e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(StoreError::Setup(format!(
            "`{}` is readable by other users (mode {:o}): run `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_: &Path) -> Result<(), StoreError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_created_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let (k1, created) = load_or_create(dir.path()).unwrap();
        assert!(created);
        let (k2, created) = load_or_create(dir.path()).unwrap();
        assert!(!created);
        assert_eq!(k1.fingerprint, k2.fingerprint);
        assert_eq!(
            k1.suppression_hash("e:a@b.it"),
            k2.suppression_hash("e:a@b.it")
        );
        assert_ne!(
            k1.suppression_hash("e:a@b.it"),
            k1.suppression_hash("e:a@b.i")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(SECRET_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn another_installation_hashes_differently() {
        let a = Keys::for_tests(&[1; 32]);
        let b = Keys::for_tests(&[2; 32]);
        assert_ne!(
            a.suppression_hash("e:a@b.it"),
            b.suppression_hash("e:a@b.it")
        );
        assert_ne!(a.audit_hash(&[b"x"]), a.suppression_hash("x"));
        // Length prefixes keep ("ab","c") and ("a","bc") apart.
        assert_ne!(a.audit_hash(&[b"ab", b"c"]), a.audit_hash(&[b"a", b"bc"]));
    }

    #[cfg(unix)]
    #[test]
    fn a_world_readable_secret_is_refused_with_the_fix() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        load_or_create(dir.path()).unwrap();
        let path = dir.path().join(SECRET_FILE);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = load_or_create(dir.path()).err().unwrap().to_string();
        assert!(err.contains("chmod 600"), "{err}");
    }
}
