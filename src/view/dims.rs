//! How a view keeps its shape and strides: [`Dims`], the words of both in one block
//! (inline for a 0-d or 1-D view), and the ways a view's dims are made.

use crate::error::Result;
use crate::layout;

/// What `View::dims` holds: no words (a 0-d view), two words inline (a 1-D view), or
/// the words in one heap block. Reads as the slice of its words. No length byte for
/// the inline cases: a 1-D view's dims are its tag and two words, which a new slice
/// writes and moves as such (mm_slice cost).
#[derive(Clone)]
pub(super) enum Dims {
    Empty,
    Pair([usize; 2]),
    Heap(Box<[usize]>),
}

impl Dims {
    /// `len` zero words.
    pub(super) fn zeroed(len: usize) -> Dims {
        if len == 0 {
            Dims::Empty
        } else if len == 2 {
            Dims::Pair([0; 2])
        } else {
            // malloc, then zeroes: cheaper than a calloc, which glibc serves without its
            // per-thread cache (about 100 instructions more per view of 2 or more
            // dimensions, callgrind). black_box hides the fresh allocation from LLVM,
            // which otherwise turns the allocation and the zero fill into that calloc.
            let layout = std::alloc::Layout::array::<usize>(len).expect("dimensions fit memory");
            // SAFETY: `layout` has a non-zero size (len > 0).
            let words = std::hint::black_box(unsafe { std::alloc::alloc(layout) }.cast::<usize>());
            if words.is_null() {
                std::alloc::handle_alloc_error(layout);
            }
            for i in 0..len {
                // SAFETY: `words` holds `len` words.
                unsafe { words.add(i).write(0) };
            }
            // SAFETY: allocated by the global allocator with the layout of `len` words
            // (what Box<[usize]> frees it with), every word written.
            Dims::Heap(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(words, len)) })
        }
    }
}

impl Dims {
    /// The shape: the first half of the words.
    pub(super) fn shape(&self) -> &[usize] {
        &self[..self.len() / 2]
    }

    /// The strides: the second half of the words, as i64.
    pub(super) fn strides(&self) -> &[i64] {
        let tail = &self[self.len() / 2..];
        // SAFETY: usize and i64 have the same size and alignment, and every bit pattern
        // is valid for both; the tail holds the strides as written by pack_dims.
        unsafe { std::slice::from_raw_parts(tail.as_ptr().cast::<i64>(), tail.len()) }
    }
}

impl std::ops::Deref for Dims {
    type Target = [usize];
    #[inline]
    fn deref(&self) -> &[usize] {
        match self {
            Dims::Empty => &[],
            Dims::Pair(words) => words,
            Dims::Heap(words) => words,
        }
    }
}

impl std::ops::DerefMut for Dims {
    #[inline]
    fn deref_mut(&mut self) -> &mut [usize] {
        match self {
            Dims::Empty => &mut [],
            Dims::Pair(words) => words,
            Dims::Heap(words) => words,
        }
    }
}

impl PartialEq for Dims {
    fn eq(&self, other: &Dims) -> bool {
        **self == **other
    }
}

impl std::fmt::Debug for Dims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

// `View::strides` reads the packed strides back as i64: that needs usize to be 64 bits.
const _: () = assert!(std::mem::size_of::<usize>() == std::mem::size_of::<i64>());

/// The shape and strides of a view, packed as `View::dims` holds them.
pub(super) fn pack_dims(shape: &[usize], strides: &[i64]) -> Dims {
    debug_assert_eq!(shape.len(), strides.len());
    let n = shape.len();
    let mut dims = Dims::zeroed(2 * n);
    dims[..n].copy_from_slice(shape);
    for (to, &s) in dims[n..].iter_mut().zip(strides) {
        *to = s as usize;
    }
    dims
}

/// [`contiguous_dims`] of a 0-d or 1-D shape (every inferred shape): the words written
/// directly, the same checks (the stride is the itemsize; it and itemsize * max(d, 1)
/// must fit in 64 bits); `None` for any other shape or a failed check. Written into its
/// callers: a new view of an open makes no call for its dims.
#[inline(always)]
pub(super) fn small_contiguous_dims(shape: &[usize], itemsize: usize) -> Option<Dims> {
    match *shape {
        [] if i64::try_from(itemsize).is_ok() => Some(Dims::Empty),
        [d] if i64::try_from(itemsize)
            .ok()
            .and_then(|s| s.checked_mul(i64::try_from(d.max(1)).ok()?))
            .is_some() =>
        {
            Some(Dims::Pair([d, itemsize]))
        }
        _ => None,
    }
}

/// `pack_dims(shape, layout::contiguous_strides(shape, itemsize, order))` without the
/// strides' own vector (every mm_open makes one): at most one allocation, none for a
/// 0-d or 1-D array; its error when a stride would not fit in 64 bits.
pub(super) fn contiguous_dims(
    shape: &[usize],
    itemsize: usize,
    order: layout::Order,
) -> Result<Dims> {
    if let Some(dims) = small_contiguous_dims(shape, itemsize) {
        return Ok(dims);
    }
    let n = shape.len();
    let mut dims = Dims::zeroed(2 * n);
    dims[..n].copy_from_slice(shape);
    let mut step = i64::try_from(itemsize).ok();
    let mut visit = |i: usize| {
        if let Some(s) = step {
            dims[n + i] = s as usize;
            step = i64::try_from(shape[i].max(1))
                .ok()
                .and_then(|d| s.checked_mul(d));
        }
    };
    match order {
        layout::Order::C => (0..n).rev().for_each(&mut visit),
        layout::Order::F => (0..n).for_each(&mut visit),
    }
    if step.is_none() {
        // Overflow: layout's function words the error (and stays the one definition).
        return layout::contiguous_strides(shape, itemsize, order).map(|s| pack_dims(shape, &s));
    }
    Ok(dims)
}
