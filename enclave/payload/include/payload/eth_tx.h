/*
 * Ethereum transactions: legacy with EIP-155 replay protection, EIP-2930 (type 1) and EIP-1559
 * (type 2).
 *
 * The enclave signs only unsigned payloads (PAYLOAD_ETH_TX_UNSIGNED): the legacy 9-field form
 * rlp([nonce, gasPrice, gas, to, value, data, chainId, 0, 0]) or the typed envelope
 * type || rlp([... , accessList]) without signature fields. PAYLOAD_ETH_TX_SIGNED parses a
 * signed transaction instead (verification, tests); the two modes never accept each other's form.
 *
 * Refused: pre-EIP-155 legacy (6-field unsigned, or v = 27/28), contract creation (empty `to`),
 * other transaction types, non-canonical integers, `to` or access-list addresses that are not
 * exactly 20 bytes, storage keys that are not exactly 32 bytes, chain id 0 or above 2^62,
 * maxPriorityFeePerGas > maxFeePerGas, and gas limit * fee overflowing 256 bits.
 */
#ifndef PAYLOAD_ETH_TX_H
#define PAYLOAD_ETH_TX_H

#include <stddef.h>
#include <stdint.h>

#include "payload/payload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest encoded transaction accepted. A hot wallet signs transfers and Safe calls; 32 KiB of
 * calldata is ample, and it lets the signing-hash re-encoding live on the stack. */
#define PAYLOAD_ETH_TX_MAX_LEN (32u * 1024u)
#define PAYLOAD_ETH_MAX_ACCESS_ENTRIES 64u          /* access-list addresses */
#define PAYLOAD_ETH_MAX_STORAGE_KEYS 256u           /* storage keys over all entries */
#define PAYLOAD_ETH_MAX_CHAIN_ID ((uint64_t)1 << 62) /* keeps v = 35 + 2*chainId + 1 within 64 bits */
/* Output size that always fits an encoding of a decoded transaction (signed form included). */
#define PAYLOAD_ETH_TX_ENCODE_MAX (PAYLOAD_ETH_TX_MAX_LEN + 256u)

typedef enum {
    PAYLOAD_ETH_TX_LEGACY = 0,
    PAYLOAD_ETH_TX_EIP2930 = 1,
    PAYLOAD_ETH_TX_EIP1559 = 2
} payload_eth_tx_type;

typedef enum {
    PAYLOAD_ETH_TX_UNSIGNED = 1, /* the only mode the enclave uses for signing requests */
    PAYLOAD_ETH_TX_SIGNED = 2
} payload_eth_tx_mode;

typedef struct {
    uint8_t address[20];
    uint32_t first_key; /* index into payload_eth_tx.storage_keys */
    uint32_t n_keys;
} payload_eth_access_entry;

typedef struct {
    uint32_t type;          /* payload_eth_tx_type */
    uint64_t chain_id;
    uint64_t nonce;         /* EIP-2681: nonces fit in 64 bits */
    uint64_t gas_limit;
    uint8_t gas_price[32];  /* legacy and type 1 */
    uint8_t max_priority_fee_per_gas[32]; /* type 2 */
    uint8_t max_fee_per_gas[32];          /* type 2 */
    uint8_t max_fee_total[32];            /* gas_limit * (gas_price or max_fee_per_gas), for display */
    uint8_t to[20];
    uint8_t value[32];
    const uint8_t *data;    /* points into the decoded input */
    size_t data_len;
    size_t n_access;
    payload_eth_access_entry access[PAYLOAD_ETH_MAX_ACCESS_ENTRIES];
    size_t n_storage_keys;
    uint8_t storage_keys[PAYLOAD_ETH_MAX_STORAGE_KEYS][32];
    /* Signed mode only. */
    int is_signed;
    uint8_t y_parity;       /* recovery id 0/1 (legacy: derived from v) */
    uint8_t r[32];
    uint8_t s[32];
} payload_eth_tx;

/** Decode a transaction in the given mode. tx->data points into in, which must outlive tx.
 *  Returns: PAYLOAD_OK or a PAYLOAD_E_* code with a reason naming the field. */
int payload_eth_tx_decode(payload_err *err, payload_eth_tx *tx, payload_eth_tx_mode mode, const uint8_t *in,
                          size_t in_len) PAYLOAD_WARN_UNUSED_RESULT;

/* The encoders below read tx->data, which points into the decoded input: out must not overlap it. */

/** The unsigned encoding (the exact bytes the signing hash covers). */
int payload_eth_tx_encode_unsigned(payload_err *err, uint8_t *out, size_t out_size, size_t *out_len,
                                   const payload_eth_tx *tx) PAYLOAD_WARN_UNUSED_RESULT;

/** keccak256 of the unsigned encoding: the digest to be signed. */
int payload_eth_tx_signing_hash(payload_err *err, uint8_t hash[32], const payload_eth_tx *tx) PAYLOAD_WARN_UNUSED_RESULT;

/** Assemble the signed transaction from a signature over payload_eth_tx_signing_hash(tx):
 *  r, s big-endian (1 <= r, s < n) and recid 0/1. A high s is replaced by n - s with the recovery id
 *  flipped (EIP-2). Legacy: v = recid + 35 + 2*chainId; typed: yParity = recid. Also returns
 *  the transaction hash keccak256(signed bytes). The signature itself is not verified here.
 *  Returns: PAYLOAD_OK, PAYLOAD_E_ARG (bad r, s or recid), PAYLOAD_E_OUTPUT. */
int payload_eth_tx_assemble_signed(payload_err *err, uint8_t *out, size_t out_size, size_t *out_len,
                                   uint8_t tx_hash[32], const payload_eth_tx *tx, const uint8_t r[32],
                                   const uint8_t s[32], int recid) PAYLOAD_WARN_UNUSED_RESULT;

#ifdef __cplusplus
}
#endif

#endif
