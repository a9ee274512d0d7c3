//! Requests the broker pushes to clients over their own connections (mirrors
//! `broker/.../client/net/Broker2Client.java` and `DefaultConsumerIdsChangeListener`).

use protocol::code::request;
use protocol::header::consumer::NotifyConsumerIdsChangedRequestHeader;
use protocol::net::Channel;
use protocol::RemotingCommand;
use tracing::debug;

use super::consumer_manager::{ConsumerGroupEvent, ConsumerIdsChangeListener};

/// `Broker2Client.notifyConsumerIdsChanged`: oneway NOTIFY_CONSUMER_IDS_CHANGED (40).
pub fn notify_consumer_ids_changed(channel: &Channel, group: &str) {
    let header = NotifyConsumerIdsChangedRequestHeader {
        consumer_group: group.to_string(),
    };
    let cmd = RemotingCommand::request_with(request::NOTIFY_CONSUMER_IDS_CHANGED, &header);
    let ch = channel.clone();
    let group = group.to_string();
    tokio::spawn(async move {
        if let Err(e) = ch.send_oneway(cmd).await {
            debug!(group = %group, peer = %ch.peer_addr(), error = %e, "notifyConsumerIdsChanged failed");
        }
    });
}

/// NOTIFY_CONSUMER_IDS_CHANGED to every open channel in `channels`, queued before returning
/// (Java's listener writes them synchronously), when `enabled`
/// (`BrokerConfig.notifyConsumerIdsChangedEnable`).
pub async fn notify_consumer_ids_changed_now(channels: &[Channel], group: &str, enabled: bool) {
    if !enabled {
        return;
    }
    let header = NotifyConsumerIdsChangedRequestHeader {
        consumer_group: group.to_string(),
    };
    for ch in channels.iter().filter(|c| !c.is_closed()) {
        let cmd = RemotingCommand::request_with(request::NOTIFY_CONSUMER_IDS_CHANGED, &header);
        let sent =
            tokio::time::timeout(std::time::Duration::from_secs(1), ch.send_oneway(cmd)).await;
        if !matches!(sent, Ok(Ok(()))) {
            debug!(group, peer = %ch.peer_addr(), "notifyConsumerIdsChanged not queued");
        }
    }
}

/// `DefaultConsumerIdsChangeListener`: pushes NOTIFY_CONSUMER_IDS_CHANGED to every member on a
/// membership change (when `notifyConsumerIdsChangedEnable`).
pub struct DefaultConsumerIdsChangeListener {
    /// `BrokerConfig.notifyConsumerIdsChangedEnable`.
    pub notify_enabled: bool,
}

impl ConsumerIdsChangeListener for DefaultConsumerIdsChangeListener {
    fn handle(&self, event: ConsumerGroupEvent<'_>) {
        if let ConsumerGroupEvent::Change { group, channels } = event {
            if self.notify_enabled {
                for ch in channels.iter().filter(|c| !c.is_closed()) {
                    notify_consumer_ids_changed(ch, group);
                }
            }
        }
    }
}
