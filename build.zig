//! Zig package of mmarray: the module "mmarray" (bindings/zig/src/mmarray.zig) over an
//! installed libmmarray. The C API is translated by the build system's translate-C step.
//!
//! The header and the library are found, in this order, through
//!   -Dmmarray-include=DIR -Dmmarray-lib=DIR   (both; relative paths are taken from the
//!                                              directory `zig build` runs in)
//!   -Dmmarray-prefix=PREFIX                    (PREFIX/include, PREFIX/lib)
//!   pkg-config mmarray                         (its includedir and libdir; PKG_CONFIG_PATH)
//! and are always made absolute: the RUNPATH recorded for the library (-Dmmarray-rpath,
//! on by default; off for a library the loader finds by itself, e.g. after ldconfig) is
//! never relative. A package depending on this one passes the same names to
//! b.dependency("mmarray", .{ .@"mmarray-prefix" = ... }) (README, "Zig").
//!
//!   zig build test -Dmmarray-prefix=/usr/local      (bindings/zig/run_tests.sh)
const std = @import("std");

const Dirs = struct { include: []const u8, lib: []const u8 };

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});
    const dirs = locate(b);
    const rpath = b.option(bool, "mmarray-rpath", "record the library directory as RUNPATH (default true)") orelse true;

    const c = b.addTranslateC(.{
        .root_source_file = .{ .cwd_relative = b.pathJoin(&.{ dirs.include, "mmarray.h" }) },
        .target = target,
        .optimize = optimize,
    });
    const mod = b.addModule("mmarray", .{
        .root_source_file = b.path("bindings/zig/src/mmarray.zig"),
        .target = target,
        .optimize = optimize,
        .link_libc = true,
        .imports = &.{.{ .name = "c", .module = c.createModule() }},
    });
    mod.addLibraryPath(.{ .cwd_relative = dirs.lib });
    if (rpath) mod.addRPath(.{ .cwd_relative = dirs.lib });
    mod.linkSystemLibrary("mmarray", .{ .use_pkg_config = .no });

    const tests = b.addTest(.{ .root_module = mod });
    const example = b.addTest(.{
        .root_module = b.createModule(.{
            .root_source_file = b.path("bindings/zig/src/example.zig"),
            .target = target,
            .optimize = optimize,
            .imports = &.{.{ .name = "mmarray", .module = mod }},
        }),
    });
    const test_step = b.step("test", "Run the binding's tests and the README example");
    test_step.dependOn(&b.addRunArtifact(tests).step);
    // The README example names POSIX paths ("/nonexistent/x.f8", realpath): for Windows
    // it is built, not run (with -fwine the module's tests run under Wine).
    if (target.result.os.tag == .windows)
        test_step.dependOn(&example.step)
    else
        test_step.dependOn(&b.addRunArtifact(example).step);

    // The test programs without running them, to run them elsewhere (scripts/test_windows.sh
    // runs a Windows build under wine64): PREFIX/bin/mmarray-test, mmarray-example-test.
    const test_exe_step = b.step("test-exe", "Install the test programs (bin/mmarray-test, bin/mmarray-example-test) without running them");
    const ext = target.result.exeFileExt();
    test_exe_step.dependOn(&b.addInstallArtifact(tests, .{ .dest_sub_path = b.fmt("mmarray-test{s}", .{ext}), .pdb_dir = .disabled }).step);
    test_exe_step.dependOn(&b.addInstallArtifact(example, .{ .dest_sub_path = b.fmt("mmarray-example-test{s}", .{ext}), .pdb_dir = .disabled }).step);
}

/// The absolute include and library directories (see the top of this file); any failure
/// stops the build with a message and a non-zero status.
fn locate(b: *std.Build) Dirs {
    const include = b.option([]const u8, "mmarray-include", "directory holding mmarray.h");
    const lib = b.option([]const u8, "mmarray-lib", "directory holding libmmarray.so");
    const prefix = b.option([]const u8, "mmarray-prefix", "prefix of an installed mmarray (include/, lib/)");
    var dirs: Dirs = undefined;
    if (include != null or lib != null) {
        if (include == null or lib == null) fail("mmarray: -Dmmarray-include and -Dmmarray-lib go together", .{});
        dirs = .{ .include = include.?, .lib = lib.? };
    } else if (prefix) |p| {
        dirs = .{ .include = b.pathJoin(&.{ p, "include" }), .lib = b.pathJoin(&.{ p, "lib" }) };
    } else {
        dirs = .{ .include = pkgConfig(b, "includedir"), .lib = pkgConfig(b, "libdir") };
    }
    dirs.include = absolute(b, dirs.include, "include directory");
    dirs.lib = absolute(b, dirs.lib, "library directory");
    std.fs.accessAbsolute(b.pathJoin(&.{ dirs.include, "mmarray.h" }), .{}) catch
        fail("mmarray: no mmarray.h in {s}", .{dirs.include});
    return dirs;
}

fn pkgConfig(b: *std.Build, variable: []const u8) []const u8 {
    const flag = b.fmt("--variable={s}", .{variable});
    const r = std.process.Child.run(.{ .allocator = b.allocator, .argv = &.{ "pkg-config", flag, "mmarray" } }) catch |err|
        fail("mmarray: cannot run pkg-config ({s}); pass -Dmmarray-prefix=PREFIX", .{@errorName(err)});
    const out = std.mem.trim(u8, r.stdout, " \t\r\n");
    if (r.term != .Exited or r.term.Exited != 0 or out.len == 0)
        fail("mmarray: pkg-config does not know mmarray (set PKG_CONFIG_PATH to PREFIX/lib/pkgconfig, or pass -Dmmarray-prefix=PREFIX): {s}", .{std.mem.trim(u8, r.stderr, " \t\r\n")});
    return out;
}

fn absolute(b: *std.Build, path: []const u8, what: []const u8) []const u8 {
    return std.fs.cwd().realpathAlloc(b.allocator, path) catch |err|
        fail("mmarray: the {s} {s} cannot be opened ({s})", .{ what, path, @errorName(err) });
}

fn fail(comptime fmt: []const u8, args: anytype) noreturn {
    std.debug.print(fmt ++ "\n", args);
    std.process.exit(1);
}
