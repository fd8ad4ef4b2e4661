//! What the Zig module's tests share: paths in a test's own directory, and numpy as the
//! oracle.
const std = @import("std");
const builtin = @import("builtin");
const testing = std.testing;

/// The absolute path of name in the test's own directory (free it).
pub fn tmpPath(dir: *testing.TmpDir, name: []const u8) ![:0]u8 {
    if (builtin.os.tag == .windows) {
        // Zig's realpath on Windows asks the mount manager, which Wine does not answer
        // (error.Unexpected): the path is the current directory's, where tmpDir makes it.
        const cwd = try std.process.getCwdAlloc(testing.allocator);
        defer testing.allocator.free(cwd);
        return std.fs.path.joinZ(testing.allocator, &.{ cwd, ".zig-cache", "tmp", &dir.sub_path, name });
    }
    const base = try dir.dir.realpathAlloc(testing.allocator, ".");
    defer testing.allocator.free(base);
    return std.fs.path.joinZ(testing.allocator, &.{ base, name });
}

/// Runs `import numpy as np, sys` + code with the Python MMARRAY_PYTHON names (set by
/// bindings/zig/run_tests.sh) and args as sys.argv[1:]; its standard output, trimmed
/// (free it). numpy is the oracle: without it the test fails, saying so.
/// On Windows (the tests under Wine) there is no numpy: the test is skipped, saying so.
pub fn python(code: []const u8, args: []const []const u8) ![]u8 {
    if (builtin.os.tag == .windows) {
        std.debug.print("NOT RUN on Windows: needs numpy as the oracle, which does not run under Wine here (scripts/test_windows.sh checks the DLL against numpy with c_tests/numpy_cross.py)\n", .{});
        return error.SkipZigTest;
    }
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
