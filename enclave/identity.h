/*
 * The enclave's Ed25519 identity key: generated at first start, sealed as its own blob kind
 * (ENC_SEAL_KIND_IDENTITY, plaintext = the 32-byte seed), used to sign audit records, broadcast
 * channel messages and verdicts, and converted to X25519 for point-to-point channel encryption.
 *
 * Every signature is over "label || 0x00 || message" with a label naming its use, so a signature
 * made for one purpose (an audit record) can never be presented as another (a channel message).
 */
#ifndef ENC_IDENTITY_H
#define ENC_IDENTITY_H

#include <stddef.h>

#include "seal/seal.h"

#define ENC_IDENTITY_PK_BYTES 32u
#define ENC_IDENTITY_SIG_BYTES 64u

/* Opaque; the secret key lives in sodium_malloc memory that is inaccessible between uses. */
typedef struct enc_identity enc_identity;

/** Generate a fresh identity key (libsodium's system RNG).
 *  Returns: ENC_OK or ENC_E_NOMEM.  Out: id. */
int enc_identity_generate(enc_identity **id);

/** Seal the identity key.  Returns: ENC_OK or the enc_seal error.  Out: blob (free()), blob_len. */
int enc_identity_seal(const enc_identity *id, enc_seal_backend *b, unsigned char **blob, size_t *blob_len);

/** Load an identity key from its sealed blob.
 *  Returns: ENC_OK, an enc_unseal error, ENC_ID_E_FORMAT, ENC_E_NOMEM.  Out: id (untouched on error). */
int enc_identity_unseal(enc_identity **id, enc_seal_backend *b, const unsigned char *blob, size_t blob_len)
        ENC_WARN_UNUSED_RESULT;

/* Wipe and free (NULL is allowed). */
void enc_identity_free(enc_identity *id);

/* Public key export. */
void enc_identity_public_key(const enc_identity *id, unsigned char pk32[32]);

/** Sign label || 0x00 || msg.  Returns: ENC_OK, ENC_E_NOMEM.  Out: sig64. */
int enc_identity_sign(const enc_identity *id, unsigned char sig64[64], const char *label,
        const unsigned char *msg, size_t msg_len);

/** Verify a signature made by enc_identity_sign.
 *  Returns: ENC_OK if valid, ENC_E_SIGNATURE if not, ENC_E_NOMEM. */
int enc_identity_verify(const unsigned char pk32[32], const unsigned char sig64[64], const char *label,
        const unsigned char *msg, size_t msg_len) ENC_WARN_UNUSED_RESULT;

/** X25519 secret key for channel encryption (crypto_sign_ed25519_sk_to_curve25519).
 *  Out: x25519_sk32 (SECRET: the caller wipes it). */
void enc_identity_x25519_secret(const enc_identity *id, unsigned char x25519_sk32[32]);

#endif
