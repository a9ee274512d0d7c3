//! serde `Deserializer` over a [`Value`], lenient the way fastjson's `TypeUtils.cast*` and
//! bean deserializers are.
//!
//! * Numbers from strings (`"code":"105"`), strings from numbers and booleans, booleans from
//!   numbers (`1` = true) and strings (`"true"`, `"Y"`, `"1"`…), `null` as 0/false/"".
//! * Integers are range-checked (a value beyond `int` for an `i32` field is an error, like
//!   Java's "parseInt error"); decimals are truncated.
//! * Struct fields: null entries are skipped (the field keeps its default, as a Java
//!   primitive keeps its initializer), the last duplicate wins, unknown keys are ignored,
//!   and names match fastjson's "smart match" (case-insensitive, `_`/`-` ignored, optional
//!   `is` prefix).
//! * Enums from their name (exact, then case-insensitive) or from the ordinal.
//! * Map keys of any type: `{0:"a"}` and `{"0":"a"}` both give an integer key; object keys
//!   give bean keys; a string holding JSON gives a bean key too.

use std::collections::HashMap;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, MapAccess,
    SeqAccess, VariantAccess, Visitor,
};
use serde::Deserialize;

use super::value::{Number, Value};
use super::write::java_double_to_string;
use super::{parse_str, Error};

/// Deserialize a typed value from a [`Value`].
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, Error> {
    T::deserialize(value)
}

/// serde helper (`deserialize_with`): `None` instead of an error when the value does not
/// deserialize, the way fastjson sets an unknown enum name to `null`.
pub fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let v = Value::deserialize(deserializer)?;
    if v.is_null() {
        return Ok(None);
    }
    Ok(from_value(v).ok())
}

/// serde helper (`deserialize_with`): the type's default when the value does not deserialize.
pub fn lenient_or_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    let v = Value::deserialize(deserializer)?;
    Ok(from_value(v).unwrap_or_default())
}

impl de::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error::Custom(msg.to_string())
    }
}

impl serde::ser::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error::Custom(msg.to_string())
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) | Value::Set(_) => "array",
        Value::Object(_) | Value::Bean(_) => "object",
    }
}

fn invalid(v: &Value, expected: &str) -> Error {
    Error::Custom(format!(
        "invalid type: {}, expected {expected}",
        type_name(v)
    ))
}

/// The integer a fastjson cast would produce.
fn to_i128(v: &Value) -> Result<i128, Error> {
    match v {
        Value::Null => Ok(0),
        Value::Bool(b) => Ok(i128::from(*b)),
        Value::Number(Number::Int(i)) => Ok(i128::from(*i)),
        Value::Number(Number::Float(f)) => float_to_i128(*f),
        Value::Number(Number::Float32(f)) => float_to_i128(f64::from(*f)),
        Value::Number(Number::Raw(s)) => str_to_i128(s),
        Value::String(s) => {
            let t = s.trim();
            if t.is_empty() || t.eq_ignore_ascii_case("null") {
                return Ok(0);
            }
            let t = t.replace(',', "");
            str_to_i128(&t)
        }
        other => Err(invalid(other, "integer")),
    }
}

fn float_to_i128(f: f64) -> Result<i128, Error> {
    if f.is_finite() && f.abs() < 1.7e38 {
        Ok(f.trunc() as i128)
    } else {
        Err(Error::Custom(format!("number {f} out of range")))
    }
}

fn str_to_i128(s: &str) -> Result<i128, Error> {
    let s = s.strip_prefix('+').unwrap_or(s);
    if let Ok(i) = s.parse::<i128>() {
        return Ok(i);
    }
    match s.parse::<f64>() {
        Ok(f) if s.contains(['.', 'e', 'E']) => float_to_i128(f),
        _ => Err(Error::Custom(format!("cannot parse {s:?} as an integer"))),
    }
}

fn to_f64(v: &Value) -> Result<f64, Error> {
    match v {
        Value::Null => Ok(0.0),
        Value::Bool(b) => Ok(if *b { 1.0 } else { 0.0 }),
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| Error::Custom("invalid number".into())),
        Value::String(s) => {
            let t = s.trim();
            if t.is_empty() || t.eq_ignore_ascii_case("null") {
                return Ok(0.0);
            }
            t.replace(',', "")
                .parse::<f64>()
                .map_err(|_| Error::Custom(format!("cannot parse {t:?} as a number")))
        }
        other => Err(invalid(other, "number")),
    }
}

fn to_bool(v: &Value) -> Result<bool, Error> {
    match v {
        Value::Null => Ok(false),
        Value::Bool(b) => Ok(*b),
        Value::Number(n) => Ok(n.as_i64() == Some(1)),
        Value::String(s) => match s.trim() {
            "true" | "TRUE" | "True" | "1" | "Y" | "T" => Ok(true),
            "false" | "FALSE" | "False" | "0" | "N" | "F" | "" | "null" | "NULL" => Ok(false),
            t => Err(Error::Custom(format!("cannot cast {t:?} to boolean"))),
        },
        other => Err(invalid(other, "boolean")),
    }
}

/// Text of a scalar for a string field (containers become their JSON text).
fn to_text(v: Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s,
        Value::Bool(b) => b.to_string(),
        Value::Number(Number::Int(i)) => i.to_string(),
        Value::Number(Number::Float(f)) => java_double_to_string(f),
        Value::Number(Number::Float32(f)) => super::write::java_float_to_string(f),
        Value::Number(Number::Raw(s)) => s,
        other => other.to_json(),
    }
}

macro_rules! de_int {
    ($($method:ident => $t:ty, $visit:ident;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            let i = to_i128(&self)?;
            let v = <$t>::try_from(i).map_err(|_| {
                Error::Custom(format!("number {i} out of range for {}", stringify!($t)))
            })?;
            visitor.$visit(v)
        }
    )*};
}

impl<'de> Deserializer<'de> for Value {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(Number::Int(i)) => visitor.visit_i64(i),
            Value::Number(Number::Float(f)) => visitor.visit_f64(f),
            Value::Number(Number::Float32(f)) => visitor.visit_f32(f),
            Value::Number(Number::Raw(s)) => {
                if let Ok(i) = s.parse::<i128>() {
                    visitor.visit_i128(i)
                } else {
                    match s.parse::<f64>() {
                        Ok(f) => visitor.visit_f64(f),
                        Err(_) => visitor.visit_string(s),
                    }
                }
            }
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) | Value::Set(items) => visit_seq(items, visitor),
            Value::Object(entries) => visitor.visit_map(ObjectAccess::new(entries)),
            Value::Bean(props) => visitor.visit_map(ObjectAccess::new(
                props
                    .into_iter()
                    .map(|(k, v)| (Value::String(k), v))
                    .collect(),
            )),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_bool(to_bool(&self)?)
    }

    de_int! {
        deserialize_i8 => i8, visit_i8;
        deserialize_i16 => i16, visit_i16;
        deserialize_i32 => i32, visit_i32;
        deserialize_i64 => i64, visit_i64;
        deserialize_i128 => i128, visit_i128;
        deserialize_u8 => u8, visit_u8;
        deserialize_u16 => u16, visit_u16;
        deserialize_u32 => u32, visit_u32;
        deserialize_u64 => u64, visit_u64;
        deserialize_u128 => u128, visit_u128;
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_f32(to_f64(&self)? as f32)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_f64(to_f64(&self)?)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let text = to_text(self);
        match text.chars().next() {
            Some(c) => visitor.visit_char(c),
            None => visitor.visit_char('\0'),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_string(to_text(self))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_string(to_text(self))
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_byte_buf(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Value::Null => visitor.visit_byte_buf(Vec::new()),
            Value::String(s) => match super::ser::base64_decode(&s) {
                Some(bytes) => visitor.visit_byte_buf(bytes),
                None => visitor.visit_byte_buf(s.into_bytes()),
            },
            Value::Array(items) | Value::Set(items) => {
                let mut bytes = Vec::with_capacity(items.len());
                for item in &items {
                    let i = to_i128(item)?;
                    let b = i8::try_from(i)
                        .map(|b| b as u8)
                        .or_else(|_| u8::try_from(i))
                        .map_err(|_| Error::Custom(format!("byte {i} out of range")))?;
                    bytes.push(b);
                }
                visitor.visit_byte_buf(bytes)
            }
            other => Err(invalid(&other, "bytes")),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Value::Array(items) | Value::Set(items) => visit_seq(items, visitor),
            Value::Null => visit_seq(Vec::new(), visitor),
            Value::String(s) if s.trim().is_empty() => visit_seq(Vec::new(), visitor),
            Value::String(s) => match parse_str(&s) {
                Ok(Value::Array(items)) => visit_seq(items, visitor),
                _ => Err(invalid(&Value::String(s), "array")),
            },
            other => Err(invalid(&other, "array")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match object_entries(self)? {
            Some(entries) => visitor.visit_map(ObjectAccess::new(entries)),
            None => visitor.visit_map(ObjectAccess::new(Vec::new())),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let entries = object_entries(self)?.unwrap_or_default();
        visitor.visit_map(ObjectAccess::new(resolve_struct(entries, fields)))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let (variant, value) = match self {
            Value::String(s) => {
                let name = if variants.contains(&s.as_str()) {
                    s
                } else {
                    match variants.iter().find(|v| v.eq_ignore_ascii_case(&s)) {
                        Some(v) => (*v).to_owned(),
                        None => s,
                    }
                };
                (name, None)
            }
            Value::Number(n) => {
                let idx = n
                    .as_i64()
                    .and_then(|i| usize::try_from(i).ok())
                    .and_then(|i| variants.get(i))
                    .ok_or_else(|| Error::Custom(format!("no enum ordinal {n:?}")))?;
                ((*idx).to_owned(), None)
            }
            Value::Object(mut entries) if entries.len() == 1 => {
                let (k, v) = entries.remove(0);
                (to_text(k), Some(v))
            }
            other => return Err(invalid(&other, "enum")),
        };
        visitor.visit_enum(EnumDe { variant, value })
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_string(to_text(self))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

impl IntoDeserializer<'_, Error> for Value {
    type Deserializer = Value;
    fn into_deserializer(self) -> Value {
        self
    }
}

/// The entries of an object-like value; `None` for null and empty strings; a string holding
/// a JSON object is parsed (fastjson casts a JSON string to a bean this way).
fn object_entries(v: Value) -> Result<Option<Vec<(Value, Value)>>, Error> {
    match v {
        Value::Object(entries) => Ok(Some(entries)),
        Value::Bean(props) => Ok(Some(
            props
                .into_iter()
                .map(|(k, v)| (Value::String(k), v))
                .collect(),
        )),
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => match parse_str(&s) {
            Ok(Value::Object(entries)) => Ok(Some(entries)),
            _ => Err(invalid(&Value::String(s), "object")),
        },
        other => Err(invalid(&other, "object")),
    }
}

fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Map JSON keys onto struct field names (exact, then fastjson smart match), drop nulls,
/// keep the last of duplicates.
fn resolve_struct(
    entries: Vec<(Value, Value)>,
    fields: &'static [&'static str],
) -> Vec<(Value, Value)> {
    let normalized: Vec<String> = fields.iter().map(|f| normalize(f)).collect();
    let mut out: Vec<(Value, Value)> = Vec::with_capacity(entries.len());
    let mut index: HashMap<String, usize> = HashMap::new();
    for (k, v) in entries {
        if v.is_null() {
            continue;
        }
        let key = to_text(k);
        let name = if fields.contains(&key.as_str()) {
            key
        } else {
            let n = normalize(&key);
            let found = normalized.iter().position(|f| *f == n).or_else(|| {
                n.strip_prefix("is")
                    .and_then(|stripped| normalized.iter().position(|f| f == stripped))
            });
            match found.and_then(|i| fields.get(i)) {
                Some(f) => (*f).to_owned(),
                None => key,
            }
        };
        match index.get(&name) {
            Some(&i) => {
                if let Some(slot) = out.get_mut(i) {
                    slot.1 = v;
                }
            }
            None => {
                index.insert(name.clone(), out.len());
                out.push((Value::String(name), v));
            }
        }
    }
    out
}

fn visit_seq<'de, V: Visitor<'de>>(items: Vec<Value>, visitor: V) -> Result<V::Value, Error> {
    let mut access = SeqDe {
        iter: items.into_iter(),
    };
    visitor.visit_seq(&mut access)
}

struct SeqDe {
    iter: std::vec::IntoIter<Value>,
}

impl<'de> SeqAccess<'de> for SeqDe {
    type Error = Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.iter.next() {
            Some(v) => seed.deserialize(v).map(Some),
            None => Ok(None),
        }
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct ObjectAccess {
    iter: std::vec::IntoIter<(Value, Value)>,
    value: Option<Value>,
}

impl ObjectAccess {
    fn new(entries: Vec<(Value, Value)>) -> Self {
        ObjectAccess {
            iter: entries.into_iter(),
            value: None,
        }
    }
}

impl<'de> MapAccess<'de> for ObjectAccess {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.iter.next() {
            Some((k, v)) => {
                self.value = Some(v);
                seed.deserialize(k).map(Some)
            }
            None => Ok(None),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let v = self.value.take().unwrap_or(Value::Null);
        seed.deserialize(v)
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct EnumDe {
    variant: String,
    value: Option<Value>,
}

impl<'de> EnumAccess<'de> for EnumDe {
    type Error = Error;
    type Variant = VariantDe;
    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, VariantDe), Error> {
        let v = seed.deserialize(Value::String(self.variant))?;
        Ok((v, VariantDe { value: self.value }))
    }
}

struct VariantDe {
    value: Option<Value>,
}

impl<'de> VariantAccess<'de> for VariantDe {
    type Error = Error;
    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self.value.unwrap_or(Value::Null))
    }
    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.value.unwrap_or(Value::Null).deserialize_seq(visitor)
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.value
            .unwrap_or(Value::Null)
            .deserialize_struct("", fields, visitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any fastjson value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(match i64::try_from(v) {
            Ok(i) => Value::from(i),
            Err(_) => Value::Number(Number::Raw(v.to_string())),
        })
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(match i64::try_from(v) {
            Ok(i) => Value::from(i),
            Err(_) => Value::Number(Number::Raw(v.to_string())),
        })
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(match i64::try_from(v) {
            Ok(i) => Value::from(i),
            Err(_) => Value::Number(Number::Raw(v.to_string())),
        })
    }
    fn visit_f32<E>(self, v: f32) -> Result<Value, E> {
        Ok(Value::Number(Number::Float32(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Number(Number::Float(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::String(super::ser::base64_encode(v)))
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Value>()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<Value, Value>()? {
            entries.push((k, v));
        }
        Ok(Value::Object(entries))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}
