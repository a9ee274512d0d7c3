//! Transaction headers: `EndTransactionRequestHeader` (37), `EndTransactionResponseHeader`,
//! `CheckTransactionStateRequestHeader` (39, broker → client),
//! `CheckTransactionStateResponseHeader` (unused by 4.9.7 code paths) and
//! `ResumeCheckHalfMessageRequestHeader` (323).
//!
//! Mirrors the classes of the same names in `common/.../protocol/header/`. Two of them have a
//! non-empty Java `checkFields()`, mirrored by `check_fields` here.

use crate::error::ProtocolError;

header! {
    /// `EndTransactionRequestHeader` (code 37; Java clients send it oneway, the remark may carry
    /// text). `commitOrRollback`: 0 unknown, 8 commit, 12 rollback (`MessageSysFlag`).
    /// `fromTransactionCheck` is a boxed `Boolean` that Java initialises to false, so Java
    /// writes it unless it was set to null.
    EndTransactionRequestHeader {
        producer_group: String => "producerGroup",
        tran_state_table_offset: i64 => "tranStateTableOffset",
        commit_log_offset: i64 => "commitLogOffset",
        commit_or_rollback: i32 => "commitOrRollback",
        from_transaction_check: Option<bool> => "fromTransactionCheck",
        msg_id: String => "msgId",
        transaction_id: Option<String> => "transactionId",
        bname: Option<String> => "bname",
    }
}

/// `MessageSysFlag.TRANSACTION_NOT_TYPE`.
const TRANSACTION_NOT_TYPE: i32 = 0;
/// `MessageSysFlag.TRANSACTION_COMMIT_TYPE`.
const TRANSACTION_COMMIT_TYPE: i32 = 0x8;
/// `MessageSysFlag.TRANSACTION_ROLLBACK_TYPE`.
const TRANSACTION_ROLLBACK_TYPE: i32 = 0xC;

impl EndTransactionRequestHeader {
    /// Java's `checkFields()`, run by `decodeCommandCustomHeader` after decoding (its exception
    /// becomes a SYSTEM_ERROR reply): `commitOrRollback` must be 0, 8 or 12 ("commitOrRollback
    /// field wrong").
    pub fn check_fields(&self) -> Result<(), ProtocolError> {
        match self.commit_or_rollback {
            TRANSACTION_NOT_TYPE | TRANSACTION_COMMIT_TYPE | TRANSACTION_ROLLBACK_TYPE => Ok(()),
            v => Err(ProtocolError::BadField {
                field: "commitOrRollback",
                value: v.to_string(),
            }),
        }
    }
}

header! {
    /// `EndTransactionResponseHeader` (no fields).
    EndTransactionResponseHeader {}
}

header! {
    /// `CheckTransactionStateRequestHeader` (code 39, broker → client, oneway; body = the
    /// half message encoded with `MessageDecoder.encode`).
    CheckTransactionStateRequestHeader {
        tran_state_table_offset: i64 => "tranStateTableOffset",
        commit_log_offset: i64 => "commitLogOffset",
        msg_id: Option<String> => "msgId",
        transaction_id: Option<String> => "transactionId",
        offset_msg_id: Option<String> => "offsetMsgId",
        bname: Option<String> => "bname",
    }
}

header! {
    /// `CheckTransactionStateResponseHeader` (defined in 4.9.7, used by no request path).
    CheckTransactionStateResponseHeader {
        producer_group: String => "producerGroup",
        tran_state_table_offset: i64 => "tranStateTableOffset",
        commit_log_offset: i64 => "commitLogOffset",
        commit_or_rollback: i32 => "commitOrRollback",
    }
}

impl CheckTransactionStateResponseHeader {
    /// Java's `checkFields()`: `commitOrRollback` must be 8 or 12 ("commitOrRollback field
    /// wrong").
    pub fn check_fields(&self) -> Result<(), ProtocolError> {
        match self.commit_or_rollback {
            TRANSACTION_COMMIT_TYPE | TRANSACTION_ROLLBACK_TYPE => Ok(()),
            v => Err(ProtocolError::BadField {
                field: "commitOrRollback",
                value: v.to_string(),
            }),
        }
    }
}

header! {
    /// `ResumeCheckHalfMessageRequestHeader` (code 323).
    ResumeCheckHalfMessageRequestHeader {
        msg_id: Option<String> => "msgId",
    }
}
