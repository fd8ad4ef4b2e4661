//! mmarray: numpy.memmap semantics for programs that are not written in Python.
//!
//! The safe Rust core (`dtype`, `layout`, `mapping`, `view`) opens a file as an
//! n-dimensional typed array exactly as `numpy.memmap` would and hands out views that
//! share one reference-counted mapping. The `ffi` module puts a C ABI over it (see
//! `include/mmarray.h`); the core knows nothing about C.

// Every `unsafe` block of the library (and of its unit tests) says why it is sound. The
// integration tests under tests/ call the C API through an unsafe block on nearly every
// line; their safety argument is the contract in include/mmarray.h, so they are exempt.
#![deny(clippy::undocumented_unsafe_blocks)]

pub mod dtype;
pub mod error;
pub mod guarded;
pub mod layout;
pub mod mapping;
pub mod npy;
pub mod npz;
mod one_spare;
mod platform;
pub mod pyliteral;
pub mod registry;
pub mod replace;
pub mod safecopy;
pub(crate) mod shared_count;
pub mod view;

// Under `--cfg loom`, the unit tests model-check the handle registry alone: the C ABI
// around it needs std's const-constructible primitives.
#[cfg(not(all(test, loom)))]
pub mod ffi;

// What the unit tests share with the integration tests (tests/support/): a temporary
// directory removed when dropped, and the wait for a forked child's first thread to end.
#[cfg(all(test, target_os = "linux"))]
#[path = "../tests/support/leader.rs"]
mod test_leader;
#[cfg(test)]
#[path = "../tests/support/tempdir.rs"]
mod test_tempdir;

pub use dtype::{ByteOrder, DType};
pub use error::{ErrorKind, MmError, Result};
pub use layout::Order;
pub use mapping::{Advice, Mapping, Mode, OpenFlags, OpenSpec};
pub use view::{Flags, View};
