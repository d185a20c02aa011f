/* Audit record parser and log verifier on arbitrary bytes (seed corpus: the vector log of
 * gen_enclave_vectors.py): never crashes; every accepted record lies inside the input and has the
 * exact length its payload field implies; the verifier reports a position within the log. */
#include <stdint.h>
#include <stdlib.h>

#include "audit.h"
#include "enc_error.h"
#include "enclave_vectors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    enc_audit_record rec;
    size_t off = 0, n = 0, records = 0;
    int r;

    while (off < size && enc_audit_parse(&rec, data + off, size - off) == ENC_OK) {
        if (rec.len != ENC_AUDIT_HEADER_BYTES + (size_t)rec.payload_len + ENC_AUDIT_SIG_BYTES ||
                rec.len > size - off || rec.payload_len > ENC_AUDIT_MAX_PAYLOAD)
            abort();
        off += rec.len;
        n++;
    }
    r = enc_audit_verify_log(&records, ev_id1_pk, 0, NULL, data, size);
    /* The verifier never gets further than the framing allows. */
    if (records > n || (r == ENC_OK && (off != size || records != n)))
        abort();
    return 0;
}
