//! Reading elements out of a view, through the core's guarded copies (a file truncated
//! underneath is an error, never SIGBUS), and decoding numeric items.

use mmarray::{guarded, ByteOrder, DType, MmError, View};

/// The numeric kinds the tool computes with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Num {
    Bool,
    Int(usize),
    UInt(usize),
    /// float16, float32, float64 (itemsize 2, 4, 8).
    Float(usize),
    /// complex64, complex128 (itemsize 8, 16).
    Complex(usize),
}

/// The numeric kind of a dtype, with whether its bytes must be swapped; None for the
/// others (strings, records, datetimes, longdouble).
pub fn numeric(dtype: &DType) -> Option<(Num, bool)> {
    let size = dtype.itemsize();
    let kind = match (dtype.kind(), size) {
        ('b', 1) => Num::Bool,
        ('i', 1 | 2 | 4 | 8) => Num::Int(size),
        ('u', 1 | 2 | 4 | 8) => Num::UInt(size),
        ('f', 2 | 4 | 8) => Num::Float(size),
        ('c', 8 | 16) => Num::Complex(size),
        _ => return None,
    };
    if dtype.fields().is_some() {
        return None;
    }
    let swap =
        dtype.byte_order() != ByteOrder::NATIVE && dtype.byte_order() != ByteOrder::NotApplicable;
    Some((kind, swap))
}

fn bytes<const N: usize>(b: &[u8], swap: bool) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(&b[..N]);
    if swap {
        a.reverse();
    }
    a
}

/// An integer item (Bool, Int, UInt) as i128.
pub fn int_at(kind: Num, b: &[u8], swap: bool) -> i128 {
    match kind {
        Num::Bool => (b[0] != 0) as i128,
        Num::Int(1) => b[0] as i8 as i128,
        Num::Int(2) => i16::from_ne_bytes(bytes(b, swap)) as i128,
        Num::Int(4) => i32::from_ne_bytes(bytes(b, swap)) as i128,
        Num::Int(_) => i64::from_ne_bytes(bytes(b, swap)) as i128,
        Num::UInt(1) => b[0] as i128,
        Num::UInt(2) => u16::from_ne_bytes(bytes(b, swap)) as i128,
        Num::UInt(4) => u32::from_ne_bytes(bytes(b, swap)) as i128,
        Num::UInt(_) => u64::from_ne_bytes(bytes(b, swap)) as i128,
        _ => 0,
    }
}

/// IEEE half to f32 (exact).
pub fn half_to_f32(h: u16) -> f32 {
    let sign = ((h >> 15) as u32) << 31;
    let exp = ((h >> 10) & 0x1f) as u32;
    let frac = (h & 0x3ff) as u32;
    let bits = match (exp, frac) {
        (0, 0) => sign,
        (0, _) => {
            // Subnormal: frac * 2^-24, exact in f32.
            let v = frac as f32 * (1.0 / 16_777_216.0);
            return if sign != 0 { -v } else { v };
        }
        (0x1f, 0) => sign | 0x7f80_0000,
        (0x1f, _) => sign | 0x7fc0_0000 | (frac << 13),
        _ => sign | ((exp + 112) << 23) | (frac << 13),
    };
    f32::from_bits(bits)
}

/// A float item (Float, or one part of a Complex at byte offset 0) as f64, exactly.
pub fn float_at(size: usize, b: &[u8], swap: bool) -> f64 {
    match size {
        2 => half_to_f32(u16::from_ne_bytes(bytes(b, swap))) as f64,
        4 => f32::from_ne_bytes(bytes(b, swap)) as f64,
        _ => f64::from_ne_bytes(bytes(b, swap)),
    }
}

/// Merges axes that are contiguous with the next one (stride = next len * next stride),
/// so a C-contiguous view becomes one long row. Axes of length 1 are dropped.
pub fn collapse(shape: &[usize], strides: &[i64]) -> (Vec<usize>, Vec<i64>) {
    let mut s: Vec<usize> = Vec::new();
    let mut t: Vec<i64> = Vec::new();
    for (&n, &st) in shape.iter().zip(strides) {
        if n == 1 {
            continue;
        }
        s.push(n);
        t.push(st);
    }
    let mut k = s.len();
    while k >= 2 {
        let (a, b) = (k - 2, k - 1);
        if t[a] == t[b] * s[b] as i64 {
            s[a] *= s[b];
            t[a] = t[b];
            s.remove(b);
            t.remove(b);
        }
        k -= 1;
    }
    (s, t)
}

/// Copies `count` items of the view, the first `offset` bytes after its first element,
/// `stride` bytes apart, into `out` (replacing its contents).
pub fn gather(
    view: &View,
    offset: i64,
    stride: i64,
    count: usize,
    out: &mut Vec<u8>,
) -> Result<(), MmError> {
    let itemsize = view.itemsize();
    out.clear();
    out.resize(count * itemsize, 0);
    if count == 0 || itemsize == 0 {
        return Ok(());
    }
    let src = view.data_ptr().wrapping_offset(offset as isize);
    if stride == itemsize as i64 {
        // Contiguous items: one range, one kernel copy (gather would make an iovec of
        // each item).
        // SAFETY: as below; the `count` items from `src` are one range of the view's
        // elements, inside its mapped region, and `out` holds exactly that many bytes.
        return unsafe { guarded::read_raw(view, "read", src, out.as_mut_ptr(), count * itemsize) };
    }
    // SAFETY: callers pass offsets and strides of elements of `view` (indices inside its
    // shape), and the core checked that every element of a view lies inside its mapped
    // region; `out` holds exactly `count * itemsize` bytes of our own memory.
    unsafe {
        guarded::gather(
            view,
            "read",
            out.as_mut_ptr(),
            src,
            stride as isize,
            itemsize,
            count,
        )
    }
}

/// Copies the items of `view` at the index lists `picks` (one list per axis, each index
/// inside that axis) into one buffer, in C order of the picked sub-array.
pub fn pick(view: &View, picks: &[Vec<usize>]) -> Result<Vec<u8>, MmError> {
    let itemsize = view.itemsize();
    let total: usize = picks.iter().map(Vec::len).product();
    let mut out = Vec::with_capacity(total * itemsize);
    let mut row = Vec::new();
    let strides = view.strides().to_vec();
    if picks.is_empty() {
        gather(view, 0, 0, 1, &mut row)?;
        out.extend_from_slice(&row);
        return Ok(out);
    }
    let last = picks.len() - 1;
    let outer: Vec<usize> = picks[..last].iter().map(Vec::len).collect();
    let outer_count: usize = outer.iter().product();
    let mut idx = vec![0usize; last];
    for _ in 0..outer_count {
        let base: i64 = (0..last)
            .map(|a| picks[a][idx[a]] as i64 * strides[a])
            .sum();
        // Runs of consecutive indices along the last axis are one gather each.
        let lp = &picks[last];
        let mut i = 0;
        while i < lp.len() {
            let mut j = i + 1;
            while j < lp.len() && lp[j] == lp[j - 1] + 1 {
                j += 1;
            }
            gather(
                view,
                base + lp[i] as i64 * strides[last],
                strides[last],
                j - i,
                &mut row,
            )?;
            out.extend_from_slice(&row);
            i = j;
        }
        for a in (0..last).rev() {
            idx[a] += 1;
            if idx[a] < outer[a] {
                break;
            }
            idx[a] = 0;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_contiguous_axes() {
        assert_eq!(collapse(&[3, 4], &[32, 8]), (vec![12], vec![8]));
        assert_eq!(collapse(&[3, 4], &[8, 24]), (vec![3, 4], vec![8, 24]));
        assert_eq!(collapse(&[3, 1, 4], &[32, 99, 8]), (vec![12], vec![8]));
        assert_eq!(
            collapse(&[2, 3, 4], &[96, 16, 4]),
            (vec![2, 12], vec![96, 4])
        );
    }

    #[test]
    fn halves() {
        assert_eq!(half_to_f32(0x3c00), 1.0);
        assert_eq!(half_to_f32(0xc000), -2.0);
        assert_eq!(half_to_f32(0x0001), 5.960_464_5e-8);
        assert_eq!(half_to_f32(0x7bff), 65504.0);
        assert!(half_to_f32(0x7e00).is_nan());
        assert_eq!(half_to_f32(0xfc00), f32::NEG_INFINITY);
    }
}
