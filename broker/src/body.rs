//! The JSON bodies the broker reads and writes (re-exported from `protocol::body`, the one
//! place that mirrors Java's `RemotingSerializable` classes).

pub use protocol::body::*;
