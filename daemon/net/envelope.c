#include "envelope.h"

#include <stdlib.h>
#include <string.h>

static int printable(const char *s, size_t max) {
    size_t n = strlen(s);
    if (n > max) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 0x20 || s[i] > 0x7e) {
            return 0;
        }
    }
    return 1;
}

static int check_hello(const Mpc__Wire__Hello *h) {
    if (h->base.n_unknown_fields != 0) {
        return NET_E_ENV_DECODE;
    }
    if (net_role_name((net_role)h->role) == NULL || h->id == NULL || !net_id_valid(h->id, strlen(h->id)) ||
            h->software_version == NULL || !printable(h->software_version, NET_ENV_VERSION_STR_MAX)) {
        return NET_E_ENV_FIELD;
    }
    return NET_OK;
}

static int check_error(const Mpc__Wire__Error *e) {
    if (e->base.n_unknown_fields != 0) {
        return NET_E_ENV_DECODE;
    }
    if (e->code == 0 || e->message == NULL || !printable(e->message, NET_ENV_ERROR_MSG_MAX)) {
        return NET_E_ENV_FIELD;
    }
    return NET_OK;
}

int net_env_check(const Mpc__Wire__Envelope *env) {
    if (env->base.descriptor != &mpc__wire__envelope__descriptor || env->base.n_unknown_fields != 0) {
        return NET_E_ENV_DECODE;
    }
    if (env->version != NET_ENV_VERSION) {
        return NET_E_ENV_VERSION;
    }
    switch (env->type) {
    case MPC__WIRE__MSG_TYPE__MSG_TYPE_HELLO:
        if (env->body_case != MPC__WIRE__ENVELOPE__BODY_HELLO || env->hello == NULL) {
            return NET_E_ENV_TYPE;
        }
        return check_hello(env->hello);
    case MPC__WIRE__MSG_TYPE__MSG_TYPE_ERROR:
        if (env->body_case != MPC__WIRE__ENVELOPE__BODY_ERROR || env->error == NULL) {
            return NET_E_ENV_TYPE;
        }
        return check_error(env->error);
    default:
        return NET_E_ENV_TYPE;
    }
}

int net_env_pack(unsigned char **out, size_t *out_len, const Mpc__Wire__Envelope *env, size_t max_len) {
    unsigned char *buf = NULL;
    size_t len;
    int r;

    *out = NULL;
    *out_len = 0;
    r = net_env_check(env);
    if (r != NET_OK) {
        goto out;
    }
    len = mpc__wire__envelope__get_packed_size(env);
    r = NET_E_ENV_TOO_BIG;
    if (len == 0 || len > max_len) {
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
    *out = buf;
    *out_len = len;
    buf = NULL;
    r = NET_OK;
out:
    free(buf);
    return r;
}

int net_env_unpack(Mpc__Wire__Envelope **out, const unsigned char *buf, size_t len, size_t max_len) {
    return net_env_unpack_checked(out, buf, len, max_len, net_env_check);
}

int net_env_unpack_checked(Mpc__Wire__Envelope **out, const unsigned char *buf, size_t len, size_t max_len,
                           net_env_check_fn check) {
    Mpc__Wire__Envelope *env = NULL;
    unsigned char *again = NULL;
    int r = NET_E_ENV_TOO_BIG;

    *out = NULL;
    if (len > max_len) {
        goto out;
    }
    r = NET_E_ENV_DECODE;
    env = mpc__wire__envelope__unpack(NULL, len, buf);
    if (env == NULL) {
        goto out;
    }
    r = check(env);
    if (r != NET_OK) {
        goto out;
    }
    r = NET_E_ENV_NONCANONICAL;
    if (mpc__wire__envelope__get_packed_size(env) != len) {
        goto out;
    }
    again = malloc(len);
    if (again == NULL) {
        r = NET_E_NOMEM;
        goto out;
    }
    if (mpc__wire__envelope__pack(env, again) != len || memcmp(again, buf, len) != 0) {
        goto out;
    }
    *out = env;
    env = NULL;
    r = NET_OK;
out:
    if (r != NET_OK) {
        net_log(NET_LOG_DEBUG, "envelope rejected (%zu bytes): %s", len, net_strerror(r));
    }
    free(again);
    net_env_free(env);
    return r;
}

void net_env_free(Mpc__Wire__Envelope *env) {
    if (env != NULL) {
        mpc__wire__envelope__free_unpacked(env, NULL);
    }
}
