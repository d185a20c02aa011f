/* The real mpc-enclave binary, driven through the client library over real socketpairs: the test
 * plays each signer's parent (stores sealed blobs and audit records on its "disk", relays the
 * end-to-end channel messages between enclave processes) and the coordinator (combines the
 * round-3 messages with mpc_sign_combine). Expected values come from outside the code under test:
 * the EIP-191 digest of "hello" is the published value (PAYLOADS.md 2.6, also in
 * test/unit/payload/eth_generated.json, generated with pycryptodome's Keccak); signatures are
 * checked with libsecp256k1 (verify and public-key recovery). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sodium.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mpc/protocol.h>

#include "approval.h"
#include "audit.h"
#include "channel.h"
#include "enc_error.h"
#include "enclave_client.h"
#include "payload/keccak.h"
#include "seal/seal.h"
#include "session.h"
#include "state.h"

#define NODES 3
#define KIND_KEY_SHARE 1u
#define KIND_IDENTITY 2u
#define KIND_BAN_LIST 3u
#define KIND_USED 4u
#define KIND_INSTS 5u
#define KIND_POLICY 6u
#define EXIT_FORBIDDEN 14
#define EXIT_FRAME 12
#define EXIT_MALFORMED 13

static const char *const hello_digest_hex = "50b2c43fd39106bafbba0da34fc430e1f91e3c96ea2acee2bc34119f92b37750";

typedef struct {
    unsigned char *p;
    size_t len;
} buf;

static void buf_set(buf *b, const unsigned char *p, size_t len) {
    free(b->p);
    b->p = malloc(len);
    assert_non_null(b->p);
    memcpy(b->p, p, len);
    b->len = len;
}

static void buf_append(buf *b, const unsigned char *p, size_t len) {
    b->p = realloc(b->p, b->len + len + 1);
    assert_non_null(b->p);
    memcpy(b->p + b->len, p, len);
    b->len += len;
}

/* One signer host's disk, as its parent would keep it. */
typedef struct {
    uint32_t index;
    unsigned char seal_key[32];
    unsigned char pk[32];
    buf identity, share, used, bans, insts, policy;
    buf audit_log, last_record;
    size_t audit_count;
    buf received; /* every frame this parent ever received from its enclave */
    unsigned ban_writes;
    mpc_enclave_client *c;
} node;

static node nodes[NODES];
/* The policy every enclave of the running group is initialised with (NULL: no policy). */
static const Mpc__Enclave__Policy *group_policy;
static unsigned char key_id[32], key_pk[33], key_cc[32], last_inst[32];
static uint32_t key_epoch;

static void on_audit(void *ctx, const unsigned char *rec, size_t len) {
    node *n = ctx;

    buf_append(&n->audit_log, rec, len);
    n->audit_count++;
    buf_set(&n->last_record, rec, len);
}

static int on_sealed(void *ctx, uint32_t kind, const unsigned char *kid, size_t kid_len, const unsigned char *blob,
        size_t blob_len) {
    node *n = ctx;

    (void)kid;
    (void)kid_len;
    switch (kind) {
    case KIND_IDENTITY: buf_set(&n->identity, blob, blob_len); break;
    case KIND_KEY_SHARE: buf_set(&n->share, blob, blob_len); break;
    case KIND_USED: buf_set(&n->used, blob, blob_len); break;
    case KIND_INSTS: buf_set(&n->insts, blob, blob_len); break;
    case KIND_POLICY: buf_set(&n->policy, blob, blob_len); break;
    case KIND_BAN_LIST:
        buf_set(&n->bans, blob, blob_len);
        n->ban_writes++;
        break;
    default: return -1;
    }
    return 0;
}

static void on_frame(void *ctx, const unsigned char *frame, size_t len) {
    buf_append(&((node *)ctx)->received, frame, len);
}

static void spawn(node *n) {
    mpc_enclave_sinks sinks = {on_audit, on_sealed, on_frame, n};

    assert_int_equal(mpc_enclave_spawn(&n->c, MPC_ENCLAVE_BIN, "--insecure-test-mode", &sinks), MPC_ENCLAVE_OK);
}

/* First start: HELLO, CONFIG, INIT, START. */
static void boot_new(node *n) {
    spawn(n);
    assert_int_equal(mpc_enclave_hello(n->c), MPC_ENCLAVE_OK);
    assert_int_equal(mpc_enclave_config_keyfile(n->c, n->seal_key, n->index), MPC_ENCLAVE_OK);
    if (group_policy != NULL) {
        assert_int_equal(mpc_enclave_init_policy(n->c, NULL, n->pk, group_policy), MPC_ENCLAVE_OK);
        assert_true(n->policy.len > 0);
    } else {
        assert_int_equal(mpc_enclave_init(n->c, n->pk), MPC_ENCLAVE_OK);
    }
    assert_true(n->identity.len > 0);
    assert_int_equal(mpc_enclave_start(n->c, NULL, 0), MPC_ENCLAVE_OK);
}

/* Restart from the disk: identity, key share, used set, ban list, instance ids (unless
 * withhold_insts), then START. */
static void boot_from_disk_with(node *n, int withhold_insts) {
    unsigned char pk[32];

    spawn(n);
    assert_int_equal(mpc_enclave_hello(n->c), MPC_ENCLAVE_OK);
    assert_int_equal(mpc_enclave_config_keyfile(n->c, n->seal_key, n->index), MPC_ENCLAVE_OK);
    assert_int_equal(mpc_enclave_unseal_identity(n->c, pk, n->identity.p, n->identity.len), MPC_ENCLAVE_OK);
    assert_memory_equal(pk, n->pk, 32);
    if (n->share.len > 0) {
        assert_int_equal(mpc_enclave_load(n->c, KIND_KEY_SHARE, key_id, n->share.p, n->share.len), MPC_ENCLAVE_OK);
        assert_int_equal(mpc_enclave_load(n->c, KIND_USED, key_id, n->used.p, n->used.len), MPC_ENCLAVE_OK);
    }
    if (n->bans.len > 0)
        assert_int_equal(mpc_enclave_load(n->c, KIND_BAN_LIST, NULL, n->bans.p, n->bans.len), MPC_ENCLAVE_OK);
    if (n->insts.len > 0 && !withhold_insts)
        assert_int_equal(mpc_enclave_load(n->c, KIND_INSTS, NULL, n->insts.p, n->insts.len), MPC_ENCLAVE_OK);
    if (n->policy.len > 0)
        assert_int_equal(mpc_enclave_load(n->c, KIND_POLICY, NULL, n->policy.p, n->policy.len), MPC_ENCLAVE_OK);
    assert_int_equal(mpc_enclave_start(n->c, n->last_record.p, n->last_record.len), MPC_ENCLAVE_OK);
}

static void boot_from_disk(node *n) {
    boot_from_disk_with(n, 0);
}

static int stop(node *n) {
    int status = 0;

    assert_int_equal(mpc_enclave_shutdown(n->c), MPC_ENCLAVE_OK);
    assert_int_equal(mpc_enclave_wait(n->c, &status), MPC_ENCLAVE_OK);
    mpc_enclave_client_free(n->c);
    n->c = NULL;
    return status;
}

static void kill9(node *n) {
    mpc_enclave_client_free(n->c);
    n->c = NULL;
}

/* Wait for an enclave that must have ended itself; returns its exit code. */
static int exit_code(node *n) {
    int status = 0;

    assert_int_equal(mpc_enclave_wait(n->c, &status), MPC_ENCLAVE_OK);
    mpc_enclave_client_free(n->c);
    n->c = NULL;
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* Receiver party of a channel message (header offset 70, big-endian). */
static uint32_t chan_receiver(const ProtobufCBinaryData *m) {
    assert_true(m->len >= ENC_CHAN_HEADER_BYTES);
    return ((uint32_t)m->data[70] << 8) | m->data[71];
}

/* The messages in outs[] (round outputs of the listed parties) addressed to party `to`. */
static size_t route(ProtobufCBinaryData *dst, Mpc__Enclave__Envelope *const *outs, size_t nout, uint32_t to) {
    size_t i, j, k = 0;

    for (i = 0; i < nout; i++)
        for (j = 0; j < outs[i]->round_out->n_messages; j++)
            if (chan_receiver(&outs[i]->round_out->messages[j]) == to)
                dst[k++] = outs[i]->round_out->messages[j];
    return k;
}

static void peers_of(uint32_t *idx, unsigned char (*pk)[32], const uint32_t *set, size_t count, uint32_t self) {
    size_t i, k = 0;

    for (i = 0; i < count; i++) {
        if (set[i] == self)
            continue;
        idx[k] = set[i];
        memcpy(pk[k], nodes[set[i] - 1].pk, 32);
        k++;
    }
}

/* Called by run_dkg after each DKG round r has been answered by every node (KEYGEN state, and
 * KEYGEN_DONE after the last round), while key_id still names the old key; NULL: nothing. */
static void (*dkg_after_round)(uint32_t r);

/* Run a DKG (refresh == 0) or a refresh of key_id among all three nodes and commit it; key_id,
 * key_pk and key_cc then describe the new key share. */
static void run_dkg(int refresh) {
    static const uint32_t all[NODES] = {1, 2, 3};
    static const unsigned char zero[32];
    Mpc__Enclave__Envelope *out[NODES] = {0}, *next[NODES] = {0};
    ProtobufCBinaryData in[NODES];
    unsigned char inst[32], hashes[NODES][32], ppk[NODES][32], session_id[32], new_id[32];
    uint32_t pidx[NODES], round;
    size_t i, k;

    randombytes_buf(inst, sizeof(inst));
    memcpy(last_inst, inst, 32);
    memcpy(session_id, refresh ? key_id : zero, 32);
    for (i = 0; i < NODES; i++) {
        peers_of(pidx, ppk, all, NODES, nodes[i].index);
        if (refresh)
            assert_int_equal(mpc_enclave_refresh_start(nodes[i].c, &out[i], key_id, inst, pidx,
                                     (const unsigned char(*)[32])ppk, NODES - 1),
                    MPC_ENCLAVE_OK);
        else
            assert_int_equal(mpc_enclave_keygen_start(nodes[i].c, &out[i], inst, NODES, 2, nodes[i].index, pidx,
                                     (const unsigned char(*)[32])ppk, NODES - 1),
                    MPC_ENCLAVE_OK);
    }
    for (round = 1; round <= MPC_DKG_ROUNDS; round++) {
        for (i = 0; i < NODES; i++) {
            k = route(in, out, NODES, nodes[i].index);
            assert_int_equal(k, NODES - 1);
            assert_int_equal(mpc_enclave_keygen_round(nodes[i].c, &next[i], inst, session_id, round, in, k),
                    MPC_ENCLAVE_OK);
        }
        for (i = 0; i < NODES; i++) {
            mpc_enclave_reply_free(out[i]);
            out[i] = next[i];
            next[i] = NULL;
        }
        if (dkg_after_round != NULL)
            dkg_after_round(round);
    }
    for (i = 0; i < NODES; i++) {
        Mpc__Enclave__KeygenResult *res = out[i]->keygen_result;

        assert_int_equal(res->key_id.len, 32);
        assert_int_equal(res->public_key.len, 33);
        assert_int_equal(res->chain_code.len, 32);
        if (i == 0) {
            memcpy(new_id, res->key_id.data, 32);
            if (refresh) {
                /* Same public key and chain code, new key id. */
                assert_memory_not_equal(new_id, key_id, 32);
                assert_memory_equal(key_pk, res->public_key.data, 33);
                assert_memory_equal(key_cc, res->chain_code.data, 32);
            }
            memcpy(key_pk, res->public_key.data, 33);
            memcpy(key_cc, res->chain_code.data, 32);
            assert_int_equal(res->epoch, refresh ? key_epoch + 1 : 0);
            key_epoch = res->epoch;
        }
        assert_memory_equal(new_id, res->key_id.data, 32);
        assert_memory_equal(key_pk, res->public_key.data, 33);
        memcpy(hashes[i], res->public_hash.data, 32);
    }
    memcpy(key_id, new_id, 32);
    for (i = 0; i < NODES; i++) {
        Mpc__Enclave__Envelope *rep = NULL;

        free(nodes[i].share.p);
        memset(&nodes[i].share, 0, sizeof(nodes[i].share));
        assert_int_equal(mpc_enclave_keygen_commit(nodes[i].c, &rep, key_id, (const unsigned char(*)[32])hashes,
                                 NODES),
                MPC_ENCLAVE_OK);
        mpc_enclave_reply_free(rep);
        assert_true(nodes[i].share.len > 0);
        assert_true(nodes[i].used.len > 0);
        mpc_enclave_reply_free(out[i]);
    }
}

static int group_setup(void **state) {
    size_t i;

    (void)state;
    /* Sanitizer builds: no leak check at exit (it needs syscalls the sandbox forbids), and the
     * sandbox test preloads a library after the runtime. */
    setenv("ASAN_OPTIONS", "detect_leaks=0:verify_asan_link_order=0", 1);
    if (sodium_init() < 0)
        return -1;
    for (i = 0; i < NODES; i++) {
        memset(&nodes[i], 0, sizeof(nodes[i]));
        nodes[i].index = (uint32_t)i + 1;
        randombytes_buf(nodes[i].seal_key, 32);
        boot_new(&nodes[i]);
    }
    run_dkg(0);
    for (i = 0; i < NODES; i++)
        if (stop(&nodes[i]) != 0)
            return -1;
    return 0;
}

static int group_teardown(void **state) {
    size_t i;

    (void)state;
    for (i = 0; i < NODES; i++) {
        mpc_enclave_client_free(nodes[i].c);
        free(nodes[i].identity.p);
        free(nodes[i].share.p);
        free(nodes[i].used.p);
        free(nodes[i].bans.p);
        free(nodes[i].insts.p);
        free(nodes[i].policy.p);
        free(nodes[i].audit_log.p);
        free(nodes[i].last_record.p);
        free(nodes[i].received.p);
        memset(&nodes[i], 0, sizeof(nodes[i]));
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Signing helpers
 * ------------------------------------------------------------------------------------------- */

typedef struct {
    const uint32_t *set;
    size_t count;
    unsigned char nonce[32];
    const char *msg;
    const uint32_t *path;
    size_t path_len;
    unsigned char sigid[32];
    unsigned char digest[32];
    unsigned char derived_pk[33];
    unsigned char signer_address[20]; /* Ethereum address of the key recovered from the signature */
    /* With a policy: the payload (type and bytes), the 32-byte request id and the approvals. */
    uint32_t type;
    const unsigned char *payload;
    size_t payload_len;
    unsigned char rid[32];
    const ProtobufCBinaryData *approvals;
    size_t n_approvals;
    uint32_t digest_index;         /* which digest of the payload is signed */
    const unsigned char *subject;  /* the expected fingerprint subject; NULL: the digest */
} sign_job;

static void request(node *n, sign_job *j, Mpc__Enclave__Envelope **verdict) {
    Mpc__Enclave__SignRequest req = MPC__ENCLAVE__SIGN_REQUEST__INIT;
    static const unsigned char rid[] = "req-1";

    req.request_id.data = (unsigned char *)rid;
    req.request_id.len = sizeof(rid) - 1;
    req.key_id.data = key_id;
    req.key_id.len = 32;
    req.payload_type = ENC_PAYLOAD_EIP191_PERSONAL;
    if (j->payload != NULL) {
        req.request_id.data = j->rid;
        req.request_id.len = 32;
        req.payload_type = j->type;
        req.payload.data = (unsigned char *)j->payload;
        req.payload.len = j->payload_len;
    } else {
        req.payload.data = (unsigned char *)j->msg;
        req.payload.len = strlen(j->msg);
    }
    req.signers = (uint32_t *)j->set;
    req.n_signers = j->count;
    req.coord_nonce.data = j->nonce;
    req.coord_nonce.len = 32;
    req.derivation_path = (uint32_t *)j->path;
    req.n_derivation_path = j->path_len;
    req.digest_index = j->digest_index;
    assert_int_equal(mpc_enclave_sign_request(n->c, verdict, &req), MPC_ENCLAVE_OK);
}

/* The verdict signature, checked against the encoding documented in session.h. */
static void check_verdict_signature(const node *n, const Mpc__Enclave__Verdict *v) {
    unsigned char m[1024], *p = m;
    size_t slen = strlen(v->summary);

    assert_true(2 + v->request_id.len + 32 + 4 + 32 + 32 + 33 + 1 + 4 + slen <= sizeof(m));
    *p++ = (unsigned char)(v->request_id.len >> 8);
    *p++ = (unsigned char)v->request_id.len;
    memcpy(p, v->request_id.data, v->request_id.len);
    p += v->request_id.len;
    memcpy(p, v->key_id.data, 32);
    p += 32;
    *p++ = 0;
    *p++ = 0;
    *p++ = 0;
    *p++ = ENC_PAYLOAD_EIP191_PERSONAL;
    memcpy(p, v->digest.data, 32);
    p += 32;
    memcpy(p, v->sigid.data, 32);
    p += 32;
    memcpy(p, v->derived_public_key.data, 33);
    p += 33;
    *p++ = (unsigned char)v->decision;
    *p++ = (unsigned char)(slen >> 24);
    *p++ = (unsigned char)(slen >> 16);
    *p++ = (unsigned char)(slen >> 8);
    *p++ = (unsigned char)slen;
    memcpy(p, v->summary, slen);
    p += slen;
    assert_int_equal(enc_identity_verify(n->pk, v->signature.data, ENC_VERDICT_LABEL_V1, m, (size_t)(p - m)), ENC_OK);
}

static unsigned char *put_be32_text(unsigned char *p, const unsigned char *s, size_t len) {
    *p++ = (unsigned char)(len >> 24);
    *p++ = (unsigned char)(len >> 16);
    *p++ = (unsigned char)(len >> 8);
    *p++ = (unsigned char)len;
    if (len > 0)
        memcpy(p, s, len);
    return p + len;
}

/* A version-2 verdict (enclave with a policy), checked against the encoding in session.h. */
static void check_verdict_v2(const node *n, const Mpc__Enclave__Verdict *v) {
    size_t slen = strlen(v->summary), wlen = strlen(v->fingerprint_words);
    size_t cap = 2 + v->request_id.len + 32 + 4 + 32 + 32 + 33 + 1 + 32 + 4 + v->fingerprint.len + 4 + wlen + 4 + slen;
    unsigned char *m = malloc(cap), *p = m;

    assert_non_null(m);
    assert_int_equal(v->verdict_version, 2);
    assert_int_equal(v->fingerprint_subject.len, 32);
    *p++ = (unsigned char)(v->request_id.len >> 8);
    *p++ = (unsigned char)v->request_id.len;
    memcpy(p, v->request_id.data, v->request_id.len);
    p += v->request_id.len;
    memcpy(p, v->key_id.data, 32);
    p += 32;
    *p++ = (unsigned char)(v->payload_type >> 24);
    *p++ = (unsigned char)(v->payload_type >> 16);
    *p++ = (unsigned char)(v->payload_type >> 8);
    *p++ = (unsigned char)v->payload_type;
    memcpy(p, v->digest.data, 32);
    p += 32;
    memcpy(p, v->sigid.data, 32);
    p += 32;
    memcpy(p, v->derived_public_key.data, 33);
    p += 33;
    *p++ = (unsigned char)v->decision;
    memcpy(p, v->fingerprint_subject.data, 32);
    p += 32;
    p = put_be32_text(p, v->fingerprint.data, v->fingerprint.len);
    p = put_be32_text(p, (const unsigned char *)v->fingerprint_words, wlen);
    p = put_be32_text(p, (const unsigned char *)v->summary, slen);
    assert_int_equal((size_t)(p - m), cap);
    assert_int_equal(enc_identity_verify(n->pk, v->signature.data, ENC_VERDICT_LABEL_V2, m, cap), ENC_OK);
    /* The same bytes under the version-1 label do not verify: the versions cannot be confused. */
    assert_int_not_equal(enc_identity_verify(n->pk, v->signature.data, ENC_VERDICT_LABEL_V1, m, cap), ENC_OK);
    free(m);
}

/* SIGN_REQUEST at every signer: all allow and report the same digest and sigid. */
static void request_all(sign_job *j) {
    size_t i;

    for (i = 0; i < j->count; i++) {
        Mpc__Enclave__Envelope *v = NULL;
        node *n = &nodes[j->set[i] - 1];

        request(n, j, &v);
        assert_int_equal(v->verdict->decision, ENC_DECISION_ALLOW);
        assert_int_equal(v->verdict->digest.len, 32);
        assert_int_equal(v->verdict->sigid.len, 32);
        if (j->payload != NULL) {
            assert_non_null(strstr(v->verdict->summary, "approvals_required: 2 of 3"));
            assert_int_equal(v->verdict->approvals_required, 2);
            assert_memory_equal(v->verdict->fingerprint_subject.data,
                    j->subject != NULL ? j->subject : v->verdict->digest.data, 32);
            check_verdict_v2(n, v->verdict);
        } else {
            assert_non_null(strstr(v->verdict->summary, "EIP-191 personal message"));
            assert_int_equal(v->verdict->approvals_required, 0);
            check_verdict_signature(n, v->verdict);
        }
        if (i == 0) {
            memcpy(j->digest, v->verdict->digest.data, 32);
            memcpy(j->sigid, v->verdict->sigid.data, 32);
            memcpy(j->derived_pk, v->verdict->derived_public_key.data, 33);
        }
        assert_memory_equal(j->digest, v->verdict->digest.data, 32);
        assert_memory_equal(j->sigid, v->verdict->sigid.data, 32);
        mpc_enclave_reply_free(v);
    }
}

/* SIGN_START at every signer (each then waits for STORED). */
static void sign_start_all(const sign_job *j) {
    unsigned char ppk[NODES][32];
    uint32_t pidx[NODES];
    size_t i;

    for (i = 0; i < j->count; i++) {
        node *n = &nodes[j->set[i] - 1];
        Mpc__Enclave__Envelope *rep = NULL;

        peers_of(pidx, ppk, j->set, j->count, n->index);
        if (j->payload != NULL)
            assert_int_equal(mpc_enclave_sign_start_approved(n->c, &rep, j->sigid, pidx,
                                     (const unsigned char(*)[32])ppk, j->count - 1, j->rid, j->approvals,
                                     j->n_approvals),
                    MPC_ENCLAVE_OK);
        else
            assert_int_equal(mpc_enclave_sign_start(n->c, &rep, j->sigid, pidx, (const unsigned char(*)[32])ppk,
                                     j->count - 1),
                    MPC_ENCLAVE_OK);
        mpc_enclave_reply_free(rep);
    }
}

/* STORED at every signer; out[i] = round-1 output of signer i. */
static void stored_all(const sign_job *j, Mpc__Enclave__Envelope **out) {
    size_t i;

    for (i = 0; i < j->count; i++) {
        assert_int_equal(mpc_enclave_stored(nodes[j->set[i] - 1].c, &out[i]), MPC_ENCLAVE_OK);
        assert_int_equal(out[i]->round_out->round, 1);
    }
}

/* SIGN_START and STORED at every signer; out[i] = round-1 output of signer i. */
static void start_all(sign_job *j, Mpc__Enclave__Envelope **out) {
    sign_start_all(j);
    stored_all(j, out);
}

static void check_signature(sign_job *j, const unsigned char sig64[64], int recid) {
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    secp256k1_ecdsa_signature sig;
    secp256k1_ecdsa_recoverable_signature rsig;
    secp256k1_pubkey pk, rec;
    unsigned char ser[33], full[65], hash[32];
    size_t len = sizeof(ser), full_len = sizeof(full);

    assert_true(secp256k1_ec_pubkey_parse(ctx, &pk, j->derived_pk, 33));
    assert_true(secp256k1_ecdsa_signature_parse_compact(ctx, &sig, sig64));
    assert_true(secp256k1_ecdsa_verify(ctx, &sig, j->digest, &pk));
    assert_true(secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &rsig, sig64, recid));
    assert_true(secp256k1_ecdsa_recover(ctx, &rec, &rsig, j->digest));
    assert_true(secp256k1_ec_pubkey_serialize(ctx, ser, &len, &rec, SECP256K1_EC_COMPRESSED));
    assert_memory_equal(ser, j->derived_pk, 33);
    assert_true(secp256k1_ec_pubkey_serialize(ctx, full, &full_len, &rec, SECP256K1_EC_UNCOMPRESSED));
    payload_keccak256(hash, full + 1, 64);
    memcpy(j->signer_address, hash + 12, 20);
    secp256k1_context_destroy(ctx);
}

/* The combiner's public facts, from the key's public data only (as the coordinator has it). */
static void combine_public(mpc_context *ctx, mpc_sign_public *pub, const sign_job *j) {
    mpc_keyshare_info info;
    mpc_sign_request sr;

    memset(&info, 0, sizeof(info));
    info.n = NODES;
    info.t = 2;
    info.self = 0;
    info.epoch = key_epoch;
    memcpy(info.sid, key_id, 32);
    memcpy(info.pubkey, key_pk, 33);
    memcpy(info.chaincode, key_cc, 32);
    sr.signers = j->set;
    sr.signer_count = j->count;
    sr.msg_digest32 = j->digest;
    sr.path = j->path;
    sr.path_len = j->path_len;
    sr.coord_nonce32 = j->nonce;
    assert_int_equal(mpc_sign_public_init(ctx, pub, &info, &sr), MPC_OK);
    assert_memory_equal(pub->sigid, j->sigid, 32);
    assert_memory_equal(pub->pubkey, j->derived_pk, 33);
}

/* Relay one signing round among j->set: out[i] -> next[i]. */
static void relay_sign_round(const sign_job *j, uint32_t round, Mpc__Enclave__Envelope **out,
        Mpc__Enclave__Envelope **next) {
    ProtobufCBinaryData in[NODES];
    size_t i, k;

    for (i = 0; i < j->count; i++) {
        k = route(in, out, j->count, j->set[i]);
        assert_int_equal(k, j->count - 1);
        assert_int_equal(mpc_enclave_sign_round(nodes[j->set[i] - 1].c, &next[i], key_id, j->sigid, round, in, k),
                MPC_ENCLAVE_OK);
    }
    for (i = 0; i < j->count; i++) {
        mpc_enclave_reply_free(out[i]);
        out[i] = next[i];
        next[i] = NULL;
    }
}

/* The round-3 outputs out[] of j->set combined by the test as coordinator, the signature checked;
 * out[] is freed. */
static void combine_and_check(sign_job *j, Mpc__Enclave__Envelope **out) {
    mpc_msg_in r3[NODES];
    unsigned char sig[64];
    mpc_sign_public pub;
    mpc_context *ctx = mpc_context_create();
    mpc_blame blame;
    size_t i;
    int recid = -1;

    assert_non_null(ctx);
    for (i = 0; i < j->count; i++) {
        assert_int_equal(out[i]->round_out->round, 3);
        r3[i].from = j->set[i];
        r3[i].data = out[i]->round_out->public_message.data;
        r3[i].len = out[i]->round_out->public_message.len;
        assert_true(r3[i].len > 0);
    }
    combine_public(ctx, &pub, j);
    memset(&blame, 0, sizeof(blame));
    assert_int_equal(mpc_sign_combine(ctx, sig, &recid, &blame, &pub, r3, j->count), MPC_OK);
    check_signature(j, sig, recid);
    for (i = 0; i < j->count; i++) {
        mpc_enclave_reply_free(out[i]);
        out[i] = NULL;
    }
    mpc_context_destroy(ctx);
}

/* From SIGN_START on (verdicts already allowed): rounds among j->set, combined and checked. */
static void sign_from_start(sign_job *j) {
    Mpc__Enclave__Envelope *out[NODES] = {0}, *next[NODES] = {0};
    uint32_t round;

    start_all(j, out);
    for (round = 1; round < MPC_SIGN_ROUNDS; round++)
        relay_sign_round(j, round, out, next);
    combine_and_check(j, out);
}

/* A full signing session among j->set (all running). */
static void sign_full(sign_job *j) {
    request_all(j);
    sign_from_start(j);
}

static void hex_to_bin(unsigned char *out, size_t len, const char *hex) {
    size_t got = 0;

    assert_int_equal(sodium_hex2bin(out, len, hex, strlen(hex), NULL, &got, NULL), 0);
    assert_int_equal(got, len);
}

/* ---------------------------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------------------------- */

/* First start creates an identity; a restart from its sealed blob has the same key (keyfile and
 * passphrase backends); the wrong sealing key cannot open it and ends the enclave. */
static void test_init_restart_identity(void **state) {
    node n;
    unsigned char pk[32];
    static const char pass[] = "correct horse battery staple";

    (void)state;
    memset(&n, 0, sizeof(n));
    n.index = 1;
    randombytes_buf(n.seal_key, 32);
    boot_new(&n);
    assert_int_equal(stop(&n), 0);
    boot_from_disk(&n);
    assert_int_equal(stop(&n), 0);

    n.seal_key[0] ^= 1;
    spawn(&n);
    assert_int_equal(mpc_enclave_hello(n.c), MPC_ENCLAVE_OK);
    assert_int_equal(mpc_enclave_config_keyfile(n.c, n.seal_key, n.index), MPC_ENCLAVE_OK);
    assert_int_equal(mpc_enclave_unseal_identity(n.c, pk, n.identity.p, n.identity.len), MPC_ENCLAVE_E_IO);
    assert_int_not_equal(exit_code(&n), 0);

    /* Passphrase backend (cheap Argon2id cost for the test). */
    free(n.identity.p);
    memset(&n.identity, 0, sizeof(n.identity));
    spawn(&n);
    assert_int_equal(mpc_enclave_hello(n.c), MPC_ENCLAVE_OK);
    assert_int_equal(mpc_enclave_config_passphrase(n.c, pass, strlen(pass), 1, 8192, n.index), MPC_ENCLAVE_OK);
    assert_int_equal(mpc_enclave_init(n.c, n.pk), MPC_ENCLAVE_OK);
    assert_int_equal(stop(&n), 0);
    spawn(&n);
    assert_int_equal(mpc_enclave_hello(n.c), MPC_ENCLAVE_OK);
    assert_int_equal(mpc_enclave_config_passphrase(n.c, pass, strlen(pass), 1, 8192, n.index), MPC_ENCLAVE_OK);
    assert_int_equal(mpc_enclave_unseal_identity(n.c, pk, n.identity.p, n.identity.len), MPC_ENCLAVE_OK);
    assert_memory_equal(pk, n.pk, 32);
    assert_int_equal(stop(&n), 0);
    free(n.identity.p);
    free(n.insts.p);
    free(n.audit_log.p);
    free(n.last_record.p);
    free(n.received.p);
}

/* Keygen ran in the group setup (three processes, then shut down). Restart all three from their
 * blobs and sign "hello" with two of them, at the root and at a derived path. */
static void test_keygen_restart_sign(void **state) {
    static const uint32_t set13[2] = {1, 3}, set21[2] = {2, 1}, path[2] = {7, 42};
    unsigned char expected[32];
    sign_job j;
    size_t i;

    (void)state;
    hex_to_bin(expected, 32, hello_digest_hex);
    for (i = 0; i < NODES; i++)
        boot_from_disk(&nodes[i]);
    memset(&j, 0, sizeof(j));
    j.set = set13;
    j.count = 2;
    j.msg = "hello";
    randombytes_buf(j.nonce, 32);
    sign_full(&j);
    assert_memory_equal(j.digest, expected, 32);
    assert_memory_equal(j.derived_pk, key_pk, 33);

    memset(&j, 0, sizeof(j));
    j.set = set21;
    j.count = 2;
    j.msg = "hello";
    j.path = path;
    j.path_len = 2;
    randombytes_buf(j.nonce, 32);
    sign_full(&j);
    assert_memory_equal(j.digest, expected, 32);
    assert_memory_not_equal(j.derived_pk, key_pk, 33);
    for (i = 0; i < NODES; i++)
        assert_int_equal(stop(&nodes[i]), 0);
}

/* Wrong state (a round before SIGN_START, SIGN_START before STORED), a STORED for another blob, an
 * unpermitted type and an oversized frame each end the enclave with its exit code. */
static void test_fail_closed(void **state) {
    static const uint32_t set12[2] = {1, 2};
    static const unsigned char zero[32];
    Mpc__Enclave__Envelope *rep = NULL;
    ProtobufCBinaryData fake;
    /* 8 MiB + 1: one byte above the enclave's frame limit. */
    unsigned char junk[ENC_CHAN_HEADER_BYTES] = {0}, ppk[NODES][32], big[4] = {0x00, 0x80, 0x00, 0x01};
    uint32_t pidx[NODES];
    sign_job j;
    node *n = &nodes[0];

    (void)state;
    fake.data = junk;
    fake.len = sizeof(junk);
    /* A signing round before SIGN_START. */
    boot_from_disk(n);
    assert_int_equal(mpc_enclave_sign_round(n->c, &rep, key_id, zero, 1, &fake, 1), MPC_ENCLAVE_E_IO);
    assert_int_equal(exit_code(n), EXIT_FORBIDDEN);

    /* SIGN_START again before the STORED acknowledgement. */
    boot_from_disk(&nodes[0]);
    boot_from_disk(&nodes[1]);
    memset(&j, 0, sizeof(j));
    j.set = set12;
    j.count = 2;
    j.msg = "hello";
    randombytes_buf(j.nonce, 32);
    request_all(&j);
    peers_of(pidx, ppk, set12, 2, 1);
    assert_int_equal(mpc_enclave_sign_start(n->c, &rep, j.sigid, pidx, (const unsigned char(*)[32])ppk, 1),
            MPC_ENCLAVE_OK);
    mpc_enclave_reply_free(rep);
    assert_int_equal(mpc_enclave_sign_start(n->c, &rep, j.sigid, pidx, (const unsigned char(*)[32])ppk, 1),
            MPC_ENCLAVE_E_IO);
    assert_int_equal(exit_code(n), EXIT_FORBIDDEN);
    assert_int_equal(stop(&nodes[1]), 0);

    /* STORED acknowledging another blob than the used set just sent. */
    boot_from_disk(&nodes[0]);
    boot_from_disk(&nodes[1]);
    randombytes_buf(j.nonce, 32);
    request_all(&j);
    assert_int_equal(mpc_enclave_sign_start(n->c, &rep, j.sigid, pidx, (const unsigned char(*)[32])ppk, 1),
            MPC_ENCLAVE_OK);
    mpc_enclave_reply_free(rep);
    {
        Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
        Mpc__Enclave__Stored st = MPC__ENCLAVE__STORED__INIT;
        unsigned char wrong[32];

        randombytes_buf(wrong, sizeof(wrong));
        st.kind = KIND_USED;
        st.key_id.data = key_id;
        st.key_id.len = 32;
        st.blob_hash.data = wrong;
        st.blob_hash.len = 32;
        env.type = MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_STORED;
        env.body_case = MPC__ENCLAVE__ENVELOPE__BODY_STORED;
        env.stored = &st;
        assert_int_equal(mpc_enclave_call(n->c, NULL, &env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_ROUND_OUT),
                MPC_ENCLAVE_E_IO);
    }
    assert_int_equal(exit_code(n), EXIT_MALFORMED);
    assert_int_equal(stop(&nodes[1]), 0);

    /* A message type the parent may never send (an enclave-to-parent type). */
    boot_from_disk(n);
    {
        Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
        Mpc__Enclave__Identity id = MPC__ENCLAVE__IDENTITY__INIT;

        env.type = MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_IDENTITY;
        env.body_case = MPC__ENCLAVE__ENVELOPE__BODY_IDENTITY;
        env.identity = &id;
        assert_int_equal(mpc_enclave_call(n->c, NULL, &env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_STATUS),
                MPC_ENCLAVE_E_IO);
    }
    assert_int_equal(exit_code(n), EXIT_MALFORMED);

    /* A frame above the limit: only its length header is ever read. */
    boot_from_disk(n);
    assert_int_equal(write(mpc_enclave_fd(n->c), big, sizeof(big)), (ssize_t)sizeof(big));
    assert_int_equal(exit_code(n), EXIT_FRAME);
}

/* kill -9 after the sigid was recorded, stored and acknowledged (round 1 produced, never used);
 * after a restart from the stored blobs the same request is refused. */
static void test_crash_safety(void **state) {
    static const uint32_t set12[2] = {1, 2};
    Mpc__Enclave__Envelope *out[NODES] = {0}, *v = NULL, *rep = NULL;
    unsigned char ppk[NODES][32];
    uint32_t pidx[NODES];
    sign_job j;
    size_t i;

    (void)state;
    boot_from_disk(&nodes[0]);
    boot_from_disk(&nodes[1]);
    memset(&j, 0, sizeof(j));
    j.set = set12;
    j.count = 2;
    j.msg = "hello";
    randombytes_buf(j.nonce, 32);
    request_all(&j);
    start_all(&j, out);
    for (i = 0; i < 2; i++) {
        mpc_enclave_reply_free(out[i]);
        kill9(&nodes[i]);
    }
    boot_from_disk(&nodes[0]);
    request(&nodes[0], &j, &v);
    assert_int_equal(v->verdict->decision, ENC_DECISION_DENY);
    assert_memory_equal(v->verdict->sigid.data, j.sigid, 32);
    assert_non_null(strstr(v->verdict->summary, "already used"));
    check_verdict_signature(&nodes[0], v->verdict);
    mpc_enclave_reply_free(v);
    peers_of(pidx, ppk, set12, 2, 1);
    assert_int_equal(mpc_enclave_sign_start(nodes[0].c, &rep, j.sigid, pidx, (const unsigned char(*)[32])ppk, 1),
            MPC_ENCLAVE_E_STATUS);
    assert_int_equal(rep->status->code, ENC_SESSION_E_REFUSED);
    assert_false(rep->status->transport);
    mpc_enclave_reply_free(rep);
    assert_int_equal(stop(&nodes[0]), 0);
}

typedef enum { RELAY_TAMPER, RELAY_REPLAY, RELAY_OTHER_SESSION } relay_fault;

/* One faulty relay of a round-1 message to signer 1: a transport error, the session aborted,
 * nobody banned (no ban list written, Status names nobody). */
static void transport_case(relay_fault fault, const ProtobufCBinaryData *other_session_msg,
        ProtobufCBinaryData *keep) {
    static const uint32_t set12[2] = {1, 2};
    Mpc__Enclave__Envelope *out[NODES] = {0}, *next[NODES] = {0}, *rep = NULL;
    ProtobufCBinaryData in[NODES], bad;
    unsigned char copy[64 * 1024];
    unsigned bans_before = nodes[0].ban_writes;
    sign_job j;
    size_t k, i;
    int expect_code;

    memset(&j, 0, sizeof(j));
    j.set = set12;
    j.count = 2;
    j.msg = "hello";
    randombytes_buf(j.nonce, 32);
    request_all(&j);
    start_all(&j, out);
    k = route(in, out, 2, 1);
    assert_int_equal(k, 1);
    if (keep != NULL) {
        keep->data = malloc(in[0].len);
        assert_non_null(keep->data);
        memcpy(keep->data, in[0].data, in[0].len);
        keep->len = in[0].len;
    }
    assert_true(in[0].len <= sizeof(copy));
    memcpy(copy, in[0].data, in[0].len);
    bad.data = copy;
    bad.len = in[0].len;
    switch (fault) {
    case RELAY_TAMPER:
        copy[bad.len - 1] ^= 0x01;
        expect_code = ENC_CHAN_E_AUTH;
        break;
    case RELAY_OTHER_SESSION:
        bad = *other_session_msg;
        expect_code = ENC_CHAN_E_SESSION;
        break;
    default:
        /* Deliver the genuine round-1 message, then replay it as round 2. */
        assert_int_equal(mpc_enclave_sign_round(nodes[0].c, &next[0], key_id, j.sigid, 1, &in[0], 1),
                MPC_ENCLAVE_OK);
        mpc_enclave_reply_free(next[0]);
        expect_code = ENC_CHAN_E_REPLAY;
        break;
    }
    assert_int_equal(mpc_enclave_sign_round(nodes[0].c, &rep, key_id, j.sigid, fault == RELAY_REPLAY ? 2 : 1, &bad, 1),
            MPC_ENCLAVE_E_STATUS);
    assert_true(rep->status->transport);
    assert_int_equal(rep->status->code, expect_code);
    assert_int_equal(rep->status->n_banned, 0);
    mpc_enclave_reply_free(rep);
    assert_int_equal(nodes[0].ban_writes, bans_before);
    for (i = 0; i < 2; i++)
        mpc_enclave_reply_free(out[i]);
}

static void test_transport_errors(void **state) {
    static const uint32_t set12[2] = {1, 2};
    ProtobufCBinaryData earlier = {0, NULL};
    sign_job j;
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++)
        boot_from_disk(&nodes[i]);
    transport_case(RELAY_TAMPER, NULL, &earlier);
    /* Node 2 is still inside that session; restart it so it can join the next one. */
    kill9(&nodes[1]);
    boot_from_disk(&nodes[1]);
    transport_case(RELAY_OTHER_SESSION, &earlier, NULL);
    kill9(&nodes[1]);
    boot_from_disk(&nodes[1]);
    transport_case(RELAY_REPLAY, NULL, NULL);
    kill9(&nodes[1]);
    boot_from_disk(&nodes[1]);
    /* The honest signer is not banned: a clean session with it still signs. */
    memset(&j, 0, sizeof(j));
    j.set = set12;
    j.count = 2;
    j.msg = "hello";
    randombytes_buf(j.nonce, 32);
    sign_full(&j);
    free(earlier.data);
    for (i = 0; i < 2; i++)
        assert_int_equal(stop(&nodes[i]), 0);
    assert_int_equal(nodes[0].bans.len, 0);
}

/* A persistent ban (sealed ban list, layout of state.h, sealed here with the node's key): a request
 * whose signing set includes the banned party is denied, and a session that would include the
 * banned identity under another index is refused. */
static void test_banned_party(void **state) {
    static const uint32_t set13[2] = {1, 3}, set12[2] = {1, 2};
    unsigned char plain[12 + 68], *blob = NULL, bad_pk[1][32];
    uint32_t bad_idx[1] = {2};
    size_t blob_len = 0;
    enc_seal_backend *b = NULL;
    Mpc__Enclave__Envelope *v = NULL, *rep = NULL;
    sign_job j;

    (void)state;
    memcpy(plain, "MPBN\0\0\0\1\0\0\0\1", 12);
    memcpy(plain + 12, key_id, 32);
    memcpy(plain + 44, "\0\0\0\3", 4);
    memcpy(plain + 48, nodes[2].pk, 32);
    assert_int_equal(enc_seal_keyfile_create(&b, nodes[0].seal_key), ENC_OK);
    assert_int_equal(enc_seal(b, &blob, &blob_len, KIND_BAN_LIST, NULL, plain, sizeof(plain)), ENC_OK);
    enc_seal_backend_destroy(b);
    buf_set(&nodes[0].bans, blob, blob_len);
    free(blob);
    boot_from_disk(&nodes[0]);

    memset(&j, 0, sizeof(j));
    j.set = set13;
    j.count = 2;
    j.msg = "hello";
    randombytes_buf(j.nonce, 32);
    request(&nodes[0], &j, &v);
    assert_int_equal(v->verdict->decision, ENC_DECISION_DENY);
    assert_non_null(strstr(v->verdict->summary, "banned"));
    mpc_enclave_reply_free(v);

    j.set = set12;
    request(&nodes[0], &j, &v);
    assert_int_equal(v->verdict->decision, ENC_DECISION_ALLOW);
    memcpy(j.sigid, v->verdict->sigid.data, 32);
    mpc_enclave_reply_free(v);
    memcpy(bad_pk[0], nodes[2].pk, 32);
    assert_int_equal(mpc_enclave_sign_start(nodes[0].c, &rep, j.sigid, bad_idx, (const unsigned char(*)[32])bad_pk, 1),
            MPC_ENCLAVE_E_STATUS);
    assert_int_equal(rep->status->code, ENC_SESSION_E_BANNED);
    mpc_enclave_reply_free(rep);
    assert_int_equal(stop(&nodes[0]), 0);
    free(nodes[0].bans.p);
    memset(&nodes[0].bans, 0, sizeof(nodes[0].bans));
}

/* Proactive refresh among the three running enclaves: same public key, new key id; the old key is
 * gone after the commit, the new one signs after a restart from the new blobs. */
static void test_refresh(void **state) {
    static const uint32_t set23[2] = {2, 3};
    unsigned char old_id[32], new_id[32];
    Mpc__Enclave__Envelope *v = NULL;
    sign_job j;
    size_t i;

    (void)state;
    memcpy(old_id, key_id, 32);
    for (i = 0; i < NODES; i++)
        boot_from_disk(&nodes[i]);
    run_dkg(1);
    memcpy(new_id, key_id, 32);
    memset(&j, 0, sizeof(j));
    j.set = set23;
    j.count = 2;
    j.msg = "hello";
    randombytes_buf(j.nonce, 32);
    memcpy(key_id, old_id, 32);
    request(&nodes[1], &j, &v);
    assert_int_equal(v->verdict->decision, ENC_DECISION_DENY);
    assert_non_null(strstr(v->verdict->summary, "unknown key"));
    mpc_enclave_reply_free(v);
    for (i = 0; i < NODES; i++)
        assert_int_equal(stop(&nodes[i]), 0);
    memcpy(key_id, new_id, 32);
    for (i = 0; i < NODES; i++)
        boot_from_disk(&nodes[i]);
    sign_full(&j);
    assert_memory_equal(j.derived_pk, key_pk, 33);
    for (i = 0; i < NODES; i++)
        assert_int_equal(stop(&nodes[i]), 0);
}

/* A signing job over "hello" for the signers set, with a fresh coordinator nonce. */
static void hello_job(sign_job *j, const uint32_t *set) {
    memset(j, 0, sizeof(*j));
    j->set = set;
    j->count = 2;
    j->msg = "hello";
    randombytes_buf(j->nonce, 32);
}

/* SIGN_REQUEST is answered while a signing session runs (after SIGN_START, after STORED, between
 * the rounds) and leaves it alone: the running session signs, its own sigid is denied as used,
 * and the verdicts given meanwhile sign afterwards. */
static void test_sign_request_during_signing(void **state) {
    static const uint32_t set12[2] = {1, 2};
    Mpc__Enclave__Envelope *out[NODES] = {0}, *next[NODES] = {0}, *v = NULL;
    sign_job run, during[3];
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++)
        boot_from_disk(&nodes[i]);
    hello_job(&run, set12);
    request_all(&run);
    sign_start_all(&run);
    hello_job(&during[0], set12);
    request_all(&during[0]);
    request(&nodes[0], &run, &v);
    assert_int_equal(v->verdict->decision, ENC_DECISION_DENY);
    assert_memory_equal(v->verdict->sigid.data, run.sigid, 32);
    assert_non_null(strstr(v->verdict->summary, "already used"));
    check_verdict_signature(&nodes[0], v->verdict);
    mpc_enclave_reply_free(v);
    stored_all(&run, out);
    hello_job(&during[1], set12);
    request_all(&during[1]);
    relay_sign_round(&run, 1, out, next);
    hello_job(&during[2], set12);
    request_all(&during[2]);
    relay_sign_round(&run, 2, out, next);
    combine_and_check(&run, out);
    for (i = 0; i < 3; i++) {
        assert_memory_not_equal(during[i].sigid, run.sigid, 32);
        sign_from_start(&during[i]);
    }
    for (i = 0; i < 2; i++)
        assert_int_equal(stop(&nodes[i]), 0);
}

/* The enclave remembers the last ENC_SESSION_VERDICTS allowing verdicts: one followed by
 * ENC_SESSION_VERDICTS - 1 others still signs; one followed by ENC_SESSION_VERDICTS others is
 * forgotten, its SIGN_START is refused with a Status and the enclave goes on serving. */
static void test_verdict_ring(void **state) {
    static const uint32_t set12[2] = {1, 2};
    Mpc__Enclave__Envelope *v = NULL, *rep = NULL;
    unsigned char ppk[1][32];
    uint32_t pidx[1];
    sign_job oldest, later;
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++)
        boot_from_disk(&nodes[i]);
    hello_job(&oldest, set12);
    request_all(&oldest);
    for (i = 0; i + 1 < ENC_SESSION_VERDICTS; i++) {
        hello_job(&later, set12);
        request_all(&later);
    }
    sign_from_start(&oldest);

    hello_job(&oldest, set12);
    request_all(&oldest);
    for (i = 0; i < ENC_SESSION_VERDICTS; i++) {
        hello_job(&later, set12);
        request(&nodes[0], &later, &v);
        assert_int_equal(v->verdict->decision, ENC_DECISION_ALLOW);
        mpc_enclave_reply_free(v);
    }
    peers_of(pidx, ppk, set12, 2, 1);
    assert_int_equal(mpc_enclave_sign_start(nodes[0].c, &rep, oldest.sigid, pidx, (const unsigned char(*)[32])ppk, 1),
            MPC_ENCLAVE_E_STATUS);
    assert_int_equal(rep->status->code, ENC_SESSION_E_REFUSED);
    assert_false(rep->status->transport);
    assert_memory_equal(rep->status->session_id.data, oldest.sigid, 32);
    mpc_enclave_reply_free(rep);
    /* The refusal ended nothing: a new request signs. */
    hello_job(&later, set12);
    sign_full(&later);
    for (i = 0; i < 2; i++)
        assert_int_equal(stop(&nodes[i]), 0);
}

static sign_job dkg_jobs[MPC_DKG_ROUNDS];

/* dkg_after_round: SIGN_REQUEST for the old key at nodes 1 and 2 in the middle of the DKG. */
static void request_during_dkg(uint32_t r) {
    static const uint32_t set12[2] = {1, 2};

    hello_job(&dkg_jobs[r - 1], set12);
    request_all(&dkg_jobs[r - 1]);
}

/* SIGN_REQUEST is answered during a DKG (after each round and between the last round and the
 * commit) and leaves it alone: the DKG commits a key that signs, also after a restart, and the
 * old key, which the enclaves keep until they restart, signs the requests allowed meanwhile. */
static void test_sign_request_during_keygen(void **state) {
    static const uint32_t set23[2] = {2, 3}, set13[2] = {1, 3};
    unsigned char old_id[32], old_pk[33], old_cc[32], new_id[32], new_pk[33], new_cc[32];
    uint32_t old_epoch = key_epoch, new_epoch;
    buf new_used[NODES];
    sign_job j;
    size_t i;

    (void)state;
    memcpy(old_id, key_id, 32);
    memcpy(old_pk, key_pk, 33);
    memcpy(old_cc, key_cc, 32);
    for (i = 0; i < NODES; i++)
        boot_from_disk(&nodes[i]);
    dkg_after_round = request_during_dkg;
    run_dkg(0);
    dkg_after_round = NULL;
    assert_memory_not_equal(key_pk, old_pk, 33);
    hello_job(&j, set23);
    sign_full(&j);
    assert_memory_equal(j.derived_pk, key_pk, 33);

    /* The old key's sessions write the old key's used set: keep the new key's blobs on disk. */
    memcpy(new_id, key_id, 32);
    memcpy(new_pk, key_pk, 33);
    memcpy(new_cc, key_cc, 32);
    new_epoch = key_epoch;
    memset(new_used, 0, sizeof(new_used));
    for (i = 0; i < NODES; i++)
        buf_set(&new_used[i], nodes[i].used.p, nodes[i].used.len);
    memcpy(key_id, old_id, 32);
    memcpy(key_pk, old_pk, 33);
    memcpy(key_cc, old_cc, 32);
    key_epoch = old_epoch;
    for (i = 0; i < MPC_DKG_ROUNDS; i++) {
        sign_from_start(&dkg_jobs[i]);
        assert_memory_equal(dkg_jobs[i].derived_pk, old_pk, 33);
    }
    memcpy(key_id, new_id, 32);
    memcpy(key_pk, new_pk, 33);
    memcpy(key_cc, new_cc, 32);
    key_epoch = new_epoch;
    for (i = 0; i < NODES; i++) {
        buf_set(&nodes[i].used, new_used[i].p, new_used[i].len);
        free(new_used[i].p);
        assert_int_equal(stop(&nodes[i]), 0);
    }
    for (i = 0; i < NODES; i++)
        boot_from_disk(&nodes[i]);
    hello_job(&j, set13);
    sign_full(&j);
    assert_memory_equal(j.derived_pk, key_pk, 33);
    for (i = 0; i < NODES; i++)
        assert_int_equal(stop(&nodes[i]), 0);
}

/* The instance-id blob of a node, opened with its sealing key: layout of state.h ("MPIN", version
 * 1, count, sorted ids). Returns whether inst is in it. */
static int insts_contain(const node *n, const unsigned char inst[32]) {
    enc_seal_backend *b = NULL;
    unsigned char *plain = NULL;
    size_t plain_len = 0, count, i;
    int found = 0;

    assert_int_equal(enc_seal_keyfile_create(&b, n->seal_key), ENC_OK);
    assert_int_equal(enc_unseal(b, &plain, &plain_len, n->insts.p, n->insts.len, KIND_INSTS, NULL), ENC_OK);
    assert_true(plain_len >= 12);
    assert_memory_equal(plain, "MPIN\0\0\0\1", 8);
    count = ((size_t)plain[8] << 24) | ((size_t)plain[9] << 16) | ((size_t)plain[10] << 8) | plain[11];
    assert_int_equal(plain_len, 12 + 32 * count);
    for (i = 0; i < count; i++) {
        if (i > 0)
            assert_true(memcmp(plain + 12 + 32 * (i - 1), plain + 12 + 32 * i, 32) < 0);
        found |= memcmp(plain + 12 + 32 * i, inst, 32) == 0;
    }
    enc_seal_plain_free(plain);
    enc_seal_backend_destroy(b);
    return found;
}

static void keygen_start_refused(node *n, const unsigned char inst[32], int expect_code) {
    static const uint32_t all[NODES] = {1, 2, 3};
    Mpc__Enclave__Envelope *rep = NULL;
    unsigned char ppk[NODES][32];
    uint32_t pidx[NODES];

    peers_of(pidx, ppk, all, NODES, n->index);
    assert_int_equal(mpc_enclave_keygen_start(n->c, &rep, inst, NODES, 2, n->index, pidx,
                             (const unsigned char(*)[32])ppk, NODES - 1),
            MPC_ENCLAVE_E_STATUS);
    assert_int_equal(rep->status->code, expect_code);
    assert_false(rep->status->transport);
    mpc_enclave_reply_free(rep);
}

/* PROTOCOL.md 1.3: an instance id is accepted once. The DKG of the group setup (and the refresh,
 * if it ran) recorded its inst in every node's sealed set; after a restart from the stored blobs
 * the same inst is refused for a DKG and for a refresh. A fresh inst is recorded before round 1
 * leaves the enclave, so it is refused after a kill -9 in the middle of that DKG too. A parent
 * that withholds the set gets refusals, not a fresh empty set. */
static void test_inst_replay(void **state) {
    static const uint32_t all[NODES] = {1, 2, 3};
    Mpc__Enclave__Envelope *rep = NULL;
    unsigned char fresh[32], ppk[NODES][32];
    uint32_t pidx[NODES];
    node *n = &nodes[0];
    size_t i;

    (void)state;
    for (i = 0; i < NODES; i++)
        assert_true(insts_contain(&nodes[i], last_inst));
    boot_from_disk(n);
    keygen_start_refused(n, last_inst, ENC_SESSION_E_INST_REUSED);
    peers_of(pidx, ppk, all, NODES, n->index);
    assert_int_equal(mpc_enclave_refresh_start(n->c, &rep, key_id, last_inst, pidx, (const unsigned char(*)[32])ppk,
                             NODES - 1),
            MPC_ENCLAVE_E_STATUS);
    assert_int_equal(rep->status->code, ENC_SESSION_E_INST_REUSED);
    mpc_enclave_reply_free(rep);

    /* A fresh inst: accepted, on disk before round 1 arrives; the node dies mid-DKG. */
    randombytes_buf(fresh, sizeof(fresh));
    assert_false(insts_contain(n, fresh));
    assert_int_equal(mpc_enclave_keygen_start(n->c, &rep, fresh, NODES, 2, n->index, pidx,
                             (const unsigned char(*)[32])ppk, NODES - 1),
            MPC_ENCLAVE_OK);
    assert_int_equal(rep->round_out->round, 1);
    mpc_enclave_reply_free(rep);
    assert_true(insts_contain(n, fresh));
    assert_true(insts_contain(n, last_inst));
    kill9(n);
    boot_from_disk(n);
    keygen_start_refused(n, fresh, ENC_SESSION_E_INST_REUSED);
    assert_int_equal(stop(n), 0);

    /* The set withheld at start-up: no DKG at all. */
    boot_from_disk_with(n, 1);
    randombytes_buf(fresh, sizeof(fresh));
    keygen_start_refused(n, fresh, ENC_STATE_E_NO_INST_SET);
    assert_int_equal(stop(n), 0);
}

/* A real cheater: party 3 of the real DKG is played by the test itself with its own key material
 * (the key share and identity key sealed under node 3's sealing key, which the test holds), using
 * libmpc and the channel code directly. In signing round 1 it sends node 1 a correctly encrypted
 * and authenticated channel message whose OT-extension part has one bit flipped; node 1's
 * SoftSpoken check fails (PROTOCOL.md 5: ban Bob). Node 1 aborts, names party 3, writes one
 * audit ban record and a sealed ban list (checked against the layout of state.h), and after a
 * restart from its stored blobs refuses any new session with party 3, by index or by identity.
 * (A relay-level alteration of the ciphertext bans nobody: test_transport_errors.) */
static void test_cheater_banned(void **state) {
    static const uint32_t set13[2] = {1, 3}, set12[2] = {1, 2};
    node *n = &nodes[0];
    enc_seal_backend *b = NULL;
    enc_identity *id3 = NULL;
    enc_chan_session *cs = NULL;
    enc_chan_peer peer1;
    mpc_context *ctx = mpc_context_create();
    mpc_keyshare *share3 = NULL;
    mpc_sign *st = NULL;
    const mpc_msg_out *out = NULL;
    Mpc__Enclave__Envelope *v = NULL, *rep = NULL, *r1 = NULL;
    ProtobufCBinaryData in;
    unsigned char *plain = NULL, *payload, *msg, sigid[32], pk3[1][32], expected[32];
    size_t plain_len = 0, out_count = 0, cap, msg_len = 0, audit_from, off, ban_records = 0, abort_records = 0;
    unsigned bans_before = n->ban_writes;
    mpc_sign_request sr;
    mpc_blame blame;
    enc_audit_record rec;
    sign_job j;

    (void)state;
    assert_non_null(ctx);
    assert_int_equal(enc_seal_keyfile_create(&b, nodes[2].seal_key), ENC_OK);
    assert_int_equal(enc_unseal(b, &plain, &plain_len, nodes[2].share.p, nodes[2].share.len, KIND_KEY_SHARE, key_id),
            ENC_OK);
    assert_int_equal(mpc_keyshare_parse(ctx, &share3, plain, plain_len), MPC_OK);
    enc_seal_plain_free(plain);
    assert_int_equal(enc_identity_unseal(&id3, b, nodes[2].identity.p, nodes[2].identity.len), ENC_OK);
    enc_seal_backend_destroy(b);
    b = NULL;

    boot_from_disk(n);
    memset(&j, 0, sizeof(j));
    j.set = set13;
    j.count = 2;
    j.msg = "hello";
    randombytes_buf(j.nonce, 32);
    request(n, &j, &v);
    assert_int_equal(v->verdict->decision, ENC_DECISION_ALLOW);
    memcpy(j.sigid, v->verdict->sigid.data, 32);
    memcpy(j.digest, v->verdict->digest.data, 32);
    mpc_enclave_reply_free(v);
    hex_to_bin(expected, 32, hello_digest_hex);
    assert_memory_equal(j.digest, expected, 32);

    /* The cheater's side of the same session, from its own share. */
    sr.signers = set13;
    sr.signer_count = 2;
    sr.msg_digest32 = j.digest;
    sr.path = NULL;
    sr.path_len = 0;
    sr.coord_nonce32 = j.nonce;
    assert_int_equal(mpc_sign_create(ctx, &st, sigid, share3, &sr), MPC_OK);
    assert_memory_equal(sigid, j.sigid, 32);

    memcpy(pk3[0], nodes[2].pk, 32);
    assert_int_equal(mpc_enclave_sign_start(n->c, &rep, j.sigid, set13 + 1, (const unsigned char(*)[32])pk3, 1),
            MPC_ENCLAVE_OK);
    mpc_enclave_reply_free(rep);
    assert_int_equal(mpc_enclave_stored(n->c, &r1), MPC_ENCLAVE_OK);
    mpc_enclave_reply_free(r1);

    memset(&blame, 0, sizeof(blame));
    assert_int_equal(mpc_sign_next(ctx, &out, &out_count, &blame, st, NULL, 0), MPC_OK);
    assert_int_equal(out_count, 1);
    assert_int_equal(out[0].to, 1);
    assert_true(out[0].len > MPC_MSG_HEADER_BYTES + 32 + 64);
    payload = malloc(out[0].len);
    assert_non_null(payload);
    memcpy(payload, out[0].data, out[0].len);
    /* Round 1 = header | commitment[32] | SoftSpoken message: flip one bit of the latter. */
    payload[MPC_MSG_HEADER_BYTES + 32 + 64] ^= 0x01;
    peer1.index = 1;
    memcpy(peer1.identity_pk, n->pk, 32);
    assert_int_equal(enc_chan_session_create(&cs, id3, 3, key_id, j.sigid, &peer1, 1), ENC_OK);
    cap = enc_chan_message_bytes(ENC_CHAN_P2P, out[0].len);
    msg = malloc(cap);
    assert_non_null(msg);
    assert_int_equal(enc_chan_seal(cs, msg, cap, &msg_len, ENC_CHAN_P2P, 1, 1, payload, out[0].len), ENC_OK);
    in.data = msg;
    in.len = msg_len;
    audit_from = n->audit_log.len;
    assert_int_equal(mpc_enclave_sign_round(n->c, &rep, key_id, j.sigid, 1, &in, 1), MPC_ENCLAVE_E_STATUS);
    assert_int_equal(rep->status->code, MPC_E_BAN);
    assert_false(rep->status->transport);
    assert_int_equal(rep->status->n_banned, 1);
    assert_int_equal(rep->status->banned[0], 3);
    assert_memory_equal(rep->status->session_id.data, j.sigid, 32);
    mpc_enclave_reply_free(rep);

    /* The updated sealed ban list reached the parent: exactly (key id, 3, identity of node 3). */
    assert_int_equal(n->ban_writes, bans_before + 1);
    assert_int_equal(enc_seal_keyfile_create(&b, n->seal_key), ENC_OK);
    assert_int_equal(enc_unseal(b, &plain, &plain_len, n->bans.p, n->bans.len, KIND_BAN_LIST, NULL), ENC_OK);
    assert_int_equal(plain_len, 12 + 68);
    assert_memory_equal(plain, "MPBN\0\0\0\1\0\0\0\1", 12);
    assert_memory_equal(plain + 12, key_id, 32);
    assert_memory_equal(plain + 44, "\0\0\0\3", 4);
    assert_memory_equal(plain + 48, nodes[2].pk, 32);
    enc_seal_plain_free(plain);
    enc_seal_backend_destroy(b);

    /* One ban record naming party 3, then the abort record that ends the session. */
    for (off = audit_from; off < n->audit_log.len; off += rec.len) {
        assert_int_equal(enc_audit_parse(&rec, n->audit_log.p + off, n->audit_log.len - off), ENC_OK);
        if (rec.type == ENC_AUDIT_ABORT) {
            assert_int_equal(ban_records, 1);
            abort_records++;
        }
        if (rec.type != ENC_AUDIT_BAN)
            continue;
        ban_records++;
        assert_non_null(memmem(rec.payload, rec.payload_len, "party=3", 7));
    }
    assert_int_equal(ban_records, 1);
    assert_int_equal(abort_records, 1);
    assert_int_equal(stop(n), 0);

    /* Restart from the stored blobs: party 3 is refused by index and by identity key. */
    boot_from_disk(n);
    randombytes_buf(j.nonce, 32);
    request(n, &j, &v);
    assert_int_equal(v->verdict->decision, ENC_DECISION_DENY);
    assert_non_null(strstr(v->verdict->summary, "banned"));
    mpc_enclave_reply_free(v);
    j.set = set12;
    request(n, &j, &v);
    assert_int_equal(v->verdict->decision, ENC_DECISION_ALLOW);
    memcpy(j.sigid, v->verdict->sigid.data, 32);
    mpc_enclave_reply_free(v);
    assert_int_equal(mpc_enclave_sign_start(n->c, &rep, j.sigid, set12 + 1, (const unsigned char(*)[32])pk3, 1),
            MPC_ENCLAVE_E_STATUS);
    assert_int_equal(rep->status->code, ENC_SESSION_E_BANNED);
    mpc_enclave_reply_free(rep);
    assert_int_equal(stop(n), 0);

    free(msg);
    free(payload);
    enc_chan_session_destroy(cs);
    mpc_sign_destroy(st);
    mpc_keyshare_destroy(share3);
    enc_identity_free(id3);
    mpc_context_destroy(ctx);
    /* The operator lifts the ban (deletes the ban list) so the later tests use all three nodes. */
    free(n->bans.p);
    memset(&n->bans, 0, sizeof(n->bans));
}

/* The real binary under a test-only preload that makes one forbidden syscall right after the
 * filter is loaded: the kernel kills it with SIGSYS. Without the preload it serves normally. */
static void test_sandbox_sigsys(void **state) {
    node n = nodes[0];
    int status = 0;

    (void)state;
    n.c = NULL;
    memset(&n.audit_log, 0, sizeof(n.audit_log));
    memset(&n.last_record, 0, sizeof(n.last_record));
    memset(&n.received, 0, sizeof(n.received));
    n.share.len = 0;
    n.bans.len = 0;
    setenv("LD_PRELOAD", MPC_SANDBOX_PROBE_LIB, 1);
    spawn(&n);
    unsetenv("LD_PRELOAD");
    assert_int_equal(mpc_enclave_hello(n.c), MPC_ENCLAVE_OK);
    assert_int_equal(mpc_enclave_config_keyfile(n.c, n.seal_key, n.index), MPC_ENCLAVE_OK);
    {
        unsigned char pk[32];

        assert_int_equal(mpc_enclave_unseal_identity(n.c, pk, n.identity.p, n.identity.len), MPC_ENCLAVE_OK);
    }
    assert_int_equal(mpc_enclave_start(n.c, NULL, 0), MPC_ENCLAVE_E_IO);
    assert_int_equal(mpc_enclave_wait(n.c, &status), MPC_ENCLAVE_OK);
    mpc_enclave_client_free(n.c);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGSYS);
    free(n.audit_log.p);
    free(n.last_record.p);
    free(n.received.p);
}

/* Nothing the parents received (every frame of every test so far, keygen included) contains a
 * share: the test opens each share blob with the known sealing key and scans for the secret
 * share p(i), the first pairwise zero seed and the identity seed. The public key is found (the
 * scan works). */
static void test_blob_scan(void **state) {
    enc_seal_backend *b = NULL;
    unsigned char *plain = NULL;
    size_t plain_len = 0, i, k;

    (void)state;
    for (i = 0; i < NODES; i++) {
        node *n = &nodes[i];

        assert_int_equal(enc_seal_keyfile_create(&b, n->seal_key), ENC_OK);
        assert_int_equal(enc_unseal(b, &plain, &plain_len, n->share.p, n->share.len, KIND_KEY_SHARE, key_id), ENC_OK);
        assert_int_equal(plain_len, MPC_KEYSHARE_BYTES(NODES));
        assert_true(n->received.len > 100000);
        assert_null(memmem(n->received.p, n->received.len, plain + MPC_KEYSHARE_OFF_SHARE, 32));
        assert_null(memmem(n->received.p, n->received.len, plain + 153 + 33 * NODES, 32));
        for (k = 0; k < NODES; k++)
            assert_null(memmem(nodes[k].received.p, nodes[k].received.len, plain + MPC_KEYSHARE_OFF_SHARE, 32));
        enc_seal_plain_free(plain);
        plain = NULL;
        enc_seal_backend_destroy(b);
        b = NULL;
        assert_non_null(memmem(n->received.p, n->received.len, key_pk, 33));
        assert_int_equal(enc_seal_keyfile_create(&b, n->seal_key), ENC_OK);
        assert_int_equal(enc_unseal(b, &plain, &plain_len, n->identity.p, n->identity.len, KIND_IDENTITY, NULL),
                ENC_OK);
        assert_int_equal(plain_len, 32);
        assert_null(memmem(n->received.p, n->received.len, plain, 32));
        enc_seal_plain_free(plain);
        plain = NULL;
        enc_seal_backend_destroy(b);
        b = NULL;
    }
}

/* Every record each enclave emitted, across all its restarts, forms one valid signed chain. */
static void test_audit_chain(void **state) {
    size_t i, records = 0;

    (void)state;
    for (i = 0; i < NODES; i++) {
        assert_true(nodes[i].audit_log.len > 0);
        assert_int_equal(enc_audit_verify_log(&records, nodes[i].pk, 0, NULL, nodes[i].audit_log.p,
                                 nodes[i].audit_log.len),
                ENC_OK);
        assert_int_equal(records, nodes[i].audit_count);
        assert_true(records >= 8);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Enclaves holding a policy (2-of-3 operator approvals). Expected digests are those of
 * test/vectors/payloads/expected.json (generated by gen_payloads.py, an independent Python
 * implementation, which also checks the published Bybit safeTxHash).
 * ------------------------------------------------------------------------------------------- */

#define OPERATORS 3
static const char *const eip1559_digest_hex = "e0b52197916ca4528d05e8abfe4fd902e91dbd3137a423856228e737d984f6b2";
static const char *const safe_digest_hex = "14fae1ec64ca1eb2fcf29abe6ed4eacf51754b4f895264ce1137d9b62c292e60";
static const char *const multisend_hex = "4040404040404040404040404040404040404040";

static unsigned char op_pk[OPERATORS + 1][32], op_sk[OPERATORS + 1][64]; /* the last one is not an approver */
static char approvers_text[512];
static unsigned char multisend_addr[20];
static ProtobufCBinaryData multisend_list[1];
static Mpc__Enclave__Policy policy_msg = MPC__ENCLAVE__POLICY__INIT;

static void read_vector(buf *b, const char *name) {
    char path[512];
    unsigned char chunk[4096];
    size_t got;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", MPC_PAYLOAD_VECTORS_DIR, name);
    assert_non_null(f = fopen(path, "rb"));
    b->len = 0;
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(b, chunk, got);
    fclose(f);
}

/* An approval by operator op of (rid, key_id, subject), valid until expiry. */
static void make_approval(unsigned char out[POLICY_APPROVAL_BYTES], size_t op, const unsigned char rid[32],
        const unsigned char subject[32], uint64_t expiry) {
    policy_approval_statement st;
    policy_approval a;

    memset(&st, 0, sizeof(st));
    memcpy(st.request_id, rid, 32);
    memcpy(st.key_id, key_id, 32);
    memcpy(st.subject, subject, 32);
    st.decision = POLICY_DECISION_APPROVE;
    st.expiry = expiry;
    memcpy(st.approver_pubkey, op_pk[op], 32);
    assert_int_equal(policy_approval_sign(&a, &st, op_sk[op]), POLICY_OK);
    assert_int_equal(policy_approval_serialize(out, &a), POLICY_OK);
}

static uint64_t now_s(void) {
    return (uint64_t)time(NULL);
}

/* Group with a policy for chain_id: operators, approvers file (quorum 2), INIT with the policy and
 * a DKG. */
static int policy_group_setup(uint64_t chain_id) {
    size_t i, o = 0;
    char hex[65];

    if (sodium_init() < 0)
        return -1;
    o += (size_t)snprintf(approvers_text + o, sizeof(approvers_text) - o, "# test operators\n");
    for (i = 0; i <= OPERATORS; i++) {
        crypto_sign_keypair(op_pk[i], op_sk[i]);
        sodium_bin2hex(hex, sizeof(hex), op_pk[i], 32);
        if (i < OPERATORS)
            o += (size_t)snprintf(approvers_text + o, sizeof(approvers_text) - o, "approver op%zu %s\n", i, hex);
    }
    snprintf(approvers_text + o, sizeof(approvers_text) - o, "quorum 2\nmax-lifetime 900\n");
    if (sodium_hex2bin(multisend_addr, 20, multisend_hex, 40, NULL, NULL, NULL) != 0)
        return -1;
    multisend_list[0].data = multisend_addr;
    multisend_list[0].len = 20;
    policy_msg.approvers = approvers_text;
    policy_msg.chain_id = chain_id;
    policy_msg.native_symbol = (char *)"ETH";
    policy_msg.asset_registry = (char *)"";
    policy_msg.multisend_call_only = multisend_list;
    policy_msg.n_multisend_call_only = 1;
    policy_msg.btc_network = 1;
    group_policy = &policy_msg;
    return group_setup(NULL);
}

static int policy_group_setup_mainnet(void **state) {
    (void)state;
    return policy_group_setup(1);
}

/* Chain 4 (Rinkeby): the chain of the published EIP-1559 vector. */
static int policy_group_setup_chain4(void **state) {
    (void)state;
    return policy_group_setup(4);
}

static int policy_group_teardown(void **state) {
    group_policy = NULL;
    return group_teardown(state);
}

/* A signing job of signers set over the vector file, approved by apv (filled in later). */
static void policy_job(sign_job *j, buf *payload, const ProtobufCBinaryData *apv, const uint32_t *set, uint32_t type,
        const char *file) {
    memset(j, 0, sizeof(*j));
    read_vector(payload, file);
    j->set = set;
    j->count = 2;
    j->type = type;
    j->payload = payload->p;
    j->payload_len = payload->len;
    randombytes_buf(j->rid, 32);
    randombytes_buf(j->nonce, 32);
    j->approvals = apv;
}

/* Sign with approvals by operators a and b; check the digest against the vector and the address. */
static void policy_sign(uint32_t type, const char *file, const char *digest_hex, size_t a, size_t b) {
    static const uint32_t set12[2] = {1, 2};
    unsigned char apv_bytes[2][POLICY_APPROVAL_BYTES], expected[32], full[65], hash[32];
    ProtobufCBinaryData apv[2];
    buf payload = {0};
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    secp256k1_pubkey pk;
    size_t i, full_len = sizeof(full);
    sign_job j;

    hex_to_bin(expected, 32, digest_hex);
    for (i = 0; i < NODES; i++)
        boot_from_disk(&nodes[i]);
    policy_job(&j, &payload, apv, set12, type, file);
    request_all(&j);
    assert_memory_equal(j.digest, expected, 32);
    make_approval(apv_bytes[0], a, j.rid, j.digest, now_s() + 600);
    make_approval(apv_bytes[1], b, j.rid, j.digest, now_s() + 600);
    apv[0].data = apv_bytes[0];
    apv[0].len = POLICY_APPROVAL_BYTES;
    apv[1].data = apv_bytes[1];
    apv[1].len = POLICY_APPROVAL_BYTES;
    j.n_approvals = 2;
    sign_from_start(&j);
    /* The address that signed is the derived key's address. */
    assert_true(secp256k1_ec_pubkey_parse(ctx, &pk, j.derived_pk, 33));
    assert_true(secp256k1_ec_pubkey_serialize(ctx, full, &full_len, &pk, SECP256K1_EC_UNCOMPRESSED));
    payload_keccak256(hash, full + 1, 64);
    assert_memory_equal(j.signer_address, hash + 12, 20);
    secp256k1_context_destroy(ctx);
    free(payload.p);
    for (i = 0; i < NODES; i++)
        assert_int_equal(stop(&nodes[i]), 0);
}

/* EIP-1559 transfer (chain 4), approved by operators 0 and 2. */
static void test_policy_eip1559_signed(void **state) {
    (void)state;
    policy_sign(2, "eip1559_ethereumjs0.bin", eip1559_digest_hex, 0, 2);
}

/* Safe transaction (chain 1), approved by operators 1 and 0. */
static void test_policy_safe_signed(void **state) {
    (void)state;
    policy_sign(5, "safe_derived_example.json", safe_digest_hex, 1, 0);
}

/* SIGN_START at node 1 with approvals apv; expect a refusal naming `reason`. */
static void approvals_refused(const sign_job *j, const ProtobufCBinaryData *apv, size_t n, const char *reason) {
    Mpc__Enclave__Envelope *rep = NULL;
    unsigned char ppk[1][32];
    uint32_t pidx[1];

    peers_of(pidx, ppk, j->set, j->count, 1);
    assert_int_equal(mpc_enclave_sign_start_approved(nodes[0].c, &rep, j->sigid, pidx,
                             (const unsigned char(*)[32])ppk, 1, j->rid, apv, n),
            MPC_ENCLAVE_E_STATUS);
    assert_non_null(rep);
    assert_int_equal(rep->status->code, ENC_SESSION_E_APPROVALS);
    assert_non_null(strstr(rep->status->detail, "pending (quorum not reached): 1 of 2 valid"));
    assert_non_null(strstr(rep->status->detail, reason));
    mpc_enclave_reply_free(rep);
}

/* Approvals for another digest, expired, duplicated or from an unknown key leave the quorum
 * unreached and burn no sigid: afterwards two valid approvals sign the same request. */
static void test_policy_approvals_refused(void **state) {
    static const uint32_t set12[2] = {1, 2};
    unsigned char good[POLICY_APPROVAL_BYTES], bad[POLICY_APPROVAL_BYTES], other[32], apv_bytes[2][POLICY_APPROVAL_BYTES];
    ProtobufCBinaryData apv[2], ok_apv[2];
    size_t used_before, i;
    buf payload = {0};
    sign_job j;

    (void)state;
    for (i = 0; i < NODES; i++)
        boot_from_disk(&nodes[i]);
    policy_job(&j, &payload, ok_apv, set12, 5, "safe_derived_example.json");
    request_all(&j);
    used_before = nodes[0].used.len;
    make_approval(good, 0, j.rid, j.digest, now_s() + 600);
    apv[0].data = good;
    apv[0].len = sizeof(good);
    apv[1].data = bad;
    apv[1].len = sizeof(bad);
    memcpy(other, j.digest, 32);
    other[31] ^= 1;
    make_approval(bad, 1, j.rid, other, now_s() + 600);
    approvals_refused(&j, apv, 2, "approval 1 refused: wrong digest");
    make_approval(bad, 1, j.rid, j.digest, now_s() - 1);
    approvals_refused(&j, apv, 2, "approval 1 refused: expired");
    apv[1].data = good;
    approvals_refused(&j, apv, 2, "approval 1 refused: duplicate");
    apv[1].data = bad;
    make_approval(bad, OPERATORS, j.rid, j.digest, now_s() + 600);
    approvals_refused(&j, apv, 2, "approval 1 refused: unknown approver key");
    /* Nothing was recorded: no used-session blob was written. */
    assert_int_equal(nodes[0].used.len, used_before);
    make_approval(apv_bytes[0], 0, j.rid, j.digest, now_s() + 600);
    make_approval(apv_bytes[1], 2, j.rid, j.digest, now_s() + 600);
    for (i = 0; i < 2; i++) {
        ok_apv[i].data = apv_bytes[i];
        ok_apv[i].len = POLICY_APPROVAL_BYTES;
    }
    j.n_approvals = 2;
    sign_from_start(&j);
    free(payload.p);
    for (i = 0; i < NODES; i++)
        assert_int_equal(stop(&nodes[i]), 0);
}

/* ---- PSBTs with several inputs (one session per input) -------------------------------------- */

/* The secp256k1 generator G, compressed (SEC 2): a valid key that is not the group's. */
static const unsigned char secp256k1_g_compressed[33] = {
    0x02, 0x79, 0xbe, 0x66, 0x7e, 0xf9, 0xdc, 0xbb, 0xac, 0x55, 0xa0, 0x62, 0x95, 0xce, 0x87, 0x0b, 0x07,
    0x02, 0x9b, 0xfc, 0xdb, 0x2d, 0xce, 0x28, 0xd9, 0x59, 0xf2, 0x81, 0x5b, 0x16, 0xf8, 0x17, 0x98};

static void put_le(buf *b, uint64_t v, size_t n) {
    unsigned char le[8];
    size_t i;

    for (i = 0; i < n; i++)
        le[i] = (unsigned char)(v >> (8 * i));
    buf_append(b, le, n);
}

static void put_byte(buf *b, unsigned char c) {
    buf_append(b, &c, 1);
}

/* BIP143 P2WPKH output script of pk: OP_0 PUSH20 hash160(pk), hashed with OpenSSL. */
static void p2wpkh_script(unsigned char out[22], const unsigned char pk[33]) {
    unsigned char sha[32];
    unsigned int len = 0;

    assert_int_equal(EVP_Digest(pk, 33, sha, &len, EVP_sha256(), NULL), 1);
    out[0] = 0x00;
    out[1] = 0x14;
    assert_int_equal(EVP_Digest(sha, 32, out + 2, &len, EVP_ripemd160(), NULL), 1);
    assert_int_equal(len, 20);
}

/* A transaction without witnesses: one input per outpoint (txid, vout 0, empty scriptSig), one
 * output of value to script[0..script_len). */
static void put_tx(buf *b, const unsigned char (*outpoints)[32], size_t n, uint32_t sequence, uint64_t value,
        const unsigned char *script, size_t script_len) {
    size_t i;

    put_le(b, 2, 4);
    put_byte(b, (unsigned char)n);
    for (i = 0; i < n; i++) {
        buf_append(b, outpoints[i], 32);
        put_le(b, 0, 4);
        put_byte(b, 0);
        put_le(b, sequence, 4);
    }
    put_byte(b, 1);
    put_le(b, value, 8);
    put_byte(b, (unsigned char)script_len);
    buf_append(b, script, script_len);
    put_le(b, 0, 4);
}

/* One PSBT record: compact-size key length (< 253), key, value length (< 65536), value. */
static void put_record(buf *b, const unsigned char *key, size_t key_len, const buf *value) {
    put_byte(b, (unsigned char)key_len);
    buf_append(b, key, key_len);
    if (value->len < 253) {
        put_byte(b, (unsigned char)value->len);
    } else {
        put_byte(b, 0xfd);
        put_le(b, value->len, 2);
    }
    buf_append(b, value->p, value->len);
}

/* PSBT v0 spending one P2WPKH output of each of the n keys pks (each its own previous
 * transaction of 60000 sat, full and as witness UTXO, with a BIP32 origin of the master key) to
 * one P2WPKH output of 50000 sat per input. */
static void make_psbt(buf *out, const unsigned char (*pks)[33], size_t n) {
    static const unsigned char magic[5] = {'p', 's', 'b', 't', 0xff};
    unsigned char outpoints[4][32], funding[1][32], script[22], pay[22], key[34], sha[32];
    buf prev[4], value = {0};
    unsigned int len;
    size_t i;

    assert_true(n <= 4);
    memset(prev, 0, sizeof(prev));
    for (i = 0; i < n; i++) {
        memset(funding[0], (int)(0xa0 + i), 32);
        p2wpkh_script(script, pks[i]);
        put_tx(&prev[i], (const unsigned char(*)[32])funding, 1, 0xffffffffu, 60000, script, sizeof(script));
        assert_int_equal(EVP_Digest(prev[i].p, prev[i].len, sha, &len, EVP_sha256(), NULL), 1);
        assert_int_equal(EVP_Digest(sha, 32, outpoints[i], &len, EVP_sha256(), NULL), 1);
    }
    memset(pay, 0x11, sizeof(pay));
    pay[0] = 0x00;
    pay[1] = 0x14;
    out->len = 0;
    buf_append(out, magic, sizeof(magic));
    put_tx(&value, (const unsigned char(*)[32])outpoints, n, 0xfffffffdu, 50000 * n, pay, sizeof(pay));
    key[0] = 0x00;
    put_record(out, key, 1, &value);
    put_byte(out, 0);
    for (i = 0; i < n; i++) {
        key[0] = 0x00; /* PSBT_IN_NON_WITNESS_UTXO */
        put_record(out, key, 1, &prev[i]);
        p2wpkh_script(script, pks[i]);
        value.len = 0;
        put_le(&value, 60000, 8);
        put_byte(&value, sizeof(script));
        buf_append(&value, script, sizeof(script));
        key[0] = 0x01; /* PSBT_IN_WITNESS_UTXO */
        put_record(out, key, 1, &value);
        key[0] = 0x06; /* PSBT_IN_BIP32_DERIVATION: the master fingerprint, an empty path */
        memcpy(key + 1, pks[i], 33);
        value.len = 0;
        buf_append(&value, script + 2, 4);
        put_record(out, key, 34, &value);
        put_byte(out, 0);
        free(prev[i].p);
    }
    put_byte(out, 0);
    free(value.p);
}

/* A verdict of node 1 on digest index idx of j's payload (a fresh nonce each time). */
static Mpc__Enclave__Envelope *psbt_verdict(sign_job *j, uint32_t idx) {
    Mpc__Enclave__Envelope *v = NULL;

    j->digest_index = idx;
    randombytes_buf(j->nonce, 32);
    request(&nodes[0], j, &v);
    return v;
}

/* A PSBT with two inputs of the key: each digest index gets its own allowed verdict, with the
 * digest of that input and the fingerprint subject of the set (keccak256 of the tagged set,
 * payload/fingerprint.h, computed here); approvals of the subject sign both sessions while an
 * approval of the first digest is refused; an index past the last and a PSBT with an input of
 * another key are denied. */
static void test_policy_psbt_inputs(void **state) {
    static const uint32_t set12[2] = {1, 2};
    static const char tag[] = "mpc-fingerprint-digest-set/v1";
    unsigned char pks[2][33], digests[2][32], subject[32], apv_bytes[3][POLICY_APPROVAL_BYTES];
    unsigned char set[sizeof(tag) - 1 + 4 + 64];
    char line[128], hex[65];
    ProtobufCBinaryData apv[2];
    Mpc__Enclave__Envelope *v;
    buf payload = {0};
    sign_job j;
    uint32_t i;

    (void)state;
    for (i = 0; i < NODES; i++)
        boot_from_disk(&nodes[i]);
    memcpy(pks[0], key_pk, 33);
    memcpy(pks[1], key_pk, 33);
    make_psbt(&payload, (const unsigned char(*)[33])pks, 2);
    memset(&j, 0, sizeof(j));
    j.set = set12;
    j.count = 2;
    j.type = 6;
    j.payload = payload.p;
    j.payload_len = payload.len;
    randombytes_buf(j.rid, 32);
    j.approvals = apv;
    for (i = 0; i < 2; i++) {
        v = psbt_verdict(&j, i);
        assert_int_equal(v->verdict->decision, ENC_DECISION_ALLOW);
        assert_int_equal(v->verdict->digest_count, 2);
        memcpy(digests[i], v->verdict->digest.data, 32);
        sodium_bin2hex(hex, sizeof(hex), digests[i], 32);
        snprintf(line, sizeof(line), "digest[%u].hex: 0x%s\n", (unsigned)i, hex);
        assert_non_null(strstr(v->verdict->summary, line));
        if (i == 1)
            assert_memory_equal(subject, v->verdict->fingerprint_subject.data, 32);
        memcpy(subject, v->verdict->fingerprint_subject.data, 32);
        check_verdict_v2(&nodes[0], v->verdict);
        mpc_enclave_reply_free(v);
    }
    assert_memory_not_equal(digests[0], digests[1], 32);
    memcpy(set, tag, sizeof(tag) - 1);
    memcpy(set + sizeof(tag) - 1, "\0\0\0\2", 4);
    memcpy(set + sizeof(tag) - 1 + 4, digests, 64);
    payload_keccak256(subject, set, sizeof(set));
    v = psbt_verdict(&j, 0);
    assert_memory_equal(v->verdict->fingerprint_subject.data, subject, 32);
    mpc_enclave_reply_free(v);
    v = psbt_verdict(&j, 2);
    assert_int_equal(v->verdict->decision, ENC_DECISION_DENY);
    assert_non_null(strstr(v->verdict->summary, "denied: digest index 2, but the payload has 2 digest(s)"));
    mpc_enclave_reply_free(v);

    /* Index 0 with both signers; an approval of the first digest instead of the subject does not count. */
    j.digest_index = 0;
    j.subject = subject;
    randombytes_buf(j.nonce, 32);
    request_all(&j);
    assert_memory_equal(j.digest, digests[0], 32);
    make_approval(apv_bytes[0], 0, j.rid, subject, now_s() + 600);
    make_approval(apv_bytes[1], 1, j.rid, subject, now_s() + 600);
    make_approval(apv_bytes[2], 2, j.rid, digests[0], now_s() + 600);
    apv[0].data = apv_bytes[0];
    apv[0].len = POLICY_APPROVAL_BYTES;
    apv[1].data = apv_bytes[2];
    apv[1].len = POLICY_APPROVAL_BYTES;
    approvals_refused(&j, apv, 2, "approval 1 refused: wrong digest");
    apv[1].data = apv_bytes[1];
    j.n_approvals = 2;
    sign_from_start(&j);
    /* Index 1: a new attempt (nonce, verdicts), the same approvals. */
    j.digest_index = 1;
    randombytes_buf(j.nonce, 32);
    request_all(&j);
    assert_memory_equal(j.digest, digests[1], 32);
    sign_from_start(&j);

    /* One input of the key and one of another key (the generator point): denied. */
    memcpy(pks[1], secp256k1_g_compressed, 33);
    make_psbt(&payload, (const unsigned char(*)[33])pks, 2);
    j.payload = payload.p;
    j.payload_len = payload.len;
    v = psbt_verdict(&j, 0);
    assert_int_equal(v->verdict->decision, ENC_DECISION_DENY);
    assert_non_null(strstr(v->verdict->summary, "a PSBT input to sign is not spent by this key"));
    mpc_enclave_reply_free(v);
    free(payload.p);
    for (i = 0; i < NODES; i++)
        assert_int_equal(stop(&nodes[i]), 0);
}

/* The same request (same sigid) asked again under another request id, as a retrying parent may:
 * the enclave keeps the latest verdict, so SIGN_START with the first request id is refused and one
 * with the second, approved for it, signs. */
static void test_policy_request_repeated(void **state) {
    static const uint32_t set12[2] = {1, 2};
    unsigned char first_rid[32], first_sigid[32], apv_bytes[2][POLICY_APPROVAL_BYTES], ppk[1][32];
    Mpc__Enclave__Envelope *rep = NULL;
    ProtobufCBinaryData apv[2];
    uint32_t pidx[1];
    buf payload = {0};
    sign_job j;
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++)
        boot_from_disk(&nodes[i]);
    policy_job(&j, &payload, apv, set12, 5, "safe_derived_example.json");
    request_all(&j);
    memcpy(first_rid, j.rid, 32);
    memcpy(first_sigid, j.sigid, 32);
    randombytes_buf(j.rid, 32);
    request_all(&j);
    assert_memory_equal(j.sigid, first_sigid, 32);
    for (i = 0; i < 2; i++) {
        make_approval(apv_bytes[i], i, first_rid, j.digest, now_s() + 600);
        apv[i].data = apv_bytes[i];
        apv[i].len = POLICY_APPROVAL_BYTES;
    }
    peers_of(pidx, ppk, set12, 2, 1);
    assert_int_equal(mpc_enclave_sign_start_approved(nodes[0].c, &rep, j.sigid, pidx,
                             (const unsigned char(*)[32])ppk, 1, first_rid, apv, 2),
            MPC_ENCLAVE_E_STATUS);
    assert_int_equal(rep->status->code, ENC_SESSION_E_APPROVALS);
    assert_non_null(strstr(rep->status->detail, "not the one of this sigid's verdict"));
    mpc_enclave_reply_free(rep);
    for (i = 0; i < 2; i++)
        make_approval(apv_bytes[i], i, j.rid, j.digest, now_s() + 600);
    j.n_approvals = 2;
    sign_from_start(&j);
    free(payload.p);
    for (i = 0; i < 2; i++)
        assert_int_equal(stop(&nodes[i]), 0);
}

static Mpc__Enclave__Envelope *policy_request(node *n, uint32_t type, const buf *payload, const unsigned char rid[32]) {
    static const uint32_t set12[2] = {1, 2};
    Mpc__Enclave__Envelope *v = NULL;
    sign_job j;

    memset(&j, 0, sizeof(j));
    j.set = set12;
    j.count = 2;
    j.type = type;
    j.payload = payload->p;
    j.payload_len = payload->len;
    memcpy(j.rid, rid, 32);
    randombytes_buf(j.nonce, 32);
    request(n, &j, &v);
    check_verdict_v2(n, v->verdict);
    /* Denied or allowed, a verdict of an enclave with a policy names its quorum. */
    assert_int_equal(v->verdict->approvals_required, 2);
    return v;
}

/* A Safe DELEGATECALL to a contract not on the MultiSendCallOnly allowlist is denied at
 * SIGN_REQUEST (the Bybit transaction); one to the allowlisted MultiSendCallOnly is allowed. */
static void test_policy_delegatecall_refused(void **state) {
    Mpc__Enclave__Envelope *v;
    unsigned char rid[32];
    buf payload = {0};

    (void)state;
    boot_from_disk(&nodes[0]);
    randombytes_buf(rid, 32);
    read_vector(&payload, "safe_bybit.json");
    v = policy_request(&nodes[0], 5, &payload, rid);
    assert_int_equal(v->verdict->decision, ENC_DECISION_DENY);
    assert_non_null(strstr(v->verdict->summary, "decision: denied: payload refused:"));
    assert_non_null(strstr(v->verdict->summary, "DELEGATECALL"));
    mpc_enclave_reply_free(v);
    read_vector(&payload, "safe_multisend_ok.json");
    v = policy_request(&nodes[0], 5, &payload, rid);
    assert_int_equal(v->verdict->decision, ENC_DECISION_ALLOW);
    mpc_enclave_reply_free(v);
    free(payload.p);
    assert_int_equal(stop(&nodes[0]), 0);
}

/* The parent sends different payloads to two enclaves of one request: each verdict is signed and
 * names the digest that enclave computed, so the two differ. */
static void test_policy_divergent_payloads(void **state) {
    Mpc__Enclave__Envelope *v1, *v2;
    unsigned char rid[32];
    buf p1 = {0}, p2 = {0};

    (void)state;
    boot_from_disk(&nodes[0]);
    boot_from_disk(&nodes[1]);
    randombytes_buf(rid, 32);
    read_vector(&p1, "safe_derived_example.json");
    read_vector(&p2, "safe_multisend_ok.json");
    v1 = policy_request(&nodes[0], 5, &p1, rid);
    v2 = policy_request(&nodes[1], 5, &p2, rid);
    assert_int_equal(v1->verdict->decision, ENC_DECISION_ALLOW);
    assert_int_equal(v2->verdict->decision, ENC_DECISION_ALLOW);
    assert_memory_not_equal(v1->verdict->digest.data, v2->verdict->digest.data, 32);
    mpc_enclave_reply_free(v1);
    mpc_enclave_reply_free(v2);
    free(p1.p);
    free(p2.p);
    assert_int_equal(stop(&nodes[0]), 0);
    assert_int_equal(stop(&nodes[1]), 0);
}

/* Up to LOAD of the policy: UNSEAL, then the blob as kind, which must end the enclave. */
static int load_policy_as(node *n, uint32_t kind, const buf *blob) {
    unsigned char pk[32];

    spawn(n);
    assert_int_equal(mpc_enclave_hello(n->c), MPC_ENCLAVE_OK);
    assert_int_equal(mpc_enclave_config_keyfile(n->c, n->seal_key, n->index), MPC_ENCLAVE_OK);
    assert_int_equal(mpc_enclave_unseal_identity(n->c, pk, n->identity.p, n->identity.len), MPC_ENCLAVE_OK);
    return mpc_enclave_load(n->c, kind, NULL, blob->p, blob->len);
}

/* A parent that withholds the policy blob does not get the interim rule back: the key was created
 * under the policy, so even an EIP-191 message is denied. */
static void withheld_policy_denied(node *n) {
    static const uint32_t set12[2] = {1, 2};
    Mpc__Enclave__Envelope *v = NULL;
    size_t policy_len = n->policy.len;
    sign_job j;

    n->policy.len = 0;
    boot_from_disk(n);
    n->policy.len = policy_len;
    memset(&j, 0, sizeof(j));
    j.set = set12;
    j.count = 2;
    j.msg = "hello";
    randombytes_buf(j.nonce, 32);
    request(n, &j, &v);
    assert_int_equal(v->verdict->decision, ENC_DECISION_DENY);
    assert_non_null(strstr(v->verdict->summary, "created under a policy that is not loaded"));
    assert_int_equal(v->verdict->approvals_required, 0);
    check_verdict_signature(n, v->verdict);
    mpc_enclave_reply_free(v);
    assert_int_equal(stop(n), 0);
}

/* A policy the parent swaps is refused at LOAD and ends the enclave: another enclave's policy blob
 * (other sealing key), another kind of blob handed in as the policy, the policy handed in as
 * another kind, a second policy after the first; a withheld policy denies every request. An invalid policy at INIT is refused with its
 * reason. */
static void test_policy_blob_swapped(void **state) {
    static const char bad_approvers[] = "approver op0 00\nquorum 1\n";
    Mpc__Enclave__Policy bad = policy_msg;
    Mpc__Enclave__Envelope *st = NULL;
    unsigned char pk[32];
    node fresh;

    (void)state;
    assert_int_not_equal(load_policy_as(&nodes[0], KIND_POLICY, &nodes[1].policy), MPC_ENCLAVE_OK);
    assert_int_equal(exit_code(&nodes[0]), 16);
    assert_int_not_equal(load_policy_as(&nodes[0], KIND_POLICY, &nodes[0].insts), MPC_ENCLAVE_OK);
    assert_int_equal(exit_code(&nodes[0]), 16);
    assert_int_not_equal(load_policy_as(&nodes[0], KIND_INSTS, &nodes[0].policy), MPC_ENCLAVE_OK);
    assert_int_equal(exit_code(&nodes[0]), 16);
    /* The policy is a singleton: handed in under a key id it is malformed. */
    assert_int_equal(load_policy_as(&nodes[0], KIND_INSTS, &nodes[0].insts), MPC_ENCLAVE_OK);
    assert_int_not_equal(mpc_enclave_load(nodes[0].c, KIND_POLICY, key_id, nodes[0].policy.p, nodes[0].policy.len),
            MPC_ENCLAVE_OK);
    assert_int_equal(exit_code(&nodes[0]), EXIT_MALFORMED);
    assert_int_equal(load_policy_as(&nodes[0], KIND_POLICY, &nodes[0].policy), MPC_ENCLAVE_OK);
    assert_int_not_equal(mpc_enclave_load(nodes[0].c, KIND_POLICY, NULL, nodes[0].policy.p, nodes[0].policy.len),
            MPC_ENCLAVE_OK);
    assert_int_equal(exit_code(&nodes[0]), 16);

    withheld_policy_denied(&nodes[0]);

    memset(&fresh, 0, sizeof(fresh));
    fresh.index = 1;
    randombytes_buf(fresh.seal_key, 32);
    spawn(&fresh);
    assert_int_equal(mpc_enclave_hello(fresh.c), MPC_ENCLAVE_OK);
    assert_int_equal(mpc_enclave_config_keyfile(fresh.c, fresh.seal_key, 1), MPC_ENCLAVE_OK);
    bad.approvers = (char *)bad_approvers;
    assert_int_equal(mpc_enclave_init_policy(fresh.c, &st, pk, &bad), MPC_ENCLAVE_E_STATUS);
    assert_int_equal(st->status->code, ENC_STATE_E_POLICY);
    assert_non_null(strstr(st->status->detail, "approvers file"));
    mpc_enclave_reply_free(st);
    st = NULL;
    bad = policy_msg;
    bad.chain_id = 0;
    assert_int_equal(mpc_enclave_init_policy(fresh.c, &st, pk, &bad), MPC_ENCLAVE_E_STATUS);
    assert_non_null(strstr(st->status->detail, "chain id"));
    mpc_enclave_reply_free(st);
    assert_int_equal(fresh.identity.len, 0);
    assert_int_equal(fresh.policy.len, 0);
    assert_int_equal(mpc_enclave_init_policy(fresh.c, NULL, pk, &policy_msg), MPC_ENCLAVE_OK);
    assert_true(fresh.identity.len > 0 && fresh.policy.len > 0);
    assert_int_equal(stop(&fresh), 0);
    free(fresh.identity.p);
    free(fresh.policy.p);
    free(fresh.insts.p);
    free(fresh.audit_log.p);
    free(fresh.last_record.p);
    free(fresh.received.p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_restart_identity),
        cmocka_unit_test(test_keygen_restart_sign),
        cmocka_unit_test(test_fail_closed),
        cmocka_unit_test(test_crash_safety),
        cmocka_unit_test(test_transport_errors),
        cmocka_unit_test(test_banned_party),
        cmocka_unit_test(test_refresh),
        cmocka_unit_test(test_sign_request_during_signing),
        cmocka_unit_test(test_verdict_ring),
        cmocka_unit_test(test_sign_request_during_keygen),
        cmocka_unit_test(test_inst_replay),
        cmocka_unit_test(test_cheater_banned),
        cmocka_unit_test(test_sandbox_sigsys),
        cmocka_unit_test(test_blob_scan),
        cmocka_unit_test(test_audit_chain),
    };

    const struct CMUnitTest policy_tests[] = {
        cmocka_unit_test(test_policy_safe_signed),
        cmocka_unit_test(test_policy_approvals_refused),
        cmocka_unit_test(test_policy_request_repeated),
        cmocka_unit_test(test_policy_psbt_inputs),
        cmocka_unit_test(test_policy_delegatecall_refused),
        cmocka_unit_test(test_policy_divergent_payloads),
        cmocka_unit_test(test_policy_blob_swapped),
    };
    const struct CMUnitTest chain4_tests[] = {
        cmocka_unit_test(test_policy_eip1559_signed),
    };
    int failed;

    signal(SIGPIPE, SIG_IGN);
    failed = cmocka_run_group_tests(tests, group_setup, group_teardown);
    failed += cmocka_run_group_tests(policy_tests, policy_group_setup_mainnet, policy_group_teardown);
    failed += cmocka_run_group_tests(chain4_tests, policy_group_setup_chain4, policy_group_teardown);
    return failed;
}
