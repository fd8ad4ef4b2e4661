"""mm_describe and mm_scalar_kind against numpy: for dtypes of every kind and byte
order, the snapshot of a handle equals numpy's memmap attributes, and the scalar kind
is the C type whose numpy dtype equals the array's (numpy's own dtype equality decides:
``np.dtype('q') == np.dtype(np.int64)`` on Linux, ``np.dtype('g') != np.dtype('f8')``
on x86_64), MM_SCALAR_OTHER for everything else."""

import numpy as np
import pytest

import mmarray_ctypes as M
from mmarray_ctypes import MM_OK, numpy_info

NATIVE = [
    (np.bool_, M.MM_SCALAR_BOOL),
    (np.int8, M.MM_SCALAR_INT8),
    (np.int16, M.MM_SCALAR_INT16),
    (np.int32, M.MM_SCALAR_INT32),
    (np.int64, M.MM_SCALAR_INT64),
    (np.uint8, M.MM_SCALAR_UINT8),
    (np.uint16, M.MM_SCALAR_UINT16),
    (np.uint32, M.MM_SCALAR_UINT32),
    (np.uint64, M.MM_SCALAR_UINT64),
    (np.float16, M.MM_SCALAR_FLOAT16),
    (np.float32, M.MM_SCALAR_FLOAT32),
    (np.float64, M.MM_SCALAR_FLOAT64),
    (np.complex64, M.MM_SCALAR_COMPLEX64),
    (np.complex128, M.MM_SCALAR_COMPLEX128),
]


def expected_kind(dt):
    for t, kind in NATIVE:
        if dt == np.dtype(t):
            return kind
    return M.MM_SCALAR_OTHER


def all_dtypes():
    out = []
    for c in np.typecodes["All"]:
        if c == "O":
            continue
        if c in "SUV":
            base = [np.dtype(c + "3")]
        elif c in "Mm":
            base = [np.dtype(c + "8[" + u + "]") for u in ("s", "ns", "D")]
        else:
            base = [np.dtype(c)]
        for dt in base:
            for order in "<>=|":
                out.append(dt.newbyteorder(order))
    out.append(np.dtype([("x", "<f4"), ("y", ">i8")]))
    out.append(np.dtype([("x", "<f4"), ("y", "<i8", (2,))]))
    out.append(np.dtype([("a", "u1")]))
    # deduplicate by numpy's own text
    seen, uniq = set(), []
    for dt in out:
        key = dt.str if dt.names is None else str(dt.descr)
        if key not in seen:
            seen.add(key)
            uniq.append(dt)
    return uniq


DTYPES = all_dtypes()


def text_of(dt):
    return dt.str if dt.names is None else str(dt.descr)


def test_the_list_covers_every_kind_and_both_orders():
    kinds = {dt.kind for dt in DTYPES}
    assert kinds == set("biufcSUVMm")
    assert any(dt.byteorder == ">" for dt in DTYPES)
    assert any(dt.byteorder in "<=" for dt in DTYPES)
    # every native kind is reached, and more than one dtype is OTHER
    assert {expected_kind(dt) for dt in DTYPES} == set(range(15))


@pytest.mark.parametrize("dt", DTYPES, ids=text_of)
def test_snapshot_and_scalar_kind_match_numpy(mm, tmp_path, dt):
    path = tmp_path / "a.bin"
    m = np.memmap(path, dtype=dt, mode="w+", offset=16, shape=(3, 5))
    m.flush()
    st, h = mm.open(path, text_of(dt), "r+", 16, (3, 5))
    assert st == MM_OK, mm.last_error()
    st, s = mm.slice(h, 1, M.INT64_MAX, M.INT64_MIN, -2)
    assert st == MM_OK, mm.last_error()
    try:
        for arr, handle in [(m, h), (m[:, ::-2], s)]:
            ref = numpy_info(arr)
            st, info, text, needed = mm.describe(handle)
            assert st == MM_OK
            assert text == text_of(dt)
            if dt.names is None:
                assert text == ref["dtype"]
            assert needed == len(text) + 1
            assert info.ndim == ref["ndim"]
            assert tuple(info.shape[: info.ndim]) == ref["shape"]
            assert tuple(info.strides[: info.ndim]) == ref["strides"]
            assert all(d == 0 for d in info.shape[info.ndim:])
            assert (info.itemsize, info.size, info.nbytes) == (ref["itemsize"], ref["size"], ref["nbytes"])
            assert info.offset == 16
            assert info.mode.decode() == "r+"
            assert bool(info.flags & M.MM_WRITEABLE) == ref["writeable"]
            assert bool(info.flags & M.MM_C_CONTIGUOUS) == ref["c_contiguous"]
            assert bool(info.flags & M.MM_F_CONTIGUOUS) == ref["f_contiguous"]
            assert bool(info.flags & M.MM_NATIVE_ORDER) == ref["native"]
            assert info.data == mm.mm_data(handle)
            assert info.scalar_kind == expected_kind(dt), dt
            assert mm.mm_scalar_kind(handle) == expected_kind(dt), dt
    finally:
        assert mm.mm_close(s) == MM_OK
        assert mm.mm_close(h) == MM_OK
        del m


def test_bad_handle(mm):
    st, info, text, needed = mm.describe(0)
    assert (st, needed, info.ndim, info.data, text) == (M.MM_E_BAD_HANDLE, 0, 0, None, "")
    assert mm.mm_scalar_kind(0) == -1


# numpy's dtype.isnative of records: plain fields and nested records count; a subarray
# field is native whatever its element type (its dtype has byte order '|' and numpy never
# looks into a subarray's base); '|' types (u1, b1, S, V) are native; U and datetimes
# have a byte order. MM_NATIVE_ORDER (mm_flags, mm_describe) equals it for each.
RECORDS = [
    [("x", "<f4"), ("y", ">i8", (2,))],
    [("y", ">i8", (2,))],
    [("y", ">f8", (2, 2))],
    [("y", ">U2", (3,))],
    [("y", "<U2", (3,))],
    [("y", ">S2", (2,))],
    [("y", [("a", ">i4")], (2,))],
    [("y", [("a", ">i4")])],
    [("y", [("a", "<i4"), ("b", ">i2", (3,))])],
    [("y", [("a", "<i4"), ("b", ">i2")])],
    [("y", [("z", [("a", ">i2")])])],
    [("y", [("z", [("a", "<i2")])]), ("w", "|u1")],
    [("a", "|u1"), ("b", "|S3"), ("c", "|b1"), ("d", "|V2"), ("e", "i1")],
    [("a", ">U2")],
    [("a", "<U2"), ("b", "S5")],
    [("a", ">M8[s]")],
    [("a", "<m8[s]"), ("b", ">i1")],
    [("x", "<f4"), ("y", ">i8")],
]


def test_the_records_cover_both_answers():
    answers = [np.dtype(r).isnative for r in RECORDS]
    assert answers.count(True) >= 5 and answers.count(False) >= 5


@pytest.mark.parametrize("rec", RECORDS, ids=lambda r: str(np.dtype(r).descr))
def test_native_flag_of_records_is_numpys_isnative(mm, tmp_path, rec):
    dt = np.dtype(rec)
    path = tmp_path / "r.bin"
    np.memmap(path, dtype=dt, mode="w+", shape=(2,)).flush()
    st, h = mm.open(path, text_of(dt), "r", 0, (2,))
    assert st == MM_OK, mm.last_error()
    try:
        st, info, text, _ = mm.describe(h)
        assert st == MM_OK
        assert text == text_of(dt)
        assert info.scalar_kind == M.MM_SCALAR_OTHER
        assert bool(info.flags & M.MM_NATIVE_ORDER) == dt.isnative
        assert bool(mm.mm_flags(h) & M.MM_NATIVE_ORDER) == dt.isnative
    finally:
        assert mm.mm_close(h) == MM_OK
