#include "enc_error.h"

const char *enc_strerror(int err) {
    switch (err) {
    case ENC_OK: return "ok";
    case ENC_E_INTERNAL: return "internal error";
    case ENC_E_NOMEM: return "out of memory";
    case ENC_E_ARG: return "invalid argument";
    case ENC_E_BUFFER: return "output buffer too small";
    case ENC_E_SIGNATURE: return "invalid signature";
    case ENC_SEAL_E_TRUNCATED: return "sealed blob truncated";
    case ENC_SEAL_E_TRAILING: return "sealed blob has trailing bytes";
    case ENC_SEAL_E_TOO_LONG: return "sealed blob plaintext length above the maximum";
    case ENC_SEAL_E_MAGIC: return "not a sealed blob (bad magic)";
    case ENC_SEAL_E_VERSION: return "sealed blob: unknown format version";
    case ENC_SEAL_E_KIND: return "sealed blob: unknown kind";
    case ENC_SEAL_E_WRONG_KIND: return "sealed blob: wrong kind";
    case ENC_SEAL_E_WRONG_KEY_ID: return "sealed blob: wrong key id";
    case ENC_SEAL_E_BACKEND: return "sealed blob: other sealing backend or malformed backend parameters";
    case ENC_SEAL_E_WRONG_SEALING_KEY: return "sealed blob: sealed under another key (wrong passphrase or key file)";
    case ENC_SEAL_E_AUTH: return "sealed blob: authentication failed (tampered)";
    case ENC_ID_E_FORMAT: return "identity: malformed sealed identity key";
    case ENC_AUDIT_E_TRUNCATED: return "audit record truncated";
    case ENC_AUDIT_E_MAGIC: return "audit record: bad magic";
    case ENC_AUDIT_E_VERSION: return "audit record: unknown version";
    case ENC_AUDIT_E_TYPE: return "audit record: unknown type";
    case ENC_AUDIT_E_TOO_LONG: return "audit record: payload above the maximum";
    case ENC_AUDIT_E_TRAILING: return "audit record: trailing bytes";
    case ENC_AUDIT_E_SEQUENCE: return "audit record: sequence number out of order (record removed or reordered)";
    case ENC_AUDIT_E_CHAIN: return "audit record: previous-record hash mismatch";
    case ENC_AUDIT_E_SIGNATURE: return "audit record: bad signature (modified or signed by another key)";
    case ENC_CHAN_E_FORMAT: return "channel: malformed message";
    case ENC_CHAN_E_VERSION: return "channel: unknown protocol version";
    case ENC_CHAN_E_TOO_LONG: return "channel: payload above the maximum";
    case ENC_CHAN_E_SESSION: return "channel: message for another key or session";
    case ENC_CHAN_E_SENDER: return "channel: sender is not a peer of this session";
    case ENC_CHAN_E_RECEIVER: return "channel: message addressed to another party";
    case ENC_CHAN_E_ROUND: return "channel: round out of range or out of order";
    case ENC_CHAN_E_REPLAY: return "channel: replayed message";
    case ENC_CHAN_E_GAP: return "channel: message missing before this one (dropped or reordered)";
    case ENC_CHAN_E_DUPLICATE: return "channel: second message of one class in one round";
    case ENC_CHAN_E_AUTH: return "channel: authentication failed (altered in transit)";
    case ENC_HARDEN_E_FDS: return "hardening: could not close or redirect file descriptors";
    case ENC_HARDEN_E_DUMPABLE: return "hardening: could not disable core dumps";
    case ENC_HARDEN_E_MLOCK: return "hardening: could not lock memory";
    case ENC_SANDBOX_E_ARCH: return "sandbox: unsupported architecture";
    case ENC_SANDBOX_E_RLIMIT: return "sandbox: setrlimit failed";
    case ENC_SANDBOX_E_NNP: return "sandbox: PR_SET_NO_NEW_PRIVS failed";
    case ENC_SANDBOX_E_FILTER: return "sandbox: could not install the seccomp filter";
    case ENC_IPC_E_IO: return "ipc: socket read/write failed or closed";
    case ENC_IPC_E_FRAME: return "ipc: frame length zero or above the maximum";
    case ENC_IPC_E_DECODE: return "ipc: malformed or non-canonical envelope";
    case ENC_IPC_E_VERSION: return "ipc: unknown envelope version";
    case ENC_IPC_E_TYPE: return "ipc: unknown type or type/body mismatch";
    case ENC_IPC_E_FIELD: return "ipc: field out of range";
    case ENC_IPC_E_FORBIDDEN: return "ipc: message not permitted in this state";
    default: return "unknown error";
    }
}
