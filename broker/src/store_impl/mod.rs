//! Opening the message store behind [`MessageStore`](crate::store_api::MessageStore).

pub mod memory;

use std::sync::Arc;

use crate::config::BrokerStartupConfig;
use crate::error::BrokerError;
use crate::longpolling::{NotifyMessageArrivingListener, PullRequestHoldService};
use crate::store_api::MessageStore;

/// Open the store for `cfg`, wiring the long-polling listener.
pub fn open(
    cfg: &BrokerStartupConfig,
    hold: Arc<PullRequestHoldService>,
) -> Result<Arc<dyn MessageStore>, BrokerError> {
    let listener = Arc::new(NotifyMessageArrivingListener { hold });
    // TODO: use store::DefaultMessageStore once it lands.
    Ok(Arc::new(memory::MemoryStore::new(
        cfg.store.max_message_size.max(0) as usize,
        Some(listener),
    )))
}
