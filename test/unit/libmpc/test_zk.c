/* Schnorr proofs (PROTOCOL.md 2.1): completeness, the challenge recomputed here field by field
 * from the spec, rejection of every altered proof field and context element, strict parsing, and
 * the argument checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mpc/hash.h"
#include "mpc/zk.h"
#include "test_rng.h"

typedef struct {
    test_rng rng;
    mpc_context *ctx;
    unsigned char sid[32];
    unsigned char extra[40];
    mpc_schnorr_context sctx;
    mpc_scalar x;
    mpc_point X;
    mpc_schnorr_proof proof;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    test_rng_init(&f->rng, 0x7a6b);
    f->ctx = test_context(&f->rng);
    test_rng_bytes(&f->rng, f->sid, sizeof(f->sid));
    test_rng_bytes(&f->rng, f->extra, sizeof(f->extra));
    f->sctx.label = MPC_TAG_DKG_COEF;
    f->sctx.sid = f->sid;
    f->sctx.prover = 2;
    f->sctx.statement = 1;
    f->sctx.extra = f->extra;
    f->sctx.extra_len = sizeof(f->extra);
    assert_int_equal(mpc_scalar_random(f->ctx, &f->x), MPC_OK);
    mpc_point_base_mul(f->ctx, &f->X, &f->x);
    assert_int_equal(mpc_schnorr_prove(f->ctx, &f->proof, &f->x, &f->X, &f->sctx), MPC_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    mpc_context_destroy(f->ctx);
    free(f);
    return 0;
}

static void test_valid(void **state)
{
    fixture *f = *state;
    unsigned char enc[MPC_SCHNORR_BYTES];
    mpc_schnorr_proof parsed;

    assert_int_equal(mpc_schnorr_verify(f->ctx, &f->proof, &f->X, &f->sctx), MPC_OK);
    assert_int_equal(mpc_schnorr_serialize(f->ctx, enc, &f->proof), MPC_OK);
    assert_int_equal(mpc_schnorr_parse(f->ctx, &parsed, enc), MPC_OK);
    assert_int_equal(mpc_schnorr_verify(f->ctx, &parsed, &f->X, &f->sctx), MPC_OK);

    /* No extra data is allowed (NULL with length 0). */
    f->sctx.extra = NULL;
    f->sctx.extra_len = 0;
    assert_int_equal(mpc_schnorr_prove(f->ctx, &f->proof, &f->x, &f->X, &f->sctx), MPC_OK);
    assert_int_equal(mpc_schnorr_verify(f->ctx, &f->proof, &f->X, &f->sctx), MPC_OK);
}

/* z*G == T + e*X with e = H_s("schnorr", label, sid, be32(prover), be32(statement), extra,
 * enc(G), enc(X), enc(T)) built here from PROTOCOL.md 2.1, not by zk.c. */
static void test_challenge_per_spec(void **state)
{
    fixture *f = *state;
    const char *label = mpc_tag_string(f->sctx.label);
    unsigned char genc[33];
    mpc_point G, lhs, rhs;
    mpc_scalar e, one;
    mpc_hash h;

    mpc_scalar_set_u32(&one, 1);
    mpc_point_base_mul(f->ctx, &G, &one);
    assert_int_equal(mpc_point_serialize(f->ctx, genc, &G), MPC_OK);
    mpc_hash_init(&h, MPC_TAG_SCHNORR);
    mpc_hash_field(&h, label, strlen(label));
    mpc_hash_field(&h, f->sid, 32);
    mpc_hash_field_u32(&h, f->sctx.prover);
    mpc_hash_field_u32(&h, f->sctx.statement);
    mpc_hash_field(&h, f->extra, sizeof(f->extra));
    mpc_hash_field(&h, genc, sizeof(genc));
    mpc_hash_field_point(f->ctx, &h, &f->X);
    mpc_hash_field_point(f->ctx, &h, &f->proof.T);
    mpc_hash_final_scalar(&h, &e);

    mpc_point_base_mul(f->ctx, &lhs, &f->proof.z);
    mpc_point_mul_var(f->ctx, &rhs, &f->X, &e);
    mpc_point_add_var(f->ctx, &rhs, &rhs, &f->proof.T);
    assert_true(mpc_point_eq(f->ctx, &lhs, &rhs));
}

static void expect_proof_error(fixture *f, const mpc_schnorr_proof *proof, const mpc_point *X,
        const mpc_schnorr_context *sctx)
{
    assert_int_equal(mpc_schnorr_verify(f->ctx, proof, X, sctx), MPC_E_PROOF);
}

static void test_tampered_proof(void **state)
{
    fixture *f = *state;
    mpc_schnorr_proof p;
    mpc_scalar one, y;
    mpc_point Y;

    mpc_scalar_set_u32(&one, 1);
    p = f->proof;
    mpc_scalar_add(&p.z, &p.z, &one);
    expect_proof_error(f, &p, &f->X, &f->sctx);

    p = f->proof;
    mpc_point_add_var(f->ctx, &p.T, &p.T, &f->X);
    expect_proof_error(f, &p, &f->X, &f->sctx);

    p = f->proof;
    mpc_point_set_infinity(&p.T);
    expect_proof_error(f, &p, &f->X, &f->sctx);

    assert_int_equal(mpc_scalar_random(f->ctx, &y), MPC_OK);
    mpc_point_base_mul(f->ctx, &Y, &y);
    expect_proof_error(f, &f->proof, &Y, &f->sctx);
    mpc_point_set_infinity(&Y);
    expect_proof_error(f, &f->proof, &Y, &f->sctx);
}

static void test_context_binding(void **state)
{
    fixture *f = *state;
    mpc_schnorr_context c;
    unsigned char sid[32], extra[40];

    c = f->sctx;
    c.label = MPC_TAG_DKG_FINAL;
    expect_proof_error(f, &f->proof, &f->X, &c);

    for (size_t i = 0; i < sizeof(sid); i += 7) {
        memcpy(sid, f->sid, sizeof(sid));
        sid[i] ^= 0x01;
        c = f->sctx;
        c.sid = sid;
        expect_proof_error(f, &f->proof, &f->X, &c);
    }

    c = f->sctx;
    c.prover = 3;
    expect_proof_error(f, &f->proof, &f->X, &c);
    c = f->sctx;
    c.statement = 0;
    expect_proof_error(f, &f->proof, &f->X, &c);
    /* Prover and statement swapped. */
    c = f->sctx;
    c.prover = f->sctx.statement;
    c.statement = f->sctx.prover;
    expect_proof_error(f, &f->proof, &f->X, &c);

    memcpy(extra, f->extra, sizeof(extra));
    extra[39] ^= 0x80;
    c = f->sctx;
    c.extra = extra;
    expect_proof_error(f, &f->proof, &f->X, &c);
    c = f->sctx;
    c.extra_len--;
    expect_proof_error(f, &f->proof, &f->X, &c);
    c = f->sctx;
    c.extra = NULL;
    c.extra_len = 0;
    expect_proof_error(f, &f->proof, &f->X, &c);
}

static void test_parse(void **state)
{
    static const unsigned char n_be[32] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
        0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41
    };
    fixture *f = *state;
    unsigned char enc[MPC_SCHNORR_BYTES], bad[MPC_SCHNORR_BYTES];
    mpc_schnorr_proof p;

    assert_int_equal(mpc_schnorr_serialize(f->ctx, enc, &f->proof), MPC_OK);

    /* z = n, z = n + 1 and z = 2^256 - 1 are not canonical; z = n - 1 is. */
    memcpy(bad, enc, sizeof(bad));
    memcpy(bad + 33, n_be, 32);
    assert_int_equal(mpc_schnorr_parse(f->ctx, &p, bad), MPC_E_ENCODING);
    assert_true(mpc_point_is_infinity(&p.T));
    bad[64] = 0x42;
    assert_int_equal(mpc_schnorr_parse(f->ctx, &p, bad), MPC_E_ENCODING);
    memset(bad + 33, 0xff, 32);
    assert_int_equal(mpc_schnorr_parse(f->ctx, &p, bad), MPC_E_ENCODING);
    memcpy(bad + 33, n_be, 32);
    bad[64] = 0x40;
    assert_int_equal(mpc_schnorr_parse(f->ctx, &p, bad), MPC_OK);

    /* T: the identity's 33 zero bytes, an uncompressed prefix, an x not on the curve. */
    memcpy(bad, enc, sizeof(bad));
    memset(bad, 0, 33);
    assert_int_equal(mpc_schnorr_parse(f->ctx, &p, bad), MPC_E_ENCODING);
    memcpy(bad, enc, sizeof(bad));
    bad[0] = 0x04;
    assert_int_equal(mpc_schnorr_parse(f->ctx, &p, bad), MPC_E_ENCODING);
    memcpy(bad, enc, sizeof(bad));
    memset(bad + 1, 0, 32);
    bad[32] = 5;
    assert_int_equal(mpc_schnorr_parse(f->ctx, &p, bad), MPC_E_ENCODING);

    /* An identity T cannot be serialized. */
    p = f->proof;
    mpc_point_set_infinity(&p.T);
    assert_int_equal(mpc_schnorr_serialize(f->ctx, bad, &p), MPC_E_ENCODING);
}

static int fail_rng(unsigned char *out, size_t len, void *data)
{
    (void)out;
    (void)len;
    (void)data;
    return 0;
}

static void test_rng_failure(void **state)
{
    fixture *f = *state;
    mpc_schnorr_proof p;

    assert_int_equal(mpc_context_set_rng(f->ctx, fail_rng, NULL), MPC_E_RANDOM);
    assert_int_equal(mpc_schnorr_prove(f->ctx, &p, &f->x, &f->X, &f->sctx), MPC_E_RANDOM);
    assert_true(mpc_point_is_infinity(&p.T));
    assert_true(mpc_scalar_is_zero(&p.z));
}

static void count_illegal(const char *message, void *data)
{
    (void)message;
    (*(int *)data)++;
}

static void test_illegal(void **state)
{
    fixture *f = *state;
    mpc_schnorr_context c;
    mpc_schnorr_proof p;
    mpc_point inf;
    int counter = 0;

    mpc_context_set_illegal_callback(f->ctx, count_illegal, &counter);
    c = f->sctx;
    c.sid = NULL;
    assert_int_equal(mpc_schnorr_prove(f->ctx, &p, &f->x, &f->X, &c), MPC_E_ILLEGAL);
    assert_int_equal(counter, 1);
    assert_int_equal(mpc_schnorr_verify(f->ctx, &f->proof, &f->X, &c), MPC_E_ILLEGAL);
    assert_int_equal(counter, 2);
    c = f->sctx;
    c.label = MPC_TAG_COUNT;
    assert_int_equal(mpc_schnorr_prove(f->ctx, &p, &f->x, &f->X, &c), MPC_E_ILLEGAL);
    assert_int_equal(counter, 3);
    assert_int_equal(mpc_schnorr_verify(f->ctx, &f->proof, &f->X, &c), MPC_E_ILLEGAL);
    assert_int_equal(counter, 4);
    c = f->sctx;
    c.extra = NULL;
    assert_int_equal(mpc_schnorr_prove(f->ctx, &p, &f->x, &f->X, &c), MPC_E_ILLEGAL);
    assert_int_equal(counter, 5);
    mpc_point_set_infinity(&inf);
    assert_int_equal(mpc_schnorr_prove(f->ctx, &p, &f->x, &inf, &f->sctx), MPC_E_ILLEGAL);
    assert_int_equal(counter, 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_challenge_per_spec, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tampered_proof, setup, teardown),
        cmocka_unit_test_setup_teardown(test_context_binding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rng_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_illegal, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
