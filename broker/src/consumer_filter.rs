//! SQL92 filter bookkeeping per consumer group and topic, persisted to
//! `<storePathRootDir>/config/consumerFilter.json` (mirrors
//! `broker/.../filter/{ConsumerFilterManager,ConsumerFilterData}.java`).
//!
//! Every heartbeat's subscriptions are registered here (through
//! [`FilterRegisteringListener`], Java's `DefaultConsumerIdsChangeListener` REGISTER /
//! UNREGISTER branches): a non-tag subscription with a non-empty expression gets a
//! [`ConsumerFilterData`] holding the compiled expression, which pulls then use as is — the
//! expression is compiled again only when a heartbeat brings a newer `subVersion` with a
//! different expression. An expression that does not compile is not stored (a stored one is
//! removed), so the consumer's pulls get FILTER_DATA_NOT_EXIST, as in Java. Topics no longer
//! subscribed and groups that left are marked dead, and dead entries are dropped
//! `filterDataCleanTimeSpan` after their death when the file is written.
//!
//! The JSON is fastjson's pretty form of the Java bean: `{"filterDataByTopic":{topic:
//! {"groupFilterData":{group:{bloomFilterData,bornTime,clientVersion,consumerGroup,dead,
//! deadTime,expression,expressionType,topic}},"topic":…}}}`. On load every entry is
//! recompiled and considered dead (`deadTime = max(now - 30 s, bornTime)`) until its group
//! heartbeats again; if any entry's bloom data does not fit the configured bloom filter the
//! whole file is ignored (Java: "Bloom filter is changed").

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use filter::{BloomFilter, BloomFilterData, ExpressionType};
use parking_lot::{Mutex, RwLock};
use protocol::fastjson::order::{serialize_map_as, JavaMapKind};
use serde::{Deserialize, Serialize, Serializer};
use tracing::{error, info, warn};

use crate::body::SubscriptionData;
use crate::client::consumer_manager::{ConsumerGroupEvent, ConsumerIdsChangeListener};
use crate::client::now_ms;
use crate::config::BrokerConfig;
use crate::config_file;
use crate::error::BrokerError;

/// `ConsumerFilterManager.MS_24_HOUR`.
const MS_24_HOUR: i64 = 24 * 3600 * 1000;
/// Compiled expressions kept for pulls that carry their subscription.
const COMPILE_CACHE_MAX: usize = 1024;

/// `ConsumerFilterData`: one group's SQL92 filter on one topic.
#[derive(Debug, Clone)]
pub struct ConsumerFilterData {
    /// Group.
    pub consumer_group: String,
    /// Topic.
    pub topic: String,
    /// The expression text.
    pub expression: Option<String>,
    /// `SQL92` (anything not a tag type).
    pub expression_type: Option<String>,
    /// The compiled expression (`None` when it did not compile after a load).
    pub compiled: Option<filter::Expression>,
    /// When registered (ms).
    pub born_time: i64,
    /// When it died (ms); dead while `dead_time >= born_time`.
    pub dead_time: i64,
    /// Bloom bits of `group#topic`.
    pub bloom_filter_data: Option<BloomFilterData>,
    /// The subscription's `subVersion`.
    pub client_version: i64,
}

impl ConsumerFilterData {
    /// `isDead`.
    pub fn is_dead(&self) -> bool {
        self.dead_time >= self.born_time
    }

    /// `howLongAfterDeath`: ms since death, -1 if alive.
    pub fn how_long_after_death(&self) -> i64 {
        if self.is_dead() {
            now_ms() - self.dead_time
        } else {
            -1
        }
    }

    /// `isMsgInLive`: stored after this filter was born.
    pub fn is_msg_in_live(&self, msg_store_time: i64) -> bool {
        msg_store_time > self.born_time
    }
}

/// `ConsumerFilterManager.build`: a fresh filter (bloom data not set), or `None` for tag types
/// and expressions that do not compile.
pub fn build(
    topic: &str,
    group: &str,
    expression: &str,
    expression_type: &str,
    client_version: i64,
) -> Option<ConsumerFilterData> {
    if ExpressionType::is_tag_type(Some(expression_type)) {
        return None;
    }
    let compiled = match crate::filter_sql::compile(expression_type, expression) {
        Ok(c) => c,
        Err(e) => {
            error!(expr = expression, topic, group, error = %e, "parse error");
            return None;
        }
    };
    Some(ConsumerFilterData {
        consumer_group: group.to_string(),
        topic: topic.to_string(),
        expression: Some(expression.to_string()),
        expression_type: Some(expression_type.to_string()),
        compiled: Some(compiled),
        born_time: now_ms(),
        dead_time: 0,
        bloom_filter_data: None,
        client_version,
    })
}

type GroupTable = HashMap<String, Arc<ConsumerFilterData>>;

/// `ConsumerFilterManager`.
pub struct ConsumerFilterManager {
    /// topic → group → filter.
    by_topic: RwLock<HashMap<String, GroupTable>>,
    bloom: Option<BloomFilter>,
    path: PathBuf,
    clean_time_span: i64,
    compile_cache: Mutex<HashMap<(String, String), Option<filter::Expression>>>,
}

impl ConsumerFilterManager {
    /// Empty manager; the bloom filter is sized from `maxErrorRateOfBloomFilter` and
    /// `expectConsumerNumUseFilter`; `path` is `<storePathRootDir>/config/consumerFilter.json`.
    pub fn new(cfg: &BrokerConfig, path: PathBuf) -> Self {
        let bloom = match BloomFilter::create_by_fn(
            cfg.max_error_rate_of_bloom_filter,
            cfg.expect_consumer_num_use_filter,
        ) {
            Ok(b) => Some(b),
            Err(e) => {
                error!(error = %e, "cannot create the consumer filter bloom filter; filters get no bloom data");
                None
            }
        };
        ConsumerFilterManager {
            by_topic: RwLock::new(HashMap::new()),
            bloom,
            path,
            clean_time_span: if cfg.filter_data_clean_time_span > 0 {
                cfg.filter_data_clean_time_span
            } else {
                MS_24_HOUR
            },
            compile_cache: Mutex::new(HashMap::new()),
        }
    }

    /// The bloom filter (`m` bits, `k` hashes).
    pub fn bloom_filter(&self) -> Option<&BloomFilter> {
        self.bloom.as_ref()
    }

    /// `register(group, subList)`: register every subscription, then mark the group's filters
    /// on topics no longer subscribed as dead.
    pub fn register_group(&self, group: &str, subs: &[SubscriptionData]) {
        for s in subs {
            self.register(
                &s.topic,
                group,
                &s.sub_string,
                &s.expression_type,
                s.sub_version,
            );
        }
        let now = now_ms();
        let mut t = self.by_topic.write();
        for (topic, groups) in t.iter_mut() {
            if subs.iter().any(|s| &s.topic == topic) {
                continue;
            }
            if let Some(d) = groups.get_mut(group) {
                if !d.is_dead() {
                    Arc::make_mut(d).dead_time = now;
                    info!(group, topic = %topic, "consumer filter changed, make illegal topic dead");
                }
            }
        }
    }

    /// `register(topic, group, expression, type, clientVersion)`: true if registered or
    /// refreshed.
    pub fn register(
        &self,
        topic: &str,
        group: &str,
        expression: &str,
        expression_type: &str,
        client_version: i64,
    ) -> bool {
        if ExpressionType::is_tag_type(Some(expression_type)) || expression.is_empty() {
            return false;
        }
        let bloom_data = self.bloom.map(|b| b.generate(&format!("{group}#{topic}")));
        let mut t = self.by_topic.write();
        let groups = t.entry(topic.to_string()).or_default();
        let Some(old) = groups.get(group).cloned() else {
            let Some(mut data) = build(topic, group, expression, expression_type, client_version)
            else {
                return false;
            };
            data.bloom_filter_data = bloom_data;
            info!(group, topic, expression, "new consumer filter registered");
            groups.insert(group.to_string(), Arc::new(data));
            return true;
        };
        if client_version <= old.client_version {
            if old.expression_type.as_deref() != Some(expression_type)
                || old.expression.as_deref() != Some(expression)
            {
                info!(
                    group,
                    topic,
                    client_version,
                    old_version = old.client_version,
                    "ignore consumer filter, version not newer but info changed"
                );
            }
            if client_version == old.client_version && old.is_dead() {
                let mut d = (*old).clone();
                re_alive(&mut d);
                groups.insert(group.to_string(), Arc::new(d));
                return true;
            }
            return false;
        }
        let mut change = old.expression.as_deref() != Some(expression)
            || old.expression_type.as_deref() != Some(expression_type);
        if old.bloom_filter_data.is_none() && bloom_data.is_some() {
            change = true;
        }
        if old.bloom_filter_data.is_some() && old.bloom_filter_data != bloom_data {
            change = true;
        }
        if change {
            match build(topic, group, expression, expression_type, client_version) {
                None => {
                    // new expression compile error: remove the old one, let the client report it
                    groups.remove(group);
                    false
                }
                Some(mut data) => {
                    data.bloom_filter_data = bloom_data;
                    info!(group, topic, expression, "consumer filter info changed");
                    groups.insert(group.to_string(), Arc::new(data));
                    true
                }
            }
        } else {
            let mut d = (*old).clone();
            d.client_version = client_version;
            if d.is_dead() {
                re_alive(&mut d);
            }
            groups.insert(group.to_string(), Arc::new(d));
            true
        }
    }

    /// `unRegister(group)`: mark every filter of the group dead.
    pub fn unregister(&self, group: &str) {
        let now = now_ms();
        let mut t = self.by_topic.write();
        for groups in t.values_mut() {
            if let Some(d) = groups.get_mut(group) {
                if !d.is_dead() {
                    info!(group, topic = %d.topic, "unregister consumer filter");
                    Arc::make_mut(d).dead_time = now;
                }
            }
        }
    }

    /// `get(topic, group)`.
    pub fn get(&self, topic: &str, group: &str) -> Option<Arc<ConsumerFilterData>> {
        self.by_topic
            .read()
            .get(topic)
            .and_then(|g| g.get(group))
            .cloned()
    }

    /// `getByGroup(group)`.
    pub fn by_group(&self, group: &str) -> Vec<Arc<ConsumerFilterData>> {
        self.by_topic
            .read()
            .values()
            .filter_map(|g| g.get(group).cloned())
            .collect()
    }

    /// `get(topic)`: every group's filter on `topic`.
    pub fn by_topic(&self, topic: &str) -> Vec<Arc<ConsumerFilterData>> {
        self.by_topic
            .read()
            .get(topic)
            .map(|g| g.values().cloned().collect())
            .unwrap_or_default()
    }

    /// `ConsumerFilterManager.build` for a pull that carries its subscription, with the
    /// compiled expression cached by (type, expression) (Java caches parses too:
    /// `SelectorParser.PARSE_CACHE`).
    pub fn build_for_pull(
        &self,
        topic: &str,
        group: &str,
        expression: &str,
        expression_type: &str,
        client_version: i64,
    ) -> Option<ConsumerFilterData> {
        if ExpressionType::is_tag_type(Some(expression_type)) {
            return None;
        }
        let key = (expression_type.to_string(), expression.to_string());
        let compiled = {
            let mut cache = self.compile_cache.lock();
            match cache.get(&key) {
                Some(c) => c.clone(),
                None => {
                    let c = crate::filter_sql::compile(expression_type, expression)
                        .map_err(|e| {
                            error!(expr = expression, topic, group, error = %e, "parse error");
                        })
                        .ok();
                    if cache.len() >= COMPILE_CACHE_MAX {
                        cache.clear();
                    }
                    cache.insert(key, c.clone());
                    c
                }
            }
        }?;
        Some(ConsumerFilterData {
            consumer_group: group.to_string(),
            topic: topic.to_string(),
            expression: Some(expression.to_string()),
            expression_type: Some(expression_type.to_string()),
            compiled: Some(compiled),
            born_time: now_ms(),
            dead_time: 0,
            bloom_filter_data: None,
            client_version,
        })
    }

    /// `clean`: drop filters dead for `filterDataCleanTimeSpan`, and topics left empty.
    pub fn clean(&self) {
        let span = self.clean_time_span;
        let mut t = self.by_topic.write();
        for (topic, groups) in t.iter_mut() {
            groups.retain(|_, d| {
                let keep = d.how_long_after_death() < span;
                if !keep {
                    info!(group = %d.consumer_group, topic = %topic, "remove filter consumer, died too long");
                }
                keep
            });
        }
        t.retain(|topic, groups| {
            if groups.is_empty() {
                info!(topic = %topic, "topic has no consumer filter, remove it");
            }
            !groups.is_empty()
        });
    }

    /// `encode(prettyFormat)` (cleans first, as Java does).
    pub fn encode(&self, pretty: bool) -> Result<String, BrokerError> {
        self.clean();
        let t = self.by_topic.read();
        let view = ManagerJsonOut {
            filter_data_by_topic: t
                .iter()
                .map(|(topic, groups)| {
                    (
                        topic.as_str(),
                        TopicJsonOut {
                            group_filter_data: groups
                                .iter()
                                .map(|(g, d)| (g.as_str(), DataJsonOut::from(d.as_ref())))
                                .collect(),
                            topic: topic.as_str(),
                        },
                    )
                })
                .collect(),
        };
        let r = if pretty {
            protocol::fastjson::to_string_pretty(&view).map(|t| inline_int_arrays(&t))
        } else {
            protocol::fastjson::to_string(&view)
        };
        r.map_err(|e| BrokerError::ConfigFile {
            path: self.path.display().to_string(),
            reason: format!("encode: {e}"),
        })
    }

    /// Write `consumerFilter.json` (`ConfigManager.persist`).
    pub fn persist(&self) {
        match self.encode(true) {
            Ok(text) => {
                if let Err(e) = config_file::write_atomically(&self.path, &text) {
                    warn!(error = %e, "persist consumerFilter.json failed");
                }
            }
            Err(e) => warn!(error = %e, "encode consumerFilter.json failed"),
        }
    }

    /// Read `consumerFilter.json` (or its `.bak`).
    pub fn load(&self) -> Result<(), BrokerError> {
        config_file::load_with_backup(&self.path, |text| self.decode(text))
    }

    /// `decode(json)`.
    fn decode(&self, text: &str) -> Result<(), String> {
        let load: ManagerJsonIn = protocol::fastjson::from_str(text).map_err(|e| e.to_string())?;
        let Some(topics) = load.filter_data_by_topic else {
            return Ok(());
        };
        let now = now_ms();
        let mut table: HashMap<String, GroupTable> = HashMap::new();
        for (topic, by_topic) in topics {
            let Some(by_topic) = by_topic else { continue };
            let groups = table.entry(topic.clone()).or_default();
            for (group, data) in by_topic.group_filter_data.unwrap_or_default() {
                let Some(d) = data else { continue };
                let expression_type = d.expression_type.clone().unwrap_or_default();
                let compiled = match crate::filter_sql::compile(
                    &expression_type,
                    d.expression.as_deref().unwrap_or_default(),
                ) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        error!(group = %group, topic = %topic, error = %e, "load filter data error");
                        None
                    }
                };
                let bloom = d.bloom_filter_data.map(|b| BloomFilterData {
                    bit_pos: b.bit_pos.unwrap_or_default(),
                    bit_num: b.bit_num,
                });
                let valid = match (&self.bloom, &bloom) {
                    (Some(f), Some(b)) => f.is_valid(b),
                    _ => false,
                };
                if !valid {
                    info!(
                        ?bloom,
                        "bloom filter is changed! so ignore all filter data persisted"
                    );
                    return Ok(());
                }
                let mut data = ConsumerFilterData {
                    consumer_group: d.consumer_group.unwrap_or_else(|| group.clone()),
                    topic: d.topic.unwrap_or_else(|| topic.clone()),
                    expression: d.expression,
                    expression_type: d.expression_type,
                    compiled,
                    born_time: d.born_time,
                    dead_time: d.dead_time,
                    bloom_filter_data: bloom,
                    client_version: d.client_version,
                };
                if data.dead_time == 0 {
                    // we think all consumers are dead when load
                    let dead = now - 30 * 1000;
                    data.dead_time = if dead <= data.born_time {
                        data.born_time
                    } else {
                        dead
                    };
                }
                info!(group = %group, topic = %topic, expression = ?data.expression, "load exist consumer filter data");
                groups.insert(group, Arc::new(data));
            }
        }
        *self.by_topic.write() = table;
        Ok(())
    }
}

/// fastjson's `PrettyFormat` writes a primitive array (`BloomFilterData.bitPos`, an `int[]`)
/// on one line (`"bitPos":[11,50,0]`), unlike lists; the shared writer formats every sequence
/// like a list, so those lines are joined back.
fn inline_int_arrays(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim_start() != "\"bitPos\":[" {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        out.push_str(line);
        let mut first = true;
        for item in lines.by_ref() {
            let t = item.trim();
            if let Some(rest) = t.strip_prefix(']') {
                out.push(']');
                out.push_str(rest);
                break;
            }
            if !first {
                out.push(',');
            }
            out.push_str(t.trim_end_matches(','));
            first = false;
        }
        out.push('\n');
    }
    if !text.ends_with('\n') {
        out.pop();
    }
    out
}

fn re_alive(d: &mut ConsumerFilterData) {
    let old = d.dead_time;
    d.dead_time = 0;
    info!(group = %d.consumer_group, topic = %d.topic, old_dead_time = old, "re alive consumer filter");
}

// ------------------------------------------------------------------ JSON shapes

fn concurrent_map_256<'a, K, V, M, S>(map: &'a M, serializer: S) -> Result<S::Ok, S::Error>
where
    &'a M: IntoIterator<Item = (&'a K, &'a V)>,
    K: Serialize + 'a,
    V: Serialize + 'a,
    S: Serializer,
{
    serialize_map_as(
        map,
        JavaMapKind::ConcurrentHashMap { initial: 256 },
        serializer,
    )
}

fn concurrent_map_default<'a, K, V, M, S>(map: &'a M, serializer: S) -> Result<S::Ok, S::Error>
where
    &'a M: IntoIterator<Item = (&'a K, &'a V)>,
    K: Serialize + 'a,
    V: Serialize + 'a,
    S: Serializer,
{
    serialize_map_as(
        map,
        JavaMapKind::ConcurrentHashMap { initial: 0 },
        serializer,
    )
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ManagerJsonOut<'a> {
    #[serde(serialize_with = "concurrent_map_256")]
    filter_data_by_topic: HashMap<&'a str, TopicJsonOut<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TopicJsonOut<'a> {
    #[serde(serialize_with = "concurrent_map_default")]
    group_filter_data: HashMap<&'a str, DataJsonOut<'a>>,
    topic: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BloomJsonOut<'a> {
    bit_num: i32,
    bit_pos: &'a [i32],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DataJsonOut<'a> {
    bloom_filter_data: Option<BloomJsonOut<'a>>,
    born_time: i64,
    client_version: i64,
    consumer_group: &'a str,
    dead: bool,
    dead_time: i64,
    expression: Option<&'a str>,
    expression_type: Option<&'a str>,
    topic: &'a str,
}

impl<'a> From<&'a ConsumerFilterData> for DataJsonOut<'a> {
    fn from(d: &'a ConsumerFilterData) -> Self {
        DataJsonOut {
            bloom_filter_data: d.bloom_filter_data.as_ref().map(|b| BloomJsonOut {
                bit_num: b.bit_num,
                bit_pos: &b.bit_pos,
            }),
            born_time: d.born_time,
            client_version: d.client_version,
            consumer_group: &d.consumer_group,
            dead: d.is_dead(),
            dead_time: d.dead_time,
            expression: d.expression.as_deref(),
            expression_type: d.expression_type.as_deref(),
            topic: &d.topic,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ManagerJsonIn {
    filter_data_by_topic: Option<HashMap<String, Option<TopicJsonIn>>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct TopicJsonIn {
    group_filter_data: Option<HashMap<String, Option<DataJsonIn>>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct BloomJsonIn {
    bit_num: i32,
    bit_pos: Option<Vec<i32>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct DataJsonIn {
    bloom_filter_data: Option<BloomJsonIn>,
    born_time: i64,
    client_version: i64,
    consumer_group: Option<String>,
    dead_time: i64,
    expression: Option<String>,
    expression_type: Option<String>,
    topic: Option<String>,
}

// ------------------------------------------------------------------ heartbeat hook

/// Java's `DefaultConsumerIdsChangeListener` REGISTER / UNREGISTER branches: feeds
/// heartbeat subscriptions to the [`ConsumerFilterManager`], then passes every event on to
/// the broker's other listener (NOTIFY_CONSUMER_IDS_CHANGED pushes).
pub struct FilterRegisteringListener {
    /// The listener handling CHANGE.
    pub inner: Arc<dyn ConsumerIdsChangeListener>,
    /// Where subscriptions are registered.
    pub filters: Arc<ConsumerFilterManager>,
}

impl ConsumerIdsChangeListener for FilterRegisteringListener {
    fn handle(&self, event: ConsumerGroupEvent<'_>) {
        match &event {
            ConsumerGroupEvent::Register {
                group,
                subscriptions,
            } => self.filters.register_group(group, subscriptions),
            ConsumerGroupEvent::Unregister { group } => self.filters.unregister(group),
            ConsumerGroupEvent::Change { .. } => {}
        }
        self.inner.handle(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(topic: &str, expr: &str, ty: &str, v: i64) -> SubscriptionData {
        SubscriptionData {
            topic: topic.into(),
            sub_string: expr.into(),
            expression_type: ty.into(),
            sub_version: v,
            ..SubscriptionData::default()
        }
    }

    fn manager(dir: &std::path::Path) -> ConsumerFilterManager {
        ConsumerFilterManager::new(
            &BrokerConfig::default(),
            dir.join("config/consumerFilter.json"),
        )
    }

    #[test]
    fn register_versions_and_death() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let m = manager(dir.path());
        m.register_group(
            "g",
            &[sub("T", "a > 1", "SQL92", 10), sub("U", "TagA", "TAG", 10)],
        );
        let d = m.get("T", "g").unwrap_or_else(|| panic!("registered"));
        assert!(d.compiled.is_some());
        assert_eq!(d.bloom_filter_data.as_ref().map(|b| b.bit_num), Some(112));
        assert!(m.get("U", "g").is_none());
        // older version: ignored
        assert!(!m.register("T", "g", "a > 2", "SQL92", 9));
        assert_eq!(
            m.get("T", "g")
                .and_then(|d| d.expression.clone())
                .as_deref(),
            Some("a > 1")
        );
        // newer version, bad expression: removed
        assert!(!m.register("T", "g", "a >", "SQL92", 11));
        assert!(m.get("T", "g").is_none());
        // good again
        assert!(m.register("T", "g", "a > 3", "SQL92", 12));
        // topic dropped from the subscriptions: dead
        m.register_group("g", &[sub("V", "b = 1", "SQL92", 13)]);
        assert!(m.get("T", "g").map(|d| d.is_dead()).unwrap_or(false));
        assert!(m.get("V", "g").map(|d| !d.is_dead()).unwrap_or(false));
        m.unregister("g");
        assert!(m.get("V", "g").map(|d| d.is_dead()).unwrap_or(false));
        // same version while dead: re-alive
        assert!(m.register("V", "g", "b = 1", "SQL92", 13));
        assert!(m.get("V", "g").map(|d| !d.is_dead()).unwrap_or(false));
    }

    #[test]
    fn persist_and_load() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let m = manager(dir.path());
        m.register_group("g1", &[sub("TopicTest", "a > 5", "SQL92", 395)]);
        m.persist();
        let text = std::fs::read_to_string(dir.path().join("config/consumerFilter.json"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(text.contains("\"filterDataByTopic\":{"), "{text}");
        assert!(text.contains("\"groupFilterData\":{"), "{text}");
        assert!(text.contains("\"dead\":false"), "{text}");
        assert!(text.contains("\"expression\":\"a > 5\""), "{text}");
        assert!(text.contains("\"bitNum\":112"), "{text}");
        assert!(
            text.lines()
                .any(|l| l.trim_start().starts_with("\"bitPos\":[") && l.trim_end().ends_with(']')),
            "bitPos on one line, as fastjson writes int[]: {text}"
        );
        let m2 = manager(dir.path());
        m2.load().unwrap_or_else(|e| panic!("{e}"));
        let d = m2
            .get("TopicTest", "g1")
            .unwrap_or_else(|| panic!("loaded"));
        assert!(d.is_dead());
        assert!(d.compiled.is_some());
        assert_eq!(d.client_version, 395);
        // heartbeat with the same version revives it
        assert!(m2.register("TopicTest", "g1", "a > 5", "SQL92", 395));
        assert!(m2
            .get("TopicTest", "g1")
            .map(|d| !d.is_dead())
            .unwrap_or(false));
    }

    #[test]
    fn empty_file_shape() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let m = manager(dir.path());
        let text = m.encode(true).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text, "{\n\t\"filterDataByTopic\":{}\n}");
    }
}
