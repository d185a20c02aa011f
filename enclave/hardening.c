#define _GNU_SOURCE
#include "hardening.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "enc_error.h"

/* Close every fd >= 3 except keep (keep >= 3). */
static int harden_close_fds(int keep) {
    struct rlimit rl;
    int fd, max_fd;

    if ((keep == 3 || close_range(3, (unsigned)keep - 1, 0) == 0) && close_range((unsigned)keep + 1, ~0u, 0) == 0)
        return ENC_OK;
    /* Kernels before 5.9 lack close_range. */
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1u << 20)
        return ENC_HARDEN_E_FDS;
    max_fd = (int)rl.rlim_cur;
    for (fd = 3; fd < max_fd; fd++)
        if (fd != keep)
            (void)close(fd);
    return ENC_OK;
}

static int harden_fds(int ipc_fd, unsigned int flags) {
    int devnull, r;

    if (ipc_fd < 3 || fcntl(ipc_fd, F_GETFD) == -1)
        return ENC_HARDEN_E_FDS;
    if ((r = harden_close_fds(ipc_fd)) != ENC_OK)
        return r;
    if ((devnull = open("/dev/null", O_RDWR)) == -1)
        return ENC_HARDEN_E_FDS;
    r = ENC_OK;
    if (dup2(devnull, 0) == -1 || dup2(devnull, 1) == -1 ||
            ((flags & ENC_HARDEN_KEEP_STDERR) == 0 && dup2(devnull, 2) == -1))
        r = ENC_HARDEN_E_FDS;
    if (devnull > 2)
        (void)close(devnull);
    return r;
}

int enc_harden_process(int *memory_locked, int ipc_fd, unsigned int flags) {
    const struct rlimit zero = {0, 0};
    int r;

    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 || setrlimit(RLIMIT_CORE, &zero) != 0)
        return ENC_HARDEN_E_DUMPABLE;
    if ((r = harden_fds(ipc_fd, flags)) != ENC_OK)
        return r;
    if (mlockall(MCL_CURRENT | MCL_FUTURE) == 0) {
        *memory_locked = 1;
        return ENC_OK;
    }
    if ((flags & ENC_HARDEN_ALLOW_NO_MLOCK) == 0)
        return ENC_HARDEN_E_MLOCK;
    *memory_locked = 0;
    return ENC_OK;
}
