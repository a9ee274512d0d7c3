//! Error types of the filter crate.
//!
//! * [`FilterError`] — compile-time failures. In Java every one of these surfaces as
//!   `org.apache.rocketmq.filter.expression.MQFilterException("Invalid MessageSelector. ", cause)`
//!   thrown by `SelectorParser.parse` (lexical `TokenMgrError`, syntactic `ParseException`,
//!   and the `RuntimeException`s / `NumberFormatException`s thrown by the expression factories
//!   `ComparisonExpression.create*`, `ConstantExpression.createFromDecimal/createFloat`, ...).
//!   The broker reports `e.getMessage()`, which is always [`JAVA_COMPILE_ERROR_MESSAGE`];
//!   use [`FilterError::java_message`] for wire-compatible remarks.
//! * [`EvalError`] — run-time failures. In Java these are exceptions thrown out of
//!   `Expression.evaluate` (`RuntimeException` wrapping a `NumberFormatException`,
//!   the "illegal to compare string" `RuntimeException`, a `ClassCastException`);
//!   the broker (`ExpressionMessageFilter.isMatchedByCommitLog`,
//!   `CommitLogDispatcherCalcBitMap.dispatch`) catches them and treats the message as
//!   *not matched*.

use thiserror::Error;

/// `MQFilterException.getMessage()` for every compile failure of the SQL92 filter.
pub const JAVA_COMPILE_ERROR_MESSAGE: &str = "Invalid MessageSelector. ";

/// Why an expression failed to compile.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FilterError {
    /// Java `TokenMgrError`: a character sequence that is not a token
    /// (e.g. `!`, `"`, an unterminated string or block comment).
    #[error("Invalid MessageSelector. Lexical error at offset {offset}: {message}")]
    Lexical { offset: usize, message: String },
    /// Java `ParseException`: the token sequence does not match the grammar.
    #[error(
        "Invalid MessageSelector. Encountered {found} at offset {offset}; expected {expected}"
    )]
    Syntax {
        offset: usize,
        found: String,
        expected: String,
    },
    /// Java `RuntimeException` thrown while building the expression tree
    /// (operand checks of `ComparisonExpression`, bad `BETWEEN` bounds, `IN` on a
    /// non-property, ...), or a `ParseException` from `asBooleanExpression`.
    #[error("Invalid MessageSelector. {0}")]
    Semantic(String),
    /// A numeric literal Java cannot represent: a decimal literal outside the `long`
    /// range (`NumberFormatException`), or a floating literal that is infinite or below
    /// `Double.MIN_VALUE` (which includes `0.0`).
    #[error("Invalid MessageSelector. Bad numeric literal {literal}: {reason}")]
    NumberLiteral { literal: String, reason: String },
    /// `FilterFactory.INSTANCE.get(type)` returned null (only `SQL92` is registered).
    #[error("Unsupported expression type {0:?}")]
    UnsupportedType(String),
}

impl FilterError {
    /// The text Java puts in a response remark for this failure
    /// (`ClientManageProcessor.checkClientConfig` uses `e.getMessage()`).
    pub fn java_message(&self) -> &'static str {
        match self {
            // Java would throw a NullPointerException (no message) before compiling.
            FilterError::UnsupportedType(_) => "",
            _ => JAVA_COMPILE_ERROR_MESSAGE,
        }
    }
}

/// Why evaluating a compiled expression against a message failed.
/// The broker treats any of these as "message does not match".
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EvalError {
    /// `>`, `>=`, `<`, `<=` between two strings that are not both parsable by
    /// `Double.valueOf`.
    #[error("It's illegal to compare string by '>=', '>', '<', '<='. lv={lv}, rv={rv}")]
    IllegalStringComparison { lv: String, rv: String },
    /// `Integer.valueOf` / `Long.valueOf` / `Double.valueOf` of a string operand failed
    /// while converting it to the other operand's numeric type.
    #[error("java.lang.NumberFormatException: For input string: \"{input}\" (as {target})")]
    NumberFormat { input: String, target: &'static str },
    /// A `java.lang.ClassCastException` Java would throw (e.g. comparing a boolean on the
    /// left with a string on the right).
    #[error("java.lang.ClassCastException: {0}")]
    ClassCast(String),
}
