//! An in-memory [`MessageStore`] for tests (and for running the broker before a real store is
//! wired in). It keeps records in the exact commitlog layout, so pull and query bodies are what
//! a Java client expects, and follows `DefaultMessageStore.getMessage`'s status rules. Nothing
//! survives a restart.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::Mutex;
use protocol::message::codec::{write_record, RecordHeader};
use protocol::message::{
    body_crc32, iter_batch, msgid, property, string_to_properties, tags_hash_code,
};
use store::mapped_file::SelectMappedBuffer;
use store::message::{
    AppendMessageResult, AppendMessageStatus, GetMessageResult, GetMessageStatus,
    MessageArrivingListener, MessageExtBatch, MessageExtBrokerInner, MessageFilter,
    PutMessageResult, PutMessageStatus, QueryMessageResult,
};

use crate::client::now_ms;
use crate::store_api::{MessageStore, PutFuture};

struct Entry {
    phys: i64,
    tags_code: i64,
    store_ts: i64,
}

#[derive(Default)]
struct Inner {
    /// phys offset → record
    log: Vec<(i64, Bytes)>,
    next_phys: i64,
    queues: HashMap<(String, i32), Vec<Entry>>,
    /// key → phys offsets
    keys: HashMap<(String, String), Vec<i64>>,
}

/// The in-memory store.
pub struct MemoryStore {
    inner: Mutex<Inner>,
    max_message_size: usize,
    listener: Option<Arc<dyn MessageArrivingListener>>,
}

impl MemoryStore {
    /// Empty store; `listener` hears about every new consume-queue entry.
    pub fn new(
        max_message_size: usize,
        listener: Option<Arc<dyn MessageArrivingListener>>,
    ) -> Self {
        MemoryStore {
            inner: Mutex::new(Inner::default()),
            max_message_size,
            listener,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn append(
        &self,
        inner: &mut Inner,
        topic: &str,
        queue_id: i32,
        flag: i32,
        body: &[u8],
        props: &str,
        sys_flag: i32,
        born_timestamp: i64,
        born_host: std::net::SocketAddr,
        store_host: std::net::SocketAddr,
        reconsume_times: i32,
        prepared: i64,
    ) -> Result<(i64, i64, usize, i64, String), PutMessageStatus> {
        if body.len() > self.max_message_size {
            return Err(PutMessageStatus::MessageIllegal);
        }
        if props.len() > i16::MAX as usize {
            return Err(PutMessageStatus::PropertiesSizeExceeded);
        }
        let key = (topic.to_string(), queue_id);
        let queue_offset = inner.queues.get(&key).map(|q| q.len() as i64).unwrap_or(0);
        let phys = inner.next_phys;
        let store_ts = now_ms();
        let h = RecordHeader {
            body_crc: body_crc32(body),
            queue_id,
            flag,
            queue_offset,
            physical_offset: phys,
            sys_flag,
            born_timestamp,
            born_host,
            store_timestamp: store_ts,
            store_host,
            reconsume_times,
            prepared_transaction_offset: prepared,
        };
        let mut out = Vec::new();
        let len = write_record(&mut out, &h, body, topic.as_bytes(), props.as_bytes())
            .map_err(|_| PutMessageStatus::MessageIllegal)?;
        inner.log.push((phys, Bytes::from(out)));
        inner.next_phys += len as i64;
        let p = string_to_properties(props);
        let tags_code = p
            .get(property::TAGS)
            .map(|t| tags_hash_code(t))
            .unwrap_or(0);
        inner.queues.entry(key).or_default().push(Entry {
            phys,
            tags_code,
            store_ts,
        });
        let mut index_keys: Vec<String> = p
            .get(property::KEYS)
            .map(|k| {
                k.split(' ')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        if let Some(u) = p.get(property::UNIQ_KEY) {
            index_keys.push(u.clone());
        }
        for k in index_keys {
            inner
                .keys
                .entry((topic.to_string(), k))
                .or_default()
                .push(phys);
        }
        let msg_id = msgid::create_offset_msg_id(&store_host, phys);
        Ok((phys, queue_offset, len, tags_code, msg_id))
    }

    fn notify(&self, topic: &str, queue_id: i32, queue_offset: i64, tags_code: i64) {
        if let Some(l) = &self.listener {
            l.arriving(topic, queue_id, queue_offset + 1, tags_code, now_ms(), "");
        }
    }

    fn record_at(inner: &Inner, phys: i64) -> Option<Bytes> {
        inner
            .log
            .binary_search_by_key(&phys, |(p, _)| *p)
            .ok()
            .and_then(|i| inner.log.get(i))
            .map(|(_, b)| b.clone())
    }
}

impl MemoryStore {
    /// Synchronous `putMessage`.
    pub fn put_one(&self, msg: MessageExtBrokerInner) -> PutMessageResult {
        let r = {
            let mut inner = self.inner.lock();
            self.append(
                &mut inner,
                &msg.topic,
                msg.queue_id,
                msg.flag,
                &msg.body,
                &msg.properties_string,
                msg.sys_flag,
                msg.born_timestamp,
                msg.born_host,
                msg.store_host,
                msg.reconsume_times,
                msg.prepared_transaction_offset,
            )
        };
        match r {
            Err(status) => PutMessageResult::status(status),
            Ok((phys, qo, len, tags, msg_id)) => {
                self.notify(&msg.topic, msg.queue_id, qo, tags);
                PutMessageResult {
                    status: PutMessageStatus::PutOk,
                    append: Some(AppendMessageResult {
                        status: AppendMessageStatus::PutOk,
                        wrote_offset: phys,
                        wrote_bytes: len as i32,
                        msg_id,
                        store_timestamp: now_ms(),
                        logics_offset: qo,
                        msg_num: 1,
                    }),
                }
            }
        }
    }

    /// Synchronous `putMessages`.
    pub fn put_batch(&self, batch: MessageExtBatch) -> PutMessageResult {
        let mut ids = Vec::new();
        let mut first: Option<(i64, i64)> = None;
        let mut total = 0usize;
        let mut arrivals = Vec::new();
        {
            let mut inner = self.inner.lock();
            for entry in iter_batch(&batch.body) {
                let Ok(e) = entry else {
                    return PutMessageResult::status(PutMessageStatus::MessageIllegal);
                };
                let mut props = e.properties_str().into_owned();
                if !batch.properties_string.is_empty() {
                    if !props.is_empty() {
                        props.push(protocol::message::property::PROPERTY_SEPARATOR);
                    }
                    props.push_str(&batch.properties_string);
                }
                match self.append(
                    &mut inner,
                    &batch.topic,
                    batch.queue_id,
                    e.flag,
                    e.body,
                    &props,
                    batch.sys_flag,
                    batch.born_timestamp,
                    batch.born_host,
                    batch.store_host,
                    batch.reconsume_times,
                    0,
                ) {
                    Err(s) => return PutMessageResult::status(s),
                    Ok((phys, qo, len, tags, id)) => {
                        first.get_or_insert((phys, qo));
                        total += len;
                        ids.push(id);
                        arrivals.push((qo, tags));
                    }
                }
            }
        }
        for (qo, tags) in arrivals {
            self.notify(&batch.topic, batch.queue_id, qo, tags);
        }
        let Some((phys, qo)) = first else {
            return PutMessageResult::status(PutMessageStatus::MessageIllegal);
        };
        PutMessageResult {
            status: PutMessageStatus::PutOk,
            append: Some(AppendMessageResult {
                status: AppendMessageStatus::PutOk,
                wrote_offset: phys,
                wrote_bytes: total as i32,
                msg_num: ids.len() as i32,
                msg_id: ids.join(","),
                store_timestamp: now_ms(),
                logics_offset: qo,
            }),
        }
    }
}

impl MessageStore for MemoryStore {
    fn put_message(&self, msg: MessageExtBrokerInner) -> PutFuture<'_> {
        Box::pin(std::future::ready(self.put_one(msg)))
    }

    fn put_messages(&self, batch: MessageExtBatch) -> PutFuture<'_> {
        Box::pin(std::future::ready(self.put_batch(batch)))
    }

    fn get_message(
        &self,
        _group: &str,
        topic: &str,
        queue_id: i32,
        offset: i64,
        max_msg_nums: i32,
        filter: Option<&dyn MessageFilter>,
    ) -> Option<GetMessageResult> {
        let inner = self.inner.lock();
        let empty = |status, next, min, max| GetMessageResult {
            status,
            next_begin_offset: next,
            min_offset: min,
            max_offset: max,
            messages: Vec::new(),
            message_queue_offsets: Vec::new(),
            buffer_total_size: 0,
            suggest_pulling_from_slave: false,
        };
        let Some(q) = inner.queues.get(&(topic.to_string(), queue_id)) else {
            return Some(empty(GetMessageStatus::NoMatchedLogicQueue, 0, 0, 0));
        };
        let (min, max) = (0i64, q.len() as i64);
        if max == 0 {
            return Some(empty(GetMessageStatus::NoMessageInQueue, 0, min, max));
        }
        if offset < min {
            return Some(empty(GetMessageStatus::OffsetTooSmall, min, min, max));
        }
        if offset == max {
            return Some(empty(GetMessageStatus::OffsetOverflowOne, offset, min, max));
        }
        if offset > max {
            let next = if min == 0 { min } else { max };
            return Some(empty(GetMessageStatus::OffsetOverflowBadly, next, min, max));
        }
        let want = max_msg_nums.clamp(1, 32) as usize;
        let mut r = empty(GetMessageStatus::NoMatchedMessage, offset, min, max);
        let mut i = offset;
        while i < max && r.messages.len() < want && r.buffer_total_size < 256 * 1024 {
            let e = &q[i as usize];
            i += 1;
            if filter.is_some_and(|f| !f.is_matched_by_consume_queue(e.tags_code)) {
                continue;
            }
            if let Some(rec) = Self::record_at(&inner, e.phys) {
                if filter.is_some_and(|f| !f.is_matched_by_commit_log(&rec)) {
                    continue;
                }
                r.buffer_total_size += rec.len();
                r.messages.push(SelectMappedBuffer {
                    start_offset: e.phys,
                    data: rec,
                });
                r.message_queue_offsets.push(i - 1);
            }
        }
        r.next_begin_offset = i;
        if !r.messages.is_empty() {
            r.status = GetMessageStatus::Found;
        }
        Some(r)
    }

    fn max_offset_in_queue(&self, topic: &str, queue_id: i32) -> i64 {
        self.inner
            .lock()
            .queues
            .get(&(topic.to_string(), queue_id))
            .map(|q| q.len() as i64)
            .unwrap_or(0)
    }

    fn min_offset_in_queue(&self, _topic: &str, _queue_id: i32) -> i64 {
        0
    }

    fn offset_in_queue_by_time(&self, topic: &str, queue_id: i32, timestamp: i64) -> i64 {
        let inner = self.inner.lock();
        let Some(q) = inner.queues.get(&(topic.to_string(), queue_id)) else {
            return 0;
        };
        q.iter()
            .position(|e| e.store_ts >= timestamp)
            .map(|p| p as i64)
            .unwrap_or(q.len() as i64)
    }

    fn earliest_message_time(&self, topic: &str, queue_id: i32) -> i64 {
        self.inner
            .lock()
            .queues
            .get(&(topic.to_string(), queue_id))
            .and_then(|q| q.first().map(|e| e.store_ts))
            .unwrap_or(-1)
    }

    fn check_in_disk_by_consume_offset(
        &self,
        _topic: &str,
        _queue_id: i32,
        _consume_offset: i64,
    ) -> bool {
        false
    }

    fn select_one_message_by_offset(&self, commit_log_offset: i64) -> Option<SelectMappedBuffer> {
        let inner = self.inner.lock();
        Self::record_at(&inner, commit_log_offset).map(|data| SelectMappedBuffer {
            start_offset: commit_log_offset,
            data,
        })
    }

    fn query_message(
        &self,
        topic: &str,
        key: &str,
        max_num: i32,
        begin: i64,
        end: i64,
    ) -> QueryMessageResult {
        let inner = self.inner.lock();
        let mut r = QueryMessageResult::default();
        if let Some(offsets) = inner.keys.get(&(topic.to_string(), key.to_string())) {
            for phys in offsets.iter().rev().take(max_num.max(0) as usize) {
                if let Some(rec) = Self::record_at(&inner, *phys) {
                    let ts = protocol::message::parse_view(&rec)
                        .map(|v| v.header.store_timestamp)
                        .unwrap_or(0);
                    if ts < begin || ts > end {
                        continue;
                    }
                    r.buffer_total_size += rec.len();
                    r.messages.push(SelectMappedBuffer {
                        start_offset: *phys,
                        data: rec,
                    });
                }
            }
        }
        r.index_last_update_timestamp = now_ms();
        r.index_last_update_phyoffset = inner.next_phys;
        r
    }

    fn shutdown(&self) {}
}
