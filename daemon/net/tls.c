#include "tls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* Longest certificate chain we accept: leaf, optional intermediate, root. */
#define TLS_VERIFY_DEPTH 3

typedef struct {
    net_role role;
    char id[NET_ID_MAX + 1];
} allow_entry;

struct net_tls_ctx {
    SSL_CTX *ssl_ctx;
    int is_server;
    unsigned refs;
    allow_entry *allow;
    size_t allow_len;
};

struct net_tls {
    net_tls_ctx *ctx;
    SSL *ssl;
    BIO *rbio;                     /* ciphertext from the network, read by OpenSSL */
    BIO *wbio;                     /* ciphertext from OpenSSL, to the network */
    int established;
    int error;                     /* sticky failure */
    int verify_error;              /* first failure seen by the verify callback */
    net_role peer_role;
    char peer_id[NET_ID_MAX + 1];
    const char *detail;            /* static string or detail_buf */
    char detail_buf[160];
};

int net_tls_identity_uri(char *out, size_t cap, net_role role, const char *id) {
    const char *name = net_role_name(role);
    int n;
    if (name == NULL || !net_id_valid(id, strlen(id))) {
        return NET_E_ARG;
    }
    n = snprintf(out, cap, "%s%s/%s", NET_TLS_URI_SCHEME, name, id);
    if (n < 0 || (size_t)n >= cap) {
        return NET_E_ARG;
    }
    return NET_OK;
}

/* Parses "<role>/<id>" (len bytes, no NUL required). */
static int parse_identity_path(net_role *role, char id[NET_ID_MAX + 1], const char *p, size_t len) {
    const char *slash = memchr(p, '/', len);
    size_t role_len, id_len;
    if (slash == NULL) {
        return NET_E_PEER_IDENTITY;
    }
    role_len = (size_t)(slash - p);
    id_len = len - role_len - 1;
    for (int r = NET_ROLE_COORDINATOR; r <= NET_ROLE_REQUESTER; r++) {
        const char *name = net_role_name((net_role)r);
        if (strlen(name) == role_len && memcmp(name, p, role_len) == 0) {
            if (!net_id_valid(slash + 1, id_len)) {
                return NET_E_PEER_IDENTITY;
            }
            memcpy(id, slash + 1, id_len);
            id[id_len] = '\0';
            *role = (net_role)r;
            return NET_OK;
        }
    }
    return NET_E_PEER_IDENTITY;
}

/* Exactly one subjectAltName URI starting with mpc:// (tls.h). */
static int cert_identity(net_role *role, char id[NET_ID_MAX + 1], X509 *cert) {
    const size_t scheme_len = sizeof(NET_TLS_URI_SCHEME) - 1;
    int crit = 0, found = 0, r = NET_E_PEER_IDENTITY;
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, &crit, NULL);

    if (names == NULL) {
        goto out;
    }
    for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
        const unsigned char *data;
        int len;
        if (gn->type != GEN_URI) {
            continue;
        }
        data = ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier);
        len = ASN1_STRING_length(gn->d.uniformResourceIdentifier);
        if (len < 0 || (size_t)len < scheme_len || memcmp(data, NET_TLS_URI_SCHEME, scheme_len) != 0) {
            continue;
        }
        if (++found > 1) {
            r = NET_E_PEER_IDENTITY;
            goto out;
        }
        r = parse_identity_path(role, id, (const char *)data + scheme_len, (size_t)len - scheme_len);
        if (r != NET_OK) {
            goto out;
        }
    }
out:
    GENERAL_NAMES_free(names);
    return r;
}

static int allowed(const net_tls_ctx *ctx, net_role role, const char *id) {
    int role_seen = 0;
    for (size_t i = 0; i < ctx->allow_len; i++) {
        if (ctx->allow[i].role != role) {
            continue;
        }
        role_seen = 1;
        if (strcmp(ctx->allow[i].id, id) == 0) {
            return NET_OK;
        }
    }
    return role_seen ? NET_E_PEER_ID : NET_E_PEER_ROLE;
}

static void set_detail(net_tls *t, net_role role, const char *id, const char *what) {
    snprintf(t->detail_buf, sizeof(t->detail_buf), "%s %s %s", net_role_name(role), id, what);
    t->detail = t->detail_buf;
}

static int verify_cb(int ok, X509_STORE_CTX *xs) {
    SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
    net_tls *t = ssl != NULL ? SSL_get_app_data(ssl) : NULL;
    net_role role = NET_ROLE_NONE;
    char id[NET_ID_MAX + 1];
    int r;

    if (t == NULL) {
        return 0;
    }
    if (!ok) {
        if (t->verify_error == 0) {
            t->verify_error = NET_E_PEER_CERT;
            t->detail = X509_verify_cert_error_string(X509_STORE_CTX_get_error(xs));
        }
        return 0;
    }
    if (X509_STORE_CTX_get_error_depth(xs) != 0) {
        return 1;
    }
    r = cert_identity(&role, id, X509_STORE_CTX_get_current_cert(xs));
    if (r != NET_OK) {
        t->detail = "certificate has no single well-formed mpc://<role>/<id> URI";
        goto reject;
    }
    r = allowed(t->ctx, role, id);
    if (r == NET_E_PEER_ROLE) {
        set_detail(t, role, id, "has a role not accepted on this link");
        goto reject;
    }
    if (r == NET_E_PEER_ID) {
        set_detail(t, role, id, "is not in the allow-list");
        goto reject;
    }
    t->peer_role = role;
    memcpy(t->peer_id, id, sizeof(id));
    return 1;
reject:
    if (t->verify_error == 0) {
        t->verify_error = r;
    }
    X509_STORE_CTX_set_error(xs, X509_V_ERR_APPLICATION_VERIFICATION);
    return 0;
}

static void log_openssl(const char *what, const char *file) {
    unsigned long e = ERR_peek_last_error();
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    net_log(NET_LOG_WARN, "tls: cannot load %s %s: %s", what, file, e != 0 ? buf : "unknown error");
    ERR_clear_error();
}

net_tls_ctx *net_tls_ctx_ref(net_tls_ctx *ctx) {
    ctx->refs++;
    return ctx;
}

/* Like OpenSSH, refuse a private key file that others can read or write. */
static int key_file_private(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) {
        net_log(NET_LOG_WARN, "tls: cannot load private key %s: %s", path, strerror(errno));
        return NET_E_CONFIG;
    }
    if ((st.st_mode & 0077) != 0) {
        net_log(NET_LOG_WARN, "tls: private key %s has mode %03o: it must not be accessible by group or others",
                path, (unsigned)(st.st_mode & 0777));
        return NET_E_CONFIG;
    }
    return NET_OK;
}

void net_tls_ctx_free(net_tls_ctx *ctx) {
    if (ctx == NULL || --ctx->refs > 0) {
        return;
    }
    SSL_CTX_free(ctx->ssl_ctx);
    free(ctx->allow);
    free(ctx);
}

int net_tls_ctx_new(net_tls_ctx **out, const net_tls_config *cfg) {
    net_tls_ctx *ctx = NULL;
    int r = NET_E_ARG;

    *out = NULL;
    if (cfg->ca_file == NULL || cfg->cert_file == NULL || cfg->key_file == NULL || cfg->allow_len == 0) {
        goto out;
    }
    for (size_t i = 0; i < cfg->allow_len; i++) {
        if (net_role_name(cfg->allow[i].role) == NULL || cfg->allow[i].id == NULL ||
                !net_id_valid(cfg->allow[i].id, strlen(cfg->allow[i].id))) {
            net_log(NET_LOG_WARN, "tls: allow-list entry %zu is not a valid role and id", i);
            goto out;
        }
    }
    r = NET_E_NOMEM;
    ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL) {
        goto out;
    }
    ctx->refs = 1;
    ctx->is_server = cfg->is_server != 0;
    ctx->allow = calloc(cfg->allow_len, sizeof(*ctx->allow));
    if (ctx->allow == NULL) {
        goto out;
    }
    for (size_t i = 0; i < cfg->allow_len; i++) {
        ctx->allow[i].role = cfg->allow[i].role;
        memcpy(ctx->allow[i].id, cfg->allow[i].id, strlen(cfg->allow[i].id) + 1);
    }
    ctx->allow_len = cfg->allow_len;
    ctx->ssl_ctx = SSL_CTX_new(ctx->is_server ? TLS_server_method() : TLS_client_method());
    if (ctx->ssl_ctx == NULL) {
        goto out;
    }
    r = NET_E_INTERNAL;
    if (SSL_CTX_set_min_proto_version(ctx->ssl_ctx, TLS1_3_VERSION) != 1 ||
            SSL_CTX_set_max_proto_version(ctx->ssl_ctx, TLS1_3_VERSION) != 1) {
        goto out;
    }
    /* No session tickets and no cache: a resumed session would skip the certificate check. */
    SSL_CTX_set_options(ctx->ssl_ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(ctx->ssl_ctx, SSL_SESS_CACHE_OFF);
    if (ctx->is_server && SSL_CTX_set_num_tickets(ctx->ssl_ctx, 0) != 1) {
        goto out;
    }
    SSL_CTX_set_verify(ctx->ssl_ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
    SSL_CTX_set_verify_depth(ctx->ssl_ctx, TLS_VERIFY_DEPTH);

    r = NET_E_CONFIG;
    /* Only the deployment CA: SSL_CTX_set_default_verify_paths is deliberately never called. */
    if (SSL_CTX_load_verify_locations(ctx->ssl_ctx, cfg->ca_file, NULL) != 1) {
        log_openssl("CA file", cfg->ca_file);
        goto out;
    }
    if (SSL_CTX_use_certificate_chain_file(ctx->ssl_ctx, cfg->cert_file) != 1) {
        log_openssl("certificate", cfg->cert_file);
        goto out;
    }
    r = key_file_private(cfg->key_file);
    if (r != NET_OK) {
        goto out;
    }
    r = NET_E_CONFIG;
    if (SSL_CTX_use_PrivateKey_file(ctx->ssl_ctx, cfg->key_file, SSL_FILETYPE_PEM) != 1) {
        log_openssl("private key", cfg->key_file);
        goto out;
    }
    if (SSL_CTX_check_private_key(ctx->ssl_ctx) != 1) {
        log_openssl("private key (does not match the certificate)", cfg->key_file);
        goto out;
    }
    if (cfg->crl_file != NULL) {
        X509_STORE *store = SSL_CTX_get_cert_store(ctx->ssl_ctx);
        X509_LOOKUP *lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file());
        if (lookup == NULL || X509_load_crl_file(lookup, cfg->crl_file, X509_FILETYPE_PEM) <= 0) {
            log_openssl("CRL", cfg->crl_file);
            goto out;
        }
        X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
    }
    *out = ctx;
    ctx = NULL;
    r = NET_OK;
out:
    ERR_clear_error();
    if (ctx != NULL) {
        ctx->refs = 1;
        net_tls_ctx_free(ctx);
    }
    return r;
}

void net_tls_free(net_tls *t) {
    if (t == NULL) {
        return;
    }
    SSL_free(t->ssl); /* also frees both BIOs */
    net_tls_ctx_free(t->ctx);
    free(t);
}

int net_tls_new(net_tls **out, net_tls_ctx *ctx) {
    net_tls *t = calloc(1, sizeof(*t));
    int r = NET_E_NOMEM;

    *out = NULL;
    if (t == NULL) {
        goto out;
    }
    t->detail = "";
    t->ssl = SSL_new(ctx->ssl_ctx);
    if (t->ssl == NULL) {
        goto out;
    }
    t->rbio = BIO_new(BIO_s_mem());
    t->wbio = BIO_new(BIO_s_mem());
    if (t->rbio == NULL || t->wbio == NULL) {
        BIO_free(t->rbio);
        BIO_free(t->wbio);
        goto out;
    }
    SSL_set_bio(t->ssl, t->rbio, t->wbio);
    SSL_set_app_data(t->ssl, t);
    if (ctx->is_server) {
        SSL_set_accept_state(t->ssl);
    } else {
        SSL_set_connect_state(t->ssl);
    }
    t->ctx = net_tls_ctx_ref(ctx);
    *out = t;
    t = NULL;
    r = NET_OK;
out:
    ERR_clear_error();
    net_tls_free(t);
    return r;
}

int net_tls_feed(net_tls *t, const void *in, size_t len) {
    if (len == 0) {
        return NET_OK;
    }
    if (len > INT32_MAX || BIO_write(t->rbio, in, (int)len) != (int)len) {
        return NET_E_NOMEM;
    }
    return NET_OK;
}

/* Turns an OpenSSL failure into a NET_E_* code and a detail string; the error becomes sticky. */
static int fail(net_tls *t, int ssl_err) {
    unsigned long e = ERR_peek_error();
    int reason = ERR_GET_REASON(e);
    int r = NET_E_TLS;

    if (t->verify_error != 0) {
        r = t->verify_error;
    } else if (ssl_err == SSL_ERROR_SSL && e != 0) {
        t->detail = ERR_reason_error_string(e) != NULL ? ERR_reason_error_string(e) : "unknown";
        switch (reason) {
        case SSL_R_WRONG_VERSION_NUMBER:
        case SSL_R_HTTP_REQUEST:
        case SSL_R_HTTPS_PROXY_REQUEST:
        case SSL_R_PACKET_LENGTH_TOO_LONG:
        case SSL_R_UNKNOWN_PROTOCOL:
            r = t->established ? NET_E_TLS : NET_E_NOT_TLS;
            break;
        case SSL_R_UNSUPPORTED_PROTOCOL:
        case SSL_R_NO_PROTOCOLS_AVAILABLE:
        case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
            r = NET_E_TLS_VERSION;
            break;
        case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
        case SSL_R_CERTIFICATE_VERIFY_FAILED:
            r = NET_E_PEER_CERT;
            break;
        default:
            /* Received alerts are the reason codes above SSL_AD_REASON_OFFSET. */
            if (reason >= SSL_AD_REASON_OFFSET) {
                r = NET_E_PEER_REJECTED;
            }
            break;
        }
    } else if (ssl_err == SSL_ERROR_SYSCALL) {
        t->detail = "unexpected end of TLS stream";
    }
    ERR_clear_error();
    t->error = r;
    return r;
}

int net_tls_read(net_tls *t, void *out, size_t *out_len, size_t out_cap) {
    size_t n = 0;
    int rc, err;

    *out_len = 0;
    if (t->error != 0) {
        return t->error;
    }
    if (!t->established) {
        rc = SSL_do_handshake(t->ssl);
        if (rc != 1) {
            err = SSL_get_error(t->ssl, rc);
            if (err == SSL_ERROR_WANT_READ) {
                return NET_OK;
            }
            return fail(t, err);
        }
        /* Defence in depth: the verify callback must have accepted a certificate. */
        if (SSL_get_verify_result(t->ssl) != X509_V_OK || SSL_get0_peer_certificate(t->ssl) == NULL ||
                t->peer_role == NET_ROLE_NONE) {
            t->detail = "handshake completed without an accepted peer certificate";
            t->error = NET_E_PEER_CERT;
            return t->error;
        }
        t->established = 1;
    }
    rc = SSL_read_ex(t->ssl, out, out_cap, &n);
    if (rc == 1) {
        *out_len = n;
        return NET_OK;
    }
    err = SSL_get_error(t->ssl, rc);
    if (err == SSL_ERROR_WANT_READ) {
        return NET_OK;
    }
    if (err == SSL_ERROR_ZERO_RETURN) {
        t->error = NET_E_EOF;
        return NET_E_EOF;
    }
    return fail(t, err);
}

int net_tls_established(const net_tls *t) {
    return t->established && t->error == 0;
}

int net_tls_write(net_tls *t, const void *in, size_t len) {
    size_t n = 0;
    if (!net_tls_established(t)) {
        return NET_E_STATE;
    }
    if (len == 0) {
        return NET_OK;
    }
    /* The write BIO is memory, so OpenSSL never has to wait: all or an error. */
    if (SSL_write_ex(t->ssl, in, len, &n) != 1 || n != len) {
        return fail(t, SSL_get_error(t->ssl, 0));
    }
    return NET_OK;
}

void net_tls_close_notify(net_tls *t) {
    if (t->established && t->error == 0) {
        (void)SSL_shutdown(t->ssl);
        ERR_clear_error();
    }
}

size_t net_tls_pending(const net_tls *t) {
    return BIO_ctrl_pending(t->wbio);
}

size_t net_tls_drain(net_tls *t, void *out, size_t cap) {
    int n;
    if (cap > INT32_MAX) {
        cap = INT32_MAX;
    }
    n = BIO_read(t->wbio, out, (int)cap);
    return n > 0 ? (size_t)n : 0;
}

net_role net_tls_peer_role(const net_tls *t) {
    return t->established ? t->peer_role : NET_ROLE_NONE;
}

const char *net_tls_peer_id(const net_tls *t) {
    return t->established ? t->peer_id : "";
}

const char *net_tls_error_detail(const net_tls *t) {
    return t->detail;
}
