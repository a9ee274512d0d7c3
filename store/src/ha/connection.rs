//! Master side of one slave connection (`HAConnection`): a reader thread for the slave's
//! 8-byte offset reports (`ReadSocketService`) and a writer thread streaming commitlog
//! frames (`WriteSocketService`). Layouts in [`super::frame`].

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::frame::{encode_header, ReportDecoder, HEADER_LEN};
use super::service::Inner;
use super::HaError;

/// One slave connection.
pub(super) struct Conn {
    stream: TcpStream,
    peer: String,
    closed: AtomicBool,
    /// First report: where to start streaming (`slaveRequestOffset`, -1 until known).
    request_offset: AtomicI64,
    /// Latest report (`slaveAckOffset`).
    ack_offset: AtomicI64,
}

impl Conn {
    pub(super) fn new(stream: TcpStream, peer: String) -> std::io::Result<Conn> {
        // short timeouts so both threads notice close/stop; housekeeping is done on top
        stream.set_read_timeout(Some(Duration::from_millis(500)))?;
        stream.set_write_timeout(Some(Duration::from_millis(500)))?;
        Ok(Conn {
            stream,
            peer,
            closed: AtomicBool::new(false),
            request_offset: AtomicI64::new(-1),
            ack_offset: AtomicI64::new(-1),
        })
    }

    pub(super) fn close(&self) {
        if !self.closed.swap(true, Ordering::AcqRel) {
            let _ = self.stream.shutdown(Shutdown::Both);
        }
    }

    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }
}

/// Start the writer and then the reader (the reader owns the connection count decrement:
/// if it cannot start, the caller undoes the increment).
pub(super) fn spawn(inner: &Arc<Inner>, conn: &Arc<Conn>) -> Result<Vec<JoinHandle<()>>, HaError> {
    let (i, c) = (Arc::clone(inner), Arc::clone(conn));
    let writer = std::thread::Builder::new()
        .name("HAConnection-Write".into())
        .spawn(move || write_loop(&i, &c))
        .map_err(|source| HaError::Spawn {
            name: "WriteSocketService",
            source,
        })?;
    let (i, c) = (Arc::clone(inner), Arc::clone(conn));
    let reader = std::thread::Builder::new()
        .name("HAConnection-Read".into())
        .spawn(move || read_loop(&i, &c));
    match reader {
        Ok(r) => Ok(vec![writer, r]),
        Err(source) => {
            conn.close();
            let _ = writer.join();
            Err(HaError::Spawn {
                name: "ReadSocketService",
                source,
            })
        }
    }
}

fn read_loop(inner: &Arc<Inner>, conn: &Arc<Conn>) {
    let result = read_reports(inner, conn);
    match &result {
        Err(e) => tracing::warn!(peer = %conn.peer, error = %e, "ReadSocketService end"),
        Ok(()) => tracing::info!(peer = %conn.peer, "ReadSocketService end"),
    }
    conn.close();
    inner.remove_connection(conn);
    if let Some(store) = inner.store.upgrade() {
        store.ha_state().connection_closed();
        store.ha_state().wakeup_writers();
    }
}

fn read_reports(inner: &Arc<Inner>, conn: &Arc<Conn>) -> Result<(), HaError> {
    let peer = || conn.peer.clone();
    let mut stream = &conn.stream;
    let mut buf = vec![0u8; 64 * 1024];
    let mut dec = ReportDecoder::default();
    let mut last_read = Instant::now();
    while !conn.is_closed() && !inner.is_stopped() {
        let Some(store) = inner.store.upgrade() else {
            return Ok(());
        };
        let housekeeping =
            Duration::from_millis(store.config().ha_housekeeping_interval.max(1) as u64);
        match stream.read(&mut buf) {
            Ok(0) => {
                return Err(HaError::Closed {
                    peer: peer(),
                    why: "end of stream",
                })
            }
            Ok(n) => {
                last_read = Instant::now();
                if let Some(offset) = dec.feed(&buf[..n]) {
                    conn.ack_offset.store(offset, Ordering::Release);
                    if conn.request_offset.load(Ordering::Acquire) < 0 {
                        conn.request_offset.store(offset, Ordering::Release);
                        tracing::info!(peer = %conn.peer, offset, "slave request offset");
                        store.ha_state().wakeup_writers();
                    } else if offset > store.max_phy_offset() {
                        return Err(HaError::Protocol {
                            peer: peer(),
                            what: format!(
                                "slave ack offset {offset} greater than local commitlog offset {}",
                                store.max_phy_offset()
                            ),
                        });
                    }
                    store.ha_state().notify_transfer_some(offset);
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock
                        | std::io::ErrorKind::TimedOut
                        | std::io::ErrorKind::Interrupted
                ) => {}
            Err(source) => {
                return Err(HaError::Io {
                    peer: peer(),
                    source,
                })
            }
        }
        if last_read.elapsed() > housekeeping {
            return Err(HaError::Closed {
                peer: peer(),
                why: "ha housekeeping: no report from the slave",
            });
        }
    }
    Ok(())
}

/// Write all of `data`, retrying on write timeouts until the connection closes.
fn write_fully(inner: &Inner, conn: &Conn, data: &[u8]) -> Result<(), HaError> {
    let mut stream = &conn.stream;
    let mut pos = 0;
    while pos < data.len() {
        if conn.is_closed() || inner.is_stopped() {
            return Err(HaError::Closed {
                peer: conn.peer.clone(),
                why: "closed while writing",
            });
        }
        match stream.write(&data[pos..]) {
            Ok(0) => {
                return Err(HaError::Closed {
                    peer: conn.peer.clone(),
                    why: "write returned 0",
                })
            }
            Ok(n) => pos += n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock
                        | std::io::ErrorKind::TimedOut
                        | std::io::ErrorKind::Interrupted
                ) => {}
            Err(source) => {
                return Err(HaError::Io {
                    peer: conn.peer.clone(),
                    source,
                })
            }
        }
    }
    Ok(())
}

fn write_loop(inner: &Arc<Inner>, conn: &Arc<Conn>) {
    if let Err(e) = write_frames(inner, conn) {
        tracing::info!(peer = %conn.peer, error = %e, "WriteSocketService end");
    }
    conn.close();
}

fn write_frames(inner: &Arc<Inner>, conn: &Arc<Conn>) -> Result<(), HaError> {
    // wait for the slave's first report
    let request = loop {
        if conn.is_closed() || inner.is_stopped() {
            return Ok(());
        }
        let r = conn.request_offset.load(Ordering::Acquire);
        if r >= 0 {
            break r;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut next = {
        let Some(store) = inner.store.upgrade() else {
            return Ok(());
        };
        if request == 0 {
            // a fresh slave gets the master's last commitlog file only
            let max = store.commit_log().max_offset();
            let size = i64::from(store.config().mapped_file_size_commit_log.max(1));
            (max - max % size).max(0)
        } else {
            request
        }
    };
    tracing::info!(peer = %conn.peer, from = next, request, "master transfer data to slave");
    let mut out: Vec<u8> = Vec::with_capacity(HEADER_LEN + 64 * 1024);
    let mut last_write = Instant::now();
    while !conn.is_closed() && !inner.is_stopped() {
        let Some(store) = inner.store.upgrade() else {
            return Ok(());
        };
        let cfg = store.config();
        let heartbeat = Duration::from_millis(cfg.ha_send_heartbeat_interval.max(1) as u64);
        let batch = cfg.ha_transfer_batch_size.max(1) as usize;
        if last_write.elapsed() > heartbeat {
            write_fully(inner, conn, &encode_header(next, 0))?;
            last_write = Instant::now();
        }
        let generation = store.ha_state().data_generation();
        match store.get_commit_log_data(next) {
            Some(sel) if !sel.data.is_empty() => {
                let size = sel.data.len().min(batch);
                out.clear();
                out.extend_from_slice(&encode_header(next, size as i32));
                out.extend_from_slice(&sel.data[..size]);
                drop(sel);
                write_fully(inner, conn, &out)?;
                next += size as i64;
                last_write = Instant::now();
            }
            _ => {
                drop(store);
                if let Some(store) = inner.store.upgrade() {
                    store
                        .ha_state()
                        .wait_for_data(generation, Duration::from_millis(100));
                }
            }
        }
    }
    Ok(())
}
