//! Consume queues: per topic/queue indexes into the commitlog.
//!
//! Mirrors Java `ConsumeQueue` (without the optional `ConsumeQueueExt`).
//!
//! Files live in `consumequeue/<topic>/<queueId>/`, named by the logical *byte* offset of their
//! first entry (entry index x 20), 300,000 entries (6,000,000 bytes) each. Entry (20 bytes,
//! big-endian):
//!
//! ```text
//! off len field
//!   0   8 commitlog physical offset
//!   8   4 record size
//!  12   8 tagsCode (Java String.hashCode of TAGS sign-extended; delivery time for delay queues)
//! ```
//!
//! Entry `q` lives at byte `q*20` of the queue's address space. A queue whose first file is
//! created for a non-zero index is pre-filled with `(0, 0x7FFFFFFF, 0)` blanks and its
//! `minLogicOffset` set to the first real entry. Only the dispatcher thread writes; readers see
//! entries below the published write position.

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::commitlog::CommitLog;
use crate::mapped_file::{MappedFile, MappedFileQueue, SelectMappedBuffer};

/// `CQ_STORE_UNIT_SIZE`.
pub const CQ_UNIT: usize = 20;

/// One consume-queue entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CqUnit {
    /// Commitlog offset.
    pub offset: i64,
    /// Record size.
    pub size: i32,
    /// Tags code.
    pub tags_code: i64,
}

impl CqUnit {
    /// Parse 20 bytes.
    pub fn parse(b: &[u8]) -> Option<CqUnit> {
        if b.len() < CQ_UNIT {
            return None;
        }
        let mut o = [0u8; 8];
        o.copy_from_slice(&b[0..8]);
        let mut t = [0u8; 8];
        t.copy_from_slice(&b[12..20]);
        Some(CqUnit {
            offset: i64::from_be_bytes(o),
            size: i32::from_be_bytes([b[8], b[9], b[10], b[11]]),
            tags_code: i64::from_be_bytes(t),
        })
    }
    /// Encode.
    pub fn encode(&self) -> [u8; CQ_UNIT] {
        let mut b = [0u8; CQ_UNIT];
        b[0..8].copy_from_slice(&self.offset.to_be_bytes());
        b[8..12].copy_from_slice(&self.size.to_be_bytes());
        b[12..20].copy_from_slice(&self.tags_code.to_be_bytes());
        b
    }
}

/// A consume queue (`ConsumeQueue`).
pub struct ConsumeQueue {
    topic: String,
    queue_id: i32,
    mfq: MappedFileQueue,
    file_size: usize,
    max_physic_offset: AtomicI64,
    min_logic_offset: AtomicI64,
    write_lock: Mutex<()>,
}

impl std::fmt::Debug for ConsumeQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsumeQueue")
            .field("topic", &self.topic)
            .field("queue_id", &self.queue_id)
            .finish()
    }
}

impl ConsumeQueue {
    /// New queue under `<cq_root>/<topic>/<queue_id>`.
    pub fn new(cq_root: &std::path::Path, topic: &str, queue_id: i32, file_size: usize) -> Self {
        let dir: PathBuf = cq_root.join(topic).join(queue_id.to_string());
        ConsumeQueue {
            topic: topic.to_string(),
            queue_id,
            mfq: MappedFileQueue::new(dir, file_size),
            file_size,
            max_physic_offset: AtomicI64::new(-1),
            min_logic_offset: AtomicI64::new(0),
            write_lock: Mutex::new(()),
        }
    }

    /// Topic.
    pub fn topic(&self) -> &str {
        &self.topic
    }
    /// Queue id.
    pub fn queue_id(&self) -> i32 {
        self.queue_id
    }
    /// File queue.
    pub fn queue(&self) -> &MappedFileQueue {
        &self.mfq
    }

    /// Map existing files.
    pub fn load(&self) -> crate::Result<()> {
        self.mfq.load()
    }

    /// `recover()`: from the third-from-last file, scan entries while `offset >= 0 && size > 0`
    /// and truncate after the last good one.
    pub fn recover(&self) {
        let files = self.mfq.mapped_files();
        if files.is_empty() {
            return;
        }
        let mut index = files.len().saturating_sub(3);
        let mut file = &files[index];
        let mut process_offset = file.file_from_offset();
        let mut file_offset = 0usize;
        loop {
            let mut i = 0;
            while i + CQ_UNIT <= self.file_size {
                let unit = file.raw(i, CQ_UNIT).and_then(CqUnit::parse);
                match unit {
                    Some(u) if u.offset >= 0 && u.size > 0 => {
                        file_offset = i + CQ_UNIT;
                        self.max_physic_offset
                            .store(u.offset + i64::from(u.size), Ordering::Release);
                    }
                    _ => break,
                }
                i += CQ_UNIT;
            }
            if file_offset == self.file_size {
                index += 1;
                if index >= files.len() {
                    break;
                }
                file = &files[index];
                process_offset = file.file_from_offset();
                file_offset = 0;
            } else {
                break;
            }
        }
        process_offset += file_offset as i64;
        self.mfq.set_flushed_where(process_offset);
        self.mfq.set_committed_where(process_offset);
        self.mfq.truncate_dirty_files(process_offset);
    }

    /// `truncateDirtyLogicFiles(phyOffset)`: drop entries pointing at or after `phy_offset`.
    pub fn truncate_dirty_logic_files(&self, phy_offset: i64) {
        let _g = self.write_lock.lock();
        self.max_physic_offset.store(phy_offset, Ordering::Release);
        while let Some(file) = self.mfq.last() {
            file.set_wrote_position(0);
            file.set_flushed_position(0);
            let mut i = 0;
            while i + CQ_UNIT <= self.file_size {
                let Some(u) = file.raw(i, CQ_UNIT).and_then(CqUnit::parse) else {
                    return;
                };
                // An entry is dirty when its record does not end within the valid commitlog
                // (Java checks only the start; a stale entry that straddles the recovered end
                // would otherwise survive a later restart).
                let end = u.offset + i64::from(u.size);
                if i == 0 {
                    if u.offset >= phy_offset || end > phy_offset {
                        self.mfq.delete_last();
                        break;
                    }
                } else if !(u.offset >= 0 && u.size > 0)
                    || u.offset >= phy_offset
                    || end > phy_offset
                {
                    return;
                }
                let pos = i + CQ_UNIT;
                file.set_wrote_position(pos);
                file.set_flushed_position(pos);
                self.max_physic_offset
                    .store(u.offset + i64::from(u.size), Ordering::Release);
                if pos == self.file_size {
                    return;
                }
                i += CQ_UNIT;
            }
            if self.mfq.last().is_some_and(|l| Arc::ptr_eq(&l, &file)) {
                // the loop above only breaks out (without returning) after deleting `file`
                return;
            }
        }
    }

    /// `getLastOffset`: end (offset + size) of the last entry, -1 if none.
    pub fn last_offset(&self) -> i64 {
        let Some(file) = self.mfq.last() else {
            return -1;
        };
        let wp = file.wrote_position();
        let pos = wp.saturating_sub(CQ_UNIT);
        match file.read(pos, CQ_UNIT).and_then(CqUnit::parse) {
            Some(u) if u.offset >= 0 && u.size > 0 => u.offset + i64::from(u.size),
            _ => -1,
        }
    }

    /// Flush (`flush(leastPages)`).
    pub fn flush(&self, least_pages: usize) -> bool {
        self.mfq.flush(least_pages)
    }

    /// `deleteExpiredFile(minCommitLogOffset)`.
    pub fn delete_expired_file(&self, offset: i64) -> usize {
        let n = self.mfq.delete_expired_by_offset(offset, CQ_UNIT);
        self.correct_min_offset(offset);
        n
    }

    /// `correctMinOffset(phyMinOffset)`: first entry of the first file pointing at or after the
    /// commitlog min offset.
    pub fn correct_min_offset(&self, phy_min_offset: i64) {
        let Some(file) = self.mfq.first() else {
            return;
        };
        let Some(sel) = file.select_from(0) else {
            return;
        };
        let mut i = 0;
        while i + CQ_UNIT <= sel.data.len() {
            if let Some(u) = CqUnit::parse(&sel.data[i..i + CQ_UNIT]) {
                if u.offset >= phy_min_offset {
                    self.min_logic_offset
                        .store(file.file_from_offset() + i as i64, Ordering::Release);
                    return;
                }
            }
            i += CQ_UNIT;
        }
    }

    /// `minLogicOffset` (bytes).
    pub fn min_logic_offset(&self) -> i64 {
        self.min_logic_offset.load(Ordering::Acquire)
    }
    /// Set `minLogicOffset`.
    pub fn set_min_logic_offset(&self, v: i64) {
        self.min_logic_offset.store(v, Ordering::Release);
    }
    /// `getMinOffsetInQueue`.
    pub fn min_offset_in_queue(&self) -> i64 {
        self.min_logic_offset() / CQ_UNIT as i64
    }
    /// `getMaxOffsetInQueue`: next entry index to be written.
    pub fn max_offset_in_queue(&self) -> i64 {
        self.mfq.max_offset() / CQ_UNIT as i64
    }
    /// `getMessageTotalInQueue`.
    pub fn message_total_in_queue(&self) -> i64 {
        self.max_offset_in_queue() - self.min_offset_in_queue()
    }
    /// `maxPhysicOffset`: end of the last dispatched record (-1 if none).
    pub fn max_physic_offset(&self) -> i64 {
        self.max_physic_offset.load(Ordering::Acquire)
    }
    /// Set `maxPhysicOffset`.
    pub fn set_max_physic_offset(&self, v: i64) {
        self.max_physic_offset.store(v, Ordering::Release);
    }

    /// `putMessagePositionInfo`: append one entry at index `cq_offset`. Returns false only on
    /// an I/O failure (duplicates are ignored and count as success).
    pub fn put_message_position_info(
        &self,
        offset: i64,
        size: i32,
        tags_code: i64,
        cq_offset: i64,
    ) -> bool {
        let _g = self.write_lock.lock();
        if offset + i64::from(size) <= self.max_physic_offset() {
            tracing::warn!(topic = %self.topic, queue_id = self.queue_id, offset, "Maybe try to build consume queue repeatedly");
            return true;
        }
        let expect = cq_offset * CQ_UNIT as i64;
        let Some(file) = self.mfq.last_or_create(expect) else {
            return false;
        };
        if file.is_first_create_in_queue() && cq_offset != 0 && file.wrote_position() == 0 {
            self.set_min_logic_offset(expect);
            self.mfq.set_flushed_where(expect);
            self.mfq.set_committed_where(expect);
            self.fill_pre_blank(&file, expect);
        }
        if cq_offset != 0 {
            let current = file.wrote_position() as i64 + file.file_from_offset();
            if expect < current {
                tracing::warn!(topic = %self.topic, queue_id = self.queue_id, expect, current, "Build consume queue repeatedly");
                return true;
            }
            if expect != current {
                tracing::warn!(topic = %self.topic, queue_id = self.queue_id, expect, current, "[BUG]logic queue order maybe wrong");
            }
        }
        self.max_physic_offset
            .store(offset + i64::from(size), Ordering::Release);
        let unit = CqUnit {
            offset,
            size,
            tags_code,
        }
        .encode();
        file.append(&unit)
    }

    fn fill_pre_blank(&self, file: &Arc<MappedFile>, until_where: i64) {
        let blank = CqUnit {
            offset: 0,
            size: i32::MAX,
            tags_code: 0,
        }
        .encode();
        let until = until_where.rem_euclid(self.file_size as i64) as usize;
        let mut i = 0;
        while i < until {
            file.append(&blank);
            i += CQ_UNIT;
        }
    }

    /// `getIndexBuffer(startIndex)`: entries from `start_index` to the end of its file.
    pub fn get_index_buffer(&self, start_index: i64) -> Option<SelectMappedBuffer> {
        let offset = start_index.checked_mul(CQ_UNIT as i64)?;
        if offset < self.min_logic_offset() {
            return None;
        }
        let f = self.mfq.find_by_offset(offset, false)?;
        f.select_from(offset.rem_euclid(self.file_size as i64) as usize)
    }

    /// The entry at `index`.
    pub fn get_unit(&self, index: i64) -> Option<CqUnit> {
        let b = self.get_index_buffer(index)?;
        CqUnit::parse(&b.data)
    }

    /// `rollNextFile(index)`.
    pub fn roll_next_file(&self, index: i64) -> i64 {
        let units = (self.file_size / CQ_UNIT) as i64;
        index + units - index.rem_euclid(units)
    }

    /// `getOffsetInQueueByTime`: binary search by store timestamp in the file picked by mtime.
    pub fn offset_in_queue_by_time(&self, timestamp: i64, commit_log: &CommitLog) -> i64 {
        let Some(file) = self.mfq.by_time(timestamp) else {
            return 0;
        };
        let Some(sbr) = file.select_from(0) else {
            return 0;
        };
        let data = &sbr.data;
        let min_logic = self.min_logic_offset();
        let mut low: i64 = if min_logic > file.file_from_offset() {
            min_logic - file.file_from_offset()
        } else {
            0
        };
        let mut high: i64 = data.len() as i64 - CQ_UNIT as i64;
        let (mut target, mut left, mut right) = (-1i64, -1i64, -1i64);
        let (mut left_v, mut right_v) = (-1i64, -1i64);
        let min_phys = commit_log.min_offset();
        while high >= low {
            let mid = (low + high) / (2 * CQ_UNIT as i64) * CQ_UNIT as i64;
            let Some(u) = data
                .get(mid as usize..mid as usize + CQ_UNIT)
                .and_then(CqUnit::parse)
            else {
                break;
            };
            if u.offset < min_phys {
                low = mid + CQ_UNIT as i64;
                left = mid;
                continue;
            }
            let st = commit_log.pickup_store_timestamp(u.offset, u.size.max(0) as usize);
            if st < 0 {
                return 0;
            } else if st == timestamp {
                target = mid;
                break;
            } else if st > timestamp {
                high = mid - CQ_UNIT as i64;
                right = mid;
                right_v = st;
            } else {
                low = mid + CQ_UNIT as i64;
                left = mid;
                left_v = st;
            }
        }
        let off = if target != -1 {
            target
        } else if left_v == -1 {
            right
        } else if right_v == -1 {
            left
        } else if (timestamp - left_v).abs() > (timestamp - right_v).abs() {
            right
        } else {
            left
        };
        (file.file_from_offset() + off) / CQ_UNIT as i64
    }

    /// Delete all files (`destroy`).
    pub fn destroy(&self) {
        let _g = self.write_lock.lock();
        self.max_physic_offset.store(-1, Ordering::Release);
        self.min_logic_offset.store(0, Ordering::Release);
        self.mfq.destroy();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_read_recover_truncate() {
        let d = tempfile::tempdir().unwrap();
        let cq = ConsumeQueue::new(d.path(), "T", 0, 100);
        for i in 0..12i64 {
            assert!(cq.put_message_position_info(i * 100, 100, i, i));
        }
        assert_eq!(cq.max_offset_in_queue(), 12);
        assert_eq!(cq.queue().len(), 3);
        assert_eq!(
            cq.get_unit(7).unwrap(),
            CqUnit {
                offset: 700,
                size: 100,
                tags_code: 7
            }
        );
        assert_eq!(cq.last_offset(), 1200);
        // duplicates ignored
        assert!(cq.put_message_position_info(500, 100, 5, 5));
        assert_eq!(cq.max_offset_in_queue(), 12);
        drop(cq);
        let cq = ConsumeQueue::new(d.path(), "T", 0, 100);
        cq.load().unwrap();
        cq.recover();
        assert_eq!(cq.max_offset_in_queue(), 12);
        assert_eq!(cq.max_physic_offset(), 1200);
        // the record at 600 ends at 700, past the valid end 650: it is torn and goes too
        cq.truncate_dirty_logic_files(650);
        assert_eq!(cq.max_offset_in_queue(), 6);
        assert_eq!(cq.max_physic_offset(), 600);
        cq.truncate_dirty_logic_files(500);
        assert_eq!(cq.max_offset_in_queue(), 5);
        assert_eq!(cq.queue().len(), 1);
        assert!(cq.put_message_position_info(500, 100, 5, 5));
        assert_eq!(cq.max_offset_in_queue(), 6);
    }

    #[test]
    fn pre_blank_fill() {
        let d = tempfile::tempdir().unwrap();
        let cq = ConsumeQueue::new(d.path(), "T", 1, 100);
        assert!(cq.put_message_position_info(1000, 50, 0, 7));
        assert_eq!(cq.min_offset_in_queue(), 7);
        assert_eq!(cq.max_offset_in_queue(), 8);
        assert_eq!(cq.queue().first().unwrap().file_from_offset(), 100);
        // entries 5 and 6 are blanks below minLogicOffset: not readable
        assert!(cq.get_unit(5).is_none());
        let raw = std::fs::read(d.path().join("T/1/00000000000000000100")).unwrap();
        assert_eq!(CqUnit::parse(&raw[0..20]).unwrap().size, i32::MAX);
        assert_eq!(CqUnit::parse(&raw[40..60]).unwrap().offset, 1000);
        assert_eq!(cq.get_unit(7).unwrap().offset, 1000);
    }
}
