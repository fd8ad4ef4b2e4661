//! Array's controls numpy leaves to the OS (write-back, advice, residency, locking) and
//! the guarded copies (pread / pwriteAll: never SIGBUS). Methods of Array, declared there.
const std = @import("std");
const c = @import("c");
const Array = @import("mmarray.zig").Array;
const check = @import("errors.zig").check;
const Error = @import("errors.zig").Error;

/// msync(MS_SYNC) of the whole mapping (numpy's flush; no effect in modes r and c).
pub fn flush(self: Array) Error!void {
    try check(c.mm_flush(self.handle));
}

/// msync(MS_SYNC) of the pages holding nbytes bytes at byte_offset from the first
/// element; error.OutOfBounds outside the view's bytes. Costs what the range costs.
pub fn flushRange(self: Array, byte_offset: u64, nbytes: u64) Error!void {
    try check(c.mm_flush_range(self.handle, byte_offset, nbytes));
}

/// msync(MS_ASYNC) of the whole mapping: write-back scheduled, not waited for.
pub fn flushAsync(self: Array) Error!void {
    try check(c.mm_flush_async(self.handle));
}

/// madvise advice (MM_ADVICE_*) for the pages the view covers.
pub const Advice = enum(i32) {
    normal = c.MM_ADVICE_NORMAL,
    sequential = c.MM_ADVICE_SEQUENTIAL,
    random = c.MM_ADVICE_RANDOM,
    will_need = c.MM_ADVICE_WILLNEED,
    /// Shared mappings keep their data in the file; in mode c private changes are lost.
    dont_need = c.MM_ADVICE_DONTNEED,
    /// error.Unsupported where the kernel cannot for this mapping.
    huge_page = c.MM_ADVICE_HUGEPAGE,
    populate_read = c.MM_ADVICE_POPULATE_READ,
    /// error.ReadOnly in mode r.
    populate_write = c.MM_ADVICE_POPULATE_WRITE,
};

/// Gives the kernel advice about the view's pages; an advice this kernel lacks for this
/// mapping is error.Unsupported, never silently ignored.
pub fn advise(self: Array, advice: Advice) Error!void {
    try check(c.mm_advise(self.handle, @intFromEnum(advice)));
}

/// How many of the view's bytes lie in pages resident in memory now (mincore).
pub fn resident(self: Array) Error!u64 {
    var n: u64 = 0;
    try check(c.mm_resident(self.handle, &n));
    return n;
}

/// mlock of the view's pages: error.SystemResources over RLIMIT_MEMLOCK (ENOMEM),
/// error.AccessDenied where locking is not permitted (EPERM).
pub fn lock(self: Array) Error!void {
    try check(c.mm_lock(self.handle));
}

/// munlock of the view's pages (locks do not nest).
pub fn unlock(self: Array) Error!void {
    try check(c.mm_unlock(self.handle));
}

/// Copies the view's bytes from offset (bytes after the first element) into buffer, as
/// std.fs.File.pread reads a file: the number copied, fewer than buffer.len only at the
/// end of the view's byte extent (Info.extent()), 0 from there on. A guarded copy
/// (mm_read_at): a file truncated underneath is error.InputOutput (errno EFAULT), never
/// SIGBUS.
pub fn pread(self: Array, buffer: []u8, offset: u64) Error!usize {
    const info = try self.describeRaw();
    const ext = extentOf(&info);
    if (offset >= ext) return 0;
    const n: usize = @intCast(@min(buffer.len, ext - offset));
    try check(c.mm_read_at(self.handle, offset, if (n == 0) null else buffer.ptr, n));
    return n;
}

/// Copies all of bytes into the view from offset (bytes after the first element): a
/// range reaching past the view's byte extent is error.OutOfBounds and writes nothing;
/// mode r is error.ReadOnly. A guarded copy (mm_write_at): a file truncated underneath
/// or a full disk under a sparse page is an error (error.InputOutput, errno EFAULT; or
/// error.NoSpaceLeft), never SIGBUS. The bytes reach the file without a flush; flush()
/// makes them durable.
pub fn pwriteAll(self: Array, bytes: []const u8, offset: u64) Error!void {
    try check(c.mm_write_at(self.handle, offset, if (bytes.len == 0) null else bytes.ptr, bytes.len));
}

/// Bytes from the first element to the end of the highest byte an element reaches
/// (mm_read_at's and mm_write_at's extent): nbytes for a contiguous view.
pub fn extentOf(info: *const c.mm_info) u64 {
    if (info.size == 0) return 0;
    var hi: i64 = @intCast(info.itemsize);
    for (info.shape[0..info.ndim], info.strides[0..info.ndim]) |d, s| {
        if (s > 0) hi += @as(i64, @intCast(d - 1)) * s;
    }
    return @intCast(hi);
}
