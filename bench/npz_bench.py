"""One-off .npz figures (issue 12), printed as ratios; never pass/fail.

    MMARRAY_LIB=target/release/libmmarray.so .venv/bin/python bench/npz_bench.py [MiB]

Writes, in a temporary directory under $TMPDIR: a stored archive holding one float64
member of MiB mebibytes (np.savez), the same array as a plain .npy, and int32 arrays of
the same size (i % 1000, very compressible; random values 0..99, less so) as
np.savez_compressed. Then, median of repeated runs:
  - open a stored member + read one element + close (mm_open_npz), against mm_open_npy
    on the .npy, and against np.load(path)[name] (which reads the whole member);
  - open a deflated member (mm_open_npz: inflate + CRC) against np.load(path)[name]
    (zlib through zipfile).
"""

import ctypes
import os
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np

mib = int(sys.argv[1]) if len(sys.argv) > 1 else 256
lib = ctypes.CDLL(os.environ.get("MMARRAY_LIB", "target/release/libmmarray.so"))
u64 = ctypes.c_uint64
lib.mm_open_npz.argtypes = [ctypes.c_char_p] * 3 + [ctypes.POINTER(u64)]
lib.mm_open_npy.argtypes = [ctypes.c_char_p] * 2 + [ctypes.POINTER(u64)]
lib.mm_data.argtypes = [u64]
lib.mm_data.restype = ctypes.c_void_p
lib.mm_close.argtypes = [u64]


def median_time(fn, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def mm_open_one(open_call):
    h = u64(0)
    assert open_call(ctypes.byref(h)) == 0
    v = ctypes.c_double.from_address(lib.mm_data(h.value) + 8 * 12345).value
    lib.mm_close(h.value)
    return v


tmp = tempfile.mkdtemp(prefix="mmarray-npz-bench.", dir=os.environ.get("TMPDIR"))
try:
    n = mib * (1 << 20) // 8
    x = np.arange(n, dtype="<f8")
    stored, npy = os.path.join(tmp, "s.npz"), os.path.join(tmp, "x.npy")
    np.savez(stored, x=x)
    np.save(npy, x)
    del x
    s_b, npy_b = stored.encode(), npy.encode()
    t_npz = median_time(lambda: mm_open_one(lambda o: lib.mm_open_npz(s_b, b"x", b"r", o)), 200)
    t_npy = median_time(lambda: mm_open_one(lambda o: lib.mm_open_npy(npy_b, b"r", o)), 200)

    def np_load():
        with np.load(stored) as z:
            return z["x"][12345]
    t_np = median_time(np_load, 3)
    print(f"stored member {mib} MiB: mm_open_npz {t_npz * 1e6:.1f} us, mm_open_npy "
          f"{t_npy * 1e6:.1f} us (ratio {t_npz / t_npy:.2f}), np.load(path)[name] "
          f"{t_np * 1e3:.1f} ms ({t_np / t_npz:.0f}x slower than mm_open_npz)")

    rng = np.random.default_rng(0)
    n4 = mib * (1 << 20) // 4
    for kind, data in [("int32 i % 1000", np.arange(n4, dtype="<i4") % 1000),
                       ("int32 random 0..99", rng.integers(0, 100, n4, dtype="<i4"))]:
        c = os.path.join(tmp, "c.npz")
        np.savez_compressed(c, x=data)
        del data
        c_b = c.encode()

        def mm_inflate():
            h = u64(0)
            assert lib.mm_open_npz(c_b, b"x", b"r", ctypes.byref(h)) == 0
            lib.mm_close(h.value)

        def np_inflate():
            with np.load(c) as z:
                return z["x"]
        t_mi = median_time(mm_inflate, 3)
        t_ni = median_time(np_inflate, 3)
        print(f"deflated member {mib} MiB of {kind} ({os.path.getsize(c) >> 20} MiB "
              f"compressed): mm_open_npz {t_mi * 1e3:.0f} ms, np.load {t_ni * 1e3:.0f} ms "
              f"(mmarray at {t_ni / t_mi:.2f}x numpy's speed)")
finally:
    shutil.rmtree(tmp)
