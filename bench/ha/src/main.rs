//! `ha-bench`: replication figures of a master/slave pair, ours (mqnamesrv + 2 × mqbroker)
//! vs Java 4.9.7 (NamesrvStartup + 2 × BrokerStartup), driven by the unmodified 4.9.7
//! benchmark `Producer` (`-w <threads> -s <size>`, sync sends):
//!
//! * `sync`: SYNC_MASTER pair — send TPS (messages stored on the master per second, from
//!   GET_MAX_OFFSET) and the tool's average RT;
//! * `async`: ASYNC_MASTER pair — send TPS and the replication lag, sampled every 100 ms as
//!   master commitLogMaxOffset − slave commitLogMaxOffset (GET_BROKER_RUNTIME_INFO): mean,
//!   p99 and max in bytes, plus the time the slave needs to catch up once the producer stops.
//!
//! See README.md for usage and results.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use compat_tests::*;
use protocol::body::{JsonBody, KVTable};
use protocol::code::{request as rc, response};
use protocol::net::RemotingClient;
use protocol::RemotingCommand;

const TOPIC: &str = "HaBenchTopic";
const QUEUES: i32 = 8;

struct Opts {
    seconds: u64,
    warmup: u64,
    threads: u32,
    size: u32,
    flavors: Vec<Flavor>,
    modes: Vec<String>,
}

fn parse() -> Result<Opts> {
    let mut o = Opts {
        seconds: 20,
        warmup: 10,
        threads: 8,
        size: 1024,
        flavors: vec![Flavor::Rmq, Flavor::Java],
        modes: vec!["sync".into(), "async".into()],
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let v = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--seconds" => o.seconds = v.parse()?,
            "--warmup" => o.warmup = v.parse()?,
            "--threads" => o.threads = v.parse()?,
            "--size" => o.size = v.parse()?,
            "--only" => {
                o.flavors = match v.as_str() {
                    "rmq" => vec![Flavor::Rmq],
                    "java" => vec![Flavor::Java],
                    _ => bail!("--only rmq|java"),
                }
            }
            "--modes" => o.modes = v.split(',').map(str::to_string).collect(),
            "-h" | "--help" => {
                println!("ha-bench [--seconds 20] [--warmup 10] [--threads 8] [--size 1024] [--only rmq|java] [--modes sync,async]");
                std::process::exit(0);
            }
            other => bail!("unknown option {other}"),
        }
        i += 2;
    }
    Ok(o)
}

struct Rpc {
    rt: tokio::runtime::Runtime,
    c: RemotingClient,
}

impl Rpc {
    fn new() -> Result<Rpc> {
        Ok(Rpc {
            rt: tokio::runtime::Builder::new_current_thread().enable_all().build()?,
            c: RemotingClient::new(),
        })
    }

    fn call(&self, addr: &str, cmd: RemotingCommand) -> Result<RemotingCommand> {
        Ok(self.rt.block_on(self.c.invoke(addr, cmd, Duration::from_secs(5)))?)
    }

    fn phy_offset(&self, addr: &str) -> Result<i64> {
        let r = self.call(addr, RemotingCommand::request(rc::GET_BROKER_RUNTIME_INFO))?;
        if r.code != response::SUCCESS {
            bail!("runtime info: {} {:?}", r.code, r.remark);
        }
        let kv = KVTable::decode(r.body_bytes())?;
        kv.table
            .get("commitLogMaxOffset")
            .and_then(|v| v.parse().ok())
            .context("no commitLogMaxOffset")
    }

    fn stored(&self, addr: &str) -> Result<i64> {
        let mut total = 0;
        for q in 0..QUEUES {
            let mut cmd = RemotingCommand::request(rc::GET_MAX_OFFSET);
            cmd.set_ext("topic", TOPIC);
            cmd.set_ext("queueId", q.to_string());
            let r = self.call(addr, cmd)?;
            if r.code == response::SUCCESS {
                total += r.ext("offset").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
            }
        }
        Ok(total)
    }
}

struct Row {
    flavor: Flavor,
    mode: String,
    tps: f64,
    tool_rt_ms: Option<f64>,
    lag_mean: f64,
    lag_p99: f64,
    lag_max: f64,
    catch_up_ms: Option<u128>,
}

fn num_after(line: &str, key: &str) -> Option<f64> {
    let i = line.find(key)?;
    let rest = line[i + key.len()..].trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

fn run(o: &Opts, flavor: Flavor, mode: &str) -> Result<Row> {
    let role = if mode == "sync" { "SYNC_MASTER" } else { "ASYNC_MASTER" };
    eprintln!("== {} {role}", flavor.name());
    let ns = Namesrv::start(flavor)?;
    let master = Broker::start(flavor, &ns.addr(), &[("brokerName", "bench-ha"), ("brokerRole", role)])?;
    let slave = Broker::start(
        flavor,
        &ns.addr(),
        &[("brokerName", "bench-ha"), ("brokerRole", "SLAVE"), ("brokerId", "1")],
    )?;
    let q = QUEUES.to_string();
    let out = mqadmin(&ns.addr(), &["updateTopic", "-b", &master.addr(), "-t", TOPIC, "-r", &q, "-w", &q])?;
    if !out.contains("create topic to") {
        bail!("updateTopic:\n{out}");
    }
    // a Java slave reports 5 s after connecting
    std::thread::sleep(Duration::from_secs(8));
    let rpc = Rpc::new()?;
    let args = [
        "-t".to_string(),
        TOPIC.to_string(),
        "-w".to_string(),
        o.threads.to_string(),
        "-s".to_string(),
        o.size.to_string(),
        "-n".to_string(),
        ns.addr(),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let tool = spawn_java_client(&ns.addr(), examples::BENCHMARK_PRODUCER, &args)?;
    std::thread::sleep(Duration::from_secs(o.warmup));
    let t0 = Instant::now();
    let m0 = rpc.stored(&master.addr())?;
    let mut lags = Vec::new();
    while t0.elapsed() < Duration::from_secs(o.seconds) {
        if mode == "async" {
            if let (Ok(m), Ok(s)) = (rpc.phy_offset(&master.addr()), rpc.phy_offset(&slave.addr())) {
                lags.push((m - s).max(0) as f64);
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let m1 = rpc.stored(&master.addr())?;
    let secs = t0.elapsed().as_secs_f64();
    let text = tool.log_text();
    tool.kill9();
    let stop = Instant::now();
    let mut catch_up = None;
    if mode == "async" {
        while stop.elapsed() < Duration::from_secs(30) {
            if let (Ok(m), Ok(s)) = (rpc.phy_offset(&master.addr()), rpc.phy_offset(&slave.addr())) {
                if m == s {
                    catch_up = Some(stop.elapsed().as_millis());
                    break;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let rts: Vec<f64> = text
        .lines()
        .filter_map(|l| num_after(l, "Average RT:"))
        .collect();
    let tool_rt_ms = (!rts.is_empty()).then(|| rts.iter().sum::<f64>() / rts.len() as f64);
    lags.sort_by(|a, b| a.total_cmp(b));
    let pick = |p: f64| -> f64 {
        if lags.is_empty() {
            return f64::NAN;
        }
        lags[((lags.len() - 1) as f64 * p) as usize]
    };
    let mean = if lags.is_empty() { f64::NAN } else { lags.iter().sum::<f64>() / lags.len() as f64 };
    Ok(Row {
        flavor,
        mode: mode.to_string(),
        tps: (m1 - m0) as f64 / secs,
        tool_rt_ms,
        lag_mean: mean,
        lag_p99: pick(0.99),
        lag_max: pick(1.0),
        catch_up_ms: catch_up,
    })
}

fn main() -> Result<()> {
    let o = parse()?;
    let mut rows = Vec::new();
    for mode in &o.modes {
        for f in &o.flavors {
            rows.push(run(&o, *f, mode)?);
        }
    }
    println!(
        "\n{} threads, {} B messages, {} s measured after {} s warm-up\n",
        o.threads, o.size, o.seconds, o.warmup
    );
    println!("| pair | role | send TPS | tool avg RT ms | lag mean B | lag p99 B | lag max B | catch-up ms |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let opt = |v: f64| if v.is_nan() { "-".to_string() } else { format!("{v:.0}") };
        println!(
            "| {} | {} | {:.0} | {} | {} | {} | {} | {} |",
            r.flavor.name(),
            if r.mode == "sync" { "SYNC_MASTER" } else { "ASYNC_MASTER" },
            r.tps,
            r.tool_rt_ms.map(|v| format!("{v:.2}")).unwrap_or_else(|| "-".into()),
            opt(r.lag_mean),
            opt(r.lag_p99),
            opt(r.lag_max),
            r.catch_up_ms.map(|v| v.to_string()).unwrap_or_else(|| "-".into()),
        );
    }
    Ok(())
}
