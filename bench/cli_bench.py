"""Wall-time of the mmarray command-line tool against the numpy one-liners that answer
the same question, on one <f8 file in the page cache (a warm-up run first).

usage: python bench/cli_bench.py MMARRAY_BINARY WORKDIR [SIZE_MIB] [REPEATS]

WORKDIR must exist; the script writes its files there (about 3 x SIZE_MIB, and the C
sum bench/sum_floor.c built with cc) and removes them at exit. Prints a Markdown table:
median and min of REPEATS runs (process wall time, start-up included), and other /
mmarray for each comparison (numpy's one-liner; for stats also the C sum of the same
file, one thread at the memory-bandwidth floor: the issue asks stats >= 0.8x of it).
Timings never pass or fail.
"""

import os
import statistics
import subprocess
import sys
import time

import numpy as np


def wall(cmd, repeats):
    subprocess.run(cmd, check=True, capture_output=True)  # warm-up (page cache, binaries)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def main():
    cli, work = sys.argv[1], sys.argv[2]
    size_mib = int(sys.argv[3]) if len(sys.argv) > 3 else 256
    repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    n = size_mib * 2**20 // 8
    rows = int(n ** 0.5)
    cols = n // rows
    src = os.path.join(work, "cli_bench_src.npy")
    out_m = os.path.join(work, "cli_bench_out_m.npy")
    out_n = os.path.join(work, "cli_bench_out_n.npy")
    py = sys.executable
    floor = os.path.join(work, "cli_bench_sum_floor")
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run(["cc", "-O2", "-march=native", "-o", floor,
                    os.path.join(here, "sum_floor.c")], check=True)
    try:
        x = np.lib.format.open_memmap(src, mode="w+", dtype="<f8", shape=(rows, cols))
        x[:] = np.random.default_rng(0).standard_normal((rows, cols))
        x.flush()
        del x
        cases = [
            ("info", [cli, "info", src],
             [py, "-c", "import numpy as np, sys; x = np.load(sys.argv[1], mmap_mode='r'); "
                         "print(x.dtype.str, x.dtype.name, x.shape, x.offset)", src]),
            ("stats", [cli, "stats", src],
             [py, "-c", "import numpy as np, sys; x = np.load(sys.argv[1], mmap_mode='r'); "
                         "print(x.min(), x.max(), x.mean(), x.std())", src]),
            ("stats vs C sum (floor)", [cli, "stats", src], [floor, src]),
            ("convert C->F", [cli, "convert", src, out_m, "--order", "F"],
             [py, "-c", "import numpy as np, sys; x = np.load(sys.argv[1], mmap_mode='r'); "
                         "np.save(sys.argv[2], np.asfortranarray(x))", src, out_n]),
        ]
        print("%d x %d <f8 (%d MiB), %d runs each, cores: %d" % (rows, cols, size_mib, repeats,
                                                                 os.cpu_count()))
        print()
        print("| command | mmarray median (min) | other median (min) | other / mmarray |")
        print("|---|---|---|---|")
        for name, ours, theirs in cases:
            m, mmin = wall(ours, repeats)
            p, pmin = wall(theirs, repeats)
            print("| %s | %.3f s (%.3f) | %.3f s (%.3f) | %.1fx |" % (name, m, mmin, p, pmin, p / m))
    finally:
        for f in (src, out_m, out_n, floor):
            if os.path.exists(f):
                os.remove(f)


if __name__ == "__main__":
    main()
