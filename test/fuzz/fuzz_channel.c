/* Channel message parser and enc_chan_open on arbitrary bytes, received by party 2 of the vector
 * session (identities and messages from gen_enclave_vectors.py, which also writes the seed corpus):
 * never crashes; an accepted header accounts for every byte; an opened message has the declared
 * payload length; a rejected one leaves the output buffer untouched. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "channel.h"
#include "enc_error.h"
#include "enclave_vectors.h"
#include "identity.h"
#include "seal/seal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static enc_identity *id2;
    static unsigned char out[ENC_CHAN_MAX_PAYLOAD];
    enc_chan_session *s = NULL;
    enc_chan_header h;
    enc_chan_peer peer;
    enc_chan_info info;
    size_t out_len = 0;
    int r;

    if (id2 == NULL) {
        enc_seal_backend *kf = NULL;

        if (sodium_init() < 0 || enc_seal_keyfile_create(&kf, ev_keyfile_key) != ENC_OK ||
                enc_identity_unseal(&id2, kf, ev_id2_blob, sizeof(ev_id2_blob)) != ENC_OK)
            abort();
        enc_seal_backend_destroy(kf);
    }
    if (enc_chan_parse(&h, data, size) == ENC_OK && enc_chan_message_bytes(h.cls, h.payload_len) != size)
        abort();
    peer.index = 1;
    memcpy(peer.identity_pk, ev_id1_pk, sizeof(peer.identity_pk));
    if (enc_chan_session_create(&s, id2, 2, ev_chan_key_id, ev_chan_session_id, &peer, 1) != ENC_OK)
        abort();
    out[0] = 0xee;
    r = enc_chan_open(s, out, sizeof(out), &out_len, &info, data, size);
    if (r == ENC_OK) {
        if (enc_chan_parse(&h, data, size) != ENC_OK || out_len != h.payload_len || info.sender != 1)
            abort();
    } else if (out[0] != 0xee || r > ENC_CHAN_E_FORMAT || r < ENC_CHAN_E_AUTH) {
        abort();
    }
    enc_chan_session_destroy(s);
    return 0;
}
