/*
 * Shared conventions for the enclave's payload decoders (Ethereum and Bitcoin).
 *
 * The decoders run inside the trusted enclave on bytes supplied by untrusted processes. They:
 *  - never allocate: every output is a caller-provided struct of fixed size whose maxima are
 *    documented next to it, and inputs larger than those maxima are refused, not truncated;
 *  - do no I/O and keep no global state;
 *  - refuse anything not fully understood (non-canonical encodings, trailing bytes, unknown types).
 *
 * Every fallible function returns PAYLOAD_OK (0) or a negative PAYLOAD_E_* code. Its first
 * argument is a payload_err * (may be NULL) which, on failure, receives a human-readable reason
 * that names the field, e.g. "rlp: non-canonical integer in field 'nonce' (leading zero byte)".
 * On success the message is left empty. After the error argument, argument order follows the rest
 * of the project: outputs, then in/out, then inputs; a length follows its buffer.
 * Pointer arguments other than the error buffer must not be NULL unless documented otherwise.
 */
#ifndef PAYLOAD_PAYLOAD_H
#define PAYLOAD_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PAYLOAD_WARN_UNUSED_RESULT __attribute__((warn_unused_result))

enum {
    PAYLOAD_OK = 0,
    PAYLOAD_E_ARG = -1,         /* API misuse: impossible sizes or arguments from the caller */
    PAYLOAD_E_TRUNCATED = -2,   /* input ends before a field it announces */
    PAYLOAD_E_ENCODING = -3,    /* malformed or non-canonical bytes, wrong field length or type */
    PAYLOAD_E_TRAILING = -4,    /* bytes left over after a complete object */
    PAYLOAD_E_LIMIT = -5,       /* input exceeds a documented bound (size, count, nesting depth) */
    PAYLOAD_E_UNSUPPORTED = -6, /* well-formed but a form the enclave does not sign (pre-EIP-155,
                                   contract creation, unknown transaction type, signed payload) */
    PAYLOAD_E_POLICY = -7,      /* refused by a built-in safety rule (e.g. DELEGATECALL to a target
                                   not on the allowlist) */
    PAYLOAD_E_CHECKSUM = -8,    /* checksum or checksum-case mismatch */
    PAYLOAD_E_OUTPUT = -9,      /* the caller's output buffer is too small */
    PAYLOAD_E_INTERNAL = -10    /* a should-not-happen failure (e.g. a dependency refused) */
};

/* Size of the error message buffer, terminating NUL included. Longer messages are truncated. */
#define PAYLOAD_ERR_MAX 192u

typedef struct {
    int code;                   /* the PAYLOAD_E_* code last set, or PAYLOAD_OK */
    char msg[PAYLOAD_ERR_MAX];  /* NUL-terminated reason; empty when code is PAYLOAD_OK */
} payload_err;

/** Reset err to "no error". err may be NULL. */
void payload_err_clear(payload_err *err);

/** Record a failure in err (may be NULL) and return code, so callers can write
 *  `return payload_fail(err, PAYLOAD_E_ENCODING, "rlp: ...", ...);`.
 *  Messages must never contain secret data. */
int payload_fail(payload_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** Static name of a PAYLOAD_E_* code (never NULL). */
const char *payload_strerror(int code);

/** Lower-case hex of in into out (2*in_len + 1 bytes including the NUL).
 *  Returns: PAYLOAD_OK, or PAYLOAD_E_OUTPUT if out_size is too small. */
int payload_hex_encode(char *out, size_t out_size, const uint8_t *in, size_t in_len) PAYLOAD_WARN_UNUSED_RESULT;

#ifdef __cplusplus
}
#endif

#endif
