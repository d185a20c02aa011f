/* Internal: constant-time point operations that libmpc's protocols need beyond mpc/point.h. */
#ifndef MPC_SRC_POINT_INTERNAL_H
#define MPC_SRC_POINT_INTERNAL_H

#include "mpc/point.h"

/* out33 = the compressed encoding of k*P for a SECRET k and a public P, constant time in k:
 * secp256k1_ecdh with a callback that writes (0x02 | parity(y)) || x from the coordinates the
 * ladder has already normalized in constant time, so no variable-time parse or serialize ever
 * sees the product. The identity (k = 0 or P the identity) gives 33 zero bytes, the encoding
 * mpc_hash_field_point uses for it; for any other product out33 equals
 * mpc_point_serialize(mpc_point_mul(P, k)). */
void mpc__point_mul_encode(const mpc_context *ctx, unsigned char out33[33], const mpc_point *p,
        const mpc_scalar *k);

#endif
