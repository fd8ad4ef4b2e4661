//! The C ABI over the core, one file per area of the header.
//!
//! Arrows point one way: the area files (`errors`, `open`, `getters`, `views`,
//! `control`, `guarded`, `npy`, `grow`, `npz`, `fields`, `dlpack`, `version`) use the shared helpers
//! (`boundary`, `args`, `handles`, `threads`), which use the core. No area file imports another.
//! This layer turns C arguments into validated Rust values and core results into status
//! codes; it knows nothing about files.
//!
//! The header is generated from these files by cbindgen, in the order `build.rs` lists
//! them (`status` first, then the areas as a reader needs them).

mod args;
mod boundary;
mod handles;
mod threads;

pub mod control;
pub mod describe;
pub mod dlpack;
pub mod errors;
pub mod fields;
pub mod getters;
pub mod grow;
pub mod guarded;
pub mod npy;
pub mod npz;
pub mod open;
pub mod status;
pub mod version;
pub mod views;

pub use status::*;
// The whole C API as one flat namespace for Rust callers (the tests), as in the header.
pub use control::*;
pub use describe::*;
pub use dlpack::*;
pub use errors::*;
pub use fields::*;
pub use getters::*;
pub use grow::*;
pub use guarded::*;
pub use npy::*;
pub use npz::*;
pub use open::*;
pub use version::*;
pub use views::*;
