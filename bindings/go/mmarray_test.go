package mmarray

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// python runs a snippet with the project's numpy (MMARRAY_PYTHON, default
// ../../.venv/bin/python); numpy is the oracle, so its absence is a failure. On Windows
// (the test binary under Wine) there is no numpy: the test is skipped, saying so; the
// numpy cross-checks of the Windows library are the C stage's (c_tests/numpy_cross.py).
func python(t *testing.T, code string, args ...string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("NOT RUN on Windows: needs numpy as the oracle, which does not run under Wine here (scripts/test_windows.sh checks the DLL against numpy with c_tests/numpy_cross.py)")
	}
	py := os.Getenv("MMARRAY_PYTHON")
	if py == "" {
		py = "../../.venv/bin/python"
	}
	out, err := exec.Command(py, append([]string{"-c", "import numpy as np, sys\n" + code}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("python with numpy (%s): %v\n%s", py, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestReadsAndWritesNumpyFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.bin")
	// numpy writes a 3x4 float64 array in F order after 7 bytes of header.
	python(t, `
a = np.arange(12, dtype='<f8').reshape(3, 4) * 0.25 - 1
m = np.memmap(sys.argv[1], dtype='<f8', mode='w+', offset=7, shape=(3, 4), order='F')
m[:] = a; m.flush()
`, path)
	a, err := Open(path, "<f8", "r+", 7, []int{3, 4}, 'F')
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if got := fmt.Sprintf("%v %v %s %s", a.Shape(), a.Strides(), a.DType(), a.Mode()); got != "[3 4] [8 24] <f8 r+" {
		t.Fatalf("shape/strides/dtype/mode: %s", got)
	}
	// At byte offset 7 the doubles are misaligned: Float64s refuses (issue 10 defect
	// 15), Bytes gives them to decode.
	if _, err := a.Float64s(); !errors.Is(err, ErrInvalidArg) || !strings.Contains(err.Error(), "not aligned") {
		t.Fatalf("Float64s at offset 7: %v", err)
	}
	raw, err := a.Bytes()
	if err != nil || len(raw) != 96 {
		t.Fatal(len(raw), err)
	}
	// F order: element (i, j) is at i + 3*j in memory.
	for i := 0; i < 3; i++ {
		for j := 0; j < 4; j++ {
			got := math.Float64frombits(binary.LittleEndian.Uint64(raw[8*(i+3*j):]))
			if want := float64(i*4+j)*0.25 - 1; got != want {
				t.Fatalf("a[%d,%d] = %v, want %v", i, j, got, want)
			}
		}
	}
	binary.LittleEndian.PutUint64(raw[8*(1+3*2):], math.Float64bits(1e6)) // a[1,2]
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	got := python(t, `
m = np.memmap(sys.argv[1], dtype='<f8', mode='r', offset=7, shape=(3, 4), order='F')
want = np.arange(12, dtype='<f8').reshape(3, 4) * 0.25 - 1; want[1, 2] = 1e6
print(bool((m == want).all()), m[1, 2])
`, path)
	if got != "True 1000000.0" {
		t.Fatalf("numpy sees %q", got)
	}

	// Every typed accessor against a file of that dtype written by numpy.
	for _, c := range []struct {
		dtype string
		get   func(*Array) (string, error)
	}{
		{"|b1", func(a *Array) (string, error) { v, err := a.Bools(); return fmt.Sprint(v), err }},
		{"|i1", func(a *Array) (string, error) { v, err := a.Int8s(); return fmt.Sprint(v), err }},
		{"|u1", func(a *Array) (string, error) { v, err := a.Uint8s(); return fmt.Sprint(v), err }},
		{"<i2", func(a *Array) (string, error) { v, err := a.Int16s(); return fmt.Sprint(v), err }},
		{"<u2", func(a *Array) (string, error) { v, err := a.Uint16s(); return fmt.Sprint(v), err }},
		{"<i4", func(a *Array) (string, error) { v, err := a.Int32s(); return fmt.Sprint(v), err }},
		{"<u4", func(a *Array) (string, error) { v, err := a.Uint32s(); return fmt.Sprint(v), err }},
		{"<i8", func(a *Array) (string, error) { v, err := a.Int64s(); return fmt.Sprint(v), err }},
		{"<u8", func(a *Array) (string, error) { v, err := a.Uint64s(); return fmt.Sprint(v), err }},
		{"<f4", func(a *Array) (string, error) { v, err := a.Float32s(); return fmt.Sprint(v), err }},
		{"<f8", func(a *Array) (string, error) { v, err := a.Float64s(); return fmt.Sprint(v), err }},
		{"<c8", func(a *Array) (string, error) { v, err := a.Complex64s(); return fmt.Sprint(v), err }},
		{"<c16", func(a *Array) (string, error) { v, err := a.Complex128s(); return fmt.Sprint(v), err }},
	} {
		p := filepath.Join(dir, "t.bin")
		// Python prints the values the way Go's fmt.Sprint does.
		want := python(t, `
dt = np.dtype(sys.argv[2])
v = (np.arange(5) % 2 == 1) if dt.kind == 'b' else (np.arange(5) * 3 - 2).astype(dt)
if dt.kind == 'c': v = v + 1.5j
v.tofile(sys.argv[1])
fmt = {'b': lambda x: 'true' if x else 'false', 'c': lambda x: '(%g%+gi)' % (x.real, x.imag)}
f = fmt.get(dt.kind, lambda x: '%g' % x if dt.kind == 'f' else str(int(x)))
print('[' + ' '.join(f(x) for x in v) + ']')
`, p, c.dtype)
		arr, err := Open(p, c.dtype, "r", 0, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.get(arr)
		if err != nil || got != want {
			t.Errorf("%s: got %s (%v), numpy wrote %s", c.dtype, got, err, want)
		}
		// Every other accessor refuses this dtype (Bytes takes any).
		if _, err := arr.Bytes(); err != nil {
			t.Errorf("%s: Bytes: %v", c.dtype, err)
		}
		if c.dtype != "<f8" {
			if _, err := arr.Float64s(); !errors.Is(err, ErrInvalidArg) {
				t.Errorf("%s: Float64s gave %v", c.dtype, err)
			}
		}
		arr.Close()
	}
}

func TestErrorsCarryStatusAndMessage(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.bin")
	_, err := Open(missing, "<f8", "r", 0, nil, 'C')
	var e *Error
	if !errors.As(err, &e) || e.Status != ENotFound || !errors.Is(err, ErrNotFound) {
		t.Fatalf("Open(missing): %v", err)
	}
	if !strings.Contains(e.Message, missing) {
		t.Fatalf("message does not name the path: %q", e.Message)
	}
	if _, err := Open(missing, "<q7", "w+", 0, []int{2}, 'C'); !errors.Is(err, ErrInvalidArg) || !strings.Contains(err.Error(), "not understood") {
		t.Fatalf("bad dtype: %v", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatalf("a failed open created the file")
	}
	if _, err := Open(missing, "", "", 0, []int{-1}, 'C'); !errors.Is(err, ErrInvalidArg) {
		t.Fatalf("negative dimension: %v", err)
	}
	p := filepath.Join(dir, "be.bin")
	a, err := Open(p, ">i4", "w+", 0, []int{2, 3}, 'C')
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Int32s(); !errors.Is(err, ErrInvalidArg) || !strings.Contains(err.Error(), ">i4") {
		t.Fatalf("big-endian Int32s: %v", err)
	}
	if _, err := Open(p, "<i4", "r", 0, []int{100}, 'C'); !errors.Is(err, ErrFileTooSmall) {
		t.Fatalf("too small: %v", err)
	}
	if _, err := a.Slice(5, 0, 1, 1); !errors.Is(err, ErrInvalidArg) || !strings.Contains(err.Error(), "axis 5") {
		t.Fatalf("bad axis: %v", err)
	}
	if _, err := a.View("", 4, []int{6}, nil); !errors.Is(err, ErrOutOfBounds) {
		t.Fatalf("view past the end: %v", err)
	}
	if EBadHandle.String() == "" || ErrNotFound.Error() != "mmarray: file not found" {
		t.Fatalf("status text: %q %q", EBadHandle.String(), ErrNotFound.Error())
	}
}

func TestViewsSlicesAndClose(t *testing.T) {
	start := liveHandles()
	p := filepath.Join(t.TempDir(), "v.bin")
	a, err := Open(p, "<i4", "w+", 0, []int{3, 4}, 'C')
	if err != nil {
		t.Fatal(err)
	}
	xs, _ := a.Int32s()
	for i := range xs {
		xs[i] = int32(i)
	}
	rev, err := a.Slice(1, MaxIndex, MinIndex, -1) // a[:, ::-1]
	if err != nil {
		t.Fatal(err)
	}
	row, err := a.Slice(0, 2, MaxIndex, 1) // a[2:]
	if err != nil {
		t.Fatal(err)
	}
	tr, err := a.View("", 0, []int{4, 3}, []int64{4, 16}) // a.T
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil { // idempotent
		t.Fatalf("second Close: %v", err)
	}
	if _, err := a.Int32s(); !errors.Is(err, ErrBadHandle) {
		t.Fatalf("use after Close: %v", err)
	}
	if a.Shape() != nil || a.DType() != "" {
		t.Fatalf("getters after Close: %v %q", a.Shape(), a.DType())
	}
	// The views outlive the base.
	if got := fmt.Sprint(rev.Shape(), rev.Strides()); got != "[3 4] [16 -4]" {
		t.Fatalf("rev: %s", got)
	}
	if _, err := rev.Int32s(); !errors.Is(err, ErrInvalidArg) || !strings.Contains(err.Error(), "not contiguous") {
		t.Fatalf("non-contiguous slice: %v", err)
	}
	r, err := row.Int32s()
	if err != nil || fmt.Sprint(r) != "[8 9 10 11]" {
		t.Fatalf("row: %v %v", r, err)
	}
	tt, err := tr.Int32s() // F-contiguous: memory order
	if err != nil || tt[5] != 5 || tr.Flags()&FContiguous == 0 {
		t.Fatalf("transpose: %v %v", tt, err)
	}
	b, err := row.Bytes()
	if err != nil || len(b) != 16 || b[0] != 8 {
		t.Fatalf("bytes: %v %v", b, err)
	}
	if name, err := tr.Filename(); err != nil || name != p {
		t.Fatalf("filename %q %v", name, err)
	}
	for _, v := range []*Array{rev, row, tr} {
		if err := v.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if n := liveHandles(); n != start {
		t.Fatalf("%d handles open, want %d", n, start)
	}
}

func TestFinalizerClosesForgottenArrays(t *testing.T) {
	start := liveHandles()
	dir := t.TempDir()
	func() {
		for i := 0; i < 50; i++ {
			// One file each: Windows refuses w+ of a file a view still maps (EBUSY).
			p := filepath.Join(dir, fmt.Sprintf("g%d.bin", i))
			if _, err := Open(p, "u1", "w+", 0, []int{16}, 'C'); err != nil {
				t.Fatal(err)
			}
		}
	}()
	if liveHandles() < start+50 {
		t.Fatalf("expected 50 open handles")
	}
	deadline := time.Now().Add(10 * time.Second)
	for liveHandles() != start && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := liveHandles(); n != start {
		t.Fatalf("finalizers left %d handles open", n-start)
	}
}

// Goroutines migrate between OS threads; each error must still carry its own message.
func TestConcurrentErrorsKeepTheirMessages(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				name := filepath.Join(dir, fmt.Sprintf("none-%d-%d.bin", g, i))
				_, err := Open(name, "<f8", "r", 0, nil, 'C')
				if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), name) {
					t.Errorf("goroutine %d: %v", g, err)
					return
				}
				a, err := Open(filepath.Join(dir, fmt.Sprintf("ok-%d.bin", g)), "<f8", "w+", 0, []int{4}, 'C')
				if err != nil {
					t.Error(err)
					return
				}
				xs, _ := a.Float64s()
				xs[i%4] += 1
				runtime.Gosched()
				a.Close()
			}
		}(g)
	}
	wg.Wait()
}

// Issue 10 defect 15: numpy allows an <f8 array at byte offset 3; a []float64 there
// would be misaligned. The typed accessors refuse it, Bytes reads it.
func TestTypedSlicesRefuseMisalignedData(t *testing.T) {
	p := filepath.Join(t.TempDir(), "odd.f8")
	a, err := Open(p, "<f8", "w+", 3, []int{4}, 'C')
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	in, err := a.Info()
	if err != nil || uintptr(in.Data)%8 != 3 || in.Flags&Aligned != 0 {
		t.Fatalf("data %p flags %#x: %v", in.Data, in.Flags, err)
	}
	if xs, err := a.Float64s(); !errors.Is(err, ErrInvalidArg) || !strings.Contains(err.Error(), "not aligned to 8 bytes") || xs != nil {
		t.Fatalf("Float64s at offset 3: %v %v", xs, err)
	}
	b, err := a.Bytes()
	if err != nil || len(b) != 32 {
		t.Fatalf("Bytes: %d %v", len(b), err)
	}
	for i := 0; i < 4; i++ {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(float64(i)-0.5))
	}
	// The same bytes as <i4 pairs at an aligned address (5 bytes further): allowed.
	v, err := a.View("<i4", 5, []int{6}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if is, err := v.Int32s(); err != nil || len(is) != 6 {
		t.Fatalf("aligned Int32s: %v %v", is, err)
	}
	// An empty view at the odd address is aligned (numpy's rule): an empty slice.
	empty, err := a.View("", 0, []int{0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	if xs, err := empty.Float64s(); err != nil || xs == nil || len(xs) != 0 {
		t.Fatalf("empty view: %v %v", xs, err)
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	got := python(t, `print(np.memmap(sys.argv[1], dtype='<f8', mode='r', offset=3).tolist())`, p)
	if got != "[-0.5, 0.5, 1.5, 2.5]" {
		t.Fatalf("numpy reads %s", got)
	}
}
