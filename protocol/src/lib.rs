//! RocketMQ 4.9.7 remoting protocol: frames, both header codecs, codes, typed headers,
//! fastjson-compatible bodies, message encodings and a small async remoting client/server.

pub mod body;
pub mod code;
pub mod codec;
pub mod command;
pub mod error;
pub mod fastjson;
pub mod header;
pub mod message;
pub mod net;

pub use command::{ExtFields, LanguageCode, RemotingCommand, SerializeType};
pub use error::ProtocolError;
