/* The few POSIX calls the portable C tests use, for MinGW-w64 (Windows), included by
 * check.h when _WIN32 is defined. Only what the tests need; each with the Windows CRT
 * call behind it:
 *
 *   every open() is binary     _set_fmode(_O_BINARY) before main (no \n -> \r\n)
 *   mkdtemp(tmpl)              _mktemp_s + _mkdir, retried
 *   realpath(p, NULL)          _fullpath (absolute, no symlink resolution on Windows)
 *   mkdir(p, mode)             _mkdir(p): no permission bits on Windows
 *   lstat                      stat (the tests that make symlinks do not run here)
 *   pread(fd, buf, n, off)     _lseeki64 + _read (not atomic: the tests are single-threaded
 *                              where they call it)
 *   t_win_rm_tree(dir)         recursive delete with _findfirst64 / _unlink / _rmdir
 */
#ifndef MMARRAY_C_TESTS_WIN_COMPAT_H
#define MMARRAY_C_TESTS_WIN_COMPAT_H

#include <direct.h>
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

__attribute__((constructor)) static void t_win_binary_mode(void) { _set_fmode(_O_BINARY); }

__attribute__((unused)) static char *t_win_mkdtemp(char *tmpl) {
    size_t n = strlen(tmpl);
    char save[260];
    if (n < 6 || n >= sizeof save || strcmp(tmpl + n - 6, "XXXXXX") != 0) {
        errno = EINVAL;
        return NULL;
    }
    memcpy(save, tmpl, n + 1);
    for (int attempt = 0; attempt < 100; attempt++) {
        memcpy(tmpl, save, n + 1);
        if (_mktemp_s(tmpl, n + 1) != 0) return NULL;
        if (_mkdir(tmpl) == 0) return tmpl;
        if (errno != EEXIST) return NULL;
    }
    return NULL;
}
#define mkdtemp(t) t_win_mkdtemp(t)

#define realpath(p, resolved) _fullpath((resolved), (p), 0)
#define mkdir(p, mode) _mkdir(p)
#define lstat stat

__attribute__((unused)) static long long pread(int fd, void *buf, size_t n, long long off) {
    if (_lseeki64(fd, off, SEEK_SET) != off) return -1;
    return _read(fd, buf, (unsigned)n);
}

/* Removes `dir` and everything below it; read-only files are made writable first. */
__attribute__((unused)) static void t_win_rm_tree(const char *dir) {
    char pattern[600];
    struct __finddata64_t fd;
    snprintf(pattern, sizeof pattern, "%s\\*", dir);
    intptr_t h = _findfirst64(pattern, &fd);
    if (h != -1) {
        do {
            if (strcmp(fd.name, ".") == 0 || strcmp(fd.name, "..") == 0) continue;
            char child[600];
            snprintf(child, sizeof child, "%s\\%s", dir, fd.name);
            if (fd.attrib & _A_SUBDIR) {
                t_win_rm_tree(child);
            } else {
                _chmod(child, _S_IREAD | _S_IWRITE);
                _unlink(child);
            }
        } while (_findnext64(h, &fd) == 0);
        _findclose(h);
    }
    _rmdir(dir);
}

#ifdef __cplusplus
}
#endif

#endif
