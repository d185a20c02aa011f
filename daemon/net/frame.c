#include "frame.h"

#include <stdlib.h>
#include <string.h>

int net_frame_decoder_init(net_frame_decoder *d, uint32_t max_len) {
    memset(d, 0, sizeof(*d));
    if (max_len == 0 || max_len > NET_FRAME_MAX_LIMIT) {
        d->error = NET_E_ARG;
        return NET_E_ARG;
    }
    d->max_len = max_len;
    return NET_OK;
}

void net_frame_decoder_clear(net_frame_decoder *d) {
    free(d->buf);
    d->buf = NULL;
    d->have = 0;
    d->want = 0;
    d->in_payload = 0;
}

size_t net_frame_decoder_allocated(const net_frame_decoder *d) {
    return d->buf != NULL ? d->want : 0;
}

void net_frame_put_header(unsigned char out[NET_FRAME_HEADER_LEN], uint32_t len) {
    out[0] = (unsigned char)(len >> 24);
    out[1] = (unsigned char)(len >> 16);
    out[2] = (unsigned char)(len >> 8);
    out[3] = (unsigned char)len;
}

int net_frame_decode(net_frame_decoder *d, unsigned char **frame, size_t *frame_len, size_t *consumed,
        const unsigned char *in, size_t in_len) {
    size_t used = 0;
    int r = NET_OK;

    *consumed = 0;
    if (d->error != 0) {
        return d->error;
    }
    while (used < in_len || (d->in_payload && d->have == d->want)) {
        if (!d->in_payload) {
            size_t n = NET_FRAME_HEADER_LEN - d->have;
            if (n > in_len - used) {
                n = in_len - used;
            }
            memcpy(d->hdr + d->have, in + used, n);
            d->have += (uint32_t)n;
            used += n;
            if (d->have < NET_FRAME_HEADER_LEN) {
                continue;
            }
            d->want = ((uint32_t)d->hdr[0] << 24) | ((uint32_t)d->hdr[1] << 16) |
                      ((uint32_t)d->hdr[2] << 8) | (uint32_t)d->hdr[3];
            d->have = 0;
            d->in_payload = 1;
            if (d->want > d->max_len) {
                d->rejected_len = d->want;
                r = NET_E_FRAME_TOO_BIG;
                goto out;
            }
            if (d->want > 0) {
                d->buf = malloc(d->want);
                if (d->buf == NULL) {
                    r = NET_E_NOMEM;
                    goto out;
                }
            }
            continue;
        }
        if (d->have < d->want) {
            size_t n = d->want - d->have;
            if (n > in_len - used) {
                n = in_len - used;
            }
            memcpy(d->buf + d->have, in + used, n);
            d->have += (uint32_t)n;
            used += n;
        }
        if (d->have == d->want) {
            /* Ownership of the payload passes to the caller. */
            *frame = d->buf;
            *frame_len = d->want;
            d->buf = NULL;
            d->want = 0;
            d->have = 0;
            d->in_payload = 0;
            r = NET_FRAME_READY;
            goto out;
        }
    }
out:
    *consumed = used;
    if (r < 0) {
        d->error = r;
        net_frame_decoder_clear(d);
    }
    return r;
}

int net_frame_finish(const net_frame_decoder *d) {
    if (d->error != 0) {
        return d->error;
    }
    if (d->in_payload || d->have != 0) {
        return NET_E_TRUNCATED;
    }
    return NET_OK;
}
