//! Producer groups and their connections (mirrors `broker/.../client/ProducerManager.java`).

use std::collections::HashMap;

use parking_lot::Mutex;
use protocol::net::Channel;
use tracing::{info, warn};

use super::{now_ms, ClientChannelInfo, CHANNEL_EXPIRED_TIMEOUT_MS};

#[derive(Default)]
struct Tables {
    /// group → channel id → info
    groups: HashMap<String, HashMap<u64, ClientChannelInfo>>,
    /// client id → channel
    clients: HashMap<String, Channel>,
}

/// Producer registry.
#[derive(Default)]
pub struct ProducerManager {
    tables: Mutex<Tables>,
}

impl ProducerManager {
    /// Empty.
    pub fn new() -> Self {
        Self::default()
    }

    /// `registerProducer`: add the channel, or refresh its timestamp.
    pub fn register(&self, group: &str, info: ClientChannelInfo) {
        let mut t = self.tables.lock();
        let id = info.channel.id();
        let client_id = info.client_id.clone();
        let channel = info.channel.clone();
        let table = t.groups.entry(group.to_string()).or_default();
        match table.get_mut(&id) {
            Some(existing) => existing.last_update_timestamp = now_ms(),
            None => {
                info!(group, client = %client_id, peer = %channel.peer_addr(), "new producer connected");
                table.insert(id, info);
                t.clients.insert(client_id, channel);
            }
        }
    }

    /// `unregisterProducer`.
    pub fn unregister(&self, group: &str, channel: &Channel, client_id: &str) {
        let mut t = self.tables.lock();
        let mut empty = false;
        if let Some(table) = t.groups.get_mut(group) {
            if table.remove(&channel.id()).is_some() {
                info!(group, client = client_id, "unregister a producer");
            }
            empty = table.is_empty();
        }
        t.clients.remove(client_id);
        if empty {
            t.groups.remove(group);
            info!(group, "unregister a producer group");
        }
    }

    /// `doChannelCloseEvent`.
    pub fn channel_closed(&self, channel: &Channel) {
        let mut t = self.tables.lock();
        let mut gone = Vec::new();
        for (group, table) in t.groups.iter_mut() {
            if let Some(info) = table.remove(&channel.id()) {
                info!(group = %group, client = %info.client_id, "remove closed channel from producer group");
                gone.push(info.client_id);
            }
        }
        for c in gone {
            t.clients.remove(&c);
        }
    }

    /// `scanNotActiveChannel`: drop (and close) channels without a heartbeat for 120 s.
    pub fn scan_not_active(&self) {
        let now = now_ms();
        let mut t = self.tables.lock();
        let mut gone = Vec::new();
        for (group, table) in t.groups.iter_mut() {
            table.retain(|_, info| {
                let keep = now - info.last_update_timestamp <= CHANNEL_EXPIRED_TIMEOUT_MS;
                if !keep {
                    warn!(group = %group, peer = %info.channel.peer_addr(), "remove expired producer channel");
                    info.channel.close();
                    gone.push(info.client_id.clone());
                }
                keep
            });
        }
        for c in gone {
            t.clients.remove(&c);
        }
    }

    /// Every producer connection of `group`.
    pub fn group_channels(&self, group: &str) -> Vec<ClientChannelInfo> {
        self.tables
            .lock()
            .groups
            .get(group)
            .map(|t| t.values().cloned().collect())
            .unwrap_or_default()
    }

    /// All groups with their connections (GET_ALL_PRODUCER_INFO).
    pub fn all(&self) -> HashMap<String, Vec<ClientChannelInfo>> {
        self.tables
            .lock()
            .groups
            .iter()
            .map(|(g, t)| (g.clone(), t.values().cloned().collect()))
            .collect()
    }

    /// An open channel of `group` (transaction check-back), round-robin not needed here.
    pub fn available_channel(&self, group: &str) -> Option<Channel> {
        self.tables.lock().groups.get(group).and_then(|t| {
            t.values()
                .map(|i| i.channel.clone())
                .find(|c| !c.is_closed())
        })
    }

    /// `findChannel` by client id.
    pub fn find_channel(&self, client_id: &str) -> Option<Channel> {
        self.tables.lock().clients.get(client_id).cloned()
    }
}
