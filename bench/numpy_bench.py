"""The numpy.memmap baseline of bench/run.sh. Prints `R <row> numpy <median> <min> <max>
<unit> <samples>` lines and `N` notes, like bench.c.

usage: numpy_bench.py DIR [--quick|full] [rows]
"""
import gc
import os
import resource
import statistics
import sys
import time

import numpy as np


def report(row, values, unit, variant="numpy"):
    values = sorted(values)
    print(f"R {row} {variant} {statistics.median(values):.6g} {values[0]:.6g} {values[-1]:.6g} {unit} {len(values)}", flush=True)


def bench_open(path, quick):
    batch, samples = (20, 5) if quick else (500, 21)
    out = []
    for _ in range(samples):
        t = time.perf_counter()
        for _ in range(batch):
            m = np.memmap(path, dtype="<f8", mode="r")
            del m
        out.append((time.perf_counter() - t) / batch * 1e6)
    report("1", out, "us")


def bench_slice(path, quick):
    batch, samples = (1000, 5) if quick else (100000, 21)
    m = np.memmap(path, dtype="<f8", mode="r")
    out = []
    for _ in range(samples):
        t = time.perf_counter()
        for _ in range(batch):
            v = m[10:20]
            del v
        out.append((time.perf_counter() - t) / batch * 1e9)
    report("3", out, "ns")


def bench_create(dir, quick):
    n = (16 << 20) // 8 if quick else (2 << 30) // 8
    reps = 2 if quick else 3
    path = os.path.join(dir, "create_numpy.f8")
    chunk = 1 << 20
    out, flush = [], []
    for _ in range(reps):
        if os.path.exists(path):
            os.unlink(path)
        os.sync()  # the previous repetition's write-back must not land in this one
        t = time.perf_counter()
        m = np.memmap(path, dtype="<f8", mode="w+", shape=(n,))
        for start in range(0, n, chunk):
            stop = min(n, start + chunk)
            m[start:stop] = np.arange(start, stop, dtype="<f8")
        t1 = time.perf_counter()
        m.flush()
        flush.append(time.perf_counter() - t1)
        del m
        gc.collect()
        out.append(time.perf_counter() - t)
    os.unlink(path)
    report("6", out, "s")
    report("6f", flush, "s")


def bench_many(dir, files):
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
    held = []
    err = None
    for i in range(files):
        try:
            held.append(np.memmap(os.path.join(dir, "many", f"{i}.f8"), dtype="<f8", mode="r"))
        except OSError as e:
            err = e
            break
    print(f"R 9 numpy {len(held)} {len(held)} {len(held)} arrays 1")
    print(f"N 9: numpy.memmap held {len(held)} of {files} arrays under ulimit -n 256"
          + (f", then failed: {type(err).__name__}: {err}" if err else ""), flush=True)


def bench_append(dir, quick):
    """Row 10 with the Python package npy-append-array (PyPI) as the peer: one object
    kept open for the whole run, as its users hold it, appending 1 KiB rows or 1 MiB
    chunks; on a new file and on a 10 GiB sparse one (16 MiB in quick mode)."""
    try:
        from npy_append_array import NpyAppendArray
    except ImportError:
        print("N 10: npy-append-array is not installed (pip install npy-append-array)")
        return
    big = 16384 if quick else 10 * 1024 * 1024
    samples = 3 if quick else 11
    for row, per, start, batch in [("10a", 1, 0, 100 if quick else 2000),
                                   ("10b", 1024, 0, 2 if quick else 20),
                                   ("10c", 1, big, 100 if quick else 2000),
                                   ("10d", 1024, big, 2 if quick else 20)]:
        path = os.path.join(dir, "append_peer.npy")
        if start:
            m = np.lib.format.open_memmap(path, mode="w+", dtype="|u1", shape=(start, 1024))
            del m
        else:
            np.save(path, np.zeros((0, 1024), dtype="|u1"))
        chunk = np.full((per, 1024), 7, dtype="|u1")
        out = []
        with NpyAppendArray(path) as f:
            for _ in range(samples):
                t = time.perf_counter()
                for _ in range(batch):
                    f.append(chunk)
                out.append((time.perf_counter() - t) / batch * 1e6)
        report(row, out, "us", "npyappendarray")
        os.unlink(path)


def main():
    dir = sys.argv[1]
    quick = len(sys.argv) > 2 and sys.argv[2] == "--quick"
    rows = sys.argv[3] if len(sys.argv) > 3 else "1369"
    if "1" in rows:
        bench_open(os.path.join(dir, "open.f8"), quick)
    if "3" in rows:
        bench_slice(os.path.join(dir, "open.f8"), quick)
    if "6" in rows:
        bench_create(dir, quick)
    if "9" in rows:
        bench_many(dir, 400 if quick else 20000)
    if "A" in rows:
        bench_append(dir, quick)


if __name__ == "__main__":
    main()
