//! Slave side (`HAService.HAClient`): connect to the master's `haServerAddr`, report the
//! local commitlog max offset, append every frame at that offset and acknowledge it.
//! Layouts in [`super::frame`].
//!
//! Differences from Java that stay within the protocol: the first report is sent right after
//! connecting (Java waits for its 5 s heartbeat), a master address change closes the current
//! connection, and a master silent for `haHousekeepingInterval` (it heartbeats every 5 s)
//! counts as gone.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::frame::{encode_report, FrameDecoder};
use super::service::Inner;
use super::HaError;

/// `waitForRunning(1000 * 5)` after a failed connect.
const RETRY: Duration = Duration::from_secs(5);
/// `RemotingUtil.connect` timeout.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

pub(super) fn run(inner: &Arc<Inner>) {
    tracing::info!("HAClient service started");
    while !inner.is_stopped() {
        let (addr, generation) = inner.master();
        let Some(addr) = addr else {
            inner.wait_master_change(generation, RETRY);
            continue;
        };
        let stream = match connect(&addr) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(master = %addr, error = %e, "HAClient connect to master failed");
                inner.wait_master_change(generation, RETRY);
                continue;
            }
        };
        tracing::info!(master = %addr, "HAClient connected to master");
        let result = follow(inner, &stream, &addr, generation);
        let _ = stream.shutdown(Shutdown::Both);
        match result {
            Ok(()) => tracing::info!(master = %addr, "HAClient closed master connection"),
            Err(e) => {
                tracing::warn!(master = %addr, error = %e, "HAClient closed master connection");
                // Java reconnects on its next loop turn; pause a little so a master that
                // keeps rejecting us does not make this a busy loop
                inner.wait_master_change(generation, Duration::from_millis(500));
            }
        }
    }
    tracing::info!("HAClient service end");
}

fn connect(addr: &str) -> Result<TcpStream, HaError> {
    let io = |source| HaError::Io {
        peer: addr.to_string(),
        source,
    };
    let sa = addr
        .to_socket_addrs()
        .map_err(io)?
        .next()
        .ok_or_else(|| HaError::Protocol {
            peer: addr.to_string(),
            what: "master address does not resolve".into(),
        })?;
    let s = TcpStream::connect_timeout(&sa, CONNECT_TIMEOUT).map_err(io)?;
    s.set_nodelay(true).map_err(io)?;
    s.set_read_timeout(Some(Duration::from_millis(500)))
        .map_err(io)?;
    s.set_write_timeout(Some(Duration::from_secs(3)))
        .map_err(io)?;
    Ok(s)
}

/// `reportSlaveMaxOffset`.
fn report(mut stream: &TcpStream, peer: &str, offset: i64) -> Result<(), HaError> {
    stream
        .write_all(&encode_report(offset))
        .map_err(|source| HaError::Io {
            peer: peer.to_string(),
            source,
        })
}

/// Serve one master connection until it fails, the address changes or the service stops.
fn follow(
    inner: &Arc<Inner>,
    stream: &TcpStream,
    peer: &str,
    generation: u64,
) -> Result<(), HaError> {
    let Some(store) = inner.store.upgrade() else {
        return Ok(());
    };
    let cfg = store.config();
    let heartbeat = Duration::from_millis(cfg.ha_send_heartbeat_interval.max(1) as u64);
    let housekeeping = Duration::from_millis(cfg.ha_housekeeping_interval.max(1) as u64);
    drop(store);

    let mut reported = match inner.store.upgrade() {
        Some(s) => s.max_phy_offset(),
        None => return Ok(()),
    };
    report(stream, peer, reported)?;
    let mut last_write = Instant::now();
    let mut last_read = Instant::now();
    let mut dec = FrameDecoder::default();
    let mut buf = vec![0u8; 256 * 1024];
    let mut reader = stream;
    loop {
        if inner.is_stopped() {
            return Ok(());
        }
        if inner.master().1 != generation {
            return Err(HaError::Closed {
                peer: peer.to_string(),
                why: "master address changed",
            });
        }
        let Some(store) = inner.store.upgrade() else {
            return Ok(());
        };
        if last_write.elapsed() > heartbeat {
            report(stream, peer, reported)?;
            last_write = Instant::now();
        }
        match reader.read(&mut buf) {
            Ok(0) => {
                return Err(HaError::Closed {
                    peer: peer.to_string(),
                    why: "end of stream",
                })
            }
            Ok(n) => {
                last_read = Instant::now();
                dec.extend(&buf[..n]);
                // dispatchReadRequest
                loop {
                    let h = match dec.peek_header() {
                        Ok(Some(h)) => h,
                        Ok(None) => break,
                        Err(e) => {
                            return Err(HaError::Protocol {
                                peer: peer.to_string(),
                                what: e.to_string(),
                            })
                        }
                    };
                    let slave_max = store.max_phy_offset();
                    if slave_max != 0 && slave_max != h.offset {
                        return Err(HaError::Protocol {
                            peer: peer.to_string(),
                            what: format!(
                                "master pushed offset not equal the max phy offset in slave, SLAVE: {slave_max} MASTER: {}",
                                h.offset
                            ),
                        });
                    }
                    let Some(body) = dec.body(&h) else { break };
                    if !body.is_empty() && !store.append_to_commit_log(h.offset, body) {
                        tracing::error!(
                            offset = h.offset,
                            len = body.len(),
                            "appendToCommitLog failed"
                        );
                    }
                    dec.consume(&h);
                    // reportSlaveMaxOffsetPlus
                    let now_max = store.max_phy_offset();
                    if now_max > reported {
                        reported = now_max;
                        report(stream, peer, reported)?;
                        last_write = Instant::now();
                    }
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
                    peer: peer.to_string(),
                    source,
                })
            }
        }
        if last_write.elapsed() > housekeeping {
            return Err(HaError::Closed {
                peer: peer.to_string(),
                why: "housekeeping: could not report for too long",
            });
        }
        if last_read.elapsed() > housekeeping {
            return Err(HaError::Closed {
                peer: peer.to_string(),
                why: "master not responding",
            });
        }
    }
}
