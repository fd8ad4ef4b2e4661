// Package mmarray maps files as n-dimensional typed arrays with numpy.memmap semantics,
// through the mmarray C library (found with pkg-config: mmarray).
//
//	a, err := mmarray.Open("data.bin", "<f8", "r+", 0, []int{3, 4}, 'C')
//	if err != nil { ... }
//	defer a.Close()
//	xs, err := a.Float64s() // aliases the mapping: writes land in the file
//
// Errors are *Error values carrying the library's status code, message and errno;
// compare with errors.Is(err, mmarray.ErrNotFound) and friends, or with the standard
// library's errors: errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission),
// errors.Is(err, syscall.ENOSPC) (Unwrap gives the errno when the OS gave one).
//
// Whether the dtype is a Go type (Float64s, Int32s, ...) is decided by the library
// (mm_scalar_kind), and Info is one mm_describe call: no type string rules here.
//
// The typed slices (Float64s, Int32s, Bytes, ...) point into the mapping without a copy.
// They stay valid while the Array or any other view of the same mapping is open: keep
// the *Array reachable (defer a.Close()) for as long as a slice is in use. Arrays that
// are dropped without Close are closed by a finalizer.
package mmarray

// This file is over 600 lines on purpose: the cgo shims of the Array calls (the C
// preamble below) are static functions sharing mmgo_msg, and a cgo preamble is visible
// only to the Go file it heads, so the calls that use them live here (npz.go has its own
// small preamble; slices.go holds what needs no C).

/*
#cgo pkg-config: mmarray
#include <mmarray.h>
#include <stdlib.h>
#include <string.h>

// Every call that can fail goes through a shim that copies the message of the failure
// in the same cgo call: goroutines move between OS threads and the library's last error
// is per thread. *msg is malloc'ed (the caller frees it) and set only on failure: the
// errno (mm_last_os_error, an int32_t) in its first 4 bytes, then the NUL-terminated
// message.
static char *mmgo_msg(void) {
	const char *m = mm_last_error_message();
	int32_t e = mm_last_os_error();
	size_t n = strlen(m);
	char *out = malloc(sizeof e + n + 1);
	if (out == NULL) return NULL;
	memcpy(out, &e, sizeof e);
	memcpy(out + sizeof e, m, n + 1);
	return out;
}

static mm_status mmgo_open_fd(int fd, const char *dtype, const char *mode, uint64_t offset,
                              const size_t *shape, size_t ndim, char order, mm_array *out,
                              char **msg) {
	mm_status s = mm_open_fd(fd, dtype, mode, offset, shape, ndim, order, out);
	if (s != MM_OK) *msg = mmgo_msg();
	return s;
}

// mm_open_handle is declared on Windows only (#if defined(_WIN32) in mmarray.h), where
// (*os.File).Fd() is a HANDLE. Elsewhere OpenFile never calls this (fileIsHandle is false);
// it answers MM_E_UNSUPPORTED without a message.
static mm_status mmgo_open_handle(uintptr_t handle, const char *dtype, const char *mode,
                                  uint64_t offset, const size_t *shape, size_t ndim,
                                  char order, mm_array *out, char **msg) {
#if defined(_WIN32)
	mm_status s = mm_open_handle((void *)handle, dtype, mode, offset, shape, ndim, order, out);
	if (s != MM_OK) *msg = mmgo_msg();
	return s;
#else
	(void)handle; (void)dtype; (void)mode; (void)offset; (void)shape; (void)ndim;
	(void)order;
	*out = 0;
	*msg = NULL;
	return MM_E_UNSUPPORTED;
#endif
}

static mm_status mmgo_open_ex(const char *path, const char *dtype, const char *mode,
                              uint64_t offset, const size_t *shape, size_t ndim, char order,
                              uint32_t flags, mm_array *out, char **msg) {
	mm_status s = mm_open_ex(path, dtype, mode, offset, shape, ndim, order, flags, out);
	if (s != MM_OK) *msg = mmgo_msg();
	return s;
}

static mm_status mmgo_flush_range(mm_array a, uint64_t off, uint64_t n, char **msg) {
	mm_status s = mm_flush_range(a, off, n);
	if (s != MM_OK) *msg = mmgo_msg();
	return s;
}

// One control call chosen by `op`: 0 flush_async, 1 lock, 2 unlock, 3 advise(arg).
static mm_status mmgo_control(mm_array a, int op, int32_t arg, char **msg) {
	mm_status s = op == 0 ? mm_flush_async(a) : op == 1 ? mm_lock(a) : op == 2 ? mm_unlock(a)
	                                                                          : mm_advise(a, arg);
	if (s != MM_OK) *msg = mmgo_msg();
	return s;
}

static mm_status mmgo_resident(mm_array a, uint64_t *n, char **msg) {
	mm_status s = mm_resident(a, n);
	if (s != MM_OK) *msg = mmgo_msg();
	return s;
}

// Field i of a record dtype; the texts are copied (malloc'ed, the caller frees them)
// while the handle is known open (the caller holds the Array's read lock).
static mm_status mmgo_field(mm_array a, size_t i, char **name, char **dtype, size_t *off,
                            size_t *ndim, size_t *shape, char **msg) {
	const char *n = NULL, *d = NULL;
	const size_t *sh = NULL;
	mm_status s = mm_field(a, i, &n, &d, off, ndim, &sh);
	if (s != MM_OK) {
		*msg = mmgo_msg();
		return s;
	}
	*name = strdup(n);
	*dtype = strdup(d);
	for (size_t k = 0; k < *ndim && k < MM_MAX_NDIM; k++) shape[k] = sh[k];
	return MM_OK;
}

static mm_status mmgo_read_at(mm_array a, uint64_t off, void *dst, size_t n, char **msg) {
	mm_status s = mm_read_at(a, off, dst, n);
	if (s != MM_OK) *msg = mmgo_msg();
	return s;
}

static mm_status mmgo_write_at(mm_array a, uint64_t off, const void *src, size_t n,
                               char **msg) {
	mm_status s = mm_write_at(a, off, src, n);
	if (s != MM_OK) *msg = mmgo_msg();
	return s;
}

static mm_status mmgo_open(const char *path, const char *dtype, const char *mode,
                           uint64_t offset, const size_t *shape, size_t ndim, char order,
                           mm_array *out, char **msg) {
	mm_status s = mm_open(path, dtype, mode, offset, shape, ndim, order, out);
	if (s != MM_OK) *msg = mmgo_msg();
	return s;
}

static mm_status mmgo_open_npy(const char *path, const char *mode, mm_array *out, char **msg) {
	mm_status s = mm_open_npy(path, mode, out);
	if (s != MM_OK) *msg = mmgo_msg();
	return s;
}

static mm_status mmgo_create_npy(const char *path, const char *dtype, const size_t *shape,
                                 size_t ndim, char order, mm_array *out, char **msg) {
	mm_status s = mm_create_npy(path, dtype, shape, ndim, order, out);
	if (s != MM_OK) *msg = mmgo_msg();
	return s;
}

static mm_status mmgo_save_npy(mm_array a, const char *path, char **msg) {
	mm_status s = mm_save_npy(a, path);
	if (s != MM_OK) *msg = mmgo_msg();
	return s;
}

static mm_status mmgo_npy_append(mm_array a, const void *rows, size_t nrows, mm_array *out,
                                 char **msg) {
	mm_status s = mm_npy_append(a, rows, nrows, out);
	if (s != MM_OK) *msg = mmgo_msg();
	return s;
}

static mm_status mmgo_npy_grow(mm_array a, size_t n, mm_array *out, char **msg) {
	mm_status s = mm_npy_grow(a, n, out);
	if (s != MM_OK) *msg = mmgo_msg();
	return s;
}

static mm_status mmgo_npy_recover(const char *path, size_t *n, char **msg) {
	mm_status s = mm_npy_recover(path, n);
	if (s != MM_OK) *msg = mmgo_msg();
	return s;
}

static mm_status mmgo_view(mm_array base, const char *dtype, int64_t byte_offset,
                           const size_t *shape, size_t ndim, const int64_t *strides,
                           mm_array *out, char **msg) {
	mm_status s = mm_view(base, dtype, byte_offset, shape, ndim, strides, out);
	if (s != MM_OK) *msg = mmgo_msg();
	return s;
}

static mm_status mmgo_slice(mm_array base, size_t axis, int64_t start, int64_t stop,
                            int64_t step, mm_array *out, char **msg) {
	mm_status s = mm_slice(base, axis, start, stop, step, out);
	if (s != MM_OK) *msg = mmgo_msg();
	return s;
}

static mm_status mmgo_flush(mm_array a, char **msg) {
	mm_status s = mm_flush(a);
	if (s != MM_OK) *msg = mmgo_msg();
	return s;
}

static mm_status mmgo_close(mm_array a, char **msg) {
	mm_status s = mm_close(a);
	if (s != MM_OK) *msg = mmgo_msg();
	return s;
}

// Everything Go needs to know about a view, in one mm_describe call (one visit of the
// handle: a racing close gives MM_E_BAD_HANDLE, never a mixture). The dtype text is
// copied into *dtype (malloc'ed; the caller frees it), grown once if 64 bytes are too few.
static mm_status mmgo_describe(mm_array a, mm_info *info, char **dtype, char **msg) {
	size_t cap = 64, needed = 0;
	char *buf = malloc(cap);
	if (buf == NULL) return MM_E_IO;
	mm_status s = mm_describe(a, info, buf, cap, &needed);
	if (s == MM_OK && needed > cap) {
		free(buf);
		cap = needed;
		buf = malloc(cap);
		if (buf == NULL) return MM_E_IO;
		s = mm_describe(a, info, buf, cap, &needed);
	}
	if (s != MM_OK) {
		free(buf);
		*msg = mmgo_msg();
		return s;
	}
	*dtype = buf;
	return MM_OK;
}

static mm_status mmgo_filename(mm_array a, char **out, char **msg) {
	const char *f = mm_filename(a);
	if (f == NULL) {
		if (mm_data(a) == NULL) {
			*msg = mmgo_msg();
			return MM_E_BAD_HANDLE;
		}
		*out = NULL;
		return MM_OK;
	}
	*out = strdup(f);
	return MM_OK;
}
*/
import "C"

import (
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"runtime"
	"sync"
	"syscall"
	"unsafe"
)

// Status is the library's mm_status: OK or one of the E* codes.
type Status int32

// Status codes of the C API (mmarray.h).
const (
	OK            Status = C.MM_OK
	EInvalidArg   Status = C.MM_E_INVALID_ARG
	ENotFound     Status = C.MM_E_NOT_FOUND
	EPermission   Status = C.MM_E_PERMISSION
	EIO           Status = C.MM_E_IO
	EFileTooSmall Status = C.MM_E_FILE_TOO_SMALL
	ESizeMismatch Status = C.MM_E_SIZE_MISMATCH
	EReadOnly     Status = C.MM_E_READ_ONLY
	EFormat       Status = C.MM_E_FORMAT
	EUnsupported  Status = C.MM_E_UNSUPPORTED
	EBadHandle    Status = C.MM_E_BAD_HANDLE
	EOutOfBounds  Status = C.MM_E_OUT_OF_BOUNDS
	EPanic        Status = C.MM_E_PANIC
)

// String is the library's short description of the status.
func (s Status) String() string { return C.GoString(C.mm_status_str(C.mm_status(s))) }

// Error is a failed call: the status code, the library's message and, when the OS
// reported the failure, its errno (0 otherwise).
type Error struct {
	Status  Status
	Message string
	Errno   syscall.Errno
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "mmarray: " + e.Status.String()
	}
	return "mmarray: " + e.Message
}

// Is makes errors.Is(err, mmarray.ErrNotFound) compare status codes, and matches the
// standard library's fs.ErrNotExist (ENotFound), fs.ErrPermission (EPermission) and
// fs.ErrClosed (EBadHandle).
func (e *Error) Is(target error) bool {
	switch target {
	case fs.ErrNotExist:
		return e.Status == ENotFound
	case fs.ErrPermission:
		return e.Status == EPermission
	case fs.ErrClosed:
		return e.Status == EBadHandle
	}
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Status == e.Status
}

// Unwrap gives the errno (a syscall.Errno) when the OS reported the failure, so that
// errors.Is(err, syscall.ENOSPC) works; nil otherwise.
func (e *Error) Unwrap() error {
	if e.Errno == 0 {
		return nil
	}
	return e.Errno
}

// Sentinels for errors.Is.
var (
	ErrInvalidArg   = &Error{Status: EInvalidArg}
	ErrNotFound     = &Error{Status: ENotFound}
	ErrPermission   = &Error{Status: EPermission}
	ErrIO           = &Error{Status: EIO}
	ErrFileTooSmall = &Error{Status: EFileTooSmall}
	ErrSizeMismatch = &Error{Status: ESizeMismatch}
	ErrReadOnly     = &Error{Status: EReadOnly}
	ErrFormat       = &Error{Status: EFormat}
	ErrUnsupported  = &Error{Status: EUnsupported}
	ErrBadHandle    = &Error{Status: EBadHandle}
	ErrOutOfBounds  = &Error{Status: EOutOfBounds}
	ErrPanic        = &Error{Status: EPanic}
)

// fail turns a status and a malloc'ed errno + message from a shim into an *Error.
func fail(s C.mm_status, msg *C.char) error {
	e := &Error{Status: Status(s)}
	if msg != nil {
		e.Errno = osErrno(*(*int32)(unsafe.Pointer(msg)))
		e.Message = C.GoString((*C.char)(unsafe.Add(unsafe.Pointer(msg), 4)))
		C.free(unsafe.Pointer(msg))
	}
	return e
}

// Bounds for Slice: an omitted start or stop. For step > 0 pass (MinIndex, MaxIndex),
// for step < 0 (MaxIndex, MinIndex): a[::-1] is a.Slice(0, MaxIndex, MinIndex, -1).
const (
	MinIndex int64 = math.MinInt64
	MaxIndex int64 = math.MaxInt64
)

// Flag bits of Array.Flags.
const (
	Writeable   uint32 = C.MM_WRITEABLE
	CContiguous uint32 = C.MM_C_CONTIGUOUS
	FContiguous uint32 = C.MM_F_CONTIGUOUS
	Aligned     uint32 = C.MM_ALIGNED
	NativeOrder uint32 = C.MM_NATIVE_ORDER
)

// Array is one open view of a mapped file. Close it when done; views made from it
// (View, Slice) are independent arrays that keep the mapping alive on their own.
//
// An Array may be used from several goroutines, Close included: every method runs its
// C calls and copies their results while holding a read lock, and Close takes the write
// lock, so a getter racing Close returns either the right value or the closed-array
// answer (an ErrBadHandle error; nil, "" or 0 from the getters without an error). What
// the lock cannot cover is memory handed out: Close must not race with the use of
// slices (Float64s, Bytes, ...) or Info().Data obtained from the Array.
type Array struct {
	mu sync.RWMutex // read: a call on h; write: Close
	h  C.mm_array   // 0 once closed
}

func newArray(h C.mm_array) *Array {
	a := &Array{h: h}
	runtime.SetFinalizer(a, (*Array).Close)
	return a
}

func cstr(s string) *C.char {
	if s == "" {
		return nil
	}
	return C.CString(s)
}

func freeStr(p *C.char) {
	if p != nil {
		C.free(unsafe.Pointer(p))
	}
}

func sizes(shape []int) ([]C.size_t, error) {
	out := make([]C.size_t, len(shape))
	for i, d := range shape {
		if d < 0 {
			return nil, &Error{Status: EInvalidArg, Message: fmt.Sprintf("dimension %d is negative (%d)", i, d)}
		}
		out[i] = C.size_t(d)
	}
	return out, nil
}

// Open maps path as numpy.memmap(path, dtype, mode, offset, shape, order) would.
// dtype "" means "u1"; mode "" means "r+"; shape nil infers a 1-D shape from the file
// size (a non-nil empty shape is a 0-d array); order is 'C' or 'F' (0 means C).
func Open(path, dtype, mode string, offset uint64, shape []int, order byte) (*Array, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	cdtype, cmode := cstr(dtype), cstr(mode)
	defer freeStr(cdtype)
	defer freeStr(cmode)
	var shp *C.size_t
	var ndim C.size_t
	var dims []C.size_t
	if shape != nil {
		var err error
		if dims, err = sizes(shape); err != nil {
			return nil, err
		}
		// A 0-d array still needs a non-NULL shape pointer.
		dims = append(dims, 0)
		shp, ndim = &dims[0], C.size_t(len(shape))
	}
	var h C.mm_array
	var msg *C.char
	if s := C.mmgo_open(cpath, cdtype, cmode, C.uint64_t(offset), shp, ndim, C.char(order), &h, &msg); s != C.MM_OK {
		return nil, fail(s, msg)
	}
	return newArray(h), nil
}

// Open flags for OpenEx (MM_OPEN_*).
const (
	OpenPopulate    uint32 = C.MM_OPEN_POPULATE
	OpenPreallocate uint32 = C.MM_OPEN_PREALLOCATE
)

// Advice values for Advise (MM_ADVICE_*).
const (
	AdviceNormal        int32 = C.MM_ADVICE_NORMAL
	AdviceSequential    int32 = C.MM_ADVICE_SEQUENTIAL
	AdviceRandom        int32 = C.MM_ADVICE_RANDOM
	AdviceWillNeed      int32 = C.MM_ADVICE_WILLNEED
	AdviceDontNeed      int32 = C.MM_ADVICE_DONTNEED
	AdviceHugePage      int32 = C.MM_ADVICE_HUGEPAGE
	AdvicePopulateRead  int32 = C.MM_ADVICE_POPULATE_READ
	AdvicePopulateWrite int32 = C.MM_ADVICE_POPULATE_WRITE
)

// OpenEx is Open with open flags (mm_open_ex): OpenPopulate prefaults the array,
// OpenPreallocate reserves the blocks of an extension (a full disk fails here, not
// with SIGBUS later).
func OpenEx(path, dtype, mode string, offset uint64, shape []int, order byte, flags uint32) (*Array, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	cdtype, cmode := cstr(dtype), cstr(mode)
	defer freeStr(cdtype)
	defer freeStr(cmode)
	var shp *C.size_t
	var ndim C.size_t
	if shape != nil {
		dims, err := sizes(shape)
		if err != nil {
			return nil, err
		}
		dims = append(dims, 0)
		shp, ndim = &dims[0], C.size_t(len(shape))
	}
	var h C.mm_array
	var msg *C.char
	if s := C.mmgo_open_ex(cpath, cdtype, cmode, C.uint64_t(offset), shp, ndim, C.char(order), C.uint32_t(flags), &h, &msg); s != C.MM_OK {
		return nil, fail(s, msg)
	}
	return newArray(h), nil
}

// FlushRange writes the pages of bytes [byteOffset, byteOffset+n) of the view to the
// file (msync MS_SYNC of just those pages).
func (a *Array) FlushRange(byteOffset, n uint64) error {
	var msg *C.char
	a.mu.RLock()
	defer a.mu.RUnlock()
	if s := C.mmgo_flush_range(a.h, C.uint64_t(byteOffset), C.uint64_t(n), &msg); s != C.MM_OK {
		return fail(s, msg)
	}
	return nil
}

func (a *Array) control(op int, arg int32) error {
	var msg *C.char
	a.mu.RLock()
	defer a.mu.RUnlock()
	if s := C.mmgo_control(a.h, C.int(op), C.int32_t(arg), &msg); s != C.MM_OK {
		return fail(s, msg)
	}
	return nil
}

// FlushAsync schedules write-back of the whole mapping (msync MS_ASYNC) and returns.
func (a *Array) FlushAsync() error { return a.control(0, 0) }

// Lock locks the view's pages in memory (mlock).
func (a *Array) Lock() error { return a.control(1, 0) }

// Unlock unlocks the view's pages (munlock).
func (a *Array) Unlock() error { return a.control(2, 0) }

// Advise gives the kernel advice about the view's pages (madvise; Advice* values). An
// advice the kernel lacks is an ErrUnsupported error.
func (a *Array) Advise(advice int32) error { return a.control(3, advice) }

// ResidentBytes is how many of the view's bytes lie in pages resident in memory now
// (mincore).
func (a *Array) ResidentBytes() (uint64, error) {
	var n C.uint64_t
	var msg *C.char
	a.mu.RLock()
	defer a.mu.RUnlock()
	if s := C.mmgo_resident(a.h, &n, &msg); s != C.MM_OK {
		return 0, fail(s, msg)
	}
	return uint64(n), nil
}

// Field is one field of a record dtype.
type Field struct {
	Name       string
	DType      string
	ByteOffset int
	Shape      []int // subarray shape; empty for a scalar field
}

// Fields lists the fields of a record dtype (empty for other dtypes).
func (a *Array) Fields() ([]Field, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	n := int(C.mm_field_count(a.h))
	out := []Field{}
	for i := 0; i < n; i++ {
		var name, dtype, msg *C.char
		var off, nd C.size_t
		var shape [C.MM_MAX_NDIM]C.size_t
		if s := C.mmgo_field(a.h, C.size_t(i), &name, &dtype, &off, &nd, &shape[0], &msg); s != C.MM_OK {
			return nil, fail(s, msg)
		}
		f := Field{Name: C.GoString(name), DType: C.GoString(dtype), ByteOffset: int(off), Shape: make([]int, int(nd))}
		C.free(unsafe.Pointer(name))
		C.free(unsafe.Pointer(dtype))
		for k := range f.Shape {
			f.Shape[k] = int(shape[k])
		}
		out = append(out, f)
	}
	return out, nil
}

// Version is the library's version text ("0.1.0") and number (major*10000 +
// minor*100 + patch), of the library loaded at run time.
func Version() (string, uint32) {
	return C.GoString(C.mm_version_string()), uint32(C.mm_version())
}

// OpenFile is Open on an open *os.File (mm_open_fd; on Windows, where f.Fd() is a
// HANDLE, mm_open_handle): the file keeps belonging to the caller (it is neither closed
// nor kept; the mapping holds its own reference to the file). Modes r+ and w+ need a
// file opened for reading and writing (os.O_RDWR). Filename of the array is "".
func OpenFile(f *os.File, dtype, mode string, offset uint64, shape []int, order byte) (*Array, error) {
	if f == nil {
		return nil, &Error{Status: EInvalidArg, Message: "OpenFile: the *os.File is nil"}
	}
	cdtype, cmode := cstr(dtype), cstr(mode)
	defer freeStr(cdtype)
	defer freeStr(cmode)
	var shp *C.size_t
	var ndim C.size_t
	if shape != nil {
		dims, err := sizes(shape)
		if err != nil {
			return nil, err
		}
		dims = append(dims, 0)
		shp, ndim = &dims[0], C.size_t(len(shape))
	}
	fd := f.Fd()
	if fd == ^uintptr(0) {
		return nil, &Error{Status: EInvalidArg, Message: "OpenFile: the *os.File is closed", Errno: syscall.EBADF}
	}
	var h C.mm_array
	var msg *C.char
	var s C.mm_status
	if fileIsHandle {
		s = C.mmgo_open_handle(C.uintptr_t(fd), cdtype, cmode, C.uint64_t(offset), shp, ndim, C.char(order), &h, &msg)
	} else {
		s = C.mmgo_open_fd(C.int(fd), cdtype, cmode, C.uint64_t(offset), shp, ndim, C.char(order), &h, &msg)
	}
	runtime.KeepAlive(f) // the descriptor must stay open during the call
	if s != C.MM_OK {
		return nil, fail(s, msg)
	}
	return newArray(h), nil
}

// OpenNpy maps a .npy file as np.load(path, mmap_mode=mode) would: dtype, shape and
// order come from the file's header. mode is "r", "r+" or "c" ("" means "r+", as
// numpy's open_memmap); to make a new file use CreateNpy.
func OpenNpy(path, mode string) (*Array, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	cmode := cstr(mode)
	defer freeStr(cmode)
	var h C.mm_array
	var msg *C.char
	if s := C.mmgo_open_npy(cpath, cmode, &h, &msg); s != C.MM_OK {
		return nil, fail(s, msg)
	}
	return newArray(h), nil
}

// CreateNpy creates (or truncates) a .npy file holding a zeroed array of dtype and
// shape and maps it read-write, as numpy's open_memmap(path, mode="w+", dtype, shape,
// fortran_order=(order == 'F')); the array's mode is "r+". Once filled and flushed,
// the file is byte-identical to np.save of the same array. order is 'C' or 'F' (0
// means C); an empty shape is a 0-d array.
func CreateNpy(path, dtype string, shape []int, order byte) (*Array, error) {
	dims, err := sizes(shape)
	if err != nil {
		return nil, err
	}
	// A 0-d array still gets a non-NULL shape pointer.
	dims = append(dims, 0)
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	cdtype := cstr(dtype)
	defer freeStr(cdtype)
	var h C.mm_array
	var msg *C.char
	if s := C.mmgo_create_npy(cpath, cdtype, &dims[0], C.size_t(len(shape)), C.char(order), &h, &msg); s != C.MM_OK {
		return nil, fail(s, msg)
	}
	return newArray(h), nil
}

// SaveNpy writes this view to path exactly as np.save would write the same numpy
// array (C order unless the view is F- and not C-contiguous; byte order kept). The
// file is replaced atomically; no ".npy" suffix is appended.
func (a *Array) SaveNpy(path string) error {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var msg *C.char
	a.mu.RLock()
	defer a.mu.RUnlock()
	if s := C.mmgo_save_npy(a.h, cpath, &msg); s != C.MM_OK {
		return fail(s, msg)
	}
	return nil
}

// RowBytes is the size of one row of a whole .npy array: the dimensions other than the
// growth axis (axis 0 in C order; the last axis in Fortran order, told by the strides)
// times the item size.
func (a *Array) RowBytes() (int, error) {
	in, err := a.Info()
	if err != nil {
		return 0, err
	}
	if len(in.Shape) == 0 {
		return 0, &Error{Status: EInvalidArg, Message: "a 0-d array has no rows"}
	}
	cOrder := true
	c := int64(in.ItemSize)
	for i := len(in.Shape) - 1; i >= 0; i-- {
		cOrder = cOrder && in.Strides[i] == c
		c *= int64(in.Shape[i])
	}
	axis := 0
	if !cOrder {
		axis = len(in.Shape) - 1
	}
	n := in.ItemSize
	for i, d := range in.Shape {
		if i != axis {
			n *= d
		}
	}
	return n, nil
}

// Append appends whole rows (rows: their bytes, C-contiguous, in the array's dtype; a
// multiple of RowBytes) to the .npy file this whole array maps, after the file's
// current length, and rewrites the header in place: the file stays byte-identical to
// np.save of the whole array. Appends from many goroutines and processes are each
// atomic (an exclusive flock on the file). a keeps its shape. a must come from
// OpenNpy(path, "r+") or CreateNpy.
func (a *Array) Append(rows []byte) error {
	_, err := a.appendRows(rows, false)
	return err
}

// AppendAndMap is Append that also returns the whole grown array (a new mapping; close
// it). AppendAndMap(nil) maps the file's whole array as it is now.
func (a *Array) AppendAndMap(rows []byte) (*Array, error) {
	return a.appendRows(rows, true)
}

func (a *Array) appendRows(rows []byte, want bool) (*Array, error) {
	rowBytes, err := a.RowBytes()
	if err != nil {
		return nil, err
	}
	nrows := 0
	if rowBytes > 0 {
		if len(rows)%rowBytes != 0 {
			return nil, &Error{Status: EInvalidArg, Message: fmt.Sprintf("%d bytes are not whole rows of %d bytes", len(rows), rowBytes)}
		}
		nrows = len(rows) / rowBytes
	} else if len(rows) != 0 {
		return nil, &Error{Status: EInvalidArg, Message: fmt.Sprintf("%d bytes given for rows of 0 bytes", len(rows))}
	}
	var p unsafe.Pointer
	if len(rows) > 0 {
		p = unsafe.Pointer(&rows[0])
	}
	var h C.mm_array
	var out *C.mm_array
	if want {
		out = &h
	}
	var msg *C.char
	a.mu.RLock()
	defer a.mu.RUnlock()
	if s := C.mmgo_npy_append(a.h, p, C.size_t(nrows), out, &msg); s != C.MM_OK {
		return nil, fail(s, msg)
	}
	if !want {
		return nil, nil
	}
	return newArray(h), nil
}

// Grow grows the growth axis of the .npy file this whole array maps to newLength (at
// least the file's current length) with zero rows; the result is the whole grown array,
// to fill.
func (a *Array) Grow(newLength int) (*Array, error) {
	if newLength < 0 {
		return nil, &Error{Status: EInvalidArg, Message: fmt.Sprintf("new length %d is negative", newLength)}
	}
	var h C.mm_array
	var msg *C.char
	a.mu.RLock()
	defer a.mu.RUnlock()
	if s := C.mmgo_npy_grow(a.h, C.size_t(newLength), &h, &msg); s != C.MM_OK {
		return nil, fail(s, msg)
	}
	return newArray(h), nil
}

// RecoverNpy, after a crash, sets the header of the .npy file at path to the whole
// rows the file holds, removes a trailing partial row and returns the length; a
// consistent file is left as it is.
func RecoverNpy(path string) (int, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var n C.size_t
	var msg *C.char
	if s := C.mmgo_npy_recover(cpath, &n, &msg); s != C.MM_OK {
		return 0, fail(s, msg)
	}
	return int(n), nil
}

// Close releases this view; the mapping is unmapped when its last view closes.
// Closing twice is fine (the second call does nothing and returns nil). Close waits
// for calls on the Array that other goroutines have in progress.
func (a *Array) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	h := a.h
	if h == 0 {
		return nil
	}
	a.h = 0
	runtime.SetFinalizer(a, nil)
	var msg *C.char
	if s := C.mmgo_close(h, &msg); s != C.MM_OK {
		return fail(s, msg)
	}
	return nil
}

// Flush writes dirty pages of the whole mapping to the file (msync); no effect in
// modes r and c.
func (a *Array) Flush() error {
	var msg *C.char
	a.mu.RLock()
	defer a.mu.RUnlock()
	if s := C.mmgo_flush(a.h, &msg); s != C.MM_OK {
		return fail(s, msg)
	}
	return nil
}

// View is a new array over the same mapping (reshape, transpose, sub-block,
// reinterpretation). dtype "" keeps this array's dtype; byteOffset is relative to the
// first element; strides are in bytes, nil for C-contiguous.
func (a *Array) View(dtype string, byteOffset int64, shape []int, strides []int64) (*Array, error) {
	if strides != nil && len(strides) != len(shape) {
		return nil, &Error{Status: EInvalidArg, Message: fmt.Sprintf("View: %d strides for %d dimensions", len(strides), len(shape))}
	}
	dims, err := sizes(shape)
	if err != nil {
		return nil, err
	}
	dims = append(dims, 0)
	var st *C.int64_t
	if strides != nil {
		cs := make([]C.int64_t, len(strides)+1)
		for i, s := range strides {
			cs[i] = C.int64_t(s)
		}
		st = &cs[0]
	}
	cdtype := cstr(dtype)
	defer freeStr(cdtype)
	var h C.mm_array
	var msg *C.char
	a.mu.RLock()
	defer a.mu.RUnlock()
	if s := C.mmgo_view(a.h, cdtype, C.int64_t(byteOffset), &dims[0], C.size_t(len(shape)), st, &h, &msg); s != C.MM_OK {
		return nil, fail(s, msg)
	}
	return newArray(h), nil
}

// Slice is Python's [start:stop:step] on one axis, as a new array (see MinIndex and
// MaxIndex for omitted bounds).
func (a *Array) Slice(axis int, start, stop, step int64) (*Array, error) {
	if axis < 0 {
		return nil, &Error{Status: EInvalidArg, Message: fmt.Sprintf("Slice: axis %d is negative", axis)}
	}
	var h C.mm_array
	var msg *C.char
	a.mu.RLock()
	defer a.mu.RUnlock()
	if s := C.mmgo_slice(a.h, C.size_t(axis), C.int64_t(start), C.int64_t(stop), C.int64_t(step), &h, &msg); s != C.MM_OK {
		return nil, fail(s, msg)
	}
	return newArray(h), nil
}

// Info describes a view at one moment.
type Info struct {
	Data       unsafe.Pointer // first element
	Shape      []int
	Strides    []int64 // bytes, may be negative
	ItemSize   int
	Size       int // elements
	NBytes     int
	DType      string // numpy's canonical type string, e.g. "<f8"; a record's descr list
	Mode       string // "r", "r+", "w+" or "c"
	Offset     uint64
	Flags      uint32
	ScalarKind ScalarKind // the Go type of the elements, or ScalarOther
}

// ScalarKind is mm_scalar_kind's answer: which native scalar the elements are.
type ScalarKind int32

// The scalar kinds (MM_SCALAR_* of mmarray.h).
const (
	ScalarOther      ScalarKind = C.MM_SCALAR_OTHER
	ScalarBool       ScalarKind = C.MM_SCALAR_BOOL
	ScalarInt8       ScalarKind = C.MM_SCALAR_INT8
	ScalarInt16      ScalarKind = C.MM_SCALAR_INT16
	ScalarInt32      ScalarKind = C.MM_SCALAR_INT32
	ScalarInt64      ScalarKind = C.MM_SCALAR_INT64
	ScalarUint8      ScalarKind = C.MM_SCALAR_UINT8
	ScalarUint16     ScalarKind = C.MM_SCALAR_UINT16
	ScalarUint32     ScalarKind = C.MM_SCALAR_UINT32
	ScalarUint64     ScalarKind = C.MM_SCALAR_UINT64
	ScalarFloat16    ScalarKind = C.MM_SCALAR_FLOAT16
	ScalarFloat32    ScalarKind = C.MM_SCALAR_FLOAT32
	ScalarFloat64    ScalarKind = C.MM_SCALAR_FLOAT64
	ScalarComplex64  ScalarKind = C.MM_SCALAR_COMPLEX64
	ScalarComplex128 ScalarKind = C.MM_SCALAR_COMPLEX128
)

// Info fetches everything about the view in one mm_describe call. It is consistent
// even when another goroutine closes the Array: the right values, or an ErrBadHandle
// error.
func (a *Array) Info() (Info, error) {
	var ci C.mm_info
	var dtype, msg *C.char
	a.mu.RLock()
	s := C.mmgo_describe(a.h, &ci, &dtype, &msg)
	a.mu.RUnlock()
	if s != C.MM_OK {
		return Info{}, fail(s, msg)
	}
	defer C.free(unsafe.Pointer(dtype))
	in := Info{
		Data:       ci.data,
		ItemSize:   int(ci.itemsize),
		Size:       int(ci.size),
		NBytes:     int(ci.nbytes),
		DType:      C.GoString(dtype),
		Mode:       C.GoString(&ci.mode[0]),
		Offset:     uint64(ci.offset),
		Flags:      uint32(ci.flags),
		ScalarKind: ScalarKind(ci.scalar_kind),
		Shape:      make([]int, int(ci.ndim)),
		Strides:    make([]int64, int(ci.ndim)),
	}
	for i := range in.Shape {
		in.Shape[i] = int(ci.shape[i])
		in.Strides[i] = int64(ci.strides[i])
	}
	return in, nil
}

// extent is the number of bytes from Data up to the end of the highest byte an element
// reaches: the range ReadAt and WriteAt may touch.
func (in Info) extent() int64 {
	if in.Size == 0 {
		return 0
	}
	hi := int64(in.ItemSize)
	for i, d := range in.Shape {
		if in.Strides[i] > 0 {
			hi += int64(d-1) * in.Strides[i]
		}
	}
	return hi
}

// ReadAt copies bytes of the view, starting off bytes after its first element, into p
// (mm_read_at: never SIGBUS; a file truncated underneath gives an EIO error with errno
// EFAULT). It implements io.ReaderAt: fewer than len(p) bytes come with io.EOF at the
// end of the view's byte extent (NBytes for a contiguous view).
func (a *Array) ReadAt(p []byte, off int64) (int, error) {
	return a.copyAt(p, off, false)
}

// WriteAt copies p into the view, starting off bytes after its first element
// (mm_write_at: never SIGBUS; a full disk under a sparse page gives an EIO error). It
// implements io.WriterAt: a write past the view's byte extent writes what fits and
// returns an error wrapping ErrOutOfBounds.
func (a *Array) WriteAt(p []byte, off int64) (int, error) {
	return a.copyAt(p, off, true)
}

func (a *Array) copyAt(p []byte, off int64, write bool) (int, error) {
	if off < 0 {
		return 0, &Error{Status: EInvalidArg, Message: fmt.Sprintf("offset %d is negative", off)}
	}
	in, err := a.Info()
	if err != nil {
		return 0, err
	}
	ext := in.extent()
	n := len(p)
	if off >= ext {
		n = 0
	} else if int64(n) > ext-off {
		n = int(ext - off)
	}
	if n > 0 {
		var msg *C.char
		var s C.mm_status
		a.mu.RLock()
		if write {
			s = C.mmgo_write_at(a.h, C.uint64_t(off), unsafe.Pointer(&p[0]), C.size_t(n), &msg)
		} else {
			s = C.mmgo_read_at(a.h, C.uint64_t(off), unsafe.Pointer(&p[0]), C.size_t(n), &msg)
		}
		a.mu.RUnlock()
		if s != C.MM_OK {
			return 0, fail(s, msg)
		}
	}
	if n < len(p) {
		if write {
			return n, &Error{Status: EOutOfBounds, Message: fmt.Sprintf("WriteAt: %d bytes at offset %d reach past the view's %d bytes", len(p), off, ext)}
		}
		return n, io.EOF
	}
	return n, nil
}

var (
	_ io.ReaderAt = (*Array)(nil)
	_ io.WriterAt = (*Array)(nil)
)

// Shape is the array's dimensions (nil after Close).
func (a *Array) Shape() []int { in, _ := a.Info(); return in.Shape }

// Strides is the byte strides, as numpy gives them (nil after Close).
func (a *Array) Strides() []int64 { in, _ := a.Info(); return in.Strides }

// DType is numpy's canonical type string ("<f8", "|u1", ">i4", ...; "" after Close).
func (a *Array) DType() string { in, _ := a.Info(); return in.DType }

// Mode is "r", "r+", "w+" or "c" ("" after Close).
func (a *Array) Mode() string { in, _ := a.Info(); return in.Mode }

// Size is the number of elements (0 after Close).
func (a *Array) Size() int { in, _ := a.Info(); return in.Size }

// Flags is the MM_* flag bits (Writeable, CContiguous, ...; 0 after Close).
func (a *Array) Flags() uint32 { in, _ := a.Info(); return in.Flags }

// Filename is the absolute path as opened ("" for a descriptor).
func (a *Array) Filename() (string, error) {
	var out, msg *C.char
	a.mu.RLock()
	defer a.mu.RUnlock()
	if s := C.mmgo_filename(a.h, &out, &msg); s != C.MM_OK {
		return "", fail(s, msg)
	}
	if out == nil {
		return "", nil
	}
	defer C.free(unsafe.Pointer(out))
	return C.GoString(out), nil
}

// liveHandles is the number of open handles in the process (for the tests' leak checks).
func liveHandles() int { return int(C.mm_handle_count()) }
