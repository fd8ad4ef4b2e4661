// A Go program outside the mmarray tree (scripts/test_install.sh builds it in a new
// module with build.sh, the README's steps): creates consumer_go.npy (2x3 float64,
// a[i][j] = 10*i + j) through the mapping, reopens it read-only, prints row 1, and checks
// that a missing file is fs.ErrNotExist. numpy then loads the file it wrote.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log"

	"mmarray"
)

func main() {
	a, err := mmarray.CreateNpy("consumer_go.npy", "<f8", []int{2, 3}, 'C')
	if err != nil {
		log.Fatal(err)
	}
	xs, err := a.Float64s() // aliases the mapping
	if err != nil {
		log.Fatal(err)
	}
	for i := range xs {
		xs[i] = float64(10*(i/3) + i%3)
	}
	if err := a.Flush(); err != nil {
		log.Fatal(err)
	}
	a.Close()

	r, err := mmarray.OpenNpy("consumer_go.npy", "r")
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	row, err := r.Slice(0, 1, 2, 1) // r[1:2]
	if err != nil {
		log.Fatal(err)
	}
	defer row.Close()
	ys, err := row.Float64s()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("consumer_go:", r.DType(), r.Shape(), "row 1", ys)

	_, err = mmarray.Open("missing.f8", "<f8", "r", 0, nil, 'C')
	fmt.Println("consumer_go: missing.f8 is fs.ErrNotExist:", errors.Is(err, fs.ErrNotExist))
}
