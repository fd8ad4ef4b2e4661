//! mmarray for Zig: files mapped as n-dimensional typed arrays (numpy.memmap semantics).
//!
//!     var a = try mmarray.Array.open("data.f8", .{ .dtype = "<f8", .mode = "w+", .shape = &.{ 2, 3 } });
//!     defer a.close();
//!     const xs = try a.items(f64); // []f64 aliasing the file; error.DTypeMismatch otherwise
//!     const ys = try a.itemsUnaligned(f64); // []align(1) f64: any offset (items: error.Misaligned)
//!     const b = try mmarray.Array.openNpy("data.npy", "r"); // dtype, shape from the header
//!
//! Failures are error unions; lastErrorMessage() gives the library's message for the
//! last failure on the calling thread.
//!
//! The module's files: this one (opening, views, record fields, describing a handle,
//! typed access), errors.zig (the error set and messages), control.zig (flushing,
//! advice, residency, locking, guarded copies), npy.zig (.npy and .npz); the tests are
//! the test_*.zig files.
const std = @import("std");
const builtin = @import("builtin");
pub const c = @import("c");
const errors = @import("errors.zig");
const control = @import("control.zig");
const npy = @import("npy.zig");
const check = errors.check;

pub const Error = errors.Error;
pub const errorStatus = errors.errorStatus;
pub const statusText = errors.statusText;
pub const osError = errors.osError;
pub const lastErrorMessage = errors.lastErrorMessage;
pub const lastErrorAlloc = errors.lastErrorAlloc;
pub const Advice = control.Advice;
pub const NpzNames = npy.NpzNames;
pub const npzNames = npy.npzNames;
pub const saveNpz = npy.saveNpz;

/// The library's version at run time (mm_version); c.MM_VERSION_* is the header's.
pub fn version() std.SemanticVersion {
    const v = c.mm_version();
    return .{ .major = v / 10000, .minor = v / 100 % 100, .patch = v % 100 };
}

/// The library's version as text at run time, e.g. "0.1.0" (mm_version_string).
pub fn versionString() [:0]const u8 {
    return std.mem.span(c.mm_version_string());
}

/// Handles open in this process (every view counts); for leak checks.
pub fn handleCount() usize {
    return c.mm_handle_count();
}

/// Which native scalar type an array's elements are (mm_scalar_kind): the type when the
/// dtype is exactly it in the machine's byte order, .other for anything else (a
/// non-native byte order, records, bytes, text, datetime64, longdouble...).
pub const ScalarKind = enum(i32) {
    other = c.MM_SCALAR_OTHER,
    bool = c.MM_SCALAR_BOOL,
    int8 = c.MM_SCALAR_INT8,
    int16 = c.MM_SCALAR_INT16,
    int32 = c.MM_SCALAR_INT32,
    int64 = c.MM_SCALAR_INT64,
    uint8 = c.MM_SCALAR_UINT8,
    uint16 = c.MM_SCALAR_UINT16,
    uint32 = c.MM_SCALAR_UINT32,
    uint64 = c.MM_SCALAR_UINT64,
    float16 = c.MM_SCALAR_FLOAT16,
    float32 = c.MM_SCALAR_FLOAT32,
    float64 = c.MM_SCALAR_FLOAT64,
    complex64 = c.MM_SCALAR_COMPLEX64,
    complex128 = c.MM_SCALAR_COMPLEX128,
    _,
};

/// numpy's complex64 (C's float _Complex): real then imaginary, as items(Complex64) maps it.
pub const Complex64 = extern struct { re: f32, im: f32 };
/// numpy's complex128 (C's double _Complex).
pub const Complex128 = extern struct { re: f64, im: f64 };

/// The ScalarKind whose elements items(T) maps as T: bool, the 8- to 64-bit integers
/// (usize, c_int... by their size), f16, f32, f64, Complex64, Complex128.
pub fn scalarKindOf(comptime T: type) ScalarKind {
    if (T == bool) return .bool;
    if (T == f16) return .float16;
    if (T == f32) return .float32;
    if (T == f64) return .float64;
    if (T == Complex64) return .complex64;
    if (T == Complex128) return .complex128;
    if (@typeInfo(T) == .int) {
        const int = @typeInfo(T).int;
        const signed = int.signedness == .signed;
        switch (int.bits) {
            8 => return if (signed) .int8 else .uint8,
            16 => return if (signed) .int16 else .uint16,
            32 => return if (signed) .int32 else .uint32,
            64 => return if (signed) .int64 else .uint64,
            else => {},
        }
    }
    @compileError("mmarray: no numpy scalar type is " ++ @typeName(T));
}

pub const Order = enum { c, f };

/// mm_open_ex's open flags (MM_OPEN_*); the default is none (then mm_open is called).
pub const OpenFlags = packed struct(u32) {
    /// Prefault the whole array at open (MAP_POPULATE).
    populate: bool = false,
    /// r+ and w+: reserve the disk blocks of any extension first (fallocate), so that a
    /// full disk is error.NoSpaceLeft at open, the file left as it was, not a SIGBUS.
    preallocate: bool = false,
    /// Bits the library does not know: error.InvalidArg.
    unknown: u30 = 0,
};

pub const OpenOptions = struct {
    /// numpy type string or name.
    dtype: [:0]const u8 = "u1",
    /// "r", "r+", "w+" or "c".
    mode: [:0]const u8 = "r+",
    offset: u64 = 0,
    /// null: infer a 1-D shape from the file size.
    shape: ?[]const usize = null,
    order: Order = .c,
    flags: OpenFlags = .{},
};

/// Array.openFile's options: OpenOptions without the flags.
pub const FileOptions = struct {
    dtype: [:0]const u8 = "u1",
    /// "r", "r+", "w+" or "c"; r+ and w+ need the file opened read-write.
    mode: [:0]const u8 = "r+",
    offset: u64 = 0,
    shape: ?[]const usize = null,
    order: Order = .c,
};

const no_dims = [1]usize{0};

fn dimsPtr(shape: ?[]const usize) [*c]const usize {
    const s = shape orelse return null;
    return if (s.len == 0) &no_dims else s.ptr;
}

fn orderChar(order: Order) u8 {
    return if (order == .f) 'F' else 'C';
}

/// One record field of an array's dtype (Array.field), valid while the array is open.
pub const Field = struct {
    name: [:0]const u8,
    /// The field's dtype text: a subarray field's element dtype; a nested record's
    /// descr list.
    dtype: [:0]const u8,
    /// Within the record.
    byte_offset: usize,
    /// The subarray dimensions (nested levels outermost first); empty for a plain field.
    shape: []const usize,
};

/// A snapshot of one handle (Array.describe): every field from one visit of the handle.
pub const Info = struct {
    raw: c.mm_info,
    /// numpy's canonical type string ("<f8", a record's descr list), owned: deinit.
    dtype: [:0]u8,

    pub fn deinit(self: Info, allocator: std.mem.Allocator) void {
        allocator.free(self.dtype);
    }
    pub fn shape(self: *const Info) []const usize {
        return self.raw.shape[0..self.raw.ndim];
    }
    /// Byte strides, possibly negative.
    pub fn strides(self: *const Info) []const i64 {
        return self.raw.strides[0..self.raw.ndim];
    }
    /// "r", "r+", "w+" or "c".
    pub fn mode(self: *const Info) []const u8 {
        return std.mem.sliceTo(&self.raw.mode, 0);
    }
    pub fn scalarKind(self: *const Info) ScalarKind {
        return @enumFromInt(self.raw.scalar_kind);
    }
    /// Bytes from the first element to the end of the highest byte an element reaches:
    /// the range pread and pwriteAll reach (nbytes when contiguous).
    pub fn extent(self: *const Info) u64 {
        return control.extentOf(&self.raw);
    }
};

/// One open view of a mapping. close() it (views made from it stay valid on their own).
pub const Array = struct {
    handle: c.mm_array,

    /// numpy.memmap(path, dtype, mode, offset, shape, order); with flags, mm_open_ex.
    pub fn open(path: [:0]const u8, options: OpenOptions) Error!Array {
        var h: c.mm_array = 0;
        const n = if (options.shape) |s| s.len else 0;
        const bits: u32 = @bitCast(options.flags);
        if (bits == 0) {
            try check(c.mm_open(path.ptr, options.dtype.ptr, options.mode.ptr, options.offset, dimsPtr(options.shape), n, orderChar(options.order), &h));
        } else {
            try check(c.mm_open_ex(path.ptr, options.dtype.ptr, options.mode.ptr, options.offset, dimsPtr(options.shape), n, orderChar(options.order), bits, &h));
        }
        return .{ .handle = h };
    }

    /// numpy.memmap(file, ...) of a file the caller opened (mm_open_fd): counted from
    /// byte 0 whatever the file's position; w+ does not truncate; the file is only
    /// borrowed (close it when you like; filename() is null). r+ and w+ on a file not
    /// opened read-write: error.AccessDenied. On Windows, where a File holds a HANDLE,
    /// this is mm_open_handle (the handle is borrowed the same way).
    pub fn openFile(file: std.fs.File, options: FileOptions) Error!Array {
        var h: c.mm_array = 0;
        const n = if (options.shape) |s| s.len else 0;
        if (builtin.os.tag == .windows) {
            try check(c.mm_open_handle(file.handle, options.dtype.ptr, options.mode.ptr, options.offset, dimsPtr(options.shape), n, orderChar(options.order), &h));
        } else {
            try check(c.mm_open_fd(file.handle, options.dtype.ptr, options.mode.ptr, options.offset, dimsPtr(options.shape), n, orderChar(options.order), &h));
        }
        return .{ .handle = h };
    }

    pub const openNpy = npy.openNpy;
    pub const openNpz = npy.openNpz;
    pub const createNpy = npy.createNpy;
    pub const saveNpy = npy.saveNpy;
    pub const append = npy.append;
    pub const grow = npy.grow;
    pub const recoverNpy = npy.recoverNpy;
    pub const rowElements = npy.rowElements;
    pub const flush = control.flush;
    pub const flushRange = control.flushRange;
    pub const flushAsync = control.flushAsync;
    pub const advise = control.advise;
    pub const resident = control.resident;
    pub const lock = control.lock;
    pub const unlock = control.unlock;
    pub const pread = control.pread;
    pub const pwriteAll = control.pwriteAll;

    /// Releases the view; the mapping goes when its last view is closed.
    pub fn close(self: Array) void {
        _ = c.mm_close(self.handle);
    }

    /// A new view of the same mapping: dtype null keeps the dtype, strides in bytes
    /// (null: C-contiguous), byte_offset relative to the first element.
    pub fn view(self: Array, view_dtype: ?[:0]const u8, byte_offset: i64, dims: []const usize, byte_strides: ?[]const i64) Error!Array {
        if (byte_strides) |s| if (s.len != dims.len) return error.InvalidArg;
        var h: c.mm_array = 0;
        try check(c.mm_view(self.handle, if (view_dtype) |d| d.ptr else null, byte_offset, dimsPtr(dims), dims.len, if (byte_strides) |s| s.ptr else null, &h));
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

    /// Number of fields of a record dtype (0 for other dtypes).
    pub fn fieldCount(self: Array) usize {
        return c.mm_field_count(self.handle);
    }

    /// Field i (in offset order) of a record array; error.InvalidArg past fieldCount().
    pub fn field(self: Array, i: usize) Error!Field {
        var name: [*c]const u8 = null;
        var dt: [*c]const u8 = null;
        var off: usize = 0;
        var nd: usize = 0;
        var dims: [*c]const usize = null;
        try check(c.mm_field(self.handle, i, &name, &dt, &off, &nd, &dims));
        return .{
            .name = std.mem.span(name),
            .dtype = std.mem.span(dt),
            .byte_offset = off,
            .shape = if (nd == 0) &.{} else dims[0..nd],
        };
    }

    /// The index of the field called name, or null.
    pub fn fieldIndex(self: Array, name: []const u8) Error!?usize {
        for (0..self.fieldCount()) |i| {
            if (std.mem.eql(u8, (try self.field(i)).name, name)) return i;
        }
        return null;
    }

    /// numpy's a[name] for field i: a view of that field in every record; a subarray
    /// field's dimensions follow the array's (C-contiguous within the record).
    pub fn fieldView(self: Array, i: usize) Error!Array {
        const f = try self.field(i);
        var info = try self.describeRaw();
        const nd = info.ndim;
        const off: i64 = @intCast(f.byte_offset);
        const first = try self.view(f.dtype, off, info.shape[0..nd], info.strides[0..nd]);
        if (f.shape.len == 0) return first;
        defer first.close();
        const n = nd + f.shape.len;
        if (n > c.MM_MAX_NDIM) return error.InvalidArg;
        @memcpy(info.shape[nd..n], f.shape);
        var step: i64 = @intCast(first.itemsize());
        var k = n;
        while (k > nd) {
            k -= 1;
            info.strides[k] = step;
            step *= @intCast(info.shape[k]);
        }
        return self.view(f.dtype, off, info.shape[0..n], info.strides[0..n]);
    }

    /// Everything about the handle from one visit (mm_describe): either all of it
    /// describes the same open handle, or error.BadHandle. deinit the result.
    pub fn describe(self: Array, allocator: std.mem.Allocator) (Error || std.mem.Allocator.Error)!Info {
        var info: Info = .{ .raw = undefined, .dtype = undefined };
        var small: [32]u8 = undefined;
        var needed: usize = 0;
        try check(c.mm_describe(self.handle, &info.raw, &small, small.len, &needed));
        if (needed <= small.len) {
            info.dtype = try allocator.dupeZ(u8, small[0 .. needed - 1]);
            return info;
        }
        // A record's long descr: the text of a handle never changes, so a second visit
        // with room for it describes the same handle (or finds it closed).
        info.dtype = try allocator.allocSentinel(u8, needed - 1, 0);
        errdefer allocator.free(info.dtype);
        try check(c.mm_describe(self.handle, &info.raw, info.dtype.ptr, needed, &needed));
        return info;
    }

    /// describe() without the dtype text and without allocating: the mm_info of one
    /// visit of the handle (shape and strides in its first ndim entries).
    pub fn describeRaw(self: Array) Error!c.mm_info {
        var info: c.mm_info = undefined;
        var needed: usize = 0;
        try check(c.mm_describe(self.handle, &info, null, 0, &needed));
        return info;
    }

    /// Which native scalar the elements are (error.BadHandle for a closed array).
    pub fn scalarKind(self: Array) Error!ScalarKind {
        const k = c.mm_scalar_kind(self.handle);
        if (k < 0) return error.BadHandle;
        return @enumFromInt(k);
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

    /// "r", "r+", "w+" or "c" ("" for a closed array).
    pub fn mode(self: Array) [:0]const u8 {
        const p = c.mm_mode(self.handle) orelse return "";
        return std.mem.span(p);
    }

    /// The path opened, absolute and normalised; null for an array of openFile (valid
    /// while the array is open).
    pub fn filename(self: Array) Error!?[:0]const u8 {
        const p = c.mm_filename(self.handle) orelse {
            _ = try self.scalarKind(); // error.BadHandle for a closed array
            return null;
        };
        return std.mem.span(p);
    }

    /// The byte offset given at open (numpy's .offset; a .npy file's data offset).
    pub fn offset(self: Array) u64 {
        return c.mm_offset(self.handle);
    }

    pub fn size(self: Array) usize {
        return c.mm_size(self.handle);
    }

    pub fn itemsize(self: Array) usize {
        return c.mm_itemsize(self.handle);
    }

    pub fn nbytes(self: Array) usize {
        return c.mm_nbytes(self.handle);
    }

    /// c.MM_WRITEABLE, MM_C_CONTIGUOUS, MM_F_CONTIGUOUS, MM_ALIGNED, MM_NATIVE_ORDER.
    pub fn flags(self: Array) u32 {
        return c.mm_flags(self.handle);
    }

    /// Address of the first element (mm_data; may be unaligned; null for a closed
    /// array). items(T), itemsUnaligned(T) and bytes() are the checked ways in.
    pub fn data(self: Array) ?*anyopaque {
        return c.mm_data(self.handle);
    }

    /// The contiguous memory of one snapshot of the handle, and the snapshot.
    fn memory(self: Array) Error!struct { [*]u8, c.mm_info } {
        const info = try self.describeRaw();
        if (info.size > 0 and info.flags & (c.MM_C_CONTIGUOUS | c.MM_F_CONTIGUOUS) == 0)
            return error.NotContiguous;
        return .{ @ptrCast(info.data.?), info };
    }

    /// All elements as a []T aliasing the mapping, in memory order. The elements must be
    /// T (scalarKind() == scalarKindOf(T), else error.DTypeMismatch), the array
    /// contiguous and its data aligned for T (error.Misaligned: see itemsUnaligned). An
    /// empty array gives an empty slice that does not point into the mapping. What it
    /// checks comes from one mm_describe.
    pub fn items(self: Array, comptime T: type) Error![]T {
        const p, const info = try self.typedMemory(T);
        if (info.size == 0) return &.{};
        if (info.flags & c.MM_ALIGNED == 0 or @intFromPtr(p) % @alignOf(T) != 0)
            return error.Misaligned;
        const ptr: [*]T = @ptrCast(@alignCast(p));
        return ptr[0..info.size];
    }

    /// As items(T), at any alignment: a []align(1) T (an array at an odd offset).
    pub fn itemsUnaligned(self: Array, comptime T: type) Error![]align(1) T {
        const p, const info = try self.typedMemory(T);
        const ptr: [*]align(1) T = @ptrCast(p);
        return ptr[0..info.size];
    }

    fn typedMemory(self: Array, comptime T: type) Error!struct { [*]u8, c.mm_info } {
        const m = try self.memory();
        if (m[1].scalar_kind != @intFromEnum(comptime scalarKindOf(T))) return error.DTypeMismatch;
        return m;
    }

    /// The array's bytes (any dtype), in memory order.
    pub fn bytes(self: Array) Error![]u8 {
        const p, const info = try self.memory();
        return p[0..info.nbytes];
    }
};

test {
    _ = @import("test_core.zig");
    _ = @import("test_npy.zig");
    _ = @import("test_api.zig");
    if (builtin.os.tag == .windows) _ = @import("test_windows.zig");
}
