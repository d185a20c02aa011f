/*
 * Strict RLP (Ethereum Yellow Paper, Appendix B) decoder and a bounded encoder.
 *
 * The decoder accepts canonical encodings only: a single byte below 0x80 is never wrapped in 0x81,
 * long-form headers are used only for payloads over 55 bytes and their length has no leading zero
 * bytes, every item fits in its parent, nesting is bounded and nothing follows the top-level item.
 * Decoded items point into the input; nothing is copied.
 */
#ifndef PAYLOAD_RLP_H
#define PAYLOAD_RLP_H

#include <stddef.h>
#include <stdint.h>

#include "payload/payload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Deepest list nesting accepted (a transaction with an access list needs 4). */
#define PAYLOAD_RLP_MAX_DEPTH 16u

typedef struct {
    const uint8_t *data; /* payload (for a list: the concatenated encodings of its elements) */
    size_t len;          /* payload length */
    int is_list;
} payload_rlp_item;

/** Decode the header of the item at the start of in; *consumed is the item's total encoded length.
 *  Bytes after the item are allowed (this is the building block for list iteration).
 *  Returns: PAYLOAD_OK, PAYLOAD_E_TRUNCATED or PAYLOAD_E_ENCODING (non-canonical header). */
int payload_rlp_item_decode(payload_err *err, payload_rlp_item *item, size_t *consumed, const uint8_t *in,
                            size_t in_len) PAYLOAD_WARN_UNUSED_RESULT;

/** Decode a complete RLP document: exactly one item, canonical at every depth (at most max_depth
 *  nested lists, max_depth <= PAYLOAD_RLP_MAX_DEPTH), no trailing bytes.
 *  Returns: PAYLOAD_OK or PAYLOAD_E_TRUNCATED / _ENCODING / _TRAILING / _LIMIT / _ARG. */
int payload_rlp_decode(payload_err *err, payload_rlp_item *item, const uint8_t *in, size_t in_len,
                       unsigned max_depth) PAYLOAD_WARN_UNUSED_RESULT;

/** Split a list item (already validated by payload_rlp_decode) into its elements.
 *  Returns: PAYLOAD_OK, PAYLOAD_E_ENCODING if list is not a list, PAYLOAD_E_LIMIT if it has more
 *  than max_items elements. */
int payload_rlp_list_items(payload_err *err, payload_rlp_item *items, size_t max_items, size_t *count,
                           const payload_rlp_item *list) PAYLOAD_WARN_UNUSED_RESULT;

/** Read a canonical unsigned integer (big-endian, no leading zero byte, zero is the empty string)
 *  of at most 32 bytes into out32 (right-aligned, zero-padded). `field` names it in errors. */
int payload_rlp_uint256(payload_err *err, uint8_t out32[32], const payload_rlp_item *item,
                        const char *field) PAYLOAD_WARN_UNUSED_RESULT;

/** Same, for integers that must fit in 64 bits. */
int payload_rlp_u64(payload_err *err, uint64_t *out, const payload_rlp_item *item,
                    const char *field) PAYLOAD_WARN_UNUSED_RESULT;

/* Encoder: appends to a caller-provided buffer; an overflow is sticky and reported by _finish. */
typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t len;
    int overflow;
} payload_rlp_writer;

/* Space reserved per open list for its header (1 + up to 8 length bytes). */
#define PAYLOAD_RLP_LIST_HEADER_MAX 9u

void payload_rlp_writer_init(payload_rlp_writer *w, uint8_t *buf, size_t cap);
/** Append a byte string (data may be NULL when len is 0). */
void payload_rlp_put_bytes(payload_rlp_writer *w, const uint8_t *data, size_t len);
/** Append an unsigned big-endian integer, stripping leading zero bytes. */
void payload_rlp_put_uint(payload_rlp_writer *w, const uint8_t *be, size_t len);
void payload_rlp_put_u64(payload_rlp_writer *w, uint64_t v);
/** Append an already-encoded item verbatim. */
void payload_rlp_put_raw(payload_rlp_writer *w, const uint8_t *enc, size_t len);
/** Open a list; returns a mark to pass to payload_rlp_list_end. Lists may nest. */
size_t payload_rlp_list_begin(payload_rlp_writer *w);
void payload_rlp_list_end(payload_rlp_writer *w, size_t mark);
/** Returns: PAYLOAD_OK with *len the encoded length, or PAYLOAD_E_OUTPUT on overflow. */
int payload_rlp_writer_finish(payload_err *err, size_t *len, const payload_rlp_writer *w) PAYLOAD_WARN_UNUSED_RESULT;

#ifdef __cplusplus
}
#endif

#endif
