/* Ethereum transaction decoder. The first byte picks the mode (even: unsigned, odd: signed).
 * Accepted input must re-encode byte for byte: unsigned through the signing-payload encoder,
 * signed through signature assembly from its own r, s and recovery id. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload/eth_tx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static payload_eth_tx tx;
    static uint8_t out[PAYLOAD_ETH_TX_ENCODE_MAX];
    payload_eth_tx_mode mode;
    payload_err err;
    uint8_t hash[32], txhash[32];
    size_t len;

    if (size < 1) {
        return 0;
    }
    mode = (data[0] & 1) ? PAYLOAD_ETH_TX_SIGNED : PAYLOAD_ETH_TX_UNSIGNED;
    data++;
    size--;
    if (payload_eth_tx_decode(&err, &tx, mode, data, size) != PAYLOAD_OK) {
        if (err.msg[0] == '\0') {
            abort();
        }
        return 0;
    }
    if (payload_eth_tx_signing_hash(&err, hash, &tx) != PAYLOAD_OK) {
        abort();
    }
    if (mode == PAYLOAD_ETH_TX_UNSIGNED) {
        if (payload_eth_tx_encode_unsigned(&err, out, sizeof(out), &len, &tx) != PAYLOAD_OK) {
            abort();
        }
    } else if (payload_eth_tx_assemble_signed(&err, out, sizeof(out), &len, txhash, &tx, tx.r, tx.s, tx.y_parity) !=
               PAYLOAD_OK) {
        abort();
    }
    if (len != size || memcmp(out, data, size) != 0) {
        abort();
    }
    return 0;
}
