#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "enc_bytes.h"

#define USED_MAGIC "MPUS"
#define BAN_MAGIC "MPBN"
#define INST_MAGIC "MPIN"
#define POLICY_MAGIC "MPPL"
#define STATE_FORMAT_VERSION 1u
/* Used-session set of a key bound to a policy: the version-1 layout with the policy hash after the
 * key id. */
#define USED_BOUND_VERSION 2u
/* Fixed part before the be32 count of an id set: magic, version (and the key id for used sets). */
#define USED_PREFIX_BYTES (4u + 4u + 32u)
#define BAN_HEADER_BYTES (4u + 4u + 4u)
#define BAN_ENTRY_BYTES (32u + 4u + 32u)
#define INST_PREFIX_BYTES (4u + 4u)

/* A set of 32-byte ids (public data), kept sorted ascending without duplicates. */
typedef struct {
    int present; /* handed in by the parent (or created by this enclave) */
    unsigned char *ids;
    size_t count;
} id_set;

typedef struct {
    unsigned char key_id[32];
    mpc_keyshare *share;
    id_set used;
    int policy_bound;              /* created while a policy was installed: signs only under it */
    unsigned char policy_hash[32];
} state_key;

typedef struct {
    unsigned char key_id[32];
    uint32_t party;
    unsigned char identity_pk[32];
} state_ban;

struct enc_state {
    state_key keys[ENC_STATE_MAX_KEYS];
    size_t key_count;
    state_ban bans[ENC_STATE_MAX_BANS];
    size_t ban_count;
    id_set insts; /* accepted DKG/refresh instance ids */
    enc_policy *policy;          /* NULL: no policy (interim rule) */
    unsigned char *policy_plain; /* its canonical plaintext, sealed as given */
    size_t policy_plain_len;
};

int enc_state_create(enc_state **st) {
    if ((*st = calloc(1, sizeof(**st))) == NULL)
        return ENC_E_NOMEM;
    return ENC_OK;
}

void enc_state_destroy(enc_state *st) {
    size_t i;

    if (st == NULL)
        return;
    for (i = 0; i < st->key_count; i++) {
        mpc_keyshare_destroy(st->keys[i].share);
        free(st->keys[i].used.ids);
    }
    free(st->insts.ids);
    free(st->policy);
    free(st->policy_plain);
    sodium_memzero(st, sizeof(*st));
    free(st);
}

static int id_set_contains(const id_set *set, const unsigned char id[32]) {
    size_t i;

    for (i = 0; i < set->count; i++)
        if (memcmp(set->ids + 32u * i, id, 32) == 0)
            return 1;
    return 0;
}

/* Insert id (not yet in set) at its sorted position. Returns: ENC_OK, ENC_STATE_E_FULL, ENC_E_NOMEM. */
static int id_set_insert(id_set *set, size_t max, const unsigned char id[32]) {
    unsigned char *grown;
    size_t pos;

    if (set->count == max)
        return ENC_STATE_E_FULL;
    if ((grown = realloc(set->ids, 32u * (set->count + 1))) == NULL)
        return ENC_E_NOMEM;
    set->ids = grown;
    for (pos = 0; pos < set->count && memcmp(set->ids + 32u * pos, id, 32) < 0; pos++)
        ;
    memmove(set->ids + 32u * (pos + 1), set->ids + 32u * pos, 32u * (set->count - pos));
    memcpy(set->ids + 32u * pos, id, 32);
    set->count++;
    return ENC_OK;
}

/* Parse be32 count | count x id[32] (strictly ascending) filling exactly len bytes into set. */
static int id_set_parse(id_set *set, size_t max, const unsigned char *p, size_t len) {
    size_t count, i;

    if (len < 4)
        return ENC_STATE_E_FORMAT;
    count = enc_get_be32(p);
    if (count > max || len != 4u + 32u * count)
        return ENC_STATE_E_FORMAT;
    p += 4;
    for (i = 1; i < count; i++)
        if (memcmp(p + 32u * (i - 1), p + 32u * i, 32) >= 0)
            return ENC_STATE_E_FORMAT;
    if (count > 0) {
        if ((set->ids = malloc(32u * count)) == NULL)
            return ENC_E_NOMEM;
        memcpy(set->ids, p, 32u * count);
    }
    set->count = count;
    set->present = 1;
    return ENC_OK;
}

/* Seal prefix (header_len bytes, already filled) | be32 count | ids as kind/key_id. */
static int id_set_seal(const id_set *set, enc_seal_backend *b, unsigned char **blob, size_t *blob_len, uint16_t kind,
        const unsigned char *key_id, const unsigned char *header, size_t header_len) {
    size_t len = header_len + 4u + 32u * set->count;
    unsigned char *plain;
    int r;

    if ((plain = malloc(len)) == NULL)
        return ENC_E_NOMEM;
    memcpy(plain, header, header_len);
    enc_put_be32(plain + header_len, (uint32_t)set->count);
    if (set->count > 0)
        memcpy(plain + header_len + 4u, set->ids, 32u * set->count);
    r = enc_seal(b, blob, blob_len, kind, key_id, plain, len);
    free(plain);
    return r;
}

static state_key *state_find(const enc_state *st, const unsigned char key_id[32]) {
    size_t i;

    for (i = 0; i < st->key_count; i++)
        if (memcmp(st->keys[i].key_id, key_id, 32) == 0)
            return (state_key *)&st->keys[i];
    return NULL;
}

const mpc_keyshare *enc_state_key(const enc_state *st, const unsigned char key_id[32]) {
    const state_key *k = state_find(st, key_id);

    return k != NULL ? k->share : NULL;
}

static int state_install_share(enc_state *st, const mpc_context *ctx, mpc_keyshare **share, int has_used) {
    mpc_keyshare_info info;
    state_key *k;

    mpc_keyshare_get_info(ctx, &info, *share);
    if (state_find(st, info.sid) != NULL)
        return ENC_STATE_E_DUPLICATE;
    if (st->key_count == ENC_STATE_MAX_KEYS)
        return ENC_STATE_E_FULL;
    k = &st->keys[st->key_count++];
    memset(k, 0, sizeof(*k));
    memcpy(k->key_id, info.sid, 32);
    k->share = *share;
    k->used.present = has_used;
    /* A new key (not a loaded one, whose binding comes with its used set) binds to the policy. */
    if (has_used && st->policy != NULL) {
        k->policy_bound = 1;
        memcpy(k->policy_hash, st->policy->hash, 32);
    }
    *share = NULL;
    return ENC_OK;
}

int enc_state_add_key(enc_state *st, const mpc_context *ctx, mpc_keyshare **share) {
    return state_install_share(st, ctx, share, 1);
}

int enc_state_replace_key(enc_state *st, size_t *bans_moved, const mpc_context *ctx,
        const unsigned char old_key_id[32], mpc_keyshare **share) {
    state_key *old = state_find(st, old_key_id);
    mpc_keyshare_info info;
    size_t i, n = st->ban_count, moved = 0;
    unsigned char bound_hash[32] = {0};
    int bound = 0;

    if (old == NULL)
        return ENC_STATE_E_UNKNOWN_KEY;
    mpc_keyshare_get_info(ctx, &info, *share);
    if (state_find(st, info.sid) != NULL)
        return ENC_STATE_E_DUPLICATE;
    /* The successor keeps the old key's binding, so a refresh never sheds a policy. */
    if (old->policy_bound) {
        bound = 1;
        memcpy(bound_hash, old->policy_hash, 32);
    } else if (st->policy != NULL) {
        bound = 1;
        memcpy(bound_hash, st->policy->hash, 32);
    }
    for (i = 0; i < n; i++)
        moved += memcmp(st->bans[i].key_id, old_key_id, 32) == 0;
    if (st->ban_count + moved > ENC_STATE_MAX_BANS)
        return ENC_STATE_E_FULL;
    for (i = 0; i < n; i++) {
        if (memcmp(st->bans[i].key_id, old_key_id, 32) != 0)
            continue;
        st->bans[st->ban_count] = st->bans[i];
        memcpy(st->bans[st->ban_count].key_id, info.sid, 32);
        st->ban_count++;
    }
    mpc_keyshare_destroy(old->share);
    free(old->used.ids);
    memset(old, 0, sizeof(*old));
    memcpy(old->key_id, info.sid, 32);
    old->share = *share;
    old->used.present = 1;
    old->policy_bound = bound;
    memcpy(old->policy_hash, bound_hash, 32);
    *share = NULL;
    *bans_moved = moved;
    return ENC_OK;
}

static int state_load_share(enc_state *st, const mpc_context *ctx, const unsigned char *key_id,
        const unsigned char *plain, size_t plain_len) {
    mpc_keyshare *share = NULL;
    mpc_keyshare_info info;
    int r;

    if ((r = mpc_keyshare_parse(ctx, &share, plain, plain_len)) != MPC_OK)
        goto out;
    mpc_keyshare_get_info(ctx, &info, share);
    /* The sealed header's key id was checked by enc_unseal; the share must agree with it. */
    if (memcmp(info.sid, key_id, 32) != 0) {
        r = ENC_STATE_E_FORMAT;
        goto out;
    }
    r = state_install_share(st, ctx, &share, 0);
out:
    mpc_keyshare_destroy(share);
    return r;
}

static int state_load_used(enc_state *st, const unsigned char *key_id, const unsigned char *p, size_t len) {
    state_key *k = state_find(st, key_id);

    if (k == NULL)
        return ENC_STATE_E_UNKNOWN_KEY;
    if (k->used.present)
        return ENC_STATE_E_DUPLICATE;
    uint32_t version;
    int r;

    if (len < USED_PREFIX_BYTES || memcmp(p, USED_MAGIC, 4) != 0 || memcmp(p + 8, key_id, 32) != 0)
        return ENC_STATE_E_FORMAT;
    version = enc_get_be32(p + 4);
    if (version == STATE_FORMAT_VERSION)
        return id_set_parse(&k->used, ENC_STATE_MAX_USED, p + USED_PREFIX_BYTES, len - USED_PREFIX_BYTES);
    if (version != USED_BOUND_VERSION || len < USED_PREFIX_BYTES + 32u)
        return ENC_STATE_E_FORMAT;
    if ((r = id_set_parse(&k->used, ENC_STATE_MAX_USED, p + USED_PREFIX_BYTES + 32u,
                 len - USED_PREFIX_BYTES - 32u)) != ENC_OK)
        return r;
    k->policy_bound = 1;
    memcpy(k->policy_hash, p + USED_PREFIX_BYTES, 32);
    return ENC_OK;
}

static int state_load_insts(enc_state *st, const unsigned char *p, size_t len) {
    if (st->insts.present)
        return ENC_STATE_E_DUPLICATE;
    if (len < INST_PREFIX_BYTES || memcmp(p, INST_MAGIC, 4) != 0 || enc_get_be32(p + 4) != STATE_FORMAT_VERSION)
        return ENC_STATE_E_FORMAT;
    return id_set_parse(&st->insts, ENC_STATE_MAX_INSTS, p + INST_PREFIX_BYTES, len - INST_PREFIX_BYTES);
}

static int state_load_bans(enc_state *st, const unsigned char *p, size_t len) {
    size_t count, i;

    if (st->ban_count != 0)
        return ENC_STATE_E_DUPLICATE;
    if (len < BAN_HEADER_BYTES || memcmp(p, BAN_MAGIC, 4) != 0 || enc_get_be32(p + 4) != STATE_FORMAT_VERSION)
        return ENC_STATE_E_FORMAT;
    count = enc_get_be32(p + 8);
    if (count > ENC_STATE_MAX_BANS || len != BAN_HEADER_BYTES + BAN_ENTRY_BYTES * count)
        return ENC_STATE_E_FORMAT;
    p += BAN_HEADER_BYTES;
    for (i = 0; i < count; i++, p += BAN_ENTRY_BYTES) {
        memcpy(st->bans[i].key_id, p, 32);
        st->bans[i].party = enc_get_be32(p + 32);
        memcpy(st->bans[i].identity_pk, p + 36, 32);
    }
    st->ban_count = count;
    return ENC_OK;
}

/* Read a be32 length and that many bytes; *p and *left advance. Returns 0 when the input is short. */
static int policy_take(const unsigned char **field, size_t *field_len, const unsigned char **p, size_t *left,
        size_t max) {
    size_t len;

    if (*left < 4)
        return 0;
    len = enc_get_be32(*p);
    if (len > max || *left - 4 < len)
        return 0;
    *field = *p + 4;
    *field_len = len;
    *p += 4 + len;
    *left -= 4 + len;
    return 1;
}

static int policy_symbol_valid(const unsigned char *s, size_t len) {
    size_t i;

    if (len >= PAYLOAD_ASSET_SYMBOL_MAX)
        return 0;
    for (i = 0; i < len; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
                    s[i] == '.' || s[i] == '_' || s[i] == '-'))
            return 0;
    return 1;
}

#define POLICY_FAIL(...)                                                                                     \
    do {                                                                                                     \
        snprintf(why, why_size, __VA_ARGS__);                                                                \
        r = ENC_STATE_E_POLICY;                                                                              \
        goto out;                                                                                            \
    } while (0)

/* Parse a policy plaintext strictly into a new enc_policy. */
static int policy_parse(enc_policy **out, char *why, size_t why_size, const unsigned char *plain, size_t len) {
    enc_policy *pol = NULL;
    const unsigned char *p = plain, *sym, *appr, *reg;
    size_t left = len, sym_len, appr_len, reg_len, i;
    uint32_t net;
    policy_err perr;
    payload_err yerr;
    int r;

    if ((pol = calloc(1, sizeof(*pol))) == NULL)
        return ENC_E_NOMEM;
    if (left < 4 + 4 + 8 + 4 + 4 || memcmp(p, POLICY_MAGIC, 4) != 0 || enc_get_be32(p + 4) != STATE_FORMAT_VERSION)
        POLICY_FAIL("policy: not a version-%u policy", STATE_FORMAT_VERSION);
    pol->chain_id = enc_get_be64(p + 8);
    net = enc_get_be32(p + 16);
    pol->n_multisend = enc_get_be32(p + 20);
    p += 24;
    left -= 24;
    if (pol->chain_id < 1 || pol->chain_id > ENC_POLICY_MAX_CHAIN_ID)
        POLICY_FAIL("policy: chain id must be 1..2^62");
    if (net < 1 || net > 4)
        POLICY_FAIL("policy: Bitcoin network must be 1 (main), 2 (testnet), 3 (signet) or 4 (regtest)");
    pol->btc_network = (payload_btc_network)(net - 1);
    if (pol->n_multisend > ENC_POLICY_MAX_MULTISEND || left < 20u * pol->n_multisend)
        POLICY_FAIL("policy: at most %u MultiSendCallOnly addresses", ENC_POLICY_MAX_MULTISEND);
    for (i = 0; i < pol->n_multisend; i++) {
        if (i > 0 && memcmp(p - 20, p, 20) >= 0)
            POLICY_FAIL("policy: MultiSendCallOnly address listed twice");
        pol->multisend[i].chain_id = pol->chain_id;
        memcpy(pol->multisend[i].address, p, 20);
        p += 20;
        left -= 20;
    }
    if (!policy_take(&sym, &sym_len, &p, &left, PAYLOAD_ASSET_SYMBOL_MAX - 1) || !policy_symbol_valid(sym, sym_len))
        POLICY_FAIL("policy: native symbol must be 0..15 characters of [A-Za-z0-9._-]");
    memcpy(pol->native_symbol, sym_len > 0 ? (const char *)sym : "ETH", sym_len > 0 ? sym_len : 3);
    if (!policy_take(&appr, &appr_len, &p, &left, ENC_POLICY_MAX_TEXT))
        POLICY_FAIL("policy: approvers file missing or above %u bytes", ENC_POLICY_MAX_TEXT);
    if (policy_approver_set_parse(&perr, &pol->approvers, (const char *)appr, appr_len) != POLICY_OK)
        POLICY_FAIL("policy: approvers file: %s", perr.msg);
    if (!policy_take(&reg, &reg_len, &p, &left, ENC_POLICY_MAX_TEXT) || left != 0)
        POLICY_FAIL("policy: asset registry missing or above %u bytes, or trailing bytes", ENC_POLICY_MAX_TEXT);
    if (reg_len > 0 && payload_summary_registry_parse(&yerr, pol->assets, ENC_POLICY_MAX_ASSETS,
                               &pol->registry.n_assets, (const char *)reg, reg_len) != PAYLOAD_OK)
        POLICY_FAIL("policy: asset registry: %s", yerr.msg);
    pol->registry.assets = pol->assets;
    crypto_generichash(pol->hash, 32, plain, len, NULL, 0);
    *out = pol;
    pol = NULL;
    r = ENC_OK;
out:
    free(pol);
    return r;
}

static int policy_addr_cmp(const void *a, const void *b) {
    return memcmp(a, b, 20);
}

/* be32 len | text (text may be NULL when len is 0). */
static unsigned char *policy_put(unsigned char *p, const char *text, size_t len) {
    enc_put_be32(p, (uint32_t)len);
    if (len > 0)
        memcpy(p + 4, text, len);
    return p + 4 + len;
}

/* The canonical plaintext of a policy given as input (addresses sorted). */
static int policy_encode(unsigned char **plain, size_t *plain_len, char *why, size_t why_size,
        const enc_policy_input *in) {
    size_t len, i;
    unsigned char *buf = NULL, *p, (*addrs)[20];

    if (in->n_multisend > ENC_POLICY_MAX_MULTISEND || in->approvers_len > ENC_POLICY_MAX_TEXT ||
            in->registry_len > ENC_POLICY_MAX_TEXT || in->native_symbol_len >= PAYLOAD_ASSET_SYMBOL_MAX) {
        snprintf(why, why_size, "policy: a field is above its limit");
        return ENC_STATE_E_POLICY;
    }
    len = 24u + 20u * in->n_multisend + 12u + in->native_symbol_len + in->approvers_len + in->registry_len;
    if ((buf = malloc(len)) == NULL)
        return ENC_E_NOMEM;
    memcpy(buf, POLICY_MAGIC, 4);
    enc_put_be32(buf + 4, STATE_FORMAT_VERSION);
    enc_put_be64(buf + 8, in->chain_id);
    enc_put_be32(buf + 16, in->btc_network);
    enc_put_be32(buf + 20, (uint32_t)in->n_multisend);
    p = buf + 24;
    addrs = (unsigned char(*)[20])p;
    for (i = 0; i < in->n_multisend; i++)
        memcpy(addrs[i], in->multisend[i], 20);
    if (in->n_multisend > 1)
        qsort(addrs, in->n_multisend, 20, policy_addr_cmp);
    p += 20u * in->n_multisend;
    p = policy_put(p, in->native_symbol, in->native_symbol_len);
    p = policy_put(p, in->approvers, in->approvers_len);
    policy_put(p, in->registry, in->registry_len);
    *plain = buf;
    *plain_len = len;
    return ENC_OK;
}

/* Install a policy plaintext (parsed first); the state keeps a copy to seal. */
static int policy_install(enc_state *st, char *why, size_t why_size, const unsigned char *plain, size_t len) {
    enc_policy *pol = NULL;
    unsigned char *copy;
    int r;

    if (st->policy != NULL) {
        snprintf(why, why_size, "policy: a policy is already installed");
        return ENC_STATE_E_DUPLICATE;
    }
    if ((r = policy_parse(&pol, why, why_size, plain, len)) != ENC_OK)
        return r;
    if ((copy = malloc(len)) == NULL) {
        free(pol);
        return ENC_E_NOMEM;
    }
    memcpy(copy, plain, len);
    st->policy = pol;
    st->policy_plain = copy;
    st->policy_plain_len = len;
    return ENC_OK;
}

int enc_state_policy_set(enc_state *st, char *why, size_t why_size, const enc_policy_input *in) {
    unsigned char *plain = NULL;
    size_t len = 0;
    int r;

    why[0] = '\0';
    if ((r = policy_encode(&plain, &len, why, why_size, in)) == ENC_OK)
        r = policy_install(st, why, why_size, plain, len);
    free(plain);
    return r;
}

const enc_policy *enc_state_policy(const enc_state *st) {
    return st->policy;
}

const unsigned char *enc_state_key_policy(const enc_state *st, const unsigned char key_id[32]) {
    const state_key *k = state_find(st, key_id);

    return k != NULL && k->policy_bound ? k->policy_hash : NULL;
}

int enc_state_seal_policy(const enc_state *st, enc_seal_backend *b, unsigned char **blob, size_t *blob_len) {
    if (st->policy == NULL)
        return ENC_E_ARG;
    return enc_seal(b, blob, blob_len, ENC_STATE_KIND_POLICY, NULL, st->policy_plain, st->policy_plain_len);
}

int enc_state_load(enc_state *st, const mpc_context *ctx, enc_seal_backend *b, uint16_t kind,
        const unsigned char *key_id, const unsigned char *blob, size_t blob_len) {
    unsigned char *plain = NULL;
    size_t plain_len = 0;
    int r;

    if ((r = enc_unseal(b, &plain, &plain_len, blob, blob_len, kind, key_id)) != ENC_OK)
        return r;
    switch (kind) {
    case ENC_SEAL_KIND_KEY_SHARE: r = state_load_share(st, ctx, key_id, plain, plain_len); break;
    case ENC_SEAL_KIND_USED_SESSIONS: r = state_load_used(st, key_id, plain, plain_len); break;
    case ENC_SEAL_KIND_BAN_LIST: r = state_load_bans(st, plain, plain_len); break;
    case ENC_SEAL_KIND_COUNTERS: r = state_load_insts(st, plain, plain_len); break;
    case ENC_STATE_KIND_POLICY: {
        char why[POLICY_ERR_MAX + 64];

        /* The enclave sealed this itself: a plaintext that no longer parses is corrupt state. */
        r = policy_install(st, why, sizeof(why), plain, plain_len);
        r = r == ENC_STATE_E_POLICY ? ENC_STATE_E_FORMAT : r;
        break;
    }
    default: r = ENC_E_ARG; break;
    }
    enc_seal_plain_free(plain);
    return r;
}

int enc_state_sigid_used(const enc_state *st, const unsigned char key_id[32], const unsigned char sigid[32]) {
    const state_key *k = state_find(st, key_id);

    if (k == NULL)
        return ENC_STATE_E_UNKNOWN_KEY;
    if (!k->used.present)
        return ENC_STATE_E_NO_USED_SET;
    return id_set_contains(&k->used, sigid);
}

int enc_state_sigid_add(enc_state *st, const unsigned char key_id[32], const unsigned char sigid[32]) {
    int r;

    if ((r = enc_state_sigid_used(st, key_id, sigid)) < 0)
        return r;
    if (r == 1)
        return ENC_STATE_E_DUPLICATE;
    return id_set_insert(&state_find(st, key_id)->used, ENC_STATE_MAX_USED, sigid);
}

void enc_state_insts_create(enc_state *st) {
    if (!st->insts.present) {
        st->insts.present = 1;
        st->insts.count = 0;
    }
}

int enc_state_inst_used(const enc_state *st, const unsigned char inst[32]) {
    if (!st->insts.present)
        return ENC_STATE_E_NO_INST_SET;
    return id_set_contains(&st->insts, inst);
}

int enc_state_inst_add(enc_state *st, const unsigned char inst[32]) {
    int r;

    if ((r = enc_state_inst_used(st, inst)) < 0)
        return r;
    if (r == 1)
        return ENC_STATE_E_DUPLICATE;
    return id_set_insert(&st->insts, ENC_STATE_MAX_INSTS, inst);
}

int enc_state_seal_key(const enc_state *st, const mpc_context *ctx, enc_seal_backend *b,
        unsigned char **blob, size_t *blob_len, const unsigned char key_id[32]) {
    const state_key *k = state_find(st, key_id);
    unsigned char *plain = NULL;
    size_t len;
    int r;

    if (k == NULL)
        return ENC_STATE_E_UNKNOWN_KEY;
    len = mpc_keyshare_serialized_len(k->share);
    if ((plain = sodium_malloc(len)) == NULL)
        return ENC_E_NOMEM;
    if ((r = mpc_keyshare_serialize(ctx, plain, len, k->share)) != MPC_OK)
        goto out;
    r = enc_seal(b, blob, blob_len, ENC_SEAL_KIND_KEY_SHARE, key_id, plain, len);
out:
    sodium_free(plain);
    return r;
}

int enc_state_seal_used(const enc_state *st, enc_seal_backend *b, unsigned char **blob, size_t *blob_len,
        const unsigned char key_id[32]) {
    const state_key *k = state_find(st, key_id);
    unsigned char header[USED_PREFIX_BYTES + 32u];

    if (k == NULL)
        return ENC_STATE_E_UNKNOWN_KEY;
    if (!k->used.present)
        return ENC_STATE_E_NO_USED_SET;
    memcpy(header, USED_MAGIC, 4);
    enc_put_be32(header + 4, k->policy_bound ? USED_BOUND_VERSION : STATE_FORMAT_VERSION);
    memcpy(header + 8, key_id, 32);
    memcpy(header + USED_PREFIX_BYTES, k->policy_hash, 32);
    return id_set_seal(&k->used, b, blob, blob_len, ENC_SEAL_KIND_USED_SESSIONS, key_id, header,
            k->policy_bound ? sizeof(header) : USED_PREFIX_BYTES);
}

int enc_state_seal_insts(const enc_state *st, enc_seal_backend *b, unsigned char **blob, size_t *blob_len) {
    unsigned char header[INST_PREFIX_BYTES];

    if (!st->insts.present)
        return ENC_STATE_E_NO_INST_SET;
    memcpy(header, INST_MAGIC, 4);
    enc_put_be32(header + 4, STATE_FORMAT_VERSION);
    return id_set_seal(&st->insts, b, blob, blob_len, ENC_SEAL_KIND_COUNTERS, NULL, header, sizeof(header));
}

int enc_state_seal_bans(const enc_state *st, enc_seal_backend *b, unsigned char **blob, size_t *blob_len) {
    unsigned char plain[BAN_HEADER_BYTES + BAN_ENTRY_BYTES * ENC_STATE_MAX_BANS];
    unsigned char *p = plain + BAN_HEADER_BYTES;
    size_t i;

    memcpy(plain, BAN_MAGIC, 4);
    enc_put_be32(plain + 4, STATE_FORMAT_VERSION);
    enc_put_be32(plain + 8, (uint32_t)st->ban_count);
    for (i = 0; i < st->ban_count; i++, p += BAN_ENTRY_BYTES) {
        memcpy(p, st->bans[i].key_id, 32);
        enc_put_be32(p + 32, st->bans[i].party);
        memcpy(p + 36, st->bans[i].identity_pk, 32);
    }
    return enc_seal(b, blob, blob_len, ENC_SEAL_KIND_BAN_LIST, NULL, plain, (size_t)(p - plain));
}

int enc_state_ban(enc_state *st, const unsigned char key_id[32], uint32_t party, const unsigned char identity_pk[32]) {
    state_ban *e;
    size_t i;

    for (i = 0; i < st->ban_count; i++)
        if (memcmp(st->bans[i].key_id, key_id, 32) == 0 && st->bans[i].party == party &&
                memcmp(st->bans[i].identity_pk, identity_pk, 32) == 0)
            return ENC_OK;
    if (st->ban_count == ENC_STATE_MAX_BANS)
        return ENC_STATE_E_FULL;
    e = &st->bans[st->ban_count++];
    memcpy(e->key_id, key_id, 32);
    e->party = party;
    memcpy(e->identity_pk, identity_pk, 32);
    return ENC_OK;
}

int enc_state_is_banned(const enc_state *st, const unsigned char key_id[32], uint32_t party,
        const unsigned char identity_pk[32]) {
    size_t i;

    for (i = 0; i < st->ban_count; i++) {
        if (identity_pk != NULL && memcmp(st->bans[i].identity_pk, identity_pk, 32) == 0)
            return 1;
        if (key_id != NULL && memcmp(st->bans[i].key_id, key_id, 32) == 0 && st->bans[i].party == party)
            return 1;
    }
    return 0;
}
