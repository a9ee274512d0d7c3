//! Golden fastjson bodies (protocol.md §9/§12, store.md §6): decode what Java wrote, encode
//! it again and compare byte for byte; plus the reader's fastjson quirks.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;

use protocol::body::*;
use protocol::fastjson::{self, Value};
use serde::Deserialize;

fn data(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fastjson")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// Decode `file` as `T`, encode again (compact), compare.
fn roundtrip<T: JsonBody + std::fmt::Debug>(file: &str) -> T {
    let golden = data(file);
    let value = T::decode(&golden).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert_eq!(text(&value.encode()), text(&golden), "{file}");
    value
}

/// Decode a pretty config file, encode it pretty again, compare; also the compact form.
fn roundtrip_pretty<T: JsonBody + std::fmt::Debug>(pretty: &str, compact: Option<&str>) -> T {
    let golden = data(pretty);
    let value = T::decode(&golden).unwrap_or_else(|e| panic!("{pretty}: {e}"));
    assert_eq!(value.to_json_pretty(), text(&golden), "{pretty}");
    if let Some(compact) = compact {
        assert_eq!(value.to_json(), text(&data(compact)), "{compact}");
        let again = T::decode(&data(compact)).unwrap();
        assert_eq!(again.to_json_pretty(), text(&golden));
    }
    value
}

#[test]
fn g10_route_both_forms() {
    let route: TopicRouteData = roundtrip("g10a_route_default.json");
    assert_eq!(route.broker_datas[0].broker_addrs[&1], "127.0.0.1:10921");
    assert_eq!(route.queue_datas[0].perm, 6);
    assert_eq!(route.order_topic_conf, None);
    let standard = data("g10b_route_standard.json");
    assert_eq!(text(&route.encode_standard()), text(&standard));
    assert_eq!(text(&route.encode_for(407, false)), text(&standard));
    assert_eq!(text(&route.encode_for(400, true)), text(&standard));
    assert_eq!(
        text(&route.encode_for(400, false)),
        text(&data("g10a_route_default.json"))
    );
    let from_standard = TopicRouteData::decode(&standard).unwrap();
    assert_eq!(from_standard, route);
}

#[test]
fn route_order_topic_conf_position() {
    let mut route = TopicRouteData::decode(&data("g10a_route_default.json")).unwrap();
    route.order_topic_conf = Some("broker-a:4".into());
    let s = text(&route.encode());
    assert!(
        s.contains(r#""filterServerTable":{},"orderTopicConf":"broker-a:4","queueDatas""#),
        "{s}"
    );
}

#[test]
fn g11_cluster_info() {
    let ci: ClusterInfo = roundtrip("g11_cluster_info.json");
    assert!(ci.cluster_addr_table["DefaultCluster"].contains("broker-a"));
    let mut addrs = ci.retrieve_all_addr_by_cluster("DefaultCluster");
    addrs.sort();
    assert_eq!(addrs, ["127.0.0.1:10911", "127.0.0.1:10921"]);
}

#[test]
fn g9_register_broker_body() {
    let golden = data("g9a_register_broker_body.json");
    let body: RegisterBrokerBody = roundtrip("g9a_register_broker_body.json");
    assert_eq!(crc32fast::hash(&golden) & 0x7FFF_FFFF, 416_932_168);
    assert_eq!(crc32fast::hash(b"123456789") & 0x7FFF_FFFF, 1_274_296_614);

    // Compressed form (G9c): zlib, BEST_COMPRESSION header 78 da.
    let z = body.encode_with(true);
    assert_eq!(&z[..2], &[0x78, 0xda]);
    let mut inflated = Vec::new();
    flate2::read::ZlibDecoder::new(&z[..])
        .read_to_end(&mut inflated)
        .unwrap();
    let mut want = Vec::new();
    want.extend_from_slice(&0x27u32.to_be_bytes());
    want.extend_from_slice(br#"{"counter":3,"timestamp":1700000000000}"#);
    want.extend_from_slice(&1u32.to_be_bytes());
    want.extend_from_slice(&0x1au32.to_be_bytes());
    want.extend_from_slice(b"TopicTest 4 4 6 SINGLE_TAG");
    want.extend_from_slice(&2u32.to_be_bytes());
    want.extend_from_slice(b"[]");
    assert_eq!(inflated, want);

    let back = RegisterBrokerBody::decode_with(&z, true).unwrap();
    assert_eq!(back, body);
    assert_eq!(
        RegisterBrokerBody::decode_with(&golden, false).unwrap(),
        body
    );
}

#[test]
fn register_compressed_drops_sysflag_and_order() {
    let mut body = RegisterBrokerBody::default();
    body.topic_config_serialize_wrapper.data_version = DataVersion::new(1, 2);
    let mut tc = TopicConfig::with_queues("T", 8, 8, 7);
    tc.topic_sys_flag = 1;
    tc.order = true;
    tc.topic_filter_type = TopicFilterType::MultiTag;
    body.topic_config_serialize_wrapper
        .topic_config_table
        .insert("T".into(), tc);
    body.filter_server_list = vec!["1.2.3.4:5".into()];
    let back = RegisterBrokerBody::decode_compressed(&body.encode_compressed()).unwrap();
    let t = &back.topic_config_serialize_wrapper.topic_config_table["T"];
    assert_eq!((t.read_queue_nums, t.write_queue_nums, t.perm), (8, 8, 7));
    assert_eq!(t.topic_filter_type, TopicFilterType::MultiTag);
    assert_eq!((t.topic_sys_flag, t.order), (0, false));
    assert_eq!(back.filter_server_list, ["1.2.3.4:5"]);
    assert_eq!(
        back.topic_config_serialize_wrapper.data_version,
        DataVersion::new(1, 2)
    );
}

#[test]
fn register_compressed_rejects_garbage() {
    assert!(RegisterBrokerBody::decode_compressed(b"").is_err());
    assert!(RegisterBrokerBody::decode_compressed(b"not zlib at all").is_err());
    // A valid stream that is truncated, and one with a negative length.
    let z = RegisterBrokerBody::default().encode_compressed();
    assert!(RegisterBrokerBody::decode_compressed(&z[..z.len() / 2]).is_err());
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut enc, &(-1i32).to_be_bytes()).unwrap();
    let z = enc.finish().unwrap();
    assert!(RegisterBrokerBody::decode_compressed(&z).is_err());
}

#[test]
fn g12_heartbeat() {
    let hb: HeartbeatData = roundtrip("g12_heartbeat.json");
    assert_eq!(hb.client_id, "127.0.0.1@12345");
    let cd = &hb.consumer_data_set[0];
    assert_eq!(cd.consume_type, Some(ConsumeType::ConsumePassively));
    assert_eq!(cd.message_model, Some(MessageModel::Clustering));
    assert_eq!(
        cd.consume_from_where,
        Some(ConsumeFromWhere::ConsumeFromLastOffset)
    );
    let sd = &cd.subscription_data_set[0];
    assert_eq!(
        *sd,
        SubscriptionData {
            sub_version: 1_700_000_000_000,
            ..SubscriptionData::from_tag_expression("TopicTest", "TagA || TagB")
        }
    );
    assert_eq!(hb.producer_data_set[0].group_name, "PG");
}

#[test]
fn g13_locks() {
    let req: LockBatchRequestBody = roundtrip("g13_lock_request.json");
    assert!(req
        .mq_set
        .contains(&MessageQueue::new("TopicTest", "broker-a", 0)));
    let resp: LockBatchResponseBody = roundtrip("g13_lock_response.json");
    assert_eq!(resp.lock_ok_mq_set.len(), 1);
    let _: UnlockBatchRequestBody = roundtrip("g13_unlock_request.json");
}

#[test]
fn g14_connections() {
    let cc: ConsumerConnection = roundtrip("g14_consumer_connection.json");
    assert_eq!(cc.compute_min_version(), 407);
    assert_eq!(cc.connection_set[0].language, protocol::LanguageCode::JAVA);
    let _: ProducerConnection = roundtrip("g14_producer_connection.json");
}

#[test]
fn g15_bean_keys() {
    let cs: ConsumeStats = roundtrip("g15_consume_stats.json");
    let mq = MessageQueue::new("TopicTest", "broker-a", 0);
    assert_eq!(cs.offset_table[&mq].consumer_offset, 7);
    assert_eq!(cs.compute_total_diff(), 3);
    assert_eq!(cs.consume_tps, 1.5);
    let ts: TopicStatsTable = roundtrip("g15_topic_stats.json");
    assert_eq!(ts.offset_table[&mq].max_offset, 10);
    let ro: ResetOffsetBody = roundtrip("g15_reset_offset.json");
    assert_eq!(ro.offset_table[&mq], 5);
}

/// Entries of every object sorted, for comparisons where Java's order is unknowable.
fn normalized(v: Value) -> Value {
    match v {
        Value::Object(entries) => {
            let mut entries: Vec<(Value, Value)> = entries
                .into_iter()
                .map(|(k, v)| (normalized(k), normalized(v)))
                .collect();
            entries.sort_by_key(|(k, _)| k.to_json());
            Value::Object(entries)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(normalized).collect()),
        other => other,
    }
}

#[test]
fn g16_consumer_running_info() {
    // The two properties share a bucket of the Properties' inner ConcurrentHashMap, so Java
    // writes them in insertion order, which a map cannot know: compare modulo key order.
    let golden = data("g16_consumer_running_info.json");
    let info = ConsumerRunningInfo::decode(&golden).unwrap();
    assert_eq!(
        normalized(fastjson::parse(&info.encode()).unwrap()),
        normalized(fastjson::parse(&golden).unwrap())
    );
    let st = &info.status_table["TopicTest"];
    assert_eq!((st.pull_rt, st.pull_tps), (1.0, 2.5));
    assert_eq!(info.properties["PROP_CONSUME_TYPE"], "CONSUME_PASSIVELY");
}

#[test]
fn g17_small_bodies() {
    let kv: KVTable = roundtrip("g17_kv_table.json");
    assert_eq!(kv.table["putTps"], "0.0 0.0 0.0");
    let tl: TopicList = roundtrip("g17_topic_list.json");
    assert_eq!(tl.broker_addr, None);
    let tl: TopicList = roundtrip("g17_topic_list_addr.json");
    assert_eq!(tl.broker_addr.as_deref(), Some("127.0.0.1:10911"));
    let _: GroupList = roundtrip("g17_group_list.json");
    let _: GetConsumerListByGroupResponseBody = roundtrip("g17_consumer_list.json");
    let w: TopicConfigSerializeWrapper = roundtrip("g17_topic_config_wrapper.json");
    assert_eq!(w.data_version, DataVersion::new(1_700_000_000_000, 3));
    let _: DataVersion = roundtrip("g17_data_version.json");
    let sg: SubscriptionGroupWrapper = roundtrip("g17_subscription_group_wrapper.json");
    assert_eq!(
        sg.subscription_group_table["CG"],
        SubscriptionGroupConfig::new("CG")
    );
}

#[test]
fn store_config_files() {
    let t: TopicConfigSerializeWrapper = roundtrip_pretty(
        "store_topics_pretty.json",
        Some("store_topics_compact.json"),
    );
    assert_eq!(t.topic_config_table.len(), 3);
    let o: ConsumerOffsetSerializeWrapper = roundtrip_pretty(
        "store_consumer_offset_pretty.json",
        Some("store_consumer_offset_compact.json"),
    );
    assert_eq!(
        o.offset_table["TopicTest@please_rename_unique_group_name_4"][&3],
        1_234_567_890_123
    );
    let e: ConsumerOffsetSerializeWrapper =
        roundtrip_pretty("store_consumer_offset_empty_pretty.json", None);
    assert!(e.offset_table.is_empty());
    let _: SubscriptionGroupWrapper =
        roundtrip_pretty("store_subscription_group_pretty.json", None);
    let d: DelayOffsetSerializeWrapper = roundtrip_pretty(
        "store_delay_offset_pretty.json",
        Some("store_delay_offset_compact.json"),
    );
    assert_eq!(d.offset_table[&18], 0);
}

#[derive(Debug, Deserialize, Default, PartialEq)]
#[serde(default, rename_all = "camelCase")]
struct Header {
    code: i32,
    opaque: i32,
    flag: i32,
    remark: Option<String>,
    ext_fields: Option<HashMap<String, String>>,
}

#[test]
fn reader_accepts_what_fastjson_accepts() {
    // Unquoted keys and single quotes (§3).
    let h: Header = fastjson::from_slice(b"{code:105,remark:'hi'}").unwrap();
    assert_eq!((h.code, h.remark.as_deref()), (105, Some("hi")));
    // A number as a string, extFields values of any scalar type.
    let h: Header = fastjson::from_slice(
        br#"{"code":"105","extFields":{"queueId":0,"flag":true,"x":null,"y":1.5}}"#,
    )
    .unwrap();
    assert_eq!(h.code, 105);
    let ext = h.ext_fields.unwrap();
    assert_eq!(
        (ext["queueId"].as_str(), ext["flag"].as_str()),
        ("0", "true")
    );
    assert_eq!(ext["y"], "1.5");
    // fastjson smart match: case and '_' are ignored.
    let h: Header =
        fastjson::from_slice(br#"{"CODE":105,"Opaque":3,"ext_fields":{"a":"b"}}"#).unwrap();
    assert_eq!((h.code, h.opaque), (105, 3));
    assert_eq!(h.ext_fields.unwrap()["a"], "b");
    // Unknown keys ignored, trailing whitespace fine.
    let h: Header = fastjson::from_slice(b"{\"foo\":1,\"body\":\"x\",\"code\":1} \r\n\t").unwrap();
    assert_eq!(h.code, 1);
    // A value beyond int for an int field is an error ("parseInt error").
    assert!(fastjson::from_slice::<Header>(br#"{"opaque":4294967295}"#).is_err());
    // Trailing text is an error.
    assert!(fastjson::from_slice::<Header>(br#"{"code":1}x"#).is_err());
    assert!(fastjson::from_slice::<Header>(br#"{"code":1}{}"#).is_err());
    assert!(fastjson::from_slice::<Header>(b"").is_err());
    assert!(fastjson::from_slice::<Header>(b"not json").is_err());
}

#[test]
fn long_keys_quoted_or_not() {
    let a: HashMap<i64, String> = fastjson::from_slice(br#"{0:"a",1:"b"}"#).unwrap();
    let b: HashMap<i64, String> = fastjson::from_slice(br#"{"0":"a","1":"b"}"#).unwrap();
    assert_eq!(a, b);
    assert_eq!(a[&1], "b");
    // And the other way: number keys into a String-keyed map.
    let c: HashMap<String, i64> = fastjson::from_slice(b"{0:12,1:7}").unwrap();
    assert_eq!(c["1"], 7);
}

#[test]
fn standard_mode_details() {
    #[derive(serde::Serialize)]
    struct S {
        big: i64,
        small: i64,
        text: String,
        map: std::collections::BTreeMap<i64, String>,
    }
    let mut map = std::collections::BTreeMap::new();
    map.insert(10, "x".to_owned());
    map.insert(2, "y".to_owned());
    let s = S {
        big: 9_007_199_254_740_993,
        small: 9_007_199_254_740_991,
        text: "é中/😀".into(),
        map,
    };
    assert_eq!(
        fastjson::to_string_standard(&s).unwrap(),
        r#"{"big":"9007199254740993","map":{"2":"y","10":"x"},"small":9007199254740991,"text":"\u00E9\u4E2D\/\uD83D\uDE00"}"#
    );
    assert_eq!(
        fastjson::to_string(&s).unwrap(),
        "{\"big\":9007199254740993,\"map\":{2:\"y\",10:\"x\"},\"small\":9007199254740991,\"text\":\"é中/😀\"}"
    );
}

#[test]
fn unknown_enum_names_become_none() {
    let cd: ConsumerData = fastjson::from_slice(
        br#"{"groupName":"G","consumeType":"CONSUME_POP","messageModel":1,"consumeFromWhere":"consume_from_first_offset"}"#,
    )
    .unwrap();
    assert_eq!(cd.consume_type, None);
    assert_eq!(cd.message_model, Some(MessageModel::Clustering));
    assert_eq!(
        cd.consume_from_where,
        Some(ConsumeFromWhere::ConsumeFromFirstOffset)
    );
    let out = text(&cd.encode());
    assert!(!out.contains("consumeType"), "{out}");
}

#[test]
fn generic_values_keep_key_kinds() {
    let golden = data("g15_consume_stats.json");
    let v = fastjson::parse(&golden).unwrap();
    assert_eq!(v.to_json(), text(&golden));
    let table = v.get("offsetTable").unwrap();
    let entries = table.entries().unwrap();
    assert!(matches!(entries[0].0, Value::Object(_)));
    for file in [
        "g10a_route_default.json",
        "g11_cluster_info.json",
        "g16_consumer_running_info.json",
        "store_consumer_offset_compact.json",
    ] {
        let golden = data(file);
        let v = fastjson::parse(&golden).unwrap();
        assert_eq!(v.to_json(), text(&golden), "{file}");
    }
}

#[test]
fn never_panics_on_garbage() {
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let alphabet = b"{}[]:,\"'\\/*0123456789-+.eEtrufalsnxuLD \n\tab\x00\xff\xc3";
    for round in 0..5000 {
        let len = (round % 64) + 1;
        let mut input = Vec::with_capacity(len);
        for _ in 0..len {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            input.push(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        let _ = fastjson::parse(&input);
        let _ = ConsumeStats::decode(&input);
        let _ = HeartbeatData::decode(&input);
        let _ = RegisterBrokerBody::decode_with(&input, true);
    }
    // Deep nesting is refused, not a stack overflow.
    let deep = "[".repeat(100_000);
    assert!(matches!(
        fastjson::parse(deep.as_bytes()),
        Err(fastjson::Error::TooDeep(_))
    ));
    let deep_keys = "{".repeat(100_000);
    assert!(fastjson::parse(deep_keys.as_bytes()).is_err());
    // Invalid UTF-8 is replaced, like Java's decoder.
    let v = fastjson::parse(b"{\"a\":\"\xff\"}").unwrap();
    assert_eq!(v.get("a").and_then(Value::as_str), Some("\u{fffd}"));
}

#[derive(Clone, Copy, Debug)]
enum Form {
    Compact,
    Standard,
    Pretty,
}

fn check_as<T: JsonBody>(golden: &[u8], form: Form) -> Result<(), String> {
    let value = T::decode(golden).map_err(|e| format!("decode: {e}"))?;
    let out = match form {
        Form::Compact => fastjson::to_string(&value),
        Form::Standard => fastjson::to_string_standard(&value),
        Form::Pretty => fastjson::to_string_pretty(&value),
    }
    .map_err(|e| format!("encode: {e}"))?;
    let golden = String::from_utf8_lossy(golden);
    let golden = golden.trim_end_matches(['\n', '\r']);
    if out == golden {
        Ok(())
    } else {
        Err(format!("\n   java: {golden}\n   rust: {out}"))
    }
}

macro_rules! dispatch {
    ($ty:expr, $golden:expr, $form:expr; $($t:ident),* $(,)?) => {
        match $ty {
            $(stringify!($t) => check_as::<$t>($golden, $form),)*
            other => Err(format!("unknown body type {other}")),
        }
    };
}

/// Golden vectors printed by the real Java classes: `tests/data/fastjson/java/<Type>.<case>.json`
/// (compact `encode()`), `<Type>.<case>.standard.json` (route standard form) or
/// `<Type>.<case>.pretty.json` (`toJson(true)`), `<Type>` being the Rust name in
/// `protocol::body`. Each must decode and re-encode to the same text (a final newline is
/// ignored).
#[test]
fn java_golden_directory() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/fastjson/java");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    let mut failures = Vec::new();
    for name in &names {
        let golden = std::fs::read(dir.join(name)).unwrap();
        let ty = name.split('.').next().unwrap_or_default();
        let form = if name.ends_with(".standard.json") {
            Form::Standard
        } else if name.ends_with(".pretty.json") {
            Form::Pretty
        } else {
            Form::Compact
        };
        let result = dispatch!(ty, &golden, form;
            ClusterAclVersionInfo, Connection, ConsumerConnection, ProducerConnection,
            ProducerInfo, ProducerTableInfo, CheckClientRequestBody,
            ConsumeMessageDirectlyResult, ConsumeStatus, ConsumerRunningInfo, ProcessQueueInfo,
            DataVersion, GetConsumerListByGroupResponseBody, GroupList, SubscriptionGroupConfig,
            SubscriptionGroupWrapper, ConsumerData, HeartbeatData, ProducerData,
            SubscriptionData, KVTable, LockBatchRequestBody, LockBatchResponseBody,
            UnlockBatchRequestBody, MessageQueue, ConsumerOffsetSerializeWrapper,
            DelayOffsetSerializeWrapper, QueryConsumeTimeSpanBody, QueryCorrectionOffsetBody,
            QueueTimeSpan, ResetOffsetBody, ConsumeQueueData, QueryConsumeQueueResponseBody,
            RegisterBrokerBody, BrokerData, ClusterInfo, QueueData, TopicRouteData,
            BrokerStatsData, BrokerStatsItem, ConsumeStats, ConsumeStatsList, OffsetWrapper,
            TopicOffset, TopicStatsTable, TopicConfig, TopicConfigSerializeWrapper, TopicList,
        );
        if let Err(e) = result {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
