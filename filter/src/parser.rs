//! Recursive-descent parser equivalent to the JavaCC-generated
//! `org.apache.rocketmq.filter.parser.SelectorParser` of RocketMQ 4.9.7
//! (`SelectorParser.jj`, whose semantic actions build the expression tree through the
//! factories of `ComparisonExpression`, `LogicExpression`, `UnaryExpression` and
//! `ConstantExpression`):
//!
//! ```text
//! JmsSelector          := orExpression                      (no <EOF> check!)
//! orExpression         := andExpression ( OR andExpression )*
//! andExpression        := equalityExpression ( AND equalityExpression )*
//! equalityExpression   := comparisonExpression ( "=" comparisonExpression
//!                                              | "<>" comparisonExpression
//!                                              | IS NULL | IS NOT NULL )*
//! comparisonExpression := unaryExpr ( (">"|">="|"<"|"<=") unaryExpr
//!                                   | BETWEEN unaryExpr AND unaryExpr
//!                                   | NOT BETWEEN unaryExpr AND unaryExpr
//!                                   | IN "(" string ("," string)* ")"
//!                                   | NOT IN "(" string ("," string)* ")" )*
//! unaryExpr            := "+" unaryExpr | "-" unaryExpr | NOT unaryExpr | primaryExpr
//! primaryExpr          := literal | ID | "(" orExpression ")"
//! literal              := STRING | DECIMAL | FLOAT | TRUE | FALSE | NULL
//! ```
//!
//! Notable consequences (all reproduced): `NOT` binds tighter than any comparison
//! (`NOT a = 'x'` is `(NOT a) = 'x'`); comparisons bind tighter than `=`/`<>`/`IS`;
//! and input after a complete expression is ignored as long as the next token lexes
//! (`a = 1 b c` compiles as `a = 1`). There is no `LIKE`, `ESCAPE`, arithmetic
//! (`+`/`-` are unary only), `STARTSWITH`/`ENDSWITH`/`CONTAINS` (added in 5.x), hex or
//! octal literals.

use crate::error::FilterError;
use crate::expr::{CmpOp, Const, Node};
use crate::javanum::parse_java_double;
use crate::lexer::{Lexer, Tok, Token};
use std::collections::VecDeque;

pub(crate) struct Parser<'a> {
    lexer: Lexer<'a>,
    /// Tokens lexed but not yet consumed (JavaCC's `token.next` chain).
    ahead: VecDeque<Token>,
    /// Current nesting of parentheses and unary operators (each level recurses).
    depth: usize,
}

/// Deepest nesting accepted. Java parses deeper selectors until its thread stack
/// overflows; a bounded limit keeps a hostile selector from aborting the broker.
pub(crate) const NESTING_MAX: usize = 48;

impl<'a> Parser<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        Parser {
            lexer: Lexer::new(src),
            ahead: VecDeque::new(),
            depth: 0,
        }
    }

    /// Lexes on demand so that lexical errors surface exactly when JavaCC would hit them.
    fn peek_n(&mut self, n: usize) -> Result<&Tok, FilterError> {
        while self.ahead.len() <= n {
            let t = self.lexer.next_token()?;
            self.ahead.push_back(t);
        }
        Ok(&self.ahead[n].tok)
    }

    fn peek(&mut self) -> Result<&Tok, FilterError> {
        self.peek_n(0)
    }

    fn next(&mut self) -> Result<Token, FilterError> {
        self.peek_n(0)?;
        self.ahead
            .pop_front()
            .ok_or_else(|| FilterError::Semantic("internal parser error".to_string()))
    }

    fn syntax_error(&mut self, expected: &str) -> FilterError {
        match self.peek_n(0) {
            Ok(_) => {
                let (found, offset) = match self.ahead.front() {
                    Some(t) => (t.tok.describe(), t.offset),
                    None => ("<EOF>".to_string(), 0),
                };
                FilterError::Syntax {
                    offset,
                    found,
                    expected: expected.to_string(),
                }
            }
            Err(e) => e,
        }
    }

    fn expect(&mut self, want: Tok, expected: &str) -> Result<(), FilterError> {
        if *self.peek()? == want {
            self.next()?;
            Ok(())
        } else {
            Err(self.syntax_error(expected))
        }
    }

    /// `JmsSelector()`.
    pub(crate) fn parse_selector(&mut self) -> Result<Node, FilterError> {
        let e = self.or_expression()?;
        e.into_boolean_expression()
    }

    fn or_expression(&mut self) -> Result<Node, FilterError> {
        let mut left = self.and_expression()?;
        while *self.peek()? == Tok::Or {
            self.next()?;
            let right = self.and_expression()?;
            left = Node::Or(
                Box::new(left.into_boolean_expression()?),
                Box::new(right.into_boolean_expression()?),
            );
        }
        Ok(left)
    }

    fn and_expression(&mut self) -> Result<Node, FilterError> {
        let mut left = self.equality_expression()?;
        while *self.peek()? == Tok::And {
            self.next()?;
            let right = self.equality_expression()?;
            left = Node::And(
                Box::new(left.into_boolean_expression()?),
                Box::new(right.into_boolean_expression()?),
            );
        }
        Ok(left)
    }

    fn equality_expression(&mut self) -> Result<Node, FilterError> {
        let mut left = self.comparison_expression()?;
        loop {
            match self.peek()? {
                Tok::Eq => {
                    self.next()?;
                    let right = self.comparison_expression()?;
                    left = Node::create_equal(left, right)?;
                }
                Tok::Ne => {
                    self.next()?;
                    let right = self.comparison_expression()?;
                    left = Node::create_not_equal(left, right)?;
                }
                Tok::Is => {
                    if *self.peek_n(1)? == Tok::Null {
                        self.next()?;
                        self.next()?;
                        left = Node::create_is_null(left);
                    } else {
                        self.next()?;
                        self.expect(Tok::Not, "\"NOT\" or \"NULL\"")?;
                        self.expect(Tok::Null, "\"NULL\"")?;
                        left = Node::create_is_not_null(left);
                    }
                }
                _ => return Ok(left),
            }
        }
    }

    fn string_list(&mut self) -> Result<Vec<String>, FilterError> {
        self.expect(Tok::LParen, "\"(\"")?;
        let mut list = vec![self.string_literal()?];
        while *self.peek()? == Tok::Comma {
            self.next()?;
            list.push(self.string_literal()?);
        }
        self.expect(Tok::RParen, "\",\" or \")\"")?;
        Ok(list)
    }

    fn string_literal(&mut self) -> Result<String, FilterError> {
        if let Tok::Str(_) = self.peek()? {
            if let Tok::Str(s) = self.next()?.tok {
                return Ok(s);
            }
        }
        Err(self.syntax_error("<STRING_LITERAL>"))
    }

    fn comparison_expression(&mut self) -> Result<Node, FilterError> {
        let mut left = self.unary_expr()?;
        loop {
            let op = match self.peek()? {
                Tok::Gt => Some(CmpOp::Gt),
                Tok::Ge => Some(CmpOp::Ge),
                Tok::Lt => Some(CmpOp::Lt),
                Tok::Le => Some(CmpOp::Le),
                _ => None,
            };
            if let Some(op) = op {
                self.next()?;
                let right = self.unary_expr()?;
                left = Node::create_compare(op, left, right)?;
                continue;
            }
            match self.peek()? {
                Tok::Between => {
                    self.next()?;
                    let low = self.unary_expr()?;
                    self.expect(Tok::And, "\"AND\"")?;
                    let high = self.unary_expr()?;
                    left = Node::create_between(left, low, high)?;
                }
                Tok::In => {
                    self.next()?;
                    let list = self.string_list()?;
                    left = Node::create_in(left, list, false)?;
                }
                Tok::Not => match self.peek_n(1)? {
                    Tok::Between => {
                        self.next()?;
                        self.next()?;
                        let low = self.unary_expr()?;
                        self.expect(Tok::And, "\"AND\"")?;
                        let high = self.unary_expr()?;
                        left = Node::create_not_between(left, low, high)?;
                    }
                    Tok::In => {
                        self.next()?;
                        self.next()?;
                        let list = self.string_list()?;
                        left = Node::create_in(left, list, true)?;
                    }
                    _ => return Err(self.syntax_error("\"BETWEEN\" or \"IN\" after \"NOT\"")),
                },
                _ => return Ok(left),
            }
        }
    }

    fn unary_expr(&mut self) -> Result<Node, FilterError> {
        self.depth += 1;
        let r = self.unary_expr_inner();
        self.depth -= 1;
        r
    }

    fn unary_expr_inner(&mut self) -> Result<Node, FilterError> {
        if self.depth > NESTING_MAX {
            return Err(FilterError::Semantic(format!(
                "expression nested deeper than {NESTING_MAX} levels"
            )));
        }
        match self.peek()? {
            Tok::Plus => {
                self.next()?;
                self.unary_expr()
            }
            Tok::Minus => {
                self.next()?;
                let inner = self.unary_expr()?;
                Ok(Node::Negate(Box::new(inner)))
            }
            Tok::Not => {
                self.next()?;
                let inner = self.unary_expr()?;
                Ok(Node::Not(Box::new(inner.into_boolean_expression()?)))
            }
            _ => self.primary_expr(),
        }
    }

    fn primary_expr(&mut self) -> Result<Node, FilterError> {
        let expected = "a literal, an identifier or \"(\"";
        match self.peek()? {
            Tok::LParen => {
                self.next()?;
                let inner = self.or_expression()?;
                self.expect(Tok::RParen, "\")\"")?;
                Ok(inner)
            }
            Tok::Id(_)
            | Tok::Str(_)
            | Tok::Decimal(_)
            | Tok::Float(_)
            | Tok::True
            | Tok::False
            | Tok::Null => {
                let tok = self.next()?.tok;
                match tok {
                    Tok::Id(name) => Ok(Node::Property(name)),
                    Tok::Str(s) => Ok(Node::Const(Const::Str(s))),
                    Tok::Decimal(image) => create_from_decimal(&image),
                    Tok::Float(image) => create_float(&image),
                    Tok::True => Ok(Node::BoolConst(Some(true))),
                    Tok::False => Ok(Node::BoolConst(Some(false))),
                    Tok::Null => Ok(Node::BoolConst(None)),
                    _ => Err(FilterError::Semantic("internal parser error".to_string())),
                }
            }
            _ => Err(self.syntax_error(expected)),
        }
    }
}

/// `ConstantExpression.createFromDecimal`: strip `l`/`L`, `new Long(text)` (must fit),
/// narrowed to `Integer` when it fits an int.
fn create_from_decimal(image: &str) -> Result<Node, FilterError> {
    let digits = image.strip_suffix(['l', 'L']).unwrap_or(image);
    let v: i64 = digits.parse().map_err(|_| FilterError::NumberLiteral {
        literal: image.to_string(),
        reason: "java.lang.NumberFormatException (outside the long range)".to_string(),
    })?;
    Ok(Node::Const(match i32::try_from(v) {
        Ok(i) => Const::Int(i),
        Err(_) => Const::Long(v),
    }))
}

/// `ConstantExpression.createFloat`: `new Double(text)`, rejected if greater than
/// `Double.MAX_VALUE` or *less than `Double.MIN_VALUE`* (4.9E-324) — which rejects
/// every literal that rounds to zero, e.g. `0.0`.
fn create_float(image: &str) -> Result<Node, FilterError> {
    let v = parse_java_double(image).ok_or_else(|| FilterError::NumberLiteral {
        literal: image.to_string(),
        reason: "java.lang.NumberFormatException".to_string(),
    })?;
    if v > f64::MAX {
        return Err(FilterError::NumberLiteral {
            literal: image.to_string(),
            reason: format!("{image} is greater than 1.7976931348623157E308"),
        });
    }
    if v < f64::from_bits(1) {
        return Err(FilterError::NumberLiteral {
            literal: image.to_string(),
            reason: format!("{image} is less than 4.9E-324"),
        });
    }
    Ok(Node::Const(Const::Double(v)))
}

#[cfg(test)]
mod depth_tests {
    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        for n in [200usize, 5_000, 100_000] {
            let e = format!("{}a = 1{}", "(".repeat(n), ")".repeat(n));
            assert!(crate::compile(&e).is_err(), "{n} parentheses");
            let e = format!("{}a", "NOT ".repeat(n));
            assert!(crate::compile(&e).is_err(), "{n} NOTs");
            let e = format!("a = {}1", "-".repeat(n));
            assert!(crate::compile(&e).is_err(), "{n} minus signs");
        }
        let ok = format!("{}a = 1{}", "(".repeat(30), ")".repeat(30));
        assert!(crate::compile(&ok).is_ok());
    }
}
