"""A small ctypes shim that hands an mmarray view to any DLPack consumer (numpy, ...).

    lib = ctypes.CDLL("libmmarray.so")
    arr = np.from_dlpack(MMDLPack(lib, handle))

MMDLPack(lib, handle) implements __dlpack__ / __dlpack_device__: each __dlpack__ call asks
mm_to_dlpack for a new DLManagedTensorVersioned and wraps it in a PyCapsule named
"dltensor_versioned". The consumer renames the capsule when it takes ownership and calls
the tensor's deleter when done; a capsule nobody consumed calls the deleter itself.
The tensor holds its own reference to the mapping, so the handle may be closed at once.
"""

import ctypes
import importlib.util
import os

# The capsule itself (checks of the consumer's request, mm_to_dlpack, the destructor of
# an unconsumed capsule) is the installable package's: bindings/python/mmarray/_dlpack.py,
# loaded by its path so that the package's __init__ (which finds and loads a library of
# its own) does not run; this shim works with the library its caller hands it.
_spec = importlib.util.spec_from_file_location(
    "_mmarray_dlpack_capsule",
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "mmarray", "_dlpack.py"))
_capsule = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_capsule)

_KDLCPU = 1


class MMError(Exception):
    def __init__(self, status, message):
        super().__init__("%s (status %d)" % (message, status))
        self.status = status


class MMDLPack:
    """A DLPack producer over one mmarray handle (which stays owned by the caller)."""

    def __init__(self, lib, handle):
        self._lib = lib
        self._handle = handle
        lib.mm_to_dlpack.restype = ctypes.c_int32
        lib.mm_to_dlpack.argtypes = [ctypes.c_uint64, ctypes.POINTER(ctypes.c_void_p)]
        lib.mm_last_error_message.restype = ctypes.c_char_p

    def __dlpack_device__(self):
        return (_KDLCPU, 0)

    def __dlpack__(self, stream=None, max_version=None, dl_device=None, copy=None):
        def check(status):
            if status != 0:
                raise MMError(status, self._lib.mm_last_error_message().decode())
        return _capsule.capsule(self._lib, self._handle, max_version, dl_device, copy, check)
