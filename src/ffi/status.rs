//! The types every call uses and the status codes. A handle (mm_array) names one view
//! of a mapping; 0 is never a valid handle. Every fallible call returns an mm_status:
//! MM_OK (0) or one of the MM_E_* codes below, in numeric order (codes are only ever
//! added, never renumbered). mm_status_str() gives a short text for each code;
//! mm_last_error_message() says what went wrong in detail. The last constants are the
//! bits mm_flags() reports.

#![allow(non_camel_case_types)]

/// Handle of one view of a mapping. 0 is never a valid handle.
pub type mm_array = u64;

/// Result of a fallible call: MM_OK (0) or one of the MM_E_* codes.
pub type mm_status = i32;

/// Success.
pub const MM_OK: mm_status = 0;
/// A bad mode, dtype, order, shape, strides or other argument; NULL where a value is
/// required; or an arithmetic overflow of shape x itemsize or offset + nbytes.
pub const MM_E_INVALID_ARG: mm_status = 1;
/// The file does not exist.
pub const MM_E_NOT_FOUND: mm_status = 2;
/// The OS refused access (EACCES, EPERM, EROFS).
pub const MM_E_PERMISSION: mm_status = 3;
/// Any other OS error; mm_last_os_error() gives errno.
pub const MM_E_IO: mm_status = 4;
/// Modes r and c: offset + nbytes (or the offset itself) lies past the end of the file.
pub const MM_E_FILE_TOO_SMALL: mm_status = 5;
/// Shape inferred, and (file size - offset) is not a multiple of the itemsize.
pub const MM_E_SIZE_MISMATCH: mm_status = 6;
/// An operation that needs a writable view was asked of a read-only one.
pub const MM_E_READ_ONLY: mm_status = 7;
/// A malformed file header.
pub const MM_E_FORMAT: mm_status = 8;
/// A dtype that cannot be mapped (object), or a feature this platform lacks.
pub const MM_E_UNSUPPORTED: mm_status = 9;
/// The handle is 0, closed, or was never issued.
pub const MM_E_BAD_HANDLE: mm_status = 10;
/// A view, slice or byte range would reach outside the mapped array.
pub const MM_E_OUT_OF_BOUNDS: mm_status = 11;
/// An internal bug, caught at the library boundary; the message says where.
pub const MM_E_PANIC: mm_status = 99;

/// mm_flags bit: the array may be written through mm_data.
pub const MM_WRITEABLE: u32 = 1;
/// mm_flags bit: C-contiguous (numpy's rule: length-1 axes are ignored).
pub const MM_C_CONTIGUOUS: u32 = 2;
/// mm_flags bit: Fortran-contiguous.
pub const MM_F_CONTIGUOUS: u32 = 4;
/// mm_flags bit: the data address and strides are multiples of the dtype's alignment.
pub const MM_ALIGNED: u32 = 8;
/// mm_flags bit: the dtype is in the machine's byte order (or has none).
pub const MM_NATIVE_ORDER: u32 = 16;
