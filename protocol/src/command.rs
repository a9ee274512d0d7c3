//! `RemotingCommand`: the one message type of the remoting protocol, for requests and
//! responses alike (mirrors `remoting/.../protocol/RemotingCommand.java`).
//!
//! Flag bits: bit 0 (`RPC_TYPE`) = response, bit 1 (`RPC_ONEWAY`) = oneway request.
//! `extFields` carries the typed custom header flattened to string pairs (see [`crate::header`]).

use std::sync::atomic::{AtomicI32, Ordering};

use bytes::Bytes;

use crate::code::version;
use crate::error::ProtocolError;
use crate::header::CommandHeader;

/// Flag bit 0: the command is a response.
pub const RPC_TYPE_RESPONSE: i32 = 1;
/// Flag bit 1: the request is oneway (no response is ever written).
pub const RPC_ONEWAY: i32 = 2;

/// Header serialisation of a frame (`SerializeType`): byte 4 of the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SerializeType {
    /// fastjson text header (what quickstart clients and mqadmin send).
    #[default]
    Json,
    /// The binary `RocketMQSerializable` header (what the benchmark tools send).
    RocketMq,
}

impl SerializeType {
    /// The frame byte.
    pub fn code(self) -> u8 {
        match self {
            SerializeType::Json => 0,
            SerializeType::RocketMq => 1,
        }
    }
    /// From the frame byte.
    pub fn from_code(b: u8) -> Option<Self> {
        match b {
            0 => Some(SerializeType::Json),
            1 => Some(SerializeType::RocketMq),
            _ => None,
        }
    }
    /// The enum name Java writes in JSON headers.
    pub fn name(self) -> &'static str {
        match self {
            SerializeType::Json => "JSON",
            SerializeType::RocketMq => "ROCKETMQ",
        }
    }
}

/// `LanguageCode`; the byte value equals the Java enum code. Unknown values are kept raw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LanguageCode(pub u8);

const LANGUAGE_NAMES: [&str; 13] = [
    "JAVA", "CPP", "DOTNET", "PYTHON", "DELPHI", "ERLANG", "RUBY", "OTHER", "HTTP", "GO", "PHP", "OMS",
    "RUST",
];

impl LanguageCode {
    /// Java.
    pub const JAVA: LanguageCode = LanguageCode(0);
    /// Rust (added in 4.9.4).
    pub const RUST: LanguageCode = LanguageCode(12);
    /// Java's enum name, if the code is known.
    pub fn name(self) -> Option<&'static str> {
        LANGUAGE_NAMES.get(self.0 as usize).copied()
    }
    /// From the enum name (case-sensitive, like Java's `valueOf`).
    pub fn from_name(name: &str) -> Option<Self> {
        LANGUAGE_NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| LanguageCode(i as u8))
    }
}

impl Default for LanguageCode {
    fn default() -> Self {
        LanguageCode::JAVA
    }
}

/// The custom header fields of a command, as ordered string pairs.
///
/// A small vector rather than a hash map: headers have a handful of keys, insertion order is
/// kept (the binary codec writes FastCodes headers in a fixed order) and lookups stay cheap.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtFields(Vec<(String, String)>);

impl ExtFields {
    /// An empty set.
    pub fn new() -> Self {
        ExtFields(Vec::new())
    }
    /// With room for `n` pairs.
    pub fn with_capacity(n: usize) -> Self {
        ExtFields(Vec::with_capacity(n))
    }
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    /// Set `key` (replacing any previous value).
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) {
        let key = key.into();
        let value = value.into();
        if let Some(slot) = self.0.iter_mut().find(|(k, _)| *k == key) {
            slot.1 = value;
        } else {
            self.0.push((key, value));
        }
    }
    /// Append without checking for an existing key (decoders use this; later keys win on `get`
    /// only through `insert`, so decoders call `insert`).
    pub fn push(&mut self, key: String, value: String) {
        self.0.push((key, value));
    }
    /// Remove `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        let pos = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(pos).1)
    }
    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// No pairs.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for ExtFields {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut e = ExtFields::new();
        for (k, v) in iter {
            e.insert(k, v);
        }
        e
    }
}

static NEXT_OPAQUE: AtomicI32 = AtomicI32::new(0);

/// The next opaque of this process (Java keeps one static counter per JVM).
pub fn next_opaque() -> i32 {
    NEXT_OPAQUE.fetch_add(1, Ordering::Relaxed)
}

/// One request or response.
#[derive(Debug, Clone, PartialEq)]
pub struct RemotingCommand {
    /// Request code (requests) or response code (responses).
    pub code: i32,
    /// Sender's language.
    pub language: LanguageCode,
    /// Sender's `MQVersion` ordinal (407 = V4_9_7).
    pub version: i32,
    /// Request id; a response copies its request's.
    pub opaque: i32,
    /// Bit 0 response, bit 1 oneway.
    pub flag: i32,
    /// Free text, mostly for errors.
    pub remark: Option<String>,
    /// The flattened custom header. `None` is distinct from empty: JSON writes `"extFields":{}`
    /// only for `Some`.
    pub ext_fields: Option<ExtFields>,
    /// The header codec this command was (or will be) encoded with.
    pub serialize_type: SerializeType,
    /// The body; `None` when empty.
    pub body: Option<Bytes>,
}

impl Default for RemotingCommand {
    fn default() -> Self {
        RemotingCommand {
            code: 0,
            language: LanguageCode::JAVA,
            version: version::V4_9_7,
            opaque: 0,
            flag: 0,
            remark: None,
            ext_fields: None,
            serialize_type: SerializeType::Json,
            body: None,
        }
    }
}

impl RemotingCommand {
    /// A new request with a fresh opaque and no header.
    pub fn request(code: i32) -> Self {
        RemotingCommand {
            code,
            opaque: next_opaque(),
            ..Default::default()
        }
    }

    /// A new request carrying `header`.
    pub fn request_with<H: CommandHeader>(code: i32, header: &H) -> Self {
        let mut cmd = Self::request(code);
        let mut ext = ExtFields::new();
        header.to_ext_fields(&mut ext);
        cmd.ext_fields = Some(ext);
        cmd
    }

    /// A response (flag bit 0 set); the connection layer copies the request's opaque.
    pub fn response(code: i32, remark: impl Into<Option<String>>) -> Self {
        RemotingCommand {
            code,
            flag: RPC_TYPE_RESPONSE,
            remark: remark.into(),
            ..Default::default()
        }
    }

    /// A SUCCESS response with no remark.
    pub fn success() -> Self {
        Self::response(crate::code::response::SUCCESS, None)
    }

    /// A response carrying `header` (always writes `extFields`, even when empty, like Java's
    /// `createResponseCommand(Class)`).
    pub fn response_with<H: CommandHeader>(code: i32, header: &H) -> Self {
        let mut cmd = Self::response(code, None);
        let mut ext = ExtFields::new();
        header.to_ext_fields(&mut ext);
        cmd.ext_fields = Some(ext);
        cmd
    }

    /// Builder: set the body.
    pub fn with_body(mut self, body: impl Into<Bytes>) -> Self {
        let b: Bytes = body.into();
        self.body = if b.is_empty() { None } else { Some(b) };
        self
    }

    /// Builder: set the remark.
    pub fn with_remark(mut self, remark: impl Into<String>) -> Self {
        self.remark = Some(remark.into());
        self
    }

    /// Builder: set the opaque.
    pub fn with_opaque(mut self, opaque: i32) -> Self {
        self.opaque = opaque;
        self
    }

    /// Builder: mark oneway.
    pub fn oneway(mut self) -> Self {
        self.flag |= RPC_ONEWAY;
        self
    }

    /// Flag bit 0 set.
    pub fn is_response(&self) -> bool {
        self.flag & RPC_TYPE_RESPONSE != 0
    }

    /// Flag bit 1 set.
    pub fn is_oneway(&self) -> bool {
        self.flag & RPC_ONEWAY != 0
    }

    /// Set flag bit 0.
    pub fn mark_response(&mut self) {
        self.flag |= RPC_TYPE_RESPONSE;
    }

    /// One ext field.
    pub fn ext(&self, key: &str) -> Option<&str> {
        self.ext_fields.as_ref().and_then(|e| e.get(key))
    }

    /// Set one ext field (creating `extFields` if needed).
    pub fn set_ext(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.ext_fields
            .get_or_insert_with(ExtFields::new)
            .insert(key, value);
    }

    /// Decode the typed header from `extFields` (an absent map reads as empty).
    pub fn decode_header<H: CommandHeader>(&self) -> Result<H, ProtocolError> {
        static EMPTY: ExtFields = ExtFields(Vec::new());
        H::from_ext_fields(self.ext_fields.as_ref().unwrap_or(&EMPTY))
    }

    /// Body bytes or an empty slice.
    pub fn body_bytes(&self) -> &[u8] {
        self.body.as_deref().unwrap_or(&[])
    }
}
