//! mm_view's bounds arithmetic against a reference model that enumerates the bytes a
//! view reaches. Random dtype size, byte offset (relative to a random base view), shape
//! and strides over a small mapped file: View::view must succeed exactly when every
//! element's bytes lie inside the array region (and no other rule refuses it), the data
//! pointer must land at the modelled position, and the guarded-copy extent must end at
//! the highest byte reached.
#![no_main]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use mmarray::layout::Order;
use mmarray::{DType, ErrorKind, Mode, OpenSpec, View};

/// Bytes in the array region of the test file.
const LEN: usize = 96;
/// The array starts this far into the file (an odd offset, as numpy allows).
const OFFSET: u64 = 7;

fn base() -> &'static View {
    static BASE: OnceLock<View> = OnceLock::new();
    BASE.get_or_init(|| {
        let path: PathBuf = std::env::temp_dir().join(format!("mmarray-fuzz-view-{}.bin", std::process::id()));
        std::fs::write(&path, vec![0u8; OFFSET as usize + LEN]).unwrap();
        let spec = OpenSpec {
            dtype: DType::u1(),
            mode: Mode::ReadOnly,
            offset: OFFSET,
            shape: Some(vec![LEN]),
            order: Order::C,
        };
        let v = View::open(&path, &spec).unwrap();
        let _ = std::fs::remove_file(&path);
        v
    })
}

#[derive(Arbitrary, Debug)]
struct Input {
    /// Start the view from a sub-view of the base at this position (0..LEN).
    parent_at: u8,
    itemsize: u8,
    byte_offset: i64,
    dims: Vec<(u64, i64)>,
    default_strides: bool,
    small: bool,
}

/// Shrinks arbitrary numbers towards interesting ranges half of the time.
fn shape_of(input: &Input) -> (Vec<usize>, Vec<i64>) {
    let mut shape = Vec::new();
    let mut strides = Vec::new();
    for &(d, s) in input.dims.iter().take(6) {
        if input.small {
            shape.push((d % 9) as usize);
            strides.push(s % 40);
        } else {
            shape.push(d as usize);
            strides.push(s);
        }
    }
    (shape, strides)
}

/// The model: Some(lowest position, highest byte end) of the reached bytes when every
/// element lies in 0..LEN, None when one does not, Some(None) for an empty view.
enum Model {
    Empty,
    In { first: i128, hi: i128 },
    Out,
}

fn model(start: i128, shape: &[usize], strides: &[i64], itemsize: i128) -> Model {
    if shape.contains(&0) {
        return Model::Empty;
    }
    let fits = |p: i128| p >= 0 && p + itemsize <= LEN as i128;
    let mut reached: BTreeSet<i128> = BTreeSet::from([start]);
    if !fits(start) {
        return Model::Out;
    }
    for (&dim, &stride) in shape.iter().zip(strides) {
        if dim == 1 || stride == 0 {
            continue;
        }
        // dim positions 0, stride, 2*stride ... span (dim-1)*|stride| >= dim-1 bytes;
        // more than LEN of them cannot all fit.
        if dim > LEN + 1 {
            return Model::Out;
        }
        let mut next = BTreeSet::new();
        for &p in &reached {
            for i in 0..dim as i128 {
                let q = p + i * stride as i128;
                if !fits(q) {
                    return Model::Out;
                }
                next.insert(q);
            }
        }
        reached = next;
    }
    let hi = reached.iter().map(|p| p + itemsize).max().unwrap();
    Model::In { first: start, hi }
}

fuzz_target!(|input: Input| {
    let base = base();
    let parent_at = (input.parent_at as usize % LEN) as i64;
    let parent = base
        .view(None, parent_at, &[LEN - parent_at as usize], None)
        .unwrap();
    let itemsize = input.itemsize as usize % 17;
    let dtype = DType::parse(&format!("V{itemsize}")).unwrap();
    let (shape, strides) = shape_of(&input);
    let given = if input.default_strides { None } else { Some(&strides[..]) };

    let result = parent.view(Some(dtype), input.byte_offset, &shape, given);

    // Rules other than reach, as the C contract states them.
    let count = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    let nbytes = count.and_then(|c| c.checked_mul(itemsize)).filter(|&n| n <= isize::MAX as usize);
    let strides_used: Option<Vec<i64>> = match given {
        Some(s) => Some(s.to_vec()),
        None => {
            // C-contiguous, zero-length dims counting as 1, checked in i64.
            let mut out = vec![0i64; shape.len()];
            let mut step = Some(itemsize as i64);
            for i in (0..shape.len()).rev() {
                out[i] = step.unwrap_or(0);
                step = step.and_then(|s| i64::try_from(shape[i].max(1)).ok().and_then(|d| s.checked_mul(d)));
            }
            step.map(|_| out)
        }
    };
    let start = parent_at as i128 + input.byte_offset as i128;
    let overlap = strides_used.as_ref().is_some_and(|st| {
        shape.iter().zip(st).any(|(&d, &s)| d > 1 && s != 0 && (s.unsigned_abs() as u128) < itemsize as u128)
    });
    let invalid = nbytes.is_none() || strides_used.is_none() || overlap || i64::try_from(start).is_err();
    if invalid {
        let err = result.expect_err("an invalid view was accepted");
        assert_eq!(err.kind, ErrorKind::InvalidArg, "{err:?} for {input:?}");
        return;
    }
    let strides_used = strides_used.unwrap();
    match model(start, &shape, &strides_used, itemsize as i128) {
        Model::Out => {
            let err = result.expect_err("a view reaching outside was accepted");
            assert_eq!(err.kind, ErrorKind::OutOfBounds, "{err:?} for {input:?}");
        }
        Model::Empty => {
            let v = result.unwrap_or_else(|e| panic!("empty view refused: {e:?} for {input:?}"));
            assert_eq!(mmarray::guarded::extent_end(&v), 0);
        }
        Model::In { first, hi } => {
            let v = result.unwrap_or_else(|e| panic!("in-bounds view refused: {e:?} for {input:?}"));
            assert_eq!(v.data_ptr() as i128 - base.data_ptr() as i128, first);
            assert_eq!(mmarray::guarded::extent_end(&v) as i128, (hi - first).max(0));
            assert_eq!(v.strides(), &strides_used[..]);
        }
    }
});
