//! Batch body of SEND_BATCH_MESSAGE (request code 320).
//!
//! Mirrors Java `MessageDecoder.encodeMessage` / `encodeMessages` / `decodeMessage` /
//! `decodeMessages`. Each member, back to back (big-endian):
//!
//! ```text
//! off  len  field
//!   0    4  TOTALSIZE   = 20 + bodyLen + 2 + propsLen
//!   4    4  MAGICCODE   0
//!   8    4  BODYCRC     0
//!  12    4  FLAG
//!  16  4+n  BODY        int length + bytes
//! 20+n 2+p  PROPERTIES  short length + properties string
//! ```
//! No topic: it comes from the request header. TOTALSIZE is not used when reading.

use std::borrow::Cow;

use bytes::Bytes;

use super::msgid::arr4;
use super::property::{properties_to_string, string_to_properties, Properties};
use super::MessageError;

/// Zero-copy view of one batch member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchEntryRef<'a> {
    /// `Message.flag`
    pub flag: i32,
    /// Body bytes.
    pub body: &'a [u8],
    /// Raw properties string bytes.
    pub properties: &'a [u8],
    /// Bytes this member occupies in the batch body.
    pub encoded_len: usize,
}

impl<'a> BatchEntryRef<'a> {
    /// Properties string (lossy UTF-8).
    pub fn properties_str(&self) -> Cow<'a, str> {
        String::from_utf8_lossy(self.properties)
    }
}

/// One decoded batch member.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BatchMessage {
    /// `Message.flag`
    pub flag: i32,
    /// Body (zero-copy slice of the batch body when decoded with [`decode_batch`]).
    pub body: Bytes,
    /// Properties.
    pub properties: Properties,
}

/// Iterate the members of a batch body without copying; yields an error (and then stops) at
/// the first malformed member.
pub fn iter_batch(body: &[u8]) -> BatchIter<'_> {
    BatchIter {
        b: body,
        pos: 0,
        failed: false,
    }
}

/// Iterator returned by [`iter_batch`].
pub struct BatchIter<'a> {
    b: &'a [u8],
    pos: usize,
    failed: bool,
}

impl<'a> BatchIter<'a> {
    fn parse(&self) -> Result<BatchEntryRef<'a>, MessageError> {
        let b = &self.b[self.pos..];
        let need = |n: usize| {
            if b.len() < n {
                Err(super::bad(format!(
                    "truncated: need {} bytes, have {}",
                    n,
                    b.len()
                )))
            } else {
                Ok(())
            }
        };
        need(20)?;
        let flag = i32::from_be_bytes(arr4(&b[12..16]));
        let body_len = i32::from_be_bytes(arr4(&b[16..20]));
        if body_len < 0 {
            return Err(super::bad(format!("negative batch body length {body_len}")));
        }
        let body_end = 20 + body_len as usize;
        need(body_end + 2)?;
        let props_len = i16::from_be_bytes([b[body_end], b[body_end + 1]]);
        if props_len < 0 {
            return Err(super::bad(format!(
                "negative batch properties length {props_len}"
            )));
        }
        let end = body_end + 2 + props_len as usize;
        need(end)?;
        Ok(BatchEntryRef {
            flag,
            body: &b[20..body_end],
            properties: &b[body_end + 2..end],
            encoded_len: end,
        })
    }
}

impl<'a> Iterator for BatchIter<'a> {
    type Item = Result<BatchEntryRef<'a>, MessageError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.b.len() {
            return None;
        }
        match self.parse() {
            Ok(e) => {
                self.pos += e.encoded_len;
                Some(Ok(e))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

/// Decode a batch body (`MessageDecoder.decodeMessages`); bodies are zero-copy slices.
pub fn decode_batch(body: &Bytes) -> Result<Vec<BatchMessage>, MessageError> {
    let mut out = Vec::new();
    let base = body.as_ptr() as usize;
    for e in iter_batch(body) {
        let e = e?;
        let start = e.body.as_ptr() as usize - base;
        out.push(BatchMessage {
            flag: e.flag,
            body: body.slice(start..start + e.body.len()),
            properties: string_to_properties(&e.properties_str()),
        });
    }
    Ok(out)
}

/// Append one member (`MessageDecoder.encodeMessage`).
pub fn encode_batch_member(
    out: &mut Vec<u8>,
    flag: i32,
    body: &[u8],
    properties: &str,
) -> Result<(), MessageError> {
    if properties.len() > i16::MAX as usize {
        return Err(super::bad(format!(
            "properties too long: {} bytes (max 32767)",
            properties.len()
        )));
    }
    let total = 20 + body.len() + 2 + properties.len();
    out.extend_from_slice(&(total as i32).to_be_bytes());
    out.extend_from_slice(&0i32.to_be_bytes());
    out.extend_from_slice(&0i32.to_be_bytes());
    out.extend_from_slice(&flag.to_be_bytes());
    out.extend_from_slice(&(body.len() as i32).to_be_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(&(properties.len() as i16).to_be_bytes());
    out.extend_from_slice(properties.as_bytes());
    Ok(())
}

/// Encode a batch body (`MessageDecoder.encodeMessages`).
pub fn encode_batch(msgs: &[BatchMessage]) -> Result<Vec<u8>, MessageError> {
    let mut out = Vec::new();
    for m in msgs {
        encode_batch_member(
            &mut out,
            m.flag,
            &m.body,
            &properties_to_string(&m.properties),
        )?;
    }
    Ok(out)
}
