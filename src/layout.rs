//! Shapes, strides, memory order, contiguity, alignment and the byte extent of a view.
//! All arithmetic is checked: a size that does not fit is an error, never a wrap.

use crate::error::{MmError, Result};

/// The most dimensions an array may have: numpy's limit (NPY_MAXDIMS).
pub const MAX_NDIM: usize = 64;

/// Memory order of a freshly opened array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    C,
    F,
}

impl Order {
    /// numpy's order argument as one character: 'C'/'c', 'F'/'f'; 'A', 'K' and 0 mean C.
    pub fn from_char(c: u8) -> Result<Order> {
        match c {
            b'C' | b'c' | b'A' | b'a' | b'K' | b'k' | 0 => Ok(Order::C),
            b'F' | b'f' => Ok(Order::F),
            other => Err(MmError::invalid(format!(
                "order must be one of 'C', 'F', 'A' or 'K' (got {})",
                describe_char(other)
            ))),
        }
    }
}

fn describe_char(c: u8) -> String {
    if c.is_ascii_graphic() {
        format!("'{}'", c as char)
    } else {
        format!("byte 0x{c:02x}")
    }
}

/// The number of elements of `shape` (1 for a 0-d array), or an error naming the shape.
pub fn element_count(shape: &[usize]) -> Result<usize> {
    shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| {
            MmError::invalid(format!(
                "shape {shape:?} has more elements than fit in 64 bits"
            ))
        })
}

/// `count * itemsize` as a byte count that a mapping can have (at most isize::MAX).
pub fn byte_count(count: usize, itemsize: usize, shape: &[usize]) -> Result<usize> {
    count
        .checked_mul(itemsize)
        .filter(|&n| n <= isize::MAX as usize)
        .ok_or_else(|| {
            MmError::invalid(format!(
                "shape {shape:?} with itemsize {itemsize} needs more bytes than fit in a signed 64-bit size"
            ))
        })
}

/// Strides of a contiguous array in `order`, as numpy computes them: a dimension of
/// length 0 counts as 1, so every stride stays meaningful.
pub fn contiguous_strides(shape: &[usize], itemsize: usize, order: Order) -> Result<Vec<i64>> {
    let overflow = || {
        MmError::invalid(format!(
            "strides of shape {shape:?} with itemsize {itemsize} overflow 64 bits"
        ))
    };
    let mut strides = vec![0i64; shape.len()];
    let mut step = i64::try_from(itemsize).map_err(|_| overflow())?;
    let mut visit = |i: usize| -> Result<()> {
        strides[i] = step;
        let dim = i64::try_from(shape[i].max(1)).map_err(|_| overflow())?;
        step = step.checked_mul(dim).ok_or_else(overflow)?;
        Ok(())
    };
    match order {
        Order::C => (0..shape.len()).rev().try_for_each(&mut visit)?,
        Order::F => (0..shape.len()).try_for_each(&mut visit)?,
    }
    Ok(strides)
}

/// The half-open range of bytes, relative to the first element, that the elements of a
/// view touch; `None` when the view has no element (it touches nothing).
pub fn byte_extent(shape: &[usize], strides: &[i64], itemsize: usize) -> Option<(i128, i128)> {
    if shape.contains(&0) {
        return None;
    }
    let mut lo: i128 = 0;
    let mut hi: i128 = itemsize as i128;
    for (&dim, &stride) in shape.iter().zip(strides) {
        let span = (dim as i128 - 1) * stride as i128;
        if span < 0 {
            lo += span;
        } else {
            hi += span;
        }
    }
    Some((lo, hi))
}

/// numpy's C_CONTIGUOUS rule (relaxed strides: axes of length 1 are ignored; an empty
/// array is contiguous in both orders).
pub fn is_c_contiguous(shape: &[usize], strides: &[i64], itemsize: usize) -> bool {
    is_contiguous(shape.iter().zip(strides).rev(), shape, itemsize)
}

/// numpy's F_CONTIGUOUS rule.
pub fn is_f_contiguous(shape: &[usize], strides: &[i64], itemsize: usize) -> bool {
    is_contiguous(shape.iter().zip(strides), shape, itemsize)
}

fn is_contiguous<'a>(
    axes: impl Iterator<Item = (&'a usize, &'a i64)>,
    shape: &[usize],
    itemsize: usize,
) -> bool {
    if shape.contains(&0) {
        return true;
    }
    let mut expected = itemsize as i128;
    for (&dim, &stride) in axes {
        if dim != 1 {
            if stride as i128 != expected {
                return false;
            }
            expected *= dim as i128;
        }
    }
    true
}

/// Whether `bits` is a multiple of `alignment` (any `alignment` <= 1 asks nothing): a
/// mask for a power of two (every alignment numpy makes), a division otherwise.
#[inline(always)]
fn is_multiple(bits: u64, alignment: usize) -> bool {
    let a = alignment as u64;
    if a <= 1 {
        true
    } else if a & (a - 1) == 0 {
        bits & (a - 1) == 0
    } else {
        bits % a == 0
    }
}

/// numpy's ALIGNED rule: the data address and every stride of an axis longer than 1 are
/// multiples of the dtype's alignment; an empty array is aligned.
pub fn is_aligned(address: usize, shape: &[usize], strides: &[i64], alignment: usize) -> bool {
    if alignment <= 1 || shape.contains(&0) {
        return true;
    }
    let mut bits = address as u64;
    for (&dim, &stride) in shape.iter().zip(strides) {
        if dim > 1 {
            bits |= stride as u64;
        }
    }
    is_multiple(bits, alignment)
}

/// numpy's C_CONTIGUOUS, F_CONTIGUOUS and ALIGNED flags of a view at `address`, in that
/// order. A 0-d or 1-D view (every open without a shape, every slice of one) is answered
/// directly; more dimensions go through [`is_c_contiguous`], [`is_f_contiguous`] and
/// [`is_aligned`], which the direct answers are tested against (mm_open and mm_slice
/// compute the flags of every handle they make). Inline, the general rules out of line.
#[inline]
pub fn layout_flags(
    address: usize,
    shape: &[usize],
    strides: &[i64],
    itemsize: usize,
    alignment: usize,
) -> (bool, bool, bool) {
    let aligned = |bits: u64| is_multiple(bits, alignment);
    match (shape, strides) {
        ([], []) => (true, true, aligned(address as u64)),
        ([0], [_]) => (true, true, true),
        ([1], [_]) => (true, true, aligned(address as u64)),
        ([_], [stride]) => {
            let contiguous = *stride as u64 == itemsize as u64 && *stride >= 0;
            (
                contiguous,
                contiguous,
                aligned(address as u64 | *stride as u64),
            )
        }
        _ => general_layout_flags(address, shape, strides, itemsize, alignment),
    }
}

/// [`is_c_contiguous`], [`is_f_contiguous`] and [`is_aligned`] in one pass over the axes
/// (tested against them: `layout_flags_are_the_general_rules`).
#[inline(never)]
fn general_layout_flags(
    address: usize,
    shape: &[usize],
    strides: &[i64],
    itemsize: usize,
    alignment: usize,
) -> (bool, bool, bool) {
    if shape.contains(&0) {
        return (true, true, true);
    }
    let n = shape.len().min(strides.len());
    let (mut c, mut f) = (true, true);
    let (mut c_expected, mut f_expected) = (itemsize as i128, itemsize as i128);
    let mut bits = address as u64;
    for i in 0..n {
        let (dim, stride) = (shape[i], strides[i]);
        if dim != 1 {
            f &= stride as i128 == f_expected;
            f_expected *= dim as i128;
            bits |= stride as u64;
        }
        let (dim, stride) = (shape[n - 1 - i], strides[n - 1 - i]);
        if dim != 1 {
            c &= stride as i128 == c_expected;
            c_expected *= dim as i128;
        }
    }
    (c, f, is_multiple(bits, alignment))
}

/// Python's slice.indices for a sequence of `len` elements: the first index and the
/// number of elements selected. `step` must not be 0.
pub fn slice_indices(len: usize, start: i64, stop: i64, step: i64) -> Result<(i128, usize)> {
    if step == 0 {
        return Err(MmError::invalid("slice step cannot be zero"));
    }
    let len = len as i128;
    let (start, stop, step) = (start as i128, stop as i128, step as i128);
    // Negative indices count from the end; out-of-range bounds clamp to the ends,
    // which differ for positive and negative steps.
    let (low, high) = if step > 0 { (0, len) } else { (-1, len - 1) };
    let clamp = |i: i128| {
        let i = if i < 0 { i + len } else { i };
        i.clamp(low, high)
    };
    let (first, last) = (clamp(start), clamp(stop));
    // The distance between two clamped indices is below 2^64 (both lie in -1..=len):
    // divided in 64 bits, which is cheaper than 128 (mm_slice is a hot path).
    let span = if step > 0 { last - first } else { first - last };
    let count = if span > 0 {
        (span as u64 - 1) / step.unsigned_abs() as u64 + 1
    } else {
        0
    };
    Ok((first, count as usize))
}

/// [`slice_indices`] in 64-bit arithmetic for `step != 0`: the first index and the
/// number of elements selected, the first index 0 when none is (mm_slice's hot path;
/// tested against `slice_indices`).
#[inline]
pub fn slice_span(len: usize, start: i64, stop: i64, step: i64) -> (usize, usize) {
    debug_assert!(step != 0);
    let len = len as u64;
    let (first, count) = if step > 0 {
        // Indices clamped to 0..=len.
        let clamp = |i: i64| {
            if i < 0 {
                len.saturating_sub(i.unsigned_abs())
            } else {
                (i as u64).min(len)
            }
        };
        let (a, b) = (clamp(start), clamp(stop));
        // a < b <= len: the first index a and the last, a + (count - 1) * step, which is
        // at most a + (b - a - 1) = b - 1, lie on the axis (no overflow either).
        if b > a {
            // Step 1 (the common slice) needs no division.
            let count = if step == 1 {
                b - a
            } else {
                (b - a - 1) / step as u64 + 1
            };
            (a, count)
        } else {
            (0, 0)
        }
    } else {
        // Indices plus one, clamped to 0..=len (0 stands for index -1), so that they
        // stay unsigned.
        let clamp = |i: i64| {
            if i < 0 {
                let k = i.unsigned_abs();
                if k <= len {
                    len - k + 1
                } else {
                    0
                }
            } else {
                (i as u64 + 1).min(len)
            }
        };
        let (a, b) = (clamp(start), clamp(stop));
        // b < a <= len: the first index a - 1 and the last, a - 1 - (count - 1) * |step|,
        // which is at least a - 1 - (a - b - 1) = b >= 0, lie on the axis.
        if a > b {
            let count = if step == -1 {
                a - b
            } else {
                (a - b - 1) / step.unsigned_abs() + 1
            };
            (a - 1, count)
        } else {
            (0, 0)
        }
    };
    (first as usize, count as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The mask of a power of two answers what the division does; other alignments
    /// (none numpy makes) still divide, and 0 and 1 ask nothing.
    #[test]
    fn is_multiple_is_the_division() {
        for alignment in 0usize..=33 {
            for bits in (0u64..200).chain([u64::MAX - 1, u64::MAX, 1 << 63]) {
                let want = alignment <= 1 || bits % alignment as u64 == 0;
                assert_eq!(is_multiple(bits, alignment), want, "{bits} {alignment}");
            }
        }
    }

    #[test]
    fn order_chars() {
        assert_eq!(Order::from_char(b'F').unwrap(), Order::F);
        assert_eq!(Order::from_char(b'f').unwrap(), Order::F);
        for c in [b'C', b'c', b'A', b'a', b'K', b'k', 0] {
            assert_eq!(Order::from_char(c).unwrap(), Order::C);
        }
        let err = Order::from_char(b'X').unwrap_err();
        assert!(err.message.contains("'X'"), "{}", err.message);
    }

    #[test]
    fn strides_like_numpy() {
        assert_eq!(
            contiguous_strides(&[3, 4], 8, Order::C).unwrap(),
            vec![32, 8]
        );
        assert_eq!(
            contiguous_strides(&[3, 4], 8, Order::F).unwrap(),
            vec![8, 24]
        );
        assert_eq!(
            contiguous_strides(&[0, 4], 8, Order::C).unwrap(),
            vec![32, 8]
        );
        assert_eq!(
            contiguous_strides(&[3, 0], 8, Order::C).unwrap(),
            vec![8, 8]
        );
        assert_eq!(
            contiguous_strides(&[2, 3, 4], 2, Order::F).unwrap(),
            vec![2, 4, 12]
        );
        assert!(contiguous_strides(&[], 8, Order::C).unwrap().is_empty());
        assert!(contiguous_strides(&[1 << 40, 1 << 40], 8, Order::C).is_err());
    }

    #[test]
    fn counts_are_checked() {
        assert_eq!(element_count(&[]).unwrap(), 1);
        assert_eq!(element_count(&[3, 0, 5]).unwrap(), 0);
        assert!(element_count(&[1 << 40, 1 << 40]).is_err());
        assert!(byte_count(1 << 62, 4, &[1 << 62]).is_err());
        assert_eq!(byte_count(10, 8, &[10]).unwrap(), 80);
    }

    #[test]
    fn layout_flags_of_0d_and_1d_views_are_the_general_rules() {
        let mut checked = 0;
        for address in [0usize, 1, 2, 4, 8, 12, 4096 + 4] {
            for itemsize in [1usize, 2, 4, 8, 16] {
                for alignment in [1usize, 2, 4, 8, 16] {
                    let general = |shape: &[usize], strides: &[i64]| {
                        (
                            is_c_contiguous(shape, strides, itemsize),
                            is_f_contiguous(shape, strides, itemsize),
                            is_aligned(address, shape, strides, alignment),
                        )
                    };
                    let got = layout_flags(address, &[], &[], itemsize, alignment);
                    assert_eq!(got, general(&[], &[]), "0-d at {address}");
                    checked += 1;
                    for n in [0usize, 1, 2, 3, 1000] {
                        for stride in [-16i64, -8, -1, 0, 1, 2, 4, 6, 8, 12, 16, i64::MIN, i64::MAX]
                        {
                            let got = layout_flags(address, &[n], &[stride], itemsize, alignment);
                            let want = general(&[n], &[stride]);
                            assert_eq!(got, want, "n {n} stride {stride} itemsize {itemsize} alignment {alignment} at {address}");
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 7 * 5 * 5 * (1 + 5 * 13));
        // A 2-D view takes the general rules: C but not F contiguous, aligned.
        assert_eq!(
            layout_flags(8, &[2, 3], &[24, 8], 8, 8),
            (true, false, true)
        );
        assert_eq!(
            layout_flags(8, &[2, 3], &[8, 16], 8, 8),
            (false, true, true)
        );
        assert_eq!(
            layout_flags(4, &[2, 3], &[24, 8], 8, 8),
            (true, false, false)
        );
    }

    /// The one-pass rules of views of 2 or more dimensions against the three rules.
    #[test]
    fn layout_flags_are_the_general_rules() {
        let dims = [0usize, 1, 2, 3];
        let strides = [-24i64, -8, 0, 4, 8, 16, 24, 48, 72, i64::MIN, i64::MAX];
        let mut checked = 0;
        let mut seen = std::collections::HashSet::new();
        for ndim in 2..=3 {
            let combos = (dims.len() * strides.len()).pow(ndim as u32);
            for k in 0..combos {
                let (mut shape, mut st, mut k) = (vec![], vec![], k);
                for _ in 0..ndim {
                    shape.push(dims[k % dims.len()]);
                    k /= dims.len();
                    st.push(strides[k % strides.len()]);
                    k /= strides.len();
                }
                for (itemsize, alignment, address) in [
                    (8, 8, 0),
                    (8, 8, 4),
                    (8, 4, 4),
                    (4, 4, 8),
                    (2, 1, 3),
                    (16, 16, 8),
                ] {
                    let want = (
                        is_c_contiguous(&shape, &st, itemsize),
                        is_f_contiguous(&shape, &st, itemsize),
                        is_aligned(address, &shape, &st, alignment),
                    );
                    let got = layout_flags(address, &shape, &st, itemsize, alignment);
                    assert_eq!(
                        got, want,
                        "{shape:?} {st:?} itemsize {itemsize} alignment {alignment} at {address}"
                    );
                    seen.insert(got);
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 6 * (44usize.pow(2) + 44usize.pow(3)));
        // Every combination of the three flags comes up.
        assert_eq!(seen.len(), 8, "{seen:?}");
    }

    #[test]
    fn extent_and_flags() {
        assert_eq!(byte_extent(&[3, 4], &[32, 8], 8), Some((0, 96)));
        assert_eq!(byte_extent(&[3], &[-8], 8), Some((-16, 8)));
        assert_eq!(byte_extent(&[3, 0], &[8, 8], 8), None);
        assert!(is_c_contiguous(&[3, 4], &[32, 8], 8));
        assert!(!is_f_contiguous(&[3, 4], &[32, 8], 8));
        assert!(is_c_contiguous(&[1, 4], &[999, 8], 8));
        assert!(is_f_contiguous(&[1, 4], &[999, 8], 8));
        assert!(is_c_contiguous(&[0, 4], &[5, 7], 8));
        assert!(is_aligned(16, &[3], &[8], 8));
        assert!(!is_aligned(17, &[3], &[8], 8));
        assert!(is_aligned(16, &[1], &[3], 8));
        assert!(!is_aligned(16, &[2], &[12], 8));
    }

    #[test]
    fn slices_like_python() {
        // (len, start, stop, step) -> (first, count), checked against Python's slice.indices
        let cases: &[(usize, i64, i64, i64, i128, usize)] = &[
            (10, 0, 10, 1, 0, 10),
            (10, 2, 8, 3, 2, 2),
            (10, -3, i64::MAX, 1, 7, 3),
            (10, i64::MIN, i64::MAX, 1, 0, 10),
            (10, i64::MAX, i64::MIN, -1, 9, 10),
            (10, 8, 2, -2, 8, 3),
            (10, 5, 5, 1, 5, 0),
            (10, 20, 30, 1, 10, 0),
            (10, -20, 3, 1, 0, 3),
            (10, 3, -20, -1, 3, 4),
            (0, i64::MIN, i64::MAX, 1, 0, 0),
            (0, i64::MAX, i64::MIN, -1, -1, 0),
            (5, 1, 4, i64::MAX, 1, 1),
            (5, 4, 0, i64::MIN, 4, 1),
            // Lengths past i64::MAX: the distance is still below 2^64.
            (usize::MAX, 0, i64::MAX, 1, 0, i64::MAX as usize),
            (usize::MAX, -1, i64::MIN, -1, (1 << 64) - 2, (1 << 63) - 1),
            (usize::MAX, -1, i64::MIN, i64::MIN, (1 << 64) - 2, 1),
        ];
        for &(len, start, stop, step, first, count) in cases {
            assert_eq!(
                slice_indices(len, start, stop, step).unwrap(),
                (first, count),
                "{len} {start}:{stop}:{step}"
            );
        }
        assert!(slice_indices(3, 0, 3, 0).is_err());
    }

    /// The 64-bit fast path against the general one: the same count, and the same first
    /// index whenever an element is selected (its first and last index then on the
    /// axis), around every clamping edge.
    #[test]
    fn slice_span_is_slice_indices() {
        let big = [
            i64::MAX as usize - 1,
            i64::MAX as usize,
            i64::MAX as usize + 1,
            i64::MAX as usize + 2,
            usize::MAX - 1,
            usize::MAX,
        ];
        let mut checked = 0;
        for len in (0..12).chain(big) {
            let edges = [len as i64, (len as i64).wrapping_neg()];
            let mut bounds = vec![i64::MIN, i64::MIN + 1, i64::MAX - 1, i64::MAX];
            for e in edges {
                for d in -2..=2 {
                    bounds.push(e.wrapping_add(d));
                }
            }
            bounds.extend(-13..=13);
            for &start in &bounds {
                for &stop in &bounds {
                    for step in [1, 2, 3, 7, i64::MAX, -1, -2, -3, -7, i64::MIN + 1, i64::MIN] {
                        let (first, count) = slice_indices(len, start, stop, step).unwrap();
                        let fast = slice_span(len, start, stop, step);
                        assert_eq!(fast.1, count, "{len} {start}:{stop}:{step}");
                        if count > 0 {
                            assert_eq!(fast.0 as i128, first, "{len} {start}:{stop}:{step}");
                            // First and last index on the axis (what slice_fast relies on
                            // without checking).
                            let last = first + (count as i128 - 1) * step as i128;
                            assert!(
                                first < len as i128 && (0..len as i128).contains(&last),
                                "{len} {start}:{stop}:{step}: {first}..{last}"
                            );
                        } else {
                            assert_eq!(fast.0, 0, "{len} {start}:{stop}:{step}");
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 200_000, "{checked}");
    }
}
