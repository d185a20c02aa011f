/*
 * Audit records: every security-relevant step is a record signed by the enclave's identity key and
 * hash-chained to the previous record. The shell appends the bytes to its log file; it can drop or
 * truncate the log but cannot alter, insert, reorder or remove records without detection.
 *
 * Record format, version 1 (integers big-endian):
 *
 *   off   len  field
 *   0     4    magic "MPAR"
 *   4     2    version (1)
 *   6     2    type (ENC_AUDIT_*)
 *   8     8    sequence number (first record of a log: 0, then +1 per record)
 *   16    8    timestamp, Unix milliseconds, supplied by the caller (the enclave has no trusted clock)
 *   24    32   hash of the previous record (all zero for sequence number 0)
 *   56    4    payload length P (<= ENC_AUDIT_MAX_PAYLOAD)
 *   60    P    payload (public data only: never a secret)
 *   60+P  64   Ed25519 signature over "mpc-enclave/audit/v1" || 0x00 || bytes [0, 60+P)
 *
 * Record hash = BLAKE2b-256("mpc-enclave/audit/hash/v1" || 0x00 || the whole record, signature
 * included). A log file is the concatenation of records.
 */
#ifndef ENC_AUDIT_H
#define ENC_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "identity.h"

#define ENC_AUDIT_VERSION 1u
#define ENC_AUDIT_HEADER_BYTES 60u
#define ENC_AUDIT_SIG_BYTES 64u
#define ENC_AUDIT_HASH_BYTES 32u
#define ENC_AUDIT_MAX_PAYLOAD 4096u
#define ENC_AUDIT_MAX_RECORD (ENC_AUDIT_HEADER_BYTES + ENC_AUDIT_MAX_PAYLOAD + ENC_AUDIT_SIG_BYTES)

enum {
    ENC_AUDIT_START = 1,        /* enclave started; payload: version string */
    ENC_AUDIT_IDENTITY_CREATED = 2,
    ENC_AUDIT_STATE_UNSEALED = 3,
    ENC_AUDIT_KEYGEN = 4,
    ENC_AUDIT_SIGN_REQUEST = 5,
    ENC_AUDIT_VERDICT = 6,
    ENC_AUDIT_SIGN = 7,
    ENC_AUDIT_ABORT = 8,
    ENC_AUDIT_BAN = 9,
    ENC_AUDIT_SHUTDOWN = 10
};

/* A parsed record; pointers point into the parsed bytes. */
typedef struct {
    uint16_t type;
    uint64_t seq;
    uint64_t timestamp_ms;
    const unsigned char *prev_hash; /* 32 bytes */
    uint32_t payload_len;
    const unsigned char *payload;
    const unsigned char *sig;       /* 64 bytes */
    size_t len;                     /* whole record */
} enc_audit_record;

/** Parse the record at the start of buf (framing only, no signature check).
 *  Returns: ENC_OK or ENC_AUDIT_E_{TRUNCATED,MAGIC,VERSION,TYPE,TOO_LONG}.
 *  Out: rec (filled on success; rec->len says where the next record starts). */
int enc_audit_parse(enc_audit_record *rec, const unsigned char *buf, size_t len) ENC_WARN_UNUSED_RESULT;

/* BLAKE2b-256 chain hash of a whole record. */
void enc_audit_record_hash(unsigned char hash32[32], const unsigned char *record, size_t len);

/* Writer state: the identity signing the records (borrowed), next sequence number, last hash. */
typedef struct {
    const enc_identity *id;
    uint64_t next_seq;
    unsigned char prev_hash[ENC_AUDIT_HASH_BYTES];
} enc_audit_writer;

/* Start a new log: next record has sequence number 0 and an all-zero previous hash. */
void enc_audit_writer_init(enc_audit_writer *w, const enc_identity *id);

/** Continue a log after a restart from its last record, which must be a valid record signed by id.
 *  Returns: ENC_OK, an enc_audit_parse error, ENC_AUDIT_E_TRAILING, ENC_AUDIT_E_SIGNATURE.
 *  The shell could hand back an older record and fork the chain; the sealed counters blob
 *  (ENC_SEAL_KIND_COUNTERS) is where the enclave will pin the last sequence number. */
int enc_audit_writer_resume(enc_audit_writer *w, const enc_identity *id, const unsigned char *last,
        size_t last_len) ENC_WARN_UNUSED_RESULT;

/** Build, sign and chain the next record. The writer advances only on success.
 *  Returns: ENC_OK, ENC_E_ARG (unknown type, payload too long), ENC_E_BUFFER, ENC_E_NOMEM.
 *  Out: out (out_cap bytes available; ENC_AUDIT_MAX_RECORD always suffices), out_len.
 *  In: type, timestamp_ms, payload, payload_len (public data). */
int enc_audit_append(enc_audit_writer *w, unsigned char *out, size_t out_cap, size_t *out_len,
        uint16_t type, uint64_t timestamp_ms, const unsigned char *payload, size_t payload_len);

/** Verify a whole log: framing, signatures under pk32, consecutive sequence numbers and the hash
 *  chain, starting from (first_seq, first_prev_hash; NULL = all zero).
 *  Returns: ENC_OK, or the error of the first bad record (ENC_AUDIT_E_*).
 *  Out: records: on success the number of records; on failure the 0-based position of the first
 *  bad record in the file (which is also the number of good records before it). */
int enc_audit_verify_log(size_t *records, const unsigned char pk32[32],
        uint64_t first_seq, const unsigned char *first_prev_hash, const unsigned char *log, size_t log_len)
        ENC_WARN_UNUSED_RESULT;

#endif
