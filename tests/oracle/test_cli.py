"""The `mmarray` command-line tool against numpy: info, show, stats, check, convert,
and its errors (exit status, message, nothing written), for .npy and raw files
(.npz archives, append, recover and growable: test_cli_npz_grow.py).

The binary is $MMARRAY_CLI, else `mmarray` next to $MMARRAY_LIB (both live in
$CARGO_TARGET_DIR/release after `cargo build --release` or `cargo test --release`).
"""

import json
import os
import subprocess

import numpy as np
import pytest

from mmarray_ctypes import DEFAULT_LIB


def cli_path():
    p = os.environ.get("MMARRAY_CLI")
    if not p:
        lib = os.environ.get("MMARRAY_LIB", DEFAULT_LIB)
        p = os.path.join(os.path.dirname(lib), "mmarray")
    return p


@pytest.fixture(scope="module")
def cli():
    p = cli_path()
    if not os.path.exists(p):
        pytest.fail("mmarray binary not found: %s (cargo build --release, or set MMARRAY_CLI)" % p)
    return p


def run(cli, *args, check=True):
    r = subprocess.run([cli, *map(str, args)], capture_output=True, text=True, timeout=120)
    if check and r.returncode != 0:
        raise AssertionError("mmarray %s: exit %d\n%s" % (args, r.returncode, r.stderr))
    return r


# ------------------------------------------------------------------------ values

def values(dtype, kind, n, rng):
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return rng.integers(0, 2, n).astype(dt)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        if kind == "small":
            lo, hi = max(info.min, -50), min(info.max, 50)
        else:
            lo, hi = info.min, info.max
        return rng.integers(lo, hi, n, endpoint=True, dtype=dt.newbyteorder("=")).astype(dt)
    if kind == "normal":
        v = rng.standard_normal(n) * 1000
    elif kind == "ints":
        v = rng.integers(-100, 100, n).astype(float)
    elif kind == "tiny":
        v = rng.standard_normal(n) * 1e-6
    elif kind == "huge":
        v = rng.standard_normal(n) * 1e12
    elif kind == "special":
        v = rng.standard_normal(n)
        v[::5] = np.nan
        v[1::7] = np.inf
        v[2::11] = -np.inf
        v[3::13] = -0.0
    elif kind == "small":
        v = rng.integers(0, 8, n) / 4.0
    else:
        raise AssertionError(kind)
    if dt.kind == "c":
        w = rng.standard_normal(n) * (1000 if kind == "normal" else 1)
        return (v + 1j * w).astype(dt)
    with np.errstate(over="ignore"):
        return v.astype(dt)


SHOW_DTYPES = ["<f8", "<f4", "<f2", ">f8", "<i8", "<i4", ">i4", "<i2", "|i1", "<u8",
               "<u2", "|u1", "|b1", "<c16", "<c8"]
SHOW_KINDS = ["normal", "ints", "tiny", "huge", "special", "small"]
SHOW_CASES = [
    ((7,), None), ((3, 4), None), ((3, 4), "1:, ::-1"), ((2, 3, 4), "..., 1"),
    ((2, 3, 4), "-1"), ((50,), "::3"), ((40, 30), None), ((2000,), None),
    ((30, 40), "::-1, 5:"), ((0, 3), None), ((0,), None), ((5,), "2"), ((12, 11, 10), None),
]


def np_index(text):
    items = []
    for p in text.split(","):
        p = p.strip()
        if p == "...":
            items.append(Ellipsis)
        elif ":" in p:
            items.append(slice(*[int(b) if b.strip() else None for b in p.split(":")]))
        else:
            items.append(int(p))
    return tuple(items)


@pytest.mark.parametrize("dtype", SHOW_DTYPES)
@pytest.mark.parametrize("kind", SHOW_KINDS)
def test_show_equals_numpy_repr(cli, tmp_path, dtype, kind):
    rng = np.random.default_rng(abs(hash((dtype, kind))) % 2**32)
    failures = []
    for shape, sl in SHOW_CASES:
        n = int(np.prod(shape))
        a = values(dtype, kind, n, rng).reshape(shape)
        p = tmp_path / "a.npy"
        np.save(p, a)
        # numpy's repr of the slice as an array (a 0-d result too, not a scalar)
        # (an index of integers only gives a scalar: with "..." added it is a 0-d array)
        idx = np_index(sl) if sl else ()
        if Ellipsis not in idx:
            idx = idx + (Ellipsis,)
        want = repr(np.load(p)[idx])
        args = ["show", p] + ([sl] if sl else [])
        got = run(cli, *args).stdout
        if got != want + "\n":
            failures.append("%s[%s]:\n  numpy: %r\n  ours:  %r" % (shape, sl, want, got))
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("seed", range(4))
def test_show_random_floats_equal_numpy_repr(cli, tmp_path, seed):
    """Random bit patterns (subnormals, huge exponents, nan payloads), scaled normals,
    dyadic fractions and special values, 1-11 elements, float and complex types."""
    rng = np.random.default_rng(seed)
    specials = np.array([0., -0., np.nan, np.inf, -np.inf, 1.5, 1e-300, 5e-324, 1e300,
                         123456789., 0.1, 1 / 3])
    p = tmp_path / "a.npy"
    failures = []
    for _ in range(100):
        dt = np.dtype(str(rng.choice(["<f8", "<f4", "<f2", "<c16", "<c8", ">f4", ">c8", ">f2"])))
        n = int(rng.integers(1, 12))
        mode = int(rng.integers(0, 4))
        with np.errstate(over="ignore"):
            if mode == 0:
                bits = rng.integers(0, 256, n * dt.itemsize, dtype=np.uint8)
                a = np.frombuffer(bits.tobytes(), dtype=dt).copy()
            elif mode == 1:
                a = (rng.standard_normal(n) * 10.0 ** rng.integers(-10, 12)).astype(dt)
            elif mode == 2:
                a = (rng.integers(-2000, 2000, n) / 2.0 ** rng.integers(0, 12)).astype(dt)
            else:
                a = rng.choice(specials, n).astype(dt)
        np.save(p, a)
        want = repr(np.load(p)) + "\n"
        got = run(cli, "show", p).stdout
        if got != want:
            failures.append("%s %r: numpy %r, ours %r" % (dt, a.tobytes(), want, got))
    assert not failures, "\n".join(failures[:5])


@pytest.mark.parametrize("dtype", ["|S5", "<U4", ">U3", "|S1"])
def test_show_strings_equal_numpy_repr(cli, tmp_path, dtype):
    rng = np.random.default_rng(len(dtype))
    dt = np.dtype(dtype)
    n = dt.itemsize if dt.kind == "S" else dt.itemsize // 4
    if dt.kind == "S":
        pool = [bytes([c]) for c in list(range(0, 256, 7)) + [39, 34, 92, 9, 10, 13]]
    else:
        pool = ([chr(c) for c in range(32, 127)] + ["\x00", "\t", "\n", "\x7f", "\x85", "'", '"']
                + [chr(c) for c in range(0xa1, 0x100) if c != 0xad] + [chr(c) for c in range(0x4e00, 0x4e40)])
    p = tmp_path / "s.npy"
    for shape in [(7,), (3, 4), (0,), (), (1200,), (2, 3, 40)]:
        size = int(np.prod(shape))
        items = ["".join(pool[i] for i in rng.integers(0, len(pool), rng.integers(0, n + 1)))
                 if dt.kind == "U" else
                 b"".join(pool[i] for i in rng.integers(0, len(pool), rng.integers(0, n + 1)))
                 for _ in range(size)]
        a = np.array(items, dtype=dt).reshape(shape)
        np.save(p, a)
        assert run(cli, "show", p).stdout == repr(np.load(p)) + "\n", (shape, a)


@pytest.mark.parametrize("dtype", ["<m8[s]", ">m8[10ms]", "<m8", "<m8[D]"])
def test_show_timedelta_equals_numpy_repr(cli, tmp_path, dtype):
    rng = np.random.default_rng(21)
    p = tmp_path / "t.npy"
    for shape in [(5,), (3, 4), (), (0,), (1500,), (4, 300)]:
        v = rng.integers(-10**int(rng.integers(1, 18)), 10**6, int(np.prod(shape)), dtype=np.int64)
        v[rng.random(v.size) < 0.2] = np.iinfo(np.int64).min          # NaT
        a = v.view(np.dtype(dtype).newbyteorder("=")).astype(dtype).reshape(shape)
        np.save(p, a)
        assert run(cli, "show", p).stdout == repr(np.load(p)) + "\n", (dtype, shape)


@pytest.mark.parametrize("unit", ["Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps",
                                  "fs", "as", "10s", "3D", "2M"])
def test_show_datetime_equals_numpy_repr(cli, tmp_path, unit):
    rng = np.random.default_rng(len(unit) * 7 + ord(unit[-1]))
    p = tmp_path / "d.npy"
    for dtype in ["<M8[%s]" % unit, ">M8[%s]" % unit]:
        for shape in [(6,), (2, 3), (), (1100,)]:
            v = rng.integers(-10**int(rng.integers(1, 15)), 10**int(rng.integers(1, 15)),
                             int(np.prod(shape)), dtype=np.int64)
            v[rng.random(v.size) < 0.1] = np.iinfo(np.int64).min          # NaT
            a = v.view(np.dtype(dtype).newbyteorder("=")).astype(dtype).reshape(shape)
            np.save(p, a)
            assert run(cli, "show", p).stdout == repr(np.load(p)) + "\n", (dtype, shape)


def test_show_zero_d_and_full(cli, tmp_path):
    p = tmp_path / "z.npy"
    for v in [np.float64(1.5), np.int32(-7), np.bool_(True), np.complex128(1 - 2j)]:
        np.save(p, np.array(v))
        assert run(cli, "show", p).stdout == repr(np.load(p)) + "\n"
    a = np.arange(1500, dtype=np.int16)
    np.save(p, a)
    with np.printoptions(threshold=np.inf):
        want = repr(a)
    # --full prints every element, as numpy with an unlimited threshold (which then does
    # not name the shape either)
    assert run(cli, "show", "--full", p).stdout == want + "\n"


def test_fortran_order_files(cli, tmp_path):
    rng = np.random.default_rng(11)
    a = np.asfortranarray(rng.standard_normal((40, 30, 3)))
    p = tmp_path / "f.npy"
    np.save(p, a)
    for sl in [None, "::-2, 5, :", "..., 1", "3"]:
        idx = np_index(sl) if sl else ()
        x = a[idx if Ellipsis in idx else idx + (Ellipsis,)]
        assert run(cli, "show", p, *([sl] if sl else [])).stdout == repr(x) + "\n"
        check_stats(json.loads(run(cli, "stats", "--json", p, *([sl] if sl else [])).stdout), x)
    raw = subprocess.run([cli, "show", "--format", "raw", str(p)], capture_output=True, check=True).stdout
    assert raw == a.tobytes(order="C")


def test_show_csv_json_raw(cli, tmp_path):
    a = (np.arange(24).reshape(2, 3, 4) * 0.5 - 3).astype("<f8")
    a[0, 0, 1] = np.nan
    p = tmp_path / "a.npy"
    np.save(p, a)
    got = json.loads(run(cli, "show", "--format", "json", p).stdout)
    want = a.tolist()
    assert np.array_equal(np.array(got, dtype=float), np.array(want), equal_nan=True)
    csv = run(cli, "show", "--format", "csv", p, "1").stdout
    assert csv == "".join(",".join(repr(float(x)) for x in row) + "\n" for row in a[1])
    raw = subprocess.run([cli, "show", "--format", "raw", str(p), "::-1, :, 1::2"],
                         capture_output=True, check=True).stdout
    assert raw == np.ascontiguousarray(a[::-1, :, 1::2]).tobytes()


# ------------------------------------------------------------------------ info

INFO_CASES = [("<f8", (3, 4), False), (">i2", (5,), False), ("|u1", (), False),
              ("<c8", (2, 3), True), ("|b1", (0, 7), False), ("<M8[s]", (4,), False),
              ("|S5", (3,), False), ("<U3", (2, 2), True), ("<f2", (10, 1), True)]


def header_facts(path):
    with open(path, "rb") as f:
        version = np.lib.format.read_magic(f)
        assert version == (1, 0)
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        offset = f.tell()
    raw = open(path, "rb").read(offset)
    prefix = 10 if version[0] == 1 else 12
    text = raw[prefix:]
    spaces = text[text.rindex(b"}") + 1:].count(b" ")
    return version, offset, prefix, shape, fortran, dtype, spaces


@pytest.mark.parametrize("dtype,shape,fortran", INFO_CASES)
def test_info_equals_numpy_view(cli, tmp_path, dtype, shape, fortran):
    a = np.zeros(shape, dtype=dtype)
    if fortran:
        a = np.asfortranarray(a)
    p = tmp_path / "a.npy"
    np.save(p, a)
    m = np.load(p, mmap_mode="r")
    version, offset, prefix, hshape, hfortran, hdtype, spaces = header_facts(p)
    got = json.loads(run(cli, "info", "--json", p).stdout)
    assert got["dtype"] == m.dtype.str
    assert got["dtype_name"] == m.dtype.name
    assert got["itemsize"] == m.dtype.itemsize
    assert tuple(got["shape"]) == m.shape
    assert got["order"] == ("F" if hfortran else "C")
    assert got["size"] == m.size
    assert got["version"] == "%d.%d" % version
    assert got["data_offset"] == offset == (m.offset if m.size else offset)
    assert got["header_len"] == offset - prefix
    assert got["data_bytes"] == m.nbytes
    assert got["file_size"] == os.path.getsize(p)
    assert got["trailing_bytes"] == 0
    if shape:
        axis = len(shape) - 1 if hfortran else 0
        assert got["growth_axis"] == axis
        assert got["growable"] is True
        # The room is what the core's append can write (npy::room): numpy's own limit
        # (the dimensions, zeros as 1, times the itemsize within int64) and the data's
        # end within int64.
        others = [d for i, d in enumerate(shape) if i != axis]
        itemsize = np.dtype(dtype).itemsize
        limit = (2**63 - 1) // (itemsize * int(np.prod([max(d, 1) for d in others])))
        row_bytes = itemsize * int(np.prod(others))
        if row_bytes:
            limit = min(limit, (2**63 - 1 - offset) // row_bytes)
        assert got["growth_max_len"] == limit
    else:
        assert "growth_axis" not in got


def test_info_raw_as_memmap(cli, tmp_path):
    p = tmp_path / "raw.bin"
    p.write_bytes(bytes(range(256)) * 4 + b"xyz")
    m = np.memmap(p, dtype=">u2", mode="r", offset=5)
    got = json.loads(run(cli, "info", "--json", "--dtype", ">u2", "--offset", 5, p).stdout)
    assert (got["format"], got["dtype"], tuple(got["shape"])) == ("raw", m.dtype.str, m.shape)
    assert got["data_offset"] == 5 and got["data_bytes"] == m.nbytes == 1022
    assert got["trailing_bytes"] == 0 and got["file_size"] == 1027
    m = np.memmap(p, dtype="<f4", mode="r", offset=8, shape=(4, 5), order="F")
    got = json.loads(run(cli, "info", "--json", "--dtype", "<f4", "--offset", 8,
                         "--shape", "4,5", "--order", "F", p).stdout)
    assert tuple(got["shape"]) == m.shape and got["order"] == "F"
    assert got["trailing_bytes"] == 1027 - 8 - 80
    # numpy refuses a size that is not a multiple of the itemsize; so does mm_open
    with pytest.raises(ValueError):
        np.memmap(p, dtype=">u2", mode="r", offset=6)
    r = run(cli, "info", "--dtype", ">u2", "--offset", 6, p, check=False)
    assert r.returncode == 1 and str(p) in r.stderr


def test_info_header_without_growth_room(cli, tmp_path):
    # A header padded only to 16 bytes (as old numpy versions wrote): append rewrites a
    # header as np.save writes it, which is longer, so the growth axis has no room at all
    # (its max length is its length; test_cli_npz_grow.py appends to show it).
    d = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"
    pad = 16 - (10 + len(d) + 1) % 16
    assert pad < 16
    head = b"\x93NUMPY\x01\x00" + (len(d) + pad + 1).to_bytes(2, "little") + d.encode() + b" " * pad + b"\n"
    p = tmp_path / "tight.npy"
    p.write_bytes(head + np.arange(3.0).tobytes())
    assert np.array_equal(np.load(p), np.arange(3.0))
    got = json.loads(run(cli, "info", "--json", p).stdout)
    assert got["growth_max_len"] == 3
    assert got["growable"] is False
    r = run(cli, "check", "--require-growable", p, check=False)
    np.save(tmp_path / "ref.npy", np.arange(3.0))
    want = "it is %d bytes, np.save's for this array is %d" % (
        len(head), np.load(tmp_path / "ref.npy", mmap_mode="r").offset)
    assert r.returncode == 1 and want in r.stdout, r.stdout
    assert run(cli, "check", p).returncode == 0


# ------------------------------------------------------------------------ stats

STATS_DTYPES = ["<f8", "<f4", ">f8", "<i8", "<i2", "|u1", "<u8", "|b1", "<c16", "<f2"]


@pytest.mark.parametrize("dtype", STATS_DTYPES)
@pytest.mark.parametrize("kind", ["normal", "special"])
def test_stats_against_numpy(cli, tmp_path, dtype, kind):
    rng = np.random.default_rng(7)
    a = values(dtype, kind, 300_001, rng).reshape(300_001, 1)
    p = tmp_path / "a.npy"
    np.save(p, a)
    for sl, threads in [(None, 1), (None, 4), ("::-3", 2), ("::-1", 2), ("5:-7", 3)]:
        x = a[np_index(sl)] if sl else a
        args = ["stats", "--json", "--threads", threads, p] + ([sl] if sl else [])
        got = json.loads(run(cli, *args).stdout)
        parts = [("real", x.real), ("imag", x.imag)] if x.dtype.kind == "c" else [(None, x)]
        for name, v in parts:
            g = got[name] if name else got
            check_stats(g, v)


def check_stats(g, v):
    assert g["count"] == v.size
    if v.dtype.kind == "f":
        assert g["nan"] == int(np.isnan(v).sum())
        assert g["posinf"] == int(np.isposinf(v).sum())
        assert g["neginf"] == int(np.isneginf(v).sum())
    # min and max exactly (nan when numpy's is nan)
    for key, want in [("min", v.min()), ("max", v.max())]:
        if v.dtype.kind == "f":
            assert np.array_equal(np.array(g[key], dtype=v.dtype), want, equal_nan=True), (key, g[key], want)
        else:
            assert g[key] == int(want), (key, g[key], want)
    with np.errstate(invalid="ignore"):
        # numpy in float64 (its float32/float16 mean accumulates in the input's own type);
        # ours: compensated sums and Welford/Chan in float64, so within rtol 1e-12 of
        # numpy's float64 pairwise result.
        mean = np.mean(v, dtype=np.float64)
        std = np.std(v, dtype=np.float64)
    for key, want in [("mean", mean), ("std", std)]:
        got = g[key]
        if np.isnan(want) or np.isinf(want):
            assert np.array_equal(np.float64(got), want, equal_nan=True), (key, got, want)
        else:
            assert got == pytest.approx(float(want), rel=1e-12, abs=1e-300), (key, got, want)


def test_stats_zero_size_and_text(cli, tmp_path):
    p = tmp_path / "e.npy"
    np.save(p, np.zeros((0, 3)))
    got = json.loads(run(cli, "stats", "--json", p).stdout)
    assert got == {"count": 0, "nan": 0, "posinf": 0, "neginf": 0}
    np.save(p, np.array([1.0, 2.0, 4.0]))
    assert run(cli, "stats", p).stdout.splitlines()[4:] == [
        "min:        1.0", "max:        4.0", "mean:       2.3333333333333335",
        "std:        %s" % repr(float(np.std([1.0, 2.0, 4.0])))]


def test_stats_refuses_non_numeric(cli, tmp_path):
    p = tmp_path / "s.npy"
    np.save(p, np.array([b"ab"]))
    r = run(cli, "stats", p, check=False)
    assert r.returncode == 1 and str(p) in r.stderr and "numeric dtype" in r.stderr


# ------------------------------------------------------------------------ check

def test_check_good_and_broken(cli, tmp_path):
    good = tmp_path / "good.npy"
    np.save(good, np.arange(10.0))
    r = run(cli, "check", "-v", good)
    assert (r.returncode, r.stdout) == (0, "%s: ok\n" % good)
    blob = good.read_bytes()
    trunc = tmp_path / "trunc.npy"
    trunc.write_bytes(blob[:-5])
    trail = tmp_path / "trail.npy"
    trail.write_bytes(blob + b"abc")
    bad = tmp_path / "bad.npy"
    bad.write_bytes(blob[:10] + blob[10:].replace(b"'descr'", b"'descx'", 1))
    magic = tmp_path / "magic.npy"
    magic.write_bytes(b"hello world")
    r = run(cli, "check", good, trunc, trail, bad, magic, check=False)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert len(lines) == 4, lines
    assert lines[0] == ("%s: truncated: the header says 80 data bytes from offset 128 (shape (10,), "
                        "dtype <f8), but the file has 203 bytes (5 missing)" % trunc)
    assert lines[1] == "%s: 3 trailing bytes after the data (np.save writes none; numpy ignores them)" % trail
    assert lines[2].startswith("%s: bad header: " % bad)
    assert lines[3] == "%s: not a .npy file (no \\x93NUMPY magic)" % magic
    assert run(cli, "check", "--allow-trailing", trail).returncode == 0
    # info describes a truncated file from its header (nothing is mapped)
    got = json.loads(run(cli, "info", "--json", trunc).stdout)
    assert (got["data_bytes"], got["file_size"], got["missing_bytes"], got["trailing_bytes"]) == (80, 203, 5, 0)
    got = json.loads(run(cli, "info", "--json", trail).stdout)
    assert (got["missing_bytes"], got["trailing_bytes"]) == (0, 3)
    with pytest.raises(ValueError):
        np.load(bad)


# ------------------------------------------------------------------------ convert

def converted(cli, tmp_path, src, name, *args):
    out = tmp_path / name
    run(cli, "convert", src, out, *args)
    return out.read_bytes()


def np_saved(tmp_path, arr):
    q = tmp_path / "numpy.npy"
    np.save(q, arr)
    return q.read_bytes()


@pytest.mark.parametrize("dtype", ["<f8", "<i4", "|u1", "<c8", "|b1", "<f2"])
@pytest.mark.parametrize("shape", [(3, 4), (5,), (2, 3, 4), (1, 6), ()])
def test_convert_byte_identical(cli, tmp_path, dtype, shape):
    # np.array(a, order=...) rather than np.asfortranarray, which turns a 0-d array into 1-D
    rng = np.random.default_rng(3)
    a = values(dtype, "small", int(np.prod(shape)), rng).reshape(shape)
    src = tmp_path / "src.npy"
    np.save(src, a)
    assert converted(cli, tmp_path, src, "f.npy", "--order", "F") == np_saved(tmp_path, np.array(a, order="F"))
    fsrc = tmp_path / "fsrc.npy"
    np.save(fsrc, np.array(a, order="F"))
    assert converted(cli, tmp_path, fsrc, "c.npy", "--order", "C") == np_saved(tmp_path, np.array(a, order="C"))
    assert converted(cli, tmp_path, fsrc, "same.npy") == np_saved(tmp_path, np.load(fsrc))
    swapped = a.dtype.newbyteorder("S")
    assert converted(cli, tmp_path, src, "s.npy", "--dtype", swapped.str) == np_saved(tmp_path, a.astype(swapped))
    # .npy -> raw is tofile(); raw -> .npy is np.save of the memmap
    raw = converted(cli, tmp_path, src, "a.bin")
    assert raw == a.tobytes()
    back = converted(cli, tmp_path, tmp_path / "a.bin", "back.npy", "--dtype", a.dtype.str,
                     "--shape", ",".join(map(str, shape)) or "()")
    assert back == np_saved(tmp_path, a)


def test_convert_matrix_in_several_tiles(cli, tmp_path):
    # 2049 x 2051 <f8 (34 MB): a C <-> F conversion reads it in tiles of 32 MiB, so the
    # transposed copy crosses a tile boundary (2045 + 4 output rows).
    a = np.arange(2049 * 2051, dtype="<f8").reshape(2049, 2051)
    src = tmp_path / "src.npy"
    np.save(src, a)
    assert converted(cli, tmp_path, src, "f.npy", "--order", "F") == np_saved(tmp_path, np.asfortranarray(a))
    os.remove(tmp_path / "f.npy")
    assert converted(cli, tmp_path, src, "fc.npy", "--order", "F", "--dtype", ">c16") == \
        np_saved(tmp_path, np.asfortranarray(a).astype(">c16"))


CASTS = [("<i4", "<f8"), ("<i2", "<f4"), ("|u1", "<i2"), ("|i1", "<f2"), ("<f4", "<f8"),
         ("<f4", "<c8"), ("<f8", "<c16"), ("|b1", "<i8"), ("<u4", ">i8"), ("<i8", "<f8"),
         ("<c8", ">c16"), ("<f2", "<f4")]


@pytest.mark.parametrize("src_dt,dst_dt", CASTS)
def test_convert_safe_casts(cli, tmp_path, src_dt, dst_dt):
    assert np.can_cast(src_dt, dst_dt, "safe")
    rng = np.random.default_rng(5)
    a = values(src_dt, "normal", 60, rng).reshape(6, 10)
    src = tmp_path / "src.npy"
    np.save(src, np.asfortranarray(a))
    assert converted(cli, tmp_path, src, "o.npy", "--dtype", dst_dt) == \
        np_saved(tmp_path, np.asfortranarray(a).astype(dst_dt))
    assert converted(cli, tmp_path, src, "oc.npy", "--dtype", dst_dt, "--order", "C") == \
        np_saved(tmp_path, np.ascontiguousarray(a.astype(dst_dt)))


@pytest.mark.parametrize("dtype", ["<M8[s]", "<m8[10ms]", "<U3"])
def test_convert_byte_order_of_non_numeric(cli, tmp_path, dtype):
    rng = np.random.default_rng(9)
    if dtype == "<U3":
        a = np.array([["ab", "\u00e9t\u00e9", ""], ["x", "yz", "\u4e2d"]], dtype=dtype)
    else:
        a = rng.integers(-2**40, 2**40, 6).astype("<i8").view(dtype).reshape(2, 3)
    src = tmp_path / "src.npy"
    np.save(src, a)
    to = np.dtype(dtype).newbyteorder("S")
    assert np.can_cast(a.dtype, to, "safe")
    assert converted(cli, tmp_path, src, "s.npy", "--dtype", to.str, "--order", "F") == \
        np_saved(tmp_path, np.asfortranarray(a.astype(to)))


@pytest.mark.parametrize("src_dt,dst_dt", [("<f8", "<f4"), ("<i8", "<i4"), ("<i4", "<f4"),
                                           ("<u8", "<i8"), ("<c16", "<f8"), ("<f8", "<i8")])
def test_convert_refuses_unsafe_casts(cli, tmp_path, src_dt, dst_dt):
    assert not np.can_cast(src_dt, dst_dt, "safe")
    src = tmp_path / "src.npy"
    np.save(src, np.zeros(4, dtype=src_dt))
    out = tmp_path / "out.npy"
    r = run(cli, "convert", "--dtype", dst_dt, src, out, check=False)
    assert r.returncode == 1
    assert str(src) in r.stderr and "safe" in r.stderr
    assert sorted(os.listdir(tmp_path)) == ["src.npy"]


# ------------------------------------------------------------------------ errors

def test_errors_exit_status_and_nothing_written(cli, tmp_path):
    p = tmp_path / "a.npy"
    np.save(p, np.arange(6.0).reshape(2, 3))
    cases = [
        (["show", p, "0, 0, 0"], 2, "too many indices for array: array is 2-dimensional, but 3 were indexed"),
        (["show", p, "5"], 2, "index 5 is out of bounds for axis 0 with size 2"),
        (["show", p, "::0"], 2, "slice step cannot be zero"),
        (["show", p, "x"], 2, "is not an integer"),
        (["info", "--dtype", "<q9", p], 2, "data type"),
        (["info", "--dtype", "<f8", "--shape", "1,-2", p], 2, "--shape"),
        (["frobnicate"], 2, "unrecognized subcommand"),
        (["info"], 2, "required"),
        (["info", tmp_path / "missing.npy"], 1, "missing.npy"),
        (["show", tmp_path], 1, str(tmp_path)),
        (["info", "--dtype", "<f8", "--shape", "100", p], 1, str(p)),
        (["convert", p, tmp_path / "no" / "dir.npy"], 1, "dir.npy"),
        (["convert", p, tmp_path / "o.bin", "--compress"], 2, "--compress is for a .npz output"),
    ]
    before = sorted(os.listdir(tmp_path))
    for args, status, text in cases:
        r = run(cli, *args, check=False)
        assert r.returncode == status, (args, r.returncode, r.stderr)
        assert text in r.stderr, (args, r.stderr)
        assert "panicked" not in r.stderr and "RUST_BACKTRACE" not in r.stderr
        assert sorted(os.listdir(tmp_path)) == before, args
    # a truncated source: convert fails and leaves nothing behind
    t = tmp_path / "t.npy"
    t.write_bytes(p.read_bytes()[:-8])
    r = run(cli, "convert", t, tmp_path / "out.npy", check=False)
    assert r.returncode == 1 and "t.npy" in r.stderr and "truncated" in r.stderr
    assert not (tmp_path / "out.npy").exists()
    assert not [n for n in os.listdir(tmp_path) if "tmp" in n]
    # a plain file is not taken for a .npy
    q = tmp_path / "plain.txt"
    q.write_text("hello")
    r = run(cli, "show", q, check=False)
    assert r.returncode == 1 and "not a .npy file" in r.stderr and "--dtype" in r.stderr


def test_info_several_files_one_bad(cli, tmp_path):
    good = tmp_path / "good.npy"
    np.save(good, np.arange(3, dtype="<i2"))
    bad = tmp_path / "bad.npy"
    bad.write_bytes(b"\x93NUMPY\x01\x00\x10\x00{'descr': 1}    \n")
    r = run(cli, "info", "--json", good, bad, good, check=False)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert len(lines) == 2 and all(json.loads(l)["dtype"] == "<i2" for l in lines)
    assert r.stderr.startswith("mmarray: %s: " % bad) and r.stderr.count("\n") == 1
    with pytest.raises(ValueError):
        np.load(bad)


def test_convert_onto_itself(cli, tmp_path):
    p = tmp_path / "a.npy"
    a = np.arange(12.0).reshape(3, 4)
    np.save(p, a)
    run(cli, "convert", p, p, "--order", "F")
    assert p.read_bytes() == np_saved(tmp_path, np.asfortranarray(a))
    assert sorted(os.listdir(tmp_path)) == ["a.npy", "numpy.npy"]

