/* End-to-end signer channels: messages built by the Python implementation (gen_enclave_vectors.py)
 * open; round trips; and every relay misbehaviour (altered header field or ciphertext byte, replay,
 * cross-session replay, reorder, drop, misdelivery, impersonation) yields its transport error and
 * leaves the receiver's state unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "channel.h"
#include "enc_error.h"
#include "enclave_vectors.h"
#include "identity.h"
#include "seal/seal.h"

#define MSG_CAP 4096

typedef struct {
    enc_identity *id[4];           /* parties 1..3 */
    unsigned char pk[4][32];
    enc_chan_session *s[4];        /* each party's view of session A */
    unsigned char key_id[32];
    unsigned char sid[32];
} fixture;

static enc_chan_session *make_session(fixture *f, uint16_t self, const unsigned char sid[32]) {
    enc_chan_peer peers[2];
    enc_chan_session *s = NULL;
    size_t n = 0;

    for (uint16_t j = 1; j <= 3; j++) {
        if (j == self)
            continue;
        peers[n].index = j;
        memcpy(peers[n].identity_pk, f->pk[j], 32);
        n++;
    }
    assert_int_equal(enc_chan_session_create(&s, f->id[self], self, f->key_id, sid, peers, n), ENC_OK);
    return s;
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof(*f));

    if (f == NULL || sodium_init() < 0)
        return -1;
    for (int i = 1; i <= 3; i++) {
        if (enc_identity_generate(&f->id[i]) != ENC_OK)
            return -1;
        enc_identity_public_key(f->id[i], f->pk[i]);
    }
    memset(f->key_id, 0xaa, 32);
    memset(f->sid, 0x5a, 32);
    for (uint16_t i = 1; i <= 3; i++)
        f->s[i] = make_session(f, i, f->sid);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;

    for (int i = 1; i <= 3; i++) {
        enc_chan_session_destroy(f->s[i]);
        enc_identity_free(f->id[i]);
    }
    free(f);
    return 0;
}

/* Fresh sessions for every test so replay state starts empty. */
static int reset(void **state) {
    fixture *f = *state;

    for (uint16_t i = 1; i <= 3; i++) {
        enc_chan_session_destroy(f->s[i]);
        f->s[i] = make_session(f, i, f->sid);
    }
    return 0;
}

static size_t seal_msg(enc_chan_session *s, unsigned char *msg, uint8_t cls, uint16_t to, uint16_t round,
        const char *payload) {
    size_t len = 0;

    assert_int_equal(enc_chan_seal(s, msg, MSG_CAP, &len, cls, to, round, (const unsigned char *)payload,
                             strlen(payload)), ENC_OK);
    assert_int_equal(len, enc_chan_message_bytes(cls, strlen(payload)));
    return len;
}

static void open_ok(enc_chan_session *s, const unsigned char *msg, size_t len, uint8_t cls, uint16_t from,
        uint16_t round, const char *payload) {
    unsigned char out[MSG_CAP];
    size_t out_len = 0;
    enc_chan_info info;

    assert_int_equal(enc_chan_open(s, out, sizeof(out), &out_len, &info, msg, len), ENC_OK);
    assert_int_equal(out_len, strlen(payload));
    assert_memory_equal(out, payload, out_len);
    assert_int_equal(info.cls, cls);
    assert_int_equal(info.sender, from);
    assert_int_equal(info.round, round);
}

/* Open must fail; the payload buffer must be untouched. Returns the error. */
static int open_fails(enc_chan_session *s, const unsigned char *msg, size_t len) {
    unsigned char out[MSG_CAP];
    size_t out_len = 777;
    enc_chan_info info;
    int r;

    memset(out, 0xee, sizeof(out));
    r = enc_chan_open(s, out, sizeof(out), &out_len, &info, msg, len);
    assert_int_not_equal(r, ENC_OK);
    assert_int_equal(out_len, 777);
    for (size_t i = 0; i < sizeof(out); i++)
        assert_int_equal(out[i], 0xee);
    return r;
}

static int is_transport_error(int r) {
    return r <= ENC_CHAN_E_FORMAT && r >= ENC_CHAN_E_AUTH;
}

static void test_python_messages(void **state) {
    enc_seal_backend *kf = NULL;
    enc_identity *id1 = NULL, *id2 = NULL;
    enc_chan_session *s2 = NULL;
    enc_chan_peer peer;
    unsigned char out[256];
    size_t out_len = 0;
    enc_chan_info info;

    (void)state;
    assert_int_equal(enc_seal_keyfile_create(&kf, ev_keyfile_key), ENC_OK);
    assert_int_equal(enc_identity_unseal(&id1, kf, ev_id1_blob, sizeof(ev_id1_blob)), ENC_OK);
    assert_int_equal(enc_identity_unseal(&id2, kf, ev_id2_blob, sizeof(ev_id2_blob)), ENC_OK);
    peer.index = 1;
    memcpy(peer.identity_pk, ev_id1_pk, 32);
    assert_int_equal(enc_chan_session_create(&s2, id2, 2, ev_chan_key_id, ev_chan_session_id, &peer, 1), ENC_OK);
    assert_int_equal(enc_chan_open(s2, out, sizeof(out), &out_len, &info, ev_chan_bcast, sizeof(ev_chan_bcast)),
            ENC_OK);
    assert_int_equal(info.cls, ENC_CHAN_BROADCAST);
    assert_int_equal(out_len, sizeof(ev_chan_bcast_payload));
    assert_memory_equal(out, ev_chan_bcast_payload, out_len);
    assert_int_equal(enc_chan_open(s2, out, sizeof(out), &out_len, &info, ev_chan_p2p, sizeof(ev_chan_p2p)), ENC_OK);
    assert_int_equal(info.cls, ENC_CHAN_P2P);
    assert_int_equal(info.sender, 1);
    assert_int_equal(out_len, sizeof(ev_chan_p2p_payload));
    assert_memory_equal(out, ev_chan_p2p_payload, out_len);
    enc_chan_session_destroy(s2);
    enc_identity_free(id2);
    enc_identity_free(id1);
    enc_seal_backend_destroy(kf);
}

static void test_roundtrip(void **state) {
    fixture *f = *state;
    unsigned char m[MSG_CAP];
    size_t len;

    len = seal_msg(f->s[1], m, ENC_CHAN_BROADCAST, 2, 1, "commitment");
    open_ok(f->s[2], m, len, ENC_CHAN_BROADCAST, 1, 1, "commitment");
    len = seal_msg(f->s[1], m, ENC_CHAN_P2P, 2, 2, "secret share for 2");
    open_ok(f->s[2], m, len, ENC_CHAN_P2P, 1, 2, "secret share for 2");
    len = seal_msg(f->s[1], m, ENC_CHAN_BROADCAST, 2, 2, "");
    open_ok(f->s[2], m, len, ENC_CHAN_BROADCAST, 1, 2, "");
    len = seal_msg(f->s[2], m, ENC_CHAN_P2P, 1, 1, "reply");
    open_ok(f->s[1], m, len, ENC_CHAN_P2P, 2, 1, "reply");
    len = seal_msg(f->s[3], m, ENC_CHAN_P2P, 2, 1, "from 3");
    open_ok(f->s[2], m, len, ENC_CHAN_P2P, 3, 1, "from 3");
    /* The payload is not visible in a point-to-point message. */
    len = seal_msg(f->s[1], m, ENC_CHAN_P2P, 3, 1, "SECRETSECRETSECRET");
    for (size_t i = 0; i + 6 <= len; i++)
        assert_false(memcmp(m + i, "SECRET", 6) == 0);
}

/* Flip every byte of a message (header, nonce, ciphertext or payload, signature): each is a
 * transport error, and afterwards the original still opens. */
static void tamper_all(fixture *f, uint8_t cls) {
    unsigned char m[MSG_CAP];
    size_t len = seal_msg(f->s[1], m, cls, 2, 1, "payload under test");

    for (size_t i = 0; i < len; i++) {
        int r;

        m[i] ^= 0x04;
        r = open_fails(f->s[2], m, len);
        assert_true(is_transport_error(r));
        if (i == 0)
            assert_int_equal(r, ENC_CHAN_E_VERSION);
        else if (i == 1)
            assert_int_equal(r, ENC_CHAN_E_FORMAT);
        else if (i < 66)
            assert_int_equal(r, ENC_CHAN_E_SESSION);
        else if (i < 68)
            assert_true(r == ENC_CHAN_E_ROUND || r == ENC_CHAN_E_AUTH); /* out of range, or a valid other round */
        else if (i < 70)
            assert_int_equal(r, ENC_CHAN_E_SENDER);
        else if (i < 72)
            assert_int_equal(r, ENC_CHAN_E_RECEIVER);
        else if (i < 76)
            assert_int_equal(r, ENC_CHAN_E_GAP);
        else if (i < 80)
            assert_true(r == ENC_CHAN_E_FORMAT || r == ENC_CHAN_E_TOO_LONG);
        else
            assert_int_equal(r, ENC_CHAN_E_AUTH);
        m[i] ^= 0x04;
    }
    open_ok(f->s[2], m, len, cls, 1, 1, "payload under test");
}

static void test_tamper_p2p(void **state) {
    tamper_all(*state, ENC_CHAN_P2P);
}

static void test_tamper_broadcast(void **state) {
    tamper_all(*state, ENC_CHAN_BROADCAST);
}

/* Header fields rewritten to values that pass the pre-checks are caught by the MAC/signature. */
static void test_rewritten_header(void **state) {
    fixture *f = *state;
    unsigned char m[MSG_CAP], m3[MSG_CAP];
    size_t len, len3;

    for (int k = 0; k < 2; k++) {
        uint8_t cls = k == 0 ? ENC_CHAN_P2P : ENC_CHAN_BROADCAST;

        reset(state);
        /* Round 1 -> 2 (still in range and not older). */
        len = seal_msg(f->s[1], m, cls, 2, 1, "x");
        m[67] = 2;
        assert_int_equal(open_fails(f->s[2], m, len), ENC_CHAN_E_AUTH);
        m[67] = 1;
        /* Impersonation: party 3's message to 2 relabelled as coming from 1. */
        len3 = seal_msg(f->s[3], m3, cls, 2, 1, "y");
        m3[69] = 1;
        assert_int_equal(open_fails(f->s[2], m3, len3), ENC_CHAN_E_AUTH);
        /* Misdelivery: 1's message to 3 readdressed to 2. */
        len3 = seal_msg(f->s[1], m3, cls, 3, 1, "z");
        assert_int_equal(open_fails(f->s[2], m3, len3), ENC_CHAN_E_RECEIVER);
        m3[71] = 2;
        assert_int_equal(open_fails(f->s[2], m3, len3), ENC_CHAN_E_AUTH);
        open_ok(f->s[2], m, len, cls, 1, 1, "x");
    }
}

static void test_replay_reorder_drop(void **state) {
    fixture *f = *state;
    unsigned char m1[MSG_CAP], m2[MSG_CAP], m3[MSG_CAP];
    size_t l1, l2, l3;

    l1 = seal_msg(f->s[1], m1, ENC_CHAN_BROADCAST, 2, 1, "one");
    l2 = seal_msg(f->s[1], m2, ENC_CHAN_P2P, 2, 1, "two");
    l3 = seal_msg(f->s[1], m3, ENC_CHAN_P2P, 2, 2, "three");
    /* Reordered: 2 before 1 is a gap; in order afterwards everything opens. */
    assert_int_equal(open_fails(f->s[2], m2, l2), ENC_CHAN_E_GAP);
    open_ok(f->s[2], m1, l1, ENC_CHAN_BROADCAST, 1, 1, "one");
    /* Replay. */
    assert_int_equal(open_fails(f->s[2], m1, l1), ENC_CHAN_E_REPLAY);
    /* Dropped: 3 without 2. */
    assert_int_equal(open_fails(f->s[2], m3, l3), ENC_CHAN_E_GAP);
    open_ok(f->s[2], m2, l2, ENC_CHAN_P2P, 1, 1, "two");
    open_ok(f->s[2], m3, l3, ENC_CHAN_P2P, 1, 2, "three");
    assert_int_equal(open_fails(f->s[2], m2, l2), ENC_CHAN_E_REPLAY);
    assert_int_equal(open_fails(f->s[2], m3, l3), ENC_CHAN_E_REPLAY);
    /* Messages to another receiver do not disturb this pair's sequence. */
    l1 = seal_msg(f->s[1], m1, ENC_CHAN_P2P, 3, 1, "to three");
    open_ok(f->s[3], m1, l1, ENC_CHAN_P2P, 1, 1, "to three");
}

static void test_round_order_and_duplicate(void **state) {
    fixture *f = *state;
    unsigned char m1[MSG_CAP], m2[MSG_CAP], m3[MSG_CAP];
    size_t l1, l2, l3;

    l1 = seal_msg(f->s[1], m1, ENC_CHAN_P2P, 2, 2, "round two");
    l2 = seal_msg(f->s[1], m2, ENC_CHAN_P2P, 2, 1, "round one, late");
    open_ok(f->s[2], m1, l1, ENC_CHAN_P2P, 1, 2, "round two");
    assert_int_equal(open_fails(f->s[2], m2, l2), ENC_CHAN_E_ROUND);
    reset(state);
    l1 = seal_msg(f->s[1], m1, ENC_CHAN_P2P, 2, 1, "first");
    l2 = seal_msg(f->s[1], m2, ENC_CHAN_P2P, 2, 1, "second of the same class");
    l3 = seal_msg(f->s[1], m3, ENC_CHAN_BROADCAST, 2, 1, "broadcast in the same round is fine");
    open_ok(f->s[2], m1, l1, ENC_CHAN_P2P, 1, 1, "first");
    assert_int_equal(open_fails(f->s[2], m2, l2), ENC_CHAN_E_DUPLICATE);
    /* The sender spent sequence number 2 on the rejected duplicate, so its broadcast (3) is a gap. */
    assert_int_equal(open_fails(f->s[2], m3, l3), ENC_CHAN_E_GAP);
}

static void test_cross_session(void **state) {
    fixture *f = *state;
    unsigned char sid_b[32], m[MSG_CAP];
    enc_chan_session *b1, *b2;
    size_t len;

    memset(sid_b, 0x5b, 32);
    b1 = make_session(f, 1, sid_b);
    b2 = make_session(f, 2, sid_b);
    len = seal_msg(b1, m, ENC_CHAN_P2P, 2, 1, "session B");
    assert_int_equal(open_fails(f->s[2], m, len), ENC_CHAN_E_SESSION);
    /* Relabelled to session A: authentication fails. */
    memcpy(m + 34, f->sid, 32);
    assert_int_equal(open_fails(f->s[2], m, len), ENC_CHAN_E_AUTH);
    memcpy(m + 34, sid_b, 32);
    open_ok(b2, m, len, ENC_CHAN_P2P, 1, 1, "session B");
    enc_chan_session_destroy(b1);
    b1 = make_session(f, 1, sid_b);
    len = seal_msg(b1, m, ENC_CHAN_BROADCAST, 2, 1, "B broadcast");
    memcpy(m + 34, f->sid, 32);
    assert_int_equal(open_fails(f->s[2], m, len), ENC_CHAN_E_AUTH);
    /* Another key id. */
    memcpy(m + 34, sid_b, 32);
    m[2] ^= 1;
    assert_int_equal(open_fails(b2, m, len), ENC_CHAN_E_SESSION);
    enc_chan_session_destroy(b2);
    enc_chan_session_destroy(b1);
}

static void test_framing(void **state) {
    fixture *f = *state;
    unsigned char m[MSG_CAP];
    enc_chan_header h;
    size_t len = seal_msg(f->s[1], m, ENC_CHAN_P2P, 2, 1, "abc");

    for (size_t l = 0; l < len; l++)
        assert_int_equal(open_fails(f->s[2], m, l), ENC_CHAN_E_FORMAT);
    assert_int_equal(open_fails(f->s[2], m, len + 1), ENC_CHAN_E_FORMAT);
    m[76] = 0x00; /* payload length 1 MiB + 1 */
    m[77] = 0x10;
    m[78] = 0x00;
    m[79] = 0x01;
    assert_int_equal(enc_chan_parse(&h, m, len), ENC_CHAN_E_TOO_LONG);
    assert_int_equal(enc_chan_message_bytes(3, 0), 0);
    /* Sender-side misuse. */
    assert_int_equal(enc_chan_seal(f->s[1], m, MSG_CAP, &len, ENC_CHAN_P2P, 1, 1, m, 1), ENC_E_ARG);
    assert_int_equal(enc_chan_seal(f->s[1], m, MSG_CAP, &len, ENC_CHAN_P2P, 4, 1, m, 1), ENC_E_ARG);
    assert_int_equal(enc_chan_seal(f->s[1], m, MSG_CAP, &len, ENC_CHAN_P2P, 2, 0, m, 1), ENC_E_ARG);
    assert_int_equal(enc_chan_seal(f->s[1], m, MSG_CAP, &len, ENC_CHAN_P2P, 2, ENC_CHAN_MAX_ROUND + 1, m, 1),
            ENC_E_ARG);
    assert_int_equal(enc_chan_seal(f->s[1], m, MSG_CAP, &len, 7, 2, 1, m, 1), ENC_E_ARG);
    assert_int_equal(enc_chan_seal(f->s[1], m, 10, &len, ENC_CHAN_P2P, 2, 1, m, 1), ENC_E_BUFFER);
}

static void test_session_misuse(void **state) {
    fixture *f = *state;
    enc_chan_session *s = NULL;
    enc_chan_peer peers[2];

    memset(peers, 0, sizeof(peers));
    peers[0].index = 2;
    memcpy(peers[0].identity_pk, f->pk[2], 32);
    peers[1] = peers[0];
    assert_int_equal(enc_chan_session_create(&s, f->id[1], 1, f->key_id, f->sid, peers, 2), ENC_E_ARG);
    peers[1].index = 1; /* self */
    assert_int_equal(enc_chan_session_create(&s, f->id[1], 1, f->key_id, f->sid, peers, 2), ENC_E_ARG);
    peers[1].index = 17;
    assert_int_equal(enc_chan_session_create(&s, f->id[1], 1, f->key_id, f->sid, peers, 2), ENC_E_ARG);
    peers[1].index = 3;
    memset(peers[1].identity_pk, 0xff, 32); /* not a curve point */
    assert_int_equal(enc_chan_session_create(&s, f->id[1], 1, f->key_id, f->sid, peers, 2), ENC_E_ARG);
    assert_int_equal(enc_chan_session_create(&s, f->id[1], 0, f->key_id, f->sid, peers, 1), ENC_E_ARG);
    assert_null(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_python_messages),
        cmocka_unit_test_setup(test_roundtrip, reset),
        cmocka_unit_test_setup(test_tamper_p2p, reset),
        cmocka_unit_test_setup(test_tamper_broadcast, reset),
        cmocka_unit_test_setup(test_rewritten_header, reset),
        cmocka_unit_test_setup(test_replay_reorder_drop, reset),
        cmocka_unit_test_setup(test_round_order_and_duplicate, reset),
        cmocka_unit_test_setup(test_cross_session, reset),
        cmocka_unit_test_setup(test_framing, reset),
        cmocka_unit_test(test_session_misuse),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
