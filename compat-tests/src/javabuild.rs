//! Java toolchain checks and the one-time Maven build of `compat-tests/java`.

use crate::paths::java_project_dir;
use crate::proc::{tail_lines, Proc};
use anyhow::{anyhow, bail, Context, Result};
use std::fs::{File, OpenOptions};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

/// How long the Maven build may take (first run downloads ~45 jars).
const MVN_TIMEOUT: Duration = Duration::from_secs(20 * 60);
/// How long to wait for another process's build (holding the lock).
const LOCK_TIMEOUT: Duration = Duration::from_secs(25 * 60);

/// The `java` executable: `$JAVA_HOME/bin/java` if that exists, else `java` from PATH.
pub fn java_exe() -> PathBuf {
    if let Some(h) = std::env::var_os("JAVA_HOME").filter(|h| !h.is_empty()) {
        let p = PathBuf::from(h).join("bin").join("java");
        if p.is_file() {
            return p;
        }
    }
    PathBuf::from("java")
}

fn mvn_exe() -> PathBuf {
    std::env::var_os("RMQ_MVN")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("mvn"))
}

/// Major version of the JVM (`java -version`), checked once per process.
/// Errors (with a hint) if java is missing or older than 8.
pub fn java_major_version() -> Result<u32> {
    static V: OnceLock<std::result::Result<u32, String>> = OnceLock::new();
    V.get_or_init(|| {
        let java = java_exe();
        let out = Command::new(&java).arg("-version").output().map_err(|e| {
            format!(
                "cannot run `{} -version`: {e}. The compat tests need a JDK (17 is what they \
                 are tested with): install openjdk-17-jdk-headless or set JAVA_HOME.",
                java.display()
            )
        })?;
        let text = String::from_utf8_lossy(&out.stderr).into_owned()
            + &String::from_utf8_lossy(&out.stdout);
        let major = parse_java_major(&text).ok_or_else(|| {
            format!("cannot parse the version from `java -version` output:\n{text}")
        })?;
        if major < 8 {
            return Err(format!("java {major} is too old; need 8+ (17 recommended)"));
        }
        if major != 17 {
            eprintln!(
                "[compat-tests] note: java major version {major}; the harness is tested with 17"
            );
        }
        Ok(major)
    })
    .clone()
    .map_err(|e| anyhow!(e))
}

/// `openjdk version "17.0.15" 2025-04-15` -> 17; `java version "1.8.0_372"` -> 8.
fn parse_java_major(text: &str) -> Option<u32> {
    let line = text.lines().find(|l| l.contains("version \""))?;
    let start = line.find('"')? + 1;
    let rest = &line[start..];
    let ver = &rest[..rest.find('"')?];
    let mut parts = ver.split(|c: char| c == '.' || c == '_' || c == '-' || c == '+');
    let first: u32 = parts.next()?.parse().ok()?;
    if first == 1 {
        parts.next()?.parse().ok()
    } else {
        Some(first)
    }
}

/// Classpath for our Java programs: `target/classes` plus every jar in `target/lib`.
pub fn java_classpath() -> String {
    let t = java_project_dir().join("target");
    format!(
        "{}:{}",
        t.join("classes").display(),
        t.join("lib").join("*").display()
    )
}

fn newest_mtime(path: &Path, newest: &mut SystemTime) {
    let Ok(md) = std::fs::metadata(path) else {
        return;
    };
    if let Ok(m) = md.modified() {
        if m > *newest {
            *newest = m;
        }
    }
    if md.is_dir() {
        if let Ok(rd) = std::fs::read_dir(path) {
            for e in rd.flatten() {
                newest_mtime(&e.path(), newest);
            }
        }
    }
}

fn mtime(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).ok()?.modified().ok()
}

const STAMP: &str = ".rmq-harness-build-stamp";
const MARKER_JARS: &[&str] = &[
    "rocketmq-client-4.9.7.jar",
    "rocketmq-broker-4.9.7.jar",
    "rocketmq-namesrv-4.9.7.jar",
    "rocketmq-tools-4.9.7.jar",
    "rocketmq-example-4.7.0.jar",
];

/// Why the build output is stale, or None if up to date.
fn staleness(dir: &Path) -> Option<String> {
    let target = dir.join("target");
    let Some(stamp) = mtime(&target.join(STAMP)) else {
        return Some("no previous harness build".into());
    };
    for j in MARKER_JARS {
        if !target.join("lib").join(j).is_file() {
            return Some(format!("target/lib/{j} missing"));
        }
    }
    if !target.join("classes").join("rmq").join("compat").is_dir() {
        return Some("target/classes/rmq/compat missing".into());
    }
    let mut newest = SystemTime::UNIX_EPOCH;
    newest_mtime(&dir.join("pom.xml"), &mut newest);
    newest_mtime(&dir.join("src"), &mut newest);
    if newest > stamp {
        return Some("pom.xml or src/ changed".into());
    }
    None
}

fn lock_exclusive(path: &Path, timeout: Duration) -> Result<File> {
    let f = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .with_context(|| format!("open lock file {}", path.display()))?;
    let deadline = Instant::now() + timeout;
    let mut told = false;
    loop {
        // SAFETY: plain syscall on a valid fd.
        let r = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if r == 0 {
            return Ok(f);
        }
        let e = std::io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EWOULDBLOCK) | Some(libc::EINTR) => {}
            _ => return Err(e).with_context(|| format!("flock {}", path.display())),
        }
        if !told {
            eprintln!(
                "[compat-tests] waiting for another Maven build (lock {})",
                path.display()
            );
            told = true;
        }
        if Instant::now() >= deadline {
            bail!(
                "timed out after {timeout:?} waiting for lock {}",
                path.display()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Build `compat-tests/java` with Maven (`mvn -B -q package -DskipTests`) unless
/// `target/lib` and `target/classes` are up to date with `pom.xml` and `src/`.
///
/// Safe to call from many threads and processes: the first call in a process does the
/// work (later calls return its result), and a `flock` on
/// `compat-tests/java/target/.rmq-harness-build.lock` serialises processes.
/// Extra Maven arguments can be given in `RMQ_MVN_ARGS` (e.g. `-o`), the executable in `RMQ_MVN`.
pub fn ensure_java_built() -> Result<()> {
    static DONE: Mutex<Option<std::result::Result<(), String>>> = Mutex::new(None);
    let mut done = DONE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(r) = done.as_ref() {
        return r.clone().map_err(|e| anyhow!(e));
    }
    let r = build_locked().map_err(|e| format!("{e:#}"));
    *done = Some(r.clone());
    r.map_err(|e| anyhow!(e))
}

fn build_locked() -> Result<()> {
    java_major_version()?;
    let dir = java_project_dir();
    let target = dir.join("target");
    std::fs::create_dir_all(&target).with_context(|| format!("create {}", target.display()))?;
    let _lock = lock_exclusive(&target.join(".rmq-harness-build.lock"), LOCK_TIMEOUT)?;
    let Some(why) = staleness(&dir) else {
        return Ok(());
    };
    // A changed pom may drop or change jars: start target/lib afresh so stale versions
    // don't end up on the classpath next to the new ones.
    let pom_changed = match (mtime(&target.join(STAMP)), mtime(&dir.join("pom.xml"))) {
        (Some(s), Some(p)) => p > s,
        _ => true,
    };
    if pom_changed {
        let _ = std::fs::remove_dir_all(target.join("lib"));
    }
    eprintln!("[compat-tests] building compat-tests/java with Maven ({why}) ...");
    let started = SystemTime::now();
    let t0 = Instant::now();
    let mut cmd = Command::new(mvn_exe());
    cmd.current_dir(&dir)
        .arg("-B")
        .arg("-q")
        .arg("-Dstyle.color=never")
        .arg("-f")
        .arg(dir.join("pom.xml"))
        .arg("package")
        .arg("-DskipTests");
    if let Ok(extra) = std::env::var("RMQ_MVN_ARGS") {
        cmd.args(extra.split_whitespace());
    }
    let log = target.join("rmq-harness-mvn.log");
    let _ = std::fs::remove_file(&log);
    let proc = Proc::spawn("mvn", cmd, &log).map_err(|e| {
        anyhow!(
            "{e:#}\nIs Maven installed? (apt-get install maven, or set RMQ_MVN to the mvn executable)"
        )
    })?;
    let status = match proc.wait_exit(MVN_TIMEOUT) {
        Ok(s) => s,
        Err(_) => {
            proc.kill9();
            bail!(
                "Maven build timed out after {MVN_TIMEOUT:?}; log {}:\n{}",
                log.display(),
                proc.log_tail(80)
            );
        }
    };
    if !status.success() {
        bail!(
            "Maven build failed ({status}); log {}:\n{}",
            log.display(),
            tail_lines(&proc.log_text(), 80)
        );
    }
    if let Some(why) = staleness_after_build(&dir) {
        bail!(
            "Maven build succeeded but {why}; log:\n{}",
            proc.log_tail(80)
        );
    }
    let stamp = File::create(target.join(STAMP))?;
    // Stamp with the build *start* time, so sources edited during the build count as newer.
    stamp.set_modified(started)?;
    eprintln!(
        "[compat-tests] Maven build done in {:.1}s",
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}

fn staleness_after_build(dir: &Path) -> Option<String> {
    let target = dir.join("target");
    for j in MARKER_JARS {
        if !target.join("lib").join(j).is_file() {
            return Some(format!("target/lib/{j} is missing"));
        }
    }
    if !target.join("classes").join("rmq").join("compat").is_dir() {
        return Some("target/classes/rmq/compat is missing".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::parse_java_major;

    #[test]
    fn java_versions() {
        assert_eq!(
            parse_java_major("openjdk version \"17.0.15\" 2025-04-15\nOpenJDK Runtime"),
            Some(17)
        );
        assert_eq!(parse_java_major("java version \"1.8.0_372\""), Some(8));
        assert_eq!(
            parse_java_major("openjdk version \"21\" 2023-09-19"),
            Some(21)
        );
        assert_eq!(parse_java_major("nothing"), None);
    }
}
