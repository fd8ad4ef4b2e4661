package mmarray

// fileIsHandle: on Windows (*os.File).Fd() is a Win32 HANDLE, not a C runtime
// descriptor, so OpenFile passes it to mm_open_handle.
const fileIsHandle = true
