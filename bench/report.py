"""Turns the R/N lines of bench/run.sh into RESULTS.md: machine, table of medians with
min-max, ratio to the baseline, the target and whether this run met it."""
import os
import sys


def draw(ratios, out):
    """Draws every ratio row as a horizontal bar against its baseline (1×) and goal, next
    to `out` as a PNG; returns the PNG's file name, or None without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    import os
    # Cost against the baseline: lower is better for every bar.
    bars = [(label, r if lower else 1 / r, None if goal is None else (goal if lower else 1 / goal), ok)
            for label, r, goal, ok, lower in ratios if r]
    if not bars:
        return None
    fig, ax = plt.subplots(figsize=(11, 0.32 * len(bars) + 1.5))
    ys = range(len(bars))
    colors = ["#bbbbbb" if ok is None else ("#4caf50" if ok else "#e53935") for _, _, _, ok in bars]
    ax.barh(list(ys), [b[1] for b in bars], color=colors)
    for y, (_, _, goal, _) in zip(ys, bars):
        if goal:
            ax.plot([goal, goal], [y - 0.4, y + 0.4], color="black", linewidth=2)
    ax.axvline(1, color="black", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ax.set_yticks(list(ys))
    ax.set_yticklabels([b[0] for b in bars], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("cost against the baseline (×, log scale; lower is better)")
    ax.set_title("mmarray: each row against its baseline (dashed, 1×) and goal (black tick)")
    fig.tight_layout()
    name = os.path.splitext(os.path.basename(out))[0] + ".png"
    fig.savefig(os.path.join(os.path.dirname(os.path.abspath(out)), name), dpi=90)
    plt.close(fig)
    return name


def main():
    results, out, *facts = sys.argv[1:]
    info = dict(f.split("=", 1) for f in facts)
    rows, notes = {}, []
    for line in open(results):
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "R":
            _, row, variant, med, lo, hi, unit, n = parts
            rows[(row, variant)] = (float(med), float(lo), float(hi), unit, int(n))
        elif parts[0] == "N":
            notes.append(line[2:].strip())

    def num(x):
        return str(int(x)) if x == int(x) and abs(x) < 1e9 else f"{x:.4g}"

    def cell(row, variant):
        if (row, variant) not in rows:
            return "n/a"
        med, lo, hi, unit, n = rows[(row, variant)]
        return f"{num(med)} {unit} ({num(lo)}–{num(hi)}, n={n})"

    def val(row, variant):
        return rows.get((row, variant), (None,))[0]

    def ratio(a, b):
        return a / b if a is not None and b else None

    def fmt(r, suffix="×"):
        return "n/a" if r is None else f"{r:.3g}{suffix}"

    def verdict(ok):
        return "n/a" if ok is None else ("met" if ok else "**missed**")

    table, missed, last = [], [], {"what": ""}

    # (label, ratio, goal, met, lower_is_better) of every row with a ratio, for the PNG.
    ratios = []

    def add(num, what, mm_row, mm_var, base_row, base_var, base_name, r, rdesc, target, ok, goal=None, lower=True):
        if r is not None:
            full_what = last["what"] if what.startswith("″") else what
            ratios.append((f"{num} {full_what[:52]} ({rdesc})", r, goal, ok, lower))
        table.append(f"| {num} | {what} | {cell(mm_row, mm_var)} | {base_name}: {cell(base_row, base_var)} | {rdesc} {fmt(r)} | {target} | {verdict(ok)} |")
        full = last["what"] if what.startswith("″") else what
        last["what"] = full
        if ok is False:
            against = f" against {base_name}" if base_var != "none" else ""
            got = f"{rdesc} {fmt(r)}" if r is not None else cell(mm_row, mm_var)
            missed.append(f"row {num} ({full}{against}): {got}, target {target}")

    # 1: times, lower is better.
    r = ratio(val("1", "mmarray"), val("1", "c"))
    add(1, "mm_open (r, inferred, 64 MiB) + mm_close", "1", "mmarray", "1", "c", "C open+fstat+mmap+munmap+close", r, "mmarray/C", "≤ 1.1×", None if r is None else r <= 1.1, 1.1)
    r = ratio(val("1", "numpy"), val("1", "mmarray"))
    add("1", "″", "1", "mmarray", "1", "numpy", "numpy.memmap + del", r, "numpy/mmarray", "≥ 2.5×", None if r is None else r >= 2.5, 2.5, False)
    r = ratio(val("1", "memmap2"), val("1", "mmarray"))
    add("1", "″", "1", "mmarray", "1", "memmap2", "memmap2 File::open+map+drop", r, "memmap2/mmarray", "(information)", None, None, False)
    # 1f: the floor of mmarray's order of the same calls (the descriptor closed before the
    # munmap, as "no descriptor stays open" makes it), in the same run.
    r = ratio(val("1", "c_order"), val("1", "c"))
    add("1f", "floor of row 1: the same C calls in mmarray's order (close, then munmap)", "1", "c_order", "1", "c", "C open+fstat+mmap+munmap+close", r, "floor/C", "(information)", None, None)
    # The goal names its baseline "open+fstat+mmap+close+munmap": that sequence in
    # that order is the 1f loop, judged here too (the munmap-first loop above stays judged).
    r = ratio(val("1", "mmarray"), val("1", "c_order"))
    add("1", "mm_open + mm_close against the same C calls in its order (1f)", "1", "mmarray", "1", "c_order", "C open+fstat+mmap+close+munmap (1f)", r, "mmarray/C", "≤ 1.1×", None if r is None else r <= 1.1, 1.1)
    # 2
    one, two = val("2", "mmarray-1thread"), val("2", "mmarray-2threads")
    add(2, "mm_data, one thread", "2", "mmarray-1thread", "2", "none", "—", None, "", "≤ 20 ns", None if one is None else one <= 20)
    r = ratio(two, one)
    add(2, "mm_data, two threads on different handles", "2", "mmarray-2threads", "2", "mmarray-1thread", "one thread", r, "2 threads/1", "≤ 1.5×", None if r is None else r <= 1.5, 1.5)
    # 10: the floor of any call through the ABI (issue 16: mm_data ≤ 2× of it).
    r = ratio(val("12", "mm_data"), val("12", "trivial"))
    add(12, "mm_data, one thread", "12", "mm_data", "12", "trivial", "a trivial function in another shared library", r, "mm_data/floor", "≤ 2×", None if r is None else r <= 2, 2)
    # 3
    s = val("3", "mmarray")
    r = ratio(s, val("3", "malloc128"))
    add(3, "mm_slice + mm_close", "3", "mmarray", "3", "malloc128", "malloc(128) + free", r, "mmarray/malloc", "≤ 6×", None if r is None else r <= 6, 6)
    r = ratio(val("3", "rmw5"), val("3", "malloc128"))
    add("3", "floor of mm_slice + mm_close: its 5 locked instructions alone (2 fences, 3 compare-and-swaps)", "3", "rmw5", "3", "malloc128", "malloc(128) + free", r, "atomics/malloc", "(information)", None, None)
    r = ratio(val("3", "numpy"), s)
    add(3, "″", "3", "mmarray", "3", "numpy", "numpy memmap[10:20]", r, "numpy/mmarray", "≥ 7×", None if r is None else r >= 7, 7, False)
    # 11: one shared handle from 1, 2, nproc and 8 threads: per-call CPU time against one
    # thread (issue 16: ≤ 1.2×, flat up to every core; 8 threads on fewer cores must not
    # collapse).
    for row, what in [("11a", "mm_data on one shared handle"), ("11b", "getters (ndim, size, nbytes, flags) on one shared handle"),
                      ("11c", "mm_read_at of 4 KiB on one shared handle"), ("11d", "mm_slice + mm_close of one shared handle"),
                      ("11e", "mm_read_at of 4 KiB on one shared handle, each thread its own 16 pages")]:
        counts = sorted(int(v[1:]) for (rw, v) in rows if rw == row and v != "t1")
        for n in counts:
            r = ratio(val(row, f"t{n}"), val(row, "t1"))
            add(row, what if n == counts[0] else "″", row, f"t{n}", row, "t1", "1 thread", r, f"{n} threads/1", "≤ 1.2×", None if r is None else r <= 1.2, 1.2)
    # 11cf, 11ef, 11cp: the floors of 11c and 11e in the same run (the bare kernel copies,
    # no library): how the machine itself scales for this operation (information).
    for row, what in [("11cf", "floor of 11c: bare process_vm_readv(gettid()) of 4 KiB, same 16 pages"),
                      ("11ef", "floor of 11e: bare process_vm_readv(gettid()) of 4 KiB, own 16 pages"),
                      ("11cp", "pread of 4 KiB of the same file at 11c's offsets (no guard)"),
                      ("11df", "floor of 11d: its 5 locked instructions on each thread's own lines, the parent's state loaded by all")]:
        counts = sorted(int(v[1:]) for (rw, v) in rows if rw == row and v != "t1")
        for n in counts:
            r = ratio(val(row, f"t{n}"), val(row, "t1"))
            add(row, what if n == counts[0] else "″", row, f"t{n}", row, "t1", "1 thread", r, f"{n} threads/1", "(information)", None, None)
    for row, floor in [("11c", "11cf"), ("11e", "11ef")]:
        for n in sorted(int(v[1:]) for (rw, v) in rows if rw == row):
            r = ratio(val(row, f"t{n}"), val(floor, f"t{n}"))
            add(row, f"mm_read_at ({row}) against its floor, {n} thread{'s' if n > 1 else ''}", row, f"t{n}", floor, f"t{n}", f"{floor} at {n}", r, "mmarray/floor", "(information)", None, None)
    # 11d against 11df: the time more threads add to a call of each, in ns; about 1 when
    # the atomics on the shared lines are all that more threads cost mm_slice + mm_close.
    for n in sorted(int(v[1:]) for (rw, v) in rows if rw == "11d" and v != "t1"):
        d_add = None if None in (val("11d", f"t{n}"), val("11d", "t1")) else val("11d", f"t{n}") - val("11d", "t1")
        f_add = None if None in (val("11df", f"t{n}"), val("11df", "t1")) else val("11df", f"t{n}") - val("11df", "t1")
        r = ratio(d_add, f_add)
        add("11d", f"time {n} threads add to mm_slice + mm_close, against what they add to its atomics alone (11df)", "11d", f"t{n}", "11df", f"t{n}", f"11df at {n}", r, "added over 1 thread, 11d/11df", "(information)", None, None)
    # 4, 5: throughput, higher is better.
    for row, what, twin in [("4", "sum of 2 GiB f8, page cache hot, second pass", "C mmap"),
                            ("5a", "first touch, default", "C mmap, no advice"),
                            ("5b", "first touch, MM_ADVICE_SEQUENTIAL", "C mmap + MADV_SEQUENTIAL"),
                            ("5c", "first touch, MM_OPEN_POPULATE", "C mmap + MAP_POPULATE")]:
        r = ratio(val(row, "mmarray"), val(row, "c"))
        add(row, what, row, "mmarray", row, "c", twin, r, "mmarray/C", "≥ 0.95×", None if r is None else r >= 0.95, 0.95, False)
        if (row, "memmap2") in rows:
            r = ratio(val(row, "mmarray"), val(row, "memmap2"))
            add(row, "″", row, "mmarray", row, "memmap2", "memmap2 (Rust loop)", r, "mmarray/memmap2", "(information)", None, None, False)
    # 6: seconds, lower is better; ratio as speed.
    m = val("6", "mmarray")
    r = ratio(val("6", "c"), m)
    add(6, "create 2 GiB w+, fill, mm_flush", "6", "mmarray", "6", "c", "C ftruncate+mmap+fill+msync", r, "speed vs C", "≥ 0.95×", None if r is None else r >= 0.95, 0.95, False)
    r = ratio(val("6", "numpy"), m)
    add(6, "″", "6", "mmarray", "6", "numpy", "numpy w+ fill + flush", r, "speed vs numpy", "≥ 1.5×", None if r is None else r >= 1.5, 1.5, False)
    r = ratio(val("6", "memmap2"), m)
    add(6, "″", "6", "mmarray", "6", "memmap2", "memmap2 map_mut fill flush", r, "speed vs memmap2", "(information)", None, None, False)
    # 6f: the msync part of row 6, the same for every implementation (disk write-back).
    for variant, name in [("c", "C msync"), ("numpy", "numpy flush")]:
        r = ratio(val("6f", variant), val("6f", "mmarray"))
        add("6", "″ of which mm_flush (msync of 2 GiB)", "6f", "mmarray", "6f", variant, name, r, "speed", "(information)", None, None, False)
    # 7
    r = ratio(val("7", "mm_flush"), val("7", "mm_flush_range"))
    add(7, "mm_flush_range of 1 MiB, 512 MiB dirty elsewhere", "7", "mm_flush_range", "7", "mm_flush", "mm_flush of the same", r, "flush/flush_range", "cost follows the range", None if r is None else r > 10, 10, False)
    # 8
    b = val("8", "mmarray")
    maps_one = any("1 mapping(s)" in n for n in notes if n.startswith("8"))
    add(8, "memory per view (1 000 000 views)", "8", "mmarray", "8", "none", "—", None, "", "≤ 256 B, one mapping", None if b is None else (b <= 256 and maps_one))
    # 9
    want = 400 if info.get("mode") == "--quick" else 20000
    got = val("9", "mmarray")
    add(9, f"{want} arrays open under ulimit -n 256", "9", "mmarray", "9", "numpy", "numpy.memmap", None, "", "mmarray opens all", None if got is None else got == want)
    # 8t, 9b: time per view; 10^5 arrays open at once (each one mapping: the kernel's
    # vm.max_map_count bounds how many a process can hold).
    add(8, "time per view (mm_slice, 1 000 000 views)", "8t", "mmarray", "8t", "none", "—", None, "", "(information)", None, None, False)
    want_b = 400 if info.get("mode") == "--quick" else 100000
    got = val("9b", "mmarray")
    add("9b", f"{want_b} arrays open at once", "9b", "mmarray", "9b", "none", "—", None, "", "opens all", None if got is None else got == want_b)
    add("9b", "″ time per array", "9bt", "mmarray", "9bt", "none", "—", None, "", "(information)", None, None, False)
    add("9b", "″ memory per array (RSS)", "9bm", "mmarray", "9bm", "none", "—", None, "", "(information)", None, None, False)

    # 10: mm_npy_append, times per append, lower is better.
    for row, what in [("10a", "mm_npy_append of 1 row (1 KiB)"),
                      ("10b", "mm_npy_append of 1 MiB (1024 rows)"),
                      ("10c", "″ 1 row (1 KiB) on a 10 GiB sparse file"),
                      ("10d", "″ 1 MiB on a 10 GiB sparse file")]:
        r = ratio(val(row, "mmarray"), val(row, "c"))
        add(row, what, row, "mmarray", row, "c", "C open+pwrite+close", r, "mmarray/C", "≤ 2×", None if r is None else r <= 2)
        r = ratio(val(row, "npyappendarray"), val(row, "mmarray"))
        goal = "≥ 10×" if row in ("10a", "10c") else "(information)"
        add(row, "″", row, "mmarray", row, "npyappendarray", "npy-append-array (PyPI), kept open", r, "peer/mmarray", goal, None if r is None or row not in ("10a", "10c") else r >= 10)

    # 13: .npz members (bench/npz_bench.py), lower is better.
    r = ratio(val("13a", "mm_open_npz"), val("13a", "mm_open_npy"))
    add("13a", "open a stored .npz member (2 GiB float64) + one element + close", "13a", "mm_open_npz", "13a", "mm_open_npy", "mm_open_npy of the same data as a .npy", r, "npz/npy", "≤ 1.5×", None if r is None else r <= 1.5)
    r = ratio(val("13a", "numpy"), val("13a", "mm_open_npz"))
    add("13a", "″", "13a", "mm_open_npz", "13a", "numpy", "np.load(path)[name] (reads the member)", r, "numpy/mmarray", "(information)", None, None, False)
    for row, what in [("13b", "open a deflated member, 2 GiB int32 i % 1000"), ("13c", "open a deflated member, 2 GiB int32 random 0..99")]:
        r = ratio(val(row, "numpy"), val(row, "mmarray"))
        add(row, what, row, "mmarray", row, "numpy", "np.load(path)[name] (zlib)", r, "numpy/mmarray (speed)", "≥ 1×", None if r is None else r >= 1)

    # 14: the mmarray command-line tool (bench/cli_bench.py), process wall times.
    r = ratio(val("14a", "numpy"), val("14a", "mmarray"))
    add("14a", "mmarray info of a .npy (sparse 64 GiB), process", "14a", "mmarray", "14a", "numpy", "python -c np.load(p, mmap_mode='r') printing the same", r, "numpy/mmarray", "≥ 20×", None if r is None else r >= 20, 20, False)
    r = ratio(val("14b", "c_sum"), val("14b", "mmarray"))
    add("14b", "mmarray stats of 2 GiB <f8 in the page cache", "14b", "mmarray", "14b", "c_sum", "C sum of the mapped file (bench/sum_floor.c, one thread)", r, "speed vs C sum", "≥ 0.8×", None if r is None else r >= 0.8, 0.8, False)
    r = ratio(val("14b", "numpy"), val("14b", "mmarray"))
    add("14b", "″", "14b", "mmarray", "14b", "numpy", "numpy x.min(), x.max(), x.mean(), x.std() of the memmap", r, "numpy/mmarray", "> 1×", None if r is None else r > 1, 1, False)
    r = ratio(val("14c", "numpy"), val("14c", "mmarray"))
    add("14c", "mmarray convert --order F of 1 GiB <f8 (fsync'ed, atomic)", "14c", "mmarray", "14c", "numpy", "np.save(out, np.asfortranarray(x)) (no fsync)", r, "numpy/mmarray", "≥ 1.5×", None if r is None else r >= 1.5, 1.5, False)
    # 15: mm_save_npy (bench/save_bench.py), as speed against the baseline (higher is better).
    r = ratio(val("15a", "cp_fsync"), val("15a", "mmarray"))
    add("15a", "mm_save_npy of a contiguous 2 GiB float64 .npy (kernel copy)", "15a", "mmarray", "15a", "cp_fsync", "cp of the .npy + fsync of the copy", r, "baseline/mmarray (speed)", "≥ 0.9×", None if r is None else r >= 0.9, 0.9, False)
    r = ratio(val("15a", "cp"), val("15a", "mmarray"))
    add("15a", "″", "15a", "mmarray", "15a", "cp", "cp alone (not durable)", r, "baseline/mmarray (speed)", "(information)", None, None, False)
    r = ratio(val("15b", "numpy_fsync"), val("15b", "mmarray"))
    add("15b", "mm_save_npy of the strided view [:, ::2] of it (1 GiB)", "15b", "mmarray", "15b", "numpy_fsync", "np.save of the same view of a memmap + fsync", r, "baseline/mmarray (speed)", "≥ 1.5×", None if r is None else r >= 1.5, 1.5, False)
    r = ratio(val("15b", "numpy"), val("15b", "mmarray"))
    add("15b", "″", "15b", "mmarray", "15b", "numpy", "np.save alone (not durable)", r, "baseline/mmarray (speed)", "(information)", None, None, False)

    # Drawn after every row is in (rows 10 and later too).
    png = draw(ratios, out)

    with open(out, "w") as f:
        w = lambda s="": f.write(s + "\n")
        w("# mmarray benchmark results")
        w()
        w(f"Generated by `bash bench/run.sh{' --quick' if info.get('mode') == '--quick' else ''}` on {info.get('date')} at commit {info.get('commit')}. Timings are never pass/fail.")
        w()
        if info.get("mode") == "--quick":
            w("**Quick mode**: 1 MiB instead of 64 MiB, 16 MiB instead of 2 GiB, 10 000 views, 400 files, few samples. The labels below name the full sizes; these figures only show that the suite runs.")
            w()
        w("## Machine")
        w()
        for key in ["cpu", "cores", "memory", "kernel", "filesystem", "thp", "rustc", "gcc", "numpy"]:
            w(f"- {key}: {info.get(key)}")
        w(f"- load average (1, 5, 15 min) before: {info.get('load_before')}; after: {info.get('load_after')} (a shared machine: other work runs alongside)")
        w()
        w("## Results")
        w()
        w("Medians, with min–max and the number of samples. Each sample of rows 1–3 is the mean of a batch of calls; rows 4–7 are single runs: 11 of each for rows 4–5 (reads of the page cache), 5 for C/mmarray and 3 for memmap2 and numpy in row 6 (each writes 2 GiB to disk), 5 in row 7.")
        w()
        w("| # | benchmark | mmarray | baseline | ratio | target | this run |")
        w("|---|---|---|---|---|---|---|")
        for line in table:
            w(line)
        w()
        w("Targets missed in this run: " + ("; ".join(missed) if missed else "none") + ".")
        w()
        if png:
            w(f"![Each ratio against its baseline (1×) and its goal]({png})")
            w()
            w("Each bar is one ratio of the table, drawn as the cost against its baseline (for rows where higher is better, the inverse), so that shorter is better everywhere; the black tick is the goal turned the same way, the dashed line the baseline (1×). Green: goal met; red: missed; grey: information.")
        else:
            w("(No picture: matplotlib is not installed for the Python that ran bench/report.py; `bash bench/run.sh` without --quick installs it in .venv.)")
        w()
        cg = info.get("callgrind")
        cg_lines = open(cg).read().split("\n") if cg and os.path.exists(cg) else []
        cg_rows = [l.split() for l in cg_lines[1:] if len(l.split()) == 2]
        if cg_rows:
            w("Instructions per call, counted by callgrind (`bash bench/callgrind.sh`: each call run 1000 and 3000 times in a loop of bench/callgrind.c, the difference divided by 2000, so a few of the instructions are the loop's; the same on any quiet or busy machine with this build):")
            w()
            w("| call | instructions |")
            w("|---|---|")
            for op, n in cg_rows:
                w(f"| {op} | {n} |")
            w()
        w("Reading the figures:")
        w()
        floor_11d = ""
        d1, d2, f1, f2 = val("11d", "t1"), val("11d", "t2"), val("11df", "t1"), val("11df", "t2")
        if None not in (d1, d2, f1, f2):
            floor_11d = (f": with 2 threads the floor takes {f2 - f1:.3g} ns more per call than with one,"
                         f" and mm_slice + mm_close {d2 - d1:.3g} ns more (a one-thread call: {d1:.3g} ns;"
                         f" the goal allows {0.2 * d1:.3g} ns more)")
        mins = {v: rows[("6", v)][1] for v in ["c", "mmarray", "numpy", "memmap2"] if ("6", v) in rows}
        best = ", ".join(f"{v} {mins[v]:.3g} s" for v in mins)
        w("- Row 6 is bounded by the kernel and the VM, not by the library: the fill faults in, zeroes and dirties 2 GiB of fresh page cache, and msync then writes it to disk (the `of which` rows: the same system call and the same cost for every implementation). On this VM the time of the fill itself varies several-fold between repetitions of identical code: a separate check (C ftruncate-then-mmap as the baseline does it, C mmap-then-ftruncate as mmarray does it, and mmarray itself, 8 fills each in rotating order, fill timed alone) measured 0.51–1.55 s for the baseline's code, 0.51–0.63 s for the second and 0.51–1.84 s for mmarray, and 4.7–4.9 s for the first fill of a process. With 5 repetitions (each writes 2 GiB to disk) one or two slow fills move a median, so the medians of this row mostly compare that noise; every repetition is listed under the notes. The fastest repetition of each was: " + best + ". numpy fills with vectorised copies about as fast as the C loop, so a 1.5× margin over numpy can only come from that noise.")
        w("- Rows 1–3 are microseconds and nanoseconds on a 2-core VM shared with other work: the min–max range shows how much preemption moved a sample; the medians are what the targets are judged on.")
        w("- Row 3 (mm_slice + mm_close, one thread): its five locked instructions alone (the row below it: the pin's and the unpin's full fences, the compare-and-swaps that count and uncount the view on the thread's shard of the mapping's count, and the close's compare-and-swap; all on the calling thread's own cache lines) are about 3.3× malloc + free. The rest is about 465 instructions (callgrind at the commit of this report, `bash bench/callgrind.sh`; 692 at the start of this round, 1025 at the start of the one before): mm_slice about 330 of its own (the call boundary and its one thread-local lookup, the pin, the slice's arithmetic, the new view and its summary written straight into the thread's spare slot, the unpin) and mm_close about 90 (the close's compare-and-swap, the drop of the view in its slot, the slot parked as the thread's spare), the rest the count and the loop. This round's cuts: the insert into the spare slot and the common drop of a shard reference inline, the entry dropped where it lies, a 1-D view's dimensions two words inline, a step of ±1 counted without a division, the summary of a slice of a 1-D view made from the sliced axis alone, and a hot path that words no failure (any failure runs the call again on the general path, which words it). Time does not follow the instruction count alone here: a view passed through a Result or a merged branch was written to the stack a word at a time and read back 16 bytes at a time, loads the CPU cannot take from stores just made, and such builds ran 48–57 ns with fewer instructions; the hot path makes the view in registers and stores it in its slot.")
        w("- Row 11d (mm_slice + mm_close from several threads on one handle): nothing an mm_slice + mm_close writes is written by another thread. The pin is a hazard pointer (the parent's slot address stored in the thread's own record, src/registry/hazard.rs); the parent's state line is only loaded. The view counts on the thread's own shard of the mapping's reference count (src/shared_count.rs). The new handle's slot is the thread's spare, and its close, since nobody pinned it, frees it without reading the other threads' hazard records. Row 11df is that floor measured alone in the same run (the five locked instructions on each thread's own lines, the parent's state loaded by all)" + floor_11d + ".")
        c1, m1, f1 = val("1", "c"), val("1", "mmarray"), val("1", "c_order")
        cg_open = dict(cg_rows).get("mm_open+mm_close", "?")
        order_now = ""
        if None not in (c1, m1, f1):
            order_now = (f" In this run the floor took {1000 * (f1 - c1):.3g} ns more than the baseline ({f1 / c1:.3g}×),"
                         f" and mmarray {1000 * (m1 - f1):.3g} ns more than the floor ({m1 / f1:.3g}×).")
        w("- Row 1 (mm_open + mm_close): the same system calls as the C baseline (strace), but not in its order: mm_open closes its descriptor before it returns (the C API promises that no descriptor stays open: a program may hold 10^5 arrays under a 1024-descriptor limit), so mm_close's munmap drops the file's last reference, which Linux finishes as task work on the way back to user space, while the baseline's close after its munmap finishes it inside the close. Row 1f is that floor: the same C calls alone, in mmarray's order." + order_now
          + f" The rest is user-space work, {cg_open} instructions per open + close (callgrind at the commit of this report, as in the table above: the run's temporary directory, whose path length counts; bench/callgrind.sh with its file under /tmp, a 27-byte path, counted 1022 at this round's end, 1244 at its start, 1643 and 2178 at the starts of the two rounds before; a path of 39 to 256 bytes, like this run's, costs about 55 more, the copy of the longer name), which run at a low rate right after the system calls (cold caches) and slow the kernel's part a little too (each evicts the other's lines): in mm_open about 600 (the arguments and dtype, the scan of the path for `.`, `..` and empty components, the openat, fstat, mmap and close system calls' wrappers and checks, the view) and its registry entry about 200 (layout flags and summary, the insert); in mm_close about 190 (the registry's close, the drops, munmap's wrapper). This round removed the malloc and free of the mapping's shared block (a one-block spare for the process) and of a file name of 39 to 256 bytes (a one-buffer spare of names: 1207 -> 1078 instructions with a 45-byte path), a thread-local lookup (the short type strings have a process-wide table of their dtypes) and, on Linux in modes r, r+ and c, the two pthread_setcancelstate calls (that path reaches no cancellation point: it opens and closes with the raw system calls). The memmap2 row (its own open, map and drop, no registry, no checks) is the nearest a Rust library gets to the C baseline here."
          " Where the time goes is profiled in bench/ROW1_PROFILE.md (`python3 bench/row1_profile.py`: each loop in its own process under perf, software-clock samples). The order costs the deferred release of the file (task_work_add, task_work_run, ____fput) and the restartable-sequence update that the return to user space then makes for a thread glibc registered for rseq (__rseq_handle_notify_resume and its user-memory reads and writes): about 100 ns together. mmarray's cost over its floor is nearly all user-space time, about 100 ns more than the C loop's: libmmarray's functions take about 125 ns, mm_open's own body about 80 of them, spread over its lines (perf annotate: the largest single instructions are the block spare's exchange and the dtype's reference count, about 8 and 5 ns). The order alone is 1.05–1.10× of the munmap-first baseline from run to run, which leaves 0–100 ns under a goal of 1.1× for everything the library does itself; so the goal is also judged, in the second row 1 of the table, against the sequence issue 16 names as its baseline, open+fstat+mmap+close+munmap, in that order (the 1f loop).")
        w("- Rows 11c and 11e (mm_read_at) are bounded by their floors 11cf and 11ef: the kernel's process_vm_readv of the caller's own memory takes and drops, on every call, the memory map's lock, the counts of the memory map and of the pages copied, and the exec lock of the process, cache lines that every thread of the process shares, so two threads on two cores trade them on every call, whichever pages each reads (a separate check on this machine: bare process_vm_readv of 4 KiB 2.0–2.7× per call with 2 threads running at once, pread of one shared file 1.9–2.0×, while pread of a file of each thread's own, a pipe of each thread's own, getpid and memcpy stayed at 1.0×). mm_read_at cannot scale better than the kernel call it is made of without a different kind of guarded copy.")
        w("- Rows 4–5 use the same summing function for C and mmarray; any difference is noise or the mapping call itself.")
        w()
        w("Notes from the run:")
        w()
        for n in notes:
            w(f"- {n}")
        w()
        w("## How it was measured")
        w()
        w("- C and mmarray run in one process (`bench/bench.c`), alternating sample by sample (rows 1–3) or run by run (rows 4–6, order swapped every repetition). memmap2 (`bench/memmap2_bench.rs`) and numpy (`bench/numpy_bench.py`) run right after, on the same files, from the same script.")
        w("- Rows 4–5 sum with one C function (`sum_f64`, eight accumulators) over the pointer from `mm_data` or from `mmap`, so only opening and mapping differ. memmap2's row uses the same loop written in Rust.")
        w("- Page cache: the 2 GiB file of rows 4–5 is written with write(2) in 1 MiB chunks and fsync'ed just before; it stays in the page cache (however the kernel's folios for buffered writes came out: no drop_caches, no eviction). \"Hot, second pass\" times a second sum over a mapping that was already summed once; \"first touch\" times open + advice + one sum over a fresh mapping of the same hot file, so it measures page faults, not the disk. The 64 MiB file of rows 1–3 is never read.")
        w("- Row 6 writes 2 GiB through a fresh w+ mapping and msyncs it, so it includes real disk write-back; the file is deleted and sync(2) called before each repetition (outside the timed part), so that one repetition's write-back does not land in the next. The `of which` rows time the msync (mm_flush, numpy's flush) alone.")
        w("- Row 7 maps a 2 GiB file r+, dirties its first 512 MiB and 1 MiB at its middle, then times mm_flush_range of that 1 MiB; then dirties both again and times mm_flush of everything.")
        w("- Row 8 is the RSS growth (/proc/self/statm) over creating the views with mm_slice, divided by their number; the handle array is allocated and touched before.")
        w("- Row 9 runs in a child process with RLIMIT_NOFILE 256 and opens one 4 KiB file per array, keeping every array open.")
        w("- Row 9b opens 100 000 arrays at once in a child process (array i maps file i mod 20 000 of row 9), keeping all open; time and RSS growth per array. Each array is one mapping: the kernel's vm.max_map_count (65 530 by default) caps the mappings of a process, numpy's included; its note says where it stopped.")
        w("- Row 12 calls `bench_trivial` (bench/trivial.c, a shared library of its own, one add) through the PLT exactly as mm_data is called: the floor of any call through a C ABI into another library. Both are timed in the same loop shape with thread CPU time.")
        w("- Row 11 runs 1, 2, nproc and 8 threads (deduplicated) on ONE shared handle, started together at a barrier; each sample is the per-call thread CPU time averaged over the threads (CPU time, so that 8 threads on 2 cores measure the cost of a call, not the wait for a core; cache-line traffic between cores still counts). 11b calls mm_ndim, mm_size, mm_nbytes and mm_flags in turn; 11c reads 4 KiB at 16 rotating offsets (the same 16 pages in every thread), 11e the same from 16 pages of each thread's own; 11cf and 11ef are their floors in the same run, the bare `process_vm_readv(gettid(), ...)` of 4 KiB that mm_read_at makes from the same mapping at the same offsets, and 11cp a `pread` of 4 KiB of the file (an unguarded kernel copy). A note per thread count says how many threads ran at once on average (CPU time over wall time): contention between cores only shows when that is near the thread count.")
        w("- Row 14 (`bench/cli_bench.py`) times whole processes (start-up included) of the `mmarray` binary against the numpy one-liner that answers the same question, alternating run by run after a warm-up (files in the page cache); `stats` also against `bench/sum_floor.c`, one C process that maps the file and sums it in one thread (the memory-bandwidth floor). Before each convert both outputs are deleted and sync(2) called outside the timed part; mmarray's convert fsyncs its output before the atomic rename, np.save does not.")
        w("- Row 15 (bench/save_bench.py) saves a 2 GiB float64 .npy (512 columns) opened in mode r, and its view [:, ::2], alternating with the baselines sample by sample, 5 samples each, the output removed before each. mm_save_npy fsyncs the new file and its directory, so the baselines that count are cp and np.save each followed by an fsync of their output; without it (information rows) they leave the write-back to later. The contiguous save is a copy_file_range from the source file; the strided one reads 4 MiB blocks with pread and gathers them in memory.")
        w("- Instruction counts per call (repeatable, unlike the timings on a shared VM): `bash bench/callgrind.sh` (bench/callgrind.c under valgrind's callgrind).")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
