/*
 * INI configuration of the daemons. libinih splits lines into (section, key, value); everything
 * else is here: a table per daemon describes each key (section, type, range, required, default,
 * file check) and one generic validator walks it.
 *
 * libinih is fed through ini_parse_stream with a memory reader rather than ini_parse_string so
 * that the reader knows the physical line of every call (libinih's handler gets no line number
 * in the Debian build) and can reject what libinih would accept silently: over-long lines (which
 * it splits into several "lines"), NUL bytes, indented continuation lines, unknown or repeated
 * [section] headers (it never calls the handler for an empty section).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <ini.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net.h"
#include "payload/addr_eth.h"

#define CFG_FILE_MAX (64 * 1024)

typedef enum {
    T_ID,       /* net_id_valid */
    T_PATH,     /* absolute path, at most cap - 1 bytes */
    T_HOST,     /* DNS name or IP literal */
    T_IPADDR,   /* IPv4 or IPv6 literal */
    T_PORT,     /* min..max, stored as uint16_t */
    T_MS,       /* min..max, stored as uint32_t (with a default when optional) */
    T_UINT,     /* min..max, stored as uint32_t (required: no default) */
    T_U64,      /* min..max, stored as uint64_t */
    T_SEALING,  /* passphrase-file:PATH | keyfile:PATH */
    T_GROUP,    /* POSIX group name */
    T_SYMBOL,   /* 1..cap - 1 of A-Z a-z 0-9 */
    T_BTC_NET,  /* main | testnet | signet | regtest, stored as uint32_t CFG_BTC_* */
    T_ADDR_LIST /* 0x-prefixed Ethereum addresses separated by ',', up to max in all; repeatable */
} value_type;

typedef enum {
    CHK_NONE,
    CHK_READ,         /* a readable regular file */
    CHK_READ_PRIVATE, /* the same, and no permission bits for group or others */
    CHK_READ_TRUSTED, /* the same as CHK_READ, at most max_size bytes, not writable by group or others */
    CHK_EXEC,         /* an executable regular file */
    CHK_DIR_WRITABLE, /* an existing directory we can write */
    CHK_PARENT_DIR,   /* the file may not exist yet; its directory must be writable */
    CHK_GROUP         /* the group exists */
} file_check;

typedef struct field {
    const char *section;
    const char *key;
    value_type type;
    int required;      /* in an optional section: required when the section is present */
    size_t off;        /* offset of the value in the output struct */
    size_t cap;        /* string types: buffer size */
    size_t aux_off;    /* T_SEALING: offset of the cfg_sealing_kind; T_ADDR_LIST: of the size_t count */
    uint64_t min, max; /* numbers: accepted range; T_ADDR_LIST: max is the capacity of the list */
    uint64_t def;      /* default of an optional number (0: none) */
    const char *def_text; /* default of an optional string (NULL: none) */
    file_check check;
    uint64_t max_size; /* CHK_READ_TRUSTED: largest accepted file, in bytes */
} field;

typedef enum { MAP_NONE, MAP_SIGNERS, MAP_REQUESTERS } map_kind;

typedef struct section_def {
    const char *name;
    map_kind map; /* MAP_NONE: keys come from the field table */
    int optional; /* an absent section gets neither its required-key errors nor its defaults */
} section_def;

typedef struct schema {
    const section_def *sections;
    size_t n_sections;
    const field *fields;
    size_t n_fields;
    size_t out_size;
} schema;

#define MAX_FIELDS 32
#define MAX_SECTIONS 8
_Static_assert(CFG_MAX_REQUESTERS >= CFG_MAX_SIGNERS, "map_line holds either map");

#define S_FIELD(sec, k, ty, req, member, chk)                                                   \
    { .section = sec, .key = k, .type = ty, .required = req, .off = offsetof(cfg_signer, member), \
      .cap = sizeof(((cfg_signer *)0)->member), .check = chk }
#define S_UINT(sec, k, member, lo, hi)                                                            \
    { .section = sec, .key = k, .type = T_UINT, .required = 1, .off = offsetof(cfg_signer, member), \
      .min = lo, .max = hi }
#define S_MS(k, member, lo, hi, d)                                                                 \
    { .section = "timeouts", .key = k, .type = T_MS, .off = offsetof(cfg_signer, member), .min = lo, \
      .max = hi, .def = d }
#define S_POLICY_FILE(k, req, member)                                                              \
    { .section = "policy", .key = k, .type = T_PATH, .required = req,                             \
      .off = offsetof(cfg_signer, member), .cap = sizeof(((cfg_signer *)0)->member),              \
      .check = CHK_READ_TRUSTED, .max_size = CFG_POLICY_FILE_MAX }
#define C_FIELD(sec, k, ty, req, member, chk)                                                        \
    { .section = sec, .key = k, .type = ty, .required = req, .off = offsetof(cfg_coordinator, member), \
      .cap = sizeof(((cfg_coordinator *)0)->member), .check = chk }
#define C_MS(k, member, lo, hi, d)                                                                      \
    { .section = "timeouts", .key = k, .type = T_MS, .off = offsetof(cfg_coordinator, member), .min = lo, \
      .max = hi, .def = d }

static const section_def signer_sections[] = {
    {"signer", MAP_NONE, 0}, {"tls", MAP_NONE, 0}, {"coordinator", MAP_NONE, 0},
    {"operator", MAP_NONE, 0}, {"timeouts", MAP_NONE, 0}, {"policy", MAP_NONE, 1},
};

static const field signer_fields[] = {
    S_FIELD("signer", "id", T_ID, 1, id, CHK_NONE),
    S_UINT("signer", "party_index", party_index, 1, CFG_MAX_PARTY_INDEX),
    S_FIELD("signer", "data_dir", T_PATH, 1, data_dir, CHK_DIR_WRITABLE),
    S_FIELD("signer", "enclave_path", T_PATH, 1, enclave_path, CHK_EXEC),
    {.section = "signer", .key = "sealing", .type = T_SEALING, .required = 1,
     .off = offsetof(cfg_signer, sealing_path), .cap = sizeof(((cfg_signer *)0)->sealing_path),
     .aux_off = offsetof(cfg_signer, sealing), .check = CHK_READ_PRIVATE},
    S_FIELD("tls", "ca", T_PATH, 1, tls.ca, CHK_READ),
    S_FIELD("tls", "cert", T_PATH, 1, tls.cert, CHK_READ),
    S_FIELD("tls", "key", T_PATH, 1, tls.key, CHK_READ_PRIVATE),
    S_FIELD("tls", "crl", T_PATH, 0, tls.crl, CHK_READ),
    S_FIELD("coordinator", "address", T_HOST, 1, coordinator_address, CHK_NONE),
    {.section = "coordinator", .key = "port", .type = T_PORT, .required = 1,
     .off = offsetof(cfg_signer, coordinator_port), .min = 1, .max = 65535},
    S_FIELD("coordinator", "id", T_ID, 1, coordinator_id, CHK_NONE),
    S_FIELD("operator", "socket", T_PATH, 1, operator_socket, CHK_PARENT_DIR),
    S_FIELD("operator", "group", T_GROUP, 1, operator_group, CHK_GROUP),
    S_MS("round_ms", round_ms, 100, 600000, 30000),
    S_MS("heartbeat_ms", heartbeat_ms, 100, 600000, 10000),
    S_MS("reconnect_min_ms", reconnect_min_ms, 10, 600000, 500),
    S_MS("reconnect_max_ms", reconnect_max_ms, 10, 3600000, 60000),
    S_POLICY_FILE("approvers", 1, policy.approvers),
    {.section = "policy", .key = "chain_id", .type = T_U64, .off = offsetof(cfg_signer, policy.chain_id),
     .min = 1, .max = CFG_POLICY_CHAIN_ID_MAX, .def = 1},
    {.section = "policy", .key = "native_symbol", .type = T_SYMBOL,
     .off = offsetof(cfg_signer, policy.native_symbol), .cap = sizeof(((cfg_signer *)0)->policy.native_symbol),
     .def_text = "ETH"},
    S_POLICY_FILE("asset_registry", 0, policy.asset_registry),
    {.section = "policy", .key = "multisend_call_only", .type = T_ADDR_LIST,
     .off = offsetof(cfg_signer, policy.multisend), .aux_off = offsetof(cfg_signer, policy.n_multisend),
     .max = CFG_POLICY_MAX_MULTISEND},
    {.section = "policy", .key = "btc_network", .type = T_BTC_NET, .off = offsetof(cfg_signer, policy.btc_network),
     .def = CFG_BTC_MAIN},
};

static const section_def coordinator_sections[] = {
    {"coordinator", MAP_NONE, 0}, {"tls", MAP_NONE, 0}, {"signers", MAP_SIGNERS, 0},
    {"requesters", MAP_REQUESTERS, 0}, {"timeouts", MAP_NONE, 0},
};

static const field coordinator_fields[] = {
    C_FIELD("coordinator", "listen", T_IPADDR, 1, listen_address, CHK_NONE),
    {.section = "coordinator", .key = "port", .type = T_PORT, .required = 1,
     .off = offsetof(cfg_coordinator, port), .min = 1, .max = 65535},
    C_FIELD("coordinator", "database", T_PATH, 1, database, CHK_PARENT_DIR),
    C_FIELD("tls", "ca", T_PATH, 1, tls.ca, CHK_READ),
    C_FIELD("tls", "cert", T_PATH, 1, tls.cert, CHK_READ),
    C_FIELD("tls", "key", T_PATH, 1, tls.key, CHK_READ_PRIVATE),
    C_FIELD("tls", "crl", T_PATH, 0, tls.crl, CHK_READ),
    C_MS("round_ms", round_ms, 100, 600000, 30000),
    C_MS("heartbeat_ms", heartbeat_ms, 100, 600000, 10000),
    C_MS("decode_ms", decode_ms, 100, 600000, 30000),
    C_MS("approval_ms", approval_ms, 1000, 604800000, 3600000),
    C_MS("db_busy_ms", db_busy_ms, 10, 60000, 5000),
};

_Static_assert(sizeof signer_fields / sizeof signer_fields[0] <= MAX_FIELDS, "field_line too small");
_Static_assert(sizeof coordinator_fields / sizeof coordinator_fields[0] <= MAX_FIELDS, "field_line too small");
_Static_assert(sizeof signer_sections / sizeof signer_sections[0] <= MAX_SECTIONS, "section_line too small");
_Static_assert(sizeof coordinator_sections / sizeof coordinator_sections[0] <= MAX_SECTIONS,
               "section_line too small");

static const schema signer_schema = {
    signer_sections, sizeof signer_sections / sizeof signer_sections[0],
    signer_fields, sizeof signer_fields / sizeof signer_fields[0], sizeof(cfg_signer),
};

static const schema coordinator_schema = {
    coordinator_sections, sizeof coordinator_sections / sizeof coordinator_sections[0],
    coordinator_fields, sizeof coordinator_fields / sizeof coordinator_fields[0],
    sizeof(cfg_coordinator),
};

typedef struct parse_ctx {
    const schema *sc;
    void *out; /* the cfg_signer or cfg_coordinator being filled */
    const char *name;
    char *err;
    size_t errlen;
    int failed;
    int err_line;
    int field_line[MAX_FIELDS];
    int section_line[MAX_SECTIONS];
    int map_line[CFG_MAX_REQUESTERS];
    int list_line[CFG_POLICY_MAX_MULTISEND]; /* line of each T_ADDR_LIST entry (one such key) */
    /* memory reader */
    const char *text;
    size_t len;
    size_t pos;
    int line; /* physical line of the text most recently returned by the reader */
} parse_ctx;

static unsigned char *field_ptr(const parse_ctx *c, size_t off) {
    return (unsigned char *)c->out + off;
}

/* Records the first error only; line 0 means "not about one line". */
static void fail(parse_ctx *c, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(parse_ctx *c, int line, const char *fmt, ...) {
    if (c->failed) {
        return;
    }
    c->failed = 1;
    c->err_line = line;
    int n = line > 0 ? snprintf(c->err, c->errlen, "%s:%d: ", c->name, line)
                     : snprintf(c->err, c->errlen, "%s: ", c->name);
    if (n < 0 || (size_t)n >= c->errlen) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

/* Copies s into buf for an error message, with non-printable bytes as '?' and a length bound, so
 * that a hostile file cannot put control sequences into a log line. */
static const char *shown(char *buf, size_t cap, const char *s, size_t len) {
    size_t n = len < cap - 1 ? len : cap - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        buf[i] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
    }
    buf[n] = '\0';
    return buf;
}

static int section_index(const schema *sc, const char *name, size_t len) {
    for (size_t i = 0; i < sc->n_sections; i++) {
        if (strlen(sc->sections[i].name) == len && memcmp(sc->sections[i].name, name, len) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* fgets-style reader over the text (see the file comment for why it checks what it checks). */
static char *mem_reader(char *str, int num, void *stream) {
    parse_ctx *c = stream;
    if (c->failed || c->pos >= c->len) {
        return NULL;
    }
    const char *start = c->text + c->pos;
    size_t avail = c->len - c->pos;
    const char *nl = memchr(start, '\n', avail);
    size_t linelen = nl ? (size_t)(nl - start) : avail; /* without the '\n' */
    c->line++;
    if (memchr(start, '\0', linelen) != NULL) {
        fail(c, c->line, "NUL byte in line");
        return NULL;
    }
    /* num is libinih's buffer: the line, its '\n' and the terminating NUL must fit. */
    if (linelen > CFG_LINE_MAX || linelen + 2 > (size_t)num) {
        fail(c, c->line, "line longer than %d characters", CFG_LINE_MAX);
        return NULL;
    }
    size_t i = 0;
    while (i < linelen && (start[i] == ' ' || start[i] == '\t')) {
        i++;
    }
    int blank = i == linelen || start[i] == '\r' || start[i] == ';' || start[i] == '#';
    if (i > 0 && !blank) {
        fail(c, c->line, "indented line (continuation lines are not supported)");
        return NULL;
    }
    if (linelen > 0 && start[0] == '[') {
        const char *close = memchr(start, ']', linelen);
        if (close != NULL) {
            char buf[64];
            size_t nlen = (size_t)(close - start - 1);
            int idx = section_index(c->sc, start + 1, nlen);
            if (idx < 0) {
                fail(c, c->line, "unknown section [%s]", shown(buf, sizeof buf, start + 1, nlen));
                return NULL;
            }
            if (c->section_line[idx] != 0) {
                fail(c, c->line, "duplicate section [%s] (first on line %d)",
                     c->sc->sections[idx].name, c->section_line[idx]);
                return NULL;
            }
            c->section_line[idx] = c->line;
            /* libinih ignores text after ']'; a stray word there is a typo, not a comment. */
            const char *rest = close + 1;
            const char *lend = start + linelen;
            while (rest < lend && (*rest == ' ' || *rest == '\t' || *rest == '\r')) {
                rest++;
            }
            if (rest < lend && *rest != ';' && *rest != '#') {
                fail(c, c->line, "text after section header [%s]", c->sc->sections[idx].name);
                return NULL;
            }
        }
    }
    memcpy(str, start, linelen);
    str[linelen] = '\n';
    str[linelen + 1] = '\0';
    c->pos += nl ? linelen + 1 : linelen;
    return str;
}

/* Decimal digits only, no sign, no spaces, at most limit. */
static int parse_uint(uint64_t *out, const char *s, uint64_t limit) {
    uint64_t v = 0;
    if (*s == '\0') {
        return -1;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9') {
            return -1;
        }
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (limit - d) / 10) {
            return -1;
        }
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* Stores a number in the width of its field; the table's ranges make every value fit. */
static void store_uint(parse_ctx *c, const field *f, uint64_t v) {
    unsigned char *dst = field_ptr(c, f->off);
    if (f->type == T_U64) {
        memcpy(dst, &v, sizeof v);
    } else if (f->type == T_PORT) {
        uint16_t v16 = (uint16_t)v;
        memcpy(dst, &v16, sizeof v16);
    } else {
        uint32_t v32 = (uint32_t)v;
        memcpy(dst, &v32, sizeof v32);
    }
}

static int valid_dns_name(const char *s) {
    size_t label = 0;
    size_t len = strlen(s);
    if (len == 0 || len > 253) {
        return 0;
    }
    for (size_t i = 0; i <= len; i++) {
        char ch = s[i];
        if (ch == '.' || ch == '\0') {
            if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-') {
                return 0;
            }
            label = 0;
        } else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                   ch == '-') {
            label++;
        } else {
            return 0;
        }
    }
    return 1;
}

static int valid_ip(const char *s) {
    unsigned char buf[16];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static int valid_group_name(const char *s) {
    size_t len = strlen(s);
    if (len == 0 || len > CFG_GROUP_MAX) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        int ok = (ch >= 'a' && ch <= 'z') || ch == '_' || (i > 0 && ((ch >= '0' && ch <= '9') || ch == '-'));
        if (!ok) {
            return 0;
        }
    }
    return 1;
}

/* An absolute path of printable characters that fits in cap bytes with its NUL. */
static const char *path_problem(const char *s, size_t cap) {
    size_t len = strlen(s);
    if (s[0] != '/') {
        return "must be an absolute path";
    }
    if (len >= cap) {
        return "path too long";
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f) {
            return "control character in path";
        }
    }
    return NULL;
}

static int hex_nibble(char ch) {
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    }
    if (ch >= 'A' && ch <= 'F') {
        return ch - 'A' + 10;
    }
    return -1;
}

/* Exactly 2 * len hex digits. The key is public, so branching on it is fine. */
static int parse_hex(uint8_t *out, size_t len, const char *s) {
    if (strlen(s) != 2 * len) {
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        int hi = hex_nibble(s[2 * i]);
        int lo = hex_nibble(s[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return -1;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static int valid_symbol(const char *s, size_t cap) {
    size_t len = strlen(s);
    if (len == 0 || len >= cap) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))) {
            return 0;
        }
    }
    return 1;
}

/* One line of a T_ADDR_LIST key: "0xADDR[, 0xADDR...]", appended to what earlier lines gave. A
 * mixed-case address must match its EIP-55 checksum, which catches most typing errors. The
 * parser's own message is not shown: it offers the correctly checksummed form of the mistyped
 * address, and copying that into the file would accept the typo. An address given twice is
 * refused (the enclave refuses such a policy too). */
static void add_addresses(parse_ctx *c, int line, const field *f, const char *value) {
    uint8_t (*list)[20] = (uint8_t (*)[20])field_ptr(c, f->off);
    size_t count;
    char buf[64];
    memcpy(&count, field_ptr(c, f->aux_off), sizeof count);
    const char *p = value;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n > 0 && p[0] == ' ') {
            p++;
            n--;
        }
        while (n > 0 && p[n - 1] == ' ') {
            n--;
        }
        if (n == 0) {
            fail(c, line, "[%s] %s: empty entry in the address list", f->section, f->key);
            return;
        }
        uint8_t addr[20];
        payload_err perr;
        int r = payload_eth_addr_parse(&perr, addr, NULL, p, n);
        if (r == PAYLOAD_E_CHECKSUM) {
            fail(c, line, "[%s] %s: %s: mixed-case address does not match its EIP-55 checksum (mistyped?)",
                 f->section, f->key, shown(buf, sizeof buf, p, n));
            return;
        }
        if (r != PAYLOAD_OK) {
            fail(c, line, "[%s] %s: '%s' is not 0x followed by 40 hex digits", f->section, f->key,
                 shown(buf, sizeof buf, p, n));
            return;
        }
        for (size_t i = 0; i < count; i++) {
            if (memcmp(list[i], addr, sizeof addr) == 0) {
                fail(c, line, "[%s] %s: %s listed twice (first on line %d)", f->section, f->key,
                     shown(buf, sizeof buf, p, n), c->list_line[i]);
                return;
            }
        }
        if (count == f->max) {
            fail(c, line, "[%s] %s: more than %" PRIu64 " addresses", f->section, f->key, f->max);
            return;
        }
        memcpy(list[count], addr, sizeof addr);
        c->list_line[count] = line;
        count++;
        memcpy(field_ptr(c, f->aux_off), &count, sizeof count);
        if (end == NULL) {
            return;
        }
        p = end + 1;
    }
}

static void set_value(parse_ctx *c, int line, const field *f, const char *value) {
    static const struct { const char *name; uint32_t id; } btc_networks[] = {
        {"main", CFG_BTC_MAIN}, {"testnet", CFG_BTC_TESTNET}, {"signet", CFG_BTC_SIGNET},
        {"regtest", CFG_BTC_REGTEST},
    };
    unsigned char *dst = field_ptr(c, f->off);
    char shown_buf[64];
    const char *problem = NULL;
    uint64_t v = 0;
    if (value[0] == '\0') {
        fail(c, line, "[%s] %s: empty value", f->section, f->key);
        return;
    }
    switch (f->type) {
    case T_ID:
        if (!net_id_valid(value, strlen(value))) {
            problem = "not a valid id (1..64 characters of A-Z a-z 0-9 . _ -)";
        }
        break;
    case T_PATH:
        problem = path_problem(value, f->cap);
        break;
    case T_HOST:
        if (strlen(value) >= f->cap || (!valid_ip(value) && !valid_dns_name(value))) {
            problem = "not a host name or IP address";
        }
        break;
    case T_IPADDR:
        if (strlen(value) >= f->cap || !valid_ip(value)) {
            problem = "not an IPv4 or IPv6 address";
        }
        break;
    case T_PORT:
    case T_MS:
    case T_UINT:
    case T_U64:
        /* Digits beyond what the field's storage holds are "not a decimal number", as they were
         * before the range check; within the storage, "out of range" names the range. */
        if (parse_uint(&v, value, f->type == T_U64 ? UINT64_MAX : UINT32_MAX) != 0) {
            problem = "not a decimal number";
        } else if (v < f->min || v > f->max) {
            fail(c, line, "[%s] %s: %s out of range %" PRIu64 "..%" PRIu64, f->section, f->key,
                 shown(shown_buf, sizeof shown_buf, value, strlen(value)), f->min, f->max);
            return;
        } else {
            store_uint(c, f, v);
            return;
        }
        break;
    case T_SEALING: {
        static const char pp[] = "passphrase-file:";
        static const char kf[] = "keyfile:";
        cfg_sealing_kind kind;
        const char *path;
        if (strncmp(value, pp, sizeof pp - 1) == 0) {
            kind = CFG_SEALING_PASSPHRASE_FILE;
            path = value + sizeof pp - 1;
        } else if (strncmp(value, kf, sizeof kf - 1) == 0) {
            kind = CFG_SEALING_KEYFILE;
            path = value + sizeof kf - 1;
        } else {
            problem = "must be passphrase-file:PATH or keyfile:PATH";
            break;
        }
        problem = path_problem(path, f->cap);
        if (problem == NULL) {
            memcpy(field_ptr(c, f->aux_off), &kind, sizeof kind);
            memcpy(dst, path, strlen(path) + 1);
            return;
        }
        break;
    }
    case T_GROUP:
        if (!valid_group_name(value)) {
            problem = "not a valid group name";
        }
        break;
    case T_SYMBOL:
        if (!valid_symbol(value, f->cap)) {
            fail(c, line, "[%s] %s: must be 1..%zu characters of A-Z a-z 0-9", f->section, f->key, f->cap - 1);
            return;
        }
        break;
    case T_BTC_NET:
        for (size_t i = 0; i < sizeof btc_networks / sizeof btc_networks[0]; i++) {
            if (strcmp(value, btc_networks[i].name) == 0) {
                store_uint(c, f, btc_networks[i].id);
                return;
            }
        }
        problem = "must be main, testnet, signet or regtest";
        break;
    case T_ADDR_LIST:
        add_addresses(c, line, f, value);
        return;
    }
    if (problem != NULL) {
        fail(c, line, "[%s] %s: %s", f->section, f->key, problem);
        return;
    }
    memcpy(dst, value, strlen(value) + 1); /* every string type checked the length above */
}

static void set_signer_entry(parse_ctx *c, int line, const char *id, const char *value) {
    cfg_coordinator *co = c->out;
    char buf[64];
    if (!net_id_valid(id, strlen(id))) {
        fail(c, line, "[signers] '%s': not a valid signer id", shown(buf, sizeof buf, id, strlen(id)));
        return;
    }
    for (size_t i = 0; i < co->n_signers; i++) {
        if (strcmp(co->signers[i].id, id) == 0) {
            fail(c, line, "duplicate key '%s' in [signers] (first set on line %d)", id, c->map_line[i]);
            return;
        }
    }
    if (co->n_signers == CFG_MAX_SIGNERS) {
        fail(c, line, "[signers]: more than %d signers", CFG_MAX_SIGNERS);
        return;
    }
    cfg_signer_entry *e = &co->signers[co->n_signers];
    if (parse_hex(e->identity_pk, sizeof e->identity_pk, value) != 0) {
        fail(c, line, "[signers] %s: identity key must be 64 hex digits", id);
        return;
    }
    if (!crypto_core_ed25519_is_valid_point(e->identity_pk)) {
        fail(c, line, "[signers] %s: not a valid Ed25519 public key", id);
        return;
    }
    for (size_t i = 0; i < co->n_signers; i++) {
        if (memcmp(co->signers[i].identity_pk, e->identity_pk, sizeof e->identity_pk) == 0) {
            fail(c, line, "[signers] %s: same identity key as '%s' (line %d)", id, co->signers[i].id,
                 c->map_line[i]);
            return;
        }
    }
    memcpy(e->id, id, strlen(id) + 1);
    c->map_line[co->n_signers] = line;
    co->n_signers++;
}

static void set_requester_entry(parse_ctx *c, int line, const char *id, const char *value) {
    static const struct { const char *name; unsigned bit; } perms[] = {
        {"sign", CFG_PERM_SIGN}, {"keygen", CFG_PERM_KEYGEN}, {"refresh", CFG_PERM_REFRESH},
    };
    cfg_coordinator *co = c->out;
    char buf[64];
    if (!net_id_valid(id, strlen(id))) {
        fail(c, line, "[requesters] '%s': not a valid requester id", shown(buf, sizeof buf, id, strlen(id)));
        return;
    }
    for (size_t i = 0; i < co->n_requesters; i++) {
        if (strcmp(co->requesters[i].id, id) == 0) {
            fail(c, line, "duplicate key '%s' in [requesters] (first set on line %d)", id, c->map_line[i]);
            return;
        }
    }
    if (co->n_requesters == CFG_MAX_REQUESTERS) {
        fail(c, line, "[requesters]: more than %d requesters", CFG_MAX_REQUESTERS);
        return;
    }
    unsigned set = 0;
    const char *p = value;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n > 0 && p[0] == ' ') {
            p++;
            n--;
        }
        while (n > 0 && p[n - 1] == ' ') {
            n--;
        }
        unsigned bit = 0;
        for (size_t i = 0; i < sizeof perms / sizeof perms[0]; i++) {
            if (strlen(perms[i].name) == n && memcmp(perms[i].name, p, n) == 0) {
                bit = perms[i].bit;
            }
        }
        if (bit == 0) {
            fail(c, line, "[requesters] %s: unknown permission '%s' (sign, keygen, refresh)", id,
                 shown(buf, sizeof buf, p, n));
            return;
        }
        if (set & bit) {
            fail(c, line, "[requesters] %s: permission listed twice", id);
            return;
        }
        set |= bit;
        if (end == NULL) {
            break;
        }
        p = end + 1;
    }
    cfg_requester_entry *e = &co->requesters[co->n_requesters];
    memcpy(e->id, id, strlen(id) + 1);
    e->perms = set;
    c->map_line[co->n_requesters] = line;
    co->n_requesters++;
}

static int ini_handler_fn(void *user, const char *section, const char *name, const char *value) {
    parse_ctx *c = user;
    char sbuf[64], kbuf[64];
    int line = c->line;
    if (c->failed) {
        return 0;
    }
    if (section[0] == '\0') {
        fail(c, line, "key '%s' outside any section", shown(kbuf, sizeof kbuf, name, strlen(name)));
        return 0;
    }
    int sidx = section_index(c->sc, section, strlen(section));
    if (sidx < 0) {
        /* The reader rejects unknown headers; this only catches what it could not see. */
        fail(c, line, "unknown section [%s]", shown(sbuf, sizeof sbuf, section, strlen(section)));
        return 0;
    }
    map_kind map = c->sc->sections[sidx].map;
    if (map == MAP_SIGNERS) {
        set_signer_entry(c, line, name, value);
        return !c->failed;
    }
    if (map == MAP_REQUESTERS) {
        set_requester_entry(c, line, name, value);
        return !c->failed;
    }
    for (size_t i = 0; i < c->sc->n_fields; i++) {
        const field *f = &c->sc->fields[i];
        if (strcmp(f->section, section) != 0 || strcmp(f->key, name) != 0) {
            continue;
        }
        if (c->field_line[i] != 0 && f->type != T_ADDR_LIST) {
            fail(c, line, "duplicate key '%s' in [%s] (first set on line %d)", f->key, f->section,
                 c->field_line[i]);
            return 0;
        }
        if (c->field_line[i] == 0) {
            c->field_line[i] = line;
        }
        set_value(c, line, f, value);
        return !c->failed;
    }
    fail(c, line, "unknown key '%s' in [%s]", shown(kbuf, sizeof kbuf, name, strlen(name)),
         c->sc->sections[sidx].name);
    return 0;
}

static void check_file(parse_ctx *c, const field *f, int line, const char *path) {
    struct stat st;
    switch (f->check) {
    case CHK_NONE:
        return;
    case CHK_READ:
    case CHK_READ_PRIVATE:
    case CHK_READ_TRUSTED: {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
            fail(c, line, "[%s] %s: file not readable: %s (%s)", f->section, f->key, path, strerror(errno));
            return;
        }
        int r = fstat(fd, &st);
        int saved = errno;
        close(fd);
        if (r != 0) {
            fail(c, line, "[%s] %s: file not readable: %s (%s)", f->section, f->key, path, strerror(saved));
        } else if (!S_ISREG(st.st_mode)) {
            fail(c, line, "[%s] %s: not a regular file: %s", f->section, f->key, path);
        } else if (f->check == CHK_READ_PRIVATE && (st.st_mode & 077) != 0) {
            fail(c, line, "[%s] %s: file is accessible by group or others (mode %04o): %s; chmod 600 it",
                 f->section, f->key, (unsigned)(st.st_mode & 07777), path);
        } else if (f->check == CHK_READ_TRUSTED && (uint64_t)st.st_size > f->max_size) {
            fail(c, line, "[%s] %s: file larger than %" PRIu64 " bytes: %s", f->section, f->key,
                 f->max_size, path);
        } else if (f->check == CHK_READ_TRUSTED && (st.st_mode & 022) != 0) {
            /* The enclave seals the policy at its first start and never takes another: whoever
             * can write these files until then chooses the approvers and the assets. */
            fail(c, line, "[%s] %s: file is writable by group or others (mode %04o): %s; chmod go-w it",
                 f->section, f->key, (unsigned)(st.st_mode & 07777), path);
        }
        return;
    }
    case CHK_EXEC:
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || access(path, X_OK) != 0) {
            fail(c, line, "[%s] %s: not an executable file: %s", f->section, f->key, path);
        }
        return;
    case CHK_DIR_WRITABLE:
        if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode) || access(path, W_OK | X_OK) != 0) {
            fail(c, line, "[%s] %s: not a writable directory: %s", f->section, f->key, path);
        }
        return;
    case CHK_PARENT_DIR: {
        char dir[CFG_PATH_MAX + 1];
        const char *slash = strrchr(path, '/'); /* paths are absolute: there is one */
        size_t n = slash == path ? 1 : (size_t)(slash - path);
        memcpy(dir, path, n);
        dir[n] = '\0';
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK | X_OK) != 0) {
            fail(c, line, "[%s] %s: directory %s does not exist or is not writable", f->section, f->key, dir);
        }
        return;
    }
    case CHK_GROUP: {
        struct group gr, *res = NULL;
        char buf[4096];
        if (getgrnam_r(path, &gr, buf, sizeof buf, &res) != 0 || res == NULL) {
            fail(c, line, "[%s] %s: group '%s' does not exist", f->section, f->key, path);
        }
        return;
    }
    }
}

static int section_present(const parse_ctx *c, const char *name) {
    int idx = section_index(c->sc, name, strlen(name));
    return idx >= 0 && c->section_line[idx] != 0;
}

static int section_optional(const schema *sc, const char *name) {
    int idx = section_index(sc, name, strlen(name));
    return idx >= 0 && sc->sections[idx].optional;
}

/* Required keys, defaults, then (unless skipped) the file checks, in table order. */
static void finish(parse_ctx *c, unsigned flags) {
    for (size_t i = 0; i < c->sc->n_fields && !c->failed; i++) {
        const field *f = &c->sc->fields[i];
        if (c->field_line[i] != 0 || (section_optional(c->sc, f->section) && !section_present(c, f->section))) {
            continue;
        }
        if (f->required) {
            fail(c, 0, "missing required key '%s' in [%s]", f->key, f->section);
        } else if (f->def_text != NULL) {
            memcpy(field_ptr(c, f->off), f->def_text, strlen(f->def_text) + 1);
        } else if (f->def != 0) {
            store_uint(c, f, f->def);
        }
    }
    if (c->failed || (flags & CFG_SKIP_FILE_CHECKS)) {
        return;
    }
    for (size_t i = 0; i < c->sc->n_fields && !c->failed; i++) {
        const field *f = &c->sc->fields[i];
        if (c->field_line[i] != 0) {
            check_file(c, f, c->field_line[i], (const char *)field_ptr(c, f->off));
        }
    }
}

static int field_line(const parse_ctx *c, const char *section, const char *key) {
    for (size_t i = 0; i < c->sc->n_fields; i++) {
        if (strcmp(c->sc->fields[i].section, section) == 0 && strcmp(c->sc->fields[i].key, key) == 0) {
            return c->field_line[i];
        }
    }
    return 0;
}

static void check_signer(parse_ctx *c) {
    cfg_signer *s = c->out;
    s->has_policy = section_present(c, "policy");
    if (s->reconnect_min_ms > s->reconnect_max_ms) {
        int line = field_line(c, "timeouts", "reconnect_min_ms");
        fail(c, line ? line : field_line(c, "timeouts", "reconnect_max_ms"),
             "[timeouts] reconnect_min_ms (%u) is larger than reconnect_max_ms (%u)",
             (unsigned)s->reconnect_min_ms, (unsigned)s->reconnect_max_ms);
    }
}

static void check_coordinator(parse_ctx *c) {
    const cfg_coordinator *co = c->out;
    if (co->n_signers == 0) {
        fail(c, 0, "[signers]: at least one signer is required");
    } else if (co->n_requesters == 0) {
        fail(c, 0, "[requesters]: at least one requester is required");
    }
}

static int parse_text(const schema *sc, void *out, char *err, size_t errlen, const char *name,
                      const char *text, size_t len, unsigned flags) {
    if (errlen == 0) {
        return CFG_E_ARG;
    }
    err[0] = '\0';
    memset(out, 0, sc->out_size);
    if (text == NULL && len != 0) {
        snprintf(err, errlen, "%s: no configuration text", name);
        return CFG_E_ARG;
    }
    if (sodium_init() < 0) {
        snprintf(err, errlen, "%s: libsodium initialisation failed", name);
        return CFG_E_NOMEM;
    }
    parse_ctx c;
    memset(&c, 0, sizeof c);
    c.sc = sc;
    c.out = out;
    c.name = name;
    c.err = err;
    c.errlen = errlen;
    c.text = text;
    c.len = len;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        c.pos = 3;
    }
    int r = ini_parse_stream(mem_reader, &c, ini_handler_fn, &c);
    if (r == -2) {
        fail(&c, 0, "out of memory");
        memset(out, 0, sc->out_size);
        return CFG_E_NOMEM;
    }
    /* libinih reports the first failing line; if it precedes ours it was a syntax error. */
    if (r > 0 && (!c.failed || r < c.err_line)) {
        c.failed = 0;
        fail(&c, r, "syntax error (expected [section], key = value or a comment)");
    }
    if (!c.failed) {
        finish(&c, flags);
    }
    if (!c.failed) {
        if (sc == &signer_schema) {
            check_signer(&c);
        } else {
            check_coordinator(&c);
        }
    }
    if (c.failed) {
        memset(out, 0, sc->out_size);
        return CFG_E_INVALID;
    }
    return CFG_OK;
}

static int load_file(const schema *sc, void *out, char *err, size_t errlen, const char *path, unsigned flags) {
    int r = CFG_E_IO;
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = NULL;
    if (errlen == 0) {
        return CFG_E_ARG;
    }
    memset(out, 0, sc->out_size);
    fp = fopen(path, "rbe");
    if (fp == NULL) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        goto out;
    }
    /* Whoever can write the configuration chooses the identity keys and CA the daemon trusts. */
    struct stat st;
    if (!(flags & CFG_SKIP_FILE_CHECKS) && fstat(fileno(fp), &st) == 0 && (st.st_mode & 022) != 0) {
        snprintf(err, errlen, "%s: writable by group or others (mode %04o); chmod go-w it", path,
                 (unsigned)(st.st_mode & 07777));
        r = CFG_E_INVALID;
        goto out;
    }
    buf = malloc(CFG_FILE_MAX + 1);
    if (buf == NULL) {
        snprintf(err, errlen, "%s: out of memory", path);
        r = CFG_E_NOMEM;
        goto out;
    }
    len = fread(buf, 1, CFG_FILE_MAX + 1, fp);
    if (ferror(fp)) {
        snprintf(err, errlen, "%s: read error", path);
        goto out;
    }
    if (len > CFG_FILE_MAX) {
        snprintf(err, errlen, "%s: larger than %d bytes", path, CFG_FILE_MAX);
        r = CFG_E_INVALID;
        goto out;
    }
    r = parse_text(sc, out, err, errlen, path, buf, len, flags);
out:
    if (fp != NULL) {
        fclose(fp);
    }
    free(buf);
    return r;
}

int cfg_signer_load(cfg_signer *out, char *err, size_t errlen, const char *path, unsigned flags) {
    return load_file(&signer_schema, out, err, errlen, path, flags);
}

int cfg_coordinator_load(cfg_coordinator *out, char *err, size_t errlen, const char *path, unsigned flags) {
    return load_file(&coordinator_schema, out, err, errlen, path, flags);
}

int cfg_signer_parse(cfg_signer *out, char *err, size_t errlen, const char *name, const char *text,
                     size_t len, unsigned flags) {
    return parse_text(&signer_schema, out, err, errlen, name, text, len, flags);
}

int cfg_coordinator_parse(cfg_coordinator *out, char *err, size_t errlen, const char *name,
                          const char *text, size_t len, unsigned flags) {
    return parse_text(&coordinator_schema, out, err, errlen, name, text, len, flags);
}
