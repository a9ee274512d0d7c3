//! `ClusterAclVersionInfo` (GET_BROKER_CLUSTER_ACL_INFO).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::DataVersion;
use crate::fastjson::order;

/// `ClusterAclVersionInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ClusterAclVersionInfo {
    /// Broker name.
    pub broker_name: String,
    /// Broker address.
    pub broker_addr: String,
    /// Deprecated single version.
    pub acl_config_data_version: Option<DataVersion>,
    /// ACL file → version.
    #[serde(serialize_with = "order::hash_map")]
    pub all_acl_config_data_version: HashMap<String, DataVersion>,
    /// Cluster name.
    pub cluster_name: String,
}
