/*
 * Process hardening, run first thing in mpc-enclave's main (before sodium_init, before reading any
 * configuration): the enclave inherits exactly stdin/stdout/stderr and the IPC socket, and from
 * here on its memory is never swapped out or dumped.
 *
 * Steps, in order:
 *   1. prctl(PR_SET_DUMPABLE, 0) and RLIMIT_CORE = 0: no core dump, no ptrace by same-uid processes;
 *   2. fds: ipc_fd must be open; every other fd above 2 is closed; 0 and 1 (and 2 unless
 *      ENC_HARDEN_KEEP_STDERR) are pointed at /dev/null, so a stray write cannot reach a file or
 *      terminal the parent left there and a later fd can never take one of those numbers;
 *   3. mlockall(MCL_CURRENT | MCL_FUTURE).
 *
 * Fail closed: any failure is an error the caller must treat as fatal. The only exception is
 * ENC_HARDEN_ALLOW_NO_MLOCK, for test environments without CAP_IPC_LOCK or a large enough
 * RLIMIT_MEMLOCK (CI containers, sanitizer builds whose shadow memory cannot be locked); the
 * enclave sets it only when started with an explicit insecure test-mode option, and reports it.
 */
#ifndef ENC_HARDENING_H
#define ENC_HARDENING_H

#include "enc_error.h"

enum {
    ENC_HARDEN_ALLOW_NO_MLOCK = 1u << 0, /* test mode only: tolerate mlockall failure */
    ENC_HARDEN_KEEP_STDERR = 1u << 1     /* debugging: leave fd 2 as inherited */
};

/** Harden the calling process (steps above).
 *  Returns: ENC_OK or ENC_HARDEN_E_{DUMPABLE,FDS,MLOCK}.
 *  Out: memory_locked: 1 if mlockall succeeded, 0 if it failed and ENC_HARDEN_ALLOW_NO_MLOCK allowed it.
 *  In: ipc_fd (normally 3), flags (ENC_HARDEN_*). */
int enc_harden_process(int *memory_locked, int ipc_fd, unsigned int flags) ENC_WARN_UNUSED_RESULT;

#endif
