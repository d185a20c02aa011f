#define _GNU_SOURCE
#include "sandbox.h"

#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "enc_error.h"

/* Everything the enclave loop needs once it runs: blocking I/O on the IPC socket, libc malloc and
 * sodium_malloc (brk, mmap, munmap, mremap, mprotect, madvise MADV_DONTDUMP, mlock/munlock of
 * guarded pages), randomness, time, futex (libc internals), signal return and exit. mmap and
 * mprotect are added separately with a PROT_EXEC restriction. */
static const int sandbox_allowed[] = {
    SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
    SCMP_SYS(recvmsg), SCMP_SYS(sendmsg), SCMP_SYS(recvfrom), SCMP_SYS(sendto),
    SCMP_SYS(close), SCMP_SYS(exit), SCMP_SYS(exit_group),
    SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
    SCMP_SYS(mlock), SCMP_SYS(munlock),
    SCMP_SYS(getrandom), SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday),
    SCMP_SYS(futex), SCMP_SYS(rt_sigreturn), SCMP_SYS(restart_syscall),
};

#ifdef MPC_ENCLAVE_SECCOMP_TRAP
#define SANDBOX_DEFAULT_ACTION SCMP_ACT_TRAP

/* Async-signal-safe: formats the syscall number by hand. */
static void sandbox_sigsys(int sig, siginfo_t *info, void *uctx) {
    static const char prefix[] = "enclave sandbox: forbidden syscall ";
    char buf[sizeof(prefix) + 12];
    char digits[12];
    size_t len = sizeof(prefix) - 1, n = 0;
    unsigned int nr = (unsigned int)info->si_syscall;

    (void)sig;
    (void)uctx;
    memcpy(buf, prefix, len);
    do {
        digits[n++] = (char)('0' + nr % 10u);
        nr /= 10u;
    } while (nr != 0 && n < sizeof(digits));
    while (n > 0)
        buf[len++] = digits[--n];
    buf[len++] = '\n';
    (void)!write(2, buf, len);
    _exit(ENC_SANDBOX_TRAP_EXIT);
}

static int sandbox_install_trap_handler(void) {
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = sandbox_sigsys;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGSYS, &sa, NULL) == 0 ? ENC_OK : ENC_SANDBOX_E_FILTER;
}
#else
#define SANDBOX_DEFAULT_ACTION SCMP_ACT_KILL_PROCESS
#endif

static int sandbox_rlimits(void) {
    const struct rlimit zero = {0, 0};

    if (setrlimit(RLIMIT_NOFILE, &zero) != 0 || setrlimit(RLIMIT_NPROC, &zero) != 0 ||
            setrlimit(RLIMIT_FSIZE, &zero) != 0)
        return ENC_SANDBOX_E_RLIMIT;
    return ENC_OK;
}

static int sandbox_load_filter(void) {
    scmp_filter_ctx ctx;
    size_t i;
    int r = ENC_SANDBOX_E_FILTER;

    if ((ctx = seccomp_init(SANDBOX_DEFAULT_ACTION)) == NULL)
        return ENC_SANDBOX_E_FILTER;
    if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) != 0)
        goto out;
    for (i = 0; i < sizeof(sandbox_allowed) / sizeof(sandbox_allowed[0]); i++)
        if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sandbox_allowed[i], 0) != 0)
            goto out;
    if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) != 0 ||
            seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
                    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) != 0)
        goto out;
    if (seccomp_load(ctx) != 0)
        goto out;
    r = ENC_OK;
out:
    seccomp_release(ctx);
    return r;
}

int enc_sandbox_enter(void) {
    uint32_t arch = seccomp_arch_native();
    int r;

    if (arch != SCMP_ARCH_X86_64 && arch != SCMP_ARCH_AARCH64)
        return ENC_SANDBOX_E_ARCH;
    if ((r = sandbox_rlimits()) != ENC_OK)
        return r;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return ENC_SANDBOX_E_NNP;
#ifdef MPC_ENCLAVE_SECCOMP_TRAP
    if ((r = sandbox_install_trap_handler()) != ENC_OK)
        return r;
#endif
    return sandbox_load_filter();
}
