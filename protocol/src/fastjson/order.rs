//! Java collection iteration orders, as serde `serialize_with` helpers.
//!
//! fastjson writes a `HashMap`/`HashSet`/`ConcurrentHashMap` in the map's iteration order:
//! by bucket index `(h ^ (h >>> 16)) & (capacity - 1)` of the key's Java `hashCode()`, and
//! within a bucket in insertion order. These helpers reproduce that order for Rust maps
//! and sets so output can match Java byte for byte: keys are hashed the Java way (`String`,
//! `Integer`/`Long`, `Boolean`, `MessageQueue`), ties within a bucket are broken by the key's
//! natural order (Java would use insertion order, which a Rust map does not keep), and the
//! table capacity is derived from the entry count and how the Java map was built.
//! Keys without a known Java hash keep their natural order (or the input order).
//!
//! Java hashes: `Integer` is its value, `Long` is `(int)(v ^ (v >>> 32))` (the same for
//! non-negative ints, which is what all RocketMQ integer keys are; negative numbers in the
//! `int` range are hashed as `Integer`).

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use super::ser::{to_value, SET_MARKER};
use super::value::{as_message_queue, java_string_hash, natural_cmp, Number, Value};

/// How the Java map was created (this decides its table capacity).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JavaMapKind {
    /// `new HashMap<>(initial)` / `new HashSet<>()` (initial 16), then `put` one by one.
    HashMap {
        /// Constructor capacity (16 for the default constructor).
        initial: u32,
    },
    /// `new ConcurrentHashMap<>(initial)` (0 = default constructor), then `put` one by one.
    ConcurrentHashMap {
        /// Constructor capacity (0 for the default constructor).
        initial: u32,
    },
    /// A fresh default `ConcurrentHashMap` filled by one `putAll`.
    ConcurrentHashMapPutAll,
    /// Keep the given order (Java `TreeMap`/`LinkedHashMap`/`List`).
    Keep,
}

fn table_size_for(c: u64) -> u64 {
    c.max(1).next_power_of_two().min(1 << 30)
}

/// The table length of a Java map of `kind` holding `n` entries.
pub fn capacity(kind: JavaMapKind, n: usize) -> u64 {
    let n = n as u64;
    let mut cap = match kind {
        JavaMapKind::HashMap { initial } => table_size_for(u64::from(initial)),
        JavaMapKind::ConcurrentHashMap { initial: 0 } => 16,
        JavaMapKind::ConcurrentHashMap { initial } => {
            let c = u64::from(initial);
            table_size_for(c + (c >> 1) + 1)
        }
        JavaMapKind::ConcurrentHashMapPutAll => table_size_for(n + (n >> 1) + 1),
        JavaMapKind::Keep => return 0,
    };
    match kind {
        // HashMap resizes when ++size > threshold (0.75 * cap).
        JavaMapKind::HashMap { .. } => {
            while n > cap * 3 / 4 && cap < (1 << 30) {
                cap *= 2;
            }
        }
        // ConcurrentHashMap resizes when size >= sizeCtl (cap - cap/4).
        _ => {
            while n >= cap - cap / 4 && cap < (1 << 30) {
                cap *= 2;
            }
        }
    }
    cap
}

/// Java `hashCode()` of a key, if known.
pub fn java_hash(key: &Value) -> Option<i32> {
    match key {
        Value::String(s) => Some(java_string_hash(s)),
        Value::Number(Number::Int(i)) => Some(match i32::try_from(*i) {
            Ok(v) => v,
            Err(_) => (*i ^ ((*i as u64) >> 32) as i64) as i32,
        }),
        Value::Bool(b) => Some(if *b { 1231 } else { 1237 }),
        other => {
            let (topic, broker, qid) = as_message_queue(other)?;
            // MessageQueue.hashCode: 31-based over brokerName, queueId, topic.
            let mut h: i32 = 1;
            h = h.wrapping_mul(31).wrapping_add(java_string_hash(broker));
            h = h.wrapping_mul(31).wrapping_add(qid as i32);
            h = h.wrapping_mul(31).wrapping_add(java_string_hash(topic));
            Some(h)
        }
    }
}

/// Indices of `keys` in Java iteration order for a map of `kind`.
pub fn iteration_order(keys: &[Value], kind: JavaMapKind) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..keys.len()).collect();
    // Natural order first: a deterministic stand-in for insertion order within a bucket.
    let comparable = keys.windows(2).all(|w| natural_cmp(&w[0], &w[1]).is_some());
    if comparable {
        idx.sort_by(|&a, &b| natural_cmp(&keys[a], &keys[b]).unwrap_or(std::cmp::Ordering::Equal));
    }
    if kind == JavaMapKind::Keep {
        return idx;
    }
    let hashes: Option<Vec<i32>> = keys.iter().map(java_hash).collect();
    let Some(hashes) = hashes else {
        return idx;
    };
    let mask = capacity(kind, keys.len()).saturating_sub(1);
    idx.sort_by_key(|&i| {
        let h = hashes[i] as u32;
        u64::from(h ^ (h >> 16)) & mask
    });
    idx
}

struct Ordered<'a, K, V> {
    entries: Vec<(&'a K, &'a V)>,
}

impl<K: Serialize, V: Serialize> Serialize for Ordered<'_, K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (k, v) in &self.entries {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

fn order_entries<'a, K, V, M>(map: M, kind: JavaMapKind) -> Vec<(&'a K, &'a V)>
where
    M: IntoIterator<Item = (&'a K, &'a V)>,
    K: Serialize + 'a,
    V: 'a,
{
    let entries: Vec<(&K, &V)> = map.into_iter().collect();
    let keys: Vec<Value> = entries
        .iter()
        .map(|(k, _)| to_value(*k).unwrap_or(Value::Null))
        .collect();
    iteration_order(&keys, kind)
        .into_iter()
        .filter_map(|i| entries.get(i).copied())
        .collect()
}

/// Serialize a map in the iteration order of a Java map of `kind`.
pub fn serialize_map_as<'a, K, V, M, S>(
    map: M,
    kind: JavaMapKind,
    serializer: S,
) -> Result<S::Ok, S::Error>
where
    M: IntoIterator<Item = (&'a K, &'a V)>,
    K: Serialize + 'a,
    V: Serialize + 'a,
    S: Serializer,
{
    Ordered {
        entries: order_entries(map, kind),
    }
    .serialize(serializer)
}

struct OrderedSet<'a, T> {
    items: Vec<&'a T>,
}

impl<T: Serialize> Serialize for OrderedSet<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.items.len()))?;
        for item in &self.items {
            seq.serialize_element(item)?;
        }
        seq.end()
    }
}

/// Serialize a set (marked as a Java `Set`) in the iteration order of a Java set of `kind`.
pub fn serialize_set_as<'a, T, C, S>(
    set: C,
    kind: JavaMapKind,
    serializer: S,
) -> Result<S::Ok, S::Error>
where
    C: IntoIterator<Item = &'a T>,
    T: Serialize + 'a,
    S: Serializer,
{
    let items: Vec<&T> = set.into_iter().collect();
    let keys: Vec<Value> = items
        .iter()
        .map(|k| to_value(*k).unwrap_or(Value::Null))
        .collect();
    let items = iteration_order(&keys, kind)
        .into_iter()
        .filter_map(|i| items.get(i).copied())
        .collect();
    serializer.serialize_newtype_struct(SET_MARKER, &OrderedSet { items })
}

macro_rules! map_helper {
    ($(#[$doc:meta] $name:ident => $kind:expr;)*) => {$(
        #[$doc]
        pub fn $name<'a, K, V, M, S>(map: &'a M, serializer: S) -> Result<S::Ok, S::Error>
        where
            &'a M: IntoIterator<Item = (&'a K, &'a V)>,
            K: Serialize + 'a,
            V: Serialize + 'a,
            S: Serializer,
        {
            serialize_map_as(map, $kind, serializer)
        }
    )*};
}

map_helper! {
    /// `new HashMap<>()` filled by `put`.
    hash_map => JavaMapKind::HashMap { initial: 16 };
    /// `new HashMap<>(32)`.
    hash_map_32 => JavaMapKind::HashMap { initial: 32 };
    /// `new HashMap<>(128)`.
    hash_map_128 => JavaMapKind::HashMap { initial: 128 };
    /// `new ConcurrentHashMap<>()`.
    concurrent_map => JavaMapKind::ConcurrentHashMap { initial: 0 };
    /// `new ConcurrentHashMap<>(32)`.
    concurrent_map_32 => JavaMapKind::ConcurrentHashMap { initial: 32 };
    /// `new ConcurrentHashMap<>(512)`.
    concurrent_map_512 => JavaMapKind::ConcurrentHashMap { initial: 512 };
    /// `new ConcurrentHashMap<>(1024)`.
    concurrent_map_1024 => JavaMapKind::ConcurrentHashMap { initial: 1024 };
    /// A fresh `ConcurrentHashMap` filled by `putAll`.
    concurrent_map_put_all => JavaMapKind::ConcurrentHashMapPutAll;
    /// `java.util.Properties` (JDK 9+: a `ConcurrentHashMap(8)` inside).
    java_properties => JavaMapKind::ConcurrentHashMap { initial: 8 };
}

/// `new HashSet<>()` filled by `add`.
pub fn hash_set<'a, T, C, S>(set: &'a C, serializer: S) -> Result<S::Ok, S::Error>
where
    &'a C: IntoIterator<Item = &'a T>,
    T: Serialize + 'a,
    S: Serializer,
{
    serialize_set_as(set, JavaMapKind::HashMap { initial: 16 }, serializer)
}

/// A Java `Set` whose order is kept as given (`TreeSet`, or beans without a known hash).
pub fn set<'a, T, C, S>(set: &'a C, serializer: S) -> Result<S::Ok, S::Error>
where
    &'a C: IntoIterator<Item = &'a T>,
    T: Serialize + 'a,
    S: Serializer,
{
    let items: Vec<&T> = set.into_iter().collect();
    serializer.serialize_newtype_struct(SET_MARKER, &OrderedSet { items })
}

/// `HashMap<K, HashSet<T>>` with both levels in Java `HashMap`/`HashSet` order (the
/// `clusterAddrTable` of `ClusterInfo`, built as `new HashMap<>(32)` of `new HashSet<>()`).
pub fn hash_map_32_of_hash_sets<'a, K, T, C, M, S>(
    map: &'a M,
    serializer: S,
) -> Result<S::Ok, S::Error>
where
    &'a M: IntoIterator<Item = (&'a K, &'a C)>,
    &'a C: IntoIterator<Item = &'a T>,
    K: Serialize + 'a,
    T: Serialize + 'a,
    C: 'a,
    S: Serializer,
{
    struct SetRef<'b, C>(&'b C);
    impl<'b, T: Serialize + 'b, C> Serialize for SetRef<'b, C>
    where
        &'b C: IntoIterator<Item = &'b T>,
    {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            hash_set(self.0, serializer)
        }
    }
    let wrapped: Vec<(&K, SetRef<'a, C>)> = map.into_iter().map(|(k, c)| (k, SetRef(c))).collect();
    serialize_map_as(
        wrapped.iter().map(|(k, v)| (*k, v)),
        JavaMapKind::HashMap { initial: 32 },
        serializer,
    )
}

/// `ConcurrentHashMap<String, ConcurrentHashMap<Integer, Long>>` as the broker's consumer
/// offset table: outer `ConcurrentHashMap(512)`, inner `ConcurrentHashMap(32)`.
pub fn concurrent_map_512_of_maps<'a, K, K2, V2, I, M, S>(
    map: &'a M,
    serializer: S,
) -> Result<S::Ok, S::Error>
where
    &'a M: IntoIterator<Item = (&'a K, &'a I)>,
    &'a I: IntoIterator<Item = (&'a K2, &'a V2)>,
    K: Serialize + 'a,
    K2: Serialize + 'a,
    V2: Serialize + 'a,
    I: 'a,
    S: Serializer,
{
    struct Inner<'b, I>(&'b I);
    impl<'b, K2: Serialize + 'b, V2: Serialize + 'b, I> Serialize for Inner<'b, I>
    where
        &'b I: IntoIterator<Item = (&'b K2, &'b V2)>,
    {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serialize_map_as(
                self.0,
                JavaMapKind::ConcurrentHashMap { initial: 32 },
                serializer,
            )
        }
    }
    let wrapped: Vec<(&K, Inner<'a, I>)> = map.into_iter().map(|(k, c)| (k, Inner(c))).collect();
    serialize_map_as(
        wrapped.iter().map(|(k, v)| (*k, v)),
        JavaMapKind::ConcurrentHashMap { initial: 512 },
        serializer,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacities() {
        assert_eq!(capacity(JavaMapKind::HashMap { initial: 16 }, 12), 16);
        assert_eq!(capacity(JavaMapKind::HashMap { initial: 16 }, 13), 32);
        assert_eq!(
            capacity(JavaMapKind::ConcurrentHashMap { initial: 0 }, 11),
            16
        );
        assert_eq!(
            capacity(JavaMapKind::ConcurrentHashMap { initial: 0 }, 12),
            32
        );
        assert_eq!(
            capacity(JavaMapKind::ConcurrentHashMap { initial: 1024 }, 3),
            2048
        );
        assert_eq!(
            capacity(JavaMapKind::ConcurrentHashMap { initial: 32 }, 3),
            64
        );
        assert_eq!(capacity(JavaMapKind::ConcurrentHashMapPutAll, 1), 2);
        assert_eq!(capacity(JavaMapKind::ConcurrentHashMapPutAll, 3), 8);
    }

    #[test]
    fn store_md_topic_order() {
        // store.md §6.3: a CHM(1024) of these three topics iterates in this order.
        let keys: Vec<Value> = ["TopicTest", "OrderTopic", "SCHEDULE_TOPIC_XXXX"]
            .iter()
            .map(|s| Value::from(*s))
            .collect();
        let order = iteration_order(&keys, JavaMapKind::ConcurrentHashMap { initial: 1024 });
        let names: Vec<&str> = order.iter().filter_map(|&i| keys[i].as_str()).collect();
        assert_eq!(names, ["SCHEDULE_TOPIC_XXXX", "TopicTest", "OrderTopic"]);
    }
}
