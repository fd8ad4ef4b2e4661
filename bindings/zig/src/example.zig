// The README's Zig example, run by `zig build test`.
const std = @import("std");
const mmarray = @import("mmarray");

test "README example" {
    var tmp = std.testing.tmpDir(.{}); // a directory of its own, removed afterwards
    defer tmp.cleanup();
    const dir = try tmp.dir.realpathAlloc(std.testing.allocator, ".");
    defer std.testing.allocator.free(dir);
    const path = try std.fmt.allocPrintSentinel(std.testing.allocator, "{s}/example.f8", .{dir}, 0);
    defer std.testing.allocator.free(path);

    const a = try mmarray.Array.open(path, .{ .dtype = "<f8", .mode = "w+", .shape = &.{ 2, 3 } });
    defer a.close();
    const xs = try a.items(f64); // []f64 aliasing the file, no copy
    for (xs, 0..) |*x, i| x.* = @floatFromInt(i);

    const col = try a.slice(1, 2, null, 1); // a[:, 2:]
    defer col.close();
    try std.testing.expectEqualSlices(usize, &.{ 2, 1 }, col.shape());

    if (mmarray.Array.open("/nonexistent/x.f8", .{ .mode = "r" })) |b| {
        b.close();
    } else |err| {
        try std.testing.expectEqual(error.FileNotFound, err);
        // e.g. mm_open("/nonexistent/x.f8"): cannot open the file: No such file or directory
        try std.testing.expect(std.mem.indexOf(u8, mmarray.lastErrorMessage(), "/nonexistent/x.f8") != null);
    }
}
