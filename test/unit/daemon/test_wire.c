/* daemon/wire: strict decoding of the daemons' messages (what is accepted and what is rejected). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "envelope.h"
#include "wire.h"

static unsigned char key32[32];

/* Packs env with protobuf-c directly (no checks), so rejected messages can be built. */
static size_t pack_raw(unsigned char *buf, size_t cap, const Mpc__Wire__Envelope *env) {
    size_t len = mpc__wire__envelope__get_packed_size(env);
    assert_true(len <= cap);
    assert_int_equal(mpc__wire__envelope__pack(env, buf), len);
    return len;
}

static int unpack_code(const unsigned char *buf, size_t len) {
    Mpc__Wire__Envelope *env = NULL;
    int r = wire_unpack(&env, buf, len);
    if (r == NET_OK) {
        assert_non_null(env);
        net_env_free(env);
    } else {
        assert_null(env);
    }
    return r;
}

static void sign_call(Mpc__Wire__Envelope *env, Mpc__Wire__SignCall *sc, uint32_t *path) {
    static unsigned char payload[] = "hello";
    mpc__wire__sign_call__init(sc);
    sc->call_id = 7;
    sc->key_id.data = key32;
    sc->key_id.len = 32;
    sc->payload_type = MPC__WIRE__PAYLOAD_TYPE__PAYLOAD_TYPE_EIP191;
    sc->payload.data = payload;
    sc->payload.len = 5;
    path[0] = 0;
    path[1] = 17;
    sc->path = path;
    sc->n_path = 2;
    sc->idempotency_key = (char *)"withdrawal-42";
    wire_init(env, MPC__WIRE__MSG_TYPE__MSG_TYPE_SIGN_CALL, sc);
}

static void test_round_trip(void **state) {
    Mpc__Wire__Envelope env, *out = NULL;
    Mpc__Wire__SignCall sc;
    uint32_t path[2];
    unsigned char buf[512];
    size_t len;
    (void)state;
    sign_call(&env, &sc, path);
    assert_int_equal(wire_check(&env), NET_OK);
    len = pack_raw(buf, sizeof(buf), &env);
    assert_int_equal(wire_unpack(&out, buf, len), NET_OK);
    assert_int_equal(out->type, MPC__WIRE__MSG_TYPE__MSG_TYPE_SIGN_CALL);
    assert_int_equal(out->sign_call->call_id, 7);
    assert_int_equal(out->sign_call->n_path, 2);
    assert_int_equal(out->sign_call->path[1], 17);
    assert_string_equal(out->sign_call->idempotency_key, "withdrawal-42");
    assert_memory_equal(out->sign_call->payload.data, "hello", 5);
    net_env_free(out);
}

static void test_field_rules(void **state) {
    Mpc__Wire__Envelope env;
    Mpc__Wire__SignCall sc;
    Mpc__Wire__SignerResult sr = MPC__WIRE__SIGNER_RESULT__INIT;
    char long_key[WIRE_IDEMPOTENCY_MAX + 2];
    uint32_t path[2];
    (void)state;
    sign_call(&env, &sc, path);
    sc.key_id.len = 31; /* ids are exactly 32 bytes (or absent) */
    assert_int_equal(wire_check(&env), NET_E_ENV_FIELD);
    sc.key_id.len = 0;
    assert_int_equal(wire_check(&env), NET_OK);
    sc.key_id.len = 32;
    sc.idempotency_key = (char *)"two\nlines";
    assert_int_equal(wire_check(&env), NET_E_ENV_FIELD);
    memset(long_key, 'k', sizeof(long_key) - 1);
    long_key[sizeof(long_key) - 1] = '\0';
    sc.idempotency_key = long_key + 1; /* 128 characters */
    assert_int_equal(wire_check(&env), NET_OK);
    sc.idempotency_key = long_key; /* 129 */
    assert_int_equal(wire_check(&env), NET_E_ENV_FIELD);
    /* Summaries are the one multi-line string; other control characters stay forbidden. */
    sr.summary = (char *)"EIP-191 personal message\nallowed";
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_SIGNER_RESULT, &sr);
    assert_int_equal(wire_check(&env), NET_OK);
    sr.summary = (char *)"tab\there";
    assert_int_equal(wire_check(&env), NET_E_ENV_FIELD);
}

/* The fields added for refresh and for matching verdicts to attempts have fixed sizes too. */
static void test_refresh_and_nonce_fields(void **state) {
    static unsigned char buf[33];
    Mpc__Wire__Envelope env;
    Mpc__Wire__KeygenStart ks = MPC__WIRE__KEYGEN_START__INIT;
    Mpc__Wire__SignerResult sr = MPC__WIRE__SIGNER_RESULT__INIT;
    Mpc__Wire__RequestInfo info = MPC__WIRE__REQUEST_INFO__INIT;
    Mpc__Wire__RequestReply rr = MPC__WIRE__REQUEST_REPLY__INIT;
    (void)state;
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_KEYGEN_START, &ks);
    ks.key_id.data = buf;
    ks.key_id.len = 32;
    assert_int_equal(wire_check(&env), NET_OK);
    ks.key_id.len = 33;
    assert_int_equal(wire_check(&env), NET_E_ENV_FIELD);
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_SIGNER_RESULT, &sr);
    sr.summary = (char *)"";
    sr.coord_nonce.data = buf;
    sr.coord_nonce.len = 32;
    assert_int_equal(wire_check(&env), NET_OK);
    sr.coord_nonce.len = 31;
    assert_int_equal(wire_check(&env), NET_E_ENV_FIELD);
    rr.info = &info;
    info.error = (char *)"";
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_REQUEST_REPLY, &rr);
    info.new_key_id.data = buf;
    info.new_key_id.len = 32;
    assert_int_equal(wire_check(&env), NET_OK);
    info.new_key_id.len = 1;
    assert_int_equal(wire_check(&env), NET_E_ENV_FIELD);
}

static void test_type_rules(void **state) {
    Mpc__Wire__Envelope env;
    Mpc__Wire__SignCall sc;
    Mpc__Wire__StatusCall st = MPC__WIRE__STATUS_CALL__INIT;
    uint32_t path[2];
    (void)state;
    sign_call(&env, &sc, path);
    env.type = MPC__WIRE__MSG_TYPE__MSG_TYPE_STATUS_CALL; /* says status, carries a sign call */
    assert_int_equal(wire_check(&env), NET_E_ENV_TYPE);
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_STATUS_CALL, &st);
    env.version = 2;
    assert_int_equal(wire_check(&env), NET_E_ENV_VERSION);
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_STATUS_CALL, &st);
    env.body_case = MPC__WIRE__ENVELOPE__BODY__NOT_SET;
    env.hello = NULL;
    assert_int_equal(wire_check(&env), NET_E_ENV_TYPE);
}

static void test_byte_level_rejections(void **state) {
    /* Envelope{version=1, type=45 (relay), relay{receiver=1}}. */
    static const unsigned char relay_ok[] = {0x08, 0x01, 0x10, 0x2d, 0xea, 0x02, 0x02, 0x20, 0x01};
    /* The same with an unknown field 9 inside the relay body. */
    static const unsigned char relay_unknown[] = {0x08, 0x01, 0x10, 0x2d, 0xea, 0x02, 0x04, 0x20, 0x01, 0x48, 0x01};
    /* Fields out of order: type before version. */
    static const unsigned char reordered[] = {0x10, 0x2d, 0x08, 0x01, 0xea, 0x02, 0x02, 0x20, 0x01};
    /* Non-minimal varint for the version. */
    static const unsigned char long_varint[] = {0x08, 0x81, 0x00, 0x10, 0x2d, 0xea, 0x02, 0x02, 0x20, 0x01};
    /* Type 99 is no message type. */
    static const unsigned char unknown_type[] = {0x08, 0x01, 0x10, 0x63};
    unsigned char trailing[sizeof(relay_ok) + 1];
    (void)state;
    assert_int_equal(unpack_code(relay_ok, sizeof(relay_ok)), NET_OK);
    assert_int_equal(unpack_code(relay_unknown, sizeof(relay_unknown)), NET_E_ENV_DECODE);
    assert_int_equal(unpack_code(reordered, sizeof(reordered)), NET_E_ENV_NONCANONICAL);
    assert_int_equal(unpack_code(long_varint, sizeof(long_varint)), NET_E_ENV_NONCANONICAL);
    assert_int_equal(unpack_code(unknown_type, sizeof(unknown_type)), NET_E_ENV_TYPE);
    memcpy(trailing, relay_ok, sizeof(relay_ok));
    trailing[sizeof(relay_ok)] = 0x00; /* a zero byte is not a valid field tag */
    assert_int_equal(unpack_code(trailing, sizeof(trailing)), NET_E_ENV_DECODE);
    assert_int_equal(unpack_code(relay_ok, sizeof(relay_ok) - 1), NET_E_ENV_DECODE);
}

static void test_hex(void **state) {
    unsigned char out[2];
    char h[5];
    (void)state;
    assert_int_equal(wire_unhex(out, 2, "0aFf"), NET_OK);
    assert_int_equal(out[0], 0x0a);
    assert_int_equal(out[1], 0xff);
    wire_hex(h, out, 2);
    assert_string_equal(h, "0aff");
    assert_int_equal(wire_unhex(out, 2, "0af"), NET_E_ARG);
    assert_int_equal(wire_unhex(out, 2, "0afg"), NET_E_ARG);
    assert_int_equal(wire_unhex(out, 2, "0aff00"), NET_E_ARG);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_field_rules),
        cmocka_unit_test(test_refresh_and_nonce_fields),
        cmocka_unit_test(test_type_rules),
        cmocka_unit_test(test_byte_level_rejections),
        cmocka_unit_test(test_hex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
