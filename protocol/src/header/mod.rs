//! Typed custom headers: each request/response header of 4.9.7 as a Rust struct that
//! flattens to and from `extFields` (mirrors `RemotingCommand.makeCustomHeaderToNet` and
//! `decodeCommandCustomHeader`).
//!
//! Encoding rules (protocol.md §5): strings as is, integers in decimal, primitive booleans are
//! always written (`"true"`/`"false"`), `Option`s only when set. Decoding: a missing required
//! field is an error ([`ProtocolError::MissingField`]); a bad number is an error (Java swallows
//! it and fails later with an NPE; we answer with a clear remark instead). Unknown keys are
//! ignored (mqadmin adds `AccessKey`/`Signature`).

use crate::command::ExtFields;
use crate::error::ProtocolError;

/// A typed header that travels in `extFields`.
pub trait CommandHeader: Sized {
    /// Flatten into `ext`.
    fn to_ext_fields(&self, ext: &mut ExtFields);
    /// Read from `ext`.
    fn from_ext_fields(ext: &ExtFields) -> Result<Self, ProtocolError>;
}

/// The empty header (classes with no fields, e.g. `UnregisterClientResponseHeader`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmptyHeader;

impl CommandHeader for EmptyHeader {
    fn to_ext_fields(&self, _ext: &mut ExtFields) {}
    fn from_ext_fields(_ext: &ExtFields) -> Result<Self, ProtocolError> {
        Ok(EmptyHeader)
    }
}

/// One field type of a header: how it is written and read.
pub trait HeaderField: Sized {
    /// Write under `key` (or skip when absent).
    fn put(&self, key: &str, ext: &mut ExtFields);
    /// Read `key`.
    fn take(ext: &ExtFields, key: &'static str) -> Result<Self, ProtocolError>;
}

/// Java `Boolean.parseBoolean`: only a case-insensitive "true" is true.
pub fn parse_java_bool(s: &str) -> bool {
    s.eq_ignore_ascii_case("true")
}

macro_rules! num_field {
    ($($t:ty),*) => {$(
        impl HeaderField for $t {
            fn put(&self, key: &str, ext: &mut ExtFields) {
                ext.insert_display(key, self);
            }
            fn take(ext: &ExtFields, key: &'static str) -> Result<Self, ProtocolError> {
                let v = ext.get(key).ok_or(ProtocolError::MissingField(key))?;
                v.parse::<$t>().map_err(|_| ProtocolError::BadField { field: key, value: v.to_string() })
            }
        }
        impl HeaderField for Option<$t> {
            fn put(&self, key: &str, ext: &mut ExtFields) {
                if let Some(v) = self { ext.insert_display(key, v); }
            }
            fn take(ext: &ExtFields, key: &'static str) -> Result<Self, ProtocolError> {
                match ext.get(key) {
                    None => Ok(None),
                    Some(v) => v.parse::<$t>().map(Some)
                        .map_err(|_| ProtocolError::BadField { field: key, value: v.to_string() }),
                }
            }
        }
    )*};
}
num_field!(i32, i64, f64);

impl HeaderField for String {
    fn put(&self, key: &str, ext: &mut ExtFields) {
        ext.insert(key, self);
    }
    fn take(ext: &ExtFields, key: &'static str) -> Result<Self, ProtocolError> {
        ext.get(key)
            .map(str::to_string)
            .ok_or(ProtocolError::MissingField(key))
    }
}

impl HeaderField for Option<String> {
    fn put(&self, key: &str, ext: &mut ExtFields) {
        if let Some(v) = self {
            ext.insert(key, v);
        }
    }
    fn take(ext: &ExtFields, key: &'static str) -> Result<Self, ProtocolError> {
        Ok(ext.get(key).map(str::to_string))
    }
}

/// Primitive `boolean`: always written; missing reads as false.
impl HeaderField for bool {
    fn put(&self, key: &str, ext: &mut ExtFields) {
        ext.insert(key, if *self { "true" } else { "false" });
    }
    fn take(ext: &ExtFields, key: &'static str) -> Result<Self, ProtocolError> {
        Ok(ext.get(key).map(parse_java_bool).unwrap_or(false))
    }
}

/// Boxed `Boolean`: written only when set.
impl HeaderField for Option<bool> {
    fn put(&self, key: &str, ext: &mut ExtFields) {
        if let Some(v) = self {
            ext.insert(key, if *v { "true" } else { "false" });
        }
    }
    fn take(ext: &ExtFields, key: &'static str) -> Result<Self, ProtocolError> {
        Ok(ext.get(key).map(parse_java_bool))
    }
}

/// Define a typed header struct with its `extFields` key for each field.
///
/// ```ignore
/// header! {
///     /// `GetRouteInfoRequestHeader`
///     GetRouteInfoRequestHeader {
///         topic: String => "topic",
///         accept_standard_json_only: Option<bool> => "acceptStandardJsonOnly",
///     }
/// }
/// ```
/// `String`/`i32`/`i64` fields are required (`@CFNotNull`), `Option<_>` fields optional, `bool`
/// is a primitive boolean.
#[macro_export]
macro_rules! header {
    ($(#[$m:meta])* $name:ident { $( $(#[$fm:meta])* $field:ident : $ty:ty => $key:literal ),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name { $( $(#[$fm])* pub $field: $ty, )* }
        impl $crate::header::CommandHeader for $name {
            #[allow(unused_variables)]
            fn to_ext_fields(&self, ext: &mut $crate::command::ExtFields) {
                $( $crate::header::HeaderField::put(&self.$field, $key, ext); )*
            }
            #[allow(unused_variables)]
            fn from_ext_fields(ext: &$crate::command::ExtFields) -> Result<Self, $crate::error::ProtocolError> {
                Ok($name { $( $field: $crate::header::HeaderField::take(ext, $key)?, )* })
            }
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Typed headers of every 4.9.7 header class, grouped by area (see each module's table).

pub mod acl;
pub mod admin;
pub mod catalog;
pub mod consumer;
pub mod filtersrv;
pub mod namesrv;
pub mod pull;
pub mod send;
pub mod transaction;

pub use acl::*;
pub use admin::*;
pub use consumer::*;
pub use filtersrv::*;
pub use namesrv::*;
pub use pull::*;
pub use send::*;
pub use transaction::*;
