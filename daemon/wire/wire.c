#include "wire.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "envelope.h"

/* Bytes fields with a fixed size, by name, in every message of wire.proto. */
static const struct {
    const char *name;
    size_t len;
} fixed_bytes[] = {
    {"key_id", WIRE_ID_BYTES},       {"request_id", WIRE_ID_BYTES}, {"session_id", WIRE_ID_BYTES},
    {"identity_pk", 32},             {"public_key", WIRE_PUBKEY_BYTES}, {"chain_code", 32},
    {"digest", 32},                  {"public_hash", 32},           {"coord_nonce", 32},
    {"public_hashes", 32},           {"new_key_id", WIRE_ID_BYTES}, {"fingerprint_subject", 32},
    {"approval", WIRE_APPROVAL_BYTES}, {"approvals", WIRE_APPROVAL_BYTES},
};

/* Printable ASCII; multi_line also admits line feeds (summaries are several lines). */
static int printable(const char *s, size_t max, int multi_line) {
    size_t n = strlen(s);
    if (n > max) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if ((s[i] < 0x20 || s[i] > 0x7e) && !(multi_line && s[i] == '\n')) {
            return 0;
        }
    }
    return 1;
}

static int check_bytes(const ProtobufCFieldDescriptor *f, const ProtobufCBinaryData *b) {
    for (size_t i = 0; i < sizeof(fixed_bytes) / sizeof(fixed_bytes[0]); i++) {
        if (strcmp(f->name, fixed_bytes[i].name) == 0) {
            return b->len == 0 || b->len == fixed_bytes[i].len;
        }
    }
    return 1;
}

static int check_message(const ProtobufCMessage *m, unsigned depth);

static int check_value(const ProtobufCFieldDescriptor *f, const void *p, unsigned depth) {
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(const char *const *)p;
        size_t max = strcmp(f->name, "idempotency_key") == 0 ? WIRE_IDEMPOTENCY_MAX : WIRE_STRING_MAX;
        return s != NULL && printable(s, max, strcmp(f->name, "summary") == 0) ? NET_OK : NET_E_ENV_FIELD;
    }
    case PROTOBUF_C_TYPE_BYTES:
        return check_bytes(f, p) ? NET_OK : NET_E_ENV_FIELD;
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)p;
        return sub == NULL ? NET_E_ENV_FIELD : check_message(sub, depth + 1);
    }
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumDescriptor *ed = f->descriptor;
        return protobuf_c_enum_descriptor_get_value(ed, *(const int *)p) != NULL ? NET_OK : NET_E_ENV_FIELD;
    }
    default:
        return NET_OK;
    }
}

static size_t value_size(const ProtobufCFieldDescriptor *f) {
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING: return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE: return sizeof(ProtobufCMessage *);
    case PROTOBUF_C_TYPE_UINT64: return sizeof(uint64_t);
    case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
    default: return sizeof(uint32_t);
    }
}

/* Every wire.proto message is nested at most three deep below the body; more is an attack. */
static int check_message(const ProtobufCMessage *m, unsigned depth) {
    const ProtobufCMessageDescriptor *d = m->descriptor;
    if (depth > 4) {
        return NET_E_ENV_FIELD;
    }
    if (m->n_unknown_fields != 0) {
        return NET_E_ENV_DECODE;
    }
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const unsigned char *base = (const unsigned char *)m + f->offset;
        int r;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n;
            const unsigned char *arr;
            memcpy(&n, (const unsigned char *)m + f->quantifier_offset, sizeof(n));
            memcpy(&arr, base, sizeof(arr));
            for (size_t k = 0; k < n; k++) {
                r = check_value(f, arr + k * value_size(f), depth);
                if (r != NET_OK) {
                    return r;
                }
            }
            continue;
        }
        r = check_value(f, base, depth);
        if (r != NET_OK) {
            return r;
        }
    }
    return NET_OK;
}

int wire_check(const Mpc__Wire__Envelope *env) {
    const ProtobufCMessage *body;
    if (env->base.descriptor != &mpc__wire__envelope__descriptor || env->base.n_unknown_fields != 0) {
        return NET_E_ENV_DECODE;
    }
    if (env->type == MPC__WIRE__MSG_TYPE__MSG_TYPE_HELLO || env->type == MPC__WIRE__MSG_TYPE__MSG_TYPE_ERROR) {
        return net_env_check(env);
    }
    if (env->version != NET_ENV_VERSION) {
        return NET_E_ENV_VERSION;
    }
    if (protobuf_c_enum_descriptor_get_value(&mpc__wire__msg_type__descriptor, (int)env->type) == NULL ||
            env->type == MPC__WIRE__MSG_TYPE__MSG_TYPE_UNSPECIFIED || (int)env->body_case != (int)env->type) {
        return NET_E_ENV_TYPE;
    }
    /* Every member of the body union is a message pointer. */
    body = (const ProtobufCMessage *)env->hello;
    if (body == NULL) {
        return NET_E_ENV_TYPE;
    }
    return check_message(body, 0);
}

int wire_unpack(Mpc__Wire__Envelope **out, const unsigned char *buf, size_t len) {
    return net_env_unpack_checked(out, buf, len, WIRE_MAX_FRAME, wire_check);
}

void wire_init(Mpc__Wire__Envelope *env, Mpc__Wire__MsgType type, void *body) {
    mpc__wire__envelope__init(env);
    env->version = NET_ENV_VERSION;
    env->type = type;
    env->body_case = (Mpc__Wire__Envelope__BodyCase)type;
    env->hello = body;
}

int wire_send(net_conn *c, const Mpc__Wire__Envelope *env) {
    unsigned char *buf = NULL;
    size_t len;
    int r = wire_check(env);
    if (r != NET_OK) {
        goto out;
    }
    len = mpc__wire__envelope__get_packed_size(env);
    r = NET_E_ENV_TOO_BIG;
    if (len == 0 || len > WIRE_MAX_FRAME) {
        goto out;
    }
    r = NET_E_NOMEM;
    buf = malloc(len);
    if (buf == NULL) {
        goto out;
    }
    r = NET_E_INTERNAL;
    if (mpc__wire__envelope__pack(env, buf) != len) {
        goto out;
    }
    r = net_conn_send(c, buf, len);
out:
    free(buf);
    return r;
}

void wire_hex(char *out, const unsigned char *in, size_t len) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}

static int nibble(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int wire_unhex(unsigned char *out, size_t len, const char *hex) {
    if (strlen(hex) != 2 * len) {
        return NET_E_ARG;
    }
    for (size_t i = 0; i < len; i++) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return NET_E_ARG;
        }
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return NET_OK;
}

uint64_t wire_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
