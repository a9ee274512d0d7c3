//! Store configuration with Java's key names and defaults.
//!
//! Mirrors Java `org.apache.rocketmq.store.config.MessageStoreConfig` (4.9.7),
//! `StorePathConfigHelper`, `BrokerRole` and `FlushDiskType`.
//!
//! Keys: the *setter* key is what `MixAll.properties2Object` derives from `setXxx` (used when
//! reading `broker.conf`), the *field* name is what `MixAll.object2Properties` prints (used by
//! GET_BROKER_CONFIG). They differ only for `isEnableBatchPush` (setter key `enableBatchPush`).
//! Note that 4.9.7 spells `mappedFileSizeCommitLog` / `mappedFileSizeConsumeQueue` with two p's,
//! but `destroyMapedFileIntervalForcibly`, `warmMapedFileEnable` and
//! `flushLeastPagesWhenWarmMapedFile` with one.
//!
//! Value parsing follows Java: ints/longs with `parseInt`/`parseLong` (a bad value is ignored
//! with a warning, as Java swallows the exception), booleans with `Boolean.parseBoolean`
//! (`"true"` case-insensitively, anything else is false), enums by exact name.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// `BrokerRole`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BrokerRole {
    /// ASYNC_MASTER (default)
    #[default]
    AsyncMaster,
    /// SYNC_MASTER
    SyncMaster,
    /// SLAVE
    Slave,
}

impl BrokerRole {
    /// Java enum name.
    pub fn as_str(self) -> &'static str {
        match self {
            BrokerRole::AsyncMaster => "ASYNC_MASTER",
            BrokerRole::SyncMaster => "SYNC_MASTER",
            BrokerRole::Slave => "SLAVE",
        }
    }
}

impl FromStr for BrokerRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "ASYNC_MASTER" => Ok(BrokerRole::AsyncMaster),
            "SYNC_MASTER" => Ok(BrokerRole::SyncMaster),
            "SLAVE" => Ok(BrokerRole::Slave),
            _ => Err(format!("unknown BrokerRole {s:?}")),
        }
    }
}

impl fmt::Display for BrokerRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `FlushDiskType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FlushDiskType {
    /// SYNC_FLUSH: a put with `WAIT=true` returns after its bytes are on disk.
    SyncFlush,
    /// ASYNC_FLUSH (default): periodic flush.
    #[default]
    AsyncFlush,
}

impl FlushDiskType {
    /// Java enum name.
    pub fn as_str(self) -> &'static str {
        match self {
            FlushDiskType::SyncFlush => "SYNC_FLUSH",
            FlushDiskType::AsyncFlush => "ASYNC_FLUSH",
        }
    }
}

impl FromStr for FlushDiskType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "SYNC_FLUSH" => Ok(FlushDiskType::SyncFlush),
            "ASYNC_FLUSH" => Ok(FlushDiskType::AsyncFlush),
            _ => Err(format!("unknown FlushDiskType {s:?}")),
        }
    }
}

impl fmt::Display for FlushDiskType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A config field type that can be parsed from / printed as a Java properties value.
trait ConfigValue {
    fn parse_java(&mut self, s: &str) -> Result<(), String>;
    fn to_java(&self) -> Option<String>;
}

impl ConfigValue for i32 {
    fn parse_java(&mut self, s: &str) -> Result<(), String> {
        *self = s.parse().map_err(|e| format!("{e}"))?;
        Ok(())
    }
    fn to_java(&self) -> Option<String> {
        Some(self.to_string())
    }
}

impl ConfigValue for i64 {
    fn parse_java(&mut self, s: &str) -> Result<(), String> {
        *self = s.parse().map_err(|e| format!("{e}"))?;
        Ok(())
    }
    fn to_java(&self) -> Option<String> {
        Some(self.to_string())
    }
}

impl ConfigValue for bool {
    fn parse_java(&mut self, s: &str) -> Result<(), String> {
        *self = s.eq_ignore_ascii_case("true");
        Ok(())
    }
    fn to_java(&self) -> Option<String> {
        Some(self.to_string())
    }
}

impl ConfigValue for String {
    fn parse_java(&mut self, s: &str) -> Result<(), String> {
        *self = s.to_string();
        Ok(())
    }
    fn to_java(&self) -> Option<String> {
        Some(self.clone())
    }
}

impl ConfigValue for Option<String> {
    fn parse_java(&mut self, s: &str) -> Result<(), String> {
        *self = Some(s.to_string());
        Ok(())
    }
    fn to_java(&self) -> Option<String> {
        self.clone()
    }
}

impl ConfigValue for BrokerRole {
    fn parse_java(&mut self, s: &str) -> Result<(), String> {
        *self = s.parse()?;
        Ok(())
    }
    fn to_java(&self) -> Option<String> {
        Some(self.as_str().to_string())
    }
}

impl ConfigValue for FlushDiskType {
    fn parse_java(&mut self, s: &str) -> Result<(), String> {
        *self = s.parse()?;
        Ok(())
    }
    fn to_java(&self) -> Option<String> {
        Some(self.as_str().to_string())
    }
}

macro_rules! store_config {
    ($( $(#[$m:meta])* $field:ident : $ty:ty = $default:expr, $jfield:literal, $jkey:literal; )*) => {
        /// Store configuration (`MessageStoreConfig`). Field docs give the Java setter key.
        #[derive(Debug, Clone, PartialEq)]
        pub struct MessageStoreConfig {
            $( $(#[$m])* #[doc = concat!("Java key `", $jkey, "`.")] pub $field: $ty, )*
        }

        impl Default for MessageStoreConfig {
            fn default() -> Self {
                MessageStoreConfig { $( $field: $default, )* }
            }
        }

        impl MessageStoreConfig {
            /// Every Java setter key this config understands.
            pub const KEYS: &'static [&'static str] = &[ $( $jkey, )* ];

            fn set_known(&mut self, key: &str, value: &str) -> Option<Result<(), String>> {
                match key {
                    $( $jkey => Some(ConfigValue::parse_java(&mut self.$field, value)), )*
                    _ => None,
                }
            }

            /// All fields as `(Java field name, value)` pairs, like `MixAll.object2Properties`
            /// (fields whose Java value would be null are omitted).
            pub fn to_properties(&self) -> Vec<(String, String)> {
                let mut v = Vec::new();
                $( if let Some(s) = ConfigValue::to_java(&self.$field) { v.push(($jfield.to_string(), s)); } )*
                v
            }
        }
    };
}

fn default_root() -> String {
    let home = std::env::var("HOME").unwrap_or_else(|_| ".".to_string());
    format!("{home}/store")
}

store_config! {
    /// Root of the store (`${user.home}/store`).
    store_path_root_dir: String = default_root(), "storePathRootDir", "storePathRootDir";
    /// Commitlog directory; `None` = `<root>/commitlog`.
    store_path_commit_log: Option<String> = None, "storePathCommitLog", "storePathCommitLog";
    /// DLedger commitlog directory (unsupported here).
    store_path_dledger_commit_log: Option<String> = None, "storePathDLedgerCommitLog", "storePathDLedgerCommitLog";
    /// Read-only commitlog paths (unsupported here).
    read_only_commit_log_store_paths: Option<String> = None, "readOnlyCommitLogStorePaths", "readOnlyCommitLogStorePaths";
    /// Commitlog file size (1 GiB).
    mapped_file_size_commit_log: i32 = 1024 * 1024 * 1024, "mappedFileSizeCommitLog", "mappedFileSizeCommitLog";
    /// Consume queue file size (300000 x 20; rounded up to a multiple of 20 by the getter).
    mapped_file_size_consume_queue: i32 = 300_000 * 20, "mappedFileSizeConsumeQueue", "mappedFileSizeConsumeQueue";
    /// Consume queue ext (unsupported; must stay false).
    enable_consume_queue_ext: bool = false, "enableConsumeQueueExt", "enableConsumeQueueExt";
    /// CQ ext file size.
    mapped_file_size_consume_queue_ext: i32 = 48 * 1024 * 1024, "mappedFileSizeConsumeQueueExt", "mappedFileSizeConsumeQueueExt";
    /// CQ ext bitmap length.
    bit_map_length_consume_queue_ext: i32 = 64, "bitMapLengthConsumeQueueExt", "bitMapLengthConsumeQueueExt";
    /// ASYNC_FLUSH interval (ms).
    flush_interval_commit_log: i32 = 500, "flushIntervalCommitLog", "flushIntervalCommitLog";
    /// Transient pool commit interval (ms).
    commit_interval_commit_log: i32 = 200, "commitIntervalCommitLog", "commitIntervalCommitLog";
    /// Lock kind (ignored: always a mutex).
    use_reentrant_lock_when_put_message: bool = true, "useReentrantLockWhenPutMessage", "useReentrantLockWhenPutMessage";
    /// Flush thread sleeps instead of waiting for wakeups.
    flush_commit_log_timed: bool = true, "flushCommitLogTimed", "flushCommitLogTimed";
    /// CQ flush interval (ms).
    flush_interval_consume_queue: i32 = 1000, "flushIntervalConsumeQueue", "flushIntervalConsumeQueue";
    /// Cleanup period (ms).
    clean_resource_interval: i32 = 10_000, "cleanResourceInterval", "cleanResourceInterval";
    /// Pause between commitlog file deletions (ms).
    delete_commit_log_files_interval: i32 = 100, "deleteCommitLogFilesInterval", "deleteCommitLogFilesInterval";
    /// Pause between CQ file deletions (ms).
    delete_consume_queue_files_interval: i32 = 100, "deleteConsumeQueueFilesInterval", "deleteConsumeQueueFilesInterval";
    /// Forced destroy delay (ms).
    destroy_maped_file_interval_forcibly: i32 = 1000 * 120, "destroyMapedFileIntervalForcibly", "destroyMapedFileIntervalForcibly";
    /// Re-delete hanged file interval (ms).
    redelete_hanged_file_interval: i32 = 1000 * 120, "redeleteHangedFileInterval", "redeleteHangedFileInterval";
    /// Hours (local time, `;`-separated) at which expired files are deleted.
    delete_when: String = "04".to_string(), "deleteWhen", "deleteWhen";
    /// Disk usage percentage that triggers cleanup (clamped to 10..=95).
    disk_max_used_space_ratio: i32 = 75, "diskMaxUsedSpaceRatio", "diskMaxUsedSpaceRatio";
    /// File retention (hours).
    file_reserved_time: i32 = 72, "fileReservedTime", "fileReservedTime";
    /// Unused by the store.
    put_msg_index_hight_water: i32 = 600_000, "putMsgIndexHightWater", "putMsgIndexHightWater";
    /// Max body size (4 MiB).
    max_message_size: i32 = 1024 * 1024 * 4, "maxMessageSize", "maxMessageSize";
    /// Verify body CRCs during recovery.
    check_crc_on_recover: bool = true, "checkCRCOnRecover", "checkCRCOnRecover";
    /// Flush only if at least this many dirty pages.
    flush_commit_log_least_pages: i32 = 4, "flushCommitLogLeastPages", "flushCommitLogLeastPages";
    /// Transient pool commit least pages.
    commit_commit_log_least_pages: i32 = 4, "commitCommitLogLeastPages", "commitCommitLogLeastPages";
    /// Warm-up flush pages.
    flush_least_pages_when_warm_maped_file: i32 = 1024 / 4 * 16, "flushLeastPagesWhenWarmMapedFile", "flushLeastPagesWhenWarmMapedFile";
    /// CQ flush least pages.
    flush_consume_queue_least_pages: i32 = 2, "flushConsumeQueueLeastPages", "flushConsumeQueueLeastPages";
    /// Full commitlog flush period (ms).
    flush_commit_log_thorough_interval: i32 = 1000 * 10, "flushCommitLogThoroughInterval", "flushCommitLogThoroughInterval";
    /// Transient pool full commit period.
    commit_commit_log_thorough_interval: i32 = 200, "commitCommitLogThoroughInterval", "commitCommitLogThoroughInterval";
    /// Full CQ flush (+ checkpoint) period (ms).
    flush_consume_queue_thorough_interval: i32 = 1000 * 60, "flushConsumeQueueThoroughInterval", "flushConsumeQueueThoroughInterval";
    /// Pull byte limit for messages in memory.
    max_transfer_bytes_on_message_in_memory: i32 = 1024 * 256, "maxTransferBytesOnMessageInMemory", "maxTransferBytesOnMessageInMemory";
    /// Pull count limit for messages in memory.
    max_transfer_count_on_message_in_memory: i32 = 32, "maxTransferCountOnMessageInMemory", "maxTransferCountOnMessageInMemory";
    /// Pull byte limit for messages on disk.
    max_transfer_bytes_on_message_in_disk: i32 = 1024 * 64, "maxTransferBytesOnMessageInDisk", "maxTransferBytesOnMessageInDisk";
    /// Pull count limit for messages on disk.
    max_transfer_count_on_message_in_disk: i32 = 8, "maxTransferCountOnMessageInDisk", "maxTransferCountOnMessageInDisk";
    /// Percentage of physical RAM considered "in memory".
    access_message_in_memory_max_ratio: i32 = 40, "accessMessageInMemoryMaxRatio", "accessMessageInMemoryMaxRatio";
    /// Build the key index.
    message_index_enable: bool = true, "messageIndexEnable", "messageIndexEnable";
    /// Index hash slots per file.
    max_hash_slot_num: i32 = 5_000_000, "maxHashSlotNum", "maxHashSlotNum";
    /// Index entries per file.
    max_index_num: i32 = 5_000_000 * 4, "maxIndexNum", "maxIndexNum";
    /// Max results of an index query.
    max_msgs_num_batch: i32 = 64, "maxMsgsNumBatch", "maxMsgsNumBatch";
    /// Abnormal recovery also honours the index checkpoint.
    message_index_safe: bool = false, "messageIndexSafe", "messageIndexSafe";
    /// HA port (forced to listenPort + 1 by the broker).
    ha_listen_port: i32 = 10912, "haListenPort", "haListenPort";
    /// HA heartbeat (ms).
    ha_send_heartbeat_interval: i32 = 1000 * 5, "haSendHeartbeatInterval", "haSendHeartbeatInterval";
    /// HA idle timeout (ms).
    ha_housekeeping_interval: i32 = 1000 * 20, "haHousekeepingInterval", "haHousekeepingInterval";
    /// HA frame size.
    ha_transfer_batch_size: i32 = 1024 * 32, "haTransferBatchSize", "haTransferBatchSize";
    /// Fixed HA master address.
    ha_master_address: Option<String> = None, "haMasterAddress", "haMasterAddress";
    /// Max slave lag for SYNC_MASTER.
    ha_slave_fallbehind_max: i32 = 1024 * 1024 * 256, "haSlaveFallbehindMax", "haSlaveFallbehindMax";
    /// Broker role.
    broker_role: BrokerRole = BrokerRole::AsyncMaster, "brokerRole", "brokerRole";
    /// Flush mode.
    flush_disk_type: FlushDiskType = FlushDiskType::AsyncFlush, "flushDiskType", "flushDiskType";
    /// SYNC_FLUSH deadline (ms).
    sync_flush_timeout: i32 = 1000 * 5, "syncFlushTimeout", "syncFlushTimeout";
    /// SYNC_MASTER replica deadline (ms).
    slave_timeout: i32 = 3000, "slaveTimeout", "slaveTimeout";
    /// Delay levels.
    message_delay_level: String = "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h".to_string(), "messageDelayLevel", "messageDelayLevel";
    /// delayOffset.json persist period (ms).
    flush_delay_offset_interval: i64 = 1000 * 10, "flushDelayOffsetInterval", "flushDelayOffsetInterval";
    /// Allow forced deletion when the disk is nearly full.
    clean_file_forcibly_enable: bool = true, "cleanFileForciblyEnable", "cleanFileForciblyEnable";
    /// Pre-touch new files (ignored).
    warm_maped_file_enable: bool = false, "warmMapedFileEnable", "warmMapedFileEnable";
    /// Apply next-offset corrections on slaves too.
    offset_check_in_slave: bool = false, "offsetCheckInSlave", "offsetCheckInSlave";
    /// Lock debugging (ignored).
    debug_lock_enable: bool = false, "debugLockEnable", "debugLockEnable";
    /// Dispatch only up to the confirm offset.
    duplication_enable: bool = false, "duplicationEnable", "duplicationEnable";
    /// Record disk fall-behind stats (ignored).
    disk_fall_recorded: bool = true, "diskFallRecorded", "diskFallRecorded";
    /// Put lock held longer than this = OS_PAGECACHE_BUSY (ms).
    os_page_cache_busy_time_out_mills: i64 = 1000, "osPageCacheBusyTimeOutMills", "osPageCacheBusyTimeOutMills";
    /// Default query max results.
    default_query_max_num: i32 = 32, "defaultQueryMaxNum", "defaultQueryMaxNum";
    /// Transient store pool (ignored: on-disk format unaffected).
    transient_store_pool_enable: bool = false, "transientStorePoolEnable", "transientStorePoolEnable";
    /// Transient pool size.
    transient_store_pool_size: i32 = 5, "transientStorePoolSize", "transientStorePoolSize";
    /// Transient pool fast-fail.
    fast_fail_if_no_buffer_in_store_pool: bool = false, "fastFailIfNoBufferInStorePool", "fastFailIfNoBufferInStorePool";
    /// DLedger (unsupported; must stay false).
    enable_dleger_commit_log: bool = false, "enableDLegerCommitLog", "enableDLegerCommitLog";
    /// DLedger group.
    dleger_group: Option<String> = None, "dLegerGroup", "dLegerGroup";
    /// DLedger peers.
    dleger_peers: Option<String> = None, "dLegerPeers", "dLegerPeers";
    /// DLedger self id.
    dleger_self_id: Option<String> = None, "dLegerSelfId", "dLegerSelfId";
    /// DLedger preferred leader.
    preferred_leader_id: Option<String> = None, "preferredLeaderId", "preferredLeaderId";
    /// DLedger batch push.
    enable_batch_push: bool = false, "isEnableBatchPush", "enableBatchPush";
    /// Schedule stats.
    enable_schedule_message_stats: bool = true, "enableScheduleMessageStats", "enableScheduleMessageStats";
    /// LMQ (unsupported).
    enable_lmq: bool = false, "enableLmq", "enableLmq";
    /// Multi dispatch (unsupported).
    enable_multi_dispatch: bool = false, "enableMultiDispatch", "enableMultiDispatch";
    /// LMQ limit.
    max_lmq_consume_queue_num: i32 = 20000, "maxLmqConsumeQueueNum", "maxLmqConsumeQueueNum";
    /// Async schedule delivery.
    enable_schedule_async_deliver: bool = false, "enableScheduleAsyncDeliver", "enableScheduleAsyncDeliver";
    /// Async schedule pending limit.
    schedule_async_deliver_max_pending_limit: i32 = 2000, "scheduleAsyncDeliverMaxPendingLimit", "scheduleAsyncDeliverMaxPendingLimit";
    /// Async schedule resend limit.
    schedule_async_deliver_max_resend_num2_blocked: i32 = 3, "scheduleAsyncDeliverMaxResendNum2Blocked", "scheduleAsyncDeliverMaxResendNum2Blocked";
}

/// Consume-queue entry size (`ConsumeQueue.CQ_STORE_UNIT_SIZE`).
pub const CQ_STORE_UNIT_SIZE: i32 = 20;

impl MessageStoreConfig {
    /// Config rooted at `root` with all other values default.
    pub fn with_root(root: impl Into<String>) -> Self {
        MessageStoreConfig {
            store_path_root_dir: root.into(),
            ..Default::default()
        }
    }

    /// Set one field from its Java key. Returns `false` if the key is unknown. A value that
    /// does not parse leaves the field unchanged (as Java does) and is logged.
    pub fn set_property(&mut self, key: &str, value: &str) -> bool {
        match self.set_known(key, value.trim()) {
            None => false,
            Some(Ok(())) => true,
            Some(Err(e)) => {
                tracing::warn!(key, value, error = %e, "ignoring invalid store config value");
                true
            }
        }
    }

    /// Apply a Java properties map (`MixAll.properties2Object`); returns the keys this config
    /// does not know (for the broker's own config to consume).
    pub fn apply_properties<'a, I>(&mut self, props: I) -> Vec<String>
    where
        I: IntoIterator<Item = (&'a String, &'a String)>,
    {
        let mut unknown = Vec::new();
        for (k, v) in props {
            if !self.set_property(k, v) {
                unknown.push(k.clone());
            }
        }
        unknown
    }

    /// Convenience for a `HashMap<String, String>`.
    pub fn apply_map(&mut self, props: &HashMap<String, String>) -> Vec<String> {
        self.apply_properties(props.iter())
    }

    /// Root directory.
    pub fn root_dir(&self) -> PathBuf {
        PathBuf::from(&self.store_path_root_dir)
    }
    /// Commitlog directory (`getStorePathCommitLog`).
    pub fn commit_log_dir(&self) -> PathBuf {
        match &self.store_path_commit_log {
            Some(p) => PathBuf::from(p),
            None => self.root_dir().join("commitlog"),
        }
    }
    /// `<root>/consumequeue`.
    pub fn consume_queue_dir(&self) -> PathBuf {
        self.root_dir().join("consumequeue")
    }
    /// `<root>/consumequeue_ext`.
    pub fn consume_queue_ext_dir(&self) -> PathBuf {
        self.root_dir().join("consumequeue_ext")
    }
    /// `<root>/index`.
    pub fn index_dir(&self) -> PathBuf {
        self.root_dir().join("index")
    }
    /// `<root>/checkpoint`.
    pub fn checkpoint_path(&self) -> PathBuf {
        self.root_dir().join("checkpoint")
    }
    /// `<root>/abort`.
    pub fn abort_path(&self) -> PathBuf {
        self.root_dir().join("abort")
    }
    /// `<root>/lock`.
    pub fn lock_path(&self) -> PathBuf {
        self.root_dir().join("lock")
    }
    /// `<root>/config` (topics.json etc. live here).
    pub fn config_dir(&self) -> PathBuf {
        self.root_dir().join("config")
    }
    /// `<root>/config/delayOffset.json`.
    pub fn delay_offset_path(&self) -> PathBuf {
        self.config_dir().join("delayOffset.json")
    }

    /// `getMappedFileSizeConsumeQueue`: rounded up to a multiple of 20.
    pub fn consume_queue_file_size(&self) -> i32 {
        let v = self.mapped_file_size_consume_queue.max(CQ_STORE_UNIT_SIZE);
        (v + CQ_STORE_UNIT_SIZE - 1) / CQ_STORE_UNIT_SIZE * CQ_STORE_UNIT_SIZE
    }

    /// `getDiskMaxUsedSpaceRatio`: clamped to 10..=95.
    pub fn disk_max_used_space_ratio(&self) -> i32 {
        self.disk_max_used_space_ratio.clamp(10, 95)
    }

    /// Delay levels in ms, index 0 = level 1 (`ScheduleMessageService.parseDelayLevel`).
    pub fn delay_level_millis(&self) -> Result<Vec<i64>, String> {
        let mut out = Vec::new();
        for v in self.message_delay_level.split(' ') {
            if v.is_empty() {
                return Err(format!(
                    "bad messageDelayLevel {:?}",
                    self.message_delay_level
                ));
            }
            let (num, unit) = v.split_at(v.len() - 1);
            let unit_ms = match unit {
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                _ => return Err(format!("bad delay level unit in {v:?}")),
            };
            let n: i64 = num.parse().map_err(|_| format!("bad delay level {v:?}"))?;
            out.push(n * unit_ms);
        }
        Ok(out)
    }

    /// Check the parts of the config this implementation cannot honour.
    pub fn validate(&self) -> Result<(), crate::StoreError> {
        use crate::StoreError::Config;
        if self.enable_dleger_commit_log {
            return Err(Config(
                "enableDLegerCommitLog=true is not supported: DLedger (Raft) commitlogs are not \
                 implemented; use master/slave replication (brokerRole=ASYNC_MASTER, SYNC_MASTER \
                 or SLAVE with brokerId > 0) instead"
                    .into(),
            ));
        }
        if self.enable_consume_queue_ext {
            return Err(Config("enableConsumeQueueExt=true is not supported".into()));
        }
        if self
            .store_path_commit_log
            .as_deref()
            .is_some_and(|p| p.contains(','))
        {
            return Err(Config(
                "multi-path storePathCommitLog is not supported".into(),
            ));
        }
        if self.mapped_file_size_commit_log < 4096 {
            return Err(Config("mappedFileSizeCommitLog too small".into()));
        }
        if self.max_hash_slot_num <= 0 || self.max_index_num <= 1 {
            return Err(Config("maxHashSlotNum/maxIndexNum must be positive".into()));
        }
        self.delay_level_millis().map_err(Config)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_keys() {
        let c = MessageStoreConfig::with_root("/tmp/x");
        assert_eq!(c.mapped_file_size_commit_log, 1 << 30);
        assert_eq!(c.consume_queue_file_size(), 6_000_000);
        assert_eq!(c.commit_log_dir(), PathBuf::from("/tmp/x/commitlog"));
        assert_eq!(c.delay_level_millis().unwrap().len(), 18);
        assert_eq!(c.delay_level_millis().unwrap()[17], 7_200_000);
        let mut c = c;
        let mut m = HashMap::new();
        m.insert("mappedFileSizeCommitLog".to_string(), "10240".to_string());
        m.insert("flushDiskType".to_string(), "SYNC_FLUSH".to_string());
        m.insert("brokerRole".to_string(), "SLAVE".to_string());
        m.insert("messageIndexEnable".to_string(), "TRUE".to_string());
        m.insert("maxMessageSize".to_string(), "oops".to_string());
        m.insert("enableBatchPush".to_string(), "true".to_string());
        m.insert("brokerName".to_string(), "b".to_string());
        m.insert("mappedFileSizeConsumeQueue".to_string(), "101".to_string());
        let unknown = c.apply_map(&m);
        assert_eq!(unknown, vec!["brokerName".to_string()]);
        assert_eq!(c.mapped_file_size_commit_log, 10240);
        assert_eq!(c.flush_disk_type, FlushDiskType::SyncFlush);
        assert_eq!(c.broker_role, BrokerRole::Slave);
        assert!(c.enable_batch_push);
        assert_eq!(c.max_message_size, 4 * 1024 * 1024);
        assert_eq!(c.consume_queue_file_size(), 120);
        let props = c.to_properties();
        assert!(props
            .iter()
            .any(|(k, v)| k == "isEnableBatchPush" && v == "true"));
        assert!(props.iter().any(|(k, v)| k == "brokerRole" && v == "SLAVE"));
        assert!(!props.iter().any(|(k, _)| k == "storePathCommitLog"));
        assert_eq!(c.disk_max_used_space_ratio(), 75);
    }
}
