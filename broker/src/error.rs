//! The broker crate's one error type, and its mapping to a response code + remark at the
//! dispatch edge (`processor::dispatch`).
//!
//! Processors return `Err(BrokerError::…)` for every refusal that Java answers with a
//! non-success code; the remark texts are Java's where a Java client or operator might see
//! them (`TopicValidator`, `AbstractSendMessageProcessor.msgCheck`, `PullMessageProcessor`).

use protocol::code::response;
use protocol::ProtocolError;
use thiserror::Error;

/// `FAQUrl.suggestTodo(FAQUrl.APPLY_TOPIC_URL)`.
pub const FAQ_APPLY_TOPIC: &str = "\nSee http://rocketmq.apache.org/docs/faq/ for further details.";
/// `FAQUrl.suggestTodo(FAQUrl.SUBSCRIPTION_GROUP_NOT_EXIST)` and `SAME_GROUP_DIFFERENT_TOPIC`
/// (every FAQ url of 4.9.7 is the same page).
pub const FAQ_SUFFIX: &str = FAQ_APPLY_TOPIC;

/// Everything a broker request or task can fail with.
#[derive(Debug, Error)]
pub enum BrokerError {
    /// A header or body did not decode (`RemotingCommandException` in Java).
    #[error("{0}")]
    Protocol(#[from] ProtocolError),
    /// A JSON body did not parse.
    #[error("decode body failed: {0}")]
    BadBody(String),
    /// Java `validateTopic` / `isNotAllowedSendTopic` / queue id checks: SYSTEM_ERROR.
    #[error("{0}")]
    IllegalRequest(String),
    /// TOPIC_NOT_EXIST.
    #[error("{0}")]
    TopicNotExist(String),
    /// NO_PERMISSION.
    #[error("{0}")]
    NoPermission(String),
    /// MESSAGE_ILLEGAL.
    #[error("{0}")]
    MessageIllegal(String),
    /// SUBSCRIPTION_GROUP_NOT_EXIST.
    #[error("{0}")]
    SubscriptionGroupNotExist(String),
    /// SUBSCRIPTION_NOT_EXIST.
    #[error("{0}")]
    SubscriptionNotExist(String),
    /// SUBSCRIPTION_NOT_LATEST.
    #[error("{0}")]
    SubscriptionNotLatest(String),
    /// SUBSCRIPTION_PARSE_FAILED.
    #[error("{0}")]
    SubscriptionParseFailed(String),
    /// SERVICE_NOT_AVAILABLE.
    #[error("{0}")]
    ServiceNotAvailable(String),
    /// FILTER_DATA_NOT_EXIST (SQL92 pull without registered filter data).
    #[error("{0}")]
    FilterDataNotExist(String),
    /// FILTER_DATA_NOT_LATEST.
    #[error("{0}")]
    FilterDataNotLatest(String),
    /// QUERY_NOT_FOUND.
    #[error("{0}")]
    QueryNotFound(String),
    /// Anything else the store reports.
    #[error("store: {0}")]
    Store(String),
    /// A config file could not be read or written.
    #[error("config file {path}: {reason}")]
    ConfigFile {
        /// File.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// Startup failure (bad config, port in use, ...).
    #[error("{0}")]
    Startup(String),
    /// I/O.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

impl BrokerError {
    /// The response code Java would answer with.
    pub fn response_code(&self) -> i32 {
        match self {
            BrokerError::TopicNotExist(_) => response::TOPIC_NOT_EXIST,
            BrokerError::NoPermission(_) => response::NO_PERMISSION,
            BrokerError::MessageIllegal(_) => response::MESSAGE_ILLEGAL,
            BrokerError::SubscriptionGroupNotExist(_) => response::SUBSCRIPTION_GROUP_NOT_EXIST,
            BrokerError::SubscriptionNotExist(_) => response::SUBSCRIPTION_NOT_EXIST,
            BrokerError::SubscriptionNotLatest(_) => response::SUBSCRIPTION_NOT_LATEST,
            BrokerError::SubscriptionParseFailed(_) => response::SUBSCRIPTION_PARSE_FAILED,
            BrokerError::ServiceNotAvailable(_) => response::SERVICE_NOT_AVAILABLE,
            BrokerError::FilterDataNotExist(_) => response::FILTER_DATA_NOT_EXIST,
            BrokerError::FilterDataNotLatest(_) => response::FILTER_DATA_NOT_LATEST,
            BrokerError::QueryNotFound(_) => response::QUERY_NOT_FOUND,
            BrokerError::Protocol(_)
            | BrokerError::BadBody(_)
            | BrokerError::IllegalRequest(_)
            | BrokerError::Store(_)
            | BrokerError::ConfigFile { .. }
            | BrokerError::Startup(_)
            | BrokerError::Io(_) => response::SYSTEM_ERROR,
        }
    }

    /// The response Java would send for this error.
    pub fn to_response(&self) -> protocol::RemotingCommand {
        protocol::RemotingCommand::response(self.response_code(), Some(self.to_string()))
    }
}

/// Result alias of the crate.
pub type BrokerResult<T> = Result<T, BrokerError>;
