/* mpc-ca: the deployment's private certificate authority (see daemon/net/ca.h and tls.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca.h"
#include "net.h"

#define MAX_NAMES 16

enum {
    EXIT_USAGE = 1,    /* bad command line: unknown command or option, missing or invalid value */
    EXIT_FILES = 2,    /* CA unreadable or mismatched, output file exists or cannot be written */
    EXIT_INTERNAL = 3  /* key generation or signing failed inside OpenSSL */
};

static const char usage[] =
    "usage:\n"
    "  mpc-ca init  --dir DIR\n"
    "  mpc-ca issue --dir DIR --role coordinator|signer|requester --id ID --out PREFIX\n"
    "               [--dns NAME]... [--ip ADDR]... [--days N]\n"
    "  mpc-ca --help\n"
    "\n"
    "init   creates DIR (mode 0700) if needed and writes DIR/ca.key (P-256, mode 0600) and the\n"
    "       self-signed DIR/ca.crt (valid 3650 days).\n"
    "issue  writes PREFIX.key (P-256, mode 0600) and PREFIX.crt signed by the CA in DIR. The\n"
    "       certificate names its holder with one subjectAltName URI mpc://ROLE/ID, which the\n"
    "       daemons read as the peer's identity. ID: 1..64 characters of A-Z a-z 0-9 . _ -\n"
    "       coordinator certificates get extended key usage serverAuth, signer and requester\n"
    "       certificates clientAuth. --dns and --ip (up to 16 each) add subjectAltName entries.\n"
    "       --days: validity, 1..3650 (default 365). Existing files are never overwritten.\n"
    "\n"
    "exit status:\n"
    "  0  success\n"
    "  1  usage error (unknown command or option, missing or invalid value)\n"
    "  2  file error (CA missing, unreadable or key/certificate mismatch; output exists or\n"
    "     cannot be written)\n"
    "  3  internal error (OpenSSL key generation or signing failed)\n";

static void log_line(net_log_level level, const char *line, void *data) {
    (void)data;
    if (level != NET_LOG_DEBUG) {
        fprintf(stderr, "mpc-ca: %s\n", line);
    }
}

static int usage_error(const char *what, const char *arg) {
    fprintf(stderr, "mpc-ca: %s%s%s\n(see mpc-ca --help)\n", what, arg != NULL ? ": " : "",
            arg != NULL ? arg : "");
    return EXIT_USAGE;
}

static int exit_code(int r) {
    switch (r) {
    case NET_OK: return 0;
    case NET_E_ARG: return EXIT_USAGE;
    case NET_E_CONFIG: return EXIT_FILES;
    default: return EXIT_INTERNAL;
    }
}

int main(int argc, char **argv) {
    const char *cmd, *dir = NULL, *role_name = NULL, *id = NULL, *out = NULL;
    const char *dns[MAX_NAMES], *ips[MAX_NAMES];
    size_t dns_len = 0, ips_len = 0;
    unsigned long days = 0;
    net_ca_request req;
    int is_issue;

    net_set_log(log_line, NULL);
    if (argc < 2) {
        return usage_error("missing command", NULL);
    }
    cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "init") != 0 && strcmp(cmd, "issue") != 0) {
        return usage_error("unknown command", cmd);
    }
    is_issue = strcmp(cmd, "issue") == 0;
    for (int i = 2; i < argc; i += 2) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(opt, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (val == NULL) {
            return usage_error("option needs a value", opt);
        }
        if (strcmp(opt, "--dir") == 0) {
            dir = val;
        } else if (is_issue && strcmp(opt, "--role") == 0) {
            role_name = val;
        } else if (is_issue && strcmp(opt, "--id") == 0) {
            id = val;
        } else if (is_issue && strcmp(opt, "--out") == 0) {
            out = val;
        } else if (is_issue && strcmp(opt, "--dns") == 0) {
            if (dns_len == MAX_NAMES) {
                return usage_error("too many --dns", NULL);
            }
            dns[dns_len++] = val;
        } else if (is_issue && strcmp(opt, "--ip") == 0) {
            if (ips_len == MAX_NAMES) {
                return usage_error("too many --ip", NULL);
            }
            ips[ips_len++] = val;
        } else if (is_issue && strcmp(opt, "--days") == 0) {
            char *end = NULL;
            days = strtoul(val, &end, 10);
            if (val[0] < '0' || val[0] > '9' || *end != '\0' || days == 0 || days > NET_CA_MAX_DAYS) {
                return usage_error("--days must be 1..3650", val);
            }
        } else {
            return usage_error("unknown option", opt);
        }
    }
    if (dir == NULL) {
        return usage_error("--dir is required", NULL);
    }
    if (!is_issue) {
        return exit_code(net_ca_init(dir));
    }
    memset(&req, 0, sizeof(req));
    if (role_name == NULL || net_role_parse(&req.role, role_name) != NET_OK) {
        return usage_error("--role must be coordinator, signer or requester", role_name);
    }
    if (id == NULL || !net_id_valid(id, strlen(id))) {
        return usage_error("--id must be 1..64 characters of A-Z a-z 0-9 . _ -", id);
    }
    if (out == NULL) {
        return usage_error("--out is required", NULL);
    }
    req.id = id;
    req.dns = dns;
    req.dns_len = dns_len;
    req.ips = ips;
    req.ips_len = ips_len;
    req.days = (unsigned)days;
    return exit_code(net_ca_issue(dir, out, &req));
}
