/*
 * ERC-20 calldata: transfer(address,uint256) 0xa9059cbb, approve(address,uint256) 0x095ea7b3,
 * transferFrom(address,address,uint256) 0x23b872dd. Exact lengths (4 + 32*n), zero upper 12
 * bytes in address words. Anything else non-empty is described as a contract call with its
 * selector. Token symbol and decimals come only from the caller's asset registry.
 */
#ifndef PAYLOAD_ERC20_H
#define PAYLOAD_ERC20_H

#include <stddef.h>
#include <stdint.h>

#include "payload/payload.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PAYLOAD_ASSET_SYMBOL_MAX 16u /* symbol bytes including the NUL */

/* One token the daemon knows, keyed by (chain_id, contract). */
typedef struct {
    uint64_t chain_id;
    uint8_t contract[20];
    char symbol[PAYLOAD_ASSET_SYMBOL_MAX]; /* printable ASCII, NUL-terminated */
    uint8_t decimals;                      /* at most 77 */
} payload_asset;

typedef struct {
    const payload_asset *assets;
    size_t n_assets;
} payload_asset_registry;

typedef enum {
    PAYLOAD_CALL_NONE = 0,          /* empty calldata: plain value transfer */
    PAYLOAD_CALL_ERC20_TRANSFER,
    PAYLOAD_CALL_ERC20_APPROVE,
    PAYLOAD_CALL_ERC20_TRANSFER_FROM,
    PAYLOAD_CALL_CONTRACT           /* any other calldata: opaque call, selector only */
} payload_call_kind;

/* Flags on a decoded call. */
#define PAYLOAD_ERC20_UNLIMITED_MAX 0x1u   /* approve amount is exactly 2^256 - 1 */
#define PAYLOAD_ERC20_UNLIMITED 0x2u       /* approve amount >= 2^255: effectively unlimited */
#define PAYLOAD_ERC20_UNKNOWN_TOKEN 0x4u   /* ERC-20 call on a contract not in the registry */

typedef struct {
    uint32_t kind;            /* payload_call_kind */
    uint32_t flags;           /* PAYLOAD_ERC20_* */
    uint8_t selector[4];      /* valid unless kind is PAYLOAD_CALL_NONE */
    uint8_t from[20];         /* transferFrom: owner */
    uint8_t to[20];           /* transfer/transferFrom: recipient; approve: spender */
    uint8_t amount[32];
    const payload_asset *asset; /* registry entry for the called contract, or NULL */
} payload_erc20_call;

/** Classify and decode calldata sent to `contract` on `chain_id`. registry may be NULL (no known
 *  tokens). Returns: PAYLOAD_OK, or PAYLOAD_E_ENCODING for calldata of 1-3 bytes or an ERC-20
 *  selector whose arguments are malformed. */
int payload_erc20_decode(payload_err *err, payload_erc20_call *call, const payload_asset_registry *registry,
                         uint64_t chain_id, const uint8_t contract[20], const uint8_t *data,
                         size_t data_len) PAYLOAD_WARN_UNUSED_RESULT;

/* Longest description produced by payload_erc20_describe. */
#define PAYLOAD_ERC20_DESC_MAX 320u

/** One-line human description, e.g. "ERC-20 transfer of 1.5 USDC to 0xAb...; token 0x...".
 *  Returns: PAYLOAD_OK or PAYLOAD_E_OUTPUT (out_size < PAYLOAD_ERC20_DESC_MAX). */
int payload_erc20_describe(char *out, size_t out_size, const payload_erc20_call *call,
                           const uint8_t contract[20]) PAYLOAD_WARN_UNUSED_RESULT;

#ifdef __cplusplus
}
#endif

#endif
