//! Transaction headers: `EndTransactionRequestHeader` (37), `EndTransactionResponseHeader`,
//! `CheckTransactionStateRequestHeader` (39, broker → client),
//! `CheckTransactionStateResponseHeader` (unused by 4.9.7 code paths) and
//! `ResumeCheckHalfMessageRequestHeader` (323).
//!
//! Mirrors the classes of the same names in `common/.../protocol/header/`.

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

header! {
    /// `ResumeCheckHalfMessageRequestHeader` (code 323).
    ResumeCheckHalfMessageRequestHeader {
        msg_id: Option<String> => "msgId",
    }
}
