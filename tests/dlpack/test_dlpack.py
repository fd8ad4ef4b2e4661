"""numpy receives mmarray views through DLPack (np.from_dlpack) without a copy.

Run: .venv/bin/python tests/dlpack/test_dlpack.py   (MMARRAY_LIB overrides the library,
default target/release/libmmarray.so). Exits non-zero on the first failure.
"""

import ctypes
import gc
import os
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
from mmarray_dlpack import MMDLPack, MMError  # noqa: E402

LIB = os.environ.get("MMARRAY_LIB", os.path.join(ROOT, "target", "release", "libmmarray.so"))
lib = ctypes.CDLL(LIB)
lib.mm_open.restype = ctypes.c_int32
lib.mm_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint64,
                        ctypes.POINTER(ctypes.c_size_t), ctypes.c_size_t, ctypes.c_char,
                        ctypes.POINTER(ctypes.c_uint64)]
lib.mm_slice.restype = ctypes.c_int32
lib.mm_slice.argtypes = [ctypes.c_uint64, ctypes.c_size_t, ctypes.c_int64, ctypes.c_int64,
                         ctypes.c_int64, ctypes.POINTER(ctypes.c_uint64)]
lib.mm_view.restype = ctypes.c_int32
lib.mm_view.argtypes = [ctypes.c_uint64, ctypes.c_char_p, ctypes.c_int64,
                        ctypes.POINTER(ctypes.c_size_t), ctypes.c_size_t,
                        ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_uint64)]
lib.mm_close.restype = ctypes.c_int32
lib.mm_close.argtypes = [ctypes.c_uint64]
lib.mm_handle_count.restype = ctypes.c_size_t
lib.mm_last_error_message.restype = ctypes.c_char_p

MM_E_UNSUPPORTED = 9
I64_MIN, I64_MAX = -(2**63), 2**63 - 1


def mm_open(path, dtype, mode, offset, shape, order=b"C"):
    sh = (ctypes.c_size_t * len(shape))(*shape)
    out = ctypes.c_uint64()
    st = lib.mm_open(os.fsencode(path), dtype.encode(), mode.encode(), offset, sh, len(shape),
                     order, ctypes.byref(out))
    assert st == 0, (st, lib.mm_last_error_message())
    return out.value


def mm_slice(h, axis, start, stop, step):
    out = ctypes.c_uint64()
    st = lib.mm_slice(h, axis, start, stop, step, ctypes.byref(out))
    assert st == 0, (st, lib.mm_last_error_message())
    return out.value


def mapped(path):
    """Whether `path` is mapped into this process (so the deleter has or has not run)."""
    with open("/proc/self/maps") as f:
        return any(line.rstrip().endswith(os.path.realpath(path)) for line in f)


def expect_unsupported(h, what):
    try:
        np.from_dlpack(MMDLPack(lib, h))
    except MMError as e:
        assert e.status == MM_E_UNSUPPORTED, (what, e.status)
        assert "mm_to_dlpack" in str(e), str(e)
    else:
        raise AssertionError("%s was exported" % what)


def main():
    checks = 0
    with tempfile.TemporaryDirectory() as tmp:
        # 1. r+: same values, writes land in the file, the tensor outlives the handle.
        path = os.path.join(tmp, "a.bin")
        ref = np.arange(24, dtype="<f8").reshape(4, 6) * 1.5
        with open(path, "wb") as f:
            f.write(b"HEAD!")  # offset 5: the first element is not 256-byte aligned
            f.write(ref.tobytes())
        h = mm_open(path, "<f8", "r+", 5, (4, 6))
        arr = np.from_dlpack(MMDLPack(lib, h))
        assert lib.mm_close(h) == 0
        assert arr.shape == (4, 6) and arr.dtype == np.float64, (arr.shape, arr.dtype)
        assert np.array_equal(arr, ref)
        assert arr.flags.writeable
        arr[1, 2] = -7.25
        arr[3, :] = 100.0
        del arr
        gc.collect()
        assert not mapped(path), "the deleter did not unmap the file"
        got = np.fromfile(path, dtype="<f8", offset=5).reshape(4, 6)
        want = ref.copy()
        want[1, 2] = -7.25
        want[3, :] = 100.0
        assert np.array_equal(got, want)
        checks += 1

        # 2. mode r arrives read-only: numpy refuses writes.
        h = mm_open(path, "<f8", "r", 5, (4, 6))
        ro = np.from_dlpack(MMDLPack(lib, h))
        assert not ro.flags.writeable
        try:
            ro[0, 0] = 1.0
        except ValueError:
            pass
        else:
            raise AssertionError("write to a read-only export succeeded")
        assert np.array_equal(ro, want)
        del ro
        checks += 1

        # 3. Views: reversed rows, every other column, and a transpose (strides in elements).
        rev = mm_slice(h, 0, I64_MAX, I64_MIN, -1)
        step = mm_slice(rev, 1, 1, I64_MAX, 2)
        a = np.from_dlpack(MMDLPack(lib, step))
        assert np.array_equal(a, want[::-1, 1::2]), a
        assert a.strides == want[::-1, 1::2].strides, a.strides
        shape = (ctypes.c_size_t * 2)(6, 4)
        strides = (ctypes.c_int64 * 2)(8, 48)
        t = ctypes.c_uint64()
        assert lib.mm_view(h, None, 0, shape, 2, strides, ctypes.byref(t)) == 0
        tt = np.from_dlpack(MMDLPack(lib, t.value))
        assert np.array_equal(tt, want.T) and tt.flags.f_contiguous
        del a, tt
        for x in (rev, step, t.value):
            assert lib.mm_close(x) == 0
        checks += 1

        # 4. Every dtype DLPack has, native order, a 0-d array and an empty one.
        for dt in ["|b1", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8",
                   "<f2", "<f4", "<f8", "<c8", "<c16"]:
            p = os.path.join(tmp, "t.bin")
            vals = (np.arange(7) % 2 == 1) if dt == "|b1" else (np.arange(7) * 3 - 5).astype(dt)
            np.asarray(vals, dtype=dt).tofile(p)
            hh = mm_open(p, dt, "r", 0, (7,))
            got = np.from_dlpack(MMDLPack(lib, hh))
            assert got.dtype == np.dtype(dt) and np.array_equal(got, vals), (dt, got)
            del got
            z = mm_open(p, dt, "r", np.dtype(dt).itemsize, ())
            got = np.from_dlpack(MMDLPack(lib, z))
            assert got.shape == () and got == vals[1], (dt, got)
            e = mm_slice(hh, 0, 3, 3, 1)
            got = np.from_dlpack(MMDLPack(lib, e))
            assert got.shape == (0,) and got.dtype == np.dtype(dt)
            del got
            for x in (hh, z, e):
                assert lib.mm_close(x) == 0
        checks += 1

        # 5. What DLPack cannot describe is MM_E_UNSUPPORTED.
        for dt in [">i4", ">f8", "|S4", "<U1", "|V4", "<M8[s]", "<m8[ms]"]:
            hh = mm_open(path, dt, "r", 0, (3,))
            expect_unsupported(hh, dt)
            assert lib.mm_close(hh) == 0
        shape = (ctypes.c_size_t * 1)(3)
        strides = (ctypes.c_int64 * 1)(12)  # 1.5 items of 8 bytes
        odd = ctypes.c_uint64()
        assert lib.mm_view(h, None, 0, shape, 1, strides, ctypes.byref(odd)) == 0
        expect_unsupported(odd.value, "byte stride 12 over <f8")
        assert lib.mm_close(odd.value) == 0
        assert lib.mm_close(h) == 0
        checks += 1

        # 6. .npz members: a stored one (mapped in the archive) and a deflated one
        # (inflated into private memory) go through DLPack without a copy.
        lib.mm_open_npz.restype = ctypes.c_int32
        lib.mm_open_npz.argtypes = [ctypes.c_char_p] * 3 + [ctypes.POINTER(ctypes.c_uint64)]
        ref = np.arange(24, dtype="<f8").reshape(4, 6) / 4
        for save in (np.savez, np.savez_compressed):
            npz = os.path.join(tmp, save.__name__ + ".npz")
            save(npz, m=ref)
            out = ctypes.c_uint64()
            assert lib.mm_open_npz(os.fsencode(npz), b"m", b"r", ctypes.byref(out)) == 0, \
                lib.mm_last_error_message()
            got = np.from_dlpack(MMDLPack(lib, out.value))
            assert lib.mm_close(out.value) == 0
            assert np.array_equal(got, ref) and not got.flags.writeable, got
            assert mapped(npz) == (save is np.savez)   # a stored member maps the archive
            del got
            gc.collect()
            assert not mapped(npz)
        checks += 1

        gc.collect()
        assert lib.mm_handle_count() == 0, lib.mm_handle_count()
        assert not mapped(path)
    print("dlpack: %d groups of checks passed (numpy %s)" % (checks, np.__version__))


if __name__ == "__main__":
    main()
