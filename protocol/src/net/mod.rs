//! Async remoting over TCP: one [`Channel`] per connection (a reader task and a writer task
//! joined by a bounded queue), a [`serve`] loop for servers and a [`RemotingClient`] with a
//! connection cache for clients.
//!
//! Both directions carry requests and responses on one connection (the broker pushes
//! `NOTIFY_CONSUMER_IDS_CHANGED` to clients): dispatch is on flag bit 0, responses are matched
//! to pending requests by `opaque`. The connection layer, not the handler, stamps the reply's
//! `opaque`, response flag and codec. Each request is handled on its own task, so replies may
//! leave out of order (as with Java's processor thread pools).

mod channel;
mod client;
mod server;

pub use channel::{Channel, RequestHandler};
pub use client::RemotingClient;
pub use server::{serve, ServerConfig};
