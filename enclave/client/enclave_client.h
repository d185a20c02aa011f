/*
 * Client side of the enclave IPC, linked into mpc-signerd (and tests): spawns mpc-enclave with a
 * socketpair on its fd 3 and turns each request into a function call that sends one frame and
 * waits for the one matching reply (OpenSSH mm_* style).
 *
 * While it waits, the enclave may send Audit frames (handed to sinks.on_audit for the parent's
 * log) and Sealed frames that are not the awaited reply (handed to sinks.on_sealed, which must
 * store the blob durably before returning 0: temporary file, fsync, rename, fsync directory). A
 * Status frame instead of the awaited reply means the enclave refused or aborted the request; it
 * is returned to the caller with MPC_ENCLAVE_E_STATUS.
 *
 * Nothing secret passes through here except sealed blobs and, once, the sealing passphrase or key
 * (mpc_enclave_config_*), whose copies in this library are wiped after sending.
 */
#ifndef MPC_ENCLAVE_CLIENT_H
#define MPC_ENCLAVE_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "enclave.pb-c.h"

enum {
    MPC_ENCLAVE_OK = 0,
    MPC_ENCLAVE_E_SYS = -1,      /* socketpair/fork/exec or another system call failed */
    MPC_ENCLAVE_E_IO = -2,       /* the enclave closed the socket (it exited) or a read/write failed */
    MPC_ENCLAVE_E_PROTOCOL = -3, /* the enclave sent something undecodable or unexpected */
    MPC_ENCLAVE_E_STATUS = -4,   /* the enclave answered Status (refusal or session error) */
    MPC_ENCLAVE_E_SINK = -5,     /* on_sealed failed to store a blob */
    MPC_ENCLAVE_E_ARG = -6,      /* bad argument */
    MPC_ENCLAVE_E_NOMEM = -7
};

#define MPC_ENCLAVE_MAX_FRAME (8u * 1024u * 1024u)

typedef struct {
    void (*on_audit)(void *ctx, const unsigned char *record, size_t len);
    int (*on_sealed)(void *ctx, uint32_t kind, const unsigned char *key_id, size_t key_id_len,
            const unsigned char *blob, size_t blob_len);
    /* Optional: every raw frame received, before decoding (tracing; tests scan it). */
    void (*on_frame)(void *ctx, const unsigned char *frame, size_t len);
    void *ctx;
} mpc_enclave_sinks;

typedef struct mpc_enclave_client mpc_enclave_client;

/** Start the enclave binary at path (argument list: path, then extra_arg if not NULL).
 *  Returns: MPC_ENCLAVE_OK, MPC_ENCLAVE_E_SYS, MPC_ENCLAVE_E_NOMEM.  Out: c. */
int mpc_enclave_spawn(mpc_enclave_client **c, const char *path, const char *extra_arg,
        const mpc_enclave_sinks *sinks);

pid_t mpc_enclave_pid(const mpc_enclave_client *c);
int mpc_enclave_fd(const mpc_enclave_client *c);

/** Close the socket and wait for the enclave to exit.  Out: status (waitpid status). */
int mpc_enclave_wait(mpc_enclave_client *c, int *status);

/* SIGKILL the enclave (if still running), reap it, and free c (NULL allowed). */
void mpc_enclave_client_free(mpc_enclave_client *c);

/* Free a reply envelope (NULL allowed). */
void mpc_enclave_reply_free(Mpc__Enclave__Envelope *reply);

/** Send one request and wait for the reply of type expect (or a Status).
 *  Returns: MPC_ENCLAVE_OK (reply of type expect), MPC_ENCLAVE_E_STATUS (reply is a Status), or an
 *  error (no reply).  Out: reply (free with mpc_enclave_reply_free; may be NULL if not wanted). */
int mpc_enclave_call(mpc_enclave_client *c, Mpc__Enclave__Envelope **reply, Mpc__Enclave__Envelope *req,
        Mpc__Enclave__MsgType expect);

/* Write one raw frame (tests: malformed input).  Returns: MPC_ENCLAVE_OK or MPC_ENCLAVE_E_IO. */
int mpc_enclave_write_frame(mpc_enclave_client *c, const unsigned char *buf, size_t len);

/* ---- typed requests (reply as above) ---- */
int mpc_enclave_hello(mpc_enclave_client *c);
int mpc_enclave_config_passphrase(mpc_enclave_client *c, const char *passphrase, size_t len, uint32_t opslimit,
        uint64_t memlimit, uint32_t party_index);
int mpc_enclave_config_keyfile(mpc_enclave_client *c, const unsigned char key32[32], uint32_t party_index);
/* First start: new identity (its sealed blob goes to on_sealed). Out: pk32. */
int mpc_enclave_init(mpc_enclave_client *c, unsigned char pk32[32]);
/* First start with a policy (proto/enclave.proto Policy): the enclave checks it, and hands the
 * sealed identity and the sealed policy (kind 6) to on_sealed before the Identity reply. The parent
 * stores the policy blob and passes it back with mpc_enclave_load(kind 6) on every later start; it
 * never sends the policy again. An invalid policy: MPC_ENCLAVE_E_STATUS, *status (if not NULL) is
 * the Status naming the rule, and the enclave still waits for INIT. */
int mpc_enclave_init_policy(mpc_enclave_client *c, Mpc__Enclave__Envelope **status, unsigned char pk32[32],
        const Mpc__Enclave__Policy *policy);
int mpc_enclave_unseal_identity(mpc_enclave_client *c, unsigned char pk32[32], const unsigned char *blob,
        size_t blob_len);
int mpc_enclave_load(mpc_enclave_client *c, uint32_t kind, const unsigned char *key_id, const unsigned char *blob,
        size_t blob_len);
int mpc_enclave_start(mpc_enclave_client *c, const unsigned char *last_audit_record, size_t len);
/* KEYGEN_START / REFRESH_START: the enclave refuses an inst it accepted before (Status
 * ENC_SESSION_E_INST_REUSED); otherwise the updated instance-id set (kind 5) reaches on_sealed, and
 * is stored, before the round-1 reply is returned. START after INIT hands over the empty set the
 * same way; the parent passes it back with mpc_enclave_load(kind 5) on every later start. */
int mpc_enclave_keygen_start(mpc_enclave_client *c, Mpc__Enclave__Envelope **reply, const unsigned char inst[32],
        uint32_t n, uint32_t t, uint32_t party_index, const uint32_t *peer_index,
        const unsigned char (*peer_pk)[32], size_t npeers);
int mpc_enclave_refresh_start(mpc_enclave_client *c, Mpc__Enclave__Envelope **reply, const unsigned char key_id[32],
        const unsigned char inst[32], const uint32_t *peer_index, const unsigned char (*peer_pk)[32], size_t npeers);
/* DKG and refresh rounds (session_id: all zero for a DKG, the refreshed key's id for a refresh). */
int mpc_enclave_keygen_round(mpc_enclave_client *c, Mpc__Enclave__Envelope **reply, const unsigned char key_id[32],
        const unsigned char session_id[32], uint32_t round, const ProtobufCBinaryData *msgs, size_t n);
int mpc_enclave_keygen_commit(mpc_enclave_client *c, Mpc__Enclave__Envelope **reply, const unsigned char key_id[32],
        const unsigned char (*hashes)[32], size_t n);
int mpc_enclave_sign_request(mpc_enclave_client *c, Mpc__Enclave__Envelope **reply,
        const Mpc__Enclave__SignRequest *req);
int mpc_enclave_sign_start(mpc_enclave_client *c, Mpc__Enclave__Envelope **reply, const unsigned char sigid[32],
        const uint32_t *peer_index, const unsigned char (*peer_pk)[32], size_t npeers);
/* SIGN_START for an enclave that holds a policy: request_id32 is the verdict's 32-byte request id
 * and approvals[0..n_approvals) the operators' approvals (policy/approval.h). A quorum not reached
 * is MPC_ENCLAVE_E_STATUS with Status code ENC_SESSION_E_APPROVALS (-706) and a detail naming every
 * refused approval; no sigid is used then, so the parent may retry with more approvals.
 * mpc_enclave_sign_start is this call without request id and approvals. */
int mpc_enclave_sign_start_approved(mpc_enclave_client *c, Mpc__Enclave__Envelope **reply,
        const unsigned char sigid[32], const uint32_t *peer_index, const unsigned char (*peer_pk)[32], size_t npeers,
        const unsigned char *request_id32, const ProtobufCBinaryData *approvals, size_t n_approvals);
/* Acknowledge the used-session blob the last SIGN_START produced (stored by on_sealed). */
int mpc_enclave_stored(mpc_enclave_client *c, Mpc__Enclave__Envelope **reply);
int mpc_enclave_sign_round(mpc_enclave_client *c, Mpc__Enclave__Envelope **reply, const unsigned char key_id[32],
        const unsigned char session_id[32], uint32_t round, const ProtobufCBinaryData *msgs, size_t n);
int mpc_enclave_shutdown(mpc_enclave_client *c);

#endif
