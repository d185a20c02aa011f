/* eth_signTypedData_v4 documents: the strict JSON tokenizer, type validation, encodeType and the
 * value encoders. Accepted documents must hash the same way twice (no state carried over). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload/eip712.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static payload_eip712_doc doc, again;
    static payload_json_tok toks[PAYLOAD_EIP712_MAX_TOKENS];
    payload_err err;

    if (payload_eip712_parse_json(&err, &doc, toks, PAYLOAD_EIP712_MAX_TOKENS, (const char *)data, size) !=
        PAYLOAD_OK) {
        if (err.msg[0] == '\0') {
            abort();
        }
        return 0;
    }
    if (payload_eip712_parse_json(&err, &again, toks, PAYLOAD_EIP712_MAX_TOKENS, (const char *)data, size) !=
            PAYLOAD_OK ||
        memcmp(doc.digest, again.digest, 32) != 0) {
        abort();
    }
    return 0;
}
