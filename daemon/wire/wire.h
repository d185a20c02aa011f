/*
 * The daemons' application messages (proto/wire.proto) on top of daemon/net: strict decoding of
 * every Envelope type, and sending one Envelope per frame.
 *
 * wire_unpack accepts a frame only if it decodes as an Envelope, re-encodes to the same bytes (no
 * duplicate fields, non-minimal varints or trailing data), has version NET_ENV_VERSION, and a type
 * whose body is the one set (each type equals its body's field number). Hello and Error go through
 * net_env_check; every other body is checked here by walking its descriptor: no unknown field at
 * any depth, strings printable ASCII of bounded length (summaries may also hold line feeds), and the fixed-size bytes fields (ids,
 * keys, digests; see wire.c) either empty or exactly their size. Whether a field that may be
 * empty on the wire is required is the receiver's business.
 */
#ifndef MPC_WIRE_H
#define MPC_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "net.h"
#include "wire.pb-c.h"

#define WIRE_ID_BYTES 32u
#define WIRE_PUBKEY_BYTES 33u
#define WIRE_SIG_BYTES 64u
/* An operator approval (enclave/policy/approval.h POLICY_APPROVAL_BYTES). */
#define WIRE_APPROVAL_BYTES 217u
/* Longest string field (summaries, error messages) and longest idempotency key. */
#define WIRE_STRING_MAX 4096u
#define WIRE_IDEMPOTENCY_MAX 128u
/* Largest frame on a daemon link (payloads up to 1 MiB plus relayed protocol messages). */
#define WIRE_MAX_FRAME (4u * 1024u * 1024u)

/* Checks env as described above without encoding it. Returns NET_OK or a NET_E_ENV_* code. */
int wire_check(const Mpc__Wire__Envelope *env) NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1);

/* Decodes and checks one frame. On NET_OK release *out with net_env_free. */
int wire_unpack(Mpc__Wire__Envelope **out, const unsigned char *buf, size_t len) NET_WARN_UNUSED_RESULT
        NET_ARG_NONNULL(1, 2);

/* Sets version, type and the matching body of env (body points to the body message). */
void wire_init(Mpc__Wire__Envelope *env, Mpc__Wire__MsgType type, void *body) NET_ARG_NONNULL(1, 3);

/* Checks, encodes and sends env as one frame. Returns NET_OK, a NET_E_ENV_* code or a
 * net_conn_send error. */
int wire_send(net_conn *c, const Mpc__Wire__Envelope *env) NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1, 2);

/* Lowercase hex of len bytes into out (2 * len + 1 bytes). */
void wire_hex(char *out, const unsigned char *in, size_t len) NET_ARG_NONNULL(1);

/* Parses exactly 2 * len hex digits. Returns NET_OK or NET_E_ARG. */
int wire_unhex(unsigned char *out, size_t len, const char *hex) NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1, 3);

/* Milliseconds of CLOCK_REALTIME. */
uint64_t wire_now_ms(void);

#endif
