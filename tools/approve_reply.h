/*
 * mpc-approve's parser of the answers of mpc-signerd's operator socket (protocol version 1: one
 * command per connection; the answer is lines, the first "ok[ TEXT]" or "error MESSAGE" and then
 * nothing more).
 *
 * The signer is the operator's own, but its answers reach the operator's terminal and decide what
 * gets signed, so parsing is strict: every line ends with '\n' (except the summary of a show
 * answer, which is the rest of the answer verbatim) and is well-formed UTF-8 without control
 * characters (TAB only between the fields of a pending row; the enclave escapes control characters
 * in every summary value), hex is exactly the stated length in lower case, numbers are decimal
 * without leading zeros, field names and order are fixed, and nothing may follow the last expected
 * line. No I/O, no allocation: results point into the caller's answer buffer.
 *
 * Errors: APPROVE_REPLY_OK (0) or a negative APPROVE_REPLY_E_* code with err->msg set.
 * Argument order: error, outputs, in/out, inputs; a length follows its buffer.
 */
#ifndef APPROVE_REPLY_H
#define APPROVE_REPLY_H

#include <stddef.h>
#include <stdint.h>

#define APPROVE_REPLY_ERR_MAX 256u

enum {
    APPROVE_REPLY_OK = 0,
    APPROVE_REPLY_E_MALFORMED = -1, /* not an answer of the protocol; msg says what is wrong */
    APPROVE_REPLY_E_REFUSED = -2    /* the signer answered "error MESSAGE"; msg holds MESSAGE */
};

typedef struct {
    int code;
    char msg[APPROVE_REPLY_ERR_MAX]; /* NUL-terminated; a longer signer message is cut */
} approve_reply_err;

/* Reading position in an answer. */
typedef struct {
    const char *p, *end;
} approve_reply_cursor;

/* The enclave's verdict on one request as the "show" command answers it. The text fields point
 * into the answer (not NUL-terminated). */
typedef struct {
    unsigned char request_id[32], key_id[32], digest[32], session_id[32], public_key[33];
    unsigned char fingerprint_subject[32]; /* version 2; zero in version 1 */
    unsigned char identity[32], signature[64];
    uint32_t payload_type;
    uint32_t decision;                     /* ENC_VERDICT_ALLOW (1) or ENC_VERDICT_DENY (2) */
    uint32_t version;                      /* 1 or 2 */
    uint32_t approvals_required, summary_lines;
    const char *fingerprint, *words;       /* words: empty in version 1 */
    size_t fingerprint_len, words_len;
    const char *summary;                   /* the summary lines joined with '\n' (the signed text) */
    size_t summary_len;
} approve_show;

/* One request of the "pending" answer. */
typedef struct {
    unsigned char request_id[32], key_id[32];
    uint32_t payload_type;                 /* 1..6 (payload/summary.h) */
    uint32_t decision;                     /* 1 allow, 2 deny */
    uint32_t approvals_required;
    const char *headline;                  /* first line of the enclave's summary */
    size_t headline_len;
} approve_pending_row;

/** Start reading answer[0..len). */
void approve_reply_begin(approve_reply_cursor *c, const char *answer, size_t len);

/** The first line: "ok" or "ok TEXT" gives APPROVE_REPLY_OK and TEXT (empty for "ok");
 *  "error MESSAGE" with nothing after it gives APPROVE_REPLY_E_REFUSED with err->msg = MESSAGE;
 *  anything else APPROVE_REPLY_E_MALFORMED. */
int approve_reply_status(approve_reply_err *err, const char **text, size_t *text_len, approve_reply_cursor *c);

/** APPROVE_REPLY_OK when the cursor is at the end of the answer, else APPROVE_REPLY_E_MALFORMED. */
int approve_reply_end(approve_reply_err *err, const approve_reply_cursor *c);

/** The whole answer to "show": status "ok", the fields in their fixed order, each line ending with
 *  '\n', then the summary: the rest of the answer, whose '\n'-separated lines (the last one not
 *  terminated, possibly empty) must number exactly summary-lines. Version 1 verdicts have an empty
 *  fingerprint-subject and fingerprint-words. */
int approve_reply_show(approve_reply_err *err, approve_show *out, const char *answer, size_t len);

/** The first line of the answer to "pending": "ok N". Out: *n, and c positioned on the rows. */
int approve_reply_pending_begin(approve_reply_err *err, uint32_t *n, approve_reply_cursor *c, const char *answer,
                                size_t len);

/** The next row of a pending answer: request id, key id, payload type name, allow|deny, approvals
 *  required and headline, separated by single TABs. Call approve_reply_end after the n-th row. */
int approve_reply_pending_row(approve_reply_err *err, approve_pending_row *row, approve_reply_cursor *c);

#endif
