//! SQL92 message filtering, a drop-in reimplementation of the `rocketmq-filter` 4.9.7
//! module (`org.apache.rocketmq.filter.*`):
//!
//! | here                              | Java                                                        |
//! |-----------------------------------|-------------------------------------------------------------|
//! | [`compile`], [`compile_typed`]    | `FilterFactory.INSTANCE.get("SQL92").compile(expr)` → `SqlFilter` → `SelectorParser.parse` |
//! | [`Expression`]                    | the `BooleanExpression` tree (`ComparisonExpression`, `LogicExpression`, `UnaryExpression`, `UnaryInExpression`, `ConstantExpression`, `BooleanConstantExpression`, `PropertyExpression`) |
//! | [`Expression::evaluate`]          | `Expression.evaluate(EvaluationContext)` with the broker's `MessageEvaluationContext` (properties are strings) |
//! | [`Expression::is_matched`]        | `ExpressionMessageFilter.isMatchedByCommitLog`'s `ret instanceof Boolean && (Boolean) ret`, exceptions → `false` |
//! | [`ExpressionType`]                | `org.apache.rocketmq.common.filter.ExpressionType`          |
//! | [`FilterError`], [`EvalError`]    | `MQFilterException` (+ its causes) / exceptions out of `evaluate` |
//! | [`BloomFilter`], [`BloomFilterData`], [`BitsArray`] | `org.apache.rocketmq.filter.util.*`           |
//!
//! # Language (exactly the 4.9.7 grammar, see [`parser`] docs)
//!
//! Keywords (case-insensitive) `AND OR NOT BETWEEN IN IS NULL TRUE FALSE`; operators
//! `= <> > >= < <=`, unary `+ -`; `x [NOT] BETWEEN a AND b`, `p [NOT] IN ('s', ...)`
//! (property on the left, string literals only), `x IS [NOT] NULL`; literals `'str'`
//! (`''` escapes a quote), `123` (`Integer`, or `Long` when outside the int range; `L`
//! suffix allowed), `1.5` / `.5` / `5.` / `1e3` (`Double`); identifiers
//! `[A-Za-z_$][A-Za-z0-9_$]*` name message properties (`TAGS`, `KEYS`, user properties —
//! anything in the message's property map). Comments `-- ...\n` and `/* ... */`.
//! Not supported (compile error, as in Java): `LIKE`, `ESCAPE`, arithmetic, `!=`,
//! double-quoted strings, hex/octal, `STARTSWITH`/`ENDSWITH`/`CONTAINS` (5.x only).
//!
//! # Semantics worth knowing (all verified against Java by `compat-tests/tests/filter_sql92_java.rs`)
//!
//! * Three-valued logic: a missing property is `null`; comparisons with `null` give `null`;
//!   `AND`/`OR` are SQL-style (`null AND false = false`, `null OR true = true`), `NOT null
//!   = null`. Only a final `TRUE` matches.
//! * `=` is asymmetric with `null`: `a = 'x'` is null when `a` is missing, but `'x' = a` is
//!   FALSE (so `'x' <> a` is TRUE for a missing `a`), and `a = b` is TRUE when both are
//!   missing.
//! * Property values are strings, converted to the *other* operand's type with Java's
//!   `Integer.valueOf` / `Long.valueOf` / `Double.valueOf` / `Boolean.valueOf`:
//!   `a = 5` needs an int-parsable `a` (`'5.0'`, `' 5'`, `'3000000000'` throw → no match,
//!   even inside `OR TRUE`), `a > 5.0` accepts `' 5 '`, `'5e0'`, `'0x5p0'`, `'NaN'`
//!   (NaN is greater than everything). `a > b` between two properties compares them as
//!   doubles (error if either is not a double). String = string is plain equality.
//! * `NOT` binds tighter than comparisons: `NOT a = 'x'` is `(NOT a) = 'x'`, which throws
//!   when `a` is present; `NOT a > 1` does not compile. Write `NOT (a = 'x')`.
//! * Text after a complete expression is ignored if its first token lexes
//!   (`a = 1 garbage` ≡ `a = 1`; `a = 0123` ≡ `a = 0`).
//! * Float literals that round to zero (`0.0`, `1e-400`) and decimal literals outside the
//!   long range do not compile; `x BETWEEN 2 AND 1` does not compile (constant bounds must be
//!   ordered) but `x BETWEEN -1 AND -5` does (negative numbers are not constants).
//! * Evaluation errors (Java exceptions) short-circuit like Java: `FALSE AND <error>` is
//!   FALSE, `<error> OR TRUE` is an error (→ no match).
//!
//! # Using it from the broker (what Java 4.9.7 does)
//!
//! * **Heartbeat** (`ClientManageProcessor.heartBeat` → `ConsumerManager.registerConsumer`
//!   → `DefaultConsumerIdsChangeListener` REGISTER → `ConsumerFilterManager.register(group,
//!   subList)`): for every subscription whose `expressionType` is not a tag type
//!   ([`ExpressionType::is_tag_type`]) and whose expression is non-empty, build a
//!   `ConsumerFilterData` {topic, group, expression, type, bornTime=now, deadTime=0,
//!   clientVersion=subVersion, bloomFilterData = `bloomFilter.generate(group + "#" + topic)`}
//!   and compile it with [`compile_typed`]; **if compilation fails the entry is not stored**
//!   (an existing entry whose new expression fails is removed), and the heartbeat still
//!   succeeds. Registration is ignored if `clientVersion <= old.clientVersion` (re-alive if
//!   equal and dead). Topics no longer subscribed get `deadTime = now`; on unregister all
//!   the group's entries get `deadTime = now`. Persisted to `consumerFilter.json`;
//!   entries dead longer than `filterDataCleanTimeSpan` (24h) are dropped on persist.
//! * **CHECK_CLIENT_CONFIG** (`ClientManageProcessor.checkClientConfig`, sent by the client
//!   before subscribing with SQL92): tag type → SUCCESS; `!enablePropertyFilter` →
//!   SYSTEM_ERROR "The broker does not support consumer to filter message by SQL92";
//!   compile failure → `SUBSCRIPTION_PARSE_FAILED` with remark
//!   [`FilterError::java_message`] (`"Invalid MessageSelector. "`).
//! * **Pull** (`PullMessageProcessor`): with the subscription flag set, build
//!   `SubscriptionData` + a fresh `ConsumerFilterData` from the request header (compile
//!   failure → `SUBSCRIPTION_PARSE_FAILED` "parse the consumer's subscription failed");
//!   otherwise look up the `ConsumerFilterManager` entry for (topic, group): missing →
//!   `FILTER_DATA_NOT_EXIST`, `clientVersion < subVersion` → `FILTER_DATA_NOT_LATEST`.
//!   Non-tag type with `enablePropertyFilter == false` → SYSTEM_ERROR. Then every message
//!   is tested with `isMatchedByConsumeQueue` (bloom bitmap in the consume-queue ext, only
//!   when `enableCalcFilterBitMap`; otherwise true) and `isMatchedByCommitLog`, which
//!   decodes the message properties and returns [`Expression::is_matched`]. With
//!   `filterSupportRetry`, messages of `%RETRY%group` are evaluated with the filter of
//!   the original topic (`PROPERTY_RETRY_TOPIC`); missing filter data → match.
//!   A cache keyed by (group, topic, subVersion) → `Arc`/clone of [`Expression`] is cheap:
//!   `Expression` is an `Arc` internally and `Send + Sync`.
//! * Broker config defaults (4.9.7 `BrokerConfig`): `enablePropertyFilter = false` (SQL92
//!   consumers are refused unless enabled), `enableCalcFilterBitMap = false`,
//!   `filterSupportRetry = false`, `expectConsumerNumUseFilter = 32`,
//!   `maxErrorRateOfBloomFilter = 20`, `filterDataCleanTimeSpan = 24h`.
//! * Bloom filter: `ConsumerFilterManager` uses
//!   `BloomFilter::create_by_fn(maxErrorRateOfBloomFilter (20), expectConsumerNumUseFilter (32))`
//!   and sets `bitMapLengthConsumeQueueExt = m`; `CommitLogDispatcherCalcBitMap` ORs
//!   each matching filter's `bitPos` into a `BitsArray` of `m` bits stored per message.

pub mod bloom;
mod error;
mod expr;
mod javanum;
mod lexer;
pub mod parser;

pub use bloom::{BitsArray, BloomFilter, BloomFilterData};
pub use error::{EvalError, FilterError, JAVA_COMPILE_ERROR_MESSAGE};
pub use expr::Value;

use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::Arc;

/// `org.apache.rocketmq.common.filter.ExpressionType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExpressionType {
    /// `"TAG"`: `tag1 || tag2`, `*` — handled by tag hash codes, not by this crate.
    Tag,
    /// `"SQL92"`: compiled by [`compile`].
    Sql92,
}

impl ExpressionType {
    pub const TAG: &'static str = "TAG";
    pub const SQL92: &'static str = "SQL92";

    /// `ExpressionType.isTagType`: `null`, `""` and `"TAG"` are tag types (case-sensitive).
    pub fn is_tag_type(type_name: Option<&str>) -> bool {
        matches!(type_name, None | Some("") | Some("TAG"))
    }

    /// Parses the wire name; `None`/`""` mean TAG, unknown names give `None`.
    pub fn from_wire(type_name: Option<&str>) -> Option<ExpressionType> {
        match type_name {
            None | Some("") | Some("TAG") => Some(ExpressionType::Tag),
            Some("SQL92") => Some(ExpressionType::Sql92),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            ExpressionType::Tag => Self::TAG,
            ExpressionType::Sql92 => Self::SQL92,
        }
    }
}

impl fmt::Display for ExpressionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

struct Inner {
    source: String,
    root: expr::Node,
}

/// A compiled SQL92 expression. Cloning is an `Arc` bump; it is `Send + Sync`.
#[derive(Clone)]
pub struct Expression {
    inner: Arc<Inner>,
}

impl fmt::Debug for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Expression")
            .field("source", &self.inner.source)
            .field("tree", &format_args!("{}", self.inner.root))
            .finish()
    }
}

impl fmt::Display for Expression {
    /// Java-`toString()`-like rendering of the compiled tree.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.inner.root)
    }
}

/// Compiles a SQL92 expression (`SqlFilter.compile` / `SelectorParser.parse`).
pub fn compile(expr: &str) -> Result<Expression, FilterError> {
    let root = parser::Parser::new(expr).parse_selector()?;
    Ok(Expression {
        inner: Arc::new(Inner {
            source: expr.to_string(),
            root,
        }),
    })
}

/// `FilterFactory.INSTANCE.get(type).compile(expr)`: only `"SQL92"` is registered; any
/// other type (including TAG) is [`FilterError::UnsupportedType`] (Java: `NullPointerException`).
pub fn compile_typed(expression_type: &str, expr: &str) -> Result<Expression, FilterError> {
    if expression_type != ExpressionType::SQL92 {
        return Err(FilterError::UnsupportedType(expression_type.to_string()));
    }
    compile(expr)
}

impl Expression {
    /// The expression text it was compiled from.
    pub fn source(&self) -> &str {
        &self.inner.source
    }

    /// `Expression.evaluate(context)`: `Ok(Bool)` or `Ok(Null)` (the top level is always a
    /// boolean expression), or the exception Java would throw.
    /// `props` maps a property name to its value (`None` = absent).
    pub fn evaluate<'r, 's: 'r, 'p: 'r>(
        &'s self,
        props: &dyn Fn(&str) -> Option<&'p str>,
    ) -> Result<Value<'r>, EvalError> {
        let lookup = |name: &str| -> Option<&'r str> { props(name) };
        self.inner.root.eval(&lookup)
    }

    /// True iff evaluation yields `Boolean.TRUE` (null, FALSE and errors do not match) —
    /// `ExpressionMessageFilter.isMatchedByCommitLog` for a SQL92 subscription.
    pub fn is_matched<'p>(&self, props: &dyn Fn(&str) -> Option<&'p str>) -> bool {
        matches!(self.evaluate(props), Ok(v) if v.is_true())
    }

    /// [`Self::evaluate`] over a property map.
    pub fn evaluate_map<'r, S: BuildHasher>(
        &'r self,
        props: &'r HashMap<String, String, S>,
    ) -> Result<Value<'r>, EvalError> {
        self.evaluate(&|k: &str| props.get(k).map(String::as_str))
    }

    /// [`Self::is_matched`] over a property map (e.g. decoded message properties).
    pub fn is_matched_map<S: BuildHasher>(&self, props: &HashMap<String, String, S>) -> bool {
        self.is_matched(&|k: &str| props.get(k).map(String::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}

    #[test]
    fn expression_is_shareable() {
        assert_send_sync::<Expression>();
    }

    #[test]
    fn api_smoke() {
        let e = compile("a > 5 AND TAGS IN ('x', 'y')").unwrap();
        let mut m = HashMap::new();
        m.insert("a".to_string(), "6".to_string());
        m.insert("TAGS".to_string(), "x".to_string());
        assert!(e.is_matched_map(&m));
        assert_eq!(e.evaluate_map(&m), Ok(Value::Bool(true)));
        m.insert("a".to_string(), "5".to_string());
        assert!(!e.is_matched_map(&m));
        let e2 = e.clone();
        let h = std::thread::spawn(move || {
            e2.is_matched(&|k| if k == "a" { Some("10") } else { Some("y") })
        });
        assert!(h.join().unwrap());
        assert_eq!(e.source(), "a > 5 AND TAGS IN ('x', 'y')");
        assert!(compile_typed("TAG", "a").is_err());
        assert!(compile_typed("SQL92", "a = 1").is_ok());
        assert!(ExpressionType::is_tag_type(None));
        assert!(ExpressionType::is_tag_type(Some("")));
        assert!(ExpressionType::is_tag_type(Some("TAG")));
        assert!(!ExpressionType::is_tag_type(Some("tag")));
        assert!(!ExpressionType::is_tag_type(Some("SQL92")));
        assert_eq!(
            compile("a ==").unwrap_err().java_message(),
            "Invalid MessageSelector. "
        );
    }
}
