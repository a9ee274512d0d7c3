//! Message encodings of RocketMQ 4.9.7.
//!
//! Mirrors Java `org.apache.rocketmq.common.message.{MessageExt, MessageDecoder, MessageConst,
//! MessageClientIDSetter}` and `org.apache.rocketmq.common.sysflag.{MessageSysFlag, PullSysFlag}`.
//!
//! * [`codec`] — the stored-message record (commitlog record = pull body element), with the
//!   byte layout in its module docs; [`codec::parse_view`] gives a zero-copy view,
//!   [`codec::decode`] / [`codec::decode_all`] build [`MessageExt`]s (bodies as `Bytes` slices),
//!   [`codec::decode_properties`] reads only the properties.
//! * [`batch`] — the SEND_BATCH_MESSAGE body.
//! * [`property`] — property names and the `0x01`/`0x02` properties string codec.
//! * [`msgid`] — offset message ids and client unique ids.
//! * [`sysflag`] — `MessageSysFlag` and `PullSysFlag`.
//! * [`util`] — Java `String.hashCode`, tag hash codes, body CRC, hex.

pub mod batch;
pub mod codec;
pub mod msgid;
pub mod property;
pub mod sysflag;
pub mod util;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use bytes::Bytes;

pub use batch::{decode_batch, encode_batch, iter_batch, BatchEntryRef, BatchMessage};
pub use codec::{
    calc_msg_length, decode, decode_all, decode_properties, decode_slice, encode, parse_view,
    try_decode_all, DecodeOptions, MessageView, RecordHeader, BLANK_MAGIC_CODE, MESSAGE_MAGIC_CODE,
};
pub use msgid::{create_offset_msg_id, decode_offset_msg_id, decode_uniq_id, UniqIdInfo};
pub use property::{properties_to_string, string_to_properties, Properties};
pub use util::{body_crc32, java_string_hash, tags_hash_code};

/// Errors of the message codecs: always [`ProtocolError::BadMessage`] (the crate's single error
/// enum).
pub use crate::error::ProtocolError as MessageError;

pub(crate) fn bad(msg: impl Into<String>) -> MessageError {
    MessageError::BadMessage(msg.into())
}

/// A stored message with all its fields (Java `MessageExt`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageExt {
    /// Topic.
    pub topic: String,
    /// User flag (`Message.flag`).
    pub flag: i32,
    /// Body as stored (still compressed if `sys_flag & COMPRESSED_FLAG`, unless decoded with
    /// `decompress_body`).
    pub body: Bytes,
    /// Properties, in stored order.
    pub properties: Properties,
    /// Queue id.
    pub queue_id: i32,
    /// TOTALSIZE of the record.
    pub store_size: i32,
    /// Consume-queue offset.
    pub queue_offset: i64,
    /// `MessageSysFlag` bits.
    pub sys_flag: i32,
    /// Producer timestamp (ms).
    pub born_timestamp: i64,
    /// Producer address.
    pub born_host: SocketAddr,
    /// Broker timestamp (ms).
    pub store_timestamp: i64,
    /// Broker address.
    pub store_host: SocketAddr,
    /// Offset message id (derived from store host and commitlog offset when decoding).
    pub msg_id: String,
    /// Physical commitlog offset.
    pub commit_log_offset: i64,
    /// Stored body CRC.
    pub body_crc: i32,
    /// Reconsume times.
    pub reconsume_times: i32,
    /// Commitlog offset of the prepared (half) message, for committed transactional messages.
    pub prepared_transaction_offset: i64,
}

impl Default for MessageExt {
    fn default() -> Self {
        let any = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0);
        MessageExt {
            topic: String::new(),
            flag: 0,
            body: Bytes::new(),
            properties: Properties::new(),
            queue_id: 0,
            store_size: 0,
            queue_offset: 0,
            sys_flag: 0,
            born_timestamp: 0,
            born_host: any,
            store_timestamp: 0,
            store_host: any,
            msg_id: String::new(),
            commit_log_offset: 0,
            body_crc: 0,
            reconsume_times: 0,
            prepared_transaction_offset: 0,
        }
    }
}

impl MessageExt {
    /// A property value.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties.get(name).map(String::as_str)
    }
    /// Set a property (keeps the position of an existing one).
    pub fn put_property(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.properties.insert(name.into(), value.into());
    }
    /// Remove a property, preserving the order of the others.
    pub fn remove_property(&mut self, name: &str) -> Option<String> {
        self.properties.shift_remove(name)
    }
    /// `TAGS`.
    pub fn tags(&self) -> Option<&str> {
        self.property(property::TAGS)
    }
    /// `KEYS` split on spaces (empty tokens dropped).
    pub fn keys(&self) -> Vec<&str> {
        self.property(property::KEYS)
            .map(|k| {
                k.split(property::KEY_SEPARATOR)
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
    /// `UNIQ_KEY` (client message id).
    pub fn uniq_key(&self) -> Option<&str> {
        self.property(property::UNIQ_KEY)
    }
    /// `DELAY` level, 0 when absent or not a number (`Message.getDelayTimeLevel`).
    pub fn delay_time_level(&self) -> i32 {
        self.property(property::DELAY)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }
    /// `WAIT`; `true` when absent (`Message.isWaitStoreMsgOK`).
    pub fn wait_store_msg_ok(&self) -> bool {
        self.property(property::WAIT)
            .map(|v| v == "true")
            .unwrap_or(true)
    }
    /// Tag hash code for consume-queue filtering.
    pub fn tags_code(&self) -> i64 {
        self.tags().map(tags_hash_code).unwrap_or(0)
    }
    /// Transaction type bits of the sys flag.
    pub fn transaction_type(&self) -> i32 {
        sysflag::transaction_value(self.sys_flag)
    }
    /// Whether the stored body is compressed.
    pub fn is_compressed(&self) -> bool {
        sysflag::is_compressed(self.sys_flag)
    }
    /// The body, inflated if the compressed flag is set.
    pub fn decompressed_body(&self) -> Result<Bytes, MessageError> {
        if self.is_compressed() && !self.body.is_empty() {
            Ok(Bytes::from(codec::decompress(&self.body, self.sys_flag)?))
        } else {
            Ok(self.body.clone())
        }
    }
    /// Properties string (`messageProperties2String`).
    pub fn properties_string(&self) -> String {
        properties_to_string(&self.properties)
    }
    /// Recompute `msg_id` from `store_host` and `commit_log_offset`.
    pub fn offset_msg_id(&self) -> String {
        create_offset_msg_id(&self.store_host, self.commit_log_offset)
    }
}

#[cfg(test)]
mod tests;
