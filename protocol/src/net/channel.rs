//! One connection: reader task, writer task, pending-response table.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use parking_lot::Mutex;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, Notify};
use tokio_util::codec::{FramedRead, FramedWrite};
use tracing::{debug, warn, Instrument};

use crate::codec::RemotingCodec;
use crate::command::RemotingCommand;
use crate::error::ProtocolError;

/// Outgoing queue depth per connection.
const WRITE_QUEUE_DEPTH: usize = 4096;

/// Request data (in KiB, 1 KiB minimum per request) a connection may have in its handlers at
/// once. Past it the reader stops reading, so a client pipelining faster than the broker
/// stores (an async producer keeps up to 65535 requests in flight) is slowed down by TCP
/// instead of growing the broker's memory without bound.
const IN_FLIGHT_KIB: u32 = 16 * 1024;

/// Handles requests that arrive on a connection.
pub trait RequestHandler: Send + Sync + 'static {
    /// Handle one request. `None` means no reply (oneway, or a request that is answered
    /// later/never). The returned response's opaque, flag and codec are set by the caller.
    fn handle(
        self: Arc<Self>,
        channel: Channel,
        request: RemotingCommand,
    ) -> impl Future<Output = Option<RemotingCommand>> + Send;

    /// Called once when the connection is established.
    fn on_open(&self, _channel: &Channel) {}

    /// Called once when the connection is gone.
    fn on_close(&self, _channel: &Channel) {}
}

static NEXT_CHANNEL_ID: AtomicU64 = AtomicU64::new(1);

struct Inner {
    id: u64,
    peer: SocketAddr,
    local: SocketAddr,
    tx: mpsc::Sender<RemotingCommand>,
    pending: Mutex<HashMap<i32, oneshot::Sender<RemotingCommand>>>,
    next_opaque: AtomicI32,
    closed: AtomicBool,
    close_notify: Notify,
}

/// A handle on one live connection; cheap to clone.
#[derive(Clone)]
pub struct Channel {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Channel#{}({})", self.inner.id, self.inner.peer)
    }
}

impl PartialEq for Channel {
    fn eq(&self, other: &Self) -> bool {
        self.inner.id == other.inner.id
    }
}
impl Eq for Channel {}
impl std::hash::Hash for Channel {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.inner.id.hash(state)
    }
}

impl Channel {
    /// Start reader and writer tasks on `stream`; requests go to `handler`.
    pub fn spawn<H: RequestHandler>(
        stream: TcpStream,
        handler: Arc<H>,
        frame_bytes_max: usize,
    ) -> std::io::Result<Channel> {
        let peer = stream.peer_addr()?;
        let local = stream.local_addr()?;
        let _ = stream.set_nodelay(true);
        let (rd, wr) = stream.into_split();
        let (tx, rx) = mpsc::channel(WRITE_QUEUE_DEPTH);
        let channel = Channel {
            inner: Arc::new(Inner {
                id: NEXT_CHANNEL_ID.fetch_add(1, Ordering::Relaxed),
                peer,
                local,
                tx,
                pending: Mutex::new(HashMap::new()),
                next_opaque: AtomicI32::new(1),
                closed: AtomicBool::new(false),
                close_notify: Notify::new(),
            }),
        };
        let span = tracing::info_span!("conn", id = channel.inner.id, peer = %peer);
        let writer = FramedWrite::new(wr, RemotingCodec::with_max_frame(frame_bytes_max));
        tokio::spawn(write_loop(channel.clone(), writer, rx).instrument(span.clone()));
        let reader = FramedRead::new(rd, RemotingCodec::with_max_frame(frame_bytes_max));
        handler.on_open(&channel);
        tokio::spawn(read_loop(channel.clone(), reader, handler).instrument(span));
        Ok(channel)
    }

    /// Connection id, unique in this process.
    pub fn id(&self) -> u64 {
        self.inner.id
    }

    /// Remote address.
    pub fn peer_addr(&self) -> SocketAddr {
        self.inner.peer
    }

    /// Local address.
    pub fn local_addr(&self) -> SocketAddr {
        self.inner.local
    }

    /// Whether the connection has been closed.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::Acquire)
    }

    /// Close the connection (both tasks stop; pending calls fail).
    pub fn close(&self) {
        if !self.inner.closed.swap(true, Ordering::AcqRel) {
            self.inner.close_notify.notify_waiters();
            self.inner.pending.lock().clear();
        }
    }

    /// Wait until the connection is closed.
    pub async fn closed(&self) {
        loop {
            let notified = self.inner.close_notify.notified();
            if self.is_closed() {
                return;
            }
            notified.await;
        }
    }

    /// Queue a command for writing as is (responses, oneway requests).
    pub async fn send(&self, cmd: RemotingCommand) -> Result<(), ProtocolError> {
        if self.is_closed() {
            return Err(ProtocolError::ConnectionClosed(self.inner.peer.to_string()));
        }
        self.inner
            .tx
            .send(cmd)
            .await
            .map_err(|_| ProtocolError::ConnectionClosed(self.inner.peer.to_string()))
    }

    /// Send a oneway request (sets the oneway flag and a fresh opaque).
    pub async fn send_oneway(&self, mut cmd: RemotingCommand) -> Result<(), ProtocolError> {
        cmd.flag |= crate::command::RPC_ONEWAY;
        cmd.opaque = self.inner.next_opaque.fetch_add(1, Ordering::Relaxed);
        self.send(cmd).await
    }

    /// Send a request and wait for its response.
    pub async fn invoke(
        &self,
        mut cmd: RemotingCommand,
        timeout: Duration,
    ) -> Result<RemotingCommand, ProtocolError> {
        let opaque = self.inner.next_opaque.fetch_add(1, Ordering::Relaxed);
        cmd.opaque = opaque;
        cmd.flag &= !crate::command::RPC_TYPE_RESPONSE;
        let (tx, rx) = oneshot::channel();
        self.inner.pending.lock().insert(opaque, tx);
        if let Err(e) = self.send(cmd).await {
            self.inner.pending.lock().remove(&opaque);
            return Err(e);
        }
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(resp)) => Ok(resp),
            Ok(Err(_)) => Err(ProtocolError::ConnectionClosed(self.inner.peer.to_string())),
            Err(_) => {
                self.inner.pending.lock().remove(&opaque);
                Err(ProtocolError::Timeout {
                    addr: self.inner.peer.to_string(),
                    millis: timeout.as_millis() as u64,
                })
            }
        }
    }
}

async fn write_loop(
    channel: Channel,
    mut writer: FramedWrite<tokio::net::tcp::OwnedWriteHalf, RemotingCodec>,
    mut rx: mpsc::Receiver<RemotingCommand>,
) {
    loop {
        let first = tokio::select! {
            cmd = rx.recv() => cmd,
            _ = channel.closed() => None,
        };
        let Some(cmd) = first else { break };
        if let Err(e) = writer.feed(cmd).await {
            debug!(error = %e, "write failed");
            break;
        }
        // A handler that queues a reply wakes this task straight away (tokio runs the woken
        // task next), so without a yield every reply got its own flush, i.e. one writev
        // each. Yielding once lets the other requests that are ready on this connection
        // finish first, and their replies share this flush.
        if rx.is_empty() {
            yield_once().await;
        }
        // Batch whatever else is queued into the same flush.
        while let Ok(cmd) = rx.try_recv() {
            if let Err(e) = writer.feed(cmd).await {
                debug!(error = %e, "write failed");
                channel.close();
                return;
            }
        }
        if let Err(e) = writer.flush().await {
            debug!(error = %e, "flush failed");
            break;
        }
    }
    channel.close();
}

/// Go to the back of the worker's run queue once. Unlike `tokio::task::yield_now` (which
/// defers the wake-up until the I/O driver has been polled, an extra `epoll_wait` per
/// yield), a task that wakes itself is simply re-queued behind the tasks already runnable.
fn yield_once() -> impl Future<Output = ()> {
    let mut yielded = false;
    std::future::poll_fn(move |cx| {
        if yielded {
            std::task::Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
}

async fn read_loop<H: RequestHandler>(
    channel: Channel,
    mut reader: FramedRead<tokio::net::tcp::OwnedReadHalf, RemotingCodec>,
    handler: Arc<H>,
) {
    let budget = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT_KIB as usize));
    loop {
        let next = tokio::select! {
            n = reader.next() => n,
            _ = channel.closed() => None,
        };
        let cmd = match next {
            None => break,
            Some(Err(ProtocolError::Io(e))) => {
                // a peer reset or a read error is not a protocol violation
                debug!(error = %e, "connection read failed");
                break;
            }
            Some(Err(e)) => {
                warn!(error = %e, "closing connection on undecodable frame");
                break;
            }
            Some(Ok(cmd)) => cmd,
        };
        if cmd.is_response() {
            let waiter = channel.inner.pending.lock().remove(&cmd.opaque);
            match waiter {
                Some(tx) => {
                    let _ = tx.send(cmd);
                }
                None => debug!(
                    opaque = cmd.opaque,
                    code = cmd.code,
                    "response matches no request"
                ),
            }
            continue;
        }
        let kib = (1 + cmd.body.as_ref().map_or(0, |b| b.len()) / 1024).min(IN_FLIGHT_KIB as usize)
            as u32;
        let permit = match budget.clone().try_acquire_many_owned(kib) {
            Ok(p) => p,
            Err(_) => {
                let wait = budget.clone().acquire_many_owned(kib);
                match tokio::select! { p = wait => p.ok(), _ = channel.closed() => None } {
                    Some(p) => p,
                    None => break,
                }
            }
        };
        let ch = channel.clone();
        let h = handler.clone();
        let span = tracing::debug_span!("req", code = cmd.code, opaque = cmd.opaque);
        tokio::spawn(
            async move {
                let _permit = permit;
                let opaque = cmd.opaque;
                let oneway = cmd.is_oneway();
                let st = cmd.serialize_type;
                if let Some(mut resp) = h.handle(ch.clone(), cmd).await {
                    if oneway {
                        return;
                    }
                    resp.opaque = opaque;
                    resp.mark_response();
                    resp.serialize_type = st;
                    let _ = ch.send(resp).await;
                }
            }
            .instrument(span),
        );
    }
    channel.close();
    handler.on_close(&channel);
}
