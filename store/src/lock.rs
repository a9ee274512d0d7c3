//! The `lock` file: a POSIX record lock on byte 0, compatible with Java's
//! `FileChannel.tryLock(0, 1, false)` (which is an `fcntl(F_SETLK)` write lock on Linux), so a
//! Java broker and this store exclude each other. `flock(2)` would NOT conflict with Java's
//! lock, hence `fcntl`. After locking, the 4 ASCII bytes `lock` are written at position 0 and
//! synced, as Java does.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

use crate::error::{IoContext, Result, StoreError};

/// A held store lock; released when dropped (closing the fd releases POSIX locks).
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
    path: PathBuf,
}

impl StoreLock {
    /// Try to take the lock without waiting.
    pub fn acquire(path: &Path) -> Result<StoreLock> {
        if let Some(d) = path.parent() {
            std::fs::create_dir_all(d).at(d)?;
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .at(path)?;
        // SAFETY: plain fcntl call with a fully initialised flock struct.
        let rc = unsafe {
            let mut fl: libc::flock = std::mem::zeroed();
            fl.l_type = libc::F_WRLCK as libc::c_short;
            fl.l_whence = libc::SEEK_SET as libc::c_short;
            fl.l_start = 0;
            fl.l_len = 1;
            libc::fcntl(file.as_raw_fd(), libc::F_SETLK, &fl)
        };
        if rc != 0 {
            let err = std::io::Error::last_os_error();
            return match err.raw_os_error() {
                Some(libc::EAGAIN) | Some(libc::EACCES) => {
                    Err(StoreError::Locked(path.to_path_buf()))
                }
                _ => Err(StoreError::Io {
                    path: path.to_path_buf(),
                    source: err,
                }),
            };
        }
        file.write_all_at(b"lock", 0).at(path)?;
        file.sync_all().at(path)?;
        Ok(StoreLock {
            _file: file,
            path: path.to_path_buf(),
        })
    }

    /// Lock file path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether another process holds the lock (`F_GETLK`); `false` if we hold it ourselves.
    pub fn is_locked_by_other(path: &Path) -> Result<bool> {
        let file = match OpenOptions::new().read(true).write(true).open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => {
                return Err(StoreError::Io {
                    path: path.to_path_buf(),
                    source: e,
                })
            }
        };
        // SAFETY: plain fcntl call with a fully initialised flock struct.
        unsafe {
            let mut fl: libc::flock = std::mem::zeroed();
            fl.l_type = libc::F_WRLCK as libc::c_short;
            fl.l_whence = libc::SEEK_SET as libc::c_short;
            fl.l_start = 0;
            fl.l_len = 1;
            if libc::fcntl(file.as_raw_fd(), libc::F_GETLK, &mut fl) != 0 {
                return Err(StoreError::Io {
                    path: path.to_path_buf(),
                    source: std::io::Error::last_os_error(),
                });
            }
            Ok(fl.l_type != libc::F_UNLCK as libc::c_short)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_writes_marker() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("lock");
        let l = StoreLock::acquire(&p).unwrap();
        assert_eq!(&std::fs::read(&p).unwrap()[..4], b"lock");
        // POSIX locks are per process: a second acquire in the same process succeeds, so the
        // cross-process exclusion is tested with a child process in tests/lock_child.rs.
        drop(l);
        assert!(!StoreLock::is_locked_by_other(&p).unwrap());
    }
}
