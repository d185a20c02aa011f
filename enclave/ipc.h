/*
 * The enclave side of the IPC with mpc-signerd (proto/enclave.proto) on the socket at fd 3.
 *
 * Frames: 4-byte big-endian length L (1..ENC_IPC_MAX_FRAME, checked before any allocation), then L
 * bytes of one Envelope. Incoming frames and everything protobuf-c unpacks from them live in
 * sodium_malloc memory (a Config carries the sealing passphrase or key) and are wiped when freed.
 *
 * An incoming Envelope is accepted only if it decodes, has no unknown field anywhere, re-encodes to
 * the same bytes (no duplicate fields, non-minimal varints or trailing data), has version
 * ENC_IPC_VERSION, a parent-to-enclave type whose body is the one set, and in-range fields.
 *
 * Permission table (OpenSSH monitor style): {type, states in which it is permitted, handler}. The
 * handler moves the state machine on:
 *
 *   HELLO             HELLO                 -> CONFIG    reply HelloReply
 *   CONFIG            CONFIG                -> LOCKED    sets up the sealing backend
 *   INIT              LOCKED                -> READY     new identity; reply Sealed (identity), with a
 *                                                        policy Sealed (policy, kind 6), Identity;
 *                                                        an invalid policy: Status, stays LOCKED
 *   UNSEAL            LOCKED                -> READY     identity blob only; reply Identity
 *   IDENTITY_REQUEST  READY, SERVING*       -> same      reply Identity
 *   LOAD              READY                 -> READY     a sealed state blob (key share, used
 *                                                        sessions, ban list, instance ids, policy); reply
 *                                                        Status
 *   START             READY                 -> SERVING   enter the sandbox; reply Audit, (after INIT:
 *                                                        Sealed empty instance-id set), Status
 *   KEYGEN_START      SERVING               -> KEYGEN    reply Sealed (instance ids), RoundMessages
 *                                                        (round 1)
 *   REFRESH_START     SERVING               -> KEYGEN    reply Sealed (instance ids), RoundMessages
 *                                                        (round 1)
 *   KEYGEN_ROUND      KEYGEN                -> KEYGEN / KEYGEN_DONE / SERVING
 *                                                        reply RoundMessages, KeygenResult or Status
 *   KEYGEN_COMMIT     KEYGEN_DONE           -> SERVING   reply Sealed (share, used set; refresh:
 *                                                        ban list if bans moved), Status
 *   SIGN_REQUEST      SERVING*              -> (same)    reply Verdict (signed); a running session
 *                                                        is not touched
 *   SIGN_START        SERVING               -> SIGN_STORE reply Sealed (used set), Status
 *   STORED            SIGN_STORE            -> SIGNING   reply RoundMessages (round 1)
 *   SIGN_ROUND        SIGNING               -> SIGNING / SERVING
 *   SHUTDOWN          CONFIG .. SIGNING     -> DONE
 * (SERVING* = SERVING and every session state.) Audit frames may precede any reply after START.
 * The handlers behind LOAD .. SIGN_ROUND are in session.c. A session that fails (transport error,
 * libmpc abort, refusal) answers Status and returns to SERVING; every error returned by
 * enc_ipc_dispatch or enc_ipc_serve is fatal: the caller exits without answering (fail closed).
 */
#ifndef ENC_IPC_H
#define ENC_IPC_H

#include <stddef.h>
#include <stdint.h>

#include "enclave.pb-c.h"
#include "identity.h"
#include "seal/seal.h"

#define ENC_IPC_VERSION 1u
#define ENC_IPC_PROTOCOL_VERSION 1u
/* Largest frame: a sealed blob at ENC_SEAL_MAX_PLAINTEXT plus a wide margin for the envelope. */
#define ENC_IPC_MAX_FRAME (8u * 1024u * 1024u)
#define ENC_IPC_SOFTWARE_VERSION "mpc-enclave 0.1.0"

enum {
    ENC_IPC_ST_HELLO = 1u << 0,
    ENC_IPC_ST_CONFIG = 1u << 1,
    ENC_IPC_ST_LOCKED = 1u << 2,
    ENC_IPC_ST_READY = 1u << 3,
    ENC_IPC_ST_DONE = 1u << 4,
    /* After START (sandboxed): idle, or inside the one session the enclave runs at a time. */
    ENC_IPC_ST_SERVING = 1u << 5,
    ENC_IPC_ST_KEYGEN = 1u << 6,      /* DKG rounds */
    ENC_IPC_ST_KEYGEN_DONE = 1u << 7, /* DKG finished; waiting for KEYGEN_COMMIT */
    ENC_IPC_ST_SIGN_STORE = 1u << 8,  /* sigid recorded; waiting for the parent's STORED */
    ENC_IPC_ST_SIGNING = 1u << 9      /* signing rounds */
};

/* Everything the enclave holds after START: libmpc context, persistent state, session, audit. */
struct enc_engine;

typedef struct {
    int fd;                    /* IPC socket (not owned) */
    unsigned int state;        /* one ENC_IPC_ST_* */
    uint16_t party_index;
    enc_seal_backend *backend; /* owned */
    enc_identity *identity;    /* owned */
    struct enc_engine *engine; /* owned; created by the first LOAD or START */
    int identity_created;      /* INIT (not UNSEAL) made the identity: START creates the empty
                                  instance-id set instead of expecting it from LOAD */
    /* Called by START before it answers; mpc-enclave enters its seccomp sandbox here. NULL in
     * in-process tests. A non-zero return ends the enclave. */
    int (*enter_sandbox)(void);
} enc_ipc;

/* Fresh state machine in ENC_IPC_ST_HELLO talking on fd. */
void enc_ipc_init(enc_ipc *e, int fd);

/* Release the backend and identity (wiped). */
void enc_ipc_clear(enc_ipc *e);

/** Read one frame from fd.
 *  Returns: ENC_OK, ENC_IPC_E_IO (error or end of file), ENC_IPC_E_FRAME, ENC_E_NOMEM.
 *  Out: frame (sodium_malloc'd; release with enc_ipc_frame_free), frame_len. */
int enc_ipc_read_frame(unsigned char **frame, size_t *frame_len, int fd);

/* Wipe and free a frame from enc_ipc_read_frame (NULL is allowed). */
void enc_ipc_frame_free(unsigned char *frame);

/** Write one frame.  Returns: ENC_OK, ENC_IPC_E_FRAME, ENC_IPC_E_IO. */
int enc_ipc_write_frame(int fd, const unsigned char *buf, size_t len);

/** Decode and check one incoming frame (see above).
 *  Returns: ENC_OK or ENC_IPC_E_{FRAME,DECODE,VERSION,TYPE,FIELD}, ENC_E_NOMEM.
 *  Out: env (release with enc_ipc_envelope_free; NULL on error). */
int enc_ipc_unpack(Mpc__Enclave__Envelope **env, const unsigned char *frame, size_t frame_len) ENC_WARN_UNUSED_RESULT;

/* Free (and wipe) an envelope from enc_ipc_unpack (NULL is allowed). */
void enc_ipc_envelope_free(Mpc__Enclave__Envelope *env);

/** Pack and send one enclave-to-parent envelope (version filled in; replies carry no secret).
 *  Returns: ENC_OK, ENC_IPC_E_IO, ENC_E_NOMEM, ENC_E_INTERNAL. */
int enc_ipc_send(enc_ipc *e, Mpc__Enclave__Envelope *env) ENC_WARN_UNUSED_RESULT;

/** Whether the permission table allows a message type in a state (1/0). */
int enc_ipc_permitted(int type, unsigned int state);

/** Decode, check, authorize and handle one frame; replies go to e->fd.
 *  Returns: ENC_OK or an error that must end the enclave. */
int enc_ipc_dispatch(enc_ipc *e, const unsigned char *frame, size_t frame_len) ENC_WARN_UNUSED_RESULT;

/** Serve until SHUTDOWN (ENC_OK) or the first error (fatal). */
int enc_ipc_serve(enc_ipc *e) ENC_WARN_UNUSED_RESULT;

#endif
