//! The panic boundary: [`guard`], the failure of a call ([`Fail`]) and the calling
//! thread's last error, which every exported function goes through.

use std::cell::RefCell;
use std::ffi::{CStr, CString};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};

use super::status::*;
use crate::error::{ErrorKind, MmError};
use crate::registry::Thread;

/// A failed call as the C caller sees it.
#[derive(Debug)]
pub(crate) struct Fail {
    pub status: mm_status,
    pub message: String,
    pub os_error: i32,
}

impl Fail {
    pub fn new(status: mm_status, message: impl Into<String>) -> Fail {
        Fail {
            status,
            message: message.into(),
            os_error: 0,
        }
    }

    /// The same failure with its message naming `call` instead of the bare function
    /// name it started with (`mm_open: ...` becomes `mm_open("/a/b"): ...`).
    pub fn in_call(mut self, call: &str) -> Fail {
        let name_len = call.find('(').unwrap_or(call.len());
        if self.message.starts_with(&call[..name_len]) {
            self.message = format!("{call}{}", &self.message[name_len..]);
        }
        self
    }

    /// A core error, its message prefixed with the call (`mm_open("/a/b")`).
    pub fn core(call: &str, err: MmError) -> Fail {
        Fail {
            status: status_of(err.kind),
            message: format!("{call}: {}", err.message),
            os_error: err.os_error,
        }
    }
}

fn status_of(kind: ErrorKind) -> mm_status {
    match kind {
        ErrorKind::InvalidArg => MM_E_INVALID_ARG,
        ErrorKind::NotFound => MM_E_NOT_FOUND,
        ErrorKind::Permission => MM_E_PERMISSION,
        ErrorKind::Io => MM_E_IO,
        ErrorKind::FileTooSmall => MM_E_FILE_TOO_SMALL,
        ErrorKind::SizeMismatch => MM_E_SIZE_MISMATCH,
        ErrorKind::ReadOnly => MM_E_READ_ONLY,
        ErrorKind::Format => MM_E_FORMAT,
        ErrorKind::Unsupported => MM_E_UNSUPPORTED,
        ErrorKind::OutOfBounds => MM_E_OUT_OF_BOUNDS,
    }
}

struct LastError {
    message: CString,
    os_error: i32,
}

thread_local! {
    static LAST_ERROR: RefCell<LastError> = RefCell::new(LastError { message: CString::default(), os_error: 0 });
    /// Where the last panic inside guard() happened, filled by the panic hook.
    static PANIC_AT: RefCell<Option<String>> = const { RefCell::new(None) };
}

pub(crate) fn set_last_error(fail: Fail) {
    let bytes: Vec<u8> = fail
        .message
        .into_bytes()
        .into_iter()
        .map(|b| if b == 0 { b'?' } else { b })
        .collect();
    let message = CString::new(bytes).unwrap_or_default();
    // try_with: a call made while the thread is being torn down must not panic here.
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            slot.message = message;
            slot.os_error = fail.os_error;
        }
    });
}

/// A one-time initialisation that is safe across fork(): like std's `Once`, a thread
/// that finds another thread of its process inside `init` waits for it; but a child
/// forked while a thread of its parent was inside `init` does not wait (that thread does
/// not exist in the child, and `Once` would wait for it forever: 1 child in 1000 of
/// c_tests/test_fork.c hung so). The child goes on without what `init` sets up, which
/// must therefore be optional for it. The word holds the initialiser's pid and a state.
pub(crate) struct ForkSafeOnce(AtomicU64);

impl ForkSafeOnce {
    const BUSY: u64 = 1;
    const DONE: u64 = 2;

    pub(crate) const fn new() -> ForkSafeOnce {
        ForkSafeOnce(AtomicU64::new(0))
    }

    /// Runs `init` unless it ran (or runs) already. Inline: after the first call this is
    /// one load and one compare at every guarded call.
    #[inline]
    pub(crate) fn call(&self, init: impl FnOnce()) {
        if self.0.load(Ordering::Acquire) != Self::DONE {
            self.call_first(init);
        }
    }

    /// Whether `init` ran to its end in this process (one load).
    #[inline(always)]
    pub(crate) fn is_done(&self) -> bool {
        self.0.load(Ordering::Acquire) == Self::DONE
    }

    #[cold]
    #[inline(never)]
    fn call_first(&self, init: impl FnOnce()) {
        let me = u64::from(std::process::id());
        let busy = me << 8 | Self::BUSY;
        match self
            .0
            .compare_exchange(0, busy, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => {
                init();
                self.0.store(Self::DONE, Ordering::Release);
            }
            Err(mut now) => {
                while now & 0xff == Self::BUSY && now >> 8 == me {
                    std::thread::yield_now();
                    now = self.0.load(Ordering::Acquire);
                }
            }
        }
    }
}

/// Installs, once, a panic hook that stays silent for panics inside guard() (recording
/// their location instead) and hands every other panic to the hook that was there before.
/// (In a child forked while its parent installed the hook, a panic is still caught and
/// returned as MM_E_PANIC; only its message may also be printed.)
fn install_panic_hook() {
    static ONCE: ForkSafeOnce = ForkSafeOnce::new();
    ONCE.call(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            // How deep this thread is inside guard(): kept in the thread's state, which
            // never refuses access (src/registry/spare.rs).
            let inside = Thread::with(|t| t.depth() > 0);
            if inside {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                let _ = PANIC_AT.try_with(|p| *p.borrow_mut() = Some(at));
            } else {
                previous(info);
            }
        }));
    });
}

/// The value an export returns when its body fails, given by its return type: the
/// status itself for an `mm_status`, 0 for a count or a number, NULL for a pointer.
/// Calls whose failure value is something else (a text that is never NULL, an errno
/// that must not be mistaken for a status) use [`guard_or`].
pub(crate) trait FailValue {
    fn fail_value(status: mm_status) -> Self;
}

impl FailValue for mm_status {
    fn fail_value(status: mm_status) -> Self {
        status
    }
}

macro_rules! zero_on_failure {
    ($($t:ty),*) => {$(
        impl FailValue for $t {
            fn fail_value(_: mm_status) -> Self {
                0
            }
        }
    )*};
}
zero_on_failure!(usize, u32, u64);

impl<T> FailValue for *const T {
    fn fail_value(_: mm_status) -> Self {
        std::ptr::null()
    }
}

impl<T> FailValue for *mut T {
    fn fail_value(_: mm_status) -> Self {
        std::ptr::null_mut()
    }
}

/// The panic boundary every exported function goes through, named once: `body` gets
/// the function's name (for its messages) and returns the value for C, or a failure
/// that is recorded as the thread's last error and answered with the return type's
/// [`FailValue`]. A panic becomes MM_E_PANIC.
pub(crate) fn guard<R: FailValue>(
    name: &'static str,
    body: impl FnOnce(&'static str) -> Result<R, Fail>,
) -> R {
    run_guarded(name, |name, _| body(name)).unwrap_or_else(R::fail_value)
}

/// [`guard`] handing `body` the calling thread's state too, which guard looks up anyway:
/// the registry calls that take it (`insert_summarised_in`, `remove_in`) then need no
/// thread-local lookup of their own (mm_slice, mm_view and mm_close are hot paths).
pub(crate) fn guard_in<R: FailValue>(
    name: &'static str,
    body: impl FnOnce(&'static str, &Thread) -> Result<R, Fail>,
) -> R {
    run_guarded(name, body).unwrap_or_else(R::fail_value)
}

/// [`guard`] for a call that may block in a system call that POSIX makes a thread
/// cancellation point (open, read, write, pread, fsync, msync, close...): the calling
/// thread's cancellation is deferred for the length of the call. A `pthread_cancel`
/// that arrives meanwhile takes effect at the caller's next cancellation point after
/// the call returns; without this, the cancellation's forced unwind would meet the
/// panic boundary and glibc would abort the process. (Windows has no thread
/// cancellation: nothing to defer there.) A call whose path reaches no cancellation
/// point for some arguments may skip the deferral for exactly those:
/// [`guard_cancel_free_in`].
pub(crate) fn guard_io<R: FailValue>(
    name: &'static str,
    body: impl FnOnce(&'static str) -> Result<R, Fail>,
) -> R {
    guard_io_in(name, |name, _| body(name))
}

/// [`guard_io`] handing `body` the calling thread's state too (see [`guard_in`]).
pub(crate) fn guard_io_in<R: FailValue>(
    name: &'static str,
    body: impl FnOnce(&'static str, &Thread) -> Result<R, Fail>,
) -> R {
    let _deferred = super::threads::CancellationDeferred::new();
    guard_in(name, body)
}

/// [`guard_io_in`] for a call that defers cancellation only when `cancel_free` is
/// false. A call may pass `cancel_free` true only for arguments whose whole path (its
/// failures included) has been checked to reach no thread cancellation point: no
/// open(3), read, write, pread, close(3), fsync, msync, fallocate, getrandom... of
/// glibc, nor std code that calls them (dropping a `File`, a `HashSet`'s first
/// RandomState in a thread). Such a call needs no deferral: a cancellation that arrives
/// meanwhile stays pending until the caller's next cancellation point, exactly as with
/// the deferral, and the two `pthread_setcancelstate` calls (a locked compare-and-swap
/// each, ~20 ns a pair) are saved. mm_open and mm_open_ex use it (see
/// `reaches_no_cancellation_point` in src/ffi/open.rs for the cases, RELIABILITY.md
/// defect 5); c_tests/test_cancel_free.c calls each such case with a cancellation
/// pending and aborts if a cancellation point is put back on its path.
#[inline(always)]
pub(crate) fn guard_cancel_free_in<R: FailValue>(
    name: &'static str,
    cancel_free: bool,
    body: impl FnOnce(&'static str, &Thread) -> Result<R, Fail>,
) -> R {
    // One copy of `body` either way (mm_open's is large).
    let _deferred = (!cancel_free).then(super::threads::CancellationDeferred::new);
    guard_in(name, body)
}

/// [`guard`] for a call that answers every failure with `fallback`.
pub(crate) fn guard_or<R>(
    name: &'static str,
    fallback: R,
    body: impl FnOnce(&'static str) -> Result<R, Fail>,
) -> R {
    run_guarded(name, |name, _| body(name)).unwrap_or(fallback)
}

/// Runs `body` inside the panic boundary; a failure (or a caught panic) is recorded as
/// the thread's last error and its status returned.
fn run_guarded<R>(
    name: &'static str,
    body: impl FnOnce(&'static str, &Thread) -> Result<R, Fail>,
) -> Result<R, mm_status> {
    install_panic_hook();
    // A call made while this thread's locals are being destroyed (from a C++
    // thread_local destructor, say) must still work rather than abort: the thread's
    // state has no destructor and is never refused (src/registry/spare.rs).
    let result = Thread::with(|thread| {
        thread.set_depth(thread.depth() + 1);
        let result = panic::catch_unwind(AssertUnwindSafe(|| body(name, thread)));
        thread.set_depth(thread.depth() - 1);
        result
    });
    match result {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(fail)) => Err(failed(fail)),
        Err(payload) => Err(failed(panicked(name, payload))),
    }
}

/// Records `fail` as the thread's last error; its status. Out of line (one copy for
/// every export), so that the success paths carry none of it.
#[cold]
#[inline(never)]
fn failed(fail: Fail) -> mm_status {
    let status = fail.status;
    set_last_error(fail);
    status
}

/// The failure a panic caught inside guard() becomes.
#[cold]
#[inline(never)]
fn panicked(name: &str, payload: Box<dyn std::any::Any + Send>) -> Fail {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    let at = PANIC_AT
        .try_with(|p| p.borrow_mut().take())
        .ok()
        .flatten()
        .unwrap_or_default();
    // Dropping a payload can itself panic; never let that escape.
    let _ = panic::catch_unwind(AssertUnwindSafe(move || drop(payload)));
    Fail::new(
        MM_E_PANIC,
        format!("{name}: internal error (please report): {what} at {at}"),
    )
}

/// Runs `f` on this thread's last error: its message (NUL-terminated) and errno.
pub(crate) fn with_last_error<R>(f: impl FnOnce(&CStr, i32) -> R) -> R {
    LAST_ERROR.with(|slot| {
        let slot = slot.borrow();
        f(&slot.message, slot.os_error)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_turns_panic_into_status() {
        let status = guard("mm_test", |_| -> Result<mm_status, Fail> {
            panic!("boom {}", 7)
        });
        assert_eq!(status, MM_E_PANIC);
        let msg = with_last_error(|m, _| m.to_str().unwrap().to_string());
        assert!(msg.starts_with("mm_test: internal error"), "{msg}");
        assert!(
            msg.contains("boom 7") && msg.contains("src/ffi/boundary.rs:"),
            "{msg}"
        );
    }

    #[test]
    fn fork_safe_once_runs_once_and_others_wait_for_it() {
        static ONCE: ForkSafeOnce = ForkSafeOnce::new();
        static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let threads: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(|| {
                    ONCE.call(|| {
                        std::thread::sleep(std::time::Duration::from_millis(50));
                        RUNS.fetch_add(1, Ordering::SeqCst);
                    });
                    // Whoever returns finds init done: the others waited for it.
                    RUNS.load(Ordering::SeqCst)
                })
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap(), 1);
        }
        // A word left busy by another process (a parent that forked mid-init) is not
        // waited for.
        let orphan = ForkSafeOnce(AtomicU64::new(
            u64::from(u32::MAX) << 8 | ForkSafeOnce::BUSY,
        ));
        orphan.call(|| panic!("init must not run again"));
    }

    #[test]
    fn failure_value_follows_the_return_type() {
        fn fail<R>(_: &str) -> Result<R, Fail> {
            Err(Fail::new(MM_E_IO, "x"))
        }
        assert_eq!(guard::<mm_status>("mm_test", fail), MM_E_IO);
        assert_eq!(guard::<usize>("mm_test", fail), 0);
        assert!(guard::<*const u8>("mm_test", fail).is_null());
        assert_eq!(guard_or("mm_test", 7i32, fail), 7);
        assert_eq!(guard("mm_test", |name| Ok(name.len())), 7);
    }
}
