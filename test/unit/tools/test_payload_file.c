/* tools/requester/payload_file: the payload file forms mpcctl accepts, and what it refuses. The
 * expected bytes are decoded by libsodium (hex) and encoded by OpenSSL (base64), not by the code
 * under test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "payload_file.h"
#include "wire.pb-c.h"

#define ETH_TX MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_ETH_TX
#define ERC20 MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_ERC20
#define PSBT MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_PSBT
#define EIP191 MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_EIP191
#define EIP712 MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_EIP712

typedef struct {
    unsigned char *p;
    size_t len;
} bytes;

static bytes read_vector(const char *name) {
    char path[512];
    bytes b = {NULL, 0};
    FILE *f;
    long n;
    snprintf(path, sizeof(path), "%s/%s", PAYLOADS_DIR, name);
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    b.p = malloc((size_t)n);
    assert_non_null(b.p);
    assert_int_equal(fread(b.p, 1, (size_t)n, f), (size_t)n);
    b.len = (size_t)n;
    fclose(f);
    return b;
}

/* The bytes of a hex file (one line of hex, trailing line feed), by libsodium. */
static bytes sodium_unhex(const bytes *hex) {
    bytes b = {malloc(hex->len), 0};
    assert_non_null(b.p);
    assert_int_equal(sodium_hex2bin(b.p, hex->len, (const char *)hex->p, hex->len, "\n", &b.len, NULL), 0);
    assert_true(b.len > 0);
    return b;
}

/* Decodes in with the code under test; returns 0 or -1 and leaves the message in err. */
static int decode(bytes *out, char *err, size_t err_cap, uint32_t type, const unsigned char *in, size_t len) {
    out->p = malloc(len + 1);
    assert_non_null(out->p);
    err[0] = '\0';
    return requester_payload_decode(out->p, len + 1, &out->len, err, err_cap, type, in, len);
}

static void assert_decodes_to(uint32_t type, const unsigned char *in, size_t len, const bytes *want) {
    bytes got;
    char err[200];
    assert_int_equal(decode(&got, err, sizeof(err), type, in, len), 0);
    assert_int_equal(got.len, want->len);
    assert_memory_equal(got.p, want->p, want->len);
    free(got.p);
}

static void assert_refused(uint32_t type, const char *in, size_t len, const char *why) {
    bytes got;
    char err[200];
    assert_int_equal(decode(&got, err, sizeof(err), type, (const unsigned char *)in, len), -1);
    assert_int_equal(got.len, 0);
    if (strstr(err, why) == NULL) {
        fail_msg("error '%s' does not say '%s'", err, why);
    }
    free(got.p);
}

static void test_type_names(void **state) {
    static const char *names[] = {"eip191", "eth-tx", "erc20", "eip712", "safe-tx", "psbt"};
    uint32_t t = 99;
    (void)state;
    for (uint32_t i = 0; i < 6; i++) {
        assert_int_equal(requester_payload_type_parse(&t, names[i]), 0);
        assert_int_equal(t, i + 1); /* proto/wire.proto PayloadType numbering */
        assert_string_equal(requester_payload_type_name(t), names[i]);
    }
    assert_int_equal(requester_payload_type_parse(&t, "EIP191"), -1);
    assert_int_equal(requester_payload_type_parse(&t, ""), -1);
    assert_int_equal(requester_payload_type_parse(&t, "eth_tx"), -1);
    assert_null(requester_payload_type_name(0));
    assert_null(requester_payload_type_name(7));
}

static void test_eth_tx_forms(void **state) {
    bytes hex = read_vector("eip155_example.hex"), want = sodium_unhex(&hex), bin = read_vector("eip1559_ethereumjs0.bin");
    size_t cap = 2 * hex.len + 16, n = 0;
    char *spaced = malloc(cap);
    (void)state;
    assert_non_null(spaced);
    assert_decodes_to(ETH_TX, hex.p, hex.len, &want);
    assert_decodes_to(ERC20, hex.p, hex.len, &want);
    /* 0x, then whitespace of every kind between and inside byte pairs */
    n += (size_t)snprintf(spaced, cap, " \n0x");
    for (size_t i = 0; i + 1 < hex.len; i++) {
        spaced[n++] = (char)hex.p[i];
        if (i % 3 == 1) {
            spaced[n++] = " \t\r\n"[i % 4];
        }
    }
    assert_decodes_to(ETH_TX, (unsigned char *)spaced, n, &want);
    /* binary: taken as it is */
    assert_decodes_to(ETH_TX, bin.p, bin.len, &bin);
    free(spaced);
    free(hex.p);
    free(want.p);
    free(bin.p);
}

static void test_psbt_forms(void **state) {
    bytes hex = read_vector("psbt_p2wpkh.psbt.hex"), want = sodium_unhex(&hex);
    size_t b64cap = 4 * (want.len / 3 + 1) + 1, wrapped_len = 0;
    unsigned char *b64 = malloc(b64cap);
    char *wrapped = malloc(2 * b64cap);
    int b64len;
    (void)state;
    assert_non_null(b64);
    assert_non_null(wrapped);
    assert_memory_equal(want.p, "psbt\xff", 5);
    assert_decodes_to(PSBT, hex.p, hex.len, &want);
    assert_decodes_to(PSBT, want.p, want.len, &want);
    b64len = EVP_EncodeBlock(b64, want.p, (int)want.len);
    assert_true(b64len > 0);
    assert_decodes_to(PSBT, b64, (size_t)b64len, &want);
    /* base64 wrapped at 64 columns, as tools print it */
    for (int i = 0; i < b64len; i++) {
        wrapped[wrapped_len++] = (char)b64[i];
        if (i % 64 == 63) {
            wrapped[wrapped_len++] = '\n';
        }
    }
    wrapped[wrapped_len++] = '\n';
    assert_decodes_to(PSBT, (unsigned char *)wrapped, wrapped_len, &want);
    free(b64);
    free(wrapped);
    free(hex.p);
    free(want.p);
}

static void test_text_types_verbatim(void **state) {
    bytes msg = read_vector("eip191_hello.txt"), json = read_vector("eip712_mail.json");
    (void)state;
    assert_decodes_to(EIP191, msg.p, msg.len, &msg);
    assert_decodes_to(EIP712, json.p, json.len, &json);
    /* text that happens to look like hex stays text for these types */
    {
        bytes h = {(unsigned char *)"0xdeadbeef", 10};
        assert_decodes_to(EIP191, h.p, h.len, &h);
    }
    free(msg.p);
    free(json.p);
}

static void test_rejections(void **state) {
    static const char big_fill = 'a';
    char *big = malloc(REQ_PAYLOAD_MAX + 1);
    bytes got;
    char err[200];
    (void)state;
    assert_non_null(big);
    memset(big, big_fill, REQ_PAYLOAD_MAX + 1);
    assert_refused(ETH_TX, "02abc", 5, "odd number of hex digits");
    assert_refused(ETH_TX, "02ab\ncg00", 9, "offset 6");
    assert_refused(ETH_TX, "0x", 2, "1 to");
    assert_refused(ETH_TX, "0x0x02", 6, "offset 3");
    assert_refused(ETH_TX, "  \n", 3, "1 to");
    assert_refused(EIP191, "", 0, "1 to");
    assert_refused(PSBT, "hello", 5, "not a PSBT");
    assert_refused(PSBT, "\xff" "psbt", 5, "not a PSBT");
    assert_refused(PSBT, "cHNidP8", 7, "base64");         /* length not a multiple of 4 */
    assert_refused(PSBT, "cHNidP9=", 8, "base64");        /* non-zero bits after the last byte */
    assert_refused(PSBT, "cHNidP8=AAAA", 12, "base64");   /* data after the padding */
    assert_refused(PSBT, "cHNidP8*", 8, "base64");
    assert_refused(9, "x", 1, "unknown payload type");
    /* 1 MiB + 1 raw bytes, and hex of 1 MiB + 1 bytes */
    assert_refused(EIP191, big, REQ_PAYLOAD_MAX + 1, "must hold 1 to");
    {
        size_t n = 2 * (REQ_PAYLOAD_MAX + 1);
        char *bighex = malloc(n);
        assert_non_null(bighex);
        memset(bighex, 'a', n);
        assert_refused(ETH_TX, bighex, n, "must hold 1 to");
        free(bighex);
    }
    /* an output buffer smaller than the file is refused, not overrun */
    got.p = malloc(4);
    assert_non_null(got.p);
    assert_int_equal(requester_payload_decode(got.p, 4, &got.len, err, sizeof(err), EIP191,
                             (const unsigned char *)"hello", 5), -1);
    free(got.p);
    free(big);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_eth_tx_forms),
        cmocka_unit_test(test_psbt_forms),
        cmocka_unit_test(test_text_types_verbatim),
        cmocka_unit_test(test_rejections),
    };
    assert_int_equal(sodium_init() >= 0, 1);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
