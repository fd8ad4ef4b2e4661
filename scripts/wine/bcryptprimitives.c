/* A stand-in for Windows' bcryptprimitives.dll, for running under Wine 8 only.
 *
 * Rust's standard library (1.78 and later) asks bcryptprimitives.dll for ProcessPrng
 * (the random numbers behind HashMap's seeds), so mmarray.dll and every Rust test
 * program import it. Windows 10 and later have it; Wine added it in 9.0. Wine 8.0
 * (Debian 12's wine64) has not, and the loader refuses the program. This DLL gives
 * ProcessPrng from RtlGenRandom (advapi32's SystemFunction036), which Wine has. It is
 * installed into the test prefix's system32 by scripts/test_windows_rust.sh and is
 * never shipped: a real Windows has its own. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, n))
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
