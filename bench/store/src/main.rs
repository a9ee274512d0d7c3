//! Store throughput vs the disk. See README.md.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use store::{DefaultMessageStore, FlushDiskType, GetMessageStatus, MessageExtBrokerInner, MessageStoreConfig, PutMessageStatus};

const BODY: usize = 1024;
const QUEUES: i32 = 8;

struct Args {
    dir: PathBuf,
    dd_mib: u64,
    async_mib: u64,
    async_writers: usize,
    sync_seconds: u64,
}

fn args() -> Args {
    let mut a = Args {
        dir: std::env::temp_dir(),
        dd_mib: 1024,
        async_mib: 1024,
        async_writers: 4,
        sync_seconds: 5,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let v = it.next().unwrap_or_else(|| panic!("{k} needs a value"));
        match k.as_str() {
            "--dir" => a.dir = v.into(),
            "--dd-mib" => a.dd_mib = v.parse().unwrap(),
            "--async-mib" => a.async_mib = v.parse().unwrap(),
            "--async-writers" => a.async_writers = v.parse().unwrap(),
            "--sync-seconds" => a.sync_seconds = v.parse().unwrap(),
            _ => panic!("usage: store-bench [--dir D] [--dd-mib N] [--async-mib N] [--async-writers N] [--sync-seconds S]"),
        }
    }
    a
}

/// `dd ... conv=fdatasync`; returns MB/s (10^6 bytes/s) as dd reports it.
fn dd(dir: &Path, mib: u64) -> f64 {
    let f = dir.join("store-bench-dd.tmp");
    let out = Command::new("dd")
        .arg("if=/dev/zero")
        .arg(format!("of={}", f.display()))
        .args(["bs=1M", &format!("count={mib}"), "conv=fdatasync"])
        .output()
        .expect("run dd");
    let _ = std::fs::remove_file(&f);
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err.lines().last().unwrap_or_default();
    // "1073741824 bytes (1.1 GB, 1.0 GiB) copied, 2.1 s, 511 MB/s"
    let tail = line.rsplit(", ").next().unwrap_or_default();
    let mut p = tail.split(' ');
    let v: f64 = p.next().unwrap_or("0").replace(',', ".").parse().unwrap_or(0.0);
    let mult = match p.next().unwrap_or("") {
        "GB/s" => 1000.0,
        "MB/s" => 1.0,
        "kB/s" => 0.001,
        "B/s" => 0.000001,
        u => panic!("dd output not understood: {line:?} ({u})"),
    };
    eprintln!("dd: {line}");
    v * mult
}

fn config(root: &Path, flush: FlushDiskType) -> MessageStoreConfig {
    let _ = std::fs::remove_dir_all(root);
    let mut c = MessageStoreConfig::with_root(root.to_string_lossy().into_owned());
    c.flush_disk_type = flush;
    c
}

fn msg(t: usize, i: u64, body: &bytes::Bytes) -> MessageExtBrokerInner {
    let host = "127.0.0.1:10911".parse().unwrap();
    MessageExtBrokerInner {
        topic: "BenchTopic".into(),
        queue_id: ((i as usize + t) % QUEUES as usize) as i32,
        body: body.clone(),
        properties_string: format!("TAGS\u{1}TagA\u{2}UNIQ_KEY\u{1}B{t:04}{i:012}"),
        born_timestamp: 1_700_000_000_000,
        born_host: host,
        store_host: host,
        ..Default::default()
    }
}

fn open(c: MessageStoreConfig) -> Arc<DefaultMessageStore> {
    let s = Arc::new(DefaultMessageStore::open(c).expect("open store"));
    s.start().expect("start store");
    s
}

/// Run `writers` threads until `stop` says so; returns (messages, commitlog bytes).
fn run_writers(
    s: &Arc<DefaultMessageStore>,
    writers: usize,
    stop: impl Fn(u64) -> bool + Send + Sync + 'static,
) -> (u64, u64) {
    let msgs = Arc::new(AtomicU64::new(0));
    let bytes_ = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(stop);
    let done = Arc::new(AtomicBool::new(false));
    let body = bytes::Bytes::from(vec![b'x'; BODY]);
    let hs: Vec<_> = (0..writers)
        .map(|t| {
            let (s, msgs, bytes_, stop, done, body) =
                (s.clone(), msgs.clone(), bytes_.clone(), stop.clone(), done.clone(), body.clone());
            std::thread::spawn(move || {
                let mut i = 0u64;
                while !done.load(Ordering::Relaxed) {
                    let r = s.put_message_blocking(msg(t, i, &body));
                    assert_eq!(r.status, PutMessageStatus::PutOk, "put failed");
                    let b = r.append.map(|a| a.wrote_bytes as u64).unwrap_or(0);
                    msgs.fetch_add(1, Ordering::Relaxed);
                    let total = bytes_.fetch_add(b, Ordering::Relaxed) + b;
                    if stop(total) {
                        done.store(true, Ordering::Relaxed);
                    }
                    i += 1;
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    (msgs.load(Ordering::Relaxed), bytes_.load(Ordering::Relaxed))
}

fn mb(b: u64, d: Duration) -> f64 {
    b as f64 / 1e6 / d.as_secs_f64()
}

fn main() {
    let a = args();
    let root = a.dir.join(format!("store-bench-{}", std::process::id()));
    std::fs::create_dir_all(&root).unwrap();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("store-bench: dir {} , {} KiB body, {QUEUES} queues, loadavg at start: {}", root.display(), BODY / 1024, load.trim());

    let mut rows: Vec<String> = Vec::new();
    let dd_mbs = dd(&root, a.dd_mib);
    rows.push(format!("| dd bs=1M count={} conv=fdatasync | - | {dd_mbs:.0} | - | 1.00 |", a.dd_mib));

    // (b) ASYNC_FLUSH
    let adir = root.join("async");
    let s = open(config(&adir, FlushDiskType::AsyncFlush));
    let limit = a.async_mib << 20;
    let t0 = Instant::now();
    let (n, b) = run_writers(&s, a.async_writers, move |total| total >= limit);
    let put = t0.elapsed();
    s.flush();
    while s.dispatch_behind_bytes() > 0 {
        std::thread::sleep(Duration::from_millis(1));
    }
    // make it durable, like dd's fdatasync: time until the commitlog is flushed
    let flushed = t0.elapsed();
    let put_mbs = mb(b, put);
    let fl_mbs = mb(b, flushed);
    rows.push(format!(
        "| put ASYNC_FLUSH, {} writers, {} MiB (put returns) | {:.0} | {put_mbs:.0} | {:.0} | {:.2} |",
        a.async_writers, a.async_mib, n as f64 / put.as_secs_f64(), mb(n * BODY as u64, put), put_mbs / dd_mbs
    ));
    rows.push(format!(
        "| put ASYNC_FLUSH, incl. final flush + dispatch | {:.0} | {fl_mbs:.0} | {:.0} | {:.2} |",
        n as f64 / flushed.as_secs_f64(), mb(n * BODY as u64, flushed), fl_mbs / dd_mbs
    ));

    // (d) read back everything
    let t1 = Instant::now();
    let (mut got, mut rb) = (0u64, 0u64);
    for q in 0..QUEUES {
        let mut off = 0;
        loop {
            let r = s.get_message("bench", "BenchTopic", q, off, 32, 0, None).expect("get_message");
            if r.status != GetMessageStatus::Found {
                break;
            }
            got += r.messages.len() as u64;
            rb += r.buffer_total_size as u64;
            off = r.next_begin_offset;
        }
    }
    let rd = t1.elapsed();
    assert_eq!(got, n, "read back a different count");
    s.shutdown();
    drop(s);
    let _ = std::fs::remove_dir_all(&adir);

    // (c) SYNC_FLUSH
    for w in [1usize, 16, 64] {
        let d = root.join(format!("sync{w}"));
        let s = open(config(&d, FlushDiskType::SyncFlush));
        let secs = a.sync_seconds;
        let t0 = Instant::now();
        let (n, b) = run_writers(&s, w, move |_| t0.elapsed().as_secs() >= secs);
        let el = t0.elapsed();
        let m = mb(b, el);
        rows.push(format!(
            "| put SYNC_FLUSH, {w} writer(s), {secs} s | {:.0} | {m:.0} | {:.0} | {:.2} |",
            n as f64 / el.as_secs_f64(), mb(n * BODY as u64, el), m / dd_mbs
        ));
        s.shutdown();
        drop(s);
        let _ = std::fs::remove_dir_all(&d);
    }
    rows.push(format!(
        "| get_message (32/batch), all {got} msgs of the async run | {:.0} | {:.0} | {:.0} | - |",
        got as f64 / rd.as_secs_f64(), mb(rb, rd), mb(got * BODY as u64, rd)
    ));
    let _ = std::fs::remove_dir_all(&root);

    println!();
    println!("| row | msgs/s | commitlog MB/s | payload MB/s | vs dd |");
    println!("|---|---:|---:|---:|---:|");
    println!("{}", rows[0].replacen("| - | ", "| - | ", 1));
    for r in &rows[1..] {
        println!("{r}");
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("\nloadavg at end: {}", load.trim());
}
