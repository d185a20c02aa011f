/*
 * mpc-enclave: the trusted core. Started by mpc-signerd with its IPC socket on fd 3 and nothing
 * else; it never opens a file after start-up and trusts nothing its parent sends.
 *
 * Start-up order (each step before the next):
 *   1. hardening: close every fd but 3, stdio to /dev/null, no core dumps, no ptrace attach,
 *      mlockall (enclave/hardening.h);
 *   2. libsodium and OpenSSL's digests initialised, so nothing opens /dev/urandom, a provider or a
 *      configuration file later;
 *   3. the IPC state machine (enclave/ipc.h): HELLO, CONFIG (sealing key), INIT or UNSEAL (identity),
 *      LOAD of every sealed state blob (key shares, used-session sets, ban list);
 *   4. START: the seccomp sandbox is entered (enclave/sandbox.h), then the enclave answers;
 *   5. requests until SHUTDOWN or the first fatal error.
 *
 * Exit status: 0 after SHUTDOWN; otherwise one of MAIN_EXIT_*, so the parent can tell a refused
 * message from a broken pipe. A seccomp violation kills the process with SIGSYS.
 *
 * Option (tests only): --insecure-test-mode tolerates a failed mlockall (CI containers, sanitizer
 * shadow memory) and keeps stderr for diagnostics. It never weakens the sandbox or the IPC checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include "enc_error.h"
#include "hardening.h"
#include "ipc.h"
#include "sandbox.h"

#define MAIN_IPC_FD 3

enum {
    MAIN_EXIT_STARTUP = 10,   /* hardening or library initialisation failed */
    MAIN_EXIT_IO = 11,        /* the parent closed the socket or a read/write failed */
    MAIN_EXIT_FRAME = 12,     /* frame length zero or above the limit */
    MAIN_EXIT_MALFORMED = 13, /* envelope not canonical, unknown version, type or field value */
    MAIN_EXIT_FORBIDDEN = 14, /* message not permitted in the current state */
    MAIN_EXIT_SANDBOX = 15,   /* the sandbox could not be entered */
    MAIN_EXIT_OTHER = 16      /* any other fatal error (sealed blob rejected, no memory, ...) */
};

static int exit_status(int r) {
    switch (r) {
    case ENC_IPC_E_IO: return MAIN_EXIT_IO;
    case ENC_IPC_E_FRAME: return MAIN_EXIT_FRAME;
    case ENC_IPC_E_DECODE:
    case ENC_IPC_E_VERSION:
    case ENC_IPC_E_TYPE:
    case ENC_IPC_E_FIELD: return MAIN_EXIT_MALFORMED;
    case ENC_IPC_E_FORBIDDEN: return MAIN_EXIT_FORBIDDEN;
    case ENC_SANDBOX_E_ARCH:
    case ENC_SANDBOX_E_RLIMIT:
    case ENC_SANDBOX_E_NNP:
    case ENC_SANDBOX_E_FILTER: return MAIN_EXIT_SANDBOX;
    default: return MAIN_EXIT_OTHER;
    }
}

/* Fetch every OpenSSL digest the enclave uses (libmpc: SHA-256, HMAC-SHA512, RIPEMD-160 for
 * BIP32 fingerprints) while files may still be opened: OpenSSL 3 loads its configuration and
 * providers lazily on the first fetch. */
static int warm_up_openssl(void) {
    static const unsigned char probe[1] = {0};
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;

    if (OPENSSL_init_crypto(OPENSSL_INIT_ADD_ALL_DIGESTS, NULL) != 1)
        return 0;
    if (EVP_Digest(probe, sizeof(probe), out, &len, EVP_sha256(), NULL) != 1 ||
            EVP_Digest(probe, sizeof(probe), out, &len, EVP_ripemd160(), NULL) != 1 ||
            HMAC(EVP_sha512(), probe, sizeof(probe), probe, sizeof(probe), out, &len) == NULL)
        return 0;
    return 1;
}

static int enter_sandbox(void) {
    return enc_sandbox_enter();
}

int main(int argc, char **argv) {
    unsigned int flags = 0;
    int locked = 0, r;
    enc_ipc e;

    if (argc == 2 && strcmp(argv[1], "--insecure-test-mode") == 0)
        flags = ENC_HARDEN_ALLOW_NO_MLOCK | ENC_HARDEN_KEEP_STDERR;
    else if (argc != 1)
        return MAIN_EXIT_STARTUP;
    if ((r = enc_harden_process(&locked, MAIN_IPC_FD, flags)) != ENC_OK)
        return MAIN_EXIT_STARTUP;
    if (!locked)
        fprintf(stderr, "mpc-enclave: INSECURE TEST MODE: memory is not locked\n");
    if (sodium_init() < 0 || !warm_up_openssl())
        return MAIN_EXIT_STARTUP;
    enc_ipc_init(&e, MAIN_IPC_FD);
    e.enter_sandbox = enter_sandbox;
    r = enc_ipc_serve(&e);
    enc_ipc_clear(&e);
    if (r != ENC_OK) {
        fprintf(stderr, "mpc-enclave: fatal: %s (%d)\n", enc_strerror(r), r);
        return exit_status(r);
    }
    return 0;
}
