/* 256-bit unsigned big-endian integers as stored by the decoders (uint8_t[32]), with the few
 * operations the summaries need. All variable time: amounts in payloads are public. */
#ifndef PAYLOAD_U256_H
#define PAYLOAD_U256_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest decimal rendering: 78 digits, a point, a NUL. */
#define PAYLOAD_U256_DEC_MAX 81u

/** -1, 0 or 1 as a <, ==, > b. */
int payload_u256_cmp(const uint8_t a[32], const uint8_t b[32]);
/** 1 if a is zero. */
int payload_u256_is_zero(const uint8_t a[32]);
/** out = a * b. Returns 0, or -1 if the product exceeds 256 bits (out is then unspecified). */
int payload_u256_mul_u64(uint8_t out[32], const uint8_t a[32], uint64_t b);
/** Decimal rendering of a scaled by 10^-decimals ("1.5", "0.000001", "42"; trailing zeros of the
 *  fraction dropped). decimals <= 77. Returns 0, or -1 if out_size < PAYLOAD_U256_DEC_MAX. */
int payload_u256_to_decimal(char *out, size_t out_size, const uint8_t a[32], unsigned decimals);

#ifdef __cplusplus
}
#endif

#endif
