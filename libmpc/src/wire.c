#include <stdlib.h>
#include <string.h>

#include "wire.h"

static const unsigned char msg_magic[4] = { 'M', 'P', 'C', 'M' };

void mpc__be32(unsigned char out[4], uint32_t v)
{
    out[0] = (unsigned char)(v >> 24);
    out[1] = (unsigned char)(v >> 16);
    out[2] = (unsigned char)(v >> 8);
    out[3] = (unsigned char)v;
}

static uint32_t rd_be32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

void mpc__hdr_write(unsigned char out[MPC_MSG_HEADER_BYTES], uint8_t kind, uint8_t round,
        uint32_t epoch, uint32_t from, uint32_t to, const unsigned char session[32],
        const unsigned char aux[32])
{
    memcpy(out, msg_magic, 4);
    out[4] = (unsigned char)MPC_PROTOCOL_VERSION;
    out[5] = kind;
    out[6] = round;
    out[7] = 0;
    mpc__be32(out + 8, epoch);
    mpc__be32(out + 12, from);
    mpc__be32(out + 16, to);
    memcpy(out + 20, session, 32);
    memcpy(out + 52, aux, 32);
}

/* Headers are public: plain compares are fine here. */
static int hdr_ok(const mpc__hdr_expect *e, const mpc_msg_in *m)
{
    const unsigned char *h = m->data;

    if (m->data == NULL || m->len < MPC_MSG_HEADER_BYTES)
        return 0;
    return memcmp(h, msg_magic, 4) == 0 && h[4] == MPC_PROTOCOL_VERSION && h[5] == e->kind &&
           h[6] == e->round && h[7] == 0 && rd_be32(h + 8) == e->epoch &&
           rd_be32(h + 12) == m->from &&
           rd_be32(h + 16) == (e->broadcast ? MPC_BROADCAST : e->self) &&
           memcmp(h + 20, e->session, 32) == 0 && memcmp(h + 52, e->aux, 32) == 0;
}

int mpc__msg_collect(const mpc_msg_in *sorted[MPC_MAX_PARTIES], const mpc__hdr_expect *e,
        const uint32_t *peers, size_t npeers, const mpc_msg_in *in, size_t in_count)
{
    size_t k, m;

    if (in_count != npeers || (npeers > 0 && in == NULL))
        return MPC_E_SESSION;
    for (k = 0; k < npeers; k++)
        sorted[k] = NULL;
    for (m = 0; m < in_count; m++) {
        if (!hdr_ok(e, &in[m]))
            return MPC_E_SESSION;
        for (k = 0; k < npeers && peers[k] != in[m].from; k++)
            ;
        if (k == npeers || sorted[k] != NULL)
            return MPC_E_SESSION;
        sorted[k] = &in[m];
    }
    return MPC_OK;
}

void mpc__outbox_clear(mpc__outbox *ob)
{
    size_t k;

    for (k = 0; k < ob->count; k++) {
        mpc_memclear(ob->buf[k], ob->msg[k].len);
        free(ob->buf[k]);
        ob->buf[k] = NULL;
    }
    memset(ob->msg, 0, sizeof(ob->msg));
    ob->count = 0;
}

unsigned char *mpc__outbox_add(mpc__outbox *ob, uint32_t to, size_t len)
{
    unsigned char *b;

    if (ob->count >= MPC_MAX_PARTIES || (b = calloc(1, len)) == NULL)
        return NULL;
    ob->buf[ob->count] = b;
    ob->msg[ob->count].to = to;
    ob->msg[ob->count].data = b;
    ob->msg[ob->count].len = len;
    ob->count++;
    return b;
}

void mpc__reader_init(mpc__reader *rd, const unsigned char *p, size_t len)
{
    rd->p = p;
    rd->left = len;
    rd->err = 0;
}

const unsigned char *mpc__get_bytes(mpc__reader *rd, size_t len)
{
    const unsigned char *r;

    if (rd->err || rd->left < len) {
        rd->err = 1;
        return NULL;
    }
    r = rd->p;
    rd->p += len;
    rd->left -= len;
    return r;
}

void mpc__get_scalar(mpc__reader *rd, mpc_scalar *s)
{
    const unsigned char *b = mpc__get_bytes(rd, 32);

    mpc_scalar_set_u32(s, 0);
    if (b != NULL && mpc_scalar_parse(s, b) != MPC_OK)
        rd->err = 1;
}

void mpc__get_point(const mpc_context *ctx, mpc__reader *rd, mpc_point *p)
{
    const unsigned char *b = mpc__get_bytes(rd, MPC_POINT_BYTES);

    mpc_point_set_infinity(p);
    if (b != NULL && mpc_point_parse(ctx, p, b) != MPC_OK)
        rd->err = 1;
}

int mpc__reader_end(const mpc__reader *rd)
{
    return rd->err || rd->left != 0 ? MPC_E_ENCODING : MPC_OK;
}

void mpc__blame_none(mpc_blame *b)
{
    memset(b, 0, sizeof(*b));
}

void mpc__blame_one(mpc_blame *b, uint32_t party)
{
    memset(b, 0, sizeof(*b));
    b->count = 1;
    b->party[0] = party;
}
