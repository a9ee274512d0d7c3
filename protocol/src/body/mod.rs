//! JSON bodies (placeholder).
