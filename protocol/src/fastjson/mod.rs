//! fastjson 1.2.69-compatible JSON, as RocketMQ 4.9.7 reads and writes it.
//!
//! **Reading** ([`from_slice`], [`parse`]) accepts everything Java writes and the extra
//! syntax fastjson's parser allows: unquoted keys (`{code:105}`, `{0:"a"}`), single-quoted
//! strings, numbers and objects as keys (`{{"brokerName":"b","queueId":0,"topic":"t"}:…}`),
//! comments, extra commas, Java number suffixes, trailing whitespace. Trailing garbage,
//! unclosed containers, nesting beyond [`ParseOptions::max_depth`] and inputs beyond
//! [`ParseOptions::max_input`] are errors; nothing panics. Invalid UTF-8 is replaced by
//! U+FFFD (Java decodes bodies with `new String(bytes, UTF_8)`).
//!
//! **Writing** ([`to_string`], [`to_vec`]) produces exactly `JSON.toJSONString(obj)` with
//! default features: bean properties sorted by name, nulls omitted, enums by name, string
//! keys quoted, `Long`/`Integer` keys bare (`{0:"…"}`), bean keys as objects, strings escaped
//! like `SerializeWriter` (uppercase `\u001F`, `/` and non-ASCII raw, U+2028/9 escaped),
//! doubles Java-style (`1.0E20`, NaN as `null`). [`to_string_standard`] is the route body
//! for clients ≥ 4.9.4 (`BrowserCompatible` + `MapSortField`), [`to_string_pretty`] the
//! `PrettyFormat` of the broker's config files.
//!
//! Rust types map to Java through serde: a struct is a bean (fields sorted when written, so
//! declaration order does not matter), a map is a `Map` (written in iteration order: use the
//! [`order`] helpers for Java `HashMap` order), `Option::None` is null, unit enum variants
//! are names. Reading a struct ignores unknown keys and is lenient about types the way
//! fastjson is (see [`from_value`]).

mod de;
pub mod order;
mod parse;
mod ser;
mod value;
mod write;

use serde::de::DeserializeOwned;
use serde::Serialize;

pub use de::{from_value, lenient, lenient_or_default};
pub use ser::{to_value, ValueSerializer, BEAN_MARKER, SET_MARKER};
pub use value::{java_string_cmp, java_string_hash, Number, Value};
pub use write::{java_double_to_string, java_float_to_string};

/// Default nesting limit (fastjson itself stops object keys at 512 levels).
pub const DEFAULT_MAX_DEPTH: usize = 512;
/// Default input size limit: larger than any frame (16 MiB).
pub const DEFAULT_MAX_INPUT: usize = 32 << 20;

/// Errors of the fastjson reader and of typed (de)serialization.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Malformed text.
    #[error("syntax error at byte {pos}: {msg}")]
    Syntax {
        /// Byte offset in the (lossily decoded) text.
        pos: usize,
        /// What was wrong.
        msg: String,
    },
    /// The input ended inside a value, or was empty.
    #[error("unexpected end of JSON input")]
    Eof,
    /// Text after the value ("not close json text").
    #[error("trailing characters at byte {0}")]
    TrailingCharacters(usize),
    /// Nesting deeper than the limit.
    #[error("nesting deeper than {0} levels")]
    TooDeep(usize),
    /// Input larger than the limit.
    #[error("input of {len} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Input length.
        len: usize,
        /// Limit.
        limit: usize,
    },
    /// A value does not fit the requested type, or a custom serde error.
    #[error("{0}")]
    Custom(String),
}

/// Reader limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseOptions {
    /// Maximum nesting of objects and arrays.
    pub max_depth: usize,
    /// Maximum input length in bytes.
    pub max_input: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            max_depth: DEFAULT_MAX_DEPTH,
            max_input: DEFAULT_MAX_INPUT,
        }
    }
}

/// Writer features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriteOptions {
    /// `BrowserCompatible` + `MapSortField` (+ the defaults): the route body (T3).
    pub standard: bool,
    /// `PrettyFormat`: TAB-indented, as the broker's config files.
    pub pretty: bool,
}

impl WriteOptions {
    /// Default features (`JSON.toJSONString(obj)`).
    pub const DEFAULT: WriteOptions = WriteOptions {
        standard: false,
        pretty: false,
    };
    /// The standard form of the route body.
    pub const STANDARD: WriteOptions = WriteOptions {
        standard: true,
        pretty: false,
    };
    /// `JSON.toJSONString(obj, true)`.
    pub const PRETTY: WriteOptions = WriteOptions {
        standard: false,
        pretty: true,
    };
}

/// Parse text into a [`Value`].
pub fn parse_str(text: &str) -> Result<Value, Error> {
    parse::parse_document(text, ParseOptions::default())
}

/// Parse bytes (UTF-8, invalid sequences replaced) into a [`Value`].
pub fn parse(bytes: &[u8]) -> Result<Value, Error> {
    parse_with(bytes, ParseOptions::default())
}

/// Parse bytes into a [`Value`] with explicit limits.
pub fn parse_with(bytes: &[u8], options: ParseOptions) -> Result<Value, Error> {
    if bytes.len() > options.max_input {
        return Err(Error::TooLarge {
            len: bytes.len(),
            limit: options.max_input,
        });
    }
    let text = String::from_utf8_lossy(bytes);
    parse::parse_document(&text, options)
}

/// Decode a typed value from bytes, like `JSON.parseObject(new String(bytes, UTF_8), T.class)`.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    from_value(parse(bytes)?)
}

/// Decode a typed value from text.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    from_value(parse_str(text)?)
}

/// Encode with the given features.
pub fn to_string_with<T: Serialize + ?Sized>(
    value: &T,
    options: WriteOptions,
) -> Result<String, Error> {
    Ok(write::write_value(&to_value(value)?, options))
}

/// `JSON.toJSONString(obj)`.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    to_string_with(value, WriteOptions::DEFAULT)
}

/// `RemotingSerializable.encode(obj)`: [`to_string`] as UTF-8 bytes.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    to_string(value).map(String::into_bytes)
}

/// The standard form (T3): `BrowserCompatible`, `QuoteFieldNames`, `SkipTransientField`,
/// `MapSortField`. Quoted, sorted map keys; `\uXXXX` for non-ASCII; big longs as strings.
pub fn to_string_standard<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    to_string_with(value, WriteOptions::STANDARD)
}

/// [`to_string_standard`] as bytes.
pub fn to_vec_standard<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    to_string_standard(value).map(String::into_bytes)
}

/// `JSON.toJSONString(obj, true)` (config files).
pub fn to_string_pretty<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    to_string_with(value, WriteOptions::PRETTY)
}

/// [`to_string_pretty`] as bytes.
pub fn to_vec_pretty<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    to_string_pretty(value).map(String::into_bytes)
}

#[cfg(test)]
mod tests;
