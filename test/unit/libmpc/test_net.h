/* Test-side in-memory network: runs every party of one protocol run round by round and lets a
 * test tamper with, drop, duplicate, misroute or replay any message on the way. */
#ifndef MPC_TEST_NET_H
#define MPC_TEST_NET_H

#include "mpc/protocol.h"

/* One message copy in flight, broadcasts already expanded to one copy per recipient. */
typedef struct {
    uint32_t from, to;   /* to: the recipient of this copy */
    unsigned round;      /* protocol round that produced it (1-based) */
    int broadcast;
    unsigned char *data; /* malloc'd; a hook may realloc it and change len */
    size_t len;
} net_msg;

enum { NET_DELIVER = 0, NET_DROP = 1, NET_DUPLICATE = 2 };

/* Called for every copy before delivery; may edit m (data, len, to). Returns a NET_* action. */
typedef int (*net_hook)(net_msg *m, void *user);

typedef int (*net_step_fn)(const mpc_context *ctx, const mpc_msg_out **out, size_t *out_count,
        mpc_blame *blame, void *st, const mpc_msg_in *in, size_t in_count);

typedef struct {
    uint32_t from, to;
    unsigned char *data;
    size_t len;
} net_item;

typedef struct {
    const mpc_context *ctx;
    size_t count;                      /* parties in this run */
    uint32_t idx[MPC_MAX_PARTIES];     /* their indices */
    void *st[MPC_MAX_PARTIES];
    net_step_fn step;
    net_hook hook;
    void *user;
    int rc[MPC_MAX_PARTIES];           /* result of each party's last call */
    mpc_blame blame[MPC_MAX_PARTIES];
    size_t inbox_n[MPC_MAX_PARTIES];
    net_item inbox[MPC_MAX_PARTIES][4 * MPC_MAX_PARTIES];
    /* The last round's messages as produced (before the hook), per party. */
    size_t last_n[MPC_MAX_PARTIES];
    net_item last[MPC_MAX_PARTIES][MPC_MAX_PARTIES];
    uint64_t bytes_sent[MPC_MAX_PARTIES][8]; /* per party per round */
    uint64_t msgs_sent[MPC_MAX_PARTIES][8];
} net;

void net_init(net *nw, const mpc_context *ctx, net_step_fn step, size_t count,
        const uint32_t *idx, void *const *st);
/* Run calls 1..calls (call c consumes round c-1 messages and produces round c). Returns 0 when
 * every call of every party succeeded, else the number of the call in which the first failure
 * happened (every party still runs that call; later calls are not made). */
unsigned net_run(net *nw, unsigned calls);
/* Run one more call for every party, feeding the messages of the previous call. */
int net_call(net *nw, unsigned call);
/* Slot of party index p in nw, or -1. */
int net_slot(const net *nw, uint32_t p);
void net_free(net *nw);

int net_dkg_step(const mpc_context *ctx, const mpc_msg_out **out, size_t *out_count,
        mpc_blame *blame, void *st, const mpc_msg_in *in, size_t in_count);
int net_sign_step(const mpc_context *ctx, const mpc_msg_out **out, size_t *out_count,
        mpc_blame *blame, void *st, const mpc_msg_in *in, size_t in_count);

#endif
