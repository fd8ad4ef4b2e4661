//! Tests of the Zig module: .npy and .npz files.
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

test ".npy: createNpy, openNpy, saveNpy" {
    var dir = testing.tmpDir(.{});
    defer dir.cleanup();
    const path = try tmpPath(&dir, "a.npy");
    defer testing.allocator.free(path);
    {
        const a = try Array.createNpy(path, "<f8", &.{ 2, 3 }, .f);
        defer a.close();
        try testing.expectEqualSlices(i64, &.{ 8, 16 }, a.strides());
        try testing.expectEqual(@as(u64, 128), a.offset());
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
        try testing.expectEqual(@as(u64, if (compress) 0 else 183), m.offset());
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
