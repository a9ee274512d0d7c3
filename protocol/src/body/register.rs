//! `RegisterBrokerBody` (REGISTER_BROKER request): the JSON form (`encode(false)`) and the
//! zlib form (`encode(true)`, sent when the broker sets `compressedRegister`).
//!
//! The compressed form is one zlib stream (`Deflater(BEST_COMPRESSION)`) of:
//! `int len, DataVersion JSON`; `int topicCount`; per topic `int len, TopicConfig.encode()`
//! (`"name read write perm filterType"`, so `topicSysFlag` and `order` are lost);
//! `int len, filterServerList JSON`. Ints are big-endian.

use std::io::{Read, Write};

use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use flate2::Compression;
use serde::{Deserialize, Serialize};

use super::{BodyError, DataVersion, JsonBody, TopicConfig, TopicConfigSerializeWrapper};
use crate::fastjson::{self, order::JavaMapKind};

/// Cap on the inflated size of a compressed body (a frame is at most 16 MiB compressed).
pub const MAX_INFLATED: u64 = 256 << 20;

/// `RegisterBrokerBody`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RegisterBrokerBody {
    /// The broker's topics and their version.
    pub topic_config_serialize_wrapper: TopicConfigSerializeWrapper,
    /// Filter server addresses (`List`).
    pub filter_server_list: Vec<String>,
}

impl RegisterBrokerBody {
    /// `encode(compress)`.
    pub fn encode_with(&self, compress: bool) -> Vec<u8> {
        if compress {
            self.encode_compressed()
        } else {
            self.encode()
        }
    }

    /// `encode(true)`: the zlib form. Topics are written in the iteration order of the
    /// fresh `ConcurrentHashMap` Java copies the table into.
    pub fn encode_compressed(&self) -> Vec<u8> {
        let mut raw = Vec::new();
        let dv = self.topic_config_serialize_wrapper.data_version.encode();
        push_block(&mut raw, &dv);
        let table = &self.topic_config_serialize_wrapper.topic_config_table;
        let entries: Vec<(&String, &TopicConfig)> = table.iter().collect();
        let keys: Vec<fastjson::Value> = entries
            .iter()
            .map(|(k, _)| fastjson::Value::from(k.as_str()))
            .collect();
        let order =
            fastjson::order::iteration_order(&keys, JavaMapKind::ConcurrentHashMap { initial: 0 });
        raw.extend_from_slice(&(entries.len() as i32).to_be_bytes());
        for i in order {
            if let Some((_, tc)) = entries.get(i) {
                push_block(&mut raw, tc.encode_text().as_bytes());
            }
        }
        let filters = fastjson::to_vec(&self.filter_server_list).unwrap_or_else(|_| b"[]".to_vec());
        push_block(&mut raw, &filters);

        let mut enc = ZlibEncoder::new(Vec::new(), Compression::best());
        // Writing into a Vec cannot fail.
        if enc.write_all(&raw).is_err() {
            return Vec::new();
        }
        enc.finish().unwrap_or_default()
    }

    /// `decode(bytes, compressed)`.
    pub fn decode_with(bytes: &[u8], compressed: bool) -> Result<Self, BodyError> {
        if compressed {
            Self::decode_compressed(bytes)
        } else {
            <Self as JsonBody>::decode(bytes)
        }
    }

    /// `decode(bytes, true)`. Like Java, a filter server list that is not valid JSON gives
    /// an empty list; anything else malformed is an error.
    pub fn decode_compressed(bytes: &[u8]) -> Result<Self, BodyError> {
        let mut r = ZlibDecoder::new(bytes).take(MAX_INFLATED);
        let dv_bytes = read_block(&mut r)?;
        let data_version: DataVersion = fastjson::from_slice(&dv_bytes)?;
        let mut body = RegisterBrokerBody::default();
        body.topic_config_serialize_wrapper.data_version = data_version;
        let count = read_int(&mut r)?;
        for _ in 0..count.max(0) {
            let text = read_block(&mut r)?;
            let tc = TopicConfig::decode_text(&String::from_utf8_lossy(&text))?;
            body.topic_config_serialize_wrapper
                .topic_config_table
                .insert(tc.topic_name.clone(), tc);
        }
        let filters = read_block(&mut r)?;
        body.filter_server_list = fastjson::from_slice(&filters).unwrap_or_default();
        Ok(body)
    }
}

fn push_block(out: &mut Vec<u8>, data: &[u8]) {
    out.extend_from_slice(&(data.len() as i32).to_be_bytes());
    out.extend_from_slice(data);
}

fn read_int(r: &mut impl Read) -> Result<i32, BodyError> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)
        .map_err(|e| BodyError::Compressed(format!("reading a length: {e}")))?;
    Ok(i32::from_be_bytes(b))
}

fn read_block(r: &mut impl Read) -> Result<Vec<u8>, BodyError> {
    let len = read_int(r)?;
    let len =
        u64::try_from(len).map_err(|_| BodyError::Compressed(format!("negative length {len}")))?;
    let mut buf = Vec::new();
    let got = r
        .take(len)
        .read_to_end(&mut buf)
        .map_err(|e| BodyError::Compressed(format!("inflating: {e}")))?;
    if got as u64 != len {
        return Err(BodyError::Compressed(
            "End of compressed data has reached".to_owned(),
        ));
    }
    Ok(buf)
}
