#include "payload/addr_eth.h"

#include <string.h>

#include "payload/keccak.h"

/* Lower-case hex of addr (40 chars, no NUL) and the keccak of that text. */
static void lower_hex_and_hash(char hex[40], uint8_t hash[32], const uint8_t addr[20]) {
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < 20; i++) {
        hex[2 * i] = digits[addr[i] >> 4];
        hex[2 * i + 1] = digits[addr[i] & 0x0f];
    }
    payload_keccak256(hash, (const uint8_t *)hex, 40);
}

/* EIP-55: a letter is upper case when the matching nibble of the hash is >= 8. */
static int nibble_high(const uint8_t hash[32], size_t i) {
    uint8_t b = hash[i / 2];
    return ((i % 2 == 0) ? (b >> 4) : (b & 0x0f)) >= 8;
}

void payload_eth_addr_checksum(char out[PAYLOAD_ETH_ADDR_STR_SIZE], const uint8_t addr[20]) {
    char hex[40];
    uint8_t hash[32];
    size_t i;

    lower_hex_and_hash(hex, hash, addr);
    out[0] = '0';
    out[1] = 'x';
    for (i = 0; i < 40; i++) {
        char c = hex[i];
        out[2 + i] = (c >= 'a' && nibble_high(hash, i)) ? (char)(c - 'a' + 'A') : c;
    }
    out[42] = '\0';
}

int payload_eth_addr_parse(payload_err *err, uint8_t addr[20], int *checksummed, const char *s, size_t len) {
    char want[PAYLOAD_ETH_ADDR_STR_SIZE];
    int lower = 0, upper = 0;
    size_t i;

    payload_err_clear(err);
    if (len != 42 || s[0] != '0' || s[1] != 'x') {
        return payload_fail(err, PAYLOAD_E_ENCODING, "address: expected '0x' followed by 40 hex digits");
    }
    for (i = 0; i < 40; i++) {
        char c = s[2 + i];
        unsigned v;
        if (c >= '0' && c <= '9') {
            v = (unsigned)(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            v = (unsigned)(c - 'a' + 10);
            lower = 1;
        } else if (c >= 'A' && c <= 'F') {
            v = (unsigned)(c - 'A' + 10);
            upper = 1;
        } else {
            return payload_fail(err, PAYLOAD_E_ENCODING, "address: character %zu is not a hex digit", 2 + i);
        }
        if (i % 2 == 0) {
            addr[i / 2] = (uint8_t)(v << 4);
        } else {
            addr[i / 2] |= (uint8_t)v;
        }
    }
    if (lower && upper) {
        payload_eth_addr_checksum(want, addr);
        if (memcmp(want, s, 42) != 0) {
            return payload_fail(err, PAYLOAD_E_CHECKSUM,
                                "address: mixed-case address does not match its EIP-55 checksum (expected %s)",
                                want);
        }
    }
    if (checksummed != NULL) {
        *checksummed = lower && upper;
    }
    return PAYLOAD_OK;
}

void payload_eth_addr_from_pubkey(uint8_t addr[20], const uint8_t xy[64]) {
    uint8_t h[32];

    payload_keccak256(h, xy, 64);
    memcpy(addr, h + 12, 20);
}
