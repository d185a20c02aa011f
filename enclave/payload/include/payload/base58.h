/*
 * Base58 and Base58Check (Bitcoin alphabet). Strict: only alphabet characters, no whitespace.
 * Conventions (error argument first, negative PAYLOAD_E_* codes): see payload/payload.h.
 */
#ifndef PAYLOAD_BASE58_H
#define PAYLOAD_BASE58_H

#include "payload/payload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest decoded payload accepted, in bytes; longer strings are refused with PAYLOAD_E_LIMIT.
 * (Addresses and extended keys are at most 82 bytes; the bound keeps decoding O(n^2) cheap.) */
#define PAYLOAD_BTC_BASE58_MAX_BYTES 256u
/* Longest Base58 string accepted (ceil(256 * log(256) / log(58)) = 350). */
#define PAYLOAD_BTC_BASE58_MAX_CHARS 350u

/** Encode in_len bytes (at most PAYLOAD_BTC_BASE58_MAX_BYTES) as a NUL-terminated string in out.
 *  Out: out, *out_len (characters, without the NUL). */
int payload_btc_base58_encode(payload_err *err, char *out, size_t out_size, size_t *out_len,
        const uint8_t *in, size_t in_len) PAYLOAD_WARN_UNUSED_RESULT;

/** Decode str (str_len characters, no NUL needed) into out.
 *  Out: out[0..*out_len). Fails with PAYLOAD_E_ENCODING on a character outside the alphabet. */
int payload_btc_base58_decode(payload_err *err, uint8_t *out, size_t out_size, size_t *out_len,
        const char *str, size_t str_len) PAYLOAD_WARN_UNUSED_RESULT;

/** Base58Check: encode in || first 4 bytes of SHA256d(in). */
int payload_btc_base58check_encode(payload_err *err, char *out, size_t out_size, size_t *out_len,
        const uint8_t *in, size_t in_len) PAYLOAD_WARN_UNUSED_RESULT;

/** Base58Check decode: out receives the payload without its 4 checksum bytes.
 *  Fails with PAYLOAD_E_CHECKSUM if the checksum does not match. */
int payload_btc_base58check_decode(payload_err *err, uint8_t *out, size_t out_size, size_t *out_len,
        const char *str, size_t str_len) PAYLOAD_WARN_UNUSED_RESULT;

#ifdef __cplusplus
}
#endif
#endif
