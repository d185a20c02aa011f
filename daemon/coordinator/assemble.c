/* Output assembly by the coordinator: see assemble.h. */
#include "assemble.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "payload/eip191.h"
#include "payload/eip712.h"
#include "payload/eth_tx.h"
#include "payload/psbt.h"
#include "payload/safe_tx.h"
#include "payload/summary.h"

/* Largest extracted transaction per input beyond the unsigned transaction: a final scriptSig or
 * witness is at most push(73-byte signature) push(33-byte key) plus a P2SH-P2WPKH redeem script,
 * with the segwit marker, flag and per-input witness count covered by the slack. */
#define FINAL_BYTES_PER_INPUT 256u
/* A partial signature record adds at most 1 + 34 (key) + 1 + 73 (DER signature || sighash). */
#define PARTIAL_SIG_RECORD_MAX 128u

/* The decoders' state is far too large for the stack (a parsed PSBT is a few hundred KiB). */
typedef struct {
    union {
        payload_eth_tx eth;
        struct {
            payload_eip712_doc doc;
            payload_json_tok toks[PAYLOAD_EIP712_MAX_TOKENS];
            payload_safe_tx safe;
            uint8_t safe_data[PAYLOAD_SAFE_MAX_DATA];
        } typed;
        struct {
            payload_btc_psbt psbt;
            payload_btc_psbt final; /* the signed PSBT re-parsed, to finalize without touching psbt */
            payload_btc_psbt_summary info;
        } btc;
    } u;
} assemble_work;

static int fail(char *err, size_t errlen, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
    va_list ap;

    if (err != NULL && errlen > 0) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* The signature must be the canonical one the coordinator checked: r, s in range, s low, and
 * (sig, recid) must recover exactly pubkey33 from digest32. */
static int check_signature(char *err, size_t errlen, const unsigned char sig64[64], int recid,
                           const unsigned char pubkey33[33], const unsigned char digest32[32])
{
    secp256k1_ecdsa_recoverable_signature rsig;
    secp256k1_ecdsa_signature sig;
    secp256k1_pubkey pk;
    unsigned char got[33];
    size_t got_len = sizeof(got);

    if (!secp256k1_ecdsa_signature_parse_compact(secp256k1_context_static, &sig, sig64)) {
        return fail(err, errlen, ASSEMBLE_E_MISMATCH, "assemble: signature r or s is not below the group order");
    }
    if (secp256k1_ecdsa_signature_normalize(secp256k1_context_static, NULL, &sig)) {
        return fail(err, errlen, ASSEMBLE_E_MISMATCH, "assemble: signature s is not low (BIP62/EIP-2)");
    }
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(secp256k1_context_static, &rsig, sig64, recid) ||
        !secp256k1_ecdsa_recover(secp256k1_context_static, &pk, &rsig, digest32) ||
        !secp256k1_ec_pubkey_serialize(secp256k1_context_static, got, &got_len, &pk, SECP256K1_EC_COMPRESSED)) {
        return fail(err, errlen, ASSEMBLE_E_MISMATCH, "assemble: signature does not recover a key from the digest");
    }
    if (memcmp(got, pubkey33, sizeof(got)) != 0) {
        return fail(err, errlen, ASSEMBLE_E_MISMATCH,
                    "assemble: signature and recovery id recover another key than the signing key");
    }
    return ASSEMBLE_OK;
}

static int digest_matches(char *err, size_t errlen, const uint8_t computed[32], const unsigned char digest32[32],
                          const char *what)
{
    if (memcmp(computed, digest32, 32) != 0) {
        return fail(err, errlen, ASSEMBLE_E_MISMATCH, "assemble: the payload's %s differs from the signed digest",
                    what);
    }
    return ASSEMBLE_OK;
}

/* The 32-byte big-endian EIP-712 domain chainId as 64 bits. */
static int domain_chain_id(char *err, size_t errlen, uint64_t *out, const payload_eip712_doc *doc)
{
    *out = 0;
    for (size_t i = 0; i < 32; i++) {
        if (i < 24 && doc->chain_id[i] != 0) {
            return fail(err, errlen, ASSEMBLE_E_PAYLOAD, "assemble: Safe domain chainId does not fit 64 bits");
        }
        *out = (*out << 8) | doc->chain_id[i];
    }
    return ASSEMBLE_OK;
}

/* Types 1, 4, 5: recompute the digest from the payload; the output is r || s || v. */
static int typed_digest(char *err, size_t errlen, uint8_t digest[32], assemble_work *w, uint32_t type,
                        const unsigned char *payload, size_t payload_len)
{
    payload_eip712_doc *doc = &w->u.typed.doc;
    payload_safe_hashes hashes;
    payload_err perr;
    uint64_t chain = 0;
    int r;

    if (type == PAYLOAD_TYPE_EIP191) {
        if (payload_eip191_personal_digest(&perr, digest, payload, payload_len) != PAYLOAD_OK) {
            return fail(err, errlen, ASSEMBLE_E_PAYLOAD, "assemble: eip191 payload: %s", perr.msg);
        }
        return ASSEMBLE_OK;
    }
    if (payload_eip712_parse_json(&perr, doc, w->u.typed.toks, PAYLOAD_EIP712_MAX_TOKENS, (const char *)payload,
                                  payload_len) != PAYLOAD_OK) {
        return fail(err, errlen, ASSEMBLE_E_PAYLOAD, "assemble: %s payload: %s", payload_type_name(type), perr.msg);
    }
    if (type == PAYLOAD_TYPE_EIP712) {
        memcpy(digest, doc->digest, 32);
        return ASSEMBLE_OK;
    }
    /* The coordinator holds no chain configuration (the enclaves checked the chain). A domain with
     * chainId is checked against itself; the pre-1.3.0 domain does not hash a chain at all. */
    if (doc->domain_fields & PAYLOAD_EIP712_DOMAIN_CHAIN_ID) {
        r = domain_chain_id(err, errlen, &chain, doc);
        if (r != ASSEMBLE_OK) {
            return r;
        }
    }
    if (payload_safe_tx_from_eip712(&perr, &w->u.typed.safe, w->u.typed.safe_data, sizeof(w->u.typed.safe_data), doc,
                                    chain) != PAYLOAD_OK ||
        payload_safe_tx_hashes(&perr, &hashes, &w->u.typed.safe) != PAYLOAD_OK) {
        return fail(err, errlen, ASSEMBLE_E_PAYLOAD, "assemble: safe-tx payload: %s", perr.msg);
    }
    memcpy(digest, hashes.safe_tx_hash, 32);
    return ASSEMBLE_OK;
}

static int assemble_rsv(char *err, size_t errlen, assemble_out *out, assemble_work *w, uint32_t type,
                        const unsigned char *payload, size_t payload_len, const unsigned char sig64[64], int recid,
                        const unsigned char digest32[32])
{
    uint8_t digest[32];
    int r;

    r = typed_digest(err, errlen, digest, w, type, payload, payload_len);
    if (r == ASSEMBLE_OK) {
        r = digest_matches(err, errlen, digest, digest32,
                           type == PAYLOAD_TYPE_SAFE_TX ? "safeTxHash" : "digest");
    }
    if (r != ASSEMBLE_OK) {
        return r;
    }
    out->output = malloc(ASSEMBLE_RSV_LEN);
    if (out->output == NULL) {
        return fail(err, errlen, ASSEMBLE_E_NOMEM, "assemble: out of memory");
    }
    memcpy(out->output, sig64, 64);
    out->output[64] = (unsigned char)(27 + recid);
    out->output_len = ASSEMBLE_RSV_LEN;
    return ASSEMBLE_OK;
}

static int assemble_eth(char *err, size_t errlen, assemble_out *out, assemble_work *w, const unsigned char *payload,
                        size_t payload_len, const unsigned char sig64[64], int recid,
                        const unsigned char digest32[32])
{
    payload_eth_tx *tx = &w->u.eth;
    payload_err perr;
    uint8_t hash[32], tx_hash[32];
    unsigned char *buf = NULL, *shrunk;
    size_t len = 0;
    int r;

    if (payload_eth_tx_decode(&perr, tx, PAYLOAD_ETH_TX_UNSIGNED, payload, payload_len) != PAYLOAD_OK ||
        payload_eth_tx_signing_hash(&perr, hash, tx) != PAYLOAD_OK) {
        r = fail(err, errlen, ASSEMBLE_E_PAYLOAD, "assemble: transaction payload: %s", perr.msg);
        goto out;
    }
    r = digest_matches(err, errlen, hash, digest32, "signing hash");
    if (r != ASSEMBLE_OK) {
        goto out;
    }
    buf = malloc(PAYLOAD_ETH_TX_ENCODE_MAX);
    if (buf == NULL) {
        r = fail(err, errlen, ASSEMBLE_E_NOMEM, "assemble: out of memory");
        goto out;
    }
    if (payload_eth_tx_assemble_signed(&perr, buf, PAYLOAD_ETH_TX_ENCODE_MAX, &len, tx_hash, tx, sig64, sig64 + 32,
                                       recid) != PAYLOAD_OK) {
        r = fail(err, errlen, ASSEMBLE_E_INTERNAL, "assemble: signed transaction: %s", perr.msg);
        goto out;
    }
    shrunk = realloc(buf, len);
    if (shrunk != NULL) {
        buf = shrunk;
    }
    out->output = buf;
    out->output_len = len;
    buf = NULL;
    r = ASSEMBLE_OK;
out:
    free(buf);
    return r;
}

static const payload_btc_psbt_record *find_partial_sig(const payload_btc_psbt *psbt, size_t in,
                                                       const uint8_t pubkey[33])
{
    const payload_btc_psbt_map *map = &psbt->in[in];

    for (size_t k = 0; k < map->count; k++) {
        const payload_btc_psbt_record *rec = &psbt->rec[map->first + k];

        if (rec->type == PAYLOAD_BTC_PSBT_IN_PARTIAL_SIG && rec->keydata.len == 33 &&
            memcmp(rec->keydata.data, pubkey, 33) == 0) {
            return rec;
        }
    }
    return NULL;
}

static int has_final_record(const payload_btc_psbt *psbt, size_t in)
{
    const payload_btc_psbt_map *map = &psbt->in[in];

    for (size_t k = 0; k < map->count; k++) {
        uint64_t type = psbt->rec[map->first + k].type;

        if (type == PAYLOAD_BTC_PSBT_IN_FINAL_SCRIPTSIG || type == PAYLOAD_BTC_PSBT_IN_FINAL_SCRIPTWITNESS) {
            return 1;
        }
    }
    return 0;
}

/* Finalize and extract a copy of the signed PSBT when every input has its signature. An input
 * still waiting for a signature of ours (another signing request) is normal: *tx stays NULL.
 * Once every input has one, finalizing must succeed; a failure then means a signature already
 * in the PSBT is bad, which is reported rather than silently dropping the final transaction. */
static int finalize_copy(char *err, size_t errlen, unsigned char **tx, size_t *tx_len, assemble_work *w,
                         const unsigned char *signed_psbt, size_t signed_len)
{
    payload_btc_psbt *fin = &w->u.btc.final;
    const payload_btc_psbt_summary *info = &w->u.btc.info;
    payload_err perr;
    unsigned char *buf = NULL, *shrunk;
    size_t size, len = 0;
    int r;

    *tx = NULL;
    *tx_len = 0;
    for (size_t i = 0; i < info->n_in; i++) {
        if (!has_final_record(&w->u.btc.psbt, i) && find_partial_sig(&w->u.btc.psbt, i, info->in[i].pubkey) == NULL) {
            return ASSEMBLE_OK;
        }
    }
    if (payload_btc_psbt_parse(&perr, fin, signed_psbt, signed_len) != PAYLOAD_OK) {
        return fail(err, errlen, ASSEMBLE_E_INTERNAL, "assemble: the signed PSBT does not re-parse: %s", perr.msg);
    }
    if (payload_btc_psbt_finalize(&perr, fin) != PAYLOAD_OK) {
        return fail(err, errlen, ASSEMBLE_E_PAYLOAD, "assemble: every PSBT input is signed but finalizing failed: %s",
                    perr.msg);
    }
    size = signed_len + FINAL_BYTES_PER_INPUT * info->n_in;
    buf = malloc(size);
    if (buf == NULL) {
        r = fail(err, errlen, ASSEMBLE_E_NOMEM, "assemble: out of memory");
        goto out;
    }
    if (payload_btc_psbt_extract(&perr, buf, size, &len, fin) != PAYLOAD_OK) {
        r = fail(err, errlen, ASSEMBLE_E_INTERNAL, "assemble: extracting the final transaction: %s", perr.msg);
        goto out;
    }
    shrunk = realloc(buf, len);
    if (shrunk != NULL) {
        buf = shrunk;
    }
    *tx = buf;
    *tx_len = len;
    buf = NULL;
    r = ASSEMBLE_OK;
out:
    free(buf);
    return r;
}

static int assemble_psbt(char *err, size_t errlen, assemble_out *out, assemble_work *w, const unsigned char *payload,
                         size_t payload_len, const unsigned char sig64[64], const unsigned char pubkey33[33],
                         const unsigned char digest32[32])
{
    payload_btc_psbt *psbt = &w->u.btc.psbt;
    payload_btc_psbt_summary *info = &w->u.btc.info;
    secp256k1_ecdsa_signature sig;
    payload_err perr;
    unsigned char der[72];
    unsigned char *buf = NULL, *shrunk, *final_tx = NULL;
    size_t der_len = sizeof(der), size, len = 0, final_len = 0, in;
    int r;

    /* The network only changes how output addresses are rendered, which is not used here. */
    if (payload_btc_psbt_parse(&perr, psbt, payload, payload_len) != PAYLOAD_OK ||
        payload_btc_psbt_analyze(&perr, info, psbt, PAYLOAD_BTC_NET_MAIN, NULL, NULL) != PAYLOAD_OK) {
        r = fail(err, errlen, ASSEMBLE_E_PAYLOAD, "assemble: psbt payload: %s", perr.msg);
        goto out;
    }
    for (in = 0; in < info->n_in; in++) {
        if (memcmp(info->in[in].digest, digest32, 32) == 0 && memcmp(info->in[in].pubkey, pubkey33, 33) == 0) {
            break;
        }
    }
    if (in == info->n_in) {
        r = fail(err, errlen, ASSEMBLE_E_MISMATCH,
                 "assemble: no PSBT input has the signed digest for the signing key");
        goto out;
    }
    if (!secp256k1_ecdsa_signature_parse_compact(secp256k1_context_static, &sig, sig64) ||
        !secp256k1_ecdsa_signature_serialize_der(secp256k1_context_static, der, &der_len, &sig)) {
        r = fail(err, errlen, ASSEMBLE_E_INTERNAL, "assemble: DER encoding of the signature failed");
        goto out;
    }
    if (payload_btc_psbt_add_partial_sig(&perr, psbt, in, pubkey33, der, der_len, digest32) != PAYLOAD_OK) {
        r = fail(err, errlen, ASSEMBLE_E_PAYLOAD, "assemble: psbt input %zu: %s", in, perr.msg);
        goto out;
    }
    size = payload_len + PARTIAL_SIG_RECORD_MAX;
    buf = malloc(size);
    if (buf == NULL) {
        r = fail(err, errlen, ASSEMBLE_E_NOMEM, "assemble: out of memory");
        goto out;
    }
    if (payload_btc_psbt_serialize(&perr, buf, size, &len, psbt) != PAYLOAD_OK) {
        r = fail(err, errlen, ASSEMBLE_E_INTERNAL, "assemble: serializing the signed PSBT: %s", perr.msg);
        goto out;
    }
    r = finalize_copy(err, errlen, &final_tx, &final_len, w, buf, len);
    if (r != ASSEMBLE_OK) {
        goto out;
    }
    shrunk = realloc(buf, len);
    if (shrunk != NULL) {
        buf = shrunk;
    }
    out->output = buf;
    out->output_len = len;
    out->final_tx = final_tx;
    out->final_tx_len = final_len;
    buf = NULL;
    final_tx = NULL;
out:
    free(final_tx);
    free(buf);
    return r;
}

int assemble_output(char *err, size_t errlen, assemble_out *out, uint32_t type,
                    const unsigned char *payload, size_t payload_len, const unsigned char sig64[64], int recid,
                    const unsigned char pubkey33[33], const unsigned char digest32[32])
{
    static const unsigned char empty[1];
    assemble_work *w = NULL;
    int r;

    if (err != NULL && errlen > 0) {
        err[0] = '\0';
    }
    if (out == NULL) {
        return fail(err, errlen, ASSEMBLE_E_ARG, "assemble: no output argument");
    }
    memset(out, 0, sizeof(*out));
    if ((payload == NULL && payload_len > 0) || sig64 == NULL || pubkey33 == NULL || digest32 == NULL) {
        r = fail(err, errlen, ASSEMBLE_E_ARG, "assemble: missing payload, signature, key or digest");
        goto out;
    }
    /* An empty EIP-191 message is valid; the decoders get a pointer even then. */
    if (payload_len == 0) {
        payload = empty;
    }
    if (type < PAYLOAD_TYPE_EIP191 || type > PAYLOAD_TYPE_PSBT) {
        r = fail(err, errlen, ASSEMBLE_E_ARG, "assemble: unknown payload type %u", (unsigned)type);
        goto out;
    }
    if (recid != 0 && recid != 1) {
        r = fail(err, errlen, ASSEMBLE_E_ARG, "assemble: recovery id %d is not 0 or 1", recid);
        goto out;
    }
    r = check_signature(err, errlen, sig64, recid, pubkey33, digest32);
    if (r != ASSEMBLE_OK) {
        goto out;
    }
    w = malloc(sizeof(*w));
    if (w == NULL) {
        r = fail(err, errlen, ASSEMBLE_E_NOMEM, "assemble: out of memory");
        goto out;
    }
    switch (type) {
    case PAYLOAD_TYPE_ETH_TX:
    case PAYLOAD_TYPE_ERC20:
        r = assemble_eth(err, errlen, out, w, payload, payload_len, sig64, recid, digest32);
        break;
    case PAYLOAD_TYPE_PSBT:
        r = assemble_psbt(err, errlen, out, w, payload, payload_len, sig64, pubkey33, digest32);
        break;
    default:
        r = assemble_rsv(err, errlen, out, w, type, payload, payload_len, sig64, recid, digest32);
        break;
    }
out:
    free(w);
    if (r != ASSEMBLE_OK) {
        assemble_out_clear(out);
    } else if (err != NULL && errlen > 0) {
        err[0] = '\0';
    }
    return r;
}

int assemble_psbt_restore(char *err, size_t errlen, assemble_out *out, const unsigned char *payload,
                          size_t payload_len, const unsigned char *signed_psbt, size_t signed_len,
                          const unsigned char pubkey33[33])
{
    assemble_work *w = NULL;
    payload_btc_psbt_summary *orig = NULL;
    payload_err perr;
    unsigned char *copy = NULL;
    int r;

    if (err != NULL && errlen > 0) {
        err[0] = '\0';
    }
    if (out == NULL) {
        return fail(err, errlen, ASSEMBLE_E_ARG, "assemble: no output argument");
    }
    memset(out, 0, sizeof(*out));
    if (payload == NULL || payload_len == 0 || signed_psbt == NULL || signed_len == 0 || pubkey33 == NULL) {
        r = fail(err, errlen, ASSEMBLE_E_ARG, "assemble: missing payload, signed PSBT or key");
        goto out;
    }
    w = malloc(sizeof(*w));
    orig = malloc(sizeof(*orig));
    copy = malloc(signed_len);
    if (w == NULL || orig == NULL || copy == NULL) {
        r = fail(err, errlen, ASSEMBLE_E_NOMEM, "assemble: out of memory");
        goto out;
    }
    /* w->u.btc.psbt is parsed first from the payload only to analyze it; the signed PSBT replaces it. */
    if (payload_btc_psbt_parse(&perr, &w->u.btc.psbt, payload, payload_len) != PAYLOAD_OK ||
        payload_btc_psbt_analyze(&perr, orig, &w->u.btc.psbt, PAYLOAD_BTC_NET_MAIN, NULL, NULL) != PAYLOAD_OK) {
        r = fail(err, errlen, ASSEMBLE_E_PAYLOAD, "assemble: psbt payload: %s", perr.msg);
        goto out;
    }
    if (payload_btc_psbt_parse(&perr, &w->u.btc.psbt, signed_psbt, signed_len) != PAYLOAD_OK ||
        payload_btc_psbt_analyze(&perr, &w->u.btc.info, &w->u.btc.psbt, PAYLOAD_BTC_NET_MAIN, NULL, NULL) !=
                PAYLOAD_OK) {
        r = fail(err, errlen, ASSEMBLE_E_PAYLOAD, "assemble: signed psbt: %s", perr.msg);
        goto out;
    }
    /* SIGHASH_ALL digests commit to the whole transaction and the spent amounts: equal digests
     * mean the signed PSBT is the payload's transaction. */
    if (orig->n_in != w->u.btc.info.n_in) {
        r = fail(err, errlen, ASSEMBLE_E_MISMATCH, "assemble: the signed PSBT is not the payload's transaction");
        goto out;
    }
    for (size_t i = 0; i < orig->n_in; i++) {
        if (memcmp(orig->in[i].digest, w->u.btc.info.in[i].digest, 32) != 0) {
            r = fail(err, errlen, ASSEMBLE_E_MISMATCH, "assemble: the signed PSBT is not the payload's transaction");
            goto out;
        }
        if (memcmp(w->u.btc.info.in[i].pubkey, pubkey33, 33) == 0 &&
            find_partial_sig(&w->u.btc.psbt, i, pubkey33) == NULL) {
            r = fail(err, errlen, ASSEMBLE_E_MISMATCH, "assemble: signed psbt input %zu has no signature of the key", i);
            goto out;
        }
    }
    r = finalize_copy(err, errlen, &out->final_tx, &out->final_tx_len, w, signed_psbt, signed_len);
    if (r != ASSEMBLE_OK) {
        goto out;
    }
    memcpy(copy, signed_psbt, signed_len);
    out->output = copy;
    out->output_len = signed_len;
    copy = NULL;
out:
    free(copy);
    free(orig);
    free(w);
    if (r != ASSEMBLE_OK) {
        assemble_out_clear(out);
    }
    return r;
}

void assemble_out_clear(assemble_out *out)
{
    if (out == NULL) {
        return;
    }
    free(out->output);
    free(out->final_tx);
    memset(out, 0, sizeof(*out));
}
