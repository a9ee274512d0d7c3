//! Name server configuration: Java's `NamesrvConfig` and `NettyServerConfig` keys with their
//! 4.9.7 defaults, plus the properties loaded from `-c <file>` (mirrors `NamesrvConfig`,
//! `NettyServerConfig`, `MixAll.properties2Object`/`object2Properties` and
//! `org.apache.rocketmq.common.Configuration`).
//!
//! `all_configs()` is what GET_NAMESRV_CONFIG returns and `update()` is UPDATE_NAMESRV_CONFIG:
//! like Java's `Configuration`, every key of the `-c` file is remembered (unknown keys too),
//! known keys always show the live field value, and an update only touches keys that already
//! exist (a value that does not parse is ignored, as Java swallows the exception).
//!
//! Two keys are ours, not Java's (they only show up in the config listing when set in the
//! file, like any unknown key would with Java): `scanNotActiveBrokerIntervalMs` (Java scans
//! every 10 s) and `brokerChannelExpiredTimeMs` (Java expires a silent broker after 120 s).

use std::path::PathBuf;

use crate::javaorder::concurrent_hash_map_order;

/// `new Properties()` is a `ConcurrentHashMap(8)` on JDK 9+.
const PROPERTIES_INITIAL_CAPACITY: u32 = 8;

/// A field type of a Java config bean.
trait JavaValue: Sized {
    /// `toString()` of the value; `None` for a Java null.
    fn render(&self) -> Option<String>;
    /// Parse as `MixAll.properties2Object` does; `None` when Java's parse would throw.
    fn parse_java(s: &str) -> Option<Self>;
}

impl JavaValue for String {
    fn render(&self) -> Option<String> {
        Some(self.clone())
    }
    fn parse_java(s: &str) -> Option<Self> {
        Some(s.to_string())
    }
}

impl JavaValue for Option<String> {
    fn render(&self) -> Option<String> {
        self.clone()
    }
    fn parse_java(s: &str) -> Option<Self> {
        Some(Some(s.to_string()))
    }
}

impl JavaValue for i32 {
    fn render(&self) -> Option<String> {
        Some(self.to_string())
    }
    fn parse_java(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

impl JavaValue for bool {
    fn render(&self) -> Option<String> {
        Some(self.to_string())
    }
    fn parse_java(s: &str) -> Option<Self> {
        Some(protocol::header::parse_java_bool(s))
    }
}

/// A config bean whose fields are addressed by their Java names.
pub trait JavaBean {
    /// `(name, value)` for every field in declaration order; `None` for a null value.
    fn fields(&self) -> Vec<(&'static str, Option<String>)>;
    /// Set a field from text. `None`: no such field; `Some(false)`: the value did not parse.
    fn set_field(&mut self, key: &str, value: &str) -> Option<bool>;
}

macro_rules! java_bean {
    ($(#[$m:meta])* $name:ident { $( $(#[$fm:meta])* $field:ident : $ty:ty = $default:expr => $key:literal ),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name { $( $(#[$fm])* pub $field: $ty, )* }

        impl Default for $name {
            fn default() -> Self {
                $name { $( $field: $default, )* }
            }
        }

        impl JavaBean for $name {
            fn fields(&self) -> Vec<(&'static str, Option<String>)> {
                vec![ $( ($key, JavaValue::render(&self.$field)), )* ]
            }
            fn set_field(&mut self, key: &str, value: &str) -> Option<bool> {
                match key {
                    $( $key => Some(match <$ty as JavaValue>::parse_java(value) {
                        Some(v) => { self.$field = v; true }
                        None => false,
                    }), )*
                    _ => None,
                }
            }
        }
    };
}

fn user_home() -> PathBuf {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/"))
}

fn home_file(name: &str) -> String {
    user_home()
        .join("namesrv")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

java_bean! {
    /// `org.apache.rocketmq.common.namesrv.NamesrvConfig`.
    NamesrvConfig {
        /// `ROCKETMQ_HOME`; only reported, the namesrv needs nothing from it.
        rocketmq_home: Option<String> = std::env::var("ROCKETMQ_HOME").ok() => "rocketmqHome",
        /// Where the KV config table is persisted.
        kv_config_path: String = home_file("kvConfig.json") => "kvConfigPath",
        /// Where UPDATE_NAMESRV_CONFIG persists the config (the `-c` file when one is given).
        config_store_path: String = home_file("namesrv.properties") => "configStorePath",
        /// Only used by Java's `ClusterTestRequestProcessor`.
        product_env_name: String = "center".to_string() => "productEnvName",
        /// Java then routes through `ClusterTestRequestProcessor`; not supported here.
        cluster_test: bool = false => "clusterTest",
        /// Attach `orderTopicConf` (KV namespace ORDER_TOPIC_CONFIG) to routes.
        order_message_enable: bool = false => "orderMessageEnable",
    }
}

java_bean! {
    /// `org.apache.rocketmq.remoting.netty.NettyServerConfig` (the namesrv sets port 9876).
    /// `listenPort` and `serverChannelMaxIdleTimeSeconds` take effect; the others are accepted
    /// and reported like Java.
    NettyServerConfig {
        /// TCP port.
        listen_port: i32 = 9876 => "listenPort",
        #[allow(missing_docs)]
        server_worker_threads: i32 = 8 => "serverWorkerThreads",
        #[allow(missing_docs)]
        server_callback_executor_threads: i32 = 0 => "serverCallbackExecutorThreads",
        #[allow(missing_docs)]
        server_selector_threads: i32 = 3 => "serverSelectorThreads",
        #[allow(missing_docs)]
        server_oneway_semaphore_value: i32 = 256 => "serverOnewaySemaphoreValue",
        #[allow(missing_docs)]
        server_async_semaphore_value: i32 = 64 => "serverAsyncSemaphoreValue",
        #[allow(missing_docs)]
        server_channel_max_idle_time_seconds: i32 = 120 => "serverChannelMaxIdleTimeSeconds",
        #[allow(missing_docs)]
        server_socket_snd_buf_size: i32 = 0 => "serverSocketSndBufSize",
        #[allow(missing_docs)]
        server_socket_rcv_buf_size: i32 = 0 => "serverSocketRcvBufSize",
        #[allow(missing_docs)]
        write_buffer_high_water_mark: i32 = 0 => "writeBufferHighWaterMark",
        #[allow(missing_docs)]
        write_buffer_low_water_mark: i32 = 0 => "writeBufferLowWaterMark",
        #[allow(missing_docs)]
        server_socket_backlog: i32 = 1024 => "serverSocketBacklog",
        #[allow(missing_docs)]
        server_pooled_byte_buf_allocator_enable: bool = true => "serverPooledByteBufAllocatorEnable",
        #[allow(missing_docs)]
        use_epoll_native_selector: bool = false => "useEpollNativeSelector",
    }
}

/// Key of our broker-scan period (ms); Java: fixed 10 000.
pub const SCAN_INTERVAL_KEY: &str = "scanNotActiveBrokerIntervalMs";
/// Key of our broker expiry (ms); Java: fixed 120 000 (`BROKER_CHANNEL_EXPIRED_TIME`).
pub const EXPIRY_KEY: &str = "brokerChannelExpiredTimeMs";
/// Java's scan period.
pub const SCAN_INTERVAL_MS_DEFAULT: u64 = 10_000;
/// Java's broker expiry.
pub const BROKER_CHANNEL_EXPIRED_TIME_MS_DEFAULT: u64 = 120_000;

/// Keys UPDATE_NAMESRV_CONFIG refuses (`DefaultRequestProcessor.updateConfig`).
pub const UPDATE_FORBIDDEN_KEYS: [&str; 2] = ["kvConfigPath", "configStorePath"];

/// What a `-c` file or an update did with one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOutcome {
    /// A Java field, set.
    Set,
    /// A Java field whose value did not parse (ignored, as Java does).
    BadValue,
    /// One of our extension keys.
    Extension,
    /// Not a known key: kept and reported, otherwise unused.
    Unknown,
}

/// The whole name server configuration.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Config {
    /// `NamesrvConfig`.
    pub namesrv: NamesrvConfig,
    /// `NettyServerConfig`.
    pub netty: NettyServerConfig,
    /// Keys of the `-c` file that are no Java field (unknown and extension keys), in file
    /// order, with their raw values: reported by GET_NAMESRV_CONFIG like Java does.
    pub extra: Vec<(String, String)>,
    /// Every key of the `-c` file, in file order (decides Java's listing order).
    pub file_keys: Vec<String>,
}

impl Config {
    /// Apply the properties of a `-c` file (`MixAll.properties2Object` on both beans, and
    /// remember every key). `file` becomes `configStorePath`, as in `NamesrvStartup`.
    pub fn load_properties(
        &mut self,
        props: &[(String, String)],
        file: Option<&str>,
    ) -> Vec<(String, KeyOutcome)> {
        let mut outcomes = Vec::with_capacity(props.len());
        for (k, v) in props {
            if !self.file_keys.contains(k) {
                self.file_keys.push(k.clone());
            }
            let outcome = match self.set_java_field(k, v) {
                Some(true) => KeyOutcome::Set,
                Some(false) => KeyOutcome::BadValue,
                None => {
                    match self.extra.iter_mut().find(|(ek, _)| ek == k) {
                        Some(slot) => slot.1 = v.clone(),
                        None => self.extra.push((k.clone(), v.clone())),
                    }
                    if k == SCAN_INTERVAL_KEY || k == EXPIRY_KEY {
                        KeyOutcome::Extension
                    } else {
                        KeyOutcome::Unknown
                    }
                }
            };
            outcomes.push((k.clone(), outcome));
        }
        if let Some(f) = file {
            self.namesrv.config_store_path = f.to_string();
        }
        outcomes
    }

    fn set_java_field(&mut self, key: &str, value: &str) -> Option<bool> {
        self.namesrv
            .set_field(key, value)
            .or_else(|| self.netty.set_field(key, value))
    }

    /// UPDATE_NAMESRV_CONFIG (`Configuration.update`): Java fields are set when the value
    /// parses; other keys only when they already exist.
    pub fn update(&mut self, props: &[(String, String)]) {
        for (k, v) in props {
            if self.set_java_field(k, v).is_none() {
                if let Some(slot) = self.extra.iter_mut().find(|(ek, _)| ek == k) {
                    slot.1 = v.clone();
                }
            }
        }
    }

    /// Every config item with a value, as GET_NAMESRV_CONFIG reports them
    /// (`Configuration.getAllConfigsFormatString`): both beans (nulls skipped) and the other
    /// keys of the `-c` file, in the order Java's `allConfigs` (a `Properties`, i.e. a
    /// `ConcurrentHashMap`) iterates. Java fills it from three temporary `Properties` (one per
    /// bean, then the file's), each copied in its own iteration order.
    pub fn all_configs(&self) -> Vec<(String, String)> {
        let beans: Vec<Vec<(&'static str, Option<String>)>> =
            vec![self.namesrv.fields(), self.netty.fields()];
        let mut values: Vec<(String, String)> = beans
            .iter()
            .flatten()
            .filter_map(|(k, v)| v.clone().map(|v| (k.to_string(), v)))
            .collect();
        values.extend(self.extra.iter().cloned());

        let mut inserted: Vec<&str> = Vec::with_capacity(values.len());
        let sources: Vec<Vec<&str>> = beans
            .iter()
            .map(|b| {
                b.iter()
                    .filter(|(_, v)| v.is_some())
                    .map(|(k, _)| *k)
                    .collect()
            })
            .chain(std::iter::once(
                self.file_keys.iter().map(String::as_str).collect(),
            ))
            .collect();
        for keys in &sources {
            for i in concurrent_hash_map_order(keys, PROPERTIES_INITIAL_CAPACITY) {
                let k = keys[i];
                if !inserted.contains(&k) && values.iter().any(|(vk, _)| vk == k) {
                    inserted.push(k);
                }
            }
        }
        concurrent_hash_map_order(&inserted, PROPERTIES_INITIAL_CAPACITY)
            .into_iter()
            .filter_map(|i| values.iter().find(|(k, _)| k == inserted[i]).cloned())
            .collect()
    }

    /// The `-p` listing (`MixAll.printObjectProperties` on both beans: nulls print empty, the
    /// file's other keys are not listed).
    pub fn printable(&self) -> Vec<(&'static str, String)> {
        self.namesrv
            .fields()
            .into_iter()
            .chain(self.netty.fields())
            .map(|(k, v)| (k, v.unwrap_or_default()))
            .collect()
    }

    fn extension_ms(&self, key: &str, default: u64) -> u64 {
        self.extra
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.trim().parse::<u64>().ok())
            .filter(|v| *v > 0)
            .unwrap_or(default)
    }

    /// How often silent brokers are looked for.
    pub fn scan_not_active_broker_interval_ms(&self) -> u64 {
        self.extension_ms(SCAN_INTERVAL_KEY, SCAN_INTERVAL_MS_DEFAULT)
    }

    /// How long a broker may stay silent before its routes are dropped.
    pub fn broker_channel_expired_time_ms(&self) -> u64 {
        self.extension_ms(EXPIRY_KEY, BROKER_CHANNEL_EXPIRED_TIME_MS_DEFAULT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_match_java_print() {
        let mut c = Config::default();
        c.namesrv.rocketmq_home = None;
        let keys: Vec<&str> = c.printable().iter().map(|(k, _)| *k).collect();
        assert_eq!(keys[0], "rocketmqHome");
        assert_eq!(keys[6], "listenPort");
        assert_eq!(keys.len(), 20);
        assert_eq!(c.printable()[0].1, "");
        assert!(!c.all_configs().iter().any(|(k, _)| k == "rocketmqHome"));
    }

    #[test]
    fn all_configs_in_java_order() {
        // golden: the real `Configuration` (4.9.7 jars, JDK 17) with both beans (no
        // ROCKETMQ_HOME, listenPort 9876) and a file "listenPort, foo,
        // scanNotActiveBrokerIntervalMs, brokerChannelExpiredTimeMs"
        let mut c = Config::default();
        c.namesrv.rocketmq_home = None;
        c.namesrv.kv_config_path = "/root/namesrv/kvConfig.json".into();
        c.namesrv.config_store_path = "/root/namesrv/namesrv.properties".into();
        c.load_properties(
            &props(&[
                ("listenPort", "9876"),
                ("foo", "1"),
                (SCAN_INTERVAL_KEY, "100"),
                (EXPIRY_KEY, "200"),
            ]),
            None,
        );
        let text: Vec<String> = c
            .all_configs()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let java = "serverSocketBacklog=1024 foo=1 writeBufferHighWaterMark=0 serverWorkerThreads=8 \
            serverSelectorThreads=3 serverChannelMaxIdleTimeSeconds=120 writeBufferLowWaterMark=0 \
            serverSocketRcvBufSize=0 serverAsyncSemaphoreValue=64 kvConfigPath=/root/namesrv/kvConfig.json \
            configStorePath=/root/namesrv/namesrv.properties clusterTest=false orderMessageEnable=false \
            brokerChannelExpiredTimeMs=200 serverSocketSndBufSize=0 serverOnewaySemaphoreValue=256 \
            serverCallbackExecutorThreads=0 listenPort=9876 productEnvName=center useEpollNativeSelector=false \
            scanNotActiveBrokerIntervalMs=100 serverPooledByteBufAllocatorEnable=true";
        assert_eq!(text.join(" "), java);
    }

    #[test]
    fn load_update_and_extensions() {
        let mut c = Config::default();
        let out = c.load_properties(
            &props(&[
                ("listenPort", "19876"),
                ("orderMessageEnable", "TRUE"),
                ("serverWorkerThreads", "x"),
                ("foo", "bar"),
                (SCAN_INTERVAL_KEY, "200"),
            ]),
            Some("/tmp/ns.properties"),
        );
        assert_eq!(out[2].1, KeyOutcome::BadValue);
        assert_eq!(out[3].1, KeyOutcome::Unknown);
        assert_eq!(out[4].1, KeyOutcome::Extension);
        assert_eq!(c.netty.listen_port, 19876);
        assert!(c.namesrv.order_message_enable);
        assert_eq!(c.netty.server_worker_threads, 8);
        assert_eq!(c.namesrv.config_store_path, "/tmp/ns.properties");
        assert_eq!(c.scan_not_active_broker_interval_ms(), 200);
        assert_eq!(c.broker_channel_expired_time_ms(), 120_000);

        c.update(&props(&[
            ("foo", "baz"),
            ("newKey", "1"),
            ("orderMessageEnable", "false"),
        ]));
        let all = c.all_configs();
        assert!(all.contains(&("foo".to_string(), "baz".to_string())));
        assert!(!all.iter().any(|(k, _)| k == "newKey"));
        assert!(!c.namesrv.order_message_enable);
    }
}
