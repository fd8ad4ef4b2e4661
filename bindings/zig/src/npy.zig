//! .npy and .npz files: Array's np.load / open_memmap / np.save / append and grow
//! (declared as Array's functions there), and the .npz archive functions.
const std = @import("std");
const c = @import("c");
const mm = @import("mmarray.zig");
const Array = mm.Array;
const Order = mm.Order;
const check = @import("errors.zig").check;
const Error = @import("errors.zig").Error;

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

/// mm_npy_append: appends whole rows (values of T, which must be the elements' type as
/// items(T) decides it; C-contiguous, a multiple of rowElements()) to the .npy file this
/// whole array maps, after the file's current length, and rewrites the header in place
/// (the file stays np.save's). self keeps its shape. A failure leaves the file as it was.
pub fn append(self: Array, comptime T: type, values: []const T) Error!void {
    if (try self.scalarKind() != comptime mm.scalarKindOf(T)) return error.DTypeMismatch;
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
    const info = try self.describeRaw();
    const dims = info.shape[0..info.ndim];
    const st = info.strides[0..info.ndim];
    if (dims.len == 0) return error.InvalidArg;
    var c_order = true;
    var expect: i64 = @intCast(info.itemsize);
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
