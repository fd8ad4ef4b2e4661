"""Growing .npy files (mm_npy_append, mm_npy_grow, mm_npy_recover), numpy as the oracle.

Byte identity: after appends and grows (the grown rows filled through mm_data), the file
equals what numpy writes for the whole array (np.save, or write_array in the file's
format version), over random shapes x dtypes (big-endian and records included) x orders
x chunkings, for files from np.save/write_array, mm_create_npy and mm_save_npy.
Concurrency and crashes: many writers (processes x threads, exactly-once), a reader
polling with np.load while rows are appended, and SIGKILL of an appending child followed
by np.load and mm_npy_recover. Each test works in its own temporary directory and is
bounded in time.
"""

import ctypes
import io
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings

import numpy as np
from numpy.lib import _format_impl
import pytest

sys.path.insert(0, os.path.dirname(__file__))

from npy_ctypes import (  # noqa: E402
    MM_E_INVALID_ARG, MM_E_IO, MM_E_READ_ONLY, MM_E_UNSUPPORTED, MM_OK, load_lib,
)

assert np.__version__ == "2.4.6", np.__version__

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="session")
def lib():
    return load_lib()


@pytest.fixture(autouse=True)
def no_leaked_handles(lib):
    before = lib.mm_handle_count()
    yield
    assert lib.mm_handle_count() == before, "a test leaked handles"


DTYPES = [
    np.dtype("<i4"), np.dtype(">f8"), np.dtype("u1"), np.dtype("<c8"), np.dtype(">i2"),
    np.dtype("?"), np.dtype("<U3"), np.dtype("S5"),
    np.dtype([("a", "<i4"), ("b", ">f8", (2,)), ("c", "S3")]),
    np.dtype([("x", "u1"), ("y", "<u2")], align=True),
]


def descr_text(dtype):
    return str(dtype.descr) if dtype.names else dtype.str


def values(dtype, shape, rng):
    n = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if dtype == np.dtype("?"):
        return rng.integers(0, 2, n).astype(bool).reshape(shape)
    raw = rng.bytes(n * dtype.itemsize)
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def expected_bytes(full, fortran, version):
    """What numpy writes for `full` in a file whose header says `fortran`: np.save /
    write_array when its own order rule gives that flag, else numpy's header writer with
    that flag followed by the data in that order (open_memmap's file)."""
    void = np.dtype(("V", full.dtype.itemsize))  # raw bytes: records keep their padding
    raw = full.view(void)
    arr = (np.asfortranarray(raw) if fortran else np.ascontiguousarray(raw)).view(full.dtype)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        saved_flag = arr.flags.f_contiguous and not arr.flags.c_contiguous
        if saved_flag == fortran:
            np.lib.format.write_array(buf, arr, version=version, allow_pickle=False)
        else:
            d = np.lib.format.header_data_from_array_1_0(arr)
            d["fortran_order"] = fortran
            _format_impl._write_array_header(buf, d, version)
            buf.write(arr.tobytes(order="F" if fortran else "C"))
    return buf.getvalue()


def write_numpy(path, arr, version):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with open(path, "wb") as f:
            np.lib.format.write_array(f, arr, version=version, allow_pickle=False)


def chunk_rows(full, axis, lo, hi, fortran):
    """The rows lo..hi of `full` along the growth axis, as the bytes an append takes."""
    if fortran:
        part = full[..., lo:hi]
        return part.tobytes(order="F")
    return np.ascontiguousarray(full[lo:hi]).tobytes()


def grow_to(lib, full, shape0, axis, chunks, path, rng, fortran):
    """Opens `path` r+, appends/grows it chunk by chunk to full's length, filling grown
    rows through mm_data; returns nothing, asserts every status."""
    st, h = lib.open_npy(path, "r+")
    assert st == MM_OK, lib.error()
    # Bytes, not values: a record's padding bytes are copied too.
    full = full.view(np.dtype(("V", full.dtype.itemsize)))
    try:
        cur = shape0[axis]
        for k in chunks:
            if rng.random() < 0.7:
                want_out = rng.random() < 0.5
                st, out = lib.npy_append(h, chunk_rows(full, axis, cur, cur + k, fortran), k,
                                         want_out)
                assert st == MM_OK, lib.error()
                if want_out:
                    shape = list(full.shape)
                    shape[axis] = cur + k
                    assert lib.shape_of(out) == tuple(shape)
                    lib.mm_close(out)
            else:
                st, out = lib.npy_grow(h, cur + k)
                assert st == MM_OK, lib.error()
                try:
                    v = lib.numpy_view(out, full.dtype)  # void: raw bytes
                    if fortran:
                        v[..., cur:cur + k] = full[..., cur:cur + k]
                    else:
                        v[cur:cur + k] = full[cur:cur + k]
                    assert lib.mm_flush(out) == MM_OK
                finally:
                    lib.mm_close(out)
            cur += k
        # The handle kept its shape.
        assert lib.shape_of(h) == tuple(shape0)
    finally:
        lib.mm_close(h)


def random_case(rng):
    dtype = DTYPES[rng.integers(len(DTYPES))]
    ndim = int(rng.integers(1, 4))
    shape = [int(rng.integers(0, 4)) for _ in range(ndim)]
    fortran = bool(rng.integers(2)) and ndim > 1
    source = ["np.save", "write_array", "mm_create_npy", "mm_save_npy"][rng.integers(4)]
    version = [None, (1, 0), (2, 0), (3, 0)][rng.integers(4)] if source == "write_array" \
        else None
    total = int(rng.integers(0, 25))
    chunks = []
    while total > 0:
        k = int(rng.integers(1, total + 1))
        chunks.append(k)
        total -= k
    if rng.random() < 0.1:
        chunks.insert(int(rng.integers(len(chunks) + 1)), 0)
    return dtype, shape, fortran, source, version, chunks


@pytest.mark.parametrize("seed", range(12))
def test_grown_file_is_byte_identical_to_numpy(lib, tmp_path, seed):
    """30 random cases per seed (360 in all): shapes x dtypes x orders x chunkings x
    sources x versions."""
    rng = np.random.default_rng(1000 + seed)
    for case in range(30):
        dtype, shape, fortran, source, version, chunks = random_case(rng)
        path = tmp_path / ("c%d.npy" % case)
        axis = len(shape) - 1 if fortran else 0
        init = values(dtype, shape, rng)
        if fortran:
            init = np.asfortranarray(init)
        if source in ("np.save", "write_array"):
            write_numpy(path, init, version)
            # np.save writes fortran_order True only for F- and not C-contiguous arrays.
            fortran = bool(init.flags.f_contiguous and not init.flags.c_contiguous)
            axis = len(shape) - 1 if fortran else 0
        elif source == "mm_create_npy":
            st, h = lib.create_npy(path, descr_text(dtype), shape, "F" if fortran else "C")
            assert st == MM_OK, (lib.error(), dtype, shape)
            init = np.zeros(shape, dtype=dtype, order="F" if fortran else "C")
            lib.mm_close(h)
        else:
            src = tmp_path / ("s%d.npy" % case)
            write_numpy(src, init, None)
            st, h = lib.open_npy(src, "r")
            assert st == MM_OK, lib.error()
            assert lib.save(h, path) == MM_OK, lib.error()
            lib.mm_close(h)
            fortran = bool(init.flags.f_contiguous and not init.flags.c_contiguous)
            axis = len(shape) - 1 if fortran else 0
        extra = list(shape)
        extra[axis] = sum(chunks)
        more = values(dtype, extra, rng)
        # Through a void view: a record's padding bytes are copied too.
        void = np.dtype(("V", dtype.itemsize))
        full = np.concatenate([init.view(void), more.view(void)], axis=axis).view(dtype)
        grow_to(lib, full, shape, axis, chunks, path, rng, fortran)
        got = path.read_bytes()
        want = expected_bytes(full, fortran, version)
        assert got == want, (case, dtype, shape, fortran, source, version, chunks)
        loaded = np.load(path)
        assert loaded.shape == full.shape
        assert loaded.dtype == full.dtype


# ---------------------------------------------------------------- many writers

WRITER = textwrap.dedent("""
    import sys, threading, time
    sys.path.insert(0, sys.argv[1])
    import numpy as np
    from npy_ctypes import MM_OK, load_lib
    lib = load_lib()
    path, proc, appends, width = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    start = float(sys.argv[6])
    errors = []
    done = []

    def run(thread):
        st, h = lib.open_npy(path, "r+")
        if st != MM_OK:
            errors.append(lib.error())
            return
        rng = np.random.default_rng(proc * 10 + thread)
        seq = 0
        while time.time() < start:  # every writer starts at the same moment
            time.sleep(0.001)
        t_first = time.time()
        for _ in range(appends):
            k = int(rng.integers(1, 4))
            rows = np.empty((k, width), "<i8")
            for j in range(k):
                rows[j, :3] = (proc, thread, seq)
                rows[j, 3:] = proc * 1_000_000 + thread * 100_000 + seq
                seq += 1
            st, _ = lib.npy_append(h, rows, k, want_out=False)
            if st != MM_OK:
                errors.append(lib.error())
                break
        t_last = time.time()
        lib.mm_close(h)
        done.append((proc, thread, seq, t_first, t_last))

    threads = [threading.Thread(target=run, args=(t,)) for t in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for d in done:
        print(*d)
    if errors:
        print("ERRORS", errors, file=sys.stderr)
        sys.exit(1)
""")


def test_many_writers_each_row_exactly_once(lib, tmp_path):
    """4 processes x 2 threads, all starting at one moment, append 1-3 tagged rows at a
    time, 3000 appends each; the final file holds every (process, thread, sequence) row
    exactly once and intact, in each writer's order, and its header counts them all; the
    writers' time spans overlap. Bounded: 20 s."""
    width = 16
    path = tmp_path / "log.npy"
    np.save(path, np.zeros((0, width), "<i8"))
    env = dict(os.environ)
    start = time.time() + 2.0  # after every child has imported numpy
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, HERE, str(path), str(p), "3000",
                               str(width), repr(start)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for p in range(4)]
    written = {}
    spans = []
    deadline = time.monotonic() + 20
    for p in procs:
        out, err = p.communicate(timeout=max(1, deadline - time.monotonic()))
        assert p.returncode == 0, err
        for line in out.strip().splitlines():
            a, b, n, t0, t1 = line.split()
            written[(int(a), int(b))] = int(n)
            spans.append((float(t0), float(t1)))
    assert len(written) == 8
    # The writers ran at the same time: the latest start is before the earliest end.
    assert max(t0 for t0, _ in spans) < min(t1 for _, t1 in spans), spans
    arr = np.load(path)
    total = sum(written.values())
    assert arr.shape == (total, width)
    assert os.path.getsize(path) == 128 + total * width * 8
    key = arr[:, 0] * 10_000_000 + arr[:, 1] * 1_000_000 + arr[:, 2]
    assert len(np.unique(key)) == total, "a row appears twice"
    # Each row intact: its payload matches its tag.
    want = arr[:, 0] * 1_000_000 + arr[:, 1] * 100_000 + arr[:, 2]
    assert (arr[:, 3:] == want[:, None]).all()
    for (p, t), n in written.items():
        # Every row of each writer, once, in the writer's order.
        seqs = arr[(arr[:, 0] == p) & (arr[:, 1] == t), 2]
        assert (seqs == np.arange(n)).all()
    # Byte identity with np.save of the whole array.
    buf = io.BytesIO()
    np.save(buf, arr)
    assert path.read_bytes() == buf.getvalue()
    span = max(t1 for _, t1 in spans) - min(t0 for t0, _ in spans)
    print("8 writers, %d appends, %d rows in %.3f s" % (8 * 3000, total, span))


# ---------------------------------------------------------------- readers

def test_reader_sees_a_prefix_while_rows_are_appended(lib, tmp_path):
    """A child process appends 4000 rows (row i holds i) one append at a time while
    this process polls np.load(path) and np.load(path, mmap_mode='r'): every load
    succeeds and sees rows 0..n-1 for some n that never decreases. Bounded: 20 s."""
    width = 32
    path = tmp_path / "live.npy"
    np.save(path, np.zeros((0, width), "<i8"))
    child = textwrap.dedent("""
        import sys
        sys.path.insert(0, sys.argv[1])
        import numpy as np
        from npy_ctypes import MM_OK, load_lib
        lib = load_lib()
        st, h = lib.open_npy(sys.argv[2], "r+")
        assert st == MM_OK, lib.error()
        for i in range(4000):
            st, _ = lib.npy_append(h, np.full((1, %d), i, "<i8"), 1, want_out=False)
            assert st == MM_OK, lib.error()
        lib.mm_close(h)
    """ % width)
    p = subprocess.Popen([sys.executable, "-c", child, HERE, str(path)],
                         stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    loads = 0
    last = 0
    seen_partial = False
    try:
        while True:
            done = p.poll() is not None
            for mmap_mode in (None, "r"):
                arr = np.load(path, mmap_mode=mmap_mode)
                n = arr.shape[0]
                assert arr.shape == (n, width)
                assert n >= last
                if n:
                    col = np.asarray(arr[:, 0])
                    assert (col == np.arange(n)).all()
                    assert (np.asarray(arr[-1]) == n - 1).all()
                if 0 < n < 4000:
                    seen_partial = True
                last = n
                loads += 1
                del arr
            if done:
                break
            assert time.monotonic() < deadline, "the writer did not finish in time"
    finally:
        if p.poll() is None:
            p.kill()
        _, err = p.communicate()
    assert p.returncode == 0, err
    assert last == 4000
    assert loads > 10
    print("reader: %d loads while 4000 rows were appended" % loads)
    assert seen_partial, "the reader never saw the file while it was being written"


# ---------------------------------------------------------------- crashes

def _appender(lib, path, row_width, rng_seed):
    """In a forked child: appends rows (row i holds i) until killed."""
    try:
        rng = np.random.default_rng(rng_seed)
        st, h = lib.open_npy(path, "r+")
        if st != MM_OK:
            os._exit(3)
        n = lib.shape_of(h)[0]
        while True:
            k = int(rng.integers(1, 17))
            rows = np.repeat(np.arange(n, n + k, dtype="<i8"), row_width).reshape(k, row_width)
            st, _ = lib.npy_append(h, rows, k, want_out=False)
            if st != MM_OK:
                os._exit(4)
            n += k
    finally:
        os._exit(5)


def test_sigkill_at_random_points_leaves_a_prefix_and_recover_counts_whole_rows(lib, tmp_path):
    """200 times: fork a child that appends 1-16 rows of 4 KiB at a time, SIGKILL it after
    0-3 ms, then np.load must read rows 0..n-1 intact (a prefix, never a header claiming
    rows the file does not hold) and mm_npy_recover must count every whole row (and cut
    a partial one): the file is then np.save of the rows, byte for byte. Bounded: 30 s."""
    width = 512  # 4 KiB rows
    path = tmp_path / "crash.npy"
    np.save(path, np.zeros((0, width), "<i8"))
    rng = np.random.default_rng(7)
    deadline = time.monotonic() + 30
    grew_by_recover = 0
    partial_cut = 0
    biggest = 0
    kills = 0
    while kills < 200:
        assert time.monotonic() < deadline, "only %d kills in 30 s" % kills
        if kills % 20 == 0:
            # A fresh file now and then keeps each check's np.load small.
            np.save(path, np.zeros((0, width), "<i8"))
        pid = os.fork()
        if pid == 0:
            _appender(lib, path, width, kills)
        time.sleep(float(rng.uniform(0, 0.003)))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status), "the child exited with %r" % (status,)
        kills += 1
        arr = np.load(path)
        n = arr.shape[0]
        assert (arr == np.arange(n)[:, None]).all()
        size = os.path.getsize(path)
        st, length = lib.npy_recover(path)
        assert st == MM_OK, lib.error()
        assert length == (size - 128) // (width * 8)
        assert length >= n
        grew_by_recover += length > n
        partial_cut += (size - 128) % (width * 8) != 0
        biggest = max(biggest, size)
        arr = np.load(path)
        assert arr.shape == (length, width)
        assert (arr == np.arange(length)[:, None]).all()
        buf = io.BytesIO()
        np.save(buf, arr)
        assert path.read_bytes() == buf.getvalue()
    print("kills %d, largest file %d bytes, recover counted rows the header did not in %d, cut a partial row in %d"
          % (kills, biggest, grew_by_recover, partial_cut))


# ---------------------------------------------------------------- long growth axes

def numpy_header(dtype, shape, fortran, version=None):
    buf = io.BytesIO()
    d = {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)), "fortran_order": fortran,
         "shape": tuple(shape)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _format_impl._write_array_header(buf, d, version)
    return buf.getvalue()


@pytest.mark.parametrize("dtype,rest,fortran", [("|u1", (), False), ("<f8", (3,), False),
                                                 (">i2", (2,), True)])
def test_growth_axis_digits_up_to_ten_gigabytes(lib, tmp_path, dtype, rest, fortran):
    """mm_npy_grow to 10, 100, ..., 10**k rows (sparse files up to ~10 GiB): each time the
    header is numpy's for that shape, the same length as before, and the file's size is
    header + rows; np.load(mmap_mode='r') reads the shape. Then 100 one-row appends to the
    big file cost about what they cost on a small one (O(appended bytes))."""
    path = tmp_path / "big.npy"
    start = np.zeros(rest + (5,) if fortran else (5,) + rest, dtype=dtype)
    if fortran:
        start = np.asfortranarray(np.zeros(rest + (5,), dtype=dtype))
        assert rest == () or start.flags.f_contiguous and not start.flags.c_contiguous
    np.save(path, start)
    head_len = len(numpy_header(dtype, start.shape, fortran))
    row_bytes = int(np.prod(rest, dtype=np.int64)) * np.dtype(dtype).itemsize
    st, h = lib.open_npy(path, "r+")
    assert st == MM_OK, lib.error()
    try:
        n = 10
        while n * row_bytes <= 10 << 30:
            st, g = lib.npy_grow(h, n)
            assert st == MM_OK, lib.error()
            lib.mm_close(g)
            shape = rest + (n,) if fortran else (n,) + rest
            want = numpy_header(dtype, shape, fortran)
            assert len(want) == head_len
            with open(path, "rb") as f:
                assert f.read(len(want)) == want
            assert os.path.getsize(path) == head_len + n * row_bytes
            assert np.load(path, mmap_mode="r").shape == shape
            n *= 10
        big_n = n // 10
        row = np.arange(row_bytes, dtype="u1").tobytes()

        def hundred_appends(handle):
            t0 = time.perf_counter()
            for _ in range(100):
                st, _ = lib.npy_append(handle, row, 1, want_out=False)
                assert st == MM_OK, lib.error()
            return time.perf_counter() - t0

        t_big = hundred_appends(h)
        assert os.path.getsize(path) == head_len + (big_n + 100) * row_bytes
        small = tmp_path / "small.npy"
        np.save(small, start)
        st, s = lib.open_npy(small, "r+")
        assert st == MM_OK
        t_small = hundred_appends(s)
        lib.mm_close(s)
        print("100 one-row appends: %.4f s on %d bytes, %.4f s on %d bytes"
              % (t_big, os.path.getsize(path), t_small, os.path.getsize(small)))
        assert t_big < 5 * t_small + 0.05
    finally:
        lib.mm_close(h)
        os.remove(path)  # sparse, but pytest keeps the last runs' directories


# ---------------------------------------------------------------- the Python shim

def test_python_shim_appends_in_c_and_f_order(lib, tmp_path):
    """bindings/python/mmarray_npy_append.py: NpyAppender.append of numpy rows (converted
    safely to the file's dtype and order) and recover; the files are np.save's."""
    sys.path.insert(0, os.path.join(HERE, "..", "..", "bindings", "python"))
    from mmarray_npy_append import MMError, NpyAppender, recover

    c_path = tmp_path / "c.npy"
    np.save(c_path, np.zeros((0, 3), ">f4"))
    with NpyAppender(lib.dll, c_path) as log:
        log.append(np.arange(6, dtype=np.int16).reshape(2, 3))
        log.append([[6.5, 7.5, 8.5]])
        with pytest.raises(TypeError):
            log.append(np.ones((1, 3), dtype=np.float64))
        with pytest.raises(ValueError):
            log.append(np.ones((1, 4), dtype=np.float32))
    want = np.array([[0, 1, 2], [3, 4, 5], [6.5, 7.5, 8.5]], ">f4")
    buf = io.BytesIO()
    np.save(buf, want)
    assert c_path.read_bytes() == buf.getvalue()
    assert recover(lib.dll, c_path) == 3

    f_path = tmp_path / "f.npy"
    x = np.asfortranarray(np.arange(6, dtype="<i8").reshape(2, 3))
    np.save(f_path, x)
    with NpyAppender(lib.dll, f_path) as log:
        log.append(np.array([[10, 11], [12, 13]]))  # two more columns
    buf = io.BytesIO()
    np.save(buf, np.asfortranarray(np.concatenate([x, [[10, 11], [12, 13]]], axis=1)))
    assert f_path.read_bytes() == buf.getvalue()

    # A file the shim cannot grow (0-d) is refused before any append.
    z_path = tmp_path / "z.npy"
    np.save(z_path, np.float64(1.0))
    with pytest.raises(ValueError):
        NpyAppender(lib.dll, z_path)
    with pytest.raises(MMError) as e:
        recover(lib.dll, z_path)
    assert e.value.status == MM_E_INVALID_ARG
