//! CONSUMER_SEND_MSG_BACK (36): a consumer hands back a message it failed to consume (mirrors
//! `asyncConsumerSendMsgBack` of `broker/.../processor/SendMessageProcessor.java`).
//!
//! The message at the header's commitlog offset is re-stored, in Java's order of checks:
//! * the group must exist (or be auto-created), the broker must be writable, and a group with
//!   `retryQueueNums <= 0` is answered SUCCESS without storing anything;
//! * the `%RETRY%<group>` topic is created on demand (`retryQueueNums` queues, perm RW);
//! * while `reconsumeTimes < maxReconsumeTimes` (the group's `retryMaxTimes`, overridden by
//!   the header's `maxReconsumeTimes` from clients >= V3_4_9) and `delayLevel >= 0`, the copy
//!   goes to `%RETRY%<group>` with delay level `delayLevel`, or `3 + reconsumeTimes` when the
//!   client left it 0 — the store rewrites it to `SCHEDULE_TOPIC_XXXX` and the
//!   [`ScheduleMessageService`](crate::schedule::ScheduleMessageService) delivers it later;
//! * otherwise it goes to `%DLQ%<group>` (1 queue, perm RW) with `DELAY=0`.
//!
//! The copy keeps body, flag, sys flag, born/store hosts and properties, gains `RETRY_TOPIC`
//! (the original topic, once), `WAIT=false`, `DELAY` and `ORIGIN_MESSAGE_ID` (the first
//! message's offset id), and `reconsumeTimes + 1`. Only PUT_OK is SUCCESS; any other store
//! status is SYSTEM_ERROR with the status name as remark.

use std::sync::Arc;

use protocol::code::response;
use protocol::header::send::ConsumerSendMsgBackRequestHeader;
use protocol::message::{properties_to_string, property, DecodeOptions};
use protocol::RemotingCommand;
use rand::Rng;
use store::message::{MessageExtBrokerInner, PutMessageStatus};
use tracing::{debug, info};

use super::{Reply, RequestContext};
use crate::config::perm;
use crate::controller::BrokerController;
use crate::error::{BrokerError, BrokerResult, FAQ_SUFFIX};
use crate::topic::sys_flag;
use crate::topic::validator::{dlq_topic, retry_topic};

/// `MQVersion.Version.V3_4_9.ordinal()`: clients from here on send `maxReconsumeTimes`.
const V3_4_9: i32 = 121;
/// `SendMessageProcessor.DLQ_NUMS_PER_GROUP`.
pub const DLQ_NUMS_PER_GROUP: i32 = 1;

/// Entry point for code 36.
pub async fn process(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: RemotingCommand,
) -> BrokerResult<Reply> {
    let h: ConsumerSendMsgBackRequestHeader = req.decode_header()?;
    send_back(broker, ctx, &h, req.version).await.map(Some)
}

async fn send_back(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    h: &ConsumerSendMsgBackRequestHeader,
    client_version: i32,
) -> BrokerResult<RemotingCommand> {
    let Some(sgc) = broker.subscription_group_manager.find(&h.group) else {
        return Err(BrokerError::SubscriptionGroupNotExist(format!(
            "subscription group not exist, {} {FAQ_SUFFIX}",
            h.group
        )));
    };
    {
        let cfg = broker.broker_config();
        if !perm::is_writeable(cfg.broker_permission) {
            return Err(BrokerError::NoPermission(format!(
                "the broker[{}] sending message is forbidden",
                cfg.broker_ip1
            )));
        }
    }
    if sgc.retry_queue_nums <= 0 {
        return Ok(RemotingCommand::response(response::SUCCESS, None));
    }

    let mut new_topic = retry_topic(&h.group);
    let mut queue_id = rand::thread_rng().gen_range(0..99_999_999) % sgc.retry_queue_nums;
    let topic_sys_flag = if h.unit_mode {
        sys_flag::build(false, true)
    } else {
        0
    };
    let tc = broker.topic_config_manager.create_in_send_message_back(
        &new_topic,
        sgc.retry_queue_nums,
        perm::WRITE | perm::READ,
        topic_sys_flag,
    );
    if !perm::is_writeable(tc.perm) {
        return Err(BrokerError::NoPermission(format!(
            "the topic[{new_topic}] sending message is forbidden"
        )));
    }

    // lookMessageByOffset
    let looked = broker
        .store()
        .select_one_message_by_offset(h.offset)
        .and_then(|sel| protocol::message::decode(&sel.data, DecodeOptions::default()).ok());
    let Some((mut msg, _)) = looked else {
        return Err(BrokerError::IllegalRequest(format!(
            "look message by offset failed, {}",
            h.offset
        )));
    };

    if msg.property(property::RETRY_TOPIC).is_none() {
        let topic = msg.topic.clone();
        msg.put_property(property::RETRY_TOPIC, topic);
    }
    msg.put_property(property::WAIT, "false");

    let mut delay_level = h.delay_level;
    let mut max_reconsume_times = sgc.retry_max_times;
    if client_version >= V3_4_9 {
        if let Some(m) = h.max_reconsume_times {
            max_reconsume_times = m;
        }
    }
    if msg.reconsume_times >= max_reconsume_times || delay_level < 0 {
        new_topic = dlq_topic(&h.group);
        // nextInt(99999999) % DLQ_NUMS_PER_GROUP, which is 1.
        queue_id = 0;
        broker.topic_config_manager.create_in_send_message_back(
            &new_topic,
            DLQ_NUMS_PER_GROUP,
            perm::WRITE | perm::READ,
            0,
        );
        msg.put_property(property::DELAY, "0");
        info!(group = %h.group, origin = %msg.msg_id, reconsume_times = msg.reconsume_times,
            max_reconsume_times, "send back to dead letter queue");
    } else {
        if delay_level == 0 {
            delay_level = 3 + msg.reconsume_times;
        }
        msg.put_property(property::DELAY, delay_level.to_string());
    }

    let origin = msg
        .property(property::ORIGIN_MESSAGE_ID)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| msg.msg_id.clone());
    msg.put_property(property::ORIGIN_MESSAGE_ID, origin);

    let inner = MessageExtBrokerInner {
        topic: new_topic.clone(),
        queue_id,
        flag: msg.flag,
        body: msg.body.clone(),
        properties_string: properties_to_string(&msg.properties),
        sys_flag: msg.sys_flag,
        born_timestamp: msg.born_timestamp,
        born_host: msg.born_host,
        store_host: msg.store_host,
        reconsume_times: msg.reconsume_times + 1,
        prepared_transaction_offset: 0,
    };
    let r = broker.put_message(inner).await;
    match r.status {
        PutMessageStatus::PutOk => {
            debug!(group = %h.group, topic = %new_topic, peer = %ctx.remote_addr(),
                reconsume_times = msg.reconsume_times + 1, delay_level, "consumer send msg back");
            Ok(RemotingCommand::response(response::SUCCESS, None))
        }
        other => Err(BrokerError::IllegalRequest(other.as_str().to_string())),
    }
}

/// In-process harness for this file's and `reply.rs`'s tests: the broker on port-0 listeners
/// over the in-memory store, and request builders.
#[cfg(test)]
pub(crate) mod test_support {
    use std::sync::Arc;
    use std::time::Duration;

    use bytes::Bytes;
    use protocol::code::request;
    use protocol::header::pull::PullMessageRequestHeader;
    use protocol::header::send::SendMessageRequestHeaderV2;
    use protocol::RemotingCommand;
    use tokio::net::TcpListener;
    use tokio::sync::oneshot;

    use crate::config::BrokerStartupConfig;
    use crate::longpolling::{NotifyMessageArrivingListener, PullRequestHoldService};
    use crate::store_impl::memory::MemoryStore;

    pub const T: Duration = Duration::from_secs(5);

    pub struct TestBroker {
        pub addr: String,
        stop: Option<oneshot::Sender<()>>,
        task: tokio::task::JoinHandle<()>,
        _dir: tempfile::TempDir,
    }

    impl TestBroker {
        pub async fn stop(mut self) {
            if let Some(s) = self.stop.take() {
                let _ = s.send(());
            }
            let _ = tokio::time::timeout(T, &mut self.task).await;
        }
    }

    pub async fn start(tune: impl FnOnce(&mut BrokerStartupConfig)) -> TestBroker {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let main = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let vip = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let port = main.local_addr().map(|a| a.port()).unwrap_or(0);
        let mut cfg = BrokerStartupConfig::default();
        cfg.broker.broker_ip1 = "127.0.0.1".into();
        cfg.broker.namesrv_addr = None;
        cfg.broker.broker_name = "broker-t".into();
        cfg.netty_server.listen_port = i32::from(port);
        cfg.store.store_path_root_dir = dir.path().display().to_string();
        tune(&mut cfg);
        let hold = Arc::new(PullRequestHoldService::new());
        let listener = Arc::new(NotifyMessageArrivingListener { hold: hold.clone() });
        let store = Arc::new(MemoryStore::new(4 * 1024 * 1024, Some(listener)));
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let r = crate::controller::run_with(cfg, store, hold, main, vip, async move {
                let _ = rx.await;
            })
            .await;
            if let Err(e) = r {
                panic!("broker failed: {e}");
            }
        });
        TestBroker {
            addr: format!("127.0.0.1:{port}"),
            stop: Some(tx),
            task,
            _dir: dir,
        }
    }

    pub fn send(code: i32, topic: &str, queue_id: i32, props: &str, body: &str) -> RemotingCommand {
        let h = SendMessageRequestHeaderV2 {
            a: "pg".into(),
            b: topic.into(),
            c: "TBW102".into(),
            d: 4,
            e: queue_id,
            f: 0,
            g: 1_700_000_000_000,
            h: 0,
            i: Some(props.into()),
            j: Some(0),
            k: false,
            l: None,
            m: false,
            n: None,
        };
        RemotingCommand::request_with(code, &h).with_body(Bytes::from(body.to_string()))
    }

    pub fn pull(topic: &str, queue_id: i32, offset: i64, group: &str) -> RemotingCommand {
        let h = PullMessageRequestHeader {
            consumer_group: group.into(),
            topic: topic.into(),
            queue_id,
            queue_offset: offset,
            max_msg_nums: 32,
            sys_flag: 0x4,
            commit_offset: 0,
            suspend_timeout_millis: 0,
            subscription: Some("*".into()),
            sub_version: 0,
            expression_type: Some("TAG".into()),
            bname: None,
        };
        RemotingCommand::request_with(request::PULL_MESSAGE, &h)
    }
}

#[cfg(test)]
mod tests {
    use protocol::code::{request, response};
    use protocol::header::send::{ConsumerSendMsgBackRequestHeader, SendMessageResponseHeader};
    use protocol::message::{decode_all, decode_offset_msg_id, DecodeOptions, MessageExt};
    use protocol::net::RemotingClient;
    use protocol::RemotingCommand;

    use super::test_support::{pull, send, start, T};

    fn back(offset: i64, group: &str, delay_level: i32, max: Option<i32>) -> RemotingCommand {
        let h = ConsumerSendMsgBackRequestHeader {
            offset,
            group: group.into(),
            delay_level,
            origin_msg_id: None,
            origin_topic: None,
            unit_mode: false,
            max_reconsume_times: max,
            bname: None,
        };
        let mut c = RemotingCommand::request_with(request::CONSUMER_SEND_MSG_BACK, &h);
        c.version = 453; // V4_9_7
        c
    }

    async fn pull_all(c: &RemotingClient, addr: &str, topic: &str) -> Vec<MessageExt> {
        let p = c
            .invoke(addr, pull(topic, 0, 0, "reader"), T)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.code, response::SUCCESS, "{topic}: {:?}", p.remark);
        decode_all(
            &p.body.clone().unwrap_or_default(),
            DecodeOptions::default(),
        )
    }

    #[tokio::test]
    async fn send_back_goes_to_retry_then_dlq() {
        let b = start(|_| {}).await;
        let c = RemotingClient::new();
        let r = c
            .invoke(
                &b.addr,
                send(
                    request::SEND_MESSAGE_V2,
                    "SB",
                    0,
                    "TAGS\u{1}TagA\u{2}UNIQ_KEY\u{1}U1",
                    "hello",
                ),
                T,
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.code, response::SUCCESS, "{:?}", r.remark);
        let h: SendMessageResponseHeader = r.decode_header().unwrap_or_else(|e| panic!("{e}"));
        let (_, offset) = decode_offset_msg_id(&h.msg_id).unwrap_or_else(|e| panic!("{e}"));

        // First failure: %RETRY%G, delay level 3 + 0 chosen by the broker.
        let r = c
            .invoke(&b.addr, back(offset, "G", 0, Some(2)), T)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((r.code, r.remark.as_deref()), (response::SUCCESS, None));
        let retry = pull_all(&c, &b.addr, "%RETRY%G").await;
        assert_eq!(retry.len(), 1);
        let m = &retry[0];
        assert_eq!(&m.body[..], b"hello");
        assert_eq!(m.reconsume_times, 1);
        assert_eq!(m.property("RETRY_TOPIC"), Some("SB"));
        assert_eq!(m.property("DELAY"), Some("3"));
        assert_eq!(m.property("WAIT"), Some("false"));
        assert_eq!(m.property("UNIQ_KEY"), Some("U1"));
        assert_eq!(m.property("TAGS"), Some("TagA"));
        assert_eq!(m.property("ORIGIN_MESSAGE_ID"), Some(h.msg_id.as_str()));

        // Second failure with a client delay level: still a retry, RETRY_TOPIC kept.
        let r = c
            .invoke(&b.addr, back(m.commit_log_offset, "G", 1, Some(2)), T)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.code, response::SUCCESS);
        let retry = pull_all(&c, &b.addr, "%RETRY%G").await;
        let m2 = &retry[1];
        assert_eq!((m2.reconsume_times, m2.property("DELAY")), (2, Some("1")));
        assert_eq!(m2.property("RETRY_TOPIC"), Some("SB"));
        assert_eq!(m2.property("ORIGIN_MESSAGE_ID"), Some(h.msg_id.as_str()));

        // Third: reconsumeTimes 2 >= max 2 -> %DLQ%G with DELAY=0.
        let r = c
            .invoke(&b.addr, back(m2.commit_log_offset, "G", 0, Some(2)), T)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.code, response::SUCCESS);
        let dlq = pull_all(&c, &b.addr, "%DLQ%G").await;
        assert_eq!(dlq.len(), 1);
        assert_eq!(
            (dlq[0].reconsume_times, dlq[0].property("DELAY")),
            (3, Some("0"))
        );
        assert_eq!(
            dlq[0].property("ORIGIN_MESSAGE_ID"),
            Some(h.msg_id.as_str())
        );

        // delayLevel -1 goes to the DLQ at once.
        let r = c
            .invoke(&b.addr, back(offset, "G", -1, None), T)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.code, response::SUCCESS);
        assert_eq!(pull_all(&c, &b.addr, "%DLQ%G").await.len(), 2);

        // No record at that offset.
        let r = c
            .invoke(&b.addr, back(987_654_321, "G", 0, None), T)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (r.code, r.remark.as_deref()),
            (
                response::SYSTEM_ERROR,
                Some("look message by offset failed, 987654321")
            )
        );
        b.stop().await;
    }

    #[tokio::test]
    async fn send_back_for_an_unknown_group_without_auto_create() {
        let b = start(|c| c.broker.auto_create_subscription_group = false).await;
        let c = RemotingClient::new();
        let r = c
            .invoke(&b.addr, back(0, "NoSuchGroup", 0, None), T)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.code, response::SUBSCRIPTION_GROUP_NOT_EXIST);
        assert_eq!(
            r.remark.as_deref(),
            Some("subscription group not exist, NoSuchGroup \nSee http://rocketmq.apache.org/docs/faq/ for further details.")
        );
        b.stop().await;
    }
}
