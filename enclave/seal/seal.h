/*
 * Sealed storage: secrets leave the enclave only as authenticated ciphertext ("sealed blobs") that
 * the untrusted shell stores and hands back as bytes. The enclave never opens a file.
 *
 * Blob format, version 1 (all integers big-endian; the whole header is the AEAD's associated data,
 * so a blob cannot be passed off as another kind, another object or another backend's blob):
 *
 *   off      len  field
 *   0        4    magic "MPSL"
 *   4        2    format version (1)
 *   6        2    kind (ENC_SEAL_KIND_*)
 *   8        32   object key id (e.g. the key share's key id; all zero for singleton kinds)
 *   40       2    backend type (ENC_SEAL_BACKEND_*)
 *   42       2    backend parameter length P (exactly the backend's params_len, <= ENC_SEAL_MAX_PARAMS)
 *   44       16   sealing-key id = BLAKE2b-128 keyed by the sealing key over a fixed label
 *   60       P    backend parameters (passphrase: KDF algorithm, opslimit, memlimit, salt)
 *   60+P     24   random nonce
 *   84+P     4    plaintext length L (<= ENC_SEAL_MAX_PLAINTEXT)
 *   88+P     L+16 XChaCha20-Poly1305 (IETF) ciphertext and tag
 *
 * Total length is exactly 88 + P + L + 16; anything else is rejected.
 */
#ifndef ENC_SEAL_H
#define ENC_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "enc_error.h"

#define ENC_SEAL_VERSION 1u
#define ENC_SEAL_KEY_ID_BYTES 32u
#define ENC_SEAL_SEALING_KEY_ID_BYTES 16u
#define ENC_SEAL_KEY_BYTES 32u
#define ENC_SEAL_NONCE_BYTES 24u
#define ENC_SEAL_TAG_BYTES 16u
#define ENC_SEAL_MAX_PARAMS 1024u
/* Largest plaintext: a key share with its pairwise OT state for 16 parties fits with a wide
 * margin; the bound keeps a hostile length field from driving a huge allocation. */
#define ENC_SEAL_MAX_PLAINTEXT (4u * 1024u * 1024u)
#define ENC_SEAL_FIXED_HEADER_BYTES 88u /* header without the backend parameters */

/* Blob kinds. "Keyed" kinds carry the id of the key they belong to; the others are singletons
 * and carry an all-zero key id. */
enum {
    ENC_SEAL_KIND_KEY_SHARE = 1,     /* keyed */
    ENC_SEAL_KIND_IDENTITY = 2,      /* singleton: the enclave's Ed25519 identity key */
    ENC_SEAL_KIND_BAN_LIST = 3,      /* singleton */
    ENC_SEAL_KIND_USED_SESSIONS = 4, /* keyed: signing session ids already used with that key */
    ENC_SEAL_KIND_COUNTERS = 5,      /* singleton: monotonic counters (audit sequence, epochs) */
    ENC_SEAL_KIND_POLICY = 6         /* singleton: the enclave's signing policy (enclave/state.h) */
};

/* Backend types stored in the header. 3 (TPM2) and 4 (PKCS#11) are reserved for later backends. */
enum {
    ENC_SEAL_BACKEND_PASSPHRASE = 1,
    ENC_SEAL_BACKEND_KEYFILE = 2
};

/*
 * A sealing backend produces the 32-byte sealing key. Per-blob data it needs to recreate the key
 * (salt and KDF cost, a TPM-sealed or PKCS#11-wrapped data key) travels in the blob header as
 * exactly params_len bytes, so later backends fit without changing the blob format.
 */
typedef struct enc_seal_backend enc_seal_backend;
struct enc_seal_backend {
    const char *name;   /* "passphrase", "keyfile", ... (for logs) */
    uint16_t type;      /* ENC_SEAL_BACKEND_* */
    uint16_t params_len;
    /** Key and header parameters for sealing a new blob.
     *  Returns: ENC_OK or a negative ENC_* code.  Out: params (params_len bytes), key32. */
    int (*seal_key)(enc_seal_backend *b, unsigned char *params, unsigned char key32[32]);
    /** Key for a blob sealed with these parameters.
     *  Returns: ENC_OK, ENC_SEAL_E_BACKEND for malformed parameters, or another ENC_* code.
     *  Out: key32.  In: params (params_len bytes, untrusted). */
    int (*open_key)(enc_seal_backend *b, unsigned char key32[32], const unsigned char *params);
    /* Wipe and free the backend (including this struct). */
    void (*destroy)(enc_seal_backend *b);
    void *state; /* backend-private, in sodium_malloc memory when it holds secrets */
};

/* Parsed header of a sealed blob (public data only; pointers point into the parsed bytes). */
typedef struct {
    uint16_t version;
    uint16_t kind;
    const unsigned char *key_id;         /* 32 bytes */
    uint16_t backend_type;
    uint16_t params_len;
    const unsigned char *sealing_key_id; /* 16 bytes */
    const unsigned char *params;
    const unsigned char *nonce;          /* 24 bytes */
    uint32_t plaintext_len;
    size_t header_len;                   /* bytes covered by the associated data */
    const unsigned char *ciphertext;     /* plaintext_len + 16 bytes */
} enc_seal_header;

/** Parse and check the framing of a sealed blob: magic, version, known kind, bounded lengths,
 *  exact total length. No key is needed.
 *  Returns: ENC_OK or ENC_SEAL_E_{TRUNCATED,TRAILING,TOO_LONG,MAGIC,VERSION,KIND,BACKEND}.
 *  Out: h (filled only on success). */
int enc_seal_parse(enc_seal_header *h, const unsigned char *blob, size_t blob_len) ENC_WARN_UNUSED_RESULT;

/** Seal plaintext.
 *  Returns: ENC_OK or a negative ENC_* code.
 *  Out: blob (malloc'd, free with free(); it holds no secret), blob_len.
 *  In: kind; key_id (32 bytes for keyed kinds, NULL for singleton kinds); plain, plain_len. */
int enc_seal(enc_seal_backend *b, unsigned char **blob, size_t *blob_len, uint16_t kind,
        const unsigned char *key_id, const unsigned char *plain, size_t plain_len);

/** Check and decrypt a sealed blob. On any failure *plain and *plain_len are left untouched and
 *  no plaintext byte has been written anywhere: libsodium verifies the tag before decrypting.
 *  Returns: ENC_OK; ENC_SEAL_E_* naming what was wrong; ENC_E_NOMEM.
 *  Out: plain (sodium_malloc'd; release with enc_seal_plain_free), plain_len.
 *  In: blob, blob_len; expected_kind; expected_key_id (32 bytes, or NULL for singleton kinds). */
int enc_unseal(enc_seal_backend *b, unsigned char **plain, size_t *plain_len,
        const unsigned char *blob, size_t blob_len, uint16_t expected_kind,
        const unsigned char *expected_key_id) ENC_WARN_UNUSED_RESULT;

/* Wipe and free a plaintext returned by enc_unseal (NULL is allowed). */
void enc_seal_plain_free(unsigned char *plain);

/* Sealing-key id of a sealing key (BLAKE2b-128 keyed by the key over a fixed label). */
void enc_seal_sealing_key_id(unsigned char id16[16], const unsigned char key32[32]);

/*
 * Passphrase backend: key = Argon2id13(passphrase, salt, opslimit, memlimit). The salt is random,
 * drawn once per backend instance, and stored with the cost parameters in every blob it seals, so
 * the cost can be raised later by resealing: old blobs still open with their own parameters.
 * Production default cost: ENC_SEAL_PW_OPSLIMIT_DEFAULT / ENC_SEAL_PW_MEMLIMIT_DEFAULT
 * (libsodium's "moderate": 3 passes over 256 MiB). A header's cost is accepted only within
 * [1, ENC_SEAL_PW_OPSLIMIT_MAX] passes and [8 KiB, ENC_SEAL_PW_MEMLIMIT_MAX], so a hostile blob
 * cannot make the enclave allocate unbounded memory before its tag is checked.
 * The backend keeps the passphrase and the last derived keys in sodium_malloc memory that is
 * made inaccessible between calls.
 *
 * Parameters (25 bytes): alg (1 byte, 2 = Argon2id v1.3), opslimit (be32), memlimit in KiB (be32),
 * salt (16 bytes).
 */
#define ENC_SEAL_PW_OPSLIMIT_DEFAULT 3u
#define ENC_SEAL_PW_MEMLIMIT_DEFAULT (256ull * 1024u * 1024u)
#define ENC_SEAL_PW_OPSLIMIT_MAX 16u
#define ENC_SEAL_PW_MEMLIMIT_MAX (1024ull * 1024u * 1024u)
#define ENC_SEAL_PW_MAX_PASSPHRASE 1024u
#define ENC_SEAL_PW_PARAMS_BYTES 25u

/** Returns: ENC_OK, ENC_E_ARG (empty or over-long passphrase, cost outside the accepted range),
 *  ENC_E_NOMEM.  Out: backend.  In: passphrase, passphrase_len; opslimit, memlimit (bytes, a
 *  multiple of 1024) used for blobs this instance seals. */
int enc_seal_passphrase_create(enc_seal_backend **backend, const char *passphrase,
        size_t passphrase_len, uint32_t opslimit, uint64_t memlimit);

/*
 * Key-file backend: the 32-byte key is read by the parent and passed in as bytes (the enclave
 * never opens files). No per-blob parameters.
 */
/** Returns: ENC_OK or ENC_E_NOMEM.  Out: backend.  In: key32 (copied; the caller wipes its copy). */
int enc_seal_keyfile_create(enc_seal_backend **backend, const unsigned char key32[32]);

/* Destroy any backend (NULL is allowed). */
void enc_seal_backend_destroy(enc_seal_backend *backend);

/** For backend implementations: a backend set up as ops, whose state is state_len bytes of zeroed
 *  sodium_malloc memory, left writable for the caller to fill and then make inaccessible.
 *  Returns: ENC_OK or ENC_E_NOMEM.  Out: backend (set only on success).  In: ops (its state unused). */
int enc_seal_backend_new(enc_seal_backend **backend, const enc_seal_backend *ops, size_t state_len);

/* For backend implementations, as their destroy: wipes and frees the state and the backend. */
void enc_seal_backend_free(enc_seal_backend *b);

#endif
