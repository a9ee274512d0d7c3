//! `mqnamesrv`: a drop-in replacement for the RocketMQ 4.9.7 name server (mirrors
//! `org.apache.rocketmq.namesrv.NamesrvController`).
//!
//! Brokers register their topics here every 30 s (REGISTER_BROKER) and keep that connection
//! open; clients and mqadmin ask for routes, cluster info, topic lists and the KV config.
//! A broker's routes go away when its connection closes or when it stays silent longer than
//! `brokerChannelExpiredTimeMs` (Java: 120 s, checked every 10 s).
//!
//! Embedding (tests do this): build a [`config::Config`], bind a listener, call [`run`].

pub mod config;
pub mod error;
pub mod headers;
pub mod javaorder;
pub mod kv;
mod processor;
pub mod route;
pub mod startup;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Mutex, RwLock};
use protocol::body::properties::properties_to_string;
use protocol::net::{serve, Channel, ServerConfig};
use tokio::net::TcpListener;
use tracing::{error, info};

pub use config::Config;
pub use error::NamesrvError;

use kv::KvConfigManager;
use route::RouteInfoManager;

/// The name server: configuration, routing tables, KV config and the open connections.
pub struct Namesrv {
    config: RwLock<Config>,
    config_persist_lock: Mutex<()>,
    route: RouteInfoManager,
    kv: KvConfigManager,
    channels: Mutex<HashMap<u64, Channel>>,
}

impl std::fmt::Debug for Namesrv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Namesrv").finish_non_exhaustive()
    }
}

impl Namesrv {
    /// `NamesrvController` + `initialize`: loads the KV config file.
    pub fn new(config: Config) -> Result<Arc<Namesrv>, NamesrvError> {
        let kv = KvConfigManager::new(&config.namesrv.kv_config_path);
        kv.load()?;
        Ok(Arc::new(Namesrv {
            config: RwLock::new(config),
            config_persist_lock: Mutex::new(()),
            route: RouteInfoManager::new(),
            kv,
            channels: Mutex::new(HashMap::new()),
        }))
    }

    /// The routing tables.
    pub fn route(&self) -> &RouteInfoManager {
        &self.route
    }

    /// A copy of the live configuration.
    pub fn config(&self) -> Config {
        self.config.read().clone()
    }

    /// GET_NAMESRV_CONFIG's body: every config item as `key=value\n`.
    pub fn config_text(&self) -> String {
        properties_to_string(self.config.read().all_configs())
    }

    /// `Configuration.update` + `persist`: apply, then write every item to
    /// `configStorePath`.
    pub(crate) fn update_and_persist_config(&self, props: &[(String, String)]) {
        let _serial = self.config_persist_lock.lock();
        let path = {
            let mut c = self.config.write();
            c.update(props);
            c.namesrv.config_store_path.clone()
        };
        let text = self.config_text();
        info!(path = %path, keys = props.len(), "namesrv config updated");
        if let Err(e) = kv::string_to_file(&text, std::path::Path::new(&path)) {
            error!(path = %path, error = %e, "persisting the namesrv config failed");
        }
    }

    /// Serve `listener` until `shutdown` completes, expiring silent brokers meanwhile. On
    /// shutdown every connection is closed and the KV table is written once more.
    pub async fn serve(
        self: &Arc<Self>,
        listener: TcpListener,
        shutdown: impl Future<Output = ()>,
    ) {
        let scanner = tokio::spawn(scan_not_active_brokers(self.clone()));
        let local = listener.local_addr().ok();
        info!(addr = ?local, "name server serving");
        serve(listener, self.clone(), ServerConfig::default(), shutdown).await;
        scanner.abort();
        let open: Vec<Channel> = self.channels.lock().values().cloned().collect();
        for ch in open {
            ch.close();
        }
        self.kv.persist();
        info!("name server stopped");
    }
}

/// Expire brokers that have not registered for `brokerChannelExpiredTimeMs`, every
/// `scanNotActiveBrokerIntervalMs` (`NamesrvController`'s scheduled `scanNotActiveBroker`).
async fn scan_not_active_brokers(ns: Arc<Namesrv>) {
    loop {
        let (interval_ms, expiry_ms) = {
            let c = ns.config.read();
            (
                c.scan_not_active_broker_interval_ms(),
                c.broker_channel_expired_time_ms(),
            )
        };
        tokio::time::sleep(Duration::from_millis(interval_ms)).await;
        for gone in ns
            .route
            .scan_not_active_broker(Duration::from_millis(expiry_ms))
        {
            if let Some(ch) = gone.channel {
                ch.close();
            }
        }
    }
}

/// Start a name server with `config` on `listener` and serve until `shutdown` completes.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> Result<(), NamesrvError> {
    let ns = Namesrv::new(config)?;
    ns.serve(listener, shutdown).await;
    Ok(())
}
