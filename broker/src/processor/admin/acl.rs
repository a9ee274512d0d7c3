//! ACL administration (codes 50-54), answered the way a 4.9.7 broker with `aclEnable=false`
//! (the default, and the only mode this broker has) answers them.
//!
//! Such a broker never registers a `PlainAccessValidator`, so `AdminBrokerProcessor` calls a
//! method on `null`: UPDATE_AND_CREATE_ACL_CONFIG, DELETE_ACL_CONFIG and
//! UPDATE_GLOBAL_WHITE_ADDRS_CONFIG catch the `NullPointerException` and answer their
//! `*_FAILED` code with the exception message (JDK 14+ "helpful" NPE text, what the JDK 17
//! the compat tests run prints); GET_BROKER_CLUSTER_ACL_INFO and GET_BROKER_CLUSTER_ACL_CONFIG
//! catch it, log it and return `null`, so no reply is sent at all.

use std::sync::Arc;

use protocol::code::{request, response};
use protocol::RemotingCommand;
use tracing::warn;

use crate::controller::BrokerController;
use crate::error::BrokerResult;
use crate::processor::{Reply, RequestContext};

/// The NPE message for `accessValidator.<call>` on a null validator.
fn npe(call: &str) -> String {
    format!("Cannot invoke \"org.apache.rocketmq.acl.AccessValidator.{call}\" because \"accessValidator\" is null")
}

/// Entry point for codes 50-54.
pub fn process(
    _broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    let reply = match req.code {
        request::UPDATE_AND_CREATE_ACL_CONFIG => Some(RemotingCommand::response(
            response::UPDATE_AND_CREATE_ACL_CONFIG_FAILED,
            Some(npe(
                "updateAccessConfig(org.apache.rocketmq.common.PlainAccessConfig)",
            )),
        )),
        request::DELETE_ACL_CONFIG => Some(RemotingCommand::response(
            response::DELETE_ACL_CONFIG_FAILED,
            Some(npe("deleteAccessConfig(String)")),
        )),
        request::UPDATE_GLOBAL_WHITE_ADDRS_CONFIG => Some(RemotingCommand::response(
            response::UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED,
            Some(npe("updateGlobalWhiteAddrsConfig(java.util.List, String)")),
        )),
        _ => None,
    };
    if reply.is_none() {
        warn!(code = req.code, peer = %ctx.remote_addr(), "ACL is not enabled on this broker; no reply (as Java)");
    } else {
        warn!(code = req.code, peer = %ctx.remote_addr(), "ACL is not enabled on this broker");
    }
    Ok(reply)
}
