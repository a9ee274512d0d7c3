//! The commitlog: append, read and record validation.
//!
//! Mirrors Java `CommitLog` (`asyncPutMessage`, `asyncPutMessages`,
//! `DefaultAppendMessageCallback.doAppend`, `MessageExtEncoder`, `checkMessageAndReturnSize`,
//! `getData`, `getMessage`, `pickupStoreTimestamp`, `appendData`). Recovery and flushing live
//! in `store.rs` / `flush.rs`.
//!
//! Record layout (store.md §2.1; see `protocol::message::codec` for the field table):
//! `[TOTALSIZE][MAGIC 0xDAA320A7][BODYCRC][QUEUEID][FLAG][QUEUEOFFSET][PHYSICALOFFSET][SYSFLAG]
//! [BORNTIMESTAMP][BORNHOST 8|20][STORETIMESTAMP][STOREHOST 8|20][RECONSUMETIMES][PREPARED TX
//! OFFSET][BODYLEN+BODY][TOPICLEN(1)+TOPIC][PROPSLEN(2)+PROPS]`.
//!
//! End-of-file marker: when `record + 8 > remaining`, `[int remaining][int 0xCBD43194]` is
//! written, the file is declared full and the record goes to the next file. A batch moves as a
//! whole.
//!
//! Delayed messages (DELAY > 0, non-transactional or commit type) are rewritten here exactly as
//! Java does: level clamped to the max level, `REAL_TOPIC` / `REAL_QID` added to the properties,
//! topic `SCHEDULE_TOPIC_XXXX`, queue `level - 1`. Transactional half messages are re-topiced by
//! the broker (4.9 `TransactionalMessageBridge`), not here; PREPARED / ROLLBACK types get queue
//! offset 0 and do not advance the queue counter, as in Java.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use protocol::message::codec::{
    body_len_position, calc_msg_length, store_timestamp_position, sys_flag_for_hosts, write_record,
    RecordHeader, BLANK_MAGIC_CODE, MESSAGE_MAGIC_CODE, PHY_POS_POSITION, QUEUE_OFFSET_POSITION,
};
use protocol::message::msgid::create_offset_msg_id;
use protocol::message::property::{
    self, iter_properties, properties_to_string, string_to_properties,
};
use protocol::message::sysflag::{self, born_host_len, store_host_len};
use protocol::message::{body_crc32, iter_batch, tags_hash_code};

use crate::mapped_file::{now_ms, MappedFile, MappedFileQueue, SelectMappedBuffer};
use crate::message::*;

/// `TopicValidator.RMQ_SYS_SCHEDULE_TOPIC`.
pub const SCHEDULE_TOPIC: &str = "SCHEDULE_TOPIC_XXXX";
/// `END_FILE_MIN_BLANK_LENGTH`.
pub const END_FILE_MIN_BLANK_LENGTH: usize = 8;

/// Delay level table (`ScheduleMessageService.delayLevelTable`), level 1 at index 0.
#[derive(Debug, Clone)]
pub struct DelayLevels {
    millis: Vec<i64>,
}

impl DelayLevels {
    /// From the parsed `messageDelayLevel`.
    pub fn new(millis: Vec<i64>) -> Self {
        DelayLevels { millis }
    }
    /// `getMaxDelayLevel`.
    pub fn max_level(&self) -> i32 {
        self.millis.len() as i32
    }
    /// `computeDeliverTimestamp(level, storeTimestamp)`.
    pub fn deliver_timestamp(&self, level: i32, store_timestamp: i64) -> i64 {
        match usize::try_from(level - 1)
            .ok()
            .and_then(|i| self.millis.get(i))
        {
            Some(ms) => store_timestamp + ms,
            None => store_timestamp + 1000,
        }
    }
}

/// Validate and parse one record at the start of `buf` (`checkMessageAndReturnSize`).
///
/// Returns size 0 for the end-of-file marker, `-1` (failure) for garbage / truncated data /
/// CRC mismatch, and `total_size` (failure) when TOTALSIZE disagrees with the computed length.
pub fn check_message_and_return_size(
    buf: &[u8],
    check_crc: bool,
    read_body: bool,
    delay: &DelayLevels,
) -> DispatchRequest {
    if buf.len() < 8 {
        return DispatchRequest::failed(-1);
    }
    let total_size = i32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]);
    let magic = i32::from_be_bytes([buf[4], buf[5], buf[6], buf[7]]);
    if magic == BLANK_MAGIC_CODE {
        return DispatchRequest::blank();
    }
    if magic != MESSAGE_MAGIC_CODE || total_size < 0 {
        return DispatchRequest::failed(-1);
    }
    let v = match protocol::message::parse_view(buf) {
        Ok(v) => v,
        Err(_) => return DispatchRequest::failed(-1),
    };
    let h = &v.header;
    if read_body && check_crc && !v.body_range.is_empty() && body_crc32(v.body()) != h.body_crc {
        tracing::warn!(offset = h.physical_offset, "CRC check failed");
        return DispatchRequest::failed(-1);
    }
    let topic = v.topic_str().into_owned();
    let props = v.properties_str().into_owned();
    let mut tags_code = 0;
    let mut keys = String::new();
    let mut uniq_key = None;
    let mut delay_prop = None;
    for (k, val) in iter_properties(&props) {
        match k {
            property::TAGS => tags_code = tags_hash_code(val),
            property::KEYS => keys = val.to_string(),
            property::UNIQ_KEY => uniq_key = Some(val.to_string()),
            property::DELAY => delay_prop = Some(val.to_string()),
            _ => {}
        }
    }
    if topic == SCHEDULE_TOPIC {
        if let Some(t) = delay_prop {
            let Ok(mut level) = t.parse::<i32>() else {
                return DispatchRequest::failed(-1);
            };
            if level > delay.max_level() {
                level = delay.max_level();
            }
            if level > 0 {
                tags_code = delay.deliver_timestamp(level, h.store_timestamp);
            }
        }
    }
    let read_len = calc_msg_length(
        h.sys_flag,
        v.body_range.len(),
        v.topic.len(),
        v.properties.len(),
    );
    if total_size as usize != read_len {
        tracing::error!(
            total_size,
            read_len,
            "[BUG]read total count not equals msg total size"
        );
        return DispatchRequest::failed(total_size);
    }
    DispatchRequest {
        topic,
        queue_id: h.queue_id,
        commit_log_offset: h.physical_offset,
        msg_size: total_size,
        tags_code,
        store_timestamp: h.store_timestamp,
        consume_queue_offset: h.queue_offset,
        keys,
        uniq_key,
        sys_flag: h.sys_flag,
        prepared_transaction_offset: h.prepared_transaction_offset,
        properties: props,
        success: true,
    }
}

/// The commitlog (`CommitLog`).
pub struct CommitLog {
    pub(crate) mfq: MappedFileQueue,
    file_size: i64,
    max_body_size: usize,
    put_lock: Mutex<HashMap<String, i64>>,
    begin_time_in_lock: AtomicI64,
    confirm_offset: AtomicI64,
    pub(crate) delay: Arc<DelayLevels>,
}

impl std::fmt::Debug for CommitLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommitLog").field("mfq", &self.mfq).finish()
    }
}

/// An encoded, not yet positioned, record batch.
struct Encoded {
    buf: Vec<u8>,
    /// Start of each record in `buf`.
    starts: Vec<usize>,
    store_ts_pos: usize,
}

impl CommitLog {
    /// New commitlog over `dir` (files are loaded by [`CommitLog::load`]).
    pub fn new(
        dir: std::path::PathBuf,
        file_size: usize,
        max_body_size: usize,
        delay: DelayLevels,
    ) -> Self {
        CommitLog {
            mfq: MappedFileQueue::new(dir, file_size),
            file_size: file_size as i64,
            max_body_size,
            put_lock: Mutex::new(HashMap::new()),
            begin_time_in_lock: AtomicI64::new(0),
            confirm_offset: AtomicI64::new(-1),
            delay: Arc::new(delay),
        }
    }

    /// Map the existing files.
    pub fn load(&self) -> crate::Result<()> {
        self.mfq.load()
    }

    /// The file queue.
    pub fn queue(&self) -> &MappedFileQueue {
        &self.mfq
    }
    /// File size.
    pub fn file_size(&self) -> i64 {
        self.file_size
    }

    /// Replace the topic queue table (`setTopicQueueTable`, keys `"<topic>-<queueId>"`).
    pub fn set_topic_queue_table(&self, table: HashMap<String, i64>) {
        *self.put_lock.lock() = table;
    }
    /// Next queue offset for a queue (0 if unknown).
    pub fn topic_queue_offset(&self, topic: &str, queue_id: i32) -> i64 {
        self.put_lock
            .lock()
            .get(&format!("{topic}-{queue_id}"))
            .copied()
            .unwrap_or(0)
    }
    /// `removeQueueFromTopicQueueTable`.
    pub fn remove_queue_from_topic_queue_table(&self, topic: &str, queue_id: i32) {
        self.put_lock.lock().remove(&format!("{topic}-{queue_id}"));
    }

    /// Time the current holder has spent in the put lock (`lockTimeMills`).
    pub fn lock_time_mills(&self) -> i64 {
        let b = self.begin_time_in_lock.load(Ordering::Relaxed);
        if b > 0 {
            (now_ms() - b).max(0)
        } else {
            0
        }
    }
    /// Start of the current lock hold, 0 if free (`getBeginTimeInLock`).
    pub fn begin_time_in_lock(&self) -> i64 {
        self.begin_time_in_lock.load(Ordering::Relaxed)
    }
    /// `confirmOffset`.
    pub fn confirm_offset(&self) -> i64 {
        self.confirm_offset.load(Ordering::Acquire)
    }
    /// Set `confirmOffset`.
    pub fn set_confirm_offset(&self, v: i64) {
        self.confirm_offset.store(v, Ordering::Release);
    }

    /// `getMinOffset`.
    pub fn min_offset(&self) -> i64 {
        match self.mfq.first() {
            Some(f) if f.is_available() => f.file_from_offset(),
            Some(f) => self.roll_next_file(f.file_from_offset()),
            None => -1,
        }
    }
    /// `getMaxOffset`: end of readable data.
    pub fn max_offset(&self) -> i64 {
        self.mfq.max_offset()
    }
    /// `rollNextFile`.
    pub fn roll_next_file(&self, offset: i64) -> i64 {
        offset + self.file_size - offset.rem_euclid(self.file_size)
    }

    /// `getMessage(offset, size)`.
    pub fn get_message(&self, offset: i64, size: usize) -> Option<SelectMappedBuffer> {
        let f = self.mfq.find_by_offset(offset, offset == 0)?;
        let pos = offset.rem_euclid(self.file_size) as usize;
        f.select(pos, size)
    }

    /// `getData(offset)`: everything readable from `offset` to the end of its file.
    pub fn get_data(&self, offset: i64) -> Option<SelectMappedBuffer> {
        self.get_data_ext(offset, offset == 0)
    }

    /// `getData(offset, returnFirstOnNotFound)`.
    pub fn get_data_ext(&self, offset: i64, return_first: bool) -> Option<SelectMappedBuffer> {
        let f = self.mfq.find_by_offset(offset, return_first)?;
        let pos = offset.rem_euclid(self.file_size) as usize;
        f.select_from(pos)
    }

    /// The record at `offset` (size read from its TOTALSIZE).
    pub fn get_one_message(&self, offset: i64) -> Option<SelectMappedBuffer> {
        let head = self.get_message(offset, 4)?;
        let size = i32::from_be_bytes([head.data[0], head.data[1], head.data[2], head.data[3]]);
        if size <= 0 {
            return None;
        }
        self.get_message(offset, size as usize)
    }

    /// `pickupStoreTimestamp(offset, size)`; -1 if unavailable.
    pub fn pickup_store_timestamp(&self, offset: i64, size: usize) -> i64 {
        if offset < self.min_offset() {
            return -1;
        }
        let Some(r) = self.get_message(offset, size) else {
            return -1;
        };
        let d = &r.data;
        if d.len() < 40 {
            return -1;
        }
        let sys_flag = i32::from_be_bytes([d[36], d[37], d[38], d[39]]);
        let p = store_timestamp_position(sys_flag);
        if d.len() < p + 8 {
            return -1;
        }
        let mut a = [0u8; 8];
        a.copy_from_slice(&d[p..p + 8]);
        i64::from_be_bytes(a)
    }

    /// Rewrite a delayed message to the schedule topic (the delay part of `asyncPutMessage`).
    fn apply_delay(&self, msg: &mut MessageExtBrokerInner) {
        let ty = msg.transaction_type();
        if ty != sysflag::TRANSACTION_NOT_TYPE && ty != sysflag::TRANSACTION_COMMIT_TYPE {
            return;
        }
        let mut level = msg.delay_time_level();
        if level <= 0 {
            return;
        }
        let mut props = string_to_properties(&msg.properties_string);
        if level > self.delay.max_level() {
            level = self.delay.max_level();
            props.insert(property::DELAY.to_string(), level.to_string());
        }
        props.insert(property::REAL_TOPIC.to_string(), msg.topic.clone());
        props.insert(property::REAL_QID.to_string(), msg.queue_id.to_string());
        msg.properties_string = properties_to_string(&props);
        msg.topic = SCHEDULE_TOPIC.to_string();
        msg.queue_id = level - 1;
    }

    /// `MessageExtEncoder.encode(MessageExtBrokerInner)`.
    fn encode_single(&self, msg: &MessageExtBrokerInner) -> Result<Encoded, PutMessageStatus> {
        let props = msg.properties_string.as_bytes();
        if props.len() > i16::MAX as usize {
            return Err(PutMessageStatus::PropertiesSizeExceeded);
        }
        if msg.body.len() > self.max_body_size {
            tracing::warn!(len = msg.body.len(), "message body size exceeded");
            return Err(PutMessageStatus::MessageIllegal);
        }
        let msg_len = calc_msg_length(msg.sys_flag, msg.body.len(), msg.topic.len(), props.len());
        if msg_len > self.max_body_size.saturating_add(64 * 1024) {
            return Err(PutMessageStatus::MessageIllegal);
        }
        let h = RecordHeader {
            body_crc: body_crc32(&msg.body),
            queue_id: msg.queue_id,
            flag: msg.flag,
            queue_offset: 0,
            physical_offset: 0,
            sys_flag: msg.sys_flag,
            born_timestamp: msg.born_timestamp,
            born_host: msg.born_host,
            store_timestamp: now_ms(),
            store_host: msg.store_host,
            reconsume_times: msg.reconsume_times,
            prepared_transaction_offset: msg.prepared_transaction_offset,
        };
        let mut buf = Vec::with_capacity(msg_len);
        write_record(&mut buf, &h, &msg.body, msg.topic.as_bytes(), props)
            .map_err(|_| PutMessageStatus::MessageIllegal)?;
        Ok(Encoded {
            buf,
            starts: vec![0],
            store_ts_pos: store_timestamp_position(msg.sys_flag),
        })
    }

    /// `MessageExtEncoder.encode(MessageExtBatch)`.
    fn encode_batch(&self, batch: &MessageExtBatch) -> Result<Encoded, PutMessageStatus> {
        let batch_props = batch.properties_string.as_bytes();
        if batch_props.len() > i16::MAX as usize {
            return Err(PutMessageStatus::MessageIllegal);
        }
        let topic = batch.topic.as_bytes();
        let mut buf = Vec::with_capacity(batch.body.len() + 128);
        let mut starts = Vec::new();
        let mut props = Vec::new();
        for e in iter_batch(&batch.body) {
            let e = e.map_err(|_| PutMessageStatus::MessageIllegal)?;
            props.clear();
            props.extend_from_slice(e.properties);
            if !e.properties.is_empty()
                && !batch_props.is_empty()
                && e.properties.last() != Some(&2u8)
            {
                props.push(2u8);
            }
            props.extend_from_slice(batch_props);
            if props.len() > i16::MAX as usize {
                return Err(PutMessageStatus::PropertiesSizeExceeded);
            }
            let h = RecordHeader {
                body_crc: body_crc32(e.body),
                queue_id: batch.queue_id,
                flag: e.flag,
                queue_offset: 0,
                physical_offset: 0,
                sys_flag: batch.sys_flag,
                born_timestamp: batch.born_timestamp,
                born_host: batch.born_host,
                store_timestamp: now_ms(),
                store_host: batch.store_host,
                reconsume_times: batch.reconsume_times,
                prepared_transaction_offset: 0,
            };
            starts.push(buf.len());
            write_record(&mut buf, &h, e.body, topic, &props)
                .map_err(|_| PutMessageStatus::MessageIllegal)?;
        }
        if starts.is_empty() {
            return Err(PutMessageStatus::MessageIllegal);
        }
        Ok(Encoded {
            buf,
            starts,
            store_ts_pos: store_timestamp_position(batch.sys_flag),
        })
    }

    /// Put a single message (`asyncPutMessage` up to the flush/replica requests). The message is
    /// updated in place (delay rewrite, sys flag).
    pub fn put_message(&self, msg: &mut MessageExtBrokerInner) -> PutMessageResult {
        self.put_message_opts(msg, true)
    }

    /// [`CommitLog::put_message`] with the delay rewrite optional (the schedule service
    /// re-delivers messages whose properties still carry `DELAY`, as Java's do).
    pub fn put_message_opts(
        &self,
        msg: &mut MessageExtBrokerInner,
        apply_delay: bool,
    ) -> PutMessageResult {
        if apply_delay {
            self.apply_delay(msg);
        }
        msg.sys_flag = sys_flag_for_hosts(msg.sys_flag, &msg.born_host, &msg.store_host);
        let enc = match self.encode_single(msg) {
            Ok(e) => e,
            Err(s) => return PutMessageResult::status(s),
        };
        let key = format!("{}-{}", msg.topic, msg.queue_id);
        let ty = msg.transaction_type();
        let advance = ty == sysflag::TRANSACTION_NOT_TYPE || ty == sysflag::TRANSACTION_COMMIT_TYPE;
        self.append_encoded(enc, &key, advance, &msg.store_host)
    }

    /// Put a batch (`asyncPutMessages` up to the flush/replica requests).
    pub fn put_messages(&self, batch: &mut MessageExtBatch) -> PutMessageResult {
        if sysflag::transaction_value(batch.sys_flag) != sysflag::TRANSACTION_NOT_TYPE {
            return PutMessageResult::status(PutMessageStatus::MessageIllegal);
        }
        let delay = batch
            .property(property::DELAY)
            .and_then(|v| v.parse::<i32>().ok())
            .unwrap_or(0);
        if delay > 0 {
            return PutMessageResult::status(PutMessageStatus::MessageIllegal);
        }
        batch.sys_flag = sys_flag_for_hosts(batch.sys_flag, &batch.born_host, &batch.store_host);
        let enc = match self.encode_batch(batch) {
            Ok(e) => e,
            Err(s) => return PutMessageResult::status(s),
        };
        let key = format!("{}-{}", batch.topic, batch.queue_id);
        self.append_encoded(enc, &key, true, &batch.store_host)
    }

    fn append_encoded(
        &self,
        mut enc: Encoded,
        key: &str,
        advance: bool,
        store_host: &std::net::SocketAddr,
    ) -> PutMessageResult {
        let mut table = self.put_lock.lock();
        let begin = now_ms();
        self.begin_time_in_lock.store(begin, Ordering::Relaxed);
        let store_ts = begin;
        let result = (|| {
            let mut file = match self.mfq.last() {
                Some(f) if !f.is_full() => f,
                _ => match self.mfq.last_or_create(0) {
                    Some(f) => f,
                    None => {
                        return PutMessageResult::status(PutMessageStatus::CreateMapedFileFailed)
                    }
                },
            };
            let queue_offset = *table.entry(key.to_string()).or_insert(0);
            for attempt in 0..2 {
                match self.do_append(&file, &mut enc, queue_offset, advance, store_ts, store_host) {
                    Ok(mut r) => {
                        if advance {
                            table.insert(key.to_string(), queue_offset + i64::from(r.msg_num));
                        } else {
                            r.logics_offset = 0;
                        }
                        return PutMessageResult {
                            status: PutMessageStatus::PutOk,
                            append: Some(r),
                        };
                    }
                    Err(()) if attempt == 0 => {
                        file = match self.mfq.last_or_create(0) {
                            Some(f) => f,
                            None => {
                                return PutMessageResult::status(
                                    PutMessageStatus::CreateMapedFileFailed,
                                )
                            }
                        };
                    }
                    Err(()) => break,
                }
            }
            PutMessageResult::status(PutMessageStatus::UnknownError)
        })();
        self.begin_time_in_lock.store(0, Ordering::Relaxed);
        drop(table);
        let elapsed = now_ms() - begin;
        if elapsed > 500 {
            tracing::warn!(elapsed, "[NOTIFYME]putMessage in lock cost too much time");
        }
        result
    }

    /// `doAppend`: write at the end of `file` or close it with a blank marker (`Err`).
    fn do_append(
        &self,
        file: &Arc<MappedFile>,
        enc: &mut Encoded,
        queue_offset: i64,
        advance: bool,
        store_ts: i64,
        store_host: &std::net::SocketAddr,
    ) -> Result<AppendMessageResult, ()> {
        let pos = file.wrote_position();
        let max_blank = file.file_size() - pos;
        let wrote_offset = file.file_from_offset() + pos as i64;
        if enc.buf.len() + END_FILE_MIN_BLANK_LENGTH > max_blank {
            let mut marker = [0u8; 8];
            marker[..4].copy_from_slice(&(max_blank as i32).to_be_bytes());
            marker[4..].copy_from_slice(&BLANK_MAGIC_CODE.to_be_bytes());
            let n = max_blank.min(8);
            file.write_at(pos, &marker[..n]);
            file.set_wrote_position(file.file_size());
            file.set_store_timestamp(store_ts);
            return Err(());
        }
        let mut ids = Vec::with_capacity(enc.starts.len());
        for (i, &s) in enc.starts.iter().enumerate() {
            let qo = if advance { queue_offset + i as i64 } else { 0 };
            let phys = wrote_offset + s as i64;
            enc.buf[s + QUEUE_OFFSET_POSITION..s + QUEUE_OFFSET_POSITION + 8]
                .copy_from_slice(&qo.to_be_bytes());
            enc.buf[s + PHY_POS_POSITION..s + PHY_POS_POSITION + 8]
                .copy_from_slice(&phys.to_be_bytes());
            let tp = s + enc.store_ts_pos;
            enc.buf[tp..tp + 8].copy_from_slice(&store_ts.to_be_bytes());
            ids.push(create_offset_msg_id(store_host, phys));
        }
        if !file.append(&enc.buf) {
            return Err(());
        }
        file.set_store_timestamp(store_ts);
        Ok(AppendMessageResult {
            status: AppendMessageStatus::PutOk,
            wrote_offset,
            wrote_bytes: enc.buf.len() as i32,
            msg_id: ids.join(","),
            store_timestamp: store_ts,
            logics_offset: queue_offset,
            msg_num: enc.starts.len() as i32,
        })
    }

    /// `appendData(startOffset, data)`: raw append for an HA slave. The data must start at the
    /// current max offset and fit in the file that contains it.
    pub fn append_data(&self, start_offset: i64, data: &[u8]) -> bool {
        let _g = self.put_lock.lock();
        let Some(f) = self.mfq.last_or_create(start_offset) else {
            return false;
        };
        let ok = f.append(data);
        if !ok {
            tracing::error!(start_offset, len = data.len(), "appendData failed");
        }
        ok
    }

    /// `resetOffset` (HA slave truncation).
    pub fn reset_offset(&self, offset: i64) -> bool {
        let _g = self.put_lock.lock();
        self.mfq.reset_offset(offset)
    }

    /// Body length field position helper for tools.
    pub fn body_len_position(sys_flag: i32) -> usize {
        body_len_position(sys_flag)
    }

    /// Record length helper (`calMsgLength`).
    pub fn cal_msg_length(
        sys_flag: i32,
        body_len: usize,
        topic_len: usize,
        props_len: usize,
    ) -> usize {
        calc_msg_length(sys_flag, body_len, topic_len, props_len)
    }

    /// Host field widths for a sys flag.
    pub fn host_lens(sys_flag: i32) -> (usize, usize) {
        (born_host_len(sys_flag), store_host_len(sys_flag))
    }
}
