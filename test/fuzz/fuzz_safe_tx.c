/* Safe SafeTx rules. First byte mod 3 picks the input form:
 *  0: the rest is a typed-data document run through SafeTx extraction and the rule check;
 *  1: the rest is the calldata of a SafeTx to an allowlisted MultiSendCallOnly, operation from the
 *     second byte (exercises the multiSend batch decoder directly);
 *  2: the rest is execTransaction calldata (strict ABI decoder), then the rule check. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload/safe_tx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static payload_eip712_doc doc;
    static payload_json_tok toks[PAYLOAD_EIP712_MAX_TOKENS];
    static payload_safe_report rep;
    static uint8_t buf[PAYLOAD_SAFE_MAX_DATA];
    static const payload_safe_target allow = {1, {0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40,
                                                  0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40}};
    const payload_safe_policy pol = {&allow, 1, NULL};
    payload_safe_tx tx;
    payload_err err;
    int r;

    if (size < 2) {
        return 0;
    }
    if (data[0] % 3 == 0) {
        if (payload_eip712_parse_json(NULL, &doc, toks, PAYLOAD_EIP712_MAX_TOKENS, (const char *)data + 1,
                                      size - 1) != PAYLOAD_OK ||
            payload_safe_tx_from_eip712(NULL, &tx, buf, sizeof(buf), &doc, 1) != PAYLOAD_OK) {
            return 0;
        }
    } else if (data[0] % 3 == 2) {
        const uint8_t *sigs;
        size_t sigs_len;
        if (payload_safe_exec_decode(&err, &tx, &sigs, &sigs_len, data + 1, size - 1) != PAYLOAD_OK) {
            if (err.msg[0] == '\0') {
                abort();
            }
            return 0;
        }
        if (tx.data < data || tx.data + tx.data_len > data + size || sigs + sigs_len > data + size) {
            abort();
        }
        tx.domain_kind = PAYLOAD_SAFE_DOMAIN_NO_CHAIN_ID;
        tx.chain_id = 1;
    } else {
        memset(&tx, 0, sizeof(tx));
        tx.domain_kind = PAYLOAD_SAFE_DOMAIN_CHAIN_ID;
        tx.chain_id = 1;
        memcpy(tx.to, allow.address, 20);
        tx.operation = data[1];
        tx.data = data + 2;
        tx.data_len = size - 2;
    }
    r = payload_safe_tx_check(&err, &rep, &tx, &pol);
    if (r != PAYLOAD_OK && err.msg[0] == '\0') {
        abort();
    }
    if (r == PAYLOAD_OK && rep.n_inner > PAYLOAD_SAFE_MAX_INNER) {
        abort();
    }
    return 0;
}
