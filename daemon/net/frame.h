/*
 * Stream framing: each frame is a 4-byte big-endian payload length followed by that many bytes.
 *
 * The decoder is a pure, incremental parser (no I/O, no libuv, no TLS): feed it the byte stream in
 * chunks of any size and it returns whole frames. The announced length is checked against the
 * decoder's maximum as soon as the 4 header bytes are known, BEFORE any payload buffer is allocated,
 * so a peer cannot make us allocate more than the maximum by lying in a header.
 *
 * Zero-length frames are the transport heartbeat: they are valid, never allocate, and are returned
 * as a frame of length 0 with a NULL buffer. The connection layer (conn.h) consumes them and never
 * hands them to the application; an application message is therefore never empty.
 */
#ifndef MPC_NET_FRAME_H
#define MPC_NET_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"

#define NET_FRAME_HEADER_LEN 4u
/* Hard upper bound for any configured maximum frame size. */
#define NET_FRAME_MAX_LIMIT (16u * 1024u * 1024u)
/* Maximum frame size used when a configuration gives 0. */
#define NET_FRAME_DEFAULT_MAX (1024u * 1024u)

/* Returned by net_frame_decode when a whole frame is available. */
#define NET_FRAME_READY 1

typedef struct {
    uint32_t max_len;        /* largest accepted payload length */
    uint32_t want;           /* payload length of the frame being assembled */
    uint32_t have;           /* header or payload bytes received so far */
    int in_payload;          /* 0: reading the header, 1: reading the payload */
    int error;               /* sticky: once non-zero every call returns it */
    uint32_t rejected_len;   /* after NET_E_FRAME_TOO_BIG: the length the header announced */
    unsigned char hdr[NET_FRAME_HEADER_LEN];
    unsigned char *buf;      /* payload under assembly (want bytes), allocated after the check */
} net_frame_decoder;

/* Returns NET_OK, or NET_E_ARG if max_len is 0 or above NET_FRAME_MAX_LIMIT (d is then unusable). */
int net_frame_decoder_init(net_frame_decoder *d, uint32_t max_len) NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1);

/* Frees the partial payload, if any. Safe to call twice. */
void net_frame_decoder_clear(net_frame_decoder *d);

/*
 * Consumes bytes from in until a frame completes, the input runs out, or an error occurs.
 * Returns:
 *   NET_FRAME_READY  frame and frame_len hold a complete frame; the frame is malloc'd and now owned
 *                    by the caller (NULL when its length is 0, the heartbeat). Call again with the
 *                    remaining input (in + consumed) to get the next frame.
 *   NET_OK           all of in was consumed and no frame is complete yet.
 *   NET_E_FRAME_TOO_BIG  the header announced more than max_len; nothing was allocated. Sticky.
 *   NET_E_NOMEM      the payload buffer could not be allocated. Sticky.
 * Out: consumed = bytes of in used by this call (always set); frame and frame_len only on READY.
 */
int net_frame_decode(net_frame_decoder *d, unsigned char **frame, size_t *frame_len, size_t *consumed,
        const unsigned char *in, size_t in_len) NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1, 2, 3, 4, 5);

/* At end of stream: NET_OK if the stream ended on a frame boundary, NET_E_TRUNCATED otherwise,
 * or the decoder's sticky error. */
int net_frame_finish(const net_frame_decoder *d) NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1);

/* Bytes the decoder currently holds allocated (0 unless a payload is being assembled). */
size_t net_frame_decoder_allocated(const net_frame_decoder *d);

/* Writes the 4-byte header for a payload of len bytes. */
void net_frame_put_header(unsigned char out[NET_FRAME_HEADER_LEN], uint32_t len);

#endif
