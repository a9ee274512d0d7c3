//! The broker: its managers, the store, the two listeners, the scheduled tasks, namesrv
//! registration, and the start/shutdown sequence (mirrors `broker/.../BrokerController.java`).
//!
//! [`run`] is the library entry point: it opens everything, serves until `shutdown`
//! completes, then shuts down in Java's order (stop accepting, unregister from the namesrvs,
//! persist consumer offsets, close the store).

use std::future::Future;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{RwLock, RwLockReadGuard};
use protocol::net::{serve, Channel, RequestHandler, ServerConfig};
use protocol::RemotingCommand;
use store::config::MessageStoreConfig;
use store::message::{MessageExtBatch, MessageExtBrokerInner, PutMessageResult};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tracing::{error, info, warn, Instrument};

use crate::client::broker2client::DefaultConsumerIdsChangeListener;
use crate::client::housekeeping::ChannelTracker;
use crate::client::{ConsumerManager, ProducerManager};
use crate::config::{BrokerConfig, BrokerStartupConfig, NettyServerConfig};
use crate::error::BrokerError;
use crate::longpolling::PullRequestHoldService;
use crate::offset::ConsumerOffsetManager;
use crate::out::{BrokerIdentity, BrokerOuterApi};
use crate::processor::{self, Port, RequestContext};
use crate::store_api::MessageStore;
use crate::subscription::SubscriptionGroupManager;
use crate::topic::TopicConfigManager;

/// Java's `BrokerController`: shared by every connection and task.
pub struct BrokerController {
    broker_config: RwLock<BrokerConfig>,
    netty_server_config: NettyServerConfig,
    store_config: MessageStoreConfig,
    /// Topics.
    pub topic_config_manager: TopicConfigManager,
    /// Consumer groups' configs.
    pub subscription_group_manager: SubscriptionGroupManager,
    /// Committed offsets.
    pub consumer_offset_manager: ConsumerOffsetManager,
    /// SQL92 filters of the consumer groups (`consumerFilter.json`).
    pub consumer_filter_manager: Arc<crate::consumer_filter::ConsumerFilterManager>,
    /// Producer connections.
    pub producer_manager: ProducerManager,
    /// Consumer connections and subscriptions.
    pub consumer_manager: ConsumerManager,
    /// Parked long-poll pulls.
    pub pull_hold: Arc<PullRequestHoldService>,
    /// Open connections (idle close).
    pub channels: ChannelTracker,
    /// Namesrv client.
    pub outer_api: BrokerOuterApi,
    /// Master/slave replication and metadata sync (`crate::ha_glue`).
    pub ha: crate::ha_glue::HaGlue,
    store: Arc<dyn MessageStore>,
    store_host: SocketAddr,
    shutdown_tx: watch::Sender<bool>,
}

impl BrokerController {
    /// Build the broker around an opened store (managers are created, not yet loaded).
    pub fn new(
        cfg: &BrokerStartupConfig,
        store: Arc<dyn MessageStore>,
        pull_hold: Arc<PullRequestHoldService>,
    ) -> Result<Self, BrokerError> {
        let b = &cfg.broker;
        let config_dir = std::path::Path::new(&cfg.store.store_path_root_dir).join("config");
        let store_host = resolve_addr(&b.broker_ip1, cfg.netty_server.listen_port)?;
        let listener = Arc::new(DefaultConsumerIdsChangeListener {
            notify_enabled: b.notify_consumer_ids_changed_enable,
        });
        let consumer_filter_manager = Arc::new(crate::consumer_filter::ConsumerFilterManager::new(
            b,
            config_dir.join("consumerFilter.json"),
        ));
        let listener = Arc::new(crate::consumer_filter::FilterRegisteringListener {
            inner: listener,
            filters: consumer_filter_manager.clone(),
        });
        let (shutdown_tx, _) = watch::channel(false);
        Ok(BrokerController {
            topic_config_manager: TopicConfigManager::new(b, config_dir.join("topics.json")),
            subscription_group_manager: SubscriptionGroupManager::new(
                b.auto_create_subscription_group,
                config_dir.join("subscriptionGroup.json"),
            ),
            consumer_offset_manager: ConsumerOffsetManager::new(
                config_dir.join("consumerOffset.json"),
            ),
            consumer_filter_manager,
            producer_manager: ProducerManager::new(),
            consumer_manager: ConsumerManager::new(listener),
            pull_hold,
            channels: ChannelTracker::new(),
            outer_api: BrokerOuterApi::new(b.namesrv_addr.as_deref()),
            ha: crate::ha_glue::HaGlue::new(),
            broker_config: RwLock::new(b.clone()),
            netty_server_config: cfg.netty_server.clone(),
            store_config: cfg.store.clone(),
            store,
            store_host,
            shutdown_tx,
        })
    }

    /// `BrokerConfig` (a read guard: never hold it across an `.await`).
    pub fn broker_config(&self) -> RwLockReadGuard<'_, BrokerConfig> {
        self.broker_config.read()
    }

    /// Apply a runtime config change (UPDATE_BROKER_CONFIG).
    pub fn update_broker_config(&self, f: impl FnOnce(&mut BrokerConfig)) {
        f(&mut self.broker_config.write());
    }

    /// `NettyServerConfig`.
    pub fn netty_server_config(&self) -> &NettyServerConfig {
        &self.netty_server_config
    }

    /// The store's config.
    pub fn store_config(&self) -> &MessageStoreConfig {
        &self.store_config
    }

    /// The message store.
    pub fn store(&self) -> &Arc<dyn MessageStore> {
        &self.store
    }

    /// `brokerIP1:listenPort` as a socket address (the store host of every message).
    pub fn store_host(&self) -> SocketAddr {
        self.store_host
    }

    /// `getBrokerAddr()`: `brokerIP1:listenPort`.
    pub fn broker_addr(&self) -> String {
        format!(
            "{}:{}",
            self.broker_config().broker_ip1,
            self.netty_server_config.listen_port
        )
    }

    /// Identity sent to the namesrv.
    pub fn identity(&self) -> BrokerIdentity {
        let b = self.broker_config();
        BrokerIdentity {
            cluster_name: b.broker_cluster_name.clone(),
            broker_addr: format!("{}:{}", b.broker_ip1, self.netty_server_config.listen_port),
            broker_name: b.broker_name.clone(),
            broker_id: b.broker_id,
            ha_server_addr: format!("{}:{}", b.broker_ip2, self.store_config.ha_listen_port),
        }
    }

    /// Store one message (waits for the group commit under SYNC_FLUSH).
    pub async fn put_message(&self, msg: MessageExtBrokerInner) -> PutMessageResult {
        self.store.put_message(msg).await
    }

    /// Store a batch.
    pub async fn put_messages(&self, batch: MessageExtBatch) -> PutMessageResult {
        self.store.put_messages(batch).await
    }

    /// A receiver that turns `true` when the broker shuts down.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown_tx.subscribe()
    }

    /// `registerBrokerAll`: register the current topic table with every namesrv; applies the
    /// order-topic table the first namesrv returns when `check_order_config`.
    pub async fn register_broker_all(&self, check_order_config: bool, oneway: bool) {
        let mut wrapper = self.topic_config_manager.build_serialize_wrapper();
        let (perm_bits, timeout_ms, compressed) = {
            let b = self.broker_config();
            (
                b.broker_permission,
                b.register_broker_timeout_mills,
                b.compressed_register,
            )
        };
        if !crate::config::perm::is_writeable(perm_bits)
            || !crate::config::perm::is_readable(perm_bits)
        {
            for tc in wrapper.topic_config_table.values_mut() {
                tc.perm = perm_bits;
            }
        }
        let results = self
            .outer_api
            .register_broker_all(
                &self.identity(),
                wrapper,
                oneway,
                Duration::from_millis(timeout_ms.max(1) as u64),
                compressed,
            )
            .await;
        if let Some(first) = results.first() {
            self.ha.on_register_result(self, first);
            if check_order_config {
                if let Some(kv) = &first.kv_table {
                    self.topic_config_manager.update_order_topic_config(kv);
                }
            }
        }
    }
}

fn resolve_addr(ip: &str, port: i32) -> Result<SocketAddr, BrokerError> {
    let port =
        u16::try_from(port).map_err(|_| BrokerError::Startup(format!("bad listenPort {port}")))?;
    (ip, port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| BrokerError::Startup(format!("cannot resolve brokerIP1 {ip}")))
}

/// The request handler of one listener.
struct BrokerHandler {
    broker: Arc<BrokerController>,
    port: Port,
}

impl RequestHandler for BrokerHandler {
    async fn handle(
        self: Arc<Self>,
        channel: Channel,
        request: RemotingCommand,
    ) -> Option<RemotingCommand> {
        self.broker.channels.touch(&channel);
        let ctx = RequestContext {
            channel,
            port: self.port,
        };
        processor::dispatch(&self.broker, ctx, request).await
    }

    fn on_open(&self, channel: &Channel) {
        self.broker.channels.opened(channel);
    }

    fn on_close(&self, channel: &Channel) {
        self.broker.channels.closed(channel);
        self.broker.producer_manager.channel_closed(channel);
        self.broker.consumer_manager.channel_closed(channel);
    }
}

/// `getSerializeTypeConfigInThisServer`: `rocketmq.serialize.type` / `ROCKETMQ_SERIALIZE_TYPE`.
fn serialize_type_name() -> &'static str {
    match std::env::var("ROCKETMQ_SERIALIZE_TYPE").as_deref() {
        Ok("ROCKETMQ") => "ROCKETMQ",
        _ => "JSON",
    }
}

/// Open the store and start the broker; serve until `shutdown` completes.
pub async fn run(
    cfg: BrokerStartupConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), BrokerError> {
    let pull_hold = Arc::new(PullRequestHoldService::new());
    let port = cfg.netty_server.listen_port;
    let main_listener = bind(port).await?;
    let vip_listener = bind(port - 2).await?;
    let store = crate::store_impl::open(&cfg, pull_hold.clone())?;
    run_with(cfg, store, pull_hold, main_listener, vip_listener, shutdown).await
}

/// Run the broker on an opened `store` and bound listeners (`main` = listenPort, `vip` =
/// listenPort - 2); `pull_hold` must be the service the store's arriving listener feeds.
/// Tests use this with an in-memory store and port-0 listeners.
pub async fn run_with(
    cfg: BrokerStartupConfig,
    store: Arc<dyn MessageStore>,
    pull_hold: Arc<PullRequestHoldService>,
    main_listener: TcpListener,
    vip_listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> Result<(), BrokerError> {
    let broker = Arc::new(BrokerController::new(&cfg, store, pull_hold)?);
    broker.topic_config_manager.load()?;
    broker.consumer_offset_manager.load()?;
    broker.subscription_group_manager.load()?;
    broker.consumer_filter_manager.load()?;

    let server_cfg = ServerConfig::default();
    let mut shutdown_rx = broker.shutdown_signal();
    for (listener, p) in [(main_listener, Port::Main), (vip_listener, Port::Vip)] {
        let handler = Arc::new(BrokerHandler {
            broker: broker.clone(),
            port: p,
        });
        let mut rx = shutdown_rx.clone();
        let cfg = server_cfg.clone();
        tokio::spawn(
            async move {
                serve(listener, handler, cfg, async move {
                    let _ = rx.wait_for(|s| *s).await;
                })
                .await
            }
            .instrument(tracing::info_span!("server", port = ?p)),
        );
    }

    // HA (haListenPort, slave sync) before the first registration, whose answer carries
    // the master's HA address.
    crate::ha_glue::HaGlue::start(&broker)?;
    // Java start(): the first registration is synchronous, before the boot line.
    broker.register_broker_all(true, false).await;
    spawn_scheduled_tasks(&broker);
    crate::transaction::check::start(&broker);

    let b = broker.broker_config().clone();
    let mut tip = format!(
        "The broker[{}, {}] boot success. serializeType={}",
        b.broker_name,
        broker.broker_addr(),
        serialize_type_name()
    );
    if let Some(ns) = &b.namesrv_addr {
        tip.push_str(&format!(" and name server is {ns}"));
    }
    info!("{tip}");
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{tip}");
        let _ = out.flush();
    }

    tokio::select! {
        _ = shutdown => {}
        _ = shutdown_rx.wait_for(|s| *s) => {}
    }
    shutdown_broker(&broker).await;
    Ok(())
}

async fn bind(port: i32) -> Result<TcpListener, BrokerError> {
    let port16 =
        u16::try_from(port).map_err(|_| BrokerError::Startup(format!("bad port {port}")))?;
    TcpListener::bind(("0.0.0.0", port16))
        .await
        .map_err(|e| BrokerError::Startup(format!("bind port {port}: {e}")))
}

/// `BrokerController.shutdown`.
async fn shutdown_broker(broker: &Arc<BrokerController>) {
    info!("broker shutting down");
    let _ = broker.shutdown_tx.send(true);
    broker
        .outer_api
        .unregister_broker_all(&broker.identity())
        .await;
    broker.consumer_offset_manager.persist();
    broker.consumer_filter_manager.persist();
    let store = broker.store.clone();
    if let Err(e) = tokio::task::spawn_blocking(move || store.shutdown()).await {
        error!(error = %e, "store shutdown panicked");
    }
    broker.ha.shutdown().await;
    broker.outer_api.shutdown().await;
    info!("broker shutdown OK");
}

fn spawn_every(
    broker: &Arc<BrokerController>,
    name: &'static str,
    initial: Duration,
    period: Duration,
    f: impl Fn(Arc<BrokerController>) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>>
        + Send
        + 'static,
) {
    let b = broker.clone();
    let mut stop = broker.shutdown_signal();
    tokio::spawn(async move {
        tokio::select! {
            _ = tokio::time::sleep(initial) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let mut tick = tokio::time::interval(period.max(Duration::from_millis(10)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            f(b.clone())
                .instrument(tracing::debug_span!("task", name))
                .await;
        }
    });
}

fn spawn_scheduled_tasks(broker: &Arc<BrokerController>) {
    let (flush_ms, register_ms, idle_s) = {
        let b = broker.broker_config();
        (
            b.flush_consumer_offset_interval.max(100) as u64,
            b.register_name_server_period.clamp(10_000, 60_000) as u64,
            broker
                .netty_server_config
                .server_channel_max_idle_time_seconds
                .max(1) as u64,
        )
    };
    spawn_every(
        broker,
        "persistConsumerOffset",
        Duration::from_secs(10),
        Duration::from_millis(flush_ms),
        |b| {
            Box::pin(async move {
                let _ = tokio::task::spawn_blocking(move || {
                    b.consumer_offset_manager.persist();
                    b.consumer_filter_manager.persist();
                })
                .await;
            })
        },
    );
    spawn_every(
        broker,
        "clientHousekeeping",
        Duration::from_secs(10),
        Duration::from_secs(10),
        move |b| {
            Box::pin(async move {
                b.producer_manager.scan_not_active();
                b.consumer_manager.scan_not_active();
                b.channels.close_idle(Duration::from_secs(idle_s));
            })
        },
    );
    spawn_every(
        broker,
        "pullRequestHold",
        Duration::from_secs(5),
        Duration::from_secs(5),
        |b| {
            Box::pin(async move {
                for (topic, qid) in b.pull_hold.held_queues() {
                    let max = b.store.max_offset_in_queue(&topic, qid);
                    b.pull_hold.notify_message_arriving(&topic, qid, max, None);
                }
            })
        },
    );
    spawn_every(
        broker,
        "registerBrokerAll",
        Duration::from_secs(10),
        Duration::from_millis(register_ms),
        |b| Box::pin(async move { b.register_broker_all(true, false).await }),
    );
    // A topic created in the send path re-registers at once (Java: oneway registerBrokerAll).
    let b = broker.clone();
    let changed = broker.topic_config_manager.changed();
    let mut stop = broker.shutdown_signal();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = changed.notified() => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            b.register_broker_all(false, true).await;
        }
    });
    if broker.outer_api.namesrv_addrs().is_empty() {
        warn!("no namesrvAddr configured; the broker will not register anywhere");
    }
}
