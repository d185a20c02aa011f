/*
 * Human-comparable fingerprints of the digest(s) an enclave is about to sign, shown identically by
 * the coordinator view, mpc-approve and the offline mpc-inspect so that two screens can be compared.
 *
 * Subject (32 bytes): for a request with exactly one digest, the digest itself; for several digests
 * (a PSBT with several inputs), keccak256("mpc-fingerprint-digest-set/v1" || be32(n) || d_0 || ... ||
 * d_{n-1}), binding every digest and their order. An attacker who controls the payload can grind it
 * offline, so both renderings carry at least 128 bits (PAYLOADS.md 3.3):
 *
 *  - hex:   all 256 bits of the subject, lower-case, as 8 groups of 8 hex digits separated by one
 *           space (group g = subject bytes 4g..4g+3, i.e. bits 32g..32g+31);
 *  - words: 12 words, word i = the BIP39 English word whose index is the 11-bit big-endian value of
 *           subject bits 11i..11i+10, where bit 0 is the most significant bit of byte 0. The words
 *           cover bits 0..131 (132 bits). This is not a BIP39 mnemonic: no checksum is appended.
 *
 * Digests are public values: nothing here needs to be constant time.
 */
#ifndef PAYLOAD_FINGERPRINT_H
#define PAYLOAD_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

#include "payload/payload.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PAYLOAD_FINGERPRINT_WORD_COUNT 2048u
#define PAYLOAD_FINGERPRINT_WORD_SIZE 9u   /* longest word (8 letters) + NUL */
#define PAYLOAD_FINGERPRINT_N_WORDS 12u
#define PAYLOAD_FINGERPRINT_WORD_BITS 11u
#define PAYLOAD_FINGERPRINT_HEX_SIZE 72u   /* 64 hex digits, 7 spaces, NUL */
#define PAYLOAD_FINGERPRINT_WORDS_SIZE (PAYLOAD_FINGERPRINT_N_WORDS * PAYLOAD_FINGERPRINT_WORD_SIZE)
/* Domain tag of the digest-set hash (without NUL). */
#define PAYLOAD_FINGERPRINT_SET_TAG "mpc-fingerprint-digest-set/v1"

typedef struct {
    uint8_t subject[32];
    char hex[PAYLOAD_FINGERPRINT_HEX_SIZE];
    char words[PAYLOAD_FINGERPRINT_WORDS_SIZE]; /* words separated by one space */
} payload_fingerprint;

/** Fingerprint of n >= 1 digests of 32 bytes each, concatenated in signing order (32 * n bytes).
 *  Returns: PAYLOAD_OK, or PAYLOAD_E_ARG when n is 0 or above UINT32_MAX. */
int payload_fingerprint_compute(payload_err *err, payload_fingerprint *fp, const uint8_t *digests,
                                size_t n) PAYLOAD_WARN_UNUSED_RESULT;

/** Word idx (0..2047) of the list; NULL when idx is out of range. */
const char *payload_fingerprint_word(unsigned idx);

#ifdef __cplusplus
}
#endif

#endif
