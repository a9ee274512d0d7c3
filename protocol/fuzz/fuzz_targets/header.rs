//! Fuzz the typed headers: the input is split into `key\0value\0` pairs, and every header class
//! decodes them; whatever decodes must flatten and decode to the same header again.

#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::command::ExtFields;
use protocol::header::catalog::{reflatten, HEADER_CLASSES};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\0');
    let mut ext = ExtFields::new();
    while let (Some(k), Some(v)) = (parts.next(), parts.next()) {
        ext.insert(k, v);
    }
    for class in HEADER_CLASSES {
        if let Some(Ok(flat)) = reflatten(class, &ext) {
            match reflatten(class, &flat) {
                Some(Ok(again)) => assert_eq!(again, flat, "{class}"),
                other => panic!("{class}: {other:?}"),
            }
        }
    }
});
