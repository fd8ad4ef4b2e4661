package mmarray

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// Issue 14: errors as the standard library names them, with errno; OpenFile; ReadAt /
// WriteAt; Info and the typed slices from mm_describe / mm_scalar_kind.

func TestErrorsMatchFsAndCarryErrno(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(filepath.Join(dir, "missing.bin"), "<f8", "r", 0, nil, 'C')
	var e *Error
	if !errors.As(err, &e) || e.Status != ENotFound || e.Errno != syscall.ENOENT {
		t.Fatalf("missing file: %#v", err)
	}
	if !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, ErrNotFound) || !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("errors.Is on a missing file: %v", err)
	}
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, ErrIO) {
		t.Fatalf("a missing file matches the wrong errors: %v", err)
	}
	if runtime.GOOS == "windows" {
		t.Log("NOT RUN on Windows: the permission case (a mode-0200 file) cannot be produced: Windows has no mode bits that deny reading; the EBUSY errno is checked by TestWindowsErrnos")
	} else if os.Geteuid() == 0 {
		t.Log("running as root: the permission case cannot be produced, skipped")
	} else {
		locked := filepath.Join(dir, "locked.bin")
		if err := os.WriteFile(locked, make([]byte, 8), 0o200); err != nil {
			t.Fatal(err)
		}
		_, err = Open(locked, "<f8", "r", 0, nil, 'C')
		if !errors.Is(err, fs.ErrPermission) || !errors.Is(err, syscall.EACCES) {
			t.Fatalf("unreadable file: %#v", err)
		}
	}
	// A failure the OS did not report: no errno, Unwrap gives nil.
	_, err = Open(filepath.Join(dir, "x.bin"), "<q9", "w+", 0, []int{1}, 'C')
	if !errors.As(err, &e) || e.Status != EInvalidArg || e.Errno != 0 || errors.Unwrap(err) != nil {
		t.Fatalf("bad dtype: %#v", err)
	}
	// A closed array: fs.ErrClosed.
	a, err := Open(filepath.Join(dir, "c.bin"), "u1", "w+", 0, []int{4}, 'C')
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	if _, err := a.Info(); !errors.Is(err, fs.ErrClosed) || !errors.Is(err, ErrBadHandle) {
		t.Fatalf("Info after Close: %v", err)
	}
}

func TestInfoAndScalarKinds(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(filepath.Join(dir, "a.bin"), "float64", "w+", 8, []int{3, 4}, 'C')
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	in, err := a.Info()
	if err != nil {
		t.Fatal(err)
	}
	if in.DType != "<f8" || in.Mode != "w+" || in.Offset != 8 || in.ItemSize != 8 || in.Size != 12 ||
		in.NBytes != 96 || in.ScalarKind != ScalarFloat64 || len(in.Shape) != 2 || in.Shape[1] != 4 ||
		in.Strides[0] != 32 || in.Flags != Writeable|CContiguous|Aligned|NativeOrder {
		t.Fatalf("Info: %+v", in)
	}
	xs, err := a.Float64s()
	if err != nil || len(xs) != 12 {
		t.Fatal(len(xs), err)
	}
	for _, c := range []struct {
		dtype string
		kind  ScalarKind
	}{
		{"?", ScalarBool}, {"i1", ScalarInt8}, {"<i2", ScalarInt16}, {"<i4", ScalarInt32},
		{"q", ScalarInt64}, {"u1", ScalarUint8}, {"<u2", ScalarUint16}, {"<u4", ScalarUint32},
		{"<u8", ScalarUint64}, {"<f2", ScalarFloat16}, {"<f4", ScalarFloat32},
		{"<c8", ScalarComplex64}, {"<c16", ScalarComplex128}, {">f8", ScalarOther},
		{"S8", ScalarOther}, {"M8[s]", ScalarOther}, {"[('x', '<f8')]", ScalarOther},
	} {
		v, err := a.View(c.dtype, 0, []int{1}, nil)
		if err != nil {
			t.Fatal(c.dtype, err)
		}
		in, err := v.Info()
		v.Close()
		if err != nil || in.ScalarKind != c.kind {
			t.Fatalf("%s: kind %d, want %d (%v)", c.dtype, in.ScalarKind, c.kind, err)
		}
	}
	be, err := a.View(">f8", 0, []int{12}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	if _, err := be.Float64s(); !errors.Is(err, ErrInvalidArg) || !strings.Contains(err.Error(), "byte order") {
		t.Fatalf("Float64s of >f8: %v", err)
	}
	if _, err := a.Int64s(); err == nil || !strings.Contains(err.Error(), "dtype is <f8, not int64") {
		t.Fatalf("Int64s of <f8: %v", err)
	}
	// A record dtype's long descr text comes through whole (the 64-byte first try grows).
	long := "[('a_rather_long_field_name', '<f8'), ('another_long_field_name', '<i4'), ('c', '|u1')]"
	r, err := Open(filepath.Join(dir, "r.bin"), long, "w+", 0, []int{2}, 'C')
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.DType() != long {
		t.Fatalf("record dtype: %q", r.DType())
	}
}

func TestOpenFileAndReadAtWriteAt(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.bin")
	if err := os.WriteFile(path, []byte("0123456789abcdef"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	a, err := OpenFile(f, "u1", "r+", 4, nil, 'C')
	f.Close() // the mapping keeps its own reference
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if name, err := a.Filename(); err != nil || name != "" {
		t.Fatalf("Filename of OpenFile: %q %v", name, err)
	}
	var r io.ReaderAt = a
	buf := make([]byte, 5)
	if n, err := r.ReadAt(buf, 2); n != 5 || err != nil || string(buf) != "6789a" {
		t.Fatalf("ReadAt: %d %v %q", n, err, buf)
	}
	if n, err := r.ReadAt(buf, 9); n != 3 || err != io.EOF || string(buf[:3]) != "def" {
		t.Fatalf("ReadAt at the end: %d %v %q", n, err, buf[:n])
	}
	if n, err := r.ReadAt(buf, 12); n != 0 || err != io.EOF {
		t.Fatalf("ReadAt past the end: %d %v", n, err)
	}
	var w io.WriterAt = a
	if n, err := w.WriteAt([]byte("XY"), 0); n != 2 || err != nil {
		t.Fatalf("WriteAt: %d %v", n, err)
	}
	if n, err := w.WriteAt([]byte("PQR"), 10); n != 2 || !errors.Is(err, ErrOutOfBounds) {
		t.Fatalf("WriteAt past the end: %d %v", n, err)
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "0123XY6789abcdPQ" {
		t.Fatalf("file after WriteAt: %q", got)
	}
	// A strided view: its extent spans the bytes between elements.
	// The view's elements are "XY6789abcdPQ"[::-3] = "Qc96"; its first element is the
	// last byte, and with only a negative stride its extent is that one byte.
	s, err := a.Slice(0, MaxIndex, MinIndex, -3)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	one := make([]byte, 1)
	if n, err := s.ReadAt(one, 0); n != 1 || err != nil || one[0] != 'Q' {
		t.Fatalf("ReadAt of a reversed view: %d %v %q", n, err, one)
	}
	if n, err := s.ReadAt(one, 1); n != 0 || err != io.EOF {
		t.Fatalf("ReadAt past a reversed view's extent: %d %v", n, err)
	}
	ro, err := OpenFile(f, "u1", "r", 0, nil, 'C') // f is closed now
	if ro != nil || !errors.Is(err, syscall.EBADF) || !errors.Is(err, ErrInvalidArg) {
		t.Fatalf("OpenFile of a closed file: %v", err)
	}
	if _, err := OpenFile(nil, "u1", "r", 0, nil, 'C'); !errors.Is(err, ErrInvalidArg) {
		t.Fatalf("OpenFile(nil): %v", err)
	}
}

func TestControlsFieldsVersion(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.bin")
	a, err := OpenEx(path, "<i4", "w+", 0, []int{1024}, 'C', OpenPopulate)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if runtime.GOOS == "windows" {
		// OpenPopulate is PrefetchVirtualMemory, which Wine accepts without bringing the
		// pages into the working set: residency is checked after Lock (VirtualLock).
		n, err := a.ResidentBytes()
		t.Logf("on Windows (Wine): ResidentBytes after OpenPopulate %d %v; checked after Lock instead", n, err)
		if err := a.Lock(); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := a.ResidentBytes(); err != nil || n != 4096 {
		t.Fatalf("ResidentBytes after OpenPopulate: %d %v", n, err)
	}
	advise := a.Advise(AdviceSequential)
	if runtime.GOOS == "windows" {
		// Only NORMAL and WILLNEED have a Windows counterpart (docs/c-api.md, Platforms).
		if !errors.Is(advise, ErrUnsupported) {
			t.Fatalf("Advise(AdviceSequential) on Windows: %v", advise)
		}
		advise = a.Advise(AdviceWillNeed)
	}
	for _, err := range []error{a.FlushRange(0, 100), a.FlushAsync(), advise, a.Lock(), a.Unlock()} {
		if err != nil && !errors.Is(err, syscall.EPERM) && !errors.Is(err, syscall.ENOMEM) {
			t.Fatal(err)
		}
	}
	if err := a.FlushRange(4000, 200); !errors.Is(err, ErrOutOfBounds) {
		t.Fatalf("FlushRange past the end: %v", err)
	}
	if err := a.Advise(99); !errors.Is(err, ErrInvalidArg) {
		t.Fatalf("Advise(99): %v", err)
	}
	r, err := a.View("[('x', '<i4'), ('y', '<i2', (2,))]", 0, []int{4}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	fs, err := r.Fields()
	if err != nil || len(fs) != 2 || fs[1].Name != "y" || fs[1].DType != "<i2" || fs[1].ByteOffset != 4 || len(fs[1].Shape) != 1 || fs[1].Shape[0] != 2 {
		t.Fatalf("Fields: %+v %v", fs, err)
	}
	if fs, err := a.Fields(); err != nil || len(fs) != 0 {
		t.Fatalf("Fields of <i4: %+v %v", fs, err)
	}
	if text, n := Version(); text == "" || n == 0 {
		t.Fatalf("Version: %q %d", text, n)
	}
}
