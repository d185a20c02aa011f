/*
 * mpc-signerd: the untrusted shell around one mpc-enclave (ARCHITECTURE.md 2).
 *
 * It starts the enclave (enclave/client/enclave_client.h), hands it its sealed state from data_dir, dials out to the
 * coordinator over mutual TLS (no inbound port), and relays: coordinator requests become typed
 * enclave requests, and the enclave's sealed protocol messages travel as Relay messages through the
 * coordinator to the other signers. Everything the enclave asks to keep is written atomically
 * (sealed blobs) or appended (audit records) under data_dir:
 *   identity.sealed, key-<key id>.sealed, used-<key id>.sealed, bans.sealed, instances.sealed,
 *   audit.log
 * A local operator socket (unix, mode 0660, group from the configuration) answers "status".
 *
 * The enclave runs one protocol session at a time. A session the coordinator aborts, or any
 * failure of the enclave link, restarts the enclave from its sealed state, which destroys every
 * nonce of the abandoned session (a session is never resumed).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <uv.h>

#include "audit.h"
#include "channel.h"
#include "config.h"
#include "conn.h"
#include "daemon_log.h"
#include "enclave_client.h"
#include "envelope.h"
#include "payload/summary.h"
#include "policy/approval.h"
#include "seal/seal.h"
#include "session.h"
#include "tls.h"
#include "wire.h"

#define SOFTWARE_VERSION "mpc-signerd 0.1.0"
/* Envelope.version of proto/enclave.proto. */
#define ENCLAVE_VERSION 1u
#define MAX_PARTIES ENC_CHAN_MAX_PARTIES
#define MAX_ROUNDS 5u
#define MAX_BLOB (4u * 1024u * 1024u)
/* Enclave calls block the loop (the coordinator hears nothing meanwhile); see coord.c. */
#define MIN_IDLE_MS 30000u
/* Verdicts kept for the operator socket (mpc-approve): the newest ones, for at most a day. */
#define MAX_PENDING 64u
#define PENDING_TTL_MS (24u * 3600u * 1000u)
#define OP_LINE_MAX 1024u

enum { SESS_NONE = 0, SESS_KEYGEN = 1, SESS_SIGN = 2 };

typedef struct {
    unsigned char *data[MAX_PARTIES + 1]; /* by sender party index */
    size_t len[MAX_PARTIES + 1];
    uint32_t count;
} round_buf;

/* A verdict of this signer's enclave, as the operator reviews it before approving. */
typedef struct {
    int used;
    uint64_t at_ms;
    unsigned char request_id[32], key_id[32], digest[32], sigid[32], subject[32], derived_pk[33], signature[64];
    uint32_t payload_type, decision, version, approvals_required;
    char *fingerprint, *words, *summary;
} pending_verdict;

typedef struct {
    cfg_signer cfg;
    uint32_t party;
    int test_mode;
    uv_loop_t *loop;
    net_tls_ctx *tls;
    net_client *client;
    net_conn *conn;
    uv_pipe_t op;
    int op_open;
    uv_signal_t sig[2];
    int stopping;
    /* enclave */
    mpc_enclave_client *enc;
    int enc_up;
    unsigned char identity_pk[32];
    unsigned char used_key[32]; /* key of the last used-session blob stored */
    int used_pending;
    int has_policy; /* the enclave holds a sealed policy: signing needs operator approvals */
    pending_verdict pending[MAX_PENDING];
    size_t pending_next;
    /* current session */
    int sess;
    unsigned char sess_id[32]; /* the coordinator's session id */
    unsigned char sess_request[32]; /* signing: the request the session serves */
    unsigned char enc_key[32]; /* RoundMessages.key_id the enclave expects */
    unsigned char enc_sess[32]; /* RoundMessages.session_id the enclave expects */
    int refresh;                /* SESS_KEYGEN refreshes the key refresh_key */
    unsigned char refresh_key[32];
    uint32_t npeers;
    uint32_t next_round; /* the round whose messages the enclave takes next */
    round_buf rounds[MAX_ROUNDS + 1];
    /* figures for the operator */
    unsigned keygens, signatures, failures;
    char last_error[256];
} signerd;

static signerd g;

/* ---- files -------------------------------------------------------------------------------- */

static int data_path(char *out, size_t cap, const char *name) {
    int n = snprintf(out, cap, "%s/%s", g.cfg.data_dir, name);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* Temporary file, fsync, rename, fsync of the directory: after a crash the old or the new blob. */
static int write_atomic(const char *name, const unsigned char *buf, size_t len) {
    char path[512], tmp[520];
    int fd = -1, dfd = -1, r = -1;
    size_t done = 0;

    if (data_path(path, sizeof(path), name) != 0 || snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
        return -1;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        goto out;
    }
    while (done < len) {
        ssize_t n = write(fd, buf + done, len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            goto out;
        }
        done += (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        fd = -1;
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        goto out;
    }
    dfd = open(g.cfg.data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) != 0) {
        goto out;
    }
    r = 0;
out:
    if (r != 0) {
        net_log(NET_LOG_WARN, "cannot store %s: %s", name, strerror(errno));
        unlink(tmp);
    }
    if (fd >= 0) {
        close(fd);
    }
    if (dfd >= 0) {
        close(dfd);
    }
    return r;
}

static int read_file(const char *path, unsigned char **out, size_t *out_len, size_t max) {
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long n;
    *out = NULL;
    *out_len = 0;
    if (f == NULL) {
        return -1;
    }
    /* Unbuffered: the sealing secret is read with this too, and must not linger in a stdio buffer. */
    setvbuf(f, NULL, _IONBF, 0);
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || (size_t)n > max || fseek(f, 0, SEEK_SET) != 0 ||
            (buf = malloc((size_t)n + 1)) == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    *out = buf;
    *out_len = (size_t)n;
    return 0;
}

static int append_audit(const unsigned char *rec, size_t len) {
    char path[512];
    int fd, r = -1;
    if (data_path(path, sizeof(path), "audit.log") != 0) {
        return -1;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0 && write(fd, rec, len) == (ssize_t)len && fsync(fd) == 0) {
        r = 0;
    }
    if (fd >= 0) {
        close(fd);
    }
    if (r != 0) {
        net_log(NET_LOG_WARN, "cannot append to the audit log %s: %s", path, strerror(errno));
    }
    return r;
}

/* The last complete record of the audit log, so the enclave continues its hash chain. */
static int last_audit_record(unsigned char **out, size_t *out_len) {
    char path[512];
    unsigned char *log = NULL;
    size_t len = 0, off = 0, last = 0, last_len = 0;
    *out = NULL;
    *out_len = 0;
    if (data_path(path, sizeof(path), "audit.log") != 0) {
        return -1;
    }
    if (read_file(path, &log, &len, 1u << 30) != 0) {
        return errno == ENOENT ? 0 : -1;
    }
    while (off < len) {
        enc_audit_record rec;
        if (enc_audit_parse(&rec, log + off, len - off) != ENC_OK) {
            net_log(NET_LOG_WARN, "audit log %s: damaged record at offset %zu; the enclave will refuse to chain", path,
                    off);
            free(log);
            return -1;
        }
        last = off;
        last_len = rec.len;
        off += rec.len;
    }
    if (last_len > 0 && (*out = malloc(last_len)) != NULL) {
        memcpy(*out, log + last, last_len);
        *out_len = last_len;
    }
    free(log);
    return 0;
}

static void blob_name(char *out, size_t cap, uint32_t kind, const unsigned char *key_id) {
    char hex[65] = "";
    if (key_id != NULL) {
        wire_hex(hex, key_id, 32);
    }
    switch (kind) {
    case ENC_SEAL_KIND_KEY_SHARE: snprintf(out, cap, "key-%s.sealed", hex); break;
    case ENC_SEAL_KIND_IDENTITY: snprintf(out, cap, "identity.sealed"); break;
    case ENC_SEAL_KIND_BAN_LIST: snprintf(out, cap, "bans.sealed"); break;
    case ENC_SEAL_KIND_USED_SESSIONS: snprintf(out, cap, "used-%s.sealed", hex); break;
    case ENC_SEAL_KIND_COUNTERS: snprintf(out, cap, "instances.sealed"); break;
    case ENC_SEAL_KIND_POLICY: snprintf(out, cap, "policy.sealed"); break;
    default: snprintf(out, cap, "kind%u.sealed", kind); break;
    }
}

/* Audit records and sealed blobs from the enclave (enclave_client.h sinks). */
static void on_audit(void *ctx, const unsigned char *record, size_t len) {
    (void)ctx;
    (void)append_audit(record, len);
}

static int on_sealed(void *ctx, uint32_t kind, const unsigned char *key_id, size_t key_id_len,
        const unsigned char *blob, size_t blob_len) {
    int keyed = kind == ENC_SEAL_KIND_KEY_SHARE || kind == ENC_SEAL_KIND_USED_SESSIONS;
    char name[128];
    (void)ctx;
    if ((keyed && key_id_len != 32) || (!keyed && key_id_len != 0) || blob_len == 0) {
        net_log(NET_LOG_WARN, "enclave sent a sealed blob with a malformed header");
        return -1;
    }
    blob_name(name, sizeof(name), kind, keyed ? key_id : NULL);
    if (write_atomic(name, blob, blob_len) != 0) {
        return -1;
    }
    if (kind == ENC_SEAL_KIND_USED_SESSIONS) {
        memcpy(g.used_key, key_id, 32);
        g.used_pending = 1;
    }
    return 0;
}

/* ---- the enclave -------------------------------------------------------------------------- */

static void env_init(Mpc__Enclave__Envelope *env, Mpc__Enclave__MsgType type, void *body) {
    mpc__enclave__envelope__init(env);
    env->version = ENCLAVE_VERSION;
    env->type = type;
    env->body_case = (Mpc__Enclave__Envelope__BodyCase)type;
    env->hello = body;
}

/* One request to the enclave. Returns MPC_ENCLAVE_OK (reply of type expect), MPC_ENCLAVE_E_STATUS
 * (reply is the enclave's Status: a refusal or an aborted session) or a link error, after which
 * the enclave is marked down. */
static int enclave_call(Mpc__Enclave__Envelope **reply, Mpc__Enclave__Envelope *env, Mpc__Enclave__MsgType expect) {
    int r;
    *reply = NULL;
    if (!g.enc_up) {
        return MPC_ENCLAVE_E_IO;
    }
    r = mpc_enclave_call(g.enc, reply, env, expect);
    if (r != MPC_ENCLAVE_OK && r != MPC_ENCLAVE_E_STATUS) {
        net_log(NET_LOG_WARN, "enclave link failed (%d); the enclave will be restarted", r);
        snprintf(g.last_error, sizeof(g.last_error), "enclave link failed (%d)", r);
        g.enc_up = 0;
    }
    return r;
}

static void status_log(const Mpc__Enclave__Envelope *reply, const char *what) {
    if (reply != NULL && reply->type == MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_STATUS) {
        net_log(NET_LOG_WARN, "enclave refused %s: %d %s", what, reply->status->code, reply->status->detail);
    }
}

static int load_blob(const char *name, uint32_t kind, const unsigned char *key_id) {
    unsigned char *blob = NULL;
    size_t len = 0;
    char path[512];
    int r = -1;
    if (data_path(path, sizeof(path), name) != 0 || read_file(path, &blob, &len, MAX_BLOB) != 0) {
        net_log(NET_LOG_WARN, "cannot read %s", name);
        return -1;
    }
    r = mpc_enclave_load(g.enc, kind, key_id, blob, len) == MPC_ENCLAVE_OK ? 0 : -1;
    if (r != 0) {
        net_log(NET_LOG_WARN, "the enclave refused %s", name);
    }
    free(blob);
    return r;
}

/* Every key share with its used-session set, then the ban list and the set of DKG instance ids
 * already used (both absent on a fresh enclave). */
static int load_state(void) {
    DIR *d = opendir(g.cfg.data_dir);
    struct dirent *de;
    char bans[512], insts[512], policy[512];
    int r = 0, keys = 0;
    if (d == NULL) {
        return -1;
    }
    /* The policy comes first: a key bound to a policy is only usable under that policy. */
    g.has_policy = 0;
    if (data_path(policy, sizeof(policy), "policy.sealed") == 0 && access(policy, F_OK) == 0) {
        r = load_blob("policy.sealed", ENC_SEAL_KIND_POLICY, NULL);
        g.has_policy = r == 0;
    }
    while (r == 0 && (de = readdir(d)) != NULL) {
        unsigned char key_id[32];
        char hex[65], used[128];
        if (strncmp(de->d_name, "key-", 4) != 0 || strlen(de->d_name) != 4 + 64 + 7 ||
                strcmp(de->d_name + 68, ".sealed") != 0) {
            continue;
        }
        memcpy(hex, de->d_name + 4, 64);
        hex[64] = '\0';
        if (wire_unhex(key_id, 32, hex) != NET_OK) {
            continue;
        }
        blob_name(used, sizeof(used), ENC_SEAL_KIND_USED_SESSIONS, key_id);
        r = load_blob(de->d_name, ENC_SEAL_KIND_KEY_SHARE, key_id);
        if (r == 0) {
            r = load_blob(used, ENC_SEAL_KIND_USED_SESSIONS, key_id);
        }
        keys++;
    }
    closedir(d);
    if (r == 0 && data_path(bans, sizeof(bans), "bans.sealed") == 0 && access(bans, F_OK) == 0) {
        r = load_blob("bans.sealed", ENC_SEAL_KIND_BAN_LIST, NULL);
    }
    if (r == 0 && data_path(insts, sizeof(insts), "instances.sealed") == 0 && access(insts, F_OK) == 0) {
        r = load_blob("instances.sealed", ENC_SEAL_KIND_COUNTERS, NULL);
    }
    if (r == 0) {
        net_log(NET_LOG_INFO, "enclave holds %d key share(s)%s", keys,
                g.has_policy ? " and a sealed signing policy" : ", no signing policy");
    }
    return r;
}

static int read_seal_secret(unsigned char **out, size_t *len) {
    if (read_file(g.cfg.sealing_path, out, len, ENC_SEAL_PW_MAX_PASSPHRASE) != 0) {
        net_log(NET_LOG_WARN, "cannot read the sealing secret %s", g.cfg.sealing_path);
        return -1;
    }
    /* A passphrase file usually ends with a newline that is not part of the passphrase. */
    if (g.cfg.sealing == CFG_SEALING_PASSPHRASE_FILE && *len > 0 && (*out)[*len - 1] == '\n') {
        (*len)--;
    }
    return 0;
}

/* A configuration file's text, NUL-terminated. */
static int read_text(const char *path, char **out, size_t max) {
    unsigned char *buf = NULL, *t;
    size_t len = 0;
    if (read_file(path, &buf, &len, max) != 0 || (t = realloc(buf, len + 1)) == NULL) {
        free(buf);
        net_log(NET_LOG_WARN, "cannot read %s", path);
        return -1;
    }
    t[len] = '\0';
    *out = (char *)t;
    return 0;
}

/* First start: a new identity key, and the configured policy, which the enclave checks and seals
 * (on_sealed stores policy.sealed) and afterwards takes only from that blob. */
static int enclave_init(void) {
    Mpc__Enclave__Policy pol = MPC__ENCLAVE__POLICY__INIT;
    Mpc__Enclave__Envelope *status = NULL;
    ProtobufCBinaryData ms[CFG_POLICY_MAX_MULTISEND];
    char *approvers = NULL, *registry = NULL;
    int rc = MPC_ENCLAVE_E_ARG;

    if (!g.cfg.has_policy) {
        net_log(NET_LOG_WARN, "no [policy] section: this enclave is created without a signing policy and will sign "
                "EIP-191 messages without operator approvals only");
        return mpc_enclave_init(g.enc, g.identity_pk);
    }
    if (read_text(g.cfg.policy.approvers, &approvers, POLICY_APPROVERS_FILE_MAX) != 0 ||
            (g.cfg.policy.asset_registry[0] != '\0' &&
                    read_text(g.cfg.policy.asset_registry, &registry, CFG_POLICY_FILE_MAX) != 0)) {
        goto out;
    }
    pol.approvers = approvers;
    pol.chain_id = g.cfg.policy.chain_id;
    pol.native_symbol = g.cfg.policy.native_symbol;
    pol.asset_registry = registry != NULL ? registry : (char *)"";
    for (size_t i = 0; i < g.cfg.policy.n_multisend; i++) {
        ms[i].data = g.cfg.policy.multisend[i];
        ms[i].len = 20;
    }
    pol.multisend_call_only = ms;
    pol.n_multisend_call_only = g.cfg.policy.n_multisend;
    pol.btc_network = g.cfg.policy.btc_network;
    rc = mpc_enclave_init_policy(g.enc, &status, g.identity_pk, &pol);
    if (rc == MPC_ENCLAVE_E_STATUS && status != NULL && status->type == MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_STATUS) {
        net_log(NET_LOG_WARN, "the enclave refused the configured policy: %s", status->status->detail);
    }
    g.has_policy = rc == MPC_ENCLAVE_OK;
out:
    mpc_enclave_reply_free(status);
    free(approvers);
    free(registry);
    return rc;
}

/* Spawn, Hello, Config, identity (Unseal or Init), sealed state, Start. */
static int enclave_start(void) {
    mpc_enclave_sinks sinks = {on_audit, on_sealed, NULL, NULL};
    unsigned char *secret = NULL, *idblob = NULL, *last = NULL;
    size_t secret_len = 0, idlen = 0, last_len = 0;
    char idpath[512];
    int r = -1, rc, fresh;

    if (mpc_enclave_spawn(&g.enc, g.cfg.enclave_path, g.test_mode ? "--insecure-test-mode" : NULL, &sinks) !=
            MPC_ENCLAVE_OK) {
        net_log(NET_LOG_WARN, "cannot start the enclave %s", g.cfg.enclave_path);
        return -1;
    }
    g.enc_up = 1;
    g.sess = SESS_NONE;
    if (mpc_enclave_hello(g.enc) != MPC_ENCLAVE_OK) {
        net_log(NET_LOG_WARN, "the enclave did not answer Hello");
        goto out;
    }
    if (read_seal_secret(&secret, &secret_len) != 0) {
        goto out;
    }
    if (g.cfg.sealing == CFG_SEALING_KEYFILE) {
        rc = secret_len == 32 ? mpc_enclave_config_keyfile(g.enc, secret, g.party) : MPC_ENCLAVE_E_ARG;
    } else {
        rc = mpc_enclave_config_passphrase(g.enc, (const char *)secret, secret_len, ENC_SEAL_PW_OPSLIMIT_DEFAULT,
                ENC_SEAL_PW_MEMLIMIT_DEFAULT, g.party);
    }
    sodium_memzero(secret, secret_len);
    if (rc != MPC_ENCLAVE_OK) {
        net_log(NET_LOG_WARN, "configuring the enclave's sealing failed (%d); a key file holds exactly 32 bytes", rc);
        goto out;
    }
    if (data_path(idpath, sizeof(idpath), "identity.sealed") != 0) {
        goto out;
    }
    fresh = read_file(idpath, &idblob, &idlen, MAX_BLOB) != 0;
    if (!fresh) {
        rc = mpc_enclave_unseal_identity(g.enc, g.identity_pk, idblob, idlen);
    } else {
        net_log(NET_LOG_INFO, "no identity.sealed in %s: the enclave creates its identity key", g.cfg.data_dir);
        rc = enclave_init();
    }
    if (rc != MPC_ENCLAVE_OK) {
        net_log(NET_LOG_WARN, "the enclave could not load or create its identity (%d); wrong sealing secret?", rc);
        goto out;
    }
    /* A new enclave has nothing sealed yet (its policy was installed by Init). */
    if ((!fresh && load_state() != 0) || last_audit_record(&last, &last_len) != 0) {
        goto out;
    }
    if (!fresh && g.cfg.has_policy && !g.has_policy) {
        net_log(NET_LOG_WARN, "the [policy] section is ignored: this enclave was created without a policy, which "
                "is given only at an enclave's first start");
    }
    if (mpc_enclave_start(g.enc, last, last_len) != MPC_ENCLAVE_OK) {
        net_log(NET_LOG_WARN, "the enclave refused to start serving");
        goto out;
    }
    r = 0;
out:
    if (r != 0) {
        mpc_enclave_client_free(g.enc);
        g.enc = NULL;
        g.enc_up = 0;
    }
    free(secret);
    free(idblob);
    free(last);
    return r;
}

static void enclave_stop(void) {
    if (g.enc != NULL) {
        int status;
        if (g.enc_up) {
            (void)mpc_enclave_shutdown(g.enc);
            (void)mpc_enclave_wait(g.enc, &status);
        }
        mpc_enclave_client_free(g.enc);
        g.enc = NULL;
    }
    g.enc_up = 0;
}

static void session_clear(void) {
    for (size_t r = 0; r <= MAX_ROUNDS; r++) {
        for (size_t i = 0; i <= MAX_PARTIES; i++) {
            free(g.rounds[r].data[i]);
            g.rounds[r].data[i] = NULL;
        }
        g.rounds[r].count = 0;
    }
    g.sess = SESS_NONE;
    g.refresh = 0;
    g.next_round = 0;
    g.npeers = 0;
}

/* A restart is the only way to make the enclave drop a session (and its nonces). */
static int enclave_restart(const char *why) {
    net_log(NET_LOG_WARN, "restarting the enclave: %s", why);
    session_clear();
    enclave_stop();
    return enclave_start();
}

/* ---- to the coordinator ------------------------------------------------------------------- */

static void send_coord(const Mpc__Wire__Envelope *env) {
    int r;
    if (g.conn == NULL) {
        return;
    }
    r = wire_send(g.conn, env);
    if (r != NET_OK) {
        net_log(NET_LOG_WARN, "send to the coordinator failed: %s", net_strerror(r));
    }
}

static void session_failed(const char *reason, const uint32_t *blame, size_t nblame, int needs_approvals) {
    Mpc__Wire__SessionFailed sf = MPC__WIRE__SESSION_FAILED__INIT;
    Mpc__Wire__Envelope env;
    char text[256];
    snprintf(text, sizeof(text), "%.250s", reason);
    for (char *p = text; *p != '\0'; p++) {
        if (*p < 0x20 || *p > 0x7e) {
            *p = ' ';
        }
    }
    sf.session_id.data = g.sess_id;
    sf.session_id.len = 32;
    sf.reason = text;
    sf.blame = (uint32_t *)blame;
    sf.n_blame = nblame;
    sf.needs_approvals = needs_approvals != 0;
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_SESSION_FAILED, &sf);
    net_log(NET_LOG_WARN, "session failed: %s", text);
    snprintf(g.last_error, sizeof(g.last_error), "%s", text);
    g.failures++;
    send_coord(&env);
    session_clear();
}

/* A Status reply that ends the current session, or a link failure (reply NULL). */
static void enclave_failed(Mpc__Enclave__Envelope *reply, const char *what) {
    char why[300];
    if (reply != NULL && reply->type == MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_STATUS) {
        snprintf(why, sizeof(why), "%s: enclave status %d: %s", what, reply->status->code, reply->status->detail);
        session_failed(why, reply->status->banned, reply->status->n_banned,
                reply->status->code == ENC_SESSION_E_APPROVALS);
        return;
    }
    snprintf(why, sizeof(why), "%s: the enclave failed", what);
    session_failed(why, NULL, 0, 0);
    (void)enclave_restart(why);
}

/* Send the enclave's sealed messages of one round to their receivers through the coordinator. */
static void relay_out(const Mpc__Enclave__RoundMessages *rm) {
    for (size_t i = 0; i < rm->n_messages; i++) {
        Mpc__Wire__Relay rl = MPC__WIRE__RELAY__INIT;
        Mpc__Wire__Envelope env;
        enc_chan_header h;
        if (enc_chan_parse(&h, rm->messages[i].data, rm->messages[i].len) != ENC_OK) {
            net_log(NET_LOG_WARN, "enclave produced an unparsable channel message; not relayed");
            continue;
        }
        rl.session_id.data = g.sess_id;
        rl.session_id.len = 32;
        rl.round = rm->round;
        rl.sender = g.party;
        rl.receiver = h.receiver;
        rl.data = rm->messages[i];
        wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_RELAY, &rl);
        send_coord(&env);
    }
}

/* ---- keygen ------------------------------------------------------------------------------- */

static int fill_peers(Mpc__Enclave__Peer *peers, Mpc__Enclave__Peer **pp, size_t *n,
        Mpc__Wire__Participant *const *parts, size_t nparts) {
    int own = 0;
    *n = 0;
    if (nparts < 2 || nparts > MAX_PARTIES) {
        return -1;
    }
    for (size_t i = 0; i < nparts; i++) {
        if (parts[i]->party_index < 1 || parts[i]->party_index > MAX_PARTIES || parts[i]->identity_pk.len != 32) {
            return -1;
        }
        if (parts[i]->party_index == g.party) {
            own++;
            continue;
        }
        mpc__enclave__peer__init(&peers[*n]);
        peers[*n].index = parts[i]->party_index;
        peers[*n].identity_public_key = parts[i]->identity_pk;
        pp[*n] = &peers[*n];
        (*n)++;
    }
    return own == 1 ? 0 : -1;
}

/* A DKG, or (ks->key_id set) a refresh of a key this enclave holds a share of. */
static void on_keygen_start(const Mpc__Wire__KeygenStart *ks) {
    Mpc__Enclave__Peer peers[MAX_PARTIES], *pp[MAX_PARTIES];
    Mpc__Enclave__KeygenStart ek = MPC__ENCLAVE__KEYGEN_START__INIT;
    Mpc__Enclave__RefreshStart er = MPC__ENCLAVE__REFRESH_START__INIT;
    Mpc__Enclave__Envelope env, *reply = NULL;
    int refresh = ks->key_id.len == 32;
    char hex[65];
    size_t np = 0;

    if (g.sess != SESS_NONE) {
        (void)enclave_restart("a new keygen or refresh replaces the unfinished session");
    }
    if (ks->session_id.len != 32 || ks->t < 2 || ks->t > ks->n || ks->n != ks->n_participants ||
            g.party > ks->n || fill_peers(peers, pp, &np, ks->participants, ks->n_participants) != 0) {
        net_log(NET_LOG_WARN, "keygen start with inconsistent parameters or participants; refused");
        return;
    }
    memcpy(g.sess_id, ks->session_id.data, 32);
    if (refresh) {
        er.key_id = ks->key_id;
        er.inst = ks->session_id;
        er.peers = pp;
        er.n_peers = np;
        env_init(&env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_REFRESH_START, &er);
        wire_hex(hex, ks->key_id.data, 32);
        net_log(NET_LOG_INFO, "refresh of key %s: joining as party %u", hex, g.party);
    } else {
        ek.inst = ks->session_id;
        ek.n = ks->n;
        ek.t = ks->t;
        ek.party_index = g.party;
        ek.peers = pp;
        ek.n_peers = np;
        env_init(&env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_KEYGEN_START, &ek);
        net_log(NET_LOG_INFO, "keygen %u-of-%u: joining as party %u", ks->t, ks->n, g.party);
    }
    if (enclave_call(&reply, &env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_ROUND_OUT) != MPC_ENCLAVE_OK) {
        enclave_failed(reply, refresh ? "refresh start" : "keygen start");
        goto out;
    }
    g.sess = SESS_KEYGEN;
    /* The enclave's round messages name the instance as key id and, for a refresh, the old key
     * as session id (a DKG's is all zero). */
    memcpy(g.enc_key, ks->session_id.data, 32);
    if (refresh) {
        memcpy(g.enc_sess, ks->key_id.data, 32);
        memcpy(g.refresh_key, ks->key_id.data, 32);
    } else {
        memset(g.enc_sess, 0, 32);
    }
    g.refresh = refresh;
    g.npeers = (uint32_t)np;
    g.next_round = 1;
    relay_out(reply->round_out);
out:
    if (reply != NULL) {
        mpc_enclave_reply_free(reply);
    }
}

/* After a committed refresh the old share must not come back at the next enclave start. */
static void remove_key_files(const unsigned char key_id[32]) {
    static const uint32_t kinds[] = {ENC_SEAL_KIND_KEY_SHARE, ENC_SEAL_KIND_USED_SESSIONS};
    char name[128], path[512];
    int dfd;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        blob_name(name, sizeof(name), kinds[i], key_id);
        if (data_path(path, sizeof(path), name) == 0 && unlink(path) != 0 && errno != ENOENT) {
            net_log(NET_LOG_WARN, "cannot remove the replaced %s: %s", name, strerror(errno));
        }
    }
    dfd = open(g.cfg.data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) != 0) {
        net_log(NET_LOG_WARN, "cannot sync %s: %s", g.cfg.data_dir, strerror(errno));
    }
    if (dfd >= 0) {
        close(dfd);
    }
}

static void keygen_result(const Mpc__Enclave__KeygenResult *kr) {
    Mpc__Wire__KeygenResult out = MPC__WIRE__KEYGEN_RESULT__INIT;
    Mpc__Wire__Envelope env;
    out.session_id.data = g.sess_id;
    out.session_id.len = 32;
    out.key_id = kr->key_id;
    out.public_key = kr->public_key;
    out.chain_code = kr->chain_code;
    out.public_hash = kr->public_hash;
    out.epoch = kr->epoch;
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_KEYGEN_RESULT, &out);
    send_coord(&env);
    g.next_round = 0; /* waiting for the commit */
}

static void on_session_commit(const Mpc__Wire__SessionCommit *sc) {
    Mpc__Enclave__KeygenCommit kc = MPC__ENCLAVE__KEYGEN_COMMIT__INIT;
    Mpc__Enclave__Envelope env, *reply = NULL;
    char hex[65];
    if (g.sess != SESS_KEYGEN || sc->session_id.len != 32 || memcmp(sc->session_id.data, g.sess_id, 32) != 0 ||
            sc->key_id.len != 32 || sc->n_public_hashes != g.npeers + 1) {
        net_log(NET_LOG_WARN, "commit for another session or malformed; ignored");
        return;
    }
    kc.key_id = sc->key_id;
    kc.public_hashes = sc->public_hashes;
    kc.n_public_hashes = sc->n_public_hashes;
    env_init(&env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_KEYGEN_COMMIT, &kc);
    if (enclave_call(&reply, &env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_STATUS) != MPC_ENCLAVE_OK ||
            reply->status->code != 0) {
        enclave_failed(reply, "keygen commit");
        goto out;
    }
    wire_hex(hex, sc->key_id.data, 32);
    net_log(NET_LOG_INFO, "key %s committed: sealed share stored", hex);
    if (g.refresh) {
        remove_key_files(g.refresh_key);
        wire_hex(hex, g.refresh_key, 32);
        net_log(NET_LOG_INFO, "refresh done: the share of key %s was replaced and deleted", hex);
    }
    g.keygens++;
    session_clear();
out:
    if (reply != NULL) {
        mpc_enclave_reply_free(reply);
    }
}

/* ---- signing ------------------------------------------------------------------------------ */

static void pending_clear(pending_verdict *p) {
    free(p->fingerprint);
    free(p->words);
    free(p->summary);
    memset(p, 0, sizeof(*p));
}

static void pending_expire(void) {
    uint64_t now = wire_now_ms();
    for (size_t i = 0; i < MAX_PENDING; i++) {
        if (g.pending[i].used && now - g.pending[i].at_ms > PENDING_TTL_MS) {
            pending_clear(&g.pending[i]);
        }
    }
}

static pending_verdict *pending_find(const unsigned char request_id[32]) {
    pending_expire();
    for (size_t i = 0; i < MAX_PENDING; i++) {
        if (g.pending[i].used && memcmp(g.pending[i].request_id, request_id, 32) == 0) {
            return &g.pending[i];
        }
    }
    return NULL;
}

static char *dup_bytes(const void *data, size_t len) {
    char *t = malloc(len + 1);
    if (t != NULL) {
        if (len > 0) {
            memcpy(t, data, len);
        }
        t[len] = '\0';
    }
    return t;
}

/* Keep what the enclave said about a request for the operator socket; a later attempt of the same
 * request replaces it. */
static void pending_put(const Mpc__Enclave__Verdict *v) {
    pending_verdict *p;
    if (v->request_id.len != 32 || v->key_id.len != 32 || v->digest.len != 32 || v->sigid.len != 32 ||
            v->derived_public_key.len != 33 || v->signature.len != 64 ||
            (v->fingerprint_subject.len != 0 && v->fingerprint_subject.len != 32)) {
        return;
    }
    p = pending_find(v->request_id.data);
    if (p == NULL) {
        p = &g.pending[g.pending_next];
        g.pending_next = (g.pending_next + 1) % MAX_PENDING;
    }
    pending_clear(p);
    p->at_ms = wire_now_ms();
    memcpy(p->request_id, v->request_id.data, 32);
    memcpy(p->key_id, v->key_id.data, 32);
    memcpy(p->digest, v->digest.data, 32);
    memcpy(p->sigid, v->sigid.data, 32);
    memcpy(p->derived_pk, v->derived_public_key.data, 33);
    memcpy(p->signature, v->signature.data, 64);
    if (v->fingerprint_subject.len == 32) {
        memcpy(p->subject, v->fingerprint_subject.data, 32);
    }
    p->payload_type = v->payload_type;
    p->decision = v->decision;
    p->version = v->verdict_version;
    p->approvals_required = v->approvals_required;
    p->fingerprint = dup_bytes(v->fingerprint.data, v->fingerprint.len);
    p->words = dup_bytes(v->fingerprint_words, strlen(v->fingerprint_words));
    p->summary = dup_bytes(v->summary, strlen(v->summary));
    p->used = p->fingerprint != NULL && p->words != NULL && p->summary != NULL;
    if (!p->used) {
        pending_clear(p);
    }
}

/* The enclave decodes the payload itself and answers a signed verdict, which goes to the
 * coordinator and stays here for the operator. Enclaves decode between the rounds of a running
 * session too, so a burst of requests does not wait for each session. */
static void on_sign_payload(const Mpc__Wire__SignPayload *sp) {
    Mpc__Enclave__SignRequest sr = MPC__ENCLAVE__SIGN_REQUEST__INIT;
    Mpc__Enclave__Envelope env, *reply = NULL;
    Mpc__Wire__SignerResult res = MPC__WIRE__SIGNER_RESULT__INIT;
    Mpc__Wire__Envelope wenv;
    const Mpc__Enclave__Verdict *v;

    /* The enclave treats a malformed request as fatal; refuse it here instead. */
    if (sp->request_id.len != 32 || sp->key_id.len != 32 || sp->payload_type == 0 || sp->payload.len == 0 ||
            sp->n_path > 255 || sp->n_signers < 2 || sp->n_signers > MAX_PARTIES || sp->coord_nonce.len != 32) {
        net_log(NET_LOG_WARN, "malformed signing payload from the coordinator; refused");
        return;
    }
    sr.request_id = sp->request_id;
    sr.key_id = sp->key_id;
    sr.payload_type = sp->payload_type;
    sr.payload = sp->payload;
    sr.derivation_path = sp->path;
    sr.n_derivation_path = sp->n_path;
    sr.signers = sp->signers;
    sr.n_signers = sp->n_signers;
    sr.coord_nonce = sp->coord_nonce;
    sr.digest_index = sp->digest_index;
    env_init(&env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SIGN_REQUEST, &sr);
    if (enclave_call(&reply, &env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_VERDICT) != MPC_ENCLAVE_OK) {
        status_log(reply, "the signing payload");
        if (!g.enc_up) {
            (void)enclave_restart("sign request");
        }
        goto out;
    }
    v = reply->verdict;
    res.request_id = v->request_id;
    res.digest = v->digest;
    res.summary = v->summary;
    res.fingerprint = v->fingerprint;
    res.decision = v->decision != ENC_DECISION_ALLOW ? MPC__WIRE__DECISION__DECISION_REJECT :
                   v->approvals_required > 0 ? MPC__WIRE__DECISION__DECISION_NEEDS_APPROVAL :
                   MPC__WIRE__DECISION__DECISION_APPROVE;
    res.signature = v->signature;
    res.session_id = v->sigid;
    res.key_id = v->key_id;
    res.public_key = v->derived_public_key;
    res.payload_type = sp->payload_type;
    res.coord_nonce = sp->coord_nonce;
    res.verdict_version = v->verdict_version;
    res.fingerprint_subject = v->fingerprint_subject;
    res.fingerprint_words = v->fingerprint_words;
    res.approvals_required = v->approvals_required;
    res.digest_index = sp->digest_index;
    res.digest_count = v->digest_count;
    wire_init(&wenv, MPC__WIRE__MSG_TYPE__MSG_TYPE_SIGNER_RESULT, &res);
    {
        char dh[65];
        wire_hex(dh, v->digest.data, v->digest.len == 32 ? 32 : 0);
        net_log(NET_LOG_INFO, "payload decoded: digest %s, %s", dh,
                v->decision != ENC_DECISION_ALLOW ? "denied" :
                v->approvals_required > 0 ? "allowed once operators approve" : "allowed");
    }
    pending_put(v);
    send_coord(&wenv);
out:
    if (reply != NULL) {
        mpc_enclave_reply_free(reply);
    }
}

static void on_session_start(const Mpc__Wire__SessionStart *ss) {
    Mpc__Enclave__Peer peers[MAX_PARTIES], *pp[MAX_PARTIES];
    Mpc__Enclave__SignStart st = MPC__ENCLAVE__SIGN_START__INIT;
    Mpc__Enclave__Envelope env, *reply = NULL;
    size_t np = 0;

    if (g.sess != SESS_NONE) {
        (void)enclave_restart("a new session replaces the unfinished one");
    }
    if (ss->session_id.len != 32 || ss->key_id.len != 32 || ss->request_id.len != 32 ||
            ss->n_approvals > POLICY_APPROVALS_MAX ||
            fill_peers(peers, pp, &np, ss->participants, ss->n_participants) != 0) {
        net_log(NET_LOG_WARN, "session start with malformed participants; refused");
        return;
    }
    memcpy(g.sess_id, ss->session_id.data, 32);
    st.sigid = ss->session_id;
    st.peers = pp;
    st.n_peers = np;
    /* Without a policy the enclave takes no approvals at all. */
    if (g.has_policy) {
        st.request_id = ss->request_id;
        st.approvals = ss->approvals;
        st.n_approvals = ss->n_approvals;
    }
    env_init(&env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SIGN_START, &st);
    g.used_pending = 0;
    if (enclave_call(&reply, &env, MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_STATUS) != MPC_ENCLAVE_OK ||
            reply->status->code != 0 || !g.used_pending || memcmp(g.used_key, ss->key_id.data, 32) != 0) {
        enclave_failed(reply, "session start");
        goto out;
    }
    mpc_enclave_reply_free(reply);
    reply = NULL;
    /* on_sealed stored the used-session set durably before the Status arrived: nonces may now be drawn. */
    if (mpc_enclave_stored(g.enc, &reply) != MPC_ENCLAVE_OK || reply == NULL ||
            reply->type != MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_ROUND_OUT) {
        enclave_failed(reply, "stored");
        goto out;
    }
    g.sess = SESS_SIGN;
    memcpy(g.sess_request, ss->request_id.data, 32);
    memcpy(g.enc_key, ss->key_id.data, 32);
    memcpy(g.enc_sess, ss->session_id.data, 32);
    g.npeers = (uint32_t)np;
    g.next_round = 1;
    relay_out(reply->round_out);
out:
    if (reply != NULL) {
        mpc_enclave_reply_free(reply);
    }
}

static void session_output(const Mpc__Enclave__RoundMessages *rm) {
    Mpc__Wire__SessionOutput so = MPC__WIRE__SESSION_OUTPUT__INIT;
    Mpc__Wire__Envelope env;
    pending_verdict *p;
    so.session_id.data = g.sess_id;
    so.session_id.len = 32;
    so.data = rm->public_message;
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_SESSION_OUTPUT, &so);
    send_coord(&env);
    g.signatures++;
    net_log(NET_LOG_INFO, "signing session finished; public round-3 message sent for combining");
    if ((p = pending_find(g.sess_request)) != NULL) {
        pending_clear(p);
    }
    session_clear();
}

/* ---- relayed rounds ----------------------------------------------------------------------- */

/* Feed every complete round to the enclave, in order. */
static void feed_rounds(void) {
    while (g.sess != SESS_NONE && g.next_round >= 1 && g.next_round <= MAX_ROUNDS &&
            g.rounds[g.next_round].count == g.npeers) {
        Mpc__Enclave__RoundMessages rm = MPC__ENCLAVE__ROUND_MESSAGES__INIT;
        Mpc__Enclave__Envelope env, *reply = NULL;
        ProtobufCBinaryData msgs[MAX_PARTIES];
        round_buf *b = &g.rounds[g.next_round];
        size_t n = 0;
        uint32_t round = g.next_round;
        int keygen = g.sess == SESS_KEYGEN;

        for (size_t i = 1; i <= MAX_PARTIES; i++) {
            if (b->data[i] != NULL) {
                msgs[n].data = b->data[i];
                msgs[n].len = b->len[i];
                n++;
            }
        }
        rm.key_id.data = g.enc_key;
        rm.key_id.len = 32;
        rm.session_id.data = g.enc_sess;
        rm.session_id.len = 32;
        rm.round = round;
        rm.messages = msgs;
        rm.n_messages = n;
        env_init(&env, keygen ? MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_KEYGEN_ROUND : MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_SIGN_ROUND,
                &rm);
        if (enclave_call(&reply, &env, keygen && round == 4 ? MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_KEYGEN_RESULT
                                                            : MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_ROUND_OUT) != MPC_ENCLAVE_OK) {
            enclave_failed(reply, keygen ? "keygen round" : "signing round");
            mpc_enclave_reply_free(reply);
            return;
        }
        if (keygen && reply->type == MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_KEYGEN_RESULT) {
            keygen_result(reply->keygen_result);
        } else if (reply->type == MPC__ENCLAVE__MSG_TYPE__MSG_TYPE_ROUND_OUT) {
            g.next_round = round + 1;
            if (!keygen && reply->round_out->public_message.len > 0) {
                session_output(reply->round_out);
            } else {
                relay_out(reply->round_out);
            }
        } else {
            enclave_failed(reply, keygen ? "keygen round" : "signing round");
        }
        mpc_enclave_reply_free(reply);
    }
}

static void on_relay(const Mpc__Wire__Relay *rl) {
    round_buf *b;
    if (g.sess == SESS_NONE || rl->session_id.len != 32 || memcmp(rl->session_id.data, g.sess_id, 32) != 0) {
        net_log(NET_LOG_DEBUG, "relayed message for another session dropped");
        return;
    }
    if (rl->receiver != g.party || rl->sender < 1 || rl->sender > MAX_PARTIES || rl->sender == g.party ||
            rl->round < g.next_round || rl->round > MAX_ROUNDS || rl->data.len == 0) {
        net_log(NET_LOG_WARN, "relayed message with a wrong sender, receiver or round dropped");
        return;
    }
    b = &g.rounds[rl->round];
    if (b->data[rl->sender] != NULL || (b->data[rl->sender] = malloc(rl->data.len)) == NULL) {
        net_log(NET_LOG_WARN, "duplicate relayed message from party %u dropped", rl->sender);
        return;
    }
    memcpy(b->data[rl->sender], rl->data.data, rl->data.len);
    b->len[rl->sender] = rl->data.len;
    b->count++;
    feed_rounds();
}

static void on_session_abort(const Mpc__Wire__SessionAbort *sa) {
    if (g.sess == SESS_NONE || sa->session_id.len != 32 || memcmp(sa->session_id.data, g.sess_id, 32) != 0) {
        return;
    }
    net_log(NET_LOG_WARN, "coordinator aborted the session: %s", sa->reason);
    (void)enclave_restart("session aborted by the coordinator");
}

/* ---- the coordinator link ----------------------------------------------------------------- */

static void on_ready(net_conn *conn, net_role role, const char *id, void *data) {
    Mpc__Wire__Hello hello = MPC__WIRE__HELLO__INIT;
    Mpc__Wire__SignerInfo info = MPC__WIRE__SIGNER_INFO__INIT;
    Mpc__Wire__Envelope env;
    (void)data;
    (void)role;
    g.conn = conn;
    net_log(NET_LOG_INFO, "connected to coordinator %s", id);
    hello.role = MPC__WIRE__ROLE__ROLE_SIGNER;
    hello.id = g.cfg.id;
    hello.software_version = (char *)SOFTWARE_VERSION;
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_HELLO, &hello);
    send_coord(&env);
    info.identity_pk.data = g.identity_pk;
    info.identity_pk.len = 32;
    info.party_index = g.party;
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_SIGNER_INFO, &info);
    send_coord(&env);
}

static void on_frame(net_conn *conn, const unsigned char *frame, size_t len, void *data) {
    Mpc__Wire__Envelope *env = NULL;
    int r = wire_unpack(&env, frame, len);
    (void)data;
    if (r != NET_OK) {
        net_log(NET_LOG_WARN, "malformed message from the coordinator (%s); reconnecting", net_strerror(r));
        net_conn_close(conn);
        return;
    }
    if (!g.enc_up && enclave_start() != 0) {
        net_log(NET_LOG_WARN, "the enclave is down and does not restart; message dropped");
        net_env_free(env);
        return;
    }
    switch (env->type) {
    case MPC__WIRE__MSG_TYPE__MSG_TYPE_HELLO: break;
    case MPC__WIRE__MSG_TYPE__MSG_TYPE_ERROR:
        net_log(NET_LOG_WARN, "coordinator error %u: %s", env->error->code, env->error->message);
        break;
    case MPC__WIRE__MSG_TYPE__MSG_TYPE_KEYGEN_START: on_keygen_start(env->keygen_start); break;
    case MPC__WIRE__MSG_TYPE__MSG_TYPE_SIGN_PAYLOAD: on_sign_payload(env->sign_payload); break;
    case MPC__WIRE__MSG_TYPE__MSG_TYPE_SESSION_START: on_session_start(env->session_start); break;
    case MPC__WIRE__MSG_TYPE__MSG_TYPE_SESSION_COMMIT: on_session_commit(env->session_commit); break;
    case MPC__WIRE__MSG_TYPE__MSG_TYPE_SESSION_ABORT: on_session_abort(env->session_abort); break;
    case MPC__WIRE__MSG_TYPE__MSG_TYPE_RELAY: on_relay(env->relay); break;
    default:
        net_log(NET_LOG_WARN, "coordinator sent message type %d, which a signer does not take; reconnecting",
                (int)env->type);
        net_conn_close(conn);
        break;
    }
    net_env_free(env);
}

static void on_close(net_conn *conn, int reason, void *data) {
    (void)data;
    if (g.conn == conn) {
        g.conn = NULL;
        net_log(NET_LOG_WARN, "coordinator connection closed: %s", net_strerror(reason));
        if (g.sess != SESS_NONE && !g.stopping) {
            (void)enclave_restart("the session's coordinator link was lost");
        }
    } else if (reason != NET_E_CLOSED && !g.stopping) {
        net_log(NET_LOG_WARN, "connecting to the coordinator failed: %s", net_strerror(reason));
    }
}

/* ---- operator socket ----------------------------------------------------------------------- */

/* One command line per connection, answered and closed (the protocol is in README.md, "Operator
 * socket"). */
typedef struct {
    uv_pipe_t pipe;
    uv_write_t wr;
    char in[OP_LINE_MAX];
    size_t in_len;
    char *out;
    size_t out_len, out_cap;
    int out_failed;
} op_client;

static void op_closed(uv_handle_t *h) {
    op_client *oc = h->data;
    free(oc->out);
    free(oc);
}

static void op_written(uv_write_t *w, int status) {
    op_client *oc = w->data;
    (void)status;
    uv_close((uv_handle_t *)&oc->pipe, op_closed);
}

static void op_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
    op_client *oc = h->data;
    (void)hint;
    buf->base = oc->in + oc->in_len;
    buf->len = sizeof(oc->in) - oc->in_len - 1;
}

static void op_printf(op_client *oc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void op_printf(op_client *oc, const char *fmt, ...) {
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || oc->out_failed) {
        oc->out_failed = 1;
        return;
    }
    if (oc->out_len + (size_t)n + 1 > oc->out_cap) {
        size_t cap = (oc->out_len + (size_t)n + 1) * 2;
        char *t = realloc(oc->out, cap);
        if (t == NULL) {
            oc->out_failed = 1;
            return;
        }
        oc->out = t;
        oc->out_cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(oc->out + oc->out_len, oc->out_cap - oc->out_len, fmt, ap);
    va_end(ap);
    oc->out_len += (size_t)n;
}

static void op_status(op_client *oc) {
    char id[65];
    wire_hex(id, g.identity_pk, 32);
    op_printf(oc,
            "signer %s (party %u)\ncoordinator: %s\nenclave: %s\nidentity: %s\npolicy: %s\nsession: %s\n"
            "keygens: %u\nsignatures: %u\nfailures: %u\nlast error: %s\n",
            g.cfg.id, g.party, g.conn != NULL ? "connected" : "disconnected", g.enc_up ? "running" : "down", id,
            g.has_policy ? "sealed (operator approvals required)" : "none", g.sess == SESS_KEYGEN ? "keygen" :
            g.sess == SESS_SIGN ? "signing" : "idle", g.keygens, g.signatures, g.failures,
            g.last_error[0] != '\0' ? g.last_error : "none");
}

static const char *type_name(uint32_t type) {
    const char *n = payload_type_name(type);
    return n != NULL ? n : "unknown";
}

static void op_pending(op_client *oc) {
    size_t n = 0;
    pending_expire();
    for (size_t i = 0; i < MAX_PENDING; i++) {
        n += g.pending[i].used != 0;
    }
    op_printf(oc, "ok %zu\n", n);
    for (size_t i = 0; i < MAX_PENDING; i++) {
        const pending_verdict *p = &g.pending[i];
        char rid[65], kid[65];
        if (!p->used) {
            continue;
        }
        wire_hex(rid, p->request_id, 32);
        wire_hex(kid, p->key_id, 32);
        op_printf(oc, "%s\t%s\t%s\t%s\t%u\t%.*s\n", rid, kid, type_name(p->payload_type),
                p->decision == ENC_DECISION_ALLOW ? "allow" : "deny", p->approvals_required,
                (int)strcspn(p->summary, "\n"), p->summary);
    }
}

static void op_show(op_client *oc, const char *arg) {
    unsigned char rid[32];
    const pending_verdict *p;
    char h[5][65], pk[67], sig[129], idk[65];
    size_t lines = 1;
    if (wire_unhex(rid, 32, arg) != NET_OK) {
        op_printf(oc, "error expected a request id of 64 hex digits\n");
        return;
    }
    if ((p = pending_find(rid)) == NULL) {
        op_printf(oc, "error unknown request %s\n", arg);
        return;
    }
    wire_hex(h[0], p->request_id, 32);
    wire_hex(h[1], p->key_id, 32);
    wire_hex(h[2], p->digest, 32);
    wire_hex(h[3], p->sigid, 32);
    wire_hex(h[4], p->subject, p->version == 2 ? 32 : 0);
    wire_hex(pk, p->derived_pk, 33);
    wire_hex(sig, p->signature, 64);
    wire_hex(idk, g.identity_pk, 32);
    for (const char *q = p->summary; *q != '\0'; q++) {
        lines += *q == '\n';
    }
    op_printf(oc,
            "ok\nrequest-id: %s\nkey-id: %s\npayload-type: %u\ndigest: %s\nsession-id: %s\npublic-key: %s\n"
            "decision: %s\nverdict-version: %u\nfingerprint-subject: %s\nfingerprint: %s\nfingerprint-words: %s\n"
            "approvals-required: %u\nenclave-identity: %s\nverdict-signature: %s\nsummary-lines: %zu\n%s",
            h[0], h[1], p->payload_type, h[2], h[3], pk, p->decision == ENC_DECISION_ALLOW ? "allow" : "deny",
            p->version, h[4], p->fingerprint, p->words, p->approvals_required, idk, sig, lines, p->summary);
}

/* An operator's approval or rejection: checked for form and request here, judged by the enclaves. */
static void op_approve(op_client *oc, const char *arg) {
    unsigned char a[POLICY_APPROVAL_BYTES];
    Mpc__Wire__Approval ap = MPC__WIRE__APPROVAL__INIT;
    Mpc__Wire__Envelope env;
    policy_approval pa;
    char rid[17];
    if (wire_unhex(a, sizeof(a), arg) != NET_OK || policy_approval_parse(NULL, &pa, a, sizeof(a)) != POLICY_OK) {
        op_printf(oc, "error malformed approval (expected %u bytes in hex)\n", POLICY_APPROVAL_BYTES);
        return;
    }
    if (pending_find(pa.statement.request_id) == NULL) {
        op_printf(oc, "error unknown request: this signer has no verdict for it\n");
        return;
    }
    if (g.conn == NULL) {
        op_printf(oc, "error not connected to the coordinator\n");
        return;
    }
    ap.request_id.data = pa.statement.request_id;
    ap.request_id.len = 32;
    ap.approval.data = a;
    ap.approval.len = sizeof(a);
    wire_init(&env, MPC__WIRE__MSG_TYPE__MSG_TYPE_APPROVAL, &ap);
    if (wire_send(g.conn, &env) != NET_OK) {
        op_printf(oc, "error the coordinator link refused the message\n");
        return;
    }
    wire_hex(rid, pa.statement.request_id, 8);
    net_log(NET_LOG_INFO, "operator %s for request %s forwarded to the coordinator",
            pa.statement.decision == POLICY_DECISION_APPROVE ? "approval" : "rejection", rid);
    op_printf(oc, "ok forwarded to the coordinator\n");
}

static void op_reply(op_client *oc, const char *line) {
    uv_buf_t b;
    const char *sp = strchr(line, ' ');
    size_t cmd_len = sp != NULL ? (size_t)(sp - line) : strlen(line);
    const char *arg = sp != NULL ? sp + 1 : "";
    if (cmd_len == 6 && strncmp(line, "status", 6) == 0) {
        op_status(oc);
    } else if (cmd_len == 7 && strncmp(line, "pending", 7) == 0) {
        op_pending(oc);
    } else if (cmd_len == 4 && strncmp(line, "show", 4) == 0) {
        op_show(oc, arg);
    } else if (cmd_len == 7 && strncmp(line, "approve", 7) == 0) {
        op_approve(oc, arg);
    } else {
        op_printf(oc, "error unknown command; available: status, pending, show <request id>, approve <hex>\n");
    }
    uv_read_stop((uv_stream_t *)&oc->pipe);
    if (oc->out_failed || oc->out_len == 0) {
        uv_close((uv_handle_t *)&oc->pipe, op_closed);
        return;
    }
    b = uv_buf_init(oc->out, (unsigned)oc->out_len);
    oc->wr.data = oc;
    if (uv_write(&oc->wr, (uv_stream_t *)&oc->pipe, &b, 1, op_written) != 0) {
        uv_close((uv_handle_t *)&oc->pipe, op_closed);
    }
}

static void op_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
    op_client *oc = s->data;
    char *nl;
    (void)buf;
    if (n < 0) {
        uv_close((uv_handle_t *)s, op_closed);
        return;
    }
    oc->in_len += (size_t)n;
    oc->in[oc->in_len] = '\0';
    nl = strchr(oc->in, '\n');
    if (nl != NULL) {
        *nl = '\0';
        op_reply(oc, oc->in);
    } else if (oc->in_len >= sizeof(oc->in) - 1) {
        uv_close((uv_handle_t *)s, op_closed);
    }
}

static void op_connection(uv_stream_t *server, int status) {
    op_client *oc;
    if (status < 0 || (oc = calloc(1, sizeof(*oc))) == NULL) {
        return;
    }
    uv_pipe_init(g.loop, &oc->pipe, 0);
    oc->pipe.data = oc;
    if (uv_accept(server, (uv_stream_t *)&oc->pipe) != 0 ||
            uv_read_start((uv_stream_t *)&oc->pipe, op_alloc, op_read) != 0) {
        uv_close((uv_handle_t *)&oc->pipe, op_closed);
    }
}

static int op_start(void) {
    struct group *gr = getgrnam(g.cfg.operator_group);
    if (gr == NULL) {
        net_log(NET_LOG_WARN, "operator group %s does not exist", g.cfg.operator_group);
        return -1;
    }
    unlink(g.cfg.operator_socket);
    uv_pipe_init(g.loop, &g.op, 0);
    g.op_open = 1;
    if (uv_pipe_bind(&g.op, g.cfg.operator_socket) != 0 || chmod(g.cfg.operator_socket, 0660) != 0 ||
            (chown(g.cfg.operator_socket, (uid_t)-1, gr->gr_gid) != 0 && errno != EPERM) ||
            uv_listen((uv_stream_t *)&g.op, 8, op_connection) != 0) {
        net_log(NET_LOG_WARN, "cannot serve the operator socket %s: %s", g.cfg.operator_socket, strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- main --------------------------------------------------------------------------------- */

static void on_signal(uv_signal_t *s, int signum) {
    (void)s;
    net_log(NET_LOG_INFO, "signal %d: stopping", signum);
    g.stopping = 1;
    if (g.client != NULL) {
        net_client_close(g.client);
        g.client = NULL;
    }
    if (g.op_open) {
        uv_close((uv_handle_t *)&g.op, NULL);
        g.op_open = 0;
        unlink(g.cfg.operator_socket);
    }
    for (int i = 0; i < 2; i++) {
        if (!uv_is_closing((uv_handle_t *)&g.sig[i])) {
            uv_close((uv_handle_t *)&g.sig[i], NULL);
        }
    }
}

static const char usage[] =
    "usage: mpc-signerd --config FILE [--print-identity] [--insecure-test-mode] [--verbose]\n"
    "Runs the signer described by FILE (INI, see README_daemons.md) until SIGINT or SIGTERM.\n"
    "  --print-identity     start the enclave (creating its identity key on first use), print the\n"
    "                       identity public key in hex for the coordinator's [signers], and exit\n"
    "  --insecure-test-mode passed to mpc-enclave (tolerates a failed mlockall; tests only)\n"
    "exit status: 0 clean stop, 1 usage, 2 configuration error, 3 start-up failure\n";

int main(int argc, char **argv) {
    const char *path = NULL;
    char err[CFG_ERR_MAX];
    net_tls_peer allow = {NET_ROLE_COORDINATOR, NULL};
    net_tls_config tc;
    net_conn_limits lim;
    net_backoff bo;
    uv_loop_t loop;
    int print_identity = 0, verbose = 0, rc = 3;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            path = argv[++i];
        } else if (strcmp(argv[i], "--print-identity") == 0) {
            print_identity = 1;
        } else if (strcmp(argv[i], "--insecure-test-mode") == 0) {
            g.test_mode = 1;
        } else if (strcmp(argv[i], "--verbose") == 0) {
            verbose = 1;
        } else if (strcmp(argv[i], "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        } else {
            fputs(usage, stderr);
            return 1;
        }
    }
    if (path == NULL) {
        fputs(usage, stderr);
        return 1;
    }
    daemon_log_init("mpc-signerd", verbose);
    if (sodium_init() < 0) {
        return 3;
    }
    if (cfg_signer_load(&g.cfg, err, sizeof(err), path, 0) != CFG_OK) {
        fprintf(stderr, "mpc-signerd: %s\n", err);
        return 2;
    }
    _Static_assert(CFG_MAX_PARTY_INDEX <= MAX_PARTIES, "a configured party index fits the enclave's channels");
    g.party = g.cfg.party_index;
    signal(SIGPIPE, SIG_IGN);
    if (enclave_start() != 0) {
        net_log(NET_LOG_WARN, "the enclave did not start");
        return 3;
    }
    if (print_identity) {
        char hex[65];
        wire_hex(hex, g.identity_pk, 32);
        printf("%s\n", hex);
        enclave_stop();
        return 0;
    }
    uv_loop_init(&loop);
    g.loop = &loop;
    memset(&tc, 0, sizeof(tc));
    tc.is_server = 0;
    tc.ca_file = g.cfg.tls.ca;
    tc.cert_file = g.cfg.tls.cert;
    tc.key_file = g.cfg.tls.key;
    tc.crl_file = g.cfg.tls.crl[0] != '\0' ? g.cfg.tls.crl : NULL;
    /* Only the configured coordinator certificate of the deployment's CA. */
    allow.id = g.cfg.coordinator_id;
    tc.allow = &allow;
    tc.allow_len = 1;
    memset(&lim, 0, sizeof(lim));
    lim.max_frame = WIRE_MAX_FRAME;
    lim.heartbeat_ms = g.cfg.heartbeat_ms;
    lim.idle_timeout_ms = 3 * g.cfg.heartbeat_ms > MIN_IDLE_MS ? 3 * g.cfg.heartbeat_ms : MIN_IDLE_MS;
    bo.initial_ms = g.cfg.reconnect_min_ms;
    bo.max_ms = g.cfg.reconnect_max_ms;
    if (net_tls_ctx_new(&g.tls, &tc) != NET_OK || op_start() != 0 ||
            net_client_start(&g.client, &loop, g.tls, g.cfg.coordinator_address, g.cfg.coordinator_port, &lim, &bo,
                    &(net_conn_callbacks){on_ready, on_frame, on_close, NULL}) != NET_OK) {
        goto out;
    }
    uv_signal_init(&loop, &g.sig[0]);
    uv_signal_init(&loop, &g.sig[1]);
    uv_signal_start(&g.sig[0], on_signal, SIGINT);
    uv_signal_start(&g.sig[1], on_signal, SIGTERM);
    net_log(NET_LOG_INFO, "signer %s (party %u) dialing %s port %u", g.cfg.id, g.party, g.cfg.coordinator_address,
            g.cfg.coordinator_port);
    uv_run(&loop, UV_RUN_DEFAULT);
    rc = 0;
out:
    if (g.op_open) {
        uv_close((uv_handle_t *)&g.op, NULL);
        unlink(g.cfg.operator_socket);
    }
    if (g.client != NULL) {
        net_client_close(g.client);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    net_tls_ctx_free(g.tls);
    session_clear();
    for (size_t i = 0; i < MAX_PENDING; i++) {
        pending_clear(&g.pending[i]);
    }
    enclave_stop();
    (void)uv_loop_close(&loop);
    net_log(NET_LOG_INFO, "stopped");
    return rc;
}
