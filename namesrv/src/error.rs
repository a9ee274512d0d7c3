//! The namesrv's one error type, and its mapping to a response code and remark (done once,
//! at the dispatch edge in [`crate::processor`]).
//!
//! Remarks that Java clients or operators can see keep Java's exact text
//! (`DefaultRequestProcessor`): "crc32 not match", "No config item, …", "No topic route info
//! in name server for the topic: …", "Can not update config path", "namespace or key is null".

use protocol::code::response;
use protocol::ProtocolError;
use thiserror::Error;

/// `FAQUrl.suggestTodo(FAQUrl.APPLY_TOPIC_URL)`.
const APPLY_TOPIC_TIP: &str = "\nSee http://rocketmq.apache.org/docs/faq/ for further details.";

/// Everything a namesrv request or start-up can fail with.
#[derive(Debug, Error)]
pub enum NamesrvError {
    /// A typed header field is missing or does not parse.
    #[error("{0}")]
    Header(#[from] ProtocolError),
    /// REGISTER_BROKER `bodyCrc32` differs from the body's CRC32 (protocol.md T15).
    #[error("crc32 not match")]
    CrcMismatch,
    /// A request body could not be decoded.
    #[error("{what}: {reason}")]
    BadBody {
        /// Which body.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// A request needs a body and has none.
    #[error("{0}: the request has no body")]
    MissingBody(&'static str),
    /// GET_ROUTEINFO_BY_TOPIC for a topic nobody serves.
    #[error("No topic route info in name server for the topic: {0}{APPLY_TOPIC_TIP}")]
    TopicNotExist(String),
    /// GET_KV_CONFIG miss.
    #[error("No config item, Namespace: {namespace} Key: {key}")]
    KvNotFound {
        /// Namespace asked for.
        namespace: String,
        /// Key asked for.
        key: String,
    },
    /// GET_KVLIST_BY_NAMESPACE miss.
    #[error("No config item, Namespace: {0}")]
    KvNamespaceNotFound(String),
    /// PUT_KV_CONFIG without namespace or key.
    #[error("namespace or key is null")]
    KvKeyMissing,
    /// UPDATE_NAMESRV_CONFIG touching `kvConfigPath` or `configStorePath`.
    #[error("Can not update config path")]
    ConfigPathUpdate,
    /// UPDATE_NAMESRV_CONFIG with a body `Properties.load` rejects.
    #[error("string2Properties error")]
    BadProperties,
    /// A reply body could not be encoded.
    #[error("encoding the reply failed: {0}")]
    Encode(String),
    /// A request code 4.9.7's namesrv does not handle.
    #[error("{}", protocol::code::not_supported_remark(*.0))]
    NotSupported(i32),
    /// File I/O at start-up.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The persisted KV file is not valid.
    #[error("{path}: {reason}")]
    BadKvFile {
        /// File.
        path: String,
        /// Why.
        reason: String,
    },
    /// The `-c` properties file is not valid.
    #[error("{path}: {reason}")]
    BadConfigFile {
        /// File.
        path: String,
        /// Why.
        reason: String,
    },
}

impl NamesrvError {
    /// The response code this error is answered with.
    pub fn response_code(&self) -> i32 {
        match self {
            NamesrvError::TopicNotExist(_) => response::TOPIC_NOT_EXIST,
            NamesrvError::KvNotFound { .. } | NamesrvError::KvNamespaceNotFound(_) => {
                response::QUERY_NOT_FOUND
            }
            NamesrvError::ConfigPathUpdate => response::NO_PERMISSION,
            NamesrvError::NotSupported(_) => response::REQUEST_CODE_NOT_SUPPORTED,
            NamesrvError::Header(_)
            | NamesrvError::CrcMismatch
            | NamesrvError::BadBody { .. }
            | NamesrvError::MissingBody(_)
            | NamesrvError::KvKeyMissing
            | NamesrvError::BadProperties
            | NamesrvError::Encode(_)
            | NamesrvError::Io { .. }
            | NamesrvError::BadKvFile { .. }
            | NamesrvError::BadConfigFile { .. } => response::SYSTEM_ERROR,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_remarks() {
        assert_eq!(
            NamesrvError::TopicNotExist("T".into()).to_string(),
            "No topic route info in name server for the topic: T\nSee http://rocketmq.apache.org/docs/faq/ for further details."
        );
        assert_eq!(
            NamesrvError::NotSupported(9999).to_string(),
            " request type 9999 not supported"
        );
        assert_eq!(NamesrvError::NotSupported(9999).response_code(), 3);
        assert_eq!(
            NamesrvError::KvNotFound {
                namespace: "a".into(),
                key: "b".into()
            }
            .to_string(),
            "No config item, Namespace: a Key: b"
        );
    }
}
