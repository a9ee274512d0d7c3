//! SQL92 property filtering on the broker (mirrors `broker/.../filter/ExpressionMessageFilter`,
//! `ExpressionForRetryMessageFilter`, `MessageEvaluationContext`, and the filter steps of
//! `PullMessageProcessor` and `ClientManageProcessor.checkClientConfig`).
//!
//! A pull builds one [`ExpressionMessageFilter`] from its subscription and, for a non-tag
//! subscription, the group's [`ConsumerFilterData`] (registered by the heartbeat, see
//! [`crate::consumer_filter`]; or built from the request when it carries its subscription).
//! The store asks it twice per consume-queue entry, like Java:
//!
//! * `is_matched_by_consume_queue(tagsCode)`: tag subscriptions test the tag hash; SQL92
//!   subscriptions pass (Java would consult a bloom bitmap in the consume-queue extension
//!   when `enableCalcFilterBitMap`; that extension is not kept by this store, and the
//!   bitmap is only a pre-filter, so results are the same).
//! * `is_matched_by_commit_log(record)`: SQL92 subscriptions evaluate the compiled expression
//!   over the record's properties, read in place from the stored record (no body copy, no
//!   property map): the result must be `TRUE`; `NULL`, `FALSE` and evaluation errors do not
//!   match.
//!
//! With `filterSupportRetry`, messages of a `%RETRY%group` subscription are evaluated with the
//! group's filter of their original topic (`RETRY_TOPIC` property). Long-polling wake-ups use
//! the same two tests on the arriving message's tags code and properties.

use std::sync::Arc;

use protocol::header::pull::PullMessageRequestHeader;
use protocol::message::codec::parse_view;
use protocol::message::property::{self, find_property};

use crate::body::SubscriptionData;
use crate::consumer_filter::{ConsumerFilterData, ConsumerFilterManager};
use crate::controller::BrokerController;
use crate::error::{BrokerError, BrokerResult};
use crate::filter::{is_tag_type, TagMessageFilter};
use crate::topic::validator::RETRY_GROUP_TOPIC_PREFIX;

/// The pull's message filter (`ExpressionMessageFilter` / `ExpressionForRetryMessageFilter`).
pub struct ExpressionMessageFilter {
    tag: TagMessageFilter,
    class_filter_mode: bool,
    tag_type: bool,
    data: Option<Arc<ConsumerFilterData>>,
    /// `filterSupportRetry` on a `%RETRY%` subscription: the manager and the group.
    retry: Option<(Arc<ConsumerFilterManager>, String)>,
}

impl std::fmt::Debug for ExpressionMessageFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExpressionMessageFilter")
            .field("tag", &self.tag)
            .field("tag_type", &self.tag_type)
            .field(
                "expression",
                &self.data.as_ref().and_then(|d| d.expression.clone()),
            )
            .finish()
    }
}

impl ExpressionMessageFilter {
    /// The filter of one pull. `data` is the subscription's filter data (non-tag types);
    /// `retry_support` is `filterSupportRetry`.
    pub fn new(
        sub: &SubscriptionData,
        data: Option<Arc<ConsumerFilterData>>,
        manager: &Arc<ConsumerFilterManager>,
        retry_support: bool,
    ) -> Self {
        let retry = if retry_support {
            sub.topic
                .strip_prefix(RETRY_GROUP_TOPIC_PREFIX)
                .map(|g| (manager.clone(), g.to_string()))
        } else {
            None
        };
        ExpressionMessageFilter {
            tag: TagMessageFilter::new(sub),
            class_filter_mode: sub.class_filter_mode,
            tag_type: is_tag_type(Some(&sub.expression_type)),
            data,
            retry,
        }
    }

    /// A TAG-only filter (no SQL part).
    pub fn from_tag(tag: TagMessageFilter) -> Self {
        ExpressionMessageFilter {
            tag,
            class_filter_mode: false,
            tag_type: true,
            data: None,
            retry: None,
        }
    }

    /// `isMatchedByConsumeQueue(tagsCode)`.
    pub fn matches(&self, tags_code: i64) -> bool {
        if self.class_filter_mode || !self.tag_type {
            return true;
        }
        self.tag.matches(tags_code)
    }

    /// `isMatchedByCommitLog(null, properties)` with a properties string (long-polling wake-up).
    pub fn matches_properties(&self, properties: &str) -> bool {
        self.matched_by_properties(&|name: &str| find_property(properties, name))
    }

    /// `isMatchedByCommitLog` over a property lookup.
    fn matched_by_properties<'p>(&self, props: &dyn Fn(&str) -> Option<&'p str>) -> bool {
        if self.class_filter_mode {
            return true;
        }
        let retry_data;
        let data = match &self.retry {
            Some((manager, group)) => {
                retry_data = props(property::RETRY_TOPIC).and_then(|t| manager.get(t, group));
                retry_data.as_ref()
            }
            None => {
                if self.tag_type {
                    return true;
                }
                self.data.as_ref()
            }
        };
        let Some(expr) = data.and_then(|d| d.compiled.as_ref()) else {
            // no expression
            return true;
        };
        expr.is_matched(props)
    }
}

impl store::message::MessageFilter for ExpressionMessageFilter {
    fn is_matched_by_consume_queue(&self, tags_code: i64) -> bool {
        self.matches(tags_code)
    }

    fn is_matched_by_commit_log(&self, msg_bytes: &[u8]) -> bool {
        if self.class_filter_mode || (self.retry.is_none() && self.tag_type) {
            return true;
        }
        // MessageDecoder.decodeProperties: only the properties, read in place.
        let props = match parse_view(msg_bytes) {
            Ok(v) => String::from_utf8_lossy(v.properties),
            Err(_) => std::borrow::Cow::Borrowed(""),
        };
        self.matched_by_properties(&|name: &str| find_property(&props, name))
    }
}

/// The pull's filter-data step (`PullMessageProcessor`): `None` for tag subscriptions; for
/// SQL92 the filter built from the request (subscription flag; a compile failure leaves no
/// filter data, as Java with assertions off) or the one registered by the heartbeat, which
/// must exist (FILTER_DATA_NOT_EXIST) and be at least as new as the request
/// (FILTER_DATA_NOT_LATEST).
pub fn resolve_filter_data(
    broker: &BrokerController,
    h: &PullMessageRequestHeader,
    has_subscription: bool,
    sub: &SubscriptionData,
) -> BrokerResult<Option<Arc<ConsumerFilterData>>> {
    if is_tag_type(Some(&sub.expression_type)) {
        return Ok(None);
    }
    let manager = &broker.consumer_filter_manager;
    if has_subscription {
        let expr = h.subscription.as_deref().unwrap_or("");
        if expr.is_empty() {
            // FilterAPI.build: "Expression can't be null!"
            return Err(BrokerError::SubscriptionParseFailed(
                "parse the consumer's subscription failed".to_string(),
            ));
        }
        return Ok(manager
            .build_for_pull(
                &h.topic,
                &h.consumer_group,
                expr,
                &sub.expression_type,
                h.sub_version,
            )
            .map(Arc::new));
    }
    let Some(data) = manager.get(&h.topic, &h.consumer_group) else {
        return Err(BrokerError::FilterDataNotExist(
            "The broker's consumer filter data is not exist!Your expression may be wrong!"
                .to_string(),
        ));
    };
    if data.client_version < h.sub_version {
        tracing::warn!(group = %h.consumer_group, topic = %h.topic, server = data.client_version, client = h.sub_version, "the broker's consumer filter data is not latest");
        return Err(BrokerError::FilterDataNotLatest(
            "the consumer's consumer filter data not latest".to_string(),
        ));
    }
    Ok(Some(data))
}

/// The pull's [`ExpressionMessageFilter`].
pub fn pull_filter(
    broker: &BrokerController,
    sub: &SubscriptionData,
    data: Option<Arc<ConsumerFilterData>>,
) -> Arc<ExpressionMessageFilter> {
    let retry = broker.broker_config().filter_support_retry;
    Arc::new(ExpressionMessageFilter::new(
        sub,
        data,
        &broker.consumer_filter_manager,
        retry,
    ))
}

/// Deepest parenthesis nesting compiled. The `filter` crate's parser and evaluator recurse
/// per nesting level with large frames (an unoptimised build overflows a 2 MiB tokio worker
/// stack near 90 nested parentheses, or several hundred prefix operators), and a stack
/// overflow aborts the whole broker, so deeper expressions are refused up front, as if
/// compiling them had failed (Java, with its own stack limit, would report
/// `java.lang.StackOverflowError` for much deeper ones).
pub const MAX_PAREN_NESTING: usize = 24;
/// Most prefix operators (`NOT`, `-`, `+`) an expression may contain (see
/// [`MAX_PAREN_NESTING`]).
pub const MAX_PREFIX_OPERATORS: usize = 100;

/// Why an expression was not compiled.
#[derive(Debug, Clone)]
pub enum CompileError {
    /// The filter crate's error (Java's `MQFilterException` cause).
    Filter(filter::FilterError),
    /// Nested deeper than [`MAX_PAREN_NESTING`] / [`MAX_PREFIX_OPERATORS`].
    TooDeep,
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompileError::Filter(e) => write!(f, "{e}"),
            CompileError::TooDeep => f.write_str("expression nested too deeply"),
        }
    }
}

impl CompileError {
    /// `e.getMessage()` of the exception Java reports for `expr`.
    pub fn java_message(&self, expr: &str) -> String {
        match self {
            CompileError::Filter(e) => crate::filter_sql_error::java_message(expr, e),
            CompileError::TooDeep => "java.lang.StackOverflowError".to_string(),
        }
    }
}

/// Whether `expr` stays within [`MAX_PAREN_NESTING`] and [`MAX_PREFIX_OPERATORS`]
/// (string literals and comments are skipped; a conservative token scan).
pub fn nesting_ok(expr: &str) -> bool {
    let b = expr.as_bytes();
    let (mut depth, mut max_depth, mut prefix) = (0usize, 0usize, 0usize);
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\'' => {
                i += 1;
                while i < b.len() {
                    if b[i] == b'\'' {
                        if b.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'(' => {
                depth += 1;
                max_depth = max_depth.max(depth);
            }
            b')' => depth = depth.saturating_sub(1),
            b'-' | b'+' => prefix += 1,
            c if c.is_ascii_alphabetic() || c == b'_' || c == b'$' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$')
                {
                    i += 1;
                }
                if b[start..i].eq_ignore_ascii_case(b"NOT") {
                    prefix += 1;
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    max_depth <= MAX_PAREN_NESTING && prefix <= MAX_PREFIX_OPERATORS
}

/// `FilterFactory.INSTANCE.get(type).compile(expr)`, refusing expressions nested too deeply
/// for this process's stacks (see [`MAX_PAREN_NESTING`]).
pub fn compile(expression_type: &str, expr: &str) -> Result<filter::Expression, CompileError> {
    if !nesting_ok(expr) {
        return Err(CompileError::TooDeep);
    }
    filter::compile_typed(expression_type, expr).map_err(CompileError::Filter)
}

/// `ClientManageProcessor.checkClientConfig`'s compile step (after the tag-type and
/// `enablePropertyFilter` checks): SUBSCRIPTION_PARSE_FAILED with Java's `e.getMessage()`.
pub fn check_client_subscription(sd: &SubscriptionData) -> BrokerResult<()> {
    match compile(&sd.expression_type, &sd.sub_string) {
        Ok(_) => Ok(()),
        Err(e) => {
            tracing::warn!(sub = %sd.sub_string, error = %e, "client filter message, but failed to compile expression");
            Err(BrokerError::SubscriptionParseFailed(
                e.java_message(&sd.sub_string),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::BrokerConfig;
    use protocol::message::{encode, MessageExt};
    use store::message::MessageFilter;

    fn record(props: &[(&str, &str)]) -> Vec<u8> {
        let mut m = MessageExt {
            topic: "T".into(),
            body: bytes::Bytes::from_static(b"body"),
            ..MessageExt::default()
        };
        for (k, v) in props {
            m.put_property(*k, *v);
        }
        encode(&m).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn sql_filter_on_records() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mgr = Arc::new(ConsumerFilterManager::new(
            &BrokerConfig::default(),
            dir.path().join("f.json"),
        ));
        let sub = SubscriptionData {
            topic: "T".into(),
            sub_string: "a > 5 AND TAGS = 'x'".into(),
            expression_type: "SQL92".into(),
            sub_version: 1,
            ..SubscriptionData::default()
        };
        let data =
            crate::consumer_filter::build("T", "g", &sub.sub_string, "SQL92", 1).map(Arc::new);
        let f = ExpressionMessageFilter::new(&sub, data, &mgr, false);
        assert!(f.is_matched_by_consume_queue(12345));
        assert!(f.is_matched_by_commit_log(&record(&[("a", "6"), ("TAGS", "x")])));
        assert!(!f.is_matched_by_commit_log(&record(&[("a", "5"), ("TAGS", "x")])));
        assert!(!f.is_matched_by_commit_log(&record(&[("TAGS", "x")])));
        assert!(!f.is_matched_by_commit_log(&record(&[("a", "abc"), ("TAGS", "x")])));
        assert!(f.matches_properties("a\u{1}7\u{2}TAGS\u{1}x"));
        assert!(!f.matches_properties("a\u{1}7"));
        // no filter data: everything matches (Java)
        let f = ExpressionMessageFilter::new(&sub, None, &mgr, false);
        assert!(f.is_matched_by_commit_log(&record(&[])));
    }

    #[test]
    fn deep_expressions_are_refused_not_crashing() {
        let deep = format!("{}a = 1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(matches!(
            compile("SQL92", &deep),
            Err(CompileError::TooDeep)
        ));
        let nots = format!("{}a", "NOT ".repeat(5000));
        assert!(matches!(
            compile("SQL92", &nots),
            Err(CompileError::TooDeep)
        ));
        let fine = format!(
            "{}a = 1{} AND b = '((((((((((((((((((((((((((((((('",
            "(".repeat(20),
            ")".repeat(20)
        );
        assert!(compile("SQL92", &fine).is_ok());
        assert!(compile("SQL92", "a = -1 -- ((((((((((((((((((((((((((((((((((\n").is_ok());
        let e = compile("SQL92", &deep).err().map(|e| e.java_message(&deep));
        assert_eq!(e.as_deref(), Some("java.lang.StackOverflowError"));
    }

    #[test]
    fn tag_filter_ignores_properties() {
        let sub = crate::filter::build_subscription("T", Some("TagA"), None);
        let f = ExpressionMessageFilter::from_tag(TagMessageFilter::new(&sub));
        assert!(f.is_matched_by_commit_log(&record(&[])));
        assert!(!f.is_matched_by_consume_queue(1));
        assert!(
            f.is_matched_by_consume_queue(i64::from(protocol::message::java_string_hash("TagA")))
        );
    }
}
