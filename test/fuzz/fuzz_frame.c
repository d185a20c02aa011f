/*
 * The incremental frame decoder (daemon/net/frame.h) against a one-shot reference parser written
 * here. Input: 2 bytes of maximum frame size, 1 byte seeding the chunk sizes, then the stream.
 * The stream is fed in pseudo-random chunks; every frame, the error and the end-of-stream verdict
 * must match the reference, and nothing above the maximum may ever be allocated.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    net_frame_decoder d;
    uint32_t max, rng;
    const uint8_t *s;
    size_t n, ref = 0, off = 0;
    int ref_error = 0, r = NET_OK;

    if (size < 3) {
        return 0;
    }
    max = 1 + (((uint32_t)data[0] << 8 | data[1]) % 4096);
    rng = data[2] | 1u;
    s = data + 3;
    n = size - 3;
    if (net_frame_decoder_init(&d, max) != NET_OK) {
        abort();
    }
    while (off < n && r >= 0) {
        size_t chunk, left;
        const uint8_t *p;
        rng = rng * 1103515245u + 12345u;
        chunk = 1 + (rng >> 16) % 64;
        if (chunk > n - off) {
            chunk = n - off;
        }
        p = s + off;
        left = chunk;
        off += chunk;
        for (;;) {
            uint8_t *frame = NULL;
            size_t frame_len = 0, used = 0;
            r = net_frame_decode(&d, &frame, &frame_len, &used, p, left);
            if (used > left || net_frame_decoder_allocated(&d) > max) {
                abort();
            }
            p += used;
            left -= used;
            if (r == NET_OK) {
                if (left != 0) {
                    abort();
                }
                break;
            }
            if (r < 0) {
                /* The reference must reject the header that starts at ref. */
                if (r != NET_E_FRAME_TOO_BIG || ref + 4 > n || be32(s + ref) <= max ||
                        net_frame_decoder_allocated(&d) != 0) {
                    abort();
                }
                ref_error = 1;
                break;
            }
            /* A frame: the reference sees the same length and bytes at ref. */
            if (ref + 4 > n || be32(s + ref) != frame_len || frame_len > max || ref + 4 + frame_len > n ||
                    (frame_len == 0) != (frame == NULL) ||
                    (frame_len > 0 && memcmp(frame, s + ref + 4, frame_len) != 0)) {
                abort();
            }
            ref += 4 + frame_len;
            free(frame);
        }
    }
    if (!ref_error) {
        /* End of stream: truncated unless the reference consumed everything. */
        if (net_frame_finish(&d) != (ref == n ? NET_OK : NET_E_TRUNCATED)) {
            abort();
        }
    } else if (net_frame_finish(&d) != NET_E_FRAME_TOO_BIG) {
        abort();
    }
    net_frame_decoder_clear(&d);
    return 0;
}
