#ifndef MPC_DAEMON_CONFIG_H
#define MPC_DAEMON_CONFIG_H
/*
 * Start-up configuration of mpc-signerd and mpc-coordinatord: one INI file per daemon, read with
 * libinih and validated completely before the daemon does anything else.
 *
 * Strictness (a configuration mistake in a custody system must stop the daemon, not be guessed
 * around):
 *   - unknown sections, unknown keys, duplicate keys and duplicate sections are errors;
 *   - every value is parsed exactly (decimal integers without sign or spaces, ids as in
 *     net_id_valid, 64 hex digits for Ed25519 keys, absolute paths);
 *   - indented lines are errors (libinih would treat them as continuation lines), lines longer
 *     than CFG_LINE_MAX characters and NUL bytes are errors;
 *   - comments are whole lines starting with ';' or '#', or " ; text" after a value;
 *   - the one list key, [policy] multisend_call_only, may be repeated (a line holds at most four
 *     addresses); every other key appears at most once.
 *
 * Every error message names the file and, where the problem is on one line, that line:
 *   "signer.ini:12: [tls] cert: file not readable: /etc/mpc/x.pem (No such file or directory)"
 *   "signer.ini:4: unknown key 'prot' in [coordinator]"
 *   "signer.ini: missing required key 'cert' in [tls]"
 * Only the first error (in file order, then the post-parse checks) is reported.
 *
 * File checks: unless CFG_SKIP_FILE_CHECKS is given, files named by the configuration are checked
 * for what the daemon will do with them (readable, private, executable, writable directory, group
 * exists; the [policy] files at most CFG_POLICY_FILE_MAX bytes and not writable by group or
 * others), and the configuration file itself must not be writable by group or others. The
 * daemons always run with the checks; the flag exists for the test that parses the
 * shipped examples (whose /etc paths do not exist on a build machine) and for the fuzz target
 * (which must not touch the file system).
 *
 * Error contract: CFG_OK (0) or a negative CFG_E_*; on error err holds a NUL-terminated message
 * and *out is zeroed.
 */
#include <stddef.h>
#include <stdint.h>

#define CFG_OK 0
#define CFG_E_IO (-1)      /* the configuration file itself could not be read */
#define CFG_E_INVALID (-2) /* syntax or validation error */
#define CFG_E_ARG (-3)     /* API misuse (NULL argument, zero-sized error buffer) */
#define CFG_E_NOMEM (-4)

#define CFG_SKIP_FILE_CHECKS 1u

#define CFG_LINE_MAX 197   /* longest accepted line, in bytes, without the line break */
#define CFG_PATH_MAX 192   /* longest path (bounded by CFG_LINE_MAX anyway) */
#define CFG_ID_MAX 64      /* as NET_ID_MAX: [A-Za-z0-9._-], 1..64 bytes */
#define CFG_HOST_MAX 190
#define CFG_GROUP_MAX 32
#define CFG_SOCKET_PATH_MAX 107 /* sizeof(sockaddr_un.sun_path) - 1 */
#define CFG_MAX_SIGNERS 32
#define CFG_MAX_REQUESTERS 64
#define CFG_MAX_PARTY_INDEX 16 /* libmpc's MPC_MAX_PARTIES */
#define CFG_ERR_MAX 512    /* an error buffer of this size never truncates a message */
/* [policy] limits. The file limit is the enclave's (ENC_POLICY_MAX_TEXT, enclave/state.h) for both
 * texts: a larger file would pass here and be refused at the enclave's first start. */
#define CFG_POLICY_FILE_MAX 65536u
#define CFG_POLICY_CHAIN_ID_MAX (UINT64_C(1) << 62)
#define CFG_POLICY_SYMBOL_MAX 11
#define CFG_POLICY_MAX_MULTISEND 8

/* Bitcoin networks, numbered as proto/enclave.proto Policy.btc_network. */
#define CFG_BTC_MAIN 1u
#define CFG_BTC_TESTNET 2u
#define CFG_BTC_SIGNET 3u
#define CFG_BTC_REGTEST 4u

typedef struct cfg_tls {
    char ca[CFG_PATH_MAX + 1];   /* PEM CA certificate(s) of the deployment's private CA */
    char cert[CFG_PATH_MAX + 1]; /* this daemon's certificate chain (PEM) */
    char key[CFG_PATH_MAX + 1];  /* its private key (PEM), mode 0600 or stricter */
    char crl[CFG_PATH_MAX + 1];  /* optional PEM CRL; "" when not configured */
} cfg_tls;

typedef enum {
    CFG_SEALING_PASSPHRASE_FILE = 1, /* "passphrase-file:PATH" */
    CFG_SEALING_KEYFILE = 2          /* "keyfile:PATH" */
} cfg_sealing_kind;

/* The signing policy handed to the enclave at its first start (proto/enclave.proto Policy). The
 * configuration names the files; their content is validated by the enclave. */
typedef struct cfg_policy {
    char approvers[CFG_PATH_MAX + 1];      /* approvers file (enclave/policy/approval.h format) */
    uint64_t chain_id;                     /* 1..CFG_POLICY_CHAIN_ID_MAX, default 1 */
    char native_symbol[CFG_POLICY_SYMBOL_MAX + 1]; /* 1..11 of A-Z a-z 0-9, default "ETH" */
    char asset_registry[CFG_PATH_MAX + 1]; /* registry file (payload/summary.h); "" when none */
    size_t n_multisend;                    /* MultiSendCallOnly allowlist, in file order */
    uint8_t multisend[CFG_POLICY_MAX_MULTISEND][20];
    uint32_t btc_network;                  /* CFG_BTC_*, default CFG_BTC_MAIN */
} cfg_policy;

typedef struct cfg_signer {
    /* [signer] */
    char id[CFG_ID_MAX + 1];
    uint32_t party_index; /* the enclave's fixed party index: 1-based position in [signers] */
    char data_dir[CFG_PATH_MAX + 1];
    char enclave_path[CFG_PATH_MAX + 1];
    cfg_sealing_kind sealing;
    char sealing_path[CFG_PATH_MAX + 1];
    /* [tls] */
    cfg_tls tls;
    /* [coordinator] */
    char coordinator_address[CFG_HOST_MAX + 1];
    uint16_t coordinator_port;
    char coordinator_id[CFG_ID_MAX + 1]; /* the only accepted peer: mpc://coordinator/<id> */
    /* [operator] */
    char operator_socket[CFG_SOCKET_PATH_MAX + 1];
    char operator_group[CFG_GROUP_MAX + 1];
    /* [timeouts], milliseconds */
    uint32_t round_ms;
    uint32_t heartbeat_ms;
    uint32_t reconnect_min_ms;
    uint32_t reconnect_max_ms;
    /* [policy], optional: has_policy is 1 when the section is present; policy is all zero when
     * it is not */
    int has_policy;
    cfg_policy policy;
} cfg_signer;

/* Permissions of a requester, a bit set. */
#define CFG_PERM_SIGN 1u    /* submit signing requests */
#define CFG_PERM_KEYGEN 2u  /* start key generation ceremonies */
#define CFG_PERM_REFRESH 4u /* start share refreshes */

typedef struct cfg_signer_entry {
    char id[CFG_ID_MAX + 1];
    uint8_t identity_pk[32]; /* the enclave's Ed25519 identity public key */
} cfg_signer_entry;

typedef struct cfg_requester_entry {
    char id[CFG_ID_MAX + 1];
    unsigned perms; /* CFG_PERM_* */
} cfg_requester_entry;

typedef struct cfg_coordinator {
    /* [coordinator] */
    char listen_address[CFG_HOST_MAX + 1]; /* an IPv4 or IPv6 literal */
    uint16_t port;
    char database[CFG_PATH_MAX + 1];
    /* [tls] */
    cfg_tls tls;
    /* [signers]: one line per signer, "<id> = <64 hex digits>", in file order */
    size_t n_signers;
    cfg_signer_entry signers[CFG_MAX_SIGNERS];
    /* [requesters]: one line per requester, "<id> = sign[,keygen][,refresh]", in file order */
    size_t n_requesters;
    cfg_requester_entry requesters[CFG_MAX_REQUESTERS];
    /* [timeouts], milliseconds */
    uint32_t round_ms;
    uint32_t heartbeat_ms;
    uint32_t decode_ms;
    uint32_t approval_ms;
    uint32_t db_busy_ms;
} cfg_coordinator;

#define CFG_WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#define CFG_ARG_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))

/* Reads and validates the file at path. */
int cfg_signer_load(cfg_signer *out, char *err, size_t errlen, const char *path, unsigned flags)
    CFG_WARN_UNUSED_RESULT CFG_ARG_NONNULL(1, 2, 4);
int cfg_coordinator_load(cfg_coordinator *out, char *err, size_t errlen, const char *path,
                         unsigned flags) CFG_WARN_UNUSED_RESULT CFG_ARG_NONNULL(1, 2, 4);

/* Validates len bytes of configuration text; name is used in error messages only. */
int cfg_signer_parse(cfg_signer *out, char *err, size_t errlen, const char *name, const char *text,
                     size_t len, unsigned flags) CFG_WARN_UNUSED_RESULT CFG_ARG_NONNULL(1, 2, 4);
int cfg_coordinator_parse(cfg_coordinator *out, char *err, size_t errlen, const char *name,
                          const char *text, size_t len, unsigned flags)
    CFG_WARN_UNUSED_RESULT CFG_ARG_NONNULL(1, 2, 4);

#endif
