package mmarray

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// Issue 10 defect 3: Close racing the getters. Each getter returned values copied from
// the handle's shape/strides/dtype buffers after Close had freed them. Every answer must
// now be exactly right or the closed-array answer (an ErrBadHandle error; nil/""/0).
func TestCloseRacingGetters(t *testing.T) {
	rounds := 2000
	if testing.Short() {
		rounds = 200
	}
	p := filepath.Join(t.TempDir(), "race.f8")
	// Odd rounds use a record dtype (itemsize 56): its descr text is a longer buffer.
	const recDType = "[('x', '<f8'), ('name', '|S24'), ('v', '<i4', (2, 3))]"
	start := liveHandles()
	var bad sync.Map // first few wrong answers, by getter
	var nbad, nright, nclosed int64
	var mu sync.Mutex
	record := func(what string, right, closed bool, got any) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case right:
			nright++
		case closed:
			nclosed++
		default:
			nbad++
			bad.LoadOrStore(what, fmt.Sprint(got))
		}
	}
	for r := 0; r < rounds; r++ {
		dtype, shape, strides := "<f8", []int{3, 5, 7}, []int64{280, 56, 8}
		if r%2 == 1 {
			dtype, shape, strides = recDType, []int{4, 9}, []int64{9 * 56, 56}
		}
		a, err := Open(p, dtype, "w+", 0, shape, 'C')
		if err != nil {
			t.Fatal(err)
		}
		wantShape, wantStrides := fmt.Sprint(shape), fmt.Sprint(strides)
		wantDType := dtype
		if r%2 == 1 {
			wantDType = a.DType() // numpy's canonical form of the record descr
			if wantDType == "" {
				t.Fatal("record dtype missing")
			}
		}
		var wg sync.WaitGroup
		begin := make(chan struct{})
		getters := []func() bool{ // each returns true once it saw the closed answer
			func() bool {
				s := a.Shape()
				record("Shape", fmt.Sprint(s) == wantShape, s == nil, s)
				return s == nil
			},
			func() bool {
				s := a.Strides()
				record("Strides", fmt.Sprint(s) == wantStrides, s == nil, s)
				return s == nil
			},
			func() bool {
				d := a.DType()
				record("DType", d == wantDType, d == "", d)
				return d == ""
			},
			func() bool {
				in, err := a.Info()
				closed := errors.Is(err, ErrBadHandle)
				right := err == nil && fmt.Sprint(in.Shape) == wantShape && fmt.Sprint(in.Strides) == wantStrides &&
					in.DType == wantDType && in.Mode == "w+" && in.Size == shape[0]*shape[1]*(map[bool]int{true: 7, false: 1}[r%2 == 0])
				record("Info", right, closed, fmt.Sprint(in, err))
				return closed
			},
			func() bool {
				if r%2 == 1 {
					b, err := a.Bytes()
					closed := errors.Is(err, ErrBadHandle)
					record("Bytes", err == nil && len(b) == 36*56, closed, fmt.Sprint(len(b), err))
					return closed
				}
				xs, err := a.Float64s()
				closed := errors.Is(err, ErrBadHandle)
				record("Float64s", err == nil && len(xs) == 105, closed, fmt.Sprint(len(xs), err))
				return closed
			},
			func() bool {
				name, err := a.Filename()
				closed := errors.Is(err, ErrBadHandle)
				record("Filename", err == nil && name == p, closed, fmt.Sprint(name, err))
				return closed
			},
		}
		for _, g := range getters {
			wg.Add(1)
			go func(g func() bool) {
				defer wg.Done()
				<-begin
				for i := 0; i < 400 && !g(); i++ {
				}
			}(g)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-begin
			for i := 0; i < r%7; i++ {
				runtime.Gosched()
			}
			if err := a.Close(); err != nil {
				t.Error(err)
			}
		}()
		close(begin)
		wg.Wait()
	}
	bad.Range(func(k, v any) bool { t.Errorf("%s gave a wrong answer, e.g. %s", k, v); return true })
	if nbad != 0 {
		t.Errorf("%d wrong answers (%d right, %d closed)", nbad, nright, nclosed)
	}
	if nright == 0 || nclosed == 0 {
		t.Errorf("the race did not happen: %d right, %d closed answers", nright, nclosed)
	}
	if n := liveHandles(); n != start {
		t.Errorf("%d handles open, want %d", n, start)
	}
	t.Logf("%d rounds: %d right answers, %d closed answers, %d wrong", rounds, nright, nclosed, nbad)
}
