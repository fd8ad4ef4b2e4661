//go:build windows

package mmarray

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Windows only (the test binary under Wine): the library's errno numbers come out as
// Go's names for them, and OpenFile lends the *os.File's HANDLE as a descriptor.
func TestWindowsErrnos(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "mapped.bin")
	a, err := Open(p, "<u4", "w+", 0, []int{16}, 'C')
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	// w+ of a file a view maps: Windows cannot truncate it (ERROR_USER_MAPPED_FILE),
	// the library says EIO with errno EBUSY (16) and leaves the file alone.
	_, err = Open(p, "<u4", "w+", 0, []int{8}, 'C')
	var e *Error
	if !errors.As(err, &e) || e.Status != EIO || e.Errno != syscall.EBUSY || !errors.Is(err, syscall.EBUSY) {
		t.Fatalf("w+ of a mapped file: %#v", err)
	}
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("EBUSY matches the wrong errors: %v", err)
	}
	if st, err := os.Stat(p); err != nil || st.Size() != 64 {
		t.Fatalf("the mapped file changed: %v %v", st, err)
	}
	// A missing directory: ENOENT, which Go names ERROR_FILE_NOT_FOUND on Windows.
	_, err = Open(filepath.Join(dir, "no", "x.bin"), "<u4", "r", 0, nil, 'C')
	if !errors.Is(err, syscall.ENOENT) || !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing directory: %#v", err)
	}
}

// OpenFile with a file opened read-only (mm_open_handle): r maps it, r+ is refused.
func TestWindowsOpenFileHandles(t *testing.T) {
	p := filepath.Join(t.TempDir(), "h.bin")
	if err := os.WriteFile(p, []byte{1, 2, 3, 4, 5, 6, 7, 8}, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	a, err := OpenFile(f, "<u2", "r", 2, nil, 'C')
	if err != nil {
		t.Fatal(err)
	}
	xs, err := a.Uint16s()
	if err != nil || len(xs) != 3 || xs[0] != 0x0403 || xs[2] != 0x0807 {
		t.Fatalf("OpenFile read %v %v", xs, err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenFile(f, "<u2", "r+", 0, nil, 'C'); !errors.Is(err, ErrPermission) {
		t.Fatalf("r+ on a read-only handle: %v", err)
	}
	// The caller's handle is still open and usable: neither kept nor closed.
	b := make([]byte, 2)
	if n, err := f.ReadAt(b, 6); err != nil || n != 2 || b[0] != 7 {
		t.Fatalf("the *os.File after OpenFile: %d %v %v", n, err, b)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	// The file is no longer held by anyone: it can be deleted.
	if err := os.Remove(p); err != nil {
		t.Fatalf("remove after OpenFile and Close: %v", err)
	}
}
