"""Part 5 of the oracle: the deliberate differences from numpy (D1-D10 of
docs/numpy-semantics.md#decisions), tested as decided, with numpy run alongside where it
shows what the difference is."""

import ctypes
import os

import numpy as np
import pytest

from conftest import dir_listing, file_state, make_values, random_bytes
from mmarray_ctypes import (INT64_MAX, INT64_MIN, MM_E_BAD_HANDLE, MM_E_FILE_TOO_SMALL,
                            MM_E_INVALID_ARG, MM_OK, fd_count, mapped_paths, numpy_info,
                            status_name)

SHORT = {"readonly": "r", "readwrite": "r+", "write": "w+", "copyonwrite": "c"}
ALL_MODES = ["r", "r+", "w+", "c", "readonly", "readwrite", "write", "copyonwrite"]


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def opened(mm, *args):
    st, h = mm.open(*args)
    assert st == MM_OK, "mm_open%r -> %s: %s" % (args, status_name(st), mm.last_error())
    return h


# ---------------------------------------------------------------- D1


@pytest.mark.parametrize("kw", [
    dict(dtype="zz", mode="w+", shape=(4,), order="C"),
    dict(dtype="u1", mode="w+", shape=(4,), order="X"),
    dict(dtype="u1", mode="r+", shape=(400,), order="X"),
    dict(dtype="u1", mode="w+", shape=(2**32, 2**32), order="C"),
    dict(dtype="O", mode="w+", shape=(4,), order="C"),
], ids=["w+-bad-dtype", "w+-bad-order", "r+-extend-bad-order", "w+-overflow", "w+-object"])
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # numpy's own wrap
def test_d1_failed_open_leaves_file_as_it_was(mm, tmp_path, kw):
    """numpy truncates / extends before it notices the bad argument; mmarray must not."""
    rng = np.random.default_rng(1)
    content = random_bytes(rng, 100)
    a, b = str(tmp_path / "numpy.bin"), str(tmp_path / "mm.bin")
    write(a, content)
    write(b, content)
    # numpy's side: the file is damaged (truncated or extended) or, for 'O', opened
    try:
        m = np.memmap(a, **kw)
        del m
    except Exception:
        pass
    if kw["dtype"] != "O" and kw["shape"] != (2**32, 2**32):
        assert file_state(a) != (True, 100, content)  # shows the numpy behaviour D1 fixes
    st, h = mm.open(b, kw["dtype"], kw["mode"], 0, kw["shape"], kw["order"])
    assert st != MM_OK and h == 0
    assert file_state(b) == (True, 100, content)


# ---------------------------------------------------------------- D2

ZERO_SHAPES = [(0,), (0, 4), (3, 0), (2, 0, 5)]


D2_CASES = [(m, s, o) for m in ALL_MODES for s in ZERO_SHAPES + [None] for o in ("C", "F")
            if not (s is None and SHORT.get(m, m) == "w+")]  # w+ needs a shape: test_errors


@pytest.mark.parametrize("mode,shape,order", D2_CASES, ids=[
    "%s-%s-%s" % (m, "infer" if s is None else "x".join(map(str, s)), o) for m, s, o in D2_CASES])
def test_d2_zero_byte_arrays_on_empty_files(mm, tmp_path, mode, shape, order):
    p = str(tmp_path / "empty.bin")
    write(p, b"")
    h = opened(mm, p, "<f8", mode, 0, shape, order)
    try:
        # numpy's geometry for it: numpy cannot map an empty file, so ask it on a
        # one-byte scratch file (mode r never changes it)
        scratch = str(tmp_path / "one-byte.bin")
        write(scratch, b"\0")
        like = np.memmap(scratch, dtype="<f8", mode="r", shape=(0,) if shape is None else shape,
                         order=order)
        info = mm.info(h)
        assert info["shape"] == like.shape
        assert info["strides"] == like.strides
        assert (info["size"], info["nbytes"], info["itemsize"]) == (0, 0, 8)
        assert info["c_contiguous"] and info["f_contiguous"] and info["aligned"]
        assert info["writeable"] == (SHORT.get(mode, mode) != "r")
        assert info["mode"] == SHORT.get(mode, mode)
        assert mm.mm_data(h) is not None
        assert mm.mm_flush(h) == MM_OK
    finally:
        assert mm.mm_close(h) == MM_OK
    assert file_state(p) == (True, 0, b"")  # no 1-byte minimum


@pytest.mark.parametrize("mode", ["r+", "w+", "readwrite", "write"])
@pytest.mark.parametrize("old", [0, 2, 10])
@pytest.mark.parametrize("offset", [0, 3, 4096, 8197])
def test_d2_sizes_after_zero_byte_open(mm, tmp_path, mode, old, offset):
    """After r+/w+ the size is exactly max(old, offset+nbytes) (old 0 for w+); numpy
    agrees except that it never leaves a file at 0 bytes."""
    rng = np.random.default_rng(old * 10000 + offset)
    content = random_bytes(rng, old)
    a, b = str(tmp_path / "numpy.bin"), str(tmp_path / "mm.bin")
    write(a, content)
    write(b, content)
    m = np.memmap(a, dtype="<i4", mode=mode, offset=offset, shape=(0, 3))
    del m
    h = opened(mm, b, "<i4", mode, offset, (0, 3), "C")
    assert mm.mm_close(h) == MM_OK
    old_eff = 0 if SHORT.get(mode, mode) == "w+" else old
    want = max(old_eff, offset)
    assert os.path.getsize(b) == want
    if want == 0:
        assert os.path.getsize(a) == 1  # numpy's 1-byte quirk, which D2 drops
    else:
        assert file_state(a) == file_state(b)


@pytest.mark.parametrize("mode", ["r", "c", "r+", "w+"])
def test_d2_zero_itemsize_with_shape(mm, tmp_path, mode):
    """V0 with a given shape: zero bytes, works everywhere, even on an empty file."""
    p = str(tmp_path / "v0.bin")
    write(p, b"")
    h = opened(mm, p, "V0", mode, 0, (5,), "C")
    try:
        info = mm.info(h)
        assert (info["shape"], info["size"], info["nbytes"], info["itemsize"]) == ((5,), 5, 0, 0)
        assert info["dtype"] == np.dtype("V0").str
        assert mm.mm_data(h) is not None
    finally:
        assert mm.mm_close(h) == MM_OK
    assert os.path.getsize(p) == 0


@pytest.mark.parametrize("mode", ["r", "c", "r+"])
@pytest.mark.parametrize("flen,offset", [(10, 10), (4096, 4096), (8192, 8192), (10, 0)])
def test_d2_zero_size_at_offset_equal_to_size(mm, tmp_path, mode, flen, offset):
    """Shape (0,) (or an inferred shape at offset == file size) in a non-empty file:
    numpy works, mmarray must agree."""
    rng = np.random.default_rng(flen + offset)
    content = random_bytes(rng, flen)
    p = str(tmp_path / "x.bin")
    write(p, content)
    for shape in ((0,), None) if offset == flen else ((0,),):
        ref = np.memmap(p, dtype="u1", mode=mode, offset=offset, shape=shape)
        want = numpy_info(ref)
        del ref
        h = opened(mm, p, "u1", mode, offset, shape, "C")
        try:
            assert mm.info(h) == want
        finally:
            assert mm.mm_close(h) == MM_OK
    assert file_state(p) == (True, flen, content)


# ---------------------------------------------------------------- D3


@pytest.mark.parametrize("mode", ["r", "r+", "c", "readonly", "readwrite", "copyonwrite"])
@pytest.mark.parametrize("flen,offset", [(0, 1), (100, 101), (100, 108), (100, 4096), (4096, 8192)])
def test_d3_offset_past_eof_inferred(mm, tmp_path, mode, flen, offset):
    rng = np.random.default_rng(flen)
    content = random_bytes(rng, flen)
    p = str(tmp_path / "x.bin")
    write(p, content)
    st, h = mm.open(p, "<f8" if flen else "u1", mode, offset, None, "C")
    assert (st, h) == (MM_E_FILE_TOO_SMALL, 0), "got %s: %s" % (status_name(st), mm.last_error())
    msg = mm.last_error()
    assert msg.startswith("mm_open(")
    assert str(offset) in msg and str(flen) in msg, msg  # names offset and file size
    assert file_state(p) == (True, flen, content)


@pytest.mark.parametrize("mode", ["r+", "w+"])
@pytest.mark.parametrize("flen,offset,shape", [(0, 100, (3,)), (100, 5000, (2, 3)), (100, 100, (1,)),
                                                (10, 8197, (4, 5))])
def test_d3_explicit_shape_past_eof_extends_like_numpy(mm, tmp_path, mode, flen, offset, shape):
    rng = np.random.default_rng(offset)
    content = random_bytes(rng, flen)
    a, b = str(tmp_path / "numpy.bin"), str(tmp_path / "mm.bin")
    write(a, content)
    write(b, content)
    ref = np.memmap(a, dtype="<f8", mode=mode, offset=offset, shape=shape)
    want = numpy_info(ref)
    del ref
    h = opened(mm, b, "<f8", mode, offset, shape, "C")
    try:
        got = mm.info(h)
        want["filename"] = os.path.abspath(b)
        assert got == want
        assert mm.element_bytes(h, "<f8") == bytes(got["nbytes"])  # the new region reads as zeros
    finally:
        assert mm.mm_close(h) == MM_OK
    assert file_state(a) == file_state(b)


@pytest.mark.parametrize("mode", ["r", "c"])
@pytest.mark.parametrize("flen,offset,shape", [(100, 101, (0,)), (100, 5000, (1,)), (0, 1, (0,)),
                                                (100, 96, (5,))])
def test_d3_explicit_shape_past_eof_in_r_and_c(mm, tmp_path, mode, flen, offset, shape):
    """r / c: offset+nbytes (or the offset itself) past EOF is FILE_TOO_SMALL (contract's
    status table), as numpy also refuses it."""
    content = random_bytes(np.random.default_rng(3), flen)
    p = str(tmp_path / "x.bin")
    write(p, content)
    with pytest.raises(ValueError):
        np.memmap(p, dtype="u1", mode=mode, offset=offset, shape=shape)
    st, h = mm.open(p, "u1", mode, offset, shape, "C")
    assert (st, h) == (MM_E_FILE_TOO_SMALL, 0), "got %s: %s" % (status_name(st), mm.last_error())
    assert file_state(p) == (True, flen, content)


# ---------------------------------------------------------------- D6


@pytest.mark.parametrize("mode", ["r", "r+", "w+", "c"])
@pytest.mark.parametrize("size", [0, 100, 5000])
def test_d6_no_descriptor_held(mm, tmp_path, mode, size):
    p = str(tmp_path / "x.bin")
    write(p, bytes(size) if mode != "w+" else b"")
    shape = (size,) if mode == "w+" else None
    n0 = fd_count()
    h = opened(mm, p, "u1", mode, 0, shape, "C")
    assert fd_count() == n0, "mm_open left a descriptor open"
    st, v = mm.slice(h, 0, INT64_MAX, INT64_MIN, -1)
    assert st == MM_OK
    assert fd_count() == n0
    # fd path: the caller's descriptor is neither closed nor duplicated
    fd = os.open(p, os.O_RDWR if mode != "r" else os.O_RDONLY)
    n1 = fd_count()
    st, h2 = mm.open_fd(fd, "u1", mode, 0, (size,), "C")
    assert st == MM_OK, mm.last_error()
    assert fd_count() == n1
    os.fstat(fd)
    os.close(fd)
    # the mapping alone keeps the data reachable after the fd is closed
    assert mm.mm_data(h2) is not None
    if size:
        assert mm.element_bytes(h2, "u1") == bytes(size)
    for x in (v, h, h2):
        assert mm.mm_close(x) == MM_OK
    assert fd_count() == n0
    # failures leave no descriptor behind either
    for args in [(p, "zz", mode, 0, (1,), "C"), (p, "u1", "r", 10**6, (1,), "C"),
                 (str(tmp_path / "missing"), "u1", "r", 0, None, "C")]:
        st, _ = mm.open(*args)
        assert st != MM_OK
        assert fd_count() == n0


# ---------------------------------------------------------------- D7


def _is_mapped(path):
    return os.path.abspath(path) in mapped_paths()


def test_d7_close_and_double_close(mm, tmp_path):
    p = str(tmp_path / "d7.bin")
    write(p, bytes(range(64)))
    h = opened(mm, p, "u1", "r", 0, None, "C")
    assert mm.mm_close(h) == MM_OK
    assert mm.mm_close(h) == MM_E_BAD_HANDLE
    assert mm.last_error().startswith("mm_close(")
    assert mm.mm_data(h) is None and mm.mm_ndim(h) == 0 and mm.mm_dtype(h) is None
    assert mm.mm_flush(h) == MM_E_BAD_HANDLE
    assert mm.slice(h, 0, 0, 1, 1) == (MM_E_BAD_HANDLE, 0)
    # slot reuse: the stale handle never reaches the new array
    fresh = [opened(mm, p, "u1", "r", 0, None, "C") for _ in range(20)]
    assert h not in fresh and 0 not in fresh
    assert mm.mm_close(h) == MM_E_BAD_HANDLE
    for x in fresh:
        assert mm.mm_ndim(x) == 1
        assert mm.mm_close(x) == MM_OK


def test_d7_views_survive_closing_the_base(mm, tmp_path):
    p = str(tmp_path / "d7v.bin")
    vals = np.arange(40, dtype="<i4")
    with open(p, "wb") as f:
        f.write(b"xyz")
        vals.tofile(f)
    h = opened(mm, p, "<i4", "r+", 3, (5, 8), "C")
    assert _is_mapped(p)
    st, col = mm.slice(h, 1, 2, 3, 1)          # a[:, 2:3]
    assert st == MM_OK
    st, t = mm.view(h, None, 0, (8, 5), (4, 32))  # a.T
    assert st == MM_OK
    assert mm.mm_close(h) == MM_OK            # base first
    assert mm.mm_close(h) == MM_E_BAD_HANDLE
    assert _is_mapped(p)                      # views keep the mapping
    ref = vals.reshape(5, 8)
    assert mm.element_bytes(col, "<i4") == ref[:, 2:3].tobytes()
    assert mm.element_bytes(t, "<i4") == ref.T.tobytes()
    mm.numpy_view(col, "<i4")[...] = -1      # write through a view of a closed base
    assert mm.mm_flush(col) == MM_OK
    assert mm.info(t)["offset"] == 3 and mm.info(t)["mode"] == "r+"
    st, sub = mm.slice(t, 0, 1, 2, 1)        # a view of a view of a closed base
    assert st == MM_OK
    assert mm.mm_close(col) == MM_OK
    assert mm.mm_close(t) == MM_OK
    assert _is_mapped(p)                      # `sub` still open
    want_sub = ref.copy()
    want_sub[:, 2] = -1
    assert mm.element_bytes(sub, "<i4") == want_sub.T[1:2].tobytes()
    assert mm.mm_close(sub) == MM_OK
    assert not _is_mapped(p)                  # unmapped with the last view
    back = np.fromfile(p, dtype="<i4", offset=3).reshape(5, 8)
    want = ref.copy()
    want[:, 2] = -1
    assert back.tolist() == want.tolist()


def test_d7_any_close_order(mm, tmp_path):
    p = str(tmp_path / "order.bin")
    write(p, bytes(range(256)) * 32)
    rng = np.random.default_rng(7)
    for _ in range(5):
        h = opened(mm, p, "u1", "c", 0, None, "C")
        ref = np.fromfile(p, dtype="u1")
        hs, refs = [h], [ref]
        for _ in range(6):
            k = int(rng.integers(len(hs)))
            start = int(rng.integers(0, 100))
            st, v = mm.slice(hs[k], 0, start, INT64_MAX, 1)
            assert st == MM_OK
            hs.append(v)
            refs.append(refs[k][start:])
        for i in rng.permutation(len(hs)):
            assert _is_mapped(p)
            assert mm.element_bytes(hs[i], "u1") == refs[i].tobytes()
            assert mm.mm_close(hs[i]) == MM_OK
        assert not _is_mapped(p)


# ---------------------------------------------------------------- D8


def test_d8_flush(mm, tmp_path):
    p = str(tmp_path / "fl.bin")
    write(p, bytes(64))
    for mode in ("r", "c"):
        h = opened(mm, p, "u1", mode, 0, None, "C")
        if mode == "c":
            mm.numpy_view(h, "u1")[...] = 7  # private pages only
        assert mm.mm_flush(h) == MM_OK
        assert mm.mm_close(h) == MM_OK
        assert file_state(p) == (True, 64, bytes(64))
    h = opened(mm, p, "<u2", "r+", 0, None, "C")
    st, v = mm.slice(h, 0, 10, 20, 1)
    assert st == MM_OK
    mm.numpy_view(v, "<u2")[...] = 0xABCD
    assert mm.mm_flush(v) == MM_OK   # a view flushes the whole mapping
    assert mm.mm_flush(h) == MM_OK
    with open(p, "rb") as f:
        data = f.read()
    assert data == bytes(20) + b"\xcd\xab" * 10 + bytes(24)
    for x in (v, h):
        assert mm.mm_close(x) == MM_OK
    # zero-size: flush is fine
    h = opened(mm, p, "u1", "r+", 64, (0,), "C")
    assert mm.mm_flush(h) == MM_OK
    assert mm.mm_close(h) == MM_OK
    assert mm.mm_flush(h) == MM_E_BAD_HANDLE


# ---------------------------------------------------------------- D10


def test_d10_filename_relative_and_symlinks(mm, tmp_path, monkeypatch):
    base = tmp_path / "root"
    (base / "a" / "b").mkdir(parents=True)
    (base / "real").mkdir()
    write(str(base / "real" / "data.bin"), bytes(16))
    os.symlink(str(base / "real" / "data.bin"), str(base / "link.bin"))
    os.symlink(str(base / "a" / "b"), str(base / "dirlink"))
    # files at both the lexical and the resolved place of "dirlink/../x.bin"
    write(str(base / "x.bin"), bytes(8))
    write(str(base / "a" / "x.bin"), bytes(8))
    monkeypatch.chdir(base / "a")
    for rel in ["../link.bin", "b/../../link.bin", "./../real/./data.bin", "..//real//data.bin",
                "../dirlink/../x.bin", "x.bin", str(base / "a" / ".." / "link.bin")]:
        ref = np.memmap(rel, dtype="u1", mode="r")
        assert ref.filename == os.path.abspath(rel)
        h = opened(mm, rel, "u1", "r", 0, None, "C")
        try:
            assert mm.info(h)["filename"] == os.path.abspath(rel), rel
            st, v = mm.slice(h, 0, 1, 2, 1)
            assert st == MM_OK
            assert mm.info(v)["filename"] == os.path.abspath(rel)  # views inherit it
            assert mm.mm_close(v) == MM_OK
        finally:
            assert mm.mm_close(h) == MM_OK
        del ref


def test_d10_filename_null_for_fd(mm, tmp_path):
    p = str(tmp_path / "fd.bin")
    write(p, bytes(8))
    fd = os.open(p, os.O_RDONLY)
    try:
        st, h = mm.open_fd(fd, "u1", "r", 0, None, "C")
        assert st == MM_OK
        assert mm.mm_filename(h) is None
        assert mm.mm_close(h) == MM_OK
    finally:
        os.close(fd)


def test_d10_filename_is_taken_at_open_time(mm, tmp_path, monkeypatch):
    (tmp_path / "one").mkdir()
    write(str(tmp_path / "one" / "f.bin"), bytes(4))
    monkeypatch.chdir(tmp_path / "one")
    h = opened(mm, "f.bin", "u1", "r", 0, None, "C")
    monkeypatch.chdir(tmp_path)
    assert mm.info(h)["filename"] == str(tmp_path / "one" / "f.bin")
    assert mm.mm_close(h) == MM_OK


# ---------------------------------------------------------------- mm_open_fd vs numpy file objects


@pytest.mark.parametrize("mode", ["r", "r+", "w+", "c"])
def test_open_fd_like_numpy_file_object(mm, tmp_path, mode):
    """numpy with a file object: no truncation in w+, counts from byte 0 whatever the
    file position is; the fd variant of mmarray must agree."""
    rng = np.random.default_rng(11)
    content = random_bytes(rng, 200)
    a, b = str(tmp_path / "numpy.bin"), str(tmp_path / "mm.bin")
    write(a, content)
    write(b, content)
    fmode = "rb" if mode in ("r", "c") else "r+b"
    shape = (3, 16) if mode in ("r", "c") else (3, 20)  # r+ / w+ extend 200 -> 248 bytes
    with open(a, fmode) as f:
        f.seek(50)
        ref = np.memmap(f, dtype="<i4", mode=mode, offset=8, shape=shape)
        want = numpy_info(ref)
        want_bytes = ref.tobytes()
        del ref
    fd = os.open(b, os.O_RDONLY if fmode == "rb" else os.O_RDWR)
    os.lseek(fd, 50, os.SEEK_SET)
    try:
        st, h = mm.open_fd(fd, "<i4", mode, 8, shape, "C")
        assert st == MM_OK, mm.last_error()
    finally:
        os.close(fd)
    got = mm.info(h)
    assert got["filename"] is None
    want["filename"] = None
    assert got == want
    assert mm.element_bytes(h, "<i4") == want_bytes
    assert mm.mm_close(h) == MM_OK
    if mode in ("r+", "w+"):
        want_file = (True, 248, content + bytes(48))  # extended, never truncated
    else:
        want_file = (True, 200, content)
    assert file_state(a) == want_file  # numpy, with a file object
    assert file_state(b) == want_file
