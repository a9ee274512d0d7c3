//! Store-side message inputs and result types.
//!
//! Mirrors Java `MessageExtBrokerInner`, `MessageExtBatch`, `PutMessageStatus`,
//! `PutMessageResult`, `AppendMessageStatus`, `AppendMessageResult`, `GetMessageStatus`,
//! `DispatchRequest`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use bytes::Bytes;
use protocol::message::property::{self, find_property};
use protocol::message::sysflag;

use crate::mapped_file::SelectMappedBuffer;

/// A single message to store (Java `MessageExtBrokerInner`). The broker builds it from the
/// send request; the store assigns queue offset, physical offset, store timestamp and CRC.
#[derive(Debug, Clone)]
pub struct MessageExtBrokerInner {
    /// Topic (rewritten to `SCHEDULE_TOPIC_XXXX` for delayed messages).
    pub topic: String,
    /// Queue id.
    pub queue_id: i32,
    /// User flag.
    pub flag: i32,
    /// Body as sent (possibly compressed by the producer).
    pub body: Bytes,
    /// Properties string (`messageProperties2String` form).
    pub properties_string: String,
    /// Sys flag (the IPv6 bits are set by the store from the hosts).
    pub sys_flag: i32,
    /// Producer timestamp.
    pub born_timestamp: i64,
    /// Producer address.
    pub born_host: SocketAddr,
    /// This broker's address (`brokerIP1:listenPort`).
    pub store_host: SocketAddr,
    /// Reconsume times.
    pub reconsume_times: i32,
    /// Commitlog offset of the half message, for committed transactional messages.
    pub prepared_transaction_offset: i64,
}

impl Default for MessageExtBrokerInner {
    fn default() -> Self {
        let any = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0);
        MessageExtBrokerInner {
            topic: String::new(),
            queue_id: 0,
            flag: 0,
            body: Bytes::new(),
            properties_string: String::new(),
            sys_flag: 0,
            born_timestamp: 0,
            born_host: any,
            store_host: any,
            reconsume_times: 0,
            prepared_transaction_offset: 0,
        }
    }
}

impl MessageExtBrokerInner {
    /// A property from the properties string.
    pub fn property(&self, name: &str) -> Option<&str> {
        find_property(&self.properties_string, name)
    }
    /// `DELAY` level (`getDelayTimeLevel`: 0 if absent or not a number).
    pub fn delay_time_level(&self) -> i32 {
        self.property(property::DELAY)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }
    /// `isWaitStoreMsgOK`: true if `WAIT` is absent, else `Boolean.parseBoolean(WAIT)`.
    pub fn wait_store_msg_ok(&self) -> bool {
        match self.property(property::WAIT) {
            None => true,
            Some(v) => v.eq_ignore_ascii_case("true"),
        }
    }
    /// Transaction type bits.
    pub fn transaction_type(&self) -> i32 {
        sysflag::transaction_value(self.sys_flag)
    }
}

/// A batch to store (Java `MessageExtBatch`): `body` is the SEND_BATCH_MESSAGE body
/// (`MessageDecoder.encodeMessages` layout); every member becomes one commitlog record.
#[derive(Debug, Clone)]
pub struct MessageExtBatch {
    /// Topic.
    pub topic: String,
    /// Queue id.
    pub queue_id: i32,
    /// Sys flag (must be a non-transactional type).
    pub sys_flag: i32,
    /// Producer timestamp.
    pub born_timestamp: i64,
    /// Producer address.
    pub born_host: SocketAddr,
    /// Broker address.
    pub store_host: SocketAddr,
    /// Reconsume times.
    pub reconsume_times: i32,
    /// Encoded batch body.
    pub body: Bytes,
    /// Batch-level properties string, appended to every member's properties.
    pub properties_string: String,
}

impl MessageExtBatch {
    /// Batch-level property.
    pub fn property(&self, name: &str) -> Option<&str> {
        find_property(&self.properties_string, name)
    }
    /// `isWaitStoreMsgOK` of the batch.
    pub fn wait_store_msg_ok(&self) -> bool {
        match self.property(property::WAIT) {
            None => true,
            Some(v) => v.eq_ignore_ascii_case("true"),
        }
    }
}

/// `PutMessageStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum PutMessageStatus {
    PutOk,
    FlushDiskTimeout,
    FlushSlaveTimeout,
    SlaveNotAvailable,
    ServiceNotAvailable,
    CreateMapedFileFailed,
    MessageIllegal,
    PropertiesSizeExceeded,
    OsPageCacheBusy,
    UnknownError,
    LmqConsumeQueueNumExceeded,
}

impl PutMessageStatus {
    /// Java enum name.
    pub fn as_str(self) -> &'static str {
        use PutMessageStatus::*;
        match self {
            PutOk => "PUT_OK",
            FlushDiskTimeout => "FLUSH_DISK_TIMEOUT",
            FlushSlaveTimeout => "FLUSH_SLAVE_TIMEOUT",
            SlaveNotAvailable => "SLAVE_NOT_AVAILABLE",
            ServiceNotAvailable => "SERVICE_NOT_AVAILABLE",
            CreateMapedFileFailed => "CREATE_MAPEDFILE_FAILED",
            MessageIllegal => "MESSAGE_ILLEGAL",
            PropertiesSizeExceeded => "PROPERTIES_SIZE_EXCEEDED",
            OsPageCacheBusy => "OS_PAGECACHE_BUSY",
            UnknownError => "UNKNOWN_ERROR",
            LmqConsumeQueueNumExceeded => "LMQ_CONSUME_QUEUE_NUM_EXCEEDED",
        }
    }
}

/// `AppendMessageStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum AppendMessageStatus {
    PutOk,
    EndOfFile,
    MessageSizeExceeded,
    PropertiesSizeExceeded,
    UnknownError,
}

/// `AppendMessageResult`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendMessageResult {
    /// Status.
    pub status: AppendMessageStatus,
    /// Physical offset of the first record written.
    pub wrote_offset: i64,
    /// Bytes written.
    pub wrote_bytes: i32,
    /// Offset message id(s) (comma-joined for batches).
    pub msg_id: String,
    /// Store timestamp.
    pub store_timestamp: i64,
    /// Queue offset of the (first) message.
    pub logics_offset: i64,
    /// Number of messages.
    pub msg_num: i32,
}

/// `PutMessageResult`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutMessageResult {
    /// Status.
    pub status: PutMessageStatus,
    /// Append details (present when the message was written).
    pub append: Option<AppendMessageResult>,
}

impl PutMessageResult {
    /// Result with no append details.
    pub fn status(status: PutMessageStatus) -> Self {
        PutMessageResult {
            status,
            append: None,
        }
    }
    /// `isOk`: written (even if flush/replica then timed out).
    pub fn is_ok(&self) -> bool {
        self.append
            .as_ref()
            .is_some_and(|a| a.status == AppendMessageStatus::PutOk)
    }
}

/// `GetMessageStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum GetMessageStatus {
    Found,
    NoMatchedMessage,
    MessageWasRemoving,
    OffsetFoundNull,
    OffsetOverflowBadly,
    OffsetOverflowOne,
    OffsetTooSmall,
    NoMatchedLogicQueue,
    NoMessageInQueue,
}

impl GetMessageStatus {
    /// Java enum name (the pull response remark).
    pub fn as_str(self) -> &'static str {
        use GetMessageStatus::*;
        match self {
            Found => "FOUND",
            NoMatchedMessage => "NO_MATCHED_MESSAGE",
            MessageWasRemoving => "MESSAGE_WAS_REMOVING",
            OffsetFoundNull => "OFFSET_FOUND_NULL",
            OffsetOverflowBadly => "OFFSET_OVERFLOW_BADLY",
            OffsetOverflowOne => "OFFSET_OVERFLOW_ONE",
            OffsetTooSmall => "OFFSET_TOO_SMALL",
            NoMatchedLogicQueue => "NO_MATCHED_LOGIC_QUEUE",
            NoMessageInQueue => "NO_MESSAGE_IN_QUEUE",
        }
    }
}

/// `GetMessageResult`.
#[derive(Debug, Clone)]
pub struct GetMessageResult {
    /// Status.
    pub status: GetMessageStatus,
    /// Next queue offset to pull from.
    pub next_begin_offset: i64,
    /// Queue min offset.
    pub min_offset: i64,
    /// Queue max offset.
    pub max_offset: i64,
    /// The matched records (zero-copy slices of the commitlog), in queue order.
    pub messages: Vec<SelectMappedBuffer>,
    /// Queue offsets of `messages`.
    pub message_queue_offsets: Vec<i64>,
    /// Sum of the record sizes.
    pub buffer_total_size: usize,
    /// The consumer lags more than the in-memory share of RAM.
    pub suggest_pulling_from_slave: bool,
}

impl GetMessageResult {
    pub(crate) fn empty(status: GetMessageStatus, next: i64, min: i64, max: i64) -> Self {
        GetMessageResult {
            status,
            next_begin_offset: next,
            min_offset: min,
            max_offset: max,
            messages: Vec::new(),
            message_queue_offsets: Vec::new(),
            buffer_total_size: 0,
            suggest_pulling_from_slave: false,
        }
    }
    /// Number of messages.
    pub fn message_count(&self) -> usize {
        self.messages.len()
    }
    /// Concatenate the records into one pull response body (copies).
    pub fn to_body(&self) -> Bytes {
        let mut v = Vec::with_capacity(self.buffer_total_size);
        for m in &self.messages {
            v.extend_from_slice(&m.data);
        }
        Bytes::from(v)
    }
}

/// `QueryMessageResult`.
#[derive(Debug, Clone, Default)]
pub struct QueryMessageResult {
    /// Matched records (clients must re-check the key: the index compares hashes only).
    pub messages: Vec<SelectMappedBuffer>,
    /// End timestamp of the newest index file.
    pub index_last_update_timestamp: i64,
    /// End physical offset of the newest index file.
    pub index_last_update_phyoffset: i64,
    /// Sum of the record sizes.
    pub buffer_total_size: usize,
}

/// Message filter hook used by [`crate::DefaultMessageStore::get_message`] (Java
/// `MessageFilter`).
pub trait MessageFilter: Send + Sync {
    /// Filter on the consume-queue tags hash code.
    fn is_matched_by_consume_queue(&self, tags_code: i64) -> bool;
    /// Filter on the full stored record (e.g. SQL92 on properties).
    fn is_matched_by_commit_log(&self, msg_bytes: &[u8]) -> bool;
}

/// Notified by the dispatcher after each consume-queue entry is built (Java
/// `MessageArrivingListener`), for long polling.
pub trait MessageArrivingListener: Send + Sync {
    /// `queue_offset` is the new max offset (entry index + 1).
    fn arriving(
        &self,
        topic: &str,
        queue_id: i32,
        queue_offset: i64,
        tags_code: i64,
        store_timestamp: i64,
        properties: &str,
    );
}

/// What the dispatcher extracts from a commitlog record (Java `DispatchRequest`).
#[derive(Debug, Clone, Default)]
pub struct DispatchRequest {
    /// Topic.
    pub topic: String,
    /// Queue id.
    pub queue_id: i32,
    /// Physical offset.
    pub commit_log_offset: i64,
    /// Record size (0 = end-of-file blank, -1 = invalid).
    pub msg_size: i32,
    /// Tags hash code (delivery time for delayed messages).
    pub tags_code: i64,
    /// Store timestamp.
    pub store_timestamp: i64,
    /// Queue offset.
    pub consume_queue_offset: i64,
    /// `KEYS` property.
    pub keys: String,
    /// `UNIQ_KEY` property.
    pub uniq_key: Option<String>,
    /// Sys flag.
    pub sys_flag: i32,
    /// Prepared transaction offset.
    pub prepared_transaction_offset: i64,
    /// Properties string.
    pub properties: String,
    /// Parsed successfully.
    pub success: bool,
}

impl DispatchRequest {
    pub(crate) fn failed(size: i32) -> Self {
        DispatchRequest {
            msg_size: size,
            success: false,
            ..Default::default()
        }
    }
    pub(crate) fn blank() -> Self {
        DispatchRequest {
            msg_size: 0,
            success: true,
            ..Default::default()
        }
    }
}
