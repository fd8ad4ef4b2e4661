"""The .npz rows of bench/run.sh (row 13; issue 12), and a one-off at any size.

    npz_bench.py DIR --quick|full     R lines for bench/report.py (quick: 8 MiB members,
                                      full: 2 GiB), files written under DIR
    npz_bench.py [MiB]                 the same measurements printed as sentences, in a
                                      temporary directory under $TMPDIR (default 256 MiB)

The library is $MMARRAY_LIB (default target/release/libmmarray.so). Writes a stored
archive holding one float64 member (np.savez), the same array as a plain .npy, and int32
arrays of the same size (i % 1000, very compressible; random values 0..99, less so) as
np.savez_compressed. Then, medians of repeated runs:
  13a  open a stored member + read one element + close (mm_open_npz), against
       mm_open_npy on the .npy, and against np.load(path)[name] (which reads it all);
  13b  open a deflated member of i % 1000 (mm_open_npz: inflate + CRC), against
       np.load(path)[name] (zlib through zipfile);
  13c  the same for random 0..99.
"""

import ctypes
import os
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np

lib = ctypes.CDLL(os.environ.get("MMARRAY_LIB", "target/release/libmmarray.so"))
u64 = ctypes.c_uint64
lib.mm_open_npz.argtypes = [ctypes.c_char_p] * 3 + [ctypes.POINTER(u64)]
lib.mm_open_npy.argtypes = [ctypes.c_char_p] * 2 + [ctypes.POINTER(u64)]
lib.mm_data.argtypes = [u64]
lib.mm_data.restype = ctypes.c_void_p
lib.mm_close.argtypes = [u64]


def times_of(fn, runs):
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def mm_open_one(open_call):
    h = u64(0)
    assert open_call(ctypes.byref(h)) == 0
    v = ctypes.c_double.from_address(lib.mm_data(h.value) + 8 * 12345).value
    lib.mm_close(h.value)
    return v


def measure(tmp, mib, quick):
    """{row: {variant: [seconds]}} and the compressed sizes."""
    out, sizes = {}, {}
    n = mib * (1 << 20) // 8
    x = np.arange(n, dtype="<f8")
    stored, npy = os.path.join(tmp, "s.npz"), os.path.join(tmp, "x.npy")
    np.savez(stored, x=x)
    np.save(npy, x)
    del x
    s_b, npy_b = stored.encode(), npy.encode()
    runs = 31 if quick else 200
    out["13a"] = {
        "mm_open_npz": times_of(lambda: mm_open_one(lambda o: lib.mm_open_npz(s_b, b"x", b"r", o)), runs),
        "mm_open_npy": times_of(lambda: mm_open_one(lambda o: lib.mm_open_npy(npy_b, b"r", o)), runs),
    }

    def np_load():
        with np.load(stored) as z:
            return z["x"][12345]
    out["13a"]["numpy"] = times_of(np_load, 3)
    os.unlink(stored)
    os.unlink(npy)
    rng = np.random.default_rng(0)
    n4 = mib * (1 << 20) // 4
    for row, data in [("13b", np.arange(n4, dtype="<i4") % 1000),
                      ("13c", rng.integers(0, 100, n4, dtype="<i4"))]:
        c = os.path.join(tmp, "c.npz")
        np.savez_compressed(c, x=data)
        del data
        sizes[row] = os.path.getsize(c)
        c_b = c.encode()

        def mm_inflate():
            h = u64(0)
            assert lib.mm_open_npz(c_b, b"x", b"r", ctypes.byref(h)) == 0
            lib.mm_close(h.value)

        def np_inflate():
            with np.load(c) as z:
                return z["x"]
        out[row] = {"mmarray": times_of(mm_inflate, 3), "numpy": times_of(np_inflate, 3)}
        os.unlink(c)
    return out, sizes


def r_lines(dir, quick):
    mib = 8 if quick else 2048
    out, sizes = measure(dir, mib, quick)
    for row, variants in out.items():
        for variant, secs in variants.items():
            us = sorted(t * 1e6 for t in secs)
            print(f"R {row} {variant} {statistics.median(us):.6g} {us[0]:.6g} {us[-1]:.6g} us {len(us)}", flush=True)
    for row, size in sizes.items():
        print(f"N {row}: {mib} MiB int32 member, {size >> 10} KiB compressed")


def sentences(mib):
    tmp = tempfile.mkdtemp(prefix="mmarray-npz-bench.", dir=os.environ.get("TMPDIR"))
    try:
        out, sizes = measure(tmp, mib, False)
    finally:
        shutil.rmtree(tmp)
    med = {row: {v: statistics.median(t) for v, t in vs.items()} for row, vs in out.items()}
    a = med["13a"]
    print(f"stored member {mib} MiB: mm_open_npz {a['mm_open_npz'] * 1e6:.1f} us, mm_open_npy "
          f"{a['mm_open_npy'] * 1e6:.1f} us (ratio {a['mm_open_npz'] / a['mm_open_npy']:.2f}), "
          f"np.load(path)[name] {a['numpy'] * 1e3:.1f} ms "
          f"({a['numpy'] / a['mm_open_npz']:.0f}x slower than mm_open_npz)")
    for row, kind in [("13b", "int32 i % 1000"), ("13c", "int32 random 0..99")]:
        m = med[row]
        print(f"deflated member {mib} MiB of {kind} ({sizes[row] >> 20} MiB compressed): "
              f"mm_open_npz {m['mmarray'] * 1e3:.0f} ms, np.load {m['numpy'] * 1e3:.0f} ms "
              f"(mmarray at {m['numpy'] / m['mmarray']:.2f}x numpy's speed)")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[2] in ("--quick", "full"):
        r_lines(sys.argv[1], sys.argv[2] == "--quick")
    else:
        sentences(int(sys.argv[1]) if len(sys.argv) > 1 else 256)
