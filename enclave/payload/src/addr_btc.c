#include "payload/btc_addr.h"

#include <string.h>

#include "payload/base58.h"
#include "payload/bech32.h"

enum { OP_0 = 0x00, OP_1 = 0x51, OP_16 = 0x60, OP_DUP = 0x76, OP_EQUAL = 0x87, OP_EQUALVERIFY = 0x88,
       OP_HASH160 = 0xa9, OP_CHECKSIG = 0xac };

typedef struct {
    const char *hrp;
    uint8_t p2pkh;
    uint8_t p2sh;
} net_params;

static int params(payload_err *err, net_params *p, payload_btc_network net)
{
    switch (net) {
    case PAYLOAD_BTC_NET_MAIN:
        *p = (net_params){ "bc", 0x00, 0x05 };
        return PAYLOAD_OK;
    case PAYLOAD_BTC_NET_TESTNET:
    case PAYLOAD_BTC_NET_SIGNET:
        *p = (net_params){ "tb", 0x6f, 0xc4 };
        return PAYLOAD_OK;
    case PAYLOAD_BTC_NET_REGTEST:
        *p = (net_params){ "bcrt", 0x6f, 0xc4 };
        return PAYLOAD_OK;
    }
    return payload_fail(err, PAYLOAD_E_ARG, "address: unknown network %d", (int)net);
}

const char *payload_btc_addr_type_name(payload_btc_addr_type type)
{
    switch (type) {
    case PAYLOAD_BTC_ADDR_P2PKH: return "p2pkh";
    case PAYLOAD_BTC_ADDR_P2SH: return "p2sh";
    case PAYLOAD_BTC_ADDR_P2WPKH: return "p2wpkh";
    case PAYLOAD_BTC_ADDR_P2WSH: return "p2wsh";
    case PAYLOAD_BTC_ADDR_P2TR: return "p2tr";
    case PAYLOAD_BTC_ADDR_WITNESS_UNKNOWN: return "witness-unknown";
    }
    return "invalid";
}

static payload_btc_addr_type witness_type(unsigned version, size_t program_len)
{
    if (version == 0) {
        return program_len == 20 ? PAYLOAD_BTC_ADDR_P2WPKH : PAYLOAD_BTC_ADDR_P2WSH;
    }
    if (version == 1 && program_len == 32) {
        return PAYLOAD_BTC_ADDR_P2TR;
    }
    return PAYLOAD_BTC_ADDR_WITNESS_UNKNOWN;
}

/* The network's Base58 versions give addresses starting with 1/3 (main) or m/n/2 (test, signet,
 * regtest), never with "<hrp>1", so that prefix alone decides which decoder applies. */
static int has_hrp_prefix(const char *addr, size_t len, const char *hrp)
{
    size_t n = strlen(hrp);

    if (len <= n || addr[n] != '1') {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char c = addr[i];
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        if (c != hrp[i]) {
            return 0;
        }
    }
    return 1;
}

int payload_btc_address_decode(payload_err *err, uint8_t script[PAYLOAD_BTC_ADDR_MAX_SCRIPT], size_t *script_len,
        payload_btc_addr_type *type, payload_btc_network net, const char *addr, size_t addr_len)
{
    net_params p = { NULL, 0, 0 };
    int ret = params(err, &p, net);

    if (ret != PAYLOAD_OK) {
        return ret;
    }
    if (addr_len > PAYLOAD_BTC_ADDR_MAX_LEN) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "address: %zu characters is longer than any address", addr_len);
    }
    if (has_hrp_prefix(addr, addr_len, p.hrp)) {
        uint8_t program[PAYLOAD_BTC_SEGWIT_MAX_PROGRAM];
        size_t n;
        unsigned version;
        ret = payload_btc_segwit_decode(err, &version, program, &n, p.hrp, addr, addr_len);
        if (ret != PAYLOAD_OK) {
            return ret;
        }
        script[0] = (uint8_t)(version == 0 ? OP_0 : OP_1 + version - 1);
        script[1] = (uint8_t)n;
        memcpy(script + 2, program, n);
        *script_len = n + 2;
        *type = witness_type(version, n);
        return PAYLOAD_OK;
    } else {
        uint8_t payload[PAYLOAD_BTC_BASE58_MAX_BYTES];
        size_t n;
        ret = payload_btc_base58check_decode(err, payload, sizeof payload, &n, addr, addr_len);
        if (ret != PAYLOAD_OK) {
            return ret;
        }
        if (n != 21) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "address: base58 payload of %zu bytes (must be 21)", n);
        }
        if (payload[0] == p.p2pkh) {
            script[0] = OP_DUP;
            script[1] = OP_HASH160;
            script[2] = 20;
            memcpy(script + 3, payload + 1, 20);
            script[23] = OP_EQUALVERIFY;
            script[24] = OP_CHECKSIG;
            *script_len = 25;
            *type = PAYLOAD_BTC_ADDR_P2PKH;
        } else if (payload[0] == p.p2sh) {
            script[0] = OP_HASH160;
            script[1] = 20;
            memcpy(script + 2, payload + 1, 20);
            script[22] = OP_EQUAL;
            *script_len = 23;
            *type = PAYLOAD_BTC_ADDR_P2SH;
        } else {
            return payload_fail(err, PAYLOAD_E_ENCODING,
                    "address: version byte 0x%02x is not P2PKH or P2SH on this network", (unsigned)payload[0]);
        }
        return PAYLOAD_OK;
    }
}

int payload_btc_script_classify(payload_err *err, payload_btc_addr_type *type, const uint8_t *s, size_t len)
{
    if (len == 25 && s[0] == OP_DUP && s[1] == OP_HASH160 && s[2] == 20 && s[23] == OP_EQUALVERIFY &&
            s[24] == OP_CHECKSIG) {
        *type = PAYLOAD_BTC_ADDR_P2PKH;
        return PAYLOAD_OK;
    }
    if (len == 23 && s[0] == OP_HASH160 && s[1] == 20 && s[22] == OP_EQUAL) {
        *type = PAYLOAD_BTC_ADDR_P2SH;
        return PAYLOAD_OK;
    }
    /* BIP141 witness program: version opcode, then one direct push of 2..40 bytes. */
    if (len >= 4 && len <= PAYLOAD_BTC_ADDR_MAX_SCRIPT && (s[0] == OP_0 || (s[0] >= OP_1 && s[0] <= OP_16)) &&
            s[1] == len - 2) {
        unsigned version = s[0] == OP_0 ? 0 : (unsigned)(s[0] - OP_1 + 1);
        size_t n = len - 2;
        if (version == 0 && n != 20 && n != 32) {
            return payload_fail(
                    err, PAYLOAD_E_UNSUPPORTED, "script: v0 witness program of %zu bytes is unspendable", n);
        }
        *type = witness_type(version, n);
        return PAYLOAD_OK;
    }
    return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "script: %zu-byte scriptPubKey is not an address form "
            "(P2PKH, P2SH or witness program)", len);
}

int payload_btc_address_encode(payload_err *err, char *out, size_t out_size, payload_btc_addr_type *type,
        payload_btc_network net, const uint8_t *script, size_t script_len)
{
    net_params p = { NULL, 0, 0 };
    uint8_t payload[21];
    size_t n;
    int ret = params(err, &p, net);

    if (ret != PAYLOAD_OK) {
        return ret;
    }
    ret = payload_btc_script_classify(err, type, script, script_len);
    if (ret != PAYLOAD_OK) {
        return ret;
    }
    switch (*type) {
    case PAYLOAD_BTC_ADDR_P2PKH:
        payload[0] = p.p2pkh;
        memcpy(payload + 1, script + 3, 20);
        return payload_btc_base58check_encode(err, out, out_size, &n, payload, sizeof payload);
    case PAYLOAD_BTC_ADDR_P2SH:
        payload[0] = p.p2sh;
        memcpy(payload + 1, script + 2, 20);
        return payload_btc_base58check_encode(err, out, out_size, &n, payload, sizeof payload);
    default:
        return payload_btc_segwit_encode(err, out, out_size, p.hrp,
                script[0] == OP_0 ? 0u : (unsigned)(script[0] - OP_1 + 1), script + 2, script_len - 2);
    }
}
