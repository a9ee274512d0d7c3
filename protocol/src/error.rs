//! Errors of the protocol crate.

use thiserror::Error;

/// Everything that can go wrong decoding or encoding wire data.
#[derive(Debug, Error)]
pub enum ProtocolError {
    /// The length field is larger than the frame limit.
    #[error("frame length {len} exceeds the limit of {max} bytes")]
    FrameTooLarge {
        /// Announced length (plus the 4-byte length field).
        len: u64,
        /// Limit.
        max: usize,
    },
    /// The frame is structurally invalid.
    #[error("malformed frame: {0}")]
    Malformed(String),
    /// Unknown serialize type byte.
    #[error("unknown serialize type {0}")]
    BadSerializeType(u8),
    /// The JSON header could not be parsed.
    #[error("invalid JSON header: {0}")]
    BadJsonHeader(String),
    /// A required (`@CFNotNull`) header field is missing.
    #[error("the custom field {0} is null")]
    MissingField(&'static str),
    /// A header field could not be parsed.
    #[error("field {field}: cannot parse {value:?}")]
    BadField {
        /// Field name.
        field: &'static str,
        /// Raw value.
        value: String,
    },
    /// A JSON body could not be parsed.
    #[error("invalid body: {0}")]
    BadBody(String),
    /// A message encoding is invalid.
    #[error("invalid message: {0}")]
    BadMessage(String),
    /// I/O failure on a connection.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// A remote call timed out.
    #[error("remote call to {addr} timed out after {millis} ms")]
    Timeout {
        /// Peer.
        addr: String,
        /// Timeout.
        millis: u64,
    },
    /// The connection is closed.
    #[error("connection to {0} closed")]
    ConnectionClosed(String),
    /// Connecting failed.
    #[error("connect to {addr} failed: {source}")]
    Connect {
        /// Peer.
        addr: String,
        /// Cause.
        source: std::io::Error,
    },
}
