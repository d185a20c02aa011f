/* Hardening and seccomp sandbox, each exercised in a forked child (both are irreversible): after
 * hardening the process is non-dumpable, has RLIMIT_CORE 0, only fds 0-3 with 0-2 on /dev/null, and
 * an mlockall failure is fatal unless the test-mode flag allows it; inside the sandbox the allowed
 * calls work and a forbidden syscall kills the child with SIGSYS. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <sodium.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "enc_error.h"
#include "hardening.h"
#include "sandbox.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_SANITIZED 1
#endif
#endif
#ifndef TEST_SANITIZED
#define TEST_SANITIZED 0
#endif

/* Child exit codes: 0 = all checks passed, otherwise the number of the first failed check. */
typedef int (*child_fn)(int arg);

static int run_child(child_fn fn, int arg) {
    int status = 0;
    pid_t pid = fork();

    assert_true(pid >= 0);
    /* exit_group directly: sanitizer runtimes hook _exit and make calls the sandbox forbids. */
    if (pid == 0)
        syscall(SYS_exit_group, fn(arg));
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void assert_exit_ok(int status) {
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void assert_killed_by_sandbox(int status) {
#ifdef MPC_ENCLAVE_SECCOMP_TRAP
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), ENC_SANDBOX_TRAP_EXIT);
#else
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGSYS);
#endif
}

/* Put one end of a socketpair on fd 3, as mpc-signerd does. */
static int give_ipc_fd3(void) {
    int sv[2];

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 || dup2(sv[0], 3) != 3)
        return -1;
    if (sv[0] != 3)
        close(sv[0]);
    return sv[1];
}

/* Without CAP_IPC_LOCK and with a tiny RLIMIT_MEMLOCK, mlockall(MCL_CURRENT) fails at once. */
static int lose_mlock_privilege(void) {
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    const struct rlimit small = {65536, 65536};

    if (syscall(SYS_capget, &hdr, data) != 0)
        return -1;
    data[CAP_IPC_LOCK / 32].effective &= ~(1u << (CAP_IPC_LOCK % 32));
    if (syscall(SYS_capset, &hdr, data) != 0)
        return -1;
    return setrlimit(RLIMIT_MEMLOCK, &small);
}

static int same_file(int fd, const struct stat *want) {
    struct stat st;

    return fstat(fd, &st) == 0 && st.st_dev == want->st_dev && st.st_ino == want->st_ino;
}

/* arg: 0 = production flags with mlock impossible (must fail closed);
 *      1 = test-mode flag with mlock impossible; 2 = production flags, real mlockall.
 * Sanitizer runtimes replace mlockall with a no-op that succeeds, so there "impossible" still
 * reports success and only the other properties are checked. */
static int child_harden(int arg) {
    struct rlimit rl;
    struct stat devnull;
    int extra[2], locked = -1, r;
    unsigned int flags = arg == 1 ? ENC_HARDEN_ALLOW_NO_MLOCK : 0;

    if (give_ipc_fd3() < 0 || pipe(extra) != 0 || stat("/dev/null", &devnull) != 0)
        return 1;
    if (arg != 2 && lose_mlock_privilege() != 0)
        return 2;
    r = enc_harden_process(&locked, 3, flags);
    if (arg == 0)
        return r == ENC_HARDEN_E_MLOCK ? 0 : 3;
    if (r != ENC_OK || (!TEST_SANITIZED && locked != (arg == 2)))
        return 4;
    if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
        return 5;
    if (getrlimit(RLIMIT_CORE, &rl) != 0 || rl.rlim_cur != 0 || rl.rlim_max != 0)
        return 6;
    if (fcntl(extra[0], F_GETFD) != -1 || errno != EBADF || fcntl(extra[1], F_GETFD) != -1)
        return 7;
    if (fcntl(3, F_GETFD) == -1)
        return 8;
    if (!same_file(0, &devnull) || !same_file(1, &devnull) || !same_file(2, &devnull))
        return 9;
    return 0;
}

static void test_harden_fail_closed(void **state) {
    (void)state;
    if (TEST_SANITIZED)
        skip();
    assert_exit_ok(run_child(child_harden, 0));
}

static void test_harden_test_mode(void **state) {
    (void)state;
    assert_exit_ok(run_child(child_harden, 1));
}

/* Sanitizer builds turn mlockall into a no-op: the real call is exercised in the plain build. */
static void test_harden_mlock(void **state) {
    (void)state;
    if (TEST_SANITIZED)
        skip();
    assert_exit_ok(run_child(child_harden, 2));
}

static void test_harden_needs_ipc_fd(void **state) {
    int locked = 0;

    (void)state;
    /* Refused before anything is changed: a closed fd, or one of 0-2. */
    assert_int_equal(enc_harden_process(&locked, 1000, 0), ENC_HARDEN_E_FDS);
    assert_int_equal(enc_harden_process(&locked, 2, 0), ENC_HARDEN_E_FDS);
}

/* arg: which forbidden call to make after entering the sandbox (0 = none: exercise allowed calls). */
static int child_sandbox(int arg) {
    int report[2], ipc;
    unsigned char rnd[32];
    void *secret, *big;
    struct timespec ts;
    char byte = 0;

    if ((ipc = give_ipc_fd3()) < 0 || pipe(report) != 0 || write(ipc, "q", 1) != 1)
        return 1;
    if (enc_sandbox_enter() != ENC_OK)
        return 2;
    switch (arg) {
    case 1:
        (void)syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY);
        return 3;
    case 2:
        (void)socket(AF_INET, SOCK_STREAM, 0);
        return 3;
    case 3: {
        /* Making memory executable is refused even though mprotect itself is allowed. */
        void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        if (p == MAP_FAILED)
            return 4;
        (void)mprotect(p, 4096, PROT_READ | PROT_EXEC);
        return 3;
    }
    case 4:
        (void)syscall(SYS_getpid);
        return 3;
    default:
        break;
    }
    randombytes_buf(rnd, sizeof(rnd));
    if ((secret = sodium_malloc(100)) == NULL)
        return 5;
    memset(secret, 1, 100);
    sodium_free(secret);
    if ((big = malloc(4u << 20)) == NULL)
        return 6;
    memset(big, 2, 4u << 20);
    free(big);
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 7;
    if (read(3, &byte, 1) != 1 || byte != 'q' || write(3, "r", 1) != 1)
        return 8;
    if (write(report[1], rnd, 1) != 1)
        return 9;
    return 0;
}

static void test_sandbox_allows_loop_calls(void **state) {
    (void)state;
    assert_exit_ok(run_child(child_sandbox, 0));
}

static void test_sandbox_kills_openat(void **state) {
    (void)state;
    assert_killed_by_sandbox(run_child(child_sandbox, 1));
}

static void test_sandbox_kills_socket(void **state) {
    (void)state;
    assert_killed_by_sandbox(run_child(child_sandbox, 2));
}

static void test_sandbox_kills_exec_mapping(void **state) {
    (void)state;
    assert_killed_by_sandbox(run_child(child_sandbox, 3));
}

static void test_sandbox_kills_getpid(void **state) {
    (void)state;
    assert_killed_by_sandbox(run_child(child_sandbox, 4));
}

static int setup(void **state) {
    (void)state;
    return sodium_init() < 0 ? -1 : 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_harden_fail_closed),
        cmocka_unit_test(test_harden_test_mode),
        cmocka_unit_test(test_harden_mlock),
        cmocka_unit_test(test_harden_needs_ipc_fd),
        cmocka_unit_test(test_sandbox_allows_loop_calls),
        cmocka_unit_test(test_sandbox_kills_openat),
        cmocka_unit_test(test_sandbox_kills_socket),
        cmocka_unit_test(test_sandbox_kills_exec_mapping),
        cmocka_unit_test(test_sandbox_kills_getpid),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
