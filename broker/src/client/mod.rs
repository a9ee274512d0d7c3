//! Connected clients: producer and consumer group membership, expiry, and broker → client
//! calls (mirrors `broker/.../client/*`).

pub mod broker2client;
pub mod consumer_manager;
pub mod housekeeping;
pub mod producer_manager;

use protocol::net::Channel;
use protocol::LanguageCode;

pub use consumer_manager::{ConsumerGroupInfo, ConsumerManager};
pub use producer_manager::ProducerManager;

/// A client channel older than this without a heartbeat is dropped
/// (`ClientHousekeepingService` / `CHANNEL_EXPIRED_TIMEOUT`).
pub const CHANNEL_EXPIRED_TIMEOUT_MS: i64 = 120_000;

/// One client connection in a group (`ClientChannelInfo`).
#[derive(Debug, Clone)]
pub struct ClientChannelInfo {
    /// The connection.
    pub channel: Channel,
    /// The client's id (`ip@instance`).
    pub client_id: String,
    /// Language from the heartbeat's header.
    pub language: LanguageCode,
    /// Version from the heartbeat's header.
    pub version: i32,
    /// Last heartbeat, ms.
    pub last_update_timestamp: i64,
}

impl ClientChannelInfo {
    /// A fresh entry stamped now.
    pub fn new(channel: Channel, client_id: String, language: LanguageCode, version: i32) -> Self {
        ClientChannelInfo {
            channel,
            client_id,
            language,
            version,
            last_update_timestamp: now_ms(),
        }
    }
}

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
