//! The text Java 4.9.7 puts in the remark of a SUBSCRIPTION_PARSE_FAILED answer to
//! CHECK_CLIENT_CONFIG (`ClientManageProcessor.checkClientConfig`: `e.getMessage()` of the
//! `MQFilterException` thrown by `SelectorParser.parse`).
//!
//! `MQFilterException("Invalid MessageSelector. ", cause)` calls `super(cause)`, so its
//! message is `cause.toString()`: the class name of what the parser threw, `": "`, and its
//! message — a JavaCC `ParseException` / `TokenMgrError`, or a `RuntimeException` /
//! `NumberFormatException` from the expression factories.

use filter::FilterError;

/// `e.getMessage()` of Java's `MQFilterException` for `expr`.
pub fn java_message(expr: &str, e: &FilterError) -> String {
    let _ = expr;
    match e {
        FilterError::UnsupportedType(_) => String::new(),
        FilterError::Semantic(msg) => {
            if msg.starts_with("Expression will not result in a boolean value") {
                format!("org.apache.rocketmq.filter.parser.ParseException: {msg}")
            } else {
                format!("java.lang.RuntimeException: {msg}")
            }
        }
        FilterError::NumberLiteral { literal, reason } => {
            if reason.contains("is less than") {
                "java.lang.RuntimeException: 0.0 is less than 4.9E-324".to_string()
            } else if reason.contains("is greater than") {
                format!("java.lang.RuntimeException: {reason}")
            } else {
                let lit = literal.trim_end_matches(['l', 'L']);
                format!("java.lang.NumberFormatException: For input string: \"{lit}\"")
            }
        }
        FilterError::Lexical { message, .. } => {
            format!("org.apache.rocketmq.filter.parser.TokenMgrError: {message}")
        }
        FilterError::Syntax { found, .. } => {
            format!("org.apache.rocketmq.filter.parser.ParseException: Encountered {found}")
        }
    }
}
