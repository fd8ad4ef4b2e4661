//! Zig package over the mmarray C library. The C API is translated by the build
//! system's translate-C step (not @cImport, which later Zig versions drop).
//!
//!   zig build test -Dmmarray-include=/usr/local/include -Dmmarray-lib=/usr/local/lib
//!
//! Other packages depend on it and import the module "mmarray".
const std = @import("std");

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});
    const include_dir = b.option([]const u8, "mmarray-include", "directory holding mmarray.h") orelse "../../include";
    const lib_dir = b.option([]const u8, "mmarray-lib", "directory holding libmmarray.so") orelse "../../target/release";

    const c = b.addTranslateC(.{
        .root_source_file = .{ .cwd_relative = b.pathJoin(&.{ include_dir, "mmarray.h" }) },
        .target = target,
        .optimize = optimize,
    });

    const mod = b.addModule("mmarray", .{
        .root_source_file = b.path("src/mmarray.zig"),
        .target = target,
        .optimize = optimize,
        .link_libc = true,
        .imports = &.{.{ .name = "c", .module = c.createModule() }},
    });
    mod.addLibraryPath(.{ .cwd_relative = lib_dir });
    mod.addRPath(.{ .cwd_relative = lib_dir });
    mod.linkSystemLibrary("mmarray", .{});

    const tests = b.addTest(.{ .root_module = mod });
    const run_tests = b.addRunArtifact(tests);
    const example = b.addTest(.{
        .root_module = b.createModule(.{
            .root_source_file = b.path("src/example.zig"),
            .target = target,
            .optimize = optimize,
            .imports = &.{.{ .name = "mmarray", .module = mod }},
        }),
    });
    const run_example = b.addRunArtifact(example);
    const test_step = b.step("test", "Run the binding's tests and the README example");
    test_step.dependOn(&run_tests.step);
    test_step.dependOn(&run_example.step);
}
