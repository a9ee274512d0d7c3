//! The fastjson reader: a recursive-descent parser for the grammar fastjson 1.2.69 accepts
//! with its default parser features (`AllowUnQuotedFieldNames`, `AllowSingleQuotes`,
//! `AllowArbitraryCommas`, `UseBigDecimal`, …).
//!
//! Accepted beyond standard JSON: unquoted keys (`{code:105}`), single-quoted strings,
//! numbers, objects and arrays as object keys, `//` and `/* */` comments, repeated or
//! trailing commas (`{,"a":1,,}`, `[1,,2,]`), array elements without commas (`[1 2]`),
//! `undefined` and any-case `null`, `Set[…]`/`TreeSet[…]`, a leading `+` and Java number
//! suffixes (`1L`, `2.5F`, `3D`), the escapes `\v`, `\'`, `\xHH` and `\0`…`\7`, raw control
//! characters inside strings, `\b` and `\f` as whitespace, a leading BOM and a final `0x1A`.
//! Rejected: trailing text, unclosed containers, unknown escapes, nesting beyond the limit.

use super::value::{Number, Value};
use super::{Error, ParseOptions};

pub(crate) fn parse_document(text: &str, options: ParseOptions) -> Result<Value, Error> {
    if text.len() > options.max_input {
        return Err(Error::TooLarge {
            len: text.len(),
            limit: options.max_input,
        });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        pos: 0,
        depth: 0,
        max_depth: options.max_depth,
    };
    p.skip_ws()?;
    if p.pos >= p.s.len() {
        return Err(Error::Eof);
    }
    let v = p.value()?;
    p.skip_ws()?;
    // fastjson's EOI marker 0x1A counts as the end when it is the last character.
    if p.pos + 1 == p.s.len() && p.s[p.pos] == 0x1a {
        p.pos += 1;
    }
    if p.pos < p.s.len() {
        return Err(Error::TrailingCharacters(p.pos));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
    depth: usize,
    max_depth: usize,
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == '$' || u32::from(c) >= 256
}

fn is_ident_part(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || u32::from(c) >= 256
}

impl<'a> Parser<'a> {
    fn err(&self, msg: impl Into<String>) -> Error {
        Error::Syntax {
            pos: self.pos,
            msg: msg.into(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn peek_char(&self) -> Option<char> {
        self.text.get(self.pos..).and_then(|t| t.chars().next())
    }

    fn skip_ws(&mut self) -> Result<(), Error> {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\n' | b'\r' | 0x0c | 0x08 => self.pos += 1,
                b'/' => self.skip_comment()?,
                _ => break,
            }
        }
        Ok(())
    }

    fn skip_comment(&mut self) -> Result<(), Error> {
        let start = self.pos;
        match self.s.get(self.pos + 1) {
            Some(b'*') => {
                let body = &self.s[self.pos + 2..];
                match body.windows(2).position(|w| w == b"*/") {
                    Some(i) => self.pos += 2 + i + 2,
                    None => {
                        self.pos = start;
                        return Err(self.err("unclosed comment"));
                    }
                }
            }
            Some(b'/') => {
                let body = &self.s[self.pos + 2..];
                match body.iter().position(|&b| b == b'\n') {
                    Some(i) => self.pos += 2 + i + 1,
                    None => self.pos = self.s.len(),
                }
            }
            _ => return Err(self.err("invalid comment")),
        }
        Ok(())
    }

    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(Error::TooDeep(self.max_depth));
        }
        Ok(())
    }

    fn value(&mut self) -> Result<Value, Error> {
        self.skip_ws()?;
        let Some(b) = self.peek() else {
            return Err(Error::Eof);
        };
        match b {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' | b'\'' => Ok(Value::String(self.string(b)?)),
            b'-' | b'+' | b'0'..=b'9' => Ok(Value::Number(self.number()?)),
            _ => self.keyword(),
        }
    }

    fn keyword(&mut self) -> Result<Value, Error> {
        let start = self.pos;
        let rest = &self.text[self.pos..];
        let len = rest
            .char_indices()
            .find(|(_, c)| !c.is_alphanumeric())
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        let word = &rest[..len];
        self.pos += len;
        match word {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            "undefined" => Ok(Value::Null),
            "Set" | "TreeSet" => {
                self.skip_ws()?;
                if self.peek() == Some(b'[') {
                    match self.array()? {
                        Value::Array(items) => Ok(Value::Set(items)),
                        other => Ok(other),
                    }
                } else {
                    Err(self.err("expected [ after Set"))
                }
            }
            w if w.eq_ignore_ascii_case("null") => Ok(Value::Null),
            "" => {
                self.pos = start;
                Err(self.err(format!(
                    "unexpected character {:?}",
                    self.peek_char().unwrap_or('\0')
                )))
            }
            w => {
                self.pos = start;
                Err(self.err(format!("unexpected identifier {w:?}")))
            }
        }
    }

    fn array(&mut self) -> Result<Value, Error> {
        self.enter()?;
        self.pos += 1; // '['
        let mut items = Vec::new();
        loop {
            self.skip_ws()?;
            match self.peek() {
                None => return Err(self.err("unclosed array")),
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                Some(_) => items.push(self.value()?),
            }
        }
        self.depth -= 1;
        Ok(Value::Array(items))
    }

    fn object(&mut self) -> Result<Value, Error> {
        self.enter()?;
        self.pos += 1; // '{'
        let mut entries = Vec::new();
        loop {
            self.skip_ws()?;
            while self.peek() == Some(b',') {
                self.pos += 1;
                self.skip_ws()?;
            }
            let key = match self.peek() {
                None => return Err(self.err("unclosed object")),
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                Some(q @ (b'"' | b'\'')) => Value::String(self.string(q)?),
                Some(b'-' | b'0'..=b'9') => Value::Number(self.number()?),
                Some(b'{' | b'[') => self.value()?,
                Some(_) => self.unquoted_key()?,
            };
            self.skip_ws()?;
            if self.peek() != Some(b':') {
                return Err(self.err("expected ':'"));
            }
            self.pos += 1;
            let value = self.value()?;
            entries.push((key, value));
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                None => return Err(self.err("unclosed object")),
                Some(_) => return Err(self.err("expected ',' or '}'")),
            }
        }
        self.depth -= 1;
        Ok(Value::Object(entries))
    }

    fn unquoted_key(&mut self) -> Result<Value, Error> {
        let rest = &self.text[self.pos..];
        let mut chars = rest.char_indices();
        match chars.next() {
            Some((_, c)) if is_ident_start(c) => {}
            Some((_, c)) => return Err(self.err(format!("illegal identifier {c:?}"))),
            None => return Err(Error::Eof),
        }
        let len = chars
            .find(|(_, c)| !is_ident_part(*c))
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        let word = &rest[..len];
        self.pos += len;
        if word == "null" {
            Ok(Value::Null)
        } else {
            Ok(Value::String(word.to_owned()))
        }
    }

    fn hex_digits(&mut self, n: usize) -> Result<u32, Error> {
        let digits = self
            .s
            .get(self.pos..self.pos + n)
            .ok_or_else(|| self.err("truncated escape"))?;
        let mut v = 0u32;
        for &d in digits {
            let x = char::from(d)
                .to_digit(16)
                .ok_or_else(|| self.err("invalid hex escape"))?;
            v = v * 16 + x;
        }
        self.pos += n;
        Ok(v)
    }

    fn string(&mut self, quote: u8) -> Result<String, Error> {
        self.pos += 1;
        let mut out = String::new();
        let mut pending_high: Option<u32> = None;
        loop {
            // Copy a run of plain bytes at once.
            let start = self.pos;
            while let Some(b) = self.peek() {
                if b == quote || b == b'\\' {
                    break;
                }
                self.pos += 1;
            }
            if self.pos > start {
                flush_surrogate(&mut out, &mut pending_high);
                out.push_str(&self.text[start..self.pos]);
            }
            match self.peek() {
                None => return Err(self.err("unclosed string")),
                Some(b) if b == quote => {
                    self.pos += 1;
                    flush_surrogate(&mut out, &mut pending_high);
                    return Ok(out);
                }
                Some(_) => {
                    self.pos += 1; // backslash
                    let Some(e) = self.peek() else {
                        return Err(self.err("unclosed string"));
                    };
                    self.pos += 1;
                    let c = match e {
                        b'0'..=b'7' => u32::from(e - b'0'),
                        b'b' => 8,
                        b't' => 9,
                        b'n' => 10,
                        b'v' => 11,
                        b'f' | b'F' => 12,
                        b'r' => 13,
                        b'"' => 34,
                        b'\'' => 39,
                        b'/' => 47,
                        b'\\' => 92,
                        b'x' => self.hex_digits(2)?,
                        b'u' => self.hex_digits(4)?,
                        _ => {
                            self.pos -= 1;
                            return Err(self.err("invalid escape"));
                        }
                    };
                    push_unit(&mut out, &mut pending_high, c);
                }
            }
        }
    }

    fn number(&mut self) -> Result<Number, Error> {
        let start = self.pos;
        if self.peek() == Some(b'+') {
            self.pos += 1;
        }
        let text_start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits_start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        let mut int_digits = self.pos - digits_start;
        let mut is_decimal = false;
        if self.peek() == Some(b'.') {
            is_decimal = true;
            self.pos += 1;
            let frac_start = self.pos;
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
            int_digits += self.pos - frac_start;
        }
        if int_digits == 0 {
            self.pos = start;
            return Err(self.err("invalid number"));
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            is_decimal = true;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            let exp_start = self.pos;
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
            if self.pos == exp_start {
                return Err(self.err("invalid exponent"));
            }
        }
        let text = &self.text[text_start..self.pos];
        // Java type suffixes.
        match self.peek() {
            Some(b'L' | b'S' | b'B') if !is_decimal => self.pos += 1,
            Some(b'F' | b'D') => {
                self.pos += 1;
                is_decimal = true;
            }
            _ => {}
        }
        if !is_decimal {
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Number::Int(i));
            }
        }
        Ok(Number::Raw(text.to_owned()))
    }
}

/// Append one UTF-16 unit from an escape, pairing surrogates; lone surrogates become U+FFFD
/// (a Java string could hold them, a Rust one cannot).
fn push_unit(out: &mut String, pending_high: &mut Option<u32>, unit: u32) {
    if (0xD800..0xDC00).contains(&unit) {
        flush_surrogate(out, pending_high);
        *pending_high = Some(unit);
        return;
    }
    if (0xDC00..0xE000).contains(&unit) {
        if let Some(high) = pending_high.take() {
            let c = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00);
            out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
        } else {
            out.push('\u{fffd}');
        }
        return;
    }
    flush_surrogate(out, pending_high);
    out.push(char::from_u32(unit).unwrap_or('\u{fffd}'));
}

fn flush_surrogate(out: &mut String, pending_high: &mut Option<u32>) {
    if pending_high.take().is_some() {
        out.push('\u{fffd}');
    }
}
