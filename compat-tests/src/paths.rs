//! Locations: workspace, Java project, cargo target dir, our binaries.

use std::path::{Path, PathBuf};

/// Root of the cargo workspace (the directory holding the top-level Cargo.toml).
pub fn workspace_root() -> PathBuf {
    compat_dir()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(compat_dir)
}

/// `compat-tests/` in the workspace.
pub fn compat_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `compat-tests/java/` (the Maven project).
pub fn java_project_dir() -> PathBuf {
    compat_dir().join("java")
}

/// The committed ROCKETMQ_HOME template (`compat-tests/java/rocketmq-home`, holds `conf/logback_*.xml`).
pub fn rocketmq_home_template() -> PathBuf {
    java_project_dir().join("rocketmq-home")
}

/// The cargo profile directory our binaries are built into, e.g. `<target>/debug`.
///
/// Derived from the running test executable (`<target>/debug/deps/<test>-<hash>` ->
/// `<target>/debug`); falls back to `$CARGO_TARGET_DIR/debug` or `<workspace>/target/debug`.
pub fn cargo_profile_dir() -> PathBuf {
    if let Ok(exe) = std::env::current_exe() {
        if let Some(dir) = exe.parent() {
            if dir.file_name().map(|n| n == "deps").unwrap_or(false) {
                if let Some(p) = dir.parent() {
                    return p.to_path_buf();
                }
            }
            // e.g. an example binary or a bin directly in the profile dir
            if dir.join("deps").is_dir() {
                return dir.to_path_buf();
            }
        }
    }
    target_dir_from_env().join("debug")
}

fn target_dir_from_env() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) if !d.is_empty() => {
            let p = PathBuf::from(d);
            if p.is_absolute() {
                p
            } else {
                workspace_root().join(p)
            }
        }
        _ => workspace_root().join("target"),
    }
}

/// Path of one of our binaries (`mqnamesrv`, `mqbroker`) in the cargo target dir.
///
/// Returns the first candidate that exists: next to the test executable's profile dir,
/// then `$CARGO_TARGET_DIR/<profile>/`, then `<workspace>/target/<profile>/`. If none
/// exists, the first candidate is returned (callers report a helpful error).
pub fn rmq_bin(name: &str) -> PathBuf {
    let profile_dir = cargo_profile_dir();
    let profile = profile_dir
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "debug".to_string());
    let candidates = [
        profile_dir.join(name),
        target_dir_from_env().join(&profile).join(name),
        workspace_root().join("target").join(&profile).join(name),
    ];
    for c in &candidates {
        if c.is_file() {
            return c.clone();
        }
    }
    candidates[0].clone()
}
