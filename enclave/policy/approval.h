/*
 * Operator approvals and the approval quorum (the first rule of the enclave's policy engine).
 *
 * An operator approves or rejects one signing request by signing an approval statement with an
 * Ed25519 operator key. Each enclave verifies the approvals it receives itself, against the
 * approver set in its own configuration, and against the request id, key id and digest that IT
 * computed: the coordinator only transports approvals and cannot make one count for another
 * request or another payload.
 *
 * Statement encoding, version 1 (POLICY_APPROVAL_STATEMENT_BYTES = 153 bytes, fixed layout):
 *
 *   offset  size  field
 *        0    16  label "mpc-approval/v1" followed by one 0x00 byte (domain separation + version)
 *       16    32  request id (the coordinator's 32-byte request id)
 *       48    32  key id
 *       80    32  subject: the digest to be signed; for a request with several digests, the
 *                 fingerprint subject of the digest set (payload/fingerprint.h)
 *      112     1  decision: 0x01 approve, 0x02 reject (every other value is malformed)
 *      113     8  expiry, Unix seconds, big-endian uint64; valid while now < expiry
 *      121    32  approver's Ed25519 public key
 *
 * Approval (POLICY_APPROVAL_BYTES = 217 bytes) = statement || Ed25519 signature (64 bytes) over
 * the 153 statement bytes exactly as encoded (crypto_sign_detached). The label is part of the
 * signed bytes, so an operator key signature made for any other purpose can never parse as an
 * approval. Parsing is strict: exactly 217 bytes, the exact label, a known decision.
 *
 * Everything here is public data (public keys, digests, signatures); nothing needs to be constant
 * time, but identifiers are still compared with sodium_memcmp. No I/O, no clock: the caller passes
 * the current time. Links libsodium only; the caller must have called sodium_init().
 *
 * Errors: every fallible function returns POLICY_OK (0) or a negative POLICY_E_* code. Functions
 * taking a policy_err * (may be NULL) also write a human-readable reason there on failure.
 * Argument order: error, outputs, in/out, inputs; a length follows its buffer.
 */
#ifndef POLICY_APPROVAL_H
#define POLICY_APPROVAL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define POLICY_WARN_UNUSED_RESULT __attribute__((warn_unused_result))

#define POLICY_APPROVAL_LABEL "mpc-approval/v1"     /* 15 characters; encoded with a 0x00 byte */
#define POLICY_APPROVAL_LABEL_BYTES 16u
#define POLICY_APPROVAL_STATEMENT_BYTES 153u
#define POLICY_APPROVAL_SIG_BYTES 64u
#define POLICY_APPROVAL_BYTES (POLICY_APPROVAL_STATEMENT_BYTES + POLICY_APPROVAL_SIG_BYTES)

#define POLICY_DECISION_APPROVE 0x01u
#define POLICY_DECISION_REJECT 0x02u

#define POLICY_APPROVERS_MAX 32u          /* approvers in one set */
#define POLICY_APPROVER_NAME_MAX 32u      /* characters, without NUL */
#define POLICY_APPROVALS_MAX 64u          /* approvals evaluated in one check */
#define POLICY_LIFETIME_DEFAULT 3600u     /* max-lifetime when the approvers file gives none */
#define POLICY_LIFETIME_LIMIT 604800u     /* largest allowed max-lifetime: 7 days */
#define POLICY_APPROVERS_FILE_MAX 65536u  /* bytes */

enum {
    POLICY_OK = 0,
    POLICY_E_ARG = -1,          /* API misuse: NULL pointer, invalid approver set, too many approvals */
    /* reasons an approval is refused (policy_approval_result.status) */
    POLICY_E_LENGTH = -10,      /* not exactly POLICY_APPROVAL_BYTES: truncated or extended */
    POLICY_E_LABEL = -11,       /* does not start with the approval label: not an approval */
    POLICY_E_VERSION = -12,     /* an approval label of an unknown version */
    POLICY_E_DECISION = -13,    /* decision byte is neither approve nor reject */
    POLICY_E_UNKNOWN_APPROVER = -14, /* public key not in the approver set */
    POLICY_E_SIGNATURE = -15,   /* Ed25519 signature does not verify (altered or forged) */
    POLICY_E_REQUEST_ID = -16,  /* for another request */
    POLICY_E_KEY_ID = -17,      /* for another key */
    POLICY_E_DIGEST = -18,      /* for another digest than the one this enclave computed */
    POLICY_E_EXPIRED = -19,     /* expiry <= now */
    POLICY_E_LIFETIME = -20,    /* expiry more than max_lifetime seconds after now */
    POLICY_E_DUPLICATE = -21,   /* this approver already has a valid approval in the list */
    /* approver set text */
    POLICY_E_CONFIG = -30       /* approvers file invalid; policy_err names the line */
};

#define POLICY_ERR_MAX 160u

typedef struct {
    int code;                   /* the POLICY_E_* code last set, or POLICY_OK */
    char msg[POLICY_ERR_MAX];   /* NUL-terminated reason; empty on success */
} policy_err;

typedef struct {
    unsigned char request_id[32];
    unsigned char key_id[32];
    unsigned char subject[32];
    uint8_t decision;                   /* POLICY_DECISION_* */
    uint64_t expiry;                    /* Unix seconds */
    unsigned char approver_pubkey[32];
} policy_approval_statement;

typedef struct {
    policy_approval_statement statement;
    unsigned char signature[POLICY_APPROVAL_SIG_BYTES];
} policy_approval;

typedef struct {
    char name[POLICY_APPROVER_NAME_MAX + 1];   /* 1..32 of A-Z a-z 0-9 . _ - */
    unsigned char pubkey[32];                  /* Ed25519 public key */
} policy_approver;

/* An approver set. A caller may fill it directly; policy_approver_set_validate states the rules
 * (policy_approval_check applies them again and refuses an invalid set). */
typedef struct {
    policy_approver approvers[POLICY_APPROVERS_MAX];
    size_t count;               /* 1..POLICY_APPROVERS_MAX */
    uint32_t quorum;            /* 1..count distinct valid approvals are needed */
    uint64_t max_lifetime;      /* 1..POLICY_LIFETIME_LIMIT seconds: refuse expiry > now + this */
} policy_approver_set;

/* One received approval, as bytes (the caller keeps ownership). */
typedef struct {
    const unsigned char *data;
    size_t len;
} policy_approval_bytes;

/* What happened to one received approval. */
typedef struct {
    int status;                 /* POLICY_OK: valid; otherwise the POLICY_E_* reason it was refused */
    int approver;               /* index in the set when the key is known, else -1 */
    uint8_t decision;           /* the parsed decision, 0 when the approval did not parse */
} policy_approval_result;

typedef enum {
    POLICY_VERDICT_PENDING = 0,   /* no veto, but fewer than quorum distinct valid approvals */
    POLICY_VERDICT_APPROVED = 1,  /* quorum reached and no veto */
    POLICY_VERDICT_REJECTED = 2   /* a valid reject from an approver vetoes the request */
} policy_verdict_kind;

typedef struct {
    policy_verdict_kind verdict;
    uint32_t approvals;         /* distinct approvers with a valid approve */
    uint32_t quorum;            /* the set's quorum, copied for display */
    int vetoed_by;              /* approver index of the first valid reject, else -1 */
} policy_verdict;

/** Encode a statement into its 153-byte canonical form.
 *  Returns: POLICY_OK, or POLICY_E_DECISION when st->decision is not a POLICY_DECISION_*. */
int policy_approval_statement_serialize(unsigned char out[POLICY_APPROVAL_STATEMENT_BYTES],
                                        const policy_approval_statement *st) POLICY_WARN_UNUSED_RESULT;

/** Sign a statement with an operator key (libsodium's 64-byte secret key: seed || public key).
 *  The statement's approver_pubkey must be the key's public key.
 *  Returns: POLICY_OK, POLICY_E_DECISION, or POLICY_E_ARG when approver_pubkey does not match. */
int policy_approval_sign(policy_approval *out, const policy_approval_statement *st,
                         const unsigned char sk[64]) POLICY_WARN_UNUSED_RESULT;

/** Encode an approval into its 217-byte form.
 *  Returns: POLICY_OK or POLICY_E_DECISION. */
int policy_approval_serialize(unsigned char out[POLICY_APPROVAL_BYTES],
                              const policy_approval *a) POLICY_WARN_UNUSED_RESULT;

/** Parse an approval strictly. The signature is NOT verified here (policy_approval_check does).
 *  Returns: POLICY_OK, POLICY_E_LENGTH, POLICY_E_LABEL, POLICY_E_VERSION or POLICY_E_DECISION. */
int policy_approval_parse(policy_err *err, policy_approval *out, const unsigned char *in,
                          size_t in_len) POLICY_WARN_UNUSED_RESULT;

/** Check the rules of an approver set: count 1..POLICY_APPROVERS_MAX, quorum 1..count,
 *  max_lifetime 1..POLICY_LIFETIME_LIMIT, names valid and unique, public keys valid Ed25519 points
 *  (canonical, not of small order) and unique.
 *  Returns: POLICY_OK or POLICY_E_ARG (err says which rule). */
int policy_approver_set_validate(policy_err *err, const policy_approver_set *set) POLICY_WARN_UNUSED_RESULT;

/** Parse an approvers file (format in README_approvals.md): UTF-8 text of '\n'-terminated lines;
 *  empty lines and lines starting with '#' are ignored; every other line is exactly one of
 *      approver NAME HEX64        (lower-case hex Ed25519 public key)
 *      quorum N                   (exactly once)
 *      max-lifetime SECONDS       (at most once; default POLICY_LIFETIME_DEFAULT)
 *  with single spaces, decimal numbers without leading zeros, no tabs, CR or trailing spaces, at
 *  most POLICY_APPROVERS_FILE_MAX bytes. The result must pass policy_approver_set_validate.
 *  Returns: POLICY_OK or POLICY_E_CONFIG (err names the line and the rule). */
int policy_approver_set_parse(policy_err *err, policy_approver_set *out, const char *text,
                              size_t text_len) POLICY_WARN_UNUSED_RESULT;

/** The approval quorum. Evaluates n received approvals against the set for the request id, key
 *  id and subject (digest) the caller computed itself, at time now (Unix seconds).
 *  Each approval is, in this order: parsed strictly; its key looked up in the set; its signature
 *  verified; its request id, key id and subject compared; its expiry checked (now < expiry <=
 *  now + max_lifetime). An approver is counted once: a later valid approval by an approver that
 *  already has one is POLICY_E_DUPLICATE. Any valid reject (duplicate or not) vetoes.
 *  Out: verdict; results[i] for approvals[i] (results may be NULL when n is 0 or the caller does
 *  not need them; otherwise it has n entries).
 *  Returns: POLICY_OK when the evaluation ran (the outcome is in verdict->verdict), or POLICY_E_ARG
 *  (NULL pointer, n > POLICY_APPROVALS_MAX, or an invalid set: nothing is approved). */
int policy_approval_check(policy_err *err, policy_verdict *verdict, policy_approval_result *results,
                          const policy_approver_set *set, const unsigned char request_id[32],
                          const unsigned char key_id[32], const unsigned char subject[32], uint64_t now,
                          const policy_approval_bytes *approvals, size_t n) POLICY_WARN_UNUSED_RESULT;

/** Static description of a POLICY_* code, e.g. "expired (expiry <= now)". Never NULL. */
const char *policy_strerror(int code);

/** "approved", "rejected (vetoed)" or "pending (quorum not reached)". Never NULL. */
const char *policy_verdict_str(policy_verdict_kind v);

#ifdef __cplusplus
}
#endif

#endif
