/* RLP against ethereum/tests RLPTests (ethereumjs copies): every valid case re-encodes exactly and
 * decodes strictly, every invalid case is rejected; plus targeted rejections and encoder bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "payload/rlp.h"
#include "vec.h"

static void encode_json(payload_rlp_writer *w, const vec_file *f, size_t i) {
    const payload_json_tok *t = &f->toks[i];
    uint8_t n[64]; /* rlptest has a 2^256 bigint */

    if (t->type == PAYLOAD_JSON_ARRAY) {
        size_t mark = payload_rlp_list_begin(w), k;
        for (k = 0; k < t->count; k++) {
            encode_json(w, f, payload_json_at(&f->js, i, k));
        }
        payload_rlp_list_end(w, mark);
    } else if (t->type == PAYLOAD_JSON_NUMBER) {
        dec_to_be(f->text + t->start, t->len, n, sizeof(n));
        payload_rlp_put_uint(w, n, sizeof(n));
    } else {
        size_t len;
        char *s = vec_str(f, i, &len);
        assert_int_equal(t->type, PAYLOAD_JSON_STRING);
        if (len > 0 && s[0] == '#') {
            dec_to_be(s + 1, len - 1, n, sizeof(n));
            payload_rlp_put_uint(w, n, sizeof(n));
        } else {
            payload_rlp_put_bytes(w, (const uint8_t *)s, len);
        }
        free(s);
    }
}

/* Re-encode a decoded item tree: proves the decoder saw the same structure. */
static void reencode(payload_rlp_writer *w, const payload_rlp_item *it) {
    if (it->is_list) {
        payload_rlp_item kids[64];
        size_t n, k, mark;
        assert_int_equal(payload_rlp_list_items(NULL, kids, 64, &n, it), PAYLOAD_OK);
        mark = payload_rlp_list_begin(w);
        for (k = 0; k < n; k++) {
            reencode(w, &kids[k]);
        }
        payload_rlp_list_end(w, mark);
    } else {
        payload_rlp_put_bytes(w, it->data, it->len);
    }
}

static void test_valid(void **state) {
    vec_file f;
    size_t tests, k, done = 0;
    static uint8_t buf[4096], buf2[4096];
    (void)state;

    vec_load(&f, "ethereum/ethereumjs/rlptest.json");
    tests = vec_get(&f, 0, "tests");
    for (k = 0; k < f.toks[tests].count; k++) {
        size_t key = payload_json_member_key(&f.js, tests, k), tc = key + 1, want_len, got_len;
        uint8_t *want = vec_hex(&f, vec_get(&f, tc, "out"), &want_len);
        payload_rlp_writer w;
        payload_rlp_item item;
        payload_err err;

        payload_rlp_writer_init(&w, buf, sizeof(buf));
        encode_json(&w, &f, vec_get(&f, tc, "in"));
        assert_int_equal(payload_rlp_writer_finish(&err, &got_len, &w), PAYLOAD_OK);
        if (got_len != want_len || memcmp(buf, want, want_len) != 0) {
            fail_msg("rlptest %.*s: encoding differs", (int)f.toks[key].len, f.text + f.toks[key].start);
        }
        if (payload_rlp_decode(&err, &item, want, want_len, PAYLOAD_RLP_MAX_DEPTH) != PAYLOAD_OK) {
            fail_msg("rlptest %.*s: decode failed: %s", (int)f.toks[key].len, f.text + f.toks[key].start, err.msg);
        }
        payload_rlp_writer_init(&w, buf2, sizeof(buf2));
        reencode(&w, &item);
        assert_int_equal(payload_rlp_writer_finish(&err, &got_len, &w), PAYLOAD_OK);
        assert_int_equal(got_len, want_len);
        assert_memory_equal(buf2, want, want_len);
        free(want);
        done++;
    }
    assert_int_equal(done, 28);
    print_message("rlptest.json: %zu/28 re-encoded and decoded\n", done);
    vec_free(&f);
}

static void test_invalid(void **state) {
    vec_file f;
    size_t tests, k, done = 0;
    (void)state;

    vec_load(&f, "ethereum/ethereumjs/invalid.json");
    tests = vec_get(&f, 0, "tests");
    for (k = 0; k < f.toks[tests].count; k++) {
        size_t key = payload_json_member_key(&f.js, tests, k), tc = key + 1, len;
        uint8_t *in = vec_hex(&f, vec_get(&f, tc, "out"), &len);
        payload_rlp_item item;
        payload_err err;
        int r = payload_rlp_decode(&err, &item, in, len, PAYLOAD_RLP_MAX_DEPTH);
        if (r >= 0) {
            fail_msg("invalid.json %.*s accepted", (int)f.toks[key].len, f.text + f.toks[key].start);
        }
        assert_true(err.msg[0] != '\0');
        free(in);
        done++;
    }
    assert_int_equal(done, 25);
    print_message("invalid.json: %zu/25 rejected\n", done);
    vec_free(&f);
}

static int decode_hex(const char *hex, payload_err *err) {
    size_t len;
    uint8_t *in = hex_dup(hex, &len);
    payload_rlp_item item;
    int r = payload_rlp_decode(err, &item, in, len, 2);
    free(in);
    return r;
}

static void test_targeted_rejections(void **state) {
    payload_err err;
    (void)state;
    assert_int_equal(decode_hex("", &err), PAYLOAD_E_TRUNCATED);
    assert_int_equal(decode_hex("8100", &err), PAYLOAD_E_ENCODING);      /* wrapped single byte */
    assert_non_null(strstr(err.msg, "single byte"));
    assert_int_equal(decode_hex("b80100", &err), PAYLOAD_E_ENCODING);    /* long form for 1 byte */
    assert_int_equal(decode_hex("b90038" "00", &err), PAYLOAD_E_ENCODING); /* leading zero in length */
    assert_int_equal(decode_hex("8001", &err), PAYLOAD_E_TRAILING);
    assert_int_equal(decode_hex("c2c1c0", &err), PAYLOAD_E_LIMIT);      /* depth 3 > 2 */
    assert_int_equal(decode_hex("c1c0", &err), PAYLOAD_OK);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_targeted_rejections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
