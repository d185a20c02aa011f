/* Strict RLP decoder: never crashes, and whatever it accepts re-encodes to the same bytes
 * (canonical form is unique). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload/rlp.h"

#define MAX_ITEMS 128

/* Returns 0 if the item could be re-encoded, -1 if a list was too wide to check. */
static int reencode(payload_rlp_writer *w, const payload_rlp_item *it) {
    payload_rlp_item kids[MAX_ITEMS];
    size_t n, k, mark;

    if (!it->is_list) {
        payload_rlp_put_bytes(w, it->data, it->len);
        return 0;
    }
    if (payload_rlp_list_items(NULL, kids, MAX_ITEMS, &n, it) != PAYLOAD_OK) {
        return -1;
    }
    mark = payload_rlp_list_begin(w);
    for (k = 0; k < n; k++) {
        if (reencode(w, &kids[k]) != 0) {
            return -1;
        }
    }
    payload_rlp_list_end(w, mark);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t out[1 << 17];
    payload_rlp_item item;
    payload_rlp_writer w;
    payload_err err;
    size_t len;

    if (size > sizeof(out) / 2) {
        return 0;
    }
    if (payload_rlp_decode(&err, &item, data, size, PAYLOAD_RLP_MAX_DEPTH) != PAYLOAD_OK) {
        if (err.msg[0] == '\0') {
            abort(); /* every refusal must say why */
        }
        return 0;
    }
    payload_rlp_writer_init(&w, out, sizeof(out));
    if (reencode(&w, &item) == 0) {
        if (payload_rlp_writer_finish(&err, &len, &w) != PAYLOAD_OK || len != size || memcmp(out, data, size) != 0) {
            abort();
        }
    }
    return 0;
}
