"""mm_save_npy at copy speed (issue 16, item 3), with np.save as the oracle.

A save takes one of three paths: a contiguous view of a file opened by path in mode r,
r+ or w+ is copied file to file by the kernel (copy_file_range); a dense strided view
is read in blocks and gathered in memory; a sparse one element by element. Mode c
views, and arrays opened from a descriptor, never read the file: they must save what
the mapping holds. Every case is compared byte for byte with np.save of numpy's view
of the same bytes (taken from the mapping itself, after the writes), in every mode.
"""

import ctypes
import os
import sys
import warnings

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))

from npy_ctypes import INT64_MAX, INT64_MIN, MM_OK, load_lib  # noqa: E402

assert np.__version__ == "2.4.6", np.__version__

ROWS, COLS = 40, 50


@pytest.fixture(scope="session")
def lib():
    return load_lib()


@pytest.fixture(autouse=True)
def no_leaked_handles(lib):
    before = lib.mm_handle_count()
    yield
    assert lib.mm_handle_count() == before, "a test leaked handles"


def np_save_bytes(path, arr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.save(path, arr)
    with open(path, "rb") as f:
        return f.read()


def open_source(lib, tmp_path, mode, dt):
    """(handle, numpy array over its mapping, path) of a ROWS x COLS array of `dt` in
    `mode`; its file holds i, and r+/w+/c arrays are then changed through the mapping
    (never flushed): element i (i % 100 in the file) gains 100 for every 3rd element."""
    values = (np.arange(ROWS * COLS) % 100).astype(dt).reshape(ROWS, COLS)
    if mode == "w+":
        path = tmp_path / "src.raw"
        st, h = lib.open_raw(path, dt, "w+", 0, (ROWS, COLS))
        assert st == MM_OK, lib.error()
        lib.numpy_view(h, dt)[...] = values
    elif mode == "fd":
        path = tmp_path / "src.raw"
        values.tofile(path)
        fd = os.open(path, os.O_RDWR)
        try:
            shp = (ctypes.c_size_t * 2)(ROWS, COLS)
            out = ctypes.c_uint64(0)
            st = lib.mm_open_fd(fd, dt.encode(), b"r+", 0, shp, 2, b"C", ctypes.byref(out))
        finally:
            os.close(fd)
        assert st == MM_OK, lib.error()
        h = out.value
    else:
        path = tmp_path / "src.npy"
        np_save_bytes(path, values)
        st, h = lib.open_npy(path, mode)
        assert st == MM_OK, lib.error()
    arr = lib.numpy_view(h, dt)
    if mode != "r":
        arr.reshape(-1)[::3] += 100
    return h, arr, path


CASES = {
    # name: (how to make it from the handle, the numpy equivalent)
    "whole": (lambda lib, h: lib.slice(h, 0, 0, INT64_MAX, 1), lambda a: a),
    "rows": (lambda lib, h: lib.slice(h, 0, 3, 17, 1), lambda a: a[3:17]),
    "every_3rd_col": (lambda lib, h: lib.slice(h, 1, 1, INT64_MAX, 3), lambda a: a[:, 1::3]),
    "reversed": (lambda lib, h: lib.slice(h, 0, INT64_MAX, INT64_MIN, -1), lambda a: a[::-1]),
    "column": (lambda lib, h: lib.slice(h, 1, 7, 8, 1), lambda a: a[:, 7:8]),
}


@pytest.mark.parametrize("dt", ["<f8", ">i2", "u1"])
@pytest.mark.parametrize("case", sorted(CASES) + ["transposed", "every_17th"])
@pytest.mark.parametrize("mode", ["r", "r+", "w+", "c", "fd"])
def test_save_equals_np_save_in_every_mode(lib, tmp_path, mode, case, dt):
    h, arr, path = open_source(lib, tmp_path, mode, dt)
    file_before = path.read_bytes()
    try:
        if case == "transposed":
            st, v = lib.view(h, None, 0, (COLS, ROWS),
                             tuple(reversed(lib.strides_of(h))))
            ref = arr.T
        elif case == "every_17th":
            flat_st, flat = lib.view(h, None, 0, (ROWS * COLS,), (arr.itemsize,))
            assert flat_st == MM_OK, lib.error()
            st, v = lib.slice(flat, 0, 2, INT64_MAX, 17)
            lib.mm_close(flat)
            ref = arr.reshape(-1)[2::17]
        else:
            make, ref_of = CASES[case]
            st, v = make(lib, h)
            ref = ref_of(arr)
        assert st == MM_OK, lib.error()
        out = tmp_path / "out.npy"
        assert lib.save(v, out) == MM_OK, lib.error()
        lib.mm_close(v)
        want = np_save_bytes(tmp_path / "want.npy", np.array(ref))
        assert out.read_bytes() == want
        # The save changed no source: mode c's writes stayed private, the others
        # were not flushed by the save (the file changes only through the mapping).
        if mode == "c":
            assert path.read_bytes() == file_before
    finally:
        lib.mm_close(h)


def test_mode_c_saves_the_private_pages_not_the_file(lib, tmp_path):
    """A copy-on-write view whose file says otherwise: the saved data is the mapping's."""
    h, arr, path = open_source(lib, tmp_path, "c", "<i8")
    try:
        out = tmp_path / "out.npy"
        assert lib.save(h, out) == MM_OK, lib.error()
        saved = np.load(out)
        assert saved[0, 0] == 100 and saved[0, 1] == 1
        assert np.load(path)[0, 0] == 0
    finally:
        lib.mm_close(h)


def test_rplus_unflushed_writes_are_saved(lib, tmp_path):
    """r+ writes not yet flushed are in the saved file (the kernel copy reads the page
    cache, which is the shared mapping)."""
    h, arr, path = open_source(lib, tmp_path, "r+", "<i8")
    try:
        arr[ROWS - 1, COLS - 1] = -7
        out = tmp_path / "out.npy"
        assert lib.save(h, out) == MM_OK, lib.error()
        saved = np.load(out)
        assert saved[ROWS - 1, COLS - 1] == -7 and saved[0, 0] == 100
    finally:
        lib.mm_close(h)
