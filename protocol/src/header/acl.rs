//! ACL headers (codes 50-54): `CreateAccessConfigRequestHeader`,
//! `DeleteAccessConfigRequestHeader`, `UpdateGlobalWhiteAddrsConfigRequestHeader`,
//! `GetBrokerAclConfigResponseHeader` and `GetBrokerClusterAclConfigResponseHeader`.
//!
//! Mirrors the classes of the same names in `common/.../protocol/header/`.

header! {
    /// `CreateAccessConfigRequestHeader` (code 50 UPDATE_AND_CREATE_ACL_CONFIG).
    CreateAccessConfigRequestHeader {
        access_key: String => "accessKey",
        secret_key: Option<String> => "secretKey",
        white_remote_address: Option<String> => "whiteRemoteAddress",
        admin: bool => "admin",
        default_topic_perm: Option<String> => "defaultTopicPerm",
        default_group_perm: Option<String> => "defaultGroupPerm",
        /// e.g. `topicA=DENY,topicD=SUB`
        topic_perms: Option<String> => "topicPerms",
        /// e.g. `groupD=DENY,groupD=SUB`
        group_perms: Option<String> => "groupPerms",
    }
}

header! {
    /// `DeleteAccessConfigRequestHeader` (code 51 DELETE_ACL_CONFIG).
    DeleteAccessConfigRequestHeader {
        access_key: String => "accessKey",
    }
}

header! {
    /// `UpdateGlobalWhiteAddrsConfigRequestHeader` (code 53).
    UpdateGlobalWhiteAddrsConfigRequestHeader {
        /// Comma-separated addresses.
        global_white_addrs: String => "globalWhiteAddrs",
        acl_file_full_path: String => "aclFileFullPath",
    }
}

header! {
    /// `GetBrokerAclConfigResponseHeader` (code 52 GET_BROKER_CLUSTER_ACL_INFO reply).
    GetBrokerAclConfigResponseHeader {
        version: String => "version",
        /// JSON of the per-file versions.
        all_acl_file_version: Option<String> => "allAclFileVersion",
        broker_name: String => "brokerName",
        broker_addr: String => "brokerAddr",
        cluster_name: String => "clusterName",
    }
}

header! {
    /// `GetBrokerClusterAclConfigResponseHeader` (code 54 reply). Its only Java field,
    /// `List<PlainAccessConfig> plainAccessConfigs`, is never set by the broker (the data is in
    /// the body) and cannot be decoded by Java's reflective decoder ("type is not supported"),
    /// so it carries no ext fields here.
    GetBrokerClusterAclConfigResponseHeader {}
}
