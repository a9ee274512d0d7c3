//! Bloom filter used by the broker to pre-filter SQL92 subscriptions with a per-message
//! bitmap stored in the consume-queue extension, mirroring
//! `org.apache.rocketmq.filter.util.BloomFilter`, `BloomFilterData` and `BitsArray`
//! (RocketMQ 4.9.7), including Guava's `Hashing.murmur3_128()` (seed 0) over the UTF-8
//! bytes of the key (`consumerGroup + "#" + topic`).
//!
//! `BloomFilterData` is what `consumerFilter.json` stores per consumer filter:
//! `{"bitNum": m, "bitPos": [k positions]}`.

use thiserror::Error;

/// `IllegalArgumentException`s of `BloomFilter` / `BitsArray`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BloomError {
    #[error("f must be greater or equal than 1 and less than 100")]
    BadErrorRate,
    #[error("n must be greater than 0")]
    BadCount,
    #[error("Hash function num is less than 1, maybe you should change the value of error rate or bit num!")]
    NoHashFunctions,
    #[error("Length({actual}) of bits in BitsArray is not equal to {expected}!")]
    BitLengthMismatch { actual: usize, expected: usize },
    #[error("Bloom filter data may not belong to this filter!")]
    ForeignData,
    #[error("BitPos {0} is out of range")]
    BitOutOfRange(i64),
    #[error("Bytes is empty!")]
    Empty,
}

const C1: u64 = 0x87c3_7b91_1142_53d5;
const C2: u64 = 0x4cf5_ad43_2745_937f;

fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^= k >> 33;
    k
}

fn mix_k1(k1: u64) -> u64 {
    k1.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2)
}

fn mix_k2(k2: u64) -> u64 {
    k2.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1)
}

fn le_u64(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .enumerate()
        .fold(0u64, |acc, (i, &b)| acc | (b as u64) << (8 * i))
}

/// MurmurHash3 x64 128-bit with seed 0, as Guava's `Hashing.murmur3_128()`;
/// returns `(h1, h2)` (the hash bytes are `h1` then `h2`, little-endian).
pub fn murmur3_128(data: &[u8]) -> (u64, u64) {
    let mut h1: u64 = 0;
    let mut h2: u64 = 0;
    let mut chunks = data.chunks_exact(16);
    for c in &mut chunks {
        let k1 = le_u64(&c[..8]);
        let k2 = le_u64(&c[8..]);
        h1 ^= mix_k1(k1);
        h1 = h1
            .rotate_left(27)
            .wrapping_add(h2)
            .wrapping_mul(5)
            .wrapping_add(0x52dc_e729);
        h2 ^= mix_k2(k2);
        h2 = h2
            .rotate_left(31)
            .wrapping_add(h1)
            .wrapping_mul(5)
            .wrapping_add(0x3849_5ab5);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let (a, b) = tail.split_at(tail.len().min(8));
        h1 ^= mix_k1(le_u64(a));
        h2 ^= mix_k2(le_u64(b));
    }
    let len = data.len() as u64;
    h1 ^= len;
    h2 ^= len;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    (h1, h2)
}

/// `BloomFilterData`: the bit positions allocated to one consumer filter and the total
/// bit count of the filter that allocated them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct BloomFilterData {
    pub bit_pos: Vec<i32>,
    pub bit_num: i32,
}

/// `BloomFilter`: `k` hash functions over `m` bits, sized for `n` members at error rate `f`%.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BloomFilter {
    f: i32,
    n: i32,
    k: i32,
    m: i32,
}

fn log_mn(m: f64, n: f64) -> f64 {
    n.ln() / m.ln()
}

impl BloomFilter {
    /// `BloomFilter.createByFn(f, n)`: `f` = error rate in percent (1..=99), `n` = expected
    /// number of members. The broker uses `maxErrorRateOfBloomFilter` (default 20) and
    /// `expectConsumerNumUseFilter` (default 32), giving k = 3, m = 112.
    pub fn create_by_fn(f: i32, n: i32) -> Result<BloomFilter, BloomError> {
        if !(1..100).contains(&f) {
            return Err(BloomError::BadErrorRate);
        }
        if n < 1 {
            return Err(BloomError::BadCount);
        }
        let error_rate = f as f64 / 100.0;
        let k = log_mn(0.5, error_rate).ceil() as i32;
        if k < 1 {
            return Err(BloomError::NoHashFunctions);
        }
        let m = (n as f64 * log_mn(2.0, 1.0 / error_rate) * log_mn(2.0, std::f64::consts::E)).ceil()
            as i32;
        let m = (8.0 * (m as f64 / 8.0).ceil()) as i32;
        Ok(BloomFilter { f, n, k, m })
    }

    pub fn f(&self) -> i32 {
        self.f
    }
    pub fn n(&self) -> i32 {
        self.n
    }
    /// Number of hash functions.
    pub fn k(&self) -> i32 {
        self.k
    }
    /// Number of bits (a multiple of 8).
    pub fn m(&self) -> i32 {
        self.m
    }

    /// `calcBitPositions(str)` (Kirsch–Mitzenmacher double hashing over murmur3's low 64 bits).
    pub fn calc_bit_positions(&self, s: &str) -> Vec<i32> {
        let (h1, _) = murmur3_128(s.as_bytes());
        let hash1 = h1 as i32;
        let hash2 = (h1 >> 32) as i32;
        (1..=self.k)
            .map(|i| {
                let mut combined = hash1.wrapping_add(i.wrapping_mul(hash2));
                if combined < 0 {
                    combined = !combined;
                }
                combined % self.m
            })
            .collect()
    }

    /// `generate(str)`.
    pub fn generate(&self, s: &str) -> BloomFilterData {
        BloomFilterData {
            bit_pos: self.calc_bit_positions(s),
            bit_num: self.m,
        }
    }

    /// `isValid(filterData)`: same `m` and `k` as this filter.
    pub fn is_valid(&self, data: &BloomFilterData) -> bool {
        data.bit_num == self.m && data.bit_pos.len() == self.k as usize
    }

    fn check(&self, bits: &BitsArray) -> Result<(), BloomError> {
        if bits.bit_length() != self.m as usize {
            return Err(BloomError::BitLengthMismatch {
                actual: bits.bit_length(),
                expected: self.m as usize,
            });
        }
        Ok(())
    }

    /// `hashTo(filterData, bits)`: sets the filter's positions.
    pub fn hash_to(&self, data: &BloomFilterData, bits: &mut BitsArray) -> Result<(), BloomError> {
        if !self.is_valid(data) {
            return Err(BloomError::ForeignData);
        }
        self.check(bits)?;
        for &p in &data.bit_pos {
            bits.set_bit(p as i64, true)?;
        }
        Ok(())
    }

    /// `isHit(filterData, bits)`: all of the filter's positions are set.
    pub fn is_hit(&self, data: &BloomFilterData, bits: &BitsArray) -> Result<bool, BloomError> {
        if !self.is_valid(data) {
            return Err(BloomError::ForeignData);
        }
        self.check(bits)?;
        let mut hit = true;
        for &p in &data.bit_pos {
            hit &= bits.get_bit(p as i64)?;
        }
        Ok(hit)
    }
}

/// `BitsArray`: bit `i` is `bytes[i / 8] & (1 << (i % 8))`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BitsArray {
    bytes: Vec<u8>,
    bit_length: usize,
}

impl BitsArray {
    /// `BitsArray.create(bitLength)`: all zero.
    pub fn create(bit_length: usize) -> BitsArray {
        BitsArray {
            bytes: vec![0; bit_length.div_ceil(8)],
            bit_length,
        }
    }

    /// `BitsArray.create(bytes)`: `bitLength = bytes.len() * 8`.
    pub fn from_bytes(bytes: &[u8]) -> Result<BitsArray, BloomError> {
        if bytes.is_empty() {
            return Err(BloomError::Empty);
        }
        Ok(BitsArray {
            bytes: bytes.to_vec(),
            bit_length: bytes.len() * 8,
        })
    }

    pub fn bit_length(&self) -> usize {
        self.bit_length
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn locate(&self, bit: i64) -> Result<(usize, u8), BloomError> {
        if bit < 0 || bit as u64 >= self.bit_length as u64 {
            return Err(BloomError::BitOutOfRange(bit));
        }
        let b = bit as usize;
        Ok((b / 8, 1u8 << (b % 8)))
    }

    pub fn set_bit(&mut self, bit: i64, set: bool) -> Result<(), BloomError> {
        let (i, mask) = self.locate(bit)?;
        if set {
            self.bytes[i] |= mask;
        } else {
            self.bytes[i] &= !mask;
        }
        Ok(())
    }

    pub fn get_bit(&self, bit: i64) -> Result<bool, BloomError> {
        let (i, mask) = self.locate(bit)?;
        Ok(self.bytes[i] & mask != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur_reference_vectors() {
        // Guava 31 `Hashing.murmur3_128().hashString(s, UTF_8).asLong()` (== h1).
        let cases: [(&str, u64); 6] = [
            ("", 0),
            ("hello", 0xcbd8_a7b3_41bd_9b02),
            (
                "The quick brown fox jumps over the lazy dog",
                0xe34b_bc7b_bc07_1b6c,
            ),
            (
                "h\u{e9}llo w\u{f6}rld \u{4e2d}\u{6587}",
                0x2b1e_a166_148b_ac6e,
            ),
            ("0123456789abcdef", 0x4be0_6d94_cf4a_d1a7),
            ("0123456789abcdefg", 0x8e32_612d_aa45_f9de),
        ];
        for (s, h) in cases {
            assert_eq!(murmur3_128(s.as_bytes()).0, h, "{s:?}");
        }
    }

    #[test]
    fn default_broker_sizing() {
        let bf = BloomFilter::create_by_fn(20, 32).unwrap();
        assert_eq!((bf.k(), bf.m()), (3, 112));
        let bf = BloomFilter::create_by_fn(20, 64).unwrap();
        assert_eq!(bf.k(), 3);
        assert!(BloomFilter::create_by_fn(0, 1).is_err());
        assert!(BloomFilter::create_by_fn(100, 1).is_err());
        assert!(BloomFilter::create_by_fn(10, 0).is_err());
    }

    #[test]
    fn hash_and_hit() {
        let bf = BloomFilter::create_by_fn(20, 32).unwrap();
        let d = bf.generate("group#topic");
        assert!(bf.is_valid(&d));
        assert!(d.bit_pos.iter().all(|&p| p >= 0 && p < bf.m()));
        let mut bits = BitsArray::create(bf.m() as usize);
        assert!(!bf.is_hit(&d, &bits).unwrap());
        bf.hash_to(&d, &mut bits).unwrap();
        assert!(bf.is_hit(&d, &bits).unwrap());
        let wrong = BitsArray::create(8);
        assert!(bf.is_hit(&d, &wrong).is_err());
        let b2 = BitsArray::from_bytes(bits.bytes()).unwrap();
        assert!(bf.is_hit(&d, &b2).unwrap());
    }
}
