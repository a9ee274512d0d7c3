//! Errors of the store crate (the crate's single error enum).

use std::path::PathBuf;

/// Everything that can go wrong opening or operating the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// I/O failure on a specific path.
    #[error("i/o error on {path}: {source}")]
    Io {
        /// File or directory involved.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// A store file does not have the configured size (Java refuses to start in that case too).
    #[error("file {path} has length {actual}, expected {expected}")]
    FileSize {
        /// File.
        path: PathBuf,
        /// Actual length.
        actual: u64,
        /// Configured length.
        expected: u64,
    },
    /// Another process (Java or Rust broker) holds the store lock.
    #[error("store {0} is locked by another process (MQ already started)")]
    Locked(PathBuf),
    /// Invalid configuration.
    #[error("invalid store config: {0}")]
    Config(String),
    /// Unreadable on-disk data.
    #[error("corrupt store data: {0}")]
    Corrupt(String),
    /// Message codec failure.
    #[error(transparent)]
    Message(#[from] protocol::ProtocolError),
    /// The store is not running.
    #[error("message store is shut down")]
    Shutdown,
}

/// Store result.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Attach a path to an I/O error.
pub(crate) trait IoContext<T> {
    fn at(self, path: impl Into<PathBuf>) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn at(self, path: impl Into<PathBuf>) -> Result<T> {
        self.map_err(|source| StoreError::Io {
            path: path.into(),
            source,
        })
    }
}
