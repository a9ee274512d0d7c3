//! The frame codec and both header serialisations.
//!
//! ```text
//! +-------------+----------------------------+----------------+-----------+
//! | int length  | int serializeType<<24|hLen | header (hLen)  | body      |
//! +-------------+----------------------------+----------------+-----------+
//!   length = 4 + hLen + bodyLen (does not count itself); big-endian, signed like Java.
//! ```
//! JSON header (`RemotingSerializable`): keys sorted, nulls omitted, enums by name.
//! ROCKETMQ header (`RocketMQSerializable`):
//! `short code | byte lang | short version | int opaque | int flag | int remarkLen | remark |
//!  int extLen | (short keyLen, key, int valLen, val)*`.
//!
//! Limits mirror Java's `NettyDecoder`: a frame of more than 16 MiB (length field + 4) is an
//! error; so is any malformed header. The server closes the connection on any decode error.

use bytes::{Buf, BufMut, Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use crate::command::{next_opaque, ExtFields, LanguageCode, RemotingCommand, SerializeType};
use crate::error::ProtocolError;

/// Java's default `com.rocketmq.remoting.frameMaxLength`.
pub const FRAME_BYTES_MAX_DEFAULT: usize = 16 * 1024 * 1024;

/// Smallest ROCKETMQ header (no remark, no ext fields).
const ROCKETMQ_HEADER_MIN: usize = 21;

/// tokio-util codec for whole frames.
#[derive(Debug, Clone)]
pub struct RemotingCodec {
    frame_bytes_max: usize,
}

impl Default for RemotingCodec {
    fn default() -> Self {
        RemotingCodec {
            frame_bytes_max: FRAME_BYTES_MAX_DEFAULT,
        }
    }
}

impl RemotingCodec {
    /// A codec with a custom frame limit (bytes, counting the length field).
    pub fn with_max_frame(frame_bytes_max: usize) -> Self {
        RemotingCodec { frame_bytes_max }
    }
}

impl Decoder for RemotingCodec {
    type Item = RemotingCommand;
    type Error = ProtocolError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<RemotingCommand>, ProtocolError> {
        if src.len() < 4 {
            return Ok(None);
        }
        // Netty reads the length unsigned: -1 is 4 GiB, hence too long.
        let len = u32::from_be_bytes([src[0], src[1], src[2], src[3]]) as u64;
        if len + 4 > self.frame_bytes_max as u64 {
            return Err(ProtocolError::FrameTooLarge {
                len: len + 4,
                max: self.frame_bytes_max,
            });
        }
        let len = len as usize;
        if src.len() < 4 + len {
            src.reserve(4 + len - src.len());
            return Ok(None);
        }
        src.advance(4);
        let frame = src.split_to(len).freeze();
        decode_frame_body(frame).map(Some)
    }
}

impl Encoder<RemotingCommand> for RemotingCodec {
    type Error = ProtocolError;

    fn encode(&mut self, cmd: RemotingCommand, dst: &mut BytesMut) -> Result<(), ProtocolError> {
        encode_into(&cmd, dst);
        Ok(())
    }
}

/// Decode a frame without its leading length field (`RemotingCommand.decode(ByteBuffer)`).
pub fn decode_frame_body(mut frame: Bytes) -> Result<RemotingCommand, ProtocolError> {
    let total = frame.len();
    if total < 4 {
        return Err(ProtocolError::Malformed(format!("frame of {total} bytes")));
    }
    let ori = frame.get_i32();
    let type_byte = ((ori >> 24) & 0xFF) as u8;
    let header_len = (ori & 0x00FF_FFFF) as usize;
    if header_len > total - 4 {
        return Err(ProtocolError::Malformed(format!(
            "decode error, bad header length: {header_len}"
        )));
    }
    let st =
        SerializeType::from_code(type_byte).ok_or(ProtocolError::BadSerializeType(type_byte))?;
    let header = frame.split_to(header_len);
    let mut cmd = match st {
        SerializeType::Json => decode_json_header(&header)?,
        SerializeType::RocketMq => decode_rocketmq_header(&header)?,
    };
    cmd.serialize_type = st;
    cmd.body = if frame.is_empty() { None } else { Some(frame) };
    Ok(cmd)
}

/// Decode a whole frame including the length field (tests, tools).
pub fn decode_frame(frame: &[u8]) -> Result<RemotingCommand, ProtocolError> {
    let mut buf = BytesMut::from(frame);
    let mut codec = RemotingCodec::default();
    match codec.decode(&mut buf)? {
        Some(cmd) if buf.is_empty() => Ok(cmd),
        Some(_) => Err(ProtocolError::Malformed(
            "trailing bytes after frame".into(),
        )),
        None => Err(ProtocolError::Malformed("truncated frame".into())),
    }
}

/// Encode `cmd` (header in `cmd.serialize_type`) as a complete frame into `dst`.
pub fn encode_into(cmd: &RemotingCommand, dst: &mut BytesMut) {
    let body_len = cmd.body.as_ref().map_or(0, |b| b.len());
    let start = dst.len();
    dst.reserve(8 + 256 + body_len);
    dst.put_u64(0); // placeholders for the two ints
    match cmd.serialize_type {
        SerializeType::Json => encode_json_header(cmd, dst),
        SerializeType::RocketMq => encode_rocketmq_header(cmd, dst),
    }
    let header_len = dst.len() - start - 8;
    if let Some(b) = &cmd.body {
        dst.extend_from_slice(b);
    }
    let length = (4 + header_len + body_len) as u32;
    let mark = ((cmd.serialize_type.code() as u32) << 24) | (header_len as u32 & 0x00FF_FFFF);
    dst[start..start + 4].copy_from_slice(&length.to_be_bytes());
    dst[start + 4..start + 8].copy_from_slice(&mark.to_be_bytes());
}

/// Encode `cmd` as a complete frame.
pub fn encode_frame(cmd: &RemotingCommand) -> Bytes {
    let mut b = BytesMut::new();
    encode_into(cmd, &mut b);
    b.freeze()
}

// ---------------------------------------------------------------------------------------------
// JSON header

/// Append `s` as a JSON string the way fastjson writes it: `\"`, `\\`, `\b \f \n \r \t`,
/// other C0 controls and 0x7F as uppercase `\u00XX`, U+2028/U+2029 escaped, everything else raw.
pub fn write_json_string(out: &mut BytesMut, s: &str) {
    out.put_u8(b'"');
    let bytes = s.as_bytes();
    let mut last = 0;
    for (i, ch) in s.char_indices() {
        let esc: Option<&[u8]> = match ch {
            '"' => Some(b"\\\""),
            '\\' => Some(b"\\\\"),
            '\u{8}' => Some(b"\\b"),
            '\u{c}' => Some(b"\\f"),
            '\n' => Some(b"\\n"),
            '\r' => Some(b"\\r"),
            '\t' => Some(b"\\t"),
            _ => None,
        };
        let needs_u = matches!(ch, '\u{0}'..='\u{1f}' | '\u{7f}' | '\u{2028}' | '\u{2029}');
        if esc.is_none() && !needs_u {
            continue;
        }
        out.extend_from_slice(&bytes[last..i]);
        last = i + ch.len_utf8();
        match esc {
            Some(e) => out.extend_from_slice(e),
            None => out.extend_from_slice(format!("\\u{:04X}", ch as u32).as_bytes()),
        }
    }
    out.extend_from_slice(&bytes[last..]);
    out.put_u8(b'"');
}

fn put_num(out: &mut BytesMut, n: i64) {
    out.extend_from_slice(n.to_string().as_bytes());
}

fn encode_json_header(cmd: &RemotingCommand, out: &mut BytesMut) {
    out.extend_from_slice(b"{\"code\":");
    put_num(out, cmd.code as i64);
    if let Some(ext) = &cmd.ext_fields {
        out.extend_from_slice(b",\"extFields\":{");
        for (i, (k, v)) in ext.iter().enumerate() {
            if i > 0 {
                out.put_u8(b',');
            }
            write_json_string(out, k);
            out.put_u8(b':');
            write_json_string(out, v);
        }
        out.put_u8(b'}');
    }
    out.extend_from_slice(b",\"flag\":");
    put_num(out, cmd.flag as i64);
    if let Some(name) = cmd.language.name() {
        out.extend_from_slice(b",\"language\":\"");
        out.extend_from_slice(name.as_bytes());
        out.put_u8(b'"');
    }
    out.extend_from_slice(b",\"opaque\":");
    put_num(out, cmd.opaque as i64);
    if let Some(r) = &cmd.remark {
        out.extend_from_slice(b",\"remark\":");
        write_json_string(out, r);
    }
    out.extend_from_slice(b",\"serializeTypeCurrentRPC\":\"JSON\",\"version\":");
    put_num(out, cmd.version as i64);
    out.put_u8(b'}');
}

/// fastjson's "smart match": case-insensitive, ignoring `_` and `-`.
fn smart_key(k: &str) -> String {
    k.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

fn json_int(v: &serde_json::Value, field: &'static str) -> Result<i32, ProtocolError> {
    let bad = || ProtocolError::BadJsonHeader(format!("{field}: not an int: {v}"));
    match v {
        serde_json::Value::Number(n) => n
            .as_i64()
            .and_then(|x| i32::try_from(x).ok())
            .ok_or_else(bad),
        serde_json::Value::String(s) => s.trim().parse::<i32>().map_err(|_| bad()),
        serde_json::Value::Null => Ok(0),
        _ => Err(bad()),
    }
}

fn json_scalar_string(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

/// Decode a JSON header leniently (any key order, missing fields, numbers in extFields).
pub fn decode_json_header(header: &[u8]) -> Result<RemotingCommand, ProtocolError> {
    if header.is_empty() {
        return Err(ProtocolError::BadJsonHeader("empty header".into()));
    }
    let v: serde_json::Value =
        serde_json::from_slice(header).map_err(|e| ProtocolError::BadJsonHeader(e.to_string()))?;
    let obj = v
        .as_object()
        .ok_or_else(|| ProtocolError::BadJsonHeader("header is not an object".into()))?;
    let mut cmd = RemotingCommand::default();
    let mut saw_opaque = false;
    cmd.version = 0;
    for (k, val) in obj {
        match smart_key(k).as_str() {
            "code" => cmd.code = json_int(val, "code")?,
            "flag" => cmd.flag = json_int(val, "flag")?,
            "version" => cmd.version = json_int(val, "version")?,
            "opaque" => {
                cmd.opaque = json_int(val, "opaque")?;
                saw_opaque = true;
            }
            "language" => {
                cmd.language = match val {
                    serde_json::Value::String(s) => {
                        LanguageCode::from_name(s).unwrap_or(LanguageCode(255))
                    }
                    serde_json::Value::Number(n) => {
                        LanguageCode(n.as_u64().map(|x| x.min(255) as u8).unwrap_or(255))
                    }
                    _ => LanguageCode(255),
                }
            }
            "remark" => cmd.remark = json_scalar_string(val),
            "extfields" => match val {
                serde_json::Value::Object(m) => {
                    let mut ext = ExtFields::with_capacity(m.len());
                    for (ek, ev) in m {
                        if let Some(s) = json_scalar_string(ev) {
                            ext.insert(ek.clone(), s);
                        }
                    }
                    cmd.ext_fields = Some(ext);
                }
                serde_json::Value::Null => {}
                _ => {
                    return Err(ProtocolError::BadJsonHeader(
                        "extFields is not an object".into(),
                    ))
                }
            },
            _ => {}
        }
    }
    if !saw_opaque {
        cmd.opaque = next_opaque();
    }
    Ok(cmd)
}

// ---------------------------------------------------------------------------------------------
// ROCKETMQ binary header

fn encode_rocketmq_header(cmd: &RemotingCommand, out: &mut BytesMut) {
    out.put_i16(cmd.code as i16);
    out.put_u8(cmd.language.0);
    out.put_i16(cmd.version as i16);
    out.put_i32(cmd.opaque);
    out.put_i32(cmd.flag);
    match &cmd.remark {
        Some(r) if !r.is_empty() => {
            out.put_i32(r.len() as i32);
            out.extend_from_slice(r.as_bytes());
        }
        _ => out.put_i32(0),
    }
    let len_pos = out.len();
    out.put_i32(0);
    if let Some(ext) = &cmd.ext_fields {
        for (k, v) in ext.iter() {
            out.put_i16(k.len() as i16);
            out.extend_from_slice(k.as_bytes());
            out.put_i32(v.len() as i32);
            out.extend_from_slice(v.as_bytes());
        }
    }
    let ext_len = (out.len() - len_pos - 4) as i32;
    out[len_pos..len_pos + 4].copy_from_slice(&ext_len.to_be_bytes());
}

/// Like [`take_str`] without the copy (borrowed unless the bytes are not valid UTF-8).
fn take_cow<'a>(
    buf: &mut &'a [u8],
    len: usize,
    limit: usize,
) -> Result<Option<std::borrow::Cow<'a, str>>, ProtocolError> {
    if len == 0 {
        return Ok(None);
    }
    if len > limit || len > buf.len() {
        return Err(ProtocolError::Malformed(
            "string length exceed limit".into(),
        ));
    }
    let b: &'a [u8] = buf;
    *buf = &b[len..];
    Ok(Some(String::from_utf8_lossy(&b[..len])))
}

fn take_str(buf: &mut &[u8], len: usize, limit: usize) -> Result<Option<String>, ProtocolError> {
    if len == 0 {
        return Ok(None);
    }
    if len > limit || len > buf.len() {
        return Err(ProtocolError::Malformed(
            "string length exceed limit".into(),
        ));
    }
    let s = String::from_utf8_lossy(&buf[..len]).into_owned();
    buf.advance(len);
    Ok(Some(s))
}

/// Decode a ROCKETMQ binary header.
pub fn decode_rocketmq_header(header: &[u8]) -> Result<RemotingCommand, ProtocolError> {
    let header_len = header.len();
    if header_len < ROCKETMQ_HEADER_MIN {
        return Err(ProtocolError::Malformed(format!(
            "ROCKETMQ header of {header_len} bytes"
        )));
    }
    let mut buf = header;
    let mut cmd = RemotingCommand {
        code: buf.get_i16() as i32,
        language: LanguageCode(buf.get_u8()),
        version: buf.get_i16() as i32,
        opaque: buf.get_i32(),
        flag: buf.get_i32(),
        ..Default::default()
    };
    let remark_len = buf.get_i32();
    if remark_len < 0 {
        return Err(ProtocolError::Malformed("negative remark length".into()));
    }
    cmd.remark = take_str(&mut buf, remark_len as usize, header_len)?;
    if buf.len() < 4 {
        return Err(ProtocolError::Malformed("missing ext length".into()));
    }
    let ext_len = buf.get_i32();
    if ext_len < 0 || ext_len as usize > buf.len() {
        return Err(ProtocolError::Malformed(
            "RocketMQ protocol decoding failed, extFields length".into(),
        ));
    }
    if ext_len > 0 {
        let mut ext_buf = &buf[..ext_len as usize];
        let limit = ext_len as usize;
        let mut ext = ExtFields::with_sizes(limit / 16 + 1, limit);
        while !ext_buf.is_empty() {
            if ext_buf.len() < 2 {
                return Err(ProtocolError::Malformed("truncated ext key length".into()));
            }
            let kl = ext_buf.get_i16();
            if kl < 0 {
                return Err(ProtocolError::Malformed("negative ext key length".into()));
            }
            let key = take_cow(&mut ext_buf, kl as usize, limit)?;
            if ext_buf.len() < 4 {
                return Err(ProtocolError::Malformed(
                    "truncated ext value length".into(),
                ));
            }
            let vl = ext_buf.get_i32();
            if vl < 0 {
                return Err(ProtocolError::Malformed("negative ext value length".into()));
            }
            let val = take_cow(&mut ext_buf, vl as usize, limit)?;
            if let (Some(k), Some(v)) = (key, val) {
                ext.insert(k, v);
            }
        }
        cmd.ext_fields = Some(ext);
    }
    Ok(cmd)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn g1_json_request_roundtrip() {
        let json = br#"{"code":105,"extFields":{"topic":"TopicTest"},"flag":0,"language":"JAVA","opaque":1,"serializeTypeCurrentRPC":"JSON","version":407}"#;
        let mut frame = vec![0x00, 0x00, 0x00, 0x87, 0x00, 0x00, 0x00, 0x83];
        frame.extend_from_slice(json);
        let cmd = decode_frame(&frame).unwrap();
        assert_eq!(cmd.code, 105);
        assert_eq!(cmd.opaque, 1);
        assert_eq!(cmd.version, 407);
        assert_eq!(cmd.ext("topic"), Some("TopicTest"));
        assert_eq!(encode_frame(&cmd).as_ref(), &frame[..]);
    }

    #[test]
    fn g2_rocketmq_request_roundtrip() {
        let frame = hex("0000002d 01000029 0069 00 0197 00000001 00000000 00000000 00000014 0005 746f706963 00000009 546f70696354657374");
        let cmd = decode_frame(&frame).unwrap();
        assert_eq!(cmd.serialize_type, SerializeType::RocketMq);
        assert_eq!(cmd.code, 105);
        assert_eq!(cmd.ext("topic"), Some("TopicTest"));
        assert_eq!(encode_frame(&cmd).as_ref(), &frame[..]);
    }

    #[test]
    fn g4_rocketmq_remark_response() {
        let mut cmd = RemotingCommand::response(3, Some(crate::code::not_supported_remark(9999)));
        cmd.opaque = 1;
        cmd.serialize_type = SerializeType::RocketMq;
        let expect = hex("00000039 01000035 0003 00 0197 00000001 00000001 00000020");
        let f = encode_frame(&cmd);
        assert_eq!(&f[..expect.len()], &expect[..]);
        assert_eq!(
            &f[expect.len()..expect.len() + 32],
            b" request type 9999 not supported"
        );
    }

    #[test]
    fn g3_json_success_with_body() {
        let mut cmd = RemotingCommand::success().with_body(&b"{}"[..]);
        cmd.opaque = 1;
        let f = encode_frame(&cmd);
        let mut expect = vec![0, 0, 0, 0x65, 0, 0, 0, 0x5f];
        expect.extend_from_slice(br#"{"code":0,"flag":1,"language":"JAVA","opaque":1,"serializeTypeCurrentRPC":"JSON","version":407}{}"#);
        assert_eq!(f.as_ref(), &expect[..]);
    }

    #[test]
    fn oversize_and_truncated_are_errors() {
        let mut c = RemotingCodec::default();
        let mut b = BytesMut::from(&[0xffu8, 0xff, 0xff, 0xff][..]);
        assert!(c.decode(&mut b).is_err());
        let mut b = BytesMut::from(&[0x00u8, 0xff, 0xff, 0xfd][..]);
        assert!(c.decode(&mut b).is_err());
        let mut b = BytesMut::from(&[0x00u8, 0xff, 0xff, 0xfc][..]);
        assert!(c.decode(&mut b).unwrap().is_none());
        // every prefix of a valid frame is incomplete, never an error or a panic
        let cmd = RemotingCommand::request(105);
        let f = encode_frame(&cmd);
        for i in 0..f.len() {
            let mut b = BytesMut::from(&f[..i]);
            assert!(c.decode(&mut b).unwrap().is_none());
        }
    }

    #[test]
    fn json_escaping_like_fastjson() {
        let mut out = BytesMut::new();
        write_json_string(&mut out, "a\"b\\c\n\u{1f}\u{7f}é/\u{2028}");
        assert_eq!(
            &out[..],
            "\"a\\\"b\\\\c\\n\\u001F\\u007Fé/\\u2028\"".as_bytes()
        );
    }
}
