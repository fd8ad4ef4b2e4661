//! The two thread facilities of the C layer that differ by OS: deferring POSIX thread
//! cancellation for the length of a call, and the fork handlers of the handle registry.
//! Windows has neither thread cancellation nor fork: both are no-ops there.

/// The deferral itself is platform code (src/platform: pthread_setcancelstate on POSIX,
/// nothing on Windows), which also defers for the /proc reads of a failed mmap's hint.
pub(crate) use crate::platform::CancellationDeferred;
pub(crate) use imp::at_fork;

#[cfg(unix)]
mod imp {
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
    /// Windows has no fork: no handlers to install.
    pub(crate) fn at_fork(
        _before: extern "C" fn(),
        _parent: extern "C" fn(),
        _child: extern "C" fn(),
    ) {
    }
}
