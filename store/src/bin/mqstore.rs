//! `mqstore`: read-only inspector for a RocketMQ 4.9.x store directory (Java's or ours).
//!
//! ```text
//! mqstore verify <storeRoot> [--file-size N] [--cq-file-size N] [--no-crc]
//! mqstore dump   <storeRoot> [--topic T] [--from OFFSET] [--limit N] [--file-size N]
//! mqstore stats  <storeRoot> [--file-size N] [--cq-file-size N]
//! mqstore put    <storeRoot> [--topic T] [--count N] [--queues Q] [--body-size B]
//!                [--store-host ip:port] [--crash] [--file-size N] [--cq-file-size N]
//!                [--sync-flush] [--ack]
//! ```
//! `put --sync-flush` uses flushDiskType=SYNC_FLUSH; `put --ack` prints, after each put that
//! returned PUT_OK, `ACK <i> <queueId> <queueOffset> <physicalOffset> <size>` (line-buffered;
//! the body of message i is `<i>:` followed by `--body-size` bytes `m`).
//!
//! `verify`, `dump` and `stats` map files read-only and never modify them (no lock is taken,
//! no recovery runs). `put` opens the store for real (lock, recovery, dispatch) and appends
//! test messages; with `--crash` it exits without shutdown (abort file left, nothing flushed)
//! to exercise abnormal recovery.
//! `verify` walks every commitlog record with the CRC check (like Java recovery), reports
//! where valid data ends, and checks every consume-queue entry against the record it points
//! to (size, queue id, queue offset, tags hash).

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use memmap2::Mmap;
use protocol::message::{parse_view, tags_hash_code};
use store::commitlog::{check_message_and_return_size, DelayLevels, SCHEDULE_TOPIC};
use store::consume_queue::{CqUnit, CQ_UNIT};
use store::MessageStoreConfig;

struct Opts {
    cmd: String,
    root: PathBuf,
    file_size: usize,
    cq_file_size: usize,
    crc: bool,
    topic: Option<String>,
    from: i64,
    limit: usize,
    count: usize,
    queues: i32,
    body_size: usize,
    store_host: String,
    crash: bool,
    sync_flush: bool,
    ack: bool,
}

fn usage() -> ExitCode {
    eprintln!("usage: mqstore verify|dump|stats|put <storeRoot> [--file-size N] [--cq-file-size N] [--no-crc] [--topic T] [--from OFFSET] [--limit N] [--count N] [--queues Q] [--body-size B] [--store-host ip:port] [--crash] [--sync-flush] [--ack]");
    ExitCode::from(2)
}

fn parse_args() -> Option<Opts> {
    let mut args = std::env::args().skip(1);
    let cmd = args.next()?;
    let root = PathBuf::from(args.next()?);
    let mut o = Opts {
        cmd,
        root,
        file_size: 1 << 30,
        cq_file_size: 6_000_000,
        crc: true,
        topic: None,
        from: 0,
        limit: usize::MAX,
        count: 100,
        queues: 4,
        body_size: 64,
        store_host: "127.0.0.1:10911".into(),
        crash: false,
        sync_flush: false,
        ack: false,
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--file-size" => o.file_size = args.next()?.parse().ok()?,
            "--cq-file-size" => o.cq_file_size = args.next()?.parse().ok()?,
            "--no-crc" => o.crc = false,
            "--topic" => o.topic = Some(args.next()?),
            "--from" => o.from = args.next()?.parse().ok()?,
            "--limit" => o.limit = args.next()?.parse().ok()?,
            "--count" => o.count = args.next()?.parse().ok()?,
            "--queues" => o.queues = args.next()?.parse().ok()?,
            "--body-size" => o.body_size = args.next()?.parse().ok()?,
            "--store-host" => o.store_host = args.next()?,
            "--crash" => o.crash = true,
            "--sync-flush" => o.sync_flush = true,
            "--ack" => o.ack = true,
            _ => return None,
        }
    }
    Some(o)
}

struct MappedRo {
    from: i64,
    name: String,
    map: Mmap,
}

fn map_dir(dir: &Path) -> Vec<MappedRo> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut paths: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    for p in paths {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Ok(from) = name.parse::<i64>() else {
            eprintln!("warning: stray file {}", p.display());
            continue;
        };
        let map = match File::open(&p).and_then(|f| unsafe { Mmap::map(&f) }) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("warning: cannot map {}: {e}", p.display());
                continue;
            }
        };
        out.push(MappedRo { from, name, map });
    }
    out
}

/// Walk the commitlog like Java recovery (from the first file). Returns the records and the
/// end of valid data, plus a description of what stopped the walk.
fn walk_commitlog(
    files: &[MappedRo],
    crc: bool,
    delay: &DelayLevels,
    mut visit: impl FnMut(i64, &[u8]),
) -> (usize, i64, String) {
    let mut count = 0;
    let Some(first) = files.first() else {
        return (0, 0, "no commitlog files".into());
    };
    let mut end = first.from;
    for (i, f) in files.iter().enumerate() {
        if i > 0 && f.from != end && end != files[i - 1].from + files[i - 1].map.len() as i64 {
            return (count, end, format!("gap before file {}", f.name));
        }
        let mut pos = 0usize;
        loop {
            let req = check_message_and_return_size(&f.map[pos..], crc, true, delay);
            if req.success && req.msg_size > 0 {
                let size = req.msg_size as usize;
                visit(f.from + pos as i64, &f.map[pos..pos + size]);
                count += 1;
                pos += size;
            } else if req.success {
                end = f.from + f.map.len() as i64;
                break;
            } else {
                let why = if pos + 8 <= f.map.len() && f.map[pos..pos + 8].iter().all(|b| *b == 0) {
                    "end of data (zeros)".to_string()
                } else {
                    format!("invalid record (size {})", req.msg_size)
                };
                return (
                    count,
                    f.from + pos as i64,
                    format!("{why} at {} in {}", f.from + pos as i64, f.name),
                );
            }
        }
    }
    (count, end, "end of last file".into())
}

fn cq_dirs(root: &Path) -> Vec<(String, i32, PathBuf)> {
    let mut v = Vec::new();
    let Ok(rd) = std::fs::read_dir(root.join("consumequeue")) else {
        return v;
    };
    for t in rd.filter_map(|e| e.ok()) {
        let topic = t.file_name().to_string_lossy().into_owned();
        let Ok(qs) = std::fs::read_dir(t.path()) else {
            continue;
        };
        for q in qs.filter_map(|e| e.ok()) {
            if let Ok(qid) = q.file_name().to_string_lossy().parse::<i32>() {
                v.push((topic.clone(), qid, q.path()));
            }
        }
    }
    v.sort();
    v
}

/// Valid entries of a consume queue: (index, unit).
fn cq_entries(files: &[MappedRo]) -> Vec<(i64, CqUnit)> {
    let mut out = Vec::new();
    for f in files {
        let mut i = 0;
        while i + CQ_UNIT <= f.map.len() {
            match CqUnit::parse(&f.map[i..i + CQ_UNIT]) {
                Some(u) if u.offset >= 0 && u.size > 0 => {
                    out.push(((f.from + i as i64) / CQ_UNIT as i64, u))
                }
                _ => break,
            }
            i += CQ_UNIT;
        }
    }
    out
}

fn find_record(files: &[MappedRo], offset: i64, size: usize, file_size: usize) -> Option<&[u8]> {
    let f = files
        .iter()
        .find(|f| offset >= f.from && offset < f.from + file_size as i64)?;
    let pos = (offset - f.from) as usize;
    f.map.get(pos..pos + size)
}

fn be_i64(b: &[u8], p: usize) -> i64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[p..p + 8]);
    i64::from_be_bytes(a)
}

fn main() -> ExitCode {
    let Some(o) = parse_args() else {
        return usage();
    };
    let cfg = MessageStoreConfig::with_root(o.root.to_string_lossy().into_owned());
    if o.cmd == "put" {
        return put(&o, cfg);
    }
    let delay = DelayLevels::new(cfg.delay_level_millis().unwrap_or_default());
    let cl = map_dir(&cfg.commit_log_dir());
    for f in &cl {
        if f.map.len() != o.file_size {
            eprintln!(
                "warning: {} has size {} (expected {}; Java would refuse to start)",
                f.name,
                f.map.len(),
                o.file_size
            );
        }
    }
    match o.cmd.as_str() {
        "stats" => {
            let (n, end, why) = walk_commitlog(&cl, false, &delay, |_, _| {});
            println!("root: {}", o.root.display());
            println!("abort file: {}", cfg.abort_path().exists());
            match store::lock::StoreLock::is_locked_by_other(&cfg.lock_path()) {
                Ok(b) => println!("locked by a running broker: {b}"),
                Err(e) => println!("lock check failed: {e}"),
            }
            if let Ok(b) = std::fs::read(cfg.checkpoint_path()) {
                if b.len() >= 24 {
                    println!(
                        "checkpoint: physic={} logics={} index={}",
                        be_i64(&b, 0),
                        be_i64(&b, 8),
                        be_i64(&b, 16)
                    );
                }
            }
            println!("commitlog files: {}", cl.len());
            if let Some(f) = cl.first() {
                println!("commitlog min offset: {}", f.from);
            }
            println!("commitlog records: {n}, data end: {end} ({why})");
            for (topic, qid, dir) in cq_dirs(&o.root) {
                let files = map_dir(&dir);
                let e = cq_entries(&files);
                let min = e.first().map(|x| x.0).unwrap_or(0);
                let max = e.last().map(|x| x.0 + 1).unwrap_or(0);
                println!(
                    "cq {topic}/{qid}: files={} entries {min}..{max}",
                    files.len()
                );
            }
            let idx = map_dir_any(&cfg.index_dir());
            for (name, m) in idx {
                if m.len() >= 40 {
                    let ic = i32::from_be_bytes([m[36], m[37], m[38], m[39]]);
                    println!(
                        "index {name}: begin_ts={} end_ts={} begin_phy={} end_phy={} slots_used={} entries={}",
                        be_i64(&m, 0),
                        be_i64(&m, 8),
                        be_i64(&m, 16),
                        be_i64(&m, 24),
                        i32::from_be_bytes([m[32], m[33], m[34], m[35]]),
                        (ic - 1).max(0)
                    );
                }
            }
            ExitCode::SUCCESS
        }
        "dump" => {
            let mut shown = 0;
            let (_, end, why) = walk_commitlog(&cl, false, &delay, |off, rec| {
                if off < o.from || shown >= o.limit {
                    return;
                }
                let Ok(v) = parse_view(rec) else {
                    return;
                };
                let topic = v.topic_str();
                if o.topic.as_deref().is_some_and(|t| t != topic) {
                    return;
                }
                shown += 1;
                let h = &v.header;
                println!(
                    "offset={off} size={} topic={topic} queueId={} queueOffset={} sysFlag={:#x} bornTs={} bornHost={} storeTs={} storeHost={} reconsume={} prepTx={} bodyLen={} props={:?}",
                    v.total_size,
                    h.queue_id,
                    h.queue_offset,
                    h.sys_flag,
                    h.born_timestamp,
                    h.born_host,
                    h.store_timestamp,
                    h.store_host,
                    h.reconsume_times,
                    h.prepared_transaction_offset,
                    v.body_range.len(),
                    v.properties_str().replace('\u{1}', "=").replace('\u{2}', ";"),
                );
            });
            eprintln!("data end: {end} ({why})");
            ExitCode::SUCCESS
        }
        "verify" => {
            let mut problems = 0usize;
            let mut per_queue: BTreeMap<(String, i32), i64> = BTreeMap::new();
            let (n, end, why) = walk_commitlog(&cl, o.crc, &delay, |off, rec| {
                if let Ok(v) = parse_view(rec) {
                    if v.header.physical_offset != off {
                        eprintln!(
                            "record at {off}: PHYSICALOFFSET field says {}",
                            v.header.physical_offset
                        );
                    }
                    let ty = v.header.sys_flag & 0xC;
                    if ty == 0 || ty == 0x8 {
                        *per_queue
                            .entry((v.topic_str().into_owned(), v.header.queue_id))
                            .or_default() += 1;
                    }
                }
            });
            println!("commitlog: {n} valid records, valid data ends at {end} ({why})");
            let last_end = cl.last().map(|f| f.from).unwrap_or(0);
            if end < last_end {
                println!("PROBLEM: valid data ends before the last commitlog file starts");
                problems += 1;
            }
            for (topic, qid, dir) in cq_dirs(&o.root) {
                let files = map_dir(&dir);
                for f in &files {
                    if f.map.len() != o.cq_file_size {
                        println!(
                            "PROBLEM: cq file {}/{qid}/{} has size {}",
                            topic,
                            f.name,
                            f.map.len()
                        );
                        problems += 1;
                    }
                }
                let entries = cq_entries(&files);
                let mut bad = 0;
                for (idx, u) in &entries {
                    if u.size == i32::MAX {
                        continue; // pre-blank
                    }
                    if u.offset + i64::from(u.size) > end {
                        bad += 1;
                        continue;
                    }
                    let Some(rec) = find_record(&cl, u.offset, u.size as usize, o.file_size) else {
                        continue; // commitlog file deleted by retention
                    };
                    let ok = match parse_view(rec) {
                        Ok(v) => {
                            let tags = v.properties_str();
                            let tags = protocol::message::property::find_property(&tags, "TAGS")
                                .map(tags_hash_code)
                                .unwrap_or(0);
                            v.total_size == u.size
                                && v.header.queue_id == qid
                                && v.header.queue_offset == *idx
                                && v.topic_str() == topic.as_str()
                                && (topic == SCHEDULE_TOPIC || tags == u.tags_code)
                        }
                        Err(_) => false,
                    };
                    if !ok {
                        bad += 1;
                    }
                }
                if bad > 0 {
                    println!(
                        "PROBLEM: cq {topic}/{qid}: {bad} of {} entries do not match the commitlog",
                        entries.len()
                    );
                    problems += bad;
                } else {
                    println!("cq {topic}/{qid}: {} entries OK", entries.len());
                }
            }
            if problems == 0 {
                println!("OK");
                ExitCode::SUCCESS
            } else {
                println!("{problems} problem(s)");
                ExitCode::from(1)
            }
        }
        _ => usage(),
    }
}

fn map_dir_any(dir: &Path) -> Vec<(String, Mmap)> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut paths: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    for p in paths {
        if let Ok(m) = File::open(&p).and_then(|f| unsafe { Mmap::map(&f) }) {
            out.push((
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                m,
            ));
        }
    }
    out
}

/// `mqstore put`: append `count` messages (round robin over `queues`) with UNIQ_KEY, KEYS and
/// TAGS properties, like a Java producer would.
fn put(o: &Opts, mut cfg: MessageStoreConfig) -> ExitCode {
    cfg.mapped_file_size_commit_log = o.file_size as i32;
    cfg.mapped_file_size_consume_queue = o.cq_file_size as i32;
    if o.sync_flush {
        cfg.flush_disk_type = store::config::FlushDiskType::SyncFlush;
    }
    let topic = o.topic.clone().unwrap_or_else(|| "TopicTest".into());
    let Ok(store_host) = o.store_host.parse::<std::net::SocketAddr>() else {
        eprintln!("bad --store-host {}", o.store_host);
        return ExitCode::from(2);
    };
    let store = match store::DefaultMessageStore::open(cfg) {
        Ok(s) => std::sync::Arc::new(s),
        Err(e) => {
            eprintln!("open failed: {e}");
            return ExitCode::from(1);
        }
    };
    if let Err(e) = store.start() {
        eprintln!("start failed: {e}");
        return ExitCode::from(1);
    }
    let gen = protocol::message::msgid::UniqIdGenerator::new(store_host.ip());
    let body: String = "m".repeat(o.body_size);
    for i in 0..o.count {
        let id = gen.next_id();
        let msg = store::MessageExtBrokerInner {
            topic: topic.clone(),
            queue_id: (i as i32).rem_euclid(o.queues.max(1)),
            body: bytes::Bytes::from(format!("{i}:{body}")),
            properties_string: format!("TAGS\u{1}TagR\u{2}KEYS\u{1}rk{i}\u{2}UNIQ_KEY\u{1}{id}"),
            born_timestamp: store.now(),
            born_host: store_host,
            store_host,
            ..Default::default()
        };
        let r = store.put_message_blocking(msg);
        if r.status != store::PutMessageStatus::PutOk {
            eprintln!("put {i} failed: {}", r.status.as_str());
            return ExitCode::from(1);
        }
        if o.ack {
            if let Some(a) = &r.append {
                println!(
                    "ACK {i} {} {} {} {}",
                    (i as i32).rem_euclid(o.queues.max(1)),
                    a.logics_offset,
                    a.wrote_offset,
                    a.wrote_bytes
                );
            }
        }
        println!(
            "PUT {id} {}",
            r.append.map(|a| a.msg_id).unwrap_or_default()
        );
    }
    if o.crash {
        // wait for the dispatcher so queues exist, then die without any shutdown work
        for _ in 0..5000 {
            if store.dispatch_behind_bytes() <= 0 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        std::process::exit(0);
    }
    store.shutdown();
    ExitCode::SUCCESS
}
