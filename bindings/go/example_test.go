package mmarray_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"mmarray"
)

// The README's Go example: create a 2x3 float64 file, write through the mapping,
// reopen it read-only.
func Example() {
	dir, _ := os.MkdirTemp("", "mmarray-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "data.f8")

	a, err := mmarray.Open(path, "<f8", "w+", 0, []int{2, 3}, 'C')
	if err != nil {
		log.Fatal(err)
	}
	xs, _ := a.Float64s() // aliases the mapping, no copy
	for i := range xs {
		xs[i] = float64(i) / 2
	}
	a.Close()

	r, err := mmarray.Open(path, "<f8", "r", 0, nil, 'C') // shape inferred: [6]
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	ys, _ := r.Float64s()
	fmt.Println(r.Shape(), r.DType(), ys)

	_, err = mmarray.Open(filepath.Join(dir, "missing"), "<f8", "r", 0, nil, 'C')
	var e *mmarray.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status == mmarray.ENotFound)
	}
	// Output:
	// [6] <f8 [0 0.5 1 1.5 2 2.5]
	// true
}
