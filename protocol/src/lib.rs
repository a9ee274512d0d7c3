//! RocketMQ 4.9.7 remoting protocol: frames, both header codecs, codes, typed headers,
//! fastjson-compatible bodies, message encodings and a small async remoting client/server.

pub mod body;
pub mod fastjson;
pub mod message;
