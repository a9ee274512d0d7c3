//! SQL92 message filtering (placeholder).
