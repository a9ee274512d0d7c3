//! Containers: a Docker engine to run on, the rmq image built from this checkout, and small
//! helpers for the container tests (`tests/container_*.rs`) and `bench/startup_container.sh`.
//!
//! * [`docker_engine`]: an engine that answers. In order: `RMQ_DOCKER_HOST`, `DOCKER_HOST`,
//!   `unix:///var/run/docker.sock`; if none answers and we are root, a **private `dockerd`**
//!   is started (data root, exec root and socket in a temp dir, `--bridge=none
//!   --iptables=false`: every container runs with `--network host`) and stopped with SIGTERM
//!   when the test process exits. If `dockerd`/`docker` are missing, root may install them with
//!   apt-get (`docker.io busybox-static docker-compose`) when `RMQ_DOCKER_INSTALL=1` or `CI` is set.
//!   The chosen host is exported as `DOCKER_HOST` for testcontainers and child processes.
//! * [`docker_or_skip`]: what a test calls first. Without an engine it prints a loud SKIP
//!   banner and returns `None`, or fails when `RMQ_DOCKER_REQUIRED=1`. `RMQ_DOCKER=0`
//!   skips the container tests on purpose.
//! * [`rmq_image`]: `cargo build --release --bin mqnamesrv --bin mqbroker` (same target dir as
//!   the tests; `RMQ_IMAGE_PROFILE=debug` uses the debug binaries instead) and
//!   `docker/build.sh --no-cargo`, once per process. `RMQ_IMAGE=<name:tag>` uses an image that
//!   is already built (it is built under that tag if missing).
//! * [`cluster_info`] / [`wait_broker_registered`]: poll a namesrv with GET_BROKER_CLUSTER_INFO.

use crate::paths::{cargo_profile_dir, workspace_root};
use crate::proc::{keep_tmp, tail_lines, Proc};
use anyhow::{anyhow, bail, Context, Result};
use bytes::Bytes;
use std::ffi::OsStr;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// Repository and tag of the image `docker/build.sh` builds (`rmq:latest` is tagged too).
pub const IMAGE: &str = "rmq:4.9.7";
/// `ROCKETMQ_HOME` inside the image (as in the official image).
pub const IMAGE_ROCKETMQ_HOME: &str = "/home/rocketmq/rocketmq-4.9.7";
/// The user's home inside the image: `logs/` and `store/` (both volumes) live here.
pub const IMAGE_HOME: &str = "/home/rocketmq";
/// The non-root user the image runs as (uid = gid).
pub const IMAGE_UID: u32 = 3000;

const ENGINE_PROBE_TIMEOUT: Duration = Duration::from_secs(20);
const DOCKERD_START_TIMEOUT: Duration = Duration::from_secs(90);
const DOCKERD_STOP_GRACE: Duration = Duration::from_secs(25);
const APT_TIMEOUT: Duration = Duration::from_secs(15 * 60);
const CARGO_RELEASE_TIMEOUT: Duration = Duration::from_secs(45 * 60);
const IMAGE_BUILD_TIMEOUT: Duration = Duration::from_secs(10 * 60);

fn env_flag(name: &str) -> bool {
    matches!(std::env::var(name).as_deref(), Ok(v) if !v.is_empty() && v != "0" && v != "false")
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

// ---------------------------------------------------------------------------------------------
// Running commands with a time limit
// ---------------------------------------------------------------------------------------------

/// Result of [`run_cmd`].
#[derive(Debug, Clone)]
pub struct CmdOutput {
    /// Exit status (after a timeout: the status of the killed process).
    pub status: Option<ExitStatus>,
    pub stdout: String,
    pub stderr: String,
    /// Killed because it ran past its timeout.
    pub timed_out: bool,
    pub elapsed: Duration,
}

impl CmdOutput {
    /// Exited by itself with status 0.
    pub fn success(&self) -> bool {
        !self.timed_out && self.status.map(|s| s.success()).unwrap_or(false)
    }

    pub fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    /// stdout followed by stderr.
    pub fn combined(&self) -> String {
        let mut s = self.stdout.clone();
        if !s.is_empty() && !s.ends_with('\n') {
            s.push('\n');
        }
        s.push_str(&self.stderr);
        s
    }

    /// Status and the tails of both streams, for error messages.
    pub fn describe(&self) -> String {
        format!(
            "status={:?} timed_out={} elapsed={:.1}s\n--- stdout (tail) ---\n{}\n--- stderr (tail) ---\n{}",
            self.status,
            self.timed_out,
            self.elapsed.as_secs_f64(),
            tail_lines(&self.stdout, 40),
            tail_lines(&self.stderr, 40)
        )
    }
}

/// Run `cmd` to completion, at most `timeout` (then SIGKILL, `timed_out = true`, not an error).
/// stdin is /dev/null; stdout and stderr are captured separately.
pub fn run_cmd(mut cmd: Command, timeout: Duration) -> Result<CmdOutput> {
    let dir = tempfile::Builder::new()
        .prefix("rmq-cmd-")
        .tempdir()
        .context("create temp dir for command output")?;
    let out_path = dir.path().join("stdout");
    let err_path = dir.path().join("stderr");
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(File::create(&out_path)?))
        .stderr(Stdio::from(File::create(&err_path)?));
    let desc = format!("{cmd:?}");
    let t0 = Instant::now();
    let mut child = cmd.spawn().with_context(|| format!("spawn {desc}"))?;
    let mut timed_out = false;
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break Some(s);
        }
        if t0.elapsed() >= timeout {
            timed_out = true;
            let _ = child.kill();
            break child.wait().ok();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |p: &Path| {
        std::fs::read(p)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    Ok(CmdOutput {
        status,
        stdout: read(&out_path),
        stderr: read(&err_path),
        timed_out,
        elapsed: t0.elapsed(),
    })
}

fn find_exe(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    // root's tools may live outside a test runner's PATH
    for d in [
        "/usr/local/sbin",
        "/usr/local/bin",
        "/usr/sbin",
        "/usr/bin",
        "/sbin",
        "/bin",
    ] {
        dirs.push(PathBuf::from(d));
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

// ---------------------------------------------------------------------------------------------
// The Docker engine
// ---------------------------------------------------------------------------------------------

/// A Docker engine that answered `docker version`.
#[derive(Debug)]
pub struct DockerEngine {
    host: String,
    server_version: String,
    cli: PathBuf,
    private_dir: Option<PathBuf>,
}

impl DockerEngine {
    /// `DOCKER_HOST` form, e.g. `unix:///var/run/docker.sock`.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The daemon's version (`docker version --format {{.Server.Version}}`).
    pub fn server_version(&self) -> &str {
        &self.server_version
    }

    /// True if this process started the daemon (it is stopped when the process exits).
    pub fn is_private(&self) -> bool {
        self.private_dir.is_some()
    }

    /// The temp dir of a private daemon (`dockerd.log` is in it).
    pub fn private_dir(&self) -> Option<&Path> {
        self.private_dir.as_deref()
    }

    /// The `docker` CLI executable.
    pub fn cli_path(&self) -> &Path {
        &self.cli
    }

    /// A `docker` CLI command talking to this engine.
    pub fn cli(&self) -> Command {
        let mut c = Command::new(&self.cli);
        c.env("DOCKER_HOST", &self.host);
        c
    }

    /// Run `docker <args>` with a time limit.
    pub fn run<S: AsRef<OsStr>>(&self, args: &[S], timeout: Duration) -> Result<CmdOutput> {
        let mut c = self.cli();
        c.args(args);
        run_cmd(c, timeout)
    }

    /// Run `docker <args>`; error (with output) unless it exits 0. Returns trimmed stdout.
    pub fn run_ok<S: AsRef<OsStr>>(&self, args: &[S], timeout: Duration) -> Result<String> {
        let out = self.run(args, timeout)?;
        if !out.success() {
            let shown: Vec<String> = args
                .iter()
                .map(|a| a.as_ref().to_string_lossy().into_owned())
                .collect();
            bail!("docker {} failed: {}", shown.join(" "), out.describe());
        }
        Ok(out.stdout.trim().to_string())
    }

    /// `docker rm -f -v <id>` (errors ignored).
    pub fn remove_container(&self, id: &str) {
        let _ = self.run(&["rm", "-f", "-v", id], Duration::from_secs(60));
    }

    /// Size in bytes of a local image (`docker image inspect --format {{.Size}}`).
    pub fn image_size(&self, image: &str) -> Result<u64> {
        let s = self.run_ok(
            &["image", "inspect", "--format", "{{.Size}}", image],
            Duration::from_secs(30),
        )?;
        s.parse().with_context(|| format!("image size {s:?}"))
    }
}

fn probe(cli: &Path, host: &str) -> Result<String, String> {
    let mut c = Command::new(cli);
    c.env("DOCKER_HOST", host)
        .args(["version", "--format", "{{.Server.Version}}"]);
    match run_cmd(c, ENGINE_PROBE_TIMEOUT) {
        Ok(o) if o.success() && !o.stdout.trim().is_empty() => Ok(o.stdout.trim().to_string()),
        Ok(o) => Err(format!("{host}: {}", first_line(&o.combined()))),
        Err(e) => Err(format!("{host}: {e:#}")),
    }
}

fn first_line(s: &str) -> String {
    s.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string()
}

static DOCKERD_PID: AtomicI32 = AtomicI32::new(0);
static DOCKERD_DIR: Mutex<Option<PathBuf>> = Mutex::new(None);

extern "C" fn stop_private_dockerd_at_exit() {
    stop_private_dockerd();
}

/// SIGTERM the private dockerd (if this process started one), wait for it, remove its dir.
/// Runs automatically at process exit; idempotent.
pub fn stop_private_dockerd() {
    let pid = DOCKERD_PID.swap(0, Ordering::SeqCst);
    if pid <= 0 {
        return;
    }
    // SAFETY: plain syscalls on our own child.
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
    let deadline = Instant::now() + DOCKERD_STOP_GRACE;
    let mut exited = false;
    while Instant::now() < deadline {
        let mut st = 0;
        // SAFETY: as above; WNOHANG never blocks.
        let r = unsafe { libc::waitpid(pid, &mut st, libc::WNOHANG) };
        if r == pid || r < 0 {
            exited = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    if !exited {
        eprintln!("[compat-tests] private dockerd (pid {pid}) ignored SIGTERM; killing it");
        // SAFETY: as above.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
            libc::kill(pid, libc::SIGKILL);
            let mut st = 0;
            libc::waitpid(pid, &mut st, 0);
        }
    }
    let dir = DOCKERD_DIR.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(dir) = dir {
        if keep_tmp() {
            eprintln!(
                "[compat-tests] private dockerd stopped; kept {}",
                dir.display()
            );
        } else if let Err(e) = remove_dockerd_dir(&dir) {
            eprintln!(
                "[compat-tests] private dockerd stopped; could not remove {}: {e}",
                dir.display()
            );
        }
    }
}

/// Remove a private dockerd dir, unmounting what dockerd left mounted in it first (e.g. its
/// netns bind mount `<exec-root>/netns/default`). Retries a few times.
fn remove_dockerd_dir(dir: &Path) -> std::io::Result<()> {
    let mut last = Ok(());
    for _ in 0..5 {
        unmount_under(dir);
        last = std::fs::remove_dir_all(dir);
        if last.is_ok() || !dir.exists() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    last
}

/// Remove private dockerd dirs (`/tmp/rmqd-*`) that earlier, killed test runs left behind:
/// no live socket and untouched for 10 minutes.
fn sweep_stale_dockerd_dirs() {
    let Ok(rd) = std::fs::read_dir("/tmp") else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        let is_ours = e.file_name().to_string_lossy().starts_with("rmqd-");
        if !is_ours || p.join("docker.sock").exists() {
            continue;
        }
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .map(|age| age > Duration::from_secs(600))
            .unwrap_or(false);
        if old {
            let _ = remove_dockerd_dir(&p);
        }
    }
}

/// Lazily unmount every mount point at or below `dir` (deepest first).
fn unmount_under(dir: &Path) {
    let Ok(info) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return;
    };
    let mut points: Vec<PathBuf> = info
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        // mountinfo escapes blanks as octal; our temp paths have none
        .map(PathBuf::from)
        .filter(|p| p.starts_with(dir))
        .collect();
    points.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
    for p in points {
        if let Ok(c) = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()) {
            // SAFETY: valid NUL-terminated path.
            unsafe {
                libc::umount2(c.as_ptr(), libc::MNT_DETACH);
            }
        }
    }
}

fn apt_install_allowed() -> bool {
    is_root() && (env_flag("RMQ_DOCKER_INSTALL") || env_flag("CI")) && find_exe("apt-get").is_some()
}

/// `apt-get install -y docker.io busybox-static docker-compose` (after `apt-get update` if the
/// first try fails).
fn apt_install_docker() -> Result<()> {
    eprintln!(
        "[compat-tests] installing docker.io, busybox-static and docker-compose with apt-get ..."
    );
    let install = || {
        let mut c = Command::new("apt-get");
        c.env("DEBIAN_FRONTEND", "noninteractive").args([
            "install",
            "-y",
            "-q",
            "docker.io",
            "busybox-static",
            "docker-compose",
        ]);
        run_cmd(c, APT_TIMEOUT)
    };
    let out = install()?;
    if out.success() {
        return Ok(());
    }
    let mut c = Command::new("apt-get");
    c.env("DEBIAN_FRONTEND", "noninteractive")
        .args(["update", "-q"]);
    let _ = run_cmd(c, APT_TIMEOUT)?;
    let out = install()?;
    if !out.success() {
        bail!(
            "apt-get install docker.io busybox-static docker-compose failed: {}",
            out.describe()
        );
    }
    Ok(())
}

fn start_private_dockerd(cli: &Path) -> Result<DockerEngine> {
    if !is_root() {
        bail!("no Docker engine is running and we are not root, so we cannot start dockerd");
    }
    let dockerd = match find_exe("dockerd") {
        Some(p) => p,
        None if apt_install_allowed() => {
            apt_install_docker()?;
            find_exe("dockerd")
                .ok_or_else(|| anyhow!("dockerd still missing after apt-get install"))?
        }
        None => bail!(
            "dockerd is not installed (apt-get install docker.io busybox-static, or set \
             RMQ_DOCKER_INSTALL=1 to let the harness do it)"
        ),
    };
    let mut last_err = String::new();
    // overlay2 first (dockerd's default); vfs if the filesystem can't do overlay
    for storage_driver in [None, Some("vfs")] {
        match try_start_dockerd(&dockerd, cli, storage_driver) {
            Ok(e) => return Ok(e),
            Err(e) => {
                eprintln!("[compat-tests] private dockerd (storage driver {storage_driver:?}) failed: {e:#}");
                last_err = format!("{e:#}");
            }
        }
    }
    bail!("could not start a private dockerd: {last_err}")
}

fn try_start_dockerd(
    dockerd: &Path,
    cli: &Path,
    storage_driver: Option<&str>,
) -> Result<DockerEngine> {
    sweep_stale_dockerd_dirs();
    // Short paths: containerd's sockets live under the exec root (108-byte limit).
    let dir = tempfile::Builder::new()
        .prefix("rmqd-")
        .tempdir_in("/tmp")
        .context("create the private dockerd dir")?
        .keep();
    let sock = dir.join("docker.sock");
    let host = format!("unix://{}", sock.display());
    std::fs::write(dir.join("daemon.json"), "{}\n")?;
    let mut cmd = Command::new(dockerd);
    cmd.arg("--config-file")
        .arg(dir.join("daemon.json"))
        .arg("--data-root")
        .arg(dir.join("data"))
        .arg("--exec-root")
        .arg(dir.join("x"))
        .arg("--pidfile")
        .arg(dir.join("dockerd.pid"))
        .arg("--host")
        .arg(&host)
        .args([
            "--bridge=none",
            "--iptables=false",
            "--ip6tables=false",
            "--ip-forward=false",
            "--ip-masq=false",
        ]);
    if let Some(d) = storage_driver {
        cmd.arg("--storage-driver").arg(d);
    }
    let log = dir.join("dockerd.log");
    eprintln!(
        "[compat-tests] no Docker engine answered; starting a private dockerd on {host} (log {})",
        log.display()
    );
    let proc = Proc::spawn("dockerd", cmd, &log)?;
    DOCKERD_PID.store(proc.pid() as i32, Ordering::SeqCst);
    *DOCKERD_DIR.lock().unwrap_or_else(|e| e.into_inner()) = Some(dir.clone());
    static ATEXIT: OnceLock<()> = OnceLock::new();
    ATEXIT.get_or_init(|| {
        // SAFETY: registers a plain extern "C" fn.
        unsafe {
            libc::atexit(stop_private_dockerd_at_exit);
        }
    });
    let t0 = Instant::now();
    loop {
        if let Some(st) = proc.try_wait() {
            DOCKERD_PID.store(0, Ordering::SeqCst);
            let text = proc.log_text();
            let _ = remove_dockerd_dir(&dir);
            bail!("dockerd exited with {st}:\n{}", tail_lines(&text, 30));
        }
        if sock.exists() {
            if let Ok(v) = probe(cli, &host) {
                eprintln!(
                    "[compat-tests] private dockerd {v} ready in {:.1}s",
                    t0.elapsed().as_secs_f64()
                );
                // never dropped: the process is stopped by the atexit hook
                std::mem::forget(proc);
                return Ok(DockerEngine {
                    host,
                    server_version: v,
                    cli: cli.to_path_buf(),
                    private_dir: Some(dir),
                });
            }
        }
        if t0.elapsed() > DOCKERD_START_TIMEOUT {
            let text = proc.log_text();
            drop(proc);
            stop_private_dockerd();
            bail!(
                "dockerd did not answer within {DOCKERD_START_TIMEOUT:?}:\n{}",
                tail_lines(&text, 30)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn find_engine() -> Result<DockerEngine> {
    if env_nonempty("RMQ_DOCKER").as_deref() == Some("0") {
        bail!("RMQ_DOCKER=0: container tests disabled");
    }
    let cli = match find_exe("docker") {
        Some(p) => p,
        None if apt_install_allowed() => {
            apt_install_docker()?;
            find_exe("docker")
                .ok_or_else(|| anyhow!("docker CLI still missing after apt-get install"))?
        }
        None => bail!("the docker CLI is not installed (apt-get install docker.io busybox-static)"),
    };
    let engine = |host: String, v: String| DockerEngine {
        host,
        server_version: v,
        cli: cli.clone(),
        private_dir: None,
    };
    if let Some(h) = env_nonempty("RMQ_DOCKER_HOST") {
        return probe(&cli, &h)
            .map(|v| engine(h.clone(), v))
            .map_err(|e| anyhow!("RMQ_DOCKER_HOST does not answer: {e}"));
    }
    let mut tried = Vec::new();
    let mut candidates = Vec::new();
    if let Some(h) = env_nonempty("DOCKER_HOST") {
        candidates.push(h);
    }
    candidates.push("unix:///var/run/docker.sock".to_string());
    for h in candidates {
        if h.starts_with("unix://") && !Path::new(&h["unix://".len()..]).exists() {
            tried.push(format!("{h}: no socket"));
            continue;
        }
        match probe(&cli, &h) {
            Ok(v) => return Ok(engine(h, v)),
            Err(e) => tried.push(e),
        }
    }
    start_private_dockerd(&cli).map_err(|e| anyhow!("{e:#} (tried: {})", tried.join("; ")))
}

/// The Docker engine for this process (found or started once; see the module docs).
/// Also exports `DOCKER_HOST` so testcontainers and child processes use the same engine.
pub fn docker_engine() -> Result<&'static DockerEngine> {
    static E: OnceLock<std::result::Result<DockerEngine, String>> = OnceLock::new();
    let r = E.get_or_init(|| {
        let r = find_engine().map_err(|e| format!("{e:#}"));
        if let Ok(e) = &r {
            // Before any container is created; testcontainers reads DOCKER_HOST.
            std::env::set_var("DOCKER_HOST", &e.host);
            eprintln!(
                "[compat-tests] Docker engine {} at {}{}",
                e.server_version,
                e.host,
                if e.is_private() {
                    " (private dockerd, stopped at exit)"
                } else {
                    ""
                }
            );
        }
        r
    });
    r.as_ref().map_err(|e| anyhow!("{e}"))
}

/// The engine, or `None` after printing a loud SKIP banner (tests then return early).
/// With `RMQ_DOCKER_REQUIRED=1` a missing engine is an error instead.
pub fn docker_or_skip(test: &str) -> Result<Option<&'static DockerEngine>> {
    match docker_engine() {
        Ok(e) => Ok(Some(e)),
        Err(e) if env_flag("RMQ_DOCKER_REQUIRED") => Err(e.context(format!(
            "{test}: RMQ_DOCKER_REQUIRED=1 but no Docker engine"
        ))),
        Err(e) => {
            let bar = "!".repeat(78);
            eprintln!(
                "\n{bar}\n!! SKIPPED {test}: no Docker engine.\n!! {e:#}\n!! Install docker.io and \
                 busybox-static and run as root (the harness then starts dockerd itself),\n!! \
                 or point DOCKER_HOST at an engine. RMQ_DOCKER_REQUIRED=1 turns this into a failure.\n{bar}\n"
            );
            Ok(None)
        }
    }
}

/// Serialises the heavy container tests of one process (clusters + JVM clients on 2 cores).
pub fn heavy_lock() -> MutexGuard<'static, ()> {
    static L: Mutex<()> = Mutex::new(());
    L.lock().unwrap_or_else(|e| e.into_inner())
}

// ---------------------------------------------------------------------------------------------
// The image
// ---------------------------------------------------------------------------------------------

/// The cargo target dir the tests were built into (parent of the profile dir).
fn target_dir() -> PathBuf {
    let p = cargo_profile_dir();
    p.parent().map(Path::to_path_buf).unwrap_or(p)
}

/// Build `mqnamesrv` and `mqbroker` for the image (release unless `RMQ_IMAGE_PROFILE=debug`)
/// and return the directory holding them.
pub fn image_binaries() -> Result<PathBuf> {
    let target = target_dir();
    let profile = env_nonempty("RMQ_IMAGE_PROFILE").unwrap_or_else(|| "release".into());
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut c = Command::new(cargo);
    c.current_dir(workspace_root())
        .env("CARGO_TARGET_DIR", &target)
        .args(["build", "--bin", "mqnamesrv", "--bin", "mqbroker"]);
    if profile == "release" {
        c.arg("--release");
    } else if profile != "debug" {
        c.args(["--profile", &profile]);
    }
    eprintln!(
        "[compat-tests] building the image's binaries: cargo build --{profile} (target dir {}) ...",
        target.display()
    );
    let out = run_cmd(c, CARGO_RELEASE_TIMEOUT)?;
    if !out.success() {
        bail!(
            "cargo build of mqnamesrv/mqbroker ({profile}) failed: {}",
            out.describe()
        );
    }
    let dir = target.join(if profile == "debug" {
        "debug"
    } else {
        &profile
    });
    for b in ["mqnamesrv", "mqbroker"] {
        if !dir.join(b).is_file() {
            bail!("{} missing after cargo build", dir.join(b).display());
        }
    }
    Ok(dir)
}

fn image_exists(engine: &DockerEngine, image: &str) -> bool {
    engine
        .run(
            &["image", "inspect", "--format", "{{.Id}}", image],
            Duration::from_secs(30),
        )
        .map(|o| o.success())
        .unwrap_or(false)
}

/// Build the image with `docker/build.sh` from binaries in `bin_dir`; returns the tag.
pub fn build_image(engine: &DockerEngine, bin_dir: &Path, tag: &str) -> Result<String> {
    let script = workspace_root().join("docker").join("build.sh");
    let mut c = Command::new("bash");
    c.arg(&script)
        .args(["--no-cargo", "--bin-dir"])
        .arg(bin_dir)
        .args(["--tag", tag])
        .env("DOCKER_HOST", engine.host())
        .env("DOCKER", &engine.cli);
    let t0 = Instant::now();
    let out = run_cmd(c, IMAGE_BUILD_TIMEOUT)?;
    if !out.success() {
        bail!("docker/build.sh failed: {}", out.describe());
    }
    eprintln!(
        "[compat-tests] image {tag} built in {:.1}s: {}",
        t0.elapsed().as_secs_f64(),
        first_line(&tail_lines(&out.stdout, 1))
    );
    Ok(tag.to_string())
}

/// The rmq image for the container tests, built once per process (see the module docs).
pub fn rmq_image() -> Result<String> {
    static I: OnceLock<std::result::Result<String, String>> = OnceLock::new();
    I.get_or_init(|| {
        let r = (|| {
            let engine = docker_engine()?;
            if let Some(tag) = env_nonempty("RMQ_IMAGE") {
                if image_exists(engine, &tag) {
                    eprintln!("[compat-tests] using the existing image {tag} (RMQ_IMAGE)");
                    return Ok(tag);
                }
                let bins = image_binaries()?;
                return build_image(engine, &bins, &tag);
            }
            let bins = image_binaries()?;
            build_image(engine, &bins, IMAGE)
        })();
        r.map_err(|e: anyhow::Error| format!("{e:#}"))
    })
    .clone()
    .map_err(|e| anyhow!(e))
}

/// Write a properties file that the image's user (uid 3000) can read (mode 0644).
pub fn write_conf(path: &Path, props: &crate::Props) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    props.write(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
        .with_context(|| format!("chmod {}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// Namesrv polling (GET_BROKER_CLUSTER_INFO over a plain blocking socket)
// ---------------------------------------------------------------------------------------------

fn resolve(addr: &str) -> Result<SocketAddr> {
    addr.to_socket_addrs()
        .with_context(|| format!("resolve {addr}"))?
        .next()
        .ok_or_else(|| anyhow!("{addr} resolves to nothing"))
}

/// One request/response on a fresh connection; returns the response (header + body).
pub fn invoke_blocking(
    addr: &str,
    cmd: &protocol::RemotingCommand,
    timeout: Duration,
) -> Result<protocol::RemotingCommand> {
    let sa = resolve(addr)?;
    let mut s =
        TcpStream::connect_timeout(&sa, timeout).with_context(|| format!("connect {addr}"))?;
    s.set_read_timeout(Some(timeout))?;
    s.set_write_timeout(Some(timeout))?;
    s.set_nodelay(true)?;
    s.write_all(&protocol::codec::encode_frame(cmd))?;
    let mut len = [0u8; 4];
    s.read_exact(&mut len)
        .with_context(|| format!("read response length from {addr}"))?;
    let n = u32::from_be_bytes(len) as usize;
    if n > 64 << 20 {
        bail!("response frame of {n} bytes from {addr}");
    }
    let mut buf = vec![0u8; n];
    s.read_exact(&mut buf)
        .with_context(|| format!("read {n}-byte response from {addr}"))?;
    protocol::codec::decode_frame_body(Bytes::from(buf))
        .map_err(|e| anyhow!("decode response from {addr}: {e}"))
}

/// The namesrv's GET_BROKER_CLUSTER_INFO body (fastjson text; `{}`-ish when no broker).
pub fn cluster_info(namesrv_addr: &str) -> Result<String> {
    let req = protocol::RemotingCommand::request(protocol::code::request::GET_BROKER_CLUSTER_INFO);
    let resp = invoke_blocking(namesrv_addr, &req, Duration::from_secs(3))?;
    if resp.code != 0 {
        bail!(
            "GET_BROKER_CLUSTER_INFO from {namesrv_addr}: code {} {:?}",
            resp.code,
            resp.remark
        );
    }
    Ok(resp
        .body
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default())
}

/// True if `cluster_info` text lists `broker_name` (and `broker_addr`, when given).
pub fn cluster_info_has(info: &str, broker_name: &str, broker_addr: Option<&str>) -> bool {
    info.contains(&format!("\"brokerName\":\"{broker_name}\""))
        && broker_addr
            .map(|a| info.contains(&format!("\"{a}\"")))
            .unwrap_or(true)
}

/// Poll the namesrv (every 10 ms) until `broker_name` (at `broker_addr`, if given) is
/// registered; returns the time it took. Connection errors count as "not yet".
pub fn wait_broker_registered(
    namesrv_addr: &str,
    broker_name: &str,
    broker_addr: Option<&str>,
    timeout: Duration,
) -> Result<Duration> {
    let t0 = Instant::now();
    let mut last: String;
    loop {
        match cluster_info(namesrv_addr) {
            Ok(info) if cluster_info_has(&info, broker_name, broker_addr) => {
                return Ok(t0.elapsed())
            }
            Ok(info) => last = info,
            Err(e) => last = format!("{e:#}"),
        }
        if t0.elapsed() > timeout {
            bail!(
                "broker {broker_name} ({broker_addr:?}) not registered with {namesrv_addr} after {timeout:?}; last answer: {last}"
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_info_matching() {
        let info = r#"{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"127.0.0.1:20911"},"brokerName":"broker-a","cluster":"DefaultCluster"}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}"#;
        assert!(cluster_info_has(info, "broker-a", None));
        assert!(cluster_info_has(info, "broker-a", Some("127.0.0.1:20911")));
        assert!(!cluster_info_has(info, "broker-a", Some("127.0.0.1:20912")));
        assert!(!cluster_info_has(info, "broker-b", None));
    }

    #[test]
    fn run_cmd_captures_and_times_out() {
        let mut c = Command::new("sh");
        c.args(["-c", "echo out; echo err >&2; exit 3"]);
        let o = run_cmd(c, Duration::from_secs(10)).unwrap();
        assert_eq!(o.code(), Some(3));
        assert_eq!(o.stdout.trim(), "out");
        assert_eq!(o.stderr.trim(), "err");
        let mut c = Command::new("sleep");
        c.arg("30");
        let o = run_cmd(c, Duration::from_millis(200)).unwrap();
        assert!(o.timed_out && !o.success());
    }
}
