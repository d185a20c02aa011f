/* Summary, renderings, fingerprint and asset registry (payload/summary.h, payload/fingerprint.h).
 * Expected values come from the official vectors (MPC_VECTORS_DIR) and from
 * test/vectors/payloads/expected.json, written by the independent Python generator next to it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "payload/summary.h"
#include "vec.h"

static payload_summary *g_sum;
static payload_summary_work *g_work;
static char *g_text;
static vec_file g_exp;

static int setup(void **state)
{
    (void)state;
    g_sum = malloc(sizeof *g_sum);
    g_work = malloc(sizeof *g_work);
    g_text = malloc(PAYLOAD_SUMMARY_RENDER_MAX);
    assert_non_null(g_sum);
    assert_non_null(g_work);
    assert_non_null(g_text);
    vec_load_path(&g_exp, PAYLOAD_SUMMARY_VECTORS "/expected.json");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    vec_free(&g_exp);
    free(g_text);
    free(g_work);
    free(g_sum);
    return 0;
}

static uint8_t *slurp(const char *name, size_t *len)
{
    char path[1024];
    FILE *f;
    uint8_t *buf;
    long size;

    snprintf(path, sizeof path, "%s/%s", PAYLOAD_SUMMARY_VECTORS, name);
    f = fopen(path, "rb");
    if (f == NULL) {
        fail_msg("cannot open %s", path);
    }
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    size = ftell(f);
    assert_true(size >= 0);
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
    buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return buf;
}

/* A payload file of expected.json entry `name`: *.hex files hold one line of hex. */
static uint8_t *payload_of(const char *name, size_t *len)
{
    size_t e = vec_get(&g_exp, 0, name);
    char *file = vec_str(&g_exp, vec_get(&g_exp, e, "file"), NULL);
    uint8_t *raw = slurp(file, len);

    if (strstr(file, ".hex") != NULL) {
        uint8_t *bin;

        while (*len > 0 && raw[*len - 1] == '\n') {
            (*len)--;
        }
        raw[*len] = '\0';
        bin = hex_dup((const char *)raw, len);
        free(raw);
        raw = bin;
    }
    free(file);
    return raw;
}

static void expect_hash(const uint8_t got[32], const vec_file *f, size_t tok)
{
    uint8_t want[32];

    vec_hex_n(f, tok, want, 32);
    assert_memory_equal(got, want, 32);
}

static void expect_field(unsigned f, const char *want)
{
    if (strcmp(g_sum->field[f], want) != 0) {
        fail_msg("field %s: got \"%s\", want \"%s\"", payload_summary_field_name(f), g_sum->field[f], want);
    }
}

static int build(payload_err *err, const payload_summary_ctx *ctx, payload_type type, const char *name)
{
    size_t len;
    uint8_t *raw = payload_of(name, &len);
    int r = payload_summary_build(err, g_sum, g_work, ctx, type, raw, len);

    free(raw);
    return r;
}

static void build_ok(const payload_summary_ctx *ctx, payload_type type, const char *name)
{
    payload_err err;

    if (build(&err, ctx, type, name) != PAYLOAD_OK) {
        fail_msg("%s refused: %s", name, err.msg);
    }
    assert_int_equal(g_sum->n_digests, 1);
}

/* The text rendering has `name: value` as one of its lines. */
static void expect_line(const char *text, const char *name, const char *value)
{
    char line[1024];

    snprintf(line, sizeof line, "\n%s: %s\n", name, value);
    if (strstr(text, line) == NULL && !(strncmp(text, line + 1, strlen(line + 1)) == 0)) {
        fail_msg("line \"%s: %s\" missing from:\n%s", name, value, text);
    }
}

/* Render both ways; the JSON must parse with the strict tokenizer and every present field must
 * carry the same value in both renderings. */
static void check_renderings(void)
{
    static payload_json_tok toks[4096];
    payload_json js;
    payload_err err;
    size_t len, jlen;
    char *json;
    char value[PAYLOAD_SUMMARY_VALUE_MAX * 2];

    assert_int_equal(payload_summary_render_json(&err, g_text, PAYLOAD_SUMMARY_RENDER_MAX, &jlen, g_sum), PAYLOAD_OK);
    json = malloc(jlen + 1);
    assert_non_null(json);
    memcpy(json, g_text, jlen + 1);
    if (payload_json_parse(&err, &js, toks, 4096, json, jlen, 8) != PAYLOAD_OK) {
        fail_msg("JSON rendering rejected: %s\n%s", err.msg, json);
    }
    assert_int_equal(payload_summary_render_text(&err, g_text, PAYLOAD_SUMMARY_RENDER_MAX, &len, g_sum), PAYLOAD_OK);
    assert_int_equal(strlen(g_text), len);
    for (unsigned f = 0; f < PAYLOAD_SF_COUNT; f++) {
        size_t tok = payload_json_get(&js, 0, payload_summary_field_name(f));
        size_t vlen;

        if (g_sum->field[f][0] == '\0') {
            assert_int_equal(tok, 0);
            continue;
        }
        assert_int_not_equal(tok, 0);
        assert_int_equal(payload_json_string(&err, value, sizeof value, &vlen, &js, tok), PAYLOAD_OK);
        assert_string_equal(value, g_sum->field[f]);
        expect_line(g_text, payload_summary_field_name(f), g_sum->field[f]);
    }
    {
        size_t fp = payload_json_get(&js, 0, "fingerprint"), vlen;

        assert_int_not_equal(fp, 0);
        assert_int_equal(payload_json_string(&err, value, sizeof value, &vlen, &js, payload_json_get(&js, fp, "hex")),
                         PAYLOAD_OK);
        assert_string_equal(value, g_sum->fingerprint.hex);
        expect_line(g_text, "fingerprint.hex", g_sum->fingerprint.hex);
        expect_line(g_text, "fingerprint.words", g_sum->fingerprint.words);
    }
    /* Rendering into a buffer one byte too small fails cleanly. */
    assert_int_equal(payload_summary_render_json(&err, json, jlen, &len, g_sum), PAYLOAD_E_OUTPUT);
    free(json);
}

static void test_eip155_example(void **state)
{
    payload_summary_ctx ctx = { 0 };
    static const uint32_t path[5] = { 0x8000002c, 0x8000003c, 0x80000000, 0, 0 };
    static const uint8_t own[20] = { 0x9d, 0x8a, 0x62, 0xf6, 0x56, 0xa8, 0xd1, 0x61, 0x5c, 0x12,
                                     0x94, 0xfd, 0x71, 0xe9, 0xcf, 0xb3, 0xe4, 0x85, 0x5a, 0x4f };
    vec_file v;

    (void)state;
    ctx.chain_id = 1;
    ctx.key_id = "hot-eth-1";
    ctx.path = path;
    ctx.path_len = 5;
    ctx.own_address = own;
    build_ok(&ctx, PAYLOAD_TYPE_ETH_TX, "eip155_example");
    vec_load(&v, "ethereum/eips/eip155_example.json");
    expect_hash(g_sum->digests[0].digest, &v, vec_get(&v, 0, "signing_hash"));
    vec_free(&v);
    assert_int_equal(g_sum->op, PAYLOAD_OP_TRANSFER);
    assert_int_equal(g_sum->warnings, 0);
    expect_field(PAYLOAD_SF_PAYLOAD, "eth-tx");
    expect_field(PAYLOAD_SF_CHAIN_ID, "1");
    expect_field(PAYLOAD_SF_KEY, "hot-eth-1");
    expect_field(PAYLOAD_SF_PATH, "m/44'/60'/0'/0/0");
    expect_field(PAYLOAD_SF_OPERATION, "transfer");
    /* The vector's sender (EIP-55 form from the spec). */
    expect_field(PAYLOAD_SF_FROM, "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F");
    expect_field(PAYLOAD_SF_TO, "0x3535353535353535353535353535353535353535");
    expect_field(PAYLOAD_SF_AMOUNT, "1 ETH");
    expect_field(PAYLOAD_SF_FEE, "max 0.00042 ETH"); /* 21000 gas x 20 gwei */
    expect_field(PAYLOAD_SF_NONCE, "9");
    check_renderings();
}

static void test_eip1559_vector(void **state)
{
    payload_summary_ctx ctx = { 0 };
    size_t e = vec_get(&g_exp, 0, "eip1559_ethereumjs0");
    char *to = vec_str(&g_exp, vec_get(&g_exp, e, "to"), NULL);

    (void)state;
    build_ok(&ctx, PAYLOAD_TYPE_ETH_TX, "eip1559_ethereumjs0");
    expect_hash(g_sum->digests[0].digest, &g_exp, vec_get(&g_exp, e, "digest"));
    /* Not configured: the payload's chain id is shown and flagged. The maximum fee (4309329024 wei)
     * is about 100 times the value sent (43203529 wei). */
    assert_int_equal(g_sum->warnings, PAYLOAD_WARN_CHAIN_UNCHECKED | PAYLOAD_WARN_HIGH_FEE);
    expect_field(PAYLOAD_SF_CHAIN_ID, "4");
    expect_field(PAYLOAD_SF_NONCE, "819");
    assert_int_equal(strcasecmp(g_sum->field[PAYLOAD_SF_TO], to), 0);
    expect_field(PAYLOAD_SF_AMOUNT, "0.000000000043203529 ETH");  /* value 43203529 wei */
    expect_field(PAYLOAD_SF_FEE, "max 0.000000004309329024 ETH"); /* 35552 x 121212 wei */
    free(to);
    check_renderings();

    /* The same bytes with another configured chain are refused. */
    {
        payload_err err;

        ctx.chain_id = 1;
        assert_int_equal(build(&err, &ctx, PAYLOAD_TYPE_ETH_TX, "eip1559_ethereumjs0"), PAYLOAD_E_POLICY);
        assert_non_null(strstr(err.msg, "chain id 4"));
        assert_int_equal(g_sum->n_digests, 0);
    }
}

static void test_eip712_mail(void **state)
{
    payload_summary_ctx ctx = { 0 };
    vec_file v;
    size_t ex;

    (void)state;
    ctx.chain_id = 1;
    build_ok(&ctx, PAYLOAD_TYPE_EIP712, "eip712_mail");
    vec_load(&v, "ethereum/eips/eip712_mail.json");
    ex = vec_get(&v, 0, "expected");
    expect_hash(g_sum->digests[0].digest, &v, vec_get(&v, ex, "digest"));
    expect_hash(g_sum->domain_hash, &v, vec_get(&v, ex, "domainSeparator"));
    expect_hash(g_sum->message_hash, &v, vec_get(&v, ex, "structHash_Mail"));
    vec_free(&v);
    assert_int_equal(g_sum->op, PAYLOAD_OP_TYPED_DATA);
    assert_int_equal(g_sum->warnings, PAYLOAD_WARN_TYPED_DATA);
    expect_field(PAYLOAD_SF_PRIMARY_TYPE, "Mail");
    expect_field(PAYLOAD_SF_DOMAIN_NAME, "Ether Mail");
    expect_field(PAYLOAD_SF_DOMAIN_VERSION, "1");
    expect_field(PAYLOAD_SF_VERIFYING_CONTRACT, "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC");
    check_renderings();
    expect_line(g_text, "domain_hash", "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f");
}

static void test_eip191_message(void **state)
{
    static const uint8_t tricky[] = "line1\n\"quoted\" back\\slash";
    payload_summary_ctx ctx = { 0 };
    size_t e = vec_get(&g_exp, 0, "eip191_hello"), len;
    payload_err err;

    (void)state;
    build_ok(&ctx, PAYLOAD_TYPE_EIP191, "eip191_hello");
    expect_hash(g_sum->digests[0].digest, &g_exp, vec_get(&g_exp, e, "digest"));
    assert_int_equal(g_sum->op, PAYLOAD_OP_PERSONAL_MESSAGE);
    assert_string_equal(g_sum->message, "hello");
    expect_field(PAYLOAD_SF_MESSAGE_ENCODING, "text");
    check_renderings();
    expect_line(g_text, "message", "hello");

    /* Escaping: one line in text, exact value back from JSON. */
    assert_int_equal(payload_summary_build(&err, g_sum, g_work, &ctx, PAYLOAD_TYPE_EIP191, tricky, sizeof tricky - 1),
                     PAYLOAD_OK);
    check_renderings();
    expect_line(g_text, "message", "line1\\n\"quoted\" back\\\\slash");
    assert_int_equal(payload_summary_render_json(&err, g_text, PAYLOAD_SUMMARY_RENDER_MAX, &len, g_sum), PAYLOAD_OK);
    assert_non_null(strstr(g_text, "\"message\":\"line1\\n\\\"quoted\\\" back\\\\slash\""));

    /* Not text (a NUL and a right-to-left override): hex and a warning. */
    {
        static const uint8_t bin[] = { 'a', 0x00, 0xe2, 0x80, 0xae, 'b' };

        assert_int_equal(payload_summary_build(&err, g_sum, g_work, &ctx, PAYLOAD_TYPE_EIP191, bin, sizeof bin),
                         PAYLOAD_OK);
        assert_true(g_sum->warnings & PAYLOAD_WARN_MESSAGE_NOT_TEXT);
        assert_string_equal(g_sum->message, "0x6100e280ae62");
        expect_field(PAYLOAD_SF_MESSAGE_ENCODING, "hex");
    }
}

static const payload_asset TEST_USD6 = { 1, { 0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0,
                                              0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0 },
                                         "TUSD6", 6 };

static void test_safe(void **state)
{
    payload_summary_ctx ctx = { 0 };
    payload_asset_registry reg = { &TEST_USD6, 1 };
    payload_safe_target ms = { 1, { 0 } };
    vec_file v;
    payload_err err;
    size_t e;

    (void)state;
    /* The Safe derived example of safe_typehashes.json. */
    ctx.chain_id = 1;
    build_ok(&ctx, PAYLOAD_TYPE_SAFE_TX, "safe_derived_example");
    vec_load(&v, "safe/safe_typehashes.json");
    e = vec_get(&v, 0, "derived_example");
    expect_hash(g_sum->digests[0].digest, &v, vec_get(&v, e, "safeTxHash"));
    expect_hash(g_sum->domain_hash, &v, vec_get(&v, e, "domainSeparator"));
    expect_hash(g_sum->message_hash, &v, vec_get(&v, e, "safeTx_structHash"));
    vec_free(&v);
    assert_int_equal(g_sum->op, PAYLOAD_OP_SAFE_TX);
    expect_field(PAYLOAD_SF_CALL, "contract-call");
    expect_field(PAYLOAD_SF_SAFE, "0x1111111111111111111111111111111111111111");
    expect_field(PAYLOAD_SF_TO, "0x2222222222222222222222222222222222222222");
    expect_field(PAYLOAD_SF_AMOUNT, "1 ETH");
    expect_field(PAYLOAD_SF_SELECTOR, "0xdeadbeef");
    expect_field(PAYLOAD_SF_NONCE, "7");
    assert_int_equal(g_sum->warnings, PAYLOAD_WARN_CONTRACT_CALL | PAYLOAD_WARN_NATIVE_WITH_CALL);
    check_renderings();

    /* MultiSendCallOnly batch: refused until its address is allowlisted, then shown call by call. */
    e = vec_get(&g_exp, 0, "safe_multisend_ok");
    assert_int_equal(build(&err, &ctx, PAYLOAD_TYPE_SAFE_TX, "safe_multisend_ok"), PAYLOAD_E_POLICY);
    vec_hex_n(&g_exp, vec_get(&g_exp, e, "multisend_call_only"), ms.address, 20);
    ctx.multisend_call_only = &ms;
    ctx.n_multisend_call_only = 1;
    ctx.registry = &reg;
    build_ok(&ctx, PAYLOAD_TYPE_SAFE_TX, "safe_multisend_ok");
    expect_hash(g_sum->digests[0].digest, &g_exp, vec_get(&g_exp, e, "digest"));
    assert_int_equal(g_sum->op, PAYLOAD_OP_SAFE_MULTISEND);
    assert_int_equal(g_sum->warnings, PAYLOAD_WARN_DELEGATECALL);
    assert_int_equal(g_sum->n_items, 2);
    assert_string_equal(g_sum->items[0].kind, "token-transfer");
    assert_string_equal(g_sum->items[0].to, "0x7777777777777777777777777777777777777777");
    assert_string_equal(g_sum->items[0].amount, "2.5 TUSD6"); /* 2500000 units, 6 decimals */
    assert_string_equal(g_sum->items[1].kind, "transfer");
    assert_string_equal(g_sum->items[1].amount, "1 ETH");
    check_renderings();
    expect_line(g_text, "item[0].amount", "2.5 TUSD6");

    /* An inner DELEGATECALL, and the Bybit transaction (DELEGATECALL to a non-allowlisted target). */
    assert_int_equal(build(&err, &ctx, PAYLOAD_TYPE_SAFE_TX, "safe_multisend_inner_delegatecall"), PAYLOAD_E_POLICY);
    assert_int_equal(g_sum->n_digests, 0);
    assert_int_equal(build(&err, &ctx, PAYLOAD_TYPE_SAFE_TX, "safe_bybit"), PAYLOAD_E_POLICY);
    assert_non_null(strstr(err.msg, "DELEGATECALL"));
    assert_int_equal(g_sum->n_digests, 0);

    /* Gas refund in a token to a custom receiver (chain 100). */
    ctx.chain_id = 100;
    build_ok(&ctx, PAYLOAD_TYPE_SAFE_TX, "safe_gas_refund");
    expect_hash(g_sum->digests[0].digest, &g_exp, vec_get(&g_exp, vec_get(&g_exp, 0, "safe_gas_refund"), "digest"));
    assert_true(g_sum->warnings & PAYLOAD_WARN_GAS_REFUND);
    expect_field(PAYLOAD_SF_AMOUNT, "0.000000000000000005 ETH");

    /* SafeTx typed data is refused as generic EIP-712. */
    ctx.chain_id = 1;
    assert_int_equal(build(&err, &ctx, PAYLOAD_TYPE_EIP712, "safe_derived_example"), PAYLOAD_E_POLICY);
    assert_non_null(strstr(err.msg, "safe-tx"));
}

static uint8_t g_change_pub[33];

static int is_own(void *ctx, const uint8_t pubkey[33], const payload_btc_key_origin *origin)
{
    (void)ctx;
    return memcmp(pubkey, g_change_pub, 33) == 0 && origin->depth == 5 && origin->path[3] == 1;
}

static void test_psbt(void **state)
{
    payload_summary_ctx ctx = { 0 };
    size_t e = vec_get(&g_exp, 0, "psbt_p2wpkh");
    char *dest = vec_str(&g_exp, vec_get(&g_exp, e, "dest_address"), NULL);
    char *change = vec_str(&g_exp, vec_get(&g_exp, e, "change_address"), NULL);
    payload_err err;

    (void)state;
    ctx.btc_network = PAYLOAD_BTC_NET_MAIN;
    build_ok(&ctx, PAYLOAD_TYPE_PSBT, "psbt_p2wpkh");
    expect_hash(g_sum->digests[0].digest, &g_exp, vec_get(&g_exp, e, "digest"));
    assert_int_equal(g_sum->warnings, PAYLOAD_WARN_CHANGE_UNVERIFIED);
    assert_int_equal(g_sum->n_items, 2);
    assert_string_equal(g_sum->items[1].kind, "output");

    vec_hex_n(&g_exp, vec_get(&g_exp, e, "change_pubkey"), g_change_pub, 33);
    ctx.is_own = is_own;
    build_ok(&ctx, PAYLOAD_TYPE_PSBT, "psbt_p2wpkh");
    assert_int_equal(g_sum->warnings, 0);
    assert_int_equal(g_sum->op, PAYLOAD_OP_BITCOIN_SPEND);
    expect_field(PAYLOAD_SF_NETWORK, "bitcoin-main");
    expect_field(PAYLOAD_SF_TO, dest);
    expect_field(PAYLOAD_SF_AMOUNT, "0.006 BTC");
    expect_field(PAYLOAD_SF_FEE, "0.0001 BTC");
    expect_field(PAYLOAD_SF_TOTAL_IN, "0.01 BTC");
    expect_field(PAYLOAD_SF_CHANGE, "0.0039 BTC");
    assert_string_equal(g_sum->items[0].kind, "output");
    assert_string_equal(g_sum->items[0].to, dest);
    assert_string_equal(g_sum->items[1].kind, "change");
    assert_string_equal(g_sum->items[1].to, change);
    assert_non_null(strstr(g_sum->digests[0].label, "m/84'/0'/0'/0/0"));
    check_renderings();

    /* The BIP174 updater PSBT (2-of-2 multisig inputs) is refused with the input named. */
    assert_int_equal(build(&err, &ctx, PAYLOAD_TYPE_PSBT, "refused_bip174_multisig"), PAYLOAD_E_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "input 0"));
    /* The same PSBT on another network: its outputs are mainnet addresses only under "main". */
    ctx.btc_network = PAYLOAD_BTC_NET_TESTNET;
    build_ok(&ctx, PAYLOAD_TYPE_PSBT, "psbt_p2wpkh");
    assert_int_equal(strncmp(g_sum->items[0].to, "tb1q", 4), 0);
    free(dest);
    free(change);
}

static void test_erc20_and_refusals(void **state)
{
    static const payload_asset usdc = { 1, { 0xa0, 0xb8, 0x69, 0x91, 0xc6, 0x21, 0x8b, 0x36, 0xc1, 0xd1,
                                             0x9d, 0x4a, 0x2e, 0x9e, 0xb0, 0xce, 0x36, 0x06, 0xeb, 0x48 },
                                        "USDC", 6 };
    payload_asset_registry reg = { &usdc, 1 };
    payload_summary_ctx ctx = { 0 };
    payload_err err;

    (void)state;
    ctx.chain_id = 1;
    ctx.registry = &reg;
    build_ok(&ctx, PAYLOAD_TYPE_ERC20, "erc20_transfer");
    expect_hash(g_sum->digests[0].digest, &g_exp, vec_get(&g_exp, vec_get(&g_exp, 0, "erc20_transfer"), "digest"));
    assert_int_equal(g_sum->op, PAYLOAD_OP_TOKEN_TRANSFER);
    assert_int_equal(g_sum->warnings, 0);
    expect_field(PAYLOAD_SF_AMOUNT, "1.234567 USDC");
    expect_field(PAYLOAD_SF_ASSET, "USDC (0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48)");
    expect_field(PAYLOAD_SF_TO, "0x7777777777777777777777777777777777777777");
    expect_field(PAYLOAD_SF_FEE, "max 0.00195 ETH"); /* 65000 x 30 gwei */
    check_renderings();

    build_ok(&ctx, PAYLOAD_TYPE_ERC20, "erc20_approve_unlimited");
    assert_int_equal(g_sum->op, PAYLOAD_OP_APPROVAL);
    assert_int_equal(g_sum->warnings, PAYLOAD_WARN_APPROVAL | PAYLOAD_WARN_UNLIMITED_APPROVAL);
    check_renderings();
    expect_line(g_text, "warning[0]", payload_warning_text(0));

    /* Without the registry the token is unknown and shown in raw units. */
    ctx.registry = NULL;
    build_ok(&ctx, PAYLOAD_TYPE_ERC20, "erc20_transfer");
    assert_int_equal(g_sum->warnings, PAYLOAD_WARN_UNKNOWN_TOKEN);
    expect_field(PAYLOAD_SF_AMOUNT, "1234567 raw units");

    /* A registry entry that cannot be rendered exactly refuses the payload instead of showing it. */
    {
        payload_asset odd = usdc;
        payload_asset_registry odd_reg = { &odd, 1 };

        odd.decimals = 78;
        ctx.registry = &odd_reg;
        assert_int_equal(build(&err, &ctx, PAYLOAD_TYPE_ERC20, "erc20_transfer"), PAYLOAD_E_LIMIT);
        assert_int_equal(g_sum->n_digests, 0);
        ctx.registry = NULL;
    }

    /* Refusals. */
    assert_int_equal(build(&err, &ctx, PAYLOAD_TYPE_ERC20, "eip155_example"), PAYLOAD_E_POLICY);
    assert_non_null(strstr(err.msg, "not an ERC-20"));
    assert_int_equal(build(&err, &ctx, PAYLOAD_TYPE_ETH_TX, "refused_contract_creation"), PAYLOAD_E_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "contract creation"));
    assert_int_equal(g_sum->n_digests, 0);
    assert_int_equal(payload_summary_build(&err, g_sum, g_work, &ctx, (payload_type)99, (const uint8_t *)"", 0),
                     PAYLOAD_E_UNSUPPORTED);
    ctx.key_id = "has space";
    assert_int_equal(build(&err, &ctx, PAYLOAD_TYPE_ETH_TX, "eip155_example"), PAYLOAD_E_ARG);
}

static void test_amount_edges(void **state)
{
    static const char registry[] = "# edge tokens\n"
                                   "1 0x0101010101010101010101010101010101010101 TZERO 0\n"
                                   "1 0x0606060606060606060606060606060606060606 TSIX 6\n"
                                   "\n"
                                   "1 0x1818181818181818181818181818181818181818 TEIGHTEEN 18";
    payload_asset assets[4];
    payload_asset_registry reg = { assets, 0 };
    payload_summary_ctx ctx = { 0 };
    size_t arr = vec_get(&g_exp, 0, "amount_edges"), n = g_exp.js.toks[arr].count;
    payload_err err;

    (void)state;
    assert_int_equal(payload_summary_registry_parse(&err, assets, 4, &reg.n_assets, registry, sizeof registry - 1),
                     PAYLOAD_OK);
    assert_int_equal(reg.n_assets, 3);
    ctx.chain_id = 1;
    ctx.registry = &reg;
    assert_int_equal(n, 12);
    for (size_t i = 0; i < n; i++) {
        size_t e = payload_json_at(&g_exp.js, arr, i), len;
        char *hex = vec_str(&g_exp, vec_get(&g_exp, e, "hex"), NULL);
        char *want = vec_str(&g_exp, vec_get(&g_exp, e, "amount"), NULL);
        uint8_t *raw = hex_dup(hex, &len);

        if (payload_summary_build(&err, g_sum, g_work, &ctx, PAYLOAD_TYPE_ETH_TX, raw, len) != PAYLOAD_OK) {
            fail_msg("edge %zu refused: %s", i, err.msg);
        }
        expect_field(PAYLOAD_SF_AMOUNT, want);
        expect_hash(g_sum->digests[0].digest, &g_exp, vec_get(&g_exp, e, "digest"));
        check_renderings();
        free(raw);
        free(hex);
        free(want);
    }
}

static void test_registry_rejections(void **state)
{
    static const char *const bad[] = {
        "1 0x0101010101010101010101010101010101010101 A 0\n1 0x0101010101010101010101010101010101010101 B 1\n",
        "01 0x0101010101010101010101010101010101010101 A 0",    /* leading zero */
        "0 0x0101010101010101010101010101010101010101 A 0",     /* chain 0 */
        "1 0x0101010101010101010101010101010101010101 A 78",    /* decimals */
        "1 0x0101010101010101010101010101010101010101 A 0 x",   /* 5 fields */
        "1  0x0101010101010101010101010101010101010101 A 0",    /* double space */
        "1 0x0101010101010101010101010101010101010101 A 0 ",    /* trailing space */
        "1 0x0101010101010101010101010101010101010101 A 0\r\n", /* CR */
        "1 0x0101010101010101010101010101010101010101 ABCDEFGHIJKLMNOP 6", /* 16-character symbol */
        "1 0x0101010101010101010101010101010101010101 A$ 6",   /* symbol character */
        "1 0xa0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48 USDC 6", /* mixed case, bad EIP-55 checksum */
        "1 0x01010101010101010101010101010101010101 A 0",      /* 19-byte address */
        "4611686018427387905 0x0101010101010101010101010101010101010101 A 0", /* chain > 2^62 */
    };
    payload_asset assets[4];
    size_t n;
    payload_err err;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (payload_summary_registry_parse(&err, assets, 4, &n, bad[i], strlen(bad[i])) == PAYLOAD_OK) {
            fail_msg("registry case %zu accepted", i);
        }
        assert_non_null(strstr(err.msg, "registry line"));
    }
    {
        static const char two[] = "1 0x0101010101010101010101010101010101010101 A 0\n"
                                   "1 0x0202020202020202020202020202020202020202 B 0\n";

        assert_int_equal(payload_summary_registry_parse(&err, assets, 1, &n, two, sizeof two - 1), PAYLOAD_E_LIMIT);
    }
}

static void expect_fp(const payload_fingerprint *fp, size_t e)
{
    char *hex = vec_str(&g_exp, vec_get(&g_exp, e, "hex"), NULL);
    char *words = vec_str(&g_exp, vec_get(&g_exp, e, "words"), NULL);

    expect_hash(fp->subject, &g_exp, vec_get(&g_exp, e, "subject"));
    assert_string_equal(fp->hex, hex);
    assert_string_equal(fp->words, words);
    free(hex);
    free(words);
}

static void test_fingerprint(void **state)
{
    size_t fpe = vec_get(&g_exp, 0, "fingerprint"), single = vec_get(&g_exp, fpe, "single");
    uint8_t d[2][32];
    payload_fingerprint fp, flipped;
    payload_err err;

    (void)state;
    vec_hex_n(&g_exp, vec_get(&g_exp, vec_get(&g_exp, 0, "eip155_example"), "digest"), d[0], 32);
    vec_hex_n(&g_exp, vec_get(&g_exp, vec_get(&g_exp, 0, "eip712_mail"), "digest"), d[1], 32);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(payload_fingerprint_compute(&err, &fp, d[i], 1), PAYLOAD_OK);
        expect_fp(&fp, payload_json_at(&g_exp.js, single, i));
    }
    assert_int_equal(payload_fingerprint_compute(&err, &fp, &d[0][0], 2), PAYLOAD_OK);
    expect_fp(&fp, vec_get(&g_exp, fpe, "set_of_two"));
    assert_int_equal(payload_fingerprint_compute(&err, &fp, &d[0][0], 0), PAYLOAD_E_ARG);

    /* Every bit changes the hex rendering; bits 0..131 and only those change the words. */
    assert_int_equal(payload_fingerprint_compute(&err, &fp, d[0], 1), PAYLOAD_OK);
    for (unsigned bit = 0; bit < 256; bit++) {
        uint8_t x[32];

        memcpy(x, d[0], 32);
        x[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
        assert_int_equal(payload_fingerprint_compute(&err, &flipped, x, 1), PAYLOAD_OK);
        assert_string_not_equal(fp.hex, flipped.hex);
        if (bit < PAYLOAD_FINGERPRINT_N_WORDS * PAYLOAD_FINGERPRINT_WORD_BITS) {
            assert_string_not_equal(fp.words, flipped.words);
        } else {
            assert_string_equal(fp.words, flipped.words);
        }
    }
    /* In a digest set, changing any digest changes the subject. */
    {
        uint8_t x[2][32];
        payload_fingerprint set;

        memcpy(x, d, sizeof x);
        assert_int_equal(payload_fingerprint_compute(&err, &set, &x[0][0], 2), PAYLOAD_OK);
        x[1][31] ^= 1;
        assert_int_equal(payload_fingerprint_compute(&err, &flipped, &x[0][0], 2), PAYLOAD_OK);
        assert_string_not_equal(set.hex, flipped.hex);
        assert_string_not_equal(set.words, flipped.words);
    }
    assert_string_equal(payload_fingerprint_word(0), "abandon");
    assert_string_equal(payload_fingerprint_word(2047), "zoo");
    assert_null(payload_fingerprint_word(2048));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eip155_example),   cmocka_unit_test(test_eip1559_vector),
        cmocka_unit_test(test_eip712_mail),      cmocka_unit_test(test_eip191_message),
        cmocka_unit_test(test_safe),             cmocka_unit_test(test_psbt),
        cmocka_unit_test(test_erc20_and_refusals), cmocka_unit_test(test_amount_edges),
        cmocka_unit_test(test_registry_rejections), cmocka_unit_test(test_fingerprint),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
