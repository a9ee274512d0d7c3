//! The generic fastjson value: JSON plus the things fastjson adds (object keys of any type,
//! bean/map and list/set distinctions that only matter for pretty output).

use std::cmp::Ordering;
use std::fmt;

/// A number as fastjson keeps it.
#[derive(Debug, Clone, PartialEq)]
pub enum Number {
    /// Any integer that fits in a Java `long` (Java `Integer`/`Long`).
    Int(i64),
    /// A Java `double` (written Java-style, NaN/Infinity as `null`).
    Float(f64),
    /// A Java `float` (written with float precision).
    Float32(f32),
    /// A number kept as its text: parsed decimals (`BigDecimal`) and integers beyond `long`
    /// (`BigInteger`), without any fastjson type suffix.
    Raw(String),
}

impl Number {
    /// The value as an `i64`, if it is an integer in range (a decimal is truncated toward zero
    /// like Java's `BigDecimal.longValue()` when it is within range).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::Float(f) => float_to_i64(*f),
            Number::Float32(f) => float_to_i64(f64::from(*f)),
            Number::Raw(s) => {
                if let Ok(i) = s.parse::<i64>() {
                    return Some(i);
                }
                let f = s.parse::<f64>().ok()?;
                if f.is_finite() && f.abs() < 9.2e18 {
                    // Only accept decimals, not integers that overflowed a long.
                    if s.contains(['.', 'e', 'E']) {
                        return Some(f.trunc() as i64);
                    }
                }
                None
            }
        }
    }

    /// The value as an `f64` (big integers and decimals are rounded).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Number::Int(i) => Some(*i as f64),
            Number::Float(f) => Some(*f),
            Number::Float32(f) => Some(f64::from(*f)),
            Number::Raw(s) => s.parse::<f64>().ok(),
        }
    }

    /// True for `Int` and for `Raw` text without a fraction or exponent.
    pub fn is_integer(&self) -> bool {
        match self {
            Number::Int(_) => true,
            Number::Raw(s) => !s.contains(['.', 'e', 'E']),
            _ => false,
        }
    }
}

fn float_to_i64(f: f64) -> Option<i64> {
    if f.is_finite() && f.abs() < 9.2e18 {
        Some(f.trunc() as i64)
    } else {
        None
    }
}

/// A fastjson value.
///
/// Parsing produces `Null`, `Bool`, `Number`, `String`, `Array` and `Object`. The serializer
/// additionally produces `Bean` (a Java bean: properties sorted by name, written like an
/// object but formatted differently in pretty mode) and `Set` (a Java `Set`/`Collection`
/// other than `List`: written like an array, but on one line in pretty mode).
///
/// Object keys can be any value: fastjson writes `Map<Long,…>` keys as bare numbers and bean
/// keys as JSON objects. `Null` entries of objects and beans are never written (fastjson
/// omits null properties and null map values).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// `null` (also `undefined` and `NULL` when parsing).
    #[default]
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// A list, in order.
    Array(Vec<Value>),
    /// A set (written like an array).
    Set(Vec<Value>),
    /// A map: entries in the order they are written; keys of any kind.
    Object(Vec<(Value, Value)>),
    /// A bean: properties (already sorted by name when produced by the serializer).
    Bean(Vec<(String, Value)>),
}

impl Value {
    /// True for `Null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The string, if this is a `String`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is a `Bool`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is a `Number`.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The integer value of a `Number` (see [`Number::as_i64`]).
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// The floating value of a `Number`.
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().and_then(Number::as_f64)
    }

    /// The elements of an `Array` or `Set`.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) | Value::Set(a) => Some(a),
            _ => None,
        }
    }

    /// The entries of an `Object`, or of a `Bean` with its keys turned into `Value::String`.
    pub fn entries(&self) -> Option<Vec<(Value, &Value)>> {
        match self {
            Value::Object(o) => Some(o.iter().map(|(k, v)| (k.clone(), v)).collect()),
            Value::Bean(b) => Some(
                b.iter()
                    .map(|(k, v)| (Value::String(k.clone()), v))
                    .collect(),
            ),
            _ => None,
        }
    }

    /// The value of the last entry whose key is the string `key` (objects and beans).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(o) => o
                .iter()
                .rev()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            Value::Bean(b) => b.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value of the last entry whose key equals `key` exactly (any key kind: `{0:"a"}`
    /// is found with `Value::from(0)`, `{"0":"a"}` with `Value::from("0")`).
    pub fn get_by(&self, key: &Value) -> Option<&Value> {
        match self {
            Value::Object(o) => o.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            Value::Bean(_) => key.as_str().and_then(|k| self.get(k)),
            _ => None,
        }
    }

    /// Compact fastjson text of this value (default features).
    pub fn to_json(&self) -> String {
        super::write::write_value(self, super::WriteOptions::default())
    }

    /// Text of this value with the given options.
    pub fn to_json_with(&self, options: super::WriteOptions) -> String {
        super::write::write_value(self, options)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(i: $t) -> Self {
                Value::Number(Number::Int(i64::from(i)))
            }
        }
    )*};
}
from_int!(i8, i16, i32, i64, u8, u16, u32);

impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Number(Number::Float(f))
    }
}

impl From<f32> for Value {
    fn from(f: f32) -> Self {
        Value::Number(Number::Float32(f))
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Value::Array(v)
    }
}

/// Compare two strings like Java's `String.compareTo` (UTF-16 code units).
pub fn java_string_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Java's `String.hashCode()`.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// `(topic, brokerName, queueId)` if the value looks like a `MessageQueue` bean.
pub(crate) fn as_message_queue(v: &Value) -> Option<(&str, &str, i64)> {
    fn pick<'a>(k: &str, v: &'a Value, acc: &mut (Option<&'a str>, Option<&'a str>, Option<i64>)) {
        match k {
            "topic" => acc.0 = v.as_str(),
            "brokerName" => acc.1 = v.as_str(),
            "queueId" => acc.2 = v.as_i64(),
            _ => {}
        }
    }
    let mut acc = (None, None, None);
    match v {
        Value::Bean(b) if b.len() == 3 => b.iter().for_each(|(k, v)| pick(k, v, &mut acc)),
        Value::Object(o) if o.len() == 3 => {
            for (k, v) in o {
                pick(k.as_str()?, v, &mut acc);
            }
        }
        _ => return None,
    }
    Some((acc.0?, acc.1?, acc.2?))
}

/// Natural order of two keys the way a Java `TreeMap` would sort them, if they are
/// comparable: strings by UTF-16 units, numbers by value, booleans, and `MessageQueue`
/// beans by `compareTo` (topic, brokerName, queueId).
pub(crate) fn natural_cmp(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::String(x), Value::String(y)) => Some(java_string_cmp(x, y)),
        (Value::Number(x), Value::Number(y)) => {
            if let (Number::Int(i), Number::Int(j)) = (x, y) {
                return Some(i.cmp(j));
            }
            let (x, y) = (x.as_f64()?, y.as_f64()?);
            x.partial_cmp(&y)
        }
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => {
            let (t1, b1, q1) = as_message_queue(a)?;
            let (t2, b2, q2) = as_message_queue(b)?;
            Some(
                java_string_cmp(t1, t2)
                    .then_with(|| java_string_cmp(b1, b2))
                    .then_with(|| q1.cmp(&q2)),
            )
        }
    }
}
