/*
 * A small private certificate authority for one deployment, used by tools/mpc-ca and by the tests
 * (which create their certificates at run time). It lives next to tls.h because it writes the
 * identity encoding that tls.c reads (a subjectAltName URI mpc://<role>/<id>, see tls.h); it is
 * its own library (mpc_netca) so the daemons do not link certificate issuing.
 *
 * Keys are ECDSA P-256, signatures SHA-256, serial numbers 127 random bits. Private keys are
 * written with mode 0600; no output file is ever overwritten.
 *
 * Files in a CA directory: ca.key (private key, 0600) and ca.crt (self-signed certificate).
 */
#ifndef MPC_NET_CA_H
#define MPC_NET_CA_H

#include <stddef.h>

#include "net.h"

#define NET_CA_KEY_FILE "ca.key"
#define NET_CA_CERT_FILE "ca.crt"
#define NET_CA_MAX_DAYS 3650u
#define NET_CA_DEFAULT_DAYS 365u
#define NET_CA_ROOT_DAYS 3650u

typedef struct {
    net_role role;             /* coordinator: EKU serverAuth; signer, requester: clientAuth */
    const char *id;            /* net_id_valid */
    const char *const *dns;    /* extra subjectAltName DNS names ([A-Za-z0-9.-], may be NULL) */
    size_t dns_len;
    const char *const *ips;    /* extra subjectAltName IP addresses (IPv4 or IPv6 text) */
    size_t ips_len;
    unsigned days;             /* validity; 0 selects NET_CA_DEFAULT_DAYS */
} net_ca_request;

/*
 * Creates dir (mode 0700) if missing, then a CA key and self-signed CA certificate in it.
 * Returns NET_OK, NET_E_CONFIG (a file exists already or cannot be written; logged) or
 * NET_E_INTERNAL (OpenSSL failure; logged).
 */
int net_ca_init(const char *dir) NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1);

/*
 * Issues a key and certificate for req, signed by the CA in dir, as <out_prefix>.key (0600) and
 * <out_prefix>.crt. Returns NET_OK, NET_E_ARG (invalid request; logged), NET_E_CONFIG (CA
 * unreadable, CA key and certificate do not match, or an output file exists/cannot be written;
 * logged) or NET_E_INTERNAL.
 */
int net_ca_issue(const char *dir, const char *out_prefix, const net_ca_request *req) NET_WARN_UNUSED_RESULT
        NET_ARG_NONNULL(1, 2, 3);

#endif
