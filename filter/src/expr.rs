//! Compiled expression tree and its evaluation, mirroring
//! `org.apache.rocketmq.filter.expression.*` of RocketMQ 4.9.7:
//!
//! | node                | Java class / factory                                         |
//! |---------------------|--------------------------------------------------------------|
//! | [`Node::Const`]     | `ConstantExpression` (String, Integer, Long, Double)         |
//! | [`Node::BoolConst`] | `BooleanConstantExpression.TRUE/FALSE/NULL`                  |
//! | [`Node::Property`]  | `PropertyExpression`                                         |
//! | [`Node::Negate`]    | `UnaryExpression.createNegate`                               |
//! | [`Node::Not`]       | `UnaryExpression.createNOT`                                  |
//! | [`Node::BoolCast`]  | `UnaryExpression.createBooleanCast`                          |
//! | [`Node::And`]/`Or`  | `LogicExpression.createAND` / `createOR`                     |
//! | [`Node::Equal`]     | `ComparisonExpression.doCreateEqual` (`=`, `IS NULL`)        |
//! | [`Node::Compare`]   | `ComparisonExpression.createGreaterThan` & co.               |
//! | [`Node::In`]        | `UnaryExpression.createInExpression` / `UnaryInExpression`   |
//!
//! The compile-time operand checks of `ComparisonExpression` (`checkLessThanOperand`,
//! `checkEqualOperand`, `checkEqualOperandCompatability`, the `BETWEEN` bound check,
//! `createInFilter`'s property check) live in the `create_*` constructors here, and the
//! run-time conversions of `ComparisonExpression.__compare` (with
//! `convertStringExpressions == true`, which is always the case for expressions built by
//! `SelectorParser.parse`) in [`java_compare`].

use crate::error::{EvalError, FilterError};
use crate::javanum::{
    java_double_compare, java_double_equals, long_to_double, parse_java_boolean, parse_java_double,
    parse_java_int, parse_java_long,
};
use std::cmp::Ordering;
use std::fmt;

/// A run-time value, the Rust counterpart of the `Object`s Java's `Expression.evaluate`
/// returns: `null`, `Boolean`, `Integer`, `Long`, `Double` or `String`.
/// (Java's `Byte`/`Short`/`Float` branches of `__compare` are unreachable: the grammar and
/// a string-valued message context never produce those types.)
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    Int(i32),
    Long(i64),
    Double(f64),
    Str(&'a str),
}

impl Value<'_> {
    /// `ret != null && ret instanceof Boolean && (Boolean) ret` — the broker's match test.
    pub fn is_true(&self) -> bool {
        matches!(self, Value::Bool(true))
    }

    fn java_class(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "java.lang.Boolean",
            Value::Int(_) => "java.lang.Integer",
            Value::Long(_) => "java.lang.Long",
            Value::Double(_) => "java.lang.Double",
            Value::Str(_) => "java.lang.String",
        }
    }
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(v) => write!(f, "{v}"),
            Value::Long(v) => write!(f, "{v}"),
            Value::Double(v) => write!(f, "{v:?}"),
            Value::Str(s) => f.write_str(s),
        }
    }
}

/// Value of a `ConstantExpression` built from a string or numeric literal.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Const {
    Str(String),
    Int(i32),
    Long(i64),
    Double(f64),
}

/// Relational operator of a non-equality `ComparisonExpression`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Gt,
    Ge,
    Lt,
    Le,
}

impl CmpOp {
    fn symbol(self) -> &'static str {
        match self {
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
        }
    }

    /// `asBoolean(int answer)` of the anonymous subclasses.
    fn holds(self, o: Ordering) -> bool {
        match self {
            CmpOp::Gt => o == Ordering::Greater,
            CmpOp::Ge => o != Ordering::Less,
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
        }
    }
}

/// A node of the compiled expression tree (see the module docs for the Java mapping).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Const(Const),
    /// `BooleanConstantExpression`; `None` is `NULL`.
    BoolConst(Option<bool>),
    Property(String),
    Negate(Box<Node>),
    Not(Box<Node>),
    BoolCast(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Equal(Box<Node>, Box<Node>),
    Compare(CmpOp, Box<Node>, Box<Node>),
    In {
        property: String,
        list: Vec<String>,
        negated: bool,
    },
}

fn semantic(msg: String) -> FilterError {
    FilterError::Semantic(msg)
}

impl Node {
    /// `instanceof BooleanExpression`.
    pub(crate) fn is_boolean_expression(&self) -> bool {
        match self {
            Node::BoolConst(_)
            | Node::Not(_)
            | Node::BoolCast(_)
            | Node::And(..)
            | Node::Or(..)
            | Node::Equal(..)
            | Node::Compare(..)
            | Node::In { .. } => true,
            Node::Const(_) | Node::Property(_) | Node::Negate(_) => false,
        }
    }

    /// `instanceof ConstantExpression` (which includes `BooleanConstantExpression`).
    fn is_constant(&self) -> bool {
        matches!(self, Node::Const(_) | Node::BoolConst(_))
    }

    /// `SelectorParser.asBooleanExpression`.
    pub(crate) fn into_boolean_expression(self) -> Result<Node, FilterError> {
        if self.is_boolean_expression() {
            return Ok(self);
        }
        if let Node::Property(_) = self {
            return Ok(Node::BoolCast(Box::new(self)));
        }
        Err(semantic(format!(
            "Expression will not result in a boolean value: {self}"
        )))
    }

    /// `ComparisonExpression.checkLessThanOperand`.
    fn check_less_than_operand(&self) -> Result<(), FilterError> {
        match self {
            Node::Const(Const::Int(_) | Const::Long(_) | Const::Double(_)) => Ok(()),
            Node::Const(Const::Str(_)) | Node::BoolConst(_) => {
                Err(semantic(format!("Value '{self}' cannot be compared.")))
            }
            n if n.is_boolean_expression() => {
                Err(semantic(format!("Value '{self}' cannot be compared.")))
            }
            _ => Ok(()),
        }
    }

    /// `ComparisonExpression.checkEqualOperand`: the `NULL` literal cannot be compared.
    fn check_equal_operand(&self) -> Result<(), FilterError> {
        if let Node::BoolConst(None) = self {
            return Err(semantic(format!("'{self}' cannot be compared.")));
        }
        Ok(())
    }

    /// `ComparisonExpression.createEqual`.
    pub(crate) fn create_equal(left: Node, right: Node) -> Result<Node, FilterError> {
        left.check_equal_operand()?;
        right.check_equal_operand()?;
        // checkEqualOperandCompatability
        if left.is_constant()
            && right.is_constant()
            && left.is_boolean_expression()
            && !right.is_boolean_expression()
        {
            return Err(semantic(format!(
                "'{left}' cannot be compared with '{right}'"
            )));
        }
        Ok(Node::Equal(Box::new(left), Box::new(right)))
    }

    /// `ComparisonExpression.createNotEqual`.
    pub(crate) fn create_not_equal(left: Node, right: Node) -> Result<Node, FilterError> {
        Ok(Node::Not(Box::new(Node::create_equal(left, right)?)))
    }

    /// `ComparisonExpression.createIsNull` (no operand checks).
    pub(crate) fn create_is_null(left: Node) -> Node {
        Node::Equal(Box::new(left), Box::new(Node::BoolConst(None)))
    }

    /// `ComparisonExpression.createIsNotNull`.
    pub(crate) fn create_is_not_null(left: Node) -> Node {
        Node::Not(Box::new(Node::create_is_null(left)))
    }

    /// `ComparisonExpression.createGreaterThan` & co.
    pub(crate) fn create_compare(op: CmpOp, left: Node, right: Node) -> Result<Node, FilterError> {
        left.check_less_than_operand()?;
        right.check_less_than_operand()?;
        Ok(Node::Compare(op, Box::new(left), Box::new(right)))
    }

    /// `ComparisonExpression.createBetween`: if both bounds are constants they must be
    /// non-null and `low <= high` (by `__compare`), then `value >= low AND value <= high`.
    pub(crate) fn create_between(value: Node, low: Node, high: Node) -> Result<Node, FilterError> {
        if low.is_constant() && high.is_constant() {
            let (lv, rv) = (low.constant_value(), high.constant_value());
            if matches!(lv, Value::Null) || matches!(rv, Value::Null) {
                return Err(semantic(
                    "Illegal values of between, values can not be null!".to_string(),
                ));
            }
            let ret = java_compare(rv, lv).map_err(|e| semantic(e.to_string()))?;
            if ret == Ordering::Less {
                return Err(semantic(format!(
                    "Illegal values of between, left value({lv}) must less than or equal to right value({rv})"
                )));
            }
        }
        let ge = Node::create_compare(CmpOp::Ge, value.clone(), low)?;
        let le = Node::create_compare(CmpOp::Le, value, high)?;
        Ok(Node::And(Box::new(ge), Box::new(le)))
    }

    /// `ComparisonExpression.createNotBetween`: `value < low OR value > high` (no bound check).
    pub(crate) fn create_not_between(
        value: Node,
        low: Node,
        high: Node,
    ) -> Result<Node, FilterError> {
        let lt = Node::create_compare(CmpOp::Lt, value.clone(), low)?;
        let gt = Node::create_compare(CmpOp::Gt, value, high)?;
        Ok(Node::Or(Box::new(lt), Box::new(gt)))
    }

    /// `ComparisonExpression.createInFilter` / `createNotInFilter`.
    pub(crate) fn create_in(
        left: Node,
        list: Vec<String>,
        negated: bool,
    ) -> Result<Node, FilterError> {
        match left {
            Node::Property(property) => Ok(Node::In {
                property,
                list,
                negated,
            }),
            other => Err(semantic(format!(
                "Expected a property for In expression, got: {other}"
            ))),
        }
    }

    /// `ConstantExpression.getValue()` for constant nodes (Null for anything else).
    fn constant_value(&self) -> Value<'_> {
        match self {
            Node::Const(c) => const_value(c),
            Node::BoolConst(Some(b)) => Value::Bool(*b),
            _ => Value::Null,
        }
    }

    /// `Expression.evaluate(EvaluationContext)`.
    pub(crate) fn eval<'r>(
        &'r self,
        props: &dyn Fn(&str) -> Option<&'r str>,
    ) -> Result<Value<'r>, EvalError> {
        Ok(match self {
            Node::Const(c) => const_value(c),
            Node::BoolConst(b) => b.map_or(Value::Null, Value::Bool),
            Node::Property(name) => props(name).map_or(Value::Null, Value::Str),
            Node::Negate(inner) => match inner.eval(props)? {
                Value::Int(v) => Value::Int(v.wrapping_neg()),
                Value::Long(v) => Value::Long(v.wrapping_neg()),
                Value::Double(v) => Value::Double(-v),
                _ => Value::Null,
            },
            Node::Not(inner) => match as_boolean(inner.eval(props)?)? {
                None => Value::Null,
                Some(b) => Value::Bool(!b),
            },
            Node::BoolCast(inner) => match inner.eval(props)? {
                Value::Null => Value::Null,
                Value::Bool(b) => Value::Bool(b),
                _ => Value::Bool(false),
            },
            Node::And(l, r) => {
                let lv = as_boolean(l.eval(props)?)?;
                if lv == Some(false) {
                    return Ok(Value::Bool(false));
                }
                let rv = as_boolean(r.eval(props)?)?;
                if rv == Some(false) {
                    return Ok(Value::Bool(false));
                }
                if lv.is_none() || rv.is_none() {
                    return Ok(Value::Null);
                }
                Value::Bool(true)
            }
            Node::Or(l, r) => {
                let lv = as_boolean(l.eval(props)?)?;
                if lv == Some(true) {
                    return Ok(Value::Bool(true));
                }
                let rv = as_boolean(r.eval(props)?)?;
                if rv == Some(true) {
                    return Ok(Value::Bool(true));
                }
                if lv.is_none() || rv.is_none() {
                    return Ok(Value::Null);
                }
                Value::Bool(false)
            }
            Node::Equal(l, r) => {
                let lv = l.eval(props)?;
                let rv = r.eval(props)?;
                match (lv, rv) {
                    (Value::Null, Value::Null) => Value::Bool(true), // lv == rv
                    (Value::Null, _) => Value::Null,
                    (_, Value::Null) => Value::Bool(false),
                    _ if java_equals(lv, rv) => Value::Bool(true),
                    _ => Value::Bool(java_compare(lv, rv)? == Ordering::Equal),
                }
            }
            Node::Compare(op, l, r) => {
                let lv = l.eval(props)?;
                if lv == Value::Null {
                    return Ok(Value::Null);
                }
                let rv = r.eval(props)?;
                if rv == Value::Null {
                    return Ok(Value::Null);
                }
                let ord = match (lv, rv) {
                    (Value::Str(a), Value::Str(b)) => {
                        // "Compare String is illegal, first try to convert to double"
                        match (parse_java_double(a), parse_java_double(b)) {
                            (Some(x), Some(y)) => java_double_compare(x, y),
                            _ => {
                                return Err(EvalError::IllegalStringComparison {
                                    lv: a.to_string(),
                                    rv: b.to_string(),
                                })
                            }
                        }
                    }
                    _ => java_compare(lv, rv)?,
                };
                Value::Bool(op.holds(ord))
            }
            Node::In {
                property,
                list,
                negated,
            } => match props(property) {
                None => Value::Null,
                Some(v) => Value::Bool(list.iter().any(|e| e == v) ^ negated),
            },
        })
    }
}

fn const_value(c: &Const) -> Value<'_> {
    match c {
        Const::Str(s) => Value::Str(s),
        Const::Int(v) => Value::Int(*v),
        Const::Long(v) => Value::Long(*v),
        Const::Double(v) => Value::Double(*v),
    }
}

/// The `(Boolean)` cast in `LogicExpression` / `createNOT`.
fn as_boolean(v: Value<'_>) -> Result<Option<bool>, EvalError> {
    match v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(b)),
        other => Err(EvalError::ClassCast(format!(
            "{} cannot be cast to java.lang.Boolean",
            other.java_class()
        ))),
    }
}

/// `lv.equals(rv)` for the value classes that occur.
fn java_equals(lv: Value<'_>, rv: Value<'_>) -> bool {
    match (lv, rv) {
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Int(a), Value::Int(b)) => a == b,
        (Value::Long(a), Value::Long(b)) => a == b,
        (Value::Double(a), Value::Double(b)) => java_double_equals(a, b),
        (Value::Str(a), Value::Str(b)) => a == b,
        _ => false,
    }
}

/// Java `String.compareTo`: lexicographic over UTF-16 code units.
fn java_string_compare(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

fn number_format(input: &str, target: &'static str) -> EvalError {
    EvalError::NumberFormat {
        input: input.to_string(),
        target,
    }
}

/// `ComparisonExpression.__compare(lv, rv, convertStringExpressions = true)` for non-null
/// operands: converts the operands to a common type and compares them. Mismatched types
/// that Java cannot convert compare as "less" (`return -1`); a non-numeric string against
/// a number is an error (`NumberFormatException`), as is a boolean on the left against a
/// string on the right (Java casts the *Boolean* to String: `ClassCastException`).
pub(crate) fn java_compare(lv: Value<'_>, rv: Value<'_>) -> Result<Ordering, EvalError> {
    use Value::*;
    Ok(match (lv, rv) {
        (Null, _) | (_, Null) => {
            return Err(EvalError::ClassCast(
                "null operand in comparison".to_string(),
            ))
        }
        // Same class: compareTo.
        (Bool(a), Bool(b)) => a.cmp(&b),
        (Int(a), Int(b)) => a.cmp(&b),
        (Long(a), Long(b)) => a.cmp(&b),
        (Double(a), Double(b)) => java_double_compare(a, b),
        (Str(a), Str(b)) => java_string_compare(a, b),
        // lc == Boolean
        (Bool(_), Str(_)) => {
            return Err(EvalError::ClassCast(
                "class java.lang.Boolean cannot be cast to class java.lang.String".to_string(),
            ))
        }
        (Bool(_), _) => Ordering::Less,
        // lc == Integer
        (Int(a), Long(b)) => (a as i64).cmp(&b),
        (Int(a), Double(b)) => java_double_compare(a as f64, b),
        (Int(a), Str(s)) => a.cmp(&parse_java_int(s).ok_or_else(|| number_format(s, "Integer"))?),
        (Int(_), Bool(_)) => Ordering::Less,
        // lc == Long
        (Long(a), Int(b)) => a.cmp(&(b as i64)),
        (Long(a), Double(b)) => java_double_compare(long_to_double(a), b),
        (Long(a), Str(s)) => a.cmp(&parse_java_long(s).ok_or_else(|| number_format(s, "Long"))?),
        (Long(_), Bool(_)) => Ordering::Less,
        // lc == Double
        (Double(a), Int(b)) => java_double_compare(a, b as f64),
        (Double(a), Long(b)) => java_double_compare(a, long_to_double(b)),
        (Double(a), Str(s)) => java_double_compare(
            a,
            parse_java_double(s).ok_or_else(|| number_format(s, "Double"))?,
        ),
        (Double(_), Bool(_)) => Ordering::Less,
        // lc == String
        (Str(s), Bool(b)) => parse_java_boolean(s).cmp(&b),
        (Str(s), Int(b)) => parse_java_int(s)
            .ok_or_else(|| number_format(s, "Integer"))?
            .cmp(&b),
        (Str(s), Long(b)) => parse_java_long(s)
            .ok_or_else(|| number_format(s, "Long"))?
            .cmp(&b),
        (Str(s), Double(b)) => java_double_compare(
            parse_java_double(s).ok_or_else(|| number_format(s, "Double"))?,
            b,
        ),
    })
}

/// Renders roughly like Java's `toString()` of the expression classes (for logs only).
impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Const(Const::Str(s)) => write!(f, "'{}'", s.replace('\'', "''")),
            Node::Const(Const::Int(v)) => write!(f, "{v}"),
            Node::Const(Const::Long(v)) => write!(f, "{v}"),
            Node::Const(Const::Double(v)) => write!(f, "{v:?}"),
            Node::BoolConst(None) => f.write_str("NULL"),
            Node::BoolConst(Some(true)) => f.write_str("TRUE"),
            Node::BoolConst(Some(false)) => f.write_str("FALSE"),
            Node::Property(p) => f.write_str(p),
            Node::Negate(x) => write!(f, "(- {x})"),
            Node::Not(x) => write!(f, "(NOT {x})"),
            Node::BoolCast(x) => write!(f, "{x}"),
            Node::And(l, r) => write!(f, "({l} && {r})"),
            Node::Or(l, r) => write!(f, "({l} || {r})"),
            Node::Equal(l, r) => write!(f, "({l} == {r})"),
            Node::Compare(op, l, r) => write!(f, "({l} {} {r})", op.symbol()),
            Node::In {
                property,
                list,
                negated,
            } => write!(
                f,
                "{property} {} ( {} )",
                if *negated { "NOT IN" } else { "IN" },
                list.join(", ")
            ),
        }
    }
}
