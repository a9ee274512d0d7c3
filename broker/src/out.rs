//! Broker → namesrv calls (mirrors `broker/.../out/BrokerOuterAPI.java`): REGISTER_BROKER to
//! every namesrv of `namesrvAddr` (in parallel, each on a connection that stays open, because
//! a namesrv drops a broker's routes when its registration connection closes), and
//! UNREGISTER_BROKER at shutdown.

use std::collections::HashMap;
use std::time::Duration;

use futures::future::join_all;
use protocol::code::{request, response};
use protocol::header::namesrv::{
    RegisterBrokerRequestHeader, RegisterBrokerResponseHeader, UnRegisterBrokerRequestHeader,
};
use protocol::net::RemotingClient;
use protocol::RemotingCommand;
use tracing::{info, warn};

use crate::body::{KVTable, RegisterBrokerBody, TopicConfigSerializeWrapper};

/// Who this broker is, for registration.
#[derive(Debug, Clone)]
pub struct BrokerIdentity {
    /// `brokerClusterName`.
    pub cluster_name: String,
    /// `brokerIP1:listenPort`.
    pub broker_addr: String,
    /// `brokerName`.
    pub broker_name: String,
    /// `brokerId`.
    pub broker_id: i64,
    /// `brokerIP2:haListenPort`.
    pub ha_server_addr: String,
}

/// `RegisterBrokerResult`.
#[derive(Debug, Clone, Default)]
pub struct RegisterBrokerResult {
    /// The master's HA address (for a slave).
    pub ha_server_addr: Option<String>,
    /// The master's address (for a slave).
    pub master_addr: Option<String>,
    /// The namesrv's `ORDER_TOPIC_CONFIG` table.
    pub kv_table: Option<HashMap<String, String>>,
}

/// Client side of the namesrv protocol.
pub struct BrokerOuterApi {
    client: RemotingClient,
    namesrv_addrs: parking_lot::RwLock<Vec<String>>,
}

/// `CRC32(body) & 0x7FFFFFFF` (`UtilAll.crc32`).
pub fn body_crc32(body: &[u8]) -> i32 {
    (crc32fast::hash(body) & 0x7FFF_FFFF) as i32
}

impl BrokerOuterApi {
    /// A client for the `;`-separated `namesrv_addr` list.
    pub fn new(namesrv_addr: Option<&str>) -> Self {
        let api = BrokerOuterApi {
            client: RemotingClient::new(),
            namesrv_addrs: parking_lot::RwLock::new(Vec::new()),
        };
        if let Some(a) = namesrv_addr {
            api.update_namesrv_address_list(a);
        }
        api
    }

    /// `updateNameServerAddressList`.
    pub fn update_namesrv_address_list(&self, addrs: &str) {
        let list: Vec<String> = addrs
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        *self.namesrv_addrs.write() = list;
    }

    /// The configured namesrvs.
    pub fn namesrv_addrs(&self) -> Vec<String> {
        self.namesrv_addrs.read().clone()
    }

    /// `registerBrokerAll`: register with every namesrv in parallel; returns the results of
    /// those that answered SUCCESS (none when `oneway`).
    pub async fn register_broker_all(
        &self,
        id: &BrokerIdentity,
        topics: TopicConfigSerializeWrapper,
        oneway: bool,
        timeout: Duration,
        compressed: bool,
    ) -> Vec<RegisterBrokerResult> {
        let addrs = self.namesrv_addrs();
        if addrs.is_empty() {
            return Vec::new();
        }
        let body = RegisterBrokerBody {
            topic_config_serialize_wrapper: topics,
            filter_server_list: Vec::new(),
        };
        let body = bytes::Bytes::from(body.encode_with(compressed));
        let header = RegisterBrokerRequestHeader {
            broker_name: id.broker_name.clone(),
            broker_addr: id.broker_addr.clone(),
            cluster_name: id.cluster_name.clone(),
            ha_server_addr: id.ha_server_addr.clone(),
            broker_id: id.broker_id,
            compressed,
            body_crc32: Some(body_crc32(&body)),
        };
        let calls = addrs.iter().map(|addr| {
            let cmd = RemotingCommand::request_with(request::REGISTER_BROKER, &header)
                .with_body(body.clone());
            async move {
                let r = self.register_one(addr, cmd, oneway, timeout).await;
                match &r {
                    Ok(_) => info!(namesrv = %addr, broker_id = id.broker_id, "register broker to name server OK"),
                    Err(e) => warn!(namesrv = %addr, error = %e, "register broker to name server failed"),
                }
                r.ok().flatten()
            }
        });
        join_all(calls).await.into_iter().flatten().collect()
    }

    async fn register_one(
        &self,
        addr: &str,
        cmd: RemotingCommand,
        oneway: bool,
        timeout: Duration,
    ) -> Result<Option<RegisterBrokerResult>, String> {
        if oneway {
            self.client
                .invoke_oneway(addr, cmd)
                .await
                .map_err(|e| e.to_string())?;
            return Ok(None);
        }
        let resp = self
            .client
            .invoke(addr, cmd, timeout)
            .await
            .map_err(|e| e.to_string())?;
        if resp.code != response::SUCCESS {
            return Err(format!(
                "code {} remark {}",
                resp.code,
                resp.remark.as_deref().unwrap_or("")
            ));
        }
        let h: RegisterBrokerResponseHeader = resp.decode_header().map_err(|e| e.to_string())?;
        let kv_table = match resp.body.as_deref() {
            Some(b) if !b.is_empty() => protocol::fastjson::from_slice::<KVTable>(b)
                .ok()
                .map(|t| t.table),
            _ => None,
        };
        Ok(Some(RegisterBrokerResult {
            ha_server_addr: h.ha_server_addr,
            master_addr: h.master_addr,
            kv_table,
        }))
    }

    /// `unregisterBrokerAll`.
    pub async fn unregister_broker_all(&self, id: &BrokerIdentity) {
        let header = UnRegisterBrokerRequestHeader {
            broker_name: id.broker_name.clone(),
            broker_addr: id.broker_addr.clone(),
            cluster_name: id.cluster_name.clone(),
            broker_id: id.broker_id,
        };
        for addr in self.namesrv_addrs() {
            let cmd = RemotingCommand::request_with(request::UNREGISTER_BROKER, &header);
            match self.client.invoke(&addr, cmd, Duration::from_secs(3)).await {
                Ok(r) if r.code == response::SUCCESS => {
                    info!(namesrv = %addr, "unregisterBroker OK")
                }
                Ok(r) => {
                    warn!(namesrv = %addr, code = r.code, remark = ?r.remark, "unregisterBroker refused")
                }
                Err(e) => warn!(namesrv = %addr, error = %e, "unregisterBroker failed"),
            }
        }
    }

    /// Close every namesrv connection.
    pub async fn shutdown(&self) {
        for addr in self.namesrv_addrs() {
            self.client.close(&addr).await;
        }
    }
}
