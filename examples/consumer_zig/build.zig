// A Zig project using mmarray: `zig fetch --save=mmarray <mmarray tarball or URL>` adds
// the dependency to build.zig.zon; the installed library is found through pkg-config
// (PKG_CONFIG_PATH=PREFIX/lib/pkgconfig) or `zig build -Dmmarray-prefix=PREFIX`.
const std = @import("std");

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});
    const dep = if (b.option([]const u8, "mmarray-prefix", "an installed mmarray (default: pkg-config)")) |prefix|
        b.dependency("mmarray", .{ .target = target, .optimize = optimize, .@"mmarray-prefix" = prefix })
    else
        b.dependency("mmarray", .{ .target = target, .optimize = optimize });

    const exe = b.addExecutable(.{
        .name = "consumer_zig",
        .root_module = b.createModule(.{
            .root_source_file = b.path("src/main.zig"),
            .target = target,
            .optimize = optimize,
            .imports = &.{.{ .name = "mmarray", .module = dep.module("mmarray") }},
        }),
    });
    b.installArtifact(exe);
    const run = b.addRunArtifact(exe);
    run.step.dependOn(b.getInstallStep());
    b.step("run", "Run the consumer").dependOn(&run.step);
}
