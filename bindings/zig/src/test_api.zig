//! Tests of the Zig module: descriptors and open flags, describing a handle, scalar
//! kinds, record fields, the controls, guarded copies, errors and the version, against
//! files numpy wrote or reads back.
const std = @import("std");
const builtin = @import("builtin");
const mm = @import("mmarray.zig");
const c = mm.c;
const Array = mm.Array;
const testing = std.testing;
const util = @import("test_util.zig");
const tmpPath = util.tmpPath;
const python = util.python;

fn expectPython(want: []const u8, code: []const u8, args: []const []const u8) !void {
    const got = try python(code, args);
    defer testing.allocator.free(got);
    try testing.expectEqualStrings(want, got);
}

test "openFile (a descriptor), open flags, mode, filename, offset" {
    var dir = testing.tmpDir(.{});
    defer dir.cleanup();
    const path = try tmpPath(&dir, "a.i4");
    defer testing.allocator.free(path);
    // numpy writes a (3, 4) <i4 array after 8 bytes of header.
    try expectPython("", "f = open(sys.argv[1], 'wb'); f.write(b'HEADER!!'); np.arange(12, dtype='<i4').reshape(3, 4).tofile(f)", &.{path});

    {
        const f = try std.fs.openFileAbsolute(path, .{});
        defer f.close();
        try f.seekTo(5); // the mapping counts from byte 0 whatever the position
        const a = try Array.openFile(f, .{ .dtype = "<i4", .mode = "r", .offset = 8, .shape = &.{ 3, 4 } });
        defer a.close();
        try testing.expectEqualSlices(i32, &.{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 }, try a.items(i32));
        try testing.expectEqual(@as(?[:0]const u8, null), try a.filename());
        try testing.expectEqualStrings("r", a.mode());
        try testing.expectEqual(@as(u64, 8), a.offset());
        // r+ needs a descriptor opened read-write: MM_E_PERMISSION.
        try testing.expectError(error.AccessDenied, Array.openFile(f, .{ .dtype = "<i4", .mode = "r+", .offset = 8 }));
        // Inferred shape: 48 bytes after the offset.
        const inferred = try Array.openFile(f, .{ .dtype = "<i4", .mode = "c", .offset = 8 });
        defer inferred.close();
        try testing.expectEqualSlices(usize, &.{12}, inferred.shape());
        try testing.expectEqualStrings("c", inferred.mode());
    }
    {
        const f = try std.fs.openFileAbsolute(path, .{ .mode = .read_write });
        // w+ on a descriptor never truncates: the values numpy wrote are still there.
        const a = try Array.openFile(f, .{ .dtype = "<i4", .mode = "w+", .offset = 8, .shape = &.{ 3, 4 } });
        f.close(); // only borrowed: the array lives on
        defer a.close();
        const xs = try a.items(i32);
        try testing.expectEqual(@as(i32, 11), xs[11]);
        xs[11] = -5;
        try a.flush();
        try testing.expectEqualStrings("w+", a.mode());
    }
    try expectPython("56 [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, -5]", "import os; print(os.path.getsize(sys.argv[1]), np.fromfile(sys.argv[1], '<i4', offset=8).tolist())", &.{path});

    // Open flags: MAP_POPULATE gives a resident array; unknown bits are refused.
    const p = try Array.open(path, .{ .dtype = "<i4", .mode = "r", .offset = 8, .shape = &.{ 3, 4 }, .flags = .{ .populate = true } });
    defer p.close();
    try testing.expectEqual(@as(u64, 48), try p.resident());
    try testing.expectEqual(@as(i32, -5), (try p.items(i32))[11]);
    try testing.expectEqualStrings(path, (try p.filename()).?);
    try testing.expectError(error.InvalidArg, Array.open(path, .{ .mode = "r", .flags = .{ .unknown = 1 } }));
    try testing.expect(std.mem.indexOf(u8, mm.lastErrorMessage(), "mm_open_ex") != null);

    // MM_OPEN_PREALLOCATE: the blocks of the extension are reserved (a sparse w+ file
    // has none).
    const sparse = try tmpPath(&dir, "sparse.f8");
    defer testing.allocator.free(sparse);
    const full = try tmpPath(&dir, "full.f8");
    defer testing.allocator.free(full);
    const s = try Array.open(sparse, .{ .dtype = "<f8", .mode = "w+", .shape = &.{4096} });
    s.close();
    const r = try Array.open(full, .{ .dtype = "<f8", .mode = "w+", .shape = &.{4096}, .flags = .{ .preallocate = true } });
    r.close();
    for ([_][:0]const u8{ sparse, full }, [_]bool{ false, true }) |name, reserved| {
        const f = try std.fs.openFileAbsolute(name, .{});
        defer f.close();
        // Allocated blocks are a POSIX stat's (this test does not run on Windows: numpy).
        if (builtin.os.tag != .windows) {
            const st = try std.posix.fstat(f.handle);
            try testing.expectEqual(@as(i64, 32768), st.size);
            try testing.expectEqual(reserved, st.blocks * 512 >= 32768);
        }
    }
    try testing.expectEqual(@as(usize, 1), mm.handleCount()); // p only
}

test "describe: one snapshot of a handle; scalarKind" {
    var dir = testing.tmpDir(.{});
    defer dir.cleanup();
    const path = try tmpPath(&dir, "d.f8");
    defer testing.allocator.free(path);
    const a = try Array.open(path, .{ .dtype = "float64", .mode = "w+", .offset = 16, .shape = &.{ 4, 5 } });
    defer a.close();
    const v = try a.slice(1, null, null, -2); // a[:, ::-2]: (4, 3), strides (40, -16)
    defer v.close();
    const info = try v.describe(testing.allocator);
    defer info.deinit(testing.allocator);
    try testing.expectEqualStrings("<f8", info.dtype);
    try testing.expectEqualSlices(usize, &.{ 4, 3 }, info.shape());
    try testing.expectEqualSlices(i64, &.{ 40, -16 }, info.strides());
    try testing.expectEqual(@as(usize, 8), info.raw.itemsize);
    try testing.expectEqual(@as(usize, 12), info.raw.size);
    try testing.expectEqual(@as(usize, 96), info.raw.nbytes);
    try testing.expectEqual(@as(u64, 16), info.raw.offset);
    try testing.expectEqualStrings("w+", info.mode());
    try testing.expectEqual(mm.ScalarKind.float64, info.scalarKind());
    try testing.expectEqual(v.data(), info.raw.data);
    try testing.expectEqual(@as(usize, 8), v.itemsize());
    try testing.expectEqual(@as(usize, 12), v.size());
    try testing.expectEqual(@as(usize, 96), v.nbytes());
    const raw = try v.describeRaw(); // the same, without the dtype text
    try testing.expectEqualSlices(i64, info.strides(), raw.strides[0..raw.ndim]);
    try testing.expectEqual(info.raw.data, raw.data);
    try testing.expectEqual(@as(usize, 32), @intFromPtr(info.raw.data) - @intFromPtr(a.data()));
    try testing.expectEqual(@as(u32, c.MM_WRITEABLE | c.MM_ALIGNED | c.MM_NATIVE_ORDER), info.raw.flags);
    try testing.expectEqual(@as(u64, 8 + 3 * 40), info.extent()); // from the first element
    try testing.expectEqual(v.flags(), info.raw.flags);

    // A record's descr list longer than the first buffer: the text numpy prints.
    const rec_path = try tmpPath(&dir, "r.bin");
    defer testing.allocator.free(rec_path);
    const descr = "[('alpha', '<f4'), ('beta', '>i8'), ('gamma', '|S3')]";
    const rec = try Array.open(rec_path, .{ .dtype = descr, .mode = "w+", .shape = &.{2} });
    defer rec.close();
    const ri = try rec.describe(testing.allocator);
    defer ri.deinit(testing.allocator);
    try expectPython(ri.dtype, "print(str(np.dtype(eval(sys.argv[1])).descr))", &.{descr});
    try testing.expectEqual(mm.ScalarKind.other, ri.scalarKind());
    try testing.expectEqual(@as(usize, 15), ri.raw.itemsize);

    // Each dtype's kind, and the Zig type items(T) maps it to.
    const kinds = [_]struct { [:0]const u8, mm.ScalarKind }{
        .{ "<i4", .int32 },     .{ ">i4", .other },     .{ "bool", .bool },
        .{ "u1", .uint8 },      .{ "<c8", .complex64 }, .{ "complex128", .complex128 },
        .{ "<f2", .float16 },   .{ "long", .int64 },    .{ "S3", .other },
        .{ "<M8[ns]", .other }, .{ "i2", .int16 },      .{ "<u8", .uint64 },
    };
    for (kinds) |k| {
        const x = try a.view(k[0], 0, &.{1}, null);
        defer x.close();
        try testing.expectEqual(k[1], try x.scalarKind());
    }
    try testing.expectEqual(mm.ScalarKind.uint64, mm.scalarKindOf(usize));
    try testing.expectEqual(mm.ScalarKind.int32, mm.scalarKindOf(c_int));
    try testing.expectEqual(mm.ScalarKind.complex64, mm.scalarKindOf(mm.Complex64));
    try testing.expectEqual(mm.ScalarKind.bool, mm.scalarKindOf(bool));

    const gone = try a.view(null, 0, &.{2}, null);
    gone.close();
    try testing.expectError(error.BadHandle, gone.describe(testing.allocator));
    try testing.expectError(error.BadHandle, gone.describeRaw());
    try testing.expectError(error.BadHandle, gone.items(f64));
    try testing.expectEqual(@as(?*anyopaque, null), gone.data());
    try testing.expectError(error.BadHandle, gone.scalarKind());
    try testing.expectError(error.BadHandle, gone.filename());
    try testing.expectEqualStrings("", gone.mode());
}

test "items(T) by scalar kind: bool, f16, complex, against numpy's files" {
    var dir = testing.tmpDir(.{});
    defer dir.cleanup();
    const path = try tmpPath(&dir, "k.bin");
    defer testing.allocator.free(path);
    // 3 bools, 2 float16, then (at byte 8) 2 complex64 and (at 24) 1 complex128.
    try expectPython("",
        \\f = open(sys.argv[1], 'wb')
        \\np.array([True, False, True], '?').tofile(f); f.write(b'\0')
        \\np.array([1.5, -2], '<f2').tofile(f)
        \\np.array([1+2j, -3.5+0.25j], '<c8').tofile(f)
        \\np.array([0.125-8j], '<c16').tofile(f)
    , &.{path});
    const raw = try Array.open(path, .{ .mode = "r" });
    defer raw.close();
    const b = try raw.view("?", 0, &.{3}, null);
    defer b.close();
    try testing.expectEqualSlices(bool, &.{ true, false, true }, try b.items(bool));
    const h = try raw.view("<f2", 4, &.{2}, null);
    defer h.close();
    try testing.expectEqualSlices(f16, &.{ 1.5, -2 }, try h.items(f16));
    const z = try raw.view("<c8", 8, &.{2}, null);
    defer z.close();
    try testing.expectEqualSlices(mm.Complex64, &.{ .{ .re = 1, .im = 2 }, .{ .re = -3.5, .im = 0.25 } }, try z.items(mm.Complex64));
    try testing.expectError(error.DTypeMismatch, z.items(f32));
    try testing.expectError(error.DTypeMismatch, z.items(u64));
    const w = try raw.view("<c16", 24, &.{1}, null);
    defer w.close();
    try testing.expectEqualSlices(mm.Complex128, &.{.{ .re = 0.125, .im = -8 }}, try w.items(mm.Complex128));
    const big = try raw.view(">c8", 8, &.{2}, null);
    defer big.close();
    try testing.expectError(error.DTypeMismatch, big.items(mm.Complex64));
    const u = try raw.view("<u8", 24, &.{2}, null);
    defer u.close();
    try testing.expectEqual(@as(usize, 2), (try u.items(usize)).len);
}

test "record fields: field, fieldIndex, fieldView (numpy's a[name])" {
    var dir = testing.tmpDir(.{});
    defer dir.cleanup();
    const path = try tmpPath(&dir, "rec.npy");
    defer testing.allocator.free(path);
    const made = try python(
        \\dt = np.dtype([('a', '<i2'), ('b', '<f8', (2, 3)), ('c', 'u1')])
        \\x = np.zeros(4, dt)
        \\x['a'] = [1, -2, 3, -4]; x['b'] = np.arange(24).reshape(4, 2, 3) * 0.5; x['c'] = [7, 8, 9, 10]
        \\np.save(sys.argv[1], x)
        \\print(dt.itemsize, x['b'].shape, x['b'].strides, dt.fields['c'][1], dt['c'].str, dt['b'].base.str)
    , &.{path});
    defer testing.allocator.free(made);
    try testing.expectEqualStrings("51 (4, 2, 3) (51, 24, 8) 50 |u1 <f8", made);

    const a = try Array.openNpy(path, "r");
    defer a.close();
    try testing.expectEqual(@as(usize, 3), a.fieldCount());
    const want = [_]struct { []const u8, []const u8, usize, []const usize }{
        .{ "a", "<i2", 0, &.{} },
        .{ "b", "<f8", 2, &.{ 2, 3 } },
        .{ "c", "|u1", 50, &.{} },
    };
    for (want, 0..) |w, i| {
        const f = try a.field(i);
        try testing.expectEqualStrings(w[0], f.name);
        try testing.expectEqualStrings(w[1], f.dtype);
        try testing.expectEqual(w[2], f.byte_offset);
        try testing.expectEqualSlices(usize, w[3], f.shape);
    }
    try testing.expectError(error.InvalidArg, a.field(3));
    try testing.expectEqual(@as(?usize, 2), try a.fieldIndex("c"));
    try testing.expectEqual(@as(?usize, null), try a.fieldIndex("zz"));

    // a['b']: (4, 2, 3) with numpy's strides; its element [3, 1, 2] read by a guarded copy.
    const b = try a.fieldView(1);
    defer b.close();
    try testing.expectEqualSlices(usize, &.{ 4, 2, 3 }, b.shape());
    try testing.expectEqualSlices(i64, &.{ 51, 24, 8 }, b.strides());
    var buf: [8]u8 = undefined;
    try testing.expectEqual(@as(usize, 8), try b.pread(&buf, 3 * 51 + 24 + 16));
    try testing.expectEqual(@as(f64, 11.5), @as(f64, @bitCast(std.mem.readInt(u64, &buf, .little))));
    // a['a'] and a['c']: (4,) at the record stride.
    const fa = try a.fieldView(0);
    defer fa.close();
    try testing.expectEqualSlices(i64, &.{51}, fa.strides());
    try testing.expectError(error.NotContiguous, fa.items(i16));
    var two: [2]u8 = undefined;
    _ = try fa.pread(&two, 3 * 51);
    try testing.expectEqual(@as(i16, -4), std.mem.readInt(i16, &two, .little));
    const fc = try a.fieldView((try a.fieldIndex("c")).?);
    defer fc.close();
    try testing.expectEqualStrings("|u1", fc.dtype());
    var one: [1]u8 = undefined;
    _ = try fc.pread(&one, 2 * 51);
    try testing.expectEqual(@as(u8, 9), one[0]);

    // A plain dtype has no fields.
    const plain = try a.view("u1", 0, &.{4}, null);
    defer plain.close();
    try testing.expectEqual(@as(usize, 0), plain.fieldCount());
    try testing.expectError(error.InvalidArg, plain.field(0));
}

test "flushRange, flushAsync, advise, resident, lock, unlock" {
    var dir = testing.tmpDir(.{});
    defer dir.cleanup();
    const path = try tmpPath(&dir, "c.f8");
    defer testing.allocator.free(path);
    {
        const a = try Array.open(path, .{ .dtype = "<f8", .mode = "w+", .shape = &.{1024} }); // two pages
        defer a.close();
        for (try a.items(f64), 0..) |*x, i| x.* = @floatFromInt(i);
        try a.flushRange(8 * 1000, 8 * 24);
        try testing.expectError(error.OutOfBounds, a.flushRange(8 * 1000, 8 * 24 + 1));
        try a.flushAsync();
        try testing.expectEqual(@as(u64, 8192), try a.resident());
        if (builtin.os.tag == .windows) {
            // Only NORMAL and WILLNEED have a Windows counterpart (docs/c-api.md, Platforms).
            for ([_]mm.Advice{ .sequential, .random, .populate_read, .populate_write }) |adv|
                try testing.expectError(error.Unsupported, a.advise(adv));
            try a.advise(.will_need);
            try a.advise(.normal);
        } else for ([_]mm.Advice{ .sequential, .random, .will_need, .normal, .populate_read, .populate_write }) |adv|
            try a.advise(adv);
        a.lock() catch |err| {
            std.debug.print("mm_lock of 8 KiB refused ({s}, errno {d}): RLIMIT_MEMLOCK too low here\n", .{ @errorName(err), mm.osError() });
            return err;
        };
        try testing.expectEqual(@as(u64, 8192), try a.resident());
        try a.unlock();
        // A view without elements: every control does nothing.
        const empty = try a.view(null, 8, &.{0}, null);
        defer empty.close();
        try empty.flushRange(0, 0);
        try empty.lock();
        try empty.advise(.dont_need);
        try testing.expectEqual(@as(u64, 0), try empty.resident());
    }
    try expectPython("523776.0", "print(np.fromfile(sys.argv[1], '<f8').sum())", &.{path});

    // Mode c: dont_need discards the private changes (the file's value comes back).
    const cw = try Array.open(path, .{ .dtype = "<f8", .mode = "c" });
    defer cw.close();
    const ys = try cw.items(f64);
    ys[3] = -1;
    try cw.advise(.dont_need);
    try testing.expectEqual(@as(f64, 3), ys[3]);
    const r = try Array.open(path, .{ .dtype = "<f8", .mode = "r" });
    defer r.close();
    try testing.expectError(error.ReadOnly, r.advise(.populate_write));
    try r.flush(); // no effect in mode r
    r.close();
    try testing.expectError(error.BadHandle, r.lock());
    try testing.expectError(error.BadHandle, r.unlock());
    try testing.expectError(error.BadHandle, r.resident());
    try testing.expectError(error.BadHandle, r.flushAsync());
    try testing.expectError(error.BadHandle, r.advise(.normal));
}

test "pread / pwriteAll: guarded copies within the view's extent, never SIGBUS" {
    var dir = testing.tmpDir(.{});
    defer dir.cleanup();
    const path = try tmpPath(&dir, "g.i4");
    defer testing.allocator.free(path);
    try expectPython("", "np.arange(12, dtype='<i4').tofile(sys.argv[1])", &.{path});
    {
        const a = try Array.open(path, .{ .dtype = "<i4", .mode = "r+", .shape = &.{ 3, 4 } });
        defer a.close();
        var buf: [16]u8 = undefined;
        try testing.expectEqual(@as(usize, 8), try a.pread(buf[0..8], 4));
        try testing.expectEqual(@as(i32, 1), std.mem.readInt(i32, buf[0..4], .little));
        try testing.expectEqual(@as(i32, 2), std.mem.readInt(i32, buf[4..8], .little));
        try testing.expectEqual(@as(usize, 8), try a.pread(&buf, 40)); // short: the end
        try testing.expectEqual(@as(i32, 11), std.mem.readInt(i32, buf[4..8], .little));
        try testing.expectEqual(@as(usize, 0), try a.pread(&buf, 48));
        try testing.expectEqual(@as(usize, 0), try a.pread(&buf, 1000));
        var minus7: [4]u8 = undefined;
        std.mem.writeInt(i32, &minus7, -7, .little);
        try a.pwriteAll(&minus7, 44);
        try testing.expectError(error.OutOfBounds, a.pwriteAll(&buf, 44));
        try a.pwriteAll(&.{}, 48);
        // a[::2]: (2, 4), strides (64, 4): 48 bytes from its first element.
        const rows = try a.slice(0, null, null, 2);
        defer rows.close();
        var all: [64]u8 = undefined;
        try testing.expectEqual(@as(usize, 48), try rows.pread(&all, 0));
        try testing.expectEqual(@as(i32, -7), std.mem.readInt(i32, all[44..48], .little));
        try a.flush();
    }
    try expectPython("[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, -7]", "print(np.fromfile(sys.argv[1], '<i4').tolist())", &.{path});
    const r = try Array.open(path, .{ .dtype = "<i4", .mode = "r" });
    defer r.close();
    try testing.expectError(error.ReadOnly, r.pwriteAll(&.{ 1, 2, 3, 4 }, 0));

    // The file truncated underneath: error.InputOutput with errno EFAULT, no SIGBUS.
    const big = try tmpPath(&dir, "big.u1");
    defer testing.allocator.free(big);
    const w = try Array.open(big, .{ .mode = "w+", .shape = &.{16384} });
    defer w.close();
    (try w.bytes())[0] = 42;
    {
        const f = try std.fs.openFileAbsolute(big, .{ .mode = .read_write });
        defer f.close();
        try f.setEndPos(0);
    }
    var buf: [16]u8 = undefined;
    try testing.expectError(error.InputOutput, w.pread(&buf, 8192));
    try testing.expectEqual(@as(i32, 14), mm.osError()); // EFAULT
    try testing.expectError(error.InputOutput, w.pwriteAll(&buf, 8192));
    try testing.expectEqual(@as(i32, 14), mm.osError());
}

test "errors: statusText, errorStatus, lastErrorAlloc; version" {
    try testing.expectEqualStrings("file not found", mm.statusText(c.MM_E_NOT_FOUND));
    try testing.expectEqualStrings("success", mm.statusText(c.MM_OK));
    try testing.expectEqualStrings("unknown status", mm.statusText(12345));
    try testing.expectEqual(@as(?c.mm_status, c.MM_E_IO), mm.errorStatus(error.NoSpaceLeft));
    try testing.expectEqual(@as(?c.mm_status, c.MM_E_NOT_FOUND), mm.errorStatus(error.FileNotFound));
    try testing.expectEqual(@as(?c.mm_status, c.MM_E_OUT_OF_BOUNDS), mm.errorStatus(error.OutOfBounds));
    try testing.expectEqual(@as(?c.mm_status, null), mm.errorStatus(error.DTypeMismatch));

    var dir = testing.tmpDir(.{});
    defer dir.cleanup();
    const missing = try tmpPath(&dir, "missing.bin");
    defer testing.allocator.free(missing);
    try testing.expectError(error.FileNotFound, Array.open(missing, .{ .mode = "r" }));
    const kept = try mm.lastErrorAlloc(testing.allocator);
    defer testing.allocator.free(kept);
    try testing.expectEqualStrings(mm.lastErrorMessage(), kept);
    try testing.expect(std.mem.startsWith(u8, kept, "mm_open(\""));
    try testing.expectError(error.InvalidArg, Array.open(missing, .{ .mode = "q" }));
    try testing.expect(!std.mem.eql(u8, mm.lastErrorMessage(), kept)); // the copy stays
    try testing.expect(std.mem.indexOf(u8, kept, missing) != null);

    try testing.expectEqual(std.SemanticVersion{ .major = c.MM_VERSION_MAJOR, .minor = c.MM_VERSION_MINOR, .patch = c.MM_VERSION_PATCH }, mm.version());
    try testing.expectEqual(mm.version(), try std.SemanticVersion.parse(mm.versionString()));
}
