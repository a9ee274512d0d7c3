//! The `checkpoint` file.
//!
//! Mirrors Java `StoreCheckpoint`. One 4096-byte file (an OS page); only the first 24 bytes are
//! used, big-endian:
//!
//! ```text
//! off len field
//!   0   8 physicMsgTimestamp  store time of the last flushed commitlog write
//!   8   8 logicsMsgTimestamp  store time of the last consume-queue write (persisted on thorough CQ flush)
//!  16   8 indexMsgTimestamp   end timestamp of the last full, flushed index file
//! ```
//!
//! `min_timestamp() = max(0, min(physic, logics) - 3000)` selects the file where abnormal
//! recovery starts.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};

use crate::error::{IoContext, Result};

/// `StoreCheckpoint`.
#[derive(Debug)]
pub struct StoreCheckpoint {
    path: PathBuf,
    file: File,
    physic_msg_timestamp: AtomicI64,
    logics_msg_timestamp: AtomicI64,
    index_msg_timestamp: AtomicI64,
}

impl StoreCheckpoint {
    /// Open (creating a zeroed 4096-byte file if missing).
    pub fn open(path: &Path) -> Result<Self> {
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
        if file.metadata().at(path)?.len() < 4096 {
            file.set_len(4096).at(path)?;
        }
        let mut b = [0u8; 24];
        file.read_exact_at(&mut b, 0).at(path)?;
        let rd = |i: usize| {
            let mut a = [0u8; 8];
            a.copy_from_slice(&b[i..i + 8]);
            i64::from_be_bytes(a)
        };
        Ok(StoreCheckpoint {
            path: path.to_path_buf(),
            file,
            physic_msg_timestamp: AtomicI64::new(rd(0)),
            logics_msg_timestamp: AtomicI64::new(rd(8)),
            index_msg_timestamp: AtomicI64::new(rd(16)),
        })
    }

    /// Write the three timestamps and fsync.
    pub fn flush(&self) -> Result<()> {
        let mut b = [0u8; 24];
        b[0..8].copy_from_slice(&self.physic_msg_timestamp().to_be_bytes());
        b[8..16].copy_from_slice(&self.logics_msg_timestamp().to_be_bytes());
        b[16..24].copy_from_slice(&self.index_msg_timestamp().to_be_bytes());
        self.file.write_all_at(&b, 0).at(&self.path)?;
        self.file.sync_data().at(&self.path)
    }

    /// physicMsgTimestamp.
    pub fn physic_msg_timestamp(&self) -> i64 {
        self.physic_msg_timestamp.load(Ordering::Acquire)
    }
    /// Set physicMsgTimestamp.
    pub fn set_physic_msg_timestamp(&self, v: i64) {
        self.physic_msg_timestamp.store(v, Ordering::Release);
    }
    /// logicsMsgTimestamp.
    pub fn logics_msg_timestamp(&self) -> i64 {
        self.logics_msg_timestamp.load(Ordering::Acquire)
    }
    /// Set logicsMsgTimestamp.
    pub fn set_logics_msg_timestamp(&self, v: i64) {
        self.logics_msg_timestamp.store(v, Ordering::Release);
    }
    /// indexMsgTimestamp.
    pub fn index_msg_timestamp(&self) -> i64 {
        self.index_msg_timestamp.load(Ordering::Acquire)
    }
    /// Set indexMsgTimestamp.
    pub fn set_index_msg_timestamp(&self, v: i64) {
        self.index_msg_timestamp.store(v, Ordering::Release);
    }
    /// `getMinTimestamp`.
    pub fn min_timestamp(&self) -> i64 {
        (self.physic_msg_timestamp().min(self.logics_msg_timestamp()) - 3000).max(0)
    }
    /// `getMinTimestampIndex`.
    pub fn min_timestamp_index(&self) -> i64 {
        self.min_timestamp().min(self.index_msg_timestamp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("checkpoint");
        let c = StoreCheckpoint::open(&p).unwrap();
        assert_eq!(c.min_timestamp(), 0);
        c.set_physic_msg_timestamp(10_000);
        c.set_logics_msg_timestamp(20_000);
        c.set_index_msg_timestamp(5);
        c.flush().unwrap();
        drop(c);
        assert_eq!(std::fs::metadata(&p).unwrap().len(), 4096);
        let c = StoreCheckpoint::open(&p).unwrap();
        assert_eq!(c.physic_msg_timestamp(), 10_000);
        assert_eq!(c.min_timestamp(), 7_000);
        assert_eq!(c.min_timestamp_index(), 5);
        let raw = std::fs::read(&p).unwrap();
        assert_eq!(&raw[0..8], &10_000i64.to_be_bytes());
    }
}
