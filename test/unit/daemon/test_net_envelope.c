/* Envelope pack/unpack (daemon/net/envelope.h). Expected encodings are written out by hand from
 * the protobuf wire format (tag = field << 3 | wire type), independently of protobuf-c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "envelope.h"

#define MAX 4096

/* version=1, type=HELLO(10), hello{role=SIGNER(2), id="3", software_version="0.1"} */
static const unsigned char hello_bytes[] = {
    0x08, 0x01,                   /* 1: version = 1 */
    0x10, 0x0a,                   /* 2: type = 10 */
    0x52, 0x0a,                   /* 10: hello, 10 bytes */
    0x08, 0x02,                   /*   1: role = 2 */
    0x12, 0x01, '3',              /*   2: id = "3" */
    0x1a, 0x03, '0', '.', '1'     /*   3: software_version = "0.1" */
};

/* version=1, type=ERROR(11), error{code=7, message="no"} */
static const unsigned char error_bytes[] = {
    0x08, 0x01, 0x10, 0x0b, 0x5a, 0x06, 0x08, 0x07, 0x12, 0x02, 'n', 'o'
};

static void log_quiet(net_log_level level, const char *line, void *data) {
    (void)level;
    (void)line;
    (void)data;
}

static int setup(void **state) {
    (void)state;
    net_set_log(log_quiet, NULL);
    return 0;
}

static void test_pack_hello(void **state) {
    Mpc__Wire__Envelope env = MPC__WIRE__ENVELOPE__INIT;
    Mpc__Wire__Hello hello = MPC__WIRE__HELLO__INIT;
    unsigned char *out = NULL;
    size_t len = 0;
    (void)state;
    hello.role = MPC__WIRE__ROLE__ROLE_SIGNER;
    hello.id = "3";
    hello.software_version = "0.1";
    env.version = NET_ENV_VERSION;
    env.type = MPC__WIRE__MSG_TYPE__MSG_TYPE_HELLO;
    env.body_case = MPC__WIRE__ENVELOPE__BODY_HELLO;
    env.hello = &hello;
    assert_int_equal(net_env_pack(&out, &len, &env, MAX), NET_OK);
    assert_int_equal(len, sizeof(hello_bytes));
    assert_memory_equal(out, hello_bytes, len);
    free(out);
    /* The size bound applies to packing too. */
    assert_int_equal(net_env_pack(&out, &len, &env, sizeof(hello_bytes) - 1), NET_E_ENV_TOO_BIG);
    assert_null(out);
    /* Never send what we would refuse: a mismatched type is refused before encoding. */
    env.type = MPC__WIRE__MSG_TYPE__MSG_TYPE_ERROR;
    assert_int_equal(net_env_pack(&out, &len, &env, MAX), NET_E_ENV_TYPE);
    assert_null(out);
}

static void test_unpack_valid(void **state) {
    Mpc__Wire__Envelope *env = NULL;
    (void)state;
    assert_int_equal(net_env_unpack(&env, hello_bytes, sizeof(hello_bytes), MAX), NET_OK);
    assert_non_null(env);
    assert_int_equal(env->body_case, MPC__WIRE__ENVELOPE__BODY_HELLO);
    assert_int_equal(env->hello->role, MPC__WIRE__ROLE__ROLE_SIGNER);
    assert_string_equal(env->hello->id, "3");
    assert_string_equal(env->hello->software_version, "0.1");
    net_env_free(env);
    assert_int_equal(net_env_unpack(&env, error_bytes, sizeof(error_bytes), MAX), NET_OK);
    assert_int_equal(env->error->code, 7);
    assert_string_equal(env->error->message, "no");
    net_env_free(env);
}

static void expect_reject(const unsigned char *in, size_t len, int expected) {
    Mpc__Wire__Envelope *env = (Mpc__Wire__Envelope *)&env; /* must become NULL */
    assert_int_equal(net_env_unpack(&env, in, len, MAX), expected);
    assert_null(env);
}

static void test_rejections(void **state) {
    unsigned char buf[64];
    Mpc__Wire__Envelope *none = NULL;
    (void)state;

    /* Size bound, checked before decoding. */
    assert_int_equal(net_env_unpack(&none, hello_bytes, sizeof(hello_bytes), sizeof(hello_bytes) - 1),
            NET_E_ENV_TOO_BIG);
    assert_null(none);
    /* Empty: version 0. */
    expect_reject(hello_bytes, 0, NET_E_ENV_VERSION);
    /* Truncated at every length: never accepted. */
    for (size_t n = 1; n < sizeof(hello_bytes); n++) {
        Mpc__Wire__Envelope *env = NULL;
        assert_true(net_env_unpack(&env, hello_bytes, n, MAX) < 0);
        assert_null(env);
    }
    /* Unknown version 2. */
    memcpy(buf, hello_bytes, sizeof(hello_bytes));
    buf[1] = 0x02;
    expect_reject(buf, sizeof(hello_bytes), NET_E_ENV_VERSION);
    /* Type says ERROR, body is a Hello. */
    memcpy(buf, hello_bytes, sizeof(hello_bytes));
    buf[3] = 0x0b;
    expect_reject(buf, sizeof(hello_bytes), NET_E_ENV_TYPE);
    /* Unknown type 12. */
    buf[3] = 0x0c;
    expect_reject(buf, sizeof(hello_bytes), NET_E_ENV_TYPE);
    /* Type HELLO without a body. */
    expect_reject((const unsigned char *)"\x08\x01\x10\x0a", 4, NET_E_ENV_TYPE);
    /* Unknown field 15 (varint) appended to the envelope. */
    memcpy(buf, hello_bytes, sizeof(hello_bytes));
    buf[sizeof(hello_bytes)] = 0x78;
    buf[sizeof(hello_bytes) + 1] = 0x01;
    expect_reject(buf, sizeof(hello_bytes) + 2, NET_E_ENV_DECODE);
    /* Trailing zero byte (field number 0 is invalid protobuf). */
    buf[sizeof(hello_bytes)] = 0x00;
    expect_reject(buf, sizeof(hello_bytes) + 1, NET_E_ENV_DECODE);
    /* Non-minimal varint for the version: 0x81 0x00 is 1 in two bytes. */
    {
        static const unsigned char v[] = {0x08, 0x81, 0x00, 0x10, 0x0a, 0x52, 0x0a, 0x08, 0x02, 0x12,
                                          0x01, '3', 0x1a, 0x03, '0', '.', '1'};
        expect_reject(v, sizeof(v), NET_E_ENV_NONCANONICAL);
    }
    /* Fields out of order (type before version). */
    {
        static const unsigned char v[] = {0x10, 0x0a, 0x08, 0x01, 0x52, 0x0a, 0x08, 0x02, 0x12, 0x01,
                                          '3', 0x1a, 0x03, '0', '.', '1'};
        expect_reject(v, sizeof(v), NET_E_ENV_NONCANONICAL);
    }
    /* Version given twice (last wins in protobuf, so it decodes). */
    {
        static const unsigned char v[] = {0x08, 0x01, 0x08, 0x01, 0x10, 0x0a, 0x52, 0x0a, 0x08, 0x02, 0x12,
                                          0x01, '3', 0x1a, 0x03, '0', '.', '1'};
        expect_reject(v, sizeof(v), NET_E_ENV_NONCANONICAL);
    }
    /* Unknown role 7. */
    memcpy(buf, hello_bytes, sizeof(hello_bytes));
    buf[7] = 0x07;
    expect_reject(buf, sizeof(hello_bytes), NET_E_ENV_FIELD);
    /* Role 0 (unspecified). */
    buf[7] = 0x00;
    expect_reject(buf, sizeof(hello_bytes), NET_E_ENV_FIELD);
    /* id "/" is not a valid id. */
    memcpy(buf, hello_bytes, sizeof(hello_bytes));
    buf[10] = '/';
    expect_reject(buf, sizeof(hello_bytes), NET_E_ENV_FIELD);
    /* id with an embedded NUL. */
    buf[10] = 0x00;
    expect_reject(buf, sizeof(hello_bytes), NET_E_ENV_FIELD);
    /* Empty id: hello{role=2, software_version="0.1"}. */
    {
        static const unsigned char v[] = {0x08, 0x01, 0x10, 0x0a, 0x52, 0x07, 0x08, 0x02, 0x1a, 0x03,
                                          '0', '.', '1'};
        expect_reject(v, sizeof(v), NET_E_ENV_FIELD);
    }
    /* Control character in the software version. */
    memcpy(buf, hello_bytes, sizeof(hello_bytes));
    buf[14] = '\n';
    expect_reject(buf, sizeof(hello_bytes), NET_E_ENV_FIELD);
    /* Error with code 0. */
    memcpy(buf, error_bytes, sizeof(error_bytes));
    buf[7] = 0x00;
    expect_reject(buf, sizeof(error_bytes), NET_E_ENV_FIELD);
    /* Unknown field inside the body: error{code=7, message="no", 9: 1}. */
    {
        static const unsigned char v[] = {0x08, 0x01, 0x10, 0x0b, 0x5a, 0x08, 0x08, 0x07, 0x12, 0x02,
                                          'n', 'o', 0x48, 0x01};
        expect_reject(v, sizeof(v), NET_E_ENV_DECODE);
    }
    /* Body length running past the end. */
    memcpy(buf, hello_bytes, sizeof(hello_bytes));
    buf[5] = 0x0b;
    expect_reject(buf, sizeof(hello_bytes), NET_E_ENV_DECODE);
}

/* Longest accepted id and version string, and one byte more. */
static void test_field_bounds(void **state) {
    char id[NET_ID_MAX + 2], ver[NET_ENV_VERSION_STR_MAX + 2];
    Mpc__Wire__Envelope env = MPC__WIRE__ENVELOPE__INIT;
    Mpc__Wire__Hello hello = MPC__WIRE__HELLO__INIT;
    (void)state;
    memset(id, 'a', sizeof(id) - 1);
    id[sizeof(id) - 1] = '\0';
    memset(ver, 'v', sizeof(ver) - 1);
    ver[sizeof(ver) - 1] = '\0';
    hello.role = MPC__WIRE__ROLE__ROLE_REQUESTER;
    env.version = NET_ENV_VERSION;
    env.type = MPC__WIRE__MSG_TYPE__MSG_TYPE_HELLO;
    env.body_case = MPC__WIRE__ENVELOPE__BODY_HELLO;
    env.hello = &hello;
    hello.id = id + 1; /* 64 characters */
    hello.software_version = ver + 1;
    assert_int_equal(net_env_check(&env), NET_OK);
    hello.id = id; /* 65 */
    assert_int_equal(net_env_check(&env), NET_E_ENV_FIELD);
    hello.id = id + 1;
    hello.software_version = ver;
    assert_int_equal(net_env_check(&env), NET_E_ENV_FIELD);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pack_hello),
        cmocka_unit_test(test_unpack_valid),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_field_bounds),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
