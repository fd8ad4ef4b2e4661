"""Part 2 of the oracle: mmarray creates / extends and writes a file, numpy does the
same call with the same writes on a twin file, and the two files must be identical
(except where decision D2 says mmarray does not grow a zero-byte array's file to 1 byte;
docs/numpy-semantics.md#d2). numpy then reads mmarray's file back."""

import ctypes
import os
import zlib

import numpy as np
import pytest

from conftest import file_state, make_values, random_bytes
from mmarray_ctypes import MM_OK, numpy_info, status_name

DTYPES = ["u1", "<i4", ">f8", "<c16", "b1", "S5", ">U3", "<f16", "<M8[ns]", ">u2"]
SHAPES = [(0,), (7,), (3, 4), (2, 3, 4), (), (4, 0, 2)]
OFFSETS = [0, 3, 4096, 4097, 8192 + 5]
ORDERS = ["C", "F"]
# (mode, what the file is before the call, how it is opened)
SETUPS = [
    ("w+", "missing", "path"),
    ("write", "missing", "path"),
    ("w+", "longer", "path"),
    ("w+", "shorter", "path"),
    ("r+", "shorter", "path"),
    ("readwrite", "longer", "path"),
    ("r+", "empty", "path"),
    ("c", "longer", "path"),
    ("copyonwrite", "longer", "path"),
    ("r+", "shorter", "fd"),
    ("w+", "longer", "fd"),
    ("w+", "shorter", "fd"),
]


def _cases():
    cases = []
    for i, dt in enumerate(DTYPES):
        for j, shape in enumerate(SHAPES):
            for k, setup in enumerate(SETUPS):
                if (i + j + k) % 2:  # half of the cross product, balanced
                    continue
                cases.append((dt, OFFSETS[(i + j + k) % len(OFFSETS)], shape,
                              ORDERS[(i + k) % 2]) + setup)
    return cases


CASES = _cases()


def _id(c):
    dt, off, shape, order, mode, initial, via = c
    s = "x".join(map(str, shape)) or "0d"
    return "%s-off%d-%s-%s-%s-%s-%s" % (dt, off, s, order, mode, initial, via)


def initial_bytes(initial, need, rng):
    if initial == "missing":
        return None
    if initial == "empty":
        return b""
    if initial == "shorter":
        return random_bytes(rng, need // 2)
    return random_bytes(rng, need + 11)


CANON = {"write": "w+", "readwrite": "r+", "copyonwrite": "c"}


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_mmarray_writes_numpy_reads(mm, tmp_path, case):
    dt, offset, shape, order, mode, initial, via = case
    rng = np.random.default_rng(zlib.crc32(_id(case).encode()))
    itemsize = np.dtype(dt).itemsize
    n = int(np.prod(shape, dtype=np.int64))
    nbytes = n * itemsize
    need = offset + nbytes
    init = initial_bytes(initial, need, rng)
    vals = make_values(dt, n, rng).reshape(shape)

    a = str(tmp_path / "numpy.bin")   # numpy's twin
    b = str(tmp_path / "mmarray.bin")  # mmarray's file
    for p in (a, b):
        if init is not None:
            with open(p, "wb") as f:
                f.write(init)

    # numpy does it
    if via == "fd":
        fobj = open(a, "r+b")
        ref = np.memmap(fobj, dtype=dt, mode=mode, offset=offset, shape=shape, order=order)
    else:
        fobj = None
        ref = np.memmap(a, dtype=dt, mode=mode, offset=offset, shape=shape, order=order)
    want = numpy_info(ref)
    ref[...] = vals
    ref.flush()
    del ref
    if fobj is not None:
        fobj.close()

    # mmarray does it
    if via == "fd":
        fd = os.open(b, os.O_RDWR)
        try:
            st, h = mm.open_fd(fd, dt, mode, offset, shape, order)
            assert os.fstat(fd)  # mm_open_fd never closes the caller's fd
        finally:
            os.close(fd)
    else:
        st, h = mm.open(b, dt, mode, offset, shape, order)
    assert st == MM_OK, "mm_open%s(%r, %r, %r, %d, %r, %r) -> %s: %s" % (
        "_fd" if via == "fd" else "", b, dt, mode, offset, shape, order,
        status_name(st), mm.last_error())
    try:
        got = mm.info(h)
        if via == "fd":
            assert got["filename"] is None  # D10: NULL for mm_open_fd
        else:
            assert got["filename"] == os.path.abspath(b)
        want["filename"] = got["filename"]
        assert got == want
        data = mm.mm_data(h)
        assert data is not None
        payload = np.asarray(vals).tobytes(order=order)
        assert len(payload) == nbytes
        if nbytes:
            # freshly opened arrays are contiguous in `order` (checked via strides above)
            ctypes.memmove(data, payload, nbytes)
        assert mm.element_bytes(h, dt) == np.asarray(vals).tobytes()
        assert mm.mm_flush(h) == MM_OK
    finally:
        assert mm.mm_close(h) == MM_OK

    fa, fb = file_state(a), file_state(b)
    canon = CANON.get(mode, mode)
    old = 0 if init is None or (canon == "w+" and via == "path") else len(init)
    if canon == "c":
        assert fb == (True, len(init), init)  # copy-on-write never reaches the file
        assert fa == fb
    else:
        want_size = max(old, need)  # D2: exactly max(old, offset+nbytes)
        assert fb[1] == want_size
        if need == 0 and fa[1] == 1 and old == 0:
            # D2: numpy grew the file to one zero byte; mmarray leaves it empty
            assert fa[2] == b"\0" and fb[2] == b""
        else:
            assert fa == fb
        # numpy reads back exactly the values written through mm_data
        if n:
            back = np.fromfile(b, dtype=dt, count=n, offset=offset)
            back = back.reshape(shape, order=order)
            assert back.tobytes() == np.asarray(vals).tobytes()
