//! Typed custom headers of the namesrv request codes (mirrors
//! `common/.../protocol/header/namesrv/*.java` and `GetTopicsByClusterRequestHeader`).
//!
//! Deviations from Java's lenient decoder (protocol.md T2): Java does not enforce
//! `@CFNotNull` and fails later with an NPE (SYSTEM_ERROR with a Java stack frame as remark);
//! we reject a missing required field up front with SYSTEM_ERROR and a clear remark. Fields
//! Java never dereferences (`haServerAddr`, PUT_KV's `value`) are optional here.
//!
//! TODO: swap for protocol::header::* once those land.

use protocol::header;

header! {
    /// `RegisterBrokerRequestHeader` (REGISTER_BROKER, 103).
    RegisterBrokerRequestHeader {
        broker_name: String => "brokerName",
        broker_addr: String => "brokerAddr",
        cluster_name: String => "clusterName",
        ha_server_addr: Option<String> => "haServerAddr",
        broker_id: i64 => "brokerId",
        compressed: bool => "compressed",
        body_crc32: Option<i32> => "bodyCrc32",
    }
}

header! {
    /// `RegisterBrokerResponseHeader`: set for a slave (its master's HA and broker address).
    RegisterBrokerResponseHeader {
        ha_server_addr: Option<String> => "haServerAddr",
        master_addr: Option<String> => "masterAddr",
    }
}

header! {
    /// `UnRegisterBrokerRequestHeader` (UNREGISTER_BROKER, 104).
    UnRegisterBrokerRequestHeader {
        broker_name: String => "brokerName",
        broker_addr: String => "brokerAddr",
        cluster_name: String => "clusterName",
        broker_id: i64 => "brokerId",
    }
}

header! {
    /// `QueryDataVersionRequestHeader` (QUERY_DATA_VERSION, 322).
    QueryDataVersionRequestHeader {
        broker_name: String => "brokerName",
        broker_addr: String => "brokerAddr",
        cluster_name: String => "clusterName",
        broker_id: i64 => "brokerId",
    }
}

header! {
    /// `QueryDataVersionResponseHeader`.
    QueryDataVersionResponseHeader {
        changed: Option<bool> => "changed",
    }
}

header! {
    /// `GetRouteInfoRequestHeader` (GET_ROUTEINFO_BY_TOPIC, 105).
    GetRouteInfoRequestHeader {
        topic: String => "topic",
        accept_standard_json_only: Option<bool> => "acceptStandardJsonOnly",
    }
}

header! {
    /// `WipeWritePermOfBrokerRequestHeader` / `AddWritePermOfBrokerRequestHeader` (205, 327).
    BrokerNameRequestHeader {
        broker_name: String => "brokerName",
    }
}

header! {
    /// `WipeWritePermOfBrokerResponseHeader`.
    WipeWritePermOfBrokerResponseHeader {
        wipe_topic_count: i32 => "wipeTopicCount",
    }
}

header! {
    /// `AddWritePermOfBrokerResponseHeader`.
    AddWritePermOfBrokerResponseHeader {
        add_topic_count: i32 => "addTopicCount",
    }
}

header! {
    /// `DeleteTopicFromNamesrvRequestHeader` (DELETE_TOPIC_IN_NAMESRV, 216).
    DeleteTopicFromNamesrvRequestHeader {
        topic: String => "topic",
        cluster_name: Option<String> => "clusterName",
    }
}

header! {
    /// `GetTopicsByClusterRequestHeader` (GET_TOPICS_BY_CLUSTER, 224).
    GetTopicsByClusterRequestHeader {
        cluster: String => "cluster",
    }
}

header! {
    /// `PutKVConfigRequestHeader` (PUT_KV_CONFIG, 100). Java checks namespace and key itself
    /// ("namespace or key is null"), so they are optional here too.
    PutKVConfigRequestHeader {
        namespace: Option<String> => "namespace",
        key: Option<String> => "key",
        value: Option<String> => "value",
    }
}

header! {
    /// `GetKVConfigRequestHeader` / `DeleteKVConfigRequestHeader` (101, 102).
    KVConfigKeyRequestHeader {
        namespace: String => "namespace",
        key: String => "key",
    }
}

header! {
    /// `GetKVConfigResponseHeader`.
    GetKVConfigResponseHeader {
        value: Option<String> => "value",
    }
}

header! {
    /// `GetKVListByNamespaceRequestHeader` (GET_KVLIST_BY_NAMESPACE, 219).
    GetKVListByNamespaceRequestHeader {
        namespace: String => "namespace",
    }
}
