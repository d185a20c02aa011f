/* Hash framing, PRG, hash-to-scalar and hash-to-curve against vectors computed with Python's
 * hashlib (gen_hash_vectors.py), the tag table, midstates, commitments, and the abort on misuse of
 * the streaming interface. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "hash_vectors.h"
#include "mpc/hash.h"
#include "test_rng.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void absorb_fields(mpc_hash *h, mpc_tag tag, const hv_field *fields, size_t n)
{
    mpc_hash_init(h, tag);
    for (size_t i = 0; i < n; i++)
        mpc_hash_field(h, fields[i].data, fields[i].len);
}

static void test_tags(void **state)
{
    static const char prefix[] = "dkls23c/v1/";
    (void)state;

    assert_int_equal(ARRAY_LEN(tag_vectors), MPC_TAG_COUNT);
    for (size_t i = 0; i < ARRAY_LEN(tag_vectors); i++)
        assert_string_equal(mpc_tag_string(tag_vectors[i].tag), tag_vectors[i].str);
    for (int i = 0; i < MPC_TAG_COUNT; i++) {
        const char *a = mpc_tag_string((mpc_tag)i);

        assert_non_null(a);
        assert_memory_equal(a, prefix, sizeof(prefix) - 1);
        assert_true(strlen(a) > sizeof(prefix) - 1);
        for (int j = i + 1; j < MPC_TAG_COUNT; j++)
            assert_string_not_equal(a, mpc_tag_string((mpc_tag)j));
    }
    assert_null(mpc_tag_string(MPC_TAG_COUNT));
}

static void test_framing_vectors(void **state)
{
    unsigned char out[32], sc[32];
    mpc_scalar s;
    mpc_hash h;
    (void)state;

    for (size_t v = 0; v < ARRAY_LEN(hash_vectors); v++) {
        const hash_vector *hv = &hash_vectors[v];

        absorb_fields(&h, hv->tag, hv->fields, hv->nfields);
        mpc_hash_final(&h, out);
        assert_memory_equal(out, hv->digest, 32);

        absorb_fields(&h, hv->tag, hv->fields, hv->nfields);
        mpc_hash_final_scalar(&h, &s);
        mpc_scalar_serialize(sc, &s);
        assert_memory_equal(sc, hv->scalar, 32);
    }
}

/* A different hashing of a vector: every field streamed through field_begin/update in pieces
 * of 0, 1 and up to 7 bytes. */
static void test_streaming_equals_field(void **state)
{
    unsigned char out[32];
    mpc_hash h;
    (void)state;

    for (size_t v = 0; v < ARRAY_LEN(hash_vectors); v++) {
        const hash_vector *hv = &hash_vectors[v];

        mpc_hash_init(&h, hv->tag);
        for (size_t i = 0; i < hv->nfields; i++) {
            const unsigned char *p = hv->fields[i].data;
            size_t left = hv->fields[i].len, step = 0;

            mpc_hash_field_begin(&h, left);
            mpc_hash_update(&h, p, 0);
            while (left > 0) {
                size_t take = step % 8 < left ? step % 8 : left;

                mpc_hash_update(&h, p, take);
                p += take;
                left -= take;
                step++;
            }
        }
        mpc_hash_final(&h, out);
        assert_memory_equal(out, hv->digest, 32);
    }
}

/* The typed field helpers produce the encodings the Python vectors use: hash_vectors[2] ends with
 * be32(7) and hash_vectors[3]'s second field is 33 zero bytes (the identity). */
static void test_typed_fields(void **state)
{
    const hash_vector *v2 = &hash_vectors[2], *v3 = &hash_vectors[3];
    test_rng rng;
    mpc_context *ctx;
    unsigned char out[32];
    mpc_point inf;
    mpc_scalar s;
    mpc_hash h;
    (void)state;

    test_rng_init(&rng, 1);
    ctx = test_context(&rng);
    assert_int_equal(v2->fields[1].len, 4);
    mpc_hash_init(&h, v2->tag);
    mpc_hash_field(&h, v2->fields[0].data, v2->fields[0].len);
    mpc_hash_field_u32(&h, 7);
    mpc_hash_final(&h, out);
    assert_memory_equal(out, v2->digest, 32);

    assert_int_equal(v3->fields[1].len, 33);
    mpc_point_set_infinity(&inf);
    mpc_hash_init(&h, v3->tag);
    mpc_hash_field(&h, v3->fields[0].data, v3->fields[0].len);
    mpc_hash_field_point(ctx, &h, &inf);
    mpc_hash_field(&h, v3->fields[2].data, v3->fields[2].len);
    mpc_hash_final(&h, out);
    assert_memory_equal(out, v3->digest, 32);

    /* A scalar field is its 32-byte big-endian encoding. */
    assert_int_equal(mpc_scalar_parse(&s, v2->scalar), MPC_OK);
    mpc_hash_init(&h, MPC_TAG_ZERO);
    mpc_hash_field_scalar(&h, &s);
    mpc_hash_final(&h, out);
    {
        unsigned char ref[32];

        mpc_hash_init(&h, MPC_TAG_ZERO);
        mpc_hash_field(&h, v2->scalar, 32);
        mpc_hash_final(&h, ref);
        assert_memory_equal(out, ref, 32);
    }
    mpc_context_destroy(ctx);
}

static void test_final_wipes_state(void **state)
{
    static const unsigned char zero[sizeof(mpc_hash)];
    unsigned char out[32];
    mpc_hash h;
    (void)state;

    mpc_hash_init(&h, MPC_TAG_PAIR);
    mpc_hash_field(&h, "secret", 6);
    mpc_hash_final(&h, out);
    assert_memory_equal(&h, zero, sizeof(h));
}

static void test_prg_vectors(void **state)
{
    unsigned char out[128], again[128];
    mpc_hash h, copy;
    (void)state;

    for (size_t v = 0; v < ARRAY_LEN(prg_vectors); v++) {
        const prg_vector *pv = &prg_vectors[v];

        assert_true(pv->len <= sizeof(out));
        absorb_fields(&h, pv->tag, pv->fields, pv->nfields);
        copy = h;
        memset(out, 0xa5, sizeof(out));
        mpc_prg(out, pv->len, &h);
        if (pv->len > 0)
            assert_memory_equal(out, pv->out, pv->len);
        /* Nothing past len is written, and the prefix is left unchanged. */
        for (size_t i = pv->len; i < sizeof(out); i++)
            assert_int_equal(out[i], 0xa5);
        assert_memory_equal(&h, &copy, sizeof(h));
        mpc_prg(again, pv->len, &h);
        assert_memory_equal(out, again, pv->len);
    }
}

static void test_midstate_copy(void **state)
{
    unsigned char a[32], b[32];
    mpc_hash prefix, h;
    (void)state;

    mpc_hash_init(&prefix, MPC_TAG_SIGN_MUL);
    mpc_hash_field(&prefix, hash_vectors[3].fields[0].data, hash_vectors[3].fields[0].len);
    for (uint32_t i = 0; i < 5; i++) {
        h = prefix;
        mpc_hash_field_u32(&h, i);
        mpc_hash_final(&h, a);

        mpc_hash_init(&h, MPC_TAG_SIGN_MUL);
        mpc_hash_field(&h, hash_vectors[3].fields[0].data, hash_vectors[3].fields[0].len);
        mpc_hash_field_u32(&h, i);
        mpc_hash_final(&h, b);
        assert_memory_equal(a, b, 32);
    }
}

/* Different framings of the same bytes give different digests. */
static void test_framing_separates(void **state)
{
    unsigned char a[32], b[32];
    mpc_hash h;
    (void)state;

    mpc_hash_init(&h, MPC_TAG_ZERO);
    mpc_hash_field(&h, "ab", 2);
    mpc_hash_field(&h, "c", 1);
    mpc_hash_final(&h, a);
    mpc_hash_init(&h, MPC_TAG_ZERO);
    mpc_hash_field(&h, "a", 1);
    mpc_hash_field(&h, "bc", 2);
    mpc_hash_final(&h, b);
    assert_memory_not_equal(a, b, 32);
    mpc_hash_init(&h, MPC_TAG_PAIR);
    mpc_hash_field(&h, "ab", 2);
    mpc_hash_field(&h, "c", 1);
    mpc_hash_final(&h, b);
    assert_memory_not_equal(a, b, 32);
}

static void test_hash_to_curve_vectors(void **state)
{
    test_rng rng;
    mpc_context *ctx;
    unsigned char enc[33];
    mpc_point p;
    mpc_hash h;
    int retried = 0;
    (void)state;

    test_rng_init(&rng, 2);
    ctx = test_context(&rng);
    for (size_t v = 0; v < ARRAY_LEN(h2c_vectors); v++) {
        const h2c_vector *cv = &h2c_vectors[v];

        absorb_fields(&h, cv->tag, cv->fields, cv->nfields);
        mpc_hash_to_curve_var(ctx, &p, &h);
        assert_int_equal(mpc_point_serialize(ctx, enc, &p), MPC_OK);
        assert_memory_equal(enc, cv->point, 33);
        retried |= cv->tries > 0;
    }
    /* The vectors must exercise the increment, or this test proves less than it claims. */
    assert_true(retried);
    mpc_context_destroy(ctx);
}

static int fail_rng(unsigned char *out, size_t len, void *data)
{
    (void)out;
    (void)len;
    (void)data;
    return 0;
}

static void test_commit(void **state)
{
    test_rng rng;
    mpc_context *ctx;
    unsigned char c[32], salt[32], bad[32];
    mpc_hash prefix, other;
    (void)state;

    test_rng_init(&rng, 3);
    ctx = test_context(&rng);
    mpc_hash_init(&prefix, MPC_TAG_SIGN_R);
    mpc_hash_field(&prefix, "ctx", 3);
    mpc_hash_field(&prefix, "msg", 3);
    assert_int_equal(mpc_commit(ctx, c, salt, &prefix), MPC_OK);
    assert_int_equal(mpc_commit_open(c, salt, &prefix), 1);

    /* c is H(prefix..., salt) exactly. */
    {
        unsigned char ref[32];
        mpc_hash h;

        mpc_hash_init(&h, MPC_TAG_SIGN_R);
        mpc_hash_field(&h, "ctx", 3);
        mpc_hash_field(&h, "msg", 3);
        mpc_hash_field(&h, salt, 32);
        mpc_hash_final(&h, ref);
        assert_memory_equal(c, ref, 32);
    }
    for (size_t i = 0; i < 32; i++) {
        memcpy(bad, salt, 32);
        bad[i] ^= 0x01;
        assert_int_equal(mpc_commit_open(c, bad, &prefix), 0);
        memcpy(bad, c, 32);
        bad[i] ^= 0x80;
        assert_int_equal(mpc_commit_open(bad, salt, &prefix), 0);
    }
    mpc_hash_init(&other, MPC_TAG_SIGN_R);
    mpc_hash_field(&other, "ctx", 3);
    mpc_hash_field(&other, "msh", 3);
    assert_int_equal(mpc_commit_open(c, salt, &other), 0);

    assert_int_equal(mpc_context_set_rng(ctx, fail_rng, NULL), MPC_E_RANDOM);
    assert_int_equal(mpc_commit(ctx, c, salt, &prefix), MPC_E_RANDOM);
    mpc_context_destroy(ctx);
}

/* Misuse of the streaming interface must abort (hash.c explains why); checked in a child. */
typedef void (*misuse_fn)(void);

static void misuse_update_too_long(void)
{
    mpc_hash h;

    mpc_hash_init(&h, MPC_TAG_ZERO);
    mpc_hash_field_begin(&h, 3);
    mpc_hash_update(&h, "abcd", 4);
}

static void misuse_final_short(void)
{
    unsigned char out[32];
    mpc_hash h;

    mpc_hash_init(&h, MPC_TAG_ZERO);
    mpc_hash_field_begin(&h, 3);
    mpc_hash_update(&h, "ab", 2);
    mpc_hash_final(&h, out);
}

static void misuse_field_while_open(void)
{
    mpc_hash h;

    mpc_hash_init(&h, MPC_TAG_ZERO);
    mpc_hash_field_begin(&h, 1);
    mpc_hash_field(&h, "x", 1);
}

static void misuse_prg_while_open(void)
{
    unsigned char out[4];
    mpc_hash h;

    mpc_hash_init(&h, MPC_TAG_ZERO);
    mpc_hash_field_begin(&h, 1);
    mpc_prg(out, sizeof(out), &h);
}

static void misuse_bad_tag(void)
{
    mpc_hash h;

    mpc_hash_init(&h, MPC_TAG_COUNT);
}

static void assert_aborts(misuse_fn fn)
{
    int status;
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        /* Keep the expected message out of the test log noise. */
        if (freopen("/dev/null", "w", stderr) == NULL)
            _exit(2);
        fn();
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void test_misuse_aborts(void **state)
{
    (void)state;
    assert_aborts(misuse_update_too_long);
    assert_aborts(misuse_final_short);
    assert_aborts(misuse_field_while_open);
    assert_aborts(misuse_prg_while_open);
    assert_aborts(misuse_bad_tag);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tags),
        cmocka_unit_test(test_framing_vectors),
        cmocka_unit_test(test_streaming_equals_field),
        cmocka_unit_test(test_typed_fields),
        cmocka_unit_test(test_final_wipes_state),
        cmocka_unit_test(test_prg_vectors),
        cmocka_unit_test(test_midstate_copy),
        cmocka_unit_test(test_framing_separates),
        cmocka_unit_test(test_hash_to_curve_vectors),
        cmocka_unit_test(test_commit),
        cmocka_unit_test(test_misuse_aborts),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
