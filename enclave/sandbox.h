/*
 * seccomp sandbox of the enclave, entered after start-up (configuration read, sealed state opened)
 * and before the first request is served. Afterwards the process can only use memory, read and
 * write its existing fds (the IPC socket), get randomness and time, and exit.
 *
 * Order: the architecture check (only x86_64 and aarch64 have a reviewed allowlist), rlimits
 * NOFILE = 0 (no new fd), NPROC = 0 (no new process), FSIZE = 0 (no file growth), then
 * PR_SET_NO_NEW_PRIVS, then the filter: default action kill the process, a foreign architecture's
 * syscall ABI kills the process too, and memory may never be made executable (mmap/mprotect with
 * PROT_EXEC are not allowed). No syscall is answered with an errno instead: nothing in the enclave
 * loop probes for optional features, so a call outside the list is a bug or an attack.
 *
 * Debug build (-DMPC_ENCLAVE_SECCOMP_TRAP=ON): the default action is SIGSYS delivered to a handler
 * that writes "enclave sandbox: forbidden syscall N" to fd 2 and exits with
 * ENC_SANDBOX_TRAP_EXIT, so a missing allowlist entry can be named. Never for production.
 */
#ifndef ENC_SANDBOX_H
#define ENC_SANDBOX_H

#include "enc_error.h"

#define ENC_SANDBOX_TRAP_EXIT 159

/** Enter the sandbox (irreversible).
 *  Returns: ENC_OK or ENC_SANDBOX_E_{ARCH,RLIMIT,NNP,FILTER}; on error the filter is not loaded and
 *  the caller must exit. */
int enc_sandbox_enter(void) ENC_WARN_UNUSED_RESULT;

#endif
