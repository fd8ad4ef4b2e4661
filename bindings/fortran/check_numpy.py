"""numpy's side of the Fortran test: `write DIR` creates the inputs, `check DIR` verifies
what test_mmarray wrote."""
import sys

import numpy as np

step, d = sys.argv[1], sys.argv[2]
a0 = (np.arange(12).reshape(3, 4) / 2.0).astype("<f8")
b0 = (100 * np.arange(2)[:, None, None] + 10 * np.arange(3)[None, :, None]
      + np.arange(4)[None, None, :]).astype("<i4")
d0 = (np.arange(2)[:, None, None] + 10 * np.arange(3)[None, :, None]
      + 100 * np.arange(4)[None, None, :] + 0.5).astype("<f8")
e0 = (np.arange(6).reshape(2, 3) * 3 - 4).astype("<i4")
rec_dtype = np.dtype([("x", "<f8"), ("c", "<i4", (2, 3)), ("n", "<i8")])
rec0 = np.zeros(3, dtype=rec_dtype)
rec0["x"] = [0.5, 1.5, 2.5]
rec0["c"] = np.arange(18).reshape(3, 2, 3)
if step == "write":
    m = np.memmap(d + "/a.f8", dtype="<f8", mode="w+", offset=16, shape=(3, 4), order="F")
    m[:] = a0
    m.flush()
    del m
    b0.tofile(d + "/b.i4")
    np.save(d + "/d.npy", np.asfortranarray(d0))  # header: fortran_order True
    np.savez(d + "/s.npz", d=np.asfortranarray(d0), e=e0)
    np.savez_compressed(d + "/c.npz", d=np.asfortranarray(d0), e=e0)
    # test_api.f90's inputs.
    b0.tofile(d + "/api_b.i4")
    np.arange(6, dtype="<i4").tofile(d + "/api_fd.i4")
    np.save(d + "/rec.npy", rec0)
else:
    a = np.memmap(d + "/a.f8", dtype="<f8", mode="r", offset=16, shape=(3, 4), order="F")
    assert np.array_equal(a, 2 * a0), a
    b = np.fromfile(d + "/b.i4", dtype="<i4").reshape(2, 3, 4)
    want = b0.copy()
    want[1, 2, 3] = -1
    assert np.array_equal(b, want), b
    c = np.memmap(d + "/c.f8", dtype="<f8", mode="r", shape=(3, 4), order="F")
    assert np.array_equal(c, 2 * a0 + 1), c
    import os
    assert os.path.getsize(d + "/c.f8") == 96
    import io
    dd = np.load(d + "/d.npy")
    assert dd.flags.f_contiguous and np.array_equal(dd, 2 * d0), dd
    # f.npy: mm_save_npy_f of the strided view d[:, ::-1, :]: np.save's bytes.
    buf = io.BytesIO()
    np.save(buf, (2 * d0)[:, ::-1, :])
    assert open(d + "/f.npy", "rb").read() == buf.getvalue()
    # e.npy: made by mm_create_npy_f (order F) and filled by Fortran; np.save's bytes.
    e = np.load(d + "/e.npy")
    assert e.dtype == "<i4" and e.flags.f_contiguous and np.array_equal(e, e0), e
    buf = io.BytesIO()
    np.save(buf, np.asfortranarray(e0))
    assert open(d + "/e.npy", "rb").read() == buf.getvalue()
    # g.f8: <f8 at byte offset 3 written with mm_put_f (issue 10 defect 15).
    assert os.path.getsize(d + "/g.f8") == 3 + 32
    g = np.memmap(d + "/g.f8", dtype="<f8", mode="r", offset=3)
    assert g.tolist() == [-0.5, 0.5, 1.5, 2.5], g
    # out.npz / outc.npz: mm_save_npz_f of the members of s.npz, opened from it.
    buf = io.BytesIO()
    np.savez(buf, d=np.asfortranarray(d0), e=e0)
    assert open(d + "/out.npz", "rb").read() == buf.getvalue()
    import zipfile
    assert zipfile.ZipFile(d + "/outc.npz").testzip() is None
    with np.load(d + "/outc.npz") as z:
        assert z.files == ["d", "e"] and np.array_equal(z["d"], d0) and np.array_equal(z["e"], e0)
    # h.npy: grown by mm_npy_append_f with Fortran sections x(:, 1:2), x(:, 3:5).
    x = (np.arange(1, 4)[:, None] + 10 * np.arange(1, 6)[None, :]).astype("<f8")
    buf = io.BytesIO()
    np.save(buf, np.asfortranarray(x))
    assert open(d + "/h.npy", "rb").read() == buf.getvalue()
    # test_types_and_ranks: pointers of every shared type, ranks up to 7.
    k = np.arange(16)
    t7 = np.load(d + "/t7.npy")
    assert t7.dtype == "<c16" and t7.shape == (2, 1, 2, 1, 2, 1, 2) and t7.flags.f_contiguous
    assert np.array_equal(t7.ravel(order="F"), k - 1j * k), t7
    t3 = np.load(d + "/t3.npy")
    assert t3.dtype == "<c8" and t3.shape == (2, 3, 4) and np.all(t3 == 1.5 - 2j), t3
    t1 = np.load(d + "/t1.npy")
    assert t1.dtype == "|i1" and t1.tolist() == [-2, -1, 0, 1, 2], t1
    t4 = np.load(d + "/t4.npy")
    assert t4.dtype == "<i2" and t4.shape == (1, 2, 1, 2) and np.all(t4 == -300), t4
    b2 = np.load(d + "/b2.npy")
    assert b2.dtype == "|b1" and np.array_equal(b2, np.eye(2, dtype=bool)), b2
    t5 = np.load(d + "/t5.npy")
    assert t5.dtype == "<f4" and t5.ravel(order="F").tolist() == [0, 1, 2, 3], t5
    t6 = np.load(d + "/t6.npy")
    assert t6.dtype == "<i8" and t6.shape == (2, 2, 1, 2, 1, 2)
    assert np.array_equal(t6.ravel(order="F"), k), t6
    # test_api.f90: what mm_describe_f reported, against numpy's attributes.
    def bits(x):
        return (x.flags.writeable * 1 + x.flags.c_contiguous * 2 + x.flags.f_contiguous * 4
                + x.flags.aligned * 8 + x.dtype.isnative * 16)
    seen = dict(line.rstrip("\n").split(" ", 1) for line in open(d + "/api_describe.txt"))
    bm = np.memmap(d + "/api_b.i4", dtype="<i4", mode="r", shape=(2, 3, 4))
    for name, x in (("b", bm), ("v", bm[:, ::-1, :])):
        assert seen[name + ".shape"] == " ".join(map(str, x.shape)), (name, seen)
        assert seen[name + ".strides"] == " ".join(map(str, x.strides)), (name, seen)
        assert seen[name + ".sizes"] == f"{x.itemsize} {x.size} {x.nbytes} {x.offset} {bits(x)}", (
            name, seen, bits(x))
        assert seen[name + ".dtype"] == x.dtype.str, (name, seen)
    assert seen["rec.dtype"] == str(rec_dtype.descr), (seen["rec.dtype"], str(rec_dtype.descr))
    rc = np.load(d + "/rec.npy", mmap_mode="r+")["c"]  # numpy's field view
    assert seen["recc.shape"] == " ".join(map(str, rc.shape)), seen
    assert seen["recc.strides"] == " ".join(map(str, rc.strides)), seen
    assert seen["recc.sizes"] == f"{rc.itemsize} {rc.size} {rc.nbytes} {rc.offset} {bits(rc)}", (
        seen, rc.offset, bits(rc))
    assert seen["recc.dtype"] == rc.dtype.str, seen
    del rc
    # rec.npy: field n written through a field view; x and c unchanged.
    rec = np.load(d + "/rec.npy")
    want = rec0.copy()
    want["n"] = [7, -8, 9]
    assert rec.dtype == rec_dtype and np.array_equal(rec, want), rec
    # api_pre.f8 (w+ with MM_OPEN_PREALLOCATE | MM_OPEN_POPULATE): 1 .. 1024.
    assert os.path.getsize(d + "/api_pre.f8") == 8192
    assert np.array_equal(np.fromfile(d + "/api_pre.f8", dtype="<f8"), np.arange(1, 1025)), "pre"
    # api_fd.i4: elements 2..5 times 10 through a descriptor mapped from byte 8.
    assert np.fromfile(d + "/api_fd.i4", dtype="<i4").tolist() == [0, 1, 20, 30, 40, 50]
    # api_c.f8: mode c's change never reached the file.
    assert np.array_equal(np.fromfile(d + "/api_c.f8", dtype="<f8"), np.full(1024, 1.25)), "c"
    print("numpy: the Fortran program's writes are correct")
