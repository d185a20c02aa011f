/* Enclave IPC: the start-up conversation over a real socketpair (first start and restart), the
 * permission table, strict envelope decoding (unknown fields, type/body mismatch, non-canonical
 * encodings, out-of-range fields), framing limits, and a forked enclave that dies on an unpermitted
 * message without answering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "enc_error.h"
#include "enclave.pb-c.h"
#include "enclave_vectors.h"
#include "ipc.h"
#include "seal/seal.h"

typedef Mpc__Enclave__Envelope Env;

typedef struct {
    int parent; /* test side */
    int child;  /* enclave side */
    enc_ipc e;
} conn;

static int setup_conn(void **state) {
    conn *c = calloc(1, sizeof(*c));
    int sv[2];

    if (c == NULL || sodium_init() < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return -1;
    c->parent = sv[0];
    c->child = sv[1];
    enc_ipc_init(&c->e, c->child);
    *state = c;
    return 0;
}

static int teardown_conn(void **state) {
    conn *c = *state;

    enc_ipc_clear(&c->e);
    close(c->parent);
    close(c->child);
    free(c);
    return 0;
}

static unsigned char *pack(size_t *len, const Env *env) {
    unsigned char *buf;

    *len = mpc__enclave__envelope__get_packed_size(env);
    buf = malloc(*len + 16); /* room for tests that append bytes */
    assert_non_null(buf);
    assert_int_equal(mpc__enclave__envelope__pack(env, buf), *len);
    return buf;
}

static void env_init(Env *env, Mpc__Enclave__MsgType type) {
    mpc__enclave__envelope__init(env);
    env->version = ENC_IPC_VERSION;
    env->type = type;
    env->body_case = (Mpc__Enclave__Envelope__BodyCase)type;
}

/* Parent sends env; the enclave reads and dispatches it. Returns the dispatch result. */
static int exchange(conn *c, const Env *env) {
    unsigned char *buf, *frame = NULL;
    size_t len, frame_len = 0;
    int r;

    buf = pack(&len, env);
    assert_int_equal(enc_ipc_write_frame(c->parent, buf, len), ENC_OK);
    free(buf);
    assert_int_equal(enc_ipc_read_frame(&frame, &frame_len, c->child), ENC_OK);
    r = enc_ipc_dispatch(&c->e, frame, frame_len);
    enc_ipc_frame_free(frame);
    return r;
}

static Env *receive(conn *c, Mpc__Enclave__MsgType want) {
    unsigned char *frame = NULL;
    size_t len = 0;
    Env *env;

    assert_int_equal(enc_ipc_read_frame(&frame, &len, c->parent), ENC_OK);
    env = mpc__enclave__envelope__unpack(NULL, len, frame);
    enc_ipc_frame_free(frame);
    assert_non_null(env);
    assert_int_equal(env->type, want);
    assert_int_equal((int)env->body_case, (int)want);
    return env;
}

static int send_hello(conn *c) {
    Env env;
    Mpc__Enclave__Hello hello = MPC__ENCLAVE__HELLO__INIT;

    env_init(&env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_HELLO);
    hello.protocol_version = ENC_IPC_PROTOCOL_VERSION;
    env.hello = &hello;
    return exchange(c, &env);
}

static int send_config_keyfile(conn *c, size_t key_len) {
    Env env;
    Mpc__Enclave__Config cfg = MPC__ENCLAVE__CONFIG__INIT;

    env_init(&env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_CONFIG);
    cfg.seal_backend = ENC_SEAL_BACKEND_KEYFILE;
    cfg.seal_secret.data = (unsigned char *)(uintptr_t)ev_keyfile_key;
    cfg.seal_secret.len = key_len;
    cfg.party_index = 2;
    env.config = &cfg;
    return exchange(c, &env);
}

static int send_empty(conn *c, Mpc__Enclave__MsgType type) {
    Env env;
    Mpc__Enclave__Init init = MPC__ENCLAVE__INIT__INIT;
    Mpc__Enclave__IdentityRequest idr = MPC__ENCLAVE__IDENTITY_REQUEST__INIT;
    Mpc__Enclave__Shutdown sd = MPC__ENCLAVE__SHUTDOWN__INIT;

    env_init(&env, type);
    if (type == MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_INIT)
        env.init = &init;
    else if (type == MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_IDENTITY_REQUEST)
        env.identity_request = &idr;
    else
        env.shutdown = &sd;
    return exchange(c, &env);
}

static void hello_and_config(conn *c) {
    Env *reply;

    assert_int_equal(send_hello(c), ENC_OK);
    reply = receive(c, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_HELLO_REPLY);
    assert_int_equal(reply->hello_reply->protocol_version, ENC_IPC_PROTOCOL_VERSION);
    mpc__enclave__envelope__free_unpacked(reply, NULL);
    assert_int_equal(c->e.state, ENC_IPC_ST_CONFIG);
    assert_int_equal(send_config_keyfile(c, 32), ENC_OK);
    assert_int_equal(c->e.state, ENC_IPC_ST_LOCKED);
}

static void test_first_start_and_restart(void **state) {
    conn *c = *state;
    Env *sealed, *ident, *again;
    Env env;
    Mpc__Enclave__Unseal un = MPC__ENCLAVE__UNSEAL__INIT;
    unsigned char pk[32];
    enc_seal_backend *kf = NULL;
    unsigned char *plain = NULL;
    size_t plain_len = 0;

    hello_and_config(c);
    assert_int_equal(send_empty(c, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_INIT), ENC_OK);
    assert_int_equal(c->e.state, ENC_IPC_ST_READY);
    sealed = receive(c, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SEALED);
    ident = receive(c, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_IDENTITY);
    assert_int_equal(sealed->sealed->kind, ENC_SEAL_KIND_IDENTITY);
    assert_int_equal(ident->identity->public_key.len, 32);
    memcpy(pk, ident->identity->public_key.data, 32);
    /* The blob is an identity blob under the configured key; its seed gives the announced key. */
    assert_int_equal(enc_seal_keyfile_create(&kf, ev_keyfile_key), ENC_OK);
    assert_int_equal(enc_unseal(kf, &plain, &plain_len, sealed->sealed->blob.data, sealed->sealed->blob.len,
                             ENC_SEAL_KIND_IDENTITY, NULL), ENC_OK);
    assert_int_equal(plain_len, 32);
    {
        unsigned char pk2[32], sk2[64];

        crypto_sign_seed_keypair(pk2, sk2, plain);
        assert_memory_equal(pk2, pk, 32);
        sodium_memzero(sk2, sizeof(sk2));
    }
    enc_seal_plain_free(plain);
    enc_seal_backend_destroy(kf);

    assert_int_equal(send_empty(c, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_IDENTITY_REQUEST), ENC_OK);
    again = receive(c, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_IDENTITY);
    assert_memory_equal(again->identity->public_key.data, pk, 32);
    mpc__enclave__envelope__free_unpacked(again, NULL);
    assert_int_equal(send_empty(c, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SHUTDOWN), ENC_OK);
    assert_int_equal(c->e.state, ENC_IPC_ST_DONE);

    /* Restart: the parent hands the stored identity blob back. */
    enc_ipc_clear(&c->e);
    enc_ipc_init(&c->e, c->child);
    hello_and_config(c);
    env_init(&env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_UNSEAL);
    un.kind = ENC_SEAL_KIND_IDENTITY;
    un.blob = sealed->sealed->blob;
    env.unseal = &un;
    assert_int_equal(exchange(c, &env), ENC_OK);
    again = receive(c, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_IDENTITY);
    assert_memory_equal(again->identity->public_key.data, pk, 32);
    assert_int_equal(c->e.state, ENC_IPC_ST_READY);
    mpc__enclave__envelope__free_unpacked(again, NULL);
    mpc__enclave__envelope__free_unpacked(ident, NULL);
    mpc__enclave__envelope__free_unpacked(sealed, NULL);
}

#define SERVING_ANY                                                                                      \
    (ENC_IPC_ST_SERVING | ENC_IPC_ST_KEYGEN | ENC_IPC_ST_KEYGEN_DONE | ENC_IPC_ST_SIGN_STORE | ENC_IPC_ST_SIGNING)

/* The table permits exactly the documented (type, state) pairs. */
static void test_permission_table(void **state) {
    static const struct {
        int type;
        unsigned int states;
    } want[] = {
        {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_HELLO, ENC_IPC_ST_HELLO},
        {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_CONFIG, ENC_IPC_ST_CONFIG},
        {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_INIT, ENC_IPC_ST_LOCKED},
        {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_UNSEAL, ENC_IPC_ST_LOCKED},
        {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_IDENTITY_REQUEST, ENC_IPC_ST_READY | SERVING_ANY},
        {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_LOAD, ENC_IPC_ST_READY},
        {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_START, ENC_IPC_ST_READY},
        {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_KEYGEN_START, ENC_IPC_ST_SERVING},
        {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_REFRESH_START, ENC_IPC_ST_SERVING},
        {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_KEYGEN_ROUND, ENC_IPC_ST_KEYGEN},
        {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_KEYGEN_COMMIT, ENC_IPC_ST_KEYGEN_DONE},
        {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SIGN_REQUEST, SERVING_ANY},
        {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SIGN_START, ENC_IPC_ST_SERVING},
        {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_STORED, ENC_IPC_ST_SIGN_STORE},
        {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SIGN_ROUND, ENC_IPC_ST_SIGNING},
        {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SHUTDOWN,
                ENC_IPC_ST_CONFIG | ENC_IPC_ST_LOCKED | ENC_IPC_ST_READY | SERVING_ANY},
    };

    (void)state;
    for (int type = 0; type < 64; type++) {
        for (unsigned int st = ENC_IPC_ST_HELLO; st <= ENC_IPC_ST_SIGNING; st <<= 1) {
            unsigned int expect = 0;

            for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
                if (want[i].type == type)
                    expect = want[i].states;
            assert_int_equal(enc_ipc_permitted(type, st), (expect & st) != 0);
        }
    }
}

static void test_unpermitted(void **state) {
    conn *c = *state;
    Env env;
    Mpc__Enclave__SignRequest sr = MPC__ENCLAVE__SIGN_REQUEST__INIT;
    Mpc__Enclave__Identity id = MPC__ENCLAVE__IDENTITY__INIT;
    unsigned char kid[32] = {0}, rid[16] = {0}, payload[4] = {1, 2, 3, 4};
    uint32_t signers[2] = {1, 2};

    assert_int_equal(send_empty(c, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_IDENTITY_REQUEST), ENC_IPC_E_FORBIDDEN);
    assert_int_equal(send_empty(c, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SHUTDOWN), ENC_IPC_E_FORBIDDEN);
    assert_int_equal(c->e.state, ENC_IPC_ST_HELLO);
    hello_and_config(c);
    assert_int_equal(send_hello(c), ENC_IPC_E_FORBIDDEN);
    assert_int_equal(send_empty(c, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_INIT), ENC_OK);
    mpc__enclave__envelope__free_unpacked(receive(c, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SEALED), NULL);
    mpc__enclave__envelope__free_unpacked(receive(c, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_IDENTITY), NULL);
    assert_int_equal(send_empty(c, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_INIT), ENC_IPC_E_FORBIDDEN);
    /* Well-formed but only permitted after START: refused like any unpermitted message. */
    env_init(&env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SIGN_REQUEST);
    sr.request_id.data = rid;
    sr.request_id.len = sizeof(rid);
    sr.key_id.data = kid;
    sr.key_id.len = sizeof(kid);
    sr.payload_type = 1;
    sr.payload.data = payload;
    sr.payload.len = sizeof(payload);
    sr.signers = signers;
    sr.n_signers = 2;
    sr.coord_nonce.data = kid;
    sr.coord_nonce.len = sizeof(kid);
    env.sign_request = &sr;
    assert_int_equal(exchange(c, &env), ENC_IPC_E_FORBIDDEN);
    /* An enclave-to-parent type coming from the parent. */
    env_init(&env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_IDENTITY);
    id.public_key.data = kid;
    id.public_key.len = 32;
    env.identity = &id;
    assert_int_equal(exchange(c, &env), ENC_IPC_E_TYPE);
}

static int unpack_result(const unsigned char *buf, size_t len) {
    Env *env = (Env *)(uintptr_t)0x1;
    int r = enc_ipc_unpack(&env, buf, len);

    if (r == ENC_OK)
        enc_ipc_envelope_free(env);
    else
        assert_ptr_equal(env, (Env *)(uintptr_t)0x1);
    return r;
}

static void test_strict_decode(void **state) {
    Env env;
    Mpc__Enclave__Hello hello = MPC__ENCLAVE__HELLO__INIT;
    Mpc__Enclave__Config cfg = MPC__ENCLAVE__CONFIG__INIT;
    Mpc__Enclave__Unseal un = MPC__ENCLAVE__UNSEAL__INIT;
    unsigned char *buf;
    size_t len;

    (void)state;
    env_init(&env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_HELLO);
    hello.protocol_version = ENC_IPC_PROTOCOL_VERSION;
    env.hello = &hello;
    buf = pack(&len, &env);
    assert_int_equal(unpack_result(buf, len), ENC_OK);
    assert_int_equal(unpack_result(buf, 0), ENC_IPC_E_FRAME);
    /* Unknown field 99 (varint) at the end of the envelope. */
    buf[len] = (unsigned char)(((99u << 3) & 0x7f) | 0x80);
    buf[len + 1] = (unsigned char)((99u << 3) >> 7);
    buf[len + 2] = 0x01;
    assert_int_equal(unpack_result(buf, len + 3), ENC_IPC_E_DECODE);
    /* Duplicate version field (last one wins in protobuf): not canonical. */
    buf[len] = 0x08;
    buf[len + 1] = 0x01;
    assert_int_equal(unpack_result(buf, len + 2), ENC_IPC_E_DECODE);
    /* Garbage that is not protobuf. */
    buf[len] = 0xff;
    assert_int_equal(unpack_result(buf, len + 1), ENC_IPC_E_DECODE);
    free(buf);
    /* Hand-encoded: version 1, type HELLO, hello {protocol_version 1}; then the same with a
     * non-minimal varint, with fields out of order, and without a body. */
    {
        static const unsigned char canonical[] = {0x08, 0x01, 0x10, 0x0a, 0x52, 0x02, 0x08, 0x01};
        static const unsigned char long_varint[] = {0x08, 0x81, 0x00, 0x10, 0x0a, 0x52, 0x02, 0x08, 0x01};
        static const unsigned char reordered[] = {0x10, 0x0a, 0x08, 0x01, 0x52, 0x02, 0x08, 0x01};

        assert_int_equal(unpack_result(canonical, sizeof(canonical)), ENC_OK);
        assert_int_equal(unpack_result(long_varint, sizeof(long_varint)), ENC_IPC_E_DECODE);
        assert_int_equal(unpack_result(reordered, sizeof(reordered)), ENC_IPC_E_DECODE);
        assert_int_equal(unpack_result(canonical, 4), ENC_IPC_E_TYPE);
    }

    env.version = 2;
    buf = pack(&len, &env);
    assert_int_equal(unpack_result(buf, len), ENC_IPC_E_VERSION);
    free(buf);
    env.version = ENC_IPC_VERSION;
    env.type = MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_CONFIG; /* body is still hello */
    buf = pack(&len, &env);
    assert_int_equal(unpack_result(buf, len), ENC_IPC_E_TYPE);
    free(buf);
    env.type = MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_HELLO;
    hello.protocol_version = 2;
    buf = pack(&len, &env);
    assert_int_equal(unpack_result(buf, len), ENC_IPC_E_FIELD);
    free(buf);

    env_init(&env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_CONFIG);
    env.config = &cfg;
    cfg.seal_backend = ENC_SEAL_BACKEND_KEYFILE;
    cfg.seal_secret.data = (unsigned char *)(uintptr_t)ev_keyfile_key;
    cfg.seal_secret.len = 31;
    cfg.party_index = 1;
    buf = pack(&len, &env);
    assert_int_equal(unpack_result(buf, len), ENC_IPC_E_FIELD);
    free(buf);
    cfg.seal_secret.len = 32;
    cfg.pw_opslimit = 3; /* meaningless for a key file: refused rather than ignored */
    buf = pack(&len, &env);
    assert_int_equal(unpack_result(buf, len), ENC_IPC_E_FIELD);
    free(buf);
    cfg.pw_opslimit = 0;
    cfg.party_index = 17;
    buf = pack(&len, &env);
    assert_int_equal(unpack_result(buf, len), ENC_IPC_E_FIELD);
    free(buf);
    cfg.party_index = 1;
    cfg.seal_backend = 3;
    buf = pack(&len, &env);
    assert_int_equal(unpack_result(buf, len), ENC_IPC_E_FIELD);
    free(buf);

    env_init(&env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_UNSEAL);
    env.unseal = &un;
    un.kind = 9;
    un.blob.data = (unsigned char *)(uintptr_t)ev_id1_blob;
    un.blob.len = sizeof(ev_id1_blob);
    buf = pack(&len, &env);
    assert_int_equal(unpack_result(buf, len), ENC_IPC_E_FIELD);
    free(buf);
    un.kind = ENC_SEAL_KIND_KEY_SHARE; /* keyed kind without its key id */
    buf = pack(&len, &env);
    assert_int_equal(unpack_result(buf, len), ENC_IPC_E_FIELD);
    free(buf);
}

/* A passphrase cost outside the accepted range is a field error when the backend is created. */
static void test_config_passphrase_cost(void **state) {
    conn *c = *state;
    Env env;
    Mpc__Enclave__Config cfg = MPC__ENCLAVE__CONFIG__INIT;
    Env *reply;

    assert_int_equal(send_hello(c), ENC_OK);
    reply = receive(c, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_HELLO_REPLY);
    mpc__enclave__envelope__free_unpacked(reply, NULL);
    env_init(&env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_CONFIG);
    cfg.seal_backend = ENC_SEAL_BACKEND_PASSPHRASE;
    cfg.seal_secret.data = (unsigned char *)"passphrase";
    cfg.seal_secret.len = 10;
    cfg.pw_opslimit = 0;
    cfg.pw_memlimit = 8192;
    cfg.party_index = 1;
    env.config = &cfg;
    assert_int_equal(exchange(c, &env), ENC_IPC_E_FIELD);
    assert_int_equal(c->e.state, ENC_IPC_ST_CONFIG);
}

static void test_frames(void **state) {
    conn *c = *state;
    unsigned char *frame = NULL;
    size_t len = 0;
    unsigned char hdr[4];

    /* Zero length and one above the maximum are refused from the header alone. */
    memset(hdr, 0, sizeof(hdr));
    assert_int_equal(write(c->parent, hdr, 4), 4);
    assert_int_equal(enc_ipc_read_frame(&frame, &len, c->child), ENC_IPC_E_FRAME);
    hdr[0] = (unsigned char)((ENC_IPC_MAX_FRAME + 1) >> 24);
    hdr[1] = (unsigned char)((ENC_IPC_MAX_FRAME + 1) >> 16);
    hdr[2] = (unsigned char)((ENC_IPC_MAX_FRAME + 1) >> 8);
    hdr[3] = (unsigned char)(ENC_IPC_MAX_FRAME + 1);
    assert_int_equal(write(c->parent, hdr, 4), 4);
    assert_int_equal(enc_ipc_read_frame(&frame, &len, c->child), ENC_IPC_E_FRAME);
    assert_null(frame);
    assert_int_equal(enc_ipc_write_frame(c->parent, hdr, 0), ENC_IPC_E_FRAME);
    /* The parent goes away in the middle of a frame. */
    hdr[0] = hdr[1] = hdr[2] = 0;
    hdr[3] = 10;
    assert_int_equal(write(c->parent, hdr, 4), 4);
    assert_int_equal(write(c->parent, "abc", 3), 3);
    shutdown(c->parent, SHUT_WR);
    assert_int_equal(enc_ipc_read_frame(&frame, &len, c->child), ENC_IPC_E_IO);
    assert_null(frame);
}

/* A real enclave loop in a child: SHUTDOWN ends it cleanly; an unpermitted message ends it with an
 * error and no reply. */
static void test_serve_fail_closed(void **state) {
    conn *c = *state;
    int status = 0;
    unsigned char b;

    for (int k = 0; k < 2; k++) {
        pid_t pid;
        int sv[2];

        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            enc_ipc e;
            int r;

            close(sv[0]);
            enc_ipc_init(&e, sv[1]);
            r = enc_ipc_serve(&e);
            enc_ipc_clear(&e);
            _exit(r == ENC_OK ? 0 : 1);
        }
        close(sv[1]);
        close(c->parent);
        c->parent = sv[0];
        {
            Env env;
            Mpc__Enclave__Hello hello = MPC__ENCLAVE__HELLO__INIT;
            Mpc__Enclave__Shutdown sd = MPC__ENCLAVE__SHUTDOWN__INIT;
            Mpc__Enclave__IdentityRequest idr = MPC__ENCLAVE__IDENTITY_REQUEST__INIT;
            unsigned char *buf;
            size_t len;
            Env *reply;

            env_init(&env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_HELLO);
            hello.protocol_version = ENC_IPC_PROTOCOL_VERSION;
            env.hello = &hello;
            buf = pack(&len, &env);
            assert_int_equal(enc_ipc_write_frame(c->parent, buf, len), ENC_OK);
            free(buf);
            reply = receive(c, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_HELLO_REPLY);
            mpc__enclave__envelope__free_unpacked(reply, NULL);
            if (k == 0) {
                env_init(&env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SHUTDOWN);
                env.shutdown = &sd;
            } else {
                env_init(&env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_IDENTITY_REQUEST);
                env.identity_request = &idr;
            }
            buf = pack(&len, &env);
            assert_int_equal(enc_ipc_write_frame(c->parent, buf, len), ENC_OK);
            free(buf);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), k == 0 ? 0 : 1);
        /* Nothing was answered: the socket is at end of file. */
        assert_int_equal(read(c->parent, &b, 1), 0);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_first_start_and_restart, setup_conn, teardown_conn),
        cmocka_unit_test(test_permission_table),
        cmocka_unit_test_setup_teardown(test_unpermitted, setup_conn, teardown_conn),
        cmocka_unit_test(test_strict_decode),
        cmocka_unit_test_setup_teardown(test_config_passphrase_cost, setup_conn, teardown_conn),
        cmocka_unit_test_setup_teardown(test_frames, setup_conn, teardown_conn),
        cmocka_unit_test_setup_teardown(test_serve_fail_closed, setup_conn, teardown_conn),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
