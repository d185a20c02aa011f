#include "payload/psbt.h"

#include <stdio.h>
#include <string.h>

#include <secp256k1.h>

#include "payload/btc_sighash.h"
#include "btc_tx_internal.h"
#include "btc_util.h"

static const uint8_t MAGIC[5] = { 0x70, 0x73, 0x62, 0x74, 0xff };
static const uint8_t KEY_FINAL_SCRIPTSIG[1] = { PAYLOAD_BTC_PSBT_IN_FINAL_SCRIPTSIG };
static const uint8_t KEY_FINAL_SCRIPTWITNESS[1] = { PAYLOAD_BTC_PSBT_IN_FINAL_SCRIPTWITNESS };

typedef enum { MAP_GLOBAL, MAP_INPUT, MAP_OUTPUT } map_kind;

/* "global map", "input 3", "output 0": names the map in error messages. */
typedef struct {
    char s[32];
} where_buf;

static const char *where(where_buf *w, map_kind kind, size_t index)
{
    if (kind == MAP_GLOBAL) {
        snprintf(w->s, sizeof w->s, "psbt global map");
    } else {
        snprintf(w->s, sizeof w->s, "psbt %s %zu", kind == MAP_INPUT ? "input" : "output", index);
    }
    return w->s;
}

/* Re-raise a failure from a lower layer with a prefix naming where it happened. */
static int fail_within(payload_err *err, int code, const char *prefix)
{
    char inner[PAYLOAD_ERR_MAX];

    if (err == NULL) {
        return code;
    }
    memcpy(inner, err->msg, sizeof inner);
    inner[sizeof inner - 1] = '\0';
    return payload_fail(err, code, "%s: %s", prefix, inner);
}

/* ---- reading ------------------------------------------------------------------------------- */

static int same_bytes(const payload_btc_bytes *a, const payload_btc_bytes *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static int read_map(
        payload_err *err, payload_btc_psbt *psbt, payload_btc_psbt_map *map, payload_btc_reader *r, const char *name)
{
    map->first = psbt->n_records;
    map->count = 0;
    for (;;) {
        payload_btc_psbt_record rec;
        payload_btc_reader kr;
        int ret;

        if ((ret = payload_btc_read_var_bytes(err, &rec.key, r, name)) != PAYLOAD_OK) {
            return ret;
        }
        if (rec.key.len == 0) {
            return PAYLOAD_OK; /* the 0x00 separator ends the map */
        }
        payload_btc_reader_init(&kr, rec.key.data, rec.key.len);
        if ((ret = payload_btc_read_compact(err, &rec.type, &kr, name)) != PAYLOAD_OK) {
            return payload_fail(err, ret, "%s: key type is not a minimal compact size", name);
        }
        rec.keydata.data = rec.key.data + kr.pos;
        rec.keydata.len = payload_btc_reader_left(&kr);
        if ((ret = payload_btc_read_var_bytes(err, &rec.value, r, name)) != PAYLOAD_OK) {
            return ret;
        }
        if (map->count == PAYLOAD_BTC_PSBT_MAX_MAP_RECORDS || psbt->n_records == PAYLOAD_BTC_PSBT_MAX_RECORDS) {
            return payload_fail(err, PAYLOAD_E_LIMIT, "%s: more than %u records in a map or %u in total", name,
                    PAYLOAD_BTC_PSBT_MAX_MAP_RECORDS, PAYLOAD_BTC_PSBT_MAX_RECORDS);
        }
        for (size_t i = 0; i < map->count; i++) {
            if (same_bytes(&psbt->rec[map->first + i].key, &rec.key)) {
                return payload_fail(err, PAYLOAD_E_ENCODING, "%s: duplicate key (type 0x%02llx)", name,
                        (unsigned long long)rec.type);
            }
        }
        psbt->rec[psbt->n_records++] = rec;
        map->count++;
    }
}

/* ---- per-record validation ------------------------------------------------------------------ */

static int keydata_len(payload_err *err, const payload_btc_psbt_record *rec, size_t want, const char *name)
{
    if (rec->keydata.len != want) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "%s: key type 0x%02llx needs %zu bytes of key data, has %zu",
                name, (unsigned long long)rec->type, want, rec->keydata.len);
    }
    return PAYLOAD_OK;
}

static int check_pubkey_keydata(payload_err *err, const payload_btc_psbt_record *rec, const char *name)
{
    secp256k1_pubkey pk;

    if (rec->keydata.len != 33 && rec->keydata.len != 65) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "%s: key type 0x%02llx needs a 33- or 65-byte public key, has %zu",
                name, (unsigned long long)rec->type, rec->keydata.len);
    }
    if (!secp256k1_ec_pubkey_parse(secp256k1_context_static, &pk, rec->keydata.data, rec->keydata.len)) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "%s: key type 0x%02llx holds an invalid public key", name,
                (unsigned long long)rec->type);
    }
    return PAYLOAD_OK;
}

static int check_origin(payload_err *err, const payload_btc_bytes *v, const char *name)
{
    if (v->len < 4 || (v->len - 4) % 4 != 0) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "%s: BIP32 origin of %zu bytes (must be 4 + 4 * depth)", name,
                v->len);
    }
    if ((v->len - 4) / 4 > PAYLOAD_BTC_PSBT_MAX_PATH) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "%s: BIP32 path deeper than %u", name, PAYLOAD_BTC_PSBT_MAX_PATH);
    }
    return PAYLOAD_OK;
}

static void parse_origin(payload_btc_key_origin *o, const payload_btc_bytes *v)
{
    memcpy(o->fingerprint, v->data, 4);
    o->depth = (v->len - 4) / 4;
    for (size_t i = 0; i < o->depth; i++) {
        const uint8_t *p = v->data + 4 + 4 * i;
        o->path[i] = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    }
}

/* BIP66 strict DER: 0x30 len 0x02 rlen R 0x02 slen S, minimal positive integers, nothing after. */
static int is_strict_der(const uint8_t *sig, size_t len)
{
    size_t rlen, slen;

    if (len < 8 || len > 72 || sig[0] != 0x30 || sig[1] != len - 2 || sig[2] != 0x02) {
        return 0;
    }
    rlen = sig[3];
    if (rlen == 0 || 5 + rlen >= len || sig[4 + rlen] != 0x02) {
        return 0;
    }
    slen = sig[5 + rlen];
    if (slen == 0 || 6 + rlen + slen != len) {
        return 0;
    }
    if ((sig[4] & 0x80) || (rlen > 1 && sig[4] == 0 && !(sig[5] & 0x80))) {
        return 0;
    }
    if ((sig[6 + rlen] & 0x80) || (slen > 1 && sig[6 + rlen] == 0 && !(sig[7 + rlen] & 0x80))) {
        return 0;
    }
    return 1;
}

static int check_witness_stack(payload_err *err, const payload_btc_bytes *v, const char *name)
{
    payload_btc_reader r;
    uint64_t n = 0;
    int ret;

    payload_btc_reader_init(&r, v->data, v->len);
    if ((ret = payload_btc_read_compact(err, &n, &r, name)) != PAYLOAD_OK) {
        return ret;
    }
    if (n > payload_btc_reader_left(&r)) {
        return payload_fail(err, PAYLOAD_E_TRUNCATED, "%s: final witness claims %llu items", name,
                (unsigned long long)n);
    }
    for (uint64_t i = 0; i < n; i++) {
        payload_btc_bytes item;
        if ((ret = payload_btc_read_var_bytes(err, &item, &r, name)) != PAYLOAD_OK) {
            return ret;
        }
    }
    if (payload_btc_reader_left(&r) != 0) {
        return payload_fail(err, PAYLOAD_E_TRAILING, "%s: %zu bytes after the final witness stack", name,
                payload_btc_reader_left(&r));
    }
    return PAYLOAD_OK;
}

/* A serialized CTxOut: amount, then a length-prefixed script, nothing more. */
static int parse_txout(payload_err *err, payload_btc_txout *out, const payload_btc_bytes *v, const char *name)
{
    payload_btc_reader r;
    int ret;

    payload_btc_reader_init(&r, v->data, v->len);
    if ((ret = payload_btc_read_u64le(err, &out->value, &r, name)) != PAYLOAD_OK ||
            (ret = payload_btc_read_var_bytes(err, &out->script_pubkey, &r, name)) != PAYLOAD_OK) {
        return ret;
    }
    if (payload_btc_reader_left(&r) != 0) {
        return payload_fail(
                err, PAYLOAD_E_TRAILING, "%s: %zu bytes after the witness UTXO", name, payload_btc_reader_left(&r));
    }
    return PAYLOAD_OK;
}

static int check_proprietary(payload_err *err, const payload_btc_psbt_record *rec, const char *name)
{
    payload_btc_reader r;
    payload_btc_bytes id;
    uint64_t subtype = 0;
    int ret;

    payload_btc_reader_init(&r, rec->keydata.data, rec->keydata.len);
    if ((ret = payload_btc_read_var_bytes(err, &id, &r, name)) != PAYLOAD_OK ||
            (ret = payload_btc_read_compact(err, &subtype, &r, name)) != PAYLOAD_OK) {
        return payload_fail(err, ret, "%s: malformed proprietary key", name);
    }
    return PAYLOAD_OK;
}

static int check_script_len(payload_err *err, const payload_btc_psbt_record *rec, const char *name)
{
    int ret = keydata_len(err, rec, 0, name);

    if (ret == PAYLOAD_OK && rec->value.len > PAYLOAD_BTC_SCRIPT_MAX_SIZE) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "%s: script of %zu bytes exceeds %u", name, rec->value.len,
                PAYLOAD_BTC_SCRIPT_MAX_SIZE);
    }
    return ret;
}

static int check_preimage(payload_err *err, const payload_btc_psbt_record *rec, const char *name)
{
    uint8_t h[32];
    size_t hlen = (rec->type == 0x0a || rec->type == 0x0c) ? 20 : 32;
    int ret = keydata_len(err, rec, hlen, name);

    if (ret != PAYLOAD_OK) {
        return ret;
    }
    switch (rec->type) {
    case 0x0a: ret = payload_btc_ripemd160(err, h, rec->value.data, rec->value.len); break;
    case 0x0b: ret = payload_btc_sha256(err, h, rec->value.data, rec->value.len); break;
    case 0x0c: ret = payload_btc_hash160(err, h, rec->value.data, rec->value.len); break;
    default: ret = payload_btc_sha256d(err, h, rec->value.data, rec->value.len); break;
    }
    if (ret == PAYLOAD_OK && memcmp(h, rec->keydata.data, hlen) != 0) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "%s: hash preimage (type 0x%02llx) does not match its hash",
                name, (unsigned long long)rec->type);
    }
    return ret;
}

/* Key data a public key, value its key origin. */
static int check_bip32_derivation(payload_err *err, const payload_btc_psbt_record *rec, const char *name)
{
    int ret = check_pubkey_keydata(err, rec, name);

    if (ret != PAYLOAD_OK) {
        return ret;
    }
    return check_origin(err, &rec->value, name);
}

/* Empty key data and a 4-byte value; what names the value. */
static int check_u32_value(payload_err *err, const payload_btc_psbt_record *rec, const char *name, const char *what)
{
    int ret = keydata_len(err, rec, 0, name);

    if (ret == PAYLOAD_OK && rec->value.len != 4) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "%s: %s of %zu bytes (must be 4)", name, what, rec->value.len);
    }
    return ret;
}

static int reject_v2_field(payload_err *err, const payload_btc_psbt_record *rec, const char *name)
{
    return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "%s: PSBTv2 field 0x%02llx in a version 0 PSBT", name,
            (unsigned long long)rec->type);
}

static int check_global(payload_err *err, const payload_btc_psbt_record *rec, const char *name)
{
    int ret;

    switch (rec->type) {
    case PAYLOAD_BTC_PSBT_GLOBAL_UNSIGNED_TX:
        return keydata_len(err, rec, 0, name);
    case PAYLOAD_BTC_PSBT_GLOBAL_XPUB:
        if ((ret = keydata_len(err, rec, 78, name)) != PAYLOAD_OK) {
            return ret;
        }
        return check_origin(err, &rec->value, name);
    case 0x02: case 0x03: case 0x04: case 0x05: case 0x06:
        return reject_v2_field(err, rec, name);
    case PAYLOAD_BTC_PSBT_GLOBAL_VERSION:
        if ((ret = check_u32_value(err, rec, name, "version value")) != PAYLOAD_OK) {
            return ret;
        }
        if (memcmp(rec->value.data, "\0\0\0\0", 4) != 0) {
            return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "%s: PSBT version other than 0", name);
        }
        return PAYLOAD_OK;
    case PAYLOAD_BTC_PSBT_PROPRIETARY:
        return check_proprietary(err, rec, name);
    default:
        return PAYLOAD_OK;
    }
}

static int check_input(payload_err *err, const payload_btc_psbt *psbt, size_t index, const payload_btc_psbt_record *rec,
        const char *name)
{
    payload_btc_txout out;
    uint8_t txid[32];
    int ret;

    switch (rec->type) {
    case PAYLOAD_BTC_PSBT_IN_NON_WITNESS_UTXO:
        if ((ret = keydata_len(err, rec, 0, name)) != PAYLOAD_OK ||
                (ret = payload_btc_tx_scan_output(err, txid, &out, rec->value.data, rec->value.len,
                         psbt->tx.in[index].prev_vout)) != PAYLOAD_OK) {
            return ret;
        }
        if (memcmp(txid, psbt->tx.in[index].prev_txid, 32) != 0) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "%s: non-witness UTXO's txid does not match the prevout",
                    name);
        }
        return PAYLOAD_OK;
    case PAYLOAD_BTC_PSBT_IN_WITNESS_UTXO:
        if ((ret = keydata_len(err, rec, 0, name)) != PAYLOAD_OK) {
            return ret;
        }
        return parse_txout(err, &out, &rec->value, name);
    case PAYLOAD_BTC_PSBT_IN_PARTIAL_SIG:
        if ((ret = check_pubkey_keydata(err, rec, name)) != PAYLOAD_OK) {
            return ret;
        }
        if (rec->value.len < 1 || !is_strict_der(rec->value.data, rec->value.len - 1)) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "%s: partial signature is not strict DER plus a sighash byte",
                    name);
        }
        return PAYLOAD_OK;
    case PAYLOAD_BTC_PSBT_IN_SIGHASH_TYPE:
        return check_u32_value(err, rec, name, "sighash type");
    case PAYLOAD_BTC_PSBT_IN_REDEEM_SCRIPT:
    case PAYLOAD_BTC_PSBT_IN_WITNESS_SCRIPT:
    case PAYLOAD_BTC_PSBT_IN_FINAL_SCRIPTSIG:
        return check_script_len(err, rec, name);
    case PAYLOAD_BTC_PSBT_IN_BIP32_DERIVATION:
        return check_bip32_derivation(err, rec, name);
    case PAYLOAD_BTC_PSBT_IN_FINAL_SCRIPTWITNESS:
        if ((ret = keydata_len(err, rec, 0, name)) != PAYLOAD_OK) {
            return ret;
        }
        return check_witness_stack(err, &rec->value, name);
    case 0x09: /* proof-of-reserves commitment: an opaque string */
        return keydata_len(err, rec, 0, name);
    case 0x0a: case 0x0b: case 0x0c: case 0x0d:
        return check_preimage(err, rec, name);
    case 0x0e: case 0x0f: case 0x10: case 0x11: case 0x12:
        return reject_v2_field(err, rec, name);
    case PAYLOAD_BTC_PSBT_PROPRIETARY:
        return check_proprietary(err, rec, name);
    default:
        return PAYLOAD_OK;
    }
}

static int check_output(payload_err *err, const payload_btc_psbt_record *rec, const char *name)
{
    switch (rec->type) {
    case PAYLOAD_BTC_PSBT_OUT_REDEEM_SCRIPT:
    case PAYLOAD_BTC_PSBT_OUT_WITNESS_SCRIPT:
        return check_script_len(err, rec, name);
    case PAYLOAD_BTC_PSBT_OUT_BIP32_DERIVATION:
        return check_bip32_derivation(err, rec, name);
    case 0x03: case 0x04:
        return reject_v2_field(err, rec, name);
    case PAYLOAD_BTC_PSBT_PROPRIETARY:
        return check_proprietary(err, rec, name);
    default:
        return PAYLOAD_OK;
    }
}

/* The record of a key type with empty key data (such keys occur at most once per map), or NULL. */
static const payload_btc_psbt_record *find(const payload_btc_psbt *psbt, const payload_btc_psbt_map *map, uint64_t type)
{
    for (size_t i = 0; i < map->count; i++) {
        const payload_btc_psbt_record *rec = &psbt->rec[map->first + i];
        if (rec->type == type && rec->keydata.len == 0) {
            return rec;
        }
    }
    return NULL;
}

int payload_btc_psbt_parse(payload_err *err, payload_btc_psbt *psbt, const uint8_t *raw, size_t len)
{
    const payload_btc_psbt_record *utx;
    payload_btc_reader r;
    where_buf wb;
    int ret;

    psbt->n_records = 0;
    psbt->arena_used = 0;
    psbt->tx.n_in = 0;
    psbt->tx.n_out = 0;
    if (len > PAYLOAD_BTC_PSBT_MAX_SIZE) {
        return payload_fail(
                err, PAYLOAD_E_LIMIT, "psbt: %zu bytes exceeds the maximum of %u", len, PAYLOAD_BTC_PSBT_MAX_SIZE);
    }
    if (len < sizeof MAGIC || memcmp(raw, MAGIC, sizeof MAGIC) != 0) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "psbt: missing magic 'psbt' 0xff");
    }
    payload_btc_reader_init(&r, raw + sizeof MAGIC, len - sizeof MAGIC);
    if ((ret = read_map(err, psbt, &psbt->global, &r, where(&wb, MAP_GLOBAL, 0))) != PAYLOAD_OK) {
        return ret;
    }
    for (size_t i = 0; i < psbt->global.count; i++) {
        if ((ret = check_global(err, &psbt->rec[psbt->global.first + i], wb.s)) != PAYLOAD_OK) {
            return ret;
        }
    }
    utx = find(psbt, &psbt->global, PAYLOAD_BTC_PSBT_GLOBAL_UNSIGNED_TX);
    if (utx == NULL) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "psbt: no unsigned transaction (PSBT_GLOBAL_UNSIGNED_TX)");
    }
    if ((ret = payload_btc_tx_parse(err, &psbt->tx, utx->value.data, utx->value.len, PAYLOAD_BTC_TX_NO_WITNESS)) !=
            PAYLOAD_OK) {
        return fail_within(err, ret, "psbt unsigned tx");
    }
    for (size_t i = 0; i < psbt->tx.n_in; i++) {
        if (psbt->tx.in[i].script_sig.len != 0) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "psbt: unsigned tx input %zu has a non-empty scriptSig", i);
        }
    }
    for (size_t i = 0; i < psbt->tx.n_in; i++) {
        where(&wb, MAP_INPUT, i);
        if ((ret = read_map(err, psbt, &psbt->in[i], &r, wb.s)) != PAYLOAD_OK) {
            return ret;
        }
        for (size_t k = 0; k < psbt->in[i].count; k++) {
            if ((ret = check_input(err, psbt, i, &psbt->rec[psbt->in[i].first + k], wb.s)) != PAYLOAD_OK) {
                return ret;
            }
        }
    }
    for (size_t i = 0; i < psbt->tx.n_out; i++) {
        where(&wb, MAP_OUTPUT, i);
        if ((ret = read_map(err, psbt, &psbt->out[i], &r, wb.s)) != PAYLOAD_OK) {
            return ret;
        }
        for (size_t k = 0; k < psbt->out[i].count; k++) {
            if ((ret = check_output(err, &psbt->rec[psbt->out[i].first + k], wb.s)) != PAYLOAD_OK) {
                return ret;
            }
        }
    }
    if (payload_btc_reader_left(&r) != 0) {
        return payload_fail(
                err, PAYLOAD_E_TRAILING, "psbt: %zu bytes after the last output map", payload_btc_reader_left(&r));
    }
    return PAYLOAD_OK;
}

/* ---- writing -------------------------------------------------------------------------------- */

static void write_map(payload_btc_writer *w, const payload_btc_psbt *psbt, const payload_btc_psbt_map *map)
{
    for (size_t i = 0; i < map->count; i++) {
        const payload_btc_psbt_record *rec = &psbt->rec[map->first + i];
        payload_btc_write_compact(w, rec->key.len);
        payload_btc_write_bytes(w, rec->key.data, rec->key.len);
        payload_btc_write_compact(w, rec->value.len);
        payload_btc_write_bytes(w, rec->value.data, rec->value.len);
    }
    payload_btc_write_u8(w, 0x00);
}

int payload_btc_psbt_serialize(
        payload_err *err, uint8_t *out, size_t out_size, size_t *out_len, const payload_btc_psbt *psbt)
{
    payload_btc_writer w;
    int ret;

    payload_btc_writer_init_buf(&w, out, out_size);
    payload_btc_write_bytes(&w, MAGIC, sizeof MAGIC);
    write_map(&w, psbt, &psbt->global);
    for (size_t i = 0; i < psbt->tx.n_in; i++) {
        write_map(&w, psbt, &psbt->in[i]);
    }
    for (size_t i = 0; i < psbt->tx.n_out; i++) {
        write_map(&w, psbt, &psbt->out[i]);
    }
    ret = payload_btc_writer_status(err, &w, "psbt");
    if (ret == PAYLOAD_OK) {
        *out_len = w.len;
    }
    return ret;
}

/* ---- inputs: what is spent and how ---------------------------------------------------------- */

typedef struct {
    payload_btc_input_kind kind;
    payload_btc_txout spent;     /* the output being spent */
    uint8_t keyhash[20]; /* HASH160 of the key that must sign */
    const payload_btc_psbt_record *redeem;
} input_ctx;

static int is_p2wpkh(const payload_btc_bytes *s)
{
    return s->len == 22 && s->data[0] == 0x00 && s->data[1] == 20;
}

static int is_p2sh(const payload_btc_bytes *s)
{
    return s->len == 23 && s->data[0] == 0xa9 && s->data[1] == 20 && s->data[22] == 0x87;
}

static int is_p2pkh(const payload_btc_bytes *s)
{
    return s->len == 25 && s->data[0] == 0x76 && s->data[1] == 0xa9 && s->data[2] == 20 && s->data[23] == 0x88 &&
           s->data[24] == 0xac;
}

/* Determine the spent output and the input kind, applying BIP174's signer checks in its order.
 * require_full: the non-witness UTXO must be present (signing); without it either UTXO record will
 * do (finalizing). Both must agree when both are present. */
static int input_context(payload_err *err, input_ctx *ic, const payload_btc_psbt *psbt, size_t i, int require_full)
{
    const payload_btc_psbt_map *map = &psbt->in[i];
    const payload_btc_psbt_record *full = find(psbt, map, PAYLOAD_BTC_PSBT_IN_NON_WITNESS_UTXO);
    const payload_btc_psbt_record *wit = find(psbt, map, PAYLOAD_BTC_PSBT_IN_WITNESS_UTXO);
    const payload_btc_psbt_record *sighash = find(psbt, map, PAYLOAD_BTC_PSBT_IN_SIGHASH_TYPE);
    const payload_btc_psbt_record *wscript = find(psbt, map, PAYLOAD_BTC_PSBT_IN_WITNESS_SCRIPT);
    const payload_btc_bytes *spk = &ic->spent.script_pubkey;
    payload_btc_txout wout;
    uint8_t h[32];
    int ret;

    ic->redeem = find(psbt, map, PAYLOAD_BTC_PSBT_IN_REDEEM_SCRIPT);
    if (full == NULL && wit == NULL) {
        return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "psbt input %zu: no UTXO information; the full previous "
                "transaction (PSBT_IN_NON_WITNESS_UTXO) is required", i);
    }
    if (full != NULL) {
        uint8_t txid[32];
        if ((ret = payload_btc_tx_scan_output(err, txid, &ic->spent, full->value.data, full->value.len,
                     psbt->tx.in[i].prev_vout)) != PAYLOAD_OK) {
            return ret;
        }
        if (memcmp(txid, psbt->tx.in[i].prev_txid, 32) != 0) {
            return payload_fail(
                    err, PAYLOAD_E_POLICY, "psbt input %zu: previous transaction does not match the prevout", i);
        }
    }
    if (wit != NULL) {
        if ((ret = parse_txout(err, &wout, &wit->value, "psbt witness utxo")) != PAYLOAD_OK) {
            return ret;
        }
        if (full == NULL) {
            ic->spent = wout;
        } else if (wout.value != ic->spent.value || !same_bytes(&wout.script_pubkey, &ic->spent.script_pubkey)) {
            return payload_fail(err, PAYLOAD_E_POLICY, "psbt input %zu: witness UTXO disagrees with the previous "
                    "transaction's output", i);
        }
    }
    if (ic->spent.value > PAYLOAD_BTC_MAX_MONEY) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "psbt input %zu: amount over 21 million BTC", i);
    }
    if (sighash != NULL && memcmp(sighash->value.data, "\x01\0\0\0", 4) != 0) {
        return payload_fail(err, PAYLOAD_E_POLICY, "psbt input %zu: sighash type other than SIGHASH_ALL refused", i);
    }
    if (wit != NULL && is_p2pkh(spk)) {
        return payload_fail(err, PAYLOAD_E_POLICY, "psbt input %zu: witness UTXO given for a non-witness (P2PKH) "
                "input", i);
    }
    if (ic->redeem != NULL) {
        if (!is_p2sh(spk)) {
            return payload_fail(err, PAYLOAD_E_POLICY, "psbt input %zu: redeem script given for a non-P2SH input", i);
        }
        if ((ret = payload_btc_hash160(err, h, ic->redeem->value.data, ic->redeem->value.len)) != PAYLOAD_OK) {
            return ret;
        }
        if (memcmp(h, spk->data + 2, 20) != 0) {
            return payload_fail(err, PAYLOAD_E_POLICY, "psbt input %zu: redeem script does not match the P2SH "
                    "scriptPubKey", i);
        }
    }
    if (wscript != NULL) {
        const payload_btc_bytes *program = ic->redeem != NULL ? &ic->redeem->value : spk;
        if (!(program->len == 34 && program->data[0] == 0x00 && program->data[1] == 32)) {
            return payload_fail(err, PAYLOAD_E_POLICY, "psbt input %zu: witness script given for a non-P2WSH input", i);
        }
        if ((ret = payload_btc_sha256(err, h, wscript->value.data, wscript->value.len)) != PAYLOAD_OK) {
            return ret;
        }
        if (memcmp(h, program->data + 2, 32) != 0) {
            return payload_fail(err, PAYLOAD_E_POLICY, "psbt input %zu: witness script does not match the P2WSH "
                    "program", i);
        }
        return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "psbt input %zu: P2WSH inputs are not signed", i);
    }
    if (is_p2wpkh(spk)) {
        ic->kind = PAYLOAD_BTC_INPUT_P2WPKH;
        memcpy(ic->keyhash, spk->data + 2, 20);
    } else if (is_p2pkh(spk)) {
        ic->kind = PAYLOAD_BTC_INPUT_P2PKH;
        memcpy(ic->keyhash, spk->data + 3, 20);
    } else if (is_p2sh(spk) && ic->redeem != NULL && is_p2wpkh(&ic->redeem->value)) {
        ic->kind = PAYLOAD_BTC_INPUT_P2SH_P2WPKH;
        memcpy(ic->keyhash, ic->redeem->value.data + 2, 20);
    } else if (is_p2sh(spk) && ic->redeem == NULL) {
        return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "psbt input %zu: P2SH input without a redeem script", i);
    } else {
        return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "psbt input %zu: spends a script that is not P2WPKH, "
                "P2SH-P2WPKH or P2PKH", i);
    }
    if (require_full && full == NULL) {
        return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "psbt input %zu: the full previous transaction "
                "(PSBT_IN_NON_WITNESS_UTXO) is required, also for segwit inputs", i);
    }
    return PAYLOAD_OK;
}

int payload_btc_psbt_signer_checks(payload_err *err, const payload_btc_psbt *psbt, size_t in_index)
{
    input_ctx ic;

    if (in_index >= psbt->tx.n_in) {
        return payload_fail(err, PAYLOAD_E_ARG, "psbt: input %zu does not exist", in_index);
    }
    return input_context(err, &ic, psbt, in_index, 0);
}

static int input_digest(
        payload_err *err, uint8_t digest[32], const payload_btc_psbt *psbt, size_t i, const input_ctx *ic)
{
    uint8_t code[25] = { 0x76, 0xa9, 20 };

    if (ic->kind == PAYLOAD_BTC_INPUT_P2PKH) {
        return payload_btc_sighash_legacy(err, digest, &psbt->tx, i, ic->spent.script_pubkey.data,
                ic->spent.script_pubkey.len, PAYLOAD_BTC_SIGHASH_ALL);
    }
    /* BIP143: the P2WPKH scriptCode is the P2PKH script of the same key hash. */
    memcpy(code + 3, ic->keyhash, 20);
    code[23] = 0x88;
    code[24] = 0xac;
    return payload_btc_sighash_segwit_v0(
            err, digest, &psbt->tx, i, code, sizeof code, ic->spent.value, PAYLOAD_BTC_SIGHASH_ALL);
}

/* The record of type `type` whose compressed public key hashes to keyhash, or NULL. */
static int find_key(payload_err *err, const payload_btc_psbt_record **out, const payload_btc_psbt *psbt,
        const payload_btc_psbt_map *map, uint64_t type, const uint8_t keyhash[20])
{
    uint8_t h[20];
    int ret;

    *out = NULL;
    for (size_t k = 0; k < map->count; k++) {
        const payload_btc_psbt_record *rec = &psbt->rec[map->first + k];
        if (rec->type != type || rec->keydata.len != 33) {
            continue;
        }
        if ((ret = payload_btc_hash160(err, h, rec->keydata.data, 33)) != PAYLOAD_OK) {
            return ret;
        }
        if (memcmp(h, keyhash, 20) == 0) {
            *out = rec;
            return PAYLOAD_OK;
        }
    }
    return PAYLOAD_OK;
}

/* 1 if script pays to pubkey as P2WPKH, P2SH-P2WPKH or P2PKH. */
static int pays_to(payload_err *err, int *yes, const payload_btc_bytes *script, const uint8_t pubkey[33])
{
    uint8_t h[20], program[22] = { 0x00, 20 }, ph[20];
    int ret = payload_btc_hash160(err, h, pubkey, 33);

    *yes = 0;
    if (ret != PAYLOAD_OK) {
        return ret;
    }
    memcpy(program + 2, h, 20);
    if ((ret = payload_btc_hash160(err, ph, program, sizeof program)) != PAYLOAD_OK) {
        return ret;
    }
    *yes = (is_p2wpkh(script) && memcmp(script->data + 2, h, 20) == 0) ||
           (is_p2pkh(script) && memcmp(script->data + 3, h, 20) == 0) ||
           (is_p2sh(script) && memcmp(script->data + 2, ph, 20) == 0);
    return PAYLOAD_OK;
}

int payload_btc_psbt_analyze(payload_err *err, payload_btc_psbt_summary *summary, const payload_btc_psbt *psbt,
        payload_btc_network net, payload_btc_psbt_is_own_fn is_own, void *is_own_ctx)
{
    uint64_t total_in = 0, total_out = 0;
    int ret;

    if (psbt->tx.n_in == 0 || psbt->tx.n_out == 0) {
        return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "psbt: transaction has no inputs or no outputs");
    }
    /* Consensus forbids spending an outpoint twice; here it would also count its amount twice. */
    for (size_t i = 0; i < psbt->tx.n_in; i++) {
        for (size_t j = 0; j < i; j++) {
            const payload_btc_txin *a = &psbt->tx.in[i], *b = &psbt->tx.in[j];
            if (a->prev_vout == b->prev_vout && memcmp(a->prev_txid, b->prev_txid, 32) == 0) {
                return payload_fail(err, PAYLOAD_E_ENCODING, "psbt: inputs %zu and %zu spend the same outpoint", j, i);
            }
        }
    }
    for (size_t i = 0; i < psbt->tx.n_in; i++) {
        payload_btc_psbt_input_info *info = &summary->in[i];
        const payload_btc_psbt_record *deriv = NULL;
        input_ctx ic;

        if (find(psbt, &psbt->in[i], PAYLOAD_BTC_PSBT_IN_FINAL_SCRIPTSIG) != NULL ||
                find(psbt, &psbt->in[i], PAYLOAD_BTC_PSBT_IN_FINAL_SCRIPTWITNESS) != NULL) {
            return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "psbt input %zu: already finalized", i);
        }
        if ((ret = input_context(err, &ic, psbt, i, 1)) != PAYLOAD_OK ||
                (ret = find_key(err, &deriv, psbt, &psbt->in[i], PAYLOAD_BTC_PSBT_IN_BIP32_DERIVATION, ic.keyhash)) !=
                        PAYLOAD_OK) {
            return ret;
        }
        if (deriv == NULL) {
            return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "psbt input %zu: no BIP32 derivation for a compressed "
                    "key matching the script's key hash", i);
        }
        if ((ret = input_digest(err, info->digest, psbt, i, &ic)) != PAYLOAD_OK) {
            return ret;
        }
        info->kind = ic.kind;
        info->amount = ic.spent.value;
        memcpy(info->pubkey, deriv->keydata.data, 33);
        parse_origin(&info->origin, &deriv->value);
        total_in += ic.spent.value;
        if (total_in > PAYLOAD_BTC_MAX_MONEY) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "psbt: inputs total over 21 million BTC");
        }
    }
    for (size_t o = 0; o < psbt->tx.n_out; o++) {
        const payload_btc_txout *txo = &psbt->tx.out[o];
        payload_btc_psbt_output_info *info = &summary->out[o];

        if (txo->value > PAYLOAD_BTC_MAX_MONEY || (total_out += txo->value) > PAYLOAD_BTC_MAX_MONEY) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "psbt output %zu: amount or total over 21 million BTC", o);
        }
        if ((ret = payload_btc_address_encode(err, info->address, sizeof info->address, &info->type, net,
                     txo->script_pubkey.data, txo->script_pubkey.len)) != PAYLOAD_OK) {
            where_buf wb;
            return fail_within(err, ret, where(&wb, MAP_OUTPUT, o));
        }
        if (info->type == PAYLOAD_BTC_ADDR_WITNESS_UNKNOWN) {
            return payload_fail(err, PAYLOAD_E_POLICY, "psbt output %zu: pays to a witness version/length with no "
                    "defined meaning (%s)", o, info->address);
        }
        info->amount = txo->value;
        info->is_change = 0;
        for (size_t k = 0; is_own != NULL && k < psbt->out[o].count; k++) {
            const payload_btc_psbt_record *rec = &psbt->rec[psbt->out[o].first + k];
            payload_btc_key_origin origin;
            int pays = 0;
            if (rec->type != PAYLOAD_BTC_PSBT_OUT_BIP32_DERIVATION || rec->keydata.len != 33) {
                continue;
            }
            if ((ret = pays_to(err, &pays, &txo->script_pubkey, rec->keydata.data)) != PAYLOAD_OK) {
                return ret;
            }
            parse_origin(&origin, &rec->value);
            if (pays && is_own(is_own_ctx, rec->keydata.data, &origin)) {
                info->is_change = 1;
            }
        }
    }
    if (total_out > total_in) {
        return payload_fail(err, PAYLOAD_E_POLICY, "psbt: outputs (%llu sat) exceed inputs (%llu sat)",
                (unsigned long long)total_out, (unsigned long long)total_in);
    }
    summary->n_in = psbt->tx.n_in;
    summary->n_out = psbt->tx.n_out;
    summary->total_in = total_in;
    summary->total_out = total_out;
    summary->fee = total_in - total_out;
    return PAYLOAD_OK;
}

/* ---- mutation: records in the shared array, bytes in the arena ------------------------------- */

static uint8_t *arena_alloc(payload_btc_psbt *psbt, size_t n)
{
    uint8_t *p;

    if (n > sizeof psbt->arena - psbt->arena_used) {
        return NULL;
    }
    p = psbt->arena + psbt->arena_used;
    psbt->arena_used += n;
    return p;
}

/* Maps are stored in the order global, inputs, outputs: moving records shifts every later map. */
static void shift_later_maps(payload_btc_psbt *psbt, const payload_btc_psbt_map *map, int delta)
{
    int later = map == &psbt->global;

    for (size_t i = 0; i < psbt->tx.n_in + psbt->tx.n_out; i++) {
        payload_btc_psbt_map *m = i < psbt->tx.n_in ? &psbt->in[i] : &psbt->out[i - psbt->tx.n_in];
        if (later) {
            m->first = delta > 0 ? m->first + 1 : m->first - 1;
        }
        later |= m == map;
    }
}

static int insert_record(payload_err *err, payload_btc_psbt *psbt, payload_btc_psbt_map *map, size_t pos,
        const payload_btc_psbt_record *rec)
{
    size_t at = map->first + pos;

    if (psbt->n_records == PAYLOAD_BTC_PSBT_MAX_RECORDS || map->count == PAYLOAD_BTC_PSBT_MAX_MAP_RECORDS) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "psbt: no room for another record");
    }
    memmove(&psbt->rec[at + 1], &psbt->rec[at], (psbt->n_records - at) * sizeof psbt->rec[0]);
    psbt->rec[at] = *rec;
    psbt->n_records++;
    map->count++;
    shift_later_maps(psbt, map, 1);
    return PAYLOAD_OK;
}

static void remove_record(payload_btc_psbt *psbt, payload_btc_psbt_map *map, size_t pos)
{
    size_t at = map->first + pos;

    memmove(&psbt->rec[at], &psbt->rec[at + 1], (psbt->n_records - at - 1) * sizeof psbt->rec[0]);
    psbt->n_records--;
    map->count--;
    shift_later_maps(psbt, map, -1);
}

/* Verify der (strict DER, low-S) against digest under the compressed pubkey. */
static int verify_sig(payload_err *err, const uint8_t *der, size_t der_len, const uint8_t pubkey[33],
        const uint8_t digest[32], size_t i)
{
    secp256k1_ecdsa_signature sig;
    secp256k1_pubkey pk;

    if (!is_strict_der(der, der_len) ||
            !secp256k1_ecdsa_signature_parse_der(secp256k1_context_static, &sig, der, der_len)) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "psbt input %zu: signature is not strict DER", i);
    }
    if (secp256k1_ecdsa_signature_normalize(secp256k1_context_static, NULL, &sig)) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "psbt input %zu: signature has a high S value", i);
    }
    if (!secp256k1_ec_pubkey_parse(secp256k1_context_static, &pk, pubkey, 33) ||
            !secp256k1_ecdsa_verify(secp256k1_context_static, &sig, digest, &pk)) {
        return payload_fail(err, PAYLOAD_E_POLICY, "psbt input %zu: signature does not verify", i);
    }
    return PAYLOAD_OK;
}

int payload_btc_psbt_add_partial_sig(payload_err *err, payload_btc_psbt *psbt, size_t in_index,
        const uint8_t pubkey33[33], const uint8_t *der, size_t der_len, const uint8_t digest32[32])
{
    payload_btc_psbt_map *map;
    payload_btc_psbt_record rec;
    uint8_t *key, *value;
    size_t pos;
    int ret;

    if (in_index >= psbt->tx.n_in || der_len > 72) {
        return payload_fail(err, PAYLOAD_E_ARG, "psbt: input %zu or signature length %zu out of range", in_index,
                der_len);
    }
    if ((ret = verify_sig(err, der, der_len, pubkey33, digest32, in_index)) != PAYLOAD_OK) {
        return ret;
    }
    map = &psbt->in[in_index];
    for (pos = 0; pos < map->count; pos++) {
        const payload_btc_psbt_record *r = &psbt->rec[map->first + pos];
        if (r->type == PAYLOAD_BTC_PSBT_IN_PARTIAL_SIG && r->keydata.len == 33 &&
                memcmp(r->keydata.data, pubkey33, 33) == 0) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "psbt input %zu: already has a signature for this key",
                    in_index);
        }
    }
    /* Bitcoin Core's order: UTXOs, then partial signatures sorted by key, then the other types. */
    for (pos = 0; pos < map->count; pos++) {
        const payload_btc_psbt_record *r = &psbt->rec[map->first + pos];
        if (r->type > PAYLOAD_BTC_PSBT_IN_PARTIAL_SIG ||
                (r->type == PAYLOAD_BTC_PSBT_IN_PARTIAL_SIG && memcmp(r->keydata.data, pubkey33,
                        r->keydata.len < 33 ? r->keydata.len : 33) > 0)) {
            break;
        }
    }
    key = arena_alloc(psbt, 34 + der_len + 1);
    if (key == NULL) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "psbt: arena of %u bytes is full", PAYLOAD_BTC_PSBT_ARENA_SIZE);
    }
    value = key + 34;
    key[0] = PAYLOAD_BTC_PSBT_IN_PARTIAL_SIG;
    memcpy(key + 1, pubkey33, 33);
    memcpy(value, der, der_len);
    value[der_len] = (uint8_t)PAYLOAD_BTC_SIGHASH_ALL;
    rec.type = PAYLOAD_BTC_PSBT_IN_PARTIAL_SIG;
    rec.key = (payload_btc_bytes){ key, 34 };
    rec.keydata = (payload_btc_bytes){ key + 1, 33 };
    rec.value = (payload_btc_bytes){ value, der_len + 1 };
    if ((ret = insert_record(err, psbt, map, pos, &rec)) != PAYLOAD_OK) {
        psbt->arena_used -= 34 + der_len + 1;
    }
    return ret;
}

/* Records an Input Finalizer clears (BIP174): everything of BIP174's input types except the UTXOs;
 * unknown and proprietary records stay. */
static int cleared_by_finalizer(uint64_t type)
{
    return type >= PAYLOAD_BTC_PSBT_IN_PARTIAL_SIG && type <= 0x0d;
}

/* Build the final scriptSig and witness of input i into the arena (no record is touched). */
static int build_final(
        payload_err *err, payload_btc_bytes *script_sig, payload_btc_bytes *witness, payload_btc_psbt *psbt, size_t i)
{
    const payload_btc_psbt_record *sig = NULL;
    uint8_t digest[32];
    input_ctx ic;
    payload_btc_writer w;
    uint8_t *p;
    size_t sig_len;
    int ret;

    if ((ret = input_context(err, &ic, psbt, i, 0)) != PAYLOAD_OK ||
            (ret = find_key(err, &sig, psbt, &psbt->in[i], PAYLOAD_BTC_PSBT_IN_PARTIAL_SIG, ic.keyhash)) !=
                    PAYLOAD_OK) {
        return ret;
    }
    if (sig == NULL) {
        return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "psbt input %zu: no partial signature for its key", i);
    }
    sig_len = sig->value.len;
    if (sig->value.data[sig_len - 1] != PAYLOAD_BTC_SIGHASH_ALL) {
        return payload_fail(err, PAYLOAD_E_POLICY, "psbt input %zu: partial signature is not SIGHASH_ALL", i);
    }
    if ((ret = input_digest(err, digest, psbt, i, &ic)) != PAYLOAD_OK ||
            (ret = verify_sig(err, sig->value.data, sig_len - 1, sig->keydata.data, digest, i)) != PAYLOAD_OK) {
        return ret;
    }
    /* At most: push(73-byte sig) push(33-byte key) as scriptSig or as a 2-item witness. */
    p = arena_alloc(psbt, 2 * (3 + 73 + 34) + 24);
    if (p == NULL) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "psbt: arena of %u bytes is full", PAYLOAD_BTC_PSBT_ARENA_SIZE);
    }
    payload_btc_writer_init_buf(&w, p, 2 * (3 + 73 + 34) + 24);
    if (ic.kind != PAYLOAD_BTC_INPUT_P2PKH) {
        payload_btc_write_u8(&w, 2);
    }
    payload_btc_write_u8(&w, (uint8_t)sig_len);
    payload_btc_write_bytes(&w, sig->value.data, sig_len);
    payload_btc_write_u8(&w, 33);
    payload_btc_write_bytes(&w, sig->keydata.data, 33);
    *script_sig = (payload_btc_bytes){ NULL, 0 };
    *witness = (payload_btc_bytes){ NULL, 0 };
    if (ic.kind == PAYLOAD_BTC_INPUT_P2PKH) {
        *script_sig = (payload_btc_bytes){ p, w.len };
    } else {
        *witness = (payload_btc_bytes){ p, w.len };
    }
    if (ic.kind == PAYLOAD_BTC_INPUT_P2SH_P2WPKH) {
        size_t start = w.len;
        payload_btc_write_u8(&w, (uint8_t)ic.redeem->value.len);
        payload_btc_write_bytes(&w, ic.redeem->value.data, ic.redeem->value.len);
        *script_sig = (payload_btc_bytes){ p + start, w.len - start };
    }
    return payload_btc_writer_status(err, &w, "psbt final scripts");
}

int payload_btc_psbt_finalize(payload_err *err, payload_btc_psbt *psbt)
{
    payload_btc_bytes script_sig[PAYLOAD_BTC_TX_MAX_INPUTS], witness[PAYLOAD_BTC_TX_MAX_INPUTS];
    uint8_t skip[PAYLOAD_BTC_TX_MAX_INPUTS];
    size_t arena_mark = psbt->arena_used, records = psbt->n_records;
    int ret;

    for (size_t i = 0; i < psbt->tx.n_in; i++) {
        skip[i] = find(psbt, &psbt->in[i], PAYLOAD_BTC_PSBT_IN_FINAL_SCRIPTSIG) != NULL ||
                  find(psbt, &psbt->in[i], PAYLOAD_BTC_PSBT_IN_FINAL_SCRIPTWITNESS) != NULL;
        if (!skip[i] && (ret = build_final(err, &script_sig[i], &witness[i], psbt, i)) != PAYLOAD_OK) {
            psbt->arena_used = arena_mark;
            return ret;
        }
        if (!skip[i]) {
            size_t added = (script_sig[i].len > 0) + (witness[i].len > 0), kept = 0;
            for (size_t k = 0; k < psbt->in[i].count; k++) {
                kept += !cleared_by_finalizer(psbt->rec[psbt->in[i].first + k].type);
            }
            if (kept + added > PAYLOAD_BTC_PSBT_MAX_MAP_RECORDS) {
                psbt->arena_used = arena_mark;
                return payload_fail(err, PAYLOAD_E_LIMIT, "psbt input %zu: no room for the final records", i);
            }
            records = records - (psbt->in[i].count - kept) + added;
        }
    }
    if (records > PAYLOAD_BTC_PSBT_MAX_RECORDS) {
        psbt->arena_used = arena_mark;
        return payload_fail(err, PAYLOAD_E_LIMIT, "psbt: no room for the final records");
    }
    /* Every check is done: from here on the inserts cannot fail, so the PSBT is never left
     * half-finalized. */
    for (size_t i = 0; i < psbt->tx.n_in; i++) {
        payload_btc_psbt_map *map = &psbt->in[i];
        payload_btc_psbt_record rec;
        size_t pos = 0;
        if (skip[i]) {
            continue;
        }
        while (pos < map->count) {
            if (cleared_by_finalizer(psbt->rec[map->first + pos].type)) {
                remove_record(psbt, map, pos);
            } else {
                pos++;
            }
        }
        /* After the UTXO records, before unknown and proprietary ones. */
        for (pos = 0; pos < map->count && psbt->rec[map->first + pos].type <= PAYLOAD_BTC_PSBT_IN_WITNESS_UTXO; pos++) {
        }
        if (script_sig[i].len > 0) {
            rec.type = PAYLOAD_BTC_PSBT_IN_FINAL_SCRIPTSIG;
            rec.key = (payload_btc_bytes){ KEY_FINAL_SCRIPTSIG, 1 };
            rec.keydata = (payload_btc_bytes){ KEY_FINAL_SCRIPTSIG + 1, 0 };
            rec.value = script_sig[i];
            if ((ret = insert_record(err, psbt, map, pos++, &rec)) != PAYLOAD_OK) {
                return ret;
            }
        }
        if (witness[i].len > 0) {
            rec.type = PAYLOAD_BTC_PSBT_IN_FINAL_SCRIPTWITNESS;
            rec.key = (payload_btc_bytes){ KEY_FINAL_SCRIPTWITNESS, 1 };
            rec.keydata = (payload_btc_bytes){ KEY_FINAL_SCRIPTWITNESS + 1, 0 };
            rec.value = witness[i];
            if ((ret = insert_record(err, psbt, map, pos, &rec)) != PAYLOAD_OK) {
                return ret;
            }
        }
    }
    return PAYLOAD_OK;
}

int payload_btc_psbt_extract(
        payload_err *err, uint8_t *out, size_t out_size, size_t *out_len, const payload_btc_psbt *psbt)
{
    payload_btc_bytes script_sig[PAYLOAD_BTC_TX_MAX_INPUTS], witness[PAYLOAD_BTC_TX_MAX_INPUTS];
    payload_btc_writer w;
    int ret;

    for (size_t i = 0; i < psbt->tx.n_in; i++) {
        const payload_btc_psbt_record *ss = find(psbt, &psbt->in[i], PAYLOAD_BTC_PSBT_IN_FINAL_SCRIPTSIG);
        const payload_btc_psbt_record *wit = find(psbt, &psbt->in[i], PAYLOAD_BTC_PSBT_IN_FINAL_SCRIPTWITNESS);
        if (ss == NULL && wit == NULL) {
            return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "psbt input %zu: not finalized", i);
        }
        script_sig[i] = ss != NULL ? ss->value : (payload_btc_bytes){ NULL, 0 };
        witness[i] = wit != NULL ? wit->value : (payload_btc_bytes){ NULL, 0 };
    }
    payload_btc_writer_init_buf(&w, out, out_size);
    payload_btc_tx_write_ex(&w, &psbt->tx, 1, script_sig, witness);
    ret = payload_btc_writer_status(err, &w, "extracted tx");
    if (ret == PAYLOAD_OK) {
        *out_len = w.len;
    }
    return ret;
}
