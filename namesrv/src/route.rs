//! The routing tables (mirrors `org.apache.rocketmq.namesrv.routeinfo.RouteInfoManager`).
//!
//! * `topicQueueTable`: topic → brokerName → QueueData
//! * `brokerAddrTable`: brokerName → BrokerData (cluster, brokerId → address)
//! * `clusterAddrTable`: cluster → brokerNames
//! * `brokerLiveTable`: brokerAddr → last heartbeat, DataVersion, connection, HA address
//! * `filterServerTable`: brokerAddr → filter servers
//!
//! One `parking_lot::RwLock` guards all of them, as Java's `ReentrantReadWriteLock`; it is never
//! held across an `.await` (every method here is synchronous). Unlike Java, the expiry scan
//! takes the lock too, and bodies are built from a snapshot taken under the lock.
//! Where Java's answer depends on `HashMap` iteration order (the order of a route's
//! `queueDatas`/`brokerDatas`, "the first broker" of the system topic list, "the first queue"
//! of a topic), that order is reproduced with [`protocol::fastjson::order`]; the bodies
//! themselves serialise their maps and sets in Java order.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use indexmap::IndexMap;
use parking_lot::RwLock;
use protocol::body::perm::{PERM_READ, PERM_WRITE};
use protocol::body::{
    BrokerData, ClusterInfo, DataVersion, QueueData, TopicConfigSerializeWrapper, TopicRouteData,
    MASTER_ID,
};
use protocol::net::Channel;
use tracing::{info, warn};

use crate::javaorder::{hash_map_order, hash_set_order};

/// `TopicSysFlag` FLAG_UNIT.
const FLAG_UNIT: i32 = 1;
/// `TopicSysFlag` FLAG_UNIT_SUB.
const FLAG_UNIT_SUB: i32 = 2;

/// `BrokerLiveInfo`.
#[derive(Debug, Clone)]
struct BrokerLiveInfo {
    last_update: Instant,
    data_version: DataVersion,
    channel: Option<Channel>,
    ha_server_addr: Option<String>,
}

#[derive(Debug, Default)]
struct Tables {
    topic_queue: TopicQueueTable,
    broker_addr: HashMap<String, BrokerData>,
    cluster_addr: HashMap<String, HashSet<String>>,
    broker_live: HashMap<String, BrokerLiveInfo>,
    filter_server: HashMap<String, Vec<String>>,
}

/// A `HashMap<String, _>` built as `new HashMap<>(initial)`, in Java iteration order (we do
/// not know Java's insertion order here: natural order stands in within a bucket).
fn java_order<V>(map: &HashMap<String, V>, initial: u32) -> Vec<(&String, &V)> {
    let mut entries: Vec<(&String, &V)> = map.iter().collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    hash_map_order(entries, initial, |(k, _)| k.as_str())
}

/// `topicQueueTable`. Insertion-ordered, so that its Java iteration order (which keeps
/// insertion order within a bucket) can be reproduced exactly.
type TopicQueueTable = IndexMap<String, HashMap<String, QueueData>>;

/// `topicQueueTable = new HashMap<>(1024)`, in Java iteration order.
fn topics_in_java_order(table: &TopicQueueTable) -> Vec<(&String, &HashMap<String, QueueData>)> {
    hash_map_order(table.iter().collect(), 1024, |(k, _)| k.as_str())
}

/// A `HashSet<String>` of names (insertion order unknown: natural order stands in).
fn names_in_java_order(names: &HashSet<String>) -> Vec<String> {
    let mut sorted: Vec<String> = names.iter().cloned().collect();
    sorted.sort_unstable();
    hash_set_order(sorted)
}

/// `new HashMap<>()` / `new HashSet<>()`.
const JAVA_HASH_MAP: u32 = 16;
/// `clusterAddrTable = new HashMap<>(32)`.
const JAVA_CLUSTER_ADDR_TABLE: u32 = 32;
/// `brokerAddrTable = new HashMap<>(128)`.
const JAVA_BROKER_ADDR_TABLE: u32 = 128;

/// One REGISTER_BROKER, as decoded from its header and body.
#[derive(Debug, Clone)]
pub struct Registration {
    #[allow(missing_docs)]
    pub cluster_name: String,
    #[allow(missing_docs)]
    pub broker_addr: String,
    #[allow(missing_docs)]
    pub broker_name: String,
    /// 0 = master.
    pub broker_id: i64,
    #[allow(missing_docs)]
    pub ha_server_addr: Option<String>,
    #[allow(missing_docs)]
    pub topic_config: TopicConfigSerializeWrapper,
    /// `None` leaves the filter server entry alone (old brokers).
    pub filter_server_list: Option<Vec<String>>,
}

/// `RegisterBrokerResult`: filled for a slave whose master is alive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterBrokerResult {
    #[allow(missing_docs)]
    pub ha_server_addr: Option<String>,
    #[allow(missing_docs)]
    pub master_addr: Option<String>,
}

/// A broker removed by the expiry scan.
#[derive(Debug, Clone)]
pub struct ExpiredBroker {
    /// Its address.
    pub broker_addr: String,
    /// The connection it registered on (to be closed).
    pub channel: Option<Channel>,
}

/// `RouteInfoManager`.
#[derive(Debug, Default)]
pub struct RouteInfoManager {
    tables: RwLock<Tables>,
}

impl RouteInfoManager {
    /// Empty tables.
    pub fn new() -> Self {
        Self::default()
    }

    /// `registerBroker`.
    pub fn register_broker(
        &self,
        reg: Registration,
        channel: Option<Channel>,
    ) -> RegisterBrokerResult {
        let mut result = RegisterBrokerResult::default();
        let mut guard = self.tables.write();
        let t = &mut *guard;

        t.cluster_addr
            .entry(reg.cluster_name.clone())
            .or_default()
            .insert(reg.broker_name.clone());

        let mut register_first = false;
        let broker_data = t
            .broker_addr
            .entry(reg.broker_name.clone())
            .or_insert_with(|| {
                register_first = true;
                BrokerData::new(reg.cluster_name.clone(), reg.broker_name.clone())
            });
        // A slave switching to master: one address keeps one id.
        broker_data
            .broker_addrs
            .retain(|id, addr| *addr != reg.broker_addr || *id == reg.broker_id);
        let old_addr = broker_data
            .broker_addrs
            .insert(reg.broker_id, reg.broker_addr.clone());
        if reg.broker_id == MASTER_ID && old_addr.as_deref() != Some(reg.broker_addr.as_str()) {
            info!(
                cluster = %broker_data.cluster,
                broker_name = %reg.broker_name,
                old = ?old_addr,
                new = %reg.broker_addr,
                "master address changed"
            );
        }
        register_first |= old_addr.is_none();
        let master_addr = broker_data.broker_addrs.get(&MASTER_ID).cloned();

        if reg.broker_id == MASTER_ID {
            let changed = t
                .broker_live
                .get(&reg.broker_addr)
                .map(|live| live.data_version != reg.topic_config.data_version)
                .unwrap_or(true);
            if changed || register_first {
                for (key, tc) in &reg.topic_config.topic_config_table {
                    let topic = if tc.topic_name.is_empty() {
                        key.clone()
                    } else {
                        tc.topic_name.clone()
                    };
                    let qd = QueueData {
                        broker_name: reg.broker_name.clone(),
                        read_queue_nums: tc.read_queue_nums,
                        write_queue_nums: tc.write_queue_nums,
                        perm: tc.perm,
                        topic_sys_flag: tc.topic_sys_flag,
                    };
                    let queues = t.topic_queue.entry(topic.clone()).or_default();
                    match queues.insert(reg.broker_name.clone(), qd.clone()) {
                        None if queues.len() == 1 => {
                            info!(topic = %topic, queue_data = ?qd, "new topic registered")
                        }
                        Some(old) if old != qd => {
                            info!(topic = %topic, old = ?old, new = ?qd, "topic changed")
                        }
                        _ => {}
                    }
                }
            }
        }

        let prev = t.broker_live.insert(
            reg.broker_addr.clone(),
            BrokerLiveInfo {
                last_update: Instant::now(),
                data_version: reg.topic_config.data_version,
                channel,
                ha_server_addr: reg.ha_server_addr.clone(),
            },
        );
        if prev.is_none() {
            info!(broker_addr = %reg.broker_addr, ha_server_addr = ?reg.ha_server_addr, "new broker registered");
        }

        if let Some(list) = reg.filter_server_list {
            if list.is_empty() {
                t.filter_server.remove(&reg.broker_addr);
            } else {
                t.filter_server.insert(reg.broker_addr.clone(), list);
            }
        }

        if reg.broker_id != MASTER_ID {
            if let Some(master) = master_addr {
                if let Some(live) = t.broker_live.get(&master) {
                    result.ha_server_addr = live.ha_server_addr.clone();
                    result.master_addr = Some(master);
                }
            }
        }
        result
    }

    /// QUERY_DATA_VERSION (Java's `isBrokerTopicConfigChanged`, then
    /// `updateBrokerInfoUpdateTimestamp` and `queryBrokerTopicConfig`): whether `dv` differs
    /// from what `broker_addr` registered (an unknown broker counts as changed; an unchanged
    /// one counts as a heartbeat), and the registered version.
    pub fn query_data_version(
        &self,
        broker_addr: &str,
        dv: &DataVersion,
    ) -> (bool, Option<DataVersion>) {
        let mut t = self.tables.write();
        match t.broker_live.get_mut(broker_addr) {
            None => (true, None),
            Some(live) => {
                let changed = live.data_version != *dv;
                if !changed {
                    live.last_update = Instant::now();
                }
                (changed, Some(live.data_version))
            }
        }
    }

    /// `unregisterBroker`.
    pub fn unregister_broker(
        &self,
        cluster_name: &str,
        broker_addr: &str,
        broker_name: &str,
        broker_id: i64,
    ) {
        let mut guard = self.tables.write();
        let t = &mut *guard;
        let live = t.broker_live.remove(broker_addr);
        info!(
            broker_addr,
            found = live.is_some(),
            "unregisterBroker: removed from brokerLiveTable"
        );
        t.filter_server.remove(broker_addr);

        let mut remove_broker_name = false;
        if let Some(bd) = t.broker_addr.get_mut(broker_name) {
            let removed = bd.broker_addrs.remove(&broker_id);
            info!(
                broker_addr,
                broker_id,
                found = removed.is_some(),
                "unregisterBroker: removed from brokerAddrTable"
            );
            if bd.broker_addrs.is_empty() {
                t.broker_addr.remove(broker_name);
                remove_broker_name = true;
            }
        }
        if remove_broker_name {
            if let Some(names) = t.cluster_addr.get_mut(cluster_name) {
                names.remove(broker_name);
                if names.is_empty() {
                    t.cluster_addr.remove(cluster_name);
                    info!(cluster_name, "unregisterBroker: cluster removed");
                }
            }
            remove_topics_of_broker(&mut t.topic_queue, broker_name);
        }
    }

    /// `pickupTopicRouteData`: `None` when the topic has no queues or none of its brokers is
    /// known. Queue and broker lists come in Java's `HashMap` order of the broker names.
    pub fn pickup_topic_route_data(&self, topic: &str) -> Option<TopicRouteData> {
        let t = self.tables.read();
        let queues = t.topic_queue.get(topic)?;
        let ordered = java_order(queues, JAVA_HASH_MAP);
        let mut route = TopicRouteData {
            queue_datas: ordered.iter().map(|(_, qd)| (*qd).clone()).collect(),
            ..Default::default()
        };
        for (broker_name, _) in ordered {
            if let Some(bd) = t.broker_addr.get(broker_name) {
                route.broker_datas.push(bd.clone());
                if !t.filter_server.is_empty() {
                    for addr in bd.broker_addrs.values() {
                        if let Some(list) = t.filter_server.get(addr) {
                            route.filter_server_table.insert(addr.clone(), list.clone());
                        }
                    }
                }
            }
        }
        if route.broker_datas.is_empty() {
            return None;
        }
        Some(route)
    }

    /// `getAllClusterInfo`.
    pub fn cluster_info(&self) -> ClusterInfo {
        let t = self.tables.read();
        ClusterInfo {
            broker_addr_table: t.broker_addr.clone(),
            cluster_addr_table: t.cluster_addr.clone(),
        }
    }

    /// `wipeWritePermOfBrokerByLock`: clear the write bit on every queue of `broker_name`;
    /// returns the number of topics touched.
    pub fn wipe_write_perm_of_broker(&self, broker_name: &str) -> i32 {
        self.update_perm(broker_name, |perm| perm & !PERM_WRITE)
    }

    /// `addWritePermOfBrokerByLock`: set the queues' perm to read|write (Java overwrites the
    /// whole perm, dropping INHERIT and PRIORITY bits).
    pub fn add_write_perm_of_broker(&self, broker_name: &str) -> i32 {
        self.update_perm(broker_name, |_| PERM_READ | PERM_WRITE)
    }

    fn update_perm(&self, broker_name: &str, f: impl Fn(i32) -> i32) -> i32 {
        let mut t = self.tables.write();
        let mut count = 0;
        for queues in t.topic_queue.values_mut() {
            if let Some(qd) = queues.get_mut(broker_name) {
                qd.perm = f(qd.perm);
                count += 1;
            }
        }
        count
    }

    /// `getAllTopicList`: every topic, in Java's table order.
    pub fn all_topics(&self) -> Vec<String> {
        let t = self.tables.read();
        topics_in_java_order(&t.topic_queue)
            .into_iter()
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// `deleteTopic(topic)`.
    pub fn delete_topic(&self, topic: &str) {
        self.tables.write().topic_queue.shift_remove(topic);
    }

    /// `deleteTopic(topic, clusterName)`: only the queues on that cluster's brokers.
    pub fn delete_topic_in_cluster(&self, topic: &str, cluster_name: &str) {
        let mut guard = self.tables.write();
        let t = &mut *guard;
        let Some(names) = t.cluster_addr.get(cluster_name) else {
            return;
        };
        if let Some(queues) = t.topic_queue.get_mut(topic) {
            for name in names {
                if queues.remove(name).is_some() {
                    info!(topic, broker_name = %name, "deleteTopic: removed one broker's queues");
                }
            }
            if queues.is_empty() {
                t.topic_queue.shift_remove(topic);
            }
        }
    }

    /// `getTopicsByCluster`: for each broker name of the cluster, the topics it serves (in
    /// Java's iteration orders; a topic may repeat). An unknown cluster gives nothing, as
    /// Java's caught NPE does.
    pub fn topics_by_cluster(&self, cluster: &str) -> Vec<String> {
        let t = self.tables.read();
        let Some(names) = t.cluster_addr.get(cluster) else {
            return Vec::new();
        };
        let topics = topics_in_java_order(&t.topic_queue);
        let mut out = Vec::new();
        for name in names_in_java_order(names) {
            out.extend(
                topics
                    .iter()
                    .filter(|(_, queues)| queues.contains_key(&name))
                    .map(|(topic, _)| (*topic).clone()),
            );
        }
        out
    }

    /// `getSystemTopicList`: every cluster name followed by its broker names, plus the
    /// first address of the first broker name (all in Java's map orders).
    pub fn system_topics(&self) -> (Vec<String>, Option<String>) {
        let t = self.tables.read();
        let mut topics = Vec::new();
        for (cluster, names) in java_order(&t.cluster_addr, JAVA_CLUSTER_ADDR_TABLE) {
            topics.push(cluster.clone());
            topics.extend(names_in_java_order(names));
        }
        let addr = java_order(&t.broker_addr, JAVA_BROKER_ADDR_TABLE)
            .into_iter()
            .find_map(|(_, bd)| first_broker_addr(bd));
        (topics, addr)
    }

    /// `getUnitTopics`: topics whose first queue data has the unit flag.
    pub fn unit_topics(&self) -> Vec<String> {
        self.topics_where(|f| f & FLAG_UNIT != 0)
    }

    /// `getHasUnitSubTopicList`.
    pub fn has_unit_sub_topics(&self) -> Vec<String> {
        self.topics_where(|f| f & FLAG_UNIT_SUB != 0)
    }

    /// `getHasUnitSubUnUnitTopicList`.
    pub fn has_unit_sub_ununit_topics(&self) -> Vec<String> {
        self.topics_where(|f| f & FLAG_UNIT == 0 && f & FLAG_UNIT_SUB != 0)
    }

    /// Topics (in Java's table order) whose first queue data (in Java's map order) matches
    /// `pick`.
    fn topics_where(&self, pick: impl Fn(i32) -> bool) -> Vec<String> {
        let t = self.tables.read();
        topics_in_java_order(&t.topic_queue)
            .into_iter()
            .filter(|(_, queues)| {
                java_order(queues, JAVA_HASH_MAP)
                    .first()
                    .map(|(_, qd)| pick(qd.topic_sys_flag))
                    .unwrap_or(false)
            })
            .map(|(topic, _)| topic.clone())
            .collect()
    }

    /// `scanNotActiveBroker`: drop every broker silent for longer than `expiry`, with all its
    /// routes. Returns the removed brokers so the caller can close their connections.
    pub fn scan_not_active_broker(&self, expiry: std::time::Duration) -> Vec<ExpiredBroker> {
        let now = Instant::now();
        let mut guard = self.tables.write();
        let t = &mut *guard;
        let expired: Vec<String> = t
            .broker_live
            .iter()
            .filter(|(_, live)| now.duration_since(live.last_update) > expiry)
            .map(|(addr, _)| addr.clone())
            .collect();
        let mut out = Vec::with_capacity(expired.len());
        for addr in expired {
            let live = t.broker_live.remove(&addr);
            warn!(broker_addr = %addr, expiry_ms = expiry.as_millis() as u64, "broker channel expired");
            remove_broker_addr(t, &addr);
            out.push(ExpiredBroker {
                broker_addr: addr,
                channel: live.and_then(|l| l.channel),
            });
        }
        out
    }

    /// `onChannelDestroy`: the connection closed. The broker that registered on it (or, as
    /// Java falls back to, the one whose address equals the peer address) loses its routes.
    pub fn on_channel_destroy(&self, channel: &Channel) {
        let mut guard = self.tables.write();
        let t = &mut *guard;
        let found = t
            .broker_live
            .iter()
            .find(|(_, live)| live.channel.as_ref() == Some(channel))
            .map(|(addr, _)| addr.clone());
        let addr = match found {
            Some(a) => {
                info!(broker_addr = %a, "broker's connection closed; removing its routes");
                a
            }
            None => channel.peer_addr().to_string(),
        };
        t.broker_live.remove(&addr);
        remove_broker_addr(t, &addr);
    }

    /// Number of live brokers (for tests and logs).
    pub fn live_broker_count(&self) -> usize {
        self.tables.read().broker_live.len()
    }
}

/// The first address of `bd` in Java `HashMap<Long, String>` order (bucket = id for the
/// small ids brokers use, so the smallest id first).
fn first_broker_addr(bd: &BrokerData) -> Option<String> {
    bd.broker_addrs
        .iter()
        .min_by_key(|(id, _)| (**id as u64 & 0xF, **id))
        .map(|(_, a)| a.clone())
}

/// The `onChannelDestroy` clean-up after `broker_addr` left `brokerLiveTable`: drop it from
/// the filter servers and its broker name; if that name has no address left, drop the name
/// from its cluster and from every topic.
fn remove_broker_addr(t: &mut Tables, broker_addr: &str) {
    t.filter_server.remove(broker_addr);
    let mut found_name: Option<String> = None;
    let mut name_emptied = false;
    for (name, bd) in t.broker_addr.iter_mut() {
        let before = bd.broker_addrs.len();
        bd.broker_addrs.retain(|_, a| a != broker_addr);
        if bd.broker_addrs.len() != before {
            info!(broker_addr, broker_name = %name, "removed broker address");
            found_name = Some(name.clone());
            name_emptied = bd.broker_addrs.is_empty();
            break;
        }
    }
    let Some(name) = found_name else { return };
    if !name_emptied {
        return;
    }
    t.broker_addr.remove(&name);
    info!(broker_name = %name, "removed broker name (no address left)");
    let mut empty_cluster = None;
    for (cluster, names) in t.cluster_addr.iter_mut() {
        if names.remove(&name) {
            if names.is_empty() {
                empty_cluster = Some(cluster.clone());
            }
            break;
        }
    }
    if let Some(c) = empty_cluster {
        t.cluster_addr.remove(&c);
        info!(cluster = %c, "removed cluster (no broker left)");
    }
    remove_topics_of_broker(&mut t.topic_queue, &name);
}

/// `removeTopicByBrokerName`: drop the broker's queues; topics left with none go away.
fn remove_topics_of_broker(topic_queue: &mut TopicQueueTable, broker_name: &str) {
    topic_queue.retain(|topic, queues| {
        if queues.remove(broker_name).is_some() {
            info!(topic = %topic, broker_name, "removed broker's queues of topic");
        }
        if queues.is_empty() {
            info!(topic = %topic, "removed topic (no queue left)");
            false
        } else {
            true
        }
    });
}
