"""numpy as the oracle across the OS line (issue 15): numpy runs on Linux, the Windows
program (c_tests/test_numpy_cross.c, cross-built with MinGW) runs under Wine.

  numpy_cross.py fixtures DIR      numpy writes .npy, .npz and raw files for a matrix of
                                   dtypes x shapes x orders (and raw offsets) into DIR, with
                                   DIR/manifest.txt (what the Windows program opens) and
                                   DIR/expected.txt (what it must print for each)
  numpy_cross.py check-read DIR OUT
                                   compares the Windows program's output OUT line by line
                                   with DIR/expected.txt (dtype, shape, strides, offset and
                                   every element's bytes in C order)
  numpy_cross.py check-written DIR the files the Windows program wrote into DIR/out are
                                   byte-identical to np.save / np.savez of the same arrays,
                                   and its writes in place (r+ through a strided view; c,
                                   which must not reach the file) are what numpy expects

Exit status 0 only when everything matched; each mismatch is printed.
"""
import os
import sys
import zipfile

import numpy as np

# dtype text as numpy's dtype.str (or the descr list for records) -- what mm_dtype reports
DTYPES = ["|u1", "|i1", "<i2", ">i2", "<i4", ">i4", "<u4", "<i8", ">u8", "<f2", "<f4",
          ">f4", "<f8", ">f8", "<c8", ">c16", "|b1", "<M8[ns]", ">m8[s]", "|S5", "<U3",
          ">U2", "|V6", [("x", "<f4"), ("y", ">i8"), ("z", "|S3")]]
SHAPES = [(), (7,), (3, 4), (2, 3, 4), (0, 5), (5, 1)]
RAW_OFFSETS = [0, 3, 65537, 131072 + 5]     # across the 64 KiB allocation granularity


def dtype_text(dt):
    return dt.str if dt.names is None else str(dt.descr)


def sample(dt, shape, seed):
    """Deterministic values of every kind (bytes from a generator, bools 0/1)."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape)) if shape else 1
    if dt.kind == "b":
        raw = rng.integers(0, 2, n, dtype=np.uint8).tobytes()
    else:
        raw = rng.integers(0, 256, n * dt.itemsize, dtype=np.uint8).tobytes()
    return np.frombuffer(raw, dtype=dt).reshape(shape).copy()


def fmt_tuple(t):
    return ",".join(str(int(x)) for x in t)


def describe(a, offset):
    c = np.ascontiguousarray(a)     # keeps the dtype (byte order included): C-order bytes
    return "dtype=%s shape=(%s) strides=(%s) offset=%d hex=%s" % (
        dtype_text(a.dtype), fmt_tuple(a.shape), fmt_tuple(a.strides), offset,
        c.tobytes().hex())


def fixtures(d):
    os.makedirs(d, exist_ok=True)
    manifest, expected = [], []
    k = 0
    for i, dts in enumerate(DTYPES):
        dt = np.dtype(dts)
        for j, shape in enumerate(SHAPES):
            for order in "CF":
                if order == "F" and len(shape) < 2:
                    continue
                arr = sample(dt, shape, 1000 * i + 10 * j + (order == "F"))
                if order == "F":
                    arr = np.asfortranarray(arr)
                name = "a%03d.npy" % k
                np.save(os.path.join(d, name), arr)
                m = np.load(os.path.join(d, name), mmap_mode="r")
                manifest.append("npy %s %s" % (name, name))
                expected.append("%s %s" % (name, describe(m, m.offset)))
                k += 1
                # the same data as a raw file at an offset, opened with the dtype text
                if len(shape) >= 1 and arr.size > 0 and dt.names is None:
                    off = RAW_OFFSETS[k % len(RAW_OFFSETS)]
                    raw = "r%03d.bin" % k
                    with open(os.path.join(d, raw), "wb") as f:
                        f.write(bytes((x * 7 + 1) & 0xFF for x in range(off)))
                        f.write(arr.tobytes(order="A"))
                    mm = np.memmap(os.path.join(d, raw), dtype=dt, mode="r", offset=off,
                                   shape=shape, order=order)
                    manifest.append("raw %s %s %s %d %s %d %s" % (
                        raw, raw, dt.str, off, order, len(shape), " ".join(map(str, shape))))
                    expected.append("%s %s" % (raw, describe(mm, off)))
    # archives: stored (np.savez) and deflated (np.savez_compressed)
    members = {"first": sample(np.dtype("<f8"), (3, 4), 1),
               "second": np.asfortranarray(sample(np.dtype(">i4"), (4, 5), 2)),
               "third": sample(np.dtype("|S5"), (6,), 3),
               "zero_d": sample(np.dtype("<c16"), (), 4)}
    for fn, save in (("stored.npz", np.savez), ("deflated.npz", np.savez_compressed)):
        save(os.path.join(d, fn), **members)
        with np.load(os.path.join(d, fn)) as z:
            for name in members:
                a = z[name]
                manifest.append("npz %s:%s %s %s" % (fn, name, fn, name))
                # mm_offset: the data's offset in a stored archive, 0 for a deflated one
                off = -1 if fn == "stored.npz" else 0
                expected.append("%s:%s %s" % (fn, name, describe(a, off)))
    with open(os.path.join(d, "manifest.txt"), "w") as f:
        f.write("\n".join(manifest) + "\n")
    with open(os.path.join(d, "expected.txt"), "w") as f:
        f.write("\n".join(expected) + "\n")
    os.makedirs(os.path.join(d, "out"), exist_ok=True)
    # written in place by the Windows program: r+ (through a strided view) and c
    np.save(os.path.join(d, "out", "rplus.npy"), np.arange(24, dtype="<f8").reshape(4, 6))
    np.save(os.path.join(d, "out", "cow.npy"), np.arange(24, dtype=">i4").reshape(4, 6))
    print("numpy %s wrote %d fixtures into %s" % (np.__version__, len(manifest), d))


def check_read(d, out):
    want = [l.rstrip("\n") for l in open(os.path.join(d, "expected.txt"))]
    got = [l.rstrip("\r\n") for l in open(out, encoding="utf-8", errors="replace")]
    got = [l for l in got if not l.startswith("#")]
    bad = 0
    if len(got) != len(want):
        print("expected %d lines from the Windows program, got %d" % (len(want), len(got)))
        bad += 1
    for w, g in zip(want, got):
        if "offset=-1 " in w:     # stored member: any offset inside the archive
            wl, wr = w.split("offset=-1 ")
            if not (g.startswith(wl + "offset=") and g.endswith(" " + wr)
                    and int(g[len(wl) + 7:].split(" ")[0]) > 0):
                print("MISMATCH\n  numpy:   %s\n  windows: %s" % (w[:300], g[:300]))
                bad += 1
        elif w != g:
            print("MISMATCH\n  numpy:   %s\n  windows: %s" % (w[:300], g[:300]))
            bad += 1
    print("read cross-check: %d arrays compared, %d mismatches" % (len(want), bad))
    return bad == 0


def written_refs():
    """What test_numpy_cross.exe write DIR/out makes, as numpy arrays, by file name."""
    refs = {}
    # mm_create_npy filled with bytes (k * 7 + 1) & 0xff in memory order (bools: k & 1)
    for name, dts, shape, order in (("create_c_f8.npy", "<f8", (3, 5), "C"),
                                    ("create_f_i2.npy", ">i2", (4, 3, 2), "F"),
                                    ("create_c_b1.npy", "|b1", (9,), "C"),
                                    ("create_f_c16.npy", "<c16", (2, 3), "F"),
                                    ("create_c_U3.npy", "<U3", (2, 2), "C"),
                                    ("create_0d_i8.npy", "<i8", (), "C")):
        dt = np.dtype(dts)
        n = (int(np.prod(shape)) if shape else 1) * dt.itemsize
        if dt.kind == "b":
            raw = bytes(k & 1 for k in range(n))
        else:
            raw = bytes((k * 7 + 1) & 0xFF for k in range(n))
        refs[name] = np.frombuffer(raw, dtype=dt).reshape(shape, order=order)
    # mm_save_npy of strided views of a (6, 8) <i4 array holding 0..47
    a = np.arange(48, dtype="<i4").reshape(6, 8)
    refs["save_step.npy"] = a[::2, ::-1]
    refs["save_T.npy"] = a.T
    refs["save_be_block.npy"] = a.view(">i4")[1:5:3, 2:7]
    refs["save_rev_col.npy"] = a[::-1, 3:4]
    return refs, a


def check_written(d):
    out = os.path.join(d, "out")
    refs, a = written_refs()
    bad = 0
    tmp = os.path.join(out, "numpy-oracle")
    os.makedirs(tmp, exist_ok=True)
    for name, ref in refs.items():
        p = os.path.join(out, name)
        o = os.path.join(tmp, name)
        np.save(o, ref)
        if not os.path.exists(p):
            print("missing: %s" % p)
            bad += 1
            continue
        if open(p, "rb").read() != open(o, "rb").read():
            print("NOT byte-identical to np.save: %s" % name)
            bad += 1
    # archives of two of those views
    npz_refs = {"step": refs["save_step.npy"], "T": refs["save_T.npy"]}
    for fn, save in (("views.npz", np.savez), ("views_deflated.npz", np.savez_compressed)):
        p = os.path.join(out, fn)
        o = os.path.join(tmp, fn)
        save(o, **npz_refs)
        if not os.path.exists(p):
            print("missing: %s" % p)
            bad += 1
            continue
        if fn == "views.npz" and open(p, "rb").read() != open(o, "rb").read():
            print("NOT byte-identical to np.savez: %s" % fn)
            bad += 1
        try:
            with zipfile.ZipFile(p) as zg, zipfile.ZipFile(o) as zw:
                if zg.testzip() is not None:
                    print("%s: bad CRC" % fn)
                    bad += 1
                for n in zw.namelist():
                    if zg.read(n) != zw.read(n):
                        print("%s: member %s differs from numpy's" % (fn, n))
                        bad += 1
            with np.load(p) as z:
                if z.files != list(npz_refs):
                    print("%s: members %s" % (fn, z.files))
                    bad += 1
        except Exception as e:  # a broken archive is a mismatch, not a crash
            print("%s: unreadable (%s: %s); %d bytes, numpy's %d" % (
                fn, type(e).__name__, e, os.path.getsize(p), os.path.getsize(o)))
            bad += 1
    # r+: every element of x[::2, 1::3] negated through the mapping, flushed
    want = np.arange(24, dtype="<f8").reshape(4, 6)
    want[::2, 1::3] *= -1
    np.save(os.path.join(tmp, "rplus.npy"), want)
    if open(os.path.join(out, "rplus.npy"), "rb").read() != \
            open(os.path.join(tmp, "rplus.npy"), "rb").read():
        print("rplus.npy: the r+ writes are not what numpy expects")
        bad += 1
    # c: the writes stayed in the process
    np.save(os.path.join(tmp, "cow.npy"), np.arange(24, dtype=">i4").reshape(4, 6))
    if open(os.path.join(out, "cow.npy"), "rb").read() != \
            open(os.path.join(tmp, "cow.npy"), "rb").read():
        print("cow.npy: a copy-on-write view changed the file")
        bad += 1
    # the raw base file written through mm_open w+
    base = os.path.join(out, "base_i4.bin")
    if not os.path.exists(base) or open(base, "rb").read() != a.tobytes():
        print("base_i4.bin is not arange(48) as <i4")
        bad += 1
    print("written cross-check: %d .npy + 2 .npz + 1 raw + r+ and c in place compared, "
          "%d mismatches" % (len(refs), bad))
    return bad == 0


def main(argv):
    if len(argv) == 3 and argv[1] == "fixtures":
        fixtures(argv[2])
        return 0
    if len(argv) == 4 and argv[1] == "check-read":
        return 0 if check_read(argv[2], argv[3]) else 1
    if len(argv) == 3 and argv[1] == "check-written":
        return 0 if check_written(argv[2]) else 1
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
