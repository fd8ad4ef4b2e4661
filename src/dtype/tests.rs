//! Unit tests of the dtype parser.
//!
//! numpy's own answers for some 1800 spellings (what `numpy.dtype(text)` gives, or that it
//! raises) are data, not code: `tests/data/dtype_names-numpy-<version>-<os>-<arch>.tsv`,
//! written by `scripts/gen_dtype_tables.py` (see the file's header for its format). The
//! texts numpy accepts and this module refuses on purpose are listed here, with the reason.

use super::*;

fn error_kind(text: &str) -> ErrorKind {
    match DType::parse(text) {
        Ok(d) => panic!("{text:?} parsed as {d}, expected an error"),
        Err(e) => e.kind,
    }
}

// Used by the numpy-table tests, which hold Linux x86-64 answers (C long is 8 bytes).
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn refused_on_purpose_kind(text: &str) -> Option<ErrorKind> {
    REFUSED_ON_PURPOSE
        .iter()
        .find(|&&(refused, _)| refused == text)
        .map(|&(_, kind)| kind)
}

/// numpy's answers on the platform these tests run on.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
const NUMPY_ANSWERS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/dtype_names-numpy-2.4.6-linux-x86_64.tsv"
));

/// What numpy made of one text.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
enum Numpy {
    Accepted {
        typestr: String,
        itemsize: usize,
        alignment: usize,
        isnative: bool,
        kind: char,
        byte_order: ByteOrder,
    },
    Rejected,
}

/// The data file's text column: `\u{HEX}` stands for one character.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn unescape(field: &str) -> String {
    let mut out = String::new();
    let mut rest = field;
    while let Some(at) = rest.find("\\u{") {
        out.push_str(&rest[..at]);
        let close = rest[at..].find('}').expect("unclosed \\u{") + at;
        let code = u32::from_str_radix(&rest[at + 3..close], 16).expect("hex after \\u{");
        out.push(char::from_u32(code).expect("a Unicode scalar value"));
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Every (text, numpy's answer) of the data file, in its order.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn numpy_answers() -> Vec<(String, Numpy)> {
    let mut rows = Vec::new();
    for line in NUMPY_ANSWERS.lines().filter(|l| !l.starts_with('#')) {
        let columns: Vec<&str> = line.split('\t').collect();
        let answer = match columns[1..] {
            ["error", _exception] => Numpy::Rejected,
            [typestr, itemsize, alignment, isnative, kind, byte_order] => Numpy::Accepted {
                typestr: typestr.to_string(),
                itemsize: itemsize.parse().unwrap(),
                alignment: alignment.parse().unwrap(),
                isnative: isnative.parse().unwrap(),
                kind: kind.parse().unwrap(),
                // numpy's dtype.byteorder: '=' native, '|' not applicable.
                byte_order: match byte_order {
                    "=" => ByteOrder::NATIVE,
                    "<" => ByteOrder::Little,
                    ">" => ByteOrder::Big,
                    "|" => ByteOrder::NotApplicable,
                    other => panic!("byteorder {other:?} in {line:?}"),
                },
            },
            _ => panic!("malformed line {line:?}"),
        };
        rows.push((unescape(columns[0]), answer));
    }
    rows
}

/// The texts numpy accepts with its answer, without those refused on purpose.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn accepted_by_numpy() -> Vec<(String, String, usize, usize, bool, char, ByteOrder)> {
    let accepted: Vec<_> = numpy_answers()
        .into_iter()
        .filter_map(|(text, answer)| match answer {
            Numpy::Accepted {
                typestr,
                itemsize,
                alignment,
                isnative,
                kind,
                byte_order,
            } => Some((
                text, typestr, itemsize, alignment, isnative, kind, byte_order,
            )),
            Numpy::Rejected => None,
        })
        .filter(|(text, ..)| refused_on_purpose_kind(text).is_none())
        .collect();
    // The number of cases, so that a cut-short data file cannot pass.
    assert_eq!(accepted.len(), 681);
    accepted
}

#[test]
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn accepted_like_numpy() {
    for (text, typestr, itemsize, alignment, native, kind, order) in accepted_by_numpy() {
        let d = DType::parse(&text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(d.typestr(), typestr, "typestr of {text:?}");
        assert!(
            d.typestr_may_hold_nul() || !typestr.contains('\0'),
            "{text:?}"
        );
        assert_eq!(d.itemsize(), itemsize, "itemsize of {text:?}");
        assert_eq!(d.alignment(), alignment, "alignment of {text:?}");
        assert_eq!(d.is_native(), native, "isnative of {text:?}");
        assert_eq!(d.kind(), kind, "kind of {text:?}");
        assert_eq!(d.byte_order(), order, "byte order of {text:?}");
    }
}

#[test]
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn rejected_like_numpy() {
    let rejected: Vec<String> = numpy_answers()
        .into_iter()
        .filter(|(_, answer)| matches!(answer, Numpy::Rejected))
        .map(|(text, _)| text)
        .collect();
    assert_eq!(rejected.len(), 1109);
    for text in rejected {
        assert_eq!(error_kind(&text), ErrorKind::InvalidArg, "{text:?}");
    }
}

#[test]
fn refused_on_purpose() {
    for &(text, kind) in REFUSED_ON_PURPOSE {
        assert_eq!(error_kind(text), kind, "{text:?}");
    }
}

/// Each text refused on purpose is one that numpy accepts, and the data file lists it.
#[test]
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn refused_texts_are_accepted_by_numpy() {
    let answers = numpy_answers();
    for &(text, _) in REFUSED_ON_PURPOSE {
        let answer = answers.iter().find(|(listed, _)| listed == text);
        assert!(
            matches!(answer, Some((_, Numpy::Accepted { .. }))),
            "{text:?} is not listed as accepted by numpy"
        );
    }
}

#[test]
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn typestr_round_trips() {
    for (text, ..) in accepted_by_numpy() {
        let d = DType::parse(&text).unwrap();
        let again = DType::parse(d.typestr()).unwrap();
        assert_eq!(d, again, "{text:?} -> {}", d.typestr());
        assert_eq!(again.typestr(), d.typestr());
    }
}

#[test]
fn u1_default() {
    let d = DType::u1();
    assert_eq!(d.typestr(), "|u1");
    assert_eq!(d.itemsize(), 1);
    assert_eq!(d.alignment(), 1);
    assert_eq!(d.kind(), 'u');
    assert_eq!(d.byte_order(), ByteOrder::NotApplicable);
    assert!(d.is_native());
    assert_eq!(d, DType::parse("uint8").unwrap());
    assert_eq!(d.to_string(), "|u1");
    assert_eq!("|u1".parse::<DType>().unwrap(), d);
    // The process's shared "|u1" (src/dtype/common.rs), not a new one each time.
    assert!(Arc::ptr_eq(&d.0, &DType::u1().0));
    assert_eq!(d, build(Scalar::UInt, 1, None));
}

#[test]
fn portable_basics() {
    let native = if cfg!(target_endian = "big") {
        '>'
    } else {
        '<'
    };
    let f8 = DType::parse("=f8").unwrap();
    assert_eq!(f8.typestr(), format!("{native}f8"));
    assert!(f8.is_native());
    let swapped = if native == '<' { ">i4" } else { "<i4" };
    let i4 = DType::parse(swapped).unwrap();
    assert!(!i4.is_native());
    assert_eq!(i4.typestr(), swapped);
    assert_eq!(DType::parse(">b1").unwrap().typestr(), "|b1");
    assert_eq!(DType::parse("<S3").unwrap().typestr(), "|S3");
    assert_eq!(DType::parse(">V4").unwrap().typestr(), "|V4");
    assert_eq!(DType::parse(">U3").unwrap().typestr(), ">U3");
    assert_eq!(DType::parse(">U3").unwrap().itemsize(), 12);
    assert_eq!(DType::parse("S").unwrap().itemsize(), 0);
    assert_eq!(
        DType::parse("M8").unwrap().datetime_unit(),
        Some(("generic", 1))
    );
    assert_eq!(
        DType::parse("m8[10s]").unwrap().datetime_unit(),
        Some(("s", 10))
    );
    assert_eq!(DType::parse("f8").unwrap().datetime_unit(), None);
    assert_eq!(DType::parse("S2147483647").unwrap().itemsize(), 2147483647);
}

#[test]
fn error_messages() {
    let e = DType::parse("zz").unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArg);
    assert_eq!(e.message, "data type \"zz\" not understood");
    let e = DType::parse("i3").unwrap_err();
    assert_eq!(
        e.message,
        "data type \"i3\" not understood: itemsize 3 is not valid for kind 'i'"
    );
    let e = DType::parse("S99999999999999999999").unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArg);
    assert!(e.message.contains("itemsize"), "{}", e.message);
    for text in ["O", "|O", "object", "O8"] {
        let e = DType::parse(text).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unsupported);
        assert!(e.message.contains("Python pointers"), "{}", e.message);
        assert!(e.message.contains("cannot be mapped"), "{}", e.message);
    }
    let e = DType::parse("2i4").unwrap_err();
    assert!(e.message.contains("subarray"), "{}", e.message);
    let e = DType::parse("M8[s/10]").unwrap_err();
    assert!(e.message.contains("divisor"), "{}", e.message);
    let e = DType::parse("f8\n").unwrap_err();
    assert_eq!(e.message, "data type \"f8\\n\" not understood");
}

#[test]
fn odd_inputs_do_not_panic() {
    let odd = [
        "",
        "\0",
        "<",
        "M8[",
        "M8[xx]",
        "M8[0s]",
        "M8[s/0]",
        "M8[s/]",
        "M8[/]",
        "M8[99999999999999999999999999999999s]",
        "S99999999999999999999",
        "U99999999999999999999",
        "U4611686018427387904",
        "V18446744073709551615",
        "i18446744073709551617",
        "S-99999999999999999999",
        "\u{3bc}",
        "<\u{3bc}",
        "M8[\u{3bc}",
        "M8[\u{3bc}s",
        "datetime64[\u{1F600}]",
        "\u{1F600}8",
        "S\u{1F600}",
        "<\u{FFFF}",
        "[",
        "]",
        "(",
        ",",
        "M8]",
        "M8[]]",
    ];
    for text in odd {
        let _ = DType::parse(text);
    }
    // Pseudo-random strings over characters that matter to the parser.
    let alphabet: Vec<char> = "<>=|MmSUVabcfiuO?[]/+- 0123456789sDYnx,()\u{3bc}\t"
        .chars()
        .collect();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let len = (next() % 12) as usize;
        let text: String = (0..len)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect();
        if let Ok(d) = DType::parse(&text) {
            let again = DType::parse(d.typestr())
                .unwrap_or_else(|e| panic!("{text:?} -> {}: {e}", d.typestr()));
            assert_eq!(again, d, "{text:?}");
            assert!(d.itemsize() <= i32::MAX as usize);
            assert!(d.alignment().is_power_of_two());
        }
    }
}

/// Texts numpy accepts but this module refuses on purpose (numpy's result in the comment).
#[rustfmt::skip]
const REFUSED_ON_PURPOSE: &[(&str, ErrorKind)] = &[
    ("O", ErrorKind::Unsupported), // numpy: object/StringDType
    ("T", ErrorKind::Unsupported), // numpy: object/StringDType
    ("<O", ErrorKind::Unsupported), // numpy: object/StringDType
    (">O", ErrorKind::Unsupported), // numpy: object/StringDType
    ("=O", ErrorKind::Unsupported), // numpy: object/StringDType
    ("|O", ErrorKind::Unsupported), // numpy: object/StringDType
    ("<T", ErrorKind::Unsupported), // numpy: object/StringDType
    (">T", ErrorKind::Unsupported), // numpy: object/StringDType
    ("=T", ErrorKind::Unsupported), // numpy: object/StringDType
    ("|T", ErrorKind::Unsupported), // numpy: object/StringDType
    ("O4", ErrorKind::Unsupported), // numpy: object/StringDType
    ("O8", ErrorKind::Unsupported), // numpy: object/StringDType
    ("object_", ErrorKind::Unsupported), // numpy: object/StringDType
    ("object", ErrorKind::Unsupported), // numpy: object/StringDType
    ("\u{1}", ErrorKind::InvalidArg), // numpy: |i1 (control character read as a type number)
    ("\u{2}", ErrorKind::InvalidArg), // numpy: |u1 (control character read as a type number)
    ("\u{7}", ErrorKind::InvalidArg), // numpy: <i8 (control character read as a type number)
    ("\u{17}", ErrorKind::InvalidArg), // numpy: <f2 (control character read as a type number)
    ("\u{0}", ErrorKind::InvalidArg), // numpy: |b1 (control character read as a type number)
    ("3S", ErrorKind::InvalidArg), // numpy: |S3
    ("0S", ErrorKind::InvalidArg), // numpy: |S0
    ("2str", ErrorKind::InvalidArg), // numpy: <U2
    ("2V", ErrorKind::InvalidArg), // numpy: |V2
    ("10a", ErrorKind::InvalidArg), // numpy: |S10
    ("3>U", ErrorKind::InvalidArg), // numpy: >U3
    ("()i4", ErrorKind::InvalidArg), // numpy: <i4
    ("()m", ErrorKind::InvalidArg), // numpy: <m8
    ("()S3", ErrorKind::InvalidArg), // numpy: |S3
    (">4S", ErrorKind::InvalidArg), // numpy: |S4
    ("=4V", ErrorKind::InvalidArg), // numpy: |V4
    ("1i4", ErrorKind::InvalidArg), // numpy: |V4
    ("<\u{9}", ErrorKind::InvalidArg), // numpy: <i8 (control character read as a type number)
    ("|\u{0}", ErrorKind::InvalidArg), // numpy: |b1 (control character read as a type number)
    ("(2,)i4", ErrorKind::InvalidArg), // numpy: |V8
    ("2i4", ErrorKind::InvalidArg), // numpy: |V8
    ("3f8", ErrorKind::InvalidArg), // numpy: |V24
    ("(2,3)f8", ErrorKind::InvalidArg), // numpy: |V48
    ("M8[s/10]", ErrorKind::InvalidArg), // numpy: <M8[100ms]
    ("M8[Y/12]", ErrorKind::InvalidArg), // numpy: <M8[M]
    ("M8[10s/2]", ErrorKind::InvalidArg), // numpy: <M8[5000ms]
    ("m8[D/24]", ErrorKind::InvalidArg), // numpy: <m8[h]
    ("datetime64[h/60]", ErrorKind::InvalidArg), // numpy: <M8[m]
];
