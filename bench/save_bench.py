"""Row 15 of bench/run.sh (issue 16, item 3): mm_save_npy at copy speed.

    save_bench.py DIR --quick|full|MiB R lines for bench/report.py (quick: 16 MiB,
                                       full: 2 GiB), files written under DIR

The library is $MMARRAY_LIB (default target/release/libmmarray.so). A float64 .npy of
the size (rows of 512 elements) is written with np.save and opened in mode r. Then,
alternating sample by sample, with every output removed (outside the timing) before
each sample:
  15a  mm_save_npy of the whole array, against `cp` of the .npy followed by an fsync of
       the copy (a save fsyncs the new file and its directory: durable, as cp is not),
       and plain `cp` (information);
  15b  mm_save_npy of the strided view [:, ::2] (half the bytes), against np.save of the
       same view of np.load(mmap_mode='r') into a file that is then fsynced, and np.save
       alone (information).
"""

import ctypes
import os
import statistics
import subprocess
import sys
import time

import numpy as np

lib = ctypes.CDLL(os.environ.get("MMARRAY_LIB", "target/release/libmmarray.so"))
u64 = ctypes.c_uint64
lib.mm_open_npy.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(u64)]
lib.mm_slice.argtypes = [u64, ctypes.c_size_t, ctypes.c_int64, ctypes.c_int64,
                         ctypes.c_int64, ctypes.POINTER(u64)]
lib.mm_save_npy.argtypes = [u64, ctypes.c_char_p]
lib.mm_close.argtypes = [u64]
INT64_MAX = (1 << 63) - 1
COLS = 512


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def fsync_path(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def main():
    tmp, mode = sys.argv[1], sys.argv[2]
    quick = mode == "--quick"
    mib = int(mode) if mode.isdigit() else 16 if quick else 2048
    runs = 5
    src = os.path.join(tmp, "save_src.npy")
    out = os.path.join(tmp, "save_out.npy")
    rows = mib * (1 << 20) // 8 // COLS
    a = np.lib.format.open_memmap(src, mode="w+", dtype="<f8", shape=(rows, COLS))
    a[...] = np.arange(rows * COLS, dtype="<f8").reshape(rows, COLS)
    a.flush()
    del a
    fsync_path(src)
    h = u64(0)
    assert lib.mm_open_npy(src.encode(), b"r", ctypes.byref(h)) == 0
    v = u64(0)
    assert lib.mm_slice(h.value, 1, 0, INT64_MAX, 2, ctypes.byref(v)) == 0
    mm = np.load(src, mmap_mode="r")
    view = mm[:, ::2]

    def mm_save(handle):
        assert lib.mm_save_npy(handle, out.encode()) == 0

    def cp(sync):
        subprocess.run(["cp", src, out], check=True)
        if sync:
            fsync_path(out)

    def np_save(sync):
        with open(out, "wb") as f:
            np.save(f, view)
            f.flush()
            if sync:
                os.fsync(f.fileno())

    variants = {
        "15a": {"mmarray": lambda: mm_save(h.value), "cp_fsync": lambda: cp(True),
                "cp": lambda: cp(False)},
        "15b": {"mmarray": lambda: mm_save(v.value), "numpy_fsync": lambda: np_save(True),
                "numpy": lambda: np_save(False)},
    }
    # The saved bytes are np.save's (checked once, outside the timings).
    mm_save(v.value)
    with open(out, "rb") as f:
        mine = f.read()
    np_save(False)
    with open(out, "rb") as f:
        assert f.read() == mine, "mm_save_npy of the strided view differs from np.save"
    del mine
    for row, fns in variants.items():
        times = {name: [] for name in fns}
        for rep in range(runs):
            names = list(fns)
            if rep % 2:
                names.reverse()
            for name in names:
                if os.path.exists(out):
                    os.unlink(out)
                times[name].append(timed(fns[name]))
        for name, ts in times.items():
            ms = sorted(t * 1e3 for t in ts)
            print(f"R {row} {name} {statistics.median(ms):.6g} {ms[0]:.6g} {ms[-1]:.6g} ms {len(ms)}",
                  flush=True)
    del view, mm
    lib.mm_close(v.value)
    lib.mm_close(h.value)
    for p in (src, out):
        if os.path.exists(p):
            os.unlink(p)


if __name__ == "__main__":
    main()
