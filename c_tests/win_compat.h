/* The few POSIX calls the portable C tests use, for MinGW-w64 (Windows), included by
 * check.h when _WIN32 is defined. Only what the tests need; each with the Windows CRT
 * call behind it:
 *
 *   every open() is binary     _fmode = _O_BINARY before main (no \n -> \r\n)
 *   mkdtemp(tmpl)              _mktemp_s + _mkdir, retried
 *   realpath(p, NULL)          _fullpath (absolute, no symlink resolution on Windows)
 *   mkdir(p, mode)             _mkdir(p): no permission bits on Windows
 *   lstat                      stat (the tests that make symlinks do not run here)
 *   pread(fd, buf, n, off)     _lseeki64 + _read (not atomic: the tests are single-threaded
 *                              where they call it)
 *   t_win_rm_tree(dir)         recursive delete with _wfindfirst64 / _wunlink / _wrmdir
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
#include <wchar.h>

#ifdef __cplusplus
extern "C" {
#endif

__attribute__((constructor)) static void t_win_binary_mode(void) { _fmode = _O_BINARY; }

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

/* Removes `dir` and everything below it; read-only files are made writable first. Wide
 * calls: the tests make files with non-ASCII (UTF-8 in the API) names, which the ANSI
 * calls cannot name. */
__attribute__((unused)) static void t_win_rm_tree_w(const wchar_t *dir) {
    wchar_t pattern[600];
    struct _wfinddata64_t fd;
    swprintf(pattern, 600, L"%ls\\*", dir);
    intptr_t h = _wfindfirst64(pattern, &fd);
    if (h != -1) {
        do {
            if (wcscmp(fd.name, L".") == 0 || wcscmp(fd.name, L"..") == 0) continue;
            wchar_t child[600];
            swprintf(child, 600, L"%ls\\%ls", dir, fd.name);
            if (fd.attrib & _A_SUBDIR) {
                t_win_rm_tree_w(child);
            } else {
                _wchmod(child, _S_IREAD | _S_IWRITE);
                _wunlink(child);
            }
        } while (_wfindnext64(h, &fd) == 0);
        _findclose(h);
    }
    _wrmdir(dir);
}

/* `dir` itself is ASCII (under %TEMP%) */
__attribute__((unused)) static void t_win_rm_tree(const char *dir) {
    wchar_t w[600];
    if (mbstowcs(w, dir, 600) == (size_t)-1) return;
    w[599] = 0;
    t_win_rm_tree_w(w);
}

#ifdef __cplusplus
}
#endif

#endif
