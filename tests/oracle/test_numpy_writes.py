"""Part 1 of the oracle: numpy writes a file, mmarray maps it, numpy maps it too, and
everything mmarray reports must equal what numpy reports for the same call."""

import os
import zlib

import numpy as np
import pytest

from conftest import file_state, make_values, random_bytes
from mmarray_ctypes import MM_OK, numpy_info, status_name

ORDERED = ["i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8", "f16",
           "c8", "c16", "c32", "U3", "M8[ns]", "m8[s]"]
UNORDERED = ["b1", "i1", "u1", "S5", "V4"]
DTYPES = UNORDERED + [bo + d for d in ORDERED for bo in ("<", ">", "")]

OFFSETS = [0, 3, 4096, 4097, 8192 + 5]
SHAPES = [None, (0,), (7,), (3, 4), (2, 3, 4), ()]
ORDERS = ["C", "F"]
MODES = ["r", "r+", "c", "readonly", "readwrite", "copyonwrite"]


def _cases():
    cases = []
    # (a) every dtype spelling sees every shape; offset, order and mode rotate so that
    #     each dtype also meets every offset and several modes.
    for i, dt in enumerate(DTYPES):
        for j, shape in enumerate(SHAPES):
            cases.append((dt, OFFSETS[(i + j) % len(OFFSETS)], shape,
                          ORDERS[(i // 2 + j) % 2], MODES[(i + 2 * j) % len(MODES)]))
    # (b) the full cross product of offsets x shapes x orders x modes for two dtypes:
    #     a non-native 2-byte integer and a native 8-byte float (alignment matters).
    for dt in (">i2", "<f8"):
        for off in OFFSETS:
            for shape in SHAPES:
                for order in ORDERS:
                    for mode in MODES:
                        cases.append((dt, off, shape, order, mode))
    return cases


CASES = _cases()


def _id(case):
    dt, off, shape, order, mode = case
    s = "infer" if shape is None else "x".join(map(str, shape)) or "0d"
    return "%s-off%d-%s-%s-%s" % (dt, off, s, order, mode)


def write_file(path, dt, offset, shape, order, rng, how):
    """Write prefix + array + tail with numpy; return the values written (in the
    shape and order numpy.memmap will see them)."""
    n_inferred = 5
    eshape = (n_inferred,) if shape is None else shape
    vals = make_values(dt, int(np.prod(eshape, dtype=np.int64)), rng).reshape(eshape)
    # explicit shapes get a tail after the array, so the file is longer than needed
    # (and never empty); an inferred shape must have no tail.
    tail = b"" if shape is None else random_bytes(rng, 5)
    if how == "tofile":
        with open(path, "wb") as f:
            f.write(random_bytes(rng, offset))
            np.asarray(vals).reshape(-1, order=order).tofile(f)
            f.write(tail)
    else:
        m = np.memmap(path, dtype=dt, mode="w+", offset=offset, shape=eshape, order=order)
        m[...] = vals
        m.flush()
        del m
        with open(path, "ab") as f:
            f.write(tail)
    return vals


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_numpy_writes_mmarray_reads(mm, tmp_path, case):
    dt, offset, shape, order, mode = case
    rng = np.random.default_rng(zlib.crc32(_id(case).encode()))
    path = str(tmp_path / "data.bin")
    how = "tofile" if zlib.crc32(_id(case).encode()) % 2 else "memmap"
    vals = write_file(path, dt, offset, shape, order, rng, how)
    before = file_state(path)

    # numpy's answer
    ref = np.memmap(path, dtype=dt, mode=mode, offset=offset, shape=shape, order=order)
    want = numpy_info(ref)
    want_bytes = ref.tobytes()
    assert want_bytes == np.asarray(vals).tobytes()  # oracle sanity: numpy reads what it wrote
    del ref
    assert file_state(path) == before  # oracle sanity: numpy did not touch the file

    st, h = mm.open(path, dt, mode, offset, shape, order)
    assert st == MM_OK, "mm_open(%r, %r, %r, %d, %r, %r) -> %s: %s" % (
        path, dt, mode, offset, shape, order, status_name(st), mm.last_error())
    try:
        got = mm.info(h)
        assert got == want
        assert mm.mm_data(h) is not None
        assert mm.element_bytes(h, dt) == want_bytes
    finally:
        assert mm.mm_close(h) == MM_OK
    assert file_state(path) == before
