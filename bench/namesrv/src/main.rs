//! Name server benchmark: GET_ROUTEINFO_BY_TOPIC throughput, latency, CPU and memory of our
//! `mqnamesrv` against the Java 4.9.7 `NamesrvStartup`, under the same load.
//!
//! For each server: start it, register a fake broker with `--topics` topics (the
//! registering connection stays open, as a broker's does), warm up, then run
//! `--connections` clients that each send route lookups for random topics back to back
//! (sync, like Java clients, JSON headers, version 407) for `--seconds`. Reported: requests/s,
//! p50/p99 latency, server CPU seconds used per 1000 requests, and the server's RSS (VmRSS
//! and peak VmHWM from /proc).
//!
//! ```text
//! cargo build --release -p namesrv            # builds target/release/mqnamesrv (or set --rmq-bin)
//! cargo run --release --manifest-path bench/namesrv/Cargo.toml -- [--seconds 10] [--connections 8] [--topics 200]
//! ```
//! The Java side needs `compat-tests/java/target/lib` (built by the compat tests' Maven step).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use protocol::code::{request as rc, response};
use protocol::net::RemotingClient;
use protocol::RemotingCommand;

struct Args {
    seconds: u64,
    warmup_seconds: u64,
    connections: usize,
    topics: usize,
    rmq_bin: PathBuf,
    java: bool,
    rmq: bool,
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("..")
}

fn parse_args() -> Result<Args> {
    let root = repo_root();
    let mut a = Args {
        seconds: 10,
        warmup_seconds: 3,
        connections: 8,
        topics: 200,
        rmq_bin: std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"))
            .join("release")
            .join("mqnamesrv"),
        java: true,
        rmq: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().ok_or_else(|| anyhow!("{flag} needs a value"));
        match flag.as_str() {
            "--seconds" => a.seconds = val()?.parse()?,
            "--warmup-seconds" => a.warmup_seconds = val()?.parse()?,
            "--connections" => a.connections = val()?.parse()?,
            "--topics" => a.topics = val()?.parse()?,
            "--rmq-bin" => a.rmq_bin = PathBuf::from(val()?),
            "--only-java" => a.rmq = false,
            "--only-rmq" => a.java = false,
            "-h" | "--help" => {
                println!(
                    "namesrv-bench [--seconds N] [--warmup-seconds N] [--connections N] [--topics N] \
                     [--rmq-bin PATH] [--only-java|--only-rmq]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown flag {other}"),
        }
    }
    Ok(a)
}

/// A server process; killed on drop.
struct Server {
    name: &'static str,
    child: Child,
    addr: String,
    _dir: TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temp dir removed on drop (no extra crate needed).
struct TempDir(PathBuf);

impl TempDir {
    fn new(prefix: &str) -> Result<TempDir> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_nanos();
        let p = std::env::temp_dir().join(format!("{prefix}{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&p)?;
        Ok(TempDir(p))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn start(name: &'static str, mut cmd: Command, dir: TempDir, port: u16) -> Result<Server> {
    cmd.stdout(Stdio::piped()).stderr(Stdio::null()).stdin(Stdio::null());
    let mut child = cmd.spawn().with_context(|| format!("start {name}"))?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("The Name Server boot success") {
                let _ = tx.send(());
            }
        }
    });
    let server = Server {
        name,
        child,
        addr: format!("127.0.0.1:{port}"),
        _dir: dir,
    };
    rx.recv_timeout(Duration::from_secs(60))
        .map_err(|_| anyhow!("{name} did not boot within 60 s"))?;
    Ok(server)
}

fn start_rmq(bin: &Path) -> Result<Server> {
    if !bin.is_file() {
        bail!("{} not found: cargo build --release -p namesrv (or --rmq-bin)", bin.display());
    }
    let dir = TempDir::new("namesrv-bench-rmq-")?;
    let port = free_port()?;
    let conf = dir.0.join("namesrv.properties");
    std::fs::write(&conf, format!("listenPort={port}\n"))?;
    let mut cmd = Command::new(bin);
    cmd.arg("-c").arg(&conf).env("HOME", &dir.0).env("RUST_LOG", "warn");
    start("rmq", cmd, dir, port)
}

fn start_java() -> Result<Server> {
    let root = repo_root();
    let lib = root.join("compat-tests").join("java").join("target").join("lib");
    if !lib.is_dir() {
        bail!("{} missing: run the compat tests once (Maven build)", lib.display());
    }
    let home = root.join("compat-tests").join("java").join("rocketmq-home");
    let dir = TempDir::new("namesrv-bench-java-")?;
    let port = free_port()?;
    let conf = dir.0.join("namesrv.properties");
    std::fs::write(&conf, format!("listenPort={port}\n"))?;
    let mut cmd = Command::new("java");
    cmd.args(["-server", "-Xms256m", "-Xmx512m", "-XX:+UseG1GC"])
        .args([
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
        ])
        .arg(format!("-Duser.home={}", dir.0.display()))
        .arg(format!("-Drocketmq.home.dir={}", home.display()))
        .arg(format!("-Drmq.log.dir={}", dir.0.join("logs").display()))
        .arg("-cp")
        .arg(format!("{}/*", lib.display()))
        .arg("org.apache.rocketmq.namesrv.NamesrvStartup")
        .arg("-c")
        .arg(&conf)
        .env("ROCKETMQ_HOME", &home);
    start("java", cmd, dir, port)
}

/// (VmRSS, VmHWM) in KiB.
fn rss_kib(pid: u32) -> (u64, u64) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// utime + stime of `pid` in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // fields after the ")" that ends the command name; utime, stime are fields 14, 15
    let rest = text.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    ticks / CLOCK_TICKS_PER_SECOND
}

/// `sysconf(_SC_CLK_TCK)`: 100 on every Linux we run on (saves a libc dependency).
const CLOCK_TICKS_PER_SECOND: f64 = 100.0;

fn register_broker(topics: usize) -> Result<RemotingCommand> {
    let mut table = String::from("{");
    for i in 0..topics {
        if i > 0 {
            table.push(',');
        }
        table.push_str(&format!(
            r#""BenchTopic{i}":{{"order":false,"perm":6,"readQueueNums":8,"topicFilterType":"SINGLE_TAG","topicName":"BenchTopic{i}","topicSysFlag":0,"writeQueueNums":8}}"#
        ));
    }
    table.push('}');
    let body = format!(
        r#"{{"filterServerList":[],"topicConfigSerializeWrapper":{{"dataVersion":{{"counter":1,"timestamp":1700000000000}},"topicConfigTable":{table}}}}}"#
    );
    let mut cmd = RemotingCommand::request(rc::REGISTER_BROKER);
    for (k, v) in [
        ("brokerName", "bench-broker"),
        ("brokerAddr", "127.0.0.1:10911"),
        ("clusterName", "BenchCluster"),
        ("haServerAddr", "127.0.0.1:10912"),
        ("brokerId", "0"),
        ("compressed", "false"),
    ] {
        cmd.set_ext(k, v);
    }
    cmd.set_ext("bodyCrc32", ((crc32fast::hash(body.as_bytes()) & 0x7FFF_FFFF) as i32).to_string());
    Ok(cmd.with_body(body.into_bytes()))
}

struct Result1 {
    name: &'static str,
    requests: u64,
    errors: u64,
    seconds: f64,
    p50_us: u64,
    p99_us: u64,
    cpu_s: f64,
    rss_kib: u64,
    hwm_kib: u64,
}

async fn load(addr: &str, connections: usize, topics: usize, dur: Duration) -> Result<(u64, u64, Vec<u64>)> {
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for c in 0..connections {
        let (addr, stop, done, errors) = (addr.to_string(), stop.clone(), done.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let client = RemotingClient::new();
            let mut lat = Vec::with_capacity(100_000);
            let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ c as u64;
            while !stop.load(Ordering::Relaxed) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let mut cmd = RemotingCommand::request(rc::GET_ROUTEINFO_BY_TOPIC);
                cmd.set_ext("topic", format!("BenchTopic{}", x % topics as u64));
                let t0 = Instant::now();
                match client.invoke(&addr, cmd, Duration::from_secs(3)).await {
                    Ok(r) if r.code == response::SUCCESS => {
                        lat.push(t0.elapsed().as_micros() as u64);
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            lat
        }));
    }
    tokio::time::sleep(dur).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await?);
    }
    Ok((done.load(Ordering::Relaxed), errors.load(Ordering::Relaxed), all))
}

async fn bench(server: &Server, a: &Args) -> Result<Result1> {
    let pid = server.child.id();
    let broker = RemotingClient::new();
    let resp = broker.invoke(&server.addr, register_broker(a.topics)?, Duration::from_secs(10)).await?;
    if resp.code != response::SUCCESS {
        bail!("{}: REGISTER_BROKER failed: {} {:?}", server.name, resp.code, resp.remark);
    }
    load(&server.addr, a.connections, a.topics, Duration::from_secs(a.warmup_seconds)).await?;
    let cpu0 = cpu_seconds(pid);
    let t0 = Instant::now();
    let (requests, errors, mut lat) = load(&server.addr, a.connections, a.topics, Duration::from_secs(a.seconds)).await?;
    let seconds = t0.elapsed().as_secs_f64();
    let cpu_s = cpu_seconds(pid) - cpu0;
    lat.sort_unstable();
    let pct = |p: f64| lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1))).copied().unwrap_or(0);
    let (rss_kib, hwm_kib) = rss_kib(pid);
    drop(broker);
    Ok(Result1 {
        name: server.name,
        requests,
        errors,
        seconds,
        p50_us: pct(0.50),
        p99_us: pct(0.99),
        cpu_s,
        rss_kib,
        hwm_kib,
    })
}

fn main() -> Result<()> {
    let a = parse_args()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    println!(
        "GET_ROUTEINFO_BY_TOPIC, {} topics, {} connections, {} s (after {} s warm-up), {} cores",
        a.topics,
        a.connections,
        a.seconds,
        a.warmup_seconds,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );
    let mut results = Vec::new();
    if a.rmq {
        let s = start_rmq(&a.rmq_bin)?;
        results.push(rt.block_on(bench(&s, &a))?);
    }
    if a.java {
        let s = start_java()?;
        results.push(rt.block_on(bench(&s, &a))?);
    }
    println!(
        "{:<6} {:>10} {:>8} {:>9} {:>9} {:>14} {:>10} {:>10}",
        "server", "req/s", "errors", "p50 µs", "p99 µs", "CPU µs/req", "RSS MiB", "peak MiB"
    );
    for r in &results {
        println!(
            "{:<6} {:>10.0} {:>8} {:>9} {:>9} {:>14.1} {:>10.1} {:>10.1}",
            r.name,
            r.requests as f64 / r.seconds,
            r.errors,
            r.p50_us,
            r.p99_us,
            r.cpu_s * 1e6 / r.requests.max(1) as f64,
            r.rss_kib as f64 / 1024.0,
            r.hwm_kib as f64 / 1024.0
        );
    }
    Ok(())
}
