//! Tests of the Zig module: opening, views and slices, typed access, errors.
const std = @import("std");
const mm = @import("mmarray.zig");
const c = mm.c;
const Array = mm.Array;
const osError = mm.osError;
const lastErrorMessage = mm.lastErrorMessage;
const saveNpz = mm.saveNpz;
const npzNames = mm.npzNames;
const testing = std.testing;
const tmpPath = @import("test_util.zig").tmpPath;

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
    try testing.expectEqual(@as(usize, 0), mm.handleCount());
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
