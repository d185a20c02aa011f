/*
 * Integers modulo the secp256k1 group order n, 4 x 64-bit little-endian limbs, always < n.
 *
 * n = 2^256 - c with c = 2^128 + k1 * 2^64 + k0 (129 bits), so 2^256 == c (mod n): a 512-bit
 * product lo + hi * 2^256 is folded to lo + hi * c three times (512 -> 386 -> 259 -> 257 bits) and
 * finished by one conditional subtraction of n.
 *
 * Constant time: every loop has a fixed trip count (or one set by the public exponent n - 2) and
 * every choice between values is a mask. The masks are derived from a volatile copy of the flag
 * so that the compiler cannot prove the flag is 0/1 and turn the select back into a branch (the
 * trick libsecp256k1 uses in its cmov). test/ctime checks this under valgrind.
 *
 * Wiping: the limb temporaries of add/sub/mul live in the callee's stack frame and are overwritten
 * by the next call; wiping them would cost as much as the multiplication itself, so, as in
 * libsecp256k1's scalar code, only longer-lived secret values (the inverse's table of powers,
 * rejected random draws) are cleared here. Callers clear their own scalars with mpc_scalar_clear.
 */
#include <string.h>

#include "mpc/scalar.h"

#include "context.h"
#include "scalar_internal.h"

/* __extension__: -Wpedantic would otherwise reject the (GCC and clang) 128-bit type. */
__extension__ typedef unsigned __int128 u128;

#define N0 UINT64_C(0xBFD25E8CD0364141)
#define N1 UINT64_C(0xBAAEDCE6AF48A03B)
#define N2 UINT64_C(0xFFFFFFFFFFFFFFFE)
#define N3 UINT64_C(0xFFFFFFFFFFFFFFFF)

static const uint64_t scalar_n[4] = {N0, N1, N2, N3};

/* c = 2^256 - n, as three limbs (the top one is 1). */
static const uint64_t scalar_c[3] = {~N0 + 1, ~N1, 1};

/* (n - 1) / 2, the largest "low" scalar. */
static const uint64_t scalar_half_n[4] = {
    UINT64_C(0xDFE92F46681B20A0), UINT64_C(0x5D576E7357A4501D),
    UINT64_C(0xFFFFFFFFFFFFFFFF), UINT64_C(0x7FFFFFFFFFFFFFFF)
};

/* All-ones if flag is 1, zero if flag is 0. */
static uint64_t mask_from_flag(uint64_t flag)
{
    volatile uint64_t vflag = flag;

    return (uint64_t)0 - vflag;
}

/* 1 if x == 0, else 0, without a branch. */
static uint64_t limb_is_zero(uint64_t x)
{
    return ((x | ((uint64_t)0 - x)) >> 63) ^ 1;
}

/* r = flag ? a : r over len limbs. */
static void limbs_cmov(uint64_t *r, const uint64_t *a, size_t len, uint64_t flag)
{
    uint64_t mask = mask_from_flag(flag);

    for (size_t i = 0; i < len; i++)
        r[i] = (r[i] & ~mask) | (a[i] & mask);
}

/* r = a - b over len limbs (r may alias a); returns the borrow (0 or 1). */
static uint64_t limbs_sub(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t len)
{
    uint64_t borrow = 0;

    /* Borrows from 64-bit compares, as in the ACC macros below: gcc turns the 128-bit form
     * into a shift-and-mask per limb instead of one sbb. */
    for (size_t i = 0; i < len; i++) {
        uint64_t ai = a[i], d = ai - b[i];
        uint64_t out = (uint64_t)(ai < b[i]) | (uint64_t)(d < borrow);

        r[i] = d - borrow;
        borrow = out;
    }
    return borrow;
}

/* Given a 5-limb value v < 2n (the top limb is 0 or 1), r = v mod n. Since n = 2^256 - c,
 * v - n = v + c - 2^256: v >= n exactly when v[4] plus the carry out of v[0..3] + c is 1 (it
 * cannot be 2, as v < 2n), and then the low 256 bits of v + c are v - n. Adding c rather than
 * subtracting n keeps the carry chain to add/adc; it runs once per multiplication and addition. */
static void reduce_below_2n(mpc_scalar *r, const uint64_t v[5])
{
    uint64_t t0, t1, t2, t3, keep;
    u128 s;

    s = (u128)v[0] + scalar_c[0];
    t0 = (uint64_t)s;
    s = (u128)v[1] + scalar_c[1] + (uint64_t)(s >> 64);
    t1 = (uint64_t)s;
    s = (u128)v[2] + scalar_c[2] + (uint64_t)(s >> 64);
    t2 = (uint64_t)s;
    s = (u128)v[3] + (uint64_t)(s >> 64);
    t3 = (uint64_t)s;
    keep = mask_from_flag(v[4] + (uint64_t)(s >> 64)) ^ ~(uint64_t)0;
    r->d[0] = (v[0] & keep) | (t0 & ~keep);
    r->d[1] = (v[1] & keep) | (t1 & ~keep);
    r->d[2] = (v[2] & keep) | (t2 & ~keep);
    r->d[3] = (v[3] & keep) | (t3 & ~keep);
}

/* 1 if the 4-limb value a is >= n, else 0. */
static uint64_t limbs_ge_n(const uint64_t a[4])
{
    uint64_t t[4];

    return limbs_sub(t, a, scalar_n, 4) ^ 1;
}

#if !defined(__BYTE_ORDER__)
#error "scalar.c needs __BYTE_ORDER__ (GCC or clang), like the 128-bit type above"
#endif

/* Big-endian 64-bit load and store through memcpy and a byte swap, which compile to one
 * movbe/bswap each; the byte-at-a-time loops they replace were a visible share of hashing
 * scalars in and out. */
static uint64_t load_be64(const unsigned char *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static void store_be64(unsigned char *p, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    memcpy(p, &v, sizeof(v));
}

static void load_be32(uint64_t r[4], const unsigned char in32[32])
{
    for (int i = 0; i < 4; i++)
        r[i] = load_be64(in32 + (3 - i) * 8);
}

/*
 * Column accumulator for schoolbook multiplication: a 192-bit sum in the locals c0, c1, c2 of the
 * function using these macros. Carries come from 64-bit compares, which compile to setb/adc even
 * at -O0 (a 128-bit compare does not: gcc -O0 turns it into a conditional jump). The high word of
 * a 64 x 64-bit product is at most 2^64 - 2, so adding a carry to it cannot overflow. Macros on
 * locals rather than functions on an array keep the Debug/ASan build of the tests fast enough.
 */
#define ACC_MULADD(a, b)                                               \
    do {                                                               \
        u128 t_ = (u128)(a) * (b);                                     \
        uint64_t tl_ = (uint64_t)t_, th_ = (uint64_t)(t_ >> 64);       \
        c0 += tl_;                                                     \
        th_ += (uint64_t)(c0 < tl_);                                   \
        c1 += th_;                                                     \
        c2 += (uint64_t)(c1 < th_);                                    \
    } while (0)

#define ACC_ADD(a)                                                     \
    do {                                                               \
        uint64_t v_ = (a);                                             \
        c0 += v_;                                                      \
        v_ = (uint64_t)(c0 < v_);                                      \
        c1 += v_;                                                      \
        c2 += (uint64_t)(c1 < v_);                                     \
    } while (0)

/* Take out the low word and shift the accumulator down by one word. */
#define ACC_EXTRACT(out)                                               \
    do {                                                               \
        (out) = c0;                                                    \
        c0 = c1;                                                       \
        c1 = c2;                                                       \
        c2 = 0;                                                        \
    } while (0)

/* l[0..7] = a * b, column by column. */
static void mul_512(uint64_t l[8], const uint64_t a[4], const uint64_t b[4])
{
    /* Inputs in locals: each array element is then read (and bounds-checked by ASan) once. */
    const uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    const uint64_t b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
    uint64_t c0 = 0, c1 = 0, c2 = 0;

    ACC_MULADD(a0, b0);
    ACC_EXTRACT(l[0]);
    ACC_MULADD(a0, b1);
    ACC_MULADD(a1, b0);
    ACC_EXTRACT(l[1]);
    ACC_MULADD(a0, b2);
    ACC_MULADD(a1, b1);
    ACC_MULADD(a2, b0);
    ACC_EXTRACT(l[2]);
    ACC_MULADD(a0, b3);
    ACC_MULADD(a1, b2);
    ACC_MULADD(a2, b1);
    ACC_MULADD(a3, b0);
    ACC_EXTRACT(l[3]);
    ACC_MULADD(a1, b3);
    ACC_MULADD(a2, b2);
    ACC_MULADD(a3, b1);
    ACC_EXTRACT(l[4]);
    ACC_MULADD(a2, b3);
    ACC_MULADD(a3, b2);
    ACC_EXTRACT(l[5]);
    ACC_MULADD(a3, b3);
    ACC_EXTRACT(l[6]);
    l[7] = c0;
}

/*
 * r = l mod n for a 512-bit l, with 2^256 == c (mod n) and c = k0 + k1 * 2^64 + 2^128:
 *   m = l[0..3] + l[4..7] * c    < 2^385 + 2^256  (m[6] is 0 or 1)
 *   q = m[0..3] + m[4..6] * c    < 2^258 + 2^256  (q[4] is at most 5)
 *   s = q[0..3] + q[4] * c       < 2^256 + 2^132  < 2n
 * then one conditional subtraction of n.
 */
static void reduce_512(mpc_scalar *r, const uint64_t l[8])
{
    const uint64_t k0 = scalar_c[0], k1 = scalar_c[1];
    const uint64_t l0 = l[0], l1 = l[1], l2 = l[2], l3 = l[3];
    const uint64_t l4 = l[4], l5 = l[5], l6 = l[6], l7 = l[7];
    uint64_t c0 = 0, c1 = 0, c2 = 0;
    uint64_t m0, m1, m2, m3, m4, m5, m6, q0, q1, q2, q3, q4;
    uint64_t s[5];

    ACC_ADD(l0);
    ACC_MULADD(l4, k0);
    ACC_EXTRACT(m0);
    ACC_ADD(l1);
    ACC_MULADD(l5, k0);
    ACC_MULADD(l4, k1);
    ACC_EXTRACT(m1);
    ACC_ADD(l2);
    ACC_MULADD(l6, k0);
    ACC_MULADD(l5, k1);
    ACC_ADD(l4);
    ACC_EXTRACT(m2);
    ACC_ADD(l3);
    ACC_MULADD(l7, k0);
    ACC_MULADD(l6, k1);
    ACC_ADD(l5);
    ACC_EXTRACT(m3);
    ACC_MULADD(l7, k1);
    ACC_ADD(l6);
    ACC_EXTRACT(m4);
    ACC_ADD(l7);
    ACC_EXTRACT(m5);
    ACC_EXTRACT(m6);

    ACC_ADD(m0);
    ACC_MULADD(m4, k0);
    ACC_EXTRACT(q0);
    ACC_ADD(m1);
    ACC_MULADD(m5, k0);
    ACC_MULADD(m4, k1);
    ACC_EXTRACT(q1);
    ACC_ADD(m2);
    ACC_MULADD(m6, k0);
    ACC_MULADD(m5, k1);
    ACC_ADD(m4);
    ACC_EXTRACT(q2);
    ACC_ADD(m3);
    ACC_MULADD(m6, k1);
    ACC_ADD(m5);
    ACC_EXTRACT(q3);
    ACC_ADD(m6);
    ACC_EXTRACT(q4);

    ACC_ADD(q0);
    ACC_MULADD(q4, k0);
    ACC_EXTRACT(s[0]);
    ACC_ADD(q1);
    ACC_MULADD(q4, k1);
    ACC_EXTRACT(s[1]);
    ACC_ADD(q2);
    ACC_ADD(q4);
    ACC_EXTRACT(s[2]);
    ACC_ADD(q3);
    ACC_EXTRACT(s[3]);
    ACC_EXTRACT(s[4]);
    reduce_below_2n(r, s);
}

/*
 * w += a * b, by the column order of mul_512 with w's limb added into each column. The 192-bit
 * accumulator holds at most a carry (< 2^130), a limb of w and four products per column, far
 * from overflowing, and what leaves column 7 is the carry out of bit 512 (0 or 1), which goes
 * into the overflow count.
 */
void mpc__scalar_wide_muladd(mpc__scalar_wide *w, const mpc_scalar *a, const mpc_scalar *b)
{
    const uint64_t a0 = a->d[0], a1 = a->d[1], a2 = a->d[2], a3 = a->d[3];
    const uint64_t b0 = b->d[0], b1 = b->d[1], b2 = b->d[2], b3 = b->d[3];
    uint64_t c0 = 0, c1 = 0, c2 = 0;

    ACC_ADD(w->d[0]);
    ACC_MULADD(a0, b0);
    ACC_EXTRACT(w->d[0]);
    ACC_ADD(w->d[1]);
    ACC_MULADD(a0, b1);
    ACC_MULADD(a1, b0);
    ACC_EXTRACT(w->d[1]);
    ACC_ADD(w->d[2]);
    ACC_MULADD(a0, b2);
    ACC_MULADD(a1, b1);
    ACC_MULADD(a2, b0);
    ACC_EXTRACT(w->d[2]);
    ACC_ADD(w->d[3]);
    ACC_MULADD(a0, b3);
    ACC_MULADD(a1, b2);
    ACC_MULADD(a2, b1);
    ACC_MULADD(a3, b0);
    ACC_EXTRACT(w->d[3]);
    ACC_ADD(w->d[4]);
    ACC_MULADD(a1, b3);
    ACC_MULADD(a2, b2);
    ACC_MULADD(a3, b1);
    ACC_EXTRACT(w->d[4]);
    ACC_ADD(w->d[5]);
    ACC_MULADD(a2, b3);
    ACC_MULADD(a3, b2);
    ACC_EXTRACT(w->d[5]);
    ACC_ADD(w->d[6]);
    ACC_MULADD(a3, b3);
    ACC_EXTRACT(w->d[6]);
    ACC_ADD(w->d[7]);
    ACC_EXTRACT(w->d[7]);
    w->d[8] += c0;
}

/* w += a: a 4-limb add whose carry runs up through the high limbs into the overflow count. */
void mpc__scalar_wide_add(mpc__scalar_wide *w, const mpc_scalar *a)
{
    uint64_t c0 = 0, c1 = 0, c2 = 0;

    for (int i = 0; i < 4; i++) {
        ACC_ADD(w->d[i]);
        ACC_ADD(a->d[i]);
        ACC_EXTRACT(w->d[i]);
    }
    for (int i = 4; i < 8; i++) {
        ACC_ADD(w->d[i]);
        ACC_EXTRACT(w->d[i]);
    }
    w->d[8] += c0;
}

#undef ACC_MULADD
#undef ACC_ADD
#undef ACC_EXTRACT

void mpc_scalar_set_u32(mpc_scalar *r, uint32_t v)
{
    r->d[0] = v;
    r->d[1] = r->d[2] = r->d[3] = 0;
}

int mpc_scalar_parse(mpc_scalar *r, const unsigned char in32[32])
{
    uint64_t overflow;
    const uint64_t zero[4] = {0, 0, 0, 0};

    load_be32(r->d, in32);
    overflow = limbs_ge_n(r->d);
    limbs_cmov(r->d, zero, 4, overflow);
    return (int)overflow * MPC_E_ENCODING;
}

void mpc_scalar_reduce32(mpc_scalar *r, const unsigned char in32[32])
{
    uint64_t v[5];

    load_be32(v, in32);
    v[4] = 0;
    reduce_below_2n(r, v);
}

void mpc_scalar_serialize(unsigned char out32[32], const mpc_scalar *a)
{
    for (int i = 0; i < 4; i++)
        store_be64(out32 + (3 - i) * 8, a->d[i]);
}

void mpc_scalar_add(mpc_scalar *r, const mpc_scalar *a, const mpc_scalar *b)
{
    uint64_t v[5];
    uint64_t carry = 0;

    for (int i = 0; i < 4; i++) {
        u128 t = (u128)a->d[i] + b->d[i] + carry;
        v[i] = (uint64_t)t;
        carry = (uint64_t)(t >> 64);
    }
    v[4] = carry;
    reduce_below_2n(r, v);
}

void mpc_scalar_sub(mpc_scalar *r, const mpc_scalar *a, const mpc_scalar *b)
{
    uint64_t t[4];
    uint64_t mask = mask_from_flag(limbs_sub(t, a->d, b->d, 4));
    uint64_t carry = 0;

    /* On a borrow, a - b + 2^256 is in [2^256 - n, 2^256): adding n wraps it back below n. */
    for (int i = 0; i < 4; i++) {
        u128 s = (u128)t[i] + (scalar_n[i] & mask) + carry;
        r->d[i] = (uint64_t)s;
        carry = (uint64_t)(s >> 64);
    }
}

void mpc_scalar_neg(mpc_scalar *r, const mpc_scalar *a)
{
    const mpc_scalar zero = {{0, 0, 0, 0}};

    mpc_scalar_sub(r, &zero, a);
}

void mpc_scalar_mul(mpc_scalar *r, const mpc_scalar *a, const mpc_scalar *b)
{
    uint64_t l[8];

    mul_512(l, a->d, b->d);
    reduce_512(r, l);
}

void mpc__scalar_wide_clear(mpc__scalar_wide *w)
{
    mpc_memclear(w, sizeof(*w));
}

/* 2^512 mod n. */
static const mpc_scalar scalar_2_512 = {{
    UINT64_C(0x896CF21467D7D140), UINT64_C(0x741496C20E7CF878),
    UINT64_C(0xE697F5E45BCD07C6), UINT64_C(0x9D671CD581C69BC5)
}};

void mpc__scalar_wide_reduce(mpc_scalar *r, const mpc__scalar_wide *w)
{
    mpc_scalar low, high;

    /* w = low + d[8] * 2^512, and d[8] < 2^64 < n is a scalar as it stands. */
    reduce_512(&low, w->d);
    mpc_scalar_set_u32(&high, 0);
    high.d[0] = w->d[8];
    mpc_scalar_mul(&high, &high, &scalar_2_512);
    mpc_scalar_add(r, &low, &high);
    mpc_scalar_clear(&low);
    mpc_scalar_clear(&high);
}

/* r = a^(2^count). */
static void scalar_sqr_n(mpc_scalar *r, const mpc_scalar *a, int count)
{
    *r = *a;
    for (int i = 0; i < count; i++)
        mpc_scalar_mul(r, r, r);
}

/*
 * a^(n-2) by a fixed chain; the exponent is public, so every choice below depends on its bits
 * only. The top half of n - 2 is 2^128 - 2: x_k = a^(2^k - 1) is built by x_{j+k} = x_j^(2^k) * x_k
 * (126 squarings, 10 multiplications), then squared once. The low 128 bits are consumed by a
 * left-to-right sliding window of up to 4 bits over the odd powers a, a^3, ..., a^15.
 * 256 squarings and 43 multiplications in all.
 */
void mpc_scalar_inverse(mpc_scalar *r, const mpc_scalar *a)
{
    static const uint64_t exp_low[2] = {UINT64_C(0xBFD25E8CD036413F), UINT64_C(0xBAAEDCE6AF48A03B)};
    struct {
        mpc_scalar x2, x3, x6, x12, x24, x48, t, acc, a2;
        mpc_scalar odd[8]; /* odd[k] = a^(2k + 1) */
    } w;
    int i;

    mpc_scalar_mul(&w.x2, a, a);
    mpc_scalar_mul(&w.x2, &w.x2, a);
    mpc_scalar_mul(&w.x3, &w.x2, &w.x2);
    mpc_scalar_mul(&w.x3, &w.x3, a);
    scalar_sqr_n(&w.x6, &w.x3, 3);
    mpc_scalar_mul(&w.x6, &w.x6, &w.x3);
    scalar_sqr_n(&w.x12, &w.x6, 6);
    mpc_scalar_mul(&w.x12, &w.x12, &w.x6);
    scalar_sqr_n(&w.x24, &w.x12, 12);
    mpc_scalar_mul(&w.x24, &w.x24, &w.x12);
    scalar_sqr_n(&w.x48, &w.x24, 24);
    mpc_scalar_mul(&w.x48, &w.x48, &w.x24);
    scalar_sqr_n(&w.t, &w.x48, 48);                 /* x96 */
    mpc_scalar_mul(&w.t, &w.t, &w.x48);
    scalar_sqr_n(&w.t, &w.t, 24);                   /* x120 */
    mpc_scalar_mul(&w.t, &w.t, &w.x24);
    scalar_sqr_n(&w.t, &w.t, 6);                    /* x126 */
    mpc_scalar_mul(&w.t, &w.t, &w.x6);
    mpc_scalar_mul(&w.t, &w.t, &w.t);               /* x127 */
    mpc_scalar_mul(&w.t, &w.t, a);
    mpc_scalar_mul(&w.acc, &w.t, &w.t);             /* a^(2^128 - 2) */

    w.odd[0] = *a;
    mpc_scalar_mul(&w.a2, a, a);
    for (int k = 1; k < 8; k++)
        mpc_scalar_mul(&w.odd[k], &w.odd[k - 1], &w.a2);
    i = 127;
    while (i >= 0) {
        unsigned window = 0;
        int low;

        if (((exp_low[i / 64] >> (i % 64)) & 1) == 0) {
            mpc_scalar_mul(&w.acc, &w.acc, &w.acc);
            i--;
            continue;
        }
        /* The window runs from bit i down to the lowest set bit among the next three. */
        low = i - 3 < 0 ? 0 : i - 3;
        while (((exp_low[low / 64] >> (low % 64)) & 1) == 0)
            low++;
        for (int j = i; j >= low; j--) {
            window = (window << 1) | (unsigned)((exp_low[j / 64] >> (j % 64)) & 1);
            mpc_scalar_mul(&w.acc, &w.acc, &w.acc);
        }
        mpc_scalar_mul(&w.acc, &w.acc, &w.odd[window >> 1]);
        i = low - 1;
    }
    *r = w.acc;
    mpc_memclear(&w, sizeof(w));
}

void mpc_scalar_cmov(mpc_scalar *r, const mpc_scalar *a, int flag)
{
    limbs_cmov(r->d, a->d, 4, (uint64_t)(unsigned)flag);
}

void mpc_scalar_select(mpc_scalar *r, const mpc_scalar *a, const mpc_scalar *b, int flag)
{
    uint64_t mask = mask_from_flag((uint64_t)(unsigned)flag);

    for (int i = 0; i < 4; i++)
        r->d[i] = (a->d[i] & ~mask) | (b->d[i] & mask);
}

int mpc_scalar_eq(const mpc_scalar *a, const mpc_scalar *b)
{
    uint64_t diff = 0;

    for (int i = 0; i < 4; i++)
        diff |= a->d[i] ^ b->d[i];
    return (int)limb_is_zero(diff);
}

int mpc_scalar_is_zero(const mpc_scalar *a)
{
    return (int)limb_is_zero(a->d[0] | a->d[1] | a->d[2] | a->d[3]);
}

int mpc_scalar_is_high_var(const mpc_scalar *a)
{
    for (int i = 3; i >= 0; i--) {
        if (a->d[i] != scalar_half_n[i])
            return a->d[i] > scalar_half_n[i];
    }
    return 0;
}

/* A draw is rejected with probability about 2^-128, so a source that is rejected this many times
 * in a row is broken (e.g. stuck at all-ones), and failing beats looping forever. */
#define SCALAR_RANDOM_MAX_DRAWS 64

int mpc_scalar_random(const mpc_context *ctx, mpc_scalar *r)
{
    unsigned char buf[32];
    int ret = MPC_E_RANDOM;

    for (int draw = 0; draw < SCALAR_RANDOM_MAX_DRAWS; draw++) {
        int accept;

        if (mpc_random_bytes(ctx, buf, sizeof(buf)) != MPC_OK)
            break;
        accept = (mpc_scalar_parse(r, buf) == MPC_OK) & (mpc_scalar_is_zero(r) ^ 1);
        /* Only the accept/reject bit is branched on, and it is public: a rejected value is
         * thrown away, so whether a draw was rejected says nothing about the accepted one. */
        mpc__declassify(ctx, &accept, sizeof(accept));
        if (accept) {
            ret = MPC_OK;
            break;
        }
    }
    if (ret != MPC_OK)
        mpc_scalar_clear(r);
    mpc_memclear(buf, sizeof(buf));
    return ret;
}

void mpc_scalar_clear(mpc_scalar *a)
{
    mpc_memclear(a, sizeof(*a));
}

static int indices_in_range(const uint32_t *set, size_t count, uint32_t n)
{
    for (size_t k = 0; k < count; k++) {
        if (set[k] < 1 || set[k] > n)
            return 0;
    }
    return 1;
}

static int has_duplicates(const uint32_t *set, size_t count)
{
    for (size_t k = 0; k < count; k++) {
        for (size_t l = k + 1; l < count; l++) {
            if (set[k] == set[l])
                return 1;
        }
    }
    return 0;
}

static int contains(const uint32_t *set, size_t count, uint32_t i)
{
    for (size_t k = 0; k < count; k++) {
        if (set[k] == i)
            return 1;
    }
    return 0;
}

int mpc_lagrange_coeff(const mpc_context *ctx, mpc_scalar *out, const uint32_t *set,
        size_t count, uint32_t n, uint32_t i)
{
    mpc_scalar num, den, xi, xj, diff, den_inv;

    mpc_scalar_set_u32(out, 0);
    MPC_ARG_CHECK(ctx, n >= 1 && n <= MPC_MAX_PARTIES);
    MPC_ARG_CHECK(ctx, count >= 1 && count <= n);
    MPC_ARG_CHECK(ctx, i >= 1 && i <= n);
    MPC_ARG_CHECK(ctx, indices_in_range(set, count, n));
    MPC_ARG_CHECK(ctx, !has_duplicates(set, count));
    MPC_ARG_CHECK(ctx, contains(set, count, i));

    /* lambda_i = prod_{j != i} x_j / (x_j - x_i) with x_j = j. */
    mpc_scalar_set_u32(&num, 1);
    mpc_scalar_set_u32(&den, 1);
    mpc_scalar_set_u32(&xi, i);
    for (size_t k = 0; k < count; k++) {
        if (set[k] == i)
            continue;
        mpc_scalar_set_u32(&xj, set[k]);
        mpc_scalar_sub(&diff, &xj, &xi);
        mpc_scalar_mul(&num, &num, &xj);
        mpc_scalar_mul(&den, &den, &diff);
    }
    mpc_scalar_inverse(&den_inv, &den);
    mpc_scalar_mul(out, &num, &den_inv);
    return MPC_OK;
}
