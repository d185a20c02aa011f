#include "payload/u256.h"

#include <string.h>

/* __extension__ keeps -Wpedantic quiet about the GCC/clang 128-bit type. */
__extension__ typedef unsigned __int128 u128;

int payload_u256_cmp(const uint8_t a[32], const uint8_t b[32]) {
    int c = memcmp(a, b, 32);
    return (c > 0) - (c < 0);
}

int payload_u256_is_zero(const uint8_t a[32]) {
    uint8_t acc = 0;
    size_t i;

    for (i = 0; i < 32; i++) {
        acc |= a[i];
    }
    return acc == 0;
}

int payload_u256_mul_u64(uint8_t out[32], const uint8_t a[32], uint64_t b) {
    u128 carry = 0;
    uint8_t tmp[32];
    int i;

    /* Byte-wise long multiplication: each partial product fits easily in 128 bits. */
    for (i = 31; i >= 0; i--) {
        u128 v = (u128)a[i] * b + carry;
        tmp[i] = (uint8_t)(v & 0xff);
        carry = v >> 8;
    }
    if (carry != 0) {
        return -1;
    }
    memcpy(out, tmp, 32);
    return 0;
}

int payload_u256_to_decimal(char *out, size_t out_size, const uint8_t a[32], unsigned decimals) {
    uint8_t n[32];
    char digits[80];
    size_t nd = 0, i, o = 0;

    if (out_size < PAYLOAD_U256_DEC_MAX || decimals > 77) {
        return -1;
    }
    memcpy(n, a, 32);
    /* Repeated division by 10 yields the digits least significant first. */
    do {
        unsigned rem = 0;
        for (i = 0; i < 32; i++) {
            unsigned v = (rem << 8) | n[i];
            n[i] = (uint8_t)(v / 10);
            rem = v % 10;
        }
        digits[nd++] = (char)('0' + rem);
    } while (!payload_u256_is_zero(n));
    while (nd <= decimals) {
        digits[nd++] = '0';
    }
    for (i = nd; i-- > decimals;) {
        out[o++] = digits[i];
    }
    if (decimals > 0) {
        size_t first = 0; /* drop trailing zeros of the fraction */
        while (first < decimals && digits[first] == '0') {
            first++;
        }
        if (first < decimals) {
            out[o++] = '.';
            for (i = decimals; i-- > first;) {
                out[o++] = digits[i];
            }
        }
    }
    out[o] = '\0';
    return 0;
}
