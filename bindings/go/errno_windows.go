package mmarray

import "syscall"

// On Windows the library's mm_last_os_error() is a C errno number (docs/c-api.md,
// Platforms: the errno a Win32 error stands for, msvcrt's numbers), while Go's syscall.Errno there is a
// Win32 error code with the POSIX names given invented values. The numbers the library
// reports are translated to those names, so that errors.Is(err, syscall.ENOSPC) means
// the same on every platform.
var windowsErrnos = map[int32]syscall.Errno{
	1:   syscall.EPERM,
	2:   syscall.ENOENT,
	5:   syscall.EIO,
	9:   syscall.EBADF,
	12:  syscall.ENOMEM,
	13:  syscall.EACCES,
	14:  syscall.EFAULT,
	16:  syscall.EBUSY,
	17:  syscall.EEXIST,
	18:  syscall.EXDEV,
	20:  syscall.ENOTDIR,
	22:  syscall.EINVAL,
	28:  syscall.ENOSPC,
	30:  syscall.EROFS,
	38:  syscall.ENAMETOOLONG,
	41:  syscall.ENOTEMPTY,
	130: syscall.EOPNOTSUPP,
}

// osErrno is the library's mm_last_os_error() as a syscall.Errno; a number outside the
// table above (the library's errno_of gives none) is kept as it is.
func osErrno(n int32) syscall.Errno {
	if e, ok := windowsErrnos[n]; ok {
		return e
	}
	return syscall.Errno(n)
}
