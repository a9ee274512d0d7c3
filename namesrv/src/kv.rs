//! Namespaced key/value configuration, persisted as JSON (mirrors
//! `org.apache.rocketmq.namesrv.kvconfig.KVConfigManager` and `KVConfigSerializeWrapper`).
//!
//! File (`kvConfigPath`): `{"configTable":{"<namespace>":{"<key>":"<value>"}}}`, rewritten
//! after every change like `MixAll.string2File`: the new text goes to `<path>.tmp`, the old
//! file is copied to `<path>.bak`, then `.tmp` replaces the file (we rename atomically over it;
//! Java deletes first). Writes are serialised, so the last writer always writes the latest
//! table (Java's concurrent persists can race).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use parking_lot::{Mutex, RwLock};
use protocol::body::{JsonBody, KVTable};
use protocol::fastjson::{self, order};
use serde::{Deserialize, Serialize, Serializer};
use tracing::{error, info};

use crate::error::NamesrvError;

/// `NamesrvUtil.NAMESPACE_ORDER_TOPIC_CONFIG`.
pub const NAMESPACE_ORDER_TOPIC_CONFIG: &str = "ORDER_TOPIC_CONFIG";

type ConfigTable = HashMap<String, HashMap<String, String>>;

/// `KVConfigSerializeWrapper`: the file's JSON.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct KVConfigSerializeWrapper {
    #[serde(serialize_with = "hash_map_of_hash_maps")]
    config_table: ConfigTable,
}

/// Java's `HashMap<String, HashMap<String, String>>` order at both levels.
fn hash_map_of_hash_maps<S: Serializer>(
    table: &ConfigTable,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    struct Inner<'a>(&'a HashMap<String, String>);
    impl Serialize for Inner<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            order::hash_map(self.0, serializer)
        }
    }
    let wrapped: Vec<(&String, Inner<'_>)> = table.iter().map(|(k, v)| (k, Inner(v))).collect();
    order::serialize_map_as(
        wrapped.iter().map(|(k, v)| (*k, v)),
        order::JavaMapKind::HashMap { initial: 16 },
        serializer,
    )
}

/// `KVConfigManager`.
#[derive(Debug)]
pub struct KvConfigManager {
    table: RwLock<ConfigTable>,
    path: PathBuf,
    persist_lock: Mutex<()>,
    /// The last write failed: the file is behind the table.
    dirty: AtomicBool,
}

impl KvConfigManager {
    /// An empty table persisted to `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        KvConfigManager {
            table: RwLock::new(HashMap::new()),
            path: path.into(),
            persist_lock: Mutex::new(()),
            dirty: AtomicBool::new(false),
        }
    }

    /// `load`: read the file if it exists. A file that is not valid JSON stops the start-up,
    /// as it does in Java (fastjson throws out of `initialize`).
    pub fn load(&self) -> Result<(), NamesrvError> {
        let text = match std::fs::read(&self.path) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => {
                return Err(NamesrvError::Io {
                    path: self.path.display().to_string(),
                    source: e,
                })
            }
        };
        let table = fastjson::from_slice::<KVConfigSerializeWrapper>(text.as_bytes())
            .map_err(|e| NamesrvError::BadKvFile {
                path: self.path.display().to_string(),
                reason: e.to_string(),
            })?
            .config_table;
        let count: usize = table.values().map(HashMap::len).sum();
        *self.table.write() = table;
        info!(path = %self.path.display(), items = count, "loaded KV config table");
        Ok(())
    }

    /// `putKVConfig`. Java stores a null value as such (a later get finds nothing); here a
    /// missing value creates the namespace and removes the key, which reads the same.
    pub fn put(&self, namespace: &str, key: &str, value: Option<&str>) {
        {
            let mut t = self.table.write();
            let ns = t.entry(namespace.to_string()).or_default();
            match value {
                Some(v) => {
                    let prev = ns.insert(key.to_string(), v.to_string());
                    info!(
                        namespace,
                        key,
                        value = v,
                        update = prev.is_some(),
                        "putKVConfig"
                    );
                }
                None => {
                    ns.remove(key);
                    info!(namespace, key, "putKVConfig with no value");
                }
            }
        }
        self.persist();
    }

    /// `getKVConfig`.
    pub fn get(&self, namespace: &str, key: &str) -> Option<String> {
        self.table
            .read()
            .get(namespace)
            .and_then(|ns| ns.get(key).cloned())
    }

    /// `deleteKVConfig` (the namespace stays, even when empty, as in Java).
    pub fn delete(&self, namespace: &str, key: &str) {
        {
            let mut t = self.table.write();
            if let Some(ns) = t.get_mut(namespace) {
                let old = ns.remove(key);
                info!(namespace, key, value = ?old, "deleteKVConfig");
            }
        }
        self.persist();
    }

    /// `getKVListByNamespace`: the namespace as a `KVTable` body, `None` when unknown.
    pub fn list_body(&self, namespace: &str) -> Option<Vec<u8>> {
        let table = self.table.read().get(namespace)?.clone();
        Some(KVTable { table }.encode())
    }

    /// `persist`: write the whole table to the file. Failures are logged (Java does the same
    /// and still answers SUCCESS).
    pub fn persist(&self) {
        let _serial = self.persist_lock.lock();
        let wrapper = KVConfigSerializeWrapper {
            config_table: self.table.read().clone(),
        };
        let result = fastjson::to_string(&wrapper)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))
            .and_then(|text| string_to_file(&text, &self.path));
        match result {
            Ok(()) => self.dirty.store(false, Ordering::Relaxed),
            Err(e) => {
                self.dirty.store(true, Ordering::Relaxed);
                error!(path = %self.path.display(), error = %e, "persisting the KV config failed");
            }
        }
    }

    /// At shutdown: write the table again if the last write failed (every change is written
    /// before it is acknowledged, so normally there is nothing to do).
    pub fn persist_if_dirty(&self) {
        if self.dirty.load(Ordering::Relaxed) {
            self.persist();
        }
    }
}

/// `MixAll.string2File`: write `<path>.tmp`, keep the previous content in `<path>.bak`, then
/// move `.tmp` into place.
pub fn string_to_file(text: &str, path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)?;
        }
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text)?;
    match std::fs::read(path) {
        Ok(prev) => {
            let mut bak = path.as_os_str().to_owned();
            bak.push(".bak");
            std::fs::write(PathBuf::from(bak), prev)?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_delete_persist_reload() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("kvConfig.json");
        let kv = KvConfigManager::new(&path);
        kv.load().unwrap();
        kv.put("ns", "k", Some("v"));
        kv.put("ns", "k2", Some("v2"));
        assert_eq!(kv.get("ns", "k").as_deref(), Some("v"));
        assert_eq!(
            kv.list_body("ns").as_deref(),
            // Java HashMap order: "k2" hashes to bucket 7, "k" to bucket 11
            Some(&br#"{"table":{"k2":"v2","k":"v"}}"#[..])
        );
        kv.delete("ns", "k2");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            r#"{"configTable":{"ns":{"k":"v"}}}"#
        );
        assert!(path.with_extension("json.bak").exists());
        let kv2 = KvConfigManager::new(&path);
        kv2.load().unwrap();
        assert_eq!(kv2.get("ns", "k").as_deref(), Some("v"));
        assert_eq!(kv2.get("ns", "k2"), None);
        assert_eq!(kv2.list_body("nope"), None);
    }

    #[test]
    fn corrupt_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kvConfig.json");
        std::fs::write(&path, "{oops").unwrap();
        assert!(KvConfigManager::new(&path).load().is_err());
    }
}
