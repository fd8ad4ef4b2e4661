//! Windows only (the tests under Wine): openFile with a File's HANDLE, the errno of a
//! refusal only Windows makes, and the library's message naming a Windows path.
const std = @import("std");
const mm = @import("mmarray.zig");
const Array = mm.Array;
const testing = std.testing;
const tmpPath = @import("test_util.zig").tmpPath;

test "Windows: openFile lends the File's handle, neither kept nor closed" {
    var dir = testing.tmpDir(.{});
    defer dir.cleanup();
    const path = try tmpPath(&dir, "h.u2");
    defer testing.allocator.free(path);
    try dir.dir.writeFile(.{ .sub_path = "h.u2", .data = &.{ 1, 2, 3, 4, 5, 6, 7, 8 } });
    const f = try std.fs.openFileAbsolute(path, .{});
    {
        const a = try Array.openFile(f, .{ .dtype = "<u2", .mode = "r", .offset = 2 });
        defer a.close();
        try testing.expectEqualSlices(u16, &.{ 0x0403, 0x0605, 0x0807 }, try a.items(u16));
        // r+ on a handle opened read-only: refused (when mapping, on Windows).
        try testing.expectError(error.AccessDenied, Array.openFile(f, .{ .dtype = "<u2", .mode = "r+" }));
    }
    // The caller's handle still works, and once it is closed the file is held by nobody.
    var b: [2]u8 = undefined;
    try testing.expectEqual(@as(usize, 2), try f.preadAll(&b, 6));
    try testing.expectEqualSlices(u8, &.{ 7, 8 }, &b);
    f.close();
    try dir.dir.deleteFile("h.u2");
    try testing.expectEqual(@as(usize, 0), mm.handleCount());
}

test "Windows: w+ of a mapped file is EBUSY; the message names the path" {
    var dir = testing.tmpDir(.{});
    defer dir.cleanup();
    const path = try tmpPath(&dir, "m.u4");
    defer testing.allocator.free(path);
    const a = try Array.open(path, .{ .dtype = "<u4", .mode = "w+", .shape = &.{16} });
    defer a.close();
    // Windows cannot truncate a mapped file (ERROR_USER_MAPPED_FILE): MM_E_IO, EBUSY.
    if (Array.open(path, .{ .dtype = "<u4", .mode = "w+", .shape = &.{8} })) |b| {
        b.close();
        return error.TestUnexpectedResult;
    } else |err| {
        try testing.expectEqual(error.InputOutput, err);
    }
    try testing.expectEqual(@as(i32, 16), mm.osError());
    const f = try dir.dir.openFile("m.u4", .{});
    defer f.close();
    try testing.expectEqual(@as(u64, 64), try f.getEndPos());
    const missing = try tmpPath(&dir, "none.u4");
    defer testing.allocator.free(missing);
    try testing.expectError(error.FileNotFound, Array.open(missing, .{ .dtype = "<u4", .mode = "r" }));
    try testing.expect(std.mem.indexOf(u8, mm.lastErrorMessage(), missing) != null);
}
