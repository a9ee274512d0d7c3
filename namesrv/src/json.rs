//! A tiny writer for the fastjson text the namesrv sends (mirrors what
//! `RemotingSerializable.encode` / `JSON.toJSONString` print in fastjson 1.2.69).
//!
//! Callers write bean properties in sorted order themselves (fastjson's default `SortField`).
//! Two string modes matter here (protocol.md §3, §9):
//! * default: `\" \\ \b \f \n \r \t` escaped, other C0 controls and 0x7F as `\u00XX`
//!   (uppercase hex), U+2028/U+2029 as `\u2028`/`\u2029`, everything else raw UTF-8;
//! * `BrowserCompatible` (the route body for clients >= V4_9_4): additionally every non-ASCII
//!   UTF-16 unit as `\uXXXX` (uppercase hex).
//!
//! TODO: move to protocol::fastjson once it lands.

use std::fmt::Write as _;

/// Output buffer plus the escaping mode.
pub(crate) struct JsonOut {
    buf: String,
    browser_compatible: bool,
}

impl JsonOut {
    /// fastjson default features.
    pub(crate) fn new() -> Self {
        JsonOut {
            buf: String::with_capacity(256),
            browser_compatible: false,
        }
    }

    /// `BrowserCompatible` + `QuoteFieldNames` (the caller sorts maps: `MapSortField`).
    pub(crate) fn browser_compatible() -> Self {
        JsonOut {
            buf: String::with_capacity(256),
            browser_compatible: true,
        }
    }

    pub(crate) fn raw(&mut self, s: &str) -> &mut Self {
        self.buf.push_str(s);
        self
    }

    pub(crate) fn string(&mut self, s: &str) -> &mut Self {
        self.buf.push('"');
        for c in s.chars() {
            match c {
                '"' => self.buf.push_str("\\\""),
                '\\' => self.buf.push_str("\\\\"),
                '\u{8}' => self.buf.push_str("\\b"),
                '\u{c}' => self.buf.push_str("\\f"),
                '\n' => self.buf.push_str("\\n"),
                '\r' => self.buf.push_str("\\r"),
                '\t' => self.buf.push_str("\\t"),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                    let _ = write!(self.buf, "\\u{:04X}", c as u32);
                }
                '\u{2028}' | '\u{2029}' => {
                    let _ = write!(self.buf, "\\u{:04X}", c as u32);
                }
                c if self.browser_compatible && !c.is_ascii() => {
                    let mut units = [0u16; 2];
                    for u in c.encode_utf16(&mut units) {
                        let _ = write!(self.buf, "\\u{:04X}", u);
                    }
                }
                c => self.buf.push(c),
            }
        }
        self.buf.push('"');
        self
    }

    /// `"name":` (callers pass property names that need no escaping).
    pub(crate) fn key(&mut self, name: &str) -> &mut Self {
        self.buf.push('"');
        self.buf.push_str(name);
        self.buf.push_str("\":");
        self
    }

    /// A `Long` map key: unquoted by default, quoted in the standard form (`QuoteFieldNames`
    /// applies to map keys too once `BrowserCompatible` is on).
    pub(crate) fn long_key(&mut self, k: i64) -> &mut Self {
        if self.browser_compatible {
            let _ = write!(self.buf, "\"{k}\":");
        } else {
            let _ = write!(self.buf, "{k}:");
        }
        self
    }

    /// A `String` map key.
    pub(crate) fn string_key(&mut self, k: &str) -> &mut Self {
        self.string(k);
        self.buf.push(':');
        self
    }

    /// An int or long value. `BrowserCompatible` writes longs beyond ±2^53 as strings.
    pub(crate) fn int(&mut self, v: i64) -> &mut Self {
        const SAFE: i64 = 9_007_199_254_740_991;
        if self.browser_compatible && !(-SAFE..=SAFE).contains(&v) {
            let _ = write!(self.buf, "\"{v}\"");
        } else {
            let _ = write!(self.buf, "{v}");
        }
        self
    }

    pub(crate) fn comma(&mut self) -> &mut Self {
        self.buf.push(',');
        self
    }

    /// A JSON array of strings.
    pub(crate) fn string_array<'a>(
        &mut self,
        items: impl IntoIterator<Item = &'a str>,
    ) -> &mut Self {
        self.buf.push('[');
        for (i, s) in items.into_iter().enumerate() {
            if i > 0 {
                self.buf.push(',');
            }
            self.string(s);
        }
        self.buf.push(']');
        self
    }

    pub(crate) fn finish(self) -> String {
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::JsonOut;

    #[test]
    fn default_escaping() {
        let mut o = JsonOut::new();
        o.string("a\"b\\c\n\u{1}\u{7f}é/\u{2028}");
        assert_eq!(o.finish(), "\"a\\\"b\\\\c\\n\\u0001\\u007Fé/\\u2028\"");
    }

    #[test]
    fn browser_compatible_escaping() {
        let mut o = JsonOut::browser_compatible();
        o.string("é中😀");
        assert_eq!(o.finish(), "\"\\u00E9\\u4E2D\\uD83D\\uDE00\"");
        let mut o = JsonOut::browser_compatible();
        o.long_key(0).int(9_007_199_254_740_993);
        assert_eq!(o.finish(), "\"0\":\"9007199254740993\"");
    }
}
