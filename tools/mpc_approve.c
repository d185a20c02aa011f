/*
 * mpc-approve: the operator's approval tool (offline parts). Creates the operator's Ed25519 key,
 * signs approval statements (enclave/policy/approval.h) after showing what is approved, and runs
 * the enclave's own quorum check on a set of approvals. No network; it reads and writes only the
 * files named on the command line.
 *
 * Usage and exit codes: usage() below and README_approvals.md.
 */
#define _POSIX_C_SOURCE 200809L /* gmtime_r, fsync, O_NOFOLLOW under -std=c11 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "approval.h"
#include "payload/fingerprint.h"

enum {
    EXIT_DONE = 0,         /* command done; verify: the approvals reach the quorum, no veto */
    EXIT_NOT_APPROVED = 1, /* verify: vetoed, or quorum not reached */
    EXIT_USAGE = 2,        /* bad command line, or sign without confirmation possible */
    EXIT_INPUT = 3,        /* a file could not be read or written, or its content is invalid */
    EXIT_DECLINED = 4      /* sign: the operator did not confirm */
};

#define KEY_FILE_MAX 66u            /* 64 hex digits and a newline, plus one to detect more */
#define APPROVAL_MAX 512u                       /* bytes; longer input is not an approval */
#define APPROVAL_FILE_MAX (2u * APPROVAL_MAX + 1u) /* hex and a newline */

static void usage(FILE *f) {
    fprintf(f,
            "usage: mpc-approve keygen --out FILE\n"
            "       mpc-approve pubkey --key FILE\n"
            "       mpc-approve sign --key FILE --request-id HEX --key-id HEX --digest HEX\n"
            "                        --decision approve|reject --expires-in SECONDS [--out FILE] [--yes]\n"
            "       mpc-approve verify --approvers FILE --request-id HEX --key-id HEX --digest HEX\n"
            "                          [--now UNIX_SECONDS] APPROVAL...\n"
            "\n"
            "keygen   create an operator key (Ed25519 seed, 64 hex digits) in a new file of mode 0600;\n"
            "         prints the public key for the approvers file.\n"
            "pubkey   print the public key of an operator key file.\n"
            "sign     show what is approved, ask for confirmation (type 'yes' on a terminal, or pass\n"
            "         --yes), then print (or write to a new --out file) the approval as hex. --digest is\n"
            "         the 32-byte digest, or the fingerprint subject for several digests. SECONDS: 1..%u.\n"
            "verify   run the enclave's approval check on the approvals (hex, or @FILE holding hex) and\n"
            "         print each approval's result and the verdict. --now defaults to the clock.\n"
            "HEX: 64 hex digits, optional 0x.\n"
            "\n"
            "Not available yet: asking your own signer (mpc-signerd's local operator socket) for the\n"
            "request's summary and fingerprint; it comes with the daemons. Until then check the request\n"
            "with mpc-inspect on the raw payload before signing.\n"
            "\n"
            "Exit: 0 done (verify: approved), 1 verify: not approved (vetoed or quorum not reached),\n"
            "      2 usage, 3 file unreadable/unwritable or invalid, 4 sign: not confirmed.\n",
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

static int confirm(int assume_yes) {
    char line[16];

    if (assume_yes)
        return EXIT_DONE;
    if (!isatty(STDIN_FILENO)) {
        fprintf(stderr, "mpc-approve: stdin is not a terminal; check the lines above and pass --yes to sign\n");
        return EXIT_USAGE;
    }
    fprintf(stderr, "Type 'yes' to sign this approval: ");
    fflush(stderr);
    if (fgets(line, sizeof(line), stdin) == NULL || strcmp(line, "yes\n") != 0) {
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

static int cmd_sign(int argc, char **argv) {
    policy_approval_statement st;
    policy_approval a;
    request_ids ids;
    unsigned char sk[64], pk[32], bytes[POLICY_APPROVAL_BYTES];
    char hex[2 * POLICY_APPROVAL_BYTES + 2];
    const char *key = NULL, *out = NULL, *decision = NULL;
    uint64_t expires_in = 0, now;
    time_t clock_now;
    int i, k, yes = 0, r = EXIT_USAGE;

    memset(&ids, 0, sizeof(ids));
    memset(&st, 0, sizeof(st));
    for (i = 0; i < argc; i++) {
        if ((k = ids_option(&ids, argc, argv, &i)) < 0)
            goto out;
        if (k == 1)
            continue;
        if (strcmp(argv[i], "--key") == 0 && i + 1 < argc && key == NULL) {
            key = argv[++i];
        } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc && out == NULL) {
            out = argv[++i];
        } else if (strcmp(argv[i], "--decision") == 0 && i + 1 < argc && decision == NULL) {
            decision = argv[++i];
        } else if (strcmp(argv[i], "--expires-in") == 0 && i + 1 < argc && expires_in == 0) {
            if (parse_u64(&expires_in, argv[++i], 1, POLICY_LIFETIME_LIMIT) != 0) {
                r = usage_error("--expires-in '%s': expected 1..%u seconds", argv[i], POLICY_LIFETIME_LIMIT);
                goto out;
            }
        } else if (strcmp(argv[i], "--yes") == 0 && !yes) {
            yes = 1;
        } else {
            r = usage_error("sign: unexpected argument '%s'", argv[i]);
            goto out;
        }
    }
    if (!ids_complete(&ids))
        goto out;
    if (key == NULL || decision == NULL || expires_in == 0) {
        r = usage_error("sign: %s", "--key, --decision and --expires-in are required");
        goto out;
    }
    if (strcmp(decision, "approve") == 0) {
        st.decision = POLICY_DECISION_APPROVE;
    } else if (strcmp(decision, "reject") == 0) {
        st.decision = POLICY_DECISION_REJECT;
    } else {
        r = usage_error("--decision '%s': expected approve or reject", decision);
        goto out;
    }
    if ((clock_now = time(NULL)) < 0) {
        fprintf(stderr, "mpc-approve: the clock is unavailable\n");
        r = EXIT_INPUT;
        goto out;
    }
    now = (uint64_t)clock_now;
    r = EXIT_INPUT;
    if (load_key(sk, pk, key) != 0)
        goto out;
    memcpy(st.request_id, ids.request_id, 32);
    memcpy(st.key_id, ids.key_id, 32);
    memcpy(st.subject, ids.digest, 32);
    st.expiry = now + expires_in;
    memcpy(st.approver_pubkey, pk, 32);
    show_statement(&st, now);
    if ((r = confirm(yes)) != EXIT_DONE)
        goto out;
    r = EXIT_INPUT;
    if (policy_approval_sign(&a, &st, sk) != POLICY_OK || policy_approval_serialize(bytes, &a) != POLICY_OK)
        goto out;
    sodium_bin2hex(hex, sizeof(hex) - 1, bytes, sizeof(bytes));
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
    return usage_error("unknown command '%s'", argv[1]);
}
