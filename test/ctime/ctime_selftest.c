/*
 * Negative control for the constant-time test: a comparison with an early exit, the classic
 * timing leak, compiled only into this binary. Run with --leak-selftest, memcheck must report a
 * conditional jump on the undefined secret (ctest's ctime_detects_leak requires exit code 42).
 * If it ever stops being reported, the whole ctime test proves nothing.
 */
#include <stdio.h>

#include "ctime.h"

__attribute__((noinline)) static int ctime_leaky_compare(const unsigned char *secret,
        const unsigned char *guess, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (secret[i] != guess[i])
            return 0;
    }
    return 1;
}

int ctime_leak_selftest(ctime_env *env)
{
    unsigned char secret[32], guess[32];
    int equal;

    test_rng_bytes(&env->input_rng, secret, sizeof(secret));
    test_rng_bytes(&env->input_rng, guess, sizeof(guess));
    CHECKMEM_UNDEFINE(secret, sizeof(secret));
    equal = ctime_leaky_compare(secret, guess, sizeof(secret));
    CHECKMEM_DEFINE(&equal, sizeof(equal));
    printf("ctime: leak self-test ran (equal = %d); valgrind must have reported it\n", equal);
    return 0;
}
