//! Running Java programs: clients, example programs, mqadmin, our scenario drivers.

use crate::javabuild::{ensure_java_built, java_classpath, java_exe, java_major_version};
use crate::output::parse_results;
use crate::paths::rocketmq_home_template;
use crate::proc::{new_temp_dir, signal_group, spawn_child, Proc};
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// JVM flags the RocketMQ 4.9.7 servers need on JDK 9+ (java-tooling.md V5 / T8).
pub const JDK9_PLUS_FLAGS: &[&str] = &[
    "--add-exports",
    "java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens",
    "java.base/java.nio=ALL-UNNAMED",
    "--add-opens",
    "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports",
    "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens",
    "java.base/java.lang=ALL-UNNAMED",
];

/// Heap flags for client JVMs (producers, consumers, mqadmin, drivers).
pub const CLIENT_HEAP: &[&str] = &["-Xms64m", "-Xmx256m"];
/// Heap flags for the Java namesrv / broker.
pub const SERVER_HEAP: &[&str] = &["-Xms256m", "-Xmx512m"];

pub(crate) fn jdk_flags() -> Vec<String> {
    match java_major_version() {
        Ok(v) if v >= 9 => JDK9_PLUS_FLAGS.iter().map(|s| s.to_string()).collect(),
        _ => Vec::new(),
    }
}

fn extra_java_opts() -> Vec<String> {
    std::env::var("RMQ_JAVA_OPTS")
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

/// A `java` command with our classpath, flags, and every file it writes
/// (`user.home`, `~/logs`, client logs) redirected into `dir`.
pub(crate) fn java_command(
    main_class: &str,
    args: &[&str],
    heap_and_gc: &[&str],
    rocketmq_home: &Path,
    dir: &Path,
) -> Command {
    let logs = dir.join("logs");
    let _ = std::fs::create_dir_all(&logs);
    let mut cmd = Command::new(java_exe());
    cmd.current_dir(dir)
        .env_remove("NAMESRV_ADDR")
        .env("ROCKETMQ_HOME", rocketmq_home)
        .args(heap_and_gc)
        .arg("-XX:-OmitStackTraceInFastThrow")
        .arg("-XX:+PerfDisableSharedMem")
        .args(jdk_flags())
        .arg("-Djava.awt.headless=true")
        .arg(format!("-Duser.home={}", dir.display()))
        .arg(format!("-Drocketmq.home.dir={}", rocketmq_home.display()))
        .arg(format!("-Drmq.log.dir={}", logs.display()))
        .arg(format!("-Drocketmq.client.logRoot={}", logs.display()))
        .args(extra_java_opts())
        .arg("-cp")
        .arg(java_classpath())
        .arg(main_class)
        .args(args);
    cmd
}

/// Client JVM command: `-Xmx256m`, namesrv via both `-Drocketmq.namesrv.addr` and
/// `NAMESRV_ADDR` when either is given in `env`/`sys_props`.
fn client_command(
    main_class: &str,
    args: &[&str],
    env: &[(&str, &str)],
    sys_props: &[(&str, &str)],
    dir: &Path,
) -> Command {
    let mut props: Vec<(String, String)> = sys_props
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let ns_env = env
        .iter()
        .find(|(k, _)| *k == "NAMESRV_ADDR")
        .map(|(_, v)| *v);
    let ns_prop = sys_props
        .iter()
        .find(|(k, _)| *k == "rocketmq.namesrv.addr")
        .map(|(_, v)| *v);
    if let (Some(ns), None) = (ns_env, ns_prop) {
        props.insert(0, ("rocketmq.namesrv.addr".into(), ns.into()));
    }
    let mut jvm: Vec<String> = CLIENT_HEAP.iter().map(|s| s.to_string()).collect();
    jvm.push("-XX:+UseSerialGC".into());
    jvm.extend(props.iter().map(|(k, v)| format!("-D{k}={v}")));
    let jvm_ref: Vec<&str> = jvm.iter().map(String::as_str).collect();
    let mut cmd = java_command(main_class, args, &jvm_ref, &rocketmq_home_template(), dir);
    if let (None, Some(ns)) = (ns_env, ns_prop) {
        cmd.env("NAMESRV_ADDR", ns);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Result of [`run_java`].
#[derive(Debug, Clone)]
pub struct JavaOutput {
    /// Exit status (after a timeout: the status of the killed process).
    pub status: Option<ExitStatus>,
    pub stdout: String,
    pub stderr: String,
    /// True if the program was killed because it ran past its timeout.
    pub timed_out: bool,
    pub elapsed: Duration,
}

impl JavaOutput {
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

    /// Short human description for error messages (status + tails of both streams).
    pub fn describe(&self) -> String {
        format!(
            "status={:?} timed_out={} elapsed={:.1}s\n--- stdout (tail) ---\n{}\n--- stderr (tail) ---\n{}",
            self.status,
            self.timed_out,
            self.elapsed.as_secs_f64(),
            crate::proc::tail_lines(&self.stdout, 60),
            crate::proc::tail_lines(&self.stderr, 60)
        )
    }
}

/// Run a Java main class to completion (client JVM settings: `-Xmx256m`, temp `user.home`,
/// client logs in the temp dir). On timeout the process group is killed and what it
/// printed so far is returned with `timed_out = true` (not an error). If `env` has
/// `NAMESRV_ADDR` (or `sys_props` has `rocketmq.namesrv.addr`), the other one is set too.
pub fn run_java(
    main_class: &str,
    args: &[&str],
    env: &[(&str, &str)],
    sys_props: &[(&str, &str)],
    timeout: Duration,
) -> Result<JavaOutput> {
    ensure_java_built()?;
    let tmp = new_temp_dir("rmq-java-run-")?;
    let out_path = tmp.path().join("stdout.log");
    let err_path = tmp.path().join("stderr.log");
    let mut cmd = client_command(main_class, args, env, sys_props, tmp.path());
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(File::create(&out_path)?))
        .stderr(Stdio::from(File::create(&err_path)?));
    let t0 = Instant::now();
    let mut child = spawn_child(cmd).with_context(|| format!("spawn java {main_class}"))?;
    let pid = child.id();
    let deadline = t0 + timeout;
    let mut timed_out = false;
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break Some(s);
        }
        if Instant::now() >= deadline {
            timed_out = true;
            signal_group(pid, libc::SIGKILL);
            let _ = child.kill();
            break child.wait().ok();
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let read = |p: &Path| {
        std::fs::read(p)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    Ok(JavaOutput {
        status,
        stdout: read(&out_path),
        stderr: read(&err_path),
        timed_out,
        elapsed: t0.elapsed(),
    })
}

/// Like [`run_java`] with the namesrv address set (`NAMESRV_ADDR` + `-Drocketmq.namesrv.addr`).
pub fn run_java_client(
    namesrv_addr: &str,
    main_class: &str,
    args: &[&str],
    timeout: Duration,
) -> Result<JavaOutput> {
    run_java(
        main_class,
        args,
        &[("NAMESRV_ADDR", namesrv_addr)],
        &[],
        timeout,
    )
}

/// Start a long-running Java program (e.g. a consumer); stdout+stderr go to the
/// returned [`Proc`]'s log; killed when the `Proc` is dropped. Same JVM settings as [`run_java`].
pub fn spawn_java(
    main_class: &str,
    args: &[&str],
    env: &[(&str, &str)],
    sys_props: &[(&str, &str)],
) -> Result<Proc> {
    ensure_java_built()?;
    let tmp = new_temp_dir("rmq-java-spawn-")?;
    let cmd = client_command(main_class, args, env, sys_props, tmp.path());
    let short = main_class.rsplit('.').next().unwrap_or(main_class);
    let proc = Proc::spawn(&format!("java {short}"), cmd, tmp.path().join("output.log"))?;
    proc.keep_alive(tmp);
    Ok(proc)
}

/// [`spawn_java`] with the namesrv address set.
pub fn spawn_java_client(namesrv_addr: &str, main_class: &str, args: &[&str]) -> Result<Proc> {
    spawn_java(main_class, args, &[("NAMESRV_ADDR", namesrv_addr)], &[])
}

/// The real mqadmin main class (4.9.7 tools).
pub const MQADMIN_MAIN: &str = "org.apache.rocketmq.tools.command.MQAdminStartup";
/// Our wrapper around [`MQADMIN_MAIN`] that exits as soon as the command is done (the
/// plain tool lingers ~3 s for netty's non-daemon threads); output is identical.
pub const MQADMIN_FAST_MAIN: &str = "rmq.compat.MqAdmin";

/// Run `mqadmin <args> -n <namesrv_addr>` (Java 4.9.7 tools) and return stdout+stderr.
///
/// NB: mqadmin exits 0 even when the command failed (it prints the stack trace), so
/// callers must check the text. Errors only if it can't be started or runs > 120 s.
/// Runs the tool through [`MQADMIN_FAST_MAIN`] (same output, no ~3 s exit lag).
pub fn mqadmin(namesrv_addr: &str, args: &[&str]) -> Result<String> {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["-n", namesrv_addr]);
    let out = run_java(
        MQADMIN_FAST_MAIN,
        &all,
        &[("NAMESRV_ADDR", namesrv_addr)],
        &[],
        Duration::from_secs(120),
    )?;
    if out.timed_out {
        bail!("mqadmin {:?} timed out:\n{}", args, out.describe());
    }
    Ok(out.combined())
}

/// Run mqadmin repeatedly (every 500 ms) until `pred(output)` holds or `timeout` passes;
/// returns the last output either way (check it). Useful right after a broker boot: the
/// Java broker answers GET_BROKER_RUNTIME_INFO (`clusterList`, `brokerStatus`) with
/// `NoSuchElementException` until its first 1-second stats sample exists.
pub fn mqadmin_until(
    namesrv_addr: &str,
    args: &[&str],
    timeout: Duration,
    mut pred: impl FnMut(&str) -> bool,
) -> Result<String> {
    let deadline = Instant::now() + timeout;
    loop {
        let out = mqadmin(namesrv_addr, args)?;
        if pred(&out) || Instant::now() >= deadline {
            return Ok(out);
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Output of a scenario driver (see [`run_driver`]).
#[derive(Debug, Clone)]
pub struct DriverOutput {
    /// Parsed `RESULT key=value` lines from stdout.
    pub results: BTreeMap<String, String>,
    pub output: JavaOutput,
}

impl DriverOutput {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.results.get(key).map(String::as_str)
    }

    /// The value of `key`, or an error showing the driver's output.
    pub fn req(&self, key: &str) -> Result<&str> {
        match self.results.get(key) {
            Some(v) => Ok(v),
            None => bail!(
                "driver printed no `RESULT {key}=` line\n{}",
                self.output.describe()
            ),
        }
    }

    pub fn req_i64(&self, key: &str) -> Result<i64> {
        let v = self.req(key)?;
        v.parse()
            .with_context(|| format!("RESULT {key}={v} is not an integer"))
    }
}

fn driver_class(class: &str) -> String {
    if class.contains('.') {
        class.to_string()
    } else {
        format!("rmq.compat.{class}")
    }
}

/// Run a scenario driver without judging its exit status (errors only if it can't start).
pub fn run_driver_raw(
    class: &str,
    namesrv_addr: &str,
    args: &[&str],
    timeout: Duration,
) -> Result<DriverOutput> {
    let main = driver_class(class);
    // the driver's own watchdog fires a bit before ours, so it can report
    let inner = timeout
        .saturating_sub(Duration::from_secs(5))
        .max(Duration::from_secs(5));
    let inner_ms = inner.as_millis().to_string();
    let output = run_java(
        &main,
        args,
        &[("NAMESRV_ADDR", namesrv_addr)],
        &[
            ("rocketmq.namesrv.addr", namesrv_addr),
            ("rmq.compat.timeoutMs", &inner_ms),
        ],
        timeout,
    )?;
    Ok(DriverOutput {
        results: parse_results(&output.stdout),
        output,
    })
}

/// Run a scenario driver (a main class under `compat-tests/java/src/main/java/rmq/compat/`;
/// a bare name like `"Ping"` means `rmq.compat.Ping`) against `namesrv_addr`.
///
/// Convention: drivers print `RESULT key=value` lines on stdout and exit 0 on success,
/// 1 on failure (3 = their own watchdog fired). Returns an error (with output) unless the
/// driver exits 0 within `timeout`.
pub fn run_driver(
    class: &str,
    namesrv_addr: &str,
    args: &[&str],
    timeout: Duration,
) -> Result<DriverOutput> {
    let d = run_driver_raw(class, namesrv_addr, args, timeout)?;
    if !d.output.success() {
        bail!(
            "driver {} {:?} failed (results {:?})\n{}",
            driver_class(class),
            args,
            d.results,
            d.output.describe()
        );
    }
    Ok(d)
}
