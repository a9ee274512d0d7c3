//! Persisting the broker's JSON config files (`topics.json`, `subscriptionGroup.json`,
//! `consumerOffset.json`) the way `ConfigManager` + `MixAll.string2File` do: write
//! `<file>.tmp`, copy the old file to `<file>.bak`, replace; on load fall back to `.bak`
//! when the file is missing, empty or unparsable.

use std::fs;
use std::path::{Path, PathBuf};

use tracing::{info, warn};

use crate::error::BrokerError;

/// `MixAll.string2File`.
pub fn write_atomically(path: &Path, text: &str) -> Result<(), BrokerError> {
    let err = |reason: String| BrokerError::ConfigFile {
        path: path.display().to_string(),
        reason,
    };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| err(format!("create dir: {e}")))?;
    }
    let tmp = with_suffix(path, ".tmp");
    fs::write(&tmp, text).map_err(|e| err(format!("write {}: {e}", tmp.display())))?;
    if path.exists() {
        let bak = with_suffix(path, ".bak");
        if let Err(e) = fs::copy(path, &bak) {
            warn!(file = %path.display(), error = %e, "could not write backup");
        }
        let _ = fs::remove_file(path);
    }
    fs::rename(&tmp, path).map_err(|e| err(format!("rename: {e}")))?;
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

/// `ConfigManager.load`: the file's text, else the `.bak`'s, else `None` (nothing stored yet).
/// `decode` parses the text into the manager; a file that does not decode falls back to the
/// `.bak`; a `.bak` that does not decode is an error (Java refuses to start).
pub fn load_with_backup(
    path: &Path,
    mut decode: impl FnMut(&str) -> Result<(), String>,
) -> Result<(), BrokerError> {
    if let Some(text) = read_non_empty(path) {
        match decode(&text) {
            Ok(()) => {
                info!(file = %path.display(), "load config OK");
                return Ok(());
            }
            Err(e) => {
                warn!(file = %path.display(), error = %e, "config file unreadable; trying .bak")
            }
        }
    }
    let bak = with_suffix(path, ".bak");
    match read_non_empty(&bak) {
        None => Ok(()),
        Some(text) => decode(&text).map_err(|reason| BrokerError::ConfigFile {
            path: bak.display().to_string(),
            reason,
        }),
    }
}

fn read_non_empty(path: &Path) -> Option<String> {
    match fs::read_to_string(path) {
        Ok(t) if !t.trim().is_empty() => Some(t),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_load_and_backup() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let p = dir.path().join("config/x.json");
        write_atomically(&p, "one").unwrap_or_else(|e| panic!("{e}"));
        write_atomically(&p, "two").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fs::read_to_string(&p).ok().as_deref(), Some("two"));
        assert_eq!(
            fs::read_to_string(with_suffix(&p, ".bak")).ok().as_deref(),
            Some("one")
        );
        fs::write(&p, "garbage").unwrap_or_else(|e| panic!("{e}"));
        let mut got = String::new();
        load_with_backup(&p, |t| {
            if t == "garbage" {
                Err("bad".into())
            } else {
                got = t.to_string();
                Ok(())
            }
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got, "one");
    }
}
