//! What the Zig module's tests share: paths in a test's own directory, and numpy as the
//! oracle.
const std = @import("std");
const testing = std.testing;

/// The absolute path of name in the test's own directory (free it).
pub fn tmpPath(dir: *testing.TmpDir, name: []const u8) ![:0]u8 {
    const base = try dir.dir.realpathAlloc(testing.allocator, ".");
    defer testing.allocator.free(base);
    return std.fs.path.joinZ(testing.allocator, &.{ base, name });
}

/// Runs `import numpy as np, sys` + code with the Python MMARRAY_PYTHON names (set by
/// bindings/zig/run_tests.sh) and args as sys.argv[1:]; its standard output, trimmed
/// (free it). numpy is the oracle: without it the test fails, saying so.
pub fn python(code: []const u8, args: []const []const u8) ![]u8 {
    const a = testing.allocator;
    const py = std.process.getEnvVarOwned(a, "MMARRAY_PYTHON") catch {
        std.debug.print("numpy is these tests' oracle: set MMARRAY_PYTHON to a Python with numpy (bindings/zig/run_tests.sh does)\n", .{});
        return error.NoNumpy;
    };
    defer a.free(py);
    const script = try std.mem.concat(a, u8, &.{ "import numpy as np, sys\n", code });
    defer a.free(script);
    var argv: std.ArrayList([]const u8) = .empty;
    defer argv.deinit(a);
    try argv.appendSlice(a, &.{ py, "-c", script });
    try argv.appendSlice(a, args);
    const r = try std.process.Child.run(.{ .allocator = a, .argv = argv.items });
    defer a.free(r.stderr);
    errdefer a.free(r.stdout);
    if (r.term != .Exited or r.term.Exited != 0) {
        std.debug.print("python with numpy ({s}) failed:\n{s}\n", .{ py, r.stderr });
        return error.NumpyFailed;
    }
    const out = std.mem.trim(u8, r.stdout, " \t\r\n");
    const copy = try a.dupe(u8, out);
    a.free(r.stdout);
    return copy;
}
