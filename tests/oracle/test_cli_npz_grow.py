"""The `mmarray` command-line tool on .npz archives (info, show, stats, check, convert)
and growable .npy files (append, recover, growable), against numpy and zipfile; with
the special-file and --help tests moved here from test_cli.py (kept under 600 lines).
"""

import json
import os
import zipfile

import numpy as np
import pytest

from test_cli import cli, run  # noqa: F401  (cli is a fixture)


def members_of(path):
    """What numpy and zipfile say of each member: key, array, ZipInfo."""
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
    with np.load(path) as z:
        return [(i.filename[:-4], z[i.filename[:-4]], i) for i in infos]


def npy_header_len(raw):
    """The length of the .npy header at the start of `raw` (prefix included)."""
    if raw[6] == 1:
        return 10 + int.from_bytes(raw[8:10], "little")
    return 12 + int.from_bytes(raw[8:12], "little")


ARRAYS = {
    "f8": np.arange(12.0).reshape(3, 4),
    "fort": np.asfortranarray(np.arange(24, dtype=">i4").reshape(2, 3, 4)),
    "zero_d": np.array(3.5, dtype="<f4"),
    "empty": np.zeros((0, 5), dtype="<u2"),
    "text": np.array(["ab", "cde"], dtype="<U3"),
    "c16": (np.arange(7) + 1j).astype("<c16"),
}


@pytest.mark.parametrize("compressed", [False, True])
def test_npz_info_equals_numpy_and_zipfile(cli, tmp_path, compressed):
    p = tmp_path / "a.npz"
    (np.savez_compressed if compressed else np.savez)(p, **ARRAYS)
    got = json.loads(run(cli, "info", "--json", p).stdout)
    assert got["format"] == "npz" and got["file_size"] == os.path.getsize(p)
    want = members_of(p)
    assert [m["name"] for m in got["members"]] == [k for k, _, _ in want] == list(ARRAYS)
    raw = p.read_bytes()
    for m, (key, arr, zi) in zip(got["members"], want):
        assert m["dtype"] == arr.dtype.str and m["dtype_name"] == arr.dtype.name
        assert tuple(m["shape"]) == arr.shape
        fortran = arr.flags.f_contiguous and not arr.flags.c_contiguous
        assert m["order"] == ("F" if fortran else "C"), key
        assert m["method"] == ("deflated" if compressed else "stored")
        assert zi.compress_type == (zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED)
        assert (m["compressed"], m["uncompressed"]) == (zi.compress_size, zi.file_size)
        if compressed:
            assert m["data_offset"] is None
        else:
            start = zi.header_offset + 30 + len(zi.filename) + int.from_bytes(
                raw[zi.header_offset + 28:zi.header_offset + 30], "little")
            assert m["data_offset"] == start + npy_header_len(raw[start:])
            data = raw[m["data_offset"]:m["data_offset"] + arr.nbytes]
            assert data == arr.tobytes(order="F" if fortran else "C"), key
    text = run(cli, "info", p).stdout
    assert "members:        6" in text
    for key in ARRAYS:
        assert ("  " + key + " ") in text


@pytest.mark.parametrize("compressed", [False, True])
def test_npz_member_info_equals_numpy_and_zipfile(cli, tmp_path, compressed):
    """info ARCHIVE.npz:NAME: the fields of a .npy's info that apply to a member, as
    numpy reads the member, and its stored/deflated method and sizes as zipfile says."""
    p = tmp_path / "a.npz"
    (np.savez_compressed if compressed else np.savez)(p, **ARRAYS)
    raw = p.read_bytes()
    for key, arr, zi in members_of(p):
        for name in (key, key + ".npy"):
            got = json.loads(run(cli, "info", "--json", "%s:%s" % (p, name)).stdout)
            with zipfile.ZipFile(p) as zf:
                head = zf.open(zi.filename).read(zi.file_size)
            version = (head[6], head[7])
            hlen = npy_header_len(head)
            fortran = arr.flags.f_contiguous and not arr.flags.c_contiguous
            assert got["file"] == "%s:%s" % (p, name) and got["format"] == "npz member"
            assert (got["archive"], got["member"]) == (str(p), zi.filename)
            assert (got["dtype"], got["dtype_name"]) == (arr.dtype.str, arr.dtype.name)
            assert got["itemsize"] == arr.dtype.itemsize
            assert tuple(got["shape"]) == arr.shape and got["size"] == arr.size
            assert got["order"] == ("F" if fortran else "C")
            assert got["version"] == "%d.%d" % version
            assert got["header_len"] == hlen - (10 if version[0] == 1 else 12)
            assert got["method"] == ("deflated" if compressed else "stored")
            assert (got["compressed"], got["uncompressed"]) == (zi.compress_size, zi.file_size)
            assert got["data_bytes"] == arr.nbytes
            assert got["archive_size"] == len(raw)
            assert (got["trailing_bytes"], got["missing_bytes"]) == (0, 0)
            assert "growth_axis" not in got
            if compressed:
                assert got["data_offset"] is None
            else:
                start = zi.header_offset + 30 + len(zi.filename) + int.from_bytes(
                    raw[zi.header_offset + 28:zi.header_offset + 30], "little")
                assert got["data_offset"] == start + hlen
                assert raw[start + hlen:start + hlen + arr.nbytes] == head[hlen:hlen + arr.nbytes]
    text = run(cli, "info", "%s:f8" % p).stdout.splitlines()
    assert text[:2] == ["file:           %s:f8" % p, "format:         npz member"]
    assert ("method:         %s" % ("deflated" if compressed else "stored")) in text
    assert ("data_offset:    -" in text) == compressed
    # a missing member; a member where a .npy file is grown or repaired in place
    r = run(cli, "info", "%s:nope" % p, check=False)
    assert r.returncode == 1 and "\"nope\" is not a member of the archive (members: f8, fort" in r.stderr
    for args in (["recover", "%s:f8" % p], ["growable", "%s:f8" % p],
                 ["append", "%s:f8" % p, "%s:f8" % p]):
        r = run(cli, *args, check=False)
        assert r.returncode == 2 and "a member of a .npz archive" in r.stderr, args
    assert p.read_bytes() == raw
    # check of one member: that member's CRC only
    r = run(cli, "check", "-v", "%s:f8" % p, "%s:nope" % p, check=False)
    assert r.returncode == 1
    assert r.stdout == "%s:f8: ok\n%s: \"nope\" is not a member of the archive\n" % (p, p)


def test_npz_members_show_and_stats(cli, tmp_path):
    for save in (np.savez, np.savez_compressed):
        p = tmp_path / ("%s.npz" % save.__name__)
        save(p, **ARRAYS)
        for key, arr in ARRAYS.items():
            r = run(cli, "show", "%s:%s" % (p, key))
            assert r.stdout == repr(np.load(p)[key]) + "\n", key
        # "name.npy" is accepted too, as numpy's lookup does
        assert run(cli, "show", "%s:f8.npy" % p, "1, ::-1").stdout == repr(ARRAYS["f8"][1, ::-1]) + "\n"
        g = json.loads(run(cli, "stats", "--json", "%s:f8" % p).stdout)
        x = np.load(p)["f8"]
        assert (g["count"], g["min"], g["max"], g["mean"]) == (x.size, x.min(), x.max(), x.mean())


def test_npz_check_reads_every_crc(cli, tmp_path):
    good = tmp_path / "good.npz"
    np.savez(good, a=np.arange(100.0), b=np.arange(10, dtype="<i2"))
    comp = tmp_path / "comp.npz"
    np.savez_compressed(comp, a=np.arange(100.0), b=np.arange(10, dtype="<i2"))
    r = run(cli, "check", "-v", good, comp)
    assert r.returncode == 0 and r.stdout == "%s: ok\n%s: ok\n" % (good, comp)
    # one flipped byte in a stored member's data: the mapping would not notice, check does
    bad = tmp_path / "bad.npz"
    raw = bytearray(good.read_bytes())
    off = json.loads(run(cli, "info", "--json", good).stdout)["members"][0]["data_offset"]
    raw[off + 8] ^= 0xFF
    bad.write_bytes(bytes(raw))
    with pytest.raises(zipfile.BadZipFile):
        np.load(bad)["a"]
    r = run(cli, "check", good, bad, check=False)
    assert r.returncode == 1
    assert r.stdout.startswith("%s: member \"a.npy\": CRC-32 of its bytes is " % bad), r.stdout
    assert r.stdout.count("\n") == 1
    # one member at a time: the other member of the same archive is fine
    assert run(cli, "check", "%s:b" % bad).stdout == ""
    r = run(cli, "check", "%s:a" % bad, check=False)
    assert r.returncode == 1 and "CRC-32" in r.stdout
    # a flipped byte in a deflated member
    cbad = tmp_path / "cbad.npz"
    raw = bytearray(comp.read_bytes())
    zi = zipfile.ZipFile(comp).infolist()[0]
    raw[zi.header_offset + 30 + len(zi.filename) + 20 + zi.compress_size // 2] ^= 0x55
    cbad.write_bytes(bytes(raw))
    r = run(cli, "check", cbad, check=False)
    assert r.returncode == 1 and r.stdout.startswith("%s: member \"a.npy\"" % cbad), r.stdout
    # a truncated archive (no end record): one line naming the file
    t = tmp_path / "t.npz"
    t.write_bytes(good.read_bytes()[:-30])
    r = run(cli, "check", t, check=False)
    assert r.returncode == 1 and r.stdout.startswith("%s: " % t) and r.stdout.count("\n") == 1


@pytest.mark.parametrize("src_save", ["savez", "savez_compressed"])
def test_convert_member_to_npy_byte_identical(cli, tmp_path, src_save):
    p = tmp_path / "a.npz"
    getattr(np, src_save)(p, **ARRAYS)
    for key, arr in ARRAYS.items():
        out = tmp_path / ("%s.npy" % key)
        run(cli, "convert", "%s:%s" % (p, key), out)
        ref = tmp_path / "ref.npy"
        np.save(ref, np.load(p)[key])
        assert out.read_bytes() == ref.read_bytes(), key


def test_convert_npys_to_npz(cli, tmp_path):
    srcs = []
    for key, arr in ARRAYS.items():
        srcs.append(tmp_path / ("%s.npy" % key))
        np.save(srcs[-1], arr)
    ref = tmp_path / "ref.npz"
    np.savez(ref, **ARRAYS)
    out = tmp_path / "out.npz"
    run(cli, "convert", *srcs, out)
    assert out.read_bytes() == ref.read_bytes()
    # a member of an archive as input, named by its member name
    out2 = tmp_path / "out2.npz"
    run(cli, "convert", "%s:fort" % ref, srcs[0], out2)
    ref2 = tmp_path / "ref2.npz"
    np.savez(ref2, fort=ARRAYS["fort"], f8=ARRAYS["f8"])
    assert out2.read_bytes() == ref2.read_bytes()
    # --compress: numpy reads equal values from deflated members (the deflate bytes are
    # miniz_oxide's, not zlib's, so the file is not byte-identical to savez_compressed)
    outc = tmp_path / "outc.npz"
    run(cli, "convert", "--compress", *srcs, outc)
    with zipfile.ZipFile(outc) as zf:
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in zf.infolist())
        assert zf.testzip() is None
    with np.load(outc) as z:
        assert z.files == list(ARRAYS)
        for key, arr in ARRAYS.items():
            got = z[key]
            assert got.dtype == arr.dtype and got.shape == arr.shape
            assert got.tobytes() == arr.tobytes(), key
            assert got.flags.f_contiguous == arr.flags.f_contiguous


def test_npz_errors_exit_status_and_nothing_written(cli, tmp_path):
    a = tmp_path / "a.npy"
    np.save(a, np.arange(4.0))
    s = tmp_path / "s.npz"
    np.savez(s, x=np.arange(3), y=np.arange(2.0))
    sub = tmp_path / "sub"
    sub.mkdir()
    np.save(sub / "a.npy", np.arange(2))
    cases = [
        (["show", s], 2, "%s: a .npz archive; name one of its members as %s:NAME (members: x, y)" % (s, s)),
        (["stats", s], 2, "members: x, y"),
        (["show", "%s:nope" % s], 1, "%s:nope: \"nope\" is not a member of the archive" % s),
        (["show", "%s:x" % s, "--dtype", "<f8"], 2, "not a .npz member"),
        (["convert", a, sub / "a.npy", tmp_path / "o.npz"], 2, "a second input named \"a\""),
        (["convert", a, sub / "a.npy", tmp_path / "o.npy"], 2, "several inputs are converted only into a .npz"),
        (["convert", a, tmp_path / "no" / "o.npz"], 1, "o.npz"),
        (["convert", a, tmp_path / "missing.npy", tmp_path / "o.npz"], 1, "missing.npy"),
        (["convert", "--dtype", "<f4", a, tmp_path / "o.npz"], 2, "convert to .npz"),
        (["check", tmp_path / "none.npz"], 1, "none.npz"),
    ]
    before = sorted(os.listdir(tmp_path))
    for args, status, text in cases:
        r = run(cli, *args, check=False)
        assert r.returncode == status, (args, r.returncode, r.stderr)
        assert text in r.stderr + r.stdout, (args, r.stderr, r.stdout)
        assert "panicked" not in r.stderr
        assert sorted(os.listdir(tmp_path)) == before, args


# ------------------------------------------------------------------------ growing

@pytest.mark.parametrize("fortran", [False, True])
def test_append_equals_numpy_concatenate(cli, tmp_path, fortran):
    axis = -1 if fortran else 0
    parts = [np.arange(k * 6, dtype="<f8") for k in (2, 3, 1)]
    parts = [p.reshape((2, 3, -1) if fortran else (-1, 3, 2)) for p in parts]
    if fortran:
        parts = [np.asfortranarray(p) for p in parts]
    dst, srcs = tmp_path / "dst.npy", []
    np.save(dst, parts[0])
    for i, p in enumerate(parts[1:]):
        srcs.append(tmp_path / ("s%d.npy" % i))
        np.save(srcs[-1], p)
    whole = np.concatenate(parts, axis=axis)
    r = run(cli, "append", dst, *srcs)
    assert r.stdout == "%s: shape %s\n" % (dst, whole.shape)
    ref = tmp_path / "ref.npy"
    np.save(ref, whole)
    assert dst.read_bytes() == ref.read_bytes()


def test_append_from_member_and_refusals(cli, tmp_path):
    dst = tmp_path / "dst.npy"
    np.save(dst, np.arange(6, dtype="<i4").reshape(3, 2))
    z = tmp_path / "z.npz"
    np.savez_compressed(z, r=np.array([[7, 8]], dtype="<i4"))
    run(cli, "append", dst, "%s:r" % z)
    assert np.array_equal(np.load(dst), np.array([[0, 1], [2, 3], [4, 5], [7, 8]]))
    good = tmp_path / "good.npy"
    np.save(good, np.zeros((1, 2), dtype="<i4"))
    bad_cases = [
        (np.zeros((1, 2), dtype="<i8"), "its dtype <i8 is not"),
        (np.zeros((1, 2), dtype=">i4"), "its dtype >i4 is not"),
        (np.zeros((1, 3), dtype="<i4"), "its shape (1, 3) differs"),
        (np.zeros(2, dtype="<i4"), "it has 1 axes"),
        (np.asfortranarray(np.zeros((2, 2), dtype="<i4")), "is not in"),
    ]
    before = dst.read_bytes()
    for arr, text in bad_cases:
        src = tmp_path / "bad.npy"
        np.save(src, arr)
        # the good source before the bad one is not appended either
        r = run(cli, "append", dst, good, src, check=False)
        assert r.returncode == 1, (text, r.stderr)
        assert r.stderr.startswith("mmarray: %s: cannot append to %s: " % (src, dst)), r.stderr
        assert text in r.stderr and "nothing was appended" in r.stderr
        assert dst.read_bytes() == before
    r = run(cli, "append", dst, check=False)
    assert r.returncode == 2
    z0 = tmp_path / "z0.npy"
    np.save(z0, np.array(1.0))
    r = run(cli, "append", z0, z0, check=False)
    assert r.returncode == 1 and "0-d" in r.stderr and str(z0) in r.stderr


def test_recover_after_a_crashed_append(cli, tmp_path):
    p = tmp_path / "a.npy"
    a = np.arange(10.0).reshape(5, 2)
    np.save(p, a)
    # a crash after writing 2.5 rows but before the header: the header still says 5
    with open(p, "ab") as f:
        f.write(np.arange(100.0, 105.0).tobytes())
    r = run(cli, "recover", p)
    assert r.stdout == "7\n"
    ref = tmp_path / "ref.npy"
    np.save(ref, np.concatenate([a, np.arange(100.0, 104.0).reshape(2, 2)]))
    assert p.read_bytes() == ref.read_bytes()
    assert run(cli, "recover", p).stdout == "7\n" and p.read_bytes() == ref.read_bytes()
    r = run(cli, "recover", tmp_path / "none.npy", check=False)
    assert r.returncode == 1 and "none.npy" in r.stderr


def tight_npy(path, arr):
    """A .npy whose header is padded to 16 bytes only (as old numpy and other tools
    write), so its growth axis has little room."""
    d = "{'descr': '%s', 'fortran_order': False, 'shape': %r, }" % (arr.dtype.str, arr.shape)
    pad = 16 - (10 + len(d) + 1) % 16
    pad = 0 if pad == 16 else pad
    head = b"\x93NUMPY\x01\x00" + (len(d) + pad + 1).to_bytes(2, "little") + d.encode() + b" " * pad + b"\n"
    path.write_bytes(head + arr.tobytes())
    assert np.array_equal(np.load(path), arr)


def test_info_growth_room_is_what_append_reaches(cli, tmp_path):
    """info's growth_max_len is exactly the length append can reach: rows of 0 bytes
    reach numpy's own limit without data (np.save writes (M, 0) float64 and refuses
    M + 1), and one more row is refused with the file unchanged; a header without
    np.save's room reports its own length, and one more row is refused."""
    limit = (2**63 - 1) // 8
    np.empty((limit, 0))
    with pytest.raises(ValueError):
        np.empty((limit + 1, 0))
    p = tmp_path / "z.npy"
    np.save(p, np.empty((1, 0)))
    got = json.loads(run(cli, "info", "--json", p).stdout)
    assert (got["growth_axis"], got["growth_max_len"], got["growable"]) == (0, limit, True)
    src = tmp_path / "src.npy"
    np.save(src, np.empty((limit - 1, 0)))
    assert run(cli, "append", p, src).stdout == "%s: shape (%d, 0)\n" % (p, limit)
    assert np.load(p).shape == (limit, 0)
    before = p.read_bytes()
    one = tmp_path / "one.npy"
    np.save(one, np.empty((1, 0)))
    r = run(cli, "append", p, one, check=False)
    assert r.returncode == 1 and "overflows the file size or numpy's array size" in r.stderr, r.stderr
    assert p.read_bytes() == before
    assert json.loads(run(cli, "info", "--json", p).stdout)["growth_max_len"] == limit
    # No room: the max is the current length; one more row is refused.
    t = tmp_path / "t.npy"
    a = np.arange(30, dtype="<i2").reshape(10, 3)
    tight_npy(t, a)
    got = json.loads(run(cli, "info", "--json", t).stdout)
    assert (got["growth_max_len"], got["growable"]) == (10, False)
    before = t.read_bytes()
    np.save(one, a[:1])
    r = run(cli, "append", t, one, check=False)
    assert r.returncode == 1 and "has no room" in r.stderr
    assert t.read_bytes() == before


def test_growable_rewrites_as_np_save(cli, tmp_path):
    a = np.arange(30, dtype="<i2").reshape(10, 3)
    p = tmp_path / "t.npy"
    tight_npy(p, a)
    assert json.loads(run(cli, "info", "--json", p).stdout)["growable"] is False
    one = tmp_path / "one.npy"
    np.save(one, a[:1])
    r = run(cli, "append", p, one, check=False)
    assert r.returncode == 1 and "has no room" in r.stderr
    assert r.stderr.rstrip().endswith("`mmarray growable %s` does that" % p)
    os.remove(one)
    r = run(cli, "growable", p)
    assert r.stdout.startswith("%s: rewritten with np.save's header" % p)
    ref = tmp_path / "ref.npy"
    np.save(ref, a)
    assert p.read_bytes() == ref.read_bytes()
    assert sorted(os.listdir(tmp_path)) == ["ref.npy", "t.npy"]
    # already growable: unchanged, not even rewritten (same inode, same bytes)
    ino = os.stat(p).st_ino
    r = run(cli, "growable", p)
    assert r.stdout.startswith("%s: already growable" % p) and "unchanged" in r.stdout
    assert os.stat(p).st_ino == ino and p.read_bytes() == ref.read_bytes()
    # and it can now grow past what the tight header could hold
    big = tmp_path / "big.npy"
    np.save(big, np.zeros((10 ** 6, 3), dtype="<i2"))
    run(cli, "append", p, big)
    assert np.load(p, mmap_mode="r").shape == (10 ** 6 + 10, 3)
    r = run(cli, "growable", tmp_path / "none.npy", check=False)
    assert r.returncode == 1 and "none.npy" in r.stderr
    z0 = tmp_path / "z0.npy"
    np.save(z0, np.array(1.0))
    r = run(cli, "growable", z0, check=False)
    assert r.returncode == 1 and "%s: a 0-d array has no axis to grow" % z0 in r.stderr


# --------------------------------------------------------------- stats' float64 blocks

def test_stats_float64_blocks_against_numpy(cli, tmp_path):
    """<f8 data goes through two-pass blocks of 2048 values (merged within a work unit
    of 65536 values in shifted coordinates, then unit by unit) when a block is all
    finite, value by value otherwise: a large offset (1e9 + noise: cancellation), blocks
    with and without a NaN or an inf, a tail that is not a multiple of 16."""
    from test_cli import check_stats
    rng = np.random.default_rng(3)
    p = tmp_path / "a.npy"
    # At an offset of 1e9 the means are kept relative to the first value, so merging
    # partial results loses nothing to their rounding (measured 1.7e-15; 4.3e-11 when
    # the means were absolute).
    big = 1e9 + rng.standard_normal(4 * 65536 + 7)
    np.save(p, big)
    g = json.loads(run(cli, "stats", "--json", p).stdout)
    assert g["mean"] == pytest.approx(big.mean(), rel=1e-15)
    assert g["std"] == pytest.approx(big.std(), rel=1e-12)
    a = 1e4 + rng.standard_normal(4 * 65536 + 7)
    np.save(p, a)
    for threads in (1, 2):
        check_stats(json.loads(run(cli, "stats", "--json", "--threads", threads, p).stdout), a)
    b = a.copy()
    b[70000] = np.inf
    np.save(p, b)
    check_stats(json.loads(run(cli, "stats", "--json", p).stdout), b)
    b[200000] = np.nan
    np.save(p, b)
    g = json.loads(run(cli, "stats", "--json", p).stdout)
    assert (g["nan"], g["posinf"]) == (1, 1)
    check_stats(g, b)
    c = np.array([5e-324, -0.0, 0.0, 1.5], dtype="<f8")
    np.save(p, c)
    check_stats(json.loads(run(cli, "stats", "--json", p).stdout), c)


# ------------------------------------------------------------------ moved from test_cli.py

def test_special_files_are_refused_without_blocking(cli, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for args in [["info", fifo], ["show", fifo], ["check", fifo], ["stats", fifo],
                 ["convert", fifo, tmp_path / "o.npy"], ["append", fifo, fifo],
                 ["recover", fifo], ["growable", fifo]]:
        r = run(cli, *args, check=False)   # would block in open() without the check
        assert r.returncode == 1, (args, r.returncode)
        assert ("%s: not a regular file" % fifo) in (r.stderr + r.stdout), (args, r.stderr, r.stdout)
    assert sorted(os.listdir(tmp_path)) == ["fifo"]
    r = run(cli, "info", tmp_path, check=False)
    assert r.returncode == 1 and "%s: a directory" % tmp_path in r.stderr


def test_completions_and_help(cli):
    subs = ["info", "show", "stats", "check", "convert", "append", "recover", "growable",
            "completions"]
    for shell in ["bash", "zsh", "fish"]:
        r = run(cli, "completions", shell)
        assert all(s in r.stdout for s in subs)
    for sub in subs:
        r = run(cli, sub, "--help")
        assert "Usage: mmarray " + sub in r.stdout


def test_file_truncated_while_read_in_place_is_a_message_not_a_signal(cli, tmp_path):
    """stats and convert --order F read float64 data straight from the mapping; a file
    truncated underneath then faults (SIGBUS), which the tool turns into a message naming
    the file and exit status 1. Racy by nature: the truncation is tried at several delays
    after the start; every run must end with status 0 (it finished first) or 1 (with
    the message, or the open saw the short file), never by a signal. Skipped when no
    delay hit the reads."""
    import subprocess
    import time
    n = 64 << 20  # 512 MiB of <f8, sparse: no disk, only page cache while read
    p = tmp_path / "big.npy"
    out = tmp_path / "out.npy"
    hits = 0
    for cmd in (["stats", p], ["convert", p, out, "--order", "F"]):
        for delay in (0.002, 0.005, 0.01, 0.02, 0.04, 0.08):
            with open(p, "wb") as f:
                side = 8192 if cmd[0] == "convert" else None
                shape = (side, n // side) if side else (n,)
                np.lib.format.write_array_header_1_0(
                    f, {"descr": "<f8", "fortran_order": False, "shape": shape})
                f.truncate(f.tell() + 8 * n)
            proc = subprocess.Popen([cli, *map(str, cmd)], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            time.sleep(delay)
            os.truncate(p, 4096)
            _, err = proc.communicate(timeout=120)
            assert proc.returncode in (0, 1), (cmd, delay, proc.returncode, err)
            if "the file no longer covers the data being read" in err:
                assert err.startswith("mmarray: %s: " % p), err
                assert proc.returncode == 1
                hits += 1
            assert sorted(os.listdir(tmp_path)) == ["big.npy"], "convert left a file behind"
    if hits == 0:
        pytest.skip("no truncation landed while the data was being read")
