"""Row 14 of bench/run.sh (issue 13): wall time of the mmarray command-line tool against
the numpy one-liners that answer the same question, and `stats` against the C sum of the
same file (bench/sum_floor.c, the memory-bandwidth floor).

    cli_bench.py MMARRAY DIR --quick|full   R and N lines for bench/report.py, files
                                            written under DIR (existing) and removed
    cli_bench.py MMARRAY DIR --table [full|--quick]
                                            the same measurements as a Markdown table

Sizes (full; --quick in brackets): `info` on a sparse .npy of 64 GiB [64 MiB] of <f8;
`stats` on a 16384 x 16384 <f8 .npy, 2 GiB [8 MiB]; `convert --order F` of a
11585 x 11585 <f8 .npy, 1 GiB [4 MiB]. Every command is a process (start-up included),
timed with perf_counter around subprocess.run; a warm-up run of each first puts the
files in the page cache. mmarray and the other command alternate run by run. Before
each convert, both outputs are deleted and sync(2) is called (outside the timed part),
so that one run's disk write-back does not land in the next. mmarray's convert fsyncs
its output before the rename (an atomic, durable replace); np.save does not.

  14a  info FILE             vs  python -c "np.load(p, mmap_mode='r')" printing dtype,
                                 shape and offset
  14b  stats FILE            vs  python: x.min(), x.max(), x.mean(), x.std() of the memmap;
                                 and vs the C sum of the same file (one thread)
  14c  convert IN OUT --order F  vs  np.save(out, np.asfortranarray(x))
Timings never pass or fail.
"""

import os
import statistics
import subprocess
import sys
import time

import numpy as np


def once(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - t


def alternate(cmds, runs, prepare=None):
    """{name: [seconds]}: each command once per round, the order alternating."""
    for _, cmd in cmds:
        if prepare:
            prepare()
        once(cmd)  # warm-up
    out = {name: [] for name, _ in cmds}
    for k in range(runs):
        for name, cmd in (cmds if k % 2 == 0 else cmds[::-1]):
            if prepare:
                prepare()
            out[name].append(once(cmd))
    return out


def write_npy(path, rows, cols):
    x = np.lib.format.open_memmap(path, mode="w+", dtype="<f8", shape=(rows, cols))
    rng = np.random.default_rng(0)
    step = max(1, (8 << 20) // (8 * cols))
    for i in range(0, rows, step):
        x[i:i + step] = rng.standard_normal((min(step, rows - i), cols))
    x.flush()
    del x


def measure(cli, work, quick):
    py = sys.executable
    here = os.path.dirname(os.path.abspath(__file__))
    floor = os.path.join(work, "cli_sum_floor")
    big = os.path.join(work, "cli_sparse.npy")
    src = os.path.join(work, "cli_stats.npy")
    csrc = os.path.join(work, "cli_convert.npy")
    out_m, out_n = os.path.join(work, "cli_out_m.npy"), os.path.join(work, "cli_out_n.npy")
    files = [floor, big, src, csrc, out_m, out_n]
    sparse_gib = 1 / 16 if quick else 64
    stats_side = 1024 if quick else 16384          # 8 MiB : 2 GiB
    conv_side = 724 if quick else 11585            # 4 MiB : 1 GiB
    runs = {"info": 5 if quick else 11, "stats": 3 if quick else 7, "convert": 3 if quick else 5}
    notes = []
    try:
        subprocess.run(["cc", "-O2", "-march=native", "-o", floor,
                        os.path.join(here, "sum_floor.c")], check=True)
        # info: a sparse file (header + a hole of data)
        n = int(sparse_gib * 2**30) // 8
        with open(big, "wb") as f:
            np.lib.format.write_array_header_1_0(
                f, {"descr": "<f8", "fortran_order": False, "shape": (n,)})
            f.truncate(f.tell() + 8 * n)
        write_npy(src, stats_side, stats_side)
        write_npy(csrc, conv_side, conv_side)
        res = {}
        res["14a"] = alternate([
            ("mmarray", [cli, "info", big]),
            ("numpy", [py, "-c", "import numpy as np, sys; x = np.load(sys.argv[1], mmap_mode='r'); "
                       "print(x.dtype.str, x.dtype.name, x.shape, x.offset)", big]),
        ], runs["info"])
        res["14b"] = alternate([
            ("mmarray", [cli, "stats", src]),
            ("numpy", [py, "-c", "import numpy as np, sys; x = np.load(sys.argv[1], mmap_mode='r'); "
                       "print(x.min(), x.max(), x.mean(), x.std())", src]),
            ("c_sum", [floor, src]),
        ], runs["stats"])

        def clean():
            for f in (out_m, out_n):
                if os.path.exists(f):
                    os.remove(f)
            os.sync()

        res["14c"] = alternate([
            ("mmarray", [cli, "convert", csrc, out_m, "--order", "F"]),
            ("numpy", [py, "-c", "import numpy as np, sys; x = np.load(sys.argv[1], mmap_mode='r'); "
                       "np.save(sys.argv[2], np.asfortranarray(x))", csrc, out_n]),
        ], runs["convert"], prepare=clean)
        subprocess.run([cli, "convert", csrc, out_m, "--order", "F"], check=True)
        x = np.load(csrc, mmap_mode="r")
        np.save(out_n, np.asfortranarray(x))
        same = open(out_m, "rb").read() == open(out_n, "rb").read()
        notes.append(f"14: info on a sparse {sparse_gib:g} GiB .npy; stats on {stats_side} x {stats_side} <f8 "
                     f"({stats_side**2 * 8 >> 20} MiB); convert --order F of {conv_side} x {conv_side} <f8 "
                     f"({conv_side**2 * 8 >> 20} MiB), output byte-identical to numpy's: {same}; "
                     f"cores {os.cpu_count()}")
        clean()
        return res, notes
    finally:
        for f in files:
            if os.path.exists(f):
                os.remove(f)


def main():
    cli, work = sys.argv[1], sys.argv[2]
    mode = sys.argv[3] if len(sys.argv) > 3 else "full"
    table = mode == "--table"
    if table:
        mode = sys.argv[4] if len(sys.argv) > 4 else "full"
    res, notes = measure(cli, work, mode == "--quick")
    if table:
        names = {"14a": "info", "14b": "stats", "14c": "convert C->F"}
        print("| command | variant | median | min–max | n | other / mmarray |")
        print("|---|---|---|---|---|---|")
        for row, variants in res.items():
            m = statistics.median(variants["mmarray"])
            for v, ts in variants.items():
                med = statistics.median(ts)
                print(f"| {names[row]} | {v} | {med:.3f} s | {min(ts):.3f}–{max(ts):.3f} s | {len(ts)} | "
                      f"{med / m:.2f}x |")
        for n in notes:
            print("\n" + n)
        return
    for row, variants in res.items():
        for v, ts in variants.items():
            ts = sorted(ts)
            print(f"R {row} {v} {statistics.median(ts):.6g} {ts[0]:.6g} {ts[-1]:.6g} s {len(ts)}", flush=True)
    for n in notes:
        print("N " + n)


if __name__ == "__main__":
    main()
