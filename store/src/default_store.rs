//! `DefaultMessageStore`: the store facade (open/recover, put, get, lookups, background
//! services, shutdown).
//!
//! Mirrors Java `DefaultMessageStore` (including `ReputMessageService`,
//! `CommitLogDispatcherBuildConsumeQueue`, `CommitLogDispatcherBuildIndex`,
//! `CleanCommitLogService`, `CleanConsumeQueueService`, `FlushConsumeQueueService`,
//! `RunningFlags`), `CommitLog.recoverNormally` / `recoverAbnormally` and the flush services.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use dashmap::DashMap;
use parking_lot::{Condvar, Mutex, RwLock};
use protocol::message::codec::{store_timestamp_position, MESSAGE_MAGIC_CODE};
use protocol::message::sysflag;
use protocol::message::{DecodeOptions, MessageExt};

use crate::checkpoint::StoreCheckpoint;
use crate::commitlog::{check_message_and_return_size, CommitLog, DelayLevels, SCHEDULE_TOPIC};
use crate::config::{BrokerRole, FlushDiskType, MessageStoreConfig};
use crate::consume_queue::{ConsumeQueue, CqUnit, CQ_UNIT};
use crate::error::{IoContext, Result, StoreError};
use crate::flush::{Completion, GroupCommitQueue, GroupCommitRequest, Stopper};
use crate::ha::{HaError, HaService, HaState, ReplicaWait};
use crate::index::IndexService;
use crate::lock::StoreLock;
use crate::mapped_file::{now_ms, SelectMappedBuffer};
use crate::message::*;

/// `RunningFlags` bits.
pub mod running_flags {
    /// NOT_READABLE_BIT
    pub const NOT_READABLE: u32 = 1;
    /// NOT_WRITEABLE_BIT
    pub const NOT_WRITEABLE: u32 = 1 << 1;
    /// WRITE_LOGICS_QUEUE_ERROR_BIT
    pub const WRITE_LOGICS_QUEUE_ERROR: u32 = 1 << 2;
    /// WRITE_INDEX_FILE_ERROR_BIT
    pub const WRITE_INDEX_FILE_ERROR: u32 = 1 << 3;
    /// DISK_FULL_BIT
    pub const DISK_FULL: u32 = 1 << 4;
}

type QueueMap = DashMap<i32, Arc<ConsumeQueue>>;

/// The message store. Use behind an `Arc`: [`DefaultMessageStore::open`], then
/// [`DefaultMessageStore::start`], then [`DefaultMessageStore::shutdown`].
pub struct DefaultMessageStore {
    config: Arc<MessageStoreConfig>,
    commit_log: CommitLog,
    consume_queue_table: DashMap<String, Arc<QueueMap>>,
    index_service: IndexService,
    checkpoint: Arc<StoreCheckpoint>,
    lock: Mutex<Option<StoreLock>>,
    running_flags: AtomicU32,
    started: AtomicBool,
    shutdown: AtomicBool,
    last_exit_ok: bool,
    reput_from_offset: AtomicI64,
    reput_wakeup: (Mutex<bool>, Condvar),
    group_commit: GroupCommitQueue,
    stopper: Stopper,
    threads: Mutex<Vec<JoinHandle<()>>>,
    listener: RwLock<Option<Arc<dyn MessageArrivingListener>>>,
    total_physical_memory: u64,
    manual_delete_times: AtomicU32,
    clean_immediately: AtomicBool,
    last_physical_min_offset: AtomicI64,
    pub(crate) delay_offsets: Mutex<std::collections::BTreeMap<i32, i64>>,
    ha: HaState,
    ha_service: Mutex<Option<Arc<HaService>>>,
}

impl std::fmt::Debug for DefaultMessageStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DefaultMessageStore")
            .field("root", &self.config.store_path_root_dir)
            .finish()
    }
}

fn total_physical_memory() -> u64 {
    // SAFETY: sysconf has no memory-safety preconditions.
    let (pages, page) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    if pages > 0 && page > 0 {
        pages as u64 * page as u64
    } else {
        24 * 1024 * 1024 * 1024
    }
}

/// `UtilAll.getDiskPartitionSpaceUsedPercent`: `(total - free) / total`, -1 on error.
pub fn disk_used_ratio(path: &Path) -> f64 {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return -1.0;
    };
    // SAFETY: statvfs writes into the zeroed struct; the path is NUL terminated.
    unsafe {
        let mut s: libc::statvfs = std::mem::zeroed();
        if libc::statvfs(c.as_ptr(), &mut s) != 0 || s.f_blocks == 0 {
            return -1.0;
        }
        let total = s.f_blocks as f64 * s.f_frsize as f64;
        let free = s.f_bfree as f64 * s.f_frsize as f64;
        (total - free) / total
    }
}

impl DefaultMessageStore {
    /// Open a store: take the `lock` file (fcntl, before any recovery), load commitlog,
    /// consume queues, checkpoint and index, and recover (normal, or abnormal when `abort`
    /// exists). Background services start with [`DefaultMessageStore::start`].
    pub fn open(config: MessageStoreConfig) -> Result<Self> {
        config.validate()?;
        let config = Arc::new(config);
        let root = config.root_dir();
        std::fs::create_dir_all(&root).at(&root)?;
        let lock = StoreLock::acquire(&config.lock_path())?;
        std::fs::create_dir_all(config.commit_log_dir()).at(config.commit_log_dir())?;
        std::fs::create_dir_all(config.consume_queue_dir()).at(config.consume_queue_dir())?;

        let last_exit_ok = !config.abort_path().exists();
        tracing::info!(root = %root.display(), last_exit_ok, "opening message store");
        let delay = DelayLevels::new(config.delay_level_millis().map_err(StoreError::Config)?);
        let commit_log = CommitLog::new(
            config.commit_log_dir(),
            config.mapped_file_size_commit_log as usize,
            config.max_message_size.max(0) as usize,
            delay,
        );
        commit_log.load()?;
        let checkpoint = Arc::new(StoreCheckpoint::open(&config.checkpoint_path())?);
        let index_service = IndexService::new(
            config.index_dir(),
            config.max_hash_slot_num as usize,
            config.max_index_num as usize,
            config.max_msgs_num_batch.max(1) as usize,
            Arc::clone(&checkpoint),
        );
        let store = DefaultMessageStore {
            config: Arc::clone(&config),
            commit_log,
            consume_queue_table: DashMap::new(),
            index_service,
            checkpoint,
            lock: Mutex::new(Some(lock)),
            running_flags: AtomicU32::new(0),
            started: AtomicBool::new(false),
            shutdown: AtomicBool::new(true),
            last_exit_ok,
            reput_from_offset: AtomicI64::new(0),
            reput_wakeup: (Mutex::new(false), Condvar::new()),
            group_commit: GroupCommitQueue::default(),
            stopper: Stopper::default(),
            threads: Mutex::new(Vec::new()),
            listener: RwLock::new(None),
            total_physical_memory: total_physical_memory(),
            manual_delete_times: AtomicU32::new(0),
            clean_immediately: AtomicBool::new(false),
            last_physical_min_offset: AtomicI64::new(0),
            delay_offsets: Mutex::new(Default::default()),
            ha: HaState::default(),
            ha_service: Mutex::new(None),
        };
        store.load_consume_queues()?;
        store.index_service.load(last_exit_ok)?;
        store.recover(last_exit_ok);
        store.load_delay_offsets()?;
        tracing::info!(max_phy_offset = store.max_phy_offset(), "load over");
        Ok(store)
    }

    fn load_consume_queues(&self) -> Result<()> {
        let dir = self.config.consume_queue_dir();
        let rd = match std::fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => {
                return Err(StoreError::Io {
                    path: dir,
                    source: e,
                })
            }
        };
        for topic_ent in rd {
            let topic_ent = topic_ent.at(&dir)?;
            if !topic_ent.path().is_dir() {
                continue;
            }
            let topic = topic_ent.file_name().to_string_lossy().into_owned();
            let qrd = std::fs::read_dir(topic_ent.path()).at(topic_ent.path())?;
            for q in qrd {
                let q = q.at(topic_ent.path())?;
                let Ok(queue_id) = q.file_name().to_string_lossy().parse::<i32>() else {
                    continue;
                };
                let cq = ConsumeQueue::new(
                    &dir,
                    &topic,
                    queue_id,
                    self.config.consume_queue_file_size() as usize,
                );
                cq.load()?;
                self.queue_map(&topic).insert(queue_id, Arc::new(cq));
            }
        }
        Ok(())
    }

    fn queue_map(&self, topic: &str) -> Arc<QueueMap> {
        if let Some(m) = self.consume_queue_table.get(topic) {
            return Arc::clone(&m);
        }
        Arc::clone(
            &self
                .consume_queue_table
                .entry(topic.to_string())
                .or_default(),
        )
    }

    /// Existing consume queue (`getConsumeQueue`).
    pub fn get_consume_queue(&self, topic: &str, queue_id: i32) -> Option<Arc<ConsumeQueue>> {
        let m = self.consume_queue_table.get(topic)?;
        let q = m.get(&queue_id)?;
        Some(Arc::clone(&q))
    }

    /// Consume queue, created (in memory; files appear on first write) if missing
    /// (`findConsumeQueue`).
    pub fn find_consume_queue(&self, topic: &str, queue_id: i32) -> Arc<ConsumeQueue> {
        if let Some(q) = self.get_consume_queue(topic, queue_id) {
            return q;
        }
        let m = self.queue_map(topic);
        let q = m.entry(queue_id).or_insert_with(|| {
            Arc::new(ConsumeQueue::new(
                &self.config.consume_queue_dir(),
                topic,
                queue_id,
                self.config.consume_queue_file_size() as usize,
            ))
        });
        Arc::clone(&q)
    }

    /// All consume queues.
    pub fn consume_queues(&self) -> Vec<Arc<ConsumeQueue>> {
        let mut v = Vec::new();
        for m in self.consume_queue_table.iter() {
            for q in m.value().iter() {
                v.push(Arc::clone(q.value()));
            }
        }
        v
    }

    /// Topics that have consume queues.
    pub fn topics(&self) -> Vec<String> {
        self.consume_queue_table
            .iter()
            .map(|e| e.key().clone())
            .collect()
    }

    // ------------------------------------------------------------------ recovery

    fn recover(&self, last_exit_ok: bool) {
        let mut max_phy_of_cq = -1i64;
        for cq in self.consume_queues() {
            cq.recover();
            max_phy_of_cq = max_phy_of_cq.max(cq.max_physic_offset());
        }
        if last_exit_ok {
            self.recover_commit_log(max_phy_of_cq, false);
        } else {
            self.recover_commit_log(max_phy_of_cq, true);
        }
        self.recover_topic_queue_table();
    }

    fn is_mapped_file_matched_recover(&self, f: &crate::mapped_file::MappedFile) -> bool {
        let Some(head) = f.raw(0, 80) else {
            return false;
        };
        let magic = i32::from_be_bytes([head[4], head[5], head[6], head[7]]);
        if magic != MESSAGE_MAGIC_CODE {
            return false;
        }
        let sys_flag = i32::from_be_bytes([head[36], head[37], head[38], head[39]]);
        let p = store_timestamp_position(sys_flag);
        let mut a = [0u8; 8];
        a.copy_from_slice(&head[p..p + 8]);
        let ts = i64::from_be_bytes(a);
        if ts == 0 {
            return false;
        }
        if self.config.message_index_enable && self.config.message_index_safe {
            ts <= self.checkpoint.min_timestamp_index()
        } else {
            ts <= self.checkpoint.min_timestamp()
        }
    }

    /// `recoverNormally` / `recoverAbnormally`.
    fn recover_commit_log(&self, max_phy_of_cq: i64, abnormal: bool) {
        let check_crc = self.config.check_crc_on_recover;
        let mfq = self.commit_log.queue();
        let files = mfq.mapped_files();
        if files.is_empty() {
            tracing::warn!("the commitlog files are deleted, and delete the consume queue files");
            mfq.set_flushed_where(0);
            mfq.set_committed_where(0);
            self.destroy_logics();
            return;
        }
        let mut index = if abnormal {
            let mut i = files.len();
            loop {
                if i == 0 {
                    break 0;
                }
                i -= 1;
                if self.is_mapped_file_matched_recover(&files[i]) {
                    tracing::info!(file = %files[i].file_name(), "recover from this mapped file");
                    break i;
                }
            }
        } else {
            files.len().saturating_sub(3)
        };
        let delay = Arc::clone(&self.commit_log.delay);
        let mut file = &files[index];
        let mut process_offset = file.file_from_offset();
        let mut pos = 0usize;
        loop {
            let buf = file.raw(pos, file.file_size() - pos).unwrap_or(&[]);
            let req = check_message_and_return_size(buf, check_crc, true, &delay);
            if req.success && req.msg_size > 0 {
                pos += req.msg_size as usize;
                if abnormal {
                    let cfo = self.commit_log.confirm_offset();
                    if !self.config.duplication_enable || req.commit_log_offset < cfo {
                        self.do_dispatch(&req);
                    }
                }
            } else if req.success {
                index += 1;
                if index >= files.len() {
                    tracing::info!(file = %file.file_name(), "recover physics file over, last mapped file");
                    break;
                }
                file = &files[index];
                process_offset = file.file_from_offset();
                pos = 0;
            } else {
                tracing::info!(file = %file.file_name(), pos, "recover physics file end");
                break;
            }
        }
        process_offset += pos as i64;
        mfq.set_flushed_where(process_offset);
        mfq.set_committed_where(process_offset);
        mfq.truncate_dirty_files(process_offset);
        if let Some(last) = mfq.last() {
            last.set_flushed_position(last.wrote_position());
        }
        if max_phy_of_cq >= process_offset {
            tracing::warn!(max_phy_of_cq, process_offset, "truncate dirty logic files");
            self.truncate_dirty_logic_files(process_offset);
        }
    }

    /// `truncateDirtyLogicFiles`.
    pub fn truncate_dirty_logic_files(&self, phy_offset: i64) {
        for cq in self.consume_queues() {
            cq.truncate_dirty_logic_files(phy_offset);
        }
    }

    /// `destroyLogics`.
    pub fn destroy_logics(&self) {
        for cq in self.consume_queues() {
            cq.destroy();
        }
    }

    /// `recoverTopicQueueTable`: next queue offsets from the consume queues.
    pub fn recover_topic_queue_table(&self) {
        let min = self.commit_log.min_offset();
        let mut table = HashMap::new();
        for cq in self.consume_queues() {
            table.insert(
                format!("{}-{}", cq.topic(), cq.queue_id()),
                cq.max_offset_in_queue(),
            );
            cq.correct_min_offset(min);
        }
        self.commit_log.set_topic_queue_table(table);
    }

    // ------------------------------------------------------------------ lifecycle

    /// Start: catch up the dispatcher (consume queues + index) to the end of the commitlog,
    /// rebuild the queue offset table, start the background threads and create `abort`.
    pub fn start(self: &Arc<Self>) -> Result<()> {
        if self.started.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        let mut max_phys = self.commit_log.min_offset();
        for cq in self.consume_queues() {
            max_phys = max_phys.max(cq.max_physic_offset());
        }
        if max_phys < 0 {
            max_phys = 0;
        }
        if max_phys < self.commit_log.min_offset() {
            max_phys = self.commit_log.min_offset();
        }
        self.reput_from_offset.store(max_phys, Ordering::Release);
        while self.dispatch_behind_bytes() > 0 {
            let before = self.reput_from_offset.load(Ordering::Acquire);
            self.do_reput();
            if self.reput_from_offset.load(Ordering::Acquire) == before {
                tracing::warn!(
                    reput_from = before,
                    max = self.max_phy_offset(),
                    "dispatch cannot catch up at startup"
                );
                break;
            }
        }
        self.recover_topic_queue_table();
        self.shutdown.store(false, Ordering::Release);

        let spawn = |name: &str, f: Box<dyn FnOnce() + Send>| -> Result<JoinHandle<()>> {
            std::thread::Builder::new()
                .name(name.to_string())
                .spawn(f)
                .map_err(|e| StoreError::Io {
                    path: name.into(),
                    source: e,
                })
        };
        let mut threads = self.threads.lock();
        let s = Arc::clone(self);
        threads.push(spawn(
            "ReputMessageService",
            Box::new(move || s.reput_loop()),
        )?);
        let s = Arc::clone(self);
        match self.config.flush_disk_type {
            FlushDiskType::SyncFlush => threads.push(spawn(
                "GroupCommitService",
                Box::new(move || s.group_commit_loop()),
            )?),
            FlushDiskType::AsyncFlush => threads.push(spawn(
                "FlushRealTimeService",
                Box::new(move || s.flush_real_time_loop()),
            )?),
        }
        let s = Arc::clone(self);
        threads.push(spawn(
            "FlushConsumeQueueService",
            Box::new(move || s.flush_cq_loop()),
        )?);
        let s = Arc::clone(self);
        threads.push(spawn(
            "StoreScheduledThread",
            Box::new(move || s.clean_loop()),
        )?);
        if self.config.broker_role != BrokerRole::Slave {
            let s = Arc::clone(self);
            threads.push(spawn(
                "ScheduleMessageTimerThread",
                Box::new(move || s.schedule_loop()),
            )?);
        }
        drop(threads);

        let abort = self.config.abort_path();
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&abort)
            .at(&abort)?;
        tracing::info!("message store started");
        Ok(())
    }

    /// Stop the services, flush everything, delete `abort` (if the store is writable and fully
    /// dispatched) and release the lock. Idempotent.
    pub fn shutdown(&self) {
        // HAService.shutdown comes first in Java too
        let ha = self.ha_service.lock().take();
        if let Some(ha) = ha {
            ha.shutdown();
        }
        self.ha.fail_all_waiters();
        let was_started = self.started.swap(false, Ordering::AcqRel);
        self.shutdown.store(true, Ordering::Release);
        if was_started {
            // let the dispatcher drain (ReputMessageService.shutdown waits up to 5 s)
            for _ in 0..50 {
                if self.dispatch_behind_bytes() <= 0 {
                    break;
                }
                self.wakeup_reput();
                std::thread::sleep(Duration::from_millis(100));
            }
            self.stopper.stop();
            self.group_commit.wake();
            self.wakeup_reput();
            let threads = std::mem::take(&mut *self.threads.lock());
            for t in threads {
                let _ = t.join();
            }
            for _ in 0..10 {
                if self.commit_log.queue().flush(0) {
                    break;
                }
            }
            let ts = self.commit_log.queue().store_timestamp();
            if ts > 0 {
                self.checkpoint.set_physic_msg_timestamp(ts);
            }
            self.flush_consume_queues(0);
            self.index_service.flush_all();
            if let Err(e) = self.checkpoint.flush() {
                tracing::error!(error = %e, "checkpoint flush failed");
            }
            if self.is_writeable() && self.dispatch_behind_bytes() == 0 {
                let abort = self.config.abort_path();
                if let Err(e) = std::fs::remove_file(&abort) {
                    if e.kind() != std::io::ErrorKind::NotFound {
                        tracing::warn!(error = %e, "cannot delete abort file");
                    }
                }
            } else {
                tracing::warn!(
                    "the store may be wrong, so shutdown abnormally, and keep abort file"
                );
            }
        }
        self.lock.lock().take();
    }

    /// Whether the previous run ended cleanly (no `abort` file at open).
    pub fn last_exit_ok(&self) -> bool {
        self.last_exit_ok
    }
    /// Config.
    pub fn config(&self) -> &MessageStoreConfig {
        &self.config
    }
    /// The commitlog.
    pub fn commit_log(&self) -> &CommitLog {
        &self.commit_log
    }
    /// The checkpoint.
    pub fn checkpoint(&self) -> &StoreCheckpoint {
        &self.checkpoint
    }
    /// The index service.
    pub fn index_service(&self) -> &IndexService {
        &self.index_service
    }
    /// Install the long-polling listener (`MessageArrivingListener`).
    pub fn set_message_arriving_listener(&self, l: Option<Arc<dyn MessageArrivingListener>>) {
        *self.listener.write() = l;
    }

    // ------------------------------------------------------------------ running flags

    /// `RunningFlags` bits.
    pub fn running_flags(&self) -> u32 {
        self.running_flags.load(Ordering::Acquire)
    }
    fn set_flag(&self, bit: u32, on: bool) -> bool {
        let old = if on {
            self.running_flags.fetch_or(bit, Ordering::AcqRel)
        } else {
            self.running_flags.fetch_and(!bit, Ordering::AcqRel)
        };
        old & bit != 0
    }
    /// `isWriteable`.
    pub fn is_writeable(&self) -> bool {
        use running_flags::*;
        self.running_flags()
            & (NOT_WRITEABLE | WRITE_LOGICS_QUEUE_ERROR | DISK_FULL | WRITE_INDEX_FILE_ERROR)
            == 0
    }
    /// `isReadable`.
    pub fn is_readable(&self) -> bool {
        self.running_flags() & running_flags::NOT_READABLE == 0
    }
    /// Mark (un)writable by admin.
    pub fn set_writeable(&self, w: bool) {
        self.set_flag(running_flags::NOT_WRITEABLE, !w);
    }
    /// Mark (un)readable by admin.
    pub fn set_readable(&self, r: bool) {
        self.set_flag(running_flags::NOT_READABLE, !r);
    }

    // ------------------------------------------------------------------ put

    fn check_store_status(&self) -> PutMessageStatus {
        if self.shutdown.load(Ordering::Acquire) {
            return PutMessageStatus::ServiceNotAvailable;
        }
        if self.config.broker_role == BrokerRole::Slave {
            return PutMessageStatus::ServiceNotAvailable;
        }
        if !self.is_writeable() {
            return PutMessageStatus::ServiceNotAvailable;
        }
        if self.is_os_page_cache_busy() {
            return PutMessageStatus::OsPageCacheBusy;
        }
        PutMessageStatus::PutOk
    }

    /// `isOSPageCacheBusy`: the put lock is held for longer than `osPageCacheBusyTimeOutMills`.
    pub fn is_os_page_cache_busy(&self) -> bool {
        let begin = self.commit_log.begin_time_in_lock();
        let diff = now_ms() - begin;
        diff < 10_000_000 && diff > self.config.os_page_cache_busy_time_out_mills
    }

    /// `lockTimeMills`.
    pub fn lock_time_mills(&self) -> i64 {
        self.commit_log.lock_time_mills()
    }

    fn append_single(&self, msg: &mut MessageExtBrokerInner) -> PutMessageResult {
        self.append_single_opts(msg, true)
    }

    pub(crate) fn append_single_opts(
        &self,
        msg: &mut MessageExtBrokerInner,
        apply_delay: bool,
    ) -> PutMessageResult {
        let s = self.check_store_status();
        if s != PutMessageStatus::PutOk {
            return PutMessageResult::status(s);
        }
        if msg.topic.encode_utf16().count() > i8::MAX as usize
            || msg.properties_string.encode_utf16().count() > i16::MAX as usize
            || !is_safe_topic_dir_name(&msg.topic)
        {
            return PutMessageResult::status(PutMessageStatus::MessageIllegal);
        }
        let r = self.commit_log.put_message_opts(msg, apply_delay);
        if r.is_ok() {
            self.wakeup_reput();
            self.ha.wakeup_writers();
        }
        r
    }

    fn append_batch(&self, batch: &mut MessageExtBatch) -> PutMessageResult {
        let s = self.check_store_status();
        if s != PutMessageStatus::PutOk {
            return PutMessageResult::status(s);
        }
        if batch.topic.encode_utf16().count() > i8::MAX as usize
            || batch.body.len() > self.config.max_message_size.max(0) as usize
            || !is_safe_topic_dir_name(&batch.topic)
        {
            return PutMessageResult::status(PutMessageStatus::MessageIllegal);
        }
        let r = self.commit_log.put_messages(batch);
        if r.is_ok() {
            self.wakeup_reput();
            self.ha.wakeup_writers();
        }
        r
    }

    /// Decide whether the put must wait for a group commit (`submitFlushRequest`).
    fn flush_request(&self, r: &PutMessageResult, wait: bool, done: Completion) -> Option<()> {
        let a = r.append.as_ref()?;
        if self.config.flush_disk_type == FlushDiskType::SyncFlush && wait {
            self.group_commit.put(GroupCommitRequest {
                next_offset: a.wrote_offset + i64::from(a.wrote_bytes),
                deadline: Instant::now() + self.sync_flush_timeout(),
                done,
            });
            Some(())
        } else {
            self.group_commit.wake();
            None
        }
    }

    /// Put without waiting for a group commit (WAIT=false semantics), without the delay
    /// rewrite: used by the schedule service.
    pub(crate) fn put_redelivered(&self, mut msg: MessageExtBrokerInner) -> PutMessageResult {
        let r = self.append_single_opts(&mut msg, false);
        self.group_commit.wake();
        r
    }

    fn sync_flush_timeout(&self) -> Duration {
        Duration::from_millis(self.config.sync_flush_timeout.max(0) as u64)
    }

    /// `submitReplicaRequest`: on a SYNC_MASTER, a successful `WAIT=true` put waits until a
    /// slave acknowledged `wroteOffset + wroteBytes`, or fails at once with
    /// SLAVE_NOT_AVAILABLE when no slave is connected or it is too far behind.
    fn replica_request(&self, r: &PutMessageResult, wait: bool, done: Completion) -> ReplicaWait {
        if self.config.broker_role != BrokerRole::SyncMaster || !wait {
            return ReplicaWait::None;
        }
        let Some(a) = r.append.as_ref() else {
            return ReplicaWait::None;
        };
        if !r.is_ok() {
            return ReplicaWait::None;
        }
        let next = a.wrote_offset + i64::from(a.wrote_bytes);
        if !self
            .ha
            .is_slave_ok(next, i64::from(self.config.ha_slave_fallbehind_max))
        {
            return ReplicaWait::NotAvailable;
        }
        let deadline =
            Instant::now() + Duration::from_millis(self.config.slave_timeout.max(0) as u64);
        self.ha.wait_transfer(next, deadline, done);
        self.ha.wakeup_writers();
        ReplicaWait::Pending(deadline)
    }

    /// Combine the flush and replica outcomes as Java's `thenCombine` does: a failed flush
    /// status is applied first, then a failed replica status (so the replica one wins).
    fn combine(r: &mut PutMessageResult, flush: PutMessageStatus, replica: PutMessageStatus) {
        if flush != PutMessageStatus::PutOk {
            r.status = flush;
        }
        if replica != PutMessageStatus::PutOk {
            r.status = replica;
        }
    }

    async fn finish_async(&self, mut r: PutMessageResult, wait: bool) -> PutMessageResult {
        // ASYNC_FLUSH on a master that is not SYNC_MASTER (or WAIT=false): nothing to wait
        // for, so no completion channels (two allocations per message) and no deadline.
        if !wait
            || (self.config.flush_disk_type != FlushDiskType::SyncFlush
                && self.config.broker_role != BrokerRole::SyncMaster)
        {
            if r.append.is_some() {
                self.group_commit.wake();
            }
            return r;
        }
        let (tx, rx) = tokio::sync::oneshot::channel();
        let flush_deadline = tokio::time::Instant::now() + self.sync_flush_timeout();
        let flush_pending = self
            .flush_request(&r, wait, Completion::Async(tx))
            .is_some();
        let (rtx, rrx) = tokio::sync::oneshot::channel();
        let replica = self.replica_request(&r, wait, Completion::Async(rtx));
        let flush = if flush_pending {
            match tokio::time::timeout_at(flush_deadline, rx).await {
                Ok(Ok(s)) => s,
                _ => PutMessageStatus::FlushDiskTimeout,
            }
        } else {
            PutMessageStatus::PutOk
        };
        let replica = match replica {
            ReplicaWait::None => PutMessageStatus::PutOk,
            ReplicaWait::NotAvailable => PutMessageStatus::SlaveNotAvailable,
            ReplicaWait::Pending(deadline) => {
                match tokio::time::timeout_at(deadline.into(), rrx).await {
                    Ok(Ok(s)) => s,
                    _ => PutMessageStatus::FlushSlaveTimeout,
                }
            }
        };
        Self::combine(&mut r, flush, replica);
        r
    }

    fn finish_blocking(&self, mut r: PutMessageResult, wait: bool) -> PutMessageResult {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let flush_deadline = Instant::now() + self.sync_flush_timeout();
        let flush_pending = self
            .flush_request(&r, wait, Completion::Blocking(tx))
            .is_some();
        let (rtx, rrx) = std::sync::mpsc::sync_channel(1);
        let replica = self.replica_request(&r, wait, Completion::Blocking(rtx));
        let flush = if flush_pending {
            rx.recv_timeout(flush_deadline.saturating_duration_since(Instant::now()))
                .unwrap_or(PutMessageStatus::FlushDiskTimeout)
        } else {
            PutMessageStatus::PutOk
        };
        let replica = match replica {
            ReplicaWait::None => PutMessageStatus::PutOk,
            ReplicaWait::NotAvailable => PutMessageStatus::SlaveNotAvailable,
            ReplicaWait::Pending(deadline) => rrx
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .unwrap_or(PutMessageStatus::FlushSlaveTimeout),
        };
        Self::combine(&mut r, flush, replica);
        r
    }

    /// Store one message (`asyncPutMessage`). The append itself (a memcpy under the put lock)
    /// runs synchronously; with SYNC_FLUSH and `WAIT=true` the future then waits for the group
    /// commit (FLUSH_DISK_TIMEOUT after `syncFlushTimeout`). SYNC_MASTER replication is left to
    /// the broker's HA layer (it can wait on `append.wrote_offset + wrote_bytes`).
    pub async fn put_message(&self, mut msg: MessageExtBrokerInner) -> PutMessageResult {
        let r = self.append_single(&mut msg);
        self.finish_async(r, msg.wait_store_msg_ok()).await
    }

    /// Store a batch (`asyncPutMessages`).
    pub async fn put_messages(&self, mut batch: MessageExtBatch) -> PutMessageResult {
        let r = self.append_batch(&mut batch);
        self.finish_async(r, batch.wait_store_msg_ok()).await
    }

    /// Blocking variant of [`DefaultMessageStore::put_message`] (do not call from an async
    /// task with SYNC_FLUSH: it blocks the thread while waiting for the flush).
    pub fn put_message_blocking(&self, mut msg: MessageExtBrokerInner) -> PutMessageResult {
        let r = self.append_single(&mut msg);
        self.finish_blocking(r, msg.wait_store_msg_ok())
    }

    /// Blocking variant of [`DefaultMessageStore::put_messages`].
    pub fn put_messages_blocking(&self, mut batch: MessageExtBatch) -> PutMessageResult {
        let r = self.append_batch(&mut batch);
        self.finish_blocking(r, batch.wait_store_msg_ok())
    }

    // ------------------------------------------------------------------ get

    fn next_offset_correction(&self, old: i64, new: i64) -> i64 {
        if self.config.broker_role != BrokerRole::Slave || self.config.offset_check_in_slave {
            new
        } else {
            old
        }
    }

    fn memory_limit(&self) -> i64 {
        (self.total_physical_memory as f64
            * (f64::from(self.config.access_message_in_memory_max_ratio) / 100.0)) as i64
    }

    fn check_in_disk_by_commit_offset(&self, offset_py: i64, max_offset_py: i64) -> bool {
        max_offset_py - offset_py > self.memory_limit()
    }

    fn is_the_batch_full(
        &self,
        size_py: i32,
        max_msg_nums: i32,
        max_total_bytes: i64,
        buffer_total: usize,
        message_total: usize,
        in_disk: bool,
    ) -> bool {
        if buffer_total == 0 || message_total == 0 {
            return false;
        }
        let buffer_total = buffer_total as i64;
        let message_total = message_total as i64;
        if i64::from(max_msg_nums) <= message_total {
            return true;
        }
        if max_total_bytes > 0 && buffer_total + i64::from(size_py) > max_total_bytes {
            return true;
        }
        let c = &self.config;
        if in_disk {
            buffer_total + i64::from(size_py) > i64::from(c.max_transfer_bytes_on_message_in_disk)
                || message_total > i64::from(c.max_transfer_count_on_message_in_disk) - 1
        } else {
            buffer_total + i64::from(size_py) > i64::from(c.max_transfer_bytes_on_message_in_memory)
                || message_total > i64::from(c.max_transfer_count_on_message_in_memory) - 1
        }
    }

    /// Pull messages (`getMessage`). `max_total_bytes <= 0` means only the configured
    /// transfer limits apply. Returns `None` when the store is shut down or not readable
    /// (Java returns null; the broker answers SYSTEM_ERROR).
    #[allow(clippy::too_many_arguments)]
    pub fn get_message(
        &self,
        group: &str,
        topic: &str,
        queue_id: i32,
        offset: i64,
        max_msg_nums: i32,
        max_total_bytes: i64,
        filter: Option<&dyn MessageFilter>,
    ) -> Option<GetMessageResult> {
        let _ = group;
        if self.shutdown.load(Ordering::Acquire) || !self.is_readable() {
            return None;
        }
        let max_offset_py = self.commit_log.max_offset();
        let Some(cq) = self.get_consume_queue(topic, queue_id) else {
            // Java creates an empty queue here, so the status is NO_MESSAGE_IN_QUEUE.
            return Some(GetMessageResult::empty(
                GetMessageStatus::NoMessageInQueue,
                self.next_offset_correction(offset, 0),
                0,
                0,
            ));
        };
        let min_offset = cq.min_offset_in_queue();
        let max_offset = cq.max_offset_in_queue();
        let mk = |st, next| GetMessageResult::empty(st, next, min_offset, max_offset);
        if max_offset == 0 {
            return Some(mk(
                GetMessageStatus::NoMessageInQueue,
                self.next_offset_correction(offset, 0),
            ));
        }
        if offset < min_offset {
            return Some(mk(
                GetMessageStatus::OffsetTooSmall,
                self.next_offset_correction(offset, min_offset),
            ));
        }
        if offset == max_offset {
            return Some(mk(
                GetMessageStatus::OffsetOverflowOne,
                self.next_offset_correction(offset, offset),
            ));
        }
        if offset > max_offset {
            return Some(mk(
                GetMessageStatus::OffsetOverflowBadly,
                self.next_offset_correction(offset, max_offset),
            ));
        }
        let Some(buf) = cq.get_index_buffer(offset) else {
            tracing::warn!(
                topic,
                queue_id,
                offset,
                min_offset,
                max_offset,
                "access logic queue failed"
            );
            return Some(mk(
                GetMessageStatus::OffsetFoundNull,
                self.next_offset_correction(offset, cq.roll_next_file(offset)),
            ));
        };
        let mut res = mk(GetMessageStatus::NoMatchedMessage, offset);
        let mut next_phy_file_start = i64::MIN;
        let mut max_phy_pulling = 0i64;
        let max_filter = 16000usize.max(max_msg_nums.max(0) as usize * CQ_UNIT);
        let data = &buf.data;
        let mut i = 0usize;
        while i + CQ_UNIT <= data.len() && i < max_filter {
            let Some(u) = CqUnit::parse(&data[i..i + CQ_UNIT]) else {
                break;
            };
            max_phy_pulling = u.offset;
            if next_phy_file_start != i64::MIN && u.offset < next_phy_file_start {
                i += CQ_UNIT;
                continue;
            }
            let in_disk = self.check_in_disk_by_commit_offset(u.offset, max_offset_py);
            if self.is_the_batch_full(
                u.size,
                max_msg_nums,
                max_total_bytes,
                res.buffer_total_size,
                res.messages.len(),
                in_disk,
            ) {
                break;
            }
            if let Some(f) = filter {
                if !f.is_matched_by_consume_queue(u.tags_code) {
                    if res.buffer_total_size == 0 {
                        res.status = GetMessageStatus::NoMatchedMessage;
                    }
                    i += CQ_UNIT;
                    continue;
                }
            }
            let Some(sel) = (u.size > 0)
                .then(|| self.commit_log.get_message(u.offset, u.size as usize))
                .flatten()
            else {
                if res.buffer_total_size == 0 {
                    res.status = GetMessageStatus::MessageWasRemoving;
                }
                next_phy_file_start = self.commit_log.roll_next_file(u.offset);
                i += CQ_UNIT;
                continue;
            };
            if let Some(f) = filter {
                if !f.is_matched_by_commit_log(&sel.data) {
                    if res.buffer_total_size == 0 {
                        res.status = GetMessageStatus::NoMatchedMessage;
                    }
                    i += CQ_UNIT;
                    continue;
                }
            }
            res.buffer_total_size += sel.size();
            res.messages.push(sel);
            res.message_queue_offsets
                .push(offset + (i / CQ_UNIT) as i64);
            res.status = GetMessageStatus::Found;
            next_phy_file_start = i64::MIN;
            i += CQ_UNIT;
        }
        res.next_begin_offset = offset + (i / CQ_UNIT) as i64;
        res.suggest_pulling_from_slave = max_offset_py - max_phy_pulling > self.memory_limit();
        Some(res)
    }

    /// `checkInDiskByConsumeOffset`: whether the message at `consume_offset` is older than the
    /// in-memory share of RAM (used for the new-group "start from 0" rule).
    pub fn check_in_disk_by_consume_offset(
        &self,
        topic: &str,
        queue_id: i32,
        consume_offset: i64,
    ) -> bool {
        let max_py = self.commit_log.max_offset();
        self.get_consume_queue(topic, queue_id)
            .and_then(|cq| cq.get_unit(consume_offset))
            .map(|u| self.check_in_disk_by_commit_offset(u.offset, max_py))
            .unwrap_or(false)
    }

    // ------------------------------------------------------------------ lookups

    /// `getMaxOffsetInQueue` (0 for an unknown queue).
    pub fn get_max_offset_in_queue(&self, topic: &str, queue_id: i32) -> i64 {
        self.get_consume_queue(topic, queue_id)
            .map(|q| q.max_offset_in_queue())
            .unwrap_or(0)
    }
    /// `getMinOffsetInQueue` (0 for an unknown queue, as Java's auto-created queue gives).
    pub fn get_min_offset_in_queue(&self, topic: &str, queue_id: i32) -> i64 {
        self.get_consume_queue(topic, queue_id)
            .map(|q| q.min_offset_in_queue())
            .unwrap_or(0)
    }
    /// `getCommitLogOffsetInQueue` (0 if absent).
    pub fn get_commit_log_offset_in_queue(
        &self,
        topic: &str,
        queue_id: i32,
        cq_offset: i64,
    ) -> i64 {
        self.get_consume_queue(topic, queue_id)
            .and_then(|q| q.get_unit(cq_offset))
            .map(|u| u.offset)
            .unwrap_or(0)
    }
    /// `getOffsetInQueueByTime` (SEARCH_OFFSET_BY_TIMESTAMP).
    pub fn get_offset_in_queue_by_time(&self, topic: &str, queue_id: i32, timestamp: i64) -> i64 {
        self.get_consume_queue(topic, queue_id)
            .map(|q| q.offset_in_queue_by_time(timestamp, &self.commit_log))
            .unwrap_or(0)
    }
    fn store_time_of_unit(&self, u: Option<CqUnit>) -> i64 {
        match u {
            Some(u) if u.size > 0 => self
                .commit_log
                .pickup_store_timestamp(u.offset, u.size as usize),
            _ => -1,
        }
    }
    /// `getEarliestMessageTime(topic, queueId)` (-1 if none).
    pub fn get_earliest_message_time(&self, topic: &str, queue_id: i32) -> i64 {
        match self.get_consume_queue(topic, queue_id) {
            Some(q) => self.store_time_of_unit(q.get_unit(q.min_logic_offset() / CQ_UNIT as i64)),
            None => -1,
        }
    }
    /// `getEarliestMessageTime()`: store time of the first commitlog record.
    pub fn get_earliest_message_time_global(&self) -> i64 {
        let min = self.commit_log.min_offset();
        self.commit_log
            .get_one_message(min)
            .map(|m| self.commit_log.pickup_store_timestamp(min, m.size()))
            .unwrap_or(-1)
    }
    /// `getMessageStoreTimeStamp(topic, queueId, cqOffset)` (-1 if none).
    pub fn get_message_store_timestamp(&self, topic: &str, queue_id: i32, cq_offset: i64) -> i64 {
        match self.get_consume_queue(topic, queue_id) {
            Some(q) => self.store_time_of_unit(q.get_unit(cq_offset)),
            None => -1,
        }
    }
    /// `getMessageTotalInQueue`.
    pub fn get_message_total_in_queue(&self, topic: &str, queue_id: i32) -> i64 {
        self.get_consume_queue(topic, queue_id)
            .map(|q| q.message_total_in_queue())
            .unwrap_or(-1)
    }
    /// `getMaxPhyOffset`.
    pub fn max_phy_offset(&self) -> i64 {
        self.commit_log.max_offset()
    }
    /// `getMinPhyOffset`.
    pub fn min_phy_offset(&self) -> i64 {
        self.commit_log.min_offset()
    }

    /// `selectOneMessageByOffset(commitLogOffset)`: the raw record (VIEW_MESSAGE_BY_ID body).
    pub fn select_one_message_by_offset(
        &self,
        commit_log_offset: i64,
    ) -> Option<SelectMappedBuffer> {
        self.commit_log.get_one_message(commit_log_offset)
    }
    /// `selectOneMessageByOffset(commitLogOffset, size)`.
    pub fn select_one_message_by_offset_and_size(
        &self,
        commit_log_offset: i64,
        size: usize,
    ) -> Option<SelectMappedBuffer> {
        self.commit_log.get_message(commit_log_offset, size)
    }
    /// `lookMessageByOffset`: decoded message (body not decompressed).
    pub fn look_message_by_offset(&self, commit_log_offset: i64) -> Option<MessageExt> {
        let sel = self.commit_log.get_one_message(commit_log_offset)?;
        protocol::message::decode(&sel.data, DecodeOptions::default())
            .ok()
            .map(|(m, _)| m)
    }

    /// `queryMessage(topic, key, maxNum, begin, end)` via the index (QUERY_MESSAGE).
    pub fn query_message(
        &self,
        topic: &str,
        key: &str,
        max_num: usize,
        begin: i64,
        end: i64,
    ) -> QueryMessageResult {
        let mut out = QueryMessageResult::default();
        let mut last_query_time = end;
        for _ in 0..3 {
            let mut r =
                self.index_service
                    .query_offset(topic, key, max_num, begin, last_query_time);
            if r.phy_offsets.is_empty() {
                break;
            }
            r.phy_offsets.sort_unstable();
            out.index_last_update_phyoffset = r.index_last_update_phyoffset;
            out.index_last_update_timestamp = r.index_last_update_timestamp;
            for (m, off) in r.phy_offsets.iter().enumerate() {
                let Some(sel) = self.commit_log.get_one_message(*off) else {
                    continue;
                };
                if m == 0 {
                    let st = self.commit_log.pickup_store_timestamp(*off, sel.size());
                    if st >= 0 {
                        last_query_time = st;
                    }
                }
                out.buffer_total_size += sel.size();
                out.messages.push(sel);
            }
            if out.buffer_total_size > 0 || last_query_time < begin {
                break;
            }
        }
        out
    }

    /// `getMessageIds`: offset msg id -> queue offset for `[min, max]`.
    pub fn get_message_ids(
        &self,
        topic: &str,
        queue_id: i32,
        min: i64,
        max: i64,
        store_host: &SocketAddr,
    ) -> HashMap<String, i64> {
        let mut out = HashMap::new();
        let Some(cq) = self.get_consume_queue(topic, queue_id) else {
            return out;
        };
        let min = min.max(cq.min_offset_in_queue());
        let max = max.min(cq.max_offset_in_queue());
        let mut next = min;
        while next < max {
            match cq.get_unit(next) {
                Some(u) => {
                    out.insert(
                        protocol::message::create_offset_msg_id(store_host, u.offset),
                        next,
                    );
                }
                None => break,
            }
            next += 1;
        }
        out
    }

    /// `getCommitLogData(offset)`: raw commitlog bytes from `offset` to the end of its file
    /// (HA master transfer).
    pub fn get_commit_log_data(&self, offset: i64) -> Option<SelectMappedBuffer> {
        if self.shutdown.load(Ordering::Acquire) {
            return None;
        }
        self.commit_log.get_data(offset)
    }

    /// `appendToCommitLog(startOffset, data)` (HA slave).
    pub fn append_to_commit_log(&self, start_offset: i64, data: &[u8]) -> bool {
        if self.shutdown.load(Ordering::Acquire) {
            return false;
        }
        let ok = self.commit_log.append_data(start_offset, data);
        if ok {
            self.wakeup_reput();
        }
        ok
    }

    // ------------------------------------------------------------------ HA

    /// Bind `haListenPort` and start replication (`HAService.start`): the listener serving
    /// slaves and the client following [`DefaultMessageStore::update_ha_master_address`].
    /// Stopped by [`DefaultMessageStore::shutdown`]. Calling it twice returns the running
    /// service.
    pub fn start_ha(self: &Arc<Self>) -> std::result::Result<Arc<HaService>, HaError> {
        let mut slot = self.ha_service.lock();
        if let Some(s) = slot.as_ref() {
            return Ok(Arc::clone(s));
        }
        let svc = HaService::start(self)?;
        *slot = Some(Arc::clone(&svc));
        Ok(svc)
    }

    /// The running HA service, if [`DefaultMessageStore::start_ha`] was called.
    pub fn ha_service(&self) -> Option<Arc<HaService>> {
        self.ha_service.lock().clone()
    }

    /// Replication counters (`push2SlaveMaxOffset`, connection count).
    pub fn ha_state(&self) -> &HaState {
        &self.ha
    }

    /// `updateHaMasterAddress`: the master's `haServerAddr` for the HA client (slaves).
    pub fn update_ha_master_address(&self, addr: &str) {
        if let Some(s) = self.ha_service() {
            s.update_master_address(addr);
        }
    }

    /// `slaveFallBehindMuch`: master max offset minus the slaves' acknowledged offset.
    pub fn slave_fall_behind_much(&self) -> i64 {
        self.commit_log.max_offset() - self.ha.push2slave_max_offset()
    }

    /// `resetWriteOffset` (HA slave truncation).
    pub fn reset_write_offset(&self, phy_offset: i64) -> bool {
        self.commit_log.reset_offset(phy_offset)
    }

    /// Flush the commitlog now; returns the flushed offset (`flush()`).
    pub fn flush(&self) -> i64 {
        self.commit_log.queue().flush(0);
        self.commit_log.queue().flushed_where()
    }

    /// `dispatchBehindBytes`.
    pub fn dispatch_behind_bytes(&self) -> i64 {
        self.commit_log.max_offset() - self.reput_from_offset.load(Ordering::Acquire)
    }

    /// `getConfirmOffset` / `setConfirmOffset`.
    pub fn confirm_offset(&self) -> i64 {
        self.commit_log.confirm_offset()
    }
    /// Set the confirm offset.
    pub fn set_confirm_offset(&self, v: i64) {
        self.commit_log.set_confirm_offset(v)
    }

    /// `cleanUnusedTopic`: destroy queues of topics not in `topics` (except system ones).
    pub fn clean_unused_topic(&self, topics: &HashSet<String>) {
        let victims: Vec<String> = self
            .consume_queue_table
            .iter()
            .map(|e| e.key().clone())
            .filter(|t| {
                !topics.contains(t)
                    && t != SCHEDULE_TOPIC
                    && t != "RMQ_SYS_TRANS_OP_HALF_TOPIC"
                    && !t.starts_with("%LMQ%")
            })
            .collect();
        for t in victims {
            if let Some((_, m)) = self.consume_queue_table.remove(&t) {
                for q in m.iter() {
                    q.destroy();
                    self.commit_log
                        .remove_queue_from_topic_queue_table(&t, *q.key());
                }
            }
        }
    }

    /// Destroy the consume queues of one topic (topic deletion).
    pub fn delete_topic(&self, topic: &str) {
        if let Some((_, m)) = self.consume_queue_table.remove(topic) {
            for q in m.iter() {
                q.destroy();
                self.commit_log
                    .remove_queue_from_topic_queue_table(topic, *q.key());
            }
            let _ = std::fs::remove_dir(self.config.consume_queue_dir().join(topic));
        }
    }

    /// `cleanExpiredConsumerQueue`: destroy queues whose data is entirely below the commitlog
    /// min offset.
    pub fn clean_expired_consumer_queue(&self) {
        let min = self.commit_log.min_offset();
        for cq in self.consume_queues() {
            if cq.topic() == SCHEDULE_TOPIC {
                continue;
            }
            let last = cq.last_offset();
            if last != -1 && last < min {
                cq.destroy();
                self.commit_log
                    .remove_queue_from_topic_queue_table(cq.topic(), cq.queue_id());
                if let Some(m) = self.consume_queue_table.get(cq.topic()) {
                    m.remove(&cq.queue_id());
                }
            }
        }
        self.consume_queue_table.retain(|_, m| !m.is_empty());
    }

    /// `executeDeleteFilesManually`: the next 20 cleanup rounds delete expired files
    /// regardless of `deleteWhen`.
    pub fn execute_delete_files_manually(&self) {
        self.manual_delete_times.store(20, Ordering::Release);
    }

    /// Runtime info (`getRuntimeInfo`, store part).
    pub fn runtime_info(&self) -> HashMap<String, String> {
        let mut m = HashMap::new();
        let cl = disk_used_ratio(&self.config.commit_log_dir());
        m.insert(
            format!(
                "commitLogDiskRatio_{}",
                self.config.commit_log_dir().display()
            ),
            cl.to_string(),
        );
        m.insert("commitLogDiskRatio".into(), cl.to_string());
        m.insert(
            "consumeQueueDiskRatio".into(),
            disk_used_ratio(&self.config.consume_queue_dir()).to_string(),
        );
        m.insert(
            "commitLogMinOffset".into(),
            self.min_phy_offset().to_string(),
        );
        m.insert(
            "commitLogMaxOffset".into(),
            self.max_phy_offset().to_string(),
        );
        m.insert(
            "dispatchBehindBytes".into(),
            self.dispatch_behind_bytes().to_string(),
        );
        m.insert(
            "pageCacheLockTimeMills".into(),
            self.lock_time_mills().to_string(),
        );
        m.insert(
            "earliestMessageTimeStamp".into(),
            self.get_earliest_message_time_global().to_string(),
        );
        m
    }

    pub(crate) fn stopper_sleep(&self, d: Duration) -> bool {
        self.stopper.sleep(d)
    }

    /// Current time in ms (`now()`).
    pub fn now(&self) -> i64 {
        now_ms()
    }

    // ------------------------------------------------------------------ dispatch

    fn wakeup_reput(&self) {
        let (m, cv) = &self.reput_wakeup;
        *m.lock() = true;
        cv.notify_one();
    }

    /// `doDispatch`: build the consume queue entry and the index for one record.
    pub(crate) fn do_dispatch(&self, req: &DispatchRequest) {
        let ty = sysflag::transaction_value(req.sys_flag);
        if ty == sysflag::TRANSACTION_NOT_TYPE || ty == sysflag::TRANSACTION_COMMIT_TYPE {
            self.put_message_position_info(req);
        }
        if self.config.message_index_enable && !self.index_service.build_index(req) {
            tracing::error!("build index error, stop building index");
            self.set_flag(running_flags::WRITE_INDEX_FILE_ERROR, true);
        }
    }

    fn put_message_position_info(&self, req: &DispatchRequest) {
        let cq = self.find_consume_queue(&req.topic, req.queue_id);
        for attempt in 0..3 {
            if self.running_flags() & running_flags::WRITE_LOGICS_QUEUE_ERROR != 0 {
                break;
            }
            if cq.put_message_position_info(
                req.commit_log_offset,
                req.msg_size,
                req.tags_code,
                req.consume_queue_offset,
            ) {
                if self.config.broker_role == BrokerRole::Slave {
                    self.checkpoint
                        .set_physic_msg_timestamp(req.store_timestamp);
                }
                self.checkpoint
                    .set_logics_msg_timestamp(req.store_timestamp);
                return;
            }
            tracing::warn!(topic = %req.topic, queue_id = req.queue_id, attempt, "[BUG]put commit log position info failed");
            std::thread::sleep(Duration::from_millis(100));
        }
        tracing::error!(topic = %req.topic, queue_id = req.queue_id, "[BUG]consume queue can not write");
        self.set_flag(running_flags::WRITE_LOGICS_QUEUE_ERROR, true);
    }

    /// One `doReput` pass: dispatch everything readable after `reputFromOffset`.
    fn do_reput(&self) {
        let min = self.commit_log.min_offset();
        if self.reput_from_offset.load(Ordering::Acquire) < min {
            tracing::warn!(
                min,
                "reputFromOffset is smaller than the commitlog min offset"
            );
            self.reput_from_offset.store(min, Ordering::Release);
        }
        let is_master = self.config.broker_role != BrokerRole::Slave;
        let delay = Arc::clone(&self.commit_log.delay);
        let listener = self.listener.read().clone();
        loop {
            let mut from = self.reput_from_offset.load(Ordering::Acquire);
            if from >= self.commit_log.max_offset() {
                break;
            }
            if self.config.duplication_enable && from >= self.commit_log.confirm_offset() {
                break;
            }
            let Some(sel) = self.commit_log.get_data(from) else {
                break;
            };
            from = sel.start_offset;
            let data = &sel.data;
            let mut read = 0usize;
            let mut do_next = true;
            while read < data.len() && do_next {
                let req = check_message_and_return_size(&data[read..], false, false, &delay);
                let size = req.msg_size;
                if req.success {
                    if size > 0 {
                        self.do_dispatch(&req);
                        if is_master {
                            if let Some(l) = &listener {
                                l.arriving(
                                    &req.topic,
                                    req.queue_id,
                                    req.consume_queue_offset + 1,
                                    req.tags_code,
                                    req.store_timestamp,
                                    &req.properties,
                                );
                            }
                        }
                        from += i64::from(size);
                        read += size as usize;
                    } else {
                        from = self.commit_log.roll_next_file(from);
                        read = data.len();
                    }
                } else if size > 0 {
                    tracing::error!(from, "[BUG]read total count not equals msg total size");
                    from += i64::from(size);
                    read += size as usize;
                } else {
                    do_next = false;
                    if is_master {
                        tracing::error!(from, "[BUG]dispatch message to consume queue error");
                        from += (data.len() - read) as i64;
                    }
                }
                self.reput_from_offset.store(from, Ordering::Release);
            }
            self.reput_from_offset.store(from, Ordering::Release);
            if !do_next {
                break;
            }
        }
    }

    fn reput_loop(&self) {
        loop {
            {
                let (m, cv) = &self.reput_wakeup;
                let mut w = m.lock();
                if !*w {
                    cv.wait_for(&mut w, Duration::from_millis(1));
                }
                *w = false;
            }
            self.do_reput();
            if self.stopper.is_stopped() {
                break;
            }
        }
    }

    // ------------------------------------------------------------------ flushing

    fn flush_real_time_loop(&self) {
        let mut last_thorough = 0i64;
        loop {
            let c = &self.config;
            let interval = Duration::from_millis(c.flush_interval_commit_log.max(1) as u64);
            let mut least = c.flush_commit_log_least_pages.max(0) as usize;
            let now = now_ms();
            if now >= last_thorough + i64::from(c.flush_commit_log_thorough_interval) {
                last_thorough = now;
                least = 0;
            }
            if self.stopper.sleep(interval) {
                break;
            }
            let mfq = self.commit_log.queue();
            mfq.flush(least);
            let ts = mfq.store_timestamp();
            if ts > 0 {
                self.checkpoint.set_physic_msg_timestamp(ts);
            }
        }
    }

    fn group_commit_loop(&self) {
        let mfq = self.commit_log.queue();
        loop {
            let stopped = self.stopper.is_stopped();
            let reqs = self.group_commit.wait_and_take(Duration::from_millis(10));
            if reqs.is_empty() {
                mfq.flush(0);
            } else {
                GroupCommitQueue::commit(
                    reqs,
                    || mfq.flushed_where(),
                    || {
                        mfq.flush(0);
                    },
                );
                let ts = mfq.store_timestamp();
                if ts > 0 {
                    self.checkpoint.set_physic_msg_timestamp(ts);
                }
            }
            if stopped {
                break;
            }
        }
        // late arrivals
        let reqs = self.group_commit.wait_and_take(Duration::from_millis(0));
        GroupCommitQueue::commit(
            reqs,
            || mfq.flushed_where(),
            || {
                mfq.flush(0);
            },
        );
    }

    fn flush_consume_queues(&self, least_pages: usize) {
        for cq in self.consume_queues() {
            cq.flush(least_pages);
        }
    }

    fn flush_cq_loop(&self) {
        let mut last_thorough = now_ms();
        loop {
            let c = &self.config;
            if self.stopper.sleep(Duration::from_millis(
                c.flush_interval_consume_queue.max(1) as u64
            )) {
                break;
            }
            let mut least = c.flush_consume_queue_least_pages.max(0) as usize;
            let mut logics_ts = 0;
            let now = now_ms();
            if now >= last_thorough + i64::from(c.flush_consume_queue_thorough_interval) {
                last_thorough = now;
                least = 0;
                logics_ts = self.checkpoint.logics_msg_timestamp();
            }
            self.flush_consume_queues(least);
            if least == 0 {
                if logics_ts > 0 {
                    self.checkpoint.set_logics_msg_timestamp(logics_ts);
                }
                if let Err(e) = self.checkpoint.flush() {
                    tracing::error!(error = %e, "checkpoint flush failed");
                }
            }
        }
    }

    // ------------------------------------------------------------------ cleanup

    fn clean_loop(&self) {
        if self.stopper.sleep(Duration::from_millis(60_000)) {
            return;
        }
        let mut last_disk_check = Instant::now() - Duration::from_secs(60);
        let mut last_clean = Instant::now() - Duration::from_secs(3600);
        loop {
            if last_disk_check.elapsed() >= Duration::from_secs(10) {
                last_disk_check = Instant::now();
                self.is_space_full();
            }
            if last_clean.elapsed()
                >= Duration::from_millis(self.config.clean_resource_interval.max(1) as u64)
            {
                last_clean = Instant::now();
                self.clean_files_periodically();
            }
            if self.stopper.sleep(Duration::from_millis(1000)) {
                break;
            }
        }
    }

    /// One round of `CleanCommitLogService.run` + `CleanConsumeQueueService.run`.
    pub fn clean_files_periodically(&self) {
        self.delete_expired_commit_log_files();
        self.delete_expired_logic_files();
    }

    fn is_time_to_delete(&self) -> bool {
        let hour = local_hour();
        self.config
            .delete_when
            .split(';')
            .any(|w| w.trim().parse::<i32>().ok() == Some(hour))
    }

    fn is_space_to_delete(&self) -> bool {
        let ratio = f64::from(self.config.disk_max_used_space_ratio()) / 100.0;
        self.clean_immediately.store(false, Ordering::Release);
        let warning = 0.90;
        let forcibly = 0.85;
        for path in [
            self.config.commit_log_dir(),
            self.config.consume_queue_dir(),
        ] {
            let r = disk_used_ratio(&path);
            if r > warning {
                if !self.set_flag(running_flags::DISK_FULL, true) {
                    tracing::error!(ratio = r, path = %path.display(), "disk maybe full soon, so mark disk full");
                }
                self.clean_immediately.store(true, Ordering::Release);
            } else if r > forcibly {
                self.clean_immediately.store(true, Ordering::Release);
            } else if self.set_flag(running_flags::DISK_FULL, false) {
                tracing::info!(ratio = r, "disk space OK, mark disk ok");
            }
            if r < 0.0 || r > ratio {
                return true;
            }
        }
        false
    }

    /// `isSpaceFull` (every 10 s): mark the store DISK_FULL above 90 % commitlog disk usage.
    fn is_space_full(&self) -> bool {
        let r = disk_used_ratio(&self.config.commit_log_dir());
        if r > 0.90 {
            if !self.set_flag(running_flags::DISK_FULL, true) {
                tracing::error!(ratio = r, "commitlog disk maybe full soon, mark disk full");
            }
            true
        } else {
            self.set_flag(running_flags::DISK_FULL, false);
            false
        }
    }

    fn delete_expired_commit_log_files(&self) {
        let timeup = self.is_time_to_delete();
        let spacefull = self.is_space_to_delete();
        let manual = self.manual_delete_times.load(Ordering::Acquire) > 0;
        if !(timeup || spacefull || manual) {
            return;
        }
        if manual {
            self.manual_delete_times.fetch_sub(1, Ordering::AcqRel);
        }
        let clean_at_once = self.config.clean_file_forcibly_enable
            && self.clean_immediately.load(Ordering::Acquire);
        let reserved_ms = i64::from(self.config.file_reserved_time) * 3_600_000;
        let n = self.commit_log.queue().delete_expired_by_time(
            reserved_ms,
            self.config.delete_commit_log_files_interval.max(0) as u64,
            clean_at_once,
        );
        if n > 0 {
            tracing::info!(
                deleted = n,
                timeup,
                spacefull,
                manual,
                "deleted expired commitlog files"
            );
        } else if spacefull {
            tracing::warn!("disk space will be full soon, but delete file failed");
        }
    }

    fn delete_expired_logic_files(&self) {
        let min = self.commit_log.min_offset();
        if min > self.last_physical_min_offset.load(Ordering::Acquire) {
            self.last_physical_min_offset.store(min, Ordering::Release);
            for cq in self.consume_queues() {
                let n = cq.delete_expired_file(min);
                if n > 0 && self.config.delete_consume_queue_files_interval > 0 {
                    std::thread::sleep(Duration::from_millis(
                        self.config.delete_consume_queue_files_interval as u64,
                    ));
                }
            }
            self.index_service.delete_expired_file(min);
        }
    }
}

impl Drop for DefaultMessageStore {
    fn drop(&mut self) {
        // Threads hold an Arc, so reaching Drop means they are gone; release the lock file.
        self.lock.get_mut().take();
    }
}

/// Topics become directory names under `consumequeue/`; the broker validates them
/// (`TopicValidator`), this is only a guard against path traversal.
fn is_safe_topic_dir_name(t: &str) -> bool {
    !t.is_empty() && t != "." && t != ".." && !t.contains(['/', '\\', '\0'])
}

fn local_hour() -> i32 {
    let secs = now_ms().div_euclid(1000) as libc::time_t;
    // SAFETY: localtime_r only writes the provided struct.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&secs, &mut tm).is_null() {
            return -1;
        }
        tm.tm_hour
    }
}
