/*
 * PSBT version 0 (BIP174): strict parser, serializer, signing analysis for the enclave, partial
 * signature writer, finalizer and extractor.
 *
 * The parsed payload_btc_psbt borrows the input buffer (records point into it) and owns a small arena for
 * the bytes it adds (signatures, final scripts): the buffer must outlive the struct, and the
 * struct must not be copied after bytes were added (records then point into its own arena).
 * sizeof(payload_btc_psbt) is a few hundred KiB: allocate it, do not put it on a small stack.
 *
 * What the enclave signs (payload_btc_psbt_analyze): every input is P2WPKH, P2SH-P2WPKH or P2PKH; every
 * input carries the FULL previous transaction (PSBT_IN_NON_WITNESS_UTXO, also for segwit inputs,
 * because BIP143 lets a signer be lied to about the amounts of other inputs), whose txid matches
 * the prevout and whose output amount is the one used; a witness UTXO, if also present, must agree;
 * the sighash type is absent or SIGHASH_ALL; the key is named by a BIP32 derivation entry whose
 * compressed public key hashes to the script's key hash.
 *
 * Conventions (error argument first, negative PAYLOAD_E_* codes): see payload/payload.h.
 */
#ifndef PAYLOAD_PSBT_H
#define PAYLOAD_PSBT_H

#include "payload/btc_addr.h"
#include "payload/btc_tx.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PAYLOAD_BTC_PSBT_MAX_SIZE (16u << 20)     /* whole PSBT, bytes */
#define PAYLOAD_BTC_PSBT_MAX_RECORDS 2048u        /* key-value records over all maps */
#define PAYLOAD_BTC_PSBT_MAX_MAP_RECORDS 64u      /* key-value records in one map */
#define PAYLOAD_BTC_PSBT_MAX_PATH 16u             /* BIP32 derivation depth */
#define PAYLOAD_BTC_PSBT_ARENA_SIZE (128u << 10)  /* bytes added by the writer and the finalizer */
#define PAYLOAD_BTC_MAX_MONEY 2100000000000000ull /* 21e6 BTC in satoshis; larger amounts are refused */

/* Key types used by the parser and writer (BIP174). */
enum {
    PAYLOAD_BTC_PSBT_GLOBAL_UNSIGNED_TX = 0x00,
    PAYLOAD_BTC_PSBT_GLOBAL_XPUB = 0x01,
    PAYLOAD_BTC_PSBT_GLOBAL_VERSION = 0xfb,
    PAYLOAD_BTC_PSBT_IN_NON_WITNESS_UTXO = 0x00,
    PAYLOAD_BTC_PSBT_IN_WITNESS_UTXO = 0x01,
    PAYLOAD_BTC_PSBT_IN_PARTIAL_SIG = 0x02,
    PAYLOAD_BTC_PSBT_IN_SIGHASH_TYPE = 0x03,
    PAYLOAD_BTC_PSBT_IN_REDEEM_SCRIPT = 0x04,
    PAYLOAD_BTC_PSBT_IN_WITNESS_SCRIPT = 0x05,
    PAYLOAD_BTC_PSBT_IN_BIP32_DERIVATION = 0x06,
    PAYLOAD_BTC_PSBT_IN_FINAL_SCRIPTSIG = 0x07,
    PAYLOAD_BTC_PSBT_IN_FINAL_SCRIPTWITNESS = 0x08,
    PAYLOAD_BTC_PSBT_OUT_REDEEM_SCRIPT = 0x00,
    PAYLOAD_BTC_PSBT_OUT_WITNESS_SCRIPT = 0x01,
    PAYLOAD_BTC_PSBT_OUT_BIP32_DERIVATION = 0x02,
    PAYLOAD_BTC_PSBT_PROPRIETARY = 0xfc
};

/* One key-value pair as it appears on the wire. */
typedef struct {
    uint64_t type;
    payload_btc_bytes key;     /* the whole key: compact-size type || keydata */
    payload_btc_bytes keydata;
    payload_btc_bytes value;
} payload_btc_psbt_record;

/* A map is a contiguous run of records in payload_btc_psbt.rec, in wire order. */
typedef struct {
    size_t first;
    size_t count;
} payload_btc_psbt_map;

typedef struct {
    payload_btc_tx tx; /* the global unsigned transaction */
    payload_btc_psbt_map global;
    payload_btc_psbt_map in[PAYLOAD_BTC_TX_MAX_INPUTS];
    payload_btc_psbt_map out[PAYLOAD_BTC_TX_MAX_OUTPUTS];
    size_t n_records;
    payload_btc_psbt_record rec[PAYLOAD_BTC_PSBT_MAX_RECORDS];
    size_t arena_used;
    uint8_t arena[PAYLOAD_BTC_PSBT_ARENA_SIZE];
} payload_btc_psbt;

/** Parse a binary PSBT v0. Refuses: bad magic; a missing or non-empty-scriptSig unsigned tx (it
 *  is read without witness serialization, so witnesses cannot appear); PSBT_GLOBAL_VERSION other
 *  than 0 and BIP370 (v2) fields; duplicate keys in a map; a key type with keydata of the wrong
 *  length or an invalid public key; a value of the wrong form (witness UTXO, sighash type, DER
 *  signature, BIP32 path, final witness stack, hash preimage that does not hash to its key, a
 *  non-witness UTXO whose txid differs from the prevout or that lacks the spent output); a
 *  non-minimal key type; counts over the bounds above; fewer maps than inputs/outputs; trailing
 *  bytes. Unknown and proprietary keys are kept and written back unchanged. */
int payload_btc_psbt_parse(
        payload_err *err, payload_btc_psbt *psbt, const uint8_t *raw, size_t len) PAYLOAD_WARN_UNUSED_RESULT;

/** Serialize (records in their current order). Out: out[0..*out_len). */
int payload_btc_psbt_serialize(payload_err *err, uint8_t *out, size_t out_size, size_t *out_len,
        const payload_btc_psbt *psbt) PAYLOAD_WARN_UNUSED_RESULT;

typedef enum {
    PAYLOAD_BTC_INPUT_P2PKH = 1,
    PAYLOAD_BTC_INPUT_P2WPKH,
    PAYLOAD_BTC_INPUT_P2SH_P2WPKH
} payload_btc_input_kind;

/* A BIP32 origin: master fingerprint (as serialized) and path (hardened steps have bit 31 set). */
typedef struct {
    uint8_t fingerprint[4];
    size_t depth;
    uint32_t path[PAYLOAD_BTC_PSBT_MAX_PATH];
} payload_btc_key_origin;

typedef struct {
    payload_btc_input_kind kind;
    uint64_t amount;     /* from the previous transaction */
    uint8_t digest[32];  /* what the threshold protocol signs (SIGHASH_ALL) */
    uint8_t pubkey[33];  /* compressed key the digest is signed for */
    payload_btc_key_origin origin;
} payload_btc_psbt_input_info;

typedef struct {
    uint64_t amount;
    payload_btc_addr_type type;
    char address[PAYLOAD_BTC_ADDR_MAX_LEN + 1];
    int is_change;       /* pays to one of our own keys (see payload_btc_psbt_is_own_fn) */
} payload_btc_psbt_output_info;

typedef struct {
    size_t n_in;
    size_t n_out;
    uint64_t total_in;
    uint64_t total_out;
    uint64_t fee;
    payload_btc_psbt_input_info in[PAYLOAD_BTC_TX_MAX_INPUTS];
    payload_btc_psbt_output_info out[PAYLOAD_BTC_TX_MAX_OUTPUTS];
} payload_btc_psbt_summary;

/* Change recognition: return 1 only if deriving `origin` from one of our own master keys gives
 * exactly `pubkey` (the callback must derive and compare, not trust the PSBT), else 0. An output
 * counts as change only if, in addition, its script pays to that pubkey (P2WPKH, P2SH-P2WPKH or
 * P2PKH), which payload_btc_psbt_analyze checks itself. */
typedef int (*payload_btc_psbt_is_own_fn)(void *ctx, const uint8_t pubkey[33], const payload_btc_key_origin *origin);

/** Everything the enclave needs to decide about and sign a PSBT (rules in the header comment):
 *  per input the digest and key, per output the address on network net and amount, the fee.
 *  A transaction without inputs or outputs or spending an outpoint twice is refused.
 *  Amounts over PAYLOAD_BTC_MAX_MONEY, a total over it and outputs exceeding inputs are refused, as are
 *  outputs with a script that is not an address (e.g. OP_RETURN) and destinations of an unknown
 *  witness version. is_own may be NULL (no output is then change). */
int payload_btc_psbt_analyze(payload_err *err, payload_btc_psbt_summary *summary, const payload_btc_psbt *psbt,
        payload_btc_network net, payload_btc_psbt_is_own_fn is_own, void *is_own_ctx) PAYLOAD_WARN_UNUSED_RESULT;

/** BIP174 signer checks for one input, without requiring the full previous transaction: the UTXO
 *  records agree, a redeem/witness script matches what it claims to hash to, no witness UTXO for
 *  a P2PKH input, sighash type absent or ALL, and the input is of a kind this module signs. */
int payload_btc_psbt_signer_checks(
        payload_err *err, const payload_btc_psbt *psbt, size_t in_index) PAYLOAD_WARN_UNUSED_RESULT;

/** Add PSBT_IN_PARTIAL_SIG {pubkey33: der || 0x01} to input in_index (kept in Bitcoin Core's
 *  order among the input's records). The signature must be strict DER (BIP66), low-S and verify
 *  against digest32 (the digest payload_btc_psbt_analyze produced for that input) under pubkey33. */
int payload_btc_psbt_add_partial_sig(payload_err *err, payload_btc_psbt *psbt, size_t in_index,
        const uint8_t pubkey33[33], const uint8_t *der, size_t der_len,
        const uint8_t digest32[32]) PAYLOAD_WARN_UNUSED_RESULT;

/** Finalize every input (BIP174 Input Finalizer) for P2WPKH, P2SH-P2WPKH and P2PKH: the spent
 *  output comes from the UTXO records (both must agree if both are present), the partial signature
 *  for the script's key must be SIGHASH_ALL and verify; then PSBT_IN_FINAL_SCRIPTSIG and/or
 *  PSBT_IN_FINAL_SCRIPTWITNESS are set and every other known record except the UTXOs is removed.
 *  All inputs or none: on failure the PSBT is unchanged. */
int payload_btc_psbt_finalize(payload_err *err, payload_btc_psbt *psbt) PAYLOAD_WARN_UNUSED_RESULT;

/** Transaction Extractor: the network serialization once every input is finalized.
 *  Out: out[0..*out_len). */
int payload_btc_psbt_extract(payload_err *err, uint8_t *out, size_t out_size, size_t *out_len,
        const payload_btc_psbt *psbt) PAYLOAD_WARN_UNUSED_RESULT;

#ifdef __cplusplus
}
#endif
#endif
