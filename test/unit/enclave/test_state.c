/* The enclave's instance-id set (PROTOCOL.md 1.3) in enclave/state.c: single use, bounded (refuse
 * when full, never forget), sealed and loaded back, and the strict parser of its plaintext. The
 * expected plaintexts are built here from the layout documented in state.h, not by the code under
 * test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include <mpc/protocol.h>

#include "enc_error.h"
#include "seal/seal.h"
#include "state.h"

typedef struct {
    mpc_context *mpc;
    enc_seal_backend *b;
    enc_state *st;
} fixture;

static int setup(void **state) {
    static const unsigned char key[32] = {7};
    fixture *f = calloc(1, sizeof(*f));

    if (f == NULL || sodium_init() < 0 || (f->mpc = mpc_context_create()) == NULL ||
            enc_seal_keyfile_create(&f->b, key) != ENC_OK || enc_state_create(&f->st) != ENC_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;

    enc_state_destroy(f->st);
    enc_seal_backend_destroy(f->b);
    mpc_context_destroy(f->mpc);
    free(f);
    return 0;
}

static void id_of(unsigned char out[32], uint32_t v) {
    memset(out, 0, 32);
    out[28] = (unsigned char)(v >> 24);
    out[29] = (unsigned char)(v >> 16);
    out[30] = (unsigned char)(v >> 8);
    out[31] = (unsigned char)v;
}

/* "MPIN" | be32 version | be32 count | ids (count given separately so tests can lie about it). */
static unsigned char *plaintext(size_t *len, uint32_t version, uint32_t count, const unsigned char *ids,
        size_t nids) {
    unsigned char *p = malloc(12 + 32 * nids + 1);

    assert_non_null(p);
    memcpy(p, "MPIN", 4);
    p[4] = (unsigned char)(version >> 24);
    p[5] = (unsigned char)(version >> 16);
    p[6] = (unsigned char)(version >> 8);
    p[7] = (unsigned char)version;
    p[8] = (unsigned char)(count >> 24);
    p[9] = (unsigned char)(count >> 16);
    p[10] = (unsigned char)(count >> 8);
    p[11] = (unsigned char)count;
    if (nids > 0)
        memcpy(p + 12, ids, 32 * nids);
    *len = 12 + 32 * nids;
    return p;
}

/* Seal plain as kind and load it into a fresh state; returns enc_state_load's result. */
static int load_fresh(fixture *f, enc_state **out, uint16_t kind, const unsigned char *plain, size_t len) {
    unsigned char *blob = NULL;
    size_t blob_len = 0;
    int r;

    assert_int_equal(enc_state_create(out), ENC_OK);
    assert_int_equal(enc_seal(f->b, &blob, &blob_len, kind, NULL, plain, len), ENC_OK);
    r = enc_state_load(*out, f->mpc, f->b, ENC_SEAL_KIND_COUNTERS, NULL, blob, blob_len);
    free(blob);
    return r;
}

static void test_absent_set_refuses(void **state) {
    fixture *f = *state;
    unsigned char a[32], *blob = NULL;
    size_t blob_len = 0;

    id_of(a, 1);
    assert_int_equal(enc_state_inst_used(f->st, a), ENC_STATE_E_NO_INST_SET);
    assert_int_equal(enc_state_inst_add(f->st, a), ENC_STATE_E_NO_INST_SET);
    assert_int_equal(enc_state_seal_insts(f->st, f->b, &blob, &blob_len), ENC_STATE_E_NO_INST_SET);
    assert_null(blob);
}

/* Added ids are refused as duplicates, sealed in the documented layout (sorted), and survive a
 * seal/load round trip; a second blob of the kind is refused. */
static void test_single_use_round_trip(void **state) {
    fixture *f = *state;
    unsigned char a[32], b[32], c[32], ids[64], *blob = NULL, *plain = NULL, *expect;
    size_t blob_len = 0, plain_len = 0, expect_len = 0;
    enc_state *st2 = NULL;

    id_of(a, 9);
    id_of(b, 2);
    id_of(c, 5);
    enc_state_insts_create(f->st);
    assert_int_equal(enc_state_inst_used(f->st, a), 0);
    assert_int_equal(enc_state_inst_add(f->st, a), ENC_OK);
    assert_int_equal(enc_state_inst_add(f->st, b), ENC_OK);
    assert_int_equal(enc_state_inst_add(f->st, a), ENC_STATE_E_DUPLICATE);
    assert_int_equal(enc_state_inst_used(f->st, a), 1);
    assert_int_equal(enc_state_inst_used(f->st, c), 0);
    /* Creating the set again must not forget anything. */
    enc_state_insts_create(f->st);
    assert_int_equal(enc_state_inst_used(f->st, b), 1);

    assert_int_equal(enc_state_seal_insts(f->st, f->b, &blob, &blob_len), ENC_OK);
    assert_int_equal(enc_unseal(f->b, &plain, &plain_len, blob, blob_len, ENC_SEAL_KIND_COUNTERS, NULL), ENC_OK);
    memcpy(ids, b, 32);
    memcpy(ids + 32, a, 32);
    expect = plaintext(&expect_len, 1, 2, ids, 2);
    assert_int_equal(plain_len, expect_len);
    assert_memory_equal(plain, expect, expect_len);
    enc_seal_plain_free(plain);
    free(expect);

    assert_int_equal(enc_state_create(&st2), ENC_OK);
    assert_int_equal(enc_state_load(st2, f->mpc, f->b, ENC_SEAL_KIND_COUNTERS, NULL, blob, blob_len), ENC_OK);
    assert_int_equal(enc_state_inst_used(st2, a), 1);
    assert_int_equal(enc_state_inst_used(st2, b), 1);
    assert_int_equal(enc_state_inst_used(st2, c), 0);
    assert_int_equal(enc_state_load(st2, f->mpc, f->b, ENC_SEAL_KIND_COUNTERS, NULL, blob, blob_len),
            ENC_STATE_E_DUPLICATE);
    /* The same bytes are no ban list: the kind is authenticated. */
    assert_int_not_equal(enc_state_load(st2, f->mpc, f->b, ENC_SEAL_KIND_BAN_LIST, NULL, blob, blob_len), ENC_OK);
    enc_state_destroy(st2);
    free(blob);
}

/* Strict parsing: each malformed plaintext is refused as ENC_STATE_E_FORMAT. */
static void test_parser_rejections(void **state) {
    fixture *f = *state;
    unsigned char ids[3 * 32], *p, *big;
    size_t len, i;
    enc_state *st2 = NULL;

    id_of(ids, 1);
    id_of(ids + 32, 2);
    id_of(ids + 64, 3);

    p = plaintext(&len, 1, 3, ids, 3);
    assert_int_equal(load_fresh(f, &st2, ENC_SEAL_KIND_COUNTERS, p, len), ENC_OK);
    enc_state_destroy(st2);
    free(p);

    /* Count says 3, two ids present (short); count says 2, three present (trailing bytes). */
    p = plaintext(&len, 1, 3, ids, 2);
    assert_int_equal(load_fresh(f, &st2, ENC_SEAL_KIND_COUNTERS, p, len), ENC_STATE_E_FORMAT);
    enc_state_destroy(st2);
    free(p);
    p = plaintext(&len, 1, 2, ids, 3);
    assert_int_equal(load_fresh(f, &st2, ENC_SEAL_KIND_COUNTERS, p, len), ENC_STATE_E_FORMAT);
    enc_state_destroy(st2);
    free(p);

    /* Wrong version, wrong magic, header cut short. */
    p = plaintext(&len, 2, 3, ids, 3);
    assert_int_equal(load_fresh(f, &st2, ENC_SEAL_KIND_COUNTERS, p, len), ENC_STATE_E_FORMAT);
    enc_state_destroy(st2);
    p[3] = 'X';
    p[7] = 1;
    assert_int_equal(load_fresh(f, &st2, ENC_SEAL_KIND_COUNTERS, p, len), ENC_STATE_E_FORMAT);
    enc_state_destroy(st2);
    p[3] = 'N';
    assert_int_equal(load_fresh(f, &st2, ENC_SEAL_KIND_COUNTERS, p, 11), ENC_STATE_E_FORMAT);
    enc_state_destroy(st2);
    free(p);

    /* Not sorted; duplicate. */
    memcpy(ids, ids + 64, 32);
    p = plaintext(&len, 1, 3, ids, 3);
    assert_int_equal(load_fresh(f, &st2, ENC_SEAL_KIND_COUNTERS, p, len), ENC_STATE_E_FORMAT);
    enc_state_destroy(st2);
    free(p);
    id_of(ids, 1);
    memcpy(ids + 64, ids + 32, 32);
    p = plaintext(&len, 1, 3, ids, 3);
    assert_int_equal(load_fresh(f, &st2, ENC_SEAL_KIND_COUNTERS, p, len), ENC_STATE_E_FORMAT);
    enc_state_destroy(st2);
    free(p);

    /* One id more than the limit, correctly sorted and sized. */
    big = malloc(32u * (ENC_STATE_MAX_INSTS + 1));
    assert_non_null(big);
    for (i = 0; i < ENC_STATE_MAX_INSTS + 1; i++)
        id_of(big + 32 * i, (uint32_t)i);
    p = plaintext(&len, 1, ENC_STATE_MAX_INSTS + 1, big, ENC_STATE_MAX_INSTS + 1);
    assert_int_equal(load_fresh(f, &st2, ENC_SEAL_KIND_COUNTERS, p, len), ENC_STATE_E_FORMAT);
    enc_state_destroy(st2);
    free(p);
    free(big);
}

/* At the limit the set refuses new ids and keeps every old one. */
static void test_full_refuses(void **state) {
    fixture *f = *state;
    unsigned char id[32];
    uint32_t i;

    enc_state_insts_create(f->st);
    for (i = 0; i < ENC_STATE_MAX_INSTS; i++) {
        id_of(id, i);
        assert_int_equal(enc_state_inst_add(f->st, id), ENC_OK);
    }
    id_of(id, ENC_STATE_MAX_INSTS);
    assert_int_equal(enc_state_inst_add(f->st, id), ENC_STATE_E_FULL);
    assert_int_equal(enc_state_inst_used(f->st, id), 0);
    for (i = 0; i < ENC_STATE_MAX_INSTS; i++) {
        id_of(id, i);
        assert_int_equal(enc_state_inst_used(f->st, id), 1);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_absent_set_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_single_use_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_rejections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_refuses, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
