/* Ethereum addresses: EIP-55 mixed-case checksum. Addresses are always displayed checksummed;
 * parsing accepts all-lower or all-upper hex (no checksum present) or mixed case that matches the
 * checksum exactly. */
#ifndef PAYLOAD_ADDR_ETH_H
#define PAYLOAD_ADDR_ETH_H

#include <stddef.h>
#include <stdint.h>

#include "payload/payload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "0x" + 40 hex digits + NUL */
#define PAYLOAD_ETH_ADDR_STR_SIZE 43u

/** EIP-55 rendering of addr into out. */
void payload_eth_addr_checksum(char out[PAYLOAD_ETH_ADDR_STR_SIZE], const uint8_t addr[20]);

/** Parse "0x" + 40 hex digits (exactly len bytes, no NUL required). *checksummed (may be NULL) is
 *  set to 1 when the text carried a mixed-case checksum (verified), 0 when it was single-case.
 *  Returns: PAYLOAD_OK, PAYLOAD_E_ENCODING (length, prefix, non-hex) or PAYLOAD_E_CHECKSUM. */
int payload_eth_addr_parse(payload_err *err, uint8_t addr[20], int *checksummed, const char *s,
                           size_t len) PAYLOAD_WARN_UNUSED_RESULT;

/** Address of an uncompressed public key given as its 64-byte X || Y. */
void payload_eth_addr_from_pubkey(uint8_t addr[20], const uint8_t xy[64]);

#ifdef __cplusplus
}
#endif

#endif
