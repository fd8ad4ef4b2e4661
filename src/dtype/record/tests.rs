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

/// numpy's `dtype.isnative` of records (numpy 2.4.6's answers, little-endian machine):
/// plain fields and nested records count, a subarray field is native whatever its
/// element type (numpy never looks into a subarray's base), `|` types are native.
#[test]
#[cfg(target_endian = "little")]
fn record_isnative_is_numpys() {
    let cases = [
        ("[('x', '<f4'), ('y', '>i8', (2,))]", true),
        ("[('y', '>i8', (2,))]", true),
        ("[('y', '>f8', (2, 2))]", true),
        ("[('y', '>U2', (3,))]", true),
        ("[('y', '>S2', (2,))]", true),
        ("[('y', [('a', '>i4')], (2,))]", true),
        ("[('y', [('a', '>i4')])]", false),
        ("[('y', [('a', '<i4'), ('b', '>i2', (3,))])]", true),
        ("[('y', [('a', '<i4'), ('b', '>i2')])]", false),
        ("[('y', [('z', [('a', '>i2')])])]", false),
        (
            "[('a', '|u1'), ('b', '|S3'), ('c', '|b1'), ('d', '|V2')]",
            true,
        ),
        ("[('a', '>U2')]", false),
        ("[('a', '<U2')]", true),
        ("[('a', '>M8[s]')]", false),
        ("[('a', '<m8[s]'), ('b', '>i1')]", true),
        ("[('x', '<f4'), ('y', '>i8')]", false),
    ];
    for (text, native) in cases {
        assert_eq!(parse(text).is_native(), native, "isnative of {text}");
    }
}

/// numpy keeps nested subarray levels apart in its descr; the typestr is numpy's
/// `str(dtype.descr)` for every nested dtype of numpy's test_format.py.
#[test]
fn nested_subarrays_keep_numpy_descr() {
    // (input, numpy's str(dtype.descr), itemsize, first field's shape and nesting)
    type Case = (
        &'static str,
        &'static str,
        usize,
        &'static [usize],
        &'static [usize],
    );
    let cases: [Case; 8] = [
        (
            "[('c', ('<f8', (5,)), (2,))]",
            "[('c', ('<f8', (5,)), (2,))]",
            80,
            &[2, 5],
            &[1, 1],
        ),
        (
            "[('x', ([('a', '|i1'), ('', '|V3'), ('b', '|i1'), ('', '|V3')], (3,)), (4,))]",
            "[('x', ([('a', '|i1'), ('', '|V3'), ('b', '|i1'), ('', '|V3')], (3,)), (4,))]",
            96,
            &[4, 3],
            &[1, 1],
        ),
        (
            "[('a', (([('a', '<i8'), ('b', [('a', '|i1'), ('', '|V3'), ('b', '|i1'), ('', '|V3')])], (3,)), (4,)), (5,))]",
            "[('a', (([('a', '<i8'), ('b', [('a', '|i1'), ('', '|V3'), ('b', '|i1'), ('', '|V3')])], (3,)), (4,)), (5,))]",
            960,
            &[5, 4, 3],
            &[1, 1, 1],
        ),
        (
            "[('a', ('>i4', (2, 3)), (4,)), ('b', '|u1')]",
            "[('a', ('>i4', (2, 3)), (4,)), ('b', '|u1')]",
            97,
            &[4, 2, 3],
            &[1, 2],
        ),
        (
            "[('a', ('<i2', (2,)), (3, 4))]",
            "[('a', ('<i2', (2,)), (3, 4))]",
            48,
            &[3, 4, 2],
            &[2, 1],
        ),
        // `()` levels vanish, as numpy.dtype((x, ())) is x.
        ("[('a', ('<i4', ()), (2,))]", "[('a', '<i4', (2,))]", 8, &[2], &[]),
        ("[('a', ('<i4', (2,)), ())]", "[('a', '<i4', (2,))]", 8, &[2], &[]),
        // Nested inside a record that is itself a subarray field.
        (
            "[('r', [('c', ('<f8', (5,)), (2,))], (3,))]",
            "[('r', [('c', ('<f8', (5,)), (2,))], (3,))]",
            240,
            &[3],
            &[],
        ),
    ];
    for (text, want, itemsize, shape, nesting) in cases {
        let d = parse(text);
        assert_eq!(d.typestr(), want, "{text}");
        assert_eq!(d.itemsize(), itemsize, "{text}");
        let f = &d.fields().unwrap()[0];
        assert_eq!(f.shape, shape, "{text}");
        assert_eq!(f.nesting, nesting, "{text}");
        assert_eq!(
            f.size(),
            itemsize - if text.contains("'|u1'") { 1 } else { 0 }
        );
        // The text numpy writes reads back as the same dtype.
        assert_eq!(parse(d.typestr()), d, "{text}");
    }
    // Nested and flat are different dtypes in numpy (different descr).
    let nested = parse("[('c', ('<f8', (5,)), (2,))]");
    let flat = parse("[('c', '<f8', (2, 5))]");
    assert_ne!(nested, flat);
    assert_eq!(flat.typestr(), "[('c', '<f8', (2, 5))]");
    assert_eq!(
        flat.fields().unwrap()[0].shape,
        nested.fields().unwrap()[0].shape
    );
    // A top-level subarray of a subarray becomes array dimensions, all levels.
    let value = pyliteral::parse("(('<i4', (5,)), (2,))", Default::default()).unwrap();
    let (dtype, shape) = DType::from_descr(&value).unwrap();
    assert_eq!((dtype.typestr(), shape), ("<i4", vec![2, 5]));
}

#[test]
fn record_refuses_a_nesting_that_does_not_split_the_shape() {
    let field = |shape: Vec<usize>, nesting: Vec<usize>| Field {
        name: "a".into(),
        title: None,
        dtype: parse("<i4"),
        offset: 0,
        shape,
        nesting,
    };
    for (shape, nesting) in [
        (vec![2, 5], vec![2]),
        (vec![2, 5], vec![1, 2]),
        (vec![2, 5], vec![2, 0]),
        (vec![], vec![0, 0]),
    ] {
        let e = DType::record(vec![field(shape.clone(), nesting.clone())], 40).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidArg, "{shape:?} {nesting:?}");
    }
    let d = DType::record(vec![field(vec![2, 5], vec![1, 1])], 40).unwrap();
    assert_eq!(d.typestr(), "[('a', ('<i4', (5,)), (2,))]");
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

/// np.load reads a descr through descr_to_dtype, which unpacks each entry as any
/// Python iterable: lists stand for tuples there, and an unnamed subarray is padding.
/// Each case was read by numpy 2.4's np.load with the result on the right.
#[test]
fn descr_entries_unpack_like_np_load() {
    let cases = [
        (
            "[['a', '<i4'], ['b', '<i2', [2]]]",
            "[('a', '<i4'), ('b', '<i2', (2,))]",
            8,
        ),
        (
            "[('a', '<i4'), ['b', '<i2', (2,)]]",
            "[('a', '<i4'), ('b', '<i2', (2,))]",
            8,
        ),
        ("[['a', '<i4', 2]]", "[('a', '<i4', (2,))]", 8),
        ("[('a', '<i4', [2, 3])]", "[('a', '<i4', (2, 3))]", 24),
        (
            "[('b', ('<f8', [5]), [2])]",
            "[('b', ('<f8', (5,)), (2,))]",
            80,
        ),
        ("[('a', [['b', '<i4']])]", "[('a', [('b', '<i4')])]", 4),
        // A str entry unpacks into its characters, a dict into its keys.
        ("['ab']", "[('a', '|i1')]", 1),
        ("[{'a': 1, '<i4': 2}]", "[('a', '<i4')]", 4),
        // A (descr, shape) tuple ignores items past the second.
        ("[('a', ('<i4', (2,), 7))]", "[('a', '<i4', (2,))]", 8),
        // numpy's subarray dtypes are void: unnamed ones are padding.
        ("[('', '<f8', (2,))]", "[('', '|V16')]", 16),
        ("[('', ('<f8', (2,)))]", "[('', '|V16')]", 16),
        ("[('', [('b', '<i4')], (2,))]", "[('', '|V8')]", 8),
        ("[('', '|V4', ())]", "[('', '|V4')]", 4),
        ("[('', [])]", "[('', [])]", 0),
        (
            "[('', '<i4', (1,)), ('a', '<i4')]",
            "[('', '|V4'), ('a', '<i4')]",
            8,
        ),
    ];
    for (text, want, itemsize) in cases {
        let d = parse(text);
        assert_eq!((d.typestr(), d.itemsize()), (want, itemsize), "{text}");
    }
    // np.load refuses these too.
    for text in [
        "[[['t', 'a'], '<i4']]",
        "[(['t', 'a'], '<i4')]",
        "[('b', ['<f8', [5]], [2])]",
        "['ab4']",
        "[('a', '<i4', [])]",
        "[('a', '<i4', [[2]])]",
        "[('a', '<i4', (2,), 5)]",
        "[(('t', 'a', 'x'), '<i4')]",
        "[('a', ('<i4',))]",
        "[5]",
    ] {
        assert_eq!(
            DType::parse(text).unwrap_err().kind,
            ErrorKind::InvalidArg,
            "{text}"
        );
    }
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
