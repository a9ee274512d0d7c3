//! Namesrv headers: every class of `common/.../protocol/header/namesrv/` in 4.9.7, plus
//! `GetTopicsByClusterRequestHeader` (code 224, in `protocol/header/`).
//!
//! | code | request | response |
//! |---|---|---|
//! | 100 PUT_KV_CONFIG | [`PutKVConfigRequestHeader`] | – |
//! | 101 GET_KV_CONFIG | [`GetKVConfigRequestHeader`] | [`GetKVConfigResponseHeader`] |
//! | 102 DELETE_KV_CONFIG | [`DeleteKVConfigRequestHeader`] | – |
//! | 103 REGISTER_BROKER | [`RegisterBrokerRequestHeader`] | [`RegisterBrokerResponseHeader`] |
//! | 104 UNREGISTER_BROKER | [`UnRegisterBrokerRequestHeader`] | – |
//! | 105 GET_ROUTEINFO_BY_TOPIC | [`GetRouteInfoRequestHeader`] | – |
//! | 205 WIPE_WRITE_PERM_OF_BROKER | [`WipeWritePermOfBrokerRequestHeader`] | [`WipeWritePermOfBrokerResponseHeader`] |
//! | 216 DELETE_TOPIC_IN_NAMESRV | [`DeleteTopicFromNamesrvRequestHeader`] | – |
//! | 219 GET_KVLIST_BY_NAMESPACE | [`GetKVListByNamespaceRequestHeader`] | – |
//! | 224 GET_TOPICS_BY_CLUSTER | [`GetTopicsByClusterRequestHeader`] | – |
//! | 322 QUERY_DATA_VERSION | [`QueryDataVersionRequestHeader`] | [`QueryDataVersionResponseHeader`] |
//! | 327 ADD_WRITE_PERM_OF_BROKER | [`AddWritePermOfBrokerRequestHeader`] | [`AddWritePermOfBrokerResponseHeader`] |
//!
//! [`RegisterOrderTopicRequestHeader`] exists in 4.9.7 but no request code uses it.

header! {
    /// `PutKVConfigRequestHeader` (code 100).
    PutKVConfigRequestHeader {
        namespace: String => "namespace",
        key: String => "key",
        value: String => "value",
    }
}

header! {
    /// `GetKVConfigRequestHeader` (code 101).
    GetKVConfigRequestHeader {
        namespace: String => "namespace",
        key: String => "key",
    }
}

header! {
    /// `GetKVConfigResponseHeader` (code 101 reply).
    GetKVConfigResponseHeader {
        value: Option<String> => "value",
    }
}

header! {
    /// `DeleteKVConfigRequestHeader` (code 102).
    DeleteKVConfigRequestHeader {
        namespace: String => "namespace",
        key: String => "key",
    }
}

header! {
    /// `GetKVListByNamespaceRequestHeader` (code 219).
    GetKVListByNamespaceRequestHeader {
        namespace: String => "namespace",
    }
}

header! {
    /// `RegisterBrokerRequestHeader` (code 103). Java initialises `bodyCrc32` to 0, so a Java
    /// broker always sends it; `None` here means "not sent" (the namesrv then skips the check,
    /// as it does for 0).
    RegisterBrokerRequestHeader {
        broker_name: String => "brokerName",
        broker_addr: String => "brokerAddr",
        cluster_name: String => "clusterName",
        ha_server_addr: String => "haServerAddr",
        broker_id: i64 => "brokerId",
        /// Body is the zlib form of `RegisterBrokerBody`.
        compressed: bool => "compressed",
        /// `CRC32(body) & 0x7FFFFFFF`.
        body_crc32: Option<i32> => "bodyCrc32",
    }
}

header! {
    /// `RegisterBrokerResponseHeader` (code 103 reply; set for slaves).
    RegisterBrokerResponseHeader {
        ha_server_addr: Option<String> => "haServerAddr",
        master_addr: Option<String> => "masterAddr",
    }
}

header! {
    /// `UnRegisterBrokerRequestHeader` (code 104).
    UnRegisterBrokerRequestHeader {
        broker_name: String => "brokerName",
        broker_addr: String => "brokerAddr",
        cluster_name: String => "clusterName",
        broker_id: i64 => "brokerId",
    }
}

header! {
    /// `GetRouteInfoRequestHeader` (code 105).
    GetRouteInfoRequestHeader {
        topic: String => "topic",
        /// Ask for the standard-JSON route body (no Java sender sets it).
        accept_standard_json_only: Option<bool> => "acceptStandardJsonOnly",
    }
}

header! {
    /// `WipeWritePermOfBrokerRequestHeader` (code 205).
    WipeWritePermOfBrokerRequestHeader {
        broker_name: String => "brokerName",
    }
}

header! {
    /// `WipeWritePermOfBrokerResponseHeader` (code 205 reply).
    WipeWritePermOfBrokerResponseHeader {
        wipe_topic_count: i32 => "wipeTopicCount",
    }
}

header! {
    /// `AddWritePermOfBrokerRequestHeader` (code 327).
    AddWritePermOfBrokerRequestHeader {
        broker_name: String => "brokerName",
    }
}

header! {
    /// `AddWritePermOfBrokerResponseHeader` (code 327 reply).
    AddWritePermOfBrokerResponseHeader {
        add_topic_count: i32 => "addTopicCount",
    }
}

header! {
    /// `DeleteTopicFromNamesrvRequestHeader` (code 216).
    DeleteTopicFromNamesrvRequestHeader {
        topic: String => "topic",
        cluster_name: Option<String> => "clusterName",
    }
}

header! {
    /// `QueryDataVersionRequestHeader` (code 322; body = the broker's `DataVersion`).
    QueryDataVersionRequestHeader {
        broker_name: String => "brokerName",
        broker_addr: String => "brokerAddr",
        cluster_name: String => "clusterName",
        broker_id: i64 => "brokerId",
    }
}

header! {
    /// `QueryDataVersionResponseHeader` (code 322 reply). Java's field is a `@CFNotNull
    /// Boolean`; the namesrv always sets it, so it is modelled as a plain `bool` (missing =
    /// false, like Java's `Boolean.parseBoolean`).
    QueryDataVersionResponseHeader {
        changed: bool => "changed",
    }
}

header! {
    /// `RegisterOrderTopicRequestHeader` (no request code in 4.9.7).
    RegisterOrderTopicRequestHeader {
        topic: String => "topic",
        order_topic_string: String => "orderTopicString",
    }
}

header! {
    /// `GetTopicsByClusterRequestHeader` (code 224).
    GetTopicsByClusterRequestHeader {
        cluster: String => "cluster",
    }
}
