//! Key index files (`index/`).
//!
//! Mirrors Java `IndexFile`, `IndexHeader` and `IndexService`.
//!
//! File layout (named `yyyyMMddHHmmssSSS`, local time of creation; default 420,000,040 bytes):
//!
//! ```text
//! header (40 bytes):
//!   0 long beginTimestamp   8 long endTimestamp   16 long beginPhyOffset   24 long endPhyOffset
//!  32 int  hashSlotCount   36 int  indexCount (starts at 1; entry 0 is never used)
//! slots at 40: hashSlotNum x int  = number of the newest entry in the slot, 0 = empty
//! entries at 40 + hashSlotNum*4: indexNum x 20 bytes
//!   0 int keyHash (abs(String.hashCode), MIN_VALUE -> 0)   4 long phyOffset
//!  12 int timeDiff (seconds since beginTimestamp)          16 int previous entry in the chain
//! ```
//!
//! Keys are `<topic>#<UNIQ_KEY>` and `<topic>#<each KEYS token>`; slot = keyHash % hashSlotNum.
//! Queries compare hashes only (callers re-check the key). Concurrency: one writer (the
//! dispatcher); an entry is fully written before the slot that publishes it is stored with
//! release ordering, and readers load slots with acquire ordering.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, AtomicI64, Ordering};
use std::sync::Arc;

use parking_lot::RwLock;
use protocol::message::java_string_hash;
use protocol::message::sysflag;

use crate::checkpoint::StoreCheckpoint;
use crate::mapped_file::MappedFile;
use crate::message::DispatchRequest;

/// `IndexHeader.INDEX_HEADER_SIZE`.
pub const INDEX_HEADER_SIZE: usize = 40;
const HASH_SLOT_SIZE: usize = 4;
const INDEX_SIZE: usize = 20;

/// `IndexFile.indexKeyHashMethod`.
pub fn index_key_hash(key: &str) -> i32 {
    let h = java_string_hash(key).wrapping_abs();
    if h < 0 {
        0
    } else {
        h
    }
}

/// One index file (`IndexFile`).
pub struct IndexFile {
    mf: MappedFile,
    hash_slot_num: usize,
    index_num: usize,
    begin_timestamp: AtomicI64,
    end_timestamp: AtomicI64,
    begin_phy_offset: AtomicI64,
    end_phy_offset: AtomicI64,
    hash_slot_count: AtomicI32,
    index_count: AtomicI32,
}

impl std::fmt::Debug for IndexFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexFile")
            .field("file", &self.mf.path())
            .finish()
    }
}

impl IndexFile {
    /// Total file size for the given geometry.
    pub fn file_size(hash_slot_num: usize, index_num: usize) -> usize {
        INDEX_HEADER_SIZE + hash_slot_num * HASH_SLOT_SIZE + index_num * INDEX_SIZE
    }

    /// Open or create; a new file is seeded with the previous file's end offset/time.
    pub fn open(
        path: &Path,
        hash_slot_num: usize,
        index_num: usize,
        end_phy_offset: i64,
        end_timestamp: i64,
    ) -> crate::Result<Self> {
        let mf = MappedFile::open_with_offset(path, Self::file_size(hash_slot_num, index_num), 0)?;
        let f = IndexFile {
            mf,
            hash_slot_num,
            index_num,
            begin_timestamp: AtomicI64::new(0),
            end_timestamp: AtomicI64::new(0),
            begin_phy_offset: AtomicI64::new(0),
            end_phy_offset: AtomicI64::new(0),
            hash_slot_count: AtomicI32::new(0),
            index_count: AtomicI32::new(1),
        };
        if end_phy_offset > 0 {
            f.set_begin_phy_offset(end_phy_offset);
            f.set_end_phy_offset(end_phy_offset);
        }
        if end_timestamp > 0 {
            f.set_begin_timestamp(end_timestamp);
            f.set_end_timestamp(end_timestamp);
        }
        Ok(f)
    }

    /// `load()`: read the header.
    pub fn load_header(&self) {
        let l = |p| self.read_i64(p);
        self.begin_timestamp.store(l(0), Ordering::Release);
        self.end_timestamp.store(l(8), Ordering::Release);
        self.begin_phy_offset.store(l(16), Ordering::Release);
        self.end_phy_offset.store(l(24), Ordering::Release);
        self.hash_slot_count
            .store(self.read_i32(32), Ordering::Release);
        let ic = self.read_i32(36);
        self.index_count
            .store(if ic <= 0 { 1 } else { ic }, Ordering::Release);
    }

    fn read_i64(&self, pos: usize) -> i64 {
        self.mf
            .raw(pos, 8)
            .map(|b| {
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                i64::from_be_bytes(a)
            })
            .unwrap_or(0)
    }
    fn read_i32(&self, pos: usize) -> i32 {
        self.mf
            .raw(pos, 4)
            .map(|b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .unwrap_or(0)
    }
    fn slot(&self, slot_pos: usize) -> Option<&AtomicI32> {
        let abs = INDEX_HEADER_SIZE + slot_pos * HASH_SLOT_SIZE;
        let b = self.mf.raw(abs, 4)?;
        // SAFETY: 4-byte aligned (page-aligned mapping + 40 + 4k), in bounds, and only ever
        // accessed atomically after creation.
        Some(unsafe { &*(b.as_ptr() as *const AtomicI32) })
    }

    fn set_begin_timestamp(&self, v: i64) {
        self.begin_timestamp.store(v, Ordering::Release);
        self.mf.write_at(0, &v.to_be_bytes());
    }
    fn set_end_timestamp(&self, v: i64) {
        self.end_timestamp.store(v, Ordering::Release);
        self.mf.write_at(8, &v.to_be_bytes());
    }
    fn set_begin_phy_offset(&self, v: i64) {
        self.begin_phy_offset.store(v, Ordering::Release);
        self.mf.write_at(16, &v.to_be_bytes());
    }
    fn set_end_phy_offset(&self, v: i64) {
        self.end_phy_offset.store(v, Ordering::Release);
        self.mf.write_at(24, &v.to_be_bytes());
    }

    /// File name.
    pub fn file_name(&self) -> String {
        self.mf.file_name()
    }
    /// Path.
    pub fn path(&self) -> &Path {
        self.mf.path()
    }
    /// beginTimestamp.
    pub fn begin_timestamp(&self) -> i64 {
        self.begin_timestamp.load(Ordering::Acquire)
    }
    /// endTimestamp.
    pub fn end_timestamp(&self) -> i64 {
        self.end_timestamp.load(Ordering::Acquire)
    }
    /// beginPhyOffset.
    pub fn begin_phy_offset(&self) -> i64 {
        self.begin_phy_offset.load(Ordering::Acquire)
    }
    /// endPhyOffset.
    pub fn end_phy_offset(&self) -> i64 {
        self.end_phy_offset.load(Ordering::Acquire)
    }
    /// indexCount.
    pub fn index_count(&self) -> i32 {
        self.index_count.load(Ordering::Acquire)
    }
    /// hashSlotCount.
    pub fn hash_slot_count(&self) -> i32 {
        self.hash_slot_count.load(Ordering::Acquire)
    }
    /// `isWriteFull`.
    pub fn is_write_full(&self) -> bool {
        self.index_count() as usize >= self.index_num
    }

    /// `putKey(key, phyOffset, storeTimestamp)`; false if full.
    pub fn put_key(&self, key: &str, phy_offset: i64, store_timestamp: i64) -> bool {
        let count = self.index_count();
        if count as usize >= self.index_num {
            return false;
        }
        let key_hash = index_key_hash(key);
        let slot_pos = key_hash as usize % self.hash_slot_num;
        let Some(slot) = self.slot(slot_pos) else {
            return false;
        };
        let mut slot_value = i32::from_be(slot.load(Ordering::Acquire));
        if slot_value <= 0 || slot_value > count {
            slot_value = 0;
        }
        let begin = self.begin_timestamp();
        let mut time_diff = (store_timestamp - begin) / 1000;
        if begin <= 0 {
            time_diff = 0;
        } else if time_diff > i64::from(i32::MAX) {
            time_diff = i64::from(i32::MAX);
        } else if time_diff < 0 {
            time_diff = 0;
        }
        let abs =
            INDEX_HEADER_SIZE + self.hash_slot_num * HASH_SLOT_SIZE + count as usize * INDEX_SIZE;
        let mut e = [0u8; INDEX_SIZE];
        e[0..4].copy_from_slice(&key_hash.to_be_bytes());
        e[4..12].copy_from_slice(&phy_offset.to_be_bytes());
        e[12..16].copy_from_slice(&(time_diff as i32).to_be_bytes());
        e[16..20].copy_from_slice(&slot_value.to_be_bytes());
        if !self.mf.write_at(abs, &e) {
            return false;
        }
        slot.store(count.to_be(), Ordering::Release);
        if count <= 1 {
            self.set_begin_phy_offset(phy_offset);
            self.set_begin_timestamp(store_timestamp);
        }
        if slot_value == 0 {
            let c = self.hash_slot_count.fetch_add(1, Ordering::AcqRel) + 1;
            self.mf.write_at(32, &c.to_be_bytes());
        }
        let c = count + 1;
        self.mf.write_at(36, &c.to_be_bytes());
        self.index_count.store(c, Ordering::Release);
        self.set_end_phy_offset(phy_offset);
        self.set_end_timestamp(store_timestamp);
        true
    }

    /// `isTimeMatched(begin, end)`.
    pub fn is_time_matched(&self, begin: i64, end: i64) -> bool {
        let (b, e) = (self.begin_timestamp(), self.end_timestamp());
        (begin < b && end > e) || (begin >= b && begin <= e) || (end >= b && end <= e)
    }

    /// `selectPhyOffset`: append matching physical offsets (hash + time) to `out`.
    pub fn select_phy_offsets(
        &self,
        out: &mut Vec<i64>,
        key: &str,
        max_num: usize,
        begin: i64,
        end: i64,
    ) {
        let key_hash = index_key_hash(key);
        let slot_pos = key_hash as usize % self.hash_slot_num;
        let Some(slot) = self.slot(slot_pos) else {
            return;
        };
        let count = self.index_count();
        let slot_value = i32::from_be(slot.load(Ordering::Acquire));
        if slot_value <= 0 || slot_value > count || count <= 1 {
            return;
        }
        let base = self.begin_timestamp();
        let mut next = slot_value;
        loop {
            if out.len() >= max_num {
                break;
            }
            let abs = INDEX_HEADER_SIZE
                + self.hash_slot_num * HASH_SLOT_SIZE
                + next as usize * INDEX_SIZE;
            let Some(b) = self.mf.raw(abs, INDEX_SIZE) else {
                break;
            };
            let hash_read = i32::from_be_bytes([b[0], b[1], b[2], b[3]]);
            let mut a = [0u8; 8];
            a.copy_from_slice(&b[4..12]);
            let phy = i64::from_be_bytes(a);
            let time_diff = i64::from(i32::from_be_bytes([b[12], b[13], b[14], b[15]]));
            let prev = i32::from_be_bytes([b[16], b[17], b[18], b[19]]);
            if time_diff < 0 {
                break;
            }
            let time_read = base + time_diff * 1000;
            if hash_read == key_hash && time_read >= begin && time_read <= end {
                out.push(phy);
            }
            if prev <= 0 || prev > count || prev == next || time_read < begin {
                break;
            }
            next = prev;
        }
    }

    /// `flush()`: write the header and msync the whole file.
    pub fn flush(&self) {
        self.mf.force();
    }

    /// Delete the file.
    pub fn destroy(&self) -> bool {
        self.mf.destroy()
    }
}

/// Result of an index lookup (`QueryOffsetResult`).
#[derive(Debug, Clone, Default)]
pub struct QueryOffsetResult {
    /// Physical offsets (hash matches).
    pub phy_offsets: Vec<i64>,
    /// End timestamp of the newest file.
    pub index_last_update_timestamp: i64,
    /// End physical offset of the newest file.
    pub index_last_update_phyoffset: i64,
}

/// All index files (`IndexService`).
pub struct IndexService {
    dir: PathBuf,
    hash_slot_num: usize,
    index_num: usize,
    max_msgs_num_batch: usize,
    files: RwLock<Vec<Arc<IndexFile>>>,
    checkpoint: Arc<StoreCheckpoint>,
}

impl std::fmt::Debug for IndexService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexService")
            .field("dir", &self.dir)
            .finish()
    }
}

/// `UtilAll.timeMillisToHumanString`: `yyyyMMddHHmmssSSS` in local time.
pub fn time_millis_to_human_string(ms: i64) -> String {
    let secs = ms.div_euclid(1000) as libc::time_t;
    // SAFETY: localtime_r only writes the provided struct.
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&secs, &mut tm).is_null() {
            return format!("{ms:017}");
        }
        tm
    };
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}{:03}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        ms.rem_euclid(1000)
    )
}

impl IndexService {
    /// New service.
    pub fn new(
        dir: PathBuf,
        hash_slot_num: usize,
        index_num: usize,
        max_msgs_num_batch: usize,
        checkpoint: Arc<StoreCheckpoint>,
    ) -> Self {
        IndexService {
            dir,
            hash_slot_num,
            index_num,
            max_msgs_num_batch,
            files: RwLock::new(Vec::new()),
            checkpoint,
        }
    }

    /// `load(lastExitOK)`: after an abnormal exit, files newer than the checkpoint's
    /// indexMsgTimestamp are deleted.
    pub fn load(&self, last_exit_ok: bool) -> crate::Result<()> {
        let rd = match std::fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => {
                return Err(crate::StoreError::Io {
                    path: self.dir.clone(),
                    source: e,
                })
            }
        };
        let mut paths: Vec<PathBuf> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        paths.sort();
        let mut files = Vec::new();
        for p in paths {
            let f = IndexFile::open(&p, self.hash_slot_num, self.index_num, 0, 0)?;
            f.load_header();
            if !last_exit_ok && f.end_timestamp() > self.checkpoint.index_msg_timestamp() {
                tracing::info!(file = %p.display(), "abnormal exit: dropping index file newer than checkpoint");
                f.destroy();
                continue;
            }
            files.push(Arc::new(f));
        }
        *self.files.write() = files;
        Ok(())
    }

    /// Snapshot of the files.
    pub fn files(&self) -> Vec<Arc<IndexFile>> {
        self.files.read().clone()
    }

    /// `getAndCreateLastIndexFile`.
    fn last_or_create(&self) -> Option<Arc<IndexFile>> {
        let (prev, end_phy, end_ts) = {
            let files = self.files.read();
            match files.last() {
                Some(f) if !f.is_write_full() => return Some(Arc::clone(f)),
                Some(f) => (Some(Arc::clone(f)), f.end_phy_offset(), f.end_timestamp()),
                None => (None, 0, 0),
            }
        };
        let mut now = crate::mapped_file::now_ms();
        let mut path = self.dir.join(time_millis_to_human_string(now));
        while path.exists() {
            now += 1;
            path = self.dir.join(time_millis_to_human_string(now));
        }
        let f = match IndexFile::open(&path, self.hash_slot_num, self.index_num, end_phy, end_ts) {
            Ok(f) => Arc::new(f),
            Err(e) => {
                tracing::error!(error = %e, "create index file failed");
                return None;
            }
        };
        self.files.write().push(Arc::clone(&f));
        if let Some(prev) = prev {
            let cp = Arc::clone(&self.checkpoint);
            let spawn = std::thread::Builder::new()
                .name("FlushIndexFileThread".into())
                .spawn(move || Self::flush_file(&prev, &cp));
            if let Err(e) = spawn {
                tracing::error!(error = %e, "cannot spawn index flush thread");
            }
        }
        Some(f)
    }

    /// `flush(IndexFile)`: msync; a full file moves the checkpoint's indexMsgTimestamp.
    pub fn flush_file(f: &IndexFile, cp: &StoreCheckpoint) {
        let ts = if f.is_write_full() {
            f.end_timestamp()
        } else {
            0
        };
        f.flush();
        if ts > 0 {
            cp.set_index_msg_timestamp(ts);
            if let Err(e) = cp.flush() {
                tracing::error!(error = %e, "checkpoint flush failed");
            }
        }
    }

    /// Flush every file (shutdown).
    pub fn flush_all(&self) {
        for f in self.files() {
            f.flush();
        }
    }

    /// `buildIndex(DispatchRequest)`. Returns false if the index could not be written.
    pub fn build_index(&self, req: &DispatchRequest) -> bool {
        let Some(mut file) = self.last_or_create() else {
            return false;
        };
        if req.commit_log_offset < file.end_phy_offset() {
            return true;
        }
        if sysflag::transaction_value(req.sys_flag) == sysflag::TRANSACTION_ROLLBACK_TYPE {
            return true;
        }
        let mut put = |key: String| -> bool {
            loop {
                if file.put_key(&key, req.commit_log_offset, req.store_timestamp) {
                    return true;
                }
                match self.last_or_create() {
                    Some(f) if !Arc::ptr_eq(&f, &file) => file = f,
                    _ => return false,
                }
            }
        };
        if let Some(u) = &req.uniq_key {
            if !put(format!("{}#{}", req.topic, u)) {
                return false;
            }
        }
        for k in req.keys.split(' ') {
            if !k.is_empty() && !put(format!("{}#{}", req.topic, k)) {
                return false;
            }
        }
        true
    }

    /// `queryOffset(topic, key, maxNum, begin, end)`.
    pub fn query_offset(
        &self,
        topic: &str,
        key: &str,
        max_num: usize,
        begin: i64,
        end: i64,
    ) -> QueryOffsetResult {
        let max_num = max_num.min(self.max_msgs_num_batch);
        let mut r = QueryOffsetResult::default();
        let files = self.files();
        let full_key = format!("{topic}#{key}");
        for (i, f) in files.iter().enumerate().rev() {
            if i + 1 == files.len() {
                r.index_last_update_timestamp = f.end_timestamp();
                r.index_last_update_phyoffset = f.end_phy_offset();
            }
            if f.is_time_matched(begin, end) {
                f.select_phy_offsets(&mut r.phy_offsets, &full_key, max_num, begin, end);
            }
            if f.begin_timestamp() < begin || r.phy_offsets.len() >= max_num {
                break;
            }
        }
        r
    }

    /// `deleteExpiredFile(minCommitLogOffset)`: delete files (except the last) whose
    /// endPhyOffset < offset.
    pub fn delete_expired_file(&self, offset: i64) {
        let files = self.files();
        if files.first().is_none_or(|f| f.end_phy_offset() >= offset) {
            return;
        }
        let mut victims = Vec::new();
        for f in files.iter().take(files.len().saturating_sub(1)) {
            if f.end_phy_offset() < offset {
                victims.push(Arc::clone(f));
            } else {
                break;
            }
        }
        if victims.is_empty() {
            return;
        }
        let mut w = self.files.write();
        for v in &victims {
            v.destroy();
            w.retain(|f| !Arc::ptr_eq(f, v));
        }
    }

    /// Delete everything.
    pub fn destroy(&self) {
        let mut w = self.files.write();
        for f in w.drain(..) {
            f.destroy();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_examples() {
        assert_eq!(java_string_hash("TopicTest#OrderID001"), -1231272886);
        assert_eq!(index_key_hash("TopicTest#OrderID001"), 1231272886);
        assert_eq!(
            index_key_hash("TopicTest#OrderID001") as usize % 5_000_000,
            1272886
        );
    }

    #[test]
    fn put_and_query_with_rollover() {
        let d = tempfile::tempdir().unwrap();
        let cp = Arc::new(StoreCheckpoint::open(&d.path().join("checkpoint")).unwrap());
        let svc = IndexService::new(d.path().join("index"), 16, 5, 64, Arc::clone(&cp));
        let now = 1_700_000_000_000i64;
        for i in 0..10i64 {
            let req = DispatchRequest {
                topic: "T".into(),
                commit_log_offset: i * 100,
                store_timestamp: now + i * 1000,
                keys: format!("k{} common", i % 3),
                uniq_key: Some(format!("U{i}")),
                success: true,
                ..Default::default()
            };
            assert!(svc.build_index(&req));
        }
        // 10 messages x 3 keys = 30 entries, 4 per file
        assert!(svc.files().len() >= 7);
        let r = svc.query_offset("T", "common", 64, 0, i64::MAX);
        let mut got = r.phy_offsets.clone();
        got.sort();
        assert_eq!(got, (0..10).map(|i| i * 100).collect::<Vec<_>>());
        let r = svc.query_offset("T", "U7", 64, 0, i64::MAX);
        assert_eq!(r.phy_offsets, vec![700]);
        let r = svc.query_offset("T", "k1", 64, 0, i64::MAX);
        let mut got = r.phy_offsets;
        got.sort();
        assert_eq!(got, vec![100, 400, 700]);
        assert_eq!(r.index_last_update_phyoffset, 900);
        // reload after normal exit
        std::thread::sleep(std::time::Duration::from_millis(50));
        let svc2 = IndexService::new(d.path().join("index"), 16, 5, 64, Arc::clone(&cp));
        svc2.load(true).unwrap();
        let r = svc2.query_offset("T", "U3", 64, 0, i64::MAX);
        assert_eq!(r.phy_offsets, vec![300]);
        svc2.delete_expired_file(500);
        assert!(svc2.files().first().unwrap().end_phy_offset() >= 500);
    }
}
