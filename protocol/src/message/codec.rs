//! Stored-message record codec: what the commitlog holds and what pull / query / view-by-id
//! response bodies concatenate.
//!
//! Mirrors Java `MessageDecoder.encode` / `decode` / `decodes` / `decodeProperties` and the
//! record writer of `CommitLog.MessageExtEncoder`.
//!
//! Layout (all integers big-endian; offsets for IPv4 born host and IPv4 store host):
//!
//! ```text
//! off  len  field
//!   0    4  TOTALSIZE            whole record including this field
//!   4    4  MAGICCODE            0xDAA320A7 (blank end-of-file marker: 0xCBD43194)
//!   8    4  BODYCRC              crc32(body) & 0x7FFFFFFF
//!  12    4  QUEUEID
//!  16    4  FLAG
//!  20    8  QUEUEOFFSET          consume-queue index
//!  28    8  PHYSICALOFFSET       commitlog offset of this record
//!  36    4  SYSFLAG              see sysflag.rs
//!  40    8  BORNTIMESTAMP
//!  48  8|20 BORNHOST             4|16 address bytes + int port (SYSFLAG & 0x10 -> IPv6)
//!  56    8  STORETIMESTAMP       (68 with an IPv6 born host)
//!  64  8|20 STOREHOSTADDRESS     (SYSFLAG & 0x20 -> IPv6)
//!  72    4  RECONSUMETIMES
//!  76    8  PREPARED TX OFFSET
//!  84  4+n  BODY                 int length + bytes (compressed if SYSFLAG & 0x1)
//! 88+n 1+t  TOPIC                signed byte length + UTF-8
//!  ... 2+p  PROPERTIES           signed short length + UTF-8 properties string
//! ```
//! Total = 91 + n + t + p, plus 12 per IPv6 host.

use std::borrow::Cow;
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::ops::Range;

use bytes::Bytes;

use super::msgid::{arr4, arr8, create_offset_msg_id, ip_from_slice, socket_addr_bytes};
use super::property::{string_to_properties, Properties};
use super::sysflag::{
    self, born_host_len, store_host_len, CompressionType, BORNHOST_V6_FLAG, COMPRESSED_FLAG,
    STOREHOSTADDRESS_V6_FLAG,
};
use super::{MessageError, MessageExt};

/// `MessageDecoder.MESSAGE_MAGIC_CODE` / `CommitLog.MESSAGE_MAGIC_CODE` (0xDAA320A7).
pub const MESSAGE_MAGIC_CODE: i32 = 0xDAA3_20A7_u32 as i32;
/// `CommitLog.BLANK_MAGIC_CODE` (0xCBD43194): end-of-file filler marker.
pub const BLANK_MAGIC_CODE: i32 = 0xCBD4_3194_u32 as i32;
/// 5.x `MESSAGE_MAGIC_CODE_V2` (never written by 4.9; recognised only to report it).
pub const MESSAGE_MAGIC_CODE_V2: i32 = 0xDAA3_20AB_u32 as i32;
/// Position of MAGICCODE.
pub const MAGIC_POSITION: usize = 4;
/// Position of BODYCRC.
pub const BODY_CRC_POSITION: usize = 8;
/// Position of QUEUEID.
pub const QUEUE_ID_POSITION: usize = 12;
/// Position of FLAG (`MESSAGE_FLAG_POSTION`).
pub const FLAG_POSITION: usize = 16;
/// `MessageDecoder.QUEUE_OFFSET_POSITION`.
pub const QUEUE_OFFSET_POSITION: usize = 20;
/// `MessageDecoder.PHY_POS_POSITION`.
pub const PHY_POS_POSITION: usize = 28;
/// `MessageDecoder.SYSFLAG_POSITION`.
pub const SYSFLAG_POSITION: usize = 36;
/// Position of BORNTIMESTAMP.
pub const BORN_TIMESTAMP_POSITION: usize = 40;
/// Position of BORNHOST.
pub const BORN_HOST_POSITION: usize = 48;

/// Position of STORETIMESTAMP for a sys flag (56, or 68 with an IPv6 born host).
pub fn store_timestamp_position(sys_flag: i32) -> usize {
    BORN_HOST_POSITION + born_host_len(sys_flag)
}

/// Position of the body length field for a sys flag.
pub fn body_len_position(sys_flag: i32) -> usize {
    store_timestamp_position(sys_flag) + 8 + store_host_len(sys_flag) + 4 + 8
}

/// `CommitLog.calMsgLength`: total record length.
pub fn calc_msg_length(
    sys_flag: i32,
    body_len: usize,
    topic_len: usize,
    props_len: usize,
) -> usize {
    body_len_position(sys_flag) + 4 + body_len + 1 + topic_len + 2 + props_len
}

/// Sys flag with the IPv6 bits set from the actual address families of the hosts (the broker
/// does this before encoding: `setBornHostV6Flag` / `setStoreHostAddressV6Flag`).
pub fn sys_flag_for_hosts(sys_flag: i32, born_host: &SocketAddr, store_host: &SocketAddr) -> i32 {
    let mut f = sys_flag & !(BORNHOST_V6_FLAG | STOREHOSTADDRESS_V6_FLAG);
    if born_host.is_ipv6() {
        f |= BORNHOST_V6_FLAG;
    }
    if store_host.is_ipv6() {
        f |= STOREHOSTADDRESS_V6_FLAG;
    }
    f
}

/// Fixed-width fields of a record (everything except body, topic and properties).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordHeader {
    /// BODYCRC
    pub body_crc: i32,
    /// QUEUEID
    pub queue_id: i32,
    /// FLAG
    pub flag: i32,
    /// QUEUEOFFSET
    pub queue_offset: i64,
    /// PHYSICALOFFSET
    pub physical_offset: i64,
    /// SYSFLAG (the IPv6 bits are recomputed from the hosts when writing)
    pub sys_flag: i32,
    /// BORNTIMESTAMP
    pub born_timestamp: i64,
    /// BORNHOST
    pub born_host: SocketAddr,
    /// STORETIMESTAMP
    pub store_timestamp: i64,
    /// STOREHOSTADDRESS
    pub store_host: SocketAddr,
    /// RECONSUMETIMES
    pub reconsume_times: i32,
    /// PREPARED TRANSACTION OFFSET
    pub prepared_transaction_offset: i64,
}

/// Append one record to `out`; returns its length. Fails if the topic is longer than 127 bytes
/// or the properties longer than 32767 bytes (Java would silently write a wrapped length).
pub fn write_record(
    out: &mut Vec<u8>,
    h: &RecordHeader,
    body: &[u8],
    topic: &[u8],
    properties: &[u8],
) -> Result<usize, MessageError> {
    if topic.len() > i8::MAX as usize {
        return Err(super::bad(format!(
            "topic too long: {} bytes (max 127)",
            topic.len()
        )));
    }
    if properties.len() > i16::MAX as usize {
        return Err(super::bad(format!(
            "properties too long: {} bytes (max 32767)",
            properties.len()
        )));
    }
    let sys_flag = sys_flag_for_hosts(h.sys_flag, &h.born_host, &h.store_host);
    let len = calc_msg_length(sys_flag, body.len(), topic.len(), properties.len());
    if len > i32::MAX as usize {
        return Err(super::bad("record longer than i32::MAX"));
    }
    out.reserve(len);
    out.extend_from_slice(&(len as i32).to_be_bytes());
    out.extend_from_slice(&MESSAGE_MAGIC_CODE.to_be_bytes());
    out.extend_from_slice(&h.body_crc.to_be_bytes());
    out.extend_from_slice(&h.queue_id.to_be_bytes());
    out.extend_from_slice(&h.flag.to_be_bytes());
    out.extend_from_slice(&h.queue_offset.to_be_bytes());
    out.extend_from_slice(&h.physical_offset.to_be_bytes());
    out.extend_from_slice(&sys_flag.to_be_bytes());
    out.extend_from_slice(&h.born_timestamp.to_be_bytes());
    socket_addr_bytes(&h.born_host, out);
    out.extend_from_slice(&h.store_timestamp.to_be_bytes());
    socket_addr_bytes(&h.store_host, out);
    out.extend_from_slice(&h.reconsume_times.to_be_bytes());
    out.extend_from_slice(&h.prepared_transaction_offset.to_be_bytes());
    out.extend_from_slice(&(body.len() as i32).to_be_bytes());
    out.extend_from_slice(body);
    out.push(topic.len() as u8);
    out.extend_from_slice(topic);
    out.extend_from_slice(&(properties.len() as i16).to_be_bytes());
    out.extend_from_slice(properties);
    Ok(len)
}

/// Zero-copy parsed view of one stored record.
#[derive(Debug, Clone)]
pub struct MessageView<'a> {
    /// The bytes this record was parsed from, starting at TOTALSIZE (`len()` = `consumed`).
    pub record: &'a [u8],
    /// TOTALSIZE as written in the record.
    pub total_size: i32,
    /// MAGICCODE.
    pub magic: i32,
    /// Fixed fields.
    pub header: RecordHeader,
    /// Range of the body within `record`.
    pub body_range: Range<usize>,
    /// Raw topic bytes.
    pub topic: &'a [u8],
    /// Raw properties bytes.
    pub properties: &'a [u8],
    /// Bytes actually consumed by a sequential read of the fields (`calMsgLength`).
    pub consumed: usize,
}

impl<'a> MessageView<'a> {
    /// Body bytes (possibly compressed).
    pub fn body(&self) -> &'a [u8] {
        &self.record[self.body_range.clone()]
    }
    /// Topic as text (lossy, like Java's `new String(bytes, UTF_8)`).
    pub fn topic_str(&self) -> Cow<'a, str> {
        String::from_utf8_lossy(self.topic)
    }
    /// Properties string (lossy UTF-8).
    pub fn properties_str(&self) -> Cow<'a, str> {
        String::from_utf8_lossy(self.properties)
    }
    /// Parsed property map.
    pub fn properties_map(&self) -> Properties {
        string_to_properties(&self.properties_str())
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], MessageError> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or_else(|| super::bad("length overflow"))?;
        if end > self.b.len() {
            return Err(super::bad(format!(
                "truncated: need {} bytes, have {}",
                end,
                self.b.len()
            )));
        }
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn i32(&mut self) -> Result<i32, MessageError> {
        Ok(i32::from_be_bytes(arr4(self.take(4)?)))
    }
    fn i64(&mut self) -> Result<i64, MessageError> {
        Ok(i64::from_be_bytes(arr8(self.take(8)?)))
    }
    fn i16(&mut self) -> Result<i16, MessageError> {
        let s = self.take(2)?;
        Ok(i16::from_be_bytes([s[0], s[1]]))
    }
    fn host(&mut self, v6: bool) -> Result<SocketAddr, MessageError> {
        let ip = self.take(if v6 { 16 } else { 4 })?;
        let ip = ip_from_slice(ip).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        let port = self.i32()?;
        // Java's InetSocketAddress rejects ports outside 0..=65535 (decode returns null).
        let port = u16::try_from(port)
            .map_err(|_| MessageError::BadMessage(format!("host port {port} out of range")))?;
        Ok(SocketAddr::new(ip, port))
    }
}

/// Parse one record at the start of `buf` without copying anything.
///
/// Like Java's `MessageDecoder.decode` the fields are read sequentially (TOTALSIZE is reported
/// but not trusted) and the magic code is not checked; negative body / topic / properties
/// lengths are errors.
pub fn parse_view(buf: &[u8]) -> Result<MessageView<'_>, MessageError> {
    let mut c = Cursor { b: buf, pos: 0 };
    let total_size = c.i32()?;
    let magic = c.i32()?;
    let body_crc = c.i32()?;
    let queue_id = c.i32()?;
    let flag = c.i32()?;
    let queue_offset = c.i64()?;
    let physical_offset = c.i64()?;
    let sys_flag = c.i32()?;
    let born_timestamp = c.i64()?;
    let born_host = c.host(sys_flag & BORNHOST_V6_FLAG != 0)?;
    let store_timestamp = c.i64()?;
    let store_host = c.host(sys_flag & STOREHOSTADDRESS_V6_FLAG != 0)?;
    let reconsume_times = c.i32()?;
    let prepared_transaction_offset = c.i64()?;
    let body_len = c.i32()?;
    if body_len < 0 {
        return Err(super::bad(format!("negative body length {body_len}")));
    }
    let body_start = c.pos;
    c.take(body_len as usize)?;
    let body_range = body_start..c.pos;
    let topic_len = c.take(1)?[0] as i8;
    if topic_len < 0 {
        return Err(super::bad(format!("negative topic length {topic_len}")));
    }
    let topic = c.take(topic_len as usize)?;
    let props_len = c.i16()?;
    if props_len < 0 {
        return Err(super::bad(format!(
            "negative properties length {props_len}"
        )));
    }
    let properties = c.take(props_len as usize)?;
    Ok(MessageView {
        record: &buf[..c.pos],
        total_size,
        magic,
        header: RecordHeader {
            body_crc,
            queue_id,
            flag,
            queue_offset,
            physical_offset,
            sys_flag,
            born_timestamp,
            born_host,
            store_timestamp,
            store_host,
            reconsume_times,
            prepared_transaction_offset,
        },
        body_range,
        topic,
        properties,
        consumed: c.pos,
    })
}

/// Decoding options (Java's `readBody` / `deCompressBody`).
#[derive(Debug, Clone, Copy)]
pub struct DecodeOptions {
    /// Keep the body (otherwise it is left empty).
    pub read_body: bool,
    /// Inflate compressed bodies. The sys flag is left unchanged, as in Java.
    pub decompress_body: bool,
}

impl Default for DecodeOptions {
    /// Read the body, keep it compressed (decompress on demand with
    /// [`MessageExt::decompressed_body`]).
    fn default() -> Self {
        DecodeOptions {
            read_body: true,
            decompress_body: false,
        }
    }
}

fn view_to_ext(
    v: &MessageView<'_>,
    body: Bytes,
    opts: DecodeOptions,
) -> Result<MessageExt, MessageError> {
    let h = &v.header;
    let body = if !opts.read_body {
        Bytes::new()
    } else if opts.decompress_body && h.sys_flag & COMPRESSED_FLAG != 0 && !body.is_empty() {
        Bytes::from(decompress(&body, h.sys_flag)?)
    } else {
        body
    };
    Ok(MessageExt {
        topic: v.topic_str().into_owned(),
        flag: h.flag,
        body,
        properties: v.properties_map(),
        queue_id: h.queue_id,
        store_size: v.total_size,
        queue_offset: h.queue_offset,
        sys_flag: h.sys_flag,
        born_timestamp: h.born_timestamp,
        born_host: h.born_host,
        store_timestamp: h.store_timestamp,
        store_host: h.store_host,
        msg_id: create_offset_msg_id(&h.store_host, h.physical_offset),
        commit_log_offset: h.physical_offset,
        body_crc: h.body_crc,
        reconsume_times: h.reconsume_times,
        prepared_transaction_offset: h.prepared_transaction_offset,
    })
}

/// Decode one record from the start of `buf`; the body is a zero-copy slice of `buf`.
/// Returns the message and the number of bytes consumed.
pub fn decode(buf: &Bytes, opts: DecodeOptions) -> Result<(MessageExt, usize), MessageError> {
    let v = parse_view(buf)?;
    let body = buf.slice(v.body_range.clone());
    let consumed = v.consumed;
    Ok((view_to_ext(&v, body, opts)?, consumed))
}

/// Decode one record from a plain slice (the body is copied).
pub fn decode_slice(buf: &[u8], opts: DecodeOptions) -> Result<(MessageExt, usize), MessageError> {
    let v = parse_view(buf)?;
    let body = Bytes::copy_from_slice(v.body());
    let consumed = v.consumed;
    Ok((view_to_ext(&v, body, opts)?, consumed))
}

/// Decode every record of a concatenated buffer (a pull / query response body), stopping
/// silently at the first record that cannot be decoded — Java `MessageDecoder.decodes`.
pub fn decode_all(buf: &Bytes, opts: DecodeOptions) -> Vec<MessageExt> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        match decode(&buf.slice(pos..), opts) {
            Ok((m, n)) => {
                out.push(m);
                pos += n;
            }
            Err(_) => break,
        }
    }
    out
}

/// Like [`decode_all`] but fails on a malformed record.
pub fn try_decode_all(buf: &Bytes, opts: DecodeOptions) -> Result<Vec<MessageExt>, MessageError> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let (m, n) = decode(&buf.slice(pos..), opts)?;
        out.push(m);
        pos += n;
    }
    Ok(out)
}

/// Read only the properties of the record at the start of `buf`, skipping the body without
/// copying it (`MessageDecoder.decodeProperties`).
pub fn decode_properties(buf: &[u8]) -> Result<Properties, MessageError> {
    Ok(parse_view(buf)?.properties_map())
}

/// Encode a message in the stored layout (`MessageDecoder.encode(msg, false)`): the body is
/// written as is, the IPv6 bits of the sys flag follow the host address families, TOTALSIZE is
/// the computed length.
pub fn encode(m: &MessageExt) -> Result<Vec<u8>, MessageError> {
    let props = m.properties_string();
    let h = RecordHeader {
        body_crc: m.body_crc,
        queue_id: m.queue_id,
        flag: m.flag,
        queue_offset: m.queue_offset,
        physical_offset: m.commit_log_offset,
        sys_flag: m.sys_flag,
        born_timestamp: m.born_timestamp,
        born_host: m.born_host,
        store_timestamp: m.store_timestamp,
        store_host: m.store_host,
        reconsume_times: m.reconsume_times,
        prepared_transaction_offset: m.prepared_transaction_offset,
    };
    let mut out = Vec::new();
    write_record(&mut out, &h, &m.body, m.topic.as_bytes(), props.as_bytes())?;
    Ok(out)
}

/// Inflate a body according to the compression type bits of `sys_flag`. Only zlib (types 0 and
/// 3, what 4.9.7 producers use) is supported.
pub fn decompress(body: &[u8], sys_flag: i32) -> Result<Vec<u8>, MessageError> {
    match sysflag::compression_type(sys_flag) {
        Some(CompressionType::Zlib) => {
            let mut d = flate2::read::ZlibDecoder::new(body);
            let mut out = Vec::with_capacity(body.len() * 4);
            d.read_to_end(&mut out)
                .map_err(|e| super::bad(format!("zlib: {e}")))?;
            Ok(out)
        }
        _ => Err(super::bad(format!(
            "unsupported compression type in sysFlag {:#x}",
            sys_flag
        ))),
    }
}

/// zlib-compress a body (Java `ZlibCompressor.compress(body, level)`, level 5 in producers).
pub fn compress_zlib(body: &[u8], level: u32) -> Result<Vec<u8>, MessageError> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(level.min(9)));
    e.write_all(body)
        .map_err(|e| super::bad(format!("zlib: {e}")))?;
    e.finish().map_err(|e| super::bad(format!("zlib: {e}")))
}
