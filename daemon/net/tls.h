/*
 * TLS engine: OpenSSL over two memory BIOs. It knows nothing about sockets or libuv: the owner
 * feeds ciphertext that arrived from the network (net_tls_feed), pulls plaintext out
 * (net_tls_read, which also drives the handshake), queues plaintext to send (net_tls_write), and
 * drains the ciphertext to put on the wire (net_tls_drain).
 *
 * Policy: TLS 1.3 only; both sides present a certificate (mutual authentication) and verify the
 * other's against the deployment CA file only (the system trust store is never loaded); optional
 * CRL checking of the peer's certificate; no session tickets or resumption, so every connection
 * verifies a full certificate chain. The usual key-usage purpose checks apply: a server
 * certificate needs extended key usage serverAuth, a client certificate clientAuth.
 *
 * Peer identity encoding (the ONLY place a role and id come from):
 *   the certificate carries exactly one subjectAltName URI of the form
 *       mpc://<role>/<id>
 *   where <role> is "coordinator", "signer" or "requester" and <id> is 1..64 characters of
 *   [A-Za-z0-9._-] (net_id_valid). Example: mpc://signer/3. Other SAN entries (DNS, IP) may be
 *   present and are ignored here; a certificate with no mpc:// URI, with two, or with a malformed
 *   one is rejected (NET_E_PEER_IDENTITY). The subject name is not used.
 *
 * DNS and IP entries are not matched against the address we dialled: the pinned (role, id) of the
 * certificate, issued by the deployment's own CA, is what authenticates the peer.
 *
 * Identity check: the peer is accepted only if (role, id) matches an entry of the context's
 * allow-list. This check runs inside certificate verification, so a rejected peer gets a TLS alert
 * and never completes the handshake. A role that appears nowhere in the list gives
 * NET_E_PEER_ROLE; a listed role with an unlisted id gives NET_E_PEER_ID.
 */
#ifndef MPC_NET_TLS_H
#define MPC_NET_TLS_H

#include <stddef.h>

#include "net.h"

#define NET_TLS_URI_SCHEME "mpc://"

/* One accepted peer identity. */
typedef struct {
    net_role role;
    const char *id;
} net_tls_peer;

typedef struct {
    int is_server;             /* 1: accepts connections (coordinator); 0: dials out */
    const char *ca_file;       /* PEM: the deployment CA certificate(s); nothing else is trusted */
    const char *cert_file;     /* PEM: our certificate (may be followed by intermediates) */
    const char *key_file;      /* PEM: our private key; refused unless mode is 0600 or stricter */
    const char *crl_file;      /* PEM CRL of the CA, or NULL for no revocation check */
    const net_tls_peer *allow; /* accepted peer identities (copied) */
    size_t allow_len;
} net_tls_config;

typedef struct net_tls_ctx net_tls_ctx;
typedef struct net_tls net_tls;

/* Loads the files and builds the shared context. On NET_E_CONFIG a log line names the file and
 * the OpenSSL reason. Returns NET_OK, NET_E_ARG, NET_E_CONFIG or NET_E_NOMEM. */
int net_tls_ctx_new(net_tls_ctx **out, const net_tls_config *cfg) NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1, 2);
/* Reference counted: every net_tls (and every listener or client) holds a reference, so the owner
 * may drop its own with net_tls_ctx_free at any time. */
net_tls_ctx *net_tls_ctx_ref(net_tls_ctx *ctx);
void net_tls_ctx_free(net_tls_ctx *ctx);

/* A new connection endpoint (server or client side from ctx). */
int net_tls_new(net_tls **out, net_tls_ctx *ctx) NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1, 2);
void net_tls_free(net_tls *t);

/* Ciphertext received from the peer. Returns NET_OK or NET_E_NOMEM. */
int net_tls_feed(net_tls *t, const void *in, size_t len) NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1, 2);

/*
 * Advances the handshake and then decrypts. Call after net_tls_feed (and once at the start on the
 * client side, to produce the ClientHello); always drain afterwards.
 * Returns NET_OK with *out_len plaintext bytes (0 when more input is needed), NET_E_EOF when the
 * peer sent close_notify, or a handshake/record error: NET_E_NOT_TLS, NET_E_TLS_VERSION,
 * NET_E_PEER_CERT, NET_E_PEER_IDENTITY, NET_E_PEER_ROLE, NET_E_PEER_ID, NET_E_PEER_REJECTED,
 * NET_E_TLS. After an error, net_tls_drain may still hold an alert for the peer; the engine must
 * then only be drained and freed. net_tls_error_detail says more.
 */
int net_tls_read(net_tls *t, void *out, size_t *out_len, size_t out_cap) NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1, 2, 3);

/* 1 once the handshake has completed and the peer's identity was accepted. */
int net_tls_established(const net_tls *t);

/* Encrypts len plaintext bytes into the outgoing ciphertext. Only after the handshake.
 * Returns NET_OK, NET_E_STATE or NET_E_TLS. */
int net_tls_write(net_tls *t, const void *in, size_t len) NET_WARN_UNUSED_RESULT;

/* Queues a close_notify alert (drain it afterwards). */
void net_tls_close_notify(net_tls *t);

/* Ciphertext waiting to be sent, and taking it: copies up to cap bytes, returns how many. */
size_t net_tls_pending(const net_tls *t);
size_t net_tls_drain(net_tls *t, void *out, size_t cap) NET_ARG_NONNULL(1, 2);

/* The verified peer identity; NET_ROLE_NONE / "" before net_tls_established. */
net_role net_tls_peer_role(const net_tls *t);
const char *net_tls_peer_id(const net_tls *t);

/* Static or engine-owned description of the last failure ("" if none), e.g. the OpenSSL verify
 * error "unable to get local issuer certificate" or "role signer not accepted". */
const char *net_tls_error_detail(const net_tls *t);

/* Formats the SAN URI for (role, id) into out (cap bytes). Returns NET_OK or NET_E_ARG. */
int net_tls_identity_uri(char *out, size_t cap, net_role role, const char *id) NET_WARN_UNUSED_RESULT NET_ARG_NONNULL(1, 4);

#endif
