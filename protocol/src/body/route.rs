//! Route bodies: `QueueData`, `BrokerData`, `TopicRouteData` (GET_ROUTEINFO_BY_TOPIC) and
//! `ClusterInfo` (GET_BROKER_CLUSTER_INFO).

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::JsonBody;
use crate::fastjson::{self, order};

/// `MixAll.MASTER_ID`.
pub const MASTER_ID: i64 = 0;

/// `QueueData`: one broker's queues of a topic.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct QueueData {
    /// Broker name.
    pub broker_name: String,
    /// Read queues.
    pub read_queue_nums: i32,
    /// Write queues.
    pub write_queue_nums: i32,
    /// Permission bits.
    pub perm: i32,
    /// Topic system flag.
    pub topic_sys_flag: i32,
}

/// `BrokerData`: a broker name's addresses by broker id (0 = master).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BrokerData {
    /// Cluster name.
    pub cluster: String,
    /// Broker name.
    pub broker_name: String,
    /// Broker id → address (`HashMap<Long,String>`, keys written bare: `{0:"…"}`).
    #[serde(serialize_with = "order::hash_map")]
    pub broker_addrs: HashMap<i64, String>,
}

impl BrokerData {
    /// A broker data without addresses.
    pub fn new(cluster: impl Into<String>, broker_name: impl Into<String>) -> Self {
        BrokerData {
            cluster: cluster.into(),
            broker_name: broker_name.into(),
            broker_addrs: HashMap::new(),
        }
    }

    /// `selectBrokerAddr()` without the randomness: the master, else the slave with the
    /// lowest id.
    pub fn select_broker_addr(&self) -> Option<&str> {
        if let Some(addr) = self.broker_addrs.get(&MASTER_ID) {
            return Some(addr);
        }
        self.broker_addrs
            .iter()
            .min_by_key(|(id, _)| **id)
            .map(|(_, a)| a.as_str())
    }
}

/// `TopicRouteData`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TopicRouteData {
    /// `"broker-a:4;broker-b:4"` when the namesrv has an order config for the topic.
    pub order_topic_conf: Option<String>,
    /// Queues per broker.
    pub queue_datas: Vec<QueueData>,
    /// Brokers.
    pub broker_datas: Vec<BrokerData>,
    /// Broker address → filter servers.
    #[serde(serialize_with = "order::hash_map")]
    pub filter_server_table: HashMap<String, Vec<String>>,
}

/// `MQVersion.Version.V4_9_4.ordinal()`: from this client version on, the namesrv answers
/// with the standard JSON form.
pub const STANDARD_JSON_MIN_VERSION: i32 = 401;

impl TopicRouteData {
    /// The standard form (T3): quoted keys, sorted maps, non-ASCII escaped.
    pub fn encode_standard(&self) -> Vec<u8> {
        match fastjson::to_vec_standard(self) {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::error!("cannot encode route: {e}");
                Vec::new()
            }
        }
    }

    /// The body the 4.9.7 namesrv sends to a client of `version`: the standard form if
    /// `version >= 401` or `accept_standard_json_only`, else fastjson's default form.
    pub fn encode_for(&self, version: i32, accept_standard_json_only: bool) -> Vec<u8> {
        if version >= STANDARD_JSON_MIN_VERSION || accept_standard_json_only {
            self.encode_standard()
        } else {
            self.encode()
        }
    }
}

/// `ClusterInfo` (always fastjson's default form: `{0:"addr"}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ClusterInfo {
    /// Broker name → broker data (the namesrv's `HashMap(128)`).
    #[serde(serialize_with = "order::hash_map_128")]
    pub broker_addr_table: HashMap<String, BrokerData>,
    /// Cluster name → broker names (`HashMap(32)` of `HashSet`).
    #[serde(serialize_with = "order::hash_map_32_of_hash_sets")]
    pub cluster_addr_table: HashMap<String, HashSet<String>>,
}

impl ClusterInfo {
    /// `retrieveAllAddrByCluster`: every address of every broker of the cluster.
    pub fn retrieve_all_addr_by_cluster(&self, cluster: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(names) = self.cluster_addr_table.get(cluster) {
            for name in names {
                if let Some(bd) = self.broker_addr_table.get(name) {
                    out.extend(bd.broker_addrs.values().cloned());
                }
            }
        }
        out
    }

    /// `retrieveAllClusterNames`.
    pub fn retrieve_all_cluster_names(&self) -> Vec<String> {
        self.cluster_addr_table.keys().cloned().collect()
    }
}
