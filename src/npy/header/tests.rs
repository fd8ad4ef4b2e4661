//! Unit tests of the .npy header reader and writer: numpy's worked examples, versions 2
//! and 3, linear time on large headers, the variants numpy accepts and the rejections.

use super::*;

fn npy(version: (u8, u8), text: &str) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&[version.0, version.1]);
    let body: Vec<u8> = if version == (3, 0) {
        text.as_bytes().to_vec()
    } else {
        text.chars().map(|c| c as u32 as u8).collect()
    };
    if version == (1, 0) {
        out.extend_from_slice(&(body.len() as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    }
    out.extend_from_slice(&body);
    out
}

fn kind_of(bytes: &[u8]) -> (ErrorKind, String) {
    match parse_bytes(bytes) {
        Ok(h) => panic!("{:?} parsed as {h:?}", String::from_utf8_lossy(bytes)),
        Err(e) => (e.kind, e.message),
    }
}

#[test]
fn worked_examples_b11() {
    let f4 = DType::parse("<f4").unwrap();
    let h = encode(&f4, &[3, 4], false).unwrap();
    assert_eq!(h.len(), 128);
    assert_eq!(&h[..10], b"\x93NUMPY\x01\x00\x76\x00");
    let text = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }";
    assert_eq!(&h[10..10 + text.len()], text.as_bytes());
    assert!(h[10 + text.len()..127].iter().all(|&b| b == b' '));
    assert_eq!(h[127], b'\n');

    let u1 = DType::parse("|u1").unwrap();
    let h = encode(&u1, &[2, 3], true).unwrap();
    assert!(h.starts_with(
        b"\x93NUMPY\x01\x00\x76\x00{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3), }"
    ));

    let f8 = DType::parse("<f8").unwrap();
    let h = encode(&f8, &[], false).unwrap();
    let text = "{'descr': '<f8', 'fortran_order': False, 'shape': (), }";
    assert_eq!(h.len(), 128);
    assert_eq!(&h[8..10], &[118, 0]);
    assert_eq!(&h[10..10 + text.len()], text.as_bytes());
    assert_eq!(h.len() - 10 - text.len() - 1, 62);
    assert_eq!(encode(&f8, &[0], false).unwrap().len(), 128);

    let back = parse_bytes(&encode(&f4, &[3, 4], false).unwrap()).unwrap();
    assert_eq!(
        (
            back.version,
            back.shape.as_slice(),
            back.fortran_order,
            back.data_offset
        ),
        ((1, 0), &[3, 4][..], false, 128)
    );
    assert_eq!(back.dtype, f4);
}

#[test]
fn versions_2_and_3() {
    // A record whose descr is too long for a u16 header length.
    let fields: Vec<String> = (0..5000)
        .map(|i| format!("('field_number_{i:05}', '<i4')"))
        .collect();
    let big = DType::parse(&format!("[{}]", fields.join(", "))).unwrap();
    let h = encode(&big, &[2], false).unwrap();
    assert_eq!(&h[6..8], &[2, 0]);
    assert_eq!(h.len() % 64, 0);
    let back = parse_bytes(&h).unwrap();
    assert_eq!(back.dtype, big);
    assert_eq!(back.version, (2, 0));

    let cjk = DType::parse("[('\u{4e2d}\u{6587}', '<i4')]").unwrap();
    let h = encode(&cjk, &[3], false).unwrap();
    assert_eq!(&h[6..8], &[3, 0]);
    assert_eq!(h.len() % 64, 0);
    assert_eq!(parse_bytes(&h).unwrap().dtype, cjk);

    let latin = DType::parse("[('\u{e9}', '<i4')]").unwrap();
    let h = encode(&latin, &[3], false).unwrap();
    assert_eq!(&h[6..8], &[1, 0]);
    assert!(h.windows(3).any(|w| w == b"'\xe9'"));
    assert_eq!(parse_bytes(&h).unwrap().dtype, latin);
}

#[test]
fn linear_time_on_large_headers() {
    // ~2.6 MB of header text, 100000 fields: no 10000-character limit (D11,
    // docs/numpy-semantics.md#d11), and the parse stays fast (it is one pass).
    let fields: Vec<String> = (0..100_000).map(|i| format!("('f{i}', '<i2')")).collect();
    let text = format!(
        "{{'descr': [{}], 'fortran_order': False, 'shape': (2,), }}",
        fields.join(", ")
    );
    let start = std::time::Instant::now();
    let h = parse_bytes(&npy((2, 0), &text)).unwrap();
    assert_eq!(h.dtype.fields().unwrap().len(), 100_000);
    assert_eq!(h.dtype.itemsize(), 200_000);
    // Brackets nested to Python's limit, over and over, then cut off.
    let deep = "[".repeat(200) + &"]".repeat(200) + ", ";
    let text = format!("{{'x': [{}", deep.repeat(5000));
    let (k, _) = kind_of(&npy((2, 0), &text));
    assert_eq!(k, ErrorKind::Format);
    let text = format!("{{'x': {}", "[".repeat(100_000));
    let (k, msg) = kind_of(&npy((2, 0), &text));
    assert_eq!(k, ErrorKind::Format);
    assert!(msg.contains("nested"), "{msg}");
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
}

#[test]
fn accepted_variants() {
    let ok = [
        (
            (1, 0),
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }",
        ),
        (
            (1, 0),
            "{\"shape\": (3, 4), \"descr\": \"<f4\", \"fortran_order\": False}",
        ),
        (
            (1, 0),
            "  {'descr':'<f4',\n 'fortran_order':False, # c\n 'shape':(3,4,)}\n\n",
        ),
        (
            (1, 0),
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3L, 4L), }",
        ),
        (
            (2, 0),
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4L)}",
        ),
        (
            (1, 0),
            "{'descr': 'float32', 'fortran_order': False, 'shape': (3, 4)}",
        ),
        (
            (1, 0),
            "{'descr': '<f4', 'fortran_order': True, 'fortran_order': False, 'shape': (3, 4)}",
        ),
        (
            (3, 0),
            "{'descr': u'<f4', 'fortran_order': False, 'shape': (0x3, 4)}",
        ),
        (
            (1, 0),
            "{'descr': [('a', '<f4'), ('', '|V4')], 'fortran_order': False, 'shape': (3, 4)}",
        ),
    ];
    for (v, text) in ok {
        let h = parse_bytes(&npy(v, text)).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(h.shape, vec![3, 4], "{text}");
        assert!(!h.fortran_order);
        assert_eq!(h.dtype.itemsize(), if text.contains("V4") { 8 } else { 4 });
    }
    let h = parse_bytes(&npy(
        (1, 0),
        "{'descr': ('<i4', (2,)), 'fortran_order': False, 'shape': (3,)}",
    ))
    .unwrap();
    assert_eq!(
        (h.dtype.typestr(), h.shape.as_slice()),
        ("<i4", &[3, 2][..])
    );
}

#[test]
fn rejections_r1_to_r16() {
    use ErrorKind::*;
    let good = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
    let full = npy((1, 0), good);
    let cases: Vec<(Vec<u8>, ErrorKind, &str)> = vec![
        (
            b"\x93NUM".to_vec(),
            Format,
            "EOF: reading magic string, expected 8 bytes got 4",
        ),
        (
            b"\x93NUMPX\x01\x00".to_vec(),
            Format,
            "the magic string is not correct",
        ),
        (b"\x93NUMPY\x01\x01\x00\x00".to_vec(), Format, "not (1, 1)"),
        (b"\x93NUMPY\x00\x00".to_vec(), Format, "not (0, 0)"),
        (b"\x93NUMPY\x02\x02".to_vec(), Format, "not (2, 2)"),
        (
            b"\x93NUMPY\x01\x00\x05".to_vec(),
            Format,
            "EOF: reading array header length, expected 2 bytes got 1",
        ),
        (
            b"\x93NUMPY\x02\x00\x05\x00".to_vec(),
            Format,
            "expected 4 bytes got 2",
        ),
        (
            full[..full.len() - 5].to_vec(),
            Format,
            "EOF: reading array header, expected",
        ),
        (
            [&b"\x93NUMPY\x03\x00\x02\x00\x00\x00"[..], b"\xff\xfe"].concat(),
            Format,
            "not valid UTF-8",
        ),
        (
            npy(
                (3, 0),
                "{'descr': '<f4', 'fortran_order': False, 'shape': (3L,)}",
            ),
            Format,
            "Cannot parse header",
        ),
        (
            npy(
                (1, 0),
                "{'descr': '<f4', 'fortran_order': False, 'shape': (3,)",
            ),
            Format,
            "Cannot parse header",
        ),
        (npy((1, 0), "[1, 2]"), Format, "Header is not a dictionary"),
        (
            npy((1, 0), "{'descr': '<f4', 'shape': (3,)}"),
            Format,
            "Header does not contain the correct keys: ['descr', 'shape']",
        ),
        (
            npy(
                (1, 0),
                "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'x': 1}",
            ),
            Format,
            "correct keys",
        ),
        (
            npy(
                (1, 0),
                "{'descr': '<f4', 'fortran_order': False, 'shape': 3}",
            ),
            Format,
            "shape is not valid: 3",
        ),
        (
            npy(
                (1, 0),
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2)}",
            ),
            Format,
            "shape is not valid: 2",
        ),
        (
            npy(
                (1, 0),
                "{'descr': '<f4', 'fortran_order': False, 'shape': [3]}",
            ),
            Format,
            "shape is not valid",
        ),
        (
            npy(
                (1, 0),
                "{'descr': '<f4', 'fortran_order': False, 'shape': (3.0,)}",
            ),
            Format,
            "shape is not valid",
        ),
        (
            npy(
                (1, 0),
                "{'descr': '<f4', 'fortran_order': 0, 'shape': (3,)}",
            ),
            Format,
            "fortran_order is not a valid bool: 0",
        ),
        (
            npy(
                (1, 0),
                "{'descr': '<f4', 'fortran_order': 'False', 'shape': (3,)}",
            ),
            Format,
            "fortran_order is not a valid bool",
        ),
        (
            npy(
                (1, 0),
                "{'descr': '<q9', 'fortran_order': False, 'shape': (3,)}",
            ),
            Format,
            "descr is not a valid dtype descriptor: '<q9'",
        ),
        (
            npy(
                (1, 0),
                "{'descr': '|O', 'fortran_order': False, 'shape': (3,)}",
            ),
            Unsupported,
            "memory-mapped",
        ),
        (
            npy(
                (1, 0),
                "{'descr': [('a', '|O')], 'fortran_order': False, 'shape': (3,)}",
            ),
            Unsupported,
            "memory-mapped",
        ),
        (
            npy(
                (1, 0),
                "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}",
            ),
            Format,
            "negative dimensions are not allowed",
        ),
        (
            npy(
                (1, 0),
                "{'descr': '<f4', 'fortran_order': False, 'shape': (True,)}",
            ),
            Format,
            "bool",
        ),
        (
            npy(
                (1, 0),
                "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}",
            ),
            Format,
            "too large",
        ),
        (
            npy(
                (1, 0),
                "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4)}",
            ),
            Format,
            "overflows",
        ),
    ];
    for (bytes, kind, text) in cases {
        let (k, msg) = kind_of(&bytes);
        assert_eq!(k, kind, "{msg}");
        assert!(msg.contains(text), "{msg:?} lacks {text:?}");
    }
    // A huge HEADER_LEN in a tiny input allocates nothing and fails cleanly.
    let (k, msg) = kind_of(b"\x93NUMPY\x02\x00\xff\xff\xff\xff{}");
    assert_eq!(k, Format);
    assert!(msg.contains("expected 4294967295 bytes got 2"), "{msg}");
}

#[test]
fn at_most_max_ndim_dimensions() {
    let header = |ndim: usize| {
        let shape = "1,".repeat(ndim);
        npy(
            (1, 0),
            &format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({shape})}}"),
        )
    };
    let h = parse_bytes(&header(MAX_NDIM)).unwrap();
    assert_eq!(h.shape, vec![1; 64]);
    let (k, msg) = kind_of(&header(MAX_NDIM + 1));
    assert_eq!(k, ErrorKind::Format);
    assert_eq!(msg, "shape has 65 dimensions; numpy allows at most 64");
    // A top-level subarray's dimensions count too.
    let sub = npy(
        (1, 0),
        &format!(
            "{{'descr': ('<f4', (2,)), 'fortran_order': False, 'shape': ({})}}",
            "1,".repeat(MAX_NDIM)
        ),
    );
    assert_eq!(
        kind_of(&sub).1,
        "shape has 65 dimensions; numpy allows at most 64"
    );
}
