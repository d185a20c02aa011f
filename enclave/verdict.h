/*
 * The enclave's verdict encoding: the one definition of the bytes an enclave signs with its
 * Ed25519 identity key over each payload it decoded (enclave/session.c), and that the coordinator
 * and the operator tool verify. Library mpc_verdict: libsodium only, no other enclave code.
 *
 * The signature is Ed25519 over label || 0x00 || message (as every identity signature, identity.h),
 * with the label naming the version. All integers are big-endian.
 *
 * Version 1 (enclave without a policy; label ENC_VERDICT_LABEL_V1):
 *   be16 len(request_id) || request_id || key id[32] || be32 payload type || digest[32] ||
 *   sigid[32] || derived pk[33] || decision (1 byte) || be32 len(summary) || summary
 *
 * Version 2 (enclave with a policy; label ENC_VERDICT_LABEL_V2):
 *   be16 len(request_id) || request_id || key id[32] || be32 payload type || digest[32] ||
 *   sigid[32] || derived pk[33] || decision (1 byte) || fingerprint subject[32] ||
 *   be32 len(hex) || fingerprint hex || be32 len(words) || fingerprint words ||
 *   be32 len(summary) || summary
 *
 * A denied request has an all-zero digest, sigid and derived pk unless the enclave's decoder got
 * that far. The two labels keep a version-1 signature from ever verifying as version 2 and back.
 * Only the fields above are signed: anything else in a Verdict message (the version-1 display
 * fingerprint, approvals_required) is unauthenticated.
 */
#ifndef ENC_VERDICT_H
#define ENC_VERDICT_H

#include <stddef.h>
#include <stdint.h>

#define ENC_VERDICT_LABEL_V1 "mpc-enclave/verdict/v1"
#define ENC_VERDICT_LABEL_V2 "mpc-enclave/verdict/v2"
#define ENC_VERDICT_MAX_REQUEST_ID 64u
#define ENC_VERDICT_ALLOW 1u
#define ENC_VERDICT_DENY 2u

/* Errors of enc_verdict_encode / enc_verdict_verify (the range of the enclave's ENC_* codes that
 * belongs to this library). */
enum {
    ENC_VERDICT_E_INTERNAL = -800,  /* libsodium could not be initialised */
    ENC_VERDICT_E_NOMEM = -801,
    ENC_VERDICT_E_VERSION = -802,   /* version is not 0, 1 or 2 */
    ENC_VERDICT_E_NULL = -803,      /* a required pointer is NULL (or NULL with a non-zero length) */
    ENC_VERDICT_E_LENGTH = -804,    /* request id above 64 bytes, or a text longer than a be32 length */
    ENC_VERDICT_E_DECISION = -805,  /* decision is neither allow (1) nor deny (2) */
    ENC_VERDICT_E_SIGNATURE = -806  /* the signature does not verify under the identity key */
};

/* One verdict's signed fields. Pointers with a length may be NULL only when the length is 0. The
 * fingerprint fields belong to version 2 only: version 1 ignores them (does not sign them), so a
 * caller must not present them as verified for a version-1 verdict. */
typedef struct {
    uint32_t version;                          /* 1 or 2 (0 counts as 1) */
    const unsigned char *request_id;           /* 0..ENC_VERDICT_MAX_REQUEST_ID bytes */
    size_t request_id_len;
    const unsigned char *key_id;               /* 32 */
    uint32_t payload_type;
    const unsigned char *digest;               /* 32 */
    const unsigned char *sigid;                /* 32 */
    const unsigned char *derived_pk;           /* 33 */
    uint32_t decision;                         /* ENC_VERDICT_ALLOW or ENC_VERDICT_DENY */
    const unsigned char *fingerprint_subject;  /* v2: 32 */
    const char *fingerprint_hex;               /* v2 */
    size_t fingerprint_hex_len;
    const char *fingerprint_words;             /* v2 */
    size_t fingerprint_words_len;
    const char *summary;
    size_t summary_len;
} enc_verdict_fields;

/** The message bytes of a verdict (without the label: what enc_identity_sign is given).
 *  Returns: 0, ENC_VERDICT_E_{VERSION,NULL,LENGTH,DECISION,NOMEM}.
 *  Out: out (malloc'd, the caller frees it; untouched on error), out_len.
 *  In: f. */
int enc_verdict_encode(unsigned char **out, size_t *out_len, const enc_verdict_fields *f)
        __attribute__((warn_unused_result));

/** Check that sig is identity_pk's Ed25519 signature over the verdict f (label of its version).
 *  Returns: 0 when it is; ENC_VERDICT_E_SIGNATURE when not; any error of enc_verdict_encode or
 *  ENC_VERDICT_E_INTERNAL when f cannot be encoded (never 0 then).
 *  In: sig, identity_pk, f. */
int enc_verdict_verify(const unsigned char sig[64], const unsigned char identity_pk[32],
        const enc_verdict_fields *f) __attribute__((warn_unused_result));

/* Static description of an ENC_VERDICT_E_* code (never NULL). */
const char *enc_verdict_strerror(int err);

#endif
