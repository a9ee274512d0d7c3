//! Tokenizer mirroring the JavaCC-generated `SelectorParserTokenManager` of
//! `filter/src/main/java/org/apache/rocketmq/filter/parser/SelectorParser.jj` (4.9.7).
//!
//! Token definitions (all `IGNORE_CASE`, longest match wins, ties go to the earlier
//! definition, i.e. keywords beat identifiers):
//!
//! * white space: `' ' '\t' '\n' '\r' '\f'` only;
//! * `LINE_COMMENT: "--" (~["\n","\r"])* ("\n"|"\r"|"\r\n")` — note the terminator is
//!   mandatory, so `--` at the very end of the input (no newline) is two `-` tokens;
//! * `BLOCK_COMMENT: "/* ... */"` (unterminated is a lexical error);
//! * keywords `NOT AND OR BETWEEN IN TRUE FALSE NULL IS`;
//! * `DECIMAL_LITERAL: "0" | ["1"-"9"] (["0"-"9"])* (["l","L"])?` — so `0123` lexes as
//!   `0` followed by `123`, and there is no hex/octal;
//! * `FLOATING_POINT_LITERAL: digits "." digits? exp? | "." digits exp? | digits exp`,
//!   `exp = "E" ["+","-"]? digits` (no `d`/`f` suffix);
//! * `STRING_LITERAL: "'" ( "''" | ~["'"] )* "'"`;
//! * `ID: ["a"-"z","_","$"] (["a"-"z","0"-"9","_","$"])*` (ASCII only);
//! * operators `= <> > >= < <= ( , ) + -`.
//!
//! Like JavaCC, tokens are produced on demand: the parser only ever lexes one (sometimes
//! two) tokens past the end of the expression it accepts, which matters because the
//! 4.9.7 grammar does not require `<EOF>` after the expression.

use crate::error::FilterError;

/// Token kinds of `SelectorParserConstants`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Eof,
    Not,
    And,
    Or,
    Between,
    In,
    True,
    False,
    Null,
    Is,
    /// Image of a `DECIMAL_LITERAL` (including an optional `l`/`L` suffix).
    Decimal(String),
    /// Image of a `FLOATING_POINT_LITERAL`.
    Float(String),
    /// Decoded value of a `STRING_LITERAL` (quotes removed, `''` unescaped).
    Str(String),
    Id(String),
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    LParen,
    Comma,
    RParen,
    Plus,
    Minus,
}

impl Tok {
    /// How Java's `ParseException` would name the token.
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Eof => "<EOF>".into(),
            Tok::Not => "\"NOT\"".into(),
            Tok::And => "\"AND\"".into(),
            Tok::Or => "\"OR\"".into(),
            Tok::Between => "\"BETWEEN\"".into(),
            Tok::In => "\"IN\"".into(),
            Tok::True => "\"TRUE\"".into(),
            Tok::False => "\"FALSE\"".into(),
            Tok::Null => "\"NULL\"".into(),
            Tok::Is => "\"IS\"".into(),
            Tok::Decimal(s) => format!("<DECIMAL_LITERAL> {s:?}"),
            Tok::Float(s) => format!("<FLOATING_POINT_LITERAL> {s:?}"),
            Tok::Str(s) => format!("<STRING_LITERAL> {s:?}"),
            Tok::Id(s) => format!("<ID> {s:?}"),
            Tok::Eq => "\"=\"".into(),
            Tok::Ne => "\"<>\"".into(),
            Tok::Gt => "\">\"".into(),
            Tok::Ge => "\">=\"".into(),
            Tok::Lt => "\"<\"".into(),
            Tok::Le => "\"<=\"".into(),
            Tok::LParen => "\"(\"".into(),
            Tok::Comma => "\",\"".into(),
            Tok::RParen => "\")\"".into(),
            Tok::Plus => "\"+\"".into(),
            Tok::Minus => "\"-\"".into(),
        }
    }
}

/// A token with the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub offset: usize,
}

pub(crate) struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

fn is_id_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'$'
}

fn is_id_part(c: u8) -> bool {
    is_id_start(c) || c.is_ascii_digit()
}

const KEYWORDS: [(&str, Tok); 9] = [
    ("NOT", Tok::Not),
    ("AND", Tok::And),
    ("OR", Tok::Or),
    ("BETWEEN", Tok::Between),
    ("IN", Tok::In),
    ("TRUE", Tok::True),
    ("FALSE", Tok::False),
    ("NULL", Tok::Null),
    ("IS", Tok::Is),
];

impl<'a> Lexer<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        Lexer { src, pos: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.src.as_bytes()
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.bytes().get(i).copied()
    }

    fn lex_error(&self, offset: usize, what: &str) -> FilterError {
        let shown: String = self.src[offset..].chars().take(12).collect();
        FilterError::Lexical {
            offset,
            message: format!("{what} near {shown:?}"),
        }
    }

    /// Skips white space and comments (`SPECIAL_TOKEN` / `SKIP` in the grammar).
    fn skip_ignored(&mut self) -> Result<(), FilterError> {
        loop {
            match self.at(self.pos) {
                Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0C) => self.pos += 1,
                Some(b'-') if self.at(self.pos + 1) == Some(b'-') => {
                    // LINE_COMMENT needs its newline; without one the longest match is "-".
                    let rest = &self.bytes()[self.pos + 2..];
                    match rest.iter().position(|&c| c == b'\n' || c == b'\r') {
                        Some(nl) => self.pos += 2 + nl + 1,
                        None => return Ok(()),
                    }
                }
                Some(b'/') => {
                    if self.at(self.pos + 1) != Some(b'*') {
                        return Err(self.lex_error(self.pos, "unexpected character '/'"));
                    }
                    let body = &self.src[self.pos + 2..];
                    match body.find("*/") {
                        Some(end) => self.pos += 2 + end + 2,
                        None => return Err(self.lex_error(self.pos, "unterminated block comment")),
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// `E ["+","-"]? digits+` starting at `i`; returns the end offset if complete.
    fn exponent_end(&self, i: usize) -> Option<usize> {
        let mut j = i;
        match self.at(j) {
            Some(b'e' | b'E') => j += 1,
            _ => return None,
        }
        if matches!(self.at(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let start = j;
        while self.at(j).is_some_and(|c| c.is_ascii_digit()) {
            j += 1;
        }
        (j > start).then_some(j)
    }

    fn digits_end(&self, mut j: usize) -> usize {
        while self.at(j).is_some_and(|c| c.is_ascii_digit()) {
            j += 1;
        }
        j
    }

    fn lex_number(&mut self, start: usize) -> Tok {
        let int_end = self.digits_end(start);
        if self.at(int_end) == Some(b'.') {
            let frac_end = self.digits_end(int_end + 1);
            let end = self.exponent_end(frac_end).unwrap_or(frac_end);
            self.pos = end;
            return Tok::Float(self.src[start..end].to_string());
        }
        if let Some(end) = self.exponent_end(int_end) {
            self.pos = end;
            return Tok::Float(self.src[start..end].to_string());
        }
        let end = if self.at(start) == Some(b'0') {
            start + 1
        } else if matches!(self.at(int_end), Some(b'l' | b'L')) {
            int_end + 1
        } else {
            int_end
        };
        self.pos = end;
        Tok::Decimal(self.src[start..end].to_string())
    }

    fn lex_string(&mut self, start: usize) -> Result<Tok, FilterError> {
        // Greedy scan; remember the longest complete literal in case the greedy one
        // never closes (e.g. `'a''` lexes as `'a'` followed by a stray quote).
        let b = self.bytes();
        let mut j = start + 1;
        let mut longest_complete: Option<usize> = None;
        let end = loop {
            match b.get(j) {
                None => match longest_complete {
                    Some(e) => break e,
                    None => return Err(self.lex_error(start, "unterminated string literal")),
                },
                Some(b'\'') => {
                    longest_complete = Some(j + 1);
                    if b.get(j + 1) == Some(&b'\'') {
                        j += 2;
                    } else {
                        break j + 1;
                    }
                }
                Some(_) => j += 1,
            }
        };
        self.pos = end;
        // Decode like SelectorParser.stringLitteral(): drop the quotes, '' -> '.
        let inner = &self.src[start + 1..end - 1];
        Ok(Tok::Str(inner.replace("''", "'")))
    }

    /// Produces the next token (`SelectorParserTokenManager.getNextToken`).
    pub(crate) fn next_token(&mut self) -> Result<Token, FilterError> {
        self.skip_ignored()?;
        let start = self.pos;
        let Some(c) = self.at(start) else {
            return Ok(Token {
                tok: Tok::Eof,
                offset: start,
            });
        };
        let tok = match c {
            b'=' => {
                self.pos += 1;
                Tok::Eq
            }
            b'<' => match self.at(start + 1) {
                Some(b'>') => {
                    self.pos += 2;
                    Tok::Ne
                }
                Some(b'=') => {
                    self.pos += 2;
                    Tok::Le
                }
                _ => {
                    self.pos += 1;
                    Tok::Lt
                }
            },
            b'>' => {
                if self.at(start + 1) == Some(b'=') {
                    self.pos += 2;
                    Tok::Ge
                } else {
                    self.pos += 1;
                    Tok::Gt
                }
            }
            b'(' => {
                self.pos += 1;
                Tok::LParen
            }
            b')' => {
                self.pos += 1;
                Tok::RParen
            }
            b',' => {
                self.pos += 1;
                Tok::Comma
            }
            b'+' => {
                self.pos += 1;
                Tok::Plus
            }
            b'-' => {
                self.pos += 1;
                Tok::Minus
            }
            b'\'' => self.lex_string(start)?,
            b'0'..=b'9' => self.lex_number(start),
            b'.' => {
                let frac_end = self.digits_end(start + 1);
                if frac_end == start + 1 {
                    return Err(self.lex_error(start, "unexpected character '.'"));
                }
                let end = self.exponent_end(frac_end).unwrap_or(frac_end);
                self.pos = end;
                Tok::Float(self.src[start..end].to_string())
            }
            c if is_id_start(c) => {
                let mut j = start + 1;
                while self.at(j).is_some_and(is_id_part) {
                    j += 1;
                }
                self.pos = j;
                let word = &self.src[start..j];
                KEYWORDS
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(word))
                    .map(|(_, t)| t.clone())
                    .unwrap_or_else(|| Tok::Id(word.to_string()))
            }
            _ => return Err(self.lex_error(start, "unexpected character")),
        };
        Ok(Token { tok, offset: start })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex_all(s: &str) -> Result<Vec<Tok>, FilterError> {
        let mut l = Lexer::new(s);
        let mut out = Vec::new();
        loop {
            let t = l.next_token()?;
            if t.tok == Tok::Eof {
                return Ok(out);
            }
            out.push(t.tok);
        }
    }

    fn d(s: &str) -> Tok {
        Tok::Decimal(s.into())
    }
    fn f(s: &str) -> Tok {
        Tok::Float(s.into())
    }

    #[test]
    fn numbers() {
        assert_eq!(lex_all("0").unwrap(), vec![d("0")]);
        assert_eq!(lex_all("0123").unwrap(), vec![d("0"), d("123")]);
        assert_eq!(lex_all("12L 3l").unwrap(), vec![d("12L"), d("3l")]);
        assert_eq!(lex_all("0L").unwrap(), vec![d("0"), Tok::Id("L".into())]);
        assert_eq!(
            lex_all("1.5 5. .5 5e3 5.E-3 00.1").unwrap(),
            vec![f("1.5"), f("5."), f(".5"), f("5e3"), f("5.E-3"), f("00.1")]
        );
        assert_eq!(lex_all("5e").unwrap(), vec![d("5"), Tok::Id("e".into())]);
        assert_eq!(
            lex_all("5e+").unwrap(),
            vec![d("5"), Tok::Id("e".into()), Tok::Plus]
        );
        assert_eq!(lex_all("1.5.5").unwrap(), vec![f("1.5"), f(".5")]);
        assert_eq!(lex_all("5and").unwrap(), vec![d("5"), Tok::And]);
        assert!(lex_all(".").is_err());
        assert!(lex_all("0x10").is_ok()); // 0 then ID x10
        assert_eq!(
            lex_all("0x10").unwrap(),
            vec![d("0"), Tok::Id("x10".into())]
        );
    }

    #[test]
    fn strings() {
        assert_eq!(lex_all("'a''b'").unwrap(), vec![Tok::Str("a'b".into())]);
        assert_eq!(lex_all("''").unwrap(), vec![Tok::Str("".into())]);
        assert_eq!(lex_all("''''").unwrap(), vec![Tok::Str("'".into())]);
        assert_eq!(
            lex_all("'héllo\n'").unwrap(),
            vec![Tok::Str("héllo\n".into())]
        );
        assert!(lex_all("'abc").is_err());
        // longest complete match, then a stray quote
        let mut l = Lexer::new("'a'' x");
        assert_eq!(l.next_token().unwrap().tok, Tok::Str("a".into()));
        assert!(l.next_token().is_err());
    }

    #[test]
    fn words_and_comments() {
        assert_eq!(
            lex_all("a AND b and_c NoT $x _1 isnull").unwrap(),
            vec![
                Tok::Id("a".into()),
                Tok::And,
                Tok::Id("b".into()),
                Tok::Id("and_c".into()),
                Tok::Not,
                Tok::Id("$x".into()),
                Tok::Id("_1".into()),
                Tok::Id("isnull".into())
            ]
        );
        assert_eq!(
            lex_all("a /* c */ -- x\n b").unwrap(),
            vec![Tok::Id("a".into()), Tok::Id("b".into())]
        );
        assert_eq!(
            lex_all("--5").unwrap(),
            vec![Tok::Minus, Tok::Minus, d("5")]
        );
        assert_eq!(lex_all("--5\n6").unwrap(), vec![d("6")]);
        assert!(lex_all("/* x").is_err());
        assert!(lex_all("a / b").is_err());
        assert!(lex_all("a != b").is_err());
        assert!(lex_all("a\u{a0}").is_err());
        assert!(lex_all("é").is_err());
        assert_eq!(
            lex_all("<><=>=<>").unwrap(),
            vec![Tok::Ne, Tok::Le, Tok::Ge, Tok::Ne]
        );
    }
}
