//! A remoting client with one cached connection per address.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpStream;

use super::channel::{Channel, RequestHandler};
use crate::code::{not_supported_remark, response};
use crate::codec::FRAME_BYTES_MAX_DEFAULT;
use crate::command::RemotingCommand;
use crate::error::ProtocolError;

/// Answers every server-pushed request with REQUEST_CODE_NOT_SUPPORTED, as a Java client
/// without a processor for the code does.
#[derive(Debug, Default)]
pub struct RejectAll;

impl RequestHandler for RejectAll {
    async fn handle(
        self: Arc<Self>,
        _ch: Channel,
        req: RemotingCommand,
    ) -> Option<RemotingCommand> {
        Some(RemotingCommand::response(
            response::REQUEST_CODE_NOT_SUPPORTED,
            Some(not_supported_remark(req.code)),
        ))
    }
}

/// Client side of the protocol.
pub struct RemotingClient<H: RequestHandler = RejectAll> {
    handler: Arc<H>,
    channels: tokio::sync::Mutex<HashMap<String, Channel>>,
    connect_timeout: Duration,
}

impl RemotingClient<RejectAll> {
    /// A client that rejects server-pushed requests.
    pub fn new() -> Self {
        Self::with_handler(Arc::new(RejectAll))
    }
}

impl Default for RemotingClient<RejectAll> {
    fn default() -> Self {
        Self::new()
    }
}

impl<H: RequestHandler> RemotingClient<H> {
    /// A client whose connections pass server-pushed requests to `handler`.
    pub fn with_handler(handler: Arc<H>) -> Self {
        RemotingClient {
            handler,
            channels: tokio::sync::Mutex::new(HashMap::new()),
            connect_timeout: Duration::from_secs(3),
        }
    }

    /// The live connection to `addr` ("host:port"), connecting if needed.
    pub async fn channel(&self, addr: &str) -> Result<Channel, ProtocolError> {
        let mut map = self.channels.lock().await;
        if let Some(ch) = map.get(addr) {
            if !ch.is_closed() {
                return Ok(ch.clone());
            }
        }
        let stream = tokio::time::timeout(self.connect_timeout, TcpStream::connect(addr))
            .await
            .map_err(|_| ProtocolError::Timeout {
                addr: addr.to_string(),
                millis: self.connect_timeout.as_millis() as u64,
            })?
            .map_err(|source| ProtocolError::Connect {
                addr: addr.to_string(),
                source,
            })?;
        let ch = Channel::spawn(stream, self.handler.clone(), FRAME_BYTES_MAX_DEFAULT)?;
        map.insert(addr.to_string(), ch.clone());
        Ok(ch)
    }

    /// Request/response; on timeout the connection is closed, as Java's client does.
    pub async fn invoke(
        &self,
        addr: &str,
        cmd: RemotingCommand,
        timeout: Duration,
    ) -> Result<RemotingCommand, ProtocolError> {
        let ch = self.channel(addr).await?;
        let r = ch.invoke(cmd, timeout).await;
        if matches!(r, Err(ProtocolError::Timeout { .. })) {
            ch.close();
        }
        r
    }

    /// Oneway request.
    pub async fn invoke_oneway(
        &self,
        addr: &str,
        cmd: RemotingCommand,
    ) -> Result<(), ProtocolError> {
        self.channel(addr).await?.send_oneway(cmd).await
    }

    /// Close the connection to `addr`, if any.
    pub async fn close(&self, addr: &str) {
        if let Some(ch) = self.channels.lock().await.remove(addr) {
            ch.close();
        }
    }
}
