/*
 * The payload types a requester may ask the coordinator to sign, by the names mpcctl and
 * mpc-inspect use, and the forms of a payload file a person is likely to have at hand:
 *
 *   eip191            the exact message bytes
 *   eip712, safe-tx   the eth_signTypedData_v4 JSON document, as it is
 *   eth-tx, erc20     the unsigned transaction: binary, or hex text (optional 0x; whitespace
 *                     anywhere is ignored)
 *   psbt              PSBT version 0: binary, hex text as above, or base64 (whitespace ignored)
 *
 * The forms cannot be confused: a binary Ethereum transaction starts with 0x01, 0x02 or 0xc0..0xff
 * and a binary PSBT with "psbt\xff", none of which is whitespace or an ASCII hex digit, and the
 * base64 of a PSBT starts with "cHNidP", which is not hex. Everything else about the payload is
 * judged by every signer's enclave, not here.
 */
#ifndef MPC_REQUESTER_PAYLOAD_FILE_H
#define MPC_REQUESTER_PAYLOAD_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"

/* The largest payload the coordinator accepts. */
#define REQ_PAYLOAD_MAX (1u << 20)
/* The largest payload file worth reading: the hex of REQ_PAYLOAD_MAX bytes with a line feed every
 * 32 characters. */
#define REQ_PAYLOAD_FILE_MAX (3u * REQ_PAYLOAD_MAX)

/* Parses a type name ("eip191", "eth-tx", "erc20", "eip712", "safe-tx", "psbt") into its
 * mpc.wire.PayloadType value. Returns 0, or -1 for anything else. */
int requester_payload_type_parse(uint32_t *out, const char *name) NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1, 2);

/* The name of a PayloadType value, or NULL if it has none. */
const char *requester_payload_type_name(uint32_t type);

/* Decodes the in_len bytes of a payload file of the given type into out (out_cap bytes;
 * in_len bytes always suffice). Returns 0 with *out_len set (1..REQ_PAYLOAD_MAX), or -1 with err
 * (err_cap bytes) naming the problem and, for text, the offset in the file. */
int requester_payload_decode(unsigned char *out, size_t out_cap, size_t *out_len, char *err, size_t err_cap,
        uint32_t type, const unsigned char *in, size_t in_len) NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1, 3, 4, 7);

#endif
