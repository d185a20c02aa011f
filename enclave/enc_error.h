/*
 * Error codes of the enclave core (sealing, identity, audit, channels, hardening, sandbox).
 *
 * Every function returns ENC_OK (0) or one negative code. Codes are grouped by module in disjoint
 * ranges so that a code alone says which layer failed; in particular every ENC_CHAN_E_* is a
 * transport error (the relay or the network misbehaved) and must never be turned into a protocol
 * verdict against the sender named in the message.
 */
#ifndef ENC_ERROR_H
#define ENC_ERROR_H

/* Security-relevant results (verification, unsealing, hardening) must not be ignored. */
#define ENC_WARN_UNUSED_RESULT __attribute__((warn_unused_result))

enum {
    ENC_OK = 0,
    ENC_E_INTERNAL = -1, /* should not happen: a libsodium/libc call failed unexpectedly */
    ENC_E_NOMEM = -2,    /* allocation failed (sodium_malloc, malloc) */
    ENC_E_ARG = -3,      /* API misuse by the caller: bad length, out-of-range argument */
    ENC_E_BUFFER = -4,   /* caller's output buffer too small */
    ENC_E_SIGNATURE = -5, /* an identity signature did not verify (callers map it to their own code) */

    /* sealed storage */
    ENC_SEAL_E_TRUNCATED = -100,    /* shorter than the header or than its length fields say */
    ENC_SEAL_E_TRAILING = -101,     /* longer than its length fields say */
    ENC_SEAL_E_TOO_LONG = -102,     /* declared plaintext length above ENC_SEAL_MAX_PLAINTEXT */
    ENC_SEAL_E_MAGIC = -103,        /* not a sealed blob */
    ENC_SEAL_E_VERSION = -104,      /* unknown format version */
    ENC_SEAL_E_KIND = -105,         /* unknown blob kind */
    ENC_SEAL_E_WRONG_KIND = -106,   /* a valid kind, but not the one the caller expects */
    ENC_SEAL_E_WRONG_KEY_ID = -107, /* object key id differs from the expected one */
    ENC_SEAL_E_BACKEND = -108,      /* sealed by another backend type, or its parameters are malformed */
    ENC_SEAL_E_WRONG_SEALING_KEY = -109, /* sealing-key id mismatch: wrong passphrase or key file */
    ENC_SEAL_E_AUTH = -110,         /* authentication failed: the blob was modified */

    /* identity key */
    ENC_ID_E_FORMAT = -150, /* unsealed identity plaintext has the wrong length */

    /* audit records */
    ENC_AUDIT_E_TRUNCATED = -200, /* record shorter than its header or its length field says */
    ENC_AUDIT_E_MAGIC = -201,
    ENC_AUDIT_E_VERSION = -202,
    ENC_AUDIT_E_TYPE = -203,      /* unknown record type */
    ENC_AUDIT_E_TOO_LONG = -204,  /* payload length above ENC_AUDIT_MAX_PAYLOAD */
    ENC_AUDIT_E_TRAILING = -205,  /* bytes after a single record */
    ENC_AUDIT_E_SEQUENCE = -206,  /* sequence number is not the previous one plus one (removed or
                                     reordered record) */
    ENC_AUDIT_E_CHAIN = -207,     /* previous-record hash does not match the previous record */
    ENC_AUDIT_E_SIGNATURE = -208, /* signature invalid under the identity key (modified record or
                                     signed by another key) */

    /* end-to-end signer channels: all transport errors, nobody is blamed */
    ENC_CHAN_E_FORMAT = -300,   /* malformed message: length fields, class, trailing bytes */
    ENC_CHAN_E_VERSION = -301,  /* unknown protocol version */
    ENC_CHAN_E_TOO_LONG = -302, /* payload above ENC_CHAN_MAX_PAYLOAD */
    ENC_CHAN_E_SESSION = -303,  /* key id or session id is not this session's */
    ENC_CHAN_E_SENDER = -304,   /* sender is not a peer of this session */
    ENC_CHAN_E_RECEIVER = -305, /* addressed to another party */
    ENC_CHAN_E_ROUND = -306,    /* round outside 1..ENC_CHAN_MAX_ROUND, or older than one already
                                   received from this sender */
    ENC_CHAN_E_REPLAY = -307,   /* sequence number already seen from this sender */
    ENC_CHAN_E_GAP = -308,      /* sequence number skips ahead: a message was dropped or reordered */
    ENC_CHAN_E_DUPLICATE = -309, /* a second message of the same class for one round */
    ENC_CHAN_E_AUTH = -310,     /* MAC or signature check failed: altered in transit */

    /* process hardening and sandbox */
    ENC_HARDEN_E_FDS = -400,      /* could not close or redirect file descriptors */
    ENC_HARDEN_E_DUMPABLE = -401, /* prctl(PR_SET_DUMPABLE) or RLIMIT_CORE failed */
    ENC_HARDEN_E_MLOCK = -402,    /* mlockall failed (production fails closed) */
    ENC_SANDBOX_E_ARCH = -410,    /* running on an architecture the filter was not written for */
    ENC_SANDBOX_E_RLIMIT = -411,
    ENC_SANDBOX_E_NNP = -412,     /* PR_SET_NO_NEW_PRIVS failed */
    ENC_SANDBOX_E_FILTER = -413,  /* building or loading the seccomp filter failed */

    /* IPC with the parent: every one of these ends the enclave (fail closed) */
    ENC_IPC_E_IO = -500,        /* read/write on the IPC socket failed, or the parent closed it */
    ENC_IPC_E_FRAME = -501,     /* frame length zero or above ENC_IPC_MAX_FRAME */
    ENC_IPC_E_DECODE = -502,    /* not a canonical Envelope, or unknown fields */
    ENC_IPC_E_VERSION = -503,   /* envelope version unknown */
    ENC_IPC_E_TYPE = -504,      /* unknown type, or the body is not the one the type names */
    ENC_IPC_E_FIELD = -505,     /* a body field out of range */
    ENC_IPC_E_FORBIDDEN = -506  /* the message is not permitted in the enclave's current state */
};

/* Static description of an ENC_* code (never NULL, never contains secret data). */
const char *enc_strerror(int err);

#endif
