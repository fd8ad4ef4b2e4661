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
