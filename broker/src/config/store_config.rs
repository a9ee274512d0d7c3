//! The store's `MessageStoreConfig` as one of the broker's config objects: it is filled from
//! the same `broker.conf` and printed by `-p`/`-m` after the broker's own objects.
//!
//! The keys themselves live in the store crate (`store::config::MessageStoreConfig`, Java
//! names and defaults). Note: the legacy key `mapedFileSizeCommitLog` (RocketMQ ≤ 4.2) is not
//! a 4.9.7 key; Java ignores it and so do we (it is reported as unknown), because a commitlog
//! written with another file size could not be loaded by a Java broker.

pub use store::config::{BrokerRole, FlushDiskType, MessageStoreConfig};

use super::ConfigObject;

/// `@ImportantField`s of `MessageStoreConfig` (what `-m` prints).
const IMPORTANT: &[&str] = &[
    "storePathRootDir",
    "storePathCommitLog",
    "storePathDLedgerCommitLog",
    "flushIntervalCommitLog",
    "commitIntervalCommitLog",
    "flushCommitLogTimed",
    "deleteWhen",
    "fileReservedTime",
    "maxTransferBytesOnMessageInMemory",
    "maxTransferCountOnMessageInMemory",
    "maxTransferBytesOnMessageInDisk",
    "maxTransferCountOnMessageInDisk",
    "accessMessageInMemoryMaxRatio",
    "messageIndexEnable",
    "messageIndexSafe",
    "haMasterAddress",
    "brokerRole",
    "flushDiskType",
    "cleanFileForciblyEnable",
    "transientStorePoolEnable",
];

/// The store config as the broker holds it.
pub type StoreConfig = MessageStoreConfig;

impl ConfigObject for MessageStoreConfig {
    fn set_property(&mut self, key: &str, value: &str) -> Result<bool, String> {
        Ok(MessageStoreConfig::set_property(self, key, value))
    }

    fn properties(&self) -> Vec<(&'static str, String, bool)> {
        let values = self.to_properties();
        MessageStoreConfig::KEYS
            .iter()
            .map(|key| {
                let field = if *key == "enableBatchPush" {
                    "isEnableBatchPush"
                } else {
                    key
                };
                let v = values
                    .iter()
                    .find(|(k, _)| k == field)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                (*key, v, IMPORTANT.contains(key))
            })
            .collect()
    }
}

/// Helpers the broker needs on the store config.
pub trait StoreConfigExt {
    /// `brokerRole`.
    fn broker_role(&self) -> BrokerRole;
    /// `haListenPort`.
    fn ha_listen_port(&self) -> i32;
    /// Set `haListenPort`.
    fn set_ha_listen_port(&mut self, port: i32);
}

impl StoreConfigExt for MessageStoreConfig {
    fn broker_role(&self) -> BrokerRole {
        self.broker_role
    }
    fn ha_listen_port(&self) -> i32 {
        self.ha_listen_port
    }
    fn set_ha_listen_port(&mut self, port: i32) {
        self.ha_listen_port = port;
    }
}
