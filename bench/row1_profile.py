#!/usr/bin/env python3
"""Where row 1's time goes: mm_open + mm_close against the C baseline, profiled.

    python3 bench/row1_profile.py [OUT.md]      (Linux, needs perf and gcc; ~1 minute)

Builds the library (cargo build --release) and bench/row1_loop.c, then times the three
loops of row 1 each in its own process -- c: the C baseline (open, fstat, mmap, munmap,
close), f: the same calls in mmarray's order (close before munmap; row 1f), m: mm_open +
mm_close -- with `perf stat -e task-clock`, alternating, and samples each with
`perf record -e cpu-clock` (a software clock: it works in a VM without hardware
counters). Each function's share of a loop's samples times that loop's median time per
iteration is its time per iteration. Prints Markdown (or writes OUT.md): the three
loops' times, the kernel and user functions whose time differs between c and f (what the
order costs), and between f and m (what the library's own work costs).

Sampled shares are estimates: one recording's kernel functions move by up to ~20 ns per
iteration between recordings, so they are averaged over three; read groups, not single rows.
Timings are never pass/fail. The 64 MiB file is sparse, in a temporary directory under
${TMPDIR:-/tmp} removed at exit.
"""
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N_STAT, N_RECORD, REPEATS, RECORDS = 200_000, 200_000, 7, 3
LOOPS = {"c": "C open, fstat, mmap, munmap, close (row 1's baseline)",
         "f": "C open, fstat, mmap, close, munmap (row 1f: mmarray's order)",
         "m": "mm_open + mm_close (row 1)"}


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


def build(tmp):
    run(["cargo", "build", "--release", "--quiet", "--lib"], cwd=ROOT)
    rel = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release")
    link = os.path.join(rel, "libmmarray.so.0")
    if not os.path.lexists(link):
        os.symlink("libmmarray.so", link)
    exe = os.path.join(tmp, "row1_loop")
    run(["gcc", "-O2", "-std=gnu11", "-Wall", "-Wextra", "-I" + os.path.join(ROOT, "include"),
         os.path.join(ROOT, "bench", "row1_loop.c"), "-L" + rel, "-lmmarray",
         "-Wl,-rpath," + rel, "-o", exe])
    return exe


def task_ns(exe, path, loop):
    """Time per iteration of one loop, from perf stat's task-clock (ms)."""
    out = run(["perf", "stat", "-x,", "-e", "task-clock", "--", exe, path, loop, str(N_STAT)]).stderr
    for line in out.splitlines():
        fields = line.split(",")
        if len(fields) > 2 and fields[2].startswith("task-clock"):
            return float(fields[0]) * 1e6 / N_STAT
    raise RuntimeError("perf stat printed no task-clock:\n" + out)


def shares(exe, path, loop, tmp):
    """{(dso, symbol): fraction of one recording's samples}."""
    data = os.path.join(tmp, loop + ".data")
    run(["perf", "record", "-q", "-F", "20000", "-e", "cpu-clock", "-o", data, "--",
         exe, path, loop, str(N_RECORD)])
    out = run(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", "dso,sym",
               "-F", "overhead,dso,sym", "-t", "|"]).stdout
    result = {}
    for line in out.splitlines():
        if line.startswith("#") or line.count("|") < 2:
            continue
        pct, dso, sym = (x.strip() for x in line.split("|", 2))
        sym = sym.split("] ", 1)[-1]
        result[(dso, sym)] = result.get((dso, sym), 0.0) + float(pct.rstrip("%")) / 100
    return result


def mean_shares(recordings):
    keys = set().union(*recordings)
    return {k: sum(r.get(k, 0.0) for r in recordings) / len(recordings) for k in keys}


def kernel(dso):
    return dso.startswith("[kernel")


def table_of_differences(lines, a, b, ta, tb, title, top=12):
    """The functions whose time per iteration differs most between loops a and b."""
    keys = set(a) | set(b)
    diff = {k: b.get(k, 0.0) * tb - a.get(k, 0.0) * ta for k in keys}
    lines += [title, "", "| function | where | ns per iteration more | less |", "|---|---|---|---|"]
    up = sorted((k for k in keys if diff[k] > 0), key=lambda k: -diff[k])[:top]
    down = sorted((k for k in keys if diff[k] < 0), key=lambda k: diff[k])[:top // 2]
    for k in up:
        lines.append(f"| `{k[1]}` | {k[0]} | {diff[k]:.1f} | |")
    for k in down:
        lines.append(f"| `{k[1]}` | {k[0]} | | {-diff[k]:.1f} |")
    lines.append("")


def split(s, t):
    k = sum(v for (d, _), v in s.items() if kernel(d)) * t
    return k, t - k


def main():
    if platform.system() != "Linux":
        sys.exit("row1_profile.py: Linux only (perf)")
    for tool in ("perf", "gcc", "cargo"):
        if shutil.which(tool) is None:
            sys.exit(f"row1_profile.py: {tool} is not installed")
    out_path = sys.argv[1] if len(sys.argv) > 1 else None
    with tempfile.TemporaryDirectory(prefix="mmarray-row1.") as tmp:
        exe = build(tmp)
        path = os.path.join(tmp, "a.f8")
        with open(path, "wb") as f:
            f.truncate(64 << 20)
        times = {k: [] for k in LOOPS}
        for _ in range(REPEATS):
            for k in LOOPS:
                times[k].append(task_ns(exe, path, k))
        med = {k: statistics.median(v) for k, v in times.items()}
        # Recordings alternate too, and each function's share is their mean.
        recorded = {k: [] for k in LOOPS}
        for _ in range(RECORDS):
            for k in LOOPS:
                recorded[k].append(shares(exe, path, k, tmp))
        prof = {k: mean_shares(v) for k, v in recorded.items()}

    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    commit = run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT).stdout.strip()
    lines = ["# Row 1: where the time goes", "",
             f"Written by `python3 bench/row1_profile.py bench/ROW1_PROFILE.md` at commit {commit}; "
             f"{cpu}, {os.cpu_count()} cores, Linux {platform.release()}. Each loop runs in its own "
             f"process: {REPEATS} alternating `perf stat -e task-clock` runs of {N_STAT} iterations "
             f"(median, min–max), then {RECORDS} alternating `perf record -e cpu-clock -F 20000` runs of "
             f"{N_RECORD} (each function's mean share). "
             "Sampled times are shares of the samples times the median: estimates, a single row within a few ns is noise.", "",
             "| loop | ns per iteration | kernel | user space | / c |", "|---|---|---|---|---|"]
    for k, what in LOOPS.items():
        kn, us = split(prof[k], med[k])
        lines.append(f"| {k}: {what} | {med[k]:.0f} ({min(times[k]):.0f}–{max(times[k]):.0f}) | "
                     f"{kn:.0f} | {us:.0f} | {med[k] / med['c']:.3f}× |")
    lines += ["", f"m / f = {med['m'] / med['f']:.3f}×.", ""]
    table_of_differences(lines, prof["c"], prof["f"], med["c"], med["f"],
                         "## c → f: the same calls, the descriptor closed before munmap")
    table_of_differences(lines, prof["f"], prof["m"], med["f"], med["m"],
                         "## f → m: mmarray's own work over the same calls in its order")
    own = sorted(((v * med["m"], s) for (d, s), v in prof["m"].items() if "libmmarray" in d), reverse=True)
    lines += ["## m: time in libmmarray's functions", "", "| function | ns per iteration |", "|---|---|"]
    lines += [f"| `{s}` | {t:.1f} |" for t, s in own if t >= 0.5]
    lines.append(f"| all of libmmarray | {sum(t for t, _ in own):.1f} |")
    text = "\n".join(lines) + "\n"
    if out_path:
        with open(out_path, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
