/* Test-only LD_PRELOAD library for test_enclave_process: wraps libseccomp's seccomp_load so that,
 * right after the real mpc-enclave has loaded its filter, the process makes one syscall the
 * allowlist forbids (openat). The production binary carries no hook for this. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

int seccomp_load(const scmp_filter_ctx ctx) {
    int (*real)(const scmp_filter_ctx);
    void *sym = dlsym(RTLD_NEXT, "seccomp_load");
    int r;

    if (sym == NULL)
        return -1;
    *(void **)(&real) = sym;
    if ((r = real(ctx)) == 0)
        (void)syscall(SYS_openat, AT_FDCWD, "/", O_RDONLY);
    return r;
}
