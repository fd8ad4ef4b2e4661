/* A stand-in for bcryptprimitives.dll, for Wine 8 only (scripts/test_windows.sh puts it
 * into its own Wine prefix when the prefix has none).
 *
 * Rust's standard library (1.78 and later) gets its random bytes on Windows from
 * ProcessPrng in bcryptprimitives.dll, which every Windows 10 and 11 has; Wine 8.0 does
 * not ship that DLL, so no Rust DLL or program loads under it. This one exports the same
 * function and fills the buffer from RtlGenRandom (advapi32's SystemFunction036), which
 * Wine has. It is never installed anywhere but the test prefix.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, n)) return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
