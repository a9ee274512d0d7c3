//! Message encodings (placeholder).
