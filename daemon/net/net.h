/*
 * Shared definitions of the transport layer (daemon/net): error codes, peer roles, logging.
 *
 * Conventions for every header in daemon/net:
 *  - Functions that can fail return NET_OK (0) or a negative NET_E_* code; net_strerror() names it.
 *  - Argument order: object first, then outputs, then in/out, then inputs; a length follows its buffer.
 *  - A function that takes a callback and returns an error never calls that callback.
 *  - No user callback is ever invoked from inside the call that caused it (libuv rule).
 */
#ifndef MPC_NET_H
#define MPC_NET_H

#include <stddef.h>
#include <stdint.h>

#define NET_WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#define NET_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define NET_ARG_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))

enum {
    NET_OK = 0,
    NET_E_INTERNAL = -1,        /* OpenSSL or libuv failed where it should not */
    NET_E_NOMEM = -2,           /* allocation failed */
    NET_E_ARG = -3,             /* invalid argument or configuration value */
    NET_E_CONFIG = -4,          /* a CA, certificate, key or CRL file could not be loaded */
    NET_E_STATE = -5,           /* call not allowed in this state (e.g. send before the handshake) */
    NET_E_FRAME_TOO_BIG = -6,   /* a frame header announced more than the maximum frame size */
    NET_E_TRUNCATED = -7,       /* the stream ended inside a frame */
    NET_E_NOT_TLS = -8,         /* the peer sent something that is not a TLS record */
    NET_E_TLS_VERSION = -9,     /* the peer does not speak TLS 1.3 */
    NET_E_TLS = -10,            /* any other TLS handshake or record failure */
    NET_E_PEER_CERT = -11,      /* the peer's certificate failed verification (wrong CA, expired,
                                   revoked, wrong key usage) or the peer sent none */
    NET_E_PEER_IDENTITY = -12,  /* the certificate has no valid mpc:// identity */
    NET_E_PEER_ROLE = -13,      /* valid certificate, but its role is not accepted on this link */
    NET_E_PEER_ID = -14,        /* valid certificate and role, but the id is not in the allow-list */
    NET_E_PEER_REJECTED = -15,  /* the peer aborted the handshake with an alert (it rejected us) */
    NET_E_HANDSHAKE_TIMEOUT = -16,
    NET_E_IDLE_TIMEOUT = -17,   /* nothing (not even a heartbeat) arrived within the idle timeout */
    NET_E_EOF = -18,            /* the peer closed the connection */
    NET_E_IO = -19,             /* socket error */
    NET_E_CONNECT = -20,        /* the outgoing TCP connection failed */
    NET_E_CLOSED = -21,         /* closed locally (net_conn_close, listener or client shutdown) */
    NET_E_BACKPRESSURE = -22,   /* the peer is not reading: too many bytes already queued */
    NET_E_ENV_DECODE = -23,     /* envelope: not a valid protobuf Envelope, or unknown fields */
    NET_E_ENV_NONCANONICAL = -24, /* envelope: valid protobuf but not the canonical encoding */
    NET_E_ENV_VERSION = -25,    /* envelope: unknown version */
    NET_E_ENV_TYPE = -26,       /* envelope: unknown type, no body, or body does not match type */
    NET_E_ENV_FIELD = -27,      /* envelope: a body field is out of range or malformed */
    NET_E_ENV_TOO_BIG = -28     /* envelope: larger than the maximum frame size */
};

/* Static, never-NULL description of a NET_E_* code. */
const char *net_strerror(int err);

/* A peer's role, as encoded in its certificate (tls.h). The numbering matches mpc.wire.Role. */
typedef enum {
    NET_ROLE_NONE = 0,
    NET_ROLE_COORDINATOR = 1,
    NET_ROLE_SIGNER = 2,
    NET_ROLE_REQUESTER = 3
} net_role;

/* "coordinator", "signer", "requester"; NULL for anything else. */
const char *net_role_name(net_role role);
/* Parses exactly one of the names above. Returns NET_OK or NET_E_ARG. */
int net_role_parse(net_role *out, const char *name);

/* Largest id length in bytes; ids use only [A-Za-z0-9._-] and are 1..NET_ID_MAX bytes long. */
#define NET_ID_MAX 64u
/* 1 if id (len bytes, not necessarily NUL-terminated) is a well-formed peer id, else 0. */
int net_id_valid(const char *id, size_t len);

/* Logging: every line the transport writes goes through one sink (default: stderr). */
typedef enum { NET_LOG_DEBUG, NET_LOG_INFO, NET_LOG_WARN } net_log_level;
typedef void (*net_log_fn)(net_log_level level, const char *line, void *data);
/* Replace the sink; NULL restores stderr. Not thread-safe: call before starting any loop. */
void net_set_log(net_log_fn fn, void *data);
void net_log(net_log_level level, const char *fmt, ...) NET_PRINTF(2, 3);

#endif
