/* mpc_point_parse on arbitrary bytes: never crashes; whatever it accepts is exactly 33 bytes,
 * serializes back to the same bytes and is not the identity. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mpc/point.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static mpc_context *ctx;
    unsigned char in[MPC_POINT_BYTES], out[MPC_POINT_BYTES];
    mpc_point p;

    if (ctx == NULL && (ctx = mpc_context_create()) == NULL)
        abort();
    /* The API takes exactly 33 bytes: other lengths cannot reach the parser. */
    if (size != MPC_POINT_BYTES)
        return 0;
    memcpy(in, data, sizeof(in));
    if (mpc_point_parse(ctx, &p, in) != MPC_OK) {
        if (!mpc_point_is_infinity(&p))
            abort();
        return 0;
    }
    if (mpc_point_is_infinity(&p) || mpc_point_serialize(ctx, out, &p) != MPC_OK ||
        memcmp(in, out, sizeof(in)) != 0)
        abort();
    return 0;
}
