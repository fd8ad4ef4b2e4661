package mmarray

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Append from 8 goroutines, each through its own Array (rows tagged by goroutine and
// sequence): every row once, in each goroutine's order, and the file is np.save's.
func TestAppendFromGoroutinesEachRowOnce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "log.npy")
	a, err := CreateNpy(path, "<i8", []int{0, 2}, 'C')
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if n, err := a.RowBytes(); err != nil || n != 16 {
		t.Fatalf("RowBytes: %d, %v", n, err)
	}
	const workers, appends = 8, 200
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			h, err := OpenNpy(path, "r+")
			if err != nil {
				errs <- err
				return
			}
			defer h.Close()
			row := make([]byte, 16)
			for s := 0; s < appends; s++ {
				binary.LittleEndian.PutUint64(row[0:], uint64(w))
				binary.LittleEndian.PutUint64(row[8:], uint64(s))
				if err := h.Append(row); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	all, err := a.AppendAndMap(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer all.Close()
	if got := all.Shape(); got[0] != workers*appends || got[1] != 2 {
		t.Fatalf("shape %v", got)
	}
	if got := a.Shape(); got[0] != 0 {
		t.Fatalf("a's shape changed: %v", got)
	}
	xs, err := all.Int64s()
	if err != nil {
		t.Fatal(err)
	}
	next := make([]int64, workers)
	for i := 0; i < len(xs); i += 2 {
		w, s := xs[i], xs[i+1]
		if w < 0 || w >= workers || s != next[w] {
			t.Fatalf("row %d: (%d, %d), want sequence %d", i/2, w, s, next[w])
		}
		next[w]++
	}
	if out := python(t, `
import io
a = np.load(sys.argv[1]); b = io.BytesIO(); np.save(b, a)
print(a.shape, open(sys.argv[1], 'rb').read() == b.getvalue())
`, path); out != "(1600, 2) True" {
		t.Fatalf("numpy: %s", out)
	}
}

func TestGrowRecoverAndErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.npy")
	a, err := CreateNpy(path, "<i2", []int{2, 3}, 'F') // grows along its last axis
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if n, _ := a.RowBytes(); n != 4 {
		t.Fatalf("RowBytes of a (2, 3) F-order <i2: %d", n)
	}
	if err := a.Append([]byte{1, 2, 3}); !errors.Is(err, ErrInvalidArg) {
		t.Fatalf("3 bytes for rows of 4: %v", err)
	}
	// One column of 2 values, then grow to 5 columns.
	c, err := a.AppendAndMap([]byte{7, 0, 8, 0})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if xs, _ := c.Int16s(); len(xs) != 8 || xs[6] != 7 || xs[7] != 8 {
		t.Fatalf("after one column: %v", xs)
	}
	g, err := a.Grow(5)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if s := g.Shape(); s[0] != 2 || s[1] != 5 {
		t.Fatalf("grown shape %v", s)
	}
	if n, err := RecoverNpy(path); err != nil || n != 5 {
		t.Fatalf("RecoverNpy: %d, %v", n, err)
	}
	r, err := OpenNpy(path, "r")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	before, _ := os.ReadFile(path)
	if err := r.Append(make([]byte, 4)); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("append in mode r: %v", err)
	}
	if _, err := a.Grow(4); !errors.Is(err, ErrInvalidArg) {
		t.Fatalf("shrink: %v", err)
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Fatal("a failed call changed the file")
	}
}
