#include "net.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *net_strerror(int err) {
    switch (err) {
    case NET_OK: return "success";
    case NET_E_INTERNAL: return "internal error";
    case NET_E_NOMEM: return "out of memory";
    case NET_E_ARG: return "invalid argument";
    case NET_E_CONFIG: return "cannot load TLS configuration file";
    case NET_E_STATE: return "operation not allowed in this connection state";
    case NET_E_FRAME_TOO_BIG: return "oversized frame";
    case NET_E_TRUNCATED: return "stream ended inside a frame";
    case NET_E_NOT_TLS: return "peer is not speaking TLS";
    case NET_E_TLS_VERSION: return "peer does not support TLS 1.3";
    case NET_E_TLS: return "TLS failure";
    case NET_E_PEER_CERT: return "peer certificate rejected";
    case NET_E_PEER_IDENTITY: return "peer certificate has no valid mpc identity";
    case NET_E_PEER_ROLE: return "peer has the wrong role for this link";
    case NET_E_PEER_ID: return "peer id not in the allow-list";
    case NET_E_PEER_REJECTED: return "peer rejected the handshake";
    case NET_E_HANDSHAKE_TIMEOUT: return "handshake timeout";
    case NET_E_IDLE_TIMEOUT: return "idle timeout";
    case NET_E_EOF: return "connection closed by peer";
    case NET_E_IO: return "socket error";
    case NET_E_CONNECT: return "connect failed";
    case NET_E_CLOSED: return "closed locally";
    case NET_E_BACKPRESSURE: return "peer is not reading (write queue full)";
    case NET_E_ENV_DECODE: return "envelope: malformed protobuf";
    case NET_E_ENV_NONCANONICAL: return "envelope: non-canonical encoding";
    case NET_E_ENV_VERSION: return "envelope: unknown version";
    case NET_E_ENV_TYPE: return "envelope: unknown type or body does not match type";
    case NET_E_ENV_FIELD: return "envelope: malformed field";
    case NET_E_ENV_TOO_BIG: return "envelope: too big";
    default: return "unknown error";
    }
}

static const char *const role_names[] = {NULL, "coordinator", "signer", "requester"};

const char *net_role_name(net_role role) {
    if ((unsigned)role >= sizeof(role_names) / sizeof(role_names[0])) {
        return NULL;
    }
    return role_names[role];
}

int net_role_parse(net_role *out, const char *name) {
    for (unsigned i = 1; i < sizeof(role_names) / sizeof(role_names[0]); i++) {
        if (strcmp(name, role_names[i]) == 0) {
            *out = (net_role)i;
            return NET_OK;
        }
    }
    return NET_E_ARG;
}

int net_id_valid(const char *id, size_t len) {
    if (len == 0 || len > NET_ID_MAX) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)id[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
        if (!ok) {
            return 0;
        }
    }
    return 1;
}

static void log_stderr(net_log_level level, const char *line, void *data) {
    static const char *const names[] = {"debug", "info", "warn"};
    (void)data;
    fprintf(stderr, "mpc-net %s: %s\n", names[level], line);
}

static net_log_fn log_sink = log_stderr;
static void *log_data;

void net_set_log(net_log_fn fn, void *data) {
    log_sink = fn != NULL ? fn : log_stderr;
    log_data = fn != NULL ? data : NULL;
}

void net_log(net_log_level level, const char *fmt, ...) {
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    log_sink(level, line, log_data);
}
