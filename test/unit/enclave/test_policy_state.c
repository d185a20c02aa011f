/* The enclave's policy (enclave/state.c): what INIT may install and every rule that refuses it.
 * The sealed round trip, LOAD of swapped blobs and signing under the policy are exercised with the
 * real enclave process in test_enclave_process.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "state.h"

static char approvers[256];
static const unsigned char ms_a[20] = {0x40, 0x40}, ms_b[20] = {0x10};

static int setup(void **state) {
    unsigned char pk[32], sk[64];
    char hex[65];
    size_t i, o = 0;

    (void)state;
    if (sodium_init() < 0)
        return -1;
    for (i = 0; i < 3; i++) {
        crypto_sign_keypair(pk, sk);
        sodium_bin2hex(hex, sizeof(hex), pk, 32);
        o += (size_t)snprintf(approvers + o, sizeof(approvers) - o, "approver op%zu %s\n", i, hex);
    }
    snprintf(approvers + o, sizeof(approvers) - o, "quorum 2\n");
    return 0;
}

static const char registry[] = "1 0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48 USDC 6\n";

static void good_input(enc_policy_input *in, const unsigned char (*ms)[20]) {
    memset(in, 0, sizeof(*in));
    in->approvers = approvers;
    in->approvers_len = strlen(approvers);
    in->chain_id = 1;
    in->registry = registry;
    in->registry_len = strlen(registry);
    in->multisend = ms;
    in->n_multisend = 2;
    in->btc_network = 1;
}

/* Install in (into a fresh state) and expect code; on refusal the reason contains why_part. */
static void expect(const enc_policy_input *in, int code, const char *why_part) {
    enc_state *st = NULL;
    char why[256];

    assert_int_equal(enc_state_create(&st), ENC_OK);
    assert_int_equal(enc_state_policy_set(st, why, sizeof(why), in), code);
    if (code != ENC_OK) {
        assert_null(enc_state_policy(st));
        assert_non_null(strstr(why, why_part));
    }
    enc_state_destroy(st);
}

static void test_policy_valid(void **state) {
    unsigned char ms[2][20];
    enc_policy_input in;
    const enc_policy *p;
    enc_state *st = NULL;
    char why[256];

    (void)state;
    memcpy(ms[0], ms_a, 20);
    memcpy(ms[1], ms_b, 20);
    good_input(&in, (const unsigned char(*)[20])ms);
    assert_int_equal(enc_state_create(&st), ENC_OK);
    assert_null(enc_state_policy(st));
    assert_int_equal(enc_state_policy_set(st, why, sizeof(why), &in), ENC_OK);
    assert_non_null(p = enc_state_policy(st));
    assert_int_equal(p->chain_id, 1);
    assert_string_equal(p->native_symbol, "ETH");
    assert_int_equal(p->btc_network, PAYLOAD_BTC_NET_MAIN);
    assert_int_equal(p->approvers.count, 3);
    assert_int_equal(p->approvers.quorum, 2);
    assert_int_equal(p->approvers.max_lifetime, POLICY_LIFETIME_DEFAULT);
    assert_int_equal(p->registry.n_assets, 1);
    assert_string_equal(p->registry.assets[0].symbol, "USDC");
    /* The allowlist is held sorted and bound to the policy's chain. */
    assert_int_equal(p->n_multisend, 2);
    assert_memory_equal(p->multisend[0].address, ms_b, 20);
    assert_memory_equal(p->multisend[1].address, ms_a, 20);
    assert_int_equal(p->multisend[1].chain_id, 1);
    /* Never replaced. */
    assert_int_equal(enc_state_policy_set(st, why, sizeof(why), &in), ENC_STATE_E_DUPLICATE);
    enc_state_destroy(st);
}

static void test_policy_refused(void **state) {
    unsigned char ms[2][20], dup[2][20];
    char big_symbol[] = "ABCDEFGHIJKLMNOP";
    enc_policy_input in;
    char *big;

    (void)state;
    memcpy(ms[0], ms_a, 20);
    memcpy(ms[1], ms_b, 20);
    memcpy(dup[0], ms_a, 20);
    memcpy(dup[1], ms_a, 20);
    good_input(&in, (const unsigned char(*)[20])ms);
    in.chain_id = 0;
    expect(&in, ENC_STATE_E_POLICY, "chain id");
    in.chain_id = ENC_POLICY_MAX_CHAIN_ID + 1;
    expect(&in, ENC_STATE_E_POLICY, "chain id");
    good_input(&in, (const unsigned char(*)[20])ms);
    in.btc_network = 0;
    expect(&in, ENC_STATE_E_POLICY, "Bitcoin network");
    in.btc_network = 5;
    expect(&in, ENC_STATE_E_POLICY, "Bitcoin network");
    good_input(&in, (const unsigned char(*)[20])dup);
    expect(&in, ENC_STATE_E_POLICY, "listed twice");
    good_input(&in, (const unsigned char(*)[20])ms);
    in.n_multisend = ENC_POLICY_MAX_MULTISEND + 1;
    expect(&in, ENC_STATE_E_POLICY, "limit");
    good_input(&in, (const unsigned char(*)[20])ms);
    in.native_symbol = "E TH";
    in.native_symbol_len = 4;
    expect(&in, ENC_STATE_E_POLICY, "native symbol");
    in.native_symbol = big_symbol;
    in.native_symbol_len = strlen(big_symbol);
    expect(&in, ENC_STATE_E_POLICY, "limit");
    good_input(&in, (const unsigned char(*)[20])ms);
    in.approvers = "quorum 1\n";
    in.approvers_len = strlen(in.approvers);
    expect(&in, ENC_STATE_E_POLICY, "approvers file");
    in.approvers_len = 0;
    expect(&in, ENC_STATE_E_POLICY, "approvers file");
    good_input(&in, (const unsigned char(*)[20])ms);
    in.registry = "1 0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48 USDC\n";
    in.registry_len = strlen(in.registry);
    expect(&in, ENC_STATE_E_POLICY, "asset registry");
    good_input(&in, (const unsigned char(*)[20])ms);
    assert_non_null(big = malloc(ENC_POLICY_MAX_TEXT + 1));
    memset(big, '#', ENC_POLICY_MAX_TEXT + 1);
    in.registry = big;
    in.registry_len = ENC_POLICY_MAX_TEXT + 1;
    expect(&in, ENC_STATE_E_POLICY, "limit");
    free(big);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_valid),
        cmocka_unit_test(test_policy_refused),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
