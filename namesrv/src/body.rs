//! The JSON (and zlib) bodies the name server reads and writes.
//!
//! Read: `RegisterBrokerBody` (REGISTER_BROKER from brokers >= V3_0_11), a bare
//! `TopicConfigSerializeWrapper` (older brokers), `DataVersion` (QUERY_DATA_VERSION) and the
//! persisted `KVConfigSerializeWrapper`. Written: `TopicRouteData`, `ClusterInfo`,
//! `TopicList`, `KVTable`, `DataVersion` and the KV file, in fastjson's form (sorted bean
//! properties, nulls omitted, `Long` map keys unquoted except in the standard route form).
//!
//! Compressed `RegisterBrokerBody` (`RegisterBrokerBody.encode(true)`, one zlib stream):
//! ```text
//! int len, DataVersion JSON
//! int topicCount, then per topic: int len, "name readQueueNums writeQueueNums perm filterType"
//! int len, filterServerList JSON
//! ```
//! All ints big-endian. `topicSysFlag` and `order` are not carried (protocol.md T15).
//!
//! TODO: move the body types to protocol::body once they land there.

use std::collections::BTreeMap;
use std::io::Read;

use serde::Deserialize;

use crate::json::JsonOut;

/// Largest inflated compressed register body we accept (a broker with 100k topics needs
/// about 5 MiB).
const INFLATED_BYTES_MAX: u64 = 64 * 1024 * 1024;

/// `DataVersion`: the broker's topic-config version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct DataVersion {
    /// ms; Java's `new DataVersion()` uses "now".
    #[serde(deserialize_with = "null_as_default")]
    pub timestamp: i64,
    /// `AtomicLong counter`.
    #[serde(deserialize_with = "null_as_default")]
    pub counter: i64,
}

impl DataVersion {
    /// `{"counter":N,"timestamp":T}`.
    pub fn to_json(&self) -> String {
        let mut o = JsonOut::new();
        o.raw("{").key("counter").int(self.counter).comma();
        o.key("timestamp").int(self.timestamp).raw("}");
        o.finish()
    }

    /// Parse a `DataVersion` body.
    pub fn from_json(bytes: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(bytes).map_err(|e| format!("bad DataVersion: {e}"))
    }
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The part of a broker's `TopicConfig` the name server uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TopicConfig {
    /// Topic; Java keys routes by this field, not by the map key.
    pub topic_name: Option<String>,
    #[allow(missing_docs)]
    #[serde(deserialize_with = "null_as_default")]
    pub read_queue_nums: i32,
    #[allow(missing_docs)]
    #[serde(deserialize_with = "null_as_default")]
    pub write_queue_nums: i32,
    /// `PermName` bits.
    #[serde(deserialize_with = "null_as_default")]
    pub perm: i32,
    /// `TopicSysFlag` bits (unit / unit-sub).
    #[serde(deserialize_with = "null_as_default")]
    pub topic_sys_flag: i32,
}

impl Default for TopicConfig {
    /// Java's field defaults (16/16 queues, perm RW).
    fn default() -> Self {
        TopicConfig {
            topic_name: None,
            read_queue_nums: 16,
            write_queue_nums: 16,
            perm: 6,
            topic_sys_flag: 0,
        }
    }
}

impl TopicConfig {
    /// `TopicConfig.decode`: `"name read write perm filterType"`.
    fn from_compact(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.split(' ').collect();
        if parts.len() != 5 {
            return Err(format!("bad topic config entry {text:?}"));
        }
        let num = |s: &str| {
            s.parse::<i32>()
                .map_err(|_| format!("bad number {s:?} in topic config {text:?}"))
        };
        Ok(TopicConfig {
            topic_name: Some(parts[0].to_string()),
            read_queue_nums: num(parts[1])?,
            write_queue_nums: num(parts[2])?,
            perm: num(parts[3])?,
            topic_sys_flag: 0,
        })
    }
}

/// `TopicConfigSerializeWrapper`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TopicConfigSerializeWrapper {
    /// The broker's topic-config version.
    pub data_version: DataVersion,
    /// Topics by name.
    #[serde(deserialize_with = "null_as_default")]
    pub topic_config_table: BTreeMap<String, TopicConfig>,
}

impl Default for TopicConfigSerializeWrapper {
    fn default() -> Self {
        TopicConfigSerializeWrapper {
            data_version: DataVersion {
                timestamp: now_ms(),
                counter: 0,
            },
            topic_config_table: BTreeMap::new(),
        }
    }
}

impl TopicConfigSerializeWrapper {
    /// What Java registers when a REGISTER_BROKER carries no body: version (0, 0), no topics.
    pub fn empty() -> Self {
        TopicConfigSerializeWrapper {
            data_version: DataVersion::default(),
            topic_config_table: BTreeMap::new(),
        }
    }

    /// The body of a REGISTER_BROKER from a broker older than V3_0_11.
    pub fn from_json(bytes: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(bytes).map_err(|e| format!("bad TopicConfigSerializeWrapper: {e}"))
    }
}

fn empty_list() -> Option<Vec<String>> {
    Some(Vec::new())
}

/// `RegisterBrokerBody`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RegisterBrokerBody {
    /// The broker's topics.
    pub topic_config_serialize_wrapper: TopicConfigSerializeWrapper,
    /// Filter servers; `None` (a JSON null) leaves the broker's entry alone, an empty list
    /// removes it.
    #[serde(default = "empty_list")]
    pub filter_server_list: Option<Vec<String>>,
}

impl Default for RegisterBrokerBody {
    fn default() -> Self {
        RegisterBrokerBody {
            topic_config_serialize_wrapper: TopicConfigSerializeWrapper::default(),
            filter_server_list: Some(Vec::new()),
        }
    }
}

impl RegisterBrokerBody {
    /// What Java registers when a REGISTER_BROKER carries no body.
    pub fn empty() -> Self {
        RegisterBrokerBody {
            topic_config_serialize_wrapper: TopicConfigSerializeWrapper::empty(),
            filter_server_list: Some(Vec::new()),
        }
    }

    /// `RegisterBrokerBody.decode(data, compressed)`.
    pub fn decode(bytes: &[u8], compressed: bool) -> Result<Self, String> {
        if !compressed {
            return serde_json::from_slice(bytes)
                .map_err(|e| format!("bad RegisterBrokerBody JSON: {e}"));
        }
        let mut z = flate2::read::ZlibDecoder::new(bytes).take(INFLATED_BYTES_MAX);
        let dv = read_chunk(&mut z, "dataVersion")?;
        let data_version = DataVersion::from_json(&dv)?;
        let topic_count = read_int(&mut z, "topic count")?;
        let mut table = BTreeMap::new();
        for _ in 0..topic_count {
            let chunk = read_chunk(&mut z, "topic config")?;
            let text =
                String::from_utf8(chunk).map_err(|_| "topic config is not UTF-8".to_string())?;
            let tc = TopicConfig::from_compact(&text)?;
            if let Some(name) = tc.topic_name.clone() {
                table.insert(name, tc);
            }
        }
        let fs = read_chunk(&mut z, "filterServerList")?;
        // Java logs a bad filter server list and keeps an empty one.
        let filter_server_list = serde_json::from_slice::<Option<Vec<String>>>(&fs)
            .ok()
            .flatten()
            .unwrap_or_default();
        Ok(RegisterBrokerBody {
            topic_config_serialize_wrapper: TopicConfigSerializeWrapper {
                data_version,
                topic_config_table: table,
            },
            filter_server_list: Some(filter_server_list),
        })
    }
}

fn read_int(r: &mut impl Read, what: &str) -> Result<usize, String> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)
        .map_err(|e| format!("compressed register body: reading {what}: {e}"))?;
    let n = i32::from_be_bytes(b);
    usize::try_from(n).map_err(|_| format!("compressed register body: negative {what} {n}"))
}

fn read_chunk(r: &mut impl Read, what: &str) -> Result<Vec<u8>, String> {
    let len = read_int(r, what)?;
    if len as u64 > INFLATED_BYTES_MAX {
        return Err(format!(
            "compressed register body: {what} length {len} too large"
        ));
    }
    let mut buf = Vec::new();
    r.take(len as u64)
        .read_to_end(&mut buf)
        .map_err(|e| format!("compressed register body: reading {what}: {e}"))?;
    if buf.len() != len {
        return Err(format!("compressed register body: {what} truncated"));
    }
    Ok(buf)
}

/// `QueueData`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueData {
    #[allow(missing_docs)]
    pub broker_name: String,
    #[allow(missing_docs)]
    pub read_queue_nums: i32,
    #[allow(missing_docs)]
    pub write_queue_nums: i32,
    #[allow(missing_docs)]
    pub perm: i32,
    #[allow(missing_docs)]
    pub topic_sys_flag: i32,
}

/// `BrokerData`: one broker name with its addresses by broker id (0 = master).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerData {
    #[allow(missing_docs)]
    pub cluster: String,
    #[allow(missing_docs)]
    pub broker_name: String,
    #[allow(missing_docs)]
    pub broker_addrs: BTreeMap<i64, String>,
}

/// `TopicRouteData`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TopicRouteData {
    /// From KV namespace ORDER_TOPIC_CONFIG when `orderMessageEnable`.
    pub order_topic_conf: Option<String>,
    #[allow(missing_docs)]
    pub queue_datas: Vec<QueueData>,
    #[allow(missing_docs)]
    pub broker_datas: Vec<BrokerData>,
    /// Filter servers by broker address.
    pub filter_server_table: BTreeMap<String, Vec<String>>,
}

fn write_broker_data(o: &mut JsonOut, bd: &BrokerData) {
    o.raw("{").key("brokerAddrs").raw("{");
    for (i, (id, addr)) in bd.broker_addrs.iter().enumerate() {
        if i > 0 {
            o.comma();
        }
        o.long_key(*id).string(addr);
    }
    o.raw("},")
        .key("brokerName")
        .string(&bd.broker_name)
        .comma();
    o.key("cluster").string(&bd.cluster).raw("}");
}

impl TopicRouteData {
    /// fastjson's default form (`{0:"addr"}`) when `standard` is false; with `standard`
    /// (clients >= V4_9_4 or `acceptStandardJsonOnly`), `BrowserCompatible`, `QuoteFieldNames`
    /// and `MapSortField` (protocol.md T3).
    pub fn to_json(&self, standard: bool) -> String {
        let mut o = if standard {
            JsonOut::browser_compatible()
        } else {
            JsonOut::new()
        };
        o.raw("{").key("brokerDatas").raw("[");
        for (i, bd) in self.broker_datas.iter().enumerate() {
            if i > 0 {
                o.comma();
            }
            write_broker_data(&mut o, bd);
        }
        o.raw("],").key("filterServerTable").raw("{");
        for (i, (addr, list)) in self.filter_server_table.iter().enumerate() {
            if i > 0 {
                o.comma();
            }
            o.string_key(addr)
                .string_array(list.iter().map(String::as_str));
        }
        o.raw("},");
        if let Some(conf) = &self.order_topic_conf {
            o.key("orderTopicConf").string(conf).comma();
        }
        o.key("queueDatas").raw("[");
        for (i, qd) in self.queue_datas.iter().enumerate() {
            if i > 0 {
                o.comma();
            }
            o.raw("{").key("brokerName").string(&qd.broker_name).comma();
            o.key("perm").int(qd.perm.into()).comma();
            o.key("readQueueNums")
                .int(qd.read_queue_nums.into())
                .comma();
            o.key("topicSysFlag").int(qd.topic_sys_flag.into()).comma();
            o.key("writeQueueNums")
                .int(qd.write_queue_nums.into())
                .raw("}");
        }
        o.raw("]}");
        o.finish()
    }
}

/// `ClusterInfo` (GET_BROKER_CLUSTER_INFO; always fastjson's default form).
pub fn cluster_info_json<'a>(
    brokers: impl IntoIterator<Item = &'a BrokerData>,
    clusters: impl IntoIterator<Item = (&'a str, Vec<&'a str>)>,
) -> String {
    let mut o = JsonOut::new();
    o.raw("{").key("brokerAddrTable").raw("{");
    for (i, bd) in brokers.into_iter().enumerate() {
        if i > 0 {
            o.comma();
        }
        o.string_key(&bd.broker_name);
        write_broker_data(&mut o, bd);
    }
    o.raw("},").key("clusterAddrTable").raw("{");
    for (i, (cluster, names)) in clusters.into_iter().enumerate() {
        if i > 0 {
            o.comma();
        }
        o.string_key(cluster).string_array(names);
    }
    o.raw("}}");
    o.finish()
}

/// `TopicList`: `{"brokerAddr":…,"topicList":[…]}` (brokerAddr only when set).
pub fn topic_list_json<'a>(
    topics: impl IntoIterator<Item = &'a str>,
    broker_addr: Option<&str>,
) -> String {
    let mut o = JsonOut::new();
    o.raw("{");
    if let Some(addr) = broker_addr {
        o.key("brokerAddr").string(addr).comma();
    }
    o.key("topicList").string_array(topics).raw("}");
    o.finish()
}

fn string_map(o: &mut JsonOut, map: &BTreeMap<String, String>) {
    o.raw("{");
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            o.comma();
        }
        o.string_key(k).string(v);
    }
    o.raw("}");
}

/// `KVTable`: `{"table":{"k":"v"}}`.
pub fn kv_table_json(table: &BTreeMap<String, String>) -> String {
    let mut o = JsonOut::new();
    o.raw("{").key("table");
    string_map(&mut o, table);
    o.raw("}");
    o.finish()
}

/// `KVConfigSerializeWrapper`: `{"configTable":{"ns":{"k":"v"}}}`.
pub fn kv_config_file_json(config_table: &BTreeMap<String, BTreeMap<String, String>>) -> String {
    let mut o = JsonOut::new();
    o.raw("{").key("configTable").raw("{");
    for (i, (ns, table)) in config_table.iter().enumerate() {
        if i > 0 {
            o.comma();
        }
        o.string_key(ns);
        string_map(&mut o, table);
    }
    o.raw("}}");
    o.finish()
}

/// Parse the persisted KV file (`KVConfigSerializeWrapper.fromJson`).
pub fn kv_config_file_parse(
    text: &str,
) -> Result<BTreeMap<String, BTreeMap<String, String>>, String> {
    type NullableTable = Option<BTreeMap<String, Option<String>>>;
    #[derive(Deserialize, Default)]
    #[serde(default, rename_all = "camelCase")]
    struct Wrapper {
        config_table: Option<BTreeMap<String, NullableTable>>,
    }
    let w: Wrapper = serde_json::from_str(text).map_err(|e| format!("bad KV config file: {e}"))?;
    Ok(w.config_table
        .unwrap_or_default()
        .into_iter()
        .map(|(ns, t)| {
            let t = t
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k, v)))
                .collect();
            (ns, t)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn sample_route() -> TopicRouteData {
        TopicRouteData {
            order_topic_conf: None,
            queue_datas: vec![QueueData {
                broker_name: "broker-a".into(),
                read_queue_nums: 4,
                write_queue_nums: 4,
                perm: 6,
                topic_sys_flag: 0,
            }],
            broker_datas: vec![BrokerData {
                cluster: "DefaultCluster".into(),
                broker_name: "broker-a".into(),
                broker_addrs: [
                    (0, "127.0.0.1:10911".to_string()),
                    (1, "127.0.0.1:10921".to_string()),
                ]
                .into_iter()
                .collect(),
            }],
            filter_server_table: BTreeMap::new(),
        }
    }

    #[test]
    fn route_golden_g10() {
        let r = sample_route();
        assert_eq!(
            r.to_json(false),
            r#"{"brokerDatas":[{"brokerAddrs":{0:"127.0.0.1:10911",1:"127.0.0.1:10921"},"brokerName":"broker-a","cluster":"DefaultCluster"}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}"#
        );
        assert_eq!(
            r.to_json(true),
            r#"{"brokerDatas":[{"brokerAddrs":{"0":"127.0.0.1:10911","1":"127.0.0.1:10921"},"brokerName":"broker-a","cluster":"DefaultCluster"}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}"#
        );
        let mut r = r;
        r.order_topic_conf = Some("broker-a:4".into());
        assert!(r
            .to_json(true)
            .contains(r#""filterServerTable":{},"orderTopicConf":"broker-a:4","queueDatas""#));
    }

    #[test]
    fn cluster_info_golden_g11() {
        let r = sample_route();
        let json = cluster_info_json(
            r.broker_datas.iter(),
            [("DefaultCluster", vec!["broker-a"])],
        );
        assert_eq!(
            json,
            r#"{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"127.0.0.1:10911",1:"127.0.0.1:10921"},"brokerName":"broker-a","cluster":"DefaultCluster"}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}"#
        );
    }

    #[test]
    fn small_bodies() {
        assert_eq!(
            topic_list_json(["a", "b"], None),
            r#"{"topicList":["a","b"]}"#
        );
        assert_eq!(
            topic_list_json(["c"], Some("127.0.0.1:10911")),
            r#"{"brokerAddr":"127.0.0.1:10911","topicList":["c"]}"#
        );
        let t: BTreeMap<String, String> =
            [("k".to_string(), "v".to_string())].into_iter().collect();
        assert_eq!(kv_table_json(&t), r#"{"table":{"k":"v"}}"#);
        let f: BTreeMap<_, _> = [("ns".to_string(), t)].into_iter().collect();
        let text = kv_config_file_json(&f);
        assert_eq!(text, r#"{"configTable":{"ns":{"k":"v"}}}"#);
        assert_eq!(kv_config_file_parse(&text), Ok(f));
        assert_eq!(
            DataVersion {
                timestamp: 5,
                counter: 3
            }
            .to_json(),
            r#"{"counter":3,"timestamp":5}"#
        );
    }

    const G9A: &str = r#"{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":3,"timestamp":1700000000000},"topicConfigTable":{"TopicTest":{"order":false,"perm":6,"readQueueNums":4,"topicFilterType":"SINGLE_TAG","topicName":"TopicTest","topicSysFlag":0,"writeQueueNums":4}}}}"#;

    #[test]
    fn register_body_json_g9a() {
        let b = RegisterBrokerBody::decode(G9A.as_bytes(), false).unwrap_or_default();
        let w = &b.topic_config_serialize_wrapper;
        assert_eq!(
            w.data_version,
            DataVersion {
                timestamp: 1_700_000_000_000,
                counter: 3
            }
        );
        let tc = &w.topic_config_table["TopicTest"];
        assert_eq!(
            (tc.read_queue_nums, tc.write_queue_nums, tc.perm),
            (4, 4, 6)
        );
        assert_eq!(b.filter_server_list, Some(vec![]));
        // crc32 of the golden bytes (protocol.md §9)
        assert_eq!(crc32fast::hash(G9A.as_bytes()) & 0x7FFF_FFFF, 416_932_168);
    }

    fn compress(parts: &[&[u8]]) -> Vec<u8> {
        let mut raw = Vec::new();
        for p in parts {
            raw.extend_from_slice(p);
        }
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let _ = z.write_all(&raw);
        z.finish().unwrap_or_default()
    }

    #[test]
    fn register_body_compressed_g9c() {
        let dv = br#"{"counter":3,"timestamp":1700000000000}"#;
        let tc = b"TopicTest 4 4 6 SINGLE_TAG";
        let z = compress(&[
            &(dv.len() as i32).to_be_bytes(),
            dv,
            &1i32.to_be_bytes(),
            &(tc.len() as i32).to_be_bytes(),
            tc,
            &2i32.to_be_bytes(),
            b"[]",
        ]);
        let b = RegisterBrokerBody::decode(&z, true).unwrap_or_default();
        let w = &b.topic_config_serialize_wrapper;
        assert_eq!(w.data_version.counter, 3);
        assert_eq!(w.topic_config_table["TopicTest"].perm, 6);

        // every truncation is an error, never a panic
        let mut full = Vec::new();
        let _ = flate2::read::ZlibDecoder::new(&z[..]).read_to_end(&mut full);
        for cut in 0..full.len() {
            let zz = compress(&[&full[..cut]]);
            assert!(RegisterBrokerBody::decode(&zz, true).is_err(), "cut {cut}");
        }
        assert!(RegisterBrokerBody::decode(b"garbage", true).is_err());
        let neg = compress(&[&(-1i32).to_be_bytes()]);
        assert!(RegisterBrokerBody::decode(&neg, true).is_err());
    }

    #[test]
    fn register_body_lenient_json() {
        let b =
            RegisterBrokerBody::decode(br#"{"filterServerList":null}"#, false).unwrap_or_default();
        assert_eq!(b.filter_server_list, None);
        let b = RegisterBrokerBody::decode(b"{}", false).unwrap_or_default();
        assert_eq!(b.filter_server_list, Some(vec![]));
        assert!(RegisterBrokerBody::decode(b"{not json", false).is_err());
        assert!(
            RegisterBrokerBody::decode(br#"{"topicConfigSerializeWrapper":5}"#, false).is_err()
        );
    }
}
