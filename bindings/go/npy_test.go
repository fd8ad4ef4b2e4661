package mmarray

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestOpenNpyReadsNumpysFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.npy")
	// numpy saves a 3x4 float64 array in F order (header: fortran_order True).
	python(t, `
a = np.arange(12, dtype='<f8').reshape(3, 4) * 0.25 - 1
np.save(sys.argv[1], np.asfortranarray(a))
`, path)
	a, err := OpenNpy(path, "r+")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	in, err := a.Info()
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%v %v %s %s %d", in.Shape, in.Strides, in.DType, in.Mode, in.Offset); got != "[3 4] [8 24] <f8 r+ 128" {
		t.Fatalf("shape/strides/dtype/mode/offset: %s", got)
	}
	if in.Flags&FContiguous == 0 || in.Flags&CContiguous != 0 {
		t.Fatalf("flags %#x: want F- and not C-contiguous", in.Flags)
	}
	xs, err := a.Float64s()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		for j := 0; j < 4; j++ {
			if want := float64(i*4+j)*0.25 - 1; xs[i+3*j] != want { // F order
				t.Fatalf("a[%d,%d] = %v, want %v", i, j, xs[i+3*j], want)
			}
		}
	}
	xs[2+3*1] = -7.5 // a[2,1]
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	got := python(t, `
m = np.load(sys.argv[1])
want = np.arange(12, dtype='<f8').reshape(3, 4) * 0.25 - 1; want[2, 1] = -7.5
print(bool((m == want).all()), m.flags.f_contiguous, m[2, 1])
`, path)
	if got != "True True -7.5" {
		t.Fatalf("numpy sees %q", got)
	}

	// Mode "" is r+ (open_memmap's default); "c" writes stay private.
	for _, c := range []struct{ mode, want string }{{"", "r+"}, {"r", "r"}, {"c", "c"}} {
		b, err := OpenNpy(path, c.mode)
		if err != nil {
			t.Fatal(err)
		}
		if b.Mode() != c.want {
			t.Errorf("OpenNpy(%q): mode %q, want %q", c.mode, b.Mode(), c.want)
		}
		b.Close()
	}

	// A big-endian file opens (dtype >f8) but Float64s refuses to alias it.
	be := filepath.Join(dir, "be.npy")
	python(t, `np.save(sys.argv[1], np.arange(6, dtype='>f8').reshape(2, 3))`, be)
	b, err := OpenNpy(be, "r")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got := fmt.Sprintf("%v %s", b.Shape(), b.DType()); got != "[2 3] >f8" {
		t.Fatalf("big-endian: %s", got)
	}
	_, err = b.Float64s()
	if !errors.Is(err, ErrInvalidArg) || !strings.Contains(err.Error(), ">f8") || !strings.Contains(err.Error(), "byte order") {
		t.Fatalf("Float64s of a big-endian array: %v", err)
	}
	raw, err := b.Bytes() // the bytes as stored: 1.0 big-endian is 3f f0 00 ...
	if err != nil || len(raw) != 48 || raw[8] != 0x3f || raw[9] != 0xf0 {
		t.Fatalf("Bytes of the big-endian array: % x %v", raw, err)
	}

	// A record dtype: DType is numpy's descr list, however long.
	rec := filepath.Join(dir, "rec.npy")
	want := python(t, `
dt = np.dtype([('temperature', '<f8'), ('pressure', '<f4'), ('station_identifier', '<i4')])
np.save(sys.argv[1], np.zeros(5, dt))
print(str(dt.descr))
`, rec)
	r, err := OpenNpy(rec, "r")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := r.DType(); got != want || len(got) <= 64 {
		t.Fatalf("record dtype %q, numpy says %q", got, want)
	}
}

func TestOpenNpyErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.npy")
	_, err := OpenNpy(missing, "r")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), missing) {
		t.Fatalf("OpenNpy(missing): %v", err)
	}
	notNpy := filepath.Join(dir, "raw.bin")
	if err := os.WriteFile(notNpy, make([]byte, 256), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenNpy(notNpy, "r"); !errors.Is(err, ErrFormat) {
		t.Fatalf("OpenNpy(not a .npy): %v", err)
	}
	if _, err := OpenNpy(notNpy, "w+"); !errors.Is(err, ErrInvalidArg) {
		t.Fatalf("OpenNpy(w+): %v", err)
	}
	if _, err := CreateNpy(missing, "<f8", []int{2, -1}, 'C'); !errors.Is(err, ErrInvalidArg) {
		t.Fatalf("CreateNpy(negative dimension): %v", err)
	}
	if _, err := CreateNpy(missing, "", []int{2}, 'C'); !errors.Is(err, ErrInvalidArg) {
		t.Fatalf("CreateNpy(no dtype): %v", err)
	}
	if _, err := CreateNpy(missing, "<q7", []int{2}, 'C'); !errors.Is(err, ErrInvalidArg) || !strings.Contains(err.Error(), "not understood") {
		t.Fatalf("CreateNpy(bad dtype): %v", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatalf("a failed CreateNpy left a file")
	}
	a, err := CreateNpy(filepath.Join(dir, "ok.npy"), "<i2", []int{3}, 'C')
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	if err := a.SaveNpy(filepath.Join(dir, "closed.npy")); !errors.Is(err, ErrBadHandle) {
		t.Fatalf("SaveNpy after Close: %v", err)
	}
	if err := a.Flush(); !errors.Is(err, ErrBadHandle) {
		t.Fatalf("Flush after Close: %v", err)
	}

	// Concurrent failures keep their own messages (goroutines change threads).
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				name := filepath.Join(dir, fmt.Sprintf("none-%d-%d.npy", g, i))
				if _, err := OpenNpy(name, "r"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), name) {
					t.Errorf("goroutine %d: %v", g, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}

func TestCreateNpyMatchesNpSave(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name  string
		shape []int
		order byte
	}{{"f.npy", []int{3, 4}, 'F'}, {"c.npy", []int{3, 4}, 'C'}, {"one.npy", []int{5}, 'F'}} {
		path := filepath.Join(dir, c.name)
		a, err := CreateNpy(path, "<f8", c.shape, c.order)
		if err != nil {
			t.Fatal(err)
		}
		if a.Mode() != "r+" {
			t.Fatalf("%s: mode %q, want r+ (open_memmap's report)", c.name, a.Mode())
		}
		xs, err := a.Float64s()
		if err != nil {
			t.Fatal(err)
		}
		for i := range xs {
			xs[i] = float64(i)*1.5 - 2 // memory order
		}
		if err := a.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		// numpy builds the same array (values in memory order, then laid out as asked)
		// and compares values and the bytes of open_memmap(fortran_order=(order == 'F'))
		// filled the same (np.save's, except that for the 'F' 1-D array np.save writes
		// fortran_order False).
		got := python(t, `
shape, order = tuple(int(d) for d in sys.argv[2].split(',')), sys.argv[3]
want = (np.arange(int(np.prod(shape)), dtype='<f8') * 1.5 - 2).reshape(shape, order=order)
if order == 'F': want = np.asfortranarray(want)
m = np.load(sys.argv[1])
ref = sys.argv[1] + '.ref'
r = np.lib.format.open_memmap(ref, mode='w+', dtype='<f8', shape=shape, fortran_order=(order == 'F'))
r[...] = want; r.flush(); del r
print(bool((m == want).all()), m.shape == want.shape, open(sys.argv[1], 'rb').read() == open(ref, 'rb').read())
`, path, strings.Trim(strings.Join(strings.Fields(fmt.Sprint(c.shape)), ","), "[]"), string(c.order))
		if got != "True True True" {
			t.Fatalf("%s: numpy says %q (values equal, shape equal, bytes equal open_memmap's)", c.name, got)
		}
	}
}

func TestSaveNpyOfViewsMatchesNpSave(t *testing.T) {
	start := liveHandles()
	dir := t.TempDir()
	base := filepath.Join(dir, "base.npy")
	python(t, `np.save(sys.argv[1], (np.arange(24, dtype='<i4') * 7 - 30).reshape(4, 6))`, base)
	a, err := OpenNpy(base, "r")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := a.Slice(0, 1, MaxIndex, 1) // a[1:]
	if err != nil {
		t.Fatal(err)
	}
	rev, err := rows.Slice(1, MaxIndex, MinIndex, -2) // a[1:, ::-2]
	if err != nil {
		t.Fatal(err)
	}
	tr, err := a.View("", 0, []int{6, 4}, []int64{4, 24}) // a.T: F-contiguous
	if err != nil {
		t.Fatal(err)
	}
	be, err := a.View(">i4", 0, []int{4, 6}, nil) // the bytes read as big-endian
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		arr  *Array
		name string
		expr string
	}{
		{rev, "rev.npy", "a[1:, ::-2]"},
		{tr, "tr.npy", "a.T"},
		{be, "be.npy", "a.view('>i4')"},
		{a, "same.npy", "a"},
	} {
		out := filepath.Join(dir, c.name)
		if err := c.arr.SaveNpy(out); err != nil {
			t.Fatalf("SaveNpy(%s): %v", c.expr, err)
		}
		got := python(t, `
import io
a = np.load(sys.argv[2])
v = eval(sys.argv[3])
buf = io.BytesIO(); np.save(buf, v)
m = np.load(sys.argv[1])
print(open(sys.argv[1], 'rb').read() == buf.getvalue(), bool((m == v).all()), m.dtype.str)
`, out, base, c.expr)
		if !strings.HasPrefix(got, "True True ") {
			t.Errorf("SaveNpy of %s: numpy says %q (bytes equal np.save, values equal, dtype)", c.expr, got)
		}
	}
	// A target in a missing directory fails and leaves nothing behind.
	bad := filepath.Join(dir, "no", "such", "dir.npy")
	if err := rev.SaveNpy(bad); err == nil || !strings.Contains(err.Error(), "dir.npy") && !strings.Contains(err.Error(), "no/such") {
		t.Fatalf("SaveNpy into a missing directory: %v", err)
	}
	for _, v := range []*Array{a, rows, rev, tr, be} {
		if err := v.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if n := liveHandles(); n != start {
		t.Fatalf("%d handles open, want %d", n, start)
	}
}
