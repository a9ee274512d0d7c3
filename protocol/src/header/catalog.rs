//! Which typed header goes with which request code, and a by-name dispatcher over every header
//! class (used by the golden-vector tests and by tools that only know a Java class name).
//!
//! The mapping comes from the 4.9.7 senders (`createRequestCommand(code, header)` in
//! `MQClientAPIImpl`, `BrokerOuterAPI`, `Broker2Client`, `MQAdminImpl`) and the receivers
//! (`decodeCommandCustomHeader(X.class)` / `createResponseCommand(X.class)` in the namesrv,
//! broker and client processors).

use crate::command::ExtFields;
use crate::error::ProtocolError;
use crate::header::CommandHeader;

/// The typed headers of one request code (Java class names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeHeaders {
    /// Request code.
    pub code: i32,
    /// `RequestCode` constant name.
    pub name: &'static str,
    /// Request header class, if the request has one.
    pub request: Option<&'static str>,
    /// Response header class, if the reply has one.
    pub response: Option<&'static str>,
    /// Why there is no request header (body-only, no fields, unused code), if `request` is None.
    pub note: &'static str,
}

const fn h(
    code: i32,
    name: &'static str,
    request: Option<&'static str>,
    response: Option<&'static str>,
) -> CodeHeaders {
    CodeHeaders {
        code,
        name,
        request,
        response,
        note: "",
    }
}

const fn none(
    code: i32,
    name: &'static str,
    response: Option<&'static str>,
    note: &'static str,
) -> CodeHeaders {
    CodeHeaders {
        code,
        name,
        request: None,
        response,
        note,
    }
}

/// All 96 request codes of 4.9.7 with their headers.
#[rustfmt::skip]
pub const CODE_HEADERS: &[CodeHeaders] = &[
    h(10, "SEND_MESSAGE", Some("SendMessageRequestHeader"), Some("SendMessageResponseHeader")),
    h(11, "PULL_MESSAGE", Some("PullMessageRequestHeader"), Some("PullMessageResponseHeader")),
    h(12, "QUERY_MESSAGE", Some("QueryMessageRequestHeader"), Some("QueryMessageResponseHeader")),
    none(13, "QUERY_BROKER_OFFSET", None, "no sender and no handler in 4.9.7"),
    h(14, "QUERY_CONSUMER_OFFSET", Some("QueryConsumerOffsetRequestHeader"), Some("QueryConsumerOffsetResponseHeader")),
    h(15, "UPDATE_CONSUMER_OFFSET", Some("UpdateConsumerOffsetRequestHeader"), Some("UpdateConsumerOffsetResponseHeader")),
    h(17, "UPDATE_AND_CREATE_TOPIC", Some("CreateTopicRequestHeader"), None),
    none(21, "GET_ALL_TOPIC_CONFIG", Some("GetAllTopicConfigResponseHeader"), "no request fields (reply body TopicConfigSerializeWrapper)"),
    none(22, "GET_TOPIC_CONFIG_LIST", None, "no sender and no handler in 4.9.7"),
    none(23, "GET_TOPIC_NAME_LIST", None, "no sender and no handler in 4.9.7"),
    none(25, "UPDATE_BROKER_CONFIG", None, "no header (body = properties text)"),
    none(26, "GET_BROKER_CONFIG", Some("GetBrokerConfigResponseHeader"), "no request fields"),
    none(27, "TRIGGER_DELETE_FILES", None, "no sender and no handler in 4.9.7"),
    none(28, "GET_BROKER_RUNTIME_INFO", None, "no header (reply body KVTable)"),
    h(29, "SEARCH_OFFSET_BY_TIMESTAMP", Some("SearchOffsetRequestHeader"), Some("SearchOffsetResponseHeader")),
    h(30, "GET_MAX_OFFSET", Some("GetMaxOffsetRequestHeader"), Some("GetMaxOffsetResponseHeader")),
    h(31, "GET_MIN_OFFSET", Some("GetMinOffsetRequestHeader"), Some("GetMinOffsetResponseHeader")),
    h(32, "GET_EARLIEST_MSG_STORETIME", Some("GetEarliestMsgStoretimeRequestHeader"), Some("GetEarliestMsgStoretimeResponseHeader")),
    h(33, "VIEW_MESSAGE_BY_ID", Some("ViewMessageRequestHeader"), None),
    none(34, "HEART_BEAT", None, "no header (body HeartbeatData)"),
    h(35, "UNREGISTER_CLIENT", Some("UnregisterClientRequestHeader"), Some("UnregisterClientResponseHeader")),
    h(36, "CONSUMER_SEND_MSG_BACK", Some("ConsumerSendMsgBackRequestHeader"), None),
    h(37, "END_TRANSACTION", Some("EndTransactionRequestHeader"), None),
    h(38, "GET_CONSUMER_LIST_BY_GROUP", Some("GetConsumerListByGroupRequestHeader"), Some("GetConsumerListByGroupResponseHeader")),
    h(39, "CHECK_TRANSACTION_STATE", Some("CheckTransactionStateRequestHeader"), None),
    h(40, "NOTIFY_CONSUMER_IDS_CHANGED", Some("NotifyConsumerIdsChangedRequestHeader"), None),
    none(41, "LOCK_BATCH_MQ", None, "no header (body LockBatchRequestBody)"),
    none(42, "UNLOCK_BATCH_MQ", None, "no header (body UnlockBatchRequestBody)"),
    none(43, "GET_ALL_CONSUMER_OFFSET", None, "no header (reply body ConsumerOffsetSerializeWrapper)"),
    none(45, "GET_ALL_DELAY_OFFSET", None, "no header (reply body = delay offset JSON)"),
    none(46, "CHECK_CLIENT_CONFIG", None, "no header (body CheckClientRequestBody)"),
    h(50, "UPDATE_AND_CREATE_ACL_CONFIG", Some("CreateAccessConfigRequestHeader"), None),
    h(51, "DELETE_ACL_CONFIG", Some("DeleteAccessConfigRequestHeader"), None),
    none(52, "GET_BROKER_CLUSTER_ACL_INFO", Some("GetBrokerAclConfigResponseHeader"), "no request fields"),
    h(53, "UPDATE_GLOBAL_WHITE_ADDRS_CONFIG", Some("UpdateGlobalWhiteAddrsConfigRequestHeader"), None),
    none(54, "GET_BROKER_CLUSTER_ACL_CONFIG", Some("GetBrokerClusterAclConfigResponseHeader"), "no request fields (reply body)"),
    h(100, "PUT_KV_CONFIG", Some("PutKVConfigRequestHeader"), None),
    h(101, "GET_KV_CONFIG", Some("GetKVConfigRequestHeader"), Some("GetKVConfigResponseHeader")),
    h(102, "DELETE_KV_CONFIG", Some("DeleteKVConfigRequestHeader"), None),
    h(103, "REGISTER_BROKER", Some("RegisterBrokerRequestHeader"), Some("RegisterBrokerResponseHeader")),
    h(104, "UNREGISTER_BROKER", Some("UnRegisterBrokerRequestHeader"), None),
    h(105, "GET_ROUTEINFO_BY_TOPIC", Some("GetRouteInfoRequestHeader"), None),
    none(106, "GET_BROKER_CLUSTER_INFO", None, "no header (reply body ClusterInfo)"),
    none(200, "UPDATE_AND_CREATE_SUBSCRIPTIONGROUP", None, "no header (body SubscriptionGroupConfig)"),
    none(201, "GET_ALL_SUBSCRIPTIONGROUP_CONFIG", None, "no header (reply body SubscriptionGroupWrapper)"),
    h(202, "GET_TOPIC_STATS_INFO", Some("GetTopicStatsInfoRequestHeader"), None),
    h(203, "GET_CONSUMER_CONNECTION_LIST", Some("GetConsumerConnectionListRequestHeader"), None),
    h(204, "GET_PRODUCER_CONNECTION_LIST", Some("GetProducerConnectionListRequestHeader"), None),
    h(205, "WIPE_WRITE_PERM_OF_BROKER", Some("WipeWritePermOfBrokerRequestHeader"), Some("WipeWritePermOfBrokerResponseHeader")),
    none(206, "GET_ALL_TOPIC_LIST_FROM_NAMESERVER", None, "no header (reply body TopicList)"),
    h(207, "DELETE_SUBSCRIPTIONGROUP", Some("DeleteSubscriptionGroupRequestHeader"), None),
    h(208, "GET_CONSUME_STATS", Some("GetConsumeStatsRequestHeader"), None),
    none(209, "SUSPEND_CONSUMER", None, "no sender and no handler in 4.9.7"),
    none(210, "RESUME_CONSUMER", None, "no sender and no handler in 4.9.7"),
    none(211, "RESET_CONSUMER_OFFSET_IN_CONSUMER", None, "no sender and no handler in 4.9.7"),
    none(212, "RESET_CONSUMER_OFFSET_IN_BROKER", None, "no sender and no handler in 4.9.7"),
    none(213, "ADJUST_CONSUMER_THREAD_POOL", None, "no sender and no handler in 4.9.7"),
    none(214, "WHO_CONSUME_THE_MESSAGE", None, "no sender and no handler in 4.9.7"),
    h(215, "DELETE_TOPIC_IN_BROKER", Some("DeleteTopicRequestHeader"), None),
    h(216, "DELETE_TOPIC_IN_NAMESRV", Some("DeleteTopicFromNamesrvRequestHeader"), None),
    h(219, "GET_KVLIST_BY_NAMESPACE", Some("GetKVListByNamespaceRequestHeader"), None),
    h(220, "RESET_CONSUMER_CLIENT_OFFSET", Some("ResetOffsetRequestHeader"), None),
    h(221, "GET_CONSUMER_STATUS_FROM_CLIENT", Some("GetConsumerStatusRequestHeader"), None),
    h(222, "INVOKE_BROKER_TO_RESET_OFFSET", Some("ResetOffsetRequestHeader"), None),
    h(223, "INVOKE_BROKER_TO_GET_CONSUMER_STATUS", Some("GetConsumerStatusRequestHeader"), None),
    h(224, "GET_TOPICS_BY_CLUSTER", Some("GetTopicsByClusterRequestHeader"), None),
    h(300, "QUERY_TOPIC_CONSUME_BY_WHO", Some("QueryTopicConsumeByWhoRequestHeader"), None),
    h(301, "REGISTER_FILTER_SERVER", Some("RegisterFilterServerRequestHeader"), Some("RegisterFilterServerResponseHeader")),
    h(302, "REGISTER_MESSAGE_FILTER_CLASS", Some("RegisterMessageFilterClassRequestHeader"), None),
    h(303, "QUERY_CONSUME_TIME_SPAN", Some("QueryConsumeTimeSpanRequestHeader"), None),
    none(304, "GET_SYSTEM_TOPIC_LIST_FROM_NS", None, "no header (reply body TopicList)"),
    none(305, "GET_SYSTEM_TOPIC_LIST_FROM_BROKER", None, "no header (reply body TopicList)"),
    none(306, "CLEAN_EXPIRED_CONSUMEQUEUE", None, "no header"),
    h(307, "GET_CONSUMER_RUNNING_INFO", Some("GetConsumerRunningInfoRequestHeader"), None),
    h(308, "QUERY_CORRECTION_OFFSET", Some("QueryCorrectionOffsetHeader"), None),
    h(309, "CONSUME_MESSAGE_DIRECTLY", Some("ConsumeMessageDirectlyResultRequestHeader"), None),
    h(310, "SEND_MESSAGE_V2", Some("SendMessageRequestHeaderV2"), Some("SendMessageResponseHeader")),
    none(311, "GET_UNIT_TOPIC_LIST", None, "no header (reply body TopicList)"),
    none(312, "GET_HAS_UNIT_SUB_TOPIC_LIST", None, "no header (reply body TopicList)"),
    none(313, "GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST", None, "no header (reply body TopicList)"),
    h(314, "CLONE_GROUP_OFFSET", Some("CloneGroupOffsetRequestHeader"), None),
    h(315, "VIEW_BROKER_STATS_DATA", Some("ViewBrokerStatsDataRequestHeader"), None),
    none(316, "CLEAN_UNUSED_TOPIC", None, "no header"),
    h(317, "GET_BROKER_CONSUME_STATS", Some("GetConsumeStatsInBrokerHeader"), None),
    none(318, "UPDATE_NAMESRV_CONFIG", None, "no header (body = properties text)"),
    none(319, "GET_NAMESRV_CONFIG", None, "no header (reply body = properties text)"),
    h(320, "SEND_BATCH_MESSAGE", Some("SendMessageRequestHeaderV2"), Some("SendMessageResponseHeader")),
    h(321, "QUERY_CONSUME_QUEUE", Some("QueryConsumeQueueRequestHeader"), None),
    h(322, "QUERY_DATA_VERSION", Some("QueryDataVersionRequestHeader"), Some("QueryDataVersionResponseHeader")),
    h(323, "RESUME_CHECK_HALF_MESSAGE", Some("ResumeCheckHalfMessageRequestHeader"), None),
    h(324, "SEND_REPLY_MESSAGE", Some("SendMessageRequestHeader"), Some("SendMessageResponseHeader")),
    h(325, "SEND_REPLY_MESSAGE_V2", Some("SendMessageRequestHeaderV2"), Some("SendMessageResponseHeader")),
    h(326, "PUSH_REPLY_MESSAGE_TO_CLIENT", Some("ReplyMessageRequestHeader"), None),
    h(327, "ADD_WRITE_PERM_OF_BROKER", Some("AddWritePermOfBrokerRequestHeader"), Some("AddWritePermOfBrokerResponseHeader")),
    h(328, "GET_ALL_PRODUCER_INFO", Some("GetAllProducerInfoRequestHeader"), None),
    none(329, "DELETE_EXPIRED_COMMITLOG", None, "no header"),
];

/// The headers of `code`, if it is a 4.9.7 request code.
pub fn headers_of(code: i32) -> Option<&'static CodeHeaders> {
    CODE_HEADERS.iter().find(|c| c.code == code)
}

/// Java's `FastCodesHeader` classes: binary frames list their fields first, in a fixed order.
pub const FAST_CODES_HEADERS: &[&str] = &[
    "SendMessageRequestHeaderV2",
    "SendMessageResponseHeader",
    "PullMessageRequestHeader",
    "PullMessageResponseHeader",
];

macro_rules! by_class {
    ($( $ty:ident ),* $(,)?) => {
        /// Every typed header class (Java simple names), including those no code uses.
        pub const HEADER_CLASSES: &[&str] = &[ $( stringify!($ty) ),* ];

        /// Decode `ext` as the header class `class` and flatten it again: the typed view of
        /// `ext` (unknown keys dropped, values normalised). `None` if the class is unknown.
        pub fn reflatten(class: &str, ext: &ExtFields) -> Option<Result<ExtFields, ProtocolError>> {
            match class {
                $( stringify!($ty) => Some(
                    <super::$ty as CommandHeader>::from_ext_fields(ext).map(|h| {
                        let mut out = ExtFields::new();
                        h.to_ext_fields(&mut out);
                        out
                    })
                ), )*
                _ => None,
            }
        }

    };
}

/// Decode `ext` as `class` and run Java's `checkFields()` for it (only
/// `CreateTopicRequestHeader`, `EndTransactionRequestHeader` and
/// `CheckTransactionStateResponseHeader` have a non-empty one in 4.9.7). `None` if the class is
/// unknown.
pub fn check_fields(class: &str, ext: &ExtFields) -> Option<Result<(), ProtocolError>> {
    fn run<H: CommandHeader>(
        ext: &ExtFields,
        check: fn(&H) -> Result<(), ProtocolError>,
    ) -> Result<(), ProtocolError> {
        check(&H::from_ext_fields(ext)?)
    }
    Some(match class {
        "CreateTopicRequestHeader" => run(ext, super::CreateTopicRequestHeader::check_fields),
        "EndTransactionRequestHeader" => run(ext, super::EndTransactionRequestHeader::check_fields),
        "CheckTransactionStateResponseHeader" => run(
            ext,
            super::CheckTransactionStateResponseHeader::check_fields,
        ),
        other => reflatten(other, ext)?.map(|_| ()),
    })
}

by_class!(
    // send
    SendMessageRequestHeader,
    SendMessageRequestHeaderV2,
    SendMessageResponseHeader,
    ConsumerSendMsgBackRequestHeader,
    ReplyMessageRequestHeader,
    // pull
    PullMessageRequestHeader,
    PullMessageResponseHeader,
    // consumer
    QueryConsumerOffsetRequestHeader,
    QueryConsumerOffsetResponseHeader,
    UpdateConsumerOffsetRequestHeader,
    UpdateConsumerOffsetResponseHeader,
    GetConsumerListByGroupRequestHeader,
    GetConsumerListByGroupResponseHeader,
    NotifyConsumerIdsChangedRequestHeader,
    UnregisterClientRequestHeader,
    UnregisterClientResponseHeader,
    GetConsumerRunningInfoRequestHeader,
    ConsumeMessageDirectlyResultRequestHeader,
    GetConsumerStatusRequestHeader,
    ResetOffsetRequestHeader,
    // admin
    CreateTopicRequestHeader,
    DeleteTopicRequestHeader,
    GetAllTopicConfigResponseHeader,
    GetBrokerConfigResponseHeader,
    SearchOffsetRequestHeader,
    SearchOffsetResponseHeader,
    GetMaxOffsetRequestHeader,
    GetMaxOffsetResponseHeader,
    GetMinOffsetRequestHeader,
    GetMinOffsetResponseHeader,
    GetEarliestMsgStoretimeRequestHeader,
    GetEarliestMsgStoretimeResponseHeader,
    QueryMessageRequestHeader,
    QueryMessageResponseHeader,
    ViewMessageRequestHeader,
    ViewMessageResponseHeader,
    DeleteSubscriptionGroupRequestHeader,
    GetTopicStatsInfoRequestHeader,
    GetConsumerConnectionListRequestHeader,
    GetProducerConnectionListRequestHeader,
    GetConsumeStatsRequestHeader,
    GetAllProducerInfoRequestHeader,
    QueryTopicConsumeByWhoRequestHeader,
    QueryConsumeTimeSpanRequestHeader,
    QueryCorrectionOffsetHeader,
    CloneGroupOffsetRequestHeader,
    ViewBrokerStatsDataRequestHeader,
    GetConsumeStatsInBrokerHeader,
    QueryConsumeQueueRequestHeader,
    // acl
    CreateAccessConfigRequestHeader,
    DeleteAccessConfigRequestHeader,
    UpdateGlobalWhiteAddrsConfigRequestHeader,
    GetBrokerAclConfigResponseHeader,
    GetBrokerClusterAclConfigResponseHeader,
    // transaction
    EndTransactionRequestHeader,
    EndTransactionResponseHeader,
    CheckTransactionStateRequestHeader,
    CheckTransactionStateResponseHeader,
    ResumeCheckHalfMessageRequestHeader,
    // namesrv
    PutKVConfigRequestHeader,
    GetKVConfigRequestHeader,
    GetKVConfigResponseHeader,
    DeleteKVConfigRequestHeader,
    GetKVListByNamespaceRequestHeader,
    RegisterBrokerRequestHeader,
    RegisterBrokerResponseHeader,
    UnRegisterBrokerRequestHeader,
    GetRouteInfoRequestHeader,
    WipeWritePermOfBrokerRequestHeader,
    WipeWritePermOfBrokerResponseHeader,
    AddWritePermOfBrokerRequestHeader,
    AddWritePermOfBrokerResponseHeader,
    DeleteTopicFromNamesrvRequestHeader,
    QueryDataVersionRequestHeader,
    QueryDataVersionResponseHeader,
    RegisterOrderTopicRequestHeader,
    GetTopicsByClusterRequestHeader,
    // filtersrv
    RegisterFilterServerRequestHeader,
    RegisterFilterServerResponseHeader,
    RegisterMessageFilterClassRequestHeader,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_and_every_named_class_exists() {
        assert_eq!(CODE_HEADERS.len(), 96);
        for (i, c) in CODE_HEADERS.iter().enumerate() {
            assert!(
                CODE_HEADERS[i + 1..].iter().all(|d| d.code != c.code),
                "duplicate {}",
                c.code
            );
            for class in c.request.iter().chain(c.response.iter()) {
                assert!(HEADER_CLASSES.contains(class), "{class} missing");
            }
            assert_eq!(c.request.is_none(), !c.note.is_empty(), "{}", c.name);
        }
        assert_eq!(HEADER_CLASSES.len(), 80);
        for f in FAST_CODES_HEADERS {
            assert!(HEADER_CLASSES.contains(f));
        }
    }

    #[test]
    fn check_fields_like_java() {
        let mut ext = ExtFields::new();
        for (k, v) in [
            ("producerGroup", "PG"),
            ("tranStateTableOffset", "1"),
            ("commitLogOffset", "2"),
            ("msgId", "X"),
        ] {
            ext.insert(k, v);
        }
        for (v, ok) in [
            ("0", true),
            ("8", true),
            ("12", true),
            ("4", false),
            ("-1", false),
        ] {
            ext.insert("commitOrRollback", v);
            assert_eq!(
                check_fields("EndTransactionRequestHeader", &ext)
                    .unwrap()
                    .is_ok(),
                ok,
                "{v}"
            );
            let resp_ok = ok && v != "0";
            assert_eq!(
                check_fields("CheckTransactionStateResponseHeader", &ext)
                    .unwrap()
                    .is_ok(),
                resp_ok,
                "{v}"
            );
        }
        assert!(check_fields("GetRouteInfoRequestHeader", &ext)
            .unwrap()
            .is_err());
        assert!(check_fields("Nope", &ext).is_none());
    }

    #[test]
    fn reflatten_drops_unknown_keys() {
        let mut ext = ExtFields::new();
        ext.insert("topic", "T");
        ext.insert("AccessKey", "ak");
        let out = reflatten("GetRouteInfoRequestHeader", &ext)
            .unwrap()
            .unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out.get("topic"), Some("T"));
        assert!(reflatten("Nope", &ext).is_none());
        assert!(reflatten("PutKVConfigRequestHeader", &ext)
            .unwrap()
            .is_err());
    }
}
