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
pub mod javaorder;
pub mod kv;
mod processor;
pub mod route;
pub mod startup;

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

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
    channels: Mutex<HashMap<u64, Arc<Conn>>>,
    started: Instant,
}

/// An open connection and when it last sent a request (ms since start), for the idle check.
struct Conn {
    channel: Channel,
    last_active_ms: AtomicU64,
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
            started: Instant::now(),
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

    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    pub(crate) fn track_open(&self, channel: &Channel) {
        let conn = Arc::new(Conn {
            channel: channel.clone(),
            last_active_ms: AtomicU64::new(self.now_ms()),
        });
        self.channels.lock().insert(channel.id(), conn);
    }

    pub(crate) fn track_request(&self, channel: &Channel) {
        let conn = self.channels.lock().get(&channel.id()).cloned();
        if let Some(conn) = conn {
            conn.last_active_ms.store(self.now_ms(), Ordering::Relaxed);
        }
    }

    pub(crate) fn track_close(&self, channel: &Channel) {
        self.channels.lock().remove(&channel.id());
    }

    /// Close connections that sent nothing for `serverChannelMaxIdleTimeSeconds` (Java's
    /// `IdleStateHandler`; the namesrv then drops what a broker registered on it).
    fn close_idle_channels(&self, idle_ms: u64) {
        let now = self.now_ms();
        let idle: Vec<Arc<Conn>> = self
            .channels
            .lock()
            .values()
            .filter(|c| now.saturating_sub(c.last_active_ms.load(Ordering::Relaxed)) > idle_ms)
            .cloned()
            .collect();
        for conn in idle {
            info!(peer = %conn.channel.peer_addr(), idle_ms, "closing idle connection");
            conn.channel.close();
        }
    }

    /// Serve `listener` until `shutdown` completes, expiring silent brokers meanwhile. On
    /// shutdown every connection is closed (and the KV table written, should its last write
    /// have failed).
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
        let open: Vec<Arc<Conn>> = self.channels.lock().values().cloned().collect();
        for conn in open {
            conn.channel.close();
        }
        self.kv.persist_if_dirty();
        info!("name server stopped");
    }
}

/// Expire brokers that have not registered for `brokerChannelExpiredTimeMs`, every
/// `scanNotActiveBrokerIntervalMs` (`NamesrvController`'s scheduled `scanNotActiveBroker`),
/// and close connections idle for `serverChannelMaxIdleTimeSeconds`.
async fn scan_not_active_brokers(ns: Arc<Namesrv>) {
    loop {
        let (interval_ms, expiry_ms, idle_s) = {
            let c = ns.config.read();
            (
                c.scan_not_active_broker_interval_ms(),
                c.broker_channel_expired_time_ms(),
                c.netty.server_channel_max_idle_time_seconds,
            )
        };
        tokio::time::sleep(Duration::from_millis(interval_ms)).await;
        let expiry = Duration::from_millis(expiry_ms);
        for gone in ns.route.scan_not_active_broker(expiry) {
            if let Some(ch) = gone.channel {
                ch.close();
            }
        }
        if idle_s > 0 {
            ns.close_idle_channels(idle_s as u64 * 1000);
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
