//! Metadata sync from the master (mirrors `broker/.../slave/SlaveSynchronize.java` and the
//! four getters of `BrokerOuterAPI.java` it uses). A slave runs [`SlaveSynchronize::sync_all`]
//! every 10 s (first after 3 s); each step is skipped while the master address is unknown or
//! is our own address.
//!
//! | step | request (no header, no body, 3 s timeout) | sent to | on success |
//! |---|---|---|---|
//! | topics | GET_ALL_TOPIC_CONFIG (21) | master's VIP port (`masterAddr` port − 2) | if the `dataVersion` differs: replace the table, copy the version, persist `topics.json` |
//! | consumer offsets | GET_ALL_CONSUMER_OFFSET (43) | `masterAddr` | merge (`putAll`, master wins per `topic@group`), persist |
//! | delay offsets | GET_ALL_DELAY_OFFSET (45) | `masterAddr` | write the body verbatim to `delayOffset.json` |
//! | subscription groups | GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201) | `masterAddr` | if the `dataVersion` differs: replace, persist |
//!
//! Response bodies are fastjson (`TopicConfigSerializeWrapper`,
//! `ConsumerOffsetSerializeWrapper` with bare integer keys, `DelayOffsetSerializeWrapper`,
//! `SubscriptionGroupWrapper`); a non-SUCCESS code is logged and the step skipped.

use std::time::Duration;

use parking_lot::RwLock;
use protocol::code::{request, response};
use protocol::net::RemotingClient;
use protocol::RemotingCommand;
use tracing::{error, info};

use crate::body::{
    ConsumerOffsetSerializeWrapper, SubscriptionGroupWrapper, TopicConfigSerializeWrapper,
};
use crate::controller::BrokerController;

/// `BrokerOuterAPI` getters' timeout.
const TIMEOUT: Duration = Duration::from_secs(3);

/// Why one sync step failed.
#[derive(Debug, thiserror::Error)]
pub enum SlaveSyncError {
    /// The call did not complete.
    #[error("{code_name} to {addr}: {source}")]
    Remote {
        /// Request name.
        code_name: &'static str,
        /// Where it went.
        addr: String,
        /// Cause.
        #[source]
        source: protocol::ProtocolError,
    },
    /// The master answered with an error code (Java: `MQBrokerException`).
    #[error("{code_name} to {addr}: code {code}, remark {remark}")]
    Refused {
        /// Request name.
        code_name: &'static str,
        /// Where it went.
        addr: String,
        /// Response code.
        code: i32,
        /// Response remark.
        remark: String,
    },
    /// The body did not decode.
    #[error("{code_name} from {addr}: bad body: {reason}")]
    BadBody {
        /// Request name.
        code_name: &'static str,
        /// Where it came from.
        addr: String,
        /// Decoder message.
        reason: String,
    },
    /// `masterAddr` is not `host:port`.
    #[error("bad master address {0}")]
    BadAddr(String),
    /// Writing `delayOffset.json` failed.
    #[error("persist {path}: {reason}")]
    Persist {
        /// File.
        path: String,
        /// Cause.
        reason: String,
    },
}

/// `SlaveSynchronize`.
pub struct SlaveSynchronize {
    master_addr: RwLock<Option<String>>,
    client: RemotingClient,
}

impl Default for SlaveSynchronize {
    fn default() -> Self {
        Self::new()
    }
}

/// `MixAll.brokerVIPChannel(true, addr)`: the same host, port − 2.
pub fn vip_channel(addr: &str) -> Result<String, SlaveSyncError> {
    let (host, port) = addr
        .rsplit_once(':')
        .ok_or_else(|| SlaveSyncError::BadAddr(addr.to_string()))?;
    let port: i32 = port
        .parse()
        .map_err(|_| SlaveSyncError::BadAddr(addr.to_string()))?;
    Ok(format!("{host}:{}", port - 2))
}

impl SlaveSynchronize {
    /// No master known yet.
    pub fn new() -> Self {
        SlaveSynchronize {
            master_addr: RwLock::new(None),
            client: RemotingClient::new(),
        }
    }

    /// `setMasterAddr` (from each registration result; `None` on a master).
    pub fn set_master_addr(&self, addr: Option<String>) {
        let mut cur = self.master_addr.write();
        if *cur != addr {
            info!(old = ?*cur, new = ?addr, "slave synchronize master address");
            *cur = addr;
        }
    }

    /// `getMasterAddr`.
    pub fn master_addr(&self) -> Option<String> {
        self.master_addr.read().clone()
    }

    /// The master to sync from, unless unknown or ourselves.
    fn target(&self, broker: &BrokerController) -> Option<String> {
        self.master_addr().filter(|m| *m != broker.broker_addr())
    }

    /// `syncAll`: topics, consumer offsets, delay offsets, subscription groups; a failed step
    /// is logged and does not stop the others.
    pub async fn sync_all(&self, broker: &BrokerController) {
        let Some(master) = self.target(broker) else {
            return;
        };
        if let Err(e) = self.sync_topic_config(broker, &master).await {
            error!(master = %master, error = %e, "SyncTopicConfig Exception");
        }
        if let Err(e) = self.sync_consumer_offset(broker, &master).await {
            error!(master = %master, error = %e, "SyncConsumerOffset Exception");
        }
        if let Err(e) = self.sync_delay_offset(broker, &master).await {
            error!(master = %master, error = %e, "SyncDelayOffset Exception");
        }
        if let Err(e) = self.sync_subscription_group_config(broker, &master).await {
            error!(master = %master, error = %e, "SyncSubscriptionGroup Exception");
        }
    }

    /// One request with no header; the SUCCESS body.
    async fn call(
        &self,
        addr: &str,
        code: i32,
        code_name: &'static str,
    ) -> Result<bytes::Bytes, SlaveSyncError> {
        let resp = self
            .client
            .invoke(addr, RemotingCommand::request(code), TIMEOUT)
            .await
            .map_err(|source| SlaveSyncError::Remote {
                code_name,
                addr: addr.to_string(),
                source,
            })?;
        if resp.code != response::SUCCESS {
            return Err(SlaveSyncError::Refused {
                code_name,
                addr: addr.to_string(),
                code: resp.code,
                remark: resp.remark.unwrap_or_default(),
            });
        }
        Ok(resp.body.unwrap_or_default())
    }

    fn decode<T: serde::de::DeserializeOwned>(
        body: &[u8],
        addr: &str,
        code_name: &'static str,
    ) -> Result<T, SlaveSyncError> {
        protocol::fastjson::from_slice(body).map_err(|e| SlaveSyncError::BadBody {
            code_name,
            addr: addr.to_string(),
            reason: e.to_string(),
        })
    }

    async fn sync_topic_config(
        &self,
        broker: &BrokerController,
        master: &str,
    ) -> Result<(), SlaveSyncError> {
        const NAME: &str = "GET_ALL_TOPIC_CONFIG";
        let vip = vip_channel(master)?;
        let body = self.call(&vip, request::GET_ALL_TOPIC_CONFIG, NAME).await?;
        let w: TopicConfigSerializeWrapper = Self::decode(&body, &vip, NAME)?;
        if broker.topic_config_manager.replace_from_master(w) {
            info!(master, "Update slave topic config from master");
        }
        Ok(())
    }

    async fn sync_consumer_offset(
        &self,
        broker: &BrokerController,
        master: &str,
    ) -> Result<(), SlaveSyncError> {
        const NAME: &str = "GET_ALL_CONSUMER_OFFSET";
        let body = self
            .call(master, request::GET_ALL_CONSUMER_OFFSET, NAME)
            .await?;
        let w: ConsumerOffsetSerializeWrapper = Self::decode(&body, master, NAME)?;
        broker.consumer_offset_manager.put_all(w.offset_table);
        broker.consumer_offset_manager.persist();
        info!(master, "Update slave consumer offset from master");
        Ok(())
    }

    async fn sync_delay_offset(
        &self,
        broker: &BrokerController,
        master: &str,
    ) -> Result<(), SlaveSyncError> {
        const NAME: &str = "GET_ALL_DELAY_OFFSET";
        let body = self
            .call(master, request::GET_ALL_DELAY_OFFSET, NAME)
            .await?;
        // Java writes the body verbatim (`MixAll.string2File`)
        let text = String::from_utf8_lossy(&body).into_owned();
        let path = std::path::Path::new(&broker.store_config().store_path_root_dir)
            .join("config")
            .join("delayOffset.json");
        crate::config_file::write_atomically(&path, &text).map_err(|e| {
            SlaveSyncError::Persist {
                path: path.display().to_string(),
                reason: e.to_string(),
            }
        })?;
        info!(master, "Update slave delay offset from master");
        Ok(())
    }

    async fn sync_subscription_group_config(
        &self,
        broker: &BrokerController,
        master: &str,
    ) -> Result<(), SlaveSyncError> {
        const NAME: &str = "GET_ALL_SUBSCRIPTIONGROUP_CONFIG";
        let body = self
            .call(master, request::GET_ALL_SUBSCRIPTIONGROUP_CONFIG, NAME)
            .await?;
        let w: SubscriptionGroupWrapper = Self::decode(&body, master, NAME)?;
        if broker.subscription_group_manager.replace_from_master(w) {
            info!(master, "Update slave Subscription Group from master");
        }
        Ok(())
    }

    /// Close the connections to the master.
    pub async fn shutdown(&self) {
        if let Some(m) = self.master_addr() {
            self.client.close(&m).await;
            if let Ok(v) = vip_channel(&m) {
                self.client.close(&v).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vip_port_is_two_below() {
        assert_eq!(
            vip_channel("127.0.0.1:10911").ok().as_deref(),
            Some("127.0.0.1:10909")
        );
        assert!(vip_channel("nohost").is_err());
    }
}
