//! UPDATE_BROKER_CONFIG (25) and GET_BROKER_CONFIG (26): the broker's `Configuration`
//! (mirrors `common/.../Configuration.java` and `updateBrokerConfig` / `getBrokerConfig` of
//! `broker/.../processor/AdminBrokerProcessor.java`).
//!
//! Java's `Configuration` holds the four config objects (`BrokerConfig`,
//! `NettyServerConfig`, `NettyClientConfig`, `MessageStoreConfig`) plus the properties read
//! from the `-c` file, and prints them all as `key=value` lines (null fields left out). An
//! update sets the field on every object that has it, bumps the data version and rewrites
//! the `-c` file (or `~/store/config/broker.properties`) with every item.
//!
//! Here `BrokerConfig` changes apply live; the netty and store configs are held immutably
//! by the controller, so their changes are recorded as overrides: shown, persisted, and in
//! effect after a restart.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use protocol::body::{properties::properties_to_string, JsonBody};
use protocol::code::response;
use protocol::fastjson::order::{iteration_order, JavaMapKind};
use protocol::fastjson::Value;
use protocol::header::admin::GetBrokerConfigResponseHeader;
use protocol::RemotingCommand;
use tracing::{info, warn};

use super::state;
use super::success_null_remark;
use crate::config::{BrokerStartupConfig, ConfigObject, NettyClientConfig, Properties};
use crate::controller::BrokerController;
use crate::error::BrokerResult;
use crate::processor::{Reply, RequestContext};

/// `BrokerPathConfigHelper.getBrokerConfigPath()`: the `-c` file of this process, else
/// `~/store/config/broker.properties`.
fn broker_config_path() -> PathBuf {
    let from_cmdline = std::fs::read("/proc/self/cmdline").ok().and_then(|raw| {
        let args: Vec<String> = raw
            .split(|b| *b == 0)
            .skip(1)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        crate::startup::parse_args(&args).ok()?.config_file
    });
    match from_cmdline {
        Some(p) => PathBuf::from(p),
        None => {
            let home = std::env::var("HOME").unwrap_or_else(|_| ".".to_string());
            PathBuf::from(home)
                .join("store")
                .join("config")
                .join("broker.properties")
        }
    }
}

/// The `-c` file's properties: the netty client config they describe, and the keys no
/// config object knows (Java keeps those in `allConfigs` too).
fn file_properties() -> (NettyClientConfig, Vec<(String, String)>) {
    let mut fresh = BrokerStartupConfig::default();
    let Ok(text) = std::fs::read_to_string(broker_config_path()) else {
        return (fresh.netty_client, Vec::new());
    };
    let props = Properties::parse(&text);
    let report = fresh.apply(&props);
    let unknown: HashSet<String> = report.unknown.into_iter().collect();
    let extra = props
        .iter()
        .filter(|(k, _)| unknown.contains(*k))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    (fresh.netty_client, extra)
}

/// `getAllConfigsInternal`: every item of every config object (nulls left out), the
/// overrides, and the unknown `-c` keys.
fn all_configs(broker: &Arc<BrokerController>) -> Vec<(String, String)> {
    let mut items: BTreeMap<String, String> = BTreeMap::new();
    {
        let b = broker.broker_config();
        for (k, v, _) in b.properties() {
            let java_null = (k == "rocketmqHome" && b.rocketmq_home.is_none())
                || (k == "namesrvAddr" && b.namesrv_addr.is_none());
            if !java_null {
                items.insert(k.to_string(), v);
            }
        }
    }
    for (k, v, _) in broker.netty_server_config().properties() {
        items.insert(k.to_string(), v);
    }
    let (netty_client, extra) = file_properties();
    for (k, v, _) in netty_client.properties() {
        items.insert(k.to_string(), v);
    }
    for (k, v) in broker.store_config().to_properties() {
        items.insert(k, v);
    }
    if !items.contains_key("storePathCommitLog") {
        // Java's default is `${user.home}/store/commitlog`, not derived from the root dir.
        let home = std::env::var("HOME").unwrap_or_default();
        items.insert(
            "storePathCommitLog".to_string(),
            format!("{home}/store/commitlog"),
        );
    }
    {
        // Java's `ConsumerFilterManager` constructor sets the store's
        // `bitMapLengthConsumeQueueExt` to the bloom filter's bit count.
        let b = broker.broker_config();
        if let Ok(bloom) = filter::BloomFilter::create_by_fn(
            b.max_error_rate_of_bloom_filter,
            b.expect_consumer_num_use_filter,
        ) {
            items.insert(
                "bitMapLengthConsumeQueueExt".to_string(),
                bloom.m().to_string(),
            );
        }
    }
    for (k, v) in state::of(broker).config.lock().overrides.iter() {
        items.insert(k.clone(), v.clone());
    }
    for (k, v) in extra {
        items.entry(k).or_insert(v);
    }
    // `Properties` (JDK 9+) iterates its internal `ConcurrentHashMap(8)`.
    let entries: Vec<(String, String)> = items.into_iter().collect();
    let keys: Vec<Value> = entries
        .iter()
        .map(|(k, _)| Value::String(k.clone()))
        .collect();
    iteration_order(&keys, JavaMapKind::ConcurrentHashMap { initial: 8 })
        .into_iter()
        .filter_map(|i| entries.get(i).cloned())
        .collect()
}

/// `Configuration.getAllConfigsFormatString()`.
fn all_configs_text(broker: &Arc<BrokerController>) -> String {
    properties_to_string(all_configs(broker))
}

/// GET_BROKER_CONFIG: properties text, `version` = the configuration's data version.
pub fn get_broker_config(broker: &Arc<BrokerController>) -> BrokerResult<Reply> {
    let text = all_configs_text(broker);
    let version = state::of(broker).config.lock().data_version.to_json();
    let mut resp = RemotingCommand::response_with(
        response::SUCCESS,
        &GetBrokerConfigResponseHeader { version },
    );
    if !text.is_empty() {
        resp = resp.with_body(text.into_bytes());
    }
    Ok(Some(resp))
}

/// Whether a fresh object of the non-live configs accepts `key=value`.
fn settable_elsewhere(key: &str, value: &str) -> bool {
    let mut scratch = BrokerStartupConfig::default();
    matches!(scratch.netty_server.set_property(key, value), Ok(true))
        || matches!(scratch.netty_client.set_property(key, value), Ok(true))
        || matches!(
            ConfigObject::set_property(&mut scratch.store, key, value),
            Ok(true)
        )
}

/// UPDATE_BROKER_CONFIG: the body is properties text. A `brokerPermission` change is
/// registered with the namesrvs at once.
pub async fn update_broker_config(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    info!(peer = %ctx.remote_addr(), "updateBrokerConfig called");
    let Some(body) = req.body.as_ref() else {
        return Ok(Some(success_null_remark()));
    };
    let text = String::from_utf8_lossy(body);
    let props = Properties::parse(&text);
    info!(config = ?props.iter().collect::<Vec<_>>(), peer = %ctx.remote_addr(), "updateBrokerConfig, new config");
    let st = state::of(broker);
    for (k, v) in props.iter() {
        let mut live = false;
        broker.update_broker_config(|c| match c.set_property(k, v) {
            Ok(known) => live = known,
            Err(e) => {
                live = true;
                warn!(key = k, value = v, error = %e, "updateBrokerConfig: value ignored");
            }
        });
        if !live {
            if settable_elsewhere(k, v) {
                info!(
                    key = k,
                    value = v,
                    "updateBrokerConfig: takes effect after a restart"
                );
                st.config
                    .lock()
                    .overrides
                    .insert(k.to_string(), v.to_string());
            } else {
                warn!(key = k, "updateBrokerConfig: unknown key ignored");
            }
        }
    }
    st.config.lock().data_version.next_version();
    persist(broker);
    if props.get("brokerPermission").is_some() {
        // Java: topicConfigManager.getDataVersion().nextVersion(); registerBrokerAll(...).
        // Re-storing one topic bumps the topic table's version the same way.
        let name = broker.broker_config().broker_name.clone();
        if let Some(tc) = broker.topic_config_manager.select(&name) {
            broker.topic_config_manager.update_topic_config(tc);
        }
        broker.register_broker_all(false, false).await;
    }
    Ok(Some(success_null_remark()))
}

/// `Configuration.persist()`: every item into the broker config file.
fn persist(broker: &Arc<BrokerController>) {
    let path = broker_config_path();
    let text = all_configs_text(broker);
    if let Err(e) = crate::config_file::write_atomically(&path, &text) {
        warn!(file = %path.display(), error = %e, "persist broker config failed");
    }
}
