//! Opening arrays, views and slices, and the getters, over the handle registry.

use std::ffi::{c_char, c_int, c_void, CStr, CString, OsStr};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::Arc;

use super::{guard, mm_array, mm_status, Fail};
use super::{
    MM_ALIGNED, MM_C_CONTIGUOUS, MM_E_BAD_HANDLE, MM_E_INVALID_ARG, MM_F_CONTIGUOUS,
    MM_NATIVE_ORDER, MM_OK, MM_WRITEABLE,
};
use crate::dtype::DType;
use crate::layout::Order;
use crate::mapping::{Mode, OpenSpec};
use crate::registry::Registry;
use crate::view::View;

/// numpy's limit on dimensions; also keeps a junk `ndim` from reading wild memory.
const MAX_NDIM: usize = 64;

/// What a handle resolves to: the view and the C strings the getters hand out.
pub(crate) struct Entry {
    pub view: View,
    /// Shared by every view with the same dtype of one mapping, so that a slice or a
    /// view allocates no strings (memory per view and mm_slice cost).
    pub names: Arc<Names>,
}

/// The C strings of an entry (and its record fields): they depend only on the dtype
/// and the mapping, so a slice, or a view keeping the dtype, shares its base's.
pub(crate) struct Names {
    dtype: CString,
    filename: Option<CString>,
    /// What mm_field hands out for a record dtype (empty otherwise).
    pub fields: Box<[super::npy::FieldText]>,
}

static REGISTRY: Registry<Entry> = Registry::new();

// A registry slot is one 64-byte cache line when the entry fits in 56 bytes: per-view
// memory, and no false sharing between threads on neighbouring handles.
const _: () = assert!(std::mem::size_of::<Entry>() <= 56);

/// Registers `view` and returns its handle.
pub(crate) fn register(view: View, call: &str) -> Result<mm_array, Fail> {
    let dtype = CString::new(view.dtype().typestr()).map_err(|_| {
        Fail::new(
            MM_E_INVALID_ARG,
            format!("{call}: dtype text holds a NUL byte"),
        )
    })?;
    let filename = view
        .filename()
        .map(|p| CString::new(p.as_os_str().as_bytes()).unwrap_or_default());
    let fields = super::npy::field_texts(view.dtype());
    register_with(
        view,
        Arc::new(Names {
            dtype,
            filename,
            fields,
        }),
        call,
    )
}

/// Registers `view`, whose dtype and file are those of `names`, and returns its handle.
fn register_with(view: View, names: Arc<Names>, call: &str) -> Result<mm_array, Fail> {
    REGISTRY.insert(Entry { view, names }).ok_or_else(|| {
        Fail::new(
            super::MM_E_IO,
            format!("{call}: too many open handles (4294967294)"),
        )
    })
}

/// Runs `f` on the entry of `a`, or fails with MM_E_BAD_HANDLE naming `call`.
pub(crate) fn with_entry<R>(
    call: &str,
    a: mm_array,
    f: impl FnOnce(&Entry) -> Result<R, Fail>,
) -> Result<R, Fail> {
    REGISTRY
        .with(a, f)
        .unwrap_or_else(|| Err(bad_handle(call, a)))
}

/// Runs one operation on the view of `a`, for calls whose result is a value or just a
/// status: a bad handle or a core error fails naming `call` and the handle.
pub(crate) fn on_view<R>(
    call: &str,
    a: mm_array,
    op: impl FnOnce(&View) -> crate::error::Result<R>,
) -> Result<R, Fail> {
    with_entry(call, a, |e| {
        op(&e.view).map_err(|err| Fail::core(&format!("{call}(handle {a:#x})"), err))
    })
}

fn bad_handle(call: &str, a: mm_array) -> Fail {
    Fail::new(
        MM_E_BAD_HANDLE,
        format!(
            "{call}(handle {a:#x}): the handle is not open (0, already closed, or never issued)"
        ),
    )
}

/// Sets `*out` to 0 up front so that every failure leaves it 0.
pub(crate) unsafe fn out_handle<'a>(
    call: &str,
    out: *mut mm_array,
) -> Result<&'a mut mm_array, Fail> {
    if out.is_null() {
        return Err(Fail::new(MM_E_INVALID_ARG, format!("{call}: out is NULL")));
    }
    // SAFETY: the caller passes a valid, writable mm_array (checked non-NULL).
    let out = unsafe { &mut *out };
    *out = 0;
    Ok(out)
}

/// A C string argument as UTF-8 text; `None` for NULL.
pub(crate) unsafe fn text_arg<'a>(
    call: &str,
    what: &str,
    p: *const c_char,
) -> Result<Option<&'a str>, Fail> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: the caller passes a NUL-terminated string (checked non-NULL).
    let bytes = unsafe { CStr::from_ptr(p) }.to_bytes();
    std::str::from_utf8(bytes).map(Some).map_err(|_| {
        Fail::new(
            MM_E_INVALID_ARG,
            format!(
                "{call}: {what} {:?} is not valid UTF-8",
                String::from_utf8_lossy(bytes)
            ),
        )
    })
}

/// `n` elements at `p`; NULL with n > 0 is an error naming `what`.
pub(crate) unsafe fn array_arg<'a, T>(
    call: &str,
    what: &str,
    p: *const T,
    n: usize,
) -> Result<&'a [T], Fail> {
    if n > MAX_NDIM {
        return Err(Fail::new(
            MM_E_INVALID_ARG,
            format!("{call}: ndim {n} is more than the {MAX_NDIM} dimensions numpy allows"),
        ));
    }
    if n == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(Fail::new(
            MM_E_INVALID_ARG,
            format!("{call}: {what} is NULL but ndim is {n}"),
        ));
    }
    // SAFETY: the caller passes `n` readable elements (checked non-NULL, n bounded).
    Ok(unsafe { std::slice::from_raw_parts(p, n) })
}

pub(crate) fn parse_dtype(call: &str, text: Option<&str>) -> Result<Option<DType>, Fail> {
    text.map(parse_cached)
        .transpose()
        .map_err(|e| Fail::core(call, e))
}

/// DType::parse, remembering the last text parsed on this thread: programs open many
/// arrays of one dtype, and a DType is a shared, immutable value.
fn parse_cached(text: &str) -> crate::error::Result<DType> {
    thread_local! {
        static LAST: std::cell::RefCell<Option<(String, DType)>> = const { std::cell::RefCell::new(None) };
    }
    let hit = LAST
        .try_with(|last| match &*last.borrow() {
            Some((t, d)) if t == text => Some(d.clone()),
            _ => None,
        })
        .ok()
        .flatten();
    if let Some(dtype) = hit {
        return Ok(dtype);
    }
    let dtype = DType::parse(text)?;
    let _ = LAST.try_with(|last| {
        if let Ok(mut last) = last.try_borrow_mut() {
            *last = Some((text.to_owned(), dtype.clone()));
        }
    });
    Ok(dtype)
}

/// The arguments mm_open and mm_open_fd share, validated.
pub(crate) unsafe fn open_spec(
    call: &str,
    dtype: *const c_char,
    mode: *const c_char,
    offset: u64,
    shape: *const usize,
    ndim: usize,
    order: c_char,
) -> Result<OpenSpec, Fail> {
    // SAFETY (all three): the caller's pointers are NULL or valid as documented.
    let dtype =
        parse_dtype(call, unsafe { text_arg(call, "dtype", dtype) }?)?.unwrap_or_else(DType::u1);
    let mode = match unsafe { text_arg(call, "mode", mode) }? {
        None => Mode::ReadWrite,
        Some(text) => Mode::parse(text).map_err(|e| Fail::core(call, e))?,
    };
    let shape = if shape.is_null() {
        None
    } else {
        Some(unsafe { array_arg(call, "shape", shape, ndim) }?.to_vec())
    };
    let order = Order::from_char(order as u8).map_err(|e| Fail::core(call, e))?;
    Ok(OpenSpec {
        dtype,
        mode,
        offset,
        shape,
        order,
    })
}

/// The body of mm_open and mm_open_ex (`mm_open(...)` is `mm_open_ex(..., 0, out)`),
/// `name` being the exported function's name.
///
/// # Safety
/// As mm_open.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn open_path_call(
    name: &str,
    path: *const c_char,
    dtype: *const c_char,
    mode: *const c_char,
    offset: u64,
    shape: *const usize,
    ndim: usize,
    order: c_char,
    flags: u32,
    out: *mut mm_array,
) -> Result<mm_status, Fail> {
    let out = unsafe { out_handle(name, out) }?;
    if path.is_null() {
        return Err(Fail::new(MM_E_INVALID_ARG, format!("{name}: path is NULL")));
    }
    // SAFETY: the caller passes a NUL-terminated path (checked non-NULL).
    let path = unsafe { CStr::from_ptr(path) }.to_bytes();
    // The call's text is built only for a failure (open + close is benchmarked).
    let call = || format!("{name}({:?})", String::from_utf8_lossy(path));
    // SAFETY: the caller's pointers are NULL or valid as documented.
    let spec = unsafe { open_spec(name, dtype, mode, offset, shape, ndim, order) }
        .map_err(|f| f.in_call(&call()))?;
    let flags = super::control::open_flags(name, flags).map_err(|f| f.in_call(&call()))?;
    let view = View::open_with(Path::new(OsStr::from_bytes(path)), &spec, flags)
        .map_err(|e| Fail::core(&call(), e))?;
    *out = register(view, name).map_err(|f| f.in_call(&call()))?;
    Ok(MM_OK)
}

/// Opens `path` as an n-dimensional array, exactly as numpy.memmap(path, dtype, mode,
/// offset, shape, order) would, and stores a new handle in `*out`.
///
/// - `dtype`: a numpy type string or name ("<f8", ">i4", "float64", "S10", "<M8[ns]"...);
///   NULL means "u1".
/// - `mode`: "r", "r+", "w+", "c" or "readonly", "readwrite", "write", "copyonwrite";
///   NULL means "r+". w+ creates or truncates the file; r+ and w+ extend it (sparse) to
///   offset + nbytes and never shrink it; r and c never change it.
/// - `offset`: byte offset of the array in the file; any value, not only page multiples.
/// - `shape`: `ndim` dimensions, or NULL to infer a 1-D shape from the file size
///   (`ndim` is then ignored). A non-NULL shape with ndim 0 is a 0-d, one-element array.
/// - `order`: 'C' or 'F' (lower case accepted; 'A', 'K' and 0 mean C).
///
/// On failure `*out` is 0 and the file is exactly as it was: every argument is checked
/// before anything is created, truncated or extended. No descriptor stays open.
///
/// # Safety
/// `path` must be a NUL-terminated string; `dtype` and `mode` NULL or NUL-terminated;
/// `shape` NULL or pointing to `ndim` values; `out` a writable mm_array.
#[no_mangle]
pub unsafe extern "C" fn mm_open(
    path: *const c_char,
    dtype: *const c_char,
    mode: *const c_char,
    offset: u64,
    shape: *const usize,
    ndim: usize,
    order: c_char,
    out: *mut mm_array,
) -> mm_status {
    guard(
        "mm_open",
        |s| s,
        || unsafe {
            open_path_call(
                "mm_open", path, dtype, mode, offset, shape, ndim, order, 0, out,
            )
        },
    )
}

/// Like mm_open, on a descriptor the caller already opened (numpy's file-object case).
/// The mapping always counts from byte 0 of the file, whatever the descriptor's position.
/// It never truncates (not even in w+), never closes `fd` and does not keep it; r+ and w+
/// need a descriptor opened O_RDWR. mm_filename of the result is NULL.
///
/// # Safety
/// As mm_open; `fd` is only borrowed for the duration of the call.
#[no_mangle]
pub unsafe extern "C" fn mm_open_fd(
    fd: c_int,
    dtype: *const c_char,
    mode: *const c_char,
    offset: u64,
    shape: *const usize,
    ndim: usize,
    order: c_char,
    out: *mut mm_array,
) -> mm_status {
    guard(
        "mm_open_fd",
        |s| s,
        || {
            let call = format!("mm_open_fd(fd {fd})");
            let out = unsafe { out_handle(&call, out) }?;
            let spec = unsafe { open_spec(&call, dtype, mode, offset, shape, ndim, order) }?;
            let view = View::open_fd(fd, &spec).map_err(|e| Fail::core(&call, e))?;
            *out = register(view, &call)?;
            Ok(MM_OK)
        },
    )
}

/// A new view over the same mapping as `base`, stored in `*out` (numpy's reshape,
/// transpose, reversal, sub-block and view(dtype) in one call).
///
/// - `dtype`: NULL keeps the dtype of `base`.
/// - `byte_offset`: position of the view's first element relative to mm_data(base).
/// - `shape`: `ndim` dimensions (NULL only when ndim is 0: a 0-d view).
/// - `strides`: `ndim` byte strides (may be negative or 0), or NULL for C-contiguous.
///   On an axis longer than 1 a non-zero stride must be at least the itemsize.
///
/// Every byte any element can reach must lie inside the array as it was opened (the
/// `offset .. offset + nbytes` bytes of the file), else MM_E_OUT_OF_BOUNDS. A view with
/// zero elements reaches no byte. Each view is closed with its own mm_close.
///
/// # Safety
/// `dtype` NULL or NUL-terminated; `shape` and `strides` NULL or pointing to `ndim`
/// values; `out` a writable mm_array.
#[no_mangle]
pub unsafe extern "C" fn mm_view(
    base: mm_array,
    dtype: *const c_char,
    byte_offset: i64,
    shape: *const usize,
    ndim: usize,
    strides: *const i64,
    out: *mut mm_array,
) -> mm_status {
    guard(
        "mm_view",
        |s| s,
        || {
            let call = format!("mm_view(handle {base:#x})");
            let out = unsafe { out_handle(&call, out) }?;
            let dtype = parse_dtype(&call, unsafe { text_arg(&call, "dtype", dtype) }?)?;
            let shape = unsafe { array_arg(&call, "shape", shape, ndim) }?;
            let strides = if strides.is_null() {
                None
            } else {
                Some(unsafe { array_arg(&call, "strides", strides, ndim) }?)
            };
            let same_dtype = dtype.is_none();
            let (view, names) = with_entry("mm_view", base, |e| {
                let view = e
                    .view
                    .view(dtype, byte_offset, shape, strides)
                    .map_err(|err| Fail::core(&call, err))?;
                Ok((view, same_dtype.then(|| e.names.clone())))
            })?;
            *out = match names {
                Some(names) => register_with(view, names, &call)?,
                None => register(view, &call)?,
            };
            Ok(MM_OK)
        },
    )
}

/// Python slicing `[start:stop:step]` of axis `axis`, as a new handle in `*out`.
/// Negative indices count from the end, out-of-range bounds clamp, `step` may be negative;
/// step 0 and axis >= ndim are MM_E_INVALID_ARG. An omitted bound is passed as the extreme
/// value that clamps to it: for step > 0 start INT64_MIN and stop INT64_MAX; for step < 0
/// start INT64_MAX and stop INT64_MIN (so [::-1] is (INT64_MAX, INT64_MIN, -1)).
///
/// # Safety
/// `out` must be a writable mm_array.
#[no_mangle]
pub unsafe extern "C" fn mm_slice(
    base: mm_array,
    axis: usize,
    start: i64,
    stop: i64,
    step: i64,
    out: *mut mm_array,
) -> mm_status {
    guard(
        "mm_slice",
        |s| s,
        || {
            // The call's text is built only for a failure: this is a hot path.
            let call = || format!("mm_slice(handle {base:#x}, axis {axis}, {start}:{stop}:{step})");
            if out.is_null() {
                return Err(Fail::new(
                    MM_E_INVALID_ARG,
                    format!("{}: out is NULL", call()),
                ));
            }
            // SAFETY: the caller passes a valid, writable mm_array (checked non-NULL).
            let out = unsafe { &mut *out };
            *out = 0;
            let (view, names) = with_entry("mm_slice", base, |e| {
                let view = e
                    .view
                    .slice(axis, start, stop, step)
                    .map_err(|err| Fail::core(&call(), err))?;
                Ok((view, e.names.clone()))
            })?;
            *out = register_with(view, names, "mm_slice")?;
            Ok(MM_OK)
        },
    )
}

/// Address of the first element; NULL only for a bad handle. A valid zero-size array
/// gives a non-NULL address that must not be dereferenced. In mode r the memory is
/// read-only: writing through it kills the process (SIGSEGV). The address stays valid
/// while any view of the mapping is open.
#[no_mangle]
pub extern "C" fn mm_data(a: mm_array) -> *mut c_void {
    guard(
        "mm_data",
        |_| std::ptr::null_mut(),
        || with_entry("mm_data", a, |e| Ok(e.view.data_ptr().cast())),
    )
}

/// msync(MS_SYNC) of the whole mapping behind the view, as numpy's flush. MM_OK and no
/// effect in modes r and c.
#[no_mangle]
pub extern "C" fn mm_flush(a: mm_array) -> mm_status {
    guard(
        "mm_flush",
        |s| s,
        || {
            on_view("mm_flush", a, View::flush)?;
            Ok(MM_OK)
        },
    )
}

/// Releases this view. The mapping is unmapped when the last view of it is closed, in
/// any order; closing does not flush (written pages of r+/w+ still reach the file, as
/// with numpy). A second close of the same handle is MM_E_BAD_HANDLE. Closing a handle
/// another thread is using makes that thread's next call on it MM_E_BAD_HANDLE.
#[no_mangle]
pub extern "C" fn mm_close(a: mm_array) -> mm_status {
    guard(
        "mm_close",
        |s| s,
        || {
            if REGISTRY.remove(a) {
                Ok(MM_OK)
            } else {
                Err(bad_handle("mm_close", a))
            }
        },
    )
}

/// Number of dimensions (0 for a 0-d array, and for a bad handle).
#[no_mangle]
pub extern "C" fn mm_ndim(a: mm_array) -> usize {
    guard(
        "mm_ndim",
        |_| 0,
        || with_entry("mm_ndim", a, |e| Ok(e.view.shape().len())),
    )
}

/// The `ndim` dimensions, valid while the handle is open; NULL for a bad handle.
#[no_mangle]
pub extern "C" fn mm_shape(a: mm_array) -> *const usize {
    guard(
        "mm_shape",
        |_| std::ptr::null(),
        || with_entry("mm_shape", a, |e| Ok(e.view.shape().as_ptr())),
    )
}

/// The `ndim` byte strides (may be negative), as numpy's memmap gives them (a zero-length
/// dimension counts as 1); valid while the handle is open; NULL for a bad handle.
#[no_mangle]
pub extern "C" fn mm_strides(a: mm_array) -> *const i64 {
    guard(
        "mm_strides",
        |_| std::ptr::null(),
        || with_entry("mm_strides", a, |e| Ok(e.view.strides().as_ptr())),
    )
}

/// Bytes per element.
#[no_mangle]
pub extern "C" fn mm_itemsize(a: mm_array) -> usize {
    guard(
        "mm_itemsize",
        |_| 0,
        || with_entry("mm_itemsize", a, |e| Ok(e.view.itemsize())),
    )
}

/// Number of elements (1 for a 0-d array).
#[no_mangle]
pub extern "C" fn mm_size(a: mm_array) -> usize {
    guard(
        "mm_size",
        |_| 0,
        || with_entry("mm_size", a, |e| Ok(e.view.size())),
    )
}

/// size * itemsize.
#[no_mangle]
pub extern "C" fn mm_nbytes(a: mm_array) -> usize {
    guard(
        "mm_nbytes",
        |_| 0,
        || with_entry("mm_nbytes", a, |e| Ok(e.view.nbytes())),
    )
}

/// numpy's canonical type string ("<f8", "|u1", "|b1", ">i4", "<U5"...); for a record
/// dtype its descr list as numpy prints `str(dtype.descr)` ("[('x', '<f4'), ('', '|V4')]").
/// Valid while the handle is open; NULL for a bad handle.
#[no_mangle]
pub extern "C" fn mm_dtype(a: mm_array) -> *const c_char {
    guard(
        "mm_dtype",
        |_| std::ptr::null(),
        || with_entry("mm_dtype", a, |e| Ok(e.names.dtype.as_ptr())),
    )
}

/// "r", "r+", "w+" or "c"; NULL for a bad handle.
#[no_mangle]
pub extern "C" fn mm_mode(a: mm_array) -> *const c_char {
    guard(
        "mm_mode",
        |_| std::ptr::null(),
        || {
            with_entry("mm_mode", a, |e| {
                let text: &'static CStr = match e.view.mode() {
                    Mode::ReadOnly => c"r",
                    Mode::ReadWrite => c"r+",
                    Mode::Write => c"w+",
                    Mode::CopyOnWrite => c"c",
                };
                Ok(text.as_ptr())
            })
        },
    )
}

/// The byte offset given at open (numpy's .offset); views inherit it.
#[no_mangle]
pub extern "C" fn mm_offset(a: mm_array) -> u64 {
    guard(
        "mm_offset",
        |_| 0,
        || with_entry("mm_offset", a, |e| Ok(e.view.offset())),
    )
}

/// The absolute, normalised path as opened (symlinks not resolved), valid while the
/// handle is open; NULL for mm_open_fd arrays and for a bad handle (check
/// mm_last_error_message to tell them apart).
#[no_mangle]
pub extern "C" fn mm_filename(a: mm_array) -> *const c_char {
    guard(
        "mm_filename",
        |_| std::ptr::null(),
        || {
            with_entry("mm_filename", a, |e| {
                Ok(e.names
                    .filename
                    .as_ref()
                    .map_or(std::ptr::null(), |f| f.as_ptr()))
            })
        },
    )
}

/// Bits MM_WRITEABLE, MM_C_CONTIGUOUS, MM_F_CONTIGUOUS, MM_ALIGNED, MM_NATIVE_ORDER, as
/// numpy's ndarray.flags and dtype.isnative report them; 0 for a bad handle.
#[no_mangle]
pub extern "C" fn mm_flags(a: mm_array) -> u32 {
    guard(
        "mm_flags",
        |_| 0,
        || {
            with_entry("mm_flags", a, |e| {
                let f = e.view.flags();
                let bit = |on: bool, b: u32| if on { b } else { 0 };
                Ok(bit(f.writeable, MM_WRITEABLE)
                    | bit(f.c_contiguous, MM_C_CONTIGUOUS)
                    | bit(f.f_contiguous, MM_F_CONTIGUOUS)
                    | bit(f.aligned, MM_ALIGNED)
                    | bit(f.native_order, MM_NATIVE_ORDER))
            })
        },
    )
}

/// Number of handles open in this process (every view counts); for leak checks.
#[no_mangle]
pub extern "C" fn mm_handle_count() -> usize {
    guard("mm_handle_count", |_| 0, || Ok(REGISTRY.live()))
}
