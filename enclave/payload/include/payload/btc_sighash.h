/*
 * Bitcoin signature digests: the legacy SignatureHash (pre-segwit) and BIP143 (segwit v0).
 * Both implement every hash type so that the official vectors can be checked; the PSBT layer only
 * ever asks for SIGHASH_ALL.
 * Conventions (error argument first, negative PAYLOAD_E_* codes): see payload/payload.h.
 */
#ifndef PAYLOAD_BTC_SIGHASH_H
#define PAYLOAD_BTC_SIGHASH_H

#include "payload/btc_tx.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PAYLOAD_BTC_SIGHASH_ALL 0x01u
#define PAYLOAD_BTC_SIGHASH_NONE 0x02u
#define PAYLOAD_BTC_SIGHASH_SINGLE 0x03u
#define PAYLOAD_BTC_SIGHASH_ANYONECANPAY 0x80u

/* Longest scriptCode accepted (consensus MAX_SCRIPT_SIZE). */
#define PAYLOAD_BTC_SCRIPT_MAX_SIZE 10000u

/** Legacy SignatureHash of input in_index, as Bitcoin Core computes it: the scriptCode (the
 *  prevout's scriptPubKey, or the redeemScript for P2SH) with every OP_CODESEPARATOR removed goes
 *  into that input's scriptSig, the others are emptied; NONE/SINGLE/ANYONECANPAY as in Core; then
 *  SHA256d(serialization || le32(hash_type)). hash_type is the full 32-bit value appended; its low
 *  5 bits and bit 0x80 select the behaviour.
 *  Core returns the constant 1 when in_index >= n_in, or for SINGLE when in_index >= n_out (a
 *  digest anyone can sign for): those cases are refused here with PAYLOAD_E_UNSUPPORTED.
 *  Out: digest (in the byte order that is signed; Core prints it reversed). */
int payload_btc_sighash_legacy(payload_err *err, uint8_t digest[32], const payload_btc_tx *tx, size_t in_index,
        const uint8_t *script_code, size_t script_code_len, uint32_t hash_type) PAYLOAD_WARN_UNUSED_RESULT;

/** BIP143 preimage for input in_index spending amount satoshis. script_code is given WITHOUT its
 *  compact-size prefix (e.g. 76a914{20}88ac for P2WPKH). Out: preimage[0..*preimage_len). */
int payload_btc_sighash_segwit_v0_preimage(payload_err *err, uint8_t *preimage, size_t preimage_size,
        size_t *preimage_len, const payload_btc_tx *tx, size_t in_index, const uint8_t *script_code,
        size_t script_code_len, uint64_t amount, uint32_t hash_type) PAYLOAD_WARN_UNUSED_RESULT;

/** BIP143 digest = SHA256d(preimage) (same arguments). */
int payload_btc_sighash_segwit_v0(payload_err *err, uint8_t digest[32], const payload_btc_tx *tx, size_t in_index,
        const uint8_t *script_code, size_t script_code_len, uint64_t amount, uint32_t hash_type)
        PAYLOAD_WARN_UNUSED_RESULT;

#ifdef __cplusplus
}
#endif
#endif
