/* mpc-approve's parser of the signer socket's answers (tools/approve_reply.h). Byte 0 selects: 0 =
 * the rest is a show answer, 1 = a pending answer, 2 = a one-line status answer (decide's). Seeds:
 * test_mpc_approve_socket.py --corpus. Invariants: every text the parser returns lies inside the
 * input; only the summary holds '\n', which is the rest of the answer and has exactly summary-lines
 * lines; decisions, versions and payload types are in range. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "approve_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const char *p, size_t len, const char *in, size_t in_len) {
    if (p < in || len > in_len || p > in + in_len - len)
        abort();
}

static size_t count_newlines(const char *p, size_t len) {
    size_t i, n = 0;

    for (i = 0; i < len; i++)
        n += p[i] == '\n';
    return n;
}

static void show(const char *in, size_t len) {
    approve_reply_err err;
    approve_show s;

    if (approve_reply_show(&err, &s, in, len) != APPROVE_REPLY_OK)
        return;
    if ((s.version != 1 && s.version != 2) || (s.decision != 1 && s.decision != 2) ||
        (s.version == 1 && s.words_len != 0))
        abort();
    inside(s.fingerprint, s.fingerprint_len, in, len);
    inside(s.words, s.words_len, in, len);
    inside(s.summary, s.summary_len, in, len);
    if (count_newlines(s.fingerprint, s.fingerprint_len) != 0 || count_newlines(s.words, s.words_len) != 0)
        abort();
    if (s.summary_lines == 0 || count_newlines(s.summary, s.summary_len) != s.summary_lines - 1 ||
        s.summary + s.summary_len != in + len)
        abort();
}

static void pending(const char *in, size_t len) {
    approve_pending_row row;
    approve_reply_cursor c;
    approve_reply_err err;
    uint32_t n = 0, i;

    if (approve_reply_pending_begin(&err, &n, &c, in, len) != APPROVE_REPLY_OK)
        return;
    for (i = 0; i < n; i++) {
        if (approve_reply_pending_row(&err, &row, &c) != APPROVE_REPLY_OK)
            return;
        inside(row.headline, row.headline_len, in, len);
        if (row.payload_type < 1 || row.payload_type > 6 || (row.decision != 1 && row.decision != 2) ||
            memchr(row.headline, '\t', row.headline_len) != NULL)
            abort();
    }
    (void)approve_reply_end(&err, &c);
}

static void status(const char *in, size_t len) {
    approve_reply_cursor c;
    approve_reply_err err;
    const char *text;
    size_t text_len;
    int r;

    approve_reply_begin(&c, in, len);
    r = approve_reply_status(&err, &text, &text_len, &c);
    if (r == APPROVE_REPLY_OK)
        inside(text, text_len, in, len);
    else if ((r != APPROVE_REPLY_E_MALFORMED && r != APPROVE_REPLY_E_REFUSED) || err.code != r ||
             memchr(err.msg, '\0', sizeof(err.msg)) == NULL)
        abort();
    if (r == APPROVE_REPLY_OK)
        (void)approve_reply_end(&err, &c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *copy;

    if (size == 0)
        return 0;
    /* An exact-size heap copy, so that any read past the answer is caught by ASan. */
    if ((copy = malloc(size - 1 > 0 ? size - 1 : 1)) == NULL)
        return 0;
    memcpy(copy, data + 1, size - 1);
    switch (data[0]) {
    case 0:
        show(copy, size - 1);
        break;
    case 1:
        pending(copy, size - 1);
        break;
    case 2:
        status(copy, size - 1);
        break;
    default:
        break;
    }
    free(copy);
    return 0;
}
