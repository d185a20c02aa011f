/*
 * Safe (Gnosis Safe) SafeTx: EIP-712 hashes for both domain forms and the enclave's safety rules.
 *
 * Hashes: domainSeparator = keccak256(abi.encode(DOMAIN_TYPEHASH, [chainId,] safe)) where the
 * chainId member exists only from Safe 1.3.0 on; message hash = hashStruct(SafeTx);
 * safeTxHash = keccak256(0x19 0x01 || domainSeparator || message hash). All three are shown.
 *
 * Rules (payload_safe_tx_check): operation must be 0 (CALL) or 1 (DELEGATECALL). DELEGATECALL is
 * refused unless `to` is on the caller's MultiSendCallOnly allowlist for the chain, the calldata
 * is exactly multiSend(bytes) and value is 0; the packed inner calls are then decoded, and any
 * inner DELEGATECALL is refused. Flagged (not refused): gas refunds (gasPrice != 0 with a custom
 * gasToken or refundReceiver), calls to the Safe itself (admin operations), unknown calldata and
 * unlimited approvals.
 */
#ifndef PAYLOAD_SAFE_TX_H
#define PAYLOAD_SAFE_TX_H

#include <stddef.h>
#include <stdint.h>

#include "payload/eip712.h"
#include "payload/erc20.h"
#include "payload/payload.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PAYLOAD_SAFE_MAX_DATA (32u * 1024u) /* calldata bytes of a SafeTx */
#define PAYLOAD_SAFE_MAX_INNER 32u          /* inner calls of a multiSend batch */

typedef enum {
    PAYLOAD_SAFE_DOMAIN_NO_CHAIN_ID = 1, /* Safe <= 1.2.0: EIP712Domain(address verifyingContract) */
    PAYLOAD_SAFE_DOMAIN_CHAIN_ID = 2     /* Safe >= 1.3.0: EIP712Domain(uint256 chainId,address verifyingContract) */
} payload_safe_domain_kind;

#define PAYLOAD_SAFE_OP_CALL 0u
#define PAYLOAD_SAFE_OP_DELEGATECALL 1u

typedef struct {
    uint32_t domain_kind;       /* payload_safe_domain_kind */
    uint64_t chain_id;          /* network of the Safe (in the domain only for DOMAIN_CHAIN_ID) */
    uint8_t safe[20];           /* verifyingContract */
    uint8_t to[20];
    uint8_t value[32];
    const uint8_t *data;        /* caller-owned calldata */
    size_t data_len;
    uint8_t operation;
    uint8_t safe_tx_gas[32];
    uint8_t base_gas[32];
    uint8_t gas_price[32];
    uint8_t gas_token[20];
    uint8_t refund_receiver[20];
    uint8_t nonce[32];
} payload_safe_tx;

typedef struct {
    uint8_t domain_separator[32];
    uint8_t message_hash[32];   /* hashStruct(SafeTx) */
    uint8_t safe_tx_hash[32];
} payload_safe_hashes;

/** The three hashes of tx. Returns: PAYLOAD_OK or PAYLOAD_E_ARG (bad domain kind). */
int payload_safe_tx_hashes(payload_err *err, payload_safe_hashes *out, const payload_safe_tx *tx) PAYLOAD_WARN_UNUSED_RESULT;

/** Fill tx from a parsed EIP-712 document whose types are exactly SafeTx and one of the two Safe
 *  domains. The calldata hex is decoded into data_buf (data_buf_size bytes), which tx->data then
 *  points to. network_chain_id is the chain the signer is configured for: a domain chainId must
 *  equal it, and it is the chain id of a pre-1.3.0 domain. */
int payload_safe_tx_from_eip712(payload_err *err, payload_safe_tx *tx, uint8_t *data_buf, size_t data_buf_size,
                                const payload_eip712_doc *doc, uint64_t network_chain_id) PAYLOAD_WARN_UNUSED_RESULT;

/** Decode execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)
 *  calldata (selector 0x6a761202) with a strict ABI reading: canonical offsets (data at 0x140,
 *  signatures right after data), zero padding, address words and the uint8 operation without dirty
 *  high bytes, no trailing bytes. Fills every field of tx except domain_kind, chain_id, safe and
 *  nonce, which are Safe state the caller supplies. tx->data and *signatures point into calldata.
 *  Returns: PAYLOAD_OK, PAYLOAD_E_ENCODING, PAYLOAD_E_TRUNCATED, PAYLOAD_E_TRAILING or PAYLOAD_E_LIMIT. */
int payload_safe_exec_decode(payload_err *err, payload_safe_tx *tx, const uint8_t **signatures,
                             size_t *signatures_len, const uint8_t *calldata, size_t len) PAYLOAD_WARN_UNUSED_RESULT;

typedef struct {
    uint64_t chain_id;
    uint8_t address[20];
} payload_safe_target;

typedef struct {
    const payload_safe_target *multisend_call_only; /* allowlisted MultiSendCallOnly deployments */
    size_t n_multisend_call_only;
    const payload_asset_registry *registry;         /* may be NULL */
} payload_safe_policy;

/* payload_safe_report.flags */
#define PAYLOAD_SAFE_FLAG_DELEGATECALL 0x01u       /* allowlisted MultiSendCallOnly batch */
#define PAYLOAD_SAFE_FLAG_GAS_REFUND 0x02u         /* gasPrice != 0 with custom gasToken/refundReceiver */
#define PAYLOAD_SAFE_FLAG_SELF_CALL 0x04u          /* a call targets the Safe itself (admin operation) */
#define PAYLOAD_SAFE_FLAG_CONTRACT_CALL 0x08u      /* a call carries calldata that is not ERC-20 */
#define PAYLOAD_SAFE_FLAG_UNLIMITED_APPROVAL 0x10u /* an approve of >= 2^255 */

typedef struct {
    uint8_t operation;
    uint8_t to[20];
    uint8_t value[32];
    const uint8_t *data;        /* points into the SafeTx calldata */
    size_t data_len;
    payload_erc20_call call;
} payload_safe_call;

typedef struct {
    uint32_t flags;             /* PAYLOAD_SAFE_FLAG_* */
    payload_safe_hashes hashes;
    payload_safe_call top;      /* the SafeTx itself */
    size_t n_inner;             /* multiSend batch, if any */
    payload_safe_call inner[PAYLOAD_SAFE_MAX_INNER];
} payload_safe_report;

/** Apply the rules above and describe tx. Returns PAYLOAD_OK (report filled), PAYLOAD_E_POLICY
 *  (refused: DELEGATECALL outside the allowlist, inner DELEGATECALL, ...), PAYLOAD_E_ENCODING
 *  (bad operation, malformed multiSend) or PAYLOAD_E_LIMIT. */
int payload_safe_tx_check(payload_err *err, payload_safe_report *report, const payload_safe_tx *tx,
                          const payload_safe_policy *policy) PAYLOAD_WARN_UNUSED_RESULT;

#ifdef __cplusplus
}
#endif

#endif
