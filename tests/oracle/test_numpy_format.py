"""numpy's own .npy tests, restated for the C API.

numpy tests its .npy format in numpy/lib/tests/test_format.py and its memmap in
numpy/_core/tests/test_memmap.py. The cases that a C caller can meet are rebuilt here in
our own code, with numpy itself as the oracle:

- every dtype of test_format.py's lists (the basic scalars in both byte orders; the
  plain and nested record tables in both byte orders; the nested subarray
  `[('c', ('<f8', (5,)), (2,))]`; the padded, aligned, titled and empty structs of
  test_load_padded_dtype; the nested dtypes of test_descr_to_dtype; the unicode field
  names that need a version 3.0 header; the 500-field dtype that needs version 2.0) times
  test_format's array kinds (empty, 0-d, 1-D, 2-D C, 2-D F, 2-D non-contiguous):
    * numpy writes, mmarray opens: same descr text as numpy's header, same shape,
      strides and bytes, and numpy's dtype from mm_dtype is the array's dtype;
    * mmarray creates (test_memmap_roundtrip): the file equals open_memmap's and
      np.save's byte for byte;
    * mmarray saves a view: the file equals np.save's byte for byte;
- object arrays: neither numpy nor mmarray maps them;
- test_memmap.py's cases that have a C counterpart (round trip, offset attributes,
  offsets past the allocation granularity, shape inference, views keeping the mapping);
- test_header_growth_axis: the header length stays fixed as the growth axis grows;
- mm_create_npy with order 'F' is open_memmap(fortran_order=True) for every shape, a
  C-contiguous (2, 1) one included (issue 10, defect 19);
- headers numpy reads with lists where np.save writes tuples (issue 10, defect 20).

(Over 600 lines on purpose: the dtype tables of numpy's test_format.py are restated
here in full, next to the cases that use them.)
"""

import ast
import ctypes
import io
import mmap
import os
import sys
import warnings

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))

from npy_ctypes import (  # noqa: E402
    INT64_MAX, INT64_MIN, MM_C_CONTIGUOUS, MM_E_FORMAT, MM_E_UNSUPPORTED, MM_F_CONTIGUOUS, MM_OK,
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


# ------------------------------------------------------------ test_format's dtypes

SCALARS = [np.uint8, np.int8, np.uint16, np.int16, np.uint32, np.int32, np.uint64, np.int64,
           np.float32, np.float64, np.complex64, np.complex128]

PLAIN = [("x", "i4", (2,)), ("y", "f8", (2, 2)), ("z", "u1")]
NESTED = [
    ("x", "i4", (2,)),
    ("Info", [("value", "c16"), ("y2", "f8"),
              ("Info2", [("name", "S2"), ("value", "c16", (2,)), ("y3", "f8", (2,)),
                         ("z3", "u4", (2,))]),
              ("name", "S2"), ("z2", "b1")]),
    ("color", "S2"),
    ("info", [("Name", "U8"), ("Value", "c16")]),
    ("y", "f8", (2, 2)),
    ("z", "u1"),
]
SPREAD = {"names": ["a", "b"], "formats": ["i1", "i1"], "offsets": [0, 4], "itemsize": 8}


def record_dtypes():
    """(id, dtype) of every structured dtype test_format.py saves or loads."""
    out = []
    for end in "<>":
        out.append(("plain" + end, np.dtype(PLAIN).newbyteorder(end)))
        out.append(("nested" + end, np.dtype(NESTED).newbyteorder(end)))
    out += [
        # record_arrays' last entry: a subarray of a subarray (defect 18).
        ("subsub", np.dtype([("c", ("<f8", (5,)), (2,))])),
        # test_load_padded_dtype
        ("aligned", np.dtype("i1, i4, i1", align=True)),
        ("offsets", np.dtype({"names": ["a", "b"], "formats": ["i4", "i4"],
                              "offsets": [1, 6]})),
        ("struct_in_struct", np.dtype({"names": ["c", "d"], "formats": [
            "i4", np.dtype({"names": ["a", "b"], "formats": ["i4", "i4"],
                            "offsets": [1, 6]})]})),
        ("blank_name", np.dtype({"names": ["a", "", "b"], "formats": ["i4"] * 3})),
        ("titles", np.dtype({"names": ["a", "b"], "formats": ["i4", "i4"],
                             "offsets": [1, 6], "titles": ["aa", "bb"]})),
        ("no_fields", np.dtype({"names": [], "formats": [], "itemsize": 8})),
        # test_descr_to_dtype
        ("aligned3", np.dtype([("a", np.int8), ("b", np.int16), ("c", np.int32)],
                              align=True)),
        ("rec_sub_sub", np.dtype([("x", np.dtype((SPREAD, (3,))), (4,))])),
        ("f8_sub_sub", np.dtype([("x", ("<f8", (5,)), (2,))])),
        ("rec_sub_sub2", np.dtype([("x", np.dtype((np.dtype((SPREAD, (3,))), (4,))))])),
        ("deep", np.dtype([("a", np.dtype((np.dtype((np.dtype((np.dtype([
            ("a", "<i8"), ("b", np.dtype(SPREAD))]), (3,))), (4,))), (5,))))])),
        # test_unicode_field_names: needs a version 3.0 header
        ("unicode", np.dtype([("int", "<i8"), ("\u6574\u5f62", "<i8")])),
        # test_header_growth_axis's field names of spaces
        ("spaces", np.dtype([(" " * 30, "<i8")])),
    ]
    return out


DTYPES = ([("%s%s" % (np.dtype(s).name, e), np.dtype(s).newbyteorder(e))
           for s in SCALARS for e in "<>"] + record_dtypes())
KINDS = ["empty", "0d", "1d", "2dC", "2dF", "2d_noncontig"]
CASES = [(name, dt, kind) for name, dt in DTYPES for kind in KINDS]
CASE_IDS = ["%s-%s" % (name, kind) for name, _, kind in CASES]
# test_version_2_0: 500 fields of 100-character names need a header over 64 KiB.
V2 = np.dtype([(("%d" % i) * 100, "<f8") for i in range(500)])


def value_bytes_mask(dt):
    """One record of dt whose value bytes are 0xff and whose padding bytes are 0."""
    mask = np.zeros(1, dt)

    def mark(a):
        if a.dtype.names is None:
            a[...] = np.frombuffer(b"\xff" * a.dtype.itemsize, a.dtype)[0]
        else:
            for name in a.dtype.names:
                mark(a[name])
    mark(mask)
    return np.frombuffer(mask.tobytes(), np.uint8)


def values(dt, n):
    """n values of dt: arange like test_format for numbers; seeded bytes for records,
    with every padding byte zero (np.save writes padding as it is, and copies made by
    different numpy paths need not keep it)."""
    if dt.names is None:
        return np.arange(n).astype(dt)
    if n == 0 or dt.itemsize == 0:
        return np.zeros(n, dt)
    raw = np.random.default_rng(n).integers(0, 256, n * dt.itemsize, dtype=np.uint8)
    raw &= np.tile(value_bytes_mask(dt), n)
    # Over a bytearray, not .copy(): numpy copies records field by field, and the
    # padding of the copy is whatever the allocator left there.
    return np.frombuffer(bytearray(raw.tobytes()), dtype=dt)


def make_array(dt, kind):
    """test_format's basic_arrays kinds, for any dtype: (array, the C-ordered array it
    is a view of, for the 2-D views)."""
    if kind == "empty":
        return values(dt, 0), None
    if kind == "0d":
        return values(dt, 1).reshape(()), None
    if kind == "1d":
        return values(dt, 150), None
    base = values(dt, 150).reshape(10, 15)
    if kind == "2dC":
        return base, None
    if kind == "2dF":
        return base.T, base
    if kind == "2d_noncontig":
        return base[::-1, ::2], base
    raise AssertionError(kind)


def descr_text(dt):
    """What mm_dtype must say: str(dtype.descr) for records, dtype.str otherwise."""
    return str(dt.descr) if dt.names is not None else dt.str


def np_dtype(text):
    """numpy's dtype for an mm_dtype text, read the way np.load reads a header's descr."""
    if text.startswith("["):
        return np.lib.format.descr_to_dtype(ast.literal_eval(text))
    return np.dtype(text)


def header_descr(data):
    """The descr text np.save wrote into a file's header, exactly."""
    start = data.index(b"{'descr': ") + len(b"{'descr': ")
    end = data.index(b", 'fortran_order': ", start)
    version = data[6]
    return data[start:end].decode("utf-8" if version == 3 else "latin-1")


def np_save(path, arr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # version 2.0 / 3.0 notices
        np.save(path, arr)
    with open(path, "rb") as f:
        return f.read()


def file_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def same_bytes(a, b):
    """Equal shapes, dtypes and element bytes, field by field for records (a copy of a
    strided record array does not keep its padding bytes, which are not values)."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.names is None:
        return np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes()
    return all(same_bytes(a[n], b[n]) for n in a.dtype.names)


# ------------------------------------------------------------ numpy writes, mmarray reads

def check_opened(lib, h, path, arr):
    """The handle shows what np.load(path, mmap_mode='r') shows, with numpy's descr."""
    data = file_bytes(path)
    ref = np.load(path, mmap_mode="r", max_header_size=1 << 20)
    text = lib.dtype_of(h)
    assert text == descr_text(arr.dtype)
    if arr.dtype.names is not None:
        assert text == header_descr(data)
    assert np_dtype(text) == arr.dtype
    assert lib.shape_of(h) == ref.shape == arr.shape
    assert lib.strides_of(h) == ref.strides
    assert lib.mm_offset(h) == ref.offset
    flags = lib.mm_flags(h)
    assert bool(flags & MM_C_CONTIGUOUS) == ref.flags.c_contiguous
    assert bool(flags & MM_F_CONTIGUOUS) == ref.flags.f_contiguous
    n = lib.mm_nbytes(h)
    assert n == arr.nbytes
    assert lib.raw_bytes(h) == data[ref.offset:ref.offset + n]
    assert same_bytes(lib.numpy_view(h, np_dtype(text)), arr)


@pytest.mark.parametrize("name,dt,kind", CASES, ids=CASE_IDS)
def test_numpy_writes_mmarray_reads(lib, tmp_path, name, dt, kind):
    arr, _ = make_array(dt, kind)
    path = tmp_path / "a.npy"
    before = np_save(path, arr)
    st, h = lib.open_npy(path, "r")
    assert st == MM_OK, lib.error()
    try:
        assert not lib.mm_flags(h) & MM_WRITEABLE
        check_opened(lib, h, path, arr)
    finally:
        assert lib.mm_close(h) == MM_OK
    assert file_bytes(path) == before


# ------------------------------------------------------------ mmarray creates

def open_memmap_file(path, arr, fortran_order):
    """test_memmap_roundtrip's reference: open_memmap(w+), filled, flushed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ma = np.lib.format.open_memmap(path, mode="w+", dtype=arr.dtype, shape=arr.shape,
                                       fortran_order=fortran_order)
    ma[...] = arr
    ma.flush()
    del ma
    return file_bytes(path)


def create_filled(lib, path, arr, order):
    """mm_create_npy, filled through mm_data like open_memmap's array, flushed."""
    st, h = lib.create_npy(path, descr_text(arr.dtype), arr.shape, order)
    assert st == MM_OK, lib.error()
    try:
        assert lib.mode_of(h) == "r+"
        assert lib.dtype_of(h) == descr_text(arr.dtype)
        view = lib.numpy_view(h, arr.dtype)
        view[...] = arr
        assert lib.mm_flush(h) == MM_OK
    finally:
        assert lib.mm_close(h) == MM_OK
    return file_bytes(path)


@pytest.mark.parametrize("name,dt,kind", CASES, ids=CASE_IDS)
def test_mmarray_creates_like_open_memmap(lib, tmp_path, name, dt, kind):
    arr, _ = make_array(dt, kind)
    fortran_order = arr.flags.f_contiguous and not arr.flags.c_contiguous
    want = open_memmap_file(tmp_path / "ref.npy", arr, fortran_order)
    got = create_filled(lib, tmp_path / "m.npy", arr, "F" if fortran_order else "C")
    assert got == want
    # test_memmap_roundtrip: open_memmap's file is np.save's file.
    assert got == np_save(tmp_path / "saved.npy", arr)
    back = np.load(tmp_path / "m.npy")
    assert same_bytes(back, arr)


# ------------------------------------------------------------ mmarray saves views

def mm_view_like(lib, h, kind):
    """The kind's view of the (10, 15) array behind handle h, through the C API."""
    if kind == "2dC":
        return lib.view(h, None, 0, lib.shape_of(h), lib.strides_of(h))
    if kind == "2dF":
        return lib.view(h, None, 0, lib.shape_of(h)[::-1], lib.strides_of(h)[::-1])
    if kind == "2d_noncontig":
        st, rows = lib.slice(h, 0, INT64_MAX, INT64_MIN, -1)
        assert st == MM_OK, lib.error()
        try:
            return lib.slice(rows, 1, 0, INT64_MAX, 2)
        finally:
            lib.mm_close(rows)
    # empty, 0-d and 1-D arrays are saved whole
    return lib.view(h, None, 0, lib.shape_of(h), lib.strides_of(h))


@pytest.mark.parametrize("name,dt,kind", CASES, ids=CASE_IDS)
def test_mmarray_saves_like_np_save(lib, tmp_path, name, dt, kind):
    arr, base = make_array(dt, kind)
    source = arr if base is None else base
    np_save(tmp_path / "src.npy", source)
    st, h = lib.open_npy(tmp_path / "src.npy", "r")
    assert st == MM_OK, lib.error()
    try:
        st, v = mm_view_like(lib, h, kind)
        assert st == MM_OK, lib.error()
        try:
            assert lib.save(v, tmp_path / "out.npy") == MM_OK, lib.error()
        finally:
            lib.mm_close(v)
    finally:
        lib.mm_close(h)
    assert file_bytes(tmp_path / "out.npy") == np_save(tmp_path / "want.npy", arr)


def test_version_2_0_header(lib, tmp_path):
    """test_version_2_0(_memmap): a header over 64 KiB is version 2.0, both ways."""
    arr = np.ones(100, dtype=V2)
    data = np_save(tmp_path / "n.npy", arr)
    assert data[6:8] == b"\x02\x00"
    st, h = lib.open_npy(tmp_path / "n.npy", "r")
    assert st == MM_OK, lib.error()
    try:
        check_opened(lib, h, tmp_path / "n.npy", arr)
    finally:
        lib.mm_close(h)
    assert create_filled(lib, tmp_path / "m.npy", arr, "C") == data
    assert open_memmap_file(tmp_path / "o.npy", arr, False) == data


def test_unicode_names_need_version_3(lib, tmp_path):
    arr, _ = make_array(dict(DTYPES)["unicode"], "1d")
    data = np_save(tmp_path / "n.npy", arr)
    assert data[6:8] == b"\x03\x00"
    assert create_filled(lib, tmp_path / "m.npy", arr, "C") == data


# ------------------------------------------------------------ object arrays

def test_object_arrays_cannot_be_mapped(lib, tmp_path):
    """test_memmap_roundtrip skips object arrays: numpy cannot map them, neither can we."""
    path = tmp_path / "o.npy"
    np.save(path, np.array([1, None], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):
        np.load(path, mmap_mode="r", allow_pickle=True)
    st, h = lib.open_npy(path, "r")
    assert (st, h) == (MM_E_UNSUPPORTED, 0)
    st, h = lib.create_npy(tmp_path / "new.npy", "O", (2,), "C")
    assert (st, h) == (MM_E_UNSUPPORTED, 0)
    assert not (tmp_path / "new.npy").exists()


# ------------------------------------------------------------ test_memmap.py

DATA = np.arange(12, dtype="float32").reshape(3, 4)


def test_memmap_roundtrip(lib, tmp_path):
    """w+ written and closed, read back in r: equal, and not writeable."""
    path = tmp_path / "mmap"
    st, h = lib.open_raw(path, "float32", "w+", 0, DATA.shape)
    assert st == MM_OK, lib.error()
    lib.numpy_view(h, "float32")[...] = DATA
    lib.mm_close(h)
    ref = np.memmap(path, dtype="float32", mode="r", shape=DATA.shape)
    st, h = lib.open_raw(path, "float32", "r", 0, DATA.shape)
    assert st == MM_OK, lib.error()
    try:
        assert not lib.mm_flags(h) & MM_WRITEABLE
        assert same_bytes(lib.numpy_view(h, "float32"), np.asarray(ref))
        assert same_bytes(np.asarray(ref), DATA)
    finally:
        lib.mm_close(h)


def test_memmap_attributes(lib, tmp_path):
    path = tmp_path / "mmap"
    ref = np.memmap(tmp_path / "ref", dtype="float32", mode="w+", shape=DATA.shape, offset=1)
    st, h = lib.open_raw(path, "float32", "w+", 1, DATA.shape)
    assert st == MM_OK, lib.error()
    try:
        assert lib.mm_offset(h) == ref.offset == 1
        assert lib.mode_of(h) == ref.mode == "w+"
        assert lib.mm_filename(h).decode() == str(ref.filename).replace("ref", "mmap")
    finally:
        lib.mm_close(h)
    del ref
    assert os.path.getsize(path) == os.path.getsize(tmp_path / "ref") == 49


def test_memmap_views_keep_the_mapping(lib, tmp_path):
    """test_del / test_slicing_keeps_references: a view shares the base's mapping and
    outlives the handle it came from."""
    st, h = lib.open_raw(tmp_path / "mmap", "float32", "w+", 0, DATA.shape)
    assert st == MM_OK, lib.error()
    lib.numpy_view(h, "float32")[0, 0] = 5
    st, v = lib.slice(h, 0, 0, 1, 1)
    assert st == MM_OK, lib.error()
    assert lib.mm_data(v) == lib.mm_data(h)
    assert lib.numpy_view(v, "float32")[0, 0] == 5
    lib.mm_close(h)
    lib.numpy_view(v, "float32")[0, 0] = 6
    assert lib.mm_flush(v) == MM_OK
    lib.mm_close(v)
    assert np.memmap(tmp_path / "mmap", dtype="float32", mode="r")[0] == 6


@pytest.mark.parametrize("size,offset", [
    (5 * mmap.ALLOCATIONGRANULARITY, mmap.ALLOCATIONGRANULARITY + 1),
    (0, mmap.ALLOCATIONGRANULARITY)])
def test_memmap_offsets_past_the_granularity(lib, tmp_path, size, offset):
    ref_path, path = tmp_path / "ref", tmp_path / "mmap"
    for p in (ref_path, path):
        p.write_bytes(b"a" * mmap.ALLOCATIONGRANULARITY)
    ref = np.memmap(ref_path, shape=size, mode="w+", offset=offset)
    st, h = lib.open_raw(path, "u1", "w+", offset, (size,))
    assert st == MM_OK, lib.error()
    try:
        assert lib.mm_offset(h) == ref.offset == offset
        assert lib.shape_of(h) == ref.shape
    finally:
        lib.mm_close(h)
    del ref
    assert file_bytes(path) == file_bytes(ref_path)


def test_memmap_no_shape(lib, tmp_path):
    path = tmp_path / "mmap"
    path.write_bytes(b"a" * 16)
    ref = np.memmap(path, dtype="float64")
    # shape NULL with ndim 0 in mode r+: the shape is inferred from the size, as numpy's
    handle = ctypes.c_uint64(0)
    st = lib.mm_open(os.fsencode(path), b"float64", b"r+", 0, None, 0, b"C",
                     ctypes.byref(handle))
    assert st == MM_OK, lib.error()
    try:
        assert lib.shape_of(handle.value) == ref.shape == (2,)
    finally:
        lib.mm_close(handle.value)


# ------------------------------------------------------------ test_header_growth_axis

@pytest.mark.parametrize("fortran,spaces,length", [
    (False, 29, 128), (False, 30, 192), (True, 30, 128), (True, 31, 192)])
def test_header_growth_axis(lib, tmp_path, fortran, spaces, length):
    """The header keeps its length as the growth axis gains digits, up to numpy's
    21-digit reserve. numpy's test writes a dtype object as the descr; np.save writes
    the descr list, so the 128/192 boundaries fall a few spaces further here. The files
    stop at 10**6 rows (16 MB, sparse unless create preallocates); the 10**20 end of the
    range is checked against numpy's header alone."""
    dt = np.dtype([(" " * spaces, "<i8")])
    descr = np.lib.format.dtype_to_descr(dt)

    def numpy_header(shape):
        out = io.BytesIO()
        np.lib.format.write_array_header_1_0(
            out, {"shape": shape, "fortran_order": fortran, "descr": descr})
        return out.getvalue()

    widest = (2, 10 ** 20) if fortran else (10 ** 20, 2)
    assert len(numpy_header(widest)) == length
    for size in [10 ** i for i in range(7)]:
        shape = (2, size) if fortran else (size, 2)
        path = tmp_path / ("%d.npy" % size)
        st, h = lib.create_npy(path, descr_text(dt), shape, "F" if fortran else "C")
        assert st == MM_OK, lib.error()
        offset = lib.mm_offset(h)
        lib.mm_close(h)
        assert offset == length
        with open(path, "rb") as f:
            head = f.read(length)
        os.unlink(path)
        assert head == numpy_header(shape)


# ------------------------------------------------------------ defect 19: create order 'F'

@pytest.mark.parametrize("shape", [(2, 1), (1, 2), (), (5,), (0, 3), (3, 0), (1, 1),
                                   (2, 3), (2, 1, 3), (4, 1, 1)])
@pytest.mark.parametrize("order", ["C", "F"])
def test_create_order_is_open_memmap_fortran_order(lib, tmp_path, shape, order):
    """mm_create_npy(order) is open_memmap(fortran_order=(order == 'F')), whatever the
    shape: (2, 1) is C- and F-contiguous, and open_memmap still writes True."""
    arr = np.arange(int(np.prod(shape)), dtype="<f8").reshape(shape, order=order)
    want = open_memmap_file(tmp_path / "ref.npy", arr, order == "F")
    got = create_filled(lib, tmp_path / "m.npy", arr, order)
    assert got == want
    assert (b"'fortran_order': True" in got) == (order == "F")
    ref = np.load(tmp_path / "ref.npy", mmap_mode="r")
    st, h = lib.open_npy(tmp_path / "m.npy", "r")
    assert st == MM_OK, lib.error()
    try:
        assert lib.strides_of(h) == ref.strides
        assert same_bytes(lib.numpy_view(h, "<f8"), np.asarray(ref))
    finally:
        lib.mm_close(h)


def test_save_of_a_2x1_f_view_is_np_save(lib, tmp_path):
    """np.save writes fortran_order False for a (2, 1) array even in F order, and so does
    mm_save_npy: save and create answer to different numpy calls."""
    arr = np.asfortranarray(np.arange(2.0).reshape(2, 1))
    assert arr.flags.c_contiguous and arr.flags.f_contiguous
    create_filled(lib, tmp_path / "m.npy", arr, "F")
    st, h = lib.open_npy(tmp_path / "m.npy", "r")
    assert st == MM_OK, lib.error()
    try:
        assert lib.save(h, tmp_path / "s.npy") == MM_OK, lib.error()
    finally:
        lib.mm_close(h)
    want = np_save(tmp_path / "n.npy", arr)
    assert b"'fortran_order': False" in want
    assert file_bytes(tmp_path / "s.npy") == want


# ------------------------------------------------------------ defect 20: list descrs

def handmade_header(descr, shape="(2,)", version=1):
    """A header as np.save lays it out (64-byte aligned, newline), with any descr text."""
    text = ("{'descr': %s, 'fortran_order': False, 'shape': %s, }" % (descr, shape))
    body = text.encode("latin-1")
    prefix = 10 if version == 1 else 12
    body += b" " * (63 - (prefix + len(body)) % 64) + b"\n"
    length = len(body).to_bytes(2 if version == 1 else 4, "little")
    return b"\x93NUMPY" + bytes([version, 0]) + length + body


LIST_DESCRS = [
    "[['a', '<i4'], ['b', '<i2', [2]]]",
    "[('a', '<i4'), ['b', '<i2', (2,)]]",
    "[['a', '<i4', 2]]",
    "[('a', '<i4', [2, 3])]",
    "[('b', ('<f8', [5]), [2])]",
    "[['c', ['<f8', (5,)], [2]]]",
    "[('a', [['b', '<i4'], ['c', '>f8', [3]]])]",
    "[['r', [['c', ('<f8', (5,)), (2,)]], (3,)]]",
    "[(('t', 'a'), '<i4'), ['b', '|u1']]",
    "[['x', ([['a', '|i1'], ['', '|V3'], ['b', '|i1'], ['', '|V3']], [3]), [4]]]",
    "['ab']",
    "[{'a': 1, '<i4': 2}]",
    "[('a', ('<i4', (2,), 7))]",
    "[('', '<f8', (2,)), ('a', '<i4')]",
    "[('', [('b', '<i4')], (2,)), ['a', '<i4']]",
    "[[], ('a', '<i4')]",
    # refused by np.load too
    "[[['t', 'a'], '<i4']]",
    "[('b', ['<f8', [5]], [2])]",
    "['ab4']",
    "[('a', '<i4', [])]",
    "[('a', '<i4', (2,), 5)]",
    "[5]",
]


@pytest.mark.parametrize("descr", LIST_DESCRS)
def test_headers_np_load_reads(lib, tmp_path, descr):
    """D11: every header np.load reads, mmarray reads the same; what it refuses,
    mmarray refuses (MM_E_FORMAT)."""
    path = tmp_path / "h.npy"
    with open(path, "wb") as f:
        f.write(handmade_header(descr) + bytes(range(256)) * 2)
    before = file_bytes(path)
    try:
        ref = np.load(path, mmap_mode="r")
    except Exception:  # numpy's refusal, whatever its exception class
        ref = None
    st, h = lib.open_npy(path, "r")
    if ref is None:
        if st == MM_OK:
            lib.mm_close(h)
        assert (st, h) == (MM_E_FORMAT, 0), lib.error()
        assert "descr" in lib.error()
    else:
        assert st == MM_OK, lib.error()
        try:
            assert lib.dtype_of(h) == descr_text(ref.dtype)
            assert np_dtype(lib.dtype_of(h)) == ref.dtype
            assert lib.shape_of(h) == ref.shape
            assert lib.mm_offset(h) == ref.offset
            assert lib.raw_bytes(h) == np.ascontiguousarray(ref).tobytes()
            # Saved again, it is what np.save writes for numpy's reading of it.
            assert lib.save(h, tmp_path / "again.npy") == MM_OK, lib.error()
        finally:
            lib.mm_close(h)
        assert file_bytes(tmp_path / "again.npy") == np_save(tmp_path / "n.npy", np.asarray(ref))
    assert file_bytes(path) == before
