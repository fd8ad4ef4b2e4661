//! Failures as Zig errors: the library's statuses under the standard library's names
//! where the OS refused, and what the library says about the last failure.
const std = @import("std");
const c = @import("c");

/// The OS's refusals carry the standard library's names (std.fs and std.posix use the
/// same ones): MM_E_NOT_FOUND is error.FileNotFound, MM_E_PERMISSION error.AccessDenied,
/// and MM_E_IO by its errno (mm_last_os_error(), also osError()): ENOSPC
/// error.NoSpaceLeft, EDQUOT error.DiskQuota, EFBIG error.FileTooBig, EISDIR error.IsDir,
/// ENODEV error.NoDevice, ENOMEM error.SystemResources, anything else
/// error.InputOutput. The other names are the library's own statuses.
pub const Error = error{
    InvalidArg,
    FileNotFound,
    AccessDenied,
    InputOutput,
    NoSpaceLeft,
    DiskQuota,
    FileTooBig,
    IsDir,
    NoDevice,
    SystemResources,
    FileTooSmall,
    SizeMismatch,
    ReadOnly,
    Format,
    Unsupported,
    BadHandle,
    OutOfBounds,
    Panic,
    UnknownStatus,
    /// items(T) on an array whose elements are not T (mm_scalar_kind says which native
    /// scalar they are: a non-native byte order, a record, text... are none).
    DTypeMismatch,
    /// items(T) / bytes() on an array that is neither C- nor F-contiguous.
    NotContiguous,
    /// items(T) on an array whose data is not aligned for T (numpy allows an <f8 array at
    /// byte offset 3): use itemsUnaligned(T) or bytes().
    Misaligned,
};

pub fn check(status: c.mm_status) Error!void {
    return switch (status) {
        c.MM_OK => {},
        c.MM_E_INVALID_ARG => error.InvalidArg,
        c.MM_E_NOT_FOUND => error.FileNotFound,
        c.MM_E_PERMISSION => error.AccessDenied,
        c.MM_E_IO => ioError(c.mm_last_os_error()),
        c.MM_E_FILE_TOO_SMALL => error.FileTooSmall,
        c.MM_E_SIZE_MISMATCH => error.SizeMismatch,
        c.MM_E_READ_ONLY => error.ReadOnly,
        c.MM_E_FORMAT => error.Format,
        c.MM_E_UNSUPPORTED => error.Unsupported,
        c.MM_E_BAD_HANDLE => error.BadHandle,
        c.MM_E_OUT_OF_BOUNDS => error.OutOfBounds,
        c.MM_E_PANIC => error.Panic,
        else => error.UnknownStatus,
    };
}

const io_errors = [_]struct { std.posix.E, Error }{
    .{ .NOSPC, error.NoSpaceLeft }, .{ .DQUOT, error.DiskQuota },
    .{ .FBIG, error.FileTooBig },   .{ .ISDIR, error.IsDir },
    .{ .NODEV, error.NoDevice },    .{ .NOMEM, error.SystemResources },
};

/// std's name of the errno behind an MM_E_IO.
fn ioError(errno: i32) Error {
    for (io_errors) |entry| if (errno == @intFromEnum(entry[0])) return entry[1];
    return error.InputOutput;
}

/// The MM_E_* status behind err (error.NoSpaceLeft and the other errno names are
/// MM_E_IO); null for the binding's own DTypeMismatch, NotContiguous, Misaligned and for
/// UnknownStatus.
pub fn errorStatus(err: Error) ?c.mm_status {
    return switch (err) {
        error.InvalidArg => c.MM_E_INVALID_ARG,
        error.FileNotFound => c.MM_E_NOT_FOUND,
        error.AccessDenied => c.MM_E_PERMISSION,
        error.InputOutput, error.NoSpaceLeft, error.DiskQuota, error.FileTooBig, error.IsDir, error.NoDevice, error.SystemResources => c.MM_E_IO,
        error.FileTooSmall => c.MM_E_FILE_TOO_SMALL,
        error.SizeMismatch => c.MM_E_SIZE_MISMATCH,
        error.ReadOnly => c.MM_E_READ_ONLY,
        error.Format => c.MM_E_FORMAT,
        error.Unsupported => c.MM_E_UNSUPPORTED,
        error.BadHandle => c.MM_E_BAD_HANDLE,
        error.OutOfBounds => c.MM_E_OUT_OF_BOUNDS,
        error.Panic => c.MM_E_PANIC,
        error.UnknownStatus, error.DTypeMismatch, error.NotContiguous, error.Misaligned => null,
    };
}

/// The library's short text of a status (mm_status_str), e.g. "file not found" for
/// MM_E_NOT_FOUND; "unknown status" for a value that is none.
pub fn statusText(status: c.mm_status) [:0]const u8 {
    return std.mem.span(c.mm_status_str(status));
}

/// errno of the last failed call on this thread that the OS refused (0 when none).
pub fn osError() i32 {
    return c.mm_last_os_error();
}

/// The library's message for the last failed call on this thread (valid until the
/// next failure on this thread; lastErrorAlloc keeps a copy).
pub fn lastErrorMessage() []const u8 {
    return std.mem.span(c.mm_last_error_message());
}

/// A copy of the last failure's message on this thread (mm_last_error_copy), owned by
/// the caller: it outlives later failures. Free it with allocator.free.
pub fn lastErrorAlloc(allocator: std.mem.Allocator) std.mem.Allocator.Error![:0]u8 {
    // Only a failure on this thread changes the message: the length stays as asked.
    const needed = c.mm_last_error_copy(null, 0); // its NUL included: at least 1
    const buf = try allocator.allocSentinel(u8, needed - 1, 0);
    _ = c.mm_last_error_copy(buf.ptr, needed);
    return buf;
}
