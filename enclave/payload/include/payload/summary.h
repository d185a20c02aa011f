/*
 * Canonical summary of a signing request: what the enclave shows an approver, and what the offline
 * mpc-inspect prints for the same bytes.
 *
 * payload_summary_build() decodes a raw payload with the strict decoders of this library, computes
 * the digest(s) to be signed and fills a payload_summary, or refuses with a reason. The summary is a
 * fixed list of named fields (payload_summary_field, in display order), a free-text message (EIP-191
 * only), items (Bitcoin outputs, MultiSend inner calls), warnings, the digests, the EIP-712 domain and
 * message hashes where they exist, and the fingerprint of the digests (payload/fingerprint.h).
 *
 * Amounts are exact: integer arithmetic only, decimals from the caller's asset registry (never from
 * the payload); the native coin of an EVM chain has 18 decimals, BTC has 8. Addresses are EIP-55
 * checksummed or in their canonical Bitcoin form (lower-case for segwit).
 *
 * Two renderings of one summary, with the same values in the same order (see
 * payload_summary_render_text for the line format and payload_summary_render_json for the JSON
 * shape). Both escape control characters the same way, so a value never spans lines.
 *
 * Nothing here allocates: the caller provides the work area (large: it holds a parsed PSBT).
 */
#ifndef PAYLOAD_SUMMARY_H
#define PAYLOAD_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "payload/btc_addr.h"
#include "payload/eip191.h"
#include "payload/eip712.h"
#include "payload/erc20.h"
#include "payload/eth_tx.h"
#include "payload/fingerprint.h"
#include "payload/payload.h"
#include "payload/psbt.h"
#include "payload/safe_tx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Payload types. EIP191 keeps the value 1 that proto/enclave.proto already uses. */
typedef enum {
    PAYLOAD_TYPE_EIP191 = 1,  /* raw message bytes (personal_sign) */
    PAYLOAD_TYPE_ETH_TX = 2,  /* unsigned EIP-155 legacy, EIP-2930 or EIP-1559 transaction */
    PAYLOAD_TYPE_ERC20 = 3,   /* as ETH_TX, but refused unless the calldata is an ERC-20 call */
    PAYLOAD_TYPE_EIP712 = 4,  /* eth_signTypedData_v4 JSON document (not a SafeTx) */
    PAYLOAD_TYPE_SAFE_TX = 5, /* eth_signTypedData_v4 JSON document of a Safe SafeTx */
    PAYLOAD_TYPE_PSBT = 6     /* binary PSBT v0 */
} payload_type;

/* Operation classes (payload_summary.op). */
typedef enum {
    PAYLOAD_OP_TRANSFER = 1,          /* native coin to an address, no calldata */
    PAYLOAD_OP_TOKEN_TRANSFER,        /* ERC-20 transfer */
    PAYLOAD_OP_TOKEN_TRANSFER_FROM,   /* ERC-20 transferFrom (spends an allowance) */
    PAYLOAD_OP_APPROVAL,              /* ERC-20 approve */
    PAYLOAD_OP_CONTRACT_CALL,         /* calldata that is not ERC-20 */
    PAYLOAD_OP_SAFE_TX,               /* Safe CALL; field "call" gives the class of that call */
    PAYLOAD_OP_SAFE_MULTISEND,        /* Safe DELEGATECALL to an allowlisted MultiSendCallOnly */
    PAYLOAD_OP_PERSONAL_MESSAGE,      /* EIP-191 personal_sign */
    PAYLOAD_OP_TYPED_DATA,            /* generic EIP-712 */
    PAYLOAD_OP_BITCOIN_SPEND          /* PSBT */
} payload_op_class;

/** Stable name of an operation class ("token-transfer", ...; never NULL). */
const char *payload_op_class_name(uint32_t op);

/* Fields, in display order. A field is present when its value is non-empty. */
typedef enum {
    PAYLOAD_SF_PAYLOAD = 0,   /* payload type name: eth-tx, erc20, eip191, eip712, safe-tx, psbt */
    PAYLOAD_SF_NETWORK,       /* "ethereum" (EVM) or "bitcoin-main", "bitcoin-testnet", ... */
    PAYLOAD_SF_CHAIN_ID,      /* EVM chain id, decimal */
    PAYLOAD_SF_KEY,           /* key id given by the caller */
    PAYLOAD_SF_PATH,          /* derivation path given by the caller, m/44'/60'/0'/0/0 */
    PAYLOAD_SF_SIGNER,        /* our own address, if the caller gave it (EIP-191/712, Safe) */
    PAYLOAD_SF_OPERATION,     /* payload_op_class_name */
    PAYLOAD_SF_CALL,          /* Safe: class of the call the Safe makes */
    PAYLOAD_SF_SAFE,          /* Safe address (verifyingContract) */
    PAYLOAD_SF_FROM,          /* address the value leaves (our address for a transaction; the Safe) */
    PAYLOAD_SF_TO,            /* recipient of the value (token recipient, approval spender) */
    PAYLOAD_SF_ASSET,         /* symbol, with the token contract for tokens */
    PAYLOAD_SF_AMOUNT,        /* exact decimal amount and symbol */
    PAYLOAD_SF_NATIVE_VALUE,  /* native coin sent along with a token call */
    PAYLOAD_SF_CONTRACT,      /* called contract (token or other) */
    PAYLOAD_SF_SELECTOR,      /* 4-byte selector of a non-ERC-20 call */
    PAYLOAD_SF_CALLDATA_LEN,  /* bytes of calldata of a contract call */
    PAYLOAD_SF_FEE,           /* Ethereum: maximum fee; Bitcoin: fee */
    PAYLOAD_SF_GAS,           /* Ethereum gas limit and prices; Safe refund parameters */
    PAYLOAD_SF_NONCE,
    PAYLOAD_SF_TOTAL_IN,      /* Bitcoin: sum of the inputs */
    PAYLOAD_SF_SENT,          /* Bitcoin: sum of the outputs that are not change */
    PAYLOAD_SF_CHANGE,        /* Bitcoin: sum of the change outputs */
    PAYLOAD_SF_PRIMARY_TYPE,  /* EIP-712 primaryType */
    PAYLOAD_SF_DOMAIN_NAME,   /* EIP-712 domain members present in the domain. Name and version */
    PAYLOAD_SF_DOMAIN_VERSION, /* are verbatim when plain text, else "hex:0x..." (EIP-191 rules) */
    PAYLOAD_SF_VERIFYING_CONTRACT,
    PAYLOAD_SF_SALT,
    PAYLOAD_SF_MESSAGE_ENCODING, /* EIP-191: "text" or "hex" */
    PAYLOAD_SF_COUNT
} payload_summary_field;

/** Stable field name ("chain_id", ...); NULL if f is out of range. */
const char *payload_summary_field_name(unsigned f);

/* Warnings (payload_summary.warnings bits), shown in bit order. */
#define PAYLOAD_WARN_UNLIMITED_APPROVAL 0x0001u /* approve of >= 2^255 token units */
#define PAYLOAD_WARN_APPROVAL 0x0002u           /* any token approval: lets the spender move funds later */
#define PAYLOAD_WARN_DELEGATECALL 0x0004u       /* Safe DELEGATECALL (allowlisted MultiSendCallOnly) */
#define PAYLOAD_WARN_CONTRACT_CALL 0x0008u      /* calldata that is not decoded (unknown contract call) */
#define PAYLOAD_WARN_UNKNOWN_TOKEN 0x0010u      /* ERC-20 call to a contract not in the asset registry */
#define PAYLOAD_WARN_GAS_REFUND 0x0020u         /* Safe gas refund to a custom receiver or in a token */
#define PAYLOAD_WARN_SAFE_SELF_CALL 0x0040u     /* Safe calls itself: owner/threshold/module/upgrade change */
#define PAYLOAD_WARN_HIGH_FEE 0x0080u           /* fee > 10% of the amount sent (EVM: native transfers) */
#define PAYLOAD_WARN_CHANGE_UNVERIFIED 0x0100u  /* no own-key check given: no output is shown as change */
#define PAYLOAD_WARN_NATIVE_WITH_CALL 0x0200u   /* native coin sent along with a contract or token call */
#define PAYLOAD_WARN_MESSAGE_NOT_TEXT 0x0400u   /* EIP-191 message is not plain text: shown as hex */
#define PAYLOAD_WARN_TYPED_DATA 0x0800u         /* EIP-712 message fields are not decoded here */
#define PAYLOAD_WARN_PERMIT 0x1000u             /* EIP-712 Permit: an off-chain token approval */
#define PAYLOAD_WARN_CHAIN_UNCHECKED 0x2000u    /* no configured chain id: the payload's was used */
#define PAYLOAD_WARN_NO_CHAIN_ID 0x4000u        /* EIP-712 domain without chainId: valid on every chain */
#define PAYLOAD_WARN_TRANSFER_FROM 0x8000u      /* transferFrom spends an allowance given to us */
#define PAYLOAD_WARN_COUNT 16u

/** "name: explanation" of warning bit number i (0..PAYLOAD_WARN_COUNT-1); NULL if out of range. */
const char *payload_warning_text(unsigned bit);

#define PAYLOAD_SUMMARY_VALUE_MAX 256u  /* one field value, NUL included */
#define PAYLOAD_SUMMARY_LABEL_MAX 160u  /* one digest label, NUL included */
#define PAYLOAD_SUMMARY_MAX_ITEMS PAYLOAD_BTC_TX_MAX_OUTPUTS
#define PAYLOAD_SUMMARY_MAX_DIGESTS PAYLOAD_BTC_TX_MAX_INPUTS
#define PAYLOAD_SUMMARY_KEY_ID_MAX 64u   /* bytes of key id (printable ASCII) */
#define PAYLOAD_SUMMARY_MAX_PATH 16u     /* derivation depth */

/* One Bitcoin output or one MultiSend inner call. */
typedef struct {
    char kind[24];                              /* "output", "change" or an operation class name */
    char to[PAYLOAD_SUMMARY_VALUE_MAX];         /* address (recipient for tokens) */
    char amount[PAYLOAD_SUMMARY_VALUE_MAX];     /* exact amount and symbol */
    char detail[PAYLOAD_SUMMARY_VALUE_MAX];     /* address type, token or contract, selector */
} payload_summary_item;

typedef struct {
    char label[PAYLOAD_SUMMARY_LABEL_MAX];
    uint8_t digest[32];
} payload_summary_digest;

typedef struct {
    uint32_t type;                  /* payload_type */
    uint32_t op;                    /* payload_op_class */
    uint32_t warnings;              /* PAYLOAD_WARN_* */
    char field[PAYLOAD_SF_COUNT][PAYLOAD_SUMMARY_VALUE_MAX];
    char message[PAYLOAD_EIP191_DISPLAY_MAX]; /* EIP-191 only: the message as text or 0x-hex */
    size_t n_items;
    payload_summary_item items[PAYLOAD_SUMMARY_MAX_ITEMS];
    size_t n_digests;
    payload_summary_digest digests[PAYLOAD_SUMMARY_MAX_DIGESTS]; /* in signing order */
    int has_typed_hashes;           /* EIP-712 and Safe: the two hashes below are set */
    uint8_t domain_hash[32];        /* EIP-712 domain separator */
    uint8_t message_hash[32];       /* hashStruct(message) */
    payload_fingerprint fingerprint;
} payload_summary;

/* What the caller (the enclave's configuration and the request) supplies. */
typedef struct {
    uint64_t chain_id;              /* configured EVM chain; 0 = not configured (mpc-inspect without
                                       --chain-id): the payload's own is used and flagged */
    const char *native_symbol;      /* EVM native coin symbol; NULL means "ETH" */
    payload_btc_network btc_network;
    const payload_asset_registry *registry;          /* may be NULL */
    const payload_safe_target *multisend_call_only;  /* allowlisted MultiSendCallOnly deployments */
    size_t n_multisend_call_only;
    const char *key_id;             /* NULL or printable ASCII, at most PAYLOAD_SUMMARY_KEY_ID_MAX */
    const uint32_t *path;           /* derivation path (bit 31 = hardened); NULL if path_len is 0 */
    size_t path_len;
    const uint8_t *own_address;     /* 20 bytes: our EVM address for this key and path, or NULL */
    payload_btc_psbt_is_own_fn is_own; /* change detection (payload/psbt.h); NULL: none */
    void *is_own_ctx;
} payload_summary_ctx;

/* Scratch space for payload_summary_build (large; allocate once, never on a small stack). */
typedef struct {
    union {
        payload_eth_tx eth;
        struct {
            payload_eip712_doc doc;
            payload_json_tok toks[PAYLOAD_EIP712_MAX_TOKENS];
            payload_safe_tx safe;
            uint8_t safe_data[PAYLOAD_SAFE_MAX_DATA];
            payload_safe_report report;
        } typed;
        struct {
            payload_btc_psbt psbt;
            payload_btc_psbt_summary info;
        } btc;
    } u;
    uint8_t digests[PAYLOAD_SUMMARY_MAX_DIGESTS][32];
} payload_summary_work;

/** Decode raw[0..len) as a payload of the given type, check it against ctx and fill *out.
 *  Returns PAYLOAD_OK, or a negative code with err naming the reason (decoder refusals, a chain id
 *  other than the configured one, an erc20 payload that is no ERC-20 call, SafeTx data submitted as
 *  generic eip712, Safe DELEGATECALL to a target not on the allowlist, ...). On failure *out holds
 *  no digest (n_digests is 0). */
int payload_summary_build(payload_err *err, payload_summary *out, payload_summary_work *work,
                          const payload_summary_ctx *ctx, payload_type type, const uint8_t *raw,
                          size_t len) PAYLOAD_WARN_UNUSED_RESULT;

/** Name of a payload type ("eth-tx", ...) or NULL; and the reverse (returns 0 if unknown). */
const char *payload_type_name(uint32_t type);
uint32_t payload_type_from_name(const char *name);

/* Output size that always fits a rendering of any summary, NUL included. */
#define PAYLOAD_SUMMARY_RENDER_MAX (1024u * 1024u)

/** Text rendering: one "name: value" line per field, in this fixed order: the present fields in
 *  payload_summary_field order; message; item[i].kind/.to/.amount/.detail; warning[i];
 *  digest[i].label/.hex; domain_hash; message_hash; fingerprint.subject/.hex/.words. Control
 *  characters and backslashes in values are escaped as in JSON (\\, \n, \r, \t, \u00XX).
 *  Out: out[0..*out_len) plus a NUL. Returns PAYLOAD_OK or PAYLOAD_E_OUTPUT. */
int payload_summary_render_text(payload_err *err, char *out, size_t out_size, size_t *out_len,
                                const payload_summary *s) PAYLOAD_WARN_UNUSED_RESULT;

/** JSON rendering of the same values: one object whose members are, in the same order, the present
 *  fields, "message", "items" (array of {kind, to, amount, detail}), "warnings" (array of strings),
 *  "digests" (array of {label, hex}), "domain_hash", "message_hash" and "fingerprint"
 *  ({subject, hex, words}). Every value is a string (amounts included). */
int payload_summary_render_json(payload_err *err, char *out, size_t out_size, size_t *out_len,
                                const payload_summary *s) PAYLOAD_WARN_UNUSED_RESULT;

/** Parse an asset registry (documented in README_operator.md): UTF-8 text, '\n'-terminated lines;
 *  empty lines and lines starting with '#' are ignored; every other line is exactly
 *  "<chain_id> <address> <symbol> <decimals>" separated by single spaces: chain_id decimal
 *  1..2^62 without leading zeros, address 0x + 40 hex (EIP-55 checked when mixed case), symbol 1-15
 *  characters of [A-Za-z0-9._-], decimals 0..77. A (chain_id, address) pair may appear once.
 *  Out: assets[0..*n_assets). */
int payload_summary_registry_parse(payload_err *err, payload_asset *assets, size_t max_assets, size_t *n_assets,
                                   const char *text, size_t len) PAYLOAD_WARN_UNUSED_RESULT;

#ifdef __cplusplus
}
#endif

#endif
