/* Canonical summary of a signing request and its two renderings (see payload/summary.h). */
#include "payload/summary.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "payload/addr_eth.h"
#include "payload/u256.h"

static const char *const field_names[PAYLOAD_SF_COUNT] = {
    "payload", "network", "chain_id", "key", "path", "signer", "operation", "call", "safe", "from", "to",
    "asset", "amount", "native_value", "contract", "selector", "calldata_len", "fee", "gas", "nonce",
    "total_in", "sent", "change", "primary_type", "domain_name", "domain_version", "verifying_contract",
    "salt", "message_encoding",
};

static const char *const warning_texts[PAYLOAD_WARN_COUNT] = {
    "unlimited-approval: the approval amount is effectively unlimited (>= 2^255 units)",
    "approval: lets the spender move these tokens later without another signature",
    "delegatecall: the Safe executes a MultiSendCallOnly batch in its own context",
    "contract-call: calldata is not decoded; the effect of this call is unknown",
    "unknown-token: token contract not in the asset registry; amount shown in raw units",
    "gas-refund: the Safe pays a gas refund in a token or to a custom receiver",
    "safe-self-call: the Safe calls itself (owners, threshold, modules or upgrade)",
    "high-fee: the (maximum) fee exceeds 10% of the amount sent",
    "change-unverified: no own-key check was available; every output is shown as a payment",
    "native-value-with-call: native coin is sent along with a contract or token call",
    "message-not-text: the message is not plain text and is shown as hex",
    "typed-data: EIP-712 message fields are not decoded; compare the domain and message hashes",
    "permit: EIP-712 Permit is an off-chain token approval",
    "chain-unchecked: no configured chain id; the payload's own chain id is shown unchecked",
    "no-chain-id: the EIP-712 domain has no chainId; the signature is valid on every chain",
    "transfer-from: transferFrom moves tokens out of another owner's allowance",
};

static const char *const op_names[] = {
    "", "transfer", "token-transfer", "token-transfer-from", "approval", "contract-call", "safe-transaction",
    "safe-delegatecall-multisend", "personal-message", "typed-data", "bitcoin-spend",
};

static const char *const type_names[] = { "", "eip191", "eth-tx", "erc20", "eip712", "safe-tx", "psbt" };

const char *payload_op_class_name(uint32_t op)
{
    if (op == 0 || op >= sizeof op_names / sizeof op_names[0]) {
        return "unknown";
    }
    return op_names[op];
}

const char *payload_summary_field_name(unsigned f)
{
    return f < PAYLOAD_SF_COUNT ? field_names[f] : NULL;
}

const char *payload_warning_text(unsigned bit)
{
    return bit < PAYLOAD_WARN_COUNT ? warning_texts[bit] : NULL;
}

const char *payload_type_name(uint32_t type)
{
    if (type == 0 || type >= sizeof type_names / sizeof type_names[0]) {
        return NULL;
    }
    return type_names[type];
}

uint32_t payload_type_from_name(const char *name)
{
    for (uint32_t t = 1; t < sizeof type_names / sizeof type_names[0]; t++) {
        if (strcmp(name, type_names[t]) == 0) {
            return t;
        }
    }
    return 0;
}

/* ---- building ---- */

/* Formatting into fixed buffers; a value that does not fit makes the whole build fail (sticky), so
 * a summary is never shown truncated. */
typedef struct {
    payload_summary *s;
    const payload_summary_ctx *ctx;
    int overflow;
} builder;

__attribute__((format(printf, 4, 0))) static void vput(builder *b, char *dst, size_t size, const char *fmt,
                                                       va_list ap)
{
    int n = vsnprintf(dst, size, fmt, ap);

    if (n < 0 || (size_t)n >= size) {
        b->overflow = 1;
    }
}

__attribute__((format(printf, 4, 5))) static void put(builder *b, char *dst, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vput(b, dst, size, fmt, ap);
    va_end(ap);
}

__attribute__((format(printf, 3, 4))) static void setf(builder *b, unsigned f, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vput(b, b->s->field[f], PAYLOAD_SUMMARY_VALUE_MAX, fmt, ap);
    va_end(ap);
}

typedef struct {
    char s[PAYLOAD_U256_DEC_MAX];
} dec_str;

/* Fails the build (sticky) rather than show an empty amount, e.g. for a registry entry with more
 * than 77 decimals from a caller that did not use payload_summary_registry_parse. */
static dec_str dec256(builder *b, const uint8_t v[32], unsigned decimals)
{
    dec_str d;

    if (payload_u256_to_decimal(d.s, sizeof d.s, v, decimals) != 0) {
        d.s[0] = '\0';
        b->overflow = 1;
    }
    return d;
}

static void u64_to_u256(uint8_t out[32], uint64_t v)
{
    memset(out, 0, 32);
    for (size_t i = 0; i < 8; i++) {
        out[31 - i] = (uint8_t)(v >> (8 * i));
    }
}

static dec_str dec64(builder *b, uint64_t v, unsigned decimals)
{
    uint8_t be[32];

    u64_to_u256(be, v);
    return dec256(b, be, decimals);
}

typedef struct {
    char s[PAYLOAD_ETH_ADDR_STR_SIZE];
} addr_str;

static addr_str eth_addr(const uint8_t a[20])
{
    addr_str r;

    payload_eth_addr_checksum(r.s, a);
    return r;
}

typedef struct {
    char s[67];
} hash_str;

static hash_str hex32(const uint8_t h[32])
{
    hash_str r;

    r.s[0] = '0';
    r.s[1] = 'x';
    if (payload_hex_encode(r.s + 2, sizeof r.s - 2, h, 32) != PAYLOAD_OK) {
        r.s[0] = '\0';
    }
    return r;
}

static const char *native_symbol(const payload_summary_ctx *ctx)
{
    return ctx->native_symbol != NULL ? ctx->native_symbol : "ETH";
}

static void add_digest(builder *b, const uint8_t d[32], const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void add_digest(builder *b, const uint8_t d[32], const char *fmt, ...)
{
    payload_summary_digest *e;
    va_list ap;

    if (b->s->n_digests >= PAYLOAD_SUMMARY_MAX_DIGESTS) {
        b->overflow = 1;
        return;
    }
    e = &b->s->digests[b->s->n_digests++];
    memcpy(e->digest, d, 32);
    va_start(ap, fmt);
    vput(b, e->label, sizeof e->label, fmt, ap);
    va_end(ap);
}

static void set_key_fields(builder *b)
{
    const payload_summary_ctx *ctx = b->ctx;

    if (ctx->key_id != NULL) {
        setf(b, PAYLOAD_SF_KEY, "%s", ctx->key_id);
    }
    if (ctx->path_len > 0) {
        char *p = b->s->field[PAYLOAD_SF_PATH];
        size_t pos = 1;

        p[0] = 'm';
        p[1] = '\0';
        for (size_t i = 0; i < ctx->path_len; i++) {
            put(b, p + pos, PAYLOAD_SUMMARY_VALUE_MAX - pos, "/%u%s", (unsigned)(ctx->path[i] & 0x7fffffffu),
                (ctx->path[i] & 0x80000000u) ? "'" : "");
            pos += strlen(p + pos);
        }
    }
}

/* Length of s, or max + 1 if s is longer than max. */
static size_t bounded_len(const char *s, size_t max)
{
    size_t n = 0;

    while (n <= max && s[n] != '\0') {
        n++;
    }
    return n;
}

static int check_ctx(payload_err *err, const payload_summary_ctx *ctx)
{
    if (ctx->key_id != NULL) {
        size_t n = bounded_len(ctx->key_id, PAYLOAD_SUMMARY_KEY_ID_MAX);

        if (n == 0 || n > PAYLOAD_SUMMARY_KEY_ID_MAX) {
            return payload_fail(err, PAYLOAD_E_ARG, "summary: key id must be 1 to %u characters",
                                PAYLOAD_SUMMARY_KEY_ID_MAX);
        }
        for (size_t i = 0; i < n; i++) {
            if (ctx->key_id[i] < 0x21 || ctx->key_id[i] > 0x7e) {
                return payload_fail(err, PAYLOAD_E_ARG, "summary: key id must be printable ASCII without spaces");
            }
        }
    }
    if (ctx->path_len > PAYLOAD_SUMMARY_MAX_PATH || (ctx->path_len > 0 && ctx->path == NULL)) {
        return payload_fail(err, PAYLOAD_E_ARG, "summary: derivation path longer than %u steps",
                            PAYLOAD_SUMMARY_MAX_PATH);
    }
    if (ctx->native_symbol != NULL &&
        (ctx->native_symbol[0] == '\0' ||
         bounded_len(ctx->native_symbol, PAYLOAD_ASSET_SYMBOL_MAX) >= (size_t)PAYLOAD_ASSET_SYMBOL_MAX)) {
        return payload_fail(err, PAYLOAD_E_ARG, "summary: native symbol must be 1 to %u characters",
                            PAYLOAD_ASSET_SYMBOL_MAX - 1);
    }
    return PAYLOAD_OK;
}

/* The chain the payload is checked against: the configured one, or (not configured) the payload's. */
static int eth_chain(payload_err *err, builder *b, uint64_t payload_chain)
{
    if (b->ctx->chain_id == 0) {
        b->s->warnings |= PAYLOAD_WARN_CHAIN_UNCHECKED;
    } else if (payload_chain != b->ctx->chain_id) {
        return payload_fail(err, PAYLOAD_E_POLICY, "summary: chain id %llu does not match the configured chain id %llu",
                            (unsigned long long)payload_chain, (unsigned long long)b->ctx->chain_id);
    }
    setf(b, PAYLOAD_SF_NETWORK, "evm");
    setf(b, PAYLOAD_SF_CHAIN_ID, "%llu", (unsigned long long)payload_chain);
    return PAYLOAD_OK;
}

/* What one EVM call (to, value, decoded calldata) does, in display form. Shared by transactions,
 * the call a Safe makes, and MultiSend inner calls. */
typedef struct {
    uint32_t op;
    uint32_t warnings;
    char to[PAYLOAD_SUMMARY_VALUE_MAX];
    char from[PAYLOAD_SUMMARY_VALUE_MAX];      /* transferFrom owner only */
    char asset[PAYLOAD_SUMMARY_VALUE_MAX];
    char amount[PAYLOAD_SUMMARY_VALUE_MAX];
    char native_value[PAYLOAD_SUMMARY_VALUE_MAX];
    char contract[PAYLOAD_SUMMARY_VALUE_MAX];
    char selector[PAYLOAD_SUMMARY_VALUE_MAX];
    char calldata_len[PAYLOAD_SUMMARY_VALUE_MAX];
} call_view;

static void describe_call(builder *b, call_view *v, const uint8_t to[20], const uint8_t value[32], size_t data_len,
                          const payload_erc20_call *call)
{
    const char *native = native_symbol(b->ctx);
    const size_t n = PAYLOAD_SUMMARY_VALUE_MAX;

    memset(v, 0, sizeof *v);
    switch (call->kind) {
    case PAYLOAD_CALL_NONE:
        v->op = PAYLOAD_OP_TRANSFER;
        put(b, v->to, n, "%s", eth_addr(to).s);
        put(b, v->asset, n, "%s", native);
        put(b, v->amount, n, "%s %s", dec256(b, value, 18).s, native);
        return;
    case PAYLOAD_CALL_ERC20_TRANSFER:
    case PAYLOAD_CALL_ERC20_TRANSFER_FROM:
    case PAYLOAD_CALL_ERC20_APPROVE:
        if (call->kind == PAYLOAD_CALL_ERC20_TRANSFER) {
            v->op = PAYLOAD_OP_TOKEN_TRANSFER;
        } else if (call->kind == PAYLOAD_CALL_ERC20_TRANSFER_FROM) {
            v->op = PAYLOAD_OP_TOKEN_TRANSFER_FROM;
            v->warnings |= PAYLOAD_WARN_TRANSFER_FROM;
            put(b, v->from, n, "%s", eth_addr(call->from).s);
        } else {
            v->op = PAYLOAD_OP_APPROVAL;
            v->warnings |= PAYLOAD_WARN_APPROVAL;
            if (call->flags & (PAYLOAD_ERC20_UNLIMITED | PAYLOAD_ERC20_UNLIMITED_MAX)) {
                v->warnings |= PAYLOAD_WARN_UNLIMITED_APPROVAL;
            }
        }
        put(b, v->to, n, "%s", eth_addr(call->to).s);
        put(b, v->contract, n, "%s", eth_addr(to).s);
        if (call->asset != NULL) {
            put(b, v->asset, n, "%s (%s)", call->asset->symbol, eth_addr(to).s);
            put(b, v->amount, n, "%s %s", dec256(b, call->amount, call->asset->decimals).s, call->asset->symbol);
        } else {
            v->warnings |= PAYLOAD_WARN_UNKNOWN_TOKEN;
            put(b, v->asset, n, "unknown token (%s)", eth_addr(to).s);
            put(b, v->amount, n, "%s raw units", dec256(b, call->amount, 0).s);
        }
        if (!payload_u256_is_zero(value)) {
            v->warnings |= PAYLOAD_WARN_NATIVE_WITH_CALL;
            put(b, v->native_value, n, "%s %s", dec256(b, value, 18).s, native);
        }
        return;
    default:
        v->op = PAYLOAD_OP_CONTRACT_CALL;
        v->warnings |= PAYLOAD_WARN_CONTRACT_CALL;
        put(b, v->to, n, "%s", eth_addr(to).s);
        put(b, v->contract, n, "%s", eth_addr(to).s);
        put(b, v->asset, n, "%s", native);
        put(b, v->amount, n, "%s %s", dec256(b, value, 18).s, native);
        put(b, v->selector, n, "0x%02x%02x%02x%02x", call->selector[0], call->selector[1], call->selector[2],
            call->selector[3]);
        put(b, v->calldata_len, n, "%zu", data_len);
        if (!payload_u256_is_zero(value)) {
            v->warnings |= PAYLOAD_WARN_NATIVE_WITH_CALL;
        }
        return;
    }
}

static void call_view_to_fields(builder *b, const call_view *v)
{
    payload_summary *s = b->s;

    s->warnings |= v->warnings;
    if (v->from[0] != '\0') {
        memcpy(s->field[PAYLOAD_SF_FROM], v->from, sizeof v->from);
    }
    memcpy(s->field[PAYLOAD_SF_TO], v->to, sizeof v->to);
    memcpy(s->field[PAYLOAD_SF_ASSET], v->asset, sizeof v->asset);
    memcpy(s->field[PAYLOAD_SF_AMOUNT], v->amount, sizeof v->amount);
    memcpy(s->field[PAYLOAD_SF_NATIVE_VALUE], v->native_value, sizeof v->native_value);
    memcpy(s->field[PAYLOAD_SF_CONTRACT], v->contract, sizeof v->contract);
    memcpy(s->field[PAYLOAD_SF_SELECTOR], v->selector, sizeof v->selector);
    memcpy(s->field[PAYLOAD_SF_CALLDATA_LEN], v->calldata_len, sizeof v->calldata_len);
}

static void set_signer(builder *b)
{
    if (b->ctx->own_address != NULL) {
        setf(b, PAYLOAD_SF_SIGNER, "%s", eth_addr(b->ctx->own_address).s);
    }
}

static int build_eth_tx(payload_err *err, builder *b, payload_summary_work *w, payload_type type, const uint8_t *raw,
                        size_t len)
{
    payload_eth_tx *tx = &w->u.eth;
    payload_summary *s = b->s;
    payload_erc20_call call;
    call_view v;
    int r;

    r = payload_eth_tx_decode(err, tx, PAYLOAD_ETH_TX_UNSIGNED, raw, len);
    if (r != PAYLOAD_OK) {
        return r;
    }
    r = eth_chain(err, b, tx->chain_id);
    if (r != PAYLOAD_OK) {
        return r;
    }
    r = payload_erc20_decode(err, &call, b->ctx->registry, tx->chain_id, tx->to, tx->data, tx->data_len);
    if (r != PAYLOAD_OK) {
        return r;
    }
    if (type == PAYLOAD_TYPE_ERC20 && (call.kind == PAYLOAD_CALL_NONE || call.kind == PAYLOAD_CALL_CONTRACT)) {
        return payload_fail(err, PAYLOAD_E_POLICY, "summary: erc20 payload whose calldata is not an ERC-20 "
                                                   "transfer, approve or transferFrom call");
    }
    r = payload_eth_tx_signing_hash(err, w->digests[0], tx);
    if (r != PAYLOAD_OK) {
        return r;
    }
    describe_call(b, &v, tx->to, tx->value, tx->data_len, &call);
    s->op = v.op;
    if (b->ctx->own_address != NULL) {
        setf(b, PAYLOAD_SF_FROM, "%s", eth_addr(b->ctx->own_address).s);
    }
    call_view_to_fields(b, &v);
    setf(b, PAYLOAD_SF_FEE, "max %s %s", dec256(b, tx->max_fee_total, 18).s, native_symbol(b->ctx));
    if (tx->type == PAYLOAD_ETH_TX_EIP1559) {
        setf(b, PAYLOAD_SF_GAS, "type 2, gas limit %llu, max fee per gas %s gwei, max priority fee per gas %s gwei",
             (unsigned long long)tx->gas_limit, dec256(b, tx->max_fee_per_gas, 9).s,
             dec256(b, tx->max_priority_fee_per_gas, 9).s);
    } else {
        setf(b, PAYLOAD_SF_GAS, "type %u, gas limit %llu, gas price %s gwei", (unsigned)tx->type,
             (unsigned long long)tx->gas_limit, dec256(b, tx->gas_price, 9).s);
    }
    if (v.op == PAYLOAD_OP_TRANSFER && !payload_u256_is_zero(tx->value)) {
        uint8_t fee10[32];

        /* A product beyond 256 bits is certainly above any value. */
        if (payload_u256_mul_u64(fee10, tx->max_fee_total, 10) != 0 || payload_u256_cmp(fee10, tx->value) > 0) {
            s->warnings |= PAYLOAD_WARN_HIGH_FEE;
        }
    }
    setf(b, PAYLOAD_SF_NONCE, "%llu", (unsigned long long)tx->nonce);
    add_digest(b, w->digests[0], "transaction signing hash (keccak256 of the unsigned type-%u transaction)",
               (unsigned)tx->type);
    return PAYLOAD_OK;
}

static int build_eip191(payload_err *err, builder *b, payload_summary_work *w, const uint8_t *raw, size_t len)
{
    payload_summary *s = b->s;
    int is_hex = 0, r;

    r = payload_eip191_personal_digest(err, w->digests[0], raw, len);
    if (r != PAYLOAD_OK) {
        return r;
    }
    r = payload_eip191_display(err, s->message, sizeof s->message, &is_hex, raw, len);
    if (r != PAYLOAD_OK) {
        return r;
    }
    s->op = PAYLOAD_OP_PERSONAL_MESSAGE;
    set_signer(b);
    setf(b, PAYLOAD_SF_MESSAGE_ENCODING, "%s", is_hex ? "hex" : "text");
    if (is_hex) {
        s->warnings |= PAYLOAD_WARN_MESSAGE_NOT_TEXT;
    }
    add_digest(b, w->digests[0], "personal_sign digest (EIP-191 version 0x45, %zu-byte message)", len);
    return PAYLOAD_OK;
}

/* A domain string shown verbatim only when it is plain text by the EIP-191 display rules: a name
 * full of bidirectional overrides must not pass for another one. The message buffer is scratch here
 * (it is only used by EIP-191 payloads). */
static int set_domain_string(payload_err *err, builder *b, unsigned f, const char *str)
{
    payload_summary *s = b->s;
    int is_hex = 0;
    int r = payload_eip191_display(err, s->message, sizeof s->message, &is_hex, (const uint8_t *)str, strlen(str));

    if (r == PAYLOAD_OK) {
        setf(b, f, "%s%s", is_hex ? "hex:" : "", s->message);
    }
    memset(s->message, 0, sizeof s->message);
    return r;
}

static int parse_typed(payload_err *err, payload_summary_work *w, const uint8_t *raw, size_t len)
{
    return payload_eip712_parse_json(err, &w->u.typed.doc, w->u.typed.toks, PAYLOAD_EIP712_MAX_TOKENS,
                                     (const char *)raw, len);
}

/* The domain chainId as a 64-bit value; fails if it does not fit. */
static int doc_chain_u64(payload_err *err, uint64_t *out, const payload_eip712_doc *doc)
{
    for (size_t i = 0; i < 24; i++) {
        if (doc->chain_id[i] != 0) {
            return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "summary: EIP-712 domain chainId does not fit 64 bits");
        }
    }
    *out = 0;
    for (size_t i = 24; i < 32; i++) {
        *out = (*out << 8) | doc->chain_id[i];
    }
    return PAYLOAD_OK;
}

static int build_eip712(payload_err *err, builder *b, payload_summary_work *w, const uint8_t *raw, size_t len)
{
    payload_eip712_doc *doc = &w->u.typed.doc;
    payload_summary *s = b->s;
    int r;

    r = parse_typed(err, w, raw, len);
    if (r != PAYLOAD_OK) {
        return r;
    }
    if (strcmp(doc->primary_type, "SafeTx") == 0) {
        return payload_fail(err, PAYLOAD_E_POLICY, "summary: SafeTx typed data must be submitted as a safe-tx "
                                                   "payload so the Safe rules apply");
    }
    s->op = PAYLOAD_OP_TYPED_DATA;
    s->warnings |= PAYLOAD_WARN_TYPED_DATA;
    if (strcmp(doc->primary_type, "Permit") == 0) {
        s->warnings |= PAYLOAD_WARN_PERMIT;
    }
    if (doc->domain_fields & PAYLOAD_EIP712_DOMAIN_CHAIN_ID) {
        uint64_t chain;

        r = doc_chain_u64(err, &chain, doc);
        if (r == PAYLOAD_OK) {
            r = eth_chain(err, b, chain);
        }
        if (r != PAYLOAD_OK) {
            return r;
        }
    } else {
        s->warnings |= PAYLOAD_WARN_NO_CHAIN_ID;
        setf(b, PAYLOAD_SF_NETWORK, "evm");
    }
    set_signer(b);
    setf(b, PAYLOAD_SF_PRIMARY_TYPE, "%s", doc->primary_type);
    if (doc->domain_fields & PAYLOAD_EIP712_DOMAIN_NAME) {
        r = set_domain_string(err, b, PAYLOAD_SF_DOMAIN_NAME, doc->domain_name);
        if (r != PAYLOAD_OK) {
            return r;
        }
    }
    if (doc->domain_fields & PAYLOAD_EIP712_DOMAIN_VERSION) {
        r = set_domain_string(err, b, PAYLOAD_SF_DOMAIN_VERSION, doc->domain_version);
        if (r != PAYLOAD_OK) {
            return r;
        }
    }
    if (doc->domain_fields & PAYLOAD_EIP712_DOMAIN_VERIFYING_CONTRACT) {
        setf(b, PAYLOAD_SF_VERIFYING_CONTRACT, "%s", eth_addr(doc->verifying_contract).s);
    }
    if (doc->domain_fields & PAYLOAD_EIP712_DOMAIN_SALT) {
        setf(b, PAYLOAD_SF_SALT, "%s", hex32(doc->salt).s);
    }
    memcpy(w->digests[0], doc->digest, 32);
    s->has_typed_hashes = 1;
    memcpy(s->domain_hash, doc->domain_separator, 32);
    memcpy(s->message_hash, doc->message_hash, 32);
    add_digest(b, w->digests[0], "EIP-712 digest keccak256(0x1901 || domain hash || message hash)");
    return PAYLOAD_OK;
}

static void add_item(builder *b, const char *kind, const char *to, const char *amount, const char *detail)
{
    payload_summary_item *it;

    if (b->s->n_items >= PAYLOAD_SUMMARY_MAX_ITEMS) {
        b->overflow = 1;
        return;
    }
    it = &b->s->items[b->s->n_items++];
    put(b, it->kind, sizeof it->kind, "%s", kind);
    put(b, it->to, sizeof it->to, "%s", to);
    put(b, it->amount, sizeof it->amount, "%s", amount);
    put(b, it->detail, sizeof it->detail, "%s", detail);
}

static int build_safe(payload_err *err, builder *b, payload_summary_work *w, const uint8_t *raw, size_t len)
{
    payload_eip712_doc *doc = &w->u.typed.doc;
    payload_safe_tx *tx = &w->u.typed.safe;
    payload_safe_report *rep = &w->u.typed.report;
    payload_summary *s = b->s;
    payload_safe_policy policy;
    uint64_t chain = b->ctx->chain_id;
    call_view v;
    int r;

    r = parse_typed(err, w, raw, len);
    if (r != PAYLOAD_OK) {
        return r;
    }
    if (chain == 0) {
        if (!(doc->domain_fields & PAYLOAD_EIP712_DOMAIN_CHAIN_ID)) {
            return payload_fail(err, PAYLOAD_E_ARG, "summary: a Safe domain without chainId (Safe <= 1.2.0) "
                                                    "needs the configured chain id");
        }
        r = doc_chain_u64(err, &chain, doc);
        if (r != PAYLOAD_OK) {
            return r;
        }
    }
    r = payload_safe_tx_from_eip712(err, tx, w->u.typed.safe_data, sizeof w->u.typed.safe_data, doc, chain);
    if (r != PAYLOAD_OK) {
        return r;
    }
    r = eth_chain(err, b, tx->chain_id);
    if (r != PAYLOAD_OK) {
        return r;
    }
    policy.multisend_call_only = b->ctx->multisend_call_only;
    policy.n_multisend_call_only = b->ctx->n_multisend_call_only;
    policy.registry = b->ctx->registry;
    r = payload_safe_tx_check(err, rep, tx, &policy);
    if (r != PAYLOAD_OK) {
        return r;
    }
    set_signer(b);
    setf(b, PAYLOAD_SF_SAFE, "%s", eth_addr(tx->safe).s);
    setf(b, PAYLOAD_SF_FROM, "%s", eth_addr(tx->safe).s);
    if (rep->flags & PAYLOAD_SAFE_FLAG_DELEGATECALL) {
        s->op = PAYLOAD_OP_SAFE_MULTISEND;
        s->warnings |= PAYLOAD_WARN_DELEGATECALL;
        setf(b, PAYLOAD_SF_CONTRACT, "%s", eth_addr(tx->to).s);
        setf(b, PAYLOAD_SF_CALLDATA_LEN, "%zu", tx->data_len);
        for (size_t i = 0; i < rep->n_inner; i++) {
            const payload_safe_call *c = &rep->inner[i];
            char detail[PAYLOAD_SUMMARY_VALUE_MAX];

            describe_call(b, &v, c->to, c->value, c->data_len, &c->call);
            s->warnings |= v.warnings;
            if (v.op == PAYLOAD_OP_CONTRACT_CALL) {
                put(b, detail, sizeof detail, "contract %s, selector %s, %s bytes of calldata", v.contract,
                    v.selector, v.calldata_len);
            } else if (v.op == PAYLOAD_OP_TRANSFER) {
                put(b, detail, sizeof detail, "%s", v.asset);
            } else {
                put(b, detail, sizeof detail, "%s%s%s%s%s", v.asset, v.from[0] ? ", from " : "", v.from,
                    v.native_value[0] ? ", plus native value " : "", v.native_value);
            }
            add_item(b, payload_op_class_name(v.op), v.to, v.amount, detail);
        }
    } else {
        s->op = PAYLOAD_OP_SAFE_TX;
        describe_call(b, &v, tx->to, tx->value, tx->data_len, &rep->top.call);
        setf(b, PAYLOAD_SF_CALL, "%s", payload_op_class_name(v.op));
        call_view_to_fields(b, &v);
    }
    if (rep->flags & PAYLOAD_SAFE_FLAG_GAS_REFUND) {
        s->warnings |= PAYLOAD_WARN_GAS_REFUND;
    }
    if (rep->flags & PAYLOAD_SAFE_FLAG_SELF_CALL) {
        s->warnings |= PAYLOAD_WARN_SAFE_SELF_CALL;
    }
    if (rep->flags & PAYLOAD_SAFE_FLAG_CONTRACT_CALL) {
        s->warnings |= PAYLOAD_WARN_CONTRACT_CALL;
    }
    if (rep->flags & PAYLOAD_SAFE_FLAG_UNLIMITED_APPROVAL) {
        s->warnings |= PAYLOAD_WARN_UNLIMITED_APPROVAL;
    }
    setf(b, PAYLOAD_SF_GAS, "safeTxGas %s, baseGas %s, gasPrice %s, gasToken %s, refundReceiver %s",
         dec256(b, tx->safe_tx_gas, 0).s, dec256(b, tx->base_gas, 0).s, dec256(b, tx->gas_price, 0).s,
         eth_addr(tx->gas_token).s, eth_addr(tx->refund_receiver).s);
    setf(b, PAYLOAD_SF_NONCE, "%s", dec256(b, tx->nonce, 0).s);
    memcpy(w->digests[0], rep->hashes.safe_tx_hash, 32);
    s->has_typed_hashes = 1;
    memcpy(s->domain_hash, rep->hashes.domain_separator, 32);
    memcpy(s->message_hash, rep->hashes.message_hash, 32);
    add_digest(b, w->digests[0], "safeTxHash (EIP-712, Safe %s domain)",
               tx->domain_kind == PAYLOAD_SAFE_DOMAIN_CHAIN_ID ? ">= 1.3.0" : "<= 1.2.0");
    return PAYLOAD_OK;
}

static const char *btc_network_name(payload_btc_network net)
{
    switch (net) {
    case PAYLOAD_BTC_NET_MAIN:
        return "bitcoin-main";
    case PAYLOAD_BTC_NET_TESTNET:
        return "bitcoin-testnet";
    case PAYLOAD_BTC_NET_SIGNET:
        return "bitcoin-signet";
    case PAYLOAD_BTC_NET_REGTEST:
        return "bitcoin-regtest";
    }
    return NULL;
}

static const char *btc_input_kind_name(payload_btc_input_kind k)
{
    switch (k) {
    case PAYLOAD_BTC_INPUT_P2PKH:
        return "p2pkh";
    case PAYLOAD_BTC_INPUT_P2WPKH:
        return "p2wpkh";
    case PAYLOAD_BTC_INPUT_P2SH_P2WPKH:
        return "p2sh-p2wpkh";
    }
    return "unknown";
}

static void origin_path(builder *b, char *out, size_t size, const payload_btc_key_origin *o)
{
    size_t pos = 1;

    out[0] = 'm';
    out[1] = '\0';
    for (size_t i = 0; i < o->depth && i < PAYLOAD_BTC_PSBT_MAX_PATH; i++) {
        put(b, out + pos, size - pos, "/%u%s", (unsigned)(o->path[i] & 0x7fffffffu),
            (o->path[i] & 0x80000000u) ? "'" : "");
        pos += strlen(out + pos);
    }
}

static int build_psbt(payload_err *err, builder *b, payload_summary_work *w, const uint8_t *raw, size_t len)
{
    payload_btc_psbt_summary *info = &w->u.btc.info;
    payload_summary *s = b->s;
    const char *net = btc_network_name(b->ctx->btc_network);
    uint64_t sent = 0, change = 0;
    size_t n_external = 0, last_external = 0;
    int r;

    if (net == NULL) {
        return payload_fail(err, PAYLOAD_E_ARG, "summary: unknown Bitcoin network %d", (int)b->ctx->btc_network);
    }
    r = payload_btc_psbt_parse(err, &w->u.btc.psbt, raw, len);
    if (r != PAYLOAD_OK) {
        return r;
    }
    r = payload_btc_psbt_analyze(err, info, &w->u.btc.psbt, b->ctx->btc_network, b->ctx->is_own, b->ctx->is_own_ctx);
    if (r != PAYLOAD_OK) {
        return r;
    }
    s->op = PAYLOAD_OP_BITCOIN_SPEND;
    setf(b, PAYLOAD_SF_NETWORK, "%s", net);
    if (b->ctx->is_own == NULL) {
        s->warnings |= PAYLOAD_WARN_CHANGE_UNVERIFIED;
    }
    for (size_t i = 0; i < info->n_out; i++) {
        const payload_btc_psbt_output_info *o = &info->out[i];
        char amount[PAYLOAD_SUMMARY_VALUE_MAX];

        put(b, amount, sizeof amount, "%s BTC", dec64(b, o->amount, 8).s);
        add_item(b, o->is_change ? "change" : "output", o->address, amount, payload_btc_addr_type_name(o->type));
        /* analyze bounds every amount and the total by 21e6 BTC, so the sums cannot overflow. */
        if (o->is_change) {
            change += o->amount;
        } else {
            sent += o->amount;
            n_external++;
            last_external = i;
        }
    }
    if (n_external == 1) {
        setf(b, PAYLOAD_SF_TO, "%s", info->out[last_external].address);
    } else {
        setf(b, PAYLOAD_SF_TO, "%zu outputs (see items)", n_external);
    }
    setf(b, PAYLOAD_SF_ASSET, "BTC");
    setf(b, PAYLOAD_SF_AMOUNT, "%s BTC", dec64(b, sent, 8).s);
    setf(b, PAYLOAD_SF_FEE, "%s BTC", dec64(b, info->fee, 8).s);
    setf(b, PAYLOAD_SF_TOTAL_IN, "%s BTC", dec64(b, info->total_in, 8).s);
    setf(b, PAYLOAD_SF_SENT, "%s BTC", dec64(b, sent, 8).s);
    setf(b, PAYLOAD_SF_CHANGE, "%s BTC", dec64(b, change, 8).s);
    if (info->fee > (sent != 0 ? sent : info->total_out) / 10u) {
        s->warnings |= PAYLOAD_WARN_HIGH_FEE;
    }
    for (size_t i = 0; i < info->n_in; i++) {
        const payload_btc_psbt_input_info *in = &info->in[i];
        char path[PAYLOAD_SUMMARY_VALUE_MAX];

        origin_path(b, path, sizeof path, &in->origin);
        memcpy(w->digests[i], in->digest, 32);
        add_digest(b, in->digest, "input %zu: %s, %s BTC, key %s (master fingerprint %02x%02x%02x%02x), SIGHASH_ALL",
                   i, btc_input_kind_name(in->kind), dec64(b, in->amount, 8).s, path, in->origin.fingerprint[0],
                   in->origin.fingerprint[1], in->origin.fingerprint[2], in->origin.fingerprint[3]);
    }
    return PAYLOAD_OK;
}

int payload_summary_build(payload_err *err, payload_summary *out, payload_summary_work *work,
                          const payload_summary_ctx *ctx, payload_type type, const uint8_t *raw, size_t len)
{
    builder b = { out, ctx, 0 };
    int r = PAYLOAD_E_INTERNAL;

    payload_err_clear(err);
    memset(out, 0, sizeof *out);
    if (raw == NULL && len > 0) {
        return payload_fail(err, PAYLOAD_E_ARG, "summary: no payload bytes");
    }
    r = check_ctx(err, ctx);
    if (r != PAYLOAD_OK) {
        return r;
    }
    if (payload_type_name((uint32_t)type) == NULL) {
        return payload_fail(err, PAYLOAD_E_UNSUPPORTED, "summary: unknown payload type %d", (int)type);
    }
    out->type = (uint32_t)type;
    setf(&b, PAYLOAD_SF_PAYLOAD, "%s", payload_type_name((uint32_t)type));
    set_key_fields(&b);
    switch (type) {
    case PAYLOAD_TYPE_ETH_TX:
    case PAYLOAD_TYPE_ERC20:
        r = build_eth_tx(err, &b, work, type, raw, len);
        break;
    case PAYLOAD_TYPE_EIP191:
        r = build_eip191(err, &b, work, raw, len);
        break;
    case PAYLOAD_TYPE_EIP712:
        r = build_eip712(err, &b, work, raw, len);
        break;
    case PAYLOAD_TYPE_SAFE_TX:
        r = build_safe(err, &b, work, raw, len);
        break;
    case PAYLOAD_TYPE_PSBT:
        r = build_psbt(err, &b, work, raw, len);
        break;
    }
    if (r == PAYLOAD_OK && b.overflow) {
        r = payload_fail(err, PAYLOAD_E_LIMIT,
                         "summary: a value cannot be shown in full (too long, or asset decimals above 77)");
    }
    if (r == PAYLOAD_OK) {
        setf(&b, PAYLOAD_SF_OPERATION, "%s", payload_op_class_name(out->op));
        r = payload_fingerprint_compute(err, &out->fingerprint, &work->digests[0][0], out->n_digests);
    }
    if (r != PAYLOAD_OK) {
        payload_err saved;

        /* Keep the reason, drop every partial result: a refused payload has no digest to show. */
        saved = err != NULL ? *err : (payload_err){ 0 };
        memset(out, 0, sizeof *out);
        if (err != NULL) {
            *err = saved;
        }
    }
    return r;
}

/* ---- rendering ---- */

typedef struct {
    char *buf;
    size_t cap;
    size_t len;
    int overflow;
    int json;
} writer;

static void w_bytes(writer *w, const char *p, size_t n)
{
    if (w->overflow || n >= w->cap - w->len) {
        w->overflow = 1;
        return;
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

static void w_str(writer *w, const char *s)
{
    w_bytes(w, s, strlen(s));
}

/* The same escapes in both renderings: a value never spans lines, and the JSON one is valid. */
static void w_escaped(writer *w, const char *s)
{
    static const char hexdig[] = "0123456789abcdef";

    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        char e[7];

        if (*p == '\\' || (*p == '"' && w->json)) {
            e[0] = '\\';
            e[1] = (char)*p;
            w_bytes(w, e, 2);
        } else if (*p == '\n') {
            w_str(w, "\\n");
        } else if (*p == '\r') {
            w_str(w, "\\r");
        } else if (*p == '\t') {
            w_str(w, "\\t");
        } else if (*p < 0x20 || *p == 0x7f) {
            memcpy(e, "\\u00", 4);
            e[4] = hexdig[*p >> 4];
            e[5] = hexdig[*p & 0x0f];
            w_bytes(w, e, 6);
        } else {
            w_bytes(w, (const char *)p, 1);
        }
    }
}

/* A text line "name: value" or a JSON member "name":"value" (comma handled by the caller's `first`). */
static void w_pair(writer *w, int *first, const char *name, const char *value)
{
    if (w->json) {
        if (!*first) {
            w_str(w, ",");
        }
        w_str(w, "\"");
        w_str(w, name);
        w_str(w, "\":\"");
        w_escaped(w, value);
        w_str(w, "\"");
    } else {
        w_str(w, name);
        w_str(w, ": ");
        w_escaped(w, value);
        w_str(w, "\n");
    }
    *first = 0;
}

/* Text names of array entries: prefix[i].member (member may be NULL). */
static void text_name(char *out, size_t size, const char *prefix, size_t i, const char *member)
{
    if (member != NULL) {
        snprintf(out, size, "%s[%zu].%s", prefix, i, member);
    } else {
        snprintf(out, size, "%s[%zu]", prefix, i);
    }
}

/* An array: JSON "plural":[ ... ]; text: one line per entry member. */
static void w_array_open(writer *w, int *first, const char *plural)
{
    if (w->json) {
        if (!*first) {
            w_str(w, ",");
        }
        w_str(w, "\"");
        w_str(w, plural);
        w_str(w, "\":[");
    }
    *first = 0;
}

static void w_array_close(writer *w)
{
    if (w->json) {
        w_str(w, "]");
    }
}

static void w_entry(writer *w, size_t i, const char *singular, size_t n, const char *const *names,
                    const char *const *values)
{
    char name[64];
    int first = 1;

    if (w->json) {
        w_str(w, i > 0 ? ",{" : "{");
    }
    for (size_t k = 0; k < n; k++) {
        if (w->json) {
            w_pair(w, &first, names[k], values[k]);
        } else {
            text_name(name, sizeof name, singular, i, names[k]);
            w_pair(w, &first, name, values[k]);
        }
    }
    if (w->json) {
        w_str(w, "}");
    }
}

static void render(writer *w, const payload_summary *s)
{
    static const char *const item_names[4] = { "kind", "to", "amount", "detail" };
    static const char *const digest_names[2] = { "label", "hex" };
    static const char *const fp_names[3] = { "subject", "hex", "words" };
    char name[64];
    int first = 1;
    size_t n;

    if (w->json) {
        w_str(w, "{");
    }
    for (unsigned f = 0; f < PAYLOAD_SF_COUNT; f++) {
        if (s->field[f][0] != '\0') {
            w_pair(w, &first, field_names[f], s->field[f]);
        }
    }
    if (s->type == PAYLOAD_TYPE_EIP191) {
        w_pair(w, &first, "message", s->message);
    }
    if (s->n_items > 0) {
        w_array_open(w, &first, "items");
        for (size_t i = 0; i < s->n_items; i++) {
            const char *v[4] = { s->items[i].kind, s->items[i].to, s->items[i].amount, s->items[i].detail };

            w_entry(w, i, "item", 4, item_names, v);
        }
        w_array_close(w);
    }
    if (s->warnings != 0) {
        w_array_open(w, &first, "warnings");
        n = 0;
        for (unsigned bit = 0; bit < PAYLOAD_WARN_COUNT; bit++) {
            if (s->warnings & (1u << bit)) {
                if (w->json) {
                    w_str(w, n > 0 ? ",\"" : "\"");
                    w_escaped(w, warning_texts[bit]);
                    w_str(w, "\"");
                } else {
                    int unused = 0;

                    text_name(name, sizeof name, "warning", n, NULL);
                    w_pair(w, &unused, name, warning_texts[bit]);
                }
                n++;
            }
        }
        w_array_close(w);
    }
    w_array_open(w, &first, "digests");
    for (size_t i = 0; i < s->n_digests; i++) {
        hash_str h = hex32(s->digests[i].digest);
        const char *v[2] = { s->digests[i].label, h.s };

        w_entry(w, i, "digest", 2, digest_names, v);
    }
    w_array_close(w);
    if (s->has_typed_hashes) {
        hash_str dh = hex32(s->domain_hash), mh = hex32(s->message_hash);

        w_pair(w, &first, "domain_hash", dh.s);
        w_pair(w, &first, "message_hash", mh.s);
    }
    {
        const char *subject = s->n_digests == 1 ? "digest[0]" : "keccak256 of the digest set";
        const char *v[3] = { subject, s->fingerprint.hex, s->fingerprint.words };

        if (w->json) {
            w_str(w, ",\"fingerprint\":{");
            first = 1;
            for (size_t k = 0; k < 3; k++) {
                w_pair(w, &first, fp_names[k], v[k]);
            }
            w_str(w, "}}\n");
        } else {
            for (size_t k = 0; k < 3; k++) {
                snprintf(name, sizeof name, "fingerprint.%s", fp_names[k]);
                w_pair(w, &first, name, v[k]);
            }
        }
    }
}

static int render_to(payload_err *err, char *out, size_t out_size, size_t *out_len, const payload_summary *s, int json)
{
    writer w = { out, out_size, 0, 0, json };

    payload_err_clear(err);
    *out_len = 0;
    if (out_size == 0) {
        return payload_fail(err, PAYLOAD_E_OUTPUT, "summary: empty output buffer");
    }
    out[0] = '\0';
    if (s->n_digests == 0) {
        return payload_fail(err, PAYLOAD_E_ARG, "summary: nothing to render (no digest)");
    }
    render(&w, s);
    if (w.overflow) {
        out[0] = '\0';
        return payload_fail(err, PAYLOAD_E_OUTPUT, "summary: output buffer of %zu bytes too small", out_size);
    }
    *out_len = w.len;
    return PAYLOAD_OK;
}

int payload_summary_render_text(payload_err *err, char *out, size_t out_size, size_t *out_len, const payload_summary *s)
{
    return render_to(err, out, out_size, out_len, s, 0);
}

int payload_summary_render_json(payload_err *err, char *out, size_t out_size, size_t *out_len, const payload_summary *s)
{
    return render_to(err, out, out_size, out_len, s, 1);
}

/* ---- asset registry ---- */

/* Decimal without leading zeros, at most max. */
static int parse_dec(uint64_t *out, const char *p, size_t n, uint64_t max)
{
    uint64_t v = 0;

    if (n == 0 || n > 20 || (n > 1 && p[0] == '0')) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9' || v > (max - (uint64_t)(p[i] - '0')) / 10u) {
            return -1;
        }
        v = v * 10u + (uint64_t)(p[i] - '0');
    }
    *out = v;
    return 0;
}

static int symbol_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
}

static int parse_registry_line(payload_err *err, payload_asset *a, const char *line, size_t n, size_t lineno)
{
    const char *tok[4];
    size_t tlen[4], nt = 0, start = 0;
    uint64_t v;
    int r;

    for (size_t i = 0; i <= n; i++) {
        if (i == n || line[i] == ' ') {
            if (nt == 4 || i == start) {
                return payload_fail(err, PAYLOAD_E_ENCODING,
                                    "registry line %zu: need exactly 4 fields separated by single spaces", lineno);
            }
            tok[nt] = line + start;
            tlen[nt++] = i - start;
            start = i + 1;
        } else if ((unsigned char)line[i] < 0x21 || (unsigned char)line[i] > 0x7e) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "registry line %zu: character 0x%02x not allowed", lineno,
                                (unsigned)(unsigned char)line[i]);
        }
    }
    if (nt != 4) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "registry line %zu: need exactly 4 fields", lineno);
    }
    memset(a, 0, sizeof *a);
    if (parse_dec(&v, tok[0], tlen[0], PAYLOAD_ETH_MAX_CHAIN_ID) != 0 || v == 0) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "registry line %zu: bad chain id", lineno);
    }
    a->chain_id = v;
    r = payload_eth_addr_parse(err, a->contract, NULL, tok[1], tlen[1]);
    if (r != PAYLOAD_OK) {
        return payload_fail(err, r, "registry line %zu: bad address (%s)", lineno, payload_strerror(r));
    }
    if (tlen[2] == 0 || tlen[2] >= PAYLOAD_ASSET_SYMBOL_MAX) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "registry line %zu: symbol must be 1 to %u characters", lineno,
                            PAYLOAD_ASSET_SYMBOL_MAX - 1);
    }
    for (size_t i = 0; i < tlen[2]; i++) {
        if (!symbol_char(tok[2][i])) {
            return payload_fail(err, PAYLOAD_E_ENCODING, "registry line %zu: symbol may only use A-Z a-z 0-9 . _ -",
                                lineno);
        }
    }
    memcpy(a->symbol, tok[2], tlen[2]);
    if (parse_dec(&v, tok[3], tlen[3], 77) != 0) {
        return payload_fail(err, PAYLOAD_E_ENCODING, "registry line %zu: decimals must be 0 to 77", lineno);
    }
    a->decimals = (uint8_t)v;
    return PAYLOAD_OK;
}

int payload_summary_registry_parse(payload_err *err, payload_asset *assets, size_t max_assets, size_t *n_assets,
                                   const char *text, size_t len)
{
    size_t pos = 0, lineno = 0, n = 0;
    int r;

    payload_err_clear(err);
    *n_assets = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t line_len = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
        const char *line = text + pos;

        lineno++;
        pos += line_len + (nl != NULL ? 1u : 0u);
        if (line_len == 0 || line[0] == '#') {
            continue;
        }
        if (n == max_assets) {
            return payload_fail(err, PAYLOAD_E_LIMIT, "registry line %zu: more than %zu assets", lineno, max_assets);
        }
        r = parse_registry_line(err, &assets[n], line, line_len, lineno);
        if (r != PAYLOAD_OK) {
            return r;
        }
        for (size_t i = 0; i < n; i++) {
            if (assets[i].chain_id == assets[n].chain_id && memcmp(assets[i].contract, assets[n].contract, 20) == 0) {
                return payload_fail(err, PAYLOAD_E_ENCODING, "registry line %zu: asset listed twice", lineno);
            }
        }
        n++;
    }
    *n_assets = n;
    return PAYLOAD_OK;
}
