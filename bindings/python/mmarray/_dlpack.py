"""DLPack 1.x export: a PyCapsule "dltensor_versioned" over mm_to_dlpack's tensor.

The consumer renames the capsule when it takes ownership and calls the tensor's deleter
when done; a capsule nobody consumed calls the deleter itself. The tensor holds its own
reference to the mapping, so the Array may be closed at once. Tested with numpy 2.4
(np.from_dlpack); numpy >= 2.1 is needed (earlier versions ask for unversioned
"dltensor" capsules, which mmarray does not make).
"""

import ctypes

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


def capsule(lib, handle, max_version, dl_device, copy, check):
    if max_version is None or max_version[0] < 1:
        raise BufferError("mmarray exports DLPack 1.x (DLManagedTensorVersioned) only: "
                          "use numpy >= 2.1 (np.from_dlpack asks for it there)")
    if dl_device is not None and tuple(dl_device) != (1, 0):
        raise BufferError("mmarray tensors live on the CPU")
    if copy:
        raise BufferError("mmarray exports without copying")
    out = ctypes.c_void_p()
    check(lib.mm_to_dlpack(handle, ctypes.byref(out)))
    return _pyapi.PyCapsule_New(out.value, _NAME, ctypes.cast(_capsule_destructor, ctypes.c_void_p))
