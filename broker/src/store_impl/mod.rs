//! Opening the message store behind [`MessageStore`](crate::store_api::MessageStore):
//! [`default::DiskStore`] (the store crate's `DefaultMessageStore`) in production,
//! [`memory::MemoryStore`] for tests.

pub mod default;
pub mod memory;

use std::sync::Arc;

use store::DefaultMessageStore;
use tracing::info;

use crate::config::BrokerStartupConfig;
use crate::error::BrokerError;
use crate::longpolling::{NotifyMessageArrivingListener, PullRequestHoldService};
use crate::store_api::MessageStore;

/// Open, recover and start the store of `cfg`, wiring the long-polling listener.
pub fn open(
    cfg: &BrokerStartupConfig,
    hold: Arc<PullRequestHoldService>,
) -> Result<Arc<dyn MessageStore>, BrokerError> {
    let listener = Arc::new(NotifyMessageArrivingListener { hold });
    let store = DefaultMessageStore::open(cfg.store.clone())
        .map_err(|e| BrokerError::Startup(format!("open message store: {e}")))?;
    let store = Arc::new(store);
    store.set_message_arriving_listener(Some(listener));
    store
        .start()
        .map_err(|e| BrokerError::Startup(format!("start message store: {e}")))?;
    info!(root = %cfg.store.store_path_root_dir, last_exit_ok = store.last_exit_ok(), "message store started");
    Ok(Arc::new(default::DiskStore(store)))
}
