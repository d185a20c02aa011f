/*
 * GF(2^128) = GF(2)[x] / (x^128 + x^7 + x^2 + x + 1), bit b of the 16-byte encoding being the
 * coefficient of x^b (PROTOCOL.md 4.4; the model is gfmul in reference/dkls_algebra.py).
 * Operands are secret (OT rows), so neither multiplier branches on or indexes by their bits.
 */
#include "gf128_internal.h"

#ifdef MPC_GF128_CLMUL
#include <immintrin.h>
#endif

/* x^128 reduces to x^7 + x^2 + x + 1. */
#define GF128_REDUCTION 0x87u

void mpc_gf128_load(mpc_gf128 *r, const unsigned char in16[16])
{
    r->lo = 0;
    r->hi = 0;
    for (int i = 7; i >= 0; i--) {
        r->lo = (r->lo << 8) | in16[i];
        r->hi = (r->hi << 8) | in16[8 + i];
    }
}

void mpc_gf128_store(unsigned char out16[16], const mpc_gf128 *a)
{
    for (int i = 0; i < 8; i++) {
        out16[i] = (unsigned char)(a->lo >> (8 * i));
        out16[8 + i] = (unsigned char)(a->hi >> (8 * i));
    }
}

/* Horner's rule over the bits of one 64-bit word of a, most significant first:
 * acc = acc*x + bit*b, reducing as it goes. */
static void mul_word(mpc_gf128 *acc, uint64_t a_word, const mpc_gf128 *b)
{
    for (int i = 63; i >= 0; i--) {
        const uint64_t carry = acc->hi >> 63;
        const uint64_t bit = -((a_word >> i) & 1u);

        acc->hi = (acc->hi << 1) | (acc->lo >> 63);
        acc->lo = (acc->lo << 1) ^ (GF128_REDUCTION & -carry);
        acc->lo ^= b->lo & bit;
        acc->hi ^= b->hi & bit;
    }
}

void mpc__gf128_mul_portable(mpc_gf128 *r, const mpc_gf128 *a, const mpc_gf128 *b)
{
    mpc_gf128 acc = { 0, 0 };

    mul_word(&acc, a->hi, b);
    mul_word(&acc, a->lo, b);
    *r = acc;
}

#ifdef MPC_GF128_CLMUL
int mpc__gf128_have_clmul(void)
{
    return __builtin_cpu_supports("pclmul") != 0;
}

/* Reduce the 256-bit product p0 + p1 x^64 + p2 x^128 + p3 x^192. The high half H = p2 + p3 x^64
 * times x^128 is H * (x^7 + x^2 + x + 1); the bits that this shifts past x^127 (from p3) are folded
 * back the same way once more, and then fit in the low word. Shifts only: constant time. */
static void reduce256(mpc_gf128 *r, uint64_t p0, uint64_t p1, uint64_t p2, uint64_t p3)
{
    const uint64_t over = (p3 >> 63) ^ (p3 >> 62) ^ (p3 >> 57);

    r->lo = p0 ^ p2 ^ (p2 << 1) ^ (p2 << 2) ^ (p2 << 7) ^
            over ^ (over << 1) ^ (over << 2) ^ (over << 7);
    r->hi = p1 ^ p3 ^ ((p3 << 1) | (p2 >> 63)) ^ ((p3 << 2) | (p2 >> 62)) ^
            ((p3 << 7) | (p2 >> 57));
}

__attribute__((target("pclmul,sse2")))
void mpc__gf128_mul_clmul(mpc_gf128 *r, const mpc_gf128 *a, const mpc_gf128 *b)
{
    const __m128i va = _mm_set_epi64x((long long)a->hi, (long long)a->lo);
    const __m128i vb = _mm_set_epi64x((long long)b->hi, (long long)b->lo);
    uint64_t lo[2], mid[2], hi[2];

    _mm_storeu_si128((__m128i *)(void *)lo, _mm_clmulepi64_si128(va, vb, 0x00));
    _mm_storeu_si128((__m128i *)(void *)hi, _mm_clmulepi64_si128(va, vb, 0x11));
    _mm_storeu_si128((__m128i *)(void *)mid,
            _mm_xor_si128(_mm_clmulepi64_si128(va, vb, 0x01), _mm_clmulepi64_si128(va, vb, 0x10)));
    reduce256(r, lo[0], lo[1] ^ mid[0], hi[0] ^ mid[1], hi[1]);
}
#endif

void mpc_gf128_mul(mpc_gf128 *r, const mpc_gf128 *a, const mpc_gf128 *b)
{
#ifdef MPC_GF128_CLMUL
    if (mpc__gf128_have_clmul()) {
        mpc__gf128_mul_clmul(r, a, b);
        return;
    }
#endif
    mpc__gf128_mul_portable(r, a, b);
}
