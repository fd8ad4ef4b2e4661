""".npy files through the C ABI, with numpy as the oracle.

numpy -> mmarray: np.save, then mm_open_npy gives numpy's dtype text, shape, order,
offset and bytes.  mmarray -> numpy: mm_create_npy + fill + flush, and mm_save_npy of
views, give files np.load reads back equal and that are byte-identical to np.save's.
Every reader rejection (R1-R16 of docs/numpy-semantics.md#npy-reader-rules) and accepted
header variant is a separate case, each checked against np.load first.

(Over 600 lines on purpose: each header rule and variant is a case of its own, kept next
to the helpers that build its bytes, so that a failure reads as the bytes it fed.)
"""

import ast
import os
import stat
import struct
import sys
import warnings

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))

from npy_ctypes import (  # noqa: E402
    INT64_MAX, INT64_MIN, MM_C_CONTIGUOUS, MM_E_FILE_TOO_SMALL, MM_E_FORMAT, MM_E_IO,
    MM_E_INVALID_ARG, MM_E_NOT_FOUND, MM_E_UNSUPPORTED, MM_F_CONTIGUOUS, MM_OK,
    MM_WRITEABLE, load_lib,
)

assert np.__version__ == "2.4.6", np.__version__


@pytest.fixture(scope="session")
def lib():
    return load_lib()


@pytest.fixture(autouse=True)
def no_leaked_handles(lib):
    before = lib.mm_handle_count()
    yield
    assert lib.mm_handle_count() == before, "a test leaked handles"


def descr_text(dt):
    """What mm_dtype must say: dtype.str, or str(dtype.descr) for records."""
    dt = np.dtype(dt)
    return str(dt.descr) if dt.names is not None else dt.str


def saved_bytes(path, arr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.save(path, arr)
    with open(path, "rb") as f:
        return f.read()


def file_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def fill(dt, n, seed=0):
    """n deterministic values of dtype dt (records filled byte-wise, padding zero)."""
    dt = np.dtype(dt)
    rng = np.random.default_rng(seed)
    raw = rng.integers(0, 256, n * dt.itemsize, dtype=np.uint8).tobytes()
    a = np.frombuffer(raw, dtype=dt).copy() if dt.itemsize else np.zeros(n, dt)
    if dt.names is None:
        k = dt.kind
        if k == "b":
            a = (rng.integers(0, 2, n) == 1).astype(dt)
        elif k in "fc":
            a = (rng.standard_normal(n) * 100).astype(dt)
        elif k == "U":
            a = np.array(["".join(chr(0x41 + int(c) % 26) for c in rng.integers(0, 99, 3))
                          for _ in range(n)], dtype=dt)
        elif k == "S":
            a = np.array([bytes(rng.integers(0x41, 0x5a, 7).astype(np.uint8)) for _ in range(n)],
                         dtype=dt)
    else:
        # Zero the padding so that np.save of a copy keeps the same bytes.
        b = np.zeros(n, dt)
        for name in dt.names:
            b[name] = a[name]
        a = b
    return a


def np_dtype(text):
    """numpy's dtype for an mm_dtype / mm_field text (descr lists via descr_to_dtype)."""
    if text.startswith("["):
        return np.lib.format.descr_to_dtype(ast.literal_eval(text))
    return np.dtype(text)


def same_values(a, b):
    """Equal element bytes, field by field (padding bytes are not values)."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.names is None:
        return np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes()
    return all(same_values(a[n], b[n]) for n in a.dtype.names)


ALIGNED = np.dtype([("a", "i1"), ("b", "<f8"), ("c", "<i2")], align=True)
NESTED = np.dtype([("id", "<u4"), ("pos", [("x", "<f4"), ("y", "<f4")]),
                   ("m", "<i2", (2, 3)), ("tag", "S3")])
SCALARS = ["u1", "i1", "u2", "i2", "u4", "i4", "u8", "i8", "f2", "f4", "f8", "c8", "c16",
           "b1", "S7", "U3", "M8[ns]"]


def all_dtypes():
    out = []
    for code in SCALARS:
        dt = np.dtype(code)
        if dt.byteorder in "=<>" and dt.itemsize > 1:
            out.append(dt.newbyteorder("<"))
            out.append(dt.newbyteorder(">"))
        else:
            out.append(dt)
    out += [ALIGNED, ALIGNED.newbyteorder(">"), NESTED, NESTED.newbyteorder(">")]
    return out


DTYPES = all_dtypes()
SHAPES = ["0d", "empty", "1500", "30x50C", "50x30F", "slice"]


def make_array(dt, kind):
    if kind == "0d":
        return fill(dt, 1).reshape(())
    if kind == "empty":
        return fill(dt, 0)
    if kind == "1500":
        return fill(dt, 1500)
    if kind == "30x50C":
        return fill(dt, 1500).reshape(30, 50)
    if kind == "50x30F":
        # Assigned field by field into zeros, so that record padding is zero (a copy of
        # a structured array leaves its padding bytes undefined).
        b = np.zeros((50, 30), dt, order="F")
        b[...] = fill(dt, 1500).reshape(50, 30)
        return b
    if kind == "slice":
        return fill(dt, 1500).reshape(30, 50)[2:20:3, ::-2]
    raise AssertionError(kind)


def ids(dt):
    return descr_text(dt).replace(" ", "")[:40]


# ------------------------------------------------------------ numpy -> mmarray

@pytest.mark.parametrize("kind", SHAPES)
@pytest.mark.parametrize("dt", DTYPES, ids=ids)
def test_numpy_saves_mmarray_opens(lib, tmp_path, dt, kind):
    arr = make_array(dt, kind)
    path = tmp_path / "a.npy"
    saved_bytes(path, arr)
    ref = np.load(path, mmap_mode="r")
    size = os.path.getsize(path)
    st, h = lib.open_npy(path, "r")
    assert st == MM_OK, lib.error()
    try:
        assert lib.dtype_of(h) == descr_text(arr.dtype)
        assert lib.shape_of(h) == ref.shape
        assert lib.strides_of(h) == ref.strides
        assert lib.mm_offset(h) == ref.offset
        assert lib.mode_of(h) == "r"
        flags = lib.mm_flags(h)
        assert bool(flags & MM_C_CONTIGUOUS) == ref.flags.c_contiguous
        assert bool(flags & MM_F_CONTIGUOUS) == ref.flags.f_contiguous
        assert not flags & MM_WRITEABLE
        got = lib.numpy_view(h, ref.dtype)
        n = lib.mm_nbytes(h)
        assert lib.raw_bytes(h) == file_bytes(path)[ref.offset:ref.offset + n]
        assert same_values(got, arr)
    finally:
        assert lib.mm_close(h) == MM_OK
    assert os.path.getsize(path) == size


@pytest.mark.parametrize("mode,expect", [("r", "r"), ("readonly", "r"), ("r+", "r+"),
                                         ("readwrite", "r+"), ("c", "c"),
                                         ("copyonwrite", "c"), (None, "r+")])
def test_open_modes(lib, tmp_path, mode, expect):
    path = tmp_path / "a.npy"
    arr = np.arange(10, dtype="<i4")
    before = saved_bytes(path, arr)
    st, h = lib.open_npy(path, mode)
    assert st == MM_OK, lib.error()
    assert lib.mode_of(h) == expect
    if expect != "r":
        v = lib.numpy_view(h, "<i4")
        v[0] = 77
        lib.mm_flush(h)
    lib.mm_close(h)
    after = file_bytes(path)
    if expect == "r+":
        assert np.load(path)[0] == 77
    else:
        assert after == before


@pytest.mark.parametrize("mode", ["w+", "write"])
def test_w_plus_is_refused(lib, tmp_path, mode):
    path = tmp_path / "a.npy"
    before = saved_bytes(path, np.arange(3.0))
    st, h = lib.open_npy(path, mode)
    assert (st, h) == (MM_E_INVALID_ARG, 0)
    assert "mm_create_npy" in lib.error()
    assert file_bytes(path) == before


def test_missing_file(lib, tmp_path):
    st, h = lib.open_npy(tmp_path / "nope.npy", "r")
    assert (st, h) == (MM_E_NOT_FOUND, 0)


@pytest.mark.parametrize("mode", ["r", "r+", "c"])
def test_truncated_data_r15(lib, tmp_path, mode):
    """R15: numpy's r+ silently extends; mmarray never changes the size (D9).

    docs/numpy-semantics.md#r15 and #d9."""
    path = tmp_path / "a.npy"
    data = saved_bytes(path, np.arange(10, dtype="u1"))
    with open(path, "wb") as f:
        f.write(data[:-1])
    with pytest.raises(ValueError):
        np.load(path)
    st, h = lib.open_npy(path, mode)
    assert (st, h) == (MM_E_FILE_TOO_SMALL, 0)
    assert "truncated" in lib.error() and "137" in lib.error()
    assert file_bytes(path) == data[:-1]


def test_trailing_bytes_ignored(lib, tmp_path):
    path = tmp_path / "a.npy"
    data = saved_bytes(path, np.arange(10, dtype="u1"))
    with open(path, "ab") as f:
        f.write(b"junk")
    assert np.load(path).shape == (10,)
    st, h = lib.open_npy(path, "r")
    assert st == MM_OK
    assert lib.shape_of(h) == (10,)
    assert lib.numpy_view(h, "u1").tobytes() == data[128:]
    lib.mm_close(h)


# ------------------------------------------------------------ mmarray -> numpy

@pytest.mark.parametrize("kind", ["0d", "empty", "1500", "30x50C", "50x30F", "1x7F", "7x1F"])
@pytest.mark.parametrize("dt", DTYPES, ids=ids)
def test_create_fill_flush_equals_np_save(lib, tmp_path, dt, kind):
    if kind in ("1x7F", "7x1F"):
        shape = (1, 7) if kind == "1x7F" else (7, 1)
        arr = np.zeros(shape, dt, order="F")
        arr[...] = fill(dt, 7).reshape(shape)
    elif kind == "slice":
        arr = make_array(dt, kind).copy()
    else:
        arr = make_array(dt, kind)
    order = "F" if arr.flags.f_contiguous and not arr.flags.c_contiguous or kind.endswith("F") else "C"
    path = tmp_path / "m.npy"
    st, h = lib.create_npy(path, descr_text(arr.dtype), arr.shape, order)
    assert st == MM_OK, lib.error()
    try:
        assert lib.mode_of(h) == "r+"
        assert lib.dtype_of(h) == descr_text(arr.dtype)
        assert lib.shape_of(h) == arr.shape
        offset = lib.mm_offset(h)
        assert file_bytes(path)[offset:] == bytes(arr.nbytes)  # zero-filled, sparse
        v = lib.numpy_view(h, arr.dtype)
        v[...] = arr
        assert lib.mm_flush(h) == MM_OK
    finally:
        lib.mm_close(h)
    # The reference is open_memmap(fortran_order=(order == 'F')) filled the same; it is
    # np.save's file too, except for an 'F' array that is also C-contiguous (1x7F, 7x1F),
    # where np.save writes fortran_order False (issue 10, defect 19).
    ref = np.lib.format.open_memmap(tmp_path / "o.npy", mode="w+", dtype=arr.dtype,
                                    shape=arr.shape, fortran_order=(order == "F"))
    ref[...] = arr
    ref.flush()
    del ref
    want = file_bytes(tmp_path / "o.npy")
    got = file_bytes(path)
    assert got == want
    saved = saved_bytes(tmp_path / "n.npy", arr)
    assert (got == saved) == (order == "C" or not arr.flags.c_contiguous)
    assert offset % 64 == 0 and offset == np.load(path, mmap_mode="r").offset
    back = np.load(path)
    assert back.dtype == arr.dtype and back.shape == arr.shape
    assert same_values(back, arr)


def test_create_matches_open_memmap(lib, tmp_path):
    """open_memmap(w+) is the reference for an unfilled file too (zero data)."""
    path = tmp_path / "m.npy"
    st, h = lib.create_npy(path, "<f4", (3, 4), "C")
    assert st == MM_OK
    lib.mm_close(h)
    ref = np.lib.format.open_memmap(tmp_path / "n.npy", mode="w+", dtype="<f4", shape=(3, 4))
    ref.flush()
    del ref
    assert file_bytes(path) == file_bytes(tmp_path / "n.npy")
    assert len(file_bytes(path)) == 176


def test_create_overwrites_existing(lib, tmp_path):
    path = tmp_path / "m.npy"
    path.write_bytes(b"x" * 5000)
    st, h = lib.create_npy(path, "<i2", (4,), "C")
    assert st == MM_OK
    lib.mm_close(h)
    assert file_bytes(path) == saved_bytes(tmp_path / "n.npy", np.zeros(4, "<i2"))


@pytest.mark.parametrize("dtype,shape,order,code", [
    ("zz", (3,), "C", MM_E_INVALID_ARG),
    (None, (3,), "C", MM_E_INVALID_ARG),
    ("O", (3,), "C", MM_E_UNSUPPORTED),
    ("[('a', 'O')]", (3,), "C", MM_E_UNSUPPORTED),
    ("<f8", (3,), "X", MM_E_INVALID_ARG),
    ("<f8", (2**62, 2**62), "C", MM_E_INVALID_ARG),
])
def test_create_validates_first(lib, tmp_path, dtype, shape, order, code):
    """D1: an invalid argument creates nothing and changes nothing."""
    fresh = tmp_path / "new.npy"
    st, h = lib.create_npy(fresh, dtype, shape, order)
    assert (st, h) == (code, 0)
    assert not fresh.exists()
    old = tmp_path / "old.npy"
    old.write_bytes(b"keep me")
    st, h = lib.create_npy(old, dtype, shape, order)
    assert (st, h) == (code, 0)
    assert old.read_bytes() == b"keep me"
    assert os.listdir(tmp_path) == ["old.npy"]


# ------------------------------------------------------------ mm_save_npy of views

def _open_source(lib, tmp_path, arr):
    path = tmp_path / "src.npy"
    saved_bytes(path, arr)
    st, h = lib.open_npy(path, "r")
    assert st == MM_OK, lib.error()
    return h


VIEW_CASES = ["whole", "reversed", "transposed", "strided", "rev_both", "F_block", "column",
              "empty", "0d", "field"]


def _make_view(lib, h, arr, case):
    """(handle, numpy equivalent) of one kind of view."""
    shape = lib.shape_of(h)
    strides = lib.strides_of(h)
    item = lib.mm_itemsize(h)
    if case == "whole":
        return lib.view(h, None, 0, shape, strides), arr
    if case == "reversed":
        return lib.slice(h, 0, INT64_MAX, INT64_MIN, -1), arr[::-1]
    if case == "transposed":
        return lib.view(h, None, 0, shape[::-1], strides[::-1]), arr.T
    if case == "strided":
        return lib.slice(h, 1, 1, INT64_MAX, 3), arr[:, 1::3]
    if case == "rev_both":
        st, a = lib.slice(h, 0, INT64_MAX, INT64_MIN, -2)
        assert st == MM_OK
        r = lib.slice(a, 1, INT64_MAX, INT64_MIN, -1)
        lib.mm_close(a)
        return r, arr[::-2, ::-1]
    if case == "F_block":
        # A Fortran-ordered (5, 4) block: F-contiguous, not C-contiguous.
        return lib.view(h, None, 0, (5, 4), (item, 5 * item)), \
            np.ndarray((5, 4), arr.dtype, buffer=arr.tobytes(), strides=(item, 5 * item))
    if case == "column":
        return lib.view(h, None, 2 * item, (shape[0],), (strides[0],)), arr[:, 2]
    if case == "empty":
        return lib.slice(h, 0, 3, 3, 1), arr[3:3]
    if case == "0d":
        return lib.view(h, None, 7 * item, (), ()), arr.reshape(-1)[7:8].reshape(())
    raise AssertionError(case)


SAVE_VIEW_DTYPES = ["<f8", ">f8", ">i2", "u1", "U3", "b1", NESTED, ALIGNED.newbyteorder(">")]
# The "field" case needs a record dtype, so it is generated only for those.
SAVE_VIEW_PARAMS = [(dt, case) for dt in SAVE_VIEW_DTYPES for case in VIEW_CASES
                    if case != "field" or np.dtype(dt).names is not None]


@pytest.mark.parametrize("dt,case", SAVE_VIEW_PARAMS,
                         ids=["%s-%s" % (ids(dt), case) for dt, case in SAVE_VIEW_PARAMS])
def test_save_views_equals_np_save(lib, tmp_path, dt, case):
    arr = fill(dt, 12 * 10).reshape(12, 10)
    h = _open_source(lib, tmp_path, arr)
    try:
        if case == "field":
            name, fdt, off, sub = lib.fields_of(h)[0]
            st, v = lib.view(h, fdt if not sub else None, off, lib.shape_of(h), lib.strides_of(h))
            ref = arr[name]
        else:
            (st, v), ref = _make_view(lib, h, arr, case)
        assert st == MM_OK, lib.error()
        out = tmp_path / "out.npy"
        assert lib.save(v, out) == MM_OK, lib.error()
        lib.mm_close(v)
    finally:
        lib.mm_close(h)
    want = saved_bytes(tmp_path / "want.npy", ref)
    assert file_bytes(out) == want
    back = np.load(out)
    assert back.dtype == ref.dtype and back.shape == ref.shape
    assert same_values(back, ref)
    assert sorted(os.listdir(tmp_path)) == ["out.npy", "src.npy", "want.npy"]


def test_save_replaces_atomically_and_respects_umask(lib, tmp_path):
    arr = np.arange(100, dtype="<i8")
    h = _open_source(lib, tmp_path, arr)
    out = tmp_path / "out.npy"
    out.write_bytes(b"old")
    os.link(out, tmp_path / "hardlink")
    os.chmod(out, 0o604)
    fresh = tmp_path / "fresh.npy"
    old_mask = os.umask(0o027)
    try:
        assert lib.save(h, out) == MM_OK
        assert lib.save(h, fresh) == MM_OK
    finally:
        os.umask(old_mask)
    # An existing target keeps its mode (as np.save, which writes in place, would); a
    # new file gets 0666 & ~umask.
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o604
    assert stat.S_IMODE(os.stat(fresh).st_mode) == 0o640
    assert np.array_equal(np.load(fresh), arr)
    assert (tmp_path / "hardlink").read_bytes() == b"old"  # replaced, not rewritten
    assert np.array_equal(np.load(out), arr)
    # A failure leaves the target and directory as they were.
    st = lib.save(h, tmp_path / "missing_dir" / "x.npy")
    assert st == MM_E_NOT_FOUND
    ro = tmp_path / "ro"
    ro.mkdir()
    (ro / "t.npy").write_bytes(b"keep")
    os.chmod(ro, 0o500)
    try:
        st = lib.save(h, ro / "t.npy")
        if os.geteuid() != 0:
            assert st != MM_OK
        else:
            assert st == MM_OK
    finally:
        os.chmod(ro, 0o700)
    assert [n for n in os.listdir(ro) if n.startswith(".")] == []
    lib.mm_close(h)


def test_save_large_strided_streams(lib, tmp_path):
    """A view of ~24 MB saved through the bounded buffer equals np.save."""
    path = tmp_path / "big.npy"
    st, h = lib.create_npy(path, "<f4", (1500, 4000), "C")
    assert st == MM_OK
    a = lib.numpy_view(h, "<f4")
    a[...] = np.arange(1500 * 4000, dtype="<f4").reshape(1500, 4000)
    st, v = lib.slice(h, 1, INT64_MAX, INT64_MIN, -3)
    assert st == MM_OK
    assert lib.save(v, tmp_path / "o.npy") == MM_OK
    want = saved_bytes(tmp_path / "w.npy", a[:, ::-3])
    assert file_bytes(tmp_path / "o.npy") == want
    del a
    lib.mm_close(v)
    lib.mm_close(h)


# ------------------------------------------------------------ fields

def test_fields_of_nested_struct(lib, tmp_path):
    arr = fill(NESTED, 20)
    h = _open_source(lib, tmp_path, arr)
    fields = lib.fields_of(h)
    assert fields == [
        ("id", "<u4", 0, ()),
        ("pos", "[('x', '<f4'), ('y', '<f4')]", 4, ()),
        ("m", "<i2", 12, (2, 3)),
        ("tag", "|S3", 24, ()),
    ]
    assert lib.mm_field_count(h) == 4
    shape, strides = lib.shape_of(h), lib.strides_of(h)
    for name, fdt, off, sub in fields:
        st, v = lib.view(h, fdt, off, shape + sub, strides + tuple(
            np.ndarray(sub, np_dtype(fdt)).strides if sub else ()))
        assert st == MM_OK, lib.error()
        got = lib.numpy_view(v, np_dtype(fdt))
        assert got.tobytes() == np.ascontiguousarray(arr[name]).tobytes()
        lib.mm_close(v)
    # Out of range, and a non-record array.
    assert lib.mm_field(h, 4, None, None, None, None, None) == MM_E_INVALID_ARG
    lib.mm_close(h)
    h2 = _open_source(lib, tmp_path, np.arange(3.0))
    assert lib.mm_field_count(h2) == 0
    lib.mm_close(h2)


def test_titles_and_padding(lib, tmp_path):
    dt = np.dtype({"names": ["a", "b"], "formats": ["<i4", "<f8"], "titles": ["T", None],
                   "offsets": [0, 8], "itemsize": 24})
    arr = np.zeros(3, dt)
    arr["a"] = [1, 2, 3]
    h = _open_source(lib, tmp_path, arr)
    assert lib.dtype_of(h) == str(dt.descr)
    assert lib.fields_of(h) == [("a", "<i4", 0, ()), ("b", "<f8", 8, ())]
    assert lib.save(h, tmp_path / "o.npy") == MM_OK
    assert file_bytes(tmp_path / "o.npy") == saved_bytes(tmp_path / "w.npy", arr)
    lib.mm_close(h)


@pytest.mark.parametrize("text,numpy_text", [
    ("<i4,<f8", "<i4,<f8"),
    ("i4, (2,3)f8, S3", "i4, (2,3)f8, S3"),
    ("[('x', '<f4'), ('', '|V4'), ('y', '<i8', (3,))]", None),
])
def test_dtype_texts_in_mm_open(lib, tmp_path, text, numpy_text):
    dt = np.dtype(numpy_text) if numpy_text else np.lib.format.descr_to_dtype(eval(text))
    path = tmp_path / "raw.bin"
    path.write_bytes(bytes(range(256)) * 4)
    n = 1024 // dt.itemsize
    st, h = lib.open_raw(path, text, "r", 0, (n,))
    assert st == MM_OK, lib.error()
    assert lib.dtype_of(h) == str(dt.descr)
    assert lib.mm_itemsize(h) == dt.itemsize
    ref = np.memmap(path, dtype=dt, mode="r", shape=(n,))
    assert lib.numpy_view(h, dt).tobytes() == ref.tobytes()
    lib.mm_close(h)


# ------------------------------------------------------------ versions 2.0 and 3.0

def _many_fields(n):
    return np.dtype([("field_%05d" % i, "<i2") for i in range(n)])


@pytest.mark.parametrize("which", ["v2", "v3"])
def test_versions_both_ways(lib, tmp_path, which):
    if which == "v2":
        dt = _many_fields(3500)   # header > 65535 bytes
        version = 2
    else:
        dt = np.dtype([("\u4e2d\u6587", "<i4"), ("b", "<f8")])
        version = 3
    arr = fill(dt, 5)
    src = tmp_path / "np.npy"
    data = saved_bytes(src, arr)
    assert data[6] == version
    if which == "v2":
        assert struct.unpack("<I", data[8:12])[0] > 65535
    st, h = lib.open_npy(src, "r")
    assert st == MM_OK, lib.error()
    assert lib.dtype_of(h) == str(dt.descr)
    assert lib.numpy_view(h, dt).tobytes() == arr.tobytes()
    assert lib.save(h, tmp_path / "saved.npy") == MM_OK
    lib.mm_close(h)
    assert file_bytes(tmp_path / "saved.npy") == data
    st, h = lib.create_npy(tmp_path / "created.npy", str(dt.descr), (5,), "C")
    assert st == MM_OK, lib.error()
    lib.numpy_view(h, dt)[...] = arr
    lib.mm_flush(h)
    lib.mm_close(h)
    assert file_bytes(tmp_path / "created.npy") == data


def test_latin1_name_stays_v1(lib, tmp_path):
    dt = np.dtype([("\xe9", "<i4")])
    arr = fill(dt, 3)
    data = saved_bytes(tmp_path / "np.npy", arr)
    assert data[6] == 1 and b"'\xe9'" in data
    st, h = lib.create_npy(tmp_path / "c.npy", str(dt.descr), (3,), "C")
    assert st == MM_OK
    lib.numpy_view(h, dt)[...] = arr
    lib.mm_flush(h)
    assert lib.fields_of(h)[0][0] == "\xe9"
    lib.mm_close(h)
    assert file_bytes(tmp_path / "c.npy") == data


# ------------------------------------------------------------ reader rejections

def _npy(version, text, data=b"", encoding=None):
    body = text.encode(encoding or ("utf8" if version == 3 else "latin1")) \
        if isinstance(text, str) else text
    if version == 1:
        prefix = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(body))
    else:
        prefix = b"\x93NUMPY" + bytes([version, 0]) + struct.pack("<I", len(body))
    return prefix + body + data


GOOD = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"
FULL = _npy(1, GOOD, bytes(12))

REJECTIONS = [
    # (id, file bytes, status, text in the message)
    ("R1_short_magic", b"\x93NUM", MM_E_FORMAT, "expected 8 bytes got 4"),
    ("R1_empty", b"", MM_E_FORMAT, "expected 8 bytes got 0"),
    ("R2_magic", b"\x93NUMPX\x01\x00" + FULL[8:], MM_E_FORMAT, "magic string is not correct"),
    ("R3_v1_1", b"\x93NUMPY\x01\x01" + FULL[8:], MM_E_FORMAT, "(1, 1)"),
    ("R3_v0_0", b"\x93NUMPY\x00\x00" + FULL[8:], MM_E_FORMAT, "(0, 0)"),
    ("R3_v2_2", b"\x93NUMPY\x02\x02" + FULL[8:], MM_E_FORMAT, "(2, 2)"),
    ("R3_v255", b"\x93NUMPY\xff\xff" + FULL[8:], MM_E_FORMAT, "(255, 255)"),
    ("R4_len", b"\x93NUMPY\x01\x00\x05", MM_E_FORMAT, "expected 2 bytes got 1"),
    ("R4_len_v2", b"\x93NUMPY\x02\x00\x05\x00", MM_E_FORMAT, "expected 4 bytes got 2"),
    ("R5_header", FULL[:40], MM_E_FORMAT, "reading array header"),
    ("R5_huge_len", b"\x93NUMPY\x02\x00\xff\xff\xff\xff{}", MM_E_FORMAT, "expected 4294967295"),
    ("R6_utf8", _npy(3, b"{'descr': '\xff<f4'}"), MM_E_FORMAT, "UTF-8"),
    ("R8_syntax", _npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,)", bytes(12)),
     MM_E_FORMAT, "Cannot parse header"),
    ("R8_L_in_v3", _npy(3, "{'descr': '<f4', 'fortran_order': False, 'shape': (3L,)}", bytes(12)),
     MM_E_FORMAT, "Cannot parse header"),
    ("R8_name", _npy(1, "{'descr': '<f4', 'fortran_order': false, 'shape': (3,)}", bytes(12)),
     MM_E_FORMAT, "Cannot parse header"),
    ("R8_call", _npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': tuple()}", bytes(12)),
     MM_E_FORMAT, "Cannot parse header"),
    ("R8_nul", _npy(1, GOOD + "\x00", bytes(12)), MM_E_FORMAT, "NUL"),
    # v1/v2 headers get numpy's tokenize retry, which forgives this; v3 does not.
    ("R8_indent_v3", _npy(3, GOOD + "\n  ", bytes(12)), MM_E_FORMAT, "indent"),
    ("R9_list", _npy(1, "[('descr', '<f4')]", bytes(12)), MM_E_FORMAT, "not a dictionary"),
    ("R9_set", _npy(1, "{'descr'}", bytes(12)), MM_E_FORMAT, "not a dictionary"),
    ("R10_missing", _npy(1, "{'descr': '<f4', 'shape': (3,)}", bytes(12)), MM_E_FORMAT,
     "['descr', 'shape']"),
    ("R10_extra", _npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'x': 1}",
                       bytes(12)), MM_E_FORMAT, "correct keys"),
    ("R10_empty", _npy(1, "{}", bytes(12)), MM_E_FORMAT, "correct keys: []"),
    ("R11_int", _npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': 3}", bytes(12)),
     MM_E_FORMAT, "shape is not valid: 3"),
    ("R11_paren_int", _npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3)}",
                           bytes(12)), MM_E_FORMAT, "shape is not valid: 3"),
    ("R11_list", _npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': [3]}", bytes(12)),
     MM_E_FORMAT, "shape is not valid: [3]"),
    ("R11_float", _npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3.0,)}",
                       bytes(12)), MM_E_FORMAT, "shape is not valid"),
    ("R11_none", _npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': None}", bytes(12)),
     MM_E_FORMAT, "shape is not valid: None"),
    ("R12_int", _npy(1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (3,)}", bytes(12)),
     MM_E_FORMAT, "fortran_order is not a valid bool: 0"),
    ("R12_str", _npy(1, "{'descr': '<f4', 'fortran_order': 'False', 'shape': (3,)}", bytes(12)),
     MM_E_FORMAT, "fortran_order is not a valid bool: 'False'"),
    ("R13_bad", _npy(1, "{'descr': '<q9', 'fortran_order': False, 'shape': (3,)}", bytes(12)),
     MM_E_FORMAT, "descr is not a valid dtype descriptor: '<q9'"),
    ("R13_int", _npy(1, "{'descr': 4, 'fortran_order': False, 'shape': (3,)}", bytes(12)),
     MM_E_FORMAT, "descr is not a valid dtype descriptor: 4"),
    ("R13_dup_field", _npy(1, "{'descr': [('a', '<i4'), ('a', '<i4')], 'fortran_order': False, "
                              "'shape': (3,)}", bytes(24)), MM_E_FORMAT, "descr is not a valid"),
    ("R13_neg_sub", _npy(1, "{'descr': [('a', '<i4', (-1,))], 'fortran_order': False, "
                            "'shape': (3,)}", bytes(24)), MM_E_FORMAT, "descr is not a valid"),
    ("R14_object", _npy(1, "{'descr': '|O', 'fortran_order': False, 'shape': (3,)}", bytes(24)),
     MM_E_UNSUPPORTED, "memory-mapped"),
    ("R14_object_field", _npy(1, "{'descr': [('a', '|O')], 'fortran_order': False, "
                                 "'shape': (3,)}", bytes(24)), MM_E_UNSUPPORTED, "memory-mapped"),
    ("R15_short", FULL[:-1], MM_E_FILE_TOO_SMALL, "truncated"),
    ("R16_negative", _npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}"),
     MM_E_FORMAT, "negative dimensions"),
    ("R16_bool", _npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (True,)}", bytes(4)),
     MM_E_FORMAT, "bool"),
]


@pytest.mark.parametrize("case", REJECTIONS, ids=[c[0] for c in REJECTIONS])
def test_rejections(lib, tmp_path, case):
    _, data, code, text = case
    path = tmp_path / "bad.npy"
    path.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception):
            np.load(path, mmap_mode="r")
    for mode in ("r", "r+", "c"):
        st, h = lib.open_npy(path, mode)
        assert (st, h) == (code, 0), lib.error()
        msg = lib.error()
        assert msg.startswith("mm_open_npy(") and text in msg, msg
    assert path.read_bytes() == data


# ------------------------------------------------------------ accepted header variants

ACCEPTED = [
    ("np_save", GOOD),
    ("double_quotes", '{"descr": "<f4", "fortran_order": False, "shape": (3,)}'),
    ("key_order", "{'shape': (3,), 'fortran_order': False, 'descr': '<f4'}"),
    ("no_trailing_comma", "{'descr': '<f4', 'fortran_order': False, 'shape': (3,)}"),
    ("whitespace", "  {  'descr' :'<f4' ,\n\t'fortran_order':False,'shape':( 3 , ) , }  \n\n"),
    ("comments", "# c\n{'descr': '<f4', # the type\n 'fortran_order': False, 'shape': (3,)}  # x\n"),
    ("no_newline_no_pad", "{'descr': '<f4', 'fortran_order': False, 'shape': (3,)}"),
    ("long_suffix", "{'descr': '<f4', 'fortran_order': False, 'shape': (3L,)}"),
    ("long_suffix_space", "{'descr': '<f4', 'fortran_order': False, 'shape': (3 L,)}"),
    ("duplicate_key", "{'descr': '>i8', 'fortran_order': True, 'descr': '<f4', "
                      "'fortran_order': False, 'shape': (3,)}"),
    ("u_prefix", "{u'descr': u'<f4', 'fortran_order': False, 'shape': (3,)}"),
    ("concat", "{'de' 'scr': '<' 'f4', 'fortran_order': False, 'shape': (3,)}"),
    ("hex_shape", "{'descr': '<f4', 'fortran_order': False, 'shape': (0x3,)}"),
    ("plus_shape", "{'descr': '<f4', 'fortran_order': False, 'shape': (+3,)}"),
    ("paren_value", "{'descr': ('<f4'), 'fortran_order': (False), 'shape': ((3,))}"),
    ("name_descr", "{'descr': 'float32', 'fortran_order': False, 'shape': (3,)}"),
    ("eq_descr", "{'descr': '=f4', 'fortran_order': False, 'shape': (3,)}"),
    ("continuation", "{'descr': '<f4', \\\n'fortran_order': False, 'shape': (3,)}"),
    ("trailing_indent", GOOD + "\n  \n\t"),
    ("crlf", "{'descr': '<f4',\r\n'fortran_order': False,\r\n'shape': (3,)}\r\n"),
    ("triple_quotes", "{'''descr''': \"\"\"<f4\"\"\", 'fortran_order': False, 'shape': (3,)}"),
    ("escapes", "{'\\x64escr': '\\u003cf4', 'fortran_order': False, 'shape': (3,)}"),
    ("padding_list", "{'descr': [('', '|V0'), ('f', '<f4')], 'fortran_order': False, "
                     "'shape': (3,)}"),
]


@pytest.mark.parametrize("version", [1, 2, 3])
@pytest.mark.parametrize("case", ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_accepted_variants(lib, tmp_path, case, version):
    name, text = case
    data = _npy(version, text, bytes(range(12)))
    path = tmp_path / "ok.npy"
    path.write_bytes(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = np.load(path, mmap_mode="r")
    except Exception as e:  # noqa: BLE001
        # numpy refuses this spelling in v3 (L suffixes, a last indented line): so must we.
        assert version == 3 and name in ("long_suffix", "long_suffix_space",
                                          "trailing_indent"), (name, version, e)
        st, h = lib.open_npy(path, "r")
        assert (st, h) == (MM_E_FORMAT, 0)
        return
    st, h = lib.open_npy(path, "r")
    assert st == MM_OK, lib.error()
    assert lib.shape_of(h) == ref.shape
    assert lib.dtype_of(h) == descr_text(ref.dtype)
    assert lib.mm_offset(h) == ref.offset
    assert lib.numpy_view(h, ref.dtype).tobytes() == ref.tobytes()
    lib.mm_close(h)


def test_huge_header_over_numpy_limit(lib, tmp_path):
    """D11: a header np.load refuses by default (over 10000 characters) is read."""
    dt = _many_fields(600)
    arr = fill(dt, 2)
    path = tmp_path / "h.npy"
    saved_bytes(path, arr)
    with pytest.raises(ValueError, match="max_header_size"):
        np.load(path, mmap_mode="r")
    st, h = lib.open_npy(path, "r")
    assert st == MM_OK, lib.error()
    assert lib.mm_field_count(h) == 600
    lib.mm_close(h)


def test_fortran_header_and_subarray_descr(lib, tmp_path):
    arr = np.asfortranarray(np.arange(6, dtype="u1").reshape(2, 3))
    path = tmp_path / "f.npy"
    data = saved_bytes(path, arr)
    assert b"'fortran_order': True, 'shape': (2, 3), }" in data
    assert data[128:] == bytes([0, 3, 1, 4, 2, 5])
    st, h = lib.open_npy(path, "r")
    assert st == MM_OK
    assert lib.strides_of(h) == (1, 2)
    lib.mm_close(h)
    # A top-level subarray descr: numpy appends its dimensions to the shape.
    path2 = tmp_path / "s.npy"
    path2.write_bytes(_npy(1, "{'descr': ('<i2', (2,)), 'fortran_order': False, 'shape': (3,)}",
                           bytes(range(12))))
    ref = np.load(path2, mmap_mode="r")
    st, h = lib.open_npy(path2, "r")
    assert st == MM_OK, lib.error()
    assert (lib.shape_of(h), lib.dtype_of(h)) == (ref.shape, ref.dtype.str)
    lib.mm_close(h)


def test_save_over_its_own_source(lib, tmp_path):
    """Saving a view over the file it maps: the new file replaces the old name, and the
    open handle keeps reading the old data (its inode lives on)."""
    arr = np.arange(24, dtype=">i4").reshape(4, 6)
    path = tmp_path / "a.npy"
    saved_bytes(path, arr)
    st, h = lib.open_npy(path, "r")
    assert st == MM_OK
    st, v = lib.slice(h, 1, INT64_MAX, INT64_MIN, -1)
    assert st == MM_OK
    assert lib.save(v, path) == MM_OK
    assert file_bytes(path) == saved_bytes(tmp_path / "w.npy", arr[:, ::-1])
    assert lib.numpy_view(h, ">i4").tobytes() == arr.tobytes()
    lib.mm_close(v)
    lib.mm_close(h)


@pytest.mark.parametrize("text", ["i4,f8", "<i4,>f8", "i4, (2,3)f8, S3", "2i4,f8", "(2)i4,f8",
                                  "M8[ns],float32", "u1,", "S3,U2,b1"])
def test_comma_forms_match_numpy(lib, tmp_path, text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dt = np.dtype(text)
    path = tmp_path / "c.npy"
    st, h = lib.create_npy(path, text, (4,), "C")
    assert st == MM_OK, lib.error()
    assert lib.dtype_of(h) == str(dt.descr)
    assert lib.mm_itemsize(h) == dt.itemsize
    assert [f[0] for f in lib.fields_of(h)] == list(dt.names)
    assert [f[2] for f in lib.fields_of(h)] == [dt.fields[n][1] for n in dt.names]
    lib.mm_close(h)
    assert file_bytes(path) == saved_bytes(tmp_path / "n.npy", np.zeros(4, dt))


def test_save_failure_after_temp_removes_it(lib, tmp_path):
    """A directory as the target is refused (it used to fail at rename(), after the
    data was written): no temporary file is left and the directory is untouched."""
    h = _open_source(lib, tmp_path, np.arange(1000, dtype="<f8"))
    target = tmp_path / "target.npy"
    target.mkdir()
    (target / "inside").write_bytes(b"x")
    st = lib.save(h, target)
    assert st == MM_E_IO
    assert "a directory, not a regular file" in lib.error()
    assert sorted(os.listdir(tmp_path)) == ["src.npy", "target.npy"]
    assert os.listdir(target) == ["inside"]
    lib.mm_close(h)
