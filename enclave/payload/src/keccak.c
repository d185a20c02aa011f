/* Keccak-f[1600] with a 1088-bit rate, written from the Keccak reference description
 * (theta, rho, pi, chi, iota over 24 rounds). Inputs are public payload bytes, so no constant-time
 * care is needed beyond what the permutation naturally has. */
#include "payload/keccak.h"

#include <string.h>

#define KECCAK_RATE 136u

static const uint64_t round_constants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/* Rotation offsets r[x + 5y] and the pi step's destination for lane x + 5y: (y, 2x + 3y). */
static const unsigned rotation[25] = {
    0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
};

static uint64_t rotl64(uint64_t v, unsigned n) {
    return n == 0 ? v : (v << n) | (v >> (64 - n));
}

static void keccak_f1600(uint64_t a[25]) {
    uint64_t c[5], d[5], b[25];
    unsigned round, x, y;

    for (round = 0; round < 24; round++) {
        for (x = 0; x < 5; x++) {
            c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        }
        for (x = 0; x < 5; x++) {
            d[x] = c[(x + 4) % 5] ^ rotl64(c[(x + 1) % 5], 1);
        }
        for (x = 0; x < 25; x++) {
            a[x] ^= d[x % 5];
        }
        for (y = 0; y < 5; y++) {
            for (x = 0; x < 5; x++) {
                b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl64(a[x + 5 * y], rotation[x + 5 * y]);
            }
        }
        for (y = 0; y < 5; y++) {
            for (x = 0; x < 5; x++) {
                a[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
            }
        }
        a[0] ^= round_constants[round];
    }
}

/* Lanes are little-endian: byte i of the block goes to lane i/8, bit 8*(i%8). */
static void xor_byte(uint64_t a[25], size_t i, uint8_t v) {
    a[i / 8] ^= (uint64_t)v << (8 * (i % 8));
}

void payload_keccak256_init(payload_keccak256_ctx *ctx, uint8_t pad) {
    memset(ctx->a, 0, sizeof(ctx->a));
    ctx->pos = 0;
    ctx->pad = pad;
}

void payload_keccak256_update(payload_keccak256_ctx *ctx, const uint8_t *data, size_t len) {
    size_t i;

    for (i = 0; i < len; i++) {
        xor_byte(ctx->a, ctx->pos, data[i]);
        if (++ctx->pos == KECCAK_RATE) {
            keccak_f1600(ctx->a);
            ctx->pos = 0;
        }
    }
}

void payload_keccak256_final(payload_keccak256_ctx *ctx, uint8_t out[PAYLOAD_KECCAK256_LEN]) {
    size_t i;

    xor_byte(ctx->a, ctx->pos, ctx->pad);
    xor_byte(ctx->a, KECCAK_RATE - 1, 0x80);
    keccak_f1600(ctx->a);
    for (i = 0; i < PAYLOAD_KECCAK256_LEN; i++) {
        out[i] = (uint8_t)(ctx->a[i / 8] >> (8 * (i % 8)));
    }
    memset(ctx, 0, sizeof(*ctx));
}

void payload_keccak256(uint8_t out[PAYLOAD_KECCAK256_LEN], const uint8_t *data, size_t len) {
    payload_keccak256_ctx ctx;

    payload_keccak256_init(&ctx, PAYLOAD_KECCAK_PAD_KECCAK);
    payload_keccak256_update(&ctx, data, len);
    payload_keccak256_final(&ctx, out);
}
