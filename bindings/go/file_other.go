//go:build !windows

package mmarray

// fileIsHandle: elsewhere (*os.File).Fd() is a descriptor, which OpenFile passes to
// mm_open_fd.
const fileIsHandle = false
