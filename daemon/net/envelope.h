/*
 * The Envelope (proto/wire.proto): one per frame. Both directions go through the same strict
 * check, so we never send what we would refuse to receive:
 *   - the encoding is at most max_len bytes, decodes as an Envelope, carries no unknown fields
 *     (in the envelope or its body) and is canonical: re-encoding it gives the same bytes, which
 *     rules out duplicate fields, non-minimal varints, fields out of order and trailing data;
 *   - version == NET_ENV_VERSION;
 *   - type is known, a body is present, and it is the body that type names;
 *   - body fields are in range: roles known, ids as in net_id_valid, strings printable ASCII of
 *     bounded length.
 */
#ifndef MPC_NET_ENVELOPE_H
#define MPC_NET_ENVELOPE_H

#include <stddef.h>

#include "net.h"
#include "wire.pb-c.h"

#define NET_ENV_VERSION 1u
/* Longest Hello.software_version and Error.message, in bytes. */
#define NET_ENV_VERSION_STR_MAX 64u
#define NET_ENV_ERROR_MSG_MAX 256u

/* Checks env as described above (without encoding it). Returns NET_OK or a NET_E_ENV_* code. */
int net_env_check(const Mpc__Wire__Envelope *env) NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1);

/* Checks and encodes env into a new malloc'd buffer (*out, *out_len), at most max_len bytes.
 * Returns NET_OK, a NET_E_ENV_* code, or NET_E_NOMEM. */
int net_env_pack(unsigned char **out, size_t *out_len, const Mpc__Wire__Envelope *env, size_t max_len)
        NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1, 2, 3);

/* Decodes and checks len bytes. On NET_OK *out must be released with net_env_free; on error *out
 * is NULL and a debug log line says what was wrong. */
int net_env_unpack(Mpc__Wire__Envelope **out, const unsigned char *buf, size_t len, size_t max_len)
        NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1, 2);

/* The same decoding and canonical re-encoding check, with another body check than net_env_check
 * (the daemons' message layer checks every body type it knows). */
typedef int (*net_env_check_fn)(const Mpc__Wire__Envelope *env);
int net_env_unpack_checked(Mpc__Wire__Envelope **out, const unsigned char *buf, size_t len, size_t max_len,
                           net_env_check_fn check) NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1, 2, 5);

void net_env_free(Mpc__Wire__Envelope *env);

#endif
