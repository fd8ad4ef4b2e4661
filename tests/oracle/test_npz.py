""".npz archives through the C ABI (mm_npz_names, mm_open_npz, mm_save_npz), numpy 2.4.6
and Python's zipfile as the oracle.

numpy -> mmarray: hundreds of random np.savez / np.savez_compressed archives (dtypes x
shapes x orders x stored/deflated x names with non-ASCII and '/'): the names equal
np.load(path).files, every member opens with numpy's dtype, shape and values, a stored
member is mapped at its data offset in the archive (mm_offset, and the bytes there).
mmarray -> numpy: mm_save_npz of views is byte-identical to np.savez (stored) and, for
deflated archives, equal to np.savez_compressed's in everything but the compressed bytes;
np.load and zipfile.testzip accept it. Other layouts written by zipfile (data
descriptors, comments, differing local extras, non-.npy members) and hostile archives
built byte by byte (zip bomb, overlapping members, lying sizes, CRC, count, names):
each is MM_E_FORMAT with a message, never a crash.

(Over 600 lines: the hostile archives are built byte by byte here, next to the cases that
use them, so that each case reads as the bytes it feeds the reader.)
"""

import io
import os
import struct
import sys
import warnings
import zipfile
import zlib

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))

from npy_ctypes import (  # noqa: E402
    INT64_MAX, INT64_MIN, MM_E_BAD_HANDLE, MM_E_FORMAT, MM_E_INVALID_ARG, MM_E_IO, MM_E_NOT_FOUND, MM_E_UNSUPPORTED,
    MM_OK, MM_WRITEABLE, _sz, _u64, load_lib,
)
from conftest import file_state, make_values  # noqa: E402
import ctypes  # noqa: E402

assert np.__version__ == "2.4.6", np.__version__


@pytest.fixture(scope="session")
def lib():
    return load_lib()


@pytest.fixture(autouse=True)
def no_leaked_handles(lib):
    before = lib.mm_handle_count()
    yield
    assert lib.mm_handle_count() == before, "a test leaked handles"


DTYPES = ["|b1", "|i1", "|u1", "<i2", ">i2", "<u4", ">i8", "<f4", ">f8", "<c8", ">c16",
          "<f2", "|S5", "<U3", ">U2", "|V3", "<M8[s]", ">m8[ms]",
          [("a", "<i4"), ("b", ">f8", (2,))], [("x", "|u1"), ("y", "<U2")]]
SHAPES = [(), (0,), (1,), (7,), (3, 4), (2, 0, 3), (2, 3, 4), (5, 1), (1, 1, 1, 2)]
NAMES = ["a", "x1", "arr_0", "é", "données/t", "a/b/c", "日本", "sp ace", "z.npy", "-", "ü/ß"]


def dtype_text(dt):
    dt = np.dtype(dt)
    return str(dt.descr) if dt.names is not None else dt.str


def random_array(rng, dt, shape, order):
    n = int(np.prod(shape)) if shape else 1
    a = make_values(dt, n, rng).reshape(shape)
    return np.asfortranarray(a) if order == "F" else np.ascontiguousarray(a)


def member_data_offset(path, member):
    """The .npy data's offset in the archive, from the local header (zipfile's view)."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    with open(path, "rb") as f:
        f.seek(info.header_offset)
        local = f.read(30)
        nlen, xlen = struct.unpack("<HH", local[26:30])
        start = info.header_offset + 30 + nlen + xlen
        f.seek(start)
        pre = f.read(12)
    hlen = struct.unpack("<H", pre[8:10])[0] + 10 if pre[6] == 1 else \
        struct.unpack("<I", pre[8:12])[0] + 12
    return start + hlen


# ------------------------------------------------------------- numpy -> mmarray

@pytest.mark.parametrize("seed", range(240))
def test_numpy_archives_open(lib, tmp_path, seed):
    rng = np.random.default_rng(seed)
    compress = bool(seed % 2)
    k = int(rng.integers(1, 4))
    names = list(rng.choice(NAMES, k, replace=False))
    arrays = {}
    for name in names:
        dt = DTYPES[int(rng.integers(len(DTYPES)))]
        shape = SHAPES[int(rng.integers(len(SHAPES)))]
        arrays[name] = random_array(rng, dt, shape, "F" if rng.integers(2) else "C")
    path = str(tmp_path / "a.npz")
    (np.savez_compressed if compress else np.savez)(path, **arrays)
    st, got = lib.npz_names(path)
    assert st == MM_OK, lib.error()
    with np.load(path) as npz:
        assert got == npz.files
    for name, ref in arrays.items():
        key = name + ".npy" if rng.integers(2) else name
        mode = "c" if rng.integers(2) else "r"
        st, h = lib.open_npz(path, key, mode)
        assert st == MM_OK, lib.error()
        try:
            with np.load(path) as npz:
                want = npz[name]
            assert lib.dtype_of(h) == dtype_text(want.dtype)
            assert lib.shape_of(h) == want.shape
            assert lib.mode_of(h) == mode
            assert bool(lib.mm_flags(h) & MM_WRITEABLE) == (mode == "c")
            got = lib.numpy_view(h, want.dtype)
            assert want.size == 0 or lib.strides_of(h) == want.strides
            assert np.ascontiguousarray(got).tobytes() == np.ascontiguousarray(want).tobytes()
            fn = lib.mm_filename(h)
            assert fn.decode() == os.path.abspath(path)
            if compress:
                assert lib.mm_offset(h) == 0
            else:
                off = member_data_offset(path, name + ".npy")
                assert lib.mm_offset(h) == off
                n = lib.mm_nbytes(h)
                with open(path, "rb") as f:
                    f.seek(off)
                    assert lib.raw_bytes(h) == f.read(n)
        finally:
            assert lib.mm_close(h) == MM_OK


def test_stored_member_is_mapped_not_copied(lib, tmp_path):
    path = str(tmp_path / "m.npz")
    np.savez(path, a=np.arange(4096, dtype="<i8"))
    st, h = lib.open_npz(path, "a", "r")
    assert st == MM_OK, lib.error()
    try:
        off = lib.mm_offset(h)
        addr = lib.mm_data(h)
        maps = open("/proc/self/maps").read().splitlines()
        hit = [m for m in maps
               if int(m.split()[0].split("-")[0], 16) <= addr < int(m.split()[0].split("-")[1], 16)]
        assert len(hit) == 1 and hit[0].endswith(os.path.abspath(path)), hit
        # The mapping's file offset is the page below the data's offset.
        assert int(hit[0].split()[2], 16) == off - off % os.sysconf("SC_PAGE_SIZE")
    finally:
        lib.mm_close(h)


def test_handles_hold_no_descriptor(lib, tmp_path):
    from mmarray_ctypes import fd_count
    paths = []
    for compress in (0, 1):
        p = str(tmp_path / ("f%d.npz" % compress))
        (np.savez_compressed if compress else np.savez)(p, a=np.arange(100, dtype="<i8"))
        paths.append(p)
    before = fd_count()
    handles = []
    for p in paths * 5:
        st, h = lib.open_npz(p, "a", "r")
        assert st == MM_OK, lib.error()
        handles.append(h)
    assert fd_count() == before
    for h in handles:
        assert lib.mm_close(h) == MM_OK
    assert fd_count() == before


def test_mode_c_never_writes_back(lib, tmp_path):
    for compress in (0, 1):
        path = str(tmp_path / ("c%d.npz" % compress))
        (np.savez_compressed if compress else np.savez)(path, a=np.arange(10, dtype="<i4"))
        before = file_state(path)
        st, h = lib.open_npz(path, "a", "c")
        assert st == MM_OK, lib.error()
        v = lib.numpy_view(h, "<i4")
        v[:] = 99
        assert lib.mm_flush(h) == MM_OK
        st2, h2 = lib.open_npz(path, "a", "r")
        assert st2 == MM_OK
        assert list(lib.numpy_view(h2, "<i4")) == list(range(10))
        lib.mm_close(h2)
        lib.mm_close(h)
        assert file_state(path) == before


def test_views_slices_and_save_npy_of_a_member(lib, tmp_path):
    path = str(tmp_path / "v.npz")
    ref = np.arange(60, dtype=">f8").reshape(6, 10)
    np.savez_compressed(path, a=ref)
    st, h = lib.open_npz(path, "a", "r")
    assert st == MM_OK
    st, s = lib.slice(h, 1, 9, 0, -3)
    assert st == MM_OK, lib.error()
    assert lib.save(s, str(tmp_path / "s.npy")) == MM_OK, lib.error()
    assert np.array_equal(np.load(str(tmp_path / "s.npy")), ref[:, 9:0:-3])
    lib.mm_close(s)
    lib.mm_close(h)


# ------------------------------------------------------------- mmarray -> numpy

def open_array(lib, tmp_path, arr, tag):
    """A handle over `arr` (saved to a .npy of its own)."""
    p = str(tmp_path / ("src_%s.npy" % tag))
    np.save(p, arr)
    st, h = lib.open_npy(p, "r")
    assert st == MM_OK, lib.error()
    return h


def infos(path):
    with zipfile.ZipFile(path) as z:
        return [(i.filename, i.flag_bits, i.compress_type, i.date_time, i.create_system,
                 i.create_version, i.extract_version, i.external_attr, i.file_size, i.CRC,
                 i.extra, i.comment) for i in z.infolist()], \
            {i.filename: z.read(i.filename) for i in z.infolist()}


@pytest.mark.parametrize("seed", range(120))
def test_save_npz_matches_numpy(lib, tmp_path, seed):
    rng = np.random.default_rng(1000 + seed)
    compress = seed % 2
    k = int(rng.integers(0, 4))
    names = list(rng.choice(NAMES, k, replace=False))
    handles, refs = [], {}
    try:
        for i, name in enumerate(names):
            dt = DTYPES[int(rng.integers(len(DTYPES)))]
            shape = SHAPES[int(rng.integers(len(SHAPES)))]
            base = random_array(rng, dt, shape, "F" if rng.integers(2) else "C")
            h = open_array(lib, tmp_path, base, i)
            view = base
            if base.ndim >= 1 and base.shape[0] > 1 and rng.integers(2):
                st, s = lib.slice(h, 0, INT64_MAX, INT64_MIN, -2)   # [::-2]
                assert st == MM_OK, lib.error()
                lib.mm_close(h)
                h, view = s, base[::-2]
            handles.append(h)
            refs[name] = view
        path = str(tmp_path / "out.npz")
        assert lib.save_npz(path, names, handles, compress) == MM_OK, lib.error()
        oracle = str(tmp_path / "np.npz")
        (np.savez_compressed if compress else np.savez)(oracle, **refs)
        if not compress:
            assert open(path, "rb").read() == open(oracle, "rb").read()
        got_info, got_bytes = infos(path)
        want_info, want_bytes = infos(oracle)
        assert got_info == want_info
        assert got_bytes == want_bytes          # each member's .npy bytes
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None
        with np.load(path) as npz:
            assert npz.files == list(refs)
            for name, ref in refs.items():
                assert npz[name].tobytes() == ref.tobytes() and npz[name].dtype == ref.dtype
        st, got = lib.npz_names(path)
        assert st == MM_OK and got == list(refs)
    finally:
        for h in handles:
            lib.mm_close(h)


def test_save_npz_zip64_count(lib, tmp_path):
    """70000 members: the zip64 end record and locator, as zipfile writes them."""
    h = open_array(lib, tmp_path, np.arange(2, dtype="<u1"), "z")
    n = 70000
    names = ["m%d" % i for i in range(n)]
    path = str(tmp_path / "many.npz")
    try:
        assert lib.save_npz(path, names, [h] * n, 0) == MM_OK, lib.error()
    finally:
        lib.mm_close(h)
    with zipfile.ZipFile(path) as z:
        assert len(z.infolist()) == n
    data = open(path, "rb").read()
    assert data[-22:-18] == b"PK\x05\x06" and data[-42:-38] == b"PK\x06\x07"
    assert struct.unpack("<HH", data[-14:-10]) == (0xFFFF, 0xFFFF)
    st, got = lib.npz_names(path)
    assert st == MM_OK and got == names
    st, h = lib.open_npz(path, "m69999", "r")
    assert st == MM_OK, lib.error()
    assert lib.raw_bytes(h) == b"\x00\x01"
    lib.mm_close(h)


def test_save_failure_leaves_target_and_no_temp(lib, tmp_path):
    src = str(tmp_path / "src.bin")
    with open(src, "wb") as f:
        f.write(b"\x01" * (1 << 22))
    st, h = lib.open_raw(src, "u1", "r", 0, (1 << 22,))
    assert st == MM_OK
    path = str(tmp_path / "t.npz")
    with open(path, "wb") as f:
        f.write(b"old")
    os.truncate(src, 4096)   # the source shrinks under the mapping
    try:
        before = sorted(os.listdir(tmp_path))
        st = lib.save_npz(path, ["a"], [h], 1)
        assert st == MM_E_IO, (st, lib.error())
        assert open(path, "rb").read() == b"old"
        assert sorted(os.listdir(tmp_path)) == before
    finally:
        lib.mm_close(h)


def test_save_argument_errors(lib, tmp_path):
    h = open_array(lib, tmp_path, np.arange(3), "e")
    path = str(tmp_path / "e.npz")
    try:
        assert lib.mm_save_npz(None, 1, None, None, 0) == MM_E_INVALID_ARG
        assert lib.mm_save_npz(path.encode(), 1, None, (_u64 * 1)(h), 0) == MM_E_INVALID_ARG
        assert "NULL" in lib.error()
        names = (ctypes.c_char_p * 1)(None)
        assert lib.mm_save_npz(path.encode(), 1, names, (_u64 * 1)(h), 0) == MM_E_INVALID_ARG
        assert "names[0] is NULL" in lib.error()
        assert lib.save_npz(path, ["a", "a"], [h, h], 0) == MM_E_INVALID_ARG
        assert "twice" in lib.error()
        assert lib.save_npz(path, [b"\xff"], [h], 0) == MM_E_INVALID_ARG
        assert lib.save_npz(path, ["a", "b"], [h, 12345], 0) == MM_E_BAD_HANDLE
        assert not os.path.exists(path)
        # n == 0: np.savez() with no arrays, an empty archive.
        assert lib.mm_save_npz(path.encode(), 0, None, None, 0) == MM_OK, lib.error()
        np.savez(str(tmp_path / "e2.npz"))
        assert open(path, "rb").read() == open(str(tmp_path / "e2.npz"), "rb").read()
        st, got = lib.npz_names(path)
        assert st == MM_OK and got == []
    finally:
        lib.mm_close(h)


# ------------------------------------------------------------- names, lookup, errors

def test_names_buffer_is_snprintf_like(lib, tmp_path):
    path = str(tmp_path / "n.npz")
    np.savez(path, ab=np.zeros(1), cde=np.zeros(1))
    needed, count = _sz(7), _sz(7)
    assert lib.mm_npz_names(path.encode(), None, 0, ctypes.byref(needed),
                            ctypes.byref(count)) == MM_OK
    assert (needed.value, count.value) == (len("ab\0cde\0\0"), 2)
    for cap, want in [(1, b"\0"), (3, b"\0"), (4, b"ab\0\0"), (7, b"ab\0\0"),
                      (8, b"ab\0cde\0\0")]:
        buf = ctypes.create_string_buffer(b"\xee" * cap, cap)
        assert lib.mm_npz_names(path.encode(), buf, cap, ctypes.byref(needed), None) == MM_OK
        assert needed.value == 8
        assert buf.raw[:len(want)] == want and set(buf.raw[len(want):]) <= {0xEE}, (cap, buf.raw)
    assert lib.mm_npz_names(path.encode(), None, 4, ctypes.byref(needed), None) == MM_E_INVALID_ARG
    assert lib.mm_npz_names(path.encode(), None, 0, None, None) == MM_E_INVALID_ARG
    assert lib.mm_npz_names(None, None, 0, ctypes.byref(needed), None) == MM_E_INVALID_ARG
    assert lib.mm_npz_names(str(tmp_path / "missing.npz").encode(), None, 0,
                            ctypes.byref(needed), None) == MM_E_NOT_FOUND


def test_open_errors(lib, tmp_path):
    path = str(tmp_path / "o.npz")
    np.savez(path, a=np.zeros(2))
    out = _u64(5)
    assert lib.mm_open_npz(None, b"a", b"r", ctypes.byref(out)) == MM_E_INVALID_ARG
    assert out.value == 0
    assert lib.mm_open_npz(path.encode(), None, b"r", ctypes.byref(out)) == MM_E_INVALID_ARG
    assert lib.mm_open_npz(path.encode(), b"a", b"r", None) == MM_E_INVALID_ARG
    assert lib.mm_open_npz(path.encode(), b"a", b"q", ctypes.byref(out)) == MM_E_INVALID_ARG
    for mode in ("r+", "w+", "readwrite", "write"):
        st, h = lib.open_npz(path, "a", mode)
        assert (st, h) == (MM_E_UNSUPPORTED, 0)
        assert "CRC" in lib.error()
    st, h = lib.open_npz(path, "b", "r")
    assert (st, h) == (MM_E_NOT_FOUND, 0) and "not a member" in lib.error()
    st, h = lib.open_npz(str(tmp_path / "none.npz"), "a", "r")
    assert st == MM_E_NOT_FOUND
    # NULL mode means "r".
    assert lib.mm_open_npz(path.encode(), b"a", None, ctypes.byref(out)) == MM_OK
    assert lib.mode_of(out.value) == "r"
    lib.mm_close(out.value)
    # Not a zip at all.
    np.save(str(tmp_path / "x.npy"), np.zeros(3))
    st, h = lib.open_npz(str(tmp_path / "x.npy"), "a", "r")
    assert st == MM_E_FORMAT and "zip" in lib.error()


def test_special_files_are_refused_without_blocking(lib, tmp_path):
    fifo = str(tmp_path / "fifo.npz")
    os.mkfifo(fifo)
    for path in (fifo, str(tmp_path)):
        st, _ = lib.npz_names(path)
        assert st == MM_E_IO and "regular file" in lib.error(), lib.error()
        st, h = lib.open_npz(path, "a", "r")
        assert (st, h) == (MM_E_IO, 0) and "regular file" in lib.error(), lib.error()


def test_lookup_and_non_npy_members_as_numpy(lib, tmp_path):
    path = str(tmp_path / "l.npz")
    buf = io.BytesIO()
    np.save(buf, np.arange(3, dtype="<i2"))
    npy_a = buf.getvalue()
    buf = io.BytesIO()
    np.save(buf, np.arange(5, dtype="<i2"))
    npy_b = buf.getvalue()
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a", npy_a)               # no suffix
        z.writestr("a.npy", npy_b)
        z.writestr("notes.txt", b"hello")
        z.writestr("dir/", b"")
    st, got = lib.npz_names(path)
    with np.load(path) as npz:
        assert got == npz.files == ["a", "a", "notes.txt", "dir/"]
        for key in ("a", "a.npy"):
            st, h = lib.open_npz(path, key, "r")
            assert st == MM_OK, lib.error()
            assert np.array_equal(lib.numpy_view(h, "<i2"), npz[key])
            lib.mm_close(h)
        assert npz["notes.txt"] == b"hello"     # numpy returns the bytes
    st, h = lib.open_npz(path, "notes.txt", "r")
    assert st == MM_E_FORMAT and "magic" in lib.error()


# ------------------------------------------------------------- other zipfile layouts

def npy_bytes(arr):
    b = io.BytesIO()
    np.save(b, arr)
    return b.getvalue()


class Unseekable(io.RawIOBase):
    def __init__(self):
        self.buf = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.buf += b
        return len(b)


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_zipfile_layouts(lib, tmp_path, method):
    arrays = {"a": np.arange(7, dtype="<f4"), "é/b": np.ones((2, 3), dtype=">i8")}
    # Data descriptors: zipfile writes them on an unseekable stream.
    sink = Unseekable()
    with zipfile.ZipFile(sink, "w", compression=method) as z:
        for name, arr in arrays.items():
            with z.open(name + ".npy", "w") as f:
                f.write(npy_bytes(arr))
        z.comment = b"archive comment"
    p1 = str(tmp_path / "dd.npz")
    open(p1, "wb").write(bytes(sink.buf))
    # Member comments, extra fields that differ between local and central headers, and a
    # timestamp: a local extra of 100 bytes (unknown id 0xCAFE) the central entry lacks.
    p2 = str(tmp_path / "ex.npz")
    with zipfile.ZipFile(p2, "w", compression=method) as z:
        for name, arr in arrays.items():
            zi = zipfile.ZipInfo(name + ".npy", date_time=(2020, 5, 6, 7, 8, 10))
            zi.compress_type = method
            zi.comment = b"member comment"
            zi.extra = struct.pack("<HH", 0xCAFE, 96) + b"\xab" * 96
            z.writestr(zi, npy_bytes(arr))
    data = bytearray(open(p2, "rb").read())
    # Strip the extra from the central entries only (lengths patched): local != central.
    out = bytearray()
    with zipfile.ZipFile(p2) as z:
        cd_start = min(i.header_offset for i in z.infolist())  # 0
        del cd_start
    eocd = data.rfind(b"PK\x05\x06")
    cd_size, cd_off = struct.unpack("<II", data[eocd + 12:eocd + 20])
    pos = cd_off
    while pos < cd_off + cd_size:
        n, x, c = struct.unpack("<HHH", data[pos + 28:pos + 34])
        entry = bytearray(data[pos:pos + 46 + n + x + c])
        entry[30:32] = struct.pack("<H", 0)
        out += entry[:46 + n] + entry[46 + n + x:]
        pos += 46 + n + x + c
    new = data[:cd_off] + out + data[cd_off + cd_size:]
    e2 = new.rfind(b"PK\x05\x06")
    new[e2 + 12:e2 + 16] = struct.pack("<I", len(out))
    open(p2, "wb").write(bytes(new))
    for p in (p1, p2):
        with zipfile.ZipFile(p) as z:
            assert z.testzip() is None
        with np.load(p) as npz:
            st, got = lib.npz_names(p)
            assert st == MM_OK, lib.error()
            assert got == npz.files
            for name, arr in arrays.items():
                st, h = lib.open_npz(p, name, "r")
                assert st == MM_OK, (p, lib.error())
                assert np.array_equal(lib.numpy_view(h, arr.dtype), npz[name])
                if method == zipfile.ZIP_STORED:
                    assert lib.mm_offset(h) == member_data_offset(p, name + ".npy")
                lib.mm_close(h)


# ------------------------------------------------------------- hostile archives

def local(name, method, crc, csize, usize, flags=0, extra=b""):
    return struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, flags, method, 0, 0x21, crc,
                       csize, usize, len(name), len(extra)) + name + extra


def central(name, method, crc, csize, usize, offset, flags=0):
    return struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, flags, method, 0, 0x21,
                       crc, csize, usize, len(name), 0, 0, 0, 0, 0, offset) + name


def eocd(count, cd_size, cd_off, count2=None):
    return struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count,
                       count if count2 is None else count2, cd_size, cd_off, 0)


def build(members, count=None, cd_patch=None):
    """members: (name, payload, method, usize, crc) with the stored bytes given."""
    body, cds = b"", []
    for name, payload, method, usize, crc in members:
        off = len(body)
        body += local(name, method, crc, len(payload), usize, flags=0x800) + payload
        cds.append((name, method, crc, len(payload), usize, off))
    cd = b"".join(central(*c, flags=0x800) for c in cds)
    if cd_patch:
        cd = cd_patch(cd)
    return body + cd + eocd(len(members) if count is None else count, len(cd), len(body))


def deflate(data, level=6):
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def expect_format(lib, path, name, *words):
    st, h = lib.open_npz(path, name, "r")
    msg = lib.error()
    assert (st, h) == (MM_E_FORMAT, 0), (st, msg)
    for w in words:
        assert w in msg, msg
    return msg


def test_hostile_zip_bomb(lib, tmp_path):
    payload = npy_bytes(np.zeros(1 << 20, dtype="u1")) + b"\0" * (40 << 20)
    comp = deflate(payload, 9)
    p = str(tmp_path / "bomb.npz")
    # The directory states just the array; the stream inflates 40 MiB more.
    stated = len(npy_bytes(np.zeros(1 << 20, dtype="u1")))
    open(p, "wb").write(build([(b"a.npy", comp, 8, stated, zlib.crc32(payload))]))
    expect_format(lib, p, "a", "inflates past", str(stated))


def test_hostile_claimed_size_beyond_deflate(lib, tmp_path):
    comp = deflate(npy_bytes(np.zeros(10)))
    p = str(tmp_path / "lie.npz")
    open(p, "wb").write(build([(b"a.npy", comp, 8, 0xFFFFFFFE, 0)]))
    expect_format(lib, p, "a", "more than deflate can produce")


def test_hostile_short_stream_and_crc(lib, tmp_path):
    raw = npy_bytes(np.arange(100, dtype="<i4"))
    comp = deflate(raw)
    p = str(tmp_path / "crc.npz")
    open(p, "wb").write(build([(b"a.npy", comp, 8, len(raw), zlib.crc32(raw) ^ 1)]))
    expect_format(lib, p, "a", "CRC-32")
    open(p, "wb").write(build([(b"a.npy", comp, 8, len(raw) + 10, zlib.crc32(raw))]))
    expect_format(lib, p, "a", "inflates to", str(len(raw)))
    open(p, "wb").write(build([(b"a.npy", comp[:len(comp) // 2], 8, len(raw),
                                zlib.crc32(raw))]))
    expect_format(lib, p, "a")
    open(p, "wb").write(build([(b"a.npy", b"\xff" * 40, 8, len(raw), 0)]))
    expect_format(lib, p, "a", "corrupt deflate")


def test_hostile_overlapping_members(lib, tmp_path):
    raw = npy_bytes(np.arange(10, dtype="<i4"))
    body = local(b"a.npy", 0, zlib.crc32(raw), len(raw), len(raw)) + raw
    cd = central(b"a.npy", 0, zlib.crc32(raw), len(raw), len(raw), 0) + \
        central(b"b.npy", 0, zlib.crc32(raw), len(raw), len(raw), 0)
    p = str(tmp_path / "ov.npz")
    open(p, "wb").write(body + cd + eocd(2, len(cd), len(body)))
    st, names = lib.npz_names(p)
    assert st == MM_E_FORMAT and "overlaps" in lib.error(), lib.error()
    expect_format(lib, p, "a", "overlaps")
    # Partial overlap: b's local header inside a's data.
    cd = central(b"a.npy", 0, 0, len(raw), len(raw), 0) + \
        central(b"b.npy", 0, 0, 10, 10, 40)
    open(p, "wb").write(body + cd + eocd(2, len(cd), len(body)))
    expect_format(lib, p, "a", "overlaps")


def test_hostile_local_header_past_end_and_lying_directory(lib, tmp_path):
    raw = npy_bytes(np.arange(10, dtype="<i4"))
    crc = zlib.crc32(raw)
    body = local(b"a.npy", 0, crc, len(raw), len(raw)) + raw
    p = str(tmp_path / "h.npz")
    for cd, what in [
        (central(b"a.npy", 0, crc, len(raw), len(raw), 1 << 30), "overlaps"),
        (central(b"a.npy", 0, crc, len(raw) + 1000, len(raw) + 1000, 0), "overlaps"),
        (central(b"a.npy", 0, crc, len(raw), len(raw) - 8, 0), "differs"),
        (central(b"b.npy", 0, crc, len(raw), len(raw), 0), "names"),
    ]:
        open(p, "wb").write(body + cd + eocd(1, len(cd), len(body)))
        key = "b" if b"b.npy" in cd else "a"
        expect_format(lib, p, key, what)
    cd = central(b"a.npy", 0, crc, len(raw), len(raw), 0)
    for count in (0, 2, 0xFFFF):
        open(p, "wb").write(body + cd + eocd(count, len(cd), len(body)))
        st, _ = lib.npz_names(p)
        assert st == MM_E_FORMAT, (count, lib.error())
        # 0xFFFF sends the reader to a zip64 end record that is not there.
        assert ("entries" if count < 0xFFFF else "zip64") in lib.error() or \
            "signature" in lib.error(), lib.error()
    # Stored member whose header claims more data than the member holds.
    short = raw[:-8]
    body2 = local(b"a.npy", 0, zlib.crc32(short), len(short), len(short)) + short
    cd = central(b"a.npy", 0, zlib.crc32(short), len(short), len(short), 0)
    open(p, "wb").write(body2 + cd + eocd(1, len(cd), len(body2)))
    expect_format(lib, p, "a", "member holds")


def test_hostile_names(lib, tmp_path):
    raw = npy_bytes(np.arange(3, dtype="<i4"))
    crc = zlib.crc32(raw)
    p = str(tmp_path / "n.npz")
    for name, flags, what in [(b"\xff\xfe.npy", 0x800, "not valid UTF-8"),
                              (b"caf\xe9.npy", 0, "cp437"),
                              (b"a\x00b.npy", 0, "NUL")]:
        body = local(name, 0, crc, len(raw), len(raw), flags) + raw
        cd = central(name, 0, crc, len(raw), len(raw), 0, flags)
        open(p, "wb").write(body + cd + eocd(1, len(cd), len(body)))
        st, _ = lib.npz_names(p)
        assert st == MM_E_FORMAT and what in lib.error(), lib.error()


def test_hostile_huge_member_count_is_cheap(lib, tmp_path):
    """An end record claiming 65535 entries over a one-entry directory, and a zip64 end
    record claiming 2^60: refused at once."""
    raw = npy_bytes(np.arange(3, dtype="<i4"))
    crc = zlib.crc32(raw)
    body = local(b"a.npy", 0, crc, len(raw), len(raw)) + raw
    cd = central(b"a.npy", 0, crc, len(raw), len(raw), 0)
    z64 = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, 1 << 60, 1 << 60,
                      len(cd), len(body))
    loc = struct.pack("<4sIQI", b"PK\x06\x07", 0, len(body) + len(cd), 1)
    p = str(tmp_path / "huge.npz")
    open(p, "wb").write(body + cd + z64 + loc + eocd(0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF))
    st, _ = lib.npz_names(p)
    assert st == MM_E_FORMAT and "end record states 1152921504606846976 entries" in lib.error(), \
        lib.error()
    # The same archive with the true count is read.
    z64 = z64[:24] + struct.pack("<QQ", 1, 1) + z64[40:]
    open(p, "wb").write(body + cd + z64 + loc + eocd(0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF))
    assert lib.npz_names(p) == (MM_OK, ["a"]), lib.error()


def test_mutated_archives_never_crash(lib, tmp_path):
    """Truncations and byte flips of real archives: MM_OK or MM_E_FORMAT (or NOT_FOUND
    for a member whose name was hit), never a crash, a hang or another status."""
    rng = np.random.default_rng(7)
    good = []
    for compress in (0, 1):
        p = str(tmp_path / ("g%d.npz" % compress))
        (np.savez_compressed if compress else np.savez)(
            p, a=np.arange(300, dtype="<i4"), b=np.ones((3, 5)))
        good.append(open(p, "rb").read())
    p = str(tmp_path / "m.npz")
    for i in range(400):
        data = bytearray(good[i % 2])
        if i % 3 == 0:
            data = data[:int(rng.integers(0, len(data)))]
        else:
            for _ in range(int(rng.integers(1, 6))):
                data[int(rng.integers(len(data)))] = int(rng.integers(256))
        open(p, "wb").write(bytes(data))
        st, _ = lib.npz_names(p)
        assert st in (MM_OK, MM_E_FORMAT), (i, st, lib.error())
        for key in ("a", "b"):
            st, h = lib.open_npz(p, key, "r")
            assert st in (MM_OK, MM_E_FORMAT, MM_E_NOT_FOUND, MM_E_UNSUPPORTED), \
                (i, st, lib.error())
            if st == MM_OK:
                lib.raw_bytes(h) if lib.mm_flags(h) & 1 else None
                lib.mm_close(h)
