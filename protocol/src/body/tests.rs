//! Unit tests of the body types.

use super::*;

#[test]
fn topic_config_text() {
    let tc = TopicConfig::with_queues("TopicTest", 4, 4, 6);
    assert_eq!(tc.encode_text(), "TopicTest 4 4 6 SINGLE_TAG");
    assert_eq!(
        TopicConfig::decode_text("TopicTest 4 4 6 SINGLE_TAG").unwrap(),
        tc
    );
    assert_eq!(
        TopicConfig::decode_text("T 1 2 3 MULTI_TAG  ")
            .unwrap()
            .perm,
        3
    );
    for bad in [
        "",
        "T 1 2 3",
        "T 1 2 3 X",
        "T a 2 3 SINGLE_TAG",
        "T  1 2 3 SINGLE_TAG",
        "T 1 2 3 SINGLE_TAG x",
    ] {
        assert!(TopicConfig::decode_text(bad).is_err(), "{bad:?}");
    }
    assert_eq!(perm::perm_to_string(6), "RW-");
    assert_eq!(perm::perm_to_string(7), "RWX");
}

#[test]
fn topic_config_defaults_and_lenient_filter_type() {
    let tc = TopicConfig::decode(br#"{"topicName":"T","topicFilterType":"WHAT"}"#).unwrap();
    assert_eq!(tc.read_queue_nums, 16);
    assert_eq!(tc.perm, 6);
    assert_eq!(tc.topic_filter_type, TopicFilterType::SingleTag);
    assert_eq!(
        tc.to_json(),
        r#"{"order":false,"perm":6,"readQueueNums":16,"topicFilterType":"SINGLE_TAG","topicName":"T","topicSysFlag":0,"writeQueueNums":16}"#
    );
}

#[test]
fn subscription_data() {
    let sd = SubscriptionData::from_tag_expression("T", "TagA || TagB ||  ");
    assert_eq!(sd.tags_set.len(), 2);
    assert!(sd.code_set.contains(&2_598_920));
    let all = SubscriptionData::from_tag_expression("T", "");
    assert_eq!(all.sub_string, SUB_ALL);
    assert!(all.tags_set.is_empty());
    // filterClassSource is read, never written.
    let mut sd = SubscriptionData::decode(
        br#"{"topic":"T","subString":"*","filterClassSource":"x","subVersion":1}"#,
    )
    .unwrap();
    assert_eq!(sd.filter_class_source.as_deref(), Some("x"));
    sd.sub_version = 1;
    assert_eq!(
        sd.to_json(),
        r#"{"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"*","subVersion":1,"tagsSet":[],"topic":"T"}"#
    );
}

#[test]
fn message_queue_order_and_hash() {
    let mut v = [
        MessageQueue::new("b", "x", 0),
        MessageQueue::new("a", "y", 1),
        MessageQueue::new("a", "y", 0),
        MessageQueue::new("a", "x", 5),
    ];
    v.sort();
    assert_eq!(v[0], MessageQueue::new("a", "x", 5));
    assert_eq!(v[1], MessageQueue::new("a", "y", 0));
    assert_eq!(v[3], MessageQueue::new("b", "x", 0));
    let mq = MessageQueue::new("TopicTest", "broker-a", 0);
    let value = crate::fastjson::to_value(&mq).unwrap();
    assert_eq!(
        crate::fastjson::order::java_hash(&value),
        Some(mq.java_hash_code())
    );
}

#[test]
fn running_info_mq_table_sorted_like_treemap() {
    let mut info = ConsumerRunningInfo::default();
    info.mq_table
        .insert(MessageQueue::new("T", "b", 1), ProcessQueueInfo::default());
    info.mq_table
        .insert(MessageQueue::new("T", "a", 2), ProcessQueueInfo::default());
    let s = info.to_json();
    let a = s.find(r#""brokerName":"a""#).unwrap();
    let b = s.find(r#""brokerName":"b""#).unwrap();
    assert!(a < b, "{s}");
}

#[test]
fn connection_language() {
    let c = Connection::decode(br#"{"clientId":"c","language":"KOTLIN","version":1}"#).unwrap();
    assert_eq!(c.language.name(), None);
    assert_eq!(
        c.to_json(),
        r#"{"clientAddr":"","clientId":"c","version":1}"#
    );
    let c = Connection::decode(br#"{"language":12}"#).unwrap();
    assert_eq!(c.language, crate::LanguageCode::RUST);
    let c = Connection::decode(br#"{"language":"GO"}"#).unwrap();
    assert_eq!(c.language.name(), Some("GO"));
}

#[test]
fn queue_time_span_computed_getters() {
    let span = QueueTimeSpan {
        message_queue: Some(MessageQueue::new("T", "b", 0)),
        min_time_stamp: 0,
        max_time_stamp: 1_700_000_000_123,
        consume_time_stamp: 5,
        delay_time: 7,
    };
    let s = span.to_json();
    assert!(
        s.starts_with(r#"{"consumeTimeStamp":5,"consumeTimeStampStr":""#),
        "{s}"
    );
    assert!(
        s.contains(r#""delayTime":7,"maxTimeStamp":1700000000123,"maxTimeStampStr":""#),
        "{s}"
    );
    assert!(s.contains(":123\",\"messageQueue\""), "{s}");
    assert_eq!(QueueTimeSpan::decode(s.as_bytes()).unwrap(), span);
    assert_eq!(
        format_local_millis(0).len(),
        "1970-01-01#00:00:00:000".len()
    );
}

#[test]
fn consume_message_directly_result() {
    let r = ConsumeMessageDirectlyResult {
        consume_result: Some(CMResult::CrSuccess),
        spent_time_mills: 3,
        ..Default::default()
    };
    assert_eq!(
        r.to_json(),
        r#"{"autoCommit":true,"consumeResult":"CR_SUCCESS","order":false,"spentTimeMills":3}"#
    );
}

#[test]
fn data_version_next() {
    let mut dv = DataVersion::new(1, 1);
    dv.next_version();
    assert_eq!(dv.counter, 2);
    assert!(dv.timestamp > 1);
    assert_eq!(DataVersion::default().counter, 0);
}

#[test]
fn cluster_info_sets_in_hash_order() {
    let mut ci = ClusterInfo::default();
    ci.cluster_addr_table.insert(
        "C".into(),
        ["broker-b", "broker-a", "broker-c"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    );
    // Buckets of a 16-slot HashSet: broker-b 8, broker-c 9, broker-a 11.
    assert_eq!(
        ci.to_json(),
        r#"{"brokerAddrTable":{},"clusterAddrTable":{"C":["broker-b","broker-c","broker-a"]}}"#
    );
}
