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

_KDLCPU = 1

_pyapi = ctypes.pythonapi
_pyapi.PyCapsule_New.restype = ctypes.py_object
_pyapi.PyCapsule_New.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
_pyapi.PyCapsule_IsValid.restype = ctypes.c_int
_pyapi.PyCapsule_IsValid.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
_pyapi.PyCapsule_GetPointer.restype = ctypes.c_void_p
_pyapi.PyCapsule_GetPointer.argtypes = [ctypes.c_void_p, ctypes.c_char_p]

_NAME = b"dltensor_versioned"
_DELETER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
# Offset of `deleter` in DLManagedTensorVersioned: version (8 bytes) + manager_ctx.
_DELETER_OFFSET = 8 + ctypes.sizeof(ctypes.c_void_p)


@ctypes.CFUNCTYPE(None, ctypes.c_void_p)
def _capsule_destructor(capsule):
    # Still named "dltensor_versioned": nobody took ownership, so release it here.
    if _pyapi.PyCapsule_IsValid(capsule, _NAME):
        tensor = _pyapi.PyCapsule_GetPointer(capsule, _NAME)
        fn = ctypes.c_void_p.from_address(tensor + _DELETER_OFFSET).value
        if fn:
            _DELETER(fn)(tensor)


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
        if max_version is None or max_version[0] < 1:
            raise BufferError("mmarray exports DLPack 1.x (DLManagedTensorVersioned) only")
        if dl_device is not None and tuple(dl_device) != (_KDLCPU, 0):
            raise BufferError("mmarray tensors live on the CPU")
        if copy:
            raise BufferError("mmarray exports without copying")
        out = ctypes.c_void_p()
        status = self._lib.mm_to_dlpack(self._handle, ctypes.byref(out))
        if status != 0:
            raise MMError(status, self._lib.mm_last_error_message().decode())
        return _pyapi.PyCapsule_New(out.value, _NAME, ctypes.cast(_capsule_destructor, ctypes.c_void_p))
