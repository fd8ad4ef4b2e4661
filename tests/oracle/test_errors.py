"""Part 4 of the oracle: every numpy error case maps to the right MM_E_* code, the
file is left exactly as it was (D1), *out is 0, nothing new is created, and
mm_last_error_message() names the function. Codes: docs/c-api.md; decisions D1-D5:
docs/numpy-semantics.md#decisions."""

import errno
import os
import re

import numpy as np
import pytest

from conftest import dir_listing, file_state, random_bytes
from mmarray_ctypes import (MM_E_BAD_HANDLE, MM_E_FILE_TOO_SMALL, MM_E_INVALID_ARG,
                            MM_E_IO, MM_E_NOT_FOUND, MM_E_SIZE_MISMATCH, MM_E_UNSUPPORTED,
                            MM_OK, SIZE_MAX, STATUS_NAMES, status_name)

ALL_MODES = ["r", "r+", "w+", "c", "readonly", "readwrite", "write", "copyonwrite"]

# (id, numpy exception expected or None when numpy has no error, kwargs, file setup,
#  expected status).  File setups: "missing", "empty", or an int: that many bytes.
CASES = []


def case(cid, np_exc, expected, setup, dtype="u1", mode="r+", offset=0, shape=None,
         order="C"):
    CASES.append(pytest.param(dict(np_exc=np_exc, expected=expected, setup=setup,
                                   dtype=dtype, mode=mode, offset=offset, shape=shape,
                                   order=order), id=cid))


# bad modes: INVALID_ARG, whether or not the file exists
for m in ["w", "rb", "x", "", "a", "R", "r+b", "w+ ", "read", "WRITE"]:
    for setup in ("missing", 64):
        case("mode-%r-%s" % (m, setup), ValueError, MM_E_INVALID_ARG, setup, mode=m,
             shape=(4,))
# bad dtypes: INVALID_ARG, in every mode, also when numpy would already have truncated
for d in ["zz", "", "f3", "i3", "<<f8", "float65", "u1 ", "S-1", "M8[zz]"]:
    for m in ("r", "r+", "w+", "c"):
        case("dtype-%r-%s" % (d, m), TypeError, MM_E_INVALID_ARG, 64, dtype=d, mode=m,
             shape=(4,))
    # numpy opens the file before it parses the dtype; the contract validates first
    case("dtype-%r-missing" % d, FileNotFoundError, MM_E_INVALID_ARG, "missing", dtype=d,
         mode="r", shape=(4,))
# object dtype: UNSUPPORTED (D5); numpy accepts it
for d in ["O", "|O", "object", "O8"]:
    for m in ("r", "r+", "w+", "c"):
        case("dtype-%r-%s" % (d, m), None, MM_E_UNSUPPORTED, 64, dtype=d, mode=m,
             shape=(2,))
# bad order: INVALID_ARG; numpy raises only after opening, truncating, extending
for o in ["X", "Z", "x", "1", "\x7f"]:
    for m in ("r", "r+", "w+", "c"):
        case("order-%r-%s" % (o, m), ValueError, MM_E_INVALID_ARG, 64, mode=m,
             shape=(2, 3), order=o)
    case("order-%r-w+-extends" % o, ValueError, MM_E_INVALID_ARG, 4, mode="r+",
         shape=(10, 10), order=o)
# w+ without a shape
for setup in ("missing", "empty", 64):
    for m in ("w+", "write"):
        case("wplus-noshape-%s-%s" % (m, setup), ValueError, MM_E_INVALID_ARG, setup,
             mode=m, shape=None)
# missing file in r / r+ / c: NOT_FOUND
for m in ("r", "r+", "c", "readonly", "readwrite", "copyonwrite"):
    for shape in (None, (4,), ()):
        case("missing-%s-%s" % (m, shape), FileNotFoundError, MM_E_NOT_FOUND, "missing",
             mode=m, shape=shape)
# file too small in r / c
for m in ("r", "c", "readonly", "copyonwrite"):
    case("toosmall-%s-shape" % m, ValueError, MM_E_FILE_TOO_SMALL, 100, dtype="<f8",
         mode=m, shape=(13,))
    case("toosmall-%s-offset" % m, ValueError, MM_E_FILE_TOO_SMALL, 100, dtype="<f8",
         mode=m, offset=8, shape=(12, 1))
    case("toosmall-%s-2d-F" % m, ValueError, MM_E_FILE_TOO_SMALL, 100, dtype="u1",
         mode=m, offset=4096, shape=(2, 2), order="F")
    case("toosmall-%s-empty" % m, ValueError, MM_E_FILE_TOO_SMALL, "empty", dtype="u1",
         mode=m, shape=(1,))
    # zero elements but the offset itself is past the end of the file
    case("toosmall-%s-zero-elements-offset-past-eof" % m, ValueError, MM_E_FILE_TOO_SMALL,
         100, dtype="u1", mode=m, offset=101, shape=(0,))
# inferred size not a multiple of the itemsize
for m in ("r", "r+", "c"):
    case("sizemismatch-%s" % m, ValueError, MM_E_SIZE_MISMATCH, 10, dtype="<f8", mode=m)
    case("sizemismatch-%s-offset" % m, ValueError, MM_E_SIZE_MISMATCH, 4096 + 7,
         dtype="<i4", mode=m, offset=4096 + 1)
    case("sizemismatch-%s-U3" % m, ValueError, MM_E_SIZE_MISMATCH, 13, dtype="<U3", mode=m)
# offset past EOF with an inferred shape: FILE_TOO_SMALL in every mode (D3)
for m in ("r", "r+", "c", "readwrite"):
    case("d3-offset-past-eof-%s" % m, ValueError, MM_E_FILE_TOO_SMALL, 100, dtype="<f8",
         mode=m, offset=108)
    case("d3-offset-past-eof-%s-nonmultiple" % m, ValueError, MM_E_FILE_TOO_SMALL, 100,
         dtype="<f8", mode=m, offset=103)
    case("d3-offset-past-eof-%s-empty" % m, None, MM_E_FILE_TOO_SMALL, "empty", dtype="u1",
         mode=m, offset=1)
# overflowing products and sums (D4): INVALID_ARG before any side effect, every mode
OVERFLOWS = [
    ("shape-product", dict(dtype="u1", shape=(2**32, 2**32))),
    ("shape-product-3d", dict(dtype="u1", shape=(2**22, 2**22, 2**22))),
    ("nbytes", dict(dtype="<f8", shape=(2**61,))),
    ("nbytes-S", dict(dtype="S5", shape=(2**62,))),
    ("offset-plus-nbytes", dict(dtype="u1", offset=1, shape=(SIZE_MAX,))),
    ("offset-max", dict(dtype="u1", offset=2**64 - 1, shape=(1,))),
    ("offset-plus-nbytes-2", dict(dtype="<i4", offset=2**64 - 8, shape=(2, 1))),
]
for name, kw in OVERFLOWS:
    for m in ("r", "r+", "w+", "c"):
        for setup in (64, "missing") if m == "w+" else (64,):
            case("d4-%s-%s-%s" % (name, m, setup), "skip-numpy", MM_E_INVALID_ARG, setup,
                 mode=m, **kw)
# itemsize 0 with an inferred shape (D5)
for m in ("r", "r+", "c"):
    for setup in (64, "empty"):
        case("d5-V0-inferred-%s-%s" % (m, setup), "skip-numpy", MM_E_INVALID_ARG, setup,
             dtype="V0", mode=m)
# a directory is not a file: an OS error (numpy: IsADirectoryError)
for m in ("r+", "w+"):
    case("directory-%s" % m, IsADirectoryError, MM_E_IO, "directory", mode=m, shape=(1,))


def make_setup(path, setup, rng):
    if setup == "missing":
        return
    if setup == "directory":
        os.mkdir(path)
        return
    with open(path, "wb") as f:
        f.write(b"" if setup == "empty" else random_bytes(rng, setup))


@pytest.mark.parametrize("c", CASES)
def test_open_error(mm, tmp_path, c):
    rng = np.random.default_rng(1234)
    d = tmp_path / "d"
    d.mkdir()
    path = str(d / "data.bin")
    make_setup(path, c["setup"], rng)
    before, listing = file_state(path), dir_listing(d)
    args = (c["dtype"], c["mode"], c["offset"], c["shape"], c["order"])

    # numpy's answer, on a twin file (numpy may truncate or extend before failing)
    if c["np_exc"] not in (None, "skip-numpy"):
        twin = str(tmp_path / "twin.bin")
        make_setup(twin, c["setup"], rng)
        with pytest.raises(c["np_exc"]):
            np.memmap(twin, dtype=c["dtype"], mode=c["mode"], offset=c["offset"],
                      shape=c["shape"], order=c["order"])

    st, h = mm.open(path, *args)
    call = "mm_open(%r, %r, %r, %d, %r, %r)" % ((path,) + args)
    assert st == c["expected"], "%s -> %s, expected %s: %s" % (
        call, status_name(st), status_name(c["expected"]), mm.last_error())
    assert h == 0, "%s: *out must be 0 on failure" % call
    msg = mm.last_error()
    assert msg, "%s: empty last error message" % call
    assert msg.startswith("mm_open("), "%s: message %r" % (call, msg)
    assert file_state(path) == before, "%s changed the file" % call
    assert dir_listing(d) == listing, "%s created something" % call
    # the same through mm_open_fd where a descriptor can be had
    if c["setup"] not in ("missing", "directory") and c["expected"] != MM_E_NOT_FOUND:
        fd = os.open(path, os.O_RDWR)
        try:
            st2, h2 = mm.open_fd(fd, *args)
            if c["mode"] in ("w+", "write") and c["shape"] is None:
                assert st2 == MM_E_INVALID_ARG
            else:
                assert st2 == c["expected"], "mm_open_fd%s -> %s: %s" % (
                    call[7:], status_name(st2), mm.last_error())
            assert h2 == 0
            assert mm.last_error().startswith("mm_open_fd(")
            os.fstat(fd)  # still open: mm_open_fd never closes it
        finally:
            os.close(fd)
        assert file_state(path) == before


def test_numpy_object_dtype_is_accepted_but_mmarray_refuses(mm, tmp_path):
    """D5 is a deliberate difference: check the numpy side too."""
    p = str(tmp_path / "o.bin")
    with open(p, "wb") as f:
        f.write(bytes(16))
    m = np.memmap(p, dtype="O", mode="r", shape=(2,))
    assert m.dtype == np.dtype("O")
    del m


def test_null_arguments(mm, tmp_path):
    p = str(tmp_path / "x.bin")
    with open(p, "wb") as f:
        f.write(bytes(range(64)))
    before = file_state(p)
    # NULL path
    st, h = mm.open(None, "u1", "r", 0, None, "C")
    assert (st, h) == (MM_E_INVALID_ARG, 0)
    assert re.match(r"mm_open\b", mm.last_error()), mm.last_error()  # starts with the name
    # NULL out
    shape = None
    st = mm.mm_open(p.encode(), b"u1", b"r", 0, shape, 0, b"C", None)
    assert st == MM_E_INVALID_ARG
    assert re.match(r"mm_open\b", mm.last_error()), mm.last_error()
    st = mm.mm_view(1, None, 0, None, 0, None, None)
    assert st in (MM_E_INVALID_ARG, MM_E_BAD_HANDLE)
    assert file_state(p) == before


def test_null_dtype_is_u1_and_null_mode_is_r_plus(mm, tmp_path):
    p = str(tmp_path / "x.bin")
    with open(p, "wb") as f:
        f.write(bytes(range(10)))
    ref = np.memmap(p)  # numpy's defaults: uint8, r+
    st, h = mm.open(p, None, None, 0, None, "C")
    assert st == MM_OK, mm.last_error()
    info = mm.info(h)
    assert (info["dtype"], info["mode"], info["shape"]) == (ref.dtype.str, ref.mode, ref.shape)
    assert info["mode"] == "r+" and info["writeable"]
    assert mm.mm_close(h) == MM_OK


def test_status_strings(mm):
    for code in STATUS_NAMES:
        s = mm.mm_status_str(code)
        assert s and s != b"unknown status", code
    for code in (-1, 12, 98, 100, 2**31 - 1, -(2**31)):
        assert mm.mm_status_str(code) == b"unknown status"


def test_last_error_copy_and_os_error(mm, tmp_path):
    missing = str(tmp_path / "nope.bin")
    st, _ = mm.open(missing, "u1", "r", 0, None, "C")
    assert st == MM_E_NOT_FOUND
    assert mm.mm_last_os_error() == errno.ENOENT
    msg = mm.mm_last_error_message()
    assert msg.startswith(b"mm_open(") and missing.encode() in msg
    need = mm.mm_last_error_copy(None, 0)
    assert need == len(msg) + 1
    import ctypes
    buf = ctypes.create_string_buffer(need)
    assert mm.mm_last_error_copy(buf, need) == need
    assert buf.value == msg
    small = ctypes.create_string_buffer(5)
    assert mm.mm_last_error_copy(small, 5) == need
    assert small.raw == msg[:4] + b"\0"


def test_message_names_values(mm, tmp_path):
    p = str(tmp_path / "small.bin")
    with open(p, "wb") as f:
        f.write(bytes(1000))
    st, _ = mm.open(p, "u1", "r", 100, (4096,), "C")
    assert st == MM_E_FILE_TOO_SMALL
    msg = mm.last_error()
    assert msg.startswith("mm_open(")
    for v in ("1000", "100"):
        assert v in msg, msg
    assert p in msg


def test_bad_handles(mm, tmp_path):
    p = str(tmp_path / "x.bin")
    with open(p, "wb") as f:
        f.write(bytes(8))
    stale = []
    for _ in range(3):
        st, h = mm.open(p, "u1", "r", 0, None, "C")
        assert st == MM_OK
        st, v = mm.slice(h, 0, 1, 3, 1)
        assert st == MM_OK
        assert mm.mm_close(v) == MM_OK and mm.mm_close(h) == MM_OK
        stale += [h, v]
    for h in [0, 2**64 - 1] + stale:
        assert mm.mm_close(h) == MM_E_BAD_HANDLE
        assert mm.last_error().startswith("mm_close(")
        assert mm.mm_flush(h) == MM_E_BAD_HANDLE
        assert mm.mm_data(h) is None
        assert mm.mm_ndim(h) == 0
        assert not mm.mm_shape(h)
        assert not mm.mm_strides(h)
        assert mm.mm_itemsize(h) == 0 and mm.mm_size(h) == 0 and mm.mm_nbytes(h) == 0
        assert mm.mm_dtype(h) is None and mm.mm_mode(h) is None and mm.mm_filename(h) is None
        assert mm.mm_offset(h) == 0 and mm.mm_flags(h) == 0
        assert mm.last_error()
        st, out = mm.view(h, None, 0, (1,), None)
        assert (st, out) == (MM_E_BAD_HANDLE, 0)
        assert mm.last_error().startswith("mm_view(")
