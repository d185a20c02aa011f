/* Keccak-256: published Keccak/Ethereum values, plus the same permutation with SHA3 padding
 * compared against OpenSSL's independent SHA3-256 on many lengths (block boundaries included). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "payload/keccak.h"
#include "test_rng.h"
#include "vec.h"

static void check_hex(const char *hex, const uint8_t *got) {
    size_t n;
    uint8_t *want = hex_dup(hex, &n);
    assert_int_equal(n, 32);
    assert_memory_equal(want, got, 32);
    free(want);
}

/* Keccak team / Ethereum yellow-paper values (KECCAK_EMPTY is also Ethereum's empty code hash). */
static void test_known(void **state) {
    uint8_t h[32];
    (void)state;
    payload_keccak256(h, NULL, 0);
    check_hex("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470", h);
    payload_keccak256(h, (const uint8_t *)"abc", 3);
    check_hex("4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45", h);
}

/* eip712_mail.json gives the private key as keccak256("cow") (value computed by its curator). */
static void test_cow(void **state) {
    vec_file f;
    uint8_t h[32], want[32];
    (void)state;
    vec_load(&f, "ethereum/eips/eip712_mail.json");
    vec_hex_n(&f, vec_get(&f, vec_get(&f, 0, "signer"), "private_key"), want, 32);
    payload_keccak256(h, (const uint8_t *)"cow", 3);
    assert_memory_equal(h, want, 32);
    vec_free(&f);
}

static void test_sha3_padding_vs_openssl(void **state) {
    test_rng rng;
    uint8_t buf[700], ours[32], theirs[32];
    size_t len;
    (void)state;
    test_rng_init(&rng, 0x6b656363);
    test_rng_bytes(&rng, buf, sizeof(buf));
    for (len = 0; len <= sizeof(buf); len++) {
        payload_keccak256_ctx ctx;
        unsigned int olen = 0;
        size_t split = len / 3;
        payload_keccak256_init(&ctx, PAYLOAD_KECCAK_PAD_SHA3);
        payload_keccak256_update(&ctx, buf, split);
        payload_keccak256_update(&ctx, buf + split, len - split);
        payload_keccak256_final(&ctx, ours);
        assert_int_equal(EVP_Digest(buf, len, theirs, &olen, EVP_sha3_256(), NULL), 1);
        assert_int_equal(olen, 32);
        assert_memory_equal(ours, theirs, 32);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known),
        cmocka_unit_test(test_cow),
        cmocka_unit_test(test_sha3_padding_vs_openssl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
