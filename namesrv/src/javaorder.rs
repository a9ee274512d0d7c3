//! Java collection iteration orders that show up in the namesrv's answers.
//!
//! Clients re-read topic lists and config listings into their own `HashSet`/`Properties` and
//! print them in *that* order, so two keys in one bucket come out in the order our body listed
//! them: to make `mqadmin topicList` or `getNamesrvConfig` print exactly what they print
//! against Java, our bodies list entries in the order Java's maps iterate.
//!
//! * `HashMap`/`HashSet` (JDK 8+): bucket `(h ^ h >>> 16) & (cap - 1)`, within a bucket in
//!   insertion order (resizes keep relative order), so iteration is a stable sort of the
//!   insertion order by bucket.
//! * `ConcurrentHashMap` (what `java.util.Properties` is backed by since JDK 9): the same
//!   buckets, but a resize splits each bucket by moving its longest same-side tail as is
//!   and *prepending* the nodes before it, so order inside a bucket depends on the resize
//!   history. [`concurrent_hash_map_order`] replays the insertions.
//!
//! Tree bins (8+ collisions in one bucket) are not modelled.

use protocol::fastjson::java_string_hash;
use protocol::fastjson::order::{capacity, JavaMapKind};

fn spread(h: i32) -> u32 {
    let h = h as u32;
    h ^ (h >> 16)
}

/// `items` (in insertion order) in the iteration order of a Java `HashMap`/`HashSet` built
/// with `new HashMap<>(initial)` and filled in that order.
pub fn hash_map_order<T>(mut items: Vec<T>, initial: u32, key: impl Fn(&T) -> &str) -> Vec<T> {
    let mask = capacity(JavaMapKind::HashMap { initial }, items.len()).saturating_sub(1);
    items.sort_by_cached_key(|t| u64::from(spread(java_string_hash(key(t)))) & mask);
    items
}

/// Strings added one by one to a `new HashSet<>()` (duplicates ignored), in its iteration
/// order.
pub fn hash_set_order(adds: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let unique: Vec<String> = adds
        .into_iter()
        .filter(|s| seen.insert(s.clone()))
        .collect();
    hash_map_order(unique, 16, |s| s.as_str())
}

/// Indices of `keys` (distinct, in insertion order) in the iteration order of a
/// `new ConcurrentHashMap<>(initial)` (`new Properties()` uses 8) after those puts.
pub fn concurrent_hash_map_order(keys: &[&str], initial: u32) -> Vec<usize> {
    let c = u64::from(initial);
    let mut n = (c + (c >> 1) + 1).max(1).next_power_of_two() as usize;
    let mut table: Vec<Vec<(u32, usize)>> = vec![Vec::new(); n];
    let mut size_ctl = n - n / 4;
    let hashes: Vec<u32> = keys
        .iter()
        .map(|k| spread(java_string_hash(k)) & 0x7fff_ffff)
        .collect();
    for (idx, &h) in hashes.iter().enumerate() {
        table[h as usize & (n - 1)].push((h, idx));
        let size = idx + 1;
        while size >= size_ctl {
            let mut next: Vec<Vec<(u32, usize)>> = vec![Vec::new(); n * 2];
            for (i, bin) in table.iter().enumerate() {
                let Some(first) = bin.first() else { continue };
                // the longest tail whose nodes all go to the same side moves as is
                let mut run_bit = first.0 as usize & n;
                let mut last_run = 0;
                for (j, node) in bin.iter().enumerate().skip(1) {
                    let b = node.0 as usize & n;
                    if b != run_bit {
                        run_bit = b;
                        last_run = j;
                    }
                }
                let (mut lo, mut hi) = if run_bit == 0 {
                    (bin[last_run..].to_vec(), Vec::new())
                } else {
                    (Vec::new(), bin[last_run..].to_vec())
                };
                // the nodes before it are prepended one by one
                for node in &bin[..last_run] {
                    if node.0 as usize & n == 0 {
                        lo.insert(0, *node);
                    } else {
                        hi.insert(0, *node);
                    }
                }
                next[i] = lo;
                next[i + n] = hi;
            }
            table = next;
            n *= 2;
            size_ctl = n - n / 4;
        }
    }
    table.into_iter().flatten().map(|(_, idx)| idx).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_set_buckets_then_insertion_order() {
        // "Aa" and "BB" have the same Java hash (2112): insertion order decides
        assert_eq!(
            hash_set_order(["BB".into(), "Aa".into(), "x".into()]),
            ["BB", "Aa", "x"]
        );
        assert_eq!(
            hash_set_order(["Aa".into(), "BB".into(), "Aa".into()]),
            ["Aa", "BB"]
        );
    }

    #[test]
    fn concurrent_hash_map_matches_java_properties() {
        // golden: `new Properties()`, setProperty("k0".."k25") in order, keySet() on JDK 17
        let keys: Vec<String> = (0..26).map(|i| format!("k{i}")).collect();
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let order: Vec<&str> = concurrent_hash_map_order(&refs, 8)
            .into_iter()
            .map(|i| refs[i])
            .collect();
        let java = "k11 k10 k13 k12 k15 k14 k17 k16 k19 k18 k0 k1 k2 k3 k20 k4 k5 k22 k6 k21 k7 k24 k8 k23 k9 k25";
        assert_eq!(order.join(" "), java);
    }
}
