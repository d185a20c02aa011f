#include "ipc.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "audit.h"
#include "channel.h"
#include "enc_bytes.h"
#include "enc_error.h"
#include "session.h"
#include "state.h"

#define IPC_MAX_REQUEST_ID 64u
#define IPC_MAX_DERIVATION_DEPTH 16u
#define IPC_MAX_ROUND_MESSAGES ENC_CHAN_MAX_PARTIES
/* An approval is POLICY_APPROVAL_BYTES; longer ones are still passed on so that the refusal names
 * them, up to this bound. */
#define IPC_MAX_APPROVAL_BYTES 1024u

/*
 * Everything protobuf-c unpacks lands in locked, wiped memory. A sodium_malloc per field costs a
 * mapping, guard pages, mprotect and mlock calls (about a hundred per signing round, most of the
 * enclave's time), so the fields of the envelopes alive at one time are carved from one
 * sodium_malloc arena, which is wiped once the last of them is freed. What does not fit gets its
 * own sodium_malloc as before.
 */
#define IPC_ARENA_BYTES (256u * 1024u)
#define IPC_ARENA_ALIGN 16u

static unsigned char *ipc_arena;
static size_t ipc_arena_used;
static size_t ipc_arena_live; /* unpacked envelopes not freed yet */

static int ipc_in_arena(const void *p) {
    uintptr_t a = (uintptr_t)ipc_arena, q = (uintptr_t)p;
    return ipc_arena != NULL && q >= a && q < a + IPC_ARENA_BYTES;
}

static void *ipc_alloc(void *data, size_t size) {
    size_t need = (size + IPC_ARENA_ALIGN - 1u) & ~(size_t)(IPC_ARENA_ALIGN - 1u);
    (void)data;
    if (ipc_arena == NULL)
        ipc_arena = sodium_malloc(IPC_ARENA_BYTES);
    if (ipc_arena != NULL && size != 0 && need <= IPC_ARENA_BYTES - ipc_arena_used) {
        void *p = ipc_arena + ipc_arena_used;
        ipc_arena_used += need;
        return p;
    }
    return sodium_malloc(size != 0 ? size : 1);
}

static void ipc_free(void *data, void *ptr) {
    (void)data;
    if (ptr != NULL && !ipc_in_arena(ptr))
        sodium_free(ptr);
}

static void ipc_arena_release(void) {
    if (ipc_arena_live == 0 && ipc_arena != NULL) {
        sodium_memzero(ipc_arena, ipc_arena_used);
        ipc_arena_used = 0;
    }
}

static ProtobufCAllocator ipc_allocator = {ipc_alloc, ipc_free, NULL};

void enc_ipc_init(enc_ipc *e, int fd) {
    memset(e, 0, sizeof(*e));
    e->fd = fd;
    e->state = ENC_IPC_ST_HELLO;
}

void enc_ipc_clear(enc_ipc *e) {
    enc_engine_destroy(e->engine);
    e->engine = NULL;
    enc_identity_free(e->identity);
    enc_seal_backend_destroy(e->backend);
    e->identity = NULL;
    e->backend = NULL;
}

static int ipc_read_full(int fd, unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t r = read(fd, p, n);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return ENC_IPC_E_IO;
        p += r;
        n -= (size_t)r;
    }
    return ENC_OK;
}

static int ipc_write_full(int fd, const unsigned char *p, size_t n) {
    while (n > 0) {
        /* MSG_NOSIGNAL: a vanished parent is an error return, not SIGPIPE. */
        ssize_t r = send(fd, p, n, MSG_NOSIGNAL);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return ENC_IPC_E_IO;
        p += r;
        n -= (size_t)r;
    }
    return ENC_OK;
}

int enc_ipc_read_frame(unsigned char **frame, size_t *frame_len, int fd) {
    unsigned char hdr[4];
    unsigned char *buf = NULL;
    uint32_t len;
    int r;

    if ((r = ipc_read_full(fd, hdr, sizeof(hdr))) != ENC_OK)
        goto out;
    len = enc_get_be32(hdr);
    if (len == 0 || len > ENC_IPC_MAX_FRAME) {
        r = ENC_IPC_E_FRAME;
        goto out;
    }
    if ((buf = sodium_malloc(len)) == NULL) {
        r = ENC_E_NOMEM;
        goto out;
    }
    if ((r = ipc_read_full(fd, buf, len)) != ENC_OK)
        goto out;
    *frame = buf;
    *frame_len = len;
    buf = NULL;
    r = ENC_OK;
out:
    enc_ipc_frame_free(buf);
    return r;
}

void enc_ipc_frame_free(unsigned char *frame) {
    if (frame != NULL)
        sodium_free(frame);
}

int enc_ipc_write_frame(int fd, const unsigned char *buf, size_t len) {
    unsigned char hdr[4];
    int r;

    if (len == 0 || len > ENC_IPC_MAX_FRAME)
        return ENC_IPC_E_FRAME;
    enc_put_be32(hdr, (uint32_t)len);
    if ((r = ipc_write_full(fd, hdr, sizeof(hdr))) != ENC_OK)
        return r;
    return ipc_write_full(fd, buf, len);
}

static int ipc_body_clean(const void *msg) {
    return msg != NULL && ((const ProtobufCMessage *)msg)->n_unknown_fields == 0;
}

static int ipc_check_round(const Mpc__Enclave__RoundMessages *m) {
    size_t i;

    if (m->key_id.len != 32 || m->session_id.len != 32 || m->round < 1 || m->round > ENC_CHAN_MAX_ROUND ||
            m->n_messages < 1 || m->n_messages > IPC_MAX_ROUND_MESSAGES || m->public_message.len != 0)
        return ENC_IPC_E_FIELD;
    for (i = 0; i < m->n_messages; i++)
        if (m->messages[i].len < ENC_CHAN_HEADER_BYTES || m->messages[i].len > ENC_CHAN_MAX_MESSAGE)
            return ENC_IPC_E_FIELD;
    return ENC_OK;
}

/* Field ranges of parent-to-enclave bodies; the body is known to be present and clean. */
static int ipc_check_peers(Mpc__Enclave__Peer *const *peers, size_t n) {
    size_t i;

    if (n < 1 || n >= ENC_CHAN_MAX_PARTIES)
        return ENC_IPC_E_FIELD;
    for (i = 0; i < n; i++)
        if (!ipc_body_clean(peers[i]) || peers[i]->index < 1 || peers[i]->index > ENC_CHAN_MAX_PARTIES ||
                peers[i]->identity_public_key.len != ENC_IDENTITY_PK_BYTES)
            return ENC_IPC_E_FIELD;
    return ENC_OK;
}

static int ipc_check_fields(const Mpc__Enclave__Envelope *env) {
    switch (env->type) {
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_HELLO:
        return env->hello->protocol_version == ENC_IPC_PROTOCOL_VERSION ? ENC_OK : ENC_IPC_E_FIELD;
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_CONFIG: {
        const Mpc__Enclave__Config *c = env->config;

        if (c->party_index < 1 || c->party_index > ENC_CHAN_MAX_PARTIES)
            return ENC_IPC_E_FIELD;
        if (c->seal_backend == ENC_SEAL_BACKEND_PASSPHRASE)
            return c->seal_secret.len >= 1 && c->seal_secret.len <= ENC_SEAL_PW_MAX_PASSPHRASE ? ENC_OK
                                                                                                : ENC_IPC_E_FIELD;
        if (c->seal_backend == ENC_SEAL_BACKEND_KEYFILE)
            return c->seal_secret.len == ENC_SEAL_KEY_BYTES && c->pw_opslimit == 0 && c->pw_memlimit == 0
                           ? ENC_OK
                           : ENC_IPC_E_FIELD;
        return ENC_IPC_E_FIELD;
    }
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_UNSEAL: {
        const Mpc__Enclave__Unseal *u = env->unseal;
        int keyed = u->kind == ENC_SEAL_KIND_KEY_SHARE || u->kind == ENC_SEAL_KIND_USED_SESSIONS;

        if (u->kind < ENC_SEAL_KIND_KEY_SHARE || u->kind > ENC_SEAL_KIND_COUNTERS ||
                u->key_id.len != (keyed ? ENC_SEAL_KEY_ID_BYTES : 0u) || u->blob.len == 0)
            return ENC_IPC_E_FIELD;
        return ENC_OK;
    }
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_LOAD: {
        const Mpc__Enclave__Unseal *u = env->load;
        int keyed = u->kind == ENC_SEAL_KIND_KEY_SHARE || u->kind == ENC_SEAL_KIND_USED_SESSIONS;

        /* State blobs only; the identity comes with UNSEAL. */
        if ((!keyed && u->kind != ENC_SEAL_KIND_BAN_LIST && u->kind != ENC_SEAL_KIND_COUNTERS &&
                    u->kind != ENC_STATE_KIND_POLICY) ||
                u->key_id.len != (keyed ? ENC_SEAL_KEY_ID_BYTES : 0u) || u->blob.len == 0)
            return ENC_IPC_E_FIELD;
        return ENC_OK;
    }
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_START:
        return env->start->last_audit_record.len <= ENC_AUDIT_MAX_RECORD ? ENC_OK : ENC_IPC_E_FIELD;
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SIGN_REQUEST: {
        const Mpc__Enclave__SignRequest *s = env->sign_request;

        if (s->request_id.len < 1 || s->request_id.len > IPC_MAX_REQUEST_ID || s->key_id.len != 32 ||
                s->payload_type == 0 || s->payload.len == 0 || s->n_derivation_path > IPC_MAX_DERIVATION_DEPTH ||
                s->n_signers < 2 || s->n_signers > ENC_CHAN_MAX_PARTIES || s->coord_nonce.len != 32)
            return ENC_IPC_E_FIELD;
        return ENC_OK;
    }
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_KEYGEN_START: {
        const Mpc__Enclave__KeygenStart *k = env->keygen_start;

        if (k->inst.len != 32 || k->t < 2 || k->t > k->n || k->n > ENC_CHAN_MAX_PARTIES || k->party_index < 1 ||
                k->party_index > k->n || k->n_peers + 1 != k->n)
            return ENC_IPC_E_FIELD;
        return ipc_check_peers(k->peers, k->n_peers);
    }
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_REFRESH_START: {
        const Mpc__Enclave__RefreshStart *k = env->refresh_start;

        if (k->key_id.len != 32 || k->inst.len != 32)
            return ENC_IPC_E_FIELD;
        return ipc_check_peers(k->peers, k->n_peers);
    }
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_KEYGEN_COMMIT: {
        const Mpc__Enclave__KeygenCommit *k = env->keygen_commit;
        size_t i;

        if (k->key_id.len != 32 || k->n_public_hashes < 2 || k->n_public_hashes > ENC_CHAN_MAX_PARTIES)
            return ENC_IPC_E_FIELD;
        for (i = 0; i < k->n_public_hashes; i++)
            if (k->public_hashes[i].len != 32)
                return ENC_IPC_E_FIELD;
        return ENC_OK;
    }
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SIGN_START: {
        const Mpc__Enclave__SignStart *ss = env->sign_start;
        size_t i;

        if (ss->sigid.len != 32 || ss->request_id.len > IPC_MAX_REQUEST_ID || ss->n_approvals > POLICY_APPROVALS_MAX)
            return ENC_IPC_E_FIELD;
        for (i = 0; i < ss->n_approvals; i++)
            if (ss->approvals[i].len < 1 || ss->approvals[i].len > IPC_MAX_APPROVAL_BYTES)
                return ENC_IPC_E_FIELD;
        return ipc_check_peers(ss->peers, ss->n_peers);
    }
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_INIT: {
        const Mpc__Enclave__Policy *p = env->init->policy;
        size_t i;

        if (p == NULL)
            return ENC_OK;
        /* Bounds only; the policy's meaning is checked by state.c and refused with a reason. */
        if (!ipc_body_clean(p) || strlen(p->approvers) > ENC_POLICY_MAX_TEXT ||
                strlen(p->asset_registry) > ENC_POLICY_MAX_TEXT ||
                strlen(p->native_symbol) >= PAYLOAD_ASSET_SYMBOL_MAX ||
                p->n_multisend_call_only > ENC_POLICY_MAX_MULTISEND)
            return ENC_IPC_E_FIELD;
        for (i = 0; i < p->n_multisend_call_only; i++)
            if (p->multisend_call_only[i].len != 20)
                return ENC_IPC_E_FIELD;
        return ENC_OK;
    }
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_STORED: {
        const Mpc__Enclave__Stored *st = env->stored;

        return st->kind == ENC_SEAL_KIND_USED_SESSIONS && st->key_id.len == 32 && st->blob_hash.len == 32
                       ? ENC_OK
                       : ENC_IPC_E_FIELD;
    }
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_KEYGEN_ROUND:
        return ipc_check_round(env->keygen_round);
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SIGN_ROUND:
        return ipc_check_round(env->sign_round);
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_IDENTITY_REQUEST:
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SHUTDOWN:
        return ENC_OK;
    default:
        return ENC_IPC_E_TYPE;
    }
}

/* The body pointer of a parent-to-enclave envelope, or NULL for any other type. */
static const void *ipc_body(const Mpc__Enclave__Envelope *env) {
    switch (env->type) {
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_HELLO: return env->hello;
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_CONFIG: return env->config;
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_INIT: return env->init;
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_UNSEAL: return env->unseal;
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_IDENTITY_REQUEST: return env->identity_request;
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SIGN_REQUEST: return env->sign_request;
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_KEYGEN_ROUND: return env->keygen_round;
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SIGN_ROUND: return env->sign_round;
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SHUTDOWN: return env->shutdown;
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_LOAD: return env->load;
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_START: return env->start;
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_KEYGEN_START: return env->keygen_start;
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_KEYGEN_COMMIT: return env->keygen_commit;
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SIGN_START: return env->sign_start;
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_STORED: return env->stored;
    case MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_REFRESH_START: return env->refresh_start;
    default: return NULL;
    }
}

static int ipc_check(const Mpc__Enclave__Envelope *env) {
    const void *body;

    if (env->base.n_unknown_fields != 0)
        return ENC_IPC_E_DECODE;
    if (env->version != ENC_IPC_VERSION)
        return ENC_IPC_E_VERSION;
    /* Type values equal the body's field number, so a mismatch is a plain comparison. */
    if ((int)env->body_case != (int)env->type || (body = ipc_body(env)) == NULL)
        return ENC_IPC_E_TYPE;
    if (!ipc_body_clean(body))
        return ENC_IPC_E_DECODE;
    return ipc_check_fields(env);
}

int enc_ipc_unpack(Mpc__Enclave__Envelope **env, const unsigned char *frame, size_t frame_len) {
    Mpc__Enclave__Envelope *e = NULL;
    unsigned char *again = NULL;
    int r = ENC_E_INTERNAL;

    if (frame_len == 0 || frame_len > ENC_IPC_MAX_FRAME) {
        r = ENC_IPC_E_FRAME;
        goto out;
    }
    if ((e = mpc__enclave__envelope__unpack(&ipc_allocator, frame_len, frame)) == NULL) {
        r = ENC_IPC_E_DECODE;
        goto out;
    }
    if ((r = ipc_check(e)) != ENC_OK)
        goto out;
    /* Canonical: re-encoding gives the same bytes (no duplicates, padding or odd varints). */
    if (mpc__enclave__envelope__get_packed_size(e) != frame_len) {
        r = ENC_IPC_E_DECODE;
        goto out;
    }
    if ((again = sodium_malloc(frame_len)) == NULL) {
        r = ENC_E_NOMEM;
        goto out;
    }
    if (mpc__enclave__envelope__pack(e, again) != frame_len || memcmp(again, frame, frame_len) != 0) {
        r = ENC_IPC_E_DECODE;
        goto out;
    }
    *env = e;
    e = NULL;
    ipc_arena_live++;
    r = ENC_OK;
out:
    if (again != NULL)
        sodium_free(again);
    if (e != NULL)
        mpc__enclave__envelope__free_unpacked(e, &ipc_allocator);
    if (r != ENC_OK)
        ipc_arena_release();
    return r;
}

void enc_ipc_envelope_free(Mpc__Enclave__Envelope *env) {
    if (env != NULL) {
        mpc__enclave__envelope__free_unpacked(env, &ipc_allocator);
        ipc_arena_live--;
        ipc_arena_release();
    }
}

int enc_ipc_send(enc_ipc *e, Mpc__Enclave__Envelope *env) {
    unsigned char *buf;
    size_t len;
    int r;

    env->version = ENC_IPC_VERSION;
    len = mpc__enclave__envelope__get_packed_size(env);

    if (len == 0 || len > ENC_IPC_MAX_FRAME)
        return ENC_E_INTERNAL;
    if ((buf = malloc(len)) == NULL)
        return ENC_E_NOMEM;
    r = mpc__enclave__envelope__pack(env, buf) == len ? enc_ipc_write_frame(e->fd, buf, len) : ENC_E_INTERNAL;
    free(buf);
    return r;
}

static int ipc_send_identity(enc_ipc *e) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
    Mpc__Enclave__Identity id = MPC__ENCLAVE__IDENTITY__INIT;
    unsigned char pk[ENC_IDENTITY_PK_BYTES];

    enc_identity_public_key(e->identity, pk);
    id.public_key.data = pk;
    id.public_key.len = sizeof(pk);
    env.version = ENC_IPC_VERSION;
    env.type = MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_IDENTITY;
    env.body_case = MPC__ENCLAVE__ENVELOPE__BODY_IDENTITY;
    env.identity = &id;
    return enc_ipc_send(e, &env);
}

static int h_hello(enc_ipc *e, const Mpc__Enclave__Envelope *in) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
    Mpc__Enclave__HelloReply reply = MPC__ENCLAVE__HELLO_REPLY__INIT;
    int r;

    (void)in;
    reply.protocol_version = ENC_IPC_PROTOCOL_VERSION;
    reply.software_version = (char *)ENC_IPC_SOFTWARE_VERSION;
    env.version = ENC_IPC_VERSION;
    env.type = MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_HELLO_REPLY;
    env.body_case = MPC__ENCLAVE__ENVELOPE__BODY_HELLO_REPLY;
    env.hello_reply = &reply;
    if ((r = enc_ipc_send(e, &env)) != ENC_OK)
        return r;
    e->state = ENC_IPC_ST_CONFIG;
    return ENC_OK;
}

static int h_config(enc_ipc *e, const Mpc__Enclave__Envelope *in) {
    const Mpc__Enclave__Config *c = in->config;
    int r;

    if (c->seal_backend == ENC_SEAL_BACKEND_PASSPHRASE)
        r = enc_seal_passphrase_create(&e->backend, (const char *)c->seal_secret.data, c->seal_secret.len,
                c->pw_opslimit, c->pw_memlimit);
    else
        r = enc_seal_keyfile_create(&e->backend, c->seal_secret.data);
    if (r != ENC_OK)
        return r == ENC_E_ARG ? ENC_IPC_E_FIELD : r;
    e->party_index = (uint16_t)c->party_index;
    e->state = ENC_IPC_ST_LOCKED;
    return ENC_OK;
}

static int h_init(enc_ipc *e, const Mpc__Enclave__Envelope *in) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
    Mpc__Enclave__Sealed sealed = MPC__ENCLAVE__SEALED__INIT;
    unsigned char *blob = NULL;
    size_t blob_len = 0;
    int r, refused = 0;

    /* The policy is checked before an identity exists: a refused INIT leaves nothing behind. */
    if (in->init->policy != NULL &&
            ((r = enc_session_init_policy(e, &refused, in->init->policy)) != ENC_OK || refused))
        return r;
    if ((r = enc_identity_generate(&e->identity)) != ENC_OK ||
            (r = enc_identity_seal(e->identity, e->backend, &blob, &blob_len)) != ENC_OK)
        goto out;
    sealed.kind = ENC_SEAL_KIND_IDENTITY;
    sealed.blob.data = blob;
    sealed.blob.len = blob_len;
    env.version = ENC_IPC_VERSION;
    env.type = MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SEALED;
    env.body_case = MPC__ENCLAVE__ENVELOPE__BODY_SEALED;
    env.sealed = &sealed;
    if ((r = enc_ipc_send(e, &env)) != ENC_OK || (r = enc_session_send_policy(e)) != ENC_OK ||
            (r = ipc_send_identity(e)) != ENC_OK)
        goto out;
    e->identity_created = 1;
    e->state = ENC_IPC_ST_READY;
out:
    free(blob);
    return r;
}

static int h_unseal(enc_ipc *e, const Mpc__Enclave__Envelope *in) {
    const Mpc__Enclave__Unseal *u = in->unseal;
    int r;

    /* Before READY the only blob the enclave takes is its identity. */
    if (u->kind != ENC_SEAL_KIND_IDENTITY)
        return ENC_IPC_E_FIELD;
    if ((r = enc_identity_unseal(&e->identity, e->backend, u->blob.data, u->blob.len)) != ENC_OK ||
            (r = ipc_send_identity(e)) != ENC_OK)
        return r;
    e->state = ENC_IPC_ST_READY;
    return ENC_OK;
}

static int h_identity(enc_ipc *e, const Mpc__Enclave__Envelope *in) {
    (void)in;
    return ipc_send_identity(e);
}

static int h_shutdown(enc_ipc *e, const Mpc__Enclave__Envelope *in) {
    (void)in;
    e->state = ENC_IPC_ST_DONE;
    return ENC_OK;
}

#define IPC_SERVING_ANY                                                                                  \
    (ENC_IPC_ST_SERVING | ENC_IPC_ST_KEYGEN | ENC_IPC_ST_KEYGEN_DONE | ENC_IPC_ST_SIGN_STORE | ENC_IPC_ST_SIGNING)

static const struct {
    int type;
    unsigned int states;
    int (*handler)(enc_ipc *e, const Mpc__Enclave__Envelope *in);
} ipc_table[] = {
    {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_HELLO, ENC_IPC_ST_HELLO, h_hello},
    {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_CONFIG, ENC_IPC_ST_CONFIG, h_config},
    {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_INIT, ENC_IPC_ST_LOCKED, h_init},
    {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_UNSEAL, ENC_IPC_ST_LOCKED, h_unseal},
    {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_IDENTITY_REQUEST, ENC_IPC_ST_READY | IPC_SERVING_ANY, h_identity},
    {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_LOAD, ENC_IPC_ST_READY, enc_session_h_load},
    {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_START, ENC_IPC_ST_READY, enc_session_h_start},
    {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_KEYGEN_START, ENC_IPC_ST_SERVING, enc_session_h_keygen_start},
    {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_REFRESH_START, ENC_IPC_ST_SERVING, enc_session_h_refresh_start},
    {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_KEYGEN_ROUND, ENC_IPC_ST_KEYGEN, enc_session_h_keygen_round},
    {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_KEYGEN_COMMIT, ENC_IPC_ST_KEYGEN_DONE, enc_session_h_keygen_commit},
    /* Decoding a payload leaves the running session alone (session.h), so requests that arrive
     * during a keygen or signing session are answered at once instead of being dropped. */
    {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SIGN_REQUEST, IPC_SERVING_ANY, enc_session_h_sign_request},
    {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SIGN_START, ENC_IPC_ST_SERVING, enc_session_h_sign_start},
    {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_STORED, ENC_IPC_ST_SIGN_STORE, enc_session_h_stored},
    {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SIGN_ROUND, ENC_IPC_ST_SIGNING, enc_session_h_sign_round},
    {MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SHUTDOWN, ENC_IPC_ST_CONFIG | ENC_IPC_ST_LOCKED | ENC_IPC_ST_READY | IPC_SERVING_ANY,
            h_shutdown},
};

static size_t ipc_lookup(int type, unsigned int state) {
    size_t i;

    for (i = 0; i < sizeof(ipc_table) / sizeof(ipc_table[0]); i++)
        if (ipc_table[i].type == type && (ipc_table[i].states & state) != 0)
            return i;
    return SIZE_MAX;
}

int enc_ipc_permitted(int type, unsigned int state) {
    return ipc_lookup(type, state) != SIZE_MAX;
}

int enc_ipc_dispatch(enc_ipc *e, const unsigned char *frame, size_t frame_len) {
    Mpc__Enclave__Envelope *env = NULL;
    size_t i;
    int r;

    if ((r = enc_ipc_unpack(&env, frame, frame_len)) != ENC_OK)
        goto out;
    if ((i = ipc_lookup((int)env->type, e->state)) == SIZE_MAX) {
        r = ENC_IPC_E_FORBIDDEN;
        goto out;
    }
    r = ipc_table[i].handler(e, env);
out:
    enc_ipc_envelope_free(env);
    return r;
}

int enc_ipc_serve(enc_ipc *e) {
    unsigned char *frame = NULL;
    size_t len = 0;
    int r;

    while (e->state != ENC_IPC_ST_DONE) {
        if ((r = enc_ipc_read_frame(&frame, &len, e->fd)) != ENC_OK)
            return r;
        r = enc_ipc_dispatch(e, frame, len);
        enc_ipc_frame_free(frame);
        frame = NULL;
        if (r != ENC_OK)
            return r;
    }
    return ENC_OK;
}
