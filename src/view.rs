//! A view: one shared mapping seen through a dtype, a first-element position, a shape and
//! byte strides. Views never copy data; every view of a mapping keeps it alive.
//!
//! (Over 600 lines: the slice's hot path is split in parts mm_slice assembles, each
//! next to the general path it is tested against.)

use std::ffi::CStr;
use std::path::Path;

use crate::dtype::DType;
use crate::error::{ErrorKind, MmError, Result};
use crate::layout;
use crate::mapping::{self, Mapping, Mode, OpenSpec};
use crate::shared_count::SharedCount;

mod dims;
use dims::{contiguous_dims, pack_dims, small_contiguous_dims, Dims};

/// The properties numpy reports in `ndarray.flags` (plus the dtype's byte order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flags {
    pub writeable: bool,
    pub c_contiguous: bool,
    pub f_contiguous: bool,
    pub aligned: bool,
    pub native_order: bool,
}

/// The sliced axis of a view made by [`View::slice_axis_in`]: its length and stride.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlicedAxis {
    pub len: usize,
    pub stride: i64,
}

/// What every view of one mapping shares: the mapping, and the dtype it was opened with.
#[derive(Debug)]
struct Shared {
    mapping: Mapping,
    dtype: DType,
}

impl Drop for Shared {
    /// The mapping's name buffer goes to the process's spare (the next open of a path of
    /// a usual length takes it) before the fields are dropped.
    fn drop(&mut self) {
        self.mapping.give_back_name();
    }
}

/// An n-dimensional array over (part of) a mapping.
#[derive(Debug, Clone)]
pub struct View {
    /// Counted on the central word for the view an open made and for clones; on the
    /// making thread's shard for a view made with [`View::slice_in`] or [`View::view_in`]
    /// (src/shared_count.rs: threads that slice one view do not trade a cache line).
    shared: SharedCount<Shared>,
    /// The view's dtype when it is not the one the mapping was opened with (a view
    /// given another dtype, and the views made of it); `None` for the others, so that
    /// the common view or slice copies one reference count, not two (mm_slice cost).
    own_dtype: Option<DType>,
    /// Position of the first element relative to the start of the array region. It may lie
    /// outside the region only for a view without elements.
    start: i64,
    /// The shape, then the strides (as the bits of i64 values), in one allocation, or
    /// none for a 0-d or 1-D view: memory per view and the cost of making one are what
    /// a million views add up to.
    dims: Dims,
}

/// The spec of an open, which then gives its dtype to the view: borrowed (the dtype
/// cloned) or owned (moved in, with no reference taken and dropped again: mm_open).
pub(crate) trait SpecIn {
    /// The spec.
    fn spec(&self) -> &OpenSpec;
    /// The view's dtype, once the spec is read.
    fn into_dtype(self) -> DType;
}

impl SpecIn for &OpenSpec {
    fn spec(&self) -> &OpenSpec {
        self
    }
    fn into_dtype(self) -> DType {
        self.dtype.clone()
    }
}

impl SpecIn for OpenSpec {
    fn spec(&self) -> &OpenSpec {
        self
    }
    #[inline(always)]
    fn into_dtype(self) -> DType {
        self.dtype
    }
}

impl View {
    /// numpy.memmap(path, dtype, mode, offset, shape, order).
    pub fn open(path: &Path, spec: &OpenSpec) -> Result<View> {
        View::open_path(path, None, spec, mapping::OpenFlags::default())
    }

    /// [`View::open_with`], given the path also as the caller's NUL-terminated C string
    /// when there is one (r, r+ and c open it as it is: mm_open). The shape is the spec's
    /// or inferred in place, with no vector of its own.
    #[inline(always)]
    pub(crate) fn open_path(
        path: &Path,
        c_path: Option<&CStr>,
        spec: impl SpecIn,
        flags: mapping::OpenFlags,
    ) -> Result<View> {
        let (mapping, found) = mapping::open_path_found(path, c_path, spec.spec(), flags)?;
        let dims = View::contiguous(found.shape(spec.spec()), spec.spec())?;
        Ok(View::assembled(dims, mapping, spec.into_dtype()))
    }

    /// numpy.memmap on an already-open descriptor (borrowed, never kept; on Windows a C
    /// runtime descriptor).
    pub fn open_fd(fd: i32, spec: &OpenSpec) -> Result<View> {
        let (mapping, shape) = mapping::open_fd(fd, spec)?;
        View::over(mapping, spec, shape)
    }

    /// numpy.memmap on a Win32 file HANDLE the caller opened (borrowed, never kept or
    /// closed; memmap2 duplicates it for the mapping). Unsupported where there are no
    /// handles (POSIX).
    pub fn open_handle(handle: *mut std::ffi::c_void, spec: &OpenSpec) -> Result<View> {
        let (mapping, shape) = mapping::open_handle(handle, spec)?;
        View::over(mapping, spec, shape)
    }

    /// A view of the whole of a new mapping, contiguous in `spec.order` (`shape` a
    /// vector or a borrowed slice: the view keeps its own copy).
    pub(crate) fn over(
        mapping: Mapping,
        spec: &OpenSpec,
        shape: impl AsRef<[usize]>,
    ) -> Result<View> {
        let dims = View::contiguous(shape.as_ref(), spec)?;
        Ok(View::assembled(dims, mapping, spec.dtype.clone()))
    }

    /// The dimensions of a whole mapping of `shape`, contiguous in `spec.order`.
    #[inline(always)]
    fn contiguous(shape: &[usize], spec: &OpenSpec) -> Result<Dims> {
        let itemsize = spec.dtype.itemsize();
        match small_contiguous_dims(shape, itemsize) {
            Some(dims) => Ok(dims),
            None => contiguous_dims(shape, itemsize, spec.order),
        }
    }

    /// The view of the whole of `mapping`. Inline: the mapping goes straight into the
    /// block of its count, not through a call's argument (mm_open cost).
    #[inline(always)]
    fn assembled(dims: Dims, mapping: Mapping, dtype: DType) -> View {
        View {
            dims,
            shared: SharedCount::new(Shared { mapping, dtype }),
            own_dtype: None,
            start: 0,
        }
    }

    /// A new view of the same mapping. `byte_offset` is relative to this view's first
    /// element; `strides` of `None` means C-contiguous. Every byte an element can reach
    /// must lie inside the array region of the mapping.
    pub fn view(
        &self,
        dtype: Option<DType>,
        byte_offset: i64,
        shape: &[usize],
        strides: Option<&[i64]>,
    ) -> Result<View> {
        self.view_in(None, dtype, byte_offset, shape, strides)
    }

    /// [`View::view`], the new view counted on shard `shard` of the mapping's reference
    /// count when given (the calling thread's: `SharedCount::clone_in`).
    pub fn view_in(
        &self,
        shard: Option<usize>,
        dtype: Option<DType>,
        byte_offset: i64,
        shape: &[usize],
        strides: Option<&[i64]>,
    ) -> Result<View> {
        let own_dtype = dtype.or_else(|| self.own_dtype.clone());
        let dtype = own_dtype.as_ref().unwrap_or(&self.shared.get().dtype);
        let itemsize = dtype.itemsize();
        layout::byte_count(layout::element_count(shape)?, itemsize, shape)?;
        // Contiguous strides are made where the view keeps them (no vector of their own);
        // given ones are copied there once they have passed the checks.
        let contiguous = match strides {
            Some(_) => None,
            None => Some(contiguous_dims(shape, itemsize, layout::Order::C)?),
        };
        let strides = match &contiguous {
            Some(dims) => dims.strides(),
            None => strides.unwrap_or_default(), // given: Some
        };
        for (axis, (&dim, &stride)) in shape.iter().zip(strides).enumerate() {
            if dim > 1 && stride != 0 && stride.unsigned_abs() < itemsize as u64 {
                return Err(MmError::invalid(format!(
                    "stride {stride} of axis {axis} is smaller than itemsize {itemsize} of dtype {}: elements would overlap",
                    dtype.typestr()
                )));
            }
        }
        let start = i64::try_from(self.start as i128 + byte_offset as i128).map_err(|_| {
            MmError::invalid(format!(
                "byte offset {byte_offset} from position {} overflows 64 bits",
                self.start
            ))
        })?;
        self.check_reach(start, shape, strides, itemsize)?;
        let dims = match contiguous {
            Some(dims) => dims,
            None => pack_dims(shape, strides),
        };
        Ok(View {
            shared: self.share(shard),
            own_dtype,
            start,
            dims,
        })
    }

    /// Python slicing `[start:stop:step]` along one axis.
    #[inline]
    pub fn slice(&self, axis: usize, start: i64, stop: i64, step: i64) -> Result<View> {
        self.slice_in(None, axis, start, stop, step)
    }

    /// [`View::slice`], the new view counted on shard `shard` of the mapping's reference
    /// count when given (the calling thread's: `SharedCount::clone_in`).
    #[inline]
    pub fn slice_in(
        &self,
        shard: Option<usize>,
        axis: usize,
        start: i64,
        stop: i64,
        step: i64,
    ) -> Result<View> {
        self.slice_axis_in(shard, axis, start, stop, step)
            .map(|(view, _)| view)
    }

    /// Drops `view` where it lies, its fields inline: no call to the view's drop glue,
    /// which the compiler keeps out of line (a registry entry's drop: mm_close cost).
    ///
    /// # Safety
    /// `view` is not used (nor dropped) again.
    #[inline(always)]
    #[cfg_attr(all(test, loom), allow(dead_code))] // its caller is the C ABI's registry
    pub(crate) unsafe fn drop_inline(view: &mut std::mem::ManuallyDrop<View>) {
        // Every field named: a new one fails to compile here until it is dropped too.
        let View {
            shared,
            own_dtype,
            start: _,
            dims,
        }: &mut View = view;
        // SAFETY: each field is dropped once, and the view not used again (the
        // caller's promise).
        unsafe {
            std::ptr::drop_in_place(shared);
            std::ptr::drop_in_place(own_dtype);
            std::ptr::drop_in_place(dims);
        }
    }

    /// [`View::slice_in`], also telling the sliced axis's new length and stride: what a
    /// caller needs to derive the slice's properties from this view's without reading
    /// the new view's dimensions back (mm_slice: its summary).
    #[inline]
    pub fn slice_axis_in(
        &self,
        shard: Option<usize>,
        axis: usize,
        start: i64,
        stop: i64,
        step: i64,
    ) -> Result<(View, SlicedAxis)> {
        match self.slice_fast(shard, axis, start, stop, step) {
            Some(made) => Ok(made),
            None => self.slice_general(shard, axis, start, stop, step),
        }
    }

    /// A new reference to the mapping and dtype: on shard `shard` when given, else as
    /// this view's.
    #[inline]
    fn share(&self, shard: Option<usize>) -> SharedCount<Shared> {
        match shard {
            Some(shard) => self.shared.clone_in(shard),
            None => self.shared.clone(),
        }
    }

    /// [`View::slice`] in 64-bit arithmetic, with no error text: `None` whenever the
    /// general path must answer (a bad axis or step, an overflow, a slice that would
    /// leave the axis). mm_slice is a hot path: the general one's 128-bit arithmetic and
    /// error formatting cost about a quarter of an mm_slice + mm_close (callgrind).
    /// Tested against the general path (`slice_fast_is_slice_general`). `None` before
    /// anything is made or counted: the caller may then take the general path.
    #[inline]
    fn slice_fast(
        &self,
        shard: Option<usize>,
        axis: usize,
        start: i64,
        stop: i64,
        step: i64,
    ) -> Option<(View, SlicedAxis)> {
        let (sliced, new_start) = self.slice_parts(axis, start, stop, step)?;
        Some((self.sliced(shard, axis, sliced, new_start), sliced))
    }

    /// What [`View::slice_fast`] computes before it makes the view: the sliced axis
    /// (its new length and stride) and the new view's position ([`View::position`]).
    /// `None` as slice_fast. mm_slice makes the view from them where it stores it
    /// ([`View::sliced`]), and the summary of a 1-D slice from them alone.
    #[inline(always)]
    pub(crate) fn slice_parts(
        &self,
        axis: usize,
        start: i64,
        stop: i64,
        step: i64,
    ) -> Option<(SlicedAxis, i64)> {
        if step == 0 {
            return None;
        }
        let (len, stride) = match &self.dims {
            // A 1-D view: its two words, read without the general indexing (mm_slice
            // cost).
            Dims::Pair([len, stride]) if axis == 0 => (*len, *stride as i64),
            dims => {
                let ndim = dims.len() / 2;
                if axis >= ndim {
                    return None;
                }
                (dims[axis], dims[ndim + axis] as i64)
            }
        };
        let (first, count) = layout::slice_span(len, start, stop, step);
        // numpy: an empty slice starts at index 0 with step 1 (keeping the axis's stride).
        let (new_stride, new_start) = if count == 0 {
            (stride, self.start)
        } else {
            let new_stride = match stride.checked_mul(step) {
                Some(s) => s,
                // With one element the stride is never used; numpy lets it wrap.
                None if count == 1 => stride.wrapping_mul(step),
                None => return None,
            };
            // First and last index lie on the axis: slice_span clamps both bounds into
            // the axis and counts only the indices between them (its comment has the
            // argument; layout's slice_span_is_slice_indices checks it around every
            // clamping edge, and slice_fast_is_slice_general this path against the
            // checked one). Not checked again here (mm_slice cost).
            debug_assert!(first < len);
            let offset = i64::try_from(first).ok()?.checked_mul(stride)?;
            (new_stride, self.start.checked_add(offset)?)
        };
        let sliced = SlicedAxis {
            len: count,
            stride: new_stride,
        };
        Some((sliced, new_start))
    }

    /// The slice of this view whose axis `axis` is now `sliced` and whose position is
    /// `start`, as [`View::slice_parts`] answered them (`axis` below the number of
    /// dimensions).
    #[inline(always)]
    pub(crate) fn sliced(
        &self,
        shard: Option<usize>,
        axis: usize,
        sliced: SlicedAxis,
        start: i64,
    ) -> View {
        let dims = match &self.dims {
            Dims::Heap(words) => {
                let ndim = words.len() / 2;
                let mut words = words.clone();
                words[axis] = sliced.len;
                words[ndim + axis] = sliced.stride as usize;
                Dims::Heap(words)
            }
            // A 1-D view (axis 0; a 0-d one has no axis to slice): its two words,
            // written directly.
            _ => Dims::Pair([sliced.len, sliced.stride as usize]),
        };
        View {
            shared: self.share(shard),
            own_dtype: self.own_dtype.clone(),
            start,
            dims,
        }
    }

    /// [`View::slice`] in general: 128-bit arithmetic, every error worded. Out of line:
    /// the fast path answers every slice but those that fail or overflow 64 bits.
    #[cold]
    #[inline(never)]
    fn slice_general(
        &self,
        shard: Option<usize>,
        axis: usize,
        start: i64,
        stop: i64,
        step: i64,
    ) -> Result<(View, SlicedAxis)> {
        let ndim = self.shape().len();
        if axis >= ndim {
            return Err(MmError::invalid(format!(
                "axis {axis} is out of range for an array of {ndim} dimensions"
            )));
        }
        let (first, count) = layout::slice_indices(self.shape()[axis], start, stop, step)?;
        // numpy: an empty slice starts at index 0 with step 1 (keeping the axis's stride).
        let (first, step) = if count == 0 { (0, 1) } else { (first, step) };
        let stride = self.strides()[axis] as i128;
        let overflow = || {
            MmError::invalid(format!(
                "slice step {step} times stride {stride} overflows 64 bits"
            ))
        };
        let new_stride = match i64::try_from(stride * step as i128) {
            Ok(s) => s,
            // With one element the stride is never used; numpy lets it wrap.
            Err(_) if count == 1 => self.strides()[axis].wrapping_mul(step),
            Err(_) => return Err(overflow()),
        };
        let new_start =
            i64::try_from(self.start as i128 + first * stride).map_err(|_| overflow())?;
        // A slice of an in-bounds view stays in bounds: its elements are elements of this
        // view when its first and last index along `axis` lie in 0..len. That is checked
        // anyway, as cheap insurance for slice_indices (the general check_reach costs a
        // pass over every axis in 128-bit arithmetic: mm_slice is a hot path).
        if count > 0 {
            let len = self.shape()[axis] as i128;
            let last = first + (count as i128 - 1) * step as i128;
            if !(0..len).contains(&first) || !(0..len).contains(&last) {
                return Err(MmError::new(
                    ErrorKind::OutOfBounds,
                    format!("slice indices {first} to {last} leave axis {axis} of length {len}"),
                ));
            }
        }
        let mut dims = self.dims.clone();
        dims[axis] = count;
        dims[ndim + axis] = new_stride as usize;
        let view = View {
            shared: self.share(shard),
            own_dtype: self.own_dtype.clone(),
            start: new_start,
            dims,
        };
        Ok((
            view,
            SlicedAxis {
                len: count,
                stride: new_stride,
            },
        ))
    }

    fn check_reach(
        &self,
        start: i64,
        shape: &[usize],
        strides: &[i64],
        itemsize: usize,
    ) -> Result<()> {
        if shape.len() != strides.len() {
            return Err(MmError::invalid(format!(
                "{} strides given for {} dimensions",
                strides.len(),
                shape.len()
            )));
        }
        if let Some((lo, hi)) = layout::byte_extent(shape, strides, itemsize) {
            let (lo, hi) = (start as i128 + lo, start as i128 + hi);
            let len = self.shared.get().mapping.len() as i128;
            if lo < 0 || hi > len {
                return Err(MmError::new(
                    ErrorKind::OutOfBounds,
                    format!("the view reaches bytes {lo}..{hi} but the array region holds bytes 0..{len}"),
                ));
            }
        }
        Ok(())
    }

    /// Address of the first element.
    pub fn data_ptr(&self) -> *mut u8 {
        self.shared
            .get()
            .mapping
            .data_ptr()
            .wrapping_offset(self.start as isize)
    }

    /// Position of the first element relative to the start of the array region (the
    /// `offset` given at open); may be negative or past the end only for an empty view.
    pub fn position(&self) -> i64 {
        self.start
    }

    pub fn shape(&self) -> &[usize] {
        self.dims.shape()
    }

    pub fn strides(&self) -> &[i64] {
        self.dims.strides()
    }

    pub fn dtype(&self) -> &DType {
        self.own_dtype.as_ref().unwrap_or(&self.shared.get().dtype)
    }

    pub fn itemsize(&self) -> usize {
        self.dtype().itemsize()
    }

    /// Number of elements.
    pub fn size(&self) -> usize {
        // Cannot overflow: checked when the view was made. 0-d and 1-D views (every
        // slice of an opened array) without the loop.
        match *self.shape() {
            [] => 1,
            [n] => n,
            ref shape => shape.iter().product(),
        }
    }

    pub fn nbytes(&self) -> usize {
        self.size() * self.itemsize()
    }

    pub fn mode(&self) -> Mode {
        self.shared.get().mapping.mode()
    }

    /// The offset given when the file was opened (views inherit it, as in numpy).
    pub fn offset(&self) -> u64 {
        self.shared.get().mapping.offset()
    }

    pub fn filename(&self) -> Option<&Path> {
        self.shared.get().mapping.filename()
    }

    pub fn flags(&self) -> Flags {
        let (c_contiguous, f_contiguous, aligned) = self.layout_flags();
        Flags {
            writeable: self.mode().writeable(),
            c_contiguous,
            f_contiguous,
            aligned,
            native_order: self.dtype().is_native(),
        }
    }

    /// The flags that depend on the view's layout: C_CONTIGUOUS, F_CONTIGUOUS, ALIGNED.
    #[inline]
    pub fn layout_flags(&self) -> (bool, bool, bool) {
        self.layout_flags_at(self.data_ptr() as usize)
    }

    /// [`View::layout_flags`] given the view's data address (mm_slice knows it already).
    pub(crate) fn layout_flags_at(&self, address: usize) -> (bool, bool, bool) {
        let dtype = self.dtype();
        layout::layout_flags(
            address,
            self.shape(),
            self.strides(),
            dtype.itemsize(),
            dtype.alignment(),
        )
    }

    /// msync(MS_SYNC) of the whole mapping behind this view (numpy's flush).
    pub fn flush(&self) -> Result<()> {
        self.shared.get().mapping.flush()
    }

    /// The mapping behind this view.
    pub(crate) fn mapping(&self) -> &Mapping {
        &self.shared.get().mapping
    }

    /// Whether two views share one mapping.
    pub fn same_mapping(&self, other: &View) -> bool {
        SharedCount::ptr_eq(&self.shared, &other.shared)
    }
}

/// Open flags and the controls of memory behaviour (advice, range flush, residency,
/// locking). Each acts on the pages the view's bytes lie in; a view without elements
/// has no bytes and every control is a no-op for it.
impl View {
    /// [`View::open`] with open flags (prefault, preallocate).
    pub fn open_with(path: &Path, spec: &OpenSpec, flags: mapping::OpenFlags) -> Result<View> {
        View::open_path(path, None, spec, flags)
    }

    /// The bytes any element can reach, relative to the start of the array region
    /// (`lo..hi`); `None` for a view without elements.
    pub fn byte_range(&self) -> Option<(usize, usize)> {
        let (lo, hi) = layout::byte_extent(self.shape(), self.strides(), self.itemsize())?;
        // In range of the region: checked when the view was made.
        let lo = (self.start as i128 + lo) as usize;
        let hi = (self.start as i128 + hi) as usize;
        (lo < hi).then_some((lo, hi))
    }

    /// madvise over the pages of the view (none for a view without elements; the mode
    /// is checked all the same, by [`Mapping::advise_range`]).
    pub fn advise(&self, advice: mapping::Advice) -> Result<()> {
        let (lo, hi) = self.byte_range().unwrap_or((0, 0));
        self.shared.get().mapping.advise_range(advice, lo, hi)
    }

    /// msync(MS_SYNC) of the pages of `nbytes` bytes at `byte_offset` from the first
    /// element; the range must lie within the view's bytes. No effect in modes r and c.
    pub fn flush_range(&self, byte_offset: u64, nbytes: u64) -> Result<()> {
        let Some((lo, hi)) = self.byte_range() else {
            return Ok(());
        };
        let first = self.start as i128 + byte_offset as i128;
        let end = first + nbytes as i128;
        if end > hi as i128 {
            return Err(MmError::new(
                ErrorKind::OutOfBounds,
                format!(
                    "bytes {byte_offset}..{} from the first element reach past the view, whose bytes end {} bytes after it",
                    byte_offset as u128 + nbytes as u128,
                    hi as i128 - self.start as i128
                ),
            ));
        }
        debug_assert!(first >= lo as i128);
        self.shared
            .get()
            .mapping
            .flush_bytes(first as usize, end as usize)
    }

    /// msync(MS_ASYNC) of the whole mapping behind the view; no effect in modes r and c.
    pub fn flush_async(&self) -> Result<()> {
        self.shared.get().mapping.flush_async()
    }

    /// How many of the view's bytes lie in pages resident in memory (mincore).
    pub fn resident_bytes(&self) -> Result<u64> {
        match self.byte_range() {
            Some((lo, hi)) => self.shared.get().mapping.resident_bytes(lo, hi),
            None => Ok(0),
        }
    }

    /// mlock of the pages of the view.
    pub fn lock(&self) -> Result<()> {
        match self.byte_range() {
            Some((lo, hi)) => self.shared.get().mapping.lock_bytes(lo, hi, true),
            None => Ok(()),
        }
    }

    /// munlock of the pages of the view.
    pub fn unlock(&self) -> Result<()> {
        match self.byte_range() {
            Some((lo, hi)) => self.shared.get().mapping.lock_bytes(lo, hi, false),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests;
