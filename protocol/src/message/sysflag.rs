//! Message and pull system flags.
//!
//! Mirrors Java `org.apache.rocketmq.common.sysflag.MessageSysFlag` and `PullSysFlag` (4.9.7).
//!
//! `MessageSysFlag` bit layout (an `int` stored at byte 36 of every commitlog record):
//!
//! ```text
//! bit 0      0x001  COMPRESSED          body compressed by the producer
//! bit 1      0x002  MULTI_TAGS
//! bits 2-3   0x00C  transaction type: 0x0 NOT, 0x4 PREPARED, 0x8 COMMIT, 0xC ROLLBACK
//! bit 4      0x010  BORNHOST_V6         born host is 16 address bytes + 4 port bytes
//! bit 5      0x020  STOREHOSTADDRESS_V6 store host is 16 address bytes + 4 port bytes
//! bit 6      0x040  NEED_UNWRAP
//! bit 7      0x080  INNER_BATCH
//! bits 8-10  0x700  compression type: 1 LZ4, 2 ZSTD, 3 ZLIB (0 = ZLIB, legacy)
//! ```

/// `MessageSysFlag.COMPRESSED_FLAG`.
pub const COMPRESSED_FLAG: i32 = 0x1;
/// `MessageSysFlag.MULTI_TAGS_FLAG`.
pub const MULTI_TAGS_FLAG: i32 = 0x1 << 1;
/// `MessageSysFlag.TRANSACTION_NOT_TYPE`.
pub const TRANSACTION_NOT_TYPE: i32 = 0;
/// `MessageSysFlag.TRANSACTION_PREPARED_TYPE`.
pub const TRANSACTION_PREPARED_TYPE: i32 = 0x1 << 2;
/// `MessageSysFlag.TRANSACTION_COMMIT_TYPE`.
pub const TRANSACTION_COMMIT_TYPE: i32 = 0x2 << 2;
/// `MessageSysFlag.TRANSACTION_ROLLBACK_TYPE` (also the mask of the transaction bits).
pub const TRANSACTION_ROLLBACK_TYPE: i32 = 0x3 << 2;
/// `MessageSysFlag.BORNHOST_V6_FLAG`.
pub const BORNHOST_V6_FLAG: i32 = 0x1 << 4;
/// `MessageSysFlag.STOREHOSTADDRESS_V6_FLAG`.
pub const STOREHOSTADDRESS_V6_FLAG: i32 = 0x1 << 5;
/// `MessageSysFlag.NEED_UNWRAP_FLAG`.
pub const NEED_UNWRAP_FLAG: i32 = 0x1 << 6;
/// `MessageSysFlag.INNER_BATCH_FLAG`.
pub const INNER_BATCH_FLAG: i32 = 0x1 << 7;
/// `MessageSysFlag.COMPRESSION_LZ4_TYPE`.
pub const COMPRESSION_LZ4_TYPE: i32 = 0x1 << 8;
/// `MessageSysFlag.COMPRESSION_ZSTD_TYPE`.
pub const COMPRESSION_ZSTD_TYPE: i32 = 0x2 << 8;
/// `MessageSysFlag.COMPRESSION_ZLIB_TYPE`.
pub const COMPRESSION_ZLIB_TYPE: i32 = 0x3 << 8;
/// `MessageSysFlag.COMPRESSION_TYPE_COMPARATOR` (mask of bits 8-10).
pub const COMPRESSION_TYPE_COMPARATOR: i32 = 0x7 << 8;

/// Transaction bits of a sys flag (`MessageSysFlag.getTransactionValue`).
pub fn transaction_value(flag: i32) -> i32 {
    flag & TRANSACTION_ROLLBACK_TYPE
}

/// Replace the transaction bits (`MessageSysFlag.resetTransactionValue`).
pub fn reset_transaction_value(flag: i32, ty: i32) -> i32 {
    (flag & !TRANSACTION_ROLLBACK_TYPE) | ty
}

/// Clear the compressed bit (`MessageSysFlag.clearCompressedFlag`).
pub fn clear_compressed_flag(flag: i32) -> i32 {
    flag & !COMPRESSED_FLAG
}

/// Whether the body is compressed.
pub fn is_compressed(flag: i32) -> bool {
    flag & COMPRESSED_FLAG != 0
}

/// Width in bytes of the born host field (address + port): 8 or 20.
pub fn born_host_len(flag: i32) -> usize {
    if flag & BORNHOST_V6_FLAG == 0 {
        8
    } else {
        20
    }
}

/// Width in bytes of the store host field (address + port): 8 or 20.
pub fn store_host_len(flag: i32) -> usize {
    if flag & STOREHOSTADDRESS_V6_FLAG == 0 {
        8
    } else {
        20
    }
}

/// Compression algorithms (`org.apache.rocketmq.common.compression.CompressionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompressionType {
    /// value 1
    Lz4,
    /// value 2
    Zstd,
    /// value 3 (and 0, legacy)
    Zlib,
}

/// Compression type from bits 8-10 (`MessageSysFlag.getCompressionType`); `None` for 4..=7,
/// which Java rejects with an exception.
pub fn compression_type(flag: i32) -> Option<CompressionType> {
    match (flag & COMPRESSION_TYPE_COMPARATOR) >> 8 {
        0 | 3 => Some(CompressionType::Zlib),
        1 => Some(CompressionType::Lz4),
        2 => Some(CompressionType::Zstd),
        _ => None,
    }
}

/// Pull request system flags (`org.apache.rocketmq.common.sysflag.PullSysFlag`).
pub mod pull {
    /// `FLAG_COMMIT_OFFSET`
    pub const COMMIT_OFFSET: i32 = 0x1;
    /// `FLAG_SUSPEND`
    pub const SUSPEND: i32 = 0x1 << 1;
    /// `FLAG_SUBSCRIPTION`
    pub const SUBSCRIPTION: i32 = 0x1 << 2;
    /// `FLAG_CLASS_FILTER`
    pub const CLASS_FILTER: i32 = 0x1 << 3;
    /// `FLAG_LITE_PULL_MESSAGE`
    pub const LITE_PULL_MESSAGE: i32 = 0x1 << 4;

    /// `PullSysFlag.buildSysFlag(commitOffset, suspend, subscription, classFilter)`.
    pub fn build(
        commit_offset: bool,
        suspend: bool,
        subscription: bool,
        class_filter: bool,
    ) -> i32 {
        let mut f = 0;
        if commit_offset {
            f |= COMMIT_OFFSET;
        }
        if suspend {
            f |= SUSPEND;
        }
        if subscription {
            f |= SUBSCRIPTION;
        }
        if class_filter {
            f |= CLASS_FILTER;
        }
        f
    }

    /// `PullSysFlag.clearCommitOffsetFlag`.
    pub fn clear_commit_offset(f: i32) -> i32 {
        f & !COMMIT_OFFSET
    }
    /// `PullSysFlag.hasCommitOffsetFlag`.
    pub fn has_commit_offset(f: i32) -> bool {
        f & COMMIT_OFFSET != 0
    }
    /// `PullSysFlag.hasSuspendFlag`.
    pub fn has_suspend(f: i32) -> bool {
        f & SUSPEND != 0
    }
    /// `PullSysFlag.hasSubscriptionFlag`.
    pub fn has_subscription(f: i32) -> bool {
        f & SUBSCRIPTION != 0
    }
    /// `PullSysFlag.hasClassFilterFlag`.
    pub fn has_class_filter(f: i32) -> bool {
        f & CLASS_FILTER != 0
    }
    /// `PullSysFlag.hasLitePullFlag`.
    pub fn has_lite_pull(f: i32) -> bool {
        f & LITE_PULL_MESSAGE != 0
    }
}
