"""mmarray: numpy.memmap semantics through the mmarray C library (ctypes, no build step).

    import mmarray
    with mmarray.open("data.bin", "<f8", "w+", shape=(3, 4)) as a:
        a.write_at(0, b"\\0" * 8)
        x = numpy.from_dlpack(a)          # zero copy; needs numpy >= 2.1 (DLPack 1.x)

The library is found through $MMARRAY_LIB, else ctypes.util.find_library("mmarray"),
else /usr/local/lib (see _lib.find_library). Every failure raises an mmarray.Error, an
OSError whose .errno is the OS's errno (0 when the OS was not involved), .strerror the
library's message and .status the MM_E_* code; missing files raise
mmarray.NotFoundError (also a FileNotFoundError), refused access mmarray.PermissionDenied
(also a PermissionError).
"""

import ctypes
import os as _os

from . import _lib
from ._lib import Info, MAX_NDIM

__all__ = ["Array", "Error", "NotFoundError", "PermissionDenied", "open", "open_fd",
           "open_npy", "create_npy", "open_npz", "npz_names", "save_npz", "recover_npy",
           "handle_count", "version", "Info", "MAX_NDIM"]

LIB = _lib.load()

# Status codes, flag bits, scalar kinds, open flags and advice values of mmarray.h.
OK, E_INVALID_ARG, E_NOT_FOUND, E_PERMISSION, E_IO = 0, 1, 2, 3, 4
E_FILE_TOO_SMALL, E_SIZE_MISMATCH, E_READ_ONLY, E_FORMAT = 5, 6, 7, 8
E_UNSUPPORTED, E_BAD_HANDLE, E_OUT_OF_BOUNDS, E_PANIC = 9, 10, 11, 99
WRITEABLE, C_CONTIGUOUS, F_CONTIGUOUS, ALIGNED, NATIVE_ORDER = 1, 2, 4, 8, 16
SCALAR_KINDS = ["other", "bool", "int8", "int16", "int32", "int64", "uint8", "uint16",
                "uint32", "uint64", "float16", "float32", "float64", "complex64",
                "complex128"]
OPEN_POPULATE, OPEN_PREALLOCATE = 1, 2
ADVICE = {"normal": 0, "sequential": 1, "random": 2, "willneed": 3, "dontneed": 4,
          "hugepage": 5, "populate_read": 6, "populate_write": 7}


class Error(OSError):
    """A failed mmarray call: .status (MM_E_*), .errno (0 unless the OS reported it),
    .strerror (the library's message)."""

    def __init__(self, status, errno, message):
        super().__init__(errno, message)
        self.status = status

    def __str__(self):
        return "%s [%s%s]" % (self.strerror, LIB.mm_status_str(self.status).decode(),
                              ", errno %d" % self.errno if self.errno else "")


class NotFoundError(Error, FileNotFoundError):
    """MM_E_NOT_FOUND."""


class PermissionDenied(Error, PermissionError):
    """MM_E_PERMISSION."""


_CLASSES = {E_NOT_FOUND: NotFoundError, E_PERMISSION: PermissionDenied}


def _check(status):
    if status != OK:
        # Read in the same thread right after the call: the last error is per thread.
        msg = LIB.mm_last_error_message().decode("utf-8", "replace")
        raise _CLASSES.get(status, Error)(status, LIB.mm_last_os_error(), msg)


def _b(s):
    if s is None or isinstance(s, bytes):
        return s
    import os
    return os.fsencode(s)


def _shape(shape):
    if shape is None:
        return None, 0
    shape = tuple(int(d) for d in shape)
    return (_lib.sz * max(len(shape), 1))(*shape), len(shape)


def _order(order):
    return (order or "C").encode()


class Array:
    """One open view (an mm_array handle). A context manager; close() releases it."""

    def __init__(self, handle):
        self.handle = handle

    # -- lifetime -----------------------------------------------------------
    def close(self):
        h, self.handle = self.handle, 0
        if h:
            _check(LIB.mm_close(h))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "handle", 0):
            LIB.mm_close(self.handle)

    # -- description --------------------------------------------------------
    def describe(self):
        """mm_describe: (Info, dtype text), one consistent snapshot."""
        info, needed = Info(), _lib.sz()
        buf = ctypes.create_string_buffer(64)
        _check(LIB.mm_describe(self.handle, ctypes.byref(info), buf, 64, ctypes.byref(needed)))
        if needed.value > 64:
            buf = ctypes.create_string_buffer(needed.value)
            _check(LIB.mm_describe(self.handle, ctypes.byref(info), buf, needed.value,
                                   ctypes.byref(needed)))
        return info, buf.value.decode()

    @property
    def shape(self):
        i, _ = self.describe()
        return tuple(i.shape[: i.ndim])

    @property
    def strides(self):
        i, _ = self.describe()
        return tuple(i.strides[: i.ndim])

    @property
    def dtype(self):
        return self.describe()[1]

    @property
    def mode(self):
        return self.describe()[0].mode.decode()

    @property
    def offset(self):
        return self.describe()[0].offset

    @property
    def flags(self):
        return self.describe()[0].flags

    @property
    def size(self):
        return self.describe()[0].size

    @property
    def nbytes(self):
        return self.describe()[0].nbytes

    @property
    def itemsize(self):
        return self.describe()[0].itemsize

    @property
    def ndim(self):
        return self.describe()[0].ndim

    @property
    def data(self):
        """The address of the first element (an int)."""
        return self.describe()[0].data

    @property
    def scalar_kind(self):
        """mm_scalar_kind as a name: "float64", ..., "other"."""
        k = LIB.mm_scalar_kind(self.handle)
        if k < 0:
            _check(E_BAD_HANDLE)
        return SCALAR_KINDS[k]

    @property
    def filename(self):
        p = LIB.mm_filename(self.handle)
        if p is None and LIB.mm_data(self.handle) is None:
            _check(E_BAD_HANDLE)
        import os
        return None if p is None else os.fsdecode(p)

    def fields(self):
        """The fields of a record dtype: [(name, dtype, byte_offset, shape)]."""
        out = []
        for i in range(LIB.mm_field_count(self.handle)):
            name, dt = _lib.cp(), _lib.cp()
            off, nd, shp = _lib.sz(), _lib.sz(), _lib.P(_lib.sz)()
            _check(LIB.mm_field(self.handle, i, ctypes.byref(name), ctypes.byref(dt),
                                ctypes.byref(off), ctypes.byref(nd), ctypes.byref(shp)))
            out.append((name.value.decode(), dt.value.decode(), off.value,
                        tuple(shp[k] for k in range(nd.value))))
        return out

    # -- views --------------------------------------------------------------
    def view(self, dtype=None, byte_offset=0, shape=(), strides=None):
        shp, nd = _shape(shape)
        st = None if strides is None else (_lib.i64 * max(len(strides), 1))(*strides)
        out = _lib.u64()
        _check(LIB.mm_view(self.handle, _b(dtype), byte_offset, shp, nd, st, ctypes.byref(out)))
        return Array(out.value)

    def slice(self, axis, start=None, stop=None, step=1):
        """Python's [start:stop:step] on one axis; None for an omitted bound."""
        lo, hi = -(2**63), 2**63 - 1
        if start is None:
            start = lo if step > 0 else hi
        if stop is None:
            stop = hi if step > 0 else lo
        out = _lib.u64()
        _check(LIB.mm_slice(self.handle, axis, start, stop, step, ctypes.byref(out)))
        return Array(out.value)

    # -- flushing and control -----------------------------------------------
    def flush(self):
        _check(LIB.mm_flush(self.handle))

    def flush_range(self, byte_offset, nbytes):
        _check(LIB.mm_flush_range(self.handle, byte_offset, nbytes))

    def flush_async(self):
        _check(LIB.mm_flush_async(self.handle))

    def advise(self, advice):
        _check(LIB.mm_advise(self.handle, ADVICE[advice] if isinstance(advice, str) else advice))

    def resident_bytes(self):
        out = _lib.u64()
        _check(LIB.mm_resident(self.handle, ctypes.byref(out)))
        return out.value

    def lock(self):
        _check(LIB.mm_lock(self.handle))

    def unlock(self):
        _check(LIB.mm_unlock(self.handle))

    # -- guarded copies -----------------------------------------------------
    def read_at(self, byte_offset, nbytes):
        """mm_read_at: nbytes bytes from byte_offset after the first element (never SIGBUS)."""
        buf = ctypes.create_string_buffer(nbytes)
        _check(LIB.mm_read_at(self.handle, byte_offset, buf, nbytes))
        return buf.raw

    def write_at(self, byte_offset, data):
        data = bytes(data)
        _check(LIB.mm_write_at(self.handle, byte_offset, data, len(data)))

    # -- .npy ---------------------------------------------------------------
    def save_npy(self, path):
        _check(LIB.mm_save_npy(self.handle, _b(path)))

    def npy_append(self, rows, nrows):
        """Appends nrows rows (bytes of the dtype, C order); returns the grown array."""
        rows = bytes(rows)
        out = _lib.u64()
        _check(LIB.mm_npy_append(self.handle, rows, nrows, ctypes.byref(out)))
        return Array(out.value)

    def npy_grow(self, new_length):
        out = _lib.u64()
        _check(LIB.mm_npy_grow(self.handle, new_length, ctypes.byref(out)))
        return Array(out.value)

    # -- DLPack -------------------------------------------------------------
    def __dlpack_device__(self):
        return (1, 0)  # kDLCPU

    def __dlpack__(self, stream=None, max_version=None, dl_device=None, copy=None):
        """A DLPack 1.x capsule ("dltensor_versioned"). numpy >= 2.1 asks for one
        (np.from_dlpack passes max_version); numpy 1.26 and 2.0 do not, and get a
        BufferError saying so."""
        from . import _dlpack
        return _dlpack.capsule(LIB, self.handle, max_version, dl_device, copy, _check)


def open(path, dtype="u1", mode="r+", offset=0, shape=None, order="C", flags=0):
    """numpy.memmap(path, dtype, mode, offset, shape, order); flags: OPEN_POPULATE |
    OPEN_PREALLOCATE (mm_open_ex)."""
    shp, nd = _shape(shape)
    out = _lib.u64()
    _check(LIB.mm_open_ex(_b(path), _b(dtype), _b(mode), offset, shp, nd, _order(order),
                          flags, ctypes.byref(out)))
    return Array(out.value)


def open_fd(fd, dtype="u1", mode="r+", offset=0, shape=None, order="C"):
    """open() on a descriptor (or a file object with fileno()) the caller keeps.

    On Windows Python's descriptors belong to its own C runtime (UCRT), not to the
    library's (msvcrt): the descriptor's HANDLE (msvcrt.get_osfhandle, Python's
    runtime) is passed to mm_open_handle instead. (Not run by this repository's tests:
    no Python runs under Wine here.)"""
    fd = fd.fileno() if hasattr(fd, "fileno") else fd
    shp, nd = _shape(shape)
    out = _lib.u64()
    if _os.name == "nt":
        import msvcrt
        _check(LIB.mm_open_handle(msvcrt.get_osfhandle(fd), _b(dtype), _b(mode), offset,
                                  shp, nd, _order(order), ctypes.byref(out)))
    else:
        _check(LIB.mm_open_fd(fd, _b(dtype), _b(mode), offset, shp, nd, _order(order),
                              ctypes.byref(out)))
    return Array(out.value)


def open_npy(path, mode="r+"):
    out = _lib.u64()
    _check(LIB.mm_open_npy(_b(path), _b(mode), ctypes.byref(out)))
    return Array(out.value)


def create_npy(path, dtype, shape, order="C"):
    shp, nd = _shape(shape)
    out = _lib.u64()
    _check(LIB.mm_create_npy(_b(path), _b(dtype), shp, nd, _order(order), ctypes.byref(out)))
    return Array(out.value)


def recover_npy(path):
    n = _lib.sz()
    _check(LIB.mm_npy_recover(_b(path), ctypes.byref(n)))
    return n.value


def npz_names(path):
    needed, count = _lib.sz(), _lib.sz()
    _check(LIB.mm_npz_names(_b(path), None, 0, ctypes.byref(needed), ctypes.byref(count)))
    buf = ctypes.create_string_buffer(needed.value)
    _check(LIB.mm_npz_names(_b(path), buf, needed.value, ctypes.byref(needed),
                            ctypes.byref(count)))
    return [n.decode() for n in buf.raw.split(b"\0")[: count.value]]


def open_npz(path, name, mode="r"):
    out = _lib.u64()
    _check(LIB.mm_open_npz(_b(path), _b(name), _b(mode), ctypes.byref(out)))
    return Array(out.value)


def save_npz(path, arrays, compress=False):
    """np.savez / np.savez_compressed of {name: Array}."""
    names = list(arrays)
    cnames = (_lib.cp * max(len(names), 1))(*[_b(n) for n in names])
    handles = (_lib.u64 * max(len(names), 1))(*[arrays[n].handle for n in names])
    _check(LIB.mm_save_npz(_b(path), len(names), cnames, handles, 1 if compress else 0))


def handle_count():
    return LIB.mm_handle_count()


def version():
    return LIB.mm_version_string().decode()
