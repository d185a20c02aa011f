/*
 * mpc-approve: the operator's approval tool. Creates the operator's Ed25519 key, signs approval
 * statements (enclave/policy/approval.h) after showing what is approved, and runs the enclave's own
 * quorum check on a set of approvals; these commands are offline and touch only the files named on
 * the command line.
 *
 * The second interface (pending, show, decide) talks to the operator's OWN signer over its local
 * unix socket (protocol: mpc-signerd's operator socket, one command per connection). What it shows
 * is what that signer's enclave decoded and signed in its verdict, checked here against the
 * enclave's identity key (enclave/verdict.h), not what the coordinator says.
 *
 * Usage and exit codes: usage() below and README.md (operator approvals).
 */
#define _POSIX_C_SOURCE 200809L /* gmtime_r, fsync, O_NOFOLLOW, MSG_NOSIGNAL under -std=c11 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "approval.h"
#include "approve_reply.h"
#include "payload/fingerprint.h"
#include "payload/summary.h"
#include "verdict.h"

enum {
    EXIT_DONE = 0,         /* command done; verify: the approvals reach the quorum, no veto */
    EXIT_NOT_APPROVED = 1, /* verify: vetoed, or quorum not reached */
    EXIT_USAGE = 2,        /* bad command line, or sign without confirmation possible */
    EXIT_INPUT = 3,        /* a file could not be read or written, or its content is invalid */
    EXIT_DECLINED = 4,     /* sign/decide: the operator did not confirm */
    EXIT_SIGNER = 5,       /* the signer socket failed, answered "error ...", or answered malformed */
    EXIT_VERIFY = 6,       /* the verdict does not verify, or the enclave identity is not the pinned one */
    EXIT_REFUSED = 7       /* decide: nothing to approve (denied request, or an enclave without policy) */
};

#define KEY_FILE_MAX 66u            /* 64 hex digits and a newline, plus one to detect more */
#define APPROVAL_MAX 512u                       /* bytes; longer input is not an approval */
#define APPROVAL_FILE_MAX (2u * APPROVAL_MAX + 1u) /* hex and a newline */
#define APPROVAL_HEX_SIZE (2u * POLICY_APPROVAL_BYTES + 1u) /* hex digits and a NUL */

#define SOCKET_COMMAND_MAX 1023u    /* the protocol's limit for one command line, '\n' included */
#define SOCKET_TIMEOUT_SECONDS 30
/* The largest reply: the show header lines plus a summary, which the enclave renders into at most
 * PAYLOAD_SUMMARY_RENDER_MAX bytes followed by its decision lines. */
#define SOCKET_REPLY_MAX (PAYLOAD_SUMMARY_RENDER_MAX + 64u * 1024u)

static void usage(FILE *f) {
    fprintf(f,
            "usage: mpc-approve keygen --out FILE\n"
            "       mpc-approve pubkey --key FILE\n"
            "       mpc-approve sign --key FILE --request-id HEX --key-id HEX --digest HEX\n"
            "                        --decision approve|reject --expires-in SECONDS [--out FILE] [--yes]\n"
            "       mpc-approve verify --approvers FILE --request-id HEX --key-id HEX --digest HEX\n"
            "                          [--now UNIX_SECONDS] APPROVAL...\n"
            "       mpc-approve pending --socket PATH [--json]\n"
            "       mpc-approve show --socket PATH --request HEX [--enclave-identity HEX] [--json]\n"
            "       mpc-approve decide --socket PATH --request HEX --key FILE --decision approve|reject\n"
            "                          --expires-in SECONDS [--yes] [--enclave-identity HEX] [--json]\n"
            "\n"
            "keygen   create an operator key (Ed25519 seed, 64 hex digits) in a new file of mode 0600;\n"
            "         prints the public key for the approvers file.\n"
            "pubkey   print the public key of an operator key file.\n"
            "sign     offline: show what is approved, ask for confirmation (type 'yes' on a terminal, or\n"
            "         pass --yes), then print (or write to a new --out file) the approval as hex. --digest\n"
            "         is the 32-byte digest, or the fingerprint subject for several digests.\n"
            "verify   run the enclave's approval check on the approvals (hex, or @FILE holding hex) and\n"
            "         print each approval's result and the verdict. --now defaults to the clock.\n"
            "pending  list the requests your own signer's enclave has decoded and that are still waiting.\n"
            "show     print your signer's enclave's verdict on one request: summary, digest, fingerprint,\n"
            "         decision, approvals required; the verdict signature is checked against the enclave\n"
            "         identity (--enclave-identity pins it; otherwise the one the socket reports is used).\n"
            "decide   show and check as above, ask for confirmation (type the decision on a terminal, or\n"
            "         pass --yes), sign an approval of the enclave's digest with the operator key and hand\n"
            "         it to the signer, which forwards it to the coordinator. Refuses to approve a request\n"
            "         the enclave denied.\n"
            "--socket is your own signer's operator socket (mpc-signerd's [operator] section).\n"
            "HEX: 64 hex digits, optional 0x. SECONDS: 1..%u.\n"
            "\n"
            "Exit: 0 done (verify: approved; decide: the signer answered ok), 1 verify: not approved\n"
            "      (vetoed or quorum not reached), 2 usage, 3 file unreadable/unwritable or invalid,\n"
            "      4 not confirmed, 5 signer socket: unreachable, malformed answer, or it answered an error,\n"
            "      6 verdict signature invalid, fingerprint inconsistent, or enclave identity not the pinned\n"
            "      one, 7 decide: the enclave denied the request (approve) or accepts no approvals.\n",
            POLICY_LIFETIME_LIMIT);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...) {
    va_list ap;

    fprintf(stderr, "mpc-approve: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see mpc-approve --help)\n");
    return EXIT_USAGE;
}

/* Public 32-byte value: 64 hex digits, either case, optional 0x. */
static int parse_hex32(unsigned char out[32], const char *s) {
    size_t n = 0;
    const char *end = NULL;

    if (s[0] == '0' && s[1] == 'x')
        s += 2;
    if (strlen(s) != 64 || sodium_hex2bin(out, 32, s, 64, NULL, &n, &end) != 0 || n != 32 || *end != '\0')
        return -1;
    return 0;
}

static int parse_u64(uint64_t *out, const char *s, uint64_t min, uint64_t max) {
    uint64_t v = 0;
    size_t i, len = strlen(s);

    if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
        return -1;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Reads at most max bytes of a regular file; *len = bytes read (max + 1 means too long). */
static int read_small(const char *path, unsigned char *buf, size_t max, size_t *len, mode_t *mode) {
    struct stat st;
    ssize_t n;
    int fd, r = -1;

    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        fprintf(stderr, "mpc-approve: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "mpc-approve: %s: not a regular file\n", path);
        goto out;
    }
    *len = 0;
    while (*len <= max && (n = read(fd, buf + *len, max + 1 - *len)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "mpc-approve: %s: %s\n", path, strerror(errno));
            goto out;
        }
        *len += (size_t)n;
    }
    if (mode != NULL)
        *mode = st.st_mode;
    r = 0;
out:
    close(fd);
    return r;
}

/* Creates a new file (never overwrites) with the given mode and writes data to it. */
static int write_new(const char *path, const void *data, size_t len, mode_t mode) {
    const unsigned char *p = data;
    ssize_t n;
    int fd, r = -1;

    if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)) < 0) {
        fprintf(stderr, "mpc-approve: %s: %s\n", path, strerror(errno));
        return -1;
    }
    while (len > 0) {
        if ((n = write(fd, p, len)) < 0) {
            if (errno == EINTR)
                continue;
            goto out;
        }
        p += n;
        len -= (size_t)n;
    }
    if (fsync(fd) != 0)
        goto out;
    r = 0;
out:
    if (close(fd) != 0)
        r = -1;
    if (r != 0) {
        fprintf(stderr, "mpc-approve: %s: write failed: %s\n", path, strerror(errno));
        unlink(path);
    }
    return r;
}

/* Loads an operator key file into sk (libsodium form: seed || public key). The seed is decoded
 * with sodium_hex2bin, which runs in constant time. */
static int load_key(unsigned char sk[64], unsigned char pk[32], const char *path) {
    unsigned char buf[KEY_FILE_MAX + 1], seed[32];
    size_t len = 0, n = 0;
    const char *end = NULL;
    mode_t mode = 0;
    int r = -1;

    if (read_small(path, buf, KEY_FILE_MAX, &len, &mode) != 0)
        goto out;
    if ((mode & 077) != 0) {
        fprintf(stderr, "mpc-approve: %s: key file is accessible by group or others (mode %04o); chmod 600 it\n",
                path, (unsigned)(mode & 07777));
        goto out;
    }
    if (len == 65 && buf[64] == '\n')
        len = 64;
    if (len != 64 || sodium_hex2bin(seed, sizeof(seed), (const char *)buf, 64, NULL, &n, &end) != 0 || n != 32 ||
        end != (const char *)buf + 64) {
        fprintf(stderr, "mpc-approve: %s: not an operator key file (64 hex digits and a newline)\n", path);
        goto out;
    }
    if (crypto_sign_seed_keypair(pk, sk, seed) != 0)
        goto out;
    r = 0;
out:
    sodium_memzero(buf, sizeof(buf));
    sodium_memzero(seed, sizeof(seed));
    return r;
}

static void print_hex(FILE *f, const unsigned char *b, size_t len) {
    size_t i;

    for (i = 0; i < len; i++)
        fprintf(f, "%02x", b[i]);
}

static int cmd_keygen(int argc, char **argv) {
    unsigned char seed[32], pk[32], sk[64];
    char hex[65];
    const char *out = NULL;
    int i, r = EXIT_INPUT;

    for (i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc && out == NULL)
            out = argv[++i];
        else
            return usage_error("keygen: unexpected argument '%s'", argv[i]);
    }
    if (out == NULL)
        return usage_error("keygen: %s", "--out FILE is required");
    randombytes_buf(seed, sizeof(seed));
    sodium_bin2hex(hex, sizeof(hex), seed, sizeof(seed));
    hex[64] = '\n';
    if (crypto_sign_seed_keypair(pk, sk, seed) != 0 || write_new(out, hex, sizeof(hex), 0600) != 0)
        goto out;
    print_hex(stdout, pk, sizeof(pk));
    printf("\n");
    r = EXIT_DONE;
out:
    sodium_memzero(seed, sizeof(seed));
    sodium_memzero(sk, sizeof(sk));
    sodium_memzero(hex, sizeof(hex));
    return r;
}

static int cmd_pubkey(int argc, char **argv) {
    unsigned char pk[32], sk[64];
    const char *key = NULL;
    int i, r = EXIT_INPUT;

    for (i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--key") == 0 && i + 1 < argc && key == NULL)
            key = argv[++i];
        else
            return usage_error("pubkey: unexpected argument '%s'", argv[i]);
    }
    if (key == NULL)
        return usage_error("pubkey: %s", "--key FILE is required");
    if (load_key(sk, pk, key) == 0) {
        print_hex(stdout, pk, sizeof(pk));
        printf("\n");
        r = EXIT_DONE;
    }
    sodium_memzero(sk, sizeof(sk));
    return r;
}

/* The three identifiers every approval names. */
typedef struct {
    unsigned char request_id[32], key_id[32], digest[32];
    int have_request_id, have_key_id, have_digest;
} request_ids;

/* Consumes argv[*i] (and its value) when it is one of the identifier options; 1 when consumed,
 * 0 when not one of them, -1 on a bad value. */
static int ids_option(request_ids *ids, int argc, char **argv, int *i) {
    static const char *const names[3] = {"--request-id", "--key-id", "--digest"};
    unsigned char *dst[3] = {ids->request_id, ids->key_id, ids->digest};
    int *have[3] = {&ids->have_request_id, &ids->have_key_id, &ids->have_digest};
    int k;

    for (k = 0; k < 3; k++) {
        if (strcmp(argv[*i], names[k]) != 0)
            continue;
        if (*i + 1 >= argc || *have[k] || parse_hex32(dst[k], argv[*i + 1]) != 0) {
            usage_error("%s needs one value of 64 hex digits", names[k]);
            return -1;
        }
        *have[k] = 1;
        *i += 1;
        return 1;
    }
    return 0;
}

static int ids_complete(const request_ids *ids) {
    if (!ids->have_request_id || !ids->have_key_id || !ids->have_digest) {
        usage_error("%s", "--request-id, --key-id and --digest are required");
        return 0;
    }
    return 1;
}

/* Asks on the terminal for the word (sign: "yes"; decide: the decision) unless assume_yes. */
static int confirm(int assume_yes, const char *word, const char *what) {
    char line[16];
    size_t n = strlen(word);

    if (assume_yes)
        return EXIT_DONE;
    if (!isatty(STDIN_FILENO)) {
        fprintf(stderr, "mpc-approve: stdin is not a terminal; check the lines above and pass --yes to sign\n");
        return EXIT_USAGE;
    }
    fprintf(stderr, "Type '%s' to sign this %s: ", word, what);
    fflush(stderr);
    if (fgets(line, sizeof(line), stdin) == NULL || strncmp(line, word, n) != 0 || strcmp(line + n, "\n") != 0) {
        fprintf(stderr, "mpc-approve: not confirmed, nothing signed\n");
        return EXIT_DECLINED;
    }
    return EXIT_DONE;
}

static void show_statement(const policy_approval_statement *st, uint64_t now) {
    payload_fingerprint fp;
    char when[64] = "?";
    struct tm tm;
    time_t t = (time_t)st->expiry;

    if (gmtime_r(&t, &tm) != NULL)
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
    fprintf(stderr, "You are about to sign this approval:\n");
    fprintf(stderr, "  decision:          %s\n", st->decision == POLICY_DECISION_APPROVE ? "APPROVE" : "REJECT (veto)");
    fprintf(stderr, "  request id:        ");
    print_hex(stderr, st->request_id, 32);
    fprintf(stderr, "\n  key id:            ");
    print_hex(stderr, st->key_id, 32);
    fprintf(stderr, "\n  digest (subject):  ");
    print_hex(stderr, st->subject, 32);
    fprintf(stderr, "\n");
    /* One 32-byte value: its fingerprint subject is the value itself, as in the enclave's view. */
    if (payload_fingerprint_compute(NULL, &fp, st->subject, 1) == PAYLOAD_OK) {
        fprintf(stderr, "  fingerprint.hex:   %s\n", fp.hex);
        fprintf(stderr, "  fingerprint.words: %s\n", fp.words);
    }
    fprintf(stderr, "  expires:           %s (in %llu seconds)\n", when, (unsigned long long)(st->expiry - now));
    fprintf(stderr, "  approver key:      ");
    print_hex(stderr, st->approver_pubkey, 32);
    fprintf(stderr, "\nCompare the fingerprint with mpc-inspect's on the raw payload (and the coordinator's view).\n");
}

/* Signs st with the operator key; out: the 217-byte approval as hex (NUL-terminated). */
static int sign_statement(char hex[APPROVAL_HEX_SIZE], const policy_approval_statement *st, const unsigned char sk[64]) {
    unsigned char bytes[POLICY_APPROVAL_BYTES];
    policy_approval a;

    if (policy_approval_sign(&a, st, sk) != POLICY_OK || policy_approval_serialize(bytes, &a) != POLICY_OK) {
        fprintf(stderr, "mpc-approve: the approval could not be signed\n");
        return -1;
    }
    sodium_bin2hex(hex, APPROVAL_HEX_SIZE, bytes, sizeof(bytes));
    return 0;
}

/* The options of a decision to sign, shared by sign and decide. */
typedef struct {
    const char *key, *decision;
    uint64_t expires_in;
    int yes;
} decision_opts;

/* Consumes argv[*i] (and its value) when it is a decision option; 1 when consumed, 0 when not,
 * -1 after reporting a usage error. */
static int decision_option(decision_opts *d, int argc, char **argv, int *i) {
    const char *a = argv[*i];
    int has_value = *i + 1 < argc;

    if (strcmp(a, "--key") == 0 && has_value && d->key == NULL) {
        d->key = argv[++*i];
    } else if (strcmp(a, "--decision") == 0 && has_value && d->decision == NULL) {
        d->decision = argv[++*i];
    } else if (strcmp(a, "--expires-in") == 0 && has_value && d->expires_in == 0) {
        if (parse_u64(&d->expires_in, argv[++*i], 1, POLICY_LIFETIME_LIMIT) != 0) {
            usage_error("--expires-in '%s': expected 1..%u seconds", argv[*i], POLICY_LIFETIME_LIMIT);
            return -1;
        }
    } else if (strcmp(a, "--yes") == 0 && !d->yes) {
        d->yes = 1;
    } else {
        return 0;
    }
    return 1;
}

/* --decision into the statement's decision byte; -1 after reporting a usage error. */
static int decision_parse(uint8_t *out, const char *decision) {
    if (strcmp(decision, "approve") == 0) {
        *out = POLICY_DECISION_APPROVE;
    } else if (strcmp(decision, "reject") == 0) {
        *out = POLICY_DECISION_REJECT;
    } else {
        usage_error("--decision '%s': expected approve or reject", decision);
        return -1;
    }
    return 0;
}

static int cmd_sign(int argc, char **argv) {
    policy_approval_statement st;
    request_ids ids;
    decision_opts d;
    unsigned char sk[64], pk[32];
    char hex[APPROVAL_HEX_SIZE + 1];
    const char *out = NULL;
    uint64_t now;
    time_t clock_now;
    int i, k, r = EXIT_USAGE;

    memset(&ids, 0, sizeof(ids));
    memset(&d, 0, sizeof(d));
    memset(&st, 0, sizeof(st));
    for (i = 0; i < argc; i++) {
        if ((k = ids_option(&ids, argc, argv, &i)) < 0 || (k == 0 && (k = decision_option(&d, argc, argv, &i)) < 0))
            goto out;
        if (k == 1)
            continue;
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc && out == NULL) {
            out = argv[++i];
        } else {
            r = usage_error("sign: unexpected argument '%s'", argv[i]);
            goto out;
        }
    }
    if (!ids_complete(&ids))
        goto out;
    if (d.key == NULL || d.decision == NULL || d.expires_in == 0) {
        r = usage_error("sign: %s", "--key, --decision and --expires-in are required");
        goto out;
    }
    if (decision_parse(&st.decision, d.decision) != 0)
        goto out;
    if ((clock_now = time(NULL)) < 0) {
        fprintf(stderr, "mpc-approve: the clock is unavailable\n");
        r = EXIT_INPUT;
        goto out;
    }
    now = (uint64_t)clock_now;
    r = EXIT_INPUT;
    if (load_key(sk, pk, d.key) != 0)
        goto out;
    memcpy(st.request_id, ids.request_id, 32);
    memcpy(st.key_id, ids.key_id, 32);
    memcpy(st.subject, ids.digest, 32);
    st.expiry = now + d.expires_in;
    memcpy(st.approver_pubkey, pk, 32);
    show_statement(&st, now);
    if ((r = confirm(d.yes, "yes", "approval")) != EXIT_DONE)
        goto out;
    r = EXIT_INPUT;
    if (sign_statement(hex, &st, sk) != 0)
        goto out;
    hex[2 * POLICY_APPROVAL_BYTES] = '\n';
    hex[2 * POLICY_APPROVAL_BYTES + 1] = '\0';
    if (out != NULL) {
        if (write_new(out, hex, 2 * POLICY_APPROVAL_BYTES + 1, 0644) != 0)
            goto out;
        fprintf(stderr, "approval written to %s\n", out);
    } else {
        fputs(hex, stdout);
    }
    r = EXIT_DONE;
out:
    sodium_memzero(sk, sizeof(sk));
    return r;
}

/* An APPROVAL argument: hex, or @FILE holding hex (one optional trailing newline). Returns the
 * byte length in *len, or -1 when the text is not hex (lengths are left to the enclave's parser,
 * so a truncated or extended approval is reported as such). */
static int load_approval(unsigned char *out, size_t cap, size_t *len, const char *arg) {
    unsigned char file[APPROVAL_FILE_MAX + 1];
    const char *hex = arg, *end = NULL;
    size_t hex_len = strlen(arg);

    if (arg[0] == '@') {
        if (read_small(arg + 1, file, APPROVAL_FILE_MAX, &hex_len, NULL) != 0)
            return -1;
        if (hex_len > APPROVAL_FILE_MAX) {
            fprintf(stderr, "mpc-approve: %s: larger than %u bytes\n", arg + 1, APPROVAL_FILE_MAX);
            return -1;
        }
        if (hex_len > 0 && file[hex_len - 1] == '\n')
            hex_len--;
        hex = (const char *)file;
    }
    if (hex_len / 2 > cap) {
        fprintf(stderr, "mpc-approve: approval '%.20s...' is longer than %zu bytes\n", arg, cap);
        return -1;
    }
    if (hex_len % 2 != 0 ||
        sodium_hex2bin(out, cap, hex, hex_len, NULL, len, &end) != 0 || end != hex + hex_len) {
        fprintf(stderr, "mpc-approve: approval '%.20s%s' is not hex\n", arg, strlen(arg) > 20 ? "..." : "");
        return -1;
    }
    return 0;
}

static int cmd_verify(int argc, char **argv) {
    unsigned char (*bytes)[APPROVAL_MAX] = NULL;
    policy_approval_bytes in[POLICY_APPROVALS_MAX];
    policy_approval_result res[POLICY_APPROVALS_MAX];
    policy_approver_set set;
    policy_verdict v;
    policy_err err;
    request_ids ids;
    char text[POLICY_APPROVERS_FILE_MAX + 1];
    const char *approvers = NULL, *now_arg = NULL;
    size_t n = 0, text_len = 0, i;
    uint64_t now;
    time_t clock_now;
    int a, k, r = EXIT_USAGE;

    memset(&ids, 0, sizeof(ids));
    if ((bytes = calloc(POLICY_APPROVALS_MAX, sizeof(*bytes))) == NULL) {
        fprintf(stderr, "mpc-approve: out of memory\n");
        return EXIT_INPUT;
    }
    for (a = 0; a < argc; a++) {
        if ((k = ids_option(&ids, argc, argv, &a)) < 0)
            goto out;
        if (k == 1)
            continue;
        if (strcmp(argv[a], "--approvers") == 0 && a + 1 < argc && approvers == NULL) {
            approvers = argv[++a];
        } else if (strcmp(argv[a], "--now") == 0 && a + 1 < argc && now_arg == NULL) {
            now_arg = argv[++a];
        } else if (argv[a][0] == '-' && argv[a][1] == '-') {
            r = usage_error("verify: unexpected option '%s'", argv[a]);
            goto out;
        } else if (n == POLICY_APPROVALS_MAX) {
            r = usage_error("verify: more than %u approvals", POLICY_APPROVALS_MAX);
            goto out;
        } else {
            in[n].data = bytes[n];
            if (load_approval(bytes[n], sizeof(bytes[n]), &in[n].len, argv[a]) != 0) {
                r = EXIT_INPUT;
                goto out;
            }
            n++;
        }
    }
    if (!ids_complete(&ids))
        goto out;
    if (approvers == NULL || n == 0) {
        r = usage_error("verify: %s", "--approvers FILE and at least one APPROVAL are required");
        goto out;
    }
    if (now_arg != NULL) {
        if (parse_u64(&now, now_arg, 0, UINT64_MAX) != 0) {
            r = usage_error("--now '%s': expected Unix seconds", now_arg);
            goto out;
        }
    } else {
        if ((clock_now = time(NULL)) < 0) {
            fprintf(stderr, "mpc-approve: the clock is unavailable\n");
            r = EXIT_INPUT;
            goto out;
        }
        now = (uint64_t)clock_now;
    }
    r = EXIT_INPUT;
    if (read_small(approvers, (unsigned char *)text, POLICY_APPROVERS_FILE_MAX, &text_len, NULL) != 0)
        goto out;
    if (policy_approver_set_parse(&err, &set, text, text_len) != POLICY_OK) {
        fprintf(stderr, "mpc-approve: %s: %s\n", approvers, err.msg);
        goto out;
    }
    if (policy_approval_check(&err, &v, res, &set, ids.request_id, ids.key_id, ids.digest, now, in, n) != POLICY_OK) {
        fprintf(stderr, "mpc-approve: %s\n", err.msg);
        goto out;
    }
    for (i = 0; i < n; i++) {
        const char *who = res[i].approver >= 0 ? set.approvers[res[i].approver].name : NULL;
        const char *what = res[i].decision == POLICY_DECISION_REJECT ? "reject" : "approve";

        if (res[i].status == POLICY_OK)
            printf("approval %zu: valid %s by %s%s\n", i + 1, what, who,
                   res[i].decision == POLICY_DECISION_REJECT ? " (veto)" : "");
        else if (who != NULL)
            printf("approval %zu: refused: %s (%s by %s)\n", i + 1, policy_strerror(res[i].status), what, who);
        else
            printf("approval %zu: refused: %s\n", i + 1, policy_strerror(res[i].status));
    }
    if (v.verdict == POLICY_VERDICT_REJECTED)
        printf("verdict: %s by %s\n", policy_verdict_str(v.verdict), set.approvers[v.vetoed_by].name);
    else
        printf("verdict: %s: %u of %u required approvals\n", policy_verdict_str(v.verdict), (unsigned)v.approvals,
               (unsigned)v.quorum);
    r = v.verdict == POLICY_VERDICT_APPROVED ? EXIT_DONE : EXIT_NOT_APPROVED;
out:
    free(bytes);
    return r;
}

/* ---- The second interface: the operator socket of your own signer ---- */

/* Prints why an answer was refused; what names the command ("the approval", ...). */
static void reply_error(const approve_reply_err *err, const char *what) {
    if (err->code == APPROVE_REPLY_E_REFUSED)
        fprintf(stderr, "mpc-approve: the signer refused %s: %s\n", what, err->msg);
    else
        fprintf(stderr, "mpc-approve: malformed answer from the signer to %s: %s\n", what, err->msg);
}

/* One exchange: connects to the socket at path, sends line (one '\n'-terminated command) and reads
 * the answer until the signer closes the connection. Out: *reply (malloc'd; approve_reply.h checks
 * every byte of it) and *reply_len. Returns 0, or -1 with the reason printed. */
static int signer_call(char **reply, size_t *reply_len, const char *path, const char *line) {
    struct sockaddr_un sa;
    struct timeval tv = {SOCKET_TIMEOUT_SECONDS, 0};
    size_t len = strlen(line), off = 0;
    char *buf = NULL;
    ssize_t n;
    int fd = -1, r = -1;

    *reply = NULL;
    *reply_len = 0;
    memset(&sa, 0, sizeof(sa));
    if (len > SOCKET_COMMAND_MAX) {
        fprintf(stderr, "mpc-approve: the command is longer than the protocol's %u bytes\n", SOCKET_COMMAND_MAX);
        return -1;
    }
    if (strlen(path) >= sizeof(sa.sun_path)) {
        fprintf(stderr, "mpc-approve: %s: socket path longer than %zu bytes\n", path, sizeof(sa.sun_path) - 1);
        return -1;
    }
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
        connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) != 0) {
        fprintf(stderr, "mpc-approve: %s: %s\n", path, strerror(errno));
        goto out;
    }
    while (off < len) {
        if ((n = send(fd, line + off, len - off, MSG_NOSIGNAL)) < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "mpc-approve: %s: sending the command: %s\n", path, strerror(errno));
            goto out;
        }
        off += (size_t)n;
    }
    if ((buf = malloc(SOCKET_REPLY_MAX + 1)) == NULL) { /* one more byte detects a longer answer */
        fprintf(stderr, "mpc-approve: out of memory\n");
        goto out;
    }
    off = 0;
    while ((n = recv(fd, buf + off, SOCKET_REPLY_MAX + 1 - off, 0)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "mpc-approve: %s: reading the answer: %s\n", path,
                    errno == EAGAIN || errno == EWOULDBLOCK ? "no complete answer within the time limit" : strerror(errno));
            goto out;
        }
        off += (size_t)n;
        if (off > SOCKET_REPLY_MAX) {
            fprintf(stderr, "mpc-approve: %s: the answer is longer than %u bytes\n", path, SOCKET_REPLY_MAX);
            goto out;
        }
    }
    *reply = buf;
    *reply_len = off;
    buf = NULL;
    r = 0;
out:
    free(buf);
    if (fd >= 0)
        close(fd);
    return r;
}

/* The digests the enclave's signed text summary lists, in signing order: its lines
 * "digest[i].hex: 0x<64 hex digits>" for i = 0, 1, ... (payload_summary_render_text escapes line
 * breaks in every value, so no payload text can start such a line). Writes up to
 * PAYLOAD_SUMMARY_MAX_DIGESTS digests to out (32 bytes each) and returns how many: index i counts
 * only after index i - 1, and a malformed value ends the list. */
static size_t summary_digests(unsigned char *out, const char *summary, size_t summary_len) {
    const char *line = summary, *end = summary + summary_len, *nl;
    char prefix[40], hex[65];
    size_t n = 0, plen;

    while (line < end && n < PAYLOAD_SUMMARY_MAX_DIGESTS) {
        nl = memchr(line, '\n', (size_t)(end - line));
        if (nl == NULL)
            nl = end;
        plen = (size_t)snprintf(prefix, sizeof(prefix), "digest[%zu].hex: 0x", n);
        if ((size_t)(nl - line) == plen + 64 && memcmp(line, prefix, plen) == 0) {
            memcpy(hex, line + plen, 64);
            hex[64] = '\0';
            if (parse_hex32(out + 32 * n, hex) != 0)
                return n;
            n++;
        }
        line = nl + 1;
    }
    return n;
}

/* The pinned identity (NULL: not pinned) must be the socket's; the verdict signature must verify
 * under the socket's identity; in an allowing version-2 verdict the fingerprint must be the one of
 * the digests the summary lists (the digest itself when there is one or none is listed), rendered here as mpc-inspect
 * and the coordinator view render it, and the verdict's digest must be one of them. Returns 0, or
 * -1 with the reason printed. */
static int show_verify(const approve_show *s, const unsigned char *pinned) {
    enc_verdict_fields f;
    payload_fingerprint fp;
    unsigned char *digests = NULL;
    size_t i, n;
    int r, found = 0, ok;

    if (pinned != NULL && sodium_memcmp(pinned, s->identity, 32) != 0) {
        fprintf(stderr, "mpc-approve: the signer's enclave identity ");
        print_hex(stderr, s->identity, 32);
        fprintf(stderr, " is not the pinned --enclave-identity ");
        print_hex(stderr, pinned, 32);
        fprintf(stderr, "\n");
        return -1;
    }
    memset(&f, 0, sizeof(f));
    f.version = s->version;
    f.request_id = s->request_id;
    f.request_id_len = sizeof(s->request_id);
    f.key_id = s->key_id;
    f.payload_type = s->payload_type;
    f.digest = s->digest;
    f.sigid = s->session_id;
    f.derived_pk = s->public_key;
    f.decision = s->decision;
    if (s->version == 2) {
        f.fingerprint_subject = s->fingerprint_subject;
        f.fingerprint_hex = s->fingerprint;
        f.fingerprint_hex_len = s->fingerprint_len;
        f.fingerprint_words = s->words;
        f.fingerprint_words_len = s->words_len;
    }
    f.summary = s->summary;
    f.summary_len = s->summary_len;
    if ((r = enc_verdict_verify(s->signature, s->identity, &f)) == ENC_VERDICT_E_SIGNATURE) {
        fprintf(stderr, "mpc-approve: the verdict signature does not verify under enclave identity ");
        print_hex(stderr, s->identity, 32);
        fprintf(stderr, ": the answer was altered or is not this enclave's\n");
        return -1;
    }
    if (r != 0) {
        fprintf(stderr, "mpc-approve: the verdict cannot be checked: %s\n", enc_verdict_strerror(r));
        return -1;
    }
    if (s->version == 2 && s->decision == ENC_VERDICT_ALLOW) {
        if ((digests = malloc(PAYLOAD_SUMMARY_MAX_DIGESTS * 32u)) == NULL) {
            fprintf(stderr, "mpc-approve: out of memory\n");
            return -1;
        }
        /* A summary without digest lines (an older enclave) is taken to be about its one digest. */
        if ((n = summary_digests(digests, s->summary, s->summary_len)) == 0) {
            memcpy(digests, s->digest, 32);
            n = 1;
        }
        for (i = 0; i < n && !found; i++)
            found = memcmp(digests + 32 * i, s->digest, 32) == 0;
        ok = found && payload_fingerprint_compute(NULL, &fp, digests, n) == PAYLOAD_OK &&
             memcmp(fp.subject, s->fingerprint_subject, 32) == 0 && strlen(fp.hex) == s->fingerprint_len &&
             memcmp(fp.hex, s->fingerprint, s->fingerprint_len) == 0 && strlen(fp.words) == s->words_len &&
             memcmp(fp.words, s->words, s->words_len) == 0;
        free(digests);
        if (!ok) {
            fprintf(stderr, "mpc-approve: the enclave's fingerprint is not the fingerprint of its digest (or of "
                            "the digest set its summary lists, its digest among them)\n");
            return -1;
        }
    }
    return 0;
}

/* Asks the signer for its enclave's verdict on rid. Out: *s pointing into *reply (the caller
 * frees it). Returns EXIT_DONE or EXIT_SIGNER (reason printed). */
static int fetch_show(approve_show *s, char **reply, const char *socket_path, const unsigned char rid[32]) {
    approve_reply_err err;
    char line[5 + 64 + 2];
    size_t len = 0;

    memcpy(line, "show ", 5);
    sodium_bin2hex(line + 5, 65, rid, 32);
    memcpy(line + 69, "\n", 2);
    if (signer_call(reply, &len, socket_path, line) != 0)
        return EXIT_SIGNER;
    if (approve_reply_show(&err, s, *reply, len) != APPROVE_REPLY_OK) {
        reply_error(&err, "to show the request");
        return EXIT_SIGNER;
    }
    if (memcmp(s->request_id, rid, 32) != 0) {
        fprintf(stderr, "mpc-approve: malformed answer from the signer: the verdict is for another request id\n");
        return EXIT_SIGNER;
    }
    return EXIT_DONE;
}

static const char *type_name(uint32_t type) {
    const char *n = payload_type_name(type);

    return n != NULL ? n : "unknown";
}

static void print_show(FILE *f, const approve_show *s, int pinned) {
    fprintf(f, "request-id:          ");
    print_hex(f, s->request_id, 32);
    fprintf(f, "\nkey-id:              ");
    print_hex(f, s->key_id, 32);
    fprintf(f, "\npayload-type:        %u (%s)\n", (unsigned)s->payload_type, type_name(s->payload_type));
    fprintf(f, "digest:              ");
    print_hex(f, s->digest, 32);
    fprintf(f, "\nfingerprint:         %.*s%s\n", (int)s->fingerprint_len, s->fingerprint,
            s->version == 2 ? "" : " (version-1 verdict: not signed)");
    if (s->version == 2)
        fprintf(f, "fingerprint-words:   %.*s\n", (int)s->words_len, s->words);
    fprintf(f, "decision:            %s\n", s->decision == ENC_VERDICT_ALLOW ? "allow" : "deny");
    /* Not covered by the verdict signature (verdict.h); the signed summary states the quorum too. */
    fprintf(f, "approvals-required:  %u (as the signer reports it; not signed)\n", (unsigned)s->approvals_required);
    fprintf(f, "session-id:          ");
    print_hex(f, s->session_id, 32);
    fprintf(f, "\npublic-key:          ");
    print_hex(f, s->public_key, 33);
    fprintf(f, "\nverdict-version:     %u\n", (unsigned)s->version);
    fprintf(f, "verdict signature valid for enclave identity ");
    print_hex(f, s->identity, 32);
    fprintf(f, " (%s)\n", pinned ? "pinned" : "not pinned");
    fprintf(f, "--- summary signed by the enclave ---\n");
    fwrite(s->summary, 1, s->summary_len, f);
    if (s->summary_len > 0 && s->summary[s->summary_len - 1] != '\n')
        fputc('\n', f);
    fprintf(f, "--- end of summary ---\n");
}

/* A JSON string of answer text: UTF-8 without control characters (approve_reply.h) apart from the
 * '\n' that joins summary lines, so quotes, backslashes and '\n' are all that need escaping. */
static void json_string(FILE *f, const char *s, size_t len) {
    size_t i;

    fputc('"', f);
    for (i = 0; i < len; i++) {
        if (s[i] == '"' || s[i] == '\\')
            fputc('\\', f);
        if (s[i] == '\n')
            fputs("\\n", f);
        else
            fputc(s[i], f);
    }
    fputc('"', f);
}

static void json_hex(FILE *f, const char *name, const unsigned char *b, size_t len) {
    fprintf(f, "\"%s\":\"", name);
    print_hex(f, b, len);
    fputc('"', f);
}

static void print_show_json(FILE *f, const approve_show *s, int pinned) {
    fputc('{', f);
    json_hex(f, "request_id", s->request_id, 32);
    fputc(',', f);
    json_hex(f, "key_id", s->key_id, 32);
    fprintf(f, ",\"payload_type\":%u,\"payload_type_name\":\"%s\",", (unsigned)s->payload_type,
            type_name(s->payload_type));
    json_hex(f, "digest", s->digest, 32);
    fputc(',', f);
    json_hex(f, "session_id", s->session_id, 32);
    fputc(',', f);
    json_hex(f, "public_key", s->public_key, 33);
    fprintf(f, ",\"decision\":\"%s\",\"verdict_version\":%u,", s->decision == ENC_VERDICT_ALLOW ? "allow" : "deny",
            (unsigned)s->version);
    if (s->version == 2)
        json_hex(f, "fingerprint_subject", s->fingerprint_subject, 32);
    else
        fputs("\"fingerprint_subject\":\"\"", f);
    fputs(",\"fingerprint\":", f);
    json_string(f, s->fingerprint, s->fingerprint_len);
    fputs(",\"fingerprint_words\":", f);
    json_string(f, s->words, s->words_len);
    fprintf(f, ",\"approvals_required\":%u,", (unsigned)s->approvals_required);
    json_hex(f, "enclave_identity", s->identity, 32);
    fprintf(f, ",\"identity_pinned\":%s,\"verdict_signature_valid\":true,\"summary\":", pinned ? "true" : "false");
    json_string(f, s->summary, s->summary_len);
    fputs("}\n", f);
}

/* Options shared by the socket commands. */
typedef struct {
    const char *socket_path;
    unsigned char request_id[32], identity[32];
    int have_request, have_identity, json;
} socket_opts;

/* Consumes argv[*i] (and its value) when it is a socket option; 1 when consumed, 0 when not one
 * of them, -1 on a bad or repeated value (usage error printed). */
static int socket_option(socket_opts *o, int argc, char **argv, int *i) {
    const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;

    if (strcmp(a, "--json") == 0 && !o->json) {
        o->json = 1;
        return 1;
    }
    if (strcmp(a, "--socket") == 0 && v != NULL && o->socket_path == NULL) {
        o->socket_path = v;
    } else if (strcmp(a, "--request") == 0 && v != NULL && !o->have_request) {
        if (parse_hex32(o->request_id, v) != 0) {
            usage_error("--request '%s': expected 64 hex digits", v);
            return -1;
        }
        o->have_request = 1;
    } else if (strcmp(a, "--enclave-identity") == 0 && v != NULL && !o->have_identity) {
        if (parse_hex32(o->identity, v) != 0) {
            usage_error("--enclave-identity '%s': expected 64 hex digits", v);
            return -1;
        }
        o->have_identity = 1;
    } else {
        return 0;
    }
    *i += 1;
    return 1;
}

/* Walks the whole pending answer; prints it (as text, or JSON) only when print is set. */
static int pending_walk(approve_reply_err *err, const char *reply, size_t reply_len, int print, int json) {
    approve_pending_row row;
    approve_reply_cursor c;
    uint32_t n = 0, i;
    int r;

    if ((r = approve_reply_pending_begin(err, &n, &c, reply, reply_len)) != APPROVE_REPLY_OK)
        return r;
    if (print && json)
        printf("{\"pending\":[");
    else if (print)
        printf("%u pending request(s)\n", (unsigned)n);
    for (i = 0; i < n; i++) {
        if ((r = approve_reply_pending_row(err, &row, &c)) != APPROVE_REPLY_OK)
            return r;
        if (!print)
            continue;
        if (json) {
            printf("%s{", i > 0 ? "," : "");
            json_hex(stdout, "request_id", row.request_id, 32);
            putchar(',');
            json_hex(stdout, "key_id", row.key_id, 32);
            printf(",\"payload_type\":\"%s\",\"decision\":\"%s\",\"approvals_required\":%u,\"headline\":",
                   type_name(row.payload_type), row.decision == ENC_VERDICT_ALLOW ? "allow" : "deny",
                   (unsigned)row.approvals_required);
            json_string(stdout, row.headline, row.headline_len);
            putchar('}');
        } else {
            printf("request ");
            print_hex(stdout, row.request_id, 32);
            printf("  key ");
            print_hex(stdout, row.key_id, 32);
            printf("  %s  %s  approvals required: %u\n    %.*s\n", type_name(row.payload_type),
                   row.decision == ENC_VERDICT_ALLOW ? "allow" : "deny", (unsigned)row.approvals_required,
                   (int)row.headline_len, row.headline);
        }
    }
    if (print && json)
        printf("]}\n");
    return approve_reply_end(err, &c);
}

static int cmd_pending(int argc, char **argv) {
    approve_reply_err err;
    socket_opts o;
    char *reply = NULL;
    size_t reply_len = 0;
    int a, k, r = EXIT_USAGE;

    memset(&o, 0, sizeof(o));
    for (a = 0; a < argc; a++) {
        const char *arg = argv[a];

        if ((k = socket_option(&o, argc, argv, &a)) < 0)
            goto out;
        if (k == 0 || o.have_request || o.have_identity) {
            r = usage_error("pending: unexpected argument '%s'", arg);
            goto out;
        }
    }
    if (o.socket_path == NULL) {
        r = usage_error("pending: %s", "--socket PATH is required");
        goto out;
    }
    r = EXIT_SIGNER;
    if (signer_call(&reply, &reply_len, o.socket_path, "pending\n") != 0)
        goto out;
    /* Checked whole first, so that nothing is printed from a malformed answer. */
    if (pending_walk(&err, reply, reply_len, 0, o.json) != APPROVE_REPLY_OK) {
        reply_error(&err, "the list of pending requests");
        goto out;
    }
    if (pending_walk(&err, reply, reply_len, 1, o.json) != APPROVE_REPLY_OK)
        goto out;
    r = EXIT_DONE;
out:
    free(reply);
    return r;
}

static int cmd_show(int argc, char **argv) {
    approve_show s;
    socket_opts o;
    char *reply = NULL;
    int a, k, r = EXIT_USAGE;

    memset(&o, 0, sizeof(o));
    for (a = 0; a < argc; a++) {
        if ((k = socket_option(&o, argc, argv, &a)) < 0)
            goto out;
        if (k == 0) {
            r = usage_error("show: unexpected argument '%s'", argv[a]);
            goto out;
        }
    }
    if (o.socket_path == NULL || !o.have_request) {
        r = usage_error("show: %s", "--socket PATH and --request HEX are required");
        goto out;
    }
    if ((r = fetch_show(&s, &reply, o.socket_path, o.request_id)) != EXIT_DONE)
        goto out;
    r = EXIT_VERIFY;
    if (show_verify(&s, o.have_identity ? o.identity : NULL) != 0)
        goto out;
    if (o.json)
        print_show_json(stdout, &s, o.have_identity);
    else
        print_show(stdout, &s, o.have_identity);
    r = EXIT_DONE;
out:
    free(reply);
    return r;
}

static int cmd_decide(int argc, char **argv) {
    policy_approval_statement st;
    approve_show s;
    socket_opts o;
    approve_reply_cursor c;
    approve_reply_err err;
    unsigned char sk[64], pk[32];
    char line[8 + APPROVAL_HEX_SIZE + 1], hex[APPROVAL_HEX_SIZE];
    decision_opts d;
    const char *answer;
    char *reply = NULL, *answer_buf = NULL;
    size_t answer_len = 0, answer_buf_len = 0;
    uint64_t now;
    time_t clock_now;
    int a, k, r = EXIT_USAGE;

    memset(&o, 0, sizeof(o));
    memset(&d, 0, sizeof(d));
    memset(&st, 0, sizeof(st));
    for (a = 0; a < argc; a++) {
        if ((k = socket_option(&o, argc, argv, &a)) < 0 || (k == 0 && (k = decision_option(&d, argc, argv, &a)) < 0))
            goto out;
        if (k == 0) {
            r = usage_error("decide: unexpected argument '%s'", argv[a]);
            goto out;
        }
    }
    if (o.socket_path == NULL || !o.have_request || d.key == NULL || d.decision == NULL || d.expires_in == 0) {
        r = usage_error("decide: %s", "--socket, --request, --key, --decision and --expires-in are required");
        goto out;
    }
    if (decision_parse(&st.decision, d.decision) != 0)
        goto out;
    r = EXIT_INPUT;
    if (load_key(sk, pk, d.key) != 0)
        goto out;
    if ((r = fetch_show(&s, &reply, o.socket_path, o.request_id)) != EXIT_DONE)
        goto out;
    r = EXIT_VERIFY;
    if (show_verify(&s, o.have_identity ? o.identity : NULL) != 0)
        goto out;
    print_show(stderr, &s, o.have_identity);
    r = EXIT_REFUSED;
    if (s.version != 2) {
        fprintf(stderr, "mpc-approve: this enclave has no approval policy (version-1 verdict) and accepts no "
                        "approvals; nothing signed\n");
        goto out;
    }
    if (st.decision == POLICY_DECISION_APPROVE && s.decision != ENC_VERDICT_ALLOW) {
        fprintf(stderr, "mpc-approve: your signer's enclave denied this request (see the summary above); an approval "
                        "cannot make it sign. Nothing signed\n");
        goto out;
    }
    if ((clock_now = time(NULL)) < 0) {
        fprintf(stderr, "mpc-approve: the clock is unavailable\n");
        r = EXIT_INPUT;
        goto out;
    }
    now = (uint64_t)clock_now;
    memcpy(st.request_id, s.request_id, 32);
    memcpy(st.key_id, s.key_id, 32);
    /* The subject of a version-2 verdict, which its signature covers: the digest itself, or for a
     * payload with several digests (a PSBT with several inputs) the fingerprint subject of the
     * set, which one approval covers for every session of the request (policy/approval.h). */
    memcpy(st.subject, s.fingerprint_subject, 32);
    st.expiry = now + d.expires_in;
    memcpy(st.approver_pubkey, pk, 32);
    show_statement(&st, now);
    if ((r = confirm(d.yes, d.decision, "decision")) != EXIT_DONE)
        goto out;
    r = EXIT_INPUT;
    if (sign_statement(hex, &st, sk) != 0)
        goto out;
    snprintf(line, sizeof(line), "approve %s\n", hex);
    r = EXIT_SIGNER;
    if (signer_call(&answer_buf, &answer_buf_len, o.socket_path, line) != 0)
        goto out;
    approve_reply_begin(&c, answer_buf, answer_buf_len);
    if (approve_reply_status(&err, &answer, &answer_len, &c) != APPROVE_REPLY_OK ||
        approve_reply_end(&err, &c) != APPROVE_REPLY_OK) {
        reply_error(&err, "the approval");
        goto out;
    }
    if (o.json) {
        printf("{");
        json_hex(stdout, "request_id", st.request_id, 32);
        printf(",\"decision\":\"%s\",\"expiry\":%llu,\"approval\":\"%s\",\"answer\":", d.decision,
               (unsigned long long)st.expiry, hex);
        json_string(stdout, answer, answer_len);
        printf("}\n");
    } else {
        printf("ok%s%.*s\n", answer_len > 0 ? " " : "", (int)answer_len, answer);
    }
    r = EXIT_DONE;
out:
    sodium_memzero(sk, sizeof(sk));
    free(reply);
    free(answer_buf);
    return r;
}

int main(int argc, char **argv) {
    if (sodium_init() < 0) {
        fprintf(stderr, "mpc-approve: libsodium initialisation failed\n");
        return EXIT_INPUT;
    }
    if (argc < 2)
        return usage_error("%s", "missing command");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return EXIT_DONE;
    }
    if (strcmp(argv[1], "keygen") == 0)
        return cmd_keygen(argc - 2, argv + 2);
    if (strcmp(argv[1], "pubkey") == 0)
        return cmd_pubkey(argc - 2, argv + 2);
    if (strcmp(argv[1], "sign") == 0)
        return cmd_sign(argc - 2, argv + 2);
    if (strcmp(argv[1], "verify") == 0)
        return cmd_verify(argc - 2, argv + 2);
    if (strcmp(argv[1], "pending") == 0)
        return cmd_pending(argc - 2, argv + 2);
    if (strcmp(argv[1], "show") == 0)
        return cmd_show(argc - 2, argv + 2);
    if (strcmp(argv[1], "decide") == 0)
        return cmd_decide(argc - 2, argv + 2);
    return usage_error("unknown command '%s'", argv[1]);
}
