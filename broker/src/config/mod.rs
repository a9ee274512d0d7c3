//! Broker configuration: `BrokerConfig`, `NettyServerConfig` and `NettyClientConfig` with the
//! Java 4.9.7 key names and defaults, filled from one `broker.conf` the way
//! `BrokerStartup.createBrokerController` does it (`MixAll.properties2Object` on every config
//! object, then the command line).
//!
//! Mirrors `common/.../BrokerConfig.java`, `remoting/.../netty/NettyServerConfig.java`,
//! `remoting/.../netty/NettyClientConfig.java`. The store's `MessageStoreConfig` is filled
//! from the same properties through [`ConfigObject`] (see [`store_config`]).

pub mod properties;

pub use properties::Properties;

/// A config object whose fields can be set by Java property name and printed back.
pub trait ConfigObject {
    /// Set the field named `key` from its text. `Ok(false)`: not a key of this object.
    /// `Err`: the key is known but the value does not parse (Java ignores such a value and
    /// keeps the default; callers log it).
    fn set_property(&mut self, key: &str, value: &str) -> Result<bool, String>;
    /// Every field as `(name, value, important)` in Java declaration order.
    fn properties(&self) -> Vec<(&'static str, String, bool)>;
}

/// How one field type is parsed from and printed to a property value (Java semantics).
pub trait ConfigValue: Sized {
    /// Parse (Java `Integer.parseInt`, `Boolean.parseBoolean`, `Enum.valueOf`, ...).
    fn parse_value(s: &str) -> Result<Self, String>;
    /// Print as Java's `String.valueOf` would (null prints as empty).
    fn display_value(&self) -> String;
}

macro_rules! num_value {
    ($($t:ty),*) => {$(
        impl ConfigValue for $t {
            fn parse_value(s: &str) -> Result<Self, String> {
                s.trim().parse::<$t>().map_err(|e| format!("{s:?}: {e}"))
            }
            fn display_value(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
num_value!(i32, i64);

impl ConfigValue for f64 {
    fn parse_value(s: &str) -> Result<Self, String> {
        s.trim().parse::<f64>().map_err(|e| format!("{s:?}: {e}"))
    }
    fn display_value(&self) -> String {
        if self.fract() == 0.0 && self.is_finite() {
            format!("{self:.1}")
        } else {
            self.to_string()
        }
    }
}

impl ConfigValue for bool {
    fn parse_value(s: &str) -> Result<Self, String> {
        Ok(s.trim().eq_ignore_ascii_case("true"))
    }
    fn display_value(&self) -> String {
        self.to_string()
    }
}

impl ConfigValue for String {
    fn parse_value(s: &str) -> Result<Self, String> {
        Ok(s.to_string())
    }
    fn display_value(&self) -> String {
        self.clone()
    }
}

impl ConfigValue for Option<String> {
    fn parse_value(s: &str) -> Result<Self, String> {
        Ok(Some(s.to_string()))
    }
    fn display_value(&self) -> String {
        self.clone().unwrap_or_default()
    }
}

/// Implement [`ConfigValue`] for an enum that has `FromStr` + `Display` with Java names.
#[macro_export]
macro_rules! enum_config_value {
    ($t:ty) => {
        impl $crate::config::ConfigValue for $t {
            fn parse_value(s: &str) -> Result<Self, String> {
                <$t as std::str::FromStr>::from_str(s.trim()).map_err(|e| format!("{s:?}: {e}"))
            }
            fn display_value(&self) -> String {
                self.to_string()
            }
        }
    };
}

/// Define a config struct: `important|normal name: Type = default => "javaKey",`.
macro_rules! config_object {
    (
        $(#[$m:meta])*
        pub struct $name:ident {
            $( $(#[doc = $doc:literal])* $imp:ident $field:ident : $ty:ty = $default:expr => $key:literal ),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name { $( $(#[doc = $doc])* pub $field: $ty, )* }

        impl Default for $name {
            fn default() -> Self {
                Self { $( $field: $default, )* }
            }
        }

        impl ConfigObject for $name {
            fn set_property(&mut self, key: &str, value: &str) -> Result<bool, String> {
                match key {
                    $( $key => {
                        self.$field = <$ty as ConfigValue>::parse_value(value)?;
                        Ok(true)
                    } )*
                    _ => Ok(false),
                }
            }
            fn properties(&self) -> Vec<(&'static str, String, bool)> {
                vec![ $( ($key, ConfigValue::display_value(&self.$field), config_object!(@imp $imp)) ),* ]
            }
        }
    };
    (@imp important) => { true };
    (@imp normal) => { false };
}

pub mod store_config;

fn cpus() -> i32 {
    std::thread::available_parallelism()
        .map(|n| n.get() as i32)
        .unwrap_or(1)
}

/// Java `PermName`.
pub mod perm {
    /// PERM_PRIORITY.
    pub const PRIORITY: i32 = 0x1 << 3;
    /// PERM_READ.
    pub const READ: i32 = 0x1 << 2;
    /// PERM_WRITE.
    pub const WRITE: i32 = 0x1 << 1;
    /// PERM_INHERIT.
    pub const INHERIT: i32 = 0x1;

    /// `PermName.isReadable`.
    pub fn is_readable(p: i32) -> bool {
        p & READ == READ
    }
    /// `PermName.isWriteable`.
    pub fn is_writeable(p: i32) -> bool {
        p & WRITE == WRITE
    }
    /// `PermName.isInherited`.
    pub fn is_inherited(p: i32) -> bool {
        p & INHERIT == INHERIT
    }
}

/// `MixAll.DEFAULT_TRACE_REGION_ID`.
pub const DEFAULT_REGION_ID: &str = "DefaultRegion";
/// `TopicValidator.RMQ_SYS_TRACE_TOPIC`.
pub const RMQ_SYS_TRACE_TOPIC: &str = "RMQ_SYS_TRACE_TOPIC";

config_object! {
    /// `org.apache.rocketmq.common.BrokerConfig`.
    pub struct BrokerConfig {
        normal rocketmq_home: Option<String> = std::env::var("ROCKETMQ_HOME").ok() => "rocketmqHome",
        important namesrv_addr: Option<String> = std::env::var("NAMESRV_ADDR").ok() => "namesrvAddr",
        important broker_ip1: String = crate::netutil::local_address() => "brokerIP1",
        normal broker_ip2: String = crate::netutil::local_address() => "brokerIP2",
        important broker_name: String = crate::netutil::local_host_name() => "brokerName",
        important broker_cluster_name: String = "DefaultCluster".to_string() => "brokerClusterName",
        important broker_id: i64 = 0 => "brokerId",
        normal broker_permission: i32 = perm::READ | perm::WRITE => "brokerPermission",
        normal default_topic_queue_nums: i32 = 8 => "defaultTopicQueueNums",
        important auto_create_topic_enable: bool = true => "autoCreateTopicEnable",
        normal cluster_topic_enable: bool = true => "clusterTopicEnable",
        normal broker_topic_enable: bool = true => "brokerTopicEnable",
        important auto_create_subscription_group: bool = true => "autoCreateSubscriptionGroup",
        normal message_store_plug_in: String = String::new() => "messageStorePlugIn",
        important msg_trace_topic_name: String = RMQ_SYS_TRACE_TOPIC.to_string() => "msgTraceTopicName",
        important trace_topic_enable: bool = false => "traceTopicEnable",
        normal send_message_thread_pool_nums: i32 = cpus().min(4) => "sendMessageThreadPoolNums",
        normal put_message_future_thread_pool_nums: i32 = cpus().min(4) => "putMessageFutureThreadPoolNums",
        normal pull_message_thread_pool_nums: i32 = 16 + cpus() * 2 => "pullMessageThreadPoolNums",
        normal process_reply_message_thread_pool_nums: i32 = 16 + cpus() * 2 => "processReplyMessageThreadPoolNums",
        normal query_message_thread_pool_nums: i32 = 8 + cpus() => "queryMessageThreadPoolNums",
        normal admin_broker_thread_pool_nums: i32 = 16 => "adminBrokerThreadPoolNums",
        normal client_manage_thread_pool_nums: i32 = 32 => "clientManageThreadPoolNums",
        normal consumer_manage_thread_pool_nums: i32 = 32 => "consumerManageThreadPoolNums",
        normal heartbeat_thread_pool_nums: i32 = cpus().min(32) => "heartbeatThreadPoolNums",
        normal end_transaction_thread_pool_nums: i32 = (8 + cpus() * 2).max(cpus().min(4) * 4) => "endTransactionThreadPoolNums",
        normal flush_consumer_offset_interval: i32 = 5000 => "flushConsumerOffsetInterval",
        normal flush_consumer_offset_history_interval: i32 = 60_000 => "flushConsumerOffsetHistoryInterval",
        important reject_transaction_message: bool = false => "rejectTransactionMessage",
        important fetch_namesrv_addr_by_address_server: bool = false => "fetchNamesrvAddrByAddressServer",
        normal send_thread_pool_queue_capacity: i32 = 10_000 => "sendThreadPoolQueueCapacity",
        normal put_thread_pool_queue_capacity: i32 = 10_000 => "putThreadPoolQueueCapacity",
        normal pull_thread_pool_queue_capacity: i32 = 100_000 => "pullThreadPoolQueueCapacity",
        normal reply_thread_pool_queue_capacity: i32 = 10_000 => "replyThreadPoolQueueCapacity",
        normal query_thread_pool_queue_capacity: i32 = 20_000 => "queryThreadPoolQueueCapacity",
        normal client_manager_thread_pool_queue_capacity: i32 = 1_000_000 => "clientManagerThreadPoolQueueCapacity",
        normal consumer_manager_thread_pool_queue_capacity: i32 = 1_000_000 => "consumerManagerThreadPoolQueueCapacity",
        normal heartbeat_thread_pool_queue_capacity: i32 = 50_000 => "heartbeatThreadPoolQueueCapacity",
        normal end_transaction_pool_queue_capacity: i32 = 100_000 => "endTransactionPoolQueueCapacity",
        normal filter_server_nums: i32 = 0 => "filterServerNums",
        normal long_polling_enable: bool = true => "longPollingEnable",
        normal short_polling_time_mills: i64 = 1000 => "shortPollingTimeMills",
        normal notify_consumer_ids_changed_enable: bool = true => "notifyConsumerIdsChangedEnable",
        normal high_speed_mode: bool = false => "highSpeedMode",
        normal commercial_enable: bool = true => "commercialEnable",
        normal commercial_timer_count: i32 = 1 => "commercialTimerCount",
        normal commercial_trans_count: i32 = 1 => "commercialTransCount",
        normal commercial_big_count: i32 = 1 => "commercialBigCount",
        normal commercial_base_count: i32 = 1 => "commercialBaseCount",
        normal transfer_msg_by_heap: bool = true => "transferMsgByHeap",
        normal max_delay_time: i32 = 40 => "maxDelayTime",
        normal region_id: String = DEFAULT_REGION_ID.to_string() => "regionId",
        normal register_broker_timeout_mills: i32 = 6000 => "registerBrokerTimeoutMills",
        normal slave_read_enable: bool = false => "slaveReadEnable",
        normal disable_consume_if_consumer_read_slowly: bool = false => "disableConsumeIfConsumerReadSlowly",
        normal consumer_fallbehind_threshold: i64 = 1024 * 1024 * 1024 * 16 => "consumerFallbehindThreshold",
        normal broker_fast_failure_enable: bool = true => "brokerFastFailureEnable",
        normal wait_time_mills_in_send_queue: i64 = 200 => "waitTimeMillsInSendQueue",
        normal wait_time_mills_in_pull_queue: i64 = 5000 => "waitTimeMillsInPullQueue",
        normal wait_time_mills_in_heartbeat_queue: i64 = 31_000 => "waitTimeMillsInHeartbeatQueue",
        normal wait_time_mills_in_transaction_queue: i64 = 3000 => "waitTimeMillsInTransactionQueue",
        normal start_accept_send_request_time_stamp: i64 = 0 => "startAcceptSendRequestTimeStamp",
        normal trace_on: bool = true => "traceOn",
        normal enable_calc_filter_bit_map: bool = false => "enableCalcFilterBitMap",
        normal expect_consumer_num_use_filter: i32 = 32 => "expectConsumerNumUseFilter",
        normal max_error_rate_of_bloom_filter: i32 = 20 => "maxErrorRateOfBloomFilter",
        normal filter_data_clean_time_span: i64 = 24 * 3600 * 1000 => "filterDataCleanTimeSpan",
        normal filter_support_retry: bool = false => "filterSupportRetry",
        normal enable_property_filter: bool = false => "enablePropertyFilter",
        normal compressed_register: bool = false => "compressedRegister",
        normal force_register: bool = true => "forceRegister",
        normal register_name_server_period: i32 = 30_000 => "registerNameServerPeriod",
        important transaction_time_out: i64 = 6000 => "transactionTimeOut",
        important transaction_check_max: i32 = 15 => "transactionCheckMax",
        important transaction_check_interval: i64 = 60_000 => "transactionCheckInterval",
        important acl_enable: bool = false => "aclEnable",
        normal store_reply_message_enable: bool = true => "storeReplyMessageEnable",
        normal enable_detail_stat: bool = true => "enableDetailStat",
        normal auto_delete_unused_stats: bool = false => "autoDeleteUnusedStats",
        normal isolate_log_enable: bool = false => "isolateLogEnable",
    }
}

config_object! {
    /// `org.apache.rocketmq.remoting.netty.NettyServerConfig` (the broker sets
    /// `listenPort` to 10911 before reading the file).
    pub struct NettyServerConfig {
        normal listen_port: i32 = 10911 => "listenPort",
        normal server_worker_threads: i32 = 8 => "serverWorkerThreads",
        normal server_callback_executor_threads: i32 = 0 => "serverCallbackExecutorThreads",
        normal server_selector_threads: i32 = 3 => "serverSelectorThreads",
        normal server_oneway_semaphore_value: i32 = 256 => "serverOnewaySemaphoreValue",
        normal server_async_semaphore_value: i32 = 64 => "serverAsyncSemaphoreValue",
        normal server_channel_max_idle_time_seconds: i32 = 120 => "serverChannelMaxIdleTimeSeconds",
        normal server_socket_snd_buf_size: i32 = 0 => "serverSocketSndBufSize",
        normal server_socket_rcv_buf_size: i32 = 0 => "serverSocketRcvBufSize",
        normal write_buffer_high_water_mark: i32 = 0 => "writeBufferHighWaterMark",
        normal write_buffer_low_water_mark: i32 = 0 => "writeBufferLowWaterMark",
        normal server_socket_backlog: i32 = 1024 => "serverSocketBacklog",
        normal server_pooled_byte_buf_allocator_enable: bool = true => "serverPooledByteBufAllocatorEnable",
        normal use_epoll_native_selector: bool = false => "useEpollNativeSelector",
    }
}

config_object! {
    /// `org.apache.rocketmq.remoting.netty.NettyClientConfig` (used for the namesrv client).
    pub struct NettyClientConfig {
        normal client_worker_threads: i32 = 4 => "clientWorkerThreads",
        normal client_callback_executor_threads: i32 = cpus() => "clientCallbackExecutorThreads",
        normal client_oneway_semaphore_value: i32 = 65535 => "clientOnewaySemaphoreValue",
        normal client_async_semaphore_value: i32 = 65535 => "clientAsyncSemaphoreValue",
        normal connect_timeout_millis: i32 = 3000 => "connectTimeoutMillis",
        normal channel_not_active_interval: i64 = 60_000 => "channelNotActiveInterval",
        normal client_channel_max_idle_time_seconds: i32 = 120 => "clientChannelMaxIdleTimeSeconds",
        normal client_socket_snd_buf_size: i32 = 0 => "clientSocketSndBufSize",
        normal client_socket_rcv_buf_size: i32 = 0 => "clientSocketRcvBufSize",
        normal client_pooled_byte_buf_allocator_enable: bool = false => "clientPooledByteBufAllocatorEnable",
        normal client_close_socket_if_timeout: bool = true => "clientCloseSocketIfTimeout",
        normal use_tls: bool = false => "useTLS",
        normal write_buffer_high_water_mark: i32 = 0 => "writeBufferHighWaterMark",
        normal write_buffer_low_water_mark: i32 = 0 => "writeBufferLowWaterMark",
    }
}

pub use store_config::{BrokerRole, FlushDiskType, StoreConfigExt};

/// Every configuration of one broker process.
#[derive(Debug, Clone, Default)]
pub struct BrokerStartupConfig {
    /// `BrokerConfig`.
    pub broker: BrokerConfig,
    /// `NettyServerConfig`.
    pub netty_server: NettyServerConfig,
    /// `NettyClientConfig`.
    pub netty_client: NettyClientConfig,
    /// The store's `MessageStoreConfig`.
    pub store: store_config::StoreConfig,
    /// The properties file that was read (`-c`), if any.
    pub config_file: Option<String>,
}

impl BrokerStartupConfig {
    /// Apply properties to every config object (`MixAll.properties2Object` on each).
    /// Returns the keys no object knows, and values that did not parse (both are logged
    /// by the caller and otherwise ignored, as Java does).
    pub fn apply(&mut self, props: &Properties) -> ApplyReport {
        let mut report = ApplyReport::default();
        for (k, v) in props.iter() {
            let mut known = false;
            let objects: [&mut dyn ConfigObject; 4] = [
                &mut self.broker,
                &mut self.netty_server,
                &mut self.netty_client,
                &mut self.store,
            ];
            for obj in objects {
                match obj.set_property(k, v) {
                    Ok(true) => known = true,
                    Ok(false) => {}
                    Err(e) => {
                        known = true;
                        report.invalid.push((k.to_string(), e));
                    }
                }
            }
            if !known {
                report.unknown.push(k.to_string());
            }
        }
        report
    }

    /// What BrokerStartup enforces after reading the config: a master's id is 0, the HA
    /// port is listenPort + 1.
    pub fn normalize(&mut self) -> Result<(), String> {
        match self.store.broker_role() {
            BrokerRole::AsyncMaster | BrokerRole::SyncMaster => self.broker.broker_id = 0,
            BrokerRole::Slave => {
                if self.broker.broker_id <= 0 {
                    return Err("Slave's brokerId must be > 0".to_string());
                }
            }
        }
        self.store
            .set_ha_listen_port(self.netty_server.listen_port + 1);
        Ok(())
    }

    /// `brokerIP1:listenPort`, the address registered with the namesrv.
    pub fn broker_addr(&self) -> String {
        format!(
            "{}:{}",
            self.broker.broker_ip1, self.netty_server.listen_port
        )
    }

    /// `brokerIP2:haListenPort`.
    pub fn ha_server_addr(&self) -> String {
        format!("{}:{}", self.broker.broker_ip2, self.store.ha_listen_port())
    }

    /// Every object's properties in the order `-p` prints them.
    pub fn all_properties(&self, only_important: bool) -> Vec<(&'static str, String)> {
        let objects: [&dyn ConfigObject; 4] = [
            &self.broker,
            &self.netty_server,
            &self.netty_client,
            &self.store,
        ];
        objects
            .iter()
            .flat_map(|o| o.properties())
            .filter(|(_, _, imp)| !only_important || *imp)
            .map(|(k, v, _)| (k, v))
            .collect()
    }
}

/// Keys that were not applied.
#[derive(Debug, Default, Clone)]
pub struct ApplyReport {
    /// Keys no config object has.
    pub unknown: Vec<String>,
    /// Known keys whose value did not parse, with the reason.
    pub invalid: Vec<(String, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_java_keys() {
        let mut c = BrokerStartupConfig::default();
        let props = Properties::parse(
            "brokerClusterName=C1\nbrokerName=broker-x\nbrokerId=3\nlistenPort=20911\n\
             autoCreateTopicEnable=false\nfoo=bar\ndefaultTopicQueueNums=x\nregionId=R\n",
        );
        let r = c.apply(&props);
        assert_eq!(c.broker.broker_cluster_name, "C1");
        assert_eq!(c.broker.broker_name, "broker-x");
        assert_eq!(c.broker.broker_id, 3);
        assert_eq!(c.netty_server.listen_port, 20911);
        assert!(!c.broker.auto_create_topic_enable);
        assert_eq!(c.broker.default_topic_queue_nums, 8);
        assert_eq!(c.broker.region_id, "R");
        assert_eq!(r.unknown, vec!["foo".to_string()]);
        assert_eq!(r.invalid.len(), 1);
        c.normalize().unwrap_or_default();
        assert_eq!(c.broker.broker_id, 0);
    }

    #[test]
    fn important_subset() {
        let c = BrokerStartupConfig::default();
        let all = c.all_properties(false);
        let imp = c.all_properties(true);
        assert!(imp.len() < all.len());
        assert!(imp.iter().any(|(k, _)| *k == "brokerName"));
        assert!(!imp.iter().any(|(k, _)| *k == "brokerPermission"));
    }
}
