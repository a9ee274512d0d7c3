//! Java `ConfigManager` persistence for JSON config files (`topics.json`, ...).
//!
//! Mirrors `ConfigManager.persist` / `load` and `MixAll.string2File` / `file2String`:
//!
//! * persist: write `<file>.tmp`; if `<file>` exists copy its old content to `<file>.bak`;
//!   delete `<file>`; rename `.tmp` to `<file>` (this implementation also fsyncs the new file);
//! * load: read `<file>`; if missing, empty or rejected by the parser, fall back to
//!   `<file>.bak`; a missing/empty `.bak` means "no config".

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{IoContext, Result, StoreError};

fn with_suffix(p: &Path, s: &str) -> PathBuf {
    let mut os = p.as_os_str().to_owned();
    os.push(s);
    PathBuf::from(os)
}

/// `MixAll.string2File`.
pub fn persist(path: &Path, content: &str) -> Result<()> {
    if let Some(d) = path.parent() {
        fs::create_dir_all(d).at(d)?;
    }
    let tmp = with_suffix(path, ".tmp");
    {
        let mut f = fs::File::create(&tmp).at(&tmp)?;
        f.write_all(content.as_bytes()).at(&tmp)?;
        f.sync_all().at(&tmp)?;
    }
    if path.exists() {
        let bak = with_suffix(path, ".bak");
        let old = fs::read(path).at(path)?;
        fs::write(&bak, old).at(&bak)?;
        fs::remove_file(path).at(path)?;
    }
    fs::rename(&tmp, path).at(path)
}

fn read_opt(p: &Path) -> Result<Option<String>> {
    match fs::read(p) {
        Ok(b) if b.is_empty() => Ok(None),
        Ok(b) => Ok(Some(String::from_utf8_lossy(&b).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::Io {
            path: p.to_path_buf(),
            source: e,
        }),
    }
}

/// `ConfigManager.load`: returns the parsed value from `<file>`, else from `<file>.bak`, else
/// `None` (no config). A `.bak` that fails to parse is an error (Java refuses to start).
pub fn load<T>(
    path: &Path,
    parse: impl Fn(&str) -> std::result::Result<T, String>,
) -> Result<Option<T>> {
    if let Some(s) = read_opt(path)? {
        match parse(&s) {
            Ok(v) => return Ok(Some(v)),
            Err(e) => {
                tracing::warn!(file = %path.display(), error = %e, "config parse failed, trying .bak")
            }
        }
    }
    let bak = with_suffix(path, ".bak");
    match read_opt(&bak)? {
        None => Ok(None),
        Some(s) => parse(&s)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("{}: {e}", bak.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persist_and_fallback() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("config/topics.json");
        let parse = |s: &str| {
            if s.starts_with('{') {
                Ok(s.to_string())
            } else {
                Err("bad".to_string())
            }
        };
        assert_eq!(load(&p, parse).unwrap(), None);
        persist(&p, "{1}").unwrap();
        persist(&p, "{2}").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "{2}");
        assert_eq!(fs::read_to_string(with_suffix(&p, ".bak")).unwrap(), "{1}");
        assert!(!with_suffix(&p, ".tmp").exists());
        fs::write(&p, "garbage").unwrap();
        assert_eq!(load(&p, parse).unwrap().as_deref(), Some("{1}"));
        fs::write(with_suffix(&p, ".bak"), "garbage").unwrap();
        assert!(load(&p, parse).is_err());
    }
}
