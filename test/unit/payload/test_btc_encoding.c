/* Base58/Base58Check, Bech32/Bech32m/segwit and address <-> scriptPubKey against the official
 * vectors: Bitcoin Core base58_encode_decode.json, key_io_valid.json, key_io_invalid.json and the
 * BIP173/BIP350 test vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "payload/base58.h"
#include "payload/bech32.h"
#include "payload/btc_addr.h"
#include "vec.h"

static size_t count_of(const vec_file *f, size_t arr)
{
    assert_int_equal(f->js.toks[arr].type, PAYLOAD_JSON_ARRAY);
    return f->js.toks[arr].count;
}

static void test_base58_vectors(void **state)
{
    vec_file f;
    size_t n, checked = 0;

    (void)state;
    vec_load(&f, "bitcoin/core/base58_encode_decode.json");
    n = count_of(&f, 0);
    for (size_t i = 0; i < n; i++) {
        size_t row = payload_json_at(&f.js, 0, i), bin_len, str_len, out_len;
        uint8_t *bin = vec_hex(&f, payload_json_at(&f.js, row, 0), &bin_len);
        char *str = vec_str(&f, payload_json_at(&f.js, row, 1), &str_len);
        char enc[PAYLOAD_BTC_BASE58_MAX_CHARS + 1];
        uint8_t dec[PAYLOAD_BTC_BASE58_MAX_BYTES];
        payload_err err;

        assert_int_equal(payload_btc_base58_encode(&err, enc, sizeof enc, &out_len, bin, bin_len), PAYLOAD_OK);
        assert_string_equal(enc, str);
        assert_int_equal(out_len, str_len);
        assert_int_equal(payload_btc_base58_decode(&err, dec, sizeof dec, &out_len, str, str_len), PAYLOAD_OK);
        assert_int_equal(out_len, bin_len);
        assert_memory_equal(dec, bin, bin_len);
        free(bin);
        free(str);
        checked++;
    }
    assert_int_equal(checked, 21);
    print_message("base58_encode_decode.json: %zu/%zu encode+decode\n", checked, n);
    vec_free(&f);
}

static void test_base58_rejects(void **state)
{
    uint8_t out[PAYLOAD_BTC_BASE58_MAX_BYTES];
    char big[PAYLOAD_BTC_BASE58_MAX_CHARS + 2];
    size_t n;
    payload_err err;

    (void)state;
    /* Characters outside the alphabet (0, O, I, l), whitespace and NUL are refused. */
    assert_int_equal(payload_btc_base58_decode(&err, out, sizeof out, &n, "3J98t1WpEZ73C0mQ", 16), PAYLOAD_E_ENCODING);
    assert_int_equal(payload_btc_base58_decode(&err, out, sizeof out, &n, "3J98t1WpEZ73COmQ", 16), PAYLOAD_E_ENCODING);
    assert_int_equal(payload_btc_base58_decode(&err, out, sizeof out, &n, " 3J98", 5), PAYLOAD_E_ENCODING);
    assert_int_equal(payload_btc_base58_decode(&err, out, sizeof out, &n, "3J9\0008", 5), PAYLOAD_E_ENCODING);
    assert_non_null(strstr(err.msg, "invalid character"));
    memset(big, 'z', sizeof big);
    assert_int_equal(payload_btc_base58_decode(&err, out, sizeof out, &n, big, sizeof big), PAYLOAD_E_LIMIT);
    assert_int_equal(
            payload_btc_base58_decode(&err, out, sizeof out, &n, big, PAYLOAD_BTC_BASE58_MAX_CHARS), PAYLOAD_E_LIMIT);
    assert_int_equal(payload_btc_base58_decode(&err, out, 2, &n, "zzz", 3), PAYLOAD_E_OUTPUT);
    /* A valid address with one character changed fails the checksum. */
    assert_int_equal(
            payload_btc_base58check_decode(&err, out, sizeof out, &n, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", 34),
            PAYLOAD_OK);
    assert_int_equal(
            payload_btc_base58check_decode(&err, out, sizeof out, &n, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz", 34),
            PAYLOAD_E_CHECKSUM);
    assert_int_equal(payload_btc_base58check_decode(&err, out, sizeof out, &n, "111", 3), PAYLOAD_E_ENCODING);
}

static payload_btc_network network_of(const char *chain)
{
    if (strcmp(chain, "main") == 0) {
        return PAYLOAD_BTC_NET_MAIN;
    }
    if (strcmp(chain, "testnet") == 0 || strcmp(chain, "testnet4") == 0) {
        return PAYLOAD_BTC_NET_TESTNET;
    }
    if (strcmp(chain, "signet") == 0) {
        return PAYLOAD_BTC_NET_SIGNET;
    }
    if (strcmp(chain, "regtest") == 0) {
        return PAYLOAD_BTC_NET_REGTEST;
    }
    fail_msg("unknown chain '%s'", chain);
    return PAYLOAD_BTC_NET_MAIN;
}

static int encoding_group(payload_btc_network net, int base58)
{
    if (net == PAYLOAD_BTC_NET_MAIN) {
        return 0;
    }
    return (base58 || net != PAYLOAD_BTC_NET_REGTEST) ? 1 : 2;
}

static void swap_case(char *s)
{
    for (; *s != '\0'; s++) {
        if (*s >= 'a' && *s <= 'z') {
            *s = (char)(*s - 'a' + 'A');
        } else if (*s >= 'A' && *s <= 'Z') {
            *s = (char)(*s - 'A' + 'a');
        }
    }
}

static void test_key_io_valid(void **state)
{
    static const payload_btc_network nets[] = { PAYLOAD_BTC_NET_MAIN, PAYLOAD_BTC_NET_TESTNET, PAYLOAD_BTC_NET_SIGNET,
        PAYLOAD_BTC_NET_REGTEST };
    vec_file f;
    size_t n, addresses = 0, privkeys = 0, flips = 0;

    (void)state;
    vec_load(&f, "bitcoin/core/key_io_valid.json");
    n = count_of(&f, 0);
    for (size_t i = 0; i < n; i++) {
        size_t row = payload_json_at(&f.js, 0, i), meta = payload_json_at(&f.js, row, 2), len, spk_len, script_len;
        size_t flip_tok = payload_json_get(&f.js, meta, "tryCaseFlip");
        char *addr, *chain, enc[PAYLOAD_BTC_ADDR_MAX_LEN + 1];
        uint8_t *spk, script[PAYLOAD_BTC_ADDR_MAX_SCRIPT];
        payload_btc_addr_type type, type2;
        payload_btc_network net;
        payload_err err;

        if (f.js.toks[vec_get(&f, meta, "isPrivkey")].type == PAYLOAD_JSON_TRUE) {
            privkeys++;
            continue;
        }
        addr = vec_str(&f, payload_json_at(&f.js, row, 0), &len);
        spk = vec_hex(&f, payload_json_at(&f.js, row, 1), &spk_len);
        chain = vec_str(&f, vec_get(&f, meta, "chain"), NULL);
        net = network_of(chain);
        if (payload_btc_address_decode(&err, script, &script_len, &type, net, addr, len) != PAYLOAD_OK) {
            fail_msg("%s (%s): %s", addr, chain, err.msg);
        }
        assert_int_equal(script_len, spk_len);
        assert_memory_equal(script, spk, spk_len);
        assert_int_equal(payload_btc_address_encode(&err, enc, sizeof enc, &type2, net, spk, spk_len), PAYLOAD_OK);
        assert_string_equal(enc, addr);
        assert_int_equal(type, type2);
        /* Core's address types: only the witness forms with no defined meaning are "unknown". */
        if (spk_len == 34 && spk[0] == 0x51) {
            assert_int_equal(type, PAYLOAD_BTC_ADDR_P2TR);
        }
        if (flip_tok != 0 && f.js.toks[flip_tok].type == PAYLOAD_JSON_TRUE) {
            swap_case(addr);
            assert_int_equal(payload_btc_address_decode(&err, script, &script_len, &type, net, addr, len), PAYLOAD_OK);
            assert_memory_equal(script, spk, spk_len);
            flips++;
        }
        /* Refused on every network that encodes differently (Base58 versions: main vs the rest;
         * HRPs: bc, tb (testnet and signet), bcrt). */
        for (size_t k = 0; k < sizeof nets / sizeof nets[0]; k++) {
            int base58 = spk[0] == 0x76 || spk[0] == 0xa9;
            if (encoding_group(nets[k], base58) != encoding_group(net, base58)) {
                assert_int_not_equal(payload_btc_address_decode(&err, script, &script_len, &type, nets[k], addr, len),
                        PAYLOAD_OK);
            }
        }
        free(addr);
        free(spk);
        free(chain);
        addresses++;
    }
    assert_int_equal(addresses + privkeys, n);
    assert_true(addresses >= 50);
    print_message("key_io_valid.json: %zu addresses decoded+encoded (%zu case-flipped), %zu WIF entries skipped\n",
            addresses, flips, privkeys);
    vec_free(&f);
}

static void test_key_io_invalid(void **state)
{
    static const payload_btc_network nets[] = { PAYLOAD_BTC_NET_MAIN, PAYLOAD_BTC_NET_TESTNET, PAYLOAD_BTC_NET_SIGNET,
        PAYLOAD_BTC_NET_REGTEST };
    vec_file f;
    size_t n;

    (void)state;
    vec_load(&f, "bitcoin/core/key_io_invalid.json");
    n = count_of(&f, 0);
    for (size_t i = 0; i < n; i++) {
        size_t row = payload_json_at(&f.js, 0, i), len, script_len;
        char *addr = vec_str(&f, payload_json_at(&f.js, row, 0), &len);
        uint8_t script[PAYLOAD_BTC_ADDR_MAX_SCRIPT];
        payload_btc_addr_type type;
        payload_err err;

        for (size_t k = 0; k < sizeof nets / sizeof nets[0]; k++) {
            if (payload_btc_address_decode(&err, script, &script_len, &type, nets[k], addr, len) == PAYLOAD_OK) {
                fail_msg("invalid address '%s' accepted on network %zu", addr, k);
            }
            assert_true(err.msg[0] != '\0');
        }
        free(addr);
    }
    assert_int_equal(n, 70);
    print_message("key_io_invalid.json: %zu strings rejected on all 4 networks\n", n);
    vec_free(&f);
}

/* bech32 strings: valid ones decode with the right variant and re-encode to the lower-case form. */
static size_t check_bech32_strings(const vec_file *f, size_t arr, int valid, payload_btc_bech32_variant want)
{
    size_t n = count_of(f, arr);

    for (size_t i = 0; i < n; i++) {
        size_t e = payload_json_at(&f->js, arr, i), len, data_len;
        uint8_t *bytes = vec_hex(f, vec_get(f, e, "bytes_hex"), &len);
        char hrp[PAYLOAD_BTC_BECH32_MAX_HRP + 1], enc[PAYLOAD_BTC_BECH32_MAX_LEN + 1];
        uint8_t data[PAYLOAD_BTC_BECH32_MAX_DATA];
        payload_btc_bech32_variant variant;
        payload_err err;
        int ret = payload_btc_bech32_decode(&err, hrp, data, &data_len, &variant, (const char *)bytes, len);

        if (valid) {
            if (ret != PAYLOAD_OK) {
                fail_msg("valid bech32 string %zu rejected: %s", i, err.msg);
            }
            assert_int_equal(variant, want);
            assert_int_equal(
                    payload_btc_bech32_encode(&err, enc, sizeof enc, hrp, data, data_len, variant), PAYLOAD_OK);
            assert_int_equal(strlen(enc), len);
            for (size_t k = 0; k < len; k++) {
                char c = (char)bytes[k];
                assert_int_equal(enc[k], (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
            }
        } else if (ret == PAYLOAD_OK) {
            fail_msg("invalid bech32 string %zu accepted", i);
        }
        free(bytes);
    }
    return n;
}

static void spk_of(uint8_t *spk, size_t *spk_len, unsigned version, const uint8_t *prog, size_t prog_len)
{
    spk[0] = (uint8_t)(version == 0 ? 0 : 0x50 + version);
    spk[1] = (uint8_t)prog_len;
    memcpy(spk + 2, prog, prog_len);
    *spk_len = prog_len + 2;
}

static size_t g_reasons_checked;

/* What our message must mention for each reason the BIPs give for an invalid segwit address. */
static const struct {
    const char *reason_prefix;
    const char *message;
} SEGWIT_REASONS[] = {
    { "Invalid human-readable part", "human-readable part" },
    { "Invalid checksum (Bech32 instead of Bech32m)", "must use Bech32m" },
    { "Invalid checksum (Bech32m instead of Bech32)", "must use Bech32, not Bech32m" },
    { "Invalid checksum", "invalid checksum" },
    { "Invalid character in checksum", "invalid data character" },
    { "Invalid witness version", "witness version" },
    { "Invalid program length", "witness program" },
    { "Mixed case", "mixed upper and lower case" },
    { "zero padding of more than 4 bits", "bits of padding" },
    { "Non-zero padding", "non-zero padding" },
    { "Empty data section", "empty data section" },
};

static void check_segwit_reason(const char *reason, const char *msg, const char *addr)
{
    for (size_t i = 0; i < sizeof SEGWIT_REASONS / sizeof SEGWIT_REASONS[0]; i++) {
        if (strncmp(reason, SEGWIT_REASONS[i].reason_prefix, strlen(SEGWIT_REASONS[i].reason_prefix)) == 0) {
            if (strstr(msg, SEGWIT_REASONS[i].message) == NULL) {
                fail_msg("%s (%s) refused for another reason: %s", addr, reason, msg);
            }
            return;
        }
    }
    fail_msg("no expected message for reason '%s'", reason);
}

/* Segwit addresses: the HRP is taken from the string, as in the BIP reference tests. */
static size_t check_segwit(const vec_file *f, size_t arr, int valid)
{
    static const char *const hrps[] = { "bc", "tb" };
    size_t n = count_of(f, arr);

    for (size_t i = 0; i < n; i++) {
        size_t e = payload_json_at(&f->js, arr, i), len;
        char *addr = vec_str(f, vec_get(f, e, "address"), &len);
        payload_err err;

        if (valid) {
            size_t want_len, prog_len, spk_len;
            uint8_t *want = vec_hex(f, vec_get(f, e, "scriptPubKey"), &want_len);
            uint8_t prog[PAYLOAD_BTC_SEGWIT_MAX_PROGRAM], spk[PAYLOAD_BTC_ADDR_MAX_SCRIPT];
            char hrp[3] = { (char)(addr[0] | 0x20), (char)(addr[1] | 0x20), 0 };
            char enc[PAYLOAD_BTC_BECH32_MAX_LEN + 1];
            unsigned version;

            if (payload_btc_segwit_decode(&err, &version, prog, &prog_len, hrp, addr, len) != PAYLOAD_OK) {
                fail_msg("valid segwit address %s rejected: %s", addr, err.msg);
            }
            spk_of(spk, &spk_len, version, prog, prog_len);
            assert_int_equal(spk_len, want_len);
            assert_memory_equal(spk, want, want_len);
            assert_int_equal(
                    payload_btc_segwit_encode(&err, enc, sizeof enc, hrp, version, prog, prog_len), PAYLOAD_OK);
            assert_int_equal(strlen(enc), len);
            for (size_t k = 0; k < len; k++) {
                assert_int_equal(enc[k], (addr[k] >= 'A' && addr[k] <= 'Z') ? addr[k] - 'A' + 'a' : addr[k]);
            }
            free(want);
        } else {
            size_t reason = payload_json_get(&f->js, e, "reason");
            for (size_t k = 0; k < 2; k++) {
                size_t prog_len;
                uint8_t prog[PAYLOAD_BTC_SEGWIT_MAX_PROGRAM];
                unsigned version;
                if (payload_btc_segwit_decode(&err, &version, prog, &prog_len, hrps[k], addr, len) == PAYLOAD_OK) {
                    fail_msg("invalid segwit address %s accepted for hrp %s", addr, hrps[k]);
                }
                /* Under its own HRP the address must fail for the reason the BIP gives. */
                if (reason != 0 && (addr[0] | 0x20) == hrps[k][0] && (addr[1] | 0x20) == hrps[k][1] && addr[2] == '1') {
                    char *why = vec_str(f, reason, NULL);
                    check_segwit_reason(why, err.msg, addr);
                    free(why);
                    g_reasons_checked++;
                }
            }
        }
        free(addr);
    }
    return n;
}

static void test_bip350_vectors(void **state)
{
    vec_file f;
    size_t b350, b173, a, b, c, d, e, g, h, k, m;

    (void)state;
    vec_load(&f, "bitcoin/bip350_addresses.json");
    b350 = vec_get(&f, 0, "bip350");
    b173 = vec_get(&f, 0, "bip173");
    a = check_bech32_strings(&f, vec_get(&f, b350, "valid_bech32m"), 1, PAYLOAD_BTC_BECH32M);
    b = check_bech32_strings(&f, vec_get(&f, b350, "invalid_bech32m"), 0, PAYLOAD_BTC_BECH32M);
    c = check_bech32_strings(&f, vec_get(&f, b173, "valid_bech32"), 1, PAYLOAD_BTC_BECH32);
    d = check_bech32_strings(&f, vec_get(&f, b173, "invalid_bech32"), 0, PAYLOAD_BTC_BECH32);
    e = check_segwit(&f, vec_get(&f, b350, "valid_segwit_addresses"), 1);
    g = check_segwit(&f, vec_get(&f, b350, "invalid_segwit_addresses"), 0);
    h = check_segwit(&f, vec_get(&f, b173, "valid_segwit_addresses_v0_only"), 1);
    k = check_segwit(&f, vec_get(&f, b173, "invalid_segwit_addresses"), 0);
    m = check_segwit(&f, vec_get(&f, b173, "superseded_by_bip350"), 0);
    assert_int_equal(a + b + c + d + e + g + h + k + m, 7 + 14 + 7 + 12 + 8 + 15 + 3 + 10 + 3);
    assert_int_equal(g_reasons_checked, 15 + 10 - 2); /* the two "tc1" addresses have no valid HRP */
    print_message("bip350_addresses.json: %zu invalid segwit addresses refused for the reason the BIP gives\n",
            g_reasons_checked);
    print_message("bip350_addresses.json: bech32m %zu valid/%zu invalid, bech32 %zu valid/%zu invalid, segwit "
            "BIP350 %zu valid/%zu invalid, BIP173 %zu valid/%zu invalid/%zu superseded rejected\n",
            a, b, c, d, e, g, h, k, m);
    vec_free(&f);
}

static void test_bech32_reasons(void **state)
{
    char hrp[PAYLOAD_BTC_BECH32_MAX_HRP + 1];
    uint8_t data[PAYLOAD_BTC_BECH32_MAX_DATA], prog[PAYLOAD_BTC_SEGWIT_MAX_PROGRAM];
    size_t n;
    unsigned v;
    payload_btc_bech32_variant variant;
    payload_err err;
    const char *s;

    (void)state;
    s = "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq";
    assert_int_equal(payload_btc_segwit_decode(&err, &v, prog, &n, "tb", s, strlen(s)), PAYLOAD_E_ENCODING);
    assert_non_null(strstr(err.msg, "mixed"));
    s = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd";
    assert_int_equal(payload_btc_segwit_decode(&err, &v, prog, &n, "bc", s, strlen(s)), PAYLOAD_E_ENCODING);
    assert_non_null(strstr(err.msg, "Bech32m"));
    s = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5";
    assert_int_equal(payload_btc_segwit_decode(&err, &v, prog, &n, "bc", s, strlen(s)), PAYLOAD_E_CHECKSUM);
    s = "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty";
    assert_int_equal(payload_btc_segwit_decode(&err, &v, prog, &n, "bc", s, strlen(s)), PAYLOAD_E_ENCODING);
    assert_non_null(strstr(err.msg, "human-readable"));
    s = "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du";
    assert_int_equal(payload_btc_segwit_decode(&err, &v, prog, &n, "bc", s, strlen(s)), PAYLOAD_E_ENCODING);
    assert_non_null(strstr(err.msg, "padding"));
    s = "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx";
    assert_int_equal(payload_btc_bech32_decode(&err, hrp, data, &n, &variant, s, strlen(s)), PAYLOAD_E_LIMIT);
    /* Encoding refuses what decoding would refuse. */
    memset(prog, 0, sizeof prog);
    assert_int_equal(payload_btc_segwit_encode(&err, (char *)data, sizeof data, "bc", 0, prog, 21), PAYLOAD_E_ENCODING);
    assert_int_equal(
            payload_btc_segwit_encode(&err, (char *)data, sizeof data, "bc", 17, prog, 32), PAYLOAD_E_ENCODING);
}

static void test_script_classify(void **state)
{
    static const uint8_t op_return[] = { 0x6a, 0x01, 0x00 };
    static const uint8_t p2pk[35] = { 0x21, 0x02 };
    uint8_t v0_bad[23] = { 0x00, 21 };
    payload_btc_addr_type type;
    char out[PAYLOAD_BTC_ADDR_MAX_LEN + 1];
    payload_err err;

    (void)state;
    assert_int_equal(payload_btc_script_classify(&err, &type, op_return, sizeof op_return), PAYLOAD_E_UNSUPPORTED);
    assert_int_equal(payload_btc_address_encode(&err, out, sizeof out, &type, PAYLOAD_BTC_NET_MAIN, p2pk, sizeof p2pk),
            PAYLOAD_E_UNSUPPORTED);
    assert_int_equal(payload_btc_script_classify(&err, &type, v0_bad, sizeof v0_bad), PAYLOAD_E_UNSUPPORTED);
    assert_int_equal(payload_btc_address_encode(&err, out, 10, &type, PAYLOAD_BTC_NET_MAIN,
            (const uint8_t *)"\x00\x14\x75\x1e\x76\xe8\x19\x91\x96\xd4\x54\x94\x1c\x45\xd1\xb3\xa3\x23\xf1\x43\x3b\xd6",
            22), PAYLOAD_E_OUTPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base58_vectors),
        cmocka_unit_test(test_base58_rejects),
        cmocka_unit_test(test_key_io_valid),
        cmocka_unit_test(test_key_io_invalid),
        cmocka_unit_test(test_bip350_vectors),
        cmocka_unit_test(test_bech32_reasons),
        cmocka_unit_test(test_script_classify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
