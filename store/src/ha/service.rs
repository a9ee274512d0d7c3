//! `HAService`: the HA listener (`AcceptSocketService`) that turns each slave connection into
//! an [`super::connection`] pair of threads, and the slave-side [`super::client`] thread.
//! Every broker runs both, as Java does: a master simply never gets a master address, a
//! slave never gets connections.

use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};

use super::connection::{self, Conn};
use super::{client, HaError};
use crate::default_store::DefaultMessageStore;

/// Shared by the service's threads.
pub(super) struct Inner {
    pub(super) store: Weak<DefaultMessageStore>,
    stopped: AtomicBool,
    /// `HAClient.masterAddress` and a generation bumped on change / stop.
    master: Mutex<(Option<String>, u64)>,
    master_cv: Condvar,
    connections: Mutex<Vec<Arc<Conn>>>,
    conn_threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Inner {
    pub(super) fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Acquire)
    }

    /// The master address and its generation.
    pub(super) fn master(&self) -> (Option<String>, u64) {
        self.master.lock().clone()
    }

    /// Sleep up to `d` unless the master address changes (generation != `seen`) or the
    /// service stops.
    pub(super) fn wait_master_change(&self, seen: u64, d: Duration) {
        let mut m = self.master.lock();
        if m.1 == seen && !self.is_stopped() {
            self.master_cv.wait_for(&mut m, d);
        }
    }

    pub(super) fn remove_connection(&self, c: &Arc<Conn>) {
        self.connections.lock().retain(|x| !Arc::ptr_eq(x, c));
    }
}

/// The running HA service of one store. Stop it with [`HaService::shutdown`] (the store's
/// own shutdown does).
pub struct HaService {
    inner: Arc<Inner>,
    port: u16,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl std::fmt::Debug for HaService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HaService")
            .field("port", &self.port)
            .field("master", &self.inner.master().0)
            .finish()
    }
}

fn spawn(name: &'static str, f: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>, HaError> {
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(f)
        .map_err(|source| HaError::Spawn { name, source })
}

impl HaService {
    /// Bind `haListenPort` on all interfaces and start the accept and HA-client threads.
    pub fn start(store: &Arc<DefaultMessageStore>) -> Result<Arc<HaService>, HaError> {
        let port_cfg = store.config().ha_listen_port;
        let port = u16::try_from(port_cfg).map_err(|_| HaError::BadPort(port_cfg))?;
        // std sets SO_REUSEADDR on Unix, like Java's setReuseAddress(true)
        let listener = TcpListener::bind(("0.0.0.0", port)).map_err(|source| HaError::Bind {
            port: port_cfg,
            source,
        })?;
        listener
            .set_nonblocking(true)
            .map_err(|source| HaError::Bind {
                port: port_cfg,
                source,
            })?;
        let inner = Arc::new(Inner {
            store: Arc::downgrade(store),
            stopped: AtomicBool::new(false),
            master: Mutex::new((None, 0)),
            master_cv: Condvar::new(),
            connections: Mutex::new(Vec::new()),
            conn_threads: Mutex::new(Vec::new()),
        });
        let svc = Arc::new(HaService {
            inner: Arc::clone(&inner),
            port,
            threads: Mutex::new(Vec::new()),
        });
        let i = Arc::clone(&inner);
        let accept = spawn("AcceptSocketService", move || accept_loop(&i, listener))?;
        let i = Arc::clone(&inner);
        let client = match spawn("HAClient", move || client::run(&i)) {
            Ok(t) => t,
            Err(e) => {
                inner.stopped.store(true, Ordering::Release);
                let _ = accept.join();
                return Err(e);
            }
        };
        svc.threads.lock().extend([accept, client]);
        tracing::info!(port, "HA service listening");
        Ok(svc)
    }

    /// The bound HA port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `updateMasterAddress`: where the HA client connects (`host:port`, the master's
    /// `haServerAddr`). A change closes the current connection so the client moves over.
    pub fn update_master_address(&self, addr: &str) {
        let mut m = self.inner.master.lock();
        if m.0.as_deref() != Some(addr) {
            tracing::info!(old = ?m.0, new = addr, "update master address");
            m.0 = Some(addr.to_string());
            m.1 = m.1.wrapping_add(1);
            self.inner.master_cv.notify_all();
        }
    }

    /// The HA master address the client uses, if any.
    pub fn master_address(&self) -> Option<String> {
        self.inner.master().0
    }

    /// Number of connected slaves.
    pub fn connection_count(&self) -> usize {
        self.inner.connections.lock().len()
    }

    /// Stop accepting, close every connection and the client, join the threads.
    pub fn shutdown(&self) {
        if self.inner.stopped.swap(true, Ordering::AcqRel) {
            return;
        }
        {
            let mut m = self.inner.master.lock();
            m.1 = m.1.wrapping_add(1);
            self.inner.master_cv.notify_all();
        }
        for c in self.inner.connections.lock().drain(..) {
            c.close();
        }
        if let Some(s) = self.inner.store.upgrade() {
            s.ha_state().wakeup_writers();
        }
        let threads = std::mem::take(&mut *self.threads.lock());
        for t in threads {
            let _ = t.join();
        }
        let conn_threads = std::mem::take(&mut *self.inner.conn_threads.lock());
        for t in conn_threads {
            let _ = t.join();
        }
        tracing::info!(port = self.port, "HA service stopped");
    }
}

/// Wait up to `ms` for `fd` to become readable.
fn poll_readable(fd: i32, ms: i32) -> bool {
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, count 1.
    unsafe { libc::poll(&mut p, 1, ms) > 0 }
}

fn accept_loop(inner: &Arc<Inner>, listener: TcpListener) {
    let fd = listener.as_raw_fd();
    while !inner.is_stopped() {
        if !poll_readable(fd, 200) {
            continue;
        }
        match listener.accept() {
            Ok((stream, peer)) => {
                tracing::info!(%peer, "HAService receive new connection");
                if let Err(e) = new_connection(inner, stream, peer.to_string()) {
                    tracing::error!(%peer, error = %e, "new HAConnection failed");
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => {
                tracing::warn!(error = %e, "HA accept failed");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
    tracing::info!("AcceptSocketService end");
}

fn new_connection(inner: &Arc<Inner>, stream: TcpStream, peer: String) -> Result<(), HaError> {
    let io = |source| HaError::Io {
        peer: peer.clone(),
        source,
    };
    stream.set_nonblocking(false).map_err(io)?;
    stream.set_nodelay(true).map_err(io)?;
    let Some(store) = inner.store.upgrade() else {
        return Ok(());
    };
    let conn = Arc::new(Conn::new(stream, peer.clone()).map_err(io)?);
    store.ha_state().connection_opened();
    inner.connections.lock().push(Arc::clone(&conn));
    let handles = match connection::spawn(inner, &conn) {
        Ok(h) => h,
        Err(e) => {
            conn.close();
            inner.remove_connection(&conn);
            store.ha_state().connection_closed();
            return Err(e);
        }
    };
    let mut threads = inner.conn_threads.lock();
    threads.retain(|t| !t.is_finished());
    threads.extend(handles);
    Ok(())
}
