//! The handles the C caller holds: a registry of entries (a view and the C strings its
//! getters hand out), and the one way every call reaches the view behind a handle.

use std::cell::RefCell;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::sync::{Arc, Once};

use super::boundary::Fail;
use super::status::*;
use crate::dtype::DType;
use crate::registry::{ForkHold, Registry};
use crate::view::View;

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

static REGISTRY: Registry<Entry> = Registry::new();

// A registry slot is one 64-byte cache line when the entry fits in 56 bytes: per-view
// memory, and no false sharing between threads on neighbouring handles.
const _: () = assert!(std::mem::size_of::<Entry>() <= 56);

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
fn install_fork_handlers() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: the handlers are plain functions that never unwind.
        unsafe { libc::pthread_atfork(Some(before_fork), Some(after_fork), Some(after_fork)) };
    });
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
    let fields = field_texts(view.dtype());
    let names = Arc::new(Names {
        dtype,
        filename,
        fields,
    });
    register_with(view, names, call)
}

/// Registers `view`, whose dtype and file are those of `names`, and returns its handle.
pub(crate) fn register_with(view: View, names: Arc<Names>, call: &str) -> Result<mm_array, Fail> {
    install_fork_handlers();
    REGISTRY.insert(Entry { view, names }).ok_or_else(|| {
        Fail::new(
            MM_E_IO,
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

/// Closes `a`: its entry goes when the last thread inside it leaves.
pub(crate) fn unregister(call: &str, a: mm_array) -> Result<(), Fail> {
    if REGISTRY.remove(a) {
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
