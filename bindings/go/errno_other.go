//go:build !windows

package mmarray

import "syscall"

// osErrno is the library's mm_last_os_error() as a syscall.Errno: the same number here.
func osErrno(n int32) syscall.Errno { return syscall.Errno(n) }
