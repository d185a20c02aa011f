/*
 * Internal: the common header of every protocol round message (layout in mpc/protocol.h), the
 * outgoing message buffers a state object owns, and the collection of one round's inbound
 * messages with every header check done before any cryptographic work.
 */
#ifndef MPC_SRC_WIRE_H
#define MPC_SRC_WIRE_H

#include "mpc/point.h"
#include "mpc/protocol.h"
#include "mpc/scalar.h"

enum { MPC__KIND_DKG = 1, MPC__KIND_REFRESH = 2, MPC__KIND_SIGN = 3 };

/* What every message of one round must carry. */
typedef struct {
    uint8_t kind;
    uint8_t round;
    uint32_t epoch;
    uint32_t self;
    int broadcast;                /* 1: to must be MPC_BROADCAST; 0: to must be self */
    const unsigned char *session; /* 32 bytes */
    const unsigned char *aux;     /* 32 bytes */
} mpc__hdr_expect;

void mpc__hdr_write(unsigned char out[MPC_MSG_HEADER_BYTES], uint8_t kind, uint8_t round,
        uint32_t epoch, uint32_t from, uint32_t to, const unsigned char session[32],
        const unsigned char aux[32]);

/* Check that in[] holds exactly one message from each of the npeers parties in peers (ascending)
 * and nothing else, every header as expected; on success sorted[k] is the message of peers[k].
 * Returns MPC_OK or MPC_E_SESSION. Payloads are not looked at. */
int mpc__msg_collect(const mpc_msg_in *sorted[MPC_MAX_PARTIES], const mpc__hdr_expect *e,
        const uint32_t *peers, size_t npeers, const mpc_msg_in *in, size_t in_count);

/* Messages produced by one round; buffers are wiped before they are freed (some carry secrets). */
typedef struct {
    size_t count;
    mpc_msg_out msg[MPC_MAX_PARTIES];
    unsigned char *buf[MPC_MAX_PARTIES];
} mpc__outbox;

void mpc__outbox_clear(mpc__outbox *ob);
/* Append a message of len bytes to `to`; returns its zeroed buffer or NULL (no memory). */
unsigned char *mpc__outbox_add(mpc__outbox *ob, uint32_t to, size_t len);

/* Sequential strict reader of a payload. Every get fails once anything failed (err sticks). */
typedef struct {
    const unsigned char *p;
    size_t left;
    int err;
} mpc__reader;

void mpc__reader_init(mpc__reader *rd, const unsigned char *p, size_t len);
const unsigned char *mpc__get_bytes(mpc__reader *rd, size_t len);
void mpc__get_scalar(mpc__reader *rd, mpc_scalar *s);
/* A valid, canonical, non-identity point. */
void mpc__get_point(const mpc_context *ctx, mpc__reader *rd, mpc_point *p);
/* MPC_OK if nothing failed and every byte was consumed, else MPC_E_ENCODING. */
int mpc__reader_end(const mpc__reader *rd);

/* Blame helpers. */
void mpc__blame_none(mpc_blame *b);
void mpc__blame_one(mpc_blame *b, uint32_t party);

void mpc__be32(unsigned char out[4], uint32_t v);

#endif
