//! In-process tests of the broker core: `run_with` on port-0 listeners and the in-memory
//! store, driven by the protocol crate's client (no Java, no namesrv).

use std::sync::Arc;
use std::time::Duration;

use broker::config::BrokerStartupConfig;
use broker::longpolling::{NotifyMessageArrivingListener, PullRequestHoldService};
use broker::store_impl::memory::MemoryStore;
use bytes::Bytes;
use protocol::body::{
    ConsumeFromWhere, ConsumeType, ConsumerData, HeartbeatData, JsonBody, MessageModel,
    SubscriptionData,
};
use protocol::code::{request, response};
use protocol::header::consumer::{
    GetConsumerListByGroupRequestHeader, QueryConsumerOffsetRequestHeader,
    QueryConsumerOffsetResponseHeader, UpdateConsumerOffsetRequestHeader,
};
use protocol::header::pull::{PullMessageRequestHeader, PullMessageResponseHeader};
use protocol::header::send::{SendMessageRequestHeaderV2, SendMessageResponseHeader};
use protocol::message::{decode_all, DecodeOptions};
use protocol::net::{Channel, RemotingClient, RequestHandler};
use protocol::RemotingCommand;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

const T: Duration = Duration::from_secs(5);

struct Broker {
    addr: String,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl Broker {
    async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        let _ = tokio::time::timeout(T, &mut self.task).await;
    }
}

async fn start() -> Broker {
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
    let hold = Arc::new(PullRequestHoldService::new());
    let listener = Arc::new(NotifyMessageArrivingListener { hold: hold.clone() });
    let store = Arc::new(MemoryStore::new(4 * 1024 * 1024, Some(listener)));
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let r = broker::controller::run_with(cfg, store, hold, main, vip, async move {
            let _ = rx.await;
        })
        .await;
        if let Err(e) = r {
            panic!("broker failed: {e}");
        }
    });
    Broker {
        addr: format!("127.0.0.1:{port}"),
        stop: Some(tx),
        task,
        _dir: dir,
    }
}

fn send(topic: &str, queue_id: i32, props: &str, body: &str) -> RemotingCommand {
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
    RemotingCommand::request_with(request::SEND_MESSAGE_V2, &h)
        .with_body(Bytes::from(body.to_string()))
}

fn pull(
    topic: &str,
    offset: i64,
    sys_flag: i32,
    sub: &str,
    suspend_ms: i64,
    group: &str,
) -> RemotingCommand {
    let h = PullMessageRequestHeader {
        consumer_group: group.into(),
        topic: topic.into(),
        queue_id: 0,
        queue_offset: offset,
        max_msg_nums: 32,
        sys_flag,
        commit_offset: 0,
        suspend_timeout_millis: suspend_ms,
        subscription: Some(sub.into()),
        sub_version: 0,
        expression_type: Some("TAG".into()),
        bname: None,
    };
    RemotingCommand::request_with(request::PULL_MESSAGE, &h)
}

const SUSPEND: i32 = 0x2;
const SUBSCRIPTION: i32 = 0x4;

#[tokio::test]
async fn send_then_pull_returns_the_stored_record() {
    let b = start().await;
    let c = RemotingClient::new();
    let r = c
        .invoke(
            &b.addr,
            send(
                "T1",
                0,
                "TAGS\u{1}TagA\u{2}WAIT\u{1}true\u{2}UNIQ_KEY\u{1}ABC",
                "hello",
            ),
            T,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.code, response::SUCCESS, "{:?}", r.remark);
    assert_eq!(r.ext("MSG_REGION"), Some("DefaultRegion"));
    assert_eq!(r.ext("TRACE_ON"), Some("true"));
    let h: SendMessageResponseHeader = r.decode_header().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((h.queue_id, h.queue_offset, h.msg_id.len()), (0, 0, 32));

    let p = c
        .invoke(&b.addr, pull("T1", 0, SUBSCRIPTION, "*", 0, "g1"), T)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (p.code, p.remark.as_deref()),
        (response::SUCCESS, Some("FOUND"))
    );
    let ph: PullMessageResponseHeader = p.decode_header().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (
            ph.next_begin_offset,
            ph.max_offset,
            ph.suggest_which_broker_id
        ),
        (1, 1, 0)
    );
    let msgs = decode_all(
        &p.body.clone().unwrap_or_default(),
        DecodeOptions::default(),
    );
    assert_eq!(msgs.len(), 1);
    let m = &msgs[0];
    assert_eq!(&m.body[..], b"hello");
    assert_eq!(m.property("CLUSTER"), Some("DefaultCluster"));
    assert_eq!(
        m.property("WAIT"),
        None,
        "WAIT is dropped from stored properties"
    );
    assert_eq!(m.property("UNIQ_KEY"), Some("ABC"));
    assert_eq!(m.msg_id, h.msg_id);

    let again = c
        .invoke(&b.addr, pull("T1", 1, SUBSCRIPTION, "*", 0, "g1"), T)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (again.code, again.remark.as_deref()),
        (response::PULL_NOT_FOUND, Some("OFFSET_OVERFLOW_ONE"))
    );
    b.stop().await;
}

#[tokio::test]
async fn long_poll_wakes_on_matching_arrival_only() {
    let b = start().await;
    let c = RemotingClient::new();
    // create the topic first
    let r = c
        .invoke(&b.addr, send("T2", 0, "TAGS\u{1}TagZ", "z"), T)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.code, response::SUCCESS);
    let ch = c.channel(&b.addr).await.unwrap_or_else(|e| panic!("{e}"));
    let parked = tokio::spawn(async move {
        ch.invoke(
            pull("T2", 1, SUSPEND | SUBSCRIPTION, "TagA", 10_000, "g2"),
            Duration::from_secs(15),
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!parked.is_finished(), "pull must park");
    let r = c
        .invoke(&b.addr, send("T2", 0, "TAGS\u{1}TagB", "b"), T)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.code, response::SUCCESS);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !parked.is_finished(),
        "a TagB arrival must not wake a TagA pull"
    );
    let t0 = std::time::Instant::now();
    let r = c
        .invoke(&b.addr, send("T2", 0, "TAGS\u{1}TagA", "a"), T)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.code, response::SUCCESS);
    let p = tokio::time::timeout(T, parked)
        .await
        .unwrap_or_else(|_| panic!("parked pull not woken"))
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(t0.elapsed() < Duration::from_secs(2));
    assert_eq!(p.code, response::SUCCESS, "{:?}", p.remark);
    let msgs = decode_all(
        &p.body.clone().unwrap_or_default(),
        DecodeOptions::default(),
    );
    assert_eq!(msgs.len(), 1);
    assert_eq!(&msgs[0].body[..], b"a");
    b.stop().await;
}

/// Records every request the broker pushes to this client.
struct Pushes(mpsc::UnboundedSender<RemotingCommand>);

impl RequestHandler for Pushes {
    async fn handle(
        self: Arc<Self>,
        _ch: Channel,
        req: RemotingCommand,
    ) -> Option<RemotingCommand> {
        let _ = self.0.send(req);
        None
    }
}

fn heartbeat(client_id: &str, group: &str, topic: &str) -> RemotingCommand {
    let hb = HeartbeatData {
        client_id: client_id.into(),
        producer_data_set: Vec::new(),
        consumer_data_set: vec![ConsumerData {
            group_name: group.into(),
            consume_type: Some(ConsumeType::ConsumePassively),
            message_model: Some(MessageModel::Clustering),
            consume_from_where: Some(ConsumeFromWhere::ConsumeFromFirstOffset),
            subscription_data_set: vec![SubscriptionData {
                topic: topic.into(),
                sub_string: "*".into(),
                ..SubscriptionData::default()
            }],
            unit_mode: false,
        }],
    };
    RemotingCommand::request(request::HEART_BEAT).with_body(hb.encode())
}

async fn consumer_ids<H: RequestHandler>(
    c: &RemotingClient<H>,
    addr: &str,
    group: &str,
) -> RemotingCommand {
    let h = GetConsumerListByGroupRequestHeader {
        consumer_group: group.into(),
    };
    c.invoke(
        addr,
        RemotingCommand::request_with(request::GET_CONSUMER_LIST_BY_GROUP, &h),
        T,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn membership_changes_push_notify_consumer_ids_changed() {
    let b = start().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let c1 = RemotingClient::with_handler(Arc::new(Pushes(tx)));
    let r = c1
        .invoke(&b.addr, heartbeat("c1@1", "G", "T3"), T)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.code, response::SUCCESS);
    let first = tokio::time::timeout(T, rx.recv()).await.ok().flatten();
    assert_eq!(
        first.map(|c| (c.code, c.is_oneway())),
        Some((request::NOTIFY_CONSUMER_IDS_CHANGED, true))
    );

    let c2 = RemotingClient::new();
    let r = c2
        .invoke(&b.addr, heartbeat("c2@1", "G", "T3"), T)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.code, response::SUCCESS);
    let n = tokio::time::timeout(T, rx.recv()).await.ok().flatten();
    assert_eq!(n.as_ref().and_then(|c| c.ext("consumerGroup")), Some("G"));
    let ids = consumer_ids(&c1, &b.addr, "G").await;
    assert_eq!(ids.code, response::SUCCESS);
    let body = String::from_utf8_lossy(ids.body_bytes()).into_owned();
    assert!(body.contains("c1@1") && body.contains("c2@1"), "{body}");

    // the second member goes away: the first is told, the list shrinks
    c2.close(&b.addr).await;
    let n = tokio::time::timeout(T, rx.recv()).await.ok().flatten();
    assert_eq!(
        n.map(|c| c.code),
        Some(request::NOTIFY_CONSUMER_IDS_CHANGED)
    );
    let ids = consumer_ids(&c1, &b.addr, "G").await;
    let body = String::from_utf8_lossy(ids.body_bytes()).into_owned();
    assert!(body.contains("c1@1") && !body.contains("c2@1"), "{body}");

    let none = consumer_ids(&c1, &b.addr, "NoSuchGroup").await;
    assert_eq!(
        (none.code, none.remark.as_deref()),
        (
            response::SYSTEM_ERROR,
            Some("no consumer for this group, NoSuchGroup")
        )
    );
    b.stop().await;
}

#[tokio::test]
async fn consumer_offsets_new_group_rule_and_commit() {
    let b = start().await;
    let c = RemotingClient::new();
    let r = c
        .invoke(&b.addr, send("T4", 0, "", "x"), T)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.code, response::SUCCESS);
    let q = |group: &str| {
        RemotingCommand::request_with(
            request::QUERY_CONSUMER_OFFSET,
            &QueryConsumerOffsetRequestHeader {
                consumer_group: group.into(),
                topic: "T4".into(),
                queue_id: 0,
                bname: None,
            },
        )
    };
    let r = c
        .invoke(&b.addr, q("fresh"), T)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        r.code,
        response::SUCCESS,
        "a new group on a young queue starts at 0"
    );
    let h: QueryConsumerOffsetResponseHeader = r.decode_header().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(h.offset, 0);
    let u = RemotingCommand::request_with(
        request::UPDATE_CONSUMER_OFFSET,
        &UpdateConsumerOffsetRequestHeader {
            consumer_group: "fresh".into(),
            topic: "T4".into(),
            queue_id: 0,
            commit_offset: 5,
            bname: None,
        },
    );
    let ch = c.channel(&b.addr).await.unwrap_or_else(|e| panic!("{e}"));
    ch.send_oneway(u).await.unwrap_or_else(|e| panic!("{e}"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let r = c
        .invoke(&b.addr, q("fresh"), T)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let h: QueryConsumerOffsetResponseHeader = r.decode_header().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(h.offset, 5);

    let r = c
        .invoke(&b.addr, RemotingCommand::request(9999), T)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.code, response::REQUEST_CODE_NOT_SUPPORTED);
    b.stop().await;
}
