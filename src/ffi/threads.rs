//! The two thread facilities of the C layer that differ by OS: deferring POSIX thread
//! cancellation for the length of a call, and the fork handlers of the handle registry.
//! Windows has neither thread cancellation nor fork: both are no-ops there.

pub(crate) use imp::{at_fork, CancellationDeferred};

#[cfg(unix)]
mod imp {
    /// Disables the calling thread's cancellation until dropped, then restores its state.
    pub(crate) struct CancellationDeferred(std::ffi::c_int);

    #[cfg(target_os = "linux")]
    const PTHREAD_CANCEL_DISABLE: std::ffi::c_int = 1;
    #[cfg(target_vendor = "apple")]
    const PTHREAD_CANCEL_DISABLE: std::ffi::c_int = 0;

    extern "C" {
        // Not in the libc crate for Linux; POSIX, in every libc this library builds on.
        fn pthread_setcancelstate(
            state: std::ffi::c_int,
            old: *mut std::ffi::c_int,
        ) -> std::ffi::c_int;
    }

    impl CancellationDeferred {
        pub(crate) fn new() -> CancellationDeferred {
            let mut old = 0;
            // SAFETY: `old` is a valid out-parameter; the call only changes this thread's
            // state.
            unsafe { pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &mut old) };
            CancellationDeferred(old)
        }
    }

    impl Drop for CancellationDeferred {
        fn drop(&mut self) {
            let mut ignored = 0;
            // SAFETY: as in `new`; restores the state this thread had before the call.
            unsafe { pthread_setcancelstate(self.0, &mut ignored) };
        }
    }

    /// pthread_atfork(before, parent, child).
    pub(crate) fn at_fork(
        before: extern "C" fn(),
        parent: extern "C" fn(),
        child: extern "C" fn(),
    ) {
        // SAFETY: the handlers are plain functions that never unwind.
        unsafe { libc::pthread_atfork(Some(before), Some(parent), Some(child)) };
    }
}

#[cfg(windows)]
mod imp {
    /// Windows threads cannot be cancelled: nothing to defer.
    pub(crate) struct CancellationDeferred;

    impl CancellationDeferred {
        pub(crate) fn new() -> CancellationDeferred {
            CancellationDeferred
        }
    }

    /// Windows has no fork: no handlers to install.
    pub(crate) fn at_fork(
        _before: extern "C" fn(),
        _parent: extern "C" fn(),
        _child: extern "C" fn(),
    ) {
    }
}
