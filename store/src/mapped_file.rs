//! Memory-mapped store files and ordered queues of them.
//!
//! Mirrors Java `MappedFile`, `MappedFileQueue` and `SelectMappedBufferResult`.
//!
//! A file is named by the 20-digit, zero-padded decimal offset of its first byte in the
//! queue's virtual address space (`UtilAll.offset2FileName`), created at its full size
//! (sparse, zero filled) and mapped whole. Each file tracks:
//!
//! ```text
//! 0 ........ flushed_position ........ wrote_position ........ file_size
//!   [ durable ]  [ written, readable, not yet msync'ed ]  [ free (zeros) ]
//! ```
//!
//! Readers only look below `wrote_position` (loaded with `Acquire`); the single writer (who
//! holds the owner's append lock) copies bytes above it and then publishes the new position
//! with `Release`, so readers never see partially written records. Reads are zero copy:
//! [`MappedFile::select`] returns `bytes::Bytes` whose owner keeps the mapping alive (an
//! `Arc<MappedFile>`), so a file deleted by cleanup stays mapped until the last slice is dropped.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use memmap2::MmapRaw;
use parking_lot::{Mutex, RwLock};

use crate::error::{IoContext, Result, StoreError};

/// `MappedFile.OS_PAGE_SIZE`.
pub const OS_PAGE_SIZE: usize = 4096;

/// `UtilAll.offset2FileName`: 20-digit zero-padded decimal.
pub fn offset_to_file_name(offset: i64) -> String {
    format!("{offset:020}")
}

/// One mapped file (`MappedFile`).
pub struct MappedFile {
    path: PathBuf,
    file_from_offset: i64,
    file_size: usize,
    mmap: MmapRaw,
    _file: File,
    wrote_position: AtomicUsize,
    flushed_position: AtomicUsize,
    store_timestamp: AtomicI64,
    first_create_in_queue: AtomicBool,
    available: AtomicBool,
}

impl std::fmt::Debug for MappedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MappedFile")
            .field("path", &self.path)
            .field("wrote", &self.wrote_position())
            .finish()
    }
}

impl MappedFile {
    /// Open (creating and extending to `file_size` if needed) and map a file whose name is its
    /// start offset.
    pub fn open(path: &Path, file_size: usize) -> Result<Self> {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| StoreError::Corrupt(format!("bad file name {}", path.display())))?;
        let file_from_offset: i64 = name.parse().map_err(|_| {
            StoreError::Corrupt(format!("file name is not an offset: {}", path.display()))
        })?;
        Self::open_with_offset(path, file_size, file_from_offset)
    }

    /// Open and map with an explicit start offset (index files are named by time).
    pub fn open_with_offset(path: &Path, file_size: usize, file_from_offset: i64) -> Result<Self> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).at(dir)?;
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .at(path)?;
        let len = file.metadata().at(path)?.len();
        if len < file_size as u64 {
            file.set_len(file_size as u64).at(path)?;
        }
        let mmap = memmap2::MmapOptions::new()
            .len(file_size)
            .map_raw(&file)
            .at(path)?;
        Ok(MappedFile {
            path: path.to_path_buf(),
            file_from_offset,
            file_size,
            mmap,
            _file: file,
            wrote_position: AtomicUsize::new(0),
            flushed_position: AtomicUsize::new(0),
            store_timestamp: AtomicI64::new(0),
            first_create_in_queue: AtomicBool::new(false),
            available: AtomicBool::new(true),
        })
    }

    /// Path on disk.
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// File name.
    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
    /// Offset of the first byte.
    pub fn file_from_offset(&self) -> i64 {
        self.file_from_offset
    }
    /// Size.
    pub fn file_size(&self) -> usize {
        self.file_size
    }
    /// Write position (= read position: no transient store pool).
    pub fn wrote_position(&self) -> usize {
        self.wrote_position.load(Ordering::Acquire)
    }
    /// Readable end.
    pub fn read_position(&self) -> usize {
        self.wrote_position()
    }
    /// Set the write position (recovery / truncation).
    pub fn set_wrote_position(&self, p: usize) {
        self.wrote_position
            .store(p.min(self.file_size), Ordering::Release);
    }
    /// Flushed position.
    pub fn flushed_position(&self) -> usize {
        self.flushed_position.load(Ordering::Acquire)
    }
    /// Set the flushed position.
    pub fn set_flushed_position(&self, p: usize) {
        self.flushed_position
            .store(p.min(self.file_size), Ordering::Release);
    }
    /// Whether the file is completely written.
    pub fn is_full(&self) -> bool {
        self.wrote_position() >= self.file_size
    }
    /// Store timestamp of the last message appended (commitlog only).
    pub fn store_timestamp(&self) -> i64 {
        self.store_timestamp.load(Ordering::Acquire)
    }
    /// Record the store timestamp of the last appended message.
    pub fn set_store_timestamp(&self, ts: i64) {
        self.store_timestamp.store(ts, Ordering::Release);
    }
    /// `isFirstCreateInQueue`.
    pub fn is_first_create_in_queue(&self) -> bool {
        self.first_create_in_queue.load(Ordering::Acquire)
    }
    fn set_first_create_in_queue(&self) {
        self.first_create_in_queue.store(true, Ordering::Release);
    }
    /// False once destroyed.
    pub fn is_available(&self) -> bool {
        self.available.load(Ordering::Acquire)
    }
    /// Last modification time of the file in ms (used by retention).
    pub fn last_modified_ms(&self) -> i64 {
        fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }

    fn ptr(&self) -> *mut u8 {
        self.mmap.as_mut_ptr()
    }

    /// Copy `data` to `pos` without moving the write position. The caller must own the
    /// region (it is at/after the write position, or no reader can see it yet).
    pub(crate) fn write_at(&self, pos: usize, data: &[u8]) -> bool {
        if pos
            .checked_add(data.len())
            .is_none_or(|end| end > self.file_size)
        {
            return false;
        }
        // SAFETY: the range is inside the mapping (checked above); callers guarantee that no
        // reader holds a slice over it (it is beyond the published read position).
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), self.ptr().add(pos), data.len()) };
        true
    }

    /// Append `data` at the write position and publish it (`appendMessage(byte[])`).
    /// Single writer only (the owner's append lock).
    pub fn append(&self, data: &[u8]) -> bool {
        let pos = self.wrote_position.load(Ordering::Acquire);
        if !self.write_at(pos, data) {
            return false;
        }
        self.wrote_position
            .store(pos + data.len(), Ordering::Release);
        true
    }

    /// Borrow `len` readable bytes at `pos` (`None` if beyond the read position).
    pub fn read(&self, pos: usize, len: usize) -> Option<&[u8]> {
        let end = pos.checked_add(len)?;
        if end > self.read_position() {
            return None;
        }
        // SAFETY: in bounds and below the published write position, so no writer touches it.
        Some(unsafe { std::slice::from_raw_parts(self.ptr().add(pos), len) })
    }

    /// Borrow any bytes of the mapping, including unpublished ones (recovery, before any
    /// concurrent access exists).
    pub(crate) fn raw(&self, pos: usize, len: usize) -> Option<&[u8]> {
        let end = pos.checked_add(len)?;
        if end > self.file_size {
            return None;
        }
        // SAFETY: in bounds; only used while the store is single threaded (load/recovery).
        Some(unsafe { std::slice::from_raw_parts(self.ptr().add(pos), len) })
    }

    /// `selectMappedBuffer(pos, size)`: zero-copy slice of `size` readable bytes.
    pub fn select(self: &Arc<Self>, pos: usize, size: usize) -> Option<SelectMappedBuffer> {
        let end = pos.checked_add(size)?;
        if end > self.read_position() || !self.is_available() {
            return None;
        }
        Some(SelectMappedBuffer {
            start_offset: self.file_from_offset + pos as i64,
            data: Bytes::from_owner(MmapSlice {
                file: Arc::clone(self),
                start: pos,
                len: size,
            }),
        })
    }

    /// `selectMappedBuffer(pos)`: everything readable from `pos`.
    pub fn select_from(self: &Arc<Self>, pos: usize) -> Option<SelectMappedBuffer> {
        let rp = self.read_position();
        if pos >= rp {
            return None;
        }
        self.select(pos, rp - pos)
    }

    /// `MappedFile.flush(leastPages)`: msync the dirty range if enough pages are dirty (or the
    /// file is full, or `least_pages == 0` and anything is dirty); returns the flushed position.
    pub fn flush(&self, least_pages: usize) -> usize {
        let flushed = self.flushed_position();
        let write = self.read_position();
        let able = if self.is_full() {
            write > flushed || flushed < self.file_size
        } else if least_pages > 0 {
            write / OS_PAGE_SIZE - flushed / OS_PAGE_SIZE >= least_pages
        } else {
            write > flushed
        };
        if able && write > flushed {
            if let Err(e) = self.mmap.flush_range(flushed, write - flushed) {
                tracing::error!(file = %self.path.display(), error = %e, "msync failed");
                return flushed;
            }
            self.set_flushed_position(write);
        } else if able {
            self.set_flushed_position(write);
        }
        self.flushed_position()
    }

    /// Flush the whole mapping regardless of positions (index files, shutdown).
    pub fn force(&self) -> bool {
        match self.mmap.flush() {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(file = %self.path.display(), error = %e, "msync failed");
                false
            }
        }
    }

    /// Delete the file from disk (`destroy`); the mapping stays valid for existing slices.
    pub fn destroy(&self) -> bool {
        self.available.store(false, Ordering::Release);
        match fs::remove_file(&self.path) {
            Ok(()) => true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
            Err(e) => {
                tracing::error!(file = %self.path.display(), error = %e, "delete failed");
                false
            }
        }
    }
}

/// Owner of a zero-copy slice of a mapping.
struct MmapSlice {
    file: Arc<MappedFile>,
    start: usize,
    len: usize,
}

impl AsRef<[u8]> for MmapSlice {
    fn as_ref(&self) -> &[u8] {
        // SAFETY: checked against the read position when created; the region below the read
        // position is never written again while the store runs (except after an explicit
        // truncation such as `reset_offset`, documented as invalidating readers).
        unsafe { std::slice::from_raw_parts(self.file.ptr().add(self.start), self.len) }
    }
}

/// A readable region of a mapped file (`SelectMappedBufferResult`).
#[derive(Clone, Debug)]
pub struct SelectMappedBuffer {
    /// Absolute offset of the first byte (queue address space).
    pub start_offset: i64,
    /// The bytes (zero copy; keeps the mapping alive).
    pub data: Bytes,
}

impl SelectMappedBuffer {
    /// Length.
    pub fn size(&self) -> usize {
        self.data.len()
    }
}

/// An ordered list of equally sized mapped files (`MappedFileQueue`).
pub struct MappedFileQueue {
    store_path: PathBuf,
    mapped_file_size: usize,
    files: RwLock<Vec<Arc<MappedFile>>>,
    flushed_where: AtomicI64,
    committed_where: AtomicI64,
    store_timestamp: AtomicI64,
    flush_lock: Mutex<()>,
}

impl std::fmt::Debug for MappedFileQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MappedFileQueue")
            .field("path", &self.store_path)
            .finish()
    }
}

impl MappedFileQueue {
    /// New, empty queue over `store_path`.
    pub fn new(store_path: impl Into<PathBuf>, mapped_file_size: usize) -> Self {
        MappedFileQueue {
            store_path: store_path.into(),
            mapped_file_size,
            files: RwLock::new(Vec::new()),
            flushed_where: AtomicI64::new(0),
            committed_where: AtomicI64::new(0),
            store_timestamp: AtomicI64::new(0),
            flush_lock: Mutex::new(()),
        }
    }

    /// Directory.
    pub fn store_path(&self) -> &Path {
        &self.store_path
    }
    /// Size of each file.
    pub fn mapped_file_size(&self) -> usize {
        self.mapped_file_size
    }

    /// `load()`: map every file in the directory (sorted by name). Each must have exactly the
    /// configured size; all are marked fully written until recovery fixes the positions.
    pub fn load(&self) -> Result<()> {
        let rd = match fs::read_dir(&self.store_path) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => {
                return Err(StoreError::Io {
                    path: self.store_path.clone(),
                    source: e,
                })
            }
        };
        let mut paths = Vec::new();
        for ent in rd {
            let ent = ent.at(&self.store_path)?;
            if ent.file_type().at(ent.path())?.is_file() {
                paths.push(ent.path());
            }
        }
        paths.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        let mut files = Vec::with_capacity(paths.len());
        for p in paths {
            let len = fs::metadata(&p).at(&p)?.len();
            if len != self.mapped_file_size as u64 {
                return Err(StoreError::FileSize {
                    path: p,
                    actual: len,
                    expected: self.mapped_file_size as u64,
                });
            }
            let mf = MappedFile::open(&p, self.mapped_file_size)?;
            mf.set_wrote_position(self.mapped_file_size);
            mf.set_flushed_position(self.mapped_file_size);
            files.push(Arc::new(mf));
        }
        *self.files.write() = files;
        Ok(())
    }

    /// Snapshot of the files.
    pub fn mapped_files(&self) -> Vec<Arc<MappedFile>> {
        self.files.read().clone()
    }
    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.read().len()
    }
    /// No files.
    pub fn is_empty(&self) -> bool {
        self.files.read().is_empty()
    }
    /// First file.
    pub fn first(&self) -> Option<Arc<MappedFile>> {
        self.files.read().first().cloned()
    }
    /// Last file (`getLastMappedFile()`).
    pub fn last(&self) -> Option<Arc<MappedFile>> {
        self.files.read().last().cloned()
    }

    /// `getLastMappedFile(startOffset, true)`: the last file, creating the next one if there is
    /// none (at `start_offset` rounded down) or the last is full.
    pub fn last_or_create(&self, start_offset: i64) -> Option<Arc<MappedFile>> {
        let last = self.last();
        let size = self.mapped_file_size as i64;
        let create_offset = match &last {
            None => Some(start_offset - start_offset.rem_euclid(size)),
            Some(l) if l.is_full() => Some(l.file_from_offset() + size),
            Some(_) => None,
        };
        match create_offset {
            None => last,
            Some(off) => {
                let path = self.store_path.join(offset_to_file_name(off));
                match MappedFile::open(&path, self.mapped_file_size) {
                    Ok(mf) => {
                        let mf = Arc::new(mf);
                        let mut files = self.files.write();
                        if files.is_empty() {
                            mf.set_first_create_in_queue();
                        }
                        files.push(Arc::clone(&mf));
                        Some(mf)
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "create mapped file failed");
                        None
                    }
                }
            }
        }
    }

    /// `findMappedFileByOffset(offset, returnFirstOnNotFound)`.
    pub fn find_by_offset(
        &self,
        offset: i64,
        return_first_on_not_found: bool,
    ) -> Option<Arc<MappedFile>> {
        let files = self.files.read();
        let first = files.first()?;
        let last = files.last()?;
        let size = self.mapped_file_size as i64;
        if offset >= first.file_from_offset() && offset < last.file_from_offset() + size {
            let idx = (offset / size - first.file_from_offset() / size) as usize;
            if let Some(f) = files.get(idx) {
                if offset >= f.file_from_offset() && offset < f.file_from_offset() + size {
                    return Some(Arc::clone(f));
                }
            }
            for f in files.iter() {
                if offset >= f.file_from_offset() && offset < f.file_from_offset() + size {
                    return Some(Arc::clone(f));
                }
            }
        }
        if return_first_on_not_found {
            Some(Arc::clone(first))
        } else {
            None
        }
    }

    /// Start offset of the first file, -1 if none.
    pub fn min_offset(&self) -> i64 {
        self.first().map(|f| f.file_from_offset()).unwrap_or(-1)
    }
    /// End of readable data (`getMaxOffset`), 0 if none.
    pub fn max_offset(&self) -> i64 {
        self.last()
            .map(|f| f.file_from_offset() + f.read_position() as i64)
            .unwrap_or(0)
    }
    /// `flushedWhere`.
    pub fn flushed_where(&self) -> i64 {
        self.flushed_where.load(Ordering::Acquire)
    }
    /// Set `flushedWhere`.
    pub fn set_flushed_where(&self, v: i64) {
        self.flushed_where.store(v, Ordering::Release);
    }
    /// `committedWhere`.
    pub fn committed_where(&self) -> i64 {
        self.committed_where.load(Ordering::Acquire)
    }
    /// Set `committedWhere`.
    pub fn set_committed_where(&self, v: i64) {
        self.committed_where.store(v, Ordering::Release);
    }
    /// Store timestamp of the last thorough flush.
    pub fn store_timestamp(&self) -> i64 {
        self.store_timestamp.load(Ordering::Acquire)
    }
    /// Bytes written but not flushed.
    pub fn remain_to_flush(&self) -> i64 {
        self.max_offset() - self.flushed_where()
    }

    /// `flush(leastPages)`: flush the file containing `flushedWhere`; returns true if nothing
    /// was flushed (Java's odd convention: "result = where == flushedWhere").
    pub fn flush(&self, least_pages: usize) -> bool {
        let _g = self.flush_lock.lock();
        let fw = self.flushed_where();
        match self.find_by_offset(fw, fw == 0) {
            Some(f) => {
                let ts = f.store_timestamp();
                let off = f.flush(least_pages);
                let where_ = f.file_from_offset() + off as i64;
                let unchanged = where_ == fw;
                self.set_flushed_where(where_);
                if least_pages == 0 {
                    self.store_timestamp.store(ts, Ordering::Release);
                }
                unchanged
            }
            None => true,
        }
    }

    /// `truncateDirtyFiles(offset)`: the file containing `offset` gets its positions set to it,
    /// later files are deleted from disk.
    pub fn truncate_dirty_files(&self, offset: i64) {
        let size = self.mapped_file_size as i64;
        let mut files = self.files.write();
        files.retain(|f| {
            let tail = f.file_from_offset() + size;
            if tail > offset {
                if offset >= f.file_from_offset() {
                    let p = (offset % size) as usize;
                    f.set_wrote_position(p);
                    f.set_flushed_position(p);
                    true
                } else {
                    f.destroy();
                    false
                }
            } else {
                true
            }
        });
    }

    /// `deleteLastMappedFile`.
    pub fn delete_last(&self) {
        let mut files = self.files.write();
        if let Some(f) = files.pop() {
            f.destroy();
        }
    }

    /// Remove (and delete from disk) the given files.
    pub fn remove_files(&self, victims: &[Arc<MappedFile>]) {
        if victims.is_empty() {
            return;
        }
        let mut files = self.files.write();
        files.retain(|f| !victims.iter().any(|v| Arc::ptr_eq(v, f)));
    }

    /// `deleteExpiredFileByTime`: delete files (never the last) whose mtime + `expired_ms` has
    /// passed (or all if `clean_immediately`), oldest first, stopping at the first kept file;
    /// at most 10 per call, `interval_ms` apart. Returns how many were deleted.
    pub fn delete_expired_by_time(
        &self,
        expired_ms: i64,
        interval_ms: u64,
        clean_immediately: bool,
    ) -> usize {
        let files = self.mapped_files();
        if files.len() <= 1 {
            return 0;
        }
        let now = now_ms();
        let mut deleted = Vec::new();
        let n = files.len() - 1;
        for (i, f) in files.iter().take(n).enumerate() {
            if now >= f.last_modified_ms() + expired_ms || clean_immediately {
                if f.destroy() {
                    deleted.push(Arc::clone(f));
                    if deleted.len() >= 10 {
                        break;
                    }
                    if interval_ms > 0 && i + 1 < n {
                        std::thread::sleep(std::time::Duration::from_millis(interval_ms));
                    }
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        self.remove_files(&deleted);
        deleted.len()
    }

    /// `deleteExpiredFileByOffset(offset, unitSize)` for consume queues: delete files (never
    /// the last) whose last unit points below `offset`.
    pub fn delete_expired_by_offset(&self, offset: i64, unit_size: usize) -> usize {
        let files = self.mapped_files();
        if files.len() <= 1 {
            return 0;
        }
        let mut deleted = Vec::new();
        for f in files.iter().take(files.len() - 1) {
            let destroy = match f.read(self.mapped_file_size - unit_size, 8) {
                Some(b) => {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(b);
                    i64::from_be_bytes(a) < offset
                }
                None => !f.is_available(),
            };
            if destroy && f.destroy() {
                deleted.push(Arc::clone(f));
            } else {
                break;
            }
        }
        self.remove_files(&deleted);
        deleted.len()
    }

    /// `resetOffset(offset)`: drop everything after `offset` (HA slave truncation). Readers
    /// holding slices beyond `offset` may later see new data.
    pub fn reset_offset(&self, offset: i64) -> bool {
        if let Some(last) = self.last() {
            let last_off = last.file_from_offset() + last.wrote_position() as i64;
            if last_off - offset > self.mapped_file_size as i64 * 2 {
                return false;
            }
        }
        let mut files = self.files.write();
        while let Some(f) = files.last() {
            if offset >= f.file_from_offset() {
                let p = (offset % self.mapped_file_size as i64) as usize;
                f.set_flushed_position(p);
                f.set_wrote_position(p);
                break;
            }
            files.pop();
        }
        true
    }

    /// Delete every file and the directory (`destroy`).
    pub fn destroy(&self) {
        let mut files = self.files.write();
        for f in files.drain(..) {
            f.destroy();
        }
        self.set_flushed_where(0);
        self.set_committed_where(0);
        let _ = fs::remove_dir(&self.store_path);
    }

    /// Files whose last-modified time is >= `timestamp`, else the last (`getMappedFileByTime`).
    pub fn by_time(&self, timestamp: i64) -> Option<Arc<MappedFile>> {
        let files = self.mapped_files();
        files
            .iter()
            .find(|f| f.last_modified_ms() >= timestamp)
            .or(files.last())
            .cloned()
    }
}

/// Current time in ms.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_select_flush_and_queue() {
        let dir = tempfile::tempdir().unwrap();
        let q = MappedFileQueue::new(dir.path().join("q"), 4096);
        assert!(q.is_empty());
        let f = q.last_or_create(0).unwrap();
        assert_eq!(f.file_name(), "00000000000000000000");
        assert!(f.is_first_create_in_queue());
        assert!(f.append(b"hello"));
        assert!(f.append(b" world"));
        let s = f.select(0, 11).unwrap();
        assert_eq!(&s.data[..], b"hello world");
        assert!(f.select(0, 12).is_none());
        assert_eq!(&f.select_from(6).unwrap().data[..], b"world");
        assert_eq!(q.max_offset(), 11);
        assert!(!q.flush(0));
        assert_eq!(q.flushed_where(), 11);
        // fill the file and roll
        assert!(f.append(&vec![1u8; 4096 - 11]));
        assert!(f.is_full());
        assert!(!f.append(b"x"));
        let g = q.last_or_create(0).unwrap();
        assert_eq!(g.file_from_offset(), 4096);
        assert_eq!(g.file_name(), "00000000000000004096");
        assert!(q.find_by_offset(5000, false).is_some());
        assert!(q.find_by_offset(9000, false).is_none());
        assert_eq!(q.find_by_offset(9000, true).unwrap().file_from_offset(), 0);
        // reload
        drop((f, g, s));
        let q2 = MappedFileQueue::new(dir.path().join("q"), 4096);
        q2.load().unwrap();
        assert_eq!(q2.len(), 2);
        q2.truncate_dirty_files(20);
        assert_eq!(q2.len(), 1);
        assert_eq!(q2.max_offset(), 20);
        assert!(!dir.path().join("q/00000000000000004096").exists());
        // wrong size refuses to load
        std::fs::write(dir.path().join("q/00000000000000008192"), b"short").unwrap();
        let q3 = MappedFileQueue::new(dir.path().join("q"), 4096);
        assert!(matches!(q3.load(), Err(StoreError::FileSize { .. })));
    }
}
