//! Consumer group configurations (mirrors `broker/.../subscription/SubscriptionGroupManager.java`):
//! the built-in groups, `subscriptionGroup.json`, and auto-creation of a group the first time
//! it is looked up (`autoCreateSubscriptionGroup`, or always for `CID_RMQ_SYS_*` groups).

use std::collections::HashMap;
use std::path::PathBuf;

use parking_lot::RwLock;
use tracing::{info, warn};

use crate::body::{DataVersion, SubscriptionGroupConfig, SubscriptionGroupWrapper};
use crate::config_file;
use crate::error::BrokerError;

/// `MixAll.TOOLS_CONSUMER_GROUP` etc.
const BUILT_IN: &[(&str, bool)] = &[
    ("TOOLS_CONSUMER", false),
    ("FILTERSRV_CONSUMER", false),
    ("SELF_TEST_C_GROUP", false),
    ("CID_ONS-HTTP-PROXY", true),
    ("CID_ONSAPI_PULL", true),
    ("CID_ONSAPI_PERMISSION", true),
    ("CID_ONSAPI_OWNER", true),
];

/// `MixAll.CID_SYS_RMQ_TRANS` prefix test (`isSysConsumerGroup`).
pub fn is_sys_consumer_group(group: &str) -> bool {
    group.starts_with("CID_RMQ_SYS_")
}

struct Table {
    groups: HashMap<String, SubscriptionGroupConfig>,
    data_version: DataVersion,
}

/// The group table.
pub struct SubscriptionGroupManager {
    table: RwLock<Table>,
    auto_create: bool,
    path: PathBuf,
}

fn group(name: &str) -> SubscriptionGroupConfig {
    SubscriptionGroupConfig {
        group_name: name.to_string(),
        ..SubscriptionGroupConfig::default()
    }
}

impl SubscriptionGroupManager {
    /// Built-in groups; `path` is `<storePathRootDir>/config/subscriptionGroup.json`.
    pub fn new(auto_create: bool, path: PathBuf) -> Self {
        let mut groups = HashMap::new();
        for (name, broadcast) in BUILT_IN {
            let mut g = group(name);
            if *broadcast {
                g.consume_broadcast_enable = true;
            }
            groups.insert(name.to_string(), g);
        }
        SubscriptionGroupManager {
            table: RwLock::new(Table {
                groups,
                data_version: DataVersion::default(),
            }),
            auto_create,
            path,
        }
    }

    /// Merge `subscriptionGroup.json` over the built-in groups.
    pub fn load(&self) -> Result<(), BrokerError> {
        config_file::load_with_backup(&self.path, |text| {
            let w: SubscriptionGroupWrapper =
                protocol::fastjson::from_str(text).map_err(|e| e.to_string())?;
            let mut t = self.table.write();
            for (name, g) in w.subscription_group_table {
                t.groups.insert(name, g);
            }
            t.data_version = w.data_version;
            Ok(())
        })
    }

    /// Write `subscriptionGroup.json`.
    pub fn persist(&self) {
        let text = protocol::fastjson::to_string_pretty(&self.build_wrapper());
        match text {
            Ok(text) => {
                if let Err(e) = config_file::write_atomically(&self.path, &text) {
                    warn!(error = %e, "persist subscriptionGroup.json failed");
                }
            }
            Err(e) => warn!(error = %e, "encode subscriptionGroup.json failed"),
        }
    }

    /// `findSubscriptionGroupConfig`, auto-creating the group when allowed.
    pub fn find(&self, group_name: &str) -> Option<SubscriptionGroupConfig> {
        if let Some(g) = self.table.read().groups.get(group_name) {
            return Some(g.clone());
        }
        if !(self.auto_create || is_sys_consumer_group(group_name)) {
            return None;
        }
        let g = {
            let mut t = self.table.write();
            let g = t
                .groups
                .entry(group_name.to_string())
                .or_insert_with(|| {
                    info!(group = group_name, "auto create a subscription group");
                    group(group_name)
                })
                .clone();
            t.data_version.next_version();
            g
        };
        self.persist();
        Some(g)
    }

    /// `updateSubscriptionGroupConfig` (admin).
    pub fn update(&self, cfg: SubscriptionGroupConfig) {
        {
            let mut t = self.table.write();
            t.groups.insert(cfg.group_name.clone(), cfg);
            t.data_version.next_version();
        }
        self.persist();
    }

    /// `deleteSubscriptionGroupConfig` (admin).
    pub fn delete(&self, group_name: &str) -> bool {
        let removed = {
            let mut t = self.table.write();
            let removed = t.groups.remove(group_name).is_some();
            if removed {
                t.data_version.next_version();
            }
            removed
        };
        if removed {
            self.persist();
        }
        removed
    }

    /// `disableConsume`.
    pub fn disable_consume(&self, group_name: &str) {
        let mut t = self.table.write();
        if let Some(g) = t.groups.get_mut(group_name) {
            g.consume_enable = false;
            t.data_version.next_version();
        }
    }

    /// `SlaveSynchronize.syncSubscriptionGroupConfig`: when the master's data version
    /// differs, replace the whole table and version and persist. Returns whether it did.
    pub fn replace_from_master(&self, w: SubscriptionGroupWrapper) -> bool {
        {
            let mut t = self.table.write();
            if t.data_version == w.data_version {
                return false;
            }
            t.data_version.assign_new_one(&w.data_version);
            t.groups = w.subscription_group_table;
        }
        self.persist();
        true
    }

    /// Snapshot (GET_ALL_SUBSCRIPTIONGROUP_CONFIG, persistence).
    pub fn build_wrapper(&self) -> SubscriptionGroupWrapper {
        let t = self.table.read();
        SubscriptionGroupWrapper {
            subscription_group_table: t.groups.clone(),
            data_version: t.data_version,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_ins_auto_create_and_persistence() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("subscriptionGroup.json");
        let m = SubscriptionGroupManager::new(false, path.clone());
        assert!(m.find("TOOLS_CONSUMER").is_some());
        assert_eq!(
            m.find("CID_ONSAPI_PULL")
                .map(|g| g.consume_broadcast_enable),
            Some(true)
        );
        assert!(m.find("unknown").is_none(), "no auto-create when disabled");
        assert!(
            m.find("CID_RMQ_SYS_TRANS").is_some(),
            "system groups are always created"
        );

        let m = SubscriptionGroupManager::new(true, path.clone());
        let g = m.find("g1").unwrap_or_else(|| panic!("not auto-created"));
        assert_eq!(
            (
                g.retry_queue_nums,
                g.retry_max_times,
                g.which_broker_when_consume_slowly
            ),
            (1, 16, 1)
        );
        let again = SubscriptionGroupManager::new(false, path);
        again.load().unwrap_or_else(|e| panic!("{e}"));
        assert!(again.find("g1").is_some(), "persisted on auto-create");
    }
}
