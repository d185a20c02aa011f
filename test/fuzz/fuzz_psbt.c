/* PSBT parser on arbitrary bytes: never crashes; an accepted PSBT serializes back to the same
 * bytes; analysis, finalization and extraction run on it without crashing, and a finalized PSBT
 * still round-trips. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload/psbt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static payload_btc_psbt psbt, again;
    static payload_btc_psbt_summary summary;
    static uint8_t out[1u << 20];
    size_t out_len;
    payload_err err;

    if (size > sizeof out / 2 || payload_btc_psbt_parse(&err, &psbt, data, size) != PAYLOAD_OK) {
        return 0;
    }
    if (payload_btc_psbt_serialize(&err, out, sizeof out, &out_len, &psbt) != PAYLOAD_OK || out_len != size ||
            memcmp(out, data, size) != 0) {
        abort();
    }
    (void)payload_btc_psbt_analyze(&err, &summary, &psbt, PAYLOAD_BTC_NET_MAIN, NULL, NULL);
    for (size_t i = 0; i < psbt.tx.n_in; i++) {
        (void)payload_btc_psbt_signer_checks(&err, &psbt, i);
    }
    if (payload_btc_psbt_finalize(&err, &psbt) == PAYLOAD_OK) {
        if (payload_btc_psbt_serialize(&err, out, sizeof out, &out_len, &psbt) != PAYLOAD_OK ||
                payload_btc_psbt_parse(&err, &again, out, out_len) != PAYLOAD_OK) {
            abort();
        }
        (void)payload_btc_psbt_extract(&err, out, sizeof out, &out_len, &psbt);
    }
    return 0;
}
