package mmarray

/*
#cgo pkg-config: mmarray
#include <stdlib.h>
#include <string.h>
#include <mmarray.h>

static char *mmgo_npz_msg(void) {
	const char *m = mm_last_error_message();
	size_t n = strlen(m) + 1;
	char *c = malloc(n);
	if (c) memcpy(c, m, n);
	return c;
}

static mm_status mmgo_npz_names(const char *path, char *buf, size_t cap, size_t *needed,
                                char **msg) {
	mm_status s = mm_npz_names(path, buf, cap, needed, NULL);
	if (s != MM_OK) *msg = mmgo_npz_msg();
	return s;
}

static mm_status mmgo_open_npz(const char *path, const char *name, const char *mode,
                               mm_array *out, char **msg) {
	mm_status s = mm_open_npz(path, name, mode, out);
	if (s != MM_OK) *msg = mmgo_npz_msg();
	return s;
}

static mm_status mmgo_save_npz(const char *path, size_t n, char **names,
                               const mm_array *arrays, int compress, char **msg) {
	mm_status s = mm_save_npz(path, n, (const char *const *)names, arrays, compress);
	if (s != MM_OK) *msg = mmgo_npz_msg();
	return s;
}
*/
import "C"

import (
	"fmt"
	"strings"
	"unsafe"
)

// NpzNames lists a .npz archive's members as np.load(path).files does: every member,
// ".npy" removed, in archive order.
func NpzNames(path string) ([]string, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var needed C.size_t
	var msg *C.char
	if s := C.mmgo_npz_names(cpath, nil, 0, &needed, &msg); s != C.MM_OK {
		return nil, fail(s, msg)
	}
	buf := (*C.char)(C.malloc(needed))
	defer C.free(unsafe.Pointer(buf))
	if s := C.mmgo_npz_names(cpath, buf, needed, &needed, &msg); s != C.MM_OK {
		return nil, fail(s, msg)
	}
	raw := C.GoBytes(unsafe.Pointer(buf), C.int(needed))
	names := []string{}
	for len(raw) > 1 {
		end := strings.IndexByte(string(raw), 0)
		names = append(names, string(raw[:end]))
		raw = raw[end+1:]
	}
	return names, nil
}

// OpenNpz opens member name ("x" or "x.npy") of a .npz archive as np.load(path)[name]
// would see it, without reading the whole member: a stored member (np.savez) is mapped
// in place, a deflated one (np.savez_compressed) inflated into private memory with its
// size and CRC checked. mode is "r" or "c" ("" means "r"); "r+" and "w+" are
// ErrUnsupported.
func OpenNpz(path, name, mode string) (*Array, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	cmode := cstr(mode)
	defer freeStr(cmode)
	var h C.mm_array
	var msg *C.char
	if s := C.mmgo_open_npz(cpath, cname, cmode, &h, &msg); s != C.MM_OK {
		return nil, fail(s, msg)
	}
	return newArray(h), nil
}

// SaveNpz writes arrays[i] under names[i] + ".npy" as np.savez (compress false,
// byte-identical) or np.savez_compressed (compress true) would, in order, streamed and
// replacing path atomically.
func SaveNpz(path string, names []string, arrays []*Array, compress bool) error {
	if len(names) != len(arrays) {
		return &Error{Status: EInvalidArg, Message: fmt.Sprintf("mmarray.SaveNpz: %d names for %d arrays", len(names), len(arrays))}
	}
	n := len(names)
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	// C memory for the name pointers and handles: the C call keeps no reference.
	cnames := (*[1 << 28]*C.char)(C.malloc(C.size_t(n+1) * C.size_t(unsafe.Sizeof((*C.char)(nil)))))[: n+1 : n+1]
	defer C.free(unsafe.Pointer(&cnames[0]))
	handles := (*[1 << 28]C.mm_array)(C.malloc(C.size_t(n+1) * C.size_t(unsafe.Sizeof(C.mm_array(0)))))[: n+1 : n+1]
	defer C.free(unsafe.Pointer(&handles[0]))
	// Each distinct Array is read-locked once for the call (a Close waits for it).
	locked := map[*Array]bool{}
	defer func() {
		for a := range locked {
			a.mu.RUnlock()
		}
	}()
	for i := range names {
		cnames[i] = C.CString(names[i])
		defer C.free(unsafe.Pointer(cnames[i]))
		a := arrays[i]
		if a == nil {
			handles[i] = 0
			continue
		}
		if !locked[a] {
			a.mu.RLock()
			locked[a] = true
		}
		handles[i] = a.h
	}
	c := C.int(0)
	if compress {
		c = 1
	}
	var msg *C.char
	if s := C.mmgo_save_npz(cpath, C.size_t(n), &cnames[0], &handles[0], c, &msg); s != C.MM_OK {
		return fail(s, msg)
	}
	return nil
}
