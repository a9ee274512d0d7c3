//! The rows of the benchmark: how each is measured, the targets, the table and the JSON.

use crate::rpc::{consumer_offsets, create_topic, stored_messages, topic_routed, Rpc};
use crate::servers::{
    spawn_broker, spawn_tool, start_namesrv, wait_ready, Cluster, Flavor, CLIENT_JVM,
    JAVA_BROKER_HEAP, JAVA_NAMESRV_HEAP,
};
use crate::storegen::put_messages;
use crate::sys::{
    cores, cpu_use, dd_write_mb_s, java_version, loadavg, loopback_mb_s, machine_line,
    rss_anon_mib, CpuSnap, RssSampler,
};
use crate::Opts;
use anyhow::{bail, Context, Result};
use compat_tests::{ensure_java_built, java_exe, new_temp_dir, Proc};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Topic of the send rows (auto-created through TBW102, as the tools expect).
const TOPIC: &str = "BenchmarkTest";
/// Topic created up front (UPDATE_AND_CREATE_TOPIC) for the consume rows: Java refuses to
/// create `BenchmarkTest` that way (it is in TopicValidator's system topic set).
const CTOPIC: &str = "BrokerBench";

/// Figures of one flavor in one round of a row.
type Sample = BTreeMap<String, f64>;

#[derive(Clone, Copy)]
enum Fmt {
    Int,
    Ms,
    Dec1,
}

#[derive(Clone, Copy)]
enum Target {
    /// ours / Java >= x
    RatioAtLeast(f64),
    /// ours / Java <= x
    RatioAtMost(f64),
    /// ours < x (absolute)
    RmqBelow(f64),
}

/// One line of the table.
struct Line {
    label: String,
    rmq: Option<f64>,
    java: Option<f64>,
    fmt: Fmt,
    target: Option<Target>,
    /// overrides the ours/Java ratio (e.g. dd / put path)
    ratio: Option<(f64, String)>,
}

impl Line {
    fn new(
        label: &str,
        rmq: Option<f64>,
        java: Option<f64>,
        fmt: Fmt,
        target: Option<Target>,
    ) -> Line {
        Line {
            label: label.to_string(),
            rmq,
            java,
            fmt,
            target,
            ratio: None,
        }
    }
    fn ratio(&self) -> Option<f64> {
        if let Some((r, _)) = &self.ratio {
            return Some(*r);
        }
        match (self.rmq, self.java) {
            (Some(a), Some(b)) if b != 0.0 && a.is_finite() && b.is_finite() => Some(a / b),
            _ => None,
        }
    }
    fn met(&self) -> Option<bool> {
        let t = self.target?;
        match t {
            Target::RatioAtLeast(x) => self.ratio().map(|r| r >= x),
            Target::RatioAtMost(x) => self.ratio().map(|r| r <= x),
            Target::RmqBelow(x) => self.rmq.map(|v| v < x),
        }
    }
    fn target_text(&self) -> String {
        match self.target {
            None => String::new(),
            Some(Target::RatioAtLeast(x)) => format!(">= {x}x"),
            Some(Target::RatioAtMost(x)) => format!("<= {}", trim_float(x)),
            Some(Target::RmqBelow(x)) => format!("ours < {}", trim_float(x)),
        }
    }
}

fn trim_float(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

struct RowResult {
    id: String,
    title: String,
    samples: BTreeMap<&'static str, Vec<Sample>>,
    errors: Vec<String>,
    lines: Vec<Line>,
}

impl RowResult {
    fn new(id: &str, title: &str) -> RowResult {
        RowResult {
            id: id.into(),
            title: title.into(),
            samples: BTreeMap::new(),
            errors: Vec::new(),
            lines: Vec::new(),
        }
    }
    /// Median over rounds of `key` for a flavor.
    fn med(&self, flavor: Flavor, key: &str) -> Option<f64> {
        let mut v: Vec<f64> = self
            .samples
            .get(flavor.name())?
            .iter()
            .filter_map(|s| s.get(key).copied())
            .filter(|x| x.is_finite())
            .collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let n = v.len();
        Some(if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        })
    }
    fn line(&mut self, label: &str, key: &str, fmt: Fmt, target: Option<Target>) {
        let l = Line::new(
            label,
            self.med(Flavor::Rmq, key),
            self.med(Flavor::Java, key),
            fmt,
            target,
        );
        self.lines.push(l);
    }
}

fn now_s(t0: Instant) -> String {
    format!("[{:>6.1}s]", t0.elapsed().as_secs_f64())
}

/// Run `f` for each round and flavor, alternating ours / Java.
fn alternate(
    opts: &Opts,
    row: &mut RowResult,
    t0: Instant,
    mut f: impl FnMut(Flavor) -> Result<Sample>,
) {
    for round in 0..opts.rounds {
        for &flavor in &opts.flavors {
            let load = loadavg()[0];
            eprintln!(
                "{} {} round {} {}: running (load {load:.2})",
                now_s(t0),
                row.id,
                round + 1,
                flavor.name()
            );
            match f(flavor) {
                Ok(mut s) => {
                    s.insert("load1".into(), load);
                    eprintln!("{} {} {}: {}", now_s(t0), row.id, flavor.name(), brief(&s));
                    row.samples.entry(flavor.name()).or_default().push(s);
                }
                Err(e) => {
                    eprintln!("{} {} {}: FAILED: {e:#}", now_s(t0), row.id, flavor.name());
                    row.errors
                        .push(format!("{} round {}: {e:#}", flavor.name(), round + 1));
                }
            }
        }
    }
}

fn brief(s: &Sample) -> String {
    s.iter()
        .map(|(k, v)| format!("{k}={}", trim_float(*v)))
        .collect::<Vec<_>>()
        .join(" ")
}

// ------------------------------------------------------------------------------ tool output

/// The number after `key` in `line` (`"Send TPS: 123"`, `"AVG RT(ms):3.1"`).
fn num_after(line: &str, key: &str) -> Option<f64> {
    let i = line.find(key)?;
    let rest = line[i + key.len()..].trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

fn report_lines<'a>(text: &'a str, key: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.contains(key)).collect()
}

/// Wait until the tool has printed `n` lines containing `key`.
fn wait_reports(p: &Proc, key: &str, n: usize, timeout: Duration) -> Result<()> {
    let t0 = Instant::now();
    loop {
        let text = p.log_text();
        if report_lines(&text, key).len() >= n {
            return Ok(());
        }
        if !p.is_running() {
            bail!("{} exited early:\n{}", p.name(), p.log_tail(30));
        }
        if t0.elapsed() > timeout {
            bail!(
                "{} printed fewer than {n} `{key}` lines in {timeout:?}:\n{}",
                p.name(),
                p.log_tail(30)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

// ------------------------------------------------------------------------------ send rows

struct SendSpec {
    id: &'static str,
    title: &'static str,
    class: &'static str,
    args: &'static [&'static str],
    conf: &'static [(&'static str, &'static str)],
    tps_target: f64,
}

const SEND_ROWS: &[SendSpec] = &[
    SendSpec {
        id: "send-1k-1t",
        title: "sync send, 1 KiB, 1 thread (Producer -w 1 -s 1024)",
        class: "Producer",
        args: &["-w", "1", "-s", "1024"],
        conf: &[],
        tps_target: 1.0,
    },
    SendSpec {
        id: "send-1k-32t",
        title: "sync send, 1 KiB, 32 threads (Producer -w 32 -s 1024)",
        class: "Producer",
        args: &["-w", "32", "-s", "1024"],
        conf: &[],
        tps_target: 1.5,
    },
    SendSpec {
        id: "send-128b-32t",
        title: "sync send, 128 B, 32 threads (Producer -w 32 -s 128)",
        class: "Producer",
        args: &["-w", "32", "-s", "128"],
        conf: &[],
        tps_target: 1.5,
    },
    SendSpec {
        id: "send-async-1k",
        title: "async send, 1 KiB (Producer -y true -s 1024; 1 thread, <= 10000 in flight)",
        class: "Producer",
        args: &["-y", "true", "-s", "1024"],
        conf: &[],
        tps_target: 1.0,
    },
    SendSpec {
        id: "send-batch16-1k",
        title: "batch send, 16 x 1 KiB, 32 threads (BatchProducer -w 32 -s 1024 -b 16)",
        class: "BatchProducer",
        args: &["-w", "32", "-s", "1024", "-b", "16"],
        conf: &[],
        tps_target: 1.5,
    },
    SendSpec {
        id: "syncflush-1k-32t",
        title: "SYNC_FLUSH send, 1 KiB, 32 threads (Producer -w 32 -s 1024)",
        class: "Producer",
        args: &["-w", "32", "-s", "1024"],
        conf: &[("flushDiskType", "SYNC_FLUSH")],
        tps_target: 2.0,
    },
    SendSpec {
        id: "tx-1k-32t",
        title: "transactional send, 1 KiB, 32 threads (TransactionProducer -w 32 -s 1024)",
        class: "TransactionProducer",
        args: &["-w", "32", "-s", "1024"],
        conf: &[],
        tps_target: 1.5,
    },
];

fn send_once(opts: &Opts, flavor: Flavor, spec: &SendSpec) -> Result<Sample> {
    let store = new_temp_dir("bench-store-")?;
    let c = Cluster::start(flavor, store.path(), spec.conf)?;
    std::thread::sleep(Duration::from_secs(1));
    let bpid = c.broker.pid();
    let rss_idle = rss_anon_mib(bpid).unwrap_or(f64::NAN);
    let mut args: Vec<String> = vec!["-t".into(), TOPIC.into()];
    args.extend(spec.args.iter().map(|s| s.to_string()));
    args.extend(["-n".to_string(), c.ns_addr()]);
    let client = spawn_tool(spec.class, &args)?;
    let cpid = client.pid();
    let sampler = RssSampler::start(bpid, Duration::from_millis(250));
    let mut brpc = Rpc::new(&c.broker_addr());
    let key = "Send TPS:";
    let n = opts.reports();
    // warm-up: until the tool's first report (its first full 10 s window)
    wait_reports(&client, key, 1, Duration::from_secs(120))?;
    let s0 = CpuSnap::take(bpid, Some(cpid));
    let m0 = stored_messages(&mut brpc, TOPIC)?;
    sampler.reset();
    wait_reports(&client, key, 1 + n, Duration::from_secs(30 + 15 * n as u64))?;
    let s1 = CpuSnap::take(bpid, Some(cpid));
    let m1 = stored_messages(&mut brpc, TOPIC)?;
    let rss_load = sampler.max_mib();
    drop(sampler);
    let text = client.log_text();
    client.kill9();
    drop(c);
    let reports: Vec<&str> = report_lines(&text, key)
        .into_iter()
        .skip(1)
        .take(n)
        .collect();
    let stored = (m1 - m0) as f64;
    if stored <= 0.0 {
        bail!(
            "no messages stored during the measurement; tool output:\n{}",
            compat_tests::tail_lines(&text, 20)
        );
    }
    let u = cpu_use(&s0, &s1);
    let mut s = Sample::new();
    s.insert("tps".into(), stored / u.secs);
    s.insert("cpu_s_per_m".into(), u.broker_cpu_s / stored * 1e6);
    s.insert("broker_cores".into(), u.broker_cores);
    s.insert("client_cores".into(), u.client_cores);
    s.insert("machine_cores".into(), u.machine_cores);
    s.insert("rss_idle_mib".into(), rss_idle);
    s.insert("rss_load_mib".into(), rss_load);
    s.insert("window_s".into(), u.secs);
    // the tool's own figures over the same reports
    let (tps_key, rt_key) = match spec.class {
        "BatchProducer" => ("Send MPS:", "Average RT(ms):"),
        "TransactionProducer" => ("Send TPS:", "AVG RT(ms):"),
        _ => ("Send TPS:", "Average RT(ms):"),
    };
    let tps: Vec<f64> = reports
        .iter()
        .filter_map(|l| num_after(l, tps_key))
        .collect();
    let rts: Vec<f64> = reports
        .iter()
        .filter_map(|l| num_after(l, rt_key))
        .collect();
    let maxes: Vec<f64> = reports
        .iter()
        .filter_map(|l| num_after(l, "Max RT(ms):"))
        .collect();
    let wsum: f64 = tps.iter().sum();
    if wsum > 0.0 && rts.len() == tps.len() {
        s.insert(
            "avg_rt_ms".into(),
            tps.iter().zip(&rts).map(|(t, r)| t * r).sum::<f64>() / wsum,
        );
    }
    s.insert("tool_tps".into(), wsum / tps.len().max(1) as f64);
    // Producer/BatchProducer print the max since start; TransactionProducer per report
    if let Some(m) = maxes.iter().cloned().reduce(f64::max) {
        s.insert("max_rt_ms".into(), m);
    }
    let failed: f64 = match spec.class {
        "TransactionProducer" => reports
            .iter()
            .filter_map(|l| num_after(l, "Send Failed:"))
            .sum(),
        _ => reports
            .last()
            .and_then(|l| num_after(l, "Send Failed:"))
            .unwrap_or(0.0),
    };
    s.insert("send_failed".into(), failed);
    Ok(s)
}

// ------------------------------------------------------------------------------ consume rows

fn wait_routed(c: &Cluster, topic: &str) -> Result<()> {
    let mut ns = Rpc::new(&c.ns_addr());
    let t0 = Instant::now();
    while !topic_routed(&mut ns, topic) {
        if t0.elapsed() > Duration::from_secs(30) {
            bail!("no route for {topic} after 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

/// Drain a backlog (written in-process before the broker starts) with rmq.bench.Consumer;
/// the drain rate and the broker CPU are taken between 10 % and 90 % of the backlog as
/// committed on the broker (GET_CONSUME_STATS, polled every 100 ms; the push consumer
/// commits its offsets with every pull).
fn consume_once(opts: &Opts, flavor: Flavor) -> Result<Sample> {
    let store = new_temp_dir("bench-store-")?;
    let n = opts.backlog;
    let g = put_messages(store.path(), CTOPIC, 4, 1024, n, u64::MAX, 2)?;
    if g.messages != n {
        bail!("backlog: {} of {n} messages written", g.messages);
    }
    let c = Cluster::start(flavor, store.path(), &[])?;
    let mut brpc = Rpc::new(&c.broker_addr());
    create_topic(&mut brpc, CTOPIC, 4)?;
    wait_routed(&c, CTOPIC)?;
    let stored = stored_messages(&mut brpc, CTOPIC)?;
    if stored != n as i64 {
        bail!("the broker sees {stored} of the {n} backlog messages");
    }
    let bpid = c.broker.pid();
    let group = "benchmark_consumer";
    let args: Vec<String> = ["-t", CTOPIC, "-g", group, "-n", &c.ns_addr()]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let consumer = spawn_tool("Consumer", &args)?;
    let cpid = consumer.pid();
    let sampler = RssSampler::start(bpid, Duration::from_millis(250));
    let t_spawn = Instant::now();
    let timeout = Duration::from_secs(60 + n / 2000);
    let mut pts: Vec<(CpuSnap, f64)> = Vec::new();
    loop {
        let snap = CpuSnap::take(bpid, Some(cpid));
        let off = consumer_offsets(&mut brpc, group, CTOPIC).unwrap_or(0) as f64;
        pts.push((snap, off));
        if off >= 0.99 * n as f64 {
            break;
        }
        if !consumer.is_running() {
            bail!("Consumer exited:\n{}", consumer.log_tail(30));
        }
        if t_spawn.elapsed() > timeout {
            bail!(
                "drain not done after {timeout:?}: {off} of {n} committed\n{}",
                consumer.log_tail(20)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let drain_s = t_spawn.elapsed().as_secs_f64();
    let rss_load = sampler.max_mib();
    drop(sampler);
    let text = consumer.log_text();
    consumer.kill9();
    drop(c);
    // interpolate the instants at which 10 % and 90 % were committed
    let at = |frac: f64| -> Option<(f64, f64)> {
        let want = frac * n as f64;
        let i = pts.iter().position(|(_, o)| *o >= want)?;
        if i == 0 {
            return None;
        }
        let (a, oa) = &pts[i - 1];
        let (b, ob) = &pts[i];
        let k = if ob > oa {
            (want - oa) / (ob - oa)
        } else {
            1.0
        };
        let t = a.at.duration_since(t_spawn).as_secs_f64()
            + k * b.at.duration_since(a.at).as_secs_f64();
        let cpu = a.broker + k * (b.broker - a.broker);
        Some((t, cpu))
    };
    let (t10, c10) = at(0.1).context("10 % point")?;
    let (t90, c90) = at(0.9).context("90 % point")?;
    let msgs = 0.8 * n as f64;
    let mut s = Sample::new();
    s.insert("tps".into(), msgs / (t90 - t10));
    s.insert("cpu_s_per_m".into(), (c90 - c10) / msgs * 1e6);
    s.insert("drain_s".into(), drain_s);
    s.insert("rss_load_mib".into(), rss_load);
    let first = pts.first().map(|p| p.0).unwrap();
    let last = pts.last().map(|p| p.0).unwrap();
    let u = cpu_use(&first, &last);
    s.insert("broker_cores".into(), u.broker_cores);
    s.insert("client_cores".into(), u.client_cores);
    s.insert("machine_cores".into(), u.machine_cores);
    let tool: Vec<f64> = report_lines(&text, " TPS: ")
        .iter()
        .filter_map(|l| num_after(l, " TPS:"))
        .collect();
    if let Some(m) = tool.iter().cloned().reduce(f64::max) {
        s.insert("tool_tps_max".into(), m);
    }
    Ok(s)
}

/// A live stream: rmq.bench.Consumer, then rmq.bench.Producer (`--live-threads` threads,
/// 1 KiB); born-to-consume and store-to-consume latency from the consumer's reports.
fn live_once(opts: &Opts, flavor: Flavor) -> Result<Sample> {
    let store = new_temp_dir("bench-store-")?;
    let c = Cluster::start(flavor, store.path(), &[])?;
    let mut brpc = Rpc::new(&c.broker_addr());
    create_topic(&mut brpc, CTOPIC, 4)?;
    wait_routed(&c, CTOPIC)?;
    let bpid = c.broker.pid();
    let ns = c.ns_addr();
    let cargs: Vec<String> = ["-t", CTOPIC, "-g", "benchmark_live", "-n", &ns]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let consumer = spawn_tool("Consumer", &cargs)?;
    consumer.wait_for_log("Consumer Started", Duration::from_secs(60))?;
    std::thread::sleep(Duration::from_secs(2));
    let threads = opts.live_threads.to_string();
    let pargs: Vec<String> = ["-t", CTOPIC, "-w", &threads, "-s", "1024", "-n", &ns]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let producer = spawn_tool("Producer", &pargs)?;
    let key = "AVG(B2C)";
    // the first report with traffic in it is the warm-up
    let t0 = Instant::now();
    let first = loop {
        let text = consumer.log_text();
        let r = report_lines(&text, key);
        if let Some(i) = r
            .iter()
            .position(|l| num_after(l, " TPS:").unwrap_or(0.0) > 0.0)
        {
            break i;
        }
        if t0.elapsed() > Duration::from_secs(90)
            || !consumer.is_running()
            || !producer.is_running()
        {
            bail!(
                "no consumer traffic:\n{}\n{}",
                consumer.log_tail(20),
                producer.log_tail(20)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let n = opts.reports();
    let s0 = CpuSnap::take(bpid, Some(producer.pid()));
    wait_reports(
        &consumer,
        key,
        first + 1 + n,
        Duration::from_secs(30 + 15 * n as u64),
    )?;
    let s1 = CpuSnap::take(bpid, Some(producer.pid()));
    let text = consumer.log_text();
    producer.kill9();
    consumer.kill9();
    drop(c);
    let r: Vec<&str> = report_lines(&text, key)
        .into_iter()
        .skip(first + 1)
        .take(n)
        .collect();
    let tps: Vec<f64> = r.iter().filter_map(|l| num_after(l, " TPS:")).collect();
    let wsum: f64 = tps.iter().sum();
    if wsum <= 0.0 {
        bail!("no traffic in the measured reports:\n{}", r.join("\n"));
    }
    let wavg = |k: &str| -> f64 {
        r.iter()
            .zip(&tps)
            .filter_map(|(l, t)| num_after(l, k).map(|v| v * t))
            .sum::<f64>()
            / wsum
    };
    let maxof = |k: &str| -> f64 { r.iter().filter_map(|l| num_after(l, k)).fold(0.0, f64::max) };
    let u = cpu_use(&s0, &s1);
    let mut s = Sample::new();
    s.insert("tps".into(), wsum / tps.len() as f64);
    s.insert("b2c_avg_ms".into(), wavg("AVG(B2C) RT(ms):"));
    s.insert("s2c_avg_ms".into(), wavg("AVG(S2C) RT(ms):"));
    s.insert("b2c_max_ms".into(), maxof("MAX(B2C) RT(ms):"));
    s.insert("s2c_max_ms".into(), maxof("MAX(S2C) RT(ms):"));
    s.insert("broker_cores".into(), u.broker_cores);
    s.insert("machine_cores".into(), u.machine_cores);
    Ok(s)
}

// ------------------------------------------------------------------------------ start-up rows

fn ready_once(flavor: Flavor, store: &Path, graceful_stop: bool) -> Result<Sample> {
    let ns = start_namesrv(flavor)?;
    std::thread::sleep(Duration::from_millis(500));
    let t0 = Instant::now();
    let b = spawn_broker(flavor, &ns.addr(), store, &[])?;
    let ready = wait_ready(&b, &ns.addr(), t0, Duration::from_secs(300))?;
    std::thread::sleep(Duration::from_secs(1));
    let rss = rss_anon_mib(b.pid()).unwrap_or(f64::NAN);
    if graceful_stop {
        let st = b.proc.terminate()?;
        // the JVM exits with 128 + SIGTERM after its shutdown hooks
        if !st.success() && st.code().is_some() && st.code() != Some(143) {
            eprintln!("note: {} exited with {st} after SIGTERM", b.proc.name());
        }
    }
    drop(b);
    let mut s = Sample::new();
    s.insert("ready_ms".into(), ready.as_secs_f64() * 1e3);
    s.insert("rss_idle_mib".into(), rss);
    Ok(s)
}

// ------------------------------------------------------------------------------ the run

pub fn run(opts: &Opts) -> Result<()> {
    let t0 = Instant::now();
    let wants_java = opts.flavors.contains(&Flavor::Java);
    let wants_clients = SEND_ROWS.iter().any(|r| opts.wants(r.id))
        || opts.wants("consume-backlog")
        || opts.wants("live-stream");
    if wants_java || wants_clients {
        ensure_java_built()?;
    }
    let jv = java_version(&java_exe());
    let machine = machine_line(&jv);
    let load_start = loadavg();
    eprintln!("{} machine: {machine}; load {:?}", now_s(t0), load_start);
    let work = new_temp_dir("broker-bench-")?;
    let mut rows: Vec<RowResult> = Vec::new();
    let mut loads: Vec<f64> = vec![load_start[0]];

    // the machine's limits
    let mut dd = None;
    if opts.wants("machine") || opts.wants("put-path") {
        let mut row = RowResult::new("machine", "machine limits (same run)");
        let d = dd_write_mb_s(work.path(), opts.dd_mib)?;
        let lo = loopback_mb_s(Duration::from_secs(2))?;
        eprintln!("{} dd {d:.0} MB/s, loopback {lo:.0} MB/s", now_s(t0));
        dd = Some(d);
        let mut s = Sample::new();
        s.insert("dd_mb_s".into(), d);
        s.insert("loopback_mb_s".into(), lo);
        row.samples.insert("machine", vec![s]);
        row.lines.push(Line::new(
            &format!("seq. write MB/s (dd {} MiB, fdatasync)", opts.dd_mib),
            Some(d),
            None,
            Fmt::Int,
            None,
        ));
        row.lines.push(Line::new(
            "loopback TCP MB/s (1 conn)",
            Some(lo),
            None,
            Fmt::Int,
            None,
        ));
        rows.push(row);
    }
    if opts.wants("put-path") && opts.flavors.contains(&Flavor::Rmq) {
        let mut row = RowResult::new(
            "put-path",
            "store put path, ASYNC_FLUSH, in-process, 1 KiB, 2 threads, until fdatasync'd",
        );
        let dir = new_temp_dir("bench-put-")?;
        let p = put_messages(
            dir.path(),
            "PutPath",
            4,
            1024,
            u64::MAX,
            opts.put_mib << 20,
            cores(),
        )?;
        drop(dir);
        let mut s = Sample::new();
        s.insert("mb_s".into(), p.mb_s());
        s.insert("msgs_per_s".into(), p.messages as f64 / p.secs);
        eprintln!(
            "{} put path {:.0} MB/s ({:.0} msg/s)",
            now_s(t0),
            p.mb_s(),
            p.messages as f64 / p.secs
        );
        row.samples.insert("rmq", vec![s]);
        let mut l = Line::new(
            "put MB/s (ours; dd/put ratio)",
            Some(p.mb_s()),
            None,
            Fmt::Int,
            Some(Target::RatioAtMost(2.0)),
        );
        if let Some(d) = dd {
            l.ratio = Some((d / p.mb_s(), "dd/put".into()));
        }
        row.lines.push(l);
        rows.push(row);
    }

    for spec in SEND_ROWS {
        if !opts.wants(spec.id) {
            continue;
        }
        let mut row = RowResult::new(spec.id, spec.title);
        alternate(opts, &mut row, t0, |f| send_once(opts, f, spec));
        loads.push(loadavg()[0]);
        row.line(
            "TPS (msgs stored / s)",
            "tps",
            Fmt::Int,
            Some(Target::RatioAtLeast(spec.tps_target)),
        );
        let rt = if spec.class == "BatchProducer" {
            "avg RT ms (per batch)"
        } else {
            "avg RT ms"
        };
        row.line(rt, "avg_rt_ms", Fmt::Ms, Some(Target::RatioAtMost(1.0)));
        row.line(
            "max RT ms",
            "max_rt_ms",
            Fmt::Int,
            Some(Target::RatioAtMost(0.5)),
        );
        row.line(
            "broker CPU s / M msgs",
            "cpu_s_per_m",
            Fmt::Dec1,
            Some(Target::RatioAtMost(0.25)),
        );
        row.line(
            "broker RssAnon MiB, max under load",
            "rss_load_mib",
            Fmt::Dec1,
            if spec.id == "send-1k-32t" {
                Some(Target::RatioAtMost(0.1))
            } else {
                None
            },
        );
        if spec.id == "send-1k-32t" {
            row.line(
                "broker RssAnon MiB, idle (1 s after ready)",
                "rss_idle_mib",
                Fmt::Dec1,
                None,
            );
        }
        row.line("cores used: broker", "broker_cores", Fmt::Ms, None);
        row.line("cores used: client JVM", "client_cores", Fmt::Ms, None);
        row.line("cores used: whole machine", "machine_cores", Fmt::Ms, None);
        rows.push(row);
    }

    if opts.wants("consume-backlog") {
        let mut row = RowResult::new(
            "consume-backlog",
            "consume: drain a backlog of 1 KiB messages (Consumer, 20 threads, 4 queues)",
        );
        row.title = format!(
            "consume: drain a backlog of {} x 1 KiB (Consumer, 20 threads, 4 queues; rate 10%..90%)",
            opts.backlog
        );
        alternate(opts, &mut row, t0, |f| consume_once(opts, f));
        loads.push(loadavg()[0]);
        row.line("consume TPS", "tps", Fmt::Int, None);
        row.line(
            "broker CPU s / M msgs",
            "cpu_s_per_m",
            Fmt::Dec1,
            Some(Target::RatioAtMost(1.0 / 3.0)),
        );
        row.line("broker RssAnon MiB, max", "rss_load_mib", Fmt::Dec1, None);
        row.line("cores used: broker", "broker_cores", Fmt::Ms, None);
        row.line("cores used: client JVM", "client_cores", Fmt::Ms, None);
        rows.push(row);
    }

    if opts.wants("live-stream") {
        let mut row = RowResult::new("live-stream", "");
        row.title = format!(
            "live stream: Producer -w {} -s 1024 while Consumer consumes (latency per the Consumer)",
            opts.live_threads
        );
        alternate(opts, &mut row, t0, |f| live_once(opts, f));
        loads.push(loadavg()[0]);
        row.line("consume TPS", "tps", Fmt::Int, None);
        row.line("avg B2C ms (born -> consumed)", "b2c_avg_ms", Fmt::Ms, None);
        row.line(
            "avg S2C ms (stored -> consumed)",
            "s2c_avg_ms",
            Fmt::Ms,
            None,
        );
        row.line("max B2C ms", "b2c_max_ms", Fmt::Int, None);
        row.line("max S2C ms", "s2c_max_ms", Fmt::Int, None);
        rows.push(row);
    }

    if opts.wants("ready-empty") {
        let mut row = RowResult::new(
            "ready-empty",
            "start -> ready (port accepting + registered), empty store",
        );
        let mut i = 0;
        let o2 = Opts {
            rounds: opts.ready_repeats,
            rows: None,
            json: opts.json.clone(),
            flavors: opts.flavors.clone(),
            ..*opts
        };
        alternate(&o2, &mut row, t0, |f| {
            i += 1;
            let st = work.path().join(format!("empty-{i}"));
            let r = ready_once(f, &st, false);
            let _ = std::fs::remove_dir_all(&st);
            r
        });
        row.line(
            "ready ms",
            "ready_ms",
            Fmt::Ms,
            Some(Target::RmqBelow(100.0)),
        );
        row.line(
            "RssAnon MiB 1 s after ready",
            "rss_idle_mib",
            Fmt::Dec1,
            None,
        );
        rows.push(row);
    }

    if opts.wants("ready-big") && opts.big_store_gib > 0.0 {
        let mut row = RowResult::new("ready-big", "");
        let st = work.path().join("big");
        let bytes = (opts.big_store_gib * (1u64 << 30) as f64) as u64;
        eprintln!("{} writing a {} GiB store", now_s(t0), opts.big_store_gib);
        let g = put_messages(&st, TOPIC, 4, 1024, u64::MAX, bytes, 2)?;
        row.title = format!(
            "start -> ready on a {:.1} GiB store ({} msgs, cleanly shut down; page cache warm)",
            g.bytes as f64 / (1u64 << 30) as f64,
            g.messages
        );
        let o2 = Opts {
            rounds: opts.ready_repeats,
            rows: None,
            json: opts.json.clone(),
            flavors: opts.flavors.clone(),
            ..*opts
        };
        alternate(&o2, &mut row, t0, |f| ready_once(f, &st, true));
        let _ = std::fs::remove_dir_all(&st);
        row.line("ready ms", "ready_ms", Fmt::Ms, None);
        rows.push(row);
    }

    let load_end = loadavg();
    loads.push(load_end[0]);
    let header = Header {
        machine,
        load_start,
        load_end,
        load_min: loads.iter().cloned().fold(f64::INFINITY, f64::min),
        load_max: loads.iter().cloned().fold(0.0, f64::max),
        secs: t0.elapsed().as_secs_f64(),
    };
    let table = render(opts, &header, &rows);
    println!("{table}");
    let j = to_json(opts, &header, &rows, &table);
    if let Some(p) = opts.json.parent() {
        std::fs::create_dir_all(p)?;
    }
    std::fs::write(&opts.json, serde_json::to_string_pretty(&j)?)?;
    eprintln!("JSON written to {}", opts.json.display());
    Ok(())
}

struct Header {
    machine: String,
    load_start: [f64; 3],
    load_end: [f64; 3],
    load_min: f64,
    load_max: f64,
    secs: f64,
}

fn fmt_val(v: Option<f64>, f: Fmt) -> String {
    match v {
        None => "-".into(),
        Some(x) if !x.is_finite() => "-".into(),
        Some(x) => match f {
            Fmt::Int => thousands(x.round() as i64),
            Fmt::Ms => format!("{x:.3}"),
            Fmt::Dec1 => format!("{x:.1}"),
        },
    }
}

fn thousands(v: i64) -> String {
    let s = v.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0 {
        format!("-{out}")
    } else {
        out
    }
}

fn render(opts: &Opts, h: &Header, rows: &[RowResult]) -> String {
    let mut s = String::new();
    s.push_str("rmq (ours) vs Apache RocketMQ 4.9.7 (Java): namesrv + broker on this machine, same workload, alternating\n");
    s.push_str(&format!("machine: {}\n", h.machine));
    s.push_str(&format!(
        "load average: start {:.2} {:.2} {:.2}, end {:.2} {:.2} {:.2}; 1-min load between rows {:.2}..{:.2}; run took {:.0} s\n",
        h.load_start[0], h.load_start[1], h.load_start[2], h.load_end[0], h.load_end[1], h.load_end[2],
        h.load_min, h.load_max, h.secs
    ));
    s.push_str(&format!(
        "Java broker: runbroker.sh JDK9+ options, JAVA_OPT_EXT=\"{}\" (namesrv \"{}\"); clients: rmq.bench load tools (4.9.7 client), {}\n",
        JAVA_BROKER_HEAP.join(" "),
        JAVA_NAMESRV_HEAP.join(" "),
        CLIENT_JVM.join(" ")
    ));
    s.push_str(&format!(
        "both brokers ASYNC_FLUSH unless the row says SYNC_FLUSH; {} s measured per row and flavor after a warm-up (the tool's first 10 s report); {} round(s), medians\n\n",
        opts.reports() * 10,
        opts.rounds
    ));
    let w = [46usize, 12, 12, 9, 10, 4];
    s.push_str(&format!(
        "{:<w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$} {:>w5$}\n",
        "metric",
        "rmq",
        "java",
        "rmq/java",
        "target",
        "met",
        w0 = w[0],
        w1 = w[1],
        w2 = w[2],
        w3 = w[3],
        w4 = w[4],
        w5 = w[5]
    ));
    s.push_str(&format!("{}\n", "-".repeat(w.iter().sum::<usize>() + 5)));
    for r in rows {
        s.push_str(&format!("[{}] {}\n", r.id, r.title));
        for e in &r.errors {
            s.push_str(&format!("  ERROR {}\n", e.lines().next().unwrap_or("")));
        }
        for l in &r.lines {
            let ratio = match (&l.ratio, l.ratio()) {
                (Some((v, name)), _) => format!("{name} {v:.2}"),
                (None, Some(v)) => format!("{v:.2}"),
                (None, None) => "-".into(),
            };
            let met = match l.met() {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "",
            };
            s.push_str(&format!(
                "  {:<w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$} {:>w5$}\n",
                l.label,
                fmt_val(l.rmq, l.fmt),
                fmt_val(l.java, l.fmt),
                ratio,
                l.target_text(),
                met,
                w0 = w[0] - 2,
                w1 = w[1],
                w2 = w[2],
                w3 = w[3],
                w4 = w[4],
                w5 = w[5]
            ));
        }
    }
    let (mut met, mut missed) = (0, Vec::new());
    for r in rows {
        for l in &r.lines {
            match l.met() {
                Some(true) => met += 1,
                Some(false) => missed.push(format!("{}: {}", r.id, l.label)),
                None => {}
            }
        }
    }
    s.push_str(&format!("\ntargets met: {met}, missed: {}\n", missed.len()));
    for m in missed {
        s.push_str(&format!("  missed: {m}\n"));
    }
    s
}

fn to_json(opts: &Opts, h: &Header, rows: &[RowResult], table: &str) -> Value {
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            let lines: Vec<Value> = r
                .lines
                .iter()
                .map(|l| {
                    json!({
                        "metric": l.label,
                        "rmq": l.rmq,
                        "java": l.java,
                        "ratio": l.ratio(),
                        "target": l.target_text(),
                        "met": l.met(),
                    })
                })
                .collect();
            json!({
                "id": r.id,
                "title": r.title,
                "metrics": lines,
                "samples": r.samples,
                "errors": r.errors,
            })
        })
        .collect();
    json!({
        "machine": h.machine,
        "load_start": h.load_start,
        "load_end": h.load_end,
        "load_min": h.load_min,
        "load_max": h.load_max,
        "run_seconds": h.secs,
        "options": {
            "measure_seconds": opts.reports() * 10,
            "rounds": opts.rounds,
            "backlog": opts.backlog,
            "big_store_gib": opts.big_store_gib,
            "ready_repeats": opts.ready_repeats,
            "live_threads": opts.live_threads,
            "java_broker_heap": JAVA_BROKER_HEAP.join(" "),
            "java_namesrv_heap": JAVA_NAMESRV_HEAP.join(" "),
            "client_jvm": CLIENT_JVM.join(" "),
        },
        "rows": rows,
        "table": table,
    })
}
