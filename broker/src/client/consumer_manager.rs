//! Consumer groups: members, subscriptions, consume settings, and the membership-change
//! notification (mirrors `broker/.../client/{ConsumerManager,ConsumerGroupInfo,
//! DefaultConsumerIdsChangeListener}.java`).

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use protocol::net::Channel;
use tracing::{info, warn};

use super::{now_ms, ClientChannelInfo, CHANNEL_EXPIRED_TIMEOUT_MS};
use crate::body::{ConsumeFromWhere, ConsumeType, MessageModel, SubscriptionData};

/// What happened to a group (`ConsumerGroupEvent`).
#[derive(Debug)]
pub enum ConsumerGroupEvent<'a> {
    /// Membership changed: these channels should refetch the member list.
    Change {
        /// Group.
        group: &'a str,
        /// Every member's channel.
        channels: Vec<Channel>,
    },
    /// The group's last member left.
    Unregister {
        /// Group.
        group: &'a str,
    },
    /// A heartbeat (re)registered these subscriptions.
    Register {
        /// Group.
        group: &'a str,
        /// Subscriptions.
        subscriptions: &'a [SubscriptionData],
    },
}

/// Receives group events (`ConsumerIdsChangeListener`). The broker's listener pushes
/// NOTIFY_CONSUMER_IDS_CHANGED on `Change`; a SQL92 filter manager would hook `Register`.
pub trait ConsumerIdsChangeListener: Send + Sync {
    /// Handle one event (must not block).
    fn handle(&self, event: ConsumerGroupEvent<'_>);
}

/// One consumer group (`ConsumerGroupInfo`).
#[derive(Debug, Clone)]
pub struct ConsumerGroupInfo {
    /// Group name.
    pub group_name: String,
    /// topic → subscription.
    pub subscription_table: HashMap<String, SubscriptionData>,
    /// channel id → member.
    pub channel_info_table: HashMap<u64, ClientChannelInfo>,
    /// Consume type of the latest heartbeat.
    pub consume_type: Option<ConsumeType>,
    /// Message model of the latest heartbeat.
    pub message_model: Option<MessageModel>,
    /// Consume-from-where of the latest heartbeat.
    pub consume_from_where: Option<ConsumeFromWhere>,
    /// Last heartbeat, ms.
    pub last_update_timestamp: i64,
}

impl ConsumerGroupInfo {
    fn new(
        group: &str,
        ct: Option<ConsumeType>,
        mm: Option<MessageModel>,
        cfw: Option<ConsumeFromWhere>,
    ) -> Self {
        ConsumerGroupInfo {
            group_name: group.to_string(),
            subscription_table: HashMap::new(),
            channel_info_table: HashMap::new(),
            consume_type: ct,
            message_model: mm,
            consume_from_where: cfw,
            last_update_timestamp: now_ms(),
        }
    }

    /// Every member's channel.
    pub fn all_channels(&self) -> Vec<Channel> {
        self.channel_info_table
            .values()
            .map(|i| i.channel.clone())
            .collect()
    }

    /// Every member's client id (`getAllClientId`).
    pub fn all_client_ids(&self) -> Vec<String> {
        self.channel_info_table
            .values()
            .map(|i| i.client_id.clone())
            .collect()
    }

    /// `findSubscriptionData`.
    pub fn find_subscription_data(&self, topic: &str) -> Option<&SubscriptionData> {
        self.subscription_table.get(topic)
    }

    /// `updateChannel`: true if the channel is new.
    fn update_channel(
        &mut self,
        info: ClientChannelInfo,
        ct: Option<ConsumeType>,
        mm: Option<MessageModel>,
        cfw: Option<ConsumeFromWhere>,
    ) -> bool {
        self.consume_type = ct;
        self.message_model = mm;
        self.consume_from_where = cfw;
        let now = now_ms();
        let id = info.channel.id();
        let mut updated = false;
        match self.channel_info_table.get_mut(&id) {
            None => {
                info!(group = %self.group_name, client = %info.client_id, peer = %info.channel.peer_addr(), "new consumer connected");
                self.channel_info_table.insert(id, info);
                updated = true;
            }
            Some(old) => {
                if old.client_id != info.client_id {
                    warn!(group = %self.group_name, old = %old.client_id, new = %info.client_id, "consumer channel exists with another clientId");
                    *old = info;
                }
            }
        }
        self.last_update_timestamp = now;
        if let Some(i) = self.channel_info_table.get_mut(&id) {
            i.last_update_timestamp = now;
        }
        updated
    }

    /// `updateSubscription`: true if a topic was added or removed.
    fn update_subscription(&mut self, subs: &[SubscriptionData]) -> bool {
        let mut updated = false;
        for sub in subs {
            match self.subscription_table.get(&sub.topic) {
                None => {
                    info!(group = %self.group_name, topic = %sub.topic, expr = %sub.sub_string, "subscription changed, add new topic");
                    self.subscription_table
                        .insert(sub.topic.clone(), sub.clone());
                    updated = true;
                }
                Some(old) if sub.sub_version > old.sub_version => {
                    self.subscription_table
                        .insert(sub.topic.clone(), sub.clone());
                }
                Some(_) => {}
            }
        }
        let before = self.subscription_table.len();
        let group = self.group_name.clone();
        self.subscription_table.retain(|topic, _| {
            let keep = subs.iter().any(|s| &s.topic == topic);
            if !keep {
                warn!(group = %group, topic = %topic, "subscription changed, remove topic");
            }
            keep
        });
        if self.subscription_table.len() != before {
            updated = true;
        }
        self.last_update_timestamp = now_ms();
        updated
    }
}

/// Consumer registry.
pub struct ConsumerManager {
    groups: Mutex<HashMap<String, ConsumerGroupInfo>>,
    listener: Arc<dyn ConsumerIdsChangeListener>,
}

impl ConsumerManager {
    /// Empty registry reporting to `listener`.
    pub fn new(listener: Arc<dyn ConsumerIdsChangeListener>) -> Self {
        ConsumerManager {
            groups: Mutex::new(HashMap::new()),
            listener,
        }
    }

    /// `registerConsumer`: returns whether membership or subscriptions changed, and the
    /// members to send NOTIFY_CONSUMER_IDS_CHANGED to (empty unless changed and
    /// `notify_enabled`). The caller sends them before it replies to the heartbeat, as Java's
    /// synchronous listener does, so the old members start rebalancing (and hand over their
    /// offsets) before the new member does.
    #[allow(clippy::too_many_arguments)]
    pub fn register(
        &self,
        group: &str,
        info: ClientChannelInfo,
        ct: Option<ConsumeType>,
        mm: Option<MessageModel>,
        cfw: Option<ConsumeFromWhere>,
        subs: &[SubscriptionData],
        notify_enabled: bool,
    ) -> (bool, Vec<Channel>) {
        let (changed, channels) = {
            let mut g = self.groups.lock();
            let gi = g
                .entry(group.to_string())
                .or_insert_with(|| ConsumerGroupInfo::new(group, ct, mm, cfw));
            let r1 = gi.update_channel(info, ct, mm, cfw);
            let r2 = gi.update_subscription(subs);
            (r1 || r2, gi.all_channels())
        };
        self.listener.handle(ConsumerGroupEvent::Register {
            group,
            subscriptions: subs,
        });
        let notify = if changed && notify_enabled {
            channels
        } else {
            Vec::new()
        };
        (changed, notify)
    }

    /// `unregisterConsumer`: returns the remaining members to notify (empty unless
    /// `notify_enabled`); the caller sends the notifications before replying.
    pub fn unregister(&self, group: &str, channel: &Channel, notify_enabled: bool) -> Vec<Channel> {
        let (removed_group, channels) = {
            let mut g = self.groups.lock();
            let Some(gi) = g.get_mut(group) else {
                return Vec::new();
            };
            if let Some(old) = gi.channel_info_table.remove(&channel.id()) {
                info!(group, client = %old.client_id, "unregister a consumer");
            }
            let channels = gi.all_channels();
            let empty = gi.channel_info_table.is_empty();
            if empty {
                g.remove(group);
                info!(
                    group,
                    "unregister consumer ok, no any connection, and remove consumer group"
                );
            }
            (empty, channels)
        };
        if removed_group {
            self.listener
                .handle(ConsumerGroupEvent::Unregister { group });
        }
        if notify_enabled {
            channels
        } else {
            Vec::new()
        }
    }

    /// `doChannelCloseEvent`.
    pub fn channel_closed(&self, channel: &Channel) {
        let mut events: Vec<(String, bool, Vec<Channel>)> = Vec::new();
        {
            let mut g = self.groups.lock();
            let mut empty_groups = Vec::new();
            for (name, gi) in g.iter_mut() {
                if let Some(info) = gi.channel_info_table.remove(&channel.id()) {
                    warn!(group = %name, client = %info.client_id, "remove closed channel from consumer group");
                    let empty = gi.channel_info_table.is_empty();
                    if empty {
                        empty_groups.push(name.clone());
                    }
                    events.push((name.clone(), empty, gi.all_channels()));
                }
            }
            for name in empty_groups {
                g.remove(&name);
            }
        }
        for (group, removed, channels) in events {
            if removed {
                self.listener
                    .handle(ConsumerGroupEvent::Unregister { group: &group });
            }
            self.listener.handle(ConsumerGroupEvent::Change {
                group: &group,
                channels,
            });
        }
    }

    /// `scanNotActiveChannel`.
    pub fn scan_not_active(&self) {
        let now = now_ms();
        let mut g = self.groups.lock();
        for (name, gi) in g.iter_mut() {
            gi.channel_info_table.retain(|_, info| {
                let keep = now - info.last_update_timestamp <= CHANNEL_EXPIRED_TIMEOUT_MS;
                if !keep {
                    warn!(group = %name, peer = %info.channel.peer_addr(), "remove expired consumer channel");
                    info.channel.close();
                }
                keep
            });
        }
        g.retain(|name, gi| {
            let keep = !gi.channel_info_table.is_empty();
            if !keep {
                warn!(group = %name, "remove expired consumer group, all clear");
            }
            keep
        });
    }

    /// A snapshot of one group.
    pub fn group_info(&self, group: &str) -> Option<ConsumerGroupInfo> {
        self.groups.lock().get(group).cloned()
    }

    /// The subscription of `group` on `topic`.
    pub fn find_subscription_data(&self, group: &str, topic: &str) -> Option<SubscriptionData> {
        self.groups
            .lock()
            .get(group)
            .and_then(|g| g.subscription_table.get(topic).cloned())
    }

    /// The member client ids of `group`.
    pub fn client_ids(&self, group: &str) -> Option<Vec<String>> {
        self.groups.lock().get(group).map(|g| g.all_client_ids())
    }

    /// `queryTopicConsumeByWho`.
    pub fn groups_consuming(&self, topic: &str) -> Vec<String> {
        self.groups
            .lock()
            .iter()
            .filter(|(_, g)| g.subscription_table.contains_key(topic))
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Every group name.
    pub fn group_names(&self) -> Vec<String> {
        self.groups.lock().keys().cloned().collect()
    }
}
