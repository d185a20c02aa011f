/* mpc_schnorr_parse on arbitrary bytes: never crashes; an accepted proof serializes back to the
 * same 65 bytes, and verifying it against an arbitrary statement never crashes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mpc/zk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned char sid[32];
    static mpc_context *ctx;
    unsigned char in[MPC_SCHNORR_BYTES], out[MPC_SCHNORR_BYTES];
    mpc_schnorr_context sctx = { MPC_TAG_DKG_COEF, sid, 1, 0, NULL, 0 };
    mpc_schnorr_proof proof;
    mpc_scalar one;
    mpc_point X;
    int r;

    if (ctx == NULL && (ctx = mpc_context_create()) == NULL)
        abort();
    if (size != MPC_SCHNORR_BYTES)
        return 0;
    memcpy(in, data, sizeof(in));
    if (mpc_schnorr_parse(ctx, &proof, in) != MPC_OK)
        return 0;
    if (mpc_schnorr_serialize(ctx, out, &proof) != MPC_OK || memcmp(in, out, sizeof(in)) != 0)
        abort();
    mpc_scalar_set_u32(&one, 1);
    mpc_point_base_mul(ctx, &X, &one);
    r = mpc_schnorr_verify(ctx, &proof, &X, &sctx);
    if (r != MPC_OK && r != MPC_E_PROOF)
        abort();
    return 0;
}
