/* Daemon configuration (daemon/config): every validation error with its exact file:line message,
 * the file checks against real files in a temporary directory, and the shipped examples.
 * Expected values are written here by hand (the Ed25519 keys are RFC 8032 test-vector keys). */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

#define NAME "signer.ini"
#define CNAME "coordinator.ini"

/* The signer template: @D is a directory prefix, @G the operator group. Line numbers matter
 * to the tests below. */
static const char signer_tmpl[] =
    "; signer test configuration\n"                 /* 1 */
    "[signer]\n"                                    /* 2 */
    "id = signer-1\n"                               /* 3 */
    "data_dir = @D/data\n"                        /* 4 */
    "enclave_path = @D/enclave\n"                 /* 5 */
    "sealing = passphrase-file:@D/pass\n"         /* 6 */
    "party_index = 2\n"                            /* 7 */
    "[tls]\n"                                       /* 8 */
    "ca = @D/ca.pem\n"                            /* 9 */
    "cert = @D/cert.pem\n"                        /* 10 */
    "key = @D/key.pem\n"                          /* 11 */
    "\n"                                            /* 12 */
    "[coordinator]\n"                               /* 13 */
    "address = coord.example.net\n"                 /* 14 */
    "port = 7400 ; the default port\n"              /* 15 */
    "id = coordinator-a\n"                         /* 16 */
    "[operator]\n"                                  /* 17 */
    "socket = @D/run/op.sock\n"                   /* 18 */
    "group = @G\n"                                /* 19 */
    "[timeouts]\n"                                  /* 20 */
    "round_ms = 20000\n";                           /* 21 */

#define PK1 "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define PK2 "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
#define PK3 "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025"

static const char coord_base[] =
    "[coordinator]\n"                               /* 1 */
    "listen = 127.0.0.1\n"                          /* 2 */
    "port = 7400\n"                                 /* 3 */
    "database = /var/lib/mpc/coordinator.db\n"      /* 4 */
    "[tls]\n"                                       /* 5 */
    "ca = /etc/mpc/ca.pem\n"                        /* 6 */
    "cert = /etc/mpc/c.pem\n"                       /* 7 */
    "key = /etc/mpc/c.key\n"                        /* 8 */
    "[signers]\n"                                   /* 9 */
    "signer-1 = " PK1 "\n"                          /* 10 */
    "signer-2 = " PK2 "\n"                          /* 11 */
    "[requesters]\n"                                /* 12 */
    "backend = sign\n"                              /* 13 */
    "ops = keygen, sign,refresh\n";                 /* 14 */

static char *signer_text(const char *dir, const char *group) {
    size_t cap = sizeof signer_tmpl + 16 * strlen(dir) + strlen(group) + 1;
    char *s = calloc(1, cap);
    assert_non_null(s);
    size_t o = 0;
    for (const char *p = signer_tmpl; *p; p++) {
        const char *sub = NULL;
        if (p[0] == '@' && p[1] == 'D') {
            sub = dir;
        } else if (p[0] == '@' && p[1] == 'G') {
            sub = group;
        }
        if (sub != NULL) {
            assert_true(o + strlen(sub) < cap);
            memcpy(s + o, sub, strlen(sub));
            o += strlen(sub);
            p++;
        } else {
            assert_true(o + 1 < cap);
            s[o++] = *p;
        }
    }
    return s;
}

/* text with line `line` (1-based) replaced by repl (which may hold several lines or be ""
 * to drop it); line 0 prepends repl, a line past the end appends it. */
static char *with_line(const char *text, int line, const char *repl) {
    size_t cap = strlen(text) + strlen(repl) + 2;
    char *out = calloc(1, cap);
    assert_non_null(out);
    const char *p = text;
    int cur = 1;
    if (line == 0) {
        strcat(out, repl);
        strcat(out, "\n");
    }
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
        if (cur == line) {
            if (repl[0] != '\0') {
                strcat(out, repl);
                strcat(out, "\n");
            }
        } else {
            strncat(out, p, len);
        }
        p += len;
        cur++;
    }
    if (line >= cur) {
        strcat(out, repl);
        strcat(out, "\n");
    }
    return out;
}

static void expect_signer_error(const char *text, size_t len, const char *expected) {
    cfg_signer *c = malloc(sizeof *c);
    char err[CFG_ERR_MAX];
    assert_non_null(c);
    int r = cfg_signer_parse(c, err, sizeof err, NAME, text, len, CFG_SKIP_FILE_CHECKS);
    assert_int_equal(r, CFG_E_INVALID);
    assert_string_equal(err, expected);
    assert_int_equal(c->coordinator_port, 0); /* the output is zeroed on error */
    free(c);
}

/* Base signer text with line `line` replaced, parsed without file checks. */
static void expect_signer_line_error(int line, const char *repl, const char *expected) {
    char *base = signer_text("/etc/mpc", "mpcops");
    char *text = with_line(base, line, repl);
    expect_signer_error(text, strlen(text), expected);
    free(text);
    free(base);
}

static void expect_coord_error(int line, const char *repl, const char *expected) {
    cfg_coordinator *c = malloc(sizeof *c);
    char err[CFG_ERR_MAX];
    assert_non_null(c);
    char *text = with_line(coord_base, line, repl);
    int r = cfg_coordinator_parse(c, err, sizeof err, CNAME, text, strlen(text), CFG_SKIP_FILE_CHECKS);
    assert_int_equal(r, CFG_E_INVALID);
    assert_string_equal(err, expected);
    free(text);
    free(c);
}

static void test_signer_valid(void **state) {
    (void)state;
    char *text = signer_text("/etc/mpc", "mpcops");
    cfg_signer *c = malloc(sizeof *c);
    char err[CFG_ERR_MAX];
    assert_non_null(c);
    assert_int_equal(cfg_signer_parse(c, err, sizeof err, NAME, text, strlen(text), CFG_SKIP_FILE_CHECKS), CFG_OK);
    assert_string_equal(err, "");
    assert_string_equal(c->id, "signer-1");
    assert_int_equal(c->party_index, 2);
    assert_string_equal(c->coordinator_id, "coordinator-a");
    assert_string_equal(c->data_dir, "/etc/mpc/data");
    assert_int_equal(c->sealing, CFG_SEALING_PASSPHRASE_FILE);
    assert_string_equal(c->sealing_path, "/etc/mpc/pass");
    assert_string_equal(c->tls.key, "/etc/mpc/key.pem");
    assert_string_equal(c->tls.crl, "");
    assert_string_equal(c->coordinator_address, "coord.example.net");
    assert_int_equal(c->coordinator_port, 7400);
    assert_string_equal(c->operator_socket, "/etc/mpc/run/op.sock");
    assert_string_equal(c->operator_group, "mpcops");
    assert_int_equal(c->round_ms, 20000);
    /* defaults of the keys not given */
    assert_int_equal(c->heartbeat_ms, 10000);
    assert_int_equal(c->reconnect_min_ms, 500);
    assert_int_equal(c->reconnect_max_ms, 60000);
    free(c);
    free(text);
}

static void test_signer_variants_accepted(void **state) {
    (void)state;
    char *base = signer_text("/etc/mpc", "mpcops");
    cfg_signer *c = malloc(sizeof *c);
    char err[CFG_ERR_MAX];
    assert_non_null(c);
    /* CRLF line ends, a BOM, keyfile sealing, an IPv6 coordinator, indented comments. */
    size_t blen = strlen(base);
    char *crlf = malloc(3 + 2 * blen + 1);
    assert_non_null(crlf);
    size_t o = 0;
    memcpy(crlf, "\xEF\xBB\xBF", 3);
    o = 3;
    for (size_t i = 0; i < blen; i++) {
        if (base[i] == '\n') {
            crlf[o++] = '\r';
        }
        crlf[o++] = base[i];
    }
    crlf[o] = '\0';
    assert_int_equal(cfg_signer_parse(c, err, sizeof err, NAME, crlf, o, CFG_SKIP_FILE_CHECKS), CFG_OK);
    assert_int_equal(c->coordinator_port, 7400);
    assert_string_equal(c->operator_group, "mpcops");

    char *t1 = with_line(base, 6, "sealing = keyfile:/etc/mpc/seal.key\n   ; indented comment\n# hash comment");
    char *t2 = with_line(t1, 16, "address = fd00::17");
    assert_int_equal(cfg_signer_parse(c, err, sizeof err, NAME, t2, strlen(t2), CFG_SKIP_FILE_CHECKS), CFG_OK);
    assert_int_equal(c->sealing, CFG_SEALING_KEYFILE);
    assert_string_equal(c->sealing_path, "/etc/mpc/seal.key");
    free(t2);
    free(t1);
    free(crlf);
    free(c);
    free(base);
}

static void test_signer_unknown_key(void **state) {
    (void)state;
    expect_signer_line_error(15, "prot = 7400", NAME ":15: unknown key 'prot' in [coordinator]");
    expect_signer_line_error(3, "ID = signer-1", NAME ":3: unknown key 'ID' in [signer]");
}

static void test_signer_duplicate_key(void **state) {
    (void)state;
    expect_signer_line_error(15, "port = 7400\nport = 7401",
                             NAME ":16: duplicate key 'port' in [coordinator] (first set on line 15)");
}

static void test_signer_sections(void **state) {
    (void)state;
    expect_signer_line_error(20, "[timeout]", NAME ":20: unknown section [timeout]");
    expect_signer_line_error(22, "[tls]\ncrl = /etc/mpc/crl.pem", NAME ":22: duplicate section [tls] (first on line 8)");
    expect_signer_line_error(0, "id = x", NAME ":1: key 'id' outside any section");
    expect_signer_line_error(13, "[coordinator] oops", NAME ":13: text after section header [coordinator]");
    /* an unknown section with no keys is still an error */
    expect_signer_line_error(7, "[extra]", NAME ":7: unknown section [extra]");
}

static void test_signer_missing(void **state) {
    (void)state;
    expect_signer_line_error(10, "", NAME ": missing required key 'cert' in [tls]");
    expect_signer_line_error(3, "", NAME ": missing required key 'id' in [signer]");
    expect_signer_line_error(19, "", NAME ": missing required key 'group' in [operator]");
    expect_signer_line_error(7, "", NAME ": missing required key 'party_index' in [signer]");
    expect_signer_line_error(16, "", NAME ": missing required key 'id' in [coordinator]");
}

static void test_signer_party_and_coordinator_id(void **state) {
    (void)state;
    expect_signer_line_error(7, "party_index = 0", NAME ":7: [signer] party_index: 0 out of range 1..16");
    expect_signer_line_error(7, "party_index = 17", NAME ":7: [signer] party_index: 17 out of range 1..16");
    expect_signer_line_error(7, "party_index = +2", NAME ":7: [signer] party_index: not a decimal number");
    expect_signer_line_error(7, "party_index =", NAME ":7: [signer] party_index: empty value");
    expect_signer_line_error(7, "party_index = 2\nparty_index = 3",
                             NAME ":8: duplicate key 'party_index' in [signer] (first set on line 7)");
    expect_signer_line_error(16, "id = mpc://coordinator/x",
                             NAME ":16: [coordinator] id: not a valid id (1..64 characters of A-Z a-z 0-9 . _ -)");
}

static void test_signer_port_range(void **state) {
    (void)state;
    expect_signer_line_error(15, "port = 70000", NAME ":15: [coordinator] port: 70000 out of range 1..65535");
    expect_signer_line_error(15, "port = 0", NAME ":15: [coordinator] port: 0 out of range 1..65535");
    expect_signer_line_error(15, "port = 99999999999", NAME ":15: [coordinator] port: not a decimal number");
    expect_signer_line_error(15, "port = -1", NAME ":15: [coordinator] port: not a decimal number");
    expect_signer_line_error(15, "port = 74 00", NAME ":15: [coordinator] port: not a decimal number");
    expect_signer_line_error(15, "port = 0x1f", NAME ":15: [coordinator] port: not a decimal number");
    expect_signer_line_error(15, "port =", NAME ":15: [coordinator] port: empty value");
}

static void test_signer_values(void **state) {
    (void)state;
    expect_signer_line_error(3, "id = signer 1",
                             NAME ":3: [signer] id: not a valid id (1..64 characters of A-Z a-z 0-9 . _ -)");
    expect_signer_line_error(4, "data_dir = var/lib/mpc", NAME ":4: [signer] data_dir: must be an absolute path");
    expect_signer_line_error(6, "sealing = tpm:/dev/tpm0",
                             NAME ":6: [signer] sealing: must be passphrase-file:PATH or keyfile:PATH");
    expect_signer_line_error(6, "sealing = keyfile:seal.key", NAME ":6: [signer] sealing: must be an absolute path");
    expect_signer_line_error(14, "address = bad_host!", NAME ":14: [coordinator] address: not a host name or IP address");
    expect_signer_line_error(14, "address = -lead.example", NAME ":14: [coordinator] address: not a host name or IP address");
    expect_signer_line_error(19, "group = Bad Group", NAME ":19: [operator] group: not a valid group name");
    expect_signer_line_error(21, "round_ms = 50", NAME ":21: [timeouts] round_ms: 50 out of range 100..600000");
    expect_signer_line_error(21, "round_ms = 600001", NAME ":21: [timeouts] round_ms: 600001 out of range 100..600000");
    expect_signer_line_error(21, "round_ms = 5000\nreconnect_min_ms = 9000\nreconnect_max_ms = 8000",
                             NAME ":22: [timeouts] reconnect_min_ms (9000) is larger than reconnect_max_ms (8000)");
    /* a socket path longer than sun_path allows */
    char line[160];
    snprintf(line, sizeof line, "socket = /%0120d", 0);
    expect_signer_line_error(18, line, NAME ":18: [operator] socket: path too long");
}

static void test_signer_lines(void **state) {
    (void)state;
    expect_signer_line_error(5, "this line has no equals sign",
                             NAME ":5: syntax error (expected [section], key = value or a comment)");
    expect_signer_line_error(9, "[tls", NAME ":9: syntax error (expected [section], key = value or a comment)");
    expect_signer_line_error(4, "  data_dir = /var/lib/x", NAME ":4: indented line (continuation lines are not supported)");
    char longline[CFG_LINE_MAX + 2];
    memset(longline, 'a', sizeof longline - 1);
    longline[sizeof longline - 1] = '\0';
    memcpy(longline, "; ", 2);
    expect_signer_line_error(12, longline, NAME ":12: line longer than 197 characters");
    longline[CFG_LINE_MAX] = '\0'; /* exactly CFG_LINE_MAX characters: accepted */
    char *base = signer_text("/etc/mpc", "mpcops");
    char *text = with_line(base, 12, longline);
    cfg_signer *c = malloc(sizeof *c);
    char err[CFG_ERR_MAX];
    assert_non_null(c);
    assert_int_equal(cfg_signer_parse(c, err, sizeof err, NAME, text, strlen(text), CFG_SKIP_FILE_CHECKS), CFG_OK);
    /* a NUL byte inside the text (line 3) */
    char *nul = strdup(base);
    assert_non_null(nul);
    char *pos = strstr(nul, "signer-1");
    pos[6] = '\0';
    expect_signer_error(nul, strlen(base), NAME ":3: NUL byte in line");
    /* the first error in file order wins */
    char *two = with_line(base, 15, "prot = 1");
    char *both = with_line(two, 5, "junk");
    expect_signer_error(both, strlen(both), NAME ":5: syntax error (expected [section], key = value or a comment)");
    free(both);
    free(two);
    free(nul);
    free(c);
    free(text);
    free(base);
}

/* ---- file checks against real files ---- */

typedef struct fixture {
    char dir[64];
    char group[CFG_GROUP_MAX + 1];
} fixture;

static void write_file(const char *dir, const char *name, mode_t mode) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "x\n", 2), 2);
    close(fd);
    assert_int_equal(chmod(path, mode), 0);
}

static void path_of(char *out, size_t cap, const fixture *f, const char *name) {
    snprintf(out, cap, "%s/%s", f->dir, name);
}

static int fixture_setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    strcpy(f->dir, "/tmp/mpc-cfg-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char p[256];
    path_of(p, sizeof p, f, "data");
    assert_int_equal(mkdir(p, 0700), 0);
    path_of(p, sizeof p, f, "run");
    assert_int_equal(mkdir(p, 0700), 0);
    write_file(f->dir, "enclave", 0700);
    write_file(f->dir, "pass", 0600);
    write_file(f->dir, "ca.pem", 0644);
    write_file(f->dir, "cert.pem", 0644);
    write_file(f->dir, "key.pem", 0600);
    struct group *g = getgrgid(getgid());
    assert_non_null(g);
    snprintf(f->group, sizeof f->group, "%s", g->gr_name);
    *state = f;
    return 0;
}

static int fixture_teardown(void **state) {
    fixture *f = *state;
    static const char *const files[] = {"enclave", "pass",      "ca.pem", "cert.pem",
                                        "key.pem", "crl.pem", "approvers", "assets"};
    char p[256];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        path_of(p, sizeof p, f, files[i]);
        unlink(p);
    }
    path_of(p, sizeof p, f, "data");
    rmdir(p);
    path_of(p, sizeof p, f, "run");
    rmdir(p);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Parses the template over the fixture with file checks on; returns the result, err filled. */
static int parse_fixture(const fixture *f, int line, const char *repl, char *err, size_t errlen) {
    char *base = signer_text(f->dir, f->group);
    char *text = line > 0 ? with_line(base, line, repl) : strdup(base);
    cfg_signer *c = malloc(sizeof *c);
    assert_non_null(text);
    assert_non_null(c);
    int r = cfg_signer_parse(c, err, errlen, NAME, text, strlen(text), 0);
    free(c);
    free(text);
    free(base);
    return r;
}

static void test_files_ok(void **state) {
    fixture *f = *state;
    char err[CFG_ERR_MAX];
    assert_int_equal(parse_fixture(f, 0, "", err, sizeof err), CFG_OK);
}

static void test_files_unreadable(void **state) {
    fixture *f = *state;
    char err[CFG_ERR_MAX], want[CFG_ERR_MAX], p[256];
    char line[600];
    path_of(p, sizeof p, f, "cert.pem");
    unlink(p);
    assert_int_equal(parse_fixture(f, 0, "", err, sizeof err), CFG_E_INVALID);
    snprintf(want, sizeof want, NAME ":10: [tls] cert: file not readable: %s (No such file or directory)", p);
    assert_string_equal(err, want);
    write_file(f->dir, "cert.pem", 0644);

    /* the optional CRL is checked once configured */
    path_of(p, sizeof p, f, "crl.pem");
    snprintf(line, sizeof line, "key = %s/key.pem\ncrl = %s", f->dir, p);
    assert_int_equal(parse_fixture(f, 11, line, err, sizeof err), CFG_E_INVALID);
    snprintf(want, sizeof want, NAME ":12: [tls] crl: file not readable: %s (No such file or directory)", p);
    assert_string_equal(err, want);
    write_file(f->dir, "crl.pem", 0644);
    assert_int_equal(parse_fixture(f, 11, line, err, sizeof err), CFG_OK);

    /* a directory where a file is expected */
    snprintf(line, sizeof line, "ca = %s/data", f->dir);
    assert_int_equal(parse_fixture(f, 9, line, err, sizeof err), CFG_E_INVALID);
    snprintf(want, sizeof want, NAME ":9: [tls] ca: not a regular file: %s/data", f->dir);
    assert_string_equal(err, want);
}

static void test_files_private(void **state) {
    fixture *f = *state;
    char err[CFG_ERR_MAX], want[CFG_ERR_MAX], p[256];
    path_of(p, sizeof p, f, "key.pem");
    assert_int_equal(chmod(p, 0640), 0);
    assert_int_equal(parse_fixture(f, 0, "", err, sizeof err), CFG_E_INVALID);
    snprintf(want, sizeof want,
             NAME ":11: [tls] key: file is accessible by group or others (mode 0640): %s; chmod 600 it", p);
    assert_string_equal(err, want);
    assert_int_equal(chmod(p, 0600), 0);
    path_of(p, sizeof p, f, "pass");
    assert_int_equal(chmod(p, 0604), 0);
    assert_int_equal(parse_fixture(f, 0, "", err, sizeof err), CFG_E_INVALID);
    snprintf(want, sizeof want,
             NAME ":6: [signer] sealing: file is accessible by group or others (mode 0604): %s; chmod 600 it", p);
    assert_string_equal(err, want);
    assert_int_equal(chmod(p, 0600), 0);
}

static void test_files_exec_dirs_group(void **state) {
    fixture *f = *state;
    char err[CFG_ERR_MAX], want[CFG_ERR_MAX], p[256], line[600];
    path_of(p, sizeof p, f, "enclave");
    assert_int_equal(chmod(p, 0600), 0);
    assert_int_equal(parse_fixture(f, 0, "", err, sizeof err), CFG_E_INVALID);
    snprintf(want, sizeof want, NAME ":5: [signer] enclave_path: not an executable file: %s", p);
    assert_string_equal(err, want);
    assert_int_equal(chmod(p, 0700), 0);

    snprintf(line, sizeof line, "data_dir = %s/ca.pem", f->dir);
    assert_int_equal(parse_fixture(f, 4, line, err, sizeof err), CFG_E_INVALID);
    snprintf(want, sizeof want, NAME ":4: [signer] data_dir: not a writable directory: %s/ca.pem", f->dir);
    assert_string_equal(err, want);

    snprintf(line, sizeof line, "socket = %s/nodir/op.sock", f->dir);
    assert_int_equal(parse_fixture(f, 18, line, err, sizeof err), CFG_E_INVALID);
    snprintf(want, sizeof want,
             NAME ":18: [operator] socket: directory %s/nodir does not exist or is not writable", f->dir);
    assert_string_equal(err, want);

    assert_int_equal(parse_fixture(f, 19, "group = nosuchgroup-mpc-test", err, sizeof err), CFG_E_INVALID);
    assert_string_equal(err, NAME ":19: [operator] group: group 'nosuchgroup-mpc-test' does not exist");
}

static void test_load_file(void **state) {
    fixture *f = *state;
    char err[CFG_ERR_MAX], want[CFG_ERR_MAX], p[256];
    cfg_signer *c = malloc(sizeof *c);
    assert_non_null(c);
    path_of(p, sizeof p, f, "missing.ini");
    assert_int_equal(cfg_signer_load(c, err, sizeof err, p, 0), CFG_E_IO);
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", p);
    assert_string_equal(err, want);
    /* the file name in messages is the path given */
    path_of(p, sizeof p, f, "bad.ini");
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs("[signer]\nprot = 1\n", fp);
    fclose(fp);
    assert_int_equal(cfg_signer_load(c, err, sizeof err, p, CFG_SKIP_FILE_CHECKS), CFG_E_INVALID);
    snprintf(want, sizeof want, "%s:2: unknown key 'prot' in [signer]", p);
    assert_string_equal(err, want);
    /* with file checks on, a configuration others can modify is refused before it is read */
    assert_int_equal(chmod(p, 0664), 0);
    assert_int_equal(cfg_signer_load(c, err, sizeof err, p, 0), CFG_E_INVALID);
    snprintf(want, sizeof want, "%s: writable by group or others (mode 0664); chmod go-w it", p);
    assert_string_equal(err, want);
    unlink(p);
    free(c);
}

/* ---- [policy] ---- */

/* Addresses from the official EIP-55 vectors (MPC_VECTORS_DIR/ethereum/eips/eip55.json): mixed
 * case with a valid checksum, all caps and all lower; the bytes below are written out by hand. */
#define ADDR_A "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
#define ADDR_B "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"
#define ADDR_C "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB"
#define ADDR_D "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"
#define ADDR_E "0x52908400098527886E0F7030069857D2E4169EE7"
#define ADDR_F "0x8617E340B3D01FA5F11F306F4090FD50E238070D"
#define ADDR_G "0xde709f2102306220921060314715629080e2fb77"
#define ADDR_H "0x27b1fdb04752bbc536007a920d24acb045561c26"

static const uint8_t addr_a[20] = {0x5a, 0xae, 0xb6, 0x05, 0x3f, 0x3e, 0x94, 0xc9, 0xb9, 0xa0,
                                   0x9f, 0x33, 0x66, 0x94, 0x35, 0xe7, 0xef, 0x1b, 0xea, 0xed};
static const uint8_t addr_e[20] = {0x52, 0x90, 0x84, 0x00, 0x09, 0x85, 0x27, 0x88, 0x6e, 0x0f,
                                   0x70, 0x30, 0x06, 0x98, 0x57, 0xd2, 0xe4, 0x16, 0x9e, 0xe7};
static const uint8_t addr_g[20] = {0xde, 0x70, 0x9f, 0x21, 0x02, 0x30, 0x62, 0x20, 0x92, 0x10,
                                   0x60, 0x31, 0x47, 0x15, 0x62, 0x90, 0x80, 0xe2, 0xfb, 0x77};
static const uint8_t addr_h[20] = {0x27, 0xb1, 0xfd, 0xb0, 0x47, 0x52, 0xbb, 0xc5, 0x36, 0x00,
                                   0x7a, 0x92, 0x0d, 0x24, 0xac, 0xb0, 0x45, 0x56, 0x1c, 0x26};

/* The signer template with policy appended from line 22 on; parsed without file checks into c. */
static int parse_policy(cfg_signer *c, char *err, size_t errlen, const char *policy) {
    char *base = signer_text("/etc/mpc", "mpcops");
    char *text = with_line(base, 22, policy);
    int r = cfg_signer_parse(c, err, errlen, NAME, text, strlen(text), CFG_SKIP_FILE_CHECKS);
    free(text);
    free(base);
    return r;
}

static void expect_policy_ok(cfg_signer *c, const char *policy) {
    char err[CFG_ERR_MAX];
    int r = parse_policy(c, err, sizeof err, policy);
    if (r != CFG_OK) {
        fail_msg("%s", err);
    }
}

static void expect_policy_error(const char *policy, const char *expected) {
    expect_signer_line_error(22, policy, expected);
}

static void test_policy_absent(void **state) {
    (void)state;
    cfg_signer *c = malloc(sizeof *c);
    assert_non_null(c);
    expect_policy_ok(c, "");
    assert_int_equal(c->has_policy, 0);
    /* no defaults without the section: nothing here could be mistaken for a policy */
    assert_string_equal(c->policy.approvers, "");
    assert_true(c->policy.chain_id == 0);
    assert_string_equal(c->policy.native_symbol, "");
    assert_int_equal(c->policy.n_multisend, 0);
    assert_int_equal(c->policy.btc_network, 0);
    free(c);
}

static void test_policy_full(void **state) {
    (void)state;
    cfg_signer *c = malloc(sizeof *c);
    assert_non_null(c);
    expect_policy_ok(c, "[policy] ; the enclave's signing policy\n"     /* 22 */
                        "approvers = /etc/mpc/approvers.txt\n"          /* 23 */
                        "chain_id = 4611686018427387904\n"              /* 24: 2^62 */
                        "native_symbol = MATIC\n"                       /* 25 */
                        "asset_registry = /etc/mpc/assets.txt\n"        /* 26 */
                        "multisend_call_only = " ADDR_A ",  " ADDR_G "\n" /* 27 */
                        "multisend_call_only = " ADDR_E "\n"            /* 28 */
                        "btc_network = signet");                        /* 29 */
    assert_int_equal(c->has_policy, 1);
    assert_string_equal(c->policy.approvers, "/etc/mpc/approvers.txt");
    assert_true(c->policy.chain_id == UINT64_C(4611686018427387904));
    assert_string_equal(c->policy.native_symbol, "MATIC");
    assert_string_equal(c->policy.asset_registry, "/etc/mpc/assets.txt");
    assert_int_equal(c->policy.n_multisend, 3);
    assert_memory_equal(c->policy.multisend[0], addr_a, 20);
    assert_memory_equal(c->policy.multisend[1], addr_g, 20);
    assert_memory_equal(c->policy.multisend[2], addr_e, 20);
    assert_int_equal(c->policy.btc_network, 3);
    /* the other sections are unaffected */
    assert_int_equal(c->round_ms, 20000);
    assert_int_equal(c->coordinator_port, 7400);
    free(c);
}

static void test_policy_defaults_and_limits(void **state) {
    (void)state;
    cfg_signer *c = malloc(sizeof *c);
    assert_non_null(c);
    expect_policy_ok(c, "[policy]\napprovers = /etc/mpc/approvers.txt");
    assert_int_equal(c->has_policy, 1);
    assert_true(c->policy.chain_id == 1);
    assert_string_equal(c->policy.native_symbol, "ETH");
    assert_string_equal(c->policy.asset_registry, "");
    assert_int_equal(c->policy.n_multisend, 0);
    assert_int_equal(c->policy.btc_network, 1);

    static const struct { const char *name; uint32_t id; } nets[] = {
        {"main", 1}, {"testnet", 2}, {"signet", 3}, {"regtest", 4},
    };
    char line[128];
    for (size_t i = 0; i < sizeof nets / sizeof nets[0]; i++) {
        snprintf(line, sizeof line, "[policy]\napprovers = /a\nbtc_network = %s", nets[i].name);
        expect_policy_ok(c, line);
        assert_int_equal(c->policy.btc_network, nets[i].id);
    }
    expect_policy_ok(c, "[policy]\napprovers = /a\nchain_id = 1\nnative_symbol = ABCDEFGHIJ1");
    assert_true(c->policy.chain_id == 1);
    assert_string_equal(c->policy.native_symbol, "ABCDEFGHIJ1");

    /* four addresses fill a line (196 characters); eight in all is the limit */
    expect_policy_ok(c, "[policy]\napprovers = /a\n"
                        "multisend_call_only = " ADDR_A ", " ADDR_B ", " ADDR_C ", " ADDR_D "\n"
                        "multisend_call_only = " ADDR_E ", " ADDR_F ", " ADDR_G ", " ADDR_H);
    assert_int_equal(c->policy.n_multisend, 8);
    assert_memory_equal(c->policy.multisend[0], addr_a, 20);
    assert_memory_equal(c->policy.multisend[7], addr_h, 20);
    free(c);
}

static void test_policy_section_and_keys(void **state) {
    (void)state;
    expect_policy_error("[policy]", NAME ": missing required key 'approvers' in [policy]");
    expect_policy_error("[policy]\nchain_id = 5\nbtc_network = regtest",
                        NAME ": missing required key 'approvers' in [policy]");
    expect_policy_error("[policy]\napprovers = /a\nchainid = 1", NAME ":24: unknown key 'chainid' in [policy]");
    expect_policy_error("[policy]\napprovers = /a\napprovers = /b",
                        NAME ":24: duplicate key 'approvers' in [policy] (first set on line 23)");
    expect_policy_error("[policy]\napprovers = /a\nbtc_network = main\nchain_id = 1\nbtc_network = main",
                        NAME ":26: duplicate key 'btc_network' in [policy] (first set on line 24)");
    expect_policy_error("[policy]\napprovers = /a\nnative_symbol = ETH\nnative_symbol = ETH",
                        NAME ":25: duplicate key 'native_symbol' in [policy] (first set on line 24)");
    expect_policy_error("[policy]\napprovers = /a\n[policy]", NAME ":24: duplicate section [policy] (first on line 22)");
    expect_policy_error("[Policy]\napprovers = /a", NAME ":22: unknown section [Policy]");
    expect_policy_error("[policy] x\napprovers = /a", NAME ":22: text after section header [policy]");
    /* policy keys belong to [policy] only */
    expect_signer_line_error(21, "chain_id = 1", NAME ":21: unknown key 'chain_id' in [timeouts]");
}

static void test_policy_values(void **state) {
    (void)state;
    expect_policy_error("[policy]\napprovers = etc/mpc/approvers.txt",
                        NAME ":23: [policy] approvers: must be an absolute path");
    expect_policy_error("[policy]\napprovers =", NAME ":23: [policy] approvers: empty value");
    expect_policy_error("[policy]\napprovers = /a\nasset_registry = assets.txt",
                        NAME ":24: [policy] asset_registry: must be an absolute path");

    static const struct { const char *value; const char *problem; } chain_ids[] = {
        {"0", "0 out of range 1..4611686018427387904"},
        {"4611686018427387905", "4611686018427387905 out of range 1..4611686018427387904"},
        {"18446744073709551615", "18446744073709551615 out of range 1..4611686018427387904"},
        {"18446744073709551616", "not a decimal number"},
        {"-1", "not a decimal number"},
        {"+1", "not a decimal number"},
        {"0x1", "not a decimal number"},
        {"1 2", "not a decimal number"},
        {"1e3", "not a decimal number"},
    };
    char policy[160], want[CFG_ERR_MAX];
    for (size_t i = 0; i < sizeof chain_ids / sizeof chain_ids[0]; i++) {
        snprintf(policy, sizeof policy, "[policy]\napprovers = /a\nchain_id = %s", chain_ids[i].value);
        snprintf(want, sizeof want, NAME ":24: [policy] chain_id: %s", chain_ids[i].problem);
        expect_policy_error(policy, want);
    }
    expect_policy_error("[policy]\napprovers = /a\nchain_id =", NAME ":24: [policy] chain_id: empty value");

    static const char *const symbols[] = {"ABCDEFGHIJKL", "USDC.e", "x-DAI", "E_TH", "\xc3\x89TH", "ET H"};
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        snprintf(policy, sizeof policy, "[policy]\napprovers = /a\nnative_symbol = %s", symbols[i]);
        expect_policy_error(policy, NAME ":24: [policy] native_symbol: must be 1..11 characters of A-Z a-z 0-9");
    }
    expect_policy_error("[policy]\napprovers = /a\nnative_symbol =", NAME ":24: [policy] native_symbol: empty value");

    static const char *const nets[] = {"mainnet", "Main", "1", "testnet3", "regtest x"};
    for (size_t i = 0; i < sizeof nets / sizeof nets[0]; i++) {
        snprintf(policy, sizeof policy, "[policy]\napprovers = /a\nbtc_network = %s", nets[i]);
        expect_policy_error(policy, NAME ":24: [policy] btc_network: must be main, testnet, signet or regtest");
    }
    expect_policy_error("[policy]\napprovers = /a\nbtc_network =", NAME ":24: [policy] btc_network: empty value");
}

static void test_policy_multisend(void **state) {
    (void)state;
    /* the case of one letter flipped: the EIP-55 checksum catches it */
    expect_policy_error("[policy]\napprovers = /a\nmultisend_call_only = 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",
                        NAME ":24: [policy] multisend_call_only: 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD: "
                             "mixed-case address does not match its EIP-55 checksum (mistyped?)");
    static const char *const bad[] = {
        "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",     /* no 0x */
        "0X5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",   /* 0X */
        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae",    /* 39 digits */
        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed0",  /* 41 digits */
        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg",   /* not hex */
        "0x5aaeb6053f3e94c9b9a0 9f33669435e7ef1beaed",  /* a space inside */
        "0x",
    };
    char policy[256], want[CFG_ERR_MAX];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(policy, sizeof policy, "[policy]\napprovers = /a\nmultisend_call_only = %s", bad[i]);
        snprintf(want, sizeof want, NAME ":24: [policy] multisend_call_only: '%s' is not 0x followed by 40 hex digits",
                 bad[i]);
        expect_policy_error(policy, want);
    }
    static const char *const empty_entry[] = {ADDR_A ",", ", " ADDR_A, ADDR_A ",," ADDR_B, ADDR_A ",  , " ADDR_B};
    for (size_t i = 0; i < sizeof empty_entry / sizeof empty_entry[0]; i++) {
        snprintf(policy, sizeof policy, "[policy]\napprovers = /a\nmultisend_call_only = %s", empty_entry[i]);
        expect_policy_error(policy, NAME ":24: [policy] multisend_call_only: empty entry in the address list");
    }
    expect_policy_error("[policy]\napprovers = /a\nmultisend_call_only =",
                        NAME ":24: [policy] multisend_call_only: empty value");
    /* the same address twice, in another case, on the same line or a later one */
    expect_policy_error("[policy]\napprovers = /a\nmultisend_call_only = " ADDR_A ", 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
                        NAME ":24: [policy] multisend_call_only: 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed listed "
                             "twice (first on line 24)");
    expect_policy_error("[policy]\napprovers = /a\nmultisend_call_only = " ADDR_B ", " ADDR_A "\nchain_id = 5\n"
                        "multisend_call_only = 0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED",
                        NAME ":26: [policy] multisend_call_only: 0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED listed "
                             "twice (first on line 24)");
    /* a ninth address */
    expect_policy_error("[policy]\napprovers = /a\n"
                        "multisend_call_only = " ADDR_A ", " ADDR_B ", " ADDR_C ", " ADDR_D "\n"
                        "multisend_call_only = " ADDR_E ", " ADDR_F ", " ADDR_G "\n"
                        "multisend_call_only = " ADDR_H ", 0x0000000000000000000000000000000000000001",
                        NAME ":26: [policy] multisend_call_only: more than 8 addresses");
    /* five do not fit on one line: the key is repeated instead */
    expect_policy_error("[policy]\napprovers = /a\n"
                        "multisend_call_only = " ADDR_A ", " ADDR_B ", " ADDR_C ", " ADDR_D ", " ADDR_E,
                        NAME ":24: line longer than 197 characters");
}

static void write_sized(const char *dir, const char *name, mode_t mode, size_t size) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *buf = malloc(size + 1);
    assert_non_null(buf);
    memset(buf, '#', size);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, size), (ssize_t)size);
    close(fd);
    assert_int_equal(chmod(path, mode), 0);
    free(buf);
}

/* The fixture's configuration with a [policy] naming the fixture's approvers and assets files. */
static int parse_fixture_policy(const fixture *f, char *err, size_t errlen) {
    char policy[600];
    snprintf(policy, sizeof policy, "round_ms = 20000\n[policy]\napprovers = %s/approvers\nasset_registry = %s/assets",
             f->dir, f->dir);
    return parse_fixture(f, 21, policy, err, errlen);
}

static void test_policy_files(void **state) {
    fixture *f = *state;
    char err[CFG_ERR_MAX], want[CFG_ERR_MAX], p[256], line[600];
    write_sized(f->dir, "approvers", 0644, 100);
    write_sized(f->dir, "assets", 0644, 100);
    assert_int_equal(parse_fixture_policy(f, err, sizeof err), CFG_OK);

    path_of(p, sizeof p, f, "approvers");
    unlink(p);
    assert_int_equal(parse_fixture_policy(f, err, sizeof err), CFG_E_INVALID);
    snprintf(want, sizeof want, NAME ":23: [policy] approvers: file not readable: %s (No such file or directory)", p);
    assert_string_equal(err, want);

    write_sized(f->dir, "approvers", 0444, CFG_POLICY_FILE_MAX);
    assert_int_equal(parse_fixture_policy(f, err, sizeof err), CFG_OK);
    write_sized(f->dir, "approvers", 0644, CFG_POLICY_FILE_MAX + 1);
    assert_int_equal(parse_fixture_policy(f, err, sizeof err), CFG_E_INVALID);
    snprintf(want, sizeof want, NAME ":23: [policy] approvers: file larger than 65536 bytes: %s", p);
    assert_string_equal(err, want);

    write_sized(f->dir, "approvers", 0664, 100);
    assert_int_equal(parse_fixture_policy(f, err, sizeof err), CFG_E_INVALID);
    snprintf(want, sizeof want,
             NAME ":23: [policy] approvers: file is writable by group or others (mode 0664): %s; chmod go-w it", p);
    assert_string_equal(err, want);
    write_sized(f->dir, "approvers", 0646, 100);
    assert_int_equal(parse_fixture_policy(f, err, sizeof err), CFG_E_INVALID);
    snprintf(want, sizeof want,
             NAME ":23: [policy] approvers: file is writable by group or others (mode 0646): %s; chmod go-w it", p);
    assert_string_equal(err, want);
    write_sized(f->dir, "approvers", 0600, 100);

    path_of(p, sizeof p, f, "assets");
    write_sized(f->dir, "assets", 0644, CFG_POLICY_FILE_MAX + 1);
    assert_int_equal(parse_fixture_policy(f, err, sizeof err), CFG_E_INVALID);
    snprintf(want, sizeof want, NAME ":24: [policy] asset_registry: file larger than 65536 bytes: %s", p);
    assert_string_equal(err, want);
    write_sized(f->dir, "assets", 0644, 0);
    assert_int_equal(parse_fixture_policy(f, err, sizeof err), CFG_OK);

    snprintf(line, sizeof line, "round_ms = 20000\n[policy]\napprovers = %s/data", f->dir);
    assert_int_equal(parse_fixture(f, 21, line, err, sizeof err), CFG_E_INVALID);
    snprintf(want, sizeof want, NAME ":23: [policy] approvers: not a regular file: %s/data", f->dir);
    assert_string_equal(err, want);
}

/* ---- coordinator ---- */

static void test_coordinator_valid(void **state) {
    (void)state;
    static const uint8_t pk2[32] = {0x3d, 0x40, 0x17, 0xc3, 0xe8, 0x43, 0x89, 0x5a, 0x92, 0xb7, 0x0a,
                                    0xa7, 0x4d, 0x1b, 0x7e, 0xbc, 0x9c, 0x98, 0x2c, 0xcf, 0x2e, 0xc4,
                                    0x96, 0x8c, 0xc0, 0xcd, 0x55, 0xf1, 0x2a, 0xf4, 0x66, 0x0c};
    cfg_coordinator *c = malloc(sizeof *c);
    char err[CFG_ERR_MAX];
    assert_non_null(c);
    assert_int_equal(cfg_coordinator_parse(c, err, sizeof err, CNAME, coord_base, strlen(coord_base),
                                           CFG_SKIP_FILE_CHECKS),
                     CFG_OK);
    assert_string_equal(c->listen_address, "127.0.0.1");
    assert_int_equal(c->port, 7400);
    assert_string_equal(c->database, "/var/lib/mpc/coordinator.db");
    assert_int_equal(c->n_signers, 2);
    assert_string_equal(c->signers[0].id, "signer-1");
    assert_string_equal(c->signers[1].id, "signer-2");
    assert_memory_equal(c->signers[1].identity_pk, pk2, 32);
    assert_int_equal(c->n_requesters, 2);
    assert_string_equal(c->requesters[0].id, "backend");
    assert_int_equal(c->requesters[0].perms, CFG_PERM_SIGN);
    assert_int_equal(c->requesters[1].perms, CFG_PERM_SIGN | CFG_PERM_KEYGEN | CFG_PERM_REFRESH);
    assert_int_equal(c->approval_ms, 3600000);
    assert_int_equal(c->db_busy_ms, 5000);
    free(c);
}

static void test_coordinator_errors(void **state) {
    (void)state;
    expect_coord_error(3, "prot = 7400", CNAME ":3: unknown key 'prot' in [coordinator]");
    expect_coord_error(2, "listen = coord.example.net", CNAME ":2: [coordinator] listen: not an IPv4 or IPv6 address");
    expect_coord_error(3, "port = 65536", CNAME ":3: [coordinator] port: 65536 out of range 1..65535");
    expect_coord_error(4, "", CNAME ": missing required key 'database' in [coordinator]");
    expect_coord_error(11, "signer-1 = " PK2, CNAME ":11: duplicate key 'signer-1' in [signers] (first set on line 10)");
    expect_coord_error(11, "signer-2 = " PK1, CNAME ":11: [signers] signer-2: same identity key as 'signer-1' (line 10)");
    expect_coord_error(11, "signer-2 = " PK2 "00", CNAME ":11: [signers] signer-2: identity key must be 64 hex digits");
    expect_coord_error(11, "signer-2 = 3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660g",
                       CNAME ":11: [signers] signer-2: identity key must be 64 hex digits");
    /* the identity element (small order) and a non-canonical encoding are not usable keys */
    expect_coord_error(11, "signer-2 = 0100000000000000000000000000000000000000000000000000000000000000",
                       CNAME ":11: [signers] signer-2: not a valid Ed25519 public key");
    expect_coord_error(11, "signer-2 = ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                       CNAME ":11: [signers] signer-2: not a valid Ed25519 public key");
    expect_coord_error(11, "signer/2 = " PK2, CNAME ":11: [signers] 'signer/2': not a valid signer id");
    expect_coord_error(13, "backend = sign, withdraw",
                       CNAME ":13: [requesters] backend: unknown permission 'withdraw' (sign, keygen, refresh)");
    expect_coord_error(13, "backend = sign,,keygen", CNAME ":13: [requesters] backend: unknown permission '' (sign, keygen, refresh)");
    expect_coord_error(13, "backend = sign, sign", CNAME ":13: [requesters] backend: permission listed twice");
    expect_coord_error(14, "backend = sign", CNAME ":14: duplicate key 'backend' in [requesters] (first set on line 13)");
}

static void test_coordinator_sets_required(void **state) {
    (void)state;
    char *no_signers = with_line(coord_base, 9, "");
    char *t2 = with_line(no_signers, 9, "");
    char *t3 = with_line(t2, 9, "");
    cfg_coordinator *c = malloc(sizeof *c);
    char err[CFG_ERR_MAX];
    assert_non_null(c);
    assert_int_equal(cfg_coordinator_parse(c, err, sizeof err, CNAME, t3, strlen(t3), CFG_SKIP_FILE_CHECKS),
                     CFG_E_INVALID);
    assert_string_equal(err, CNAME ": [signers]: at least one signer is required");
    char *no_req = with_line(coord_base, 12, "");
    char *r2 = with_line(no_req, 12, "");
    char *r3 = with_line(r2, 12, "");
    assert_int_equal(cfg_coordinator_parse(c, err, sizeof err, CNAME, r3, strlen(r3), CFG_SKIP_FILE_CHECKS),
                     CFG_E_INVALID);
    assert_string_equal(err, CNAME ": [requesters]: at least one requester is required");
    free(r3);
    free(r2);
    free(no_req);
    free(t3);
    free(t2);
    free(no_signers);
    free(c);
}

/* ---- the shipped examples ---- */

static void test_examples_parse(void **state) {
    (void)state;
    char err[CFG_ERR_MAX];
    cfg_signer *s = malloc(sizeof *s);
    cfg_coordinator *c = malloc(sizeof *c);
    assert_non_null(s);
    assert_non_null(c);
    /* The examples name /etc paths that do not exist here: the file checks are skipped (and
     * exercised above against real files instead). */
    int r = cfg_signer_load(s, err, sizeof err, MPC_SOURCE_DIR "/deploy/examples/signer.ini", CFG_SKIP_FILE_CHECKS);
    if (r != CFG_OK) {
        fail_msg("%s", err);
    }
    assert_string_equal(s->id, "signer-1");
    assert_int_equal(s->party_index, 1);
    assert_string_equal(s->coordinator_id, "coordinator");
    assert_string_equal(s->tls.crl, "/etc/mpc/ca.crl");
    assert_int_equal(s->coordinator_port, 7400);
    assert_int_equal(s->reconnect_max_ms, 60000);
    assert_int_equal(s->has_policy, 0); /* the [policy] example is commented out */
    r = cfg_coordinator_load(c, err, sizeof err, MPC_SOURCE_DIR "/deploy/examples/coordinator.ini",
                             CFG_SKIP_FILE_CHECKS);
    if (r != CFG_OK) {
        fail_msg("%s", err);
    }
    assert_int_equal(c->n_signers, 3);
    assert_string_equal(c->signers[2].id, "signer-3");
    assert_int_equal(c->n_requesters, 2);
    assert_int_equal(c->requesters[1].perms, CFG_PERM_SIGN | CFG_PERM_KEYGEN | CFG_PERM_REFRESH);
    free(c);
    free(s);
}

/* The commented-out [policy] example of signer.ini, enabled the way its comment says: removing
 * the ';' of the lines that have no space after it. */
static void test_example_policy(void **state) {
    (void)state;
    /* Safe v1.3.0 MultiSendCallOnly, 0x40A2aCCbd92BCA938b02010E17A5b8929b49130D */
    static const uint8_t multisend[20] = {0x40, 0xa2, 0xac, 0xcb, 0xd9, 0x2b, 0xca, 0x93, 0x8b, 0x02,
                                          0x01, 0x0e, 0x17, 0xa5, 0xb8, 0x92, 0x9b, 0x49, 0x13, 0x0d};
    FILE *fp = fopen(MPC_SOURCE_DIR "/deploy/examples/signer.ini", "r");
    assert_non_null(fp);
    char *text = calloc(1, 65536);
    assert_non_null(text);
    char line[256];
    size_t o = 0;
    int enabled = 0;
    while (fgets(line, sizeof line, fp) != NULL) {
        const char *from = line;
        if (line[0] == ';' && line[1] != ' ' && line[1] != '\n' && line[1] != '\0') {
            from = line + 1;
            enabled++;
        }
        size_t n = strlen(from);
        assert_true(o + n < 65536);
        memcpy(text + o, from, n);
        o += n;
    }
    fclose(fp);
    assert_int_equal(enabled, 7);
    cfg_signer *s = malloc(sizeof *s);
    char err[CFG_ERR_MAX];
    assert_non_null(s);
    if (cfg_signer_parse(s, err, sizeof err, NAME, text, o, CFG_SKIP_FILE_CHECKS) != CFG_OK) {
        fail_msg("%s", err);
    }
    assert_int_equal(s->has_policy, 1);
    assert_string_equal(s->policy.approvers, "/etc/mpc/approvers.txt");
    assert_true(s->policy.chain_id == 1);
    assert_string_equal(s->policy.native_symbol, "ETH");
    assert_string_equal(s->policy.asset_registry, "/etc/mpc/assets.txt");
    assert_int_equal(s->policy.n_multisend, 1);
    assert_memory_equal(s->policy.multisend[0], multisend, 20);
    assert_int_equal(s->policy.btc_network, 1);
    free(s);
    free(text);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signer_valid),
        cmocka_unit_test(test_signer_variants_accepted),
        cmocka_unit_test(test_signer_unknown_key),
        cmocka_unit_test(test_signer_duplicate_key),
        cmocka_unit_test(test_signer_sections),
        cmocka_unit_test(test_signer_missing),
        cmocka_unit_test(test_signer_party_and_coordinator_id),
        cmocka_unit_test(test_signer_port_range),
        cmocka_unit_test(test_signer_values),
        cmocka_unit_test(test_signer_lines),
        cmocka_unit_test_setup_teardown(test_files_ok, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_files_unreadable, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_files_private, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_files_exec_dirs_group, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_load_file, fixture_setup, fixture_teardown),
        cmocka_unit_test(test_policy_absent),
        cmocka_unit_test(test_policy_full),
        cmocka_unit_test(test_policy_defaults_and_limits),
        cmocka_unit_test(test_policy_section_and_keys),
        cmocka_unit_test(test_policy_values),
        cmocka_unit_test(test_policy_multisend),
        cmocka_unit_test_setup_teardown(test_policy_files, fixture_setup, fixture_teardown),
        cmocka_unit_test(test_coordinator_valid),
        cmocka_unit_test(test_coordinator_errors),
        cmocka_unit_test(test_coordinator_sets_required),
        cmocka_unit_test(test_examples_parse),
        cmocka_unit_test(test_example_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
