#include "payload/btc_sighash.h"

#include <string.h>

#include "btc_tx_internal.h"
#include "btc_util.h"

enum { OP_PUSHDATA1 = 0x4c, OP_PUSHDATA2 = 0x4d, OP_PUSHDATA4 = 0x4e, OP_CODESEPARATOR = 0xab };

/* Advance *pos over one script operation as Bitcoin Core's GetScriptOp does, including where it
 * leaves the position when the operation is truncated (that position decides how many bytes
 * Core's scriptCode serialization writes). Returns 1 with *opcode set, or 0 at the end or on a
 * truncated push. */
static int get_op(size_t *pos, uint8_t *opcode, const uint8_t *s, size_t len)
{
    size_t p = *pos, n;

    if (p >= len) {
        return 0;
    }
    *opcode = s[p++];
    if (*opcode <= OP_PUSHDATA4) {
        if (*opcode < OP_PUSHDATA1) {
            n = *opcode;
        } else {
            size_t width = *opcode == OP_PUSHDATA1 ? 1 : *opcode == OP_PUSHDATA2 ? 2 : 4;
            if (len - p < width) {
                *pos = p;
                return 0;
            }
            n = 0;
            for (size_t i = width; i > 0; i--) {
                n = n << 8 | s[p + i - 1];
            }
            p += width;
        }
        if (len - p < n) {
            *pos = p;
            return 0;
        }
        p += n;
    }
    *pos = p;
    return 1;
}

/* Core's CTransactionSignatureSerializer::SerializeScriptCode: the script without its
 * OP_CODESEPARATORs, with a length prefix that assumes the whole script was kept. */
static void write_script_code(payload_btc_writer *w, const uint8_t *s, size_t len)
{
    size_t pos = 0, begin = 0, seps = 0;
    uint8_t op = 0;

    while (get_op(&pos, &op, s, len)) {
        seps += op == OP_CODESEPARATOR;
    }
    payload_btc_write_compact(w, len - seps);
    pos = 0;
    while (get_op(&pos, &op, s, len)) {
        if (op == OP_CODESEPARATOR) {
            payload_btc_write_bytes(w, s + begin, pos - begin - 1);
            begin = pos;
        }
    }
    if (begin != len) {
        payload_btc_write_bytes(w, s + begin, pos - begin);
    }
}

static int check_args(payload_err *err, const payload_btc_tx *tx, size_t in_index, size_t script_code_len)
{
    if (tx->n_in > PAYLOAD_BTC_TX_MAX_INPUTS || tx->n_out > PAYLOAD_BTC_TX_MAX_OUTPUTS) {
        return payload_fail(err, PAYLOAD_E_ARG, "sighash: transaction counts over the struct bounds");
    }
    if (in_index >= tx->n_in) {
        return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "sighash: input %zu does not exist (%zu inputs)",
                in_index, tx->n_in);
    }
    if (script_code_len > PAYLOAD_BTC_SCRIPT_MAX_SIZE) {
        return payload_fail(err, PAYLOAD_E_LIMIT, "sighash: scriptCode of %zu bytes exceeds %u", script_code_len,
                PAYLOAD_BTC_SCRIPT_MAX_SIZE);
    }
    return PAYLOAD_OK;
}

int payload_btc_sighash_legacy(payload_err *err, uint8_t digest[32], const payload_btc_tx *tx, size_t in_index,
        const uint8_t *script_code, size_t script_code_len, uint32_t hash_type)
{
    unsigned base = hash_type & 0x1f;
    int anyone = (hash_type & PAYLOAD_BTC_SIGHASH_ANYONECANPAY) != 0;
    int single = base == PAYLOAD_BTC_SIGHASH_SINGLE, none = base == PAYLOAD_BTC_SIGHASH_NONE;
    size_t n_in, n_out;
    payload_btc_hasher h;
    payload_btc_writer w;
    int ret = check_args(err, tx, in_index, script_code_len);

    if (ret != PAYLOAD_OK) {
        return ret;
    }
    if (single && in_index >= tx->n_out) {
        return payload_fail(err, PAYLOAD_E_UNSUPPORTED,
                "sighash: SIGHASH_SINGLE for input %zu without a matching output (the 'one' bug)", in_index);
    }
    if ((ret = payload_btc_hasher_init(err, &h)) != PAYLOAD_OK) {
        return ret;
    }
    payload_btc_writer_init_hash(&w, &h);
    payload_btc_write_u32le(&w, tx->version);
    n_in = anyone ? 1 : tx->n_in;
    payload_btc_write_compact(&w, n_in);
    for (size_t k = 0; k < n_in; k++) {
        size_t i = anyone ? in_index : k;
        const payload_btc_txin *in = &tx->in[i];
        payload_btc_write_bytes(&w, in->prev_txid, 32);
        payload_btc_write_u32le(&w, in->prev_vout);
        if (i == in_index) {
            write_script_code(&w, script_code, script_code_len);
        } else {
            payload_btc_write_compact(&w, 0);
        }
        payload_btc_write_u32le(&w, (i != in_index && (single || none)) ? 0 : in->sequence);
    }
    n_out = none ? 0 : single ? in_index + 1 : tx->n_out;
    payload_btc_write_compact(&w, n_out);
    for (size_t i = 0; i < n_out; i++) {
        if (single && i != in_index) {
            /* A blanked output: value -1 and an empty script. */
            payload_btc_write_u64le(&w, UINT64_MAX);
            payload_btc_write_compact(&w, 0);
        } else {
            payload_btc_write_u64le(&w, tx->out[i].value);
            payload_btc_write_compact(&w, tx->out[i].script_pubkey.len);
            payload_btc_write_bytes(&w, tx->out[i].script_pubkey.data, tx->out[i].script_pubkey.len);
        }
    }
    payload_btc_write_u32le(&w, tx->locktime);
    payload_btc_write_u32le(&w, hash_type);
    return payload_btc_hasher_final_sha256d(err, digest, &h);
}

/* SHA256d over a selection of the transaction's fields (BIP143 hashPrevouts etc.). */
typedef enum { PART_PREVOUTS, PART_SEQUENCES, PART_OUTPUTS, PART_ONE_OUTPUT } bip143_part;

static int hash_part(payload_err *err, uint8_t out[32], const payload_btc_tx *tx, bip143_part part, size_t index)
{
    payload_btc_hasher h;
    payload_btc_writer w;
    size_t first = part == PART_ONE_OUTPUT ? index : 0;
    size_t end = part == PART_ONE_OUTPUT ? index + 1 : part == PART_OUTPUTS ? tx->n_out : tx->n_in;
    int ret = payload_btc_hasher_init(err, &h);

    if (ret != PAYLOAD_OK) {
        return ret;
    }
    payload_btc_writer_init_hash(&w, &h);
    for (size_t i = first; i < end; i++) {
        if (part == PART_PREVOUTS) {
            payload_btc_write_bytes(&w, tx->in[i].prev_txid, 32);
            payload_btc_write_u32le(&w, tx->in[i].prev_vout);
        } else if (part == PART_SEQUENCES) {
            payload_btc_write_u32le(&w, tx->in[i].sequence);
        } else {
            payload_btc_write_u64le(&w, tx->out[i].value);
            payload_btc_write_compact(&w, tx->out[i].script_pubkey.len);
            payload_btc_write_bytes(&w, tx->out[i].script_pubkey.data, tx->out[i].script_pubkey.len);
        }
    }
    return payload_btc_hasher_final_sha256d(err, out, &h);
}

static int write_bip143(payload_err *err, payload_btc_writer *w, const payload_btc_tx *tx, size_t in_index,
        const uint8_t *script_code, size_t script_code_len, uint64_t amount, uint32_t hash_type)
{
    unsigned base = hash_type & 0x1f;
    int anyone = (hash_type & PAYLOAD_BTC_SIGHASH_ANYONECANPAY) != 0;
    int single = base == PAYLOAD_BTC_SIGHASH_SINGLE, none = base == PAYLOAD_BTC_SIGHASH_NONE;
    uint8_t prevouts[32] = { 0 }, sequences[32] = { 0 }, outputs[32] = { 0 };
    int ret = check_args(err, tx, in_index, script_code_len);

    if (ret != PAYLOAD_OK) {
        return ret;
    }
    if (!anyone && (ret = hash_part(err, prevouts, tx, PART_PREVOUTS, 0)) != PAYLOAD_OK) {
        return ret;
    }
    if (!anyone && !single && !none && (ret = hash_part(err, sequences, tx, PART_SEQUENCES, 0)) != PAYLOAD_OK) {
        return ret;
    }
    if (!single && !none) {
        ret = hash_part(err, outputs, tx, PART_OUTPUTS, 0);
    } else if (single && in_index < tx->n_out) {
        ret = hash_part(err, outputs, tx, PART_ONE_OUTPUT, in_index);
    }
    if (ret != PAYLOAD_OK) {
        return ret;
    }
    payload_btc_write_u32le(w, tx->version);
    payload_btc_write_bytes(w, prevouts, 32);
    payload_btc_write_bytes(w, sequences, 32);
    payload_btc_write_bytes(w, tx->in[in_index].prev_txid, 32);
    payload_btc_write_u32le(w, tx->in[in_index].prev_vout);
    payload_btc_write_compact(w, script_code_len);
    payload_btc_write_bytes(w, script_code, script_code_len);
    payload_btc_write_u64le(w, amount);
    payload_btc_write_u32le(w, tx->in[in_index].sequence);
    payload_btc_write_bytes(w, outputs, 32);
    payload_btc_write_u32le(w, tx->locktime);
    payload_btc_write_u32le(w, hash_type);
    return PAYLOAD_OK;
}

int payload_btc_sighash_segwit_v0_preimage(payload_err *err, uint8_t *preimage, size_t preimage_size,
        size_t *preimage_len, const payload_btc_tx *tx, size_t in_index, const uint8_t *script_code,
        size_t script_code_len, uint64_t amount, uint32_t hash_type)
{
    payload_btc_writer w;
    int ret;

    payload_btc_writer_init_buf(&w, preimage, preimage_size);
    ret = write_bip143(err, &w, tx, in_index, script_code, script_code_len, amount, hash_type);
    if (ret == PAYLOAD_OK) {
        ret = payload_btc_writer_status(err, &w, "bip143 preimage");
    }
    if (ret == PAYLOAD_OK) {
        *preimage_len = w.len;
    }
    return ret;
}

int payload_btc_sighash_segwit_v0(payload_err *err, uint8_t digest[32], const payload_btc_tx *tx, size_t in_index,
        const uint8_t *script_code, size_t script_code_len, uint64_t amount, uint32_t hash_type)
{
    payload_btc_hasher h;
    payload_btc_writer w;
    int ret = payload_btc_hasher_init(err, &h);

    if (ret != PAYLOAD_OK) {
        return ret;
    }
    payload_btc_writer_init_hash(&w, &h);
    ret = write_bip143(err, &w, tx, in_index, script_code, script_code_len, amount, hash_type);
    if (ret != PAYLOAD_OK) {
        payload_btc_hasher_free(&h);
        return ret;
    }
    return payload_btc_hasher_final_sha256d(err, digest, &h);
}
