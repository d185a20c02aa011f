/* Internal: the key share object shared by the DKG, refresh and signing code. */
#ifndef MPC_SRC_KEYSHARE_H
#define MPC_SRC_KEYSHARE_H

#include "mpc/point.h"
#include "mpc/protocol.h"
#include "mpc/scalar.h"
#include "ot.h"

/* Long-term pairwise material with one peer j (SECRET). */
typedef struct {
    unsigned char zero_seed[32];     /* z_{ij} of PROTOCOL.md 2.3 */
    mpc__ote_sender_key ote_send;    /* instance (Alice = i, Bob = j) */
    mpc__ote_receiver_key ote_recv;  /* instance (Alice = j, Bob = i) */
} mpc__peer_keys;

/* Arrays are indexed by party index 1..n; entry 0 and the own entry of peer[] are unused. */
struct mpc_keyshare_struct {
    uint32_t magic;
    uint32_t n, t, self, epoch;
    unsigned char sid[32];
    unsigned char chaincode[32];
    mpc_point pk;
    mpc_point S[MPC_MAX_PARTIES + 1];
    mpc_scalar share;
    mpc__peer_keys peer[MPC_MAX_PARTIES + 1];
};

#define MPC__KEYSHARE_MAGIC 0x4d50434bu

/* A zero-filled share object in secure memory, or NULL. */
mpc_keyshare *mpc__keyshare_alloc(void);

/* 1 if S_1..S_n are the values at 1..n of one polynomial of degree < t with value pk at 0
 * (public data; variable time). */
int mpc__public_shares_consistent_var(const mpc_context *ctx, const mpc_point *S, uint32_t n,
        uint32_t t, const mpc_point *pk);

/* sum_k x^k * F[k] for k < count (Feldman evaluation; public data). */
void mpc__poly_eval_points_var(const mpc_context *ctx, mpc_point *r, const mpc_point *F,
        uint32_t count, uint32_t x);

#endif
