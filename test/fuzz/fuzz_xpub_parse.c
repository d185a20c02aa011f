/* mpc_bip32_xpub_parse on arbitrary strings: never crashes; an accepted xpub serializes back to
 * the same characters, and deriving a child from it either works or reports an invalid child. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mpc/bip32.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static mpc_context *ctx;
    char out[MPC_BIP32_XPUB_STRING_BYTES];
    mpc_bip32_xpub x, child;
    mpc_scalar tweak;
    int r;

    if (ctx == NULL && (ctx = mpc_context_create()) == NULL)
        abort();
    if (mpc_bip32_xpub_parse(ctx, &x, (const char *)data, size) != MPC_OK)
        return 0;
    if (mpc_bip32_xpub_serialize(ctx, out, &x) != MPC_OK || strlen(out) != size ||
        memcmp(out, data, size) != 0)
        abort();
    if (x.depth < MPC_BIP32_MAX_DEPTH) {
        r = mpc_bip32_derive_child(ctx, &child, &tweak, &x, 0);
        if (r != MPC_OK && r != MPC_E_BIP32_INVALID_CHILD)
            abort();
    }
    return 0;
}
