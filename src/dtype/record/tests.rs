//! Unit tests of record dtypes: descr lists and comma forms against numpy's answers, and
//! the descr lists refused.

use super::*;

fn parse(text: &str) -> DType {
    DType::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

#[test]
fn descr_lists_round_trip_like_numpy() {
    // (input, numpy's str(dtype.descr), itemsize)
    let cases = [
        (
            "[('x', '<f4'), ('', '|V4'), ('y', '<i8', (3,))]",
            "[('x', '<f4'), ('', '|V4'), ('y', '<i8', (3,))]",
            32,
        ),
        (
            "[('f0','|i1'),('','|V3'),('f1','<i4'),('f2','|i1'),('','|V3')]",
            "[('f0', '|i1'), ('', '|V3'), ('f1', '<i4'), ('f2', '|i1'), ('', '|V3')]",
            12,
        ),
        (
            "[('a','<i4'),('b',[('c','>f8'),('d','u1',(2,))])]",
            "[('a', '<i4'), ('b', [('c', '>f8'), ('d', '|u1', (2,))])]",
            14,
        ),
        (
            "[(('t','a'),'<i4'),('b','<i4',3), ('c','<i4',()), ('d', '<i4', (2,0))]",
            "[(('t', 'a'), '<i4'), ('b', '<i4', (3,)), ('c', '<i4'), ('d', '<i4', (2, 0))]",
            20,
        ),
        ("[('', '|V4'), ('', '|V4')]", "[('', '|V8')]", 8),
        ("[]", "[]", 0),
        ("[('', '<i4')]", "[('', '<i4')]", 4),
        ("[(\"it's\", '<i4')]", "[(\"it's\", '<i4')]", 4),
        ("[('\u{4e2d}', '<U3')]", "[('\u{4e2d}', '<U3')]", 12),
    ];
    for (text, want, itemsize) in cases {
        let d = parse(text);
        assert_eq!(d.typestr(), want, "{text}");
        assert_eq!(d.itemsize(), itemsize, "{text}");
        assert_eq!(d.kind(), 'V');
        assert_eq!(d.alignment(), 1);
        assert_eq!(parse(d.typestr()), d, "{text}");
    }
    let d = parse("[('x', '<f4'), ('', '|V4'), ('y', '<i8', (3,))]");
    let f = d.fields().unwrap();
    assert_eq!(f.len(), 2);
    assert_eq!(
        (f[1].name.as_str(), f[1].offset, f[1].shape.as_slice()),
        ("y", 8, &[3][..])
    );
    assert!(d.is_native() == cfg!(target_endian = "little"));
    assert!(!parse("[('a', '>i4')]").is_native() || cfg!(target_endian = "big"));
}

#[test]
fn comma_forms_like_numpy() {
    let cases = [
        (
            "i4, (2,3)f8,S3",
            "[('f0', '<i4'), ('f1', '<f8', (2, 3)), ('f2', '|S3')]",
        ),
        ("i4,", "[('f0', '<i4')]"),
        ("<i4,>f8", "[('f0', '<i4'), ('f1', '>f8')]"),
        ("2i4,f8", "[('f0', '<i4', (2,)), ('f1', '<f8')]"),
        ("(2)i4,f8", "[('f0', '<i4', (2,)), ('f1', '<f8')]"),
        ("f8,f8,f8", "[('f0', '<f8'), ('f1', '<f8'), ('f2', '<f8')]"),
        ("M8[ns],float32", "[('f0', '<M8[ns]'), ('f1', '<f4')]"),
    ];
    if cfg!(target_endian = "little") {
        for (text, want) in cases {
            assert_eq!(parse(text).typestr(), want, "{text}");
        }
    }
    for text in [
        ",",
        "i4,,f8",
        " i4,f8",
        "i4,zz",
        "<i4,O",
        "i4,(2",
        "(-1)i4,f8",
    ] {
        assert!(DType::parse(text).is_err(), "{text:?}");
    }
    assert_eq!(
        DType::parse("i4,O").unwrap_err().kind,
        ErrorKind::Unsupported
    );
    assert_eq!(
        DType::parse("[('a','O')]").unwrap_err().kind,
        ErrorKind::Unsupported
    );
}

#[test]
fn descr_rejections() {
    for text in [
        "[('a','<i4'),('a','<i4')]",
        "[(('a','a'),'<i4')]",
        "[('a','<i4', -1)]",
        "[('a',)]",
        "[('a','<i4',(2,),1)]",
        "[(1,'<i4')]",
        "[['a','<i4']]",
        "[('a','zz')]",
        "[('a','<i4')",
        "('<i4', (2,))",
        "[('a', '<i4', (2.0,))]",
    ] {
        assert_eq!(
            DType::parse(text).unwrap_err().kind,
            ErrorKind::InvalidArg,
            "{text}"
        );
    }
}
