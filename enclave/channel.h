/*
 * End-to-end signer channels (PROTOCOL.md 1.3/1.5, ARCHITECTURE.md 6). Messages between enclaves go
 * through the untrusted shells and coordinator; these functions make every relay misbehaviour (drop,
 * reorder, replay, cross-session replay, alteration, misdelivery) a TRANSPORT error (ENC_CHAN_E_*),
 * never a protocol verdict against the party named as sender.
 *
 * Wire format, version 1 (integers big-endian):
 *
 *   header (80 bytes, checked before any cryptographic work)
 *   off len field
 *   0   1   protocol version (1)
 *   1   1   class: 1 = point-to-point (confidential), 2 = broadcast (signed, public)
 *   2   32  key id (sid, or the DKG instance id)
 *   34  32  session id (sigid; all zero where the protocol has none)
 *   66  2   round (1..ENC_CHAN_MAX_ROUND)
 *   68  2   sender party index (1..ENC_CHAN_MAX_PARTIES)
 *   70  2   receiver party index
 *   72  4   sequence number: per session and per (sender, receiver) pair, 1, 2, 3, ...
 *   76  4   payload length P (<= ENC_CHAN_MAX_PAYLOAD)
 *
 *   point-to-point: header | nonce (24, random per message) | crypto_box_easy_afternm(header | payload)
 *                   (80 + P + 16 bytes); the X25519 keys are the parties' Ed25519 identity keys
 *                   converted with crypto_sign_ed25519_{pk,sk}_to_curve25519. The header inside the
 *                   box must equal the header outside.
 *   broadcast:      header | payload | Ed25519 signature by the sender's identity key over
 *                   "mpc-enclave/chan/broadcast/v1" || 0x00 || header | payload.
 *                   A broadcast is sent to each receiver separately (PROTOCOL.md 1.5), with that
 *                   receiver in the header; equivocation is caught by the protocol's echo round.
 *
 * The receiver accepts from each sender strictly consecutive sequence numbers, non-decreasing
 * rounds and at most one message per (round, class); a rejected message changes no state, so a
 * relay can deliver the right message afterwards. A message that never arrives is the round
 * timeout's business.
 */
#ifndef ENC_CHANNEL_H
#define ENC_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include "identity.h"

#define ENC_CHAN_VERSION 1u
#define ENC_CHAN_HEADER_BYTES 80u
#define ENC_CHAN_NONCE_BYTES 24u
#define ENC_CHAN_MAC_BYTES 16u
#define ENC_CHAN_SIG_BYTES 64u
#define ENC_CHAN_MAX_PAYLOAD (1024u * 1024u)
#define ENC_CHAN_MAX_ROUND 16u
#define ENC_CHAN_MAX_PARTIES 16u
/* Largest message of either class. */
#define ENC_CHAN_MAX_MESSAGE \
    (2u * ENC_CHAN_HEADER_BYTES + ENC_CHAN_NONCE_BYTES + ENC_CHAN_MAX_PAYLOAD + ENC_CHAN_MAC_BYTES)

enum { ENC_CHAN_P2P = 1, ENC_CHAN_BROADCAST = 2 };

/* A parsed header; pointers point into the parsed message. */
typedef struct {
    uint8_t version;
    uint8_t cls;
    const unsigned char *key_id;     /* 32 bytes */
    const unsigned char *session_id; /* 32 bytes */
    uint16_t round;
    uint16_t sender;
    uint16_t receiver;
    uint32_t seq;
    uint32_t payload_len;
} enc_chan_header;

/* What the receiver learns about an accepted message besides its payload. */
typedef struct {
    uint8_t cls;
    uint16_t sender;
    uint16_t round;
} enc_chan_info;

/* A session participant other than this enclave: party index and Ed25519 identity public key. */
typedef struct {
    uint16_t index;
    unsigned char identity_pk[ENC_IDENTITY_PK_BYTES];
} enc_chan_peer;

typedef struct enc_chan_session enc_chan_session;

/* Exact size of a message of class cls with payload_len bytes of payload (0 for an unknown class). */
size_t enc_chan_message_bytes(uint8_t cls, size_t payload_len);

/** Parse the framing of a message: version, class, length fields, exact total length.
 *  Returns: ENC_OK or ENC_CHAN_E_{FORMAT,VERSION,TOO_LONG}.  Out: h (on success). */
int enc_chan_parse(enc_chan_header *h, const unsigned char *msg, size_t msg_len) ENC_WARN_UNUSED_RESULT;

/** Set up one session's channels.
 *  Returns: ENC_OK, ENC_E_ARG (bad index, duplicate or self peer, too many peers, peer key not a
 *  valid Ed25519 point), ENC_E_NOMEM.
 *  Out: s.  In: self (borrowed; must outlive s), self_index, key_id32, session_id32, peers, npeers. */
int enc_chan_session_create(enc_chan_session **s, const enc_identity *self, uint16_t self_index,
        const unsigned char key_id32[32], const unsigned char session_id32[32], const enc_chan_peer *peers,
        size_t npeers);

/* Wipe and free (NULL is allowed). */
void enc_chan_session_destroy(enc_chan_session *s);

/** Build the next message to receiver.
 *  Returns: ENC_OK, ENC_E_ARG (unknown class or receiver, round out of range, payload too long),
 *  ENC_E_BUFFER, ENC_E_NOMEM.  The sequence number advances only on success.
 *  Out: msg (msg_cap bytes available; enc_chan_message_bytes says how many are needed), msg_len.
 *  In: cls, receiver, round, payload, payload_len. */
int enc_chan_seal(enc_chan_session *s, unsigned char *msg, size_t msg_cap, size_t *msg_len, uint8_t cls,
        uint16_t receiver, uint16_t round, const unsigned char *payload, size_t payload_len);

/** Check and open a received message. On failure nothing is written to payload and the session's
 *  replay state is unchanged.
 *  Returns: ENC_OK, an ENC_CHAN_E_* transport error, ENC_E_BUFFER, ENC_E_NOMEM.
 *  Out: payload (payload_cap bytes available), payload_len, info.  In: msg, msg_len. */
int enc_chan_open(enc_chan_session *s, unsigned char *payload, size_t payload_cap, size_t *payload_len,
        enc_chan_info *info, const unsigned char *msg, size_t msg_len) ENC_WARN_UNUSED_RESULT;

#endif
