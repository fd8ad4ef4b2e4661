/* Version: macros, mm_version, mm_version_string agree with each other and with 0.1.x. */
#include "check.h"

#define MM_STR2(x) #x
#define MM_STR(x) MM_STR2(x)

static void test_version(void) {
    CHECK_EQ_I(MM_VERSION_MAJOR, 0);
    CHECK_EQ_I(MM_VERSION_MINOR, 1);
    CHECK(MM_VERSION_PATCH >= 0);
    CHECK_EQ_U(mm_version(), MM_VERSION_MAJOR * 10000 + MM_VERSION_MINOR * 100 + MM_VERSION_PATCH);
    const char *s = mm_version_string();
    REQUIRE(s != NULL);
    CHECK_EQ_S(s, MM_STR(MM_VERSION_MAJOR) "." MM_STR(MM_VERSION_MINOR) "." MM_STR(MM_VERSION_PATCH));
    char buf[64];
    snprintf(buf, sizeof buf, "%d.%d.%d", MM_VERSION_MAJOR, MM_VERSION_MINOR, MM_VERSION_PATCH);
    CHECK_EQ_S(s, buf);
    /* the same static string every time, and no error recorded */
    CHECK(mm_version_string() == s || strcmp(mm_version_string(), s) == 0);
    CHECK_EQ_S(mm_last_error_message(), "");
    /* the macros are usable in #if */
#if MM_VERSION_MAJOR != 0 || MM_VERSION_MINOR < 1
    CHECK(!"version macros not usable in the preprocessor");
#endif
}

int main(void) {
    RUN(test_version);
    return test_summary();
}
