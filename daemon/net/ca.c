#include "ca.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "tls.h"

#define CA_PATH_MAX 4096
#define CA_SERIAL_BYTES 16

static int ossl_fail(const char *what) {
    char buf[256];
    unsigned long e = ERR_peek_last_error();
    ERR_error_string_n(e, buf, sizeof(buf));
    net_log(NET_LOG_WARN, "ca: %s failed: %s", what, e != 0 ? buf : "unknown error");
    ERR_clear_error();
    return NET_E_INTERNAL;
}

static int join(char *out, const char *a, const char *b) {
    int n = snprintf(out, CA_PATH_MAX, "%s%s", a, b);
    if (n < 0 || n >= CA_PATH_MAX) {
        net_log(NET_LOG_WARN, "ca: path too long: %s%s", a, b);
        return NET_E_ARG;
    }
    return NET_OK;
}

/* Opens a new file (never an existing one) with the given mode. */
static int create_file(FILE **out, const char *path, mode_t mode) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    *out = NULL;
    if (fd < 0) {
        net_log(NET_LOG_WARN, "ca: cannot create %s: %s", path, strerror(errno));
        return NET_E_CONFIG;
    }
    *out = fdopen(fd, "w");
    if (*out == NULL) {
        net_log(NET_LOG_WARN, "ca: cannot open %s: %s", path, strerror(errno));
        close(fd);
        unlink(path);
        return NET_E_CONFIG;
    }
    return NET_OK;
}

/* Finishes a file written by create_file; removes it if writing failed. */
static int finish_file(FILE *f, const char *path, int write_ok) {
    int ok = write_ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
    if (fclose(f) != 0) {
        ok = 0;
    }
    if (!ok) {
        net_log(NET_LOG_WARN, "ca: cannot write %s", path);
        unlink(path);
        return NET_E_CONFIG;
    }
    return NET_OK;
}

static int write_key(const char *path, EVP_PKEY *key) {
    FILE *f = NULL;
    int r = create_file(&f, path, 0600);
    if (r != NET_OK) {
        return r;
    }
    return finish_file(f, path, PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1);
}

static int write_cert(const char *path, X509 *cert) {
    FILE *f = NULL;
    int r = create_file(&f, path, 0644);
    if (r != NET_OK) {
        return r;
    }
    return finish_file(f, path, PEM_write_X509(f, cert) == 1);
}

/* The key first: if it exists already we stop before touching anything; a certificate that
 * cannot be written takes its new key with it. */
static int write_key_and_cert(const char *key_path, const char *crt_path, EVP_PKEY *key, X509 *cert) {
    int r = write_key(key_path, key);
    if (r != NET_OK) {
        return r;
    }
    r = write_cert(crt_path, cert);
    if (r != NET_OK) {
        unlink(key_path);
    }
    return r;
}

static int random_serial(X509 *cert) {
    unsigned char raw[CA_SERIAL_BYTES];
    BIGNUM *bn = NULL;
    int r = NET_E_INTERNAL;
    if (RAND_bytes(raw, sizeof(raw)) != 1) {
        goto out;
    }
    raw[0] &= 0x7f; /* positive */
    raw[0] |= 0x40; /* and of full length, so serials all encode in 16 bytes */
    bn = BN_bin2bn(raw, sizeof(raw), NULL);
    if (bn == NULL || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) == NULL) {
        goto out;
    }
    r = NET_OK;
out:
    BN_free(bn);
    return r;
}

/* An extension from a fixed configuration string (never user input). */
static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value) {
    X509V3_CTX v3;
    X509_EXTENSION *ext;
    int ok;
    X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    if (ext == NULL) {
        return NET_E_INTERNAL;
    }
    ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok == 1 ? NET_OK : NET_E_INTERNAL;
}

/* Common fields: v3, random serial, validity, subject CN, issuer, public key. */
static int cert_base(X509 *cert, EVP_PKEY *key, const char *cn, const X509_NAME *issuer, unsigned days) {
    X509_NAME *name = X509_get_subject_name(cert);
    if (X509_set_version(cert, X509_VERSION_3) != 1 || random_serial(cert) != NET_OK ||
            X509_gmtime_adj(X509_getm_notBefore(cert), -300) == NULL ||
            X509_time_adj_ex(X509_getm_notAfter(cert), (int)days, 0, NULL) == NULL ||
            X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"mpc-custody", -1, -1, 0) != 1 ||
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0) != 1 ||
            X509_set_issuer_name(cert, issuer != NULL ? issuer : name) != 1 || X509_set_pubkey(cert, key) != 1) {
        return NET_E_INTERNAL;
    }
    return NET_OK;
}

int net_ca_init(const char *dir) {
    char key_path[CA_PATH_MAX], crt_path[CA_PATH_MAX];
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    int r;

    r = join(key_path, dir, "/" NET_CA_KEY_FILE);
    if (r == NET_OK) {
        r = join(crt_path, dir, "/" NET_CA_CERT_FILE);
    }
    if (r != NET_OK) {
        goto out;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        net_log(NET_LOG_WARN, "ca: cannot create directory %s: %s", dir, strerror(errno));
        r = NET_E_CONFIG;
        goto out;
    }
    key = EVP_EC_gen("P-256");
    cert = X509_new();
    if (key == NULL || cert == NULL) {
        r = ossl_fail("CA key generation");
        goto out;
    }
    if (cert_base(cert, key, "mpc-custody deployment CA", NULL, NET_CA_ROOT_DAYS) != NET_OK ||
            add_ext(cert, cert, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") != NET_OK ||
            add_ext(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign") != NET_OK ||
            add_ext(cert, cert, NID_subject_key_identifier, "hash") != NET_OK ||
            X509_sign(cert, key, EVP_sha256()) <= 0) {
        r = ossl_fail("CA certificate");
        goto out;
    }
    r = write_key_and_cert(key_path, crt_path, key, cert);
out:
    ERR_clear_error();
    EVP_PKEY_free(key);
    X509_free(cert);
    return r;
}

static int dns_valid(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > 253) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
            return 0;
        }
    }
    return 1;
}

static int push_name(GENERAL_NAMES *names, int type, const char *value) {
    GENERAL_NAME *gn = NULL;
    ASN1_IA5STRING *s = NULL;
    ASN1_OCTET_STRING *ip = NULL;
    int r = NET_E_INTERNAL;

    if (type == GEN_IPADD) {
        ip = a2i_IPADDRESS(value);
        if (ip == NULL) {
            r = NET_E_ARG;
            goto out;
        }
    } else {
        s = ASN1_IA5STRING_new();
        if (s == NULL || ASN1_STRING_set(s, value, -1) != 1) {
            goto out;
        }
    }
    gn = GENERAL_NAME_new();
    if (gn == NULL) {
        goto out;
    }
    GENERAL_NAME_set0_value(gn, type, type == GEN_IPADD ? (void *)ip : (void *)s);
    ip = NULL;
    s = NULL;
    if (sk_GENERAL_NAME_push(names, gn) <= 0) {
        goto out;
    }
    gn = NULL;
    r = NET_OK;
out:
    GENERAL_NAME_free(gn);
    ASN1_IA5STRING_free(s);
    ASN1_OCTET_STRING_free(ip);
    return r;
}

static int check_request(const net_ca_request *req) {
    if (net_role_name(req->role) == NULL) {
        net_log(NET_LOG_WARN, "ca: unknown role");
        return NET_E_ARG;
    }
    if (req->id == NULL || !net_id_valid(req->id, strlen(req->id))) {
        net_log(NET_LOG_WARN, "ca: invalid id (1..%u characters of A-Z a-z 0-9 . _ -)", NET_ID_MAX);
        return NET_E_ARG;
    }
    if (req->days > NET_CA_MAX_DAYS) {
        net_log(NET_LOG_WARN, "ca: validity of %u days exceeds the maximum of %u", req->days, NET_CA_MAX_DAYS);
        return NET_E_ARG;
    }
    for (size_t i = 0; i < req->dns_len; i++) {
        if (!dns_valid(req->dns[i])) {
            net_log(NET_LOG_WARN, "ca: invalid DNS name \"%s\"", req->dns[i]);
            return NET_E_ARG;
        }
    }
    return NET_OK;
}

static int add_san(X509 *cert, const net_ca_request *req) {
    char uri[sizeof(NET_TLS_URI_SCHEME) + 16 + NET_ID_MAX];
    GENERAL_NAMES *names = sk_GENERAL_NAME_new_null();
    int r = NET_E_INTERNAL;

    if (names == NULL) {
        goto out;
    }
    r = net_tls_identity_uri(uri, sizeof(uri), req->role, req->id);
    if (r == NET_OK) {
        r = push_name(names, GEN_URI, uri);
    }
    for (size_t i = 0; r == NET_OK && i < req->dns_len; i++) {
        r = push_name(names, GEN_DNS, req->dns[i]);
    }
    for (size_t i = 0; r == NET_OK && i < req->ips_len; i++) {
        r = push_name(names, GEN_IPADD, req->ips[i]);
        if (r == NET_E_ARG) {
            net_log(NET_LOG_WARN, "ca: invalid IP address \"%s\"", req->ips[i]);
        }
    }
    if (r != NET_OK) {
        goto out;
    }
    if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT) != 1) {
        r = NET_E_INTERNAL;
        goto out;
    }
out:
    GENERAL_NAMES_free(names);
    return r;
}

static int load_ca(EVP_PKEY **key, X509 **cert, const char *dir) {
    char path[CA_PATH_MAX];
    FILE *f;
    int r = join(path, dir, "/" NET_CA_KEY_FILE);
    if (r != NET_OK) {
        return r;
    }
    f = fopen(path, "r");
    if (f == NULL || (*key = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL) {
        net_log(NET_LOG_WARN, "ca: cannot read CA key %s", path);
        if (f != NULL) {
            fclose(f);
        }
        return NET_E_CONFIG;
    }
    fclose(f);
    r = join(path, dir, "/" NET_CA_CERT_FILE);
    if (r != NET_OK) {
        return r;
    }
    f = fopen(path, "r");
    if (f == NULL || (*cert = PEM_read_X509(f, NULL, NULL, NULL)) == NULL) {
        net_log(NET_LOG_WARN, "ca: cannot read CA certificate %s", path);
        if (f != NULL) {
            fclose(f);
        }
        return NET_E_CONFIG;
    }
    fclose(f);
    if (X509_check_private_key(*cert, *key) != 1) {
        net_log(NET_LOG_WARN, "ca: CA key and certificate in %s do not match", dir);
        return NET_E_CONFIG;
    }
    return NET_OK;
}

int net_ca_issue(const char *dir, const char *out_prefix, const net_ca_request *req) {
    char key_path[CA_PATH_MAX], crt_path[CA_PATH_MAX], cn[16 + NET_ID_MAX];
    EVP_PKEY *ca_key = NULL, *key = NULL;
    X509 *ca_cert = NULL, *cert = NULL;
    unsigned days = req->days != 0 ? req->days : NET_CA_DEFAULT_DAYS;
    int r;

    r = check_request(req);
    if (r == NET_OK) {
        r = join(key_path, out_prefix, ".key");
    }
    if (r == NET_OK) {
        r = join(crt_path, out_prefix, ".crt");
    }
    if (r == NET_OK) {
        r = load_ca(&ca_key, &ca_cert, dir);
    }
    if (r != NET_OK) {
        goto out;
    }
    key = EVP_EC_gen("P-256");
    cert = X509_new();
    if (key == NULL || cert == NULL) {
        r = ossl_fail("key generation");
        goto out;
    }
    snprintf(cn, sizeof(cn), "%s %s", net_role_name(req->role), req->id);
    if (cert_base(cert, key, cn, X509_get_subject_name(ca_cert), days) != NET_OK ||
            add_ext(cert, ca_cert, NID_basic_constraints, "critical,CA:FALSE") != NET_OK ||
            add_ext(cert, ca_cert, NID_key_usage, "critical,digitalSignature") != NET_OK ||
            add_ext(cert, ca_cert, NID_ext_key_usage,
                    req->role == NET_ROLE_COORDINATOR ? "serverAuth" : "clientAuth") != NET_OK ||
            add_ext(cert, ca_cert, NID_subject_key_identifier, "hash") != NET_OK ||
            add_ext(cert, ca_cert, NID_authority_key_identifier, "keyid:always") != NET_OK) {
        r = ossl_fail("certificate extensions");
        goto out;
    }
    r = add_san(cert, req);
    if (r != NET_OK) {
        if (r == NET_E_INTERNAL) {
            ossl_fail("subjectAltName");
        }
        goto out;
    }
    if (X509_sign(cert, ca_key, EVP_sha256()) <= 0) {
        r = ossl_fail("signing");
        goto out;
    }
    r = write_key_and_cert(key_path, crt_path, key, cert);
out:
    ERR_clear_error();
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(key);
    X509_free(ca_cert);
    X509_free(cert);
    return r;
}
