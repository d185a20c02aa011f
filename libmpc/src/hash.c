/*
 * The hash framing of PROTOCOL.md 1.2 over OpenSSL's SHA-256.
 *
 * OpenSSL's low-level SHA256_Init/Update/Final are deprecated in 3.0 in favour of EVP_MD_CTX, but
 * EVP allocates a context per digest and has no cheap midstate copy (EVP_MD_CTX_copy allocates
 * too). Signing hashes tens of thousands of short messages that share prefixes, so this module keeps
 * the plain SHA256_CTX inside mpc_hash: no allocation, and a midstate copy is a struct assignment.
 * The low-level functions still use the CPU's SHA extensions.
 */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "context.h"
#include "mpc/hash.h"

#if !defined(__BYTE_ORDER__)
#error "hash.c needs __BYTE_ORDER__ (GCC or clang)"
#endif

_Static_assert(sizeof(SHA256_CTX) <= sizeof(((mpc_hash *)0)->sha.bytes),
        "SHA256_CTX must fit in mpc_hash");
_Static_assert(_Alignof(SHA256_CTX) <= _Alignof(uint64_t), "SHA256_CTX alignment");

/*
 * The tag table. Every tag is "dkls23c/v<version>/<name>" with the names of PROTOCOL.md; the
 * version in the prefix makes hashes of different protocol versions disagree from the first
 * message on (TOB-SILA-11). Names PROTOCOL.md does not spell out (the refresh session id, the
 * key share's public-state hash compared at reconcile) follow the same "<protocol>/<purpose>"
 * pattern.
 */
#define MPC_TAG_PREFIX "dkls23c/v1/"
_Static_assert(MPC_PROTOCOL_VERSION == 1u, "MPC_TAG_PREFIX must carry MPC_PROTOCOL_VERSION");

typedef struct {
    const char *str;
    size_t len;
} tag_entry;

#define TAG(id, name) [id] = { MPC_TAG_PREFIX name, sizeof(MPC_TAG_PREFIX name) - 1 }

static const tag_entry tag_table[MPC_TAG_COUNT] = {
    TAG(MPC_TAG_SCHNORR, "schnorr"),
    TAG(MPC_TAG_ZERO, "zero"),
    TAG(MPC_TAG_PAIR, "pair"),
    TAG(MPC_TAG_DKG_COM, "dkg/com"),
    TAG(MPC_TAG_DKG_SID, "dkg/sid"),
    TAG(MPC_TAG_DKG_COEF, "dkg/coef"),
    TAG(MPC_TAG_DKG_ECHO2, "dkg/echo2"),
    TAG(MPC_TAG_DKG_CHAINCODE, "dkg/chaincode"),
    TAG(MPC_TAG_DKG_FINAL, "dkg/final"),
    TAG(MPC_TAG_REFRESH_SID, "refresh/sid"),
    TAG(MPC_TAG_EOT_H, "eot/h"),
    TAG(MPC_TAG_EOT_KEY, "eot/key"),
    /* The two PRGs of the OT extension run tens of thousands of times per signing, so their tag
     * lengths are chosen for SHA-256's 64-byte blocks (PROTOCOL.md calls them "sso/expand" and
     * "sso/rand"). With a tag of len bytes the framed prefix is 8 + len + 40 (sid_mul):
     *  - leaf expansion PRG(tag, sid_mul, leaf, 80): 8 + len + 40 + 40 + 12 (counter) + 9 (SHA
     *    padding) <= 128 needs len <= 19, so each 32-byte output costs one compression after the
     *    cached first block;
     *  - column payloads PRG(tag, sid_mul, be32(j), col, 96): with len >= 28 the fields end at
     *    byte 128 or later, so the block holding (j, col) is compressed once per column and each
     *    output costs one more compression for its counter (instead of two). */
    TAG(MPC_TAG_SSO_EXPAND, "sso/leaf"),
    TAG(MPC_TAG_SSO_U, "sso/u"),
    TAG(MPC_TAG_SSO_CHI, "sso/chi"),
    TAG(MPC_TAG_SSO_RAND, "sso/column-payload"),
    TAG(MPC_TAG_RVOLE_GADGET, "rvole/gadget"),
    TAG(MPC_TAG_RVOLE_ATIL, "rvole/atil"),
    TAG(MPC_TAG_RVOLE_THETA, "rvole/theta"),
    TAG(MPC_TAG_RVOLE_MU, "rvole/mu"),
    TAG(MPC_TAG_SIGN_SIGID, "sign/sigid"),
    TAG(MPC_TAG_SIGN_MUL, "sign/mul"),
    TAG(MPC_TAG_SIGN_R, "sign/R"),
    TAG(MPC_TAG_SIGN_ECHO1, "sign/echo1"),
    TAG(MPC_TAG_KEYSHARE_STATE, "keyshare/state"),
};

const char *mpc_tag_string(mpc_tag tag)
{
    if ((unsigned)tag >= MPC_TAG_COUNT)
        return NULL;
    return tag_table[tag].str;
}

/*
 * Misuse of the streaming interface (an unknown tag, more or fewer bytes than a field announced)
 * aborts. These functions take no context, so the illegal callback is out of reach, and every
 * length here is chosen by our own code, never by a peer: a mismatch is a bug. Carrying on would
 * silently change the framing, which could make two different field lists hash alike.
 */
static void hash_misuse(const char *message)
{
    fprintf(stderr, "libmpc: hash misuse: %s\n", message);
    abort();
}

static SHA256_CTX *sha(mpc_hash *h)
{
    return (SHA256_CTX *)(void *)h->sha.bytes;
}

static const SHA256_CTX *sha_const(const mpc_hash *h)
{
    return (const SHA256_CTX *)(const void *)h->sha.bytes;
}

static void require_field_closed(const mpc_hash *h)
{
    if (h->field_left != 0)
        hash_misuse("a field opened with mpc_hash_field_begin is incomplete");
}

static void put_be64(unsigned char out[8], uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    memcpy(out, &v, sizeof(v));
}

static void absorb_length(mpc_hash *h, uint64_t len)
{
    unsigned char be[8];

    put_be64(be, len);
    SHA256_Update(sha(h), be, sizeof(be));
}

void mpc_hash_init(mpc_hash *h, mpc_tag tag)
{
    if ((unsigned)tag >= MPC_TAG_COUNT)
        hash_misuse("unknown tag");
    memset(h, 0, sizeof(*h));
    SHA256_Init(sha(h));
    absorb_length(h, tag_table[tag].len);
    SHA256_Update(sha(h), tag_table[tag].str, tag_table[tag].len);
}

/* Fields up to this length (indices, scalars, points, seeds, columns) are framed in a stack
 * buffer and absorbed with one SHA256_Update instead of two: signing hashes tens of thousands of
 * short fields, and with the CPU's SHA extensions the call overhead rivals the compression. */
#define SHORT_FIELD_BYTES 64

void mpc_hash_field(mpc_hash *h, const void *data, size_t len)
{
    unsigned char framed[8 + SHORT_FIELD_BYTES];

    require_field_closed(h);
    if (len <= SHORT_FIELD_BYTES) {
        put_be64(framed, len);
        if (len != 0)
            memcpy(framed + 8, data, len);
        SHA256_Update(sha(h), framed, 8 + len);
        mpc_memclear(framed, 8 + len); /* the field may be secret */
        return;
    }
    absorb_length(h, len);
    SHA256_Update(sha(h), data, len);
}

void mpc_hash_field_u32(mpc_hash *h, uint32_t v)
{
    const unsigned char be[4] = {
        (unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
        (unsigned char)v
    };

    mpc_hash_field(h, be, sizeof(be));
}

void mpc_hash_field_point(const mpc_context *ctx, mpc_hash *h, const mpc_point *p)
{
    unsigned char enc[MPC_POINT_BYTES];
    /* Fails only for the identity, and then leaves enc as 33 zero bytes: its hash encoding. */
    int r = mpc_point_serialize(ctx, enc, p);

    (void)r;
    mpc_hash_field(h, enc, sizeof(enc));
    mpc_memclear(enc, sizeof(enc));
}

void mpc_hash_field_scalar(mpc_hash *h, const mpc_scalar *s)
{
    unsigned char enc[32];

    mpc_scalar_serialize(enc, s);
    mpc_hash_field(h, enc, sizeof(enc));
    mpc_memclear(enc, sizeof(enc));
}

void mpc_hash_field_begin(mpc_hash *h, size_t total_len)
{
    require_field_closed(h);
    absorb_length(h, total_len);
    h->field_left = total_len;
}

void mpc_hash_update(mpc_hash *h, const void *data, size_t len)
{
    if (len > h->field_left)
        hash_misuse("mpc_hash_update beyond the length announced by mpc_hash_field_begin");
    h->field_left -= len;
    if (len != 0)
        SHA256_Update(sha(h), data, len);
}

void mpc_hash_final(mpc_hash *h, unsigned char out32[32])
{
    require_field_closed(h);
    SHA256_Final(out32, sha(h));
    mpc_memclear(h, sizeof(*h));
}

void mpc_hash_final_scalar(mpc_hash *h, mpc_scalar *out)
{
    unsigned char digest[32];

    mpc_hash_final(h, digest);
    mpc_scalar_reduce32(out, digest);
    mpc_memclear(digest, sizeof(digest));
}

/*
 * H(prefix..., be32(ctr)) for a run of counters, without touching prefix. This is the PRG's inner
 * loop (one digest per 32 output bytes, about twenty thousand per signing), so it works below
 * SHA256_Update/Final: the unprocessed tail of the prefix, the counter field be64(4) || be32(ctr)
 * and the SHA-256 padding are laid out once in a one- or two-block buffer, and each counter then
 * costs a copy of the eight state words, its four counter bytes and the compressions. The output
 * is the same digest SHA256_Final would produce. The tail may hold secret prefix bytes, so the
 * buffer is wiped at the end, and the working state words are wiped after every digest: with a
 * secret seed (an OT leaf) they are a copy of secret output.
 */
typedef struct {
    unsigned char block[2 * SHA256_CBLOCK];
    size_t counter_at; /* offset of be32(ctr) in block */
    size_t nblocks;
} counter_tail;

#define COUNTER_FIELD_BYTES 12 /* be64(4) || be32(ctr) */

static void counter_tail_init(counter_tail *t, const SHA256_CTX *p)
{
    const size_t num = p->num; /* public: fixed by the prefix's layout */
    const uint64_t bits = (((uint64_t)p->Nh << 32) | p->Nl) + 8 * COUNTER_FIELD_BYTES;
    size_t len;

    t->nblocks = num + COUNTER_FIELD_BYTES + 1 + 8 <= SHA256_CBLOCK ? 1 : 2;
    len = t->nblocks * SHA256_CBLOCK;
    memcpy(t->block, p->data, num);
    put_be64(t->block + num, 4);
    t->counter_at = num + 8;
    t->block[num + COUNTER_FIELD_BYTES] = 0x80;
    memset(t->block + num + COUNTER_FIELD_BYTES + 1, 0, len - 8 - (num + COUNTER_FIELD_BYTES + 1));
    put_be64(t->block + len - 8, bits);
}

static void counter_tail_digest(unsigned char out32[32], counter_tail *t, const SHA256_CTX *p,
        uint32_t ctr)
{
    SHA256_CTX c; /* SHA256_Transform reads and writes only c.h */

    t->block[t->counter_at] = (unsigned char)(ctr >> 24);
    t->block[t->counter_at + 1] = (unsigned char)(ctr >> 16);
    t->block[t->counter_at + 2] = (unsigned char)(ctr >> 8);
    t->block[t->counter_at + 3] = (unsigned char)ctr;
    memcpy(c.h, p->h, sizeof(c.h));
    SHA256_Transform(&c, t->block);
    if (t->nblocks == 2)
        SHA256_Transform(&c, t->block + SHA256_CBLOCK);
    for (int i = 0; i < 8; i++) {
        uint32_t be = c.h[i];

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        be = __builtin_bswap32(be);
#endif
        memcpy(out32 + 4 * i, &be, sizeof(be));
    }
    mpc_memclear(c.h, sizeof(c.h));
}

void mpc_prg(unsigned char *out, size_t len, const mpc_hash *prefix)
{
    const SHA256_CTX *p = sha_const(prefix);
    counter_tail t;
    unsigned char block[32];
    uint32_t ctr = 0;

    require_field_closed(prefix);
    if (len / 32 >= UINT32_MAX)
        hash_misuse("PRG output longer than its 32-bit counter allows");
    counter_tail_init(&t, p);
    for (; len >= 32; len -= 32, out += 32)
        counter_tail_digest(out, &t, p, ctr++);
    if (len != 0) {
        counter_tail_digest(block, &t, p, ctr);
        memcpy(out, block, len);
        mpc_memclear(block, sizeof(block));
    }
    mpc_memclear(t.block, t.nblocks * SHA256_CBLOCK);
}

void mpc_hash_to_curve_var(const mpc_context *ctx, mpc_point *out, const mpc_hash *prefix)
{
    const SHA256_CTX *p = sha_const(prefix);
    counter_tail t;
    unsigned char enc[MPC_POINT_BYTES];
    uint32_t ctr;

    require_field_closed(prefix);
    counter_tail_init(&t, p);
    enc[0] = 0x02;
    /* About half of all x are valid, so the expected number of tries is two; a counter wrap
     * would need 2^32 consecutive failures. */
    for (ctr = 0;; ctr++) {
        counter_tail_digest(enc + 1, &t, p, ctr);
        if (mpc_point_parse(ctx, out, enc) == MPC_OK)
            return;
    }
}

int mpc_commit(const mpc_context *ctx, unsigned char c32[32], unsigned char salt32[32],
        const mpc_hash *prefix)
{
    mpc_hash h;
    int r;

    memset(c32, 0, 32);
    if ((r = mpc_random_bytes(ctx, salt32, 32)) != MPC_OK)
        return r;
    h = *prefix;
    mpc_hash_field(&h, salt32, 32);
    mpc_hash_final(&h, c32);
    return MPC_OK;
}

int mpc_commit_open(const unsigned char c32[32], const unsigned char salt32[32],
        const mpc_hash *prefix)
{
    unsigned char expect[32];
    mpc_hash h = *prefix;
    int ok;

    mpc_hash_field(&h, salt32, 32);
    mpc_hash_final(&h, expect);
    ok = mpc_memeq(expect, c32, sizeof(expect));
    mpc_memclear(expect, sizeof(expect));
    return ok;
}
