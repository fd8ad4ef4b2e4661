//! The handles the C caller holds: a registry of entries (a view and the C strings its
//! getters hand out), and the one way every call reaches the view behind a handle.
//!
//! (Over 600 lines: the summaries derived views are registered with, and their test
//! against summary_of, belong with the registry's entries.)

use std::cell::RefCell;
use std::ffi::{CStr, CString};
use std::sync::atomic::{AtomicPtr, Ordering};

use super::boundary::{guard, Fail, FailValue, ForkSafeOnce};
use super::status::*;
use crate::dtype::DType;
use crate::mapping::Mode;
use crate::registry::{ForkHold, Registry, Thread, SUMMARY_WORDS};
use crate::view::{SlicedAxis, View};

/// What a handle resolves to: the view and the C strings the getters hand out.
pub(crate) struct Entry {
    /// Dropped by [`Entry`]'s drop, inline ([`View::drop_inline`]: mm_close cost).
    pub view: std::mem::ManuallyDrop<View>,
    /// The C strings, made by the first call that asks for one ([`Entry::names`]):
    /// most handles, slices above all, never do, so opening or slicing allocates no
    /// strings (memory per view, mm_slice and mm_open cost). Null until then; set once
    /// by a compare-and-swap (no lock: a fork in the middle leaves nothing half done);
    /// freed with the entry.
    names: AtomicPtr<Names>,
}

impl Entry {
    fn new(view: View) -> Entry {
        Entry {
            view: std::mem::ManuallyDrop::new(view),
            names: AtomicPtr::new(std::ptr::null_mut()),
        }
    }

    /// The C strings of this entry, made now if no call asked for them before. They
    /// live as long as the entry: a pointer into them is valid while the handle is open.
    pub(crate) fn names(&self) -> &Names {
        let p = self.names.load(Ordering::Acquire);
        if p.is_null() {
            return self.make_names();
        }
        // SAFETY: a non-null pointer was published by make_names (Release/AcqRel, read
        // with Acquire above) from a Box that is freed only when the entry is dropped.
        unsafe { &*p }
    }

    #[cold]
    fn make_names(&self) -> &Names {
        let fresh = Box::into_raw(Box::new(names_of(&self.view)));
        match self.names.compare_exchange(
            std::ptr::null_mut(),
            fresh,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            // SAFETY: just published; freed only with the entry.
            Ok(_) => unsafe { &*fresh },
            Err(first) => {
                // Another thread made them first: ours were never shared.
                // SAFETY: `fresh` came from Box::into_raw above and was not published.
                drop(unsafe { Box::from_raw(fresh) });
                // SAFETY: as in `names`.
                unsafe { &*first }
            }
        }
    }
}

impl Drop for Entry {
    #[inline]
    fn drop(&mut self) {
        let p = *self.names.get_mut();
        if !p.is_null() {
            // SAFETY: published by make_names from Box::into_raw; the entry is going, so
            // nobody holds a reference into it any more.
            unsafe { drop_names(p) };
        }
        // SAFETY: the entry is going; its view is dropped here, once, and not used again.
        unsafe { View::drop_inline(&mut self.view) };
    }
}

/// Frees the C strings of an entry that made them. Out of line: most entries never
/// do, and their drop (mm_close) then keeps no part of this free on its path.
///
/// # Safety
/// `p` came from Box::into_raw in make_names, and nothing refers to it any more.
#[cold]
#[inline(never)]
unsafe fn drop_names(p: *mut Names) {
    // SAFETY: as the caller promises.
    drop(unsafe { Box::from_raw(p) });
}

/// The C strings of an entry (and its record fields): they depend only on the dtype
/// and the mapping.
pub(crate) struct Names {
    pub dtype: CString,
    pub filename: Option<CString>,
    /// What mm_field hands out for a record dtype (empty otherwise).
    pub fields: Box<[FieldText]>,
}

/// One field of a record dtype as mm_field hands it out.
pub(crate) struct FieldText {
    pub name: CString,
    pub dtype: CString,
    pub offset: usize,
    pub shape: Box<[usize]>,
}

// SAFETY: a static: it lives, at one address, for the rest of the process.
static REGISTRY: Registry<Entry> = unsafe { Registry::process_wide() };

// A registry slot is two 64-byte cache lines (state and summary, then the entry) when
// the entry fits in 64 bytes: per-view memory, and no false sharing between threads on
// neighbouring handles.
const _: () = assert!(std::mem::size_of::<Entry>() <= 64);

/// The words of a handle's registry summary: the getters' answers, read with loads only
/// (no shared write, so threads calling them on one handle do not trade a cache line).
/// A view never changes while its handle is open, so they are computed once, at
/// registration.
pub(crate) mod word {
    pub const DATA: usize = 0;
    pub const ITEMSIZE: usize = 1;
    pub const SIZE: usize = 2;
    pub const NBYTES: usize = 3;
    pub const OFFSET: usize = 4;
    /// mm_flags' bits (bits 0-31), the mode (as `mode_code`, bits 32-39) and the
    /// number of dimensions (bits 40-63: numpy allows 64; more than 2^24 could not be
    /// described in memory anyway) in one word.
    pub const FLAGS_MODE: usize = 5;
    pub const NDIM: usize = FLAGS_MODE;
    pub const MODE_SHIFT: u32 = 32;
    pub const NDIM_SHIFT: u32 = 40;
}

fn mode_code(mode: Mode) -> u64 {
    match mode {
        Mode::ReadOnly => 0,
        Mode::ReadWrite => 1,
        Mode::Write => 2,
        Mode::CopyOnWrite => 3,
    }
}

/// The static text of a mode stored with `mode_code`.
pub(crate) fn mode_text(code: u64) -> &'static CStr {
    match code {
        0 => Mode::ReadOnly,
        1 => Mode::ReadWrite,
        2 => Mode::Write,
        _ => Mode::CopyOnWrite,
    }
    .as_cstr()
}

/// mm_flags' bits of a view.
pub(crate) fn flag_bits(view: &View) -> u32 {
    let f = view.flags();
    let bit = |on: bool, b: u32| if on { b } else { 0 };
    bit(f.writeable, MM_WRITEABLE)
        | bit(f.c_contiguous, MM_C_CONTIGUOUS)
        | bit(f.f_contiguous, MM_F_CONTIGUOUS)
        | bit(f.aligned, MM_ALIGNED)
        | bit(f.native_order, MM_NATIVE_ORDER)
}

#[inline(always)]
fn summary_of(view: &View) -> [u64; SUMMARY_WORDS] {
    let mut s = [0; SUMMARY_WORDS];
    s[word::DATA] = view.data_ptr() as usize as u64;
    s[word::ITEMSIZE] = view.itemsize() as u64;
    let size = view.size();
    s[word::SIZE] = size as u64;
    // Cannot overflow: checked when the view was made (View::nbytes).
    s[word::NBYTES] = (size * view.itemsize()) as u64;
    s[word::OFFSET] = view.offset();
    s[word::FLAGS_MODE] = u64::from(flag_bits(view))
        | mode_code(view.mode()) << word::MODE_SHIFT
        | (view.shape().len() as u64) << word::NDIM_SHIFT;
    s
}

/// The panic boundary of a getter that can answer from word `w` (see [`word`]) of the
/// summary of `a`: reading it takes no lock, writes nothing shared and cannot panic, and
/// `answer` (a plain conversion) must not panic either, so that path needs no guard.
/// For a handle that is not open (or closed while being read) it runs `body` (given the
/// call's name and `a`) through [`guard`], which reports the bad handle as every other
/// call does.
#[inline]
pub(crate) fn guard_summary<R: FailValue>(
    name: &'static str,
    a: mm_array,
    w: usize,
    answer: fn(u64) -> R,
    body: fn(&'static str, mm_array) -> Result<R, Fail>,
) -> R {
    match REGISTRY.summary_word_first(a, w) {
        Some(v) => answer(v),
        None => summary_missed(name, a, w, answer, body),
    }
}

/// The slow path of [`guard_summary`], out of line: a handle beyond the registry's first
/// chunk is answered from its summary here; a handle that is not open goes through
/// `body`. `extern "C"`: it cannot unwind (guard catches every panic, the summary read
/// and `answer` cannot panic), so the getters may call it as their last act (a tail
/// call) with nothing kept on the stack on the fast path.
/// (Never exported or called from C: the Rust types in its signature are fine.)
#[cold]
#[inline(never)]
#[allow(improper_ctypes_definitions)]
extern "C" fn summary_missed<R: FailValue>(
    name: &'static str,
    a: mm_array,
    w: usize,
    answer: fn(u64) -> R,
    body: fn(&'static str, mm_array) -> Result<R, Fail>,
) -> R {
    match REGISTRY.summary_word(a, w) {
        Some(v) => answer(v),
        None => guard(name, |name| body(name, a)),
    }
}

/// `text` up to its first NUL (a C string cannot hold one).
fn c_text(text: &str) -> CString {
    let cut = text.split('\0').next().unwrap_or("");
    CString::new(cut).unwrap_or_default()
}

fn field_texts(dtype: &DType) -> Box<[FieldText]> {
    dtype
        .fields()
        .map(|fields| {
            fields
                .iter()
                .map(|f| FieldText {
                    name: c_text(&f.name),
                    dtype: c_text(f.dtype.typestr()),
                    offset: f.offset,
                    shape: f.shape.clone().into(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Makes fork() safe while other threads are inside the library: the registry's lock is
/// taken just before the fork and released in both processes after it, so the child can
/// open and close arrays (without this, a child forked while another thread held the
/// lock waited for it forever). Registered once, at the first handle; glibc drops the
/// handlers when a dlopen'ed copy of the library is unloaded.
///
/// The same once-per-process setup draws the registry's random first generation
/// (getrandom: a cancellation point), with cancellation deferred, so that no later
/// insert reaches a cancellation point ([`set_up`]).
fn install_fork_handlers() {
    SETUP.call(|| {
        let _deferred = super::threads::CancellationDeferred::new();
        REGISTRY.seed_generation();
        super::threads::at_fork(before_fork, after_fork, after_fork_in_child);
    });
}

/// The once-per-process setup of [`install_fork_handlers`].
static SETUP: ForkSafeOnce = ForkSafeOnce::new();

/// Whether this process's setup is done: from then on registering a handle reaches no
/// thread cancellation point. Before (the first handle of the process; a child forked
/// while its parent was inside the setup) a call must defer cancellation.
#[inline(always)]
pub(crate) fn set_up() -> bool {
    SETUP.is_done()
}

thread_local! {
    /// The registry's lock, held by the forking thread from before to after a fork.
    static FORK_HOLD: RefCell<Option<ForkHold<'static>>> = const { RefCell::new(None) };
}

extern "C" fn before_fork() {
    let hold = REGISTRY.hold_for_fork();
    let _ = FORK_HOLD.try_with(|h| *h.borrow_mut() = Some(hold));
}

extern "C" fn after_fork() {
    let _ = FORK_HOLD.try_with(|h| h.borrow_mut().take());
}

/// [`after_fork`] in the child, which also forgets the pins (hazards) of the parent's
/// other threads: the child does not have them, and their hazards would keep every
/// later close of the slots they pinned from freeing them (see
/// `Registry::forget_other_threads`).
extern "C" fn after_fork_in_child() {
    REGISTRY.forget_other_threads();
    after_fork();
}

/// The C strings of `view` (its dtype text was checked free of NUL bytes by `register`).
fn names_of(view: &View) -> Names {
    Names {
        dtype: c_text(view.dtype().typestr()),
        filename: view
            .filename()
            .map(|p| CString::new(crate::mapping::path_bytes(p).into_owned()).unwrap_or_default()),
        fields: field_texts(view.dtype()),
    }
}

/// Registers `view` and returns its handle. Its C strings are made when first asked for.
pub(crate) fn register(view: View, call: &str) -> Result<mm_array, Fail> {
    register_from(None, view, call)
}

/// [`register`] by the calling thread, whose state `thread` is (from
/// [`super::boundary::guard_io_in`]): no thread-local lookup of its own.
#[inline]
pub(crate) fn register_in(thread: &Thread, view: View, call: &str) -> Result<mm_array, Fail> {
    register_from(Some(thread), view, call)
}

#[inline(always)]
fn register_from(thread: Option<&Thread>, view: View, call: &str) -> Result<mm_array, Fail> {
    // Only a record's typestr can hold a NUL (DType::typestr_may_hold_nul).
    if view.dtype().typestr_may_hold_nul() && view.dtype().typestr().contains('\0') {
        return Err(Fail::new(
            MM_E_INVALID_ARG,
            format!("{call}: dtype text holds a NUL byte"),
        ));
    }
    install_fork_handlers();
    let summary = summary_of(&view);
    REGISTRY
        .insert_from(thread, Entry::new(view), summary)
        .ok_or_else(|| too_many_handles(call))
}

/// A view made from the view of an open handle, of the same mapping and dtype (a
/// slice, a view keeping the dtype), with its summary ([`derive`]).
pub(crate) struct Derived(View, [u64; SUMMARY_WORDS]);

impl Derived {
    /// `view` and its summary.
    #[inline]
    pub(crate) fn new(view: View, summary: [u64; SUMMARY_WORDS]) -> Derived {
        Derived(view, summary)
    }
}

/// The view, and its summary, that `make` derives from the view of `a` (the same
/// mapping and dtype) given the summary of `a` ([`derived_summary`], or
/// [`slice_summary`] for a slice); a bad handle fails naming `call`. By the calling
/// thread, whose state `thread` is (from [`super::boundary::guard_in`]).
#[inline]
pub(crate) fn derive(
    thread: &Thread,
    call: &str,
    a: mm_array,
    make: impl FnOnce(&View, &[u64; SUMMARY_WORDS]) -> Result<Derived, Fail>,
) -> Result<Derived, Fail> {
    REGISTRY
        .with_summary_in(thread, a, |e, parent| make(&e.view, parent))
        .unwrap_or_else(|| Err(bad_handle(call, a)))
}

/// [`register`] for a [`Derived`] view, by the calling thread (whose state `thread`
/// is, from [`super::boundary::guard_in`]): its dtype text was checked when the handle
/// it derives from was registered.
#[inline(always)]
pub(crate) fn register_derived(
    thread: &Thread,
    derived: Derived,
    call: &str,
) -> Result<mm_array, Fail> {
    // No install_fork_handlers(): `register` ran it for the handle this view derives
    // from (in this process, or in the parent it was forked from, whose state of that
    // once a fork copies).
    REGISTRY
        .insert_summarised_in(thread, Entry::new(derived.0), derived.1)
        .ok_or_else(|| too_many_handles(call))
}

/// Runs `f` on the view of `a` and its summary while `a` is pinned, for a hot path
/// that registers a view derived from it ([`insert_derived`]) inside `f`, and words no
/// failure: `None` when `a` is not open or `f` answers `None` (and then `f` has left
/// nothing registered or counted: the caller takes its worded path, which finds the
/// failure again).
///
/// The new view is registered while `a` is still pinned (the insert takes no pin and
/// touches only the new slot, a free one this thread holds or pops: the pin of `a`
/// changes nothing for it), so that the view goes from the registers it is made in
/// straight into its slot. Returned out of the pin first (or out of a branch that
/// merges with another way of making it), it was copied through the stack, written a
/// word at a time and read back 16 bytes at a time: loads that cannot take their data
/// from the stores just made (row 3 took 48 to 57 ns so, against 45 before).
#[inline(always)]
pub(crate) fn pinned_summary(
    thread: &Thread,
    a: mm_array,
    f: impl FnOnce(&View, &[u64; SUMMARY_WORDS]) -> Option<mm_array>,
) -> Option<mm_array> {
    REGISTRY
        .with_summary_in(thread, a, |e, parent| f(&e.view, parent))
        .flatten()
}

/// [`register_derived`] with no failure worded (`None`: too many handles), for
/// [`pinned_summary`]: `view` derives from the pinned handle, with `summary`.
#[inline(always)]
pub(crate) fn insert_derived(
    thread: &Thread,
    view: View,
    summary: [u64; SUMMARY_WORDS],
) -> Option<mm_array> {
    REGISTRY.insert_summarised_in(thread, Entry::new(view), summary)
}

#[cold]
#[inline(never)]
fn too_many_handles(call: &str) -> Fail {
    Fail::new(
        MM_E_IO,
        format!("{call}: too many open handles (4294967294)"),
    )
}

/// [`summary_of`] `view`, given the summary of a view of the same mapping and dtype:
/// what the two share (itemsize, offset, mode, and the writeable and native-order bits)
/// is copied from it, the rest computed (tested against `summary_of`:
/// `derived_summary_is_summary_of`).
#[inline]
pub(crate) fn derived_summary(parent: &[u64; SUMMARY_WORDS], view: &View) -> [u64; SUMMARY_WORDS] {
    let data = view.data_ptr() as usize;
    let flags = view.layout_flags_at(data);
    summary_with(parent, view, data, flags)
}

/// [`derived_summary`] for `view`, a slice of `base` (whose summary is `parent`) whose
/// sliced axis is now `sliced`. The data address moves by as much as the first
/// element's position (the same mapping). When `base` is aligned and has elements, so
/// is every slice of it, and the dtype's alignment is not looked at. (A slice's first
/// element is an element of the view, or the slice is empty; a slice's new stride is
/// the axis's stride times the step, on an axis longer than 1, whose stride is then a
/// multiple of the alignment, or else the slice has at most one element there and the
/// stride does not count.) A slice of a 1-D view is 1-D, `sliced` its one axis: its
/// summary is made from `sliced` alone (as `layout::layout_flags` answers a 1-D view),
/// without reading the new view's dimensions back. Tested against `summary_of`
/// (`derived_summary_is_summary_of`).
#[inline(always)]
pub(crate) fn slice_summary(
    parent: &[u64; SUMMARY_WORDS],
    base: &View,
    view: &View,
    sliced: SlicedAxis,
) -> [u64; SUMMARY_WORDS] {
    if let Some(summary) = slice_summary_1d(parent, base, sliced, view.position()) {
        return summary;
    }
    if !aligned_with_elements(parent) {
        return derived_summary(parent, view);
    }
    let data = slice_data(parent, base, view.position());
    let itemsize = parent[word::ITEMSIZE] as usize;
    // Contiguity does not depend on the alignment: 1 stands for "no alignment asked".
    let (c, f, _) = crate::layout::layout_flags(data, view.shape(), view.strides(), itemsize, 1);
    summary_with(parent, view, data, (c, f, true))
}

/// [`slice_summary`] of a slice of `base` (whose summary is `parent`) when `base` is
/// 1-D, aligned and has elements: made from `sliced` and the slice's position alone
/// (before the slice is made: mm_slice makes it where it stores it). `None` otherwise.
#[inline(always)]
pub(crate) fn slice_summary_1d(
    parent: &[u64; SUMMARY_WORDS],
    base: &View,
    sliced: SlicedAxis,
    position: i64,
) -> Option<[u64; SUMMARY_WORDS]> {
    if !aligned_with_elements(parent) || parent[word::FLAGS_MODE] >> word::NDIM_SHIFT != 1 {
        return None;
    }
    let data = slice_data(parent, base, position);
    let itemsize = parent[word::ITEMSIZE];
    let contiguous = sliced.len <= 1 || (sliced.stride >= 0 && sliced.stride as u64 == itemsize);
    let flags = (contiguous, contiguous, true);
    Some(summary_from(parent, data, sliced.len as u64, 1, flags))
}

/// Whether the view whose summary is `parent` is aligned and has elements: then so is
/// every slice of it ([`slice_summary`]).
#[inline(always)]
fn aligned_with_elements(parent: &[u64; SUMMARY_WORDS]) -> bool {
    parent[word::FLAGS_MODE] & u64::from(MM_ALIGNED) != 0 && parent[word::SIZE] != 0
}

/// The data address of a slice of `base` (whose summary is `parent`) at `position`:
/// the base's, moved by as much as the position (the same mapping).
#[inline(always)]
fn slice_data(parent: &[u64; SUMMARY_WORDS], base: &View, position: i64) -> usize {
    let moved = position.wrapping_sub(base.position());
    (parent[word::DATA] as usize).wrapping_add(moved as usize)
}

/// The summary of `view`, whose data address is `data` and layout flags `flags`, given
/// the summary of a view of the same mapping and dtype.
#[inline]
fn summary_with(
    parent: &[u64; SUMMARY_WORDS],
    view: &View,
    data: usize,
    flags: (bool, bool, bool),
) -> [u64; SUMMARY_WORDS] {
    let ndim = view.shape().len() as u64;
    summary_from(parent, data, view.size() as u64, ndim, flags)
}

/// The summary of a view of `size` elements in `ndim` dimensions, whose data address
/// is `data` and layout flags `flags`, given the summary of a view of the same mapping
/// and dtype.
#[inline]
fn summary_from(
    parent: &[u64; SUMMARY_WORDS],
    data: usize,
    size: u64,
    ndim: u64,
    (c, f, aligned): (bool, bool, bool),
) -> [u64; SUMMARY_WORDS] {
    let itemsize = parent[word::ITEMSIZE];
    let bit = |on: bool, b: u32| u64::from(if on { b } else { 0 });
    let kept = u64::from(MM_WRITEABLE | MM_NATIVE_ORDER) | 0xff << word::MODE_SHIFT;
    let mut s = *parent;
    s[word::DATA] = data as u64;
    s[word::SIZE] = size;
    // Cannot overflow: checked when the view was made (View::nbytes).
    s[word::NBYTES] = size.wrapping_mul(itemsize);
    s[word::FLAGS_MODE] = parent[word::FLAGS_MODE] & kept
        | bit(c, MM_C_CONTIGUOUS)
        | bit(f, MM_F_CONTIGUOUS)
        | bit(aligned, MM_ALIGNED)
        | ndim << word::NDIM_SHIFT;
    s
}

/// Runs `f` on the entry of `a`, or fails with MM_E_BAD_HANDLE naming `call`.
#[inline]
pub(crate) fn with_entry<R>(
    call: &str,
    a: mm_array,
    f: impl FnOnce(&Entry) -> Result<R, Fail>,
) -> Result<R, Fail> {
    with_entry_from(None, call, a, f)
}

/// [`with_entry`] by the calling thread, whose state `thread` is (from
/// [`super::boundary::guard_in`] or [`super::boundary::guard_io_in`]): the pin then
/// looks no thread-local up (its hazard record is kept in the thread's state).
#[inline]
pub(crate) fn with_entry_in<R>(
    thread: &Thread,
    call: &str,
    a: mm_array,
    f: impl FnOnce(&Entry) -> Result<R, Fail>,
) -> Result<R, Fail> {
    with_entry_from(Some(thread), call, a, f)
}

/// [`with_entry`], by the thread whose state is `thread` when the caller has it at hand.
#[inline]
fn with_entry_from<R>(
    thread: Option<&Thread>,
    call: &str,
    a: mm_array,
    f: impl FnOnce(&Entry) -> Result<R, Fail>,
) -> Result<R, Fail> {
    REGISTRY
        .with_from(thread, a, f)
        .unwrap_or_else(|| Err(bad_handle(call, a)))
}

/// Runs one operation on the view of `a`, for calls whose result is a value or just a
/// status: a bad handle or a core error fails naming `call` and the handle.
#[inline]
pub(crate) fn on_view<R>(
    call: &str,
    a: mm_array,
    op: impl FnOnce(&View) -> crate::error::Result<R>,
) -> Result<R, Fail> {
    on_view_from(None, call, a, op)
}

/// [`on_view`] by the calling thread, whose state `thread` is ([`with_entry_in`]).
#[inline]
pub(crate) fn on_view_in<R>(
    thread: &Thread,
    call: &str,
    a: mm_array,
    op: impl FnOnce(&View) -> crate::error::Result<R>,
) -> Result<R, Fail> {
    on_view_from(Some(thread), call, a, op)
}

#[inline]
fn on_view_from<R>(
    thread: Option<&Thread>,
    call: &str,
    a: mm_array,
    op: impl FnOnce(&View) -> crate::error::Result<R>,
) -> Result<R, Fail> {
    with_entry_from(thread, call, a, |e| {
        op(&e.view).map_err(|err| Fail::core(&format!("{call}(handle {a:#x})"), err))
    })
}

/// Closes `a`, by the calling thread (whose state `thread` is, from
/// [`super::boundary::guard_in`]): its entry goes when the last thread inside it leaves.
pub(crate) fn unregister(thread: &Thread, call: &str, a: mm_array) -> Result<(), Fail> {
    if REGISTRY.remove_in(thread, a) {
        Ok(())
    } else {
        Err(bad_handle(call, a))
    }
}

/// Number of handles open in the process.
pub(crate) fn live() -> usize {
    REGISTRY.live()
}

fn bad_handle(call: &str, a: mm_array) -> Fail {
    Fail::new(
        MM_E_BAD_HANDLE,
        format!(
            "{call}(handle {a:#x}): the handle is not open (0, already closed, or never issued)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Order;
    use crate::mapping::OpenSpec;

    /// register and register_in make a handle for a scalar and a record dtype alike
    /// (the NUL scan that only a record's text gets finds none: a name's NUL is printed
    /// escaped, as Python's repr does, and a literal one is refused by the parser).
    #[test]
    fn register_in_registers_scalar_and_record() {
        let tmp = crate::test_tempdir::TempDir::new("register-in");
        let path = tmp.path("a");
        std::fs::write(&path, vec![0u8; 64]).unwrap();
        let open = |dtype: &str| {
            let spec = OpenSpec {
                dtype: DType::parse(dtype).unwrap(),
                mode: Mode::ReadOnly,
                offset: 0,
                shape: None,
                order: Order::C,
            };
            View::open(&path, &spec).unwrap()
        };
        let record = "[('a\\x00b', '<f8')]";
        let typestr = DType::parse(record).unwrap().typestr().to_owned();
        assert_eq!(typestr, "[('a\\x00b', '<f8')]");
        assert!(DType::parse("[('a\0b', '<f8')]").is_err());
        for dtype in ["<f8", record] {
            let a = Thread::with(|t| register_in(t, open(dtype), "f")).unwrap();
            let b = register(open(dtype), "f").unwrap();
            assert_ne!(a, b);
            assert_eq!(REGISTRY.with(a, |e| e.view.size()), Some(8));
            assert!(REGISTRY.remove(a));
            assert!(REGISTRY.remove(b));
        }
    }

    /// The summary of a slice or a view keeping the dtype, made from its base's, is
    /// the one computed from scratch: every mode, native and swapped, scalar and
    /// record dtypes, aligned and not, 0 to 3 dimensions, empty views.
    #[test]
    fn derived_summary_is_summary_of() {
        let tmp = crate::test_tempdir::TempDir::new("derived-summary");
        let mut checked = 0;
        let mut flags_seen = std::collections::HashSet::new();
        for (k, (dtype, mode)) in [
            ("<f8", Mode::Write),
            (">f8", Mode::ReadOnly),
            ("<i4", Mode::ReadWrite),
            ("|u1", Mode::CopyOnWrite),
            ("[('a', '<i4'), ('b', '>f8')]", Mode::ReadWrite),
        ]
        .into_iter()
        .enumerate()
        {
            let dtype = DType::parse(dtype).unwrap();
            let path = tmp.path(&format!("a{k}"));
            if mode != Mode::Write {
                std::fs::write(&path, vec![0u8; 4096]).unwrap();
            }
            let itemsize = dtype.itemsize() as i64;
            let spec = OpenSpec {
                dtype,
                mode,
                offset: 4,
                shape: Some(vec![(4096 - 8) / itemsize as usize]),
                order: Order::C,
            };
            let file = View::open(&path, &spec).unwrap();
            let s = itemsize;
            let bases = [
                file.clone(),
                file.view(None, 0, &[], None).unwrap(),
                file.view(None, 0, &[4, 5], None).unwrap(),
                file.view(None, 1, &[4, 5], Some(&[s, 4 * s])).unwrap(),
                file.view(None, 10 * s, &[2, 3, 2], Some(&[-s, 2 * s, 0]))
                    .unwrap(),
                file.view(None, 0, &[3, 0], None).unwrap(),
                // Aligned: the odd stride is on an axis of length 1.
                file.view(None, 0, &[4, 1], Some(&[s, 3])).unwrap(),
                // 1-D, not contiguous: reversed, strided, stride 0.
                file.view(None, 8 * s, &[6], Some(&[-s])).unwrap(),
                file.view(None, s, &[5], Some(&[2 * s])).unwrap(),
                file.view(None, 0, &[4], Some(&[0])).unwrap(),
            ];
            for base in &bases {
                let parent = summary_of(base);
                let mut check = |child: View| {
                    let want = summary_of(&child);
                    assert_eq!(derived_summary(&parent, &child), want, "{child:?}");
                    flags_seen.insert(want[word::FLAGS_MODE] & 0xff);
                    checked += 1;
                };
                for axis in 0..base.shape().len() {
                    for (start, stop, step) in
                        [(0, 9, 1), (1, 4, 2), (9, 0, -1), (2, 2, 1), (1, 2, 1)]
                    {
                        let (child, sliced) =
                            base.slice_axis_in(None, axis, start, stop, step).unwrap();
                        let want = summary_of(&child);
                        assert_eq!(
                            slice_summary(&parent, base, &child, sliced),
                            want,
                            "{child:?}"
                        );
                        check(child);
                    }
                }
                let size = base.size();
                check(base.view(None, 0, &[size], None).unwrap());
                check(base.view(None, 0, &[], None).unwrap());
                check(base.view(None, 0, &[1, size], Some(&[7, s])).unwrap());
            }
        }
        // Slices of every axis of the ten bases (1 + 0 + 2 + 2 + 3 + 2 + 2 + 1 + 1 + 1
        // axes), three views of each.
        assert_eq!(checked, 5 * (5 * 15 + 3 * 10));
        // Contiguous or not, aligned or not, writeable or not, native or not.
        assert!(flags_seen.len() >= 8, "{flags_seen:?}");
    }
}
