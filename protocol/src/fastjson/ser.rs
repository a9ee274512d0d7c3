//! serde `Serializer` producing a [`Value`] the way fastjson sees Java objects: structs are
//! beans (properties sorted by name), unit enum variants are names, `None` is null (and so
//! omitted), maps keep their entry order with keys of any type, `Vec<u8>` is base64.
//!
//! Newtype-struct markers let serde helpers pass fastjson-only information through a
//! generic `Serializer`: [`SET_MARKER`] turns the wrapped sequence into a `Set`, and
//! [`BEAN_MARKER`] turns the wrapped map into a `Bean` (used by `Value`'s own `Serialize`).
//! Other serializers (serde_json) see plain newtypes.

use serde::ser::{self, Serialize};

use super::value::{java_string_cmp, Number, Value};
use super::Error;

/// Newtype name marking a sequence as a Java `Set`.
pub const SET_MARKER: &str = "$fastjson::Set";
/// Newtype name marking a map as a Java bean.
pub const BEAN_MARKER: &str = "$fastjson::Bean";

/// Serialize any value into a [`Value`].
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, Error> {
    value.serialize(ValueSerializer)
}

/// The serializer.
#[derive(Clone, Copy, Debug, Default)]
pub struct ValueSerializer;

impl ser::Serializer for ValueSerializer {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = SeqSer;
    type SerializeTuple = SeqSer;
    type SerializeTupleStruct = SeqSer;
    type SerializeTupleVariant = VariantSer<SeqSer>;
    type SerializeMap = MapSer;
    type SerializeStruct = BeanSer;
    type SerializeStructVariant = VariantSer<BeanSer>;

    fn serialize_bool(self, v: bool) -> Result<Value, Error> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Value, Error> {
        Ok(match i64::try_from(v) {
            Ok(i) => Value::from(i),
            Err(_) => Value::Number(Number::Raw(v.to_string())),
        })
    }
    fn serialize_u8(self, v: u8) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, Error> {
        Ok(match i64::try_from(v) {
            Ok(i) => Value::from(i),
            Err(_) => Value::Number(Number::Raw(v.to_string())),
        })
    }
    fn serialize_u128(self, v: u128) -> Result<Value, Error> {
        Ok(match i64::try_from(v) {
            Ok(i) => Value::from(i),
            Err(_) => Value::Number(Number::Raw(v.to_string())),
        })
    }
    fn serialize_f32(self, v: f32) -> Result<Value, Error> {
        Ok(Value::Number(Number::Float32(v)))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, Error> {
        Ok(Value::Number(Number::Float(v)))
    }
    fn serialize_char(self, v: char) -> Result<Value, Error> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, Error> {
        Ok(Value::String(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, Error> {
        Ok(Value::String(base64_encode(v)))
    }
    fn serialize_none(self) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, Error> {
        Ok(Value::Bean(Vec::new()))
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, Error> {
        Ok(Value::String(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        let inner = value.serialize(self)?;
        Ok(match (name, inner) {
            (SET_MARKER, Value::Array(items)) => Value::Set(items),
            (RAW_MARKER, Value::String(text)) => Value::Number(Number::Raw(text)),
            (BEAN_MARKER, Value::Object(entries)) => Value::Bean(
                entries
                    .into_iter()
                    .map(|(k, v)| {
                        let k = match k {
                            Value::String(s) => s,
                            other => other.to_json(),
                        };
                        (k, v)
                    })
                    .collect(),
            ),
            (_, other) => other,
        })
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        let inner = value.serialize(self)?;
        Ok(Value::Object(vec![(
            Value::String(variant.to_owned()),
            inner,
        )]))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqSer, Error> {
        Ok(SeqSer {
            items: Vec::with_capacity(len.unwrap_or(0).min(4096)),
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqSer, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqSer, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSer<SeqSer>, Error> {
        Ok(VariantSer {
            variant,
            inner: self.serialize_seq(Some(len))?,
        })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapSer, Error> {
        Ok(MapSer {
            entries: Vec::with_capacity(len.unwrap_or(0).min(4096)),
            key: None,
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<BeanSer, Error> {
        Ok(BeanSer {
            props: Vec::with_capacity(len),
        })
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSer<BeanSer>, Error> {
        Ok(VariantSer {
            variant,
            inner: BeanSer {
                props: Vec::with_capacity(len),
            },
        })
    }
}

/// Sequence builder.
pub struct SeqSer {
    items: Vec<Value>,
}

impl ser::SerializeSeq for SeqSer {
    type Ok = Value;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.items.push(value.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value, Error> {
        Ok(Value::Array(self.items))
    }
}

impl ser::SerializeTuple for SeqSer {
    type Ok = Value;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Value, Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for SeqSer {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Value, Error> {
        ser::SerializeSeq::end(self)
    }
}

/// Map builder.
pub struct MapSer {
    entries: Vec<(Value, Value)>,
    key: Option<Value>,
}

impl ser::SerializeMap for MapSer {
    type Ok = Value;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key = Some(key.serialize(ValueSerializer)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| Error::Custom("map value without a key".into()))?;
        self.entries.push((key, value.serialize(ValueSerializer)?));
        Ok(())
    }
    fn end(self) -> Result<Value, Error> {
        Ok(Value::Object(self.entries))
    }
}

/// Bean builder: properties sorted by name at the end (fastjson `SortField`).
pub struct BeanSer {
    props: Vec<(String, Value)>,
}

impl ser::SerializeStruct for BeanSer {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.props
            .push((key.to_owned(), value.serialize(ValueSerializer)?));
        Ok(())
    }
    fn skip_field(&mut self, _key: &'static str) -> Result<(), Error> {
        Ok(())
    }
    fn end(mut self) -> Result<Value, Error> {
        self.props.sort_by(|a, b| java_string_cmp(&a.0, &b.0));
        Ok(Value::Bean(self.props))
    }
}

/// Externally tagged enum variants with data: `{"Variant": …}`.
pub struct VariantSer<I> {
    variant: &'static str,
    inner: I,
}

impl ser::SerializeTupleVariant for VariantSer<SeqSer> {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(&mut self.inner, value)
    }
    fn end(self) -> Result<Value, Error> {
        let inner = ser::SerializeSeq::end(self.inner)?;
        Ok(Value::Object(vec![(
            Value::String(self.variant.to_owned()),
            inner,
        )]))
    }
}

impl ser::SerializeStructVariant for VariantSer<BeanSer> {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(&mut self.inner, key, value)
    }
    fn end(self) -> Result<Value, Error> {
        let inner = ser::SerializeStruct::end(self.inner)?;
        Ok(Value::Object(vec![(
            Value::String(self.variant.to_owned()),
            inner,
        )]))
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (fastjson writes `byte[]` this way).
pub(crate) fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(char::from(B64[(n >> 18) as usize & 63]));
        out.push(char::from(B64[(n >> 12) as usize & 63]));
        if chunk.len() > 1 {
            out.push(char::from(B64[(n >> 6) as usize & 63]));
        } else {
            out.push('=');
        }
        if chunk.len() > 2 {
            out.push(char::from(B64[n as usize & 63]));
        } else {
            out.push('=');
        }
    }
    out
}

/// Base64 decoding (standard alphabet, padding optional, whitespace not allowed).
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for c in text.bytes() {
        let v = B64.iter().position(|&b| b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

impl Serialize for Value {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use ser::{SerializeMap, SerializeSeq};
        match self {
            Value::Null => serializer.serialize_none(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Number(Number::Int(i)) => serializer.serialize_i64(*i),
            Value::Number(Number::Float(f)) => serializer.serialize_f64(*f),
            Value::Number(Number::Float32(f)) => serializer.serialize_f32(*f),
            Value::Number(Number::Raw(s)) => match s.parse::<f64>() {
                // Other serializers cannot carry arbitrary precision; ours keeps the text.
                Ok(f) if !is_value_serializer::<S>() => serializer.serialize_f64(f),
                _ => serializer.serialize_newtype_struct(RAW_MARKER, s),
            },
            Value::String(s) => serializer.serialize_str(s),
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Set(items) => serializer.serialize_newtype_struct(SET_MARKER, &SeqRef(items)),
            Value::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            Value::Bean(props) => serializer.serialize_newtype_struct(BEAN_MARKER, &BeanRef(props)),
        }
    }
}

/// Newtype name carrying a raw number text.
pub(crate) const RAW_MARKER: &str = "$fastjson::Raw";

fn is_value_serializer<S: ser::Serializer>() -> bool {
    std::any::type_name::<S>() == std::any::type_name::<ValueSerializer>()
}

struct SeqRef<'a>(&'a [Value]);

impl Serialize for SeqRef<'_> {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(item)?;
        }
        seq.end()
    }
}

struct BeanRef<'a>(&'a [(String, Value)]);

impl Serialize for BeanRef<'_> {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}
