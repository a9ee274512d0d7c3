//! Unit tests of the fastjson module.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::*;

fn p(s: &str) -> Value {
    parse_str(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

#[test]
fn grammar_extensions() {
    assert_eq!(p("{code:105}").get("code"), Some(&Value::from(105)));
    assert_eq!(p("{'a':'b'}").get("a"), Some(&Value::from("b")));
    assert_eq!(p("{$x_1:1}").get("$x_1"), Some(&Value::from(1)));
    assert_eq!(p("{中:1}").to_json(), "{\"中\":1}");
    assert!(parse_str("{1a:1}").is_err());
    assert!(parse_str("{\u{e9}x:1}").is_err());
    assert!(parse_str("{\u{80}:1}").is_err()); // chars 128..=255 are not identifiers
    assert_eq!(p("{,\"a\":1,,\"b\":2,}").to_json(), "{\"a\":1,\"b\":2}");
    assert_eq!(p("[,1,,2,]").to_json(), "[1,2]");
    assert_eq!(p("[1 2 \"x\"]").to_json(), "[1,2,\"x\"]");
    assert_eq!(
        p("/* c */ {\"a\" // x\n : 1} // end").to_json(),
        "{\"a\":1}"
    );
    assert_eq!(
        p("[undefined,NULL,Null,null,true,false]").to_json(),
        "[null,null,null,null,true,false]"
    );
    assert_eq!(
        p("Set[1,2]"),
        Value::Set(vec![Value::from(1), Value::from(2)])
    );
    assert_eq!(p("[1L,2S,3B,+4,-5]").to_json(), "[1,2,3,4,-5]");
    assert_eq!(p("[1.5F,2D,1e3,1.0E20]").to_json(), "[1.5,2,1e3,1.0E20]");
    assert_eq!(p("\u{feff} {} \u{1a}"), Value::Object(vec![]));
    assert_eq!(p("\u{8}\u{c}[]"), Value::Array(vec![]));
    assert_eq!(
        p(r#""\x41\v\'\/\0\7\F\u00e9\uD83D\uDE00""#),
        Value::from("A\u{b}'/\u{0}\u{7}\u{c}é😀")
    );
    assert_eq!(p("\"raw\ncontrol\t\""), Value::from("raw\ncontrol\t"));
    assert_eq!(p(r#""\uD83D""#), Value::from("\u{fffd}"));
    // Big integers and decimals keep their text.
    assert_eq!(
        p("123456789012345678901234567890").to_json(),
        "123456789012345678901234567890"
    );
    assert_eq!(p("1.50").to_json(), "1.50");
    assert_eq!(p("-9223372036854775808"), Value::from(i64::MIN));
}

#[test]
fn keys_of_any_kind() {
    let v = p(
        r#"{0:"a",-1:"b",1.5:"c",{"brokerName":"b","queueId":0,"topic":"t"}:{"x":1},[1]:2,null:3,true:4}"#,
    );
    let e = v.entries().unwrap();
    assert_eq!(e[0].0, Value::from(0));
    assert_eq!(e[1].0, Value::from(-1));
    assert!(matches!(e[3].0, Value::Object(_)));
    assert!(matches!(e[4].0, Value::Array(_)));
    assert_eq!(e[5].0, Value::Null);
    // `true` as an unquoted key is the identifier "true".
    assert_eq!(e[6].0, Value::from("true"));
    assert_eq!(
        v.to_json(),
        r#"{0:"a",-1:"b",1.5:"c",{"brokerName":"b","queueId":0,"topic":"t"}:{"x":1},[1]:2,null:3,"true":4}"#
    );
}

#[test]
fn errors_not_panics() {
    for bad in [
        "",
        " ",
        "{",
        "[",
        "{\"a\"",
        "{\"a\":",
        "{\"a\":1",
        "[1,",
        "\"abc",
        "\"\\q\"",
        "\"\\u12\"",
        "{\"a\" 1}",
        "{\"a\":1 \"b\":2}",
        "tru",
        "nul",
        "-",
        "+",
        "1e",
        ".5",
        "{a:1}}",
        "[]]",
        "/*",
        "/x",
        "x",
        "\u{1}",
    ] {
        assert!(parse_str(bad).is_err(), "{bad:?} should fail");
    }
    let opts = ParseOptions {
        max_depth: 3,
        max_input: 10,
    };
    assert!(matches!(
        parse_with(b"[[[[]]]]", opts),
        Err(Error::TooDeep(3))
    ));
    assert!(parse_with(b"[[[]]]", opts).is_ok());
    assert!(matches!(
        parse_with(b"[1,2,3,4,5,6]", opts),
        Err(Error::TooLarge { .. })
    ));
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Default)]
#[serde(default, rename_all = "camelCase")]
struct Bean {
    zeta: i32,
    alpha: Option<String>,
    is_on: bool,
    #[serde(rename = "clientID")]
    client_id: String,
    ratio: f64,
    tags: Vec<String>,
}

#[test]
fn beans_sorted_nulls_omitted() {
    let b = Bean {
        zeta: 1,
        alpha: None,
        is_on: true,
        client_id: "c".into(),
        ratio: 0.0,
        tags: vec![],
    };
    assert_eq!(
        to_string(&b).unwrap(),
        r#"{"clientID":"c","isOn":true,"ratio":0.0,"tags":[],"zeta":1}"#
    );
    let back: Bean =
        from_str(r#"{"zeta":"7","alpha":null,"IS_ON":1,"ratio":"2.5","unknown":[1,{}]}"#).unwrap();
    assert_eq!(
        (back.zeta, back.alpha, back.is_on, back.ratio),
        (7, None, true, 2.5)
    );
    // Duplicate keys: the last wins (serde would otherwise reject them).
    let back: Bean = from_str(r#"{"zeta":1,"zeta":2}"#).unwrap();
    assert_eq!(back.zeta, 2);
    // Null keeps the default; the wrong shape is an error.
    let back: Bean = from_str(r#"{"zeta":null,"tags":null}"#).unwrap();
    assert_eq!(back, Bean::default());
    assert!(from_str::<Bean>(r#"{"tags":{"a":1}}"#).is_err());
    assert!(from_str::<Bean>("[1]").is_err());
}

#[test]
fn pretty_format() {
    #[derive(Serialize)]
    struct P {
        list: Vec<i32>,
        empty: Vec<i32>,
        #[serde(serialize_with = "order::hash_set")]
        set: HashSet<i32>,
        map: BTreeMap<String, i32>,
        nums: BTreeMap<i32, i32>,
        empty_map: BTreeMap<String, i32>,
    }
    let v = P {
        list: vec![1, 2],
        empty: vec![],
        set: [3, 4].into_iter().collect(),
        map: [("a".to_owned(), 1)].into_iter().collect(),
        nums: [(1, 2)].into_iter().collect(),
        empty_map: BTreeMap::new(),
    };
    assert_eq!(
        to_string_pretty(&v).unwrap(),
        "{\n\t\"empty\":[],\n\t\"empty_map\":{},\n\t\"list\":[\n\t\t1,\n\t\t2\n\t],\n\t\"map\":{\n\t\t\"a\":1\n\t},\n\t\"nums\":{1:2\n\t},\n\t\"set\":[3,4]\n}"
    );
}

#[test]
fn java_hash_orders() {
    // HashMap<Long,…> with small keys iterates ascending.
    let m: HashMap<i64, &str> = [(3, "c"), (0, "a"), (1, "b")].into_iter().collect();
    #[derive(Serialize)]
    struct W<'a> {
        #[serde(serialize_with = "order::hash_map")]
        m: HashMap<i64, &'a str>,
    }
    assert_eq!(to_string(&W { m }).unwrap(), r#"{"m":{0:"a",1:"b",3:"c"}}"#);
    // Key 16 lands in bucket 0 of a 16-slot table: after 0, before 1.
    let keys: Vec<Value> = [1, 16, 0].iter().map(|i| Value::from(*i)).collect();
    let ord = order::iteration_order(&keys, order::JavaMapKind::HashMap { initial: 16 });
    assert_eq!(ord, vec![2, 1, 0]);
    assert_eq!(java_string_hash("TagA"), 2_598_919);
    assert_eq!(java_string_hash("中文"), 646_394);
    assert_eq!(java_string_hash("*"), 42);
}

#[test]
fn value_serde_roundtrip() {
    let text = r#"{"a":[1,2.5,"x",null,true],{"k":1}:Set[1],"n":123456789012345678901234567890}"#;
    let v = p(text);
    let again = to_value(&v).unwrap();
    assert_eq!(again, v);
    let typed: Value = from_str(r#"{"a":1}"#).unwrap();
    assert_eq!(typed.get("a"), Some(&Value::from(1)));
    // Through serde_json (plain newtypes, f64 numbers).
    let j = serde_json::to_string(&p(r#"{"a":[1,Set[2]],"b":1.5}"#)).unwrap();
    assert_eq!(j, r#"{"a":[1,[2]],"b":1.5}"#);
}

#[test]
fn enums_by_name_or_ordinal() {
    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    enum E {
        FirstOne,
        SecondOne,
    }
    assert_eq!(to_string(&E::SecondOne).unwrap(), "\"SECOND_ONE\"");
    assert_eq!(from_str::<E>("\"FIRST_ONE\"").unwrap(), E::FirstOne);
    assert_eq!(from_str::<E>("1").unwrap(), E::SecondOne);
    assert!(from_str::<E>("2").is_err());
    assert!(from_str::<E>("\"NOPE\"").is_err());
}

#[test]
fn bytes_as_base64() {
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct B {
        #[serde(with = "bytes_helper")]
        data: Vec<u8>,
    }
    mod bytes_helper {
        pub fn serialize<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(b)
        }
        pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
            struct V;
            impl serde::de::Visitor<'_> for V {
                type Value = Vec<u8>;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("bytes")
                }
                fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                    Ok(v)
                }
            }
            d.deserialize_byte_buf(V)
        }
    }
    let b = B {
        data: b"Hello".to_vec(),
    };
    let s = to_string(&b).unwrap();
    assert_eq!(s, r#"{"data":"SGVsbG8="}"#);
    assert_eq!(from_str::<B>(&s).unwrap(), b);
}
