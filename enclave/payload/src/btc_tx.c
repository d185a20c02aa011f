#include "payload/btc_tx.h"

#include <string.h>

#include "btc_tx_internal.h"
#include "btc_util.h"

/* One walk over the serialization serves both the full parse (tx != NULL, bounded counts) and the
 * scan of a previous transaction (tx == NULL, only output number want_vout is kept). */
typedef struct {
    payload_btc_tx *tx;
    uint32_t want_vout;
    payload_btc_txout *found;
    int have_found;
    size_t body_start; /* offset of the input count in raw */
    size_t body_end;   /* offset just after the last output */
} walk_state;

/* Count of items that each take at least min_size bytes: bounded by max (full parse) and always by
 * what the remaining bytes can hold, so a huge count fails before any loop runs. */
static int read_count(
        payload_err *err, size_t *out, payload_btc_reader *r, size_t max, size_t min_size, const char *what)
{
    uint64_t n = 0;
    int ret = payload_btc_read_compact(err, &n, r, what);

    if (ret != PAYLOAD_OK) {
        return ret;
    }
    if (n > max) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "%s: %llu exceeds the maximum of %zu", what,
                (unsigned long long)n, max);
    }
    if (n > payload_btc_reader_left(r) / min_size) {
        return payload_fail(err, PAYLOAD_E_TRUNCATED, "%s: %llu items cannot fit in the %zu bytes left", what,
                (unsigned long long)n, payload_btc_reader_left(r));
    }
    *out = (size_t)n;
    return PAYLOAD_OK;
}

static int walk(payload_err *err, walk_state *st, const uint8_t *raw, size_t len, payload_btc_tx_mode mode)
{
    payload_btc_reader r;
    payload_btc_tx *tx = st->tx;
    size_t n_in = 0, n_out = 0, max_in, max_out;
    uint32_t version = 0, locktime = 0;
    uint8_t flag = 0;
    int ret, has_witness = 0;

    payload_btc_reader_init(&r, raw, len);
    max_in = tx != NULL ? PAYLOAD_BTC_TX_MAX_INPUTS : SIZE_MAX;
    max_out = tx != NULL ? PAYLOAD_BTC_TX_MAX_OUTPUTS : SIZE_MAX;
    if ((ret = payload_btc_read_u32le(err, &version, &r, "tx version")) != PAYLOAD_OK) {
        return ret;
    }
    if (mode == PAYLOAD_BTC_TX_ALLOW_WITNESS && payload_btc_reader_left(&r) >= 1 && raw[r.pos] == 0x00) {
        r.pos++;
        if ((ret = payload_btc_read_u8(err, &flag, &r, "tx segwit flag")) != PAYLOAD_OK) {
            return ret;
        }
        if (flag != 1) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "tx: segwit flag 0x%02x (only 0x01 is defined)",
                    (unsigned)flag);
        }
    }
    st->body_start = r.pos;
    /* An input is at least 41 bytes (outpoint, empty script, sequence); an output at least 9. */
    if ((ret = read_count(err, &n_in, &r, max_in, 41, "tx input count")) != PAYLOAD_OK) {
        return ret;
    }
    for (size_t i = 0; i < n_in; i++) {
        const uint8_t *txid = NULL;
        payload_btc_txin scratch, *in = tx != NULL ? &tx->in[i] : &scratch;
        if ((ret = payload_btc_read_bytes(err, &txid, &r, 32, "tx input prevout txid")) != PAYLOAD_OK ||
                (ret = payload_btc_read_u32le(err, &in->prev_vout, &r, "tx input prevout index")) != PAYLOAD_OK ||
                (ret = payload_btc_read_var_bytes(err, &in->script_sig, &r, "tx input scriptSig")) != PAYLOAD_OK ||
                (ret = payload_btc_read_u32le(err, &in->sequence, &r, "tx input sequence")) != PAYLOAD_OK) {
            return ret;
        }
        memcpy(in->prev_txid, txid, 32);
        in->witness_count = 0;
    }
    if ((ret = read_count(err, &n_out, &r, max_out, 9, "tx output count")) != PAYLOAD_OK) {
        return ret;
    }
    for (size_t i = 0; i < n_out; i++) {
        payload_btc_txout scratch, *out = tx != NULL ? &tx->out[i] : &scratch;
        if ((ret = payload_btc_read_u64le(err, &out->value, &r, "tx output value")) != PAYLOAD_OK ||
                (ret = payload_btc_read_var_bytes(err, &out->script_pubkey, &r, "tx output scriptPubKey")) !=
                        PAYLOAD_OK) {
            return ret;
        }
        if (tx == NULL && i == st->want_vout) {
            *st->found = *out;
            st->have_found = 1;
        }
    }
    st->body_end = r.pos;
    if (flag == 1) {
        for (size_t i = 0; i < n_in; i++) {
            size_t items = 0;
            if ((ret = read_count(err, &items, &r, tx != NULL ? PAYLOAD_BTC_TX_MAX_WITNESS_ITEMS : SIZE_MAX, 1,
                         "tx witness item count")) != PAYLOAD_OK) {
                return ret;
            }
            has_witness |= items > 0;
            for (size_t j = 0; j < items; j++) {
                payload_btc_bytes item;
                if ((ret = payload_btc_read_var_bytes(err, &item, &r, "tx witness item")) != PAYLOAD_OK) {
                    return ret;
                }
                if (tx != NULL) {
                    tx->in[i].witness[j] = item;
                }
            }
            if (tx != NULL) {
                tx->in[i].witness_count = items;
            }
        }
        if (!has_witness) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "tx: segwit serialization but every witness is empty");
        }
    }
    if ((ret = payload_btc_read_u32le(err, &locktime, &r, "tx locktime")) != PAYLOAD_OK) {
        return ret;
    }
    if (payload_btc_reader_left(&r) != 0) {
        return payload_fail(
                err, PAYLOAD_E_TRAILING, "tx: %zu trailing bytes after the locktime", payload_btc_reader_left(&r));
    }
    if (tx != NULL) {
        tx->version = version;
        tx->locktime = locktime;
        tx->n_in = n_in;
        tx->n_out = n_out;
        tx->has_witness = has_witness;
    }
    return PAYLOAD_OK;
}

int payload_btc_tx_parse(payload_err *err, payload_btc_tx *tx, const uint8_t *raw, size_t len, payload_btc_tx_mode mode)
{
    walk_state st;

    if (len > PAYLOAD_BTC_TX_MAX_SIZE) {
        return payload_fail(
                err, PAYLOAD_E_LIMIT, "tx: %zu bytes exceeds the maximum of %u", len, PAYLOAD_BTC_TX_MAX_SIZE);
    }
    memset(&st, 0, sizeof st);
    st.tx = tx;
    return walk(err, &st, raw, len, mode);
}

void payload_btc_tx_write_ex(payload_btc_writer *w, const payload_btc_tx *tx, int allow_witness,
        const payload_btc_bytes *script_sigs, const payload_btc_bytes *witnesses)
{
    int with_witness = 0;

    for (size_t i = 0; allow_witness && i < tx->n_in; i++) {
        with_witness |= witnesses != NULL ? witnesses[i].len > 0 : tx->in[i].witness_count > 0;
    }
    payload_btc_write_u32le(w, tx->version);
    if (with_witness) {
        payload_btc_write_u8(w, 0x00);
        payload_btc_write_u8(w, 0x01);
    }
    payload_btc_write_compact(w, tx->n_in);
    for (size_t i = 0; i < tx->n_in; i++) {
        const payload_btc_txin *in = &tx->in[i];
        const payload_btc_bytes *ss = script_sigs != NULL ? &script_sigs[i] : &in->script_sig;
        payload_btc_write_bytes(w, in->prev_txid, 32);
        payload_btc_write_u32le(w, in->prev_vout);
        payload_btc_write_compact(w, ss->len);
        payload_btc_write_bytes(w, ss->data, ss->len);
        payload_btc_write_u32le(w, in->sequence);
    }
    payload_btc_write_compact(w, tx->n_out);
    for (size_t i = 0; i < tx->n_out; i++) {
        payload_btc_write_u64le(w, tx->out[i].value);
        payload_btc_write_compact(w, tx->out[i].script_pubkey.len);
        payload_btc_write_bytes(w, tx->out[i].script_pubkey.data, tx->out[i].script_pubkey.len);
    }
    for (size_t i = 0; with_witness && i < tx->n_in; i++) {
        if (witnesses != NULL) {
            /* Already a serialized stack (count || items), or empty for "no witness". */
            if (witnesses[i].len == 0) {
                payload_btc_write_compact(w, 0);
            } else {
                payload_btc_write_bytes(w, witnesses[i].data, witnesses[i].len);
            }
            continue;
        }
        payload_btc_write_compact(w, tx->in[i].witness_count);
        for (size_t j = 0; j < tx->in[i].witness_count; j++) {
            payload_btc_write_compact(w, tx->in[i].witness[j].len);
            payload_btc_write_bytes(w, tx->in[i].witness[j].data, tx->in[i].witness[j].len);
        }
    }
    payload_btc_write_u32le(w, tx->locktime);
}

int payload_btc_tx_serialize(payload_err *err, uint8_t *out, size_t out_size, size_t *out_len, const payload_btc_tx *tx,
        payload_btc_tx_mode mode)
{
    payload_btc_writer w;
    int ret;

    if (tx->n_in > PAYLOAD_BTC_TX_MAX_INPUTS || tx->n_out > PAYLOAD_BTC_TX_MAX_OUTPUTS) {
        return payload_fail(err, PAYLOAD_E_ARG, "tx: counts over the struct bounds");
    }
    payload_btc_writer_init_buf(&w, out, out_size);
    payload_btc_tx_write_ex(&w, tx, mode == PAYLOAD_BTC_TX_ALLOW_WITNESS, NULL, NULL);
    ret = payload_btc_writer_status(err, &w, "tx");
    if (ret == PAYLOAD_OK) {
        *out_len = w.len;
    }
    return ret;
}

int payload_btc_tx_txid(payload_err *err, uint8_t txid[32], const payload_btc_tx *tx)
{
    payload_btc_hasher h;
    payload_btc_writer w;
    int ret = payload_btc_hasher_init(err, &h);

    if (ret != PAYLOAD_OK) {
        return ret;
    }
    payload_btc_writer_init_hash(&w, &h);
    payload_btc_tx_write_ex(&w, tx, 0, NULL, NULL);
    return payload_btc_hasher_final_sha256d(err, txid, &h);
}

int payload_btc_tx_scan_output(
        payload_err *err, uint8_t txid[32], payload_btc_txout *out, const uint8_t *raw, size_t len, uint32_t vout)
{
    walk_state st;
    payload_btc_hasher h;
    int ret;

    if (len > PAYLOAD_BTC_TX_MAX_SCAN_SIZE) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "tx: %zu bytes exceeds the maximum of %u", len,
                PAYLOAD_BTC_TX_MAX_SCAN_SIZE);
    }
    memset(&st, 0, sizeof st);
    st.want_vout = vout;
    st.found = out;
    ret = walk(err, &st, raw, len, PAYLOAD_BTC_TX_ALLOW_WITNESS);
    if (ret != PAYLOAD_OK) {
        return ret;
    }
    if (!st.have_found) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "tx: output %u does not exist", (unsigned)vout);
    }
    /* The txid covers version, inputs, outputs and locktime: the serialization minus the segwit
     * marker/flag and the witnesses, which are exactly the bytes outside [body_start, body_end). */
    ret = payload_btc_hasher_init(err, &h);
    if (ret != PAYLOAD_OK) {
        return ret;
    }
    payload_btc_hasher_update(&h, raw, 4);
    payload_btc_hasher_update(&h, raw + st.body_start, st.body_end - st.body_start);
    payload_btc_hasher_update(&h, raw + len - 4, 4);
    return payload_btc_hasher_final_sha256d(err, txid, &h);
}
