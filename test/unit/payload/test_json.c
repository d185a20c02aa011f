/* The strict JSON tokenizer used for typed-data documents (RFC 8259 grammar, RFC 3629 UTF-8). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "payload/json.h"

static payload_json_tok toks[64];

static int parse(payload_json *js, const char *s, size_t len, unsigned depth, payload_err *err) {
    return payload_json_parse(err, js, toks, 64, s, len, depth);
}

static void reject(const char *s, size_t len, int code) {
    payload_json js;
    payload_err err;
    int r = parse(&js, s, len, 8, &err);
    if (r != code) {
        fail_msg("'%.*s': expected %d, got %d (%s)", (int)len, s, code, r, err.msg);
    }
    assert_true(err.msg[0] != '\0');
}

#define REJECT(lit, code) reject(lit, sizeof(lit) - 1, code)

static void test_rejections(void **state) {
    (void)state;
    REJECT("", PAYLOAD_E_TRUNCATED);
    REJECT("   ", PAYLOAD_E_TRUNCATED);
    REJECT("[1,]", PAYLOAD_E_ENCODING);
    REJECT("{\"a\":1,}", PAYLOAD_E_ENCODING);
    REJECT("[01]", PAYLOAD_E_ENCODING);
    REJECT("[-]", PAYLOAD_E_ENCODING);
    REJECT("[1.]", PAYLOAD_E_ENCODING);
    REJECT("[.5]", PAYLOAD_E_ENCODING);
    REJECT("[1e]", PAYLOAD_E_ENCODING);
    REJECT("[+1]", PAYLOAD_E_ENCODING);
    REJECT("[NaN]", PAYLOAD_E_ENCODING);
    REJECT("[tru]", PAYLOAD_E_ENCODING);
    REJECT("['a']", PAYLOAD_E_ENCODING);
    REJECT("[\"a\tb\"]", PAYLOAD_E_ENCODING);        /* raw control character */
    REJECT("[\"\\x41\"]", PAYLOAD_E_ENCODING);       /* unknown escape */
    REJECT("[\"\\u12\"]", PAYLOAD_E_ENCODING);
    REJECT("[\"\\ud800\"]", PAYLOAD_E_ENCODING);     /* lone high surrogate */
    REJECT("[\"\\udc00\"]", PAYLOAD_E_ENCODING);     /* lone low surrogate */
    REJECT("[\"\\ud800\\u0041\"]", PAYLOAD_E_ENCODING);
    REJECT("[\"\xc0\xaf\"]", PAYLOAD_E_ENCODING);   /* overlong */
    REJECT("[\"\xed\xa0\x80\"]", PAYLOAD_E_ENCODING); /* UTF-8 surrogate */
    REJECT("[\"\xf4\x90\x80\x80\"]", PAYLOAD_E_ENCODING); /* above U+10FFFF */
    REJECT("[\"\xe2\x82\"]", PAYLOAD_E_ENCODING);   /* truncated sequence */
    REJECT("[\"abc", PAYLOAD_E_TRUNCATED);
    REJECT("[1", PAYLOAD_E_TRUNCATED);
    REJECT("{\"a\"", PAYLOAD_E_TRUNCATED);
    REJECT("{\"a\" 1}", PAYLOAD_E_ENCODING);
    REJECT("{1:2}", PAYLOAD_E_ENCODING);
    REJECT("{\"a\":1,\"a\":2}", PAYLOAD_E_ENCODING);  /* duplicate key */
    REJECT("{\"\\u0061\":1}", PAYLOAD_E_ENCODING);    /* escape in key */
    REJECT("[1] [2]", PAYLOAD_E_TRAILING);
    REJECT("1 x", PAYLOAD_E_TRAILING);
    REJECT("/* c */ 1", PAYLOAD_E_ENCODING);
    REJECT("[[[[[[[[[1]]]]]]]]]", PAYLOAD_E_LIMIT);   /* depth 9 > 8 */
    {
        /* An embedded NUL byte in a string is a raw control character. */
        static const char nul[] = {'[', '"', 'a', 0, '"', ']'};
        reject(nul, sizeof(nul), PAYLOAD_E_ENCODING);
    }
    {
        char many[200];
        size_t i, n = 0;
        many[n++] = '[';
        for (i = 0; i < 64; i++) {
            many[n++] = '0';
            many[n++] = ',';
        }
        many[n - 1] = ']';
        reject(many, n, PAYLOAD_E_LIMIT); /* 65 values > 64 tokens */
    }
}

static void test_accepts(void **state) {
    payload_json js;
    payload_err err;
    char buf[32];
    size_t len, v;
    static const char doc[] =
        " {\"s\": \"a\\u00e9\\ud83d\\ude00\\n\\\"\\/\", \"n\": -0.5e+3, \"l\": [true, false, null, {}], "
        "\"u\": \"\xe2\x98\x83\"} ";
    (void)state;

    assert_int_equal(parse(&js, doc, sizeof(doc) - 1, 8, &err), PAYLOAD_OK);
    assert_int_equal(js.toks[0].type, PAYLOAD_JSON_OBJECT);
    assert_int_equal(js.toks[0].count, 4);
    v = payload_json_get(&js, 0, "s");
    assert_int_not_equal(v, 0);
    assert_int_equal(payload_json_string(&err, buf, sizeof(buf), &len, &js, v), PAYLOAD_OK);
    /* U+00E9 is C3 A9 and U+1F600 is F0 9F 98 80 in UTF-8 (RFC 3629). */
    assert_int_equal(len, 10);
    assert_memory_equal(buf, "a\xc3\xa9\xf0\x9f\x98\x80\n\"/", 10);
    assert_int_equal(payload_json_string(&err, buf, 5, &len, &js, v), PAYLOAD_E_OUTPUT);
    assert_true(payload_json_streq(&js, v, "a\xc3\xa9\xf0\x9f\x98\x80\n\"/"));
    v = payload_json_get(&js, 0, "n");
    assert_int_equal(js.toks[v].type, PAYLOAD_JSON_NUMBER);
    assert_int_equal(js.toks[v].len, 7); /* "-0.5e+3" */
    v = payload_json_get(&js, 0, "l");
    assert_int_equal(js.toks[v].count, 4);
    assert_int_equal(js.toks[payload_json_at(&js, v, 0)].type, PAYLOAD_JSON_TRUE);
    assert_int_equal(js.toks[payload_json_at(&js, v, 2)].type, PAYLOAD_JSON_NULL);
    assert_int_equal(js.toks[payload_json_at(&js, v, 3)].type, PAYLOAD_JSON_OBJECT);
    assert_int_equal(payload_json_at(&js, v, 4), 0);
    assert_int_equal(payload_json_get(&js, 0, "missing"), 0);
    assert_true(payload_json_streq(&js, payload_json_member_key(&js, 0, 3), "u"));
    assert_int_equal(parse(&js, "[[[[[[[[1]]]]]]]]", 17, 8, &err), PAYLOAD_OK); /* depth 8 */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_accepts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
