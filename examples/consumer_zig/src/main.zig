const std = @import("std");
const mmarray = @import("mmarray");

pub fn main() !void {
    const a = try mmarray.Array.open("consumer_zig.f8", .{ .dtype = "<f8", .mode = "w+", .shape = &.{ 2, 3 } });
    defer a.close();
    const xs = try a.items(f64); // aliases the file
    for (xs, 0..) |*x, i| x.* = @floatFromInt(10 * (i / 3) + i % 3);
    const missing = mmarray.Array.open("missing.f8", .{ .mode = "r" });
    const err = if (missing) |m| blk: {
        m.close();
        break :blk error.Unexpected;
    } else |e| e;
    std.debug.print("consumer_zig: a[1][2] = {d}, missing.f8: error.{s}\n", .{ xs[5], @errorName(err) });
}
