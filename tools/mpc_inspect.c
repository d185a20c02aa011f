/*
 * mpc-inspect: the offline second interface. Reads a raw payload file and prints the summary,
 * digest(s) and fingerprint that the enclave computes for the same bytes, with the same code
 * (libmpc_payload). No network, no key material; it only reads the files named on the command line.
 *
 * Usage and exit codes: see usage() below and README_operator.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "payload/addr_eth.h"
#include "payload/summary.h"

enum {
    EXIT_SHOWN = 0,     /* summary printed: the payload decodes and passes the built-in rules */
    EXIT_REFUSED = 1,   /* the enclave would refuse this payload; the reason is printed */
    EXIT_USAGE = 2,     /* bad command line */
    EXIT_INPUT = 3      /* a file could not be read, or the asset registry is invalid */
};

#define MAX_FILE (40u << 20)   /* hex of the largest PSBT (16 MiB) fits */
#define MAX_ASSETS 4096u
#define MAX_MULTISEND 64u

static void usage(FILE *f)
{
    fprintf(f,
            "usage: mpc-inspect --type eth-tx|erc20|eip191|eip712|safe-tx|psbt --file FILE [--json]\n"
            "                   [--chain-id N] [--asset-registry FILE] [--allow-multisend ADDR]...\n"
            "                   [--native-symbol SYM] [--network main|testnet|signet|regtest]\n"
            "                   [--key-id ID] [--path m/44'/60'/0'/0/0] [--own-address 0xADDR]\n"
            "FILE: eth-tx, erc20: the unsigned transaction, binary or hex (optional 0x);\n"
            "      psbt: binary, hex or base64; eip191: the exact message bytes;\n"
            "      eip712, safe-tx: the eth_signTypedData_v4 JSON document.\n"
            "--allow-multisend needs --chain-id. Exit: 0 shown, 1 refused, 2 usage, 3 input error.\n");
}

static int read_file(const char *path, uint8_t **out, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, n;
    int r = -1;

    if (f == NULL) {
        fprintf(stderr, "mpc-inspect: %s: %s\n", path, strerror(errno));
        return -1;
    }
    buf = malloc(MAX_FILE + 1);
    if (buf == NULL) {
        fprintf(stderr, "mpc-inspect: out of memory\n");
        goto out;
    }
    while ((n = fread(buf + len, 1, MAX_FILE + 1 - len, f)) > 0) {
        len += n;
        if (len > MAX_FILE) {
            fprintf(stderr, "mpc-inspect: %s: larger than %u bytes\n", path, MAX_FILE);
            goto out;
        }
    }
    if (ferror(f)) {
        fprintf(stderr, "mpc-inspect: %s: read error\n", path);
        goto out;
    }
    *out = buf;
    *out_len = len;
    buf = NULL;
    r = 0;
out:
    free(buf);
    fclose(f);
    return r;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static size_t trim_trailing_space(const uint8_t *p, size_t len)
{
    while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r' || p[len - 1] == ' ' || p[len - 1] == '\t')) {
        len--;
    }
    return len;
}

/* Binary payloads of these types never start with "cHNidP" (base64 of "psbt\xff") nor with an ASCII
 * hex digit (an Ethereum transaction starts with 0x01, 0x02 or 0xc0..0xff; a PSBT with "psbt\xff"),
 * and hex never contains 'H', so base64, hex and binary files are told apart without ambiguity.
 * Decodes in place. */
static int decode_text_forms(uint8_t *buf, size_t *len, int allow_base64)
{
    size_t n = trim_trailing_space(buf, *len), start = 0, out = 0;

    if (allow_base64 && n >= 6 && memcmp(buf, "cHNidP", 6) == 0) {
        uint8_t *bin;
        size_t pad;
        int dec;

        if (n % 4 != 0 || n > (size_t)INT32_MAX) {
            fprintf(stderr, "mpc-inspect: base64 payload length is not a multiple of 4\n");
            return -1;
        }
        pad = (size_t)(buf[n - 1] == '=') + (size_t)(buf[n - 2] == '=');
        /* EVP_DecodeBlock writes 3 bytes per 4 characters and does not document overlapping buffers. */
        bin = malloc(n / 4 * 3);
        if (bin == NULL) {
            fprintf(stderr, "mpc-inspect: out of memory\n");
            return -1;
        }
        dec = EVP_DecodeBlock(bin, buf, (int)n);
        if (dec < 0 || (size_t)dec < pad) {
            fprintf(stderr, "mpc-inspect: invalid base64\n");
            free(bin);
            return -1;
        }
        *len = (size_t)dec - pad;
        memcpy(buf, bin, *len);
        free(bin);
        return 0;
    }
    if (n >= 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
        start = 2;
    }
    if (n > start && hexval(buf[start]) >= 0) {
        if ((n - start) % 2 != 0) {
            fprintf(stderr, "mpc-inspect: hex payload with an odd number of digits\n");
            return -1;
        }
        for (size_t i = start; i < n; i += 2) {
            int hi = hexval(buf[i]), lo = hexval(buf[i + 1]);

            if (hi < 0 || lo < 0) {
                fprintf(stderr, "mpc-inspect: non-hex character at offset %zu\n", hi < 0 ? i : i + 1);
                return -1;
            }
            buf[out++] = (uint8_t)(hi << 4 | lo);
        }
        *len = out;
        return 0;
    }
    return 0;
}

static void print_escaped(const char *s)
{
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\') {
            printf("\\%c", *p);
        } else if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            printf("\\u%04x", (unsigned)(unsigned char)*p);
        } else {
            putchar(*p);
        }
    }
}

static int parse_u64(uint64_t *out, const char *s, uint64_t max)
{
    char *end;
    unsigned long long v;

    if (s[0] < '1' || s[0] > '9') {
        return -1;
    }
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

/* m/44'/60'/0'/0/0 (h or H also mark a hardened step). */
static int parse_path(uint32_t *path, size_t *depth, const char *s)
{
    size_t n = 0;

    if (s[0] != 'm') {
        return -1;
    }
    s++;
    while (*s != '\0') {
        uint64_t v = 0;
        size_t digits = 0;

        if (*s++ != '/' || n == PAYLOAD_SUMMARY_MAX_PATH) {
            return -1;
        }
        while (*s >= '0' && *s <= '9') {
            if (digits > 0 && v == 0) {
                return -1;
            }
            v = v * 10u + (uint64_t)(*s++ - '0');
            if (++digits > 10 || v > 0x7fffffffu) {
                return -1;
            }
        }
        if (digits == 0) {
            return -1;
        }
        if (*s == '\'' || *s == 'h' || *s == 'H') {
            v |= 0x80000000u;
            s++;
        }
        path[n++] = (uint32_t)v;
    }
    *depth = n;
    return 0;
}

static int parse_network(payload_btc_network *net, const char *s)
{
    static const struct {
        const char *name;
        payload_btc_network net;
    } nets[] = { { "main", PAYLOAD_BTC_NET_MAIN }, { "testnet", PAYLOAD_BTC_NET_TESTNET },
                 { "signet", PAYLOAD_BTC_NET_SIGNET }, { "regtest", PAYLOAD_BTC_NET_REGTEST } };

    for (size_t i = 0; i < sizeof nets / sizeof nets[0]; i++) {
        if (strcmp(s, nets[i].name) == 0) {
            *net = nets[i].net;
            return 0;
        }
    }
    return -1;
}

int main(int argc, char **argv)
{
    static payload_asset assets[MAX_ASSETS];
    static payload_safe_target multisend[MAX_MULTISEND];
    static uint32_t path[PAYLOAD_SUMMARY_MAX_PATH];
    const char *type_name = NULL, *file = NULL, *registry_file = NULL;
    const char *multisend_text[MAX_MULTISEND];
    payload_asset_registry registry = { assets, 0 };
    payload_summary_ctx ctx;
    payload_summary_work *work = NULL;
    payload_summary *summary = NULL;
    uint8_t *raw = NULL, own_address[20];
    char *text = NULL;
    size_t raw_len = 0, n_multisend = 0, text_len = 0;
    uint32_t type;
    int json = 0, rc = EXIT_INPUT, r;
    payload_err err;

    memset(&ctx, 0, sizeof ctx);
    ctx.btc_network = PAYLOAD_BTC_NET_MAIN;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--json") == 0) {
            json = 1;
            continue;
        }
        if (strcmp(a, "--help") == 0) {
            usage(stdout);
            return EXIT_SHOWN;
        }
        if (v == NULL) {
            fprintf(stderr, "mpc-inspect: %s needs a value or is unknown\n", a);
            usage(stderr);
            return EXIT_USAGE;
        }
        i++;
        if (strcmp(a, "--type") == 0) {
            type_name = v;
        } else if (strcmp(a, "--file") == 0) {
            file = v;
        } else if (strcmp(a, "--asset-registry") == 0) {
            registry_file = v;
        } else if (strcmp(a, "--chain-id") == 0) {
            if (parse_u64(&ctx.chain_id, v, PAYLOAD_ETH_MAX_CHAIN_ID) != 0) {
                fprintf(stderr, "mpc-inspect: --chain-id: need a decimal chain id from 1 to 2^62\n");
                return EXIT_USAGE;
            }
        } else if (strcmp(a, "--allow-multisend") == 0) {
            if (n_multisend == MAX_MULTISEND) {
                fprintf(stderr, "mpc-inspect: at most %u --allow-multisend\n", MAX_MULTISEND);
                return EXIT_USAGE;
            }
            multisend_text[n_multisend++] = v;
        } else if (strcmp(a, "--native-symbol") == 0) {
            ctx.native_symbol = v;
        } else if (strcmp(a, "--network") == 0) {
            if (parse_network(&ctx.btc_network, v) != 0) {
                fprintf(stderr, "mpc-inspect: --network: main, testnet, signet or regtest\n");
                return EXIT_USAGE;
            }
        } else if (strcmp(a, "--key-id") == 0) {
            ctx.key_id = v;
        } else if (strcmp(a, "--path") == 0) {
            if (parse_path(path, &ctx.path_len, v) != 0) {
                fprintf(stderr, "mpc-inspect: --path: need m/N[']/... with at most %u steps\n",
                        PAYLOAD_SUMMARY_MAX_PATH);
                return EXIT_USAGE;
            }
            ctx.path = path;
        } else if (strcmp(a, "--own-address") == 0) {
            if (payload_eth_addr_parse(&err, own_address, NULL, v, strlen(v)) != PAYLOAD_OK) {
                fprintf(stderr, "mpc-inspect: --own-address: %s\n", err.msg);
                return EXIT_USAGE;
            }
            ctx.own_address = own_address;
        } else {
            fprintf(stderr, "mpc-inspect: unknown option %s\n", a);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    type = type_name != NULL ? payload_type_from_name(type_name) : 0;
    if (type == 0 || file == NULL) {
        fprintf(stderr, "mpc-inspect: --type (eth-tx, erc20, eip191, eip712, safe-tx, psbt) and --file are required\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    if (n_multisend > 0 && ctx.chain_id == 0) {
        fprintf(stderr, "mpc-inspect: --allow-multisend needs --chain-id (an allowlist entry is per chain)\n");
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < n_multisend; i++) {
        multisend[i].chain_id = ctx.chain_id;
        if (payload_eth_addr_parse(&err, multisend[i].address, NULL, multisend_text[i], strlen(multisend_text[i])) !=
            PAYLOAD_OK) {
            fprintf(stderr, "mpc-inspect: --allow-multisend %s: %s\n", multisend_text[i], err.msg);
            return EXIT_USAGE;
        }
    }
    ctx.multisend_call_only = multisend;
    ctx.n_multisend_call_only = n_multisend;

    if (registry_file != NULL) {
        if (read_file(registry_file, &raw, &raw_len) != 0) {
            goto out;
        }
        if (payload_summary_registry_parse(&err, assets, MAX_ASSETS, &registry.n_assets, (const char *)raw, raw_len) !=
            PAYLOAD_OK) {
            fprintf(stderr, "mpc-inspect: %s: %s\n", registry_file, err.msg);
            goto out;
        }
        free(raw);
        raw = NULL;
        ctx.registry = &registry;
    }
    if (read_file(file, &raw, &raw_len) != 0) {
        goto out;
    }
    if ((type == PAYLOAD_TYPE_ETH_TX || type == PAYLOAD_TYPE_ERC20 || type == PAYLOAD_TYPE_PSBT) &&
        decode_text_forms(raw, &raw_len, type == PAYLOAD_TYPE_PSBT) != 0) {
        goto out;
    }
    work = malloc(sizeof *work);
    summary = malloc(sizeof *summary);
    text = malloc(PAYLOAD_SUMMARY_RENDER_MAX);
    if (work == NULL || summary == NULL || text == NULL) {
        fprintf(stderr, "mpc-inspect: out of memory\n");
        goto out;
    }
    r = payload_summary_build(&err, summary, work, &ctx, (payload_type)type, raw, raw_len);
    if (r != PAYLOAD_OK) {
        /* The reason may quote names taken from the payload: escaped, it stays on one line. */
        printf(json ? "{\"refused\":\"" : "refused: ");
        print_escaped(err.msg);
        printf(json ? "\",\"error\":\"%s\"}\n" : "\nerror: %s\n", payload_strerror(r));
        rc = EXIT_REFUSED;
        goto out;
    }
    r = json ? payload_summary_render_json(&err, text, PAYLOAD_SUMMARY_RENDER_MAX, &text_len, summary)
             : payload_summary_render_text(&err, text, PAYLOAD_SUMMARY_RENDER_MAX, &text_len, summary);
    if (r != PAYLOAD_OK) {
        fprintf(stderr, "mpc-inspect: %s\n", err.msg);
        goto out;
    }
    fwrite(text, 1, text_len, stdout);
    rc = EXIT_SHOWN;
out:
    if (fflush(stdout) != 0 && rc == EXIT_SHOWN) {
        rc = EXIT_INPUT;
    }
    free(text);
    free(summary);
    free(work);
    free(raw);
    return rc;
}
