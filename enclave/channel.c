#include "channel.h"

#include <string.h>

#include <sodium.h>

#include "enc_bytes.h"
#include "enc_error.h"

static const char chan_broadcast_label[] = "mpc-enclave/chan/broadcast/v1";

/* Indexed by party index (1..ENC_CHAN_MAX_PARTIES); slot 0 unused. Lives in sodium_malloc memory
 * because of the pairwise box keys. */
struct enc_chan_session {
    const enc_identity *self;
    uint16_t self_index;
    unsigned char key_id[32];
    unsigned char session_id[32];
    uint32_t peer_mask;
    unsigned char peer_pk[ENC_CHAN_MAX_PARTIES + 1][ENC_IDENTITY_PK_BYTES];
    unsigned char box_key[ENC_CHAN_MAX_PARTIES + 1][crypto_box_BEFORENMBYTES];
    uint32_t send_seq[ENC_CHAN_MAX_PARTIES + 1]; /* last sequence number sent to each receiver */
    uint32_t recv_seq[ENC_CHAN_MAX_PARTIES + 1]; /* last sequence number accepted from each sender */
    uint16_t recv_round[ENC_CHAN_MAX_PARTIES + 1];
    uint32_t recv_seen[ENC_CHAN_MAX_PARTIES + 1]; /* bit (round - 1) * 2 + (class - 1) */
};

static int chan_is_peer(const enc_chan_session *s, uint16_t index) {
    return index >= 1 && index <= ENC_CHAN_MAX_PARTIES && (s->peer_mask >> index & 1u) != 0;
}

size_t enc_chan_message_bytes(uint8_t cls, size_t payload_len) {
    if (payload_len > ENC_CHAN_MAX_PAYLOAD)
        return 0;
    if (cls == ENC_CHAN_P2P)
        return 2 * ENC_CHAN_HEADER_BYTES + ENC_CHAN_NONCE_BYTES + payload_len + ENC_CHAN_MAC_BYTES;
    if (cls == ENC_CHAN_BROADCAST)
        return ENC_CHAN_HEADER_BYTES + payload_len + ENC_CHAN_SIG_BYTES;
    return 0;
}

int enc_chan_parse(enc_chan_header *h, const unsigned char *msg, size_t msg_len) {
    enc_chan_header t;
    size_t want;

    if (msg_len < ENC_CHAN_HEADER_BYTES)
        return ENC_CHAN_E_FORMAT;
    t.version = msg[0];
    if (t.version != ENC_CHAN_VERSION)
        return ENC_CHAN_E_VERSION;
    t.cls = msg[1];
    if (t.cls != ENC_CHAN_P2P && t.cls != ENC_CHAN_BROADCAST)
        return ENC_CHAN_E_FORMAT;
    t.key_id = msg + 2;
    t.session_id = msg + 34;
    t.round = enc_get_be16(msg + 66);
    t.sender = enc_get_be16(msg + 68);
    t.receiver = enc_get_be16(msg + 70);
    t.seq = enc_get_be32(msg + 72);
    t.payload_len = enc_get_be32(msg + 76);
    if (t.payload_len > ENC_CHAN_MAX_PAYLOAD)
        return ENC_CHAN_E_TOO_LONG;
    want = enc_chan_message_bytes(t.cls, t.payload_len);
    if (msg_len != want)
        return ENC_CHAN_E_FORMAT;
    *h = t;
    return ENC_OK;
}

int enc_chan_session_create(enc_chan_session **s, const enc_identity *self, uint16_t self_index,
        const unsigned char key_id32[32], const unsigned char session_id32[32], const enc_chan_peer *peers,
        size_t npeers) {
    enc_chan_session *n = NULL;
    unsigned char my_xsk[crypto_box_SECRETKEYBYTES];
    unsigned char peer_xpk[crypto_box_PUBLICKEYBYTES];
    size_t i;
    int r = ENC_E_INTERNAL;

    if (self_index < 1 || self_index > ENC_CHAN_MAX_PARTIES || npeers == 0 || npeers >= ENC_CHAN_MAX_PARTIES) {
        r = ENC_E_ARG;
        goto out;
    }
    if ((n = sodium_malloc(sizeof(*n))) == NULL) {
        r = ENC_E_NOMEM;
        goto out;
    }
    memset(n, 0, sizeof(*n));
    n->self = self;
    n->self_index = self_index;
    memcpy(n->key_id, key_id32, sizeof(n->key_id));
    memcpy(n->session_id, session_id32, sizeof(n->session_id));
    enc_identity_x25519_secret(self, my_xsk);
    for (i = 0; i < npeers; i++) {
        uint16_t idx = peers[i].index;

        if (idx < 1 || idx > ENC_CHAN_MAX_PARTIES || idx == self_index || chan_is_peer(n, idx) ||
                crypto_sign_ed25519_pk_to_curve25519(peer_xpk, peers[i].identity_pk) != 0 ||
                crypto_box_beforenm(n->box_key[idx], peer_xpk, my_xsk) != 0) {
            r = ENC_E_ARG;
            goto out;
        }
        memcpy(n->peer_pk[idx], peers[i].identity_pk, ENC_IDENTITY_PK_BYTES);
        n->peer_mask |= 1u << idx;
    }
    *s = n;
    n = NULL;
    r = ENC_OK;
out:
    sodium_memzero(my_xsk, sizeof(my_xsk));
    enc_chan_session_destroy(n);
    return r;
}

void enc_chan_session_destroy(enc_chan_session *s) {
    if (s != NULL)
        sodium_free(s);
}

static void chan_put_header(unsigned char *out, const enc_chan_session *s, uint8_t cls, uint16_t round,
        uint16_t receiver, uint32_t seq, uint32_t payload_len) {
    out[0] = ENC_CHAN_VERSION;
    out[1] = cls;
    memcpy(out + 2, s->key_id, 32);
    memcpy(out + 34, s->session_id, 32);
    enc_put_be16(out + 66, round);
    enc_put_be16(out + 68, s->self_index);
    enc_put_be16(out + 70, receiver);
    enc_put_be32(out + 72, seq);
    enc_put_be32(out + 76, payload_len);
}

int enc_chan_seal(enc_chan_session *s, unsigned char *msg, size_t msg_cap, size_t *msg_len, uint8_t cls,
        uint16_t receiver, uint16_t round, const unsigned char *payload, size_t payload_len) {
    unsigned char *inner = NULL;
    size_t total = enc_chan_message_bytes(cls, payload_len);
    uint32_t seq;
    int r = ENC_E_INTERNAL;

    if (total == 0 || !chan_is_peer(s, receiver) || round < 1 || round > ENC_CHAN_MAX_ROUND ||
            s->send_seq[receiver] == UINT32_MAX) {
        r = ENC_E_ARG;
        goto out;
    }
    if (msg_cap < total) {
        r = ENC_E_BUFFER;
        goto out;
    }
    seq = s->send_seq[receiver] + 1;
    chan_put_header(msg, s, cls, round, receiver, seq, (uint32_t)payload_len);
    if (cls == ENC_CHAN_P2P) {
        unsigned char *nonce = msg + ENC_CHAN_HEADER_BYTES;

        /* The plaintext may be a secret share: build it in locked, wiped memory. */
        if ((inner = sodium_malloc(ENC_CHAN_HEADER_BYTES + payload_len)) == NULL) {
            r = ENC_E_NOMEM;
            goto out;
        }
        memcpy(inner, msg, ENC_CHAN_HEADER_BYTES);
        if (payload_len > 0)
            memcpy(inner + ENC_CHAN_HEADER_BYTES, payload, payload_len);
        randombytes_buf(nonce, ENC_CHAN_NONCE_BYTES);
        if (crypto_box_easy_afternm(nonce + ENC_CHAN_NONCE_BYTES, inner, ENC_CHAN_HEADER_BYTES + payload_len,
                    nonce, s->box_key[receiver]) != 0)
            goto out;
    } else {
        if (payload_len > 0)
            memcpy(msg + ENC_CHAN_HEADER_BYTES, payload, payload_len);
        if ((r = enc_identity_sign(s->self, msg + ENC_CHAN_HEADER_BYTES + payload_len, chan_broadcast_label,
                     msg, ENC_CHAN_HEADER_BYTES + payload_len)) != ENC_OK)
            goto out;
    }
    s->send_seq[receiver] = seq;
    *msg_len = total;
    r = ENC_OK;
out:
    if (inner != NULL)
        sodium_free(inner);
    return r;
}

/* Header checks against the session, before any cryptography. */
static int chan_check_header(const enc_chan_session *s, const enc_chan_header *h) {
    if (memcmp(h->key_id, s->key_id, 32) != 0 || memcmp(h->session_id, s->session_id, 32) != 0)
        return ENC_CHAN_E_SESSION;
    if (h->receiver != s->self_index)
        return ENC_CHAN_E_RECEIVER;
    if (!chan_is_peer(s, h->sender))
        return ENC_CHAN_E_SENDER;
    if (h->round < 1 || h->round > ENC_CHAN_MAX_ROUND)
        return ENC_CHAN_E_ROUND;
    if (h->seq <= s->recv_seq[h->sender])
        return ENC_CHAN_E_REPLAY;
    if (h->seq != s->recv_seq[h->sender] + 1)
        return ENC_CHAN_E_GAP;
    if (h->round < s->recv_round[h->sender])
        return ENC_CHAN_E_ROUND;
    if ((s->recv_seen[h->sender] >> ((h->round - 1u) * 2u + (h->cls - 1u)) & 1u) != 0)
        return ENC_CHAN_E_DUPLICATE;
    return ENC_OK;
}

int enc_chan_open(enc_chan_session *s, unsigned char *payload, size_t payload_cap, size_t *payload_len,
        enc_chan_info *info, const unsigned char *msg, size_t msg_len) {
    enc_chan_header h;
    unsigned char *inner = NULL;
    int r = ENC_E_INTERNAL;

    if ((r = enc_chan_parse(&h, msg, msg_len)) != ENC_OK || (r = chan_check_header(s, &h)) != ENC_OK)
        goto out;
    if (payload_cap < h.payload_len) {
        r = ENC_E_BUFFER;
        goto out;
    }
    if (h.cls == ENC_CHAN_P2P) {
        const unsigned char *nonce = msg + ENC_CHAN_HEADER_BYTES;
        size_t inner_len = ENC_CHAN_HEADER_BYTES + h.payload_len;

        if ((inner = sodium_malloc(inner_len)) == NULL) {
            r = ENC_E_NOMEM;
            goto out;
        }
        /* Verifies the tag before writing plaintext; the inner header binds the outer one. */
        if (crypto_box_open_easy_afternm(inner, nonce + ENC_CHAN_NONCE_BYTES, inner_len + ENC_CHAN_MAC_BYTES,
                    nonce, s->box_key[h.sender]) != 0 ||
                memcmp(inner, msg, ENC_CHAN_HEADER_BYTES) != 0) {
            r = ENC_CHAN_E_AUTH;
            goto out;
        }
        if (h.payload_len > 0)
            memcpy(payload, inner + ENC_CHAN_HEADER_BYTES, h.payload_len);
    } else {
        r = enc_identity_verify(s->peer_pk[h.sender], msg + ENC_CHAN_HEADER_BYTES + h.payload_len,
                chan_broadcast_label, msg, ENC_CHAN_HEADER_BYTES + h.payload_len);
        if (r != ENC_OK) {
            r = r == ENC_E_SIGNATURE ? ENC_CHAN_E_AUTH : r;
            goto out;
        }
        if (h.payload_len > 0)
            memcpy(payload, msg + ENC_CHAN_HEADER_BYTES, h.payload_len);
    }
    s->recv_seq[h.sender] = h.seq;
    s->recv_round[h.sender] = h.round;
    s->recv_seen[h.sender] |= 1u << ((h.round - 1u) * 2u + (h.cls - 1u));
    *payload_len = h.payload_len;
    info->cls = h.cls;
    info->sender = h.sender;
    info->round = h.round;
    r = ENC_OK;
out:
    if (inner != NULL)
        sodium_free(inner);
    return r;
}
