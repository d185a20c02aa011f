/* Internal to the Bitcoin decoders: transaction serialization into a payload_btc_writer. */
#ifndef PAYLOAD_BTC_TX_INTERNAL_H
#define PAYLOAD_BTC_TX_INTERNAL_H

#include "payload/btc_tx.h"
#include "btc_util.h"

/* Write tx; with BIP144 witnesses only if allow_witness and some input has one. script_sigs and
 * witnesses (each may be NULL), indexed by input, replace the transaction's own: witnesses[i] is
 * an already serialized stack (count || items) or empty. */
void payload_btc_tx_write_ex(payload_btc_writer *w, const payload_btc_tx *tx, int allow_witness,
        const payload_btc_bytes *script_sigs, const payload_btc_bytes *witnesses);

#endif
