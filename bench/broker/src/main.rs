//! `broker-bench`: the same workloads against our mqnamesrv + mqbroker and against the Java
//! 4.9.7 NamesrvStartup + BrokerStartup, in alternation (ours, Java, ours, Java...), driven by
//! our own load tools `rmq.bench.{Producer, BatchProducer, TransactionProducer, Consumer}`
//! (compat-tests/java; the 4.9.7 benchmark tools' flags and report lines, 4.9.7 client). Prints one table with both columns, the ratio and the targets, and writes the
//! same figures as JSON. See bench/broker/README.md.

mod rows;
mod rpc;
mod servers;
mod storegen;
mod sys;

use anyhow::{anyhow, bail, Result};
use servers::Flavor;
use std::path::PathBuf;

pub struct Opts {
    /// measured seconds per row and flavor (rounded up to the tools' 10 s report period)
    pub measure_secs: u64,
    pub rounds: usize,
    pub backlog: u64,
    pub big_store_gib: f64,
    pub ready_repeats: usize,
    pub live_threads: u32,
    pub dd_mib: u64,
    pub put_mib: u64,
    pub rows: Option<Vec<String>>,
    pub flavors: Vec<Flavor>,
    pub json: PathBuf,
}

impl Opts {
    pub fn reports(&self) -> usize {
        (self.measure_secs.max(1) as usize).div_ceil(10)
    }
    pub fn wants(&self, id: &str) -> bool {
        match &self.rows {
            None => true,
            Some(v) => v
                .iter()
                .any(|r| id == r || (r.ends_with('*') && id.starts_with(&r[..r.len() - 1]))),
        }
    }
}

const USAGE: &str = "broker-bench [options]
  --measure-seconds N  measured time per row and flavor, after the warm-up (default 20;
                       rounded up to the tools' 10 s report period)
  --rounds N           ours/Java alternations per row (default 1; the table shows medians)
  --backlog N          messages in the consume backlog (default 1000000)
  --big-store-gib G    size of the store for the start-up row (default 4; 0 skips the row)
  --ready-repeats N    start-ups per flavor and store (default 2)
  --live-threads N     producer threads of the live-stream row (default 4)
  --dd-mib N           size of the dd write test (default 1024)
  --put-mib N          bytes appended by the in-process put-path test (default 1024)
  --rows a,b,...       only these rows (ids below; a trailing * is a prefix match)
  --only rmq|java      run one flavor only
  --json PATH          where the JSON goes (default <target dir>/broker-bench.json)
  --quick              short run: 10 s per row, 200000 backlog, 1 GiB store, 1 repeat
rows: machine put-path send-1k-1t send-1k-32t send-128b-32t send-async-1k send-batch16-1k
      syncflush-1k-32t tx-1k-32t consume-backlog live-stream ready-empty ready-big";

fn parse_args() -> Result<Opts> {
    let target = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().and_then(|p| p.parent()).map(|p| p.to_path_buf()))
        .unwrap_or_else(|| PathBuf::from("target"));
    let mut o = Opts {
        measure_secs: 20,
        rounds: 1,
        backlog: 1_000_000,
        big_store_gib: 4.0,
        ready_repeats: 2,
        live_threads: 4,
        dd_mib: 1024,
        put_mib: 1024,
        rows: None,
        flavors: vec![Flavor::Rmq, Flavor::Java],
        json: target.join("broker-bench.json"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().ok_or_else(|| anyhow!("{flag} needs a value"));
        match flag.as_str() {
            "--measure-seconds" => o.measure_secs = val()?.parse()?,
            "--rounds" => o.rounds = val()?.parse::<usize>()?.max(1),
            "--backlog" => o.backlog = val()?.parse()?,
            "--big-store-gib" => o.big_store_gib = val()?.parse()?,
            "--ready-repeats" => o.ready_repeats = val()?.parse::<usize>()?.max(1),
            "--live-threads" => o.live_threads = val()?.parse()?,
            "--dd-mib" => o.dd_mib = val()?.parse()?,
            "--put-mib" => o.put_mib = val()?.parse()?,
            "--rows" => o.rows = Some(val()?.split(',').map(|s| s.trim().to_string()).collect()),
            "--only" => {
                o.flavors = match val()?.as_str() {
                    "rmq" => vec![Flavor::Rmq],
                    "java" => vec![Flavor::Java],
                    v => bail!("--only rmq|java, not {v}"),
                }
            }
            "--json" => o.json = PathBuf::from(val()?),
            "--quick" => {
                o.measure_secs = 10;
                o.backlog = 200_000;
                o.big_store_gib = 1.0;
                o.ready_repeats = 1;
                o.dd_mib = 512;
                o.put_mib = 512;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            f => bail!("unknown option {f}\n{USAGE}"),
        }
    }
    Ok(o)
}

fn main() {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e:#}");
            std::process::exit(2);
        }
    };
    if let Err(e) = rows::run(&opts) {
        eprintln!("broker-bench failed: {e:#}");
        std::process::exit(1);
    }
}
