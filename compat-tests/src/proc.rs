//! Child process guard: own process group, output captured to a log file, SIGKILL on drop.

use anyhow::{anyhow, bail, Context, Result};
use std::any::Any;
use std::fs::OpenOptions;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

type SpawnReq = (Command, mpsc::Sender<io::Result<Child>>);

/// All children are spawned from one long-lived thread, and each child gets
/// `PR_SET_PDEATHSIG(SIGKILL)`. The death signal fires when the *thread* that forked the
/// child exits; this thread only exits with the process, so children die with the test
/// binary even when it is killed by a signal (no leaked JVMs on CI), but not when the
/// individual test thread that asked for them finishes.
fn spawner() -> &'static Mutex<mpsc::Sender<SpawnReq>> {
    static S: OnceLock<Mutex<mpsc::Sender<SpawnReq>>> = OnceLock::new();
    S.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnReq>();
        std::thread::Builder::new()
            .name("rmq-compat-spawner".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    let _ = reply.send(cmd.spawn());
                }
            })
            .expect("spawn the process-spawner thread");
        Mutex::new(tx)
    })
}

/// Spawn `cmd` in its own process group with a parent-death signal (see [`spawner`]).
pub(crate) fn spawn_child(mut cmd: Command) -> io::Result<Child> {
    cmd.process_group(0);
    // SAFETY: the closure only calls the async-signal-safe prctl(2).
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGKILL as libc::c_ulong,
                0,
                0,
                0,
            ) != 0
            {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let (tx, rx) = mpsc::channel();
    spawner()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .send((cmd, tx))
        .map_err(|_| io::Error::new(io::ErrorKind::Other, "spawner thread gone"))?;
    rx.recv()
        .map_err(|_| io::Error::new(io::ErrorKind::Other, "spawner thread gone"))?
}

/// Send `sig` to the process group led by `pid` (our children are group leaders).
pub(crate) fn signal_group(pid: u32, sig: libc::c_int) {
    // SAFETY: plain syscall.
    unsafe {
        libc::kill(-(pid as libc::pid_t), sig);
    }
}

/// Whether temp dirs should be kept for post-mortem (`RMQ_KEEP_TMP=1`).
pub fn keep_tmp() -> bool {
    matches!(std::env::var("RMQ_KEEP_TMP").as_deref(), Ok(v) if !v.is_empty() && v != "0")
}

/// A new temp dir `<base>/<prefix>XXXX`; base is `$RMQ_TEST_TMPDIR` or the system temp dir.
/// With `RMQ_KEEP_TMP=1` it is not deleted on drop.
pub fn new_temp_dir(prefix: &str) -> Result<tempfile::TempDir> {
    let base = std::env::var_os("RMQ_TEST_TMPDIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&base).with_context(|| format!("create {}", base.display()))?;
    let mut b = tempfile::Builder::new();
    b.prefix(prefix);
    if keep_tmp() {
        b.disable_cleanup(true);
    }
    b.tempdir_in(&base)
        .with_context(|| format!("create temp dir in {}", base.display()))
}

/// Last `n` lines of `text`.
pub fn tail_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(n);
    lines[start..].join("\n")
}

struct State {
    child: Child,
    exit: Option<ExitStatus>,
}

/// A spawned child process.
///
/// * runs in its own process group (signals go to the whole group);
/// * stdout and stderr are appended to one log file;
/// * killed with SIGKILL (whole group) when dropped; when dropped during a panic, the
///   tail of its log is printed to stderr;
/// * owns arbitrary keep-alive values (temp dirs...) that are dropped after the kill.
///
/// All methods take `&self`, so a `Proc` can be shared between threads.
pub struct Proc {
    name: String,
    pid: u32,
    log_path: PathBuf,
    state: Mutex<State>,
    keep: Mutex<Vec<Box<dyn Any + Send>>>,
}

impl Proc {
    /// Spawn `cmd` (stdin null, stdout+stderr appended to `log_path`).
    pub fn spawn(name: &str, mut cmd: Command, log_path: impl Into<PathBuf>) -> Result<Proc> {
        let log_path = log_path.into();
        if let Some(dir) = log_path.parent() {
            std::fs::create_dir_all(dir).ok();
        }
        let out = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .with_context(|| format!("open log file {}", log_path.display()))?;
        let err = out.try_clone()?;
        cmd.stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err));
        let desc = format!("{:?}", cmd);
        let child = spawn_child(cmd).with_context(|| format!("spawn {name}: {desc}"))?;
        Ok(Proc {
            name: name.to_string(),
            pid: child.id(),
            log_path,
            state: Mutex::new(State { child, exit: None }),
            keep: Mutex::new(Vec::new()),
        })
    }

    /// Keep `value` alive as long as this process guard (dropped after the kill).
    pub fn keep_alive<T: Any + Send>(&self, value: T) {
        self.keep
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Box::new(value));
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// OS pid (also the process group id).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// Everything the process wrote so far (stdout+stderr).
    pub fn log_text(&self) -> String {
        match std::fs::read(&self.log_path) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(_) => String::new(),
        }
    }

    /// Last `n` lines of the log.
    pub fn log_tail(&self, n: usize) -> String {
        tail_lines(&self.log_text(), n)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Exit status if the process has exited (non-blocking).
    pub fn try_wait(&self) -> Option<ExitStatus> {
        let mut st = self.state();
        if st.exit.is_none() {
            if let Ok(Some(s)) = st.child.try_wait() {
                st.exit = Some(s);
            }
        }
        st.exit
    }

    pub fn is_running(&self) -> bool {
        self.try_wait().is_none()
    }

    /// Wait for the process to exit, at most `timeout`.
    pub fn wait_exit(&self, timeout: Duration) -> Result<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(s) = self.try_wait() {
                return Ok(s);
            }
            if Instant::now() >= deadline {
                bail!(
                    "{} (pid {}) still running after {:?}",
                    self.name,
                    self.pid,
                    timeout
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Poll the log until `pred(log)` holds. Fails early if the process exits, or after
    /// `timeout`; the error carries the tail of the log. Returns the log text.
    pub fn wait_until(
        &self,
        what: &str,
        timeout: Duration,
        mut pred: impl FnMut(&str) -> bool,
    ) -> Result<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let text = self.log_text();
            if pred(&text) {
                return Ok(text);
            }
            if let Some(s) = self.try_wait() {
                // one last look: output may have landed just before exit
                let text = self.log_text();
                if pred(&text) {
                    return Ok(text);
                }
                bail!(
                    "{} (pid {}) exited with {} while waiting for {}; log {}:\n{}",
                    self.name,
                    self.pid,
                    s,
                    what,
                    self.log_path.display(),
                    tail_lines(&text, 60)
                );
            }
            if Instant::now() >= deadline {
                bail!(
                    "timed out after {:?} waiting for {} from {} (pid {}); log {}:\n{}",
                    timeout,
                    what,
                    self.name,
                    self.pid,
                    self.log_path.display(),
                    tail_lines(&text, 60)
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Wait until the log contains `substr`.
    pub fn wait_for_log(&self, substr: &str, timeout: Duration) -> Result<()> {
        self.wait_until(&format!("{substr:?}"), timeout, |t| t.contains(substr))
            .map(|_| ())
    }

    /// Wait until the log contains `substr` at least `n` times.
    pub fn wait_for_log_count(&self, substr: &str, n: usize, timeout: Duration) -> Result<()> {
        self.wait_until(&format!("{n} x {substr:?}"), timeout, |t| {
            t.matches(substr).count() >= n
        })
        .map(|_| ())
    }

    /// SIGKILL the process group and reap the child. Idempotent.
    pub fn kill9(&self) {
        let mut st = self.state();
        if st.exit.is_some() {
            // Already reaped: the pid may have been recycled, so never signal it again.
            return;
        }
        // The child is not reaped yet (at worst a zombie), so its pid / group id is still ours.
        signal_group(self.pid, libc::SIGKILL);
        let _ = st.child.kill();
        if let Ok(s) = st.child.wait() {
            st.exit = Some(s);
        }
    }

    /// SIGTERM the process group and wait up to 30 s for a clean exit; SIGKILL after that
    /// (and return an error).
    pub fn terminate(&self) -> Result<ExitStatus> {
        self.terminate_timeout(Duration::from_secs(30))
    }

    /// Like [`Proc::terminate`] with a custom grace period.
    pub fn terminate_timeout(&self, grace: Duration) -> Result<ExitStatus> {
        if let Some(s) = self.try_wait() {
            return Ok(s);
        }
        signal_group(self.pid, libc::SIGTERM);
        match self.wait_exit(grace) {
            Ok(s) => Ok(s),
            Err(_) => {
                self.kill9();
                Err(anyhow!(
                    "{} (pid {}) did not exit within {:?} after SIGTERM; killed with SIGKILL",
                    self.name,
                    self.pid,
                    grace
                ))
            }
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill9();
        if std::thread::panicking() {
            eprintln!(
                "---- [{}] pid {} log {} (last 40 lines) ----\n{}\n---- end [{}] ----",
                self.name,
                self.pid,
                self.log_path.display(),
                self.log_tail(40),
                self.name
            );
        }
        // keep-alive values (temp dirs) are dropped after this, i.e. after the kill
    }
}

impl std::fmt::Debug for Proc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proc")
            .field("name", &self.name)
            .field("pid", &self.pid)
            .field("log", &self.log_path)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, dir: &Path) -> Proc {
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(script);
        Proc::spawn("sh", cmd, dir.join("sh.log")).unwrap()
    }

    fn alive(pid: u32) -> bool {
        // SAFETY: signal 0 only checks existence
        unsafe { libc::kill(pid as libc::pid_t, 0) == 0 }
    }

    #[test]
    fn log_wait_and_kill_group() {
        let d = new_temp_dir("rmq-proc-test-").unwrap();
        // a grandchild in the same process group must die with the leader
        let p = sh("sleep 300 & echo child=$!; echo hello >&2; wait", d.path());
        p.wait_for_log("hello", Duration::from_secs(10)).unwrap();
        p.wait_for_log("child=", Duration::from_secs(10)).unwrap();
        let text = p.log_text();
        let child: u32 = text
            .lines()
            .find_map(|l| l.strip_prefix("child="))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(p.is_running());
        assert!(alive(child));
        drop(p);
        // the grandchild was re-parented; give the kernel a moment
        let deadline = Instant::now() + Duration::from_secs(5);
        while alive(child) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        // a zombie (not yet reaped by init) still "exists" for kill(0); check /proc state
        let state = std::fs::read_to_string(format!("/proc/{child}/stat")).unwrap_or_default();
        assert!(
            state.is_empty() || state.contains(") Z"),
            "grandchild survived: {state}"
        );
    }

    #[test]
    fn early_exit_and_timeout_errors() {
        let d = new_temp_dir("rmq-proc-test-").unwrap();
        let p = sh("echo bye; exit 3", d.path());
        let e = p
            .wait_for_log("never", Duration::from_secs(10))
            .unwrap_err();
        assert!(format!("{e:#}").contains("exited"), "{e:#}");
        assert_eq!(p.try_wait().and_then(|s| s.code()), Some(3));

        let p = sh("sleep 30", d.path());
        let t = Instant::now();
        let e = p
            .wait_for_log("never", Duration::from_millis(300))
            .unwrap_err();
        assert!(format!("{e:#}").contains("timed out"), "{e:#}");
        assert!(t.elapsed() < Duration::from_secs(5));
        p.kill9();
        assert!(!p.is_running());
        p.kill9(); // idempotent
    }

    #[test]
    fn terminate_runs_handlers() {
        let d = new_temp_dir("rmq-proc-test-").unwrap();
        let p = sh(
            "trap 'echo got-term; exit 0' TERM; echo ready; while true; do sleep 0.1; done",
            d.path(),
        );
        p.wait_for_log("ready", Duration::from_secs(10)).unwrap();
        let s = p.terminate().unwrap();
        assert!(s.success(), "{s}");
        assert!(p.log_text().contains("got-term"));
    }
}
