//! Windows only: Array.openFile's descriptor. mm_open_fd takes a descriptor of msvcrt.dll,
//! the C runtime of the MinGW library (docs/c-api.md, Platforms), while a std.fs.File
//! holds a HANDLE and Zig's own C runtime (the UCRT) has descriptors msvcrt does not
//! know. So openFile lends msvcrt a duplicate of the handle for the call
//! (_open_osfhandle, looked up in the msvcrt.dll the library loaded) and closes the
//! duplicate after it: the caller's handle is neither kept nor closed.
const std = @import("std");
const windows = std.os.windows;
const kernel32 = windows.kernel32;
const Error = @import("errors.zig").Error;

const OpenOsfhandle = *const fn (osfhandle: isize, flags: c_int) callconv(.c) c_int;
const Close = *const fn (fd: c_int) callconv(.c) c_int;
const o_binary = 0x8000; // msvcrt's _O_BINARY

/// An msvcrt descriptor of a duplicate of a file's handle; release() closes it.
pub const Borrowed = struct {
    fd: c_int,
    close: Close,

    pub fn release(self: Borrowed) void {
        _ = self.close(self.fd);
    }
};

/// Lends msvcrt a duplicate of `handle`: error.Unsupported when msvcrt.dll is not loaded
/// (the library was not built with MinGW), error.InvalidArg when the handle cannot be
/// duplicated (a closed file) or msvcrt refuses it.
pub fn borrow(handle: windows.HANDLE) Error!Borrowed {
    const name = std.unicode.utf8ToUtf16LeStringLiteral("msvcrt.dll");
    const crt = kernel32.GetModuleHandleW(name) orelse return error.Unsupported;
    const open_osfhandle: OpenOsfhandle = @ptrCast(kernel32.GetProcAddress(crt, "_open_osfhandle") orelse return error.Unsupported);
    const close: Close = @ptrCast(kernel32.GetProcAddress(crt, "_close") orelse return error.Unsupported);
    const self = windows.GetCurrentProcess();
    var dup: windows.HANDLE = undefined;
    if (kernel32.DuplicateHandle(self, handle, self, &dup, 0, windows.FALSE, windows.DUPLICATE_SAME_ACCESS) == windows.FALSE)
        return error.InvalidArg;
    const fd = open_osfhandle(@bitCast(@intFromPtr(dup)), o_binary);
    if (fd < 0) {
        windows.CloseHandle(dup);
        return error.InvalidArg;
    }
    return .{ .fd = fd, .close = close };
}
