//! Stores written in-process with our store crate (Java 4.9.7 on-disk format): the 1 M
//! message backlog, the 4 GiB store for the start-up row, and the async-flush put path
//! measured against `dd`.

use anyhow::{bail, Result};
use bytes::Bytes;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use store::{
    DefaultMessageStore, FlushDiskType, MessageExtBrokerInner, MessageStoreConfig, PutMessageStatus,
};

pub struct PutStats {
    pub messages: u64,
    /// commitlog bytes written
    pub bytes: u64,
    /// from the first put until everything is flushed (fdatasync'd) to disk
    pub secs: f64,
}

impl PutStats {
    pub fn mb_s(&self) -> f64 {
        self.bytes as f64 / self.secs / 1e6
    }
}

fn body(size: usize) -> Bytes {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut x: u32 = 0x9e37_79b9;
    (0..size)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            ALNUM[(x as usize) % ALNUM.len()]
        })
        .collect::<Vec<u8>>()
        .into()
}

/// Append messages of `body_size` bytes to `topic` (queues round-robin) from `threads`
/// threads until `count` messages or `max_bytes` commitlog bytes, then flush and shut the
/// store down cleanly. `store_port` is the broker port written as store host.
pub fn put_messages(
    root: &Path,
    topic: &str,
    queues: i32,
    body_size: usize,
    count: u64,
    max_bytes: u64,
    threads: usize,
) -> Result<PutStats> {
    let mut cfg = MessageStoreConfig {
        store_path_root_dir: root.display().to_string(),
        ..Default::default()
    };
    cfg.flush_disk_type = FlushDiskType::AsyncFlush;
    let store = Arc::new(DefaultMessageStore::open(cfg)?);
    store.start()?;
    let host: SocketAddr = "127.0.0.1:10911".parse()?;
    // UNIQ_KEY-shaped ids (32 hex digits: 127.0.0.1, pid, then a counter); the protocol
    // crate's generator calls localtime_r per id, which stats /etc/localtime every time.
    let prefix = (0x7F00_0001u128 << 96) | (u128::from(std::process::id() & 0xFFFF) << 80);
    let seq = Arc::new(AtomicU64::new(0));
    let body = body(body_size);
    let done = Arc::new(AtomicU64::new(0));
    let ok = Arc::new(AtomicU64::new(0));
    let t0 = Instant::now();
    let start_phy = store.max_phy_offset();
    let handles: Vec<_> = (0..threads.max(1))
        .map(|t| {
            let (store, seq, body, done, ok) = (
                store.clone(),
                seq.clone(),
                body.clone(),
                done.clone(),
                ok.clone(),
            );
            let topic = topic.to_string();
            std::thread::spawn(move || -> Result<()> {
                let mut i = t as u64;
                loop {
                    let n = done.fetch_add(1, Ordering::Relaxed);
                    if n >= count || (store.max_phy_offset() - start_phy) as u64 >= max_bytes {
                        return Ok(());
                    }
                    let msg = MessageExtBrokerInner {
                        topic: topic.clone(),
                        queue_id: (i % queues.max(1) as u64) as i32,
                        body: body.clone(),
                        properties_string: format!(
                            "UNIQ_KEY\u{1}{:032X}\u{2}WAIT\u{1}true",
                            prefix | u128::from(seq.fetch_add(1, Ordering::Relaxed))
                        ),
                        born_timestamp: store.now(),
                        born_host: host,
                        store_host: host,
                        ..Default::default()
                    };
                    let r = store.put_message_blocking(msg);
                    if r.status != PutMessageStatus::PutOk {
                        bail!("put failed: {}", r.status.as_str());
                    }
                    ok.fetch_add(1, Ordering::Relaxed);
                    i += threads as u64;
                }
            })
        })
        .collect();
    for h in handles {
        h.join()
            .map_err(|_| anyhow::anyhow!("put thread panicked"))??;
    }
    store.flush();
    let secs = t0.elapsed().as_secs_f64();
    let bytes = (store.max_phy_offset() - start_phy) as u64;
    let messages = ok.load(Ordering::Relaxed);
    // wait for the consume queues / index, then a clean shutdown (checkpoint, no abort file)
    while store.dispatch_behind_bytes() > 0 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    store.shutdown();
    Ok(PutStats {
        messages,
        bytes,
        secs,
    })
}
