/*
 * Bitcoin addresses <-> scriptPubKey, per network.
 * Conventions (error argument first, negative PAYLOAD_E_* codes): see payload/payload.h.
 */
#ifndef PAYLOAD_BTC_ADDR_H
#define PAYLOAD_BTC_ADDR_H

#include "payload/payload.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    PAYLOAD_BTC_NET_MAIN,    /* "bc", P2PKH 0x00, P2SH 0x05 */
    PAYLOAD_BTC_NET_TESTNET, /* testnet3 and testnet4: "tb", 0x6f, 0xc4 */
    PAYLOAD_BTC_NET_SIGNET,  /* "tb", 0x6f, 0xc4 (same encodings as testnet) */
    PAYLOAD_BTC_NET_REGTEST  /* "bcrt", 0x6f, 0xc4 */
} payload_btc_network;

typedef enum {
    PAYLOAD_BTC_ADDR_P2PKH = 1,
    PAYLOAD_BTC_ADDR_P2SH,
    PAYLOAD_BTC_ADDR_P2WPKH,
    PAYLOAD_BTC_ADDR_P2WSH,
    PAYLOAD_BTC_ADDR_P2TR,
    /* A valid segwit address of a version/length with no defined meaning (v1 not 32 bytes, v2..16).
     * Coins sent there are not protected by any known rule: callers must refuse it as a destination. */
    PAYLOAD_BTC_ADDR_WITNESS_UNKNOWN
} payload_btc_addr_type;

/* Longest scriptPubKey an address can stand for: OP_n, push, 40-byte program. */
#define PAYLOAD_BTC_ADDR_MAX_SCRIPT 42u
/* Longest address string (a Bech32 string is at most 90 characters). */
#define PAYLOAD_BTC_ADDR_MAX_LEN 90u

/** Short name of an address type ("p2wpkh", ...; never NULL). */
const char *payload_btc_addr_type_name(payload_btc_addr_type type);

/** Parse an address for network net. Base58Check (P2PKH, P2SH; exact 21-byte payload, version
 *  byte of that network) or segwit (the network's HRP; BIP173/BIP350 rules).
 *  Out: script[0..*script_len) (the scriptPubKey), *type. */
int payload_btc_address_decode(payload_err *err, uint8_t script[PAYLOAD_BTC_ADDR_MAX_SCRIPT], size_t *script_len,
        payload_btc_addr_type *type, payload_btc_network net, const char *addr,
        size_t addr_len) PAYLOAD_WARN_UNUSED_RESULT;

/** Classify a scriptPubKey. Returns PAYLOAD_OK with *type, or PAYLOAD_E_UNSUPPORTED when the script
 *  is not one of the address forms (bare multisig, OP_RETURN, P2PK, non-standard). */
int payload_btc_script_classify(payload_err *err, payload_btc_addr_type *type, const uint8_t *script, size_t script_len)
        PAYLOAD_WARN_UNUSED_RESULT;

/** The address (NUL-terminated, lower-case for segwit) that a scriptPubKey pays on network net.
 *  out needs PAYLOAD_BTC_ADDR_MAX_LEN + 1 bytes. Out: out, *type. */
int payload_btc_address_encode(payload_err *err, char *out, size_t out_size, payload_btc_addr_type *type,
        payload_btc_network net, const uint8_t *script, size_t script_len) PAYLOAD_WARN_UNUSED_RESULT;

#ifdef __cplusplus
}
#endif
#endif
