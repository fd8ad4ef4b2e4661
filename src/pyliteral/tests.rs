//! Unit tests of the Python literal parser: what `ast.literal_eval` accepts and rejects,
//! the `L` suffix option, and `repr()`.

use super::*;

fn p(text: &str) -> Result<Value, ParseError> {
    parse(text, Options::default())
}

fn s(text: &str) -> Value {
    Value::Str(text.into())
}

#[test]
fn accepts_what_literal_eval_accepts() {
    let ok = [
        (
            "{1:2}\n  \n",
            Value::Dict(vec![(Value::Int(Some(1)), Value::Int(Some(2)))]),
        ),
        (
            "{1:2}\n#c",
            Value::Dict(vec![(Value::Int(Some(1)), Value::Int(Some(2)))]),
        ),
        (
            "# c\n{1:2}",
            Value::Dict(vec![(Value::Int(Some(1)), Value::Int(Some(2)))]),
        ),
        (
            "\x0c{1:2}\r",
            Value::Dict(vec![(Value::Int(Some(1)), Value::Int(Some(2)))]),
        ),
        (
            "{1:\\\n2,}",
            Value::Dict(vec![(Value::Int(Some(1)), Value::Int(Some(2)))]),
        ),
        ("u'a' \"b\" r'\\n'", s("ab\\n")),
        ("'''x'y'''", s("x'y")),
        ("'\\x41\\u00e9\\101\\q'", s("A\u{e9}A\\q")),
        ("0x10", Value::Int(Some(16))),
        ("1_000", Value::Int(Some(1000))),
        ("00", Value::Int(Some(0))),
        ("- -+5", Value::Int(Some(5))),
        ("-5", Value::Int(Some(-5))),
        ("(2)", Value::Int(Some(2))),
        ("()", Value::Tuple(vec![])),
        ("(2,)", Value::Tuple(vec![Value::Int(Some(2))])),
        ("[1,]", Value::List(vec![Value::Int(Some(1))])),
        ("{2,}", Value::Set(vec![Value::Int(Some(2))])),
        ("1e5", Value::Float),
        ("1j", Value::Complex),
        ("None", Value::None),
        ("b'a'", Value::Bytes(b"a".to_vec())),
        (
            "99999999999999999999999999999999999999999",
            Value::Int(None),
        ),
    ];
    for (text, want) in ok {
        assert_eq!(
            p(text).unwrap_or_else(|e| panic!("{text:?}: {e}")),
            want,
            "{text:?}"
        );
    }
}

#[test]
fn rejects_what_literal_eval_rejects() {
    for text in [
        "",
        "\n  {1:2}",
        "{1:2}\n  ",
        "{1:2}\\\n",
        "{1:01}",
        "{1:0_1}",
        "{1:(,)}",
        "{1:[,]}",
        "{1: 5L}",
        "'\\x4'",
        "{1:2}\x00",
        "{1:-True}",
        "{1:(1 if 2 else 3)}",
        "{**{}}",
        "{1:2};",
        "{1:2,,}",
        "{,}",
        "{1:2 3:4}",
        "'abc",
        "'a\nb'",
        "x",
        "{'a':1",
        "1__0",
        "0x",
        "1e",
        "'\\ud800'",
        "b'\u{e9}'",
        "'a' b'b'",
    ] {
        assert!(p(text).is_err(), "{text:?} parsed as {:?}", p(text));
    }
    let deep = "[".repeat(MAX_NESTING + 1) + &"]".repeat(MAX_NESTING + 1);
    assert!(p(&deep).is_err());
    let ok = "[".repeat(MAX_NESTING) + &"]".repeat(MAX_NESTING);
    assert!(p(&ok).is_ok());
}

#[test]
fn long_suffix_only_when_asked() {
    let o = Options { long_suffix: true };
    assert_eq!(
        parse("(3L, 4 L)", o).unwrap(),
        Value::Tuple(vec![Value::Int(Some(3)), Value::Int(Some(4))])
    );
    assert!(p("(3L,)").is_err());
    assert!(parse("(3Lx,)", o).is_err());
}

#[test]
fn repr_like_python() {
    assert_eq!(py_repr_str("a"), "'a'");
    assert_eq!(py_repr_str("a'\""), "'a\\'\"'");
    assert_eq!(py_repr_str("a'"), "\"a'\"");
    assert_eq!(
        py_repr_str("\u{e9}\u{4e2d}\0\u{a0}\\"),
        "'\u{e9}\u{4e2d}\\x00\\xa0\\\\'"
    );
}
