//! Request processors and the one dispatch table of the broker.
//!
//! Mirrors `BrokerController.registerProcessor()`: each Java `NettyRequestProcessor` is one
//! file here, exposing `async fn process(broker, ctx, request) -> BrokerResult<Option<Reply>>`.
//! [`dispatch`] routes a request code to its processor, maps `Err` to a response code + remark
//! (the "dispatch edge"), and answers unknown codes like `AdminBrokerProcessor`'s default
//! branch (code 3, `" request type N not supported"`).
//!
//! To add a processor: create `processor/<name>.rs` with a `process` fn, declare it below, and
//! add its codes to the `match` in [`dispatch`] (respecting the VIP-port rule: everything but
//! PULL_MESSAGE is served on `listenPort - 2` too).

pub mod admin;
pub mod client_manage;
pub mod consumer_manage;
pub mod end_transaction;
pub mod pull_message;
pub mod query_message;
pub mod queue_offset;
pub mod reply;
pub mod send_back;
pub mod send_message;

use std::sync::Arc;

use protocol::code::{not_supported_remark, request, response};
use protocol::net::Channel;
use protocol::RemotingCommand;
use tracing::{debug, warn};

use crate::controller::BrokerController;
use crate::error::BrokerResult;

/// Which listener a request arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Port {
    /// `listenPort`.
    Main,
    /// `listenPort - 2` (Java's `fastRemotingServer`; no PULL_MESSAGE there).
    Vip,
}

/// Per-request context (Java's `ChannelHandlerContext`).
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The client connection.
    pub channel: Channel,
    /// The listener.
    pub port: Port,
}

impl RequestContext {
    /// `RemotingHelper.parseChannelRemoteAddr`: `ip:port` of the peer.
    pub fn remote_addr(&self) -> String {
        self.channel.peer_addr().to_string()
    }
}

/// What a processor hands back: a reply, or nothing (oneway, or answered elsewhere).
pub type Reply = Option<RemotingCommand>;

/// Route one request to its processor (Java: the processor table of the remoting server).
pub async fn dispatch(
    broker: &Arc<BrokerController>,
    ctx: RequestContext,
    req: RemotingCommand,
) -> Reply {
    let code = req.code;
    let result: BrokerResult<Reply> = match code {
        request::SEND_MESSAGE | request::SEND_MESSAGE_V2 | request::SEND_BATCH_MESSAGE => {
            send_message::process(broker, &ctx, req).await
        }
        request::CONSUMER_SEND_MSG_BACK => send_back::process(broker, &ctx, req).await,
        request::SEND_REPLY_MESSAGE | request::SEND_REPLY_MESSAGE_V2 => {
            reply::process(broker, &ctx, req).await
        }
        request::END_TRANSACTION => end_transaction::process(broker, &ctx, req).await,
        request::PULL_MESSAGE if ctx.port == Port::Main => {
            pull_message::process(broker, &ctx, req).await
        }
        request::HEART_BEAT | request::UNREGISTER_CLIENT | request::CHECK_CLIENT_CONFIG => {
            client_manage::process(broker, &ctx, req).await
        }
        request::GET_CONSUMER_LIST_BY_GROUP
        | request::UPDATE_CONSUMER_OFFSET
        | request::QUERY_CONSUMER_OFFSET => consumer_manage::process(broker, &ctx, req).await,
        request::QUERY_MESSAGE | request::VIEW_MESSAGE_BY_ID => {
            query_message::process(broker, &ctx, req).await
        }
        request::SEARCH_OFFSET_BY_TIMESTAMP
        | request::GET_MAX_OFFSET
        | request::GET_MIN_OFFSET
        | request::GET_EARLIEST_MSG_STORETIME => queue_offset::process(broker, &ctx, req).await,
        _ => admin::process(broker, &ctx, req).await,
    };
    match result {
        Ok(reply) => reply,
        Err(e) => {
            let resp = e.to_response();
            if resp.code == response::SYSTEM_ERROR {
                warn!(code, peer = %ctx.channel.peer_addr(), error = %e, "request failed");
            } else {
                debug!(code, peer = %ctx.channel.peer_addr(), error = %e, "request refused");
            }
            Some(resp)
        }
    }
}

/// `AdminBrokerProcessor.getUnknownCmdResponse`.
pub fn unknown_code(code: i32) -> RemotingCommand {
    RemotingCommand::response(
        response::REQUEST_CODE_NOT_SUPPORTED,
        Some(not_supported_remark(code)),
    )
}
