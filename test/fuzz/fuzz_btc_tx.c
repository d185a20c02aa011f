/* Transaction parser on arbitrary bytes: never crashes; an accepted transaction serializes back to
 * the same bytes; the scanner agrees with the full parser on the txid and output 0; the digests of
 * input 0 can be computed for every hash type without crashing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload/btc_sighash.h"
#include "payload/btc_tx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static payload_btc_tx tx;
    static uint8_t out[PAYLOAD_BTC_TX_MAX_SIZE];
    static const uint32_t types[] = { 0x01, 0x02, 0x03, 0x81, 0x82, 0x83, 0x00, 0xffffff03 };
    uint8_t txid[32], txid2[32], digest[32];
    size_t out_len;
    payload_btc_txout o;
    payload_err err;

    for (int mode = 0; mode < 2; mode++) {
        int scanned;
        if (payload_btc_tx_parse(&err, &tx, data, size, (payload_btc_tx_mode)mode) != PAYLOAD_OK) {
            continue;
        }
        if (payload_btc_tx_serialize(&err, out, sizeof out, &out_len, &tx, (payload_btc_tx_mode)mode) != PAYLOAD_OK ||
                out_len != size || memcmp(out, data, size) != 0) {
            abort();
        }
        if (payload_btc_tx_txid(&err, txid, &tx) != PAYLOAD_OK) {
            abort();
        }
        /* The scanner reads the segwit form; in legacy mode a zero-input tx means something else. */
        scanned = payload_btc_tx_scan_output(&err, txid2, &o, data, size, 0);
        if (mode == PAYLOAD_BTC_TX_ALLOW_WITNESS && tx.n_out > 0 &&
                (scanned != PAYLOAD_OK || memcmp(txid, txid2, 32) != 0 || o.value != tx.out[0].value)) {
            abort();
        }
        for (size_t k = 0; k < sizeof types / sizeof types[0] && tx.n_in > 0; k++) {
            const payload_btc_bytes *code = tx.n_out > 0 ? &tx.out[0].script_pubkey : &tx.in[0].script_sig;
            if (code->len <= PAYLOAD_BTC_SCRIPT_MAX_SIZE) {
                (void)payload_btc_sighash_legacy(&err, digest, &tx, 0, code->data, code->len, types[k]);
                if (payload_btc_sighash_segwit_v0(&err, digest, &tx, 0, code->data, code->len, 1000, types[k]) !=
                        PAYLOAD_OK) {
                    abort();
                }
            }
        }
    }
    return 0;
}
