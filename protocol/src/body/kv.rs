//! `KVTable` (broker runtime info, namesrv KV lists).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::fastjson::order;

/// `KVTable`: `{"table":{…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct KVTable {
    /// Key → value (`HashMap`).
    #[serde(serialize_with = "order::hash_map")]
    pub table: HashMap<String, String>,
}
