//! Connection lists: `Connection`, `ConsumerConnection` (GET_CONSUMER_CONNECTION_LIST),
//! `ProducerConnection` (GET_PRODUCER_CONNECTION_LIST), `ProducerInfo`/`ProducerTableInfo`
//! (GET_ALL_PRODUCER_INFO, code 328).

use std::collections::HashMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::heartbeat::{ConsumeFromWhere, ConsumeType, MessageModel, SubscriptionData};
use crate::command::LanguageCode;
use crate::fastjson::{order, Number, Value};

/// serde for `LanguageCode`: written by name (omitted when the code has no name, as Java
/// writes a `null` language), read from a name or an ordinal; an unknown name gives a code
/// without a name (Java: `null`).
pub(crate) mod language {
    use super::*;

    /// The code used for names Java would not know.
    pub(crate) const UNKNOWN: LanguageCode = LanguageCode(u8::MAX);

    pub(crate) fn serialize<S: Serializer>(code: &LanguageCode, s: S) -> Result<S::Ok, S::Error> {
        match code.name() {
            Some(name) => s.serialize_str(name),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<LanguageCode, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::String(name) => LanguageCode::from_name(&name).unwrap_or(UNKNOWN),
            Value::Number(Number::Int(i)) => u8::try_from(i)
                .ok()
                .filter(|c| LanguageCode(*c).name().is_some())
                .map(LanguageCode)
                .unwrap_or(UNKNOWN),
            Value::Null => LanguageCode::default(),
            _ => UNKNOWN,
        })
    }
}

/// `Connection`: one client channel of a group.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Connection {
    /// Client id.
    pub client_id: String,
    /// Remote address `ip:port`.
    pub client_addr: String,
    /// Client language (from the heartbeat's header).
    #[serde(with = "language")]
    pub language: LanguageCode,
    /// Client version (from the heartbeat's header).
    pub version: i32,
}

/// `ConsumerConnection`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConsumerConnection {
    /// Channels (`HashSet<Connection>`, identity hash: order kept).
    #[serde(serialize_with = "order::set")]
    pub connection_set: Vec<Connection>,
    /// Topic → subscription (a fresh `ConcurrentHashMap` filled by `putAll`).
    #[serde(serialize_with = "order::concurrent_map_put_all")]
    pub subscription_table: HashMap<String, SubscriptionData>,
    /// Consume type of the group.
    #[serde(deserialize_with = "crate::fastjson::lenient")]
    pub consume_type: Option<ConsumeType>,
    /// Message model of the group.
    #[serde(deserialize_with = "crate::fastjson::lenient")]
    pub message_model: Option<MessageModel>,
    /// Consume-from policy of the group.
    #[serde(deserialize_with = "crate::fastjson::lenient")]
    pub consume_from_where: Option<ConsumeFromWhere>,
}

impl ConsumerConnection {
    /// `computeMinVersion()`: the lowest client version (`i32::MAX` when empty).
    pub fn compute_min_version(&self) -> i32 {
        self.connection_set
            .iter()
            .map(|c| c.version)
            .min()
            .unwrap_or(i32::MAX)
    }
}

/// `ProducerConnection`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ProducerConnection {
    /// Channels (`HashSet<Connection>`, order kept).
    #[serde(serialize_with = "order::set")]
    pub connection_set: Vec<Connection>,
}

/// `ProducerInfo` (4.9.7: one producer channel in GET_ALL_PRODUCER_INFO).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ProducerInfo {
    /// Client id.
    pub client_id: String,
    /// Remote address (`getRemoteIP()`: `"remoteIP"`).
    #[serde(rename = "remoteIP")]
    pub remote_ip: String,
    /// Client language.
    #[serde(with = "language")]
    pub language: LanguageCode,
    /// Client version.
    pub version: i32,
    /// Last heartbeat (ms).
    pub last_update_timestamp: i64,
}

/// `ProducerTableInfo`: producer group → producers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProducerTableInfo {
    /// Group → producers (`HashMap`).
    #[serde(serialize_with = "order::hash_map")]
    pub data: HashMap<String, Vec<ProducerInfo>>,
}
