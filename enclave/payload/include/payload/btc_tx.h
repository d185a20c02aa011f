/*
 * Bitcoin transactions: strict parser and serializer (legacy and BIP144 segwit serialization),
 * txid. The parsed struct borrows the input buffer (scripts and witness items point into it), so
 * the buffer must outlive the struct.
 * Conventions (error argument first, negative PAYLOAD_E_* codes): see payload/payload.h.
 */
#ifndef PAYLOAD_BTC_TX_H
#define PAYLOAD_BTC_TX_H

#include "payload/payload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bounds of a transaction the enclave decodes in full (the one it signs). A standard transaction
 * weighs at most 400000 WU, hence at most 400000 bytes. */
#define PAYLOAD_BTC_TX_MAX_SIZE 400000u
#define PAYLOAD_BTC_TX_MAX_INPUTS 256u
#define PAYLOAD_BTC_TX_MAX_OUTPUTS 256u
#define PAYLOAD_BTC_TX_MAX_WITNESS_ITEMS 16u /* per input; P2WPKH needs 2 */
/* A transaction that is only scanned (a previous transaction in a PSBT) may be as large as a block. */
#define PAYLOAD_BTC_TX_MAX_SCAN_SIZE 4000000u

/* A byte string borrowed from the parsed buffer (data may be NULL when len is 0). */
typedef struct {
    const uint8_t *data;
    size_t len;
} payload_btc_bytes;

typedef struct {
    uint8_t prev_txid[32]; /* serialized (internal) byte order; displayed reversed */
    uint32_t prev_vout;
    payload_btc_bytes script_sig;
    uint32_t sequence;
    size_t witness_count;
    payload_btc_bytes witness[PAYLOAD_BTC_TX_MAX_WITNESS_ITEMS];
} payload_btc_txin;

typedef struct {
    uint64_t value; /* satoshis; not range-checked here (legacy sighash vectors use any value) */
    payload_btc_bytes script_pubkey;
} payload_btc_txout;

typedef struct {
    uint32_t version;
    uint32_t locktime;
    size_t n_in;
    size_t n_out;
    int has_witness; /* parsed from the BIP144 serialization with at least one non-empty witness */
    payload_btc_txin in[PAYLOAD_BTC_TX_MAX_INPUTS];
    payload_btc_txout out[PAYLOAD_BTC_TX_MAX_OUTPUTS];
} payload_btc_tx;

typedef enum {
    PAYLOAD_BTC_TX_NO_WITNESS = 0,   /* legacy serialization only (a 0x00 input count means zero inputs) */
    PAYLOAD_BTC_TX_ALLOW_WITNESS = 1 /* BIP144 marker/flag recognised */
} payload_btc_tx_mode;

/** Parse exactly raw[0..len) (no trailing bytes). Refuses: non-canonical compact sizes, counts or
 *  sizes over the bounds above, a witness flag other than 1, a witness serialization whose
 *  witnesses are all empty (as Bitcoin Core does), and truncation.
 *  In PAYLOAD_BTC_TX_ALLOW_WITNESS mode a transaction with zero inputs cannot be expressed (0x00 is the
 *  segwit marker), as in Bitcoin Core. */
int payload_btc_tx_parse(payload_err *err, payload_btc_tx *tx, const uint8_t *raw, size_t len, payload_btc_tx_mode mode)
        PAYLOAD_WARN_UNUSED_RESULT;

/** Serialize tx, with witnesses if mode is PAYLOAD_BTC_TX_ALLOW_WITNESS and some input has one.
 *  Out: out[0..*out_len). */
int payload_btc_tx_serialize(payload_err *err, uint8_t *out, size_t out_size, size_t *out_len, const payload_btc_tx *tx,
        payload_btc_tx_mode mode) PAYLOAD_WARN_UNUSED_RESULT;

/** txid = SHA256d of the legacy serialization, in serialized (internal) byte order. */
int payload_btc_tx_txid(payload_err *err, uint8_t txid[32], const payload_btc_tx *tx) PAYLOAD_WARN_UNUSED_RESULT;

/** Validate a whole transaction of up to PAYLOAD_BTC_TX_MAX_SCAN_SIZE bytes without storing it (no bound
 *  on its counts beyond its size) and return its txid and its output number vout.
 *  Out: txid, *out (script borrowed from raw). Fails if vout does not exist. */
int payload_btc_tx_scan_output(payload_err *err, uint8_t txid[32], payload_btc_txout *out, const uint8_t *raw,
        size_t len, uint32_t vout) PAYLOAD_WARN_UNUSED_RESULT;

#ifdef __cplusplus
}
#endif
#endif
