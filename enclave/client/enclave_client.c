#define _GNU_SOURCE
#include "enclave_client.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#define CLIENT_IPC_VERSION 1u
#define CLIENT_PROTOCOL_VERSION 1u
#define CLIENT_CHILD_FD 3
#define KIND_USED_SESSIONS 4u

struct mpc_enclave_client {
    pid_t pid;
    int fd;
    int reaped;
    mpc_enclave_sinks sinks;
    int have_stored;
    unsigned char stored_key_id[32];
    unsigned char stored_hash[32];
};

static void child_exec(int sock, const char *path, const char *extra_arg) {
    char *argv[3];
    long max;
    int fd;

    if (sock == CLIENT_CHILD_FD) {
        if (fcntl(sock, F_SETFD, 0) == -1)
            _exit(127);
    } else if (dup2(sock, CLIENT_CHILD_FD) == -1) {
        _exit(127);
    }
    max = sysconf(_SC_OPEN_MAX);
    for (fd = CLIENT_CHILD_FD + 1; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
        (void)close(fd);
    argv[0] = (char *)path;
    argv[1] = (char *)extra_arg;
    argv[2] = NULL;
    execv(path, argv);
    _exit(127);
}

int mpc_enclave_spawn(mpc_enclave_client **c, const char *path, const char *extra_arg,
        const mpc_enclave_sinks *sinks) {
    mpc_enclave_client *cl;
    int sv[2];
    pid_t pid;

    if ((cl = calloc(1, sizeof(*cl))) == NULL)
        return MPC_ENCLAVE_E_NOMEM;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        free(cl);
        return MPC_ENCLAVE_E_SYS;
    }
    if ((pid = fork()) == -1) {
        close(sv[0]);
        close(sv[1]);
        free(cl);
        return MPC_ENCLAVE_E_SYS;
    }
    if (pid == 0) {
        close(sv[0]);
        child_exec(sv[1], path, extra_arg);
    }
    close(sv[1]);
    cl->pid = pid;
    cl->fd = sv[0];
    if (sinks != NULL)
        cl->sinks = *sinks;
    *c = cl;
    return MPC_ENCLAVE_OK;
}

pid_t mpc_enclave_pid(const mpc_enclave_client *c) {
    return c->pid;
}

int mpc_enclave_fd(const mpc_enclave_client *c) {
    return c->fd;
}

int mpc_enclave_wait(mpc_enclave_client *c, int *status) {
    pid_t r;

    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    if (c->reaped)
        return MPC_ENCLAVE_E_ARG;
    do
        r = waitpid(c->pid, status, 0);
    while (r == -1 && errno == EINTR);
    if (r != c->pid)
        return MPC_ENCLAVE_E_SYS;
    c->reaped = 1;
    return MPC_ENCLAVE_OK;
}

void mpc_enclave_client_free(mpc_enclave_client *c) {
    int status;

    if (c == NULL)
        return;
    if (!c->reaped) {
        (void)kill(c->pid, SIGKILL);
        (void)mpc_enclave_wait(c, &status);
    }
    if (c->fd >= 0)
        close(c->fd);
    sodium_memzero(c, sizeof(*c));
    free(c);
}

void mpc_enclave_reply_free(Mpc__Enclave__Envelope *reply) {
    if (reply != NULL)
        mpc__enclave__envelope__free_unpacked(reply, NULL);
}

static int io_full(int fd, unsigned char *p, size_t n, int writing) {
    while (n > 0) {
        ssize_t r = writing ? send(fd, p, n, MSG_NOSIGNAL) : read(fd, p, n);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return MPC_ENCLAVE_E_IO;
        p += r;
        n -= (size_t)r;
    }
    return MPC_ENCLAVE_OK;
}

int mpc_enclave_write_frame(mpc_enclave_client *c, const unsigned char *buf, size_t len) {
    unsigned char hdr[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8),
                            (unsigned char)len};
    int r;

    if (len > UINT32_MAX)
        return MPC_ENCLAVE_E_ARG;
    if ((r = io_full(c->fd, hdr, 4, 1)) != MPC_ENCLAVE_OK)
        return r;
    return io_full(c->fd, (unsigned char *)buf, len, 1);
}

static int read_frame(mpc_enclave_client *c, unsigned char **buf, size_t *len) {
    unsigned char hdr[4];
    uint32_t n;
    int r;

    if ((r = io_full(c->fd, hdr, 4, 0)) != MPC_ENCLAVE_OK)
        return r;
    n = ((uint32_t)hdr[0] << 24) | ((uint32_t)hdr[1] << 16) | ((uint32_t)hdr[2] << 8) | hdr[3];
    if (n == 0 || n > MPC_ENCLAVE_MAX_FRAME)
        return MPC_ENCLAVE_E_PROTOCOL;
    if ((*buf = malloc(n)) == NULL)
        return MPC_ENCLAVE_E_NOMEM;
    if ((r = io_full(c->fd, *buf, n, 0)) != MPC_ENCLAVE_OK) {
        free(*buf);
        *buf = NULL;
        return r;
    }
    *len = n;
    return MPC_ENCLAVE_OK;
}

static int send_env(mpc_enclave_client *c, Mpc__Enclave__Envelope *req) {
    size_t len;
    unsigned char *buf;
    int r;

    req->version = CLIENT_IPC_VERSION;
    len = mpc__enclave__envelope__get_packed_size(req);
    if ((buf = malloc(len != 0 ? len : 1)) == NULL)
        return MPC_ENCLAVE_E_NOMEM;
    mpc__enclave__envelope__pack(req, buf);
    r = mpc_enclave_write_frame(c, buf, len);
    /* The frame may carry the sealing secret (Config). */
    sodium_memzero(buf, len);
    free(buf);
    return r;
}

/* A Sealed frame that is not the awaited reply: store it before anything else happens. */
static int handle_sealed(mpc_enclave_client *c, const Mpc__Enclave__Sealed *s) {
    if (c->sinks.on_sealed == NULL ||
            c->sinks.on_sealed(c->sinks.ctx, s->kind, s->key_id.data, s->key_id.len, s->blob.data, s->blob.len) != 0)
        return MPC_ENCLAVE_E_SINK;
    if (s->kind == KIND_USED_SESSIONS && s->key_id.len == 32) {
        memcpy(c->stored_key_id, s->key_id.data, 32);
        crypto_generichash(c->stored_hash, 32, s->blob.data, s->blob.len, NULL, 0);
        c->have_stored = 1;
    }
    return MPC_ENCLAVE_OK;
}

int mpc_enclave_call(mpc_enclave_client *c, Mpc__Enclave__Envelope **reply, Mpc__Enclave__Envelope *req,
        Mpc__Enclave__MsgType expect) {
    Mpc__Enclave__Envelope *env = NULL;
    unsigned char *buf = NULL;
    size_t len = 0;
    int r;

    if (reply != NULL)
        *reply = NULL;
    if ((r = send_env(c, req)) != MPC_ENCLAVE_OK)
        return r;
    for (;;) {
        if ((r = read_frame(c, &buf, &len)) != MPC_ENCLAVE_OK)
            return r;
        if (c->sinks.on_frame != NULL)
            c->sinks.on_frame(c->sinks.ctx, buf, len);
        env = mpc__enclave__envelope__unpack(NULL, len, buf);
        free(buf);
        buf = NULL;
        if (env == NULL || (int)env->body_case != (int)env->type)
            goto protocol;
        if (env->type == expect || env->type == MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_STATUS)
            break;
        if (env->type == MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_AUDIT) {
            if (c->sinks.on_audit != NULL)
                c->sinks.on_audit(c->sinks.ctx, env->audit->record.data, env->audit->record.len);
        } else if (env->type == MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SEALED) {
            if ((r = handle_sealed(c, env->sealed)) != MPC_ENCLAVE_OK) {
                mpc_enclave_reply_free(env);
                return r;
            }
        } else {
            goto protocol;
        }
        mpc_enclave_reply_free(env);
        env = NULL;
    }
    r = env->type == expect ? MPC_ENCLAVE_OK
        : env->status->code == 0 ? MPC_ENCLAVE_E_PROTOCOL : MPC_ENCLAVE_E_STATUS;
    if (reply != NULL)
        *reply = env;
    else
        mpc_enclave_reply_free(env);
    return r;
protocol:
    mpc_enclave_reply_free(env);
    return MPC_ENCLAVE_E_PROTOCOL;
}

/* A request answered by Status: OK only for code 0. */
static int call_status_reply(mpc_enclave_client *c, Mpc__Enclave__Envelope **reply, Mpc__Enclave__Envelope *req) {
    Mpc__Enclave__Envelope *rep = NULL;
    int r = mpc_enclave_call(c, &rep, req, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_STATUS);

    if (r == MPC_ENCLAVE_OK && rep->status->code != 0)
        r = MPC_ENCLAVE_E_STATUS;
    if (reply != NULL)
        *reply = rep;
    else
        mpc_enclave_reply_free(rep);
    return r;
}

static int call_status(mpc_enclave_client *c, Mpc__Enclave__Envelope *req) {
    return call_status_reply(c, NULL, req);
}

#define ENV_INIT(env, T, field, body)                                                                     \
    do {                                                                                                   \
        (env).type = MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_##T;                                                 \
        (env).body_case = MPC__ENCLAVE__ENVELOPE__BODY_##T;                                                \
        (env).field = (body);                                                                              \
    } while (0)

int mpc_enclave_hello(mpc_enclave_client *c) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
    Mpc__Enclave__Hello h = MPC__ENCLAVE__HELLO__INIT;
    Mpc__Enclave__Envelope *rep = NULL;
    int r;

    h.protocol_version = CLIENT_PROTOCOL_VERSION;
    ENV_INIT(env, HELLO, hello, &h);
    r = mpc_enclave_call(c, &rep, &env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_HELLO_REPLY);
    if (r == MPC_ENCLAVE_OK && rep->hello_reply->protocol_version != CLIENT_PROTOCOL_VERSION)
        r = MPC_ENCLAVE_E_PROTOCOL;
    mpc_enclave_reply_free(rep);
    return r;
}

/* CONFIG has no reply; the next request's answer shows whether it was taken. */
static int send_config(mpc_enclave_client *c, Mpc__Enclave__Config *cfg) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;

    ENV_INIT(env, CONFIG, config, cfg);
    return send_env(c, &env);
}

int mpc_enclave_config_passphrase(mpc_enclave_client *c, const char *passphrase, size_t len, uint32_t opslimit,
        uint64_t memlimit, uint32_t party_index) {
    Mpc__Enclave__Config cfg = MPC__ENCLAVE__CONFIG__INIT;

    cfg.seal_backend = 1;
    cfg.seal_secret.data = (unsigned char *)passphrase;
    cfg.seal_secret.len = len;
    cfg.pw_opslimit = opslimit;
    cfg.pw_memlimit = memlimit;
    cfg.party_index = party_index;
    return send_config(c, &cfg);
}

int mpc_enclave_config_keyfile(mpc_enclave_client *c, const unsigned char key32[32], uint32_t party_index) {
    Mpc__Enclave__Config cfg = MPC__ENCLAVE__CONFIG__INIT;

    cfg.seal_backend = 2;
    cfg.seal_secret.data = (unsigned char *)key32;
    cfg.seal_secret.len = 32;
    cfg.party_index = party_index;
    return send_config(c, &cfg);
}

static int identity_reply(Mpc__Enclave__Envelope *rep, unsigned char pk32[32]) {
    if (rep->identity->public_key.len != 32)
        return MPC_ENCLAVE_E_PROTOCOL;
    memcpy(pk32, rep->identity->public_key.data, 32);
    return MPC_ENCLAVE_OK;
}

static int init_with(mpc_enclave_client *c, Mpc__Enclave__Envelope **status, unsigned char pk32[32],
        const Mpc__Enclave__Policy *policy) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
    Mpc__Enclave__Init init = MPC__ENCLAVE__INIT__INIT;
    Mpc__Enclave__Envelope *rep = NULL;
    int r;

    init.policy = (Mpc__Enclave__Policy *)policy;
    ENV_INIT(env, INIT, init, &init);
    if ((r = mpc_enclave_call(c, &rep, &env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_IDENTITY)) == MPC_ENCLAVE_OK)
        r = identity_reply(rep, pk32);
    if (r == MPC_ENCLAVE_E_STATUS && status != NULL) {
        *status = rep;
        rep = NULL;
    }
    mpc_enclave_reply_free(rep);
    return r;
}

int mpc_enclave_init(mpc_enclave_client *c, unsigned char pk32[32]) {
    return init_with(c, NULL, pk32, NULL);
}

int mpc_enclave_init_policy(mpc_enclave_client *c, Mpc__Enclave__Envelope **status, unsigned char pk32[32],
        const Mpc__Enclave__Policy *policy) {
    if (policy == NULL)
        return MPC_ENCLAVE_E_ARG;
    return init_with(c, status, pk32, policy);
}

int mpc_enclave_unseal_identity(mpc_enclave_client *c, unsigned char pk32[32], const unsigned char *blob,
        size_t blob_len) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
    Mpc__Enclave__Unseal u = MPC__ENCLAVE__UNSEAL__INIT;
    Mpc__Enclave__Envelope *rep = NULL;
    int r;

    u.kind = 2;
    u.blob.data = (unsigned char *)blob;
    u.blob.len = blob_len;
    ENV_INIT(env, UNSEAL, unseal, &u);
    if ((r = mpc_enclave_call(c, &rep, &env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_IDENTITY)) == MPC_ENCLAVE_OK)
        r = identity_reply(rep, pk32);
    mpc_enclave_reply_free(rep);
    return r;
}

int mpc_enclave_load(mpc_enclave_client *c, uint32_t kind, const unsigned char *key_id, const unsigned char *blob,
        size_t blob_len) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
    Mpc__Enclave__Unseal u = MPC__ENCLAVE__UNSEAL__INIT;

    u.kind = kind;
    if (key_id != NULL) {
        u.key_id.data = (unsigned char *)key_id;
        u.key_id.len = 32;
    }
    u.blob.data = (unsigned char *)blob;
    u.blob.len = blob_len;
    ENV_INIT(env, LOAD, load, &u);
    return call_status(c, &env);
}

int mpc_enclave_start(mpc_enclave_client *c, const unsigned char *last_audit_record, size_t len) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
    Mpc__Enclave__Start st = MPC__ENCLAVE__START__INIT;

    st.last_audit_record.data = (unsigned char *)last_audit_record;
    st.last_audit_record.len = last_audit_record != NULL ? len : 0;
    ENV_INIT(env, START, start, &st);
    return call_status(c, &env);
}

typedef struct {
    Mpc__Enclave__Peer peer[16];
    Mpc__Enclave__Peer *ptr[16];
} peer_list;

static int peers_fill(peer_list *pl, const uint32_t *index, const unsigned char (*pk)[32], size_t n) {
    size_t i;

    if (n > 16)
        return MPC_ENCLAVE_E_ARG;
    for (i = 0; i < n; i++) {
        mpc__enclave__peer__init(&pl->peer[i]);
        pl->peer[i].index = index[i];
        pl->peer[i].identity_public_key.data = (unsigned char *)pk[i];
        pl->peer[i].identity_public_key.len = 32;
        pl->ptr[i] = &pl->peer[i];
    }
    return MPC_ENCLAVE_OK;
}

int mpc_enclave_keygen_start(mpc_enclave_client *c, Mpc__Enclave__Envelope **reply, const unsigned char inst[32],
        uint32_t n, uint32_t t, uint32_t party_index, const uint32_t *peer_index,
        const unsigned char (*peer_pk)[32], size_t npeers) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
    Mpc__Enclave__KeygenStart k = MPC__ENCLAVE__KEYGEN_START__INIT;
    peer_list pl;
    int r;

    if ((r = peers_fill(&pl, peer_index, peer_pk, npeers)) != MPC_ENCLAVE_OK)
        return r;
    k.inst.data = (unsigned char *)inst;
    k.inst.len = 32;
    k.n = n;
    k.t = t;
    k.party_index = party_index;
    k.peers = pl.ptr;
    k.n_peers = npeers;
    ENV_INIT(env, KEYGEN_START, keygen_start, &k);
    return mpc_enclave_call(c, reply, &env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_ROUND_OUT);
}

int mpc_enclave_refresh_start(mpc_enclave_client *c, Mpc__Enclave__Envelope **reply, const unsigned char key_id[32],
        const unsigned char inst[32], const uint32_t *peer_index, const unsigned char (*peer_pk)[32], size_t npeers) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
    Mpc__Enclave__RefreshStart k = MPC__ENCLAVE__REFRESH_START__INIT;
    peer_list pl;
    int r;

    if ((r = peers_fill(&pl, peer_index, peer_pk, npeers)) != MPC_ENCLAVE_OK)
        return r;
    k.key_id.data = (unsigned char *)key_id;
    k.key_id.len = 32;
    k.inst.data = (unsigned char *)inst;
    k.inst.len = 32;
    k.peers = pl.ptr;
    k.n_peers = npeers;
    ENV_INIT(env, REFRESH_START, refresh_start, &k);
    return mpc_enclave_call(c, reply, &env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_ROUND_OUT);
}

static void round_fill(Mpc__Enclave__RoundMessages *rm, const unsigned char key_id[32],
        const unsigned char session_id[32], uint32_t round, const ProtobufCBinaryData *msgs, size_t n) {
    rm->key_id.data = (unsigned char *)key_id;
    rm->key_id.len = 32;
    rm->session_id.data = (unsigned char *)session_id;
    rm->session_id.len = 32;
    rm->round = round;
    rm->messages = (ProtobufCBinaryData *)msgs;
    rm->n_messages = n;
}

int mpc_enclave_keygen_round(mpc_enclave_client *c, Mpc__Enclave__Envelope **reply, const unsigned char key_id[32],
        const unsigned char session_id[32], uint32_t round, const ProtobufCBinaryData *msgs, size_t n) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
    Mpc__Enclave__RoundMessages rm = MPC__ENCLAVE__ROUND_MESSAGES__INIT;

    round_fill(&rm, key_id, session_id, round, msgs, n);
    ENV_INIT(env, KEYGEN_ROUND, keygen_round, &rm);
    return mpc_enclave_call(c, reply, &env,
            round == 4 ? MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_KEYGEN_RESULT : MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_ROUND_OUT);
}

int mpc_enclave_keygen_commit(mpc_enclave_client *c, Mpc__Enclave__Envelope **reply, const unsigned char key_id[32],
        const unsigned char (*hashes)[32], size_t n) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
    Mpc__Enclave__KeygenCommit k = MPC__ENCLAVE__KEYGEN_COMMIT__INIT;
    ProtobufCBinaryData h[16];
    size_t i;

    if (n > 16)
        return MPC_ENCLAVE_E_ARG;
    for (i = 0; i < n; i++) {
        h[i].data = (unsigned char *)hashes[i];
        h[i].len = 32;
    }
    k.key_id.data = (unsigned char *)key_id;
    k.key_id.len = 32;
    k.public_hashes = h;
    k.n_public_hashes = n;
    ENV_INIT(env, KEYGEN_COMMIT, keygen_commit, &k);
    return call_status_reply(c, reply, &env);
}

int mpc_enclave_sign_request(mpc_enclave_client *c, Mpc__Enclave__Envelope **reply,
        const Mpc__Enclave__SignRequest *req) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;

    ENV_INIT(env, SIGN_REQUEST, sign_request, (Mpc__Enclave__SignRequest *)req);
    return mpc_enclave_call(c, reply, &env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_VERDICT);
}

int mpc_enclave_sign_start(mpc_enclave_client *c, Mpc__Enclave__Envelope **reply, const unsigned char sigid[32],
        const uint32_t *peer_index, const unsigned char (*peer_pk)[32], size_t npeers) {
    return mpc_enclave_sign_start_approved(c, reply, sigid, peer_index, peer_pk, npeers, NULL, NULL, 0);
}

int mpc_enclave_sign_start_approved(mpc_enclave_client *c, Mpc__Enclave__Envelope **reply,
        const unsigned char sigid[32], const uint32_t *peer_index, const unsigned char (*peer_pk)[32], size_t npeers,
        const unsigned char *request_id32, const ProtobufCBinaryData *approvals, size_t n_approvals) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
    Mpc__Enclave__SignStart s = MPC__ENCLAVE__SIGN_START__INIT;
    peer_list pl;
    int r;

    if ((request_id32 == NULL && n_approvals > 0) || (approvals == NULL && n_approvals > 0))
        return MPC_ENCLAVE_E_ARG;
    if ((r = peers_fill(&pl, peer_index, peer_pk, npeers)) != MPC_ENCLAVE_OK)
        return r;
    s.sigid.data = (unsigned char *)sigid;
    s.sigid.len = 32;
    s.peers = pl.ptr;
    s.n_peers = npeers;
    if (request_id32 != NULL) {
        s.request_id.data = (unsigned char *)request_id32;
        s.request_id.len = 32;
    }
    s.approvals = (ProtobufCBinaryData *)approvals;
    s.n_approvals = n_approvals;
    c->have_stored = 0;
    ENV_INIT(env, SIGN_START, sign_start, &s);
    r = call_status_reply(c, reply, &env);
    /* Success means the used-session blob reached on_sealed (and was stored) first. */
    if (r == MPC_ENCLAVE_OK && !c->have_stored)
        r = MPC_ENCLAVE_E_PROTOCOL;
    return r;
}

int mpc_enclave_stored(mpc_enclave_client *c, Mpc__Enclave__Envelope **reply) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
    Mpc__Enclave__Stored s = MPC__ENCLAVE__STORED__INIT;

    if (!c->have_stored)
        return MPC_ENCLAVE_E_ARG;
    s.kind = KIND_USED_SESSIONS;
    s.key_id.data = c->stored_key_id;
    s.key_id.len = 32;
    s.blob_hash.data = c->stored_hash;
    s.blob_hash.len = 32;
    c->have_stored = 0;
    ENV_INIT(env, STORED, stored, &s);
    return mpc_enclave_call(c, reply, &env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_ROUND_OUT);
}

int mpc_enclave_sign_round(mpc_enclave_client *c, Mpc__Enclave__Envelope **reply, const unsigned char key_id[32],
        const unsigned char session_id[32], uint32_t round, const ProtobufCBinaryData *msgs, size_t n) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
    Mpc__Enclave__RoundMessages rm = MPC__ENCLAVE__ROUND_MESSAGES__INIT;

    round_fill(&rm, key_id, session_id, round, msgs, n);
    ENV_INIT(env, SIGN_ROUND, sign_round, &rm);
    return mpc_enclave_call(c, reply, &env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_ROUND_OUT);
}

int mpc_enclave_shutdown(mpc_enclave_client *c) {
    Mpc__Enclave__Envelope env = MPC__ENCLAVE__ENVELOPE__INIT;
    Mpc__Enclave__Shutdown s = MPC__ENCLAVE__SHUTDOWN__INIT;

    ENV_INIT(env, SHUTDOWN, shutdown, &s);
    return send_env(c, &env);
}
