//! Offsets and statistics: GET_TOPIC_STATS_INFO (202), GET_CONSUME_STATS (208),
//! GET_ALL_CONSUMER_OFFSET (43), GET_ALL_DELAY_OFFSET (45), QUERY_CONSUME_TIME_SPAN (303),
//! QUERY_CORRECTION_OFFSET (308), CLONE_GROUP_OFFSET (314), VIEW_BROKER_STATS_DATA (315),
//! GET_BROKER_CONSUME_STATS (317), QUERY_CONSUME_QUEUE (321).
//!
//! Mirrors `getTopicStatsInfo`, `getConsumeStats`, `getAllConsumerOffset`,
//! `getAllDelayOffset`, `queryConsumeTimeSpan`, `queryCorrectionOffset`, `cloneGroupOffset`,
//! `ViewBrokerStatsData`, `fetchAllConsumeStatsInBroker` and `queryConsumeQueue` of
//! `broker/.../processor/AdminBrokerProcessor.java`, and
//! `ConsumerOffsetManager.queryMinOffsetInAllGroup`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use protocol::body::{
    now_millis, ConsumeQueueData, ConsumeStats, ConsumeStatsList, DelayOffsetSerializeWrapper,
    JsonBody, MessageQueue, OffsetWrapper, QueryConsumeQueueResponseBody, QueryConsumeTimeSpanBody,
    QueryCorrectionOffsetBody, QueueTimeSpan, TopicOffset, TopicStatsTable,
};
use protocol::code::response;
use protocol::header::admin::{
    CloneGroupOffsetRequestHeader, GetConsumeStatsInBrokerHeader, GetConsumeStatsRequestHeader,
    GetTopicStatsInfoRequestHeader, QueryConsumeQueueRequestHeader,
    QueryConsumeTimeSpanRequestHeader, QueryCorrectionOffsetHeader,
    ViewBrokerStatsDataRequestHeader,
};
use protocol::RemotingCommand;
use tracing::warn;

use super::{java_hash_order, store_timestamp, success_leftover_remark, success_null_remark};
use crate::controller::BrokerController;
use crate::error::{BrokerError, BrokerResult};
use crate::processor::{Reply, RequestContext};
use protocol::fastjson::order::JavaMapKind;

/// `ConsumeQueue.CQ_STORE_UNIT_SIZE`.
const CQ_STORE_UNIT_SIZE: usize = 20;

fn broker_name(broker: &BrokerController) -> String {
    broker.broker_config().broker_name.clone()
}

fn topic_not_exist(topic: &str) -> BrokerError {
    BrokerError::TopicNotExist(format!("topic[{topic}] not exist"))
}

/// GET_TOPIC_STATS_INFO: min/max offset and the store time of the last message of every
/// write queue.
pub fn get_topic_stats_info(
    broker: &Arc<BrokerController>,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    let h: GetTopicStatsInfoRequestHeader = req.decode_header()?;
    let tc = broker
        .topic_config_manager
        .select(&h.topic)
        .ok_or_else(|| topic_not_exist(&h.topic))?;
    let name = broker_name(broker);
    let store = broker.store();
    let mut table = TopicStatsTable::default();
    for i in 0..tc.write_queue_nums.max(0) {
        let min = store.min_offset_in_queue(&h.topic, i).max(0);
        let max = store.max_offset_in_queue(&h.topic, i).max(0);
        let last_update_timestamp = if max > 0 {
            store_timestamp(broker, &h.topic, i, max - 1)
        } else {
            0
        };
        table.offset_table.insert(
            MessageQueue::new(h.topic.clone(), name.clone(), i),
            TopicOffset {
                min_offset: min,
                max_offset: max,
                last_update_timestamp,
            },
        );
    }
    Ok(Some(success_null_remark().with_body(table.encode())))
}

/// `findSubscriptionDataCount(group)`.
fn subscription_count(broker: &BrokerController, group: &str) -> usize {
    broker
        .consumer_manager
        .group_info(group)
        .map(|g| g.subscription_table.len())
        .unwrap_or(0)
}

/// The "is this topic still subscribed" rule shared by the consume-stats requests: skip a
/// topic the online group does not subscribe to (an offline group keeps all its topics).
fn subscribed_or_offline(broker: &BrokerController, group: &str, topic: &str) -> bool {
    broker
        .consumer_manager
        .find_subscription_data(group, topic)
        .is_some()
        || subscription_count(broker, group) == 0
}

/// One queue's broker and consumer offsets plus the store time of the last consumed
/// message.
fn offset_wrapper(
    broker: &BrokerController,
    group: &str,
    topic: &str,
    queue_id: i32,
) -> OffsetWrapper {
    let broker_offset = broker.store().max_offset_in_queue(topic, queue_id).max(0);
    let consumer_offset = broker
        .consumer_offset_manager
        .query_offset(group, topic, queue_id)
        .max(0);
    let mut w = OffsetWrapper {
        broker_offset,
        consumer_offset,
        last_timestamp: 0,
    };
    if consumer_offset >= 1 {
        let ts = store_timestamp(broker, topic, queue_id, consumer_offset - 1);
        if ts > 0 {
            w.last_timestamp = ts;
        }
    }
    w
}

/// GET_CONSUME_STATS: per read queue of each topic the group consumes (or of the one topic
/// asked for). `consumeTps` would come from the broker's stats manager, which we do not
/// keep: it is 0.
pub fn get_consume_stats(
    broker: &Arc<BrokerController>,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    let h: GetConsumeStatsRequestHeader = req.decode_header()?;
    let group = &h.consumer_group;
    let topics: Vec<String> = match h.topic.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => vec![h.topic.clone().unwrap_or_default()],
        _ => broker.consumer_offset_manager.topics_of_group(group),
    };
    let name = broker_name(broker);
    let mut stats = ConsumeStats::default();
    for topic in topics {
        let Some(tc) = broker.topic_config_manager.select(&topic) else {
            warn!(topic = %topic, "consumeStats, topic config not exist");
            continue;
        };
        if !subscribed_or_offline(broker, group, &topic) {
            warn!(group = %group, topic = %topic, "consumeStats, the consumer group does not subscribe the topic");
            continue;
        }
        for i in 0..tc.read_queue_nums.max(0) {
            stats.offset_table.insert(
                MessageQueue::new(topic.clone(), name.clone(), i),
                offset_wrapper(broker, group, &topic, i),
            );
        }
    }
    Ok(Some(success_null_remark().with_body(stats.encode())))
}

/// GET_ALL_CONSUMER_OFFSET: `ConsumerOffsetManager.encode()` (slave sync).
pub fn get_all_consumer_offset(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
) -> BrokerResult<Reply> {
    let body = broker.consumer_offset_manager.build_wrapper().encode();
    if body.is_empty() {
        warn!(peer = %ctx.remote_addr(), "No consumer offset in this broker");
        return Err(BrokerError::IllegalRequest(
            "No consumer offset in this broker".to_string(),
        ));
    }
    Ok(Some(success_null_remark().with_body(body)))
}

/// GET_ALL_DELAY_OFFSET: the schedule service's offset table (`ScheduleMessageService.encode`).
/// Other stores: `<storePathRootDir>/config/delayOffset.json` as persisted; an absent file is
/// an empty table, as on a fresh Java broker.
pub fn get_all_delay_offset(broker: &Arc<BrokerController>) -> BrokerResult<Reply> {
    if let Some(store) = broker.store().default_store() {
        let text = store
            .delay_offset_json(false)
            .map_err(|e| BrokerError::Store(e.to_string()))?;
        return Ok(Some(success_null_remark().with_body(text.into_bytes())));
    }
    let path = std::path::Path::new(&broker.store_config().store_path_root_dir)
        .join("config")
        .join("delayOffset.json");
    let wrapper = match std::fs::read(&path) {
        Ok(bytes) if !bytes.iter().all(u8::is_ascii_whitespace) => {
            DelayOffsetSerializeWrapper::decode(&bytes).unwrap_or_else(|e| {
                warn!(file = %path.display(), error = %e, "delayOffset.json unreadable");
                DelayOffsetSerializeWrapper::default()
            })
        }
        _ => DelayOffsetSerializeWrapper::default(),
    };
    Ok(Some(success_null_remark().with_body(wrapper.encode())))
}

/// QUERY_CONSUME_TIME_SPAN: per write queue the store times of the first, the last and the
/// next-to-consume message, and how far the group lags behind in time.
pub fn query_consume_time_span(
    broker: &Arc<BrokerController>,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    let h: QueryConsumeTimeSpanRequestHeader = req.decode_header()?;
    let topic = &h.topic;
    let tc = broker
        .topic_config_manager
        .select(topic)
        .ok_or_else(|| topic_not_exist(topic))?;
    let name = broker_name(broker);
    let store = broker.store();
    let mut spans = Vec::new();
    for i in 0..tc.write_queue_nums.max(0) {
        let min_time = store.earliest_message_time(topic, i);
        let max = store.max_offset_in_queue(topic, i);
        let max_time = store_timestamp(broker, topic, i, max - 1);
        let consumer_offset = broker
            .consumer_offset_manager
            .query_offset(&h.group, topic, i);
        let consume_time = if consumer_offset > 0 {
            store_timestamp(broker, topic, i, consumer_offset - 1)
        } else {
            min_time
        };
        let delay_time = if consumer_offset < max {
            now_millis() - store_timestamp(broker, topic, i, consumer_offset)
        } else {
            0
        };
        spans.push(QueueTimeSpan {
            message_queue: Some(MessageQueue::new(topic.clone(), name.clone(), i)),
            min_time_stamp: min_time,
            max_time_stamp: max_time,
            consume_time_stamp: consume_time,
            delay_time,
        });
    }
    let body = QueryConsumeTimeSpanBody {
        consume_time_span_set: spans,
    };
    Ok(Some(success_null_remark().with_body(body.encode())))
}

/// `ConsumerOffsetManager.queryMinOffsetInAllGroup`: per queue, the smallest committed offset
/// (not below the queue's min offset) over every group of the topic except `filter_groups`.
///
/// Java's version removes the filtered groups' entries from the live offset table while it
/// filters (it iterates `offsetTable.keySet()` and calls `remove`); we only skip them.
fn query_min_offset_in_all_group(
    broker: &BrokerController,
    topic: &str,
    filter_groups: Option<&str>,
) -> HashMap<i32, i64> {
    let filtered: HashSet<&str> = filter_groups
        .filter(|f| !f.trim().is_empty())
        .map(|f| f.split(',').collect())
        .unwrap_or_default();
    let mut min_offsets: HashMap<i32, i64> = HashMap::new();
    for group in broker.consumer_offset_manager.groups_of_topic(topic) {
        if filtered.contains(group.as_str()) {
            continue;
        }
        let Some(offsets) = broker.consumer_offset_manager.query_offsets(&group, topic) else {
            continue;
        };
        for (qid, offset) in offsets {
            let queue_min = broker.store().min_offset_in_queue(topic, qid);
            if offset >= queue_min {
                min_offsets
                    .entry(qid)
                    .and_modify(|m| *m = (*m).min(offset))
                    .or_insert(offset);
            }
        }
    }
    min_offsets
}

/// QUERY_CORRECTION_OFFSET: the min offsets over all groups, with `Long.MAX_VALUE` for
/// queues where the compare group is behind that minimum.
pub fn query_correction_offset(
    broker: &Arc<BrokerController>,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    let h: QueryCorrectionOffsetHeader = req.decode_header()?;
    let mut correction =
        query_min_offset_in_all_group(broker, &h.topic, h.filter_groups.as_deref());
    if let Some(compare) = broker
        .consumer_offset_manager
        .query_offsets(&h.compare_group, &h.topic)
    {
        for (qid, offset) in compare {
            // Java reads `correctionOffset.get(queueId)` unboxed: a queue missing from the
            // minimum table would throw there; such a queue is left out here.
            if let Some(min) = correction.get_mut(&qid) {
                if *min > offset {
                    *min = i64::MAX;
                }
            }
        }
    }
    let body = QueryCorrectionOffsetBody {
        correction_offsets: correction,
    };
    Ok(Some(success_null_remark().with_body(body.encode())))
}

/// CLONE_GROUP_OFFSET: copy the source group's offsets of a topic to the destination group.
/// Like Java, the copy uses the header's topic (a request without one copies nothing), and
/// an online source group must subscribe the topic unless `offline`.
pub fn clone_group_offset(
    broker: &Arc<BrokerController>,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    let h: CloneGroupOffsetRequestHeader = req.decode_header()?;
    let topics: Vec<String> = match h.topic.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => vec![h.topic.clone().unwrap_or_default()],
        _ => broker.consumer_offset_manager.topics_of_group(&h.src_group),
    };
    for topic in topics {
        if broker.topic_config_manager.select(&topic).is_none() {
            warn!(topic = %topic, "[cloneGroupOffset], topic config not exist");
            continue;
        }
        if !h.offline && !subscribed_or_offline(broker, &h.src_group, &topic) {
            warn!(group = %h.src_group, topic = %topic, "[cloneGroupOffset], the consumer group does not subscribe the topic");
            continue;
        }
        if let Some(t) = h.topic.as_deref() {
            broker
                .consumer_offset_manager
                .clone_offset(&h.src_group, &h.dest_group, t);
        }
    }
    Ok(Some(success_null_remark()))
}

/// VIEW_BROKER_STATS_DATA: we keep no `BrokerStatsManager` stats items, so every item is
/// reported missing, which is what a Java broker answers for an item without traffic.
pub fn view_broker_stats_data(req: &RemotingCommand) -> BrokerResult<Reply> {
    let h: ViewBrokerStatsDataRequestHeader = req.decode_header()?;
    Err(BrokerError::IllegalRequest(format!(
        "The stats <{}> <{}> not exist",
        h.stats_name, h.stats_key
    )))
}

/// GET_BROKER_CONSUME_STATS: consume stats of every subscription group on every topic it
/// has offsets for (only ordered topics with `isOrder`), and the total lag.
pub fn fetch_all_consume_stats_in_broker(
    broker: &Arc<BrokerController>,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    let h: GetConsumeStatsInBrokerHeader = req.decode_header()?;
    let name = broker_name(broker);
    // `subscriptionGroupTable` is a `ConcurrentHashMap(1024)`; `whichTopicByConsumer` a
    // `HashSet`: iterate both in Java's order.
    let mut names: Vec<String> = broker
        .subscription_group_manager
        .build_wrapper()
        .subscription_group_table
        .into_keys()
        .collect();
    names.sort();
    let groups = java_hash_order(names, JavaMapKind::ConcurrentHashMap { initial: 1024 });
    let mut list = Vec::new();
    let mut total_diff = 0i64;
    for group in groups {
        let mut per_group = Vec::new();
        let mut topics = broker.consumer_offset_manager.topics_of_group(&group);
        topics.sort();
        for topic in java_hash_order(topics, JavaMapKind::HashMap { initial: 16 }) {
            let Some(tc) = broker.topic_config_manager.select(&topic) else {
                warn!(topic = %topic, "consumeStats, topic config not exist");
                continue;
            };
            if h.is_order && !tc.order {
                continue;
            }
            if !subscribed_or_offline(broker, &group, &topic) {
                continue;
            }
            let mut stats = ConsumeStats::default();
            for i in 0..tc.write_queue_nums.max(0) {
                stats.offset_table.insert(
                    MessageQueue::new(topic.clone(), name.clone(), i),
                    offset_wrapper(broker, &group, &topic, i),
                );
            }
            total_diff += stats
                .offset_table
                .values()
                .map(|w| w.broker_offset - w.consumer_offset)
                .sum::<i64>();
            per_group.push(stats);
        }
        let mut m = HashMap::new();
        m.insert(group, per_group);
        list.push(m);
    }
    let body = ConsumeStatsList {
        consume_stats_list: list,
        broker_addr: Some(broker.broker_addr()),
        total_diff,
    };
    Ok(Some(success_null_remark().with_body(body.encode())))
}

/// QUERY_CONSUME_QUEUE: raw consume-queue entries from `index` (at most `count`). Needs the
/// real store; like Java, success keeps the leftover remark `"not set any response code"`.
pub fn query_consume_queue(
    broker: &Arc<BrokerController>,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    let h: QueryConsumeQueueRequestHeader = req.decode_header()?;
    let topic = h.topic.clone().unwrap_or_else(|| "null".to_string());
    // Java creates consume queue objects lazily on any offset lookup (`findConsumeQueue`),
    // which the broker does for every known topic soon enough (stats, pulls, offset
    // queries): a configured topic's queue is looked up the same way here.
    let known_topic = broker.topic_config_manager.select(&topic).is_some();
    let cq = broker
        .store()
        .default_store()
        .and_then(|s| {
            s.get_consume_queue(&topic, h.queue_id)
                .or_else(|| known_topic.then(|| s.find_consume_queue(&topic, h.queue_id)))
        })
        .ok_or_else(|| {
            BrokerError::IllegalRequest(format!("{}@{} is not exist!", h.queue_id, topic))
        })?;
    let mut body = QueryConsumeQueueResponseBody {
        max_queue_index: cq.max_offset_in_queue(),
        min_queue_index: cq.min_offset_in_queue(),
        ..Default::default()
    };
    if let Some(group) = &h.consumer_group {
        let sub = broker
            .consumer_manager
            .find_subscription_data(group, &topic);
        body.filter_data = Some(match &sub {
            None => format!("{group}@{topic} is not online!"),
            // ConsumerFilterManager only holds data for SQL92 subscriptions, which this
            // broker does not precompile: `JSON.toJSONString(null, true)`.
            Some(_) => "null".to_string(),
        });
        body.subscription_data = sub;
    }
    let Some(buf) = cq.get_index_buffer(h.index) else {
        return Ok(Some(RemotingCommand::response(
            response::SUCCESS,
            Some(format!(
                "Index {} of {}@{} is not exist!",
                h.index, h.queue_id, topic
            )),
        )));
    };
    let limit = (h.count.max(0) as usize).saturating_mul(CQ_STORE_UNIT_SIZE);
    let data = &buf.data[..buf.data.len().min(limit)];
    for unit in data.chunks_exact(CQ_STORE_UNIT_SIZE) {
        let mut phys = [0u8; 8];
        phys.copy_from_slice(&unit[0..8]);
        let mut size = [0u8; 4];
        size.copy_from_slice(&unit[8..12]);
        let mut tags = [0u8; 8];
        tags.copy_from_slice(&unit[12..20]);
        body.queue_data.push(ConsumeQueueData {
            physic_offset: i64::from_be_bytes(phys),
            physic_size: i32::from_be_bytes(size),
            tags_code: i64::from_be_bytes(tags),
            ..Default::default()
        });
    }
    Ok(Some(success_leftover_remark().with_body(body.encode())))
}
