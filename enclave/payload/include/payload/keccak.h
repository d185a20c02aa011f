/*
 * Keccak-256 as used by Ethereum: the original Keccak submission's padding (domain byte 0x01),
 * which differs from FIPS-202 SHA3-256 (domain byte 0x06). OpenSSL 3.0 offers only the latter.
 * The SHA3 padding is available too so the permutation can be cross-checked against SHA3-256.
 */
#ifndef PAYLOAD_KECCAK_H
#define PAYLOAD_KECCAK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PAYLOAD_KECCAK256_LEN 32u

/* Padding domain bytes. */
#define PAYLOAD_KECCAK_PAD_KECCAK 0x01u
#define PAYLOAD_KECCAK_PAD_SHA3 0x06u

/* Incremental state (rate 136 bytes, capacity 512 bits). */
typedef struct {
    uint64_t a[25];
    size_t pos;     /* bytes absorbed into the current block */
    uint8_t pad;    /* domain byte */
} payload_keccak256_ctx;

/** Start a hash with the given domain byte (PAYLOAD_KECCAK_PAD_*). */
void payload_keccak256_init(payload_keccak256_ctx *ctx, uint8_t pad);
/** Absorb len bytes (data may be NULL when len is 0). */
void payload_keccak256_update(payload_keccak256_ctx *ctx, const uint8_t *data, size_t len);
/** Produce the 32-byte digest and wipe the state. */
void payload_keccak256_final(payload_keccak256_ctx *ctx, uint8_t out[PAYLOAD_KECCAK256_LEN]);

/** One-shot Ethereum Keccak-256. data may be NULL when len is 0. */
void payload_keccak256(uint8_t out[PAYLOAD_KECCAK256_LEN], const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif
