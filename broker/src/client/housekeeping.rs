//! Connection bookkeeping (mirrors `ClientHousekeepingService` plus Netty's
//! `IdleStateHandler`): every 10 s drop producers/consumers without a heartbeat for 120 s,
//! and close connections that have been idle for `serverChannelMaxIdleTimeSeconds`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use protocol::net::Channel;
use tracing::info;

struct Entry {
    channel: Channel,
    last_active: Instant,
}

/// Open connections and when each last carried a request.
#[derive(Default)]
pub struct ChannelTracker {
    channels: Mutex<HashMap<u64, Entry>>,
}

impl ChannelTracker {
    /// Empty.
    pub fn new() -> Self {
        Self::default()
    }

    /// A connection opened.
    pub fn opened(&self, channel: &Channel) {
        self.channels.lock().insert(
            channel.id(),
            Entry {
                channel: channel.clone(),
                last_active: Instant::now(),
            },
        );
    }

    /// A request arrived on `channel`.
    pub fn touch(&self, channel: &Channel) {
        if let Some(e) = self.channels.lock().get_mut(&channel.id()) {
            e.last_active = Instant::now();
        }
    }

    /// A connection closed.
    pub fn closed(&self, channel: &Channel) {
        self.channels.lock().remove(&channel.id());
    }

    /// Close connections idle for longer than `max_idle`.
    pub fn close_idle(&self, max_idle: Duration) {
        let now = Instant::now();
        let idle: Vec<Channel> = self
            .channels
            .lock()
            .values()
            .filter(|e| now.duration_since(e.last_active) > max_idle)
            .map(|e| e.channel.clone())
            .collect();
        for ch in idle {
            info!(peer = %ch.peer_addr(), "closing idle connection");
            ch.close();
        }
    }

    /// Number of open connections.
    pub fn len(&self) -> usize {
        self.channels.lock().len()
    }

    /// No open connections.
    pub fn is_empty(&self) -> bool {
        self.channels.lock().is_empty()
    }
}
