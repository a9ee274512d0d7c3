//! State the admin processor keeps per broker: the rebalance locks (`RebalanceLockManager`)
//! and the runtime view of the configuration (`Configuration`: its data version and the
//! values changed by UPDATE_BROKER_CONFIG that the controller cannot apply live).
//!
//! The controller has no slot for it, so it lives in a small registry keyed by the
//! controller (a `Weak` so a dropped broker's state goes away with it).

use std::collections::BTreeMap;
use std::sync::{Arc, Weak};

use parking_lot::Mutex;
use protocol::body::{now_millis, DataVersion};

use crate::controller::BrokerController;

/// `RebalanceLockManager.REBALANCE_LOCK_MAX_LIVE_TIME` (system property
/// `rocketmq.broker.rebalance.lockMaxLiveTime`, default 60 s).
pub fn lock_max_live_time_ms() -> i64 {
    std::env::var("ROCKETMQ_BROKER_REBALANCE_LOCK_MAX_LIVE_TIME")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(60_000)
}

/// `RebalanceLockManager.LockEntry`.
#[derive(Debug, Clone)]
pub struct LockEntry {
    /// Owner.
    pub client_id: String,
    /// Last lock or renewal, ms.
    pub last_update_timestamp: i64,
}

impl LockEntry {
    /// `isExpired`.
    pub fn is_expired(&self, now: i64, max_live: i64) -> bool {
        now - self.last_update_timestamp > max_live
    }

    /// `isLocked(clientId)`: held by `client_id` and not expired.
    pub fn is_locked_by(&self, client_id: &str, now: i64, max_live: i64) -> bool {
        self.client_id == client_id && !self.is_expired(now, max_live)
    }
}

/// Config values UPDATE_BROKER_CONFIG changed in objects the controller holds immutably
/// (netty and store configs): shown by GET_BROKER_CONFIG and persisted, applied at the next
/// start.
#[derive(Debug)]
pub struct ConfigState {
    /// `Configuration.dataVersion` (bumped by every update).
    pub data_version: DataVersion,
    /// key → value overrides.
    pub overrides: BTreeMap<String, String>,
}

/// Everything the admin processor keeps for one broker.
#[derive(Debug)]
pub struct AdminState {
    /// The rebalance locks.
    pub locks: super::lock::RebalanceLockManager,
    /// Configuration view.
    pub config: Mutex<ConfigState>,
    /// When this state (i.e. roughly the broker) started.
    pub created_ms: i64,
}

impl AdminState {
    fn new() -> Self {
        AdminState {
            locks: super::lock::RebalanceLockManager::default(),
            config: Mutex::new(ConfigState {
                data_version: DataVersion::new(now_millis(), 0),
                overrides: BTreeMap::new(),
            }),
            created_ms: now_millis(),
        }
    }
}

type Registry = Mutex<Vec<(Weak<BrokerController>, Arc<AdminState>)>>;

fn registry() -> &'static Registry {
    static REGISTRY: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    REGISTRY.get_or_init(|| Mutex::new(Vec::new()))
}

/// The admin state of `broker` (created on first use).
pub fn of(broker: &Arc<BrokerController>) -> Arc<AdminState> {
    let mut reg = registry().lock();
    reg.retain(|(w, _)| w.strong_count() > 0);
    if let Some((_, s)) = reg
        .iter()
        .find(|(w, _)| std::ptr::eq(w.as_ptr(), Arc::as_ptr(broker)))
    {
        return s.clone();
    }
    let s = Arc::new(AdminState::new());
    reg.push((Arc::downgrade(broker), s.clone()));
    s
}
