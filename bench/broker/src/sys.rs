//! Machine facts and per-process figures from /proc, plus the machine's own limits
//! (sequential write bandwidth with `dd ... conv=fdatasync`, loopback TCP bandwidth).

use anyhow::{anyhow, bail, Context, Result};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn clk_tck() -> f64 {
    // SAFETY: plain libc call.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as f64
    } else {
        100.0
    }
}

/// user+sys CPU seconds of one process (all its threads), from /proc/<pid>/stat.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // fields after the command name (which may contain spaces) start at field 3 (state)
    let rest = &s[s.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / clk_tck())
}

/// A value in kB from /proc/<pid>/status (`RssAnon`, `VmRSS`, `VmHWM`...).
pub fn status_kib(pid: u32, key: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with(key) && l[key.len()..].starts_with(':'))
        .and_then(|l| l[key.len() + 1..].split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// Anonymous resident memory (heap, stacks, JVM metaspace...; not the mapped store files).
pub fn rss_anon_mib(pid: u32) -> Option<f64> {
    status_kib(pid, "RssAnon").map(|k| k as f64 / 1024.0)
}

/// (busy, total) jiffies of the whole machine from /proc/stat.
pub fn machine_jiffies() -> (u64, u64) {
    let s = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let line = s.lines().next().unwrap_or("");
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let total: u64 = v.iter().take(8).sum();
    let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
    (total.saturating_sub(idle), total)
}

/// 1/5/15-minute load averages.
pub fn loadavg() -> [f64; 3] {
    let s = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let v: Vec<f64> = s
        .split_whitespace()
        .take(3)
        .filter_map(|x| x.parse().ok())
        .collect();
    [
        v.first().copied().unwrap_or(0.0),
        v.get(1).copied().unwrap_or(0.0),
        v.get(2).copied().unwrap_or(0.0),
    ]
}

pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// One line describing the machine.
pub fn machine_line(java_version: &str) -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let mem_kib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        })
        .unwrap_or(0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    format!(
        "{} cores ({model}), {:.1} GiB RAM, Linux {kernel}, {java_version}",
        cores(),
        mem_kib as f64 / 1024.0 / 1024.0
    )
}

/// `java -version` first line.
pub fn java_version(java: &Path) -> String {
    Command::new(java)
        .arg("-version")
        .output()
        .ok()
        .map(|o| {
            let t = String::from_utf8_lossy(&o.stderr).into_owned();
            t.lines().next().unwrap_or("").trim().to_string()
        })
        .unwrap_or_else(|| "java: unknown".into())
}

/// Sequential write bandwidth of the store's file system: `dd if=/dev/zero bs=1M
/// count=<mib> conv=fdatasync` (MB/s, 10^6 bytes, as dd prints it).
pub fn dd_write_mb_s(dir: &Path, mib: u64) -> Result<f64> {
    let file = dir.join("dd-bandwidth.tmp");
    let out = Command::new("dd")
        .arg("if=/dev/zero")
        .arg(format!("of={}", file.display()))
        .arg("bs=1M")
        .arg(format!("count={mib}"))
        .arg("conv=fdatasync")
        .output()
        .context("run dd")?;
    let _ = std::fs::remove_file(&file);
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        bail!("dd failed: {text}");
    }
    // "1073741824 bytes (1.1 GB, 1.0 GiB) copied, 1.23456 s, 870 MB/s"
    let line = text
        .lines()
        .find(|l| l.contains(" copied, "))
        .ok_or_else(|| anyhow!("unexpected dd output: {text}"))?;
    let bytes: f64 = line
        .split_whitespace()
        .next()
        .and_then(|b| b.parse().ok())
        .ok_or_else(|| anyhow!("unexpected dd output: {line}"))?;
    let secs: f64 = line
        .split(" copied, ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|s| s.replace(',', ".").parse().ok())
        .ok_or_else(|| anyhow!("unexpected dd output: {line}"))?;
    Ok(bytes / secs / 1e6)
}

/// Loopback TCP bandwidth (MB/s): one connection, 256 KiB writes for `dur`.
pub fn loopback_mb_s(dur: Duration) -> Result<f64> {
    let l = TcpListener::bind("127.0.0.1:0")?;
    let addr = l.local_addr()?;
    let stop = Arc::new(AtomicBool::new(false));
    let got = Arc::new(AtomicU64::new(0));
    let reader = {
        let got = got.clone();
        std::thread::spawn(move || -> std::io::Result<()> {
            let (mut s, _) = l.accept()?;
            let mut buf = vec![0u8; 1 << 20];
            loop {
                let n = s.read(&mut buf)?;
                if n == 0 {
                    return Ok(());
                }
                got.fetch_add(n as u64, Ordering::Relaxed);
            }
        })
    };
    let mut s = TcpStream::connect(addr)?;
    let buf = vec![0x5au8; 256 * 1024];
    let writer = {
        let stop = stop.clone();
        std::thread::spawn(move || -> std::io::Result<()> {
            while !stop.load(Ordering::Relaxed) {
                s.write_all(&buf)?;
            }
            Ok(())
        })
    };
    // skip the first 200 ms (slow start, thread start-up)
    std::thread::sleep(Duration::from_millis(200));
    let b0 = got.load(Ordering::Relaxed);
    let t0 = Instant::now();
    std::thread::sleep(dur);
    let b1 = got.load(Ordering::Relaxed);
    let secs = t0.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let _ = writer.join();
    let _ = reader.join();
    Ok((b1 - b0) as f64 / secs / 1e6)
}

/// Samples a process's RssAnon in the background and keeps the maximum.
pub struct RssSampler {
    stop: Arc<AtomicBool>,
    max_kib: Arc<AtomicU64>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl RssSampler {
    pub fn start(pid: u32, every: Duration) -> RssSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let max_kib = Arc::new(AtomicU64::new(0));
        let handle = {
            let (stop, max_kib) = (stop.clone(), max_kib.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if let Some(k) = status_kib(pid, "RssAnon") {
                        max_kib.fetch_max(k, Ordering::Relaxed);
                    }
                    std::thread::sleep(every);
                }
            })
        };
        RssSampler {
            stop,
            max_kib,
            handle: Some(handle),
        }
    }

    /// Forget the maximum so far (e.g. at the end of a warm-up).
    pub fn reset(&self) {
        self.max_kib.store(0, Ordering::Relaxed);
    }

    pub fn max_mib(&self) -> f64 {
        self.max_kib.load(Ordering::Relaxed) as f64 / 1024.0
    }
}

impl Drop for RssSampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// CPU of the broker, the client and the whole machine at one instant.
#[derive(Debug, Clone, Copy)]
pub struct CpuSnap {
    pub at: Instant,
    pub broker: f64,
    pub client: f64,
    pub machine_busy: u64,
    pub machine_total: u64,
}

impl CpuSnap {
    pub fn take(broker: u32, client: Option<u32>) -> CpuSnap {
        let (busy, total) = machine_jiffies();
        CpuSnap {
            at: Instant::now(),
            broker: cpu_seconds(broker).unwrap_or(f64::NAN),
            client: client.and_then(cpu_seconds).unwrap_or(0.0),
            machine_busy: busy,
            machine_total: total,
        }
    }
}

/// Utilisation between two snapshots, in cores (1.0 = one core fully busy).
#[derive(Debug, Clone, Copy)]
pub struct CpuUse {
    pub secs: f64,
    pub broker_cpu_s: f64,
    pub broker_cores: f64,
    pub client_cores: f64,
    pub machine_cores: f64,
}

pub fn cpu_use(a: &CpuSnap, b: &CpuSnap) -> CpuUse {
    let secs = b.at.duration_since(a.at).as_secs_f64().max(1e-9);
    let total = (b.machine_total - a.machine_total).max(1) as f64;
    let busy = (b.machine_busy - a.machine_busy) as f64;
    CpuUse {
        secs,
        broker_cpu_s: b.broker - a.broker,
        broker_cores: (b.broker - a.broker) / secs,
        client_cores: (b.client - a.client) / secs,
        machine_cores: busy / total * cores() as f64,
    }
}
