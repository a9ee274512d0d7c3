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
    "JAVA", "CPP", "DOTNET", "PYTHON", "DELPHI", "ERLANG", "RUBY", "OTHER", "HTTP", "GO", "PHP",
    "OMS", "RUST",
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
/// All keys and values live back to back in one string (`text`, spans index it), so decoding
/// a header costs two allocations instead of two per field.
#[derive(Clone, Default)]
pub struct ExtFields {
    text: String,
    /// (key start, key end, value start, value end) in `text`, in insertion order
    spans: Vec<[u32; 4]>,
}

impl ExtFields {
    /// An empty set.
    pub const fn new() -> Self {
        ExtFields {
            text: String::new(),
            spans: Vec::new(),
        }
    }
    /// With room for `n` pairs.
    pub fn with_capacity(n: usize) -> Self {
        ExtFields {
            text: String::with_capacity(n * 16),
            spans: Vec::with_capacity(n),
        }
    }
    /// With room for `pairs` pairs totalling `text_bytes` bytes of keys and values.
    pub(crate) fn with_sizes(pairs: usize, text_bytes: usize) -> Self {
        ExtFields {
            text: String::with_capacity(text_bytes),
            spans: Vec::with_capacity(pairs),
        }
    }
    fn key_of(&self, sp: &[u32; 4]) -> &str {
        &self.text[sp[0] as usize..sp[1] as usize]
    }
    fn value_of(&self, sp: &[u32; 4]) -> &str {
        &self.text[sp[2] as usize..sp[3] as usize]
    }
    fn position(&self, key: &str) -> Option<usize> {
        self.spans.iter().position(|sp| self.key_of(sp) == key)
    }
    fn append(&mut self, s: &str) -> (u32, u32) {
        let a = self.text.len();
        self.text.push_str(s);
        (a as u32, self.text.len() as u32)
    }
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.spans
            .iter()
            .find(|sp| self.key_of(sp) == key)
            .map(|sp| self.value_of(sp))
    }
    /// Set `key` (replacing any previous value).
    pub fn insert(&mut self, key: impl AsRef<str>, value: impl AsRef<str>) {
        let (key, value) = (key.as_ref(), value.as_ref());
        match self.position(key) {
            Some(i) => {
                let (vs, ve) = self.append(value);
                self.spans[i][2] = vs;
                self.spans[i][3] = ve;
            }
            None => self.push_str(key, value),
        }
    }
    /// Set `key` to the `Display` form of `value` (no intermediate `String`).
    pub fn insert_display(&mut self, key: &str, value: impl std::fmt::Display) {
        use std::fmt::Write;
        let i = self.position(key);
        let (ks, ke) = match i {
            Some(i) => (self.spans[i][0], self.spans[i][1]),
            None => self.append(key),
        };
        let vs = self.text.len() as u32;
        let _ = write!(self.text, "{value}");
        let sp = [ks, ke, vs, self.text.len() as u32];
        match i {
            Some(i) => self.spans[i] = sp,
            None => self.spans.push(sp),
        }
    }
    /// Append without checking for an existing key (decoders use this; later keys win on `get`
    /// only through `insert`, so decoders call `insert`).
    pub fn push(&mut self, key: String, value: String) {
        self.push_str(&key, &value);
    }
    fn push_str(&mut self, key: &str, value: &str) {
        let (ks, ke) = self.append(key);
        let (vs, ve) = self.append(value);
        self.spans.push([ks, ke, vs, ve]);
    }
    /// Remove `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        let pos = self.position(key)?;
        let sp = self.spans.remove(pos);
        Some(self.value_of(&sp).to_string())
    }
    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.spans.len()
    }
    /// No pairs.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
    /// The pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.spans
            .iter()
            .map(|sp| (self.key_of(sp), self.value_of(sp)))
    }
}

impl PartialEq for ExtFields {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}
impl Eq for ExtFields {}

impl std::fmt::Debug for ExtFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pairs: Vec<(&str, &str)> = self.iter().collect();
        f.debug_tuple("ExtFields").field(&pairs).finish()
    }
}

impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for ExtFields {
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
    pub fn set_ext(&mut self, key: impl AsRef<str>, value: impl AsRef<str>) {
        self.ext_fields
            .get_or_insert_with(ExtFields::new)
            .insert(key, value);
    }

    /// Decode the typed header from `extFields` (an absent map reads as empty).
    pub fn decode_header<H: CommandHeader>(&self) -> Result<H, ProtocolError> {
        static EMPTY: ExtFields = ExtFields::new();
        H::from_ext_fields(self.ext_fields.as_ref().unwrap_or(&EMPTY))
    }

    /// Body bytes or an empty slice.
    pub fn body_bytes(&self) -> &[u8] {
        self.body.as_deref().unwrap_or(&[])
    }
}
