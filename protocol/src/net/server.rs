//! The accept loop shared by the namesrv and the broker.

use std::future::Future;
use std::sync::Arc;

use tokio::net::TcpListener;
use tracing::{info, warn};

use super::channel::{Channel, RequestHandler};
use crate::codec::FRAME_BYTES_MAX_DEFAULT;

/// Server limits.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest frame accepted (length field included).
    pub frame_bytes_max: usize,
    /// Most connections served at once; further ones are closed at accept.
    pub connections_max: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            frame_bytes_max: FRAME_BYTES_MAX_DEFAULT,
            connections_max: 65536,
        }
    }
}

/// Accept connections on `listener` until `shutdown` completes.
pub async fn serve<H: RequestHandler>(
    listener: TcpListener,
    handler: Arc<H>,
    config: ServerConfig,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let live = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(x) => x,
            Err(e) => {
                warn!(error = %e, "accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        if live.load(std::sync::atomic::Ordering::Relaxed) >= config.connections_max {
            warn!(%peer, "connection limit reached; closing");
            drop(stream);
            continue;
        }
        match Channel::spawn(stream, handler.clone(), config.frame_bytes_max) {
            Ok(ch) => {
                live.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let live = live.clone();
                tokio::spawn(async move {
                    ch.closed().await;
                    live.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
                });
            }
            Err(e) => warn!(%peer, error = %e, "connection setup failed"),
        }
    }
    info!("server stopped accepting");
}
