#include <stdlib.h>
#include <string.h>

#include "test_net.h"

int net_dkg_step(const mpc_context *ctx, const mpc_msg_out **out, size_t *out_count,
        mpc_blame *blame, void *st, const mpc_msg_in *in, size_t in_count)
{
    return mpc_dkg_next(ctx, out, out_count, blame, st, in, in_count);
}

int net_sign_step(const mpc_context *ctx, const mpc_msg_out **out, size_t *out_count,
        mpc_blame *blame, void *st, const mpc_msg_in *in, size_t in_count)
{
    return mpc_sign_next(ctx, out, out_count, blame, st, in, in_count);
}

void net_init(net *nw, const mpc_context *ctx, net_step_fn step, size_t count,
        const uint32_t *idx, void *const *st)
{
    size_t k;

    memset(nw, 0, sizeof(*nw));
    nw->ctx = ctx;
    nw->step = step;
    nw->count = count;
    for (k = 0; k < count; k++) {
        nw->idx[k] = idx[k];
        nw->st[k] = st[k];
    }
}

int net_slot(const net *nw, uint32_t p)
{
    size_t k;

    for (k = 0; k < nw->count; k++)
        if (nw->idx[k] == p)
            return (int)k;
    return -1;
}

static void clear_items(net_item *it, size_t *n)
{
    size_t k;

    for (k = 0; k < *n; k++)
        free(it[k].data);
    *n = 0;
}

static void push(net *nw, int slot, const net_msg *m)
{
    net_item *it;

    if (slot < 0 || nw->inbox_n[slot] >= 4 * MPC_MAX_PARTIES)
        return;
    it = &nw->inbox[slot][nw->inbox_n[slot]++];
    it->from = m->from;
    it->len = m->len;
    it->data = malloc(m->len ? m->len : 1);
    memcpy(it->data, m->data, m->len);
}

static void deliver(net *nw, net_msg *m)
{
    int act = nw->hook != NULL ? nw->hook(m, nw->user) : NET_DELIVER;

    if (act == NET_DROP)
        return;
    push(nw, net_slot(nw, m->to), m);
    if (act == NET_DUPLICATE)
        push(nw, net_slot(nw, m->to), m);
}

int net_call(net *nw, unsigned call)
{
    mpc_msg_in in[4 * MPC_MAX_PARTIES];
    const mpc_msg_out *out;
    size_t k, q, out_count;
    int fail = 0;

    /* Every party consumes its current inbox first, then the produced messages are delivered,
     * so no party sees a message of the same call. */
    for (k = 0; k < nw->count; k++) {
        clear_items(nw->last[k], &nw->last_n[k]);
        for (q = 0; q < nw->inbox_n[k]; q++) {
            in[q].from = nw->inbox[k][q].from;
            in[q].data = nw->inbox[k][q].data;
            in[q].len = nw->inbox[k][q].len;
        }
        nw->rc[k] = nw->step(nw->ctx, &out, &out_count, &nw->blame[k], nw->st[k], in,
                nw->inbox_n[k]);
        clear_items(nw->inbox[k], &nw->inbox_n[k]);
        if (nw->rc[k] != MPC_OK) {
            fail = 1;
            continue;
        }
        for (q = 0; q < out_count && q < MPC_MAX_PARTIES; q++) {
            net_item *it = &nw->last[k][nw->last_n[k]++];
            it->from = nw->idx[k];
            it->to = out[q].to;
            it->len = out[q].len;
            it->data = malloc(out[q].len);
            memcpy(it->data, out[q].data, out[q].len);
            if (call < 8) {
                nw->bytes_sent[k][call] += out[q].len;
                nw->msgs_sent[k][call] += 1;
            }
        }
    }
    for (k = 0; k < nw->count; k++) {
        for (q = 0; q < nw->last_n[k]; q++) {
            const net_item *it = &nw->last[k][q];
            size_t d;
            for (d = 0; d < nw->count; d++) {
                net_msg m;
                if (d == k || (it->to != MPC_BROADCAST && it->to != nw->idx[d]))
                    continue;
                m.from = nw->idx[k];
                m.to = nw->idx[d];
                m.round = call;
                m.broadcast = it->to == MPC_BROADCAST;
                m.len = it->len;
                m.data = malloc(it->len);
                memcpy(m.data, it->data, it->len);
                deliver(nw, &m);
                free(m.data);
            }
        }
    }
    return fail;
}

unsigned net_run(net *nw, unsigned calls)
{
    unsigned c;

    for (c = 1; c <= calls; c++)
        if (net_call(nw, c))
            return c;
    return 0;
}

void net_free(net *nw)
{
    size_t k;

    for (k = 0; k < nw->count; k++) {
        clear_items(nw->inbox[k], &nw->inbox_n[k]);
        clear_items(nw->last[k], &nw->last_n[k]);
    }
}
