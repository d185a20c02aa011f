/* Operator approvals and the approval quorum; encoding and rules in approval.h. */
#include "approval.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

/* Offsets of the version-1 statement fields (approval.h). */
#define OFF_REQUEST_ID 16u
#define OFF_KEY_ID 48u
#define OFF_SUBJECT 80u
#define OFF_DECISION 112u
#define OFF_EXPIRY 113u
#define OFF_PUBKEY 121u

/* "mpc-approval/" is the family; what follows up to the NUL is the version. */
#define LABEL_FAMILY_BYTES 13u

static const unsigned char label_v1[POLICY_APPROVAL_LABEL_BYTES] = POLICY_APPROVAL_LABEL;

static int fail(policy_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(policy_err *err, int code, const char *fmt, ...) {
    va_list ap;

    if (err != NULL) {
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return code;
}

static void err_clear(policy_err *err) {
    if (err != NULL) {
        err->code = POLICY_OK;
        err->msg[0] = '\0';
    }
}

static int decision_known(uint8_t d) {
    return d == POLICY_DECISION_APPROVE || d == POLICY_DECISION_REJECT;
}

int policy_approval_statement_serialize(unsigned char out[POLICY_APPROVAL_STATEMENT_BYTES],
                                        const policy_approval_statement *st) {
    size_t i;

    if (!decision_known(st->decision))
        return POLICY_E_DECISION;
    memcpy(out, label_v1, POLICY_APPROVAL_LABEL_BYTES);
    memcpy(out + OFF_REQUEST_ID, st->request_id, 32);
    memcpy(out + OFF_KEY_ID, st->key_id, 32);
    memcpy(out + OFF_SUBJECT, st->subject, 32);
    out[OFF_DECISION] = st->decision;
    for (i = 0; i < 8; i++)
        out[OFF_EXPIRY + i] = (unsigned char)(st->expiry >> (56 - 8 * i));
    memcpy(out + OFF_PUBKEY, st->approver_pubkey, 32);
    return POLICY_OK;
}

int policy_approval_sign(policy_approval *out, const policy_approval_statement *st, const unsigned char sk[64]) {
    unsigned char m[POLICY_APPROVAL_STATEMENT_BYTES];
    int r;

    /* libsodium's secret key carries its public key in the last 32 bytes. */
    if (sodium_memcmp(st->approver_pubkey, sk + 32, 32) != 0)
        return POLICY_E_ARG;
    if ((r = policy_approval_statement_serialize(m, st)) != POLICY_OK)
        return r;
    if (crypto_sign_detached(out->signature, NULL, m, sizeof(m), sk) != 0)
        return POLICY_E_ARG;
    out->statement = *st;
    return POLICY_OK;
}

int policy_approval_serialize(unsigned char out[POLICY_APPROVAL_BYTES], const policy_approval *a) {
    int r;

    if ((r = policy_approval_statement_serialize(out, &a->statement)) != POLICY_OK)
        return r;
    memcpy(out + POLICY_APPROVAL_STATEMENT_BYTES, a->signature, POLICY_APPROVAL_SIG_BYTES);
    return POLICY_OK;
}

int policy_approval_parse(policy_err *err, policy_approval *out, const unsigned char *in, size_t in_len) {
    policy_approval_statement *st = &out->statement;
    size_t i;

    err_clear(err);
    if (in_len != POLICY_APPROVAL_BYTES)
        return fail(err, POLICY_E_LENGTH, "approval: %zu bytes, expected exactly %u", in_len,
                    POLICY_APPROVAL_BYTES);
    if (memcmp(in, label_v1, POLICY_APPROVAL_LABEL_BYTES) != 0) {
        if (memcmp(in, label_v1, LABEL_FAMILY_BYTES) == 0)
            return fail(err, POLICY_E_VERSION, "approval: unknown version of the label '%s'",
                        POLICY_APPROVAL_LABEL);
        return fail(err, POLICY_E_LABEL, "approval: does not start with the label '%s'", POLICY_APPROVAL_LABEL);
    }
    if (!decision_known(in[OFF_DECISION]))
        return fail(err, POLICY_E_DECISION, "approval: unknown decision byte 0x%02x", in[OFF_DECISION]);
    memcpy(st->request_id, in + OFF_REQUEST_ID, 32);
    memcpy(st->key_id, in + OFF_KEY_ID, 32);
    memcpy(st->subject, in + OFF_SUBJECT, 32);
    st->decision = in[OFF_DECISION];
    st->expiry = 0;
    for (i = 0; i < 8; i++)
        st->expiry = (st->expiry << 8) | in[OFF_EXPIRY + i];
    memcpy(st->approver_pubkey, in + OFF_PUBKEY, 32);
    memcpy(out->signature, in + POLICY_APPROVAL_STATEMENT_BYTES, POLICY_APPROVAL_SIG_BYTES);
    return POLICY_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Approver sets
 * ------------------------------------------------------------------------------------------- */

static int name_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

static int name_valid(const char *s, size_t len) {
    size_t i;

    if (len == 0 || len > POLICY_APPROVER_NAME_MAX)
        return 0;
    for (i = 0; i < len; i++)
        if (!name_char(s[i]))
            return 0;
    return 1;
}

int policy_approver_set_validate(policy_err *err, const policy_approver_set *set) {
    const char *nul;
    size_t i, j;

    err_clear(err);
    if (set == NULL)
        return fail(err, POLICY_E_ARG, "approver set: missing");
    if (set->count == 0 || set->count > POLICY_APPROVERS_MAX)
        return fail(err, POLICY_E_ARG, "approver set: %zu approvers, expected 1..%u", set->count,
                    POLICY_APPROVERS_MAX);
    if (set->quorum == 0 || set->quorum > set->count)
        return fail(err, POLICY_E_ARG, "approver set: quorum %u, expected 1..%zu", (unsigned)set->quorum,
                    set->count);
    if (set->max_lifetime == 0 || set->max_lifetime > POLICY_LIFETIME_LIMIT)
        return fail(err, POLICY_E_ARG, "approver set: max-lifetime %llu, expected 1..%u",
                    (unsigned long long)set->max_lifetime, POLICY_LIFETIME_LIMIT);
    for (i = 0; i < set->count; i++) {
        const policy_approver *a = &set->approvers[i];

        nul = memchr(a->name, '\0', sizeof(a->name));
        if (nul == NULL || !name_valid(a->name, (size_t)(nul - a->name)))
            return fail(err, POLICY_E_ARG, "approver set: approver %zu has an invalid name", i);
        if (crypto_core_ed25519_is_valid_point(a->pubkey) != 1)
            return fail(err, POLICY_E_ARG, "approver set: approver '%s' has an invalid Ed25519 public key", a->name);
        for (j = 0; j < i; j++) {
            if (strcmp(a->name, set->approvers[j].name) == 0)
                return fail(err, POLICY_E_ARG, "approver set: name '%s' appears twice", a->name);
            if (sodium_memcmp(a->pubkey, set->approvers[j].pubkey, 32) == 0)
                return fail(err, POLICY_E_ARG, "approver set: '%s' and '%s' have the same public key", a->name,
                            set->approvers[j].name);
        }
    }
    return POLICY_OK;
}

/* Decimal without sign or leading zeros, at most max; returns 0 on success. */
static int parse_uint(uint64_t *out, const char *s, size_t len, uint64_t max) {
    uint64_t v = 0;
    size_t i;

    if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
        return -1;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        if (v > (max - (uint64_t)(s[i] - '0')) / 10)
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

static int hexdigit_lower(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static int parse_hex32(unsigned char out[32], const char *s, size_t len) {
    size_t i;
    int hi, lo;

    if (len != 64)
        return -1;
    for (i = 0; i < 32; i++) {
        hi = hexdigit_lower(s[2 * i]);
        lo = hexdigit_lower(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

/* Does the line (without its '\n') start with the keyword followed by one space? */
static int keyword(const char *line, size_t len, const char *kw) {
    size_t k = strlen(kw);

    return len > k && memcmp(line, kw, k) == 0 && line[k] == ' ';
}

int policy_approver_set_parse(policy_err *err, policy_approver_set *out, const char *text, size_t text_len) {
    policy_approver_set set;
    policy_err verr;
    const char *line, *nl, *f1, *sp;
    size_t pos = 0, len, lineno = 0, f1len, i;
    uint64_t v;
    int have_quorum = 0, have_lifetime = 0;

    err_clear(err);
    memset(&set, 0, sizeof(set));
    set.max_lifetime = POLICY_LIFETIME_DEFAULT;
    if (text_len > POLICY_APPROVERS_FILE_MAX)
        return fail(err, POLICY_E_CONFIG, "approvers: %zu bytes, at most %u", text_len, POLICY_APPROVERS_FILE_MAX);
    if (text_len > 0 && text[text_len - 1] != '\n')
        return fail(err, POLICY_E_CONFIG, "approvers: the last line does not end with a newline");
    while (pos < text_len) {
        line = text + pos;
        nl = memchr(line, '\n', text_len - pos);
        len = (size_t)(nl - line);
        pos += len + 1;
        lineno++;
        for (i = 0; i < len; i++)
            if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
                return fail(err, POLICY_E_CONFIG, "approvers line %zu: control character (tab, CR, NUL...)", lineno);
        if (len == 0 || line[0] == '#')
            continue;
        if (line[len - 1] == ' ')
            return fail(err, POLICY_E_CONFIG, "approvers line %zu: trailing space", lineno);
        if (keyword(line, len, "approver")) {
            f1 = line + 9;
            sp = memchr(f1, ' ', len - 9);
            if (sp == NULL)
                return fail(err, POLICY_E_CONFIG, "approvers line %zu: expected 'approver NAME HEX64'", lineno);
            f1len = (size_t)(sp - f1);
            if (!name_valid(f1, f1len))
                return fail(err, POLICY_E_CONFIG,
                            "approvers line %zu: name must be 1..%u characters of A-Z a-z 0-9 . _ -", lineno,
                            POLICY_APPROVER_NAME_MAX);
            if (set.count == POLICY_APPROVERS_MAX)
                return fail(err, POLICY_E_CONFIG, "approvers line %zu: more than %u approvers", lineno,
                            POLICY_APPROVERS_MAX);
            if (parse_hex32(set.approvers[set.count].pubkey, sp + 1, (size_t)(line + len - (sp + 1))) != 0)
                return fail(err, POLICY_E_CONFIG,
                            "approvers line %zu: public key must be 64 lower-case hex digits", lineno);
            memcpy(set.approvers[set.count].name, f1, f1len);
            set.approvers[set.count].name[f1len] = '\0';
            for (i = 0; i < set.count; i++) {
                if (strcmp(set.approvers[i].name, set.approvers[set.count].name) == 0)
                    return fail(err, POLICY_E_CONFIG, "approvers line %zu: name '%s' appears twice", lineno,
                                set.approvers[i].name);
                if (sodium_memcmp(set.approvers[i].pubkey, set.approvers[set.count].pubkey, 32) == 0)
                    return fail(err, POLICY_E_CONFIG, "approvers line %zu: public key already used by '%s'",
                                lineno, set.approvers[i].name);
            }
            if (crypto_core_ed25519_is_valid_point(set.approvers[set.count].pubkey) != 1)
                return fail(err, POLICY_E_CONFIG,
                            "approvers line %zu: not a valid Ed25519 public key (non-canonical or small order)",
                            lineno);
            set.count++;
        } else if (keyword(line, len, "quorum")) {
            if (have_quorum)
                return fail(err, POLICY_E_CONFIG, "approvers line %zu: quorum given twice", lineno);
            if (parse_uint(&v, line + 7, len - 7, POLICY_APPROVERS_MAX) != 0 || v == 0)
                return fail(err, POLICY_E_CONFIG, "approvers line %zu: quorum must be a number 1..%u", lineno,
                            POLICY_APPROVERS_MAX);
            set.quorum = (uint32_t)v;
            have_quorum = 1;
        } else if (keyword(line, len, "max-lifetime")) {
            if (have_lifetime)
                return fail(err, POLICY_E_CONFIG, "approvers line %zu: max-lifetime given twice", lineno);
            if (parse_uint(&v, line + 13, len - 13, POLICY_LIFETIME_LIMIT) != 0 || v == 0)
                return fail(err, POLICY_E_CONFIG, "approvers line %zu: max-lifetime must be 1..%u seconds",
                            lineno, POLICY_LIFETIME_LIMIT);
            set.max_lifetime = v;
            have_lifetime = 1;
        } else {
            return fail(err, POLICY_E_CONFIG,
                        "approvers line %zu: expected 'approver NAME HEX64', 'quorum N' or 'max-lifetime SECONDS'",
                        lineno);
        }
    }
    if (set.count == 0)
        return fail(err, POLICY_E_CONFIG, "approvers: no approver line");
    if (!have_quorum)
        return fail(err, POLICY_E_CONFIG, "approvers: no quorum line");
    if (set.quorum > set.count)
        return fail(err, POLICY_E_CONFIG, "approvers: quorum %u is larger than the %zu approvers",
                    (unsigned)set.quorum, set.count);
    if (policy_approver_set_validate(&verr, &set) != POLICY_OK)
        return fail(err, POLICY_E_CONFIG, "approvers: %s", verr.msg);
    *out = set;
    return POLICY_OK;
}

/* ---------------------------------------------------------------------------------------------
 * The quorum
 * ------------------------------------------------------------------------------------------- */

static int find_approver(const policy_approver_set *set, const unsigned char pubkey[32]) {
    size_t i;

    for (i = 0; i < set->count; i++)
        if (sodium_memcmp(set->approvers[i].pubkey, pubkey, 32) == 0)
            return (int)i;
    return -1;
}

/* Everything but the duplicate rule; fills res->approver and res->decision as far as known. */
static int check_one(policy_approval_result *res, const policy_approver_set *set, const unsigned char request_id[32],
                     const unsigned char key_id[32], const unsigned char subject[32], uint64_t now,
                     const policy_approval_bytes *in) {
    policy_approval a;
    int r;

    res->approver = -1;
    res->decision = 0;
    if (in->data == NULL)
        return POLICY_E_LENGTH;
    if ((r = policy_approval_parse(NULL, &a, in->data, in->len)) != POLICY_OK)
        return r;
    res->decision = a.statement.decision;
    if ((res->approver = find_approver(set, a.statement.approver_pubkey)) < 0)
        return POLICY_E_UNKNOWN_APPROVER;
    /* The signature covers the received bytes, which parsing has shown to be canonical. */
    if (crypto_sign_verify_detached(a.signature, in->data, POLICY_APPROVAL_STATEMENT_BYTES,
                                    set->approvers[res->approver].pubkey) != 0)
        return POLICY_E_SIGNATURE;
    if (sodium_memcmp(a.statement.request_id, request_id, 32) != 0)
        return POLICY_E_REQUEST_ID;
    if (sodium_memcmp(a.statement.key_id, key_id, 32) != 0)
        return POLICY_E_KEY_ID;
    if (sodium_memcmp(a.statement.subject, subject, 32) != 0)
        return POLICY_E_DIGEST;
    if (a.statement.expiry <= now)
        return POLICY_E_EXPIRED;
    if (a.statement.expiry - now > set->max_lifetime)
        return POLICY_E_LIFETIME;
    return POLICY_OK;
}

int policy_approval_check(policy_err *err, policy_verdict *verdict, policy_approval_result *results,
                          const policy_approver_set *set, const unsigned char request_id[32],
                          const unsigned char key_id[32], const unsigned char subject[32], uint64_t now,
                          const policy_approval_bytes *approvals, size_t n) {
    policy_approval_result res;
    uint64_t seen = 0, bit;
    size_t i;
    int r;

    err_clear(err);
    if (verdict == NULL)
        return fail(err, POLICY_E_ARG, "approval check: no verdict output");
    verdict->verdict = POLICY_VERDICT_PENDING;
    verdict->approvals = 0;
    verdict->quorum = 0;
    verdict->vetoed_by = -1;
    if (request_id == NULL || key_id == NULL || subject == NULL || (n > 0 && approvals == NULL))
        return fail(err, POLICY_E_ARG, "approval check: missing argument");
    if (n > POLICY_APPROVALS_MAX)
        return fail(err, POLICY_E_ARG, "approval check: %zu approvals, at most %u", n, POLICY_APPROVALS_MAX);
    if ((r = policy_approver_set_validate(err, set)) != POLICY_OK)
        return r;
    verdict->quorum = set->quorum;
    for (i = 0; i < n; i++) {
        res.status = check_one(&res, set, request_id, key_id, subject, now, &approvals[i]);
        if (res.status == POLICY_OK) {
            bit = (uint64_t)1 << res.approver;
            if (res.decision == POLICY_DECISION_REJECT && verdict->vetoed_by < 0)
                verdict->vetoed_by = res.approver;
            if (seen & bit)
                res.status = POLICY_E_DUPLICATE;
            else if (res.decision == POLICY_DECISION_APPROVE)
                verdict->approvals++;
            seen |= bit;
        }
        if (results != NULL)
            results[i] = res;
    }
    if (verdict->vetoed_by >= 0)
        verdict->verdict = POLICY_VERDICT_REJECTED;
    else if (verdict->approvals >= set->quorum)
        verdict->verdict = POLICY_VERDICT_APPROVED;
    return POLICY_OK;
}

const char *policy_strerror(int code) {
    switch (code) {
    case POLICY_OK: return "valid";
    case POLICY_E_ARG: return "invalid argument or approver set";
    case POLICY_E_LENGTH: return "malformed: wrong length (truncated or extended)";
    case POLICY_E_LABEL: return "malformed: not an approval statement";
    case POLICY_E_VERSION: return "malformed: unknown approval version";
    case POLICY_E_DECISION: return "malformed: unknown decision";
    case POLICY_E_UNKNOWN_APPROVER: return "unknown approver key";
    case POLICY_E_SIGNATURE: return "bad signature";
    case POLICY_E_REQUEST_ID: return "wrong request id";
    case POLICY_E_KEY_ID: return "wrong key id";
    case POLICY_E_DIGEST: return "wrong digest";
    case POLICY_E_EXPIRED: return "expired (expiry <= now)";
    case POLICY_E_LIFETIME: return "expiry too far in the future (beyond max-lifetime)";
    case POLICY_E_DUPLICATE: return "duplicate: approver already counted";
    case POLICY_E_CONFIG: return "invalid approvers file";
    default: return "unknown error";
    }
}

const char *policy_verdict_str(policy_verdict_kind v) {
    switch (v) {
    case POLICY_VERDICT_APPROVED: return "approved";
    case POLICY_VERDICT_REJECTED: return "rejected (vetoed)";
    case POLICY_VERDICT_PENDING: return "pending (quorum not reached)";
    default: return "unknown verdict";
    }
}
