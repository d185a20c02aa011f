/* Fingerprints of signing digests: see payload/fingerprint.h for exactly which bits are shown. */
#include "payload/fingerprint.h"

#include <string.h>

#include "fingerprint_words.h"
#include "payload/keccak.h"

const char *payload_fingerprint_word(unsigned idx)
{
    if (idx >= PAYLOAD_FINGERPRINT_WORD_COUNT) {
        return NULL;
    }
    return payload_fingerprint_words[idx];
}

/* Bits [first, first + 11) of s, bit 0 being the most significant bit of s[0]. */
static unsigned bits11(const uint8_t s[32], unsigned first)
{
    unsigned v = 0;

    for (unsigned b = first; b < first + PAYLOAD_FINGERPRINT_WORD_BITS; b++) {
        v = (v << 1) | ((s[b / 8u] >> (7u - b % 8u)) & 1u);
    }
    return v;
}

static void render(payload_fingerprint *fp)
{
    static const char hexdig[] = "0123456789abcdef";
    size_t pos = 0;

    for (size_t i = 0; i < 32; i++) {
        if (i > 0 && i % 4 == 0) {
            fp->hex[pos++] = ' ';
        }
        fp->hex[pos++] = hexdig[fp->subject[i] >> 4];
        fp->hex[pos++] = hexdig[fp->subject[i] & 0x0f];
    }
    fp->hex[pos] = '\0';

    pos = 0;
    for (unsigned w = 0; w < PAYLOAD_FINGERPRINT_N_WORDS; w++) {
        const char *word = payload_fingerprint_words[bits11(fp->subject, w * PAYLOAD_FINGERPRINT_WORD_BITS)];
        size_t len = strlen(word);

        if (w > 0) {
            fp->words[pos++] = ' ';
        }
        memcpy(fp->words + pos, word, len);
        pos += len;
    }
    fp->words[pos] = '\0';
}

int payload_fingerprint_compute(payload_err *err, payload_fingerprint *fp, const uint8_t *digests, size_t n)
{
    payload_err_clear(err);
    memset(fp, 0, sizeof *fp);
    if (n == 0 || n > UINT32_MAX) {
        return payload_fail(err, PAYLOAD_E_ARG, "fingerprint: %zu digests (need 1 to 2^32-1)", n);
    }
    if (n == 1) {
        memcpy(fp->subject, digests, 32);
    } else {
        payload_keccak256_ctx k;
        uint8_t be[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n };

        payload_keccak256_init(&k, PAYLOAD_KECCAK_PAD_KECCAK);
        payload_keccak256_update(&k, (const uint8_t *)PAYLOAD_FINGERPRINT_SET_TAG, strlen(PAYLOAD_FINGERPRINT_SET_TAG));
        payload_keccak256_update(&k, be, sizeof be);
        for (size_t i = 0; i < n; i++) {
            payload_keccak256_update(&k, digests + 32 * i, 32);
        }
        payload_keccak256_final(&k, fp->subject);
    }
    render(fp);
    return PAYLOAD_OK;
}
