/* tools/requester/payload_file: decoding a payload file of any type never reads or writes out of
 * bounds, never grows the payload, and either yields 1..REQ_PAYLOAD_MAX bytes or an error message.
 * The first input byte chooses the payload type (0..7, including unknown ones). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    unsigned char *out;
    size_t out_len = 12345;
    char err[200];
    int r;

    if (size < 1) {
        return 0;
    }
    out = malloc(size);
    if (out == NULL) {
        return 0;
    }
    err[0] = '\0';
    r = requester_payload_decode(out, size - 1 > 0 ? size - 1 : 1, &out_len, err, sizeof(err), data[0] & 7u,
            data + 1, size - 1);
    if (r == 0 ? out_len == 0 || out_len > REQ_PAYLOAD_MAX || out_len > size - 1 : out_len != 0 || err[0] == '\0') {
        abort();
    }
    free(out);
    return 0;
}
