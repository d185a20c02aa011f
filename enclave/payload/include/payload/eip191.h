/* EIP-191 version 0x45 (personal_sign) messages: the digest and a safe rendering for display. */
#ifndef PAYLOAD_EIP191_H
#define PAYLOAD_EIP191_H

#include <stddef.h>
#include <stdint.h>

#include "payload/payload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest message accepted (bytes). Proof-of-reserves challenges are short texts. */
#define PAYLOAD_EIP191_MAX_MSG 4096u
/* Output size that fits any rendering: "0x" + hex of the largest message + NUL. */
#define PAYLOAD_EIP191_DISPLAY_MAX (2u + 2u * PAYLOAD_EIP191_MAX_MSG + 1u)

/** keccak256("\x19Ethereum Signed Message:\n" || decimal(len) || msg). msg may be NULL if len is 0.
 *  Returns: PAYLOAD_OK or PAYLOAD_E_LIMIT. */
int payload_eip191_personal_digest(payload_err *err, uint8_t hash[32], const uint8_t *msg,
                                   size_t len) PAYLOAD_WARN_UNUSED_RESULT;

/** Text to show the approver. When msg is well-formed UTF-8 without control characters (other
 *  than tab, LF, CR), C1 controls, bidirectional overrides/isolates or zero-width characters, it
 *  is copied verbatim and *is_hex = 0; otherwise it is rendered as "0x" + lower-case hex and
 *  *is_hex = 1, and the caller must show a warning that the message is not plain text.
 *  Returns: PAYLOAD_OK, PAYLOAD_E_LIMIT or PAYLOAD_E_OUTPUT (out_size < PAYLOAD_EIP191_DISPLAY_MAX). */
int payload_eip191_display(payload_err *err, char *out, size_t out_size, int *is_hex, const uint8_t *msg,
                           size_t len) PAYLOAD_WARN_UNUSED_RESULT;

#ifdef __cplusplus
}
#endif

#endif
