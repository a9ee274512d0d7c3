//! Exact re-implementations of the `java.lang` string-to-number conversions the filter
//! relies on: `Integer.valueOf(String)`, `Long.valueOf(String)`, `Double.valueOf(String)`
//! and `Boolean.valueOf(String)`, plus `Double.compareTo` / `Double.equals`.
//!
//! These matter because message properties are strings and
//! `ComparisonExpression.__compare` converts them to the type of the other operand with
//! exactly these methods, so e.g. `a = 5` with `a = '+5'` matches, `a = 5` with `a = '5.0'`
//! throws, and `a > 1.0` with `a = ' 2 '` matches (`Double.valueOf` trims, `Integer.valueOf`
//! does not).

use std::cmp::Ordering;

/// First code point of every run of ten BMP characters for which Java's
/// `Character.digit(c, 10)` is non-negative (Unicode `Nd`, as seen by JDK 17 and JDK 25,
/// which agree on the BMP). Each run maps `zero + n` to digit `n`.
/// `Integer.parseInt` works on UTF-16 code units, so supplementary-plane digits never count.
const DIGIT_ZEROS: [u32; 37] = [
    0x0030, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
    0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
    0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0xFF10,
];

/// Java `Character.digit(c, 10)` for a BMP char (supplementary chars: `None`).
fn java_digit(c: char) -> Option<u32> {
    let cp = c as u32;
    if cp > 0xFFFF {
        return None;
    }
    DIGIT_ZEROS
        .iter()
        .find(|&&z| cp >= z && cp < z + 10)
        .map(|&z| cp - z)
}

/// Java `Long.parseLong(s, 10)` generalised to a `[min, max]` range (used for both
/// `Integer.parseInt` and `Long.parseLong`): optional single `+`/`-`, then one or more
/// (Unicode) decimal digits, no whitespace, no overflow.
fn parse_java_integral(s: &str, min: i64, max: i64) -> Option<i64> {
    let mut chars = s.chars().peekable();
    let first = *chars.peek()?;
    let negative = match first {
        '-' => {
            chars.next();
            true
        }
        '+' => {
            chars.next();
            false
        }
        _ => false,
    };
    let mut any = false;
    // Accumulate negatively, like Java, so that MIN_VALUE is representable.
    let mut acc: i64 = 0;
    let limit = if negative { min } else { -max };
    for c in chars {
        let d = java_digit(c)? as i64;
        any = true;
        acc = acc.checked_mul(10)?;
        acc = acc.checked_sub(d)?;
        if acc < limit {
            return None;
        }
    }
    if !any {
        return None;
    }
    if negative {
        Some(acc)
    } else {
        acc.checked_neg()
    }
}

/// Java `Integer.valueOf(String)`; `None` where Java throws `NumberFormatException`.
pub fn parse_java_int(s: &str) -> Option<i32> {
    parse_java_integral(s, i32::MIN as i64, i32::MAX as i64).and_then(|v| i32::try_from(v).ok())
}

/// Java `Long.valueOf(String)`; `None` where Java throws `NumberFormatException`.
pub fn parse_java_long(s: &str) -> Option<i64> {
    parse_java_integral(s, i64::MIN, i64::MAX)
}

/// Java `Boolean.valueOf(String)`: `"true".equalsIgnoreCase(s)`.
pub fn parse_java_boolean(s: &str) -> bool {
    s.eq_ignore_ascii_case("true")
}

/// Java `String.trim()`: strips all chars `<= ' '` at both ends.
fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Java `Double.valueOf(String)` / `Double.parseDouble` (`FloatingDecimal.readJavaFormatString`);
/// `None` where Java throws `NumberFormatException`.
///
/// Grammar (after `trim()`): `[+-]? (NaN | Infinity | Decimal | Hex)`, where
/// `Decimal = (Digits '.'? Digits? | '.' Digits) ([eE] [+-]? Digits)? [fFdD]?` and
/// `Hex = 0[xX] (HexDigits '.'? | HexDigits? '.' HexDigits) [pP] [+-]? Digits [fFdD]?`.
/// Only ASCII digits are accepted. Rounding is IEEE round-half-even.
pub fn parse_java_double(s: &str) -> Option<f64> {
    let t = java_trim(s);
    let b = t.as_bytes();
    let mut i = 0;
    let mut negative = false;
    if let Some(&c) = b.first() {
        if c == b'+' || c == b'-' {
            negative = c == b'-';
            i = 1;
        }
    }
    let rest = &t[i..];
    if rest == "NaN" {
        return Some(f64::NAN);
    }
    if rest == "Infinity" {
        return Some(if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    let rb = rest.as_bytes();
    if rb.len() >= 2 && rb[0] == b'0' && (rb[1] == b'x' || rb[1] == b'X') {
        return parse_hex(&rest[2..], negative);
    }
    // Decimal.
    let mut j = 0;
    let mut int_digits = 0;
    while j < rb.len() && rb[j].is_ascii_digit() {
        j += 1;
        int_digits += 1;
    }
    let mut frac_digits = 0;
    if j < rb.len() && rb[j] == b'.' {
        j += 1;
        while j < rb.len() && rb[j].is_ascii_digit() {
            j += 1;
            frac_digits += 1;
        }
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if j < rb.len() && (rb[j] == b'e' || rb[j] == b'E') {
        j += 1;
        if j < rb.len() && (rb[j] == b'+' || rb[j] == b'-') {
            j += 1;
        }
        let start = j;
        while j < rb.len() && rb[j].is_ascii_digit() {
            j += 1;
        }
        if j == start {
            return None;
        }
    }
    let core_end = j;
    if j < rb.len() && matches!(rb[j], b'f' | b'F' | b'd' | b'D') {
        j += 1;
    }
    if j != rb.len() {
        return None;
    }
    // `rest[..core_end]` is now in a syntax Rust's (correctly rounding) parser accepts.
    let v: f64 = rest[..core_end].parse().ok()?;
    Some(if negative { -v } else { v })
}

/// Hexadecimal floating-point literal after the `0x` prefix, correctly rounded.
fn parse_hex(s: &str, negative: bool) -> Option<f64> {
    let b = s.as_bytes();
    let mut j = 0;
    // Significant hex digits (leading zeros dropped), up to 28 of them (112 bits).
    let mut mant: u128 = 0;
    let mut kept: i64 = 0;
    let mut dropped: i64 = 0; // significant digits not kept
    let mut sticky = false;
    let mut seen_nonzero = false;
    let mut digits_before_point: i64 = 0;
    let mut digits_after_point: i64 = 0;
    let mut point = false;
    while j < b.len() {
        let c = b[j];
        if c == b'.' {
            if point {
                return None;
            }
            point = true;
            j += 1;
            continue;
        }
        let Some(d) = (c as char).to_digit(16) else {
            break;
        };
        if point {
            digits_after_point += 1;
        } else {
            digits_before_point += 1;
        }
        if d != 0 || seen_nonzero {
            seen_nonzero = true;
            if kept < 28 {
                mant = (mant << 4) | d as u128;
                kept += 1;
            } else {
                dropped += 1;
                if d != 0 {
                    sticky = true;
                }
            }
        }
        j += 1;
    }
    if digits_before_point + digits_after_point == 0 {
        return None;
    }
    if j >= b.len() || (b[j] != b'p' && b[j] != b'P') {
        return None;
    }
    j += 1;
    let mut exp_negative = false;
    if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
        exp_negative = b[j] == b'-';
        j += 1;
    }
    let start = j;
    let mut exp: i64 = 0;
    while j < b.len() && b[j].is_ascii_digit() {
        // Saturate: anything beyond ~2^40 is already far outside the double range.
        if exp < (1 << 40) {
            exp = exp * 10 + (b[j] - b'0') as i64;
        }
        j += 1;
    }
    if j == start {
        return None;
    }
    if j < b.len() && matches!(b[j], b'f' | b'F' | b'd' | b'D') {
        j += 1;
    }
    if j != b.len() {
        return None;
    }
    let exp = if exp_negative { -exp } else { exp };
    let sign = if negative { -1.0 } else { 1.0 };
    if mant == 0 {
        return Some(sign * 0.0);
    }
    // value = mant * 16^dropped * 16^(-digits_after_point) * 2^exp (+ sticky fraction)
    let e2 = exp + 4 * dropped - 4 * digits_after_point;
    Some(sign * round_binary(mant, sticky, e2))
}

/// Rounds `(mant + sticky·ε) · 2^e2` (mant > 0) to the nearest double, ties to even.
fn round_binary(mant: u128, sticky: bool, e2: i64) -> f64 {
    let nbits = 128 - mant.leading_zeros() as i64;
    let msb = nbits - 1 + e2;
    if msb > 1023 {
        return f64::INFINITY;
    }
    let keep = if msb >= -1022 { 53 } else { msb + 1075 };
    let shift = nbits - keep;
    let (mut q, mut lsb_exp): (u128, i64);
    if shift <= 0 {
        // Exact (sticky is impossible here: at most 112 bits are kept before rounding).
        q = mant << (-shift) as u32;
        lsb_exp = e2 + shift;
    } else {
        let (quot, rem, half) = if shift >= 128 {
            (0u128, mant, None)
        } else {
            let q0 = mant >> shift as u32;
            let r0 = mant & ((1u128 << shift as u32) - 1);
            (q0, r0, Some(1u128 << (shift - 1) as u32))
        };
        q = quot;
        let round_up = match half {
            None => false, // value < half of the smallest step
            Some(h) => rem > h || (rem == h && (sticky || q & 1 == 1)),
        };
        if round_up {
            q += 1;
        }
        lsb_exp = e2 + shift;
    }
    if q == 0 {
        return 0.0;
    }
    if q >= (1u128 << 53) {
        q >>= 1;
        lsb_exp += 1;
    }
    if lsb_exp == -1074 && q < (1u128 << 52) {
        return f64::from_bits(q as u64); // subnormal
    }
    let biased = lsb_exp + 52 + 1023;
    if biased >= 2047 {
        return f64::INFINITY;
    }
    if biased <= 0 {
        return 0.0; // unreachable by construction
    }
    f64::from_bits(((biased as u64) << 52) | (q as u64 & ((1u64 << 52) - 1)))
}

/// Java `Double.doubleToLongBits` (all NaNs collapse to the canonical NaN).
fn double_to_long_bits(d: f64) -> i64 {
    if d.is_nan() {
        0x7ff8_0000_0000_0000
    } else {
        d.to_bits() as i64
    }
}

/// Java `Double.compare` / `Double.compareTo`: numeric order, except `-0.0 < 0.0` and
/// NaN is equal to itself and greater than everything (including +Infinity).
pub fn java_double_compare(a: f64, b: f64) -> Ordering {
    if a < b {
        return Ordering::Less;
    }
    if a > b {
        return Ordering::Greater;
    }
    double_to_long_bits(a).cmp(&double_to_long_bits(b))
}

/// Java `Double.equals`: bitwise equality of `doubleToLongBits`.
pub fn java_double_equals(a: f64, b: f64) -> bool {
    double_to_long_bits(a) == double_to_long_bits(b)
}

/// Java's `(double) long` widening conversion (round to nearest even).
pub fn long_to_double(v: i64) -> f64 {
    v as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints() {
        assert_eq!(parse_java_int("5"), Some(5));
        assert_eq!(parse_java_int("+5"), Some(5));
        assert_eq!(parse_java_int("-0"), Some(0));
        assert_eq!(parse_java_int("007"), Some(7));
        assert_eq!(parse_java_int("2147483647"), Some(i32::MAX));
        assert_eq!(parse_java_int("-2147483648"), Some(i32::MIN));
        assert_eq!(parse_java_int("2147483648"), None);
        assert_eq!(parse_java_int("-2147483649"), None);
        assert_eq!(parse_java_int(""), None);
        assert_eq!(parse_java_int("+"), None);
        assert_eq!(parse_java_int("-"), None);
        assert_eq!(parse_java_int(" 5"), None);
        assert_eq!(parse_java_int("5 "), None);
        assert_eq!(parse_java_int("5.0"), None);
        assert_eq!(parse_java_int("1e3"), None);
        assert_eq!(parse_java_int("0x10"), None);
        assert_eq!(parse_java_int("++5"), None);
        // Arabic-Indic and fullwidth digits are digits to Character.digit
        assert_eq!(parse_java_int("\u{0661}\u{0662}"), Some(12));
        assert_eq!(parse_java_int("\u{FF19}"), Some(9));
        // Mathematical bold digit (supplementary plane): not a digit for Java
        assert_eq!(parse_java_int("\u{1D7CF}"), None);
        // superscript two is No, not Nd
        assert_eq!(parse_java_int("\u{00B2}"), None);
    }

    #[test]
    fn longs() {
        assert_eq!(parse_java_long("9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_java_long("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_java_long("9223372036854775808"), None);
        assert_eq!(parse_java_long("-9223372036854775809"), None);
        assert_eq!(parse_java_long("99999999999999999999999"), None);
        assert_eq!(parse_java_long("3000000000"), Some(3_000_000_000));
        assert_eq!(parse_java_long("5L"), None);
    }

    #[test]
    fn doubles() {
        let p = parse_java_double;
        assert_eq!(p("1"), Some(1.0));
        assert_eq!(p(" 1.5 "), Some(1.5));
        assert_eq!(p("\t-2.5e1\n"), Some(-25.0));
        assert_eq!(p("5."), Some(5.0));
        assert_eq!(p(".5"), Some(0.5));
        assert_eq!(p("1e3"), Some(1000.0));
        assert_eq!(p("1E+3"), Some(1000.0));
        assert_eq!(p("1.5f"), Some(1.5));
        assert_eq!(p("1.5D"), Some(1.5));
        assert_eq!(p("+7"), Some(7.0));
        assert!(p("NaN").is_some_and(|v| v.is_nan()));
        assert!(p("-NaN").is_some_and(|v| v.is_nan()));
        assert_eq!(p("Infinity"), Some(f64::INFINITY));
        assert_eq!(p("-Infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(p("1e400"), Some(f64::INFINITY));
        assert_eq!(p("1e-400"), Some(0.0));
        assert_eq!(p("0x1p3"), Some(8.0));
        assert_eq!(p("0X1.8P1"), Some(3.0));
        assert_eq!(p("-0x.8p0"), Some(-0.5));
        assert_eq!(p("0x1p-1074"), Some(f64::from_bits(1)));
        assert_eq!(p("0x1p-1075"), Some(0.0));
        assert_eq!(p("0x1.8p-1075"), Some(f64::from_bits(1)));
        assert_eq!(p("0x1.fffffffffffff8p1023"), Some(f64::INFINITY));
        assert_eq!(p("0x1.fffffffffffff7p1023"), Some(f64::MAX));
        assert_eq!(p("0x1.00000000000008p0"), Some(1.0)); // tie, even
        assert_eq!(p("0x1.00000000000018p0"), Some(1.0 + 2.0 * f64::EPSILON)); // tie, up to even
        assert_eq!(
            p("0x1.000000000000080000000000000000001p0"),
            Some(1.0 + f64::EPSILON)
        );
        for bad in [
            "",
            " ",
            ".",
            "e5",
            "1e",
            "1e+",
            "1.5x",
            "1.5ff",
            "inf",
            "nan",
            "NaNd",
            "Infinityf",
            "0x",
            "0x1",
            "0x.p1",
            "0x1p",
            "1..5",
            "1.5.",
            "- 1",
            "١",
            "0x1.2.3p1",
            "1_000",
        ] {
            assert_eq!(p(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn compare() {
        assert_eq!(
            java_double_compare(f64::NAN, f64::INFINITY),
            Ordering::Greater
        );
        assert_eq!(java_double_compare(f64::NAN, f64::NAN), Ordering::Equal);
        assert_eq!(java_double_compare(-0.0, 0.0), Ordering::Less);
        assert_eq!(java_double_compare(1.0, 2.0), Ordering::Less);
        assert!(java_double_equals(f64::NAN, f64::NAN));
        assert!(!java_double_equals(0.0, -0.0));
    }

    #[test]
    fn booleans() {
        assert!(parse_java_boolean("true"));
        assert!(parse_java_boolean("TrUe"));
        assert!(!parse_java_boolean(" true"));
        assert!(!parse_java_boolean("1"));
        assert!(!parse_java_boolean("yes"));
    }
}
