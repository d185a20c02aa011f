/* BIP32 public derivation against the official test vectors (bip32_vectors.h, generated from
 * shared/vectors/bitcoin/bip32.json), the tweak identity tau*G + parent == child, the invalid
 * extended keys of test vector 5, the invalid-child cases and the argument checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bip32_internal.h"
#include "bip32_vectors.h"
#include "test_rng.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const unsigned char n_be[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41
};

typedef struct {
    test_rng rng;
    mpc_context *ctx;
    int illegal;
} fixture;

static void count_illegal(const char *message, void *data)
{
    (void)message;
    (*(int *)data)++;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    test_rng_init(&f->rng, 32);
    f->ctx = test_context(&f->rng);
    mpc_context_set_illegal_callback(f->ctx, count_illegal, &f->illegal);
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

static void parse_ok(fixture *f, mpc_bip32_xpub *x, const char *s)
{
    assert_int_equal(mpc_bip32_xpub_parse(f->ctx, x, s, strlen(s)), MPC_OK);
}

static void test_roundtrip(void **state)
{
    fixture *f = *state;
    char out[MPC_BIP32_XPUB_STRING_BYTES];
    mpc_bip32_xpub x;

    for (size_t i = 0; i < ARRAY_LEN(bip32_xpubs); i++) {
        parse_ok(f, &x, bip32_xpubs[i].xpub);
        assert_int_equal(mpc_bip32_xpub_serialize(f->ctx, out, &x), MPC_OK);
        assert_string_equal(out, bip32_xpubs[i].xpub);
    }
}

static void test_official_derivations(void **state)
{
    fixture *f = *state;
    char out[MPC_BIP32_XPUB_STRING_BYTES];
    mpc_bip32_xpub parent, child, expect;
    mpc_point tauG, sum;
    mpc_scalar tau, il;

    assert_true(ARRAY_LEN(bip32_derivations) >= 7);
    for (size_t i = 0; i < ARRAY_LEN(bip32_derivations); i++) {
        const bip32_derivation *d = &bip32_derivations[i];

        parse_ok(f, &parent, d->parent);
        parse_ok(f, &expect, d->child);
        assert_int_equal(mpc_bip32_derive_path(f->ctx, &child, &tau, &parent, d->path, d->path_len),
                MPC_OK);
        assert_int_equal(mpc_bip32_xpub_serialize(f->ctx, out, &child), MPC_OK);
        assert_string_equal(out, d->child);
        assert_true(mpc_point_eq(f->ctx, &child.pk, &expect.pk));
        assert_memory_equal(child.chain_code, expect.chain_code, 32);

        /* tau*G + parent == child: what the signers rely on. */
        mpc_point_base_mul(f->ctx, &tauG, &tau);
        mpc_point_add_var(f->ctx, &sum, &parent.pk, &tauG);
        assert_true(mpc_point_eq(f->ctx, &sum, &child.pk));

        if (d->path_len == 1) {
            assert_int_equal(mpc_bip32_derive_child(f->ctx, &child, &il, &parent, d->path[0]),
                    MPC_OK);
            assert_true(mpc_scalar_eq(&il, &tau));
            assert_true(mpc_point_eq(f->ctx, &child.pk, &expect.pk));
        }
    }
    /* An empty path returns the parent and tau = 0. */
    parse_ok(f, &parent, bip32_derivations[0].parent);
    assert_int_equal(mpc_bip32_derive_path(f->ctx, &child, &tau, &parent, NULL, 0), MPC_OK);
    assert_true(mpc_scalar_is_zero(&tau));
    assert_int_equal(mpc_bip32_xpub_serialize(f->ctx, out, &child), MPC_OK);
    assert_string_equal(out, bip32_derivations[0].parent);
    assert_int_equal(f->illegal, 0);
}

static void expect_invalid(fixture *f, const char *s, size_t len)
{
    mpc_bip32_xpub x;

    assert_int_equal(mpc_bip32_xpub_parse(f->ctx, &x, s, len), MPC_E_ENCODING);
    assert_true(mpc_point_is_infinity(&x.pk));
}

static void test_invalid_keys(void **state)
{
    fixture *f = *state;
    const char *good = bip32_xpubs[0].xpub;
    char buf[200];
    size_t len = strlen(good);

    for (size_t i = 0; i < ARRAY_LEN(bip32_invalid_keys); i++)
        expect_invalid(f, bip32_invalid_keys[i].key, strlen(bip32_invalid_keys[i].key));

    /* Checksum: any changed character; characters outside the alphabet; wrong lengths. */
    for (size_t i = 4; i < len; i += 9) {
        memcpy(buf, good, len);
        buf[i] = buf[i] == 'z' ? 'y' : 'z';
        expect_invalid(f, buf, len);
    }
    for (size_t k = 0; k < 5; k++) {
        memcpy(buf, good, len);
        buf[20] = "0OIl+"[k];
        expect_invalid(f, buf, len);
    }
    memcpy(buf, good, len);
    buf[50] = '\0';
    expect_invalid(f, buf, len);
    expect_invalid(f, good, len - 1);
    expect_invalid(f, good, 0);
    memcpy(buf, good, len);
    buf[len] = '1';
    expect_invalid(f, buf, len + 1);
    buf[0] = '1';
    memcpy(buf + 1, good, len);
    expect_invalid(f, buf, len + 1);
    memset(buf, 'z', sizeof(buf));
    expect_invalid(f, buf, sizeof(buf));
    memset(buf, '1', sizeof(buf));
    expect_invalid(f, buf, sizeof(buf));
}

static void test_invalid_child(void **state)
{
    fixture *f = *state;
    unsigned char il[32];
    mpc_point parent, child, five_g;
    mpc_scalar five, tweak;

    mpc_scalar_set_u32(&five, 5);
    mpc_point_base_mul(f->ctx, &five_g, &five);

    /* IL >= n: n, n + 1, 2^256 - 1. */
    memcpy(il, n_be, 32);
    assert_int_equal(mpc__bip32_apply_il(f->ctx, &child, &tweak, &five_g, il),
            MPC_E_BIP32_INVALID_CHILD);
    assert_true(mpc_point_is_infinity(&child));
    il[31]++;
    assert_int_equal(mpc__bip32_apply_il(f->ctx, &child, &tweak, &five_g, il),
            MPC_E_BIP32_INVALID_CHILD);
    memset(il, 0xff, 32);
    assert_int_equal(mpc__bip32_apply_il(f->ctx, &child, &tweak, &five_g, il),
            MPC_E_BIP32_INVALID_CHILD);

    /* IL = n - 1 is valid: 5G + (n-1)G = 4G. */
    memcpy(il, n_be, 32);
    il[31]--;
    assert_int_equal(mpc__bip32_apply_il(f->ctx, &child, &tweak, &five_g, il), MPC_OK);
    {
        mpc_scalar four;
        mpc_point four_g;

        mpc_scalar_set_u32(&four, 4);
        mpc_point_base_mul(f->ctx, &four_g, &four);
        assert_true(mpc_point_eq(f->ctx, &child, &four_g));
    }

    /* Child at infinity: parent = -5G, IL = 5. */
    mpc_point_neg_var(f->ctx, &parent, &five_g);
    memset(il, 0, 32);
    il[31] = 5;
    assert_int_equal(mpc__bip32_apply_il(f->ctx, &child, &tweak, &parent, il),
            MPC_E_BIP32_INVALID_CHILD);
    assert_true(mpc_point_is_infinity(&child));
    assert_true(mpc_scalar_is_zero(&tweak));
}

static void test_illegal(void **state)
{
    fixture *f = *state;
    char out[MPC_BIP32_XPUB_STRING_BYTES];
    mpc_bip32_xpub parent, child;
    uint32_t path[MPC_BIP32_MAX_DEPTH + 1];
    mpc_scalar tau;

    parse_ok(f, &parent, bip32_derivations[0].parent);
    assert_int_equal(mpc_bip32_derive_child(f->ctx, &child, &tau, &parent, MPC_BIP32_HARDENED),
            MPC_E_ILLEGAL);
    assert_int_equal(f->illegal, 1);
    assert_true(mpc_point_is_infinity(&child.pk));

    path[0] = 1;
    path[1] = MPC_BIP32_HARDENED | 7;
    assert_int_equal(mpc_bip32_derive_path(f->ctx, &child, &tau, &parent, path, 2), MPC_E_ILLEGAL);
    assert_int_equal(f->illegal, 2);
    assert_true(mpc_scalar_is_zero(&tau));

    memset(path, 0, sizeof(path));
    assert_int_equal(mpc_bip32_derive_path(f->ctx, &child, &tau, &parent, path,
                MPC_BIP32_MAX_DEPTH + 1), MPC_E_ILLEGAL);
    assert_int_equal(f->illegal, 3);
    assert_int_equal(mpc_bip32_derive_path(f->ctx, &child, &tau, &parent, NULL, 1), MPC_E_ILLEGAL);
    assert_int_equal(f->illegal, 4);

    parent.depth = MPC_BIP32_MAX_DEPTH;
    assert_int_equal(mpc_bip32_derive_child(f->ctx, &child, &tau, &parent, 0), MPC_E_ILLEGAL);
    assert_int_equal(f->illegal, 5);

    parent.depth = 1;
    mpc_point_set_infinity(&parent.pk);
    assert_int_equal(mpc_bip32_derive_child(f->ctx, &child, &tau, &parent, 0), MPC_E_ILLEGAL);
    assert_int_equal(f->illegal, 6);
    assert_int_equal(mpc_bip32_xpub_serialize(f->ctx, out, &parent), MPC_E_ENCODING);
    assert_int_equal(out[0], '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_official_derivations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_child, setup, teardown),
        cmocka_unit_test_setup_teardown(test_illegal, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
