/* Internal: the BIP32 step after the HMAC, exposed so the tests can reach the invalid-child cases,
 * which real HMAC outputs hit with probability about 2^-127. */
#ifndef MPC_SRC_BIP32_INTERNAL_H
#define MPC_SRC_BIP32_INTERNAL_H

#include "mpc/bip32.h"

/* child = parent + IL*G with IL the 32 big-endian bytes il32. Returns MPC_OK, or
 * MPC_E_BIP32_INVALID_CHILD if IL >= n or the child is the identity (child is then the identity and
 * tweak zero). */
int mpc__bip32_apply_il(const mpc_context *ctx, mpc_point *child, mpc_scalar *tweak,
        const mpc_point *parent, const unsigned char il32[32]);

#endif
