/*
 * mpc-coordinatord's workflow engine: signer and requester connections, keygen and signing
 * requests, sessions and the relay of sealed enclave-to-enclave messages (ARCHITECTURE.md 4-6).
 *
 * Everything runs on one libuv loop. The coordinator holds no secret: it relays opaque sealed
 * messages, compares what the enclaves report, and combines public round-3 messages with
 * mpc_sign_combine.
 *
 * Request life (RequestState in proto/wire.proto):
 *   keygen: PENDING -> RUNNING (KeygenStart to n connected signers, relay, KeygenResult from all)
 *           -> DONE when all n results agree (then SessionCommit to all), else FAILED.
 *   sign:   PENDING (SignPayload to every connected signer of the key, SignerResult back) ->
 *           BLOCKED if two digests differ or fewer than t signers approve; otherwise RUNNING
 *           (SessionStart to t approving signers, relay, SessionOutput from each) -> DONE after
 *           combine + verify. A failing, disconnected or slow signer aborts the session; a new
 *           session with a fresh id and coord_nonce runs with another quorum if one is left.
 * A request found non-final after a restart is marked FAILED ("coordinator restarted"); the
 * requester resubmits with the same idempotency key, which returns that request, or a new key.
 */
#ifndef MPC_COORD_H
#define MPC_COORD_H

#include <stdint.h>

#include <uv.h>

#include "config.h"

typedef struct coord coord;

/* Creates the coordinator from a validated configuration: opens the store, loads keys and
 * requests, marks interrupted requests failed, and listens. Returns 0 or -1 (logged). */
int coord_start(coord **out, uv_loop_t *loop, const cfg_coordinator *cfg);

/* Closes every connection and the listener; the loop then ends. */
void coord_stop(coord *c);

/* Frees what coord_stop left (after uv_run returned). */
void coord_free(coord *c);

/* The bound TCP port. */
uint16_t coord_port(const coord *c);

#endif
