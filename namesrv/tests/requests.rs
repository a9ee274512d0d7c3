//! Every namesrv request code over a real TCP connection (in-process server, our client).
//! The Java-vs-ours comparisons live in compat-tests/tests/namesrv_*.rs.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use namesrv::config::{EXPIRY_KEY, SCAN_INTERVAL_KEY};
use namesrv::{Config, Namesrv};
use protocol::body::{
    ClusterInfo, DataVersion, JsonBody, KVTable, RegisterBrokerBody, TopicConfig,
    TopicConfigSerializeWrapper, TopicList, TopicRouteData,
};
use protocol::code::{request as rc, response};
use protocol::header::namesrv::*;
use protocol::header::CommandHeader;
use protocol::net::RemotingClient;
use protocol::RemotingCommand;
use tokio::sync::oneshot;

const T: Duration = Duration::from_secs(5);

struct Server {
    addr: String,
    ns: Arc<Namesrv>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn start(extra: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = Config::default();
        config.namesrv.kv_config_path = dir.path().join("kvConfig.json").display().to_string();
        config.namesrv.config_store_path =
            dir.path().join("namesrv.properties").display().to_string();
        let props: Vec<(String, String)> = extra
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        config.load_properties(&props, None);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        let ns = Namesrv::new(config).expect("namesrv");
        let (tx, rx) = oneshot::channel::<()>();
        let ns2 = ns.clone();
        let task = tokio::spawn(async move {
            ns2.serve(listener, async {
                let _ = rx.await;
            })
            .await
        });
        Server {
            addr: addr.to_string(),
            ns,
            stop: Some(tx),
            task,
            _dir: dir,
        }
    }

    async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

async fn call(client: &RemotingClient, addr: &str, cmd: RemotingCommand) -> RemotingCommand {
    client.invoke(addr, cmd, T).await.expect("reply")
}

fn topic(name: &str, queues: i32, perm: i32) -> (String, TopicConfig) {
    (
        name.to_string(),
        TopicConfig::with_queues(name, queues, queues, perm),
    )
}

fn register_body(
    counter: i64,
    topics: &[(String, TopicConfig)],
    filters: &[&str],
) -> RegisterBrokerBody {
    RegisterBrokerBody {
        topic_config_serialize_wrapper: TopicConfigSerializeWrapper {
            topic_config_table: topics.iter().cloned().collect(),
            data_version: DataVersion::new(1_700_000_000_000, counter),
        },
        filter_server_list: filters.iter().map(|s| s.to_string()).collect(),
    }
}

fn register_cmd(
    name: &str,
    addr: &str,
    id: i64,
    body: Vec<u8>,
    compressed: bool,
) -> RemotingCommand {
    let h = RegisterBrokerRequestHeader {
        broker_name: name.into(),
        broker_addr: addr.into(),
        cluster_name: "DefaultCluster".into(),
        ha_server_addr: format!("{addr}-ha"),
        broker_id: id,
        compressed,
        body_crc32: Some((crc32fast::hash(&body) & 0x7FFF_FFFF) as i32),
    };
    RemotingCommand::request_with(rc::REGISTER_BROKER, &h).with_body(body)
}

async fn route(client: &RemotingClient, addr: &str, t: &str) -> RemotingCommand {
    let h = GetRouteInfoRequestHeader {
        topic: t.into(),
        accept_standard_json_only: None,
    };
    call(
        client,
        addr,
        RemotingCommand::request_with(rc::GET_ROUTEINFO_BY_TOPIC, &h),
    )
    .await
}

fn header<H: CommandHeader>(resp: &RemotingCommand) -> H {
    resp.decode_header().expect("response header")
}

#[tokio::test]
async fn register_route_and_cluster_info() {
    let s = Server::start(&[]).await;
    let broker = RemotingClient::new();
    let body = register_body(1, &[topic("TopicA", 4, 6), topic("TBW102", 8, 7)], &[]).encode();
    let resp = call(
        &broker,
        &s.addr,
        register_cmd("broker-a", "10.0.0.1:10911", 0, body, false),
    )
    .await;
    assert_eq!(resp.code, response::SUCCESS, "{:?}", resp.remark);
    assert_eq!(
        resp.ext_fields.as_ref().map(|e| e.len()),
        Some(0),
        "master gets an empty header"
    );

    // a slave learns its master and the master's HA address
    let body = register_body(1, &[topic("TopicA", 4, 6)], &[]).encode();
    let resp = call(
        &broker,
        &s.addr,
        register_cmd("broker-a", "10.0.0.1:10921", 1, body, false),
    )
    .await;
    let h: RegisterBrokerResponseHeader = header(&resp);
    assert_eq!(h.master_addr.as_deref(), Some("10.0.0.1:10911"));
    assert_eq!(h.ha_server_addr.as_deref(), Some("10.0.0.1:10911-ha"));

    let client = RemotingClient::new();
    let resp = route(&client, &s.addr, "TopicA").await;
    assert_eq!(resp.code, response::SUCCESS);
    let text = String::from_utf8_lossy(resp.body_bytes()).into_owned();
    assert_eq!(
        text,
        r#"{"brokerDatas":[{"brokerAddrs":{"0":"10.0.0.1:10911","1":"10.0.0.1:10921"},"brokerName":"broker-a","cluster":"DefaultCluster"}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}"#
    );
    // an old client (version < 401) gets fastjson's unquoted Long keys
    let mut old = RemotingCommand::request_with(
        rc::GET_ROUTEINFO_BY_TOPIC,
        &GetRouteInfoRequestHeader {
            topic: "TopicA".into(),
            accept_standard_json_only: None,
        },
    );
    old.version = 400;
    let resp = call(&client, &s.addr, old).await;
    assert!(String::from_utf8_lossy(resp.body_bytes())
        .contains(r#"{0:"10.0.0.1:10911",1:"10.0.0.1:10921"}"#));

    let resp = route(&client, &s.addr, "NoSuchTopic").await;
    assert_eq!(resp.code, response::TOPIC_NOT_EXIST);
    assert_eq!(
        resp.remark.as_deref(),
        Some("No topic route info in name server for the topic: NoSuchTopic\nSee http://rocketmq.apache.org/docs/faq/ for further details.")
    );

    let resp = call(
        &client,
        &s.addr,
        RemotingCommand::request(rc::GET_BROKER_CLUSTER_INFO),
    )
    .await;
    let ci = ClusterInfo::decode(resp.body_bytes()).expect("ClusterInfo");
    assert_eq!(ci.broker_addr_table["broker-a"].broker_addrs.len(), 2);
    assert!(ci.cluster_addr_table["DefaultCluster"].contains("broker-a"));
    assert!(String::from_utf8_lossy(resp.body_bytes()).contains(r#"{0:"10.0.0.1:10911""#));

    let resp = call(
        &client,
        &s.addr,
        RemotingCommand::request(rc::GET_ALL_TOPIC_LIST_FROM_NAMESERVER),
    )
    .await;
    let tl = TopicList::decode(resp.body_bytes()).expect("TopicList");
    assert_eq!(tl.topic_list.len(), 2);

    let h = GetTopicsByClusterRequestHeader {
        cluster: "DefaultCluster".into(),
    };
    let resp = call(
        &client,
        &s.addr,
        RemotingCommand::request_with(rc::GET_TOPICS_BY_CLUSTER, &h),
    )
    .await;
    assert_eq!(
        TopicList::decode(resp.body_bytes())
            .expect("TopicList")
            .topic_list
            .len(),
        2
    );
    let h = GetTopicsByClusterRequestHeader {
        cluster: "nope".into(),
    };
    let resp = call(
        &client,
        &s.addr,
        RemotingCommand::request_with(rc::GET_TOPICS_BY_CLUSTER, &h),
    )
    .await;
    assert_eq!(resp.code, response::SUCCESS);
    assert_eq!(resp.body_bytes(), br#"{"topicList":[]}"#);

    let resp = call(
        &client,
        &s.addr,
        RemotingCommand::request(rc::GET_SYSTEM_TOPIC_LIST_FROM_NS),
    )
    .await;
    let tl = TopicList::decode(resp.body_bytes()).expect("TopicList");
    assert!(tl.topic_list.contains("DefaultCluster") && tl.topic_list.contains("broker-a"));
    assert_eq!(tl.broker_addr.as_deref(), Some("10.0.0.1:10911"));
    s.stop().await;
}

#[tokio::test]
async fn register_body_variants_and_bad_bodies() {
    let s = Server::start(&[]).await;
    let broker = RemotingClient::new();
    // compressed body
    let body = register_body(1, &[topic("Zipped", 2, 6)], &["10.0.0.9:7000"]).encode_with(true);
    let resp = call(
        &broker,
        &s.addr,
        register_cmd("broker-z", "10.0.0.2:10911", 0, body, true),
    )
    .await;
    assert_eq!(resp.code, response::SUCCESS, "{:?}", resp.remark);
    let client = RemotingClient::new();
    let resp = route(&client, &s.addr, "Zipped").await;
    let r = TopicRouteData::decode(resp.body_bytes()).expect("route");
    assert_eq!(r.queue_datas[0].write_queue_nums, 2);
    assert_eq!(
        r.filter_server_table["10.0.0.2:10911"],
        vec!["10.0.0.9:7000".to_string()]
    );

    // a broker older than V3_0_11 sends a bare TopicConfigSerializeWrapper
    let wrapper = register_body(1, &[topic("OldStyle", 3, 6)], &[]).topic_config_serialize_wrapper;
    let mut cmd = register_cmd("broker-o", "10.0.0.3:10911", 0, wrapper.encode(), false);
    cmd.version = 36;
    assert_eq!(call(&broker, &s.addr, cmd).await.code, response::SUCCESS);
    assert_eq!(
        route(&client, &s.addr, "OldStyle").await.code,
        response::SUCCESS
    );

    // ... and a V4_9_7 broker with that body registers with no topics (protocol.md T5)
    let cmd = register_cmd("broker-p", "10.0.0.4:10911", 0, wrapper.encode(), false);
    assert_eq!(call(&broker, &s.addr, cmd).await.code, response::SUCCESS);

    // bad CRC
    let body = register_body(1, &[topic("Crc", 1, 6)], &[]).encode();
    let mut cmd = register_cmd("broker-c", "10.0.0.5:10911", 0, body, false);
    cmd.set_ext("bodyCrc32", "12345");
    let resp = call(&broker, &s.addr, cmd).await;
    assert_eq!(
        (resp.code, resp.remark.as_deref()),
        (response::SYSTEM_ERROR, Some("crc32 not match"))
    );

    // malformed JSON, malformed zlib, truncated zlib, missing header fields
    for (body, compressed) in [
        (b"{not json".to_vec(), false),
        (b"garbage".to_vec(), true),
        (
            register_body(1, &[topic("X", 1, 6)], &[]).encode_with(true)[..10].to_vec(),
            true,
        ),
    ] {
        let resp = call(
            &broker,
            &s.addr,
            register_cmd("broker-m", "10.0.0.6:10911", 0, body, compressed),
        )
        .await;
        assert_eq!(resp.code, response::SYSTEM_ERROR);
    }
    let resp = call(
        &broker,
        &s.addr,
        RemotingCommand::request(rc::REGISTER_BROKER),
    )
    .await;
    assert_eq!(resp.code, response::SYSTEM_ERROR);
    assert_eq!(
        route(&client, &s.addr, "X").await.code,
        response::TOPIC_NOT_EXIST
    );
    s.stop().await;
}

#[tokio::test]
async fn data_version_unregister_and_perms() {
    let s = Server::start(&[]).await;
    let c = RemotingClient::new();
    let topics = [topic("T1", 4, 6), topic("T2", 4, 7)];
    let body = register_body(5, &topics, &[]).encode();
    call(
        &c,
        &s.addr,
        register_cmd("broker-a", "10.0.0.1:10911", 0, body, false),
    )
    .await;

    let qh = QueryDataVersionRequestHeader {
        broker_name: "broker-a".into(),
        broker_addr: "10.0.0.1:10911".into(),
        cluster_name: "DefaultCluster".into(),
        broker_id: 0,
    };
    for (counter, changed) in [(5, false), (6, true)] {
        let cmd = RemotingCommand::request_with(rc::QUERY_DATA_VERSION, &qh)
            .with_body(DataVersion::new(1_700_000_000_000, counter).encode());
        let resp = call(&c, &s.addr, cmd).await;
        let h: QueryDataVersionResponseHeader = header(&resp);
        assert_eq!(h.changed, changed);
        assert_eq!(
            DataVersion::decode(resp.body_bytes()).expect("dv").counter,
            5
        );
    }
    let resp = call(
        &c,
        &s.addr,
        RemotingCommand::request_with(rc::QUERY_DATA_VERSION, &qh),
    )
    .await;
    assert_eq!(resp.code, response::SYSTEM_ERROR, "no body");

    let wh = WipeWritePermOfBrokerRequestHeader {
        broker_name: "broker-a".into(),
    };
    let resp = call(
        &c,
        &s.addr,
        RemotingCommand::request_with(rc::WIPE_WRITE_PERM_OF_BROKER, &wh),
    )
    .await;
    assert_eq!(
        header::<WipeWritePermOfBrokerResponseHeader>(&resp).wipe_topic_count,
        2
    );
    let r = TopicRouteData::decode(route(&c, &s.addr, "T2").await.body_bytes()).expect("route");
    assert_eq!(r.queue_datas[0].perm, 5);
    let ah = AddWritePermOfBrokerRequestHeader {
        broker_name: "broker-a".into(),
    };
    let resp = call(
        &c,
        &s.addr,
        RemotingCommand::request_with(rc::ADD_WRITE_PERM_OF_BROKER, &ah),
    )
    .await;
    assert_eq!(
        header::<AddWritePermOfBrokerResponseHeader>(&resp).add_topic_count,
        2
    );
    let r = TopicRouteData::decode(route(&c, &s.addr, "T2").await.body_bytes()).expect("route");
    assert_eq!(r.queue_datas[0].perm, 6, "Java sets R|W, dropping INHERIT");

    let dh = DeleteTopicFromNamesrvRequestHeader {
        topic: "T1".into(),
        cluster_name: Some("OtherCluster".into()),
    };
    call(
        &c,
        &s.addr,
        RemotingCommand::request_with(rc::DELETE_TOPIC_IN_NAMESRV, &dh),
    )
    .await;
    assert_eq!(
        route(&c, &s.addr, "T1").await.code,
        response::SUCCESS,
        "other cluster: untouched"
    );
    let dh = DeleteTopicFromNamesrvRequestHeader {
        topic: "T1".into(),
        cluster_name: Some("DefaultCluster".into()),
    };
    call(
        &c,
        &s.addr,
        RemotingCommand::request_with(rc::DELETE_TOPIC_IN_NAMESRV, &dh),
    )
    .await;
    assert_eq!(
        route(&c, &s.addr, "T1").await.code,
        response::TOPIC_NOT_EXIST
    );

    let uh = UnRegisterBrokerRequestHeader {
        broker_name: "broker-a".into(),
        broker_addr: "10.0.0.1:10911".into(),
        cluster_name: "DefaultCluster".into(),
        broker_id: 0,
    };
    call(
        &c,
        &s.addr,
        RemotingCommand::request_with(rc::UNREGISTER_BROKER, &uh),
    )
    .await;
    assert_eq!(
        route(&c, &s.addr, "T2").await.code,
        response::TOPIC_NOT_EXIST
    );
    let resp = call(
        &c,
        &s.addr,
        RemotingCommand::request(rc::GET_BROKER_CLUSTER_INFO),
    )
    .await;
    assert_eq!(
        resp.body_bytes(),
        br#"{"brokerAddrTable":{},"clusterAddrTable":{}}"#
    );
    s.stop().await;
}

async fn wait_until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn routes_go_with_the_connection_and_with_silence() {
    let s = Server::start(&[(SCAN_INTERVAL_KEY, "100"), (EXPIRY_KEY, "600")]).await;
    let client = RemotingClient::new();

    // connection close (T10)
    let broker = RemotingClient::new();
    let body = register_body(1, &[topic("Closing", 1, 6)], &[]).encode();
    call(
        &broker,
        &s.addr,
        register_cmd("broker-a", "10.0.0.1:10911", 0, body, false),
    )
    .await;
    assert_eq!(
        route(&client, &s.addr, "Closing").await.code,
        response::SUCCESS
    );
    broker.close(&s.addr).await;
    wait_until("routes removed on close", T, || {
        s.ns.route().live_broker_count() == 0
    })
    .await;
    assert_eq!(
        route(&client, &s.addr, "Closing").await.code,
        response::TOPIC_NOT_EXIST
    );

    // silence: registered once, connection kept open, then expired by the scan
    let quiet = RemotingClient::new();
    let body = register_body(1, &[topic("Quiet", 1, 6)], &[]).encode();
    call(
        &quiet,
        &s.addr,
        register_cmd("broker-q", "10.0.0.7:10911", 0, body, false),
    )
    .await;
    let quiet_ch = quiet.channel(&s.addr).await.expect("open channel");
    let t0 = Instant::now();
    wait_until("silent broker expired", T, || {
        s.ns.route().live_broker_count() == 0
    })
    .await;
    assert!(
        t0.elapsed() >= Duration::from_millis(500),
        "expired too early: {:?}",
        t0.elapsed()
    );
    assert_eq!(
        route(&client, &s.addr, "Quiet").await.code,
        response::TOPIC_NOT_EXIST
    );
    // the namesrv closes the expired broker's connection, as Java does
    wait_until("expired broker's connection closed", T, || {
        quiet_ch.is_closed()
    })
    .await;
    s.stop().await;
}

#[tokio::test]
async fn idle_connections_are_closed() {
    // serverChannelMaxIdleTimeSeconds=1: a silent connection is closed, and a broker
    // registered on it loses its routes (Java: onChannelIdle -> onChannelDestroy)
    let s = Server::start(&[
        (SCAN_INTERVAL_KEY, "100"),
        ("serverChannelMaxIdleTimeSeconds", "1"),
    ])
    .await;
    let broker = RemotingClient::new();
    let body = register_body(1, &[topic("Idle", 1, 6)], &[]).encode();
    call(
        &broker,
        &s.addr,
        register_cmd("broker-i", "10.0.0.8:10911", 0, body, false),
    )
    .await;
    let ch = broker.channel(&s.addr).await.expect("channel");
    let t0 = Instant::now();
    wait_until("idle connection closed", T, || ch.is_closed()).await;
    assert!(
        t0.elapsed() >= Duration::from_millis(800),
        "closed too early: {:?}",
        t0.elapsed()
    );
    wait_until("routes of the idle broker removed", T, || {
        s.ns.route().live_broker_count() == 0
    })
    .await;
    s.stop().await;
}

#[tokio::test]
async fn kv_config_and_order_topic_conf() {
    let s = Server::start(&[("orderMessageEnable", "true")]).await;
    let c = RemotingClient::new();
    let put = |ns: &str, k: &str, v: &str| {
        RemotingCommand::request_with(
            rc::PUT_KV_CONFIG,
            &PutKVConfigRequestHeader {
                namespace: ns.into(),
                key: k.into(),
                value: v.into(),
            },
        )
    };
    assert_eq!(
        call(
            &c,
            &s.addr,
            put("ORDER_TOPIC_CONFIG", "Ordered", "broker-a:4")
        )
        .await
        .code,
        0
    );
    assert_eq!(call(&c, &s.addr, put("ns", "k", "v")).await.code, 0);
    let resp = call(&c, &s.addr, RemotingCommand::request(rc::PUT_KV_CONFIG)).await;
    assert_eq!(
        (resp.code, resp.remark.as_deref()),
        (1, Some("namespace or key is null"))
    );

    let get = |ns: &str, k: &str| {
        RemotingCommand::request_with(
            rc::GET_KV_CONFIG,
            &GetKVConfigRequestHeader {
                namespace: ns.into(),
                key: k.into(),
            },
        )
    };
    let resp = call(&c, &s.addr, get("ns", "k")).await;
    assert_eq!(
        header::<GetKVConfigResponseHeader>(&resp).value.as_deref(),
        Some("v")
    );
    let resp = call(&c, &s.addr, get("ns", "missing")).await;
    assert_eq!(
        (resp.code, resp.remark.as_deref()),
        (
            response::QUERY_NOT_FOUND,
            Some("No config item, Namespace: ns Key: missing")
        )
    );

    let list = |ns: &str| {
        RemotingCommand::request_with(
            rc::GET_KVLIST_BY_NAMESPACE,
            &GetKVListByNamespaceRequestHeader {
                namespace: ns.into(),
            },
        )
    };
    let resp = call(&c, &s.addr, list("ns")).await;
    assert_eq!(
        KVTable::decode(resp.body_bytes()).expect("kv").table,
        HashMap::from([("k".to_string(), "v".to_string())])
    );
    let resp = call(&c, &s.addr, list("none")).await;
    assert_eq!(
        (resp.code, resp.remark.as_deref()),
        (22, Some("No config item, Namespace: none"))
    );

    // the broker gets the ORDER_TOPIC_CONFIG table back on registration, and routes carry
    // orderTopicConf when orderMessageEnable=true
    let body = register_body(1, &[topic("Ordered", 4, 6)], &[]).encode();
    let resp = call(
        &c,
        &s.addr,
        register_cmd("broker-a", "10.0.0.1:10911", 0, body, false),
    )
    .await;
    assert_eq!(resp.body_bytes(), br#"{"table":{"Ordered":"broker-a:4"}}"#);
    let r =
        TopicRouteData::decode(route(&c, &s.addr, "Ordered").await.body_bytes()).expect("route");
    assert_eq!(r.order_topic_conf.as_deref(), Some("broker-a:4"));

    let del = RemotingCommand::request_with(
        rc::DELETE_KV_CONFIG,
        &DeleteKVConfigRequestHeader {
            namespace: "ns".into(),
            key: "k".into(),
        },
    );
    assert_eq!(call(&c, &s.addr, del).await.code, 0);
    assert_eq!(
        call(&c, &s.addr, get("ns", "k")).await.code,
        response::QUERY_NOT_FOUND
    );

    // persisted like KVConfigSerializeWrapper, and loaded again by a new server
    let path = s.ns.config().namesrv.kv_config_path;
    let text = std::fs::read_to_string(&path).expect("kv file");
    assert!(text.starts_with(r#"{"configTable":{"#), "{text}");
    assert!(
        text.contains(r#""ORDER_TOPIC_CONFIG":{"Ordered":"broker-a:4"}"#),
        "{text}"
    );
    s.stop().await;
}

#[tokio::test]
async fn namesrv_config_get_update() {
    let s = Server::start(&[("someUnknownKey", "x")]).await;
    let c = RemotingClient::new();
    let resp = call(
        &c,
        &s.addr,
        RemotingCommand::request(rc::GET_NAMESRV_CONFIG),
    )
    .await;
    let text = String::from_utf8_lossy(resp.body_bytes()).into_owned();
    assert!(
        text.contains("listenPort=9876\n") && text.contains("someUnknownKey=x\n"),
        "{text}"
    );
    assert!(text.contains("orderMessageEnable=false\n"));

    let upd = |body: &str| {
        RemotingCommand::request(rc::UPDATE_NAMESRV_CONFIG).with_body(body.as_bytes().to_vec())
    };
    assert_eq!(
        call(
            &c,
            &s.addr,
            upd("orderMessageEnable=true\nsomeUnknownKey=y\nbrandNew=1\n")
        )
        .await
        .code,
        0
    );
    let cfg = s.ns.config();
    assert!(cfg.namesrv.order_message_enable);
    let text = s.ns.config_text();
    assert!(
        text.contains("someUnknownKey=y\n") && !text.contains("brandNew"),
        "{text}"
    );
    let persisted =
        std::fs::read_to_string(&cfg.namesrv.config_store_path).expect("persisted config");
    assert!(persisted.contains("orderMessageEnable=true\n"));

    let resp = call(&c, &s.addr, upd("kvConfigPath=/tmp/x\n")).await;
    assert_eq!(
        (resp.code, resp.remark.as_deref()),
        (response::NO_PERMISSION, Some("Can not update config path"))
    );
    let resp = call(&c, &s.addr, upd("a=\\u12")).await;
    assert_eq!(
        (resp.code, resp.remark.as_deref()),
        (response::SYSTEM_ERROR, Some("string2Properties error"))
    );
    s.stop().await;
}

#[tokio::test]
async fn unknown_code_is_answered() {
    let s = Server::start(&[]).await;
    let c = RemotingClient::new();
    for code in [9999, rc::SEND_MESSAGE, 217] {
        let resp = call(&c, &s.addr, RemotingCommand::request(code)).await;
        assert_eq!(resp.code, response::REQUEST_CODE_NOT_SUPPORTED);
        assert_eq!(
            resp.remark,
            Some(format!(" request type {code} not supported"))
        );
    }
    for code in [
        rc::GET_UNIT_TOPIC_LIST,
        rc::GET_HAS_UNIT_SUB_TOPIC_LIST,
        rc::GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST,
    ] {
        let resp = call(&c, &s.addr, RemotingCommand::request(code)).await;
        assert_eq!(
            (resp.code, resp.body_bytes()),
            (0, &br#"{"topicList":[]}"#[..])
        );
    }
    s.stop().await;
}
