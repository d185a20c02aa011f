/*
 * Bech32 (BIP173) and Bech32m (BIP350) strings and segwit addresses.
 * Conventions (error argument first, negative PAYLOAD_E_* codes): see payload/payload.h.
 */
#ifndef PAYLOAD_BECH32_H
#define PAYLOAD_BECH32_H

#include "payload/payload.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PAYLOAD_BTC_BECH32_MAX_LEN 90u     /* whole string, BIP173 */
#define PAYLOAD_BTC_BECH32_MAX_HRP 83u     /* HRP characters (1..83) */
#define PAYLOAD_BTC_BECH32_MAX_DATA 82u    /* 5-bit data values, checksum excluded (90 - 1 - 1 - 6) */
#define PAYLOAD_BTC_SEGWIT_MAX_PROGRAM 40u /* witness program bytes, BIP141 */

typedef enum {
    PAYLOAD_BTC_BECH32 = 1,  /* checksum constant 1 */
    PAYLOAD_BTC_BECH32M = 2  /* checksum constant 0x2bc830a3 */
} payload_btc_bech32_variant;

/** Decode a Bech32 or Bech32m string. Mixed case, characters outside 33..126, a missing or
 *  empty HRP, a data part shorter than the checksum, a string over 90 characters or a bad
 *  checksum are refused.
 *  Out: hrp (lower case, NUL-terminated, at least PAYLOAD_BTC_BECH32_MAX_HRP + 1 bytes), data
 *  (5-bit values, at least PAYLOAD_BTC_BECH32_MAX_DATA entries), *data_len, *variant. */
int payload_btc_bech32_decode(payload_err *err, char hrp[PAYLOAD_BTC_BECH32_MAX_HRP + 1],
        uint8_t data[PAYLOAD_BTC_BECH32_MAX_DATA], size_t *data_len, payload_btc_bech32_variant *variant,
        const char *str, size_t str_len) PAYLOAD_WARN_UNUSED_RESULT;

/** Encode hrp (lower-case ASCII 33..126) and 5-bit data as a lower-case Bech32/Bech32m string.
 *  Out: out (NUL-terminated, at least PAYLOAD_BTC_BECH32_MAX_LEN + 1 bytes for every valid input). */
int payload_btc_bech32_encode(payload_err *err, char *out, size_t out_size, const char *hrp,
        const uint8_t *data, size_t data_len, payload_btc_bech32_variant variant) PAYLOAD_WARN_UNUSED_RESULT;

/** Decode a segwit address for the expected HRP (e.g. "bc"), case-insensitively for the HRP.
 *  Rules: version 0..16; v0 uses Bech32 with a 20- or 32-byte program; v1+ uses Bech32m with
 *  2..40 bytes; padding must be zero and under 5 bits.
 *  Out: *version, program[0..*program_len). */
int payload_btc_segwit_decode(payload_err *err, unsigned *version, uint8_t program[PAYLOAD_BTC_SEGWIT_MAX_PROGRAM],
        size_t *program_len, const char *hrp, const char *addr, size_t addr_len) PAYLOAD_WARN_UNUSED_RESULT;

/** Encode a segwit address (same rules as payload_btc_segwit_decode; refuses anything it would refuse). */
int payload_btc_segwit_encode(payload_err *err, char *out, size_t out_size, const char *hrp, unsigned version,
        const uint8_t *program, size_t program_len) PAYLOAD_WARN_UNUSED_RESULT;

#ifdef __cplusplus
}
#endif
#endif
