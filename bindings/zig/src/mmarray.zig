//! mmarray for Zig: files mapped as n-dimensional typed arrays (numpy.memmap semantics).
//!
//! (Over 600 lines on purpose: a Zig package's module is one file here, wrapper and its
//! tests together, as `zig build test` runs the tests of the module it builds.)
//!
//!     var a = try mmarray.Array.open("data.f8", .{ .dtype = "<f8", .mode = "w+", .shape = &.{ 2, 3 } });
//!     defer a.close();
//!     const xs = try a.items(f64); // []f64 aliasing the file; error.DTypeMismatch otherwise
//!     const ys = try a.itemsUnaligned(f64); // []align(1) f64: any offset (items: error.Misaligned)
//!     const b = try mmarray.Array.openNpy("data.npy", "r"); // dtype, shape from the header
//!
//! Failures are error unions; lastErrorMessage() gives the library's message for the
//! last failure on the calling thread.
const std = @import("std");
const builtin = @import("builtin");
pub const c = @import("c");

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
    /// items(T) on an array whose dtype is not T in native byte order.
    DTypeMismatch,
    /// items(T) / bytes() on an array that is neither C- nor F-contiguous.
    NotContiguous,
    /// items(T) on an array whose data is not aligned for T (numpy allows an <f8 array at
    /// byte offset 3): use itemsUnaligned(T) or bytes().
    Misaligned,
};

fn check(status: c.mm_status) Error!void {
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

/// std's name of the errno behind an MM_E_IO.
fn ioError(errno: i32) Error {
    const E = std.posix.E;
    const table = [_]struct { E, Error }{
        .{ .NOSPC, error.NoSpaceLeft }, .{ .DQUOT, error.DiskQuota },
        .{ .FBIG, error.FileTooBig },   .{ .ISDIR, error.IsDir },
        .{ .NODEV, error.NoDevice },    .{ .NOMEM, error.SystemResources },
    };
    for (table) |entry| if (errno == @intFromEnum(entry[0])) return entry[1];
    return error.InputOutput;
}

/// errno of the last failed call on this thread that the OS refused (0 when none).
pub fn osError() i32 {
    return c.mm_last_os_error();
}

/// The library's message for the last failed call on this thread (valid until the
/// next failure on this thread).
pub fn lastErrorMessage() []const u8 {
    return std.mem.span(c.mm_last_error_message());
}

/// numpy's type string of T in the machine's byte order, e.g. "<f8" for f64.
pub fn typestr(comptime T: type) []const u8 {
    return comptime typestrOf(T);
}

fn typestrOf(comptime T: type) []const u8 {
    const kind = switch (@typeInfo(T)) {
        .bool => "b",
        .int => |i| if (i.signedness == .signed) "i" else "u",
        .float => "f",
        else => @compileError("mmarray: no numpy dtype for " ++ @typeName(T)),
    };
    if (@typeInfo(T) == .int and @sizeOf(T) * 8 != @typeInfo(T).int.bits)
        @compileError("mmarray: " ++ @typeName(T) ++ " has padding bits");
    if (@typeInfo(T) == .float and @sizeOf(T) > 8)
        @compileError("mmarray: only f16, f32 and f64 are mapped");
    const order = if (@sizeOf(T) == 1) "|" else if (builtin.cpu.arch.endian() == .little) "<" else ">";
    return order ++ kind ++ std.fmt.comptimePrint("{d}", .{@sizeOf(T)});
}

pub const Order = enum { c, f };

pub const OpenOptions = struct {
    /// numpy type string or name.
    dtype: [:0]const u8 = "u1",
    /// "r", "r+", "w+" or "c".
    mode: [:0]const u8 = "r+",
    offset: u64 = 0,
    /// null: infer a 1-D shape from the file size.
    shape: ?[]const usize = null,
    order: Order = .c,
};

/// One open view of a mapping. close() it (views made from it stay valid on their own).
pub const Array = struct {
    handle: c.mm_array,

    /// numpy.memmap(path, dtype, mode, offset, shape, order).
    pub fn open(path: [:0]const u8, options: OpenOptions) Error!Array {
        var h: c.mm_array = 0;
        const dummy = [1]usize{0};
        const shape_ptr: [*c]const usize = if (options.shape) |s| (if (s.len == 0) &dummy else s.ptr) else null;
        try check(c.mm_open(path.ptr, options.dtype.ptr, options.mode.ptr, options.offset, shape_ptr, if (options.shape) |s| s.len else 0, if (options.order == .f) 'F' else 'C', &h));
        return .{ .handle = h };
    }

    /// np.load(path, mmap_mode=mode) of a .npy file: dtype, shape and order come from its
    /// header. mode "r", "r+" or "c"; null means "r+" (open_memmap's default).
    pub fn openNpy(path: [:0]const u8, mode: ?[:0]const u8) Error!Array {
        var h: c.mm_array = 0;
        try check(c.mm_open_npy(path.ptr, if (mode) |m| m.ptr else null, &h));
        return .{ .handle = h };
    }

    /// np.load(path)[name] of a .npz archive without reading the whole member: a stored
    /// member (np.savez) is mapped in place (its data is generally not aligned: use
    /// itemsUnaligned), a deflated one (np.savez_compressed) inflated into private
    /// memory with its size and CRC checked. name is "x" or "x.npy"; mode "r" or "c"
    /// (null means "r"); "r+" and "w+" are error.Unsupported.
    pub fn openNpz(path: [:0]const u8, name: [:0]const u8, mode: ?[:0]const u8) Error!Array {
        var h: c.mm_array = 0;
        try check(c.mm_open_npz(path.ptr, name.ptr, if (mode) |m| m.ptr else null, &h));
        return .{ .handle = h };
    }

    /// open_memmap(path, mode="w+", dtype, shape, fortran_order=(order == .f)): creates
    /// (or truncates) a .npy file of zeros mapped read-write (mode "r+"); filled and
    /// flushed, it is byte-identical to np.save of the array. Empty dims: a 0-d array.
    pub fn createNpy(path: [:0]const u8, npy_dtype: [:0]const u8, dims: []const usize, order: Order) Error!Array {
        var h: c.mm_array = 0;
        const dummy = [1]usize{0};
        try check(c.mm_create_npy(path.ptr, npy_dtype.ptr, if (dims.len == 0) &dummy else dims.ptr, dims.len, if (order == .f) 'F' else 'C', &h));
        return .{ .handle = h };
    }

    /// np.save(path, <this view>): the bytes numpy writes, replacing path atomically.
    pub fn saveNpy(self: Array, path: [:0]const u8) Error!void {
        try check(c.mm_save_npy(self.handle, path.ptr));
    }

    /// mm_npy_append: appends whole rows (values of T, which must be the dtype;
    /// C-contiguous, a multiple of rowElements()) to the .npy file this whole array maps,
    /// after the file's current length, and rewrites the header in place (the file stays
    /// np.save's). self keeps its shape. A failure leaves the file as it was.
    pub fn append(self: Array, comptime T: type, values: []const T) Error!void {
        if (!std.mem.eql(u8, self.dtype(), comptime typestr(T))) return error.DTypeMismatch;
        const row = try self.rowElements();
        if (if (row == 0) values.len != 0 else values.len % row != 0) return error.InvalidArg;
        const nrows = if (row == 0) 0 else values.len / row;
        try check(c.mm_npy_append(self.handle, if (values.len == 0) null else values.ptr, nrows, null));
    }

    /// mm_npy_grow: grows the growth axis to new_length with zero rows; returns the whole
    /// grown array (close it), to fill through items(T).
    pub fn grow(self: Array, new_length: usize) Error!Array {
        var h: c.mm_array = 0;
        try check(c.mm_npy_grow(self.handle, new_length, &h));
        return .{ .handle = h };
    }

    /// mm_npy_recover: after a crash, the header of the .npy file at path counts every
    /// whole row it holds (a trailing partial row is removed); returns the length.
    pub fn recoverNpy(path: [:0]const u8) Error!usize {
        var n: usize = 0;
        try check(c.mm_npy_recover(path.ptr, &n));
        return n;
    }

    /// Values in one row of a whole .npy array: the product of the dimensions other than
    /// the growth axis (axis 0 in C order; the last axis in F order, told by the strides).
    pub fn rowElements(self: Array) Error!usize {
        const dims = self.shape();
        const st = self.strides();
        if (dims.len == 0) return error.InvalidArg;
        var c_order = true;
        var expect: i64 = @intCast(c.mm_itemsize(self.handle));
        var i = dims.len;
        while (i > 0) {
            i -= 1;
            c_order = c_order and st[i] == expect;
            expect *%= @as(i64, @intCast(dims[i]));
        }
        const axis = if (c_order) 0 else dims.len - 1;
        var n: usize = 1;
        for (dims, 0..) |d, k| {
            if (k != axis) n *= d;
        }
        return n;
    }

    /// Releases the view; the mapping goes when its last view is closed.
    pub fn close(self: Array) void {
        _ = c.mm_close(self.handle);
    }

    /// msync of the whole mapping (no effect in modes r and c).
    pub fn flush(self: Array) Error!void {
        try check(c.mm_flush(self.handle));
    }

    /// A new view of the same mapping: dtype null keeps the dtype, strides in bytes
    /// (null: C-contiguous), byte_offset relative to the first element.
    pub fn view(self: Array, view_dtype: ?[:0]const u8, byte_offset: i64, dims: []const usize, byte_strides: ?[]const i64) Error!Array {
        if (byte_strides) |s| if (s.len != dims.len) return error.InvalidArg;
        var h: c.mm_array = 0;
        const dummy = [1]usize{0};
        try check(c.mm_view(self.handle, if (view_dtype) |d| d.ptr else null, byte_offset, if (dims.len == 0) &dummy else dims.ptr, dims.len, if (byte_strides) |s| s.ptr else null, &h));
        return .{ .handle = h };
    }

    /// Python's [start:stop:step] on one axis; null bounds are omitted ones.
    pub fn slice(self: Array, axis: usize, start: ?i64, stop: ?i64, step: i64) Error!Array {
        const lo: i64 = std.math.minInt(i64);
        const hi: i64 = std.math.maxInt(i64);
        var h: c.mm_array = 0;
        try check(c.mm_slice(self.handle, axis, start orelse (if (step > 0) lo else hi), stop orelse (if (step > 0) hi else lo), step, &h));
        return .{ .handle = h };
    }

    /// The dimensions (valid while the array is open; empty for a closed one).
    pub fn shape(self: Array) []const usize {
        const p = c.mm_shape(self.handle) orelse return &.{};
        return p[0..c.mm_ndim(self.handle)];
    }

    /// Byte strides, possibly negative.
    pub fn strides(self: Array) []const i64 {
        const p = c.mm_strides(self.handle) orelse return &.{};
        return p[0..c.mm_ndim(self.handle)];
    }

    /// numpy's canonical type string ("" for a closed array).
    pub fn dtype(self: Array) [:0]const u8 {
        const p = c.mm_dtype(self.handle) orelse return "";
        return std.mem.span(p);
    }

    pub fn size(self: Array) usize {
        return c.mm_size(self.handle);
    }

    pub fn flags(self: Array) u32 {
        return c.mm_flags(self.handle);
    }

    fn memory(self: Array) Error![*]u8 {
        const p = c.mm_data(self.handle) orelse return error.BadHandle;
        if (self.size() > 0 and self.flags() & (c.MM_C_CONTIGUOUS | c.MM_F_CONTIGUOUS) == 0)
            return error.NotContiguous;
        return @ptrCast(p);
    }

    /// All elements as a []T aliasing the mapping, in memory order. The dtype must be T
    /// in native byte order (error.DTypeMismatch), the array contiguous and its data
    /// aligned for T (error.Misaligned: see itemsUnaligned). An empty array gives an
    /// empty slice that does not point into the mapping.
    pub fn items(self: Array, comptime T: type) Error![]T {
        const p = try self.typedMemory(T);
        const n = self.size();
        if (n == 0) return &.{};
        if (self.flags() & c.MM_ALIGNED == 0 or @intFromPtr(p) % @alignOf(T) != 0)
            return error.Misaligned;
        const ptr: [*]T = @ptrCast(@alignCast(p));
        return ptr[0..n];
    }

    /// As items(T), at any alignment: a []align(1) T (an array at an odd offset).
    pub fn itemsUnaligned(self: Array, comptime T: type) Error![]align(1) T {
        const p = try self.typedMemory(T);
        const ptr: [*]align(1) T = @ptrCast(p);
        return ptr[0..self.size()];
    }

    fn typedMemory(self: Array, comptime T: type) Error![*]u8 {
        const p = try self.memory();
        if (!std.mem.eql(u8, self.dtype(), comptime typestr(T))) return error.DTypeMismatch;
        return p;
    }

    /// The array's bytes (any dtype), in memory order.
    pub fn bytes(self: Array) Error![]u8 {
        const p = try self.memory();
        return p[0..c.mm_nbytes(self.handle)];
    }
};

/// The member names of a .npz archive (npzNames); free with deinit.
pub const NpzNames = struct {
    buf: []u8,
    names: [][:0]const u8,

    pub fn deinit(self: NpzNames, allocator: std.mem.Allocator) void {
        allocator.free(self.names);
        allocator.free(self.buf);
    }
};

/// np.load(path).files of a .npz archive: every member, ".npy" removed, in archive order.
pub fn npzNames(allocator: std.mem.Allocator, path: [:0]const u8) (Error || std.mem.Allocator.Error)!NpzNames {
    var needed: usize = 0;
    var count: usize = 0;
    try check(c.mm_npz_names(path.ptr, null, 0, &needed, &count));
    const buf = try allocator.alloc(u8, needed);
    errdefer allocator.free(buf);
    try check(c.mm_npz_names(path.ptr, buf.ptr, buf.len, &needed, &count));
    const names = try allocator.alloc([:0]const u8, count);
    var at: usize = 0;
    for (names) |*n| {
        const len = std.mem.indexOfScalarPos(u8, buf, at, 0).? - at;
        n.* = buf[at .. at + len :0];
        at += len + 1;
    }
    return .{ .buf = buf, .names = names };
}

/// np.savez (compress false, byte-identical) or np.savez_compressed (true) of arrays
/// under names (".npy" appended), in order; streamed, replacing path atomically.
pub fn saveNpz(allocator: std.mem.Allocator, path: [:0]const u8, names: []const [:0]const u8, arrays: []const Array, compress: bool) (Error || std.mem.Allocator.Error)!void {
    if (names.len != arrays.len) return error.InvalidArg;
    const ptrs = try allocator.alloc([*c]const u8, names.len + 1);
    defer allocator.free(ptrs);
    const handles = try allocator.alloc(c.mm_array, arrays.len + 1);
    defer allocator.free(handles);
    for (names, arrays, 0..) |n, a, i| {
        ptrs[i] = n.ptr;
        handles[i] = a.handle;
    }
    try check(c.mm_save_npz(path.ptr, names.len, ptrs.ptr, handles.ptr, @intFromBool(compress)));
}

const testing = std.testing;

fn tmpPath(dir: *testing.TmpDir, name: []const u8) ![:0]u8 {
    const base = try dir.dir.realpathAlloc(testing.allocator, ".");
    defer testing.allocator.free(base);
    return std.fs.path.joinZ(testing.allocator, &.{ base, name });
}

test "write, reopen, typed slices" {
    var dir = testing.tmpDir(.{});
    defer dir.cleanup();
    const path = try tmpPath(&dir, "a.f8");
    defer testing.allocator.free(path);
    {
        const a = try Array.open(path, .{ .dtype = "<f8", .mode = "w+", .offset = 8, .shape = &.{ 2, 3 } });
        defer a.close();
        try testing.expectEqualSlices(usize, &.{ 2, 3 }, a.shape());
        try testing.expectEqualSlices(i64, &.{ 24, 8 }, a.strides());
        const xs = try a.items(f64);
        for (xs, 0..) |*x, i| x.* = @as(f64, @floatFromInt(i)) * 1.5;
        try a.flush();
        try testing.expectError(error.DTypeMismatch, a.items(f32));
        try testing.expectError(error.DTypeMismatch, a.items(i64));
    }
    const st = try std.fs.cwd().statFile(path);
    try testing.expectEqual(@as(u64, 8 + 48), st.size);

    const r = try Array.open(path, .{ .dtype = "float64", .mode = "r", .offset = 8 });
    defer r.close();
    try testing.expectEqualSlices(usize, &.{6}, r.shape());
    try testing.expectEqualSlices(f64, &.{ 0, 1.5, 3, 4.5, 6, 7.5 }, try r.items(f64));
    try testing.expectEqual(@as(u32, 0), r.flags() & c.MM_WRITEABLE);

    // Views and slices: reversed, every other, reinterpretation, a transpose.
    const rev = try r.slice(0, null, null, -1);
    defer rev.close();
    try testing.expectEqualSlices(i64, &.{-8}, rev.strides());
    try testing.expectError(error.NotContiguous, rev.items(f64));
    const odd = try r.slice(0, 1, null, 2);
    defer odd.close();
    try testing.expectEqualSlices(usize, &.{3}, odd.shape());
    const raw = try r.view("u1", 8, &.{8}, null);
    defer raw.close();
    try testing.expectEqual(@as(usize, 8), (try raw.bytes()).len);
    try testing.expectEqual(@as(u8, 0x3f), (try raw.items(u8))[7]); // 1.5 = 0x3FF8...
    const t = try r.view(null, 0, &.{ 3, 2 }, &.{ 8, 24 });
    defer t.close();
    try testing.expect(t.flags() & c.MM_F_CONTIGUOUS != 0);
    try testing.expectEqual(@as(f64, 4.5), (try t.items(f64))[3]);
}

test "errors are error unions with the library's message" {
    var dir = testing.tmpDir(.{});
    defer dir.cleanup();
    const missing = try tmpPath(&dir, "missing.bin");
    defer testing.allocator.free(missing);
    try testing.expectError(error.FileNotFound, Array.open(missing, .{ .mode = "r" }));
    try testing.expectEqual(@as(i32, 2), osError()); // ENOENT
    try testing.expect(std.mem.indexOf(u8, lastErrorMessage(), missing) != null);
    // A directory: MM_E_IO with EISDIR, std's error.IsDir.
    try dir.dir.makeDir("sub");
    const dir_path = try tmpPath(&dir, "sub");
    defer testing.allocator.free(dir_path);
    try testing.expectError(error.IsDir, Array.open(dir_path, .{ .mode = "r" }));
    try testing.expectEqual(@as(i32, 21), osError()); // EISDIR
    try testing.expectError(error.InvalidArg, Array.open(missing, .{ .dtype = "<q5", .mode = "w+", .shape = &.{1} }));
    try testing.expect(std.mem.indexOf(u8, lastErrorMessage(), "not understood") != null);

    const path = try tmpPath(&dir, "b.i4");
    defer testing.allocator.free(path);
    const be = try Array.open(path, .{ .dtype = ">i4", .mode = "w+", .shape = &.{4} });
    try testing.expectError(error.DTypeMismatch, be.items(i32));
    try testing.expectError(error.OutOfBounds, be.view(null, 4, &.{4}, null));
    try testing.expectError(error.InvalidArg, be.slice(1, null, null, 1));
    be.close();
    try testing.expectError(error.BadHandle, be.items(i32));
    try testing.expectError(error.BadHandle, be.flush());
    try testing.expectEqualStrings("", be.dtype());
    try testing.expectEqual(@as(usize, 0), c.mm_handle_count());
}

test ".npy: createNpy, openNpy, saveNpy" {
    var dir = testing.tmpDir(.{});
    defer dir.cleanup();
    const path = try tmpPath(&dir, "a.npy");
    defer testing.allocator.free(path);
    {
        const a = try Array.createNpy(path, "<f8", &.{ 2, 3 }, .f);
        defer a.close();
        try testing.expectEqualSlices(i64, &.{ 8, 16 }, a.strides());
        try testing.expectEqual(@as(u64, 128), c.mm_offset(a.handle));
        const xs = try a.items(f64);
        for (xs, 0..) |*x, i| x.* = @as(f64, @floatFromInt(i)) - 0.5; // memory (F) order
        try a.flush();
    }
    // np.save's header for np.asfortranarray of a (2, 3) <f8 array, then the data.
    const bytes = try std.fs.cwd().readFileAlloc(testing.allocator, path, 1 << 20);
    defer testing.allocator.free(bytes);
    try testing.expectEqual(@as(usize, 128 + 48), bytes.len);
    const header = "\x93NUMPY\x01\x00\x76\x00{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }";
    try testing.expectEqualStrings(header, bytes[0..header.len]);
    try testing.expectEqual(@as(u8, '\n'), bytes[127]);

    const r = try Array.openNpy(path, "r");
    defer r.close();
    try testing.expectEqualSlices(usize, &.{ 2, 3 }, r.shape());
    try testing.expect(r.flags() & c.MM_F_CONTIGUOUS != 0 and r.flags() & c.MM_WRITEABLE == 0);
    try testing.expectEqualSlices(f64, &.{ -0.5, 0.5, 1.5, 2.5, 3.5, 4.5 }, try r.items(f64));

    // saveNpy of r[1, ::-1] (strided): a C-order .npy of the reversed row.
    const row = try r.slice(0, 1, 2, 1);
    defer row.close();
    const rev = try row.slice(1, null, null, -1);
    defer rev.close();
    const saved = try tmpPath(&dir, "rev.npy");
    defer testing.allocator.free(saved);
    try rev.saveNpy(saved);
    const s = try Array.openNpy(saved, null);
    defer s.close();
    try testing.expectEqualSlices(usize, &.{ 1, 3 }, s.shape());
    try testing.expect(s.flags() & c.MM_C_CONTIGUOUS != 0);
    try testing.expectEqualSlices(f64, &.{ 4.5, 2.5, 0.5 }, try s.items(f64));

    // Errors: a raw file is not a .npy; w+ belongs to createNpy; a bad dtype.
    const raw = try tmpPath(&dir, "raw.bin");
    defer testing.allocator.free(raw);
    const w = try Array.open(raw, .{ .mode = "w+", .shape = &.{256} });
    w.close();
    try testing.expectError(error.Format, Array.openNpy(raw, "r"));
    try testing.expectError(error.InvalidArg, Array.openNpy(path, "w+"));
    try testing.expectError(error.InvalidArg, Array.createNpy(saved, "<q5", &.{1}, .c));
    try testing.expect(std.mem.indexOf(u8, lastErrorMessage(), "not understood") != null);
}

test ".npy growth: append, grow, recoverNpy (issue 11)" {
    var dir = testing.tmpDir(.{});
    defer dir.cleanup();
    const path = try tmpPath(&dir, "log.npy");
    defer testing.allocator.free(path);
    const a = try Array.createNpy(path, "<i4", &.{ 0, 3 }, .c);
    defer a.close();
    try testing.expectEqual(@as(usize, 3), try a.rowElements());
    try a.append(i32, &.{ 1, 2, 3, 4, 5, 6 });
    try testing.expectError(error.InvalidArg, a.append(i32, &.{ 1, 2 }));
    try testing.expectError(error.DTypeMismatch, a.append(f32, &.{ 1, 2, 3 }));
    try testing.expectEqualSlices(usize, &.{ 0, 3 }, a.shape()); // a keeps its shape
    const g = try a.grow(4);
    defer g.close();
    try testing.expectEqualSlices(usize, &.{ 4, 3 }, g.shape());
    try testing.expectEqualSlices(i32, &.{ 1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0 }, try g.items(i32));
    try testing.expectEqual(@as(usize, 4), try Array.recoverNpy(path));
    const r = try Array.openNpy(path, "r");
    defer r.close();
    try testing.expectError(error.ReadOnly, r.append(i32, &.{ 7, 8, 9 }));
    // Fortran order: the last axis grows; a row is one column.
    const fpath = try tmpPath(&dir, "f.npy");
    defer testing.allocator.free(fpath);
    const f = try Array.createNpy(fpath, "<f8", &.{ 2, 1 }, .f);
    defer f.close();
    try testing.expectEqual(@as(usize, 2), try f.rowElements());
    try f.append(f64, &.{ 0.5, 1.5, 2.5, 3.5 });
    const fr = try Array.openNpy(fpath, "r");
    defer fr.close();
    try testing.expectEqualSlices(usize, &.{ 2, 3 }, fr.shape());
    try testing.expectEqualSlices(f64, &.{ 0, 0, 0.5, 1.5, 2.5, 3.5 }, try fr.items(f64));
}

test "misaligned data: items refuses, itemsUnaligned reads (issue 10 defects 9, 15)" {
    var dir = testing.tmpDir(.{});
    defer dir.cleanup();
    const path = try tmpPath(&dir, "odd.f8");
    defer testing.allocator.free(path);
    {
        // numpy allows an <f8 array at byte offset 3: a []f64 there would be misaligned
        // (items used @alignCast, which panics in Debug).
        const a = try Array.open(path, .{ .dtype = "<f8", .mode = "w+", .offset = 3, .shape = &.{4} });
        defer a.close();
        try testing.expectEqual(@as(usize, 3), @intFromPtr(c.mm_data(a.handle)) % 8);
        try testing.expectEqual(@as(u32, 0), a.flags() & c.MM_ALIGNED);
        try testing.expectError(error.Misaligned, a.items(f64));
        try testing.expectError(error.DTypeMismatch, a.itemsUnaligned(f32));
        const xs = try a.itemsUnaligned(f64);
        try testing.expectEqual(@as(usize, 4), xs.len);
        for (xs, 0..) |*x, i| x.* = @as(f64, @floatFromInt(i)) - 0.5;
        // A zero-size view at the odd address: MM_ALIGNED (numpy: empty arrays are),
        // an empty slice, no panic.
        const empty = try a.view(null, 8, &.{0}, null);
        defer empty.close();
        try testing.expect(empty.flags() & c.MM_ALIGNED != 0);
        try testing.expectEqual(@as(usize, 0), (try empty.items(f64)).len);
        try testing.expectEqual(@as(usize, 0), (try empty.itemsUnaligned(f64)).len);
        // An aligned <i4 view 5 bytes on: items works.
        const ints = try a.view("<i4", 5, &.{6}, null);
        defer ints.close();
        try testing.expectEqual(@as(usize, 6), (try ints.items(i32)).len);
        // A 12-byte stride from an aligned first element: not MM_ALIGNED, not contiguous.
        const strided = try a.view("<f8", 5, &.{2}, &.{12});
        defer strided.close();
        try testing.expectEqual(@as(u32, 0), strided.flags() & c.MM_ALIGNED);
        try testing.expectError(error.NotContiguous, strided.items(f64));
        try a.flush();
    }
    const bytes = try std.fs.cwd().readFileAlloc(testing.allocator, path, 1 << 10);
    defer testing.allocator.free(bytes);
    try testing.expectEqual(@as(usize, 3 + 32), bytes.len);
    try testing.expectEqual(@as(u64, @bitCast(@as(f64, 2.5))), std.mem.readInt(u64, bytes[27..35], .little));
    const r = try Array.open(path, .{ .dtype = "<f8", .mode = "r", .offset = 3 });
    defer r.close();
    const ys = try r.itemsUnaligned(f64);
    var copy: [4]f64 = undefined;
    for (ys, &copy) |y, *dst| dst.* = y;
    try testing.expectEqualSlices(f64, &.{ -0.5, 0.5, 1.5, 2.5 }, &copy);
}

test "typestr" {
    try testing.expectEqualStrings("|b1", typestr(bool));
    try testing.expectEqualStrings("|u1", typestr(u8));
    try testing.expectEqualStrings("<i4", typestr(i32));
    try testing.expectEqualStrings("<f2", typestr(f16));
    try testing.expectEqualStrings("<u8", typestr(u64));
}

fn expectI32s(want: []const i32, got: []align(1) const i32) !void {
    try testing.expectEqual(want.len, got.len);
    for (want, got) |w, g| try testing.expectEqual(w, g);
}

test ".npz: saveNpz, npzNames, openNpz" {
    var dir = testing.tmpDir(.{});
    defer dir.cleanup();
    const src = try tmpPath(&dir, "src.npy");
    defer testing.allocator.free(src);
    const a = try Array.createNpy(src, "<i4", &.{ 2, 3 }, .c);
    defer a.close();
    for (try a.items(i32), 0..) |*x, i| x.* = @as(i32, @intCast(i)) * 3 - 4;
    const row = try a.slice(0, 1, 2, 1);
    defer row.close();
    for ([_]bool{ false, true }) |compress| {
        const path = try tmpPath(&dir, if (compress) "c.npz" else "s.npz");
        defer testing.allocator.free(path);
        try saveNpz(testing.allocator, path, &.{ "a", "row/1" }, &.{ a, row }, compress);
        const list = try npzNames(testing.allocator, path);
        defer list.deinit(testing.allocator);
        try testing.expectEqual(@as(usize, 2), list.names.len);
        try testing.expectEqualStrings("a", list.names[0]);
        try testing.expectEqualStrings("row/1", list.names[1]);
        const m = try Array.openNpz(path, "a", null);
        defer m.close();
        // Local header 30 + "a.npy" 5 + zip64 extra 20, then the 128-byte .npy header.
        try testing.expectEqual(@as(u64, if (compress) 0 else 183), c.mm_offset(m.handle));
        try testing.expectEqualSlices(usize, &.{ 2, 3 }, m.shape());
        try expectI32s(&.{ -4, -1, 2, 5, 8, 11 }, try m.itemsUnaligned(i32));
        const r = try Array.openNpz(path, "row/1.npy", "c");
        defer r.close();
        try expectI32s(&.{ 5, 8, 11 }, try r.itemsUnaligned(i32));
        try testing.expectError(error.Unsupported, Array.openNpz(path, "a", "r+"));
        try testing.expectError(error.FileNotFound, Array.openNpz(path, "zz", "r"));
    }
    const bad = try tmpPath(&dir, "x.npz");
    defer testing.allocator.free(bad);
    try testing.expectError(error.InvalidArg, saveNpz(testing.allocator, bad, &.{"a"}, &.{}, false));
    try testing.expectError(error.Format, npzNames(testing.allocator, src));
}
