"""Every dtype spelling the contract (docs/c-api.md) names (and numpy's common names and type codes)
is accepted and reported as numpy's canonical typestr (numpy's dtype.str)."""

import numpy as np
import pytest

from mmarray_ctypes import MM_OK, status_name

CONTRACT = ["<f8", ">i4", "f4", "float64", "complex128", "bool", "u1", "S10", "V16", "<M8[ns]"]
NAMES = ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
         "float16", "float32", "float64", "longdouble", "complex64", "complex128",
         "clongdouble", "bool", "double", "single", "half", "byte", "ubyte", "short",
         "ushort", "intc", "uintc", "longlong", "ulonglong", "datetime64[s]",
         "timedelta64[ms]", "bytes", "str"]
CODES = ["?", "b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "e", "f", "d", "g",
         "F", "D", "G", "S3", "U2", "V5", "M8[us]", "m8[D]", "=f8", "|u1", "|b1", "<b1",
         ">u1", "=i2", "<U4", ">U4", "i8", ">M8[s]", "c8", "<c16", ">c32"]


@pytest.mark.parametrize("spelling", CONTRACT + NAMES + CODES)
def test_dtype_spelling(mm, tmp_path, spelling):
    dt = np.dtype(spelling)
    p = str(tmp_path / "x.bin")
    nbytes = max(dt.itemsize, 1) * 6
    with open(p, "wb") as f:
        f.write(bytes(range(nbytes)))
    shape = None if dt.itemsize else (3,)
    ref = np.memmap(p, dtype=spelling, mode="r", shape=shape)
    st, h = mm.open(p, spelling, "r", 0, shape, "C")
    assert st == MM_OK, "mm_open(dtype=%r) -> %s: %s" % (spelling, status_name(st), mm.last_error())
    try:
        info = mm.info(h)
        assert (info["dtype"], info["itemsize"], info["shape"], info["native"]) == \
            (ref.dtype.str, ref.itemsize, ref.shape, ref.dtype.isnative)
        assert mm.element_bytes(h, ref.dtype) == ref.tobytes()
    finally:
        assert mm.mm_close(h) == MM_OK
