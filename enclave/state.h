/*
 * The enclave's persistent state, held in memory and leaving only as sealed blobs the parent
 * stores: key shares by key id (ENC_SEAL_KIND_KEY_SHARE), the used signing-session set of each key
 * (ENC_SEAL_KIND_USED_SESSIONS), the ban list (ENC_SEAL_KIND_BAN_LIST) and the set of accepted
 * DKG/refresh instance ids (PROTOCOL.md 1.3; singleton kind ENC_SEAL_KIND_COUNTERS, the enclave's
 * replay state).
 *
 * Plaintext layouts (version 1, integers big-endian, length exact):
 *   key share:     mpc_keyshare_serialize output (libmpc's "MPCK" layout); key id = its sid
 *   used sessions: "MPUS" | be32 version | key id[32] | be32 count | count x sigid[32], sorted
 *                  ascending with no duplicates; version 2 (a key created or refreshed while a
 *                  policy was installed, or refreshed from such a key) has the policy's hash[32]
 *                  after the key id: that key signs only under that policy, so a parent that
 *                  withholds or swaps the policy blob gets denials, not the interim rule
 *   ban list:      "MPBN" | be32 version | be32 count | count x (key id[32] | be32 party index |
 *                  identity public key[32])
 *   instance ids:  "MPIN" | be32 version | be32 count | count x inst[32], sorted ascending with no
 *                  duplicates
 *   policy:        "MPPL" | be32 version | be64 chain id | be32 Bitcoin network (1..4) |
 *                  be32 count | count x MultiSendCallOnly address[20] (sorted ascending, no
 *                  duplicates) | be32 len | native symbol | be32 len | approvers file text |
 *                  be32 len | asset registry text   (singleton kind ENC_STATE_KIND_POLICY)
 *
 * The policy is given once, at INIT, checked by the same parser that later opens its sealed blob,
 * and never replaced: a second policy blob is ENC_STATE_E_DUPLICATE.
 *
 * A key can sign only once its used-session set is present (loaded, or created empty at keygen
 * commit): a parent that withholds the set gets a refusal, not a fresh empty set. Likewise a DKG or
 * refresh starts only once the instance-id set is present: created empty on the first START after
 * INIT (and sealed to the parent then), loaded on every later start. When either set is full the
 * enclave refuses new sessions rather than forget old ids (ENC_STATE_E_FULL): a key whose used set
 * is full must be refreshed (new key id, new empty set); a full instance-id set needs a new
 * enclave identity.
 */
#ifndef ENC_STATE_H
#define ENC_STATE_H

#include <stddef.h>
#include <stdint.h>

#include <mpc/protocol.h>

#include "approval.h"
#include "enc_error.h"
#include "payload/summary.h"
#include "seal/seal.h"

/* Sealed-blob kind of the policy (singleton). */
#define ENC_STATE_KIND_POLICY ENC_SEAL_KIND_POLICY
#define ENC_POLICY_MAX_ASSETS 256u
#define ENC_POLICY_MAX_MULTISEND 16u
#define ENC_POLICY_MAX_TEXT POLICY_APPROVERS_FILE_MAX /* approvers file, asset registry */
#define ENC_POLICY_MAX_CHAIN_ID (1ull << 62)

/* The enclave's signing policy, parsed (public data). */
typedef struct {
    policy_approver_set approvers;
    uint64_t chain_id;
    char native_symbol[PAYLOAD_ASSET_SYMBOL_MAX];
    payload_btc_network btc_network;
    payload_asset assets[ENC_POLICY_MAX_ASSETS];
    payload_asset_registry registry; /* points into assets */
    payload_safe_target multisend[ENC_POLICY_MAX_MULTISEND];
    size_t n_multisend;
    unsigned char hash[32];          /* BLAKE2b-256 of the canonical plaintext (audit, display) */
} enc_policy;

/* The policy as the parent hands it in at INIT (texts are not NUL-terminated). */
typedef struct {
    const char *approvers;
    size_t approvers_len;
    uint64_t chain_id;
    const char *native_symbol;
    size_t native_symbol_len;
    const char *registry;
    size_t registry_len;
    const unsigned char (*multisend)[20];
    size_t n_multisend;
    uint32_t btc_network;            /* 1 main, 2 testnet, 3 signet, 4 regtest */
} enc_policy_input;

#define ENC_STATE_MAX_KEYS 16u
#define ENC_STATE_MAX_USED 65536u
#define ENC_STATE_MAX_BANS 256u
#define ENC_STATE_MAX_INSTS 4096u

enum {
    ENC_STATE_E_FORMAT = -600,    /* unsealed plaintext malformed (layout, order, length) */
    ENC_STATE_E_UNKNOWN_KEY = -601, /* no key share loaded under this key id */
    ENC_STATE_E_FULL = -602,      /* a table limit was reached */
    ENC_STATE_E_DUPLICATE = -603, /* the key or blob is already loaded */
    ENC_STATE_E_NO_USED_SET = -604, /* the key's used-session set was never handed in */
    ENC_STATE_E_NO_INST_SET = -605, /* the instance-id set was never handed in */
    ENC_STATE_E_POLICY = -606       /* the policy is invalid (the reason is given as text) */
};

typedef struct enc_state enc_state;

/** Returns: ENC_OK or ENC_E_NOMEM.  Out: st (empty). */
int enc_state_create(enc_state **st);

/* Wipe and free, key shares included (NULL allowed). */
void enc_state_destroy(enc_state *st);

/** Unseal and install a blob of kind KEY_SHARE, USED_SESSIONS, BAN_LIST, COUNTERS (instance ids)
 *  or ENC_STATE_KIND_POLICY.
 *  Returns: ENC_OK, an enc_unseal error, an MPC_E_* from mpc_keyshare_parse, ENC_STATE_E_*.
 *  In: ctx (libmpc), b, kind, key_id (32 bytes for keyed kinds, else NULL), blob, blob_len. */
int enc_state_load(enc_state *st, const mpc_context *ctx, enc_seal_backend *b, uint16_t kind,
        const unsigned char *key_id, const unsigned char *blob, size_t blob_len) ENC_WARN_UNUSED_RESULT;

/** Check the policy given at INIT and install it (the state must hold none yet).
 *  Returns: ENC_OK, ENC_STATE_E_POLICY (why names the rule), ENC_STATE_E_DUPLICATE, ENC_E_NOMEM.
 *  Out: why (NUL-terminated, why_size bytes). */
int enc_state_policy_set(enc_state *st, char *why, size_t why_size, const enc_policy_input *in)
        ENC_WARN_UNUSED_RESULT;

/* The installed policy, or NULL (no policy: the interim rule applies, see session.h). */
const enc_policy *enc_state_policy(const enc_state *st);

/* The hash of the policy key_id is bound to (see the used-session layout), or NULL if unbound or
 * unknown. */
const unsigned char *enc_state_key_policy(const enc_state *st, const unsigned char key_id[32]);

/** Seal the installed policy.  Returns: ENC_OK, ENC_E_ARG (none installed), a seal error.
 *  Out: blob (free()), blob_len. */
int enc_state_seal_policy(const enc_state *st, enc_seal_backend *b, unsigned char **blob, size_t *blob_len)
        ENC_WARN_UNUSED_RESULT;

/** Take ownership of a new key share (after keygen commit) with an empty used-session set.
 *  Returns: ENC_OK, ENC_STATE_E_{DUPLICATE,FULL}, ENC_E_NOMEM. On error *share is untouched. */
int enc_state_add_key(enc_state *st, const mpc_context *ctx, mpc_keyshare **share) ENC_WARN_UNUSED_RESULT;

/** After a refresh commit: drop the share old_key_id (wiped) and take ownership of its successor
 *  with an empty used-session set; bans recorded under the old key id are copied to the new one.
 *  Returns: ENC_OK, ENC_STATE_E_{UNKNOWN_KEY,DUPLICATE,FULL}. On error nothing changes.
 *  Out: bans_moved (number of ban entries copied). */
int enc_state_replace_key(enc_state *st, size_t *bans_moved, const mpc_context *ctx,
        const unsigned char old_key_id[32], mpc_keyshare **share) ENC_WARN_UNUSED_RESULT;

/* The share for key_id, or NULL. */
const mpc_keyshare *enc_state_key(const enc_state *st, const unsigned char key_id[32]);

/** Whether sigid is in the key's used set: 1 used, 0 unused, or ENC_STATE_E_{UNKNOWN_KEY,NO_USED_SET}. */
int enc_state_sigid_used(const enc_state *st, const unsigned char key_id[32], const unsigned char sigid[32]);

/** Add sigid to the key's used set (must not be in it).
 *  Returns: ENC_OK, ENC_STATE_E_{UNKNOWN_KEY,NO_USED_SET,DUPLICATE,FULL}, ENC_E_NOMEM. */
int enc_state_sigid_add(enc_state *st, const unsigned char key_id[32], const unsigned char sigid[32])
        ENC_WARN_UNUSED_RESULT;

/* Create the empty instance-id set of a new enclave identity (no-op if one is present). */
void enc_state_insts_create(enc_state *st);

/** Whether inst was accepted before: 1 yes, 0 no, or ENC_STATE_E_NO_INST_SET. */
int enc_state_inst_used(const enc_state *st, const unsigned char inst[32]);

/** Add inst to the accepted set (must not be in it).
 *  Returns: ENC_OK, ENC_STATE_E_{NO_INST_SET,DUPLICATE,FULL}, ENC_E_NOMEM. */
int enc_state_inst_add(enc_state *st, const unsigned char inst[32]) ENC_WARN_UNUSED_RESULT;

/** Seal the key's share / used set / the ban list / the instance-id set.
 *  Out: blob (free()), blob_len. */
int enc_state_seal_key(const enc_state *st, const mpc_context *ctx, enc_seal_backend *b,
        unsigned char **blob, size_t *blob_len, const unsigned char key_id[32]) ENC_WARN_UNUSED_RESULT;
int enc_state_seal_used(const enc_state *st, enc_seal_backend *b, unsigned char **blob, size_t *blob_len,
        const unsigned char key_id[32]) ENC_WARN_UNUSED_RESULT;
int enc_state_seal_bans(const enc_state *st, enc_seal_backend *b, unsigned char **blob, size_t *blob_len)
        ENC_WARN_UNUSED_RESULT;
int enc_state_seal_insts(const enc_state *st, enc_seal_backend *b, unsigned char **blob, size_t *blob_len)
        ENC_WARN_UNUSED_RESULT;

/** Record a ban of (key_id, party, identity_pk); a repeated ban is not an error.
 *  Returns: ENC_OK or ENC_STATE_E_FULL. */
int enc_state_ban(enc_state *st, const unsigned char key_id[32], uint32_t party,
        const unsigned char identity_pk[32]) ENC_WARN_UNUSED_RESULT;

/* 1 if party is banned for key_id, or identity_pk is banned under any key; else 0. key_id and
 * identity_pk may each be NULL (that test is skipped). */
int enc_state_is_banned(const enc_state *st, const unsigned char key_id[32], uint32_t party,
        const unsigned char identity_pk[32]);

#endif
