//! fastjson-compatible JSON (placeholder).
