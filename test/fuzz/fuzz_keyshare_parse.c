/*
 * Fuzz mpc_keyshare_parse. Byte 0 & 1 picks the form: 0 = the input as the serialized share;
 * 1 = a valid 2-of-2 share serialization with 4-byte patches (be24 offset mod length, xor byte).
 * A parse that succeeds must serialize back to the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "mpc/protocol.h"
#include "test_rng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mpc_context *ctx;
static unsigned char *valid;
static size_t valid_len;

static void die_if(int cond)
{
    if (cond)
        abort();
}

/* A valid share: a 2-of-2 DKG between two states of one deterministic context. */
static void init(void)
{
    static test_rng rng;
    static const unsigned char inst[32] = { 7 };
    mpc_dkg *d[2];
    mpc_keyshare *ks;
    const mpc_msg_out *o[2];
    size_t n[2];
    mpc_msg_in in[2];
    mpc_blame b;
    unsigned char *m[2] = { NULL, NULL };
    size_t ml[2] = { 0, 0 };
    int c, k;

    test_rng_init(&rng, 0xf0);
    ctx = test_context(&rng);
    die_if(mpc_dkg_create(ctx, &d[0], 2, 2, 1, inst) != MPC_OK);
    die_if(mpc_dkg_create(ctx, &d[1], 2, 2, 2, inst) != MPC_OK);
    for (c = 1; c <= 5; c++) {
        for (k = 0; k < 2; k++) {
            in[k].from = (uint32_t)(2 - k);
            in[k].data = m[1 - k];
            in[k].len = ml[1 - k];
            die_if(mpc_dkg_next(ctx, &o[k], &n[k], &b, d[k], &in[k], c > 1) != MPC_OK);
        }
        for (k = 0; k < 2 && c < 5; k++) {
            free(m[k]);
            m[k] = malloc(o[k][0].len);
            memcpy(m[k], o[k][0].data, o[k][0].len);
            ml[k] = o[k][0].len;
        }
    }
    die_if(mpc_dkg_finish(ctx, &ks, d[0]) != MPC_OK);
    valid_len = mpc_keyshare_serialized_len(ks);
    valid = malloc(valid_len);
    die_if(mpc_keyshare_serialize(ctx, valid, valid_len, ks) != MPC_OK);
    mpc_keyshare_destroy(ks);
    for (k = 0; k < 2; k++) {
        mpc_dkg_destroy(d[k]);
        free(m[k]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mpc_keyshare *ks = NULL;
    unsigned char *buf, *again;
    size_t len, k;
    int rc;

    if (ctx == NULL)
        init();
    if (size < 1)
        return 0;
    if (data[0] & 1) {
        len = valid_len;
        buf = malloc(len);
        memcpy(buf, valid, len);
        for (k = 1; k + 4 <= size; k += 4)
            buf[((size_t)data[k] << 16 | (size_t)data[k + 1] << 8 | data[k + 2]) % len] ^=
                data[k + 3];
    } else {
        len = size - 1;
        buf = malloc(len ? len : 1);
        if (len)
            memcpy(buf, data + 1, len);
    }
    rc = mpc_keyshare_parse(ctx, &ks, buf, len);
    die_if(rc != MPC_OK && rc != MPC_E_ENCODING);
    if (rc == MPC_OK) {
        again = malloc(len);
        die_if(mpc_keyshare_serialize(ctx, again, len, ks) != MPC_OK);
        die_if(memcmp(again, buf, len) != 0);
        free(again);
        mpc_keyshare_destroy(ks);
    }
    free(buf);
    return 0;
}
