//! Config files (Java properties) and broker store directories shared by the Java and
//! rmq server starters.

use crate::proc::new_temp_dir;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Once};
use tempfile::TempDir;

/// Ordered `key=value` config; later `set`s replace earlier values in place.
#[derive(Debug, Clone, Default)]
pub struct Props(pub Vec<(String, String)>);

impl Props {
    pub fn new() -> Props {
        Props(Vec::new())
    }

    pub fn set(&mut self, k: &str, v: impl Into<String>) -> &mut Props {
        let v = v.into();
        if let Some(e) = self.0.iter_mut().find(|(ek, _)| ek == k) {
            e.1 = v;
        } else {
            self.0.push((k.to_string(), v));
        }
        self
    }

    pub fn set_all(&mut self, extra: &[(&str, &str)]) -> &mut Props {
        for (k, v) in extra {
            self.set(k, *v);
        }
        self
    }

    pub fn get(&self, k: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(ek, _)| ek == k)
            .map(|(_, v)| v.as_str())
    }

    /// Java `Properties.load` format (backslashes escaped).
    pub fn to_text(&self) -> String {
        let mut s = String::from("# written by the rmq compat-tests harness\n");
        for (k, v) in &self.0 {
            s.push_str(&escape(k));
            s.push('=');
            s.push_str(&escape(v));
            s.push('\n');
        }
        s
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_text()).with_context(|| format!("write {}", path.display()))
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n")
}

/// Harness-created store dirs. They are deleted when the test binary exits (atexit), not
/// when the broker using them is dropped, so "kill9, drop, start_with_store(path)" works.
static STORES: Mutex<Vec<Arc<TempDir>>> = Mutex::new(Vec::new());

extern "C" fn remove_stores_at_exit() {
    // try_lock: never block process exit on a poisoned/held lock
    if let Ok(mut v) = STORES.try_lock() {
        v.clear();
    }
}

/// Delete the harness-created store dirs that no live [`StoreDir`] handle (i.e. no live
/// broker) refers to any more. Normally they are removed at exit; long test binaries that
/// write a lot can call this to reclaim space earlier.
pub fn cleanup_unused_stores() {
    let mut v = STORES.lock().unwrap_or_else(|e| e.into_inner());
    v.retain(|td| Arc::strong_count(td) > 1);
}

/// A broker store directory (`storePathRootDir`).
///
/// Store dirs created by the harness ([`StoreDir::new_temp`]) live until the test binary
/// exits (or [`cleanup_unused_stores`] finds them unused), so a broker can be killed,
/// dropped, and a new one started on `old.store_dir()`.
#[derive(Clone, Debug)]
pub struct StoreDir {
    path: PathBuf,
    _owner: Option<Arc<TempDir>>,
}

impl StoreDir {
    /// A fresh temp store dir.
    pub fn new_temp() -> Result<StoreDir> {
        static AT_EXIT: Once = Once::new();
        AT_EXIT.call_once(|| {
            // SAFETY: registering a plain extern "C" fn.
            unsafe {
                libc::atexit(remove_stores_at_exit);
            }
        });
        let td = Arc::new(new_temp_dir("rmq-store-")?);
        let path = td.path().to_path_buf();
        STORES
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(td.clone());
        Ok(StoreDir {
            path,
            _owner: Some(td),
        })
    }

    /// The store at `path` (a harness temp store or any directory the caller owns).
    pub fn at(path: &Path) -> StoreDir {
        let owner = STORES
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|td| td.path() == path)
            .cloned();
        StoreDir {
            path: path.to_path_buf(),
            _owner: owner,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Default broker config used by both the Java and the rmq broker starters.
pub fn default_broker_props(namesrv_addr: &str, port: u16, store: &Path) -> Props {
    let mut p = Props::new();
    p.set("brokerClusterName", "DefaultCluster")
        .set("brokerName", "broker-a")
        .set("brokerId", "0")
        .set("listenPort", port.to_string())
        .set("brokerIP1", "127.0.0.1")
        .set("namesrvAddr", namesrv_addr)
        .set("storePathRootDir", store.display().to_string())
        .set(
            "storePathCommitLog",
            store.join("commitlog").display().to_string(),
        )
        .set("autoCreateTopicEnable", "true");
    p
}

/// Copy the committed ROCKETMQ_HOME template (`conf/logback_*.xml`) into `dest`.
pub fn copy_rocketmq_home(dest: &Path) -> Result<()> {
    let src = crate::paths::rocketmq_home_template();
    copy_dir(&src, dest).with_context(|| {
        format!(
            "copy ROCKETMQ_HOME template {} to {}",
            src.display(),
            dest.display()
        )
    })
}

fn copy_dir(src: &Path, dest: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dest)?;
    for e in std::fs::read_dir(src)? {
        let e = e?;
        let to = dest.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &to)?;
        } else {
            std::fs::copy(e.path(), &to)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn props_override_and_escape() {
        let mut p = default_broker_props("127.0.0.1:1", 2, Path::new("/s"));
        p.set_all(&[("brokerName", "b"), ("x", "a\\b")]);
        assert_eq!(p.get("brokerName"), Some("b"));
        assert_eq!(p.get("storePathCommitLog"), Some("/s/commitlog"));
        let t = p.to_text();
        assert!(t.contains("brokerName=b\n"));
        assert!(t.contains("x=a\\\\b\n"));
        assert_eq!(t.matches("brokerName=").count(), 1);
    }

    #[test]
    fn store_dir_shared() {
        let s = StoreDir::new_temp().unwrap();
        let path = s.path().to_path_buf();
        let again = StoreDir::at(&path);
        drop(s);
        assert!(path.is_dir(), "kept alive by the second handle");
        drop(again);
        assert!(path.is_dir(), "kept until exit");
        cleanup_unused_stores();
        assert!(!path.exists() || crate::proc::keep_tmp());
    }
}
